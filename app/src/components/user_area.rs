//! The header's signed-in user area: who is signed in (name, role, area), their keys, administration, sign-out.

use dioxus::prelude::*;
use shared::auth::Role;

use crate::session::{SessionCtx, SessionState};
use crate::{api, vault};
use crate::{text, Route};

#[component]
pub fn UserArea() -> Element {
    let mut session = use_context::<SessionCtx>();
    let nav = use_navigator();
    let search = use_context::<crate::case::search::SearchCtx>();
    // Records of the drive-through store not yet on the server: sign-out erases them, so it asks first.
    let mut unsent = use_signal(|| None::<u32>);
    let mut busy = use_signal(|| false);
    let finish = move || {
        // The criteria and the list are personal data: they go with the session.
        search.clear();
        let user = session
            .me()
            .map(|m| m.user_id)
            .unwrap_or_else(api::last_user);
        spawn(async move {
            let _ = api::auth::sign_out().await;
            api::draft_forget().await;
            // A failed wipe leaves only ciphertext; the sign-out goes on (the session is over either way).
            let _ = vault::wipe(&user).await;
            api::remember_user("");
            unsent.set(None);
            busy.set(false);
            session.state.set(SessionState::SignedOut);
            nav.replace(Route::SignIn {});
        });
    };
    let sign_out = move |_| {
        if busy() {
            return;
        }
        busy.set(true);
        let user = session.me().map(|m| m.user_id).unwrap_or_default();
        spawn(async move {
            let n = vault::pending_count(&user).await;
            if n > 0 {
                busy.set(false);
                unsent.set(Some(n));
            } else {
                finish();
            }
        });
    };
    match (session.state)() {
        SessionState::SignedIn(me) => rsx! {
            div { class: "user-area signed-in", "data-testid": "user-area",
                span { class: "user-name", "{me.display_name}" }
                span { class: "user-role", title: "{me.role.label_ja()}・{me.area_name}", "{me.role.label_ja()}・{me.area_name}" }
            }
            nav { class: "user-menu",
                if me.role.views_records() {
                    Link { class: "header-link", to: Route::Search {}, "登録情報一覧" }
                }
                Link { class: "header-link", to: Route::Account {}, "キー管理" }
                if me.role == Role::HealthCenterAdmin {
                    Link { class: "header-link", to: Route::Admin {}, "管理" }
                }
                if me.role == Role::PrefectureStaff {
                    Link { class: "header-link", to: Route::Admin {}, "承認待ち" }
                }
                button { class: "header-link", r#type: "button", onclick: sign_out, "サインアウト" }
            }
            if let Some(n) = unsent() {
                div { class: "signout-warning", role: "alertdialog", "aria-labelledby": "signout-warning-text", "data-testid": "signout-warning",
                    p { id: "signout-warning-text", class: "signout-warning-text",
                        "未送信の記録が {n} 件あります。サインアウトすると端末から消去され、復元できません。"
                    }
                    p { "先にドライブスルー検査の画面で「今すぐ同期」を押し、未送信が 0 件になってからサインアウトしてください。" }
                    div { class: "form-actions",
                        button { r#type: "button", class: "button secondary", "data-testid": "signout-cancel",
                            onmounted: move |e| async move { let _ = e.set_focus(true).await; },
                            onclick: move |_| unsent.set(None), "サインアウトしない" }
                        button { r#type: "button", class: "button danger", "data-testid": "signout-erase", disabled: busy(),
                            onclick: move |_| { busy.set(true); finish(); },
                            "記録を消去してサインアウトする"
                        }
                    }
                }
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
