//! base64url for WebAuthn: decoding as tolerant as the common relying-party libraries (padding optional, non-zero
//! trailing bits ignored), strict about the alphabet; encoding always canonical. Ids are compared as bytes, or by
//! their canonical [`encode`]ing ([`canonical`]), never by the text a client sent.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use super::CeremonyError;

/// URL-safe alphabet only (no `+` `/`, no whitespace), padding optional, and the unused low bits of the last
/// character ignored as SimpleWebAuthn (`@hexagon/base64`), py_webauthn (Python's `urlsafe_b64decode`) and
/// webauthn-rs (`base64urlsafedata`) ignore them: an authenticator or client library that leaves them non-zero
/// still interoperates. A byte string thus has several spellings; [`canonical`] gives the one we store.
const TOLERANT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
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

/// The canonical spelling (unpadded, zero trailing bits) of base64url text [`decode`] accepts.
pub fn canonical(field: &'static str, text: &str) -> Result<String, CeremonyError> {
    decode(field, text).map(|bytes| encode(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_optional() {
        assert_eq!(decode("x", "aGk"), Ok(b"hi".to_vec()));
        assert_eq!(decode("x", "aGk="), Ok(b"hi".to_vec()));
        assert_eq!(decode("x", "aGVsbG8"), Ok(b"hello".to_vec()));
        assert_eq!(decode("x", "aGVsbG8="), Ok(b"hello".to_vec()));
        assert_eq!(decode("x", ""), Ok(b"".to_vec()));
    }

    #[test]
    fn non_zero_trailing_bits_are_ignored_as_the_libraries_do() {
        // "aGk" = 011010 000110 100100: the last 2 bits are unused; "aGl" sets them (…100101).
        assert_eq!(decode("x", "aGl"), Ok(b"hi".to_vec()));
        assert_eq!(decode("x", "aGl="), Ok(b"hi".to_vec()));
        // One byte: 4 unused bits ("AA" vs "AP").
        assert_eq!(decode("x", "AP"), Ok([0].to_vec()));
        assert_eq!(decode("x", "AP=="), Ok([0].to_vec()));
        assert_eq!(canonical("x", "aGl").as_deref(), Ok("aGk"));
        assert_eq!(canonical("x", "AP==").as_deref(), Ok("AA"));
        assert_eq!(canonical("x", "aGk=").as_deref(), Ok("aGk"));
    }

    #[test]
    fn the_alphabet_and_the_length_stay_strict() {
        for bad in ["a+k", "a/k", "aG k", "aGk\n", "a", "aGk==", "aG=k", "*"] {
            assert!(decode("x", bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            decode("field", "a+k"),
            Err(CeremonyError::InvalidBase64 { field: "field" })
        );
    }

    #[test]
    fn encoding_is_canonical_and_round_trips() {
        for bytes in [&b""[..], b"a", b"ab", b"abc", &[0xff, 0xfe, 0xfd, 0xfc]] {
            let text = encode(bytes);
            assert!(!text.contains('='));
            assert_eq!(decode("x", &text).as_deref(), Ok(bytes));
            assert_eq!(canonical("x", &text), Ok(text));
        }
    }
}
