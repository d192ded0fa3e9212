//! The bench-only routes' statements: the bare notification INSERT the filing benchmark compares with, and SQLite's
//! `EXPLAIN QUERY PLAN` of the search's statements.

use serde::Deserialize;
use worker::D1Database;

use super::case_search::{self, Query};
use super::f;
use crate::error::ApiResult;

/// One `notifications` row as filing writes it, and nothing else.
pub async fn insert_notification(db: &D1Database, id: &str, body: &str, now: i64) -> ApiResult<()> {
    db.prepare(
        "INSERT INTO notifications (id, form_version, body, category, patient_name, furigana_key, date_of_birth, \
         phone_digits, institution_id, filed_by_user_id, filed_at, pref_code, health_center_id, routing_reason) \
         VALUES (?1, '2021-11-29', ?2, 'confirmed_patient', 'ベンチ', 'ベンチ', '1980-01-15', '', \
         'inst_demo_shinjuku', 'u_demo_doctor_shinjuku', ?3, '13', 'HC13104', 'bench')",
    )
    .bind(&[id.into(), body.into(), f(now)])?
    .run()
    .await?;
    Ok(())
}

/// SQLite's plan of `q`, one line per step.
pub async fn explain(db: &D1Database, q: &Query) -> ApiResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Plan {
        detail: String,
    }
    let plan: Vec<Plan> = db
        .prepare(format!("EXPLAIN QUERY PLAN {}", q.sql))
        .bind(&case_search::js_binds(&q.binds))?
        .all()
        .await?
        .results()?;
    Ok(plan.into_iter().map(|p| p.detail).collect())
}
