//! Daily totals by age band (日次報告): `daily_totals` (one row per clinic and day) and `daily_total_versions` (every
//! version as reported), and the reads the counts build on: a clinic's notified cases of a day, the health center's
//! list of who reported, and the dashboard's parts (notified cases, daily totals, confirmed self-registrations —
//! `self_registrations` is read, never written, here).

use chrono::NaiveDate;
use serde::Deserialize;
use shared::api::counts::StoredCounts;
use shared::auth::access::DashboardArea;
use shared::export::open_data::PrefDay;
use shared::tally::{sum_by, Counted, Reported};
use wasm_bindgen::JsValue;
use worker::D1Database;

use super::shards::{each, Stores};
use super::{changes, f};
use crate::error::ApiResult;

/// The day a notification counts for: its diagnosis date, else its report date (SQL over the stored JSON, which
/// every form version writes with these member names).
const NOTIFIED_DAY: &str =
    "COALESCE(json_extract(n.body, '$.diagnosis_date'), json_extract(n.body, '$.report_date'))";
/// A notification whose record was not deleted.
const LIVE: &str =
    "NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = n.id AND c.deleted_at IS NOT NULL)";

/// A stored report row (daily or weekly; `sentinel` reads the same shape).
#[derive(Deserialize)]
pub struct CountsRow {
    pub bands_id: String,
    pub counts: String,
    pub total: i64,
    pub version: i64,
    pub submitted_at: i64,
    pub updated_at: i64,
    pub late: i64,
}

impl CountsRow {
    pub fn view(&self) -> StoredCounts {
        StoredCounts {
            bands_id: self.bands_id.clone(),
            counts: serde_json::from_str(&self.counts).unwrap_or_default(),
            total: u32::try_from(self.total).unwrap_or(0),
            version: self.version,
            submitted_at: self.submitted_at,
            updated_at: self.updated_at,
            late: self.late != 0,
        }
    }
}

/// What a PUT stores.
pub struct Put<'a> {
    pub institution_id: &'a str,
    pub day: &'a str,
    pub health_center_id: &'a str,
    pub pref_code: &'a str,
    pub bands_id: &'a str,
    pub counts: &'a [u32],
    pub user_id: &'a str,
    pub now: i64,
    pub late: bool,
}

/// Stores a day's totals: a new row, or the row replaced when the counts differ (version + 1, late once late); the
/// version kept in the history. One batch, so concurrent PUTs of the same day leave one row. True when it changed
/// anything.
pub async fn put(db: &D1Database, p: &Put<'_>) -> ApiResult<bool> {
    let counts = serde_json::to_string(p.counts).unwrap_or_else(|_| "[]".into());
    let total: u32 = p.counts.iter().sum();
    let upsert = db
        .prepare(
            "INSERT INTO daily_totals (institution_id, day, health_center_id, pref_code, bands_id, counts, total, \
             version, submitted_at, submitted_by, updated_at, updated_by, late, timeline_version) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, ?8, ?9, ?10, ?11) \
             ON CONFLICT (institution_id, day) DO UPDATE SET counts = excluded.counts, total = excluded.total, \
             bands_id = excluded.bands_id, version = daily_totals.version + 1, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by, late = MAX(daily_totals.late, excluded.late), \
             timeline_version = excluded.timeline_version \
             WHERE daily_totals.counts <> excluded.counts OR daily_totals.bands_id <> excluded.bands_id",
        )
        .bind(&[
            p.institution_id.into(),
            p.day.into(),
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
            "INSERT OR IGNORE INTO daily_total_versions (institution_id, day, version, counts, total, changed_at, \
             changed_by, late) SELECT institution_id, day, version, counts, total, updated_at, updated_by, late \
             FROM daily_totals WHERE institution_id = ?1 AND day = ?2",
        )
        .bind(&[p.institution_id.into(), p.day.into()])?;
    let results = db.batch(vec![upsert, history]).await?;
    Ok(results.first().map_or(0, changes) > 0)
}

pub async fn get(db: &D1Database, institution_id: &str, day: &str) -> ApiResult<Option<CountsRow>> {
    Ok(db
        .prepare(
            "SELECT bands_id, counts, total, version, submitted_at, updated_at, late FROM daily_totals \
             WHERE institution_id = ?1 AND day = ?2",
        )
        .bind(&[institution_id.into(), day.into()])?
        .first(None)
        .await?)
}

/// Notified cases grouped by birth date (the band is worked out by the caller).
#[derive(Deserialize)]
pub struct ByBirth {
    #[serde(default)]
    pub institution_id: String,
    /// The filing clinic's prefecture (a notified case) or the self-registration's (the dashboard's reads only).
    #[serde(default)]
    pub pref_code: String,
    pub day: String,
    pub date_of_birth: String,
    pub n: i64,
}

/// The clinic's notifications (records not deleted) whose diagnosis date (else report date) is `day`, from every
/// shard (a clinic's records are where their health centers are).
pub async fn notified_on(
    stores: &Stores,
    institution_id: &str,
    day: &str,
) -> ApiResult<Vec<ByBirth>> {
    let sql = format!(
        "SELECT n.institution_id, {NOTIFIED_DAY} AS day, n.date_of_birth, COUNT(*) AS n FROM notifications n \
         WHERE n.institution_id = ?1 AND {NOTIFIED_DAY} = ?2 AND {LIVE} GROUP BY n.date_of_birth"
    );
    let shards = stores.all()?;
    let rows = each(&shards, |shard| {
        let sql = &sql;
        async move {
            Ok(shard
                .db
                .prepare(sql)
                .bind(&[institution_id.into(), day.into()])?
                .all()
                .await?
                .results::<ByBirth>()?)
        }
    })
    .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// `i.` (institutions) filtered to an area: the SQL and its one parameter.
fn area_filter(area: &DashboardArea, alias: &str) -> (String, JsValue) {
    match area {
        DashboardArea::HealthCenter(h) => {
            (format!("{alias}.health_center_id = ?1"), h.as_str().into())
        }
        DashboardArea::Prefecture(p) => (format!("{alias}.pref_code = ?1"), p.as_str().into()),
        DashboardArea::Nation => ("?1 = ?1".into(), "".into()),
    }
}

/// One clinic of the area with its report of the day and its notified count.
#[derive(Deserialize)]
pub struct StatusRow {
    pub institution_id: String,
    pub institution_name: String,
    pub health_center_id: String,
    pub health_center_name: String,
    pub notified: i64,
    pub bands_id: Option<String>,
    pub counts: Option<String>,
    pub total: Option<i64>,
    pub version: Option<i64>,
    pub submitted_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub late: Option<i64>,
}

/// Every clinic of the area with the day's report (if any) and its notified cases of the day: the clinics and their
/// reports from the core, the notified counts from every shard.
pub async fn status(stores: &Stores, area: &DashboardArea, day: &str) -> ApiResult<Vec<StatusRow>> {
    let (filter, param) = area_filter(area, "i");
    let sql = format!(
        "SELECT i.id AS institution_id, i.name AS institution_name, i.health_center_id, \
         h.name AS health_center_name, 0 AS notified, \
         t.bands_id, t.counts, t.total, t.version, t.submitted_at, t.updated_at, t.late \
         FROM institutions i JOIN health_centers h ON h.id = i.health_center_id \
         LEFT JOIN daily_totals t ON t.institution_id = i.id AND t.day = ?2 \
         WHERE {filter} ORDER BY i.health_center_id, i.name"
    );
    let mut rows: Vec<StatusRow> = stores
        .core
        .prepare(&sql)
        .bind(&[param.clone(), day.into()])?
        .all()
        .await?
        .results()?;
    #[derive(Deserialize)]
    struct Notified {
        institution_id: String,
        n: i64,
    }
    let counted = format!(
        "SELECT n.institution_id, COUNT(*) AS n FROM notifications n JOIN institutions i ON i.id = n.institution_id \
         WHERE {filter} AND {NOTIFIED_DAY} = ?2 AND {LIVE} GROUP BY n.institution_id"
    );
    let shards = stores.all()?;
    let per_shard = each(&shards, |shard| {
        let (counted, param) = (&counted, param.clone());
        async move {
            Ok(shard
                .db
                .prepare(counted)
                .bind(&[param, day.into()])?
                .all()
                .await?
                .results::<Notified>()?)
        }
    })
    .await?;
    for n in per_shard.into_iter().flatten() {
        if let Some(r) = rows
            .iter_mut()
            .find(|r| r.institution_id == n.institution_id)
        {
            r.notified += n.n;
        }
    }
    Ok(rows)
}

/// The area's notified cases from `from` to `to` (by the filing clinic's area), per clinic, day and birth date.
pub async fn notified_in(
    db: &D1Database,
    area: &DashboardArea,
    from: &str,
    to: &str,
) -> ApiResult<Vec<ByBirth>> {
    let (filter, param) = area_filter(area, "i");
    let sql = format!(
        "SELECT n.institution_id, i.pref_code, {NOTIFIED_DAY} AS day, n.date_of_birth, COUNT(*) AS n \
         FROM notifications n JOIN institutions i ON i.id = n.institution_id \
         WHERE {filter} AND {NOTIFIED_DAY} BETWEEN ?2 AND ?3 AND {LIVE} \
         GROUP BY n.institution_id, day, n.date_of_birth"
    );
    Ok(db
        .prepare(&sql)
        .bind(&[param, from.into(), to.into()])?
        .all()
        .await?
        .results()?)
}

/// A reported day of a clinic (the dashboard's part).
#[derive(Deserialize)]
pub struct TotalRow {
    pub institution_id: String,
    pub pref_code: String,
    pub day: String,
    pub bands_id: String,
    pub counts: String,
}

/// The area's daily totals from `from` to `to`.
pub async fn totals_in(
    db: &D1Database,
    area: &DashboardArea,
    from: &str,
    to: &str,
) -> ApiResult<Vec<TotalRow>> {
    let (filter, param) = area_filter(area, "t");
    let sql = format!(
        "SELECT t.institution_id, t.pref_code, t.day, t.bands_id, t.counts FROM daily_totals t \
         WHERE {filter} AND t.day BETWEEN ?2 AND ?3"
    );
    Ok(db
        .prepare(&sql)
        .bind(&[param, from.into(), to.into()])?
        .all()
        .await?
        .results()?)
}

/// The area's confirmed self-registrations of an antigen-kit result from `from` to `to` (by the residence's health
/// center), per prefecture (the registration's; the lowest code if one person registered in two), result date and
/// birth date. A clinic's diagnosis is in that clinic's daily total, so it is not
/// counted here. Each person once: one per live record a confirmation made or linked (its earliest result date), and
/// none whose record has a notification (a notification's id is its record's: that person is counted as notified,
/// or in the clinic's total).
pub async fn self_registered_in(
    db: &D1Database,
    area: &DashboardArea,
    from: &str,
    to: &str,
) -> ApiResult<Vec<ByBirth>> {
    let (filter, param) = area_filter(area, "s");
    let sql = format!(
        "SELECT pref_code, day, date_of_birth, COUNT(*) AS n FROM (\
         SELECT s.case_id, MIN(s.pref_code) AS pref_code, MIN(s.result_date) AS day, \
         MIN(s.date_of_birth) AS date_of_birth \
         FROM self_registrations s JOIN cases c ON c.id = s.case_id \
         WHERE {filter} AND s.status = 'confirmed' AND s.result_kind = 'antigen_kit' AND c.deleted_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = s.case_id) GROUP BY s.case_id) \
         WHERE day BETWEEN ?2 AND ?3 GROUP BY pref_code, day, date_of_birth"
    );
    Ok(db
        .prepare(&sql)
        .bind(&[param, from.into(), to.into()])?
        .all()
        .await?
        .results()?)
}

/// The dashboard's three parts for an area from `from` to `to` (`YYYY-MM-DD`), as `shared::tally` sums them: the
/// notified cases and self-registrations from every shard at once (a clinic's records may be in any shard after a
/// transfer), the clinics' daily totals from the core.
pub async fn parts_in(
    stores: &Stores,
    area: &DashboardArea,
    from: &str,
    to: &str,
) -> ApiResult<(Vec<Counted>, Vec<Reported>, Vec<Counted>)> {
    fn counted(r: ByBirth) -> Counted {
        Counted {
            institution_id: r.institution_id,
            pref_code: r.pref_code,
            day: r.day,
            date_of_birth: r.date_of_birth,
            n: u32::try_from(r.n).unwrap_or(0),
        }
    }
    let shards = stores.all()?;
    let (notified, selfreg, totals) = futures_util::future::try_join3(
        each(&shards, |shard| notified_in(&shard.db, area, from, to)),
        each(&shards, |shard| {
            self_registered_in(&shard.db, area, from, to)
        }),
        totals_in(&stores.core, area, from, to),
    )
    .await?;
    let notified: Vec<ByBirth> = notified.into_iter().flatten().collect();
    let selfreg: Vec<ByBirth> = selfreg.into_iter().flatten().collect();
    Ok((
        notified.into_iter().map(counted).collect(),
        totals
            .into_iter()
            .map(|t| Reported {
                counts: serde_json::from_str(&t.counts).unwrap_or_default(),
                institution_id: t.institution_id,
                pref_code: t.pref_code,
                day: t.day,
                bands_id: t.bands_id,
            })
            .collect(),
        selfreg.into_iter().map(counted).collect(),
    ))
}

/// New cases by day and prefecture from `from` to `to` (the dashboard's sums for the area, keyed by prefecture), by
/// band of `DAILY_BANDS_2022`: the open-data counts. Only (day, prefecture) pairs with something are returned; the
/// open-data writer fills the rest with zeros.
pub async fn pref_days(
    stores: &Stores,
    area: &DashboardArea,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<PrefDay>> {
    let (notified, totals, selfreg) =
        parts_in(stores, area, &from.to_string(), &to.to_string()).await?;
    Ok(sum_by(&notified, &totals, &selfreg, str::to_owned)
        .into_iter()
        .filter_map(|((day, pref_code), d)| {
            let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()?;
            (from..=to).contains(&day).then(|| PrefDay {
                day,
                pref_code,
                total: u64::from(d.total),
                bands: d.sum.iter().map(|n| u64::from(*n)).collect(),
            })
        })
        .collect())
}
