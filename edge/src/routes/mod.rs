//! The `/api` router: path → method → handler, each path written once (a known path with another method is 405).
//! Handlers are thin: parse, authorise, call the store, answer. State-changing requests are refused here, once,
//! unless their `Origin` is ours.
//!
//! The router builds the caller once and hands it to the handler: `staff(…)` for staff routes (every route not
//! public), `admin(…)` for administration, `phone(…)` for the observed person's phone. A handler of a signed-in
//! route takes that type as its first argument, and the type can only be made from a verified session
//! ([`crate::caller`]). The public routes are the sign-in steps, invitations, `/api/health`, the phone's sign-in,
//! the bench routes, the test clock (404 unless enabled) and `POST /api/self-registrations` (the public page of
//! issue 21; throttled per address); `tests/api/access.test.mjs` checks every other route refuses a stranger.

use shared::error::ErrorCode;
use worker::{Context, Env, Method, Request, Response};

use crate::caller::{admin, approver, phone, staff};
use crate::error::{ApiError, ApiResult};
use crate::request::check_origin;

mod admin;
mod auth;
mod bench;
mod cases;
mod counts;
mod directory;
mod exports;
mod health;
mod institution;
mod me;
mod notifications;
mod observation;
mod observe_passkey;
mod self_registrations;
mod sync;
mod test_clock;

/// The method a path answers to, or 405.
fn only(method: &Method, allowed: Method) -> ApiResult<()> {
    if *method == allowed {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::MethodNotAllowed))
    }
}

pub async fn handle(req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    check_origin(&req)?;
    let path = req.path();
    let m = req.method();
    let segments: Vec<&str> = path.trim_start_matches("/api/").split('/').collect();
    use Method::{Delete, Get, Patch, Post, Put};
    // Fail closed: without the audit chain's key nothing that would be audited is done (only the health check and
    // the bench routes, which audit nothing, answer).
    if !matches!(segments.as_slice(), ["health"] | ["bench", ..]) {
        crate::store::audit::require_key()?;
    }
    match segments.as_slice() {
        ["bench", "insert"] => {
            only(&m, Post)?;
            bench::insert(req, env).await
        }
        ["bench", "explain"] => {
            only(&m, Post)?;
            bench::enabled(env)?;
            bench::explain(staff(env, &req).await?, req).await
        }
        ["bench", "memory"] => {
            only(&m, Get)?;
            bench::memory(env)
        }
        ["bench", "select-all"] => {
            only(&m, Post)?;
            bench::enabled(env)?;
            bench::select_all(staff(env, &req).await?, req).await
        }
        ["bench", "export-plan"] => {
            only(&m, Post)?;
            bench::enabled(env)?;
            bench::export_plan(staff(env, &req).await?).await
        }
        ["test", "clock"] => {
            only(&m, Put)?;
            test_clock::set(req, env).await
        }
        ["test", "sql"] => {
            only(&m, Post)?;
            test_clock::sql(req, env).await
        }
        ["test", "settle"] => {
            only(&m, Post)?;
            test_clock::settle(env).await
        }
        ["test", "move"] => {
            only(&m, Post)?;
            test_clock::move_record(req, env).await
        }
        ["health"] => {
            only(&m, Get)?;
            health::get(env).await
        }
        ["auth", "password"] => {
            only(&m, Post)?;
            auth::password(req, env).await
        }
        ["auth", "password", "change"] => {
            only(&m, Post)?;
            auth::change_password(req, env).await
        }
        ["auth", "credentials", "options"] => {
            only(&m, Post)?;
            auth::credential_options(req, env).await
        }
        ["auth", "credentials"] => {
            only(&m, Post)?;
            auth::register_credential(req, env).await
        }
        ["auth", "webauthn", "options"] => {
            only(&m, Post)?;
            auth::webauthn_options(req, env).await
        }
        ["auth", "webauthn"] => {
            only(&m, Post)?;
            auth::webauthn(req, env).await
        }
        ["auth", "passkey", "options"] => {
            only(&m, Post)?;
            auth::passkey_options(req, env).await
        }
        ["auth", "passkey"] => {
            only(&m, Post)?;
            auth::passkey(req, env).await
        }
        ["auth", "recovery"] => {
            only(&m, Post)?;
            auth::recovery(req, env).await
        }
        ["auth", "signout"] => {
            only(&m, Post)?;
            auth::sign_out(req, env).await
        }
        ["invitations", "accept"] => {
            only(&m, Post)?;
            auth::accept_invitation(req, env).await
        }
        ["me"] => {
            only(&m, Get)?;
            me::get(staff(env, &req).await?).await
        }
        ["me", "draft-key"] => {
            only(&m, Get)?;
            me::draft_key(staff(env, &req).await?).await
        }
        ["me", "device-key"] => {
            only(&m, Post)?;
            sync::device_key(staff(env, &req).await?, req).await
        }
        ["sync"] => {
            only(&m, Post)?;
            sync::sync(staff(env, &req).await?, req, env, ctx).await
        }
        ["me", "step-up", "options"] => {
            only(&m, Post)?;
            auth::step_up_options(staff(env, &req).await?, req).await
        }
        ["me", "step-up"] => {
            only(&m, Post)?;
            auth::step_up(staff(env, &req).await?, req, env).await
        }
        ["me", "credentials"] => {
            only(&m, Get)?;
            me::credentials(staff(env, &req).await?).await
        }
        ["me", "credentials", id] => match m {
            Patch => me::rename_credential(staff(env, &req).await?, req, id).await,
            Delete => me::delete_credential(staff(env, &req).await?, req, id).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["admin", "accounts"] => match m {
            Get => admin::list_accounts(admin(env, &req).await?).await,
            Post => admin::create_account(admin(env, &req).await?, req).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["admin", "accounts", id, action] => {
            only(&m, Post)?;
            admin::account_action(admin(env, &req).await?, &req, env, id, action).await
        }
        ["admin", "requests"] => {
            only(&m, Get)?;
            admin::list_requests(approver(env, &req).await?).await
        }
        ["admin", "requests", id, decision] => {
            only(&m, Post)?;
            admin::decide_request(approver(env, &req).await?, &req, env, id, decision).await
        }
        ["admin", "institutions"] => match m {
            Get => admin::list_institutions(admin(env, &req).await?).await,
            Post => admin::create_institution(admin(env, &req).await?, req).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["admin", "audit"] => match m {
            Get => admin::audit_log(admin(env, &req).await?, req).await,
            Post => admin::audit_search(admin(env, &req).await?, req).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["admin", "audit", "verify"] => {
            only(&m, Get)?;
            admin::audit_verify(admin(env, &req).await?, env).await
        }
        ["notifications"] => match m {
            Get => notifications::list(staff(env, &req).await?).await,
            Post => notifications::file(staff(env, &req).await?, req, env, ctx).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["notifications", "duplicates"] => {
            only(&m, Post)?;
            notifications::duplicates(staff(env, &req).await?, req).await
        }
        ["notifications", id] => {
            only(&m, Get)?;
            notifications::get(staff(env, &req).await?, env, ctx, id).await
        }
        ["notifications", id, "transfer"] => {
            only(&m, Post)?;
            notifications::transfer(staff(env, &req).await?, req, env, ctx, id).await
        }
        ["observe", "signin"] => {
            only(&m, Post)?;
            observation::sign_in(req, env).await
        }
        ["observe", "signout"] => {
            only(&m, Post)?;
            observation::sign_out(req, env).await
        }
        ["observe", "passkey", "options"] => {
            only(&m, Post)?;
            observe_passkey::options(phone(env, &req).await?, req).await
        }
        ["observe", "passkey"] => {
            only(&m, Post)?;
            observe_passkey::register(phone(env, &req).await?, req).await
        }
        ["observe", "passkey", "signin", "options"] => {
            only(&m, Post)?;
            observe_passkey::sign_in_options(req, env).await
        }
        ["observe", "passkey", "signin"] => {
            only(&m, Post)?;
            observe_passkey::sign_in(req, env).await
        }
        ["observe", "me"] => {
            only(&m, Get)?;
            observation::me(phone(env, &req).await?).await
        }
        ["observe", "reports"] => {
            only(&m, Post)?;
            observation::reports(phone(env, &req).await?, req).await
        }
        ["self-registrations"] => match m {
            // Public: the person's page (no account); Origin checked above like every POST.
            Post => self_registrations::submit(req, env, ctx).await,
            Get => self_registrations::list(staff(env, &req).await?, req).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["self-registrations", id] => {
            only(&m, Get)?;
            self_registrations::get(staff(env, &req).await?, id).await
        }
        ["self-registrations", id, "confirm"] => {
            only(&m, Post)?;
            self_registrations::confirm(staff(env, &req).await?, id, env, ctx).await
        }
        ["self-registrations", id, "reject"] => {
            only(&m, Post)?;
            self_registrations::reject(staff(env, &req).await?, req, id).await
        }
        ["observation", "alerts"] => {
            only(&m, Get)?;
            observation::queue(staff(env, &req).await?, req).await
        }
        ["observation", "alerts", id, "handle"] => {
            only(&m, Post)?;
            observation::handle_alert(staff(env, &req).await?, req, id).await
        }
        ["dashboard"] => {
            only(&m, Get)?;
            observation::dashboard(staff(env, &req).await?).await
        }
        ["cases", id, "observation"] => match m {
            Get => observation::get(staff(env, &req).await?, id).await,
            Post => observation::start(staff(env, &req).await?, req, id).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["cases", id, "observation", "stop"] => {
            only(&m, Post)?;
            observation::stop(staff(env, &req).await?, id).await
        }
        ["cases"] => {
            only(&m, Post)?;
            cases::create(staff(env, &req).await?, req, env, ctx).await
        }
        ["cases", "search"] => {
            only(&m, Post)?;
            cases::search(staff(env, &req).await?, req, env, ctx).await
        }
        ["cases", "deleted"] => {
            only(&m, Get)?;
            cases::deleted(staff(env, &req).await?).await
        }
        ["cases", id] => {
            only(&m, Get)?;
            cases::get(staff(env, &req).await?, id).await
        }
        ["cases", id, "fhir"] => {
            only(&m, Get)?;
            cases::fhir(staff(env, &req).await?, id).await
        }
        ["cases", id, "tabs", tab] => {
            only(&m, Put)?;
            cases::update_tab(staff(env, &req).await?, req, env, ctx, id, tab).await
        }
        ["cases", id, "notification"] => {
            only(&m, Put)?;
            cases::edit_notification(staff(env, &req).await?, req, env, ctx, id).await
        }
        ["cases", id, "status"] => {
            only(&m, Post)?;
            cases::change_status(staff(env, &req).await?, req, env, ctx, id).await
        }
        ["cases", id, "status", "withdraw"] => {
            only(&m, Post)?;
            cases::withdraw_status(staff(env, &req).await?, req, env, ctx, id).await
        }
        ["cases", id, "delete"] => {
            only(&m, Post)?;
            cases::delete(staff(env, &req).await?, req, env, ctx, id).await
        }
        ["cases", id, "restore"] => {
            only(&m, Post)?;
            cases::restore(staff(env, &req).await?, env, ctx, id).await
        }
        ["daily-totals", "status", day] => {
            only(&m, Get)?;
            counts::daily_status(staff(env, &req).await?, day).await
        }
        ["daily-totals", day] => match m {
            Get => counts::daily_get(staff(env, &req).await?, day).await,
            Put => counts::daily_put(staff(env, &req).await?, req, day).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["sentinel", "sites"] => match m {
            Get => counts::sites(staff(env, &req).await?).await,
            Post => counts::designate(staff(env, &req).await?, req).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["sentinel", "sites", id, "end"] => {
            only(&m, Post)?;
            counts::end(staff(env, &req).await?, req, id).await
        }
        ["sentinel", "reports", week] => match m {
            Get => counts::week_get(staff(env, &req).await?, week).await,
            Put => counts::week_put(staff(env, &req).await?, req, week).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["counts"] => {
            only(&m, Get)?;
            counts::dashboard(staff(env, &req).await?, req).await
        }
        ["exports", "preview"] => {
            only(&m, Post)?;
            exports::preview(staff(env, &req).await?, req).await
        }
        ["exports", "download"] => {
            only(&m, Post)?;
            exports::download(staff(env, &req).await?, req).await
        }
        ["directory"] => {
            only(&m, Get)?;
            directory::list(staff(env, &req).await?).await
        }
        ["directory", "csv"] => match m {
            Get => directory::export(staff(env, &req).await?).await,
            Post => directory::import(staff(env, &req).await?, req, env, ctx).await,
            _ => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        },
        ["directory", id] => {
            only(&m, Put)?;
            directory::edit(staff(env, &req).await?, req, env, ctx, id).await
        }
        ["health-centers"] => {
            only(&m, Get)?;
            institution::health_centers(staff(env, &req).await?).await
        }
        ["institution"] => {
            only(&m, Get)?;
            institution::profile(staff(env, &req).await?).await
        }
        ["institution", "doctors"] => {
            only(&m, Post)?;
            institution::add_doctor(staff(env, &req).await?, req).await
        }
        ["institution", "doctors", id] => {
            only(&m, Delete)?;
            institution::remove_doctor(staff(env, &req).await?, id).await
        }
        _ => Err(ApiError::new(ErrorCode::NotFound)),
    }
}
