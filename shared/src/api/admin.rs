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
    /// After a reset: the address the one-time link went to, masked (`y***@her-sys.example`). The link itself
    /// reaches only the account's holder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_link_sent_to: Option<String>,
    /// Unix milliseconds when the reset link stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_link_expires_at: Option<i64>,
}

/// What an action on a health-center administrator's account (or the creation of one) becomes: a request that a
/// second administrator of the same health center, or the prefecture, approves before it takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestedAction {
    Lock,
    Unlock,
    Reset,
    Deactivate,
    Reactivate,
    Create,
}

impl RequestedAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lock => "lock",
            Self::Unlock => "unlock",
            Self::Reset => "reset",
            Self::Deactivate => "deactivate",
            Self::Reactivate => "reactivate",
            Self::Create => "create",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Lock,
            Self::Unlock,
            Self::Reset,
            Self::Deactivate,
            Self::Reactivate,
            Self::Create,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Lock => "ロック",
            Self::Unlock => "ロック解除",
            Self::Reset => "パスワード・キーのリセット",
            Self::Deactivate => "無効化",
            Self::Reactivate => "再有効化",
            Self::Create => "管理者アカウントの作成",
        }
    }
}

impl From<AccountAction> for RequestedAction {
    fn from(a: AccountAction) -> Self {
        match a {
            AccountAction::Lock => Self::Lock,
            AccountAction::Unlock => Self::Unlock,
            AccountAction::Reset => Self::Reset,
            AccountAction::Deactivate => Self::Deactivate,
            AccountAction::Reactivate => Self::Reactivate,
        }
    }
}

/// One request as the deciders see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRequestView {
    pub id: String,
    pub action: RequestedAction,
    /// The account acted on (for a creation: the new account's sign-in ID and name, no id yet).
    pub target_user_id: Option<String>,
    pub target_login_id: String,
    pub target_name: String,
    /// The account's e-mail address (for a creation: the one asked for), where its reset link or invitation goes:
    /// the approver checks it is the person's own, not the requester's.
    #[serde(default)]
    pub target_email: String,
    pub health_center_id: String,
    pub health_center_name: String,
    pub requested_by: String,
    pub requested_by_name: String,
    pub requested_at: i64,
    pub expires_at: i64,
    /// "pending", "approved", "rejected".
    pub status: String,
    /// Whether the caller may approve or reject it (not the requester, not the target).
    pub can_decide: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRequestList {
    pub requests: Vec<AccountRequestView>,
}

/// 202 Accepted: the action waits for a second approver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAnswer {
    pub pending_request: AccountRequestView,
}

/// What an action or a creation answers: done at once, or waiting for approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ActionAnswer {
    Pending(Box<PendingAnswer>),
    Done(Box<IssuedAccess>),
}

/// `POST /api/admin/requests/{id}/approve|reject`: the request as decided, and the account after an approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedRequest {
    pub request: AccountRequestView,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountSummary>,
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
    /// For a search or list: how many records it returned …
    #[serde(default)]
    pub returned_count: Option<i64>,
    /// … and their ids (the first [`crate::audit::MAX_LOGGED_IDS`]).
    #[serde(default)]
    pub returned_ids: Vec<String>,
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

/// `GET /api/admin/audit/verify`: the check of the whole chain (every area's entries: the chain is one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    /// Sealed entries checked.
    pub entries: i64,
    /// No problem found (`problems` is empty).
    pub valid: bool,
    /// The first entry whose HMAC or link does not hold (the first [`ChainProblem::Broken`]).
    pub first_bad_seq: Option<i64>,
    /// Everything found, in the order found (at most [`MAX_CHAIN_PROBLEMS`]).
    #[serde(default)]
    pub problems: Vec<ChainProblem>,
    /// Of `entries`, how many were sealed before the chain was keyed (plain SHA-256, verified as legacy; they can
    /// only be the first entries of the chain).
    #[serde(default)]
    pub legacy_entries: i64,
    /// The head last anchored outside the database (KV, and the daily e-mail), which the chain was compared with.
    #[serde(default)]
    pub anchor: Option<ChainAnchor>,
}

/// At most this many problems are listed in a [`ChainReport`].
pub const MAX_CHAIN_PROBLEMS: usize = 20;

/// Entries left unsealed longer than this (5 minutes) are reported as [`ChainProblem::Stale`].
pub const STALE_UNSEALED_MS: i64 = 5 * 60 * 1000;

/// The chain's head as anchored where a database writer cannot rewrite it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainAnchor {
    pub seq: i64,
    pub hash: String,
    /// When it was anchored (Unix ms).
    pub at: i64,
    /// The first entry sealed with the key: no legacy (unkeyed) entry may come at or after it.
    #[serde(default)]
    pub keyed_from: Option<i64>,
}

/// One thing wrong with the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainProblem {
    /// The entry's HMAC or its link to the previous entry does not hold: edited, or recomputed without the key.
    /// Nothing after it is checked.
    Broken { seq: i64 },
    /// `missing` entries from `seq` on are not in the database.
    Gap { seq: i64, missing: i64 },
    /// The newest entries were deleted: the database ends at `last_seq`, the anchor had reached `anchor_seq`.
    Truncated { last_seq: i64, anchor_seq: i64 },
    /// The entry at the anchor's `seq` is not the one anchored (the tail was replaced).
    Rewritten { seq: i64 },
    /// `count` entries had been left unsealed for more than [`STALE_UNSEALED_MS`] (the oldest is `oldest_seq`);
    /// this check sealed them.
    Stale {
        count: i64,
        oldest_seq: i64,
        oldest_at: i64,
    },
}

impl ChainProblem {
    /// What the administrator reads.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Broken { seq } => {
                format!("{seq}番の記録が改ざんされています（署名が一致しません）。")
            }
            Self::Gap { seq, missing: 1 } => format!("{seq}番の記録が欠けています。"),
            Self::Gap { seq, missing } => {
                format!("{seq}番から{missing}件の記録が欠けています。")
            }
            Self::Truncated {
                last_seq,
                anchor_seq,
            } => format!(
                "末尾の記録が削除されています（{anchor_seq}番まで保管済みでしたが、{last_seq}番までしかありません）。"
            ),
            Self::Rewritten { seq } => {
                format!("{seq}番の記録が、保管した控えと一致しません（書き換えられています）。")
            }
            Self::Stale {
                count, oldest_seq, ..
            } => format!(
                "{count}件の記録が5分以上封印されていませんでした（最も古いものは{oldest_seq}番）。封印を再開しました。"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_told_apart_by_its_shape() {
        let pending = r#"{"pending_request":{"id":"req_1","action":"lock","target_user_id":"u_1",
            "target_login_id":"a@x.example","target_name":"管理","health_center_id":"HC1","health_center_name":"保健所",
            "requested_by":"u_2","requested_by_name":"依頼","requested_at":1,"expires_at":2,"status":"pending",
            "can_decide":false}}"#;
        let a: ActionAnswer = serde_json::from_str(pending).unwrap();
        assert!(
            matches!(a, ActionAnswer::Pending(p) if p.pending_request.action == RequestedAction::Lock)
        );
        let done = r#"{"account":{"id":"u_1","login_id":"a@x.example","display_name":"管理","email":"a@x.example",
            "role":"clinic_staff","area_name":"","institution_id":null,"status":"active","locked":false,
            "must_change_password":true,"credential_count":0},"reset_link_sent_to":"a***@x.example"}"#;
        let a: ActionAnswer = serde_json::from_str(done).unwrap();
        assert!(
            matches!(a, ActionAnswer::Done(i) if i.reset_link_sent_to.as_deref() == Some("a***@x.example"))
        );
        for a in [
            "lock",
            "unlock",
            "reset",
            "deactivate",
            "reactivate",
            "create",
        ] {
            assert_eq!(RequestedAction::parse(a).unwrap().as_str(), a);
        }
    }
}
