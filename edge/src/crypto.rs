//! Randomness, hashing and password derivation for the edge, on the runtime's WebCrypto (`crypto` global).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use js_sys::{Array, Reflect, Uint8Array};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::error::{ApiError, ApiResult};
use shared::error::ErrorCode;

/// PBKDF2-HMAC-SHA256 iterations: WebCrypto's maximum on Workers (measured ~19 ms of CPU).
pub const PBKDF2_ITERATIONS: u32 = 100_000;

fn internal(what: &str, e: JsValue) -> ApiError {
    ApiError::with_detail(ErrorCode::Internal, format!("{what}: {e:?}"))
}

fn crypto() -> ApiResult<web_sys::Crypto> {
    Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .map_err(|e| internal("crypto global", e))?
        .dyn_into::<web_sys::Crypto>()
        .map_err(|e| internal("crypto global type", e))
}

pub fn random_bytes<const N: usize>() -> ApiResult<[u8; N]> {
    let mut bytes = [0u8; N];
    crypto()?
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|e| internal("getRandomValues", e))?;
    Ok(bytes)
}

/// A fresh 256-bit secret as base64url (sessions, pending sign-ins, invitations).
pub fn token() -> ApiResult<String> {
    Ok(b64url(&random_bytes::<32>()?))
}

pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    sha256(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256 of `data` under `key`, as lowercase hex (the audit chain's seal).
pub fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// PBKDF2-HMAC-SHA256 through WebCrypto (native speed; a wasm implementation would cost several times the CPU).
pub async fn pbkdf2(password: &str, salt: &[u8], iterations: u32) -> ApiResult<[u8; 32]> {
    let subtle = crypto()?.subtle();
    let usages = Array::of1(&JsValue::from_str("deriveBits"));
    let key_data = Uint8Array::from(password.as_bytes());
    let key = JsFuture::from(
        subtle
            .import_key_with_str("raw", &key_data, "PBKDF2", false, &usages)
            .map_err(|e| internal("importKey", e))?,
    )
    .await
    .map_err(|e| internal("importKey", e))?
    .dyn_into::<web_sys::CryptoKey>()
    .map_err(|e| internal("importKey type", e))?;
    let params = web_sys::Pbkdf2Params::new(
        "PBKDF2",
        &JsValue::from_str("SHA-256"),
        iterations,
        &Uint8Array::from(salt),
    );
    let bits = JsFuture::from(
        subtle
            .derive_bits_with_object(&params, &key, 256)
            .map_err(|e| internal("deriveBits", e))?,
    )
    .await
    .map_err(|e| internal("deriveBits", e))?;
    let out = Uint8Array::new(&bits).to_vec();
    out.try_into()
        .map_err(|_| ApiError::with_detail(ErrorCode::Internal, "deriveBits length"))
}

/// A stored password: `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`.
pub async fn hash_password(password: &str) -> ApiResult<String> {
    let salt = random_bytes::<16>()?;
    let hash = pbkdf2(password, &salt, PBKDF2_ITERATIONS).await?;
    Ok(format!(
        "pbkdf2-sha256${PBKDF2_ITERATIONS}${}${}",
        b64url(&salt),
        b64url(&hash)
    ))
}

/// Constant-time comparison against a stored password; a malformed record never matches.
pub async fn verify_password(password: &str, stored: &str) -> ApiResult<bool> {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(iterations), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Ok(false);
    };
    let (Ok(iterations), Some(salt), Some(hash)) = (
        iterations.parse::<u32>(),
        b64url_decode(salt),
        b64url_decode(hash),
    ) else {
        return Ok(false);
    };
    let derived = pbkdf2(password, &salt, iterations).await?;
    Ok(constant_time_eq(&derived, &hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_hex_matches_the_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn constant_time_eq_compares_length_and_content() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn base64url_round_trips_and_tolerates_padding() {
        assert_eq!(b64url_decode(&b64url(b"hello")).unwrap(), b"hello");
        assert_eq!(b64url_decode("aGVsbG8=").unwrap(), b"hello");
        assert!(b64url_decode("***").is_none());
    }
}
