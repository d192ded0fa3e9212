//! Counts by age band (`edge/src/routes/counts.rs`): a clinic's daily totals and sentinel weeks, the health center's
//! list of who reported and its sentinel designations, the count dashboard.

use shared::api::counts::{
    CountDashboard, DailyDay, DailyStatus, Designate, EndDesignation, PutAnswer, PutCounts,
    SentinelSite, SentinelSites, SentinelWeek,
};

use super::{get, post, put, send, ApiResult};

/// `GET /api/daily-totals/{day}`.
pub async fn daily(day: &str) -> ApiResult<DailyDay> {
    get(&format!("/api/daily-totals/{day}")).await
}

/// `PUT /api/daily-totals/{day}` (idempotent).
pub async fn put_daily(day: &str, body: &PutCounts) -> ApiResult<PutAnswer> {
    put(&format!("/api/daily-totals/{day}"), body).await
}

/// `GET /api/daily-totals/status/{day}`.
pub async fn daily_status(day: &str) -> ApiResult<DailyStatus> {
    get(&format!("/api/daily-totals/status/{day}")).await
}

/// `GET /api/sentinel/sites`.
pub async fn sites() -> ApiResult<SentinelSites> {
    get("/api/sentinel/sites").await
}

/// `POST /api/sentinel/sites`.
pub async fn designate(body: &Designate) -> ApiResult<SentinelSite> {
    post("/api/sentinel/sites", body).await
}

/// `POST /api/sentinel/sites/{institution}/end` (204).
pub async fn end_designation(institution_id: &str, body: &EndDesignation) -> ApiResult<()> {
    send(
        "POST",
        &format!("/api/sentinel/sites/{institution_id}/end"),
        Some(body),
    )
    .await
}

/// `GET /api/sentinel/reports/{week}`.
pub async fn sentinel(week: &str) -> ApiResult<SentinelWeek> {
    get(&format!("/api/sentinel/reports/{week}")).await
}

/// `PUT /api/sentinel/reports/{week}` (idempotent).
pub async fn put_sentinel(week: &str, body: &PutCounts) -> ApiResult<PutAnswer> {
    put(&format!("/api/sentinel/reports/{week}"), body).await
}

/// `GET /api/counts?from=&to=`.
pub async fn dashboard(from: &str, to: &str) -> ApiResult<CountDashboard> {
    get(&format!("/api/counts?from={from}&to={to}")).await
}
