//! Dates of the form: age from a date of birth (in months under one year), the age of majority by the date of
//! diagnosis, and 和暦 (Japanese era) display. "Today" is always a parameter: nothing here reads a clock.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// An age in completed years, and completed months within the current year of age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Age {
    pub years: u32,
    pub months: u32,
}

/// Age on `on` of someone born on `birth`, or `None` if `on` is before `birth`.
///
/// A year (or month) of age is completed at the start of the day that corresponds to the birthday (年齢計算ニ関スル
/// 法律 and 民法 143条: with no corresponding day, the period ends on the last day of the month, so someone born on
/// 29 February or the 31st ages on the 1st of the following month).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> Option<Age> {
    if on < birth {
        return None;
    }
    let total_months = (on.year() - birth.year()) * 12 + on.month() as i32
        - birth.month() as i32
        - i32::from(on.day() < birth.day());
    let total_months = u32::try_from(total_months).ok()?;
    Some(Age {
        years: total_months / 12,
        months: total_months % 12,
    })
}

/// The day the age of majority fell from 20 to 18 (民法の一部を改正する法律, 平成30年法律第59号).
pub fn majority_reform_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 4, 1).unwrap_or(NaiveDate::MIN)
}

/// The age of majority in force on `date`: 20 before 2022-04-01, 18 from then.
pub fn age_of_majority(date: NaiveDate) -> u32 {
    if date < majority_reform_date() {
        20
    } else {
        18
    }
}

/// Whether someone born on `birth` is a minor on `date` (the diagnosis date, for items 9–10).
pub fn is_minor(birth: NaiveDate, date: NaiveDate) -> Option<bool> {
    age_on(birth, date).map(|age| age.years < age_of_majority(date))
}

/// Parses what people type for a date: 20240131, 2024-01-31, 2024/1/31, 2024.1.31, and in 和暦 S55.1.15,
/// s55/1/15, 昭和55年1月15日, R元.5.1 (full-width digits too). A 和暦 date that does not exist in its era (平成32年)
/// is refused.
pub fn parse_typed(input: &str) -> Option<NaiveDate> {
    let t: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            'Ａ'..='Ｚ' => char::from_u32(c as u32 - 'Ａ' as u32 + 'A' as u32).unwrap_or(c),
            'ａ'..='ｚ' => char::from_u32(c as u32 - 'ａ' as u32 + 'a' as u32).unwrap_or(c),
            '／' | '－' | '．' | '/' | '.' | '年' | '月' => '-',
            c => c,
        })
        .collect();
    if let Some(date) = parse_wareki(&t) {
        return Some(date);
    }
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(&t, "%Y%m%d").ok();
    }
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()
}

/// `S55-1-15`, `昭和55-1-15日`, `R元-5-1` (separators already normalised to `-`).
fn parse_wareki(t: &str) -> Option<NaiveDate> {
    let t = t.trim_end_matches('日');
    let (era, rest) = Era::ALL.iter().find_map(|&e| {
        let upper = t.chars().next()?.to_ascii_uppercase();
        if upper == e.initial() {
            return Some((e, &t[1..]));
        }
        t.strip_prefix(e.name()).map(|rest| (e, rest))
    })?;
    let mut parts = rest.split('-');
    let year = match parts.next()?.trim() {
        "元" => 1,
        y => y.parse().ok()?,
    };
    let month = parts.next()?.trim().parse().ok()?;
    let day = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Wareki {
        era,
        year,
        month,
        day,
    }
    .to_date()
}

/// A Japanese era.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Era {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

impl Era {
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    pub fn name(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The initial used in short forms (the form prints 「R　年」 for 令和).
    pub fn initial(self) -> char {
        match self {
            Era::Meiji => 'M',
            Era::Taisho => 'T',
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// First day of the era (明治 counted from the adoption of the Gregorian calendar, 明治6年1月1日).
    pub fn start(self) -> NaiveDate {
        let (y, m, d) = match self {
            Era::Meiji => (1873, 1, 1),
            Era::Taisho => (1912, 7, 30),
            Era::Showa => (1926, 12, 25),
            Era::Heisei => (1989, 1, 8),
            Era::Reiwa => (2019, 5, 1),
        };
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    /// Gregorian year of the era's 元年.
    fn first_year(self) -> i32 {
        match self {
            Era::Meiji => 1868,
            Era::Taisho => 1912,
            Era::Showa => 1926,
            Era::Heisei => 1989,
            Era::Reiwa => 2019,
        }
    }
}

/// A date in 和暦.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wareki {
    pub era: Era,
    /// 1 = 元年.
    pub year: u32,
    pub month: u32,
    pub day: u32,
}

impl Wareki {
    /// `None` before 1873-01-01 (before the Gregorian calendar, 和暦 dates were lunar).
    pub fn from_date(date: NaiveDate) -> Option<Self> {
        let era = Era::ALL.iter().rev().copied().find(|e| date >= e.start())?;
        Some(Wareki {
            era,
            year: u32::try_from(date.year() - era.first_year() + 1).ok()?,
            month: date.month(),
            day: date.day(),
        })
    }

    /// Back to the Gregorian date (`None` if this era has no such date).
    pub fn to_date(self) -> Option<NaiveDate> {
        let year = self
            .era
            .first_year()
            .checked_add(i32::try_from(self.year).ok()?)?
            - 1;
        let date = NaiveDate::from_ymd_opt(year, self.month, self.day)?;
        (Wareki::from_date(date)? == self).then_some(date)
    }

    /// 「令和3年11月29日」 (元年 for year 1): the printed form's dates.
    pub fn long(self) -> String {
        self.to_string()
    }

    /// 「R3.11.29」.
    pub fn short(self) -> String {
        format!(
            "{}{}.{}.{}",
            self.era.initial(),
            self.year,
            self.month,
            self.day
        )
    }
}

impl fmt::Display for Wareki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.era.name())?;
        if self.year == 1 {
            f.write_str("元")?;
        } else {
            write!(f, "{}", self.year)?;
        }
        write!(f, "年{}月{}日", self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_dates_are_read_in_the_forms_people_type() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 31);
        for t in [
            "20240131",
            "2024-01-31",
            "2024/1/31",
            "2024.1.31",
            "２０２４０１３１",
        ] {
            assert_eq!(parse_typed(t), d, "{t}");
        }
        assert_eq!(parse_typed("2024131"), None);
        let showa = NaiveDate::from_ymd_opt(1980, 1, 15);
        for t in [
            "S55.1.15",
            "s55/1/15",
            "昭和55年1月15日",
            "Ｓ５５．１．１５",
            "S55-01-15",
        ] {
            assert_eq!(parse_typed(t), showa, "{t}");
        }
        assert_eq!(parse_typed("R元.5.1"), NaiveDate::from_ymd_opt(2019, 5, 1));
        assert_eq!(
            parse_typed("H31.4.30"),
            NaiveDate::from_ymd_opt(2019, 4, 30)
        );
        assert_eq!(parse_typed("H31.5.1"), None, "平成 ended on 30 April 2019");
        assert_eq!(parse_typed("S55.2.30"), None);
        assert_eq!(parse_typed("X55.1.15"), None);
        assert_eq!(parse_typed("20240231"), None);
        assert_eq!(parse_typed(""), None);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test date")
    }

    #[test]
    fn age_counts_completed_years_and_months() {
        let cases = [
            (d(2000, 5, 15), d(2021, 5, 14), 20, 11),
            (d(2000, 5, 15), d(2021, 5, 15), 21, 0),
            (d(2021, 1, 31), d(2021, 2, 28), 0, 0),
            (d(2021, 1, 31), d(2021, 3, 1), 0, 1),
            (d(2020, 2, 29), d(2021, 2, 28), 0, 11),
            (d(2020, 2, 29), d(2021, 3, 1), 1, 0),
            (d(2021, 6, 10), d(2021, 6, 10), 0, 0),
        ];
        for (birth, on, years, months) in cases {
            assert_eq!(
                age_on(birth, on),
                Some(Age { years, months }),
                "{birth} → {on}"
            );
        }
        assert_eq!(age_on(d(2021, 6, 10), d(2021, 6, 9)), None);
    }

    #[test]
    fn majority_is_20_before_2022_04_01_and_18_from_then() {
        assert_eq!(age_of_majority(d(2022, 3, 31)), 20);
        assert_eq!(age_of_majority(d(2022, 4, 1)), 18);
        assert_eq!(is_minor(d(2003, 1, 1), d(2022, 3, 31)), Some(true));
        assert_eq!(is_minor(d(2003, 1, 1), d(2022, 4, 1)), Some(false));
    }

    #[test]
    fn wareki_display() {
        let cases = [
            (d(2021, 11, 29), "令和3年11月29日", "R3.11.29"),
            (d(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
            (d(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
            (d(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
            (d(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
            (d(1926, 12, 25), "昭和元年12月25日", "S1.12.25"),
            (d(1912, 7, 29), "明治45年7月29日", "M45.7.29"),
            (d(1912, 7, 30), "大正元年7月30日", "T1.7.30"),
        ];
        for (date, long, short) in cases {
            let w = Wareki::from_date(date).expect("has an era");
            assert_eq!(w.long(), long);
            assert_eq!(w.short(), short);
            assert_eq!(w.to_date(), Some(date));
        }
        assert_eq!(Wareki::from_date(d(1872, 12, 31)), None);
        let not_a_heisei_date = Wareki {
            era: Era::Heisei,
            year: 31,
            month: 5,
            day: 1,
        };
        assert_eq!(not_a_heisei_date.to_date(), None);
    }
}
