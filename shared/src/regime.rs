//! Policy regimes by date: which notification form and which counting duty apply to a case diagnosed (or a result
//! obtained, or a count reported) on a given day. Data, not code paths: every screen and every check asks
//! [`for_date`], and a new policy is a new entry in [`TIMELINE`] (and, when the form changes, a new form version).
//!
//! Sources (public prefectural notices quoting them; the notices themselves are not copied here):
//! - MHLW 事務連絡 2022-09-12 「Withコロナの新たな段階への移行に向けた全数届出の見直しについて」: from 2022-09-26 individual
//!   notification only for four groups; every medical institution reports each day's total of patients diagnosed by
//!   age band (日次報告), FAX to the health center by 10:00 the next day when the system cannot be used; people not
//!   notified register with the prefecture's 陽性者登録窓口 (健康フォローアップセンター).
//! - From 2023-05-08 COVID-19 is a category 5 infectious disease (5類感染症, 定点把握): individual notification ended;
//!   designated sentinel clinics (定点医療機関) report a week's (Monday–Sunday) counts by the age bands of MHLW's
//!   weekly 定点当たり報告数 tables.
//!
//! Dates are calendar days in Japan (JST). The boundaries are the first day of a regime; the day before belongs to
//! the previous one. A stored notification keeps the form version it was filed on (the version travels in its JSON),
//! so a later regime never rewrites an earlier filing.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// The version of this timeline (the date of its newest boundary). Stored beside counts and registrations so a
/// later correction of the data is visible.
pub const TIMELINE_VERSION: &str = "2023-05-08";

/// The regimes, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegimeId {
    /// Every case notified on the full form (別記様式6-1 as revised 2021-11-29).
    #[serde(rename = "full-2021-11-29")]
    Full,
    /// From 2022-09-26: individual notification for four groups; daily totals by age band for everyone diagnosed;
    /// self-registration of positives not notified.
    #[serde(rename = "limited-2022-09-26")]
    Limited,
    /// From 2023-05-08 (category 5): no individual notification; sentinel clinics report weekly counts.
    #[serde(rename = "sentinel-2023-05-08")]
    Sentinel,
}

/// What the law asks of a doctor who diagnoses a case on a day of the regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationDuty {
    /// Every case, on this form version (the `"version"` of the notification's JSON).
    EveryCase { form: &'static str },
    /// Only cases of the four groups (and death examinations), on this form version.
    FourGroups { form: &'static str },
    /// No duty. The product still accepts the full form as a voluntary report (任意の届出): health centers kept
    /// following some cases (outbreaks in care homes), and the product's record, observation and search flows run on
    /// any date. The form says the report is voluntary.
    Voluntary { form: &'static str },
}

impl NotificationDuty {
    /// The form version a notification for a case of this day is filed on.
    pub fn form(self) -> &'static str {
        match self {
            NotificationDuty::EveryCase { form }
            | NotificationDuty::FourGroups { form }
            | NotificationDuty::Voluntary { form } => form,
        }
    }
}

/// What is counted besides the individual notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountingDuty {
    /// Nothing: every case is notified.
    None,
    /// Each medical institution reports each day's total of patients it diagnosed by these bands (those notified
    /// individually included), and people not notified may register themselves.
    DailyTotals { bands: &'static AgeBands },
    /// Designated sentinel clinics report each week's counts by these bands.
    SentinelWeekly { bands: &'static AgeBands },
}

/// One regime of the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regime {
    pub id: RegimeId,
    /// First day (JST).
    pub from: NaiveDate,
    /// Last day, inclusive (`None`: still in force).
    pub until: Option<NaiveDate>,
    pub notification: NotificationDuty,
    pub counting: CountingDuty,
    /// Whether the prefecture's 陽性者登録窓口 takes self-registrations for results of days in this regime.
    pub self_registration: bool,
    /// Short Japanese label for screens.
    pub label_ja: &'static str,
}

impl Regime {
    pub fn contains(&self, day: NaiveDate) -> bool {
        day >= self.from && self.until.is_none_or(|u| day <= u)
    }
}

/// A named list of age bands, versioned: a count stored with a band list's id can always be read back.
#[derive(Debug, PartialEq, Eq)]
pub struct AgeBands {
    /// Stable id stored with each count (e.g. `"daily-2022-09"`).
    pub id: &'static str,
    pub bands: &'static [AgeBand],
    /// Why these bands (shown in the docs and on the screen's help).
    pub note: &'static str,
}

/// One band: whole years of age `min..=max` (`max` `None`: and older).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeBand {
    /// Stable key used in JSON and storage (e.g. `"10-19"`).
    pub key: &'static str,
    pub label_ja: &'static str,
    pub min: u32,
    pub max: Option<u32>,
}

impl AgeBands {
    /// The band of an age in whole years (every age has exactly one: the lists start at 0 and end open).
    pub fn band_of(&self, age_years: u32) -> &'static AgeBand {
        let last = self.bands.len() - 1;
        self.bands
            .iter()
            .find(|b| age_years >= b.min && b.max.is_none_or(|m| age_years <= m))
            .unwrap_or(&self.bands[last])
    }

    /// The index of a band key, if the list has it.
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.bands.iter().position(|b| b.key == key)
    }

    pub fn len(&self) -> usize {
        self.bands.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bands.is_empty()
    }
}

const fn band(key: &'static str, label_ja: &'static str, min: u32, max: Option<u32>) -> AgeBand {
    AgeBand {
        key,
        label_ja,
        min,
        max,
    }
}

/// The daily report's bands (from 2022-09-26). The official sheet of the 日次報告 could not be retrieved offline
/// when this was written; these are the bands of the age-group figures MHLW and the prefectures published from the
/// daily reports (0歳, 1–4, 5–9, then by decade to 80代, 90歳以上). They split the under-10s as paediatric care does,
/// and each maps onto the decade bands of the search list. Replace with the official list as a new `AgeBands` (new
/// id) if it differs; stored counts name their list's id.
pub static DAILY_BANDS_2022: AgeBands = AgeBands {
    id: "daily-2022-09",
    bands: &[
        band("0", "0歳", 0, Some(0)),
        band("1-4", "1〜4歳", 1, Some(4)),
        band("5-9", "5〜9歳", 5, Some(9)),
        band("10-19", "10代", 10, Some(19)),
        band("20-29", "20代", 20, Some(29)),
        band("30-39", "30代", 30, Some(39)),
        band("40-49", "40代", 40, Some(49)),
        band("50-59", "50代", 50, Some(59)),
        band("60-69", "60代", 60, Some(69)),
        band("70-79", "70代", 70, Some(79)),
        band("80-89", "80代", 80, Some(89)),
        band("90-", "90歳以上", 90, None),
    ],
    note: "2022年9月26日からの日次報告の年代区分（0歳、1〜4歳、5〜9歳、10代〜80代、90歳以上）。公式様式の区分と異なる場合は新しい版として追加します。",
};

/// The sentinel weekly report's bands (from 2023-05-08): those of MHLW's weekly 定点当たり報告数 tables.
pub static SENTINEL_BANDS_2023: AgeBands = AgeBands {
    id: "sentinel-2023-05",
    bands: &[
        band("0-9", "10歳未満", 0, Some(9)),
        band("10-14", "10〜14歳", 10, Some(14)),
        band("15-19", "15〜19歳", 15, Some(19)),
        band("20-29", "20代", 20, Some(29)),
        band("30-39", "30代", 30, Some(39)),
        band("40-49", "40代", 40, Some(49)),
        band("50-59", "50代", 50, Some(59)),
        band("60-69", "60代", 60, Some(69)),
        band("70-79", "70代", 70, Some(79)),
        band("80-", "80歳以上", 80, None),
    ],
    note: "厚生労働省の定点当たり報告数（週報）の年齢区分。",
};

/// The form version ids (the `"version"` of a notification's JSON).
pub const FORM_FULL: &str = "2021-11-29";
pub const FORM_LIMITED: &str = "2022-09-26";

/// The timeline, oldest first; consecutive, with no gap or overlap (tested).
pub static TIMELINE: [Regime; 3] = [
    Regime {
        id: RegimeId::Full,
        from: ymd(2021, 11, 29),
        until: Some(ymd(2022, 9, 25)),
        notification: NotificationDuty::EveryCase { form: FORM_FULL },
        counting: CountingDuty::None,
        self_registration: false,
        label_ja: "全数届出（2022年9月25日まで）",
    },
    Regime {
        id: RegimeId::Limited,
        from: ymd(2022, 9, 26),
        until: Some(ymd(2023, 5, 7)),
        notification: NotificationDuty::FourGroups { form: FORM_LIMITED },
        counting: CountingDuty::DailyTotals {
            bands: &DAILY_BANDS_2022,
        },
        self_registration: true,
        label_ja: "届出対象の限定と日次報告（2022年9月26日〜2023年5月7日）",
    },
    Regime {
        id: RegimeId::Sentinel,
        from: ymd(2023, 5, 8),
        until: None,
        notification: NotificationDuty::Voluntary { form: FORM_FULL },
        counting: CountingDuty::SentinelWeekly {
            bands: &SENTINEL_BANDS_2023,
        },
        self_registration: false,
        label_ja: "5類・定点把握（2023年5月8日から）",
    },
];

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid date in the timeline"),
    }
}

/// The regime of a day. Days before the first regime (the form of 2021-11-29 is the oldest this product files)
/// count as the first.
pub fn for_date(day: NaiveDate) -> &'static Regime {
    TIMELINE
        .iter()
        .rev()
        .find(|r| day >= r.from)
        .unwrap_or(&TIMELINE[0])
}

/// The regime by id.
pub fn regime(id: RegimeId) -> &'static Regime {
    TIMELINE.iter().find(|r| r.id == id).unwrap_or(&TIMELINE[0])
}

/// First and last day on which daily totals are owed (the limited regime).
pub fn daily_totals_window() -> (NaiveDate, NaiveDate) {
    let r = regime(RegimeId::Limited);
    (r.from, r.until.unwrap_or(r.from))
}

/// When a day's totals are due: 10:00 JST the next day (the FAX fallback's deadline). After it a report is still
/// taken and marked late.
pub fn daily_deadline(day: NaiveDate) -> NaiveDateTime {
    (day + Duration::days(1)).and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default())
}

/// The Monday that starts the surveillance week (Monday–Sunday) of a day.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The first week sentinel reports are owed for (the week starting 2023-05-08, a Monday).
pub fn first_sentinel_week() -> NaiveDate {
    regime(RegimeId::Sentinel).from
}

/// When a week's sentinel report is due: the Tuesday after the week, 23:59:59 JST (the week ends on Sunday;
/// reports reach the health center on the Monday or Tuesday). After it a report is still taken and marked late.
pub fn sentinel_deadline(week_start: NaiveDate) -> NaiveDateTime {
    (week_start + Duration::days(8))
        .and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default())
}

/// Whether a day starts a surveillance week.
pub fn is_week_start(day: NaiveDate) -> bool {
    day.weekday() == Weekday::Mon
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn boundaries() {
        assert_eq!(for_date(d(2022, 2, 15)).id, RegimeId::Full);
        assert_eq!(for_date(d(2022, 9, 25)).id, RegimeId::Full);
        assert_eq!(for_date(d(2022, 9, 26)).id, RegimeId::Limited);
        assert_eq!(for_date(d(2023, 5, 7)).id, RegimeId::Limited);
        assert_eq!(for_date(d(2023, 5, 8)).id, RegimeId::Sentinel);
        assert_eq!(for_date(d(2026, 12, 5)).id, RegimeId::Sentinel);
        assert_eq!(for_date(d(2020, 5, 1)).id, RegimeId::Full);
        assert_eq!(for_date(d(2022, 9, 25)).notification.form(), FORM_FULL);
        assert_eq!(for_date(d(2022, 9, 26)).notification.form(), FORM_LIMITED);
        assert_eq!(for_date(d(2023, 5, 7)).notification.form(), FORM_LIMITED);
        assert_eq!(for_date(d(2023, 5, 8)).notification.form(), FORM_FULL);
        assert!(matches!(
            for_date(d(2023, 5, 7)).counting,
            CountingDuty::DailyTotals { .. }
        ));
        assert!(matches!(
            for_date(d(2023, 5, 8)).counting,
            CountingDuty::SentinelWeekly { .. }
        ));
        assert_eq!(for_date(d(2022, 9, 25)).counting, CountingDuty::None);
        assert!(!for_date(d(2022, 9, 25)).self_registration);
        assert!(for_date(d(2022, 9, 26)).self_registration);
        assert!(!for_date(d(2023, 5, 8)).self_registration);
    }

    #[test]
    fn timeline_is_consecutive() {
        for pair in TIMELINE.windows(2) {
            let until = pair[0].until.expect("only the last regime is open");
            assert_eq!(until + Duration::days(1), pair[1].from);
            assert!(pair[0].contains(until) && !pair[1].contains(until));
            assert!(pair[1].contains(pair[1].from) && !pair[0].contains(pair[1].from));
        }
        assert_eq!(TIMELINE[TIMELINE.len() - 1].until, None);
        assert_eq!(
            TIMELINE_VERSION,
            TIMELINE[TIMELINE.len() - 1].from.to_string()
        );
        assert_eq!(daily_totals_window(), (d(2022, 9, 26), d(2023, 5, 7)));
    }

    #[test]
    fn bands_cover_every_age_once() {
        for bands in [&DAILY_BANDS_2022, &SENTINEL_BANDS_2023] {
            assert_eq!(bands.bands[0].min, 0);
            assert_eq!(bands.bands[bands.len() - 1].max, None);
            for pair in bands.bands.windows(2) {
                assert_eq!(
                    pair[0].max.map(|m| m + 1),
                    Some(pair[1].min),
                    "{}",
                    bands.id
                );
            }
            for age in 0..130 {
                let n = bands
                    .bands
                    .iter()
                    .filter(|b| age >= b.min && b.max.is_none_or(|m| age <= m))
                    .count();
                assert_eq!(n, 1, "{} age {age}", bands.id);
            }
            let mut keys: Vec<_> = bands.bands.iter().map(|b| b.key).collect();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), bands.len());
        }
        assert_eq!(DAILY_BANDS_2022.band_of(0).key, "0");
        assert_eq!(DAILY_BANDS_2022.band_of(4).key, "1-4");
        assert_eq!(DAILY_BANDS_2022.band_of(70).key, "70-79");
        assert_eq!(DAILY_BANDS_2022.band_of(104).key, "90-");
        assert_eq!(SENTINEL_BANDS_2023.band_of(14).key, "10-14");
        assert_eq!(SENTINEL_BANDS_2023.band_of(15).key, "15-19");
        assert_eq!(SENTINEL_BANDS_2023.band_of(80).key, "80-");
        assert_eq!(SENTINEL_BANDS_2023.len(), 10);
    }

    #[test]
    fn weeks_and_deadlines() {
        assert!(is_week_start(first_sentinel_week()));
        assert_eq!(week_start(d(2023, 5, 14)), d(2023, 5, 8));
        assert_eq!(week_start(d(2023, 5, 15)), d(2023, 5, 15));
        assert_eq!(
            sentinel_deadline(d(2023, 5, 8)).to_string(),
            "2023-05-16 23:59:59"
        );
        assert_eq!(
            daily_deadline(d(2022, 10, 1)).to_string(),
            "2022-10-02 10:00:00"
        );
    }
}
