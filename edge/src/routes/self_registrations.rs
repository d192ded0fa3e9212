//! Self-registration of positives (issue 21): the public `POST /api/self-registrations` (no account) and the review
//! queue of health-center staff (their center's) and the prefecture's follow-up center (its prefecture's).
//!
//! - **Anonymous writes are bounded**: every attempt is counted per address first (`throttles::SELF_REGISTRATION`,
//!   one statement that increments and returns the count), then checked; past the limit 429. Refusals are audited
//!   through [`log_anonymous`] (capped per address); a stored registration's audit entry is written in its batch.
//! - **Stored once**: the page's `client_key` is UNIQUE (a resend answers the same receipt); the same person
//!   (furigana key, birth date, phone digits, result date) with a pending or confirmed registration is answered with
//!   that first receipt and nothing is stored. The trade-off: someone who knows all four of a person's facts learns
//!   that a registration exists and its receipt number — which opens nothing (it is not a credential, and the
//!   anonymous page gets no personal data back); a rejected registration does not block a new one.
//! - **Decided once**: a conditional UPDATE (`status = 'pending'`); a confirmation's batch carries a guard statement
//!   that fails — rolling back the record, the observation and the audit entry — unless its own decision took effect.
//!   A second decision is `REQUEST_CLOSED`.
//! - **The record**: a confirmation links to a live record of the same person in the prefecture (a clinic may have
//!   notified them), else makes one (`store::cases::insert_case`, managed by the residence health center, no
//!   notification, no clinic), and starts its health observation; the answer carries what the slip needs. The
//!   スマホ入力ID goes to health-center staff of the record's center and to the follow-up center for records its own
//!   confirmations made (`Principal::confirmer_access`); anyone else gets it empty.

use serde::Deserialize;
use serde_json::{Map, Value};
use shared::api::self_registration::{
    check, dedupe_key, normalized, Confirmed, Receipt, RegistrationDetail, RegistrationList,
    RegistrationSummary, Reject, SelfRegistration, REASON_MAX,
};
use shared::auth::ReviewArea;
use shared::error::ErrorCode;
use shared::notification::municipality::MunicipalityCode;
use shared::notification::validate::{IssueSeverity, IssueView};
use shared::observation::Kind;
use shared::regime::TIMELINE_VERSION;
use shared::time::today_jst;
use worker::{Context, Env, Request, Response};

use crate::caller::{log_anonymous, Staff};
use crate::crypto::{random_bytes, token};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{address_bucket, client_address, json_body};
use crate::store::audit::{self, seal_later, Event};
use crate::store::cases::{self, id_columns, NewCase, VersionEntry};
use crate::store::self_registrations::{self as store, NewRegistration, Row};
use crate::store::shards::{Refs, Shard, Stores};
use crate::store::{db, institutions, observation, throttles};

/// An audit event of the anonymous page (no user; the role names who it was).
fn registrant_event(action: &'static str, outcome: &'static str, address: &str) -> Event {
    let mut e = Event::new(action, outcome, address);
    e.actor_role = Some("self_registrant".into());
    e
}

fn invalid(field: &str, code: &str, message: &str) -> ApiError {
    ApiError::with_issues(
        ErrorCode::ValidationFailed,
        vec![IssueView {
            severity: IssueSeverity::Error,
            code: code.into(),
            field: field.into(),
            message: message.into(),
        }],
    )
}

/// A receipt number people can read out on the phone: `R` and 10 characters without look-alikes (0/O, 1/I/L).
fn receipt() -> ApiResult<String> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let bytes = random_bytes::<10>()?;
    let body: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    Ok(format!("R{}-{}", &body[..5], &body[5..]))
}

/// `POST /api/self-registrations` (public): `201 {receipt}` for a new registration, `200 {receipt}` for a resend or
/// the same person again (the first receipt); 422 with every field's problem; 429 past the address's limit.
pub async fn submit(mut req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    let db = db(env)?;
    let now = now_ms();
    let address = client_address(&req);
    // Counted first: the decision is taken on the figure this attempt's own increment returned.
    let key = format!("selfreg:{}", address_bucket(&req));
    let limit = throttles::SELF_REGISTRATION;
    if limit.exceeded(throttles::hit(&db, &key, limit, now).await?) {
        let e = registrant_event("self_registration_submit", "throttled_address", &address);
        log_anonymous(&db, &req, e, now).await?;
        return Err(ApiError::new(ErrorCode::TooManyAttempts));
    }
    let body: SelfRegistration = match json_body(&mut req).await {
        Ok(b) => b,
        Err(e) => {
            let ev = registrant_event("self_registration_submit", "invalid", &address);
            log_anonymous(&db, &req, ev, now).await?;
            return Err(e);
        }
    };
    let issues = check(&body, today_jst(now));
    if !issues.is_empty() {
        let ev = registrant_event("self_registration_submit", "invalid", &address);
        log_anonymous(&db, &req, ev, now).await?;
        return Err(ApiError::with_issues(ErrorCode::ValidationFailed, issues));
    }
    let body = normalized(&body);
    // Routing: the health center of the residence (reference data), which must use the system.
    // (an administrator's reassignment of the municipality first: `institutions::health_center_for`).
    let hc = match MunicipalityCode::parse(&body.municipality_code) {
        Ok(code) => institutions::health_center_for(&db, &code).await?,
        Err(_) => None,
    };
    let pref = match &hc {
        Some(h) => institutions::health_center_pref(&db, &h.id).await?,
        None => None,
    };
    let (Some(hc), Some(pref)) = (hc, pref) else {
        let ev = registrant_event("self_registration_submit", "invalid", &address);
        log_anonymous(&db, &req, ev, now).await?;
        return Err(invalid(
            "municipality_code",
            "no_health_center",
            "この住所を担当する保健所はこの窓口で受け付けていません。お住まいの都道府県の窓口にお問い合わせください。",
        ));
    };
    let dedupe = dedupe_key(&body);
    // Kept in the shard of the residence's prefecture, beside the records its confirmation will make or find.
    let stores = Stores::new(env)?;
    let shard = stores.for_pref(&pref)?;
    stores
        .ensure(&shard, Refs::default().health_center(&hc.id))
        .await?;
    let core = db;
    let db = &shard.db;
    for _ in 0..3 {
        let id = format!("sr_{}", token()?);
        let number = receipt()?;
        let mut event =
            registrant_event("self_registration_submit", "ok", &address).in_area(&id, &hc.id);
        event.pref_code = Some(pref.clone());
        let statements = vec![
            store::insert(
                db,
                &NewRegistration {
                    id: &id,
                    receipt: &number,
                    dedupe_key: &dedupe,
                    pref_code: &pref,
                    health_center_id: &hc.id,
                    body: &body,
                    timeline_version: TIMELINE_VERSION,
                    now,
                },
            )?,
            audit::batch_entry_if(
                db,
                &event,
                now,
                store::INSERTED_GUARD,
                &[id.as_str().into()],
            )?,
        ];
        match db.batch(statements).await {
            Ok(results) => {
                seal_later(env, ctx);
                if results.first().map(crate::store::changes) == Some(1) {
                    return Ok(Response::from_json(&Receipt { receipt: number })?.with_status(201));
                }
                // Nothing stored: a resend of this page's registration, or the same person again.
                let (found, outcome) = match store::by_client_key(db, &body.client_key).await? {
                    Some(s) => (Some(s), "replayed"),
                    None => (store::live_by_person(db, &dedupe).await?, "duplicate"),
                };
                if let Some(s) = found {
                    let ev = registrant_event("self_registration_submit", outcome, &address)
                        .in_area(&s.id, &s.health_center_id);
                    log_anonymous(&core, &req, ev, now).await?;
                    return Ok(Response::from_json(&Receipt { receipt: s.receipt })?);
                }
                // Decided (rejected) between the insert and the look-up: try again.
            }
            Err(e) => {
                // A receipt or id collision: try again with new ones.
                worker::console_log!("self-registration insert retried: {e}");
            }
        }
    }
    Err(ApiError::with_detail(
        ErrorCode::Internal,
        "self-registration insert failed 3 times",
    ))
}

/// The caller's review area, or 403 (audited).
async fn review_area(c: &Staff, action: &'static str) -> ApiResult<ReviewArea> {
    match c.principal.review_area() {
        Some(a) => Ok(a),
        None => {
            c.log(c.event(action, "forbidden")).await?;
            Err(ApiError::new(ErrorCode::Forbidden))
        }
    }
}

/// The shard of the caller's review area (a review area lies in one prefecture).
fn area_shard(c: &Staff) -> ApiResult<Shard> {
    c.stores
        .for_pref(c.principal.jurisdiction.pref_code().unwrap_or_default())
}

/// A registration of the caller's area: 404 unknown, 403 another area's (both audited).
async fn of_area(c: &Staff, id: &str, action: &'static str) -> ApiResult<(Row, Shard)> {
    let area = review_area(c, action).await?;
    let shard = area_shard(c)?;
    let found = match store::get(&shard.db, id).await? {
        Some(row) => Some(row),
        // Not in the caller's prefecture's shard: another prefecture's registration is refused (403, audited), like
        // one of another area in the same shard, not answered as unknown.
        None => {
            let mut elsewhere = None;
            for other in c.stores.all()? {
                if other.id != shard.id {
                    if let Some(row) = store::get(&other.db, id).await? {
                        elsewhere = Some(row);
                        break;
                    }
                }
            }
            elsewhere
        }
    };
    let Some(row) = found else {
        c.log(c.event(action, "not_found")).await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    if !area.covers(&row.health_center_id, &row.pref_code) {
        c.log(c.event(action, "forbidden").target(id)).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    Ok((row, shard))
}

fn summary(r: &Row) -> RegistrationSummary {
    RegistrationSummary {
        id: r.id.clone(),
        receipt: r.receipt.clone(),
        status: r.status.clone(),
        name: r.name.clone(),
        furigana: r.furigana.clone(),
        date_of_birth: r.date_of_birth.clone(),
        result_kind: r.result_kind.clone(),
        result_date: r.result_date.clone(),
        health_center_name: r.health_center_name.clone(),
        registered_at: r.registered_at,
    }
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
}

/// `GET /api/self-registrations(?status=pending|confirmed|rejected)`: the caller's queue, pending first.
pub async fn list(c: Staff, req: Request) -> ApiResult<Response> {
    let area = review_area(&c, "self_registration_list").await?;
    let q: ListQuery = req.query().unwrap_or(ListQuery { status: None });
    let status = q.status.filter(|s| !s.is_empty());
    if let Some(s) = &status {
        if !matches!(s.as_str(), "pending" | "confirmed" | "rejected") {
            return Err(invalid(
                "status",
                "unknown_status",
                "状態は pending・confirmed・rejected のいずれかです。",
            ));
        }
    }
    let rows = store::list(&area_shard(&c)?.db, &area, status.as_deref()).await?;
    let items: Vec<RegistrationSummary> = rows.iter().map(summary).collect();
    c.log(
        c.event("self_registration_list", "ok")
            .returned(items.iter().map(|i| i.id.clone())),
    )
    .await?;
    Ok(Response::from_json(&RegistrationList { items })?)
}

/// `GET /api/self-registrations/{id}`.
pub async fn get(c: Staff, id: &str) -> ApiResult<Response> {
    let (row, shard) = of_area(&c, id, "self_registration_read").await?;
    let existing_case =
        row.status == "pending" && store::same_person_case(&shard.db, &row).await?.is_some();
    c.log(c.event("self_registration_read", "ok").target(id))
        .await?;
    Ok(Response::from_json(&detail(row, existing_case))?)
}

fn detail(row: Row, existing_case: bool) -> RegistrationDetail {
    RegistrationDetail {
        summary: summary(&row),
        sex: row.sex,
        phone: row.phone,
        postal_code: row.postal_code,
        address: row.address,
        municipality_code: row.municipality_code,
        clinic_name: row.clinic_name,
        consent_version: row.consent_version,
        decided_by_name: row.decided_by_name.unwrap_or_default(),
        decided_at: row.decided_at,
        reject_reason: row.reject_reason,
        case_id: row.case_id,
        existing_case,
    }
}

/// A registration already decided: `REQUEST_CLOSED` (audited).
async fn closed(c: &Staff, action: &'static str, id: &str) -> ApiResult<Response> {
    c.log(c.event(action, "closed").target(id)).await?;
    Err(ApiError::new(ErrorCode::RequestClosed))
}

/// `POST /api/self-registrations/{id}/reject` with `{reason}` (required): decided once.
pub async fn reject(c: Staff, mut req: Request, id: &str) -> ApiResult<Response> {
    let (row, shard) = of_area(&c, id, "self_registration_reject").await?;
    let body: Reject = json_body(&mut req).await?;
    let reason = body.reason.trim();
    let bad_char = |ch: char| ch.is_control() && ch != '\n';
    if reason.is_empty() || reason.chars().count() > REASON_MAX || reason.chars().any(bad_char) {
        return Err(ApiError::with_reason(
            ErrorCode::ReasonRequired,
            "reason",
            "reason required (1 to 500 characters)",
        ));
    }
    if row.status != "pending" {
        return closed(&c, "self_registration_reject", id).await;
    }
    let now = now_ms();
    let mut event = c.event("self_registration_reject", "ok").target(id);
    event.health_center_id = Some(row.health_center_id.clone());
    event.pref_code = Some(row.pref_code.clone());
    c.writing(&shard, Refs::default()).await?;
    let results = shard
        .db
        .batch(vec![
            store::decide(&shard.db, id, "rejected", &c.user.id, now, reason, None)?,
            audit::batch_entry_if(
                &shard.db,
                &event,
                now,
                "EXISTS (SELECT 1 FROM self_registrations WHERE id = ?10 AND status = 'rejected' AND decided_at = ?11 AND decided_by = ?12)",
                &[id.into(), crate::store::f(now), c.user.id.as_str().into()],
            )?,
        ])
        .await?;
    if results.first().map(crate::store::changes) != Some(1) {
        return closed(&c, "self_registration_reject", id).await;
    }
    let row = store::get(&shard.db, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    Ok(Response::from_json(&detail(row, false))?)
}

/// `POST /api/self-registrations/{id}/confirm`: the patient record (found or made) with its health observation;
/// answers what the slip needs. Decided once.
pub async fn confirm(c: Staff, id: &str, env: &Env, ctx: &Context) -> ApiResult<Response> {
    let (row, shard) = of_area(&c, id, "self_registration_confirm").await?;
    let db = &shard.db;
    if row.status != "pending" {
        return closed(&c, "self_registration_confirm", id).await;
    }
    let now = now_ms();
    let today = today_jst(now);
    let user = c.user.id.clone();
    let existing = store::same_person_case(db, &row).await?;
    let linked = existing.is_some();
    let case_id = match &existing {
        Some(e) => e.clone(),
        None => format!("n_{}", token()?),
    };
    // A new record is routed to the registration's prefecture (this shard) and numbered across shards.
    let seq = if linked {
        None
    } else {
        c.stores.route_new(&case_id, &row.pref_code, now).await?.1
    };
    c.writing(&shard, Refs::default().health_center(&row.health_center_id))
        .await?;
    // Observation: from the confirmation day to the tenth day after the result (at least today).
    let result_day =
        chrono::NaiveDate::parse_from_str(&row.result_date, "%Y-%m-%d").unwrap_or(today);
    let ends = (result_day + chrono::Duration::days(Kind::Patient.default_days() - 1)).max(today);
    let (started_on, ends_on) = (today.to_string(), ends.to_string());

    // The record first (the decision names it: a foreign key), then the decision and its guard, which rolls the
    // whole batch back — the record included — unless this decision took effect.
    let mut statements = Vec::new();
    if existing.is_none() {
        let mut tab = Map::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                tab.insert(k.into(), Value::String(v.to_owned()));
            }
        };
        put("name", &row.name);
        put("furigana", &row.furigana);
        put("date_of_birth", &row.date_of_birth);
        put("sex", &row.sex);
        put("postal_code", &row.postal_code);
        put("address", &row.address);
        put("phone1", &row.phone);
        let tab = Value::Object(tab);
        let cols = id_columns(&tab);
        let mut tabs = Map::new();
        tabs.insert("id".into(), tab);
        let tabs_json = Value::Object(tabs).to_string();
        let phone_id = shared::case::smartphone_id(random_bytes::<8>()?);
        statements.push(cases::insert_case(
            db,
            &NewCase {
                seq,
                id: &case_id,
                smartphone_id: &phone_id,
                institution_id: None,
                health_center_id: &row.health_center_id,
                pref_code: &row.pref_code,
                columns: &cols,
                filed: None,
                status: None,
                create_key: None,
                tabs: &tabs_json,
                user: &user,
                now,
            },
        )?);
        statements.push(cases::version_entry(
            db,
            &VersionEntry {
                case_id: &case_id,
                part: "create",
                what: "陽性者の自己登録から登録",
                previous: None,
                at: now,
                by: &user,
            },
            cases::Base::New,
        )?);
    }
    statements.push(store::decide(
        db,
        id,
        "confirmed",
        &user,
        now,
        "",
        Some(&case_id),
    )?);
    statements.push(store::decided_guard(db, id, &user, now, &case_id)?);
    // The observation belongs to the record's health center (a linked record may be elsewhere in the prefecture).
    let record_hc = match &existing {
        Some(e) => cases::row(db, e)
            .await?
            .map(|r| r.health_center_id)
            .unwrap_or_else(|| row.health_center_id.clone()),
        None => row.health_center_id.clone(),
    };
    let running = match &existing {
        Some(e) => observation::of_case(db, e)
            .await?
            .is_some_and(|o| o.stopped_at.is_none()),
        None => false,
    };
    // A linked record's observation is its own health center's to start: a reviewer elsewhere (the follow-up center,
    // or another center's staff) does not write to a record they do not manage.
    let manages = c.principal.desk() == Some(record_hc.as_str());
    if !running && (!linked || manages) {
        statements.extend(observation::start(
            db,
            &observation::Start {
                case_id: &case_id,
                health_center_id: &record_hc,
                kind: Kind::Patient,
                started_on: &started_on,
                ends_on: &ends_on,
                household_of: None,
                user_id: &user,
            },
            now,
        )?);
    }
    let mut event = c
        .event(
            "self_registration_confirm",
            if linked { "linked" } else { "ok" },
        )
        .target(id);
    event.health_center_id = Some(row.health_center_id.clone());
    event.pref_code = Some(row.pref_code.clone());
    let mut made = c.event("case_create", "ok").in_area(&case_id, &record_hc);
    made.pref_code = Some(row.pref_code.clone());
    statements.push(audit::batch_entry(db, &event, now)?);
    if !linked {
        statements.push(audit::batch_entry(db, &made, now)?);
    }
    if let Err(e) = db.batch(statements).await {
        if !linked {
            c.stores.drop_route(&case_id).await;
        }
        // The guard failed (decided meanwhile) or the store did: which one, the row says.
        if store::get(db, id)
            .await?
            .is_some_and(|r| r.status != "pending")
        {
            return closed(&c, "self_registration_confirm", id).await;
        }
        return Err(e.into());
    }
    seal_later(env, ctx);
    let rec = cases::row(db, &case_id).await?;
    let obs = observation::of_case(db, &case_id).await?;
    let (smartphone_id, hc_name) = rec
        .map(|r| (r.smartphone_id, r.health_center_name))
        .unwrap_or_default();
    let (s, e) = obs
        .map(|o| (o.started_on, o.ends_on))
        .unwrap_or((started_on, ends_on));
    Ok(Response::from_json(&Confirmed {
        case_id,
        linked,
        // The confirming reviewer may have it: HC staff of the record's center, or the follow-up center for a record
        // its confirmation made; a link to an existing record gives it only to staff who manage that record.
        smartphone_id: if linked && !manages {
            String::new()
        } else {
            smartphone_id
        },
        observation_started_on: s,
        observation_ends_on: e,
        health_center_name: hc_name,
    })?)
}
