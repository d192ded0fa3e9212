//! The phone's encrypted store (`app/js/observe_queue.js`): reports not yet accepted by the server, and the list of
//! people this phone reports for (so the page opens offline). Values are AES-GCM encrypted with a non-extractable
//! key made on the device; ids are random. Nothing personal is stored anywhere else.

use serde::{Deserialize, Serialize};
use shared::api::observation::{ObserveMe, ReportUpload};
use shared::observation::ReportIssue;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/observe_queue.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = obsPut)]
    async fn obs_put(id: &str, plaintext: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = obsGetAll)]
    async fn obs_get_all() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = obsDelete)]
    async fn obs_delete(id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = obsWipe)]
    async fn obs_wipe() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = dropFragment)]
    pub fn drop_fragment();
}

/// One report kept on the phone until the server accepts it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub upload: ReportUpload,
    /// The server refused it: why (the person corrects it; it is not sent again unchanged).
    #[serde(default)]
    pub issues: Vec<ReportIssue>,
    pub saved_at: i64,
    /// Sends that got no answer in this page's life (0: the first send is still under way).
    #[serde(skip)]
    pub attempts: u32,
}

impl Queued {
    pub fn rejected(&self) -> bool {
        !self.issues.is_empty()
    }
    pub fn id(&self) -> &str {
        &self.upload.client_id
    }
}

const ME_ID: &str = "me";

fn report_key(client_id: &str) -> String {
    format!("r:{client_id}")
}

fn err(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// What the store holds: the last known list of people, and the waiting reports (oldest first).
pub async fn load() -> Result<(Option<ObserveMe>, Vec<Queued>), String> {
    let v = obs_get_all().await.map_err(err)?;
    let text = v.as_string().unwrap_or_else(|| "{}".into());
    let all: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let me = all.get(ME_ID).and_then(|t| serde_json::from_str(t).ok());
    let mut queue: Vec<Queued> = all
        .iter()
        .filter(|(k, _)| k.starts_with("r:"))
        .filter_map(|(_, t)| serde_json::from_str(t).ok())
        .collect();
    queue.sort_by_key(|q| q.saved_at);
    Ok((me, queue))
}

pub async fn put_me(me: &ObserveMe) -> Result<(), String> {
    let text = serde_json::to_string(me).map_err(|e| e.to_string())?;
    obs_put(ME_ID, &text).await.map(|_| ()).map_err(err)
}

pub async fn put_report(q: &Queued) -> Result<(), String> {
    let text = serde_json::to_string(q).map_err(|e| e.to_string())?;
    obs_put(&report_key(q.id()), &text)
        .await
        .map(|_| ())
        .map_err(err)
}

pub async fn delete_report(client_id: &str) -> Result<(), String> {
    obs_delete(&report_key(client_id))
        .await
        .map(|_| ())
        .map_err(err)
}

/// Sign-out: everything on the phone goes, the key included.
pub async fn wipe() -> Result<(), String> {
    obs_wipe().await.map(|_| ()).map_err(err)
}
