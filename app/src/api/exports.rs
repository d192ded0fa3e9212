//! Exports (`edge/src/routes/exports.rs`): the preview (scope, count, file name, downloads left) and the streamed
//! download of the file itself. Criteria travel in the body, never in the URL.

use shared::api::exports::{ExportKind, ExportPreview, ExportRequest};

use super::{download as stream, post, ApiResult, Downloaded, Progress, Rows, SaveAs};

/// `POST /api/exports/preview`.
pub async fn preview(request: &ExportRequest) -> ApiResult<ExportPreview> {
    post("/api/exports/preview", request).await
}

/// `POST /api/exports/download`: streamed, with progress; saved as `file_name` unless the answer names the file.
pub async fn download(
    request: &ExportRequest,
    file_name: &str,
    on_progress: impl FnMut(Progress) + 'static,
) -> ApiResult<Downloaded> {
    let rows = match request.kind {
        ExportKind::Fhir => Rows::Lines,
        ExportKind::Csv | ExportKind::OpenData => Rows::Csv,
    };
    stream(
        "POST",
        "/api/exports/download",
        Some(request),
        rows,
        SaveAs::Answer(file_name),
        on_progress,
    )
    .await
}
