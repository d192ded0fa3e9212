//! `POST /api/bench/insert`: the ceiling the filing benchmark compares with — one INSERT of a notification row as
//! filing writes it, and nothing else (no session, validation, routing, outbox or audit). It exists only when the
//! worker runs with the variable `BENCH_ROUTES = "1"` (set by `tests/bench/filing.mjs`); otherwise it is 404.

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
    let db = store::db(env)?;
    bench::insert_notification(&db, &format!("b_{}", token()?), &body, now_ms()).await?;
    Ok(Response::empty()?.with_status(201))
}

/// `POST /api/bench/explain` (same switch): the SQL a search would run for the signed-in caller, its binds and
/// SQLite's `EXPLAIN QUERY PLAN`, so tests can check every search is answered from an index and the benchmark can
/// time the same statements on raw SQLite.
pub async fn explain(c: Staff, mut req: Request) -> ApiResult<Response> {
    let body: SearchRequest = json_body(&mut req).await?;
    let (page, count) = case_search::for_principal(&c.principal, &body)?;
    let mut queries = Vec::new();
    for q in [page, count] {
        let plan = bench::explain(&c.db, &q).await?;
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
