//! Property tests: random and mutated bytes into every parser and both verifiers must never panic, and the
//! command must always answer one JSON line with exit code 0, 1 or 2. 4096 cases per property by default
//! (1024 where each case runs a full signature verification); `PROPTEST_CASES=N` overrides both.

mod common;

use common::*;
use proptest::prelude::*;
use shared::webauthn::{attestation, authdata, b64, cbor, clientdata, command, cose};
use std::sync::OnceLock;

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Applies up to eight byte edits (overwrite, insert, delete) to `base`.
fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len().max(1);
    prop::collection::vec((0..3u8, 0..len, any::<u8>()), 1..8).prop_map(move |edits| {
        let mut out = base.clone();
        for (kind, at, byte) in edits {
            let at = at.min(out.len());
            match kind {
                0 if at < out.len() => out[at] = byte,
                1 => out.insert(at, byte),
                _ if at < out.len() => {
                    out.remove(at);
                }
                _ => {}
            }
        }
        out
    })
}

fn all_parsers(bytes: &[u8]) {
    let _ = cbor::decode_exact(bytes, 0);
    let _ = cbor::decode_prefix(bytes, 0);
    let _ = authdata::parse(bytes);
    let _ = attestation::parse_object(bytes);
    let _ = cose::parse(bytes);
    let _ = clientdata::parse(bytes);
    let _ = b64::decode("fuzz", &String::from_utf8_lossy(bytes));
    let _ = command::run(bytes);
}

struct Fixtures {
    reg: Registration,
    cdj: Vec<u8>,
    ao: Vec<u8>,
    asn: Assertion,
    a_cdj: Vec<u8>,
    a_ad: Vec<u8>,
    a_sig: Vec<u8>,
}

/// Built once: key generation and signing in debug builds would dominate the run otherwise.
fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(build_fixtures)
}

fn build_fixtures() -> Fixtures {
    let mut reg = Registration::new(Key::es256()).with_att(Att::PackedX5c(vec![ATT_LEAF]));
    reg.auth.flags |= ED;
    reg.auth.extensions = Some(
        cbor::Value::Map(vec![(
            cbor::Value::Text("credProtect"),
            cbor::Value::int(1),
        )])
        .to_vec(),
    );
    let (cdj, ao) = reg.build();
    let asn = Assertion::new(Key::es256());
    let (a_cdj, a_ad, a_sig) = asn.build();
    Fixtures {
        reg,
        cdj,
        ao,
        asn,
        a_cdj,
        a_ad,
        a_sig,
    }
}

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn random_bytes_never_panic_any_parser(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        all_parsers(&bytes);
    }

}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn mutated_attestation_objects_never_panic(m in mutated(fixtures().ao.clone())) {
        all_parsers(&m);
        let f = fixtures();
        let _ = f.reg.verify_bytes(&f.cdj, &m);
    }

    #[test]
    fn mutated_authenticator_data_and_keys_never_panic(ad in mutated(fixtures().a_ad.clone()), key in mutated(Key::es256().cose())) {
        all_parsers(&ad);
        all_parsers(&key);
        let f = fixtures();
        prop_assert!(f.asn.verify_bytes(&f.a_cdj, &ad, &f.a_sig).is_err() || ad == f.a_ad);
        let mut other = f.asn.clone();
        other.stored_key_cose = key;
        let _ = other.verify_bytes(&f.a_cdj, &f.a_ad, &f.a_sig);
    }

    #[test]
    fn mutated_client_data_and_signatures_never_panic(cdj in mutated(fixtures().a_cdj.clone()), sig in mutated(fixtures().a_sig.clone())) {
        all_parsers(&cdj);
        let f = fixtures();
        let _ = f.asn.verify_bytes(&cdj, &f.a_ad, &sig);
        let _ = f.reg.verify_bytes(&cdj, &f.ao);
    }

}

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn the_command_always_answers_one_json_line(input in mutated(br#"{"ceremony":"registration","rp_id":"localhost","origin":"http://localhost:5000","challenge_b64url":"AAAA","credential":{"id":"AQ","rawId":"AQ","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}}"#.to_vec())) {
            let v = command::run(&input);
        prop_assert!([0, 1, 2].contains(&v.exit_code));
        let parsed: serde_json::Value = serde_json::from_str(&v.line).expect("JSON line");
        prop_assert!(parsed["verdict"] == "pass" || parsed["verdict"] == "fail");
    }

    #[test]
    fn base64url_round_trips_with_and_without_padding(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let text = b64::encode(&bytes);
        prop_assert_eq!(b64::decode("t", &text).unwrap(), bytes.clone());
        let padded = format!("{text}{}", "=".repeat((4 - text.len() % 4) % 4));
        prop_assert_eq!(b64::decode("t", &padded).unwrap(), bytes);
    }
}
