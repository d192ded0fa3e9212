//! Notifications for tests and benchmarks: one valid notification of each kind, and a deterministic stream of
//! varied ones (valid and broken) for throughput figures.
#![allow(dead_code)]

use chrono::{Days, NaiveDate};
use shared::notification::model::{
    AbroadArea, Address, AgeAtDiagnosis, DiagnosticTest, DomesticArea, Form20211129, VaccineDose,
};
use shared::notification::options::{
    CaseCategory, Certainty, DiagnosticMethod, RiskFactor, Severity, Sex, Specimen, Symptom,
    TestResult, VaccinationStatus, YesNo,
};
use shared::notification::Notification;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The day the fixtures are validated on.
pub fn today() -> NaiveDate {
    date(2022, 2, 10)
}

/// A confirmed adult patient with every item filled in; validates with no errors and no warnings.
pub fn confirmed_patient() -> Form20211129 {
    let mut f = Form20211129 {
        report_date: Some(date(2022, 2, 10)),
        category: Some(CaseCategory::ConfirmedPatient),
        first_visit_date: Some(date(2022, 2, 8)),
        diagnosis_date: Some(date(2022, 2, 9)),
        infection_date: Some(date(2022, 2, 3)),
        onset_date: Some(date(2022, 2, 6)),
        ..Form20211129::default()
    };
    f.reporter.doctor_name = "山田　太郎".into();
    f.reporter.facility_name = "新宿駅前クリニック".into();
    f.reporter.facility_address = "東京都新宿区西新宿1-1-1".into();
    f.reporter.facility_phone = "03-1234-5678".into();
    let p = &mut f.patient;
    p.name = "佐藤　花子".into();
    p.furigana = "サトウ　ハナコ".into();
    p.sex = Some(Sex::Female);
    p.date_of_birth = Some(date(1985, 4, 2));
    p.age_at_diagnosis = Some(AgeAtDiagnosis {
        years: 36,
        months: None,
    });
    p.occupation = "会社員".into();
    p.address = Address {
        postal_code: "160-0022".into(),
        municipality_code: "131041".into(),
        text: "東京都新宿区新宿1-2-3".into(),
        phone: "090-1234-5678".into(),
    };
    p.current_location_same_as_address = true;
    f.symptoms.present.insert(Symptom::Fever);
    f.symptoms.present.insert(Symptom::Cough);
    f.symptoms.spo2_percent = Some(97);
    f.tests.push(DiagnosticTest {
        method: Some(DiagnosticMethod::NucleicAcid),
        specimen: Some(Specimen::NasopharyngealSwab),
        specimen_other: String::new(),
        specimen_date: Some(date(2022, 2, 8)),
        result: Some(TestResult::Positive),
    });
    f.infection.route.certainty = Some(Certainty::Presumed);
    f.infection.route.contact = Some("同居家族".into());
    f.infection.area.certainty = Some(Certainty::Presumed);
    f.infection.area.domestic.push(DomesticArea {
        prefecture: "東京都".into(),
        municipality: "新宿区".into(),
    });
    f.vaccination = [
        VaccineDose {
            status: Some(VaccinationStatus::Yes),
            age: Some(36),
            vaccine_type: "mRNA".into(),
            manufacturer: "ファイザー".into(),
            date: Some(date(2021, 7, 1)),
            ..VaccineDose::default()
        },
        VaccineDose {
            status: Some(VaccinationStatus::Yes),
            age: Some(36),
            vaccine_type: "mRNA".into(),
            manufacturer: "ファイザー".into(),
            date: Some(date(2021, 7, 22)),
            ..VaccineDose::default()
        },
        VaccineDose {
            status: Some(VaccinationStatus::No),
            ..VaccineDose::default()
        },
    ];
    let o = &mut f.other;
    o.hospitalised = Some(YesNo::No);
    o.risk_factors_present = Some(YesNo::No);
    o.immunocompromised = Some(YesNo::No);
    o.pregnant = Some(YesNo::No);
    o.severity = Some(Severity::Mild);
    o.admission_needed = Some(YesNo::No);
    o.telemedicine = Some(YesNo::No);
    f
}

/// Every member filled, including those only some categories use (for the field-coverage and serde tests; it
/// breaks rules on purpose).
pub fn everything_filled() -> Form20211129 {
    let mut f = confirmed_patient();
    f.death_date = Some(date(2022, 2, 9));
    f.patient.age_at_diagnosis = Some(AgeAtDiagnosis {
        years: 0,
        months: Some(3),
    });
    f.patient.current_location = Address {
        postal_code: "1000001".into(),
        municipality_code: "131016".into(),
        text: "東京都千代田区千代田1-1".into(),
        phone: "0312345678".into(),
    };
    f.guardian.name = "佐藤　一郎".into();
    f.guardian.address = f.patient.address.clone();
    f.symptoms.other = Some("咽頭痛".into());
    f.symptoms.none = true;
    if let Some(t) = f.tests.first_mut() {
        t.specimen = Some(Specimen::Other);
        t.specimen_other = "鼻汁".into();
    }
    f.infection.route.droplet = Some("会食".into());
    f.infection.route.other = Some("不明".into());
    f.infection.area.abroad.push(AbroadArea {
        country: "韓国".into(),
        detail: "ソウル".into(),
    });
    f.infection.area.departure_date = Some(date(2022, 1, 20));
    f.infection.area.entry_date = Some(date(2022, 1, 30));
    for d in f.vaccination.iter_mut() {
        d.status = Some(VaccinationStatus::Yes);
        d.age = Some(36);
        d.vaccine_type = "mRNA".into();
        d.manufacturer = "モデルナ".into();
        d.vaccine_unknown = true;
        d.date = Some(date(2021, 8, 1));
        d.date_unknown = true;
    }
    f.other.hospitalised = Some(YesNo::Yes);
    f.other.admission_date = Some(date(2022, 2, 9));
    f.other.hospital_name = "新宿総合病院".into();
    f.other.risk_factors_present = Some(YesNo::Yes);
    f.other.risk_factors.insert(RiskFactor::Diabetes);
    f.other.risk_factor_other = Some("喘息".into());
    f
}

/// A suspected patient needing admission (the only kind of 疑似症患者 that is notified).
pub fn suspected_patient() -> Form20211129 {
    let mut f = confirmed_patient();
    f.category = Some(CaseCategory::SuspectedPatient);
    f.onset_date = None;
    f.other.admission_needed = Some(YesNo::Yes);
    f.other.hospitalised = Some(YesNo::Yes);
    f.other.admission_date = Some(date(2022, 2, 9));
    f.other.hospital_name = "新宿総合病院".into();
    f.other.severity = Some(Severity::ModerateII);
    f.symptoms.spo2_percent = Some(92);
    if let Some(t) = f.tests.first_mut() {
        t.result = Some(TestResult::Other);
    }
    f
}

/// The body of a person who died of the infection, examined the day after death.
pub fn deceased() -> Form20211129 {
    let mut f = confirmed_patient();
    f.category = Some(CaseCategory::DeceasedPatient);
    f.onset_date = None;
    f.death_date = Some(date(2022, 2, 8));
    f.diagnosis_date = Some(date(2022, 2, 9));
    f.first_visit_date = None;
    f
}

/// A child (minor) with a guardian.
pub fn minor_with_guardian() -> Form20211129 {
    let mut f = confirmed_patient();
    f.patient.date_of_birth = Some(date(2021, 10, 20));
    f.patient.age_at_diagnosis = Some(AgeAtDiagnosis {
        years: 0,
        months: Some(3),
    });
    f.patient.occupation = "なし".into();
    f.guardian.name = "佐藤　一郎".into();
    f.guardian.address = f.patient.address.clone();
    f.vaccination = Default::default();
    f.vaccination[0].status = Some(VaccinationStatus::No);
    f
}

/// The `i`-th of a deterministic stream of varied notifications: categories, ages, tests, areas and doses vary,
/// and some break a rule (i % 10 < 3: onset after diagnosis where there is an onset, a short phone number, an
/// 8-digit postal code; 7,500 of the first 10,000 are fileable).
pub fn varied(i: u64) -> Notification {
    let mut f = match i % 4 {
        0 => confirmed_patient(),
        1 => suspected_patient(),
        2 => deceased(),
        _ => minor_with_guardian(),
    };
    let shift = i % 30;
    let back = |d: Option<NaiveDate>| d.and_then(|d| d.checked_sub_days(Days::new(shift)));
    f.report_date = back(f.report_date);
    f.first_visit_date = back(f.first_visit_date);
    f.diagnosis_date = back(f.diagnosis_date);
    f.infection_date = back(f.infection_date);
    f.onset_date = back(f.onset_date);
    f.death_date = back(f.death_date);
    f.other.admission_date = back(f.other.admission_date);
    for t in f.tests.iter_mut() {
        t.specimen_date = back(t.specimen_date);
    }
    // An infant's age in months moves with the diagnosis date.
    if let (Some(birth), Some(diagnosis)) = (f.patient.date_of_birth, f.diagnosis_date) {
        if let Some(age) =
            shared::notification::dates::age_on(birth, diagnosis).filter(|a| a.years == 0)
        {
            f.patient.age_at_diagnosis = Some(AgeAtDiagnosis {
                years: 0,
                months: u8::try_from(age.months).ok(),
            });
        }
    }
    for extra in 0..(i % 4) as usize {
        let methods = DiagnosticMethod::ALL;
        let method = methods.get(extra % methods.len()).copied();
        f.tests.push(DiagnosticTest {
            method,
            specimen: Some(Specimen::NasalSwab),
            specimen_other: String::new(),
            specimen_date: f.tests.first().and_then(|t| t.specimen_date),
            result: Some(TestResult::Negative),
        });
    }
    if i.is_multiple_of(7) {
        f.infection.area.abroad.push(AbroadArea {
            country: "タイ".into(),
            detail: "バンコク".into(),
        });
        f.infection.area.entry_date = f.first_visit_date;
    }
    f.patient.furigana = if i.is_multiple_of(2) {
        "さとう　はなこ".into()
    } else {
        "ｻﾄｳ ﾊﾅｺ".into()
    };
    match i % 10 {
        0 => f.onset_date = f.onset_date.and_then(|d| d.checked_add_days(Days::new(10))),
        1 => f.patient.address.phone = "03-123".into(),
        2 => f.patient.address.postal_code = "160-00222".into(),
        _ => {}
    }
    Notification::R20211129(f)
}
