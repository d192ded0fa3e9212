//! Institutions (clinics), health centers and clinics' doctor lists: `institutions`, `health_centers`, `doctors`.

use serde::Deserialize;
use shared::api::notifications::HealthCenterOption;
use shared::notification::municipality;
use worker::{D1Database, D1PreparedStatement};

use crate::error::ApiResult;

/// A health center by id (a transfer's target).
pub async fn health_center(db: &D1Database, id: &str) -> ApiResult<Option<HealthCenterOption>> {
    Ok(db
        .prepare("SELECT id, name FROM health_centers WHERE id = ?1")
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// Makes a health center from the reference table known to the store (a residence's health center becomes a
/// transfer target); nothing if it is known already.
pub fn ensure_health_center(
    db: &D1Database,
    id: &str,
    name: &str,
    pref_code: &str,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare("INSERT OR IGNORE INTO health_centers (id, name, pref_code, prefecture) VALUES (?1, ?2, ?3, ?4)")
        .bind(&[
            id.into(),
            name.into(),
            pref_code.into(),
            municipality::prefecture_name(pref_code.parse().unwrap_or(0))
                .unwrap_or("")
                .into(),
        ])?)
}

// ---- clinics' own data and administrators' institution list ------------------------------------------------------

/// The health centers of a prefecture (transfer targets), by id.
pub async fn health_centers_in(
    db: &D1Database,
    pref_code: &str,
) -> ApiResult<Vec<HealthCenterOption>> {
    Ok(db
        .prepare("SELECT id, name FROM health_centers WHERE pref_code = ?1 ORDER BY id")
        .bind(&[pref_code.into()])?
        .all()
        .await?
        .results()?)
}

/// The prefecture of a health center (a clinic registers records only with its own prefecture's).
pub async fn health_center_pref(db: &D1Database, id: &str) -> ApiResult<Option<String>> {
    #[derive(Deserialize)]
    struct Hc {
        pref_code: String,
    }
    let hc: Option<Hc> = db
        .prepare("SELECT pref_code FROM health_centers WHERE id = ?1")
        .bind(&[id.into()])?
        .first(None)
        .await?;
    Ok(hc.map(|h| h.pref_code))
}

/// A clinic's header data (届出者) as the notification form shows it.
#[derive(serde::Deserialize)]
pub struct Header {
    pub name: String,
    pub address: String,
    pub phone: String,
}

pub async fn header(db: &D1Database, institution_id: &str) -> ApiResult<Option<Header>> {
    Ok(db
        .prepare(
            "SELECT i.name, i.address, i.phone FROM institutions i \
             JOIN health_centers h ON h.id = i.health_center_id WHERE i.id = ?1",
        )
        .bind(&[institution_id.into()])?
        .first(None)
        .await?)
}

/// The clinic's doctors not removed, oldest first.
pub async fn doctors(
    db: &D1Database,
    institution_id: &str,
) -> ApiResult<Vec<shared::api::notifications::Doctor>> {
    Ok(db
        .prepare(
            "SELECT id, name FROM doctors WHERE institution_id = ?1 AND removed_at IS NULL ORDER BY created_at",
        )
        .bind(&[institution_id.into()])?
        .all()
        .await?
        .results()?)
}

pub async fn add_doctor(
    db: &D1Database,
    id: &str,
    institution_id: &str,
    name: &str,
    now: i64,
) -> ApiResult<()> {
    db.prepare(
        "INSERT INTO doctors (id, institution_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
    )
    .bind(&[id.into(), institution_id.into(), name.into(), super::f(now)])?
    .run()
    .await?;
    Ok(())
}

/// Hides a doctor of the clinic from its list (kept for the records that name them); false if the clinic has no
/// such doctor listed.
pub async fn remove_doctor(
    db: &D1Database,
    id: &str,
    institution_id: &str,
    now: i64,
) -> ApiResult<bool> {
    let result = db
        .prepare(
            "UPDATE doctors SET removed_at = ?3 WHERE id = ?1 AND institution_id = ?2 AND removed_at IS NULL",
        )
        .bind(&[id.into(), institution_id.into(), super::f(now)])?
        .run()
        .await?;
    Ok(super::changes(&result) > 0)
}

/// Where an institution lies: what a clinic account's area is built from.
#[derive(serde::Deserialize)]
pub struct Area {
    pub id: String,
    pub health_center_id: String,
    pub pref_code: String,
}

pub async fn area(db: &D1Database, id: &str) -> ApiResult<Option<Area>> {
    Ok(db
        .prepare("SELECT id, health_center_id, pref_code FROM institutions WHERE id = ?1")
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// The institutions of a health center's area, by name.
pub async fn in_area(
    db: &D1Database,
    health_center_id: &str,
) -> ApiResult<Vec<shared::api::admin::Institution>> {
    Ok(db
        .prepare(
            "SELECT id, name, address, phone FROM institutions \
             WHERE health_center_id = ?1 ORDER BY name",
        )
        .bind(&[health_center_id.into()])?
        .all()
        .await?
        .results()?)
}

/// A new institution in an area.
pub struct NewInstitution<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub health_center_id: &'a str,
    pub pref_code: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub created_at: i64,
}

pub async fn insert(db: &D1Database, i: &NewInstitution<'_>) -> ApiResult<()> {
    db.prepare(
        "INSERT INTO institutions (id, name, health_center_id, pref_code, address, phone, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(&[
        i.id.into(),
        i.name.into(),
        i.health_center_id.into(),
        i.pref_code.into(),
        i.address.into(),
        i.phone.into(),
        super::f(i.created_at),
    ])?
    .run()
    .await?;
    Ok(())
}
