//! The registration ceremony's parsers: clientDataJSON, the attestation object (CBOR), authenticator data, COSE
//! keys and attestation statements, through `verify_registration`; and the browser's JSON form.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shared::webauthn::{alg, verify_registration, RegistrationInput, RegistrationResponseJson, RelyingParty};

#[path = "common.rs"]
mod common;

const ALGS: [i64; 3] = [alg::ES256, alg::EDDSA, alg::RS256];

fuzz_target!(|data: &[u8]| {
    let [client_data_json, attestation_object] = common::parts::<2>(data);
    let _ = verify_registration(&RegistrationInput {
        client_data_json,
        attestation_object,
        expected_challenge: b"0123456789abcdef0123456789abcdef",
        allowed_origins: &["http://localhost:8787"],
        rp_id: "localhost",
        require_user_verification: false,
        allowed_algorithms: &ALGS,
    });
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(r) = serde_json::from_str::<RegistrationResponseJson>(text) {
            let rp = RelyingParty {
                rp_id: "localhost",
                allowed_origins: &["http://localhost:8787"],
                require_user_verification: true,
                allowed_algorithms: &ALGS,
            };
            let _ = r.verify(&rp, b"0123456789abcdef0123456789abcdef");
        }
    }
});
