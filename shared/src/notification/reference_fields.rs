//! Every field and option of the reference (`covid19-notification-form.md`, from the official form 別記様式6-1 of
//! 2021-11-29), with where it lives in the model. `tests/notification_reference.rs` walks this list against a fully
//! filled notification, so an item of the form cannot go missing from the model unnoticed.

use super::options::{
    CaseCategory, Certainty, DiagnosticMethod, RiskFactor, Severity, Sex, Specimen, Symptom,
    TestResult, VaccinationStatus, YesNo,
};

/// Which option enum a printed choice belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    CaseCategory,
    Sex,
    Symptom,
    DiagnosticMethod,
    Specimen,
    TestResult,
    Certainty,
    VaccinationStatus,
    YesNo,
    RiskFactor,
    Severity,
}

impl OptionKind {
    /// Whether the enum has an option printed as `label`.
    pub fn has_label(self, label: &str) -> bool {
        match self {
            OptionKind::CaseCategory => CaseCategory::from_label(label).is_some(),
            OptionKind::Sex => Sex::from_label(label).is_some(),
            OptionKind::Symptom => Symptom::from_label(label).is_some(),
            OptionKind::DiagnosticMethod => DiagnosticMethod::from_label(label).is_some(),
            OptionKind::Specimen => Specimen::from_label(label).is_some(),
            OptionKind::TestResult => TestResult::from_label(label).is_some(),
            OptionKind::Certainty => Certainty::from_label(label).is_some(),
            OptionKind::VaccinationStatus => VaccinationStatus::from_label(label).is_some(),
            OptionKind::YesNo => YesNo::from_label(label).is_some(),
            OptionKind::RiskFactor => RiskFactor::from_label(label).is_some(),
            OptionKind::Severity => Severity::from_label(label).is_some(),
        }
    }
}

/// Where a printed option lives: a variant of an option enum, or a member of its own (free text, number, flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionTarget {
    Variant(OptionKind),
    Member(&'static str),
}

/// One item of the reference.
#[derive(Debug, Clone, Copy)]
pub struct ReferenceItem {
    /// The form's number (「１」…「１９」; sub-items as in the reference: 18①, 19a; header items as "header").
    pub number: &'static str,
    /// The printed label, verbatim.
    pub label: &'static str,
    /// The model members holding it (JSON paths; list members with index 0).
    pub paths: &'static [&'static str],
    /// The printed options, verbatim, and where each lives.
    pub options: &'static [(&'static str, OptionTarget)],
}

use OptionKind as K;
use OptionTarget::{Member, Variant};

const YES_NO: &[(&str, OptionTarget)] = &[("有", Variant(K::YesNo)), ("無", Variant(K::YesNo))];

/// The reference's fields, in its order.
pub const REFERENCE_ITEMS: &[ReferenceItem] = &[
    ReferenceItem { number: "header", label: "報告年月日", paths: &["report_date"], options: &[] },
    ReferenceItem { number: "header", label: "医師の氏名", paths: &["reporter.doctor_name"], options: &[] },
    ReferenceItem {
        number: "header",
        label: "従事する病院・診療所の名称",
        paths: &["reporter.facility_name"],
        options: &[],
    },
    ReferenceItem {
        number: "header",
        label: "上記病院・診療所の所在地(※)",
        paths: &["reporter.facility_address"],
        options: &[],
    },
    ReferenceItem { number: "header", label: "電話番号(※)", paths: &["reporter.facility_phone"], options: &[] },
    ReferenceItem {
        number: "1",
        label: "診断（検案）した者（死体）の類型",
        paths: &["category"],
        options: &[
            ("患者（確定例）", Variant(K::CaseCategory)),
            ("無症状病原体保有者", Variant(K::CaseCategory)),
            // Printed 「疑似症患者（＊）」; the (＊) is the footnote marker.
            ("疑似症患者", Variant(K::CaseCategory)),
            ("感染症死亡者の死体", Variant(K::CaseCategory)),
            ("感染症死亡疑い者の死体", Variant(K::CaseCategory)),
        ],
    },
    ReferenceItem {
        number: "2",
        label: "当該者氏名（フリガナ）",
        paths: &["patient.name", "patient.furigana"],
        options: &[],
    },
    ReferenceItem {
        number: "3",
        label: "性別",
        paths: &["patient.sex"],
        options: &[("男", Variant(K::Sex)), ("女", Variant(K::Sex))],
    },
    ReferenceItem { number: "4", label: "生年月日", paths: &["patient.date_of_birth"], options: &[] },
    ReferenceItem {
        number: "5",
        label: "診断時の年齢(0歳は月齢)",
        paths: &["patient.age_at_diagnosis.years", "patient.age_at_diagnosis.months"],
        options: &[],
    },
    ReferenceItem { number: "6", label: "当該者職業", paths: &["patient.occupation"], options: &[] },
    ReferenceItem {
        number: "7",
        label: "当該者住所",
        paths: &["patient.address.text", "patient.address.phone"],
        options: &[],
    },
    ReferenceItem {
        number: "8",
        label: "当該者所在地",
        paths: &[
            "patient.current_location.text",
            "patient.current_location.phone",
            "patient.current_location_same_as_address",
        ],
        options: &[],
    },
    ReferenceItem { number: "9", label: "保護者氏名", paths: &["guardian.name"], options: &[] },
    ReferenceItem {
        number: "10",
        label: "保護者住所",
        paths: &["guardian.address.text", "guardian.address.phone"],
        options: &[],
    },
    ReferenceItem {
        number: "11",
        label: "症状",
        paths: &["symptoms.present"],
        options: &[
            ("発熱", Variant(K::Symptom)),
            ("咳", Variant(K::Symptom)),
            ("咳以外の急性呼吸器症状", Variant(K::Symptom)),
            ("肺炎像", Variant(K::Symptom)),
            ("重篤な肺炎", Variant(K::Symptom)),
            ("急性呼吸窮迫症候群", Variant(K::Symptom)),
            ("多臓器不全", Variant(K::Symptom)),
            ("全身倦怠感", Variant(K::Symptom)),
            ("頭痛", Variant(K::Symptom)),
            ("嘔気/嘔吐", Variant(K::Symptom)),
            ("下痢", Variant(K::Symptom)),
            ("結膜炎", Variant(K::Symptom)),
            ("嗅覚・味覚障害", Variant(K::Symptom)),
            ("酸素飽和度（室内気）：　％", Member("symptoms.spo2_percent")),
            ("その他（　）", Member("symptoms.other")),
            ("症状なし", Member("symptoms.none")),
        ],
    },
    ReferenceItem {
        number: "12",
        label: "診断方法",
        paths: &["tests[0].method", "tests[0].specimen", "tests[0].specimen_date", "tests[0].result"],
        options: &[
            ("分離・同定による病原体の検出", Variant(K::DiagnosticMethod)),
            ("検体から核酸増幅法（PCR 法　LAMP 法など）による病原体遺伝子の検出", Variant(K::DiagnosticMethod)),
            ("抗原定性検査による病原体の抗原の検出", Variant(K::DiagnosticMethod)),
            ("抗原定量検査による病原体の抗原の検出", Variant(K::DiagnosticMethod)),
            ("喀痰", Variant(K::Specimen)),
            ("気管吸引液", Variant(K::Specimen)),
            ("肺胞洗浄液", Variant(K::Specimen)),
            ("咽頭拭い液", Variant(K::Specimen)),
            ("鼻腔吸引液", Variant(K::Specimen)),
            ("鼻腔拭い液", Variant(K::Specimen)),
            ("鼻咽頭拭い液", Variant(K::Specimen)),
            ("便", Variant(K::Specimen)),
            ("唾液", Variant(K::Specimen)),
            ("剖検材料", Variant(K::Specimen)),
            ("その他", Variant(K::Specimen)),
            ("その他（　）", Member("tests[0].specimen_other")),
            ("陽性", Variant(K::TestResult)),
            ("陰性", Variant(K::TestResult)),
        ],
    },
    ReferenceItem { number: "13", label: "初診年月日", paths: &["first_visit_date"], options: &[] },
    ReferenceItem { number: "14", label: "診断（検案（※））年月日", paths: &["diagnosis_date"], options: &[] },
    ReferenceItem { number: "15", label: "感染したと推定される年月日", paths: &["infection_date"], options: &[] },
    ReferenceItem { number: "16", label: "発病年月日（＊）", paths: &["onset_date"], options: &[] },
    ReferenceItem { number: "17", label: "死亡年月日（※）", paths: &["death_date"], options: &[] },
    ReferenceItem {
        number: "18①",
        label: "感染原因・感染経路（　確定・推定　）",
        paths: &["infection.route.certainty"],
        options: &[
            ("確定", Variant(K::Certainty)),
            ("推定", Variant(K::Certainty)),
            ("１　飛沫・飛沫核感染（感染源の種類・状況：　）", Member("infection.route.droplet")),
            ("２　接触感染（接触した人・物の種類・状況：　）", Member("infection.route.contact")),
            ("３　その他（　）", Member("infection.route.other")),
        ],
    },
    ReferenceItem {
        number: "18②",
        label: "感染地域（　確定・推定　）",
        paths: &["infection.area.certainty"],
        options: &[
            ("確定", Variant(K::Certainty)),
            ("推定", Variant(K::Certainty)),
            ("１　日本国内（　都道府県　市区町村）", Member("infection.area.domestic[0].prefecture")),
            ("１　日本国内（　都道府県　市区町村）", Member("infection.area.domestic[0].municipality")),
            ("２　国外（　国　詳細地域　）", Member("infection.area.abroad[0].country")),
            ("２　国外（　国　詳細地域　）", Member("infection.area.abroad[0].detail")),
            ("渡航期間（出国日　年　月　日", Member("infection.area.departure_date")),
            ("入国日　年　月　日", Member("infection.area.entry_date")),
        ],
    },
    ReferenceItem {
        number: "18③",
        label: "新型コロナウイルスワクチン接種歴",
        paths: &["vaccination[0].status", "vaccination[1].status", "vaccination[2].status"],
        options: &[
            ("有", Variant(K::VaccinationStatus)),
            ("無", Variant(K::VaccinationStatus)),
            ("不明", Variant(K::VaccinationStatus)),
            ("有（　歳）", Member("vaccination[0].age")),
            ("ワクチンの種類", Member("vaccination[0].vaccine_type")),
            ("製造会社", Member("vaccination[0].manufacturer")),
            ("ワクチンの種類／製造会社（　／　・不明）", Member("vaccination[0].vaccine_unknown")),
            ("接種年月日（R　年　月　日", Member("vaccination[0].date")),
            ("接種年月日（…・不明）", Member("vaccination[0].date_unknown")),
        ],
    },
    ReferenceItem { number: "19a", label: "届出時点の入院の有無", paths: &["other.hospitalised"], options: YES_NO },
    ReferenceItem {
        number: "19b",
        label: "入院例のみ（入院年月日）",
        paths: &["other.admission_date"],
        options: &[],
    },
    ReferenceItem {
        number: "19c",
        label: "重症化のリスク因子となる疾患等の有無",
        paths: &["other.risk_factors_present", "other.risk_factors"],
        options: &[
            ("有", Variant(K::YesNo)),
            ("無", Variant(K::YesNo)),
            ("悪性腫瘍", Variant(K::RiskFactor)),
            ("慢性閉塞性肺疾患（COPD）", Variant(K::RiskFactor)),
            ("慢性腎臓病", Variant(K::RiskFactor)),
            ("高血圧", Variant(K::RiskFactor)),
            ("糖尿病", Variant(K::RiskFactor)),
            ("脂質異常症", Variant(K::RiskFactor)),
            ("肥満（BMI30 以上）", Variant(K::RiskFactor)),
            ("喫煙歴", Variant(K::RiskFactor)),
            ("その他（　）", Member("other.risk_factor_other")),
        ],
    },
    ReferenceItem {
        number: "19d",
        label: "臓器の移植、免疫抑制剤、抗がん剤等の使用その他の事由により免疫の機能が低下しているおそれの有無",
        paths: &["other.immunocompromised"],
        options: YES_NO,
    },
    ReferenceItem { number: "19e", label: "妊娠の有無", paths: &["other.pregnant"], options: YES_NO },
    ReferenceItem {
        number: "19f",
        label: "重症度（「新型コロナウイルス感染症（COVID-19）診療の手引き」による。）",
        paths: &["other.severity"],
        options: &[
            ("軽症", Variant(K::Severity)),
            ("中等症Ⅰ", Variant(K::Severity)),
            ("中等症Ⅱ", Variant(K::Severity)),
            ("重症", Variant(K::Severity)),
        ],
    },
    ReferenceItem { number: "19g", label: "入院の必要性の有無", paths: &["other.admission_needed"], options: YES_NO },
    ReferenceItem {
        number: "19h",
        label: "新型コロナウイルス感染症の拡大に際しての時限的・特例的な取扱いによる電話や情報通信機器を用いた診療の有無",
        paths: &["other.telemedicine"],
        options: YES_NO,
    },
];

/// Item 12: the specimens printed under each method, verbatim (checked against [`DiagnosticMethod::specimens`]).
pub const SPECIMENS_BY_METHOD: &[(&str, &[&str])] = &[
    (
        "分離・同定による病原体の検出",
        &[
            "喀痰",
            "気管吸引液",
            "肺胞洗浄液",
            "咽頭拭い液",
            "鼻腔吸引液",
            "鼻腔拭い液",
            "鼻咽頭拭い液",
            "便",
            "唾液",
            "剖検材料",
            "その他",
        ],
    ),
    (
        "検体から核酸増幅法（PCR 法　LAMP 法など）による病原体遺伝子の検出",
        &[
            "喀痰",
            "気管吸引液",
            "肺胞洗浄液",
            "咽頭拭い液",
            "鼻腔吸引液",
            "鼻腔拭い液",
            "鼻咽頭拭い液",
            "便",
            "唾液",
            "剖検材料",
            "その他",
        ],
    ),
    (
        "抗原定性検査による病原体の抗原の検出",
        &["鼻腔拭い液", "鼻咽頭拭い液"],
    ),
    (
        "抗原定量検査による病原体の抗原の検出",
        &["鼻腔拭い液", "鼻咽頭拭い液", "唾液"],
    ),
];

/// What the limited form of 2022-09-26 adds to [`REFERENCE_ITEMS`] (every item of which it keeps): 届出の対象, the
/// four groups of the MHLW 事務連絡 of 2022-09-12 (group 3 in its two options), each a member of `target_groups`.
pub const REFERENCE_ITEMS_20220926: &[ReferenceItem] = &[ReferenceItem {
    number: "届出の対象",
    label: "届出の対象",
    paths: &[
        "target_groups.aged_65_or_over",
        "target_groups.needs_admission",
        "target_groups.risk_needs_treatment_drug",
        "target_groups.risk_needs_new_oxygen",
        "target_groups.pregnant",
    ],
    options: &[
        ("65歳以上の者", Member("target_groups.aged_65_or_over")),
        ("入院を要する者", Member("target_groups.needs_admission")),
        (
            "重症化リスクがあり、かつ、新型コロナ治療薬の投与が必要な者",
            Member("target_groups.risk_needs_treatment_drug"),
        ),
        (
            "重症化リスクがあり、かつ、新型コロナ罹患により新たに酸素投与が必要な者",
            Member("target_groups.risk_needs_new_oxygen"),
        ),
        ("妊婦", Member("target_groups.pregnant")),
    ],
}];
