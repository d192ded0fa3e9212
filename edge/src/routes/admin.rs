//! Health-center administrators: the accounts and institutions of their own area, invitations, lock/unlock/
//! reset/deactivate, and their area's audit log. Every action is authorised by `Principal::can_manage_account`.

use shared::api::admin::{
    AccountAction, AccountList, AccountRequestList, AccountRequestView, AccountSummary, AuditPage,
    AuditQuery, CreateAccountRequest, CreateInstitutionRequest, DecidedRequest, Delivery,
    Institution, InstitutionList, IssuedAccess, PendingAnswer, RequestedAction,
};
use shared::auth::{Jurisdiction, Role};
use shared::error::ErrorCode;
use worker::{D1Database, Env, Request, Response};

use crate::caller::{Admin, Approver};
use crate::crypto::{self, random_bytes, sha256_hex, token};
use crate::error::{ApiError, ApiResult};
use crate::mail;
use crate::platform::now_ms;
use crate::request::{json_body, optional_text_field, own_origin, text_field};
use crate::store::accounts::{self, NewRequest, NewUser, RequestRow, SummaryRow, UserRow};
use crate::store::audit;
use crate::store::institutions::{self, NewInstitution};
use crate::store::{credentials, throttles};

/// Invitation links work for 72 hours.
pub const INVITATION_MS: i64 = 72 * 60 * 60 * 1000;
/// The one-time link a reset sends to the account's own address works for 24 hours.
pub const RESET_LINK_MS: i64 = 24 * 60 * 60 * 1000;
/// A request on an administrator's account lapses after 72 hours undecided.
pub const REQUEST_MS: i64 = 72 * 60 * 60 * 1000;
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
    let rows = accounts::summaries_in(&a.core, &a.health_center_id).await?;
    let now = now_ms();
    let accounts = rows
        .into_iter()
        .map(|r| summary(r, now))
        .collect::<ApiResult<Vec<_>>>()?;
    a.log(
        a.event("account_list", "ok")
            .returned(accounts.iter().map(|x| x.id.clone())),
    )
    .await?;
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
    // The address is where a reset's one-time link goes (never to the administrator), so every account has one.
    let body: CreateAccountRequest = json_body(&mut req).await?;
    let login_id = body.login_id.trim();
    let display_name = text_field(&body.display_name, 60, "display_name")?;
    let display_name = display_name.as_str();
    let email = body.email.trim();
    if !valid_login_id(login_id) {
        return Err(invalid("login_id"));
    }
    if !valid_email(email) {
        return Err(invalid("email"));
    }
    let area = match body.role {
        Role::ClinicDoctor | Role::ClinicStaff => {
            let id = body
                .institution_id
                .as_deref()
                .ok_or_else(|| invalid("institution_id"))?;
            let inst = institutions::area(&a.core, id)
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
    // A new administrator waits for a second approver; the invitation then goes to their own address.
    if body.role == Role::HealthCenterAdmin {
        if accounts::by_login_id(&a.core, login_id).await?.is_some() {
            return Err(ApiError::with_reason(
                ErrorCode::Conflict,
                "login_id",
                "login id taken",
            ));
        }
        let payload = serde_json::json!({
            "login_id": login_id,
            "display_name": display_name,
            "email": email,
        })
        .to_string();
        return new_request(&a, RequestedAction::Create, None, &payload).await;
    }
    let id = new_user_id()?;
    let password = initial_password()?;
    // With an invitation the user sets their own password; the stored one is random and never shown.
    let stored_password = match body.delivery {
        Delivery::InitialPassword => password.clone(),
        Delivery::Invitation => token()?,
    };
    let hash = crypto::hash_password(&stored_password).await?;
    let now = now_ms();
    insert_account(
        &a.core,
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
    let mut issued = issued(account_summary(&a.core, &id).await?);
    match body.delivery {
        Delivery::InitialPassword => issued.initial_password = Some(password),
        Delivery::Invitation => {
            let (path, expires) = new_invitation(&a.core, &id).await?;
            issued.invitation_path = Some(path);
            issued.invitation_expires_at = Some(expires);
        }
    }
    a.log(a.event("account_create", "ok").target(id)).await?;
    Ok(Response::from_json(&issued)?.with_status(201))
}

/// Inserts a new account; a sign-in ID already taken is `CONFLICT` at `login_id` (a creation, or the approval of
/// an administrator's creation).
async fn insert_account(db: &D1Database, user: &NewUser<'_>) -> ApiResult<()> {
    if accounts::insert(db, user).await? {
        Ok(())
    } else {
        Err(ApiError::with_reason(
            ErrorCode::Conflict,
            "login_id",
            "login id taken",
        ))
    }
}

async fn new_invitation(db: &D1Database, user_id: &str) -> ApiResult<(String, i64)> {
    let t = token()?;
    let expires = now_ms() + INVITATION_MS;
    accounts::insert_invitation(db, &sha256_hex(t.as_bytes()), user_id, expires).await?;
    Ok((format!("/invite#{t}"), expires))
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.chars().all(|c| c.is_ascii_graphic())
        && !domain.contains('@')
}

/// `y***@her-sys.example`: enough for the administrator to tell the address, not to read it.
fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

fn new_user_id() -> ApiResult<String> {
    Ok(format!(
        "u_{}",
        sha256_hex(&random_bytes::<16>()?)
            .get(..20)
            .unwrap_or_default()
    ))
}

fn issued(account: AccountSummary) -> IssuedAccess {
    IssuedAccess {
        account,
        initial_password: None,
        invitation_path: None,
        invitation_expires_at: None,
        reset_link_sent_to: None,
        reset_link_expires_at: None,
    }
}

pub async fn account_action(
    a: Admin,
    req: &Request,
    env: &Env,
    id: &str,
    action: &str,
) -> ApiResult<Response> {
    let action = AccountAction::parse(action).ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let target = accounts::by_id(&a.core, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    // Administrators do not act on their own account: locking, resetting or deactivating it would end their own
    // session mid-task, and anything else on it would need themselves as the second approver.
    if target.id == a.principal.user_id {
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
    if action == AccountAction::Reset && target.email.trim().is_empty() {
        a.log(a.event("account_reset", "no_address").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::EmailRequired));
    }
    // Another administrator's account: a second approver decides (no administrator takes over another).
    if target.role()? == Role::HealthCenterAdmin {
        return new_request(&a, action.into(), Some(&target), "{}").await;
    }
    let (issued, action_name, outcome) = execute(&a.core, req, env, &target, action).await?;
    a.log(a.event(action_name, outcome).target(id)).await?;
    if outcome != "ok" {
        return Err(ApiError::new(ErrorCode::MailFailed));
    }
    Ok(Response::from_json(&issued)?)
}

/// Carries out an action on `target` (authorised by the caller): one batch, D1 runs it atomically. A reset sends
/// the one-time link to the account's own address; the answer says where (masked) and until when, never the link.
/// Returns the answer, the audit action and its outcome (`mail_failed` when the reset is done but its link could
/// not be sent: the administrator resets again).
async fn execute(
    db: &D1Database,
    req: &Request,
    env: &Env,
    target: &UserRow,
    action: AccountAction,
) -> ApiResult<(IssuedAccess, &'static str, &'static str)> {
    let id = target.id.as_str();
    let now = now_ms();
    let (statements, action_name) = match action {
        // A lock also ends the sessions the account already has.
        AccountAction::Lock => (
            vec![accounts::lock(db, id, ADMIN_LOCK_UNTIL, now)?],
            "account_lock",
        ),
        // Also forgets the sign-in ID's wrong passwords, so the owner's password alone works again.
        AccountAction::Unlock => (
            vec![
                accounts::unlock(db, id, now)?,
                throttles::clear_statement(db, &throttles::login_key(&target.login_id))?,
            ],
            "account_unlock",
        ),
        AccountAction::Deactivate => (
            vec![accounts::deactivate(db, id, now)?],
            "account_deactivate",
        ),
        AccountAction::Reactivate => (
            vec![accounts::reactivate(db, id, now)?],
            "account_reactivate",
        ),
        AccountAction::Reset => {
            // A password nobody ever sees: the person sets their own through the link.
            let hash = crypto::hash_password(&token()?).await?;
            let mut statements = vec![credentials::remove_all(db, id)?];
            statements.extend(accounts::reset(db, id, &hash, now)?);
            statements.push(throttles::clear_statement(
                db,
                &throttles::login_key(&target.login_id),
            )?);
            (statements, "account_reset")
        }
    };
    db.batch(statements).await?;
    let mut answer = issued(account_summary(db, id).await?);
    let mut outcome = "ok";
    if action == AccountAction::Reset {
        // After the batch, which spends every open invitation of the account.
        let t = token()?;
        let expires = now + RESET_LINK_MS;
        accounts::insert_invitation(db, &sha256_hex(t.as_bytes()), id, expires).await?;
        let link = format!("{}/invite#{t}", own_origin(req)?);
        let (subject, text) = mail::compose_reset(&target.display_name, &link, expires);
        match mail::send_message(env, &target.email, &subject, &text).await {
            Ok(()) => {
                answer.reset_link_sent_to = Some(masked(&target.email));
                answer.reset_link_expires_at = Some(expires);
            }
            Err(e) => {
                worker::console_log!("reset link for {id} not sent: {e}");
                outcome = "mail_failed";
            }
        }
    }
    Ok((answer, action_name, outcome))
}

// ---- requests on administrators' accounts ------------------------------------------------------------------------------

async fn new_request(
    a: &Admin,
    action: RequestedAction,
    target: Option<&UserRow>,
    payload: &str,
) -> ApiResult<Response> {
    let id = format!(
        "req_{}",
        sha256_hex(&random_bytes::<16>()?)
            .get(..20)
            .unwrap_or_default()
    );
    let now = now_ms();
    accounts::insert_request(
        &a.core,
        &NewRequest {
            id: &id,
            action: action.as_str(),
            target_user_id: target.map(|t| t.id.as_str()),
            payload,
            health_center_id: &a.health_center_id,
            pref_code: &a.pref_code,
            requested_by: &a.principal.user_id,
            requested_at: now,
            expires_at: now + REQUEST_MS,
        },
    )
    .await?;
    a.log(a.event("account_request", "pending").target(id.clone()))
        .await?;
    let row = accounts::request(&a.core, &id)
        .await?
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "request just stored"))?;
    let view = request_view(row, &a.principal.user_id, false)?;
    Ok(Response::from_json(&PendingAnswer {
        pending_request: view,
    })?
    .with_status(202))
}

fn request_view(row: RequestRow, viewer: &str, deciding: bool) -> ApiResult<AccountRequestView> {
    let action = RequestedAction::parse(&row.action)
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "unknown request action"))?;
    let can_decide = deciding
        && row.status == "pending"
        && row.requested_by != viewer
        && row.target_user_id.as_deref() != Some(viewer);
    Ok(AccountRequestView {
        id: row.id,
        action,
        target_user_id: row.target_user_id,
        target_login_id: row.target_login_id,
        target_name: row.target_name,
        target_email: row.target_email,
        health_center_id: row.health_center_id,
        health_center_name: row.health_center_name,
        requested_by: row.requested_by,
        requested_by_name: row.requested_by_name,
        requested_at: row.requested_at,
        expires_at: row.expires_at,
        status: row.status,
        can_decide,
    })
}

/// `GET /api/admin/requests`: the open requests an approver may see (their health center's, or their
/// prefecture's), newest first.
pub async fn list_requests(a: Approver) -> ApiResult<Response> {
    let rows = accounts::open_requests(
        &a.core,
        &a.pref_code,
        a.health_center_id.as_deref(),
        now_ms(),
    )
    .await?;
    let requests = rows
        .into_iter()
        .map(|r| request_view(r, &a.principal.user_id, true))
        .collect::<ApiResult<Vec<_>>>()?;
    a.log(a.event("account_request_list", "ok")).await?;
    Ok(Response::from_json(&AccountRequestList { requests })?)
}

/// `POST /api/admin/requests/{id}/approve|reject`: by a second administrator of the request's health center (not
/// the requester, not the target) or prefecture staff of its prefecture. Approval carries the action out.
pub async fn decide_request(
    a: Approver,
    req: &Request,
    env: &Env,
    id: &str,
    decision: &str,
) -> ApiResult<Response> {
    let approve = match decision {
        "approve" => true,
        "reject" => false,
        _ => return Err(ApiError::new(ErrorCode::NotFound)),
    };
    let audit_action = if approve {
        "account_request_approve"
    } else {
        "account_request_reject"
    };
    let row = accounts::request(&a.core, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let hc = row.health_center_id.clone();
    if !a.covers(&hc, &row.pref_code) {
        // Refused outside the caller's area: audited in the caller's own log.
        a.log(a.event(audit_action, "forbidden").target(id)).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let me = a.principal.user_id.as_str();
    if row.requested_by == me || row.target_user_id.as_deref() == Some(me) {
        a.log(
            a.event_in(audit_action, "second_approver_required", &hc)
                .target(id),
        )
        .await?;
        return Err(ApiError::new(ErrorCode::SecondApproverRequired));
    }
    let now = now_ms();
    let status = if approve { "approved" } else { "rejected" };
    if row.status != "pending"
        || row.expires_at <= now
        || !accounts::decide_request(&a.core, id, status, me, now).await?
    {
        a.log(a.event_in(audit_action, "closed", &hc).target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::RequestClosed));
    }
    let mut account = None;
    if approve {
        match carry_out(&a, req, env, &row).await {
            Ok(summary) => account = summary,
            Err(e) => {
                accounts::reopen_request(&a.core, id).await?;
                a.log(a.event_in(audit_action, "failure", &hc).target(id))
                    .await?;
                return Err(e);
            }
        }
    }
    a.log(a.event_in(audit_action, "ok", &hc).target(id))
        .await?;
    let row = accounts::request(&a.core, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    Ok(Response::from_json(&DecidedRequest {
        request: request_view(row, me, true)?,
        account,
    })?)
}

/// Carries out an approved request; audits the action itself as the approver's.
async fn carry_out(
    a: &Approver,
    req: &Request,
    env: &Env,
    row: &RequestRow,
) -> ApiResult<Option<AccountSummary>> {
    let hc = row.health_center_id.as_str();
    let action = RequestedAction::parse(&row.action)
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "unknown request action"))?;
    let area = Jurisdiction::HealthCenter {
        health_center_id: hc.to_owned(),
        pref_code: row.pref_code.clone(),
    };
    if action == RequestedAction::Create {
        #[derive(serde::Deserialize)]
        struct Payload {
            login_id: String,
            display_name: String,
            email: String,
        }
        let p: Payload = serde_json::from_str(&row.payload)
            .map_err(|e| ApiError::with_detail(ErrorCode::Internal, e.to_string()))?;
        let id = new_user_id()?;
        let now = now_ms();
        let hash = crypto::hash_password(&token()?).await?;
        insert_account(
            &a.core,
            &NewUser {
                id: &id,
                login_id: &p.login_id,
                display_name: &p.display_name,
                email: &p.email,
                role: Role::HealthCenterAdmin,
                area: &area,
                password_hash: &hash,
                created_at: now,
            },
        )
        .await?;
        a.log(a.event_in("account_create", "ok", hc).target(id.clone()))
            .await?;
        // The invitation goes to the new administrator's own address; no one else sees it.
        let t = token()?;
        let expires = now + INVITATION_MS;
        accounts::insert_invitation(&a.core, &sha256_hex(t.as_bytes()), &id, expires).await?;
        let link = format!("{}/invite#{t}", own_origin(req)?);
        let (subject, text) = mail::compose_invitation(&p.display_name, &link, expires);
        if let Err(e) = mail::send_message(env, &p.email, &subject, &text).await {
            worker::console_log!("invitation for {id} not sent: {e}");
            return Err(ApiError::new(ErrorCode::MailFailed));
        }
        return Ok(Some(account_summary(&a.core, &id).await?));
    }
    let target_id = row
        .target_user_id
        .as_deref()
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "request without target"))?;
    let target = accounts::by_id(&a.core, target_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    // Still an administrator of the request's health center.
    if target.role()? != Role::HealthCenterAdmin || target.jurisdiction()? != area {
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let action = match action {
        RequestedAction::Lock => AccountAction::Lock,
        RequestedAction::Unlock => AccountAction::Unlock,
        RequestedAction::Reset => AccountAction::Reset,
        RequestedAction::Deactivate => AccountAction::Deactivate,
        RequestedAction::Reactivate | RequestedAction::Create => AccountAction::Reactivate,
    };
    if action == AccountAction::Reset && target.email.trim().is_empty() {
        return Err(ApiError::new(ErrorCode::EmailRequired));
    }
    let (issued, action_name, outcome) = execute(&a.core, req, env, &target, action).await?;
    a.log(a.event_in(action_name, outcome, hc).target(target_id))
        .await?;
    if outcome != "ok" {
        return Err(ApiError::new(ErrorCode::MailFailed));
    }
    Ok(Some(issued.account))
}

pub async fn list_institutions(a: Admin) -> ApiResult<Response> {
    let institutions = institutions::in_area(&a.core, &a.health_center_id).await?;
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
        &a.core,
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
    let entries = audit::audit_page(&a.stores, &a.health_center_id, q).await?;
    let next_before = if entries.len() == audit::AUDIT_PAGE {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    // Reading the log is itself logged, with the entries it showed (their `seq`s).
    a.log(
        a.event("audit_read", "ok")
            .returned(entries.iter().map(|e| e.seq.to_string())),
    )
    .await?;
    Ok(Response::from_json(&AuditPage {
        entries,
        next_before,
    })?)
}

/// `GET /api/admin/audit/verify`: the whole chain checked against the key and the anchor in KV; then the anchor
/// moves up to the new head (it never moves past a problem at its own entry).
pub async fn audit_verify(a: Admin, env: &Env) -> ApiResult<Response> {
    let anchor = audit::read_anchor(env).await?;
    let report = audit::verify_chain(&a.core, anchor).await?;
    a.log(a.event(
        "audit_verify",
        if report.valid { "ok" } else { "chain_broken" },
    ))
    .await?;
    if let Err(e) = audit::advance_anchor(env, &a.core).await {
        worker::console_error!("audit anchor: {}", e.detail.unwrap_or_default());
    }
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

    #[test]
    fn addresses_are_required_and_shown_masked() {
        assert!(valid_email("yamada@her-sys.example"));
        assert!(!valid_email(""));
        assert!(!valid_email("yamada"));
        assert!(!valid_email("@her-sys.example"));
        assert!(!valid_email("yamada@localhost"));
        assert!(!valid_email("a b@x.example"));
        assert!(!valid_email("a@b@x.example"));
        assert_eq!(masked("yamada@her-sys.example"), "y***@her-sys.example");
    }
}
