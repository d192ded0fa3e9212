//! `/records/:id/slip`: the printable スマホ入力ID slip (QR code, instructions in Japanese).

use dioxus::prelude::*;

use crate::session::RequireSignIn;

#[component]
pub fn Slip(id: String) -> Element {
    rsx! {
        RequireSignIn { section { class: "page", h1 { "スマホ入力IDのお知らせ" } p { "{id}" } } }
    }
}
