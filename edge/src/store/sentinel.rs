//! Sentinel surveillance (定点把握, from 2023-05-08): `sentinel_sites` (which clinics a health center designated, for
//! which weeks), `sentinel_reports` (one row per clinic and week) and `sentinel_report_versions` (every version).

use serde::Deserialize;
use shared::auth::access::DashboardArea;
use wasm_bindgen::JsValue;
use worker::D1Database;

use super::daily_totals::CountsRow;
use super::{changes, f};
use crate::error::ApiResult;

fn area_filter(area: &DashboardArea, alias: &str) -> (String, JsValue) {
    match area {
        DashboardArea::HealthCenter(h) => {
            (format!("{alias}.health_center_id = ?1"), h.as_str().into())
        }
        DashboardArea::Prefecture(p) => (format!("{alias}.pref_code = ?1"), p.as_str().into()),
        DashboardArea::Nation => ("?1 = ?1".into(), "".into()),
    }
}

/// A clinic of the area with its latest designation.
#[derive(Deserialize)]
pub struct SiteRow {
    pub institution_id: String,
    pub institution_name: String,
    pub health_center_id: String,
    pub from_week: Option<String>,
    pub last_week: Option<String>,
}

/// Every clinic of the area, with its open designation, or else its latest ended one.
pub async fn sites(db: &D1Database, area: &DashboardArea) -> ApiResult<Vec<SiteRow>> {
    let (filter, param) = area_filter(area, "i");
    let sql = format!(
        "SELECT i.id AS institution_id, i.name AS institution_name, i.health_center_id, s.from_week, s.last_week \
         FROM institutions i LEFT JOIN sentinel_sites s ON s.id = (SELECT x.id FROM sentinel_sites x \
         WHERE x.institution_id = i.id ORDER BY x.last_week IS NULL DESC, x.designated_at DESC LIMIT 1) \
         WHERE {filter} ORDER BY i.name"
    );
    Ok(db.prepare(&sql).bind(&[param])?.all().await?.results()?)
}

/// Designates a clinic from a week; false when it is designated already (an open designation) or an ended
/// designation still covers that week (designations of one clinic never overlap, so a week's report is counted once).
#[allow(clippy::too_many_arguments)]
pub async fn designate(
    db: &D1Database,
    id: &str,
    institution_id: &str,
    health_center_id: &str,
    pref_code: &str,
    from_week: &str,
    user_id: &str,
    now: i64,
) -> ApiResult<bool> {
    let r = db
        .prepare(
            "INSERT OR IGNORE INTO sentinel_sites (id, institution_id, health_center_id, pref_code, from_week, \
             designated_at, designated_by) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE NOT EXISTS \
             (SELECT 1 FROM sentinel_sites WHERE institution_id = ?2 AND last_week IS NOT NULL AND last_week >= ?5)",
        )
        .bind(&[
            id.into(),
            institution_id.into(),
            health_center_id.into(),
            pref_code.into(),
            from_week.into(),
            f(now),
            user_id.into(),
        ])?
        .run()
        .await?;
    Ok(changes(&r) > 0)
}

/// Ends a clinic's open designation after `last_week` (not before its first week); false when none is open or the
/// week is before its start.
pub async fn end(
    db: &D1Database,
    institution_id: &str,
    last_week: &str,
    user_id: &str,
    now: i64,
) -> ApiResult<bool> {
    let r = db
        .prepare(
            "UPDATE sentinel_sites SET last_week = ?2, ended_at = ?3, ended_by = ?4 \
             WHERE institution_id = ?1 AND last_week IS NULL AND from_week <= ?2",
        )
        .bind(&[
            institution_id.into(),
            last_week.into(),
            f(now),
            user_id.into(),
        ])?
        .run()
        .await?;
    Ok(changes(&r) > 0)
}

/// Whether the clinic is a designated site for the week.
pub async fn designated_for(db: &D1Database, institution_id: &str, week: &str) -> ApiResult<bool> {
    #[derive(Deserialize)]
    struct N {
        n: i64,
    }
    let n: Option<N> = db
        .prepare(
            "SELECT COUNT(*) AS n FROM sentinel_sites WHERE institution_id = ?1 AND from_week <= ?2 \
             AND (last_week IS NULL OR last_week >= ?2)",
        )
        .bind(&[institution_id.into(), week.into()])?
        .first(None)
        .await?;
    Ok(n.is_some_and(|n| n.n > 0))
}

/// What a PUT stores.
pub struct Put<'a> {
    pub institution_id: &'a str,
    pub week: &'a str,
    pub health_center_id: &'a str,
    pub pref_code: &'a str,
    pub bands_id: &'a str,
    pub counts: &'a [u32],
    pub user_id: &'a str,
    pub now: i64,
    pub late: bool,
}

/// Stores a week's report like [`super::daily_totals::put`]: one row, replaced only when different, every version
/// kept. True when it changed anything.
pub async fn put(db: &D1Database, p: &Put<'_>) -> ApiResult<bool> {
    let counts = serde_json::to_string(p.counts).unwrap_or_else(|_| "[]".into());
    let total: u32 = p.counts.iter().sum();
    let upsert = db
        .prepare(
            "INSERT INTO sentinel_reports (institution_id, week, health_center_id, pref_code, bands_id, counts, \
             total, version, submitted_at, submitted_by, updated_at, updated_by, late, timeline_version) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, ?8, ?9, ?10, ?11) \
             ON CONFLICT (institution_id, week) DO UPDATE SET counts = excluded.counts, total = excluded.total, \
             bands_id = excluded.bands_id, version = sentinel_reports.version + 1, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by, \
             late = MAX(sentinel_reports.late, excluded.late), timeline_version = excluded.timeline_version \
             WHERE sentinel_reports.counts <> excluded.counts OR sentinel_reports.bands_id <> excluded.bands_id",
        )
        .bind(&[
            p.institution_id.into(),
            p.week.into(),
            p.health_center_id.into(),
            p.pref_code.into(),
            p.bands_id.into(),
            counts.into(),
            f(i64::from(total)),
            f(p.now),
            p.user_id.into(),
            f(i64::from(p.late)),
            shared::regime::TIMELINE_VERSION.into(),
        ])?;
    let history = db
        .prepare(
            "INSERT OR IGNORE INTO sentinel_report_versions (institution_id, week, version, counts, total, \
             changed_at, changed_by, late) SELECT institution_id, week, version, counts, total, updated_at, \
             updated_by, late FROM sentinel_reports WHERE institution_id = ?1 AND week = ?2",
        )
        .bind(&[p.institution_id.into(), p.week.into()])?;
    let results = db.batch(vec![upsert, history]).await?;
    Ok(results.first().map_or(0, changes) > 0)
}

pub async fn get(
    db: &D1Database,
    institution_id: &str,
    week: &str,
) -> ApiResult<Option<CountsRow>> {
    Ok(db
        .prepare(
            "SELECT bands_id, counts, total, version, submitted_at, updated_at, late FROM sentinel_reports \
             WHERE institution_id = ?1 AND week = ?2",
        )
        .bind(&[institution_id.into(), week.into()])?
        .first(None)
        .await?)
}

/// A week's report of a clinic of the area (the dashboard's part).
#[derive(Deserialize)]
pub struct WeekRow {
    pub week: String,
    pub counts: String,
}

pub async fn reports_in(
    db: &D1Database,
    area: &DashboardArea,
    from: &str,
    to: &str,
) -> ApiResult<Vec<WeekRow>> {
    let (filter, param) = area_filter(area, "r");
    let sql = format!(
        "SELECT r.week, r.counts FROM sentinel_reports r JOIN sentinel_sites s ON s.institution_id = r.institution_id \
         AND s.from_week <= r.week AND (s.last_week IS NULL OR s.last_week >= r.week) \
         WHERE {filter} AND r.week BETWEEN ?2 AND ?3"
    );
    Ok(db
        .prepare(&sql)
        .bind(&[param, from.into(), to.into()])?
        .all()
        .await?
        .results()?)
}

/// A designation of the area (its weeks), for counting the sites of each week.
#[derive(Deserialize)]
pub struct Span {
    pub from_week: String,
    pub last_week: Option<String>,
}

pub async fn spans_in(db: &D1Database, area: &DashboardArea) -> ApiResult<Vec<Span>> {
    let (filter, param) = area_filter(area, "s");
    let sql = format!("SELECT s.from_week, s.last_week FROM sentinel_sites s WHERE {filter}");
    Ok(db.prepare(&sql).bind(&[param])?.all().await?.results()?)
}
