//! The top page: the manual's three actions as large touch targets, those the user's role allows.

use dioxus::prelude::*;

use shared::api::notifications::NotificationList;
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
            if !files && !views {
                p { class: "notice", "data-testid": "aggregates-only", {text::AGGREGATES_ONLY} }
            }
        }
    }
}

/// A health center's count of notifications not yet opened (受理待ち), above the inbox link.
#[component]
fn Unread() -> Element {
    let list = use_resource(|| async { api::get::<NotificationList>("/api/notifications").await });
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
