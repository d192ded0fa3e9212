//! Attestation objects (§6.5.4) and the statement formats `none`, `packed` and `fido-u2f` (§8.2, §8.6, §8.7).
//!
//! Trust: signatures are verified with the leaf certificate's key, and the certificate is checked against the
//! format's requirements, but the chain is NOT checked against a trust anchor (no metadata service is wired
//! in); results record that with `trust_anchor_verified: false`. Every other format is rejected with
//! [`CeremonyError::UnsupportedAttestationFormat`], never accepted unverified.

use x509_cert::der::{Decode, Encode};
use x509_cert::Certificate;

use super::authdata::AuthenticatorData;
use super::cbor::{self, Value};
use super::cose::{alg, CosePublicKey};
use super::CeremonyError;

/// The three members of an attestation object.
#[derive(Debug, Clone)]
pub struct AttestationObject<'a> {
    pub fmt: &'a str,
    pub att_stmt: Value<'a>,
    pub auth_data: &'a [u8],
    /// Offset of `auth_data` inside the attestation object (for error offsets).
    pub auth_data_offset: usize,
}

/// Attestation types of §6.5.3 that this verifier can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestationType {
    /// `none`: nothing is attested.
    None,
    /// `packed` without x5c: signed by the credential key itself.
    SelfAttestation,
    /// `packed` or `fido-u2f` with a certificate: signature verified with the leaf, chain not checked.
    Basic,
}

impl AttestationType {
    pub fn as_str(self) -> &'static str {
        match self {
            AttestationType::None => "none",
            AttestationType::SelfAttestation => "self",
            AttestationType::Basic => "basic",
        }
    }
}

/// The outcome of verifying an attestation statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAttestation {
    pub fmt: &'static str,
    pub attestation_type: AttestationType,
    /// The x5c certificates (DER), leaf first; empty for none and self attestation.
    pub trust_path: Vec<Vec<u8>>,
    /// Always false for now: no trust anchors are configured (see module docs).
    pub trust_anchor_verified: bool,
}

fn bad_object(reason: &'static str) -> CeremonyError {
    CeremonyError::MalformedAttestationObject { reason }
}

/// Parses the attestation object CBOR: a map with text `fmt`, map `attStmt` and byte string `authData`.
/// Unknown extra members are ignored (nothing covers them, and CTAP2.1 clients may pass e.g. `epAtt` on).
pub fn parse_object(bytes: &[u8]) -> Result<AttestationObject<'_>, CeremonyError> {
    let value = cbor::decode_exact(bytes, 0)?;
    if value.as_map().is_none() {
        return Err(bad_object("not a CBOR map"));
    }
    let fmt = value
        .map_get_text("fmt")
        .and_then(Value::as_text)
        .ok_or_else(|| bad_object("fmt missing or not text"))?;
    let att_stmt = value
        .map_get_text("attStmt")
        .filter(|v| v.as_map().is_some())
        .ok_or_else(|| bad_object("attStmt missing or not a map"))?;
    let auth_data = value
        .map_get_text("authData")
        .and_then(Value::as_bytes)
        .ok_or_else(|| bad_object("authData missing or not bytes"))?;
    // The slice borrows from `bytes`, so its offset is a pointer difference (no unsafe needed).
    let auth_data_offset = (auth_data.as_ptr() as usize).saturating_sub(bytes.as_ptr() as usize);
    Ok(AttestationObject {
        fmt,
        att_stmt: att_stmt.clone(),
        auth_data,
        auth_data_offset,
    })
}

/// §7.1 "verify the attestation statement": verifies the statement for `fmt` over `authData ‖ clientDataHash`.
pub(crate) fn verify_statement(
    fmt: &str,
    att_stmt: &Value<'_>,
    auth_data: &AuthenticatorData<'_>,
    client_data_hash: &[u8; 32],
) -> Result<VerifiedAttestation, CeremonyError> {
    match fmt {
        "none" => verify_none(att_stmt),
        "packed" => verify_packed(att_stmt, auth_data, client_data_hash),
        "fido-u2f" => verify_fido_u2f(att_stmt, auth_data, client_data_hash),
        other => Err(CeremonyError::UnsupportedAttestationFormat {
            fmt: other.to_owned(),
        }),
    }
}

/// The statement's `sig` member (packed and fido-u2f alike).
fn signature<'a>(att_stmt: &'a Value<'_>, fmt: &'static str) -> Result<&'a [u8], CeremonyError> {
    att_stmt
        .map_get_text("sig")
        .and_then(Value::as_bytes)
        .ok_or(CeremonyError::MalformedAttestationStatement {
            fmt,
            reason: "sig missing or not bytes",
        })
}

fn only_keys(
    att_stmt: &Value<'_>,
    fmt: &'static str,
    allowed: &[&str],
) -> Result<(), CeremonyError> {
    let map = att_stmt.as_map().unwrap_or_default();
    if map
        .iter()
        .all(|(k, _)| k.as_text().is_some_and(|k| allowed.contains(&k)))
    {
        Ok(())
    } else {
        Err(CeremonyError::MalformedAttestationStatement {
            fmt,
            reason: "unexpected member in attStmt",
        })
    }
}

fn verify_none(att_stmt: &Value<'_>) -> Result<VerifiedAttestation, CeremonyError> {
    if !att_stmt.as_map().unwrap_or_default().is_empty() {
        return Err(CeremonyError::MalformedAttestationStatement {
            fmt: "none",
            reason: "attStmt must be empty",
        });
    }
    Ok(VerifiedAttestation {
        fmt: "none",
        attestation_type: AttestationType::None,
        trust_path: Vec::new(),
        trust_anchor_verified: false,
    })
}

fn signed_data(auth_data: &AuthenticatorData<'_>, client_data_hash: &[u8; 32]) -> Vec<u8> {
    let mut data = Vec::with_capacity(auth_data.raw.len() + 32);
    data.extend_from_slice(auth_data.raw);
    data.extend_from_slice(client_data_hash);
    data
}

fn x5c_list(
    att_stmt: &Value<'_>,
    fmt: &'static str,
) -> Result<Option<Vec<Vec<u8>>>, CeremonyError> {
    let Some(x5c) = att_stmt.map_get_text("x5c") else {
        return Ok(None);
    };
    let items = x5c
        .as_array()
        .ok_or(CeremonyError::MalformedAttestationStatement {
            fmt,
            reason: "x5c is not an array",
        })?;
    if items.is_empty() {
        return Err(CeremonyError::MalformedAttestationStatement {
            fmt,
            reason: "x5c is empty",
        });
    }
    items
        .iter()
        .map(|c| {
            c.as_bytes()
                .map(<[u8]>::to_vec)
                .ok_or(CeremonyError::MalformedAttestationStatement {
                    fmt,
                    reason: "x5c entry is not a byte string",
                })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn verify_packed(
    att_stmt: &Value<'_>,
    auth_data: &AuthenticatorData<'_>,
    client_data_hash: &[u8; 32],
) -> Result<VerifiedAttestation, CeremonyError> {
    const FMT: &str = "packed";
    only_keys(att_stmt, FMT, &["alg", "sig", "x5c"])?;
    let stmt_alg = att_stmt.map_get_text("alg").and_then(Value::as_i64).ok_or(
        CeremonyError::MalformedAttestationStatement {
            fmt: FMT,
            reason: "alg missing or not an integer",
        },
    )?;
    let sig = signature(att_stmt, FMT)?;
    let attested = auth_data
        .attested
        .as_ref()
        .ok_or(CeremonyError::AttestedCredentialDataMissing)?;
    let data = signed_data(auth_data, client_data_hash);
    let bad_sig = |_| CeremonyError::BadAttestationSignature { fmt: FMT };

    match x5c_list(att_stmt, FMT)? {
        Some(chain) => {
            let leaf_der = chain
                .first()
                .ok_or(CeremonyError::MalformedAttestationStatement {
                    fmt: FMT,
                    reason: "x5c is empty",
                })?;
            let leaf = parse_certificate(leaf_der)?;
            for other in chain.iter().skip(1) {
                parse_certificate(other)?;
            }
            check_packed_certificate(&leaf, &attested.aaguid)?;
            let key = certificate_key(&leaf, stmt_alg)?;
            key.verify(&data, sig).map_err(bad_sig)?;
            Ok(VerifiedAttestation {
                fmt: FMT,
                attestation_type: AttestationType::Basic,
                trust_path: chain,
                trust_anchor_verified: false,
            })
        }
        None => {
            let key_alg = attested.public_key.algorithm();
            if stmt_alg != key_alg {
                return Err(CeremonyError::AttestationAlgorithmMismatch {
                    statement: stmt_alg,
                    key: key_alg,
                });
            }
            attested.public_key.verify(&data, sig).map_err(bad_sig)?;
            Ok(VerifiedAttestation {
                fmt: FMT,
                attestation_type: AttestationType::SelfAttestation,
                trust_path: Vec::new(),
                trust_anchor_verified: false,
            })
        }
    }
}

fn verify_fido_u2f(
    att_stmt: &Value<'_>,
    auth_data: &AuthenticatorData<'_>,
    client_data_hash: &[u8; 32],
) -> Result<VerifiedAttestation, CeremonyError> {
    const FMT: &str = "fido-u2f";
    only_keys(att_stmt, FMT, &["sig", "x5c"])?;
    let sig = signature(att_stmt, FMT)?;
    let chain = x5c_list(att_stmt, FMT)?.ok_or(CeremonyError::MalformedAttestationStatement {
        fmt: FMT,
        reason: "x5c missing",
    })?;
    let [cert_der] = chain.as_slice() else {
        return Err(CeremonyError::MalformedAttestationStatement {
            fmt: FMT,
            reason: "x5c must hold exactly one certificate",
        });
    };
    let cert = parse_certificate(cert_der)?;
    let cert_key = match certificate_key(&cert, alg::ES256) {
        Ok(key) => key,
        Err(_) => {
            return Err(CeremonyError::InvalidAttestationCertificate {
                reason: "fido-u2f certificate key is not P-256",
            })
        }
    };
    let attested = auth_data
        .attested
        .as_ref()
        .ok_or(CeremonyError::AttestedCredentialDataMissing)?;
    let point = attested.public_key.es256_uncompressed_point().ok_or(
        CeremonyError::AttestationAlgorithmMismatch {
            statement: alg::ES256,
            key: attested.public_key.algorithm(),
        },
    )?;
    // verificationData = 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ publicKeyU2F (§8.6).
    let mut data = Vec::with_capacity(1 + 32 + 32 + attested.credential_id.len() + 65);
    data.push(0x00);
    data.extend_from_slice(&auth_data.rp_id_hash);
    data.extend_from_slice(client_data_hash);
    data.extend_from_slice(attested.credential_id);
    data.extend_from_slice(&point);
    cert_key
        .verify(&data, sig)
        .map_err(|_| CeremonyError::BadAttestationSignature { fmt: FMT })?;
    Ok(VerifiedAttestation {
        fmt: FMT,
        attestation_type: AttestationType::Basic,
        trust_path: chain,
        trust_anchor_verified: false,
    })
}

fn parse_certificate(der: &[u8]) -> Result<Certificate, CeremonyError> {
    Certificate::from_der(der).map_err(|_| CeremonyError::InvalidAttestationCertificate {
        reason: "not a DER X.509 certificate",
    })
}

/// The leaf certificate's public key, as a key of the statement's algorithm.
fn certificate_key(cert: &Certificate, stmt_alg: i64) -> Result<CosePublicKey, CeremonyError> {
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| CeremonyError::InvalidAttestationCertificate {
            reason: "unreadable subject public key info",
        })?;
    let mismatch = |_| CeremonyError::InvalidAttestationCertificate {
        reason: "certificate key does not match the statement alg",
    };
    match stmt_alg {
        alg::ES256 => {
            use p256::pkcs8::DecodePublicKey;
            p256::ecdsa::VerifyingKey::from_public_key_der(&spki)
                .map(CosePublicKey::Es256)
                .map_err(mismatch)
        }
        alg::RS256 => {
            use rsa::pkcs8::DecodePublicKey;
            rsa::RsaPublicKey::from_public_key_der(&spki)
                .map(CosePublicKey::Rs256)
                .map_err(mismatch)
        }
        alg::EDDSA | alg::ED25519 => {
            use ed25519_dalek::pkcs8::DecodePublicKey;
            ed25519_dalek::VerifyingKey::from_public_key_der(&spki)
                .map(|key| CosePublicKey::Ed25519 { key, alg: stmt_alg })
                .map_err(mismatch)
        }
        other => Err(CeremonyError::UnsupportedAlgorithm {
            alg: other,
            detail: "attestation signature algorithm",
        }),
    }
}

const OID_COUNTRY: &str = "2.5.4.6";
const OID_ORGANIZATION: &str = "2.5.4.10";
const OID_ORGANIZATIONAL_UNIT: &str = "2.5.4.11";
const OID_COMMON_NAME: &str = "2.5.4.3";
const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
/// id-fido-gen-ce-aaguid: the AAGUID extension of packed attestation certificates.
const OID_FIDO_AAGUID: &str = "1.3.6.1.4.1.45724.1.1.4";

/// §8.2.1 "Certificate Requirements for Packed Attestation Statements".
fn check_packed_certificate(cert: &Certificate, aaguid: &[u8; 16]) -> Result<(), CeremonyError> {
    let invalid = |reason| CeremonyError::InvalidAttestationCertificate { reason };
    let tbs = &cert.tbs_certificate;
    if tbs.version != x509_cert::certificate::Version::V3 {
        return Err(invalid(
            "packed attestation certificate must be X.509 version 3",
        ));
    }
    let subject_value = |oid: &str| -> Option<String> {
        tbs.subject
            .0
            .iter()
            .flat_map(|rdn| rdn.0.iter())
            .find(|atv| atv.oid.to_string() == oid)
            .and_then(|atv| {
                std::str::from_utf8(atv.value.value())
                    .ok()
                    .map(str::to_owned)
            })
    };
    if subject_value(OID_COUNTRY).is_none_or(|c| c.len() != 2) {
        return Err(invalid("subject C (country) missing or not two letters"));
    }
    if subject_value(OID_ORGANIZATION).is_none_or(|o| o.is_empty()) {
        return Err(invalid("subject O (organization) missing"));
    }
    if subject_value(OID_ORGANIZATIONAL_UNIT).as_deref() != Some("Authenticator Attestation") {
        return Err(invalid("subject OU must be \"Authenticator Attestation\""));
    }
    if subject_value(OID_COMMON_NAME).is_none_or(|cn| cn.is_empty()) {
        return Err(invalid("subject CN missing"));
    }
    for ext in tbs.extensions.iter().flatten() {
        let oid = ext.extn_id.to_string();
        if oid == OID_BASIC_CONSTRAINTS {
            let bc = x509_cert::ext::pkix::BasicConstraints::from_der(ext.extn_value.as_bytes())
                .map_err(|_| invalid("unreadable basic constraints"))?;
            if bc.ca {
                return Err(invalid(
                    "attestation certificate must not be a CA (basic constraints CA true)",
                ));
            }
        } else if oid == OID_FIDO_AAGUID {
            if ext.critical {
                return Err(invalid("AAGUID extension must not be critical"));
            }
            let inner = x509_cert::der::asn1::OctetString::from_der(ext.extn_value.as_bytes())
                .map_err(|_| invalid("AAGUID extension is not an OCTET STRING"))?;
            if inner.as_bytes() != aaguid {
                return Err(invalid(
                    "AAGUID in certificate differs from the authenticator data",
                ));
            }
        }
    }
    Ok(())
}
