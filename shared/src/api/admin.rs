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

/// One audit entry as administrators see it (no personal data is ever in an entry). Labels for `action` and
/// `outcome` come from [`crate::audit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: i64,
    pub actor_user_id: Option<String>,
    pub actor_role: Option<String>,
    /// The actor's display name, when the actor is an account of the administrator's area.
    #[serde(default)]
    pub actor_name: Option<String>,
    /// For an actor from elsewhere (not an account of the area): their institution's or health center's name.
    #[serde(default)]
    pub actor_area: Option<String>,
    pub action: String,
    pub target: Option<String>,
    /// A readable name for the target, only when the administrator may see it: an account of their area (its
    /// display name), an institution of their area (its name), a record their health center has (its 届出番号, or
    /// 届出前の記録).
    #[serde(default)]
    pub target_label: Option<String>,
    /// The target is a record this administrator may open (`/records/{target}`).
    #[serde(default)]
    pub target_is_record: bool,
    pub outcome: String,
    pub client_address: String,
}

/// `POST /api/admin/audit`: a page of the area's log narrowed by who, what, when and outcome (every filter
/// optional; in the body, so nothing of it is in a URL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Entries older than this `seq` (the previous page's `next_before`).
    #[serde(default)]
    pub before: Option<i64>,
    /// Who: an account id of the area.
    #[serde(default)]
    pub actor_user_id: Option<String>,
    /// What: one action code of [`crate::audit::ACTIONS`].
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub outcome: Option<crate::audit::OutcomeKind>,
    /// When: from this instant (inclusive) …
    #[serde(default)]
    pub from_ms: Option<i64>,
    /// … to this instant (exclusive), Unix milliseconds.
    #[serde(default)]
    pub to_ms: Option<i64>,
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
