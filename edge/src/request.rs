//! What every handler needs from the request: a size-limited JSON body, cookies, the client address, the origin
//! check for state-changing requests, and the relying-party identity for WebAuthn.

use serde::de::DeserializeOwned;
use shared::error::ErrorCode;
use worker::{Method, Request};

use crate::error::{ApiError, ApiResult};
use crate::platform::config;

/// Largest JSON body any endpoint accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A drive-through sync batch (up to `shared::api::sync::BATCH_MAX` records of about 1 KB each).
pub const MAX_SYNC_BODY_BYTES: usize = 512 * 1024;

pub async fn json_body<T: DeserializeOwned>(req: &mut Request) -> ApiResult<T> {
    json_body_up_to(req, MAX_BODY_BYTES).await
}

pub async fn json_body_up_to<T: DeserializeOwned>(req: &mut Request, limit: usize) -> ApiResult<T> {
    if let Ok(Some(len)) = req.headers().get("content-length") {
        if len.parse::<usize>().map_or(true, |n| n > limit) {
            return Err(ApiError::new(ErrorCode::PayloadTooLarge));
        }
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|_| ApiError::new(ErrorCode::BadRequest))?;
    if bytes.len() > limit {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::with_detail(ErrorCode::BadRequest, json_error(&e)))
}

/// A body carrying a notification (`notification` member): its number and date fields are checked before the body is
/// read into its type, so a value such as SpO₂ `-1`, `95.5` or `"abc"` is answered `VALIDATION_FAILED` with the
/// field's path and code (`shared::notification::raw`), not a generic 400 for the whole body.
pub async fn notification_body<T: DeserializeOwned>(req: &mut Request) -> ApiResult<T> {
    let value: serde_json::Value = json_body(req).await?;
    if let Some(n) = value.get("notification") {
        let issues = shared::notification::raw::raw_issues(n);
        if !issues.is_empty() {
            return Err(ApiError::with_issues(ErrorCode::ValidationFailed, issues));
        }
    }
    serde_json::from_value(value)
        .map_err(|e| ApiError::with_detail(ErrorCode::BadRequest, json_error(&e)))
}

/// What went wrong in a JSON text, for the log: the kind and the position only. serde's own message quotes the
/// offending value (`unknown variant "…"`), which may be personal data and must not reach the log.
pub fn json_error(e: &serde_json::Error) -> String {
    format!(
        "json {:?} at line {} column {}",
        e.classify(),
        e.line(),
        e.column()
    )
}

pub fn cookie(req: &Request, name: &str) -> Option<String> {
    let header = req.headers().get("cookie").ok().flatten()?;
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_owned())
    })
}

/// The client's address as the platform reports it (audit and per-address throttling only).
pub fn client_address(req: &Request) -> String {
    req.headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .or_else(|| req.headers().get("x-real-ip").ok().flatten())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Our own origin: the first of `ALLOWED_ORIGINS` (links in e-mails point there). Never the request's Host, which a
/// client chooses.
pub fn own_origin(_req: &Request) -> ApiResult<String> {
    config()
        .allowed_origins
        .first()
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorCode::ConfigurationInvalid))
}

/// The origins our pages are served from (`ALLOWED_ORIGINS`): a WebAuthn client-data origin must be one of them.
pub fn allowed_origins() -> Vec<String> {
    config().allowed_origins.clone()
}

/// State-changing requests must come from our own pages: `Origin` present and one of `ALLOWED_ORIGINS`.
pub fn check_origin(req: &Request) -> ApiResult<()> {
    if matches!(req.method(), Method::Get | Method::Head | Method::Options) {
        return Ok(());
    }
    let origin = req.headers().get("origin").ok().flatten();
    match origin {
        Some(o) if config().allowed_origins.contains(&o) => Ok(()),
        _ => Err(ApiError::new(ErrorCode::OriginMismatch)),
    }
}

/// The WebAuthn relying-party id: `RP_ID` from the configuration (`localhost` locally), never the request's Host.
pub fn rp_id(_req: &Request) -> ApiResult<String> {
    Ok(config().rp_id.clone())
}

/// A free-text field from a form (a name, an address): trimmed, 1..=`max_chars` characters, and free of control
/// characters (NUL, line breaks) and bidirectional overrides, which could disguise how the text reads on screen.
pub fn text_field(value: &str, max_chars: usize, field: &'static str) -> ApiResult<String> {
    let v = value.trim();
    let forbidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    if v.is_empty() || v.chars().count() > max_chars || v.chars().any(forbidden) {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            field,
            field,
        ));
    }
    Ok(v.to_owned())
}

/// Like [`text_field`] but may be empty.
pub fn optional_text_field(
    value: &str,
    max_chars: usize,
    field: &'static str,
) -> ApiResult<String> {
    if value.trim().is_empty() {
        return Ok(String::new());
    }
    text_field(value, max_chars, field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_name_no_value() {
        let e = serde_json::from_str::<std::collections::BTreeMap<String, u8>>(
            r#"{"sex": "山田 太郎"}"#,
        )
        .unwrap_err();
        let logged = json_error(&e);
        assert!(logged.starts_with("json Data at line 1"), "{logged}");
        assert!(!logged.contains("山田"), "{logged}");
    }

    #[test]
    fn text_fields_refuse_control_and_bidi_characters() {
        assert_eq!(text_field("  新宿 一郎 ", 60, "n").unwrap(), "新宿 一郎");
        for bad in [
            "",
            "   ",
            "a\u{0}b",
            "a\nb",
            "\u{202E}evil",
            "a\u{2066}b",
            "\u{FEFF}x",
        ] {
            assert!(text_field(bad, 60, "n").is_err(), "{bad:?}");
        }
        assert!(text_field(&"あ".repeat(61), 60, "n").is_err());
        assert!(text_field(&"あ".repeat(60), 60, "n").is_ok());
        assert_eq!(optional_text_field(" ", 10, "n").unwrap(), "");
    }
}
