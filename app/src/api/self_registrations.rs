//! Self-registration of positives (`edge/src/routes/self_registrations.rs`): the public page's submission and the
//! review queue of health centers and the follow-up center.

use shared::api::self_registration::{
    Confirmed, Receipt, RegistrationDetail, RegistrationList, Reject, SelfRegistration,
};

use super::{get, post, ApiResult};

/// `POST /api/self-registrations` (no account): only a receipt number comes back.
pub async fn submit(body: &SelfRegistration) -> ApiResult<Receipt> {
    post("/api/self-registrations", body).await
}

/// `GET /api/self-registrations(?status=…)`: the caller's queue, pending first.
pub async fn list(status: &str) -> ApiResult<RegistrationList> {
    if status.is_empty() {
        get("/api/self-registrations").await
    } else {
        get(&format!("/api/self-registrations?status={status}")).await
    }
}

/// `GET /api/self-registrations/{id}`.
pub async fn read(id: &str) -> ApiResult<RegistrationDetail> {
    get(&format!("/api/self-registrations/{id}")).await
}

/// `POST /api/self-registrations/{id}/confirm`: the record with its health observation.
pub async fn confirm(id: &str) -> ApiResult<Confirmed> {
    post(
        &format!("/api/self-registrations/{id}/confirm"),
        &serde_json::json!({}),
    )
    .await
}

/// `POST /api/self-registrations/{id}/reject` with the reason.
pub async fn reject(id: &str, body: &Reject) -> ApiResult<RegistrationDetail> {
    post(&format!("/api/self-registrations/{id}/reject"), body).await
}
