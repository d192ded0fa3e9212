//! The static app from the assets binding: a page's URL answers with its entry point's HTML (shared::entry), the
//! content-named code under `/pkg/` is cached for ever and sent brotli-compressed (precompressed by `cargo xtask
//! build`) to browsers that accept it. No personal data is ever among these files.

use shared::entry::Entry;
use shared::error::ErrorCode;
use worker::{EncodeBody, Env, Headers, Method, Request, Response, Result};

use crate::error::ApiError;
use crate::security::with_headers;

use crate::platform::bindings;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub async fn serve(req: Request, env: &Env) -> Result<Response> {
    let assets = env.assets(bindings::ASSETS)?;
    let path = req.path();
    if is_page(&path) {
        if !matches!(req.method(), Method::Get | Method::Head) {
            return Ok(ApiError::new(ErrorCode::MethodNotAllowed).into_response());
        }
        // Every page of the app is its entry's HTML; unknown paths get the sign-in entry, whose router says "not
        // found". Revalidated on every visit, so a new build shows at once.
        let html = assets
            .fetch(
                format!("https://assets.local{}", Entry::for_path(&path).html_path()),
                None,
            )
            .await?;
        return with_headers(html, &[("cache-control", "no-cache")]);
    }
    if !path.starts_with("/pkg/") || path.ends_with(".br") {
        return assets.fetch_request(req).await;
    }
    if accepts_brotli(&req) {
        let mut br = assets
            .fetch(format!("https://assets.local{path}.br"), None)
            .await?;
        if br.status_code() == 200 {
            let headers = Headers::new();
            headers.set("content-type", content_type(&path))?;
            headers.set("content-encoding", "br")?;
            headers.set("vary", "accept-encoding")?;
            headers.set("cache-control", IMMUTABLE)?;
            // The body is already compressed: the runtime must send it as it is.
            return Ok(Response::from_bytes(br.bytes().await?)?
                .with_headers(headers)
                .with_encode_body(EncodeBody::Manual));
        }
    }
    let res = assets.fetch_request(req).await?;
    if res.status_code() == 200 {
        with_headers(
            res,
            &[("cache-control", IMMUTABLE), ("vary", "accept-encoding")],
        )
    } else {
        Ok(res)
    }
}

/// A page of the app rather than a file: the last segment has no extension.
fn is_page(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    !last.contains('.')
        && !["/pkg/", "/entry/", "/data/", "/icons/"]
            .iter()
            .any(|p| path.starts_with(p))
}

fn accepts_brotli(req: &Request) -> bool {
    req.headers()
        .get("accept-encoding")
        .ok()
        .flatten()
        .is_some_and(|v| lists_brotli(&v))
}

/// Whether an `Accept-Encoding` value accepts `br` (listed, and not with a zero quality).
fn lists_brotli(value: &str) -> bool {
    value.split(',').any(|t| {
        let mut parts = t.trim().split(';');
        parts.next().map(str::trim) == Some("br")
            && parts.all(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_none_or(|q| q > 0.0)
            })
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("wasm") => "application/wasm",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_told_from_files() {
        for page in [
            "/",
            "/observe",
            "/records/c-1/slip",
            "/signin",
            "/no/such/page",
        ] {
            assert!(is_page(page), "{page}");
        }
        for file in [
            "/sw.js",
            "/manifest.webmanifest",
            "/pkg/signin-0a1b.wasm",
            "/entry/drive.html",
            "/icons/icon-192.png",
            "/data/postal/160.json",
            "/pkg/x",
        ] {
            assert!(!is_page(file), "{file}");
        }
    }

    #[test]
    fn brotli_only_where_accepted() {
        for yes in [
            "br",
            "gzip, deflate, br, zstd",
            "br, gzip",
            "gzip;q=1.0, br;q=0.5",
            " br ;q=1",
        ] {
            assert!(lists_brotli(yes), "{yes}");
        }
        for no in [
            "",
            "gzip",
            "gzip, deflate",
            "br;q=0",
            "br;q=0.0",
            "gzip, br;q=0.000",
            "brotli",
            "xbr",
        ] {
            assert!(!lists_brotli(no), "{no}");
        }
    }

    #[test]
    fn content_types_of_the_code() {
        assert_eq!(content_type("/pkg/a-1.wasm"), "application/wasm");
        assert_eq!(
            content_type("/pkg/a-1.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("/pkg/app-1.css"), "text/css; charset=utf-8");
    }
}
