//! Filing a notification (発生届) and what follows: idempotent submit, routing to the health center, the clinic's
//! list and the health center's inbox, one record (opening it at its health center marks it received), transfer,
//! possible duplicates, and the institution's header data and doctor list.
//!
//! Every read and write checks role and area here (the app's hiding of links is convenience only) and is audited
//! by id, never by personal data.

use serde::Deserialize;
use shared::api::notifications::{
    idempotency_key_ok, Delivery, DuplicateCandidate, DuplicateList, DuplicateMatch,
    DuplicateQuery, FileRequest, FileResult, HealthCenterOption, NotificationList,
    NotificationRecord, NotificationSummary, RoutingEvent, TransferRequest,
};
use shared::auth::{Access, Jurisdiction, Role};
use shared::error::ErrorCode;
use shared::kana::{normalize_furigana, search_key};
use shared::notification::municipality::{self, MunicipalityCode};
use shared::notification::phone::PhoneNumber;
use shared::notification::validate::IssueSeverity;
use shared::notification::{validate, Notification};
use worker::{Context, D1Database, D1PreparedStatement, Env, Request, Response};

use crate::access;
use crate::caller::Staff;
use crate::crypto::{sha256_hex, token};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{json_body, json_error, own_origin, text_field};
use crate::store::audit::{self, seal_later};
use crate::store::{f, opt};
use shared::time::today_jst;

/// The number people quote: the row's sequence, zero-padded.
fn number(seq: i64) -> String {
    format!("{seq:08}")
}

#[derive(Deserialize)]
struct InstitutionRow {
    name: String,
    address: String,
    phone: String,
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

fn route(inst: &InstitutionRow, n: &Notification) -> Routing {
    let Notification::R20211129(form) = n;
    let residence = MunicipalityCode::parse(&form.patient.address.municipality_code)
        .ok()
        .and_then(|code| municipality::health_center_for(&code))
        .filter(|hc| hc.id != inst.health_center_id)
        .map(|hc| {
            (
                hc.id.to_owned(),
                hc.name.to_owned(),
                hc.pref_code.to_owned(),
            )
        });
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

#[derive(Deserialize)]
struct KeyRow {
    request_hash: String,
    notification_id: String,
}

async fn submit_key(db: &D1Database, user_id: &str, key: &str) -> ApiResult<Option<KeyRow>> {
    Ok(db
        .prepare(
            "SELECT request_hash, notification_id FROM submit_keys WHERE user_id = ?1 AND idempotency_key = ?2",
        )
        .bind(&[user_id.into(), key.into()])?
        .first(None)
        .await?)
}

#[derive(Deserialize)]
struct FiledRow {
    seq: i64,
    id: String,
    filed_at: i64,
    health_center_id: String,
    health_center_name: String,
    routing_reason: String,
    residence_health_center_name: Option<String>,
}

async fn filed_result(db: &D1Database, id: &str, replayed: bool) -> ApiResult<FileResult> {
    let row: FiledRow = db
        .prepare(
            "SELECT n.seq, n.id, n.filed_at, n.health_center_id, h.name AS health_center_name, n.routing_reason, \
             r.name AS residence_health_center_name FROM notifications n \
             JOIN health_centers h ON h.id = n.health_center_id \
             LEFT JOIN health_centers r ON r.id = n.residence_health_center_id WHERE n.id = ?1",
        )
        .bind(&[id.into()])?
        .first(None)
        .await?
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "filed row missing"))?;
    Ok(FileResult {
        number: number(row.seq),
        delivery: delivery(db, &row.id).await?,
        id: row.id,
        health_center_id: row.health_center_id,
        health_center_name: row.health_center_name,
        routing_reason: row.routing_reason,
        residence_health_center_name: row.residence_health_center_name,
        filed_at: row.filed_at,
        replayed,
    })
}

/// The state of the latest notice e-mail of a record.
async fn delivery(db: &D1Database, notification_id: &str) -> ApiResult<Delivery> {
    #[derive(Deserialize)]
    struct Row {
        status: String,
    }
    let row: Option<Row> = db
        .prepare("SELECT status FROM outbox WHERE notification_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 1")
        .bind(&[notification_id.into()])?
        .first(None)
        .await?;
    Ok(match row.as_ref().map(|r| r.status.as_str()) {
        Some("sent") => Delivery::Sent,
        Some("failed") => Delivery::Failed,
        _ => Delivery::Pending,
    })
}

/// The outbox row for a notice to `health_center_id`.
fn outbox_insert(
    db: &D1Database,
    notification_id: &str,
    health_center_id: &str,
    link: &str,
    now: i64,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "INSERT INTO outbox (id, notification_id, health_center_id, status, next_attempt_at, link, created_at) \
             VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?4)",
        )
        .bind(&[
            format!("o_{}", token()?).into(),
            notification_id.into(),
            health_center_id.into(),
            f(now),
            link.into(),
        ])?)
}

/// `POST /api/notifications`.
pub async fn file(c: Staff, mut req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    let (institution_id, _) = c.filing_institution()?;
    let institution_id = institution_id.to_owned();
    let body: FileRequest = json_body(&mut req).await?;
    if !idempotency_key_ok(&body.idempotency_key) {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "idempotency_key",
            "bad idempotency key",
        ));
    }
    let mut notification = body.notification;
    let Notification::R20211129(form) = &mut notification;
    form.patient.furigana = normalize_furigana(&form.patient.furigana);
    let mut acknowledged = body.acknowledged_warnings;
    acknowledged.sort();
    acknowledged.dedup();
    let request_hash =
        sha256_hex(format!("{}\u{0}{}", notification.to_json(), acknowledged.join(",")).as_bytes());
    let user_id = c.principal.user_id.clone();

    // A repeat is found by the batch failing on the key's primary key (below), so the first submit pays no read.
    let now = now_ms();
    let report = validate(&notification, today_jst(now));
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
        address: String::new(),
        phone: String::new(),
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
    let routing = route(&inst, &notification);
    let Notification::R20211129(form) = &notification;
    let phone_digits = [
        &form.patient.address.phone,
        &form.patient.current_location.phone,
    ]
    .into_iter()
    .find_map(|p| PhoneNumber::parse(p).ok())
    .map(|p| p.digits().to_owned())
    .unwrap_or_default();
    let dob = form
        .patient
        .date_of_birth
        .map(|d| d.to_string())
        .unwrap_or_default();
    let category = form
        .category
        .and_then(|c| serde_json::to_value(c).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
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

    for _ in 0..3 {
        let mut statements = Vec::new();
        if let Some((hc_id, hc_name, pref)) = &routing.residence {
            // A residence health center not yet known to the store becomes a transfer target.
            statements.push(
                c.db.prepare(
                    "INSERT OR IGNORE INTO health_centers (id, name, pref_code, prefecture) VALUES (?1, ?2, ?3, ?4)",
                )
                .bind(&[
                    hc_id.as_str().into(),
                    hc_name.as_str().into(),
                    pref.as_str().into(),
                    municipality::prefecture_name(pref.parse().unwrap_or(0))
                        .unwrap_or("")
                        .into(),
                ])?,
            );
        }
        let insert_at = statements.len();
        statements.push(
            c.db.prepare(
                "INSERT INTO notifications (id, form_version, body, category, patient_name, furigana_key, \
                 date_of_birth, phone_digits, institution_id, filed_by_user_id, filed_at, pref_code, \
                 health_center_id, routing_reason, residence_health_center_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) RETURNING seq",
            )
            .bind(&[
                id.as_str().into(),
                notification.version().as_str().into(),
                notification.to_json().into(),
                opt(category.as_deref()),
                form.patient.name.trim().into(),
                search_key(&form.patient.furigana).into(),
                dob.as_str().into(),
                phone_digits.as_str().into(),
                institution_id.as_str().into(),
                user_id.as_str().into(),
                f(now),
                inst.pref_code.as_str().into(),
                routing.health_center_id.as_str().into(),
                routing.reason.as_str().into(),
                opt(routing.residence.as_ref().map(|r| r.0.as_str())),
            ])?,
        );
        statements.push(
            c.db.prepare(
                "INSERT INTO notification_events (notification_id, kind, at, health_center_id, actor_user_id, reason) \
                 VALUES (?1, 'routed', ?2, ?3, ?4, ?5)",
            )
            .bind(&[
                id.as_str().into(),
                f(now),
                routing.health_center_id.as_str().into(),
                user_id.as_str().into(),
                routing.reason.as_str().into(),
            ])?,
        );
        statements.push(outbox_insert(
            &c.db,
            &id,
            &routing.health_center_id,
            &link,
            now,
        )?);
        statements.push(
            c.db.prepare(
                "INSERT INTO submit_keys (user_id, idempotency_key, request_hash, notification_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .bind(&[
                user_id.as_str().into(),
                body.idempotency_key.as_str().into(),
                request_hash.as_str().into(),
                id.as_str().into(),
                f(now),
            ])?,
        );
        statements.extend(crate::store::cases::filing_statements(
            &c.db,
            existing.clone(),
            &id,
            &notification,
            &institution_id,
            &routing.health_center_id,
            &inst.pref_code,
            &user_id,
            now,
        )?);
        let mut event = c.event("notification_file", "ok").target(id.as_str());
        event.health_center_id = Some(routing.health_center_id.clone());
        statements.push(audit::batch_entry(&c.db, &event, now)?);
        match c.db.batch(statements).await {
            Ok(results) => {
                #[derive(Deserialize)]
                struct Seq {
                    seq: i64,
                }
                let seq = results
                    .get(insert_at)
                    .and_then(|r| r.results::<Seq>().ok())
                    .and_then(|rows| rows.first().map(|r| r.seq))
                    .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "no seq returned"))?;
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
                return Ok(Response::from_json(&result)?.with_status(201));
            }
            Err(e) => {
                // A concurrent submit with the same key won: answer with its result. Otherwise try again (a
                // transient store error).
                if let Some(existing) = submit_key(&c.db, &user_id, &body.idempotency_key).await? {
                    return replay(&c, existing, &request_hash).await;
                }
                worker::console_log!("notification batch retried: {e}");
            }
        }
    }
    Err(ApiError::with_detail(
        ErrorCode::Internal,
        "notification batch failed 3 times",
    ))
}

async fn replay(c: &Staff, existing: KeyRow, request_hash: &str) -> ApiResult<Response> {
    if existing.request_hash != request_hash {
        c.log(c.event("notification_file", "key_reused")).await?;
        return Err(ApiError::new(ErrorCode::IdempotencyKeyReused));
    }
    let result = filed_result(&c.db, &existing.notification_id, true).await?;
    c.log(
        c.event("notification_file", "replayed")
            .target(existing.notification_id.as_str()),
    )
    .await?;
    Ok(Response::from_json(&result)?)
}

#[derive(Deserialize)]
struct SummaryRow {
    seq: i64,
    id: String,
    category: Option<String>,
    patient_name: String,
    institution_name: String,
    health_center_name: String,
    filed_at: i64,
    received_at: Option<i64>,
}

impl SummaryRow {
    fn view(self) -> NotificationSummary {
        NotificationSummary {
            number: number(self.seq),
            category: self
                .category
                .and_then(|c| serde_json::from_value(serde_json::Value::String(c)).ok()),
            id: self.id,
            patient_name: self.patient_name,
            institution_name: self.institution_name,
            health_center_name: self.health_center_name,
            filed_at: self.filed_at,
            received_at: self.received_at,
        }
    }
}

const SUMMARY_SELECT: &str = "SELECT n.seq, n.id, n.category, n.patient_name, i.name AS institution_name, \
     h.name AS health_center_name, n.filed_at, n.received_at FROM notifications n \
     JOIN cases c ON c.id = n.id AND c.deleted_at IS NULL \
     JOIN institutions i ON i.id = n.institution_id JOIN health_centers h ON h.id = n.health_center_id";

/// `GET /api/notifications`: a clinic's filings (newest first), a health center's inbox (unread first), a
/// prefecture's notifications. National staff see no personal records.
pub async fn list(c: Staff) -> ApiResult<Response> {
    let (sql, key) = match (&c.principal.role, &c.principal.jurisdiction) {
        (
            Role::ClinicDoctor | Role::ClinicStaff,
            Jurisdiction::Institution { institution_id, .. },
        ) => (
            format!(
                "{SUMMARY_SELECT} WHERE n.institution_id = ?1 ORDER BY n.filed_at DESC LIMIT 100"
            ),
            institution_id.clone(),
        ),
        (
            Role::HealthCenterStaff | Role::HealthCenterAdmin,
            Jurisdiction::HealthCenter {
                health_center_id, ..
            },
        ) => (
            format!(
                "{SUMMARY_SELECT} WHERE n.health_center_id = ?1 \
                 ORDER BY n.received_at IS NOT NULL, n.filed_at DESC LIMIT 100"
            ),
            health_center_id.clone(),
        ),
        (Role::PrefectureStaff, Jurisdiction::Prefecture { pref_code }) => (
            format!("{SUMMARY_SELECT} WHERE n.pref_code = ?1 ORDER BY n.filed_at DESC LIMIT 100"),
            pref_code.clone(),
        ),
        _ => return Err(ApiError::new(ErrorCode::Forbidden)),
    };
    let rows: Vec<SummaryRow> =
        c.db.prepare(sql)
            .bind(&[key.as_str().into()])?
            .all()
            .await?
            .results()?;
    let items: Vec<_> = rows.into_iter().map(SummaryRow::view).collect();
    let unread = items.iter().filter(|i| i.received_at.is_none()).count() as u32;
    c.log(c.event("notification_list", "ok")).await?;
    Ok(Response::from_json(&NotificationList { items, unread })?)
}

#[derive(Deserialize)]
struct RecordRow {
    seq: i64,
    id: String,
    body: String,
    institution_id: String,
    institution_name: String,
    filed_by_name: String,
    filed_at: i64,
    pref_code: String,
    health_center_id: String,
    health_center_name: String,
    routing_reason: String,
    residence_health_center_name: Option<String>,
    received_at: Option<i64>,
    received_by_name: Option<String>,
    deleted_at: Option<i64>,
}

async fn record_row(db: &D1Database, id: &str) -> ApiResult<Option<RecordRow>> {
    Ok(db
        .prepare(
            "SELECT n.seq, n.id, n.body, n.institution_id, i.name AS institution_name, u.display_name AS filed_by_name, \
             n.filed_at, n.pref_code, n.health_center_id, h.name AS health_center_name, n.routing_reason, \
             r.name AS residence_health_center_name, n.received_at, ru.display_name AS received_by_name, \
             cs.deleted_at FROM notifications n JOIN institutions i ON i.id = n.institution_id \
             LEFT JOIN cases cs ON cs.id = n.id \
             JOIN users u ON u.id = n.filed_by_user_id JOIN health_centers h ON h.id = n.health_center_id \
             LEFT JOIN health_centers r ON r.id = n.residence_health_center_id \
             LEFT JOIN users ru ON ru.id = n.received_by_user_id WHERE n.id = ?1",
        )
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// The notification of a record this caller may see (through [`access::live_record`], the one visibility path),
/// with what they may do with it: 404 for a record without a notification.
async fn visible_record(
    c: &Staff,
    id: &str,
    action: &'static str,
) -> ApiResult<(RecordRow, Access)> {
    let v = access::live_record(c, id, action).await?;
    let Some(row) = record_row(&c.db, id).await? else {
        c.log(c.event(action, "not_found")).await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    Ok((row, v.access))
}

/// `GET /api/notifications/{id}`. Opened by staff of its current health center for the first time, it is marked
/// received (受理), which the clinic then sees.
pub async fn get(c: Staff, env: &Env, ctx: &Context, id: &str) -> ApiResult<Response> {
    let (mut row, access) = visible_record(&c, id, "notification_read").await?;
    let at_current = access.manage;
    if at_current && row.received_at.is_none() {
        let now = now_ms();
        let mut event = c.event("notification_receive", "ok").target(id);
        event.health_center_id = Some(row.health_center_id.clone());
        for _ in 0..8 {
            let statements = vec![
                c.db.prepare(
                    "UPDATE notifications SET received_at = ?2, received_by_user_id = ?3 \
                     WHERE id = ?1 AND received_at IS NULL AND health_center_id = ?4",
                )
                .bind(&[
                    id.into(),
                    f(now),
                    c.principal.user_id.as_str().into(),
                    row.health_center_id.as_str().into(),
                ])?,
                // Only when the UPDATE above took effect (this reader was first).
                c.db.prepare(
                    "INSERT INTO notification_events (notification_id, kind, at, health_center_id, actor_user_id) \
                     SELECT ?1, 'received', ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM notifications \
                     WHERE id = ?1 AND received_at = ?2 AND received_by_user_id = ?4)",
                )
                .bind(&[
                    id.into(),
                    f(now),
                    row.health_center_id.as_str().into(),
                    c.principal.user_id.as_str().into(),
                ])?,
                audit::batch_entry(&c.db, &event, now)?,
            ];
            if c.db.batch(statements).await.is_ok() {
                seal_later(env, ctx);
                break;
            }
        }
        row = record_row(&c.db, id)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    }
    let notification = Notification::from_json(&row.body).map_err(|e| {
        ApiError::with_detail(
            ErrorCode::Internal,
            format!("stored body: {}", json_error(&e)),
        )
    })?;
    let history = history(&c.db, id).await?;
    let record = NotificationRecord {
        number: number(row.seq),
        delivery: delivery(&c.db, id).await?,
        can_transfer: at_current,
        id: row.id,
        notification,
        institution_name: row.institution_name,
        filed_by_name: row.filed_by_name,
        filed_at: row.filed_at,
        health_center_id: row.health_center_id,
        health_center_name: row.health_center_name,
        routing_reason: row.routing_reason,
        residence_health_center_name: row.residence_health_center_name,
        received_at: row.received_at,
        received_by_name: row.received_by_name,
        history,
    };
    c.log(c.event("notification_read", "ok").target(id)).await?;
    Ok(Response::from_json(&record)?)
}

async fn history(db: &D1Database, id: &str) -> ApiResult<Vec<RoutingEvent>> {
    #[derive(Deserialize)]
    struct Row {
        kind: String,
        at: i64,
        health_center_name: String,
        from_health_center_name: Option<String>,
        actor_name: String,
        reason: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT e.kind, e.at, h.name AS health_center_name, fh.name AS from_health_center_name, \
             u.display_name AS actor_name, e.reason FROM notification_events e \
             JOIN health_centers h ON h.id = e.health_center_id \
             LEFT JOIN health_centers fh ON fh.id = e.from_health_center_id \
             JOIN users u ON u.id = e.actor_user_id WHERE e.notification_id = ?1 ORDER BY e.seq",
        )
        .bind(&[id.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| RoutingEvent {
            kind: r.kind,
            at: r.at,
            health_center_name: r.health_center_name,
            from_health_center_name: r.from_health_center_name,
            actor_name: r.actor_name,
            reason: r.reason,
        })
        .collect())
}

/// Holds once this transfer moved the notification: the guarded UPDATE stamps the row with the transfer's own
/// random token (`?1` id, `?2` token), and every later statement of the batch requires it. A transfer that lost a
/// race (its UPDATE matched nothing) therefore writes nothing, even when the winner was the same person in the same
/// millisecond (a guard on the event's time and actor, or on `changes()`, was not enough: a test saw two events).
const TRANSFERRED: &str =
    "EXISTS (SELECT 1 FROM notifications WHERE id = ?1 AND transfer_token = ?2)";

/// `POST /api/notifications/{id}/transfer`: staff of the record's current health center hand it to another.
pub async fn transfer(
    c: Staff,
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> ApiResult<Response> {
    let body: TransferRequest = json_body(&mut req).await?;
    let (row, access) = visible_record(&c, id, "notification_transfer").await?;
    if !access.manage {
        c.log(c.event("notification_transfer", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let reason = text_field(&body.reason, 200, "reason")?;
    let target: Option<HealthCenterOption> =
        c.db.prepare("SELECT id, name FROM health_centers WHERE id = ?1")
            .bind(&[body.health_center_id.as_str().into()])?
            .first(None)
            .await?;
    let Some(target) = target.filter(|t| t.id != row.health_center_id) else {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "health_center_id",
            "unknown or same health center",
        ));
    };
    let now = now_ms();
    let link = format!("{}/records", own_origin(&req)?);
    let mut event = c.event("notification_transfer", "ok").target(id);
    event.health_center_id = Some(row.health_center_id.clone());
    for _ in 0..8 {
        // A fresh stamp per attempt: an attempt whose commit went unseen cannot make a later one write twice.
        let stamp = token()?;
        let statements = vec![
            c.db.prepare(
                "UPDATE notifications SET health_center_id = ?3, received_at = NULL, received_by_user_id = NULL, \
                 pref_code = (SELECT pref_code FROM health_centers WHERE id = ?3), transfer_token = ?2 \
                 WHERE id = ?1 AND health_center_id = ?4",
            )
            .bind(&[
                id.into(),
                stamp.as_str().into(),
                target.id.as_str().into(),
                row.health_center_id.as_str().into(),
            ])?,
            c.db.prepare(format!(
                "INSERT INTO notification_events (notification_id, kind, at, health_center_id, from_health_center_id, \
                 actor_user_id, reason) SELECT ?1, 'transferred', ?3, ?4, ?5, ?6, ?7 WHERE {TRANSFERRED}"
            ))
            .bind(&[
                id.into(),
                stamp.as_str().into(),
                f(now),
                target.id.as_str().into(),
                row.health_center_id.as_str().into(),
                c.principal.user_id.as_str().into(),
                reason.as_str().into(),
            ])?,
            // The patient record follows its notification (and is then in the prefecture of its health center).
            c.db.prepare(format!(
                "UPDATE cases SET health_center_id = ?3, \
                 pref_code = (SELECT pref_code FROM health_centers WHERE id = ?3) WHERE id = ?1 AND {TRANSFERRED}"
            ))
            .bind(&[id.into(), stamp.as_str().into(), target.id.as_str().into()])?,
            // Only when this transfer took effect (a concurrent one may have moved it first).
            c.db.prepare(format!(
                "INSERT INTO outbox (id, notification_id, health_center_id, status, next_attempt_at, link, created_at) \
                 SELECT ?4, ?1, ?3, 'pending', ?5, ?6, ?5 WHERE {TRANSFERRED}"
            ))
            .bind(&[
                id.into(),
                stamp.as_str().into(),
                target.id.as_str().into(),
                format!("o_{}", token()?).into(),
                f(now),
                link.as_str().into(),
            ])?,
            // Recorded as done only when this transfer moved it (the loser of a race writes nothing).
            audit::batch_entry_if(
                &c.db,
                &event,
                now,
                "EXISTS (SELECT 1 FROM notifications WHERE id = ?10 AND transfer_token = ?11)",
                &[id.into(), stamp.as_str().into()],
            )?,
        ];
        if let Ok(results) = c.db.batch(statements).await {
            seal_later(env, ctx);
            // The guarded UPDATE (first statement): did this transfer move it, or had another one already?
            let moved = results
                .first()
                .and_then(|r| r.meta().ok().flatten())
                .and_then(|m| m.changes)
                .unwrap_or(0)
                == 1;
            return if moved {
                Ok(Response::empty()?.with_status(204))
            } else {
                c.log(c.event("notification_transfer", "conflict").target(id))
                    .await?;
                Err(ApiError::new(ErrorCode::Conflict))
            };
        }
    }
    Err(ApiError::with_detail(
        ErrorCode::Internal,
        "transfer batch failed 8 times",
    ))
}

/// `POST /api/notifications/duplicates`: records that may be the same person (same furigana + birth date, or
/// same phone + birth date) among those the caller's institution filed or that went to the health center this
/// filing would go to. Only the caller's own records carry an id and a name.
pub async fn duplicates(c: Staff, mut req: Request) -> ApiResult<Response> {
    let (institution_id, health_center_id) = c.filing_institution()?;
    let (institution_id, health_center_id) =
        (institution_id.to_owned(), health_center_id.to_owned());
    let q: DuplicateQuery = json_body(&mut req).await?;
    let dob = chrono::NaiveDate::parse_from_str(q.date_of_birth.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::with_reason(ErrorCode::ValidationFailed, "date_of_birth", "dob"))?
        .to_string();
    let key = search_key(&normalize_furigana(&q.furigana));
    let phone = PhoneNumber::parse(&q.phone)
        .map(|p| p.digits().to_owned())
        .unwrap_or_default();
    #[derive(Deserialize)]
    struct Row {
        seq: i64,
        id: String,
        patient_name: String,
        filed_at: i64,
        health_center_name: String,
        institution_id: String,
        furigana_key: String,
    }
    let rows: Vec<Row> = c
        .db
        .prepare(
            "SELECT n.seq, n.id, n.patient_name, n.filed_at, h.name AS health_center_name, n.institution_id, \
             n.furigana_key FROM notifications n JOIN health_centers h ON h.id = n.health_center_id \
             WHERE n.date_of_birth = ?1 AND ((?2 <> '' AND n.furigana_key = ?2) OR (?3 <> '' AND n.phone_digits = ?3)) \
             AND (n.institution_id = ?4 OR n.health_center_id = ?5) ORDER BY n.filed_at DESC LIMIT 20",
        )
        .bind(&[
            dob.as_str().into(),
            key.as_str().into(),
            phone.as_str().into(),
            institution_id.as_str().into(),
            health_center_id.as_str().into(),
        ])?
        .all()
        .await?
        .results()?;
    let candidates = rows
        .into_iter()
        .map(|r| {
            let own = r.institution_id == institution_id;
            DuplicateCandidate {
                number: number(r.seq),
                filed_at: r.filed_at,
                health_center_name: r.health_center_name,
                matched: if !key.is_empty() && r.furigana_key == key {
                    DuplicateMatch::FuriganaAndBirth
                } else {
                    DuplicateMatch::PhoneAndBirth
                },
                id: own.then_some(r.id),
                patient_name: own.then_some(r.patient_name),
            }
        })
        .collect();
    c.log(c.event("notification_duplicates", "ok")).await?;
    Ok(Response::from_json(&DuplicateList { candidates })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shinjuku_clinic() -> InstitutionRow {
        InstitutionRow {
            name: "新宿みなみクリニック".into(),
            address: String::new(),
            phone: String::new(),
            health_center_id: "HC13104".into(),
            health_center_name: "新宿区保健所".into(),
            pref_code: "13".into(),
        }
    }

    fn living_in(municipality_code: &str) -> Notification {
        let mut n = Notification::new_current();
        let Notification::R20211129(f) = &mut n;
        f.patient.address.municipality_code = municipality_code.into();
        n
    }

    #[test]
    fn a_filing_goes_to_the_clinics_health_center_and_notes_another_residence() {
        let r = route(&shinjuku_clinic(), &living_in("131121"));
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
            let r = route(&shinjuku_clinic(), &living_in(code));
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
