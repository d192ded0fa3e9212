//! Drive-through sync: `sync_records` (a device's record tied to its patient record, and the protocol's idempotency
//! record) and `device_keys` (the key that opens a device's drive-through store).

use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use super::cases::Written;
use super::{f, opt};
use crate::error::ApiResult;

/// The server's state of a device's record it has seen (its sync row joined with the patient record).
#[derive(Deserialize)]
pub struct Existing {
    pub client_id: String,
    pub client_version: i64,
    /// The record's version this device's last write produced.
    pub synced_version: i64,
    pub institution_id: String,
    pub case_id: String,
    pub test_index: i64,
    pub specimen_code: String,
    pub version: i64,
    pub tabs: String,
    pub deleted_at: Option<i64>,
    pub updated_at: i64,
    pub updated_by_name: Option<String>,
}

/// The sync rows (with their records) of these client ids.
pub async fn existing(db: &D1Database, client_ids: &[&str]) -> ApiResult<Vec<Existing>> {
    let list = serde_json::to_string(client_ids).unwrap_or_else(|_| "[]".into());
    Ok(db
        .prepare(
            "SELECT s.client_id, s.client_version, s.case_version AS synced_version, s.institution_id, s.case_id, \
             s.test_index, s.specimen_code, c.version, c.tabs, c.deleted_at, c.updated_at, \
             u.display_name AS updated_by_name \
             FROM sync_records s JOIN cases c ON c.id = s.case_id LEFT JOIN users u ON u.id = c.updated_by_user_id \
             WHERE s.client_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(&[list.into()])?
        .all()
        .await?
        .results()?)
}

/// What a device's record holds of its specimen, as the sync row keeps it.
pub struct Specimen<'a> {
    pub client_id: &'a str,
    pub client_version: i64,
    pub code: &'a str,
    pub collected_at: i64,
    pub result: Option<&'a str>,
    pub result_at: Option<i64>,
}

/// The sync row of a record a device created (the record's version 1, its first 検査 entry).
pub fn insert_record(
    db: &D1Database,
    s: &Specimen,
    institution_id: &str,
    user: &str,
    case_id: &str,
    now: i64,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "INSERT INTO sync_records (client_id, institution_id, user_id, case_id, client_version, case_version, \
             test_index, specimen_code, collected_at, result, result_at, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, 1, 0, ?6, ?7, ?8, ?9, ?10, ?10)",
        )
        .bind(&[
            s.client_id.into(),
            institution_id.into(),
            user.into(),
            case_id.into(),
            f(s.client_version),
            s.code.into(),
            f(s.collected_at),
            opt(s.result),
            s.result_at.map_or(JsValue::NULL, f),
            f(now),
        ])?)
}

/// The sync row moved to the device's newer version, once the record's versioned write `w` has taken effect;
/// `test_index`: where the specimen's 検査 entry now is.
pub fn update_record(
    db: &D1Database,
    w: &Written,
    s: &Specimen,
    test_index: i64,
) -> ApiResult<D1PreparedStatement> {
    let mut binds: Vec<JsValue> = vec![
        s.client_id.into(),
        f(s.client_version),
        f(w.version),
        f(test_index),
        opt(s.result),
        s.result_at.map_or(JsValue::NULL, f),
        s.code.into(),
        f(s.collected_at),
        f(w.at),
    ];
    let (cond, more) = w.guard(10);
    binds.extend(more);
    Ok(db
        .prepare(format!(
            "UPDATE sync_records SET client_version = ?2, case_version = ?3, test_index = ?4, result = ?5, \
             result_at = ?6, specimen_code = ?7, collected_at = ?8, updated_at = ?9 \
             WHERE client_id = ?1 AND client_version < ?2 AND {cond}"
        ))
        .bind(&binds)?)
}

/// The device key of this user and device: created on first use, its release time updated on every one.
pub async fn release_device_key(
    db: &D1Database,
    user: &str,
    device_id: &str,
    fresh: &str,
    now: i64,
) -> ApiResult<Option<String>> {
    db.prepare(
        "INSERT INTO device_keys (user_id, device_id, key, created_at, released_at) VALUES (?1, ?2, ?3, ?4, ?4) \
         ON CONFLICT (user_id, device_id) DO UPDATE SET released_at = ?4",
    )
    .bind(&[user.into(), device_id.into(), fresh.into(), f(now)])?
    .run()
    .await?;
    #[derive(Deserialize)]
    struct Row {
        key: String,
    }
    let row: Option<Row> = db
        .prepare("SELECT key FROM device_keys WHERE user_id = ?1 AND device_id = ?2")
        .bind(&[user.into(), device_id.into()])?
        .first(None)
        .await?;
    Ok(row.map(|r| r.key))
}
