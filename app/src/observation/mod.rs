//! The health center's side of health observation (issue 10): the record's 健康観察 tab, the triage queue
//! (`/alerts`), the dashboard (`/dashboard`) and the スマホ入力ID slip (`/records/:id/slip`).

pub mod alerts;
pub mod dashboard;
pub mod slip;
pub mod tab;

use chrono::{Datelike, NaiveDate};
use dioxus::prelude::*;
use shared::observation::{urgency_label, Slot};

use crate::case::parse_iso;

const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// 「12/5（土）」 from an ISO date; anything else as it is.
pub fn day_text(s: &str) -> String {
    parse_iso(s).map_or_else(
        || s.to_owned(),
        |d| {
            format!(
                "{}/{}（{}）",
                d.month(),
                d.day(),
                WEEKDAYS[d.weekday().num_days_from_monday() as usize]
            )
        },
    )
}

/// 「12/5（土） 朝」.
pub fn day_slot(date: &str, slot: Slot) -> String {
    format!("{} {}", day_text(date), slot.label())
}

/// 「2026/12/5〜2026/12/14」.
pub fn period(start: &str, end: &str) -> String {
    let f = |s: &str| {
        parse_iso(s).map_or_else(
            || s.to_owned(),
            |d: NaiveDate| format!("{}/{}/{}", d.year(), d.month(), d.day()),
        )
    };
    format!("{}〜{}", f(start), f(end))
}

/// A スマホ入力ID grouped for reading aloud and typing: 「123 456 7890」.
pub fn grouped_id(id: &str) -> String {
    let digits: Vec<char> = id.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() != 10 {
        return id.to_owned();
    }
    let s: String = digits.iter().collect();
    format!("{} {} {}", &s[..3], &s[3..6], &s[6..])
}

/// The urgency as words and colour (緊急 red, 至急 orange, 要確認 yellow): never colour alone.
#[component]
pub fn UrgencyBadge(urgency: u8) -> Element {
    let level = urgency.clamp(1, 3);
    rsx! {
        span { class: "urgency u{level}", "data-testid": "urgency", {urgency_label(urgency)} }
    }
}
