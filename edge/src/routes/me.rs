//! The signed-in user's own account: who am I, my security keys (list, rename, remove — never the last), and the
//! key that encrypts my drafts on the device.

use shared::api::auth::{CredentialList, CredentialSummary, RenameCredentialRequest};
use shared::api::notifications::DraftKey;
use shared::error::ErrorCode;
use worker::{Request, Response};

use crate::caller::Staff;
use crate::crypto::{b64url, random_bytes};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{client_address, json_body, text_field};
use crate::store::audit::{self, Event};
use crate::store::{accounts, credentials};

pub async fn get(s: Staff) -> ApiResult<Response> {
    Ok(Response::from_json(&s.user.me()?)?)
}

fn iso(ms: i64) -> String {
    chrono_like(ms)
}

/// ISO 8601 in UTC without pulling a date crate into the worker.
fn chrono_like(ms: i64) -> String {
    let d = worker::js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    d.to_iso_string().into()
}

pub async fn credentials(s: Staff) -> ApiResult<Response> {
    let credentials = credentials::list(&s.core, &s.user.id)
        .await?
        .into_iter()
        .map(|r| CredentialSummary {
            id: r.id,
            name: r.name,
            created_at: iso(r.created_at),
            last_used_at: r.last_used_at.map(iso),
        })
        .collect();
    Ok(Response::from_json(&CredentialList { credentials })?)
}

pub async fn rename_credential(s: Staff, mut req: Request, id: &str) -> ApiResult<Response> {
    let body: RenameCredentialRequest = json_body(&mut req).await?;
    let name = text_field(&body.name, 60, "name")?;
    if !credentials::rename(&s.core, &s.user.id, id, &name).await? {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    audit::append(
        &s.core,
        Event::new("credential_rename", "ok", &client_address(&req))
            .by(&s.principal)
            .target(id),
        now_ms(),
    )
    .await?;
    Ok(Response::empty()?.with_status(204))
}

pub async fn delete_credential(s: Staff, req: Request, id: &str) -> ApiResult<Response> {
    let removed = credentials::remove_unless_last(&s.core, &s.user.id, id).await?;
    let event = Event::new("credential_remove", "ok", &client_address(&req))
        .by(&s.principal)
        .target(id);
    if !removed {
        // Nothing was deleted: either the key is not this user's (or does not exist), or it is their last one.
        let code = if credentials::owns(&s.core, &s.user.id, id).await? {
            ErrorCode::LastCredential
        } else {
            ErrorCode::NotFound
        };
        audit::append(
            &s.core,
            Event {
                outcome: "refused",
                ..event
            },
            now_ms(),
        )
        .await?;
        return Err(ApiError::new(code));
    }
    audit::append(&s.core, event, now_ms()).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `GET /api/me/draft-key`: created on first use; only its holder's session reads it.
pub async fn draft_key(s: Staff) -> ApiResult<Response> {
    let fresh = b64url(&random_bytes::<32>()?);
    let key = accounts::draft_key(&s.core, &s.principal.user_id, &fresh)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated))?;
    Ok(Response::from_json(&DraftKey { key })?)
}
