//! Route of the top page's「閲覧・編集する」action.

use dioxus::prelude::*;

use crate::components::placeholder_page::PlaceholderPage;
use crate::text;

#[component]
pub fn Records() -> Element {
    rsx! { PlaceholderPage { title: text::ACTION_VIEW, next: text::RECORDS_NEXT } }
}
