//! Registering a security key or passkey: ask the edge for options, run the browser ceremony, send the result.
//! Used at first sign-in (the session starts and recovery codes are issued) and from the account page.

use dioxus::prelude::*;
use shared::api::auth::{RegisterCredentialRequest, RegisterCredentialResponse};

use crate::api;
use crate::components::action::use_action;
use crate::components::alert::ErrorAlert;

#[component]
pub fn RegisterKey(on_done: EventHandler<RegisterCredentialResponse>, first: bool) -> Element {
    let mut name = use_signal(String::new);
    let act = use_action();
    let register = move |e: FormEvent| {
        e.prevent_default();
        act.run(move || async move {
            let options = api::auth::credential_options()
                .await
                .map_err(|e| e.message())?;
            let credential_json = api::create_credential(&options.options_json).await?;
            let body = RegisterCredentialRequest {
                credential_json,
                name: name(),
            };
            let done = api::auth::register_credential(&body)
                .await
                .map_err(|e| e.message())?;
            on_done.call(done);
            Ok(())
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
            ErrorAlert { message: (act.error)() }
            button { class: "button", r#type: "submit", disabled: (act.busy)(),
                if (act.busy)() { "登録しています…" } else { "セキュリティキー・パスキーを登録する" }
            }
        }
    }
}
