//! The Cloudflare Worker: routes `/api/*` to Rust handlers on D1 and KV, serves the static app from the assets
//! binding for everything else, and puts the security headers on every response in one place ([`security`]).

use worker::{event, Context, Env, Request, Response, Result};

mod accounts;
mod audit;
mod crypto;
mod error;
mod request;
mod routes;
mod security;
mod session;

pub use error::ApiError;

/// Names of the bindings in `wrangler.toml`.
pub mod bindings {
    pub const DB: &str = "DB";
    pub const KV: &str = "KV";
    pub const ASSETS: &str = "ASSETS";
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let is_api = security::is_api_path(&req.path());
    let response = if is_api {
        routes::handle(req, &env)
            .await
            .unwrap_or_else(ApiError::into_response)
    } else {
        env.assets(bindings::ASSETS)?.fetch_request(req).await?
    };
    security::apply(response, is_api)
}

/// Milliseconds since the epoch, as the Worker's clock says.
pub fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}
