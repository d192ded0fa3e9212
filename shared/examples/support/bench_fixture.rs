//! The ES256 assertion both WebAuthn benchmarks verify: a fixed key, built deterministically (RFC 6979), no RNG.

use p256::ecdsa::signature::Signer;
use sha2::{Digest, Sha256};
use shared::webauthn::cbor::Value;
use shared::webauthn::{b64, AuthenticationInput};

pub const RP_ID: &str = "localhost";
pub const ORIGINS: &[&str] = &["http://localhost:5000"];

pub struct Fixture {
    pub client_data_json: Vec<u8>,
    pub authenticator_data: Vec<u8>,
    pub signature: Vec<u8>,
    pub cose_key: Vec<u8>,
    pub challenge: Vec<u8>,
}

impl Fixture {
    pub fn new() -> Option<Fixture> {
        let key = p256::ecdsa::SigningKey::from_bytes(&[7u8; 32].into()).ok()?;
        let point = key.verifying_key().to_encoded_point(false);
        let cose_key = Value::Map(vec![
            (Value::int(1), Value::int(2)),
            (Value::int(3), Value::int(-7)),
            (Value::int(-1), Value::int(1)),
            (Value::int(-2), Value::Bytes(point.x()?.as_slice())),
            (Value::int(-3), Value::Bytes(point.y()?.as_slice())),
        ])
        .to_vec();
        let challenge: Vec<u8> = (0u8..32).collect();
        let client_data_json = format!(
            r#"{{"type":"webauthn.get","challenge":"{}","origin":"{}","crossOrigin":false}}"#,
            b64::encode(&challenge),
            ORIGINS.first()?
        )
        .into_bytes();
        let mut authenticator_data = Sha256::digest(RP_ID.as_bytes()).to_vec();
        authenticator_data.push(0x05); // UP | UV
        authenticator_data.extend_from_slice(&42u32.to_be_bytes());
        let mut signed = authenticator_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data_json));
        let sig: p256::ecdsa::Signature = key.sign(&signed);
        Some(Fixture {
            client_data_json,
            authenticator_data,
            signature: sig.to_der().as_bytes().to_vec(),
            cose_key,
            challenge,
        })
    }

    pub fn input(&self) -> AuthenticationInput<'_> {
        AuthenticationInput {
            client_data_json: &self.client_data_json,
            authenticator_data: &self.authenticator_data,
            signature: &self.signature,
            user_handle: None,
            expected_challenge: &self.challenge,
            allowed_origins: ORIGINS,
            rp_id: RP_ID,
            require_user_verification: true,
            credential_public_key_cose: &self.cose_key,
            stored_sign_count: 41,
            stored_backup_eligible: Some(false),
            expected_user_handle: None,
        }
    }
}
