//! The test vectors of WebAuthn Level 3 §16 (extracted verbatim into `tests/data/webauthn-l3-vectors.json`),
//! each with the verdict this verifier must give.

use serde_json::Value;
use shared::webauthn::{
    alg, attestation, authdata, verify_authentication, verify_registration, AttestationType,
    AuthenticationInput, CeremonyError, RegistrationInput,
};

const RP_ID: &str = "example.org";
const ORIGINS: &[&str] = &["https://example.org"];

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

struct Vector {
    reg_challenge: Vec<u8>,
    client_data_reg: Vec<u8>,
    attestation_object: Vec<u8>,
    auth_challenge: Vec<u8>,
    client_data_auth: Vec<u8>,
    authenticator_data: Vec<u8>,
    signature: Vec<u8>,
}

fn vector(name: &str) -> Vector {
    let all: Value = serde_json::from_str(include_str!("data/webauthn-l3-vectors.json")).unwrap();
    let v = all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("{name}"));
    let h = |a: &str, b: &str| unhex(v[a][b].as_str().unwrap());
    Vector {
        reg_challenge: h("registration", "challenge"),
        client_data_reg: h("registration", "clientDataJSON"),
        attestation_object: h("registration", "attestationObject"),
        auth_challenge: h("authentication", "challenge"),
        client_data_auth: h("authentication", "clientDataJSON"),
        authenticator_data: h("authentication", "authenticatorData"),
        signature: h("authentication", "signature"),
    }
}

fn register(v: &Vector) -> Result<shared::webauthn::RegisteredCredential, CeremonyError> {
    verify_registration(&RegistrationInput {
        client_data_json: &v.client_data_reg,
        attestation_object: &v.attestation_object,
        expected_challenge: &v.reg_challenge,
        allowed_origins: ORIGINS,
        rp_id: RP_ID,
        require_user_verification: false,
        allowed_algorithms: &[],
    })
}

fn authenticate(
    v: &Vector,
    key: &[u8],
) -> Result<shared::webauthn::AuthenticationOutcome, CeremonyError> {
    verify_authentication(&AuthenticationInput {
        client_data_json: &v.client_data_auth,
        authenticator_data: &v.authenticator_data,
        signature: &v.signature,
        user_handle: None,
        expected_challenge: &v.auth_challenge,
        allowed_origins: ORIGINS,
        rp_id: RP_ID,
        require_user_verification: false,
        credential_public_key_cose: key,
        stored_sign_count: 0,
        stored_backup_eligible: None,
        expected_user_handle: None,
    })
}

/// The credential public key straight from the attestation object, for vectors whose registration we refuse.
fn key_from_attestation(v: &Vector) -> Vec<u8> {
    let object = attestation::parse_object(&v.attestation_object).unwrap();
    authdata::parse(object.auth_data)
        .unwrap()
        .attested
        .unwrap()
        .public_key_cose
        .to_vec()
}

fn passes_both(name: &str, fmt: &str, ty: AttestationType, algorithm: i64) {
    let v = vector(name);
    let cred = register(&v).unwrap_or_else(|e| panic!("{name} registration: {e}"));
    assert_eq!(
        (cred.fmt, cred.attestation_type, cred.algorithm),
        (fmt, ty, algorithm),
        "{name}"
    );
    assert!(!cred.attestation_trust_anchor_verified);
    let outcome = authenticate(&v, &cred.public_key_cose)
        .unwrap_or_else(|e| panic!("{name} authentication: {e}"));
    assert_eq!(
        outcome.new_sign_count, 0,
        "{name}: counterless authenticators stay at 0"
    );
}

#[test]
fn accepts_none_es256() {
    passes_both("none-es256", "none", AttestationType::None, alg::ES256);
}

#[test]
fn accepts_packed_self_attestation_es256() {
    passes_both(
        "packed-self-es256",
        "packed",
        AttestationType::SelfAttestation,
        alg::ES256,
    );
}

#[test]
fn accepts_credential_id_of_1023_bytes() {
    passes_both(
        "none-es256-long-credential-id",
        "none",
        AttestationType::None,
        alg::ES256,
    );
    assert_eq!(
        register(&vector("none-es256-long-credential-id"))
            .unwrap()
            .credential_id
            .len(),
        1023
    );
}

#[test]
fn accepts_packed_x5c_es256() {
    passes_both("packed-es256", "packed", AttestationType::Basic, alg::ES256);
}

#[test]
fn accepts_packed_x5c_rs256() {
    passes_both("packed-rs256", "packed", AttestationType::Basic, alg::RS256);
}

#[test]
fn accepts_packed_x5c_eddsa() {
    passes_both("packed-eddsa", "packed", AttestationType::Basic, alg::EDDSA);
}

#[test]
fn accepts_fido_u2f_es256() {
    passes_both(
        "fido-u2f-es256",
        "fido-u2f",
        AttestationType::Basic,
        alg::ES256,
    );
}

#[test]
fn rejects_cross_origin_and_top_origin_ceremonies() {
    for name in ["none-es256-crossOrigin", "none-es256-topOrigin"] {
        let v = vector(name);
        assert_eq!(
            register(&v).unwrap_err(),
            CeremonyError::CrossOrigin,
            "{name}"
        );
        assert_eq!(
            authenticate(&v, &key_from_attestation(&v)).unwrap_err(),
            CeremonyError::CrossOrigin,
            "{name}"
        );
    }
}

#[test]
fn rejects_es384_es512_and_ed448_as_unsupported_algorithms() {
    for (name, expected_alg) in [
        ("packed-es384", alg::ES384),
        ("packed-es512", alg::ES512),
        ("packed-ed448", -53),
    ] {
        match register(&vector(name)) {
            Err(CeremonyError::UnsupportedAlgorithm { alg, .. }) => {
                assert_eq!(alg, expected_alg, "{name}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn rejects_tpm_android_key_and_apple_formats_but_their_assertions_verify() {
    for (name, fmt) in [
        ("tpm-es256", "tpm"),
        ("android-key-es256", "android-key"),
        ("apple-es256", "apple"),
    ] {
        let v = vector(name);
        assert_eq!(
            register(&v).unwrap_err(),
            CeremonyError::UnsupportedAttestationFormat {
                fmt: fmt.to_owned()
            },
            "{name}"
        );
        authenticate(&v, &key_from_attestation(&v))
            .unwrap_or_else(|e| panic!("{name} authentication: {e}"));
    }
}

#[test]
fn every_published_vector_is_covered() {
    let all: Value = serde_json::from_str(include_str!("data/webauthn-l3-vectors.json")).unwrap();
    assert_eq!(all["vectors"].as_array().unwrap().len(), 15);
}
