//! Administration (`edge/src/routes/admin.rs`): accounts, institutions, the audit log.

use shared::api::admin::{
    AccountAction, AccountList, AccountRequestList, ActionAnswer, AuditPage, AuditQuery,
    ChainReport, CreateAccountRequest, CreateInstitutionRequest, DecidedRequest, Institution,
    InstitutionList,
};

use super::{get, post, ApiResult};

/// `GET /api/admin/accounts`: the accounts of the administrator's area.
pub async fn accounts() -> ApiResult<AccountList> {
    get("/api/admin/accounts").await
}

/// `POST /api/admin/accounts`: a new account, with its invitation or initial password (an administrator account:
/// a request awaiting a second approver).
pub async fn create_account(body: &CreateAccountRequest) -> ApiResult<ActionAnswer> {
    post("/api/admin/accounts", body).await
}

/// `POST /api/admin/accounts/{id}/{action}`: lock, unlock, reset, deactivate or reactivate an account (another
/// administrator's: a request awaiting a second approver).
pub async fn account_action(id: &str, action: AccountAction) -> ApiResult<ActionAnswer> {
    let action = match action {
        AccountAction::Lock => "lock",
        AccountAction::Unlock => "unlock",
        AccountAction::Reset => "reset",
        AccountAction::Deactivate => "deactivate",
        AccountAction::Reactivate => "reactivate",
    };
    post(&format!("/api/admin/accounts/{id}/{action}"), &()).await
}

/// `GET /api/admin/institutions`.
pub async fn institutions() -> ApiResult<InstitutionList> {
    get("/api/admin/institutions").await
}

/// `POST /api/admin/institutions`.
pub async fn create_institution(body: &CreateInstitutionRequest) -> ApiResult<Institution> {
    post("/api/admin/institutions", body).await
}

/// `POST /api/admin/audit`: a page of the audit log (filters in the body).
pub async fn audit(query: &AuditQuery) -> ApiResult<AuditPage> {
    post("/api/admin/audit", query).await
}

/// `GET /api/admin/audit/verify`: the hash chain checked.
pub async fn verify_audit() -> ApiResult<ChainReport> {
    get("/api/admin/audit/verify").await
}

/// `GET /api/admin/requests`: the requests on administrators' accounts awaiting a decision.
pub async fn requests() -> ApiResult<AccountRequestList> {
    get("/api/admin/requests").await
}

/// `POST /api/admin/requests/{id}/approve` or `…/reject`.
pub async fn decide(id: &str, approve: bool) -> ApiResult<DecidedRequest> {
    let decision = if approve { "approve" } else { "reject" };
    post(&format!("/api/admin/requests/{id}/{decision}"), &()).await
}
