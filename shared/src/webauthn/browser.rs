//! Serde types for the browser's `PublicKeyCredential.toJSON()` output, shared by the edge and the command,
//! and one-call verification of them.

use serde::{Deserialize, Serialize};

use super::authentication::{verify_authentication, AuthenticationInput, AuthenticationOutcome};
use super::registration::{verify_registration, RegisteredCredential, RegistrationInput};
use super::{b64, CeremonyError};

/// `RegistrationResponseJSON` (§5.1, `toJSON()` of a credential from `navigator.credentials.create`).
/// Unknown members are ignored so that newer browsers do not break sign-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationResponseJson {
    pub id: String,
    pub raw_id: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub response: AttestationResponseJson,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationResponseJson {
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    pub attestation_object: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transports: Vec<String>,
}

/// `AuthenticationResponseJSON` (`toJSON()` of a credential from `navigator.credentials.get`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationResponseJson {
    pub id: String,
    pub raw_id: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub response: AssertionResponseJson,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssertionResponseJson {
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    pub authenticator_data: String,
    pub signature: String,
    /// Absent or null when the authenticator returned no user handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_handle: Option<String>,
}

/// The relying party's fixed settings.
#[derive(Debug, Clone, Copy)]
pub struct RelyingParty<'a> {
    pub rp_id: &'a str,
    pub allowed_origins: &'a [&'a str],
    pub require_user_verification: bool,
    /// COSE algorithms offered in `pubKeyCredParams`; empty means every supported one.
    pub allowed_algorithms: &'a [i64],
}

/// What the RP stored for the credential an assertion claims to use.
#[derive(Debug, Clone, Copy)]
pub struct StoredCredential<'a> {
    pub credential_id: &'a [u8],
    pub public_key_cose: &'a [u8],
    pub sign_count: u32,
    pub backup_eligible: Option<bool>,
    pub user_handle: Option<&'a [u8]>,
}

/// `id` is the base64url of `rawId`; both must name the same bytes and `type` must be `public-key`.
fn check_envelope(id: &str, raw_id: &str, ty: &str) -> Result<Vec<u8>, CeremonyError> {
    if ty != "public-key" {
        return Err(CeremonyError::WrongCredentialType {
            received: ty.to_owned(),
        });
    }
    let raw = b64::decode("rawId", raw_id)?;
    if b64::decode("id", id)? != raw {
        return Err(CeremonyError::CredentialIdMismatch {
            detail: "id and rawId differ",
        });
    }
    Ok(raw)
}

impl RegistrationResponseJson {
    /// Decodes and verifies; also checks that `rawId` is the credential ID in the authenticator data.
    pub fn verify(
        &self,
        rp: &RelyingParty<'_>,
        expected_challenge: &[u8],
    ) -> Result<RegisteredCredential, CeremonyError> {
        let raw_id = check_envelope(&self.id, &self.raw_id, &self.ty)?;
        let client_data_json =
            b64::decode("response.clientDataJSON", &self.response.client_data_json)?;
        let attestation_object = b64::decode(
            "response.attestationObject",
            &self.response.attestation_object,
        )?;
        let credential = verify_registration(&RegistrationInput {
            client_data_json: &client_data_json,
            attestation_object: &attestation_object,
            expected_challenge,
            allowed_origins: rp.allowed_origins,
            rp_id: rp.rp_id,
            require_user_verification: rp.require_user_verification,
            allowed_algorithms: rp.allowed_algorithms,
        })?;
        if credential.credential_id != raw_id {
            return Err(CeremonyError::CredentialIdMismatch {
                detail: "rawId differs from the authenticator data",
            });
        }
        Ok(credential)
    }
}

impl AuthenticationResponseJson {
    /// Decodes and verifies against the stored credential (whose ID must be `rawId`).
    pub fn verify(
        &self,
        rp: &RelyingParty<'_>,
        expected_challenge: &[u8],
        stored: &StoredCredential<'_>,
    ) -> Result<AuthenticationOutcome, CeremonyError> {
        let raw_id = check_envelope(&self.id, &self.raw_id, &self.ty)?;
        if raw_id != stored.credential_id {
            return Err(CeremonyError::CredentialIdMismatch {
                detail: "rawId is not the stored credential",
            });
        }
        self.verify_with_key(rp, expected_challenge, stored)
    }

    /// Like [`verify`](Self::verify) without comparing `rawId` to `stored.credential_id` (for callers that
    /// looked the key up by `rawId` already, and for the command, which has no stored ID).
    pub fn verify_with_key(
        &self,
        rp: &RelyingParty<'_>,
        expected_challenge: &[u8],
        stored: &StoredCredential<'_>,
    ) -> Result<AuthenticationOutcome, CeremonyError> {
        check_envelope(&self.id, &self.raw_id, &self.ty)?;
        let client_data_json =
            b64::decode("response.clientDataJSON", &self.response.client_data_json)?;
        let authenticator_data = b64::decode(
            "response.authenticatorData",
            &self.response.authenticator_data,
        )?;
        let signature = b64::decode("response.signature", &self.response.signature)?;
        let user_handle = match &self.response.user_handle {
            Some(text) => Some(b64::decode("response.userHandle", text)?),
            None => None,
        };
        verify_authentication(&AuthenticationInput {
            client_data_json: &client_data_json,
            authenticator_data: &authenticator_data,
            signature: &signature,
            user_handle: user_handle.as_deref(),
            expected_challenge,
            allowed_origins: rp.allowed_origins,
            rp_id: rp.rp_id,
            require_user_verification: rp.require_user_verification,
            credential_public_key_cose: stored.public_key_cose,
            stored_sign_count: stored.sign_count,
            stored_backup_eligible: stored.backup_eligible,
            expected_user_handle: stored.user_handle,
        })
    }
}
