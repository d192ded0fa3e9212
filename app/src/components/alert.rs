//! An error message announced to screen readers (role="alert"), shown where the user is looking: as it appears it
//! is scrolled into view if it is off-screen or under the sticky button bar (a failed submit on a phone).

use dioxus::prelude::*;

#[component]
pub fn ErrorAlert(message: Option<String>) -> Element {
    rsx! {
        if let Some(m) = message {
            p { class: "alert", role: "alert", "data-testid": "error",
                onmounted: move |e: MountedEvent| {
                    if let Some(el) = e.data().downcast::<web_sys::Element>() {
                        crate::api::reveal_message(el);
                    }
                },
                "{m}"
            }
        }
    }
}
