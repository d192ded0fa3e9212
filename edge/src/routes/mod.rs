//! The `/api` router: method + path → handler. Handlers are thin: extract, authorise, call, respond.

use shared::error::ErrorCode;
use worker::{Env, Method, Request, Response};

use crate::error::{ApiError, ApiResult};

mod health;

pub async fn handle(req: Request, env: &Env) -> ApiResult<Response> {
    let path = req.path();
    match (req.method(), path.as_str()) {
        (Method::Get, "/api/health") => health::get(env).await,
        (_, "/api/health") => Err(ApiError::new(ErrorCode::MethodNotAllowed)),
        _ => Err(ApiError::new(ErrorCode::NotFound)),
    }
}
