//! The recovery codes, shown once after the first key is registered.

use dioxus::prelude::*;

#[component]
pub fn RecoveryCodes(codes: Vec<String>, on_done: EventHandler<()>) -> Element {
    rsx! {
        section { class: "page",
            h1 { "リカバリーコード" }
            p { class: "notice", "セキュリティキーが手元にないときに1回だけ使えるコードです。この画面は再表示できません。印刷するか、安全な場所に書き写してください。" }
            ol { class: "codes", "data-testid": "recovery-codes",
                for code in codes {
                    li { key: "{code}", code { "{code}" } }
                }
            }
            button { class: "button", onclick: move |_| on_done.call(()), "保管しました。メニューへ進む" }
        }
    }
}
