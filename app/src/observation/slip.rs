//! `/records/:id/slip`: the printable スマホ入力ID slip (QR code, instructions in Japanese), one A4 page.
//!
//! The QR code holds `<origin>/observe#id=<スマホ入力ID>`: the fragment never reaches a server, and the phone page
//! removes it from the address once read. Nothing here leaves the page except through the printer.

use dioxus::prelude::*;

use crate::components::tel::TelLink;

use super::{grouped_id, period};
use crate::api::{self, ApiFailure};
use crate::case::{parse_iso, today_jst};
use crate::drive::qr::qr_path;
use crate::session::{RequireSignIn, SessionCtx};
use crate::Route;

#[component]
pub fn Slip(id: String) -> Element {
    rsx! {
        RequireSignIn { SlipPage { key: "{id}", id } }
    }
}

fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

#[component]
fn SlipPage(id: String) -> Element {
    let data = use_resource({
        let id = id.clone();
        move || {
            let id = id.clone();
            async move {
                let rec = api::cases::read(&id).await?;
                let obs = api::observation::view(&id).await?;
                Ok::<_, ApiFailure>((rec, obs))
            }
        }
    });
    // The follow-up center has no record pages: back to its review queue.
    let follow_up = use_context::<SessionCtx>()
        .me()
        .is_some_and(|m| m.role == shared::auth::Role::FollowUpCenter);
    let back_to = if follow_up {
        Route::SelfRegistrations {}
    } else {
        Route::RecordTab {
            id: id.clone(),
            tab: "observation".into(),
        }
    };
    let back = rsx! {
        Link { class: "button secondary", to: back_to,
            "data-testid": "slip-back", "‹ 戻る" }
    };
    let (rec, obs) = match data.read().clone() {
        None => return rsx! { section { class: "page", p { class: "loading", "読み込み中…" } } },
        Some(Err(e)) => {
            return rsx! {
                section { class: "page",
                    h1 { "スマホ入力IDの印字" }
                    p { class: "alert", role: "alert", "data-testid": "slip-error", "{e.message()}" }
                    div { class: "form-actions", {back} }
                }
            }
        }
        Some(Ok(d)) => d,
    };
    let problem = |p: String| {
        rsx! {
            section { class: "page",
                h1 { "スマホ入力IDの印字" }
                p { class: "alert", role: "alert", "data-testid": "slip-unavailable", "{p}" }
                div { class: "form-actions", {back.clone()} }
            }
        }
    };
    let Some(o) = obs.observation.clone() else {
        return problem(
            "健康観察が開始されていません。健康観察タブで開始してから印字してください。".into(),
        );
    };
    if let Some(h) = &o.household_of {
        return problem(format!(
            "この方は同居者（{}）のスマホから報告します。同居者の記録からスマホ入力IDを印字してください。",
            h.name
        ));
    }
    if o.stopped {
        return problem("健康観察は終了しています。".into());
    }
    if parse_iso(&o.ends_on).is_some_and(|d| d < today_jst()) {
        return problem("健康観察の期間が終わっています。".into());
    }
    let base = format!("{}/observe", origin());
    let qr_text = format!("{base}#id={}", rec.smartphone_id);
    let qr = qr_path(&qr_text);
    let members: Vec<String> = o.members.iter().map(|m| m.name.clone()).collect();
    rsx! {
        section { class: "page slip-page",
            div { class: "form-actions no-print slip-tools",
                button { r#type: "button", class: "button primary", "data-testid": "slip-print",
                    onclick: move |_| api::print_page(), "印刷する" }
                {back}
            }
            p { class: "muted no-print", "印刷してご本人にお渡しください（A4 1枚）。QRコードには入力ページのアドレスとスマホ入力IDだけが入っています。" }
            article { class: "slip", "data-testid": "slip",
                h1 { class: "slip-title", "健康観察 スマホ入力のお願い" }
                p { class: "slip-to", "data-testid": "slip-name", "{rec.name} 様" }
                if !members.is_empty() {
                    p { class: "slip-members", "同居の {members.join(\"、\")} 様の分も、このスマホから一緒に入力できます。" }
                }
                p { class: "slip-lead",
                    "保健所では、療養・待機中の方の体調を毎日確認しています。お手持ちのスマートフォンから、毎日の体温や体調を入力してください。"
                }
                div { class: "slip-id-box",
                    div { class: "slip-id-text",
                        p { class: "slip-label", "あなたのスマホ入力ID" }
                        p { class: "slip-id", "data-testid": "slip-id", "aria-label": "スマホ入力ID {rec.smartphone_id}",
                            {grouped_id(&rec.smartphone_id)}
                        }
                        p { class: "slip-label", "入力ページのアドレス" }
                        p { class: "slip-url", "data-testid": "slip-url", "{base}" }
                    }
                    if let Some((d, size)) = qr {
                        svg { class: "slip-qr", "viewBox": "0 0 {size} {size}", role: "img",
                            "aria-label": "入力ページを開くQRコード", "shape-rendering": "crispEdges", "data-testid": "slip-qr",
                            rect { width: "{size}", height: "{size}", fill: "#fff" }
                            path { d: "{d}", fill: "#000" }
                        }
                    }
                }
                h2 { class: "slip-heading", "入力のしかた" }
                ol { class: "slip-steps", "data-testid": "slip-steps",
                    li { "QRコードをスマートフォンのカメラで読み取るか、上記のアドレスを開いてください。" }
                    li { "「スマホ入力ID」と「生年月日」を入力してください。" }
                    li {
                        "毎日 "
                        strong { "朝（12時まで）" }
                        "と "
                        strong { "夕方（20時まで）" }
                        " に、体温・SpO₂（パルスオキシメーターをお持ちの場合）・症状を入力してください。"
                    }
                    li { class: "slip-urgent",
                        strong { "息苦しい、意識がおかしい、顔色や唇の色が悪いなどの場合は、入力を待たずにすぐ保健所へ電話してください。" }
                        " 緊急のときは "
                        strong { "119番" }
                        " に電話してください。"
                    }
                }
                dl { class: "slip-facts",
                    div { dt { "健康観察の期間" } dd { "data-testid": "slip-period", {period(&o.started_on, &o.ends_on)} } }
                    div { dt { "担当保健所" } dd { "data-testid": "slip-hc", "{rec.health_center_name}" } }
                    div { dt { "保健所の電話" } dd { "data-testid": "slip-hc-phone",
                        TelLink { phone: rec.health_center_phone.clone(), label: "", testid: "slip-tel" }
                    } }
                }
                p { class: "slip-note",
                    "入力できない日や、わからないことがあるときは保健所へご連絡ください。スマホ入力IDは他の人に教えないでください。"
                }
            }
        }
    }
}
