//! The person's phone (`edge/src/routes/observation.rs`, `observe_passkey.rs`): its own session (`__Host-hs_observe`),
//! sign-in with the slip or a passkey, the people it reports for, report batches.

use shared::api::auth::{AssertionRequest, RegisterCredentialRequest, WebauthnOptions};
use shared::api::observation::{ObserveMe, ObserveSignIn, ReportBatch, ReportBatchAnswer};

use super::{get, post, send, ApiResult};

/// `POST /api/observe/signin`: the slip's スマホ入力ID and the birth date.
pub async fn sign_in(body: &ObserveSignIn) -> ApiResult<ObserveMe> {
    post("/api/observe/signin", body).await
}

/// `POST /api/observe/signout`.
pub async fn sign_out() -> ApiResult<()> {
    send::<()>("POST", "/api/observe/signout", None).await
}

/// `GET /api/observe/me`: the people this phone reports for.
pub async fn me() -> ApiResult<ObserveMe> {
    get("/api/observe/me").await
}

/// `POST /api/observe/reports`: a batch of reports, answered one by one.
pub async fn send_reports(batch: &ReportBatch) -> ApiResult<ReportBatchAnswer> {
    post("/api/observe/reports", batch).await
}

/// `POST /api/observe/passkey/signin/options`.
pub async fn passkey_sign_in_options() -> ApiResult<WebauthnOptions> {
    post(
        "/api/observe/passkey/signin/options",
        &serde_json::json!({}),
    )
    .await
}

/// `POST /api/observe/passkey/signin`: a sign-in with the phone's passkey.
pub async fn passkey_sign_in(body: &AssertionRequest) -> ApiResult<ObserveMe> {
    post("/api/observe/passkey/signin", body).await
}

/// `POST /api/observe/passkey/options`: the registration options, from a phone session.
pub async fn passkey_options() -> ApiResult<WebauthnOptions> {
    post("/api/observe/passkey/options", &serde_json::json!({})).await
}

/// `POST /api/observe/passkey`: registers the phone's passkey.
pub async fn register_passkey(body: &RegisterCredentialRequest) -> ApiResult<ObserveMe> {
    post("/api/observe/passkey", body).await
}
