//! Health observation (健康観察): `observations`, `observation_reports`, `observation_alerts`, and the phone's reads
//! of them.

use serde::Deserialize;
use shared::api::observation::{ObserveMe, ObservedPerson};
use shared::error::ErrorCode;
use shared::observation::{jst_day, Kind, Slot};
use worker::{D1Database, D1PreparedStatement};

use crate::error::{ApiError, ApiResult};

/// The holder of a running observation (whose phone may sign in), by record id.
pub async fn active_holder(db: &D1Database, case_id: &str, now: i64) -> ApiResult<Option<String>> {
    #[derive(Deserialize)]
    struct Row {
        health_center_id: String,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT o.health_center_id FROM observations o JOIN cases c ON c.id = o.case_id \
             WHERE o.case_id = ?1 AND c.deleted_at IS NULL AND o.stopped_at IS NULL AND o.ends_on >= ?2",
        )
        .bind(&[case_id.into(), jst_day(now - 2 * 86_400_000).into()])?
        .first(None)
        .await?;
    Ok(row.map(|r| r.health_center_id))
}

#[derive(Deserialize)]
pub struct PersonRow {
    pub case_id: String,
    pub name: String,
    pub kind: String,
    pub started_on: String,
    pub ends_on: String,
    pub health_center_id: String,
    pub health_center_name: String,
}

/// The people a phone session reports for: the holder and the household members linked to them, while their
/// observations run (and two days after, for late reports).
pub async fn people(db: &D1Database, holder: &str, now: i64) -> ApiResult<Vec<PersonRow>> {
    Ok(db
        .prepare(
            "SELECT c.id AS case_id, c.name, o.kind, o.started_on, o.ends_on, o.health_center_id, \
             h.name AS health_center_name FROM observations o JOIN cases c ON c.id = o.case_id \
             JOIN health_centers h ON h.id = o.health_center_id \
             WHERE (o.case_id = ?1 OR o.household_of = ?1) AND o.stopped_at IS NULL AND c.deleted_at IS NULL \
             AND o.ends_on >= ?2 ORDER BY o.case_id <> ?1, c.seq",
        )
        .bind(&[holder.into(), jst_day(now - 2 * 86_400_000).into()])?
        .all()
        .await?
        .results()?)
}

fn given_name(full: &str) -> String {
    let parts: Vec<&str> = full.split([' ', '　']).filter(|p| !p.is_empty()).collect();
    parts.last().copied().unwrap_or(full).to_owned()
}

pub async fn me_of(db: &D1Database, holder: &str, now: i64) -> ApiResult<ObserveMe> {
    let rows = people(db, holder, now).await?;
    if rows.is_empty() {
        return Err(ApiError::new(ErrorCode::Unauthenticated));
    }
    #[derive(Deserialize)]
    struct Done {
        case_id: String,
        date: String,
        slot: String,
    }
    let done: Vec<Done> = db
        .prepare(
            "SELECT DISTINCT r.case_id, r.date, r.slot FROM observation_reports r \
             JOIN observations o ON o.case_id = r.case_id \
             WHERE (o.case_id = ?1 OR o.household_of = ?1) AND r.date >= ?2",
        )
        .bind(&[holder.into(), jst_day(now - 86_400_000).into()])?
        .all()
        .await?
        .results()?;
    let hour = chrono::DateTime::from_timestamp_millis(now + 9 * 3_600_000)
        .map_or(0, |d| chrono::Timelike::hour(&d));
    #[derive(Deserialize)]
    struct N {
        n: i64,
    }
    let passkeys: Option<N> = db
        .prepare("SELECT COUNT(*) AS n FROM observe_credentials WHERE case_id = ?1")
        .bind(&[holder.into()])?
        .first(None)
        .await?;
    let passkey = passkeys.is_some_and(|p| p.n > 0);
    Ok(ObserveMe {
        health_center_name: rows[0].health_center_name.clone(),
        people: rows
            .iter()
            .map(|r| ObservedPerson {
                id: r.case_id.clone(),
                given_name: given_name(&r.name),
                kind: Kind::parse(&r.kind).unwrap_or(Kind::Patient),
                ends_on: r.ends_on.clone(),
                reported: done
                    .iter()
                    .filter(|d| d.case_id == r.case_id)
                    .map(|d| format!("{}/{}", d.date, d.slot))
                    .collect(),
            })
            .collect(),
        today: jst_day(now),
        slot_now: Slot::at_hour(hour),
        has_passkey: passkey,
    })
}

/// What a transfer of the record `?1` to the health center `?3` does to its health observation, in the transfer's
/// batch: the running observation and its unhandled alerts move with the record, so new reports and alerts land in
/// the new center's queue. `guard` is an SQL condition over `?1` (record id) and `?2` (the transfer's stamp) that
/// holds only once the transfer itself took effect.
pub fn follow_transfer(
    db: &D1Database,
    case_id: &str,
    stamp: &str,
    to_health_center_id: &str,
    guard: &str,
) -> ApiResult<Vec<D1PreparedStatement>> {
    let binds = [case_id.into(), stamp.into(), to_health_center_id.into()];
    Ok(vec![
        db.prepare(format!(
            "UPDATE observations SET health_center_id = ?3 WHERE case_id = ?1 AND {guard}"
        ))
        .bind(&binds)?,
        db.prepare(format!(
            "UPDATE observation_alerts SET health_center_id = ?3 \
             WHERE case_id = ?1 AND handled_at IS NULL AND {guard}"
        ))
        .bind(&binds)?,
    ])
}
