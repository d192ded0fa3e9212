//! Health observation (issue 10).
//!
//! - The person's phone (`/api/observe/*`): signs in with the record's スマホ入力ID and birth date (failures
//!   counted per ID and per address in D1, refused for a while past a limit), gets a session (KV, its own cookie)
//!   that can do nothing but list the people it reports for and send their reports. Staff endpoints never read
//!   this cookie, and these endpoints never read the staff session.
//! - The health center (`/api/cases/{id}/observation`, `/api/observation/alerts`, `/api/dashboard`): starts an
//!   observation (which makes the slip usable), reads the timeline, works the triage queue. Every read and write is
//!   checked against the record's health center and audited by id.
//!
//! Alerts come from `shared::observation`: [`triage`] on each stored report, and [`due_slots`] for missed
//! check-ins, swept when the queue or dashboard is read and by the cron.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use shared::api::observation::{
    AlertQueue, AlertView, Dashboard, DayCount, HandleAlert, LinkedRecord, ObservationInfo,
    ObservationView, ObserveSignIn, ReportBatch, ReportBatchAnswer, ReportOutcome, ReportResult,
    ReportView, StartObservation, StatusCount, CURVE_DAYS, NOTE_MAX_CHARS, REPORT_BATCH_MAX,
};
use shared::auth::{Jurisdiction, Role};
use shared::case::smartphone_id_ok;
use shared::case::status::CaseStatus;
use shared::error::ErrorCode;
use shared::notification::validate::{IssueSeverity, IssueView};
use shared::observation::{
    check, due_slots, temperature_tenths, triage, Answer, Kind, Report, ReportIssue, Rule, Slot,
};
use wasm_bindgen::JsValue;
use worker::{D1Database, Env, Request, Response};

use crate::access::{self, Visible};
use crate::caller::{person_event, sign_phone_in, Phone, Staff};
use crate::crypto::token;
use crate::error::{ApiError, ApiResult};
use crate::platform::{bindings, now_ms};
use crate::request::{client_address, json_body, json_body_up_to};
use crate::session;
use crate::store::audit::{self};
use crate::store::{f, opt};
use crate::store::{observation as store, throttles};
use shared::time::today_jst;

/// Report bodies are small; a batch of 20 stays far below this.
const MAX_REPORT_BODY: usize = 64 * 1024;

fn db(env: &Env) -> ApiResult<D1Database> {
    Ok(env.d1(bindings::DB)?)
}

fn jst_ms_date(ms: i64) -> String {
    shared::observation::jst_day(ms)
}

fn day(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

// ---- the phone: sign-in -----------------------------------------------------------------------------------

#[derive(Deserialize)]
struct HolderRow {
    case_id: String,
    date_of_birth: String,
    health_center_id: String,
}

pub async fn sign_in(mut req: Request, env: &Env) -> ApiResult<Response> {
    let body: ObserveSignIn = json_body(&mut req).await?;
    let db = db(env)?;
    let now = now_ms();
    let sid: String = body
        .smartphone_id
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    let addr_key = format!("addr:{}", client_address(&req));
    let id_key = format!("id:{sid}");
    if throttles::failures(&db, &addr_key, throttles::ADDR_WINDOW_MS, now).await?
        >= throttles::ADDR_MAX_FAILURES
        || throttles::failures(&db, &id_key, throttles::ID_WINDOW_MS, now).await?
            >= throttles::ID_MAX_FAILURES
    {
        audit::append(
            &db,
            person_event("observe_sign_in", "throttled", &client_address(&req)),
            now,
        )
        .await?;
        return Err(ApiError::new(ErrorCode::ObserveTooManyAttempts));
    }
    let holder: Option<HolderRow> = if smartphone_id_ok(&sid) {
        db.prepare(
            "SELECT c.id AS case_id, c.date_of_birth, o.health_center_id FROM cases c \
             JOIN observations o ON o.case_id = c.id \
             WHERE c.smartphone_id = ?1 AND c.deleted_at IS NULL AND o.stopped_at IS NULL AND o.ends_on >= ?2",
        )
        .bind(&[sid.as_str().into(), jst_ms_date(now - 2 * 86_400_000).into()])?
        .first(None)
        .await?
    } else {
        None
    };
    let dob = body.date_of_birth.trim();
    let holder = holder.filter(|h| !h.date_of_birth.is_empty() && h.date_of_birth == dob);
    let Some(holder) = holder else {
        db.batch(vec![
            throttles::failure_statement(&db, &addr_key, throttles::ADDR_WINDOW_MS, now)?,
            throttles::failure_statement(&db, &id_key, throttles::ID_WINDOW_MS, now)?,
        ])
        .await?;
        audit::append(
            &db,
            person_event("observe_sign_in", "failure", &client_address(&req)),
            now,
        )
        .await?;
        return Err(ApiError::new(ErrorCode::ObserveSignInFailed));
    };
    db.prepare("DELETE FROM observe_failures WHERE key = ?1")
        .bind(&[id_key.as_str().into()])?
        .run()
        .await?;
    sign_phone_in(
        env,
        &req,
        &db,
        &holder.case_id,
        &holder.health_center_id,
        "observe_sign_in",
    )
    .await
}

pub async fn sign_out(req: Request, env: &Env) -> ApiResult<Response> {
    let cleared = session::destroy_phone(env, &req).await?;
    let mut resp = Response::empty()?.with_status(204);
    resp.headers_mut().append("set-cookie", &cleared)?;
    Ok(resp)
}

// ---- the phone: who, and reports --------------------------------------------------------------------------

pub async fn me(p: Phone) -> ApiResult<Response> {
    Ok(Response::from_json(
        &store::me_of(&p.db, &p.holder, now_ms()).await?,
    )?)
}

fn client_id_ok(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What tripped a rule, for the queue (no names: answers and numbers only).
fn detail(rule: Rule, r: &Report) -> String {
    match rule {
        Rule::Spo2Low => r.spo2.map(|s| format!("SpO₂ {s}%")).unwrap_or_default(),
        Rule::HighFever | Rule::ContactSymptom => {
            let mut parts = Vec::new();
            if let Some(t) = r.temperature {
                parts.push(format!("体温 {t:.1}℃"));
            }
            if rule == Rule::ContactSymptom {
                for it in Kind::Contact.items() {
                    if r.answers.get(it.key) == Some(&Answer::Yes) {
                        parts.push(it.label.to_owned());
                    }
                }
            }
            parts.join("・")
        }
        _ => String::new(),
    }
}

pub async fn reports(p: Phone, mut req: Request, env: &Env) -> ApiResult<Response> {
    let holder = p.holder.clone();
    let batch: ReportBatch = json_body_up_to(&mut req, MAX_REPORT_BODY).await?;
    if batch.reports.len() > REPORT_BATCH_MAX {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge));
    }
    let db = db(env)?;
    let now = now_ms();
    let today = today_jst(now);
    let rows = store::people(&db, &holder, now).await?;
    if rows.is_empty() {
        return Err(ApiError::new(ErrorCode::Unauthenticated));
    }
    let by_id: HashMap<&str, &store::PersonRow> =
        rows.iter().map(|r| (r.case_id.as_str(), r)).collect();
    let mut results = Vec::new();
    for up in &batch.reports {
        let reject = |issues: Vec<ReportIssue>| ReportResult {
            client_id: up.client_id.clone(),
            outcome: ReportOutcome::Rejected,
            issues,
            urgent: false,
        };
        if !client_id_ok(&up.client_id) {
            results.push(reject(vec![ReportIssue {
                field: "client_id".into(),
                message: "送信データの形式が正しくありません".into(),
            }]));
            continue;
        }
        let Some(person) = by_id.get(up.person.as_str()) else {
            results.push(reject(vec![ReportIssue {
                field: "person".into(),
                message: "この方の報告はこの端末からは送れません（健康観察の期間が終わった可能性があります）".into(),
            }]));
            continue;
        };
        let kind = Kind::parse(&person.kind).unwrap_or(Kind::Patient);
        let r = &up.report;
        let mut issues = check(kind, r, today);
        if issues.is_empty() && (r.date < person.started_on || r.date > person.ends_on) {
            issues.push(ReportIssue {
                field: "date".into(),
                message: "健康観察の期間外の日付です".into(),
            });
        }
        if !issues.is_empty() {
            results.push(reject(issues));
            continue;
        }
        let hits = triage(kind, r);
        let report_id = format!("r_{}", token()?);
        let answers = serde_json::to_string(&r.answers).unwrap_or_else(|_| "{}".into());
        let mut statements = vec![db
            .prepare(
                "INSERT INTO observation_reports (id, case_id, client_id, kind, date, slot, temperature_tenths, \
                 spo2, answers, reported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT(case_id, client_id) DO NOTHING",
            )
            .bind(&[
                report_id.as_str().into(),
                person.case_id.as_str().into(),
                up.client_id.as_str().into(),
                kind.as_str().into(),
                r.date.as_str().into(),
                r.slot.as_str().into(),
                r.temperature.map_or(JsValue::NULL, |t| f(temperature_tenths(t))),
                r.spo2.map_or(JsValue::NULL, |s| f(i64::from(s))),
                answers.as_str().into(),
                f(now),
            ])?];
        // A report that arrives after its slot was flagged as missed closes that alert.
        statements.push(
            db.prepare(
                "UPDATE observation_alerts SET handled_at = ?4, note = '後から報告がありました（自動）' \
                 WHERE case_id = ?1 AND date = ?2 AND slot = ?3 AND rule = 'missed_check_in' AND handled_at IS NULL",
            )
            .bind(&[
                person.case_id.as_str().into(),
                r.date.as_str().into(),
                r.slot.as_str().into(),
                f(now),
            ])?,
        );
        for rule in &hits {
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
                    person.health_center_id.as_str().into(),
                    rule.as_str().into(),
                    f(i64::from(rule.urgency())),
                    detail(*rule, r).into(),
                    f(now),
                    person.case_id.as_str().into(),
                    up.client_id.as_str().into(),
                ])?,
            );
        }
        statements.push(audit::batch_entry(
            &db,
            &person_event("observe_report", "success", &client_address(&req))
                .in_area(&person.case_id, &person.health_center_id),
            now,
        )?);
        db.batch(statements).await?;
        results.push(ReportResult {
            client_id: up.client_id.clone(),
            outcome: ReportOutcome::Accepted,
            issues: Vec::new(),
            urgent: hits.iter().any(|h| h.urgency() >= 2),
        });
    }
    Ok(Response::from_json(&ReportBatchAnswer { results })?)
}

// ---- the health center: the record's observation ----------------------------------------------------------

#[derive(Deserialize)]
struct ObservationRow {
    kind: String,
    started_on: String,
    ends_on: String,
    household_of: Option<String>,
    stopped_at: Option<i64>,
}

async fn linked(db: &D1Database, sql: &str, id: &str) -> ApiResult<Vec<LinkedRecord>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        name: String,
        smartphone_id: String,
    }
    let rows: Vec<Row> = db.prepare(sql).bind(&[id.into()])?.all().await?.results()?;
    Ok(rows
        .into_iter()
        .map(|r| LinkedRecord {
            id: r.id,
            name: r.name,
            smartphone_id: r.smartphone_id,
        })
        .collect())
}

#[derive(Deserialize)]
struct AlertRow {
    id: String,
    case_id: String,
    case_name: String,
    smartphone_id: String,
    rule: String,
    urgency: i64,
    date: String,
    slot: String,
    detail: String,
    raised_at: i64,
    handled_at: Option<i64>,
    handled_by_name: Option<String>,
    note: Option<String>,
}

const ALERT_SELECT: &str = "SELECT a.id, a.case_id, c.name AS case_name, c.smartphone_id, a.rule, a.urgency, \
     a.date, a.slot, a.detail, a.raised_at, a.handled_at, u.display_name AS handled_by_name, a.note \
     FROM observation_alerts a JOIN cases c ON c.id = a.case_id LEFT JOIN users u ON u.id = a.handled_by_user_id";

fn alert_view(r: AlertRow) -> Option<AlertView> {
    Some(AlertView {
        rule: Rule::parse(&r.rule)?,
        slot: Slot::parse(&r.slot)?,
        id: r.id,
        case_id: r.case_id,
        case_name: r.case_name,
        smartphone_id: r.smartphone_id,
        urgency: r.urgency.clamp(0, 3) as u8,
        date: r.date,
        detail: r.detail,
        raised_at: r.raised_at,
        handled_at: r.handled_at,
        handled_by_name: r.handled_by_name,
        note: r.note,
    })
}

pub async fn get(c: Staff, id: &str) -> ApiResult<Response> {
    let Visible { row, access, .. } = access::record(&c, id, "observation_read").await?;
    let obs: Option<ObservationRow> =
        c.db.prepare(
            "SELECT kind, started_on, ends_on, household_of, stopped_at FROM observations WHERE case_id = ?1",
        )
        .bind(&[id.into()])?
        .first(None)
        .await?;
    let observation = match obs {
        None => None,
        Some(o) => Some(ObservationInfo {
            kind: Kind::parse(&o.kind).unwrap_or(Kind::Patient),
            started_on: o.started_on,
            ends_on: o.ends_on,
            stopped: o.stopped_at.is_some(),
            household_of: match o.household_of {
                Some(h) => linked(
                    &c.db,
                    "SELECT id, name, smartphone_id FROM cases WHERE id = ?1 AND deleted_at IS NULL",
                    &h,
                )
                .await?
                .pop(),
                None => None,
            },
            members: linked(
                &c.db,
                "SELECT c.id, c.name, c.smartphone_id FROM observations o JOIN cases c ON c.id = o.case_id \
                 WHERE o.household_of = ?1 AND c.deleted_at IS NULL ORDER BY c.seq",
                id,
            )
            .await?,
        }),
    };
    #[derive(Deserialize)]
    struct Rep {
        id: String,
        kind: String,
        date: String,
        slot: String,
        temperature_tenths: Option<i64>,
        spo2: Option<i64>,
        answers: String,
        reported_at: i64,
    }
    let reps: Vec<Rep> =
        c.db.prepare(
            "SELECT id, kind, date, slot, temperature_tenths, spo2, answers, reported_at FROM observation_reports \
             WHERE case_id = ?1 ORDER BY date DESC, slot DESC, reported_at DESC LIMIT 200",
        )
        .bind(&[id.into()])?
        .all()
        .await?
        .results()?;
    let reports = reps
        .into_iter()
        .filter_map(|r| {
            Some(ReportView {
                id: r.id,
                kind: Kind::parse(&r.kind)?,
                date: r.date,
                slot: Slot::parse(&r.slot)?,
                temperature: r.temperature_tenths.map(|t| t as f64 / 10.0),
                spo2: r.spo2.map(|s| s.clamp(0, 255) as u8),
                answers: serde_json::from_str::<BTreeMap<String, Answer>>(&r.answers)
                    .unwrap_or_default(),
                reported_at: r.reported_at,
            })
        })
        .collect();
    let alerts: Vec<AlertRow> =
        c.db.prepare(format!(
            "{ALERT_SELECT} WHERE a.case_id = ?1 ORDER BY a.handled_at IS NOT NULL, a.raised_at DESC LIMIT 200"
        ))
        .bind(&[id.into()])?
        .all()
        .await?
        .results()?;
    c.log(c.event("observation_read", "success").target(id))
        .await?;
    Ok(Response::from_json(&ObservationView {
        observation,
        reports,
        alerts: alerts.into_iter().filter_map(alert_view).collect(),
        can_manage: access.manage && row.deleted_at.is_none(),
    })?)
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::with_issues(
        ErrorCode::ValidationFailed,
        vec![IssueView {
            severity: IssueSeverity::Error,
            code: "observation".into(),
            field: field.into(),
            message: message.into(),
        }],
    )
}

/// `POST /api/cases/{id}/observation`: start the observation, or change its kind, dates or household link.
pub async fn start(c: Staff, mut req: Request, id: &str) -> ApiResult<Response> {
    let Visible { row, access, .. } = access::record(&c, id, "observation_start").await?;
    if !access.manage || row.deleted_at.is_some() {
        c.log(c.event("observation_start", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let body: StartObservation = json_body(&mut req).await?;
    let now = now_ms();
    let today = today_jst(now);
    let start = day(body.started_on.trim())
        .ok_or_else(|| invalid("started_on", "開始日を入力してください"))?;
    if start > today {
        return Err(invalid("started_on", "開始日に未来の日付は指定できません"));
    }
    let end = match body.ends_on.trim() {
        "" => start + chrono::Duration::days(body.kind.default_days() - 1),
        s => day(s).ok_or_else(|| invalid("ends_on", "終了日の形式が正しくありません"))?,
    };
    if end < start {
        return Err(invalid("ends_on", "終了日は開始日以降にしてください"));
    }
    if (end - start).num_days() > 60 {
        return Err(invalid("ends_on", "観察期間は60日以内にしてください"));
    }
    let household = body.household_of.trim();
    let household_of = if household.is_empty() {
        if row.date_of_birth.is_empty() {
            return Err(invalid(
                "household_of",
                "生年月日が登録されていないため、本人のスマホからは報告できません。ID管理タブで生年月日を登録するか、同居者のスマホ入力IDを指定してください",
            ));
        }
        None
    } else {
        if !smartphone_id_ok(household) {
            return Err(invalid(
                "household_of",
                "スマホ入力IDは10桁の数字です（入力を確認してください）",
            ));
        }
        #[derive(Deserialize)]
        struct H {
            id: String,
            household_of: Option<String>,
            has_obs: i64,
        }
        let h: Option<H> =
            c.db.prepare(
                "SELECT c.id, o.household_of, o.case_id IS NOT NULL AS has_obs FROM cases c \
                 LEFT JOIN observations o ON o.case_id = c.id \
                 WHERE c.smartphone_id = ?1 AND c.health_center_id = ?2 AND c.deleted_at IS NULL",
            )
            .bind(&[household.into(), row.health_center_id.as_str().into()])?
            .first(None)
            .await?;
        let h = h.ok_or_else(|| {
            invalid(
                "household_of",
                "このスマホ入力IDの記録が当保健所にありません",
            )
        })?;
        if h.id == id {
            return Err(invalid(
                "household_of",
                "本人のスマホ入力IDは指定できません",
            ));
        }
        if h.has_obs == 0 || h.household_of.is_some() {
            return Err(invalid(
                "household_of",
                "報告する同居者の健康観察を先に開始してください（同居者本人のスマホから報告する設定が必要です）",
            ));
        }
        Some(h.id)
    };
    c.db.batch(vec![
        c.db.prepare(
            "INSERT INTO observations (case_id, health_center_id, kind, started_on, ends_on, household_of, \
             stopped_at, updated_at, updated_by_user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8) \
             ON CONFLICT(case_id) DO UPDATE SET kind = ?3, started_on = ?4, ends_on = ?5, household_of = ?6, \
             stopped_at = NULL, updated_at = ?7, updated_by_user_id = ?8",
        )
        .bind(&[
            id.into(),
            row.health_center_id.as_str().into(),
            body.kind.as_str().into(),
            start.to_string().into(),
            end.to_string().into(),
            opt(household_of.as_deref()),
            f(now),
            c.user.id.as_str().into(),
        ])?,
        audit::batch_entry(
            &c.db,
            &c.event("observation_start", "success").target(id),
            now,
        )?,
    ])
    .await?;
    get(c, id).await
}

/// `POST /api/cases/{id}/observation/stop`: ends the observation (the slip stops working, no missed check-ins).
pub async fn stop(c: Staff, id: &str) -> ApiResult<Response> {
    let Visible { row, access, .. } = access::record(&c, id, "observation_stop").await?;
    if !access.manage || row.deleted_at.is_some() {
        c.log(c.event("observation_stop", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let now = now_ms();
    c.db.batch(vec![
        c.db.prepare(
            "UPDATE observations SET stopped_at = ?2, updated_at = ?2, updated_by_user_id = ?3 \
             WHERE case_id = ?1 AND stopped_at IS NULL",
        )
        .bind(&[id.into(), f(now), c.user.id.as_str().into()])?,
        audit::batch_entry(
            &c.db,
            &c.event("observation_stop", "success").target(id),
            now,
        )?,
    ])
    .await?;
    get(c, id).await
}

// ---- the health center: missed check-ins, queue, dashboard ------------------------------------------------

/// Raises the missed check-in alerts that are due in these health centers (all when `None`): one per observed
/// record and slot of today and yesterday whose due hour has passed with no report. Idempotent.
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

/// The health center of a caller who works alerts (staff and administrators of a health center).
fn alert_desk(c: &Staff) -> Option<&str> {
    matches!(
        c.principal.role,
        Role::HealthCenterStaff | Role::HealthCenterAdmin
    )
    .then(|| c.health_center_id())
    .flatten()
}

#[derive(Deserialize)]
struct QueueQuery {
    #[serde(default)]
    all: Option<String>,
}

pub async fn queue(c: Staff, req: Request) -> ApiResult<Response> {
    let Some(hc) = alert_desk(&c).map(str::to_owned) else {
        c.log(c.event("alerts_read", "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    let q: QueueQuery = req.query().unwrap_or(QueueQuery { all: None });
    let all = q.all.as_deref() == Some("1");
    let now = now_ms();
    sweep(&c.db, Some(&hc), now).await?;
    let rows: Vec<AlertRow> = if all {
        c.db.prepare(format!(
            "{ALERT_SELECT} WHERE a.health_center_id = ?1 \
             ORDER BY a.handled_at IS NOT NULL, a.urgency DESC, a.raised_at LIMIT 500"
        ))
    } else {
        c.db.prepare(format!(
            "{ALERT_SELECT} WHERE a.health_center_id = ?1 AND a.handled_at IS NULL \
             ORDER BY a.urgency DESC, a.raised_at LIMIT 500"
        ))
    }
    .bind(&[hc.as_str().into()])?
    .all()
    .await?
    .results()?;
    #[derive(Deserialize)]
    struct N {
        n: i64,
    }
    let waiting: Option<N> =
        c.db.prepare(
            "SELECT COUNT(*) AS n FROM observation_alerts WHERE health_center_id = ?1 AND handled_at IS NULL",
        )
        .bind(&[hc.as_str().into()])?
        .first(None)
        .await?;
    c.log(c.event("alerts_read", "success")).await?;
    Ok(Response::from_json(&AlertQueue {
        alerts: rows.into_iter().filter_map(alert_view).collect(),
        waiting: waiting.map_or(0, |n| n.n.max(0) as u32),
    })?)
}

pub async fn handle_alert(c: Staff, mut req: Request, id: &str) -> ApiResult<Response> {
    let Some(hc) = alert_desk(&c).map(str::to_owned) else {
        c.log(c.event("alert_handle", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    let body: HandleAlert = json_body(&mut req).await?;
    let note = body.note.trim();
    if note.is_empty() || note.chars().count() > NOTE_MAX_CHARS {
        return Err(invalid("note", "対応内容を1〜500文字で入力してください"));
    }
    #[derive(Deserialize)]
    struct A {
        health_center_id: String,
        handled_at: Option<i64>,
    }
    let a: Option<A> =
        c.db.prepare("SELECT health_center_id, handled_at FROM observation_alerts WHERE id = ?1")
            .bind(&[id.into()])?
            .first(None)
            .await?;
    let Some(a) = a else {
        c.log(c.event("alert_handle", "not_found").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    if a.health_center_id != hc {
        c.log(c.event("alert_handle", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    if a.handled_at.is_some() {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    let now = now_ms();
    let results =
        c.db.batch(vec![
            c.db.prepare(
                "UPDATE observation_alerts SET handled_at = ?2, handled_by_user_id = ?3, note = ?4 \
                 WHERE id = ?1 AND handled_at IS NULL",
            )
            .bind(&[id.into(), f(now), c.user.id.as_str().into(), note.into()])?,
            audit::batch_entry(&c.db, &c.event("alert_handle", "success").target(id), now)?,
        ])
        .await?;
    let changed = results
        .first()
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0);
    if changed == 0 {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    let row: Option<AlertRow> =
        c.db.prepare(format!("{ALERT_SELECT} WHERE a.id = ?1"))
            .bind(&[id.into()])?
            .first(None)
            .await?;
    let view = row
        .and_then(alert_view)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    Ok(Response::from_json(&view)?)
}

/// The dashboard's area: a health center, a prefecture or the country.
enum Area {
    HealthCenter(String),
    Prefecture(String),
    Nation,
}

pub async fn dashboard(c: Staff) -> ApiResult<Response> {
    let area = match (&c.principal.role, &c.principal.jurisdiction) {
        (
            Role::HealthCenterStaff | Role::HealthCenterAdmin,
            Jurisdiction::HealthCenter {
                health_center_id, ..
            },
        ) => Area::HealthCenter(health_center_id.clone()),
        (Role::PrefectureStaff, Jurisdiction::Prefecture { pref_code }) => {
            Area::Prefecture(pref_code.clone())
        }
        (Role::NationalStaff, _) => Area::Nation,
        _ => {
            c.log(c.event("dashboard_read", "forbidden")).await?;
            return Err(ApiError::new(ErrorCode::Forbidden));
        }
    };
    let now = now_ms();
    let (case_scope, hc_scope, key, area_name) = match &area {
        Area::HealthCenter(h) => {
            sweep(&c.db, Some(h), now).await?;
            #[derive(Deserialize)]
            struct Name {
                name: String,
            }
            let n: Option<Name> =
                c.db.prepare("SELECT name FROM health_centers WHERE id = ?1")
                    .bind(&[h.as_str().into()])?
                    .first(None)
                    .await?;
            (
                "c.health_center_id = ?1",
                "x.health_center_id = ?1",
                JsValue::from_str(h),
                n.map_or_else(String::new, |n| n.name),
            )
        }
        Area::Prefecture(p) => {
            sweep(&c.db, None, now).await?;
            (
                "c.pref_code = ?1",
                "x.health_center_id IN (SELECT id FROM health_centers WHERE pref_code = ?1)",
                JsValue::from_str(p),
                p.parse::<u8>()
                    .ok()
                    .and_then(shared::notification::municipality::prefecture_name)
                    .unwrap_or_default()
                    .to_owned(),
            )
        }
        Area::Nation => {
            sweep(&c.db, None, now).await?;
            ("?1 IS NULL", "?1 IS NULL", JsValue::NULL, "全国".to_owned())
        }
    };
    let today = today_jst(now);
    let from = today - chrono::Duration::days(CURVE_DAYS as i64 - 1);
    // Filing time bounds the scan (the index on the area and filed_at); 確定日 places the case on the curve.
    let from_ms = now - (CURVE_DAYS as i64 + 31) * 86_400_000;
    #[derive(Deserialize)]
    struct Day {
        d: String,
        n: i64,
    }
    let days: Vec<Day> =
        c.db.prepare(format!(
            "SELECT COALESCE(c.diagnosed_on, date((c.filed_at + 32400000) / 1000, 'unixepoch')) AS d, COUNT(*) AS n \
             FROM cases c WHERE {case_scope} AND c.deleted_at IS NULL AND c.filed = 1 AND c.filed_at >= ?2 \
             GROUP BY d"
        ))
        .bind(&[key.clone(), f(from_ms)])?
        .all()
        .await?
        .results()?;
    let counts: HashMap<String, i64> = days.into_iter().map(|d| (d.d, d.n)).collect();
    let curve = (0..CURVE_DAYS as i64)
        .map(|i| {
            let d = (from + chrono::Duration::days(i)).to_string();
            DayCount {
                count: counts.get(&d).copied().unwrap_or(0).max(0) as u32,
                date: d,
            }
        })
        .collect();
    #[derive(Deserialize)]
    struct St {
        status: Option<String>,
        n: i64,
    }
    let st: Vec<St> =
        c.db.prepare(format!(
            "SELECT c.status, COUNT(*) AS n FROM cases c WHERE {case_scope} AND c.deleted_at IS NULL GROUP BY c.status"
        ))
        .bind(std::slice::from_ref(&key))?
        .all()
        .await?
        .results()?;
    let mut statuses: Vec<StatusCount> = Vec::new();
    for s in CaseStatus::ALL.iter().map(|s| Some(*s)).chain([None]) {
        let n: i64 = st
            .iter()
            .filter(|r| r.status.as_deref() == s.map(CaseStatus::as_str))
            .map(|r| r.n)
            .sum();
        statuses.push(StatusCount {
            status: s,
            count: n.max(0) as u32,
        });
    }
    #[derive(Deserialize)]
    struct Counts {
        observing: i64,
        overdue: i64,
        waiting: i64,
        urgent: i64,
    }
    let counts: Option<Counts> =
        c.db.prepare(format!(
            "SELECT \
             (SELECT COUNT(*) FROM observations x WHERE {hc_scope} AND x.stopped_at IS NULL \
                AND x.started_on <= ?2 AND x.ends_on >= ?2) AS observing, \
             (SELECT COUNT(DISTINCT x.case_id) FROM observation_alerts x WHERE {hc_scope} \
                AND x.handled_at IS NULL AND x.rule = 'missed_check_in') AS overdue, \
             (SELECT COUNT(*) FROM observation_alerts x WHERE {hc_scope} AND x.handled_at IS NULL) AS waiting, \
             (SELECT COUNT(*) FROM observation_alerts x WHERE {hc_scope} AND x.handled_at IS NULL \
                AND x.urgency >= 3) AS urgent"
        ))
        .bind(&[key, today.to_string().into()])?
        .first(None)
        .await?;
    let counts = counts.unwrap_or(Counts {
        observing: 0,
        overdue: 0,
        waiting: 0,
        urgent: 0,
    });
    c.log(c.event("dashboard_read", "success")).await?;
    let n = |v: i64| v.max(0) as u32;
    Ok(Response::from_json(&Dashboard {
        area: area_name,
        curve,
        statuses,
        observing: n(counts.observing),
        overdue: n(counts.overdue),
        alerts_waiting: n(counts.waiting),
        urgent_waiting: n(counts.urgent),
    })?)
}
