//! Route of the top page's「閲覧・編集する」action.

use dioxus::prelude::*;

use crate::components::placeholder_page::{PlaceholderPage, Work};
use crate::text;

#[component]
pub fn Records() -> Element {
    rsx! { PlaceholderPage { work: Work::ViewRecords, title: text::ACTION_VIEW, next: text::RECORDS_NEXT } }
}
