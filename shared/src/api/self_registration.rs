//! Self-registration of positives (陽性者登録, issue 21): a person not notified individually (2022-09-26 to
//! 2023-05-07, [`crate::regime`]) registers on the public page `/register`; the prefecture's 健康フォローアップセンター or
//! the residence health center confirms (a patient record with health observation and a スマホ入力ID slip) or rejects
//! with a reason.
//!
//! The checks here run in the page as the person types and again at the edge ([`check`]). Every field of the body is
//! text, so a wrong value is a field's error, never a parse failure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::{age_years, furigana_key, phone_digits};
use crate::kana::{is_katakana_text, normalize_furigana};
use crate::notification::municipality::MunicipalityCode;
use crate::notification::phone::PhoneNumber;
use crate::notification::postal::PostalCode;
use crate::notification::validate::{IssueSeverity, IssueView};
use crate::regime;

/// The version of the consent text below; a registration stores the version the person agreed to, and the edge
/// refuses any other (a page left open across a change of the text must be reloaded).
pub const CONSENT_VERSION: &str = "2022-09-26.1";

/// The consent text shown above the form (version [`CONSENT_VERSION`]).
pub const CONSENT_TEXT: &[&str] = &[
    "この窓口では、医療機関で新型コロナウイルス感染症と診断された方、または国が承認した抗原定性検査キットで陽性となった方で、発生届の対象とならなかった方の登録を受け付けます。",
    "集める情報：氏名、フリガナ、生年月日、性別、電話番号、住所、陽性となった日と検査の種類（診断した医療機関名）。",
    "使う目的：療養中の健康観察（体調の確認）と、体調が悪化したときの相談・支援のためだけに使います。",
    "情報を見る人：お住まいの都道府県の健康フォローアップセンターと、お住まいの地域の保健所の担当者だけです。",
];

/// Registrations per address per hour (the edge's throttle; the 11th within the hour is answered 429).
pub const PER_ADDRESS_PER_HOUR: i64 = 10;

/// Longest accepted lengths (characters).
pub const NAME_MAX: usize = 60;
pub const ADDRESS_MAX: usize = 200;
pub const CLINIC_MAX: usize = 100;
pub const REASON_MAX: usize = 500;

/// The two kinds of positive result.
pub const RESULT_KINDS: &[(&str, &str)] = &[
    ("clinic_diagnosis", "医療機関で診断された"),
    (
        "antigen_kit",
        "抗原定性検査キットで陽性（国が承認したもの）",
    ),
];

/// The sexes as the record's ID管理 tab stores them.
pub const SEXES: &[&str] = &["男", "女"];

/// What the page sends (`POST /api/self-registrations`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SelfRegistration {
    /// The page's idempotency key (random, made once per form): a resend is stored once.
    pub client_key: String,
    /// The consent text's version the person agreed to ([`CONSENT_VERSION`]); empty: not agreed.
    pub consent_version: String,
    pub name: String,
    pub furigana: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// `男` or `女`.
    pub sex: String,
    pub phone: String,
    pub postal_code: String,
    /// The municipality the postal code means (chosen on the page when a code has several).
    pub municipality_code: String,
    pub address: String,
    /// `clinic_diagnosis` or `antigen_kit`.
    pub result_kind: String,
    /// `YYYY-MM-DD`: the day of the diagnosis or of the kit's positive result.
    pub result_date: String,
    /// For a clinic diagnosis: the clinic's name.
    pub clinic_name: String,
}

/// The answer to the anonymous page: the receipt number and nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub receipt: String,
}

/// One registration in the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationSummary {
    pub id: String,
    pub receipt: String,
    /// `pending`, `confirmed` or `rejected`.
    pub status: String,
    pub name: String,
    pub furigana: String,
    pub date_of_birth: String,
    pub result_kind: String,
    pub result_date: String,
    pub health_center_name: String,
    pub registered_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationList {
    pub items: Vec<RegistrationSummary>,
}

/// One registration opened by a reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationDetail {
    pub summary: RegistrationSummary,
    pub sex: String,
    pub phone: String,
    pub postal_code: String,
    pub address: String,
    pub municipality_code: String,
    pub clinic_name: String,
    pub consent_version: String,
    pub decided_by_name: String,
    pub decided_at: Option<i64>,
    pub reject_reason: String,
    /// The patient record a confirmation made or found.
    pub case_id: Option<String>,
    /// A live record of the same person (furigana, birth date, phone) already in the area: confirming links to it.
    pub existing_case: bool,
}

/// `POST /api/self-registrations/{id}/reject`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reject {
    pub reason: String,
}

/// The answer to a confirmation: what the slip needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmed {
    pub case_id: String,
    /// True when the registration was linked to an existing record of the same person instead of making one.
    pub linked: bool,
    pub smartphone_id: String,
    pub observation_started_on: String,
    pub observation_ends_on: String,
    pub health_center_name: String,
}

/// The key that finds the same person registering twice: furigana key, birth date, phone digits, result date.
pub fn dedupe_key(r: &SelfRegistration) -> String {
    format!(
        "{}|{}|{}|{}",
        furigana_key(&r.furigana),
        r.date_of_birth.trim(),
        phone_digits(&r.phone),
        r.result_date.trim()
    )
}

/// A well-formed idempotency key: 16 to 64 of `A-Za-z0-9_-`.
pub fn client_key_ok(key: &str) -> bool {
    (16..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `YYYY-MM-DD` as a date (parsed by hand: chrono's format parser would weigh on the phone's page).
pub fn day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

fn issue(field: &str, code: &str, message: &str) -> IssueView {
    IssueView {
        severity: IssueSeverity::Error,
        code: code.into(),
        field: field.into(),
        message: message.into(),
    }
}

fn plain_text_ok(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// Every problem of a registration on `today` (JST), each naming its field with a Japanese message. Empty: it may
/// be stored. The furigana is judged after [`normalize_furigana`].
pub fn check(r: &SelfRegistration, today: NaiveDate) -> Vec<IssueView> {
    let mut out = Vec::new();
    if !client_key_ok(&r.client_key) {
        out.push(issue(
            "client_key",
            "client_key_invalid",
            "送信キーが正しくありません。ページを開き直してください。",
        ));
    }
    if r.consent_version != CONSENT_VERSION {
        out.push(issue(
            "consent_version",
            "consent_required",
            "同意事項を確認し、「上記に同意して登録します」にチェックしてください。",
        ));
    }
    let name = r.name.trim();
    if name.is_empty() {
        out.push(issue("name", "required", "氏名を入力してください。"));
    } else if name.chars().count() > NAME_MAX || !plain_text_ok(name) {
        out.push(issue(
            "name",
            "too_long",
            "氏名は60文字以内で入力してください。",
        ));
    }
    let kana = normalize_furigana(&r.furigana);
    if kana.is_empty() {
        out.push(issue(
            "furigana",
            "required",
            "フリガナを入力してください。",
        ));
    } else if !is_katakana_text(&kana) {
        out.push(issue(
            "furigana",
            "not_katakana",
            "フリガナはカタカナ（またはひらがな）で入力してください。",
        ));
    } else if kana.chars().count() > NAME_MAX {
        out.push(issue(
            "furigana",
            "too_long",
            "フリガナは60文字以内で入力してください。",
        ));
    }
    let birth = day(&r.date_of_birth);
    match birth {
        _ if r.date_of_birth.trim().is_empty() => out.push(issue(
            "date_of_birth",
            "required",
            "生年月日を入力してください。",
        )),
        None => out.push(issue(
            "date_of_birth",
            "not_a_date",
            "生年月日は 年-月-日 の日付で入力してください。",
        )),
        Some(b) if b > today => out.push(issue(
            "date_of_birth",
            "future",
            "生年月日に未来の日付は入力できません。",
        )),
        Some(b) if age_years(b, today).is_none_or(|a| a > 120) => out.push(issue(
            "date_of_birth",
            "out_of_range",
            "生年月日を確認してください（120歳を超えています）。",
        )),
        Some(_) => {}
    }
    if !SEXES.contains(&r.sex.as_str()) {
        out.push(issue("sex", "required", "性別を選んでください。"));
    }
    if r.phone.trim().is_empty() {
        out.push(issue("phone", "required", "電話番号を入力してください。"));
    } else if PhoneNumber::parse(&r.phone).is_err() {
        out.push(issue(
            "phone",
            "invalid",
            "電話番号を確認してください（例：090-1234-5678）。",
        ));
    }
    if r.postal_code.trim().is_empty() {
        out.push(issue(
            "postal_code",
            "required",
            "郵便番号を入力してください。",
        ));
    } else if PostalCode::parse(&r.postal_code).is_err() {
        out.push(issue(
            "postal_code",
            "invalid",
            "郵便番号は7桁の数字で入力してください（例：160-0022）。",
        ));
    } else if MunicipalityCode::parse(&r.municipality_code).is_err() {
        out.push(issue(
            "municipality_code",
            "required",
            "郵便番号から住所（市区町村）を選んでください。",
        ));
    }
    let address = r.address.trim();
    if address.is_empty() {
        out.push(issue("address", "required", "住所を入力してください。"));
    } else if address.chars().count() > ADDRESS_MAX || !plain_text_ok(address) {
        out.push(issue(
            "address",
            "too_long",
            "住所は200文字以内で入力してください。",
        ));
    }
    let kind = r.result_kind.as_str();
    if !RESULT_KINDS.iter().any(|(k, _)| *k == kind) {
        out.push(issue(
            "result_kind",
            "required",
            "陽性となった検査の種類を選んでください。",
        ));
    }
    if kind == "clinic_diagnosis" {
        let clinic = r.clinic_name.trim();
        if clinic.is_empty() {
            out.push(issue(
                "clinic_name",
                "required",
                "診断した医療機関の名前を入力してください。",
            ));
        } else if clinic.chars().count() > CLINIC_MAX || !plain_text_ok(clinic) {
            out.push(issue(
                "clinic_name",
                "too_long",
                "医療機関の名前は100文字以内で入力してください。",
            ));
        }
    }
    match day(&r.result_date) {
        _ if r.result_date.trim().is_empty() => out.push(issue(
            "result_date",
            "required",
            "陽性となった日を入力してください。",
        )),
        None => out.push(issue(
            "result_date",
            "not_a_date",
            "陽性となった日は 年-月-日 の日付で入力してください。",
        )),
        Some(d) if d > today => out.push(issue(
            "result_date",
            "future",
            "陽性となった日に未来の日付は入力できません。",
        )),
        Some(d) if birth.is_some_and(|b| b <= today && d < b) => out.push(issue(
            "result_date",
            "before_birth",
            "陽性となった日が生年月日より前になっています。",
        )),
        Some(d) if !regime::for_date(d).self_registration => out.push(issue(
            "result_date",
            "outside_regime",
            "この窓口で登録できるのは、2022年9月26日から2023年5月7日までに陽性となった方です。",
        )),
        Some(_) => {}
    }
    out
}

/// The stored form of a registration: trimmed, furigana normalised, phone and postal code as digits, the clinic's
/// name only for a clinic diagnosis. Call after [`check`] found nothing.
pub fn normalized(r: &SelfRegistration) -> SelfRegistration {
    SelfRegistration {
        client_key: r.client_key.clone(),
        consent_version: r.consent_version.clone(),
        name: r.name.trim().to_owned(),
        furigana: normalize_furigana(&r.furigana),
        date_of_birth: r.date_of_birth.trim().to_owned(),
        sex: r.sex.clone(),
        phone: PhoneNumber::parse(&r.phone)
            .map(|p| p.digits().to_owned())
            .unwrap_or_else(|_| phone_digits(&r.phone)),
        postal_code: PostalCode::parse(&r.postal_code)
            .map(|p| p.digits().to_owned())
            .unwrap_or_default(),
        municipality_code: MunicipalityCode::parse(&r.municipality_code)
            .map(|m| m.code6().to_owned())
            .unwrap_or_default(),
        address: r.address.trim().to_owned(),
        result_kind: r.result_kind.clone(),
        result_date: r.result_date.trim().to_owned(),
        clinic_name: if r.result_kind == "clinic_diagnosis" {
            r.clinic_name.trim().to_owned()
        } else {
            String::new()
        },
    }
}

/// The Japanese label of a result kind.
pub fn result_kind_label(kind: &str) -> &'static str {
    RESULT_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("", |(_, l)| l)
}

/// The Japanese label of a status.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "確認待ち",
        "confirmed" => "登録済み",
        "rejected" => "却下",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 10, 3).unwrap()
    }

    pub fn valid() -> SelfRegistration {
        SelfRegistration {
            client_key: "k".repeat(20),
            consent_version: CONSENT_VERSION.into(),
            name: "山田 花子".into(),
            furigana: "やまだ　はなこ".into(),
            date_of_birth: "1998-04-01".into(),
            sex: "女".into(),
            phone: "090-1234-5678".into(),
            postal_code: "160-0022".into(),
            municipality_code: "131041".into(),
            address: "東京都新宿区新宿1-1-1".into(),
            result_kind: "antigen_kit".into(),
            result_date: "2022-10-02".into(),
            clinic_name: String::new(),
        }
    }

    fn fields(r: &SelfRegistration, today: NaiveDate) -> Vec<String> {
        check(r, today).into_iter().map(|i| i.field).collect()
    }

    #[test]
    fn a_valid_registration_passes_and_is_normalised() {
        assert!(
            check(&valid(), today()).is_empty(),
            "{:?}",
            check(&valid(), today())
        );
        let n = normalized(&valid());
        assert_eq!(n.furigana, "ヤマダ　ハナコ");
        assert_eq!(n.phone, "09012345678");
        assert_eq!(n.postal_code, "1600022");
    }

    #[test]
    fn every_field_is_refused_by_name() {
        type Change = Box<dyn Fn(&mut SelfRegistration)>;
        let cases: Vec<(&str, Change)> = vec![
            ("client_key", Box::new(|r| r.client_key = "x".into())),
            ("consent_version", Box::new(|r| r.consent_version.clear())),
            ("name", Box::new(|r| r.name = " ".into())),
            ("name", Box::new(|r| r.name = "あ".repeat(61))),
            ("furigana", Box::new(|r| r.furigana = "Yamada".into())),
            (
                "date_of_birth",
                Box::new(|r| r.date_of_birth = "1998/04/01".into()),
            ),
            (
                "date_of_birth",
                Box::new(|r| r.date_of_birth = "2022-10-04".into()),
            ),
            (
                "date_of_birth",
                Box::new(|r| r.date_of_birth = "1890-01-01".into()),
            ),
            ("sex", Box::new(|r| r.sex = "x".into())),
            ("phone", Box::new(|r| r.phone = "12".into())),
            (
                "postal_code",
                Box::new(|r| r.postal_code = "16-0022".into()),
            ),
            (
                "municipality_code",
                Box::new(|r| r.municipality_code = "131040".into()),
            ),
            ("address", Box::new(|r| r.address.clear())),
            ("result_kind", Box::new(|r| r.result_kind = "pcr".into())),
            (
                "clinic_name",
                Box::new(|r| r.result_kind = "clinic_diagnosis".into()),
            ),
            (
                "result_date",
                Box::new(|r| r.result_date = "2022-09-25".into()),
            ),
            (
                "result_date",
                Box::new(|r| r.result_date = "2022-10-04".into()),
            ),
            (
                "result_date",
                Box::new(|r| r.result_date = "yesterday".into()),
            ),
        ];
        for (field, change) in cases {
            let mut r = valid();
            change(&mut r);
            assert_eq!(fields(&r, today()), [field], "{field}");
        }
        // Before birth.
        let mut r = valid();
        r.date_of_birth = "2022-10-02".into();
        r.result_date = "2022-10-01".into();
        assert_eq!(fields(&r, today()), ["result_date"]);
    }

    #[test]
    fn the_result_date_must_fall_in_the_limited_regime() {
        let late = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for (d, ok) in [
            ("2022-09-25", false),
            ("2022-09-26", true),
            ("2023-05-07", true),
            ("2023-05-08", false),
        ] {
            let mut r = valid();
            r.result_date = d.into();
            assert_eq!(check(&r, late).is_empty(), ok, "{d}");
        }
    }

    #[test]
    fn the_same_person_meets_in_any_kana_and_phone_spelling() {
        let mut other = valid();
        other.furigana = "ﾔﾏﾀﾞ ﾊﾅｺ".into();
        other.phone = "09012345678".into();
        other.client_key = "z".repeat(20);
        assert_eq!(dedupe_key(&valid()), dedupe_key(&other));
    }
}
