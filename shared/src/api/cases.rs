//! The patient records (登録情報): search list, one record with its tabs, status record, edits with a version
//! check, recoverable delete, and records created before a notification (manual 4.3–5.2).
//!
//! Searches are `POST` with a JSON body: criteria are personal data and never go into a URL.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::case::status::{CaseStatus, PlaceCategory};
use crate::case::tabs::Tab;
use crate::notification::options::{CaseCategory, Severity};
use crate::notification::Notification;

/// The criteria of 登録情報一覧. Blank (or absent) criteria do not narrow the search; all blank finds every record
/// the user may see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchCriteria {
    /// Prefix of the name (spaces ignored).
    pub name: String,
    /// Prefix of the furigana in any kana form (hiragana, half-width, katakana).
    pub furigana: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// Any of the person's phone numbers, digits compared.
    pub phone: String,
    /// Two-digit prefecture code.
    pub pref_code: String,
    pub category: Option<CaseCategory>,
    pub status: Option<CaseStatus>,
    pub smartphone_id: String,
    pub hc_own_id: String,
    /// Filing (or, before filing, registration) date range, `YYYY-MM-DD`, inclusive, JST.
    pub filed_from: String,
    pub filed_to: String,
    pub health_center_id: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Newest first.
    #[default]
    FiledDesc,
    FiledAsc,
    /// By furigana (then name).
    Name,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchRequest {
    pub criteria: SearchCriteria,
    pub sort: SortKey,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub const PAGE_SIZE: u32 = 50;
/// Counts stop here (「10,000件以上」): counting further would cost every search.
pub const COUNT_CAP: u32 = 10_000;

/// One row of the search list (the manual's columns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: String,
    pub smartphone_id: String,
    pub name: String,
    pub furigana: String,
    pub sex: Option<String>,
    pub date_of_birth: Option<String>,
    /// 確定日 (diagnosis date) and 発病年月日 from the notification.
    pub diagnosed_on: Option<String>,
    pub onset_on: Option<String>,
    pub category: Option<CaseCategory>,
    pub status: Option<CaseStatus>,
    /// 居所 (municipality and town as written).
    pub residence: String,
    pub health_center_name: String,
    pub hc_own_id: String,
    /// Filed (or registered, when `filed` is false) at, ms since the epoch.
    pub filed_at: i64,
    pub filed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResult {
    pub items: Vec<CaseSummary>,
    /// Matches in all, up to [`COUNT_CAP`].
    pub count: u32,
    pub count_capped: bool,
    pub next_cursor: Option<String>,
}

/// One entry of the status record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    pub seq: i64,
    pub status: CaseStatus,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub place: Option<PlaceCategory>,
    pub severity: Option<Severity>,
    pub comment: String,
    pub by_name: String,
    pub at: i64,
    /// Withdrawn (取消) as a mistake: kept, struck through, not current.
    pub withdrawn: bool,
}

/// `POST /api/cases/{id}/status`: health-center staff record the next state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub version: i64,
    pub status: CaseStatus,
    pub date: String,
    #[serde(default)]
    pub place: Option<PlaceCategory>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub comment: String,
}

/// `POST /api/cases/{id}/status/withdraw`: withdraw the latest entry (a mistake).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusWithdraw {
    pub version: i64,
    pub seq: i64,
}

/// One line of 記録's change history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEntry {
    pub at: i64,
    pub by_name: String,
    /// What changed, in Japanese (「ID管理: 性別、自由記述欄」, 「発生届を編集」, 「削除」, 「復元」).
    pub what: String,
    /// The record's version after the change.
    pub version: i64,
}

/// `GET /api/cases/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub id: String,
    /// Checked by every write (`version` of the request); bumped by each.
    pub version: i64,
    pub smartphone_id: String,
    pub name: String,
    pub furigana: String,
    pub sex: Option<String>,
    pub date_of_birth: Option<String>,
    pub category: Option<CaseCategory>,
    pub status: Option<CaseStatus>,
    pub residence: String,
    pub health_center_id: String,
    pub health_center_name: String,
    /// The managing health center's phone (the slip), empty when none is known.
    #[serde(default)]
    pub health_center_phone: String,
    pub institution_name: Option<String>,
    pub created_at: i64,
    pub filed_at: Option<i64>,
    /// Whether a notification is filed (its id is this record's id: `GET /api/notifications/{id}`).
    pub has_notification: bool,
    /// The tabs' stored data, by tab (`id`, `basic`, `tests`, `residence`, `medical`).
    pub tabs: serde_json::Map<String, Value>,
    pub status_entries: Vec<StatusEntry>,
    pub history: Vec<ChangeEntry>,
    pub updated_at: i64,
    pub updated_by_name: String,
    pub deleted_at: Option<i64>,
    pub can_edit: bool,
    pub can_change_status: bool,
    pub can_delete: bool,
    pub can_file: bool,
    /// The filing clinic may no longer delete it: a health center has accepted its notification and manages it
    /// (the app says whom to ask instead of offering 削除).
    #[serde(default)]
    pub delete_asks_health_center: bool,
}

/// `PUT /api/cases/{id}/tabs/{tab}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TabUpdate {
    pub version: i64,
    pub data: Value,
}

/// `PUT /api/cases/{id}/notification`: edit the filed notification (re-validated like a filing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationEdit {
    pub version: i64,
    pub notification: Notification,
    #[serde(default)]
    pub acknowledged_warnings: Vec<String>,
}

/// `POST /api/cases/{id}/delete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    pub version: i64,
}

/// `POST /api/cases` (発生届の提出前に使用, manual 4.5): ID管理 data (氏名 required) and the health center in charge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCase {
    /// 16–64 characters chosen by the client once; a repeat returns the first record.
    pub idempotency_key: String,
    pub health_center_id: String,
    pub id: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    pub id: String,
    pub smartphone_id: String,
    pub replayed: bool,
}

/// The answer to a write refused because the record changed since the caller read it (`EDIT_CONFLICT`): who
/// changed it, when, what, and the record as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditConflict {
    pub version: i64,
    pub updated_at: i64,
    pub updated_by_name: String,
    /// The changes made since the caller's version, newest last.
    pub changes: Vec<ChangeEntry>,
}

/// `GET /api/cases/deleted`: deleted records of the administrator's area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedCase {
    pub summary: CaseSummary,
    pub deleted_at: i64,
    pub deleted_by_name: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedList {
    pub items: Vec<DeletedCase>,
}

/// Which tab a path names.
pub fn tab_from_path(s: &str) -> Option<Tab> {
    Tab::parse(s)
}
