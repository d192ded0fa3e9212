//! `/self-registrations`: the review queue of self-registrations of positives (issue 21), for health-center staff
//! (registrations routed to their center) and the prefecture's 健康フォローアップセンター (its prefecture's). The list
//! (a table on wide screens, cards on phones; pending first), one registration opened in place (its id held in
//! state, never in the URL), 確認して登録 (a patient record with health observation; then the slip) or 却下 with a
//! reason. The server decides every right; this page only shows what it answers.

use dioxus::prelude::*;
use shared::api::self_registration::{
    result_kind_label, status_label, Confirmed, RegistrationDetail, RegistrationSummary, Reject,
    REASON_MAX,
};
use shared::auth::Role;
use shared::error::ErrorCode;

use crate::api::{self, ApiFailure};
use crate::case::{age_text, today_jst};
use crate::notification::records::jst;
use crate::session::{RequireSignIn, SessionCtx};
use crate::Route;

const FORBIDDEN: &str = "自己登録の確認は、保健所の職員と健康フォローアップセンターが利用できます。メニューからご自身の役割で利用できる操作を選んでください。";

#[component]
pub fn SelfRegistrations() -> Element {
    let role = use_context::<SessionCtx>().me().map(|m| m.role);
    rsx! {
        RequireSignIn {
            if role.is_none_or(Role::reviews_self_registrations) {
                Queue {}
            } else {
                section { class: "page",
                    h1 { "自己登録の確認" }
                    p { class: "alert", role: "alert", "data-testid": "sr-forbidden", {FORBIDDEN} }
                    Link { class: "button secondary", to: Route::Home {}, {crate::text::BACK_TO_MENU} }
                }
            }
        }
    }
}

#[component]
fn Queue() -> Element {
    let mut status = use_signal(|| "pending".to_owned());
    let mut items = use_signal(|| None::<Vec<RegistrationSummary>>);
    let mut error = use_signal(|| None::<ApiFailure>);
    let mut open = use_signal(|| None::<String>);
    let reload = move || {
        let s = status.peek().clone();
        spawn(async move {
            match api::self_registrations::list(&s).await {
                Ok(l) => {
                    items.set(Some(l.items));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    use_hook(reload);

    if let Some(id) = open() {
        return rsx! {
            Detail { key: "{id}", id, on_back: move |_| { open.set(None); reload(); } }
        };
    }
    let forbidden = error()
        .as_ref()
        .is_some_and(|e| e.code() == Some(ErrorCode::Forbidden));
    let today = today_jst();
    rsx! {
        section { class: "page sr-page",
            div { class: "form-top",
                h1 { "data-testid": "sr-heading", "自己登録の確認" }
                div { class: "sr-filter", role: "group", "aria-label": "表示する状態",
                    for (s, label) in [("pending", "確認待ち"), ("confirmed", "登録済み"), ("rejected", "却下"), ("", "すべて")] {
                        button { key: "{s}", r#type: "button",
                            class: if status() == s { "button small primary" } else { "button small secondary" },
                            "aria-pressed": status() == s, "data-testid": "sr-filter-{s}",
                            onclick: move |_| { status.set(s.to_owned()); reload(); },
                            {label}
                        }
                    }
                }
            }
            p { class: "muted", "陽性者ご本人が登録した内容です。確認待ちは古い順に並んでいます。電話で本人確認のうえ、登録または却下してください。" }
            if forbidden {
                p { class: "alert", role: "alert", "data-testid": "sr-forbidden", {FORBIDDEN} }
            } else if let Some(e) = error() {
                p { class: "alert", role: "alert", "data-testid": "sr-error", "{e.message()}" }
            }
            match items() {
                None if error().is_none() => rsx! { p { class: "loading", "読み込み中…" } },
                None => rsx! {},
                Some(list) if list.is_empty() => rsx! {
                    p { class: "notice", "data-testid": "sr-empty", "該当する登録はありません。" }
                },
                Some(list) => rsx! {
                    table { class: "table results sr-results", "data-testid": "sr-list",
                        thead {
                            tr { th { "氏名" } th { "状態" } th { "受付番号" } th { "年齢" } th { "陽性となった日" } th { "検査" } th { "保健所" } th { "受付日時" } }
                        }
                        tbody {
                            for r in list {
                                tr { key: "{r.id}", "data-testid": "sr-row", "data-id": "{r.id}",
                                    td { class: "name", "data-label": "氏名",
                                        button { r#type: "button", class: "link-button sr-open", "data-testid": "sr-open",
                                            onclick: { let id = r.id.clone(); move |_| open.set(Some(id.clone())) },
                                            span { "{r.name}" }
                                            span { class: "furigana", "{r.furigana}" }
                                        }
                                    }
                                    td { class: "status", "data-label": "状態", {status_label(&r.status)} }
                                    td { "data-label": "受付番号", "{r.receipt}" }
                                    td { "data-label": "年齢", {age_text(Some(&r.date_of_birth), today)} }
                                    td { "data-label": "陽性となった日", "{r.result_date}" }
                                    td { "data-label": "検査", {result_kind_label(&r.result_kind)} }
                                    td { "data-label": "保健所", "{r.health_center_name}" }
                                    td { "data-label": "受付日時", {jst(r.registered_at)} }
                                }
                            }
                        }
                    }
                },
            }
        }
    }
}

#[component]
fn Detail(id: String, on_back: EventHandler<()>) -> Element {
    let mut detail = use_signal(|| None::<RegistrationDetail>);
    let mut error = use_signal(|| None::<String>);
    let mut confirmed = use_signal(|| None::<Confirmed>);
    let mut busy = use_signal(|| false);
    let mut reason = use_signal(String::new);
    let mut reason_error = use_signal(|| None::<String>);
    let mut rejecting = use_signal(|| false);
    use_hook({
        let id = id.clone();
        move || {
            spawn(async move {
                match api::self_registrations::read(&id).await {
                    Ok(d) => detail.set(Some(d)),
                    Err(e) => error.set(Some(e.message())),
                }
            });
        }
    });
    let confirm = {
        let id = id.clone();
        move |_| {
            if busy() {
                return;
            }
            busy.set(true);
            error.set(None);
            let id = id.clone();
            spawn(async move {
                let r = api::self_registrations::confirm(&id).await;
                busy.set(false);
                match r {
                    Ok(c) => confirmed.set(Some(c)),
                    Err(e) => error.set(Some(e.message())),
                }
                if let Ok(d) = api::self_registrations::read(&id).await {
                    detail.set(Some(d));
                }
            });
        }
    };
    let reject = {
        let id = id.clone();
        move |e: FormEvent| {
            e.prevent_default();
            if busy() {
                return;
            }
            let text = reason();
            let n = text.trim().chars().count();
            if n == 0 || n > REASON_MAX {
                reason_error.set(Some(format!(
                    "却下の理由を入力してください（{REASON_MAX}文字まで）。"
                )));
                api::focus_by_id("sr-reason");
                return;
            }
            reason_error.set(None);
            busy.set(true);
            let id = id.clone();
            spawn(async move {
                let r = api::self_registrations::reject(&id, &Reject { reason: text }).await;
                busy.set(false);
                match r {
                    Ok(d) => {
                        detail.set(Some(d));
                        rejecting.set(false);
                    }
                    Err(e) if e.code() == Some(ErrorCode::ReasonRequired) => {
                        reason_error.set(Some(e.message()))
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        }
    };
    let today = today_jst();
    let back = rsx! {
        button { r#type: "button", class: "button secondary", "data-testid": "sr-back",
            onclick: move |_| on_back.call(()), "‹ 一覧へ戻る" }
    };
    let Some(d) = detail() else {
        return rsx! {
            section { class: "page",
                if let Some(e) = error() {
                    p { class: "alert", role: "alert", "data-testid": "sr-error", "{e}" }
                } else {
                    p { class: "loading", "読み込み中…" }
                }
                {back}
            }
        };
    };
    let s = &d.summary;
    let pending = s.status == "pending";
    let mut fields: Vec<(&str, String)> = vec![
        ("受付番号", s.receipt.clone()),
        ("フリガナ", s.furigana.clone()),
        (
            "生年月日",
            format!(
                "{}（{}）",
                s.date_of_birth,
                age_text(Some(&s.date_of_birth), today)
            ),
        ),
        ("性別", d.sex.clone()),
        ("電話番号", d.phone.clone()),
        ("郵便番号", d.postal_code.clone()),
        ("住所", d.address.clone()),
        ("陽性となった日", s.result_date.clone()),
        ("検査", result_kind_label(&s.result_kind).to_owned()),
        ("診断した医療機関", d.clinic_name.clone()),
        ("担当保健所", s.health_center_name.clone()),
        ("受付日時", jst(s.registered_at)),
        ("同意事項", format!("第{}版に同意", d.consent_version)),
    ];
    if !pending {
        fields.push((
            "処理",
            format!(
                "{} {}",
                d.decided_by_name,
                d.decided_at.map(jst).unwrap_or_default()
            ),
        ));
    }
    fields.push(("却下の理由", d.reject_reason.clone()));
    fields.retain(|(_, v)| !v.is_empty());
    let has_reason_error = reason_error().is_some();
    rsx! {
        section { class: "page sr-detail", "data-testid": "sr-detail",
            div { class: "form-top",
                h1 { "{s.name}" span { class: "heading-count", "（{status_label(&s.status)}）" } }
                {back.clone()}
            }
            if let Some(e) = error() {
                p { class: "alert", role: "alert", "data-testid": "sr-error", "{e}" }
            }
            if let Some(c) = confirmed() {
                div { class: "saved sr-confirmed", role: "status", "data-testid": "sr-confirmed",
                    p {
                        if c.linked { "同じ方の記録がすでにあったため、その記録に紐付けました。" } else { "患者の記録を作成し、健康観察を開始しました。" }
                        " 健康観察 {c.observation_started_on}〜{c.observation_ends_on}（{c.health_center_name}）"
                    }
                    if !c.smartphone_id.is_empty() {
                        Link { class: "button primary", "data-testid": "sr-slip",
                            to: Route::Slip { id: c.case_id.clone() }, "スマホ入力IDを印字する" }
                    }
                }
            }
            dl { class: "read-list", "data-testid": "sr-fields",
                for (label, value) in fields {
                    div { key: "{label}", class: "read-item",
                        dt { {label} }
                        dd { "{value}" }
                    }
                }
            }
            if pending {
                if d.existing_case {
                    p { class: "notice", "data-testid": "sr-existing", "同じ方（フリガナ・生年月日・電話番号が一致）の記録がすでにあります。確認すると、その記録に紐付けます（記録は増えません）。" }
                }
                div { class: "form-actions sr-actions",
                    button { r#type: "button", class: "button primary", "data-testid": "sr-confirm", disabled: busy(),
                        onclick: confirm, if busy() { "処理しています…" } else { "確認して登録" } }
                    if !rejecting() {
                        button { r#type: "button", class: "button secondary", "data-testid": "sr-reject-open",
                            onclick: move |_| rejecting.set(true), "却下する" }
                    }
                }
                if rejecting() {
                    form { class: "handle-form", novalidate: true, onsubmit: reject, "data-testid": "sr-reject-form",
                        div { class: if has_reason_error { "field has-error" } else { "field" },
                            label { class: "field-label", r#for: "sr-reason", "却下の理由（必須・{REASON_MAX}文字まで）" }
                            textarea { id: "sr-reason", class: "input textarea note", rows: "3", "data-testid": "sr-reason",
                                "aria-invalid": if has_reason_error { "true" } else { "false" },
                                value: "{reason}", oninput: move |e| { reason.set(e.value()); reason_error.set(None); } }
                            if let Some(m) = reason_error() {
                                p { class: "field-error", role: "alert", "data-testid": "sr-reason-error", "{m}" }
                            }
                        }
                        button { r#type: "submit", class: "button danger", "data-testid": "sr-reject", disabled: busy(), "却下する" }
                    }
                }
            } else if let Some(case_id) = d.case_id.clone().filter(|_| confirmed().is_none()) {
                Link { class: "button secondary", "data-testid": "sr-slip", to: Route::Slip { id: case_id }, "スマホ入力IDを印字する" }
            }
        }
    }
}
