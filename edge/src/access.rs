//! The one path by which a handler reaches a patient record: look it up, work out its area, decide with
//! [`shared::auth::access`] what this caller may do, and audit every refusal. Every route that touches a record
//! (cases, notifications, health observation) goes through here; none decides visibility on its own.

use serde_json::{Map, Value};
use shared::auth::{Access, RecordArea, Role};
use shared::case::status::CaseStatus;
use shared::error::ErrorCode;

use crate::caller::Staff;
use crate::error::{ApiError, ApiResult};
use crate::store::cases::{self, CaseRow};
use crate::store::shards::Shard;
use crate::store::{notifications, self_registrations};

/// A record this caller may see, with what they may do with it, and the shard that holds it (every statement on the
/// record and what hangs off it goes there).
pub struct Visible {
    pub row: CaseRow,
    pub access: Access,
    pub shard: Shard,
}

impl Visible {
    pub fn deleted(&self) -> bool {
        self.row.deleted_at.is_some()
    }
}

/// The area of a record as the access rule needs it.
pub async fn area(db: &worker::D1Database, row: &CaseRow) -> ApiResult<RecordArea> {
    let trail = notifications::trail(db, &row.id).await?;
    let mut health_center_ids = trail.health_center_ids;
    if !health_center_ids.contains(&row.health_center_id) {
        health_center_ids.push(row.health_center_id.clone());
    }
    Ok(RecordArea {
        filed_by_institution: row.institution_id.clone(),
        health_center_ids,
        health_center_id: row.health_center_id.clone(),
        pref_code: row.pref_code.clone(),
        filed: row.filed != 0,
        accepted: trail.accepted,
        accepted_where_it_is: trail.accepted_where_it_is,
    })
}

/// The record if this caller may see it: 403 for national staff (before any lookup) and for someone else's
/// record, 404 for an unknown id or a deleted one (except to the administrator who can restore it); each refusal
/// audited under `action`.
pub async fn record(c: &Staff, id: &str, action: &'static str) -> ApiResult<Visible> {
    // The follow-up center reads only the records its own confirmations made (to print their slips).
    if c.principal.role == Role::FollowUpCenter {
        return confirmers_record(c, id, action).await;
    }
    // National staff see aggregates only: refused before anything is looked up.
    if !c.principal.role.views_records() {
        c.log(c.event(action, "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let Some((shard, row)) = find(c, id).await? else {
        c.log(c.event(action, "not_found")).await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    let area = area(&shard.db, &row).await?;
    let access = c.principal.access(&area);
    if !access.read {
        refused(c, action, &row).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    if row.deleted_at.is_some() && !access.admin {
        c.log(c.event(action, "deleted").target(id)).await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    Ok(Visible { row, access, shard })
}

/// The record `id` and the shard that holds it (its routing entry), if any.
pub async fn find(c: &Staff, id: &str) -> ApiResult<Option<(Shard, CaseRow)>> {
    let Some(shard) = c.stores.of_case(id).await? else {
        return Ok(None);
    };
    Ok(cases::row(&shard.db, id).await?.map(|row| (shard, row)))
}

/// A record for the follow-up center: only one its own confirmation of a self-registration made (not linked), in its
/// prefecture
/// ([`shared::auth::Principal::confirmer_access`]: read and slip), live; anything else 403 (audited).
async fn confirmers_record(c: &Staff, id: &str, action: &'static str) -> ApiResult<Visible> {
    let Some((shard, row)) = find(c, id).await? else {
        c.log(c.event(action, "not_found")).await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    let pref = match &c.principal.jurisdiction {
        shared::auth::Jurisdiction::Prefecture { pref_code } => pref_code.as_str(),
        _ => "",
    };
    let mine = self_registrations::confirmed_by(&shard.db, id, &c.principal.user_id, pref).await?;
    let access = c.principal.confirmer_access(mine);
    if !access.read || row.deleted_at.is_some() {
        refused(c, action, &row).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    Ok(Visible { row, access, shard })
}

/// The スマホ入力ID as this viewer may have it: with the birth date it signs the patient's phone in, so only those
/// with [`Access::slip`] (`slip`: staff of the health center that manages the record, and the follow-up center for a
/// record its confirmation made) receive it; everyone else gets an empty string.
pub fn smartphone_id(slip: bool, id: String) -> String {
    if slip {
        id
    } else {
        String::new()
    }
}

/// [`record`], and a deleted record is 404 to everyone (views that have no place for a deleted record).
pub async fn live_record(c: &Staff, id: &str, action: &'static str) -> ApiResult<Visible> {
    let v = record(c, id, action).await?;
    if v.deleted() {
        c.log(c.event(action, "deleted").target(id)).await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    Ok(v)
}

/// Refuses (403, audited) unless `allowed`.
pub async fn require(
    c: &Staff,
    allowed: bool,
    action: &'static str,
    row: &CaseRow,
) -> ApiResult<()> {
    if allowed {
        return Ok(());
    }
    refused(c, action, row).await?;
    Err(ApiError::new(ErrorCode::Forbidden))
}

/// Audits a refused attempt on the record `row`: in the caller's own area's log, and — when the record is managed
/// by another health center — in that health center's log too, so the administrators responsible for the record
/// see who from elsewhere tried to reach it. Both entries go in one batch, then are sealed into the chain.
pub async fn refused(c: &Staff, action: &'static str, row: &CaseRow) -> ApiResult<()> {
    let own = c.event(action, "forbidden").target(row.id.as_str());
    if own.health_center_id.as_deref() == Some(row.health_center_id.as_str()) {
        return c.log(own).await;
    }
    let mut theirs = own.clone().in_area(&row.id, &row.health_center_id);
    theirs.pref_code = Some(row.pref_code.clone());
    c.log_all(&[own, theirs]).await
}

/// Reads a record for the filing that completes it (manual 4.5): it must be the caller's institution's, unfiled
/// and not deleted.
pub async fn record_to_file(
    c: &Staff,
    id: &str,
    institution_id: &str,
) -> ApiResult<(Option<CaseStatus>, Map<String, Value>)> {
    let Some((_, row)) = find(c, id).await? else {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "case_id",
            "unknown record",
        ));
    };
    if row.institution_id.as_deref() != Some(institution_id) || row.deleted_at.is_some() {
        c.log(c.event("notification_file", "forbidden").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    if row.filed != 0 {
        return Err(ApiError::with_reason(
            ErrorCode::Conflict,
            "case_filed",
            "already filed",
        ));
    }
    Ok((
        row.status.as_deref().and_then(CaseStatus::parse),
        cases::parse_tabs(&row.tabs),
    ))
}
