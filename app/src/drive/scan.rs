//! The camera part of result entry (`app/js/scan.js`): BarcodeDetector + getUserMedia, where the browser has them.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/scan.js")]
extern "C" {
    #[wasm_bindgen(js_name = scanSupported)]
    pub fn scan_supported() -> bool;
    #[wasm_bindgen(catch, js_name = scanStart)]
    async fn scan_start_js(video_id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = scanStop)]
    pub fn scan_stop();
}

/// The first QR code's text; Err: why not, in Japanese (`None` when stopped on purpose).
pub async fn scan(video_id: &str) -> Result<String, Option<String>> {
    match scan_start_js(video_id).await {
        Ok(v) => Ok(v.as_string().unwrap_or_default()),
        Err(e) => Err(match e.as_string().as_deref() {
            Some("stopped") => None,
            Some("NotAllowedError") => Some(
                "カメラの使用が許可されていません。ブラウザの設定で許可するか、検体コードを入力してください。"
                    .into(),
            ),
            Some("NotFoundError") | Some("OverconstrainedError") => {
                Some("カメラが見つかりません。検体コードを入力してください。".into())
            }
            _ => Some("カメラで読み取れませんでした。検体コードを入力してください。".into()),
        }),
    }
}
