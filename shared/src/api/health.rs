//! `GET /api/health`: build version and a real round trip through each store.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthResponse {
    /// "ok" when every store answered, else "degraded".
    pub status: String,
    pub version: String,
    pub d1: StoreCheck,
    pub kv: StoreCheck,
}

/// Result of writing a value to a store and reading the same value back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreCheck {
    pub ok: bool,
    /// Milliseconds the write + read took, as the Worker's clock saw it.
    pub round_trip_ms: f64,
    /// What went wrong, when `ok` is false. Never personal data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl HealthResponse {
    pub fn new(version: &str, d1: StoreCheck, kv: StoreCheck) -> Self {
        let status = if d1.ok && kv.ok { "ok" } else { "degraded" };
        Self {
            status: status.to_owned(),
            version: version.to_owned(),
            d1,
            kv,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ok: bool) -> StoreCheck {
        StoreCheck {
            ok,
            round_trip_ms: 1.5,
            detail: None,
        }
    }

    #[test]
    fn status_is_ok_only_when_both_stores_answer() {
        assert_eq!(
            HealthResponse::new("1", check(true), check(true)).status,
            "ok"
        );
        assert_eq!(
            HealthResponse::new("1", check(false), check(true)).status,
            "degraded"
        );
        assert_eq!(
            HealthResponse::new("1", check(true), check(false)).status,
            "degraded"
        );
    }

    #[test]
    fn detail_is_omitted_from_json_when_absent() {
        let json = serde_json::to_string(&check(true)).unwrap();
        assert!(!json.contains("detail"), "{json}");
        let back: StoreCheck = serde_json::from_str(&json).unwrap();
        assert_eq!(back, check(true));
    }
}
