//! The audit log: an append-only hash chain in D1. Every entry names who, in which role, did what to which id,
//! when, from where, and the outcome — never personal data. Each entry's hash covers the previous entry's hash.

use serde::{Deserialize, Serialize};
use shared::api::admin::{AuditEntryView, AuditQuery, ChainReport};
use shared::audit::{OutcomeKind, REFUSED_OUTCOMES, SUCCESS_OUTCOMES};
use shared::auth::Principal;
use wasm_bindgen::JsValue;
use worker::{Context, D1Database, D1PreparedStatement, Env};

use super::f;
use crate::crypto::sha256_hex;
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
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

    /// About the record `case_id`, in the area of `health_center_id` (whose administrators read it).
    pub fn in_area(mut self, case_id: &str, health_center_id: &str) -> Self {
        self.target = Some(case_id.to_owned());
        self.health_center_id = Some(health_center_id.to_owned());
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

/// The INSERT of `event` as the next entry. `seq` is taken inside the statement (`MAX(seq) + 1`, atomic in D1's
/// single writer), so concurrent writers never collide and a D1 batch that carries it never has to be retried. The
/// entry is written unsealed (`prev_hash` and `hash` empty); [`seal`] links it into the chain right after.
fn insert_statement(db: &D1Database, event: &Event, now_ms: i64) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "INSERT INTO audit_log (seq, at, actor_user_id, actor_role, action, target, outcome, client_address, \
             health_center_id, pref_code, prev_hash, hash) \
             SELECT COALESCE(MAX(seq), 0) + 1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '', '' FROM audit_log",
        )
        .bind(&event_binds(event, now_ms))?)
}

/// `?1`…`?9` of an entry's INSERT: when, who, what, outcome, from where, whose area.
fn event_binds(event: &Event, now_ms: i64) -> Vec<JsValue> {
    vec![
        (now_ms as f64).into(),
        opt(&event.actor_user_id),
        opt(&event.actor_role),
        event.action.into(),
        opt(&event.target),
        event.outcome.into(),
        event.client_address.as_str().into(),
        opt(&event.health_center_id),
        opt(&event.pref_code),
    ]
}

/// For a D1 `batch()` that must commit the audit entry together with the writes it records. Call [`seal`] after
/// the batch.
pub fn batch_entry(db: &D1Database, event: &Event, now_ms: i64) -> ApiResult<D1PreparedStatement> {
    insert_statement(db, event, now_ms)
}

/// Like [`batch_entry`], written only when `guard` (SQL over parameters `?10`…) holds when the statement runs:
/// the entry of a conditional write in the same batch records what happened, not what was attempted.
pub fn batch_entry_if(
    db: &D1Database,
    event: &Event,
    now_ms: i64,
    guard: &str,
    guard_binds: &[JsValue],
) -> ApiResult<D1PreparedStatement> {
    let mut binds = event_binds(event, now_ms);
    binds.extend_from_slice(guard_binds);
    Ok(db
        .prepare(format!(
            "INSERT INTO audit_log (seq, at, actor_user_id, actor_role, action, target, outcome, client_address, \
             health_center_id, pref_code, prev_hash, hash) \
             SELECT next, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '', '' \
             FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM audit_log) WHERE {guard}"
        ))
        .bind(&binds)?)
}

/// Appends `event` to the log and seals it into the chain.
pub async fn append(db: &D1Database, event: Event, now_ms: i64) -> ApiResult<()> {
    insert_statement(db, &event, now_ms)?.run().await?;
    // The entry is written; a failed seal is caught up by the next one and must not fail the request.
    if let Err(e) = seal(db).await {
        worker::console_error!("audit seal: {}", e.detail.unwrap_or_default());
    }
    Ok(())
}

/// Links the unsealed entries into the chain, in `seq` order: each gets the previous entry's hash and its own. Any
/// number of sealers may run at once: they compute the same values, and each UPDATE applies only to a still
/// unsealed entry.
pub async fn seal(db: &D1Database) -> ApiResult<()> {
    #[derive(Deserialize)]
    struct Head {
        seq: i64,
        hash: String,
    }
    for _ in 0..64 {
        let head: Option<Head> = db
            .prepare("SELECT seq, hash FROM audit_log WHERE hash <> '' ORDER BY seq DESC LIMIT 1")
            .first(None)
            .await?;
        let (head_seq, mut prev) = head.map_or((0, GENESIS.to_owned()), |h| (h.seq, h.hash));
        let pending: Vec<Entry> = db
            .prepare("SELECT * FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT 100")
            .bind(&[(head_seq as f64).into()])?
            .all()
            .await?
            .results()?;
        if pending.is_empty() {
            return Ok(());
        }
        let mut updates = Vec::with_capacity(pending.len());
        for (expected, mut e) in (head_seq + 1..).zip(pending) {
            if e.seq != expected || !e.hash.is_empty() {
                break;
            }
            e.prev_hash = prev.clone();
            e.hash = entry_hash(&e);
            updates.push(
                db.prepare(
                    "UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE seq = ?1 AND hash = ''",
                )
                .bind(&[
                    (e.seq as f64).into(),
                    e.prev_hash.as_str().into(),
                    e.hash.as_str().into(),
                ])?,
            );
            prev = e.hash;
        }
        if updates.is_empty() {
            // Another sealer is ahead, or the log has a gap (which the chain check reports): nothing to do here.
            return Ok(());
        }
        db.batch(updates).await?;
    }
    Err(ApiError::with_detail(
        ErrorCode::Internal,
        "audit seal did not finish",
    ))
}

/// Appends `events` in one batch (each takes the next `seq` in turn) and seals them into the chain.
pub async fn append_all(db: &D1Database, events: &[Event], now_ms: i64) -> ApiResult<()> {
    let statements = events
        .iter()
        .map(|e| insert_statement(db, e, now_ms))
        .collect::<ApiResult<Vec<_>>>()?;
    db.batch(statements).await?;
    if let Err(e) = seal(db).await {
        worker::console_error!("audit seal: {}", e.detail.unwrap_or_default());
    }
    Ok(())
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
    seal(db).await?;
    let mut prev = GENESIS.to_owned();
    let mut expected = 1;
    let mut last_seq = 0i64;
    loop {
        let page: Vec<Entry> = db
            .prepare("SELECT * FROM audit_log WHERE seq > ?1 AND hash <> '' ORDER BY seq LIMIT 500")
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

/// Entries in a page of [`audit_page`].
pub const AUDIT_PAGE: usize = 100;

/// A page of a health center's audit log ([`AUDIT_PAGE`] entries at most), newest first, narrowed by `q`: only the
/// columns administrators see (the chain columns stay on the server), with names the administrator may see — the
/// actor and an account target when they are accounts of the area, an institution of the area, and for a record
/// the health center has or had, its 届出番号 (a record elsewhere stays an id).
pub async fn audit_page(
    db: &D1Database,
    health_center_id: &str,
    q: &AuditQuery,
) -> ApiResult<Vec<AuditEntryView>> {
    #[derive(Deserialize)]
    struct Row {
        seq: i64,
        at: i64,
        actor_user_id: Option<String>,
        actor_role: Option<String>,
        actor_name: Option<String>,
        actor_area: Option<String>,
        action: String,
        target: Option<String>,
        target_name: Option<String>,
        record: i64,
        number: Option<String>,
        outcome: String,
        client_address: String,
    }
    // ?1 the area, ?2 `before`, ?3 the page size; each filter numbers its own parameters after them.
    let mut binds: Vec<JsValue> = vec![
        health_center_id.into(),
        f(q.before.unwrap_or(i64::MAX)),
        f(AUDIT_PAGE as i64),
    ];
    let mut param = |v: JsValue| {
        binds.push(v);
        format!("?{}", binds.len())
    };
    let mut filters = String::new();
    if let Some(actor) = &q.actor_user_id {
        filters += &format!(" AND a.actor_user_id = {}", param(actor.as_str().into()));
    }
    if let Some(action) = &q.action {
        filters += &format!(" AND a.action = {}", param(action.as_str().into()));
    }
    if let Some(from) = q.from_ms {
        filters += &format!(" AND a.at >= {}", param(f(from)));
    }
    if let Some(to) = q.to_ms {
        filters += &format!(" AND a.at < {}", param(f(to)));
    }
    let mut list = |codes: &[&str]| {
        codes
            .iter()
            .map(|c| param((*c).into()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match q.outcome {
        Some(OutcomeKind::Success) => {
            filters += &format!(" AND a.outcome IN ({})", list(SUCCESS_OUTCOMES))
        }
        Some(OutcomeKind::Refused) => {
            filters += &format!(" AND a.outcome IN ({})", list(REFUSED_OUTCOMES))
        }
        Some(OutcomeKind::Failure) => {
            let done = list(SUCCESS_OUTCOMES);
            let refused = list(REFUSED_OUTCOMES);
            filters += &format!(" AND a.outcome NOT IN ({done}) AND a.outcome NOT IN ({refused})");
        }
        None => {}
    }
    let rows: Vec<Row> = db
        .prepare(format!(
            "SELECT a.seq, a.at, a.actor_user_id, a.actor_role, u.display_name AS actor_name, \
             CASE WHEN u.id IS NULL THEN COALESCE(oi.name, oh.name) END AS actor_area, a.action, a.target, \
             COALESCE(tu.display_name, ti.name) AS target_name, c.id IS NOT NULL AS record, \
             CASE WHEN n.seq IS NULL THEN NULL ELSE printf('%08d', n.seq) END AS number, \
             a.outcome, a.client_address \
             FROM audit_log a INDEXED BY audit_by_health_center \
             LEFT JOIN users u ON u.id = a.actor_user_id AND u.health_center_id = ?1 \
             LEFT JOIN users o ON o.id = a.actor_user_id \
             LEFT JOIN institutions oi ON oi.id = o.institution_id \
             LEFT JOIN health_centers oh ON oh.id = o.health_center_id \
             LEFT JOIN users tu ON tu.id = a.target AND tu.health_center_id = ?1 \
             LEFT JOIN institutions ti ON ti.id = a.target AND ti.health_center_id = ?1 \
             LEFT JOIN cases c ON c.id = a.target AND (c.health_center_id = ?1 OR EXISTS \
               (SELECT 1 FROM notification_events e WHERE e.notification_id = c.id AND e.health_center_id = ?1)) \
             LEFT JOIN notifications n ON n.id = c.id \
             WHERE a.health_center_id = ?1 AND a.seq < ?2{filters} ORDER BY a.seq DESC LIMIT ?3"
        ))
        .bind(&binds)?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let is_record = r.record != 0;
            let target_label = if is_record {
                Some(match r.number {
                    // The number people quote, as `store::notifications::number` makes it (this module may not
                    // import that one, which imports this).
                    Some(number) => format!("届出番号 {number}"),
                    None => "届出前の記録".to_owned(),
                })
            } else {
                r.target_name
            };
            AuditEntryView {
                seq: r.seq,
                at: r.at,
                actor_user_id: r.actor_user_id,
                actor_role: r.actor_role,
                actor_name: r.actor_name,
                actor_area: r.actor_area,
                action: r.action,
                target: r.target,
                target_label,
                target_is_record: is_record,
                outcome: r.outcome,
                client_address: r.client_address,
            }
        })
        .collect())
}

/// Seals the audit entries a batch wrote, after the response (a failure is logged; the next seal catches up).
/// While one seal runs in this isolate, others are skipped: under load one pass seals many entries, and what it
/// misses the next request's pass (or the scheduled handler) seals.
pub fn seal_later(env: &Env, ctx: &Context) {
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    static SEALING: AtomicBool = AtomicBool::new(false);
    // At most one pass a second per isolate: each pass seals every entry written so far, and a pass competes with
    // the next requests for the database. What a skipped pass leaves, the next one (or the cron) seals.
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = now_ms();
    if now - LAST.load(Ordering::Acquire) < 1000 || SEALING.swap(true, Ordering::AcqRel) {
        return;
    }
    LAST.store(now, Ordering::Release);
    let env = env.clone();
    ctx.wait_until(async move {
        if let Ok(db) = super::db(&env) {
            if let Err(e) = seal(&db).await {
                worker::console_error!("audit seal: {}", e.detail.unwrap_or_default());
            }
        }
        SEALING.store(false, Ordering::Release);
    });
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
