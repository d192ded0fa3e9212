//! Account administration by health-center administrators: `/api/admin/*`.

use serde::{Deserialize, Serialize};

use crate::auth::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: String,
    pub login_id: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub area_name: String,
    pub institution_id: Option<String>,
    /// "active" or "deactivated".
    pub status: String,
    pub locked: bool,
    pub must_change_password: bool,
    pub credential_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountList {
    pub accounts: Vec<AccountSummary>,
}

/// How the new user gets in: a password shown once to the administrator, or a single-use invitation link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    InitialPassword,
    Invitation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAccountRequest {
    pub login_id: String,
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    pub role: Role,
    /// Required for clinic roles: an institution in the administrator's area.
    #[serde(default)]
    pub institution_id: Option<String>,
    pub delivery: Delivery,
}

/// Shown once: the initial password or the invitation path (`/invite#<token>`; the token stays in the fragment,
/// which browsers never send to a server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedAccess {
    pub account: AccountSummary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_path: Option<String>,
    /// Unix milliseconds when the invitation stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_expires_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountAction {
    Lock,
    Unlock,
    /// New initial password, keys and recovery codes revoked, sessions ended.
    Reset,
    Deactivate,
    Reactivate,
}

impl AccountAction {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "lock" => Some(Self::Lock),
            "unlock" => Some(Self::Unlock),
            "reset" => Some(Self::Reset),
            "deactivate" => Some(Self::Deactivate),
            "reactivate" => Some(Self::Reactivate),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Institution {
    pub id: String,
    pub name: String,
    pub address: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionList {
    pub institutions: Vec<Institution>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateInstitutionRequest {
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}

/// One audit entry as administrators see it (no personal data is ever in an entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: i64,
    pub actor_user_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub client_address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    /// Pass as `before` for the next (older) page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    pub entries: i64,
    pub valid: bool,
    pub first_bad_seq: Option<i64>,
}
