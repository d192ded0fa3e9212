//! Drive-through sync (`edge/src/routes/sync.rs`): record batches and the device key of the on-device store.

use shared::api::sync::{DeviceKey, DeviceKeyRequest, SyncAnswer, SyncBatch};

use super::{post, ApiResult};

/// `POST /api/sync`: a batch of the device's records, answered record by record.
pub async fn send_batch(batch: &SyncBatch) -> ApiResult<SyncAnswer> {
    post("/api/sync", batch).await
}

/// `POST /api/me/device-key`: this user's key for this device's store (audited).
pub async fn device_key(body: &DeviceKeyRequest) -> ApiResult<DeviceKey> {
    post("/api/me/device-key", body).await
}
