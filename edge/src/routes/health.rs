//! `GET /api/health`: the build version and a real read through D1 and through KV. It writes nothing: anyone may
//! call it, as often as they like, and it must not grow the store or use up its write budget.

use shared::api::{HealthResponse, StoreCheck};
use worker::{Date, Env, Response};

use crate::error::ApiResult;
use crate::platform::bindings;
use crate::store::probe;

pub async fn get(env: &Env) -> ApiResult<Response> {
    let d1 = timed(check_d1(env)).await;
    let kv = timed(check_kv(env)).await;
    let body = HealthResponse::new(shared::VERSION, d1, kv);
    let status = if body.status == "ok" { 200 } else { 503 };
    Ok(Response::from_json(&body)?.with_status(status))
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

/// The core and every shard `SHARDS` names: a shard that is not bound, or does not answer, fails the check (named).
async fn check_d1(env: &Env) -> Result<(), String> {
    let db = env.d1(bindings::DB).map_err(|e| format!("binding: {e}"))?;
    probe::read(&db).await.map(|_| ())?;
    for shard in crate::platform::config().shards.all() {
        if shard.as_str() == bindings::DB {
            continue;
        }
        let db = env
            .d1(shard.as_str())
            .map_err(|e| format!("shard {shard}: binding: {e}"))?;
        probe::read(&db)
            .await
            .map_err(|e| format!("shard {shard}: {e}"))?;
    }
    Ok(())
}

/// A read of a key nobody writes: the round trip to KV is real, and an absent value is the expected answer.
async fn check_kv(env: &Env) -> Result<(), String> {
    let kv = env.kv(bindings::KV).map_err(|e| format!("binding: {e}"))?;
    match kv.get("health:probe").text().await {
        Ok(_) => Ok(()),
        Err(e) => Err(format!("read: {e}")),
    }
}
