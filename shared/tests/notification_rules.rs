//! Every rule of the form, table-driven: a valid notification of each kind passes, and each way of breaking a
//! rule yields exactly the error (code and field) that names it.

#[path = "../examples/support/notification_fixture.rs"]
mod fixture;

use fixture::{confirmed_patient, date, deceased, minor_with_guardian, suspected_patient, today};
use shared::notification::field::{
    AbroadPart, AddressPart, DomesticPart, DosePart, Field, Place, TestPart,
};
use shared::notification::model::{
    AbroadArea, AgeAtDiagnosis, DiagnosticTest, DomesticArea, Form20211129,
};
use shared::notification::options::{
    CaseCategory, Certainty, DiagnosticMethod, RiskFactor, Severity, Sex, Specimen, Symptom,
    TestResult, VaccinationStatus, YesNo,
};
use shared::notification::validate::{
    validate_20211129, IssueSeverity, ValidationError, ValidationWarning,
};
use shared::notification::{validate, Notification};

#[test]
fn valid_notifications_of_every_kind_pass() {
    for (name, form) in [
        ("confirmed", confirmed_patient()),
        ("suspected", suspected_patient()),
        ("deceased", deceased()),
        ("minor", minor_with_guardian()),
    ] {
        let report = validate_20211129(&form, today());
        assert!(report.errors.is_empty(), "{name}: {:#?}", report.errors);
    }
    let report = validate_20211129(&confirmed_patient(), today());
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
}

type Mutation = fn(&mut Form20211129);
/// (what breaks, the base, the change, the code expected, the field it must point at)
type Case = (
    &'static str,
    fn() -> Form20211129,
    Mutation,
    &'static str,
    Field,
);

/// (what breaks, the base, the change, the code expected, the field it must point at)
fn error_cases() -> Vec<Case> {
    vec![
        (
            "no report date",
            confirmed_patient,
            |f| f.report_date = None,
            "required",
            Field::ReportDate,
        ),
        (
            "no doctor",
            confirmed_patient,
            |f| f.reporter.doctor_name = " ".into(),
            "required",
            Field::DoctorName,
        ),
        (
            "no facility",
            confirmed_patient,
            |f| f.reporter.facility_name.clear(),
            "required",
            Field::FacilityName,
        ),
        (
            "no facility address",
            confirmed_patient,
            |f| f.reporter.facility_address.clear(),
            "required",
            Field::FacilityAddress,
        ),
        (
            "no facility phone",
            confirmed_patient,
            |f| f.reporter.facility_phone.clear(),
            "required",
            Field::FacilityPhone,
        ),
        (
            "no category",
            confirmed_patient,
            |f| f.category = None,
            "required",
            Field::Category,
        ),
        (
            "no name",
            confirmed_patient,
            |f| f.patient.name.clear(),
            "required",
            Field::PatientName,
        ),
        (
            "no sex",
            confirmed_patient,
            |f| f.patient.sex = None,
            "required",
            Field::Sex,
        ),
        (
            "no birth date",
            confirmed_patient,
            |f| f.patient.date_of_birth = None,
            "required",
            Field::DateOfBirth,
        ),
        (
            "no diagnosis date",
            confirmed_patient,
            |f| f.diagnosis_date = None,
            "required",
            Field::DiagnosisDate,
        ),
        (
            "no address",
            confirmed_patient,
            |f| f.patient.address.text.clear(),
            "required",
            Field::Address(Place::Patient, AddressPart::Text),
        ),
        (
            "no current location",
            confirmed_patient,
            |f| f.patient.current_location_same_as_address = false,
            "required",
            Field::Address(Place::CurrentLocation, AddressPart::Text),
        ),
        (
            "location given although same",
            confirmed_patient,
            |f| f.patient.current_location.text = "東京都".into(),
            "current_location_given_with_same_as_address",
            Field::CurrentLocationSameAsAddress,
        ),
        (
            "onset for asymptomatic",
            confirmed_patient,
            |f| {
                f.category = Some(CaseCategory::AsymptomaticCarrier);
                f.symptoms = Default::default();
            },
            "onset_date_only_for_confirmed_patient",
            Field::OnsetDate,
        ),
        (
            "onset for suspected",
            suspected_patient,
            |f| f.onset_date = Some(date(2022, 2, 6)),
            "onset_date_only_for_confirmed_patient",
            Field::OnsetDate,
        ),
        (
            "death for a patient",
            confirmed_patient,
            |f| f.death_date = Some(date(2022, 2, 9)),
            "death_date_only_for_bodies",
            Field::DeathDate,
        ),
        (
            "body without death date",
            deceased,
            |f| f.death_date = None,
            "required",
            Field::DeathDate,
        ),
        (
            "suspected not needing admission",
            suspected_patient,
            |f| f.other.admission_needed = Some(YesNo::No),
            "suspected_patient_not_needing_admission",
            Field::AdmissionNeeded,
        ),
        (
            "suspected, admission blank",
            suspected_patient,
            |f| f.other.admission_needed = None,
            "suspected_patient_not_needing_admission",
            Field::AdmissionNeeded,
        ),
        (
            "confirmed without positive test",
            confirmed_patient,
            |f| f.tests[0].result = Some(TestResult::Negative),
            "positive_test_required",
            Field::Tests,
        ),
        (
            "confirmed without tests",
            confirmed_patient,
            |f| f.tests.clear(),
            "positive_test_required",
            Field::Tests,
        ),
        (
            "symptoms for asymptomatic carrier",
            confirmed_patient,
            |f| {
                f.category = Some(CaseCategory::AsymptomaticCarrier);
                f.onset_date = None;
            },
            "symptoms_for_asymptomatic_carrier",
            Field::Symptoms,
        ),
        (
            "diagnosis in the future",
            confirmed_patient,
            |f| {
                f.diagnosis_date = Some(date(2022, 2, 11));
                f.report_date = Some(date(2022, 2, 11));
            },
            "date_in_future",
            Field::DiagnosisDate,
        ),
        (
            "birth in the future",
            confirmed_patient,
            |f| f.patient.date_of_birth = Some(date(2022, 2, 11)),
            "date_in_future",
            Field::DateOfBirth,
        ),
        (
            "specimen in the future",
            confirmed_patient,
            |f| f.tests[0].specimen_date = Some(date(2022, 3, 1)),
            "date_in_future",
            Field::Test(0, TestPart::SpecimenDate),
        ),
        (
            "onset before birth",
            minor_with_guardian,
            |f| f.onset_date = Some(date(2021, 10, 1)),
            "date_before_birth",
            Field::OnsetDate,
        ),
        (
            "vaccination before birth",
            confirmed_patient,
            |f| f.patient.date_of_birth = Some(date(2021, 7, 10)),
            "date_before_birth",
            Field::Dose(0, DosePart::Date),
        ),
        (
            "infection before the pandemic",
            confirmed_patient,
            |f| f.infection_date = Some(date(2019, 11, 30)),
            "date_before_pandemic",
            Field::InfectionDate,
        ),
        (
            "onset before infection",
            confirmed_patient,
            |f| f.onset_date = Some(date(2022, 2, 2)),
            "date_order",
            Field::OnsetDate,
        ),
        (
            "first visit before onset",
            confirmed_patient,
            |f| f.first_visit_date = Some(date(2022, 2, 5)),
            "date_order",
            Field::FirstVisitDate,
        ),
        (
            "diagnosis before first visit",
            confirmed_patient,
            |f| f.diagnosis_date = Some(date(2022, 2, 7)),
            "date_order",
            Field::DiagnosisDate,
        ),
        (
            "report before diagnosis",
            confirmed_patient,
            |f| f.report_date = Some(date(2022, 2, 8)),
            "date_order",
            Field::ReportDate,
        ),
        (
            "specimen after diagnosis",
            confirmed_patient,
            |f| f.tests[0].specimen_date = Some(date(2022, 2, 10)),
            "date_order",
            Field::DiagnosisDate,
        ),
        (
            "death before onset",
            confirmed_patient,
            |f| {
                f.category = Some(CaseCategory::DeceasedPatient);
                f.death_date = Some(date(2022, 2, 5));
                f.onset_date = None;
                f.infection_date = Some(date(2022, 2, 6));
            },
            "date_order",
            Field::DeathDate,
        ),
        (
            "examined before death",
            deceased,
            |f| f.death_date = Some(date(2022, 2, 10)),
            "date_order",
            Field::DiagnosisDate,
        ),
        (
            "entry before departure",
            confirmed_patient,
            |f| {
                f.infection.area.abroad.push(AbroadArea {
                    country: "タイ".into(),
                    detail: String::new(),
                });
                f.infection.area.departure_date = Some(date(2022, 1, 30));
                f.infection.area.entry_date = Some(date(2022, 1, 20));
            },
            "date_order",
            Field::EntryDate,
        ),
        (
            "second dose before first",
            confirmed_patient,
            |f| f.vaccination[1].date = Some(date(2021, 6, 1)),
            "date_order",
            Field::Dose(1, DosePart::Date),
        ),
        (
            "born 130 years ago",
            confirmed_patient,
            |f| {
                f.patient.date_of_birth = Some(date(1890, 1, 1));
                f.patient.age_at_diagnosis = None;
                for d in f.vaccination.iter_mut() {
                    d.age = None;
                }
            },
            "implausible_date_of_birth",
            Field::DateOfBirth,
        ),
        (
            "age does not match",
            confirmed_patient,
            |f| {
                f.patient.age_at_diagnosis = Some(AgeAtDiagnosis {
                    years: 37,
                    months: None,
                })
            },
            "age_mismatch",
            Field::AgeAtDiagnosis,
        ),
        (
            "months do not match",
            minor_with_guardian,
            |f| {
                f.patient.age_at_diagnosis = Some(AgeAtDiagnosis {
                    years: 0,
                    months: Some(2),
                })
            },
            "age_mismatch",
            Field::AgeAtDiagnosis,
        ),
        (
            "months for an adult",
            confirmed_patient,
            |f| {
                f.patient.age_at_diagnosis = Some(AgeAtDiagnosis {
                    years: 36,
                    months: Some(2),
                })
            },
            "age_months_only_under_one",
            Field::AgeAtDiagnosis,
        ),
        (
            "twelve months",
            minor_with_guardian,
            |f| {
                f.patient.age_at_diagnosis = Some(AgeAtDiagnosis {
                    years: 0,
                    months: Some(12),
                })
            },
            "age_months_out_of_range",
            Field::AgeAtDiagnosis,
        ),
        (
            "minor without guardian",
            minor_with_guardian,
            |f| f.guardian = Default::default(),
            "guardian_required_for_minor",
            Field::GuardianName,
        ),
        (
            "19-year-old in March 2022 without guardian",
            confirmed_patient,
            |f| {
                f.patient.date_of_birth = Some(date(2002, 6, 1));
                f.patient.age_at_diagnosis = None;
                f.vaccination[0].age = None;
                f.vaccination[1].age = None;
                f.diagnosis_date = Some(date(2022, 2, 9));
            },
            "guardian_required_for_minor",
            Field::GuardianName,
        ),
        (
            "adult with guardian",
            confirmed_patient,
            |f| f.guardian.name = "佐藤　一郎".into(),
            "guardian_only_for_minors",
            Field::GuardianName,
        ),
        (
            "adult with guardian address only",
            confirmed_patient,
            |f| f.guardian.address.text = "東京都".into(),
            "guardian_only_for_minors",
            Field::Address(Place::Guardian, AddressPart::Text),
        ),
        (
            "facility phone too short",
            confirmed_patient,
            |f| f.reporter.facility_phone = "03-1234-567".into(),
            "invalid_phone",
            Field::FacilityPhone,
        ),
        (
            "patient phone with letters",
            confirmed_patient,
            |f| f.patient.address.phone = "090-1234-567a".into(),
            "invalid_phone",
            Field::Address(Place::Patient, AddressPart::Phone),
        ),
        (
            "location phone",
            confirmed_patient,
            |f| {
                f.patient.current_location_same_as_address = false;
                f.patient.current_location.text = "ホテル".into();
                f.patient.current_location.phone = "12345".into();
            },
            "invalid_phone",
            Field::Address(Place::CurrentLocation, AddressPart::Phone),
        ),
        (
            "guardian phone",
            minor_with_guardian,
            |f| f.guardian.address.phone = "03--1234-5678".into(),
            "invalid_phone",
            Field::Address(Place::Guardian, AddressPart::Phone),
        ),
        (
            "postal code of 6 digits",
            confirmed_patient,
            |f| f.patient.address.postal_code = "160-002".into(),
            "invalid_postal_code",
            Field::Address(Place::Patient, AddressPart::PostalCode),
        ),
        (
            "municipality check digit",
            confirmed_patient,
            |f| f.patient.address.municipality_code = "131042".into(),
            "invalid_municipality_code",
            Field::Address(Place::Patient, AddressPart::MunicipalityCode),
        ),
        (
            "furigana in kanji",
            confirmed_patient,
            |f| f.patient.furigana = "佐藤".into(),
            "furigana_not_katakana",
            Field::Furigana,
        ),
        (
            "no symptoms and fever",
            confirmed_patient,
            |f| f.symptoms.none = true,
            "no_symptoms_with_symptoms",
            Field::NoSymptoms,
        ),
        (
            "SpO2 over 100",
            confirmed_patient,
            |f| f.symptoms.spo2_percent = Some(101),
            "spo2_out_of_range",
            Field::Spo2,
        ),
        (
            "other symptom without text",
            confirmed_patient,
            |f| f.symptoms.other = Some(" ".into()),
            "other_text_missing",
            Field::SymptomOther,
        ),
        (
            "other specimen without text",
            confirmed_patient,
            |f| f.tests[0].specimen = Some(Specimen::Other),
            "other_text_missing",
            Field::Test(0, TestPart::SpecimenOther),
        ),
        (
            "specimen text without other",
            confirmed_patient,
            |f| f.tests[0].specimen_other = "鼻汁".into(),
            "specimen_other_without_other",
            Field::Test(0, TestPart::SpecimenOther),
        ),
        (
            "five tests",
            confirmed_patient,
            |f| {
                let t = f.tests[0].clone();
                f.tests.extend([t.clone(), t.clone(), t.clone(), t]);
            },
            "too_many_tests",
            Field::Tests,
        ),
        (
            "saliva for a qualitative antigen test",
            confirmed_patient,
            |f| {
                f.tests[0].method = Some(DiagnosticMethod::AntigenQualitative);
                f.tests[0].specimen = Some(Specimen::Saliva);
            },
            "specimen_not_for_method",
            Field::Test(0, TestPart::Specimen),
        ),
        (
            "test without method",
            confirmed_patient,
            |f| f.tests[0].method = None,
            "required",
            Field::Test(0, TestPart::Method),
        ),
        (
            "test without specimen",
            confirmed_patient,
            |f| f.tests[0].specimen = None,
            "required",
            Field::Test(0, TestPart::Specimen),
        ),
        (
            "test without result",
            confirmed_patient,
            |f| {
                f.tests.push(DiagnosticTest {
                    method: Some(DiagnosticMethod::NucleicAcid),
                    specimen: Some(Specimen::Saliva),
                    ..Default::default()
                })
            },
            "required",
            Field::Test(1, TestPart::Result),
        ),
        (
            "result その他 for a confirmed patient",
            confirmed_patient,
            |f| {
                f.tests.push(DiagnosticTest {
                    method: Some(DiagnosticMethod::NucleicAcid),
                    specimen: Some(Specimen::Saliva),
                    result: Some(TestResult::Other),
                    specimen_date: Some(date(2022, 2, 8)),
                    ..Default::default()
                })
            },
            "result_other_only_for_suspected",
            Field::Test(1, TestPart::Result),
        ),
        (
            "hospitalised without admission date",
            confirmed_patient,
            |f| f.other.hospitalised = Some(YesNo::Yes),
            "required",
            Field::AdmissionDate,
        ),
        (
            "admission date while not hospitalised",
            confirmed_patient,
            |f| f.other.admission_date = Some(date(2022, 2, 9)),
            "admission_only_when_hospitalised",
            Field::AdmissionDate,
        ),
        (
            "hospital while not hospitalised",
            confirmed_patient,
            |f| f.other.hospital_name = "病院".into(),
            "admission_only_when_hospitalised",
            Field::HospitalName,
        ),
        (
            "risk factors while 無",
            confirmed_patient,
            |f| {
                f.other.risk_factors.insert(RiskFactor::Obesity);
            },
            "risk_factors_only_when_present",
            Field::RiskFactors,
        ),
        (
            "risk factor その他 while 無",
            confirmed_patient,
            |f| f.other.risk_factor_other = Some("喘息".into()),
            "risk_factors_only_when_present",
            Field::RiskFactors,
        ),
        (
            "risk factors 有 but none chosen",
            confirmed_patient,
            |f| f.other.risk_factors_present = Some(YesNo::Yes),
            "risk_factors_not_selected",
            Field::RiskFactors,
        ),
        (
            "risk factor その他 without text",
            confirmed_patient,
            |f| {
                f.other.risk_factors_present = Some(YesNo::Yes);
                f.other.risk_factor_other = Some(String::new());
            },
            "other_text_missing",
            Field::RiskFactorOther,
        ),
        (
            "pregnant man",
            confirmed_patient,
            |f| {
                f.patient.sex = Some(Sex::Male);
                f.other.pregnant = Some(YesNo::Yes);
            },
            "pregnant_male",
            Field::Pregnant,
        ),
        (
            "details of a dose not given",
            confirmed_patient,
            |f| f.vaccination[2].date = Some(date(2022, 1, 5)),
            "vaccine_details_without_vaccination",
            Field::Dose(2, DosePart::Status),
        ),
        (
            "details of an unknown dose",
            confirmed_patient,
            |f| {
                f.vaccination[2].status = Some(VaccinationStatus::Unknown);
                f.vaccination[2].manufacturer = "モデルナ".into();
            },
            "vaccine_details_without_vaccination",
            Field::Dose(2, DosePart::Status),
        ),
        (
            "second dose after none",
            confirmed_patient,
            |f| {
                f.vaccination[0] = Default::default();
                f.vaccination[0].status = Some(VaccinationStatus::No);
            },
            "vaccine_dose_after_none",
            Field::Dose(1, DosePart::Status),
        ),
        (
            "maker and unknown",
            confirmed_patient,
            |f| f.vaccination[0].vaccine_unknown = true,
            "vaccine_value_and_unknown",
            Field::Dose(0, DosePart::VaccineType),
        ),
        (
            "date and unknown",
            confirmed_patient,
            |f| f.vaccination[0].date_unknown = true,
            "vaccine_value_and_unknown",
            Field::Dose(0, DosePart::Date),
        ),
        (
            "age at vaccination",
            confirmed_patient,
            |f| f.vaccination[0].age = Some(30),
            "vaccine_age_mismatch",
            Field::Dose(0, DosePart::Age),
        ),
        (
            "route certainty alone",
            confirmed_patient,
            |f| f.infection.route.contact = None,
            "certainty_without_entries",
            Field::RouteCertainty,
        ),
        (
            "area certainty alone",
            confirmed_patient,
            |f| f.infection.area.domestic.clear(),
            "certainty_without_entries",
            Field::AreaCertainty,
        ),
        (
            "prefecture misspelt",
            confirmed_patient,
            |f| f.infection.area.domestic[0].prefecture = "東京".into(),
            "unknown_prefecture",
            Field::Domestic(0, DomesticPart::Prefecture),
        ),
        (
            "domestic area without prefecture",
            confirmed_patient,
            |f| f.infection.area.domestic.push(DomesticArea::default()),
            "required",
            Field::Domestic(1, DomesticPart::Prefecture),
        ),
        (
            "abroad without country",
            confirmed_patient,
            |f| f.infection.area.abroad.push(AbroadArea::default()),
            "required",
            Field::Abroad(0, AbroadPart::Country),
        ),
        (
            "travel dates without abroad",
            confirmed_patient,
            |f| f.infection.area.entry_date = Some(date(2022, 1, 30)),
            "travel_without_abroad_area",
            Field::EntryDate,
        ),
        (
            "name too long",
            confirmed_patient,
            |f| f.patient.name = "あ".repeat(101),
            "text_too_long",
            Field::PatientName,
        ),
        (
            "bidi override in occupation",
            confirmed_patient,
            |f| f.patient.occupation = "会社員\u{202E}".into(),
            "text_forbidden_character",
            Field::Occupation,
        ),
        (
            "newline in the address",
            confirmed_patient,
            |f| f.patient.address.text = "東京都\n新宿区".into(),
            "text_forbidden_character",
            Field::Address(Place::Patient, AddressPart::Text),
        ),
        (
            "NUL in a route detail",
            confirmed_patient,
            |f| f.infection.route.contact = Some("家族\0".into()),
            "text_forbidden_character",
            Field::RouteContact,
        ),
    ]
}

#[test]
fn each_broken_rule_yields_its_error_on_its_field() {
    let cases = error_cases();
    for (what, base, mutate, code, field) in &cases {
        let mut form = base();
        mutate(&mut form);
        let report = validate_20211129(&form, today());
        assert!(
            report
                .errors
                .iter()
                .any(|e| e.code() == *code && e.field() == *field),
            "{what}: expected {code} on {}, got {:#?}",
            field.path(),
            report.errors
        );
    }
}

/// Every error variant is reached by some case of the table (a rule without a test is caught here).
#[test]
fn the_table_covers_every_error_code() {
    let reached: std::collections::BTreeSet<&str> = error_cases().iter().map(|c| c.3).collect();
    let all = [
        "required",
        "onset_date_only_for_confirmed_patient",
        "death_date_only_for_bodies",
        "suspected_patient_not_needing_admission",
        "positive_test_required",
        "symptoms_for_asymptomatic_carrier",
        "date_in_future",
        "date_before_birth",
        "date_before_pandemic",
        "date_order",
        "implausible_date_of_birth",
        "age_mismatch",
        "age_months_only_under_one",
        "age_months_out_of_range",
        "guardian_required_for_minor",
        "guardian_only_for_minors",
        "invalid_phone",
        "invalid_postal_code",
        "invalid_municipality_code",
        "current_location_given_with_same_as_address",
        "furigana_not_katakana",
        "no_symptoms_with_symptoms",
        "spo2_out_of_range",
        "other_text_missing",
        "specimen_other_without_other",
        "too_many_tests",
        "specimen_not_for_method",
        "result_other_only_for_suspected",
        "admission_only_when_hospitalised",
        "risk_factors_only_when_present",
        "risk_factors_not_selected",
        "pregnant_male",
        "vaccine_details_without_vaccination",
        "vaccine_dose_after_none",
        "vaccine_value_and_unknown",
        "vaccine_age_mismatch",
        "certainty_without_entries",
        "unknown_prefecture",
        "travel_without_abroad_area",
        "text_too_long",
        "text_forbidden_character",
    ];
    for code in all {
        assert!(reached.contains(code), "no table case for {code}");
    }
    assert_eq!(
        reached.len(),
        all.len(),
        "a code in the table is missing from this list"
    );
}

#[test]
fn minors_by_the_age_of_majority_of_the_diagnosis_date() {
    // Born 2003-06-01: 18 on both dates; a minor under the old rule (20), an adult under the new one (18).
    let mut form = confirmed_patient();
    form.patient.date_of_birth = Some(date(2003, 6, 1));
    form.patient.age_at_diagnosis = None;
    for d in form.vaccination.iter_mut() {
        d.age = None;
    }
    form.diagnosis_date = Some(date(2022, 3, 31));
    form.first_visit_date = Some(date(2022, 3, 31));
    form.report_date = Some(date(2022, 3, 31));
    let on = date(2022, 4, 10);
    assert!(validate_20211129(&form, on)
        .errors
        .contains(&ValidationError::GuardianRequiredForMinor { majority: 20 }));
    form.diagnosis_date = Some(date(2022, 4, 1));
    form.first_visit_date = Some(date(2022, 4, 1));
    form.report_date = Some(date(2022, 4, 1));
    let errors = validate_20211129(&form, on).errors;
    assert!(
        !errors.iter().any(|e| e.code().starts_with("guardian")),
        "{errors:#?}"
    );
}

#[test]
fn warnings_point_at_recommended_blanks_without_blocking() {
    let cases: Vec<(&str, Mutation, &str, Field)> = vec![
        (
            "no furigana",
            |f| f.patient.furigana.clear(),
            "recommended",
            Field::Furigana,
        ),
        (
            "no occupation",
            |f| f.patient.occupation.clear(),
            "recommended",
            Field::Occupation,
        ),
        (
            "no phone anywhere",
            |f| f.patient.address.phone.clear(),
            "recommended",
            Field::Address(Place::Patient, AddressPart::Phone),
        ),
        (
            "no first visit",
            |f| f.first_visit_date = None,
            "recommended",
            Field::FirstVisitDate,
        ),
        (
            "no onset for a confirmed patient",
            |f| f.onset_date = None,
            "recommended",
            Field::OnsetDate,
        ),
        (
            "no severity",
            |f| f.other.severity = None,
            "recommended",
            Field::Severity,
        ),
        (
            "no symptoms ticked",
            |f| {
                f.symptoms.present.clear();
            },
            "recommended",
            Field::Symptoms,
        ),
        (
            "no first dose status",
            |f| {
                f.vaccination = Default::default();
            },
            "recommended",
            Field::Dose(0, DosePart::Status),
        ),
        (
            "hospitalised without hospital",
            |f| {
                f.other.hospitalised = Some(YesNo::Yes);
                f.other.admission_date = Some(date(2022, 2, 9));
            },
            "recommended",
            Field::HospitalName,
        ),
        (
            "abroad without entry date",
            |f| {
                f.infection.area.abroad.push(AbroadArea {
                    country: "タイ".into(),
                    detail: String::new(),
                })
            },
            "recommended",
            Field::EntryDate,
        ),
        (
            "reported two days after diagnosis",
            |f| {
                f.diagnosis_date = Some(date(2022, 2, 8));
                f.first_visit_date = Some(date(2022, 2, 8));
            },
            "report_not_immediate",
            Field::ReportDate,
        ),
        (
            "mild with SpO2 93",
            |f| f.symptoms.spo2_percent = Some(93),
            "severity_mild_with_low_spo2",
            Field::Severity,
        ),
        (
            "test without date",
            |f| f.tests[0].specimen_date = None,
            "specimen_date_missing",
            Field::Test(0, TestPart::SpecimenDate),
        ),
    ];
    for (what, mutate, code, field) in cases {
        let mut form = confirmed_patient();
        mutate(&mut form);
        let report = validate_20211129(&form, today());
        assert!(report.is_fileable(), "{what}: {:#?}", report.errors);
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.code() == code && w.field() == field),
            "{what}: expected warning {code} on {}, got {:#?}",
            field.path(),
            report.warnings
        );
    }
}

#[test]
fn warnings_are_not_raised_for_bodies_where_the_items_do_not_apply() {
    let report = validate_20211129(&deceased(), today());
    assert!(
        !report
            .warnings
            .iter()
            .any(|w| w.field() == Field::FirstVisitDate),
        "{:#?}",
        report.warnings
    );
}

#[test]
fn every_message_is_japanese_and_names_its_field() {
    for (what, base, mutate, _, _) in error_cases() {
        let mut form = base();
        mutate(&mut form);
        let report = validate_20211129(&form, today());
        for view in report.views() {
            assert!(
                !view.message.is_empty() && !view.message.is_ascii(),
                "{what}: {view:?}"
            );
            assert!(
                Field::from_path(&view.field).is_some(),
                "{what}: {}",
                view.field
            );
            assert!(
                view.code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                view.code
            );
        }
    }
    let e = ValidationError::DateOrder {
        field: Field::OnsetDate,
        must_not_precede: Field::InfectionDate,
    };
    assert_eq!(
        e.message_ja(),
        "発病年月日が感染したと推定される年月日より前になっています。"
    );
    let e = ValidationError::Required {
        field: Field::Test(1, TestPart::Result),
    };
    assert_eq!(e.message_ja(), "検査2の結果を入力してください。");
}

#[test]
fn views_put_errors_before_warnings() {
    let mut form = confirmed_patient();
    form.patient.name.clear();
    form.patient.occupation.clear();
    let views = validate_20211129(&form, today()).views();
    assert_eq!(
        views.first().map(|v| v.severity),
        Some(IssueSeverity::Error)
    );
    assert_eq!(
        views.last().map(|v| v.severity),
        Some(IssueSeverity::Warning)
    );
}

#[test]
fn validate_dispatches_on_the_version() {
    let n = Notification::R20211129(confirmed_patient());
    assert!(validate(&n, today()).is_fileable());
    let blank = Notification::new_current();
    let report = validate(&blank, today());
    assert!(report.errors.contains(&ValidationError::Required {
        field: Field::PatientName
    }));
}

#[test]
fn a_valid_variety_of_options_passes() {
    // Every method with a specimen it allows, every severity, each category's own valid form.
    for method in DiagnosticMethod::ALL {
        for specimen in method.specimens() {
            let mut form = confirmed_patient();
            form.tests[0].method = Some(*method);
            form.tests[0].specimen = Some(*specimen);
            if *specimen == Specimen::Other {
                form.tests[0].specimen_other = "鼻汁".into();
            }
            let errors = validate_20211129(&form, today()).errors;
            assert!(errors.is_empty(), "{method:?} {specimen:?}: {errors:#?}");
        }
    }
    let mut form = confirmed_patient();
    form.category = Some(CaseCategory::AsymptomaticCarrier);
    form.onset_date = None;
    form.symptoms = Default::default();
    form.symptoms.none = true;
    form.symptoms.spo2_percent = Some(98);
    form.other.severity = Some(Severity::Mild);
    form.infection.route.certainty = Some(Certainty::Confirmed);
    form.infection.area.abroad.push(AbroadArea {
        country: "タイ".into(),
        detail: "バンコク".into(),
    });
    form.infection.area.entry_date = Some(date(2022, 2, 1));
    form.infection.area.departure_date = Some(date(2022, 1, 20));
    form.symptoms.present.remove(&Symptom::Fever);
    let errors = validate_20211129(&form, today()).errors;
    assert!(errors.is_empty(), "{errors:#?}");
    let mut form = suspected_patient();
    form.category = Some(CaseCategory::SuspectedDeceased);
    form.death_date = Some(date(2022, 2, 9));
    let errors = validate_20211129(&form, today()).errors;
    assert!(errors.is_empty(), "{errors:#?}");
    let _ = ValidationWarning::Recommended { field: Field::Sex };
}
