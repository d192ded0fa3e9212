//! `POST /api/bench/insert`: the ceiling the filing benchmark compares with — one INSERT of a notification row as
//! filing writes it, and nothing else (no session, validation, routing, outbox or audit). It exists only when the
//! worker runs with the variable `BENCH_ROUTES = "1"` (set by `tests/bench/filing.mjs`); otherwise it is 404.

use shared::error::ErrorCode;
use worker::{Env, Request, Response};

use crate::caller::Staff;
use crate::crypto::token;
use crate::error::{ApiError, ApiResult};
use crate::platform::{bindings, now_ms};

/// 404 unless the worker runs with `BENCH_ROUTES = "1"`.
pub fn enabled(env: &Env) -> ApiResult<()> {
    if env.var("BENCH_ROUTES").is_ok_and(|v| v.to_string() == "1") {
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
    let db = env.d1(bindings::DB)?;
    db.prepare(
        "INSERT INTO notifications (id, form_version, body, category, patient_name, furigana_key, date_of_birth, \
         phone_digits, institution_id, filed_by_user_id, filed_at, pref_code, health_center_id, routing_reason) \
         VALUES (?1, '2021-11-29', ?2, 'confirmed_patient', 'ベンチ', 'ベンチ', '1980-01-15', '', \
         'inst_demo_shinjuku', 'u_demo_doctor_shinjuku', ?3, '13', 'HC13104', 'bench')",
    )
    .bind(&[
        format!("b_{}", token()?).into(),
        body.into(),
        (now_ms() as f64).into(),
    ])?
    .run()
    .await?;
    Ok(Response::empty()?.with_status(201))
}

/// `POST /api/bench/explain` (same switch): the SQL a search would run for the signed-in caller, its binds and
/// SQLite's `EXPLAIN QUERY PLAN`, so tests can check every search is answered from an index and the benchmark can
/// time the same statements on raw SQLite.
pub async fn explain(c: Staff, mut req: Request) -> ApiResult<Response> {
    let body: shared::api::cases::SearchRequest = crate::request::json_body(&mut req).await?;
    let (page, count) = crate::store::case_search::for_principal(&c.principal, &body)?;
    #[derive(serde::Deserialize)]
    struct Plan {
        detail: String,
    }
    let mut queries = Vec::new();
    for q in [page, count] {
        let binds: Vec<wasm_bindgen::JsValue> = q
            .binds
            .iter()
            .map(|b| match b {
                crate::store::case_search::Bind::Text(s) => s.as_str().into(),
                crate::store::case_search::Bind::Int(i) => (*i as f64).into(),
            })
            .collect();
        let plan: Vec<Plan> =
            c.db.prepare(format!("EXPLAIN QUERY PLAN {}", q.sql))
                .bind(&binds)?
                .all()
                .await?
                .results()?;
        let json_binds: Vec<serde_json::Value> = q
            .binds
            .iter()
            .map(|b| match b {
                crate::store::case_search::Bind::Text(s) => serde_json::Value::String(s.clone()),
                crate::store::case_search::Bind::Int(i) => serde_json::Value::from(*i),
            })
            .collect();
        queries.push(serde_json::json!({
            "sql": q.sql,
            "binds": json_binds,
            "plan": plan.into_iter().map(|p| p.detail).collect::<Vec<_>>(),
        }));
    }
    Ok(Response::from_json(
        &serde_json::json!({ "queries": queries }),
    )?)
}
