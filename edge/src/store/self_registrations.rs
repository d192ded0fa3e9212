//! Self-registrations of positives (`self_registrations`, issue 21): the anonymous page's insert (stored once per
//! client key, and once per person while a registration of theirs is pending or confirmed), the review queue, and
//! the decision taken once (a conditional UPDATE). Reads join `cases` (the same person's live record) and `users`.

use serde::Deserialize;
use shared::api::self_registration::SelfRegistration;
use shared::auth::ReviewArea;
use shared::case::{furigana_key, phone_digits};
use worker::{D1Database, D1PreparedStatement};

use super::f;
use crate::error::ApiResult;

/// A registration about to be stored (already checked and normalised).
pub struct NewRegistration<'a> {
    pub id: &'a str,
    pub receipt: &'a str,
    pub dedupe_key: &'a str,
    pub pref_code: &'a str,
    pub health_center_id: &'a str,
    pub body: &'a SelfRegistration,
    pub timeline_version: &'a str,
    pub now: i64,
}

/// The one INSERT: nothing when the client key was used already (a resend) or when the same person has a pending
/// or confirmed registration (the dedupe key); the caller then looks up which ([`by_client_key`], [`live_by_person`]).
/// One statement, so concurrent resends cannot both pass the check.
pub fn insert(db: &D1Database, r: &NewRegistration) -> ApiResult<D1PreparedStatement> {
    let b = r.body;
    Ok(db
        .prepare(
            "INSERT INTO self_registrations (id, receipt, client_key, dedupe_key, pref_code, health_center_id, \
             municipality_code, name, furigana, date_of_birth, sex, phone, postal_code, address, result_kind, \
             result_date, clinic_name, timeline_version, consent_version, registered_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20 \
             WHERE NOT EXISTS (SELECT 1 FROM self_registrations WHERE dedupe_key = ?4 \
                               AND status IN ('pending', 'confirmed')) \
             ON CONFLICT(client_key) DO NOTHING",
        )
        .bind(&[
            r.id.into(),
            r.receipt.into(),
            b.client_key.as_str().into(),
            r.dedupe_key.into(),
            r.pref_code.into(),
            r.health_center_id.into(),
            b.municipality_code.as_str().into(),
            b.name.as_str().into(),
            b.furigana.as_str().into(),
            b.date_of_birth.as_str().into(),
            b.sex.as_str().into(),
            b.phone.as_str().into(),
            b.postal_code.as_str().into(),
            b.address.as_str().into(),
            b.result_kind.as_str().into(),
            b.result_date.as_str().into(),
            b.clinic_name.as_str().into(),
            r.timeline_version.into(),
            b.consent_version.as_str().into(),
            f(r.now),
        ])?)
}

/// The guard of the audit entry written in the insert's batch: the row is there with this id.
pub const INSERTED_GUARD: &str = "EXISTS (SELECT 1 FROM self_registrations WHERE id = ?10)";

#[derive(Deserialize)]
pub struct Stored {
    pub id: String,
    pub receipt: String,
    pub health_center_id: String,
}

/// The registration stored under a client key.
pub async fn by_client_key(db: &D1Database, key: &str) -> ApiResult<Option<Stored>> {
    Ok(db
        .prepare(
            "SELECT id, receipt, health_center_id FROM self_registrations WHERE client_key = ?1",
        )
        .bind(&[key.into()])?
        .first(None)
        .await?)
}

/// The first pending or confirmed registration of the same person (dedupe key).
pub async fn live_by_person(db: &D1Database, dedupe_key: &str) -> ApiResult<Option<Stored>> {
    Ok(db
        .prepare(
            "SELECT id, receipt, health_center_id FROM self_registrations \
             WHERE dedupe_key = ?1 AND status IN ('pending', 'confirmed') ORDER BY seq LIMIT 1",
        )
        .bind(&[dedupe_key.into()])?
        .first(None)
        .await?)
}

/// A registration as the queue and the detail view read it.
#[derive(Deserialize, Clone)]
pub struct Row {
    pub id: String,
    pub receipt: String,
    pub status: String,
    pub pref_code: String,
    pub health_center_id: String,
    pub health_center_name: String,
    pub municipality_code: String,
    pub name: String,
    pub furigana: String,
    pub date_of_birth: String,
    pub sex: String,
    pub phone: String,
    pub postal_code: String,
    pub address: String,
    pub result_kind: String,
    pub result_date: String,
    pub clinic_name: String,
    pub consent_version: String,
    pub registered_at: i64,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
    pub reject_reason: String,
    pub case_id: Option<String>,
}

const SELECT: &str = "SELECT s.id, s.receipt, s.status, s.pref_code, s.health_center_id, \
     h.name AS health_center_name, s.municipality_code, s.name, s.furigana, s.date_of_birth, s.sex, s.phone, \
     s.postal_code, s.address, s.result_kind, s.result_date, s.clinic_name, s.consent_version, s.registered_at, \
     u.display_name AS decided_by_name, s.decided_at, s.reject_reason, s.case_id \
     FROM self_registrations s JOIN health_centers h ON h.id = s.health_center_id \
     LEFT JOIN users u ON u.id = s.decided_by";

/// The most rows a queue answers with.
pub const LIST_MAX: i64 = 200;

/// The review queue of an area: pending first (oldest first, the order they came in), then decided ones (newest
/// first); `status` narrows it to one state.
pub async fn list(db: &D1Database, area: &ReviewArea, status: Option<&str>) -> ApiResult<Vec<Row>> {
    let (column, value) = match area {
        ReviewArea::HealthCenter(h) => ("s.health_center_id", h.as_str()),
        ReviewArea::Prefecture(p) => ("s.pref_code", p.as_str()),
    };
    let sql = format!(
        "{SELECT} WHERE {column} = ?1 AND (?2 = '' OR s.status = ?2) \
         ORDER BY s.status <> 'pending', CASE WHEN s.status = 'pending' THEN s.registered_at ELSE -s.registered_at END \
         LIMIT {LIST_MAX}"
    );
    let rows = db
        .prepare(sql)
        .bind(&[value.into(), status.unwrap_or("").into()])?
        .all()
        .await?
        .results()?;
    Ok(rows)
}

pub async fn get(db: &D1Database, id: &str) -> ApiResult<Option<Row>> {
    Ok(db
        .prepare(format!("{SELECT} WHERE s.id = ?1"))
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// A live record of the same person in the prefecture (furigana key, birth date, one of its phones), oldest first:
/// a confirmation links to it instead of making a second record (a clinic may have notified them).
pub async fn same_person_case(db: &D1Database, r: &Row) -> ApiResult<Option<String>> {
    #[derive(Deserialize)]
    struct Found {
        id: String,
    }
    let phone = phone_digits(&r.phone);
    let found: Option<Found> = db
        .prepare(
            "SELECT id FROM cases WHERE pref_code = ?1 AND furigana_key = ?2 AND date_of_birth = ?3 \
             AND (phone_digits = ?4 OR phone2_digits = ?4) AND deleted_at IS NULL ORDER BY seq LIMIT 1",
        )
        .bind(&[
            r.pref_code.as_str().into(),
            furigana_key(&r.furigana).into(),
            r.date_of_birth.as_str().into(),
            phone.into(),
        ])?
        .first(None)
        .await?;
    Ok(found.map(|f| f.id))
}

/// Decides a pending registration: `confirmed` with its record, or `rejected` with the reason. Changes nothing
/// when it was decided already (the caller reads [`crate::store::changes`] or, in a batch, [`decided_guard`]).
pub fn decide(
    db: &D1Database,
    id: &str,
    status: &str,
    user: &str,
    now: i64,
    reason: &str,
    case_id: Option<&str>,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "UPDATE self_registrations SET status = ?2, decided_by = ?3, decided_at = ?4, reject_reason = ?5, \
             case_id = ?6 WHERE id = ?1 AND status = 'pending'",
        )
        .bind(&[
            id.into(),
            status.into(),
            user.into(),
            f(now),
            reason.into(),
            super::opt(case_id),
        ])?)
}

/// The statement after [`decide`] in a confirmation's batch: it fails (and so rolls the whole batch back: no record,
/// no observation, no audit entry) unless that decision took effect — the registration is now confirmed by `user`
/// at `now` for `case_id`. A second confirmation, or one racing a rejection, so writes nothing.
pub fn decided_guard(
    db: &D1Database,
    id: &str,
    user: &str,
    now: i64,
    case_id: &str,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM self_registrations WHERE id = ?1 AND status = 'confirmed' \
             AND decided_by = ?2 AND decided_at = ?3 AND case_id = ?4) THEN 1 \
             ELSE json('registration already decided') END AS ok",
        )
        .bind(&[id.into(), user.into(), f(now), case_id.into()])?)
}

/// Whether `user` confirmed a registration that made the record `case_id` — made it, not linked it: the record was
/// created by that account — and the record is live in prefecture `pref` (the follow-up center's right to that
/// record's slip). Linking a registration to a record someone else made (a clinic's notified patient, say) gives
/// nothing: otherwise a registration typed with a stranger's furigana, birth date and phone would open their record.
pub async fn confirmed_by(
    db: &D1Database,
    case_id: &str,
    user: &str,
    pref: &str,
) -> ApiResult<bool> {
    #[derive(Deserialize)]
    struct One {
        #[allow(dead_code)]
        one: i64,
    }
    let row: Option<One> = db
        .prepare(
            "SELECT 1 AS one FROM self_registrations s JOIN cases c ON c.id = s.case_id \
             WHERE s.case_id = ?1 AND s.decided_by = ?2 AND s.status = 'confirmed' \
             AND c.created_by_user_id = ?2 AND c.deleted_at IS NULL AND c.pref_code = ?3 LIMIT 1",
        )
        .bind(&[case_id.into(), user.into(), pref.into()])?
        .first(None)
        .await?;
    Ok(row.is_some())
}
