//! The health centers of the user's prefecture (`GET /api/health-centers`) for the selects that pick one
//! (transfer, search, the health center in charge); one loader for all of them.

use dioxus::prelude::*;

use crate::api;

/// `(id, name)` of each health center; empty until loaded (or when the list cannot be had).
pub fn use_health_centers() -> Memo<Vec<(String, String)>> {
    let list = use_resource(|| async { api::institution::health_centers().await });
    use_memo(move || {
        list.read()
            .as_ref()
            .and_then(|r| r.as_ref().ok())
            .map(|l| {
                l.health_centers
                    .iter()
                    .map(|h| (h.id.clone(), h.name.clone()))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The same list with what the transfer screen says of each target: whether it gets notice e-mails, its phone.
pub fn use_health_center_options() -> Memo<Vec<shared::api::notifications::HealthCenterOption>> {
    let list = use_resource(|| async { api::institution::health_centers().await });
    use_memo(move || {
        list.read()
            .as_ref()
            .and_then(|r| r.as_ref().ok())
            .map(|l| l.health_centers.clone())
            .unwrap_or_default()
    })
}
