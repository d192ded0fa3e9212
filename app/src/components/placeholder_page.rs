//! A page whose function arrives in a later issue: says what comes next, shows no invented data.

use dioxus::prelude::*;

use crate::session::{RequireSignIn, SessionCtx};
use crate::{text, Route};

/// Which kind of work a page is for; roles without it are told so (the edge refuses them anyway).
#[derive(Clone, Copy, PartialEq)]
pub enum Work {
    FileNotifications,
}

#[component]
pub fn PlaceholderPage(title: &'static str, next: &'static str, work: Work) -> Element {
    let allowed = use_context::<SessionCtx>().me().is_none_or(|m| match work {
        Work::FileNotifications => m.role.files_notifications(),
    });
    rsx! {
        RequireSignIn {
        section { class: "page",
            h1 { {title} }
            if allowed {
                p { class: "notice", {text::NOT_YET} }
                p { {next} }
            } else {
                p { class: "alert", role: "alert", {text::NOT_PERMITTED} }
                p { {text::NOT_PERMITTED_HINT} }
            }
            Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
        }
        }
    }
}
