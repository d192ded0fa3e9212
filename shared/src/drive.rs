//! Drive-through test sites (issue 9): specimen codes, and how a record captured on a device becomes the patient
//! record's ID管理 tab and one 検査 entry. Used by the app (capture, conflict resolution) and the edge (sync).

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::{json, Map, Value};

use crate::api::sync::{DriveRecord, FieldConflict, Person, TestOutcome, ACCEPTED_PROTOCOLS};
use crate::case::tabs::{SPECIMENS, TEST_METHODS, TEST_RESULT};

/// Characters of a specimen code: digits and capitals without 0/O, 1/I/L (easy to read aloud and to type).
pub const CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Random characters of a code; a check character follows.
pub const CODE_RANDOM_LEN: usize = 6;
/// What a code's QR label holds: this prefix and the code (nothing personal).
pub const QR_PREFIX: &str = "HERSYS-SPECIMEN:";

fn check_char(body: &[u8]) -> u8 {
    // Weighted sum mod 31 (prime): catches every single substitution and every adjacent transposition.
    let sum: usize = body
        .iter()
        .enumerate()
        .map(|(i, c)| (i + 1) * CODE_ALPHABET.iter().position(|a| a == c).unwrap_or(0))
        .sum();
    CODE_ALPHABET[sum % CODE_ALPHABET.len()]
}

/// A new specimen code from random bytes: 6 characters and a check character (31^6 ≈ 887 million codes).
pub fn specimen_code(random: [u8; CODE_RANDOM_LEN]) -> String {
    let mut body: Vec<u8> = random
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()])
        .collect();
    body.push(check_char(&body));
    String::from_utf8(body).unwrap_or_default()
}

/// A typed or scanned code in its stored form (capitals, no hyphen or spaces), if it is one.
pub fn normalize_code(input: &str) -> Option<String> {
    let text = input.trim();
    let text = text.strip_prefix(QR_PREFIX).unwrap_or(text);
    let code: String = text
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '　' | 'ー' | '－'))
        .map(|c| {
            // Full-width letters and digits as typed on some Japanese keyboards.
            let c = if ('！'..='～').contains(&c) {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            } else {
                c
            };
            c.to_ascii_uppercase()
        })
        .collect();
    let bytes = code.as_bytes();
    if bytes.len() != CODE_RANDOM_LEN + 1 || !bytes.iter().all(|b| CODE_ALPHABET.contains(b)) {
        return None;
    }
    (check_char(&bytes[..CODE_RANDOM_LEN]) == bytes[CODE_RANDOM_LEN]).then_some(code)
}

/// How a code is shown and printed: `ABCD-EFG`.
pub fn display_code(code: &str) -> String {
    if code.len() == CODE_RANDOM_LEN + 1 && code.is_ascii() {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_owned()
    }
}

/// Why a record could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The batch's protocol is not one this build reads.
    Protocol(u32),
    /// Not a record of that protocol; the serde message names the field.
    Shape(String),
}

/// Reads one record written in `protocol`. Every accepted protocol is upgraded here to the current types, so the
/// rest of the code knows only [`DriveRecord`]. (Protocol 1 is the current one; when it changes, its reader stays
/// here and maps to the new types.)
pub fn decode(protocol: u32, record: &Value) -> Result<DriveRecord, DecodeError> {
    if !ACCEPTED_PROTOCOLS.contains(&protocol) {
        return Err(DecodeError::Protocol(protocol));
    }
    match protocol {
        1 => serde_json::from_value(record.clone()).map_err(|e| DecodeError::Shape(e.to_string())),
        other => Err(DecodeError::Protocol(other)),
    }
}

/// Whether a client id is acceptable: 16–64 characters of `A-Za-z0-9_-`.
pub fn client_id_ok(id: &str) -> bool {
    (16..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

const JST: i32 = 9 * 3600;

fn jst(ms: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&FixedOffset::east_opt(JST).unwrap()))
}

/// The JST calendar day of a time in ms.
pub fn jst_date(ms: i64) -> Option<NaiveDate> {
    jst(ms).map(|t| t.date_naive())
}

/// `HH:MM` in JST.
pub fn jst_time(ms: i64) -> String {
    jst(ms)
        .map(|t| t.format("%H:%M").to_string())
        .unwrap_or_default()
}

/// The items a person may have to choose between in a conflict, with their labels.
pub const FIELDS: &[(&str, &str)] = &[
    ("name", "氏名"),
    ("furigana", "フリガナ"),
    ("date_of_birth", "生年月日"),
    ("sex", "性別"),
    ("phone", "電話番号"),
    ("postal_code", "郵便番号"),
    ("address", "住所"),
    ("method", "検査方法"),
    ("specimen", "検体"),
    ("result", "検査結果"),
];

fn put(map: &mut Map<String, Value>, key: &str, value: &str) {
    if value.trim().is_empty() {
        map.remove(key);
    } else {
        map.insert(key.into(), Value::String(value.trim().to_owned()));
    }
}

/// The record's ID管理 tab: the server's current tab (if any) with the person's items replaced.
pub fn id_tab(person: &Person, current: Option<&Value>) -> Value {
    let mut map = current
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    put(&mut map, "name", &person.name);
    put(&mut map, "furigana", &person.furigana);
    put(&mut map, "date_of_birth", &person.date_of_birth);
    put(&mut map, "sex", &person.sex);
    put(&mut map, "phone1", &person.phone);
    put(&mut map, "postal_code", &person.postal_code);
    put(&mut map, "address", &person.address);
    Value::Object(map)
}

/// The record's 検査 entry for this specimen (a result not yet known is その他, as the manual has it).
pub fn test_entry(record: &DriveRecord) -> Value {
    let s = &record.specimen;
    let result = record
        .result
        .as_ref()
        .map(|r| r.result.as_str())
        .unwrap_or("その他");
    let mut note = format!(
        "ドライブスルー検査（{}）検体コード {} 採取 {}",
        record.site.name.trim(),
        display_code(&s.code),
        jst_time(s.collected_at)
    );
    if !record.site.staff.trim().is_empty() {
        note.push_str(&format!(" 担当 {}", record.site.staff.trim()));
    }
    let mut entry = json!({
        "specimen_date": jst_date(s.collected_at).map(|d| d.to_string()).unwrap_or_default(),
        "specimen_code": display_code(&s.code),
        "outpatient_institution": record.site.name.trim(),
        "result": result,
        "method1": s.method,
        "specimen1": s.specimen,
        "note": note,
    });
    if let Some(r) = &record.result {
        entry["result1"] = Value::String(r.result.clone());
        if let Some(d) = jst_date(r.at) {
            entry["result_date"] = Value::String(d.to_string());
        }
    }
    entry
}

fn text(v: Option<&Value>, key: &str) -> String {
    v.and_then(|v| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The server's values of the conflict items, from its ID管理 tab and this specimen's 検査 entry.
pub fn server_values(id_tab: Option<&Value>, test: Option<&Value>) -> Vec<(&'static str, String)> {
    let result = text(test, "result");
    vec![
        ("name", text(id_tab, "name")),
        ("furigana", text(id_tab, "furigana")),
        ("date_of_birth", text(id_tab, "date_of_birth")),
        ("sex", text(id_tab, "sex")),
        ("phone", text(id_tab, "phone1")),
        ("postal_code", text(id_tab, "postal_code")),
        ("address", text(id_tab, "address")),
        ("method", text(test, "method1")),
        ("specimen", text(test, "specimen1")),
        // "その他" is how a pending result is stored: the same as no result on the device.
        (
            "result",
            if result == "その他" {
                String::new()
            } else {
                result
            },
        ),
    ]
}

/// The device's values of the conflict items.
pub fn device_values(r: &DriveRecord) -> Vec<(&'static str, String)> {
    let p = &r.person;
    let result = r
        .result
        .as_ref()
        .map(|t| t.result.clone())
        .filter(|t| t != "その他")
        .unwrap_or_default();
    vec![
        ("name", p.name.trim().to_owned()),
        ("furigana", p.furigana.trim().to_owned()),
        ("date_of_birth", p.date_of_birth.clone()),
        ("sex", p.sex.clone()),
        ("phone", p.phone.trim().to_owned()),
        ("postal_code", p.postal_code.clone()),
        ("address", p.address.trim().to_owned()),
        ("method", r.specimen.method.clone()),
        ("specimen", r.specimen.specimen.clone()),
        ("result", result),
    ]
}

/// The items where the device and the server differ.
pub fn conflicts(
    record: &DriveRecord,
    id_tab: Option<&Value>,
    test: Option<&Value>,
) -> Vec<FieldConflict> {
    device_values(record)
        .into_iter()
        .zip(server_values(id_tab, test))
        .filter(|((_, d), (_, s))| d != s)
        .map(|((key, device), (_, server))| FieldConflict {
            key: key.to_owned(),
            label: FIELDS
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, l)| *l)
                .unwrap_or(key)
                .to_owned(),
            device,
            server,
        })
        .collect()
}

/// Takes the server's value of `key` into the device's record (a person chose it in a conflict). `now` is the
/// time a result taken from the server is stamped with, if the device had none.
pub fn take_server_value(record: &mut DriveRecord, key: &str, value: &str, now: i64) {
    let p = &mut record.person;
    let v = value.to_owned();
    match key {
        "name" => p.name = v,
        "furigana" => p.furigana = v,
        "date_of_birth" => p.date_of_birth = v,
        "sex" => p.sex = v,
        "phone" => p.phone = v,
        "postal_code" => p.postal_code = v,
        "address" => p.address = v,
        "method" => record.specimen.method = v,
        "specimen" => record.specimen.specimen = v,
        "result" => {
            record.result = if v.is_empty() {
                None
            } else {
                let at = record.result.as_ref().map(|r| r.at).unwrap_or(now);
                Some(TestOutcome { result: v, at })
            }
        }
        _ => {}
    }
}

/// Checks of the drive-through items that the tabs' own validation does not make (the code, the choices, the
/// times). Returns the finding's field path and a Japanese message.
pub fn check(record: &DriveRecord, now: i64) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut bad = |field: &str, msg: &str| out.push((field.to_owned(), msg.to_owned()));
    if !client_id_ok(&record.client_id) {
        bad("client_id", "端末の記録番号が正しくありません。");
    }
    if record.version == 0 {
        bad("version", "記録の版が正しくありません。");
    }
    if record.site.name.trim().is_empty() {
        bad("site.name", "会場名を入力してください。");
    }
    if NaiveDate::parse_from_str(&record.site.date, "%Y-%m-%d").is_err() {
        bad("site.date", "実施日が正しくありません。");
    }
    if normalize_code(&record.specimen.code).as_deref() != Some(record.specimen.code.as_str()) {
        bad("specimen.code", "検体コードが正しくありません。");
    }
    if !TEST_METHODS.contains(&record.specimen.method.as_str()) {
        bad("specimen.method", "検査方法を選択してください。");
    }
    if !SPECIMENS.contains(&record.specimen.specimen.as_str()) {
        bad("specimen.specimen", "検体を選択してください。");
    }
    // Ten minutes of clock skew allowed; nothing before 2020.
    let future = now + 10 * 60 * 1000;
    if !(1_577_836_800_000..=future).contains(&record.specimen.collected_at) {
        bad("specimen.collected_at", "採取日時が正しくありません。");
    }
    if let Some(r) = &record.result {
        if !TEST_RESULT.contains(&r.result.as_str()) {
            bad("result.result", "検査結果を選択してください。");
        }
        if r.at < record.specimen.collected_at - 60_000 || r.at > future {
            bad(
                "result.at",
                "結果の日時が採取日時より前か、未来になっています。",
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::sync::{Site, Specimen, PROTOCOL};

    fn record() -> DriveRecord {
        DriveRecord {
            client_id: "abcdefghijklmnop".into(),
            version: 1,
            base_case_version: None,
            health_center_id: "hc".into(),
            site: Site {
                name: "中央公園 駐車場".into(),
                staff: "検査 一郎".into(),
                date: "2026-11-25".into(),
            },
            person: Person {
                name: "山田 花子".into(),
                furigana: "ヤマダ ハナコ".into(),
                date_of_birth: "1980-04-01".into(),
                sex: "女".into(),
                phone: "090-1234-5678".into(),
                postal_code: "1000001".into(),
                address: "東京都千代田区千代田1-1".into(),
            },
            specimen: Specimen {
                code: specimen_code([1, 2, 3, 4, 5, 6]),
                method: TEST_METHODS[1].into(),
                specimen: "鼻咽頭拭い液".into(),
                collected_at: 1_764_040_000_000,
            },
            result: None,
        }
    }

    #[test]
    fn codes_check_themselves() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..=255u8 {
            let code = specimen_code([i, i.wrapping_mul(7), 3, i ^ 0x55, 9, i.wrapping_add(100)]);
            assert_eq!(code.len(), 7);
            assert_eq!(normalize_code(&code).as_deref(), Some(code.as_str()));
            assert_eq!(
                normalize_code(&display_code(&code).to_lowercase()).as_deref(),
                Some(code.as_str())
            );
            assert_eq!(
                normalize_code(&format!("{QR_PREFIX}{code}")).as_deref(),
                Some(code.as_str())
            );
            seen.insert(code.clone());
            // Every single substitution is caught.
            let bytes = code.as_bytes();
            for pos in 0..bytes.len() {
                for &c in CODE_ALPHABET.iter() {
                    if c != bytes[pos] {
                        let mut typo = bytes.to_vec();
                        typo[pos] = c;
                        assert_eq!(normalize_code(std::str::from_utf8(&typo).unwrap()), None);
                    }
                }
            }
            // Every adjacent transposition of different characters is caught.
            for pos in 0..bytes.len() - 1 {
                if bytes[pos] != bytes[pos + 1] {
                    let mut swapped = bytes.to_vec();
                    swapped.swap(pos, pos + 1);
                    assert_eq!(
                        normalize_code(std::str::from_utf8(&swapped).unwrap()),
                        None,
                        "{code}"
                    );
                }
            }
        }
        assert!(seen.len() > 250);
        assert_eq!(normalize_code("ＡＢＣ"), None);
        assert_eq!(normalize_code(""), None);
        assert_eq!(normalize_code("0000000"), None);
    }

    #[test]
    fn full_width_input_is_read() {
        let code = specimen_code([10, 20, 30, 40, 50, 60]);
        let wide: String = display_code(&code)
            .chars()
            .map(|c| {
                if c == '-' {
                    'ー'
                } else {
                    char::from_u32(c as u32 + 0xFEE0).unwrap()
                }
            })
            .collect();
        assert_eq!(normalize_code(&wide).as_deref(), Some(code.as_str()));
    }

    #[test]
    fn current_protocol_round_trips_and_others_are_refused() {
        let r = record();
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(decode(PROTOCOL, &v).unwrap(), r);
        assert_eq!(
            decode(PROTOCOL + 1, &v),
            Err(DecodeError::Protocol(PROTOCOL + 1))
        );
        assert_eq!(decode(0, &v), Err(DecodeError::Protocol(0)));
        let mut extra = v.clone();
        extra["unexpected"] = json!(1);
        assert!(matches!(
            decode(PROTOCOL, &extra),
            Err(DecodeError::Shape(_))
        ));
    }

    #[test]
    fn the_previous_protocol_stays_accepted_once_bumped() {
        assert!(ACCEPTED_PROTOCOLS.contains(&PROTOCOL));
        if PROTOCOL > 1 {
            assert!(ACCEPTED_PROTOCOLS.contains(&(PROTOCOL - 1)));
        }
    }

    #[test]
    fn the_fixture_queue_of_protocol_1_reads() {
        // Written by the app of protocol 1 (tests/fixtures/sync-queue-v1.json); must read as long as protocol 1
        // is accepted, whatever the current protocol is.
        let text = include_str!("../../tests/fixtures/sync-queue-v1.json");
        let batch: crate::api::sync::SyncBatch = serde_json::from_str(text).unwrap();
        assert_eq!(batch.protocol, 1);
        assert!(batch.records.len() >= 3);
        for r in &batch.records {
            let rec = decode(batch.protocol, r).unwrap();
            assert!(check(&rec, 1_900_000_000_000).is_empty(), "{rec:?}");
        }
    }

    #[test]
    fn record_maps_to_tabs_and_conflicts_name_the_differences() {
        let mut r = record();
        let id = id_tab(&r.person, Some(&json!({"name": "old", "hc_own_id": "X-1"})));
        assert_eq!(id["name"], "山田 花子");
        assert_eq!(id["phone1"], "090-1234-5678");
        assert_eq!(id["hc_own_id"], "X-1");
        let test = test_entry(&r);
        assert_eq!(test["result"], "その他");
        assert_eq!(test["specimen_date"], "2025-11-25");
        assert!(test["note"]
            .as_str()
            .unwrap()
            .contains(&display_code(&r.specimen.code)));
        assert!(conflicts(&r, Some(&id), Some(&test)).is_empty());

        let mut server_id = id.clone();
        server_id["phone1"] = json!("03-1111-2222");
        let mut server_test = test.clone();
        server_test["result"] = json!("陰性");
        r.result = Some(TestOutcome {
            result: "陽性".into(),
            at: r.specimen.collected_at + 3_600_000,
        });
        let c = conflicts(&r, Some(&server_id), Some(&server_test));
        let keys: Vec<_> = c.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["phone", "result"]);
        assert_eq!(c[1].device, "陽性");
        assert_eq!(c[1].server, "陰性");
        for f in &c {
            take_server_value(&mut r, &f.key, &f.server, 0);
        }
        assert!(conflicts(&r, Some(&server_id), Some(&server_test)).is_empty());
        take_server_value(&mut r, "result", "", 0);
        assert_eq!(r.result, None);
    }

    #[test]
    fn checks_name_bad_items() {
        let now = 1_764_040_000_000 + 1000;
        assert!(check(&record(), now).is_empty());
        let mut r = record();
        r.specimen.code = "ABCDEFG".into();
        r.specimen.method = "x".into();
        r.specimen.collected_at = now + 3_600_000;
        r.client_id = "short".into();
        r.result = Some(TestOutcome {
            result: "たぶん".into(),
            at: 0,
        });
        let fields: Vec<_> = check(&r, now).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "client_id",
                "specimen.code",
                "specimen.method",
                "specimen.collected_at",
                "result.result",
                "result.at"
            ]
        );
    }
}
