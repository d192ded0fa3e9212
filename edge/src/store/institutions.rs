//! Institutions (clinics), health centers and clinics' doctor lists: `institutions`, `health_centers`, `doctors`.

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
