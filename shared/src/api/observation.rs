//! Health observation over HTTP: the person's own phone (`/api/observe/*`, a session limited to their daily report)
//! and the health center's side (`/api/cases/{id}/observation`, `/api/observation/alerts`, `/api/dashboard`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::case::status::CaseStatus;
use crate::observation::{Answer, Kind, Report, ReportIssue, Rule, Slot};

// ---- the person's phone -----------------------------------------------------------------------------------

/// `POST /api/observe/signin`: possession of the slip (スマホ入力ID) and knowledge of the birth date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObserveSignIn {
    pub smartphone_id: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
}

/// One person this phone reports for: the holder, then household members the health center linked (同居者).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedPerson {
    /// The record's opaque id (the phone names the person by it when reporting).
    pub id: String,
    /// 名 only (enough to tell household members apart on a shared phone).
    pub given_name: String,
    pub kind: Kind,
    /// Last day of the observation, `YYYY-MM-DD`.
    pub ends_on: String,
    /// Slots already reported today and yesterday: `YYYY-MM-DD/morning`.
    pub reported: Vec<String>,
}

/// `GET /api/observe/me` (and the sign-in's answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObserveMe {
    pub people: Vec<ObservedPerson>,
    pub health_center_name: String,
    /// The managing health center's phone (the urgent box's tap-to-call link), empty when none is known.
    #[serde(default)]
    pub health_center_phone: String,
    /// Today in JST and the slot a report typed now is for.
    pub today: String,
    pub slot_now: Slot,
    /// Whether a passkey is registered for this person (sign-in without the slip next time).
    pub has_passkey: bool,
}

/// One report as the phone uploads it; `client_id` makes a resend harmless.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportUpload {
    /// 8–64 characters `[A-Za-z0-9_-]`, made on the phone.
    pub client_id: String,
    /// An [`ObservedPerson::id`].
    pub person: String,
    #[serde(flatten)]
    pub report: Report,
}

/// `POST /api/observe/reports`: up to [`REPORT_BATCH_MAX`] reports (the offline queue sends all at once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportBatch {
    pub reports: Vec<ReportUpload>,
}

pub const REPORT_BATCH_MAX: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportOutcome {
    /// Stored now, or stored before under this `client_id` (a resend).
    Accepted,
    /// Not stored: `issues` say why; the phone keeps it for the person to correct.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportResult {
    pub client_id: String,
    pub outcome: ReportOutcome,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<ReportIssue>,
    /// The answers include a red flag: the phone tells the person to call the health center (or 119) now.
    #[serde(default)]
    pub urgent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportBatchAnswer {
    pub results: Vec<ReportResult>,
}

// ---- the health center ------------------------------------------------------------------------------------

/// `POST /api/cases/{id}/observation`: start (or change) the observation of a record; issues its スマホ入力ID for use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartObservation {
    pub kind: Kind,
    /// First day, `YYYY-MM-DD` (JST); may be in the past when observation by phone began earlier.
    pub started_on: String,
    /// Last day; blank: [`Kind::default_days`] from the start.
    #[serde(default)]
    pub ends_on: String,
    /// 同居者: the スマホ入力ID of the household member whose phone reports for this person; blank: their own.
    #[serde(default)]
    pub household_of: String,
}

/// The record a household member reports through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedRecord {
    pub id: String,
    pub name: String,
    pub smartphone_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservationInfo {
    pub kind: Kind,
    pub started_on: String,
    pub ends_on: String,
    /// Stopped by the health center (a stopped observation raises no missed check-ins; reports are refused).
    pub stopped: bool,
    /// The phone holder this person reports through (同居者), if not their own.
    pub household_of: Option<LinkedRecord>,
    /// Household members who report through this person's phone.
    pub members: Vec<LinkedRecord>,
}

/// One stored report as the 健康観察 tab shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub id: String,
    pub date: String,
    pub slot: Slot,
    pub temperature: Option<f64>,
    pub spo2: Option<u8>,
    pub answers: BTreeMap<String, Answer>,
    pub reported_at: i64,
    /// The kind the person was observed as when reporting (which items and colours apply).
    pub kind: Kind,
}

/// One alert of the triage queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertView {
    pub id: String,
    pub case_id: String,
    pub case_name: String,
    pub smartphone_id: String,
    /// The person's phone (the queue card's tap-to-call link), only to staff who manage the record, as for the
    /// スマホ入力ID; empty otherwise or when none is known.
    #[serde(default)]
    pub phone: String,
    pub rule: Rule,
    pub urgency: u8,
    /// The report's (or the missed slot's) date and slot.
    pub date: String,
    pub slot: Slot,
    /// What tripped it, e.g. 「SpO₂ 92%」, or for a missed check-in the slot owed (「朝の報告（12時まで）」).
    pub detail: String,
    pub raised_at: i64,
    pub handled_at: Option<i64>,
    pub handled_by_name: Option<String>,
    pub note: Option<String>,
}

/// `GET /api/cases/{id}/observation`: the 健康観察 tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservationView {
    pub observation: Option<ObservationInfo>,
    /// Newest first.
    pub reports: Vec<ReportView>,
    /// Waiting first, then handled; newest first within each.
    pub alerts: Vec<AlertView>,
    /// The caller may start, change or stop the observation and handle alerts (the health center's staff).
    pub can_manage: bool,
}

/// `GET /api/observation/alerts`: the triage queue, most urgent and oldest first, waiting only unless asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertQueue {
    pub alerts: Vec<AlertView>,
    pub waiting: u32,
}

/// `POST /api/observation/alerts/{id}/handle`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandleAlert {
    /// What was done (e.g. 「電話で確認、入院調整へ」): 1–500 characters.
    pub note: String,
}

pub const NOTE_MAX_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    /// `None`: no status recorded yet.
    pub status: Option<CaseStatus>,
    pub count: u32,
}

/// `GET /api/dashboard`: the health center's (or prefecture's) overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Area name (保健所 or 都道府県).
    pub area: String,
    /// Cases by 確定日 (or filing date) for the last [`CURVE_DAYS`] days, oldest first, every day present.
    pub curve: Vec<DayCount>,
    pub statuses: Vec<StatusCount>,
    /// Observations running today.
    pub observing: u32,
    /// Of those, how many owe a report whose due hour has passed.
    pub overdue: u32,
    pub alerts_waiting: u32,
    /// Waiting alerts of the top urgency (緊急).
    pub urgent_waiting: u32,
}

pub const CURVE_DAYS: usize = 28;
