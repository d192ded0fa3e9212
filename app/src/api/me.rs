//! The signed-in account (`edge/src/routes/me.rs`): who it is, its keys, the drafts' key.

use shared::api::auth::{
    CredentialList, Me, RenameCredentialRequest, StepUpDone, StepUpOptions, StepUpRequest,
};
use shared::api::notifications::DraftKey;

use super::{get, get_text, post, send, ApiResult};

/// `GET /api/me`: the signed-in user.
pub async fn me() -> ApiResult<Me> {
    get("/api/me").await
}

/// `GET /api/me` with the answer unread: whether the server answers at all (the network state's probe).
pub async fn probe() -> ApiResult<()> {
    get_text("/api/me").await.map(|_| ())
}

/// `GET /api/me/credentials`: the account's keys.
pub async fn credentials() -> ApiResult<CredentialList> {
    get("/api/me/credentials").await
}

/// `PATCH /api/me/credentials/{id}`.
pub async fn rename_credential(id: &str, body: &RenameCredentialRequest) -> ApiResult<()> {
    send("PATCH", &format!("/api/me/credentials/{id}"), Some(body)).await
}

/// `DELETE /api/me/credentials/{id}`.
pub async fn delete_credential(id: &str) -> ApiResult<()> {
    send::<()>("DELETE", &format!("/api/me/credentials/{id}"), None).await
}

/// `GET /api/me/draft-key`: the key that encrypts this user's filing drafts on the device.
pub async fn draft_key() -> ApiResult<DraftKey> {
    get("/api/me/draft-key").await
}

/// `POST /api/me/step-up/options`: how to prove the account again before adding a key.
pub async fn step_up_options() -> ApiResult<StepUpOptions> {
    post("/api/me/step-up/options", &()).await
}

/// `POST /api/me/step-up`: the proof (an assertion with one of the account's keys, or the password).
pub async fn step_up(body: &StepUpRequest) -> ApiResult<StepUpDone> {
    post("/api/me/step-up", body).await
}
