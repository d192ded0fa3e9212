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
    // A member named twice is refused (as the model's structs would), not read as its last value.
    let shared::notification::raw::UniqueMembers(value) = json_body(req).await?;
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

/// The client's address as the platform reports it (`cf-connecting-ip`, which Cloudflare sets and `wrangler dev`
/// passes on), for the audit log; `unknown` without it. Headers a client could set itself (`x-real-ip`,
/// `x-forwarded-for`) are never read: off Cloudflare they would let a caller pick its own address.
pub fn client_address(req: &Request) -> String {
    req.headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The bucket per-address throttles count under: the address of [`client_address`], an IPv6 address by its /64
/// (one subscriber's whole prefix, which they can rotate through freely), an IPv4-mapped IPv6 address as its IPv4
/// address.
pub fn address_bucket(req: &Request) -> String {
    bucket_of(&client_address(req))
}

/// See [`address_bucket`]. Text that is no address at all is one bucket (`unknown`), so it cannot mint new ones.
pub fn bucket_of(address: &str) -> String {
    use std::net::{IpAddr, Ipv6Addr};
    match address.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4.to_string();
            }
            let s = v6.segments();
            let prefix = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{prefix}/64")
        }
        Err(_) => "unknown".to_owned(),
    }
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
    fn ipv6_addresses_bucket_by_their_64() {
        let a = bucket_of("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_eq!(bucket_of("2001:db8:1:2::1"), a, "compressed");
        assert_eq!(
            bucket_of("2001:0DB8:0001:0002:0:0:0:ffff"),
            a,
            "upper case, leading zeros"
        );
        assert_ne!(bucket_of("2001:db8:1:3::1"), a, "another /64");
        assert_eq!(bucket_of("::"), "::/64");
        assert_eq!(bucket_of("::1"), "::/64");
        assert_eq!(bucket_of("fe80::1"), "fe80::/64");
    }

    #[test]
    fn ipv4_and_mapped_addresses_bucket_as_ipv4() {
        assert_eq!(bucket_of("203.0.113.7"), "203.0.113.7");
        assert_eq!(bucket_of(" 203.0.113.7 "), "203.0.113.7");
        assert_eq!(bucket_of("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(bucket_of("::ffff:cb00:7107"), "203.0.113.7");
        assert_ne!(bucket_of("203.0.113.8"), bucket_of("203.0.113.7"));
    }

    #[test]
    fn text_that_is_no_address_is_one_bucket() {
        for bad in [
            "",
            "unknown",
            "not-an-ip",
            "1.2.3.4.5",
            "2001:db8::1%eth0",
            "[2001:db8::1]",
            "2001:db8::1/64",
        ] {
            assert_eq!(bucket_of(bad), "unknown", "{bad:?}");
        }
    }

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
