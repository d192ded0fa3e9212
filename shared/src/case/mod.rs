//! The patient record (登録情報): one person known to the system, before or after a notification is filed. It has
//! the notification (発生届) when one is filed, the editable tabs ([`tabs`]), a status record ([`status`]) and a
//! history of every change. Search criteria are normalised here so the app and the edge agree on what matches.

pub mod status;
pub mod tabs;

use chrono::{Datelike, NaiveDate};

use crate::kana::search_key;

/// The key a name is searched by: spaces of any width removed, full-width ASCII letters and digits folded to
/// half-width, Latin letters upper-cased. 「山田　太郎」 and 「山田 太郎」 meet; a prefix finds the family name.
pub fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The furigana search key (any kana form meets; see [`crate::kana::search_key`]).
pub fn furigana_key(furigana: &str) -> String {
    search_key(furigana)
}

/// The end of a prefix range: the smallest string greater than every string starting with `prefix`
/// (`prefix <= key < prefix_end(prefix)`), so a prefix search can use an index.
pub fn prefix_end(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = (last as u32).checked_add(1).and_then(char::from_u32) {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    // Only U+10FFFF characters: no upper bound short of "everything"; callers treat an empty end as none.
    String::new()
}

/// Digits of a phone number as typed (hyphens, spaces, full-width digits allowed).
pub fn phone_digits(phone: &str) -> String {
    phone
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0),
            _ => None,
        })
        .collect()
}

/// 年代 of the search list: 「10歳未満」, 「20代」, …, 「100歳以上」.
pub fn age_band(date_of_birth: NaiveDate, today: NaiveDate) -> Option<String> {
    let years = age_years(date_of_birth, today)?;
    Some(match years {
        0..=9 => "10歳未満".into(),
        100.. => "100歳以上".into(),
        y => format!("{}代", y / 10 * 10),
    })
}

/// Whole years of age on `today`, if born by then.
pub fn age_years(date_of_birth: NaiveDate, today: NaiveDate) -> Option<u32> {
    if date_of_birth > today {
        return None;
    }
    let mut years = today.year() - date_of_birth.year();
    if (today.month(), today.day()) < (date_of_birth.month(), date_of_birth.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// The スマホ入力ID given to a person (for their own health reports, issue 10): 10 digits from 8 random bytes, the
/// last a check digit (Luhn) so a mistyped ID is caught before a search.
pub fn smartphone_id(random: [u8; 8]) -> String {
    let n = u64::from_le_bytes(random) % 1_000_000_000;
    let body = format!("{n:09}");
    format!("{body}{}", luhn_digit(&body))
}

fn luhn_digit(body: &str) -> u32 {
    let sum: u32 = body
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                (d * 2) / 10 + (d * 2) % 10
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// Whether a typed スマホ入力ID is well formed (10 digits, check digit right).
pub fn smartphone_id_ok(id: &str) -> bool {
    id.len() == 10
        && id.chars().all(|c| c.is_ascii_digit())
        && luhn_digit(&id[..9]) == id[9..].parse::<u32>().unwrap_or(99)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(name_key("山田　太郎"), "山田太郎");
        assert_eq!(name_key(" ｊｏｈｎ Smith "), "JOHNSMITH");
        assert_eq!(furigana_key("やまだ　たろう"), furigana_key("ﾔﾏﾀﾞ ﾀﾛｳ"));
        assert_eq!(phone_digits("０３-1234 5678"), "0312345678");
        assert_eq!(prefix_end("ヤマダ"), "ヤマチ");
        assert!("ヤマダタロウ" < prefix_end("ヤマダ").as_str());
        assert!("ヤマダ" >= "ヤマダ");
    }

    #[test]
    fn ages_and_bands() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(age_years(d(2000, 5, 10), d(2024, 5, 9)), Some(23));
        assert_eq!(age_years(d(2000, 5, 10), d(2024, 5, 10)), Some(24));
        assert_eq!(age_band(d(2000, 5, 10), d(2024, 5, 10)).unwrap(), "20代");
        assert_eq!(age_band(d(2020, 1, 1), d(2024, 5, 10)).unwrap(), "10歳未満");
        assert_eq!(
            age_band(d(1920, 1, 1), d(2024, 5, 10)).unwrap(),
            "100歳以上"
        );
        assert_eq!(age_band(d(2025, 1, 1), d(2024, 5, 10)), None);
    }

    #[test]
    fn smartphone_ids_check_themselves() {
        for seed in 0u8..50 {
            let id = smartphone_id([seed, 7, 3, seed, 9, 1, 2, 200]);
            assert!(smartphone_id_ok(&id), "{id}");
            let mut wrong: Vec<char> = id.chars().collect();
            wrong[3] = if wrong[3] == '1' { '2' } else { '1' };
            assert!(!smartphone_id_ok(&wrong.into_iter().collect::<String>()));
        }
        assert!(!smartphone_id_ok("12345"));
    }
}
