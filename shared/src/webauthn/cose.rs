//! COSE_Key credential public keys (RFC 9052/9053, §5.8.5): parsing ES256, EdDSA/Ed25519 and RS256 keys, and
//! verifying signatures with them in the encodings WebAuthn uses (ECDSA as DER, RSA PKCS#1 v1.5, EdDSA raw).

use p256::ecdsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use sha2::Sha256;

use super::cbor::{self, Value};
use super::CeremonyError;

/// COSE algorithm identifiers this crate knows by name.
pub mod alg {
    pub const ES256: i64 = -7;
    pub const EDDSA: i64 = -8;
    /// "Ed25519" as a fully specified algorithm (RFC 9864); treated like EdDSA on curve Ed25519.
    pub const ED25519: i64 = -19;
    pub const ES384: i64 = -35;
    pub const ES512: i64 = -36;
    pub const PS256: i64 = -37;
    pub const RS256: i64 = -257;
}

const KTY_OKP: i64 = 1;
const KTY_EC2: i64 = 2;
const KTY_RSA: i64 = 3;
const CRV_P256: i64 = 1;
const CRV_ED25519: i64 = 6;
/// RSA moduli below 2048 bits are refused.
const MIN_RSA_BITS: usize = 2048;

/// A credential public key ready to verify signatures.
#[derive(Debug, Clone)]
pub enum CosePublicKey {
    Es256(p256::ecdsa::VerifyingKey),
    /// `alg` is -8 (EdDSA) or -19 (Ed25519), as the key declared it.
    Ed25519 {
        key: ed25519_dalek::VerifyingKey,
        alg: i64,
    },
    Rs256(rsa::RsaPublicKey),
}

impl CosePublicKey {
    /// The COSE `alg` of the key.
    pub fn algorithm(&self) -> i64 {
        match self {
            CosePublicKey::Es256(_) => alg::ES256,
            CosePublicKey::Ed25519 { alg, .. } => *alg,
            CosePublicKey::Rs256(_) => alg::RS256,
        }
    }

    /// Verifies `signature` over `message` in WebAuthn's encoding for the key's algorithm.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), CeremonyError> {
        match self {
            CosePublicKey::Es256(key) => verify_es256(key, message, signature),
            CosePublicKey::Ed25519 { key, .. } => verify_ed25519(key, message, signature),
            CosePublicKey::Rs256(key) => verify_rs256(key, message, signature),
        }
    }

    /// The uncompressed SEC1 point `04 ‖ x ‖ y` of an ES256 key (FIDO U2F's public key format).
    pub fn es256_uncompressed_point(&self) -> Option<Vec<u8>> {
        match self {
            CosePublicKey::Es256(key) => Some(key.to_encoded_point(false).as_bytes().to_vec()),
            _ => None,
        }
    }
}

/// ES256 signatures are ASN.1 DER `Ecdsa-Sig-Value` (§6.5.5); high-S values are valid ECDSA and accepted.
pub(crate) fn verify_es256(
    key: &p256::ecdsa::VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CeremonyError> {
    let sig =
        p256::ecdsa::Signature::from_der(signature).map_err(|_| CeremonyError::BadSignature {
            detail: "ES256 signature is not a DER ECDSA signature",
        })?;
    key.verify(message, &sig)
        .map_err(|_| CeremonyError::BadSignature {
            detail: "ES256 signature does not verify",
        })
}

/// Ed25519 with strict verification (rejects non-canonical S and small-order components).
pub(crate) fn verify_ed25519(
    key: &ed25519_dalek::VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CeremonyError> {
    let sig = ed25519_dalek::Signature::from_slice(signature).map_err(|_| {
        CeremonyError::BadSignature {
            detail: "EdDSA signature is not 64 bytes",
        }
    })?;
    key.verify_strict(message, &sig)
        .map_err(|_| CeremonyError::BadSignature {
            detail: "EdDSA signature does not verify",
        })
}

/// RS256 is RSASSA-PKCS1-v1_5 with SHA-256; the signature must be exactly as long as the modulus.
pub(crate) fn verify_rs256(
    key: &rsa::RsaPublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CeremonyError> {
    if signature.len() != key.size() {
        return Err(CeremonyError::BadSignature {
            detail: "RS256 signature length differs from the modulus length",
        });
    }
    let sig =
        rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| CeremonyError::BadSignature {
            detail: "RS256 signature is malformed",
        })?;
    rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone())
        .verify(message, &sig)
        .map_err(|_| CeremonyError::BadSignature {
            detail: "RS256 signature does not verify",
        })
}

/// Parses a stored COSE_Key (exactly one CBOR item, no trailing bytes).
pub fn parse(cose_key: &[u8]) -> Result<CosePublicKey, CeremonyError> {
    from_value(&cbor::decode_exact(cose_key, 0)?)
}

fn malformed(reason: &'static str) -> CeremonyError {
    CeremonyError::MalformedCoseKey { reason }
}

fn int_param(key: &Value<'_>, label: i64, missing: &'static str) -> Result<i64, CeremonyError> {
    key.map_get_int(label)
        .ok_or_else(|| malformed(missing))?
        .as_i64()
        .ok_or_else(|| malformed(missing))
}

fn bytes_param<'a>(
    key: &Value<'a>,
    label: i64,
    missing: &'static str,
) -> Result<&'a [u8], CeremonyError> {
    key.map_get_int(label)
        .and_then(Value::as_bytes)
        .ok_or_else(|| malformed(missing))
}

/// Builds a key from a decoded COSE_Key map.
pub fn from_value(key: &Value<'_>) -> Result<CosePublicKey, CeremonyError> {
    let map = key.as_map().ok_or_else(|| malformed("not a CBOR map"))?;
    if map
        .iter()
        .any(|(k, _)| k.as_i64().is_none() && k.as_text().is_none())
    {
        return Err(malformed("label is neither an integer nor text"));
    }
    let kty = int_param(key, 1, "kty (1) missing or not an integer")?;
    let alg = int_param(key, 3, "alg (3) missing or not an integer")?;
    // Label -4 is the private key (`d`) for every key type: a credential public key must never carry it.
    if key.map_get_int(-4).is_some() {
        return Err(malformed("private key material (-4) present"));
    }
    match alg {
        alg::ES256 => {
            if kty != KTY_EC2 {
                return Err(malformed("kty does not match alg ES256 (expected EC2)"));
            }
            if int_param(key, -1, "crv (-1) missing or not an integer")? != CRV_P256 {
                return Err(CeremonyError::UnsupportedAlgorithm {
                    alg,
                    detail: "ES256 requires curve P-256",
                });
            }
            let x = bytes_param(key, -2, "x (-2) missing or not a byte string")?;
            let y = bytes_param(
                key,
                -3,
                "y (-3) missing or not a byte string (compressed points are not accepted)",
            )?;
            if x.len() != 32 || y.len() != 32 {
                return Err(malformed("P-256 coordinates must be 32 bytes each"));
            }
            let mut sec1 = Vec::with_capacity(65);
            sec1.push(0x04);
            sec1.extend_from_slice(x);
            sec1.extend_from_slice(y);
            p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                .map(CosePublicKey::Es256)
                .map_err(|_| CeremonyError::InvalidPublicKey {
                    reason: "point is not on P-256",
                })
        }
        alg::EDDSA | alg::ED25519 => {
            if kty != KTY_OKP {
                return Err(malformed("kty does not match alg EdDSA (expected OKP)"));
            }
            if int_param(key, -1, "crv (-1) missing or not an integer")? != CRV_ED25519 {
                return Err(CeremonyError::UnsupportedAlgorithm {
                    alg,
                    detail: "only curve Ed25519 is supported for EdDSA",
                });
            }
            let x: [u8; 32] = bytes_param(key, -2, "x (-2) missing or not a byte string")?
                .try_into()
                .map_err(|_| malformed("Ed25519 public key must be 32 bytes"))?;
            let vk = ed25519_dalek::VerifyingKey::from_bytes(&x).map_err(|_| {
                CeremonyError::InvalidPublicKey {
                    reason: "not an Ed25519 point",
                }
            })?;
            if vk.is_weak() {
                return Err(CeremonyError::InvalidPublicKey {
                    reason: "Ed25519 key has small order",
                });
            }
            Ok(CosePublicKey::Ed25519 { key: vk, alg })
        }
        alg::RS256 => {
            if kty != KTY_RSA {
                return Err(malformed("kty does not match alg RS256 (expected RSA)"));
            }
            let n = bytes_param(key, -1, "n (-1) missing or not a byte string")?;
            let e = bytes_param(key, -2, "e (-2) missing or not a byte string")?;
            if n.first() == Some(&0) || e.first() == Some(&0) {
                return Err(malformed("RSA n and e must have no leading zero bytes"));
            }
            if e.len() > 8 {
                return Err(CeremonyError::InvalidPublicKey {
                    reason: "RSA exponent too large",
                });
            }
            let public = rsa::RsaPublicKey::new(
                rsa::BigUint::from_bytes_be(n),
                rsa::BigUint::from_bytes_be(e),
            )
            .map_err(|_| CeremonyError::InvalidPublicKey {
                reason: "RSA key rejected (exponent or size out of range)",
            })?;
            if public.n().bits() < MIN_RSA_BITS {
                return Err(CeremonyError::InvalidPublicKey {
                    reason: "RSA modulus shorter than 2048 bits",
                });
            }
            Ok(CosePublicKey::Rs256(public))
        }
        alg::ES384 | alg::ES512 => Err(CeremonyError::UnsupportedAlgorithm {
            alg,
            detail: "only ES256 among ECDSA",
        }),
        alg::PS256 => Err(CeremonyError::UnsupportedAlgorithm {
            alg,
            detail: "RSASSA-PSS is not supported",
        }),
        _ => Err(CeremonyError::UnsupportedAlgorithm {
            alg,
            detail: "supported: ES256 (-7), EdDSA (-8), RS256 (-257)",
        }),
    }
}
