//! Registering a security key or passkey: ask the edge for options, run the browser ceremony, send the result.
//! Used at first sign-in (the session starts and recovery codes are issued) and from the account page, where the
//! account is first proven again (a step-up: one of its keys, or the password when it has none), so that a session
//! alone cannot add a key.

use dioxus::prelude::*;
use shared::api::auth::{RegisterCredentialRequest, RegisterCredentialResponse, StepUpRequest};

use crate::api;
use crate::components::action::use_action;
use crate::components::alert::ErrorAlert;

#[component]
pub fn RegisterKey(on_done: EventHandler<RegisterCredentialResponse>, first: bool) -> Element {
    let mut name = use_signal(String::new);
    let mut password = use_signal(String::new);
    let mut need_password = use_signal(|| false);
    let act = use_action();
    let register = move |e: FormEvent| {
        e.prevent_default();
        act.run(move || async move {
            if !first {
                let o = api::me::step_up_options().await.map_err(|e| e.message())?;
                let body = match o.options_json {
                    Some(options) => StepUpRequest {
                        credential_json: Some(api::get_assertion(&options).await?),
                        password: None,
                    },
                    None if password().is_empty() => {
                        need_password.set(true);
                        return Err(
                            "本人確認のため、パスワードを入力してから、もう一度押してください。"
                                .to_owned(),
                        );
                    }
                    None => StepUpRequest {
                        credential_json: None,
                        password: Some(password()),
                    },
                };
                api::me::step_up(&body).await.map_err(|e| e.message())?;
            }
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
            if !first {
                p { "追加の前に本人確認をします。まず登録済みのキー（パスキー）で確認し、続けて新しいキーを登録します。" }
            }
            if need_password() {
                div { class: "field",
                    label { r#for: "step-up-password", "パスワード（本人確認）" }
                    input {
                        id: "step-up-password",
                        r#type: "password",
                        autocomplete: "current-password",
                        value: "{password}",
                        oninput: move |e| password.set(e.value()),
                    }
                }
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
