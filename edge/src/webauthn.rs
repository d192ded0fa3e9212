//! The WebAuthn ceremonies of both kinds of holder: staff keys ([`crate::routes`]' `auth`) and the passkeys of
//! phones under health observation (`observe_passkey`). One home for the relying party (from the request), the
//! challenges (created with a [`Mark`] saying whose ceremony they serve, claimed from clientDataJSON and spent
//! once), the options JSON, verification against the stored key, storing a new key and advancing the counter.
//! The SQL is in [`crate::store::credentials`].

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use shared::api::auth::WebauthnOptions;
use shared::error::ErrorCode;
use shared::webauthn::{
    alg, AuthenticationOutcome, AuthenticationResponseJson, CeremonyError, RegisteredCredential,
    RegistrationResponseJson, RelyingParty, StoredCredential,
};
use worker::{D1Database, Request, Response};

use crate::crypto::{b64url, b64url_decode, random_bytes};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{address_bucket, allowed_origins, json_error, rp_id};
use crate::store::credentials::{self, Holder, Key, NewKey};
use crate::store::throttles;

/// How long a challenge may be answered (also the options' `timeout`).
pub const CHALLENGE_MS: i64 = 5 * 60 * 1000;
/// The COSE algorithms we offer and accept.
pub const ALGORITHMS: [i64; 3] = [alg::ES256, alg::EDDSA, alg::RS256];

/// Whose ceremony a challenge serves. A challenge is spent only by a ceremony of the same mark, so a phone's
/// challenge cannot serve a staff ceremony, nor one account's another's, nor the reverse.
#[derive(Debug, Clone, Copy)]
pub enum Mark<'a> {
    /// A ceremony of this staff account (registering a key, or the second step of sign-in).
    User(&'a str),
    /// Staff passkey-only sign-in: no account known yet.
    Discoverable,
    /// A phone's passkey sign-in.
    PhoneSignIn,
    /// A phone registering a passkey for this record.
    PhoneRegister(&'a str),
}

impl Mark<'_> {
    /// What the challenge row stores (its `user_id` column).
    fn column(&self) -> Option<String> {
        match self {
            Mark::User(id) => Some((*id).to_owned()),
            Mark::Discoverable => None,
            Mark::PhoneSignIn => Some("observe".to_owned()),
            Mark::PhoneRegister(case_id) => Some(format!("observe:{case_id}")),
        }
    }
}

/// What a challenge is for.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    Register,
    Authenticate,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::Authenticate => "authenticate",
        }
    }
}

/// A failed ceremony as the API answers it.
pub fn error(e: CeremonyError) -> ApiError {
    ApiError::with_reason(ErrorCode::WebauthnFailed, e.code(), e.to_string())
}

/// The browser's credential JSON (a registration or an assertion), or `BAD_REQUEST`.
pub fn parse<T: DeserializeOwned>(credential_json: &str) -> ApiResult<T> {
    serde_json::from_str(credential_json)
        .map_err(|e| ApiError::with_detail(ErrorCode::BadRequest, json_error(&e)))
}

/// The id an assertion names, spelled as stored: the canonical base64url of its bytes (padding and non-zero
/// trailing bits, which clients may send, do not make another id); `BAD_REQUEST` for text that is no base64url.
pub fn credential_id(credential: &AuthenticationResponseJson) -> ApiResult<String> {
    shared::webauthn::b64::canonical("rawId", &credential.raw_id)
        .map_err(|e| ApiError::with_reason(ErrorCode::BadRequest, e.code(), e.to_string()))
}

/// A fresh challenge for a ceremony of `mark`, stored until spent or expired (expired ones are purged as new ones
/// are made, and by the cron).
pub async fn new_challenge(db: &D1Database, mark: Mark<'_>, purpose: Purpose) -> ApiResult<String> {
    let challenge = b64url(&random_bytes::<32>()?);
    let now = now_ms();
    credentials::insert_challenge(
        db,
        &challenge,
        mark.column().as_deref(),
        purpose.as_str(),
        now + CHALLENGE_MS,
        now,
    )
    .await?;
    Ok(challenge)
}

/// [`new_challenge`] for a caller without a session (passkey sign-in): each address may have
/// [`throttles::CHALLENGE_ADDR`] per window, then `refused` (a throttling code).
pub async fn anonymous_challenge(
    req: &Request,
    db: &D1Database,
    mark: Mark<'_>,
    refused: ErrorCode,
) -> ApiResult<String> {
    let key = format!("challenge:{}", address_bucket(req));
    let limit = throttles::CHALLENGE_ADDR;
    if limit.exceeded(throttles::hit(db, &key, limit, now_ms()).await?) {
        return Err(ApiError::new(refused));
    }
    new_challenge(db, mark, Purpose::Authenticate).await
}

/// The challenge a ceremony claims (read from its clientDataJSON); verification compares it byte for byte later.
fn claimed_challenge(client_data_json_b64: &str) -> ApiResult<String> {
    #[derive(Deserialize)]
    struct ClientData {
        challenge: String,
    }
    let bytes =
        b64url_decode(client_data_json_b64).ok_or_else(|| ApiError::new(ErrorCode::BadRequest))?;
    let cd: ClientData =
        serde_json::from_slice(&bytes).map_err(|_| ApiError::new(ErrorCode::BadRequest))?;
    // As issued (canonical), whatever spelling of its bytes the client echoed.
    shared::webauthn::b64::canonical("clientDataJSON.challenge", &cd.challenge)
        .map_err(|_| ApiError::new(ErrorCode::BadRequest))
}

/// The options of a registration ceremony (`PublicKeyCredentialCreationOptionsJSON`), answered as
/// [`WebauthnOptions`]. `requirement` is both `residentKey` and `userVerification`.
pub struct Creation<'a> {
    pub challenge: &'a str,
    pub user_handle: &'a [u8],
    pub name: &'a str,
    pub display_name: &'a str,
    pub exclude: Vec<String>,
    pub requirement: &'static str,
}

pub fn creation_options(req: &Request, c: Creation<'_>) -> ApiResult<Response> {
    let params: Vec<_> = ALGORITHMS
        .iter()
        .map(|a| json!({ "type": "public-key", "alg": a }))
        .collect();
    let options = json!({
        "challenge": c.challenge,
        "rp": { "id": rp_id(req)?, "name": shared::PRODUCT_NAME },
        "user": { "id": b64url(c.user_handle), "name": c.name, "displayName": c.display_name },
        "pubKeyCredParams": params,
        "timeout": CHALLENGE_MS,
        "attestation": "none",
        "excludeCredentials": descriptors(c.exclude),
        "authenticatorSelection": { "residentKey": c.requirement, "userVerification": c.requirement },
    });
    answer(options.to_string())
}

/// The options of an authentication ceremony (`PublicKeyCredentialRequestOptionsJSON`) as a string.
pub fn request_options(
    req: &Request,
    challenge: &str,
    allow: Vec<String>,
    user_verification: &str,
) -> ApiResult<String> {
    Ok(json!({
        "challenge": challenge,
        "rpId": rp_id(req)?,
        "allowCredentials": descriptors(allow),
        "userVerification": user_verification,
        "timeout": CHALLENGE_MS,
    })
    .to_string())
}

/// Options JSON as the API answers it.
pub fn answer(options_json: String) -> ApiResult<Response> {
    Ok(Response::from_json(&WebauthnOptions { options_json })?)
}

fn descriptors(ids: Vec<String>) -> Vec<serde_json::Value> {
    ids.into_iter()
        .map(|id| json!({ "type": "public-key", "id": id }))
        .collect()
}

/// A ceremony under way: the challenge it claimed, spent (so it serves once), and our relying party.
pub struct Ceremony {
    expected: Vec<u8>,
    rp_id: String,
    origins: Vec<String>,
    require_user_verification: bool,
}

impl Ceremony {
    /// Claims the challenge named in `client_data_json` and spends it: it must be of this mark and purpose, unused
    /// and unexpired, or `CHALLENGE_EXPIRED`.
    pub async fn open(
        req: &Request,
        db: &D1Database,
        client_data_json: &str,
        mark: Mark<'_>,
        purpose: Purpose,
        require_user_verification: bool,
    ) -> ApiResult<Self> {
        let claimed = claimed_challenge(client_data_json)?;
        let spent = credentials::consume_challenge(
            db,
            &claimed,
            mark.column().as_deref(),
            purpose.as_str(),
            now_ms(),
        )
        .await?;
        let expected = spent
            .and_then(|c| b64url_decode(&c))
            .ok_or_else(|| ApiError::new(ErrorCode::ChallengeExpired))?;
        Ok(Ceremony {
            expected,
            rp_id: rp_id(req)?,
            origins: allowed_origins(),
            require_user_verification,
        })
    }

    /// Verifies a registration (the error is the caller's to audit).
    pub fn register(
        &self,
        credential: &RegistrationResponseJson,
    ) -> Result<RegisteredCredential, CeremonyError> {
        let origins: Vec<&str> = self.origins.iter().map(String::as_str).collect();
        credential.verify(&self.relying_party(&origins), &self.expected)
    }

    /// Verifies an assertion against the stored key; `user_handle` is the handle the assertion must carry, if any.
    /// The outer error is ours (a bad stored key or id), the inner one the ceremony's (the caller's to audit).
    pub fn assert(
        &self,
        credential: &AuthenticationResponseJson,
        key: &Key,
        user_handle: Option<&[u8]>,
    ) -> ApiResult<Result<AuthenticationOutcome, CeremonyError>> {
        let public_key = b64url_decode(&key.public_key_cose)
            .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "stored key"))?;
        let id = b64url_decode(&credential_id(credential)?)
            .ok_or_else(|| ApiError::new(ErrorCode::BadRequest))?;
        let stored = StoredCredential {
            credential_id: &id,
            public_key_cose: &public_key,
            sign_count: u32::try_from(key.sign_count).unwrap_or(u32::MAX),
            backup_eligible: Some(key.backup_eligible != 0),
            user_handle,
        };
        let origins: Vec<&str> = self.origins.iter().map(String::as_str).collect();
        Ok(credential.verify(&self.relying_party(&origins), &self.expected, &stored))
    }

    fn relying_party<'a>(&'a self, origins: &'a [&'a str]) -> RelyingParty<'a> {
        RelyingParty {
            rp_id: &self.rp_id,
            allowed_origins: origins,
            require_user_verification: self.require_user_verification,
            allowed_algorithms: &ALGORITHMS,
        }
    }
}

/// The error for an assertion naming a key the holder's table does not have.
pub fn unknown_credential(holder: Holder) -> ApiError {
    let detail = match holder {
        Holder::Staff => "credential not registered for this account",
        Holder::Phone => "no observation passkey with this id",
    };
    ApiError::with_reason(ErrorCode::WebauthnFailed, "unknown_credential", detail)
}

/// Stores a verified new key for `owner` (`name` is shown in staff key lists; phones' keys have none);
/// `CONFLICT` if its id is taken.
pub async fn store(
    db: &D1Database,
    holder: Holder,
    owner: &str,
    registered: &RegisteredCredential,
    name: &str,
    now: i64,
) -> ApiResult<()> {
    let aaguid: String = registered
        .aaguid
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let key = NewKey {
        id: &b64url(&registered.credential_id),
        owner,
        public_key_cose: &b64url(&registered.public_key_cose),
        sign_count: i64::from(registered.sign_count),
        backup_eligible: registered.backup_eligible,
        created_at: now,
        name,
        aaguid: &aaguid,
    };
    if !credentials::insert(db, holder, &key).await? {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    Ok(())
}

/// Advances the key's stored counter after a verified assertion; `WEBAUTHN_FAILED` if it moved meanwhile (two
/// uses of one assertion cannot both win).
pub async fn advance(
    db: &D1Database,
    holder: Holder,
    credential: &AuthenticationResponseJson,
    key: &Key,
    outcome: &AuthenticationOutcome,
) -> ApiResult<()> {
    let id = credential_id(credential)?;
    let to = i64::from(outcome.new_sign_count);
    if credentials::advance_sign_count(db, holder, &id, key.sign_count, to, now_ms()).await? {
        return Ok(());
    }
    let (reason, detail) = match holder {
        Holder::Staff => ("sign_count_regressed", "concurrent use of the credential"),
        Holder::Phone => ("assertion_replayed", "sign count moved meanwhile"),
    };
    Err(ApiError::with_reason(
        ErrorCode::WebauthnFailed,
        reason,
        detail,
    ))
}
