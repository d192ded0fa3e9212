//! Filing a notification and what follows it: the submit body and its result, possible duplicates, the clinic's
//! and the health center's lists, one record with its routing and history, transfer, the institution's header
//! data and doctor list.

use serde::{Deserialize, Serialize};

use crate::notification::options::CaseCategory;
use crate::notification::Notification;

/// `POST /api/notifications`. The key makes a repeated submit (double tap, retry after a lost answer) return the
/// first result instead of filing twice; the same key with a different notification is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRequest {
    /// 16–64 characters of `A–Z a–z 0–9 - _`, chosen by the client once per notification.
    pub idempotency_key: String,
    pub notification: Notification,
    /// Warning codes the user has seen and accepted (「このまま報告する」). Unacknowledged warnings refuse the filing.
    #[serde(default)]
    pub acknowledged_warnings: Vec<String>,
    /// A record created before the notification (manual 4.5) that this filing completes; the notification then
    /// takes the record's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
}

pub const IDEMPOTENCY_KEY_MIN: usize = 16;
pub const IDEMPOTENCY_KEY_MAX: usize = 64;

pub fn idempotency_key_ok(key: &str) -> bool {
    (IDEMPOTENCY_KEY_MIN..=IDEMPOTENCY_KEY_MAX).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Delivery of the notice e-mail to the health center.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Waiting to be sent (or retried after a failure, with backoff).
    Pending,
    Sent,
    /// Given up after the last retry; the notification is in the inbox regardless.
    Failed,
}

impl Delivery {
    pub fn label(self) -> &'static str {
        match self {
            Delivery::Pending => "通知メール送信待ち",
            Delivery::Sent => "通知メール送信済み",
            Delivery::Failed => "通知メール送信失敗（受信一覧には届いています）",
        }
    }
}

/// The answer to a filing (also to its repeats).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileResult {
    pub id: String,
    /// The notification number people quote (on the completion screen and the print).
    pub number: String,
    pub health_center_id: String,
    pub health_center_name: String,
    /// Why it went there (stored with the record).
    pub routing_reason: String,
    /// The residence's health center when it is another one (a transfer candidate).
    pub residence_health_center_name: Option<String>,
    pub delivery: Delivery,
    pub filed_at: i64,
    /// True when this answer repeats an earlier filing with the same key.
    pub replayed: bool,
}

/// `POST /api/notifications/duplicates`: the identifying fields typed so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DuplicateQuery {
    pub furigana: String,
    /// ISO date.
    pub date_of_birth: String,
    pub phone: String,
    /// The patient's municipality code, if known. Accepted but not used for now: a filing goes to the clinic's
    /// health center whatever the residence, so that is the health center whose records are searched.
    pub municipality_code: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateMatch {
    /// Same normalised furigana and date of birth.
    FuriganaAndBirth,
    /// Same phone number and date of birth.
    PhoneAndBirth,
}

impl DuplicateMatch {
    pub fn label(self) -> &'static str {
        match self {
            DuplicateMatch::FuriganaAndBirth => "フリガナと生年月日が一致",
            DuplicateMatch::PhoneAndBirth => "電話番号と生年月日が一致",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateCandidate {
    pub number: String,
    pub filed_at: i64,
    pub health_center_name: String,
    pub matched: DuplicateMatch,
    /// Present only when the user may open the record.
    pub id: Option<String>,
    /// Present only when the user may open the record.
    pub patient_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateList {
    pub candidates: Vec<DuplicateCandidate>,
}

/// One line of the clinic's list of its filings or the health center's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSummary {
    pub id: String,
    pub number: String,
    pub category: Option<CaseCategory>,
    pub patient_name: String,
    pub institution_name: String,
    pub health_center_name: String,
    pub filed_at: i64,
    /// When the current health center opened it (受理); `None` = unread.
    pub received_at: Option<i64>,
}

/// `GET /api/notifications`: a clinic's own filings, newest first; a health center's inbox, unread first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationList {
    pub items: Vec<NotificationSummary>,
    pub unread: u32,
}

/// One entry of a record's routing history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingEvent {
    /// `routed`, `received` or `transferred`.
    pub kind: String,
    pub at: i64,
    pub health_center_name: String,
    /// The other health center of a transfer (where it came from).
    pub from_health_center_name: Option<String>,
    pub actor_name: String,
    pub reason: String,
}

/// `GET /api/notifications/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationRecord {
    pub id: String,
    pub number: String,
    pub notification: Notification,
    pub institution_name: String,
    pub filed_by_name: String,
    pub filed_at: i64,
    pub health_center_id: String,
    pub health_center_name: String,
    pub routing_reason: String,
    /// The residence's health center when routing noted one: a transfer may go there even in another prefecture.
    #[serde(default)]
    pub residence_health_center_id: Option<String>,
    pub residence_health_center_name: Option<String>,
    pub received_at: Option<i64>,
    pub received_by_name: Option<String>,
    pub delivery: Delivery,
    pub history: Vec<RoutingEvent>,
    /// Whether this user may transfer it (staff of its current health center).
    pub can_transfer: bool,
}

/// `POST /api/notifications/{id}/transfer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    pub health_center_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCenterOption {
    pub id: String,
    pub name: String,
    /// Whether notice e-mails reach it (a transfer to one without is warned about when it is made).
    #[serde(default)]
    pub has_email: bool,
    /// Its phone as the directory holds it, or empty.
    #[serde(default)]
    pub phone: String,
}

/// `POST /api/notifications/{id}/transfer` answers where the record went and whether the new health center gets the
/// notice e-mail; when it has no address (`email_missing`), staff call it (`phone`, empty when none is known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferResult {
    pub health_center_id: String,
    pub health_center_name: String,
    pub email_missing: bool,
    pub phone: String,
}

/// `GET /api/health-centers`: transfer targets in the user's prefecture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCenterList {
    pub health_centers: Vec<HealthCenterOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doctor {
    pub id: String,
    pub name: String,
}

/// `GET /api/institution`: the header of the form (届出者) and the institution's doctor list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionProfile {
    pub name: String,
    pub address: String,
    pub phone: String,
    /// The signed-in user's name when they are a doctor (the default 医師の氏名).
    pub own_doctor_name: Option<String>,
    pub doctors: Vec<Doctor>,
}

/// `POST /api/institution/doctors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddDoctorRequest {
    pub name: String,
}

/// `GET /api/me/draft-key`: the key that encrypts this user's drafts on the device (AES-256-GCM, base64url).
/// Held by the server so that a draft left on a device is unreadable without signing in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftKey {
    pub key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_bounded_and_plain() {
        assert!(idempotency_key_ok("abcdefghijklmnop"));
        assert!(idempotency_key_ok(&"a".repeat(64)));
        assert!(!idempotency_key_ok(&"a".repeat(15)));
        assert!(!idempotency_key_ok(&"a".repeat(65)));
        assert!(!idempotency_key_ok("abcdefghijklmno/"));
        assert!(!idempotency_key_ok("ａbcdefghijklmnop"));
    }

    #[test]
    fn file_request_refuses_unknown_members() {
        let ok = r#"{"idempotency_key":"k","notification":{"version":"2021-11-29"}}"#;
        assert!(serde_json::from_str::<FileRequest>(ok).is_ok());
        let bad = r#"{"idempotency_key":"k","notification":{"version":"2021-11-29"},"x":1}"#;
        assert!(serde_json::from_str::<FileRequest>(bad).is_err());
    }
}
