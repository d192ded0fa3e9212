//! The always-visible network state badge in the header.

use dioxus::prelude::*;

use crate::net::ONLINE;
use crate::text;

#[component]
pub fn NetworkIndicator() -> Element {
    let online = ONLINE();
    let (class, label) = if online {
        ("net-badge online", text::ONLINE)
    } else {
        ("net-badge offline", text::OFFLINE)
    };
    rsx! {
        div {
            class: "{class}",
            role: "status",
            "aria-live": "polite",
            "aria-label": "{text::NETWORK_LABEL}: {label}",
            "data-testid": "network-status",
            span { class: "net-dot", "aria-hidden": "true" }
            {label}
        }
    }
}
