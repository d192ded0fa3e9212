//! Every call to the edge's JSON API, in one module: one typed function per endpoint, in one submodule per area of
//! the edge (its handler files, `edge/src/routes/*.rs`), e.g. `api::observe::sign_in(&ObserveSignIn)`. Paths are
//! written only here (`cargo test -p xtask structure` refuses a `"/api` string anywhere else in `app/src`); the
//! generic `get`/`post`/`put`/`send` below are private to this module. Errors come back as the API's stable codes
//! with their Japanese messages, or as "no network".

use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::api::ErrorBody;
use shared::auth::PasswordRule;
use shared::error::ErrorCode;
use wasm_bindgen::prelude::*;

pub mod admin;
pub mod auth;
pub mod cases;
pub mod counts;
pub mod directory;
pub mod exports;
pub mod institution;
pub mod me;
pub mod notifications;
pub mod observation;
pub mod observe;
pub mod self_registrations;
pub mod sync;

#[wasm_bindgen(module = "/js/bridge.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = apiFetch)]
    async fn api_fetch(method: &str, path: &str, body: Option<String>) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = apiDownload)]
    async fn api_download(
        method: &str,
        path: &str,
        body: Option<String>,
        mode: &str,
        file_name: &str,
        own_name: bool,
        on_progress: &js_sys::Function,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = webauthnCreate)]
    async fn webauthn_create(options_json: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = webauthnGet)]
    async fn webauthn_get(options_json: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = webauthnSupported)]
    pub fn webauthn_supported() -> bool;
    #[wasm_bindgen(js_name = takeFragment)]
    pub fn take_fragment() -> String;
    #[wasm_bindgen(catch, js_name = draftSave)]
    async fn draft_save_js(
        key: &str,
        storage_key: &str,
        plaintext: &str,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = draftLoad)]
    async fn draft_load_js(key: &str, storage_key: &str) -> JsValue;
    #[wasm_bindgen(js_name = draftForget)]
    pub async fn draft_forget();
    #[wasm_bindgen(js_name = rememberUser)]
    pub fn remember_user(id: &str);
    #[wasm_bindgen(js_name = lastUser)]
    pub fn last_user() -> String;
    #[wasm_bindgen(js_name = draftRemove)]
    pub fn draft_remove(storage_key: &str);
    #[wasm_bindgen(js_name = randomKey)]
    pub fn random_key() -> String;
    #[wasm_bindgen(js_name = printPage)]
    pub fn print_page();
    #[wasm_bindgen(js_name = focusAfter)]
    pub fn focus_after(id: &str);
    #[wasm_bindgen(js_name = focusById)]
    pub fn focus_by_id(id: &str);
    /// Focuses a finding's field: its input (`id`), else the visible control of the field at `path` (or within
    /// it), else its section.
    #[wasm_bindgen(js_name = focusField)]
    pub fn focus_field(id: &str, path: &str, section: &str);
    #[wasm_bindgen(js_name = scrollToTop)]
    pub fn scroll_to_top();
    #[wasm_bindgen(js_name = revealMessage)]
    pub fn reveal_message(el: &web_sys::Element);
}

/// Encrypts and stores a draft on the device (see `draftSave` in bridge.js).
pub async fn draft_save(key: &str, storage_key: &str, plaintext: &str) -> bool {
    draft_save_js(key, storage_key, plaintext).await.is_ok()
}

/// The stored draft's text, or `None`.
pub async fn draft_load(key: &str, storage_key: &str) -> Option<String> {
    draft_load_js(key, storage_key)
        .await
        .as_string()
        .filter(|s| !s.is_empty())
}

#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// No answer: offline or the server is unreachable.
    Network,
    /// The API answered with an error body.
    Api {
        status: u16,
        code: Option<ErrorCode>,
        message: String,
        reason: Option<String>,
        rules: Vec<PasswordRule>,
        /// A refused notification's findings (field paths and messages).
        issues: Vec<shared::notification::validate::IssueView>,
        /// For `EDIT_CONFLICT`: who saved first, when, and what they changed.
        conflict: Option<Box<shared::api::cases::EditConflict>>,
    },
}

impl ApiFailure {
    pub fn message(&self) -> String {
        match self {
            ApiFailure::Network => {
                "サーバーに接続できません。通信状態を確認してください。".to_owned()
            }
            // A refused password lists every rule it breaks.
            ApiFailure::Api { message, rules, .. } => {
                let mut m = message.clone();
                for r in rules {
                    m.push(' ');
                    m.push_str(&r.message_ja());
                }
                m
            }
        }
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiFailure::Api { code, .. } => *code,
            ApiFailure::Network => None,
        }
    }

    /// The findings of a refused write (`VALIDATION_FAILED`), with their field paths.
    pub fn issues(&self) -> Vec<shared::notification::validate::IssueView> {
        match self {
            ApiFailure::Api { issues, .. } => issues.clone(),
            ApiFailure::Network => Vec::new(),
        }
    }

    /// The other editor's save that this write lost to (`EDIT_CONFLICT`).
    pub fn conflict(&self) -> Option<shared::api::cases::EditConflict> {
        match self {
            ApiFailure::Api { conflict, .. } => conflict.as_deref().cloned(),
            ApiFailure::Network => None,
        }
    }
}

pub type ApiResult<T> = Result<T, ApiFailure>;

async fn call(method: &str, path: &str, body: Option<String>) -> ApiResult<(u16, String)> {
    let out = api_fetch(method, path, body).await;
    crate::net::report(out.is_ok());
    let out = out.map_err(|_| ApiFailure::Network)?;
    let arr = js_sys::Array::from(&out);
    let status = arr.get(0).as_f64().unwrap_or(0.0) as u16;
    let text = arr.get(1).as_string().unwrap_or_default();
    if (200..300).contains(&status) {
        return Ok((status, text));
    }
    Err(failure(status, &text))
}

/// The failure a non-2xx answer's body describes.
fn failure(status: u16, text: &str) -> ApiFailure {
    match serde_json::from_str::<ErrorBody>(text) {
        Ok(b) => ApiFailure::Api {
            status,
            code: Some(b.error.code),
            message: b.error.message,
            reason: b.error.reason,
            rules: b.error.rules,
            issues: b.error.issues,
            conflict: b.error.conflict,
        },
        Err(_) => ApiFailure::Api {
            status,
            code: None,
            message: format!("サーバーが予期しない応答を返しました（{status}）。"),
            reason: None,
            rules: Vec::new(),
            issues: Vec::new(),
            conflict: None,
        },
    }
}

fn parse<T: DeserializeOwned>(text: &str) -> ApiResult<T> {
    serde_json::from_str(text).map_err(|_| unreadable())
}

/// Kept out of `parse`, which is instantiated once per answer type.
#[inline(never)]
fn unreadable() -> ApiFailure {
    ApiFailure::Api {
        status: 200,
        code: None,
        message: "サーバーの応答を読み取れませんでした。".to_owned(),
        reason: None,
        rules: Vec::new(),
        issues: Vec::new(),
        conflict: None,
    }
}

/// A static text file (e.g. the common-password list, the postal files); not the API.
pub async fn get_text(path: &str) -> ApiResult<String> {
    call("GET", path, None).await.map(|(_, text)| text)
}

async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    let (_, text) = call("GET", path, None).await?;
    parse(&text)
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    let json = serde_json::to_string(body).unwrap_or_default();
    let (_, text) = call("POST", path, Some(json)).await?;
    parse(&text)
}

async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    let json = serde_json::to_string(body).unwrap_or_default();
    let (_, text) = call("PUT", path, Some(json)).await?;
    parse(&text)
}

/// For endpoints that answer 204.
async fn send<B: Serialize>(method: &str, path: &str, body: Option<&B>) -> ApiResult<()> {
    let json = body.map(|b| serde_json::to_string(b).unwrap_or_default());
    call(method, path, json).await.map(|_| ())
}

/// Progress of a streamed download: rows and bytes received so far, and the rows announced (`x-export-count`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    pub rows: u64,
    pub bytes: u64,
    pub expected: Option<u64>,
}

/// What a streamed download received. `complete` is false when the stream was cut off or held fewer (or more) rows
/// than announced: then nothing was saved.
#[derive(Debug, Clone, PartialEq)]
pub struct Downloaded {
    pub progress: Progress,
    pub complete: bool,
    pub file_name: String,
}

/// How a download's rows are counted (`apiDownload` in bridge.js).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    /// A header line, then one row per record (newlines inside quoted cells are not row ends).
    Csv,
    /// One record per line.
    Lines,
}

/// The name a download is saved under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SaveAs<'a> {
    /// The answer's `Content-Disposition`, else this.
    Answer(&'a str),
    /// This, whatever the answer says.
    Own(&'a str),
}

/// Fetches a file from the API as a stream, reporting progress, and saves it (a Blob in memory, handed to the
/// browser's download) only when every announced row arrived.
async fn download<B: Serialize>(
    method: &str,
    path: &str,
    body: Option<&B>,
    rows: Rows,
    save_as: SaveAs<'_>,
    mut on_progress: impl FnMut(Progress) + 'static,
) -> ApiResult<Downloaded> {
    let json = body.map(|b| serde_json::to_string(b).unwrap_or_default());
    let progress = |rows: f64, bytes: f64, expected: f64| Progress {
        rows: rows as u64,
        bytes: bytes as u64,
        expected: (expected >= 0.0).then_some(expected as u64),
    };
    // Called from JavaScript, outside Dioxus: it carries the runtime so that the page's signals can be written.
    let runtime = dioxus::dioxus_core::Runtime::current();
    let callback = Closure::<dyn FnMut(f64, f64, f64)>::new(move |r, b, e| {
        let _guard = dioxus::dioxus_core::RuntimeGuard::new(runtime.clone());
        on_progress(progress(r, b, e))
    });
    let mode = match rows {
        Rows::Csv => "csv",
        Rows::Lines => "ndjson",
    };
    let (file_name, own) = match save_as {
        SaveAs::Answer(n) => (n, false),
        SaveAs::Own(n) => (n, true),
    };
    let out = api_download(
        method,
        path,
        json,
        mode,
        file_name,
        own,
        callback.as_ref().unchecked_ref(),
    )
    .await;
    drop(callback);
    crate::net::report(out.is_ok());
    let arr = js_sys::Array::from(&out.map_err(|_| ApiFailure::Network)?);
    let status = arr.get(0).as_f64().unwrap_or(0.0) as u16;
    if !(200..300).contains(&status) {
        return Err(failure(status, &arr.get(1).as_string().unwrap_or_default()));
    }
    Ok(Downloaded {
        progress: progress(
            arr.get(3).as_f64().unwrap_or(0.0),
            arr.get(4).as_f64().unwrap_or(0.0),
            arr.get(2).as_f64().unwrap_or(-1.0),
        ),
        complete: arr.get(5).as_bool().unwrap_or(false),
        file_name: arr.get(6).as_string().unwrap_or_default(),
    })
}

/// Runs `navigator.credentials.create`; the error is the DOMException name, in Japanese.
pub async fn create_credential(options_json: &str) -> Result<String, String> {
    webauthn_create(options_json)
        .await
        .map(|v| v.as_string().unwrap_or_default())
        .map_err(webauthn_message)
}

pub async fn get_assertion(options_json: &str) -> Result<String, String> {
    webauthn_get(options_json)
        .await
        .map(|v| v.as_string().unwrap_or_default())
        .map_err(webauthn_message)
}

fn webauthn_message(e: JsValue) -> String {
    match e.as_string().as_deref() {
        Some("NotAllowedError") => "セキュリティキー（パスキー）の操作が取り消されたか、時間切れになりました。もう一度お試しください。",
        Some("InvalidStateError") => "このセキュリティキーはすでに登録されています。別のキーを使ってください。",
        Some("NotSupportedError") => "この端末・ブラウザはセキュリティキー（パスキー）に対応していません。",
        Some("SecurityError") => "このアドレスではセキュリティキーを利用できません。IPアドレスではなくドメイン名（ローカルでは http://localhost:ポート番号）で開いてください。",
        _ => "セキュリティキー（パスキー）の操作に失敗しました。",
    }
    .to_owned()
}
