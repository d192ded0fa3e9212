//! The health-center directory (`edge/src/routes/directory.rs`): the prefecture's centers (or the caller's own),
//! an edit, the CSV export and import.

use serde::Serialize;
use shared::api::directory::{CenterEdit, Directory, DirectoryCenter, ImportResult};

use super::{download as stream, get, post, put, ApiResult, Downloaded, Rows, SaveAs};

/// `GET /api/directory`.
pub async fn list() -> ApiResult<Directory> {
    get("/api/directory").await
}

/// `PUT /api/directory/{id}`.
pub async fn edit(id: &str, body: &CenterEdit) -> ApiResult<DirectoryCenter> {
    put(&format!("/api/directory/{id}"), body).await
}

/// `GET /api/directory/csv`: saved as the answer names it.
pub async fn export(file_name: &str) -> ApiResult<Downloaded> {
    stream::<()>(
        "GET",
        "/api/directory/csv",
        None,
        Rows::Csv,
        SaveAs::Answer(file_name),
        |_| {},
    )
    .await
}

#[derive(Serialize)]
struct Import<'a> {
    csv: &'a str,
}

/// `POST /api/directory/csv`: all rows or none; the refusal's issues name row and column.
pub async fn import(csv: &str) -> ApiResult<ImportResult> {
    post("/api/directory/csv", &Import { csv }).await
}
