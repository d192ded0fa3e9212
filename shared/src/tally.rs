//! The count dashboard's sums (issue 21), written once for both of their uses: the dashboard (`GET /api/counts`,
//! by day) and the open-data counts (issue 22, by day and prefecture). Pure: the edge reads the three parts and
//! hands them here.
//!
//! By day and band of `regime::DAILY_BANDS_2022`, a key's figure is the sum of
//! - notified cases of each clinic-day, where the clinic reported that day only what its total misses in a band (a
//!   case notified, or restored, after the total was sent): the total never hides a notified case;
//! - the daily totals reported (a total already includes the clinic's notified cases of the day);
//! - confirmed antigen-kit self-registrations (a clinic's diagnosis is in its daily total).
//!
//! A person's band is their age on the counted day. A row whose birth date does not read (or is after the day) has
//! no band and is left out of the sums, as the dashboard has always done.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::api::counts::CountDay;
use crate::case::age_years;
use crate::regime::DAILY_BANDS_2022;

/// People counted on a day with one birth date: notified cases (by the filing clinic) or self-registrations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counted {
    /// The filing clinic (empty for a self-registration).
    pub institution_id: String,
    /// The prefecture the row counts for (2 digits): the clinic's, or the self-registration's.
    pub pref_code: String,
    /// `YYYY-MM-DD`: diagnosis date, else report date; or the self-registration's result date.
    pub day: String,
    pub date_of_birth: String,
    pub n: u32,
}

/// A clinic's daily total of a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reported {
    pub institution_id: String,
    pub pref_code: String,
    pub day: String,
    /// The band list the counts were stored with (only `DAILY_BANDS_2022` counts).
    pub bands_id: String,
    pub counts: Vec<u32>,
}

fn add(into: &mut [u32], from: &[u32]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

/// The band index of a row (its age on its day), if its dates read.
fn band_index(c: &Counted) -> Option<usize> {
    let dob = NaiveDate::parse_from_str(&c.date_of_birth, "%Y-%m-%d").ok()?;
    let day = NaiveDate::parse_from_str(&c.day, "%Y-%m-%d").ok()?;
    let age = age_years(dob, day)?;
    DAILY_BANDS_2022.index_of(DAILY_BANDS_2022.band_of(age).key)
}

fn bands_of(c: &Counted) -> Vec<u32> {
    let mut out = vec![0u32; DAILY_BANDS_2022.len()];
    if let Some(i) = band_index(c) {
        out[i] += c.n;
    }
    out
}

fn blank(day: &str) -> CountDay {
    let n = DAILY_BANDS_2022.len();
    CountDay {
        day: day.to_owned(),
        notified: vec![0; n],
        daily_totals: vec![0; n],
        self_registered: vec![0; n],
        sum: vec![0; n],
        total: 0,
    }
}

/// The sums by (day, `key(pref_code)`), each with its parts, `sum` and `total` filled. Only days and keys that
/// have something are present (a day with rows that all sum to zero may be present with zeros).
pub fn sum_by<K: Ord + Clone>(
    notified: &[Counted],
    totals: &[Reported],
    self_registered: &[Counted],
    key: impl Fn(&str) -> K,
) -> BTreeMap<(String, K), CountDay> {
    let mut out: BTreeMap<(String, K), CountDay> = BTreeMap::new();
    let slot = |day: &str, pref: &str| -> (String, K) { (day.to_owned(), key(pref)) };
    // A clinic-day's reported total by band.
    let reported: BTreeMap<(&str, &str), &Reported> = totals
        .iter()
        .filter(|r| r.bands_id == DAILY_BANDS_2022.id)
        .map(|r| ((r.institution_id.as_str(), r.day.as_str()), r))
        .collect();
    let mut notified_by: BTreeMap<(&str, &str), (&str, Vec<u32>)> = BTreeMap::new();
    for r in notified {
        let e = notified_by
            .entry((r.institution_id.as_str(), r.day.as_str()))
            .or_insert_with(|| (r.pref_code.as_str(), vec![0; DAILY_BANDS_2022.len()]));
        add(&mut e.1, &bands_of(r));
    }
    for ((inst, day), (pref, counts)) in &notified_by {
        let missed: Vec<u32> = match reported.get(&(*inst, *day)) {
            Some(total) => counts
                .iter()
                .enumerate()
                .map(|(i, c)| c.saturating_sub(total.counts.get(i).copied().unwrap_or(0)))
                .collect(),
            None => counts.clone(),
        };
        let k = slot(day, pref);
        add(
            &mut out.entry(k).or_insert_with(|| blank(day)).notified,
            &missed,
        );
    }
    for r in reported.values() {
        let k = slot(&r.day, &r.pref_code);
        add(
            &mut out.entry(k).or_insert_with(|| blank(&r.day)).daily_totals,
            &r.counts,
        );
    }
    for r in self_registered {
        let k = slot(&r.day, &r.pref_code);
        add(
            &mut out
                .entry(k)
                .or_insert_with(|| blank(&r.day))
                .self_registered,
            &bands_of(r),
        );
    }
    for d in out.values_mut() {
        let mut sum = d.notified.clone();
        add(&mut sum, &d.daily_totals);
        add(&mut sum, &d.self_registered);
        d.total = sum.iter().sum();
        d.sum = sum;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counted(inst: &str, pref: &str, day: &str, dob: &str, n: u32) -> Counted {
        Counted {
            institution_id: inst.into(),
            pref_code: pref.into(),
            day: day.into(),
            date_of_birth: dob.into(),
            n,
        }
    }

    fn bands(pairs: &[(usize, u32)]) -> Vec<u32> {
        let mut v = vec![0; DAILY_BANDS_2022.len()];
        for (i, n) in pairs {
            v[*i] = *n;
        }
        v
    }

    #[test]
    fn a_total_counts_once_and_never_hides_a_notified_case() {
        // Clinic A (Tokyo) notified two 30-somethings and one 0-year-old on 10-03 and reported a total of three
        // 30-somethings: the 0-year-old is beyond the total, the 30-somethings are in it.
        let notified = vec![
            counted("A", "13", "2022-10-03", "1990-01-01", 2),
            counted("A", "13", "2022-10-03", "2022-05-01", 1),
            // Clinic B (Osaka) reported nothing: its case counts as notified.
            counted("B", "27", "2022-10-03", "1950-06-01", 1),
            // An unreadable birth date has no band (as the dashboard always did).
            counted("B", "27", "2022-10-03", "", 1),
        ];
        let totals = vec![Reported {
            institution_id: "A".into(),
            pref_code: "13".into(),
            day: "2022-10-03".into(),
            bands_id: DAILY_BANDS_2022.id.into(),
            counts: bands(&[(5, 3)]),
        }];
        let selfreg = vec![counted("", "13", "2022-10-04", "2000-01-01", 2)];
        let by_pref = sum_by(&notified, &totals, &selfreg, str::to_owned);
        let tokyo = &by_pref[&("2022-10-03".to_owned(), "13".to_owned())];
        assert_eq!(tokyo.notified, bands(&[(0, 1)]));
        assert_eq!(tokyo.daily_totals, bands(&[(5, 3)]));
        assert_eq!(tokyo.sum, bands(&[(0, 1), (5, 3)]));
        assert_eq!(tokyo.total, 4);
        let osaka = &by_pref[&("2022-10-03".to_owned(), "27".to_owned())];
        assert_eq!(osaka.sum, bands(&[(9, 1)]));
        assert_eq!(osaka.total, 1);
        let later = &by_pref[&("2022-10-04".to_owned(), "13".to_owned())];
        assert_eq!(later.self_registered, bands(&[(4, 2)]));
        assert_eq!(later.total, 2);
        // One key for everything (the dashboard): the same figures added up.
        let all = sum_by(&notified, &totals, &selfreg, |_| ());
        assert_eq!(all[&("2022-10-03".to_owned(), ())].total, 5);
        assert_eq!(all[&("2022-10-04".to_owned(), ())].total, 2);
        assert_eq!(all.len(), 2);
        // A total stored with another band list is not a daily total of these bands.
        let other = vec![Reported {
            bands_id: "sentinel-2023-05".into(),
            ..totals[0].clone()
        }];
        let s = sum_by(&notified, &other, &[], |_| ());
        assert_eq!(s[&("2022-10-03".to_owned(), ())].total, 4);
    }
}
