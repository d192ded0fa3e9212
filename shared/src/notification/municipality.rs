//! Municipality codes (全国地方公共団体コード, JIS X 0402 with its check digit), prefectures, and — with the
//! `reference-data` feature — municipality → health center with jurisdiction, from the tables in `shared/data/`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a municipality code is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum MunicipalityCodeError {
    /// Not 5 or 6 ASCII digits.
    Malformed,
    /// The sixth digit is not the check digit of the first five.
    CheckDigit { expected: u8 },
    /// The first two digits are not a prefecture (01–47).
    UnknownPrefecture,
}

/// A municipality code, check digit verified. JSON: the 6-digit string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MunicipalityCode([u8; 6]);

/// The check digit of a 5-digit code: S = 6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5, digit = (11 − S mod 11) mod 10.
pub fn check_digit(code5: [u8; 5]) -> u8 {
    let sum: u32 = code5
        .iter()
        .zip([6u32, 5, 4, 3, 2])
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    ((11 - sum % 11) % 10) as u8
}

impl MunicipalityCode {
    /// A 6-digit code (check digit verified) or a 5-digit one (as Japan Post ships it; the check digit is added).
    pub fn parse(input: &str) -> Result<Self, MunicipalityCodeError> {
        let bytes = input.trim().as_bytes();
        if !(bytes.len() == 5 || bytes.len() == 6) || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(MunicipalityCodeError::Malformed);
        }
        let mut code5 = [0u8; 5];
        for (slot, b) in code5.iter_mut().zip(bytes) {
            *slot = b - b'0';
        }
        let expected = check_digit(code5);
        if let Some(&given) = bytes.get(5) {
            if given - b'0' != expected {
                return Err(MunicipalityCodeError::CheckDigit { expected });
            }
        }
        let prefecture = code5[0] * 10 + code5[1];
        if !(1..=47).contains(&prefecture) {
            return Err(MunicipalityCodeError::UnknownPrefecture);
        }
        let mut code = [0u8; 6];
        for (slot, d) in code
            .iter_mut()
            .zip(code5.iter().chain(std::iter::once(&expected)))
        {
            *slot = b'0' + d;
        }
        Ok(MunicipalityCode(code))
    }

    /// `131016`.
    pub fn code6(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// `13101`.
    pub fn code5(&self) -> &str {
        self.code6().get(..5).unwrap_or_default()
    }

    /// The prefecture's number, 1–47.
    pub fn prefecture_number(&self) -> u8 {
        (self.0[0] - b'0') * 10 + (self.0[1] - b'0')
    }

    /// The prefecture's name (e.g. 東京都).
    pub fn prefecture(&self) -> &'static str {
        prefecture_name(self.prefecture_number()).unwrap_or_default()
    }
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code6())
    }
}

impl Serialize for MunicipalityCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code6())
    }
}

impl<'de> Deserialize<'de> for MunicipalityCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        MunicipalityCode::parse(&s)
            .map_err(|_| serde::de::Error::custom("invalid municipality code"))
    }
}

/// The 47 prefectures in JIS X 0401 order (code = index + 1). Checked against `shared/data/prefectures.tsv`.
pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// The prefecture with JIS code `number` (1–47).
pub fn prefecture_name(number: u8) -> Option<&'static str> {
    PREFECTURES
        .get(usize::from(number).checked_sub(1)?)
        .copied()
}

/// Whether `name` is a prefecture (as written in the table: 「東京都」, not 「東京」).
pub fn is_prefecture(name: &str) -> bool {
    PREFECTURES.contains(&name.trim())
}

#[cfg(feature = "reference-data")]
pub use reference::*;

#[cfg(feature = "reference-data")]
mod reference {
    use std::sync::OnceLock;

    use super::MunicipalityCode;

    const MUNICIPALITIES: &str = include_str!("../../data/municipalities.tsv");
    const HEALTH_CENTERS: &str = include_str!("../../data/health_centers.tsv");
    const HEALTH_CENTER_BY_MUNICIPALITY: &str =
        include_str!("../../data/health_center_by_municipality.tsv");
    /// Used only by tests, to check [`super::PREFECTURES`].
    pub const PREFECTURES_TSV: &str = include_str!("../../data/prefectures.tsv");

    /// A municipality of `shared/data/municipalities.tsv`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Municipality {
        pub code: &'static str,
        pub prefecture: &'static str,
        /// Wards of designated cities as 「札幌市中央区」.
        pub name: &'static str,
        /// city | designated_city | ward | special_ward | town | village.
        pub kind: &'static str,
    }

    /// A health center (保健所). Its id is derived (`HC` + the smallest 5-digit code it covers) and its name is
    /// derived too (see shared/data/README.md): key on the id, show the name.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct HealthCenter {
        pub id: &'static str,
        pub name: &'static str,
        pub pref_code: &'static str,
        /// prefectural | municipal.
        pub operator: &'static str,
    }

    /// Data rows (after the header), split on tabs. The files are generated, so a short row is skipped, not a panic.
    fn rows(table: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
        table.lines().skip(1).map(|l| l.split('\t').collect())
    }

    fn municipalities() -> &'static [Municipality] {
        static TABLE: OnceLock<Vec<Municipality>> = OnceLock::new();
        TABLE.get_or_init(|| {
            rows(MUNICIPALITIES)
                .filter_map(|r| match r.as_slice() {
                    [code, prefecture, name, kind, ..] => Some(Municipality {
                        code,
                        prefecture,
                        name,
                        kind,
                    }),
                    _ => None,
                })
                .collect()
        })
    }

    fn health_centers() -> &'static [HealthCenter] {
        static TABLE: OnceLock<Vec<HealthCenter>> = OnceLock::new();
        TABLE.get_or_init(|| {
            rows(HEALTH_CENTERS)
                .filter_map(|r| match r.as_slice() {
                    [id, name, pref_code, operator, ..] => Some(HealthCenter {
                        id,
                        name,
                        pref_code,
                        operator,
                    }),
                    _ => None,
                })
                .collect()
        })
    }

    fn jurisdiction() -> &'static [(&'static str, &'static str)] {
        static TABLE: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
        TABLE.get_or_init(|| {
            rows(HEALTH_CENTER_BY_MUNICIPALITY)
                .filter_map(|r| match r.as_slice() {
                    [code, hc, ..] => Some((*code, *hc)),
                    _ => None,
                })
                .collect()
        })
    }

    /// Every municipality (1,918: cities, towns, villages, special wards and the wards of designated cities).
    pub fn all_municipalities() -> &'static [Municipality] {
        municipalities()
    }

    /// Every health center of the table.
    pub fn all_health_centers() -> &'static [HealthCenter] {
        health_centers()
    }

    /// Every (municipality code, health center id) of the reference jurisdiction table, by code: the starting point
    /// of the directory (the 6 北方領土 villages have no row).
    pub fn all_jurisdictions() -> &'static [(&'static str, &'static str)] {
        jurisdiction()
    }

    /// The municipality with this code, if it is in the table.
    pub fn municipality(code: &MunicipalityCode) -> Option<Municipality> {
        let table = municipalities();
        table
            .binary_search_by(|m| m.code.cmp(code.code6()))
            .ok()
            .and_then(|i| table.get(i).copied())
    }

    /// The health center with jurisdiction over the municipality, if any (the 6 北方領土 villages have none).
    pub fn health_center_for(code: &MunicipalityCode) -> Option<HealthCenter> {
        let table = jurisdiction();
        let id = table
            .binary_search_by(|(c, _)| (*c).cmp(code.code6()))
            .ok()
            .and_then(|i| table.get(i))
            .map(|(_, id)| *id)?;
        health_center(id)
    }

    /// The health center with this id.
    pub fn health_center(id: &str) -> Option<HealthCenter> {
        let table = health_centers();
        table
            .binary_search_by(|h| h.id.cmp(id))
            .ok()
            .and_then(|i| table.get(i).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_the_check_digit() {
        let ok = [
            ("131016", "13101"),
            ("13101", "13101"),
            ("011002", "01100"),
            ("472018", "47201"),
        ];
        for (input, code5) in ok {
            let code = MunicipalityCode::parse(input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!(code.code5(), code5);
        }
        assert_eq!(
            MunicipalityCode::parse("131015"),
            Err(MunicipalityCodeError::CheckDigit { expected: 6 })
        );
        assert_eq!(
            MunicipalityCode::parse("1310"),
            Err(MunicipalityCodeError::Malformed)
        );
        assert_eq!(
            MunicipalityCode::parse("13101a"),
            Err(MunicipalityCodeError::Malformed)
        );
        assert_eq!(
            MunicipalityCode::parse("１３１０１"),
            Err(MunicipalityCodeError::Malformed)
        );
        assert_eq!(
            MunicipalityCode::parse("48101"),
            Err(MunicipalityCodeError::UnknownPrefecture)
        );
        assert_eq!(
            MunicipalityCode::parse("00101"),
            Err(MunicipalityCodeError::UnknownPrefecture)
        );
    }

    #[test]
    fn names_the_prefecture() {
        let code = MunicipalityCode::parse("131016").expect("valid");
        assert_eq!(code.prefecture(), "東京都");
        assert!(is_prefecture("北海道"));
        assert!(!is_prefecture("東京"));
    }
}
