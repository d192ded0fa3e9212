//! The audit log: an append-only hash chain in D1. Every entry names who, in which role, did what to which id,
//! when, from where, and the outcome — never personal data. Each entry's hash covers the previous entry's hash.

use serde::{Deserialize, Serialize};
use shared::api::admin::ChainReport;
use shared::auth::Principal;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use crate::crypto::sha256_hex;
use crate::error::{ApiError, ApiResult};
use shared::error::ErrorCode;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry before it is chained.
#[derive(Debug, Clone, Default)]
pub struct Event {
    pub actor_user_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: &'static str,
    pub target: Option<String>,
    pub outcome: &'static str,
    pub client_address: String,
    /// The area the event belongs to, so administrators see their own area's log.
    pub health_center_id: Option<String>,
    pub pref_code: Option<String>,
}

impl Event {
    pub fn new(action: &'static str, outcome: &'static str, client_address: &str) -> Self {
        Self {
            action,
            outcome,
            client_address: client_address.to_owned(),
            ..Self::default()
        }
    }

    pub fn by(mut self, who: &Principal) -> Self {
        self.actor_user_id = Some(who.user_id.clone());
        self.actor_role = Some(who.role.as_str().to_owned());
        self.health_center_id = who.jurisdiction.health_center_id().map(str::to_owned);
        self.pref_code = who.jurisdiction.pref_code().map(str::to_owned);
        self
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }
}

/// A stored entry, as read back for display and verification.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    pub actor_user_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub client_address: String,
    pub health_center_id: Option<String>,
    pub pref_code: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 over every field, each length-prefixed so no two different entries encode alike.
pub fn entry_hash(e: &Entry) -> String {
    let fields: [&str; 11] = [
        &e.seq.to_string(),
        &e.at.to_string(),
        e.actor_user_id.as_deref().unwrap_or("\u{0}"),
        e.actor_role.as_deref().unwrap_or("\u{0}"),
        &e.action,
        e.target.as_deref().unwrap_or("\u{0}"),
        &e.outcome,
        &e.client_address,
        e.health_center_id.as_deref().unwrap_or("\u{0}"),
        e.pref_code.as_deref().unwrap_or("\u{0}"),
        &e.prev_hash,
    ];
    let mut buf = Vec::new();
    for f in fields {
        buf.extend_from_slice(f.len().to_string().as_bytes());
        buf.push(b':');
        buf.extend_from_slice(f.as_bytes());
        buf.push(b';');
    }
    sha256_hex(&buf)
}

fn opt(v: &Option<String>) -> JsValue {
    v.as_deref().map_or(JsValue::NULL, JsValue::from_str)
}

/// The chain's head: the next entry's `seq` and the hash it links to.
async fn head(db: &D1Database) -> ApiResult<(i64, String)> {
    #[derive(Deserialize)]
    struct Head {
        seq: i64,
        hash: String,
    }
    let head: Option<Head> = db
        .prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .first(None)
        .await?;
    Ok(head.map_or((1, GENESIS.to_owned()), |h| (h.seq + 1, h.hash)))
}

/// The INSERT of `event` as the next entry after the current head. `on_conflict` decides whether a concurrent
/// writer that took the same `seq` makes the statement write nothing (`DO NOTHING`) or fail (empty: the whole D1
/// batch it belongs to rolls back).
async fn next_entry(
    db: &D1Database,
    event: &Event,
    now_ms: i64,
    on_conflict: &str,
) -> ApiResult<D1PreparedStatement> {
    let (seq, prev_hash) = head(db).await?;
    let mut entry = Entry {
        seq,
        at: now_ms,
        actor_user_id: event.actor_user_id.clone(),
        actor_role: event.actor_role.clone(),
        action: event.action.to_owned(),
        target: event.target.clone(),
        outcome: event.outcome.to_owned(),
        client_address: event.client_address.clone(),
        health_center_id: event.health_center_id.clone(),
        pref_code: event.pref_code.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    let statement = db
        .prepare(format!(
            "INSERT INTO audit_log (seq, at, actor_user_id, actor_role, action, target, outcome, client_address, \
             health_center_id, pref_code, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
             {on_conflict}"
        ))
        .bind(&[
            (entry.seq as f64).into(),
            (entry.at as f64).into(),
            opt(&entry.actor_user_id),
            opt(&entry.actor_role),
            entry.action.as_str().into(),
            opt(&entry.target),
            entry.outcome.as_str().into(),
            entry.client_address.as_str().into(),
            opt(&entry.health_center_id),
            opt(&entry.pref_code),
            entry.prev_hash.as_str().into(),
            entry.hash.as_str().into(),
        ])?;
    Ok(statement)
}

/// For a D1 `batch()` that must commit the audit entry together with the writes it records: the entry's INSERT
/// fails on a lost race for `seq`, which rolls back the whole batch; the caller builds the batch again.
pub async fn batch_entry(db: &D1Database, event: &Event, now_ms: i64) -> ApiResult<D1PreparedStatement> {
    next_entry(db, event, now_ms, "").await
}

/// Appends `event` to the chain. Concurrent appends race for the next `seq` (its primary key); the loser reads
/// the new head and tries again, so the chain never forks.
pub async fn append(db: &D1Database, event: Event, now_ms: i64) -> ApiResult<()> {
    for _ in 0..16 {
        let insert = next_entry(db, &event, now_ms, "ON CONFLICT(seq) DO NOTHING")
            .await?
            .run()
            .await?;
        let written = insert.meta()?.and_then(|m| m.changes).unwrap_or(0);
        if written == 1 {
            return Ok(());
        }
    }
    Err(ApiError::with_detail(
        ErrorCode::Internal,
        "audit append lost the race 16 times",
    ))
}

/// Checks each entry's hash and its link to the previous one, in pages.
pub fn verify_page(prev_hash: &mut String, expected_seq: &mut i64, page: &[Entry]) -> Option<i64> {
    for e in page {
        if e.seq != *expected_seq || e.prev_hash != *prev_hash || entry_hash(e) != e.hash {
            return Some(e.seq);
        }
        *prev_hash = e.hash.clone();
        *expected_seq += 1;
    }
    None
}

pub async fn verify_chain(db: &D1Database) -> ApiResult<ChainReport> {
    let mut prev = GENESIS.to_owned();
    let mut expected = 1;
    let mut last_seq = 0i64;
    loop {
        let page: Vec<Entry> = db
            .prepare("SELECT * FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT 500")
            .bind(&[(last_seq as f64).into()])?
            .all()
            .await?
            .results()?;
        let Some(last) = page.last() else { break };
        last_seq = last.seq;
        if let Some(bad) = verify_page(&mut prev, &mut expected, &page) {
            return Ok(ChainReport {
                entries: expected - 1,
                valid: false,
                first_bad_seq: Some(bad),
            });
        }
    }
    Ok(ChainReport {
        entries: expected - 1,
        valid: true,
        first_bad_seq: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = Entry {
                    seq,
                    at: 1_700_000_000_000 + seq,
                    actor_user_id: Some("u1".into()),
                    actor_role: Some("clinic_doctor".into()),
                    action: "sign_in".into(),
                    target: None,
                    outcome: "ok".into(),
                    client_address: "127.0.0.1".into(),
                    health_center_id: Some("hc-1".into()),
                    pref_code: Some("13".into()),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let (mut prev, mut seq) = (GENESIS.to_owned(), 1);
        assert_eq!(verify_page(&mut prev, &mut seq, &chain(5)), None);
        assert_eq!(seq, 6);
    }

    #[test]
    fn any_edited_field_or_removed_entry_is_found() {
        let mut c = chain(5);
        c[2].outcome = "denied".into();
        let (mut prev, mut seq) = (GENESIS.to_owned(), 1);
        assert_eq!(verify_page(&mut prev, &mut seq, &c), Some(3));

        let mut c = chain(5);
        c.remove(1);
        let (mut prev, mut seq) = (GENESIS.to_owned(), 1);
        assert_eq!(verify_page(&mut prev, &mut seq, &c), Some(3));
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let mut a = chain(1).remove(0);
        let mut b = a.clone();
        a.action = "ab".into();
        a.outcome = "c".into();
        b.action = "a".into();
        b.outcome = "bc".into();
        assert_ne!(entry_hash(&a), entry_hash(&b));
    }
}
