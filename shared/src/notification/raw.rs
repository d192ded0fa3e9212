//! The notification's JSON checked before it is read into the model: every number and date field holds a value of
//! its type or nothing. The app keeps what was typed when it does not parse (so it stays on screen), and a client
//! may send anything; either way each such value is an error at its field (`not_a_number`, `not_whole_number`,
//! `number_out_of_range`, `not_a_date`), never a generic refusal of the whole body and never silently dropped.

use chrono::NaiveDate;
use serde_json::Value;

use super::field::Field;
use super::json_path::{get, set};
use super::model::{MAX_TESTS, VACCINE_DOSES};
use super::validate::{IssueSeverity, IssueView, MAX_AGE};
use crate::typed::check_json;

/// Every number field with its range (SpO₂ in %, ages in years, months 0–11).
pub fn number_fields(notification: &Value) -> Vec<(String, i64, i64)> {
    let _ = notification;
    let age = i64::from(MAX_AGE);
    let mut out = vec![
        ("symptoms.spo2_percent".to_owned(), 0, 100),
        ("patient.age_at_diagnosis.years".to_owned(), 0, age),
        ("patient.age_at_diagnosis.months".to_owned(), 0, 11),
    ];
    for i in 0..VACCINE_DOSES {
        out.push((format!("vaccination[{i}].age"), 0, age));
    }
    out
}

/// Every date field present in this notification's JSON.
pub fn date_fields(notification: &Value) -> Vec<String> {
    let mut out: Vec<String> = [
        "report_date",
        "patient.date_of_birth",
        "first_visit_date",
        "diagnosis_date",
        "infection_date",
        "onset_date",
        "death_date",
        "other.admission_date",
        "infection.area.departure_date",
        "infection.area.entry_date",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let tests = get(notification, "tests")
        .as_array()
        .map_or(0, Vec::len)
        .min(MAX_TESTS);
    for i in 0..tests {
        out.push(format!("tests[{i}].specimen_date"));
    }
    for i in 0..VACCINE_DOSES {
        out.push(format!("vaccination[{i}].date"));
    }
    out
}

fn label(path: &str) -> String {
    Field::from_path(path)
        .or_else(|| path.rsplit_once('.').and_then(|(p, _)| Field::from_path(p)))
        .map_or_else(|| path.to_owned(), Field::label)
}

fn date_ok(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.parse::<NaiveDate>().is_ok(),
        _ => false,
    }
}

/// The errors of values that are not of their field's type, each at its path.
pub fn raw_issues(notification: &Value) -> Vec<IssueView> {
    let mut out = Vec::new();
    for (path, min, max) in number_fields(notification) {
        if let Err(e) = check_json(get(notification, &path), min, max) {
            out.push(IssueView {
                severity: IssueSeverity::Error,
                code: e.code().to_owned(),
                message: e.message_ja(&label(&path)),
                field: path,
            });
        }
    }
    for path in date_fields(notification) {
        if !date_ok(get(notification, &path)) {
            out.push(IssueView {
                severity: IssueSeverity::Error,
                code: "not_a_date".to_owned(),
                message: format!(
                    "{}は 20240131（8桁）または S55.1.15（和暦）のように入力してください。",
                    label(&path)
                ),
                field: path,
            });
        }
    }
    out
}

/// The JSON with every value [`raw_issues`] refuses taken out (`null`), so the rest can be read and checked.
pub fn without_unreadable(notification: &Value) -> Value {
    let mut v = notification.clone();
    for issue in raw_issues(notification) {
        set(&mut v, &issue.field, Value::Null);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_unreadable_value_is_an_error_at_its_field() {
        let n = json!({
            "version": "2021-11-29",
            "symptoms": { "spo2_percent": -1 },
            "vaccination": [{ "age": "abc" }, { "age": 30.5 }, {}],
            "tests": [{ "specimen_date": "2024-13-45" }],
            "onset_date": 20240101,
        });
        let issues = raw_issues(&n);
        let found: Vec<(&str, &str)> = issues
            .iter()
            .map(|i| (i.field.as_str(), i.code.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("symptoms.spo2_percent", "number_out_of_range"),
                ("vaccination[0].age", "not_a_number"),
                ("vaccination[1].age", "not_whole_number"),
                ("onset_date", "not_a_date"),
                ("tests[0].specimen_date", "not_a_date"),
            ]
        );
        assert!(issues[0].message.contains("酸素飽和度"));
        let clean = without_unreadable(&n);
        assert!(raw_issues(&clean).is_empty());
        assert_eq!(get(&clean, "symptoms.spo2_percent"), &Value::Null);
    }

    #[test]
    fn readable_values_pass() {
        let n = json!({
            "symptoms": { "spo2_percent": 95 },
            "diagnosis_date": "2024-01-31",
            "patient": { "age_at_diagnosis": { "years": 0, "months": 11 } },
        });
        assert!(raw_issues(&n).is_empty());
    }
}
