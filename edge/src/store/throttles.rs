//! Attempt counters (`observe_failures`, every throttle despite its name): a key counts attempts within a fixed
//! window. An attempt is counted *before* the secret it carries is checked, by one statement that increments and
//! returns the count ([`hit`]), and the caller decides on the returned figure: so parallel requests cannot all read
//! the same old count and slip past the limit together. A success gives its count back ([`refund`]) or clears the
//! key ([`clear`]).
//!
//! Keys (the prefix says which throttle; addresses are [`crate::request::address_bucket`]s):
//! `id:<スマホ入力ID>` and `addr:<address>` (phone sign-in by slip and passkey), `login:<SHA-256 of the typed sign-in
//! ID>` and `staff_addr:<address>` (staff password sign-in), `challenge:<address>` (option challenges made without
//! a session), `audit:<address>` (audit rows of anonymous failures), `dup:<user id>` (the duplicate check), `selfreg:<address>` (self-registrations),
//! `export:<user id>` (downloads of personal data), `export_open:<user id>` (open-data downloads).

use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

use super::f;
use crate::crypto::sha256_hex;
use crate::error::ApiResult;

/// At most `max` attempts per key within `window_ms`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i64,
    pub window_ms: i64,
}

impl Limit {
    /// Whether an attempt whose [`hit`] returned `count` is past the limit (the first `max` are not).
    pub fn exceeded(self, count: i64) -> bool {
        count > self.max
    }
}

const MINUTE: i64 = 60 * 1000;

/// Phone sign-in, per スマホ入力ID: 5 attempts in 30 minutes.
pub const OBSERVE_ID: Limit = Limit {
    max: 5,
    window_ms: 30 * MINUTE,
};
/// Phone sign-in (slip or passkey), per address: 30 failures an hour.
pub const OBSERVE_ADDR: Limit = Limit {
    max: 30,
    window_ms: 60 * MINUTE,
};
/// Staff password sign-in, per typed sign-in ID (existing or not): 10 failures in 15 minutes. Past it a correct
/// password leads only to the key step (see `routes::auth::password`).
pub const STAFF_LOGIN_ID: Limit = Limit {
    max: 10,
    window_ms: 15 * MINUTE,
};
/// Staff password sign-in, per address: 50 failures in 15 minutes.
pub const STAFF_ADDR: Limit = Limit {
    max: 50,
    window_ms: 15 * MINUTE,
};
/// WebAuthn option challenges made without a session (passkey sign-in, staff and phone), per address: 60 in 10
/// minutes.
pub const CHALLENGE_ADDR: Limit = Limit {
    max: 60,
    window_ms: 10 * MINUTE,
};
/// Audit rows for anonymous failures, per address: 50 an hour; past it one summarising row, then only the count.
pub const ANONYMOUS_AUDIT: Limit = Limit {
    max: 50,
    window_ms: 60 * MINUTE,
};
/// The duplicate check, per account: 30 a minute.
pub const DUPLICATES: Limit = Limit {
    max: 30,
    window_ms: MINUTE,
};
/// Self-registrations of positives (the public page), per address: 10 attempts an hour, counted first.
pub const SELF_REGISTRATION: Limit = Limit {
    max: shared::api::self_registration::PER_ADDRESS_PER_HOUR,
    window_ms: 60 * MINUTE,
};
/// Downloads of personal data (FHIR, CSV), per account: 20 an hour, counted once the request is valid and allowed.
pub const EXPORT_PERSONAL: Limit = Limit {
    max: 20,
    window_ms: 60 * MINUTE,
};
/// Downloads of open-data counts (no personal data), per account: 120 an hour.
pub const EXPORT_OPEN_DATA: Limit = Limit {
    max: 120,
    window_ms: 60 * MINUTE,
};
/// The longest window above: a key idle longer than this counts nothing and may be purged.
pub const LONGEST_WINDOW_MS: i64 = 60 * MINUTE;

/// The staff sign-in throttle key of a typed sign-in ID, existing or not: a hash (no sign-in ID in the table), of
/// the ID as `users.login_id` compares it (`COLLATE NOCASE`: ASCII case folded).
pub fn login_key(login_id: &str) -> String {
    format!(
        "login:{}",
        sha256_hex(login_id.trim().to_ascii_lowercase().as_bytes())
    )
}

/// The statement counting one attempt against `key` (a new window once the old one has run out); it returns the
/// count including this attempt (`RETURNING count`).
pub fn hit_statement(
    db: &D1Database,
    key: &str,
    limit: Limit,
    now: i64,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "INSERT INTO observe_failures (key, window_start, count) VALUES (?1, ?2, 1) \
             ON CONFLICT(key) DO UPDATE SET \
             count = CASE WHEN ?2 - window_start >= ?3 THEN 1 ELSE count + 1 END, \
             window_start = CASE WHEN ?2 - window_start >= ?3 THEN ?2 ELSE window_start END \
             RETURNING count",
        )
        .bind(&[key.into(), f(now), f(limit.window_ms)])?)
}

#[derive(Deserialize)]
struct Count {
    count: i64,
}

/// Counts one attempt against `key` and returns the count including it (one atomic statement).
pub async fn hit(db: &D1Database, key: &str, limit: Limit, now: i64) -> ApiResult<i64> {
    let row: Option<Count> = hit_statement(db, key, limit, now)?.first(None).await?;
    Ok(row.map_or(1, |r| r.count))
}

/// The attempts counted against `key` in its current window (0 once the window ran out), without counting one.
pub async fn current(db: &D1Database, key: &str, limit: Limit, now: i64) -> ApiResult<i64> {
    let row: Option<Count> = db
        .prepare(
            "SELECT CASE WHEN ?2 - window_start >= ?3 THEN 0 ELSE count END AS count \
             FROM observe_failures WHERE key = ?1",
        )
        .bind(&[key.into(), f(now), f(limit.window_ms)])?
        .first(None)
        .await?;
    Ok(row.map_or(0, |r| r.count))
}

/// Gives one attempt back (a success that was counted before it was checked).
pub async fn refund(db: &D1Database, key: &str) -> ApiResult<()> {
    db.prepare("UPDATE observe_failures SET count = MAX(count - 1, 0) WHERE key = ?1")
        .bind(&[key.into()])?
        .run()
        .await?;
    Ok(())
}

/// The statement forgetting a key's attempts (for a batch).
pub fn clear_statement(db: &D1Database, key: &str) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare("DELETE FROM observe_failures WHERE key = ?1")
        .bind(&[key.into()])?)
}

/// Forgets a key's attempts (after a successful sign-in).
pub async fn clear(db: &D1Database, key: &str) -> ApiResult<()> {
    clear_statement(db, key)?.run().await?;
    Ok(())
}

/// Removes counters whose window ran out (the cron; at most `max_rows` per call). Returns how many went.
pub async fn purge(db: &D1Database, now: i64, max_rows: i64) -> ApiResult<i64> {
    let result = db
        .prepare(
            "DELETE FROM observe_failures WHERE key IN \
             (SELECT key FROM observe_failures WHERE window_start <= ?1 LIMIT ?2)",
        )
        .bind(&[f(now - LONGEST_WINDOW_MS), f(max_rows)])?
        .run()
        .await?;
    Ok(super::changes(&result))
}
