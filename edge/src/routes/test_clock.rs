//! `PUT /api/test/clock` `{ "offset_ms": n }`: moves the worker's clock by `n` milliseconds from the real one, for
//! the tests of everything that expires (sessions, lockouts, challenges, invitations, the phone's session). It
//! exists only on a test edge (`ENVIRONMENT = "test"` and `TEST_CLOCK = "1"`, a combination `shared::config` refuses
//! anywhere else); otherwise it is 404 like any unknown path. The offset is kept in KV so that every isolate of the
//! test edge reads the same clock.

use serde::{Deserialize, Serialize};
use shared::error::ErrorCode;
use worker::{Env, Request, Response};

use crate::error::{ApiError, ApiResult};
use crate::platform::{bindings, config, now_ms, set_test_offset, TEST_CLOCK_KEY};
use crate::request::json_body;

#[derive(Deserialize)]
struct SetClock {
    offset_ms: i64,
}

#[derive(Serialize)]
struct Clock {
    offset_ms: i64,
    now_ms: i64,
}

/// Ten years either way is more than any expiry the tests need.
const MAX_OFFSET_MS: i64 = 10 * 366 * 24 * 3600 * 1000;

pub async fn set(mut req: Request, env: &Env) -> ApiResult<Response> {
    if !config().test_clock {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    let body: SetClock = json_body(&mut req).await?;
    if body.offset_ms.abs() > MAX_OFFSET_MS {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "offset_ms",
            "offset beyond ten years",
        ));
    }
    env.kv(bindings::KV)?
        .put(TEST_CLOCK_KEY, body.offset_ms.to_string())
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?
        .execute()
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?;
    set_test_offset(body.offset_ms);
    Ok(Response::from_json(&Clock {
        offset_ms: body.offset_ms,
        now_ms: now_ms(),
    })?)
}

/// `POST /api/test/settle` (test edge only): forwards the shards' audit entries to the core's chain and seals it, so
/// a test can read `audit_log` in the core right after an action (the worker otherwise does it after its answer).
pub async fn settle(env: &Env) -> ApiResult<Response> {
    if !config().test_clock {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    crate::store::audit::settle(env).await?;
    Ok(Response::empty()?.with_status(204))
}

#[derive(Deserialize)]
struct MoveRequest {
    #[serde(default)]
    case_id: String,
    #[serde(default)]
    to: String,
    /// Run the cron's sweep of unfinished moves instead (`store::moves::resume_all`); answers how many finished.
    #[serde(default)]
    resume_all: bool,
    /// Stop after this step (1 copied, 2 switched, 3 deleted), as if the worker died there.
    stop_after: Option<u8>,
}

/// `POST /api/test/move` (test edge only): moves a record to a shard, optionally stopping after a step, for the
/// kill-at-every-step test of `store::moves`.
pub async fn move_record(mut req: Request, env: &Env) -> ApiResult<Response> {
    if !config().test_clock {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    let body: MoveRequest = json_body(&mut req).await?;
    let stores = crate::store::shards::Stores::new(env)?;
    if body.resume_all {
        let finished = crate::store::moves::resume_all(&stores).await?;
        return Ok(Response::from_json(
            &serde_json::json!({ "finished": finished }),
        )?);
    }
    let Some(from) = stores.of_case(&body.case_id).await? else {
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    let to = shared::shard::ShardId(body.to);
    crate::store::moves::move_record(
        &stores,
        &body.case_id,
        &from.id,
        &to,
        &crate::store::moves::Hooks {
            stop_after: body.stop_after,
        },
    )
    .await?;
    Ok(Response::empty()?.with_status(204))
}

#[derive(Deserialize)]
struct SqlRequest {
    db: String,
    sql: String,
}

/// `POST /api/test/sql` `{db, sql}` (test edge only): runs SQL on one of the worker's own databases and answers its
/// rows (`{results}`). The tests' direct reads and writes go through the running worker instead of a second
/// wrangler process on the same SQLite files, which collides with the worker's own writes (SQLITE_BUSY).
pub async fn sql(mut req: Request, env: &Env) -> ApiResult<Response> {
    if !config().test_clock {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    let body: SqlRequest = json_body(&mut req).await?;
    let known =
        body.db == bindings::DB || config().shards.all().iter().any(|s| s.as_str() == body.db);
    if !known {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "db",
            "not a database of this worker",
        ));
    }
    let results = crate::store::probe::test_sql(&env.d1(&body.db)?, &body.sql).await?;
    Ok(Response::from_json(
        &serde_json::json!({ "results": results }),
    )?)
}
