//! Sign-in (password, then a security key or passkey), first sign-in (password change, key registration, recovery
//! codes), passkey-only sign-in, recovery codes, sign-out. Every outcome is audited.

use serde::Deserialize;
use serde_json::json;
use shared::api::auth::{
    AssertionRequest, ChangePasswordRequest, PasswordSignInRequest, RecoveryCodeRequest,
    RegisterCredentialRequest, RegisterCredentialResponse, SignInStep, WebauthnOptions,
};
use shared::api::ErrorBody;
use shared::auth::password::{
    check_password, CommonPasswords, PasswordContext, COMMON_PASSWORDS_TEXT,
};
use shared::error::ErrorCode;
use shared::webauthn::{
    alg, AuthenticationResponseJson, RegistrationResponseJson, RelyingParty, StoredCredential,
};
use worker::{D1Database, Env, Request, Response};

use crate::crypto::{self, b64url, b64url_decode, random_bytes, sha256_hex};
use crate::error::{ApiError, ApiResult};
use crate::platform::{bindings, now_ms};
use crate::request::{
    client_address, json_body, json_error, optional_text_field, own_origin, rp_id,
};
use crate::session::{self, PendingRecord, PendingStage, Session};
use crate::store::accounts::{self, UserRow, LOCK_MS, MAX_FAILURES};
use crate::store::audit::{self, Event};

pub(super) const CHALLENGE_MS: i64 = 5 * 60 * 1000;
pub(super) const ALGORITHMS: [i64; 3] = [alg::ES256, alg::EDDSA, alg::RS256];
/// Failed sign-ins from one address within the window before it is refused for the rest of the window.
const ADDRESS_MAX_FAILURES: i64 = 50;
const ADDRESS_WINDOW_MS: i64 = 15 * 60 * 1000;
const RECOVERY_CODES: usize = 10;
const RECOVERY_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Never matches: compared against when the sign-in ID is unknown, so both cases cost the same.
const DUMMY_HASH: &str =
    "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

fn db(env: &Env) -> ApiResult<D1Database> {
    Ok(env.d1(bindings::DB)?)
}

fn with_cookies(mut resp: Response, cookies: &[String]) -> ApiResult<Response> {
    for c in cookies {
        resp.headers_mut().append("set-cookie", c)?;
    }
    Ok(resp)
}

pub(super) fn webauthn_error(e: shared::webauthn::CeremonyError) -> ApiError {
    ApiError::with_reason(ErrorCode::WebauthnFailed, e.code(), e.to_string())
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
    if address_failures(&db, &address, now).await? >= ADDRESS_MAX_FAILURES {
        log(
            &db,
            Event::new("sign_in_password", "throttled_address", &address),
        )
        .await?;
        return Err(ApiError::new(ErrorCode::TooManyAttempts));
    }
    let login_id = body.login_id.trim();
    let user = if login_id.is_empty() || login_id.len() > 254 || body.password.len() > 256 {
        None
    } else {
        accounts::by_login_id(&db, login_id).await?
    };
    let Some(user) = user else {
        crypto::verify_password(&body.password, DUMMY_HASH).await?;
        record_address_failure(&db, &address, now).await?;
        log(&db, Event::new("sign_in_password", "unknown_id", &address)).await?;
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    };
    if user.is_locked(now) {
        log(&db, user_event("sign_in_password", "locked", &req, &user)).await?;
        return Err(ApiError::new(ErrorCode::AccountLocked));
    }
    if !crypto::verify_password(&body.password, &user.password_hash).await? {
        record_address_failure(&db, &address, now).await?;
        return Err(account_failure(&db, &req, &user, "sign_in_password").await?);
    }
    if user.status != "active" {
        log(
            &db,
            user_event("sign_in_password", "deactivated", &req, &user),
        )
        .await?;
        return Err(ApiError::new(ErrorCode::AccountDisabled));
    }
    let pending = PendingRecord {
        user_id: user.id.clone(),
        stage: PendingStage::PasswordVerified,
        epoch: user.session_epoch,
    };
    let cookie = session::create_pending(env, &req, &pending).await?;
    log(&db, user_event("sign_in_password", "ok", &req, &user)).await?;
    let step = next_step(&req, &db, &user).await?;
    with_cookies(Response::from_json(&step)?, &[cookie])
}

/// After the password: change it (first sign-in), register a key (none yet), or prove a key.
async fn next_step(req: &Request, db: &D1Database, user: &UserRow) -> ApiResult<SignInStep> {
    if user.must_change_password != 0 {
        return Ok(SignInStep::ChangePassword);
    }
    if accounts::credential_count(db, &user.id).await? == 0 {
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
    #[derive(Deserialize)]
    struct After {
        failed_count: i64,
    }
    let now = now_ms();
    let after: Option<After> = db
        .prepare(
            // A lock that has run out starts the count afresh.
            "UPDATE users SET \
             failed_count = CASE WHEN locked_until > 0 AND locked_until <= ?4 THEN 1 ELSE failed_count + 1 END, \
             locked_until = CASE WHEN locked_until > 0 AND locked_until <= ?4 THEN 0 \
                                 WHEN failed_count + 1 >= ?2 THEN ?3 ELSE locked_until END \
             WHERE id = ?1 RETURNING failed_count",
        )
        .bind(&[
            user.id.as_str().into(),
            (MAX_FAILURES as f64).into(),
            ((now + LOCK_MS) as f64).into(),
            (now as f64).into(),
        ])?
        .first(None)
        .await?;
    let count = after.map_or(0, |a| a.failed_count);
    if count >= MAX_FAILURES {
        log(db, user_event(action, "failure_locked", req, user)).await?;
        return Ok(ApiError::new(ErrorCode::AccountLocked));
    }
    log(db, user_event(action, "failure", req, user)).await?;
    Ok(ApiError::new(ErrorCode::InvalidCredentials))
}

async fn address_failures(db: &D1Database, address: &str, now: i64) -> ApiResult<i64> {
    #[derive(Deserialize)]
    struct Row {
        count: i64,
        window_start: i64,
    }
    let row: Option<Row> = db
        .prepare("SELECT count, window_start FROM sign_in_failures_by_address WHERE address = ?1")
        .bind(&[address.into()])?
        .first(None)
        .await?;
    Ok(row
        .filter(|r| now - r.window_start < ADDRESS_WINDOW_MS)
        .map_or(0, |r| r.count))
}

async fn record_address_failure(db: &D1Database, address: &str, now: i64) -> ApiResult<()> {
    db.prepare(
        "INSERT INTO sign_in_failures_by_address (address, window_start, count) VALUES (?1, ?2, 1) \
         ON CONFLICT(address) DO UPDATE SET \
         count = CASE WHEN ?2 - window_start >= ?3 THEN 1 ELSE count + 1 END, \
         window_start = CASE WHEN ?2 - window_start >= ?3 THEN ?2 ELSE window_start END",
    )
    .bind(&[address.into(), (now as f64).into(), (ADDRESS_WINDOW_MS as f64).into()])?
    .run()
    .await?;
    Ok(())
}

async fn signed_in(
    env: &Env,
    req: &Request,
    db: &D1Database,
    user: &UserRow,
    action: &'static str,
) -> ApiResult<Vec<String>> {
    db.prepare("UPDATE users SET failed_count = 0 WHERE id = ?1")
        .bind(&[user.id.as_str().into()])?
        .run()
        .await?;
    let cookie = session::create(env, req, user, now_ms()).await?;
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
    db.prepare("UPDATE users SET password_hash = ?2, must_change_password = 0, updated_at = ?3 WHERE id = ?1")
        .bind(&[user.id.as_str().into(), hash.into(), (now_ms() as f64).into()])?
        .run()
        .await?;
    log(&db, user_event("password_change", "ok", &req, &user)).await?;
    let user = accounts::by_id(&db, &user.id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::SignInStepRequired))?;
    Ok(Response::from_json(&next_step(&req, &db, &user).await?)?)
}

// ---- WebAuthn: options ----------------------------------------------------------------------------------------

pub(super) async fn new_challenge(
    db: &D1Database,
    user_id: Option<&str>,
    purpose: &str,
) -> ApiResult<String> {
    let challenge = b64url(&random_bytes::<32>()?);
    db.prepare("INSERT INTO webauthn_challenges (challenge, user_id, purpose, expires_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(&[
            challenge.as_str().into(),
            user_id.map_or(wasm_bindgen::JsValue::NULL, Into::into),
            purpose.into(),
            ((now_ms() + CHALLENGE_MS) as f64).into(),
        ])?
        .run()
        .await?;
    Ok(challenge)
}

/// Consumes a challenge exactly once (a conditional UPDATE in D1); returns its bytes.
pub(super) async fn consume_challenge(
    db: &D1Database,
    challenge: &str,
    user_id: Option<&str>,
    purpose: &str,
) -> ApiResult<Vec<u8>> {
    #[derive(Deserialize)]
    struct Row {
        challenge: String,
    }
    let row: Option<Row> = db
        .prepare(
            "UPDATE webauthn_challenges SET used_at = ?1 \
             WHERE challenge = ?2 AND purpose = ?3 AND used_at IS NULL AND expires_at > ?1 \
             AND ((?4 IS NULL AND user_id IS NULL) OR user_id = ?4) RETURNING challenge",
        )
        .bind(&[
            (now_ms() as f64).into(),
            challenge.into(),
            purpose.into(),
            user_id.map_or(wasm_bindgen::JsValue::NULL, Into::into),
        ])?
        .first(None)
        .await?;
    row.and_then(|r| b64url_decode(&r.challenge))
        .ok_or_else(|| ApiError::new(ErrorCode::ChallengeExpired))
}

/// The challenge a ceremony claims (read from its clientDataJSON); verification compares it byte for byte later.
pub(super) fn claimed_challenge(client_data_json_b64: &str) -> ApiResult<String> {
    #[derive(Deserialize)]
    struct ClientData {
        challenge: String,
    }
    let bytes =
        b64url_decode(client_data_json_b64).ok_or_else(|| ApiError::new(ErrorCode::BadRequest))?;
    let cd: ClientData =
        serde_json::from_slice(&bytes).map_err(|_| ApiError::new(ErrorCode::BadRequest))?;
    Ok(cd.challenge.trim_end_matches('=').to_owned())
}

#[derive(Deserialize)]
struct CredentialIdRow {
    id: String,
}

async fn credential_ids(db: &D1Database, user_id: &str) -> ApiResult<Vec<String>> {
    let rows: Vec<CredentialIdRow> = db
        .prepare("SELECT id FROM credentials WHERE user_id = ?1 ORDER BY created_at")
        .bind(&[user_id.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// `PublicKeyCredentialRequestOptionsJSON`: for a known user, their keys; for passkey-only sign-in, none
/// (discoverable credentials) and user verification required.
async fn request_options(
    req: &Request,
    db: &D1Database,
    user: Option<&UserRow>,
) -> ApiResult<String> {
    let challenge = new_challenge(db, user.map(|u| u.id.as_str()), "authenticate").await?;
    let (allow, uv) = match user {
        Some(u) => (credential_ids(db, &u.id).await?, "preferred"),
        None => (Vec::new(), "required"),
    };
    let allow: Vec<_> = allow
        .into_iter()
        .map(|id| json!({ "type": "public-key", "id": id }))
        .collect();
    Ok(json!({
        "challenge": challenge,
        "rpId": rp_id(req)?,
        "allowCredentials": allow,
        "userVerification": uv,
        "timeout": CHALLENGE_MS,
    })
    .to_string())
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
    if user.must_change_password != 0 || accounts::credential_count(&db, &user.id).await? > 0 {
        return Err(ApiError::new(ErrorCode::SignInStepRequired));
    }
    Ok(Registrant {
        user,
        first_key: true,
    })
}

pub async fn credential_options(req: Request, env: &Env) -> ApiResult<Response> {
    let who = registrant(env, &req).await?;
    let user = &who.user;
    let db = db(env)?;
    let challenge = new_challenge(&db, Some(&user.id), "register").await?;
    let exclude: Vec<_> = credential_ids(&db, &user.id)
        .await?
        .into_iter()
        .map(|id| json!({ "type": "public-key", "id": id }))
        .collect();
    let params: Vec<_> = ALGORITHMS
        .iter()
        .map(|a| json!({ "type": "public-key", "alg": a }))
        .collect();
    let options = json!({
        "challenge": challenge,
        "rp": { "id": rp_id(&req)?, "name": shared::PRODUCT_NAME },
        "user": { "id": b64url(user.id.as_bytes()), "name": user.login_id, "displayName": user.display_name },
        "pubKeyCredParams": params,
        "timeout": CHALLENGE_MS,
        "attestation": "none",
        "excludeCredentials": exclude,
        "authenticatorSelection": { "residentKey": "preferred", "userVerification": "preferred" },
    });
    Ok(Response::from_json(&WebauthnOptions {
        options_json: options.to_string(),
    })?)
}

pub async fn register_credential(mut req: Request, env: &Env) -> ApiResult<Response> {
    let who = registrant(env, &req).await?;
    let body: RegisterCredentialRequest = json_body(&mut req).await?;
    // Checked before the challenge is spent, so a bad name costs no second ceremony.
    let requested_name = optional_text_field(&body.name, 60, "name")?;
    let credential: RegistrationResponseJson = serde_json::from_str(&body.credential_json)
        .map_err(|e| ApiError::with_detail(ErrorCode::BadRequest, json_error(&e)))?;
    let db = db(env)?;
    let user = &who.user;
    let claimed = claimed_challenge(&credential.response.client_data_json)?;
    let expected = consume_challenge(&db, &claimed, Some(&user.id), "register").await?;
    let origin = own_origin(&req)?;
    let rp_id = rp_id(&req)?;
    let origins = [origin.as_str()];
    let rp = RelyingParty {
        rp_id: &rp_id,
        allowed_origins: &origins,
        require_user_verification: false,
        allowed_algorithms: &ALGORITHMS,
    };
    let registered = match credential.verify(&rp, &expected) {
        Ok(r) => r,
        Err(e) => {
            log(&db, user_event("credential_register", e.code(), &req, user)).await?;
            return Err(webauthn_error(e));
        }
    };
    let count = accounts::credential_count(&db, &user.id).await?;
    let name = match requested_name {
        n if n.is_empty() => format!("セキュリティキー {}", count + 1),
        n => n,
    };
    let aaguid: String = registered
        .aaguid
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let inserted = db
        .prepare(
            "INSERT INTO credentials (id, user_id, public_key_cose, sign_count, backup_eligible, name, aaguid, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO NOTHING",
        )
        .bind(&[
            b64url(&registered.credential_id).into(),
            user.id.as_str().into(),
            b64url(&registered.public_key_cose).into(),
            (registered.sign_count as f64).into(),
            (registered.backup_eligible as i32 as f64).into(),
            name.into(),
            aaguid.into(),
            (now_ms() as f64).into(),
        ])?
        .run()
        .await?;
    if inserted.meta()?.and_then(|m| m.changes).unwrap_or(0) != 1 {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    log(&db, user_event("credential_register", "ok", &req, user)).await?;
    if !who.first_key {
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
    db.prepare("DELETE FROM recovery_codes WHERE user_id = ?1")
        .bind(&[user_id.into()])?
        .run()
        .await?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        // 256 is a multiple of 32: every symbol equally likely.
        let raw: String = random_bytes::<10>()?
            .iter()
            .map(|b| RECOVERY_ALPHABET[(*b % 32) as usize] as char)
            .collect();
        let code = format!("{}-{}", &raw[..5], &raw[5..]);
        db.prepare("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")
            .bind(&[
                user_id.into(),
                sha256_hex(normalise_recovery_code(&code).as_bytes()).into(),
            ])?
            .run()
            .await?;
        codes.push(code);
    }
    Ok(codes)
}

// ---- step 2: assertion -------------------------------------------------------------------------------------------

pub async fn webauthn_options(req: Request, env: &Env) -> ApiResult<Response> {
    let (_, user) = session::require_pending(env, &req).await?;
    let db = db(env)?;
    match next_step(&req, &db, &user).await? {
        SignInStep::Webauthn { options_json } => {
            Ok(Response::from_json(&WebauthnOptions { options_json })?)
        }
        _ => Err(ApiError::new(ErrorCode::SignInStepRequired)),
    }
}

#[derive(Deserialize)]
struct CredentialRow {
    user_id: String,
    public_key_cose: String,
    sign_count: i64,
    backup_eligible: i64,
}

async fn credential_row(db: &D1Database, id: &str) -> ApiResult<Option<CredentialRow>> {
    Ok(db
        .prepare("SELECT user_id, public_key_cose, sign_count, backup_eligible FROM credentials WHERE id = ?1")
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// Verifies an assertion for `user` (or, for passkey-only sign-in, whoever owns the credential) and advances the
/// stored counter with a conditional UPDATE, so two uses of one assertion cannot both win.
async fn verify_assertion(
    req: &Request,
    db: &D1Database,
    credential: &AuthenticationResponseJson,
    user: Option<&UserRow>,
) -> ApiResult<UserRow> {
    let id = credential.raw_id.trim_end_matches('=');
    let row = credential_row(db, id).await?;
    let row = match (row, user) {
        (Some(r), Some(u)) if r.user_id == u.id => r,
        (Some(r), None) => r,
        _ => {
            return Err(ApiError::with_reason(
                ErrorCode::WebauthnFailed,
                "unknown_credential",
                "credential not registered for this account",
            ))
        }
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
        None => accounts::by_id(db, &row.user_id)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::WebauthnFailed))?,
    };
    let claimed = claimed_challenge(&credential.response.client_data_json)?;
    let expected =
        consume_challenge(db, &claimed, user.map(|u| u.id.as_str()), "authenticate").await?;
    let key = b64url_decode(&row.public_key_cose)
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "stored key"))?;
    let credential_id = b64url_decode(id).ok_or_else(|| ApiError::new(ErrorCode::BadRequest))?;
    let origin = own_origin(req)?;
    let rp_id = rp_id(req)?;
    let origins = [origin.as_str()];
    let rp = RelyingParty {
        rp_id: &rp_id,
        allowed_origins: &origins,
        // Passkey-only sign-in stands for both factors: it must prove the user, not just presence.
        require_user_verification: user.is_none(),
        allowed_algorithms: &ALGORITHMS,
    };
    let stored = StoredCredential {
        credential_id: &credential_id,
        public_key_cose: &key,
        sign_count: u32::try_from(row.sign_count).unwrap_or(u32::MAX),
        backup_eligible: Some(row.backup_eligible != 0),
        user_handle: user.is_none().then_some(owner.id.as_bytes()),
    };
    let outcome = match credential.verify(&rp, &expected, &stored) {
        Ok(o) => o,
        Err(e) => {
            log(db, user_event("sign_in_webauthn", e.code(), req, &owner)).await?;
            return Err(webauthn_error(e));
        }
    };
    let updated = db
        .prepare("UPDATE credentials SET sign_count = ?1, last_used_at = ?2 WHERE id = ?3 AND sign_count = ?4")
        .bind(&[(outcome.new_sign_count as f64).into(), (now_ms() as f64).into(), id.into(), (row.sign_count as f64).into()])?
        .run()
        .await?;
    if updated.meta()?.and_then(|m| m.changes).unwrap_or(0) != 1 {
        return Err(ApiError::with_reason(
            ErrorCode::WebauthnFailed,
            "sign_count_regressed",
            "concurrent use of the credential",
        ));
    }
    Ok(owner)
}

pub async fn webauthn(mut req: Request, env: &Env) -> ApiResult<Response> {
    let (_, user) = session::require_pending(env, &req).await?;
    let body: AssertionRequest = json_body(&mut req).await?;
    let credential: AuthenticationResponseJson = serde_json::from_str(&body.credential_json)
        .map_err(|e| ApiError::with_detail(ErrorCode::BadRequest, json_error(&e)))?;
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
    Ok(Response::from_json(&WebauthnOptions {
        options_json: request_options(&req, &db, None).await?,
    })?)
}

pub async fn passkey(mut req: Request, env: &Env) -> ApiResult<Response> {
    let body: AssertionRequest = json_body(&mut req).await?;
    let credential: AuthenticationResponseJson = serde_json::from_str(&body.credential_json)
        .map_err(|e| ApiError::with_detail(ErrorCode::BadRequest, json_error(&e)))?;
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

// ---- recovery code instead of a key -------------------------------------------------------------------------------

pub async fn recovery(mut req: Request, env: &Env) -> ApiResult<Response> {
    let (_, user) = session::require_pending(env, &req).await?;
    let body: RecoveryCodeRequest = json_body(&mut req).await?;
    let db = db(env)?;
    let used = db
        .prepare("UPDATE recovery_codes SET used_at = ?1 WHERE user_id = ?2 AND code_hash = ?3 AND used_at IS NULL")
        .bind(&[
            (now_ms() as f64).into(),
            user.id.as_str().into(),
            sha256_hex(normalise_recovery_code(&body.code).as_bytes()).into(),
        ])?
        .run()
        .await?;
    if used.meta()?.and_then(|m| m.changes).unwrap_or(0) != 1 {
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
    #[derive(Deserialize)]
    struct Row {
        user_id: String,
    }
    let body: shared::api::auth::AcceptInvitationRequest = json_body(&mut req).await?;
    let db = db(env)?;
    let token_hash = sha256_hex(body.token.trim().as_bytes());
    // Look first, consume only once the password is acceptable, so a typo in the password keeps the link usable.
    let row: Option<Row> = db
        .prepare("SELECT user_id FROM invitations WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2")
        .bind(&[token_hash.as_str().into(), (now_ms() as f64).into()])?
        .first(None)
        .await?;
    let address = client_address(&req);
    let Some(row) = row else {
        log(
            &db,
            Event::new("invitation_accept", "invalid_or_expired", &address),
        )
        .await?;
        return Err(ApiError::with_reason(
            ErrorCode::ChallengeExpired,
            "invitation",
            "invitation invalid",
        ));
    };
    let user = accounts::by_id(&db, &row.user_id)
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
    let used = db
        .prepare("UPDATE invitations SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2")
        .bind(&[token_hash.as_str().into(), (now_ms() as f64).into()])?
        .run()
        .await?;
    if used.meta()?.and_then(|m| m.changes).unwrap_or(0) != 1 {
        return Err(ApiError::with_reason(
            ErrorCode::ChallengeExpired,
            "invitation",
            "invitation used concurrently",
        ));
    }
    let hash = crypto::hash_password(&body.new_password).await?;
    db.prepare("UPDATE users SET password_hash = ?2, must_change_password = 0, updated_at = ?3 WHERE id = ?1")
        .bind(&[user.id.as_str().into(), hash.into(), (now_ms() as f64).into()])?
        .run()
        .await?;
    log(&db, user_event("invitation_accept", "ok", &req, &user)).await?;
    let pending = PendingRecord {
        user_id: user.id.clone(),
        stage: PendingStage::PasswordVerified,
        epoch: user.session_epoch,
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
