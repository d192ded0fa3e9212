//! `/dashboard`: cases by day (epidemic curve, SVG), counts by status, overdue observations, alerts waiting.

use dioxus::prelude::*;

use crate::session::RequireSignIn;

#[component]
pub fn Dashboard() -> Element {
    rsx! {
        RequireSignIn { section { class: "page", h1 { "ダッシュボード" } } }
    }
}
