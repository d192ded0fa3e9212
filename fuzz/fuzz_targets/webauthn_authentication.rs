//! The assertion's parsers: a stored COSE key, clientDataJSON, authenticator data and the DER signature, through
//! `verify_authentication`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shared::webauthn::{verify_authentication, AuthenticationInput};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let [key, client_data_json, authenticator_data, signature, user_handle] = common::parts::<5>(data);
    let _ = verify_authentication(&AuthenticationInput {
        client_data_json,
        authenticator_data,
        signature,
        user_handle: (!user_handle.is_empty()).then_some(user_handle),
        expected_challenge: b"0123456789abcdef0123456789abcdef",
        allowed_origins: &["http://localhost:8787"],
        rp_id: "localhost",
        require_user_verification: false,
        credential_public_key_cose: key,
        stored_sign_count: 7,
        stored_backup_eligible: Some(false),
        expected_user_handle: Some(b"u_demo"),
    });
});
