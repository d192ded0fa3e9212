//! Health observation (健康観察): `observations`, `observation_reports`, `observation_alerts`, and the phone's reads
//! of them.

use std::collections::HashSet;

use serde::Deserialize;
use shared::api::observation::{ObserveMe, ObservedPerson};
use shared::auth::access::DashboardArea;
use shared::error::ErrorCode;
use shared::observation::{due_slots, jst_day, Kind, Rule, Slot};
use shared::time::today_jst;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use super::{f, opt};
use crate::crypto::token;
use crate::error::{ApiError, ApiResult};

/// The holder of a running observation (whose phone may sign in), by record id.
pub async fn active_holder(db: &D1Database, case_id: &str, now: i64) -> ApiResult<Option<String>> {
    #[derive(Deserialize)]
    struct Row {
        health_center_id: String,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT o.health_center_id FROM observations o JOIN cases c ON c.id = o.case_id \
             WHERE o.case_id = ?1 AND c.deleted_at IS NULL AND o.stopped_at IS NULL AND o.ends_on >= ?2",
        )
        .bind(&[case_id.into(), jst_day(now - 2 * 86_400_000).into()])?
        .first(None)
        .await?;
    Ok(row.map(|r| r.health_center_id))
}

#[derive(Deserialize)]
pub struct PersonRow {
    pub case_id: String,
    pub name: String,
    pub kind: String,
    pub started_on: String,
    pub ends_on: String,
    pub health_center_id: String,
    pub health_center_name: String,
    pub health_center_phone: String,
}

/// The people a phone session reports for: the holder and the household members linked to them, while their
/// observations run (and two days after, for late reports).
pub async fn people(db: &D1Database, holder: &str, now: i64) -> ApiResult<Vec<PersonRow>> {
    Ok(db
        .prepare(
            "SELECT c.id AS case_id, c.name, o.kind, o.started_on, o.ends_on, o.health_center_id, \
             h.name AS health_center_name, h.phone AS health_center_phone FROM observations o \
             JOIN cases c ON c.id = o.case_id JOIN health_centers h ON h.id = o.health_center_id \
             WHERE (o.case_id = ?1 OR o.household_of = ?1) AND o.stopped_at IS NULL AND c.deleted_at IS NULL \
             AND o.ends_on >= ?2 ORDER BY o.case_id <> ?1, c.seq",
        )
        .bind(&[holder.into(), jst_day(now - 2 * 86_400_000).into()])?
        .all()
        .await?
        .results()?)
}

fn given_name(full: &str) -> String {
    let parts: Vec<&str> = full.split([' ', '　']).filter(|p| !p.is_empty()).collect();
    parts.last().copied().unwrap_or(full).to_owned()
}

pub async fn me_of(db: &D1Database, holder: &str, now: i64) -> ApiResult<ObserveMe> {
    let rows = people(db, holder, now).await?;
    if rows.is_empty() {
        return Err(ApiError::new(ErrorCode::Unauthenticated));
    }
    #[derive(Deserialize)]
    struct Done {
        case_id: String,
        date: String,
        slot: String,
    }
    let done: Vec<Done> = db
        .prepare(
            "SELECT DISTINCT r.case_id, r.date, r.slot FROM observation_reports r \
             JOIN observations o ON o.case_id = r.case_id \
             WHERE (o.case_id = ?1 OR o.household_of = ?1) AND r.date >= ?2",
        )
        .bind(&[holder.into(), jst_day(now - 86_400_000).into()])?
        .all()
        .await?
        .results()?;
    let hour = chrono::DateTime::from_timestamp_millis(now + 9 * 3_600_000)
        .map_or(0, |d| chrono::Timelike::hour(&d));
    #[derive(Deserialize)]
    struct N {
        n: i64,
    }
    let passkeys: Option<N> = db
        .prepare("SELECT COUNT(*) AS n FROM observe_credentials WHERE case_id = ?1")
        .bind(&[holder.into()])?
        .first(None)
        .await?;
    let passkey = passkeys.is_some_and(|p| p.n > 0);
    Ok(ObserveMe {
        health_center_name: rows[0].health_center_name.clone(),
        health_center_phone: rows[0].health_center_phone.clone(),
        people: rows
            .iter()
            .map(|r| ObservedPerson {
                id: r.case_id.clone(),
                given_name: given_name(&r.name),
                kind: Kind::parse(&r.kind).unwrap_or(Kind::Patient),
                ends_on: r.ends_on.clone(),
                reported: done
                    .iter()
                    .filter(|d| d.case_id == r.case_id)
                    .map(|d| format!("{}/{}", d.date, d.slot))
                    .collect(),
            })
            .collect(),
        today: jst_day(now),
        slot_now: Slot::at_hour(hour),
        has_passkey: passkey,
    })
}

/// What a transfer of the record `?1` to the health center `?3` does to its health observation, in the transfer's
/// batch: the running observation and its unhandled alerts move with the record, so new reports and alerts land in
/// the new center's queue. `guard` is an SQL condition over `?1` (record id) and `?2` (the transfer's stamp) that
/// holds only once the transfer itself took effect.
pub fn follow_transfer(
    db: &D1Database,
    case_id: &str,
    stamp: &str,
    to_health_center_id: &str,
    guard: &str,
) -> ApiResult<Vec<D1PreparedStatement>> {
    let binds = [case_id.into(), stamp.into(), to_health_center_id.into()];
    Ok(vec![
        db.prepare(format!(
            "UPDATE observations SET health_center_id = ?3 WHERE case_id = ?1 AND {guard}"
        ))
        .bind(&binds)?,
        db.prepare(format!(
            "UPDATE observation_alerts SET health_center_id = ?3 \
             WHERE case_id = ?1 AND handled_at IS NULL AND {guard}"
        ))
        .bind(&binds)?,
    ])
}

// ---- the phone: sign-in and reports -----------------------------------------------------------------------

/// The holder a phone signs in as: a live record with a running observation (or one ended up to two days ago).
#[derive(Deserialize)]
pub struct Holder {
    pub case_id: String,
    pub date_of_birth: String,
    pub health_center_id: String,
}

/// The holder whose スマホ入力ID is `smartphone_id`, while their observation runs (and two days after).
pub async fn holder_by_smartphone_id(
    db: &D1Database,
    smartphone_id: &str,
    now: i64,
) -> ApiResult<Option<Holder>> {
    Ok(db
        .prepare(
            "SELECT c.id AS case_id, c.date_of_birth, o.health_center_id FROM cases c \
             JOIN observations o ON o.case_id = c.id \
             WHERE c.smartphone_id = ?1 AND c.deleted_at IS NULL AND o.stopped_at IS NULL AND o.ends_on >= ?2",
        )
        .bind(&[smartphone_id.into(), jst_day(now - 2 * 86_400_000).into()])?
        .first(None)
        .await?)
}

/// A report from the phone, checked and triaged, to be stored.
pub struct NewReport<'a> {
    pub id: &'a str,
    pub case_id: &'a str,
    /// The health center the alerts it raises go to (the observation's).
    pub health_center_id: &'a str,
    pub client_id: &'a str,
    pub kind: Kind,
    pub date: &'a str,
    pub slot: Slot,
    pub temperature_tenths: Option<i64>,
    pub spo2: Option<i64>,
    /// JSON {item key: yes|no|unknown}.
    pub answers: &'a str,
}

/// An alert a report raises: its rule and what tripped it (answers and numbers only).
pub struct Raised {
    pub rule: Rule,
    pub detail: String,
}

/// The statements that store a report (once: a resend with the same `client_id` stores nothing), close the
/// missed check-in alert of its slot, and raise its alerts (once per rule, on the stored report's id); for one
/// batch with the report's audit entry.
pub fn report_statements(
    db: &D1Database,
    r: &NewReport,
    raised: &[Raised],
    now: i64,
) -> ApiResult<Vec<D1PreparedStatement>> {
    let mut statements = vec![db
        .prepare(
            "INSERT INTO observation_reports (id, case_id, client_id, kind, date, slot, temperature_tenths, \
             spo2, answers, reported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
             ON CONFLICT(case_id, client_id) DO NOTHING",
        )
        .bind(&[
            r.id.into(),
            r.case_id.into(),
            r.client_id.into(),
            r.kind.as_str().into(),
            r.date.into(),
            r.slot.as_str().into(),
            r.temperature_tenths.map_or(JsValue::NULL, f),
            r.spo2.map_or(JsValue::NULL, f),
            r.answers.into(),
            f(now),
        ])?];
    // A report that arrives after its slot was flagged as missed closes that alert.
    statements.push(
        db.prepare(
            "UPDATE observation_alerts SET handled_at = ?4, note = '後から報告がありました（自動）' \
             WHERE case_id = ?1 AND date = ?2 AND slot = ?3 AND rule = 'missed_check_in' AND handled_at IS NULL",
        )
        .bind(&[
            r.case_id.into(),
            r.date.into(),
            r.slot.as_str().into(),
            f(now),
        ])?,
    );
    for a in raised {
        // The stored report's id (this one's, or the first send's on a resend): UNIQUE keeps one per rule.
        statements.push(
            db.prepare(
                "INSERT OR IGNORE INTO observation_alerts (id, case_id, health_center_id, rule, urgency, report_id, \
                 date, slot, detail, raised_at) \
                 SELECT ?1, case_id, ?2, ?3, ?4, id, date, slot, ?5, ?6 FROM observation_reports \
                 WHERE case_id = ?7 AND client_id = ?8",
            )
            .bind(&[
                format!("a_{}", token()?).into(),
                r.health_center_id.into(),
                a.rule.as_str().into(),
                f(i64::from(a.rule.urgency())),
                a.detail.as_str().into(),
                f(now),
                r.case_id.into(),
                r.client_id.into(),
            ])?,
        );
    }
    Ok(statements)
}

// ---- the health center: a record's observation ------------------------------------------------------------

/// A record's observation as the view reads it.
#[derive(Deserialize)]
pub struct ObservationRow {
    pub kind: String,
    pub started_on: String,
    pub ends_on: String,
    pub household_of: Option<String>,
    pub stopped_at: Option<i64>,
}

pub async fn of_case(db: &D1Database, case_id: &str) -> ApiResult<Option<ObservationRow>> {
    Ok(db
        .prepare(
            "SELECT kind, started_on, ends_on, household_of, stopped_at FROM observations WHERE case_id = ?1",
        )
        .bind(&[case_id.into()])?
        .first(None)
        .await?)
}

/// The live records whose observations are reported from `case_id`'s phone (its household members), by record
/// order.
pub async fn household_members(db: &D1Database, case_id: &str) -> ApiResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT c.id FROM observations o JOIN cases c ON c.id = o.case_id \
             WHERE o.household_of = ?1 AND c.deleted_at IS NULL ORDER BY c.seq",
        )
        .bind(&[case_id.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// A stored report as the timeline reads it.
#[derive(Deserialize)]
pub struct ReportRow {
    pub id: String,
    pub kind: String,
    pub date: String,
    pub slot: String,
    pub temperature_tenths: Option<i64>,
    pub spo2: Option<i64>,
    pub answers: String,
    pub reported_at: i64,
}

/// A record's reports, newest slot first (at most 200).
pub async fn reports_of(db: &D1Database, case_id: &str) -> ApiResult<Vec<ReportRow>> {
    Ok(db
        .prepare(
            "SELECT id, kind, date, slot, temperature_tenths, spo2, answers, reported_at FROM observation_reports \
             WHERE case_id = ?1 ORDER BY date DESC, slot DESC, reported_at DESC LIMIT 200",
        )
        .bind(&[case_id.into()])?
        .all()
        .await?
        .results()?)
}

/// The record a household member's phone reports from, found by its スマホ入力ID at a health center.
#[derive(Deserialize)]
pub struct HouseholdCandidate {
    pub id: String,
    /// Its own observation reports from yet another phone.
    pub household_of: Option<String>,
    /// 1 when it has an observation (running or not).
    pub has_obs: i64,
}

pub async fn household_candidate(
    db: &D1Database,
    smartphone_id: &str,
    health_center_id: &str,
) -> ApiResult<Option<HouseholdCandidate>> {
    Ok(db
        .prepare(
            "SELECT c.id, o.household_of, o.case_id IS NOT NULL AS has_obs FROM cases c \
             LEFT JOIN observations o ON o.case_id = c.id \
             WHERE c.smartphone_id = ?1 AND c.health_center_id = ?2 AND c.deleted_at IS NULL",
        )
        .bind(&[smartphone_id.into(), health_center_id.into()])?
        .first(None)
        .await?)
}

/// An observation started or changed by the record's managing health center.
pub struct Start<'a> {
    pub case_id: &'a str,
    /// The record's current health center: the observation and its unhandled alerts move there.
    pub health_center_id: &'a str,
    pub kind: Kind,
    pub started_on: &'a str,
    pub ends_on: &'a str,
    pub household_of: Option<&'a str>,
    pub user_id: &'a str,
}

/// Starts the observation, or changes it (restarting a stopped one); either way it belongs to the record's
/// current health center from then on, and so do the record's unhandled alerts. For one batch with the audit
/// entry.
pub fn start(db: &D1Database, s: &Start, now: i64) -> ApiResult<Vec<D1PreparedStatement>> {
    Ok(vec![
        db.prepare(
            "INSERT INTO observations (case_id, health_center_id, kind, started_on, ends_on, household_of, \
             stopped_at, updated_at, updated_by_user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8) \
             ON CONFLICT(case_id) DO UPDATE SET health_center_id = ?2, kind = ?3, started_on = ?4, ends_on = ?5, \
             household_of = ?6, stopped_at = NULL, updated_at = ?7, updated_by_user_id = ?8",
        )
        .bind(&[
            s.case_id.into(),
            s.health_center_id.into(),
            s.kind.as_str().into(),
            s.started_on.into(),
            s.ends_on.into(),
            opt(s.household_of),
            f(now),
            s.user_id.into(),
        ])?,
        db.prepare(
            "UPDATE observation_alerts SET health_center_id = ?2 \
             WHERE case_id = ?1 AND handled_at IS NULL AND health_center_id <> ?2",
        )
        .bind(&[s.case_id.into(), s.health_center_id.into()])?,
    ])
}

/// Stops a running observation (the slip stops working, no missed check-ins); for one batch with the audit entry.
pub fn stop(
    db: &D1Database,
    case_id: &str,
    user_id: &str,
    now: i64,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "UPDATE observations SET stopped_at = ?2, updated_at = ?2, updated_by_user_id = ?3 \
             WHERE case_id = ?1 AND stopped_at IS NULL",
        )
        .bind(&[case_id.into(), f(now), user_id.into()])?)
}

// ---- alerts -----------------------------------------------------------------------------------------------

/// An alert as the queue and the timeline read it, with its record's name, スマホ入力ID and current health center.
#[derive(Deserialize)]
pub struct AlertRow {
    pub id: String,
    pub case_id: String,
    pub case_name: String,
    pub smartphone_id: String,
    /// The person's phone digits (`cases.phone_digits`), or empty.
    pub phone_digits: String,
    /// The health center that manages the alert's record now.
    pub case_health_center_id: String,
    pub rule: String,
    pub urgency: i64,
    pub date: String,
    pub slot: String,
    pub detail: String,
    pub raised_at: i64,
    pub handled_at: Option<i64>,
    pub handled_by_name: Option<String>,
    pub note: Option<String>,
}

const ALERT_SELECT: &str = "SELECT a.id, a.case_id, c.name AS case_name, c.smartphone_id, c.phone_digits, \
     c.health_center_id AS case_health_center_id, a.rule, a.urgency, a.date, a.slot, a.detail, a.raised_at, \
     a.handled_at, u.display_name AS handled_by_name, a.note \
     FROM observation_alerts a JOIN cases c ON c.id = a.case_id LEFT JOIN users u ON u.id = a.handled_by_user_id";

/// A record's alerts, unhandled first, newest first (at most 200).
pub async fn alerts_of(db: &D1Database, case_id: &str) -> ApiResult<Vec<AlertRow>> {
    Ok(db
        .prepare(format!(
            "{ALERT_SELECT} WHERE a.case_id = ?1 ORDER BY a.handled_at IS NOT NULL, a.raised_at DESC LIMIT 200"
        ))
        .bind(&[case_id.into()])?
        .all()
        .await?
        .results()?)
}

/// A health center's queue: its unhandled alerts by urgency, then age; with `all`, its handled ones after them
/// (at most 500).
pub async fn queue(db: &D1Database, health_center_id: &str, all: bool) -> ApiResult<Vec<AlertRow>> {
    let sql = if all {
        format!(
            "{ALERT_SELECT} WHERE a.health_center_id = ?1 \
             ORDER BY a.handled_at IS NOT NULL, a.urgency DESC, a.raised_at LIMIT 500"
        )
    } else {
        format!(
            "{ALERT_SELECT} WHERE a.health_center_id = ?1 AND a.handled_at IS NULL \
             ORDER BY a.urgency DESC, a.raised_at LIMIT 500"
        )
    };
    Ok(db
        .prepare(sql)
        .bind(&[health_center_id.into()])?
        .all()
        .await?
        .results()?)
}

/// How many alerts wait in a health center's queue.
pub async fn waiting(db: &D1Database, health_center_id: &str) -> ApiResult<i64> {
    #[derive(Deserialize)]
    struct N {
        n: i64,
    }
    let n: Option<N> = db
        .prepare(
            "SELECT COUNT(*) AS n FROM observation_alerts WHERE health_center_id = ?1 AND handled_at IS NULL",
        )
        .bind(&[health_center_id.into()])?
        .first(None)
        .await?;
    Ok(n.map_or(0, |n| n.n))
}

pub async fn alert(db: &D1Database, id: &str) -> ApiResult<Option<AlertRow>> {
    Ok(db
        .prepare(format!("{ALERT_SELECT} WHERE a.id = ?1"))
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// Whose queue an alert is in, and whether it was handled.
#[derive(Deserialize)]
pub struct AlertState {
    pub health_center_id: String,
    pub handled_at: Option<i64>,
}

pub async fn alert_state(db: &D1Database, id: &str) -> ApiResult<Option<AlertState>> {
    Ok(db
        .prepare("SELECT health_center_id, handled_at FROM observation_alerts WHERE id = ?1")
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// Marks an unhandled alert handled with a note (changes nothing if it was handled meanwhile: see
/// [`super::changes`]); for one batch with the audit entry.
pub fn handle(
    db: &D1Database,
    id: &str,
    user_id: &str,
    note: &str,
    now: i64,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "UPDATE observation_alerts SET handled_at = ?2, handled_by_user_id = ?3, note = ?4 \
             WHERE id = ?1 AND handled_at IS NULL",
        )
        .bind(&[id.into(), f(now), user_id.into(), note.into()])?)
}

/// Raises the missed check-in alerts that are due in this health center (all when `None`): one per observed
/// record and slot of today and yesterday whose due hour has passed with no report. Idempotent. Run by the cron and
/// before the queue or the dashboard is read.
pub async fn sweep(db: &D1Database, health_center_id: Option<&str>, now: i64) -> ApiResult<()> {
    let today = today_jst(now);
    let yesterday = (today - chrono::Duration::days(1)).to_string();
    #[derive(Deserialize)]
    struct Obs {
        case_id: String,
        health_center_id: String,
        started_on: String,
        ends_on: String,
    }
    let scope = "o.stopped_at IS NULL AND o.ends_on >= ?1 AND o.started_on <= ?2 \
                 AND (?3 IS NULL OR o.health_center_id = ?3)";
    let args = [
        JsValue::from_str(&yesterday),
        JsValue::from_str(&today.to_string()),
        opt(health_center_id),
    ];
    let obs: Vec<Obs> = db
        .prepare(format!(
            "SELECT o.case_id, o.health_center_id, o.started_on, o.ends_on FROM observations o \
             JOIN cases c ON c.id = o.case_id WHERE c.deleted_at IS NULL AND {scope}"
        ))
        .bind(&args)?
        .all()
        .await?
        .results()?;
    if obs.is_empty() {
        return Ok(());
    }
    #[derive(Deserialize)]
    struct Done {
        case_id: String,
        date: String,
        slot: String,
    }
    let done: Vec<Done> = db
        .prepare(format!(
            "SELECT DISTINCT r.case_id, r.date, r.slot FROM observation_reports r \
             JOIN observations o ON o.case_id = r.case_id WHERE r.date >= ?1 AND {scope}"
        ))
        .bind(&args)?
        .all()
        .await?
        .results()?;
    let done: HashSet<(String, String, String)> = done
        .into_iter()
        .map(|d| (d.case_id, d.date, d.slot))
        .collect();
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let mut statements = Vec::new();
    for o in &obs {
        let (Some(start), Some(end)) = (day(&o.started_on), day(&o.ends_on)) else {
            continue;
        };
        for (date, slot) in due_slots(start, end, now) {
            let key = (
                o.case_id.clone(),
                date.to_string(),
                slot.as_str().to_owned(),
            );
            if done.contains(&key) {
                continue;
            }
            statements.push(
                db.prepare(
                    "INSERT OR IGNORE INTO observation_alerts (id, case_id, health_center_id, rule, urgency, \
                     report_id, date, slot, detail, raised_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?8, ?9)",
                )
                .bind(&[
                    format!("a_{}", token()?).into(),
                    o.case_id.as_str().into(),
                    o.health_center_id.as_str().into(),
                    Rule::MissedCheckIn.as_str().into(),
                    f(i64::from(Rule::MissedCheckIn.urgency())),
                    date.to_string().into(),
                    slot.as_str().into(),
                    format!("{}の報告（{}時まで）", slot.label(), slot.due_hour()).into(),
                    f(now),
                ])?,
            );
        }
    }
    for chunk in statements.chunks(50) {
        db.batch(chunk.to_vec()).await?;
    }
    Ok(())
}

// ---- the dashboard ----------------------------------------------------------------------------------------

/// The dashboard's observation figures for an area (the records' counts by day and status are
/// [`super::cases::figures`]).
pub struct Figures {
    /// Observations running today.
    pub observing: i64,
    /// Records with an unhandled missed check-in.
    pub overdue: i64,
    /// Unhandled alerts, and those of them of the highest urgency.
    pub waiting: i64,
    pub urgent: i64,
}

pub async fn dashboard(db: &D1Database, area: &DashboardArea, today: &str) -> ApiResult<Figures> {
    let (hc_scope, key) = match area {
        DashboardArea::HealthCenter(h) => ("x.health_center_id = ?1", JsValue::from_str(h)),
        DashboardArea::Prefecture(p) => (
            "x.health_center_id IN (SELECT id FROM health_centers WHERE pref_code = ?1)",
            JsValue::from_str(p),
        ),
        DashboardArea::Nation => ("?1 IS NULL", JsValue::NULL),
    };
    #[derive(Deserialize)]
    struct Counts {
        observing: i64,
        overdue: i64,
        waiting: i64,
        urgent: i64,
    }
    let counts: Option<Counts> = db
        .prepare(format!(
            "SELECT \
             (SELECT COUNT(*) FROM observations x WHERE {hc_scope} AND x.stopped_at IS NULL \
                AND x.started_on <= ?2 AND x.ends_on >= ?2) AS observing, \
             (SELECT COUNT(DISTINCT x.case_id) FROM observation_alerts x WHERE {hc_scope} \
                AND x.handled_at IS NULL AND x.rule = 'missed_check_in') AS overdue, \
             (SELECT COUNT(*) FROM observation_alerts x WHERE {hc_scope} AND x.handled_at IS NULL) AS waiting, \
             (SELECT COUNT(*) FROM observation_alerts x WHERE {hc_scope} AND x.handled_at IS NULL \
                AND x.urgency >= 3) AS urgent"
        ))
        .bind(&[key, today.into()])?
        .first(None)
        .await?;
    let counts = counts.unwrap_or(Counts {
        observing: 0,
        overdue: 0,
        waiting: 0,
        urgent: 0,
    });
    Ok(Figures {
        observing: counts.observing,
        overdue: counts.overdue,
        waiting: counts.waiting,
        urgent: counts.urgent,
    })
}
