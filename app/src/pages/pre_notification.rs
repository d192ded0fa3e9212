//! Route of the top page's「発生届の提出前に使用する」action.

use dioxus::prelude::*;

use crate::components::placeholder_page::{PlaceholderPage, Work};
use crate::text;

#[component]
pub fn PreNotification() -> Element {
    rsx! { PlaceholderPage { work: Work::FileNotifications, title: text::ACTION_PRE, next: text::PRE_NEXT } }
}
