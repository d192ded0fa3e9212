//! Every field of the form as a value: its JSON path in the model (what the screen and the API point at) and its
//! Japanese label (what messages name).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::model::TargetGroup;

/// Whose address: 7 当該者住所, 8 当該者所在地, 10 保護者住所.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    Patient,
    CurrentLocation,
    Guardian,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressPart {
    PostalCode,
    MunicipalityCode,
    Text,
    Phone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TestPart {
    Method,
    Specimen,
    SpecimenOther,
    SpecimenDate,
    Result,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DomesticPart {
    Prefecture,
    Municipality,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AbroadPart {
    Country,
    Detail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DosePart {
    Status,
    Age,
    VaccineType,
    Manufacturer,
    Date,
}

/// A field of the form. Indices (tests, areas, doses) count from 0 in paths and from 1 in labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    ReportDate,
    DoctorName,
    FacilityName,
    FacilityAddress,
    FacilityPhone,
    Category,
    /// 届出の対象 as a whole (form of 2022-09-26).
    TargetGroups,
    /// One group's tick.
    TargetGroup(TargetGroup),
    PatientName,
    Furigana,
    Sex,
    DateOfBirth,
    AgeAtDiagnosis,
    Occupation,
    Address(Place, AddressPart),
    CurrentLocationSameAsAddress,
    GuardianName,
    Symptoms,
    Spo2,
    SymptomOther,
    NoSymptoms,
    Tests,
    Test(usize, TestPart),
    FirstVisitDate,
    DiagnosisDate,
    InfectionDate,
    OnsetDate,
    DeathDate,
    RouteCertainty,
    RouteDroplet,
    RouteContact,
    RouteOther,
    AreaCertainty,
    Domestic(usize, DomesticPart),
    Abroad(usize, AbroadPart),
    DepartureDate,
    EntryDate,
    Dose(usize, DosePart),
    Hospitalised,
    AdmissionDate,
    HospitalName,
    RiskFactorsPresent,
    RiskFactors,
    RiskFactorOther,
    Immunocompromised,
    Pregnant,
    Severity,
    AdmissionNeeded,
    Telemedicine,
}

impl Field {
    /// The member's path in the model's JSON, e.g. `patient.address.phone`, `tests[1].specimen_date`.
    pub fn path(self) -> String {
        let simple = match self {
            Field::ReportDate => "report_date",
            Field::DoctorName => "reporter.doctor_name",
            Field::FacilityName => "reporter.facility_name",
            Field::FacilityAddress => "reporter.facility_address",
            Field::FacilityPhone => "reporter.facility_phone",
            Field::Category => "category",
            Field::TargetGroups => "target_groups",
            Field::TargetGroup(g) => return format!("target_groups.{}", g.key()),
            Field::PatientName => "patient.name",
            Field::Furigana => "patient.furigana",
            Field::Sex => "patient.sex",
            Field::DateOfBirth => "patient.date_of_birth",
            Field::AgeAtDiagnosis => "patient.age_at_diagnosis",
            Field::Occupation => "patient.occupation",
            Field::CurrentLocationSameAsAddress => "patient.current_location_same_as_address",
            Field::GuardianName => "guardian.name",
            Field::Symptoms => "symptoms.present",
            Field::Spo2 => "symptoms.spo2_percent",
            Field::SymptomOther => "symptoms.other",
            Field::NoSymptoms => "symptoms.none",
            Field::Tests => "tests",
            Field::FirstVisitDate => "first_visit_date",
            Field::DiagnosisDate => "diagnosis_date",
            Field::InfectionDate => "infection_date",
            Field::OnsetDate => "onset_date",
            Field::DeathDate => "death_date",
            Field::RouteCertainty => "infection.route.certainty",
            Field::RouteDroplet => "infection.route.droplet",
            Field::RouteContact => "infection.route.contact",
            Field::RouteOther => "infection.route.other",
            Field::AreaCertainty => "infection.area.certainty",
            Field::DepartureDate => "infection.area.departure_date",
            Field::EntryDate => "infection.area.entry_date",
            Field::Hospitalised => "other.hospitalised",
            Field::AdmissionDate => "other.admission_date",
            Field::HospitalName => "other.hospital_name",
            Field::RiskFactorsPresent => "other.risk_factors_present",
            Field::RiskFactors => "other.risk_factors",
            Field::RiskFactorOther => "other.risk_factor_other",
            Field::Immunocompromised => "other.immunocompromised",
            Field::Pregnant => "other.pregnant",
            Field::Severity => "other.severity",
            Field::AdmissionNeeded => "other.admission_needed",
            Field::Telemedicine => "other.telemedicine",
            Field::Address(place, part) => {
                let place = match place {
                    Place::Patient => "patient.address",
                    Place::CurrentLocation => "patient.current_location",
                    Place::Guardian => "guardian.address",
                };
                let part = match part {
                    AddressPart::PostalCode => "postal_code",
                    AddressPart::MunicipalityCode => "municipality_code",
                    AddressPart::Text => "text",
                    AddressPart::Phone => "phone",
                };
                return format!("{place}.{part}");
            }
            Field::Test(i, part) => {
                let part = match part {
                    TestPart::Method => "method",
                    TestPart::Specimen => "specimen",
                    TestPart::SpecimenOther => "specimen_other",
                    TestPart::SpecimenDate => "specimen_date",
                    TestPart::Result => "result",
                };
                return format!("tests[{i}].{part}");
            }
            Field::Domestic(i, part) => {
                let part = match part {
                    DomesticPart::Prefecture => "prefecture",
                    DomesticPart::Municipality => "municipality",
                };
                return format!("infection.area.domestic[{i}].{part}");
            }
            Field::Abroad(i, part) => {
                let part = match part {
                    AbroadPart::Country => "country",
                    AbroadPart::Detail => "detail",
                };
                return format!("infection.area.abroad[{i}].{part}");
            }
            Field::Dose(i, part) => {
                let part = match part {
                    DosePart::Status => "status",
                    DosePart::Age => "age",
                    DosePart::VaccineType => "vaccine_type",
                    DosePart::Manufacturer => "manufacturer",
                    DosePart::Date => "date",
                };
                return format!("vaccination[{i}].{part}");
            }
        };
        simple.to_owned()
    }

    /// The Japanese label messages use, after the form's wording.
    pub fn label(self) -> String {
        let simple = match self {
            Field::ReportDate => "報告年月日",
            Field::DoctorName => "医師の氏名",
            Field::FacilityName => "従事する病院・診療所の名称",
            Field::FacilityAddress => "病院・診療所の所在地",
            Field::FacilityPhone => "病院・診療所の電話番号",
            Field::Category => "診断（検案）した者（死体）の類型",
            Field::TargetGroups => "届出の対象",
            Field::TargetGroup(g) => return format!("届出の対象「{}」", g.label()),
            Field::PatientName => "当該者氏名",
            Field::Furigana => "フリガナ",
            Field::Sex => "性別",
            Field::DateOfBirth => "生年月日",
            Field::AgeAtDiagnosis => "診断時の年齢",
            Field::Occupation => "当該者職業",
            Field::CurrentLocationSameAsAddress => "当該者所在地（当該者住所と同様）",
            Field::GuardianName => "保護者氏名",
            Field::Symptoms => "症状",
            Field::Spo2 => "酸素飽和度（室内気）",
            Field::SymptomOther => "症状（その他）",
            Field::NoSymptoms => "症状なし",
            Field::Tests => "診断方法",
            Field::FirstVisitDate => "初診年月日",
            Field::DiagnosisDate => "診断（検案）年月日",
            Field::InfectionDate => "感染したと推定される年月日",
            Field::OnsetDate => "発病年月日",
            Field::DeathDate => "死亡年月日",
            Field::RouteCertainty => "感染原因・感染経路（確定・推定）",
            Field::RouteDroplet => "飛沫・飛沫核感染",
            Field::RouteContact => "接触感染",
            Field::RouteOther => "感染原因・感染経路（その他）",
            Field::AreaCertainty => "感染地域（確定・推定）",
            Field::DepartureDate => "渡航期間（出国日）",
            Field::EntryDate => "渡航期間（入国日）",
            Field::Hospitalised => "届出時点の入院の有無",
            Field::AdmissionDate => "入院年月日",
            Field::HospitalName => "入院先の医療機関",
            Field::RiskFactorsPresent => "重症化のリスク因子となる疾患等の有無",
            Field::RiskFactors => "重症化のリスク因子となる疾患等",
            Field::RiskFactorOther => "重症化のリスク因子（その他）",
            Field::Immunocompromised => "免疫の機能が低下しているおそれの有無",
            Field::Pregnant => "妊娠の有無",
            Field::Severity => "重症度",
            Field::AdmissionNeeded => "入院の必要性の有無",
            Field::Telemedicine => "電話や情報通信機器を用いた診療の有無",
            Field::Address(place, part) => {
                let place = match place {
                    Place::Patient => "当該者住所",
                    Place::CurrentLocation => "当該者所在地",
                    Place::Guardian => "保護者住所",
                };
                let part = match part {
                    AddressPart::PostalCode => "の郵便番号",
                    AddressPart::MunicipalityCode => "の市区町村コード",
                    AddressPart::Text => "",
                    AddressPart::Phone => "の電話番号",
                };
                return format!("{place}{part}");
            }
            Field::Test(i, part) => {
                let part = match part {
                    TestPart::Method => "検査方法",
                    TestPart::Specimen => "検体",
                    TestPart::SpecimenOther => "検体（その他）",
                    TestPart::SpecimenDate => "検体採取日",
                    TestPart::Result => "結果",
                };
                return format!("検査{}の{part}", i + 1);
            }
            Field::Domestic(i, part) => {
                let part = match part {
                    DomesticPart::Prefecture => "都道府県",
                    DomesticPart::Municipality => "市区町村",
                };
                return format!("感染地域（日本国内{}）の{part}", i + 1);
            }
            Field::Abroad(i, part) => {
                let part = match part {
                    AbroadPart::Country => "国",
                    AbroadPart::Detail => "詳細地域",
                };
                return format!("感染地域（国外{}）の{part}", i + 1);
            }
            Field::Dose(i, part) => {
                let part = match part {
                    DosePart::Status => "有無",
                    DosePart::Age => "接種時の年齢",
                    DosePart::VaccineType => "ワクチンの種類",
                    DosePart::Manufacturer => "製造会社",
                    DosePart::Date => "接種年月日",
                };
                return format!("ワクチン接種歴（{}回目）の{part}", i + 1);
            }
        };
        simple.to_owned()
    }

    /// Every field, with `indexed` entries for each list (tests, domestic and abroad areas; doses are always 3).
    pub fn all(indexed: usize) -> Vec<Field> {
        use Field::*;
        let mut all = vec![
            ReportDate,
            DoctorName,
            FacilityName,
            FacilityAddress,
            FacilityPhone,
            Category,
            TargetGroups,
            PatientName,
            Furigana,
            Sex,
            DateOfBirth,
            AgeAtDiagnosis,
            Occupation,
            CurrentLocationSameAsAddress,
            GuardianName,
            Symptoms,
            Spo2,
            SymptomOther,
            NoSymptoms,
            Tests,
            FirstVisitDate,
            DiagnosisDate,
            InfectionDate,
            OnsetDate,
            DeathDate,
            RouteCertainty,
            RouteDroplet,
            RouteContact,
            RouteOther,
            AreaCertainty,
            DepartureDate,
            EntryDate,
            Hospitalised,
            AdmissionDate,
            HospitalName,
            RiskFactorsPresent,
            RiskFactors,
            RiskFactorOther,
            Immunocompromised,
            Pregnant,
            Severity,
            AdmissionNeeded,
            Telemedicine,
        ];
        all.extend(super::model::TargetGroup::ALL.map(Field::TargetGroup));
        for place in [Place::Patient, Place::CurrentLocation, Place::Guardian] {
            for part in [
                AddressPart::PostalCode,
                AddressPart::MunicipalityCode,
                AddressPart::Text,
                AddressPart::Phone,
            ] {
                all.push(Address(place, part));
            }
        }
        for i in 0..indexed {
            for part in [
                TestPart::Method,
                TestPart::Specimen,
                TestPart::SpecimenOther,
                TestPart::SpecimenDate,
                TestPart::Result,
            ] {
                all.push(Test(i, part));
            }
            all.push(Domestic(i, DomesticPart::Prefecture));
            all.push(Domestic(i, DomesticPart::Municipality));
            all.push(Abroad(i, AbroadPart::Country));
            all.push(Abroad(i, AbroadPart::Detail));
        }
        for i in 0..super::model::VACCINE_DOSES {
            for part in [
                DosePart::Status,
                DosePart::Age,
                DosePart::VaccineType,
                DosePart::Manufacturer,
                DosePart::Date,
            ] {
                all.push(Dose(i, part));
            }
        }
        all
    }

    /// The field at `path` (the inverse of [`Field::path`]).
    pub fn from_path(path: &str) -> Option<Field> {
        // Indices in a path are small; bound the search by the largest one written.
        let index = path
            .split('[')
            .skip(1)
            .filter_map(|s| s.split(']').next()?.parse::<usize>().ok())
            .max()
            .unwrap_or(0);
        if index > 1000 {
            return None;
        }
        Field::all(index.max(super::model::MAX_TESTS) + 1)
            .into_iter()
            .find(|f| f.path() == path)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

impl Serialize for Field {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.path())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let path = String::deserialize(d)?;
        Field::from_path(&path).ok_or_else(|| serde::de::Error::custom("unknown field path"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_invert() {
        let all = Field::all(5);
        let mut paths: Vec<String> = all.iter().map(|f| f.path()).collect();
        for f in &all {
            assert_eq!(Field::from_path(&f.path()), Some(*f), "{f}");
        }
        paths.sort();
        let before = paths.len();
        paths.dedup();
        assert_eq!(before, paths.len());
        assert_eq!(Field::from_path("tests[99999].method"), None);
        assert_eq!(Field::from_path("nope"), None);
    }
}
