//! Counts by age band (issue 21): the clinic's 日次報告 (`/daily`, filing entry) and 定点報告 (`/sentinel`, filing
//! entry); the health center's 日次報告の状況 (`/counts/daily`), 定点の指定 (`/counts/sentinel`) and the count dashboards
//! (`/counts`, desk entry). The checks as the person types are `shared::api::counts`' (the edge runs the same).

pub mod daily;
pub mod dashboard;
pub mod sentinel;
pub mod sites;
pub mod status;

use dioxus::prelude::*;
use shared::api::counts::check_typed;
use shared::notification::validate::IssueView;
use shared::regime::AgeBands;

/// 「2022/10/2 10:00」 from 「2022-10-02 10:00」 (plain string work: no chrono formatter in the app).
pub fn deadline_ja(s: &str) -> String {
    let (date, time) = s.split_once(' ').unwrap_or((s, ""));
    let mut parts = date.split('-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => format!(
            "{y}/{}/{} {time}",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        )
        .trim_end()
        .to_owned(),
        _ => s.to_owned(),
    }
}

/// Today in Japan by the browser's clock, `YYYY-MM-DD`.
pub fn today() -> String {
    shared::time::today_jst(js_sys::Date::now() as i64).to_string()
}

/// The findings of the typed counts (per band), `None` where the band is fine; the counts when all are.
pub fn check_all(
    bands: &'static AgeBands,
    typed: &[String],
    floors: &[u32],
) -> (Vec<Option<IssueView>>, Option<Vec<u32>>) {
    let mut issues = Vec::with_capacity(bands.len());
    let mut counts = Vec::with_capacity(bands.len());
    for i in 0..bands.len() {
        let t = typed.get(i).map_or("", String::as_str);
        match check_typed(bands, i, t, floors.get(i).copied().unwrap_or(0)) {
            Ok(n) => {
                counts.push(n);
                issues.push(None);
            }
            Err(e) => issues.push(Some(e)),
        }
    }
    let ok = issues.iter().all(Option::is_none);
    (issues, ok.then_some(counts))
}

/// The band rows: label, the notified floor (daily), a typed count, −1 and +1 buttons (48 px), the finding.
#[component]
pub fn BandRows(
    bands: &'static AgeBands,
    floors: Vec<u32>,
    typed: Signal<Vec<String>>,
    server_issues: Signal<Vec<IssueView>>,
    show_floor: bool,
) -> Element {
    let (local, _) = check_all(bands, &typed.read(), &floors);
    let bump = move |i: usize, by: i64| {
        let mut t = typed.write();
        let cur = shared::typed::parse_whole(&t[i], 0, 9999)
            .ok()
            .flatten()
            .unwrap_or(0);
        t[i] = (cur + by).clamp(0, 9999).to_string();
        server_issues
            .write()
            .retain(|x| x.field != format!("counts.{}", bands.bands[i].key));
    };
    rsx! {
        div { class: "band-rows", "data-testid": "band-rows",
            for (i, b) in bands.bands.iter().enumerate() {
                {
                    let field = format!("counts.{}", b.key);
                    let finding = local[i].clone().or_else(|| server_issues.read().iter().find(|x| x.field == field).cloned());
                    let floor = floors.get(i).copied().unwrap_or(0);
                    let mut bump = bump;
                    let mut bump2 = bump;
                    let id = format!("band-{}", b.key);
                    rsx! {
                        div { key: "{b.key}", class: if finding.is_some() { "band-row invalid" } else { "band-row" }, "data-testid": "band-row", "data-band": "{b.key}",
                            label { class: "band-label", r#for: "{id}", {b.label_ja}
                                if show_floor && floor > 0 { span { class: "band-floor", "data-testid": "band-floor", "うち届出 {floor}人" } }
                            }
                            div { class: "band-controls",
                                button { r#type: "button", class: "button secondary band-minus", "aria-label": "{b.label_ja}を1人減らす",
                                    onclick: move |_| bump(i, -1), "−1" }
                                input { id: "{id}", class: "band-input", inputmode: "numeric", autocomplete: "off", "data-testid": "band-input",
                                    "aria-invalid": if finding.is_some() { "true" } else { "false" },
                                    value: "{typed.read()[i]}",
                                    oninput: move |e| {
                                        typed.write()[i] = e.value();
                                        server_issues.write().retain(|x| x.field != format!("counts.{}", bands.bands[i].key));
                                    } }
                                button { r#type: "button", class: "button band-plus", "data-testid": "band-plus", "aria-label": "{b.label_ja}を1人増やす",
                                    onclick: move |_| bump2(i, 1), "+1" }
                            }
                            if let Some(f) = &finding { p { class: "field-error", role: "alert", "data-testid": "band-error", "{f.message}" } }
                        }
                    }
                }
            }
        }
    }
}

/// The printable table of a report (FAX sheet, and the health center's view).
#[component]
pub fn BandTable(bands: &'static AgeBands, counts: Vec<u32>, caption: String) -> Element {
    let total: u32 = counts.iter().sum();
    rsx! {
        table { class: "table band-table", "data-testid": "band-table",
            caption { "{caption}" }
            thead { tr { th { scope: "col", "年代" } th { scope: "col", "人数" } } }
            tbody {
                for (i, b) in bands.bands.iter().enumerate() {
                    tr { key: "{b.key}", th { scope: "row", {b.label_ja} } td { "{counts.get(i).copied().unwrap_or(0)}" } }
                }
                tr { class: "total", th { scope: "row", "合計" } td { "data-testid": "band-table-total", "{total}" } }
            }
        }
    }
}
