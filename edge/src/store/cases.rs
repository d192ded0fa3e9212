//! Patient records (登録情報): `cases`, their change history `case_versions` and status record `case_status`.

use serde::Deserialize;
use serde_json::{Map, Value};
use shared::api::cases::ChangeEntry;
use shared::case::status::CaseStatus;
use shared::case::{furigana_key, name_key, phone_digits, smartphone_id};
use shared::kana::normalize_furigana;
use shared::notification::municipality::{self, MunicipalityCode};
use shared::notification::Notification;
use shared::time::today_jst;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use super::audit::{self, Event};
use super::{changes, f, opt};
use crate::crypto::random_bytes;
use crate::error::ApiResult;

/// A record as the record page, the access rule and the writes read it.
#[derive(Deserialize)]
pub struct CaseRow {
    pub id: String,
    pub smartphone_id: String,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub health_center_id: String,
    pub health_center_name: String,
    pub health_center_phone: String,
    pub pref_code: String,
    pub name: String,
    pub furigana: String,
    pub date_of_birth: String,
    pub sex: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub residence: String,
    pub filed_at: i64,
    pub filed: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub updated_by_name: String,
    pub version: i64,
    pub tabs: String,
    pub deleted_at: Option<i64>,
}

pub async fn row(db: &D1Database, id: &str) -> ApiResult<Option<CaseRow>> {
    Ok(db
        .prepare(
            "SELECT c.id, c.smartphone_id, c.institution_id, i.name AS institution_name, c.health_center_id, \
             h.name AS health_center_name, h.phone AS health_center_phone, c.pref_code, c.name, c.furigana, \
             c.date_of_birth, c.sex, c.category, c.status, c.residence, c.filed_at, c.filed, c.created_at, c.updated_at, \
             u.display_name AS updated_by_name, c.version, c.tabs, c.deleted_at \
             FROM cases c JOIN health_centers h ON h.id = c.health_center_id \
             LEFT JOIN institutions i ON i.id = c.institution_id JOIN users u ON u.id = c.updated_by_user_id \
             WHERE c.id = ?1",
        )
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

pub fn parse_tabs(text: &str) -> Map<String, Value> {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
}

/// The search columns that follow from the ID管理 tab.
pub struct IdColumns {
    pub name: String,
    pub furigana: String,
    pub date_of_birth: String,
    pub sex: Option<String>,
    pub phone: String,
    pub phone2: String,
    pub hc_own_id: String,
}

pub fn id_columns(id_tab: &Value) -> IdColumns {
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

impl IdColumns {
    /// The columns as (column, value), the keys derived here.
    fn values(&self) -> Vec<(&'static str, JsValue)> {
        vec![
            ("name", self.name.as_str().into()),
            ("name_key", name_key(&self.name).into()),
            ("furigana", self.furigana.as_str().into()),
            ("furigana_key", furigana_key(&self.furigana).into()),
            ("date_of_birth", self.date_of_birth.as_str().into()),
            ("sex", opt(self.sex.as_deref())),
            ("phone_digits", self.phone.as_str().into()),
            ("phone2_digits", self.phone2.as_str().into()),
            ("hc_own_id", self.hc_own_id.as_str().into()),
        ]
    }
}

/// The ID管理 fields a notification fills (the rest of the tab is kept).
pub fn id_from_notification(existing: Option<&Value>, n: &Notification) -> Value {
    let form = n.form();
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
pub fn residence_of(n: &Notification) -> String {
    let form = n.form();
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
pub fn status_on_filing(n: &Notification) -> CaseStatus {
    let form = n.form();
    if form.category.is_some_and(|c| c.is_body()) {
        CaseStatus::Died
    } else {
        CaseStatus::ResultReported
    }
}

/// The list columns a filed notification sets on its record (beyond the ID columns).
pub struct FiledColumns {
    pub category: Option<String>,
    pub diagnosed_on: Option<String>,
    pub onset_on: Option<String>,
    pub residence: String,
}

pub fn filed_columns(n: &Notification) -> FiledColumns {
    let form = n.form();
    FiledColumns {
        category: form
            .category
            .and_then(|c| serde_json::to_value(c).ok())
            .and_then(|v| v.as_str().map(str::to_owned)),
        diagnosed_on: form.diagnosis_date.map(|d| d.to_string()),
        onset_on: form.onset_date.map(|d| d.to_string()),
        residence: residence_of(n),
    }
}

impl FiledColumns {
    fn values(&self) -> Vec<(&'static str, JsValue)> {
        vec![
            ("category", opt(self.category.as_deref())),
            ("diagnosed_on", opt(self.diagnosed_on.as_deref())),
            ("onset_on", opt(self.onset_on.as_deref())),
            ("residence", self.residence.as_str().into()),
        ]
    }
}

/// `col = ?n, …` for `values`, numbered from `first`; the values are appended to `binds` in that order.
fn assignments(
    values: Vec<(&'static str, JsValue)>,
    first: usize,
    binds: &mut Vec<JsValue>,
) -> String {
    values
        .into_iter()
        .enumerate()
        .map(|(i, (column, value))| {
            binds.push(value);
            format!("{column} = ?{}", first + i)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `INSERT INTO {table} (cols) VALUES (?1, …)`: the statement numbers its own parameters.
fn insert(
    db: &D1Database,
    table: &str,
    values: Vec<(&'static str, JsValue)>,
) -> ApiResult<D1PreparedStatement> {
    let columns: Vec<&str> = values.iter().map(|(c, _)| *c).collect();
    let params: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
    let binds: Vec<JsValue> = values.into_iter().map(|(_, v)| v).collect();
    Ok(db
        .prepare(format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            params.join(", ")
        ))
        .bind(&binds)?)
}

// ---------------------------------------------------------------------------------------------------------------
// New records

/// A new patient record: registered before a notification (`filed: None`), created by a filing (`filed: Some`), or
/// by a drive-through sync (`status: Some("specimen_collected")`).
pub struct NewCase<'a> {
    /// The record's number across shards (its routing entry's), `None` where the database numbers it (one database).
    pub seq: Option<i64>,
    pub id: &'a str,
    pub smartphone_id: &'a str,
    /// The clinic that made it; `None` for a record a health center or the follow-up center made (a confirmed
    /// self-registration).
    pub institution_id: Option<&'a str>,
    pub health_center_id: &'a str,
    pub pref_code: &'a str,
    pub columns: &'a IdColumns,
    /// A filed record: `filed = 1` and the notification's list columns.
    pub filed: Option<&'a FiledColumns>,
    pub status: Option<&'a str>,
    /// The creating client's idempotency key.
    pub create_key: Option<&'a str>,
    pub tabs: &'a str,
    pub user: &'a str,
    pub now: i64,
}

/// The one INSERT of a `cases` row.
pub fn insert_case(db: &D1Database, c: &NewCase) -> ApiResult<D1PreparedStatement> {
    let mut values: Vec<(&'static str, JsValue)> = vec![
        ("id", c.id.into()),
        ("smartphone_id", c.smartphone_id.into()),
        ("institution_id", opt(c.institution_id)),
        ("health_center_id", c.health_center_id.into()),
        ("pref_code", c.pref_code.into()),
    ];
    values.extend(c.columns.values());
    if let Some(filed) = c.filed {
        values.extend(filed.values());
    }
    values.extend([
        ("status", opt(c.status)),
        ("filed", f(i64::from(c.filed.is_some()))),
        ("filed_at", f(c.now)),
        ("created_at", f(c.now)),
        ("created_by_user_id", c.user.into()),
        ("create_key", opt(c.create_key)),
        ("updated_at", f(c.now)),
        ("updated_by_user_id", c.user.into()),
        ("tabs", c.tabs.into()),
    ]);
    if let Some(seq) = c.seq {
        values.push(("seq", f(seq)));
    }
    insert(db, "cases", values)
}

/// The id of the record a user created with an idempotency key.
pub async fn created_with_key(db: &D1Database, user: &str, key: &str) -> ApiResult<Option<String>> {
    #[derive(Deserialize)]
    struct Existing {
        id: String,
    }
    let row: Option<Existing> = db
        .prepare("SELECT id FROM cases WHERE created_by_user_id = ?1 AND create_key = ?2")
        .bind(&[user.into(), key.into()])?
        .first(None)
        .await?;
    Ok(row.map(|r| r.id))
}

// ---------------------------------------------------------------------------------------------------------------
// History and status record

/// Which record state a history line belongs to.
#[derive(Clone, Copy)]
pub enum Base {
    /// A new record (version 1).
    New,
    /// The next version of a live record still at `version`.
    Live(i64),
    /// The next version of a deleted record still at `version` (its restore).
    Deleted(i64),
    /// The version a filing's UPDATE produced, if it did (the record's `filed_at` is this line's `at`).
    Filed,
}

/// A line of the change history (`case_versions`).
pub struct VersionEntry<'a> {
    pub case_id: &'a str,
    pub part: &'a str,
    pub what: &'a str,
    pub previous: Option<&'a str>,
    pub at: i64,
    pub by: &'a str,
}

/// The one INSERT of a history line.
pub fn version_entry(
    db: &D1Database,
    e: &VersionEntry,
    base: Base,
) -> ApiResult<D1PreparedStatement> {
    const INTO: &str =
        "INSERT INTO case_versions (case_id, version, part, what, previous, at, by_user_id)";
    let mut binds: Vec<JsValue> = vec![
        e.case_id.into(),
        e.part.into(),
        e.what.into(),
        opt(e.previous),
        f(e.at),
        e.by.into(),
    ];
    let sql = match base {
        Base::New => format!("{INTO} VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6)"),
        Base::Live(version) | Base::Deleted(version) => {
            binds.push(f(version));
            let deleted = if matches!(base, Base::Live(_)) {
                "IS NULL"
            } else {
                "IS NOT NULL"
            };
            format!(
                "{INTO} SELECT id, version + 1, ?2, ?3, ?4, ?5, ?6 FROM cases WHERE id = ?1 AND version = ?7 \
                 AND deleted_at {deleted}"
            )
        }
        Base::Filed => format!(
            "{INTO} SELECT id, version, ?2, ?3, ?4, ?5, ?6 FROM cases WHERE id = ?1 AND filed_at = ?5"
        ),
    };
    Ok(db.prepare(sql).bind(&binds)?)
}

/// An entry of the status record (`case_status`).
pub struct NewStatus<'a> {
    pub case_id: &'a str,
    pub status: &'a str,
    pub date: &'a str,
    pub place: Option<&'a str>,
    pub severity: Option<&'a str>,
    pub comment: &'a str,
    pub at: i64,
    pub by: &'a str,
}

impl<'a> NewStatus<'a> {
    /// An entry with no place, severity or comment.
    pub fn plain(case_id: &'a str, status: &'a str, date: &'a str, at: i64, by: &'a str) -> Self {
        Self {
            case_id,
            status,
            date,
            place: None,
            severity: None,
            comment: "",
            at,
            by,
        }
    }
}

/// The one INSERT of a status entry; with `guard`, only once that versioned write has taken effect.
pub fn status_entry(
    db: &D1Database,
    s: &NewStatus,
    guard: Option<&Written>,
) -> ApiResult<D1PreparedStatement> {
    let mut binds: Vec<JsValue> = vec![
        s.case_id.into(),
        s.status.into(),
        s.date.into(),
        opt(s.place),
        opt(s.severity),
        s.comment.into(),
        f(s.at),
        s.by.into(),
    ];
    const INTO: &str =
        "INSERT INTO case_status (case_id, status, date, place, severity, comment, at, by_user_id)";
    let sql = match guard {
        None => format!("{INTO} VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        Some(w) => {
            let (cond, more) = w.guard(9);
            binds.extend(more);
            format!("{INTO} SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE {cond}")
        }
    };
    Ok(db.prepare(sql).bind(&binds)?)
}

/// The record's status set to `status` if it has none yet, once the versioned write `w` has taken effect.
pub fn start_status(db: &D1Database, w: &Written, status: &str) -> ApiResult<D1PreparedStatement> {
    let (cond, more) = w.guard(3);
    let mut binds: Vec<JsValue> = vec![w.case_id.into(), status.into()];
    binds.extend(more);
    Ok(db
        .prepare(format!(
            "UPDATE cases SET status = ?2 WHERE id = ?1 AND status IS NULL AND {cond}"
        ))
        .bind(&binds)?)
}

/// Withdraws the (not yet withdrawn) status entry `seq`, once the versioned write `w` has taken effect.
pub fn withdraw_status_entry(
    db: &D1Database,
    w: &Written,
    seq: i64,
) -> ApiResult<D1PreparedStatement> {
    let (cond, more) = w.guard(5);
    let mut binds: Vec<JsValue> = vec![w.case_id.into(), f(seq), w.by.into(), f(w.at)];
    binds.extend(more);
    Ok(db
        .prepare(format!(
            "UPDATE case_status SET withdrawn_at = ?4, withdrawn_by_user_id = ?3 \
             WHERE seq = ?2 AND case_id = ?1 AND withdrawn_at IS NULL AND {cond}"
        ))
        .bind(&binds)?)
}

/// A status entry as stored, with the recorder's name.
#[derive(Deserialize)]
pub struct StatusRow {
    pub seq: i64,
    pub status: String,
    pub date: String,
    pub place: Option<String>,
    pub severity: Option<String>,
    pub comment: String,
    pub by_name: String,
    pub at: i64,
    pub withdrawn_at: Option<i64>,
}

/// The status record of a record, in order.
pub async fn status_rows(db: &D1Database, id: &str) -> ApiResult<Vec<StatusRow>> {
    Ok(db
        .prepare(
            "SELECT s.seq, s.status, s.date, s.place, s.severity, s.comment, u.display_name AS by_name, s.at, \
             s.withdrawn_at FROM case_status s JOIN users u ON u.id = s.by_user_id WHERE s.case_id = ?1 \
             ORDER BY s.seq",
        )
        .bind(&[id.into()])?
        .all()
        .await?
        .results()?)
}

/// The history lines after `after_version`, in order.
pub async fn changes_since(
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

/// What a transfer of the record `?1` to the health center `?3` does to the record, in the transfer's batch: it
/// moves to that health center and its prefecture. `guard` is an SQL condition over `?1` (record id) and `?2` (the
/// transfer's stamp) that holds only once the transfer itself took effect.
pub fn follow_transfer(
    db: &D1Database,
    case_id: &str,
    stamp: &str,
    to_health_center_id: &str,
    guard: &str,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(format!(
            "UPDATE cases SET health_center_id = ?3, \
             pref_code = (SELECT pref_code FROM health_centers WHERE id = ?3) WHERE id = ?1 AND {guard}"
        ))
        .bind(&[case_id.into(), stamp.into(), to_health_center_id.into()])?)
}

// ---------------------------------------------------------------------------------------------------------------
// Dashboard figures

/// An area's records for the dashboard: filed live records by 確定日 (or filing day) among the filings since
/// `from_ms`, and live records by status (`None`: no status yet).
pub struct Figures {
    pub days: Vec<(String, i64)>,
    pub statuses: Vec<(Option<String>, i64)>,
}

pub async fn figures(
    db: &D1Database,
    area: &shared::auth::access::DashboardArea,
    from_ms: i64,
) -> ApiResult<Figures> {
    use shared::auth::access::DashboardArea;
    let (case_scope, key) = match area {
        DashboardArea::HealthCenter(h) => ("c.health_center_id = ?1", JsValue::from_str(h)),
        DashboardArea::Prefecture(p) => ("c.pref_code = ?1", JsValue::from_str(p)),
        DashboardArea::Nation => ("?1 IS NULL", JsValue::NULL),
    };
    #[derive(Deserialize)]
    struct Day {
        d: String,
        n: i64,
    }
    // Filing time bounds the scan (the index on the area and filed_at); 確定日 places the case on the curve.
    let days: Vec<Day> = db
        .prepare(format!(
            "SELECT COALESCE(c.diagnosed_on, date((c.filed_at + 32400000) / 1000, 'unixepoch')) AS d, COUNT(*) AS n \
             FROM cases c WHERE {case_scope} AND c.deleted_at IS NULL AND c.filed = 1 AND c.filed_at >= ?2 \
             GROUP BY d"
        ))
        .bind(&[key.clone(), f(from_ms)])?
        .all()
        .await?
        .results()?;
    #[derive(Deserialize)]
    struct St {
        status: Option<String>,
        n: i64,
    }
    let statuses: Vec<St> = db
        .prepare(format!(
            "SELECT c.status, COUNT(*) AS n FROM cases c WHERE {case_scope} AND c.deleted_at IS NULL GROUP BY c.status"
        ))
        .bind(std::slice::from_ref(&key))?
        .all()
        .await?
        .results()?;
    Ok(Figures {
        days: days.into_iter().map(|d| (d.d, d.n)).collect(),
        statuses: statuses.into_iter().map(|s| (s.status, s.n)).collect(),
    })
}

// ---------------------------------------------------------------------------------------------------------------
// The versioned write

/// A versioned write that has taken effect: the history line it wrote (the record, the version it produced, when and
/// by whom). Statements that belong to the write are guarded by it, so a write that lost a race writes nothing.
#[derive(Clone, Copy)]
pub struct Written<'a> {
    pub case_id: &'a str,
    pub version: i64,
    pub at: i64,
    pub by: &'a str,
}

impl Written<'_> {
    /// The guard as SQL over parameters `?first`…`?first+3`, and their values (in that order) for the caller's
    /// statement to bind after its own.
    pub fn guard(&self, first: usize) -> (String, Vec<JsValue>) {
        (
            format!(
                "EXISTS (SELECT 1 FROM case_versions WHERE case_id = ?{} AND version = ?{} AND at = ?{} \
                 AND by_user_id = ?{})",
                first,
                first + 1,
                first + 2,
                first + 3
            ),
            vec![self.case_id.into(), f(self.version), f(self.at), self.by.into()],
        )
    }
}

/// What a versioned write changes on the record.
pub enum Change<'a> {
    /// A tab: the new tabs JSON, and for ID管理 (or a drive-through record) the search columns that follow.
    Tabs {
        tabs: &'a str,
        id: Option<&'a IdColumns>,
    },
    /// The notification's edit: its ID and list columns and the new tabs JSON.
    Notification {
        tabs: &'a str,
        id: &'a IdColumns,
        filed: &'a FiledColumns,
    },
    /// The current status (`None`: no status).
    Status(Option<&'a str>),
    /// Removed from the lists (recoverable).
    Delete,
}

impl Change<'_> {
    fn values(&self, user: &str, now: i64) -> Vec<(&'static str, JsValue)> {
        match self {
            Change::Tabs { tabs, id } => {
                let mut v = id.map(IdColumns::values).unwrap_or_default();
                v.push(("tabs", (*tabs).into()));
                v
            }
            Change::Notification { tabs, id, filed } => {
                let mut v = id.values();
                v.extend(filed.values());
                v.push(("tabs", (*tabs).into()));
                v
            }
            Change::Status(status) => vec![("status", opt(*status))],
            Change::Delete => vec![("deleted_at", f(now)), ("deleted_by_user_id", user.into())],
        }
    }
}

/// One versioned write: the history line and the UPDATE, both only if the record is still at `version` and not
/// deleted; then `then` (statements guarded by [`VersionedWrite::written`]), and the audit entry, guarded the same
/// way.
pub struct VersionedWrite<'a> {
    pub id: &'a str,
    /// The version the write is based on.
    pub version: i64,
    pub part: &'a str,
    pub what: &'a str,
    pub previous: Option<&'a str>,
    pub change: Change<'a>,
    pub then: Vec<D1PreparedStatement>,
    pub event: Event,
    pub user: &'a str,
    pub now: i64,
}

/// Position of the record's UPDATE in [`versioned_statements`]: it changed one row iff the write took effect.
pub const DECISIVE: usize = 1;

impl<'a> VersionedWrite<'a> {
    /// The guard of the statements that belong to this write.
    pub fn written(&self) -> Written<'a> {
        Written {
            case_id: self.id,
            version: self.version + 1,
            at: self.now,
            by: self.user,
        }
    }
}

/// The statements of a versioned write, for a caller that batches them with others (see [`DECISIVE`]).
pub fn versioned_statements(
    db: &D1Database,
    w: VersionedWrite,
) -> ApiResult<Vec<D1PreparedStatement>> {
    let written = w.written();
    let mut statements = vec![version_entry(
        db,
        &VersionEntry {
            case_id: w.id,
            part: w.part,
            what: w.what,
            previous: w.previous,
            at: w.now,
            by: w.user,
        },
        Base::Live(w.version),
    )?];
    let mut binds: Vec<JsValue> = vec![w.id.into(), f(w.version), f(w.now), w.user.into()];
    let set = assignments(w.change.values(w.user, w.now), 5, &mut binds);
    statements.push(
        db.prepare(format!(
            "UPDATE cases SET {set}, version = version + 1, updated_at = ?3, updated_by_user_id = ?4 \
             WHERE id = ?1 AND version = ?2 AND deleted_at IS NULL"
        ))
        .bind(&binds)?,
    );
    statements.extend(w.then);
    let (cond, guard_binds) = written.guard(10);
    statements.push(audit::batch_entry_if(
        db,
        &w.event,
        w.now,
        &cond,
        &guard_binds,
    )?);
    Ok(statements)
}

/// Runs a versioned write; answers whether it took effect.
pub async fn versioned_write(db: &D1Database, w: VersionedWrite<'_>) -> ApiResult<bool> {
    let results = db.batch(versioned_statements(db, w)?).await?;
    Ok(results.get(DECISIVE).map(changes) == Some(1))
}

/// Restores a deleted record still at `version` (history line, UPDATE and the audit entry in one batch); answers
/// whether it took effect.
pub async fn restore(
    db: &D1Database,
    id: &str,
    version: i64,
    user: &str,
    now: i64,
    event: &Event,
) -> ApiResult<bool> {
    let statements = vec![
        version_entry(
            db,
            &VersionEntry {
                case_id: id,
                part: "restore",
                what: "復元",
                previous: None,
                at: now,
                by: user,
            },
            Base::Deleted(version),
        )?,
        db.prepare(
            "UPDATE cases SET deleted_at = NULL, deleted_by_user_id = NULL, version = version + 1, \
             updated_at = ?3, updated_by_user_id = ?4 WHERE id = ?1 AND version = ?2 AND deleted_at IS NOT NULL",
        )
        .bind(&[id.into(), f(version), f(now), user.into()])?,
        audit::batch_entry(db, event, now)?,
    ];
    let results = db.batch(statements).await?;
    Ok(results.get(1).map(changes) == Some(1))
}

// ---------------------------------------------------------------------------------------------------------------
// Filing

/// What a filing writes to the patient record, in the filing's batch: a new record (its id the notification's), or
/// the pre-notification record it completes (`existing`: its current status and tabs, read by
/// [`case_for_filing`]). The ID管理 tab takes the notification's patient items; the status record starts (or
/// goes on) with 検査結果報告, or 死亡 for a body.
#[allow(clippy::too_many_arguments)]
pub fn filing_statements(
    db: &D1Database,
    existing: Option<(Option<CaseStatus>, Map<String, Value>)>,
    id: &str,
    notification: &Notification,
    institution_id: &str,
    health_center_id: &str,
    pref_code: &str,
    user: &str,
    now: i64,
    seq: Option<i64>,
) -> ApiResult<Vec<D1PreparedStatement>> {
    let form = notification.form();
    let status = status_on_filing(notification);
    let date = form
        .diagnosis_date
        .or(form.death_date.filter(|_| status == CaseStatus::Died))
        .unwrap_or_else(|| today_jst(now))
        .to_string();
    let (current, mut all) = existing.clone().unwrap_or_default();
    let id_tab = id_from_notification(all.get("id"), notification);
    all.insert("id".into(), id_tab.clone());
    let columns = id_columns(&id_tab);
    let filed = filed_columns(notification);
    let tabs = Value::Object(all).to_string();
    let line = VersionEntry {
        case_id: id,
        part: "file",
        what: "発生届を提出",
        previous: None,
        at: now,
        by: user,
    };
    let mut statements = Vec::new();
    if existing.is_some() {
        let follows = CaseStatus::may_follow(current, status);
        let mut binds: Vec<JsValue> = vec![
            id.into(),
            f(now),
            user.into(),
            health_center_id.into(),
            tabs.as_str().into(),
            status.as_str().into(),
            f(i64::from(follows)),
        ];
        let mut values = columns.values();
        values.extend(filed.values());
        let set = assignments(values, 8, &mut binds);
        statements.push(
            db.prepare(format!(
                "UPDATE cases SET {set}, tabs = ?5, health_center_id = ?4, filed = 1, filed_at = ?2, \
                 status = CASE WHEN ?7 THEN ?6 ELSE status END, version = version + 1, updated_at = ?2, \
                 updated_by_user_id = ?3 WHERE id = ?1 AND filed = 0"
            ))
            .bind(&binds)?,
        );
        statements.push(version_entry(db, &line, Base::Filed)?);
        if !follows {
            return Ok(statements);
        }
    } else {
        let phone_id = smartphone_id(random_bytes::<8>()?);
        statements.push(insert_case(
            db,
            &NewCase {
                seq,
                id,
                smartphone_id: &phone_id,
                institution_id: Some(institution_id),
                health_center_id,
                pref_code,
                columns: &columns,
                filed: Some(&filed),
                status: Some(status.as_str()),
                create_key: None,
                tabs: &tabs,
                user,
                now,
            },
        )?);
        statements.push(version_entry(db, &line, Base::New)?);
    }
    statements.push(status_entry(
        db,
        &NewStatus::plain(id, status.as_str(), &date, now, user),
        None,
    )?);
    Ok(statements)
}
