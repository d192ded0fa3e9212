//! Patient records (登録情報, manual 4.3–5.2): search, one record with its tabs, tab edits, the notification's
//! edit, the status record, recoverable delete, and records created before a notification (4.5).
//!
//! Every read and write checks role and area here and is audited by id (never by personal data). Every write
//! names the version it was based on; the batch carries the check (`WHERE version = ?`) in each statement, so a
//! second editor's save changes nothing and is answered `EDIT_CONFLICT` with what the first one changed.

use serde_json::{Map, Value};
use shared::api::cases::{
    CaseRecord, CaseSummary, CreateCase, Created, DeleteRequest, DeletedCase, DeletedList,
    EditConflict, NotificationEdit, SearchRequest, SearchResult, StatusChange, StatusEntry,
    StatusWithdraw, TabUpdate, COUNT_CAP, PAGE_SIZE,
};
use shared::api::notifications::idempotency_key_ok;
use shared::auth::Role;
use shared::case::smartphone_id;
use shared::case::status::CaseStatus;
use shared::case::tabs::{self, Tab};
use shared::error::ErrorCode;
use shared::kana::normalize_furigana;
use shared::notification::validate::IssueSeverity;
use shared::notification::{validate, Notification, ValidationError};
use worker::{Context, Env, Request, Response};

use crate::access::{self, Visible};
use crate::caller::Staff;
use crate::crypto::{random_bytes, token};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{json_body, text_field};
use crate::store::audit::{self, seal_later};
use crate::store::case_search::{self, CountRow, DeletedRow, SummaryRow};
use crate::store::cases::{
    self as store, filed_columns, id_columns, id_from_notification, parse_tabs, CaseRow, Change,
    NewCase, NewStatus, VersionEntry, VersionedWrite,
};
use crate::store::shards::{each, Refs, Shard};
use crate::store::{exports, institutions, notifications};
use shared::auth::Access;
use shared::time::today_jst;
use worker::D1Database;

fn category_of(s: Option<&str>) -> Option<shared::notification::options::CaseCategory> {
    s.and_then(|c| serde_json::from_value(Value::String(c.to_owned())).ok())
}

/// A list row as the API shows it. `manages`: the caller is staff of the record's health center (the only staff who
/// see the スマホ入力ID).
fn summary(r: SummaryRow, manages: bool) -> CaseSummary {
    CaseSummary {
        category: category_of(r.category.as_deref()),
        status: r.status.as_deref().and_then(CaseStatus::parse),
        id: r.id,
        smartphone_id: access::smartphone_id(manages, r.smartphone_id),
        name: r.name,
        furigana: r.furigana,
        sex: r.sex,
        date_of_birth: Some(r.date_of_birth).filter(|d| !d.is_empty()),
        diagnosed_on: r.diagnosed_on,
        onset_on: r.onset_on,
        residence: r.residence,
        health_center_name: r.health_center_name,
        hc_own_id: r.hc_own_id,
        filed_at: r.filed_at,
        filed: r.filed != 0,
    }
}

/// `POST /api/cases/search`: 登録情報一覧. Audited (criteria are not logged: they are personal data).
pub async fn search(c: Staff, mut req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    let body: SearchRequest = json_body(&mut req).await?;
    let (page, count) = case_search::for_principal(&c.principal, &body)?;
    let manages = c.principal.desk().is_some();
    // The shards the caller's records can be in (its prefecture's, or every one for a clinic); one round trip for
    // both reads in each, all at once; the audit entry names the records returned, so it follows them.
    let shards = c.search_shards()?;
    let per_shard = each(&shards, |shard| {
        let (page, count) = (&page, &count);
        async move {
            let results = shard
                .db
                .batch(vec![
                    case_search::statement(&shard.db, page)?,
                    case_search::statement(&shard.db, count)?,
                ])
                .await?;
            let rows: Vec<SummaryRow> = results
                .first()
                .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "no page result"))?
                .results()?;
            let n = results
                .get(1)
                .and_then(|r| r.results::<CountRow>().ok())
                .and_then(|v| v.first().map(|n| n.n))
                .unwrap_or(0);
            Ok((rows, n))
        }
    })
    .await?;
    let n: u32 = per_shard.iter().map(|(_, n)| *n).sum();
    let mut rows = case_search::merge(per_shard.into_iter().map(|(r, _)| r).collect(), body.sort);
    let next_cursor = if rows.len() > PAGE_SIZE as usize {
        rows.truncate(PAGE_SIZE as usize);
        rows.last()
            .map(|r| case_search::encode_cursor(body.sort, r.filed_at, &r.furigana_key, r.seq))
    } else {
        None
    };
    // Nothing is answered unless the entry is written; it is sealed into the chain after the answer.
    let event = c
        .event("case_search", "ok")
        .returned(rows.iter().map(|r| r.id.clone()));
    audit::append_unsealed(&c.core, &event, now_ms()).await?;
    seal_later(env, ctx);
    Ok(Response::from_json(&SearchResult {
        items: rows.into_iter().map(|r| summary(r, manages)).collect(),
        count: n.min(COUNT_CAP),
        count_capped: n > COUNT_CAP,
        next_cursor,
    })?)
}

async fn status_entries(db: &D1Database, id: &str) -> ApiResult<Vec<StatusEntry>> {
    let rows = store::status_rows(db, id).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(StatusEntry {
                seq: r.seq,
                status: CaseStatus::parse(&r.status)?,
                date: r.date,
                place: r
                    .place
                    .and_then(|p| serde_json::from_value(Value::String(p)).ok()),
                severity: r
                    .severity
                    .and_then(|p| serde_json::from_value(Value::String(p)).ok()),
                comment: r.comment,
                by_name: r.by_name,
                at: r.at,
                withdrawn: r.withdrawn_at.is_some(),
            })
        })
        .collect())
}

async fn record(db: &D1Database, row: CaseRow, r: Access) -> ApiResult<CaseRecord> {
    let deleted = row.deleted_at.is_some();
    Ok(CaseRecord {
        status_entries: status_entries(db, &row.id).await?,
        history: store::changes_since(db, &row.id, 0).await?,
        can_edit: r.edit && !deleted,
        can_change_status: r.manage && !deleted,
        can_delete: r.delete && !deleted,
        can_file: r.file && !deleted,
        delete_asks_health_center: r.delete_is_health_centers && !deleted,
        tabs: parse_tabs(&row.tabs),
        category: category_of(row.category.as_deref()),
        status: row.status.as_deref().and_then(CaseStatus::parse),
        id: row.id,
        version: row.version,
        // A credential for the patient's phone: only for the health center that manages the record.
        smartphone_id: access::smartphone_id(r.slip, row.smartphone_id),
        name: row.name,
        furigana: row.furigana,
        sex: row.sex,
        date_of_birth: Some(row.date_of_birth).filter(|d| !d.is_empty()),
        residence: row.residence,
        health_center_id: row.health_center_id,
        health_center_name: row.health_center_name,
        health_center_phone: row.health_center_phone,
        institution_name: row.institution_name,
        created_at: row.created_at,
        filed_at: (row.filed != 0).then_some(row.filed_at),
        has_notification: row.filed != 0,
        updated_at: row.updated_at,
        updated_by_name: row.updated_by_name,
        deleted_at: row.deleted_at,
    })
}

/// `GET /api/cases/{id}`.
pub async fn get(c: Staff, id: &str) -> ApiResult<Response> {
    let Visible { row, access, shard } = access::record(&c, id, "case_read").await?;
    let rec = record(&shard.db, row, access).await?;
    c.log(c.event("case_read", "ok").target(id)).await?;
    Ok(Response::from_json(&rec)?)
}

/// `GET /api/cases/{id}/fhir`: the record's notification as a FHIR R4 document Bundle (`application/fhir+json`).
/// Whoever may read the record (its clinic, health centers, prefecture staff), except the follow-up center (it reads
/// only to print slips) and national staff (aggregates only); 404 for a record without a notification. Audited
/// (`fhir_read`, the record's id).
pub async fn fhir(c: Staff, id: &str) -> ApiResult<Response> {
    const ACTION: &str = "fhir_read";
    if !c.principal.role.views_records() {
        c.log(c.event(ACTION, "forbidden").target(id)).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let shard = access::live_record(&c, id, ACTION).await?.shard;
    let Some(row) = exports::row(&shard.db, id).await? else {
        c.log(c.event(ACTION, "not_found").target(id)).await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    let Some(n) = row.notification() else {
        // Stored JSON that no longer reads is reported, never answered as an empty document.
        c.log(c.event(ACTION, "unreadable").target(id)).await?;
        return Err(ApiError::with_reason(
            ErrorCode::Internal,
            "notification",
            "stored notification does not read",
        ));
    };
    let number = row.number();
    let doc = shared::export::fhir::document(&row.record(&n, &number));
    c.log(c.event(ACTION, "ok").target(id)).await?;
    let mut resp = Response::ok(doc.to_string())?;
    let headers = resp.headers_mut();
    headers.set("content-type", "application/fhir+json; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    Ok(resp)
}

/// The audit entry of a versioned write: the record, in the caller's health center's area.
fn write_event(c: &Staff, action: &'static str, id: &str) -> audit::Event {
    // `Staff::event` already files it in the caller's own area (its health center, for health-center staff).
    c.event(action, "ok").target(id)
}

/// Runs a versioned write (see [`store::versioned_write`]) and seals its audit entry after the answer; answers
/// whether it took effect.
async fn write(
    env: &Env,
    ctx: &Context,
    c: &Staff,
    shard: &Shard,
    w: VersionedWrite<'_>,
) -> ApiResult<bool> {
    c.writing(shard, Refs::default()).await?;
    let took = store::versioned_write(&shard.db, w).await?;
    seal_later(env, ctx);
    Ok(took)
}

async fn conflict(
    c: &Staff,
    db: &D1Database,
    id: &str,
    version: i64,
    action: &'static str,
) -> ApiError {
    let _ = c.log(c.event(action, "conflict").target(id)).await;
    match store::row(db, id).await {
        Ok(Some(row)) if row.deleted_at.is_some() => ApiError::new(ErrorCode::NotFound),
        Ok(Some(row)) => ApiError::conflict(EditConflict {
            version: row.version,
            updated_at: row.updated_at,
            updated_by_name: row.updated_by_name,
            changes: store::changes_since(db, id, version)
                .await
                .unwrap_or_default(),
        }),
        _ => ApiError::new(ErrorCode::NotFound),
    }
}

async fn answer(db: &D1Database, id: &str, access: Access) -> ApiResult<Response> {
    let row = store::row(db, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    Ok(Response::from_json(&record(db, row, access).await?)?)
}

/// `PUT /api/cases/{id}/tabs/{tab}`.
pub async fn update_tab(
    c: Staff,
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
    tab: &str,
) -> ApiResult<Response> {
    let Some(tab) = Tab::parse(tab) else {
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    let body: TabUpdate = json_body(&mut req).await?;
    let Visible { row, access, shard } = access::record(&c, id, "case_edit").await?;
    if !access.edit {
        c.log(c.event("case_edit", "forbidden").target(id)).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let now = now_ms();
    let data = tabs::clean(tab, &body.data, today_jst(now))
        .map_err(|issues| ApiError::with_issues(ErrorCode::ValidationFailed, issues))?;
    if body.version != row.version {
        return Err(conflict(&c, &shard.db, id, body.version, "case_edit").await);
    }
    let mut all = parse_tabs(&row.tabs);
    let previous = all.get(tab.as_str()).cloned().unwrap_or(Value::Null);
    let changed = tabs::changed_labels(tab, &previous, &data);
    if changed.is_empty() {
        return answer(&shard.db, id, access).await;
    }
    all.insert(tab.as_str().into(), data.clone());
    let what = format!("{}: {}", tab.label(), changed.join("、"));
    let tabs_json = Value::Object(all).to_string();
    let cols = (tab == Tab::Id).then(|| id_columns(&data));
    let previous = previous.to_string();
    let user = c.principal.user_id.as_str();
    let mut w = VersionedWrite {
        id,
        version: body.version,
        part: tab.as_str(),
        what: &what,
        previous: Some(&previous),
        change: Change::Tabs {
            tabs: &tabs_json,
            id: cols.as_ref(),
        },
        then: Vec::new(),
        event: write_event(&c, "case_edit", id),
        user,
        now,
    };
    // A first test record starts the status record at 検体採取 (manual 4.5: tests before the notification).
    if tab == Tab::Tests && row.status.is_none() {
        if let Some(date) = data
            .get("tests")
            .and_then(|t| t.get(0))
            .and_then(|t| t.get("specimen_date"))
            .and_then(Value::as_str)
        {
            let done = w.written();
            let status = CaseStatus::SpecimenCollected.as_str();
            w.then.push(store::status_entry(
                &shard.db,
                &NewStatus::plain(id, status, date, now, user),
                Some(&done),
            )?);
            w.then.push(store::start_status(&shard.db, &done, status)?);
        }
    }
    if !write(env, ctx, &c, &shard, w).await? {
        return Err(conflict(&c, &shard.db, id, body.version, "case_edit").await);
    }
    answer(&shard.db, id, access).await
}

/// `PUT /api/cases/{id}/notification`: edit the filed notification, re-validated like a filing.
pub async fn edit_notification(
    c: Staff,
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> ApiResult<Response> {
    let body: NotificationEdit = crate::request::notification_body(&mut req).await?;
    let Visible { row, access, shard } = access::record(&c, id, "notification_edit").await?;
    if !access.edit || row.filed == 0 {
        c.log(c.event("notification_edit", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let mut notification = body.notification;
    let form = notification.form_mut();
    form.patient.furigana = normalize_furigana(&form.patient.furigana);
    let now = now_ms();
    let mut report = validate(&notification, today_jst(now));
    // A filed notification keeps its form revision (the regime of its date when filed): an edit is checked under
    // that revision's rules and cannot move it to another.
    let previous = notifications::notification_body(&shard.db, id).await?;
    let stored = previous
        .as_deref()
        .and_then(|b| Notification::from_json(b).ok())
        .map(|n| n.version());
    if let Some(stored) = stored.filter(|v| *v != notification.version()) {
        report
            .errors
            .push(ValidationError::FormVersionChanged { stored });
    }
    report
        .errors
        .extend(crate::postal::notification_mismatches(env, &notification).await);
    let views = report.views();
    if !report.is_fileable() {
        let errors = views
            .into_iter()
            .filter(|v| v.severity == IssueSeverity::Error)
            .collect();
        return Err(ApiError::with_issues(ErrorCode::ValidationFailed, errors));
    }
    let unacknowledged: Vec<_> = views
        .into_iter()
        .filter(|v| !body.acknowledged_warnings.contains(&v.code))
        .collect();
    if !unacknowledged.is_empty() {
        return Err(ApiError::with_issues(
            ErrorCode::WarningsUnacknowledged,
            unacknowledged,
        ));
    }
    if body.version != row.version {
        return Err(conflict(&c, &shard.db, id, body.version, "notification_edit").await);
    }
    let mut all = parse_tabs(&row.tabs);
    let id_tab = id_from_notification(all.get("id"), &notification);
    all.insert("id".into(), id_tab.clone());
    let tabs_json = Value::Object(all).to_string();
    let cols = id_columns(&id_tab);
    let filed = filed_columns(&notification);
    let mut w = VersionedWrite {
        id,
        version: body.version,
        part: "notification",
        what: "発生届を編集",
        previous: previous.as_deref(),
        change: Change::Notification {
            tabs: &tabs_json,
            id: &cols,
            filed: &filed,
        },
        then: Vec::new(),
        event: write_event(&c, "notification_edit", id),
        user: c.principal.user_id.as_str(),
        now,
    };
    let done = w.written();
    w.then.push(notifications::notification_update(
        &shard.db,
        &done,
        &notification,
        &filed,
    )?);
    if !write(env, ctx, &c, &shard, w).await? {
        return Err(conflict(&c, &shard.db, id, body.version, "notification_edit").await);
    }
    answer(&shard.db, id, access).await
}

fn date_ok(s: &str, today: chrono::NaiveDate) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .is_ok_and(|d| d <= today + chrono::Days::new(1) && d.to_string() == s)
}

/// The record, if the caller is staff of its health center (who record the status); otherwise refused and audited.
async fn status_writable(c: &Staff, id: &str) -> ApiResult<(CaseRow, Access, Shard)> {
    let Visible { row, access, shard } = access::record(c, id, "case_status").await?;
    access::require(c, access.manage, "case_status", &row).await?;
    Ok((row, access, shard))
}

/// `POST /api/cases/{id}/status`: health-center staff record the next state (transitions from `shared`).
pub async fn change_status(
    c: Staff,
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> ApiResult<Response> {
    let body: StatusChange = json_body(&mut req).await?;
    let (row, access, shard) = status_writable(&c, id).await?;
    let now = now_ms();
    if !date_ok(&body.date, today_jst(now)) {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "date",
            "bad date",
        ));
    }
    let comment = if body.comment.trim().is_empty() {
        String::new()
    } else {
        text_field(&body.comment, 200, "comment")?
    };
    if body.version != row.version {
        return Err(conflict(&c, &shard.db, id, body.version, "case_status").await);
    }
    let current = row.status.as_deref().and_then(CaseStatus::parse);
    if !CaseStatus::may_follow(current, body.status) {
        c.log(c.event("case_status", "transition_refused").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::TransitionNotAllowed));
    }
    let place = body
        .place
        .and_then(|p| serde_json::to_value(p).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    let severity = body
        .severity
        .and_then(|p| serde_json::to_value(p).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    let what = format!("ステータス: {}", body.status.label());
    let previous = current.map(|s| s.as_str());
    let user = c.principal.user_id.as_str();
    let mut w = VersionedWrite {
        id,
        version: body.version,
        part: "status",
        what: &what,
        previous,
        change: Change::Status(Some(body.status.as_str())),
        then: Vec::new(),
        event: write_event(&c, "case_status", id),
        user,
        now,
    };
    let done = w.written();
    w.then.push(store::status_entry(
        &shard.db,
        &NewStatus {
            case_id: id,
            status: body.status.as_str(),
            date: &body.date,
            place: place.as_deref(),
            severity: severity.as_deref(),
            comment: &comment,
            at: now,
            by: user,
        },
        Some(&done),
    )?);
    if !write(env, ctx, &c, &shard, w).await? {
        return Err(conflict(&c, &shard.db, id, body.version, "case_status").await);
    }
    answer(&shard.db, id, access).await
}

/// `POST /api/cases/{id}/status/withdraw`: withdraw the latest entry (a mistake); the one before becomes current.
pub async fn withdraw_status(
    c: Staff,
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> ApiResult<Response> {
    let body: StatusWithdraw = json_body(&mut req).await?;
    let (row, access, shard) = status_writable(&c, id).await?;
    if body.version != row.version {
        return Err(conflict(&c, &shard.db, id, body.version, "case_status").await);
    }
    let entries: Vec<StatusEntry> = status_entries(&shard.db, id)
        .await?
        .into_iter()
        .filter(|e| !e.withdrawn)
        .collect();
    let Some(last) = entries.last().filter(|e| e.seq == body.seq) else {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "seq",
            "only the latest entry can be withdrawn",
        ));
    };
    let before = entries.iter().rev().nth(1).map(|e| e.status);
    let now = now_ms();
    let what = format!("ステータスの取消: {}", last.status.label());
    let mut w = VersionedWrite {
        id,
        version: body.version,
        part: "status",
        what: &what,
        previous: Some(last.status.as_str()),
        change: Change::Status(before.map(|s| s.as_str())),
        then: Vec::new(),
        event: write_event(&c, "case_status_withdraw", id),
        user: c.principal.user_id.as_str(),
        now,
    };
    let done = w.written();
    w.then
        .push(store::withdraw_status_entry(&shard.db, &done, last.seq)?);
    if !write(env, ctx, &c, &shard, w).await? {
        return Err(conflict(&c, &shard.db, id, body.version, "case_status").await);
    }
    answer(&shard.db, id, access).await
}

/// `POST /api/cases/{id}/delete`: removes the record from lists (recoverable by an administrator).
pub async fn delete(
    c: Staff,
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> ApiResult<Response> {
    let body: DeleteRequest = json_body(&mut req).await?;
    let Visible { row, access, shard } = access::record(&c, id, "case_delete").await?;
    if access.delete_is_health_centers && row.deleted_at.is_none() {
        c.log(
            c.event("case_delete", "managed_by_health_center")
                .target(id),
        )
        .await?;
        return Err(ApiError::new(ErrorCode::ManagedByHealthCenter));
    }
    if !access.delete || row.deleted_at.is_some() {
        c.log(c.event("case_delete", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    if body.version != row.version {
        return Err(conflict(&c, &shard.db, id, body.version, "case_delete").await);
    }
    let now = now_ms();
    let took = write(
        env,
        ctx,
        &c,
        &shard,
        VersionedWrite {
            id,
            version: body.version,
            part: "delete",
            what: "削除",
            previous: None,
            change: Change::Delete,
            then: Vec::new(),
            event: write_event(&c, "case_delete", id),
            user: c.principal.user_id.as_str(),
            now,
        },
    )
    .await?;
    if !took {
        return Err(conflict(&c, &shard.db, id, body.version, "case_delete").await);
    }
    Ok(Response::empty()?.with_status(204))
}

/// `POST /api/cases/{id}/restore`: a health-center administrator brings a deleted record back.
pub async fn restore(c: Staff, env: &Env, ctx: &Context, id: &str) -> ApiResult<Response> {
    let Visible { row, access, shard } = access::record(&c, id, "case_restore").await?;
    if !access.admin {
        c.log(c.event("case_restore", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    if row.deleted_at.is_none() {
        return Err(ApiError::with_reason(
            ErrorCode::Conflict,
            "not_deleted",
            "not deleted",
        ));
    }
    let now = now_ms();
    let user = c.principal.user_id.as_str();
    let mut event = c.event("case_restore", "ok").target(id);
    event.health_center_id = Some(row.health_center_id.clone());
    c.writing(&shard, Refs::default()).await?;
    let took = store::restore(&shard.db, id, row.version, user, now, &event).await?;
    seal_later(env, ctx);
    if !took {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    answer(&shard.db, id, access).await
}

/// `GET /api/cases/deleted`: the deleted records of the administrator's health center.
pub async fn deleted(c: Staff) -> ApiResult<Response> {
    let Some(hc) = c
        .principal
        .desk()
        .filter(|_| c.principal.role == Role::HealthCenterAdmin)
        .map(str::to_owned)
    else {
        c.log(c.event("case_deleted_list", "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    let shard = c
        .stores
        .for_pref(c.principal.jurisdiction.pref_code().unwrap_or_default())?;
    let rows: Vec<DeletedRow> = case_search::statement(&shard.db, &case_search::deleted(&hc))?
        .all()
        .await?
        .results()?;
    c.log(
        c.event("case_deleted_list", "ok")
            .returned(rows.iter().map(|r| r.summary.id.clone())),
    )
    .await?;
    Ok(Response::from_json(&DeletedList {
        items: rows
            .into_iter()
            .map(|r| DeletedCase {
                summary: summary(r.summary, true),
                deleted_at: r.deleted_at,
                deleted_by_name: r.deleted_by_name,
                version: r.version,
            })
            .collect(),
    })?)
}

/// `POST /api/cases` (発生届の提出前に使用): a clinic registers a person (ID管理) with the health center in charge.
pub async fn create(c: Staff, mut req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    let (institution_id, _) = c.filing_institution()?;
    let institution_id = institution_id.to_owned();
    let body: CreateCase = json_body(&mut req).await?;
    if !idempotency_key_ok(&body.idempotency_key) {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "idempotency_key",
            "bad idempotency key",
        ));
    }
    let now = now_ms();
    let data = tabs::clean(Tab::Id, &body.id, today_jst(now))
        .map_err(|issues| ApiError::with_issues(ErrorCode::ValidationFailed, issues))?;
    // The health center in charge: one of the clinic's prefecture.
    let pref = c.principal.jurisdiction.pref_code().unwrap_or_default();
    let hc_pref = institutions::health_center_pref(&c.core, &body.health_center_id).await?;
    if hc_pref.as_deref().is_none_or(|p| p != pref) {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "health_center_id",
            "unknown health center or another prefecture",
        ));
    }
    let cols = id_columns(&data);
    let user = c.principal.user_id.clone();
    let mut tabs_map = Map::new();
    tabs_map.insert("id".into(), data);
    let tabs_json = Value::Object(tabs_map).to_string();
    for _ in 0..3 {
        let id = format!("n_{}", token()?);
        let phone_id = smartphone_id(random_bytes::<8>()?);
        let mut event = c.event("case_create", "ok").target(id.as_str());
        event.health_center_id = Some(body.health_center_id.clone());
        let (shard, seq) = c.stores.route_new(&id, pref, now).await?;
        c.writing(
            &shard,
            Refs::default().health_center(&body.health_center_id),
        )
        .await?;
        let statements = vec![
            store::insert_case(
                &shard.db,
                &NewCase {
                    seq,
                    id: &id,
                    smartphone_id: &phone_id,
                    institution_id: Some(&institution_id),
                    health_center_id: &body.health_center_id,
                    pref_code: pref,
                    columns: &cols,
                    filed: None,
                    status: None,
                    create_key: Some(&body.idempotency_key),
                    tabs: &tabs_json,
                    user: &user,
                    now,
                },
            )?,
            store::version_entry(
                &shard.db,
                &VersionEntry {
                    case_id: &id,
                    part: "create",
                    what: "ID管理情報を登録",
                    previous: None,
                    at: now,
                    by: &user,
                },
                store::Base::New,
            )?,
            audit::batch_entry(&shard.db, &event, now)?,
        ];
        match shard.db.batch(statements).await {
            Ok(_) => {
                seal_later(env, ctx);
                // The スマホ入力ID is a credential for the patient's phone: only the managing health center sees it.
                let created = Created {
                    id,
                    smartphone_id: String::new(),
                    replayed: false,
                };
                return Ok(Response::from_json(&created)?.with_status(201));
            }
            Err(e) => {
                c.stores.drop_route(&id).await;
                let existing =
                    store::created_with_key(&shard.db, &user, &body.idempotency_key).await?;
                if let Some(id) = existing {
                    return Ok(Response::from_json(&Created {
                        id,
                        smartphone_id: String::new(),
                        replayed: true,
                    })?);
                }
                // A スマホ入力ID collision (1 in 10^9 per row): try again with another.
                worker::console_log!("case create retried: {e}");
            }
        }
    }
    Err(ApiError::with_detail(
        ErrorCode::Internal,
        "case create failed 3 times",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_iso_and_not_in_the_future() {
        let today = chrono::NaiveDate::from_ymd_opt(2024, 5, 10).unwrap();
        assert!(date_ok("2024-05-10", today));
        assert!(date_ok("2024-05-11", today));
        assert!(!date_ok("2024-05-12", today));
        assert!(!date_ok("2024-5-1", today));
        assert!(!date_ok("2024-02-30", today));
    }
}
