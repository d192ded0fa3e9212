//! Accounts in D1: loading a user with their area, and turning a row into a typed `Principal`.

use serde::Deserialize;
use shared::api::auth::Me;
use shared::auth::{Jurisdiction, Principal, Role};
use shared::error::ErrorCode;
use worker::D1Database;

use crate::error::{ApiError, ApiResult};

/// Sign-in failures before the account locks, and for how long.
pub const MAX_FAILURES: i64 = 10;
pub const LOCK_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub login_id: String,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub institution_id: Option<String>,
    pub health_center_id: Option<String>,
    pub pref_code: Option<String>,
    pub password_hash: String,
    pub must_change_password: i64,
    pub status: String,
    pub locked_until: i64,
    pub session_epoch: i64,
    pub area_name: Option<String>,
    /// The name of the account's health center (for clinic users: the one with jurisdiction over the clinic).
    #[serde(default)]
    pub health_center_name: Option<String>,
}

const SELECT_USER: &str =
    "SELECT u.*, COALESCE(i.name, h.name, \
     (SELECT p.prefecture FROM health_centers p WHERE p.pref_code = u.pref_code LIMIT 1), u.pref_code, '厚生労働省') \
     AS area_name, h.name AS health_center_name \
     FROM users u LEFT JOIN institutions i ON i.id = u.institution_id \
     LEFT JOIN health_centers h ON h.id = u.health_center_id";

pub async fn by_login_id(db: &D1Database, login_id: &str) -> ApiResult<Option<UserRow>> {
    Ok(db
        .prepare(format!("{SELECT_USER} WHERE u.login_id = ?1"))
        .bind(&[login_id.into()])?
        .first(None)
        .await?)
}

pub async fn by_id(db: &D1Database, id: &str) -> ApiResult<Option<UserRow>> {
    Ok(db
        .prepare(format!("{SELECT_USER} WHERE u.id = ?1"))
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

impl UserRow {
    pub fn role(&self) -> ApiResult<Role> {
        Role::parse(&self.role)
            .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "unknown role in users"))
    }

    /// The account's area; a row whose role does not fit its area columns is refused, never guessed.
    pub fn jurisdiction(&self) -> ApiResult<Jurisdiction> {
        let bad =
            || ApiError::with_detail(ErrorCode::Internal, "account area does not fit its role");
        let s = |v: &Option<String>| v.clone().ok_or_else(bad);
        Ok(match self.role()? {
            Role::ClinicDoctor | Role::ClinicStaff => Jurisdiction::Institution {
                institution_id: s(&self.institution_id)?,
                health_center_id: s(&self.health_center_id)?,
                pref_code: s(&self.pref_code)?,
            },
            Role::HealthCenterStaff | Role::HealthCenterAdmin => Jurisdiction::HealthCenter {
                health_center_id: s(&self.health_center_id)?,
                pref_code: s(&self.pref_code)?,
            },
            Role::PrefectureStaff => Jurisdiction::Prefecture {
                pref_code: s(&self.pref_code)?,
            },
            Role::NationalStaff => Jurisdiction::National,
        })
    }

    pub fn principal(&self) -> ApiResult<Principal> {
        Ok(Principal {
            user_id: self.id.clone(),
            role: self.role()?,
            jurisdiction: self.jurisdiction()?,
        })
    }

    pub fn me(&self) -> ApiResult<Me> {
        Ok(Me {
            user_id: self.id.clone(),
            login_id: self.login_id.clone(),
            display_name: self.display_name.clone(),
            role: self.role()?,
            jurisdiction: self.jurisdiction()?,
            area_name: self.area_name.clone().unwrap_or_default(),
        })
    }

    pub fn is_locked(&self, now_ms: i64) -> bool {
        self.locked_until > now_ms
    }
}

pub async fn credential_count(db: &D1Database, user_id: &str) -> ApiResult<i64> {
    #[derive(Deserialize)]
    struct N {
        n: i64,
    }
    let n: Option<N> = db
        .prepare("SELECT COUNT(*) AS n FROM credentials WHERE user_id = ?1")
        .bind(&[user_id.into()])?
        .first(None)
        .await?;
    Ok(n.map_or(0, |n| n.n))
}
