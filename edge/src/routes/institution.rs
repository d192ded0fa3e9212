//! A clinic's own data: the form's header (届出者) and its doctor list; and the health centers of the caller's
//! prefecture (transfer targets). Audited by id.

use shared::api::notifications::{AddDoctorRequest, Doctor, HealthCenterList, InstitutionProfile};
use shared::auth::Role;
use shared::error::ErrorCode;
use worker::{Request, Response};

use crate::caller::Staff;
use crate::crypto::{b64url, random_bytes};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{json_body, text_field};
use crate::store::institutions;

/// `GET /api/health-centers`: the health centers of the caller's prefecture (transfer targets).
pub async fn health_centers(c: Staff) -> ApiResult<Response> {
    let Some(pref) = c.principal.jurisdiction.pref_code() else {
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    let health_centers = institutions::health_centers_in(&c.core, pref).await?;
    Ok(Response::from_json(&HealthCenterList { health_centers })?)
}

/// `GET /api/institution`: the form's header (届出者) from the clinic's account and its doctor list.
pub async fn profile(c: Staff) -> ApiResult<Response> {
    let (institution_id, _) = c.filing_institution()?;
    let inst = institutions::header(&c.core, institution_id)
        .await?
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Forbidden, "institution missing"))?;
    let doctors = institutions::doctors(&c.core, institution_id).await?;
    let profile = InstitutionProfile {
        name: inst.name,
        address: inst.address,
        phone: inst.phone,
        own_doctor_name: (c.principal.role == Role::ClinicDoctor)
            .then(|| c.user.display_name.clone()),
        doctors,
    };
    Ok(Response::from_json(&profile)?)
}

/// `POST /api/institution/doctors`.
pub async fn add_doctor(c: Staff, mut req: Request) -> ApiResult<Response> {
    let (institution_id, _) = c.filing_institution()?;
    let institution_id = institution_id.to_owned();
    let body: AddDoctorRequest = json_body(&mut req).await?;
    let name = text_field(&body.name, 60, "name")?;
    let id = format!("d_{}", b64url(&random_bytes::<12>()?));
    institutions::add_doctor(&c.core, &id, &institution_id, &name, now_ms()).await?;
    c.log(c.event("doctor_add", "ok").target(id.as_str()))
        .await?;
    Ok(Response::from_json(&Doctor { id, name })?.with_status(201))
}

/// `DELETE /api/institution/doctors/{id}` (kept for the records that name the doctor; hidden from the list).
pub async fn remove_doctor(c: Staff, id: &str) -> ApiResult<Response> {
    let (institution_id, _) = c.filing_institution()?;
    if !institutions::remove_doctor(&c.core, id, institution_id, now_ms()).await? {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    c.log(c.event("doctor_remove", "ok").target(id)).await?;
    Ok(Response::empty()?.with_status(204))
}
