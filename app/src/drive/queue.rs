//! The status bar (network, records waiting, last sync, 「今すぐ同期」), the site session, the queue of arrivals
//! as big cards (newest first), one record's details, and closing the site.

use dioxus::prelude::*;
use shared::drive::{display_code, jst_time};

use super::capture::method_short;
use super::page::View;
use super::{plain_get, plain_set, sync, today, DriveCtx, Entry, Notify, SiteSession, SyncState};
use crate::api;
use crate::components::alert::ErrorAlert;
use crate::net::ONLINE;
use crate::session::SessionCtx;
use crate::Route;

fn navigator_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

#[component]
pub fn StatusBar() -> Element {
    let ctx = use_context::<DriveCtx>();
    let online = ONLINE();
    let entries = ctx.entries.read();
    let waiting = entries.iter().filter(|e| e.unconfirmed()).count();
    let conflicts = entries
        .iter()
        .filter(|e| matches!(e.sync, SyncState::Conflict { .. }))
        .count();
    let errors = entries
        .iter()
        .filter(|e| matches!(e.sync, SyncState::Error { .. }))
        .count();
    drop(entries);
    let last = (ctx.last_sync)().map_or_else(|| "未同期".to_owned(), jst_time);
    let syncing = (ctx.syncing)();
    rsx! {
        div { class: "drive-status no-print", "data-testid": "drive-status",
            span { class: if online { "ds-net online" } else { "ds-net offline" }, role: "status", "data-testid": "ds-net",
                span { class: "net-dot", "aria-hidden": "true" }
                if online { "オンライン" } else { "オフライン" }
            }
            span { class: if waiting > 0 { "ds-pending waiting" } else { "ds-pending" }, "data-testid": "ds-pending",
                "未送信 {waiting}件"
                if conflicts > 0 { span { class: "ds-sub", "（要確認 {conflicts}）" } }
                if errors > 0 { span { class: "ds-sub", "（エラー {errors}）" } }
            }
            span { class: "ds-last", "data-testid": "ds-last", "最終同期 {last}" }
            button { r#type: "button", class: "button small ds-sync", "data-testid": "sync-now", disabled: syncing,
                onclick: move |_| {
                    spawn(async move {
                        let report = sync::run(ctx).await;
                        let mut flash = ctx.flash;
                        if report.sent == 0 && !report.stopped && ctx.unconfirmed() == 0 {
                            flash.set(Some("送信を待っている記録はありません。".into()));
                        }
                    });
                },
                if syncing { "同期しています…" } else { "今すぐ同期" }
            }
        }
        if !online {
            p { class: "notice drive-sync-note no-print", "data-testid": "offline-note",
                "オフラインです。記録は端末に暗号化して保存し、通信が戻ると自動で送信します。"
            }
        } else if let Some(note) = (ctx.sync_note)() {
            div { class: "alert drive-sync-note no-print", role: "alert", "data-testid": "sync-note",
                "{note}"
                if (ctx.need_sign_in)() {
                    " "
                    Link { to: Route::SignIn {}, "サインインする" }
                }
            }
        }
    }
}

/// The sync's 30-second retry: tried whenever the browser has a network (the server may be back).
pub fn may_retry() -> bool {
    navigator_online()
}

const HC_CACHE: &str = "hersys.drive.health_centers";

/// The prefecture's health centers: from the server, kept in plain storage for offline use (not personal).
pub fn use_health_center_options() -> Memo<Vec<(String, String)>> {
    let list = use_resource(|| async {
        match api::institution::health_centers().await {
            Ok(l) => {
                let v: Vec<(String, String)> = l
                    .health_centers
                    .iter()
                    .map(|h| (h.id.clone(), h.name.clone()))
                    .collect();
                if let Ok(text) = serde_json::to_string(&v) {
                    plain_set(HC_CACHE, &text);
                }
                v
            }
            Err(_) => plain_get(HC_CACHE)
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default(),
        }
    });
    use_memo(move || list.read().clone().unwrap_or_default())
}

#[component]
pub fn SiteForm() -> Element {
    let ctx = use_context::<DriveCtx>();
    let session = use_context::<SessionCtx>();
    let current = ctx.site.peek().clone();
    let own_hc = session
        .me()
        .and_then(|m| m.jurisdiction.health_center_id().map(str::to_owned))
        .unwrap_or_default();
    let c = current.clone();
    let mut name = use_signal(|| c.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let mut staff = use_signal(|| c.as_ref().map(|s| s.staff.clone()).unwrap_or_default());
    let mut date = use_signal(|| {
        c.as_ref()
            .map(|s| s.date.clone())
            .unwrap_or_else(|| today().to_string())
    });
    let mut hc = use_signal(|| {
        c.as_ref()
            .map(|s| s.health_center_id.clone())
            .unwrap_or(own_hc)
    });
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let options = use_health_center_options();
    // Nothing chosen yet and no own health center (offline): the first of the list.
    use_effect(move || {
        let opts = options();
        if hc.peek().is_empty() {
            if let Some((id, _)) = opts.first() {
                hc.set(id.clone());
            }
        }
    });
    let opts = options();
    let first_time = current.is_none();
    let save = move |_| {
        if busy() {
            return;
        }
        let n = name().trim().to_owned();
        if n.is_empty() {
            error.set(Some("会場名を入力してください。".into()));
            api::focus_by_id("s-name");
            return;
        }
        if chrono::NaiveDate::parse_from_str(&date(), "%Y-%m-%d").is_err() {
            error.set(Some("実施日を入力してください。".into()));
            api::focus_by_id("s-date");
            return;
        }
        if hc().is_empty() {
            error.set(Some(
                "担当保健所を選んでください（一覧はオンラインのときに読み込みます）。".into(),
            ));
            return;
        }
        let hc_name = options()
            .iter()
            .find(|(id, _)| *id == hc())
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        let next_no = ctx.site.peek().as_ref().map_or_else(
            || ctx.entries.peek().iter().map(|e| e.no).max().unwrap_or(0) + 1,
            |s| s.next_no,
        );
        let previous = ctx.site.peek().clone();
        let newest = ctx.entries.peek().iter().max_by_key(|e| e.no).cloned();
        let site = SiteSession {
            name: n,
            staff: staff().trim().to_owned(),
            date: date(),
            health_center_id: hc(),
            health_center_name: hc_name,
            next_no,
            // The next capture's defaults: the site's, or those of the newest record on the device.
            last_method: previous
                .as_ref()
                .map(|s| s.last_method.clone())
                .or_else(|| newest.as_ref().map(|e| e.record.specimen.method.clone()))
                .unwrap_or_default(),
            last_specimen: previous
                .as_ref()
                .map(|s| s.last_specimen.clone())
                .or_else(|| newest.as_ref().map(|e| e.record.specimen.specimen.clone()))
                .unwrap_or_default(),
        };
        busy.set(true);
        error.set(None);
        spawn(async move {
            match ctx.save_site(site).await {
                Ok(()) => ctx.go(View::Queue, None),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    rsx! {
        div { class: "drive-form form-root no-print", "data-testid": "site-form",
            h2 { class: "drive-title", if first_time { "会場を開く" } else { "会場の情報" } }
            p { class: "lead", "この端末で受け付ける検査会場の情報です。記録とともに端末に暗号化して保存します。" }
            div { class: "field",
                label { class: "field-label", r#for: "s-name", "会場名（必須）" }
                input { id: "s-name", class: "input", r#type: "text", autocomplete: "off", maxlength: "60", value: "{name}", oninput: move |e| { name.set(e.value()); error.set(None); } }
            }
            div { class: "field",
                label { class: "field-label", r#for: "s-staff", "担当者" }
                input { id: "s-staff", class: "input", r#type: "text", autocomplete: "off", maxlength: "60", value: "{staff}", oninput: move |e| staff.set(e.value()) }
            }
            div { class: "field",
                label { class: "field-label", r#for: "s-date", "実施日" }
                input { id: "s-date", class: "input", r#type: "date", value: "{date}", oninput: move |e| date.set(e.value()) }
            }
            div { class: "field",
                label { class: "field-label", r#for: "s-hc", "担当保健所" }
                select { id: "s-hc", class: "input", value: "{hc}", onchange: move |e| hc.set(e.value()),
                    if opts.is_empty() { option { value: "{hc}", if hc().is_empty() { "（オンラインで読み込みます）" } else { "{hc}" } } }
                    for (id, n) in opts.iter().cloned() {
                        option { key: "{id}", value: "{id}", selected: id == hc(), "{n}" }
                    }
                }
            }
            PostalReadiness {}
            ErrorAlert { message: error() }
            div { class: "form-actions sticky-actions",
                if !first_time {
                    button { r#type: "button", class: "button secondary", onclick: move |_| ctx.go(View::Queue, None), "やめる" }
                }
                button { r#type: "button", class: "button primary big", "data-testid": "site-save", disabled: busy(), onclick: save,
                    if first_time { "この会場で始める" } else { "保存する" }
                }
            }
        }
    }
}

#[component]
fn PostalReadiness() -> Element {
    let ctx = use_context::<DriveCtx>();
    rsx! {
        match (ctx.postal_ready)() {
            Some(true) => rsx! { p { class: "field-note", "data-testid": "postal-ready", "郵便番号からの住所入力: オフラインでも使えます" } },
            Some(false) => rsx! { p { class: "field-hint", "data-testid": "postal-not-ready", "郵便番号からの住所入力: 一部の地域はオンラインのときだけ使えます" } },
            None => rsx! { p { class: "field-hint", "郵便番号のデータを準備しています…" } },
        }
    }
}

/// The chips of a card: specimen/result, sync state, notification.
fn chips(e: &Entry) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    match e.record.result.as_ref().map(|r| r.result.as_str()) {
        None => {
            out.push(("chip-state collected", "採取済".to_owned()));
            out.push(("chip-state waiting", "結果待ち".to_owned()));
        }
        Some("陽性") => out.push(("chip-state positive", "陽性".to_owned())),
        Some("陰性") => out.push(("chip-state negative", "陰性".to_owned())),
        Some(_) => out.push(("chip-state hold", "判定保留".to_owned())),
    }
    out.push(match e.sync {
        SyncState::Pending => ("chip-sync pending", "未送信".to_owned()),
        SyncState::Synced => ("chip-sync synced", "送信済".to_owned()),
        SyncState::Conflict { .. } => ("chip-sync conflict", "要確認".to_owned()),
        SyncState::Error { .. } => ("chip-sync error", "エラー".to_owned()),
    });
    if e.positive() && e.notify == Notify::Wanted {
        out.push(("chip-notify", "発生届未作成".to_owned()));
    }
    out
}

#[component]
pub fn Queue() -> Element {
    let ctx = use_context::<DriveCtx>();
    let site = ctx.site.read().clone();
    let entries = ctx.entries.read().clone();
    let unreadable = (ctx.unreadable)();
    let waiting_results = entries.iter().filter(|e| e.record.result.is_none()).count();
    rsx! {
        div { class: "drive-queue", "data-testid": "drive-queue",
            if let Some(s) = &site {
                div { class: "site-summary no-print", "data-testid": "site-summary",
                    div { class: "site-main",
                        span { class: "site-name", "{s.name}" }
                        span { class: "site-meta", "実施日 {s.date}" }
                        if !s.staff.is_empty() { span { class: "site-meta", "担当 {s.staff}" } }
                        if !s.health_center_name.is_empty() { span { class: "site-meta", "{s.health_center_name}" } }
                    }
                    button { r#type: "button", class: "button small secondary", onclick: move |_| ctx.go(View::Site, None), "会場の情報を変更" }
                }
            } else {
                div { class: "notice no-print",
                    "会場が開かれていません。"
                    button { r#type: "button", class: "button small", onclick: move |_| ctx.go(View::Site, None), "会場を開く" }
                }
            }
            div { class: "drive-actions no-print",
                button { r#type: "button", class: "drive-action primary", "data-testid": "start-capture", disabled: site.is_none(),
                    onclick: move |_| ctx.go(View::Capture(None), None),
                    span { class: "action-title", "受付する" }
                    span { class: "action-hint", "氏名などを入力し、検体を採取してラベルを貼ります。" }
                }
                button { r#type: "button", class: "drive-action", "data-testid": "start-result",
                    onclick: move |_| ctx.go(View::Find, None),
                    span { class: "action-title", "結果入力" }
                    span { class: "action-hint", "検体のQRコードを読み取るか、検体コードを入力します（結果待ち {waiting_results}件）。" }
                }
            }
            if unreadable > 0 {
                p { class: "alert", role: "alert", "この端末に読み取れない記録が {unreadable} 件あります（消去はしていません）。" }
            }
            h2 { class: "section-title", "受付一覧（新しい順・{entries.len()}件）" }
            if entries.is_empty() {
                p { class: "muted", "まだ受付はありません。「受付する」から始めてください。" }
            }
            ul { class: "drive-cards", "data-testid": "drive-cards",
                for e in entries.iter().cloned() {
                    QueueCard { key: "{e.record.client_id}", entry: e }
                }
            }
            if site.is_some() {
                div { class: "form-actions no-print",
                    button { r#type: "button", class: "button danger", "data-testid": "close-site", onclick: move |_| ctx.go(View::Close, None), "会場を閉じる" }
                }
            }
        }
    }
}

#[component]
fn QueueCard(entry: Entry) -> Element {
    let ctx = use_context::<DriveCtx>();
    let id = entry.id().to_owned();
    let e = &entry;
    let other_site = ctx
        .site
        .read()
        .as_ref()
        .is_none_or(|s| s.name != e.record.site.name || s.date != e.record.site.date);
    let error = match &e.sync {
        SyncState::Error {
            message, issues, ..
        } => Some(
            std::iter::once(message.clone())
                .chain(issues.iter().map(|(_, m)| m.clone()))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    };
    rsx! {
        li { class: "drive-card-item",
            button { r#type: "button", class: "drive-card", "data-testid": "drive-card", "data-no": "{e.no}",
                onclick: move |_| ctx.go(View::Detail(id.clone()), None),
                span { class: "card-top",
                    span { class: "card-no", "No.{e.no}" }
                    span { class: "card-code", "{display_code(&e.record.specimen.code)}" }
                }
                span { class: "card-name", "{e.record.person.name}" }
                span { class: "card-meta",
                    "採取 {jst_time(e.record.specimen.collected_at)}・{method_short(&e.record.specimen.method)}"
                    if other_site { "・{e.record.site.name}（{e.record.site.date}）" }
                }
                span { class: "card-chips",
                    for (class, label) in chips(e) {
                        span { key: "{label}", class: "status-chip {class}", "{label}" }
                    }
                }
                if let Some(m) = error { span { class: "card-error", "{m}" } }
            }
        }
    }
}

#[component]
pub fn Detail(id: String) -> Element {
    let ctx = use_context::<DriveCtx>();
    let Some(e) = ctx.entry(&id) else {
        return rsx! {
            p { "この記録は端末にありません。" }
            button { r#type: "button", class: "button secondary", onclick: move |_| ctx.go(View::Queue, None), "一覧へ戻る" }
        };
    };
    let p = e.record.person.clone();
    let s = e.record.specimen.clone();
    let id2 = id.clone();
    let id3 = id.clone();
    let id4 = id.clone();
    let id5 = id.clone();
    let rows: Vec<(&str, String)> = vec![
        ("氏名", p.name.clone()),
        ("フリガナ", p.furigana.clone()),
        ("生年月日", p.date_of_birth.clone()),
        ("性別", p.sex.clone()),
        ("電話番号", p.phone.clone()),
        ("郵便番号", p.postal_code.clone()),
        ("住所", p.address.clone()),
        ("検体コード", display_code(&s.code)),
        ("検査方法", s.method.clone()),
        ("検体", s.specimen.clone()),
        ("採取時刻", jst_time(s.collected_at)),
        (
            "検査結果",
            e.record.result.as_ref().map_or("結果待ち".to_owned(), |r| {
                format!(
                    "{}（{}）",
                    if r.result == "その他" {
                        "判定保留"
                    } else {
                        &r.result
                    },
                    jst_time(r.at)
                )
            }),
        ),
        (
            "会場",
            format!("{}（{}）", e.record.site.name, e.record.site.date),
        ),
    ];
    rsx! {
        div { class: "drive-detail", "data-testid": "drive-detail",
            h2 { class: "drive-title", "No.{e.no} {p.name}" }
            div { class: "card-chips",
                for (class, label) in chips(&e) {
                    span { key: "{label}", class: "status-chip {class}", "{label}" }
                }
            }
            match &e.sync {
                SyncState::Error { message, issues, .. } => rsx! {
                    div { class: "alert", role: "alert", "data-testid": "detail-error",
                        p { "サーバーが受け付けませんでした: {message}" }
                        for (i, (_, m)) in issues.iter().enumerate() { p { key: "{i}", "{m}" } }
                        if e.deleted_on_server() {
                            p { "サーバーの記録は削除されています（保健所の管理者が復元できます）。この端末の記録は、確認のうえ端末から削除できます。" }
                        } else {
                            p { "「内容を修正」で直すと、もう一度送信します。" }
                        }
                    }
                },
                SyncState::Conflict { updated_by_name, .. } => rsx! {
                    div { class: "alert", role: "alert",
                        "サーバーで {updated_by_name} さんがこの方の記録を変更しています。項目ごとに残す値を選んでください。"
                    }
                },
                _ => rsx! {},
            }
            dl { class: "read-list",
                for (label, value) in rows.into_iter().filter(|(_, v)| !v.is_empty()) {
                    div { key: "{label}", class: "read-item", dt { "{label}" } dd { class: "read-value", "{value}" } }
                }
            }
            div { class: "form-actions",
                if matches!(e.sync, SyncState::Conflict { .. }) {
                    button { r#type: "button", class: "button primary big", "data-testid": "resolve-conflict",
                        onclick: move |_| ctx.go(View::Conflict(id2.clone()), None), "競合を確認する" }
                }
                if e.positive() {
                    super::result::NotifyButton { id: id.clone() }
                }
                button { r#type: "button", class: "button primary", "data-testid": "detail-result",
                    onclick: move |_| ctx.go(View::Result(id3.clone()), None),
                    if e.record.result.is_some() { "結果を変更" } else { "結果入力" }
                }
                button { r#type: "button", class: "button secondary", "data-testid": "detail-edit",
                    onclick: move |_| ctx.go(View::Capture(Some(id4.clone())), None), "内容を修正" }
                button { r#type: "button", class: "button secondary", "data-testid": "detail-label",
                    onclick: move |_| ctx.go(View::Label(id5.clone()), None), "ラベルを表示・印刷" }
                button { r#type: "button", class: "button secondary", onclick: move |_| ctx.go(View::Queue, None), "一覧へ戻る" }
            }
            if e.deleted_on_server() {
                RemoveDeleted { id: id.clone() }
            }
        }
    }
}

/// 「端末から削除する」 for a record deleted on the server, with a second, explicit confirmation.
#[component]
fn RemoveDeleted(id: String) -> Element {
    let ctx = use_context::<DriveCtx>();
    let mut asked = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    rsx! {
        div { class: "form-actions",
            ErrorAlert { message: error() }
            if asked() {
                p { class: "notice", "この方の記録をこの端末から削除します。元に戻せません。" }
                button { r#type: "button", class: "button secondary", onclick: move |_| asked.set(false), "やめる" }
                button { r#type: "button", class: "button danger big", "data-testid": "remove-deleted-confirm",
                    onclick: move |_| {
                        let id = id.clone();
                        spawn(async move {
                            match ctx.remove_deleted_on_server(&id).await {
                                Ok(()) => ctx.go(View::Queue, Some("削除された記録を端末から消去しました。".into())),
                                Err(e) => error.set(Some(e)),
                            }
                        });
                    },
                    "端末から削除する"
                }
            } else {
                button { r#type: "button", class: "button danger", "data-testid": "remove-deleted",
                    onclick: move |_| asked.set(true), "端末から削除する…" }
            }
        }
    }
}

#[component]
pub fn CloseSite() -> Element {
    let ctx = use_context::<DriveCtx>();
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let entries = ctx.entries.read().clone();
    let complete = entries.iter().filter(|e| e.complete()).count();
    let unconfirmed = entries.iter().filter(|e| e.unconfirmed()).count();
    let awaiting = entries
        .iter()
        .filter(|e| !e.unconfirmed() && e.record.result.is_none())
        .count();
    let positive_open = entries
        .iter()
        .filter(|e| e.complete() && e.positive() && e.notify == Notify::Wanted)
        .count();
    rsx! {
        div { class: "drive-form no-print", "data-testid": "close-view",
            h2 { class: "drive-title", "会場を閉じる" }
            p { "送信済みで結果まで入力された {complete} 件の記録を、この端末から消去します（サーバーには保存されています）。" }
            if unconfirmed > 0 {
                p { class: "notice", "未送信・要確認・エラーの {unconfirmed} 件は、サーバーが受け取るまで端末に残します。" }
            }
            if awaiting > 0 {
                p { class: "notice", "結果待ちの {awaiting} 件は端末に残ります。" }
            }
            if positive_open > 0 {
                p { class: "alert", role: "alert", "陽性で発生届を作成していない方が {positive_open} 人います。閉じた後は「閲覧・編集する」から記録を開いて作成できます。" }
            }
            ErrorAlert { message: error() }
            div { class: "form-actions",
                button { r#type: "button", class: "button secondary", onclick: move |_| ctx.go(View::Queue, None), "やめる" }
                button { r#type: "button", class: "button danger big", "data-testid": "close-confirm", disabled: busy(),
                    onclick: move |_| {
                        busy.set(true);
                        spawn(async move {
                            match ctx.close_site().await {
                                Ok(n) => ctx.go(View::Site, Some(format!("会場を閉じました。{n} 件の記録を端末から消去しました。"))),
                                Err(e) => error.set(Some(e)),
                            }
                            busy.set(false);
                        });
                    },
                    "消去して会場を閉じる"
                }
            }
        }
    }
}
