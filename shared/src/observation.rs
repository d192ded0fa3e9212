//! Health observation (健康観察, manual 5.2-4): the items a person reports each morning and evening from their own
//! phone, how a report is checked, and the triage rules that turn answers (and missing answers) into alerts for the
//! health center. Pure: the edge stores and sweeps, the app asks and shows; both use these rules.
//!
//! Sources. The manual says only that a contact's tab shows **4 items** (present ones blue) and a patient's **9 items**
//! (present red, unknown yellow, absent not shown). The 9 patient items are those named by the issue that asked for
//! this (表情・顔色, 咳・鼻水, 息苦しさ, 全身倦怠感, 嘔気・嘔吐, 下痢, 意識障害, 食事困難, 排尿がない). The manual does not
//! name the 4 contact items; we assume the common symptoms a contact watches for (咳・鼻水, のどの痛み, 息苦しさ,
//! 全身倦怠感) with 体温 asked separately: change [`CONTACT_ITEMS`] if the official list differs. Red-flag rules follow
//! MHLW's 「緊急性の高い症状」 list (顔色, 息苦しさ, 意識) and the SpO₂ ≤ 93 % line of the 診療の手引き (中等症Ⅱ).

use chrono::{Duration, NaiveDate, TimeZone, Timelike};
use serde::{Deserialize, Serialize};

use crate::drive::jst_date;

/// Who is observed: a patient (9 items) or a close contact (4 items).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Patient,
    Contact,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Patient => "patient",
            Kind::Contact => "contact",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::Patient, Kind::Contact]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Kind::Patient => "感染者",
            Kind::Contact => "濃厚接触者",
        }
    }
    /// The symptom items this kind answers, in the order they are asked and shown.
    pub fn items(self) -> &'static [Item] {
        match self {
            Kind::Patient => &PATIENT_ITEMS,
            Kind::Contact => &CONTACT_ITEMS,
        }
    }
    /// How many days an observation lasts unless the health center sets its end.
    pub fn default_days(self) -> i64 {
        match self {
            Kind::Patient => 10,
            Kind::Contact => 14,
        }
    }
}

/// One symptom item: its stable key, its label on the 健康観察 tab, and the question on the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub key: &'static str,
    pub label: &'static str,
    pub question: &'static str,
}

const fn item(key: &'static str, label: &'static str, question: &'static str) -> Item {
    Item {
        key,
        label,
        question,
    }
}

/// The patient's 9 items.
pub const PATIENT_ITEMS: [Item; 9] = [
    item(
        "face",
        "表情・顔色",
        "顔色が明らかに悪い、唇が紫色、いつもと様子が違うなど、表情や顔色に異常がありますか？",
    ),
    item("cough", "咳・鼻水", "咳や鼻水がありますか？"),
    item(
        "dyspnea",
        "息苦しさ",
        "息苦しさがありますか？（少し動くと息があがる、横になれないなど）",
    ),
    item(
        "fatigue",
        "全身倦怠感",
        "全身のだるさ（倦怠感）がありますか？",
    ),
    item("nausea", "嘔気・嘔吐", "吐き気がある、または吐きましたか？"),
    item("diarrhea", "下痢", "下痢がありますか？"),
    item(
        "consciousness",
        "意識障害",
        "ぼんやりしている、返事がないなど、意識がおかしいことがありますか？",
    ),
    item("cannot_eat", "食事困難", "食事がとれないことがありますか？"),
    item(
        "no_urine",
        "排尿がない",
        "半日以上おしっこが出ていませんか？（出ていない場合は「はい」）",
    ),
];

/// The contact's 4 items (an assumption: see the module's sources).
pub const CONTACT_ITEMS: [Item; 4] = [
    item("cough", "咳・鼻水", "咳や鼻水がありますか？"),
    item("sore_throat", "のどの痛み", "のどの痛みがありますか？"),
    item("dyspnea", "息苦しさ", "息苦しさがありますか？"),
    item(
        "fatigue",
        "全身倦怠感",
        "全身のだるさ（倦怠感）がありますか？",
    ),
];

/// An answer to one item: the manual's three states (該当 / 非該当 / 不明).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Yes,
    No,
    Unknown,
}

impl Answer {
    pub fn label(self) -> &'static str {
        match self {
            Answer::Yes => "はい",
            Answer::No => "いいえ",
            Answer::Unknown => "わからない",
        }
    }
}

/// Morning or evening report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    Morning,
    Evening,
}

impl Slot {
    pub const ALL: [Slot; 2] = [Slot::Morning, Slot::Evening];
    pub fn as_str(self) -> &'static str {
        match self {
            Slot::Morning => "morning",
            Slot::Evening => "evening",
        }
    }
    pub fn parse(s: &str) -> Option<Slot> {
        Slot::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Slot::Morning => "朝",
            Slot::Evening => "夕",
        }
    }
    /// The JST hour by which this slot's report is due; after it a missing report raises an alert.
    pub fn due_hour(self) -> u32 {
        match self {
            Slot::Morning => MORNING_DUE_HOUR,
            Slot::Evening => EVENING_DUE_HOUR,
        }
    }
    /// The slot a report typed at this JST hour is for (morning until 15:00).
    pub fn at_hour(hour: u32) -> Slot {
        if hour < 15 {
            Slot::Morning
        } else {
            Slot::Evening
        }
    }
}

/// Morning reports are due by 12:00 JST, evening ones by 20:00 JST.
pub const MORNING_DUE_HOUR: u32 = 12;
pub const EVENING_DUE_HOUR: u32 = 20;
/// A report may be for today or up to this many days back (typed offline, sent late); never the future.
pub const LATE_DAYS: i64 = 2;
/// Plausible ranges: anything outside is a typing error, refused with the range in the message.
pub const TEMPERATURE_MIN: f64 = 34.0;
pub const TEMPERATURE_MAX: f64 = 42.0;
pub const SPO2_MIN: u8 = 70;
pub const SPO2_MAX: u8 = 100;

/// One daily report as the phone sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// JST date `YYYY-MM-DD` the report is for.
    pub date: String,
    pub slot: Slot,
    /// Body temperature in °C, one decimal; `None`: not measured.
    #[serde(default)]
    pub temperature: Option<f64>,
    /// SpO₂ in %; `None`: no pulse oximeter.
    #[serde(default)]
    pub spo2: Option<u8>,
    /// Every item of the person's kind, by key.
    pub answers: std::collections::BTreeMap<String, Answer>,
}

/// A problem with a report: the field and a Japanese message for the person typing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportIssue {
    pub field: String,
    pub message: String,
}

fn issue(field: &str, message: impl Into<String>) -> ReportIssue {
    ReportIssue {
        field: field.into(),
        message: message.into(),
    }
}

/// Temperature in tenths of a degree (what D1 stores: exact).
pub fn temperature_tenths(t: f64) -> i64 {
    (t * 10.0).round() as i64
}

/// Checks a report of `kind` sent on JST date `today`: every problem, or none.
pub fn check(kind: Kind, report: &Report, today: NaiveDate) -> Vec<ReportIssue> {
    let mut issues = Vec::new();
    match NaiveDate::parse_from_str(&report.date, "%Y-%m-%d") {
        Ok(d) if d > today => issues.push(issue("date", "未来の日付の報告はできません")),
        Ok(d) if (today - d).num_days() > LATE_DAYS => issues.push(issue(
            "date",
            format!("{LATE_DAYS}日より前の報告は送れません。保健所に電話でお伝えください"),
        )),
        Ok(_) => {}
        Err(_) => issues.push(issue("date", "日付の形式が正しくありません")),
    }
    if let Some(t) = report.temperature {
        if !t.is_finite() || !(TEMPERATURE_MIN..=TEMPERATURE_MAX).contains(&t) {
            issues.push(issue(
                "temperature",
                format!(
                    "体温は{TEMPERATURE_MIN:.1}〜{TEMPERATURE_MAX:.1}℃の範囲で入力してください"
                ),
            ));
        }
    }
    if let Some(s) = report.spo2 {
        if !(SPO2_MIN..=SPO2_MAX).contains(&s) {
            issues.push(issue(
                "spo2",
                format!("SpO₂は{SPO2_MIN}〜{SPO2_MAX}%の範囲で入力してください"),
            ));
        }
    }
    let items = kind.items();
    for it in items {
        if !report.answers.contains_key(it.key) {
            issues.push(issue(it.key, format!("「{}」に回答してください", it.label)));
        }
    }
    for key in report.answers.keys() {
        if !items.iter().any(|it| it.key == key) {
            issues.push(issue(key, "この項目は報告の対象ではありません"));
        }
    }
    issues
}

/// Parses a typed temperature (全角 digits and a comma allowed): `Some(°C)` or `None` if it is not a number.
pub fn parse_temperature(text: &str) -> Option<f64> {
    let t: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '．' | ',' | '，' => '.',
            c => c,
        })
        .collect();
    let v: f64 = t.parse().ok()?;
    v.is_finite().then(|| (v * 10.0).round() / 10.0)
}

/// The triage rules. Each has a stable code (stored and sent), a label and an urgency (3 most urgent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// SpO₂ ≤ 93 % (中等症Ⅱ).
    Spo2Low,
    /// 息苦しさ answered はい.
    Dyspnea,
    /// 意識障害 answered はい.
    Consciousness,
    /// 表情・顔色 answered はい.
    FaceColor,
    /// 食事困難 answered はい.
    CannotEat,
    /// 排尿がない answered はい.
    NoUrine,
    /// 体温 ≥ 38.5 ℃.
    HighFever,
    /// A contact reports a symptom or 体温 ≥ 37.5 ℃ (to be tested).
    ContactSymptom,
    /// No report by the slot's due hour.
    MissedCheckIn,
}

pub const SPO2_ALERT_AT_OR_BELOW: u8 = 93;
pub const HIGH_FEVER_TENTHS: i64 = 385;
pub const CONTACT_FEVER_TENTHS: i64 = 375;

impl Rule {
    pub const ALL: [Rule; 9] = [
        Rule::Spo2Low,
        Rule::Dyspnea,
        Rule::Consciousness,
        Rule::FaceColor,
        Rule::CannotEat,
        Rule::NoUrine,
        Rule::HighFever,
        Rule::ContactSymptom,
        Rule::MissedCheckIn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Spo2Low => "spo2_low",
            Rule::Dyspnea => "dyspnea",
            Rule::Consciousness => "consciousness",
            Rule::FaceColor => "face_color",
            Rule::CannotEat => "cannot_eat",
            Rule::NoUrine => "no_urine",
            Rule::HighFever => "high_fever",
            Rule::ContactSymptom => "contact_symptom",
            Rule::MissedCheckIn => "missed_check_in",
        }
    }
    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Rule::Spo2Low => "SpO₂ 93%以下",
            Rule::Dyspnea => "息苦しさあり",
            Rule::Consciousness => "意識障害あり",
            Rule::FaceColor => "表情・顔色の異常",
            Rule::CannotEat => "食事困難",
            Rule::NoUrine => "排尿がない",
            Rule::HighFever => "38.5℃以上の発熱",
            Rule::ContactSymptom => "接触者に症状あり",
            Rule::MissedCheckIn => "報告がありません",
        }
    }
    /// 3: 緊急 (call now), 2: 至急, 1: 要確認.
    pub fn urgency(self) -> u8 {
        match self {
            Rule::Spo2Low | Rule::Dyspnea | Rule::Consciousness => 3,
            Rule::FaceColor | Rule::CannotEat | Rule::NoUrine => 2,
            Rule::HighFever | Rule::ContactSymptom | Rule::MissedCheckIn => 1,
        }
    }
}

/// The label of an urgency level.
pub fn urgency_label(u: u8) -> &'static str {
    match u {
        3.. => "緊急",
        2 => "至急",
        _ => "要確認",
    }
}

/// The rules a report of `kind` trips, most urgent first.
pub fn triage(kind: Kind, report: &Report) -> Vec<Rule> {
    let yes = |key: &str| report.answers.get(key) == Some(&Answer::Yes);
    let tenths = report.temperature.map(temperature_tenths);
    let mut hits = Vec::new();
    if report.spo2.is_some_and(|s| s <= SPO2_ALERT_AT_OR_BELOW) {
        hits.push(Rule::Spo2Low);
    }
    if yes("dyspnea") {
        hits.push(Rule::Dyspnea);
    }
    match kind {
        Kind::Patient => {
            for (key, rule) in [
                ("consciousness", Rule::Consciousness),
                ("face", Rule::FaceColor),
                ("cannot_eat", Rule::CannotEat),
                ("no_urine", Rule::NoUrine),
            ] {
                if yes(key) {
                    hits.push(rule);
                }
            }
            if tenths.is_some_and(|t| t >= HIGH_FEVER_TENTHS) {
                hits.push(Rule::HighFever);
            }
        }
        Kind::Contact => {
            let symptom = CONTACT_ITEMS.iter().any(|it| yes(it.key));
            if symptom || tenths.is_some_and(|t| t >= CONTACT_FEVER_TENTHS) {
                hits.push(Rule::ContactSymptom);
            }
        }
    }
    hits.sort_by_key(|r| std::cmp::Reverse(r.urgency()));
    hits
}

/// The (date, slot) pairs of today and yesterday (JST) whose due hour has passed at `now_ms`, within an observation
/// running from `start` to `end` (inclusive JST dates): the slots a report is owed for.
pub fn due_slots(start: NaiveDate, end: NaiveDate, now_ms: i64) -> Vec<(NaiveDate, Slot)> {
    let Some(now) = chrono::FixedOffset::east_opt(9 * 3600)
        .and_then(|tz| tz.timestamp_millis_opt(now_ms).single())
    else {
        return Vec::new();
    };
    let today = now.date_naive();
    let mut out = Vec::new();
    for date in [today - Duration::days(1), today] {
        if date < start || date > end {
            continue;
        }
        for slot in Slot::ALL {
            if date < today || now.hour() >= slot.due_hour() {
                out.push((date, slot));
            }
        }
    }
    out
}

/// JST date of an instant, as `YYYY-MM-DD`.
pub fn jst_day(ms: i64) -> String {
    jst_date(ms).map(|d| d.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn report(kind: Kind, yes: &[&str]) -> Report {
        let answers: BTreeMap<String, Answer> = kind
            .items()
            .iter()
            .map(|it| {
                let a = if yes.contains(&it.key) {
                    Answer::Yes
                } else {
                    Answer::No
                };
                (it.key.to_owned(), a)
            })
            .collect();
        Report {
            date: "2026-12-05".into(),
            slot: Slot::Morning,
            temperature: Some(36.6),
            spo2: Some(98),
            answers,
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_manual_counts_items() {
        assert_eq!(Kind::Patient.items().len(), 9);
        assert_eq!(Kind::Contact.items().len(), 4);
        let keys: std::collections::HashSet<_> = PATIENT_ITEMS.iter().map(|i| i.key).collect();
        assert_eq!(keys.len(), 9, "keys are unique");
    }

    #[test]
    fn a_calm_report_trips_nothing() {
        assert!(triage(Kind::Patient, &report(Kind::Patient, &[])).is_empty());
        assert!(triage(Kind::Contact, &report(Kind::Contact, &[])).is_empty());
        // Symptoms that are not red flags alone.
        assert!(triage(Kind::Patient, &report(Kind::Patient, &["cough", "fatigue"])).is_empty());
    }

    #[test]
    fn red_flags_trip_their_rules_most_urgent_first() {
        let mut r = report(Kind::Patient, &["no_urine", "dyspnea", "consciousness"]);
        r.spo2 = Some(93);
        let hits = triage(Kind::Patient, &r);
        assert_eq!(
            hits,
            vec![
                Rule::Spo2Low,
                Rule::Dyspnea,
                Rule::Consciousness,
                Rule::NoUrine
            ]
        );
        r.spo2 = Some(94);
        assert!(!triage(Kind::Patient, &r).contains(&Rule::Spo2Low));
        let mut f = report(Kind::Patient, &[]);
        f.temperature = Some(38.5);
        assert_eq!(triage(Kind::Patient, &f), vec![Rule::HighFever]);
        f.temperature = Some(38.4);
        assert!(triage(Kind::Patient, &f).is_empty());
    }

    #[test]
    fn a_contact_with_a_symptom_or_fever_is_flagged() {
        assert_eq!(
            triage(Kind::Contact, &report(Kind::Contact, &["sore_throat"])),
            vec![Rule::ContactSymptom]
        );
        let mut r = report(Kind::Contact, &[]);
        r.temperature = Some(37.5);
        assert_eq!(triage(Kind::Contact, &r), vec![Rule::ContactSymptom]);
        let d = report(Kind::Contact, &["dyspnea"]);
        assert_eq!(
            triage(Kind::Contact, &d),
            vec![Rule::Dyspnea, Rule::ContactSymptom]
        );
    }

    #[test]
    fn reports_are_checked_item_by_item() {
        let today = day("2026-12-05");
        assert!(check(Kind::Patient, &report(Kind::Patient, &[]), today).is_empty());
        let mut r = report(Kind::Patient, &[]);
        r.answers.remove("diarrhea");
        r.answers.insert("sore_throat".into(), Answer::No);
        r.temperature = Some(45.0);
        r.spo2 = Some(40);
        r.date = "2026-12-06".into();
        let fields: Vec<_> = check(Kind::Patient, &r, today)
            .into_iter()
            .map(|i| i.field)
            .collect();
        assert_eq!(
            fields,
            ["date", "temperature", "spo2", "diarrhea", "sore_throat"]
        );
        r.date = "2026-12-02".into();
        assert_eq!(check(Kind::Patient, &r, today)[0].field, "date");
        r.date = "2026-12-03".into();
        assert_ne!(check(Kind::Patient, &r, today)[0].field, "date");
    }

    #[test]
    fn temperatures_are_read_as_typed() {
        assert_eq!(parse_temperature("36.5"), Some(36.5));
        assert_eq!(parse_temperature("３７．２"), Some(37.2));
        assert_eq!(parse_temperature("37,8"), Some(37.8));
        assert_eq!(parse_temperature("abc"), None);
        assert_eq!(temperature_tenths(37.45), 375);
    }

    #[test]
    fn slots_fall_due_at_their_hours() {
        // 2026-12-05 11:59 JST = 02:59 UTC.
        let at = |h: u32, m: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 12, 5)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis()
                - 9 * 3_600_000
        };
        let (d4, d5) = (day("2026-12-04"), day("2026-12-05"));
        assert_eq!(due_slots(d5, d5, at(11, 59)), vec![]);
        assert_eq!(due_slots(d5, d5, at(12, 0)), vec![(d5, Slot::Morning)]);
        assert_eq!(
            due_slots(d4, d5, at(20, 0)),
            vec![
                (d4, Slot::Morning),
                (d4, Slot::Evening),
                (d5, Slot::Morning),
                (d5, Slot::Evening)
            ]
        );
        // Ended yesterday: only yesterday's slots.
        assert_eq!(due_slots(d4, d4, at(23, 0)).len(), 2);
        assert_eq!(Slot::at_hour(14), Slot::Morning);
        assert_eq!(Slot::at_hour(15), Slot::Evening);
    }
}
