//! What people type for a number, read the same way in every form (filing, record tabs, drive-through, the
//! patient's phone) and at the edge: full-width digits, signs and points (ＩＭＥ), thousands separators and spaces
//! are normalised; what is still not a whole number in range is an error with a reason, never silently dropped.

use serde::{Deserialize, Serialize};

/// Full-width digits, minus signs (－ − ‐ ー as typed by Japanese IMEs), points and spaces to ASCII; trimmed;
/// thousands separators (`,` `，`) removed.
pub fn normalize_number(input: &str) -> String {
    input
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '－' | '−' | '‐' | '―' | 'ー' | '‒' | '–' => Some('-'),
            '＋' => Some('+'),
            '．' | '。' => Some('.'),
            ',' | '，' | '、' => None,
            '\u{3000}' => Some(' '),
            c => Some(c),
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Why a typed number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NumberError {
    /// Not a number at all (`abc`).
    NotANumber,
    /// A fraction where a whole number is needed (`95.5`).
    NotWhole,
    /// Outside `min..=max` (`-1`, `101`).
    OutOfRange { min: i64, max: i64 },
}

impl NumberError {
    /// The stable code (API `issues[].code`).
    pub fn code(self) -> &'static str {
        match self {
            NumberError::NotANumber => "not_a_number",
            NumberError::NotWhole => "not_whole_number",
            NumberError::OutOfRange { .. } => "number_out_of_range",
        }
    }

    /// The message shown at the field, naming it.
    pub fn message_ja(self, label: &str) -> String {
        match self {
            NumberError::NotANumber => {
                format!("{label}は数字で入力してください（数として読み取れません）。")
            }
            NumberError::NotWhole => {
                format!("{label}は整数で入力してください（小数は入力できません）。")
            }
            NumberError::OutOfRange { min, max } => {
                format!("{label}は{min}〜{max}の範囲で入力してください。")
            }
        }
    }
}

/// A number as typed, normalised: `Ok(None)` when blank.
pub fn parse_number(input: &str) -> Result<Option<f64>, NumberError> {
    let t = normalize_number(input);
    if t.is_empty() {
        return Ok(None);
    }
    let ok_chars = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.'));
    let has_digit = t.chars().any(|c| c.is_ascii_digit());
    if !ok_chars || !has_digit {
        return Err(NumberError::NotANumber);
    }
    t.parse::<f64>()
        .map(Some)
        .map_err(|_| NumberError::NotANumber)
}

/// A whole number in `min..=max` as typed; `Ok(None)` when blank.
pub fn parse_whole(input: &str, min: i64, max: i64) -> Result<Option<i64>, NumberError> {
    let Some(n) = parse_number(input)? else {
        return Ok(None);
    };
    check_whole(n, min, max).map(Some)
}

/// A number already read (from JSON) checked as a whole number in `min..=max`.
pub fn check_whole(n: f64, min: i64, max: i64) -> Result<i64, NumberError> {
    if n.fract() != 0.0 || !n.is_finite() {
        return Err(NumberError::NotWhole);
    }
    if n < min as f64 || n > max as f64 {
        return Err(NumberError::OutOfRange { min, max });
    }
    Ok(n as i64)
}

/// A typed number as the JSON a form keeps: a JSON number when it reads as one (checked later against the
/// field's range, so `-1` and `95.5` are kept and refused with a reason), else the normalised text itself (kept,
/// so it stays on screen and is refused at its field). Blank is `null`.
pub fn number_json(input: &str) -> serde_json::Value {
    match parse_number(input) {
        Ok(None) => serde_json::Value::Null,
        Ok(Some(n)) if n.fract() == 0.0 && n.abs() < 1e15 => serde_json::Value::from(n as i64),
        Ok(Some(n)) => serde_json::Number::from_f64(n)
            .map(serde_json::Value::Number)
            .unwrap_or_else(|| serde_json::Value::String(normalize_number(input))),
        Err(_) => serde_json::Value::String(input.trim().to_owned()),
    }
}

/// A number kept in JSON (as [`number_json`] writes it, or as a client sent it) checked for a field.
pub fn check_json(value: &serde_json::Value, min: i64, max: i64) -> Result<(), NumberError> {
    match value {
        serde_json::Value::Null => Ok(()),
        serde_json::Value::Number(n) => n.as_f64().map_or(Err(NumberError::NotANumber), |n| {
            check_whole(n, min, max).map(|_| ())
        }),
        serde_json::Value::String(s) => parse_whole(s, min, max).and_then(|n| match n {
            // A number sent as text is not the API's shape; the form never keeps one.
            Some(_) => Err(NumberError::NotANumber),
            None => Ok(()),
        }),
        _ => Err(NumberError::NotANumber),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_full_width_and_ime_forms() {
        assert_eq!(normalize_number("１０１"), "101");
        assert_eq!(normalize_number("　９５ "), "95");
        assert_eq!(normalize_number("－１"), "-1");
        assert_eq!(normalize_number("1,234"), "1234");
        assert_eq!(parse_whole("９５", 0, 100), Ok(Some(95)));
        assert_eq!(parse_whole("", 0, 100), Ok(None));
    }

    #[test]
    fn refuses_with_a_reason() {
        assert_eq!(parse_whole("abc", 0, 100), Err(NumberError::NotANumber));
        assert_eq!(parse_whole("95.5", 0, 100), Err(NumberError::NotWhole));
        assert_eq!(
            parse_whole("-1", 0, 100),
            Err(NumberError::OutOfRange { min: 0, max: 100 })
        );
        assert_eq!(
            parse_whole("１０１", 0, 100),
            Err(NumberError::OutOfRange { min: 0, max: 100 })
        );
        assert_eq!(parse_whole("1e2", 0, 100), Err(NumberError::NotANumber));
        assert_eq!(parse_whole("-", 0, 100), Err(NumberError::NotANumber));
    }

    #[test]
    fn json_keeps_what_cannot_be_read() {
        use serde_json::json;
        assert_eq!(number_json("１０１"), json!(101));
        assert_eq!(number_json("-1"), json!(-1));
        assert_eq!(number_json("95.5"), json!(95.5));
        assert_eq!(number_json("abc"), json!("abc"));
        assert_eq!(number_json(" "), json!(null));
        assert!(check_json(&json!(-1), 0, 100).is_err());
        assert!(check_json(&json!(95.5), 0, 100).is_err());
        assert!(check_json(&json!("abc"), 0, 100).is_err());
        assert!(check_json(&json!(95), 0, 100).is_ok());
        assert!(check_json(&json!(null), 0, 100).is_ok());
    }
}
