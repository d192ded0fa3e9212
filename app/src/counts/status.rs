//! `/counts/daily`: 日次報告の状況 — for a day, which clinics of the health center's area (the prefecture's, for
//! prefecture staff) reported, late or on time, with their totals, and which did not (those with notified cases
//! first).

use dioxus::prelude::*;
use shared::api::counts::ClinicDayStatus;
use shared::regime;

use super::{deadline_ja, today};
use crate::api;
use crate::session::RequireSignIn;
use crate::Route;

#[component]
pub fn DailyStatusPage() -> Element {
    rsx! {
        RequireSignIn { StatusView {} }
    }
}

/// Today, or the last day of the daily reports when today is past them.
pub fn default_day() -> String {
    let (from, until) = regime::daily_totals_window();
    let t = today();
    if t.as_str() > until.to_string().as_str() {
        until.to_string()
    } else if t.as_str() < from.to_string().as_str() {
        from.to_string()
    } else {
        t
    }
}

#[component]
fn StatusView() -> Element {
    let mut day = use_signal(default_day);
    let data = use_resource(move || async move { api::counts::daily_status(&day()).await });
    let read = data.read().clone();
    rsx! {
        section { class: "page counts-page", "data-testid": "daily-status-page",
            h1 { "日次報告の状況" }
            div { class: "field day-field",
                label { r#for: "status-day", "報告日" }
                input { id: "status-day", r#type: "date", value: "{day}", "data-testid": "status-day",
                    min: "{regime::daily_totals_window().0}", max: "{regime::daily_totals_window().1}",
                    onchange: move |e| day.set(e.value()) }
            }
            match read {
                None => rsx! { p { class: "loading", "読み込み中…" } },
                Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "data-testid": "status-error", "{e.message()}" } },
                Some(Ok(s)) => {
                    let reported: Vec<&ClinicDayStatus> = s.clinics.iter().filter(|c| c.report.is_some()).collect();
                    let mut missing: Vec<&ClinicDayStatus> = s.clinics.iter().filter(|c| c.report.is_none()).collect();
                    missing.sort_by_key(|c| std::cmp::Reverse(c.notified));
                    let late = reported.iter().filter(|c| c.report.as_ref().is_some_and(|r| r.late)).count();
                    let total: u32 = reported.iter().filter_map(|c| c.report.as_ref()).map(|r| r.total).sum();
                    rsx! {
                        p { class: "deadline", "提出期限：{deadline_ja(&s.deadline)}" }
                        div { class: "tiles",
                            div { class: "tile", span { class: "tile-label", "報告済み" }
                                span { class: "tile-value", "data-testid": "status-reported", "{reported.len()}" span { class: "tile-unit", "/ {s.clinics.len()} 機関" } } }
                            div { class: if missing.is_empty() { "tile" } else { "tile warn" }, span { class: "tile-label", "未報告" }
                                span { class: "tile-value", "data-testid": "status-missing", "{missing.len()}" span { class: "tile-unit", "機関" } } }
                            div { class: if late > 0 { "tile warn" } else { "tile" }, span { class: "tile-label", "締切後の報告" }
                                span { class: "tile-value", "{late}" span { class: "tile-unit", "機関" } } }
                            div { class: "tile", span { class: "tile-label", "報告された人数" }
                                span { class: "tile-value", "{total}" span { class: "tile-unit", "人" } } }
                        }
                        div { class: "table-wrap",
                            table { class: "table status-table", "data-testid": "status-table",
                                thead { tr { th { scope: "col", "医療機関" } th { scope: "col", "保健所" } th { scope: "col", "状況" } th { scope: "col", "合計" } th { scope: "col", "うち届出" } } }
                                tbody {
                                    for c in missing.iter().chain(reported.iter()) {
                                        tr { key: "{c.institution_id}", "data-testid": "status-row", "data-institution": "{c.institution_id}",
                                            th { scope: "row", "{c.institution_name}" }
                                            td { "{c.health_center_name}" }
                                            td { "data-testid": "status-state",
                                                match &c.report {
                                                    None if c.notified > 0 => rsx! { span { class: "state missing", "未報告（届出あり）" } },
                                                    None => rsx! { span { class: "state none", "未報告" } },
                                                    Some(r) if r.late => rsx! { span { class: "state late", "報告済み（締切後）" } },
                                                    Some(_) => rsx! { span { class: "state ok", "報告済み" } },
                                                }
                                            }
                                            td { if let Some(r) = &c.report { "{r.total}人" } else { "—" } }
                                            td { "{c.notified}人" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Link { class: "button secondary", to: Route::Home {}, {crate::text::BACK_TO_MENU} }
        }
    }
}
