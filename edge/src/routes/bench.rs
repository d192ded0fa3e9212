//! `POST /api/bench/insert`: the ceiling the filing benchmark compares with — one INSERT of a notification row as
//! filing writes it, and nothing else (no session, validation, routing, outbox or audit). It exists only when the
//! worker runs with the variable `BENCH_ROUTES = "1"` (set by `tests/bench/filing.mjs`); otherwise it is 404.
//!
//! Under the same switch, for the export benchmark and tests (issue 22): `GET /api/bench/memory` (the wasm heap's
//! size in bytes), `POST /api/bench/select-all` (the caller's export rows of `{from, to}` read at once with one
//! `.all()`: the plain read the streamed download is compared with) and `POST /api/bench/export-plan` (SQLite's plan
//! of the caller's export page and count).

use serde_json::{json, Value};
use shared::api::cases::SearchRequest;
use shared::error::ErrorCode;
use worker::{Env, Request, Response};

use crate::caller::Staff;
use crate::crypto::token;
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::json_body;
use crate::store::case_search::{self, Bind};
use crate::store::{self, bench};

/// 404 unless the worker runs with `BENCH_ROUTES = "1"`, which `shared::config` refuses in production.
pub fn enabled(_env: &Env) -> ApiResult<()> {
    if crate::platform::config().bench_routes {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::NotFound))
    }
}

pub async fn insert(mut req: Request, env: &Env) -> ApiResult<Response> {
    enabled(env)?;
    let body = req
        .text()
        .await
        .map_err(|_| ApiError::new(ErrorCode::BadRequest))?;
    // The raw insert's baseline goes where a filing of a Tokyo clinic would: the shard of 東京都, routed.
    let stores = store::shards::Stores::new(env)?;
    let id = format!("b_{}", token()?);
    let now = now_ms();
    let (shard, _) = stores.route_new(&id, "13", now).await?;
    stores
        .ensure(
            &shard,
            store::shards::Refs::default()
                .user("u_demo_doctor_shinjuku")
                .health_center("HC13104"),
        )
        .await?;
    bench::insert_notification(&shard.db, &id, &body, now).await?;
    Ok(Response::empty()?.with_status(201))
}

/// `POST /api/bench/explain` (same switch): the SQL a search would run for the signed-in caller, its binds and
/// SQLite's `EXPLAIN QUERY PLAN`, so tests can check every search is answered from an index and the benchmark can
/// time the same statements on raw SQLite.
pub async fn explain(c: Staff, mut req: Request) -> ApiResult<Response> {
    let body: SearchRequest = json_body(&mut req).await?;
    let (page, count) = case_search::for_principal(&c.principal, &body)?;
    let shard = c
        .search_shards()?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::new(ErrorCode::Forbidden))?;
    let mut queries = Vec::new();
    for q in [page, count] {
        let plan = bench::explain(&shard.db, &q).await?;
        let json_binds: Vec<Value> = q
            .binds
            .iter()
            .map(|b| match b {
                Bind::Text(s) => Value::String(s.clone()),
                Bind::Int(i) => Value::from(*i),
            })
            .collect();
        queries.push(json!({
            "sql": q.sql,
            "binds": json_binds,
            "plan": plan,
        }));
    }
    Ok(Response::from_json(&json!({ "queries": queries }))?)
}

/// `GET /api/bench/memory`: the worker's wasm linear memory, in bytes (it only grows).
pub fn memory(env: &Env) -> ApiResult<Response> {
    enabled(env)?;
    #[cfg(target_arch = "wasm32")]
    let bytes = core::arch::wasm32::memory_size(0) * 65536;
    #[cfg(not(target_arch = "wasm32"))]
    let bytes = 0usize;
    Ok(Response::from_json(&json!({ "wasm_bytes": bytes }))?)
}

#[derive(serde::Deserialize)]
struct Span {
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
}

/// `POST /api/bench/select-all`: the caller's export rows of the span, all at once; answers how many and the ms.
pub async fn select_all(c: Staff, mut req: Request) -> ApiResult<Response> {
    let span: Span = json_body(&mut req).await?;
    let scope = c
        .principal
        .scope()
        .ok_or_else(|| ApiError::new(ErrorCode::Forbidden))?;
    let (from, to) = store::exports::span_ms(span.from, span.to);
    let started = now_ms();
    let mut rows = Vec::new();
    for shard in c.search_shards()? {
        rows.extend(store::exports::all_at_once(&shard.db, &scope, from, to).await?);
    }
    let bytes: usize = rows.iter().map(|r| r.body.len()).sum();
    Ok(Response::from_json(&json!({
        "count": rows.len(),
        "body_bytes": bytes,
        "ms": now_ms() - started,
    }))?)
}

/// `POST /api/bench/export-plan`: SQLite's plan of the caller's export page and count.
pub async fn export_plan(c: Staff) -> ApiResult<Response> {
    let scope = c
        .principal
        .scope()
        .ok_or_else(|| ApiError::new(ErrorCode::Forbidden))?;
    let shard = c
        .search_shards()?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::new(ErrorCode::Forbidden))?;
    let (page, count) = store::exports::explain(&shard.db, &scope).await?;
    Ok(Response::from_json(
        &json!({ "page": page, "count": count }),
    )?)
}
