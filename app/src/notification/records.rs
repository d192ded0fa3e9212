//! 閲覧・編集する: for a clinic, its filed notifications with the health center's receipt (受理); for a health
//! center, its inbox (unread first). One record: the form sheet (printable on one A4 page), routing, history and,
//! for the health center holding it, transfer to another health center.

use chrono::{DateTime, FixedOffset, Timelike};
use dioxus::prelude::*;
use shared::api::notifications::{HealthCenterOption, TransferRequest, TransferResult};
use shared::auth::Role;

use crate::api;
use crate::components::alert::ErrorAlert;
use crate::components::health_centers::use_health_center_options;
use crate::components::tel::TelLink;
use crate::notification::sheet::Sheet;
use crate::session::{RequireSignIn, SessionCtx};
use crate::{text, Route};

/// Epoch milliseconds as JST 「2026/11/25 13:05」.
pub fn jst(ms: i64) -> String {
    let (Some(offset), Some(d)) = (
        FixedOffset::east_opt(9 * 3600),
        DateTime::from_timestamp_millis(ms),
    ) else {
        return String::new();
    };
    let t = d.with_timezone(&offset);
    format!(
        "{} {:02}:{:02}",
        crate::notification::sheet::ymd(t.date_naive()),
        t.hour(),
        t.minute()
    )
}

#[component]
pub fn Records() -> Element {
    let allowed = use_context::<SessionCtx>()
        .me()
        .is_none_or(|m| m.role.views_records());
    rsx! {
        RequireSignIn {
            if allowed { RecordList {} } else {
                section { class: "page",
                    h1 { {text::ACTION_VIEW} }
                    p { class: "alert", role: "alert", {text::NOT_PERMITTED} }
                }
            }
        }
    }
}

#[component]
fn RecordList() -> Element {
    let role = use_context::<SessionCtx>().me().map(|m| m.role);
    let is_hc = matches!(
        role,
        Some(Role::HealthCenterStaff | Role::HealthCenterAdmin)
    );
    let mut list = use_resource(|| async { api::notifications::list().await });
    let title = match role {
        Some(Role::HealthCenterStaff | Role::HealthCenterAdmin) => "受信した発生届",
        Some(Role::PrefectureStaff) => "都道府県内の発生届",
        _ => "届け出た発生届",
    };
    rsx! {
        section { class: "page records",
            div { class: "form-top",
                h1 { "{title}" }
                button { r#type: "button", class: "button secondary small", "data-testid": "refresh", onclick: move |_| list.restart(), "最新の情報に更新" }
            }
            match list.read().clone() {
                None => rsx! { p { class: "loading", "読み込み中…" } },
                Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "{e.message()}" } },
                Some(Ok(l)) if l.items.is_empty() => rsx! { p { class: "notice", "まだ発生届はありません。" } },
                Some(Ok(l)) => rsx! {
                    if is_hc { p { class: "lead", "data-testid": "unread-count", "未確認 {l.unread} 件" } }
                    ul { class: "record-list", "data-testid": "record-list",
                        for item in l.items {
                            li { key: "{item.id}", class: if item.received_at.is_none() { "record-item unread" } else { "record-item" },
                                Link { to: Route::Record { id: item.id.clone() },
                                    span { class: "record-state",
                                        if item.received_at.is_some() { "受理" } else if is_hc { "未確認" } else { "受理待ち" }
                                    }
                                    span { class: "record-main", "{item.patient_name}　" span { class: "record-type", {item.category.map_or("", |c| c.label())} } }
                                    span { class: "record-meta", "届出番号 {item.number}・{jst(item.filed_at)}・" {if is_hc { item.institution_name.clone() } else { item.health_center_name.clone() }} }
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

/// The filed notification of a record (its 発生届 tab): the sheet, receipt, routing, history, transfer and print.
#[component]
pub fn NotificationView(id: String) -> Element {
    let rid = id.clone();
    let case = try_use_context::<crate::case::CaseCtx>();
    let mut record = use_resource(move || {
        let id = rid.clone();
        async move { api::notifications::read(&id).await }
    });
    // The FHIR download's outcome: (saved, message).
    let fhir_message = use_context_provider(|| Signal::new(None::<(bool, String)>));
    rsx! {
        match record.read().clone() {
            None => rsx! { p { class: "loading", "読み込み中…" } },
            Some(Err(e)) => rsx! {
                p { class: "alert", role: "alert", "data-testid": "record-error", "{e.message()}" }
            },
            Some(Ok(r)) => rsx! {
                div { class: "record", "data-testid": "record",
                    div { class: "no-print",
                        h2 { class: "tab-form-title", "発生届 {r.number}" }
                        dl { class: "summary",
                            dt { "届出先" } dd { "{r.health_center_name}" }
                            dt { "受理" }
                            dd { "data-testid": "receipt",
                                if let Some(at) = r.received_at {
                                    "受理（{r.health_center_name}・{r.received_by_name.clone().unwrap_or_default()}・{jst(at)}）"
                                } else {
                                    "受理待ち"
                                }
                            }
                            dt { "届出元" } dd { "{r.institution_name}（{r.filed_by_name}）・{jst(r.filed_at)}" }
                            dt { "届出先の理由" } dd { "{r.routing_reason}" }
                            if let Some(h) = r.residence_health_center_name.clone() { dt { "住所地の保健所" } dd { "{h}" } }
                            dt { "保健所への通知" } dd { "data-testid": "delivery", "{r.delivery.label()}" }
                        }
                        div { class: "form-actions",
                            button { r#type: "button", class: "button secondary", "data-testid": "print", onclick: move |_| api::print_page(), "印刷する" }
                            SaveFhir { id: r.id.clone(), number: r.number.clone() }
                        }
                        if let Some(m) = fhir_message() {
                            p { class: if m.0 { "notice" } else { "alert" }, role: if m.0 { "status" } else { "alert" }, "data-testid": "fhir-message", "{m.1}" }
                        }
                    }
                    Sheet { notification: r.notification.clone(), number: Some(r.number.clone()), health_center: Some(r.health_center_name.clone()) }
                    div { class: "no-print",
                        h3 { class: "tab-form-title", "経過" }
                        ol { class: "history", "data-testid": "history",
                            for (n, e) in r.history.iter().enumerate() {
                                li { key: "{n}",
                                    {jst(e.at)} "　"
                                    {match e.kind.as_str() { "routed" => "届出", "received" => "受理", "transferred" => "移管", _ => "" }}
                                    "　{e.health_center_name}"
                                    if let Some(from) = e.from_health_center_name.clone() { "（{from}から）" }
                                    "　{e.actor_name}"
                                    if !e.reason.is_empty() && e.kind == "transferred" { "　理由: {e.reason}" }
                                }
                            }
                        }
                        if r.can_transfer {
                            Transfer { id: r.id.clone(), current: r.health_center_id.clone(),
                                residence: r.residence_health_center_id.clone().zip(r.residence_health_center_name.clone()),
                                on_done: move |_| {
                                    record.restart();
                                    // The record's health center changed with it.
                                    if let Some(c) = case {
                                        let id = c.id();
                                        spawn(c.reload(id));
                                    }
                                },
                            }
                        }
                    }
                }
            },
        }
    }
}

/// 「FHIR形式で保存」: the record's notification as a FHIR R4 document Bundle, saved as `<届出番号>.fhir.json` (kept in
/// memory only until the browser's download has it). The edge decides who may read it and audits the read.
#[component]
fn SaveFhir(id: String, number: String) -> Element {
    let mut message = use_context::<Signal<Option<(bool, String)>>>();
    let mut busy = use_signal(|| false);
    let save = move |_| {
        if busy() {
            return;
        }
        busy.set(true);
        message.set(None);
        let (id, name) = (id.clone(), format!("{number}.fhir.json"));
        spawn(async move {
            message.set(Some(match api::cases::save_fhir(&id, &name).await {
                Ok(d) if d.complete => (true, format!("「{}」を保存しました。", d.file_name)),
                Ok(_) => (
                    false,
                    "ダウンロードが途中で切れたため、保存していません。もう一度お試しください。"
                        .to_owned(),
                ),
                Err(e) => (false, e.message()),
            }));
            busy.set(false);
        });
    };
    rsx! {
        button { r#type: "button", class: "button secondary", "data-testid": "save-fhir", disabled: busy(), onclick: save,
            if busy() { "保存しています…" } else { "FHIR形式で保存" }
        }
    }
}

#[component]
fn Transfer(
    id: String,
    current: String,
    residence: Option<(String, String)>,
    on_done: EventHandler<()>,
) -> Element {
    let centers = use_health_center_options();
    let mut target = use_signal(String::new);
    let mut reason = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    // The prefecture's health centers, and the residence's (which may be in another prefecture: the edge allows a
    // transfer there and nowhere else outside the prefecture).
    // Each option says when the center has no e-mail address (it will not get the notice e-mail); choosing one
    // shows the warning with its phone as a tap-to-call link. A residence center of another prefecture is not in
    // the list: the transfer's answer says it.
    let mut options: Vec<HealthCenterOption> =
        centers().into_iter().filter(|h| h.id != current).collect();
    if let Some((rid, rname)) = residence {
        if rid != current && !options.iter().any(|h| h.id == rid) {
            options.push(HealthCenterOption {
                id: rid,
                name: format!("{rname}（住所地）"),
                has_email: true,
                phone: String::new(),
            });
        }
    }
    let chosen = options.iter().find(|h| h.id == target()).cloned();
    let mut done = use_signal(|| None::<TransferResult>);
    if let Some(r) = done() {
        return rsx! {
            div { class: "transfer", "data-testid": "transfer-done",
                h2 { "{r.health_center_name}へ移管しました" }
                NoEmailWarning { name: r.health_center_name.clone(), phone: r.phone.clone() }
                button { r#type: "button", class: "button primary", "data-testid": "transfer-ack",
                    onclick: move |_| on_done.call(()), "確認しました" }
            }
        };
    }
    rsx! {
        div { class: "transfer", "data-testid": "transfer",
            h2 { "他の保健所へ移管する" }
            label { class: "field-label", r#for: "transfer-to", "移管先" }
            select { id: "transfer-to", class: "input", value: "{target}", onchange: move |e| target.set(e.value()),
                option { value: "", "選択してください" }
                for h in options.clone() {
                    option { key: "{h.id}", value: "{h.id}",
                        if h.has_email { "{h.name}" } else { "{h.name}（メール未登録）" }
                    }
                }
            }
            if let Some(h) = chosen.filter(|h| !h.has_email) {
                NoEmailWarning { name: h.name.clone(), phone: h.phone.clone() }
            }
            label { class: "field-label", r#for: "transfer-reason", "理由" }
            input { id: "transfer-reason", class: "input", value: "{reason}", oninput: move |e| reason.set(e.value()) }
            ErrorAlert { message: error() }
            button { r#type: "button", class: "button secondary", disabled: busy(),
                onclick: move |_| {
                    if target().is_empty() || reason().trim().is_empty() {
                        error.set(Some("移管先と理由を入力してください。".into()));
                        return;
                    }
                    busy.set(true);
                    let body = TransferRequest { health_center_id: target(), reason: reason() };
                    let id = id.clone();
                    spawn(async move {
                        let r = api::notifications::transfer(&id, &body).await;
                        busy.set(false);
                        match r {
                            Ok(r) if r.email_missing => { error.set(None); done.set(Some(r)); }
                            Ok(_) => { error.set(None); on_done.call(()); }
                            Err(e) => error.set(Some(e.message())),
                        }
                    });
                },
                "移管する"
            }
        }
    }
}

/// The center has no e-mail address: it will not get the notice e-mail, so staff call it.
#[component]
fn NoEmailWarning(name: String, phone: String) -> Element {
    rsx! {
        div { class: "transfer-warning", role: "alert", "data-testid": "transfer-no-email",
            p { "{name}にはメールアドレスが登録されていません。移管しても通知メールは届きません。移管したら、電話で連絡してください。" }
            TelLink { phone, label: "{name}に電話する", testid: "transfer-tel" }
        }
    }
}
