//! What the form shows, built from the current state: its sections, their fields (path, label, kind) and which
//! conditional items apply (guardian only for a minor, onset only for a confirmed case, …). Two orders over the
//! same sections: the task order (default, quickest to fill) and the legal form's order (法令様式).

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use shared::notification::conditional::applies;
use shared::notification::model::{TargetGroup, MAX_TESTS, VACCINE_DOSES};
use shared::notification::options::{
    CaseCategory, Certainty, DiagnosticMethod, RiskFactor, Severity, Sex, Specimen, Symptom,
    TestResult, VaccinationStatus, YesNo,
};
use shared::notification::Field;

use shared::notification::json_path::get;

/// Which address a postal code fills.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Place {
    Patient,
    CurrentLocation,
    Guardian,
}

impl Place {
    pub fn path(self) -> &'static str {
        match self {
            Place::Patient => "patient.address",
            Place::CurrentLocation => "patient.current_location",
            Place::Guardian => "guardian.address",
        }
    }
}

/// A closed list of choices (from `shared`'s options, with the form's labels).
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Opts {
    Category,
    Sex,
    Symptom,
    Method,
    /// The specimens the chosen method allows.
    Specimen(Option<DiagnosticMethod>),
    Result,
    Certainty,
    Vaccination,
    YesNo,
    Risk,
    Severity,
}

fn list<T: Serialize + Copy>(
    all: &[T],
    label: fn(T) -> &'static str,
) -> Vec<(String, &'static str)> {
    all.iter()
        .map(|&o| {
            let key = serde_json::to_value(o)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            (key, label(o))
        })
        .collect()
}

impl Opts {
    /// `(JSON value, label)` in the form's order.
    pub fn choices(self) -> Vec<(String, &'static str)> {
        match self {
            Opts::Category => list(CaseCategory::ALL, CaseCategory::label),
            Opts::Sex => list(Sex::ALL, Sex::label),
            Opts::Symptom => list(Symptom::ALL, Symptom::label),
            Opts::Method => list(DiagnosticMethod::ALL, short_method),
            Opts::Specimen(m) => list(m.map_or(Specimen::ALL, |m| m.specimens()), Specimen::label),
            Opts::Result => list(TestResult::ALL, TestResult::label),
            Opts::Certainty => list(Certainty::ALL, Certainty::label),
            Opts::Vaccination => list(VaccinationStatus::ALL, VaccinationStatus::label),
            Opts::YesNo => list(YesNo::ALL, YesNo::label),
            Opts::Risk => list(RiskFactor::ALL, RiskFactor::label),
            Opts::Severity => list(Severity::ALL, Severity::label),
        }
    }
}

/// The methods' labels are long; the buttons show their gist (the print shows the full label).
fn short_method(m: DiagnosticMethod) -> &'static str {
    match m {
        DiagnosticMethod::Isolation => "分離・同定",
        DiagnosticMethod::NucleicAcid => "核酸増幅法（PCR・LAMP等）",
        DiagnosticMethod::AntigenQualitative => "抗原定性検査",
        DiagnosticMethod::AntigenQuantitative => "抗原定量検査",
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Kind {
    Text,
    /// Furigana (katakana; hiragana and half-width are normalised by `shared`).
    Kana,
    Tel,
    Postal(Place),
    /// An address's text: its municipality code follows what it names (see `input::follow_text`).
    Address(Place),
    Date,
    Number,
    Choice(Opts),
    Multi(Opts),
    Check,
    /// A tick that may carry a text (`null` = not ticked, `""` = ticked without detail).
    TickText,
    /// 医師の氏名: typed, or picked from the institution's doctor list.
    Doctor,
}

#[derive(Clone, PartialEq, Debug)]
pub struct FieldSpec {
    pub path: String,
    pub label: String,
    pub kind: Kind,
    pub hint: &'static str,
}

fn fs(path: impl Into<String>, label: impl Into<String>, kind: Kind) -> FieldSpec {
    FieldSpec {
        path: path.into(),
        label: label.into(),
        kind,
        hint: "",
    }
}

impl FieldSpec {
    fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum SectionId {
    Category,
    Patient,
    Symptoms,
    Tests,
    Dates,
    Clinical,
    Infection,
    Reporter,
}

impl SectionId {
    /// Task order: what a doctor knows first comes first; the header (filled from the account) last.
    pub const TASK: [SectionId; 8] = [
        SectionId::Category,
        SectionId::Patient,
        SectionId::Symptoms,
        SectionId::Tests,
        SectionId::Dates,
        SectionId::Clinical,
        SectionId::Infection,
        SectionId::Reporter,
    ];
    /// The printed form's order (別記様式6-1): header, 1–8, 11, 12, 13–17, 18, 19.
    pub const LEGAL: [SectionId; 8] = [
        SectionId::Reporter,
        SectionId::Category,
        SectionId::Patient,
        SectionId::Symptoms,
        SectionId::Tests,
        SectionId::Dates,
        SectionId::Infection,
        SectionId::Clinical,
    ];

    pub fn title(self) -> &'static str {
        match self {
            SectionId::Category => "類型（1）",
            SectionId::Patient => "患者（2〜10）",
            SectionId::Symptoms => "症状（11）",
            SectionId::Tests => "診断方法・検査（12）",
            SectionId::Dates => "日付（13〜17）",
            SectionId::Clinical => "重症度・入院など（19）",
            SectionId::Infection => "感染原因・感染地域・ワクチン（18）",
            SectionId::Reporter => "届出者（医師・医療機関）",
        }
    }

    pub fn anchor(self) -> &'static str {
        match self {
            SectionId::Category => "sec-category",
            SectionId::Patient => "sec-patient",
            SectionId::Symptoms => "sec-symptoms",
            SectionId::Tests => "sec-tests",
            SectionId::Dates => "sec-dates",
            SectionId::Clinical => "sec-clinical",
            SectionId::Infection => "sec-infection",
            SectionId::Reporter => "sec-reporter",
        }
    }
}

/// The section a field (or a finding's path) belongs to: every path has one, so a chip can never count a section
/// complete while one of its findings is open.
pub fn section_of(path: &str) -> SectionId {
    let head = path.split(['.', '[']).next().unwrap_or_default();
    match head {
        "category" | "target_groups" => SectionId::Category,
        "patient" | "guardian" => SectionId::Patient,
        "symptoms" => SectionId::Symptoms,
        "tests" => SectionId::Tests,
        "first_visit_date" | "diagnosis_date" | "infection_date" | "onset_date" | "death_date" => {
            SectionId::Dates
        }
        "other" => SectionId::Clinical,
        "infection" | "vaccination" => SectionId::Infection,
        _ => SectionId::Reporter,
    }
}

fn address(out: &mut Vec<FieldSpec>, place: Place, label: &str) {
    let p = place.path();
    out.push(
        fs(
            format!("{p}.postal_code"),
            format!("{label} 郵便番号"),
            Kind::Postal(place),
        )
        .hint("7桁を入力すると住所を補います"),
    );
    out.push(fs(
        format!("{p}.text"),
        label.to_string(),
        Kind::Address(place),
    ));
    out.push(fs(
        format!("{p}.phone"),
        format!("{label} 電話番号"),
        Kind::Tel,
    ));
}

/// 届出の対象 (the limited form of 2022-09-26, shown under 類型): each group that can apply, as a large tick; none
/// on the full form.
pub fn target_group_fields(state: &Value, today: NaiveDate) -> Vec<FieldSpec> {
    let form = super::read_form(state).unwrap_or_default();
    let mut out = Vec::new();
    for g in TargetGroup::ALL {
        let path = Field::TargetGroup(g).path();
        if applies(&form, today, &path) {
            let spec = fs(path, format!("{}{}", g.number(), g.label()), Kind::Check);
            out.push(if g == TargetGroup::Aged65OrOver {
                spec.hint("生年月日と診断年月日から自動で選ばれます")
            } else {
                spec
            });
        }
    }
    out
}

/// The fields of one section as they apply to the current state.
pub fn fields(section: SectionId, state: &Value, today: NaiveDate) -> Vec<FieldSpec> {
    let mut out = Vec::new();
    // Which conditional fields show is `shared`'s rule, the same one that sets their values aside.
    let form = super::read_form(state).unwrap_or_default();
    let ap = |path: &str| applies(&form, today, path);
    match section {
        SectionId::Category => {
            out.push(fs(
                "category",
                "診断（検案）した者（死体）の類型",
                Kind::Choice(Opts::Category),
            ));
        }
        SectionId::Patient => {
            out.push(fs("patient.name", "当該者氏名", Kind::Text));
            out.push(
                fs("patient.furigana", "フリガナ", Kind::Kana)
                    .hint("ひらがな・半角でも入力できます"),
            );
            out.push(fs("patient.sex", "性別", Kind::Choice(Opts::Sex)));
            out.push(fs("patient.date_of_birth", "生年月日", Kind::Date));
            out.push(fs("patient.occupation", "職業", Kind::Text));
            address(&mut out, Place::Patient, "住所");
            out.push(fs(
                "patient.current_location_same_as_address",
                "所在地（現在いる場所）は住所と同じ",
                Kind::Check,
            ));
            if ap("patient.current_location") {
                address(&mut out, Place::CurrentLocation, "所在地");
            }
            if ap("guardian.name") {
                out.push(fs(
                    "guardian.name",
                    "保護者氏名（未成年のため）",
                    Kind::Text,
                ));
                address(&mut out, Place::Guardian, "保護者住所");
            }
        }
        SectionId::Symptoms => {
            out.push(fs(
                "symptoms.present",
                "症状（選んだものが「有」、他は「無」）",
                Kind::Multi(Opts::Symptom),
            ));
            out.push(fs("symptoms.other", "その他の症状", Kind::TickText));
            out.push(fs(
                "symptoms.spo2_percent",
                "酸素飽和度（室内気）％",
                Kind::Number,
            ));
        }
        SectionId::Tests => {
            let n = get(state, "tests")
                .as_array()
                .map_or(0, Vec::len)
                .min(MAX_TESTS);
            for i in 0..n {
                let label = format!("検査{}", i + 1);
                let method =
                    serde_json::from_value(get(state, &format!("tests[{i}].method")).clone()).ok();
                out.push(fs(
                    format!("tests[{i}].method"),
                    format!("{label} 診断方法"),
                    Kind::Choice(Opts::Method),
                ));
                out.push(fs(
                    format!("tests[{i}].specimen"),
                    format!("{label} 検体"),
                    Kind::Choice(Opts::Specimen(method)),
                ));
                if ap(&format!("tests[{i}].specimen_other")) {
                    out.push(fs(
                        format!("tests[{i}].specimen_other"),
                        format!("{label} 検体（その他）"),
                        Kind::Text,
                    ));
                }
                out.push(fs(
                    format!("tests[{i}].specimen_date"),
                    format!("{label} 検体採取日"),
                    Kind::Date,
                ));
                out.push(fs(
                    format!("tests[{i}].result"),
                    format!("{label} 結果"),
                    Kind::Choice(Opts::Result),
                ));
            }
        }
        SectionId::Dates => {
            out.push(fs("diagnosis_date", "診断（検案）年月日", Kind::Date));
            if ap("first_visit_date") {
                out.push(fs("first_visit_date", "初診年月日", Kind::Date));
            }
            if ap("onset_date") {
                out.push(fs("onset_date", "発病年月日", Kind::Date));
            }
            out.push(fs(
                "infection_date",
                "感染したと推定される年月日",
                Kind::Date,
            ));
            if ap("death_date") {
                out.push(fs("death_date", "死亡年月日", Kind::Date));
            }
        }
        SectionId::Clinical => {
            out.push(fs("other.severity", "重症度", Kind::Choice(Opts::Severity)));
            out.push(fs(
                "other.hospitalised",
                "届出時点の入院",
                Kind::Choice(Opts::YesNo),
            ));
            if ap("other.admission_date") {
                out.push(fs("other.admission_date", "入院年月日", Kind::Date));
                out.push(fs("other.hospital_name", "入院先の医療機関", Kind::Text));
            }
            out.push(fs(
                "other.admission_needed",
                "入院の必要性",
                Kind::Choice(Opts::YesNo),
            ));
            out.push(fs(
                "other.risk_factors_present",
                "重症化のリスク因子となる疾患等",
                Kind::Choice(Opts::YesNo),
            ));
            if ap("other.risk_factors") {
                out.push(fs(
                    "other.risk_factors",
                    "リスク因子",
                    Kind::Multi(Opts::Risk),
                ));
                out.push(fs(
                    "other.risk_factor_other",
                    "リスク因子（その他）",
                    Kind::TickText,
                ));
            }
            out.push(fs(
                "other.immunocompromised",
                "免疫の機能が低下しているおそれ",
                Kind::Choice(Opts::YesNo),
            ));
            if ap("other.pregnant") {
                out.push(fs("other.pregnant", "妊娠", Kind::Choice(Opts::YesNo)));
            }
            out.push(fs(
                "other.telemedicine",
                "電話・情報通信機器を用いた診療",
                Kind::Choice(Opts::YesNo),
            ));
        }
        SectionId::Infection => {
            out.push(fs(
                "infection.route.certainty",
                "感染原因・感染経路",
                Kind::Choice(Opts::Certainty),
            ));
            out.push(fs(
                "infection.route.droplet",
                "飛沫・飛沫核感染（感染源の種類・状況）",
                Kind::TickText,
            ));
            out.push(fs(
                "infection.route.contact",
                "接触感染（接触した人・物の種類・状況）",
                Kind::TickText,
            ));
            out.push(fs(
                "infection.route.other",
                "その他の感染経路",
                Kind::TickText,
            ));
            out.push(fs(
                "infection.area.certainty",
                "感染地域",
                Kind::Choice(Opts::Certainty),
            ));
            out.push(fs(
                "infection.area.domestic[0].prefecture",
                "日本国内 都道府県",
                Kind::Text,
            ));
            out.push(fs(
                "infection.area.domestic[0].municipality",
                "日本国内 市区町村",
                Kind::Text,
            ));
            out.push(fs(
                "infection.area.abroad[0].country",
                "国外 国",
                Kind::Text,
            ));
            if ap("infection.area.departure_date") {
                out.push(fs(
                    "infection.area.abroad[0].detail",
                    "国外 詳細地域",
                    Kind::Text,
                ));
                out.push(fs(
                    "infection.area.departure_date",
                    "渡航期間 出国日",
                    Kind::Date,
                ));
                out.push(fs(
                    "infection.area.entry_date",
                    "渡航期間 入国日",
                    Kind::Date,
                ));
            }
            for i in 0..VACCINE_DOSES {
                let label = format!("ワクチン{}回目", i + 1);
                out.push(fs(
                    format!("vaccination[{i}].status"),
                    format!("{label} 接種"),
                    Kind::Choice(Opts::Vaccination),
                ));
                if ap(&format!("vaccination[{i}].age")) {
                    out.push(fs(
                        format!("vaccination[{i}].age"),
                        format!("{label} 接種時の年齢"),
                        Kind::Number,
                    ));
                    out.push(fs(
                        format!("vaccination[{i}].vaccine_type"),
                        format!("{label} ワクチンの種類"),
                        Kind::Text,
                    ));
                    out.push(fs(
                        format!("vaccination[{i}].manufacturer"),
                        format!("{label} 製造会社"),
                        Kind::Text,
                    ));
                    out.push(fs(
                        format!("vaccination[{i}].vaccine_unknown"),
                        format!("{label} 種類・製造会社 不明"),
                        Kind::Check,
                    ));
                    out.push(fs(
                        format!("vaccination[{i}].date"),
                        format!("{label} 接種年月日"),
                        Kind::Date,
                    ));
                    out.push(fs(
                        format!("vaccination[{i}].date_unknown"),
                        format!("{label} 接種年月日 不明"),
                        Kind::Check,
                    ));
                }
            }
        }
        SectionId::Reporter => {
            out.push(fs("report_date", "報告年月日", Kind::Date));
            out.push(
                fs("reporter.doctor_name", "医師の氏名", Kind::Doctor)
                    .hint("医師一覧から選べます（一覧は画面上部の「キー管理」で編集）"),
            );
            out.push(fs(
                "reporter.facility_name",
                "従事する病院・診療所の名称",
                Kind::Text,
            ));
            out.push(fs(
                "reporter.facility_address",
                "上記病院・診療所の所在地",
                Kind::Text,
            ));
            out.push(fs("reporter.facility_phone", "電話番号", Kind::Tel));
        }
    }
    out
}
