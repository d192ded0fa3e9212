//! 記録 (manual 5.1): the status record as the manual's table (every state in order, ● on the current one, each
//! state's latest entry), the full timeline with withdrawn entries struck through, recording the next state
//! (only those `shared` allows after the current one), withdrawing the latest entry, and the change history.

use dioxus::prelude::*;
use serde::Serialize;
use shared::api::cases::{CaseRecord, EditConflict, StatusChange, StatusEntry, StatusWithdraw};
use shared::case::status::{CaseStatus, PlaceCategory, SEVERE_DEFINITION};
use shared::error::ErrorCode;
use shared::notification::dates::parse_typed;
use shared::notification::options::Severity;

use super::tab_form::DATE_HELP;
use super::{date_short, today_jst, when, CaseCtx, ConflictNotice};
use crate::api::{self, ApiFailure};
use crate::components::alert::ErrorAlert;
use crate::notification::records::jst;

/// The stable JSON name of an option (`became_severe`, `moderate_ii`), for select values.
pub fn key<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn latest(entries: &[StatusEntry], s: CaseStatus) -> Option<&StatusEntry> {
    entries
        .iter()
        .filter(|e| e.status == s && !e.withdrawn)
        .max_by_key(|e| e.seq)
}

#[component]
pub fn StatusTab() -> Element {
    let ctx = use_context::<CaseCtx>();
    let Some(rec) = ctx.record.read().clone() else {
        return rsx! {};
    };
    let entries = rec.status_entries.clone();
    rsx! {
        div { class: "tab-body status-tab",
            h3 { class: "tab-form-title", "ステータス" }
            div { class: "table-wrap",
                table { class: "table status-table", "data-testid": "status-table",
                    thead { tr { th { "状態" } th { "日付" } th { class: "wide-only", "居所の区分" } th { class: "wide-only", "重症度" } th { class: "wide-only", "コメント" } } }
                    tbody {
                        for s in CaseStatus::ALL.iter().copied() {
                            {
                                let current = rec.status == Some(s);
                                let e = latest(&entries, s).cloned();
                                rsx! {
                                    tr { key: "{s.as_str()}", class: if current { "current" } else { "" },
                                        "data-status": "{s.as_str()}", "data-current": if current { "true" } else { "false" },
                                        th { scope: "row",
                                            span { class: "status-mark", "aria-hidden": "true", if current { "●" } else { "" } }
                                            if current { span { class: "visually-hidden", "現在の状態：" } }
                                            "{s.label()}"
                                            if s == CaseStatus::BecameSevere { span { class: "severe-definition", {SEVERE_DEFINITION} } }
                                        }
                                        td { {e.as_ref().map(|e| date_short(Some(&e.date))).unwrap_or_default()} }
                                        td { class: "wide-only", {e.as_ref().and_then(|e| e.place).map_or("", |p| p.label())} }
                                        td { class: "wide-only", {e.as_ref().and_then(|e| e.severity).map_or("", |p| p.label())} }
                                        td { class: "wrap wide-only", {e.as_ref().map(|e| e.comment.clone()).unwrap_or_default()} }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if rec.can_change_status {
                StatusForm { record: rec.clone() }
            }
            h3 { class: "tab-form-title", "経過（記録した順）" }
            if entries.is_empty() {
                p { class: "muted", "data-testid": "status-timeline", "まだ記録はありません。" }
            } else {
                ol { class: "timeline", "data-testid": "status-timeline",
                    for e in entries.iter() {
                        li { key: "{e.seq}", class: if e.withdrawn { "withdrawn" } else { "" },
                            if e.withdrawn {
                                del { "{date_short(Some(&e.date))}　{e.status.label()}" }
                                span { class: "badge", "取消" }
                            } else {
                                strong { "{date_short(Some(&e.date))}　{e.status.label()}" }
                            }
                            if let Some(p) = e.place { "　{p.label()}" }
                            if let Some(s) = e.severity { "　{s.label()}" }
                            if !e.comment.is_empty() { "　{e.comment}" }
                            span { class: "muted", "（{e.by_name}・{jst(e.at)}）" }
                        }
                    }
                }
            }
            h3 { class: "tab-form-title", "変更履歴" }
            ol { class: "history change-history", "data-testid": "change-history",
                for c in rec.history.iter().rev() {
                    li { key: "{c.version}", "{jst(c.at)}　{c.by_name}　{c.what}" }
                }
            }
        }
    }
}

#[component]
fn StatusForm(record: CaseRecord) -> Element {
    let ctx = use_context::<CaseCtx>();
    let allowed = CaseStatus::allowed_after(record.status);
    let mut status = use_signal(String::new);
    let mut date = use_signal(|| today_jst().to_string().replace('-', ""));
    let mut place = use_signal(String::new);
    let mut severity = use_signal(String::new);
    let mut comment = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let mut conflict = use_signal(|| None::<EditConflict>);
    let mut asking = use_signal(|| false);
    let mut done = use_signal(|| None::<&'static str>);
    let last = record
        .status_entries
        .iter()
        .filter(|e| !e.withdrawn)
        .max_by_key(|e| e.seq)
        .cloned();
    let parsed = parse_typed(&date());
    let id = record.id.clone();

    // Both writes answer the record as it is now, or a conflict to show.
    let mut finish = move |r: Result<CaseRecord, ApiFailure>, ok: &'static str| {
        let mut ctx = ctx;
        match r {
            Ok(rec) => {
                ctx.record.set(Some(rec));
                status.set(String::new());
                comment.set(String::new());
                conflict.set(None);
                error.set(None);
                done.set(Some(ok));
            }
            Err(e) if e.code() == Some(ErrorCode::EditConflict) && e.conflict().is_some() => {
                conflict.set(e.conflict())
            }
            Err(e) => error.set(Some(e.message())),
        }
    };

    let id2 = id.clone();
    let submit = move |_| {
        if busy() {
            return;
        }
        done.set(None);
        let Some(s) = CaseStatus::parse(&status()) else {
            error.set(Some("状態を選んでください。".into()));
            return;
        };
        let Some(d) = parse_typed(&date()) else {
            error.set(Some(DATE_HELP.into()));
            return;
        };
        let body = StatusChange {
            version: ctx.version(),
            status: s,
            date: d.to_string(),
            place: PlaceCategory::ALL
                .iter()
                .copied()
                .find(|p| key(p) == place()),
            severity: Severity::ALL.iter().copied().find(|p| key(p) == severity()),
            comment: comment().trim().to_owned(),
        };
        busy.set(true);
        error.set(None);
        let id = id2.clone();
        spawn(async move {
            let r = api::cases::change_status(&id, &body).await;
            busy.set(false);
            finish(r, "記録しました。");
        });
    };
    let id3 = id.clone();
    let mut withdraw = move |seq: i64| {
        if busy() {
            return;
        }
        busy.set(true);
        done.set(None);
        asking.set(false);
        let body = StatusWithdraw {
            version: ctx.version(),
            seq,
        };
        let id = id3.clone();
        spawn(async move {
            let r = api::cases::withdraw_status(&id, &body).await;
            busy.set(false);
            finish(r, "直前の記録を取り消しました。");
        });
    };
    let reload = move |_| {
        let id = id.clone();
        spawn(async move {
            ctx.reload(id).await;
            conflict.set(None);
        });
    };

    rsx! {
        section { class: "status-form", "data-testid": "status-form",
            h3 { class: "tab-form-title", "状態を記録する" }
            if allowed.is_empty() {
                p { class: "muted", "死亡の後に記録できる状態はありません。誤りの場合は直前の記録を取り消してください。" }
            } else {
                div { class: "form grid",
                    div { class: "field",
                        label { r#for: "status-next", "状態" }
                        select { id: "status-next", value: "{status}", onchange: move |e| status.set(e.value()),
                            option { value: "", selected: status().is_empty(), "選択してください" }
                            for s in allowed.iter() {
                                option { key: "{s.as_str()}", value: "{s.as_str()}", selected: status() == s.as_str(), "{s.label()}" }
                            }
                        }
                        if status() == CaseStatus::BecameSevere.as_str() { span { class: "field-hint", {SEVERE_DEFINITION} } }
                    }
                    div { class: "field",
                        label { r#for: "status-date", "日付" }
                        input { id: "status-date", class: "input", inputmode: "numeric", autocomplete: "off",
                            placeholder: "例 20240131・R6.1.31", value: "{date}", oninput: move |e| date.set(e.value()) }
                        if let Some(d) = parsed { span { class: "field-note", {crate::notification::sheet::wareki(Some(d))} } }
                    }
                    div { class: "field",
                        label { r#for: "status-place", "居所の区分" }
                        select { id: "status-place", value: "{place}", onchange: move |e| place.set(e.value()),
                            option { value: "", selected: place().is_empty(), "（なし）" }
                            for p in PlaceCategory::ALL.iter() {
                                option { key: "{key(p)}", value: "{key(p)}", selected: place() == key(p), "{p.label()}" }
                            }
                        }
                    }
                    div { class: "field",
                        label { r#for: "status-severity", "重症度" }
                        select { id: "status-severity", value: "{severity}", onchange: move |e| severity.set(e.value()),
                            option { value: "", selected: severity().is_empty(), "（なし）" }
                            for s in Severity::ALL.iter() {
                                option { key: "{key(s)}", value: "{key(s)}", selected: severity() == key(s), "{s.label()}" }
                            }
                        }
                    }
                    div { class: "field wide",
                        label { r#for: "status-comment", "コメント" }
                        input { id: "status-comment", class: "input", maxlength: "200", value: "{comment}", oninput: move |e| comment.set(e.value()) }
                    }
                    button { r#type: "button", class: "button primary", "data-testid": "status-submit", disabled: busy(), onclick: submit,
                        if busy() { "記録しています…" } else { "記録する" }
                    }
                }
            }
            if let Some(c) = conflict() {
                ConflictNotice { conflict: c, on_reload: reload }
            }
            ErrorAlert { message: error() }
            if let Some(m) = done() { p { class: "saved", role: "status", "data-testid": "status-done", "{m}" } }
            if let Some(e) = last {
                div { class: "withdraw",
                    if asking() {
                        div { class: "confirm-dialog", role: "alertdialog", "aria-labelledby": "withdraw-q", "data-testid": "withdraw-dialog",
                            p { id: "withdraw-q", "直前の記録（{date_short(Some(&e.date))} {e.status.label()}）を取り消しますか。取り消した記録は線を引いて残ります。" }
                            div { class: "row-actions",
                                button { r#type: "button", class: "button danger", "data-testid": "withdraw-yes", disabled: busy(),
                                    onclick: move |_| withdraw(e.seq), "取り消す" }
                                button { r#type: "button", class: "button secondary", onclick: move |_| asking.set(false), "やめる" }
                            }
                        }
                    } else {
                        button { r#type: "button", class: "button secondary", "data-testid": "withdraw-last",
                            onclick: move |_| asking.set(true),
                            "直前の記録を取り消す"
                        }
                    }
                }
            }
        }
    }
}

/// For 「最終更新」 lines: who and when.
pub fn updated_line(rec: &CaseRecord) -> String {
    format!(
        "最終更新 {}（{}）",
        when(rec.updated_at),
        rec.updated_by_name
    )
}
