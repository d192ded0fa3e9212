//! The password policy of the manual (3.3), checked as the user types (app) and enforced on change (edge).

use serde::{Deserialize, Serialize};

pub const MIN_LENGTH: usize = 8;
pub const MIN_CLASSES: usize = 3;
/// Symbols the manual allows (its table; `¥` is the backslash on Japanese keyboards).
pub const SYMBOLS: &str = "@#$%^&*-_!+=[]{}|\\:',.?/`~\"();";
/// Shortest piece of the sign-in ID that a password may not contain.
const MIN_ID_PART: usize = 3;

/// One rule a candidate password breaks. The list of all broken rules is shown at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum PasswordRule {
    TooShort { min: usize, actual: usize },
    TooFewCharacterClasses { min: usize, actual: usize },
    DisallowedCharacter { character: char },
    CommonPassword,
    ContainsSignInId { part: String },
    SameAsCurrent,
    ConfirmationMismatch,
}

impl PasswordRule {
    pub fn code(&self) -> &'static str {
        match self {
            PasswordRule::TooShort { .. } => "too_short",
            PasswordRule::TooFewCharacterClasses { .. } => "too_few_character_classes",
            PasswordRule::DisallowedCharacter { .. } => "disallowed_character",
            PasswordRule::CommonPassword => "common_password",
            PasswordRule::ContainsSignInId { .. } => "contains_sign_in_id",
            PasswordRule::SameAsCurrent => "same_as_current",
            PasswordRule::ConfirmationMismatch => "confirmation_mismatch",
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            PasswordRule::TooShort { min, actual } => format!("{min}文字以上にしてください（現在{actual}文字）。"),
            PasswordRule::TooFewCharacterClasses { min, actual } => format!(
                "大文字・小文字・数字・記号のうち{min}種類以上を使ってください（現在{actual}種類）。"
            ),
            PasswordRule::DisallowedCharacter { character } => {
                format!("「{character}」は使用できない文字です。半角英数字と記号のみ使えます。")
            }
            PasswordRule::CommonPassword => {
                "よく使われている、または漏洩したことのあるパスワードです。別のパスワードにしてください。".to_owned()
            }
            PasswordRule::ContainsSignInId { part } => {
                format!("サインインIDの一部（{part}）を含めないでください。")
            }
            PasswordRule::SameAsCurrent => "現在のパスワードと異なるパスワードにしてください。".to_owned(),
            PasswordRule::ConfirmationMismatch => "確認用に入力したパスワードが一致しません。".to_owned(),
        }
    }
}

/// What the policy needs besides the candidate.
pub struct PasswordContext<'a> {
    pub sign_in_id: &'a str,
    pub current_password: Option<&'a str>,
    /// The confirmation field, when the form has one.
    pub confirmation: Option<&'a str>,
    /// Membership in the common/leaked password list (see [`CommonPasswords`]).
    pub is_common: &'a dyn Fn(&str) -> bool,
}

/// Every rule the candidate breaks, in the order the form shows them; empty means acceptable.
pub fn check_password(candidate: &str, ctx: &PasswordContext<'_>) -> Vec<PasswordRule> {
    let mut broken = Vec::new();
    let length = candidate.chars().count();
    if length < MIN_LENGTH {
        broken.push(PasswordRule::TooShort {
            min: MIN_LENGTH,
            actual: length,
        });
    }
    let classes = [
        candidate.chars().any(|c| c.is_ascii_uppercase()),
        candidate.chars().any(|c| c.is_ascii_lowercase()),
        candidate.chars().any(|c| c.is_ascii_digit()),
        candidate.chars().any(|c| SYMBOLS.contains(c)),
    ]
    .into_iter()
    .filter(|&present| present)
    .count();
    if classes < MIN_CLASSES {
        broken.push(PasswordRule::TooFewCharacterClasses {
            min: MIN_CLASSES,
            actual: classes,
        });
    }
    if let Some(character) = candidate
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || SYMBOLS.contains(c)))
    {
        broken.push(PasswordRule::DisallowedCharacter { character });
    }
    if !candidate.is_empty() && (ctx.is_common)(&candidate.to_ascii_lowercase()) {
        broken.push(PasswordRule::CommonPassword);
    }
    let lower = candidate.to_ascii_lowercase();
    if let Some(part) = sign_in_id_parts(ctx.sign_in_id)
        .into_iter()
        .find(|p| lower.contains(p.as_str()))
    {
        broken.push(PasswordRule::ContainsSignInId { part });
    }
    if ctx.current_password.is_some_and(|c| c == candidate) {
        broken.push(PasswordRule::SameAsCurrent);
    }
    if ctx.confirmation.is_some_and(|c| c != candidate) {
        broken.push(PasswordRule::ConfirmationMismatch);
    }
    broken
}

/// The sign-in ID and its pieces (split at anything not a letter or digit), lower-cased, 3 characters or more.
pub fn sign_in_id_parts(sign_in_id: &str) -> Vec<String> {
    let lower = sign_in_id.to_ascii_lowercase();
    let mut parts: Vec<String> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| p.chars().count() >= MIN_ID_PART)
        .map(str::to_owned)
        .collect();
    if lower.chars().count() >= MIN_ID_PART && !parts.contains(&lower) {
        parts.insert(0, lower);
    }
    parts
}

/// The common/leaked password list: one lower-case entry per line, sorted by byte order (see `shared/data`).
pub struct CommonPasswords<'a> {
    entries: Vec<&'a str>,
}

impl<'a> CommonPasswords<'a> {
    pub fn parse(text: &'a str) -> Self {
        let mut entries: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        // The shipped file is sorted already; sorting again keeps binary search correct for any input.
        entries.sort_unstable();
        entries.dedup();
        Self { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn contains(&self, lower_case_candidate: &str) -> bool {
        self.entries.binary_search(&lower_case_candidate).is_ok()
    }
}

/// The list compiled in (edge). The app fetches the same file instead, to keep its bundle small.
#[cfg(feature = "password-list")]
pub const COMMON_PASSWORDS_TEXT: &str = include_str!("../../data/common-passwords.txt");

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = include_str!("../../data/common-passwords.txt");

    fn check(candidate: &str, id: &str, current: Option<&str>) -> Vec<&'static str> {
        let list = CommonPasswords::parse(LIST);
        let is_common = |p: &str| list.contains(p);
        let ctx = PasswordContext {
            sign_in_id: id,
            current_password: current,
            confirmation: None,
            is_common: &is_common,
        };
        check_password(candidate, &ctx)
            .iter()
            .map(PasswordRule::code)
            .collect()
    }

    #[test]
    fn the_shipped_list_has_at_least_ten_thousand_sorted_entries() {
        let list = CommonPasswords::parse(LIST);
        assert!(list.len() >= 10_000, "{}", list.len());
        let raw: Vec<&str> = LIST.lines().collect();
        assert!(
            raw.windows(2).all(|w| w[0] < w[1]),
            "file is sorted and unique"
        );
        assert!(list.contains("password1") && list.contains("iloveyou"));
    }

    #[test]
    fn accepts_a_strong_password() {
        assert!(check("Kx7#mPq2vL", "yamada.taro@clinic-a.example", None).is_empty());
    }

    #[test]
    fn each_rule_is_reported_with_its_own_code() {
        let id = "yamada.taro@clinic-a.example";
        assert_eq!(check("Ab1!", id, None), ["too_short"]);
        assert_eq!(check("abcdefgh12", id, None), ["too_few_character_classes"]);
        assert_eq!(check("Abcdefg1あ", id, None), ["disallowed_character"]);
        assert_eq!(check("Password1", id, None), ["common_password"]);
        assert_eq!(check("Yamada#2026x", id, None), ["contains_sign_in_id"]);
        assert_eq!(
            check("Kx7#mPq2vL", id, Some("Kx7#mPq2vL")),
            ["same_as_current"]
        );
        assert_eq!(
            check("", id, None),
            ["too_short", "too_few_character_classes"]
        );
    }

    #[test]
    fn the_confirmation_must_match() {
        let is_common = |_: &str| false;
        let ctx = PasswordContext {
            sign_in_id: "x",
            current_password: None,
            confirmation: Some("Other#123"),
            is_common: &is_common,
        };
        assert_eq!(
            check_password("Kx7#mPq2vL", &ctx),
            vec![PasswordRule::ConfirmationMismatch]
        );
    }

    #[test]
    fn sign_in_id_parts_are_split_at_punctuation_and_short_parts_are_ignored() {
        assert_eq!(
            sign_in_id_parts("Yamada.T@hc-01.example"),
            ["yamada.t@hc-01.example", "yamada", "example"]
        );
    }

    #[test]
    fn every_rule_has_a_japanese_message() {
        let rules = [
            PasswordRule::TooShort { min: 8, actual: 3 },
            PasswordRule::TooFewCharacterClasses { min: 3, actual: 1 },
            PasswordRule::DisallowedCharacter { character: 'あ' },
            PasswordRule::CommonPassword,
            PasswordRule::ContainsSignInId {
                part: "yamada".into(),
            },
            PasswordRule::SameAsCurrent,
            PasswordRule::ConfirmationMismatch,
        ];
        for r in rules {
            assert!(r.message_ja().chars().any(|c| c > '\u{3000}'), "{r:?}");
        }
    }
}
