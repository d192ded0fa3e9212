//! 結果入力: find the specimen (camera QR where the browser has BarcodeDetector, or the typed code with its check
//! character), record 陽性／陰性／判定保留 and the time; a positive leads into the pre-filled notification once the
//! record is on the server. And the conflict screen: every item the server changed meanwhile, with both values, for
//! a person to choose.

use dioxus::prelude::*;
use shared::api::sync::TestOutcome;
use shared::drive::{
    device_values, display_code, jst_date, jst_time, normalize_code, take_server_value,
};

use super::page::View;
use super::scan::{scan, scan_stop, scan_supported};
use super::{jst_ms, now_ms, sync, today, DriveCtx, Notify, SyncState};
use crate::api;
use crate::components::alert::ErrorAlert;
use crate::net::ONLINE;
use crate::Route;

const VIDEO_ID: &str = "scan-video";

#[component]
pub fn FindView() -> Element {
    let ctx = use_context::<DriveCtx>();
    let mut typed = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut scanning = use_signal(|| false);
    let camera = use_hook(scan_supported);
    use_drop(scan_stop);

    let mut find = move |text: String| {
        let Some(code) = normalize_code(&text) else {
            error.set(Some(
                "検体コードが正しくありません。ラベルの文字を確かめて、もう一度入力してください。"
                    .into(),
            ));
            api::focus_by_id("r-code");
            return;
        };
        let hit = ctx
            .entries
            .peek()
            .iter()
            .find(|e| e.record.specimen.code == code)
            .map(|e| e.id().to_owned());
        match hit {
            Some(id) => ctx.go(View::Result(id), None),
            None => {
                error.set(Some(format!(
                    "この端末に検体コード {} の記録はありません。",
                    display_code(&code)
                )));
                api::focus_by_id("r-code");
            }
        }
    };
    let waiting: Vec<(String, u32, String)> = ctx
        .entries
        .read()
        .iter()
        .filter(|e| e.record.result.is_none())
        .map(|e| {
            (
                e.id().to_owned(),
                e.no,
                display_code(&e.record.specimen.code),
            )
        })
        .collect();

    rsx! {
        div { class: "drive-form no-print", "data-testid": "find-view",
            h2 { class: "drive-title", "結果入力" }
            p { class: "lead", "検体ラベルのQRコードを読み取るか、検体コードを入力してください。" }
            if camera {
                div { class: "scan-box",
                    video { id: VIDEO_ID, class: "scan-video", hidden: !scanning(), muted: true, "playsinline": "true" }
                    if scanning() {
                        button { r#type: "button", class: "button secondary big", onclick: move |_| { scan_stop(); scanning.set(false); }, "読み取りをやめる" }
                    } else {
                        button { r#type: "button", class: "button primary big", "data-testid": "scan-camera",
                            onclick: move |_| {
                                error.set(None);
                                scanning.set(true);
                                spawn(async move {
                                    let r = scan(VIDEO_ID).await;
                                    scanning.set(false);
                                    match r {
                                        Ok(text) => find(text),
                                        Err(Some(m)) => error.set(Some(m)),
                                        Err(None) => {}
                                    }
                                });
                            },
                            "カメラで読み取る"
                        }
                    }
                }
            }
            div { class: "field",
                label { class: "field-label", r#for: "r-code", "検体コード" }
                div { class: "code-row",
                    input { id: "r-code", class: "input code-input", r#type: "text", autocomplete: "off", autocapitalize: "characters",
                        "spellcheck": "false", placeholder: "ABCD-EFG", value: "{typed}",
                        oninput: move |e| typed.set(e.value()),
                        onkeydown: move |e| if e.key() == Key::Enter { find(typed()) },
                        onmounted: move |e| async move {
                            // With a camera the label is usually scanned: no keyboard popping up.
                            if !camera {
                                let _ = e.set_focus(true).await;
                            }
                        } }
                    button { r#type: "button", class: "button primary", "data-testid": "find-code", onclick: move |_| find(typed()), "探す" }
                }
            }
            ErrorAlert { message: error() }
            if !waiting.is_empty() {
                h3 { class: "section-title", "結果待ち（{waiting.len()}件）" }
                div { class: "chips waiting-list",
                    for (id, no, code) in waiting {
                        button { key: "{id}", r#type: "button", class: "chip big", onclick: move |_| ctx.go(View::Result(id.clone()), None), "No.{no} {code}" }
                    }
                }
            }
            div { class: "form-actions",
                button { r#type: "button", class: "button secondary", onclick: move |_| ctx.go(View::Queue, None), "一覧へ戻る" }
            }
        }
    }
}

/// 陽性／陰性／判定保留 as stored (判定保留 is the tabs' その他).
const RESULTS: &[(&str, &str, &str)] = &[
    ("陽性", "陽性", "positive"),
    ("陰性", "陰性", "negative"),
    ("その他", "判定保留", "hold"),
];

pub fn result_label(stored: &str) -> &str {
    RESULTS
        .iter()
        .find(|(s, _, _)| *s == stored)
        .map_or(stored, |(_, l, _)| l)
}

#[component]
pub fn ResultView(id: String) -> Element {
    let ctx = use_context::<DriveCtx>();
    let Some(e) = ctx.entry(&id) else {
        return rsx! { p { "この記録は端末にありません。" } };
    };
    let mut chosen = use_signal(|| None::<&'static str>);
    let mut time = use_signal(|| jst_time(now_ms()));
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let p = e.record.person.clone();
    let existing = e.record.result.clone();
    let id2 = id.clone();
    let save = move |_| {
        if busy() {
            return;
        }
        let Some(result) = chosen() else {
            error.set(Some(
                "結果（陽性・陰性・判定保留）を選んでください。".into(),
            ));
            return;
        };
        let Some(at) = jst_ms(today(), &time()) else {
            error.set(Some("時刻は 14:05 のように入力してください。".into()));
            return;
        };
        let Some(mut entry) = ctx.entry(&id2) else {
            return;
        };
        entry.record.result = Some(TestOutcome {
            result: result.to_owned(),
            at,
        });
        let problems = shared::drive::check(&entry.record, now_ms());
        if let Some((_, m)) = problems.first() {
            error.set(Some(m.clone()));
            return;
        }
        let no = entry.no;
        let id = entry.id().to_owned();
        busy.set(true);
        error.set(None);
        spawn(async move {
            let change = move |e: &mut super::Entry| {
                e.record.result = Some(TestOutcome {
                    result: result.to_owned(),
                    at,
                });
                e.record.version += 1;
                e.sync = SyncState::Pending;
                e.notify = match (result, e.notify) {
                    ("陽性", Notify::Opened(t)) => Notify::Opened(t),
                    ("陽性", _) => Notify::Wanted,
                    _ => Notify::None,
                };
            };
            match ctx.update(&id, change).await.map(|_| ()) {
                Ok(()) => {
                    ctx.request_sync();
                    if result == "陽性" {
                        ctx.go(
                            View::Detail(id),
                            Some(if *ONLINE.peek() {
                                format!("No.{no} 陽性を保存しました。発生届を作成してください。")
                            } else {
                                format!(
                                    "No.{no} 陽性を保存しました。発生届は、通信が戻って送信が終わると作成できます。"
                                )
                            }),
                        );
                    } else {
                        ctx.go(
                            View::Find,
                            Some(format!(
                                "No.{no} {}を保存しました。次の検体を読み取ってください。",
                                result_label(result)
                            )),
                        );
                    }
                }
                Err(m) => error.set(Some(m)),
            }
            busy.set(false);
        });
    };
    rsx! {
        div { class: "drive-form no-print", "data-testid": "result-view",
            h2 { class: "drive-title", "結果入力" span { class: "drive-no", "No.{e.no}" } }
            dl { class: "summary result-who",
                dt { "氏名" } dd { class: "big", "data-testid": "result-name", "{p.name}" }
                if !p.date_of_birth.is_empty() { dt { "生年月日" } dd { "{p.date_of_birth}" } }
                dt { "検体コード" } dd { class: "specimen-code", "{display_code(&e.record.specimen.code)}" }
                dt { "採取" } dd { "{jst_time(e.record.specimen.collected_at)}・{super::capture::method_short(&e.record.specimen.method)}・{e.record.specimen.specimen}" }
            }
            if let Some(r) = &existing {
                p { class: "notice", "結果は入力済みです（{result_label(&r.result)} {jst_time(r.at)}）。選び直して保存すると変更して送信します。" }
            }
            fieldset { class: "choice-group",
                legend { class: "field-label", "検査結果" }
                div { class: "result-buttons", id: "r-result",
                    for (stored, label, class) in RESULTS.iter().copied() {
                        button { key: "{stored}", r#type: "button",
                            class: if chosen() == Some(stored) { "result-button {class} selected" } else { "result-button {class}" },
                            "aria-pressed": if chosen() == Some(stored) { "true" } else { "false" },
                            onclick: move |_| chosen.set(Some(stored)),
                            "{label}"
                        }
                    }
                }
            }
            div { class: "field",
                label { class: "field-label", r#for: "r-time", "結果の時刻" }
                div { class: "time-row",
                    input { id: "r-time", class: "input time", r#type: "time", value: "{time}", oninput: move |e| time.set(e.value()) }
                    button { r#type: "button", class: "button now", onclick: move |_| time.set(jst_time(now_ms())), "今" }
                }
            }
            ErrorAlert { message: error() }
            div { class: "form-actions sticky-actions",
                button { r#type: "button", class: "button secondary", onclick: move |_| ctx.go(View::Find, None), "戻る" }
                button { r#type: "button", class: "button primary big", "data-testid": "result-save", disabled: busy(), onclick: save,
                    if busy() { "保存しています…" } else { "結果を保存" }
                }
            }
        }
    }
}

/// 「発生届を作成する」 for a positive result: the notification form pre-filled from the server's record, once the
/// record (with its result) is there and the device is online.
#[component]
pub fn NotifyButton(id: String) -> Element {
    let ctx = use_context::<DriveCtx>();
    let nav = use_navigator();
    let mut note = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let Some(e) = ctx.entry(&id) else {
        return rsx! {};
    };
    let ready = e.case_id.is_some() && e.sync == SyncState::Synced;
    let online = ONLINE();
    let open = move |_| {
        let id = id.clone();
        if busy() {
            return;
        }
        busy.set(true);
        note.set(None);
        spawn(async move {
            if ctx.entry(&id).is_some_and(|e| e.sync == SyncState::Pending) {
                sync::run(ctx).await;
            }
            busy.set(false);
            let Some(e) = ctx.entry(&id) else { return };
            match (&e.case_id, &e.sync, *ONLINE.peek()) {
                (Some(case_id), SyncState::Synced, true) => {
                    let case_id = case_id.clone();
                    // The flag is a reminder (not sent to the server); the form opens whatever becomes of it.
                    let at = now_ms();
                    let _ = ctx.update(&id, move |e| e.notify = Notify::Opened(at)).await;
                    nav.push(Route::NewNotificationForCase { case_id });
                }
                _ => note.set(Some(
                    "同期後に作成できます。オンラインで送信が終わると、この記録から発生届を作成できます（一覧には「発生届未作成」と表示されます）。"
                        .into(),
                )),
            }
        });
    };
    rsx! {
        div { class: "notify-box",
            button { r#type: "button", class: "button primary big notify", "data-testid": "create-notification", disabled: busy(), onclick: open,
                if busy() { "送信しています…" } else { "発生届を作成する" }
            }
            if !(ready && online) && note().is_none() {
                p { class: "field-hint", "data-testid": "notify-later", "同期後に作成できます。" }
            }
            if let Some(n) = note() { p { class: "notice", role: "status", "data-testid": "notify-note", "{n}" } }
        }
    }
}

fn shown(v: &str) -> String {
    if v.is_empty() {
        "（空欄）".to_owned()
    } else {
        v.to_owned()
    }
}

#[component]
pub fn ConflictView(id: String) -> Element {
    let ctx = use_context::<DriveCtx>();
    let Some(e) = ctx.entry(&id) else {
        return rsx! { p { "この記録は端末にありません。" } };
    };
    let SyncState::Conflict {
        case_version,
        updated_by_name,
        updated_at,
        fields,
        ..
    } = e.sync.clone()
    else {
        return rsx! {
            p { class: "notice", "この記録に確認の必要な項目はありません。" }
            button { r#type: "button", class: "button secondary", onclick: move |_| ctx.go(View::Queue, None), "一覧へ戻る" }
        };
    };
    let n = fields.len();
    // false: the device's value (shown first), true: the server's. Nothing is taken from the server unless chosen.
    let mut picks = use_signal(move || vec![false; n]);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let device_now = device_values(&e.record);
    let device_of = move |key: &str| {
        device_now
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let when = format!(
        "{} {}",
        jst_date(updated_at)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        jst_time(updated_at)
    );
    let f2 = fields.clone();
    let id2 = id.clone();
    let send = move |_| {
        if busy() {
            return;
        }
        let Some(trial) = ctx.entry(&id2) else {
            return;
        };
        let now = now_ms();
        let taken: Vec<(String, String)> = f2
            .iter()
            .zip(picks())
            .filter(|(_, server)| *server)
            .map(|(f, _)| (f.key.clone(), f.server.clone()))
            .collect();
        let resolve = move |e: &mut super::Entry| {
            for (key, value) in &taken {
                take_server_value(&mut e.record, key, value, now);
            }
            e.record.base_case_version = Some(case_version);
            e.record.version += 1;
            e.sync = SyncState::Pending;
            if !e.positive() {
                e.notify = Notify::None;
            } else if e.notify == Notify::None {
                e.notify = Notify::Wanted;
            }
        };
        // Checked on a copy first: a choice the device's checks refuse is not stored.
        let mut copy = trial.clone();
        resolve.clone()(&mut copy);
        if let Some((_, m)) = shared::drive::check(&copy.record, now).first() {
            error.set(Some(m.clone()));
            return;
        }
        let id = trial.id().to_owned();
        busy.set(true);
        spawn(async move {
            match ctx.update(&id, resolve).await {
                Ok(_) => {
                    ctx.request_sync();
                    ctx.go(View::Detail(id), Some("選んだ内容で送信します。".into()));
                }
                Err(m) => error.set(Some(m)),
            }
            busy.set(false);
        });
    };
    rsx! {
        div { class: "drive-form no-print", "data-testid": "conflict-view",
            h2 { class: "drive-title", "内容の確認（No.{e.no}）" }
            p { class: "notice", "サーバーの記録は {when} に {updated_by_name} さんが変更しています。違いのある項目ごとに、残す値を選んでください。はじめは端末の値が選ばれています。" }
            for (i, f) in fields.iter().enumerate() {
                {
                    let server_pick = picks.read().get(i).copied().unwrap_or(false);
                    let name = format!("conflict-{}", f.key);
                    let device = device_of(&f.key);
                    rsx! {
                        fieldset { key: "{f.key}", class: "conflict-field", "data-testid": "conflict-field", "data-key": "{f.key}",
                            legend { class: "field-label", "{f.label}" }
                            label { class: if server_pick { "conflict-option" } else { "conflict-option chosen" },
                                input { r#type: "radio", name: "{name}", checked: !server_pick,
                                    onchange: move |_| { if let Some(p) = picks.write().get_mut(i) { *p = false; } } }
                                span { class: "conflict-source", "端末の値" }
                                span { class: "conflict-value", "data-testid": "conflict-device", "{shown(&device)}" }
                            }
                            label { class: if server_pick { "conflict-option chosen" } else { "conflict-option" },
                                input { r#type: "radio", name: "{name}", checked: server_pick,
                                    onchange: move |_| { if let Some(p) = picks.write().get_mut(i) { *p = true; } } }
                                span { class: "conflict-source", "サーバーの値" }
                                span { class: "conflict-value", "data-testid": "conflict-server", "{shown(&f.server)}" }
                            }
                        }
                    }
                }
            }
            ErrorAlert { message: error() }
            div { class: "form-actions sticky-actions",
                button { r#type: "button", class: "button secondary", onclick: move |_| ctx.go(View::Queue, None), "あとで" }
                button { r#type: "button", class: "button primary big", "data-testid": "conflict-send", disabled: busy(), onclick: send, "この内容で送信" }
            }
        }
    }
}
