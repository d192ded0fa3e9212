//! Accounts in D1: loading a user with their area, and turning a row into a typed `Principal`; sign-in failure
//! counts and locks (after the password), passwords, recovery codes, invitations, the draft key, and the
//! administrators' account list.

use serde::Deserialize;
use shared::api::auth::Me;
use shared::auth::{Jurisdiction, Principal, Role};
use shared::error::ErrorCode;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use super::{changes, f, opt};
use crate::error::{ApiError, ApiResult};

/// Failures at the steps after the password (key, recovery code, the current password at first sign-in) before the
/// account locks, and for how long. Wrong passwords are counted per typed sign-in ID instead (`throttles`).
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
            Role::PrefectureStaff | Role::FollowUpCenter => Jurisdiction::Prefecture {
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

// ---- sign-in failures -------------------------------------------------------------------------------------------

/// Counts a failed sign-in against the account, locking it at [`MAX_FAILURES`] for [`LOCK_MS`]; a lock that has
/// run out starts the count afresh. Returns the count after this failure.
pub async fn record_failure(db: &D1Database, user_id: &str, now: i64) -> ApiResult<i64> {
    #[derive(Deserialize)]
    struct After {
        failed_count: i64,
    }
    let after: Option<After> = db
        .prepare(
            "UPDATE users SET \
             failed_count = CASE WHEN locked_until > 0 AND locked_until <= ?4 THEN 1 ELSE failed_count + 1 END, \
             locked_until = CASE WHEN locked_until > 0 AND locked_until <= ?4 THEN 0 \
                                 WHEN failed_count + 1 >= ?2 THEN ?3 ELSE locked_until END \
             WHERE id = ?1 RETURNING failed_count",
        )
        .bind(&[user_id.into(), f(MAX_FAILURES), f(now + LOCK_MS), f(now)])?
        .first(None)
        .await?;
    Ok(after.map_or(0, |a| a.failed_count))
}

/// A successful sign-in clears the account's failure count.
pub async fn clear_failures(db: &D1Database, user_id: &str) -> ApiResult<()> {
    db.prepare("UPDATE users SET failed_count = 0 WHERE id = ?1")
        .bind(&[user_id.into()])?
        .run()
        .await?;
    Ok(())
}

// ---- passwords, recovery codes, invitations ------------------------------------------------------------------------

/// Sets the user's own new password (first sign-in, invitation): no change required any more.
pub async fn set_password(db: &D1Database, user_id: &str, hash: &str, now: i64) -> ApiResult<()> {
    db.prepare("UPDATE users SET password_hash = ?2, must_change_password = 0, updated_at = ?3 WHERE id = ?1")
        .bind(&[user_id.into(), hash.into(), f(now)])?
        .run()
        .await?;
    Ok(())
}

/// Replaces the user's recovery codes with these (hashes of the normalised codes).
pub async fn replace_recovery_codes(
    db: &D1Database,
    user_id: &str,
    code_hashes: &[String],
) -> ApiResult<()> {
    db.prepare("DELETE FROM recovery_codes WHERE user_id = ?1")
        .bind(&[user_id.into()])?
        .run()
        .await?;
    for hash in code_hashes {
        db.prepare("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")
            .bind(&[user_id.into(), hash.as_str().into()])?
            .run()
            .await?;
    }
    Ok(())
}

/// Spends one of the user's unused recovery codes; false if there is none with this hash.
pub async fn use_recovery_code(
    db: &D1Database,
    user_id: &str,
    code_hash: &str,
    now: i64,
) -> ApiResult<bool> {
    let used = db
        .prepare("UPDATE recovery_codes SET used_at = ?1 WHERE user_id = ?2 AND code_hash = ?3 AND used_at IS NULL")
        .bind(&[f(now), user_id.into(), code_hash.into()])?
        .run()
        .await?;
    Ok(changes(&used) == 1)
}

/// Stores an invitation (the hash of its token) for the user.
pub async fn insert_invitation(
    db: &D1Database,
    token_hash: &str,
    user_id: &str,
    expires_at: i64,
) -> ApiResult<()> {
    db.prepare("INSERT INTO invitations (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)")
        .bind(&[token_hash.into(), user_id.into(), f(expires_at)])?
        .run()
        .await?;
    Ok(())
}

/// The user an unused, unexpired invitation is for.
pub async fn invitation_user(
    db: &D1Database,
    token_hash: &str,
    now: i64,
) -> ApiResult<Option<String>> {
    #[derive(Deserialize)]
    struct Row {
        user_id: String,
    }
    let row: Option<Row> = db
        .prepare("SELECT user_id FROM invitations WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2")
        .bind(&[token_hash.into(), f(now)])?
        .first(None)
        .await?;
    Ok(row.map(|r| r.user_id))
}

/// Spends an invitation; false if it was used (or ran out) meanwhile.
pub async fn use_invitation(db: &D1Database, token_hash: &str, now: i64) -> ApiResult<bool> {
    let used = db
        .prepare("UPDATE invitations SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2")
        .bind(&[token_hash.into(), f(now)])?
        .run()
        .await?;
    Ok(changes(&used) == 1)
}

/// The user's key for encrypting drafts on the device, created (as `fresh`) on first use; `None` if the user is
/// gone.
pub async fn draft_key(db: &D1Database, user_id: &str, fresh: &str) -> ApiResult<Option<String>> {
    db.prepare("UPDATE users SET draft_key = ?2 WHERE id = ?1 AND draft_key IS NULL")
        .bind(&[user_id.into(), fresh.into()])?
        .run()
        .await?;
    #[derive(Deserialize)]
    struct Row {
        draft_key: String,
    }
    let row: Option<Row> = db
        .prepare("SELECT draft_key FROM users WHERE id = ?1")
        .bind(&[user_id.into()])?
        .first(None)
        .await?;
    Ok(row.map(|r| r.draft_key))
}

// ---- administrators ------------------------------------------------------------------------------------------------

/// An account as administrators list it: the user with their area name and how many keys they have.
#[derive(Deserialize)]
pub struct SummaryRow {
    #[serde(flatten)]
    pub user: UserRow,
    pub credential_count: i64,
}

const SUMMARY_SELECT: &str = "SELECT u.*, COALESCE(i.name, h.name) AS area_name, \
     (SELECT COUNT(*) FROM credentials c WHERE c.user_id = u.id) AS credential_count \
     FROM users u LEFT JOIN institutions i ON i.id = u.institution_id \
     LEFT JOIN health_centers h ON h.id = u.health_center_id";

/// The accounts of a health center's area, by role and sign-in ID.
pub async fn summaries_in(db: &D1Database, health_center_id: &str) -> ApiResult<Vec<SummaryRow>> {
    Ok(db
        .prepare(format!(
            "{SUMMARY_SELECT} WHERE u.health_center_id = ?1 ORDER BY u.role, u.login_id"
        ))
        .bind(&[health_center_id.into()])?
        .all()
        .await?
        .results()?)
}

pub async fn summary_of(db: &D1Database, id: &str) -> ApiResult<Option<SummaryRow>> {
    Ok(db
        .prepare(format!("{SUMMARY_SELECT} WHERE u.id = ?1"))
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// A new account; its password must be changed at first sign-in.
pub struct NewUser<'a> {
    pub id: &'a str,
    pub login_id: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub area: &'a Jurisdiction,
    pub password_hash: &'a str,
    pub created_at: i64,
}

/// Creates the account; false if its sign-in ID is taken.
pub async fn insert(db: &D1Database, u: &NewUser<'_>) -> ApiResult<bool> {
    let inserted = db
        .prepare(
            "INSERT INTO users (id, login_id, display_name, email, role, institution_id, health_center_id, pref_code, \
             password_hash, must_change_password, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?10) ON CONFLICT(login_id) DO NOTHING",
        )
        .bind(&[
            u.id.into(),
            u.login_id.into(),
            u.display_name.into(),
            u.email.into(),
            u.role.as_str().into(),
            opt(u.area.institution_id()),
            opt(u.area.health_center_id()),
            opt(u.area.pref_code()),
            u.password_hash.into(),
            f(u.created_at),
        ])?
        .run()
        .await?;
    Ok(changes(&inserted) == 1)
}

/// Locks the account until `until` and ends its sessions (for a batch).
pub fn lock(db: &D1Database, id: &str, until: i64, now: i64) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "UPDATE users SET locked_until = ?2, session_epoch = session_epoch + 1, updated_at = ?3 WHERE id = ?1",
        )
        .bind(&[id.into(), f(until), f(now)])?)
}

/// Lifts a lock and clears the failure count (for a batch).
pub fn unlock(db: &D1Database, id: &str, now: i64) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "UPDATE users SET locked_until = 0, failed_count = 0, updated_at = ?2 WHERE id = ?1",
        )
        .bind(&[id.into(), f(now)])?)
}

/// Deactivates the account; bumping the epoch ends every session of it at once (for a batch).
pub fn deactivate(db: &D1Database, id: &str, now: i64) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "UPDATE users SET status = 'deactivated', session_epoch = session_epoch + 1, updated_at = ?2 WHERE id = ?1",
        )
        .bind(&[id.into(), f(now)])?)
}

pub fn reactivate(db: &D1Database, id: &str, now: i64) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare("UPDATE users SET status = 'active', updated_at = ?2 WHERE id = ?1")
        .bind(&[id.into(), f(now)])?)
}

/// An administrator's reset, without the keys (see `credentials::remove_all`): recovery codes gone, open
/// invitations spent, a new initial password to change at first sign-in, no lock, sessions ended (for a batch).
pub fn reset(
    db: &D1Database,
    id: &str,
    password_hash: &str,
    now: i64,
) -> ApiResult<Vec<D1PreparedStatement>> {
    let at: JsValue = f(now);
    Ok(vec![
        db.prepare("DELETE FROM recovery_codes WHERE user_id = ?1")
            .bind(&[id.into()])?,
        db.prepare("UPDATE invitations SET used_at = ?2 WHERE user_id = ?1 AND used_at IS NULL")
            .bind(&[id.into(), at.clone()])?,
        db.prepare(
            "UPDATE users SET password_hash = ?2, must_change_password = 1, failed_count = 0, \
             locked_until = 0, session_epoch = session_epoch + 1, updated_at = ?3 WHERE id = ?1",
        )
        .bind(&[id.into(), password_hash.into(), at])?,
    ])
}

// ---- requests awaiting a second approver -----------------------------------------------------------------------------

/// A request on an administrator's account (or to create one), with the names its deciders see.
#[derive(Debug, Clone, Deserialize)]
pub struct RequestRow {
    pub id: String,
    pub action: String,
    pub target_user_id: Option<String>,
    pub payload: String,
    pub health_center_id: String,
    pub pref_code: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub expires_at: i64,
    pub status: String,
    pub target_login_id: String,
    pub target_name: String,
    pub target_email: String,
    pub requested_by_name: String,
    pub health_center_name: String,
}

const SELECT_REQUEST: &str = "SELECT r.id, r.action, r.target_user_id, r.payload, r.health_center_id, r.pref_code, \
     r.requested_by, r.requested_at, r.expires_at, r.status, \
     COALESCE(t.login_id, json_extract(r.payload, '$.login_id'), '') AS target_login_id, \
     COALESCE(t.display_name, json_extract(r.payload, '$.display_name'), '') AS target_name, \
     COALESCE(t.email, json_extract(r.payload, '$.email'), '') AS target_email, \
     COALESCE(q.display_name, '') AS requested_by_name, COALESCE(h.name, '') AS health_center_name \
     FROM account_requests r LEFT JOIN users t ON t.id = r.target_user_id \
     LEFT JOIN users q ON q.id = r.requested_by LEFT JOIN health_centers h ON h.id = r.health_center_id";

pub struct NewRequest<'a> {
    pub id: &'a str,
    pub action: &'a str,
    pub target_user_id: Option<&'a str>,
    pub payload: &'a str,
    pub health_center_id: &'a str,
    pub pref_code: &'a str,
    pub requested_by: &'a str,
    pub requested_at: i64,
    pub expires_at: i64,
}

pub async fn insert_request(db: &D1Database, r: &NewRequest<'_>) -> ApiResult<()> {
    db.prepare(
        "INSERT INTO account_requests (id, action, target_user_id, payload, health_center_id, pref_code, \
         requested_by, requested_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .bind(&[
        r.id.into(),
        r.action.into(),
        opt(r.target_user_id),
        r.payload.into(),
        r.health_center_id.into(),
        r.pref_code.into(),
        r.requested_by.into(),
        f(r.requested_at),
        f(r.expires_at),
    ])?
    .run()
    .await?;
    Ok(())
}

pub async fn request(db: &D1Database, id: &str) -> ApiResult<Option<RequestRow>> {
    Ok(db
        .prepare(format!("{SELECT_REQUEST} WHERE r.id = ?1"))
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// The undecided, unexpired requests of a prefecture, or of one health center of it; newest first.
pub async fn open_requests(
    db: &D1Database,
    pref_code: &str,
    health_center_id: Option<&str>,
    now: i64,
) -> ApiResult<Vec<RequestRow>> {
    Ok(db
        .prepare(format!(
            "{SELECT_REQUEST} WHERE r.pref_code = ?1 AND (?2 IS NULL OR r.health_center_id = ?2) \
             AND r.status = 'pending' AND r.expires_at > ?3 ORDER BY r.requested_at DESC LIMIT 200"
        ))
        .bind(&[pref_code.into(), opt(health_center_id), f(now)])?
        .all()
        .await?
        .results()?)
}

/// Decides a pending, unexpired request (`approved` or `rejected`); false if it was decided or lapsed meanwhile.
pub async fn decide_request(
    db: &D1Database,
    id: &str,
    status: &str,
    decided_by: &str,
    now: i64,
) -> ApiResult<bool> {
    let r = db
        .prepare(
            "UPDATE account_requests SET status = ?2, decided_by = ?3, decided_at = ?4 \
             WHERE id = ?1 AND status = 'pending' AND expires_at > ?4",
        )
        .bind(&[id.into(), status.into(), decided_by.into(), f(now)])?
        .run()
        .await?;
    Ok(changes(&r) == 1)
}

/// Puts an approved request back to pending when carrying it out failed (so it can be decided again).
pub async fn reopen_request(db: &D1Database, id: &str) -> ApiResult<()> {
    db.prepare(
        "UPDATE account_requests SET status = 'pending', decided_by = NULL, decided_at = NULL WHERE id = ?1",
    )
    .bind(&[id.into()])?
    .run()
    .await?;
    Ok(())
}
