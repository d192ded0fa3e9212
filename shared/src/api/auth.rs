//! Sign-in, sessions and the signed-in user's own account: `/api/auth/*` and `/api/me`.
//!
//! Flow: `POST /api/auth/password` → (first time) `POST /api/auth/password/change` → `POST
//! /api/auth/credentials/options` + `POST /api/auth/credentials` (register a key; the session starts) — or, once a key
//! exists, `POST /api/auth/webauthn/options` + `POST /api/auth/webauthn` (the session starts). Between the steps the
//! browser holds only an HttpOnly "pending" cookie; the session cookie is set when both factors are proven.
//! WebAuthn options and credentials travel in the browser's JSON forms (`parse*OptionsFromJSON`, `toJSON()`),
//! as raw JSON text so this crate needs no JSON value type.

use serde::{Deserialize, Serialize};

use crate::auth::{Jurisdiction, PasswordRule, Role};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordSignInRequest {
    pub login_id: String,
    pub password: String,
}

/// What the browser must do next after a step of the sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "next", rename_all = "snake_case")]
pub enum SignInStep {
    /// First sign-in with the initial password: set a new one.
    ChangePassword,
    /// No security key or passkey yet: register one.
    RegisterCredential,
    /// Prove the second factor with one of the registered keys. `options_json` is
    /// `PublicKeyCredentialRequestOptionsJSON`.
    Webauthn { options_json: String },
    /// Signed in.
    Done { me: Me },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
    pub confirmation: String,
}

/// Body of a `PASSWORD_POLICY` error: every rule the new password breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicyViolation {
    pub rules: Vec<PasswordRule>,
}

/// `PublicKeyCredentialCreationOptionsJSON` / `PublicKeyCredentialRequestOptionsJSON` as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebauthnOptions {
    pub options_json: String,
}

/// A credential from `PublicKeyCredential.toJSON()`, as text, with the name the user gives the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterCredentialRequest {
    pub credential_json: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterCredentialResponse {
    /// Shown once, after the first key of an account is registered: single-use codes for when no key is at hand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<String>,
    pub me: Me,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionRequest {
    pub credential_json: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCodeRequest {
    pub code: String,
}

/// The signed-in user, as the app shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: String,
    pub login_id: String,
    pub display_name: String,
    pub role: Role,
    pub jurisdiction: Jurisdiction,
    /// Name of the institution / health center / prefecture, for the header.
    pub area_name: String,
}

/// One of the user's registered keys (no key material).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialSummary {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialList {
    pub credentials: Vec<CredentialSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenameCredentialRequest {
    pub name: String,
}

/// `POST /api/invitations/accept`: the token from the invitation link's fragment and the user's own password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptInvitationRequest {
    pub token: String,
    pub new_password: String,
    pub confirmation: String,
}

/// `POST /api/me/step-up/options`: how the signed-in user proves, again, that they hold the account before adding
/// a key: with one of their keys (`options_json`, request options naming them) or, for an account with no key,
/// the password (`options_json` absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUpOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options_json: Option<String>,
}

/// `POST /api/me/step-up`: an assertion with one of the account's keys, or (no key) the password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUpRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_json: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// The step-up holds for one key registration in this session until `valid_until` (Unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUpDone {
    pub valid_until: i64,
}
