//! `POST /api/sync`: drive-through records captured on a device (offline) reach the server in batches.
//!
//! Protocol: every batch names the protocol its records were written in. The server accepts every protocol in
//! [`ACCEPTED_PROTOCOLS`] (the current one and at least the one before, so a tablet that has not updated yet,
//! or a queue written before an app update, still syncs) and answers `SYNC_PROTOCOL_UNSUPPORTED` (426) for others.
//! Records are decoded one by one ([`crate::drive::decode`]), so one bad record is answered `rejected` and the
//! others are applied. Each record is applied at most once: a `client_id` the server has seen at the same or a
//! higher `version` is answered `applied` with `replayed: true` and changes nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::notification::validate::IssueView;

/// The protocol this build writes.
pub const PROTOCOL: u32 = 1;
/// The protocols this build's server accepts (must keep `PROTOCOL - 1` once `PROTOCOL` is bumped; a test checks).
pub const ACCEPTED_PROTOCOLS: &[u32] = &[1];
/// Records per batch; a longer queue goes in several batches (each one resumable on its own).
pub const BATCH_MAX: usize = 100;

/// The request body. `records` are kept as JSON so that each is decoded (and refused) on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncBatch {
    pub protocol: u32,
    pub records: Vec<Value>,
}

/// One person at a drive-through site, as the device holds it (protocol 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriveRecord {
    /// Chosen by the device once (16–64 characters of `A-Za-z0-9_-`); the server's idempotency key.
    pub client_id: String,
    /// 1 at capture, +1 at every change on the device (result entered, conflict resolved, …).
    pub version: u32,
    /// The record's server version the device last saw (`None` until the server first applied it). A change is
    /// applied only if the server's record is still at this version; otherwise the answer is `conflict`.
    #[serde(default)]
    pub base_case_version: Option<i64>,
    /// The health center in charge (one of the institution's prefecture).
    pub health_center_id: String,
    pub site: Site,
    pub person: Person,
    pub specimen: Specimen,
    #[serde(default)]
    pub result: Option<TestOutcome>,
}

/// The site session the record was captured in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// 会場名.
    pub name: String,
    /// 担当者.
    #[serde(default)]
    pub staff: String,
    /// 実施日 (YYYY-MM-DD).
    pub date: String,
}

/// The person (ID管理 items). Empty strings for what was not asked; `name` is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    #[serde(default)]
    pub furigana: String,
    /// YYYY-MM-DD or "".
    #[serde(default)]
    pub date_of_birth: String,
    /// "男", "女" or "".
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub phone: String,
    /// 7 digits or "".
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub address: String,
}

/// The specimen taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Specimen {
    /// The short code on the label (see [`crate::drive::specimen_code`]), 7 characters without the hyphen.
    pub code: String,
    /// 検査方法: one of [`crate::case::tabs::TEST_METHODS`].
    pub method: String,
    /// 検体: one of [`crate::case::tabs::SPECIMENS`].
    pub specimen: String,
    /// Collection time, ms since the epoch.
    pub collected_at: i64,
}

/// The test's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestOutcome {
    /// "陽性", "陰性" or "その他" (判定保留).
    pub result: String,
    /// When the result was recorded, ms since the epoch.
    pub at: i64,
}

/// The answer: one result per record of the batch, in its order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncAnswer {
    pub protocol: u32,
    pub results: Vec<RecordResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordResult {
    /// The record's `client_id` ("" when the record could not even be read).
    pub client_id: String,
    /// The record's `version` this answers (0 when unreadable).
    pub version: u32,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The server holds this version (now, or already: `replayed`). The device may delete its copy once it no
    /// longer needs it (after the result is in and synced).
    Applied {
        case_id: String,
        smartphone_id: String,
        /// The server record's version after this write: the next change's `base_case_version`.
        case_version: i64,
        replayed: bool,
    },
    /// The record was changed on the server since `base_case_version`: nothing was written. `fields` are the
    /// items where the server and the device differ, for a person to choose.
    Conflict {
        case_id: String,
        case_version: i64,
        updated_by_name: String,
        updated_at: i64,
        fields: Vec<FieldConflict>,
    },
    /// Refused (nothing written): a stable code, a Japanese message and findings by field.
    Rejected {
        code: String,
        message: String,
        #[serde(default)]
        issues: Vec<IssueView>,
    },
}

/// One item where the device's record and the server's differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldConflict {
    /// One of [`crate::drive::FIELDS`]' keys.
    pub key: String,
    pub label: String,
    pub device: String,
    pub server: String,
}

/// `POST /api/me/device-key`: the key that opens this device's drive-through store, released to a signed-in user
/// (one per user and device; the device keeps it at most 12 hours, and never where the passkey can open the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceKeyRequest {
    /// Chosen by the device once (16–64 characters of `A-Za-z0-9_-`).
    pub device_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKey {
    /// 32 bytes, base64url.
    pub key: String,
}
