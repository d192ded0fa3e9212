//! `health_probe`: the health check's real write, read and delete through D1. Errors are the check's detail text.

use worker::D1Database;

use super::f;

pub async fn write(db: &D1Database, nonce: &str, now: i64) -> Result<(), String> {
    db.prepare("INSERT INTO health_probe (nonce, checked_at_ms) VALUES (?1, ?2)")
        .bind(&[nonce.into(), f(now)])
        .map_err(|e| format!("bind: {e}"))?
        .run()
        .await
        .map_err(|e| format!("write: {e}"))?;
    Ok(())
}

pub async fn read(db: &D1Database, nonce: &str) -> Result<Option<String>, String> {
    db.prepare("SELECT nonce FROM health_probe WHERE nonce = ?1")
        .bind(&[nonce.into()])
        .map_err(|e| format!("bind: {e}"))?
        .first(Some("nonce"))
        .await
        .map_err(|e| format!("read: {e}"))
}

pub async fn delete(db: &D1Database, nonce: &str) -> Result<(), String> {
    db.prepare("DELETE FROM health_probe WHERE nonce = ?1")
        .bind(&[nonce.into()])
        .map_err(|e| format!("bind: {e}"))?
        .run()
        .await
        .map_err(|e| format!("delete: {e}"))?;
    Ok(())
}
