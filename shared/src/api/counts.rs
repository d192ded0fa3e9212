//! Counts by age band (issue 21): a clinic's daily totals (日次報告, 2022-09-26..=2023-05-07), sentinel clinics'
//! weekly reports (定点報告, from 2023-05-08), the health center's view of who reported, and the count dashboards.
//! The checks live here so the app refuses as the person types and the edge refuses the same way
//! ([`check_counts`], [`check_daily_day`], [`check_sentinel_week`]).
//!
//! Decisions: a report of all zeros is accepted (it says "checked: none today" and lets a mistaken report be
//! corrected to zero); a day with no diagnosis needs no report, and the screen says so. The sentinel figure per site
//! (定点当たり) divides a week's count by the number of designated sites **that reported** that week, as MHLW's
//! weekly tables do.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::notification::validate::{IssueSeverity, IssueView};
use crate::regime::{self, AgeBands};

/// The largest count a band takes (more is not a day or a week of one clinic).
pub const COUNT_MAX: u32 = 9999;
/// The longest span a dashboard answers, in days.
pub const DASHBOARD_MAX_DAYS: i64 = 92;

/// A count as sent: any JSON value, so that `-1`, `1.5`, `"x"` are answered at their band's field, not as a
/// malformed body.
pub type RawCounts = BTreeMap<String, serde_json::Value>;

/// `PUT /api/daily-totals/{day}` and `PUT /api/sentinel/reports/{week}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutCounts {
    /// The clinic reported for; optional (the caller's own). Another institution is refused (`OTHER_INSTITUTION`).
    #[serde(default)]
    pub institution_id: Option<String>,
    /// Band key → count. A band not named counts 0.
    pub counts: RawCounts,
}

/// A stored report (daily or weekly).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCounts {
    /// The band list's id (`regime::AgeBands::id`).
    pub bands_id: String,
    /// Counts in the list's band order.
    pub counts: Vec<u32>,
    pub total: u32,
    pub version: i64,
    pub submitted_at: i64,
    pub updated_at: i64,
    /// First sent, or last changed, after the deadline.
    pub late: bool,
}

/// `GET /api/daily-totals/{day}`: what the clinic's screen starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyDay {
    pub day: String,
    pub institution_id: String,
    pub institution_name: String,
    pub health_center_name: String,
    /// `YYYY-MM-DD HH:MM` JST.
    pub deadline: String,
    /// Whether a report sent now is late.
    pub late_now: bool,
    /// The clinic's individually notified cases diagnosed on the day, by band (the floor of each band).
    pub notified: Vec<u32>,
    pub report: Option<StoredCounts>,
}

/// The answer to a PUT: whether it changed anything, and the report as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutAnswer {
    pub changed: bool,
    pub report: StoredCounts,
}

/// One clinic in the health center's 日次報告の状況.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicDayStatus {
    pub institution_id: String,
    pub institution_name: String,
    pub health_center_id: String,
    pub health_center_name: String,
    /// Individually notified cases of the day (all bands).
    pub notified: u32,
    pub report: Option<StoredCounts>,
}

/// `GET /api/daily-totals/status/{day}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyStatus {
    pub day: String,
    pub deadline: String,
    pub clinics: Vec<ClinicDayStatus>,
}

/// A clinic and its sentinel designation (`GET /api/sentinel/sites`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentinelSite {
    pub institution_id: String,
    pub institution_name: String,
    pub health_center_id: String,
    /// The current (open) designation's first week, if designated.
    pub from_week: Option<String>,
    /// Its last week, when ended.
    pub last_week: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentinelSites {
    pub sites: Vec<SentinelSite>,
}

/// `POST /api/sentinel/sites`: designate a clinic from a week (a Monday).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Designate {
    pub institution_id: String,
    pub from_week: String,
}

/// `POST /api/sentinel/sites/{institution}/end`: the designation's last week (a Monday).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndDesignation {
    pub last_week: String,
}

/// `GET /api/sentinel/reports/{week}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentinelWeek {
    pub week: String,
    pub institution_id: String,
    pub institution_name: String,
    pub deadline: String,
    pub late_now: bool,
    pub designated: bool,
    pub report: Option<StoredCounts>,
}

/// One day of the count dashboard: the parts and their sum, by the daily bands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountDay {
    pub day: String,
    /// Notified cases of clinic-days with no daily total (a reported total already includes its notified cases).
    pub notified: Vec<u32>,
    /// Daily totals reported.
    pub daily_totals: Vec<u32>,
    /// Confirmed self-registrations of an antigen-kit result (a clinic's diagnosis is in its daily total).
    pub self_registered: Vec<u32>,
    pub sum: Vec<u32>,
    pub total: u32,
}

/// One week of sentinel reports in the area.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentinelWeekFigure {
    pub week: String,
    /// Designated sites for the week in the area.
    pub sites: u32,
    /// Sites that reported.
    pub reported: u32,
    pub counts: Vec<u32>,
    pub total: u32,
    /// total / reported, in hundredths (`None` when nobody reported).
    pub per_site_x100: Option<u32>,
}

/// `GET /api/counts?from=&to=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountDashboard {
    /// `health_center` / `prefecture` / `nation`.
    pub area: String,
    pub area_name: String,
    pub from: String,
    pub to: String,
    /// Band labels of the daily figures.
    pub daily_bands: Vec<String>,
    pub days: Vec<CountDay>,
    pub sentinel_bands: Vec<String>,
    pub weeks: Vec<SentinelWeekFigure>,
}

// ---- checks -------------------------------------------------------------------------------------------------------

/// A refusal: the error code and the findings naming the fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub issues: Vec<IssueView>,
}

impl Refusal {
    fn one(code: ErrorCode, field: &str, issue: &str, message: String) -> Self {
        Self {
            code,
            issues: vec![issue_view(field, issue, message)],
        }
    }
}

fn issue_view(field: &str, code: &str, message: String) -> IssueView {
    IssueView {
        severity: IssueSeverity::Error,
        code: code.to_owned(),
        field: field.to_owned(),
        message,
    }
}

/// The JST deadline as `YYYY-MM-DD HH:MM` (plain formatting: the app avoids chrono's formatter).
pub fn deadline_text(t: NaiveDateTime) -> String {
    let s = t.to_string();
    s.get(..16).unwrap_or(&s).to_owned()
}

/// Whether a report sent at `now_ms` for a deadline (JST) is late.
pub fn is_late(deadline_jst: NaiveDateTime, now_ms: i64) -> bool {
    let deadline_ms = deadline_jst.and_utc().timestamp_millis() - 9 * 3600 * 1000;
    now_ms > deadline_ms
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A day a daily total may be sent for: a date, inside [`regime::daily_totals_window`], not after today (JST).
pub fn check_daily_day(day: &str, today: NaiveDate) -> Result<NaiveDate, Refusal> {
    let Some(d) = parse_day(day) else {
        return Err(Refusal::one(
            ErrorCode::ValidationFailed,
            "day",
            "not_a_date",
            "報告日は YYYY-MM-DD の日付で指定してください。".into(),
        ));
    };
    if d > today {
        return Err(Refusal::one(
            ErrorCode::DayInFuture,
            "day",
            "day_in_future",
            "報告日に未来の日付は指定できません。".into(),
        ));
    }
    let (from, until) = regime::daily_totals_window();
    if d < from || d > until {
        return Err(Refusal::one(
            ErrorCode::DayOutsideRegime,
            "day",
            "day_outside_regime",
            format!("報告日は日次報告の期間（{from}〜{until}）の日付で指定してください。"),
        ));
    }
    Ok(d)
}

/// A week a sentinel report may be sent for: a Monday, from [`regime::first_sentinel_week`], not after this week.
pub fn check_sentinel_week(week: &str, today: NaiveDate) -> Result<NaiveDate, Refusal> {
    let Some(w) = parse_day(week) else {
        return Err(Refusal::one(
            ErrorCode::ValidationFailed,
            "week",
            "not_a_date",
            "報告週は YYYY-MM-DD の日付（月曜日）で指定してください。".into(),
        ));
    };
    if !regime::is_week_start(w) {
        return Err(Refusal::one(
            ErrorCode::NotWeekStart,
            "week",
            "not_week_start",
            "報告週は週の始まりの月曜日の日付で指定してください。".into(),
        ));
    }
    if w > today {
        return Err(Refusal::one(
            ErrorCode::DayInFuture,
            "week",
            "day_in_future",
            "報告週に未来の週は指定できません。".into(),
        ));
    }
    let first = regime::first_sentinel_week();
    if w < first {
        return Err(Refusal::one(
            ErrorCode::DayOutsideRegime,
            "week",
            "day_outside_regime",
            format!("定点報告は {first} の週からです。報告週を確認してください。"),
        ));
    }
    Ok(w)
}

/// The finding of one band's typed text (the app's check as the person types), or its count.
pub fn check_typed(
    bands: &AgeBands,
    index: usize,
    typed: &str,
    floor: u32,
) -> Result<u32, IssueView> {
    let band = &bands.bands[index];
    let field = format!("counts.{}", band.key);
    let label = format!("{}の人数", band.label_ja);
    let n = match crate::typed::parse_whole(typed, 0, i64::from(COUNT_MAX)) {
        Ok(v) => v.unwrap_or(0),
        Err(e) => return Err(issue_view(&field, e.code(), e.message_ja(&label))),
    };
    let n = u32::try_from(n).unwrap_or(0);
    below_floor(band.key, band.label_ja, n, floor).map_or(Ok(n), Err)
}

fn below_floor(key: &str, label: &str, n: u32, floor: u32) -> Option<IssueView> {
    (n < floor).then(|| {
        issue_view(
            &format!("counts.{key}"),
            "below_notified",
            format!(
                "{label}の人数（{n}）は、この日に発生届を出した人数（{floor}）以上にしてください。"
            ),
        )
    })
}

/// Checks a body's counts against the band list and each band's floor (the notified count; zeros for sentinel):
/// every band a whole number `0..=COUNT_MAX`, no unknown band, none below its floor. The counts in band order.
pub fn check_counts(
    bands: &AgeBands,
    raw: &RawCounts,
    floors: &[u32],
) -> Result<Vec<u32>, Refusal> {
    let mut issues = Vec::new();
    for key in raw.keys() {
        if bands.index_of(key).is_none() {
            issues.push(issue_view(
                &format!("counts.{}", key.chars().take(20).collect::<String>()),
                "unknown_band",
                "年代の区分が正しくありません。".into(),
            ));
        }
    }
    let mut counts = Vec::with_capacity(bands.len());
    for (i, band) in bands.bands.iter().enumerate() {
        let field = format!("counts.{}", band.key);
        let label = format!("{}の人数", band.label_ja);
        let n = match raw.get(band.key) {
            None | Some(serde_json::Value::Null) => 0,
            Some(serde_json::Value::Number(num)) => match num.as_u64() {
                Some(v) if v <= u64::from(COUNT_MAX) => v as u32,
                Some(_) => {
                    issues.push(issue_view(
                        &field,
                        "number_out_of_range",
                        format!("{label}は0〜{COUNT_MAX}の範囲で入力してください（{COUNT_MAX}を超える数は受け付けません）。"),
                    ));
                    0
                }
                None => {
                    let whole = num.as_f64().is_some_and(|f| f.fract() == 0.0);
                    let (code, msg) = if whole {
                        (
                            "number_out_of_range",
                            format!("{label}は0〜{COUNT_MAX}の範囲で入力してください。"),
                        )
                    } else {
                        (
                            "not_whole_number",
                            format!("{label}は整数で入力してください。"),
                        )
                    };
                    issues.push(issue_view(&field, code, msg));
                    0
                }
            },
            Some(_) => {
                issues.push(issue_view(
                    &field,
                    "not_a_number",
                    format!("{label}は数字で入力してください。"),
                ));
                0
            }
        };
        if let Some(issue) = below_floor(
            band.key,
            band.label_ja,
            n,
            floors.get(i).copied().unwrap_or(0),
        ) {
            if !issues.iter().any(|x| x.field == field) {
                issues.push(issue);
            }
        }
        counts.push(n);
    }
    if issues.is_empty() {
        Ok(counts)
    } else {
        let code = if issues.iter().all(|i| i.code == "below_notified") {
            ErrorCode::CountBelowNotified
        } else {
            ErrorCode::ValidationFailed
        };
        Err(Refusal { code, issues })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regime::{DAILY_BANDS_2022, SENTINEL_BANDS_2023};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn days_and_weeks() {
        let today = d("2022-10-05");
        assert_eq!(check_daily_day("2022-10-01", today), Ok(d("2022-10-01")));
        assert_eq!(
            check_daily_day("2022-10-06", today).unwrap_err().code,
            ErrorCode::DayInFuture
        );
        assert_eq!(
            check_daily_day("2022-09-25", today).unwrap_err().code,
            ErrorCode::DayOutsideRegime
        );
        assert_eq!(
            check_daily_day("2023-05-08", d("2026-01-01"))
                .unwrap_err()
                .code,
            ErrorCode::DayOutsideRegime
        );
        assert_eq!(
            check_daily_day("x", today).unwrap_err().issues[0].field,
            "day"
        );
        let today = d("2023-06-01");
        assert_eq!(
            check_sentinel_week("2023-05-15", today),
            Ok(d("2023-05-15"))
        );
        assert_eq!(
            check_sentinel_week("2023-05-16", today).unwrap_err().code,
            ErrorCode::NotWeekStart
        );
        assert_eq!(
            check_sentinel_week("2023-05-01", today).unwrap_err().code,
            ErrorCode::DayOutsideRegime
        );
        assert_eq!(
            check_sentinel_week("2023-06-05", today).unwrap_err().code,
            ErrorCode::DayInFuture
        );
    }

    #[test]
    fn counts() {
        let raw: RawCounts = serde_json::from_str(r#"{"0": 1, "20-29": 3}"#).unwrap();
        let floors = vec![0; DAILY_BANDS_2022.len()];
        let c = check_counts(&DAILY_BANDS_2022, &raw, &floors).unwrap();
        assert_eq!(c[0], 1);
        assert_eq!(c[4], 3);
        assert_eq!(c.iter().sum::<u32>(), 4);
        let mut floors = floors;
        floors[4] = 5;
        let e = check_counts(&DAILY_BANDS_2022, &raw, &floors).unwrap_err();
        assert_eq!(e.code, ErrorCode::CountBelowNotified);
        assert_eq!(e.issues[0].field, "counts.20-29");
        for bad in [
            r#"{"0": -1}"#,
            r#"{"0": 1.5}"#,
            r#"{"0": "x"}"#,
            r#"{"0": 10000}"#,
            r#"{"nope": 1}"#,
        ] {
            let raw: RawCounts = serde_json::from_str(bad).unwrap();
            let e = check_counts(&SENTINEL_BANDS_2023, &raw, &[]).unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationFailed, "{bad}");
            assert!(e.issues[0].field.starts_with("counts."), "{bad}");
        }
        assert_eq!(check_typed(&DAILY_BANDS_2022, 0, "３", 0), Ok(3));
        assert_eq!(
            check_typed(&DAILY_BANDS_2022, 0, "1", 2).unwrap_err().code,
            "below_notified"
        );
        assert_eq!(
            check_typed(&DAILY_BANDS_2022, 0, "10000", 0)
                .unwrap_err()
                .code,
            "number_out_of_range"
        );
    }

    #[test]
    fn lateness() {
        let dl = regime::daily_deadline(d("2022-10-01"));
        assert_eq!(deadline_text(dl), "2022-10-02 10:00");
        // 10:00 JST = 01:00 UTC.
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        assert!(!is_late(dl, at("2022-10-02T01:00:00Z")));
        assert!(is_late(dl, at("2022-10-02T01:00:01Z")));
    }
}
