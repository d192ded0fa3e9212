//! `health_probe`: the health check's read through D1 (a real query of a real table, writing nothing). Errors are
//! the check's detail text.

use serde::Deserialize;
use worker::D1Database;

/// How many rows `health_probe` holds (none, since the check stopped writing; any count proves the read).
pub async fn read(db: &D1Database) -> Result<i64, String> {
    #[derive(Deserialize)]
    struct N {
        n: i64,
    }
    let n: Option<N> = db
        .prepare("SELECT COUNT(*) AS n FROM health_probe")
        .first(None)
        .await
        .map_err(|e| format!("read: {e}"))?;
    n.map(|n| n.n)
        .ok_or_else(|| "read: no row from COUNT(*)".to_owned())
}
