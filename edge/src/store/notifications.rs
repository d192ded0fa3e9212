//! Notifications (発生届) and what hangs off them: `notifications`, `notification_events` (routing, receipt,
//! transfer), `submit_keys` (idempotent filing) and `outbox` (the notice e-mails).

use serde::Deserialize;
use worker::D1Database;

use crate::error::ApiResult;

/// What the access rule needs of a record's notification: every health center it has been routed or transferred
/// to, and whether a health center has accepted (受理) it.
pub struct Trail {
    pub health_center_ids: Vec<String>,
    pub accepted: bool,
}

pub async fn trail(db: &D1Database, id: &str) -> ApiResult<Trail> {
    #[derive(Deserialize)]
    struct Row {
        health_center_id: String,
        received: i64,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT health_center_id, MAX(kind = 'received') AS received FROM notification_events \
             WHERE notification_id = ?1 GROUP BY health_center_id",
        )
        .bind(&[id.into()])?
        .all()
        .await?
        .results()?;
    Ok(Trail {
        accepted: rows.iter().any(|r| r.received != 0),
        health_center_ids: rows.into_iter().map(|r| r.health_center_id).collect(),
    })
}
