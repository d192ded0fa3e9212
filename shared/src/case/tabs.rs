//! The patient record's editable tabs (manual 4.5 and 5.2): ID管理, 基礎情報, 検査, 居所, 医療. Each tab is a
//! declared list of fields; the app draws its form and read view from the declaration and the edge keeps only
//! what [`clean`] accepts, so the two cannot disagree.
//!
//! Stored form: a JSON object per tab with only the non-empty values: text and dates as strings (dates ISO
//! `YYYY-MM-DD`), a choice as its label, a checklist as an array of labels, a check as `true`, a list as an array
//! of objects.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::notification::phone::PhoneNumber;
use crate::notification::validate::{IssueSeverity, IssueView};

/// One tab of the record that is edited as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    Id,
    Basic,
    Tests,
    Residence,
    Medical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    LongText,
    Date,
    Phone,
    /// Exactly this many digits (郵便番号: 7).
    Digits(usize),
    Choice(&'static [&'static str]),
    Checks(&'static [&'static str]),
    Check,
    List(&'static [Field]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// A date that may not be before the sibling date with this key (退院日付 after 入院日付, To after From).
    pub not_before: Option<&'static str>,
}

const fn f(key: &'static str, label: &'static str, kind: Kind) -> Field {
    Field {
        key,
        label,
        kind,
        required: false,
        not_before: None,
    }
}

const fn req(key: &'static str, label: &'static str, kind: Kind) -> Field {
    Field {
        key,
        label,
        kind,
        required: true,
        not_before: None,
    }
}

const fn after(key: &'static str, label: &'static str, before: &'static str) -> Field {
    Field {
        key,
        label,
        kind: Kind::Date,
        required: false,
        not_before: Some(before),
    }
}

use Kind::{Check, Checks, Choice, Date, Digits, List, LongText, Phone, Text};

const YES_NO: &[&str] = &["有", "無"];
const YES_NO_UNKNOWN: &[&str] = &["有", "無", "不明"];
const SEX: &[&str] = &["男", "女"];
pub const TEST_RESULT: &[&str] = &["陰性", "陽性", "その他"];
/// The labels of [`DiagnosticMethod`](crate::notification::options::DiagnosticMethod), so a test record fills
/// the notification's item 12 as it is (checked by a test).
pub const TEST_METHODS: &[&str] = &[
    "分離・同定による病原体の検出",
    "検体から核酸増幅法（PCR 法　LAMP 法など）による病原体遺伝子の検出",
    "抗原定性検査による病原体の抗原の検出",
    "抗原定量検査による病原体の抗原の検出",
];
/// The labels of [`Specimen`](crate::notification::options::Specimen).
pub const SPECIMENS: &[&str] = &[
    "喀痰",
    "気管吸引液",
    "肺胞洗浄液",
    "咽頭拭い液",
    "鼻腔吸引液",
    "鼻腔拭い液",
    "鼻咽頭拭い液",
    "便",
    "唾液",
    "剖検材料",
    "その他",
];
const PLACES: &[&str] = &["自宅", "宿泊療養施設", "医療機関", "社会福祉施設", "その他"];

/// ID管理 (manual 4.5 step 2): 氏名 is required.
pub const ID_FIELDS: &[Field] = &[
    f("furigana", "フリガナ", Text),
    req("name", "氏名", Text),
    f("date_of_birth", "生年月日", Date),
    f("sex", "性別", Choice(SEX)),
    f("nationality", "国籍", Text),
    f("postal_code", "郵便番号", Digits(7)),
    f("address", "住所", Text),
    f("phone1", "電話番号1", Phone),
    f("phone2", "電話番号2", Phone),
    f("contact_name", "緊急連絡先 氏名", Text),
    f("contact_relation", "緊急連絡先 続柄", Text),
    f("contact_phone", "緊急連絡先 電話番号", Phone),
    f("hc_own_id", "保健所独自ID", Text),
    f("note", "自由記述欄", LongText),
];

/// 基礎情報 (manual 5.2-1).
pub const BASIC_FIELDS: &[Field] = &[
    f("interview_date", "問診年月日", Date),
    f("insurer", "医療保険証 保険者", Text),
    f("insurance_symbol", "医療保険証 記号", Text),
    f("insurance_number", "医療保険証 番号", Text),
    f("insurance_branch", "医療保険証 枝番", Text),
    f(
        "welfare",
        "福祉的な支援",
        Checks(&["障害", "生活保護", "保育者確保", "介護者確保", "その他"]),
    ),
    f(
        "household",
        "同居",
        Checks(&[
            "高齢者",
            "基礎疾患のある者",
            "免疫抑制状態である者",
            "妊婦",
            "医療従事者",
        ]),
    ),
    f("pregnancy", "妊娠", Choice(YES_NO_UNKNOWN)),
    f("smoking", "喫煙", Choice(YES_NO)),
    f(
        "past_covid",
        "過去の新型コロナ罹患歴",
        Choice(YES_NO_UNKNOWN),
    ),
    f("past_covid_period", "療養期間", Text),
    f("clinic", "医療機関", Text),
    f("department", "診療科名", Text),
    f("doctor", "主治医氏名", Text),
    f("referral_institution", "診療情報提供医療機関", Text),
    f("referral_doctor", "診療情報提供医師氏名", Text),
];

/// One test record (検査記録, manual 4.5 step 5): 検体採取日, 外来機関 and 検査1 are required; a result not yet
/// known is その他.
pub const TEST_FIELDS: &[Field] = &[
    req("specimen_date", "検体採取日", Date),
    req("outpatient_institution", "外来機関", Text),
    f("lab", "検査機関", Text),
    // The label's code of a specimen taken at a drive-through site (shared::drive), by which sync finds this entry.
    f("specimen_code", "検体コード", Text),
    after("contact_date", "連絡予定日", "specimen_date"),
    after("result_date", "結果判明日", "specimen_date"),
    req("result", "検査結果", Choice(TEST_RESULT)),
    req("method1", "検査1 検査方法", Choice(TEST_METHODS)),
    f("specimen1", "検査1 検体", Choice(SPECIMENS)),
    f("result1", "検査1 結果", Choice(TEST_RESULT)),
    f("method2", "検査2 検査方法", Choice(TEST_METHODS)),
    f("specimen2", "検査2 検体", Choice(SPECIMENS)),
    f("result2", "検査2 結果", Choice(TEST_RESULT)),
    f("method3", "検査3 検査方法", Choice(TEST_METHODS)),
    f("specimen3", "検査3 検体", Choice(SPECIMENS)),
    f("result3", "検査3 結果", Choice(TEST_RESULT)),
    f("method4", "検査4 検査方法", Choice(TEST_METHODS)),
    f("specimen4", "検査4 検体", Choice(SPECIMENS)),
    f("result4", "検査4 結果", Choice(TEST_RESULT)),
    f(
        "other_positive",
        "その他の病原体検査で陽性のもの",
        Checks(&[
            "培養検査",
            "抗原検査",
            "RSウイルス",
            "アデノウイルス",
            "肺炎球菌",
            "レジオネラ",
            "ヒトメタニューモウイルス",
            "ライノウイルス",
        ]),
    ),
    f("note", "自由記述欄", LongText),
];

pub const TESTS_FIELDS: &[Field] = &[f("tests", "検査記録", List(TEST_FIELDS))];

/// 居所推移情報 (one period) and 同居者 (manual 5.2-3).
pub const PERIOD_FIELDS: &[Field] = &[
    req("from", "期間 From", Date),
    after("to", "期間 To", "from"),
    req("category", "区分", Choice(PLACES)),
    f("place", "場所名", Text),
    f("phone", "電話番号", Phone),
];
pub const COHABITANT_FIELDS: &[Field] = &[
    req("family_name", "同居者姓", Text),
    f("given_name", "同居者名", Text),
    f("family_kana", "同居者姓（カナ）", Text),
    f("given_kana", "同居者名（カナ）", Text),
    f("phone", "電話番号", Phone),
    f("close_contact", "濃厚接触", Check),
];
pub const RESIDENCE_FIELDS: &[Field] = &[
    f("periods", "居所推移情報", List(PERIOD_FIELDS)),
    f("cohabitants", "同居者", List(COHABITANT_FIELDS)),
];

/// 医療 (manual 5.2-5): 医療連携情報, 入院, 関係機関.
pub const MEDICAL_FIELDS: &[Field] = &[
    f("first_visit_date", "初診年月日", Date),
    f("diagnosing_institution", "診断医療機関", Text),
    f("xray", "胸部X線", Choice(YES_NO)),
    f("xray_findings", "胸部X線 所見", Text),
    f("ct", "胸部CT", Choice(YES_NO)),
    f("ct_findings", "胸部CT 所見", Text),
    f("admission_date", "入院日付", Date),
    f("hospital", "病院名", Text),
    f("hospital_doctor", "医師名", Text),
    after("discharge_date", "退院日付", "admission_date"),
    f("discharge_outcome", "退院時の転帰コード", Text),
    f("death_date", "死亡年月日", Date),
    f("death_cause", "死因", Text),
    f("ards", "急性呼吸窮迫症候群", Choice(YES_NO)),
    f("ventilator_from", "人工呼吸器 開始", Date),
    after("ventilator_to", "人工呼吸器 終了", "ventilator_from"),
    f("ecmo_from", "ECMO 開始", Date),
    after("ecmo_to", "ECMO 終了", "ecmo_from"),
    f("icu_from", "ICU 開始", Date),
    after("icu_to", "ICU 終了", "icu_from"),
    f("emergency_destination", "緊急搬送先 医療機関名", Text),
    f("family_doctor_institution", "かかりつけ医 医療機関名", Text),
    f("family_doctor", "かかりつけ医 医師名", Text),
    f(
        "followup_association",
        "健康フォローアップ 郡市区医師会",
        Text,
    ),
    f("followup_doctor", "健康フォローアップ 医師名", Text),
    f("release_date", "待機解除年月日", Date),
];

/// Longest text kept in one field, and in a free-text field (characters).
pub const TEXT_MAX: usize = 100;
pub const LONG_TEXT_MAX: usize = 2000;
/// Most entries in one list (tests, periods, people living with the patient).
pub const LIST_MAX: usize = 50;

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Id,
        Tab::Basic,
        Tab::Tests,
        Tab::Residence,
        Tab::Medical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tab::Id => "id",
            Tab::Basic => "basic",
            Tab::Tests => "tests",
            Tab::Residence => "residence",
            Tab::Medical => "medical",
        }
    }

    pub fn parse(s: &str) -> Option<Tab> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Id => "ID管理",
            Tab::Basic => "基礎情報",
            Tab::Tests => "検査",
            Tab::Residence => "居所",
            Tab::Medical => "医療",
        }
    }

    pub fn fields(self) -> &'static [Field] {
        match self {
            Tab::Id => ID_FIELDS,
            Tab::Basic => BASIC_FIELDS,
            Tab::Tests => TESTS_FIELDS,
            Tab::Residence => RESIDENCE_FIELDS,
            Tab::Medical => MEDICAL_FIELDS,
        }
    }
}

fn issue(path: String, label: &str, message: &str) -> IssueView {
    IssueView {
        severity: IssueSeverity::Error,
        code: "tab_field".into(),
        message: format!("{label}: {message}"),
        field: path,
    }
}

/// The tab's data as it will be stored (empty values dropped, text trimmed), or every problem with its path
/// (`tests.0.specimen_date`). Unknown keys and values of the wrong type are problems, not silently dropped.
pub fn clean(tab: Tab, data: &Value, today: NaiveDate) -> Result<Value, Vec<IssueView>> {
    let mut issues = Vec::new();
    let out = clean_object(tab.fields(), data, "", today, &mut issues);
    if issues.is_empty() {
        Ok(Value::Object(out))
    } else {
        Err(issues)
    }
}

fn clean_object(
    fields: &[Field],
    data: &Value,
    prefix: &str,
    today: NaiveDate,
    issues: &mut Vec<IssueView>,
) -> Map<String, Value> {
    let mut out = Map::new();
    let empty = Map::new();
    let obj = match data {
        Value::Object(o) => o,
        Value::Null => &empty,
        _ => {
            issues.push(issue(
                prefix.trim_end_matches('.').into(),
                "入力",
                "形式が正しくありません",
            ));
            return out;
        }
    };
    for key in obj.keys() {
        if !fields.iter().any(|f| f.key == key) {
            issues.push(issue(format!("{prefix}{key}"), key, "この項目はありません"));
        }
    }
    for field in fields {
        let path = format!("{prefix}{}", field.key);
        let value = obj.get(field.key).unwrap_or(&Value::Null);
        if let Some(v) = clean_value(field, value, &path, today, issues) {
            out.insert(field.key.into(), v);
        } else if field.required && !issues.iter().any(|i| i.field == path) {
            issues.push(issue(path, field.label, "入力してください"));
        }
    }
    // Date order within the object.
    for field in fields {
        if let (Some(before), Some(Value::String(d))) = (field.not_before, out.get(field.key)) {
            if let Some(Value::String(b)) = out.get(before) {
                if d < b {
                    let other = fields
                        .iter()
                        .find(|f| f.key == before)
                        .map_or("", |f| f.label);
                    issues.push(issue(
                        format!("{prefix}{}", field.key),
                        field.label,
                        &format!("{other}より前の日付です"),
                    ));
                }
            }
        }
    }
    out
}

fn clean_value(
    field: &Field,
    value: &Value,
    path: &str,
    today: NaiveDate,
    issues: &mut Vec<IssueView>,
) -> Option<Value> {
    let mut bad = |m: &str| issues.push(issue(path.into(), field.label, m));
    if value.is_null() {
        return None;
    }
    match field.kind {
        Text | LongText | Date | Phone | Digits(_) | Choice(_) => {
            let Some(s) = value.as_str() else {
                bad("文字で入力してください");
                return None;
            };
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            // Control characters (a newline only in free text) and bidirectional overrides (which make a stored
            // text read differently from what it is) are refused.
            let forbidden = |c: char| {
                (c.is_control() && !(field.kind == LongText && c == '\n'))
                    || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
            };
            if s.chars().any(forbidden) {
                bad("使えない文字が含まれています");
                return None;
            }
            let max = if field.kind == LongText {
                LONG_TEXT_MAX
            } else {
                TEXT_MAX
            };
            if s.chars().count() > max {
                bad(&format!("{max}文字以内で入力してください"));
                return None;
            }
            match field.kind {
                Date => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                    Ok(d) if d > today + chrono::Days::new(366) => {
                        bad("日付が先すぎます");
                        None
                    }
                    Ok(d) if d.year() < 1900 => {
                        bad("日付が古すぎます");
                        None
                    }
                    Ok(d) => Some(Value::String(d.to_string())),
                    Err(_) => {
                        bad("日付が正しくありません（例: 2024-05-01）");
                        None
                    }
                },
                Phone => match PhoneNumber::parse(s) {
                    Ok(_) => Some(Value::String(s.into())),
                    Err(_) => {
                        bad("電話番号が正しくありません（例: 03-1234-5678）");
                        None
                    }
                },
                Digits(n) => {
                    // Full-width digits and IME hyphens read as typed (the one normaliser of `crate::typed`).
                    let digits: String = crate::typed::normalize_number(s)
                        .chars()
                        .filter(|c| *c != '-' && *c != ' ')
                        .collect();
                    if digits.len() == n && digits.chars().all(|c| c.is_ascii_digit()) {
                        Some(Value::String(digits))
                    } else {
                        bad(&format!("{n}桁の数字で入力してください"));
                        None
                    }
                }
                Choice(options) => {
                    if options.contains(&s) {
                        Some(Value::String(s.into()))
                    } else {
                        bad("選択肢にない値です");
                        None
                    }
                }
                _ => Some(Value::String(s.into())),
            }
        }
        Check => match value {
            Value::Bool(true) => Some(Value::Bool(true)),
            Value::Bool(false) => None,
            _ => {
                bad("形式が正しくありません");
                None
            }
        },
        Checks(options) => {
            let Some(items) = value.as_array() else {
                bad("形式が正しくありません");
                return None;
            };
            let mut picked = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(s) if options.contains(&s) => {
                        if !picked.contains(&s) {
                            picked.push(s);
                        }
                    }
                    _ => {
                        bad("選択肢にない値です");
                        return None;
                    }
                }
            }
            // Stored in the declared order.
            let ordered: Vec<Value> = options
                .iter()
                .filter(|o| picked.contains(o))
                .map(|o| Value::String((*o).into()))
                .collect();
            (!ordered.is_empty()).then_some(Value::Array(ordered))
        }
        List(item_fields) => {
            let Some(items) = value.as_array() else {
                bad("形式が正しくありません");
                return None;
            };
            if items.len() > LIST_MAX {
                bad(&format!("{LIST_MAX}件までです"));
                return None;
            }
            let out: Vec<Value> = items
                .iter()
                .enumerate()
                // A row left blank (an added row never filled) is dropped, not refused.
                .filter(|(_, item)| !is_blank(item))
                .map(|(i, item)| {
                    Value::Object(clean_object(
                        item_fields,
                        item,
                        &format!("{path}.{i}."),
                        today,
                        issues,
                    ))
                })
                .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
                .collect();
            (!out.is_empty()).then_some(Value::Array(out))
        }
    }
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(is_blank),
        Value::Object(o) => o.values().all(is_blank),
        _ => false,
    }
}

/// The labels of the fields whose stored values differ between two versions of a tab (for 記録).
pub fn changed_labels(tab: Tab, before: &Value, after: &Value) -> Vec<&'static str> {
    tab.fields()
        .iter()
        .filter(|f| before.get(f.key) != after.get(f.key))
        .map(|f| f.label)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 5, 10).unwrap()
    }

    #[test]
    fn keeps_only_non_empty_values_trimmed() {
        let v = clean(
            Tab::Id,
            &json!({"name": " 山田 太郎 ", "furigana": "", "sex": "男", "phone1": null}),
            today(),
        )
        .unwrap();
        assert_eq!(v, json!({"name": "山田 太郎", "sex": "男"}));
    }

    #[test]
    fn digits_typed_full_width_or_with_an_ime_hyphen_are_read() {
        for typed in [
            "１６０－００２３",
            "160ー0023",
            "１６００ ０２３",
            "160-0023",
        ] {
            let v = clean(
                Tab::Id,
                &json!({"name": "山田", "postal_code": typed}),
                today(),
            )
            .unwrap();
            assert_eq!(v["postal_code"], json!("1600023"), "{typed}");
        }
        let e = clean(
            Tab::Id,
            &json!({"name": "山田", "postal_code": "16ab023"}),
            today(),
        )
        .unwrap_err();
        assert_eq!(e[0].field, "postal_code");
    }

    #[test]
    fn name_is_required_in_id() {
        let e = clean(Tab::Id, &json!({"furigana": "ヤマダ"}), today()).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "name");
        assert!(e[0].message.contains("氏名"));
    }

    #[test]
    fn test_records_need_date_institution_result_and_test_1() {
        let e = clean(Tab::Tests, &json!({"tests": [{"lab": "A検査所"}]}), today()).unwrap_err();
        let fields: Vec<_> = e.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "tests.0.specimen_date",
                "tests.0.outpatient_institution",
                "tests.0.result",
                "tests.0.method1"
            ]
        );
        let ok = clean(
            Tab::Tests,
            &json!({"tests": [{"specimen_date": "2024-05-01", "outpatient_institution": "新宿クリニック",
                "result": "その他", "method1": TEST_METHODS[1], "specimen1": "唾液"}]}),
            today(),
        )
        .unwrap();
        assert_eq!(ok["tests"][0]["result"], "その他");
    }

    #[test]
    fn bad_values_are_named() {
        let e = clean(
            Tab::Medical,
            &json!({"admission_date": "2024-05-03", "discharge_date": "2024-05-01", "xray": "たぶん",
                "icu_from": "2024-13-01", "hospital": 5, "nonsense": "x"}),
            today(),
        )
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|i| i.field.as_str()).collect();
        for f in ["nonsense", "xray", "hospital", "icu_from", "discharge_date"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        assert!(clean(Tab::Basic, &json!([1, 2]), today()).is_err());
        assert!(clean(Tab::Id, &json!({"name": "a\u{0}b"}), today()).is_err());
        assert!(clean(Tab::Id, &json!({"name": "\u{202E}evil"}), today()).is_err());
        assert!(clean(
            Tab::Id,
            &json!({"name": "a", "note": "一行目\n二行目"}),
            today()
        )
        .is_ok());
        assert!(clean(Tab::Id, &json!({"contact_name": "a\nb"}), today()).is_err());
        assert!(clean(Tab::Id, &json!({"name": "あ".repeat(101)}), today()).is_err());
    }

    #[test]
    fn checklists_keep_the_declared_order_and_lists_drop_empty_rows() {
        let v = clean(
            Tab::Basic,
            &json!({"welfare": ["その他", "障害", "障害"]}),
            today(),
        )
        .unwrap();
        assert_eq!(v["welfare"], json!(["障害", "その他"]));
        let v = clean(
            Tab::Residence,
            &json!({"cohabitants": [{}, {"family_name": "山田", "close_contact": true}], "periods": []}),
            today(),
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"cohabitants": [{"family_name": "山田", "close_contact": true}]})
        );
    }

    #[test]
    fn test_choices_are_the_forms_labels() {
        use crate::notification::options::{DiagnosticMethod, Specimen, TestResult};
        let methods: Vec<_> = DiagnosticMethod::ALL.iter().map(|m| m.label()).collect();
        assert_eq!(methods, TEST_METHODS);
        let specimens: Vec<_> = Specimen::ALL.iter().map(|m| m.label()).collect();
        assert_eq!(specimens, SPECIMENS);
        for r in TEST_RESULT {
            assert!(TestResult::from_label(r).is_some());
        }
    }

    #[test]
    fn changed_labels_names_the_fields() {
        let a = json!({"name": "山田", "sex": "男"});
        let b = json!({"name": "山田", "sex": "女", "note": "x"});
        assert_eq!(changed_labels(Tab::Id, &a, &b), vec!["性別", "自由記述欄"]);
    }
}
