//! Any unknown path inside the app.

use dioxus::prelude::*;

use crate::{text, Route};

#[component]
pub fn NotFound(segments: Vec<String>) -> Element {
    // The path is not echoed back: it could carry something a user pasted.
    let _ = segments;
    rsx! {
        section { class: "page",
            h1 { {text::NOT_FOUND_HEADING} }
            p { {text::NOT_FOUND_BODY} }
            Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
        }
    }
}
