//! The "new password" and "confirmation" fields with the policy shown rule by rule as the user types. Used at
//! first sign-in and when accepting an invitation.

use dioxus::prelude::*;

use crate::components::password_rules::{use_common_passwords, PasswordRules};

#[component]
pub fn NewPasswordFields(
    new_password: Signal<String>,
    confirmation: Signal<String>,
    /// Empty when the page does not know it (invitation); the edge checks it anyway.
    sign_in_id: String,
    current: Option<String>,
) -> Element {
    let list = use_common_passwords();
    rsx! {
        div { class: "field",
            label { r#for: "new-password", "新しいパスワード" }
            input { id: "new-password", r#type: "password", autocomplete: "new-password", required: true,
                maxlength: "256", value: "{new_password}", oninput: move |e| new_password.set(e.value()) }
        }
        div { class: "field",
            label { r#for: "confirm-password", "パスワードの確認入力" }
            input { id: "confirm-password", r#type: "password", autocomplete: "new-password", required: true,
                maxlength: "256", value: "{confirmation}", oninput: move |e| confirmation.set(e.value()) }
        }
        PasswordRules {
            password: new_password(), sign_in_id, current,
            confirmation: confirmation(), list: list.read().clone().flatten(),
        }
    }
}
