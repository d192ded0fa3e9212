//! The device's encrypted store of drive-through records (see `app/js/vault.js` for the scheme and
//! ARCHITECTURE.md for the threat model). Everything personal goes through here; nothing is stored in plain text.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/vault.js")]
extern "C" {
    #[wasm_bindgen(js_name = vaultStatus)]
    async fn vault_status_js(user_id: &str) -> JsValue;
    #[wasm_bindgen(catch, js_name = vaultUnlockOnline)]
    async fn vault_unlock_online_js(user_id: &str, device_key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = vaultUnlockPasskey)]
    async fn vault_unlock_passkey_js(user_id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = vaultPut)]
    async fn vault_put_js(
        user_id: &str,
        id: &str,
        pending: bool,
        plaintext: &str,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = vaultGetAll)]
    async fn vault_get_all_js(user_id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = vaultDelete)]
    async fn vault_delete_js(user_id: &str, id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = vaultPendingCount)]
    async fn vault_pending_count_js(user_id: &str) -> JsValue;
    #[wasm_bindgen(catch, js_name = vaultWipe)]
    async fn vault_wipe_js(user_id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = deviceId)]
    pub fn device_id() -> String;
    #[wasm_bindgen(js_name = prfPending)]
    fn prf_pending() -> bool;
}

// The encrypted stores' shared helper. Naming it here also makes wasm-bindgen ship it beside vault.js,
// observe_queue.js and bridge.js, which import it (a snippet file is copied only when Rust names it).
#[wasm_bindgen(module = "/js/idb.js")]
extern "C" {
    #[wasm_bindgen(js_name = randomBytes)]
    fn random_bytes_js(n: u32) -> Vec<u8>;
}

/// Where the store stands for this user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VaultStatus {
    /// Open: records can be read and written.
    Unlocked,
    /// Locked; the user's passkey opens it without the network (WebAuthn PRF).
    LockedPasskey,
    /// Locked; only signing in online opens it (no PRF, and the device key was wiped: sign-out or 12 hours).
    LockedNeedOnline,
    /// Nothing stored for this user yet; signing in online creates the store.
    Empty,
}

pub async fn status(user_id: &str) -> VaultStatus {
    match vault_status_js(user_id).await.as_string().as_deref() {
        Some("unlocked") => VaultStatus::Unlocked,
        Some("locked_passkey") => VaultStatus::LockedPasskey,
        Some("locked_online") => VaultStatus::LockedNeedOnline,
        _ => VaultStatus::Empty,
    }
}

fn err(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// Opens (or creates) the store with the device key the server released (`POST /api/me/device-key`).
pub async fn unlock_online(user_id: &str, device_key: &str) -> Result<(), String> {
    vault_unlock_online_js(user_id, device_key)
        .await
        .map(|_| ())
        .map_err(err)
}

/// Opens the store offline with the user's passkey (user verification + PRF). Err: the DOMException name.
pub async fn unlock_passkey(user_id: &str) -> Result<(), String> {
    vault_unlock_passkey_js(user_id)
        .await
        .map(|_| ())
        .map_err(err)
}

/// Stores (encrypted) one record's JSON; `pending`: not yet confirmed by the server (kept in clear, with the id).
pub async fn put(user_id: &str, id: &str, pending: bool, plaintext: &str) -> Result<(), String> {
    vault_put_js(user_id, id, pending, plaintext)
        .await
        .map(|_| ())
        .map_err(err)
}

/// Every record's JSON (decrypted).
pub async fn get_all(user_id: &str) -> Result<Vec<String>, String> {
    let v = vault_get_all_js(user_id).await.map_err(err)?;
    let text = v.as_string().unwrap_or_else(|| "[]".into());
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

pub async fn delete(user_id: &str, id: &str) -> Result<(), String> {
    vault_delete_js(user_id, id).await.map(|_| ()).map_err(err)
}

/// Sign-out: the user's records, wrapped keys and kept device key go (one transaction). Err: it failed (what stays
/// is encrypted, and a kept key still expires after its 12 hours).
pub async fn wipe(user_id: &str) -> Result<(), String> {
    vault_wipe_js(user_id).await.map(|_| ()).map_err(err)
}

/// Records not yet confirmed by the server (readable while locked: it is a count, not data).
pub async fn pending_count(user_id: &str) -> u32 {
    vault_pending_count_js(user_id)
        .await
        .as_f64()
        .unwrap_or(0.0) as u32
}

/// Right after a sign-in whose passkey gave a PRF output: the store is opened (or created) at once and its key
/// wrapped under the passkey, so the passkey opens it offline from now on, even if the page is reloaded before
/// drive-through mode is opened (the PRF output lives only in this page's memory). Only for users who capture.
pub async fn enroll_after_sign_in(user_id: &str) {
    if !prf_pending() {
        return;
    }
    let body = shared::api::sync::DeviceKeyRequest {
        device_id: device_id(),
    };
    if let Ok(k) = crate::api::sync::device_key(&body).await {
        let _ = unlock_online(user_id, &k.key).await;
    }
}

/// Cryptographically random bytes (WebCrypto).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let v = random_bytes_js(N as u32);
    let mut out = [0u8; N];
    out.copy_from_slice(&v[..N]);
    out
}
