//! The postal-code lookup of every form (filing, drive-through, ID管理) and the choice it asks for when a code is
//! shared by several municipalities (6180000: 京都府乙訓郡大山崎町 and 大阪府三島郡島本町). The files are public
//! (`/data/postal/<3 digits>.json`), kept offline by the service worker once fetched, and parsed once per page
//! load here.

use std::cell::RefCell;
use std::collections::BTreeMap;

use dioxus::prelude::*;
use shared::notification::postal::{PostalCode, PostalIndex, PostalMunicipality};

use crate::api;

thread_local! {
    static FILES: RefCell<BTreeMap<String, PostalIndex>> = const { RefCell::new(BTreeMap::new()) };
}

/// The municipalities a postal code may mean (at least one), or why not, in Japanese.
pub async fn lookup(code: &PostalCode) -> Result<Vec<PostalMunicipality>, &'static str> {
    let cached = FILES.with(|f| {
        f.borrow()
            .get(code.prefix())
            .map(|i| i.municipalities(code))
    });
    let found = match cached {
        Some(found) => found,
        None => {
            let Ok(text) = api::get_text(&code.lookup_path()).await else {
                return Err("郵便番号の住所データを取得できませんでした。住所を入力してください。");
            };
            let Ok(index) = PostalIndex::from_json(&text) else {
                return Err("郵便番号の住所データを読み取れませんでした。");
            };
            let found = index.municipalities(code);
            FILES.with(|f| f.borrow_mut().insert(code.prefix().to_owned(), index));
            found
        }
    };
    if found.is_empty() {
        return Err("この郵便番号は見つかりません。住所を入力してください。");
    }
    Ok(found)
}

/// The address text after choosing `m`: kept when it already starts with what the postal code fixes there (so
/// 番地など typed after it stay), else replaced by it.
pub fn text_after_choice(m: &PostalMunicipality, current: &str) -> String {
    if current.starts_with(&m.base()) {
        current.to_owned()
    } else {
        m.base()
    }
}

pub const SEVERAL: &str =
    "この郵便番号には複数の市区町村があります。住所の市区町村を選んでください。";

/// One large button per municipality; the chosen one is marked. `testid` names the group for tests.
#[component]
pub fn PostalChoice(
    choices: Vec<PostalMunicipality>,
    chosen: Option<String>,
    testid: String,
    on_choose: EventHandler<PostalMunicipality>,
) -> Element {
    if choices.len() < 2 {
        return rsx! {};
    }
    let none_chosen = chosen.is_none();
    rsx! {
        div { class: "postal-choice", role: "group", "aria-label": "市区町村の選択", "data-testid": "{testid}",
            p { class: if none_chosen { "postal-choice-prompt pending" } else { "postal-choice-prompt" }, {SEVERAL} }
            div { class: "postal-choice-list",
                for m in choices {
                    {
                        let code = m.municipality_code.code6().to_owned();
                        let selected = chosen.as_deref() == Some(code.as_str());
                        rsx! {
                            button { key: "{code}", r#type: "button",
                                class: if selected { "postal-choice-button selected" } else { "postal-choice-button" },
                                "aria-pressed": if selected { "true" } else { "false" },
                                "data-code": "{code}",
                                onclick: move |_| on_choose.call(m.clone()),
                                span { class: "postal-choice-pref", "{m.prefecture}" }
                                span { class: "postal-choice-name", "{m.municipality}" }
                            }
                        }
                    }
                }
            }
        }
    }
}
