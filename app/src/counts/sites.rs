//! `/counts/sentinel`: 定点医療機関の指定 — the health center designates clinics of its area as sentinel sites from a
//! week, and ends a designation after a week (prefecture staff read the list).

use dioxus::prelude::*;
use shared::api::counts::{Designate, EndDesignation, SentinelSite};
use shared::auth::Role;
use shared::regime;

use crate::api;
use crate::session::{RequireSignIn, SessionCtx};
use crate::Route;

#[component]
pub fn SentinelSitesPage() -> Element {
    rsx! {
        RequireSignIn { SitesView {} }
    }
}

fn this_week() -> String {
    let w = regime::week_start(shared::time::today_jst(js_sys::Date::now() as i64));
    w.max(regime::first_sentinel_week()).to_string()
}

#[component]
fn SitesView() -> Element {
    let role = use_context::<SessionCtx>().me().map(|m| m.role);
    let manages =
        role.is_none_or(|r| matches!(r, Role::HealthCenterStaff | Role::HealthCenterAdmin));
    let mut data = use_resource(|| async { api::counts::sites().await });
    let mut week = use_signal(this_week);
    let mut message = use_signal(|| None::<(bool, String)>);
    let read = data.read().clone();
    rsx! {
        section { class: "page counts-page", "data-testid": "sites-page",
            h1 { "定点医療機関の指定" }
            p { class: "lead", "2023年5月8日からの定点把握で、週ごとに年代別の人数を報告する医療機関を指定します。" }
            if manages {
                div { class: "field day-field",
                    label { r#for: "sites-week", "指定の開始週・終了週（月曜日）" }
                    input { id: "sites-week", r#type: "date", value: "{week}", "data-testid": "sites-week",
                        min: "{regime::first_sentinel_week()}", onchange: move |e| week.set(e.value()) }
                }
            }
            if let Some((ok, m)) = message() {
                p { class: if ok { "notice" } else { "alert" }, role: if ok { "status" } else { "alert" }, "data-testid": "sites-message", "{m}" }
            }
            match read {
                None => rsx! { p { class: "loading", "読み込み中…" } },
                Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "{e.message()}" } },
                Some(Ok(s)) => rsx! {
                    ul { class: "site-list", "data-testid": "site-list",
                        for site in s.sites.iter().cloned() {
                            SiteRow { key: "{site.institution_id}", site: site.clone(), manages,
                                on_done: move |r: Result<String, String>| {
                                    message.set(Some(match r { Ok(m) => (true, m), Err(m) => (false, m) }));
                                    data.restart();
                                },
                                week: week() }
                        }
                    }
                },
            }
            Link { class: "button secondary", to: Route::Home {}, {crate::text::BACK_TO_MENU} }
        }
    }
}

#[component]
fn SiteRow(
    site: SentinelSite,
    manages: bool,
    week: String,
    on_done: EventHandler<Result<String, String>>,
) -> Element {
    let open = site.from_week.is_some() && site.last_week.is_none();
    let state = match (&site.from_week, &site.last_week) {
        (Some(f), None) => format!("指定中（{f}の週から）"),
        (Some(f), Some(l)) => format!("指定終了（{f}〜{l}の週）"),
        _ => "指定なし".to_owned(),
    };
    let id = site.institution_id.clone();
    rsx! {
        li { class: "site-row", "data-testid": "site-row", "data-institution": "{site.institution_id}",
            span { class: "site-name", "{site.institution_name}" }
            span { class: if open { "state ok" } else { "state none" }, "data-testid": "site-state", "{state}" }
            if manages {
                if open {
                    button { r#type: "button", class: "button secondary small", "data-testid": "site-end",
                        onclick: move |_| {
                            let id = id.clone();
                            let w = week.clone();
                            spawn(async move {
                                let r = api::counts::end_designation(&id, &EndDesignation { last_week: w.clone() }).await;
                                on_done.call(r.map(|_| format!("{w}の週までで指定を終了しました。")).map_err(|e| e.message()));
                            });
                        },
                        "この週で指定を終了" }
                } else {
                    button { r#type: "button", class: "button small", "data-testid": "site-designate",
                        onclick: move |_| {
                            let id = id.clone();
                            let w = week.clone();
                            spawn(async move {
                                let r = api::counts::designate(&Designate { institution_id: id, from_week: w.clone() }).await;
                                on_done.call(r.map(|_| format!("{w}の週から定点医療機関に指定しました。")).map_err(|e| e.message()));
                            });
                        },
                        "この週から指定する" }
                }
            }
        }
    }
}
