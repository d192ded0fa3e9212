//! The `/api` router: method + path → handler. Handlers are thin: extract, authorise, call, respond.
//! State-changing requests are refused here, once, unless their `Origin` is ours.

use shared::error::ErrorCode;
use worker::{Env, Method, Request, Response};

use crate::error::{ApiError, ApiResult};
use crate::request::check_origin;

mod admin;
mod auth;
mod health;
mod me;

pub async fn handle(req: Request, env: &Env) -> ApiResult<Response> {
    check_origin(&req)?;
    let path = req.path();
    let method = req.method();
    let segments: Vec<&str> = path.trim_start_matches("/api/").split('/').collect();
    use Method::{Delete, Get, Patch, Post};
    match (method, segments.as_slice()) {
        (Get, ["health"]) => health::get(env).await,
        (Post, ["auth", "password"]) => auth::password(req, env).await,
        (Post, ["auth", "password", "change"]) => auth::change_password(req, env).await,
        (Post, ["auth", "credentials", "options"]) => auth::credential_options(req, env).await,
        (Post, ["auth", "credentials"]) => auth::register_credential(req, env).await,
        (Post, ["auth", "webauthn", "options"]) => auth::webauthn_options(req, env).await,
        (Post, ["auth", "webauthn"]) => auth::webauthn(req, env).await,
        (Post, ["auth", "passkey", "options"]) => auth::passkey_options(req, env).await,
        (Post, ["auth", "passkey"]) => auth::passkey(req, env).await,
        (Post, ["auth", "recovery"]) => auth::recovery(req, env).await,
        (Post, ["auth", "signout"]) => auth::sign_out(req, env).await,
        (Get, ["me"]) => me::get(req, env).await,
        (Get, ["me", "credentials"]) => me::credentials(req, env).await,
        (Patch, ["me", "credentials", id]) => {
            let id = (*id).to_owned();
            me::rename_credential(req, env, &id).await
        }
        (Delete, ["me", "credentials", id]) => {
            let id = (*id).to_owned();
            me::delete_credential(req, env, &id).await
        }
        (Post, ["invitations", "accept"]) => auth::accept_invitation(req, env).await,
        (Get, ["admin", "accounts"]) => admin::list_accounts(req, env).await,
        (Post, ["admin", "accounts"]) => admin::create_account(req, env).await,
        (Post, ["admin", "accounts", id, action]) => {
            let (id, action) = ((*id).to_owned(), (*action).to_owned());
            admin::account_action(req, env, &id, &action).await
        }
        (Get, ["admin", "institutions"]) => admin::list_institutions(req, env).await,
        (Post, ["admin", "institutions"]) => admin::create_institution(req, env).await,
        (Get, ["admin", "audit"]) => admin::audit_log(req, env).await,
        (Get, ["admin", "audit", "verify"]) => admin::audit_verify(req, env).await,
        (_, path) if known_path(path) => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        _ => Err(ApiError::new(ErrorCode::NotFound)),
    }
}

/// Paths that exist with some other method (for 405 rather than 404).
fn known_path(path: &[&str]) -> bool {
    matches!(
        path,
        ["health"]
            | [
                "auth",
                "password" | "credentials" | "webauthn" | "passkey" | "recovery" | "signout"
            ]
            | ["auth", "password", "change"]
            | ["auth", "credentials" | "webauthn" | "passkey", "options"]
            | ["me"]
            | ["me", "credentials"]
            | ["me", "credentials", _]
            | ["invitations", "accept"]
            | ["admin", "accounts" | "institutions" | "audit"]
            | ["admin", "accounts", _, _]
            | ["admin", "audit", "verify"]
    )
}
