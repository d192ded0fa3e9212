//! The CBOR decoder on its own (WebAuthn attestation objects and COSE keys are CBOR), and re-encoding what it read.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shared::webauthn::{cbor, cose};

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = cbor::decode_exact(data, 0) {
        let again = v.to_vec();
        // What was read must encode to a value that reads back.
        assert!(cbor::decode_exact(&again, 0).is_ok(), "re-encoded CBOR does not decode");
    }
    let _ = cbor::decode_prefix(data, 0);
    let _ = cose::parse(data);
});
