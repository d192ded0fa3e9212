//! Health-center administrators: the accounts and institutions of their own area, invitations, lock/unlock/
//! reset/deactivate, and their area's audit log. Every action is authorised by `Principal::can_manage_account`.

use shared::api::admin::{
    AccountAction, AccountList, AccountSummary, AuditPage, AuditQuery, CreateAccountRequest,
    CreateInstitutionRequest, Delivery, Institution, InstitutionList, IssuedAccess,
};
use shared::auth::{Jurisdiction, Role};
use shared::error::ErrorCode;
use worker::{D1Database, Request, Response};

use crate::caller::Admin;
use crate::crypto::{self, random_bytes, sha256_hex, token};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{json_body, optional_text_field, text_field};
use crate::store::accounts::{self, NewUser, SummaryRow};
use crate::store::audit;
use crate::store::institutions::{self, NewInstitution};
use crate::store::{credentials, throttles};

/// Invitation links work for 72 hours.
pub const INVITATION_MS: i64 = 72 * 60 * 60 * 1000;
/// An administrator's lock holds until an administrator unlocks (year 9999).
const ADMIN_LOCK_UNTIL: i64 = 253_402_300_799_000;

fn invalid(field: &'static str) -> ApiError {
    ApiError::with_reason(ErrorCode::ValidationFailed, field, field)
}

fn summary(row: SummaryRow, now: i64) -> ApiResult<AccountSummary> {
    let u = row.user;
    Ok(AccountSummary {
        role: u.role()?,
        locked: u.is_locked(now),
        must_change_password: u.must_change_password != 0,
        area_name: u.area_name.clone().unwrap_or_default(),
        id: u.id,
        login_id: u.login_id,
        display_name: u.display_name,
        email: u.email,
        institution_id: u.institution_id,
        status: u.status,
        credential_count: row.credential_count,
    })
}

pub async fn list_accounts(a: Admin) -> ApiResult<Response> {
    let rows = accounts::summaries_in(&a.db, &a.health_center_id).await?;
    let now = now_ms();
    let accounts = rows
        .into_iter()
        .map(|r| summary(r, now))
        .collect::<ApiResult<Vec<_>>>()?;
    a.log(a.event("account_list", "ok")).await?;
    Ok(Response::from_json(&AccountList { accounts })?)
}

async fn account_summary(db: &D1Database, id: &str) -> ApiResult<AccountSummary> {
    let row = accounts::summary_of(db, id).await?;
    summary(
        row.ok_or_else(|| ApiError::new(ErrorCode::NotFound))?,
        now_ms(),
    )
}

/// 16 characters from four classes, so it always satisfies the policy; shown once, changed at first sign-in.
fn initial_password() -> ApiResult<String> {
    const SETS: [&[u8]; 4] = [
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"abcdefghijkmnpqrstuvwxyz",
        b"23456789",
        b"#$%&*+=?@",
    ];
    let bytes = random_bytes::<16>()?;
    Ok(bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let set = SETS[if i % 5 == 4 { 3 } else { i % 3 }];
            set[*b as usize % set.len()] as char
        })
        .collect())
}

fn valid_login_id(s: &str) -> bool {
    (3..=254).contains(&s.len()) && s.chars().all(|c| c.is_ascii_graphic())
}

pub async fn create_account(a: Admin, mut req: Request) -> ApiResult<Response> {
    let body: CreateAccountRequest = json_body(&mut req).await?;
    let login_id = body.login_id.trim();
    let display_name = text_field(&body.display_name, 60, "display_name")?;
    let display_name = display_name.as_str();
    let email = body.email.trim();
    if !valid_login_id(login_id) {
        return Err(invalid("login_id"));
    }
    if !email.is_empty() && (email.len() > 254 || !email.contains('@')) {
        return Err(invalid("email"));
    }
    let area = match body.role {
        Role::ClinicDoctor | Role::ClinicStaff => {
            let id = body
                .institution_id
                .as_deref()
                .ok_or_else(|| invalid("institution_id"))?;
            let inst = institutions::area(&a.db, id)
                .await?
                .ok_or_else(|| invalid("institution_id"))?;
            Jurisdiction::Institution {
                institution_id: inst.id,
                health_center_id: inst.health_center_id,
                pref_code: inst.pref_code,
            }
        }
        _ => Jurisdiction::HealthCenter {
            health_center_id: a.health_center_id.clone(),
            pref_code: a.pref_code.clone(),
        },
    };
    if !a.principal.can_manage_account(body.role, &area) {
        a.log(a.event("account_create", "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let id = format!(
        "u_{}",
        sha256_hex(&random_bytes::<16>()?)
            .get(..20)
            .unwrap_or_default()
    );
    let password = initial_password()?;
    // With an invitation the user sets their own password; the stored one is random and never shown.
    let stored_password = match body.delivery {
        Delivery::InitialPassword => password.clone(),
        Delivery::Invitation => token()?,
    };
    let hash = crypto::hash_password(&stored_password).await?;
    let now = now_ms();
    let inserted = accounts::insert(
        &a.db,
        &NewUser {
            id: &id,
            login_id,
            display_name,
            email,
            role: body.role,
            area: &area,
            password_hash: &hash,
            created_at: now,
        },
    )
    .await?;
    if !inserted {
        return Err(ApiError::with_reason(
            ErrorCode::Conflict,
            "login_id",
            "login id taken",
        ));
    }
    let mut issued = IssuedAccess {
        account: account_summary(&a.db, &id).await?,
        initial_password: None,
        invitation_path: None,
        invitation_expires_at: None,
    };
    match body.delivery {
        Delivery::InitialPassword => issued.initial_password = Some(password),
        Delivery::Invitation => {
            let (path, expires) = new_invitation(&a.db, &id).await?;
            issued.invitation_path = Some(path);
            issued.invitation_expires_at = Some(expires);
        }
    }
    a.log(a.event("account_create", "ok").target(id)).await?;
    Ok(Response::from_json(&issued)?.with_status(201))
}

async fn new_invitation(db: &D1Database, user_id: &str) -> ApiResult<(String, i64)> {
    let t = token()?;
    let expires = now_ms() + INVITATION_MS;
    accounts::insert_invitation(db, &sha256_hex(t.as_bytes()), user_id, expires).await?;
    Ok((format!("/invite#{t}"), expires))
}

pub async fn account_action(a: Admin, id: &str, action: &str) -> ApiResult<Response> {
    let action = AccountAction::parse(action).ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let target = accounts::by_id(&a.db, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    // Locking, resetting or deactivating oneself would end one's own session mid-task and could leave the area
    // without an administrator; another administrator of the area does it.
    let disabling = matches!(
        action,
        AccountAction::Lock | AccountAction::Reset | AccountAction::Deactivate
    );
    if disabling && target.id == a.principal.user_id {
        a.log(a.event("account_action", "refused_self").target(id))
            .await?;
        return Err(ApiError::with_reason(
            ErrorCode::Forbidden,
            "self",
            "administrators do not act on their own account",
        ));
    }
    if !a
        .principal
        .can_manage_account(target.role()?, &target.jurisdiction()?)
    {
        a.log(a.event("account_action", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let now = now_ms();
    let mut issued_password = None;
    let (statements, action_name) = match action {
        // A lock also ends the sessions the account already has.
        AccountAction::Lock => (
            vec![accounts::lock(&a.db, id, ADMIN_LOCK_UNTIL, now)?],
            "account_lock",
        ),
        // Also forgets the sign-in ID's wrong passwords, so the owner's password alone works again.
        AccountAction::Unlock => (
            vec![
                accounts::unlock(&a.db, id, now)?,
                throttles::clear_statement(&a.db, &throttles::login_key(&target.login_id))?,
            ],
            "account_unlock",
        ),
        AccountAction::Deactivate => (
            vec![accounts::deactivate(&a.db, id, now)?],
            "account_deactivate",
        ),
        AccountAction::Reactivate => (
            vec![accounts::reactivate(&a.db, id, now)?],
            "account_reactivate",
        ),
        AccountAction::Reset => {
            let password = initial_password()?;
            let hash = crypto::hash_password(&password).await?;
            issued_password = Some(password);
            let mut statements = vec![credentials::remove_all(&a.db, id)?];
            statements.extend(accounts::reset(&a.db, id, &hash, now)?);
            statements.push(throttles::clear_statement(
                &a.db,
                &throttles::login_key(&target.login_id),
            )?);
            (statements, "account_reset")
        }
    };
    // One batch: D1 runs it atomically.
    a.db.batch(statements).await?;
    a.log(a.event(action_name, "ok").target(id)).await?;
    let issued = IssuedAccess {
        account: account_summary(&a.db, id).await?,
        initial_password: issued_password,
        invitation_path: None,
        invitation_expires_at: None,
    };
    Ok(Response::from_json(&issued)?)
}

pub async fn list_institutions(a: Admin) -> ApiResult<Response> {
    let institutions = institutions::in_area(&a.db, &a.health_center_id).await?;
    Ok(Response::from_json(&InstitutionList { institutions })?)
}

pub async fn create_institution(a: Admin, mut req: Request) -> ApiResult<Response> {
    let body: CreateInstitutionRequest = json_body(&mut req).await?;
    let name = text_field(&body.name, 100, "name")?;
    let name = name.as_str();
    let address = optional_text_field(&body.address, 200, "address")?;
    if body.phone.chars().count() > 20
        || !body.phone.chars().all(|c| c.is_ascii_digit() || c == '-')
    {
        return Err(invalid("phone"));
    }
    let id = format!(
        "inst_{}",
        sha256_hex(&random_bytes::<16>()?)
            .get(..16)
            .unwrap_or_default()
    );
    institutions::insert(
        &a.db,
        &NewInstitution {
            id: &id,
            name,
            health_center_id: &a.health_center_id,
            pref_code: &a.pref_code,
            address: &address,
            phone: body.phone.trim(),
            created_at: now_ms(),
        },
    )
    .await?;
    a.log(a.event("institution_create", "ok").target(id.clone()))
        .await?;
    let inst = Institution {
        id,
        name: name.to_owned(),
        address,
        phone: body.phone.trim().to_owned(),
    };
    Ok(Response::from_json(&inst)?.with_status(201))
}

/// `GET /api/admin/audit(?before=)`: a page of the area's log, unfiltered.
pub async fn audit_log(a: Admin, req: Request) -> ApiResult<Response> {
    let url = req.url()?;
    let before = url
        .query_pairs()
        .find(|(k, _)| k == "before")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    audit_answer(
        &a,
        &AuditQuery {
            before,
            ..AuditQuery::default()
        },
    )
    .await
}

/// `POST /api/admin/audit`: a page of the area's log narrowed by who, what, when and outcome (the filters travel
/// in the body, never in a URL).
pub async fn audit_search(a: Admin, mut req: Request) -> ApiResult<Response> {
    let q: AuditQuery = json_body(&mut req).await?;
    if q.action
        .as_deref()
        .is_some_and(|x| !shared::audit::is_action(x))
    {
        return Err(invalid("action"));
    }
    if q.actor_user_id
        .as_deref()
        .is_some_and(|x| x.is_empty() || x.len() > 64 || !x.is_ascii())
    {
        return Err(invalid("actor_user_id"));
    }
    if matches!((q.from_ms, q.to_ms), (Some(from), Some(to)) if from >= to) {
        return Err(invalid("to_ms"));
    }
    audit_answer(&a, &q).await
}

async fn audit_answer(a: &Admin, q: &AuditQuery) -> ApiResult<Response> {
    // Only the columns administrators see; the chain columns stay on the server.
    let entries = audit::audit_page(&a.db, &a.health_center_id, q).await?;
    let next_before = if entries.len() == audit::AUDIT_PAGE {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(Response::from_json(&AuditPage {
        entries,
        next_before,
    })?)
}

pub async fn audit_verify(a: Admin) -> ApiResult<Response> {
    let report = audit::verify_chain(&a.db).await?;
    a.log(a.event(
        "audit_verify",
        if report.valid { "ok" } else { "chain_broken" },
    ))
    .await?;
    Ok(Response::from_json(&report)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_ids_are_printable_ascii_of_sane_length() {
        assert!(valid_login_id("yamada@clinic.example"));
        assert!(!valid_login_id("ab"));
        assert!(!valid_login_id("with space"));
        assert!(!valid_login_id("山田"));
    }
}
