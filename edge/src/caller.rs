//! Who is asking, built once per request by the router ([`crate::routes`]) and handed to the handler as an
//! argument. A handler of a signed-in route takes a [`Staff`] or a [`Phone`]; neither can be made anywhere but
//! here, from a verified session, so a handler cannot forget to check.

use shared::auth::{Jurisdiction, Principal};
use shared::error::ErrorCode;
use worker::{D1Database, Env, Request, Response};

use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{address_bucket, client_address};
use crate::session;
use crate::store::accounts::UserRow;
use crate::store::audit::{self, Event};
use crate::store::shards::{Refs, Shard, Stores};
use crate::store::{db, observation, throttles};

/// A signed-in member of staff (clinic, health center, prefecture, nation), with the databases: `core` for
/// accounts and the audit chain, `stores` for the shards of records.
pub struct Staff {
    pub principal: Principal,
    pub user: UserRow,
    pub core: D1Database,
    pub stores: Stores,
    address: String,
}

/// The staff session of this request, or `UNAUTHENTICATED`.
pub async fn staff(env: &Env, req: &Request) -> ApiResult<Staff> {
    let s = session::require(env, req, now_ms()).await?;
    Ok(Staff {
        user: s.user,
        principal: s.principal,
        core: db(env)?,
        stores: Stores::new(env)?,
        address: client_address(req),
    })
}

impl Staff {
    /// An audit event by this caller.
    pub fn event(&self, action: &'static str, outcome: &'static str) -> Event {
        Event::new(action, outcome, &self.address).by(&self.principal)
    }

    /// Appends an audit entry now (outside a batch).
    pub async fn log(&self, event: Event) -> ApiResult<()> {
        audit::append(&self.core, event, now_ms()).await
    }

    /// Appends several audit entries now, in one batch (all or none), then seals them.
    pub async fn log_all(&self, events: &[Event]) -> ApiResult<()> {
        audit::append_all(&self.core, events, now_ms()).await
    }

    /// The shards a search or list of this caller's records reads: its prefecture's for health-center and
    /// prefecture roles (their records are their prefecture's), every one for a clinic (it files wherever its
    /// patients live) and anyone else.
    pub fn search_shards(&self) -> ApiResult<Vec<Shard>> {
        use shared::auth::Scope;
        match self.principal.scope() {
            Some(Scope::HealthCenter(_)) | Some(Scope::Prefecture(_)) => self
                .stores
                .for_area(self.principal.jurisdiction.pref_code()),
            _ => self.stores.all(),
        }
    }

    /// The shard of a record about to be written by this caller, with the caller's account, institution and health
    /// center (and `refs`) copied there first.
    pub async fn writing(&self, shard: &Shard, refs: Refs) -> ApiResult<()> {
        let refs = refs
            .user(&self.principal.user_id)
            .institution(self.principal.jurisdiction.institution_id())
            .health_center(self.principal.jurisdiction.health_center_id().unwrap_or(""));
        self.stores.ensure(shard, refs).await
    }

    /// The institution and its health center of a clinic user who may file; everyone else is refused.
    pub fn filing_institution(&self) -> ApiResult<(&str, &str)> {
        match &self.principal.jurisdiction {
            Jurisdiction::Institution {
                institution_id,
                health_center_id,
                ..
            } if self.principal.role.files_notifications() => {
                Ok((institution_id.as_str(), health_center_id.as_str()))
            }
            _ => Err(ApiError::new(ErrorCode::Forbidden)),
        }
    }
}

/// A health-center administrator (accounts, institutions and the audit log of their area), with their area.
pub struct Admin {
    pub principal: Principal,
    pub core: D1Database,
    pub stores: Stores,
    pub health_center_id: String,
    pub pref_code: String,
    address: String,
}

/// The administrator's session of this request: `UNAUTHENTICATED` without a session, `FORBIDDEN` for anyone but a
/// health-center administrator.
pub async fn admin(env: &Env, req: &Request) -> ApiResult<Admin> {
    let s = staff(env, req).await?;
    let Jurisdiction::HealthCenter {
        health_center_id,
        pref_code,
    } = s.principal.jurisdiction.clone()
    else {
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    if !s.principal.is_admin() {
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    Ok(Admin {
        principal: s.principal,
        core: s.core,
        stores: s.stores,
        health_center_id,
        pref_code,
        address: s.address,
    })
}

impl Admin {
    pub fn event(&self, action: &'static str, outcome: &'static str) -> Event {
        Event::new(action, outcome, &self.address).by(&self.principal)
    }

    pub async fn log(&self, event: Event) -> ApiResult<()> {
        audit::append(&self.core, event, now_ms()).await
    }
}

/// The phone of a person under health observation, signed in with the slip (or its passkey): it reports for the
/// holder's record and the household members linked to it, and reaches nothing else.
pub struct Phone {
    /// The record id of the observation the phone signed in for.
    pub holder: String,
    /// The shard that holds the holder's record (and its household's).
    pub db: D1Database,
    pub core: D1Database,
    address: String,
}

/// The phone session of this request, or `UNAUTHENTICATED`.
pub async fn phone(env: &Env, req: &Request) -> ApiResult<Phone> {
    let holder = session::require_phone(env, req, now_ms()).await?;
    let stores = Stores::new(env)?;
    // A record no shard holds any more (deleted for good) signs the phone out.
    let Some(shard) = stores.of_case(&holder).await? else {
        return Err(ApiError::new(ErrorCode::Unauthenticated));
    };
    Ok(Phone {
        holder,
        db: shard.db,
        core: stores.core,
        address: client_address(req),
    })
}

impl Phone {
    /// An audit event of the person's phone: no user, the role `observed_person`.
    pub fn event(&self, action: &'static str, outcome: &'static str) -> Event {
        person_event(action, outcome, &self.address)
    }
}

/// Signs a phone in for the holder `case_id` (after the slip and birth date, or a passkey): starts the phone
/// session, audits it in the record's area, and answers [`shared::api::observation::ObserveMe`] with the cookie.
pub async fn sign_phone_in(
    env: &Env,
    req: &Request,
    db: &D1Database,
    case_id: &str,
    health_center_id: &str,
    action: &'static str,
) -> ApiResult<Response> {
    let now = now_ms();
    let cookie = session::create_phone(env, req, case_id, now).await?;
    let event = person_event(action, "ok", &client_address(req)).in_area(case_id, health_center_id);
    audit::append(db, event, now).await?;
    let me = observation::me_of(db, case_id, now).await?;
    let mut resp = Response::from_json(&me)?;
    resp.headers_mut().append("set-cookie", &cookie)?;
    Ok(resp)
}

/// An audit event of a person's phone not (yet) signed in.
pub fn person_event(action: &'static str, outcome: &'static str, address: &str) -> Event {
    let mut e = Event::new(action, outcome, address);
    e.actor_role = Some("observed_person".into());
    e
}

/// Who decides requests on administrators' accounts: a health-center administrator (their health center's
/// requests) or prefecture staff (their prefecture's).
pub struct Approver {
    pub principal: Principal,
    pub core: D1Database,
    pub pref_code: String,
    /// `Some` for an administrator: only this health center's requests.
    pub health_center_id: Option<String>,
    address: String,
}

/// The approver's session of this request: `UNAUTHENTICATED` without a session, `FORBIDDEN` for anyone but a
/// health-center administrator or prefecture staff.
pub async fn approver(env: &Env, req: &Request) -> ApiResult<Approver> {
    let s = staff(env, req).await?;
    let (pref_code, health_center_id) = match s.principal.jurisdiction.clone() {
        Jurisdiction::HealthCenter {
            health_center_id,
            pref_code,
        } if s.principal.is_admin() => (pref_code, Some(health_center_id)),
        // Prefecture staff only: the follow-up center also belongs to a prefecture but approves nothing.
        Jurisdiction::Prefecture { pref_code }
            if s.principal.role == shared::auth::Role::PrefectureStaff =>
        {
            (pref_code, None)
        }
        _ => return Err(ApiError::new(ErrorCode::Forbidden)),
    };
    Ok(Approver {
        principal: s.principal,
        core: s.core,
        pref_code,
        health_center_id,
        address: s.address,
    })
}

impl Approver {
    /// An audit event by this approver, in their own area's log.
    pub fn event(&self, action: &'static str, outcome: &'static str) -> Event {
        Event::new(action, outcome, &self.address).by(&self.principal)
    }

    /// An audit event by this approver, in the log of the health center `health_center_id` (whose
    /// administrators read it, whoever decided).
    pub fn event_in(
        &self,
        action: &'static str,
        outcome: &'static str,
        health_center_id: &str,
    ) -> Event {
        let mut e = Event::new(action, outcome, &self.address).by(&self.principal);
        e.health_center_id = Some(health_center_id.to_owned());
        e.pref_code = Some(self.pref_code.clone());
        e
    }

    pub async fn log(&self, event: Event) -> ApiResult<()> {
        audit::append(&self.core, event, now_ms()).await
    }

    /// Whether this approver's area holds the health center `health_center_id` of prefecture `pref_code`.
    pub fn covers(&self, health_center_id: &str, pref_code: &str) -> bool {
        pref_code == self.pref_code
            && self
                .health_center_id
                .as_deref()
                .is_none_or(|own| own == health_center_id)
    }
}

/// Audits a failure of a caller who is not signed in (a sign-in refused or failed, an invalid invitation). Each
/// address gets [`throttles::ANONYMOUS_AUDIT`] such rows per window; the next failure writes one summarising row
/// (`anonymous_failures` / `capped`), and any further ones are only counted in the address's throttle row, so an
/// anonymous caller cannot grow the log without bound.
pub async fn log_anonymous(
    db: &D1Database,
    req: &Request,
    event: Event,
    now: i64,
) -> ApiResult<()> {
    let key = format!("audit:{}", address_bucket(req));
    let limit = throttles::ANONYMOUS_AUDIT;
    let n = throttles::hit(db, &key, limit, now).await?;
    if n <= limit.max {
        audit::append(db, event, now).await
    } else if n == limit.max + 1 {
        let summary = Event::new("anonymous_failures", "capped", &event.client_address);
        audit::append(db, summary, now).await
    } else {
        Ok(())
    }
}
