//! Sign-in (manual chapter 3): ID + password, then a security key or passkey; at first sign-in a new password,
//! the first key, and recovery codes. Passkey-only sign-in and recovery codes as alternatives.

use dioxus::prelude::*;
use shared::api::auth::{
    AssertionRequest, ChangePasswordRequest, Me, PasswordSignInRequest, RecoveryCodeRequest,
    SignInStep,
};

use crate::api;
use crate::components::action::use_action;
use crate::components::alert::ErrorAlert;
use crate::components::new_password::NewPasswordFields;
use crate::components::recovery_codes::RecoveryCodes;
use crate::components::register_key::RegisterKey;
use crate::session::{SessionCtx, SessionState};
use crate::Route;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Password,
    ChangePassword,
    RegisterKey,
    Webauthn(String),
    Recovery,
    RecoveryCodes(Vec<String>, Me),
}

fn step_of(next: SignInStep) -> Result<Step, Me> {
    match next {
        SignInStep::ChangePassword => Ok(Step::ChangePassword),
        SignInStep::RegisterCredential => Ok(Step::RegisterKey),
        SignInStep::Webauthn { options_json } => Ok(Step::Webauthn(options_json)),
        SignInStep::Done { me } => Err(me),
    }
}

#[component]
pub fn SignIn() -> Element {
    let mut session = use_context::<SessionCtx>();
    let nav = use_navigator();
    let mut step = use_signal(|| Step::Password);
    let mut login_id = use_signal(String::new);
    let mut password = use_signal(String::new);
    let act = use_action();

    let mut finish = move |me: Me| {
        crate::api::remember_user(&me.user_id);
        if me.role.files_notifications() {
            let user = me.user_id.clone();
            // Not tied to this page: it is left at once, which would cancel a component's task.
            wasm_bindgen_futures::spawn_local(async move {
                crate::vault::enroll_after_sign_in(&user).await
            });
        }
        session.state.set(SessionState::SignedIn(me));
        nav.replace(Route::Home {});
    };
    let mut advance = move |next: SignInStep| match step_of(next) {
        Ok(s) => step.set(s),
        Err(me) => finish(me),
    };

    let submit_password = move |e: FormEvent| {
        e.prevent_default();
        act.run(move || async move {
            let body = PasswordSignInRequest {
                login_id: login_id().trim().to_owned(),
                password: password(),
            };
            let next = api::auth::password(&body).await.map_err(|e| e.message())?;
            advance(next);
            Ok(())
        });
    };

    let passkey = move |_| {
        act.run(move || async move {
            let options = api::auth::passkey_options()
                .await
                .map_err(|e| e.message())?;
            let credential_json = api::get_assertion(&options.options_json).await?;
            let next = api::auth::passkey(&AssertionRequest { credential_json })
                .await
                .map_err(|e| e.message())?;
            advance(next);
            Ok(())
        });
    };

    let body = match step() {
        Step::Password => rsx! {
            form { class: "form", onsubmit: submit_password,
                div { class: "field",
                    label { r#for: "login-id", "サインインID" }
                    input {
                        id: "login-id", r#type: "text", autocomplete: "username", autocapitalize: "none",
                        spellcheck: "false", required: true, maxlength: "254",
                        value: "{login_id}", oninput: move |e| login_id.set(e.value()),
                    }
                }
                div { class: "field",
                    label { r#for: "password", "パスワード" }
                    input {
                        id: "password", r#type: "password", autocomplete: "current-password", required: true,
                        maxlength: "256", value: "{password}", oninput: move |e| password.set(e.value()),
                    }
                }
                ErrorAlert { message: (act.error)() }
                button { class: "button", r#type: "submit", disabled: (act.busy)(), "サインイン" }
            }
            div { class: "alt",
                p { "パスキーを登録済みの端末では、IDとパスワードの代わりにパスキーだけでサインインできます。" }
                button { class: "button secondary", r#type: "button", disabled: (act.busy)(), onclick: passkey, "パスキーでサインイン" }
            }
        },
        Step::ChangePassword => rsx! {
            ChangePassword { login_id: login_id(), initial: password(), on_next: advance }
        },
        Step::RegisterKey => rsx! {
            h2 { "セキュリティキー・パスキーの登録" }
            RegisterKey {
                first: true,
                on_done: move |done: shared::api::auth::RegisterCredentialResponse| {
                    step.set(Step::RecoveryCodes(done.recovery_codes, done.me));
                },
            }
        },
        Step::Webauthn(options) => rsx! {
            SecondFactor { options, on_next: advance, on_recovery: move |_| step.set(Step::Recovery) }
        },
        Step::Recovery => rsx! {
            RecoveryForm { on_next: advance }
        },
        Step::RecoveryCodes(codes, me) => rsx! {
            RecoveryCodes { codes, on_done: move |_| finish(me.clone()) }
        },
    };

    rsx! {
        section { class: "page narrow",
            h1 { "サインイン" }
            {body}
        }
    }
}

/// First sign-in: the initial password issued by the administrator is replaced by the user's own.
#[component]
fn ChangePassword(login_id: String, initial: String, on_next: EventHandler<SignInStep>) -> Element {
    let mut current = use_signal(move || initial.clone());
    let new_password = use_signal(String::new);
    let confirmation = use_signal(String::new);
    let act = use_action();
    let submit = move |e: FormEvent| {
        e.prevent_default();
        act.run(move || async move {
            let body = ChangePasswordRequest {
                current_password: current(),
                new_password: new_password(),
                confirmation: confirmation(),
            };
            let next = api::auth::change_password(&body)
                .await
                .map_err(|e| e.message())?;
            on_next.call(next);
            Ok(())
        });
    };
    rsx! {
        h2 { "パスワードの更新" }
        p { "初めてサインインしたため、保健所から発行された初期パスワードを、ご自身のパスワードに変更してください。" }
        form { class: "form", onsubmit: submit,
            div { class: "field",
                label { r#for: "current-password", "現在のパスワード" }
                input { id: "current-password", r#type: "password", autocomplete: "current-password", required: true,
                    value: "{current}", oninput: move |e| current.set(e.value()) }
            }
            NewPasswordFields { new_password, confirmation, sign_in_id: login_id.clone(), current: Some(current()) }
            ErrorAlert { message: (act.error)() }
            button { class: "button", r#type: "submit", disabled: (act.busy)(), "パスワードを変更する" }
        }
    }
}

/// The second factor: an assertion with one of the user's keys.
#[component]
fn SecondFactor(
    options: String,
    on_next: EventHandler<SignInStep>,
    on_recovery: EventHandler<()>,
) -> Element {
    let mut options = use_signal(move || options.clone());
    let act = use_action();
    let authenticate = move |_| {
        act.run(move || async move {
            let result = async {
                let credential_json = api::get_assertion(&options()).await?;
                api::auth::webauthn(&AssertionRequest { credential_json })
                    .await
                    .map_err(|e| e.message())
            }
            .await;
            if result.is_err() {
                // The challenge is single use: fetch a fresh one for the next try.
                if let Ok(fresh) = api::auth::webauthn_options().await {
                    options.set(fresh.options_json);
                }
            }
            on_next.call(result?);
            Ok(())
        });
    };
    rsx! {
        h2 { "セキュリティキーで認証" }
        p { "登録済みのセキュリティキーまたはパスキーで本人確認を行います。" }
        ErrorAlert { message: (act.error)() }
        button { class: "button", r#type: "button", disabled: (act.busy)(), onclick: authenticate,
            if (act.busy)() { "認証しています…" } else { "セキュリティキー・パスキーで認証する" }
        }
        p { class: "alt",
            button { class: "link", r#type: "button", onclick: move |_| on_recovery.call(()), "キーが手元にない場合（リカバリーコードを使う）" }
        }
    }
}

#[component]
fn RecoveryForm(on_next: EventHandler<SignInStep>) -> Element {
    let mut code = use_signal(String::new);
    let act = use_action();
    let submit = move |e: FormEvent| {
        e.prevent_default();
        act.run(move || async move {
            let next = api::auth::recovery(&RecoveryCodeRequest { code: code() })
                .await
                .map_err(|e| e.message())?;
            on_next.call(next);
            Ok(())
        });
    };
    rsx! {
        h2 { "リカバリーコードでサインイン" }
        form { class: "form", onsubmit: submit,
            div { class: "field",
                label { r#for: "recovery-code", "リカバリーコード" }
                input { id: "recovery-code", r#type: "text", autocomplete: "one-time-code", autocapitalize: "characters",
                    required: true, maxlength: "20", value: "{code}", oninput: move |e| code.set(e.value()) }
            }
            ErrorAlert { message: (act.error)() }
            button { class: "button", r#type: "submit", disabled: (act.busy)(), "サインイン" }
        }
    }
}
