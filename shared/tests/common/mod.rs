//! Test helpers: keys of every supported algorithm and builders for registration and assertion ceremonies
//! whose every field a test can change before the bytes are signed (or after, to break the signature).
#![allow(dead_code)]

use p256::ecdsa::signature::Signer;
use p256::pkcs8::DecodePrivateKey;
use rand_core::OsRng;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use shared::webauthn::cbor::Value;
use shared::webauthn::{
    b64, verify_authentication, verify_registration, AuthenticationInput, AuthenticationOutcome,
    CeremonyError, RegisteredCredential, RegistrationInput,
};

pub const RP_ID: &str = "localhost";
pub const ORIGIN: &str = "http://localhost:5000";
pub const ORIGINS: &[&str] = &[ORIGIN];
/// The AAGUID in the test attestation certificate's id-fido-gen-ce-aaguid extension.
pub const TEST_AAGUID: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

pub const ATT_LEAF: &[u8] = include_bytes!("../data/att-leaf.der");
pub const ATT_CA: &[u8] = include_bytes!("../data/att-ca.der");
pub const ATT_WRONG_OU: &[u8] = include_bytes!("../data/att-wrong-ou.der");

pub const UP: u8 = 0x01;
pub const UV: u8 = 0x04;
pub const BE: u8 = 0x08;
pub const BS: u8 = 0x10;
pub const AT: u8 = 0x40;
pub const ED: u8 = 0x80;

/// A credential private key.
#[derive(Clone)]
pub enum Key {
    Es256(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
    Rs256(Box<rsa::RsaPrivateKey>),
}

impl Key {
    pub fn es256() -> Self {
        Key::Es256(p256::ecdsa::SigningKey::random(&mut OsRng))
    }
    pub fn ed25519() -> Self {
        Key::Ed25519(ed25519_dalek::SigningKey::generate(&mut OsRng))
    }
    /// A fixed 2048-bit key (generated once with openssl): RSA key generation is too slow for tests.
    pub fn rs256() -> Self {
        Key::Rs256(Box::new(
            rsa::RsaPrivateKey::from_pkcs8_der(include_bytes!("../data/rsa2048.pk8.der"))
                .expect("rsa fixture"),
        ))
    }
    pub fn all() -> Vec<(&'static str, Key)> {
        vec![
            ("ES256", Key::es256()),
            ("EdDSA", Key::ed25519()),
            ("RS256", Key::rs256()),
        ]
    }
    pub fn alg(&self) -> i64 {
        match self {
            Key::Es256(_) => -7,
            Key::Ed25519(_) => -8,
            Key::Rs256(_) => -257,
        }
    }
    /// The COSE_Key of the public half, as an authenticator would encode it.
    pub fn cose(&self) -> Vec<u8> {
        self.cose_with(|_| {})
    }
    /// The COSE_Key with the entries changed by `edit` first.
    pub fn cose_with(
        &self,
        edit: impl FnOnce(&mut Vec<(Value<'static>, Value<'static>)>),
    ) -> Vec<u8> {
        let mut entries: Vec<(Value<'static>, Value<'static>)> = match self {
            Key::Es256(k) => {
                let point = k.verifying_key().to_encoded_point(false);
                let x: &'static [u8] = Box::leak(point.x().expect("x").to_vec().into_boxed_slice());
                let y: &'static [u8] = Box::leak(point.y().expect("y").to_vec().into_boxed_slice());
                vec![
                    (Value::int(1), Value::int(2)),
                    (Value::int(3), Value::int(-7)),
                    (Value::int(-1), Value::int(1)),
                    (Value::int(-2), Value::Bytes(x)),
                    (Value::int(-3), Value::Bytes(y)),
                ]
            }
            Key::Ed25519(k) => {
                let x: &'static [u8] =
                    Box::leak(k.verifying_key().to_bytes().to_vec().into_boxed_slice());
                vec![
                    (Value::int(1), Value::int(1)),
                    (Value::int(3), Value::int(-8)),
                    (Value::int(-1), Value::int(6)),
                    (Value::int(-2), Value::Bytes(x)),
                ]
            }
            Key::Rs256(k) => {
                let n: &'static [u8] = Box::leak(k.n().to_bytes_be().into_boxed_slice());
                let e: &'static [u8] = Box::leak(k.e().to_bytes_be().into_boxed_slice());
                vec![
                    (Value::int(1), Value::int(3)),
                    (Value::int(3), Value::int(-257)),
                    (Value::int(-1), Value::Bytes(n)),
                    (Value::int(-2), Value::Bytes(e)),
                ]
            }
        };
        edit(&mut entries);
        Value::Map(entries).to_vec()
    }
    /// A signature in WebAuthn's encoding for the algorithm.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Key::Es256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            Key::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                k.sign(message).to_bytes().to_vec()
            }
            Key::Rs256(k) => {
                use rsa::signature::{SignatureEncoding, Signer as _};
                rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone())
                    .sign(message)
                    .to_vec()
            }
        }
    }
}

/// The fixed P-256 key of the test attestation certificates.
pub fn attestation_key() -> Key {
    Key::Es256(
        p256::ecdsa::SigningKey::from_pkcs8_der(include_bytes!("../data/att-key.pk8.der"))
            .expect("att key"),
    )
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    use rand_core::RngCore;
    let mut v = vec![0u8; n];
    OsRng.fill_bytes(&mut v);
    v
}

/// clientDataJSON as a JSON object, so tests can change any member.
pub fn client_data(ty: &str, challenge: &[u8]) -> Json {
    json!({"type": ty, "challenge": b64::encode(challenge), "origin": ORIGIN, "crossOrigin": false})
}

/// Authenticator data fields, encoded by [`AuthData::encode`].
#[derive(Clone)]
pub struct AuthData {
    pub rp_id_hash: [u8; 32],
    pub flags: u8,
    pub sign_count: u32,
    /// (aaguid, credential id, COSE key)
    pub attested: Option<([u8; 16], Vec<u8>, Vec<u8>)>,
    pub extensions: Option<Vec<u8>>,
    pub trailing: Vec<u8>,
}

impl AuthData {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.rp_id_hash.to_vec();
        out.push(self.flags);
        out.extend_from_slice(&self.sign_count.to_be_bytes());
        if let Some((aaguid, id, key)) = &self.attested {
            out.extend_from_slice(aaguid);
            out.extend_from_slice(&(id.len() as u16).to_be_bytes());
            out.extend_from_slice(id);
            out.extend_from_slice(key);
        }
        if let Some(ext) = &self.extensions {
            out.extend_from_slice(ext);
        }
        out.extend_from_slice(&self.trailing);
        out
    }
}

/// How the registration is attested.
#[derive(Clone)]
pub enum Att {
    None,
    PackedSelf,
    /// packed with these certificates (leaf first), signed by [`attestation_key`].
    PackedX5c(Vec<&'static [u8]>),
    /// fido-u2f with these certificates, signed by [`attestation_key`].
    FidoU2f(Vec<&'static [u8]>),
}

/// A registration ceremony under construction.
#[derive(Clone)]
pub struct Registration {
    pub key: Key,
    pub challenge: Vec<u8>,
    pub client_data: Json,
    pub auth: AuthData,
    pub att: Att,
    /// Replaces the fmt string (the statement is still built for `att`).
    pub fmt_override: Option<&'static str>,
    /// Replaces the statement's `alg`.
    pub alg_override: Option<i64>,
    /// Signs something else than the real signed data.
    pub corrupt_attestation_signature: bool,
    pub require_user_verification: bool,
    pub allowed_algorithms: Vec<i64>,
}

impl Registration {
    pub fn new(key: Key) -> Self {
        let challenge = random_bytes(32);
        let cose = key.cose();
        Registration {
            client_data: client_data("webauthn.create", &challenge),
            challenge,
            auth: AuthData {
                rp_id_hash: sha256(RP_ID.as_bytes()),
                flags: UP | UV | AT,
                sign_count: 0,
                attested: Some((TEST_AAGUID, random_bytes(16), cose)),
                extensions: None,
                trailing: Vec::new(),
            },
            key,
            att: Att::None,
            fmt_override: None,
            alg_override: None,
            corrupt_attestation_signature: false,
            require_user_verification: false,
            allowed_algorithms: Vec::new(),
        }
    }

    pub fn with_att(mut self, att: Att) -> Self {
        self.att = att;
        self
    }

    /// (clientDataJSON, attestationObject)
    pub fn build(&self) -> (Vec<u8>, Vec<u8>) {
        let cdj = serde_json::to_vec(&self.client_data).expect("json");
        let auth_data = self.auth.encode();
        let cdh = sha256(&cdj);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&cdh);
        if self.corrupt_attestation_signature {
            signed.push(0);
        }
        let (fmt, stmt): (&str, Vec<(Value<'static>, Value<'static>)>) = match &self.att {
            Att::None => ("none", vec![]),
            Att::PackedSelf => {
                let sig = leak(self.key.sign(&signed));
                (
                    "packed",
                    vec![
                        (
                            Value::Text("alg"),
                            Value::int(self.alg_override.unwrap_or(self.key.alg())),
                        ),
                        (Value::Text("sig"), Value::Bytes(sig)),
                    ],
                )
            }
            Att::PackedX5c(certs) => {
                let sig = leak(attestation_key().sign(&signed));
                (
                    "packed",
                    vec![
                        (
                            Value::Text("alg"),
                            Value::int(self.alg_override.unwrap_or(-7)),
                        ),
                        (Value::Text("sig"), Value::Bytes(sig)),
                        (
                            Value::Text("x5c"),
                            Value::Array(certs.iter().map(|c| Value::Bytes(c)).collect()),
                        ),
                    ],
                )
            }
            Att::FidoU2f(certs) => {
                let (_, id, _) = self
                    .auth
                    .attested
                    .clone()
                    .unwrap_or(([0; 16], vec![], vec![]));
                let point = match &self.key {
                    Key::Es256(k) => k
                        .verifying_key()
                        .to_encoded_point(false)
                        .as_bytes()
                        .to_vec(),
                    _ => vec![4; 65],
                };
                let mut data = vec![0u8];
                data.extend_from_slice(&self.auth.rp_id_hash);
                data.extend_from_slice(&cdh);
                data.extend_from_slice(&id);
                data.extend_from_slice(&point);
                if self.corrupt_attestation_signature {
                    data.push(0);
                }
                let sig = leak(attestation_key().sign(&data));
                (
                    "fido-u2f",
                    vec![
                        (Value::Text("sig"), Value::Bytes(sig)),
                        (
                            Value::Text("x5c"),
                            Value::Array(certs.iter().map(|c| Value::Bytes(c)).collect()),
                        ),
                    ],
                )
            }
        };
        let object = Value::Map(vec![
            (
                Value::Text("fmt"),
                Value::Text(self.fmt_override.unwrap_or(fmt)),
            ),
            (Value::Text("attStmt"), Value::Map(stmt)),
            (Value::Text("authData"), Value::Bytes(&auth_data)),
        ]);
        (cdj, object.to_vec())
    }

    pub fn verify_bytes(
        &self,
        cdj: &[u8],
        att_obj: &[u8],
    ) -> Result<RegisteredCredential, CeremonyError> {
        verify_registration(&RegistrationInput {
            client_data_json: cdj,
            attestation_object: att_obj,
            expected_challenge: &self.challenge,
            allowed_origins: ORIGINS,
            rp_id: RP_ID,
            require_user_verification: self.require_user_verification,
            allowed_algorithms: &self.allowed_algorithms,
        })
    }

    pub fn verify(&self) -> Result<RegisteredCredential, CeremonyError> {
        let (cdj, ao) = self.build();
        self.verify_bytes(&cdj, &ao)
    }
}

fn leak(v: Vec<u8>) -> &'static [u8] {
    Box::leak(v.into_boxed_slice())
}

/// An assertion under construction, for a credential registered with `key` and stored counter `stored_sign_count`.
#[derive(Clone)]
pub struct Assertion {
    pub key: Key,
    /// The key the RP stored (defaults to the signer's public key).
    pub stored_key_cose: Vec<u8>,
    pub challenge: Vec<u8>,
    pub client_data: Json,
    pub auth: AuthData,
    pub stored_sign_count: u32,
    pub require_user_verification: bool,
    pub user_handle: Option<Vec<u8>>,
    pub expected_user_handle: Option<Vec<u8>>,
    pub stored_backup_eligible: Option<bool>,
}

impl Assertion {
    pub fn new(key: Key) -> Self {
        let challenge = random_bytes(32);
        Assertion {
            stored_key_cose: key.cose(),
            client_data: client_data("webauthn.get", &challenge),
            challenge,
            auth: AuthData {
                rp_id_hash: sha256(RP_ID.as_bytes()),
                flags: UP | UV,
                sign_count: 1,
                attested: None,
                extensions: None,
                trailing: Vec::new(),
            },
            key,
            stored_sign_count: 0,
            require_user_verification: false,
            user_handle: None,
            expected_user_handle: None,
            stored_backup_eligible: None,
        }
    }

    /// (clientDataJSON, authenticatorData, signature)
    pub fn build(&self) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let cdj = serde_json::to_vec(&self.client_data).expect("json");
        let auth_data = self.auth.encode();
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&sha256(&cdj));
        let sig = self.key.sign(&signed);
        (cdj, auth_data, sig)
    }

    pub fn verify_bytes(
        &self,
        cdj: &[u8],
        auth_data: &[u8],
        sig: &[u8],
    ) -> Result<AuthenticationOutcome, CeremonyError> {
        verify_authentication(&AuthenticationInput {
            client_data_json: cdj,
            authenticator_data: auth_data,
            signature: sig,
            user_handle: self.user_handle.as_deref(),
            expected_challenge: &self.challenge,
            allowed_origins: ORIGINS,
            rp_id: RP_ID,
            require_user_verification: self.require_user_verification,
            credential_public_key_cose: &self.stored_key_cose,
            stored_sign_count: self.stored_sign_count,
            stored_backup_eligible: self.stored_backup_eligible,
            expected_user_handle: self.expected_user_handle.as_deref(),
        })
    }

    pub fn verify(&self) -> Result<AuthenticationOutcome, CeremonyError> {
        let (cdj, ad, sig) = self.build();
        self.verify_bytes(&cdj, &ad, &sig)
    }
}
