//! Notifications, 発生届 (`edge/src/routes/notifications.rs`): filing, lists, reading (受理), duplicates,
//! transfer.

use shared::api::notifications::{
    DuplicateList, DuplicateQuery, FileRequest, FileResult, NotificationList, NotificationRecord,
    TransferRequest, TransferResult,
};

use super::{get, post, ApiResult};

/// `GET /api/notifications`: a clinic's filings or a health center's inbox.
pub async fn list() -> ApiResult<NotificationList> {
    get("/api/notifications").await
}

/// `POST /api/notifications`: files a notification (idempotent by its key).
pub async fn file(body: &FileRequest) -> ApiResult<FileResult> {
    post("/api/notifications", body).await
}

/// `POST /api/notifications/duplicates`: records that may be the same person.
pub async fn duplicates(query: &DuplicateQuery) -> ApiResult<DuplicateList> {
    post("/api/notifications/duplicates", query).await
}

/// `GET /api/notifications/{id}`: the notification; opened by its health center, it is received (受理).
pub async fn read(id: &str) -> ApiResult<NotificationRecord> {
    get(&format!("/api/notifications/{id}")).await
}

/// `POST /api/notifications/{id}/transfer`: to another health center; the answer says whether it gets the notice
/// e-mail.
pub async fn transfer(id: &str, body: &TransferRequest) -> ApiResult<TransferResult> {
    post(&format!("/api/notifications/{id}/transfer"), body).await
}
