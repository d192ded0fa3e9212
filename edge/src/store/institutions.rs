//! Institutions (clinics), health centers and clinics' doctor lists: `institutions`, `health_centers`, `doctors`;
//! and the health-center directory (issue 23): the centers' contact details and `municipality_assignments`, the
//! administrators' changes to the reference table's municipality → health center (routing reads them first, in
//! [`health_center_for`]). Every write of a `health_centers` row is made by [`write_health_center`].

use serde::Deserialize;
use shared::api::notifications::HealthCenterOption;
use shared::notification::municipality::{self, MunicipalityCode};
use worker::{D1Database, D1PreparedStatement};

use crate::error::ApiResult;

/// A health center as a transfer target: whether it gets notice e-mails and its phone (never the address itself).
#[derive(Deserialize)]
struct OptionRow {
    id: String,
    name: String,
    email: String,
    phone: String,
}

impl From<OptionRow> for HealthCenterOption {
    fn from(r: OptionRow) -> Self {
        HealthCenterOption {
            id: r.id,
            name: r.name,
            has_email: !r.email.trim().is_empty(),
            phone: r.phone,
        }
    }
}

/// A health center by id (a transfer's target).
pub async fn health_center(db: &D1Database, id: &str) -> ApiResult<Option<HealthCenterOption>> {
    let row: Option<OptionRow> = db
        .prepare("SELECT id, name, email, phone FROM health_centers WHERE id = ?1")
        .bind(&[id.into()])?
        .first(None)
        .await?;
    Ok(row.map(Into::into))
}

/// A write of a `health_centers` row: every one goes through [`write_health_center`].
pub enum CenterWrite<'a> {
    /// A health center of the reference table made known to the store (a residence's health center becomes a
    /// transfer target); nothing if it is known already.
    Ensure {
        id: &'a str,
        name: &'a str,
        pref_code: &'a str,
    },
    /// The directory's details of a center, inserted when the store does not hold it yet.
    Details(&'a CenterDetails<'a>),
}

/// A center's details as the directory writes them (already checked and normalised).
pub struct CenterDetails<'a> {
    pub id: &'a str,
    pub pref_code: &'a str,
    pub name: &'a str,
    pub postal_code: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub user_id: &'a str,
    pub now: i64,
}

fn prefecture_of(pref_code: &str) -> &'static str {
    municipality::prefecture_name(pref_code.parse().unwrap_or(0)).unwrap_or("")
}

/// The one statement that writes a `health_centers` row.
pub fn write_health_center(db: &D1Database, w: &CenterWrite<'_>) -> ApiResult<D1PreparedStatement> {
    Ok(match w {
        CenterWrite::Ensure { id, name, pref_code } => db
            .prepare("INSERT OR IGNORE INTO health_centers (id, name, pref_code, prefecture) VALUES (?1, ?2, ?3, ?4)")
            .bind(&[(*id).into(), (*name).into(), (*pref_code).into(), prefecture_of(pref_code).into()])?,
        CenterWrite::Details(d) => db
            .prepare(
                "INSERT INTO health_centers (id, name, pref_code, prefecture, postal_code, address, phone, email, \
                 updated_by_user_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, postal_code = excluded.postal_code, \
                 address = excluded.address, phone = excluded.phone, email = excluded.email, \
                 updated_by_user_id = excluded.updated_by_user_id, updated_at = excluded.updated_at",
            )
            .bind(&[
                d.id.into(),
                d.name.into(),
                d.pref_code.into(),
                prefecture_of(d.pref_code).into(),
                d.postal_code.into(),
                d.address.into(),
                d.phone.into(),
                d.email.into(),
                d.user_id.into(),
                super::f(d.now),
            ])?,
    })
}

/// Makes a health center from the reference table known to the store (see [`CenterWrite::Ensure`]).
pub fn ensure_health_center(
    db: &D1Database,
    id: &str,
    name: &str,
    pref_code: &str,
) -> ApiResult<D1PreparedStatement> {
    write_health_center(
        db,
        &CenterWrite::Ensure {
            id,
            name,
            pref_code,
        },
    )
}

/// A health center as the directory shows it.
#[derive(Deserialize)]
pub struct StoredCenter {
    pub id: String,
    pub name: String,
    pub postal_code: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub updated_by_name: Option<String>,
    pub updated_at: Option<i64>,
}

const CENTER_SELECT: &str = "SELECT h.id, h.name, h.postal_code, h.address, h.phone, h.email, \
     u.display_name AS updated_by_name, h.updated_at FROM health_centers h \
     LEFT JOIN users u ON u.id = h.updated_by_user_id";

/// The stored health centers of a prefecture, by id.
pub async fn centers_of_pref(db: &D1Database, pref_code: &str) -> ApiResult<Vec<StoredCenter>> {
    Ok(db
        .prepare(format!(
            "{CENTER_SELECT} WHERE h.pref_code = ?1 ORDER BY h.id"
        ))
        .bind(&[pref_code.into()])?
        .all()
        .await?
        .results()?)
}

/// One stored health center.
pub async fn center(db: &D1Database, id: &str) -> ApiResult<Option<StoredCenter>> {
    Ok(db
        .prepare(format!("{CENTER_SELECT} WHERE h.id = ?1"))
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// An administrator's assignment of a municipality to a health center.
#[derive(Deserialize)]
pub struct Assignment {
    pub code: String,
    pub health_center_id: String,
}

/// The assignments administrators made in a prefecture.
pub async fn assignments_of_pref(db: &D1Database, pref_code: &str) -> ApiResult<Vec<Assignment>> {
    Ok(db
        .prepare("SELECT code, health_center_id FROM municipality_assignments WHERE pref_code = ?1")
        .bind(&[pref_code.into()])?
        .all()
        .await?
        .results()?)
}

/// Assigns a municipality to a health center (the center's row must be written in the same batch or exist).
pub fn assign(
    db: &D1Database,
    code: &str,
    health_center_id: &str,
    pref_code: &str,
    user_id: &str,
    now: i64,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "INSERT INTO municipality_assignments (code, health_center_id, pref_code, updated_by_user_id, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(code) DO UPDATE SET health_center_id = excluded.health_center_id, \
             updated_by_user_id = excluded.updated_by_user_id, updated_at = excluded.updated_at",
        )
        .bind(&[code.into(), health_center_id.into(), pref_code.into(), user_id.into(), super::f(now)])?)
}

/// The health center a municipality's records go to: an administrator's assignment first, else the reference
/// table's. The one place routing asks (notifications' residence, self-registrations).
pub struct Routed {
    pub id: String,
    pub name: String,
    pub pref_code: String,
}

pub async fn health_center_for(
    db: &D1Database,
    code: &MunicipalityCode,
) -> ApiResult<Option<Routed>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        name: String,
        pref_code: String,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT h.id, h.name, h.pref_code FROM municipality_assignments a \
             JOIN health_centers h ON h.id = a.health_center_id WHERE a.code = ?1",
        )
        .bind(&[code.code6().into()])?
        .first(None)
        .await?;
    Ok(match row {
        Some(r) => Some(Routed {
            id: r.id,
            name: r.name,
            pref_code: r.pref_code,
        }),
        None => municipality::health_center_for(code).map(|h| Routed {
            id: h.id.to_owned(),
            name: h.name.to_owned(),
            pref_code: h.pref_code.to_owned(),
        }),
    })
}

// ---- clinics' own data and administrators' institution list ------------------------------------------------------

/// The health centers of a prefecture (transfer targets), by id.
pub async fn health_centers_in(
    db: &D1Database,
    pref_code: &str,
) -> ApiResult<Vec<HealthCenterOption>> {
    let rows: Vec<OptionRow> = db
        .prepare(
            "SELECT id, name, email, phone FROM health_centers WHERE pref_code = ?1 ORDER BY id",
        )
        .bind(&[pref_code.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(Into::into).collect())
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

/// Runs a directory change (centers' rows, assignments and its audit entry) as one batch: all or nothing.
pub async fn save_directory(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
) -> ApiResult<()> {
    db.batch(statements).await?;
    Ok(())
}
