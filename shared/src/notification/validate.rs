//! The form's rules: errors (the notification cannot be filed) and warnings (the manual's alerts; filing is
//! allowed), each a precise variant with the field it belongs to, a stable snake_case code, and its Japanese
//! message — written here and nowhere else. The same code runs in the browser and, as the authority, at the edge.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dates::{age_of_majority, age_on, is_minor};
use super::field::{AbroadPart, AddressPart, DomesticPart, DosePart, Field, Place, TestPart};
use super::model::{Address, AgeAtDiagnosis, Form20211129, TargetGroup, MAX_TESTS};
use super::municipality::{is_prefecture, MunicipalityCode, MunicipalityCodeError};
use super::options::{
    CaseCategory, DiagnosticMethod, Severity, Sex, Specimen, TestResult, VaccinationStatus, YesNo,
};
use super::phone::{PhoneError, PhoneNumber};
use super::postal::{PostalCode, PostalMunicipality};
use super::version::{FormVersion, Notification};
use crate::kana::is_katakana_text;

/// Longest names (doctor, patient, guardian, facility) in characters.
pub const MAX_NAME: usize = 100;
/// Longest addresses.
pub const MAX_ADDRESS: usize = 200;
/// Longest free texts (その他, occupation, infection details).
pub const MAX_TEXT: usize = 500;
/// Oldest plausible age at any date on the form.
pub const MAX_AGE: u32 = 125;

/// No COVID-19 event can precede this day (the first cases were reported in December 2019).
pub fn pandemic_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 12, 1).unwrap_or(NaiveDate::MIN)
}

/// A rule broken: the notification cannot be filed until it is fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ValidationError {
    /// A field every notification (or this 類型) needs.
    Required {
        field: Field,
    },
    /// Item 16 （＊）: onset only for 患者（確定例）.
    OnsetDateOnlyForConfirmedPatient,
    /// Item 17 （※）: death only for the two 死体 categories.
    DeathDateOnlyForBodies,
    /// 「疑似症患者について、当該者が入院を要しないと認められる場合は、本発生届の提出は不要。」
    SuspectedPatientNotNeedingAdmission,
    /// 患者（確定例）, 無症状病原体保有者 and 感染症死亡者の死体 are confirmed by a positive test.
    PositiveTestRequired {
        category: CaseCategory,
    },
    /// 無症状病原体保有者 with symptoms ticked.
    SymptomsForAsymptomaticCarrier,
    DateInFuture {
        field: Field,
    },
    DateBeforeBirth {
        field: Field,
    },
    DateBeforePandemic {
        field: Field,
    },
    /// `field`'s date precedes `must_not_precede`'s, against the order of events.
    DateOrder {
        field: Field,
        must_not_precede: Field,
    },
    ImplausibleDateOfBirth,
    /// Item 5 does not match the age computed from 4 and 14.
    AgeMismatch {
        entered: AgeAtDiagnosis,
        years: u32,
        months: u32,
    },
    /// Item 5: months only for 0 years (「0歳は月齢」), and 0–11.
    AgeMonthsOnlyUnderOne,
    AgeMonthsOutOfRange {
        months: u8,
    },
    /// Items 9–10 for a minor.
    GuardianRequiredForMinor {
        majority: u32,
    },
    /// Items 9–10 「患者が未成年の場合のみ記入」.
    GuardianOnlyForMinors {
        field: Field,
        majority: u32,
    },
    InvalidPhone {
        field: Field,
        reason: PhoneError,
    },
    InvalidPostalCode {
        field: Field,
    },
    InvalidMunicipalityCode {
        field: Field,
        reason: MunicipalityCodeError,
    },
    /// The municipality code is none of those the postal code may mean (the address was corrected after the
    /// postal code filled it, or another municipality was chosen): routing would follow the wrong residence.
    MunicipalityNotForPostalCode {
        field: Field,
        postal_code: String,
        /// 「大阪府三島郡島本町」 for each municipality the postal code may mean.
        places: Vec<String>,
    },
    /// Item 8 marked 「当該者住所と同様」 yet filled in.
    CurrentLocationGivenWithSameAsAddress,
    FuriganaNotKatakana,
    /// 症状なし together with a symptom.
    NoSymptomsWithSymptoms,
    Spo2OutOfRange {
        value: u8,
    },
    /// その他 ticked without its text (symptom, specimen, risk factor).
    OtherTextMissing {
        field: Field,
    },
    /// Specimen text without 検体 その他.
    SpecimenOtherWithoutOther {
        index: usize,
    },
    TooManyTests {
        max: usize,
    },
    SpecimenNotForMethod {
        index: usize,
        method: DiagnosticMethod,
        specimen: Specimen,
    },
    /// Manual 4.2: 結果 「その他」 is for a 疑似症患者's unknown result (and, by the same logic, a suspected body's).
    ResultOtherOnlyForSuspected {
        index: usize,
    },
    /// 入院年月日 / 入院先 while 届出時点の入院 is not 有 (「入院例のみ」).
    AdmissionOnlyWhenHospitalised {
        field: Field,
    },
    /// Risk factors listed while 有無 is not 有 (「※有の場合は、以下から選択」).
    RiskFactorsOnlyWhenPresent,
    /// 有 without any risk factor selected.
    RiskFactorsNotSelected,
    PregnantMale,
    /// A dose's age, vaccine or date while its status is not 有.
    VaccineDetailsWithoutVaccination {
        dose: usize,
    },
    /// A later dose 有 while an earlier one is 無.
    VaccineDoseAfterNone {
        dose: usize,
    },
    /// Both a value and 不明 (vaccine type/maker, or date).
    VaccineValueAndUnknown {
        field: Field,
    },
    VaccineAgeMismatch {
        dose: usize,
        entered: u16,
        computed: u32,
    },
    /// 確定・推定 chosen for 18 ① or ② with nothing under it.
    CertaintyWithoutEntries {
        field: Field,
    },
    UnknownPrefecture {
        index: usize,
    },
    /// 渡航期間 without a 国外 area.
    TravelWithoutAbroadArea {
        field: Field,
    },
    TextTooLong {
        field: Field,
        max: usize,
    },
    /// Control characters and bidirectional overrides are refused in every text.
    TextForbiddenCharacter {
        field: Field,
    },
    /// The form revision is not the one of the regime of the notification's own date (diagnosis date, else report
    /// date): `field` is that date.
    FormVersionNotForDate {
        field: Field,
        version: FormVersion,
        expected: FormVersion,
    },
    /// An edit of a filed notification on another revision than the one it was filed on (the edge's check).
    FormVersionChanged {
        stored: FormVersion,
    },
    /// 届出の対象 ticked on a form that has no such item (2021-11-29).
    TargetGroupsOnlyOnLimitedForm,
    /// The limited form (2022-09-26) with no group ticked and no body examined: the case is not notified
    /// individually but counted in the clinic's daily totals.
    NotNotifiable,
    /// Group (1) ticked while the age on the diagnosis date is under 65 (or unknown).
    TargetGroupAgeUnder65,
    /// Group (1) not ticked although the patient is 65 or older on the diagnosis date.
    TargetGroupAged65Unticked {
        years: u32,
    },
    /// Group (4) for a male patient or outside the ages it applies to.
    TargetGroupPregnantNotApplicable,
}

/// Something the manual alerts the user to, without preventing filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ValidationWarning {
    /// A recommended field is blank (manual 4.2, step 4: blanks raise an alert).
    Recommended { field: Field },
    /// 「この届出は診断後直ちに行ってください」: reported days after diagnosis.
    ReportNotImmediate { days: i64 },
    /// 軽症 with SpO₂ below 96 % (診療の手引き: 軽症 is SpO₂ ≥ 96 %).
    SeverityMildWithLowSpo2 { value: u8 },
    /// A test without a result date to order it by.
    SpecimenDateMissing { index: usize },
}

impl ValidationError {
    /// The stable code (the same text serde writes in `"code"`).
    pub fn code(&self) -> &'static str {
        match self {
            ValidationError::Required { .. } => "required",
            ValidationError::OnsetDateOnlyForConfirmedPatient => {
                "onset_date_only_for_confirmed_patient"
            }
            ValidationError::DeathDateOnlyForBodies => "death_date_only_for_bodies",
            ValidationError::SuspectedPatientNotNeedingAdmission => {
                "suspected_patient_not_needing_admission"
            }
            ValidationError::PositiveTestRequired { .. } => "positive_test_required",
            ValidationError::SymptomsForAsymptomaticCarrier => "symptoms_for_asymptomatic_carrier",
            ValidationError::DateInFuture { .. } => "date_in_future",
            ValidationError::DateBeforeBirth { .. } => "date_before_birth",
            ValidationError::DateBeforePandemic { .. } => "date_before_pandemic",
            ValidationError::DateOrder { .. } => "date_order",
            ValidationError::ImplausibleDateOfBirth => "implausible_date_of_birth",
            ValidationError::AgeMismatch { .. } => "age_mismatch",
            ValidationError::AgeMonthsOnlyUnderOne => "age_months_only_under_one",
            ValidationError::AgeMonthsOutOfRange { .. } => "age_months_out_of_range",
            ValidationError::GuardianRequiredForMinor { .. } => "guardian_required_for_minor",
            ValidationError::GuardianOnlyForMinors { .. } => "guardian_only_for_minors",
            ValidationError::InvalidPhone { .. } => "invalid_phone",
            ValidationError::InvalidPostalCode { .. } => "invalid_postal_code",
            ValidationError::InvalidMunicipalityCode { .. } => "invalid_municipality_code",
            ValidationError::MunicipalityNotForPostalCode { .. } => {
                "municipality_not_for_postal_code"
            }
            ValidationError::CurrentLocationGivenWithSameAsAddress => {
                "current_location_given_with_same_as_address"
            }
            ValidationError::FuriganaNotKatakana => "furigana_not_katakana",
            ValidationError::NoSymptomsWithSymptoms => "no_symptoms_with_symptoms",
            ValidationError::Spo2OutOfRange { .. } => "spo2_out_of_range",
            ValidationError::OtherTextMissing { .. } => "other_text_missing",
            ValidationError::SpecimenOtherWithoutOther { .. } => "specimen_other_without_other",
            ValidationError::TooManyTests { .. } => "too_many_tests",
            ValidationError::SpecimenNotForMethod { .. } => "specimen_not_for_method",
            ValidationError::ResultOtherOnlyForSuspected { .. } => {
                "result_other_only_for_suspected"
            }
            ValidationError::AdmissionOnlyWhenHospitalised { .. } => {
                "admission_only_when_hospitalised"
            }
            ValidationError::RiskFactorsOnlyWhenPresent => "risk_factors_only_when_present",
            ValidationError::RiskFactorsNotSelected => "risk_factors_not_selected",
            ValidationError::PregnantMale => "pregnant_male",
            ValidationError::VaccineDetailsWithoutVaccination { .. } => {
                "vaccine_details_without_vaccination"
            }
            ValidationError::VaccineDoseAfterNone { .. } => "vaccine_dose_after_none",
            ValidationError::VaccineValueAndUnknown { .. } => "vaccine_value_and_unknown",
            ValidationError::VaccineAgeMismatch { .. } => "vaccine_age_mismatch",
            ValidationError::CertaintyWithoutEntries { .. } => "certainty_without_entries",
            ValidationError::UnknownPrefecture { .. } => "unknown_prefecture",
            ValidationError::TravelWithoutAbroadArea { .. } => "travel_without_abroad_area",
            ValidationError::TextTooLong { .. } => "text_too_long",
            ValidationError::TextForbiddenCharacter { .. } => "text_forbidden_character",
            ValidationError::FormVersionNotForDate { .. } => "form_version_not_for_date",
            ValidationError::FormVersionChanged { .. } => "form_version_changed",
            ValidationError::TargetGroupsOnlyOnLimitedForm => "target_groups_only_on_limited_form",
            ValidationError::NotNotifiable => "not_notifiable",
            ValidationError::TargetGroupAgeUnder65 => "target_group_age_under_65",
            ValidationError::TargetGroupAged65Unticked { .. } => "target_group_aged_65_unticked",
            ValidationError::TargetGroupPregnantNotApplicable => {
                "target_group_pregnant_not_applicable"
            }
        }
    }

    /// The field the error belongs to (the screen puts the message there).
    pub fn field(&self) -> Field {
        match self {
            ValidationError::Required { field }
            | ValidationError::DateInFuture { field }
            | ValidationError::DateBeforeBirth { field }
            | ValidationError::DateBeforePandemic { field }
            | ValidationError::DateOrder { field, .. }
            | ValidationError::GuardianOnlyForMinors { field, .. }
            | ValidationError::InvalidPhone { field, .. }
            | ValidationError::InvalidPostalCode { field }
            | ValidationError::InvalidMunicipalityCode { field, .. }
            | ValidationError::MunicipalityNotForPostalCode { field, .. }
            | ValidationError::OtherTextMissing { field }
            | ValidationError::AdmissionOnlyWhenHospitalised { field }
            | ValidationError::VaccineValueAndUnknown { field }
            | ValidationError::CertaintyWithoutEntries { field }
            | ValidationError::TravelWithoutAbroadArea { field }
            | ValidationError::TextTooLong { field, .. }
            | ValidationError::TextForbiddenCharacter { field }
            | ValidationError::FormVersionNotForDate { field, .. } => *field,
            ValidationError::FormVersionChanged { .. } => Field::DiagnosisDate,
            ValidationError::TargetGroupsOnlyOnLimitedForm | ValidationError::NotNotifiable => {
                Field::TargetGroups
            }
            ValidationError::TargetGroupAgeUnder65
            | ValidationError::TargetGroupAged65Unticked { .. } => {
                Field::TargetGroup(TargetGroup::Aged65OrOver)
            }
            ValidationError::TargetGroupPregnantNotApplicable => {
                Field::TargetGroup(TargetGroup::Pregnant)
            }
            ValidationError::OnsetDateOnlyForConfirmedPatient => Field::OnsetDate,
            ValidationError::DeathDateOnlyForBodies => Field::DeathDate,
            ValidationError::SuspectedPatientNotNeedingAdmission => Field::AdmissionNeeded,
            ValidationError::PositiveTestRequired { .. } => Field::Tests,
            ValidationError::SymptomsForAsymptomaticCarrier => Field::Symptoms,
            ValidationError::ImplausibleDateOfBirth => Field::DateOfBirth,
            ValidationError::AgeMismatch { .. }
            | ValidationError::AgeMonthsOnlyUnderOne
            | ValidationError::AgeMonthsOutOfRange { .. } => Field::AgeAtDiagnosis,
            ValidationError::GuardianRequiredForMinor { .. } => Field::GuardianName,
            ValidationError::CurrentLocationGivenWithSameAsAddress => {
                Field::CurrentLocationSameAsAddress
            }
            ValidationError::FuriganaNotKatakana => Field::Furigana,
            ValidationError::NoSymptomsWithSymptoms => Field::NoSymptoms,
            ValidationError::Spo2OutOfRange { .. } => Field::Spo2,
            ValidationError::SpecimenOtherWithoutOther { index } => {
                Field::Test(*index, TestPart::SpecimenOther)
            }
            ValidationError::TooManyTests { .. } => Field::Tests,
            ValidationError::SpecimenNotForMethod { index, .. } => {
                Field::Test(*index, TestPart::Specimen)
            }
            ValidationError::ResultOtherOnlyForSuspected { index } => {
                Field::Test(*index, TestPart::Result)
            }
            ValidationError::RiskFactorsOnlyWhenPresent
            | ValidationError::RiskFactorsNotSelected => Field::RiskFactors,
            ValidationError::PregnantMale => Field::Pregnant,
            ValidationError::VaccineDetailsWithoutVaccination { dose }
            | ValidationError::VaccineDoseAfterNone { dose } => {
                Field::Dose(*dose, DosePart::Status)
            }
            ValidationError::VaccineAgeMismatch { dose, .. } => Field::Dose(*dose, DosePart::Age),
            ValidationError::UnknownPrefecture { index } => {
                Field::Domestic(*index, DomesticPart::Prefecture)
            }
        }
    }

    /// The message shown to people.
    pub fn message_ja(&self) -> String {
        let label = self.field().label();
        match self {
            ValidationError::Required { .. } => format!("{label}を入力してください。"),
            ValidationError::OnsetDateOnlyForConfirmedPatient => {
                "発病年月日は、患者（確定例）の場合のみ記入してください。".to_owned()
            }
            ValidationError::DeathDateOnlyForBodies => {
                "死亡年月日は、死亡者を検案した場合（感染症死亡者の死体・感染症死亡疑い者の死体）のみ記入してください。".to_owned()
            }
            ValidationError::SuspectedPatientNotNeedingAdmission => {
                "疑似症患者について、入院を要しないと認められる場合は、発生届の提出は不要です。".to_owned()
            }
            ValidationError::PositiveTestRequired { category } => {
                format!("{}の届出には、結果が陽性の検査を1件以上入力してください。", category.label())
            }
            ValidationError::SymptomsForAsymptomaticCarrier => {
                "無症状病原体保有者には症状を入力できません。症状がある場合は類型を見直してください。".to_owned()
            }
            ValidationError::DateInFuture { .. } => format!("{label}に未来の日付は入力できません。"),
            ValidationError::DateBeforeBirth { .. } => format!("{label}が生年月日より前になっています。"),
            ValidationError::DateBeforePandemic { .. } => {
                format!("{label}が2019年12月より前になっています。日付を確認してください。")
            }
            ValidationError::DateOrder { must_not_precede, .. } => {
                format!("{label}が{}より前になっています。", must_not_precede.label())
            }
            ValidationError::ImplausibleDateOfBirth => {
                format!("生年月日を確認してください（{MAX_AGE}歳を超えています）。")
            }
            ValidationError::AgeMismatch { years, months, .. } => {
                if *years == 0 {
                    format!("診断時の年齢が生年月日と診断年月日から求めた年齢（0歳{months}か月）と一致しません。")
                } else {
                    format!("診断時の年齢が生年月日と診断年月日から求めた年齢（{years}歳）と一致しません。")
                }
            }
            ValidationError::AgeMonthsOnlyUnderOne => "月齢は0歳の場合のみ入力してください。".to_owned(),
            ValidationError::AgeMonthsOutOfRange { months } => {
                format!("月齢は0〜11の範囲で入力してください（{months}か月）。")
            }
            ValidationError::GuardianRequiredForMinor { majority } => {
                format!("患者が未成年（{majority}歳未満）のため、保護者氏名を入力してください。")
            }
            ValidationError::GuardianOnlyForMinors { majority, .. } => {
                format!("{label}は、患者が未成年（{majority}歳未満）の場合のみ記入してください。")
            }
            ValidationError::InvalidPhone { reason, .. } => {
                let why = match reason {
                    PhoneError::InvalidCharacter => "数字とハイフンのみで入力してください",
                    PhoneError::MissingLeadingZero => "市外局番または0から始まる番号を入力してください",
                    PhoneError::WrongLength => "桁数が正しくありません（固定電話は10桁、携帯電話は11桁）",
                    PhoneError::MisplacedSeparator => "ハイフンの位置が正しくありません",
                };
                format!("{label}の形式が正しくありません（{why}）。")
            }
            ValidationError::InvalidPostalCode { .. } => {
                format!("{label}は7桁の数字で入力してください（例：100-0001）。")
            }
            ValidationError::InvalidMunicipalityCode { reason, .. } => match reason {
                MunicipalityCodeError::CheckDigit { .. } => format!("{label}の検査数字が一致しません。"),
                MunicipalityCodeError::Malformed | MunicipalityCodeError::UnknownPrefecture => {
                    format!("{label}は6桁（または5桁）の数字で入力してください。")
                }
            },
            ValidationError::MunicipalityNotForPostalCode {
                postal_code,
                places,
                ..
            } => format!(
                "{label}が郵便番号 {postal_code} の市区町村（{}）のどれとも一致しません。郵便番号を入力し直して市区町村を選んでください。",
                places.join("・")
            ),
            ValidationError::CurrentLocationGivenWithSameAsAddress => {
                "「当該者住所と同様」を選んだ場合、当該者所在地は入力しないでください。".to_owned()
            }
            ValidationError::FuriganaNotKatakana => "フリガナはカタカナで入力してください。".to_owned(),
            ValidationError::NoSymptomsWithSymptoms => "「症状なし」と症状は同時に選択できません。".to_owned(),
            ValidationError::Spo2OutOfRange { value } => {
                format!("酸素飽和度は0〜100％の範囲で入力してください（{value}％）。")
            }
            ValidationError::OtherTextMissing { .. } => format!("{label}の内容を入力してください。"),
            ValidationError::SpecimenOtherWithoutOther { .. } => {
                format!("{label}は、検体で「その他」を選んだ場合のみ入力してください。")
            }
            ValidationError::TooManyTests { max } => format!("検査は{max}件まで入力できます。"),
            ValidationError::SpecimenNotForMethod { method, specimen, .. } => {
                format!("「{}」の検体に「{}」は選べません。", method.label(), specimen.label())
            }
            ValidationError::ResultOtherOnlyForSuspected { .. } => {
                format!("{label}の「その他」は、疑似症患者（感染症死亡疑い者の死体を含む）で検査結果が不明な場合のみ選べます。")
            }
            ValidationError::AdmissionOnlyWhenHospitalised { .. } => {
                format!("{label}は、届出時点の入院が「有」の場合のみ入力してください。")
            }
            ValidationError::RiskFactorsOnlyWhenPresent => {
                "重症化のリスク因子は、有無が「有」の場合のみ選択してください。".to_owned()
            }
            ValidationError::RiskFactorsNotSelected => {
                "重症化のリスク因子が「有」の場合は、該当する疾患等を選択してください。".to_owned()
            }
            ValidationError::PregnantMale => "性別が男の場合、妊娠「有」は選べません。".to_owned(),
            ValidationError::VaccineDetailsWithoutVaccination { dose } => format!(
                "ワクチン接種歴（{}回目）の年齢・種類・接種年月日は、接種「有」の場合のみ入力してください。",
                dose + 1
            ),
            ValidationError::VaccineDoseAfterNone { dose } => {
                format!("ワクチン接種歴：{}回目が「有」ですが、それ以前の回が「無」になっています。", dose + 1)
            }
            ValidationError::VaccineValueAndUnknown { .. } => {
                format!("{label}と「不明」は同時に選択できません。")
            }
            ValidationError::VaccineAgeMismatch { computed, .. } => {
                format!("{label}が生年月日と接種年月日から求めた年齢（{computed}歳）と一致しません。")
            }
            ValidationError::CertaintyWithoutEntries { .. } => {
                format!("{label}を選んだ場合は、該当する項目を入力してください。")
            }
            ValidationError::UnknownPrefecture { .. } => {
                format!("{label}は都道府県名（例：東京都）で入力してください。")
            }
            ValidationError::TravelWithoutAbroadArea { .. } => {
                format!("{label}は、感染地域に国外を入力した場合のみ入力してください。")
            }
            ValidationError::TextTooLong { max, .. } => format!("{label}は{max}文字以内で入力してください。"),
            ValidationError::TextForbiddenCharacter { .. } => {
                format!("{label}に使用できない文字（制御文字など）が含まれています。")
            }
            ValidationError::FormVersionNotForDate { expected, .. } => match expected {
                FormVersion::R20220926 => format!(
                    "{label}が2022年9月26日〜2023年5月7日のため、届出の対象を限定した発生届（2022年9月26日以降の様式）で届け出てください。"
                ),
                FormVersion::R20211129 => format!(
                    "{label}が2022年9月26日〜2023年5月7日ではないため、2021年11月29日の様式（全項目）で届け出てください。"
                ),
            },
            ValidationError::FormVersionChanged { stored } => format!(
                "届出済みの発生届の様式（{}）は変更できません。{label}を届出時の様式の期間内にしてください。",
                stored.as_str()
            ),
            ValidationError::TargetGroupsOnlyOnLimitedForm => {
                "届出の対象は、2022年9月26日以降の様式（診断年月日が2022年9月26日〜2023年5月7日）の場合のみ選べます。".to_owned()
            }
            ValidationError::NotNotifiable => {
                "届出の対象（65歳以上・入院を要する・重症化リスクがあり治療薬または酸素投与が必要・妊婦）のいずれにも当たらないため、この方は発生届の対象外です（2022年9月26日以降）。日次報告で人数を報告してください。".to_owned()
            }
            ValidationError::TargetGroupAgeUnder65 => {
                "「65歳以上の者」は、生年月日と診断年月日から求めた年齢が65歳以上の場合のみ選べます。".to_owned()
            }
            ValidationError::TargetGroupAged65Unticked { years } => format!(
                "診断時の年齢が{years}歳のため、届出の対象「65歳以上の者」を選んでください。"
            ),
            ValidationError::TargetGroupPregnantNotApplicable => format!(
                "「妊婦」は、性別が男でなく、診断時の年齢が{}〜{}歳の場合のみ選べます。",
                PREGNANCY_AGES.0, PREGNANCY_AGES.1
            ),
        }
    }
}

impl ValidationWarning {
    pub fn code(&self) -> &'static str {
        match self {
            ValidationWarning::Recommended { .. } => "recommended",
            ValidationWarning::ReportNotImmediate { .. } => "report_not_immediate",
            ValidationWarning::SeverityMildWithLowSpo2 { .. } => "severity_mild_with_low_spo2",
            ValidationWarning::SpecimenDateMissing { .. } => "specimen_date_missing",
        }
    }

    pub fn field(&self) -> Field {
        match self {
            ValidationWarning::Recommended { field } => *field,
            ValidationWarning::ReportNotImmediate { .. } => Field::ReportDate,
            ValidationWarning::SeverityMildWithLowSpo2 { .. } => Field::Severity,
            ValidationWarning::SpecimenDateMissing { index } => {
                Field::Test(*index, TestPart::SpecimenDate)
            }
        }
    }

    pub fn message_ja(&self) -> String {
        let label = self.field().label();
        match self {
            ValidationWarning::Recommended { .. } => format!("{label}が空欄です。可能な限り入力してください。"),
            ValidationWarning::ReportNotImmediate { days } => {
                format!("診断から{days}日経過しています。発生届は診断後直ちに提出してください。")
            }
            ValidationWarning::SeverityMildWithLowSpo2 { value } => format!(
                "酸素飽和度が{value}％です。重症度「軽症」はSpO₂ 96％以上が目安です（診療の手引き）。重症度を確認してください。"
            ),
            ValidationWarning::SpecimenDateMissing { .. } => format!("{label}が空欄です。"),
        }
    }
}

/// One finding in the shape the API sends and the screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueView {
    /// `error` or `warning`.
    pub severity: IssueSeverity,
    pub code: String,
    /// The field's path in the model.
    pub field: String,
    pub message: String,
}

/// Error (blocks filing) or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueSeverity {
    Error,
    Warning,
}

/// Everything validation found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub errors: Vec<ValidationError>,
    pub warnings: Vec<ValidationWarning>,
}

impl Report {
    /// No errors: the notification may be filed (warnings are confirmed by the user).
    pub fn is_fileable(&self) -> bool {
        self.errors.is_empty()
    }

    /// Errors, then warnings, with their messages.
    pub fn views(&self) -> Vec<IssueView> {
        let errors = self.errors.iter().map(|e| IssueView {
            severity: IssueSeverity::Error,
            code: e.code().to_owned(),
            field: e.field().path(),
            message: e.message_ja(),
        });
        let warnings = self.warnings.iter().map(|w| IssueView {
            severity: IssueSeverity::Warning,
            code: w.code().to_owned(),
            field: w.field().path(),
            message: w.message_ja(),
        });
        errors.chain(warnings).collect()
    }

    /// Whether some error is of this code (tests and the screen).
    pub fn has_error(&self, code: &str) -> bool {
        self.errors.iter().any(|e| e.code() == code)
    }

    pub fn has_warning(&self, code: &str) -> bool {
        self.warnings.iter().any(|w| w.code() == code)
    }
}

/// Validates a notification of any revision. `today` is the date at the place of filing (JST), passed in: nothing
/// here reads a clock.
pub fn validate(notification: &Notification, today: NaiveDate) -> Report {
    validate_form(notification.version(), notification.form(), today)
}

/// The rules of `version` over a body: every item's rules (shared by both revisions), then the revision's own:
/// the revision must be the one of the regime of the notification's date, and the limited form's groups.
pub fn validate_form(version: FormVersion, form: &Form20211129, today: NaiveDate) -> Report {
    let mut report = validate_20211129(form, today);
    regime_rules(version, form, &mut report.errors);
    report
}

/// The regime's rules ([`crate::regime`]): which revision the notification's own date asks for, and on the
/// limited form, 届出の対象.
fn regime_rules(version: FormVersion, form: &Form20211129, errors: &mut Vec<ValidationError>) {
    let dated = form
        .diagnosis_date
        .map(|d| (Field::DiagnosisDate, d))
        .or(form.report_date.map(|d| (Field::ReportDate, d)));
    if let Some((field, day)) = dated {
        let expected = FormVersion::for_date(day);
        if expected != version {
            errors.push(ValidationError::FormVersionNotForDate {
                field,
                version,
                expected,
            });
        }
    }
    let groups = &form.target_groups;
    if !version.has_target_groups() {
        if !groups.is_empty() {
            errors.push(ValidationError::TargetGroupsOnlyOnLimitedForm);
        }
        return;
    }
    let years = years_at_diagnosis(form);
    let body = form.category.is_some_and(CaseCategory::is_body);
    if groups.aged_65_or_over && years.is_none_or(|y| y < 65) {
        errors.push(ValidationError::TargetGroupAgeUnder65);
    }
    if groups.pregnant && !pregnancy_group_applies(form) {
        errors.push(ValidationError::TargetGroupPregnantNotApplicable);
    }
    match years {
        Some(y) if y >= 65 && !groups.aged_65_or_over && !body => {
            errors.push(ValidationError::TargetGroupAged65Unticked { years: y });
        }
        _ if groups.is_empty() && !body => errors.push(ValidationError::NotNotifiable),
        _ => {}
    }
}

/// Ages (whole years on the diagnosis date) at which group (4) 妊婦 applies: the form shows it, and the edge
/// accepts it, only for a patient who is not male and whose age is in this range (or unknown). The range is wide
/// on purpose (Japan's vital statistics record births to mothers under 15 and over 50): it hides the choice where
/// it cannot be meant, never refuses a real pregnancy.
pub const PREGNANCY_AGES: (u32, u32) = (10, 60);

/// The age in whole years on the diagnosis date (report date if none), from the birth date.
pub fn years_at_diagnosis(form: &Form20211129) -> Option<u32> {
    let birth = form.patient.date_of_birth?;
    let on = form.diagnosis_date.or(form.report_date)?;
    age_on(birth, on).map(|a| a.years)
}

/// Whether group (4) 妊婦 may be chosen: not a male patient, and an age in [`PREGNANCY_AGES`] (or not yet known).
pub fn pregnancy_group_applies(form: &Form20211129) -> bool {
    form.patient.sex != Some(Sex::Male)
        && years_at_diagnosis(form)
            .is_none_or(|y| (PREGNANCY_AGES.0..=PREGNANCY_AGES.1).contains(&y))
}

/// The addresses of a notification that carry a postal code: where the edge checks the municipality code against
/// the postal data ([`postal_mismatches`]).
pub fn postal_addresses(notification: &Notification) -> Vec<(Place, &Address, PostalCode)> {
    let f = notification.form();
    let mut places = vec![(Place::Patient, &f.patient.address)];
    if !f.patient.current_location_same_as_address {
        places.push((Place::CurrentLocation, &f.patient.current_location));
    }
    places.push((Place::Guardian, &f.guardian.address));
    places
        .into_iter()
        .filter_map(|(place, a)| {
            PostalCode::parse(&a.postal_code)
                .ok()
                .map(|code| (place, a, code))
        })
        .collect()
}

/// Addresses whose municipality code is not one their postal code may mean. `municipalities` answers the
/// municipalities of a postal code, empty when the postal data does not know it (then nothing can be checked). A
/// blank municipality code is not checked (it routes nowhere), nor a malformed one (its own error).
pub fn postal_mismatches(
    notification: &Notification,
    municipalities: impl Fn(&PostalCode) -> Vec<PostalMunicipality>,
) -> Vec<ValidationError> {
    let mut out = Vec::new();
    for (place, address, code) in postal_addresses(notification) {
        // A malformed code is already `invalid_municipality_code`.
        let Ok(given) = MunicipalityCode::parse(address.municipality_code.trim()) else {
            continue;
        };
        let choices = municipalities(&code);
        if choices.is_empty() {
            continue;
        }
        if !choices.iter().any(|c| c.municipality_code == given) {
            out.push(ValidationError::MunicipalityNotForPostalCode {
                field: Field::Address(place, AddressPart::MunicipalityCode),
                postal_code: code.to_string(),
                places: choices.iter().map(PostalMunicipality::place).collect(),
            });
        }
    }
    out
}

/// The rules of the 2021-11-29 form's items (both revisions have them; [`validate_form`] adds the revision's own).
pub fn validate_20211129(form: &Form20211129, today: NaiveDate) -> Report {
    let mut v = Validator {
        form,
        today,
        report: Report::default(),
    };
    v.texts();
    v.required();
    v.category_rules();
    v.dates();
    v.age();
    v.guardian();
    v.addresses();
    v.furigana();
    v.symptoms();
    v.tests();
    v.infection();
    v.vaccination();
    v.other_matters();
    v.report
}

struct Validator<'a> {
    form: &'a Form20211129,
    today: NaiveDate,
    report: Report,
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Control characters (tab, CR and LF included: every field is one line) and bidirectional overrides/isolates.
fn forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

impl Validator<'_> {
    fn error(&mut self, e: ValidationError) {
        self.report.errors.push(e);
    }

    fn warn(&mut self, w: ValidationWarning) {
        self.report.warnings.push(w);
    }

    fn text(&mut self, field: Field, value: &str, max: usize) {
        if value.chars().count() > max {
            self.error(ValidationError::TextTooLong { field, max });
        }
        if value.chars().any(forbidden_char) {
            self.error(ValidationError::TextForbiddenCharacter { field });
        }
    }

    fn texts(&mut self) {
        let f = self.form;
        let r = &f.reporter;
        self.text(Field::DoctorName, &r.doctor_name, MAX_NAME);
        self.text(Field::FacilityName, &r.facility_name, MAX_NAME);
        self.text(Field::FacilityAddress, &r.facility_address, MAX_ADDRESS);
        self.text(Field::FacilityPhone, &r.facility_phone, MAX_NAME);
        self.text(Field::PatientName, &f.patient.name, MAX_NAME);
        self.text(Field::Furigana, &f.patient.furigana, MAX_NAME);
        self.text(Field::Occupation, &f.patient.occupation, MAX_TEXT);
        self.text(Field::GuardianName, &f.guardian.name, MAX_NAME);
        for (place, address) in [
            (Place::Patient, &f.patient.address),
            (Place::CurrentLocation, &f.patient.current_location),
            (Place::Guardian, &f.guardian.address),
        ] {
            self.text(
                Field::Address(place, AddressPart::Text),
                &address.text,
                MAX_ADDRESS,
            );
            self.text(
                Field::Address(place, AddressPart::Phone),
                &address.phone,
                MAX_NAME,
            );
            self.text(
                Field::Address(place, AddressPart::PostalCode),
                &address.postal_code,
                MAX_NAME,
            );
            self.text(
                Field::Address(place, AddressPart::MunicipalityCode),
                &address.municipality_code,
                MAX_NAME,
            );
        }
        if let Some(other) = &f.symptoms.other {
            self.text(Field::SymptomOther, other, MAX_TEXT);
        }
        for (i, t) in f.tests.iter().enumerate() {
            self.text(
                Field::Test(i, TestPart::SpecimenOther),
                &t.specimen_other,
                MAX_TEXT,
            );
        }
        let route = &f.infection.route;
        for (field, value) in [
            (Field::RouteDroplet, &route.droplet),
            (Field::RouteContact, &route.contact),
            (Field::RouteOther, &route.other),
            (Field::RiskFactorOther, &f.other.risk_factor_other),
        ] {
            if let Some(value) = value {
                self.text(field, value, MAX_TEXT);
            }
        }
        for (i, a) in f.infection.area.domestic.iter().enumerate() {
            self.text(
                Field::Domestic(i, DomesticPart::Prefecture),
                &a.prefecture,
                MAX_NAME,
            );
            self.text(
                Field::Domestic(i, DomesticPart::Municipality),
                &a.municipality,
                MAX_NAME,
            );
        }
        for (i, a) in f.infection.area.abroad.iter().enumerate() {
            self.text(Field::Abroad(i, AbroadPart::Country), &a.country, MAX_NAME);
            self.text(Field::Abroad(i, AbroadPart::Detail), &a.detail, MAX_TEXT);
        }
        for (i, d) in f.vaccination.iter().enumerate() {
            self.text(
                Field::Dose(i, DosePart::VaccineType),
                &d.vaccine_type,
                MAX_NAME,
            );
            self.text(
                Field::Dose(i, DosePart::Manufacturer),
                &d.manufacturer,
                MAX_NAME,
            );
        }
        self.text(Field::HospitalName, &f.other.hospital_name, MAX_NAME);
    }

    fn required(&mut self) {
        let f = self.form;
        let required_texts = [
            (Field::DoctorName, &f.reporter.doctor_name),
            (Field::FacilityName, &f.reporter.facility_name),
            (Field::FacilityAddress, &f.reporter.facility_address),
            (Field::FacilityPhone, &f.reporter.facility_phone),
            (Field::PatientName, &f.patient.name),
            (
                Field::Address(Place::Patient, AddressPart::Text),
                &f.patient.address.text,
            ),
        ];
        for (field, value) in required_texts {
            if blank(value) {
                self.error(ValidationError::Required { field });
            }
        }
        if f.report_date.is_none() {
            self.error(ValidationError::Required {
                field: Field::ReportDate,
            });
        }
        if f.category.is_none() {
            self.error(ValidationError::Required {
                field: Field::Category,
            });
        }
        if f.patient.sex.is_none() {
            self.error(ValidationError::Required { field: Field::Sex });
        }
        if f.patient.date_of_birth.is_none() {
            self.error(ValidationError::Required {
                field: Field::DateOfBirth,
            });
        }
        if f.diagnosis_date.is_none() {
            self.error(ValidationError::Required {
                field: Field::DiagnosisDate,
            });
        }
        if !f.patient.current_location_same_as_address && blank(&f.patient.current_location.text) {
            self.error(ValidationError::Required {
                field: Field::Address(Place::CurrentLocation, AddressPart::Text),
            });
        }
        let recommended_texts = [
            (Field::Furigana, &f.patient.furigana),
            (Field::Occupation, &f.patient.occupation),
        ];
        for (field, value) in recommended_texts {
            if blank(value) {
                self.warn(ValidationWarning::Recommended { field });
            }
        }
        let location_phone = !f.patient.current_location_same_as_address
            && !blank(&f.patient.current_location.phone);
        if blank(&f.patient.address.phone) && !location_phone {
            self.warn(ValidationWarning::Recommended {
                field: Field::Address(Place::Patient, AddressPart::Phone),
            });
        }
        let body = f.category.is_some_and(CaseCategory::is_body);
        if f.first_visit_date.is_none() && !body {
            self.warn(ValidationWarning::Recommended {
                field: Field::FirstVisitDate,
            });
        }
        let o = &f.other;
        for (field, value) in [
            (Field::Hospitalised, o.hospitalised),
            (Field::RiskFactorsPresent, o.risk_factors_present),
            (Field::Immunocompromised, o.immunocompromised),
            (Field::AdmissionNeeded, o.admission_needed),
            (Field::Telemedicine, o.telemedicine),
        ] {
            if value.is_none() && !body {
                self.warn(ValidationWarning::Recommended { field });
            }
        }
        if o.severity.is_none() && !body {
            self.warn(ValidationWarning::Recommended {
                field: Field::Severity,
            });
        }
        if f.vaccination.first().is_some_and(|d| d.status.is_none()) {
            self.warn(ValidationWarning::Recommended {
                field: Field::Dose(0, DosePart::Status),
            });
        }
    }

    fn category_rules(&mut self) {
        let f = self.form;
        let Some(category) = f.category else { return };
        if f.onset_date.is_some() && category != CaseCategory::ConfirmedPatient {
            self.error(ValidationError::OnsetDateOnlyForConfirmedPatient);
        }
        if category == CaseCategory::ConfirmedPatient && f.onset_date.is_none() {
            self.warn(ValidationWarning::Recommended {
                field: Field::OnsetDate,
            });
        }
        if category.is_body() {
            if f.death_date.is_none() {
                self.error(ValidationError::Required {
                    field: Field::DeathDate,
                });
            }
        } else if f.death_date.is_some() {
            self.error(ValidationError::DeathDateOnlyForBodies);
        }
        if category == CaseCategory::SuspectedPatient
            && f.other.admission_needed != Some(YesNo::Yes)
        {
            self.error(ValidationError::SuspectedPatientNotNeedingAdmission);
        }
        let needs_positive = matches!(
            category,
            CaseCategory::ConfirmedPatient
                | CaseCategory::AsymptomaticCarrier
                | CaseCategory::DeceasedPatient
        );
        if needs_positive
            && !f
                .tests
                .iter()
                .any(|t| t.result == Some(TestResult::Positive))
        {
            self.error(ValidationError::PositiveTestRequired { category });
        }
        if category == CaseCategory::AsymptomaticCarrier && f.symptoms.any() {
            self.error(ValidationError::SymptomsForAsymptomaticCarrier);
        }
    }

    /// Every date with its field, for the checks that apply to all of them.
    fn all_dates(&self) -> Vec<(Field, NaiveDate)> {
        let f = self.form;
        let mut dates: Vec<(Field, Option<NaiveDate>)> = vec![
            (Field::ReportDate, f.report_date),
            (Field::FirstVisitDate, f.first_visit_date),
            (Field::DiagnosisDate, f.diagnosis_date),
            (Field::InfectionDate, f.infection_date),
            (Field::OnsetDate, f.onset_date),
            (Field::DeathDate, f.death_date),
            (Field::AdmissionDate, f.other.admission_date),
            (Field::DepartureDate, f.infection.area.departure_date),
            (Field::EntryDate, f.infection.area.entry_date),
        ];
        for (i, t) in f.tests.iter().enumerate() {
            dates.push((Field::Test(i, TestPart::SpecimenDate), t.specimen_date));
        }
        for (i, d) in f.vaccination.iter().enumerate() {
            dates.push((Field::Dose(i, DosePart::Date), d.date));
        }
        dates
            .into_iter()
            .filter_map(|(field, d)| Some((field, d?)))
            .collect()
    }

    fn order(&mut self, earlier: (Field, Option<NaiveDate>), later: (Field, Option<NaiveDate>)) {
        if let (Some(a), Some(b)) = (earlier.1, later.1) {
            if b < a {
                self.error(ValidationError::DateOrder {
                    field: later.0,
                    must_not_precede: earlier.0,
                });
            }
        }
    }

    fn dates(&mut self) {
        let f = self.form;
        let birth = f.patient.date_of_birth;
        if let Some(birth) = birth {
            if birth > self.today {
                self.error(ValidationError::DateInFuture {
                    field: Field::DateOfBirth,
                });
            } else if age_on(birth, self.today).is_some_and(|a| a.years > MAX_AGE) {
                self.error(ValidationError::ImplausibleDateOfBirth);
            }
        }
        for (field, date) in self.all_dates() {
            if date > self.today {
                self.error(ValidationError::DateInFuture { field });
            }
            if birth.is_some_and(|b| date < b) {
                self.error(ValidationError::DateBeforeBirth { field });
            } else if date < pandemic_start() && !matches!(field, Field::DepartureDate) {
                self.error(ValidationError::DateBeforePandemic { field });
            }
        }
        // 感染 ≤ 発病 ≤ 初診 ≤ 診断 ≤ 報告; each pair once, blaming the later field.
        let chain = [
            (Field::InfectionDate, f.infection_date),
            (Field::OnsetDate, f.onset_date),
            (Field::FirstVisitDate, f.first_visit_date),
            (Field::DiagnosisDate, f.diagnosis_date),
            (Field::ReportDate, f.report_date),
        ];
        for (i, earlier) in chain.iter().enumerate() {
            for later in chain.iter().skip(i + 1) {
                self.order(*earlier, *later);
            }
        }
        for (i, t) in f.tests.iter().enumerate() {
            let specimen = (Field::Test(i, TestPart::SpecimenDate), t.specimen_date);
            self.order(specimen, (Field::DiagnosisDate, f.diagnosis_date));
        }
        let death = (Field::DeathDate, f.death_date);
        self.order((Field::InfectionDate, f.infection_date), death);
        self.order((Field::OnsetDate, f.onset_date), death);
        if f.category.is_some_and(CaseCategory::is_body) {
            // 検案 follows death.
            self.order(death, (Field::DiagnosisDate, f.diagnosis_date));
        }
        let area = &f.infection.area;
        self.order(
            (Field::DepartureDate, area.departure_date),
            (Field::EntryDate, area.entry_date),
        );
        if let (Some(diagnosis), Some(report)) = (f.diagnosis_date, f.report_date) {
            let days = (report - diagnosis).num_days();
            if days > 1 {
                self.warn(ValidationWarning::ReportNotImmediate { days });
            }
        }
    }

    fn age(&mut self) {
        let f = self.form;
        let Some(entered) = f.patient.age_at_diagnosis else {
            return;
        };
        if let Some(months) = entered.months {
            if months > 11 {
                self.error(ValidationError::AgeMonthsOutOfRange { months });
            }
            if entered.years > 0 {
                self.error(ValidationError::AgeMonthsOnlyUnderOne);
            }
        }
        let (Some(birth), Some(diagnosis)) = (f.patient.date_of_birth, f.diagnosis_date) else {
            return;
        };
        let Some(age) = age_on(birth, diagnosis) else {
            return;
        };
        let years_differ = u32::from(entered.years) != age.years;
        let months_differ =
            age.years == 0 && entered.months.is_some_and(|m| u32::from(m) != age.months);
        if years_differ || months_differ {
            self.error(ValidationError::AgeMismatch {
                entered,
                years: age.years,
                months: age.months,
            });
        }
    }

    fn guardian(&mut self) {
        let f = self.form;
        let Some(birth) = f.patient.date_of_birth else {
            return;
        };
        let Some(on) = f.diagnosis_date.or(f.report_date) else {
            return;
        };
        let Some(minor) = is_minor(birth, on) else {
            return;
        };
        let majority = age_of_majority(on);
        if minor && blank(&f.guardian.name) {
            self.error(ValidationError::GuardianRequiredForMinor { majority });
        }
        if !minor && !f.guardian.is_empty() {
            let field = if blank(&f.guardian.name) {
                Field::Address(Place::Guardian, AddressPart::Text)
            } else {
                Field::GuardianName
            };
            self.error(ValidationError::GuardianOnlyForMinors { field, majority });
        }
    }

    fn address(&mut self, place: Place, address: &Address) {
        if !blank(&address.phone) {
            if let Err(reason) = PhoneNumber::parse(&address.phone) {
                let field = Field::Address(place, AddressPart::Phone);
                self.error(ValidationError::InvalidPhone { field, reason });
            }
        }
        if !blank(&address.postal_code) && PostalCode::parse(&address.postal_code).is_err() {
            let field = Field::Address(place, AddressPart::PostalCode);
            self.error(ValidationError::InvalidPostalCode { field });
        }
        if !blank(&address.municipality_code) {
            if let Err(reason) = MunicipalityCode::parse(&address.municipality_code) {
                let field = Field::Address(place, AddressPart::MunicipalityCode);
                self.error(ValidationError::InvalidMunicipalityCode { field, reason });
            }
        }
    }

    fn addresses(&mut self) {
        let f = self.form;
        if !blank(&f.reporter.facility_phone) {
            if let Err(reason) = PhoneNumber::parse(&f.reporter.facility_phone) {
                self.error(ValidationError::InvalidPhone {
                    field: Field::FacilityPhone,
                    reason,
                });
            }
        }
        self.address(Place::Patient, &f.patient.address);
        if f.patient.current_location_same_as_address {
            if !f.patient.current_location.is_empty() {
                self.error(ValidationError::CurrentLocationGivenWithSameAsAddress);
            }
        } else {
            self.address(Place::CurrentLocation, &f.patient.current_location);
        }
        self.address(Place::Guardian, &f.guardian.address);
    }

    fn furigana(&mut self) {
        let furigana = &self.form.patient.furigana;
        if !blank(furigana) && !is_katakana_text(&crate::kana::normalize_furigana(furigana)) {
            self.error(ValidationError::FuriganaNotKatakana);
        }
    }

    fn symptoms(&mut self) {
        let s = &self.form.symptoms;
        if s.none && s.any() {
            self.error(ValidationError::NoSymptomsWithSymptoms);
        }
        if let Some(value) = s.spo2_percent {
            if value > 100 {
                self.error(ValidationError::Spo2OutOfRange { value });
            } else if value < 96 && self.form.other.severity == Some(Severity::Mild) {
                self.warn(ValidationWarning::SeverityMildWithLowSpo2 { value });
            }
        }
        if s.other.as_deref().is_some_and(blank) {
            self.error(ValidationError::OtherTextMissing {
                field: Field::SymptomOther,
            });
        }
        let category = self.form.category;
        let symptomatic = matches!(
            category,
            Some(CaseCategory::ConfirmedPatient | CaseCategory::SuspectedPatient)
        );
        if symptomatic && !s.any() && !s.none {
            self.warn(ValidationWarning::Recommended {
                field: Field::Symptoms,
            });
        }
    }

    fn tests(&mut self) {
        let f = self.form;
        if f.tests.len() > MAX_TESTS {
            self.error(ValidationError::TooManyTests { max: MAX_TESTS });
        }
        let suspected = matches!(
            f.category,
            Some(CaseCategory::SuspectedPatient | CaseCategory::SuspectedDeceased)
        );
        for (index, t) in f.tests.iter().enumerate() {
            match t.method {
                None => self.error(ValidationError::Required {
                    field: Field::Test(index, TestPart::Method),
                }),
                Some(method) => {
                    if let Some(specimen) = t.specimen.filter(|s| !method.allows(*s)) {
                        self.error(ValidationError::SpecimenNotForMethod {
                            index,
                            method,
                            specimen,
                        });
                    }
                }
            }
            match t.specimen {
                None => self.error(ValidationError::Required {
                    field: Field::Test(index, TestPart::Specimen),
                }),
                Some(Specimen::Other) if blank(&t.specimen_other) => {
                    self.error(ValidationError::OtherTextMissing {
                        field: Field::Test(index, TestPart::SpecimenOther),
                    })
                }
                Some(Specimen::Other) => {}
                Some(_) if !blank(&t.specimen_other) => {
                    self.error(ValidationError::SpecimenOtherWithoutOther { index });
                }
                Some(_) => {}
            }
            match t.result {
                None => self.error(ValidationError::Required {
                    field: Field::Test(index, TestPart::Result),
                }),
                Some(TestResult::Other) if !suspected => {
                    self.error(ValidationError::ResultOtherOnlyForSuspected { index });
                }
                Some(_) => {}
            }
            if t.specimen_date.is_none() {
                self.warn(ValidationWarning::SpecimenDateMissing { index });
            }
        }
    }

    fn infection(&mut self) {
        let i = &self.form.infection;
        if i.route.certainty.is_some() && !i.route.any() {
            self.error(ValidationError::CertaintyWithoutEntries {
                field: Field::RouteCertainty,
            });
        }
        let area = &i.area;
        if area.certainty.is_some() && area.domestic.is_empty() && area.abroad.is_empty() {
            self.error(ValidationError::CertaintyWithoutEntries {
                field: Field::AreaCertainty,
            });
        }
        for (index, d) in area.domestic.iter().enumerate() {
            if blank(&d.prefecture) {
                self.error(ValidationError::Required {
                    field: Field::Domestic(index, DomesticPart::Prefecture),
                });
            } else if !is_prefecture(&d.prefecture) {
                self.error(ValidationError::UnknownPrefecture { index });
            }
        }
        for (index, a) in area.abroad.iter().enumerate() {
            if blank(&a.country) {
                self.error(ValidationError::Required {
                    field: Field::Abroad(index, AbroadPart::Country),
                });
            }
        }
        if area.abroad.is_empty() {
            for (field, date) in [
                (Field::DepartureDate, area.departure_date),
                (Field::EntryDate, area.entry_date),
            ] {
                if date.is_some() {
                    self.error(ValidationError::TravelWithoutAbroadArea { field });
                }
            }
        } else if area.entry_date.is_none() {
            // 「国外居住者については、入国日のみで可」: the entry date is always expected.
            self.warn(ValidationWarning::Recommended {
                field: Field::EntryDate,
            });
        }
    }

    fn vaccination(&mut self) {
        let f = self.form;
        let mut earlier_none = false;
        let mut previous_date: Option<(usize, NaiveDate)> = None;
        for (dose, d) in f.vaccination.iter().enumerate() {
            match d.status {
                Some(VaccinationStatus::Yes) => {
                    if earlier_none {
                        self.error(ValidationError::VaccineDoseAfterNone { dose });
                    }
                    let named = !blank(&d.vaccine_type) || !blank(&d.manufacturer);
                    if named && d.vaccine_unknown {
                        let field = Field::Dose(dose, DosePart::VaccineType);
                        self.error(ValidationError::VaccineValueAndUnknown { field });
                    }
                    if d.date.is_some() && d.date_unknown {
                        let field = Field::Dose(dose, DosePart::Date);
                        self.error(ValidationError::VaccineValueAndUnknown { field });
                    }
                    if let (Some(entered), Some(birth), Some(date)) =
                        (d.age, f.patient.date_of_birth, d.date)
                    {
                        if let Some(age) = age_on(birth, date) {
                            if u32::from(entered) != age.years {
                                self.error(ValidationError::VaccineAgeMismatch {
                                    dose,
                                    entered,
                                    computed: age.years,
                                });
                            }
                        }
                    }
                    if let Some(date) = d.date {
                        if let Some((previous, previous_date)) = previous_date {
                            if date < previous_date {
                                self.error(ValidationError::DateOrder {
                                    field: Field::Dose(dose, DosePart::Date),
                                    must_not_precede: Field::Dose(previous, DosePart::Date),
                                });
                            }
                        }
                        previous_date = Some((dose, date));
                    }
                }
                Some(VaccinationStatus::No) | Some(VaccinationStatus::Unknown) | None => {
                    if d.has_details() {
                        self.error(ValidationError::VaccineDetailsWithoutVaccination { dose });
                    }
                    if d.status == Some(VaccinationStatus::No) {
                        earlier_none = true;
                    }
                }
            }
        }
    }

    fn other_matters(&mut self) {
        let f = self.form;
        let o = &f.other;
        if o.hospitalised == Some(YesNo::Yes) {
            if o.admission_date.is_none() {
                self.error(ValidationError::Required {
                    field: Field::AdmissionDate,
                });
            }
            if blank(&o.hospital_name) {
                self.warn(ValidationWarning::Recommended {
                    field: Field::HospitalName,
                });
            }
        } else {
            if o.admission_date.is_some() {
                self.error(ValidationError::AdmissionOnlyWhenHospitalised {
                    field: Field::AdmissionDate,
                });
            }
            if !blank(&o.hospital_name) {
                self.error(ValidationError::AdmissionOnlyWhenHospitalised {
                    field: Field::HospitalName,
                });
            }
        }
        let listed = !o.risk_factors.is_empty() || o.risk_factor_other.is_some();
        if o.risk_factors_present == Some(YesNo::Yes) {
            if !listed {
                self.error(ValidationError::RiskFactorsNotSelected);
            }
        } else if listed {
            self.error(ValidationError::RiskFactorsOnlyWhenPresent);
        }
        if o.risk_factor_other.as_deref().is_some_and(blank) {
            self.error(ValidationError::OtherTextMissing {
                field: Field::RiskFactorOther,
            });
        }
        if o.pregnant == Some(YesNo::Yes) && f.patient.sex == Some(Sex::Male) {
            self.error(ValidationError::PregnantMale);
        }
    }
}

#[cfg(test)]
mod postal_tests {
    use super::*;
    use crate::notification::postal::PostalIndex;

    const SHARED: &str = r#"{"prefix":"618","municipalities":[["26303","263036","京都府","乙訓郡大山崎町"],
        ["27301","273015","大阪府","三島郡島本町"]],
        "codes":{"6180000":[[0,"","以下に掲載がない場合"],[1,"","以下に掲載がない場合"]]}}"#;

    fn living_at(postal: &str, municipality: &str) -> Notification {
        let mut form = Form20211129::default();
        form.patient.address.postal_code = postal.into();
        form.patient.address.municipality_code = municipality.into();
        form.patient.current_location_same_as_address = true;
        Notification::R20211129(form)
    }

    #[test]
    fn a_municipality_code_must_be_one_its_postal_code_may_mean() {
        let index = PostalIndex::from_json(SHARED).expect("parses");
        let lookup = |c: &PostalCode| index.municipalities(c);
        for ok in ["263036", "273015", "", "263037"] {
            assert!(
                postal_mismatches(&living_at("618-0000", ok), lookup).is_empty(),
                "{ok}"
            );
        }
        // Unknown to the data: nothing to check against.
        assert!(postal_mismatches(&living_at("6189999", "131016"), lookup).is_empty());
        let found = postal_mismatches(&living_at("6180000", "131016"), lookup);
        assert_eq!(found.len(), 1);
        let e = &found[0];
        assert_eq!(e.code(), "municipality_not_for_postal_code");
        assert_eq!(e.field().path(), "patient.address.municipality_code");
        assert!(
            e.message_ja()
                .contains("京都府乙訓郡大山崎町・大阪府三島郡島本町"),
            "{}",
            e.message_ja()
        );
    }
}
