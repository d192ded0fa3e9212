//! `GET /api/health`: the build version and a real write + read through D1 and through KV.

use shared::api::{HealthResponse, StoreCheck};
use worker::{Date, Env, Response};

use crate::error::ApiResult;
use crate::platform::bindings;
use crate::store::probe;

pub async fn get(env: &Env) -> ApiResult<Response> {
    let nonce = nonce();
    let d1 = timed(check_d1(env, &nonce)).await;
    let kv = timed(check_kv(env, &nonce)).await;
    let body = HealthResponse::new(shared::VERSION, d1, kv);
    let status = if body.status == "ok" { 200 } else { 503 };
    Ok(Response::from_json(&body)?.with_status(status))
}

fn nonce() -> String {
    format!(
        "{}-{:016x}",
        Date::now().as_millis(),
        (js_sys_random() * u64::MAX as f64) as u64
    )
}

fn js_sys_random() -> f64 {
    worker::js_sys::Math::random()
}

async fn timed(check: impl std::future::Future<Output = Result<(), String>>) -> StoreCheck {
    let start = Date::now().as_millis();
    let result = check.await;
    let round_trip_ms = Date::now().as_millis().saturating_sub(start) as f64;
    match result {
        Ok(()) => StoreCheck {
            ok: true,
            round_trip_ms,
            detail: None,
        },
        Err(detail) => StoreCheck {
            ok: false,
            round_trip_ms,
            detail: Some(detail),
        },
    }
}

async fn check_d1(env: &Env, nonce: &str) -> Result<(), String> {
    let db = env.d1(bindings::DB).map_err(|e| format!("binding: {e}"))?;
    let now = Date::now().as_millis() as i64;
    probe::write(&db, nonce, now).await?;
    let read = probe::read(&db, nonce).await?;
    probe::delete(&db, nonce).await?;
    match read {
        Some(v) if v == nonce => Ok(()),
        other => Err(format!(
            "read back {other:?}, expected the value just written"
        )),
    }
}

async fn check_kv(env: &Env, nonce: &str) -> Result<(), String> {
    let kv = env.kv(bindings::KV).map_err(|e| format!("binding: {e}"))?;
    let key = format!("health:probe:{nonce}");
    // 60 s is KV's smallest expiry; the probe key cleans itself up.
    kv.put(&key, nonce)
        .map_err(|e| format!("put: {e}"))?
        .expiration_ttl(60)
        .execute()
        .await
        .map_err(|e| format!("write: {e}"))?;
    let read = kv
        .get(&key)
        .text()
        .await
        .map_err(|e| format!("read: {e}"))?;
    match read {
        Some(v) if v == nonce => Ok(()),
        other => Err(format!(
            "read back {other:?}, expected the value just written"
        )),
    }
}
