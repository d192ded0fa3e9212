//! `/dashboard`: cases by day (epidemic curve, SVG), counts by status, overdue observations, alerts waiting.
//! Drawn with SVG attributes and classes only (the CSP allows no inline style).

use chrono::Datelike;
use dioxus::prelude::*;
use shared::api::observation::{DayCount, StatusCount};
use shared::auth::Role;
use shared::error::ErrorCode;

use crate::api;
use crate::case::parse_iso;
use crate::session::{RequireSignIn, SessionCtx};
use crate::Route;

const FORBIDDEN: &str = "ダッシュボードは保健所・都道府県・厚生労働省の職員が利用できます。";

#[component]
pub fn Dashboard() -> Element {
    let role = use_context::<SessionCtx>().me().map(|m| m.role);
    let allowed = role.is_none_or(|r| {
        matches!(
            r,
            Role::HealthCenterStaff
                | Role::HealthCenterAdmin
                | Role::PrefectureStaff
                | Role::NationalStaff
        )
    });
    rsx! {
        RequireSignIn {
            if allowed {
                Overview {}
            } else {
                section { class: "page",
                    h1 { "ダッシュボード" }
                    p { class: "alert", role: "alert", "data-testid": "dashboard-forbidden", {FORBIDDEN} }
                    Link { class: "button secondary", to: Route::Home {}, {crate::text::BACK_TO_MENU} }
                }
            }
        }
    }
}

#[component]
fn Overview() -> Element {
    let role = use_context::<SessionCtx>().me().map(|m| m.role);
    let desk = role.is_none_or(|r| matches!(r, Role::HealthCenterStaff | Role::HealthCenterAdmin));
    let mut board = use_resource(|| async { api::observation::dashboard().await });
    let data = board.read().clone();
    rsx! {
        section { class: "page dashboard", "data-testid": "dashboard",
            div { class: "form-top",
                h1 {
                    "ダッシュボード"
                    if let Some(Ok(b)) = &data { span { class: "heading-count", "（{b.area}）" } }
                }
                button { r#type: "button", class: "button secondary small", "data-testid": "dashboard-refresh",
                    onclick: move |_| board.restart(), "最新の情報に更新" }
            }
            match data {
                None => rsx! { p { class: "loading", "読み込み中…" } },
                Some(Err(e)) if e.code() == Some(ErrorCode::Forbidden) => rsx! {
                    p { class: "alert", role: "alert", "data-testid": "dashboard-forbidden", {FORBIDDEN} }
                },
                Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "{e.message()}" } },
                Some(Ok(b)) => rsx! {
                    div { class: "tiles", "data-testid": "tiles",
                        Tile { label: "健康観察中", value: b.observing, unit: "人", hint: "今日が観察期間に入っている人", to: None, tone: "" }
                        Tile { label: "報告遅れ", value: b.overdue, unit: "人", hint: "期限を過ぎても報告がない人", to: None,
                            tone: tone(b.overdue > 0, "warn") }
                        Tile { label: "未対応アラート", value: b.alerts_waiting, unit: "件", hint: "保健所の対応待ち",
                            to: desk.then_some(Route::Alerts {}), tone: tone(b.alerts_waiting > 0, "warn") }
                        Tile { label: "うち緊急", value: b.urgent_waiting, unit: "件", hint: "すぐに連絡が必要",
                            to: desk.then_some(Route::Alerts {}), tone: tone(b.urgent_waiting > 0, "urgent") }
                    }
                    div { class: "dash-grid",
                        section { class: "dash-panel",
                            h2 { class: "section-title", "発生状況（確定日別、直近{b.curve.len()}日）" }
                            Curve { curve: b.curve.clone() }
                        }
                        section { class: "dash-panel",
                            h2 { class: "section-title", "ステータス別の人数" }
                            StatusBars { statuses: b.statuses.clone() }
                        }
                    }
                },
            }
        }
    }
}

fn tone(on: bool, name: &'static str) -> &'static str {
    if on {
        name
    } else {
        ""
    }
}

#[component]
fn Tile(
    label: &'static str,
    value: u32,
    unit: &'static str,
    hint: &'static str,
    to: Option<Route>,
    tone: &'static str,
) -> Element {
    let body = rsx! {
        span { class: "tile-label", {label} }
        span { class: "tile-value", "data-testid": "tile-value", "{value}" span { class: "tile-unit", {unit} } }
        span { class: "tile-hint", {hint} }
    };
    rsx! {
        match to {
            Some(to) => rsx! { Link { class: "tile link {tone}", to, "data-testid": "tile", "aria-label": "{label} {value}{unit}（アラート一覧を開く）", {body} } },
            None => rsx! { div { class: "tile {tone}", "data-testid": "tile", {body} } },
        }
    }
}

/// A "nice" axis maximum and step for counts up to `max` (at least 4, steps of 1, 2, 5 × 10ⁿ).
fn axis(max: u32) -> (u32, u32) {
    let max = max.max(4);
    let raw = max.div_ceil(4);
    let mut pow = 1;
    while pow * 10 <= raw {
        pow *= 10;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * pow)
        .find(|s| *s >= raw)
        .unwrap_or(10 * pow);
    (step * max.div_ceil(step), step)
}

fn md(date: &str) -> String {
    parse_iso(date).map_or_else(|| date.to_owned(), |d| format!("{}/{}", d.month(), d.day()))
}

/// The epidemic curve: one bar per day, oldest left, today right; y gridlines; M/D every 7 days.
#[component]
fn Curve(curve: Vec<DayCount>) -> Element {
    const W: f64 = 720.0;
    const H: f64 = 260.0;
    const LEFT: f64 = 44.0;
    const RIGHT: f64 = 10.0;
    const TOP: f64 = 12.0;
    const BOTTOM: f64 = 34.0;
    let n = curve.len().max(1);
    let max = curve.iter().map(|d| d.count).max().unwrap_or(0);
    let (top, step) = axis(max);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let slot = plot_w / n as f64;
    let bar_w = (slot * 0.72).max(1.0);
    let y = |v: u32| TOP + plot_h - plot_h * f64::from(v) / f64::from(top);
    let total: u32 = curve.iter().map(|d| d.count).sum();
    let peak = curve.iter().max_by_key(|d| d.count).filter(|d| d.count > 0);
    let first = curve.first().map(|d| md(&d.date)).unwrap_or_default();
    let last = curve.last().map(|d| md(&d.date)).unwrap_or_default();
    let summary = match peak {
        Some(p) => format!(
            "発生状況の棒グラフ：{first}から{last}までの{n}日間で計{total}人、最多は{}の{}人。",
            md(&p.date),
            p.count
        ),
        None => format!("発生状況の棒グラフ：{first}から{last}までの{n}日間、届出はありません。"),
    };
    let grid: Vec<u32> = (0..=top / step).map(|i| i * step).collect();
    rsx! {
        div { class: "curve-wrap",
            svg { class: "curve", "viewBox": "0 0 {W} {H}", role: "img", "aria-label": "{summary}", "data-testid": "curve",
                for g in grid {
                    g { key: "g{g}", class: "grid",
                        line { x1: "{LEFT}", x2: "{W - RIGHT}", y1: "{y(g)}", y2: "{y(g)}", class: if g == 0 { "axis" } else { "gridline" } }
                        text { x: "{LEFT - 6.0}", y: "{y(g) + 4.0}", "text-anchor": "end", class: "tick", "{g}" }
                    }
                }
                for (i, d) in curve.iter().enumerate() {
                    {
                        let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
                        let top_y = y(d.count);
                        let h = (TOP + plot_h - top_y).max(0.0);
                        let today = i + 1 == n;
                        let label = (n - 1 - i) % 7 == 0;
                        rsx! {
                            g { key: "{d.date}",
                                rect { x: "{x:.2}", y: "{top_y:.2}", width: "{bar_w:.2}", height: "{h:.2}",
                                    class: if today { "bar today" } else { "bar" }, "data-testid": "curve-bar", "data-count": "{d.count}",
                                    title { "{md(&d.date)} {d.count}人" }
                                }
                                if label {
                                    // Today's label ends at its bar (the right edge), the others are centred.
                                    text { x: if today { "{x + bar_w:.2}" } else { "{x + bar_w / 2.0:.2}" },
                                        y: "{H - BOTTOM + 18.0}", "text-anchor": if today { "end" } else { "middle" },
                                        class: if today { "tick today" } else { "tick" },
                                        if today { "{md(&d.date)}（今日）" } else { "{md(&d.date)}" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        p { class: "muted", "人数は確定日（未記録の場合は届出日）で数えています。" }
        table { class: "visually-hidden", "data-testid": "curve-table",
            caption { "日別の発生人数" }
            thead { tr { th { scope: "col", "日付" } th { scope: "col", "人数" } } }
            tbody {
                for d in curve.iter() {
                    tr { key: "{d.date}", th { scope: "row", {md(&d.date)} } td { "{d.count}" } }
                }
            }
        }
    }
}

/// Counts by status as labelled bars (the bar is an SVG rect so its width needs no inline style).
#[component]
fn StatusBars(statuses: Vec<StatusCount>) -> Element {
    let max = statuses.iter().map(|s| s.count).max().unwrap_or(0).max(1);
    let total: u32 = statuses.iter().map(|s| s.count).sum();
    rsx! {
        ul { class: "status-bars", "data-testid": "status-bars",
            for s in statuses.iter() {
                {
                    let label = s.status.map_or("未記録", |st| st.label());
                    let w = 100.0 * f64::from(s.count) / f64::from(max);
                    rsx! {
                        li { key: "{label}", class: if s.count == 0 { "status-bar zero" } else { "status-bar" }, "data-testid": "status-bar",
                            span { class: "sb-label", {label} }
                            svg { class: "sb-bar", "viewBox": "0 0 100 10", "preserveAspectRatio": "none", "aria-hidden": "true",
                                rect { x: "0", y: "0", width: "{w:.2}", height: "10" }
                            }
                            span { class: "sb-count", "{s.count}人" }
                        }
                    }
                }
            }
        }
        p { class: "muted", "合計 {total}人（削除された記録を除く）" }
    }
}
