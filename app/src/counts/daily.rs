//! `/daily`: a clinic's 日次報告 — the day's patients diagnosed, by age band (2022-09-26..=2023-05-07). The screen
//! starts from the clinic's notified cases of the day (each band's floor); a tap adds one person, or a count is
//! typed. Offline, the report is kept on the device encrypted (the filing drafts' AES-GCM path in `bridge.js`, with
//! the key the server releases and the device keeps for 12 hours) and sent when the network is back; the PUT is
//! idempotent, so a report sent twice is stored once. A printable FAX sheet (「日次報告（FAX送信用）」) is the fallback.

use std::collections::BTreeMap;

use dioxus::prelude::*;
use shared::api::counts::{check_daily_day, deadline_text, PutCounts, RawCounts};
use shared::notification::validate::IssueView;
use shared::regime::{self, DAILY_BANDS_2022};

use super::{check_all, deadline_ja, today, BandRows};
use crate::api::{self, ApiFailure};
use crate::net::ONLINE;
use crate::session::{RequireSignIn, SessionCtx};
use crate::Route;

type Outbox = BTreeMap<String, RawCounts>;

#[component]
pub fn Daily() -> Element {
    rsx! {
        RequireSignIn { DailyPage {} }
    }
}

fn raw_counts(counts: &[u32]) -> RawCounts {
    DAILY_BANDS_2022
        .bands
        .iter()
        .zip(counts)
        .map(|(b, n)| (b.key.to_owned(), serde_json::Value::from(*n)))
        .collect()
}

async fn load_outbox(key: &str, sk: &str) -> Outbox {
    api::draft_load(key, sk)
        .await
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

async fn keep_outbox(key: &str, sk: &str, outbox: &Outbox) -> bool {
    if outbox.is_empty() {
        api::draft_remove(sk);
        return true;
    }
    api::draft_save(key, sk, &serde_json::to_string(outbox).unwrap_or_default()).await
}

#[component]
fn DailyPage() -> Element {
    let session = use_context::<SessionCtx>();
    let clinic = session.me().is_none_or(|m| m.role.files_notifications());
    let sk = format!("hersys-daily-outbox.{}", session.draft_owner());
    let mut day = use_signal(today);
    let mut typed = use_signal(|| vec![String::new(); DAILY_BANDS_2022.len()]);
    let mut server_issues = use_signal(Vec::<IssueView>::new);
    let mut message = use_signal(|| None::<(bool, String)>);
    let mut busy = use_signal(|| false);
    let mut key = use_signal(|| None::<String>);
    let mut pending = use_signal(Vec::<String>::new);
    let mut data = use_resource(move || async move {
        let d = day();
        if check_daily_day(&d, regime_today()).is_err() {
            return None;
        }
        let r = api::counts::daily(&d).await;
        // The screen starts from the stored report, else from the notified cases, before the rows are drawn (a
        // tap is never overwritten).
        if let Ok(v) = &r {
            let start = v.report.as_ref().map_or(&v.notified, |r| &r.counts);
            typed.set(start.iter().map(u32::to_string).collect());
            server_issues.set(Vec::new());
        }
        Some(r)
    });
    // The device's key for the outbox: the server's (online; the device keeps it), or "" offline (the kept one).
    let sk1 = sk.clone();
    use_future(move || {
        let sk = sk1.clone();
        async move {
            let k = match api::me::draft_key().await {
                Ok(k) => k.key,
                Err(_) => String::new(),
            };
            pending.set(load_outbox(&k, &sk).await.into_keys().collect());
            key.set(Some(k));
        }
    });
    // Online again (or on opening): what waits on the device is sent, once.
    let sk2 = sk.clone();
    use_effect(move || {
        let online = ONLINE();
        let Some(k) = key() else { return };
        if !online || pending.peek().is_empty() {
            return;
        }
        let sk = sk2.clone();
        spawn(async move {
            let mut outbox = load_outbox(&k, &sk).await;
            let mut sent = Vec::new();
            for (d, counts) in outbox.clone() {
                let body = PutCounts {
                    institution_id: None,
                    counts,
                };
                match api::counts::put_daily(&d, &body).await {
                    Ok(_) => {
                        outbox.remove(&d);
                        sent.push(d);
                    }
                    Err(ApiFailure::Network) => break,
                    Err(e) => {
                        outbox.remove(&d);
                        message.set(Some((
                            false,
                            format!(
                                "端末に保存していた{d}の報告は受け付けられませんでした：{}",
                                e.message()
                            ),
                        )));
                    }
                }
            }
            keep_outbox(&k, &sk, &outbox).await;
            pending.set(outbox.into_keys().collect());
            if !sent.is_empty() {
                message.set(Some((
                    true,
                    format!(
                        "端末に保存していた報告（{}）を送信しました。",
                        sent.join("、")
                    ),
                )));
                data.restart();
            }
        });
    });

    let d = day();
    let parsed = check_daily_day(&d, regime_today());
    let day_error = parsed
        .as_ref()
        .err()
        .and_then(|r| r.issues.first().map(|i| i.message.clone()))
        .or_else(|| {
            server_issues
                .read()
                .iter()
                .find(|i| i.field == "day")
                .map(|i| i.message.clone())
        });
    let deadline = parsed
        .as_ref()
        .ok()
        .map(|d| deadline_text(regime::daily_deadline(*d)));
    let loaded = data.read().clone().flatten();
    let view = loaded.as_ref().and_then(|r| r.as_ref().ok()).cloned();
    let floors = view
        .as_ref()
        .map(|v| v.notified.clone())
        .unwrap_or_else(|| vec![0; DAILY_BANDS_2022.len()]);
    let (_, counts) = check_all(&DAILY_BANDS_2022, &typed.read(), &floors);
    let total: u32 = counts.as_ref().map_or(0, |c| c.iter().sum());
    let late_now = view.as_ref().is_some_and(|v| v.late_now);
    let sheet_counts: Vec<u32> = typed
        .read()
        .iter()
        .map(|t| {
            shared::typed::parse_whole(t, 0, 9999)
                .ok()
                .flatten()
                .unwrap_or(0) as u32
        })
        .collect();
    let sk3 = sk.clone();
    let save = move |_| {
        let (_, counts) = check_all(&DAILY_BANDS_2022, &typed.read(), &floors_now(data));
        let Some(counts) = counts else {
            message.set(Some((
                false,
                "入力に誤りがあります。赤く表示された欄を確認してください。".into(),
            )));
            return;
        };
        let d = day();
        let sk = sk3.clone();
        busy.set(true);
        spawn(async move {
            let body = PutCounts {
                institution_id: None,
                counts: raw_counts(&counts),
            };
            match api::counts::put_daily(&d, &body).await {
                Ok(a) => {
                    let late = if a.report.late {
                        "（締切後の報告として記録されました）"
                    } else {
                        ""
                    };
                    let text = if a.changed {
                        format!(
                            "{d}の日次報告を送信しました。合計{}人{late}",
                            a.report.total
                        )
                    } else {
                        format!("{d}の日次報告は送信済みの内容と同じです（変更なし）。")
                    };
                    message.set(Some((true, text)));
                    data.restart();
                }
                Err(ApiFailure::Network) => {
                    let k = key.peek().clone().unwrap_or_default();
                    let mut outbox = load_outbox(&k, &sk).await;
                    outbox.insert(d.clone(), body.counts);
                    if keep_outbox(&k, &sk, &outbox).await {
                        pending.set(outbox.into_keys().collect());
                        message.set(Some((true, format!("オフラインのため、{d}の日次報告をこの端末に暗号化して保存しました。通信が戻ると自動で送信します。"))));
                    } else {
                        message.set(Some((false, "オフラインのため送信できず、この端末にも保存できませんでした。オンラインでこの画面を開き直してから入力してください。".into())));
                    }
                }
                Err(e) => {
                    server_issues.set(e.issues());
                    message.set(Some((false, e.message())));
                }
            }
            busy.set(false);
        });
    };

    if !clinic {
        return rsx! {
            section { class: "page",
                h1 { "日次報告" }
                p { class: "alert", role: "alert", "日次報告は医療機関の方が入力します。" }
                Link { class: "button secondary", to: Route::Home {}, {crate::text::BACK_TO_MENU} }
            }
        };
    }
    rsx! {
        section { class: "page counts-page daily-page", "data-testid": "daily-page",
            div { class: "no-print",
                h1 { "日次報告（年代別の診断人数）" }
                p { class: "lead", "診断した患者の人数を年代別に報告します。発生届を出した人も含めて数えます（届出済みの人数は自動で入っています）。" }
                div { class: "field day-field",
                    label { r#for: "daily-day", "報告日（診断日）" }
                    input { id: "daily-day", r#type: "date", value: "{d}", "data-testid": "daily-day",
                        min: "{regime::daily_totals_window().0}", max: "{regime::daily_totals_window().1}",
                        "aria-invalid": if day_error.is_some() { "true" } else { "false" },
                        onchange: move |e| { day.set(e.value()); message.set(None); } }
                    if let Some(m) = &day_error { p { class: "field-error", role: "alert", "data-testid": "day-error", "{m}" } }
                }
                if let Some(dl) = &deadline {
                    p { class: if late_now { "deadline late" } else { "deadline" }, "data-testid": "daily-deadline",
                        "提出期限：{deadline_ja(dl)}（翌日10時）"
                        if late_now { "　締切を過ぎています（送信すると締切後の報告として記録されます）" }
                    }
                }
                p { class: "muted", "診断した人がいない日は報告不要です（0人として送信することもできます）。" }
                match &loaded {
                    Some(Err(ApiFailure::Network)) => rsx! { p { class: "notice", "オフラインのため届出済みの人数を読み込めません。入力した報告は端末に保存して、通信が戻ると送信します。" } },
                    Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "{e.message()}" } },
                    _ => rsx! {},
                }
                if let Some(v) = &view {
                    if let Some(r) = &v.report {
                        p { class: "notice", "data-testid": "daily-stored",
                            "送信済み：合計{r.total}人（第{r.version}版）"
                            if r.late { "・締切後" }
                        }
                    }
                }
                if parsed.is_ok() {
                    BandRows { bands: &DAILY_BANDS_2022, floors: floors.clone(), typed, server_issues, show_floor: true }
                    p { class: "band-total", "data-testid": "daily-total", "合計 {total}人" }
                    div { class: "form-actions",
                        button { r#type: "button", class: "button", "data-testid": "daily-save", disabled: busy(),
                            onclick: save, if busy() { "送信中…" } else { "日次報告を送信する" } }
                        button { r#type: "button", class: "button secondary", "data-testid": "daily-print",
                            onclick: move |_| api::print_page(), "FAX送信用の用紙を印刷" }
                    }
                }
                if let Some((ok, m)) = message() {
                    p { class: if ok { "notice" } else { "alert" }, role: if ok { "status" } else { "alert" }, "data-testid": "daily-message", "{m}" }
                }
                if !pending.read().is_empty() {
                    p { class: "notice", "data-testid": "daily-pending", "端末に保存中（未送信）：{pending.read().join(\"、\")}" }
                }
                Link { class: "button secondary", to: Route::Home {}, {crate::text::BACK_TO_MENU} }
            }
            FaxSheet {
                institution: view.as_ref().map(|v| v.institution_name.clone()).unwrap_or_default(),
                health_center: view.as_ref().map(|v| v.health_center_name.clone()).unwrap_or_default(),
                day: d.clone(),
                deadline: deadline.clone().map(|x| deadline_ja(&x)).unwrap_or_default(),
                counts: sheet_counts,
            }
        }
    }
}

fn regime_today() -> chrono::NaiveDate {
    shared::time::today_jst(js_sys::Date::now() as i64)
}

fn floors_now(data: Resource<Option<api::ApiResult<shared::api::counts::DailyDay>>>) -> Vec<u32> {
    match &*data.peek() {
        Some(Some(Ok(v))) => v.notified.clone(),
        _ => vec![0; DAILY_BANDS_2022.len()],
    }
}

/// 「日次報告（FAX送信用）」: only in print (A4).
#[component]
fn FaxSheet(
    institution: String,
    health_center: String,
    day: String,
    deadline: String,
    counts: Vec<u32>,
) -> Element {
    rsx! {
        div { class: "fax-sheet print-only", "data-testid": "fax-sheet",
            h1 { "日次報告（FAX送信用）" }
            p { "新型コロナウイルス感染症　年代別の診断人数（発生届を出した人を含む）" }
            table { class: "table fax-head",
                tbody {
                    tr { th { scope: "row", "医療機関" } td { "{institution}" } }
                    tr { th { scope: "row", "報告日（診断日）" } td { "{day}" } }
                    tr { th { scope: "row", "送付先" } td { "{health_center}" } }
                    tr { th { scope: "row", "提出期限" } td { "{deadline}（翌日10時）" } }
                }
            }
            super::BandTable { bands: &DAILY_BANDS_2022, counts, caption: "年代別の人数".to_owned() }
            p { class: "muted", "システムが利用できない場合に、この用紙を保健所へFAXで送信してください。" }
        }
    }
}
