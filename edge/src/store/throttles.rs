//! Counters of failed attempts (`observe_failures`): a key (`id:<スマホ入力ID>`, `addr:<address>`) counts failures
//! within a window; at the limit the attempt is refused before it is checked.

use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

use super::f;
use crate::error::ApiResult;

/// Failed sign-ins: per スマホ入力ID 5 in 30 minutes, per address 30 in an hour.
pub const ID_MAX_FAILURES: i64 = 5;
pub const ID_WINDOW_MS: i64 = 30 * 60 * 1000;
pub const ADDR_MAX_FAILURES: i64 = 30;
pub const ADDR_WINDOW_MS: i64 = 60 * 60 * 1000;
pub async fn failures(db: &D1Database, key: &str, window: i64, now: i64) -> ApiResult<i64> {
    #[derive(Deserialize)]
    struct Row {
        count: i64,
        window_start: i64,
    }
    let row: Option<Row> = db
        .prepare("SELECT count, window_start FROM observe_failures WHERE key = ?1")
        .bind(&[key.into()])?
        .first(None)
        .await?;
    Ok(row
        .filter(|r| now - r.window_start < window)
        .map_or(0, |r| r.count))
}

pub fn failure_statement(
    db: &D1Database,
    key: &str,
    window: i64,
    now: i64,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "INSERT INTO observe_failures (key, window_start, count) VALUES (?1, ?2, 1) \
             ON CONFLICT(key) DO UPDATE SET \
             count = CASE WHEN ?2 - window_start >= ?3 THEN 1 ELSE count + 1 END, \
             window_start = CASE WHEN ?2 - window_start >= ?3 THEN ?2 ELSE window_start END",
        )
        .bind(&[key.into(), f(now), f(window)])?)
}

/// Forgets a key's failures (after a successful attempt).
pub async fn clear(db: &D1Database, key: &str) -> ApiResult<()> {
    db.prepare("DELETE FROM observe_failures WHERE key = ?1")
        .bind(&[key.into()])?
        .run()
        .await?;
    Ok(())
}
