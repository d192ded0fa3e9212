//! Request and response bodies of the HTTP API under `/api`.

use serde::{Deserialize, Serialize};

pub mod health;

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
}
