//! Japanese telephone numbers as written on the form (「（　）　－」): fixed, mobile/PHS, IP, toll-free and
//! navigation-dial numbers, hyphens (or the printed brackets) optional, full-width digits accepted.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a phone number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneError {
    /// A character other than digits, hyphens, brackets and spaces.
    InvalidCharacter,
    /// Domestic numbers start with 0 (no +81 or country codes on the form).
    MissingLeadingZero,
    /// Wrong number of digits for the kind of number its prefix announces.
    WrongLength,
    /// Separators at the start or end, or two in a row.
    MisplacedSeparator,
}

/// The kind of number, from its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// 0AB-CDE-FGHJ (10 digits), including 0120 / 0570 (10 digits).
    Fixed,
    /// 070 / 080 / 090 (11 digits).
    Mobile,
    /// 050 (11 digits).
    Ip,
    /// 0120 (10 digits) or 0800 (11 digits).
    TollFree,
    /// 020 / 060 (11 digits: M2M, FMC).
    Other,
}

/// A valid domestic phone number, stored as its digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber {
    digits: String,
    kind: PhoneKind,
}

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let mut digits = String::with_capacity(11);
        let mut last_was_separator = true;
        let mut trailing_separator = false;
        for c in input.trim().chars() {
            let c = fold_width(c);
            match c {
                '0'..='9' => {
                    digits.push(c);
                    last_was_separator = false;
                    trailing_separator = false;
                }
                '-' | '‐' | '−' | 'ー' | '―' | ' ' | '\u{3000}' => {
                    if last_was_separator && !matches!(c, ' ' | '\u{3000}') {
                        return Err(PhoneError::MisplacedSeparator);
                    }
                    last_was_separator = true;
                    trailing_separator = !matches!(c, ' ' | '\u{3000}');
                }
                // The printed form's 「（　）」 around the area code.
                '(' | ')' => {
                    last_was_separator = true;
                    trailing_separator = false;
                }
                _ => return Err(PhoneError::InvalidCharacter),
            }
        }
        if trailing_separator {
            return Err(PhoneError::MisplacedSeparator);
        }
        if !digits.starts_with('0') {
            return Err(if digits.is_empty() {
                PhoneError::WrongLength
            } else {
                PhoneError::MissingLeadingZero
            });
        }
        let kind = kind_of(&digits).ok_or(PhoneError::WrongLength)?;
        Ok(PhoneNumber { digits, kind })
    }

    pub fn digits(&self) -> &str {
        &self.digits
    }

    pub fn kind(&self) -> PhoneKind {
        self.kind
    }
}

fn kind_of(digits: &str) -> Option<PhoneKind> {
    let len = digits.len();
    let prefix = |p: &str| digits.starts_with(p);
    // 0800 before 080: the toll-free prefix shares the mobile one's first digits.
    if prefix("0120") {
        (len == 10).then_some(PhoneKind::TollFree)
    } else if prefix("0800") {
        (len == 11).then_some(PhoneKind::TollFree)
    } else if prefix("070") || prefix("080") || prefix("090") {
        (len == 11).then_some(PhoneKind::Mobile)
    } else if prefix("050") {
        (len == 11).then_some(PhoneKind::Ip)
    } else if prefix("020") || prefix("060") {
        (len == 11).then_some(PhoneKind::Other)
    } else if prefix("00") {
        None
    } else {
        (len == 10).then_some(PhoneKind::Fixed)
    }
}

/// Full-width digits and hyphen-like marks to ASCII; brackets too.
fn fold_width(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '－' => '-',
        '（' => '(',
        '）' => ')',
        _ => c,
    }
}

impl fmt::Display for PhoneNumber {
    /// Mobile, IP and 11-digit numbers as 3-4-4, toll-free 0120 as 4-3-3; fixed numbers as plain digits, since the
    /// area-code length varies (2–5 digits) and guessing it would print a wrong grouping.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.digits;
        let groups: &[usize] = match (self.kind, d.len()) {
            (PhoneKind::TollFree, 10) => &[4, 3, 3],
            (PhoneKind::TollFree, 11) => &[4, 3, 4],
            (_, 11) => &[3, 4, 4],
            _ => &[d.len()],
        };
        let mut start = 0;
        for (i, len) in groups.iter().enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(d.get(start..start + len).unwrap_or_default())?;
            start += len;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_japanese_formats() {
        let cases = [
            ("03-1234-5678", "0312345678", PhoneKind::Fixed),
            ("0312345678", "0312345678", PhoneKind::Fixed),
            ("(03)1234-5678", "0312345678", PhoneKind::Fixed),
            ("０３（１２３４）５６７８", "0312345678", PhoneKind::Fixed),
            ("0995-12-3456", "0995123456", PhoneKind::Fixed),
            ("090-1234-5678", "09012345678", PhoneKind::Mobile),
            ("08012345678", "08012345678", PhoneKind::Mobile),
            ("050-1234-5678", "05012345678", PhoneKind::Ip),
            ("0120-123-456", "0120123456", PhoneKind::TollFree),
            ("0800-123-4567", "08001234567", PhoneKind::TollFree),
            ("03 1234 5678", "0312345678", PhoneKind::Fixed),
        ];
        for (input, digits, kind) in cases {
            let p = PhoneNumber::parse(input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!((p.digits(), p.kind()), (digits, kind), "{input}");
        }
    }

    #[test]
    fn refuses_malformed_numbers() {
        let cases = [
            ("", PhoneError::WrongLength),
            ("03-1234-567", PhoneError::WrongLength),
            ("090-1234-567", PhoneError::WrongLength),
            ("03-1234-56789", PhoneError::WrongLength),
            ("312345678", PhoneError::MissingLeadingZero),
            ("+81-3-1234-5678", PhoneError::InvalidCharacter),
            ("03--1234-5678", PhoneError::MisplacedSeparator),
            ("-0312345678", PhoneError::MisplacedSeparator),
            ("0312345678-", PhoneError::MisplacedSeparator),
            ("0012345678", PhoneError::WrongLength),
            ("03-1234-567８a", PhoneError::InvalidCharacter),
        ];
        for (input, error) in cases {
            assert_eq!(PhoneNumber::parse(input), Err(error), "{input}");
        }
    }

    #[test]
    fn displays_with_hyphens_where_the_grouping_is_fixed() {
        let show = |s: &str| PhoneNumber::parse(s).map(|p| p.to_string());
        assert_eq!(show("09012345678"), Ok("090-1234-5678".to_owned()));
        assert_eq!(show("0120123456"), Ok("0120-123-456".to_owned()));
        assert_eq!(show("03-1234-5678"), Ok("0312345678".to_owned()));
    }
}
