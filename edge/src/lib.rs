//! The Cloudflare Worker: routes `/api/*` to Rust handlers on D1 and KV, serves the static app from the assets
//! binding for everything else, and puts the security headers on every response in one place ([`security`]).

use worker::{event, Context, Env, Request, Response, Result, ScheduleContext, ScheduledEvent};

mod access;
mod assets;
mod caller;
mod crypto;
mod error;
mod mail;
mod platform;
mod postal;
mod request;
mod routes;
mod security;
mod session;
mod store;
mod webauthn;

pub use error::ApiError;
use platform::{bindings, now_ms};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let is_api = security::is_api_path(&req.path());
    if let Err(e) = platform::prepare(&env).await {
        // The deployer's mistake, said in the log; the client gets the stable code and nothing else.
        worker::console_error!("configuration invalid: {e}");
        let response =
            ApiError::new(shared::error::ErrorCode::ConfigurationInvalid).into_response();
        return security::apply(response, true);
    }
    store::audit::use_key_of(&env);
    let response = if is_api {
        routes::handle(req, &env, &ctx)
            .await
            .unwrap_or_else(ApiError::into_response)
    } else {
        assets::serve(req, &env).await?
    };
    security::apply(response, is_api)
}

/// Rows each purge of the cron removes at most (a minute's run stays short; the next run continues).
const PURGE_MAX_ROWS: i64 = 1000;

/// The cron trigger (every minute): sends the notice e-mails that are due (first attempts and retries with backoff;
/// see [`mail`]), raises missed health-observation check-ins, purges expired WebAuthn challenges and idle throttle
/// counters, seals any audit entries a request left unsealed and anchors the chain's head in KV, and once a day
/// e-mails that head (see [`mail::send_audit_anchor`]).
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    if let Err(e) = platform::prepare(&env).await {
        worker::console_error!("configuration invalid: {e}");
        return;
    }
    store::audit::use_key_of(&env);
    // Unfinished moves of records between shards first: a record frozen by a move refuses the writes below.
    if let Ok(stores) = store::shards::Stores::new(&env) {
        if let Err(e) = store::moves::resume_all(&stores).await {
            worker::console_error!("record moves: {}", e.detail.unwrap_or_default());
        }
    }
    mail::deliver_due(&env).await;
    if let Ok(stores) = store::shards::Stores::new(&env) {
        for shard in stores.all().unwrap_or_default() {
            if let Err(e) = store::observation::sweep(&shard.db, None, now_ms()).await {
                worker::console_error!("observation sweep: {}", e.detail.unwrap_or_default());
            }
        }
    }
    if let Ok(db) = env.d1(bindings::DB) {
        let now = now_ms();
        if let Err(e) = store::credentials::purge_challenges(&db, now, PURGE_MAX_ROWS).await {
            worker::console_error!("challenge purge: {}", e.detail.unwrap_or_default());
        }
        if let Err(e) = store::throttles::purge(&db, now, PURGE_MAX_ROWS).await {
            worker::console_error!("throttle purge: {}", e.detail.unwrap_or_default());
        }
        if let Err(e) = store::audit::settle(&env).await {
            worker::console_error!("audit seal: {}", e.detail.unwrap_or_default());
        }
        match store::audit::advance_anchor(&env, &db).await {
            Ok(Some(anchor)) => mail::send_audit_anchor(&env, &anchor).await,
            Ok(None) => {}
            Err(e) => worker::console_error!("audit anchor: {}", e.detail.unwrap_or_default()),
        }
    }
}
