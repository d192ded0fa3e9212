//! CSV for spreadsheets (issue 22): one row per filed notification, a Japanese header row, stable English keys
//! documented in `docs/EXPORTS.md` (its column dictionary is this file's [`columns`]; a test keeps them equal).
//!
//! - Encoding: UTF-8 with a byte-order mark (Excel detects UTF-8 only by it), or CP932 on request (Shift_JIS as
//!   Windows writes it; `encoding_rs`'s Shift_JIS is the WHATWG one, which is Windows-31J with the NEC and IBM
//!   extensions). A character CP932 cannot hold (𠮷, emoji) is written as an HTML numeric character reference
//!   (`&#134071;`) — never dropped nor replaced by a look-alike — and the cell is counted in
//!   [`Writer::replaced_cells`].
//! - RFC 4180: cells holding a comma, a double quote, CR or LF are quoted (quotes doubled); rows end with CRLF.
//! - Formula injection (OWASP "CSV Injection"): a cell starting with `=`, `+`, `-`, `@`, tab or CR is written with a
//!   single quote in front and quoted, so a spreadsheet shows it as text. The quote is visible in the cell; the
//!   value after it is unchanged.
//! - Dates ISO (`2022-10-01`) or 和暦 (`令和4年10月1日`, 元年 for year 1, by `notification::dates::Wareki`); a
//!   date before 1873 (no 和暦 of the solar calendar) is written ISO in either style.
//! - Booleans 有/無; options by their printed labels; multi-valued items (symptoms, risk factors, groups, areas) in
//!   one cell joined with `、` (no printed label of a symptom or risk factor holds `、`; groups are written with
//!   their printed number in front, `（１）65歳以上の者、（３）…`, so they split at `、（`).

use std::borrow::Cow;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::ExportRecord;
use crate::api::exports::{CsvEncoding, DateStyle};
use crate::case::status::CaseStatus;
use crate::notification::dates::Wareki;
use crate::notification::model::{Address, DiagnosticTest, MAX_TESTS};
use crate::notification::options::{RiskFactor, Symptom, YesNo};

/// One column: its stable key, its Japanese header, what it holds (the column dictionary in docs/EXPORTS.md).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub header: &'static str,
    pub description: &'static str,
}

const fn col(key: &'static str, header: &'static str, description: &'static str) -> Column {
    Column {
        key,
        header,
        description,
    }
}

/// The separator of a multi-valued cell.
pub const LIST_SEPARATOR: &str = "、";

/// The byte-order mark a UTF-8 file starts with.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The columns, in order (keys are stable: a new item is a new column at the end of its group, never a renamed
/// key).
static COLUMNS: &[Column] = &[
    col("notification_number", "届出番号", "The notification number as shown on screen."),
    col("record_id", "記録ID", "The record's id (also its notification's id; the FHIR Bundle's id)."),
    col("filed_at", "届出日時", "When the notification was filed, JST, to the minute (`2022-10-01 09:30`; 和暦: `令和4年10月1日 09:30`)."),
    col("form_version", "様式", "The form revision it was filed on: `2021-11-29` (full form) or `2022-09-26` (limited form)."),
    col("status", "現在のステータス", "The record's current status (措置判定記録) by its label; empty if none entered."),
    col("hc_own_id", "保健所独自ID", "The health center's own id for the record (may be empty)."),
    col("health_center_id", "管轄保健所コード", "The health center managing the record now (its id)."),
    col("health_center_name", "管轄保健所", "The health center managing the record now (its name)."),
    col("institution_id", "届出医療機関ID", "The filing clinic (its id)."),
    col("institution_name", "届出医療機関", "The filing clinic (its registered name)."),
    col("report_date", "報告年月日", "報告年月日 (date)."),
    col("doctor_name", "医師の氏名", "The notifying doctor's name as written on the form."),
    col("facility_name", "従事する病院・診療所の名称", "The doctor's hospital or clinic as written on the form."),
    col("facility_address", "従事する病院・診療所の所在地", "Its address as written on the form."),
    col("facility_phone", "従事する病院・診療所の電話番号", "Its phone as written on the form."),
    col("category", "類型", "Item 1: the category (患者（確定例）, 無症状病原体保有者, 疑似症患者, 感染症死亡者の死体, 感染症死亡疑い者の死体)."),
    col("target_groups", "届出の対象", "The limited form's groups ticked, each as `（n）label`, joined with `、` (split at `、（`); empty on the full form."),
    col("name", "当該者氏名", "Item 2: the patient's name."),
    col("furigana", "フリガナ", "Item 2: its furigana (全角カタカナ)."),
    col("sex", "性別", "Item 3: 男 or 女."),
    col("date_of_birth", "生年月日", "Item 4 (date)."),
    col("age_years", "診断時の年齢", "Item 5: whole years at diagnosis, as entered (empty when not entered; the form computes it from items 4 and 14)."),
    col("age_months", "診断時の月齢", "Item 5: months, for a child under one (empty otherwise)."),
    col("occupation", "職業", "Item 6."),
    col("address_postal_code", "住所 郵便番号", "Item 7: postal code."),
    col("address_municipality_code", "住所 市区町村コード", "Item 7: 6-digit municipality code (全国地方公共団体コード)."),
    col("address", "住所", "Item 7: the address text."),
    col("address_phone", "住所 電話番号", "Item 7: phone."),
    col("current_location_same_as_address", "所在地は住所と同じ", "Item 8: 有 when the current location is the address (item 7), else 無."),
    col("current_location_postal_code", "所在地 郵便番号", "Item 8: postal code."),
    col("current_location_municipality_code", "所在地 市区町村コード", "Item 8: 6-digit municipality code (全国地方公共団体コード)."),
    col("current_location", "所在地", "Item 8: the address text."),
    col("current_location_phone", "所在地 電話番号", "Item 8: phone."),
    col("guardian_name", "保護者氏名", "Item 9 (minors only)."),
    col("guardian_postal_code", "保護者住所 郵便番号", "Item 10: postal code."),
    col("guardian_municipality_code", "保護者住所 市区町村コード", "Item 10: municipality code."),
    col("guardian_address", "保護者住所", "Item 10: the address text."),
    col("guardian_phone", "保護者電話番号", "Item 10: phone."),
    col("symptoms", "症状", "Item 11: the symptoms ticked (有), by their printed labels in the form's order, joined with `、`; `その他` when その他 is ticked (its text in `symptom_other`)."),
    col("symptom_other", "症状 その他", "Item 11: その他's text."),
    col("spo2_percent", "酸素飽和度（％）", "Item 11: SpO₂ in room air, percent."),
    col("no_symptoms", "症状なし", "Item 11: 有 when 症状なし is ticked, else 無."),
    col("test1_method", "検査1 診断方法", "Item 12, test 1: the method by its printed label."),
    col("test1_specimen", "検査1 検体", "Item 12, test 1: the specimen by its printed label."),
    col("test1_specimen_other", "検査1 検体 その他", "Item 12, test 1: the specimen's その他 text."),
    col("test1_specimen_date", "検査1 検体採取日", "Item 12, test 1: specimen date (date)."),
    col("test1_result", "検査1 結果", "Item 12, test 1: 陽性, 陰性 or その他."),
    col("test2_method", "検査2 診断方法", "Item 12, test 2: the method by its printed label."),
    col("test2_specimen", "検査2 検体", "Item 12, test 2: the specimen by its printed label."),
    col("test2_specimen_other", "検査2 検体 その他", "Item 12, test 2: the specimen's その他 text."),
    col("test2_specimen_date", "検査2 検体採取日", "Item 12, test 2: specimen date (date)."),
    col("test2_result", "検査2 結果", "Item 12, test 2: 陽性, 陰性 or その他."),
    col("test3_method", "検査3 診断方法", "Item 12, test 3: the method by its printed label."),
    col("test3_specimen", "検査3 検体", "Item 12, test 3: the specimen by its printed label."),
    col("test3_specimen_other", "検査3 検体 その他", "Item 12, test 3: the specimen's その他 text."),
    col("test3_specimen_date", "検査3 検体採取日", "Item 12, test 3: specimen date (date)."),
    col("test3_result", "検査3 結果", "Item 12, test 3: 陽性, 陰性 or その他."),
    col("test4_method", "検査4 診断方法", "Item 12, test 4: the method by its printed label."),
    col("test4_specimen", "検査4 検体", "Item 12, test 4: the specimen by its printed label."),
    col("test4_specimen_other", "検査4 検体 その他", "Item 12, test 4: the specimen's その他 text."),
    col("test4_specimen_date", "検査4 検体採取日", "Item 12, test 4: specimen date (date)."),
    col("test4_result", "検査4 結果", "Item 12, test 4: 陽性, 陰性 or その他."),
    col("tests_beyond", "検査 5件目以降", "Tests beyond the fourth, if a stored notification ever holds more (the form allows four): each as method／specimen／date／result, joined with `、`. Empty normally."),
    col("first_visit_date", "初診年月日", "Item 13 (date)."),
    col("diagnosis_date", "診断（検案）年月日", "Item 14 (date)."),
    col("infection_date", "感染したと推定される年月日", "Item 15 (date)."),
    col("onset_date", "発病年月日", "Item 16 (date)."),
    col("death_date", "死亡年月日", "Item 17 (date)."),
    col("infection_route_certainty", "感染原因・感染経路 確定・推定", "Item 18 ①: 確定 or 推定."),
    col("infection_route_droplet", "感染経路 飛沫・飛沫核感染", "Item 18 ①: 有 when 飛沫・飛沫核感染 is ticked, else 無."),
    col("infection_route_droplet_detail", "感染経路 飛沫・飛沫核感染 詳細", "Item 18 ①: 飛沫・飛沫核感染's text."),
    col("infection_route_contact", "感染経路 接触感染", "Item 18 ①: 有 when 接触感染 is ticked, else 無."),
    col("infection_route_contact_detail", "感染経路 接触感染 詳細", "Item 18 ①: 接触感染's text."),
    col("infection_route_other", "感染経路 その他", "Item 18 ①: 有 when その他 is ticked, else 無."),
    col("infection_route_other_detail", "感染経路 その他 詳細", "Item 18 ①: その他's text."),
    col("infection_area_certainty", "感染地域 確定・推定", "Item 18 ②: 確定 or 推定."),
    col("infection_area_domestic", "感染地域 日本国内", "Item 18 ②: each area as `都道府県 市区町村`, joined with `、`."),
    col("infection_area_abroad", "感染地域 国外", "Item 18 ②: each area as `国 詳細地域`, joined with `、`."),
    col("departure_date", "渡航期間 出国日", "Item 18 ② (date)."),
    col("entry_date", "渡航期間 入国日", "Item 18 ② (date)."),
    col("vaccine1_status", "ワクチン1回目 接種歴", "Item 18 ③, dose 1: 有, 無 or 不明."),
    col("vaccine1_age", "ワクチン1回目 接種時年齢", "Item 18 ③, dose 1: age at the dose."),
    col("vaccine1_type", "ワクチン1回目 種類", "Item 18 ③, dose 1: vaccine type."),
    col("vaccine1_manufacturer", "ワクチン1回目 製造会社", "Item 18 ③, dose 1: manufacturer."),
    col("vaccine1_type_unknown", "ワクチン1回目 種類不明", "Item 18 ③, dose 1: 有 when the vaccine is 不明, else 無."),
    col("vaccine1_date", "ワクチン1回目 接種年月日", "Item 18 ③, dose 1: date of the dose (date)."),
    col("vaccine1_date_unknown", "ワクチン1回目 接種年月日不明", "Item 18 ③, dose 1: 有 when the date is 不明, else 無."),
    col("vaccine2_status", "ワクチン2回目 接種歴", "Item 18 ③, dose 2: 有, 無 or 不明."),
    col("vaccine2_age", "ワクチン2回目 接種時年齢", "Item 18 ③, dose 2: age at the dose."),
    col("vaccine2_type", "ワクチン2回目 種類", "Item 18 ③, dose 2: vaccine type."),
    col("vaccine2_manufacturer", "ワクチン2回目 製造会社", "Item 18 ③, dose 2: manufacturer."),
    col("vaccine2_type_unknown", "ワクチン2回目 種類不明", "Item 18 ③, dose 2: 有 when the vaccine is 不明, else 無."),
    col("vaccine2_date", "ワクチン2回目 接種年月日", "Item 18 ③, dose 2: date of the dose (date)."),
    col("vaccine2_date_unknown", "ワクチン2回目 接種年月日不明", "Item 18 ③, dose 2: 有 when the date is 不明, else 無."),
    col("vaccine3_status", "ワクチン3回目 接種歴", "Item 18 ③, dose 3: 有, 無 or 不明."),
    col("vaccine3_age", "ワクチン3回目 接種時年齢", "Item 18 ③, dose 3: age at the dose."),
    col("vaccine3_type", "ワクチン3回目 種類", "Item 18 ③, dose 3: vaccine type."),
    col("vaccine3_manufacturer", "ワクチン3回目 製造会社", "Item 18 ③, dose 3: manufacturer."),
    col("vaccine3_type_unknown", "ワクチン3回目 種類不明", "Item 18 ③, dose 3: 有 when the vaccine is 不明, else 無."),
    col("vaccine3_date", "ワクチン3回目 接種年月日", "Item 18 ③, dose 3: date of the dose (date)."),
    col("vaccine3_date_unknown", "ワクチン3回目 接種年月日不明", "Item 18 ③, dose 3: 有 when the date is 不明, else 無."),
    col("hospitalised", "届出時点の入院の有無", "Item 19: 有 or 無."),
    col("admission_date", "入院年月日", "Item 19 (date)."),
    col("hospital_name", "入院先の医療機関", "Item 19: the hospital admitted to."),
    col("risk_factors_present", "重症化のリスク因子となる疾患等の有無", "Item 19: 有 or 無."),
    col("risk_factors", "重症化のリスク因子", "Item 19: the risk factors ticked, by their printed labels in the form's order, joined with `、`; `その他` when その他 is ticked (its text in `risk_factor_other`)."),
    col("risk_factor_other", "重症化のリスク因子 その他", "Item 19: その他's text."),
    col("immunocompromised", "免疫の機能が低下しているおそれの有無", "Item 19: 有 or 無."),
    col("pregnant", "妊娠の有無", "Item 19: 有 or 無."),
    col("severity", "重症度", "Item 19: 軽症, 中等症Ⅰ, 中等症Ⅱ or 重症."),
    col("admission_needed", "入院の必要性の有無", "Item 19: 有 or 無."),
    col("telemedicine", "電話や情報通信機器を用いた診療の有無", "Item 19: 有 or 無."),
];

/// Every column, in order.
pub fn columns() -> &'static [Column] {
    COLUMNS
}

/// Where the column dictionary sits in `docs/EXPORTS.md` (between these lines, generated by [`dictionary`]).
pub const DICTIONARY_BEGIN: &str =
    "<!-- csv-columns:begin (generated from shared::export::csv::columns) -->";
pub const DICTIONARY_END: &str = "<!-- csv-columns:end -->";

/// The column dictionary as a Markdown table (the text between [`DICTIONARY_BEGIN`] and [`DICTIONARY_END`]).
pub fn dictionary() -> String {
    let mut out =
        String::from("| # | key | 見出し (header) | what it holds |\n|---|---|---|---|\n");
    for (i, c) in COLUMNS.iter().enumerate() {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            i + 1,
            c.key,
            c.header,
            c.description.replace('|', "\\|")
        ));
    }
    out
}

/// Writes a CSV in pieces: the header once, then one record at a time (the edge streams them).
#[derive(Debug)]
pub struct Writer {
    pub encoding: CsvEncoding,
    pub dates: DateStyle,
    /// Cells that held a character CP932 cannot write (written as `&#NNNN;`); 0 for UTF-8.
    pub replaced_cells: u64,
}

impl Writer {
    pub fn new(encoding: CsvEncoding, dates: DateStyle) -> Self {
        Self {
            encoding,
            dates,
            replaced_cells: 0,
        }
    }

    /// The byte-order mark (UTF-8) and the header row.
    pub fn header(&mut self) -> Vec<u8> {
        let mut out = match self.encoding {
            CsvEncoding::Utf8Bom => BOM.to_vec(),
            CsvEncoding::Cp932 => Vec::new(),
        };
        let cells: Vec<Cow<'_, str>> = COLUMNS.iter().map(|c| Cow::Borrowed(c.header)).collect();
        self.write_row(&mut out, &cells);
        out
    }

    /// One record's row, CRLF-terminated.
    pub fn record(&mut self, r: &ExportRecord<'_>) -> Vec<u8> {
        let cells = cells(r, self.dates);
        debug_assert_eq!(cells.len(), COLUMNS.len());
        let mut out = Vec::with_capacity(1024);
        self.write_row(&mut out, &cells);
        out
    }

    fn write_row<S: AsRef<str>>(&mut self, out: &mut Vec<u8>, cells: &[S]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let text = escape(cell.as_ref());
            match self.encoding {
                CsvEncoding::Utf8Bom => out.extend_from_slice(text.as_bytes()),
                CsvEncoding::Cp932 => {
                    let (text, lookalike) = lookalikes_as_references(&text);
                    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
                    if unmappable || lookalike {
                        self.replaced_cells += 1;
                    }
                    out.extend_from_slice(&bytes);
                }
            }
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// Characters WHATWG's Shift_JIS encoder writes as the bytes of another character (they would read back changed):
/// U+00A5 ¥ → `\`, U+203E ‾ → `~`, U+2212 − (MINUS SIGN, common in addresses typed on a Mac) → `－` U+FF0D.
const CP932_LOOKALIKES: [char; 3] = ['\u{00A5}', '\u{203E}', '\u{2212}'];

/// The text with each of [`CP932_LOOKALIKES`] written as a numeric character reference (as an unmappable character
/// is), and whether there was one.
fn lookalikes_as_references(text: &str) -> (Cow<'_, str>, bool) {
    if !text.contains(CP932_LOOKALIKES) {
        return (Cow::Borrowed(text), false);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        if CP932_LOOKALIKES.contains(&ch) {
            out.push_str(&format!("&#{};", u32::from(ch)));
        } else {
            out.push(ch);
        }
    }
    (Cow::Owned(out), true)
}

/// Whether a spreadsheet would read the cell as a formula (OWASP's list: `=`, `+`, `-`, `@`, tab, CR).
pub fn is_formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// One cell as written: neutralised (a leading `'` when formula-like) and quoted when it must be (RFC 4180), or
/// when neutralised.
pub fn escape(cell: &str) -> Cow<'_, str> {
    let formula = is_formula_like(cell);
    if !formula && !cell.contains([',', '"', '\r', '\n']) {
        return Cow::Borrowed(cell);
    }
    let mut s = String::with_capacity(cell.len() + 4);
    s.push('"');
    if formula {
        s.push('\'');
    }
    for ch in cell.chars() {
        if ch == '"' {
            s.push('"');
        }
        s.push(ch);
    }
    s.push('"');
    Cow::Owned(s)
}

/// A date in the requested style (ISO before 1873, which has no solar 和暦).
pub fn date_text(d: NaiveDate, style: DateStyle) -> String {
    match style {
        DateStyle::Iso => d.to_string(),
        DateStyle::Wareki => Wareki::from_date(d).map_or_else(|| d.to_string(), |w| w.long()),
    }
}

fn opt_date(d: Option<NaiveDate>, style: DateStyle) -> String {
    d.map(|d| date_text(d, style)).unwrap_or_default()
}

/// Filing time in JST to the minute.
fn filed_text(ms: i64, style: DateStyle) -> String {
    let Some(t) =
        chrono::DateTime::from_timestamp_millis(ms).map(|t| t.naive_utc() + Duration::hours(9))
    else {
        return ms.to_string();
    };
    let t: NaiveDateTime = t;
    format!("{} {}", date_text(t.date(), style), t.format("%H:%M"))
}

fn yes_no(b: bool) -> String {
    if b { YesNo::Yes } else { YesNo::No }.label().to_owned()
}

fn label<T>(o: Option<T>, f: fn(T) -> &'static str) -> String {
    o.map(f).unwrap_or_default().to_owned()
}

fn num<T: ToString>(o: Option<T>) -> String {
    o.map(|n| n.to_string()).unwrap_or_default()
}

fn address(out: &mut Vec<String>, a: &Address) {
    out.push(a.postal_code.clone());
    out.push(a.municipality_code.clone());
    out.push(a.text.clone());
    out.push(a.phone.clone());
}

fn test_cells(out: &mut Vec<String>, t: Option<&DiagnosticTest>, style: DateStyle) {
    let t = t.cloned().unwrap_or_default();
    out.push(label(t.method, |m| m.label()));
    out.push(label(t.specimen, |s| s.label()));
    out.push(t.specimen_other);
    out.push(opt_date(t.specimen_date, style));
    out.push(label(t.result, |r| r.label()));
}

fn ticked(o: &Option<String>) -> (String, String) {
    (yes_no(o.is_some()), o.clone().unwrap_or_default())
}

/// The cells of one record, in the order of [`columns`].
fn cells(r: &ExportRecord<'_>, style: DateStyle) -> Vec<String> {
    let n = r.notification;
    let f = n.form();
    let p = &f.patient;
    let mut out: Vec<String> = Vec::with_capacity(COLUMNS.len());
    out.push(r.notification_number.to_owned());
    out.push(r.record_id.to_owned());
    out.push(filed_text(r.filed_at_ms, style));
    out.push(n.version().as_str().to_owned());
    // An unknown stored status is written as stored, never dropped.
    out.push(
        r.status
            .map(|s| CaseStatus::parse(s).map_or_else(|| s.to_owned(), |c| c.label().to_owned()))
            .unwrap_or_default(),
    );
    out.push(r.hc_own_id.to_owned());
    out.push(r.health_center_id.to_owned());
    out.push(r.health_center_name.to_owned());
    out.push(r.institution_id.to_owned());
    out.push(r.institution_name.to_owned());
    out.push(opt_date(f.report_date, style));
    out.push(f.reporter.doctor_name.clone());
    out.push(f.reporter.facility_name.clone());
    out.push(f.reporter.facility_address.clone());
    out.push(f.reporter.facility_phone.clone());
    out.push(label(f.category, |c| c.label()));
    out.push(
        f.target_groups
            .ticked()
            .iter()
            .map(|g| format!("{}{}", g.number(), g.label()))
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
    );
    out.push(p.name.clone());
    out.push(p.furigana.clone());
    out.push(label(p.sex, |s| s.label()));
    out.push(opt_date(p.date_of_birth, style));
    out.push(num(p.age_at_diagnosis.map(|a| a.years)));
    out.push(num(p.age_at_diagnosis.and_then(|a| a.months)));
    out.push(p.occupation.clone());
    address(&mut out, &p.address);
    out.push(yes_no(p.current_location_same_as_address));
    address(&mut out, &p.current_location);
    out.push(f.guardian.name.clone());
    address(&mut out, &f.guardian.address);
    let mut symptoms: Vec<&str> = Symptom::ALL
        .iter()
        .filter(|s| f.symptoms.present.contains(s))
        .map(|s| s.label())
        .collect();
    if f.symptoms.other.is_some() {
        symptoms.push("その他");
    }
    out.push(symptoms.join(LIST_SEPARATOR));
    out.push(f.symptoms.other.clone().unwrap_or_default());
    out.push(num(f.symptoms.spo2_percent));
    out.push(yes_no(f.symptoms.none));
    for i in 0..MAX_TESTS {
        test_cells(&mut out, f.tests.get(i), style);
    }
    out.push(
        f.tests
            .iter()
            .skip(MAX_TESTS)
            .map(|t| {
                let mut c = Vec::new();
                test_cells(&mut c, Some(t), style);
                c.join("／")
            })
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
    );
    out.push(opt_date(f.first_visit_date, style));
    out.push(opt_date(f.diagnosis_date, style));
    out.push(opt_date(f.infection_date, style));
    out.push(opt_date(f.onset_date, style));
    out.push(opt_date(f.death_date, style));
    let route = &f.infection.route;
    out.push(label(route.certainty, |c| c.label()));
    for o in [&route.droplet, &route.contact, &route.other] {
        let (t, d) = ticked(o);
        out.push(t);
        out.push(d);
    }
    let area = &f.infection.area;
    out.push(label(area.certainty, |c| c.label()));
    out.push(
        area.domestic
            .iter()
            .map(|a| {
                format!("{} {}", a.prefecture, a.municipality)
                    .trim()
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
    );
    out.push(
        area.abroad
            .iter()
            .map(|a| format!("{} {}", a.country, a.detail).trim().to_owned())
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
    );
    out.push(opt_date(area.departure_date, style));
    out.push(opt_date(area.entry_date, style));
    for d in &f.vaccination {
        out.push(label(d.status, |s| s.label()));
        out.push(num(d.age));
        out.push(d.vaccine_type.clone());
        out.push(d.manufacturer.clone());
        out.push(yes_no(d.vaccine_unknown));
        out.push(opt_date(d.date, style));
        out.push(yes_no(d.date_unknown));
    }
    let o = &f.other;
    out.push(label(o.hospitalised, |y| y.label()));
    out.push(opt_date(o.admission_date, style));
    out.push(o.hospital_name.clone());
    out.push(label(o.risk_factors_present, |y| y.label()));
    let mut risks: Vec<&str> = RiskFactor::ALL
        .iter()
        .filter(|r| o.risk_factors.contains(r))
        .map(|r| r.label())
        .collect();
    if o.risk_factor_other.is_some() {
        risks.push("その他");
    }
    out.push(risks.join(LIST_SEPARATOR));
    out.push(o.risk_factor_other.clone().unwrap_or_default());
    out.push(label(o.immunocompromised, |y| y.label()));
    out.push(label(o.pregnant, |y| y.label()));
    out.push(label(o.severity, |s| s.label()));
    out.push(label(o.admission_needed, |y| y.label()));
    out.push(label(o.telemedicine, |y| y.label()));
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn cp932_lookalikes_are_references_not_other_characters() {
        let mut w = Writer::new(CsvEncoding::Cp932, DateStyle::Iso);
        let mut out = Vec::new();
        w.write_row(&mut out, &["1−2−3", "¥100", "‾", "1-2"]);
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&out);
        assert!(!bad);
        assert_eq!(text, "1&#8722;2&#8722;3,&#165;100,&#8254;,1-2\r\n");
        assert_eq!(w.replaced_cells, 3);
    }
    use crate::notification::model::{
        AbroadArea, AgeAtDiagnosis, DomesticArea, Form20211129, Guardian, Infection, InfectionArea,
        InfectionRoute, OtherMatters, Patient, Reporter, Symptoms, TargetGroups, VaccineDose,
    };
    use crate::notification::options::{
        CaseCategory, Certainty, DiagnosticMethod, Severity, Sex, Specimen, TestResult,
        VaccinationStatus,
    };
    use crate::notification::Notification;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn addr(n: &str) -> Address {
        Address {
            postal_code: format!("154000{n}"),
            municipality_code: "131121".into(),
            text: format!("東京都世田谷区太子堂{n}丁目"),
            phone: format!("03-1234-567{n}"),
        }
    }

    /// A notification with every item filled (five tests, so even the beyond-four column has one).
    pub(crate) fn full() -> Notification {
        let test = |m: DiagnosticMethod, s: Specimen, day: u32| DiagnosticTest {
            method: Some(m),
            specimen: Some(s),
            specimen_other: "その他の検体".into(),
            specimen_date: Some(d(2022, 10, day)),
            result: Some(TestResult::Positive),
        };
        let dose = |n: u32| VaccineDose {
            status: Some(VaccinationStatus::Yes),
            age: Some(60 + n as u16),
            vaccine_type: "mRNA".into(),
            manufacturer: "ファイザー".into(),
            vaccine_unknown: n == 3,
            date: Some(d(2021, n + 5, 1)),
            date_unknown: n == 2,
        };
        let form = Form20211129 {
            report_date: Some(d(2022, 10, 3)),
            reporter: Reporter {
                doctor_name: "医師　太郎".into(),
                facility_name: "世田谷クリニック".into(),
                facility_address: "東京都世田谷区1-1".into(),
                facility_phone: "03-0000-0000".into(),
            },
            category: Some(CaseCategory::ConfirmedPatient),
            target_groups: TargetGroups {
                aged_65_or_over: true,
                risk_needs_treatment_drug: true,
                ..TargetGroups::default()
            },
            patient: Patient {
                name: "髙橋　花子".into(),
                furigana: "タカハシ　ハナコ".into(),
                sex: Some(Sex::Female),
                date_of_birth: Some(d(1950, 4, 1)),
                age_at_diagnosis: Some(AgeAtDiagnosis {
                    years: 72,
                    months: Some(5),
                }),
                occupation: "無職".into(),
                address: addr("1"),
                current_location_same_as_address: true,
                current_location: addr("2"),
            },
            guardian: Guardian {
                name: "髙橋　一郎".into(),
                address: addr("3"),
            },
            symptoms: Symptoms {
                present: BTreeSet::from([Symptom::Fever, Symptom::SmellTasteDisorder]),
                spo2_percent: Some(95),
                other: Some("発疹".into()),
                none: true,
            },
            tests: vec![
                test(DiagnosticMethod::NucleicAcid, Specimen::Saliva, 1),
                test(DiagnosticMethod::AntigenQualitative, Specimen::NasalSwab, 2),
                test(DiagnosticMethod::AntigenQuantitative, Specimen::Saliva, 3),
                test(DiagnosticMethod::Isolation, Specimen::Other, 4),
                test(DiagnosticMethod::NucleicAcid, Specimen::Sputum, 5),
            ],
            first_visit_date: Some(d(2022, 10, 1)),
            diagnosis_date: Some(d(2022, 10, 2)),
            infection_date: Some(d(2022, 9, 28)),
            onset_date: Some(d(2022, 9, 30)),
            death_date: Some(d(2022, 10, 20)),
            infection: Infection {
                route: InfectionRoute {
                    certainty: Some(Certainty::Presumed),
                    droplet: Some("家族".into()),
                    contact: Some("ドアノブ".into()),
                    other: Some("不明".into()),
                },
                area: InfectionArea {
                    certainty: Some(Certainty::Confirmed),
                    domestic: vec![
                        DomesticArea {
                            prefecture: "東京都".into(),
                            municipality: "世田谷区".into(),
                        },
                        DomesticArea {
                            prefecture: "大阪府".into(),
                            municipality: "大阪市".into(),
                        },
                    ],
                    abroad: vec![AbroadArea {
                        country: "韓国".into(),
                        detail: "ソウル".into(),
                    }],
                    departure_date: Some(d(2022, 9, 20)),
                    entry_date: Some(d(2022, 9, 25)),
                },
            },
            vaccination: [dose(1), dose(2), dose(3)],
            other: OtherMatters {
                hospitalised: Some(YesNo::Yes),
                admission_date: Some(d(2022, 10, 3)),
                hospital_name: "都立病院".into(),
                risk_factors_present: Some(YesNo::Yes),
                risk_factors: BTreeSet::from([RiskFactor::Diabetes, RiskFactor::Copd]),
                risk_factor_other: Some("心疾患".into()),
                immunocompromised: Some(YesNo::No),
                pregnant: Some(YesNo::No),
                severity: Some(Severity::ModerateII),
                admission_needed: Some(YesNo::Yes),
                telemedicine: Some(YesNo::No),
            },
        };
        Notification::R20220926(form)
    }

    pub(crate) fn record<'a>(n: &'a Notification, status: Option<&'a str>) -> ExportRecord<'a> {
        ExportRecord {
            record_id: "rec-1",
            notification_number: "2022-000001",
            // 2022-10-03 09:30 JST.
            filed_at_ms: 1_664_757_000_000,
            notification: n,
            institution_id: "inst-1",
            institution_name: "世田谷クリニック",
            health_center_id: "hc-1",
            health_center_name: "世田谷保健所",
            pref_code: "13",
            status,
            hc_own_id: "SE-0001",
        }
    }

    /// Splits one CRLF-terminated row of our own writing back into cells (RFC 4180).
    pub(crate) fn parse_row(line: &str) -> Vec<String> {
        let line = line.strip_suffix("\r\n").unwrap_or(line);
        let mut cells = vec![String::new()];
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (false, ',') => cells.push(String::new()),
                (false, '"') => quoted = true,
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cells.last_mut().unwrap().push('"');
                }
                (true, '"') => quoted = false,
                (_, c) => cells.last_mut().unwrap().push(c),
            }
        }
        cells
    }

    fn utf8_row(w: &mut Writer, r: &ExportRecord<'_>) -> Vec<String> {
        parse_row(std::str::from_utf8(&w.record(r)).unwrap())
    }

    /// docs/EXPORTS.md's column dictionary is [`dictionary`]'s text. `UPDATE_DOCS=1 cargo test -p shared --features
    /// export docs_dictionary` rewrites it.
    #[test]
    fn docs_dictionary_matches_columns() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/EXPORTS.md");
        let doc = std::fs::read_to_string(path).expect("docs/EXPORTS.md");
        let begin =
            doc.find(DICTIONARY_BEGIN).expect("dictionary start marker") + DICTIONARY_BEGIN.len();
        let end = doc.find(DICTIONARY_END).expect("dictionary end marker");
        let want = format!("\n{}", dictionary());
        if doc[begin..end] != want {
            if std::env::var_os("UPDATE_DOCS").is_some() {
                std::fs::write(path, format!("{}{want}{}", &doc[..begin], &doc[end..])).unwrap();
            } else {
                panic!(
                    "docs/EXPORTS.md's CSV column dictionary differs from csv::columns(); run \
                     UPDATE_DOCS=1 cargo test -p shared --features export docs_dictionary"
                );
            }
        }
    }

    #[test]
    fn keys_are_unique_snake_case_and_every_column_has_a_header_and_description() {
        let mut seen = std::collections::HashSet::new();
        for c in columns() {
            assert!(seen.insert(c.key), "{} twice", c.key);
            assert!(c
                .key
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'));
            assert!(
                !c.header.is_empty() && !c.description.is_empty(),
                "{}",
                c.key
            );
        }
        let headers: std::collections::HashSet<_> = columns().iter().map(|c| c.header).collect();
        assert_eq!(headers.len(), columns().len(), "headers are unique");
    }

    #[test]
    fn every_column_is_filled_for_a_full_notification() {
        let n = full();
        let mut w = Writer::new(CsvEncoding::Utf8Bom, DateStyle::Iso);
        let cells = utf8_row(&mut w, &record(&n, Some("admitted")));
        assert_eq!(cells.len(), columns().len());
        for (c, v) in columns().iter().zip(&cells) {
            assert!(!v.is_empty(), "{} is empty", c.key);
        }
        let get = |k: &str| {
            let i = columns().iter().position(|c| c.key == k).unwrap();
            cells[i].clone()
        };
        assert_eq!(get("filed_at"), "2022-10-03 09:30");
        assert_eq!(get("status"), "入院");
        assert_eq!(get("form_version"), "2022-09-26");
        assert_eq!(get("name"), "髙橋　花子");
        assert_eq!(get("furigana"), "タカハシ　ハナコ");
        assert_eq!(get("date_of_birth"), "1950-04-01");
        assert_eq!(get("age_years"), "72");
        assert_eq!(get("sex"), "女");
        assert_eq!(get("symptoms"), "発熱、嗅覚・味覚障害、その他");
        assert_eq!(get("symptom_other"), "発疹");
        assert_eq!(get("no_symptoms"), "有");
        assert_eq!(get("test1_method"), DiagnosticMethod::NucleicAcid.label());
        assert_eq!(get("test2_specimen"), "鼻腔拭い液");
        assert_eq!(get("test4_specimen_date"), "2022-10-04");
        assert_eq!(get("test3_result"), "陽性");
        assert!(get("tests_beyond").contains("喀痰"));
        assert_eq!(
            get("target_groups"),
            "（１）65歳以上の者、（３）重症化リスクがあり、かつ、新型コロナ治療薬の投与が必要な者"
        );
        assert_eq!(
            get("risk_factors"),
            "慢性閉塞性肺疾患（COPD）、糖尿病、その他"
        );
        assert_eq!(
            get("infection_area_domestic"),
            "東京都 世田谷区、大阪府 大阪市"
        );
        assert_eq!(get("infection_route_droplet"), "有");
        assert_eq!(get("infection_route_droplet_detail"), "家族");
        assert_eq!(get("vaccine3_type_unknown"), "有");
        assert_eq!(get("vaccine1_type_unknown"), "無");
        assert_eq!(get("severity"), "中等症Ⅱ");
        assert_eq!(get("hc_own_id"), "SE-0001");
        // An empty notification: every cell is written (empty or 無), the row has every column.
        let blank = Notification::new_current();
        let cells = utf8_row(&mut w, &record(&blank, Some("not_a_status")));
        assert_eq!(cells.len(), columns().len());
        // An unknown stored status is written as stored, not dropped.
        assert!(cells.contains(&"not_a_status".to_owned()));
    }

    #[test]
    fn header_has_the_bom_only_in_utf8_and_every_japanese_header() {
        let mut w = Writer::new(CsvEncoding::Utf8Bom, DateStyle::Iso);
        let h = w.header();
        assert!(h.starts_with(BOM));
        assert!(h.ends_with(b"\r\n"));
        let text = std::str::from_utf8(&h[3..]).unwrap();
        let cells = parse_row(text);
        let headers: Vec<&str> = columns().iter().map(|c| c.header).collect();
        assert_eq!(cells, headers);
        let mut w = Writer::new(CsvEncoding::Cp932, DateStyle::Iso);
        let h = w.header();
        assert!(!h.starts_with(BOM));
        let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(&h);
        assert!(!errors);
        assert_eq!(parse_row(&text), headers);
        assert_eq!(w.replaced_cells, 0, "every header is in CP932");
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(escape("abc"), "abc");
        assert_eq!(escape("a,b"), "\"a,b\"");
        assert_eq!(escape("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(escape("two\r\nlines"), "\"two\r\nlines\"");
        assert_eq!(escape("one\nline"), "\"one\nline\"");
        // Through a record: the same cell comes back.
        let mut n = full();
        n.form_mut().patient.occupation = "会社員, \"営業\"\r\n兼務".into();
        let mut w = Writer::new(CsvEncoding::Utf8Bom, DateStyle::Iso);
        let bytes = w.record(&record(&n, None));
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.ends_with("\r\n"));
        let cells = parse_row(text);
        assert_eq!(cells.len(), columns().len());
        assert!(cells.contains(&"会社員, \"営業\"\r\n兼務".to_owned()));
    }

    #[test]
    fn each_formula_prefix_is_neutralised() {
        for prefix in ["=", "+", "-", "@", "\t", "\r"] {
            let cell = format!("{prefix}SUM(A1:A9)");
            let written = escape(&cell);
            assert_eq!(written, format!("\"'{cell}\""), "{prefix:?}");
            let mut n = full();
            n.form_mut().patient.occupation = cell.clone();
            let mut w = Writer::new(CsvEncoding::Utf8Bom, DateStyle::Iso);
            let cells = utf8_row(&mut w, &record(&n, None));
            let i = columns()
                .iter()
                .position(|c| c.key == "occupation")
                .unwrap();
            assert_eq!(cells[i], format!("'{cell}"));
        }
        // Only at the start of a cell.
        assert_eq!(escape("a=b"), "a=b");
        assert_eq!(escape("03-1234"), "03-1234");
        assert!(!is_formula_like(""));
    }

    #[test]
    fn cp932_decodes_back_to_the_same_text_with_nec_and_ibm_characters() {
        let mut n = full();
        {
            let f = n.form_mut();
            f.patient.name = "髙橋　①㈱～".into();
            f.patient.occupation = "﨑山〒Ⅱ№".into();
        }
        let r = record(&n, Some("admitted"));
        let mut utf = Writer::new(CsvEncoding::Utf8Bom, DateStyle::Wareki);
        let mut sjis = Writer::new(CsvEncoding::Cp932, DateStyle::Wareki);
        let a = utf.record(&r);
        let b = sjis.record(&r);
        let (decoded, _, errors) = encoding_rs::SHIFT_JIS.decode(&b);
        assert!(!errors);
        assert_eq!(decoded, std::str::from_utf8(&a).unwrap());
        assert_eq!(sjis.replaced_cells, 0);
        // 髙 is the IBM extension 0xFB 0xFC (as Windows writes it; 0xEE 0xE0, the NEC-selected copy, decodes to it
        // too); ① the NEC row 13 0x87 0x40; ㈱ 0x87 0x8A; ～ (U+FF5E) 0x81 0x60.
        for (ch, bytes) in [
            ("髙", &[0xFB, 0xFC][..]),
            ("①", &[0x87, 0x40]),
            ("㈱", &[0x87, 0x8A]),
            ("～", &[0x81, 0x60]),
        ] {
            assert!(b.windows(2).any(|w| w == bytes), "{ch}");
        }
        assert!(decoded.contains("髙橋　①㈱～"));
        assert!(decoded.contains("令和4年10月3日 09:30"));
    }

    #[test]
    fn a_character_cp932_cannot_hold_is_a_numeric_reference_and_counted() {
        let mut n = full();
        n.form_mut().patient.name = "𠮷田　😀".into();
        n.form_mut().patient.occupation = "𠮷".into();
        let mut w = Writer::new(CsvEncoding::Cp932, DateStyle::Iso);
        let b = w.record(&record(&n, None));
        let (decoded, _, _) = encoding_rs::SHIFT_JIS.decode(&b);
        assert!(decoded.contains("&#134071;田　&#128512;"), "{decoded}");
        assert_eq!(w.replaced_cells, 2, "two cells, each counted once");
        let cells = parse_row(&decoded);
        assert_eq!(cells.len(), columns().len());
        // UTF-8 writes them as they are.
        let mut u = Writer::new(CsvEncoding::Utf8Bom, DateStyle::Iso);
        let cells = utf8_row(&mut u, &record(&n, None));
        assert!(cells.contains(&"𠮷田　😀".to_owned()));
        assert_eq!(u.replaced_cells, 0);
    }

    #[test]
    fn wareki_at_the_era_boundaries() {
        let cases = [
            (d(2019, 4, 30), "平成31年4月30日"),
            (d(2019, 5, 1), "令和元年5月1日"),
            (d(2020, 1, 1), "令和2年1月1日"),
            (d(1989, 1, 7), "昭和64年1月7日"),
            (d(1989, 1, 8), "平成元年1月8日"),
            (d(2022, 10, 1), "令和4年10月1日"),
            // No solar 和暦 before 1873: ISO in either style.
            (d(1872, 12, 31), "1872-12-31"),
        ];
        for (date, text) in cases {
            assert_eq!(date_text(date, DateStyle::Wareki), text);
            assert_eq!(date_text(date, DateStyle::Iso), date.to_string());
        }
        let mut n = full();
        n.form_mut().patient.date_of_birth = Some(d(2019, 4, 30));
        n.form_mut().diagnosis_date = Some(d(2019, 5, 1));
        let mut w = Writer::new(CsvEncoding::Utf8Bom, DateStyle::Wareki);
        let cells = utf8_row(&mut w, &record(&n, None));
        let get = |k: &str| cells[columns().iter().position(|c| c.key == k).unwrap()].clone();
        assert_eq!(get("date_of_birth"), "平成31年4月30日");
        assert_eq!(get("diagnosis_date"), "令和元年5月1日");
        assert_eq!(get("filed_at"), "令和4年10月3日 09:30");
    }
}
