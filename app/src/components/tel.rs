//! A phone number as a tap-to-call link (`tel:`), a large touch target; where no number is known, it says so
//! plainly instead of an empty link.

use dioxus::prelude::*;
use shared::api::directory::tel_href;

/// `phone` as stored (any valid Japanese number); `label` before the number (e.g. 「保健所に電話する」).
#[component]
pub fn TelLink(
    #[props(into)] phone: String,
    #[props(into)] label: String,
    #[props(into, default)] testid: String,
) -> Element {
    let testid = if testid.is_empty() {
        "tel-link".to_owned()
    } else {
        testid
    };
    match tel_href(&phone) {
        Some(href) => rsx! {
            a { class: "tel-link", href: "{href}", "data-testid": "{testid}",
                span { class: "tel-label", "{label}" }
                span { class: "tel-number", "{phone}" }
            }
        },
        None => rsx! {
            p { class: "tel-none", "data-testid": "{testid}-none", "電話番号が登録されていません。" }
        },
    }
}
