//! Exports (issue 22): the rows of filed records as the exports read them (a record joined with its notification and
//! the names around it), one at a time or a page at a time in (filed_at, seq) order. Read-only.

use serde::Deserialize;
use shared::auth::Scope;
use shared::export::ExportRecord;
use shared::notification::Notification;
use wasm_bindgen::JsValue;
use worker::D1Database;

use chrono::NaiveDate;

use super::f;
use super::notifications::number;
use crate::error::ApiResult;

/// A filed, live record with its notification. `seq` is the record's (`cases.seq`, the paging key with
/// `filed_at`); `notification_seq` gives the notification number.
#[derive(Debug, Deserialize)]
pub struct ExportRow {
    // Read by the paged export read (keyset paging on (filed_at, seq)).
    #[allow(dead_code)]
    pub seq: i64,
    pub id: String,
    pub filed_at: i64,
    pub status: Option<String>,
    pub hc_own_id: String,
    pub notification_seq: i64,
    pub body: String,
    pub institution_id: String,
    pub institution_name: String,
    pub health_center_id: String,
    pub health_center_name: String,
    pub pref_code: String,
}

/// The columns every export read selects (`c` = cases, `n` = notifications, `i` = institutions, `h` =
/// health_centers).
pub const EXPORT_SELECT: &str = "SELECT c.seq, c.id, c.filed_at, c.status, c.hc_own_id, n.seq AS notification_seq, \
     n.body, n.institution_id, i.name AS institution_name, c.health_center_id, h.name AS health_center_name, \
     c.pref_code FROM cases c JOIN notifications n ON n.id = c.id \
     JOIN institutions i ON i.id = n.institution_id JOIN health_centers h ON h.id = c.health_center_id";

/// One record's row, if it is live and has a notification.
// Read by `GET /api/cases/{id}/fhir` (built beside this on another branch).
#[allow(dead_code)]
pub async fn row(db: &D1Database, id: &str) -> ApiResult<Option<ExportRow>> {
    Ok(db
        .prepare(format!(
            "{EXPORT_SELECT} WHERE c.id = ?1 AND c.deleted_at IS NULL AND c.filed = 1"
        ))
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

impl ExportRow {
    /// The notification number as shown on screen.
    pub fn number(&self) -> String {
        number(self.notification_seq)
    }

    /// The stored notification (`None` if its JSON no longer reads: the caller reports it, never skips it).
    pub fn notification(&self) -> Option<Notification> {
        serde_json::from_str(&self.body).ok()
    }

    /// The row as the pure exports take it.
    pub fn record<'a>(&'a self, n: &'a Notification, number: &'a str) -> ExportRecord<'a> {
        ExportRecord {
            record_id: &self.id,
            notification_number: number,
            filed_at_ms: self.filed_at,
            notification: n,
            institution_id: &self.institution_id,
            institution_name: &self.institution_name,
            health_center_id: &self.health_center_id,
            health_center_name: &self.health_center_name,
            pref_code: &self.pref_code,
            status: self.status.as_deref(),
            hc_own_id: &self.hc_own_id,
        }
    }
}

const JST_OFFSET_MS: i64 = 9 * 60 * 60 * 1000;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The first and the one-past-last millisecond of the JST days `from..=to`.
pub fn span_ms(from: NaiveDate, to: NaiveDate) -> (i64, i64) {
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp_millis())
            - JST_OFFSET_MS
    };
    (start(from), start(to) + DAY_MS)
}

/// The rows of a scope's export (live, filed records whose filing time is in `from_ms..to_ms`), after the
/// keyset `after` (`(filed_at, seq)` of the last row of the page before), each scope's query driven by its index:
/// a clinic's own filings (`cases_inst_filed`; the notification filed by that institution too), a health
/// center's records (the one managing them now: a transferred record follows its health center,
/// `cases_hc_filed`), a prefecture's (`cases_pref_filed`).
fn filtered(scope: &Scope) -> (String, JsValue) {
    let (index, column, extra, value) = match scope {
        Scope::Institution(v) => (
            "cases_inst_filed",
            "c.institution_id",
            " AND n.institution_id = ?1",
            v,
        ),
        Scope::HealthCenter(v) => ("cases_hc_filed", "c.health_center_id", "", v),
        Scope::Prefecture(v) => ("cases_pref_filed", "c.pref_code", "", v),
    };
    (
        format!(
            "FROM cases c INDEXED BY {index} JOIN notifications n ON n.id = c.id \
             JOIN institutions i ON i.id = n.institution_id JOIN health_centers h ON h.id = c.health_center_id \
             WHERE {column} = ?1{extra} AND c.deleted_at IS NULL AND c.filed = 1 \
             AND c.filed_at >= ?2 AND c.filed_at < ?3"
        ),
        value.as_str().into(),
    )
}

/// The SQL of a page (binds: scope, from, to, after's filed_at, after's seq, limit).
pub fn page_sql(scope: &Scope) -> (String, JsValue) {
    let (from, value) = filtered(scope);
    let select = EXPORT_SELECT
        .split_once(" FROM ")
        .map_or(EXPORT_SELECT, |(s, _)| s);
    (
        format!(
            "{select} {from} AND c.filed_at >= ?4 AND (c.filed_at, c.seq) > (?4, ?5) \
             ORDER BY c.filed_at, c.seq LIMIT ?6"
        ),
        value,
    )
}

/// The SQL of the count (binds: scope, from, to): the same rows as the pages.
pub fn count_sql(scope: &Scope) -> (String, JsValue) {
    let (from, value) = filtered(scope);
    (format!("SELECT COUNT(*) AS n {from}"), value)
}

/// One page of a scope's export, in (filed_at, seq) order.
pub async fn page(
    db: &D1Database,
    scope: &Scope,
    from_ms: i64,
    to_ms: i64,
    after: Option<(i64, i64)>,
    limit: i64,
) -> ApiResult<Vec<ExportRow>> {
    let (sql, value) = page_sql(scope);
    let (at, seq) = after.unwrap_or((from_ms, -1));
    Ok(db
        .prepare(&sql)
        .bind(&[value, f(from_ms), f(to_ms), f(at), f(seq), f(limit)])?
        .all()
        .await?
        .results()?)
}

#[derive(Deserialize)]
struct Count {
    n: i64,
}

/// How many rows the export of a scope holds.
pub async fn count(db: &D1Database, scope: &Scope, from_ms: i64, to_ms: i64) -> ApiResult<u64> {
    let (sql, value) = count_sql(scope);
    let row: Option<Count> = db
        .prepare(&sql)
        .bind(&[value, f(from_ms), f(to_ms)])?
        .first(None)
        .await?;
    Ok(row.map_or(0, |r| u64::try_from(r.n).unwrap_or(0)))
}

#[derive(Deserialize)]
struct Plan {
    detail: String,
}

/// SQLite's `EXPLAIN QUERY PLAN` of a page and of the count (the bench switch's `POST /api/bench/export-plan`,
/// for the test that every scope's export reads its index).
pub async fn explain(db: &D1Database, scope: &Scope) -> ApiResult<(Vec<String>, Vec<String>)> {
    let (page, value) = page_sql(scope);
    let (count, _) = count_sql(scope);
    let page_plan: Vec<Plan> = db
        .prepare(format!("EXPLAIN QUERY PLAN {page}"))
        .bind(&[value.clone(), f(0), f(1), f(0), f(-1), f(500)])?
        .all()
        .await?
        .results()?;
    let count_plan: Vec<Plan> = db
        .prepare(format!("EXPLAIN QUERY PLAN {count}"))
        .bind(&[value, f(0), f(1)])?
        .all()
        .await?
        .results()?;
    Ok((
        page_plan.into_iter().map(|p| p.detail).collect(),
        count_plan.into_iter().map(|p| p.detail).collect(),
    ))
}

/// The bench's plain read (`POST /api/bench/select-all`): every row of a scope's export at once, as one `.all()`.
pub async fn all_at_once(
    db: &D1Database,
    scope: &Scope,
    from_ms: i64,
    to_ms: i64,
) -> ApiResult<Vec<ExportRow>> {
    let (sql, value) = page_sql(scope);
    Ok(db
        .prepare(&sql)
        .bind(&[
            value,
            f(from_ms),
            f(to_ms),
            f(from_ms),
            f(-1),
            f(10_000_000),
        ])?
        .all()
        .await?
        .results()?)
}
