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
use shared::auth::{Jurisdiction, RecordArea, Role};
use shared::case::status::CaseStatus;
use shared::case::tabs::{self, Tab};
use shared::case::{furigana_key, name_key, phone_digits, smartphone_id};
use shared::error::ErrorCode;
use shared::kana::normalize_furigana;
use shared::notification::municipality::{self, MunicipalityCode};
use shared::notification::validate::IssueSeverity;
use shared::notification::{validate, Notification};
use wasm_bindgen::JsValue;
use worker::{Context, D1Database, D1PreparedStatement, Env, Request, Response};

use super::case_search::{self, Bind, Scope};
use super::notifications::{caller, f, opt, seal_later, today_jst, Caller};
use crate::audit;
use crate::crypto::{random_bytes, token};
use crate::error::{ApiError, ApiResult};
use crate::now_ms;
use crate::request::{json_body, text_field};

/// Whose records the caller may search: their institution (clinics), health center, or prefecture.
fn scope(c: &Caller) -> ApiResult<Scope> {
    match (&c.principal.role, &c.principal.jurisdiction) {
        (
            Role::ClinicDoctor | Role::ClinicStaff,
            Jurisdiction::Institution { institution_id, .. },
        ) => Ok(Scope::Institution(institution_id.clone())),
        (
            Role::HealthCenterStaff | Role::HealthCenterAdmin,
            Jurisdiction::HealthCenter {
                health_center_id, ..
            },
        ) => Ok(Scope::HealthCenter(health_center_id.clone())),
        (Role::PrefectureStaff, Jurisdiction::Prefecture { pref_code }) => {
            Ok(Scope::Prefecture(pref_code.clone()))
        }
        _ => Err(ApiError::new(ErrorCode::Forbidden)),
    }
}

fn js(b: &Bind) -> JsValue {
    match b {
        Bind::Text(s) => JsValue::from_str(s),
        Bind::Int(i) => f(*i),
    }
}

fn bad_criterion(e: case_search::BadCriterion) -> ApiError {
    ApiError::with_issues(
        ErrorCode::ValidationFailed,
        vec![shared::notification::validate::IssueView {
            severity: IssueSeverity::Error,
            code: "search_criterion".into(),
            field: e.field.into(),
            message: e.message.into(),
        }],
    )
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
    fn view(self) -> CaseSummary {
        CaseSummary {
            category: category_of(self.category.as_deref()),
            status: self.status.as_deref().and_then(CaseStatus::parse),
            id: self.id,
            smartphone_id: self.smartphone_id,
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

/// The search's statements for a caller (also used by the bench-only EXPLAIN route).
pub(super) fn search_queries(
    c: &Caller,
    req: &SearchRequest,
) -> ApiResult<(case_search::Query, case_search::Query)> {
    case_search::build(&scope(c)?, req).map_err(bad_criterion)
}

/// `POST /api/cases/search`: 登録情報一覧. Audited (criteria are not logged: they are personal data).
pub async fn search(mut req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    let c = caller(env, &req).await?;
    let body: SearchRequest = json_body(&mut req).await?;
    let (page, count) = search_queries(&c, &body)?;
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
        items: rows.into_iter().map(SummaryRow::view).collect(),
        count: n.min(COUNT_CAP),
        count_capped: n > COUNT_CAP,
        next_cursor,
    })?)
}

#[derive(Deserialize)]
struct CaseRow {
    id: String,
    smartphone_id: String,
    institution_id: Option<String>,
    institution_name: Option<String>,
    health_center_id: String,
    health_center_name: String,
    pref_code: String,
    name: String,
    furigana: String,
    date_of_birth: String,
    sex: Option<String>,
    category: Option<String>,
    status: Option<String>,
    residence: String,
    filed_at: i64,
    filed: i64,
    created_at: i64,
    updated_at: i64,
    updated_by_name: String,
    version: i64,
    tabs: String,
    deleted_at: Option<i64>,
}

async fn case_row(db: &D1Database, id: &str) -> ApiResult<Option<CaseRow>> {
    Ok(db
        .prepare(
            "SELECT c.id, c.smartphone_id, c.institution_id, i.name AS institution_name, c.health_center_id, \
             h.name AS health_center_name, c.pref_code, c.name, c.furigana, c.date_of_birth, c.sex, c.category, \
             c.status, c.residence, c.filed_at, c.filed, c.created_at, c.updated_at, \
             u.display_name AS updated_by_name, c.version, c.tabs, c.deleted_at \
             FROM cases c JOIN health_centers h ON h.id = c.health_center_id \
             LEFT JOIN institutions i ON i.id = c.institution_id JOIN users u ON u.id = c.updated_by_user_id \
             WHERE c.id = ?1",
        )
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// What the caller may do with a record.
struct Rights {
    edit: bool,
    status: bool,
    /// A health-center administrator of the record's health center (sees it deleted, restores it).
    admin: bool,
    file: bool,
}

fn rights(c: &Caller, row: &CaseRow) -> Rights {
    let p = &c.principal;
    let own_clinic = p.role.files_notifications()
        && p.jurisdiction.institution_id().is_some()
        && p.jurisdiction.institution_id() == row.institution_id.as_deref();
    let at_hc = matches!(p.role, Role::HealthCenterStaff | Role::HealthCenterAdmin)
        && c.health_center_id() == Some(row.health_center_id.as_str());
    Rights {
        edit: own_clinic || at_hc,
        status: at_hc,
        admin: at_hc && p.role == Role::HealthCenterAdmin,
        file: own_clinic && row.filed == 0,
    }
}

/// The record if this caller may see it: 404 for an unknown id (or a deleted one, except to the administrator
/// who can restore it), 403 for someone else's; both audited.
async fn visible(c: &Caller, id: &str, action: &'static str) -> ApiResult<CaseRow> {
    // National staff see aggregates only: refused before anything is looked up.
    if !c.principal.role.views_records() {
        c.log(c.event(action, "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let Some(row) = case_row(&c.db, id).await? else {
        c.log(c.event(action, "not_found")).await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    #[derive(Deserialize)]
    struct Hc {
        health_center_id: String,
    }
    let past: Vec<Hc> =
        c.db.prepare(
            "SELECT DISTINCT health_center_id FROM notification_events WHERE notification_id = ?1",
        )
        .bind(&[id.into()])?
        .all()
        .await?
        .results()?;
    let mut health_center_ids: Vec<String> = past.into_iter().map(|h| h.health_center_id).collect();
    health_center_ids.push(row.health_center_id.clone());
    let area = RecordArea {
        filed_by_institution: row.institution_id.clone(),
        health_center_ids,
        pref_code: row.pref_code.clone(),
    };
    if !c.principal.can_see_record(&area) {
        c.log(c.event(action, "forbidden").target(id)).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    if row.deleted_at.is_some() && !rights(c, &row).admin {
        c.log(c.event(action, "deleted").target(id)).await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    Ok(row)
}

/// What other modules need of a record this caller may see (the same checks and audit as [`visible`]).
pub(super) struct VisibleCase {
    pub health_center_id: String,
    pub date_of_birth: String,
    pub deleted_at: Option<i64>,
}

pub(super) async fn visible_case(
    c: &Caller,
    id: &str,
    action: &'static str,
) -> ApiResult<VisibleCase> {
    let row = visible(c, id, action).await?;
    Ok(VisibleCase {
        health_center_id: row.health_center_id,
        date_of_birth: row.date_of_birth,
        deleted_at: row.deleted_at,
    })
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

pub(super) fn parse_tabs(text: &str) -> Map<String, Value> {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
}

async fn record(c: &Caller, row: CaseRow) -> ApiResult<CaseRecord> {
    let r = rights(c, &row);
    let deleted = row.deleted_at.is_some();
    Ok(CaseRecord {
        status_entries: status_entries(&c.db, &row.id).await?,
        history: changes_since(&c.db, &row.id, 0).await?,
        can_edit: r.edit && !deleted,
        can_change_status: r.status && !deleted,
        can_delete: r.edit && !deleted,
        can_file: r.file && !deleted,
        tabs: parse_tabs(&row.tabs),
        category: category_of(row.category.as_deref()),
        status: row.status.as_deref().and_then(CaseStatus::parse),
        id: row.id,
        version: row.version,
        smartphone_id: row.smartphone_id,
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
pub async fn get(req: Request, env: &Env, id: &str) -> ApiResult<Response> {
    let c = caller(env, &req).await?;
    let row = visible(&c, id, "case_read").await?;
    let rec = record(&c, row).await?;
    c.log(c.event("case_read", "ok").target(id)).await?;
    Ok(Response::from_json(&rec)?)
}

/// The search columns that follow from the ID管理 tab.
pub(super) struct IdColumns {
    pub(super) name: String,
    pub(super) furigana: String,
    pub(super) date_of_birth: String,
    pub(super) sex: Option<String>,
    pub(super) phone: String,
    pub(super) phone2: String,
    pub(super) hc_own_id: String,
}

pub(super) fn id_columns(id_tab: &Value) -> IdColumns {
    let s = |k: &str| {
        id_tab
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    IdColumns {
        name: s("name"),
        furigana: normalize_furigana(&s("furigana")),
        date_of_birth: s("date_of_birth"),
        sex: Some(s("sex")).filter(|v| !v.is_empty()),
        phone: phone_digits(&s("phone1")),
        phone2: phone_digits(&s("phone2")),
        hc_own_id: s("hc_own_id"),
    }
}

/// The SET clause and binds (from ?3 on) for the ID columns.
pub(super) fn id_set(cols: &IdColumns) -> (&'static str, Vec<JsValue>) {
    (
        "name = ?3, name_key = ?4, furigana = ?5, furigana_key = ?6, date_of_birth = ?7, sex = ?8, \
         phone_digits = ?9, phone2_digits = ?10, hc_own_id = ?11",
        vec![
            cols.name.as_str().into(),
            name_key(&cols.name).into(),
            cols.furigana.as_str().into(),
            furigana_key(&cols.furigana).into(),
            cols.date_of_birth.as_str().into(),
            opt(cols.sex.as_deref()),
            cols.phone.as_str().into(),
            cols.phone2.as_str().into(),
            cols.hc_own_id.as_str().into(),
        ],
    )
}

/// One versioned write: the previous state into `case_versions` and the UPDATE, both only if the record is still at
/// `version` and not deleted; then `extra` statements (which must guard themselves with [`written`]), and the audit
/// entry (guarded the same way). Answers whether this write took effect.
#[allow(clippy::too_many_arguments)]
async fn versioned_write(
    c: &Caller,
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

async fn conflict(c: &Caller, id: &str, version: i64, action: &'static str) -> ApiError {
    let _ = c.log(c.event(action, "conflict").target(id)).await;
    match case_row(&c.db, id).await {
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

async fn answer(c: &Caller, id: &str) -> ApiResult<Response> {
    let row = case_row(&c.db, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    Ok(Response::from_json(&record(c, row).await?)?)
}

/// `PUT /api/cases/{id}/tabs/{tab}`.
pub async fn update_tab(
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
    tab: &str,
) -> ApiResult<Response> {
    let c = caller(env, &req).await?;
    let Some(tab) = Tab::parse(tab) else {
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    let body: TabUpdate = json_body(&mut req).await?;
    let row = visible(&c, id, "case_edit").await?;
    if !rights(&c, &row).edit {
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
        return answer(&c, id).await;
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
    answer(&c, id).await
}

/// The ID管理 fields a notification fills (the rest of the tab is kept).
pub(super) fn id_from_notification(existing: Option<&Value>, n: &Notification) -> Value {
    let Notification::R20211129(form) = n;
    let p = &form.patient;
    let mut id = existing
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut put = |k: &str, v: String| {
        if !v.trim().is_empty() {
            id.insert(k.into(), Value::String(v.trim().to_owned()));
        }
    };
    put("name", p.name.clone());
    put("furigana", p.furigana.clone());
    put(
        "date_of_birth",
        p.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
    );
    put(
        "sex",
        p.sex.map(|s| s.label().to_owned()).unwrap_or_default(),
    );
    put("postal_code", p.address.postal_code.replace('-', ""));
    put("address", p.address.text.clone());
    put("phone1", p.address.phone.clone());
    if !p.current_location_same_as_address {
        put("phone2", p.current_location.phone.clone());
    }
    Value::Object(id)
}

/// The list's 居所: the municipality of the current location (or of the address).
pub(super) fn residence_of(n: &Notification) -> String {
    let Notification::R20211129(form) = n;
    let p = &form.patient;
    let code = if p.current_location_same_as_address || p.current_location.is_empty() {
        &p.address.municipality_code
    } else {
        &p.current_location.municipality_code
    };
    MunicipalityCode::parse(code)
        .ok()
        .and_then(|c| municipality::municipality(&c))
        .map(|m| m.name.to_owned())
        .unwrap_or_default()
}

/// The status a filing records: 死亡 for a body, otherwise 検査結果報告.
pub(super) fn status_on_filing(n: &Notification) -> CaseStatus {
    let Notification::R20211129(form) = n;
    if form.category.is_some_and(|c| c.is_body()) {
        CaseStatus::Died
    } else {
        CaseStatus::ResultReported
    }
}

/// The columns a notification sets on its record, as (SET clause from ?3, binds).
pub(super) fn notification_set(n: &Notification, id_tab: &Value) -> (String, Vec<JsValue>) {
    let Notification::R20211129(form) = n;
    let (id_clause, mut binds) = id_set(&id_columns(id_tab));
    let category = form
        .category
        .and_then(|c| serde_json::to_value(c).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    binds.push(opt(category.as_deref()));
    binds.push(opt(form.diagnosis_date.map(|d| d.to_string()).as_deref()));
    binds.push(opt(form.onset_date.map(|d| d.to_string()).as_deref()));
    binds.push(residence_of(n).into());
    (
        format!("{id_clause}, category = ?12, diagnosed_on = ?13, onset_on = ?14, residence = ?15"),
        binds,
    )
}

/// `PUT /api/cases/{id}/notification`: edit the filed notification, re-validated like a filing.
pub async fn edit_notification(
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> ApiResult<Response> {
    let c = caller(env, &req).await?;
    let body: NotificationEdit = json_body(&mut req).await?;
    let row = visible(&c, id, "notification_edit").await?;
    if !rights(&c, &row).edit || row.filed == 0 {
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
    answer(&c, id).await
}

fn date_ok(s: &str, today: chrono::NaiveDate) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .is_ok_and(|d| d <= today + chrono::Days::new(1) && d.to_string() == s)
}

/// The record, if the caller is staff of its health center (who record the status); otherwise refused and audited.
async fn status_writable(c: &Caller, id: &str) -> ApiResult<CaseRow> {
    let row = visible(c, id, "case_status").await?;
    if !rights(c, &row).status {
        c.log(c.event("case_status", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    Ok(row)
}

/// `POST /api/cases/{id}/status`: health-center staff record the next state (transitions from `shared`).
pub async fn change_status(
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> ApiResult<Response> {
    let c = caller(env, &req).await?;
    let body: StatusChange = json_body(&mut req).await?;
    let row = status_writable(&c, id).await?;
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
    answer(&c, id).await
}

/// `POST /api/cases/{id}/status/withdraw`: withdraw the latest entry (a mistake); the one before becomes current.
pub async fn withdraw_status(
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> ApiResult<Response> {
    let c = caller(env, &req).await?;
    let body: StatusWithdraw = json_body(&mut req).await?;
    let row = status_writable(&c, id).await?;
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
    answer(&c, id).await
}

/// `POST /api/cases/{id}/delete`: removes the record from lists (recoverable by an administrator).
pub async fn delete(mut req: Request, env: &Env, ctx: &Context, id: &str) -> ApiResult<Response> {
    let c = caller(env, &req).await?;
    let body: DeleteRequest = json_body(&mut req).await?;
    let row = visible(&c, id, "case_delete").await?;
    if !rights(&c, &row).edit || row.deleted_at.is_some() {
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
pub async fn restore(req: Request, env: &Env, ctx: &Context, id: &str) -> ApiResult<Response> {
    let c = caller(env, &req).await?;
    let row = visible(&c, id, "case_restore").await?;
    if !rights(&c, &row).admin {
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
    answer(&c, id).await
}

/// `GET /api/cases/deleted`: the deleted records of the administrator's health center.
pub async fn deleted(req: Request, env: &Env) -> ApiResult<Response> {
    let c = caller(env, &req).await?;
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
                summary: r.summary.view(),
                deleted_at: r.deleted_at,
                deleted_by_name: r.deleted_by_name,
                version: r.version,
            })
            .collect(),
    })?)
}

/// `POST /api/cases` (発生届の提出前に使用): a clinic registers a person (ID管理) with the health center in charge.
pub async fn create(mut req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    let c = caller(env, &req).await?;
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

/// Reads a record for the filing that completes it (manual 4.5): it must be the caller's institution's, unfiled
/// and not deleted.
pub(super) async fn case_for_filing(
    c: &Caller,
    id: &str,
    institution_id: &str,
) -> ApiResult<(Option<CaseStatus>, Map<String, Value>)> {
    let Some(row) = case_row(&c.db, id).await? else {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "case_id",
            "unknown record",
        ));
    };
    if row.institution_id.as_deref() != Some(institution_id) || row.deleted_at.is_some() {
        c.log(c.event("notification_file", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    if row.filed != 0 {
        return Err(ApiError::with_reason(
            ErrorCode::Conflict,
            "case_filed",
            "already filed",
        ));
    }
    Ok((
        row.status.as_deref().and_then(CaseStatus::parse),
        parse_tabs(&row.tabs),
    ))
}

/// What a filing writes to the patient record, in the filing's batch: a new record (its id the notification's), or
/// the pre-notification record it completes (`existing`: its current status and tabs, read by
/// [`case_for_filing`]). The ID管理 tab takes the notification's patient items; the status record starts (or
/// goes on) with 検査結果報告, or 死亡 for a body.
#[allow(clippy::too_many_arguments)]
pub(super) fn filing_statements(
    db: &D1Database,
    existing: Option<(Option<CaseStatus>, Map<String, Value>)>,
    id: &str,
    notification: &Notification,
    institution_id: &str,
    health_center_id: &str,
    pref_code: &str,
    user: &str,
    now: i64,
) -> ApiResult<Vec<D1PreparedStatement>> {
    let Notification::R20211129(form) = notification;
    let status = status_on_filing(notification);
    let date = form
        .diagnosis_date
        .or(form.death_date.filter(|_| status == CaseStatus::Died))
        .unwrap_or_else(|| today_jst(now))
        .to_string();
    let (current, mut all) = existing.clone().unwrap_or_default();
    let id_tab = id_from_notification(all.get("id"), notification);
    all.insert("id".into(), id_tab.clone());
    let (set, mut binds) = notification_set(notification, &id_tab);
    // ?1 id, ?2 now, ?3..?15 notification_set, then:
    binds.insert(0, f(now));
    binds.insert(0, id.into());
    binds.push(Value::Object(all).to_string().into()); // ?16
    binds.push(health_center_id.into()); // ?17
    binds.push(user.into()); // ?18
    binds.push(status.as_str().into()); // ?19
    let mut statements = Vec::new();
    if existing.is_some() {
        statements.push(
            db.prepare(format!(
                "UPDATE cases SET {set}, tabs = ?16, health_center_id = ?17, filed = 1, filed_at = ?2, \
                 status = CASE WHEN ?20 THEN ?19 ELSE status END, version = version + 1, updated_at = ?2, \
                 updated_by_user_id = ?18 WHERE id = ?1 AND filed = 0"
            ))
            .bind(&{
                let mut b = binds.clone();
                b.push(f(i64::from(CaseStatus::may_follow(current, status))));
                b
            })?,
        );
        statements.push(
            db.prepare(
                "INSERT INTO case_versions (case_id, version, part, what, at, by_user_id) \
                 SELECT id, version, 'file', '発生届を提出', ?2, ?3 FROM cases WHERE id = ?1 AND filed_at = ?2",
            )
            .bind(&[id.into(), f(now), user.into()])?,
        );
        if !CaseStatus::may_follow(current, status) {
            return Ok(statements);
        }
    } else {
        let mut b = binds.clone();
        b.push(smartphone_id(random_bytes::<8>()?).into()); // ?20
        b.push(institution_id.into()); // ?21
        b.push(pref_code.into()); // ?22
        statements.push(
            db.prepare(
                "INSERT INTO cases (id, filed_at, name, name_key, furigana, furigana_key, date_of_birth, sex, \
                 phone_digits, phone2_digits, hc_own_id, category, diagnosed_on, onset_on, residence, tabs, \
                 health_center_id, created_by_user_id, status, smartphone_id, institution_id, pref_code, filed, \
                 created_at, updated_at, updated_by_user_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, \
                 ?21, ?22, 1, ?2, ?2, ?18)",
            )
            .bind(&b)?,
        );
        statements.push(
            db.prepare(
                "INSERT INTO case_versions (case_id, version, part, what, at, by_user_id) \
                 VALUES (?1, 1, 'file', '発生届を提出', ?2, ?3)",
            )
            .bind(&[id.into(), f(now), user.into()])?,
        );
    }
    statements.push(
        db.prepare(
            "INSERT INTO case_status (case_id, status, date, at, by_user_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&[id.into(), status.as_str().into(), date.into(), f(now), user.into()])?,
    );
    Ok(statements)
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
