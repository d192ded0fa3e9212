//! `POST /api/bench/insert`: the ceiling the filing benchmark compares with — one INSERT of a notification row as
//! filing writes it, and nothing else (no session, validation, routing, outbox or audit). It exists only when the
//! worker runs with the variable `BENCH_ROUTES = "1"` (set by `tests/bench/filing.mjs`); otherwise it is 404.

use shared::error::ErrorCode;
use worker::{Env, Request, Response};

use crate::crypto::token;
use crate::error::{ApiError, ApiResult};
use crate::{bindings, now_ms};

pub fn enabled(env: &Env) -> bool {
    env.var("BENCH_ROUTES").is_ok_and(|v| v.to_string() == "1")
}

pub async fn insert(mut req: Request, env: &Env) -> ApiResult<Response> {
    if !enabled(env) {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
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
