//! Passkeys on the person's phone (issue 10): once signed in with the slip, a person may register a passkey so the
//! next report opens with the phone's screen lock instead of the スマホ入力ID and birth date. The credential belongs
//! to the record (user handle `obs:` + record id), never to a staff account; signing in with it still needs the
//! observation to be running, and starts the same limited phone session.

use serde::Deserialize;
use serde_json::json;
use shared::api::auth::{AssertionRequest, RegisterCredentialRequest, WebauthnOptions};
use shared::error::ErrorCode;
use shared::webauthn::{
    AuthenticationResponseJson, RegistrationResponseJson, RelyingParty, StoredCredential,
};
use worker::{D1Database, Env, Request, Response};

use super::auth::{
    claimed_challenge, consume_challenge, new_challenge, webauthn_error, ALGORITHMS, CHALLENGE_MS,
};
use crate::caller::{person_event, sign_phone_in, Phone};
use crate::crypto::{b64url, b64url_decode};
use crate::error::{ApiError, ApiResult};
use crate::platform::{bindings, now_ms};
use crate::request::{client_address, json_body, json_error, own_origin, rp_id};
use crate::store::audit;
use crate::store::f;
use crate::store::{observation, throttles};

/// Challenges of the phone's ceremonies are marked so a staff ceremony's challenge cannot serve here.
const SIGN_IN_MARK: &str = "observe";

fn db(env: &Env) -> ApiResult<D1Database> {
    Ok(env.d1(bindings::DB)?)
}

fn handle_of(case_id: &str) -> String {
    format!("obs:{case_id}")
}

fn register_mark(case_id: &str) -> String {
    format!("observe:{case_id}")
}

/// `POST /api/observe/passkey/options` (phone session): creation options for the holder's record.
pub async fn options(p: Phone, req: Request, env: &Env) -> ApiResult<Response> {
    let holder = p.holder.clone();
    let db = db(env)?;
    #[derive(Deserialize)]
    struct Row {
        id: String,
    }
    let existing: Vec<Row> = db
        .prepare("SELECT id FROM observe_credentials WHERE case_id = ?1")
        .bind(&[holder.as_str().into()])?
        .all()
        .await?
        .results()?;
    #[derive(Deserialize)]
    struct Sid {
        smartphone_id: String,
    }
    let sid: Option<Sid> = db
        .prepare("SELECT smartphone_id FROM cases WHERE id = ?1")
        .bind(&[holder.as_str().into()])?
        .first(None)
        .await?;
    // What the phone shows when choosing the passkey: no name, only the ID's last four digits.
    let tail: String = sid
        .map(|s| s.smartphone_id.chars().rev().take(4).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .rev()
        .collect();
    let label = format!("健康観察 ID末尾{tail}");
    let challenge = new_challenge(&db, Some(&register_mark(&holder)), "register").await?;
    let params: Vec<_> = ALGORITHMS
        .iter()
        .map(|a| json!({ "type": "public-key", "alg": a }))
        .collect();
    let exclude: Vec<_> = existing
        .into_iter()
        .map(|r| json!({ "type": "public-key", "id": r.id }))
        .collect();
    let options = json!({
        "challenge": challenge,
        "rp": { "id": rp_id(&req)?, "name": shared::PRODUCT_NAME },
        "user": { "id": b64url(handle_of(&holder).as_bytes()), "name": label, "displayName": label },
        "pubKeyCredParams": params,
        "timeout": CHALLENGE_MS,
        "attestation": "none",
        "excludeCredentials": exclude,
        "authenticatorSelection": { "residentKey": "required", "userVerification": "required" },
    });
    Ok(Response::from_json(&WebauthnOptions {
        options_json: options.to_string(),
    })?)
}

/// `POST /api/observe/passkey` (phone session): stores the new passkey for the holder's record.
pub async fn register(p: Phone, mut req: Request, env: &Env) -> ApiResult<Response> {
    let holder = p.holder.clone();
    let body: RegisterCredentialRequest = json_body(&mut req).await?;
    let credential: RegistrationResponseJson = serde_json::from_str(&body.credential_json)
        .map_err(|e| ApiError::with_detail(ErrorCode::BadRequest, json_error(&e)))?;
    let db = db(env)?;
    let now = now_ms();
    let claimed = claimed_challenge(&credential.response.client_data_json)?;
    let expected =
        consume_challenge(&db, &claimed, Some(&register_mark(&holder)), "register").await?;
    let origin = own_origin(&req)?;
    let rp_id = rp_id(&req)?;
    let origins = [origin.as_str()];
    let rp = RelyingParty {
        rp_id: &rp_id,
        allowed_origins: &origins,
        // It will stand in for the slip and the birth date: the phone must verify its user.
        require_user_verification: true,
        allowed_algorithms: &ALGORITHMS,
    };
    let hc = observation::active_holder(&db, &holder, now)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated))?;
    let registered = match credential.verify(&rp, &expected) {
        Ok(r) => r,
        Err(e) => {
            let event = person_event("observe_passkey_register", e.code(), &client_address(&req))
                .in_area(&holder, &hc);
            audit::append(&db, event, now).await?;
            return Err(webauthn_error(e));
        }
    };
    let inserted = db
        .prepare(
            "INSERT INTO observe_credentials (id, case_id, public_key_cose, sign_count, backup_eligible, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO NOTHING",
        )
        .bind(&[
            b64url(&registered.credential_id).into(),
            holder.as_str().into(),
            b64url(&registered.public_key_cose).into(),
            f(i64::from(registered.sign_count)),
            f(i64::from(registered.backup_eligible)),
            f(now),
        ])?
        .run()
        .await?;
    if inserted.meta()?.and_then(|m| m.changes).unwrap_or(0) != 1 {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    let event = person_event("observe_passkey_register", "success", &client_address(&req))
        .in_area(&holder, &hc);
    audit::append(&db, event, now).await?;
    Ok(Response::from_json(
        &observation::me_of(&db, &holder, now).await?,
    )?)
}

/// `POST /api/observe/passkey/signin/options`: a discoverable-credential request (no session needed).
pub async fn sign_in_options(req: Request, env: &Env) -> ApiResult<Response> {
    let db = db(env)?;
    let challenge = new_challenge(&db, Some(SIGN_IN_MARK), "authenticate").await?;
    let options = json!({
        "challenge": challenge,
        "rpId": rp_id(&req)?,
        "allowCredentials": [],
        "userVerification": "required",
        "timeout": CHALLENGE_MS,
    });
    Ok(Response::from_json(&WebauthnOptions {
        options_json: options.to_string(),
    })?)
}

/// `POST /api/observe/passkey/signin`: verifies the assertion against the record's stored passkey and starts the
/// phone session. Failures count against the address like wrong birth dates.
pub async fn sign_in(mut req: Request, env: &Env) -> ApiResult<Response> {
    let body: AssertionRequest = json_body(&mut req).await?;
    let credential: AuthenticationResponseJson = serde_json::from_str(&body.credential_json)
        .map_err(|e| ApiError::with_detail(ErrorCode::BadRequest, json_error(&e)))?;
    let db = db(env)?;
    let now = now_ms();
    let addr_key = format!("addr:{}", client_address(&req));
    if throttles::failures(&db, &addr_key, throttles::ADDR_WINDOW_MS, now).await?
        >= throttles::ADDR_MAX_FAILURES
    {
        return Err(ApiError::new(ErrorCode::ObserveTooManyAttempts));
    }
    match verify(&req, &db, &credential, now).await {
        Ok((case_id, hc)) => {
            sign_phone_in(env, &req, &db, &case_id, &hc, "observe_passkey_sign_in").await
        }
        Err(e) => {
            throttles::failure_statement(&db, &addr_key, throttles::ADDR_WINDOW_MS, now)?
                .run()
                .await?;
            audit::append(
                &db,
                person_event("observe_passkey_sign_in", "failure", &client_address(&req)),
                now,
            )
            .await?;
            Err(e)
        }
    }
}

/// The record and health center a valid assertion signs in to.
async fn verify(
    req: &Request,
    db: &D1Database,
    credential: &AuthenticationResponseJson,
    now: i64,
) -> ApiResult<(String, String)> {
    #[derive(Deserialize)]
    struct Row {
        case_id: String,
        public_key_cose: String,
        sign_count: i64,
        backup_eligible: i64,
    }
    let unknown = || {
        ApiError::with_reason(
            ErrorCode::WebauthnFailed,
            "unknown_credential",
            "no observation passkey with this id",
        )
    };
    let id = credential.raw_id.trim_end_matches('=');
    let row: Option<Row> = db
        .prepare(
            "SELECT case_id, public_key_cose, sign_count, backup_eligible FROM observe_credentials WHERE id = ?1",
        )
        .bind(&[id.into()])?
        .first(None)
        .await?;
    let row = row.ok_or_else(unknown)?;
    let claimed = claimed_challenge(&credential.response.client_data_json)?;
    let expected = consume_challenge(db, &claimed, Some(SIGN_IN_MARK), "authenticate").await?;
    let key = b64url_decode(&row.public_key_cose)
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "stored key"))?;
    let credential_id = b64url_decode(id).ok_or_else(|| ApiError::new(ErrorCode::BadRequest))?;
    let origin = own_origin(req)?;
    let rp_id = rp_id(req)?;
    let origins = [origin.as_str()];
    let rp = RelyingParty {
        rp_id: &rp_id,
        allowed_origins: &origins,
        require_user_verification: true,
        allowed_algorithms: &ALGORITHMS,
    };
    let handle = handle_of(&row.case_id);
    let stored = StoredCredential {
        credential_id: &credential_id,
        public_key_cose: &key,
        sign_count: u32::try_from(row.sign_count).unwrap_or(u32::MAX),
        backup_eligible: Some(row.backup_eligible != 0),
        user_handle: Some(handle.as_bytes()),
    };
    let outcome = credential
        .verify(&rp, &expected, &stored)
        .map_err(webauthn_error)?;
    let updated = db
        .prepare(
            "UPDATE observe_credentials SET sign_count = ?1, last_used_at = ?2 WHERE id = ?3 AND sign_count = ?4",
        )
        .bind(&[
            f(i64::from(outcome.new_sign_count)),
            f(now),
            id.into(),
            f(row.sign_count),
        ])?
        .run()
        .await?;
    if updated.meta()?.and_then(|m| m.changes).unwrap_or(0) != 1 {
        return Err(ApiError::with_reason(
            ErrorCode::WebauthnFailed,
            "assertion_replayed",
            "sign count moved meanwhile",
        ));
    }
    // The passkey outlives nothing: with the observation over (or stopped), it opens no session.
    let hc = observation::active_holder(db, &row.case_id, now)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::ObserveSignInFailed))?;
    Ok((row.case_id, hc))
}
