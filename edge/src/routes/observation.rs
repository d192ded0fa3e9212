//! Health observation (issue 10).
//!
//! - The person's phone (`/api/observe/*`): signs in with the record's スマホ入力ID and birth date (failures
//!   counted per ID and per address in D1, refused for a while past a limit), gets a session (KV, its own cookie)
//!   that can do nothing but list the people it reports for and send their reports. Staff endpoints never read
//!   this cookie, and these endpoints never read the staff session.
//! - The health center (`/api/cases/{id}/observation`, `/api/observation/alerts`, `/api/dashboard`): starts an
//!   observation (which makes the slip usable), reads the timeline, works the triage queue. Every read and write is
//!   checked against the record's health center and audited by id. Linked records (the household's phone, its
//!   members) appear only where the viewer may see them, and a スマホ入力ID (a credential) only to the health
//!   center that manages its record.
//!
//! Alerts come from `shared::observation`: [`triage`] on each stored report, and missed check-ins from
//! [`store::sweep`], run when the queue or dashboard is read and by the cron. All SQL is in
//! [`crate::store::observation`] and [`crate::store::throttles`].

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use shared::api::observation::{
    AlertQueue, AlertView, Dashboard, DayCount, HandleAlert, LinkedRecord, ObservationInfo,
    ObservationView, ObserveSignIn, ReportBatch, ReportBatchAnswer, ReportOutcome, ReportResult,
    ReportView, StartObservation, StatusCount, CURVE_DAYS, NOTE_MAX_CHARS, REPORT_BATCH_MAX,
};
use shared::auth::access::DashboardArea;
use shared::case::smartphone_id_ok;
use shared::case::status::CaseStatus;
use shared::error::ErrorCode;
use shared::notification::validate::{IssueSeverity, IssueView};
use shared::observation::{
    check, temperature_tenths, triage, Answer, Kind, Report, ReportIssue, Rule, Slot,
};
use worker::{Env, Request, Response};

use crate::access::{self, Visible};
use crate::caller::{log_anonymous, person_event, sign_phone_in, Phone, Staff};
use crate::crypto::token;
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{address_bucket, client_address, json_body, json_body_up_to};
use crate::session;
use crate::store::observation::{self as store, AlertRow, NewReport, Raised};
use crate::store::shards::{each, Refs, Stores};
use crate::store::{audit, cases, changes, db, institutions, throttles};
use shared::time::today_jst;

/// Report bodies are small; a batch of 20 stays far below this.
const MAX_REPORT_BODY: usize = 64 * 1024;

fn day(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

// ---- the phone: sign-in -----------------------------------------------------------------------------------

pub async fn sign_in(mut req: Request, env: &Env) -> ApiResult<Response> {
    let body: ObserveSignIn = json_body(&mut req).await?;
    let db = db(env)?;
    let now = now_ms();
    let sid: String = body
        .smartphone_id
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    let address = client_address(&req);
    let addr_key = format!("addr:{}", address_bucket(&req));
    let id_key = format!("id:{sid}");
    // Each attempt is counted before the birth date is compared (one statement per key, returning the count), so
    // parallel guesses cannot all pass a limit that none of them has seen reached yet.
    let throttled = throttles::OBSERVE_ADDR
        .exceeded(throttles::hit(&db, &addr_key, throttles::OBSERVE_ADDR, now).await?)
        || throttles::OBSERVE_ID
            .exceeded(throttles::hit(&db, &id_key, throttles::OBSERVE_ID, now).await?);
    if throttled {
        let event = person_event("observe_sign_in", "throttled", &address);
        log_anonymous(&db, &req, event, now).await?;
        return Err(ApiError::new(ErrorCode::ObserveTooManyAttempts));
    }
    // The スマホ入力ID is looked for in every shard (the phone does not say its prefecture).
    let stores = Stores::new(env)?;
    let shards = stores.all()?;
    let found = if smartphone_id_ok(&sid) {
        each(&shards, |shard| {
            store::holder_by_smartphone_id(&shard.db, &sid, now)
        })
        .await?
    } else {
        Vec::new()
    };
    let dob = body.date_of_birth.trim();
    let holder = shards.iter().zip(found).find_map(|(shard, h)| {
        h.filter(|h| !h.date_of_birth.is_empty() && h.date_of_birth == dob)
            .map(|h| (shard, h))
    });
    let Some((shard, holder)) = holder else {
        let event = person_event("observe_sign_in", "failure", &address);
        log_anonymous(&db, &req, event, now).await?;
        return Err(ApiError::new(ErrorCode::ObserveSignInFailed));
    };
    // A success is no failure: the ID starts afresh and the address gets its attempt back.
    throttles::clear(&db, &id_key).await?;
    throttles::refund(&db, &addr_key).await?;
    sign_phone_in(
        env,
        &req,
        &shard.db,
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

pub async fn reports(p: Phone, mut req: Request) -> ApiResult<Response> {
    let batch: ReportBatch = json_body_up_to(&mut req, MAX_REPORT_BODY).await?;
    if batch.reports.len() > REPORT_BATCH_MAX {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge));
    }
    let db = &p.db;
    let now = now_ms();
    let today = today_jst(now);
    let rows = store::people(db, &p.holder, now).await?;
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
        let raised: Vec<Raised> = hits
            .iter()
            .map(|rule| Raised {
                rule: *rule,
                detail: detail(*rule, r),
            })
            .collect();
        let mut statements = store::report_statements(
            db,
            &NewReport {
                id: &report_id,
                case_id: &person.case_id,
                health_center_id: &person.health_center_id,
                client_id: &up.client_id,
                kind,
                date: &r.date,
                slot: r.slot,
                temperature_tenths: r.temperature.map(temperature_tenths),
                spo2: r.spo2.map(i64::from),
                answers: &answers,
            },
            &raised,
            now,
        )?;
        statements.push(audit::batch_entry(
            db,
            &p.event("observe_report", "ok")
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

/// A linked record (the phone's holder, or a household member) if this caller may see it: unknown, deleted and
/// other areas' records are left out; its スマホ入力ID (a credential) only to the health center that manages it.
async fn linked(c: &Staff, id: &str) -> ApiResult<Option<LinkedRecord>> {
    let Some((row, access)) = visible(c, id).await? else {
        return Ok(None);
    };
    Ok(Some(LinkedRecord {
        smartphone_id: access::smartphone_id(access.slip, row.smartphone_id),
        id: row.id,
        name: row.name,
    }))
}

/// A live record and what this caller may do with it, if they may see it (no audit: a link, not a request for
/// the record).
async fn visible(c: &Staff, id: &str) -> ApiResult<Option<(cases::CaseRow, shared::auth::Access)>> {
    let Some((shard, row)) = access::find(c, id).await? else {
        return Ok(None);
    };
    if row.deleted_at.is_some() {
        return Ok(None);
    }
    let area = access::area(&shard.db, &row).await?;
    let access = c.principal.access(&area);
    Ok(access.read.then_some((row, access)))
}

/// An alert for the view; its record's スマホ入力ID only when `manages` (the caller manages the record).
fn alert_view(r: AlertRow, manages: bool) -> Option<AlertView> {
    Some(AlertView {
        rule: Rule::parse(&r.rule)?,
        slot: Slot::parse(&r.slot)?,
        id: r.id,
        case_id: r.case_id,
        case_name: r.case_name,
        smartphone_id: access::smartphone_id(manages, r.smartphone_id),
        // The person's phone, to the staff who manage the record (as the スマホ入力ID): a tap-to-call link on the card.
        phone: if manages {
            r.phone_digits
        } else {
            String::new()
        },
        urgency: r.urgency.clamp(0, 3) as u8,
        date: r.date,
        detail: r.detail,
        raised_at: r.raised_at,
        handled_at: r.handled_at,
        handled_by_name: r.handled_by_name,
        note: r.note,
    })
}

/// An alert in a health center's queue: its record's スマホ入力ID only when the record is at that desk now.
fn queue_view(r: AlertRow, desk: &str) -> Option<AlertView> {
    let manages = r.case_health_center_id == desk;
    alert_view(r, manages)
}

pub async fn get(c: Staff, id: &str) -> ApiResult<Response> {
    let Visible { row, access, shard } = access::record(&c, id, "observation_read").await?;
    let observation = match store::of_case(&shard.db, id).await? {
        None => None,
        Some(o) => {
            let household_of = match &o.household_of {
                Some(h) => linked(&c, h).await?,
                None => None,
            };
            let mut members = Vec::new();
            for m in store::household_members(&shard.db, id).await? {
                if let Some(l) = linked(&c, &m).await? {
                    members.push(l);
                }
            }
            Some(ObservationInfo {
                kind: Kind::parse(&o.kind).unwrap_or(Kind::Patient),
                started_on: o.started_on,
                ends_on: o.ends_on,
                stopped: o.stopped_at.is_some(),
                household_of,
                members,
            })
        }
    };
    let reports = store::reports_of(&shard.db, id)
        .await?
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
    let alerts = store::alerts_of(&shard.db, id).await?;
    c.log(c.event("observation_read", "ok").target(id)).await?;
    Ok(Response::from_json(&ObservationView {
        observation,
        reports,
        alerts: alerts
            .into_iter()
            .filter_map(|a| alert_view(a, access.manage))
            .collect(),
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

/// `POST /api/cases/{id}/observation`: start the observation, or change its kind, dates or household link. The
/// observation (and its unhandled alerts) then belongs to the record's current health center: restarting it after
/// a transfer moves it to the caller's desk.
pub async fn start(c: Staff, mut req: Request, id: &str) -> ApiResult<Response> {
    let Visible { row, access, shard } = access::record(&c, id, "observation_start").await?;
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
        let unknown = || {
            invalid(
                "household_of",
                "このスマホ入力IDの記録が当保健所にありません",
            )
        };
        // A household is one shard's: the member reporting for this record is looked for beside it.
        let h = store::household_candidate(&shard.db, household, &row.health_center_id)
            .await?
            .ok_or_else(unknown)?;
        // A record the caller may not see is answered like an unknown one.
        if visible(&c, &h.id).await?.is_none() {
            return Err(unknown());
        }
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
    let (started_on, ends_on) = (start.to_string(), end.to_string());
    c.writing(&shard, Refs::default().health_center(&row.health_center_id))
        .await?;
    let mut statements = store::start(
        &shard.db,
        &store::Start {
            case_id: id,
            health_center_id: &row.health_center_id,
            kind: body.kind,
            started_on: &started_on,
            ends_on: &ends_on,
            household_of: household_of.as_deref(),
            user_id: &c.user.id,
        },
        now,
    )?;
    statements.push(audit::batch_entry(
        &shard.db,
        &c.event("observation_start", "ok").target(id),
        now,
    )?);
    shard.db.batch(statements).await?;
    get(c, id).await
}

/// `POST /api/cases/{id}/observation/stop`: ends the observation (the slip stops working, no missed check-ins).
pub async fn stop(c: Staff, id: &str) -> ApiResult<Response> {
    let Visible { row, access, shard } = access::record(&c, id, "observation_stop").await?;
    if !access.manage || row.deleted_at.is_some() {
        c.log(c.event("observation_stop", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let now = now_ms();
    c.writing(&shard, Refs::default()).await?;
    shard
        .db
        .batch(vec![
            store::stop(&shard.db, id, &c.user.id, now)?,
            audit::batch_entry(
                &shard.db,
                &c.event("observation_stop", "ok").target(id),
                now,
            )?,
        ])
        .await?;
    get(c, id).await
}

// ---- the health center: queue, dashboard ------------------------------------------------------------------

#[derive(Deserialize)]
struct QueueQuery {
    #[serde(default)]
    all: Option<String>,
}

pub async fn queue(c: Staff, req: Request) -> ApiResult<Response> {
    let Some(hc) = c.principal.desk().map(str::to_owned) else {
        c.log(c.event("alerts_read", "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    let q: QueueQuery = req.query().unwrap_or(QueueQuery { all: None });
    let all = q.all.as_deref() == Some("1");
    let now = now_ms();
    // A health center's alerts are in its prefecture's shard (a record moved elsewhere takes its alerts along).
    let shard = c
        .stores
        .for_pref(c.principal.jurisdiction.pref_code().unwrap_or_default())?;
    store::sweep(&shard.db, Some(&hc), now).await?;
    let rows = store::queue(&shard.db, &hc, all).await?;
    let waiting = store::waiting(&shard.db, &hc).await?;
    let alerts: Vec<AlertView> = rows
        .into_iter()
        .filter_map(|r| queue_view(r, &hc))
        .collect();
    c.log(
        c.event("alerts_read", "ok")
            .returned(alerts.iter().map(|a| a.case_id.clone())),
    )
    .await?;
    Ok(Response::from_json(&AlertQueue {
        alerts,
        waiting: waiting.max(0) as u32,
    })?)
}

pub async fn handle_alert(c: Staff, mut req: Request, id: &str) -> ApiResult<Response> {
    let Some(hc) = c.principal.desk().map(str::to_owned) else {
        c.log(c.event("alert_handle", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    let body: HandleAlert = json_body(&mut req).await?;
    let note = body.note.trim();
    if note.is_empty() || note.chars().count() > NOTE_MAX_CHARS {
        return Err(invalid("note", "対応内容を1〜500文字で入力してください"));
    }
    let shard = c
        .stores
        .for_pref(c.principal.jurisdiction.pref_code().unwrap_or_default())?;
    let Some(a) = store::alert_state(&shard.db, id).await? else {
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
    c.writing(&shard, Refs::default()).await?;
    let results = shard
        .db
        .batch(vec![
            store::handle(&shard.db, id, &c.user.id, note, now)?,
            audit::batch_entry(&shard.db, &c.event("alert_handle", "ok").target(id), now)?,
        ])
        .await?;
    if results.first().map_or(0, changes) == 0 {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    let view = store::alert(&shard.db, id)
        .await?
        .and_then(|r| queue_view(r, &hc))
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    Ok(Response::from_json(&view)?)
}

pub async fn dashboard(c: Staff) -> ApiResult<Response> {
    let Some(area) = c.principal.dashboard_area() else {
        c.log(c.event("dashboard_read", "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    let now = now_ms();
    // The area's shards: its prefecture's, or all for the nation.
    let shards = c.stores.for_area(match &area {
        DashboardArea::Nation => None,
        _ => c.principal.jurisdiction.pref_code(),
    })?;
    let area_name = match &area {
        DashboardArea::HealthCenter(h) => {
            for shard in &shards {
                store::sweep(&shard.db, Some(h), now).await?;
            }
            institutions::health_center(&c.core, h)
                .await?
                .map_or_else(String::new, |h| h.name)
        }
        DashboardArea::Prefecture(p) => {
            for shard in &shards {
                store::sweep(&shard.db, None, now).await?;
            }
            p.parse::<u8>()
                .ok()
                .and_then(shared::notification::municipality::prefecture_name)
                .unwrap_or_default()
                .to_owned()
        }
        DashboardArea::Nation => {
            each(&shards, |shard| store::sweep(&shard.db, None, now)).await?;
            "全国".to_owned()
        }
    };
    let today = today_jst(now);
    let from = today - chrono::Duration::days(CURVE_DAYS as i64 - 1);
    // Filing time bounds the scan; 確定日 places the case on the curve.
    let from_ms = now - (CURVE_DAYS as i64 + 31) * 86_400_000;
    let today_s = today.to_string();
    let per_shard = each(&shards, |shard| {
        let (area, today_s) = (&area, &today_s);
        async move {
            Ok((
                cases::figures(&shard.db, area, from_ms).await?,
                store::dashboard(&shard.db, area, today_s).await?,
            ))
        }
    })
    .await?;
    // The shards' figures added up (each shard counts only its own records).
    let mut records = cases::Figures {
        days: Vec::new(),
        statuses: Vec::new(),
    };
    let mut figures = store::Figures {
        observing: 0,
        overdue: 0,
        waiting: 0,
        urgent: 0,
    };
    for (r, f) in per_shard {
        records.days.extend(r.days);
        records.statuses.extend(r.statuses);
        figures.observing += f.observing;
        figures.overdue += f.overdue;
        figures.waiting += f.waiting;
        figures.urgent += f.urgent;
    }
    let mut counts: HashMap<String, i64> = HashMap::new();
    for (d, n) in records.days {
        *counts.entry(d).or_default() += n;
    }
    let curve = (0..CURVE_DAYS as i64)
        .map(|i| {
            let d = (from + chrono::Duration::days(i)).to_string();
            DayCount {
                count: counts.get(&d).copied().unwrap_or(0).max(0) as u32,
                date: d,
            }
        })
        .collect();
    let mut statuses: Vec<StatusCount> = Vec::new();
    for s in CaseStatus::ALL.iter().map(|s| Some(*s)).chain([None]) {
        let n: i64 = records
            .statuses
            .iter()
            .filter(|(status, _)| status.as_deref() == s.map(CaseStatus::as_str))
            .map(|(_, n)| n)
            .sum();
        statuses.push(StatusCount {
            status: s,
            count: n.max(0) as u32,
        });
    }
    c.log(c.event("dashboard_read", "ok")).await?;
    let n = |v: i64| v.max(0) as u32;
    Ok(Response::from_json(&Dashboard {
        area: area_name,
        curve,
        statuses,
        observing: n(figures.observing),
        overdue: n(figures.overdue),
        alerts_waiting: n(figures.waiting),
        urgent_waiting: n(figures.urgent),
    })?)
}
