//! The user's own security keys: list, rename, add, remove (never the last one).

use dioxus::prelude::*;
use shared::api::auth::RenameCredentialRequest;

use crate::api;
use crate::components::alert::ErrorAlert;
use crate::components::doctor_list::DoctorList;
use crate::components::register_key::RegisterKey;
use crate::session::{RequireSignIn, SessionCtx};

#[component]
pub fn Account() -> Element {
    let clinic = use_context::<SessionCtx>()
        .me()
        .is_some_and(|m| m.role.files_notifications());
    rsx! {
        RequireSignIn {
            AccountKeys {}
            if clinic { section { class: "page", DoctorList {} } }
        }
    }
}

#[component]
fn AccountKeys() -> Element {
    let mut keys = use_resource(|| async { api::me::credentials().await });
    let mut error = use_signal(|| None::<String>);
    let mut adding = use_signal(|| false);
    let list = keys.read().clone();
    rsx! {
        section { class: "page",
            h1 { "セキュリティキー・パスキー" }
            ErrorAlert { message: error() }
            match list {
                None => rsx! { p { class: "loading", "読み込み中…" } },
                Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "{e.message()}" } },
                Some(Ok(list)) => rsx! {
                    ul { class: "key-list", "data-testid": "key-list",
                        for k in list.credentials {
                            KeyRow {
                                key: "{k.id}",
                                id: k.id.clone(),
                                name: k.name.clone(),
                                created_at: k.created_at.clone(),
                                last_used_at: k.last_used_at.clone(),
                                on_change: move |result: Result<(), String>| {
                                    match result {
                                        Ok(()) => { error.set(None); keys.restart(); }
                                        Err(m) => error.set(Some(m)),
                                    }
                                },
                            }
                        }
                    }
                },
            }
            if adding() {
                RegisterKey { first: false, on_done: move |_| { adding.set(false); keys.restart(); } }
            } else {
                button { class: "button secondary", onclick: move |_| adding.set(true), "キーを追加する" }
            }
        }
    }
}

#[component]
fn KeyRow(
    id: String,
    name: String,
    created_at: String,
    last_used_at: Option<String>,
    on_change: EventHandler<Result<(), String>>,
) -> Element {
    let mut new_name = use_signal(|| name.clone());
    let id_rename = id.clone();
    let id_delete = id.clone();
    let date = |s: &str| s.get(..10).unwrap_or(s).replace('-', "/");
    let used = last_used_at
        .as_deref()
        .map(date)
        .unwrap_or_else(|| "未使用".to_owned());
    rsx! {
        li { class: "key-row",
            div { class: "key-meta",
                input {
                    r#type: "text", maxlength: "60", "aria-label": "キーの名前",
                    value: "{new_name}", oninput: move |e| new_name.set(e.value()),
                }
                span { class: "muted", "登録 {date(&created_at)}・最終使用 {used}" }
            }
            div { class: "key-actions",
                button {
                    class: "button secondary small",
                    onclick: move |_| {
                        let id = id_rename.clone();
                        spawn(async move {
                            let body = RenameCredentialRequest { name: new_name() };
                            let r = api::me::rename_credential(&id, &body).await;
                            on_change.call(r.map_err(|e| e.message()));
                        });
                    },
                    "名前を保存"
                }
                button {
                    class: "button danger small",
                    onclick: move |_| {
                        let id = id_delete.clone();
                        spawn(async move {
                            let r = api::me::delete_credential(&id).await;
                            on_change.call(r.map_err(|e| e.message()));
                        });
                    },
                    "削除"
                }
            }
        }
    }
}
