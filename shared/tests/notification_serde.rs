//! The notification as versioned JSON: round trips, the shape stored notifications keep, and refusal of anything
//! the model does not know (the edge parses untrusted JSON).

#[path = "../examples/support/notification_fixture.rs"]
mod fixture;

use shared::notification::validate::validate_20211129;
use shared::notification::{Field, FormVersion, Notification};

#[test]
fn every_fixture_round_trips() {
    for form in [
        fixture::confirmed_patient(),
        fixture::everything_filled(),
        fixture::suspected_patient(),
        fixture::deceased(),
        fixture::minor_with_guardian(),
    ] {
        let n = Notification::R20211129(form);
        let json = n.to_json();
        assert_eq!(Notification::from_json(&json).ok(), Some(n));
    }
    for i in 0..200 {
        let n = fixture::varied(i);
        assert_eq!(Notification::from_json(&n.to_json()).ok(), Some(n));
    }
}

#[test]
fn the_version_is_in_the_json() {
    let json = Notification::new_current().to_json();
    let value: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(value["version"], "2021-11-29");
    assert_eq!(FormVersion::CURRENT.as_str(), "2021-11-29");
    assert_eq!(
        Notification::new_current().version(),
        FormVersion::R20211129
    );
}

/// A notification as stored by this revision; later revisions must keep reading it.
const STORED_2021_11_29: &str = r#"{
  "version": "2021-11-29",
  "report_date": "2022-02-10",
  "reporter": {"doctor_name": "山田　太郎", "facility_name": "新宿駅前クリニック",
               "facility_address": "東京都新宿区西新宿1-1-1", "facility_phone": "03-1234-5678"},
  "category": "confirmed_patient",
  "patient": {"name": "佐藤　花子", "furigana": "サトウ　ハナコ", "sex": "female", "date_of_birth": "1985-04-02",
              "age_at_diagnosis": {"years": 36}, "occupation": "会社員",
              "address": {"postal_code": "160-0022", "municipality_code": "131041", "text": "東京都新宿区新宿1-2-3",
                          "phone": "090-1234-5678"},
              "current_location_same_as_address": true},
  "symptoms": {"present": ["fever", "cough"], "spo2_percent": 97},
  "tests": [{"method": "nucleic_acid", "specimen": "nasopharyngeal_swab", "specimen_date": "2022-02-08",
             "result": "positive"}],
  "first_visit_date": "2022-02-08", "diagnosis_date": "2022-02-09", "infection_date": "2022-02-03",
  "onset_date": "2022-02-06",
  "infection": {"route": {"certainty": "presumed", "contact": "同居家族"},
                "area": {"certainty": "presumed", "domestic": [{"prefecture": "東京都", "municipality": "新宿区"}]}},
  "vaccination": [
    {"status": "yes", "age": 36, "vaccine_type": "mRNA", "manufacturer": "ファイザー", "date": "2021-07-01"},
    {"status": "yes", "age": 36, "vaccine_type": "mRNA", "manufacturer": "ファイザー", "date": "2021-07-22"},
    {"status": "no"}],
  "other": {"hospitalised": "no", "risk_factors_present": "no", "immunocompromised": "no", "pregnant": "no",
            "severity": "mild", "admission_needed": "no", "telemedicine": "no"}
}"#;

#[test]
fn a_stored_2021_11_29_notification_still_reads_and_validates() {
    let n = Notification::from_json(STORED_2021_11_29).expect("stored notification parses");
    assert_eq!(n, Notification::R20211129(fixture::confirmed_patient()));
    let form = n.form();
    let report = validate_20211129(form, fixture::today());
    assert!(
        report.errors.is_empty() && report.warnings.is_empty(),
        "{report:#?}"
    );
}

#[test]
fn refuses_unknown_versions_members_and_values() {
    let refused = [
        STORED_2021_11_29.replace("\"2021-11-29\"", "\"2099-01-01\""),
        STORED_2021_11_29.replace("\"version\": \"2021-11-29\",", ""),
        STORED_2021_11_29.replace("\"occupation\"", "\"occupaton\""),
        STORED_2021_11_29.replace("\"confirmed_patient\"", "\"patient\""),
        STORED_2021_11_29.replace("\"2022-02-09\"", "\"2022-02-30\""),
        STORED_2021_11_29.replace("{\"status\": \"no\"}]", "]"),
        STORED_2021_11_29.replace("\"spo2_percent\": 97", "\"spo2_percent\": 300"),
        STORED_2021_11_29.replace("\"fever\"", "\"sneeze\""),
        "[]".to_owned(),
        "null".to_owned(),
        "{".to_owned(),
    ];
    for json in refused {
        assert!(Notification::from_json(&json).is_err(), "accepted: {json}");
    }
}

#[test]
fn blank_members_may_be_left_out() {
    let n = Notification::from_json(r#"{"version":"2021-11-29"}"#).expect("minimal");
    assert_eq!(n, Notification::new_current());
}

#[test]
fn errors_round_trip_with_their_field_paths() {
    let mut form = fixture::everything_filled();
    form.tests[0].specimen_date = Some(fixture::date(2023, 1, 1));
    let report = validate_20211129(&form, fixture::today());
    assert!(!report.errors.is_empty());
    let json = serde_json::to_string(&report).expect("report serialises");
    let back: shared::notification::Report = serde_json::from_str(&json).expect("report parses");
    assert_eq!(back, report);
    let value: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert!(value["errors"].as_array().is_some_and(|a| a
        .iter()
        .any(|e| e["code"] == "date_in_future" && e["field"] == "tests[0].specimen_date")));
    assert_eq!(
        Field::from_path("tests[0].specimen_date").map(|f| f.label()),
        Some("検査1の検体採取日".to_owned())
    );
}
