//! The screens around the report: the people this phone reports for, what became of a sent report, the waiting
//! reports, the call-now box and sign-out.

use dioxus::prelude::*;
use shared::observation::Slot;

use super::report::Draft;
use super::store::{self, Queued};
use super::{send, slot_now, today, when_label, ObsCtx, Screen, SlotStatus};
use crate::api::{self, ApiFailure};
use crate::components::tel::TelLink;

/// The red box after a report with a red flag.
#[component]
pub fn UrgentBox() -> Element {
    let ctx = use_context::<ObsCtx>();
    let (hc, hc_phone) = ctx
        .me
        .read()
        .as_ref()
        .map(|m| (m.health_center_name.clone(), m.health_center_phone.clone()))
        .unwrap_or_default();
    let who: Vec<String> = ctx
        .urgent
        .read()
        .iter()
        .filter_map(|id| ctx.person(id).map(|p| format!("{}さん", p.given_name)))
        .collect();
    let who = who.join("・");
    rsx! {
        div { class: "obs-urgent", role: "alert", "data-testid": "obs-urgent",
            if !who.is_empty() {
                p { class: "obs-urgent-who", "{who}の報告について" }
            }
            p { class: "obs-urgent-title", "重い症状があります。" }
            p { class: "obs-urgent-text", "すぐに保健所に電話してください。" }
            p { class: "obs-urgent-text", "息が苦しい・意識がおかしいときは119番へ。" }
            if !hc.is_empty() {
                p { class: "obs-urgent-hc", "担当：{hc}" }
            }
            TelLink { phone: hc_phone, label: "保健所に電話する", testid: "obs-call-hc" }
            a { class: "obs-btn obs-call", href: "tel:119", "119番に電話する" }
        }
    }
}

/// 「未送信 n件」 with 今すぐ送信, while reports wait on the phone.
#[component]
pub fn PendingBar() -> Element {
    let ctx = use_context::<ObsCtx>();
    let pending = ctx.pending();
    if pending == 0 {
        return rsx! {};
    }
    let sending = (ctx.sending)();
    let note = ctx.send_note.read().clone();
    let signed_in = ctx.me.read().is_some();
    rsx! {
        div { class: "obs-pending", role: "status", "data-testid": "obs-pending",
            p { class: "obs-pending-text",
                "未送信 {pending}件：電波が戻ると自動で送信します"
            }
            if let Some(n) = note {
                p { class: "obs-pending-note", "data-testid": "obs-send-note", "{n}" }
            }
            if signed_in {
                button {
                    class: "obs-btn obs-secondary",
                    r#type: "button",
                    disabled: sending,
                    "data-testid": "obs-send-now",
                    onclick: move |_| ctx.spawn(send::flush(ctx)),
                    if sending { "送信しています…" } else { "今すぐ送信" }
                }
            }
        }
    }
}

/// Reports the server refused: the reasons, 直す (the answers kept) and 削除.
#[component]
fn RejectedList() -> Element {
    let ctx = use_context::<ObsCtx>();
    let rejected: Vec<Queued> = ctx
        .queue
        .read()
        .iter()
        .filter(|q| q.rejected())
        .cloned()
        .collect();
    if rejected.is_empty() {
        return rsx! {};
    }
    rsx! {
        section { class: "obs-rejected-list", "data-testid": "obs-rejected",
            h2 { class: "obs-subtitle", "送信できなかった報告" }
            for q in rejected {
                RejectedItem { key: "{q.id()}", q }
            }
        }
    }
}

#[component]
fn RejectedItem(q: Queued) -> Element {
    let ctx = use_context::<ObsCtx>();
    let mut confirm = use_signal(|| false);
    let person = ctx.person(&q.upload.person);
    let name = person
        .as_ref()
        .map(|p| format!("{}さん", p.given_name))
        .unwrap_or_else(|| "（この端末では報告できなくなった方）".into());
    let when = when_label(&q.upload.report.date, q.upload.report.slot);
    // A wrong answer can be corrected; a date out of range or a person no longer observed cannot.
    let fixable = person.is_some()
        && q.issues
            .iter()
            .all(|i| !matches!(i.field.as_str(), "date" | "person" | "client_id" | ""));
    let kind = person.map(|p| p.kind);
    let id = q.id().to_owned();
    let fix_q = q.clone();
    rsx! {
        div { class: "obs-rejected-item",
            p { class: "obs-rejected-head", "{name}・{when}" }
            ul { class: "obs-issues",
                for i in q.issues.iter() {
                    li { "{i.message}" }
                }
            }
            div { class: "obs-row-actions",
                if let (true, Some(kind)) = (fixable, kind) {
                    button {
                        class: "obs-btn obs-primary",
                        r#type: "button",
                        "data-testid": "obs-fix",
                        onclick: move |_| {
                            let mut draft = ctx.draft;
                            let mut screen = ctx.screen;
                            draft.set(Some(Draft::correct(&fix_q, kind)));
                            screen.set(Screen::Report);
                            api::scroll_to_top();
                        },
                        "直す"
                    }
                }
                if confirm() {
                    button {
                        class: "obs-btn obs-danger",
                        r#type: "button",
                        onclick: move |_| {
                            let id = id.clone();
                            let mut queue = ctx.queue;
                            queue.write().retain(|x| x.id() != id);
                            ctx.spawn(async move {
                                let _ = store::delete_report(&id).await;
                            });
                        },
                        "この報告を削除する"
                    }
                    button {
                        class: "obs-btn obs-secondary",
                        r#type: "button",
                        onclick: move |_| confirm.set(false),
                        "やめる"
                    }
                } else {
                    button {
                        class: "obs-btn obs-secondary",
                        r#type: "button",
                        onclick: move |_| confirm.set(true),
                        "削除…"
                    }
                }
            }
        }
    }
}

/// One line of a person's button: 「今日の朝：報告済み」.
fn status_line(ctx: &ObsCtx, p: &shared::api::observation::ObservedPerson, slot: Slot) -> String {
    let s = ctx.status(p, &today(), slot);
    format!("{}：{}", when_label(&today(), slot), s.label())
}

#[component]
pub fn HomeScreen() -> Element {
    let ctx = use_context::<ObsCtx>();
    let people = ctx
        .me
        .read()
        .as_ref()
        .map(|m| m.people.clone())
        .unwrap_or_default();
    let many = people.len() > 1;
    let flash = ctx.flash.read().clone();
    let now = slot_now();
    rsx! {
        section { class: "obs-screen obs-home", "data-testid": "obs-home",
            if let Some(f) = flash {
                p { class: "obs-flash", role: "status", "data-testid": "obs-flash", "{f}" }
            }
            h1 { class: "obs-title",
                if many { "どなたの報告をしますか？" } else { "今日の報告" }
            }
            RejectedList {}
            div { class: "obs-people",
                for p in people {
                    {
                        let id = p.id.clone();
                        let role = ctx.role_label(&p.id);
                        let due = ctx.status(&p, &today(), now) == SlotStatus::Due;
                        let lines: Vec<(String, bool)> = Slot::ALL
                            .into_iter()
                            .map(|s| {
                                let st = ctx.status(&p, &today(), s);
                                (status_line(&ctx, &p, s), st == SlotStatus::Reported)
                            })
                            .collect();
                        rsx! {
                            button {
                                key: "{p.id}",
                                class: if due { "obs-person due" } else { "obs-person" },
                                r#type: "button",
                                "data-testid": "obs-person",
                                onclick: move |_| ctx.start(&id),
                                span { class: "obs-person-name",
                                    "{p.given_name}さん"
                                    span { class: "obs-person-role", "{role}" }
                                }
                                for (line , done) in lines {
                                    span { class: if done { "obs-person-status done" } else { "obs-person-status" },
                                        if done { "✓ " }
                                        "{line}"
                                    }
                                }
                                span { class: "obs-person-go", "報告する →" }
                            }
                        }
                    }
                }
            }
            super::passkey::PasskeyOffer {}
            SignOut {}
        }
    }
}

/// After 送信する: accepted, waiting for signal, or refused (with 直す).
#[component]
pub fn DoneScreen(client_id: String, slot: Slot) -> Element {
    let ctx = use_context::<ObsCtx>();
    let queued = ctx
        .queue
        .read()
        .iter()
        .find(|q| q.id() == client_id)
        .cloned();
    let sending = (ctx.sending)();
    let me = ctx.me.read().clone();
    // Who else still owes the slot just reported.
    let next = slot;
    let others: Vec<(String, String)> = me
        .as_ref()
        .map(|m| {
            m.people
                .iter()
                .filter(|p| ctx.status(p, &today(), next) == SlotStatus::Due)
                .map(|p| (p.id.clone(), p.given_name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let finish = move |_| {
        let (mut screen, mut flash) = (ctx.screen, ctx.flash);
        flash.set(Some("ご報告ありがとうございました。".into()));
        screen.set(if ctx.me.peek().is_some() {
            Screen::Home
        } else {
            Screen::SignIn
        });
        api::scroll_to_top();
    };
    let (title, state) = match &queued {
        None => ("報告を受け付けました", "accepted"),
        Some(q) if q.rejected() => ("送信できませんでした", "rejected"),
        Some(q) if q.attempts == 0 && (sending || me.is_some()) => ("送信しています…", "sending"),
        Some(_) => ("報告をこの端末に保存しました", "queued"),
    };
    rsx! {
        section { class: "obs-screen obs-done", "data-testid": "obs-done", "data-state": "{state}",
            h1 {
                class: if state == "accepted" { "obs-title obs-ok" } else { "obs-title" },
                "data-testid": "obs-done-title",
                if state == "accepted" { "✓ " }
                "{title}"
            }
            match state {
                "accepted" => rsx! {
                    p { class: "obs-lead", "保健所に届きました。ご協力ありがとうございます。" }
                },
                "queued" => rsx! {
                    p { class: "obs-lead",
                        "電波が届かないため、まだ保健所に届いていません。電波が戻ると自動で送信します。この画面を閉じても報告は消えません。"
                    }
                    if me.is_none() {
                        p { class: "obs-lead", "送信するには、もう一度「はじめる」を押してください。" }
                    }
                },
                "rejected" => rsx! {
                    p { class: "obs-lead",
                        "保健所にはまだ届いていません。「直す」を押して直してから、もう一度送信してください（入力した内容は残っています）。"
                    }
                },
                _ => rsx! {
                    p { class: "obs-lead", "そのままお待ちください。" }
                },
            }
            if state == "rejected" {
                RejectedList {}
            }
            div { class: "obs-done-actions",
                for (id , name) in others {
                    button {
                        key: "{id}",
                        class: "obs-btn obs-primary",
                        r#type: "button",
                        "data-testid": "obs-next-person",
                        onclick: move |_| ctx.start(&id),
                        "{name}さんの報告へ"
                    }
                }
                button {
                    class: "obs-btn obs-secondary",
                    r#type: "button",
                    "data-testid": "obs-finish",
                    onclick: finish,
                    "終わる"
                }
            }
        }
    }
}

/// サインアウト: with reports still on the phone, a warning and a second button first; then the phone's store is
/// wiped (key included).
#[component]
fn SignOut() -> Element {
    let ctx = use_context::<ObsCtx>();
    let mut confirm = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let waiting = ctx.queue.read().len();
    let mut go = move |_| {
        if busy() {
            return;
        }
        busy.set(true);
        error.set(None);
        ctx.spawn(async move {
            let out = api::observe::sign_out().await;
            busy.set(false);
            match out {
                Err(ApiFailure::Network) => {
                    error.set(Some(
                        "電波が届かないためサインアウトできません。電波のある場所でもう一度押してください。"
                            .into(),
                    ));
                }
                // Signed out on the server (or it had ended already): the phone forgets everything.
                _ => {
                    let ObsCtx {
                        mut me,
                        mut queue,
                        mut draft,
                        mut screen,
                        mut signin_note,
                        mut urgent,
                        mut send_note,
                        mut sid,
                        ..
                    } = ctx;
                    let wiped = store::wipe().await;
                    me.set(None);
                    queue.set(Vec::new());
                    draft.set(None);
                    urgent.set(Vec::new());
                    send_note.set(None);
                    sid.set(String::new());
                    signin_note.set(Some(match wiped {
                        Ok(()) => "サインアウトしました。この端末の記録は消去しました。".into(),
                        Err(_) => "サインアウトしました（この端末の記録は暗号化されたまま残っています）。".into(),
                    }));
                    screen.set(Screen::SignIn);
                }
            }
        });
    };
    rsx! {
        div { class: "obs-signout",
            if confirm() {
                p { class: "obs-error", role: "alert", "data-testid": "obs-signout-warning",
                    "未送信の報告が {waiting}件あります。サインアウトすると、この端末から消えて保健所には届きません。"
                }
                div { class: "obs-row-actions",
                    button {
                        class: "obs-btn obs-danger",
                        r#type: "button",
                        disabled: busy(),
                        "data-testid": "obs-signout-confirm",
                        onclick: go,
                        "消してサインアウトする"
                    }
                    button {
                        class: "obs-btn obs-secondary",
                        r#type: "button",
                        onclick: move |_| confirm.set(false),
                        "やめる"
                    }
                }
            } else {
                button {
                    class: "obs-btn obs-quiet",
                    r#type: "button",
                    disabled: busy(),
                    "data-testid": "obs-signout",
                    onclick: move |e| {
                        if waiting > 0 {
                            confirm.set(true);
                        } else {
                            go(e);
                        }
                    },
                    "サインアウト"
                }
                p { class: "obs-small", "共用の端末では、報告が終わったらサインアウトしてください。" }
            }
            if let Some(m) = error() {
                p { class: "obs-error", role: "alert", "{m}" }
            }
        }
    }
}
