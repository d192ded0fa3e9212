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

/// A JSON value read with every object's member names unique. `serde_json::Value` keeps the last of a repeated
/// member silently, while the model's structs refuse it; the edge reads a notification's body through a value first
/// (for [`raw_issues`]), so it reads it through this to refuse `{"target_groups": {"pregnant": true, "pregnant":
/// false}}` as the model would, instead of filing whichever came last.
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueMembers(pub Value);

impl<'de> serde::Deserialize<'de> for UniqueMembers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor).map(UniqueMembers)
    }
}

struct UniqueVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value whose objects name each member once")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(UniqueMembers(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom("duplicate member"));
            }
            let UniqueMembers(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod unique_tests {
    use super::*;

    #[test]
    fn a_repeated_member_is_refused_at_any_depth() {
        let ok: UniqueMembers =
            serde_json::from_str(r#"{"a":[{"b":1,"c":-2.5}],"d":{"e":null,"f":"x","g":true}}"#)
                .expect("reads");
        assert_eq!(ok.0["a"][0]["c"], serde_json::json!(-2.5));
        for bad in [
            r#"{"a":1,"a":1}"#,
            r#"{"n":{"target_groups":{"pregnant":true,"pregnant":false}}}"#,
            r#"[{"x":{"y":1,"y":2}}]"#,
        ] {
            assert!(serde_json::from_str::<UniqueMembers>(bad).is_err(), "{bad}");
        }
    }
}
