//! Dates as Japan counts them. Japan Standard Time is UTC+9 all year (no daylight saving time), so "today" for a
//! filing, a report or a deadline is the UTC instant moved nine hours on. One home for it: the edge and the app
//! both ask here.

use chrono::NaiveDate;

const JST_OFFSET_MS: i64 = 9 * 3600 * 1000;

/// The JST calendar date of an instant (milliseconds since the epoch); `None` only out of chrono's range.
pub fn jst_date(ms: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(ms.checked_add(JST_OFFSET_MS)?).map(|d| d.date_naive())
}

/// "Today" in Japan at `now_ms` (the epoch's date if out of range, which a real clock never is).
pub fn today_jst(now_ms: i64) -> NaiveDate {
    jst_date(now_ms).unwrap_or_default()
}

/// [`jst_date`] as `YYYY-MM-DD` (empty out of range).
pub fn jst_day(ms: i64) -> String {
    jst_date(ms).map(|d| d.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_turns_at_15_00_utc() {
        let at = |h| {
            NaiveDate::from_ymd_opt(2026, 11, 24)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .map(|t| t.and_utc().timestamp_millis())
                .unwrap_or_default()
        };
        assert_eq!(today_jst(at(14)).to_string(), "2026-11-24");
        assert_eq!(today_jst(at(15)).to_string(), "2026-11-25");
        assert_eq!(jst_day(at(15)), "2026-11-25");
        assert_eq!(jst_date(i64::MAX), None);
    }
}
