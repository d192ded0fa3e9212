//! Stable error codes of the API, and the one place their Japanese messages are written.

use serde::{Deserialize, Serialize};

/// Every error the API can return. The serialised name (`SCREAMING_SNAKE_CASE`) is the stable code clients match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    NotFound,
    MethodNotAllowed,
    BadRequest,
    PayloadTooLarge,
    Unauthenticated,
    Forbidden,
    StorageUnavailable,
    Internal,
}

impl ErrorCode {
    /// Every variant, for exhaustive tests and documentation.
    pub const ALL: [ErrorCode; 8] = [
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::BadRequest,
        ErrorCode::PayloadTooLarge,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::StorageUnavailable,
        ErrorCode::Internal,
    ];

    /// HTTP status the edge answers with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::BadRequest => 400,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::StorageUnavailable => 503,
            ErrorCode::Internal => 500,
        }
    }

    /// The Japanese message shown to people.
    pub fn message_ja(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "指定されたAPIは存在しません。",
            ErrorCode::MethodNotAllowed => "このAPIはその操作に対応していません。",
            ErrorCode::BadRequest => "リクエストの形式が正しくありません。",
            ErrorCode::PayloadTooLarge => "送信データが大きすぎます。",
            ErrorCode::Unauthenticated => "ログインが必要です。",
            ErrorCode::Forbidden => "この操作を行う権限がありません。",
            ErrorCode::StorageUnavailable => {
                "データベースに接続できません。しばらくしてから再度お試しください。"
            }
            ErrorCode::Internal => "システムエラーが発生しました。",
        }
    }

    /// The stable code as a string (the same text serde writes).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::StorageUnavailable => "STORAGE_UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl From<ErrorCode> for crate::api::ErrorBody {
    fn from(code: ErrorCode) -> Self {
        crate::api::ErrorBody {
            error: crate::api::ErrorDetail {
                code,
                message: code.message_ja().to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_serde_name_for_every_code() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn every_code_is_a_client_or_server_error_with_a_japanese_message() {
        for code in ErrorCode::ALL {
            assert!((400..600).contains(&code.http_status()), "{code:?}");
            assert!(
                code.message_ja().chars().any(|c| c > '\u{3000}'),
                "{code:?}"
            );
        }
    }

    #[test]
    fn error_body_has_the_documented_shape() {
        let body: crate::api::ErrorBody = ErrorCode::NotFound.into();
        let v: serde_json::Value = serde_json::to_value(&body).unwrap();
        assert_eq!(v["error"]["code"], "NOT_FOUND");
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("存在しません"));
    }
}
