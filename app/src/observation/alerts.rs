//! `/alerts`: the triage queue, most urgent first; each alert handled with a note.

use dioxus::prelude::*;

use crate::components::tel::TelLink;
use shared::api::observation::{AlertQueue, AlertView, HandleAlert, NOTE_MAX_CHARS};
use shared::auth::Role;
use shared::error::ErrorCode;

use super::{day_slot, grouped_id, UrgencyBadge};
use crate::api::{self, ApiFailure};
use crate::notification::records::jst;
use crate::session::{RequireSignIn, SessionCtx};
use crate::Route;

/// The queue refreshes itself this often while open.
const REFRESH_MS: i32 = 60_000;

const FORBIDDEN: &str =
    "健康観察アラートは保健所の職員のみが利用できます。ご自身の役割で利用できる操作をメニューから選んでください。";

fn alert_desk(role: Role) -> bool {
    matches!(role, Role::HealthCenterStaff | Role::HealthCenterAdmin)
}

#[component]
pub fn Alerts() -> Element {
    let role = use_context::<SessionCtx>().me().map(|m| m.role);
    rsx! {
        RequireSignIn {
            if role.is_none_or(alert_desk) {
                Queue {}
            } else {
                section { class: "page",
                    h1 { "健康観察アラート" }
                    p { class: "alert", role: "alert", "data-testid": "alerts-forbidden", {FORBIDDEN} }
                    Link { class: "button secondary", to: Route::Home {}, {crate::text::BACK_TO_MENU} }
                }
            }
        }
    }
}

#[component]
fn Queue() -> Element {
    let mut show_all = use_signal(|| false);
    let mut queue = use_signal(|| None::<AlertQueue>);
    let mut error = use_signal(|| None::<ApiFailure>);
    let mut loaded_at = use_signal(|| None::<i64>);
    let mut flash = use_signal(|| None::<String>);
    // A counter so that an older answer never overwrites a newer one (toggle pressed mid-refresh).
    let mut generation = use_signal(|| 0u32);

    let mut reload = move || {
        let all = *show_all.peek();
        let gen = *generation.peek() + 1;
        generation.set(gen);
        spawn(async move {
            let r = api::observation::alerts(all).await;
            if *generation.peek() != gen {
                return;
            }
            match r {
                Ok(q) => {
                    queue.set(Some(q));
                    error.set(None);
                    loaded_at.set(Some(js_sys::Date::now() as i64));
                }
                // The last good list stays on screen; the failure is shown above it.
                Err(e) => error.set(Some(e)),
            }
        });
    };
    use_hook(reload);
    use_future(move || async move {
        loop {
            crate::net::sleep(REFRESH_MS).await;
            reload();
        }
    });

    let on_handled = move |a: AlertView| {
        flash.set(Some(format!(
            "{}さんのアラート（{}）を対応済みにしました。",
            a.case_name,
            a.rule.label()
        )));
        let all = *show_all.peek();
        if let Some(q) = queue.write().as_mut() {
            if all {
                if let Some(slot) = q.alerts.iter_mut().find(|x| x.id == a.id) {
                    *slot = a.clone();
                }
            } else {
                q.alerts.retain(|x| x.id != a.id);
            }
            q.waiting = q.waiting.saturating_sub(1);
        }
    };
    let on_gone = move |_| reload();

    let forbidden = error()
        .as_ref()
        .is_some_and(|e| e.code() == Some(ErrorCode::Forbidden));
    let q = queue();
    let waiting = q.as_ref().map(|q| q.waiting);
    let urgent = q.as_ref().map_or(0, |q| {
        q.alerts
            .iter()
            .filter(|a| a.handled_at.is_none() && a.urgency >= 3)
            .count()
    });
    rsx! {
        section { class: "page alerts-page",
            div { class: "form-top",
                h1 { "data-testid": "alerts-heading",
                    "健康観察アラート"
                    if let Some(n) = waiting {
                        span { class: "heading-count", "（未対応 {n}件）" }
                    }
                }
                div { class: "alerts-tools",
                    label { class: "check toggle",
                        input { r#type: "checkbox", "data-testid": "show-handled", checked: show_all(),
                            onchange: move |e| {
                                show_all.set(e.checked());
                                flash.set(None);
                                reload();
                            }
                        }
                        "対応済みも表示"
                    }
                    button { r#type: "button", class: "button secondary small", "data-testid": "alerts-refresh",
                        onclick: move |_| reload(), "最新の情報に更新"
                    }
                }
            }
            p { class: "muted",
                "緊急度の高い順、同じ緊急度では古い順に並んでいます。1分ごとに自動で更新します。"
                if let Some(t) = loaded_at() { "（最終更新 {jst(t)}）" }
            }
            if let Some(m) = flash() {
                p { class: "saved", role: "status", "data-testid": "alert-flash", "{m}" }
            }
            if forbidden {
                p { class: "alert", role: "alert", "data-testid": "alerts-forbidden", {FORBIDDEN} }
            } else if let Some(e) = error() {
                p { class: "alert", role: "alert", "data-testid": "alerts-error", "{e.message()}" }
            }
            if !forbidden {
                match q {
                    None if error().is_none() => rsx! { p { class: "loading", "読み込み中…" } },
                    None => rsx! {},
                    Some(q) if q.alerts.is_empty() => rsx! {
                        p { class: "notice", "data-testid": "alerts-empty",
                            if show_all() { "アラートはありません。" } else { "未対応のアラートはありません。" }
                        }
                    },
                    Some(q) => rsx! {
                        if urgent > 0 {
                            p { class: "urgent-summary", "data-testid": "urgent-summary", "緊急のアラートが {urgent} 件あります。すぐに本人へ連絡してください。" }
                        }
                        ol { class: "alert-list", "data-testid": "alert-list",
                            for a in q.alerts {
                                AlertCard { key: "{a.id}", alert: a, show_person: true, on_handled, on_gone }
                            }
                        }
                    },
                }
            }
        }
    }
}

/// One alert: urgency, rule, the person (in the queue), when, what tripped it; the handling form or its record.
#[component]
pub fn AlertCard(
    alert: AlertView,
    show_person: bool,
    on_handled: EventHandler<AlertView>,
    on_gone: EventHandler<()>,
) -> Element {
    let a = alert;
    let level = a.urgency.clamp(1, 3);
    let handled = a.handled_at.is_some();
    let class = if handled {
        format!("alert-card u{level} handled")
    } else {
        format!("alert-card u{level}")
    };
    rsx! {
        li { class: "{class}", "data-testid": "alert-card", "data-urgency": "{a.urgency}", "data-case": "{a.case_id}",
            div { class: "alert-main",
                p { class: "alert-head",
                    UrgencyBadge { urgency: a.urgency }
                    strong { class: "alert-rule", "data-testid": "alert-rule", {a.rule.label()} }
                    if !a.detail.is_empty() {
                        span { class: "alert-detail", "data-testid": "alert-detail", "{a.detail}" }
                    }
                }
                if show_person {
                    p { class: "alert-person",
                        Link { class: "alert-name", "data-testid": "alert-person",
                            to: Route::RecordTab { id: a.case_id.clone(), tab: "observation".into() },
                            "{a.case_name}"
                        }
                        span { class: "alert-sid", "スマホ入力ID " span { class: "sid", {grouped_id(&a.smartphone_id)} } }
                    }
                    // The person's phone, to the staff who manage the record (the edge leaves it empty otherwise).
                    if !a.smartphone_id.is_empty() {
                        div { class: "alert-phone",
                            TelLink { phone: a.phone.clone(), label: "本人に電話する", testid: "alert-tel" }
                        }
                    }
                }
                p { class: "alert-meta",
                    span { "報告 {day_slot(&a.date, a.slot)}" }
                    span { "検知 {jst(a.raised_at)}" }
                }
                if let Some(at) = a.handled_at {
                    div { class: "alert-handled", "data-testid": "alert-handled",
                        p { class: "alert-meta",
                            span { class: "ok", "対応済み" }
                            span { "{jst(at)}" }
                            if let Some(who) = &a.handled_by_name { span { "{who}" } }
                        }
                        if let Some(note) = &a.note {
                            p { class: "alert-note", "data-testid": "alert-note", "{note}" }
                        }
                    }
                }
            }
            if !handled {
                HandleForm { id: a.id.clone(), on_handled, on_gone }
            }
        }
    }
}

/// 対応内容 and 「対応済みにする」: the note is required (1–500 characters); what was typed stays on any failure.
#[component]
pub fn HandleForm(
    id: String,
    on_handled: EventHandler<AlertView>,
    on_gone: EventHandler<()>,
) -> Element {
    let mut note = use_signal(String::new);
    let mut field_error = use_signal(|| None::<String>);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let input_id = format!("note-{id}");
    let error_id = format!("note-error-{id}");
    let submit = {
        let id = id.clone();
        let input_id = input_id.clone();
        move |e: FormEvent| {
            e.prevent_default();
            if busy() {
                return;
            }
            let text = note();
            let chars = text.trim().chars().count();
            if chars == 0 {
                field_error.set(Some(
                    "対応内容を入力してください（例：電話で本人に確認、受診調整へ）。".into(),
                ));
                api::focus_by_id(&input_id);
                return;
            }
            if chars > NOTE_MAX_CHARS {
                field_error.set(Some(format!(
                    "対応内容は{NOTE_MAX_CHARS}文字以内で入力してください（現在 {chars} 文字）。"
                )));
                api::focus_by_id(&input_id);
                return;
            }
            field_error.set(None);
            error.set(None);
            busy.set(true);
            let id = id.clone();
            spawn(async move {
                let r = api::observation::handle_alert(&id, &HandleAlert { note: text }).await;
                busy.set(false);
                match r {
                    Ok(a) => on_handled.call(a),
                    Err(e) if e.code() == Some(ErrorCode::Conflict) => {
                        error.set(Some(
                            "このアラートは他の職員がすでに対応済みにしました。一覧を更新します。"
                                .into(),
                        ));
                        on_gone.call(());
                    }
                    Err(e) => {
                        let at_field = e.issues().into_iter().find(|i| i.field == "note");
                        match at_field {
                            Some(i) => field_error.set(Some(i.message)),
                            None => error.set(Some(e.message())),
                        }
                    }
                }
            });
        }
    };
    let has_error = field_error().is_some();
    rsx! {
        form { class: "handle-form", "data-testid": "handle-form", novalidate: true, onsubmit: submit,
            div { class: if has_error { "field has-error" } else { "field" },
                label { class: "field-label", r#for: "{input_id}", "対応内容（必須・500文字まで）" }
                textarea { id: "{input_id}", class: "input textarea note", rows: "2", "data-testid": "handle-note",
                    "aria-invalid": if has_error { "true" } else { "false" },
                    "aria-describedby": if has_error { "{error_id}" } else { "" },
                    value: "{note}",
                    oninput: move |e| {
                        note.set(e.value());
                        if field_error.peek().is_some() {
                            field_error.set(None);
                        }
                    }
                }
                if let Some(m) = field_error() {
                    p { id: "{error_id}", class: "field-error", role: "alert", "data-testid": "handle-error", "{m}" }
                }
            }
            if let Some(m) = error() {
                p { class: "alert", role: "alert", "data-testid": "handle-failure", "{m}" }
            }
            button { r#type: "submit", class: "button primary", "data-testid": "handle-submit", disabled: busy(),
                if busy() { "保存しています…" } else { "対応済みにする" }
            }
        }
    }
}
