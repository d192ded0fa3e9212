//! The password policy, shown rule by rule as the user types (the edge enforces the same rules from `shared`).

use dioxus::prelude::*;
use shared::auth::password::{check_password, CommonPasswords, PasswordContext, PasswordRule};

/// Fetches the common-password list once per page (it is not part of the wasm bundle).
pub fn use_common_passwords() -> Resource<Option<String>> {
    use_resource(|| async {
        crate::api::get_text("/data/common-passwords.txt")
            .await
            .ok()
    })
}

const RULE_LABELS: [(&str, &str); 7] = [
    ("too_short", "8文字以上"),
    (
        "too_few_character_classes",
        "大文字・小文字・数字・記号のうち3種類以上",
    ),
    ("disallowed_character", "半角英数字と記号のみ"),
    (
        "common_password",
        "よく使われる・漏洩したパスワードではない",
    ),
    ("contains_sign_in_id", "サインインIDやその一部を含まない"),
    ("same_as_current", "現在のパスワードと異なる"),
    ("confirmation_mismatch", "確認入力と一致"),
];

#[component]
pub fn PasswordRules(
    password: String,
    sign_in_id: String,
    current: Option<String>,
    confirmation: String,
    list: Option<String>,
) -> Element {
    let parsed = list.as_deref().map(CommonPasswords::parse);
    let is_common = |p: &str| parsed.as_ref().is_some_and(|l| l.contains(p));
    let ctx = PasswordContext {
        sign_in_id: &sign_in_id,
        current_password: current.as_deref(),
        confirmation: Some(&confirmation),
        is_common: &is_common,
    };
    let broken: Vec<PasswordRule> = check_password(&password, &ctx);
    rsx! {
        ul { class: "rules", "aria-live": "polite", "data-testid": "password-rules",
            for (code, label) in RULE_LABELS {
                if code != "same_as_current" || current.is_some() {
                    {
                        let failed = broken.iter().find(|r| r.code() == code);
                        let class = if password.is_empty() { "rule" } else if failed.is_some() { "rule bad" } else { "rule ok" };
                        let mark = if password.is_empty() { "・" } else if failed.is_some() { "✗" } else { "✓" };
                        rsx! {
                            li { class: "{class}", "data-rule": "{code}",
                                span { class: "mark", "aria-hidden": "true", "{mark}" }
                                span { "{label}" }
                                if let Some(rule) = failed {
                                    span { class: "why", "{rule.message_ja()}" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
