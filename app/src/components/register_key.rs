//! Registering a security key or passkey: ask the edge for options, run the browser ceremony, send the result.
//! Used at first sign-in (the session starts and recovery codes are issued) and from the account page.

use dioxus::prelude::*;
use shared::api::auth::{RegisterCredentialRequest, RegisterCredentialResponse, WebauthnOptions};

use crate::api;
use crate::components::alert::ErrorAlert;

#[component]
pub fn RegisterKey(on_done: EventHandler<RegisterCredentialResponse>, first: bool) -> Element {
    let mut name = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let register = move |e: FormEvent| {
        e.prevent_default();
        if busy() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn(async move {
            let result = async {
                let options: WebauthnOptions = api::post("/api/auth/credentials/options", &())
                    .await
                    .map_err(|e| e.message())?;
                let credential_json = api::create_credential(&options.options_json).await?;
                let body = RegisterCredentialRequest {
                    credential_json,
                    name: name(),
                };
                api::post::<_, RegisterCredentialResponse>("/api/auth/credentials", &body)
                    .await
                    .map_err(|e| e.message())
            }
            .await;
            busy.set(false);
            match result {
                Ok(done) => on_done.call(done),
                Err(message) => error.set(Some(message)),
            }
        });
    };
    rsx! {
        form { class: "form", onsubmit: register,
            if first {
                p { "サインインの2段階目に使うセキュリティキー（パソコン）またはパスキー（スマートフォン・タブレット）を登録します。登録すると、次回からはパスワードとこのキーでサインインします。" }
            }
            div { class: "field",
                label { r#for: "key-name", "キーの名前（任意）" }
                input {
                    id: "key-name",
                    r#type: "text",
                    maxlength: "60",
                    placeholder: "例：受付のタブレット",
                    value: "{name}",
                    oninput: move |e| name.set(e.value()),
                }
            }
            ErrorAlert { message: error() }
            button { class: "button", r#type: "submit", disabled: busy(),
                if busy() { "登録しています…" } else { "セキュリティキー・パスキーを登録する" }
            }
        }
    }
}
