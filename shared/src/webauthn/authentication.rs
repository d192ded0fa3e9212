//! Authentication ceremony verification (§7.2 "Verifying an Authentication Assertion").

use sha2::{Digest, Sha256};

use super::registration::check_flags_and_rp;
use super::{authdata, clientdata, cose, CeremonyError};

/// Everything the relying party knows when an assertion arrives, bytes already base64url-decoded.
#[derive(Debug, Clone, Copy)]
pub struct AuthenticationInput<'a> {
    /// `response.clientDataJSON`, raw.
    pub client_data_json: &'a [u8],
    /// `response.authenticatorData`.
    pub authenticator_data: &'a [u8],
    /// `response.signature`.
    pub signature: &'a [u8],
    /// `response.userHandle`, if the authenticator returned one.
    pub user_handle: Option<&'a [u8]>,
    pub expected_challenge: &'a [u8],
    pub allowed_origins: &'a [&'a str],
    pub rp_id: &'a str,
    pub require_user_verification: bool,
    /// The COSE_Key stored at registration ([`super::RegisteredCredential::public_key_cose`]).
    pub credential_public_key_cose: &'a [u8],
    /// The signature counter stored with the credential.
    pub stored_sign_count: u32,
    /// BE as stored at registration, if known: it must not change (§7.2).
    pub stored_backup_eligible: Option<bool>,
    /// The user handle of the credential's owner, if the caller wants it checked against `user_handle`.
    pub expected_user_handle: Option<&'a [u8]>,
}

/// What the RP updates after a successful assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticationOutcome {
    /// Store this as the credential's counter.
    pub new_sign_count: u32,
    pub user_verified: bool,
    pub backup_eligible: bool,
    /// Store this: BS may change between assertions (the passkey got synced or unsynced).
    pub backup_state: bool,
    pub authenticator_extensions_cbor: Option<Vec<u8>>,
}

/// Verifies an authentication assertion. Never panics; every failure is a specific [`CeremonyError`].
pub fn verify_authentication(
    input: &AuthenticationInput<'_>,
) -> Result<AuthenticationOutcome, CeremonyError> {
    // The stored key is parsed first: a corrupt record is the RP's problem, not the user's, and must not mask it.
    let key = cose::parse(input.credential_public_key_cose)?;

    // The user handle, when both sides know it.
    if let (Some(expected), Some(received)) = (input.expected_user_handle, input.user_handle) {
        if expected != received {
            return Err(CeremonyError::UserHandleMismatch);
        }
    }

    // clientDataJSON.
    let client_data = clientdata::parse(input.client_data_json)?;
    clientdata::check(
        &client_data,
        "webauthn.get",
        input.expected_challenge,
        input.allowed_origins,
    )?;

    // Authenticator data. Assertions never carry attested credential data.
    let auth_data = authdata::parse(input.authenticator_data)?;
    if auth_data.attested.is_some() {
        return Err(CeremonyError::UnexpectedAttestedCredentialData);
    }
    check_flags_and_rp(&auth_data, input.rp_id, input.require_user_verification)?;
    let backup_eligible = auth_data.flags.backup_eligible();
    if let Some(stored) = input.stored_backup_eligible {
        if stored != backup_eligible {
            return Err(CeremonyError::BackupEligibilityChanged {
                stored,
                received: backup_eligible,
            });
        }
    }

    // Signature over authenticatorData ‖ SHA-256(clientDataJSON raw bytes).
    let client_data_hash = Sha256::digest(input.client_data_json);
    let mut signed = Vec::with_capacity(input.authenticator_data.len() + 32);
    signed.extend_from_slice(input.authenticator_data);
    signed.extend_from_slice(&client_data_hash);
    key.verify(&signed, input.signature)?;

    // The counter. 0 → 0 means the authenticator has no counter; otherwise it must grow.
    let received = auth_data.sign_count;
    let stored = input.stored_sign_count;
    if (stored != 0 || received != 0) && received <= stored {
        return Err(CeremonyError::SignCountRegressed { stored, received });
    }

    Ok(AuthenticationOutcome {
        new_sign_count: received,
        user_verified: auth_data.flags.user_verified(),
        backup_eligible,
        backup_state: auth_data.flags.backup_state(),
        authenticator_extensions_cbor: auth_data.extensions.as_ref().map(|e| e.to_vec()),
    })
}
