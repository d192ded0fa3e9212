//! Registration ceremony verification (§7.1 "Registering a New Credential").

use sha2::{Digest, Sha256};

use super::attestation::{self, AttestationType};
use super::{authdata, clientdata, CeremonyError};

/// Everything the relying party knows when a registration response arrives, bytes already base64url-decoded.
#[derive(Debug, Clone, Copy)]
pub struct RegistrationInput<'a> {
    /// `response.clientDataJSON`, raw (its exact bytes are hashed).
    pub client_data_json: &'a [u8],
    /// `response.attestationObject`.
    pub attestation_object: &'a [u8],
    /// The challenge the RP put in `PublicKeyCredentialCreationOptions` (raw bytes).
    pub expected_challenge: &'a [u8],
    /// Exact origins accepted, e.g. `["https://her-sys.example.jp"]`.
    pub allowed_origins: &'a [&'a str],
    /// The RP ID (a registrable domain, e.g. `localhost`).
    pub rp_id: &'a str,
    /// `userVerification: "required"` was requested.
    pub require_user_verification: bool,
    /// COSE algorithms offered in `pubKeyCredParams`; empty means every supported algorithm.
    pub allowed_algorithms: &'a [i64],
}

/// What the RP stores for a new credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredCredential {
    pub credential_id: Vec<u8>,
    /// The COSE_Key bytes exactly as in the authenticator data; pass them back as `credential_public_key_cose`.
    pub public_key_cose: Vec<u8>,
    pub algorithm: i64,
    pub sign_count: u32,
    pub aaguid: [u8; 16],
    pub user_verified: bool,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub fmt: &'static str,
    pub attestation_type: AttestationType,
    /// Attestation certificates (DER, leaf first), if any.
    pub attestation_trust_path: Vec<Vec<u8>>,
    /// False: the chain was not checked against a trust anchor (see [`attestation`]).
    pub attestation_trust_anchor_verified: bool,
    /// Authenticator extension outputs, re-encoded CBOR (absent when ED was clear).
    pub authenticator_extensions_cbor: Option<Vec<u8>>,
}

/// Verifies a registration ceremony. Never panics; every failure is a specific [`CeremonyError`].
pub fn verify_registration(
    input: &RegistrationInput<'_>,
) -> Result<RegisteredCredential, CeremonyError> {
    // clientDataJSON.
    let client_data = clientdata::parse(input.client_data_json)?;
    clientdata::check(
        &client_data,
        "webauthn.create",
        input.expected_challenge,
        input.allowed_origins,
    )?;
    // Hash of the raw bytes, never of a re-serialisation.
    let client_data_hash: [u8; 32] = Sha256::digest(input.client_data_json).into();

    // Attestation object and authenticator data.
    let object = attestation::parse_object(input.attestation_object)?;
    let auth_data =
        authdata::parse(object.auth_data).map_err(|e| shift_offset(e, object.auth_data_offset))?;
    let attested = auth_data
        .attested
        .as_ref()
        .ok_or(CeremonyError::AttestedCredentialDataMissing)?;

    // rpIdHash, UP, UV, BE/BS.
    check_flags_and_rp(&auth_data, input.rp_id, input.require_user_verification)?;

    // The algorithm must be one the RP offered.
    let algorithm = attested.public_key.algorithm();
    if !input.allowed_algorithms.is_empty() && !input.allowed_algorithms.contains(&algorithm) {
        return Err(CeremonyError::AlgorithmNotAllowed { alg: algorithm });
    }

    // Attestation statement (unsupported formats are errors, never silently accepted).
    let verified =
        attestation::verify_statement(object.fmt, &object.att_stmt, &auth_data, &client_data_hash)?;

    Ok(RegisteredCredential {
        credential_id: attested.credential_id.to_vec(),
        public_key_cose: attested.public_key_cose.to_vec(),
        algorithm,
        sign_count: auth_data.sign_count,
        aaguid: attested.aaguid,
        user_verified: auth_data.flags.user_verified(),
        backup_eligible: auth_data.flags.backup_eligible(),
        backup_state: auth_data.flags.backup_state(),
        fmt: verified.fmt,
        attestation_type: verified.attestation_type,
        attestation_trust_path: verified.trust_path,
        attestation_trust_anchor_verified: verified.trust_anchor_verified,
        authenticator_extensions_cbor: auth_data.extensions.as_ref().map(|e| e.to_vec()),
    })
}

/// Offsets inside authData become offsets inside the attestation object.
fn shift_offset(err: CeremonyError, by: usize) -> CeremonyError {
    match err {
        CeremonyError::MalformedCbor { offset, reason } => CeremonyError::MalformedCbor {
            offset: offset.saturating_add(by),
            reason,
        },
        CeremonyError::TrailingBytes { offset } => CeremonyError::TrailingBytes {
            offset: offset.saturating_add(by),
        },
        other => other,
    }
}

/// Shared by both ceremonies: rpIdHash, UP, UV (when required) and "BS only with BE".
pub(crate) fn check_flags_and_rp(
    auth_data: &authdata::AuthenticatorData<'_>,
    rp_id: &str,
    require_user_verification: bool,
) -> Result<(), CeremonyError> {
    let expected: [u8; 32] = Sha256::digest(rp_id.as_bytes()).into();
    if auth_data.rp_id_hash != expected {
        return Err(CeremonyError::RpIdHashMismatch);
    }
    if !auth_data.flags.user_present() {
        return Err(CeremonyError::UserPresenceMissing);
    }
    if require_user_verification && !auth_data.flags.user_verified() {
        return Err(CeremonyError::UserVerificationMissing);
    }
    if auth_data.flags.backup_state() && !auth_data.flags.backup_eligible() {
        return Err(CeremonyError::BackupStateWithoutEligibility);
    }
    Ok(())
}
