//! Mutation tests: a valid ceremony built with a freshly generated key (ES256, EdDSA, RS256), one field changed,
//! and the specific error asserted. Also every byte of the signed inputs flipped in turn.

mod common;

use common::*;
use serde_json::json;
use shared::webauthn::cbor::Value;
use shared::webauthn::{b64, AttestationType, CeremonyError};

fn each_key(test: impl Fn(&str, Key)) {
    for (name, key) in Key::all() {
        test(name, key);
    }
}

// ---------------------------------------------------------------- registration

#[test]
fn accepts_registration_with_none_and_packed_self_attestation_for_every_algorithm() {
    each_key(|name, key| {
        for att in [Att::None, Att::PackedSelf] {
            let reg = Registration::new(key.clone()).with_att(att);
            let cred = reg.verify().unwrap_or_else(|e| panic!("{name}: {e}"));
            let (_, id, cose) = reg.auth.attested.clone().unwrap();
            assert_eq!(cred.credential_id, id, "{name}");
            assert_eq!(cred.public_key_cose, cose, "{name}");
            assert_eq!(cred.algorithm, key.alg(), "{name}");
            assert_eq!(cred.aaguid, TEST_AAGUID);
            assert!(cred.user_verified && !cred.backup_eligible && !cred.backup_state);
            assert!(!cred.attestation_trust_anchor_verified);
        }
    });
}

#[test]
fn accepts_packed_attestation_with_a_certificate_and_records_the_chain_as_unverified() {
    let cred = Registration::new(Key::es256())
        .with_att(Att::PackedX5c(vec![ATT_LEAF]))
        .verify()
        .unwrap();
    assert_eq!(
        (cred.fmt, cred.attestation_type),
        ("packed", AttestationType::Basic)
    );
    assert_eq!(cred.attestation_trust_path, vec![ATT_LEAF.to_vec()]);
    assert!(!cred.attestation_trust_anchor_verified);
    // An EdDSA credential attested by a P-256 batch key is fine: the statement alg names the attestation key.
    Registration::new(Key::ed25519())
        .with_att(Att::PackedX5c(vec![ATT_LEAF]))
        .verify()
        .unwrap();
}

#[test]
fn accepts_fido_u2f_attestation() {
    let cred = Registration::new(Key::es256())
        .with_att(Att::FidoU2f(vec![ATT_LEAF]))
        .verify()
        .unwrap();
    assert_eq!(
        (cred.fmt, cred.attestation_type),
        ("fido-u2f", AttestationType::Basic)
    );
}

#[test]
fn rejects_registration_with_wrong_ceremony_type() {
    each_key(|name, key| {
        let mut reg = Registration::new(key);
        reg.client_data["type"] = json!("webauthn.get");
        assert_eq!(
            reg.verify().unwrap_err(),
            CeremonyError::WrongCeremonyType {
                expected: "webauthn.create",
                received: "webauthn.get".into()
            },
            "{name}"
        );
    });
}

#[test]
fn rejects_registration_when_challenge_differs() {
    let mut reg = Registration::new(Key::es256());
    reg.client_data["challenge"] = json!(b64::encode(&random_bytes(32)));
    assert_eq!(reg.verify().unwrap_err(), CeremonyError::ChallengeMismatch);
    // One byte shorter, one bit different, not base64url at all, standard alphabet.
    let mut shorter = Registration::new(Key::es256());
    shorter.client_data["challenge"] = json!(b64::encode(&shorter.challenge[..31]));
    assert_eq!(
        shorter.verify().unwrap_err(),
        CeremonyError::ChallengeMismatch
    );
    let mut flipped = Registration::new(Key::es256());
    let mut c = flipped.challenge.clone();
    c[0] ^= 1;
    flipped.client_data["challenge"] = json!(b64::encode(&c));
    assert_eq!(
        flipped.verify().unwrap_err(),
        CeremonyError::ChallengeMismatch
    );
    let mut garbage = Registration::new(Key::es256());
    garbage.client_data["challenge"] = json!("not base64url!");
    assert_eq!(
        garbage.verify().unwrap_err(),
        CeremonyError::ChallengeMismatch
    );
}

#[test]
fn accepts_challenge_with_or_without_base64_padding() {
    let mut reg = Registration::new(Key::es256());
    let padded = format!("{}=", b64::encode(&reg.challenge)); // 32 bytes → 43 chars + one '='
    reg.client_data["challenge"] = json!(padded);
    reg.verify().unwrap();
}

#[test]
fn rejects_registration_from_another_origin() {
    for origin in [
        "http://localhost:5001",
        "https://localhost:5000",
        "http://localhost:5000/",
        "http://evil.example",
    ] {
        let mut reg = Registration::new(Key::es256());
        reg.client_data["origin"] = json!(origin);
        assert_eq!(
            reg.verify().unwrap_err(),
            CeremonyError::OriginMismatch {
                received: origin.into()
            }
        );
    }
}

#[test]
fn rejects_registration_in_a_cross_origin_iframe() {
    let mut reg = Registration::new(Key::es256());
    reg.client_data["crossOrigin"] = json!(true);
    assert_eq!(reg.verify().unwrap_err(), CeremonyError::CrossOrigin);
    let mut top = Registration::new(Key::es256());
    top.client_data["topOrigin"] = json!("https://evil.example");
    assert_eq!(top.verify().unwrap_err(), CeremonyError::CrossOrigin);
    // Absent crossOrigin means false.
    let mut absent = Registration::new(Key::es256());
    absent
        .client_data
        .as_object_mut()
        .unwrap()
        .remove("crossOrigin");
    absent.verify().unwrap();
}

#[test]
fn ignores_unknown_client_data_members_but_rejects_malformed_json() {
    let mut reg = Registration::new(Key::es256());
    reg.client_data["other_keys_can_be_added_here"] =
        json!("do not compare clientDataJSON against a template");
    reg.verify().unwrap();

    let reg = Registration::new(Key::es256());
    let (cdj, ao) = reg.build();
    for bad in [
        b"not json".to_vec(),
        b"[]".to_vec(),
        cdj[..cdj.len() - 1].to_vec(),
        br#"{"type":"webauthn.create","type":"webauthn.create","challenge":"","origin":""}"#
            .to_vec(),
        br#"{"type":"webauthn.create","origin":"http://localhost:5000"}"#.to_vec(),
        br#"{"type":1,"challenge":"","origin":""}"#.to_vec(),
        vec![0xff, 0xfe],
    ] {
        assert!(
            matches!(
                reg.verify_bytes(&bad, &ao),
                Err(CeremonyError::MalformedClientData { .. })
            ),
            "{:?}",
            String::from_utf8_lossy(&bad)
        );
    }
}

#[test]
fn hashes_the_raw_client_data_bytes_not_a_reserialisation() {
    // Same JSON content with different whitespace: the attestation signature covered the original bytes.
    let reg = Registration::new(Key::es256()).with_att(Att::PackedSelf);
    let (cdj, ao) = reg.build();
    let respaced = serde_json::to_vec_pretty(&reg.client_data).unwrap();
    assert_ne!(cdj, respaced);
    assert_eq!(
        reg.verify_bytes(&respaced, &ao).unwrap_err(),
        CeremonyError::BadAttestationSignature { fmt: "packed" }
    );
}

#[test]
fn rejects_registration_for_another_rp_id() {
    each_key(|name, key| {
        let mut reg = Registration::new(key);
        reg.auth.rp_id_hash = sha256(b"example.org");
        assert_eq!(
            reg.verify().unwrap_err(),
            CeremonyError::RpIdHashMismatch,
            "{name}"
        );
    });
}

#[test]
fn rejects_registration_without_user_presence() {
    let mut reg = Registration::new(Key::es256());
    reg.auth.flags &= !UP;
    assert_eq!(
        reg.verify().unwrap_err(),
        CeremonyError::UserPresenceMissing
    );
}

#[test]
fn rejects_registration_without_user_verification_only_when_required() {
    let mut reg = Registration::new(Key::es256());
    reg.auth.flags &= !UV;
    assert!(!reg.verify().unwrap().user_verified);
    reg.require_user_verification = true;
    assert_eq!(
        reg.verify().unwrap_err(),
        CeremonyError::UserVerificationMissing
    );
}

#[test]
fn rejects_backup_state_without_backup_eligibility() {
    let mut reg = Registration::new(Key::es256());
    reg.auth.flags |= BS;
    assert_eq!(
        reg.verify().unwrap_err(),
        CeremonyError::BackupStateWithoutEligibility
    );
    reg.auth.flags |= BE;
    let cred = reg.verify().unwrap();
    assert!(cred.backup_eligible && cred.backup_state);
}

#[test]
fn rejects_registration_without_attested_credential_data() {
    let mut reg = Registration::new(Key::es256());
    reg.auth.flags &= !AT;
    reg.auth.attested = None;
    assert_eq!(
        reg.verify().unwrap_err(),
        CeremonyError::AttestedCredentialDataMissing
    );
    // AT clear but the data still there: those bytes are unexplained.
    let mut reg = Registration::new(Key::es256());
    reg.auth.flags &= !AT;
    assert_eq!(
        reg.verify().unwrap_err(),
        CeremonyError::TrailingBytes {
            offset: 37 + attested_offset()
        }
    );
}

/// authData starts after `a3 63 'fmt' 64 'none' 67 'attStmt' a0 68 'authData' 58 LL` in a none object.
fn attested_offset() -> usize {
    1 + 4 + 5 + 8 + 1 + 9 + 2
}

#[test]
fn rejects_trailing_bytes_after_authenticator_data() {
    let mut reg = Registration::new(Key::es256());
    reg.auth.trailing = vec![0];
    let (_, id, cose) = reg.auth.attested.clone().unwrap();
    let end = 37 + 16 + 2 + id.len() + cose.len();
    assert_eq!(
        reg.verify().unwrap_err(),
        CeremonyError::TrailingBytes {
            offset: attested_offset() + end
        }
    );
}

#[test]
fn parses_extension_data_when_the_ed_flag_is_set() {
    let ext = Value::Map(vec![(Value::Text("credProtect"), Value::int(2))]).to_vec();
    let mut reg = Registration::new(Key::es256());
    reg.auth.flags |= ED;
    reg.auth.extensions = Some(ext.clone());
    assert_eq!(
        reg.verify().unwrap().authenticator_extensions_cbor,
        Some(ext.clone())
    );

    let mut missing = Registration::new(Key::es256());
    missing.auth.flags |= ED;
    assert!(matches!(
        missing.verify().unwrap_err(),
        CeremonyError::MalformedAuthenticatorData { .. }
    ));

    let mut unflagged = Registration::new(Key::es256());
    unflagged.auth.extensions = Some(ext);
    assert!(matches!(
        unflagged.verify().unwrap_err(),
        CeremonyError::TrailingBytes { .. }
    ));

    let mut not_a_map = Registration::new(Key::es256());
    not_a_map.auth.flags |= ED;
    not_a_map.auth.extensions = Some(Value::Array(vec![]).to_vec());
    assert!(matches!(
        not_a_map.verify().unwrap_err(),
        CeremonyError::MalformedAuthenticatorData { .. }
    ));
}

#[test]
fn rejects_credential_ids_longer_than_1023_bytes() {
    let mut reg = Registration::new(Key::es256());
    reg.auth.attested.as_mut().unwrap().1 = vec![7; 1024];
    assert_eq!(
        reg.verify().unwrap_err(),
        CeremonyError::CredentialIdTooLong { len: 1024 }
    );
    reg.auth.attested.as_mut().unwrap().1 = vec![7; 1023];
    reg.verify().unwrap();
}

#[test]
fn rejects_unsupported_and_inconsistent_cose_keys() {
    let with_key = |cose: Vec<u8>| {
        let mut reg = Registration::new(Key::es256());
        reg.auth.attested.as_mut().unwrap().2 = cose;
        reg.verify().unwrap_err()
    };
    let key = Key::es256();
    let set = |label: i64, value: Value<'static>| {
        key.cose_with(move |e| {
            for entry in e.iter_mut() {
                if entry.0 == Value::int(label) {
                    entry.1 = value.clone();
                }
            }
        })
    };
    assert!(matches!(
        with_key(set(3, Value::int(-35))),
        CeremonyError::UnsupportedAlgorithm { alg: -35, .. }
    ));
    assert!(matches!(
        with_key(set(3, Value::int(-37))),
        CeremonyError::UnsupportedAlgorithm { alg: -37, .. }
    ));
    assert!(matches!(
        with_key(set(3, Value::int(-999))),
        CeremonyError::UnsupportedAlgorithm { alg: -999, .. }
    ));
    assert!(matches!(
        with_key(set(-1, Value::int(2))),
        CeremonyError::UnsupportedAlgorithm { alg: -7, .. }
    ));
    assert!(matches!(
        with_key(set(1, Value::int(3))),
        CeremonyError::MalformedCoseKey { .. }
    ));
    assert!(matches!(
        with_key(set(-2, Value::Bytes(&[1; 31]))),
        CeremonyError::MalformedCoseKey { .. }
    ));
    assert!(matches!(
        with_key(set(-3, Value::Bool(true))),
        CeremonyError::MalformedCoseKey { .. }
    ));
    assert!(matches!(
        with_key(set(-2, Value::Bytes(&[1; 32]))),
        CeremonyError::InvalidPublicKey { .. }
    ));
    assert!(matches!(
        with_key(key.cose_with(|e| e.retain(|(k, _)| *k != Value::int(3)))),
        CeremonyError::MalformedCoseKey { .. }
    ));
    assert!(matches!(
        with_key(key.cose_with(|e| e.push((Value::int(-4), Value::Bytes(&[0; 32]))))),
        CeremonyError::MalformedCoseKey { .. }
    ));
    // Ed448 and RSA below 2048 bits.
    let ed448 = Key::ed25519().cose_with(|e| e[2].1 = Value::int(7));
    assert!(matches!(
        with_key(ed448),
        CeremonyError::UnsupportedAlgorithm { alg: -8, .. }
    ));
    let small_rsa = Key::rs256().cose_with(|e| e[2].1 = Value::Bytes(&[0xc5; 128]));
    assert!(matches!(
        with_key(small_rsa),
        CeremonyError::InvalidPublicKey { .. }
    ));
}

#[test]
fn rejects_algorithms_the_rp_did_not_offer() {
    let mut reg = Registration::new(Key::ed25519());
    reg.allowed_algorithms = vec![-7, -257];
    assert_eq!(
        reg.verify().unwrap_err(),
        CeremonyError::AlgorithmNotAllowed { alg: -8 }
    );
    reg.allowed_algorithms.push(-8);
    reg.verify().unwrap();
}

#[test]
fn rejects_malformed_attestation_objects_with_the_offset() {
    let reg = Registration::new(Key::es256());
    let (cdj, ao) = reg.build();
    assert_eq!(
        reg.verify_bytes(&cdj, &ao[..ao.len() - 1]).unwrap_err(),
        // The truncated item is the authData byte string, whose header starts 2 bytes before its content.
        CeremonyError::MalformedCbor {
            offset: attested_offset() - 2,
            reason: "unexpected end of input"
        }
    );
    let mut longer = ao.clone();
    longer.push(0);
    assert_eq!(
        reg.verify_bytes(&cdj, &longer).unwrap_err(),
        CeremonyError::TrailingBytes { offset: ao.len() }
    );
    assert!(matches!(
        reg.verify_bytes(&cdj, &[]).unwrap_err(),
        CeremonyError::MalformedCbor { offset: 0, .. }
    ));
    let not_map = Value::Array(vec![]).to_vec();
    assert!(matches!(
        reg.verify_bytes(&cdj, &not_map).unwrap_err(),
        CeremonyError::MalformedAttestationObject { .. }
    ));
    let no_auth_data = Value::Map(vec![
        (Value::Text("fmt"), Value::Text("none")),
        (Value::Text("attStmt"), Value::Map(vec![])),
    ])
    .to_vec();
    assert!(matches!(
        reg.verify_bytes(&cdj, &no_auth_data).unwrap_err(),
        CeremonyError::MalformedAttestationObject { .. }
    ));
    // A truncated COSE key inside authData: the offset points into the attestation object.
    let mut cut = Registration::new(Key::es256());
    let cose = cut.auth.attested.as_ref().unwrap().2.clone();
    cut.auth.attested.as_mut().unwrap().2 = cose[..cose.len() - 3].to_vec();
    assert!(
        matches!(cut.verify().unwrap_err(), CeremonyError::MalformedCbor { offset, .. } if offset > attested_offset() + 37)
    );
}

#[test]
fn rejects_unsupported_attestation_formats_instead_of_accepting_them_unverified() {
    for fmt in [
        "tpm",
        "android-key",
        "android-safetynet",
        "apple",
        "compound",
        "",
        "NONE",
        "packed ",
    ] {
        let mut reg = Registration::new(Key::es256());
        reg.fmt_override = Some(fmt);
        assert_eq!(
            reg.verify().unwrap_err(),
            CeremonyError::UnsupportedAttestationFormat { fmt: fmt.into() },
            "{fmt:?}"
        );
    }
}

#[test]
fn rejects_none_attestation_with_a_statement() {
    let mut reg = Registration::new(Key::es256()).with_att(Att::PackedSelf);
    reg.fmt_override = Some("none");
    assert!(matches!(
        reg.verify().unwrap_err(),
        CeremonyError::MalformedAttestationStatement { fmt: "none", .. }
    ));
}

#[test]
fn rejects_packed_self_attestation_with_a_bad_signature_or_alg() {
    each_key(|name, key| {
        let mut reg = Registration::new(key).with_att(Att::PackedSelf);
        reg.corrupt_attestation_signature = true;
        assert_eq!(
            reg.verify().unwrap_err(),
            CeremonyError::BadAttestationSignature { fmt: "packed" },
            "{name}"
        );
        reg.corrupt_attestation_signature = false;
        reg.alg_override = Some(if reg.key.alg() == -7 { -8 } else { -7 });
        assert!(
            matches!(
                reg.verify().unwrap_err(),
                CeremonyError::AttestationAlgorithmMismatch { .. }
            ),
            "{name}"
        );
    });
}

#[test]
fn rejects_packed_certificates_that_break_the_requirements() {
    let err = |certs: Vec<&'static [u8]>| {
        Registration::new(Key::es256())
            .with_att(Att::PackedX5c(certs))
            .verify()
            .unwrap_err()
    };
    assert!(matches!(
        err(vec![ATT_CA]),
        CeremonyError::InvalidAttestationCertificate { .. }
    ));
    assert!(matches!(
        err(vec![ATT_WRONG_OU]),
        CeremonyError::InvalidAttestationCertificate { .. }
    ));
    assert!(matches!(
        err(vec![b"not a certificate"]),
        CeremonyError::InvalidAttestationCertificate { .. }
    ));
    assert!(matches!(
        err(vec![]),
        CeremonyError::MalformedAttestationStatement { .. }
    ));
    // The certificate's AAGUID extension must match the authenticator data.
    let mut other_aaguid = Registration::new(Key::es256()).with_att(Att::PackedX5c(vec![ATT_LEAF]));
    other_aaguid.auth.attested.as_mut().unwrap().0 = [9; 16];
    assert!(matches!(
        other_aaguid.verify().unwrap_err(),
        CeremonyError::InvalidAttestationCertificate { .. }
    ));
    // Signature by the batch key over other data; statement alg naming another key type.
    let mut bad = Registration::new(Key::es256()).with_att(Att::PackedX5c(vec![ATT_LEAF]));
    bad.corrupt_attestation_signature = true;
    assert_eq!(
        bad.verify().unwrap_err(),
        CeremonyError::BadAttestationSignature { fmt: "packed" }
    );
    let mut wrong_alg = Registration::new(Key::es256()).with_att(Att::PackedX5c(vec![ATT_LEAF]));
    wrong_alg.alg_override = Some(-257);
    assert!(matches!(
        wrong_alg.verify().unwrap_err(),
        CeremonyError::InvalidAttestationCertificate { .. }
    ));
}

#[test]
fn rejects_fido_u2f_statements_that_break_the_format() {
    let mut bad = Registration::new(Key::es256()).with_att(Att::FidoU2f(vec![ATT_LEAF]));
    bad.corrupt_attestation_signature = true;
    assert_eq!(
        bad.verify().unwrap_err(),
        CeremonyError::BadAttestationSignature { fmt: "fido-u2f" }
    );
    let two = Registration::new(Key::es256()).with_att(Att::FidoU2f(vec![ATT_LEAF, ATT_LEAF]));
    assert!(matches!(
        two.verify().unwrap_err(),
        CeremonyError::MalformedAttestationStatement {
            fmt: "fido-u2f",
            ..
        }
    ));
    let eddsa = Registration::new(Key::ed25519()).with_att(Att::FidoU2f(vec![ATT_LEAF]));
    assert!(matches!(
        eddsa.verify().unwrap_err(),
        CeremonyError::AttestationAlgorithmMismatch { .. }
    ));
}

#[test]
fn rejects_registration_when_any_signed_byte_changes() {
    // packed self attestation covers every byte of authData and (via the hash) of clientDataJSON.
    each_key(|name, key| {
        let reg = Registration::new(key).with_att(Att::PackedSelf);
        let (cdj, ao) = reg.build();
        reg.verify_bytes(&cdj, &ao).unwrap();
        for i in 0..cdj.len() {
            let mut m = cdj.clone();
            m[i] ^= 0x01;
            assert!(
                reg.verify_bytes(&m, &ao).is_err(),
                "{name}: clientDataJSON byte {i}"
            );
        }
        for i in 0..ao.len() {
            let mut m = ao.clone();
            m[i] ^= 0x01;
            assert!(
                reg.verify_bytes(&cdj, &m).is_err(),
                "{name}: attestationObject byte {i}"
            );
        }
    });
}

// ---------------------------------------------------------------- authentication

#[test]
fn accepts_assertions_for_every_algorithm() {
    each_key(|name, key| {
        let outcome = Assertion::new(key)
            .verify()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(outcome.new_sign_count, 1);
        assert!(outcome.user_verified);
    });
}

#[test]
fn rejects_assertion_when_counter_regresses() {
    for (stored, received) in [(5, 5), (5, 4), (7, 0), (u32::MAX, 0), (1, 0)] {
        let mut a = Assertion::new(Key::es256());
        a.stored_sign_count = stored;
        a.auth.sign_count = received;
        assert_eq!(
            a.verify().unwrap_err(),
            CeremonyError::SignCountRegressed { stored, received }
        );
    }
}

#[test]
fn accepts_counters_that_grow_and_authenticators_without_counters() {
    for (stored, received) in [(0, 0), (0, 1), (5, 6), (5, 1000), (u32::MAX - 1, u32::MAX)] {
        let mut a = Assertion::new(Key::es256());
        a.stored_sign_count = stored;
        a.auth.sign_count = received;
        assert_eq!(a.verify().unwrap().new_sign_count, received);
    }
}

#[test]
fn rejects_assertion_with_wrong_type_challenge_origin_or_cross_origin() {
    each_key(|name, key| {
        let base = Assertion::new(key);
        let mut a = base.clone();
        a.client_data["type"] = json!("webauthn.create");
        assert!(
            matches!(
                a.verify().unwrap_err(),
                CeremonyError::WrongCeremonyType {
                    expected: "webauthn.get",
                    ..
                }
            ),
            "{name}"
        );
        let mut a = base.clone();
        a.challenge = random_bytes(32);
        assert_eq!(
            a.verify().unwrap_err(),
            CeremonyError::ChallengeMismatch,
            "{name}"
        );
        let mut a = base.clone();
        a.client_data["origin"] = json!("http://127.0.0.1:5000");
        assert!(
            matches!(
                a.verify().unwrap_err(),
                CeremonyError::OriginMismatch { .. }
            ),
            "{name}"
        );
        let mut a = base.clone();
        a.client_data["crossOrigin"] = json!(true);
        assert_eq!(
            a.verify().unwrap_err(),
            CeremonyError::CrossOrigin,
            "{name}"
        );
    });
}

#[test]
fn rejects_assertion_with_wrong_rp_presence_verification_or_backup_flags() {
    let base = Assertion::new(Key::es256());
    let mut a = base.clone();
    a.auth.rp_id_hash[31] ^= 1;
    assert_eq!(a.verify().unwrap_err(), CeremonyError::RpIdHashMismatch);
    let mut a = base.clone();
    a.auth.flags &= !UP;
    assert_eq!(a.verify().unwrap_err(), CeremonyError::UserPresenceMissing);
    let mut a = base.clone();
    a.auth.flags &= !UV;
    assert!(!a.verify().unwrap().user_verified);
    a.require_user_verification = true;
    assert_eq!(
        a.verify().unwrap_err(),
        CeremonyError::UserVerificationMissing
    );
    let mut a = base.clone();
    a.auth.flags |= BS;
    assert_eq!(
        a.verify().unwrap_err(),
        CeremonyError::BackupStateWithoutEligibility
    );
    let mut a = base.clone();
    a.auth.flags |= BE;
    a.stored_backup_eligible = Some(false);
    assert_eq!(
        a.verify().unwrap_err(),
        CeremonyError::BackupEligibilityChanged {
            stored: false,
            received: true
        }
    );
    a.stored_backup_eligible = Some(true);
    a.verify().unwrap();
}

#[test]
fn rejects_assertion_carrying_attested_credential_data() {
    let mut a = Assertion::new(Key::es256());
    a.auth.flags |= AT;
    a.auth.attested = Some((TEST_AAGUID, vec![1; 16], a.key.cose()));
    assert_eq!(
        a.verify().unwrap_err(),
        CeremonyError::UnexpectedAttestedCredentialData
    );
}

#[test]
fn rejects_assertion_with_a_bad_signature() {
    each_key(|name, key| {
        let a = Assertion::new(key);
        let (cdj, ad, sig) = a.build();
        let mut flipped = sig.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x01;
        assert!(
            matches!(
                a.verify_bytes(&cdj, &ad, &flipped).unwrap_err(),
                CeremonyError::BadSignature { .. }
            ),
            "{name}"
        );
        assert!(
            matches!(
                a.verify_bytes(&cdj, &ad, &[]).unwrap_err(),
                CeremonyError::BadSignature { .. }
            ),
            "{name}"
        );
        // Signed by another key of the same algorithm.
        let mut other = a.clone();
        other.stored_key_cose = match &a.key {
            Key::Es256(_) => Key::es256().cose(),
            Key::Ed25519(_) => Key::ed25519().cose(),
            Key::Rs256(_) => Key::es256().cose(),
        };
        assert!(
            matches!(
                other.verify_bytes(&cdj, &ad, &sig).unwrap_err(),
                CeremonyError::BadSignature { .. }
            ),
            "{name}"
        );
    });
}

#[test]
fn rejects_assertion_when_any_signed_byte_changes() {
    each_key(|name, key| {
        let a = Assertion::new(key);
        let (cdj, ad, sig) = a.build();
        a.verify_bytes(&cdj, &ad, &sig).unwrap();
        for i in 0..cdj.len() {
            let mut m = cdj.clone();
            m[i] ^= 0x01;
            assert!(
                a.verify_bytes(&m, &ad, &sig).is_err(),
                "{name}: clientDataJSON byte {i}"
            );
        }
        for i in 0..ad.len() {
            let mut m = ad.clone();
            m[i] ^= 0x01;
            assert!(
                a.verify_bytes(&cdj, &m, &sig).is_err(),
                "{name}: authenticatorData byte {i}"
            );
        }
        for i in 0..sig.len() {
            let mut m = sig.clone();
            m[i] ^= 0x01;
            assert!(
                a.verify_bytes(&cdj, &ad, &m).is_err(),
                "{name}: signature byte {i}"
            );
        }
    });
}

#[test]
fn rejects_assertion_when_the_counter_byte_is_changed_after_signing() {
    // Raising the counter without re-signing must fail on the signature, not pass the counter rule.
    let a = Assertion::new(Key::es256());
    let (cdj, mut ad, sig) = a.build();
    ad[36] = 0x7f;
    assert!(matches!(
        a.verify_bytes(&cdj, &ad, &sig).unwrap_err(),
        CeremonyError::BadSignature { .. }
    ));
}

#[test]
fn rejects_assertion_with_a_corrupt_or_unsupported_stored_key() {
    let mut a = Assertion::new(Key::es256());
    a.stored_key_cose = vec![0xa5, 0x01];
    assert!(matches!(
        a.verify().unwrap_err(),
        CeremonyError::MalformedCbor { offset: 2, .. }
    ));
    a.stored_key_cose = Key::es256().cose_with(|e| e[1].1 = Value::int(-36));
    assert!(matches!(
        a.verify().unwrap_err(),
        CeremonyError::UnsupportedAlgorithm { alg: -36, .. }
    ));
    let mut cose = Key::es256().cose();
    cose.push(0);
    a.stored_key_cose = cose;
    assert!(matches!(
        a.verify().unwrap_err(),
        CeremonyError::TrailingBytes { .. }
    ));
}

#[test]
fn rejects_assertion_for_another_user() {
    let mut a = Assertion::new(Key::es256());
    a.user_handle = Some(b"user-1".to_vec());
    a.expected_user_handle = Some(b"user-2".to_vec());
    assert_eq!(a.verify().unwrap_err(), CeremonyError::UserHandleMismatch);
    a.expected_user_handle = Some(b"user-1".to_vec());
    a.verify().unwrap();
}

#[test]
fn every_error_has_a_snake_case_code_and_a_japanese_message() {
    let samples = [
        CeremonyError::ChallengeMismatch,
        CeremonyError::MalformedCbor {
            offset: 3,
            reason: "x",
        },
        CeremonyError::SignCountRegressed {
            stored: 2,
            received: 1,
        },
        CeremonyError::UnsupportedAttestationFormat { fmt: "tpm".into() },
    ];
    for e in samples {
        assert!(
            e.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{e:?}"
        );
        assert!(e.message_ja().chars().any(|c| c > '\u{3000}'), "{e:?}");
    }
    assert_eq!(
        CeremonyError::MalformedCbor {
            offset: 3,
            reason: "x"
        }
        .to_string(),
        "malformed CBOR at offset 3: x"
    );
}

#[test]
fn accepts_high_s_es256_signatures() {
    // ECDSA (s) and (n - s) are both valid; authenticators are not required to normalise, so neither may we.
    let a = Assertion::new(Key::es256());
    let (cdj, ad, sig) = a.build();
    let parsed = p256::ecdsa::Signature::from_der(&sig).unwrap();
    let (r, s) = parsed.split_scalars();
    let flipped = p256::ecdsa::Signature::from_scalars(r, -*s).unwrap();
    let other = flipped.to_der().as_bytes().to_vec();
    assert_ne!(other, sig);
    a.verify_bytes(&cdj, &ad, &other).unwrap();
}

#[test]
fn the_browser_json_types_check_the_credential_id_against_the_stored_one() {
    use shared::webauthn::{
        AssertionResponseJson, AuthenticationResponseJson, RelyingParty, StoredCredential,
    };
    let a = Assertion::new(Key::es256());
    let (cdj, ad, sig) = a.build();
    let id = random_bytes(16);
    let response = AuthenticationResponseJson {
        id: b64::encode(&id),
        raw_id: b64::encode(&id),
        ty: "public-key".into(),
        response: AssertionResponseJson {
            client_data_json: b64::encode(&cdj),
            authenticator_data: b64::encode(&ad),
            signature: b64::encode(&sig),
            user_handle: Some(b64::encode(b"user-1")),
        },
        authenticator_attachment: None,
    };
    let rp = RelyingParty {
        rp_id: RP_ID,
        allowed_origins: ORIGINS,
        require_user_verification: true,
        allowed_algorithms: &[],
    };
    let stored = StoredCredential {
        credential_id: &id,
        public_key_cose: &a.stored_key_cose,
        sign_count: 0,
        backup_eligible: Some(false),
        user_handle: Some(b"user-1"),
    };
    assert_eq!(
        response
            .verify(&rp, &a.challenge, &stored)
            .unwrap()
            .new_sign_count,
        1
    );
    let other_id = random_bytes(16);
    let elsewhere = StoredCredential {
        credential_id: &other_id,
        ..stored
    };
    assert!(matches!(
        response.verify(&rp, &a.challenge, &elsewhere).unwrap_err(),
        CeremonyError::CredentialIdMismatch { .. }
    ));
    let other_user = StoredCredential {
        user_handle: Some(b"user-2"),
        ..stored
    };
    assert_eq!(
        response.verify(&rp, &a.challenge, &other_user).unwrap_err(),
        CeremonyError::UserHandleMismatch
    );
}
