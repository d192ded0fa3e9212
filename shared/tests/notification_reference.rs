//! Every field and option of the reference document exists in the model: walks
//! `shared::notification::reference_fields` against a notification with every member filled.

#[path = "../examples/support/notification_fixture.rs"]
mod fixture;

use shared::notification::options::{DiagnosticMethod, Specimen};
use shared::notification::reference_fields::{OptionTarget, REFERENCE_ITEMS, SPECIMENS_BY_METHOD};
use shared::notification::Notification;

/// The value at a path like `tests[0].specimen_date` (`None` if a step is missing).
fn at<'a>(value: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.')
        .try_fold(value, |v, step| match step.split_once('[') {
            Some((name, index)) => {
                let i: usize = index.strip_suffix(']')?.parse().ok()?;
                v.get(name)?.get(i)
            }
            None => v.get(step),
        })
}

fn filled() -> serde_json::Value {
    let json = Notification::R20211129(fixture::everything_filled()).to_json();
    serde_json::from_str(&json).expect("json")
}

#[test]
fn every_reference_field_has_a_filled_member() {
    let value = filled();
    let mut paths = 0;
    for item in REFERENCE_ITEMS {
        assert!(!item.paths.is_empty(), "{} {}", item.number, item.label);
        for path in item.paths {
            let member = at(&value, path);
            assert!(
                member.is_some_and(|m| !m.is_null()),
                "{} {}: no member at {path}",
                item.number,
                item.label
            );
            paths += 1;
        }
    }
    // 5 header items + items 1–17 + 18①②③ + 19a–h.
    assert_eq!(REFERENCE_ITEMS.len(), 5 + 17 + 3 + 8);
    assert!(paths >= REFERENCE_ITEMS.len());
}

#[test]
fn every_reference_option_exists() {
    let value = filled();
    let mut options = 0;
    for item in REFERENCE_ITEMS {
        for (label, target) in item.options {
            match target {
                OptionTarget::Variant(kind) => {
                    assert!(
                        kind.has_label(label),
                        "{} {}: no option {label} in {kind:?}",
                        item.number,
                        item.label
                    )
                }
                OptionTarget::Member(path) => assert!(
                    at(&value, path).is_some_and(|m| !m.is_null()),
                    "{} {}: option {label} has no member at {path}",
                    item.number,
                    item.label
                ),
            }
            options += 1;
        }
    }
    assert!(options >= 80, "{options}");
}

#[test]
fn specimens_per_method_are_the_printed_ones() {
    for (method, specimens) in SPECIMENS_BY_METHOD {
        let method = DiagnosticMethod::from_label(method).expect("method label");
        let printed: Vec<Specimen> = specimens
            .iter()
            .filter_map(|s| Specimen::from_label(s))
            .collect();
        assert_eq!(printed.len(), specimens.len());
        assert_eq!(method.specimens(), printed.as_slice(), "{method:?}");
    }
    assert_eq!(SPECIMENS_BY_METHOD.len(), DiagnosticMethod::ALL.len());
}

#[test]
fn the_model_has_no_option_the_form_does_not_print_except_those_the_manual_adds() {
    use shared::notification::reference_fields::OptionKind;
    let printed: Vec<&str> = REFERENCE_ITEMS
        .iter()
        .flat_map(|i| i.options.iter())
        .filter(|(_, t)| matches!(t, OptionTarget::Variant(_)))
        .map(|(l, _)| *l)
        .collect();
    let model: Vec<&str> = shared::notification::options::Symptom::ALL
        .iter()
        .map(|s| s.label())
        .chain(
            shared::notification::options::RiskFactor::ALL
                .iter()
                .map(|r| r.label()),
        )
        .chain(
            shared::notification::options::Severity::ALL
                .iter()
                .map(|s| s.label()),
        )
        .chain(
            shared::notification::options::CaseCategory::ALL
                .iter()
                .map(|c| c.label()),
        )
        .chain(Specimen::ALL.iter().map(|s| s.label()))
        .collect();
    for label in model {
        assert!(
            printed.contains(&label),
            "{label} is not printed on the form"
        );
    }
    // 結果「その他」 comes from the manual (4.2), not the form.
    assert!(OptionKind::TestResult.has_label("その他"));
}

/// Nothing in the notification code reads a clock: "today" is a parameter.
#[test]
fn no_clock_in_the_domain_code() {
    let sources = [
        include_str!("../src/kana.rs"),
        include_str!("../src/notification/dates.rs"),
        include_str!("../src/notification/validate.rs"),
        include_str!("../src/notification/model.rs"),
        include_str!("../src/notification/version.rs"),
        include_str!("../src/notification/postal.rs"),
        include_str!("../src/notification/municipality.rs"),
    ];
    for source in sources {
        for forbidden in ["::now(", "SystemTime", "Instant::", "Utc::", "Local::"] {
            assert!(!source.contains(forbidden), "{forbidden}");
        }
    }
}
