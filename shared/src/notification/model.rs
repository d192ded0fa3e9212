//! The fields of the 2021-11-29 form (別記様式6-1), as typed while being filled in: every item of the form, numbered
//! as printed. Values are kept as entered (dates as ISO dates); [`super::validate`] decides what may be filed.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::options::{
    CaseCategory, Certainty, DiagnosticMethod, RiskFactor, Severity, Sex, Specimen, Symptom,
    TestResult, VaccinationStatus, YesNo,
};

/// At most this many tests (manual 4.2: 「検査結果を4回目まで入力することができます」).
pub const MAX_TESTS: usize = 4;
/// Doses printed on the form (１回目・２回目・３回目).
pub const VACCINE_DOSES: usize = 3;

/// One notification on the 2021-11-29 form. Unknown JSON members are refused (the edge parses untrusted input).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Form20211129 {
    /// 報告年月日.
    pub report_date: Option<NaiveDate>,
    /// 医師の氏名, 従事する病院・診療所の名称, 所在地, 電話番号.
    pub reporter: Reporter,
    /// 1 診断（検案）した者（死体）の類型.
    pub category: Option<CaseCategory>,
    /// 届出の対象 (only on the form of 2022-09-26; left out of the JSON while nothing is ticked, so a 2021-11-29
    /// notification's JSON has no such member).
    #[serde(skip_serializing_if = "TargetGroups::is_empty")]
    pub target_groups: TargetGroups,
    /// 2–8.
    pub patient: Patient,
    /// 9–10 (minors only).
    pub guardian: Guardian,
    /// 11 症状.
    pub symptoms: Symptoms,
    /// 12 診断方法 (one entry per test, at most [`MAX_TESTS`]).
    pub tests: Vec<DiagnosticTest>,
    /// 13 初診年月日.
    pub first_visit_date: Option<NaiveDate>,
    /// 14 診断（検案）年月日.
    pub diagnosis_date: Option<NaiveDate>,
    /// 15 感染したと推定される年月日.
    pub infection_date: Option<NaiveDate>,
    /// 16 発病年月日（＊ 患者（確定例）のみ）.
    pub onset_date: Option<NaiveDate>,
    /// 17 死亡年月日（※ 死体のみ）.
    pub death_date: Option<NaiveDate>,
    /// 18 ①② 感染原因・感染経路・感染地域.
    pub infection: Infection,
    /// 18 ③ ワクチン接種歴, １回目・２回目・３回目.
    pub vaccination: [VaccineDose; VACCINE_DOSES],
    /// 19 その他 … 医師が必要と認める事項.
    pub other: OtherMatters,
}

/// One of the four groups of the limited notification (届出の対象, from 2022-09-26; group 3 has two options).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetGroup {
    /// (1) 65歳以上の者.
    Aged65OrOver,
    /// (2) 入院を要する者 (including a doctor's judgement that admission may become necessary because of an
    /// underlying disease).
    NeedsAdmission,
    /// (3) 重症化リスクがあり、かつ、新型コロナ治療薬の投与が必要な者.
    RiskNeedsTreatmentDrug,
    /// (3) 重症化リスクがあり、かつ、新型コロナ罹患により新たに酸素投与が必要な者.
    RiskNeedsNewOxygen,
    /// (4) 妊婦.
    Pregnant,
}

impl TargetGroup {
    pub const ALL: [TargetGroup; 5] = [
        TargetGroup::Aged65OrOver,
        TargetGroup::NeedsAdmission,
        TargetGroup::RiskNeedsTreatmentDrug,
        TargetGroup::RiskNeedsNewOxygen,
        TargetGroup::Pregnant,
    ];

    /// The member's name in JSON (under `target_groups`).
    pub fn key(self) -> &'static str {
        match self {
            TargetGroup::Aged65OrOver => "aged_65_or_over",
            TargetGroup::NeedsAdmission => "needs_admission",
            TargetGroup::RiskNeedsTreatmentDrug => "risk_needs_treatment_drug",
            TargetGroup::RiskNeedsNewOxygen => "risk_needs_new_oxygen",
            TargetGroup::Pregnant => "pregnant",
        }
    }

    /// The group's number as printed (（１）…（４）).
    pub fn number(self) -> &'static str {
        match self {
            TargetGroup::Aged65OrOver => "（１）",
            TargetGroup::NeedsAdmission => "（２）",
            TargetGroup::RiskNeedsTreatmentDrug | TargetGroup::RiskNeedsNewOxygen => "（３）",
            TargetGroup::Pregnant => "（４）",
        }
    }

    /// The printed wording.
    pub fn label(self) -> &'static str {
        match self {
            TargetGroup::Aged65OrOver => "65歳以上の者",
            TargetGroup::NeedsAdmission => {
                "入院を要する者（基礎疾患等により入院を要する可能性があると医師が判断する者を含む）"
            }
            TargetGroup::RiskNeedsTreatmentDrug => {
                "重症化リスクがあり、かつ、新型コロナ治療薬の投与が必要な者"
            }
            TargetGroup::RiskNeedsNewOxygen => {
                "重症化リスクがあり、かつ、新型コロナ罹患により新たに酸素投与が必要な者"
            }
            TargetGroup::Pregnant => "妊婦",
        }
    }
}

/// 届出の対象 on the form of 2022-09-26: one tick per group (at least one unless a body was examined). Members
/// rather than a list so that each has a path (the form's set-aside works per field) and a repeated or unknown
/// group is refused by the parser.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TargetGroups {
    pub aged_65_or_over: bool,
    pub needs_admission: bool,
    pub risk_needs_treatment_drug: bool,
    pub risk_needs_new_oxygen: bool,
    pub pregnant: bool,
}

impl TargetGroups {
    pub fn get(&self, g: TargetGroup) -> bool {
        match g {
            TargetGroup::Aged65OrOver => self.aged_65_or_over,
            TargetGroup::NeedsAdmission => self.needs_admission,
            TargetGroup::RiskNeedsTreatmentDrug => self.risk_needs_treatment_drug,
            TargetGroup::RiskNeedsNewOxygen => self.risk_needs_new_oxygen,
            TargetGroup::Pregnant => self.pregnant,
        }
    }

    pub fn set(&mut self, g: TargetGroup, on: bool) {
        match g {
            TargetGroup::Aged65OrOver => self.aged_65_or_over = on,
            TargetGroup::NeedsAdmission => self.needs_admission = on,
            TargetGroup::RiskNeedsTreatmentDrug => self.risk_needs_treatment_drug = on,
            TargetGroup::RiskNeedsNewOxygen => self.risk_needs_new_oxygen = on,
            TargetGroup::Pregnant => self.pregnant = on,
        }
    }

    /// The ticked groups, in the form's order.
    pub fn ticked(&self) -> Vec<TargetGroup> {
        TargetGroup::ALL
            .into_iter()
            .filter(|g| self.get(*g))
            .collect()
    }

    /// Nothing ticked (serde's `skip_serializing_if` takes a reference).
    #[allow(clippy::trivially_copy_pass_by_ref)]
    pub fn is_empty(&self) -> bool {
        self.ticked().is_empty()
    }
}

/// 届出者: the physician and where they work (※ or their own address and phone when not at a clinic).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Reporter {
    pub doctor_name: String,
    pub facility_name: String,
    pub facility_address: String,
    pub facility_phone: String,
}

/// Items 2–8.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Patient {
    /// 2 当該者氏名.
    pub name: String,
    /// 2 （フリガナ）; stored normalised to 全角カタカナ ([`crate::kana::normalize_furigana`]).
    pub furigana: String,
    /// 3 性別.
    pub sex: Option<Sex>,
    /// 4 生年月日.
    pub date_of_birth: Option<NaiveDate>,
    /// 5 診断時の年齢 (0歳は月齢); optional, computed from 4 and 14 when blank.
    pub age_at_diagnosis: Option<AgeAtDiagnosis>,
    /// 6 当該者職業.
    pub occupation: String,
    /// 7 当該者住所 + 電話.
    pub address: Address,
    /// 8 当該者所在地 is the same as 7 (the screen's 「当該者所在地と同様」).
    pub current_location_same_as_address: bool,
    /// 8 当該者所在地 + 電話 (empty when the same as 7).
    pub current_location: Address,
}

/// Item 5: 「歳（　　か月）」; months only for a child under one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeAtDiagnosis {
    pub years: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u8>,
}

/// An address with its phone (items 7, 8, 10). Postal code and municipality code are the input aids' results.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Address {
    pub postal_code: String,
    /// 6-digit 全国地方公共団体コード (with check digit), filled from the postal code; routes to the health center.
    pub municipality_code: String,
    pub text: String,
    pub phone: String,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self.postal_code.trim().is_empty()
            && self.municipality_code.trim().is_empty()
            && self.text.trim().is_empty()
            && self.phone.trim().is_empty()
    }
}

/// Items 9–10 (「９、１０は患者が未成年の場合のみ記入」).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Guardian {
    pub name: String,
    pub address: Address,
}

impl Guardian {
    pub fn is_empty(&self) -> bool {
        self.name.trim().is_empty() && self.address.is_empty()
    }
}

/// Item 11. A symptom listed in `present` is 有; every other is 無.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Symptoms {
    pub present: BTreeSet<Symptom>,
    /// 酸素飽和度（室内気）：　％.
    pub spo2_percent: Option<u8>,
    /// その他（　）: `Some` when ticked, with its text.
    pub other: Option<String>,
    /// 症状なし.
    pub none: bool,
}

impl Symptoms {
    /// Any symptom ticked (the listed ones or その他); SpO₂ is a measurement, not a symptom.
    pub fn any(&self) -> bool {
        !self.present.is_empty() || self.other.is_some()
    }
}

/// Item 12: one test.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiagnosticTest {
    pub method: Option<DiagnosticMethod>,
    pub specimen: Option<Specimen>,
    /// その他（　）'s text when `specimen` is その他.
    pub specimen_other: String,
    /// 検体採取日. The form prints month and day only; the year is stored so the order of dates can be checked.
    pub specimen_date: Option<NaiveDate>,
    pub result: Option<TestResult>,
}

/// Item 18 ① and ②.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Infection {
    pub route: InfectionRoute,
    pub area: InfectionArea,
}

/// 18 ① 感染原因・感染経路（確定・推定）: each ticked route carries its text (`Some("")` = ticked, no detail).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InfectionRoute {
    pub certainty: Option<Certainty>,
    /// １ 飛沫・飛沫核感染（感染源の種類・状況：　）.
    pub droplet: Option<String>,
    /// ２ 接触感染（接触した人・物の種類・状況：　）.
    pub contact: Option<String>,
    /// ３ その他（　）.
    pub other: Option<String>,
}

impl InfectionRoute {
    pub fn any(&self) -> bool {
        self.droplet.is_some() || self.contact.is_some() || self.other.is_some()
    }
}

/// 18 ② 感染地域（確定・推定）; 「※複数の国又は地域該当する場合は全て記載すること。」.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InfectionArea {
    pub certainty: Option<Certainty>,
    /// １ 日本国内（　都道府県　市区町村）.
    pub domestic: Vec<DomesticArea>,
    /// ２ 国外（　国　詳細地域　）.
    pub abroad: Vec<AbroadArea>,
    /// 渡航期間 出国日 (国外居住者 may leave it blank).
    pub departure_date: Option<NaiveDate>,
    /// 渡航期間 入国日.
    pub entry_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DomesticArea {
    pub prefecture: String,
    pub municipality: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AbroadArea {
    pub country: String,
    pub detail: String,
}

/// 18 ③, one dose: 有（　歳）・無・不明; ワクチンの種類／製造会社（　／　・不明）; 接種年月日（R　年　月　日・不明）.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VaccineDose {
    pub status: Option<VaccinationStatus>,
    pub age: Option<u16>,
    pub vaccine_type: String,
    pub manufacturer: String,
    pub vaccine_unknown: bool,
    pub date: Option<NaiveDate>,
    pub date_unknown: bool,
}

impl VaccineDose {
    /// Any of the details that belong to 有.
    pub fn has_details(&self) -> bool {
        self.age.is_some()
            || !self.vaccine_type.trim().is_empty()
            || !self.manufacturer.trim().is_empty()
            || self.vaccine_unknown
            || self.date.is_some()
            || self.date_unknown
    }
}

/// Item 19.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OtherMatters {
    /// 届出時点の入院の有無.
    pub hospitalised: Option<YesNo>,
    /// 入院例のみ（入院年月日）.
    pub admission_date: Option<NaiveDate>,
    /// 入院先の医療機関 (manual 4.2: 「入院年月日と入院先の医療機関を入力」; not printed on the paper form).
    pub hospital_name: String,
    /// 重症化のリスク因子となる疾患等の有無.
    pub risk_factors_present: Option<YesNo>,
    /// ※有の場合は、以下から選択.
    pub risk_factors: BTreeSet<RiskFactor>,
    /// その他（　）.
    pub risk_factor_other: Option<String>,
    /// 臓器の移植、免疫抑制剤、抗がん剤等の使用その他の事由により免疫の機能が低下しているおそれの有無.
    pub immunocompromised: Option<YesNo>,
    /// 妊娠の有無.
    pub pregnant: Option<YesNo>,
    /// 重症度.
    pub severity: Option<Severity>,
    /// 入院の必要性の有無.
    pub admission_needed: Option<YesNo>,
    /// 時限的・特例的な取扱いによる電話や情報通信機器を用いた診療の有無.
    pub telemedicine: Option<YesNo>,
}
