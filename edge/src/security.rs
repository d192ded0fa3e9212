//! Security headers for every response (API and static app), set here and nowhere else.

use worker::{Headers, Response, Result};

/// Strict CSP: no inline script or style; `'wasm-unsafe-eval'` only because the app is WebAssembly.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self'; \
manifest-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// Headers on every response.
pub const COMMON_HEADERS: [(&str, &str); 6] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    (
        "strict-transport-security",
        "max-age=63072000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    (
        "permissions-policy",
        "camera=(self), geolocation=(), microphone=(), payment=()",
    ),
];

pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Adds the security headers; `/api` responses are never cached anywhere.
pub fn apply(response: Response, is_api: bool) -> Result<Response> {
    let mut add = COMMON_HEADERS.to_vec();
    if is_api {
        add.push(("cache-control", "no-store"));
    }
    with_headers(response, &add)
}

/// The response with these headers set, over a fresh, mutable copy of its own (responses from the assets binding
/// carry immutable headers).
pub fn with_headers(response: Response, add: &[(&str, &str)]) -> Result<Response> {
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        headers.append(&name, &value)?;
    }
    for (name, value) in add {
        headers.set(name, value)?;
    }
    Ok(response.with_headers(headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_are_recognised_exactly() {
        assert!(is_api_path("/api"));
        assert!(is_api_path("/api/health"));
        assert!(!is_api_path("/apiary"));
        assert!(!is_api_path("/"));
        assert!(!is_api_path("/records/api/x"));
    }

    #[test]
    fn csp_forbids_inline_script_and_framing() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
        assert!(!CONTENT_SECURITY_POLICY.contains("'unsafe-eval'"));
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
        assert!(CONTENT_SECURITY_POLICY.contains("script-src 'self' 'wasm-unsafe-eval'"));
    }
}
