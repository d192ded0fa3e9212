//! The signed-in user's own account: who am I, and my security keys (list, rename, remove — never the last).

use serde::Deserialize;
use shared::api::auth::{CredentialList, CredentialSummary, RenameCredentialRequest};
use shared::error::ErrorCode;
use worker::{Env, Request, Response};

use crate::caller::Staff;
use crate::error::{ApiError, ApiResult};
use crate::platform::{bindings, now_ms};
use crate::request::{client_address, json_body, text_field};
use crate::store::audit::{self, Event};

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

pub async fn credentials(s: Staff, env: &Env) -> ApiResult<Response> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        name: String,
        created_at: i64,
        last_used_at: Option<i64>,
    }
    let rows: Vec<Row> = env
        .d1(bindings::DB)?
        .prepare("SELECT id, name, created_at, last_used_at FROM credentials WHERE user_id = ?1 ORDER BY created_at")
        .bind(&[s.user.id.as_str().into()])?
        .all()
        .await?
        .results()?;
    let credentials = rows
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

pub async fn rename_credential(
    s: Staff,
    mut req: Request,
    env: &Env,
    id: &str,
) -> ApiResult<Response> {
    let body: RenameCredentialRequest = json_body(&mut req).await?;
    let name = text_field(&body.name, 60, "name")?;
    let db = env.d1(bindings::DB)?;
    let r = db
        .prepare("UPDATE credentials SET name = ?1 WHERE id = ?2 AND user_id = ?3")
        .bind(&[name.into(), id.into(), s.user.id.as_str().into()])?
        .run()
        .await?;
    if r.meta()?.and_then(|m| m.changes).unwrap_or(0) != 1 {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    audit::append(
        &db,
        Event::new("credential_rename", "ok", &client_address(&req))
            .by(&s.principal)
            .target(id),
        now_ms(),
    )
    .await?;
    Ok(Response::empty()?.with_status(204))
}

pub async fn delete_credential(s: Staff, req: Request, env: &Env, id: &str) -> ApiResult<Response> {
    let db = env.d1(bindings::DB)?;
    // One statement, so two concurrent removals cannot both pass the "not the last key" check.
    let r = db
        .prepare(
            "DELETE FROM credentials WHERE id = ?1 AND user_id = ?2 \
             AND (SELECT COUNT(*) FROM credentials WHERE user_id = ?2) > 1",
        )
        .bind(&[id.into(), s.user.id.as_str().into()])?
        .run()
        .await?;
    let event = Event::new("credential_remove", "ok", &client_address(&req))
        .by(&s.principal)
        .target(id);
    if r.meta()?.and_then(|m| m.changes).unwrap_or(0) != 1 {
        // Nothing was deleted: either the key is not this user's (or does not exist), or it is their last one.
        #[derive(Deserialize)]
        struct Owned {
            n: i64,
        }
        let owned: Option<Owned> = db
            .prepare("SELECT COUNT(*) AS n FROM credentials WHERE id = ?1 AND user_id = ?2")
            .bind(&[id.into(), s.user.id.as_str().into()])?
            .first(None)
            .await?;
        let code = if owned.is_some_and(|o| o.n > 0) {
            ErrorCode::LastCredential
        } else {
            ErrorCode::NotFound
        };
        audit::append(
            &db,
            Event {
                outcome: "refused",
                ..event
            },
            now_ms(),
        )
        .await?;
        return Err(ApiError::new(code));
    }
    audit::append(&db, event, now_ms()).await?;
    Ok(Response::empty()?.with_status(204))
}
