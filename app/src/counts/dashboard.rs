//! `/counts`: 発生数（年代別） — by day and age band for the health center, the prefecture or the nation (the area
//! `dashboard_area` decides): notified cases of clinic-days without a daily total, daily totals, confirmed
//! antigen-kit self-registrations, and their sum (no one counted twice); and the sentinel weeks with the count per
//! reporting site (定点当たり). SVG bars and plain tables (the CSP allows no inline style).

use dioxus::prelude::*;
use shared::api::counts::{CountDashboard, CountDay};

use super::today;
use crate::api;
use crate::session::RequireSignIn;
use crate::Route;

#[component]
pub fn Counts() -> Element {
    rsx! {
        RequireSignIn { CountsView {} }
    }
}

fn days_before(day: &str, n: i64) -> String {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(|d| (d - chrono::Duration::days(n)).to_string())
        .unwrap_or_else(|_| day.to_owned())
}

/// 「10/1」 from 「2022-10-01」.
fn md(day: &str) -> String {
    let mut p = day.split('-').skip(1);
    match (p.next(), p.next()) {
        (Some(m), Some(d)) => format!(
            "{}/{}",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        ),
        _ => day.to_owned(),
    }
}

fn sum_cols(days: &[CountDay], pick: fn(&CountDay) -> &Vec<u32>, n: usize) -> Vec<u32> {
    let mut out = vec![0; n];
    for d in days {
        for (a, b) in out.iter_mut().zip(pick(d)) {
            *a += b;
        }
    }
    out
}

#[component]
fn CountsView() -> Element {
    let t = today();
    let mut to = use_signal(|| t.clone());
    let mut from = use_signal(|| days_before(&t, 27));
    let data = use_resource(move || async move { api::counts::dashboard(&from(), &to()).await });
    let read = data.read().clone();
    let mut preset = move |f: &str, t: &str| {
        from.set(f.to_owned());
        to.set(t.to_owned());
    };
    rsx! {
        section { class: "page counts-page counts-dashboard", "data-testid": "counts-page",
            h1 {
                "発生数（年代別）"
                if let Some(Ok(b)) = &read { span { class: "heading-count", "（{b.area_name}）" } }
            }
            div { class: "span-pickers",
                div { class: "field",
                    label { r#for: "counts-from", "開始日" }
                    input { id: "counts-from", r#type: "date", value: "{from}", "data-testid": "counts-from", onchange: move |e| from.set(e.value()) }
                }
                div { class: "field",
                    label { r#for: "counts-to", "終了日" }
                    input { id: "counts-to", r#type: "date", value: "{to}", "data-testid": "counts-to", onchange: move |e| to.set(e.value()) }
                }
            }
            div { class: "presets",
                button { r#type: "button", class: "button secondary small", onclick: move |_| { let t = today(); preset(&days_before(&t, 27), &t) }, "直近4週間" }
                button { r#type: "button", class: "button secondary small", "data-testid": "preset-2022-10", onclick: move |_| preset("2022-09-26", "2022-10-23"), "2022年9月26日〜（日次報告）" }
                button { r#type: "button", class: "button secondary small", onclick: move |_| preset("2023-05-08", "2023-06-04"), "2023年5月8日〜（定点報告）" }
            }
            match read {
                None => rsx! { p { class: "loading", "読み込み中…" } },
                Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "data-testid": "counts-error", "{e.message()}" } },
                Some(Ok(b)) => rsx! { Board { b } },
            }
            Link { class: "button secondary", to: Route::Home {}, {crate::text::BACK_TO_MENU} }
        }
    }
}

#[component]
fn Board(b: CountDashboard) -> Element {
    let n = b.daily_bands.len();
    let total: u32 = b.days.iter().map(|d| d.total).sum();
    let notified = sum_cols(&b.days, |d| &d.notified, n);
    let daily = sum_cols(&b.days, |d| &d.daily_totals, n);
    let selfreg = sum_cols(&b.days, |d| &d.self_registered, n);
    let sum = sum_cols(&b.days, |d| &d.sum, n);
    rsx! {
        section { class: "dash-panel",
            h2 { class: "section-title", "日別の人数（{b.from}〜{b.to}、計 {total}人）" }
            Bars { days: b.days.clone() }
            p { class: "legend",
                span { class: "key notified", "届出（日次報告のない日）" }
                span { class: "key daily", "日次報告" }
                span { class: "key selfreg", "自己登録（抗原検査キット）" }
            }
            p { class: "muted", "日次報告のあった医療機関・日は、その報告の人数（届出を出した人を含む）で数えます。医療機関で診断された自己登録者は、その医療機関の日次報告に含まれるため数えません。" }
        }
        section { class: "dash-panel",
            h2 { class: "section-title", "年代別（期間の合計）" }
            div { class: "table-wrap",
                table { class: "table", "data-testid": "counts-bands",
                    thead { tr { th { scope: "col", "年代" } th { scope: "col", "届出" } th { scope: "col", "日次報告" } th { scope: "col", "自己登録" } th { scope: "col", "合計" } } }
                    tbody {
                        for (i, label) in b.daily_bands.iter().enumerate() {
                            tr { key: "{label}", th { scope: "row", "{label}" } td { "{notified[i]}" } td { "{daily[i]}" } td { "{selfreg[i]}" } td { "data-testid": "band-sum", "{sum[i]}" } }
                        }
                    }
                }
            }
        }
        section { class: "dash-panel",
            h2 { class: "section-title", "日別の内訳" }
            div { class: "table-wrap",
                table { class: "table", "data-testid": "counts-days",
                    thead { tr { th { scope: "col", "日付" } th { scope: "col", "届出" } th { scope: "col", "日次報告" } th { scope: "col", "自己登録" } th { scope: "col", "合計" } } }
                    tbody {
                        for d in b.days.iter().filter(|d| d.total > 0) {
                            tr { key: "{d.day}", "data-testid": "counts-day", "data-day": "{d.day}",
                                th { scope: "row", "{d.day}" }
                                td { "{d.notified.iter().sum::<u32>()}" }
                                td { "{d.daily_totals.iter().sum::<u32>()}" }
                                td { "{d.self_registered.iter().sum::<u32>()}" }
                                td { "data-testid": "counts-day-total", "{d.total}" }
                            }
                        }
                    }
                }
            }
            if total == 0 { p { class: "muted", "この期間の人数はありません。" } }
        }
        if !b.weeks.is_empty() {
            section { class: "dash-panel",
                h2 { class: "section-title", "定点報告（週別）" }
                div { class: "table-wrap",
                    table { class: "table", "data-testid": "counts-weeks",
                        thead { tr { th { scope: "col", "週（月曜日）" } th { scope: "col", "定点数" } th { scope: "col", "報告した定点" } th { scope: "col", "報告数" } th { scope: "col", "定点当たり" } } }
                        tbody {
                            for w in b.weeks.iter() {
                                tr { key: "{w.week}", "data-testid": "counts-week",
                                    th { scope: "row", "{w.week}" } td { "{w.sites}" } td { "{w.reported}" } td { "{w.total}" }
                                    td { "data-testid": "per-site",
                                        match w.per_site_x100 { Some(x) => rsx! { "{x / 100}.{x % 100:02}" }, None => rsx! { "—" } }
                                    }
                                }
                            }
                        }
                    }
                }
                p { class: "muted", "定点当たり＝報告数÷その週に報告した定点医療機関の数（厚生労働省の週報と同じ）。" }
            }
        }
    }
}

/// Stacked bars per day: notified, daily totals, self-registrations.
#[component]
fn Bars(days: Vec<CountDay>) -> Element {
    const W: f64 = 720.0;
    const H: f64 = 200.0;
    const LEFT: f64 = 36.0;
    const TOP: f64 = 10.0;
    const BOTTOM: f64 = 26.0;
    let n = days.len().max(1);
    let max = days.iter().map(|d| d.total).max().unwrap_or(0).max(4);
    let plot_h = H - TOP - BOTTOM;
    let slot = (W - LEFT - 8.0) / n as f64;
    let bw = (slot * 0.72).max(1.0);
    let y = |v: u32| plot_h * f64::from(v) / f64::from(max);
    let label = format!(
        "日別の人数の棒グラフ：{}日間、最大{}人。",
        n,
        days.iter().map(|d| d.total).max().unwrap_or(0)
    );
    rsx! {
        div { class: "curve-wrap",
        svg { class: "curve counts-bars", "viewBox": "0 0 {W} {H}", role: "img", "aria-label": "{label}", "data-testid": "counts-bars",
            line { x1: "{LEFT}", x2: "{W - 8.0}", y1: "{TOP + plot_h}", y2: "{TOP + plot_h}", class: "axis" }
            text { x: "{LEFT - 6.0}", y: "{TOP + 8.0}", "text-anchor": "end", class: "tick", "{max}" }
            for (i, d) in days.iter().enumerate() {
                {
                    let x = LEFT + slot * i as f64 + (slot - bw) / 2.0;
                    let parts = [
                        (d.notified.iter().sum::<u32>(), "bar notified"),
                        (d.daily_totals.iter().sum::<u32>(), "bar daily"),
                        (d.self_registered.iter().sum::<u32>(), "bar selfreg"),
                    ];
                    let mut base = TOP + plot_h;
                    let rects: Vec<(f64, f64, &str)> = parts.iter().map(|(v, c)| { let h = y(*v); base -= h; (base, h, *c) }).collect();
                    rsx! {
                        g { key: "{d.day}",
                            for (j, (ry, h, c)) in rects.into_iter().enumerate() {
                                rect { key: "{j}", x: "{x:.2}", y: "{ry:.2}", width: "{bw:.2}", height: "{h:.2}", class: "{c}" }
                            }
                            title { "{md(&d.day)} {d.total}人" }
                            if i % 7 == 0 {
                                text { x: "{x + bw / 2.0:.2}", y: "{H - 8.0}", "text-anchor": "middle", class: "tick", "{md(&d.day)}" }
                            }
                        }
                    }
                }
            }
        }
        }
    }
}
