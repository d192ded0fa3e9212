//! Fields that apply only under a condition (発病年月日 for 患者（確定例）, 死亡年月日 for 死体, 保護者 for a minor, …)
//! and the one rule for a value left in a field that no longer applies.
//!
//! The rule: a field that does not apply is not shown, and a value in it is **set aside** — taken out of the
//! notification, kept aside with the reason, shown as a notice with an undo, and put back by itself if the field
//! applies again while still empty. It never stays in the notification to block 確認 from a field nobody can see.
//! The browser's form shows exactly the fields [`applies`] allows and runs [`set_aside`] on every change; the
//! edge, which receives no hidden values from the app, refuses any value in a field that does not apply with the
//! field's own error (the `…_only_…` rules of [`super::validate`]). A test here checks that after
//! [`set_aside`] none of those errors remains, so the two sides cannot disagree.

use chrono::NaiveDate;
use serde_json::Value;

use super::dates::is_minor;
use super::json_path::{get, set};
use super::model::TargetGroup;
use super::model::{
    AbroadArea, DiagnosticTest, DomesticArea, Form20211129, MAX_TESTS, VACCINE_DOSES,
};
use super::options::{CaseCategory, Sex, Specimen, VaccinationStatus, YesNo};
use super::raw::date_fields;
use super::validate::{pregnancy_group_applies, years_at_diagnosis, PREGNANCY_AGES};
use super::version::{FormVersion, Notification};
use super::Field;

/// A group of fields shown only under one condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The fields' paths (an object path covers the whole object, e.g. `guardian.address`).
    pub paths: Vec<String>,
    pub applies: bool,
    /// Why the fields do not apply, in Japanese (shown with a set-aside value).
    pub reason: String,
}

fn cond(paths: &[&str], applies: bool, reason: &str) -> Condition {
    Condition {
        paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        applies,
        reason: reason.to_owned(),
    }
}

/// Whether the patient is a minor for items 9–10: on the diagnosis date (or the report date, or today). Unknown
/// (no date of birth) is not a minor.
pub fn minor(form: &Form20211129, today: NaiveDate) -> bool {
    let Some(birth) = form.patient.date_of_birth else {
        return false;
    };
    let on = form.diagnosis_date.or(form.report_date).unwrap_or(today);
    is_minor(birth, on).unwrap_or(false)
}

/// Whether the notification is on the limited form (2022-09-26): the regime of its diagnosis date (or report date,
/// or today) asks for it.
pub fn limited_form(form: &Form20211129, today: NaiveDate) -> bool {
    let on = form.diagnosis_date.or(form.report_date).unwrap_or(today);
    FormVersion::for_date(on).has_target_groups()
}

/// Keeps the form's state (its JSON as the browser's form holds it) on the revision its own date asks for, as the
/// doctor types: `"version"` follows the regime of the diagnosis date (else the report date, else today) unless
/// `keep_version` (an edit of a filed notification stays on its revision), and on the limited form group (1)
/// 65歳以上 is ticked exactly when the age on the diagnosis date is 65 or more. Every other member is kept; the
/// groups of a form that leaves the limited regime are then set aside by [`set_aside`] (and come back with
/// [`restore_applicable`] when the date moves back).
pub fn follow_regime(state: &mut Value, today: NaiveDate, keep_version: bool) {
    fn date(state: &Value, path: &str) -> Option<NaiveDate> {
        get(state, path)
            .as_str()
            .and_then(|s| s.parse::<NaiveDate>().ok())
    }
    let on = date(state, "diagnosis_date").or(date(state, "report_date"));
    if !keep_version {
        let version = FormVersion::for_date(on.unwrap_or(today));
        if get(state, "version").as_str() != Some(version.as_str()) {
            set(state, "version", Value::String(version.as_str().to_owned()));
        }
    }
    let limited = get(state, "version").as_str() == Some(FormVersion::R20220926.as_str());
    if limited {
        let years = date(state, "patient.date_of_birth")
            .zip(on)
            .and_then(|(birth, on)| super::dates::age_on(birth, on));
        let over = years.is_some_and(|a| a.years >= 65);
        let path = "target_groups.aged_65_or_over";
        if get(state, path).as_bool().unwrap_or(false) != over {
            set(state, path, Value::Bool(over));
        }
    }
}

/// Every conditional group of the form, with whether it applies now.
pub fn conditions(form: &Form20211129, today: NaiveDate) -> Vec<Condition> {
    let cat = form.category;
    let body = cat.is_some_and(CaseCategory::is_body);
    let o = &form.other;
    let mut out = vec![
        cond(
            &["onset_date"],
            cat == Some(CaseCategory::ConfirmedPatient),
            "発病年月日は、類型が患者（確定例）の場合のみ届け出ます。",
        ),
        cond(
            &["death_date"],
            body,
            "死亡年月日は、類型が死体（感染症死亡者・感染症死亡疑い者）の場合のみ届け出ます。",
        ),
        cond(
            &["first_visit_date"],
            !body,
            "初診年月日は、死体を検案した場合は届け出ません。",
        ),
        cond(
            &["guardian.name", "guardian.address"],
            minor(form, today),
            "保護者（9・10）は、患者が未成年の場合のみ届け出ます。",
        ),
        cond(
            &["patient.current_location"],
            !form.patient.current_location_same_as_address,
            "所在地は、「住所と同じ」を外した場合のみ届け出ます。",
        ),
        cond(
            &["other.admission_date", "other.hospital_name"],
            o.hospitalised == Some(YesNo::Yes),
            "入院年月日・入院先は、届出時点の入院が「有」の場合のみ届け出ます。",
        ),
        cond(
            &["other.risk_factors", "other.risk_factor_other"],
            o.risk_factors_present == Some(YesNo::Yes),
            "リスク因子は、重症化のリスク因子となる疾患等が「有」の場合のみ届け出ます。",
        ),
        cond(
            &["other.pregnant"],
            form.patient.sex != Some(Sex::Male),
            "妊娠の有無は、性別が男の場合は届け出ません。",
        ),
    ];
    // 届出の対象: only where the notification's date falls in the limited regime (the app files such a case on the
    // 2022-09-26 form); 65歳以上 only for a patient 65 or older; 妊婦 only where it can apply.
    let limited = limited_form(form, today);
    let outside = "届出の対象は、診断年月日が2022年9月26日〜2023年5月7日（届出対象を限定した様式）の場合のみ届け出ます。";
    for g in TargetGroup::ALL {
        let path = format!("target_groups.{}", g.key());
        let (applies, reason) = match g {
            _ if !limited => (false, outside.to_owned()),
            TargetGroup::Aged65OrOver => (
                years_at_diagnosis(form).is_some_and(|y| y >= 65),
                "「65歳以上の者」は、生年月日と診断年月日から求めた年齢が65歳以上の場合のみ選べます。".to_owned(),
            ),
            TargetGroup::Pregnant => (
                pregnancy_group_applies(form),
                format!(
                    "「妊婦」は、性別が男でなく、診断時の年齢が{}〜{}歳の場合のみ選べます。",
                    PREGNANCY_AGES.0, PREGNANCY_AGES.1
                ),
            ),
            _ => (true, String::new()),
        };
        out.push(Condition {
            paths: vec![path],
            applies,
            reason,
        });
    }
    for (i, t) in form.tests.iter().enumerate().take(MAX_TESTS) {
        out.push(Condition {
            paths: vec![format!("tests[{i}].specimen_other")],
            applies: t.specimen == Some(Specimen::Other),
            reason: format!(
                "検査{}の検体（その他）は、検体で「その他」を選んだ場合のみ届け出ます。",
                i + 1
            ),
        });
    }
    let abroad = |i: usize| {
        form.infection
            .area
            .abroad
            .get(i)
            .is_some_and(|a| !a.country.trim().is_empty())
    };
    out.push(cond(
        &["infection.area.departure_date", "infection.area.entry_date"],
        (0..form.infection.area.abroad.len()).any(abroad),
        "渡航期間は、感染地域に国外の国を入力した場合のみ届け出ます。",
    ));
    for i in 0..form.infection.area.abroad.len() {
        out.push(Condition {
            paths: vec![format!("infection.area.abroad[{i}].detail")],
            applies: abroad(i),
            reason: "国外の詳細地域は、国を入力した場合のみ届け出ます。".to_owned(),
        });
    }
    for (i, d) in form.vaccination.iter().enumerate().take(VACCINE_DOSES) {
        out.push(Condition {
            paths: [
                "age",
                "vaccine_type",
                "manufacturer",
                "vaccine_unknown",
                "date",
                "date_unknown",
            ]
            .iter()
            .map(|p| format!("vaccination[{i}].{p}"))
            .collect(),
            applies: d.status == Some(VaccinationStatus::Yes),
            reason: format!(
                "ワクチン{}回目の年齢・種類・接種年月日は、接種「有」の場合のみ届け出ます。",
                i + 1
            ),
        });
    }
    out
}

/// Whether the field at `path` applies now (a field under no condition always does).
pub fn applies(form: &Form20211129, today: NaiveDate, path: &str) -> bool {
    conditions(form, today)
        .into_iter()
        .find(|c| c.paths.iter().any(|p| p == path))
        .is_none_or(|c| c.applies)
}

/// A value taken out of a field that does not apply.
#[derive(Debug, Clone, PartialEq)]
pub struct SetAside {
    pub path: String,
    /// The field's label (or the group's, for an object such as 保護者住所).
    pub label: String,
    pub value: Value,
    pub reason: String,
}

/// The blank notification's JSON, with room for every indexed entry the form can have.
fn blank_json() -> Value {
    let form = Form20211129 {
        tests: vec![DiagnosticTest::default(); MAX_TESTS],
        infection: super::model::Infection {
            area: super::model::InfectionArea {
                abroad: vec![AbroadArea::default(); 4],
                domestic: vec![DomesticArea::default(); 4],
                ..Default::default()
            },
            ..Default::default()
        },
        ..Default::default()
    };
    let mut v = serde_json::to_value(Notification::R20211129(form)).unwrap_or(Value::Null);
    // Left out of the JSON while empty; its blank members are `false`.
    if let Ok(groups) = serde_json::to_value(super::model::TargetGroups::default()) {
        set(&mut v, "target_groups", groups);
    }
    v
}

/// The value a field holds when nothing was entered: its blank default (`null` for a date).
pub fn blank_at(path: &str) -> Value {
    if date_fields(&Value::Null).iter().any(|p| p == path) || path.ends_with("].date") {
        return Value::Null;
    }
    get(&blank_json(), path).clone()
}

fn blank_like(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(blank_like),
        Value::Bool(true) | Value::Number(_) => false,
    }
}

/// Whether `value` at `path` holds nothing entered.
pub fn is_unset(path: &str, value: &Value) -> bool {
    let blank = blank_at(path);
    if *value == blank {
        return true;
    }
    // An optional field (`null` when blank, e.g. a tick with its text): any value is an entry.
    !blank.is_null() && blank_like(value)
}

fn label_of(path: &str) -> String {
    match path {
        "guardian.address" => "保護者住所".to_owned(),
        "patient.current_location" => "所在地".to_owned(),
        p => Field::from_path(p).map_or_else(|| p.to_owned(), Field::label),
    }
}

/// Takes every value out of fields that do not apply (the state is the notification's JSON as the form keeps it;
/// `form` is that state read into the model). Returns what was set aside.
pub fn set_aside(state: &mut Value, form: &Form20211129, today: NaiveDate) -> Vec<SetAside> {
    let mut out = Vec::new();
    for c in conditions(form, today).into_iter().filter(|c| !c.applies) {
        for path in &c.paths {
            let value = get(state, path).clone();
            if is_unset(path, &value) {
                continue;
            }
            set(state, path, blank_at(path));
            out.push(SetAside {
                path: path.clone(),
                label: label_of(path),
                value,
                reason: c.reason.clone(),
            });
        }
    }
    out
}

/// Puts back set-aside values whose field applies again and is still empty; returns those left aside.
pub fn restore_applicable(
    state: &mut Value,
    form: &Form20211129,
    today: NaiveDate,
    aside: Vec<SetAside>,
) -> Vec<SetAside> {
    let mut left = Vec::new();
    for a in aside {
        if applies(form, today, &a.path) && is_unset(&a.path, get(state, &a.path)) {
            set(state, &a.path, a.value);
        } else {
            left.push(a);
        }
    }
    left
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notification::validate::validate_20211129;
    use serde_json::json;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Every value the `…_only_…` rules refuse, in one form.
    fn everything_hidden() -> Value {
        json!({
            "version": "2021-11-29",
            "category": "suspected_patient",
            "report_date": "2024-02-01",
            "diagnosis_date": "2024-02-01",
            "onset_date": "2024-01-30",
            "death_date": "2024-01-31",
            "patient": {
                "name": "試験 太郎", "sex": "male", "date_of_birth": "1980-01-01",
                "current_location_same_as_address": true,
                "current_location": { "postal_code": "", "municipality_code": "", "text": "東京都", "phone": "" },
            },
            "guardian": { "name": "試験 花子", "address": { "postal_code": "", "municipality_code": "", "text": "東京都", "phone": "" } },
            "tests": [{ "specimen": "saliva", "specimen_other": "鼻腔" }],
            "infection": { "area": { "departure_date": "2024-01-10", "entry_date": "2024-01-20" } },
            "vaccination": [{ "status": "no", "age": 40, "vaccine_type": "mRNA" }, {}, {}],
            "other": {
                "hospitalised": "no", "admission_date": "2024-02-01", "hospital_name": "病院",
                "risk_factors_present": "no", "risk_factor_other": "",
                "pregnant": "yes",
            },
        })
    }

    fn read(v: &Value) -> Form20211129 {
        serde_json::from_value::<Notification>(v.clone())
            .unwrap()
            .into_form()
    }

    const ONLY_CODES: [&str; 10] = [
        "onset_date_only_for_confirmed_patient",
        "death_date_only_for_bodies",
        "guardian_only_for_minors",
        "current_location_given_with_same_as_address",
        "specimen_other_without_other",
        "admission_only_when_hospitalised",
        "risk_factors_only_when_present",
        "pregnant_male",
        "vaccine_details_without_vaccination",
        "travel_without_abroad_area",
    ];

    #[test]
    fn the_edge_refuses_each_hidden_value_and_set_aside_removes_every_refusal() {
        let today = day("2024-02-02");
        let mut state = everything_hidden();
        let form = read(&state);
        let before = validate_20211129(&form, today);
        for code in ONLY_CODES {
            assert!(before.has_error(code), "{code} before");
        }
        let aside = set_aside(&mut state, &form, today);
        let after = validate_20211129(&read(&state), today);
        for code in ONLY_CODES {
            assert!(!after.has_error(code), "{code} after");
        }
        let paths: Vec<&str> = aside.iter().map(|a| a.path.as_str()).collect();
        assert!(paths.contains(&"onset_date"));
        assert!(paths.contains(&"guardian.name"));
        assert!(paths.contains(&"other.risk_factor_other"));
        assert!(aside.iter().all(|a| !a.reason.is_empty()));
        // Nothing left to set aside.
        assert!(set_aside(&mut state.clone(), &read(&state), today).is_empty());
    }

    #[test]
    fn a_value_comes_back_when_its_field_applies_again() {
        let today = day("2024-02-02");
        let mut state = everything_hidden();
        let form = read(&state);
        let aside = set_aside(&mut state, &form, today);
        set(&mut state, "category", json!("confirmed_patient"));
        let form = read(&state);
        let left = restore_applicable(&mut state, &form, today, aside);
        assert_eq!(get(&state, "onset_date"), &json!("2024-01-30"));
        assert!(left.iter().all(|a| a.path != "onset_date"));
        assert!(left.iter().any(|a| a.path == "death_date"));
    }

    #[test]
    fn fields_without_a_condition_always_apply() {
        let form = Form20211129::default();
        let today = day("2024-02-02");
        assert!(applies(&form, today, "patient.name"));
        assert!(!applies(&form, today, "onset_date"));
        assert!(!applies(&form, today, "guardian.name"));
        assert!(applies(&form, today, "first_visit_date"));
    }
}
