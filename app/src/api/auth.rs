//! Signing in and keys (`edge/src/routes/auth.rs`): the password step, WebAuthn, passkeys, recovery codes,
//! registering a key, signing out, accepting an invitation.

use shared::api::auth::{
    AcceptInvitationRequest, AssertionRequest, ChangePasswordRequest, PasswordSignInRequest,
    RecoveryCodeRequest, RegisterCredentialRequest, RegisterCredentialResponse, SignInStep,
    WebauthnOptions,
};

use super::{post, send, ApiResult};

/// `POST /api/auth/password`: the first step, ID and password.
pub async fn password(body: &PasswordSignInRequest) -> ApiResult<SignInStep> {
    post("/api/auth/password", body).await
}

/// `POST /api/auth/password/change`: the new password a first sign-in or a reset asks for.
pub async fn change_password(body: &ChangePasswordRequest) -> ApiResult<SignInStep> {
    post("/api/auth/password/change", body).await
}

/// `POST /api/auth/webauthn/options`: a fresh challenge for the second step (the first comes with the password's
/// answer).
pub async fn webauthn_options() -> ApiResult<WebauthnOptions> {
    post("/api/auth/webauthn/options", &()).await
}

/// `POST /api/auth/webauthn`: the second step, the security key's assertion.
pub async fn webauthn(body: &AssertionRequest) -> ApiResult<SignInStep> {
    post("/api/auth/webauthn", body).await
}

/// `POST /api/auth/passkey/options`: the challenge of a sign-in with a passkey alone.
pub async fn passkey_options() -> ApiResult<WebauthnOptions> {
    post("/api/auth/passkey/options", &()).await
}

/// `POST /api/auth/passkey`: a passkey's assertion, in place of both steps.
pub async fn passkey(body: &AssertionRequest) -> ApiResult<SignInStep> {
    post("/api/auth/passkey", body).await
}

/// `POST /api/auth/recovery`: a recovery code in place of the key.
pub async fn recovery(body: &RecoveryCodeRequest) -> ApiResult<SignInStep> {
    post("/api/auth/recovery", body).await
}

/// `POST /api/auth/credentials/options`: the registration ceremony's options.
pub async fn credential_options() -> ApiResult<WebauthnOptions> {
    post("/api/auth/credentials/options", &()).await
}

/// `POST /api/auth/credentials`: registers a security key or passkey.
pub async fn register_credential(
    body: &RegisterCredentialRequest,
) -> ApiResult<RegisterCredentialResponse> {
    post("/api/auth/credentials", body).await
}

/// `POST /api/auth/signout`.
pub async fn sign_out() -> ApiResult<()> {
    send::<()>("POST", "/api/auth/signout", None).await
}

/// `POST /api/invitations/accept`: the invited person's first password.
pub async fn accept_invitation(body: &AcceptInvitationRequest) -> ApiResult<SignInStep> {
    post("/api/invitations/accept", body).await
}
