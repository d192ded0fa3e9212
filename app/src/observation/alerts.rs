//! `/alerts`: the triage queue, most urgent first; each alert handled with a note.

use dioxus::prelude::*;

use crate::session::RequireSignIn;

#[component]
pub fn Alerts() -> Element {
    rsx! {
        RequireSignIn { section { class: "page", h1 { "健康観察アラート" } } }
    }
}
