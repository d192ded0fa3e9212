//! The store: one module per aggregate, each the only home of the SQL for its tables and of its statements'
//! parameter numbering. Handlers parse, authorise, call the store and answer; nothing outside `store/` prepares a
//! statement.
//!
//! | module | tables |
//! |---|---|
//! | [`accounts`] | `users`, `invitations`, `recovery_codes`, `account_requests`, sessions' account reads |
//! | [`institutions`] | `institutions`, `health_centers` (every write through `write_health_center`), `doctors`, `municipality_assignments` (the directory) |
//! | [`credentials`] | `credentials` (staff keys), `observe_credentials` (phones' passkeys), `webauthn_challenges` |
//! | [`throttles`] | `observe_failures` (and any other counter of failed attempts) |
//! | [`audit`] | `audit_log` and its hash chain |
//! | [`cases`] | `cases`, `case_versions`, `case_status` |
//! | [`case_search`] | the search's SQL over `cases` (pure: builds statements, runs none) |
//! | [`observation`] | `observations`, `observation_reports`, `observation_alerts` |
//! | [`notifications`] | `notifications`, `notification_events`, `submit_keys`, `outbox` |
//! | [`sync`] | `sync_records` and the drive-through device keys |
//! | [`daily_totals`] | `daily_totals`, `daily_total_versions` (reads notifications, cases, self_registrations) |
//! | [`sentinel`] | `sentinel_sites`, `sentinel_reports`, `sentinel_report_versions` |
//! | [`self_registrations`] | `self_registrations` (reads `cases` to find the same person) |
//! | [`exports`] | none: reads `cases`, `notifications`, `institutions`, `health_centers` for the exports |
//! | [`moves`] | `record_moves` (core); a record's rows copied between shards and deleted from the source |
//! | [`shards`] | `case_routes` (core), the copies of core rows in the shards; which database a statement goes to |
//!
//! Modules depend only downwards in that table's reverse order (notifications may use cases and observation; cases
//! uses neither), so the module graph has no loop.

use wasm_bindgen::JsValue;
use worker::{D1Database, D1Result, Env};

use crate::error::ApiResult;
use crate::platform::bindings;

pub mod accounts;
pub mod audit;
pub mod bench;
pub mod case_search;
pub mod cases;
pub mod credentials;
pub mod daily_totals;
pub mod exports;
pub mod institutions;
pub mod moves;
pub mod notifications;
pub mod observation;
pub mod probe;
pub mod self_registrations;
pub mod sentinel;
pub mod shards;
pub mod sync;
pub mod throttles;

/// The core D1 database (accounts, institutions, health centers, routing, the audit chain). Records are in the
/// shards ([`shards::Stores`]).
pub fn db(env: &Env) -> ApiResult<D1Database> {
    Ok(env.d1(bindings::DB)?)
}

/// An integer parameter (D1 takes numbers as JavaScript doubles; every integer we bind is far below 2^53).
pub fn f(v: i64) -> JsValue {
    JsValue::from_f64(v as f64)
}

/// A text parameter that may be NULL.
pub fn opt(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

/// How many rows a statement changed (0 when D1 did not say).
pub fn changes(result: &D1Result) -> i64 {
    result
        .meta()
        .ok()
        .flatten()
        .and_then(|m| m.changes)
        .map_or(0, |n| n as i64)
}
