//! The `webauthn-verify` command: its JSON contract through `command::run`, and the real binary's exit codes.

mod common;

use common::*;
use serde_json::{json, Value as Json};
use shared::webauthn::b64;
use shared::webauthn::command::{self, EXIT_FAIL, EXIT_PASS, EXIT_UNREADABLE};
use std::io::Write;
use std::process::{Command, Stdio};

fn registration_json(reg: &Registration) -> Json {
    let (cdj, ao) = reg.build();
    let id = b64::encode(&reg.auth.attested.as_ref().unwrap().1);
    json!({
        "ceremony": "registration", "rp_id": RP_ID, "origin": ORIGIN,
        "challenge_b64url": b64::encode(&reg.challenge),
        "credential": {
            "id": id, "rawId": id, "type": "public-key", "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": { "clientDataJSON": b64::encode(&cdj), "attestationObject": b64::encode(&ao),
                          "transports": ["internal"], "publicKeyAlgorithm": reg.key.alg() }
        }
    })
}

fn authentication_json(a: &Assertion) -> Json {
    let (cdj, ad, sig) = a.build();
    json!({
        "ceremony": "authentication", "rp_id": RP_ID, "origin": ORIGIN,
        "challenge_b64url": b64::encode(&a.challenge),
        "credential": {
            "id": "AQID", "rawId": "AQID", "type": "public-key",
            "response": { "clientDataJSON": b64::encode(&cdj), "authenticatorData": b64::encode(&ad),
                          "signature": b64::encode(&sig), "userHandle": "dXNlcg" }
        },
        "credential_public_key_cose_b64url": b64::encode(&a.stored_key_cose),
        "prev_sign_count": a.stored_sign_count,
        "options": { "require_user_verification": a.require_user_verification }
    })
}

fn run(input: &Json) -> (i32, Json) {
    let verdict = command::run(input.to_string().as_bytes());
    (
        verdict.exit_code,
        serde_json::from_str(&verdict.line).expect("one JSON line"),
    )
}

#[test]
fn registration_passes_with_every_documented_field() {
    let reg = Registration::new(Key::es256()).with_att(Att::PackedSelf);
    let (code, out) = run(&registration_json(&reg));
    assert_eq!(code, EXIT_PASS, "{out}");
    assert_eq!(out["verdict"], "pass");
    assert_eq!(
        out["credential_id_b64url"],
        b64::encode(&reg.auth.attested.as_ref().unwrap().1)
    );
    assert_eq!(
        out["credential_public_key_cose_b64url"],
        b64::encode(&reg.key.cose())
    );
    assert_eq!(out["sign_count"], 0);
    assert_eq!(out["aaguid_hex"], "0102030405060708090a0b0c0d0e0f10");
    assert_eq!(out["fmt"], "packed");
    assert_eq!(out["backup_eligible"], false);
    assert_eq!(out["user_verified"], true);
}

#[test]
fn authentication_passes_and_reports_the_new_counter() {
    let mut a = Assertion::new(Key::ed25519());
    a.stored_sign_count = 4;
    a.auth.sign_count = 9;
    let (code, out) = run(&authentication_json(&a));
    assert_eq!(code, EXIT_PASS, "{out}");
    assert_eq!(out["new_sign_count"], 9);
    assert_eq!(out["user_verified"], true);
}

#[test]
fn failures_print_the_stable_code_and_exit_1() {
    let mut a = Assertion::new(Key::es256());
    a.stored_sign_count = 3;
    a.auth.sign_count = 3;
    let (code, out) = run(&authentication_json(&a));
    assert_eq!(
        (code, out["verdict"].as_str(), out["error"].as_str()),
        (EXIT_FAIL, Some("fail"), Some("sign_count_regressed"))
    );
    assert!(out["detail"]
        .as_str()
        .unwrap()
        .contains("stored 3, received 3"));

    let mut j = registration_json(&Registration::new(Key::es256()));
    j["origin"] = json!("http://localhost:5001");
    assert_eq!(run(&j).1["error"], "origin_mismatch");
    j["origin"] = json!(ORIGIN);
    j["challenge_b64url"] = json!(b64::encode(&[0; 32]));
    assert_eq!(run(&j).1["error"], "challenge_mismatch");
    j["challenge_b64url"] = json!("***");
    assert_eq!(run(&j), (EXIT_FAIL, run(&j).1));
    assert_eq!(run(&j).1["error"], "invalid_base64");

    let mut j = registration_json(&Registration::new(Key::es256()));
    j["credential"]["rawId"] = json!("AAAA");
    assert_eq!(run(&j).1["error"], "credential_id_mismatch");
    j["credential"]["id"] = json!("AAAA");
    assert_eq!(run(&j).1["error"], "credential_id_mismatch");
    let mut j = registration_json(&Registration::new(Key::es256()));
    j["credential"]["type"] = json!("password");
    assert_eq!(run(&j).1["error"], "wrong_credential_type");

    let mut a = Assertion::new(Key::es256());
    a.auth.flags &= !UV;
    a.require_user_verification = true;
    assert_eq!(
        run(&authentication_json(&a)).1["error"],
        "user_verification_missing"
    );
}

#[test]
fn accepts_padded_base64url_and_missing_options() {
    let reg = Registration::new(Key::es256());
    let mut j = registration_json(&reg);
    let pad = |v: &Json| {
        let s = v.as_str().unwrap().to_owned();
        let n = (4 - s.len() % 4) % 4;
        json!(format!("{s}{}", "=".repeat(n)))
    };
    for path in ["clientDataJSON", "attestationObject"] {
        j["credential"]["response"][path] = pad(&j["credential"]["response"][path]);
    }
    j["challenge_b64url"] = pad(&j["challenge_b64url"]);
    assert_eq!(run(&j).0, EXIT_PASS, "{}", run(&j).1);

    let mut j = authentication_json(&Assertion::new(Key::es256()));
    j.as_object_mut().unwrap().remove("options");
    assert_eq!(run(&j).0, EXIT_PASS);
}

#[test]
fn unreadable_input_exits_2() {
    for input in [
        &b""[..],
        b"garbage",
        b"[]",
        b"{}",
        br#"{"ceremony":"login","rp_id":"x","origin":"x","challenge_b64url":"","credential":{}}"#,
        br#"{"ceremony":"authentication","rp_id":"x","origin":"x","challenge_b64url":"","credential":{"id":"","rawId":"","type":"public-key","response":{"clientDataJSON":"","authenticatorData":"","signature":""}}}"#,
        br#"{"ceremony":"registration","rp_id":"x","origin":"x","challenge_b64url":""}"#,
        b"\xff\xfe",
    ] {
        let v = command::run(input);
        assert_eq!(v.exit_code, EXIT_UNREADABLE, "{:?}", String::from_utf8_lossy(input));
        let out: Json = serde_json::from_str(&v.line).unwrap();
        assert_eq!(out["error"], "unreadable_input");
    }
}

#[test]
fn a_credential_missing_members_is_a_failed_ceremony_not_unreadable_input() {
    let mut j = authentication_json(&Assertion::new(Key::es256()));
    j["credential"]["response"]
        .as_object_mut()
        .unwrap()
        .remove("signature");
    let (code, out) = run(&j);
    assert_eq!(
        (code, out["error"].as_str()),
        (EXIT_FAIL, Some("malformed_credential"))
    );
    let mut j = registration_json(&Registration::new(Key::es256()));
    j["credential"] = json!({});
    assert_eq!(run(&j).1["error"], "malformed_credential");
    j["credential"] = json!("a string");
    assert_eq!(run(&j).1["error"], "malformed_credential");
}

fn run_binary(stdin: &[u8]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_webauthn-verify"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn the_binary_prints_one_line_and_exits_0_1_or_2() {
    let reg = Registration::new(Key::rs256()).with_att(Att::PackedSelf);
    let (code, line) = run_binary(registration_json(&reg).to_string().as_bytes());
    assert_eq!(code, 0, "{line}");
    assert_eq!(line.lines().count(), 1);
    assert!(line.starts_with(r#"{"verdict":"pass","#), "{line}");

    let mut j = registration_json(&reg);
    j["rp_id"] = json!("example.org");
    let (code, line) = run_binary(j.to_string().as_bytes());
    assert_eq!(
        (code, line.contains(r#""error":"rp_id_hash_mismatch""#)),
        (1, true),
        "{line}"
    );

    let (code, line) = run_binary(b"\x00\x01 not json");
    assert_eq!(code, 2, "{line}");
    assert_eq!(line.lines().count(), 1);
}
