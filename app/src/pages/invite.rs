//! The invitation link (`/invite#<token>`): the new user sets their own password and registers their first key
//! on their own device. The token stays in the URL fragment, which is never sent to a server or logged.

use dioxus::prelude::*;
use shared::api::auth::{AcceptInvitationRequest, Me, RegisterCredentialResponse, SignInStep};

use crate::api;
use crate::components::action::use_action;
use crate::components::alert::ErrorAlert;
use crate::components::new_password::NewPasswordFields;
use crate::components::recovery_codes::RecoveryCodes;
use crate::components::register_key::RegisterKey;
use crate::session::{SessionCtx, SessionState};
use crate::Route;

#[derive(Clone, PartialEq)]
enum Step {
    Password,
    RegisterKey,
    Codes(Vec<String>, Me),
}

#[component]
pub fn Invite() -> Element {
    let mut session = use_context::<SessionCtx>();
    let nav = use_navigator();
    let token = use_hook(api::take_fragment);
    let mut step = use_signal(|| Step::Password);
    let new_password = use_signal(String::new);
    let confirmation = use_signal(String::new);
    let act = use_action();
    let tok = token.clone();
    let submit = move |e: FormEvent| {
        e.prevent_default();
        let token = tok.clone();
        act.run(move || async move {
            let body = AcceptInvitationRequest {
                token,
                new_password: new_password(),
                confirmation: confirmation(),
            };
            match api::auth::accept_invitation(&body).await {
                Ok(SignInStep::RegisterCredential) => {
                    step.set(Step::RegisterKey);
                    Ok(())
                }
                Ok(_) => Err("想定外の手順です。管理者にお問い合わせください。".to_owned()),
                Err(e) => Err(e.message()),
            }
        });
    };
    let content = match step() {
        Step::Password if token.is_empty() => rsx! {
            p { class: "alert", role: "alert", "招待リンクが正しくありません。管理者から届いたリンクをそのまま開いてください。" }
        },
        Step::Password => rsx! {
            p { "保健所の管理者から招待されました。ご自身のパスワードを設定し、この端末のパスキーまたはセキュリティキーを登録してください。招待リンクは72時間有効で、1回だけ使えます。" }
            form { class: "form", onsubmit: submit,
                NewPasswordFields { new_password, confirmation, sign_in_id: String::new(), current: None }
                ErrorAlert { message: (act.error)() }
                button { class: "button", r#type: "submit", disabled: (act.busy)(), "パスワードを設定する" }
            }
        },
        Step::RegisterKey => rsx! {
            h2 { "セキュリティキー・パスキーの登録" }
            RegisterKey {
                first: true,
                on_done: move |done: RegisterCredentialResponse| step.set(Step::Codes(done.recovery_codes, done.me)),
            }
        },
        Step::Codes(codes, me) => rsx! {
            RecoveryCodes {
                codes,
                on_done: move |_| {
                    crate::api::remember_user(&me.user_id);
                    session.state.set(SessionState::SignedIn(me.clone()));
                    nav.replace(Route::Home {});
                },
            }
        },
    };
    rsx! {
        section { class: "page narrow",
            h1 { "アカウントの利用開始" }
            {content}
        }
    }
}
