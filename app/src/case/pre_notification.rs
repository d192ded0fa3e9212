//! 発生届の提出前に使用 (manual 4.5): a clinic registers a person (ID管理: 氏名 and the health center in charge) →
//! 確認 → 登録 → 完了 with the スマホ入力ID, then records a test on the record's 検査 tab. When the result is
//! positive, the record's 発生届 tab opens the filing form pre-filled from what was entered here.

use dioxus::prelude::*;
use serde_json::{Map, Value};
use shared::api::cases::{CreateCase, Created};
use shared::case::tabs::{Tab, ID_FIELDS};
use shared::error::ErrorCode;

use crate::api::{self, ApiFailure};
use crate::case::field_id;
use crate::case::tab_form::{Fields, FindingsSummary, ReadView, TabForm};
use crate::components::alert::ErrorAlert;
use crate::components::health_centers::use_health_centers;
use crate::session::{RequireSignIn, SessionCtx};
use crate::{text, Route};

#[component]
pub fn PreNotification() -> Element {
    let allowed = use_context::<SessionCtx>()
        .me()
        .is_none_or(|m| m.role.files_notifications());
    rsx! {
        RequireSignIn {
            if allowed { Register {} } else {
                section { class: "page",
                    h1 { {text::ACTION_PRE} }
                    p { class: "alert", role: "alert", {text::NOT_PERMITTED} }
                    p { {text::NOT_PERMITTED_HINT} }
                    Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
                }
            }
        }
    }
}

#[derive(Clone, PartialEq)]
enum Stage {
    Edit,
    Confirm(Value),
    Done(Created),
}

#[component]
fn Register() -> Element {
    let session = use_context::<SessionCtx>();
    let own_hc = session
        .me()
        .and_then(|m| m.jurisdiction.health_center_id().map(str::to_owned))
        .unwrap_or_default();
    let form = TabForm::provide(|| Value::Object(Map::new()));
    let mut stage = use_signal(|| Stage::Edit);
    let mut hc = use_signal(|| own_hc.clone());
    let mut idem = use_signal(api::random_key);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let centers = use_health_centers();
    let options = centers();
    let hc_name = options
        .iter()
        .find(|(id, _)| *id == hc())
        .map(|(_, n)| n.clone())
        .unwrap_or_default();

    match stage() {
        Stage::Edit => rsx! {
            section { class: "page pre-notification form-root", "data-testid": "pre-form",
                h1 { {text::ACTION_PRE} }
                p { class: "lead", "はじめにID管理情報を登録します。氏名と担当保健所があれば登録できます。検査の情報は登録後に入力します。" }
                div { class: "tab-form",
                    h2 { class: "tab-form-title", "ID管理情報" }
                    FindingsSummary {}
                    div { class: "field",
                        label { class: "field-label", r#for: "pre-hc", "担当保健所（必須）" }
                        span { class: "field-hint", "医療機関を所管する保健所が選ばれています。" }
                        select { id: "pre-hc", class: "input", value: "{hc}", onchange: move |e| hc.set(e.value()),
                            if options.is_empty() { option { value: "{hc}", "{hc}" } }
                            for (id, name) in options.iter().cloned() {
                                option { key: "{id}", value: "{id}", selected: id == hc(), "{name}" }
                            }
                        }
                    }
                    Fields { fields: ID_FIELDS, prefix: String::new() }
                    ErrorAlert { message: error() }
                    div { class: "form-actions sticky-actions",
                        button { r#type: "button", class: "button primary", "data-testid": "pre-confirm",
                            onclick: move |_| {
                                if hc().is_empty() {
                                    error.set(Some("担当保健所を選んでください。".into()));
                                    return;
                                }
                                error.set(None);
                                if let Some(data) = form.check(Tab::Id) {
                                    stage.set(Stage::Confirm(data));
                                    api::scroll_to_top();
                                }
                            },
                            "確認"
                        }
                    }
                }
            }
        },
        Stage::Confirm(data) => {
            let d2 = data.clone();
            rsx! {
                section { class: "page pre-notification", "data-testid": "pre-confirm-view",
                    h1 { "ID管理情報の確認" }
                    p { class: "lead", "この内容で登録します。" }
                    dl { class: "read-list",
                        div { class: "read-item", dt { "担当保健所" } dd { class: "read-value", "{hc_name}" } }
                    }
                    ReadView { fields: ID_FIELDS, data: data.clone(), testid: "pre-read" }
                    ErrorAlert { message: error() }
                    div { class: "form-actions sticky-actions",
                        button { r#type: "button", class: "button secondary", "data-testid": "pre-back", onclick: move |_| stage.set(Stage::Edit), "再編集" }
                        button { r#type: "button", class: "button primary", "data-testid": "pre-register", disabled: busy(),
                            onclick: move |_| {
                                if busy() { return; }
                                busy.set(true);
                                error.set(None);
                                let body = CreateCase { idempotency_key: idem(), health_center_id: hc(), id: d2.clone() };
                                spawn(async move {
                                    let r = api::cases::create(&body).await;
                                    busy.set(false);
                                    match r {
                                        Ok(c) => { stage.set(Stage::Done(c)); api::scroll_to_top(); }
                                        Err(e) if e.code() == Some(ErrorCode::ValidationFailed) && !e.issues().is_empty() => {
                                            let first = e.issues().first().map(|i| field_id(&i.field));
                                            let mut issues = form.issues;
                                            issues.set(e.issues());
                                            stage.set(Stage::Edit);
                                            if let Some(f) = first { api::focus_by_id(&f); }
                                        }
                                        Err(ApiFailure::Network) => error.set(Some("登録できませんでした。通信状態を確認して、もう一度「登録」を押してください（二重に登録されることはありません）。".into())),
                                        Err(e) => error.set(Some(e.message())),
                                    }
                                });
                            },
                            if busy() { "登録しています…" } else { "登録" }
                        }
                    }
                }
            }
        }
        Stage::Done(c) => rsx! {
            section { class: "page done", "data-testid": "pre-done",
                h1 { "登録が完了しました" }
                dl { class: "summary",
                    dt { "担当保健所" } dd { "{hc_name}" }
                }
                if c.replayed { p { class: "notice", "この登録はすでに受け付けられていました（二重には登録していません）。" } }
                p { "続けて検査の情報を登録してください。検査結果がまだ出ていない場合は、結果に「その他」を選びます。" }
                div { class: "form-actions",
                    Link { class: "button primary", to: Route::RecordTab { id: c.id.clone(), tab: "add-test".into() }, "検査を登録する" }
                    Link { class: "button secondary", to: Route::Record { id: c.id.clone() }, "登録情報を開く" }
                    button { r#type: "button", class: "button secondary", "data-testid": "pre-next",
                        onclick: move |_| {
                            let mut st = form.state;
                            st.set(Value::Object(Map::new()));
                            idem.set(api::random_key());
                            stage.set(Stage::Edit);
                        },
                        "続けて別の方を登録する"
                    }
                    Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
                }
            }
        },
    }
}
