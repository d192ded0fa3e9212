//! The notification (発生届): its pages — the filing flow (`/notifications/new`, `…/new/:case_id`,
//! `…/edit/:id`) and the filed list or inbox (`/records`) with the record's 発生届 tab —, the form's fields built
//! from the state, the generic inputs, and the official-layout sheet used by the confirm screen, the record and the
//! print.

pub mod filing;
pub mod input;
pub mod records;
pub mod sheet;
pub mod spec;

use chrono::NaiveDate;
use serde_json::Value;
use shared::notification::json_path::get;
use shared::notification::raw::{raw_issues, without_unreadable};
use shared::notification::validate::{IssueSeverity, IssueView};
use shared::notification::{validate, Form20211129, FormVersion, Notification};

/// Today in Japan on the device's clock: the same day the edge checks with (`shared::time::today_jst`) and the
/// record tabs, drive-through and phone use, whatever time zone the device is set to. (A device set to UTC disagreed
/// with the record's test dates from 00:00 to 09:00 JST.)
pub fn today() -> NaiveDate {
    shared::time::today_jst(js_sys::Date::now() as i64)
}

/// A blank notification on the current revision with the defaults a doctor would otherwise type every time.
pub fn blank(today: NaiveDate) -> Value {
    let mut v = serde_json::to_value(Notification::new_current()).unwrap_or(Value::Null);
    let t = Value::String(today.to_string());
    // The revision of today's regime (the form follows the diagnosis date as it changes).
    shared::notification::json_path::set(
        &mut v,
        "version",
        Value::String(FormVersion::for_date(today).as_str().to_owned()),
    );
    shared::notification::json_path::set(&mut v, "report_date", t.clone());
    shared::notification::json_path::set(&mut v, "diagnosis_date", t.clone());
    shared::notification::json_path::set(
        &mut v,
        "patient.current_location_same_as_address",
        Value::Bool(true),
    );
    shared::notification::json_path::set(&mut v, "tests[0].specimen_date", t);
    v
}

/// The state as it will be filed: furigana normalised, and the optional list entries left entirely blank (an unused
/// 感染地域 line) dropped, so they are not findings.
pub fn pruned(state: &Value) -> Value {
    let mut v = state.clone();
    // What was typed in hiragana or half-width kana is filed (and confirmed) as full-width katakana.
    let kana = shared::kana::normalize_furigana(&shared::notification::json_path::get_str(
        &v,
        "patient.furigana",
    ));
    shared::notification::json_path::set(&mut v, "patient.furigana", Value::String(kana));
    for path in ["infection.area.domestic", "infection.area.abroad"] {
        if let Some(items) = get(&v, path).as_array() {
            let kept: Vec<Value> = items
                .iter()
                .filter(|item| {
                    item.as_object().is_some_and(|o| {
                        o.values()
                            .any(|x| x.as_str().is_some_and(|s| !s.trim().is_empty()))
                    })
                })
                .cloned()
                .collect();
            shared::notification::json_path::set(&mut v, path, Value::Array(kept));
        }
    }
    v
}

/// The state as a notification, if its shape is right. A number or date kept as typed because it does not parse
/// (see [`shared::notification::raw`]) is left out here; [`findings`] reports it at its field, so 確認 cannot go on
/// without it.
pub fn parse(state: &Value) -> Option<Notification> {
    serde_json::from_value(without_unreadable(&pruned(state))).ok()
}

/// The state read into the model (for the conditions of [`shared::notification::conditional`]).
pub fn read_form(state: &Value) -> Option<Form20211129> {
    parse(state).map(Notification::into_form)
}

/// `shared`'s findings for the current state: values that are not numbers or dates first, then the rules.
pub fn findings(state: &Value, today: NaiveDate) -> Vec<IssueView> {
    let mut out = raw_issues(&pruned(state));
    match parse(state) {
        Some(n) => {
            out.extend(validate(&n, today).views());
            out
        }
        None => vec![IssueView {
            severity: IssueSeverity::Error,
            code: "malformed".into(),
            field: String::new(),
            message: "入力内容を読み取れませんでした。画面を開き直してください。".into(),
        }],
    }
}

/// The regime (`shared::regime`) of the state's own date: the diagnosis date, else the report date, else today.
pub fn regime_of(state: &Value, today: NaiveDate) -> &'static shared::regime::Regime {
    let date = |p: &str| {
        get(state, p)
            .as_str()
            .and_then(|s| s.parse::<NaiveDate>().ok())
    };
    shared::regime::for_date(
        date("diagnosis_date")
            .or(date("report_date"))
            .unwrap_or(today),
    )
}
