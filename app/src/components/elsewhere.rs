//! The stand-ins for pages of other entry points (shared::entry). A build holds only its own entry's pages; a route
//! to another entry's page renders [`Elsewhere`], which shows a progress state at once, downloads that entry, and
//! loads it — or says that it could not, with a retry, instead of a spinner that waits for ever.

// Each build uses the stand-ins of the entries it is not; the rest are dropped by the linker.
#![allow(dead_code)]

use dioxus::prelude::*;
use shared::entry::Entry;
use wasm_bindgen::prelude::*;

use crate::Route;

#[wasm_bindgen(module = "/js/entry.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = openEntry)]
    async fn open_entry(name: &str, path: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = reloadedInVain)]
    fn reloaded_in_vain(path: &str) -> bool;
    #[wasm_bindgen(js_name = keepEntries)]
    fn keep_entries_js(names: Vec<String>);
}

/// Asks the service worker to keep these entries for offline use.
pub fn keep_entries(entries: &[Entry]) {
    keep_entries_js(entries.iter().map(|e| e.name().to_owned()).collect());
}

#[derive(Clone, Copy, PartialEq)]
enum Load {
    Loading,
    Failed,
    /// The path's entry is this build itself, or a reload for it came back here: the route tables disagree (a bug,
    /// or files of two builds); never a reload loop.
    Misrouted,
}

#[component]
pub fn Elsewhere() -> Element {
    let path = use_route::<Route>().to_string();
    let mut load = use_signal(|| Load::Loading);
    let attempt = use_signal(|| 0u32);
    // Runs again when the path changes (another page of another entry) or on a retry.
    use_effect(use_reactive((&path,), move |(path,)| {
        let first = attempt() == 0;
        let entry = Entry::for_path(&path);
        if Some(entry) == crate::THIS_ENTRY || (first && reloaded_in_vain(&path)) {
            load.set(Load::Misrouted);
            return;
        }
        load.set(Load::Loading);
        spawn(async move {
            // On success the page is replaced; only a failure comes back.
            if open_entry(entry.name(), &path).await.is_err() {
                load.set(Load::Failed);
            }
        });
    }));
    let mut attempt = attempt;
    rsx! {
        section { class: "page elsewhere", "data-testid": "entry-load", "data-state": match load() {
                Load::Loading => "loading",
                Load::Failed => "failed",
                Load::Misrouted => "misrouted",
            },
            match load() {
                Load::Loading => rsx! {
                    p { class: "lead", role: "status", "画面を読み込んでいます…" }
                    progress { class: "entry-progress", "aria-label": "読み込み中" }
                },
                Load::Failed => rsx! {
                    div { class: "alert", role: "alert",
                        p { "画面を読み込めませんでした。通信状態を確かめて、もう一度お試しください。" }
                    }
                    button { class: "button", r#type: "button", "data-testid": "entry-retry",
                        onclick: move |_| attempt += 1,
                        "もう一度読み込む"
                    }
                    a { class: "button secondary", href: "/", "メニューへ戻る" }
                },
                Load::Misrouted => rsx! {
                    div { class: "alert", role: "alert",
                        p { "このページを開けませんでした。メニューから開き直してください。" }
                    }
                    a { class: "button secondary", href: "/", "メニューへ戻る" }
                },
            }
        }
    }
}

/// Stand-ins with the same props as the pages they replace (the route map passes a route's fields as props).
macro_rules! stand_ins {
    ($($name:ident ( $($field:ident : $ty:ty),* );)*) => {
        $(
            #[component]
            pub fn $name($($field: $ty),*) -> Element {
                $(let _ = $field;)*
                rsx! { Elsewhere {} }
            }
        )*
    };
}

stand_ins! {
    Home();
    SignIn();
    Invite();
    Account();
    NewNotification();
    NewNotificationForCase(case_id: String);
    EditNotification(id: String);
    PreNotification();
    Records();
    Record(id: String);
    RecordTab(id: String, tab: String);
    Search();
    Deleted();
    Exports();
    Drive();
    Daily();
    Sentinel();
    Counts();
    DailyStatusPage();
    SentinelSitesPage();
    Alerts();
    Dashboard();
    Slip(id: String);
    SelfRegistrations();
    Admin();
    DirectoryPage();
    Observe();
    Register();
}
