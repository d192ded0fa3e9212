//! The generated reference data: every postal-code file parses and agrees with the municipality table; lookups of
//! municipality → health center (feature `reference-data`).

use std::path::PathBuf;

use shared::notification::postal::{PostalCode, PostalIndex};

fn postal_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../public/data/postal")
}

fn load(prefix: &str) -> PostalIndex {
    let text =
        std::fs::read_to_string(postal_dir().join(format!("{prefix}.json"))).expect("postal file");
    PostalIndex::from_json(&text).expect("postal file parses")
}

#[test]
fn every_postal_file_parses_and_names_its_prefix() {
    let mut files = 0;
    let mut codes = 0;
    for entry in std::fs::read_dir(postal_dir()).expect("public/data/postal") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let index =
            PostalIndex::from_json(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        assert_eq!(index.prefix(), stem);
        files += 1;
        codes += index.len();
    }
    assert_eq!(files, 948);
    assert_eq!(codes, 120_720);
}

#[test]
fn finds_a_tokyo_address_by_postal_code() {
    let code = PostalCode::parse("160-0022").expect("valid");
    let index = load(code.prefix());
    let found = index.lookup(&code);
    assert_eq!(found.len(), 1, "{found:?}");
    let c = &found[0];
    assert_eq!(
        (
            c.prefecture.as_str(),
            c.municipality.as_str(),
            c.town.as_str()
        ),
        ("東京都", "新宿区", "新宿")
    );
    assert_eq!(
        (c.municipality_code.code5(), c.municipality_code.code6()),
        ("13104", "131041")
    );
}

#[test]
fn a_code_spanning_municipalities_gives_every_candidate() {
    // 4980000 is one of the codes the data README lists as spanning municipalities with different HCs.
    let code = PostalCode::parse("4980000").expect("valid");
    let found = load(code.prefix()).lookup(&code).to_vec();
    let municipalities: std::collections::BTreeSet<_> =
        found.iter().map(|c| c.municipality_code).collect();
    assert!(municipalities.len() > 1, "{found:?}");
}

#[test]
fn designated_city_codes_are_wards() {
    let code = PostalCode::parse("0010010").expect("valid");
    let found = load(code.prefix()).lookup(&code).to_vec();
    assert!(found
        .iter()
        .all(|c| c.municipality == "札幌市北区" && c.municipality_code.code6() == "011029"));
}

#[cfg(feature = "reference-data")]
mod reference_data {
    use super::*;
    use shared::notification::municipality::MunicipalityCode;
    use shared::notification::municipality::{
        all_health_centers, all_municipalities, health_center, health_center_for, municipality,
        PREFECTURES, PREFECTURES_TSV,
    };

    fn code(s: &str) -> MunicipalityCode {
        MunicipalityCode::parse(s).expect("valid code")
    }

    #[test]
    fn municipality_to_health_center() {
        let cases = [
            ("131041", "新宿区", "HC13104", "新宿区保健所"),
            ("011029", "札幌市北区", "HC01101", "札幌市保健所"),
            ("01100", "札幌市", "HC01101", "札幌市保健所"),
        ];
        for (c, name, id, hc) in cases {
            assert_eq!(municipality(&code(c)).map(|m| m.name), Some(name));
            let found = health_center_for(&code(c)).expect("has a health center");
            assert_eq!((found.id, found.name), (id, hc));
        }
        // The 北方領土 villages have codes but no health center.
        assert_eq!(
            municipality(&code("016951")).map(|m| m.prefecture),
            Some("北海道")
        );
        assert_eq!(health_center_for(&code("016951")), None);
        assert_eq!(health_center("HC99999"), None);
    }

    #[test]
    fn tables_are_complete_and_consistent() {
        assert_eq!(all_municipalities().len(), 1918);
        assert_eq!(all_health_centers().len(), 462);
        for m in all_municipalities() {
            let parsed = code(m.code);
            assert_eq!(parsed.prefecture(), m.prefecture, "{}", m.code);
        }
        let without: Vec<_> = all_municipalities()
            .iter()
            .filter(|m| health_center_for(&code(m.code)).is_none())
            .collect();
        assert_eq!(without.len(), 6, "{without:?}");
        let tsv: Vec<String> = PREFECTURES_TSV
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').nth(1))
            .map(str::to_owned)
            .collect();
        assert_eq!(tsv, PREFECTURES);
    }

    #[test]
    fn every_postal_municipality_is_in_the_table() {
        let mut candidates = 0;
        let mut spelt_differently = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(postal_dir()).expect("dir") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
            let index = PostalIndex::from_json(&text).expect("parses");
            for (postal, found) in index.entries() {
                for c in found {
                    let m = municipality(&c.municipality_code)
                        .unwrap_or_else(|| panic!("{postal}: {c:?}"));
                    // Japan Post writes the 郡 before a town or village (駿東郡小山町); the municipality table does not.
                    assert_eq!(m.prefecture, c.prefecture, "{postal}");
                    if !c.municipality.ends_with(m.name) {
                        spelt_differently.insert((m.code, c.municipality.clone()));
                    }
                    assert!(
                        health_center_for(&c.municipality_code).is_some(),
                        "{postal}: no health center"
                    );
                    candidates += 1;
                }
            }
        }
        assert!(candidates >= 120_720);
        // Two names differ by a variant kanji between Japan Post and the municipality table (檮/梼, 惠/恵).
        let expected: std::collections::BTreeSet<_> = [
            ("394050", "高岡郡檮原町".to_owned()),
            ("403440", "糟屋郡須惠町".to_owned()),
        ]
        .into_iter()
        .collect();
        assert_eq!(spelt_differently, expected);
    }
}
