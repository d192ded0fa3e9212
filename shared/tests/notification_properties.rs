//! Property tests: kana normalisation (any kana form of a name meets the same key) and the date rules (age,
//! majority, 和暦, the order of events).

#[path = "../examples/support/notification_fixture.rs"]
mod fixture;

use chrono::{Datelike, Days, NaiveDate};
use proptest::prelude::*;
use shared::kana::{is_katakana_text, normalize_furigana, search_key};
use shared::notification::dates::{age_of_majority, age_on, is_minor, Wareki};
use shared::notification::field::Field;
use shared::notification::validate::{validate_20211129, ValidationError};

const CASES: u32 = 512;
const IDEO: char = '\u{3000}';

/// Full-width katakana that have a hiragana and a half-width form (ア..ン without ヮヰヱ).
const KATAKANA: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポァィゥェォッャュョー";

fn katakana_name() -> impl Strategy<Value = String> {
    let chars: Vec<char> = KATAKANA.chars().collect();
    (
        prop::collection::vec(prop::sample::select(chars.clone()), 1..8),
        prop::collection::vec(prop::sample::select(chars), 1..8),
    )
        .prop_map(|(a, b)| {
            format!(
                "{}\u{3000}{}",
                a.into_iter().collect::<String>(),
                b.into_iter().collect::<String>()
            )
        })
}

fn to_hiragana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Half-width katakana with voiced marks written separately, and ASCII spaces.
fn to_half_width(s: &str) -> String {
    const FULL: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
    let mut out = String::new();
    for c in s.chars() {
        let (base, mark) = match c {
            'ガ'..='ド' | 'バ'..='ポ' => decompose(c),
            _ => (c, None),
        };
        match FULL.chars().position(|f| f == base) {
            Some(i) => out.push(char::from_u32(0xFF66 + i as u32).unwrap_or(base)),
            None if base == '\u{3000}' => out.push(' '),
            None => out.push(base),
        }
        if let Some(m) = mark {
            out.push(m);
        }
    }
    out
}

fn decompose(c: char) -> (char, Option<char>) {
    // Voiced kana sit right after their base (カ→ガ), semi-voiced two after (ハ→パ).
    for base in "カキクケコサシスセソタチツテトハヒフヘホ".chars() {
        if char::from_u32(base as u32 + 1) == Some(c) {
            return (base, Some('ﾞ'));
        }
        if "ハヒフヘホ".contains(base) && char::from_u32(base as u32 + 2) == Some(c) {
            return (base, Some('ﾟ'));
        }
    }
    (c, None)
}

/// Full-width katakana with combining voiced marks (NFD).
fn to_combining(s: &str) -> String {
    s.chars()
        .flat_map(|c| match decompose(c) {
            (base, Some('ﾞ')) => vec![base, '\u{3099}'],
            (base, Some(_)) => vec![base, '\u{309A}'],
            (base, None) => vec![base],
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn every_kana_form_normalises_to_the_katakana(name in katakana_name()) {
        prop_assert_eq!(normalize_furigana(&name), name.clone());
        prop_assert_eq!(normalize_furigana(&to_hiragana(&name)), name.clone());
        prop_assert_eq!(normalize_furigana(&to_half_width(&name)), name.clone());
        prop_assert_eq!(normalize_furigana(&to_combining(&name)), name.clone());
        prop_assert!(is_katakana_text(&name));
    }

    #[test]
    fn search_keys_meet_across_forms_and_spacing(name in katakana_name(), spaces in "[ \u{3000}\t]{0,3}") {
        let key = search_key(&name);
        prop_assert_eq!(search_key(&to_hiragana(&name)), key.clone());
        prop_assert_eq!(search_key(&to_half_width(&name)), key.clone());
        prop_assert_eq!(search_key(&format!("{spaces}{}{spaces}", name.replace('\u{3000}', &spaces))), key.clone());
        let spaced = key.contains(IDEO);
        prop_assert!(!spaced, "space in key");
    }

    #[test]
    fn normalisation_is_idempotent_and_never_panics(input in any::<String>()) {
        let once = normalize_furigana(&input);
        prop_assert_eq!(normalize_furigana(&once), once.clone());
        let trimmed = !once.starts_with(IDEO) && !once.ends_with(IDEO);
        prop_assert!(trimmed, "untrimmed");
        let double = once.contains("\u{3000}\u{3000}");
        prop_assert!(!double, "double space");
        let unconverted = once.chars().any(|c| ('\u{3041}'..='\u{3096}').contains(&c) || ('\u{FF66}'..='\u{FF9D}').contains(&c));
        prop_assert!(!unconverted, "hiragana or half-width kana left");
        let _ = search_key(&input);
    }
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (1900i32..2100, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| {
        NaiveDate::from_ymd_opt(y, m, d)
            .or_else(|| NaiveDate::from_ymd_opt(y, m, 28))
            .unwrap_or(NaiveDate::MIN)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn age_grows_with_time_and_counts_birthdays(birth in any_date(), days in 0u64..50_000, more in 0u64..400) {
        let on = birth.checked_add_days(Days::new(days)).unwrap_or(birth);
        let later = on.checked_add_days(Days::new(more)).unwrap_or(on);
        let age = age_on(birth, on).expect("on ≥ birth");
        let older = age_on(birth, later).expect("later ≥ birth");
        prop_assert!(older >= age);
        prop_assert!(age.months < 12);
        prop_assert_eq!(age_on(birth, birth).map(|a| (a.years, a.months)), Some((0, 0)));
        // On a birthday that exists, the age is exactly the number of years.
        if let Some(birthday) = NaiveDate::from_ymd_opt(birth.year() + 30, birth.month(), birth.day()) {
            prop_assert_eq!(age_on(birth, birthday).map(|a| (a.years, a.months)), Some((30, 0)));
            let eve = birthday.pred_opt().expect("a day before");
            prop_assert_eq!(age_on(birth, eve).map(|a| a.years), Some(29));
        }
        if on > birth {
            prop_assert_eq!(age_on(on, birth), None);
        }
    }

    #[test]
    fn minors_are_younger_than_the_majority_of_the_day(birth in any_date(), days in 0u64..15_000) {
        let on = birth.checked_add_days(Days::new(days)).unwrap_or(birth);
        let age = age_on(birth, on).expect("on ≥ birth").years;
        let majority = age_of_majority(on);
        let expected = if on < NaiveDate::from_ymd_opt(2022, 4, 1).expect("date") { 20 } else { 18 };
        prop_assert_eq!(majority, expected);
        prop_assert_eq!(is_minor(birth, on), Some(age < majority));
    }

    #[test]
    fn wareki_round_trips(date in any_date()) {
        match Wareki::from_date(date) {
            Some(w) => {
                prop_assert_eq!(w.to_date(), Some(date));
                prop_assert!(w.year >= 1);
                prop_assert!(w.long().ends_with('日'));
            }
            None => prop_assert!(date < NaiveDate::from_ymd_opt(1873, 1, 1).expect("date")),
        }
    }

    /// Shifting every date of a valid notification by the same amount keeps it valid (as long as nothing moves
    /// into the future or before the pandemic), and moving one event of the chain after the next breaks the order.
    #[test]
    fn event_order_is_what_matters(back in 0u64..600, swap in 0usize..3) {
        let mut form = fixture::confirmed_patient();
        let shift = |d: &mut Option<NaiveDate>| *d = d.and_then(|d| d.checked_sub_days(Days::new(back)));
        shift(&mut form.report_date);
        shift(&mut form.first_visit_date);
        shift(&mut form.diagnosis_date);
        shift(&mut form.infection_date);
        shift(&mut form.onset_date);
        for t in form.tests.iter_mut() {
            shift(&mut t.specimen_date);
        }
        let report = validate_20211129(&form, fixture::today());
        let clean = report.errors.iter().all(|e| matches!(e, ValidationError::DateBeforePandemic { .. } | ValidationError::AgeMismatch { .. }));
        prop_assert!(clean, "{:#?}", report.errors);
        let chain = [Field::InfectionDate, Field::OnsetDate, Field::FirstVisitDate, Field::DiagnosisDate];
        let (earlier, later) = (chain[swap], chain[swap + 1]);
        let get = |f: &shared::notification::Form20211129, field: Field| match field {
            Field::InfectionDate => f.infection_date,
            Field::OnsetDate => f.onset_date,
            Field::FirstVisitDate => f.first_visit_date,
            _ => f.diagnosis_date,
        };
        let moved = get(&form, later).and_then(|d| d.checked_add_days(Days::new(1)));
        match earlier {
            Field::InfectionDate => form.infection_date = moved,
            Field::OnsetDate => form.onset_date = moved,
            _ => form.first_visit_date = moved,
        }
        let report = validate_20211129(&form, fixture::today());
        prop_assert!(
            report.errors.iter().any(|e| matches!(e, ValidationError::DateOrder { field, must_not_precede } if *field == later && *must_not_precede == earlier)),
            "{:#?}", report.errors
        );
    }

    #[test]
    fn validation_never_panics_on_varied_input(i in 0u64..100_000) {
        let n = fixture::varied(i);
        let report = shared::notification::validate(&n, fixture::today());
        for view in report.views() {
            prop_assert!(!view.message.is_empty());
        }
    }
}
