//! Open-data counts in the layout of MHLW's open data (issue 22).
//!
//! **Layout.** `Daily` is MHLW's `newly_confirmed_cases_daily.csv` (https://covid19.mhlw.go.jp/public/opendata/):
//! the header `Date,Prefecture,Newly confirmed cases`; dates as MHLW wrote them (`2022/10/1`, no leading zeros);
//! each day the national sum first as `ALL` (national files only), then every prefecture in scope by its English
//! name as MHLW writes it (`Hokkaido` … `Okinawa`, JIS order), zeros written. UTF-8 without a byte-order mark, LF
//! line ends, as MHLW publishes it.
//!
//! `AgeBands` adds one column per band of `regime::DAILY_BANDS_2022` after the day's count, headed in English
//! ([`BAND_HEADERS`]; MHLW's daily file has no age columns, so these headers are ours, in the decade style of its
//! detail files).
//!
//! **Minimum cell size** ([`MIN_CELL`] = 5). The day's count of a prefecture is written as it is, small or not:
//! MHLW published every prefecture's daily count, and a count of a whole prefecture names no one. An age-band cell
//! is a much smaller group (an age, a place and a day), so a band cell of 1–4 is suppressed (written
//! [`SUPPRESSED`], `*`). Because the row's count is published, one suppressed cell could be worked back from it and
//! the other cells, so suppression goes on (secondary suppression, smallest cells first) until the row has at least
//! two suppressed cells whose sum is more than their number — then no suppressed cell can be derived from the
//! count and the cells shown, even by a reader who knows each is at least 1. When no non-zero cell is left to hide,
//! every band cell of the row is hidden (hiding one chosen zero would tell which cell is the small one; the row's
//! count, then at most a few cases, is all that shows). `*` therefore means "1–4, or hidden to protect such a
//! cell". In a national
//! file a band's `ALL` cell is the sum of the prefectures' cells of that band, so it would give a suppressed cell
//! back by subtraction: on a day where any prefecture has a suppressed cell, every band cell of the `ALL` row is
//! `*` (its count is still written). One residual case cannot be protected without hiding the published count: a
//! row whose every band holds exactly 1 (all twelve suppressed, and a reader knowing the rule knows each is 1).

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};

use crate::api::exports::OpenDataLayout;
use crate::regime::DAILY_BANDS_2022;

/// New cases of one prefecture on one day, by band of `regime::DAILY_BANDS_2022` (`bands` sums to `total`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefDay {
    pub day: NaiveDate,
    /// 2 digits.
    pub pref_code: String,
    pub total: u64,
    pub bands: Vec<u64>,
}

/// A band cell below this (and above 0) is suppressed.
pub const MIN_CELL: u64 = 5;
/// What a suppressed cell is written as.
pub const SUPPRESSED: &str = "*";
/// The national sum's name in the `Prefecture` column.
pub const ALL: &str = "ALL";

/// The prefectures as MHLW's open data names them, in JIS order (01 Hokkaido … 47 Okinawa).
pub const PREFECTURES_EN: [&str; 47] = [
    "Hokkaido",
    "Aomori",
    "Iwate",
    "Miyagi",
    "Akita",
    "Yamagata",
    "Fukushima",
    "Ibaraki",
    "Tochigi",
    "Gunma",
    "Saitama",
    "Chiba",
    "Tokyo",
    "Kanagawa",
    "Niigata",
    "Toyama",
    "Ishikawa",
    "Fukui",
    "Yamanashi",
    "Nagano",
    "Gifu",
    "Shizuoka",
    "Aichi",
    "Mie",
    "Shiga",
    "Kyoto",
    "Osaka",
    "Hyogo",
    "Nara",
    "Wakayama",
    "Tottori",
    "Shimane",
    "Okayama",
    "Hiroshima",
    "Yamaguchi",
    "Tokushima",
    "Kagawa",
    "Ehime",
    "Kochi",
    "Fukuoka",
    "Saga",
    "Nagasaki",
    "Kumamoto",
    "Oita",
    "Miyazaki",
    "Kagoshima",
    "Okinawa",
];

/// The `AgeBands` columns, one per band of `DAILY_BANDS_2022` in its order.
pub const BAND_HEADERS: [&str; 12] = [
    "Under 1",
    "1 to 4",
    "5 to 9",
    "10s",
    "20s",
    "30s",
    "40s",
    "50s",
    "60s",
    "70s",
    "80s",
    "90 and over",
];

/// The header row (without its line end).
pub fn header(layout: OpenDataLayout) -> String {
    let mut h = String::from("Date,Prefecture,Newly confirmed cases");
    if layout == OpenDataLayout::AgeBands {
        for b in BAND_HEADERS {
            h.push(',');
            h.push_str(b);
        }
    }
    h
}

/// A prefecture's English name (its code as given if it is not one of the 47: never dropped).
pub fn prefecture_en(pref_code: &str) -> &str {
    pref_code
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| PREFECTURES_EN.get(i).copied())
        .unwrap_or(pref_code)
}

/// The date as MHLW writes it: `2022/10/1`.
pub fn mhlw_date(d: NaiveDate) -> String {
    d.format("%Y/%-m/%-d").to_string()
}

/// Which band cells of a row are suppressed (see the module's documentation): the cells of 1..[`MIN_CELL`], then
/// the smallest non-zero others until at least two are suppressed whose sum is more than their number (none can be
/// worked back from the row's count), or every cell when no non-zero cell is left.
pub fn suppressed(bands: &[u64]) -> Vec<bool> {
    let mut hide: Vec<bool> = bands.iter().map(|v| (1..MIN_CELL).contains(v)).collect();
    if !hide.contains(&true) {
        return hide;
    }
    loop {
        let k = hide.iter().filter(|h| **h).count() as u64;
        let sum: u64 = bands
            .iter()
            .zip(&hide)
            .filter(|(_, h)| **h)
            .map(|(v, _)| v)
            .sum();
        if k >= 2 && sum > k {
            return hide;
        }
        // The smallest non-zero cell still shown; with none left, every cell (hiding one chosen zero would tell
        // which cell was the small one).
        let next = bands
            .iter()
            .enumerate()
            .filter(|(i, v)| !hide[*i] && **v > 0)
            .min_by_key(|(_, v)| **v);
        match next {
            Some((i, _)) => hide[i] = true,
            None => return vec![true; bands.len()],
        }
    }
}

fn push_row(out: &mut String, day: &str, pref: &str, total: u64, bands: Option<(&[u64], &[bool])>) {
    let _ = write!(out, "{day},{pref},{total}");
    if let Some((bands, hide)) = bands {
        for (v, h) in bands.iter().zip(hide) {
            if *h {
                out.push(',');
                out.push_str(SUPPRESSED);
            } else {
                let _ = write!(out, ",{v}");
            }
        }
    }
    out.push('\n');
}

/// The CSV (UTF-8, no BOM, as MHLW publishes it) for `prefs` (the prefectures in scope, 2 digits, in JIS order)
/// from `from` to `to`; `with_all`: a national file, which also has the `ALL` row of each day. Days or prefectures
/// with no entry in `rows` are written as 0. The `ALL` row sums every row of the day (a row of a prefecture not in
/// `prefs` is not written on its own line, but it is not lost from the national sum).
pub fn csv(
    rows: &[PrefDay],
    prefs: &[String],
    from: NaiveDate,
    to: NaiveDate,
    with_all: bool,
    layout: OpenDataLayout,
) -> String {
    let n = DAILY_BANDS_2022.len();
    let bands_on = layout == OpenDataLayout::AgeBands;
    let mut by_key: HashMap<(NaiveDate, &str), (u64, Vec<u64>)> = HashMap::new();
    let mut all: HashMap<NaiveDate, (u64, Vec<u64>)> = HashMap::new();
    for r in rows {
        for slot in [
            by_key
                .entry((r.day, r.pref_code.as_str()))
                .or_insert_with(|| (0, vec![0; n])),
            all.entry(r.day).or_insert_with(|| (0, vec![0; n])),
        ] {
            slot.0 += r.total;
            for (a, b) in slot.1.iter_mut().zip(&r.bands) {
                *a += b;
            }
        }
    }
    let zero = (0, vec![0; n]);
    let mut out = header(layout);
    out.push('\n');
    let mut day = from;
    while day <= to {
        let date = mhlw_date(day);
        let mut lines = String::new();
        let mut any_hidden = false;
        for p in prefs {
            let (total, bands) = by_key.get(&(day, p.as_str())).unwrap_or(&zero);
            let hide = suppressed(bands);
            any_hidden |= hide.contains(&true);
            push_row(
                &mut lines,
                &date,
                prefecture_en(p),
                *total,
                bands_on.then_some((bands.as_slice(), hide.as_slice())),
            );
        }
        if with_all {
            let (total, bands) = all.get(&day).unwrap_or(&zero);
            // The ALL cells would give a suppressed prefecture cell back by subtraction.
            let hide = if any_hidden {
                vec![true; n]
            } else {
                vec![false; n]
            };
            push_row(
                &mut out,
                &date,
                ALL,
                *total,
                bands_on.then_some((bands.as_slice(), hide.as_slice())),
            );
        }
        out.push_str(&lines);
        day += Duration::days(1);
    }
    out
}

/// Data rows [`csv`] writes (the preview's count).
pub fn row_count(prefs: usize, from: NaiveDate, to: NaiveDate, with_all: bool) -> u64 {
    let days = (to - from).num_days().max(-1) + 1;
    (days.max(0) as u64) * (prefs as u64 + u64::from(with_all))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn pd(day: NaiveDate, pref: &str, bands: Vec<u64>) -> PrefDay {
        PrefDay {
            day,
            pref_code: pref.into(),
            total: bands.iter().sum(),
            bands,
        }
    }

    fn all_prefs() -> Vec<String> {
        (1..=47).map(|n| format!("{n:02}")).collect()
    }

    /// Whether some suppressed cell of a row is derivable from what the row shows: its count, the shown cells,
    /// and that a suppressed cell is at least 1 (or 0, if the row hides a zero). With k suppressed cells summing to
    /// `sum` (known: count − shown), one alone is `sum`; with more, each lies in [lo, sum − lo·(k − 1)], and is
    /// derivable when that range is one value.
    fn derivable(bands: &[u64], hide: &[bool]) -> bool {
        let k = hide.iter().filter(|h| **h).count() as u64;
        if k == 0 {
            return false;
        }
        let sum: u64 = bands
            .iter()
            .zip(hide)
            .filter(|(_, h)| **h)
            .map(|(v, _)| v)
            .sum();
        let lo = u64::from(!bands.iter().zip(hide).any(|(v, h)| *h && *v == 0));
        k == 1 || sum - lo * (k - 1) == lo
    }

    #[test]
    fn layout_is_mhlw_daily() {
        let rows = vec![
            pd(
                d(2022, 10, 1),
                "13",
                vec![0, 0, 0, 0, 10, 20, 0, 0, 0, 0, 0, 0],
            ),
            pd(
                d(2022, 10, 2),
                "01",
                vec![0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0],
            ),
        ];
        let text = csv(
            &rows,
            &all_prefs(),
            d(2022, 10, 1),
            d(2022, 10, 2),
            true,
            OpenDataLayout::Daily,
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Date,Prefecture,Newly confirmed cases");
        assert_eq!(lines[1], "2022/10/1,ALL,30");
        assert_eq!(lines[2], "2022/10/1,Hokkaido,0");
        assert_eq!(lines[14], "2022/10/1,Tokyo,30");
        assert_eq!(lines[48], "2022/10/1,Okinawa,0");
        assert_eq!(lines[49], "2022/10/2,ALL,3");
        assert_eq!(lines[50], "2022/10/2,Hokkaido,3");
        assert_eq!(
            (lines.len() - 1) as u64,
            row_count(47, d(2022, 10, 1), d(2022, 10, 2), true)
        );
        assert!(!text.contains('\r') && !text.starts_with('\u{feff}'));
        // Every prefecture every day, JIS order, names as MHLW writes them.
        for day in 0..2 {
            for (i, name) in PREFECTURES_EN.iter().enumerate() {
                assert!(lines[2 + day * 48 + i].split(',').nth(1) == Some(*name));
            }
        }
        // A prefecture's own file: no ALL row; the same counts.
        let tokyo = csv(
            &rows,
            &["13".into()],
            d(2022, 9, 30),
            d(2022, 10, 1),
            false,
            OpenDataLayout::Daily,
        );
        assert_eq!(
            tokyo,
            "Date,Prefecture,Newly confirmed cases\n2022/9/30,Tokyo,0\n2022/10/1,Tokyo,30\n"
        );
        assert_eq!(row_count(1, d(2022, 9, 30), d(2022, 10, 1), false), 2);
        assert_eq!(
            prefecture_en("99"),
            "99",
            "an unknown code is written as it is"
        );
        assert_eq!(mhlw_date(d(2020, 1, 16)), "2020/1/16");
    }

    #[test]
    fn row_count_equals_the_rows_written() {
        for (prefs, days, with_all) in [
            (47usize, 1i64, true),
            (1, 31, false),
            (47, 92, true),
            (3, 0, false),
        ] {
            let p: Vec<String> = all_prefs().into_iter().take(prefs).collect();
            let from = d(2022, 10, 1);
            let to = from + Duration::days(days - 1);
            for layout in [OpenDataLayout::Daily, OpenDataLayout::AgeBands] {
                let text = csv(&[], &p, from, to, with_all, layout);
                assert_eq!(
                    text.lines().count() as u64 - 1,
                    row_count(prefs, from, to, with_all)
                );
            }
        }
    }

    #[test]
    fn age_bands_suppress_small_cells_and_keep_the_count() {
        let rows = vec![
            // Tokyo: 3 in the 20s (small), 12 in the 30s, 40 in the 40s.
            pd(
                d(2022, 10, 1),
                "13",
                vec![0, 0, 0, 0, 3, 12, 40, 0, 0, 0, 0, 0],
            ),
            // Osaka: nothing small.
            pd(
                d(2022, 10, 1),
                "27",
                vec![0, 0, 0, 0, 5, 6, 0, 0, 0, 0, 0, 0],
            ),
        ];
        let text = csv(
            &rows,
            &all_prefs(),
            d(2022, 10, 1),
            d(2022, 10, 1),
            true,
            OpenDataLayout::AgeBands,
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "Date,Prefecture,Newly confirmed cases,Under 1,1 to 4,5 to 9,10s,20s,30s,40s,50s,60s,70s,80s,90 and over"
        );
        // The 3 and the next smallest (12) hidden; the count as it is.
        assert_eq!(lines[14], "2022/10/1,Tokyo,55,0,0,0,0,*,*,40,0,0,0,0,0");
        assert_eq!(lines[28], "2022/10/1,Osaka,11,0,0,0,0,5,6,0,0,0,0,0,0");
        // A prefecture is hidden that day: every ALL band cell is hidden, its count shown.
        assert_eq!(lines[1], "2022/10/1,ALL,66,*,*,*,*,*,*,*,*,*,*,*,*");
        // Without a hidden prefecture cell, ALL shows its bands (sums of shown cells).
        let text = csv(
            &rows[1..],
            &all_prefs(),
            d(2022, 10, 1),
            d(2022, 10, 1),
            true,
            OpenDataLayout::AgeBands,
        );
        assert_eq!(
            text.lines().nth(1).unwrap(),
            "2022/10/1,ALL,11,0,0,0,0,5,6,0,0,0,0,0,0"
        );
    }

    #[test]
    fn suppression_cases() {
        // One small cell, others zero: every cell hidden (no chosen zero to tell which).
        assert_eq!(suppressed(&[0, 1, 0, 0]), vec![true; 4]);
        // Two ones: their sum equals their number (each would be 1): a third cell joins.
        assert_eq!(suppressed(&[1, 1, 7, 9]), vec![true, true, true, false]);
        // A 2 alone: the smallest other non-zero joins.
        assert_eq!(suppressed(&[2, 0, 30, 6]), vec![true, false, false, true]);
        // Nothing small: nothing hidden, zeros shown.
        assert_eq!(suppressed(&[0, 5, 100]), vec![false, false, false]);
        // Two small cells that already protect each other.
        assert_eq!(suppressed(&[2, 3, 50]), vec![true, true, false]);
    }

    #[test]
    fn no_suppressed_cell_is_derivable_in_any_row() {
        // The check itself sees the leaks it is for.
        assert!(derivable(&[2, 0, 30, 6], &[true, false, false, false]));
        assert!(derivable(&[1, 1, 30], &[true, true, false]));
        assert!(!derivable(&[2, 0, 30, 6], &[true, false, false, true]));
        // Every row of 4 bands with values 0..=6 (2401 rows), and rows of 12 bands from a fixed pseudo-random walk.
        let mut rows: Vec<Vec<u64>> = Vec::new();
        for a in 0..7u64 {
            for b in 0..7 {
                for c in 0..7 {
                    for e in 0..7 {
                        rows.push(vec![a, b, c, e]);
                    }
                }
            }
        }
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            let mut r = Vec::new();
            for _ in 0..12 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                r.push(match x % 10 {
                    0..=3 => 0,
                    4..=7 => x % 5,
                    _ => x % 40,
                });
            }
            rows.push(r);
        }
        for r in &rows {
            let hide = suppressed(r);
            for (v, h) in r.iter().zip(&hide) {
                assert!(
                    !(1..MIN_CELL).contains(v) || *h,
                    "{r:?}: a small cell shown"
                );
            }
            // The one case the rule cannot protect without hiding the count: every cell exactly 1.
            if r.iter().all(|v| *v == 1) {
                continue;
            }
            assert!(!derivable(r, &hide), "{r:?} → {hide:?}");
            let k = hide.iter().filter(|h| **h).count();
            assert!(k == 0 || k >= 2, "{r:?}: a lone suppressed cell");
        }
    }
}
