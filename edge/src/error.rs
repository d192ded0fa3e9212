//! The one error type of the API and its mapping to responses. Handlers use `?`; nothing else builds error bodies.

use shared::api::ErrorBody;
use shared::error::ErrorCode;
use shared::notification::validate::IssueView;
use worker::Response;

#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    /// Internal detail for `console_error` (never personal data); not sent to the client.
    pub detail: Option<String>,
    /// A finer stable code sent to the client (e.g. which WebAuthn check failed).
    pub reason: Option<&'static str>,
    /// Validation findings with their field paths (notifications).
    pub issues: Vec<IssueView>,
    /// For `EDIT_CONFLICT`: who changed the record first, and what.
    pub conflict: Option<Box<shared::api::cases::EditConflict>>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            detail: None,
            reason: None,
            issues: Vec::new(),
            conflict: None,
        }
    }

    pub fn with_detail(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: Some(detail.into()),
            reason: None,
            issues: Vec::new(),
            conflict: None,
        }
    }

    pub fn with_reason(code: ErrorCode, reason: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: Some(detail.into()),
            reason: Some(reason),
            issues: Vec::new(),
            conflict: None,
        }
    }

    /// A refused notification with every finding (errors, or the warnings not yet acknowledged).
    pub fn with_issues(code: ErrorCode, issues: Vec<IssueView>) -> Self {
        Self {
            code,
            detail: None,
            reason: None,
            issues,
            conflict: None,
        }
    }

    /// A write refused because the record changed since the caller read it.
    pub fn conflict(conflict: shared::api::cases::EditConflict) -> Self {
        Self {
            conflict: Some(Box::new(conflict)),
            ..Self::new(ErrorCode::EditConflict)
        }
    }

    pub fn into_response(self) -> Response {
        if let Some(detail) = &self.detail {
            worker::console_error!("api error {}: {}", self.code.as_str(), detail);
        }
        let mut body: ErrorBody = self.code.into();
        body.error.reason = self.reason.map(str::to_owned);
        body.error.issues = self.issues;
        body.error.conflict = self.conflict;
        match Response::from_json(&body) {
            Ok(r) => r.with_status(self.code.http_status()),
            // Serialising a fixed struct cannot fail; keep a plain fallback rather than panic.
            Err(_) => Response::error(self.code.as_str(), self.code.http_status())
                .unwrap_or_else(|_| Response::empty().expect("empty response")),
        }
    }
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        let detail = e.to_string();
        // A write to a record whose move between shards is under way is aborted by the shard's triggers
        // (migration 0710, `store::moves`): the caller retries later.
        if detail.contains("RECORD_MOVING") {
            return ApiError::with_detail(ErrorCode::RecordMoving, detail);
        }
        ApiError::with_detail(ErrorCode::Internal, detail)
    }
}

pub type ApiResult<T> = std::result::Result<T, ApiError>;
