//! Institutions (`edge/src/routes/institution.rs`): the prefecture's health centers, the clinic's profile and its
//! doctors.

use shared::api::notifications::{AddDoctorRequest, Doctor, HealthCenterList, InstitutionProfile};

use super::{get, post, send, ApiResult};

/// `GET /api/health-centers`: the prefecture's health centers.
pub async fn health_centers() -> ApiResult<HealthCenterList> {
    get("/api/health-centers").await
}

/// `GET /api/institution`: the signed-in user's institution (the filing form's header) and its doctors.
pub async fn profile() -> ApiResult<InstitutionProfile> {
    get("/api/institution").await
}

/// `POST /api/institution/doctors`.
pub async fn add_doctor(body: &AddDoctorRequest) -> ApiResult<Doctor> {
    post("/api/institution/doctors", body).await
}

/// `DELETE /api/institution/doctors/{id}`.
pub async fn remove_doctor(id: &str) -> ApiResult<()> {
    send::<()>("DELETE", &format!("/api/institution/doctors/{id}"), None).await
}
