//! Sign-in (password, then a security key or passkey), first sign-in (password change, key registration, recovery
//! codes), passkey-only sign-in, recovery codes, sign-out. Every outcome is audited.

use shared::api::auth::{
    AssertionRequest, ChangePasswordRequest, PasswordSignInRequest, RecoveryCodeRequest,
    RegisterCredentialRequest, RegisterCredentialResponse, SignInStep, StepUpDone, StepUpOptions,
    StepUpRequest,
};
use shared::api::ErrorBody;
use shared::auth::password::{
    check_password, CommonPasswords, PasswordContext, COMMON_PASSWORDS_TEXT,
};
use shared::error::ErrorCode;
use shared::webauthn::{AuthenticationResponseJson, RegistrationResponseJson};
use worker::{D1Database, Env, Request, Response};

use crate::caller::log_anonymous;
use crate::caller::Staff;
use crate::crypto::{self, random_bytes, sha256_hex};
use crate::error::{ApiError, ApiResult};
use crate::mail;
use crate::platform::now_ms;
use crate::request::{address_bucket, client_address, json_body, optional_text_field};
use crate::session::{self, PendingRecord, PendingStage, Session};
use crate::store::accounts::{self, UserRow, MAX_FAILURES};
use crate::store::audit::{self, Event};
use crate::store::credentials::{self, Holder};
use crate::store::{db, throttles};
use crate::webauthn::{self, Ceremony, Creation, Mark, Purpose};

const RECOVERY_CODES: usize = 10;
const RECOVERY_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Never matches: compared against when the sign-in ID is unknown, so both cases cost the same.
const DUMMY_HASH: &str =
    "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

fn with_cookies(mut resp: Response, cookies: &[String]) -> ApiResult<Response> {
    for c in cookies {
        resp.headers_mut().append("set-cookie", c)?;
    }
    Ok(resp)
}

async fn log(db: &D1Database, event: Event) -> ApiResult<()> {
    audit::append(db, event, now_ms()).await
}

fn user_event(action: &'static str, outcome: &'static str, req: &Request, user: &UserRow) -> Event {
    let event = Event::new(action, outcome, &client_address(req)).target(user.id.clone());
    match user.principal() {
        Ok(p) => event.by(&p),
        Err(_) => event,
    }
}

// ---- step 1: password -------------------------------------------------------------------------------------

pub async fn password(mut req: Request, env: &Env) -> ApiResult<Response> {
    let body: PasswordSignInRequest = json_body(&mut req).await?;
    let db = db(env)?;
    let now = now_ms();
    let address = client_address(&req);
    // Counted before anything is checked (one statement each), so parallel guesses cannot pass a limit together.
    let addr_key = format!("staff_addr:{}", address_bucket(&req));
    if throttles::STAFF_ADDR
        .exceeded(throttles::hit(&db, &addr_key, throttles::STAFF_ADDR, now).await?)
    {
        let event = Event::new("sign_in_password", "throttled_address", &address);
        log_anonymous(&db, &req, event, now).await?;
        return Err(ApiError::new(ErrorCode::TooManyAttempts));
    }
    let login_id = body.login_id.trim();
    let id_key = throttles::login_key(login_id);
    let id_count = throttles::hit(&db, &id_key, throttles::STAFF_LOGIN_ID, now).await?;
    let throttled = throttles::STAFF_LOGIN_ID.exceeded(id_count);
    let user = if login_id.is_empty() || login_id.len() > 254 || body.password.len() > 256 {
        None
    } else {
        accounts::by_login_id(&db, login_id).await?
    };
    // Unknown ID, wrong password and a sign-in ID past its limit answer alike (the same 401, one full derivation);
    // a lock or deactivation is told only to whoever has the right password.
    let hash = user
        .as_ref()
        .map_or(DUMMY_HASH, |u| u.password_hash.as_str());
    let password_ok = crypto::verify_password(&body.password, hash).await?;
    let Some(user) = user else {
        let event = Event::new("sign_in_password", "unknown_id", &address);
        log_anonymous(&db, &req, event, now).await?;
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    };
    if !password_ok {
        let outcome = if throttled {
            "failure_throttled"
        } else {
            "failure"
        };
        log_anonymous(
            &db,
            &req,
            user_event("sign_in_password", outcome, &req, &user),
            now,
        )
        .await?;
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    }
    // The right password is no failure of the address.
    throttles::refund(&db, &addr_key).await?;
    // Past the ID's limit the password alone proves little (it may be the guess that hit): only an active, unlocked
    // account that has a key goes on, and only to the key step. Anything else (no key yet, a password to change, a
    // lock, a deactivation) answers exactly like a wrong password, so a guess that hit learns nothing more.
    if throttled
        && (user.status != "active"
            || user.is_locked(now)
            || user.must_change_password != 0
            || credentials::count(&db, &user.id).await? == 0)
    {
        log(
            &db,
            user_event("sign_in_password", "throttled_no_key", &req, &user),
        )
        .await?;
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    }
    if user.status != "active" {
        log(
            &db,
            user_event("sign_in_password", "deactivated", &req, &user),
        )
        .await?;
        return Err(ApiError::new(ErrorCode::AccountDisabled));
    }
    if user.is_locked(now) {
        log(&db, user_event("sign_in_password", "locked", &req, &user)).await?;
        return Err(ApiError::new(ErrorCode::AccountLocked));
    }
    let pending = PendingRecord {
        user_id: user.id.clone(),
        stage: PendingStage::PasswordVerified,
        epoch: user.session_epoch,
        throttled,
    };
    let cookie = session::create_pending(env, &req, &pending).await?;
    let outcome = if throttled { "ok_throttled" } else { "ok" };
    log(&db, user_event("sign_in_password", outcome, &req, &user)).await?;
    let step = next_step(&req, &db, &user).await?;
    with_cookies(Response::from_json(&step)?, &[cookie])
}

/// After the password: change it (first sign-in), register a key (none yet), or prove a key.
async fn next_step(req: &Request, db: &D1Database, user: &UserRow) -> ApiResult<SignInStep> {
    if user.must_change_password != 0 {
        return Ok(SignInStep::ChangePassword);
    }
    if credentials::count(db, &user.id).await? == 0 {
        return Ok(SignInStep::RegisterCredential);
    }
    Ok(SignInStep::Webauthn {
        options_json: request_options(req, db, Some(user)).await?,
    })
}

/// Counts a failure against the account, locking it at the limit; returns the error to answer with.
async fn account_failure(
    db: &D1Database,
    req: &Request,
    user: &UserRow,
    action: &'static str,
) -> ApiResult<ApiError> {
    let count = accounts::record_failure(db, &user.id, now_ms()).await?;
    if count >= MAX_FAILURES {
        log(db, user_event(action, "failure_locked", req, user)).await?;
        return Ok(ApiError::new(ErrorCode::AccountLocked));
    }
    log(db, user_event(action, "failure", req, user)).await?;
    Ok(ApiError::new(ErrorCode::InvalidCredentials))
}

async fn signed_in(
    env: &Env,
    req: &Request,
    db: &D1Database,
    user: &UserRow,
    action: &'static str,
) -> ApiResult<Vec<String>> {
    accounts::clear_failures(db, &user.id).await?;
    throttles::clear(db, &throttles::login_key(&user.login_id)).await?;
    // A recovery code replaces a lost key: the session may add a new key without asserting with the lost one.
    let stepped_up = action == "sign_in_recovery_code";
    let cookie = session::create(env, req, user, now_ms(), stepped_up).await?;
    session::destroy_pending(env, req).await?;
    log(db, user_event(action, "ok", req, user)).await?;
    Ok(vec![
        cookie,
        session::clear_cookie(req, session::PENDING_COOKIE),
    ])
}

// ---- first sign-in: new password ----------------------------------------------------------------------------

pub async fn change_password(mut req: Request, env: &Env) -> ApiResult<Response> {
    let (_, user) = session::require_pending(env, &req).await?;
    if user.must_change_password == 0 {
        return Err(ApiError::new(ErrorCode::SignInStepRequired));
    }
    let body: ChangePasswordRequest = json_body(&mut req).await?;
    let db = db(env)?;
    if !crypto::verify_password(&body.current_password, &user.password_hash).await? {
        return Err(account_failure(&db, &req, &user, "password_change").await?);
    }
    let list = CommonPasswords::parse(COMMON_PASSWORDS_TEXT);
    let is_common = |p: &str| list.contains(p);
    let ctx = PasswordContext {
        sign_in_id: &user.login_id,
        current_password: Some(&body.current_password),
        confirmation: Some(&body.confirmation),
        is_common: &is_common,
    };
    let rules = check_password(&body.new_password, &ctx);
    if !rules.is_empty() {
        log(
            &db,
            user_event("password_change", "policy_rejected", &req, &user),
        )
        .await?;
        let mut body: ErrorBody = ErrorCode::PasswordPolicy.into();
        body.error.rules = rules;
        return Ok(Response::from_json(&body)?.with_status(ErrorCode::PasswordPolicy.http_status()));
    }
    let hash = crypto::hash_password(&body.new_password).await?;
    accounts::set_password(&db, &user.id, &hash, now_ms()).await?;
    log(&db, user_event("password_change", "ok", &req, &user)).await?;
    let user = accounts::by_id(&db, &user.id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::SignInStepRequired))?;
    Ok(Response::from_json(&next_step(&req, &db, &user).await?)?)
}

// ---- WebAuthn: options ----------------------------------------------------------------------------------------

/// `PublicKeyCredentialRequestOptionsJSON`: for a known user, their keys; for passkey-only sign-in, none
/// (discoverable credentials) and user verification required.
async fn request_options(
    req: &Request,
    db: &D1Database,
    user: Option<&UserRow>,
) -> ApiResult<String> {
    let challenge = match user {
        Some(u) => webauthn::new_challenge(db, Mark::User(&u.id), Purpose::Authenticate).await?,
        // No session yet: counted against the address.
        None => {
            webauthn::anonymous_challenge(req, db, Mark::Discoverable, ErrorCode::TooManyAttempts)
                .await?
        }
    };
    let (allow, uv) = match user {
        Some(u) => (
            credentials::ids(db, Holder::Staff, &u.id).await?,
            "preferred",
        ),
        None => (Vec::new(), "required"),
    };
    webauthn::request_options(req, &challenge, allow, uv)
}

/// Who is registering a key: the pending first sign-in (no key yet: the session starts when it is registered),
/// or a signed-in user adding one.
struct Registrant {
    user: UserRow,
    first_key: bool,
}

async fn registrant(env: &Env, req: &Request) -> ApiResult<Registrant> {
    if let Ok(Session { user, .. }) = session::require(env, req, now_ms()).await {
        return Ok(Registrant {
            user,
            first_key: false,
        });
    }
    let (_, user) = session::require_pending(env, req).await?;
    let db = db(env)?;
    if user.must_change_password != 0 || credentials::count(&db, &user.id).await? > 0 {
        return Err(ApiError::new(ErrorCode::SignInStepRequired));
    }
    Ok(Registrant {
        user,
        first_key: true,
    })
}

/// A signed-in user adds a key only after a step-up in this session (`POST /api/me/step-up`): a stolen session
/// alone cannot plant a key.
fn step_up_required() -> ApiError {
    ApiError::with_reason(
        ErrorCode::StepUpRequired,
        "step_up",
        "adding a key needs a fresh step-up",
    )
}

pub async fn credential_options(req: Request, env: &Env) -> ApiResult<Response> {
    let who = registrant(env, &req).await?;
    if !who.first_key && !session::step_up_fresh(env, &req, now_ms()).await? {
        return Err(step_up_required());
    }
    let user = &who.user;
    let db = db(env)?;
    let challenge = webauthn::new_challenge(&db, Mark::User(&user.id), Purpose::Register).await?;
    webauthn::creation_options(
        &req,
        Creation {
            challenge: &challenge,
            user_handle: user.id.as_bytes(),
            name: &user.login_id,
            display_name: &user.display_name,
            exclude: credentials::ids(&db, Holder::Staff, &user.id).await?,
            requirement: "preferred",
        },
    )
}

pub async fn register_credential(mut req: Request, env: &Env) -> ApiResult<Response> {
    let who = registrant(env, &req).await?;
    let body: RegisterCredentialRequest = json_body(&mut req).await?;
    // Checked before the challenge is spent, so a bad name costs no second ceremony.
    let requested_name = optional_text_field(&body.name, 60, "name")?;
    let credential: RegistrationResponseJson = webauthn::parse(&body.credential_json)?;
    let db = db(env)?;
    let user = &who.user;
    // Spent before the ceremony: one step-up, one attempt at one key.
    if !who.first_key && !session::take_step_up(env, &req, now_ms()).await? {
        log(
            &db,
            user_event("credential_register", "step_up_required", &req, user),
        )
        .await?;
        return Err(step_up_required());
    }
    let ceremony = Ceremony::open(
        &req,
        &db,
        &credential.response.client_data_json,
        Mark::User(&user.id),
        Purpose::Register,
        false,
    )
    .await?;
    let registered = match ceremony.register(&credential) {
        Ok(r) => r,
        Err(e) => {
            log(&db, user_event("credential_register", e.code(), &req, user)).await?;
            return Err(webauthn::error(e));
        }
    };
    let count = credentials::count(&db, &user.id).await?;
    let name = match requested_name {
        n if n.is_empty() => format!("セキュリティキー {}", count + 1),
        n => n,
    };
    let now = now_ms();
    webauthn::store(&db, Holder::Staff, &user.id, &registered, &name, now).await?;
    log(&db, user_event("credential_register", "ok", &req, user)).await?;
    if !who.first_key {
        // The holder hears of every key added after the first, at their own address.
        let (subject, text) = mail::compose_key_added(&user.display_name, &name, now);
        if let Err(e) = mail::send_message(env, &user.email, &subject, &text).await {
            worker::console_log!("key-added notice for {} not sent: {e}", user.id);
        }
        return Ok(Response::from_json(&RegisterCredentialResponse {
            recovery_codes: Vec::new(),
            me: user.me()?,
        })?);
    }
    let codes = new_recovery_codes(&db, &user.id).await?;
    let cookies = signed_in(env, &req, &db, user, "sign_in").await?;
    let resp = Response::from_json(&RegisterCredentialResponse {
        recovery_codes: codes,
        me: user.me()?,
    })?;
    with_cookies(resp, &cookies)
}

fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

async fn new_recovery_codes(db: &D1Database, user_id: &str) -> ApiResult<Vec<String>> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        // 256 is a multiple of 32: every symbol equally likely.
        let raw: String = random_bytes::<10>()?
            .iter()
            .map(|b| RECOVERY_ALPHABET[(*b % 32) as usize] as char)
            .collect();
        codes.push(format!("{}-{}", &raw[..5], &raw[5..]));
    }
    let hashes: Vec<String> = codes
        .iter()
        .map(|code| sha256_hex(normalise_recovery_code(code).as_bytes()))
        .collect();
    accounts::replace_recovery_codes(db, user_id, &hashes).await?;
    Ok(codes)
}

// ---- step 2: assertion -------------------------------------------------------------------------------------------

pub async fn webauthn_options(req: Request, env: &Env) -> ApiResult<Response> {
    let (_, user) = session::require_pending(env, &req).await?;
    let db = db(env)?;
    match next_step(&req, &db, &user).await? {
        SignInStep::Webauthn { options_json } => webauthn::answer(options_json),
        _ => Err(ApiError::new(ErrorCode::SignInStepRequired)),
    }
}

/// Verifies an assertion for `user` (or, for passkey-only sign-in, whoever owns the credential) and advances the
/// stored counter with a conditional UPDATE, so two uses of one assertion cannot both win.
async fn verify_assertion(
    req: &Request,
    db: &D1Database,
    credential: &AuthenticationResponseJson,
    user: Option<&UserRow>,
) -> ApiResult<UserRow> {
    let id = webauthn::credential_id(credential)?;
    let row = credentials::key(db, Holder::Staff, &id).await?;
    let row = match (row, user) {
        (Some(r), Some(u)) if r.owner == u.id => r,
        (Some(r), None) => r,
        _ => return Err(webauthn::unknown_credential(Holder::Staff)),
    };
    // Without a prior identification the user handle is what names the account (WebAuthn §7.2 step 6).
    if user.is_none()
        && credential
            .response
            .user_handle
            .as_deref()
            .is_none_or(str::is_empty)
    {
        return Err(ApiError::with_reason(
            ErrorCode::WebauthnFailed,
            "user_handle_missing",
            "passkey assertion without a user handle",
        ));
    }
    let owner = match user {
        Some(u) => u.clone(),
        None => accounts::by_id(db, &row.owner)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::WebauthnFailed))?,
    };
    let mark = user.map_or(Mark::Discoverable, |u| Mark::User(&u.id));
    // Passkey-only sign-in stands for both factors: it must prove the user, not just presence.
    let ceremony = Ceremony::open(
        req,
        db,
        &credential.response.client_data_json,
        mark,
        Purpose::Authenticate,
        user.is_none(),
    )
    .await?;
    let handle = user.is_none().then_some(owner.id.as_bytes());
    let outcome = match ceremony.assert(credential, &row, handle)? {
        Ok(o) => o,
        Err(e) => {
            log(db, user_event("sign_in_webauthn", e.code(), req, &owner)).await?;
            return Err(webauthn::error(e));
        }
    };
    webauthn::advance(db, Holder::Staff, credential, &row, &outcome).await?;
    Ok(owner)
}

pub async fn webauthn(mut req: Request, env: &Env) -> ApiResult<Response> {
    let (_, user) = session::require_pending(env, &req).await?;
    let body: AssertionRequest = json_body(&mut req).await?;
    let credential: AuthenticationResponseJson = webauthn::parse(&body.credential_json)?;
    let db = db(env)?;
    if let Err(e) = verify_assertion(&req, &db, &credential, Some(&user)).await {
        if e.code == ErrorCode::WebauthnFailed {
            let _ = account_failure(&db, &req, &user, "sign_in_webauthn").await?;
        }
        return Err(e);
    }
    let cookies = signed_in(env, &req, &db, &user, "sign_in").await?;
    with_cookies(
        Response::from_json(&SignInStep::Done { me: user.me()? })?,
        &cookies,
    )
}

// ---- passkey-only sign-in ------------------------------------------------------------------------------------------

pub async fn passkey_options(req: Request, env: &Env) -> ApiResult<Response> {
    let db = db(env)?;
    webauthn::answer(request_options(&req, &db, None).await?)
}

pub async fn passkey(mut req: Request, env: &Env) -> ApiResult<Response> {
    let body: AssertionRequest = json_body(&mut req).await?;
    let credential: AuthenticationResponseJson = webauthn::parse(&body.credential_json)?;
    let db = db(env)?;
    let user = verify_assertion(&req, &db, &credential, None).await?;
    if user.status != "active" {
        return Err(ApiError::new(ErrorCode::AccountDisabled));
    }
    if user.is_locked(now_ms()) {
        return Err(ApiError::new(ErrorCode::AccountLocked));
    }
    if user.must_change_password != 0 {
        return Err(ApiError::new(ErrorCode::SignInStepRequired));
    }
    let cookies = signed_in(env, &req, &db, &user, "sign_in_passkey").await?;
    with_cookies(
        Response::from_json(&SignInStep::Done { me: user.me()? })?,
        &cookies,
    )
}

// ---- step-up: prove the account again before adding a key ---------------------------------------------------------

/// `POST /api/me/step-up/options`: request options naming the account's keys, or none (the password, for an
/// account with no key).
pub async fn step_up_options(c: Staff, req: Request) -> ApiResult<Response> {
    let options_json = if credentials::count(&c.core, &c.user.id).await? > 0 {
        Some(request_options(&req, &c.core, Some(&c.user)).await?)
    } else {
        None
    };
    Ok(Response::from_json(&StepUpOptions { options_json })?)
}

/// `POST /api/me/step-up`: an assertion with one of the account's own keys (or, with no key, the password) marks
/// this session as stepped up for [`session::STEP_UP_SECS`]. A failure counts against the account like a failed
/// sign-in.
pub async fn step_up(c: Staff, mut req: Request, env: &Env) -> ApiResult<Response> {
    let body: StepUpRequest = json_body(&mut req).await?;
    let user = &c.user;
    let has_key = credentials::count(&c.core, &user.id).await? > 0;
    match (body.credential_json, body.password) {
        (Some(json), None) if has_key => {
            let credential: AuthenticationResponseJson = webauthn::parse(&json)?;
            if let Err(e) = verify_assertion(&req, &c.core, &credential, Some(user)).await {
                if e.code == ErrorCode::WebauthnFailed {
                    let _ = account_failure(&c.core, &req, user, "step_up").await?;
                }
                return Err(e);
            }
        }
        (None, Some(password)) if !has_key => {
            if password.len() > 256
                || !crypto::verify_password(&password, &user.password_hash).await?
            {
                return Err(account_failure(&c.core, &req, user, "step_up").await?);
            }
        }
        _ => {
            return Err(ApiError::with_reason(
                ErrorCode::ValidationFailed,
                if has_key {
                    "credential_json"
                } else {
                    "password"
                },
                "a key when the account has one, else the password",
            ))
        }
    }
    let now = now_ms();
    session::record_step_up(env, &req, now).await?;
    log(&c.core, user_event("step_up", "ok", &req, user)).await?;
    Ok(Response::from_json(&StepUpDone {
        valid_until: now + session::STEP_UP_SECS * 1000,
    })?)
}

// ---- recovery code instead of a key -------------------------------------------------------------------------------

pub async fn recovery(mut req: Request, env: &Env) -> ApiResult<Response> {
    let (pending, user) = session::require_pending(env, &req).await?;
    let body: RecoveryCodeRequest = json_body(&mut req).await?;
    let db = db(env)?;
    // A password that came past its ID's failure limit may only be followed by a key.
    if pending.throttled {
        log(
            &db,
            user_event("sign_in_recovery_code", "refused_throttled", &req, &user),
        )
        .await?;
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    }
    let code_hash = sha256_hex(normalise_recovery_code(&body.code).as_bytes());
    if !accounts::use_recovery_code(&db, &user.id, &code_hash, now_ms()).await? {
        return Err(account_failure(&db, &req, &user, "sign_in_recovery_code").await?);
    }
    let cookies = signed_in(env, &req, &db, &user, "sign_in_recovery_code").await?;
    with_cookies(
        Response::from_json(&SignInStep::Done { me: user.me()? })?,
        &cookies,
    )
}

// ---- sign-out -----------------------------------------------------------------------------------------------------------

pub async fn sign_out(req: Request, env: &Env) -> ApiResult<Response> {
    if let Ok(s) = session::require(env, &req, now_ms()).await {
        log(&db(env)?, user_event("sign_out", "ok", &req, &s.user)).await?;
    }
    session::destroy(env, &req).await?;
    session::destroy_pending(env, &req).await?;
    let cookies = [
        session::clear_cookie(&req, session::SESSION_COOKIE),
        session::clear_cookie(&req, session::PENDING_COOKIE),
    ];
    with_cookies(Response::empty()?.with_status(204), &cookies)
}

// ---- invitation link: set one's own password, then register a key ------------------------------------------------

pub async fn accept_invitation(mut req: Request, env: &Env) -> ApiResult<Response> {
    let body: shared::api::auth::AcceptInvitationRequest = json_body(&mut req).await?;
    let db = db(env)?;
    let token_hash = sha256_hex(body.token.trim().as_bytes());
    // Look first, consume only once the password is acceptable, so a typo in the password keeps the link usable.
    let user_id = accounts::invitation_user(&db, &token_hash, now_ms()).await?;
    let address = client_address(&req);
    let Some(user_id) = user_id else {
        let event = Event::new("invitation_accept", "invalid_or_expired", &address);
        log_anonymous(&db, &req, event, now_ms()).await?;
        return Err(ApiError::with_reason(
            ErrorCode::ChallengeExpired,
            "invitation",
            "invitation invalid",
        ));
    };
    let user = accounts::by_id(&db, &user_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::ChallengeExpired))?;
    if user.status != "active" {
        return Err(ApiError::new(ErrorCode::AccountDisabled));
    }
    let list = CommonPasswords::parse(COMMON_PASSWORDS_TEXT);
    let is_common = |p: &str| list.contains(p);
    let ctx = PasswordContext {
        sign_in_id: &user.login_id,
        current_password: None,
        confirmation: Some(&body.confirmation),
        is_common: &is_common,
    };
    let rules = check_password(&body.new_password, &ctx);
    if !rules.is_empty() {
        let mut err: ErrorBody = ErrorCode::PasswordPolicy.into();
        err.error.rules = rules;
        return Ok(Response::from_json(&err)?.with_status(ErrorCode::PasswordPolicy.http_status()));
    }
    if !accounts::use_invitation(&db, &token_hash, now_ms()).await? {
        return Err(ApiError::with_reason(
            ErrorCode::ChallengeExpired,
            "invitation",
            "invitation used concurrently",
        ));
    }
    let hash = crypto::hash_password(&body.new_password).await?;
    accounts::set_password(&db, &user.id, &hash, now_ms()).await?;
    log(&db, user_event("invitation_accept", "ok", &req, &user)).await?;
    let pending = PendingRecord {
        user_id: user.id.clone(),
        stage: PendingStage::PasswordVerified,
        epoch: user.session_epoch,
        throttled: false,
    };
    let cookie = session::create_pending(env, &req, &pending).await?;
    let user = accounts::by_id(&db, &user.id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::SignInStepRequired))?;
    with_cookies(
        Response::from_json(&next_step(&req, &db, &user).await?)?,
        &[cookie],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::b64url_decode;

    #[test]
    fn recovery_codes_normalise_case_and_separators() {
        assert_eq!(normalise_recovery_code(" abcde-fgh2k "), "ABCDEFGH2K");
    }

    #[test]
    fn the_dummy_hash_is_well_formed_so_unknown_ids_cost_a_full_derivation() {
        let parts: Vec<&str> = DUMMY_HASH.split('$').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[1], "100000");
        assert_eq!(b64url_decode(parts[2]).unwrap().len(), 16);
        assert_eq!(b64url_decode(parts[3]).unwrap().len(), 32);
    }
}
