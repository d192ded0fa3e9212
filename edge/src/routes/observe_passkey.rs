//! Passkeys on the person's phone (issue 10): once signed in with the slip, a person may register a passkey so the
//! next report opens with the phone's screen lock instead of the スマホ入力ID and birth date. The credential belongs
//! to the record (user handle `obs:` + record id), never to a staff account; signing in with it still needs the
//! observation to be running, and starts the same limited phone session. The ceremonies are [`crate::webauthn`]'s;
//! their challenges are marked as the phone's, so a staff ceremony's challenge cannot serve here.

use shared::api::auth::{AssertionRequest, RegisterCredentialRequest};
use shared::error::ErrorCode;
use shared::webauthn::{AuthenticationResponseJson, RegistrationResponseJson};
use worker::{D1Database, Env, Request, Response};

use crate::caller::{log_anonymous, person_event, sign_phone_in, Phone};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{address_bucket, client_address, json_body};
use crate::store::credentials::{self, Holder};
use crate::store::shards::{each, Shard, Stores};
use crate::store::{audit, cases, db, observation, throttles};
use crate::webauthn::{self, Ceremony, Creation, Mark, Purpose};

fn handle_of(case_id: &str) -> String {
    format!("obs:{case_id}")
}

/// `POST /api/observe/passkey/options` (phone session): creation options for the holder's record.
pub async fn options(p: Phone, req: Request) -> ApiResult<Response> {
    let holder = p.holder.as_str();
    let existing = credentials::ids(&p.db, Holder::Phone, holder).await?;
    // What the phone shows when choosing the passkey: no name, only the ID's last four digits.
    let tail: String = cases::row(&p.db, holder)
        .await?
        .map(|c| c.smartphone_id.chars().rev().take(4).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .rev()
        .collect();
    let label = format!("健康観察 ID末尾{tail}");
    let challenge =
        webauthn::new_challenge(&p.core, Mark::PhoneRegister(holder), Purpose::Register).await?;
    // It will stand in for the slip and the birth date: a discoverable key, and the phone verifies its user.
    webauthn::creation_options(
        &req,
        Creation {
            challenge: &challenge,
            user_handle: handle_of(holder).as_bytes(),
            name: &label,
            display_name: &label,
            exclude: existing,
            requirement: "required",
        },
    )
}

/// `POST /api/observe/passkey` (phone session): stores the new passkey for the holder's record.
pub async fn register(p: Phone, mut req: Request) -> ApiResult<Response> {
    let holder = p.holder.as_str();
    let body: RegisterCredentialRequest = json_body(&mut req).await?;
    let credential: RegistrationResponseJson = webauthn::parse(&body.credential_json)?;
    let db = &p.db;
    let now = now_ms();
    // Challenges are the core's; the phone's keys live beside its record, in the shard.
    let ceremony = Ceremony::open(
        &req,
        &p.core,
        &credential.response.client_data_json,
        Mark::PhoneRegister(holder),
        Purpose::Register,
        true,
    )
    .await?;
    let hc = observation::active_holder(db, holder, now)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated))?;
    let audited = |outcome| {
        p.event("observe_passkey_register", outcome)
            .in_area(holder, &hc)
    };
    let registered = match ceremony.register(&credential) {
        Ok(r) => r,
        Err(e) => {
            audit::append(db, audited(e.code()), now).await?;
            return Err(webauthn::error(e));
        }
    };
    webauthn::store(db, Holder::Phone, holder, &registered, "", now).await?;
    audit::append(db, audited("ok"), now).await?;
    Ok(Response::from_json(
        &observation::me_of(db, holder, now).await?,
    )?)
}

/// `POST /api/observe/passkey/signin/options`: a discoverable-credential request (no session needed).
pub async fn sign_in_options(req: Request, env: &Env) -> ApiResult<Response> {
    let db = db(env)?;
    let challenge = webauthn::anonymous_challenge(
        &req,
        &db,
        Mark::PhoneSignIn,
        ErrorCode::ObserveTooManyAttempts,
    )
    .await?;
    webauthn::answer(webauthn::request_options(
        &req,
        &challenge,
        Vec::new(),
        "required",
    )?)
}

/// `POST /api/observe/passkey/signin`: verifies the assertion against the record's stored passkey and starts the
/// phone session. Failures count against the address like wrong birth dates.
pub async fn sign_in(mut req: Request, env: &Env) -> ApiResult<Response> {
    let body: AssertionRequest = json_body(&mut req).await?;
    let credential: AuthenticationResponseJson = webauthn::parse(&body.credential_json)?;
    let db = db(env)?;
    let now = now_ms();
    let address = client_address(&req);
    let addr_key = format!("addr:{}", address_bucket(&req));
    // Counted before the assertion is checked (see `observation::sign_in`); a success gives it back.
    if throttles::OBSERVE_ADDR
        .exceeded(throttles::hit(&db, &addr_key, throttles::OBSERVE_ADDR, now).await?)
    {
        let event = person_event("observe_passkey_sign_in", "throttled", &address);
        log_anonymous(&db, &req, event, now).await?;
        return Err(ApiError::new(ErrorCode::ObserveTooManyAttempts));
    }
    match verify(&req, &db, &Stores::new(env)?, &credential, now).await {
        Ok((case_id, hc, shard)) => {
            throttles::refund(&db, &addr_key).await?;
            sign_phone_in(
                env,
                &req,
                &shard.db,
                &case_id,
                &hc,
                "observe_passkey_sign_in",
            )
            .await
        }
        Err(e) => {
            let event = person_event("observe_passkey_sign_in", "failure", &address);
            log_anonymous(&db, &req, event, now).await?;
            Err(e)
        }
    }
}

/// The record and health center a valid assertion signs in to.
async fn verify(
    req: &Request,
    core: &D1Database,
    stores: &Stores,
    credential: &AuthenticationResponseJson,
    now: i64,
) -> ApiResult<(String, String, Shard)> {
    let id = webauthn::credential_id(credential)?;
    // The key is in the shard of its record: looked for in each.
    let shards = stores.all()?;
    let found = each(&shards, |shard| {
        credentials::key(&shard.db, Holder::Phone, &id)
    })
    .await?;
    let (shard, key) = shards
        .into_iter()
        .zip(found)
        .find_map(|(s, k)| k.map(|k| (s, k)))
        .ok_or_else(|| webauthn::unknown_credential(Holder::Phone))?;
    let db = &shard.db;
    let ceremony = Ceremony::open(
        req,
        core,
        &credential.response.client_data_json,
        Mark::PhoneSignIn,
        Purpose::Authenticate,
        true,
    )
    .await?;
    let handle = handle_of(&key.owner);
    let outcome = ceremony
        .assert(credential, &key, Some(handle.as_bytes()))?
        .map_err(webauthn::error)?;
    webauthn::advance(db, Holder::Phone, credential, &key, &outcome).await?;
    // The passkey outlives nothing: with the observation over (or stopped), it opens no session.
    let hc = observation::active_holder(db, &key.owner, now)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::ObserveSignInFailed))?;
    Ok((key.owner, hc, shard))
}
