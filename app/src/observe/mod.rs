//! `/observe`: the person's own phone (My HER-SYS). No staff account: sign-in with the slip's スマホ入力ID and the
//! birth date, then the daily report, one question per screen. (Being built: issue 10.)

use dioxus::prelude::*;

#[component]
pub fn Observe() -> Element {
    rsx! {
        main { id: "content", class: "observe-main",
            h1 { "健康観察の報告" }
        }
    }
}
