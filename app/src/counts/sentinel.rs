//! `/sentinel`: a designated sentinel clinic's weekly report (定点報告, from the week of 2023-05-08) by the bands of
//! MHLW's weekly tables. The week is the Monday that starts it; a clinic not designated for the week is told so.

use dioxus::prelude::*;
use shared::api::counts::{check_sentinel_week, deadline_text, PutCounts, RawCounts};
use shared::notification::validate::IssueView;
use shared::regime::{self, SENTINEL_BANDS_2023};

use super::{check_all, deadline_ja, BandRows};
use crate::api;
use crate::session::RequireSignIn;
use crate::Route;

#[component]
pub fn Sentinel() -> Element {
    rsx! {
        RequireSignIn { SentinelPage {} }
    }
}

fn this_week() -> chrono::NaiveDate {
    regime::week_start(shared::time::today_jst(js_sys::Date::now() as i64))
}

#[component]
fn SentinelPage() -> Element {
    // Last week by default: a week is reported once it is over.
    let mut week = use_signal(|| (this_week() - chrono::Duration::days(7)).to_string());
    let mut typed = use_signal(|| vec![String::new(); SENTINEL_BANDS_2023.len()]);
    let mut server_issues = use_signal(Vec::<IssueView>::new);
    let mut message = use_signal(|| None::<(bool, String)>);
    let mut busy = use_signal(|| false);
    let today = shared::time::today_jst(js_sys::Date::now() as i64);
    let mut data = use_resource(move || async move {
        let w = week();
        if check_sentinel_week(&w, today).is_err() {
            return None;
        }
        let r = api::counts::sentinel(&w).await;
        // The rows start from the stored report before they are drawn (a tap is never overwritten).
        if let Ok(d) = &r {
            let start = d
                .report
                .as_ref()
                .map(|r| r.counts.clone())
                .unwrap_or_else(|| vec![0; SENTINEL_BANDS_2023.len()]);
            typed.set(start.iter().map(u32::to_string).collect());
            server_issues.set(Vec::new());
        }
        Some(r)
    });
    let w = week();
    let parsed = check_sentinel_week(&w, today);
    let week_error = parsed
        .as_ref()
        .err()
        .and_then(|r| r.issues.first().map(|i| i.message.clone()));
    let loaded = data.read().clone().flatten();
    let view = loaded.as_ref().and_then(|r| r.as_ref().ok()).cloned();
    let designated = view.as_ref().is_some_and(|v| v.designated);
    let (_, counts) = check_all(&SENTINEL_BANDS_2023, &typed.read(), &[]);
    let total: u32 = counts.as_ref().map_or(0, |c| c.iter().sum());
    let save = move |_| {
        let (_, counts) = check_all(&SENTINEL_BANDS_2023, &typed.read(), &[]);
        let Some(counts) = counts else {
            message.set(Some((
                false,
                "入力に誤りがあります。赤く表示された欄を確認してください。".into(),
            )));
            return;
        };
        let w = week();
        busy.set(true);
        spawn(async move {
            let raw: RawCounts = SENTINEL_BANDS_2023
                .bands
                .iter()
                .zip(&counts)
                .map(|(b, n)| (b.key.to_owned(), serde_json::Value::from(*n)))
                .collect();
            match api::counts::put_sentinel(
                &w,
                &PutCounts {
                    institution_id: None,
                    counts: raw,
                },
            )
            .await
            {
                Ok(a) => {
                    message.set(Some((
                        true,
                        if a.changed {
                            format!("{w}の週の定点報告を送信しました。合計{}人", a.report.total)
                        } else {
                            "送信済みの内容と同じです（変更なし）。".to_owned()
                        },
                    )));
                    data.restart();
                }
                Err(e) => {
                    server_issues.set(e.issues());
                    message.set(Some((false, e.message())));
                }
            }
            busy.set(false);
        });
    };
    rsx! {
        section { class: "page counts-page", "data-testid": "sentinel-page",
            h1 { "定点報告（週報）" }
            p { class: "lead", "定点医療機関に指定された医療機関が、1週間（月曜日〜日曜日）に診断した人数を年代別に報告します。" }
            div { class: "field day-field",
                label { r#for: "sentinel-week", "報告週（週の始まりの月曜日）" }
                input { id: "sentinel-week", r#type: "date", value: "{w}", "data-testid": "sentinel-week",
                    min: "{regime::first_sentinel_week()}",
                    onchange: move |e| { week.set(e.value()); message.set(None); } }
                if let Some(m) = &week_error { p { class: "field-error", role: "alert", "{m}" } }
            }
            if let Ok(ws) = &parsed {
                p { class: "deadline", "提出期限：{deadline_ja(&deadline_text(regime::sentinel_deadline(*ws)))}" }
            }
            match &loaded {
                Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "{e.message()}" } },
                _ => rsx! {},
            }
            if view.is_some() && !designated {
                p { class: "alert", role: "alert", "data-testid": "sentinel-not-designated", "この週は定点医療機関に指定されていません。指定については保健所にお問い合わせください。" }
            }
            if designated {
                if let Some(r) = view.as_ref().and_then(|v| v.report.clone()) {
                    p { class: "notice", "送信済み：合計{r.total}人（第{r.version}版）" if r.late { "・締切後" } }
                }
                BandRows { bands: &SENTINEL_BANDS_2023, floors: Vec::new(), typed, server_issues, show_floor: false }
                p { class: "band-total", "合計 {total}人" }
                div { class: "form-actions",
                    button { r#type: "button", class: "button", "data-testid": "sentinel-save", disabled: busy(), onclick: save,
                        if busy() { "送信中…" } else { "定点報告を送信する" } }
                }
            }
            if let Some((ok, m)) = message() {
                p { class: if ok { "notice" } else { "alert" }, role: if ok { "status" } else { "alert" }, "data-testid": "sentinel-message", "{m}" }
            }
            Link { class: "button secondary", to: Route::Home {}, {crate::text::BACK_TO_MENU} }
        }
    }
}
