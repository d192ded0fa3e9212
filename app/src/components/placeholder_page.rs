//! A page whose function arrives in a later issue: says what comes next, shows no invented data.

use dioxus::prelude::*;

use crate::session::RequireSignIn;
use crate::{text, Route};

#[component]
pub fn PlaceholderPage(title: &'static str, next: &'static str) -> Element {
    rsx! {
        RequireSignIn {
        section { class: "page",
            h1 { {title} }
            p { class: "notice", {text::NOT_YET} }
            p { {next} }
            Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
        }
        }
    }
}
