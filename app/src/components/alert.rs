//! An error message announced to screen readers, shown where the user is looking.

use dioxus::prelude::*;

#[component]
pub fn ErrorAlert(message: Option<String>) -> Element {
    rsx! {
        if let Some(m) = message {
            p { class: "alert", role: "alert", "data-testid": "error", "{m}" }
        }
    }
}
