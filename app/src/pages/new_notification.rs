//! Route of the top page's「新たに発生届を提出する」action.

use dioxus::prelude::*;

use crate::components::placeholder_page::{PlaceholderPage, Work};
use crate::text;

#[component]
pub fn NewNotification() -> Element {
    rsx! { PlaceholderPage { work: Work::FileNotifications, title: text::ACTION_NEW, next: text::NEW_NEXT } }
}
