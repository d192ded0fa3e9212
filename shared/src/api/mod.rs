//! Request and response bodies of the HTTP API under `/api`.

use serde::{Deserialize, Serialize};

pub mod admin;
pub mod auth;
pub mod cases;
pub mod counts;
pub mod directory;
pub mod exports;
pub mod health;
pub mod notifications;
pub mod observation;
pub mod self_registration;
pub mod sync;

pub use health::{HealthResponse, StoreCheck};

/// Error body of every non-2xx `/api` response: `{ "error": { "code": "...", "message": "..." } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable, machine-readable code (see [`crate::error::ErrorCode`]).
    pub code: crate::error::ErrorCode,
    /// Japanese message for people.
    pub message: String,
    /// A finer stable code where one helps (e.g. the WebAuthn check that failed: `sign_count_regressed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For `PASSWORD_POLICY`: every rule the password breaks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<crate::auth::PasswordRule>,
    /// For `VALIDATION_FAILED` and `WARNINGS_UNACKNOWLEDGED` on a notification: every finding with its field path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<crate::notification::validate::IssueView>,
    /// For `EDIT_CONFLICT`: who changed the record since the caller read it, and what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Box<cases::EditConflict>>,
}
