//! The patient record (登録情報): its pages — the record with its tabs (`/records/:id`), the search
//! (`/search`), a record before a notification (`/pre-notification`), the deleted records (`/deleted`) —, the record
//! in context for its tabs, the generic tab form drawn from `shared::case::tabs`, the status record, and small
//! formatting helpers (dates in 和暦, JST).

pub mod deleted;
pub mod pre_notification;
pub mod record;
pub mod search;
pub mod status_tab;
pub mod tab_form;
pub mod tab_panel;

use chrono::NaiveDate;
use dioxus::prelude::*;
use serde_json::Value;
use shared::api::cases::{CaseRecord, EditConflict};

use crate::api;
use crate::notification::sheet::{wareki, ymd};

/// Today in Japan (the edge judges dates by JST too).
pub fn today_jst() -> NaiveDate {
    shared::time::today_jst(js_sys::Date::now() as i64)
}

pub fn parse_iso(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// An ISO date as 「令和6年5月1日（2024/05/01）」; anything else as it is.
pub fn date_long(s: &str) -> String {
    parse_iso(s).map_or_else(|| s.to_owned(), |d| wareki(Some(d)))
}

/// An ISO date as 「2024/05/01」 (lists and tables).
pub fn date_short(s: Option<&str>) -> String {
    s.and_then(parse_iso).map(ymd).unwrap_or_default()
}

/// 「34歳」 from an ISO birth date.
pub fn age_text(date_of_birth: Option<&str>, today: NaiveDate) -> String {
    date_of_birth
        .and_then(parse_iso)
        .and_then(|d| shared::case::age_years(d, today))
        .map(|y| format!("{y}歳"))
        .unwrap_or_default()
}

/// The value at a dotted path (`tests.0.specimen_date`), or null.
pub fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    let mut cur = v;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        cur = match (cur, part.parse::<usize>()) {
            (Value::Array(a), Ok(i)) => a.get(i).unwrap_or(&Value::Null),
            (Value::Object(o), _) => o.get(part).unwrap_or(&Value::Null),
            _ => &Value::Null,
        };
    }
    cur
}

/// Sets the value at a dotted path, creating objects and array slots on the way; null removes an object member.
pub fn put(v: &mut Value, path: &str, value: Value) {
    let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    let mut cur = v;
    for (n, part) in parts.iter().enumerate() {
        let last = n + 1 == parts.len();
        if let Ok(i) = part.parse::<usize>() {
            if !cur.is_array() {
                *cur = Value::Array(Vec::new());
            }
            let Value::Array(a) = cur else { return };
            while a.len() <= i {
                a.push(Value::Object(Default::default()));
            }
            if last {
                a[i] = value;
                return;
            }
            cur = &mut a[i];
        } else {
            if !cur.is_object() {
                *cur = Value::Object(Default::default());
            }
            let Value::Object(o) = cur else { return };
            if last {
                if value.is_null() {
                    o.remove(*part);
                } else {
                    o.insert((*part).to_owned(), value);
                }
                return;
            }
            cur = o.entry(*part).or_insert(Value::Null);
        }
    }
}

/// The id of a tab field's input (`t-tests-0-specimen_date`), for labels and for focusing it from a finding.
pub fn field_id(path: &str) -> String {
    let mut id = String::from("t-");
    for c in path.chars() {
        id.push(if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        });
    }
    id
}

/// Epoch milliseconds as 「13:05」 today, else 「2026/11/24 13:05」 (JST).
pub fn when(ms: i64) -> String {
    let full = crate::notification::records::jst(ms);
    let today = ymd(today_jst());
    match full.strip_prefix(&today) {
        Some(time) => time.trim().to_owned(),
        None => full,
    }
}

/// The open record, shared by its tabs. Every write answers the record as it is now, which replaces this one.
#[derive(Clone, Copy, PartialEq)]
pub struct CaseCtx {
    pub record: Signal<Option<CaseRecord>>,
    pub error: Signal<Option<api::ApiFailure>>,
}

impl CaseCtx {
    pub fn id(&self) -> String {
        self.record
            .read()
            .as_ref()
            .map(|r| r.id.clone())
            .unwrap_or_default()
    }

    pub fn version(&self) -> i64 {
        self.record.read().as_ref().map_or(0, |r| r.version)
    }

    /// Reads the record again (after someone else's save); the tabs' open forms keep their values.
    pub async fn reload(mut self, id: String) {
        match api::cases::read(&id).await {
            Ok(r) => {
                self.record.set(Some(r));
                self.error.set(None);
            }
            Err(e) => self.error.set(Some(e)),
        }
    }
}

/// 「〇〇さんが 13:05 に更新しました」 with what they changed, and the way to go on from the latest version.
#[component]
pub fn ConflictNotice(conflict: EditConflict, on_reload: EventHandler<()>) -> Element {
    rsx! {
        div { class: "conflict", role: "alert", tabindex: "-1", "data-testid": "conflict",
            // Shown where the user is looking, wherever the save button was.
            onmounted: move |e| async move {
                let _ = e.set_focus(true).await;
            },
            p { class: "conflict-title",
                "{conflict.updated_by_name}さんが {when(conflict.updated_at)} に更新しました。"
            }
            p { "あなたの入力はまだ保存されていません（入力内容はそのまま残っています）。" }
            if !conflict.changes.is_empty() {
                ul { class: "conflict-changes", "data-testid": "conflict-changes",
                    for c in conflict.changes.iter() {
                        li { key: "{c.version}", "{when(c.at)}　{c.by_name}　{c.what}" }
                    }
                }
            }
            p { "最新の内容を読み込んでから、必要なら入力内容を見直してもう一度保存してください。" }
            button { r#type: "button", class: "button secondary", "data-testid": "reload-latest",
                onclick: move |_| on_reload.call(()),
                "最新の内容を読み込む"
            }
        }
    }
}
