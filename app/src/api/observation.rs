//! Health observation at the health center (`edge/src/routes/observation.rs`): a record's observation, the alert
//! queue, the dashboard.

use shared::api::observation::{
    AlertQueue, AlertView, Dashboard, HandleAlert, ObservationView, StartObservation,
};

use super::{get, post, ApiResult};

/// `GET /api/cases/{id}/observation`: the record's observation, reports and alerts.
pub async fn view(case_id: &str) -> ApiResult<ObservationView> {
    get(&format!("/api/cases/{case_id}/observation")).await
}

/// `POST /api/cases/{id}/observation`: starts or changes the observation.
pub async fn start(case_id: &str, body: &StartObservation) -> ApiResult<ObservationView> {
    post(&format!("/api/cases/{case_id}/observation"), body).await
}

/// `POST /api/cases/{id}/observation/stop`.
pub async fn stop(case_id: &str) -> ApiResult<ObservationView> {
    post(
        &format!("/api/cases/{case_id}/observation/stop"),
        &serde_json::json!({}),
    )
    .await
}

/// `GET /api/observation/alerts`: the triage queue; `all` adds the handled ones.
pub async fn alerts(all: bool) -> ApiResult<AlertQueue> {
    get(if all {
        "/api/observation/alerts?all=1"
    } else {
        "/api/observation/alerts"
    })
    .await
}

/// `POST /api/observation/alerts/{id}/handle`: handled once, with a note.
pub async fn handle_alert(id: &str, body: &HandleAlert) -> ApiResult<AlertView> {
    post(&format!("/api/observation/alerts/{id}/handle"), body).await
}

/// `GET /api/dashboard`: the area's figures and epidemic curve.
pub async fn dashboard() -> ApiResult<Dashboard> {
    get("/api/dashboard").await
}
