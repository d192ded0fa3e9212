//! Authenticator data (§6.1): exact parsing of rpIdHash, flags, counter, attested credential data, extensions.

use super::cbor::{self, Value};
use super::cose::CosePublicKey;
use super::CeremonyError;

/// Credential IDs longer than this are rejected (§7.1: "at most 1023 bytes").
pub const MAX_CREDENTIAL_ID_LEN: usize = 1023;

/// The flags byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags(pub u8);

impl Flags {
    pub const UP: u8 = 0x01;
    pub const UV: u8 = 0x04;
    pub const BE: u8 = 0x08;
    pub const BS: u8 = 0x10;
    pub const AT: u8 = 0x40;
    pub const ED: u8 = 0x80;

    pub fn user_present(self) -> bool {
        self.0 & Self::UP != 0
    }
    pub fn user_verified(self) -> bool {
        self.0 & Self::UV != 0
    }
    pub fn backup_eligible(self) -> bool {
        self.0 & Self::BE != 0
    }
    pub fn backup_state(self) -> bool {
        self.0 & Self::BS != 0
    }
    pub fn attested_credential_data(self) -> bool {
        self.0 & Self::AT != 0
    }
    pub fn extension_data(self) -> bool {
        self.0 & Self::ED != 0
    }
}

/// Attested credential data (§6.5.2).
#[derive(Debug, Clone)]
pub struct AttestedCredentialData<'a> {
    pub aaguid: [u8; 16],
    pub credential_id: &'a [u8],
    /// The COSE_Key exactly as the authenticator encoded it (what the RP stores).
    pub public_key_cose: &'a [u8],
    pub public_key: CosePublicKey,
}

/// Parsed authenticator data, borrowing from the raw bytes (which are what signatures cover).
#[derive(Debug, Clone)]
pub struct AuthenticatorData<'a> {
    pub raw: &'a [u8],
    pub rp_id_hash: [u8; 32],
    pub flags: Flags,
    pub sign_count: u32,
    pub attested: Option<AttestedCredentialData<'a>>,
    /// Authenticator extension outputs (a CBOR map with text keys), present iff ED is set.
    pub extensions: Option<Value<'a>>,
}

fn short(reason: &'static str) -> CeremonyError {
    CeremonyError::MalformedAuthenticatorData { reason }
}

/// Parses authenticator data exactly: every byte must belong to a field announced by the flags.
pub fn parse(raw: &[u8]) -> Result<AuthenticatorData<'_>, CeremonyError> {
    let rp_id_hash: [u8; 32] = raw
        .get(..32)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| short("shorter than 37 bytes"))?;
    let flags = Flags(*raw.get(32).ok_or_else(|| short("shorter than 37 bytes"))?);
    let count: [u8; 4] = raw
        .get(33..37)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| short("shorter than 37 bytes"))?;
    let sign_count = u32::from_be_bytes(count);
    let mut pos = 37usize;

    let attested = if flags.attested_credential_data() {
        let aaguid: [u8; 16] = raw
            .get(pos..pos + 16)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| short("attested credential data truncated before the AAGUID ends"))?;
        pos += 16;
        let len_bytes: [u8; 2] = raw
            .get(pos..pos + 2)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| {
                short("attested credential data truncated before the credential ID length")
            })?;
        pos += 2;
        let id_len = usize::from(u16::from_be_bytes(len_bytes));
        if id_len > MAX_CREDENTIAL_ID_LEN {
            return Err(CeremonyError::CredentialIdTooLong { len: id_len });
        }
        let credential_id = raw
            .get(pos..pos + id_len)
            .ok_or_else(|| short("attested credential data truncated inside the credential ID"))?;
        if credential_id.is_empty() {
            return Err(short("credential ID is empty"));
        }
        pos += id_len;
        let rest = raw.get(pos..).unwrap_or_default();
        let (key_value, used) = cbor::decode_prefix(rest, pos)?;
        let public_key_cose = rest.get(..used).unwrap_or_default();
        let public_key = super::cose::from_value(&key_value)?;
        pos += used;
        Some(AttestedCredentialData {
            aaguid,
            credential_id,
            public_key_cose,
            public_key,
        })
    } else {
        None
    };

    let extensions = if flags.extension_data() {
        let rest = raw.get(pos..).unwrap_or_default();
        if rest.is_empty() {
            return Err(short("ED flag set but no extension data"));
        }
        let (ext, used) = cbor::decode_prefix(rest, pos)?;
        let map = ext
            .as_map()
            .ok_or_else(|| short("extension data is not a CBOR map"))?;
        if map.iter().any(|(k, _)| k.as_text().is_none()) {
            return Err(short("extension identifier is not a text string"));
        }
        pos += used;
        Some(ext)
    } else {
        None
    };

    if pos != raw.len() {
        return Err(CeremonyError::TrailingBytes { offset: pos });
    }
    Ok(AuthenticatorData {
        raw,
        rp_id_hash,
        flags,
        sign_count,
        attested,
        extensions,
    })
}
