//! Sessions and pending sign-ins in KV, keyed by the SHA-256 of a random 256-bit token that only the browser holds
//! (in an HttpOnly, SameSite=Strict cookie). Every request re-reads the account from D1, so deactivation, reset
//! and sign-out everywhere (the account's `session_epoch`) take effect at once despite KV's eventual consistency.

use serde::{Deserialize, Serialize};
use shared::auth::Principal;
use shared::error::ErrorCode;
use worker::{Env, Request};

use crate::crypto::{sha256_hex, token};
use crate::error::{ApiError, ApiResult};
use crate::platform::bindings;
use crate::request::cookie;
use crate::store::accounts::{self, UserRow};

/// `__Host-`: the browser accepts the cookie only with `Secure`, `Path=/` and no `Domain`, so no other host (a
/// subdomain, a plain-HTTP neighbour) can set or shadow it. Browsers treat `http://localhost` as secure, so the same
/// names work locally.
pub const SESSION_COOKIE: &str = "__Host-hs_session";
pub const PENDING_COOKIE: &str = "__Host-hs_pending";
pub const IDLE_SECS: i64 = 30 * 60;
pub const ABSOLUTE_SECS: i64 = 12 * 60 * 60;
/// A pending sign-in (password proven, second factor not yet) lasts as long as a WebAuthn challenge.
pub const PENDING_SECS: i64 = 5 * 60;
/// Refresh the idle timer at most this often (KV takes about one write per second per key).
const TOUCH_EVERY_MS: i64 = 60 * 1000;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionRecord {
    user_id: String,
    epoch: i64,
    created_at_ms: i64,
    last_seen_ms: i64,
    /// When the holder last proved, in this session, that they hold the account (a key, or the password when the
    /// account has none): adding a key needs this within [`STEP_UP_SECS`], and spends it.
    #[serde(default)]
    step_up_at_ms: Option<i64>,
}

/// How long a step-up allows adding a key.
pub const STEP_UP_SECS: i64 = 5 * 60;

/// What a pending sign-in has proven so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingStage {
    /// The password (initial or current) is proven.
    PasswordVerified,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingRecord {
    pub user_id: String,
    pub stage: PendingStage,
    pub epoch: i64,
    /// The password came while its sign-in ID was past its failure limit: only a key may finish this sign-in (no
    /// recovery code, no first key, no password change).
    #[serde(default)]
    pub throttled: bool,
}

/// A pending record as stored: with the time it was made, so that its five minutes are the worker's to judge (KV's
/// own expiry is eventual and at least 60 s, and does not follow the test clock).
#[derive(Serialize, Deserialize)]
struct StoredPending {
    #[serde(flatten)]
    record: PendingRecord,
    #[serde(default)]
    created_at_ms: i64,
}

/// A verified session for this request: the account as D1 has it now.
pub struct Session {
    pub principal: Principal,
    pub user: UserRow,
}

fn kv_key(prefix: &str, token: &str) -> String {
    format!("{prefix}:{}", sha256_hex(token.as_bytes()))
}

pub fn set_cookie(_req: &Request, name: &str, value: &str, max_age_secs: i64) -> String {
    format!("{name}={value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age_secs}")
}

pub fn clear_cookie(req: &Request, name: &str) -> String {
    set_cookie(req, name, "", 0)
}

/// Starts a session; returns the Set-Cookie value. `stepped_up`: the sign-in itself counts as a fresh step-up (a
/// recovery code after the password: the person has lost their key and must be able to add another at once).
pub async fn create(
    env: &Env,
    req: &Request,
    user: &UserRow,
    now_ms: i64,
    stepped_up: bool,
) -> ApiResult<String> {
    let t = token()?;
    let record = SessionRecord {
        user_id: user.id.clone(),
        epoch: user.session_epoch,
        created_at_ms: now_ms,
        last_seen_ms: now_ms,
        step_up_at_ms: stepped_up.then_some(now_ms),
    };
    put_json(env, &kv_key("session", &t), &record, IDLE_SECS).await?;
    Ok(set_cookie(req, SESSION_COOKIE, &t, ABSOLUTE_SECS))
}

/// The session of this request, or `UNAUTHENTICATED`.
pub async fn require(env: &Env, req: &Request, now_ms: i64) -> ApiResult<Session> {
    let unauthenticated = || ApiError::new(ErrorCode::Unauthenticated);
    let t = cookie(req, SESSION_COOKIE).ok_or_else(unauthenticated)?;
    let key = kv_key("session", &t);
    let kv = env.kv(bindings::KV)?;
    let raw = kv
        .get(&key)
        .text()
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?;
    let mut record: SessionRecord = raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .ok_or_else(unauthenticated)?;
    let expired = now_ms - record.created_at_ms > ABSOLUTE_SECS * 1000
        || now_ms - record.last_seen_ms > IDLE_SECS * 1000;
    if expired {
        let _ = kv.delete(&key).await;
        return Err(unauthenticated());
    }
    let db = env.d1(bindings::DB)?;
    let user = accounts::by_id(&db, &record.user_id)
        .await?
        .ok_or_else(unauthenticated)?;
    if user.status != "active" || user.session_epoch != record.epoch {
        let _ = kv.delete(&key).await;
        return Err(unauthenticated());
    }
    if now_ms - record.last_seen_ms > TOUCH_EVERY_MS {
        record.last_seen_ms = now_ms;
        put_session(env, &key, &record, now_ms).await?;
    }
    Ok(Session {
        principal: user.principal()?,
        user,
    })
}

/// This request's session record and its KV key (the caller has checked the session with [`require`]).
async fn current(env: &Env, req: &Request) -> ApiResult<(String, SessionRecord)> {
    let unauthenticated = || ApiError::new(ErrorCode::Unauthenticated);
    let t = cookie(req, SESSION_COOKIE).ok_or_else(unauthenticated)?;
    let key = kv_key("session", &t);
    let raw = env
        .kv(bindings::KV)?
        .get(&key)
        .text()
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?;
    let record = raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .ok_or_else(unauthenticated)?;
    Ok((key, record))
}

async fn put_session(env: &Env, key: &str, record: &SessionRecord, now_ms: i64) -> ApiResult<()> {
    let remaining = ABSOLUTE_SECS - (now_ms - record.created_at_ms) / 1000;
    put_json(env, key, record, IDLE_SECS.min(remaining).max(60)).await
}

/// Records a step-up proven now in this session.
pub async fn record_step_up(env: &Env, req: &Request, now_ms: i64) -> ApiResult<()> {
    let (key, mut record) = current(env, req).await?;
    record.step_up_at_ms = Some(now_ms);
    record.last_seen_ms = now_ms;
    put_session(env, &key, &record, now_ms).await
}

fn step_up_fresh_at(at: Option<i64>, now_ms: i64) -> bool {
    at.is_some_and(|at| at <= now_ms && now_ms - at <= STEP_UP_SECS * 1000)
}

/// Whether this session proved a step-up within [`STEP_UP_SECS`].
pub async fn step_up_fresh(env: &Env, req: &Request, now_ms: i64) -> ApiResult<bool> {
    let (_, record) = current(env, req).await?;
    Ok(step_up_fresh_at(record.step_up_at_ms, now_ms))
}

/// Spends this session's step-up: true if there was a fresh one (it is gone either way).
pub async fn take_step_up(env: &Env, req: &Request, now_ms: i64) -> ApiResult<bool> {
    let (key, mut record) = current(env, req).await?;
    let fresh = step_up_fresh_at(record.step_up_at_ms, now_ms);
    if record.step_up_at_ms.take().is_some() {
        put_session(env, &key, &record, now_ms).await?;
    }
    Ok(fresh)
}

/// Ends this browser's session (the KV record and the cookie).
pub async fn destroy(env: &Env, req: &Request) -> ApiResult<()> {
    if let Some(t) = cookie(req, SESSION_COOKIE) {
        env.kv(bindings::KV)?
            .delete(&kv_key("session", &t))
            .await
            .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?;
    }
    Ok(())
}

/// Records that the password step passed; returns the Set-Cookie value for the pending cookie.
pub async fn create_pending(env: &Env, req: &Request, record: &PendingRecord) -> ApiResult<String> {
    let t = token()?;
    let stored = StoredPending {
        record: record.clone(),
        created_at_ms: crate::platform::now_ms(),
    };
    put_json(env, &kv_key("pending", &t), &stored, PENDING_SECS).await?;
    Ok(set_cookie(req, PENDING_COOKIE, &t, PENDING_SECS))
}

/// The pending sign-in of this request and the account as D1 has it now.
pub async fn require_pending(env: &Env, req: &Request) -> ApiResult<(PendingRecord, UserRow)> {
    let step = || ApiError::new(ErrorCode::SignInStepRequired);
    let t = cookie(req, PENDING_COOKIE).ok_or_else(step)?;
    let raw = env
        .kv(bindings::KV)?
        .get(&kv_key("pending", &t))
        .text()
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?;
    let stored: StoredPending = raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .ok_or_else(step)?;
    let now = crate::platform::now_ms();
    // Made more than five minutes ago (or in the future of a clock set back): over.
    let age = now - stored.created_at_ms;
    if !(0..=PENDING_SECS * 1000).contains(&age) {
        return Err(step());
    }
    let record = stored.record;
    let db = env.d1(bindings::DB)?;
    let user = accounts::by_id(&db, &record.user_id)
        .await?
        .ok_or_else(step)?;
    // A lock (too many failures, or an administrator's) stops every remaining step of a sign-in in progress; an
    // administrator's lock also bumps the epoch, so after an unlock the sign-in starts over.
    if user.is_locked(now) {
        return Err(ApiError::new(ErrorCode::AccountLocked));
    }
    if user.status != "active" || user.session_epoch != record.epoch {
        return Err(step());
    }
    Ok((record, user))
}

pub async fn destroy_pending(env: &Env, req: &Request) -> ApiResult<()> {
    if let Some(t) = cookie(req, PENDING_COOKIE) {
        env.kv(bindings::KV)?
            .delete(&kv_key("pending", &t))
            .await
            .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?;
    }
    Ok(())
}

async fn put_json<T: Serialize>(env: &Env, key: &str, value: &T, ttl_secs: i64) -> ApiResult<()> {
    let text = serde_json::to_string(value)
        .map_err(|e| ApiError::with_detail(ErrorCode::Internal, e.to_string()))?;
    env.kv(bindings::KV)?
        .put(key, text)
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?
        .expiration_ttl(ttl_secs.max(60) as u64)
        .execute()
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))
}

// ---- the person's phone under health observation -----------------------------------------------------------

/// The phone's session cookie (separate from staff sessions: it reaches only `/api/observe/*`).
pub const OBSERVE_COOKIE: &str = "__Host-hs_observe";
/// A phone session lasts three days (a passkey or the slip signs in again).
pub const OBSERVE_SESSION_SECS: i64 = 3 * 24 * 3600;

#[derive(Serialize, Deserialize)]
struct PhoneSessionRecord {
    case_id: String,
    created_at_ms: i64,
}

/// Starts a phone session for the holder `case_id` (after the slip and birth date, or a passkey); returns the
/// Set-Cookie value.
pub async fn create_phone(
    env: &Env,
    req: &Request,
    case_id: &str,
    now_ms: i64,
) -> ApiResult<String> {
    let t = token()?;
    let record = PhoneSessionRecord {
        case_id: case_id.to_owned(),
        created_at_ms: now_ms,
    };
    put_json(env, &kv_key("observe", &t), &record, OBSERVE_SESSION_SECS).await?;
    Ok(set_cookie(req, OBSERVE_COOKIE, &t, OBSERVE_SESSION_SECS))
}

/// The holder's record id of this phone's session, or `UNAUTHENTICATED`.
pub async fn require_phone(env: &Env, req: &Request, now_ms: i64) -> ApiResult<String> {
    let unauthenticated = || ApiError::new(ErrorCode::Unauthenticated);
    let t = cookie(req, OBSERVE_COOKIE).ok_or_else(unauthenticated)?;
    let raw = env
        .kv(bindings::KV)?
        .get(&kv_key("observe", &t))
        .text()
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?;
    let s: PhoneSessionRecord = raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .ok_or_else(unauthenticated)?;
    if now_ms - s.created_at_ms > OBSERVE_SESSION_SECS * 1000 {
        return Err(unauthenticated());
    }
    Ok(s.case_id)
}

/// Ends this phone's session; returns the Set-Cookie value that clears the cookie.
pub async fn destroy_phone(env: &Env, req: &Request) -> ApiResult<String> {
    if let Some(t) = cookie(req, OBSERVE_COOKIE) {
        let _ = env.kv(bindings::KV)?.delete(&kv_key("observe", &t)).await;
    }
    Ok(clear_cookie(req, OBSERVE_COOKIE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_up_holds_five_minutes_and_never_from_the_future() {
        let now = 1_000_000_000;
        assert!(step_up_fresh_at(Some(now), now));
        assert!(step_up_fresh_at(Some(now - STEP_UP_SECS * 1000), now));
        assert!(!step_up_fresh_at(Some(now - STEP_UP_SECS * 1000 - 1), now));
        assert!(!step_up_fresh_at(Some(now + 1), now));
        assert!(!step_up_fresh_at(None, now));
    }

    #[test]
    fn a_session_record_written_before_step_ups_still_reads() {
        let old = r#"{"user_id":"u","epoch":0,"created_at_ms":1,"last_seen_ms":2}"#;
        let r: SessionRecord = serde_json::from_str(old).unwrap();
        assert_eq!(r.step_up_at_ms, None);
    }
}
