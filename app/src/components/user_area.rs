//! The header's signed-in user area: who is signed in (name, role, area), their keys, administration, sign-out.

use dioxus::prelude::*;
use shared::auth::Role;

use crate::api;
use crate::session::{SessionCtx, SessionState};
use crate::{text, Route};

#[component]
pub fn UserArea() -> Element {
    let mut session = use_context::<SessionCtx>();
    let nav = use_navigator();
    let search = use_context::<crate::pages::search::SearchCtx>();
    let sign_out = move |_| {
        // The criteria and the list are personal data: they go with the session.
        search.clear();
        spawn(async move {
            let _ = api::send::<()>("POST", "/api/auth/signout", None).await;
            api::draft_forget().await;
            api::remember_user("");
            session.state.set(SessionState::SignedOut);
            nav.replace(Route::SignIn {});
        });
    };
    match (session.state)() {
        SessionState::SignedIn(me) => rsx! {
            div { class: "user-area signed-in", "data-testid": "user-area",
                span { class: "user-name", "{me.display_name}" }
                span { class: "user-role", "{me.role.label_ja()}・{me.area_name}" }
            }
            nav { class: "user-menu",
                if me.role.views_records() {
                    Link { class: "header-link", to: Route::Search {}, "登録情報一覧" }
                }
                Link { class: "header-link", to: Route::Account {}, "キー管理" }
                if me.role == Role::HealthCenterAdmin {
                    Link { class: "header-link", to: Route::Admin {}, "管理" }
                }
                button { class: "header-link", r#type: "button", onclick: sign_out, "サインアウト" }
            }
        },
        SessionState::Unknown => rsx! {
            div { class: "user-area", "data-testid": "user-area", "サインイン確認待ち（オフライン）" }
        },
        _ => rsx! {
            div { class: "user-area", "data-testid": "user-area", {text::SIGNED_OUT} }
        },
    }
}
