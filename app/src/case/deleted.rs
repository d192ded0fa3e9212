//! 削除した記録: a health-center administrator's list of the area's deleted records, each with 復元.

use dioxus::prelude::*;
use shared::auth::Role;

use crate::api;
use crate::components::alert::ErrorAlert;
use crate::notification::records::jst;
use crate::session::{RequireSignIn, SessionCtx};
use crate::{text, Route};

#[component]
pub fn Deleted() -> Element {
    let allowed = use_context::<SessionCtx>()
        .me()
        .is_none_or(|m| m.role == Role::HealthCenterAdmin);
    rsx! {
        RequireSignIn {
            if allowed { DeletedRecords {} } else {
                section { class: "page",
                    h1 { "削除した記録" }
                    p { class: "alert", role: "alert", {text::NOT_PERMITTED} }
                    Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
                }
            }
        }
    }
}

#[component]
fn DeletedRecords() -> Element {
    let mut list = use_resource(|| async { api::cases::deleted().await });
    let mut restored = use_signal(Vec::<(String, String)>::new);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| None::<String>);
    rsx! {
        section { class: "page deleted-records", "data-testid": "deleted-page",
            h1 { "削除した記録" }
            p { class: "lead", "保健所の管轄で削除された記録です。「復元」すると一覧・検索に再び表示されます。" }
            for (id, name) in restored() {
                p { key: "{id}", class: "saved", role: "status", "data-testid": "restored",
                    "{name}さんの記録を復元しました。"
                    Link { to: Route::Record { id: id.clone() }, "開く" }
                }
            }
            ErrorAlert { message: error() }
            match list.read().clone() {
                None => rsx! { p { class: "loading", "読み込み中…" } },
                Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "{e.message()}" } },
                Some(Ok(l)) if l.items.is_empty() => rsx! { p { class: "notice", "data-testid": "no-deleted", "削除した記録はありません。" } },
                Some(Ok(l)) => rsx! {
                    ul { class: "record-list", "data-testid": "deleted-list",
                        for d in l.items {
                            li { key: "{d.summary.id}", class: "deleted-item", "data-id": "{d.summary.id}",
                                div { class: "deleted-main",
                                    span { class: "record-main", "{d.summary.name}" }
                                    span { class: "record-meta", "スマホ入力ID {d.summary.smartphone_id}・{d.summary.health_center_name}" }
                                    span { class: "record-meta", "削除 {jst(d.deleted_at)}（{d.deleted_by_name}）" }
                                }
                                button { r#type: "button", class: "button secondary", "data-testid": "restore-{d.summary.id}",
                                    disabled: busy().as_deref() == Some(d.summary.id.as_str()),
                                    onclick: {
                                        let id = d.summary.id.clone();
                                        let name = d.summary.name.clone();
                                        move |_| {
                                            let id = id.clone();
                                            let name = name.clone();
                                            busy.set(Some(id.clone()));
                                            spawn(async move {
                                                let r = api::cases::restore(&id).await;
                                                busy.set(None);
                                                match r {
                                                    Ok(_) => { error.set(None); restored.write().push((id, name)); list.restart(); }
                                                    Err(e) => error.set(Some(e.message())),
                                                }
                                            });
                                        }
                                    },
                                    "復元"
                                }
                            }
                        }
                    }
                },
            }
            Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
        }
    }
}
