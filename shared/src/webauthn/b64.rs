//! base64url for WebAuthn: decoding tolerant of padding (browsers and libraries differ), strict otherwise.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use super::CeremonyError;

/// URL-safe alphabet only (no `+` `/`, no whitespace), padding optional, non-zero trailing bits rejected so that
/// every byte string has exactly two accepted spellings (with and without `=`).
const TOLERANT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(false),
);

/// Decodes base64url with or without `=` padding; `field` names the input in the error.
pub fn decode(field: &'static str, text: &str) -> Result<Vec<u8>, CeremonyError> {
    TOLERANT
        .decode(text)
        .map_err(|_| CeremonyError::InvalidBase64 { field })
}

/// Encodes as unpadded base64url, the form `PublicKeyCredential.toJSON()` produces.
pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
