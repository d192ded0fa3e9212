//! The one error type of WebAuthn ceremony verification: precise variants, stable codes, Japanese messages.

use std::fmt;

/// Why a ceremony was rejected. Each variant has a stable snake_case [`code`](CeremonyError::code) that the
/// `webauthn-verify` command prints and the edge may log, a Japanese [`message_ja`](CeremonyError::message_ja)
/// for people, and an English [`Display`](fmt::Display) with the detail for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CeremonyError {
    /// A field that must be base64url (padded or not) is not.
    InvalidBase64 { field: &'static str },
    /// The credential JSON lacks a member `PublicKeyCredential.toJSON()` always has, or has one of the wrong type.
    MalformedCredential { detail: String },
    /// The credential's `type` is not `public-key`.
    WrongCredentialType { received: String },
    /// The credential `id` / `rawId` disagree with each other or with the authenticator data.
    CredentialIdMismatch { detail: &'static str },
    /// clientDataJSON is not a JSON object with string `type`, `challenge`, `origin` (detail from the parser).
    MalformedClientData { detail: String },
    /// clientDataJSON `type` is not the one of this ceremony (`webauthn.create` / `webauthn.get`).
    WrongCeremonyType {
        expected: &'static str,
        received: String,
    },
    /// clientDataJSON `challenge` does not decode to the expected challenge bytes.
    ChallengeMismatch,
    /// clientDataJSON `origin` is not one of the allowed origins.
    OriginMismatch { received: String },
    /// clientDataJSON says the ceremony ran in a cross-origin iframe (`crossOrigin: true` or a `topOrigin`).
    CrossOrigin,
    /// CBOR that is not well formed (or uses what WebAuthn never needs: tags, indefinite lengths, ...).
    MalformedCbor { offset: usize, reason: &'static str },
    /// Bytes left over after a structure that must end the input (offset where they start).
    TrailingBytes { offset: usize },
    /// The attestation object is well-formed CBOR but not the map `{fmt, attStmt, authData}`.
    MalformedAttestationObject { reason: &'static str },
    /// Authenticator data is too short or inconsistent with its flags.
    MalformedAuthenticatorData { reason: &'static str },
    /// Registration authenticator data lacks attested credential data (AT flag clear).
    AttestedCredentialDataMissing,
    /// Assertion authenticator data carries attested credential data (AT flag set).
    UnexpectedAttestedCredentialData,
    /// Credential IDs are at most 1023 bytes (§7.1).
    CredentialIdTooLong { len: usize },
    /// rpIdHash in the authenticator data is not SHA-256 of the RP ID.
    RpIdHashMismatch,
    /// The UP flag is clear.
    UserPresenceMissing,
    /// User verification was required but the UV flag is clear.
    UserVerificationMissing,
    /// The BS (backup state) flag is set while BE (backup eligible) is clear.
    BackupStateWithoutEligibility,
    /// BE differs from the value stored at registration (it can never change for a credential).
    BackupEligibilityChanged { stored: bool, received: bool },
    /// The COSE key is well-formed CBOR but not a valid COSE_Key for its algorithm.
    MalformedCoseKey { reason: &'static str },
    /// A COSE algorithm (or curve) this verifier does not implement.
    UnsupportedAlgorithm { alg: i64, detail: &'static str },
    /// The credential's algorithm is not among those the RP offered in `pubKeyCredParams`.
    AlgorithmNotAllowed { alg: i64 },
    /// The public key is not usable (point not on the curve, weak key, RSA modulus too small, ...).
    InvalidPublicKey { reason: &'static str },
    /// The assertion signature does not verify with the stored credential public key.
    BadSignature { detail: &'static str },
    /// A counter that should have grown did not: the authenticator may have been cloned.
    SignCountRegressed { stored: u32, received: u32 },
    /// An attestation statement format that is not implemented (never accepted unverified).
    UnsupportedAttestationFormat { fmt: String },
    /// The attestation statement does not have the fields its format requires.
    MalformedAttestationStatement {
        fmt: &'static str,
        reason: &'static str,
    },
    /// The attestation signature does not verify.
    BadAttestationSignature { fmt: &'static str },
    /// The attestation statement's `alg` does not fit the key that must have made it.
    AttestationAlgorithmMismatch { statement: i64, key: i64 },
    /// The attestation certificate is unparsable or breaks the format's certificate requirements.
    InvalidAttestationCertificate { reason: &'static str },
    /// The assertion's userHandle is not the user the credential belongs to.
    UserHandleMismatch,
}

impl CeremonyError {
    /// Stable machine-readable code (snake_case). Never change one once released: tests and logs match on them.
    pub fn code(&self) -> &'static str {
        use CeremonyError::*;
        match self {
            InvalidBase64 { .. } => "invalid_base64",
            MalformedCredential { .. } => "malformed_credential",
            WrongCredentialType { .. } => "wrong_credential_type",
            CredentialIdMismatch { .. } => "credential_id_mismatch",
            MalformedClientData { .. } => "malformed_client_data",
            WrongCeremonyType { .. } => "wrong_ceremony_type",
            ChallengeMismatch => "challenge_mismatch",
            OriginMismatch { .. } => "origin_mismatch",
            CrossOrigin => "cross_origin",
            MalformedCbor { .. } => "malformed_cbor",
            TrailingBytes { .. } => "trailing_bytes",
            MalformedAttestationObject { .. } => "malformed_attestation_object",
            MalformedAuthenticatorData { .. } => "malformed_authenticator_data",
            AttestedCredentialDataMissing => "attested_credential_data_missing",
            UnexpectedAttestedCredentialData => "unexpected_attested_credential_data",
            CredentialIdTooLong { .. } => "credential_id_too_long",
            RpIdHashMismatch => "rp_id_hash_mismatch",
            UserPresenceMissing => "user_presence_missing",
            UserVerificationMissing => "user_verification_missing",
            BackupStateWithoutEligibility => "backup_state_without_eligibility",
            BackupEligibilityChanged { .. } => "backup_eligibility_changed",
            MalformedCoseKey { .. } => "malformed_cose_key",
            UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            AlgorithmNotAllowed { .. } => "algorithm_not_allowed",
            InvalidPublicKey { .. } => "invalid_public_key",
            BadSignature { .. } => "bad_signature",
            SignCountRegressed { .. } => "sign_count_regressed",
            UnsupportedAttestationFormat { .. } => "unsupported_attestation_format",
            MalformedAttestationStatement { .. } => "malformed_attestation_statement",
            BadAttestationSignature { .. } => "bad_attestation_signature",
            AttestationAlgorithmMismatch { .. } => "attestation_algorithm_mismatch",
            InvalidAttestationCertificate { .. } => "invalid_attestation_certificate",
            UserHandleMismatch => "user_handle_mismatch",
        }
    }

    /// What a person is told. Deliberately coarse: the detail helps an attacker more than a nurse.
    pub fn message_ja(&self) -> &'static str {
        use CeremonyError::*;
        match self {
            ChallengeMismatch => {
                "認証の有効期限が切れたか、別の画面で開始された認証です。もう一度お試しください。"
            }
            OriginMismatch { .. } | CrossOrigin => {
                "このページからは認証できません。正しいURLを開いてください。"
            }
            RpIdHashMismatch => "この認証器は別のサイト用に登録されています。",
            UserPresenceMissing => {
                "認証器への操作（タッチなど）が確認できませんでした。もう一度お試しください。"
            }
            UserVerificationMissing => {
                "本人確認（PIN・指紋・顔認証など）が必要です。認証器で本人確認を行ってください。"
            }
            BadSignature { .. } | BadAttestationSignature { .. } => {
                "認証器の署名を確認できませんでした。"
            }
            SignCountRegressed { .. } => {
                "認証器が複製された可能性があるため、ログインできません。管理者に連絡してください。"
            }
            UnsupportedAlgorithm { .. } | AlgorithmNotAllowed { .. } => {
                "この認証器の暗号方式には対応していません。"
            }
            UnsupportedAttestationFormat { .. } => "この認証器の証明形式には対応していません。",
            UserHandleMismatch => "この認証器は別の利用者のものです。",
            BackupEligibilityChanged { .. } => {
                "認証器の情報が登録時と異なります。管理者に連絡してください。"
            }
            CredentialIdTooLong { .. } => "この認証器は登録できません。",
            _ => "認証器からの応答が正しくありません。もう一度お試しください。",
        }
    }
}

impl fmt::Display for CeremonyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CeremonyError::*;
        match self {
            InvalidBase64 { field } => write!(f, "{field} is not base64url"),
            MalformedCredential { detail } => write!(f, "credential JSON is malformed: {detail}"),
            WrongCredentialType { received } => write!(f, "credential type is {received:?}, expected \"public-key\""),
            CredentialIdMismatch { detail } => write!(f, "credential id mismatch: {detail}"),
            MalformedClientData { detail } => write!(f, "clientDataJSON is malformed: {detail}"),
            WrongCeremonyType { expected, received } => {
                write!(f, "clientDataJSON type is {received:?}, expected {expected:?}")
            }
            ChallengeMismatch => write!(f, "clientDataJSON challenge is not the expected challenge"),
            OriginMismatch { received } => write!(f, "origin {received:?} is not allowed"),
            CrossOrigin => write!(f, "ceremony ran in a cross-origin context (crossOrigin true or topOrigin present)"),
            MalformedCbor { offset, reason } => write!(f, "malformed CBOR at offset {offset}: {reason}"),
            TrailingBytes { offset } => write!(f, "unexpected trailing bytes from offset {offset}"),
            MalformedAttestationObject { reason } => write!(f, "malformed attestation object: {reason}"),
            MalformedAuthenticatorData { reason } => write!(f, "malformed authenticator data: {reason}"),
            AttestedCredentialDataMissing => write!(f, "authenticator data has no attested credential data (AT clear)"),
            UnexpectedAttestedCredentialData => {
                write!(f, "assertion authenticator data carries attested credential data (AT set)")
            }
            CredentialIdTooLong { len } => write!(f, "credential id is {len} bytes, at most 1023 allowed"),
            RpIdHashMismatch => write!(f, "rpIdHash is not SHA-256 of the RP ID"),
            UserPresenceMissing => write!(f, "user presence (UP) flag is not set"),
            UserVerificationMissing => write!(f, "user verification required but UV flag is not set"),
            BackupStateWithoutEligibility => write!(f, "backup state (BS) set without backup eligibility (BE)"),
            BackupEligibilityChanged { stored, received } => {
                write!(f, "backup eligibility changed: stored {stored}, received {received}")
            }
            MalformedCoseKey { reason } => write!(f, "malformed COSE key: {reason}"),
            UnsupportedAlgorithm { alg, detail } => write!(f, "unsupported COSE algorithm {alg}: {detail}"),
            AlgorithmNotAllowed { alg } => write!(f, "COSE algorithm {alg} was not offered in pubKeyCredParams"),
            InvalidPublicKey { reason } => write!(f, "invalid public key: {reason}"),
            BadSignature { detail } => write!(f, "signature does not verify: {detail}"),
            SignCountRegressed { stored, received } => write!(
                f,
                "signature counter did not increase (stored {stored}, received {received}): possibly cloned authenticator"
            ),
            UnsupportedAttestationFormat { fmt } => write!(f, "attestation format {fmt:?} is not supported"),
            MalformedAttestationStatement { fmt, reason } => {
                write!(f, "malformed {fmt} attestation statement: {reason}")
            }
            BadAttestationSignature { fmt } => write!(f, "{fmt} attestation signature does not verify"),
            AttestationAlgorithmMismatch { statement, key } => {
                write!(f, "attestation alg {statement} does not match the key's algorithm {key}")
            }
            InvalidAttestationCertificate { reason } => write!(f, "invalid attestation certificate: {reason}"),
            UserHandleMismatch => write!(f, "userHandle does not match the credential's user"),
        }
    }
}

impl std::error::Error for CeremonyError {}
