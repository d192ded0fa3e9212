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
use crate::request::{cookie, is_local};
use crate::store::accounts::{self, UserRow};

pub const SESSION_COOKIE: &str = "hs_session";
pub const PENDING_COOKIE: &str = "hs_pending";
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
}

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

/// A verified session for this request: the account as D1 has it now.
pub struct Session {
    pub principal: Principal,
    pub user: UserRow,
}

fn kv_key(prefix: &str, token: &str) -> String {
    format!("{prefix}:{}", sha256_hex(token.as_bytes()))
}

pub fn set_cookie(req: &Request, name: &str, value: &str, max_age_secs: i64) -> String {
    let secure = if is_local(req) { "" } else { "; Secure" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

pub fn clear_cookie(req: &Request, name: &str) -> String {
    set_cookie(req, name, "", 0)
}

/// Starts a session; returns the Set-Cookie value.
pub async fn create(env: &Env, req: &Request, user: &UserRow, now_ms: i64) -> ApiResult<String> {
    let t = token()?;
    let record = SessionRecord {
        user_id: user.id.clone(),
        epoch: user.session_epoch,
        created_at_ms: now_ms,
        last_seen_ms: now_ms,
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
        let remaining = ABSOLUTE_SECS - (now_ms - record.created_at_ms) / 1000;
        put_json(env, &key, &record, IDLE_SECS.min(remaining).max(60)).await?;
    }
    Ok(Session {
        principal: user.principal()?,
        user,
    })
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
    put_json(env, &kv_key("pending", &t), record, PENDING_SECS).await?;
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
    let record: PendingRecord = raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .ok_or_else(step)?;
    let db = env.d1(bindings::DB)?;
    let user = accounts::by_id(&db, &record.user_id)
        .await?
        .ok_or_else(step)?;
    // A lock (too many failures, or an administrator's) stops every remaining step of a sign-in in progress; an
    // administrator's lock also bumps the epoch, so after an unlock the sign-in starts over.
    if user.is_locked(crate::platform::now_ms()) {
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
pub const OBSERVE_COOKIE: &str = "hs_observe";
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
