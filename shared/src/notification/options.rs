//! The closed choices of the form (別記様式6-1), each with its printed Japanese label verbatim.
//!
//! JSON carries the snake_case variant name (stable); the label is what the form and the screen show.

use serde::{Deserialize, Serialize};

/// Declares an option enum with its labels, `ALL`, `label()` and `from_label()`.
macro_rules! options {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $label:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every option, in the order the form prints them.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The label printed on the form.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            /// The option whose printed label is `label` (exactly).
            pub fn from_label(label: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|o| o.label() == label)
            }
        }
    };
}
pub(crate) use options;

options! {
    /// Item 1: 診断（検案）した者（死体）の類型.
    CaseCategory {
        ConfirmedPatient => "患者（確定例）",
        AsymptomaticCarrier => "無症状病原体保有者",
        SuspectedPatient => "疑似症患者",
        DeceasedPatient => "感染症死亡者の死体",
        SuspectedDeceased => "感染症死亡疑い者の死体",
    }
}

impl CaseCategory {
    /// The two 死体 categories: item 17 (death) and 検案 in item 14 apply only to them (※).
    pub fn is_body(self) -> bool {
        matches!(
            self,
            CaseCategory::DeceasedPatient | CaseCategory::SuspectedDeceased
        )
    }
}

options! {
    /// Item 3: 性別.
    Sex {
        Male => "男",
        Female => "女",
    }
}

options! {
    /// Item 11: the symptoms the form lists (each 有 when present; 無 by default, manual 4.2).
    Symptom {
        Fever => "発熱",
        Cough => "咳",
        AcuteRespiratoryOtherThanCough => "咳以外の急性呼吸器症状",
        PneumoniaFindings => "肺炎像",
        SeverePneumonia => "重篤な肺炎",
        Ards => "急性呼吸窮迫症候群",
        MultipleOrganFailure => "多臓器不全",
        Fatigue => "全身倦怠感",
        Headache => "頭痛",
        NauseaVomiting => "嘔気/嘔吐",
        Diarrhoea => "下痢",
        Conjunctivitis => "結膜炎",
        SmellTasteDisorder => "嗅覚・味覚障害",
    }
}

options! {
    /// Item 12: the four diagnostic methods.
    DiagnosticMethod {
        Isolation => "分離・同定による病原体の検出",
        NucleicAcid => "検体から核酸増幅法（PCR 法　LAMP 法など）による病原体遺伝子の検出",
        AntigenQualitative => "抗原定性検査による病原体の抗原の検出",
        AntigenQuantitative => "抗原定量検査による病原体の抗原の検出",
    }
}

options! {
    /// Item 12: 検体 (which ones a method allows: [`DiagnosticMethod::allows`]).
    Specimen {
        Sputum => "喀痰",
        TrachealAspirate => "気管吸引液",
        BronchoalveolarLavage => "肺胞洗浄液",
        PharyngealSwab => "咽頭拭い液",
        NasalAspirate => "鼻腔吸引液",
        NasalSwab => "鼻腔拭い液",
        NasopharyngealSwab => "鼻咽頭拭い液",
        Stool => "便",
        Saliva => "唾液",
        AutopsyMaterial => "剖検材料",
        Other => "その他",
    }
}

impl DiagnosticMethod {
    /// The specimens the form prints under this method.
    pub fn specimens(self) -> &'static [Specimen] {
        match self {
            DiagnosticMethod::Isolation | DiagnosticMethod::NucleicAcid => Specimen::ALL,
            DiagnosticMethod::AntigenQualitative => {
                &[Specimen::NasalSwab, Specimen::NasopharyngealSwab]
            }
            DiagnosticMethod::AntigenQuantitative => &[
                Specimen::NasalSwab,
                Specimen::NasopharyngealSwab,
                Specimen::Saliva,
            ],
        }
    }

    pub fn allows(self, specimen: Specimen) -> bool {
        self.specimens().contains(&specimen)
    }
}

options! {
    /// Item 12: 結果. The form prints 陽性・陰性; the manual (4.2) adds その他 for a suspected patient's unknown result.
    TestResult {
        Positive => "陽性",
        Negative => "陰性",
        Other => "その他",
    }
}

options! {
    /// Item 18 ① and ②: （確定・推定）.
    Certainty {
        Confirmed => "確定",
        Presumed => "推定",
    }
}

options! {
    /// Item 18 ③, per dose: 有・無・不明.
    VaccinationStatus {
        Yes => "有",
        No => "無",
        Unknown => "不明",
    }
}

options! {
    /// Item 19: every （有・無） question.
    YesNo {
        Yes => "有",
        No => "無",
    }
}

options! {
    /// Item 19: 重症化のリスク因子となる疾患等 (「※有の場合は、以下から選択」).
    RiskFactor {
        MalignantTumour => "悪性腫瘍",
        Copd => "慢性閉塞性肺疾患（COPD）",
        ChronicKidneyDisease => "慢性腎臓病",
        Hypertension => "高血圧",
        Diabetes => "糖尿病",
        Dyslipidaemia => "脂質異常症",
        Obesity => "肥満（BMI30 以上）",
        SmokingHistory => "喫煙歴",
    }
}

options! {
    /// Item 19: 重症度（「新型コロナウイルス感染症（COVID-19）診療の手引き」による。）.
    Severity {
        Mild => "軽症",
        ModerateI => "中等症Ⅰ",
        // Not serde's `moderate_i_i`.
        #[serde(rename = "moderate_ii")]
        ModerateII => "中等症Ⅱ",
        Severe => "重症",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_unique_and_round_trip() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            label: fn(T) -> &'static str,
            from: fn(&str) -> Option<T>,
        ) {
            for &o in all {
                assert_eq!(from(label(o)), Some(o));
            }
        }
        check(
            CaseCategory::ALL,
            CaseCategory::label,
            CaseCategory::from_label,
        );
        check(Sex::ALL, Sex::label, Sex::from_label);
        check(Symptom::ALL, Symptom::label, Symptom::from_label);
        check(
            DiagnosticMethod::ALL,
            DiagnosticMethod::label,
            DiagnosticMethod::from_label,
        );
        check(Specimen::ALL, Specimen::label, Specimen::from_label);
        check(TestResult::ALL, TestResult::label, TestResult::from_label);
        check(Certainty::ALL, Certainty::label, Certainty::from_label);
        check(
            VaccinationStatus::ALL,
            VaccinationStatus::label,
            VaccinationStatus::from_label,
        );
        check(YesNo::ALL, YesNo::label, YesNo::from_label);
        check(RiskFactor::ALL, RiskFactor::label, RiskFactor::from_label);
        check(Severity::ALL, Severity::label, Severity::from_label);
    }

    #[test]
    fn severity_codes_read_as_written() {
        assert_eq!(
            serde_json::to_string(&Severity::ModerateII).unwrap(),
            "\"moderate_ii\""
        );
        assert_eq!(
            serde_json::to_string(&Severity::ModerateI).unwrap(),
            "\"moderate_i\""
        );
    }

    #[test]
    fn antigen_qualitative_allows_only_nasal_specimens() {
        assert!(DiagnosticMethod::AntigenQualitative.allows(Specimen::NasalSwab));
        assert!(!DiagnosticMethod::AntigenQualitative.allows(Specimen::Saliva));
        assert!(DiagnosticMethod::AntigenQuantitative.allows(Specimen::Saliva));
        assert!(DiagnosticMethod::NucleicAcid.allows(Specimen::Other));
    }
}
