//! The `/api` router: path → method → handler, each path written once (a known path with another method is 405).
//! Handlers are thin: extract, authorise, call, respond. State-changing requests are refused here, once, unless
//! their `Origin` is ours.

use shared::error::ErrorCode;
use worker::{Context, Env, Method, Request, Response};

use crate::error::{ApiError, ApiResult};
use crate::request::check_origin;

mod admin;
mod auth;
mod bench;
mod case_search;
mod cases;
mod health;
mod me;
mod notifications;
mod observation;
mod observe_passkey;
mod sync;

/// The method a path answers to, or 405.
fn only(method: &Method, allowed: Method) -> ApiResult<()> {
    if *method == allowed {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::MethodNotAllowed))
    }
}

/// The cron's pass over health observations (missed check-ins everywhere).
pub async fn sweep_observations(db: &worker::D1Database, now_ms: i64) -> ApiResult<()> {
    observation::sweep(db, None, now_ms).await
}

pub async fn handle(req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    check_origin(&req)?;
    let path = req.path();
    let m = req.method();
    let segments: Vec<&str> = path.trim_start_matches("/api/").split('/').collect();
    use Method::{Delete, Get, Patch, Post, Put};
    match segments.as_slice() {
        ["bench", "insert"] => only(&m, Post).map(|_| bench::insert(req, env))?.await,
        ["bench", "explain"] => only(&m, Post).map(|_| bench::explain(req, env))?.await,
        ["health"] => only(&m, Get).map(|_| health::get(env))?.await,
        ["auth", "password"] => only(&m, Post).map(|_| auth::password(req, env))?.await,
        ["auth", "password", "change"] => {
            only(&m, Post)
                .map(|_| auth::change_password(req, env))?
                .await
        }
        ["auth", "credentials", "options"] => {
            only(&m, Post)
                .map(|_| auth::credential_options(req, env))?
                .await
        }
        ["auth", "credentials"] => {
            only(&m, Post)
                .map(|_| auth::register_credential(req, env))?
                .await
        }
        ["auth", "webauthn", "options"] => {
            only(&m, Post)
                .map(|_| auth::webauthn_options(req, env))?
                .await
        }
        ["auth", "webauthn"] => only(&m, Post).map(|_| auth::webauthn(req, env))?.await,
        ["auth", "passkey", "options"] => {
            only(&m, Post)
                .map(|_| auth::passkey_options(req, env))?
                .await
        }
        ["auth", "passkey"] => only(&m, Post).map(|_| auth::passkey(req, env))?.await,
        ["auth", "recovery"] => only(&m, Post).map(|_| auth::recovery(req, env))?.await,
        ["auth", "signout"] => only(&m, Post).map(|_| auth::sign_out(req, env))?.await,
        ["invitations", "accept"] => {
            only(&m, Post)
                .map(|_| auth::accept_invitation(req, env))?
                .await
        }
        ["me"] => only(&m, Get).map(|_| me::get(req, env))?.await,
        ["me", "draft-key"] => {
            only(&m, Get)
                .map(|_| notifications::draft_key(req, env))?
                .await
        }
        ["me", "device-key"] => only(&m, Post).map(|_| sync::device_key(req, env))?.await,
        ["sync"] => only(&m, Post).map(|_| sync::sync(req, env, ctx))?.await,
        ["me", "credentials"] => only(&m, Get).map(|_| me::credentials(req, env))?.await,
        ["me", "credentials", id] => match m {
            Patch => me::rename_credential(req, env, id).await,
            Delete => me::delete_credential(req, env, id).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["admin", "accounts"] => match m {
            Get => admin::list_accounts(req, env).await,
            Post => admin::create_account(req, env).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["admin", "accounts", id, action] => {
            only(&m, Post)
                .map(|_| admin::account_action(req, env, id, action))?
                .await
        }
        ["admin", "institutions"] => match m {
            Get => admin::list_institutions(req, env).await,
            Post => admin::create_institution(req, env).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["admin", "audit"] => only(&m, Get).map(|_| admin::audit_log(req, env))?.await,
        ["admin", "audit", "verify"] => only(&m, Get).map(|_| admin::audit_verify(req, env))?.await,
        ["notifications"] => match m {
            Get => notifications::list(req, env).await,
            Post => notifications::file(req, env, ctx).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["notifications", "duplicates"] => {
            only(&m, Post)
                .map(|_| notifications::duplicates(req, env))?
                .await
        }
        ["notifications", id] => {
            only(&m, Get)
                .map(|_| notifications::get(req, env, ctx, id))?
                .await
        }
        ["notifications", id, "transfer"] => {
            only(&m, Post)
                .map(|_| notifications::transfer(req, env, ctx, id))?
                .await
        }
        ["observe", "signin"] => {
            only(&m, Post)
                .map(|_| observation::sign_in(req, env))?
                .await
        }
        ["observe", "signout"] => {
            only(&m, Post)
                .map(|_| observation::sign_out(req, env))?
                .await
        }
        ["observe", "passkey", "options"] => {
            only(&m, Post)
                .map(|_| observe_passkey::options(req, env))?
                .await
        }
        ["observe", "passkey"] => {
            only(&m, Post)
                .map(|_| observe_passkey::register(req, env))?
                .await
        }
        ["observe", "passkey", "signin", "options"] => {
            only(&m, Post)
                .map(|_| observe_passkey::sign_in_options(req, env))?
                .await
        }
        ["observe", "passkey", "signin"] => {
            only(&m, Post)
                .map(|_| observe_passkey::sign_in(req, env))?
                .await
        }
        ["observe", "me"] => only(&m, Get).map(|_| observation::me(req, env))?.await,
        ["observe", "reports"] => {
            only(&m, Post)
                .map(|_| observation::reports(req, env))?
                .await
        }
        ["observation", "alerts"] => only(&m, Get).map(|_| observation::queue(req, env))?.await,
        ["observation", "alerts", id, "handle"] => {
            only(&m, Post)
                .map(|_| observation::handle_alert(req, env, id))?
                .await
        }
        ["dashboard"] => {
            only(&m, Get)
                .map(|_| observation::dashboard(req, env))?
                .await
        }
        ["cases", id, "observation"] => match m {
            Get => observation::get(req, env, id).await,
            Post => observation::start(req, env, id).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["cases", id, "observation", "stop"] => {
            only(&m, Post)
                .map(|_| observation::stop(req, env, id))?
                .await
        }
        ["cases"] => only(&m, Post).map(|_| cases::create(req, env, ctx))?.await,
        ["cases", "search"] => only(&m, Post).map(|_| cases::search(req, env, ctx))?.await,
        ["cases", "deleted"] => only(&m, Get).map(|_| cases::deleted(req, env))?.await,
        ["cases", id] => only(&m, Get).map(|_| cases::get(req, env, id))?.await,
        ["cases", id, "tabs", tab] => {
            only(&m, Put)
                .map(|_| cases::update_tab(req, env, ctx, id, tab))?
                .await
        }
        ["cases", id, "notification"] => {
            only(&m, Put)
                .map(|_| cases::edit_notification(req, env, ctx, id))?
                .await
        }
        ["cases", id, "status"] => {
            only(&m, Post)
                .map(|_| cases::change_status(req, env, ctx, id))?
                .await
        }
        ["cases", id, "status", "withdraw"] => {
            only(&m, Post)
                .map(|_| cases::withdraw_status(req, env, ctx, id))?
                .await
        }
        ["cases", id, "delete"] => {
            only(&m, Post)
                .map(|_| cases::delete(req, env, ctx, id))?
                .await
        }
        ["cases", id, "restore"] => {
            only(&m, Post)
                .map(|_| cases::restore(req, env, ctx, id))?
                .await
        }
        ["health-centers"] => {
            only(&m, Get)
                .map(|_| notifications::health_centers(req, env))?
                .await
        }
        ["institution"] => {
            only(&m, Get)
                .map(|_| notifications::institution_profile(req, env))?
                .await
        }
        ["institution", "doctors"] => {
            only(&m, Post)
                .map(|_| notifications::add_doctor(req, env))?
                .await
        }
        ["institution", "doctors", id] => {
            only(&m, Delete)
                .map(|_| notifications::remove_doctor(req, env, id))?
                .await
        }
        _ => Err(ApiError::new(ErrorCode::NotFound)),
    }
}
