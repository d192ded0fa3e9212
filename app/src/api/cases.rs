//! Patient records (`edge/src/routes/cases.rs`): search, the record and its tabs, status, delete and restore,
//! records made before a notification.

use shared::api::cases::{
    CaseRecord, CreateCase, Created, DeleteRequest, DeletedList, NotificationEdit, SearchRequest,
    SearchResult, StatusChange, StatusWithdraw, TabUpdate,
};

use super::{get, post, put, send, ApiResult};

/// `POST /api/cases`: a record before a notification (ID管理).
pub async fn create(body: &CreateCase) -> ApiResult<Created> {
    post("/api/cases", body).await
}

/// `POST /api/cases/search`: criteria travel only in the body.
pub async fn search(request: &SearchRequest) -> ApiResult<SearchResult> {
    post("/api/cases/search", request).await
}

/// `GET /api/cases/deleted`: an administrator's deleted records.
pub async fn deleted() -> ApiResult<DeletedList> {
    get("/api/cases/deleted").await
}

/// `GET /api/cases/{id}`: the record with its tabs.
pub async fn read(id: &str) -> ApiResult<CaseRecord> {
    get(&format!("/api/cases/{id}")).await
}

/// `PUT /api/cases/{id}/tabs/{tab}`: one tab's edit, against the version it was read at.
pub async fn save_tab(id: &str, tab: &str, body: &TabUpdate) -> ApiResult<CaseRecord> {
    put(&format!("/api/cases/{id}/tabs/{tab}"), body).await
}

/// `PUT /api/cases/{id}/notification`: the filed notification edited.
pub async fn edit_notification(id: &str, body: &NotificationEdit) -> ApiResult<CaseRecord> {
    put(&format!("/api/cases/{id}/notification"), body).await
}

/// `POST /api/cases/{id}/status`: the next state of 措置判定記録.
pub async fn change_status(id: &str, body: &StatusChange) -> ApiResult<CaseRecord> {
    post(&format!("/api/cases/{id}/status"), body).await
}

/// `POST /api/cases/{id}/status/withdraw`: the last state entry withdrawn.
pub async fn withdraw_status(id: &str, body: &StatusWithdraw) -> ApiResult<CaseRecord> {
    post(&format!("/api/cases/{id}/status/withdraw"), body).await
}

/// `POST /api/cases/{id}/delete`.
pub async fn delete(id: &str, body: &DeleteRequest) -> ApiResult<()> {
    send("POST", &format!("/api/cases/{id}/delete"), Some(body)).await
}

/// `POST /api/cases/{id}/restore`.
pub async fn restore(id: &str) -> ApiResult<CaseRecord> {
    post(&format!("/api/cases/{id}/restore"), &serde_json::json!({})).await
}

/// `GET /api/cases/{id}/fhir`: the record's notification as a FHIR R4 document Bundle, saved as `file_name`.
pub async fn save_fhir(id: &str, file_name: &str) -> ApiResult<super::Downloaded> {
    super::download::<()>(
        "GET",
        &format!("/api/cases/{id}/fhir"),
        None,
        super::Rows::Lines,
        super::SaveAs::Own(file_name),
        |_| {},
    )
    .await
}
