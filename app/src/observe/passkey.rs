//! A passkey on the person's phone: registered once signed in with the slip, it opens the report next time with the
//! phone's screen lock (fingerprint, face or PIN) instead of the スマホ入力ID and birth date.

use dioxus::prelude::*;
use shared::api::auth::{AssertionRequest, RegisterCredentialRequest};

use super::ObsCtx;
use crate::api::{self, ApiFailure};

fn offline_or(e: &ApiFailure) -> String {
    match e {
        ApiFailure::Network => {
            "電波が届かないため操作できません。電波のある場所でもう一度お試しください。".into()
        }
        e => e.message(),
    }
}

/// On the sign-in screen: 「パスキーで開く」 for someone who registered one on this phone.
#[component]
pub fn PasskeySignIn() -> Element {
    let ctx = use_context::<ObsCtx>();
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let go = move |_| {
        if busy() {
            return;
        }
        busy.set(true);
        error.set(None);
        ctx.spawn(async move {
            let out = async {
                let o = api::observe::passkey_sign_in_options()
                    .await
                    .map_err(|e| offline_or(&e))?;
                let credential_json = api::get_assertion(&o.options_json).await?;
                api::observe::passkey_sign_in(&AssertionRequest { credential_json })
                    .await
                    .map_err(|e| offline_or(&e))
            }
            .await;
            busy.set(false);
            match out {
                Ok(me) => ctx.signed_in(me),
                Err(m) => error.set(Some(m)),
            }
        });
    };
    rsx! {
        div { class: "obs-passkey",
            button {
                class: "obs-btn obs-secondary",
                r#type: "button",
                disabled: busy(),
                "data-testid": "obs-passkey-signin",
                onclick: go,
                if busy() { "確認しています…" } else { "登録したパスキーで開く" }
            }
            p { class: "obs-small", "前回この端末でパスキーを登録した方は、画面ロック（指紋・顔・暗証番号）だけで開けます。" }
            if let Some(m) = error() {
                p { class: "obs-error", role: "alert", "data-testid": "obs-passkey-error", "{m}" }
            }
        }
    }
}

/// On the home screen, until one is registered: register a passkey for next time.
#[component]
pub fn PasskeyOffer() -> Element {
    let ctx = use_context::<ObsCtx>();
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let has = ctx.me.read().as_ref().is_some_and(|m| m.has_passkey);
    let register = move |_| {
        if busy() {
            return;
        }
        busy.set(true);
        error.set(None);
        let mut me = ctx.me;
        let mut flash = ctx.flash;
        ctx.spawn(async move {
            let out = async {
                let o = api::observe::passkey_options()
                    .await
                    .map_err(|e| offline_or(&e))?;
                let credential_json = api::create_credential(&o.options_json).await?;
                api::observe::register_passkey(&RegisterCredentialRequest {
                    credential_json,
                    name: String::new(),
                })
                .await
                .map_err(|e| offline_or(&e))
            }
            .await;
            busy.set(false);
            match out {
                Ok(m) => {
                    me.set(Some(m));
                    flash.set(Some(
                        "パスキーを登録しました。次回からは「登録したパスキーで開く」で開けます。"
                            .into(),
                    ));
                }
                Err(m) => error.set(Some(m)),
            }
        });
    };
    if has {
        return rsx! {};
    }
    rsx! {
        div { class: "obs-passkey obs-offer", "data-testid": "obs-passkey-offer",
            p { class: "obs-small",
                "次回からかんたんに：この端末にパスキーを登録すると、スマホ入力IDと生年月日を入力せずに、画面ロック（指紋・顔・暗証番号）で開けます。"
            }
            button {
                class: "obs-btn obs-secondary",
                r#type: "button",
                disabled: busy(),
                "data-testid": "obs-passkey-register",
                onclick: register,
                if busy() { "登録しています…" } else { "パスキーを登録する" }
            }
            if let Some(m) = error() {
                p { class: "obs-error", role: "alert", "{m}" }
            }
        }
    }
}
