//! Filing a notification (発生届) and what follows: idempotent submit, routing to the health center, the clinic's
//! list and the health center's inbox, one record (opening it at its health center marks it received), transfer,
//! possible duplicates, and the institution's header data and doctor list.
//!
//! Every read and write checks role and area here (the app's hiding of links is convenience only) and is audited
//! by id, never by personal data. The SQL is in [`crate::store::notifications`] and [`crate::store::institutions`].

use serde::Deserialize;
use shared::api::notifications::{
    idempotency_key_ok, Delivery, DuplicateCandidate, DuplicateList, DuplicateMatch,
    DuplicateQuery, FileRequest, FileResult, NotificationList, NotificationRecord,
    NotificationSummary, TransferRequest, TransferResult,
};
use shared::auth::access::Scope;
use shared::auth::{Access, Jurisdiction, Role};
use shared::error::ErrorCode;
use shared::kana::{normalize_furigana, search_key};
use shared::notification::municipality::MunicipalityCode;
use shared::notification::phone::PhoneNumber;
use shared::notification::validate::IssueSeverity;
use shared::notification::{validate, Notification};
use worker::{Context, D1Database, Env, Request, Response};

use crate::access;
use crate::caller::Staff;
use crate::crypto::{sha256_hex, token};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{json_body, json_error, own_origin, text_field};
use crate::store::audit::seal_later;
use crate::store::moves;
use crate::store::notifications::{self as store, Filed, ListOf, RecordRow, SubmitKey, SummaryRow};
use crate::store::shards::{each, Refs, Shard};
use crate::store::{institutions, throttles};
use shared::time::today_jst;

/// The number people quote: the row's sequence, zero-padded.
fn number(seq: i64) -> String {
    store::number(seq)
}

#[derive(Deserialize)]
struct InstitutionRow {
    name: String,
    health_center_id: String,
    health_center_name: String,
    pref_code: String,
}

/// Where a filing goes and why. The rule in force: the health center with jurisdiction over the place of the
/// diagnosing institution (感染症法第12条: 最寄りの保健所長を経由して). The residence's health center is noted when
/// it is another one, as the candidate for a transfer.
struct Routing {
    health_center_id: String,
    reason: String,
    residence: Option<(String, String, String)>,
}

/// `residence_center`: the health center of the patient's municipality as [`institutions::health_center_for`]
/// routes it (an administrator's reassignment first, else the reference table).
fn route(inst: &InstitutionRow, residence_center: Option<institutions::Routed>) -> Routing {
    let residence = residence_center
        .filter(|hc| hc.id != inst.health_center_id)
        .map(|hc| (hc.id, hc.name, hc.pref_code));
    let mut reason = format!(
        "診断した医療機関（{}）の所在地を管轄する保健所（{}）へ届出（感染症法第12条）。",
        inst.name, inst.health_center_name
    );
    if let Some((_, name, _)) = &residence {
        reason.push_str(&format!(
            "患者の住所地は{name}の管轄です。必要に応じて移管してください。"
        ));
    }
    Routing {
        health_center_id: inst.health_center_id.clone(),
        reason,
        residence,
    }
}

/// A filed notification as its filing answered (a replay's answer).
async fn filed_result(db: &D1Database, id: &str, replayed: bool) -> ApiResult<FileResult> {
    let row = store::filed(db, id)
        .await?
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "filed row missing"))?;
    Ok(FileResult {
        number: number(row.seq),
        delivery: store::delivery(db, &row.id).await?,
        id: row.id,
        health_center_id: row.health_center_id,
        health_center_name: row.health_center_name,
        routing_reason: row.routing_reason,
        residence_health_center_name: row.residence_health_center_name,
        filed_at: row.filed_at,
        replayed,
    })
}

/// `POST /api/notifications`.
pub async fn file(c: Staff, mut req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    let (institution_id, _) = c.filing_institution()?;
    let institution_id = institution_id.to_owned();
    let body: FileRequest = crate::request::notification_body(&mut req).await?;
    if !idempotency_key_ok(&body.idempotency_key) {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "idempotency_key",
            "bad idempotency key",
        ));
    }
    let mut notification = body.notification;
    let form = notification.form_mut();
    form.patient.furigana = normalize_furigana(&form.patient.furigana);
    let mut acknowledged = body.acknowledged_warnings;
    acknowledged.sort();
    acknowledged.dedup();
    let request_hash =
        sha256_hex(format!("{}\u{0}{}", notification.to_json(), acknowledged.join(",")).as_bytes());
    let user_id = c.principal.user_id.clone();

    // A repeat is found by the batch failing on the key's primary key (in the store), so the first submit pays no
    // read.
    let now = now_ms();
    let mut report = validate(&notification, today_jst(now));
    report
        .errors
        .extend(crate::postal::notification_mismatches(env, &notification).await);
    let views = report.views();
    if !report.is_fileable() {
        c.log(c.event("notification_file", "invalid")).await?;
        let errors = views
            .into_iter()
            .filter(|v| v.severity == IssueSeverity::Error)
            .collect();
        return Err(ApiError::with_issues(ErrorCode::ValidationFailed, errors));
    }
    let unacknowledged: Vec<_> = views
        .into_iter()
        .filter(|v| !acknowledged.contains(&v.code))
        .collect();
    if !unacknowledged.is_empty() {
        return Err(ApiError::with_issues(
            ErrorCode::WarningsUnacknowledged,
            unacknowledged,
        ));
    }

    // The clinic, its health center and prefecture as the session read them from D1 for this request.
    let inst = InstitutionRow {
        name: c.user.area_name.clone().unwrap_or_default(),
        health_center_id: c
            .principal
            .jurisdiction
            .health_center_id()
            .unwrap_or_default()
            .to_owned(),
        health_center_name: c.user.health_center_name.clone().unwrap_or_default(),
        pref_code: c
            .principal
            .jurisdiction
            .pref_code()
            .unwrap_or_default()
            .to_owned(),
    };
    let residence_center =
        match MunicipalityCode::parse(&notification.form().patient.address.municipality_code) {
            Ok(code) => institutions::health_center_for(&c.core, &code).await?,
            Err(_) => None,
        };
    let routing = route(&inst, residence_center);
    let link = format!("{}/records", own_origin(&req)?);
    // Completing a record made before the notification (manual 4.5): the notification takes its id.
    let existing = match &body.case_id {
        Some(case_id) => Some(access::record_to_file(&c, case_id, &institution_id).await?),
        None => None,
    };
    let id = match &body.case_id {
        Some(case_id) => case_id.clone(),
        None => format!("n_{}", token()?),
    };

    let mut event = c.event("notification_file", "ok").target(id.as_str());
    event.health_center_id = Some(routing.health_center_id.clone());
    // The record's shard (its prefecture's; a record completed keeps its own) and its number across shards; the
    // health centers it names are known to the core first (a residence's from the reference table becomes a
    // transfer target) and copied into the shard.
    let (shard, seq) = c.stores.route_new(&id, &inst.pref_code, now).await?;
    let mut refs = Refs::default().health_center(&routing.health_center_id);
    if let Some((hc_id, name, pref)) = &routing.residence {
        institutions::ensure_health_center(&c.core, hc_id, name, pref)?
            .run()
            .await?;
        refs = refs.health_center(hc_id);
    }
    c.writing(&shard, refs).await?;
    let filing = store::Filing {
        seq,
        id: &id,
        notification: &notification,
        existing: existing.as_ref(),
        institution_id: &institution_id,
        user_id: &user_id,
        pref_code: &inst.pref_code,
        health_center_id: &routing.health_center_id,
        routing_reason: &routing.reason,
        residence: routing
            .residence
            .as_ref()
            .map(|(hc_id, name, pref)| store::Residence {
                health_center_id: hc_id,
                name,
                pref_code: pref,
            }),
        idempotency_key: &body.idempotency_key,
        request_hash: &request_hash,
        link: &link,
        now,
        event: &event,
    };
    let filed = store::file(&shard.db, &filing).await;
    if !matches!(filed, Ok(Filed::New { .. })) && body.case_id.is_none() {
        c.stores.drop_route(&id).await;
    }
    match filed? {
        Filed::New { seq } => {
            seal_later(env, ctx);
            let result = FileResult {
                id: id.clone(),
                number: number(seq),
                health_center_id: routing.health_center_id.clone(),
                health_center_name: inst.health_center_name.clone(),
                routing_reason: routing.reason.clone(),
                residence_health_center_name: routing.residence.as_ref().map(|r| r.1.clone()),
                // Sent by the scheduled handler (every minute; see mail.rs).
                delivery: Delivery::Pending,
                filed_at: now,
                replayed: false,
            };
            Ok(Response::from_json(&result)?.with_status(201))
        }
        // A concurrent submit with the same key won: answer with its result.
        Filed::Repeat(existing) => replay(&c, &shard.db, existing, &request_hash).await,
    }
}

async fn replay(
    c: &Staff,
    db: &D1Database,
    existing: SubmitKey,
    request_hash: &str,
) -> ApiResult<Response> {
    if existing.request_hash != request_hash {
        c.log(c.event("notification_file", "key_reused")).await?;
        return Err(ApiError::new(ErrorCode::IdempotencyKeyReused));
    }
    let result = filed_result(db, &existing.notification_id, true).await?;
    c.log(
        c.event("notification_file", "replayed")
            .target(existing.notification_id.as_str()),
    )
    .await?;
    Ok(Response::from_json(&result)?)
}

fn summary(row: SummaryRow) -> NotificationSummary {
    NotificationSummary {
        number: number(row.seq),
        category: row
            .category
            .and_then(|c| serde_json::from_value(serde_json::Value::String(c)).ok()),
        id: row.id,
        patient_name: row.patient_name,
        institution_name: row.institution_name,
        health_center_name: row.health_center_name,
        filed_at: row.filed_at,
        received_at: row.received_at,
    }
}

/// `GET /api/notifications`: a clinic's filings (newest first), a health center's inbox (unread first), a
/// prefecture's notifications. National staff see no personal records.
pub async fn list(c: Staff) -> ApiResult<Response> {
    let of = match (&c.principal.role, &c.principal.jurisdiction) {
        (
            Role::ClinicDoctor | Role::ClinicStaff,
            Jurisdiction::Institution { institution_id, .. },
        ) => ListOf::Institution(institution_id),
        (
            Role::HealthCenterStaff | Role::HealthCenterAdmin,
            Jurisdiction::HealthCenter {
                health_center_id, ..
            },
        ) => ListOf::HealthCenter(health_center_id),
        (Role::PrefectureStaff, Jurisdiction::Prefecture { pref_code }) => {
            ListOf::Prefecture(pref_code)
        }
        _ => return Err(ApiError::new(ErrorCode::Forbidden)),
    };
    let health_center = matches!(of, ListOf::HealthCenter(_));
    let shards = c.search_shards()?;
    let pages = each(&shards, |shard| store::list(&shard.db, of)).await?;
    // One list from every shard's, in the list's own order (a health center's inbox: unread first), at most 100.
    let mut rows: Vec<SummaryRow> = pages.into_iter().flatten().collect();
    rows.sort_by(|a, b| {
        let unread_first = |r: &SummaryRow| health_center && r.received_at.is_some();
        (
            unread_first(a),
            std::cmp::Reverse(a.filed_at),
            std::cmp::Reverse(a.seq),
        )
            .cmp(&(
                unread_first(b),
                std::cmp::Reverse(b.filed_at),
                std::cmp::Reverse(b.seq),
            ))
    });
    let mut seen = std::collections::HashSet::new();
    rows.retain(|r| seen.insert(r.id.clone()));
    rows.truncate(100);
    let items: Vec<_> = rows.into_iter().map(summary).collect();
    let unread = items.iter().filter(|i| i.received_at.is_none()).count() as u32;
    c.log(
        c.event("notification_list", "ok")
            .returned(items.iter().map(|i| i.id.clone())),
    )
    .await?;
    Ok(Response::from_json(&NotificationList { items, unread })?)
}

/// The notification of a record this caller may see (through [`access::live_record`], the one visibility path),
/// with what they may do with it: 404 for a record without a notification.
async fn visible_record(
    c: &Staff,
    id: &str,
    action: &'static str,
) -> ApiResult<(RecordRow, Access, Shard)> {
    let v = access::live_record(c, id, action).await?;
    let Some(row) = store::record(&v.shard.db, id).await? else {
        c.log(c.event(action, "not_found")).await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    Ok((row, v.access, v.shard))
}

/// `GET /api/notifications/{id}`. Opened by staff of its current health center for the first time, it is marked
/// received (受理), which the clinic then sees.
pub async fn get(c: Staff, env: &Env, ctx: &Context, id: &str) -> ApiResult<Response> {
    let (mut row, access, shard) = visible_record(&c, id, "notification_read").await?;
    let at_current = access.manage;
    if at_current && row.received_at.is_none() {
        let now = now_ms();
        let mut event = c.event("notification_receive", "ok").target(id);
        event.health_center_id = Some(row.health_center_id.clone());
        let receipt = store::Receipt {
            id,
            health_center_id: &row.health_center_id,
            user_id: &c.principal.user_id,
            now,
            event: &event,
        };
        c.writing(&shard, Refs::default()).await?;
        if store::mark_received(&shard.db, &receipt).await? {
            seal_later(env, ctx);
        }
        row = store::record(&shard.db, id)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    }
    let notification = Notification::from_json(&row.body).map_err(|e| {
        ApiError::with_detail(
            ErrorCode::Internal,
            format!("stored body: {}", json_error(&e)),
        )
    })?;
    let history = store::history(&shard.db, id).await?;
    let record = NotificationRecord {
        number: number(row.seq),
        delivery: store::delivery(&shard.db, id).await?,
        can_transfer: at_current,
        id: row.id,
        notification,
        institution_name: row.institution_name,
        filed_by_name: row.filed_by_name,
        filed_at: row.filed_at,
        health_center_id: row.health_center_id,
        health_center_name: row.health_center_name,
        routing_reason: row.routing_reason,
        residence_health_center_id: row.residence_health_center_id,
        residence_health_center_name: row.residence_health_center_name,
        received_at: row.received_at,
        received_by_name: row.received_by_name,
        history,
    };
    c.log(c.event("notification_read", "ok").target(id)).await?;
    Ok(Response::from_json(&record)?)
}

/// `POST /api/notifications/{id}/transfer`: staff of the record's current health center hand it to another. The
/// record and its health observation (and open alerts) go with it. The answer ([`TransferResult`]) says whether the
/// new center gets the notice e-mail, with its phone.
pub async fn transfer(
    c: Staff,
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> ApiResult<Response> {
    let body: TransferRequest = json_body(&mut req).await?;
    let (row, access, shard) = visible_record(&c, id, "notification_transfer").await?;
    if !access.manage {
        c.log(c.event("notification_transfer", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let reason = text_field(&body.reason, 200, "reason")?;
    let target = institutions::health_center(&c.core, &body.health_center_id).await?;
    let Some(target) = target.filter(|t| t.id != row.health_center_id) else {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "health_center_id",
            "unknown or same health center",
        ));
    };
    // Where a record may go: a health center of the current one's prefecture (those the transfer screen lists), or
    // the health center of the patient's residence as routing noted it (which may lie in another prefecture). Any
    // other center in the country is refused: a record does not leave its prefecture on a mistyped id.
    let target_pref = institutions::health_center_pref(&c.core, &target.id).await?;
    let same_pref = target_pref.as_deref() == c.principal.jurisdiction.pref_code();
    let residence = row.residence_health_center_id.as_deref() == Some(target.id.as_str());
    if !same_pref && !residence {
        c.log(
            c.event("notification_transfer", "refused_target")
                .target(id),
        )
        .await?;
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "health_center_id",
            "outside the prefecture and not the residence's health center",
        ));
    }
    let now = now_ms();
    let link = format!("{}/records", own_origin(&req)?);
    let mut event = c.event("notification_transfer", "ok").target(id);
    event.health_center_id = Some(row.health_center_id.clone());
    // The transfer is written in the record's shard (with everything that hangs off the record); a record that now
    // belongs to another prefecture's shard is then moved there (resumable: see `store::moves`).
    let to = c
        .stores
        .map()
        .for_pref(target_pref.as_deref().unwrap_or_default())
        .clone();
    if to != shard.id {
        // Refused before anything is written (a household observation ties the record to its shard).
        moves::movable(&shard, id).await?;
    }
    c.writing(&shard, Refs::default().health_center(&target.id))
        .await?;
    let moved = store::transfer(
        &shard.db,
        &store::Transfer {
            id,
            from_health_center_id: &row.health_center_id,
            to_health_center_id: &target.id,
            user_id: &c.principal.user_id,
            reason: &reason,
            link: &link,
            now,
            event: &event,
        },
    )
    .await?;
    seal_later(env, ctx);
    if moved {
        if to != shard.id {
            // The transfer is done whatever happens here: a move cut off is finished by the cron (its steps are
            // recorded), and the record stays reachable through its routing entry meanwhile.
            let hooks = moves::Hooks::of_request(&req);
            if let Err(e) = moves::move_record(&c.stores, id, &shard.id, &to, &hooks).await {
                worker::console_error!("move after transfer: {}", e.detail.unwrap_or_default());
            }
        }
        // Said when the transfer is made: a center without an address gets no notice e-mail (staff call it).
        Ok(Response::from_json(&TransferResult {
            email_missing: !target.has_email,
            health_center_id: target.id,
            health_center_name: target.name,
            phone: target.phone,
        })?)
    } else {
        c.log(c.event("notification_transfer", "conflict").target(id))
            .await?;
        Err(ApiError::new(ErrorCode::Conflict))
    }
}

/// `POST /api/notifications/duplicates`: records that may be the same person (same furigana + birth date, or
/// same phone + birth date) among the live records this caller may open: their institution's own filings
/// (`shared::auth::access`: a clinic sees what it filed), never another clinic's and never a deleted one. Each
/// account may ask [`throttles::DUPLICATES`] times per window (30 a minute), counted before the lookup; every
/// answer and refusal is audited.
pub async fn duplicates(c: Staff, mut req: Request) -> ApiResult<Response> {
    c.filing_institution()?;
    let Some(Scope::Institution(institution_id)) = c.principal.scope() else {
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    let limit = throttles::DUPLICATES;
    let key = format!("dup:{}", c.principal.user_id);
    if limit.exceeded(throttles::hit(&c.core, &key, limit, now_ms()).await?) {
        c.log(c.event("notification_duplicates", "throttled"))
            .await?;
        return Err(ApiError::new(ErrorCode::TooManyAttempts));
    }
    let q: DuplicateQuery = json_body(&mut req).await?;
    let dob = chrono::NaiveDate::parse_from_str(q.date_of_birth.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::with_reason(ErrorCode::ValidationFailed, "date_of_birth", "dob"))?
        .to_string();
    let key = search_key(&normalize_furigana(&q.furigana));
    let phone = PhoneNumber::parse(&q.phone)
        .map(|p| p.digits().to_owned())
        .unwrap_or_default();
    let lookalike = store::Lookalike {
        date_of_birth: &dob,
        furigana_key: &key,
        phone_digits: &phone,
        institution_id: &institution_id,
    };
    // A clinic's filings may be in any shard (it files where its patients' health centers are).
    let shards = c.stores.all()?;
    let mut rows: Vec<_> = each(&shards, |shard| store::duplicates(&shard.db, &lookalike))
        .await?
        .into_iter()
        .flatten()
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.filed_at));
    rows.truncate(20);
    let event = c
        .event("notification_duplicates", "ok")
        .returned(rows.iter().map(|r| r.id.clone()));
    let candidates = rows
        .into_iter()
        .map(|r| DuplicateCandidate {
            number: number(r.seq),
            filed_at: r.filed_at,
            health_center_name: r.health_center_name,
            matched: if !key.is_empty() && r.furigana_key == key {
                DuplicateMatch::FuriganaAndBirth
            } else {
                DuplicateMatch::PhoneAndBirth
            },
            id: Some(r.id),
            patient_name: Some(r.patient_name),
        })
        .collect();
    c.log(event).await?;
    Ok(Response::from_json(&DuplicateList { candidates })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::notification::municipality;

    fn shinjuku_clinic() -> InstitutionRow {
        InstitutionRow {
            name: "新宿みなみクリニック".into(),
            health_center_id: "HC13104".into(),
            health_center_name: "新宿区保健所".into(),
            pref_code: "13".into(),
        }
    }

    /// The reference table's health center of a municipality (what routing finds with no reassignment).
    fn living_in(municipality_code: &str) -> Option<institutions::Routed> {
        MunicipalityCode::parse(municipality_code)
            .ok()
            .and_then(|code| municipality::health_center_for(&code))
            .map(|h| institutions::Routed {
                id: h.id.to_owned(),
                name: h.name.to_owned(),
                pref_code: h.pref_code.to_owned(),
            })
    }

    #[test]
    fn a_filing_goes_to_the_clinics_health_center_and_notes_another_residence() {
        let r = route(&shinjuku_clinic(), living_in("131121"));
        assert_eq!(r.health_center_id, "HC13104");
        let (id, name, pref) = r.residence.expect("Setagaya residence noted");
        assert_eq!(
            (id.as_str(), name.as_str(), pref.as_str()),
            ("HC13112", "世田谷保健所", "13")
        );
        assert!(r.reason.contains("新宿みなみクリニック") && r.reason.contains("世田谷保健所"));
    }

    #[test]
    fn no_note_when_the_residence_is_in_the_same_area_or_unknown() {
        for code in ["131041", "", "131040", "999999"] {
            let r = route(&shinjuku_clinic(), living_in(code));
            assert_eq!(r.health_center_id, "HC13104");
            assert!(r.residence.is_none(), "{code}");
            assert!(!r.reason.contains("移管"), "{code}");
        }
    }

    #[test]
    fn numbers_are_eight_digits_and_today_is_japanese() {
        assert_eq!(number(12), "00000012");
        // 2026-11-24 15:00 UTC is already the 25th in Japan.
        let ms = chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
            .and_then(|d| d.and_hms_opt(15, 0, 0))
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or_default();
        assert_eq!(today_jst(ms).to_string(), "2026-11-25");
    }
}
