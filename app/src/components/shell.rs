//! The app frame: header (product name, signed-in user area, network state), the page, the footer.

use dioxus::prelude::*;

use crate::components::network_indicator::NetworkIndicator;
use crate::components::user_area::UserArea;
use crate::{text, Route};

#[component]
pub fn Shell() -> Element {
    rsx! {
        a { class: "skip-link", href: "#content", {text::SKIP_TO_MAIN} }
        header { class: "app-header",
            Link { class: "brand", to: Route::Home {},
                span { class: "brand-name", {shared::PRODUCT_NAME} }
                span { class: "brand-sub", {text::PRODUCT_SUBTITLE} }
            }
            div { class: "header-status",
                NetworkIndicator {}
                UserArea {}
            }
        }
        main { id: "content", class: "app-main", tabindex: "-1",
            Outlet::<Route> {}
        }
        footer { class: "app-footer",
            "{shared::PRODUCT_NAME} {text::VERSION_LABEL} {shared::VERSION}"
        }
    }
}
