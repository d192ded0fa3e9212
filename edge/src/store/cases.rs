//! Patient records (登録情報): `cases`, their change history `case_versions` and status record `case_status`.

use serde::Deserialize;
use serde_json::{Map, Value};
use shared::case::status::CaseStatus;
use shared::case::{furigana_key, name_key, phone_digits, smartphone_id};
use shared::kana::normalize_furigana;
use shared::notification::municipality::{self, MunicipalityCode};
use shared::notification::Notification;
use shared::time::today_jst;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use super::{f, opt};
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

/// The SET clause and binds (from ?3 on) for the ID columns.
pub fn id_set(cols: &IdColumns) -> (&'static str, Vec<JsValue>) {
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

/// The ID管理 fields a notification fills (the rest of the tab is kept).
pub fn id_from_notification(existing: Option<&Value>, n: &Notification) -> Value {
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
pub fn residence_of(n: &Notification) -> String {
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
pub fn status_on_filing(n: &Notification) -> CaseStatus {
    let Notification::R20211129(form) = n;
    if form.category.is_some_and(|c| c.is_body()) {
        CaseStatus::Died
    } else {
        CaseStatus::ResultReported
    }
}

/// The columns a notification sets on its record, as (SET clause from ?3, binds).
pub fn notification_set(n: &Notification, id_tab: &Value) -> (String, Vec<JsValue>) {
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
