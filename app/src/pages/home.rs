//! The top page: the manual's three actions as large touch targets, those the user's role allows.

use dioxus::prelude::*;

use shared::auth::Role;

use crate::api;
use crate::session::{RequireSignIn, SessionCtx};
use crate::{text, Route};

#[component]
pub fn Home() -> Element {
    rsx! {
        RequireSignIn { Menu {} }
    }
}

#[component]
fn Menu() -> Element {
    // Offline the role cannot be confirmed; the menu shows everything and the server decides once online.
    let role = use_context::<SessionCtx>().me().map(|m| m.role);
    let files = role.is_none_or(|r| r.files_notifications());
    let views = role.is_none_or(|r| r.views_records());
    // The triage queue is the health center's; the dashboard also the prefecture's and the nation's.
    let observes =
        role.is_some_and(|r| matches!(r, Role::HealthCenterStaff | Role::HealthCenterAdmin));
    // Self-registrations of positives: health-center staff and the follow-up center.
    let reviews = role.is_some_and(Role::reviews_self_registrations);
    let dashboard = role.is_some_and(|r| {
        matches!(
            r,
            Role::HealthCenterStaff
                | Role::HealthCenterAdmin
                | Role::PrefectureStaff
                | Role::NationalStaff
        )
    });
    // Exports: clinics their own filings' FHIR, health centers and prefectures their records, the nation open data.
    let exports_hint = role.and_then(|r| match r {
        Role::ClinicDoctor | Role::ClinicStaff => Some(text::ACTION_EXPORTS_HINT_CLINIC),
        Role::HealthCenterStaff | Role::HealthCenterAdmin => Some(text::ACTION_EXPORTS_HINT_HC),
        Role::PrefectureStaff => Some(text::ACTION_EXPORTS_HINT_PREF),
        Role::NationalStaff => Some(text::ACTION_EXPORTS_HINT_NATIONAL),
        Role::FollowUpCenter => None,
    });
    rsx! {
        section { class: "page home",
            h1 { {text::HOME_HEADING} }
            p { class: "lead", {text::HOME_LEAD} }
            if files {
                h2 { class: "section-title", {text::SECTION_NEW} }
                nav { class: "actions",
                    ActionCard { to: Route::NewNotification {}, title: text::ACTION_NEW, hint: text::ACTION_NEW_HINT, primary: true }
                    ActionCard { to: Route::PreNotification {}, title: text::ACTION_PRE, hint: text::ACTION_PRE_HINT, primary: false }
                    ActionCard { to: Route::Drive {}, title: text::ACTION_DRIVE, hint: text::ACTION_DRIVE_HINT, primary: false }
                }
                h2 { class: "section-title", {text::SECTION_COUNTS} }
                nav { class: "actions",
                    ActionCard { to: Route::Daily {}, title: text::ACTION_DAILY, hint: text::ACTION_DAILY_HINT, primary: false }
                    ActionCard { to: Route::Sentinel {}, title: text::ACTION_SENTINEL, hint: text::ACTION_SENTINEL_HINT, primary: false }
                }
            }
            if views {
                h2 { class: "section-title", {text::SECTION_EXISTING} }
                if role.is_some_and(|r| matches!(r, Role::HealthCenterStaff | Role::HealthCenterAdmin)) {
                    Unread {}
                }
                nav { class: "actions",
                    ActionCard { to: Route::Search {}, title: text::ACTION_VIEW, hint: text::ACTION_VIEW_HINT, primary: !files }
                    match role {
                        Some(Role::HealthCenterStaff | Role::HealthCenterAdmin) => rsx! {
                            ActionCard { to: Route::Records {}, title: text::ACTION_INBOX_HC, hint: text::ACTION_INBOX_HC_HINT, primary: false }
                        },
                        Some(Role::PrefectureStaff) => rsx! {
                            ActionCard { to: Route::Records {}, title: text::ACTION_INBOX_PREF, hint: text::ACTION_INBOX_PREF_HINT, primary: false }
                        },
                        _ => rsx! {
                            ActionCard { to: Route::Records {}, title: text::ACTION_INBOX_CLINIC, hint: text::ACTION_INBOX_CLINIC_HINT, primary: false }
                        },
                    }
                    if role == Some(Role::HealthCenterAdmin) {
                        ActionCard { to: Route::Deleted {}, title: text::ACTION_DELETED, hint: text::ACTION_DELETED_HINT, primary: false }
                    }
                }
            }
            if observes || dashboard {
                h2 { class: "section-title", {text::SECTION_OBSERVATION} }
                nav { class: "actions",
                    if observes { AlertsCard {} }
                    if dashboard {
                        ActionCard { to: Route::Dashboard {}, title: text::ACTION_DASHBOARD, hint: text::ACTION_DASHBOARD_HINT, primary: !files && !views }
                    }
                }
            }
            if dashboard {
                h2 { class: "section-title", {text::SECTION_COUNTS} }
                nav { class: "actions",
                    ActionCard { to: Route::Counts {}, title: text::ACTION_COUNTS, hint: text::ACTION_COUNTS_HINT, primary: false }
                    if role != Some(Role::NationalStaff) {
                        ActionCard { to: Route::DailyStatusPage {}, title: text::ACTION_DAILY_STATUS, hint: text::ACTION_DAILY_STATUS_HINT, primary: false }
                        ActionCard { to: Route::SentinelSitesPage {}, title: text::ACTION_SITES, hint: text::ACTION_SITES_HINT, primary: false }
                    }
                }
            }
            if reviews {
                h2 { class: "section-title", {text::SECTION_SELF_REGISTRATION} }
                nav { class: "actions",
                    ActionCard { to: Route::SelfRegistrations {}, title: text::ACTION_SELF_REGISTRATIONS, hint: text::ACTION_SELF_REGISTRATIONS_HINT, primary: !files && !views }
                }
            }
            if let Some(hint) = exports_hint {
                h2 { class: "section-title", {text::SECTION_EXPORTS} }
                nav { class: "actions",
                    ActionCard { to: Route::Exports {}, title: text::ACTION_EXPORTS, hint, primary: false }
                }
            }
            match role {
                Some(Role::PrefectureStaff) => rsx! {
                    h2 { class: "section-title", {text::SECTION_MANAGE} }
                    nav { class: "actions",
                        ActionCard { to: Route::DirectoryPage {}, title: text::ACTION_DIRECTORY_PREF, hint: text::ACTION_DIRECTORY_PREF_HINT, primary: false }
                    }
                },
                Some(Role::HealthCenterAdmin) => rsx! {
                    h2 { class: "section-title", {text::SECTION_MANAGE} }
                    nav { class: "actions",
                        ActionCard { to: Route::DirectoryPage {}, title: text::ACTION_DIRECTORY_HC, hint: text::ACTION_DIRECTORY_HC_HINT, primary: false }
                    }
                },
                _ => rsx! {},
            }
            if !files && !views && !reviews {
                p { class: "notice", "data-testid": "aggregates-only", {text::AGGREGATES_ONLY} }
            }
        }
    }
}

/// A health center's count of notifications not yet opened (受理待ち), above the inbox link.
#[component]
fn Unread() -> Element {
    let list = use_resource(|| async { api::notifications::list().await });
    let unread = list
        .read()
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map(|l| l.unread);
    rsx! {
        if let Some(n) = unread {
            p { class: if n > 0 { "notice unread-count" } else { "muted" }, "data-testid": "home-unread",
                if n > 0 { "未確認の発生届が {n} 件あります。" } else { "未確認の発生届はありません。" }
            }
        }
    }
}

/// 健康観察アラート with the waiting count (「未対応 3件（うち緊急 1件）」), from the dashboard's counts.
#[component]
fn AlertsCard() -> Element {
    let board = use_resource(|| async { api::observation::dashboard().await });
    let counts = board
        .read()
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map(|b| (b.alerts_waiting, b.urgent_waiting));
    let class = match counts {
        Some((_, u)) if u > 0 => "action-card alerts-card urgent",
        Some((w, _)) if w > 0 => "action-card alerts-card waiting",
        _ => "action-card alerts-card",
    };
    rsx! {
        Link { class: "{class}", to: Route::Alerts {}, "data-testid": "home-alerts",
            span { class: "action-title", {text::ACTION_ALERTS} }
            match counts {
                Some((0, _)) => rsx! { span { class: "action-count", "data-testid": "home-alerts-count", "未対応のアラートはありません" } },
                Some((w, 0)) => rsx! { span { class: "action-count", "data-testid": "home-alerts-count", "未対応 {w}件" } },
                Some((w, u)) => rsx! { span { class: "action-count", "data-testid": "home-alerts-count", "未対応 {w}件（うち緊急 {u}件）" } },
                None => rsx! {},
            }
            span { class: "action-hint", {text::ACTION_ALERTS_HINT} }
        }
    }
}

#[component]
fn ActionCard(to: Route, title: &'static str, hint: &'static str, primary: bool) -> Element {
    let class = if primary {
        "action-card primary"
    } else {
        "action-card"
    };
    rsx! {
        Link { class: "{class}", to,
            span { class: "action-title", {title} }
            span { class: "action-hint", {hint} }
        }
    }
}
