//! The notification by regime (issue 21): which form revision a case's own date asks for, with the boundaries
//! (2022-09-25/26, 2023-05-07/08), and the limited form's 届出の対象 (the four groups, death examinations).

#[path = "../examples/support/notification_fixture.rs"]
mod fixture;

use chrono::{Days, NaiveDate};
use serde_json::{json, Value};
use shared::notification::conditional::{applies, set_aside};
use shared::notification::model::{Form20211129, TargetGroup};
use shared::notification::options::Sex;
use shared::notification::validate::{validate_form, ValidationError};
use shared::notification::{validate, Field, FormVersion, Notification};

use fixture::date;

const FULL: FormVersion = FormVersion::R20211129;
const LIMITED: FormVersion = FormVersion::R20220926;

/// Validation's "today": after every date used here.
fn today() -> NaiveDate {
    date(2026, 12, 5)
}

/// `f` with every date moved so that its diagnosis date is `day` (the age item left blank: it is computed).
fn on(day: NaiveDate, mut f: Form20211129) -> Form20211129 {
    let from = f.diagnosis_date.expect("fixture has a diagnosis date");
    let days = Days::new(u64::try_from((day - from).num_days()).expect("forward"));
    let mv = |d: Option<NaiveDate>| d.map(|d| d + days);
    f.report_date = mv(f.report_date);
    f.first_visit_date = mv(f.first_visit_date);
    f.diagnosis_date = mv(f.diagnosis_date);
    f.infection_date = mv(f.infection_date);
    f.onset_date = mv(f.onset_date);
    f.death_date = mv(f.death_date);
    for t in &mut f.tests {
        t.specimen_date = mv(t.specimen_date);
    }
    f.patient.age_at_diagnosis = None;
    f
}

fn codes(version: FormVersion, f: &Form20211129) -> Vec<&'static str> {
    validate_form(version, f, today())
        .errors
        .iter()
        .map(ValidationError::code)
        .collect()
}

fn error(version: FormVersion, f: &Form20211129, code: &str) -> ValidationError {
    validate_form(version, f, today())
        .errors
        .into_iter()
        .find(|e| e.code() == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(version, f)))
}

fn with_group(mut f: Form20211129, g: TargetGroup) -> Form20211129 {
    f.target_groups.set(g, true);
    f
}

/// A patient born on `birth`, diagnosed on 2022-10-01.
fn aged(birth: NaiveDate) -> Form20211129 {
    let mut f = on(date(2022, 10, 1), fixture::confirmed_patient());
    f.patient.date_of_birth = Some(birth);
    // The doses' ages follow the birth date; leave them out.
    for d in &mut f.vaccination {
        d.age = None;
    }
    f
}

#[test]
fn the_form_revision_follows_the_diagnosis_date_at_each_boundary() {
    assert_eq!(FormVersion::for_date(date(2021, 11, 29)), FULL);
    assert_eq!(FormVersion::for_date(date(2022, 9, 25)), FULL);
    assert_eq!(FormVersion::for_date(date(2022, 9, 26)), LIMITED);
    assert_eq!(FormVersion::for_date(date(2023, 5, 7)), LIMITED);
    assert_eq!(FormVersion::for_date(date(2023, 5, 8)), FULL);
    assert_eq!(FormVersion::for_date(date(2026, 12, 5)), FULL);
    assert_eq!(FormVersion::parse("2022-09-26"), Some(LIMITED));
    assert_eq!(FormVersion::parse("2022-08-01"), None);
}

#[test]
fn the_full_form_is_refused_in_the_limited_regime_at_the_diagnosis_date() {
    for (day, ok) in [
        (date(2022, 9, 25), true),
        (date(2022, 9, 26), false),
        (date(2023, 5, 7), false),
        (date(2023, 5, 8), true),
    ] {
        let f = on(day, fixture::confirmed_patient());
        assert_eq!(
            codes(FULL, &f).is_empty(),
            ok,
            "{day}: {:?}",
            codes(FULL, &f)
        );
        if !ok {
            let e = error(FULL, &f, "form_version_not_for_date");
            assert_eq!(e.field(), Field::DiagnosisDate);
            assert!(
                e.message_ja().contains("届出の対象を限定した発生届"),
                "{}",
                e.message_ja()
            );
        }
    }
}

#[test]
fn the_limited_form_is_refused_outside_its_regime_at_the_diagnosis_date() {
    for (day, ok) in [
        (date(2022, 9, 25), false),
        (date(2022, 9, 26), true),
        (date(2023, 5, 7), true),
        (date(2023, 5, 8), false),
    ] {
        let f = with_group(
            on(day, fixture::confirmed_patient()),
            TargetGroup::NeedsAdmission,
        );
        if ok {
            assert!(
                codes(LIMITED, &f).is_empty(),
                "{day}: {:?}",
                codes(LIMITED, &f)
            );
        } else {
            let e = error(LIMITED, &f, "form_version_not_for_date");
            assert_eq!(e.field().path(), "diagnosis_date");
            assert!(
                e.message_ja().contains("2021年11月29日の様式"),
                "{}",
                e.message_ja()
            );
        }
    }
}

#[test]
fn without_a_diagnosis_date_the_report_date_decides() {
    let mut f = on(date(2022, 10, 1), fixture::confirmed_patient());
    f.diagnosis_date = None;
    let e = error(FULL, &f, "form_version_not_for_date");
    assert_eq!(e.field(), Field::ReportDate);
}

#[test]
fn a_case_in_no_group_is_not_notifiable_and_goes_to_the_daily_totals() {
    let f = aged(date(1992, 5, 1));
    let e = error(LIMITED, &f, "not_notifiable");
    assert_eq!(e.field().path(), "target_groups");
    assert!(e.message_ja().contains("日次報告"), "{}", e.message_ja());
    assert!(
        e.message_ja().contains("発生届の対象外"),
        "{}",
        e.message_ja()
    );
    for g in [
        TargetGroup::NeedsAdmission,
        TargetGroup::RiskNeedsTreatmentDrug,
        TargetGroup::RiskNeedsNewOxygen,
        TargetGroup::Pregnant,
    ] {
        let f = with_group(f.clone(), g);
        assert!(
            codes(LIMITED, &f).is_empty(),
            "{g:?}: {:?}",
            codes(LIMITED, &f)
        );
    }
}

#[test]
fn group_1_follows_the_age_on_the_diagnosis_date() {
    // 65 on the diagnosis day itself.
    let turning = aged(date(1957, 10, 1));
    assert!(codes(
        LIMITED,
        &with_group(turning.clone(), TargetGroup::Aged65OrOver)
    )
    .is_empty());
    // 64 until the next day.
    let almost = aged(date(1957, 10, 2));
    let e = error(
        LIMITED,
        &with_group(almost, TargetGroup::Aged65OrOver),
        "target_group_age_under_65",
    );
    assert_eq!(e.field().path(), "target_groups.aged_65_or_over");
    // 65 or older must say so, even with another group.
    let seventy = aged(date(1952, 5, 1));
    assert!(codes(
        LIMITED,
        &with_group(seventy.clone(), TargetGroup::Aged65OrOver)
    )
    .is_empty());
    let e = error(
        LIMITED,
        &with_group(seventy.clone(), TargetGroup::NeedsAdmission),
        "target_group_aged_65_unticked",
    );
    assert!(e.message_ja().contains("70歳"), "{}", e.message_ja());
    assert!(error(LIMITED, &seventy, "target_group_aged_65_unticked").field() == e.field());
}

#[test]
fn group_4_only_for_a_patient_who_can_be_pregnant() {
    let female = aged(date(1992, 5, 1));
    assert!(codes(LIMITED, &with_group(female.clone(), TargetGroup::Pregnant)).is_empty());
    let mut male = female.clone();
    male.patient.sex = Some(Sex::Male);
    male.other.pregnant = None;
    let e = error(
        LIMITED,
        &with_group(male, TargetGroup::Pregnant),
        "target_group_pregnant_not_applicable",
    );
    assert_eq!(e.field().path(), "target_groups.pregnant");
    assert!(e.message_ja().contains("男"), "{}", e.message_ja());
    let mut older = aged(date(1961, 5, 1));
    older.target_groups.needs_admission = true;
    let codes = codes(LIMITED, &with_group(older, TargetGroup::Pregnant));
    assert!(
        codes.contains(&"target_group_pregnant_not_applicable"),
        "{codes:?}"
    );
}

#[test]
fn a_death_examination_needs_no_group() {
    let f = on(date(2022, 10, 1), fixture::deceased());
    assert!(codes(LIMITED, &f).is_empty(), "{:?}", codes(LIMITED, &f));
    // Still refused on the full form in that regime.
    assert!(codes(FULL, &f).contains(&"form_version_not_for_date"));
}

#[test]
fn groups_are_refused_on_the_full_form() {
    let f = with_group(fixture::confirmed_patient(), TargetGroup::NeedsAdmission);
    let e = error(FULL, &f, "target_groups_only_on_limited_form");
    assert_eq!(e.field().path(), "target_groups");
}

#[test]
fn the_limited_form_in_json_round_trips_and_refuses_odd_groups() {
    let f = with_group(aged(date(1952, 5, 1)), TargetGroup::Aged65OrOver);
    let n = Notification::R20220926(f);
    let text = n.to_json();
    assert!(text.starts_with(r#"{"version":"2022-09-26""#), "{text}");
    assert!(
        text.contains(r#""target_groups":{"aged_65_or_over":true"#),
        "{text}"
    );
    assert_eq!(Notification::from_json(&text).expect("parses"), n);
    assert!(validate(&n, today()).is_fileable());
    // The full form's JSON has no such member while nothing is ticked.
    assert!(!Notification::R20211129(fixture::confirmed_patient())
        .to_json()
        .contains("target_groups"));
    let mut v: Value = serde_json::from_str(&text).expect("json");
    for bad in [
        json!(["aged_65_or_over"]),
        json!({"aged_65_or_over": "yes"}),
        json!({"aged_65_or_over": 1}),
        json!({"aged_70": true}),
        json!("aged_65_or_over"),
    ] {
        v["target_groups"] = bad.clone();
        assert!(
            serde_json::from_value::<Notification>(v.clone()).is_err(),
            "{bad}"
        );
    }
    // A group named twice is refused, not merged.
    let twice = text.replace(
        r#""target_groups":{"aged_65_or_over":true"#,
        r#""target_groups":{"aged_65_or_over":true,"aged_65_or_over":false"#,
    );
    assert!(Notification::from_json(&twice).is_err(), "{twice}");
    assert!(Notification::from_json(&text.replace("2022-09-26\"", "2022-09-27\"")).is_err());
}

#[test]
fn groups_apply_only_on_the_limited_form_and_set_aside_agrees_with_the_edge() {
    let path = |g: TargetGroup| Field::TargetGroup(g).path();
    let full = fixture::confirmed_patient();
    for g in TargetGroup::ALL {
        assert!(!applies(&full, today(), &path(g)), "{g:?}");
    }
    let young = aged(date(1992, 5, 1));
    assert!(applies(&young, today(), &path(TargetGroup::NeedsAdmission)));
    assert!(applies(&young, today(), &path(TargetGroup::Pregnant)));
    assert!(!applies(&young, today(), &path(TargetGroup::Aged65OrOver)));
    let old = aged(date(1952, 5, 1));
    assert!(applies(&old, today(), &path(TargetGroup::Aged65OrOver)));
    assert!(!applies(&old, today(), &path(TargetGroup::Pregnant)));
    let mut male = young.clone();
    male.patient.sex = Some(Sex::Male);
    assert!(!applies(&male, today(), &path(TargetGroup::Pregnant)));

    // A young man with 65+ and pregnancy ticked, plus admission: set aside takes the two out, and the edge's
    // refusals go with them.
    let mut f = male.clone();
    f.other.pregnant = None;
    f.target_groups.aged_65_or_over = true;
    f.target_groups.pregnant = true;
    f.target_groups.needs_admission = true;
    let before = codes(LIMITED, &f);
    assert!(before.contains(&"target_group_age_under_65"), "{before:?}");
    assert!(
        before.contains(&"target_group_pregnant_not_applicable"),
        "{before:?}"
    );
    let mut state = serde_json::to_value(Notification::R20220926(f.clone())).expect("json");
    let aside = set_aside(&mut state, &f, today());
    assert_eq!(aside.len(), 2, "{aside:?}");
    let after: Notification = serde_json::from_value(state.clone()).expect("reads");
    assert!(
        validate(&after, today()).is_fileable(),
        "{:?}",
        validate(&after, today()).errors
    );

    // The date moved out of the regime: every group is set aside (the form is then the full one).
    let mut g = young.clone();
    g.target_groups.needs_admission = true;
    let g = on(date(2023, 5, 8), g);
    let mut state = serde_json::to_value(Notification::R20211129(g.clone())).expect("json");
    let aside = set_aside(&mut state, &g, today());
    assert_eq!(aside.len(), 1);
    assert_eq!(aside[0].path, "target_groups.needs_admission");
    let after: Notification = serde_json::from_value(state).expect("reads");
    assert!(
        validate(&after, today()).is_fileable(),
        "{:?}",
        validate(&after, today()).errors
    );
}

#[test]
fn group_fields_have_paths_and_labels() {
    for g in TargetGroup::ALL {
        let f = Field::TargetGroup(g);
        assert_eq!(Field::from_path(&f.path()), Some(f));
        assert!(f.label().contains(g.label()));
    }
    assert_eq!(Field::from_path("target_groups"), Some(Field::TargetGroups));
    assert_eq!(LIMITED.as_str(), "2022-09-26");
    assert_ne!(LIMITED.title(), FULL.title());
}

#[test]
fn the_form_state_follows_the_diagnosis_date_and_keeps_the_groups_aside() {
    use shared::notification::conditional::{follow_regime, restore_applicable};
    use shared::notification::json_path::{get, set};
    let today = date(2022, 10, 2);
    let mut state =
        serde_json::to_value(Notification::R20211129(aged(date(1952, 5, 1)))).expect("json");
    follow_regime(&mut state, today, false);
    assert_eq!(get(&state, "version"), &json!("2022-09-26"));
    assert_eq!(get(&state, "target_groups.aged_65_or_over"), &json!(true));
    set(&mut state, "target_groups.needs_admission", json!(true));
    let read = |v: &Value| {
        serde_json::from_value::<Notification>(v.clone())
            .expect("reads")
            .into_form()
    };
    let report = validate(&serde_json::from_value(state.clone()).unwrap(), today);
    assert!(report.is_fileable(), "{:?}", report.errors);
    // The diagnosis date moves before the regime: the full form, the groups set aside…
    set(&mut state, "diagnosis_date", json!("2022-09-25"));
    follow_regime(&mut state, today, false);
    assert_eq!(get(&state, "version"), &json!("2021-11-29"));
    let form = read(&state);
    let aside = set_aside(&mut state, &form, today);
    assert_eq!(aside.len(), 2, "{aside:?}");
    assert!(read(&state).target_groups.is_empty());
    // …and back when it returns.
    // (The form restores first: which fields apply follows the date, not the version member.)
    set(&mut state, "diagnosis_date", json!("2022-10-01"));
    let form = read(&state);
    let left = restore_applicable(&mut state, &form, today, aside);
    follow_regime(&mut state, today, false);
    assert!(left.is_empty(), "{left:?}");
    assert!(read(&state).target_groups.needs_admission);
    assert!(read(&state).target_groups.aged_65_or_over);
    // A younger birth date unticks group (1) by itself.
    set(&mut state, "patient.date_of_birth", json!("1990-01-01"));
    follow_regime(&mut state, today, false);
    assert_eq!(get(&state, "target_groups.aged_65_or_over"), &json!(false));
    // An edit keeps its revision.
    set(&mut state, "diagnosis_date", json!("2023-06-01"));
    follow_regime(&mut state, today, true);
    assert_eq!(get(&state, "version"), &json!("2022-09-26"));
}

#[test]
fn the_limited_form_adds_its_reference_item_to_every_item_of_the_full_one() {
    use shared::notification::reference_fields::{OptionTarget, REFERENCE_ITEMS_20220926};
    let mut f = fixture::everything_filled();
    for g in TargetGroup::ALL {
        f.target_groups.set(g, true);
    }
    let v = serde_json::to_value(Notification::R20220926(f)).expect("json");
    let at = |path: &str| {
        path.split('.')
            .try_fold(&v, |v, step| v.get(step))
            .filter(|m| !m.is_null())
    };
    for item in REFERENCE_ITEMS_20220926 {
        for path in item.paths {
            assert_eq!(at(path), Some(&json!(true)), "{path}");
        }
        for (label, target) in item.options {
            let OptionTarget::Member(path) = target else {
                panic!("{label}")
            };
            assert!(at(path).is_some(), "{label}");
            let g = TargetGroup::ALL
                .into_iter()
                .find(|g| Field::TargetGroup(*g).path() == *path)
                .expect("a group");
            // The printed wording is the label's start (group 2's label adds its parenthesis).
            assert!(g.label().starts_with(label), "{label} / {}", g.label());
        }
    }
}
