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

/// Whether `sql` holds more than one statement (a `;` outside quotes with more after it).
fn several_statements(sql: &str) -> bool {
    let mut quote: Option<char> = None;
    for (i, c) in sql.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, ';') if !sql[i + 1..].trim().is_empty() => return true,
            _ => {}
        }
    }
    false
}

/// The test edge's direct SQL (`POST /api/test/sql`, test edge only): a statement's rows, or none for several
/// statements run at once.
pub async fn test_sql(
    db: &D1Database,
    sql: &str,
) -> crate::error::ApiResult<Vec<serde_json::Value>> {
    if several_statements(sql) {
        db.exec(sql).await.map_err(|e| {
            crate::error::ApiError::with_detail(shared::error::ErrorCode::Internal, e.to_string())
        })?;
        return Ok(Vec::new());
    }
    Ok(db.prepare(sql).all().await?.results()?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn statements_are_counted_outside_quotes() {
        assert!(!super::several_statements("SELECT 1"));
        assert!(!super::several_statements("SELECT 1;"));
        assert!(!super::several_statements("INSERT INTO t VALUES ('a;b')"));
        assert!(super::several_statements(
            "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)"
        ));
    }
}
