//! Patient records (登録情報, manual 4.3–5.2): search, one record with its tabs, tab edits, the notification's
//! edit, the status record, recoverable delete, and records created before a notification (4.5).
//!
//! Every read and write checks role and area here and is audited by id (never by personal data). Every write
//! names the version it was based on; the batch carries the check (`WHERE version = ?`) in each statement, so a
//! second editor's save changes nothing and is answered `EDIT_CONFLICT` with what the first one changed.

use serde::Deserialize;
use serde_json::{Map, Value};
use shared::api::cases::{
    CaseRecord, CaseSummary, ChangeEntry, CreateCase, Created, DeleteRequest, DeletedCase,
    DeletedList, EditConflict, NotificationEdit, SearchRequest, SearchResult, StatusChange,
    StatusEntry, StatusWithdraw, TabUpdate, COUNT_CAP, PAGE_SIZE,
};
use shared::api::notifications::idempotency_key_ok;
use shared::auth::Role;
use shared::case::status::CaseStatus;
use shared::case::tabs::{self, Tab};
use shared::case::{furigana_key, name_key, phone_digits, smartphone_id};
use shared::error::ErrorCode;
use shared::kana::normalize_furigana;
use shared::notification::validate::IssueSeverity;
use shared::notification::{validate, Notification};
use wasm_bindgen::JsValue;
use worker::{Context, D1Database, D1PreparedStatement, Env, Request, Response};

use crate::access::{self, Visible};
use crate::caller::Staff;
use crate::crypto::{random_bytes, token};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{json_body, text_field};
use crate::store::audit;
use crate::store::audit::seal_later;
use crate::store::case_search::{self, Bind};
use crate::store::cases::{
    self as store, id_columns, id_from_notification, id_set, notification_set, parse_tabs, CaseRow,
};
use crate::store::{f, opt};
use shared::auth::Access;
use shared::time::today_jst;

fn js(b: &Bind) -> JsValue {
    match b {
        Bind::Text(s) => JsValue::from_str(s),
        Bind::Int(i) => f(*i),
    }
}

#[derive(Deserialize)]
struct SummaryRow {
    seq: i64,
    id: String,
    smartphone_id: String,
    name: String,
    furigana: String,
    furigana_key: String,
    sex: Option<String>,
    date_of_birth: String,
    diagnosed_on: Option<String>,
    onset_on: Option<String>,
    category: Option<String>,
    status: Option<String>,
    residence: String,
    hc_own_id: String,
    filed_at: i64,
    filed: i64,
    health_center_name: String,
}

fn category_of(s: Option<&str>) -> Option<shared::notification::options::CaseCategory> {
    s.and_then(|c| serde_json::from_value(Value::String(c.to_owned())).ok())
}

impl SummaryRow {
    /// `manages`: the caller is staff of the record's health center (the only staff who see the スマホ入力ID).
    fn view(self, manages: bool) -> CaseSummary {
        CaseSummary {
            category: category_of(self.category.as_deref()),
            status: self.status.as_deref().and_then(CaseStatus::parse),
            id: self.id,
            smartphone_id: if manages {
                self.smartphone_id
            } else {
                String::new()
            },
            name: self.name,
            furigana: self.furigana,
            sex: self.sex,
            date_of_birth: Some(self.date_of_birth).filter(|d| !d.is_empty()),
            diagnosed_on: self.diagnosed_on,
            onset_on: self.onset_on,
            residence: self.residence,
            health_center_name: self.health_center_name,
            hc_own_id: self.hc_own_id,
            filed_at: self.filed_at,
            filed: self.filed != 0,
        }
    }
}

/// `POST /api/cases/search`: 登録情報一覧. Audited (criteria are not logged: they are personal data).
pub async fn search(c: Staff, mut req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    let body: SearchRequest = json_body(&mut req).await?;
    let (page, count) = case_search::for_principal(&c.principal, &body)?;
    let manages = c.principal.desk().is_some();
    let page_stmt =
        c.db.prepare(&page.sql)
            .bind(&page.binds.iter().map(js).collect::<Vec<_>>())?;
    let count_stmt =
        c.db.prepare(&count.sql)
            .bind(&count.binds.iter().map(js).collect::<Vec<_>>())?;
    // One round trip for both reads and the audit entry.
    let event = c.event("case_search", "ok");
    let results =
        c.db.batch(vec![
            page_stmt,
            count_stmt,
            audit::batch_entry(&c.db, &event, now_ms())?,
        ])
        .await?;
    // The entry is sealed into the chain after the answer.
    seal_later(env, ctx);
    let mut rows: Vec<SummaryRow> = results
        .first()
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "no page result"))?
        .results()?;
    #[derive(Deserialize)]
    struct N {
        n: u32,
    }
    let n = results
        .get(1)
        .and_then(|r| r.results::<N>().ok())
        .and_then(|v| v.first().map(|n| n.n))
        .unwrap_or(0);
    let next_cursor = if rows.len() > PAGE_SIZE as usize {
        rows.truncate(PAGE_SIZE as usize);
        rows.last()
            .map(|r| case_search::encode_cursor(body.sort, r.filed_at, &r.furigana_key, r.seq))
    } else {
        None
    };
    Ok(Response::from_json(&SearchResult {
        items: rows.into_iter().map(|r| r.view(manages)).collect(),
        count: n.min(COUNT_CAP),
        count_capped: n > COUNT_CAP,
        next_cursor,
    })?)
}

async fn status_entries(db: &D1Database, id: &str) -> ApiResult<Vec<StatusEntry>> {
    #[derive(Deserialize)]
    struct Row {
        seq: i64,
        status: String,
        date: String,
        place: Option<String>,
        severity: Option<String>,
        comment: String,
        by_name: String,
        at: i64,
        withdrawn_at: Option<i64>,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT s.seq, s.status, s.date, s.place, s.severity, s.comment, u.display_name AS by_name, s.at, \
             s.withdrawn_at FROM case_status s JOIN users u ON u.id = s.by_user_id WHERE s.case_id = ?1 \
             ORDER BY s.seq",
        )
        .bind(&[id.into()])?
        .all()
        .await?
        .results()?;
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

async fn changes_since(
    db: &D1Database,
    id: &str,
    after_version: i64,
) -> ApiResult<Vec<ChangeEntry>> {
    #[derive(Deserialize)]
    struct Row {
        at: i64,
        by_name: String,
        what: String,
        version: i64,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT v.at, u.display_name AS by_name, v.what, v.version FROM case_versions v \
             JOIN users u ON u.id = v.by_user_id WHERE v.case_id = ?1 AND v.version > ?2 ORDER BY v.version",
        )
        .bind(&[id.into(), f(after_version)])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| ChangeEntry {
            at: r.at,
            by_name: r.by_name,
            what: r.what,
            version: r.version,
        })
        .collect())
}

async fn record(c: &Staff, row: CaseRow, r: Access) -> ApiResult<CaseRecord> {
    let deleted = row.deleted_at.is_some();
    Ok(CaseRecord {
        status_entries: status_entries(&c.db, &row.id).await?,
        history: changes_since(&c.db, &row.id, 0).await?,
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
        smartphone_id: if r.manage {
            row.smartphone_id
        } else {
            String::new()
        },
        name: row.name,
        furigana: row.furigana,
        sex: row.sex,
        date_of_birth: Some(row.date_of_birth).filter(|d| !d.is_empty()),
        residence: row.residence,
        health_center_id: row.health_center_id,
        health_center_name: row.health_center_name,
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
    let Visible { row, access, .. } = access::record(&c, id, "case_read").await?;
    let rec = record(&c, row, access).await?;
    c.log(c.event("case_read", "ok").target(id)).await?;
    Ok(Response::from_json(&rec)?)
}

/// One versioned write: the previous state into `case_versions` and the UPDATE, both only if the record is still at
/// `version` and not deleted; then `extra` statements (which must guard themselves with [`written`]), and the audit
/// entry (guarded the same way). Answers whether this write took effect.
#[allow(clippy::too_many_arguments)]
async fn versioned_write(
    c: &Staff,
    env: &Env,
    ctx: &Context,
    id: &str,
    version: i64,
    part: &str,
    what: &str,
    previous: Option<String>,
    set: &str,
    set_binds: Vec<JsValue>,
    extra: Vec<D1PreparedStatement>,
    action: &'static str,
    now: i64,
) -> ApiResult<bool> {
    let user = c.principal.user_id.as_str();
    let mut statements = vec![c
        .db
        .prepare(
            "INSERT INTO case_versions (case_id, version, part, what, previous, at, by_user_id) \
             SELECT id, version + 1, ?3, ?4, ?5, ?6, ?7 FROM cases WHERE id = ?1 AND version = ?2 \
             AND deleted_at IS NULL",
        )
        .bind(&[
            id.into(),
            f(version),
            part.into(),
            what.into(),
            opt(previous.as_deref()),
            f(now),
            user.into(),
        ])?];
    let n = set_binds.len();
    let mut binds = vec![id.into(), f(version)];
    binds.extend(set_binds);
    binds.push(f(now));
    binds.push(user.into());
    let set = if set.is_empty() {
        String::new()
    } else {
        format!("{set}, ")
    };
    statements.push(
        c.db.prepare(format!(
            "UPDATE cases SET {set}version = version + 1, updated_at = ?{}, updated_by_user_id = ?{} \
             WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL",
            n + 3,
            n + 4
        ))
        .bind(&binds)?,
    );
    statements.extend(extra);
    let mut event = c.event(action, "ok").target(id);
    event.health_center_id = c
        .principal
        .jurisdiction
        .health_center_id()
        .map(str::to_owned);
    statements.push(audit::batch_entry_if(
        &c.db,
        &event,
        now,
        "EXISTS (SELECT 1 FROM case_versions WHERE case_id = ?10 AND version = ?11 AND at = ?12)",
        &[id.into(), f(version + 1), f(now)],
    )?);
    let results = c.db.batch(statements).await?;
    let took = results
        .get(1)
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0)
        == 1;
    seal_later(env, ctx);
    Ok(took)
}

/// The guard for statements that belong to a versioned write: true only once that write has taken effect.
fn written() -> &'static str {
    "EXISTS (SELECT 1 FROM case_versions WHERE case_id = ?1 AND version = ?2 AND at = ?3)"
}

async fn conflict(c: &Staff, id: &str, version: i64, action: &'static str) -> ApiError {
    let _ = c.log(c.event(action, "conflict").target(id)).await;
    match store::row(&c.db, id).await {
        Ok(Some(row)) if row.deleted_at.is_some() => ApiError::new(ErrorCode::NotFound),
        Ok(Some(row)) => ApiError::conflict(EditConflict {
            version: row.version,
            updated_at: row.updated_at,
            updated_by_name: row.updated_by_name,
            changes: changes_since(&c.db, id, version).await.unwrap_or_default(),
        }),
        _ => ApiError::new(ErrorCode::NotFound),
    }
}

async fn answer(c: &Staff, id: &str, access: Access) -> ApiResult<Response> {
    let row = store::row(&c.db, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    Ok(Response::from_json(&record(c, row, access).await?)?)
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
    let Visible { row, access, .. } = access::record(&c, id, "case_edit").await?;
    if !access.edit {
        c.log(c.event("case_edit", "forbidden").target(id)).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let now = now_ms();
    let data = tabs::clean(tab, &body.data, today_jst(now))
        .map_err(|issues| ApiError::with_issues(ErrorCode::ValidationFailed, issues))?;
    if body.version != row.version {
        return Err(conflict(&c, id, body.version, "case_edit").await);
    }
    let mut all = parse_tabs(&row.tabs);
    let previous = all.get(tab.as_str()).cloned().unwrap_or(Value::Null);
    let changed = tabs::changed_labels(tab, &previous, &data);
    if changed.is_empty() {
        return answer(&c, id, access).await;
    }
    all.insert(tab.as_str().into(), data.clone());
    let what = format!("{}: {}", tab.label(), changed.join("、"));
    let tabs_json = Value::Object(all).to_string();
    let (set, mut binds) = if tab == Tab::Id {
        let (set, binds) = id_set(&id_columns(&data));
        (format!("{set}, tabs = ?12"), binds)
    } else {
        // Keep the numbering of id_set: ?3 is the tabs JSON here.
        ("tabs = ?3".to_owned(), Vec::new())
    };
    binds.push(tabs_json.into());
    let mut extra = Vec::new();
    // A first test record starts the status record at 検体採取 (manual 4.5: tests before the notification).
    if tab == Tab::Tests && row.status.is_none() {
        if let Some(date) = data
            .get("tests")
            .and_then(|t| t.get(0))
            .and_then(|t| t.get("specimen_date"))
            .and_then(Value::as_str)
        {
            extra.push(
                c.db.prepare(format!(
                    "INSERT INTO case_status (case_id, status, date, at, by_user_id) \
                     SELECT ?1, 'specimen_collected', ?4, ?3, ?5 WHERE {}",
                    written()
                ))
                .bind(&[
                    id.into(),
                    f(row.version + 1),
                    f(now),
                    date.into(),
                    c.principal.user_id.as_str().into(),
                ])?,
            );
            extra.push(
                c.db.prepare(format!(
                    "UPDATE cases SET status = 'specimen_collected' WHERE id = ?1 AND status IS NULL AND {}",
                    written()
                ))
                .bind(&[id.into(), f(row.version + 1), f(now)])?,
            );
        }
    }
    let took = versioned_write(
        &c,
        env,
        ctx,
        id,
        body.version,
        tab.as_str(),
        &what,
        Some(previous.to_string()),
        &set,
        binds,
        extra,
        "case_edit",
        now,
    )
    .await?;
    if !took {
        return Err(conflict(&c, id, body.version, "case_edit").await);
    }
    answer(&c, id, access).await
}

/// `PUT /api/cases/{id}/notification`: edit the filed notification, re-validated like a filing.
pub async fn edit_notification(
    c: Staff,
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> ApiResult<Response> {
    let body: NotificationEdit = json_body(&mut req).await?;
    let Visible { row, access, .. } = access::record(&c, id, "notification_edit").await?;
    if !access.edit || row.filed == 0 {
        c.log(c.event("notification_edit", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let mut notification = body.notification;
    let Notification::R20211129(form) = &mut notification;
    form.patient.furigana = normalize_furigana(&form.patient.furigana);
    let now = now_ms();
    let report = validate(&notification, today_jst(now));
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
        return Err(conflict(&c, id, body.version, "notification_edit").await);
    }
    #[derive(Deserialize)]
    struct Body {
        body: String,
    }
    let previous: Option<Body> =
        c.db.prepare("SELECT body FROM notifications WHERE id = ?1")
            .bind(&[id.into()])?
            .first(None)
            .await?;
    let mut all = parse_tabs(&row.tabs);
    let id_tab = id_from_notification(all.get("id"), &notification);
    all.insert("id".into(), id_tab.clone());
    let (set, mut binds) = notification_set(&notification, &id_tab);
    binds.push(Value::Object(all).to_string().into());
    let set = format!("{set}, tabs = ?16");
    let Notification::R20211129(form) = &notification;
    let phone = [
        &form.patient.address.phone,
        &form.patient.current_location.phone,
    ]
    .into_iter()
    .map(|p| phone_digits(p))
    .find(|p| !p.is_empty())
    .unwrap_or_default();
    let extra = vec![c
        .db
        .prepare(format!(
            "UPDATE notifications SET body = ?4, category = ?5, patient_name = ?6, furigana_key = ?7, \
             date_of_birth = ?8, phone_digits = ?9 WHERE id = ?1 AND {}",
            written()
        ))
        .bind(&[
            id.into(),
            f(row.version + 1),
            f(now),
            notification.to_json().into(),
            opt(form
                .category
                .and_then(|c| serde_json::to_value(c).ok())
                .and_then(|v| v.as_str().map(str::to_owned))
                .as_deref()),
            form.patient.name.trim().into(),
            furigana_key(&form.patient.furigana).into(),
            form.patient
                .date_of_birth
                .map(|d| d.to_string())
                .unwrap_or_default()
                .into(),
            phone.into(),
        ])?];
    let took = versioned_write(
        &c,
        env,
        ctx,
        id,
        body.version,
        "notification",
        "発生届を編集",
        previous.map(|p| p.body),
        &set,
        binds,
        extra,
        "notification_edit",
        now,
    )
    .await?;
    if !took {
        return Err(conflict(&c, id, body.version, "notification_edit").await);
    }
    answer(&c, id, access).await
}

fn date_ok(s: &str, today: chrono::NaiveDate) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .is_ok_and(|d| d <= today + chrono::Days::new(1) && d.to_string() == s)
}

/// The record, if the caller is staff of its health center (who record the status); otherwise refused and audited.
async fn status_writable(c: &Staff, id: &str) -> ApiResult<(CaseRow, Access)> {
    let Visible { row, access, .. } = access::record(c, id, "case_status").await?;
    access::require(c, access.manage, "case_status", id).await?;
    Ok((row, access))
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
    let (row, access) = status_writable(&c, id).await?;
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
        return Err(conflict(&c, id, body.version, "case_status").await);
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
    let extra = vec![c
        .db
        .prepare(format!(
            "INSERT INTO case_status (case_id, status, date, place, severity, comment, at, by_user_id) \
             SELECT ?1, ?4, ?5, ?6, ?7, ?8, ?3, ?9 WHERE {}",
            written()
        ))
        .bind(&[
            id.into(),
            f(row.version + 1),
            f(now),
            body.status.as_str().into(),
            body.date.as_str().into(),
            opt(place.as_deref()),
            opt(severity.as_deref()),
            comment.as_str().into(),
            c.principal.user_id.as_str().into(),
        ])?];
    let what = format!("ステータス: {}", body.status.label());
    let took = versioned_write(
        &c,
        env,
        ctx,
        id,
        body.version,
        "status",
        &what,
        current.map(|s| s.as_str().to_owned()),
        "status = ?3",
        vec![body.status.as_str().into()],
        extra,
        "case_status",
        now,
    )
    .await?;
    if !took {
        return Err(conflict(&c, id, body.version, "case_status").await);
    }
    answer(&c, id, access).await
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
    let (row, access) = status_writable(&c, id).await?;
    if body.version != row.version {
        return Err(conflict(&c, id, body.version, "case_status").await);
    }
    let entries: Vec<StatusEntry> = status_entries(&c.db, id)
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
    let extra = vec![c
        .db
        .prepare(format!(
            "UPDATE case_status SET withdrawn_at = ?3, withdrawn_by_user_id = ?5 \
             WHERE seq = ?4 AND case_id = ?1 AND withdrawn_at IS NULL AND {}",
            written()
        ))
        .bind(&[
            id.into(),
            f(row.version + 1),
            f(now),
            f(last.seq),
            c.principal.user_id.as_str().into(),
        ])?];
    let what = format!("ステータスの取消: {}", last.status.label());
    let took = versioned_write(
        &c,
        env,
        ctx,
        id,
        body.version,
        "status",
        &what,
        Some(last.status.as_str().to_owned()),
        "status = ?3",
        vec![opt(before.map(|s| s.as_str()))],
        extra,
        "case_status_withdraw",
        now,
    )
    .await?;
    if !took {
        return Err(conflict(&c, id, body.version, "case_status").await);
    }
    answer(&c, id, access).await
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
    let Visible { row, access, .. } = access::record(&c, id, "case_delete").await?;
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
        return Err(conflict(&c, id, body.version, "case_delete").await);
    }
    let now = now_ms();
    let took = versioned_write(
        &c,
        env,
        ctx,
        id,
        body.version,
        "delete",
        "削除",
        None,
        "deleted_at = ?3, deleted_by_user_id = ?4",
        vec![f(now), c.principal.user_id.as_str().into()],
        Vec::new(),
        "case_delete",
        now,
    )
    .await?;
    if !took {
        return Err(conflict(&c, id, body.version, "case_delete").await);
    }
    Ok(Response::empty()?.with_status(204))
}

/// `POST /api/cases/{id}/restore`: a health-center administrator brings a deleted record back.
pub async fn restore(c: Staff, env: &Env, ctx: &Context, id: &str) -> ApiResult<Response> {
    let Visible { row, access, .. } = access::record(&c, id, "case_restore").await?;
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
    let statements = vec![
        c.db.prepare(
            "INSERT INTO case_versions (case_id, version, part, what, at, by_user_id) \
             SELECT id, version + 1, 'restore', '復元', ?3, ?4 FROM cases WHERE id = ?1 AND version = ?2 \
             AND deleted_at IS NOT NULL",
        )
        .bind(&[id.into(), f(row.version), f(now), user.into()])?,
        c.db.prepare(
            "UPDATE cases SET deleted_at = NULL, deleted_by_user_id = NULL, version = version + 1, \
             updated_at = ?3, updated_by_user_id = ?4 WHERE id = ?1 AND version = ?2 AND deleted_at IS NOT NULL",
        )
        .bind(&[id.into(), f(row.version), f(now), user.into()])?,
        audit::batch_entry(&c.db, &event, now)?,
    ];
    let results = c.db.batch(statements).await?;
    seal_later(env, ctx);
    let took = results
        .get(1)
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0)
        == 1;
    if !took {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    answer(&c, id, access).await
}

/// `GET /api/cases/deleted`: the deleted records of the administrator's health center.
pub async fn deleted(c: Staff) -> ApiResult<Response> {
    let Some(hc) = c
        .health_center_id()
        .filter(|_| c.principal.role == Role::HealthCenterAdmin)
        .map(str::to_owned)
    else {
        c.log(c.event("case_deleted_list", "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    #[derive(Deserialize)]
    struct Row {
        #[serde(flatten)]
        summary: SummaryRow,
        deleted_at: i64,
        deleted_by_name: String,
        version: i64,
    }
    let rows: Vec<Row> = c
        .db
        .prepare(format!(
            "SELECT {}, c.deleted_at, u.display_name AS deleted_by_name, c.version \
             FROM cases c INDEXED BY cases_deleted JOIN health_centers h ON h.id = c.health_center_id \
             JOIN users u ON u.id = c.deleted_by_user_id \
             WHERE c.health_center_id = ?1 AND c.deleted_at IS NOT NULL ORDER BY c.deleted_at DESC LIMIT 200",
            case_search::SUMMARY_COLUMNS
        ))
        .bind(&[hc.as_str().into()])?
        .all()
        .await?
        .results()?;
    c.log(c.event("case_deleted_list", "ok")).await?;
    Ok(Response::from_json(&DeletedList {
        items: rows
            .into_iter()
            .map(|r| DeletedCase {
                summary: r.summary.view(true),
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
    #[derive(Deserialize)]
    struct Hc {
        pref_code: String,
    }
    let pref = c
        .principal
        .jurisdiction
        .pref_code()
        .unwrap_or_default()
        .to_owned();
    let hc: Option<Hc> =
        c.db.prepare("SELECT pref_code FROM health_centers WHERE id = ?1")
            .bind(&[body.health_center_id.as_str().into()])?
            .first(None)
            .await?;
    if hc.as_ref().is_none_or(|h| h.pref_code != pref) {
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
        let statements = vec![
            c.db.prepare(
                "INSERT INTO cases (id, smartphone_id, institution_id, health_center_id, pref_code, name, name_key, \
                 furigana, furigana_key, date_of_birth, phone_digits, phone2_digits, sex, hc_own_id, filed_at, \
                 created_at, created_by_user_id, create_key, updated_at, updated_by_user_id, tabs) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?17, ?15, ?16, ?18)",
            )
            .bind(&[
                id.as_str().into(),
                phone_id.as_str().into(),
                institution_id.as_str().into(),
                body.health_center_id.as_str().into(),
                pref.as_str().into(),
                cols.name.as_str().into(),
                name_key(&cols.name).into(),
                cols.furigana.as_str().into(),
                furigana_key(&cols.furigana).into(),
                cols.date_of_birth.as_str().into(),
                cols.phone.as_str().into(),
                cols.phone2.as_str().into(),
                opt(cols.sex.as_deref()),
                cols.hc_own_id.as_str().into(),
                f(now),
                user.as_str().into(),
                body.idempotency_key.as_str().into(),
                tabs_json.as_str().into(),
            ])?,
            c.db.prepare(
                "INSERT INTO case_versions (case_id, version, part, what, at, by_user_id) \
                 VALUES (?1, 1, 'create', 'ID管理情報を登録', ?2, ?3)",
            )
            .bind(&[id.as_str().into(), f(now), user.as_str().into()])?,
            audit::batch_entry(&c.db, &event, now)?,
        ];
        match c.db.batch(statements).await {
            Ok(_) => {
                seal_later(env, ctx);
                let created = Created {
                    id,
                    smartphone_id: phone_id,
                    replayed: false,
                };
                return Ok(Response::from_json(&created)?.with_status(201));
            }
            Err(e) => {
                #[derive(Deserialize)]
                struct Existing {
                    id: String,
                    smartphone_id: String,
                }
                let existing: Option<Existing> = c
                    .db
                    .prepare(
                        "SELECT id, smartphone_id FROM cases WHERE created_by_user_id = ?1 AND create_key = ?2",
                    )
                    .bind(&[user.as_str().into(), body.idempotency_key.as_str().into()])?
                    .first(None)
                    .await?;
                if let Some(existing) = existing {
                    return Ok(Response::from_json(&Created {
                        id: existing.id,
                        smartphone_id: existing.smartphone_id,
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
