//! The audit log: an append-only chain in D1. Every entry names who, in which role, did what to which id (and, for a
//! search or list, which records it returned), when, from where, and the outcome — never personal data.
//!
//! Each entry is sealed with HMAC-SHA256 under the Worker secret `AUDIT_KEY` over all its fields and the previous
//! entry's seal, so whoever can write to D1 (which never holds the key) cannot recompute the chain after an edit.
//! Entries sealed before the key (`chain_version` 1, plain SHA-256) verify as legacy, only as the chain's first
//! entries. The head is anchored outside D1 — in KV (`audit:anchor`, whenever sealing advances) and in a daily
//! e-mail — so deleting the newest entries, or replacing them, shows against the anchor. Without the key nothing is
//! written: every audited action fails with `AUDIT_UNAVAILABLE` rather than chain unkeyed.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use shared::api::admin::{
    AuditEntryView, AuditQuery, ChainAnchor, ChainProblem, ChainReport, MAX_CHAIN_PROBLEMS,
    STALE_UNSEALED_MS,
};
use shared::audit::{OutcomeKind, Returned, REFUSED_OUTCOMES, SUCCESS_OUTCOMES};
use shared::auth::Principal;
use wasm_bindgen::JsValue;
use worker::{Context, D1Database, D1PreparedStatement, Env};

use super::f;
use super::shards::{each, Shard, Stores};
use crate::crypto::{hmac_sha256_hex, sha256_hex};
use crate::error::{ApiError, ApiResult};
use crate::platform::{bindings, now_ms};
use shared::error::ErrorCode;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The Worker secret that keys the chain (`wrangler secret put AUDIT_KEY`; locally `.dev.vars`).
pub const KEY_SECRET: &str = "AUDIT_KEY";
/// A key shorter than this is refused as if missing.
pub const MIN_KEY_LEN: usize = 32;
/// `chain_version` of an entry sealed with plain SHA-256 (before the key).
pub const LEGACY: i64 = 1;
/// `chain_version` of an entry sealed with the HMAC.
pub const KEYED: i64 = 2;
/// The KV key of the anchored head.
pub const ANCHOR_KEY: &str = "audit:anchor";
/// The KV key of the day (JST, `YYYY-MM-DD`) the head was last e-mailed.
const ANCHOR_MAILED_KEY: &str = "audit:anchor:mailed";

thread_local! {
    /// The chain's key for this isolate, read from the environment at the start of every request and cron run
    /// ([`use_key_of`]). Every module writes entries through this one module, which takes it from here.
    static KEY: RefCell<Option<Rc<[u8]>>> = const { RefCell::new(None) };
}

/// Takes the chain's key from `env` (the `AUDIT_KEY` secret; missing or shorter than [`MIN_KEY_LEN`]: no key,
/// and every audit write fails closed).
pub fn use_key_of(env: &Env) {
    let key = env
        .secret(KEY_SECRET)
        .ok()
        .map(|s| s.to_string())
        .filter(|k| k.len() >= MIN_KEY_LEN);
    KEY.with(|k| *k.borrow_mut() = key.map(|k| Rc::from(k.into_bytes())));
}

/// `AUDIT_UNAVAILABLE` unless the chain's key is configured.
pub fn require_key() -> ApiResult<()> {
    key().map(|_| ())
}

fn key() -> ApiResult<Rc<[u8]>> {
    KEY.with(|k| k.borrow().clone()).ok_or_else(|| {
        ApiError::with_detail(
            ErrorCode::AuditUnavailable,
            "the AUDIT_KEY secret is missing or shorter than 32 characters: nothing is audited, so nothing is done",
        )
    })
}

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
    /// For a search or list: the records it returned ([`Returned`] as JSON).
    pub detail: Option<String>,
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

    /// A detail given as JSON members (an export's criteria, its page of ids, what it wrote).
    pub fn with_detail(mut self, detail: serde_json::Map<String, serde_json::Value>) -> Self {
        self.detail = Some(serde_json::Value::Object(detail).to_string());
        self
    }

    /// The ids of the records (or accounts, or entries) a search or list returned: how many, and the first
    /// [`shared::audit::MAX_LOGGED_IDS`] of them.
    pub fn returned<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.detail = serde_json::to_string(&Returned::of(ids)).ok();
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
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default = "legacy")]
    pub chain_version: i64,
    pub prev_hash: String,
    pub hash: String,
}

fn legacy() -> i64 {
    LEGACY
}

/// Every field, each length-prefixed so no two different entries encode alike (NUL stands for NULL).
fn encode(fields: &[&str]) -> Vec<u8> {
    let mut buf = Vec::new();
    for f in fields {
        buf.extend_from_slice(f.len().to_string().as_bytes());
        buf.push(b':');
        buf.extend_from_slice(f.as_bytes());
        buf.push(b';');
    }
    buf
}

/// The legacy seal (`chain_version` 1): plain SHA-256 over every field but `detail`.
pub fn entry_hash(e: &Entry) -> String {
    sha256_hex(&encode(&[
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
    ]))
}

/// The seal (`chain_version` 2): HMAC-SHA256 under `key` over every field, `detail` included, and the previous
/// entry's seal.
pub fn keyed_hash(key: &[u8], e: &Entry) -> String {
    hmac_sha256_hex(
        key,
        &encode(&[
            "her-sys-audit-v2",
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
            e.detail.as_deref().unwrap_or("\u{0}"),
            &e.prev_hash,
        ]),
    )
}

fn opt(v: &Option<String>) -> JsValue {
    v.as_deref().map_or(JsValue::NULL, JsValue::from_str)
}

/// The INSERT of `event` as the next entry. `seq` is taken inside the statement (`MAX(seq) + 1`, atomic in D1's
/// single writer), so concurrent writers never collide and a D1 batch that carries it never has to be retried. The
/// entry is written unsealed (`prev_hash` and `hash` empty); [`seal`] links it into the chain right after. Without
/// the key nothing is written (`AUDIT_UNAVAILABLE`): the action it records fails with it.
fn insert_statement(db: &D1Database, event: &Event, now_ms: i64) -> ApiResult<D1PreparedStatement> {
    key()?;
    let mut binds = event_binds(event, now_ms);
    binds.push(opt(&event.detail));
    Ok(db
        .prepare(
            "INSERT INTO audit_log (seq, at, actor_user_id, actor_role, action, target, outcome, client_address, \
             health_center_id, pref_code, detail, prev_hash, hash) \
             SELECT COALESCE(MAX(seq), 0) + 1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '', '' FROM audit_log",
        )
        .bind(&binds)?)
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
/// the entry of a conditional write in the same batch records what happened, not what was attempted. (Such an
/// entry names no returned records: `detail` stays NULL.)
pub fn batch_entry_if(
    db: &D1Database,
    event: &Event,
    now_ms: i64,
    guard: &str,
    guard_binds: &[JsValue],
) -> ApiResult<D1PreparedStatement> {
    key()?;
    if event.detail.is_some() {
        return Err(ApiError::with_detail(
            ErrorCode::Internal,
            "a conditional audit entry carries no detail",
        ));
    }
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

/// Appends `event` without sealing it (for a request that seals after its answer with [`seal_later`]).
pub async fn append_unsealed(db: &D1Database, event: &Event, now_ms: i64) -> ApiResult<()> {
    insert_statement(db, event, now_ms)?.run().await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
struct Head {
    seq: i64,
    hash: String,
}

/// The newest sealed entry.
async fn head(db: &D1Database) -> ApiResult<Option<Head>> {
    Ok(db
        .prepare("SELECT seq, hash FROM audit_log WHERE hash <> '' ORDER BY seq DESC LIMIT 1")
        .first(None)
        .await?)
}

/// Links the unsealed entries into the chain, in `seq` order: each gets the previous entry's seal and its own.
/// Any number of sealers may run at once: they compute the same values, and each UPDATE applies only to a still
/// unsealed entry. A `seq` missing before an unsealed entry (an entry deleted from the database) does not stop
/// sealing: the next entry is linked to the one before the gap, and the gap stays visible to [`verify_chain`]
/// because every seal covers its own `seq`.
pub async fn seal(db: &D1Database) -> ApiResult<()> {
    let key = key()?;
    for _ in 0..64 {
        let (head_seq, mut prev) = head(db)
            .await?
            .map_or((0, GENESIS.to_owned()), |h| (h.seq, h.hash));
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
        for mut e in pending {
            if !e.hash.is_empty() {
                break;
            }
            e.prev_hash = prev.clone();
            e.hash = keyed_hash(&key, &e);
            updates.push(
                db.prepare(
                    "UPDATE audit_log SET prev_hash = ?2, hash = ?3, chain_version = ?4 \
                     WHERE seq = ?1 AND hash = ''",
                )
                .bind(&[
                    (e.seq as f64).into(),
                    e.prev_hash.as_str().into(),
                    e.hash.as_str().into(),
                    f(KEYED),
                ])?,
            );
            prev = e.hash;
        }
        if updates.is_empty() {
            // Another sealer is ahead: nothing to do here.
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

/// The check of the chain, entry by entry in `seq` order, against the key and the anchor.
pub struct Verifier<'k> {
    key: &'k [u8],
    anchor: Option<ChainAnchor>,
    /// The seal the next entry must link to (`None` right after a gap: the link cannot be checked there).
    prev: Option<String>,
    expected_seq: i64,
    keyed_seen: bool,
    /// An unsealed entry seen (the ones after it must be unsealed too).
    unsealed_from: Option<i64>,
    last_sealed: i64,
    entries: i64,
    legacy_entries: i64,
    broken: bool,
    problems: Vec<ChainProblem>,
}

impl<'k> Verifier<'k> {
    pub fn new(key: &'k [u8], anchor: Option<ChainAnchor>) -> Self {
        Self {
            key,
            anchor,
            prev: Some(GENESIS.to_owned()),
            expected_seq: 1,
            keyed_seen: false,
            unsealed_from: None,
            last_sealed: 0,
            entries: 0,
            legacy_entries: 0,
            broken: false,
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, p: ChainProblem) {
        if self.problems.len() < MAX_CHAIN_PROBLEMS {
            self.problems.push(p);
        }
    }

    /// Whether the seal of `e` holds: the HMAC for a keyed entry; plain SHA-256 for a legacy one, allowed only
    /// before every keyed entry (and before the anchor's `keyed_from`), so nobody can rewrite an entry as legacy.
    fn sealed_right(&mut self, e: &Entry) -> bool {
        match e.chain_version {
            KEYED => {
                self.keyed_seen = true;
                crate::crypto::constant_time_eq(
                    keyed_hash(self.key, e).as_bytes(),
                    e.hash.as_bytes(),
                )
            }
            LEGACY => {
                let keyed_from = self.anchor.as_ref().and_then(|a| a.keyed_from);
                let allowed = !self.keyed_seen && keyed_from.is_none_or(|k| e.seq < k);
                allowed && entry_hash(e) == e.hash
            }
            _ => false,
        }
    }

    /// Checks the next page; `false` once the chain is broken (nothing after a broken entry can be trusted).
    pub fn page(&mut self, page: &[Entry]) -> bool {
        for e in page {
            if self.broken {
                return false;
            }
            if e.hash.is_empty() {
                // Written after this check's seal, or a seal cleared: fine only if nothing sealed follows.
                self.unsealed_from.get_or_insert(e.seq);
                self.expected_seq = e.seq + 1;
                continue;
            }
            if let Some(seq) = self.unsealed_from {
                self.broken_at(seq);
                return false;
            }
            if e.seq != self.expected_seq {
                if e.seq > self.expected_seq {
                    self.problem(ChainProblem::Gap {
                        seq: self.expected_seq,
                        missing: e.seq - self.expected_seq,
                    });
                }
                self.prev = None;
            }
            let linked = self.prev.as_ref().is_none_or(|p| *p == e.prev_hash);
            if e.seq < self.expected_seq || !linked || !self.sealed_right(e) {
                self.broken_at(e.seq);
                return false;
            }
            if e.chain_version == LEGACY {
                self.legacy_entries += 1;
            }
            if let Some(a) = &self.anchor {
                if a.seq == e.seq && a.hash != e.hash {
                    let seq = e.seq;
                    self.problem(ChainProblem::Rewritten { seq });
                }
            }
            self.prev = Some(e.hash.clone());
            self.expected_seq = e.seq + 1;
            self.last_sealed = e.seq;
            self.entries += 1;
        }
        true
    }

    fn broken_at(&mut self, seq: i64) {
        self.broken = true;
        self.problem(ChainProblem::Broken { seq });
    }

    /// The report, with `stale` (found before sealing) first.
    pub fn finish(mut self, stale: Option<ChainProblem>) -> ChainReport {
        if let Some(a) = &self.anchor {
            if !self.broken && self.last_sealed < a.seq {
                let (last_seq, anchor_seq) = (self.last_sealed, a.seq);
                self.problem(ChainProblem::Truncated {
                    last_seq,
                    anchor_seq,
                });
            }
        }
        let mut problems: Vec<ChainProblem> = stale.into_iter().collect();
        problems.extend(self.problems);
        problems.truncate(MAX_CHAIN_PROBLEMS);
        ChainReport {
            entries: self.entries,
            valid: problems.is_empty(),
            first_bad_seq: problems.iter().find_map(|p| match p {
                ChainProblem::Broken { seq } => Some(*seq),
                _ => None,
            }),
            problems,
            legacy_entries: self.legacy_entries,
            anchor: self.anchor,
        }
    }
}

/// Entries left unsealed for more than [`STALE_UNSEALED_MS`] (sealing had stopped), before this check seals them.
async fn stale(db: &D1Database, now: i64) -> ApiResult<Option<ChainProblem>> {
    #[derive(Deserialize)]
    struct Row {
        n: i64,
        oldest_seq: Option<i64>,
        oldest_at: Option<i64>,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT COUNT(*) AS n, MIN(seq) AS oldest_seq, MIN(at) AS oldest_at FROM audit_log \
             WHERE hash = '' AND at < ?1",
        )
        .bind(&[f(now - STALE_UNSEALED_MS)])?
        .first(None)
        .await?;
    Ok(row.and_then(|r| match (r.n, r.oldest_seq, r.oldest_at) {
        (n, Some(oldest_seq), Some(oldest_at)) if n > 0 => Some(ChainProblem::Stale {
            count: n,
            oldest_seq,
            oldest_at,
        }),
        _ => None,
    }))
}

/// Checks the whole chain: stale unsealed entries (before sealing them), then every entry's seal and link, gaps,
/// and the anchor (`None`: nothing anchored yet) — the database ending before it (truncated) or holding another
/// entry at its `seq` (rewritten).
pub async fn verify_chain(db: &D1Database, anchor: Option<ChainAnchor>) -> ApiResult<ChainReport> {
    let key = key()?;
    let stale = stale(db, now_ms()).await?;
    seal(db).await?;
    let mut v = Verifier::new(&key, anchor);
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
        if !v.page(&page) {
            break;
        }
    }
    Ok(v.finish(stale))
}

/// The anchored head in KV (`None` before the first anchor).
pub async fn read_anchor(env: &Env) -> ApiResult<Option<ChainAnchor>> {
    env.kv(bindings::KV)?
        .get(ANCHOR_KEY)
        .json::<ChainAnchor>()
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))
}

/// Moves the anchor in KV up to the newest sealed entry (called whenever sealing may have advanced: after a
/// request's seal, by the cron, after a check). The anchor never moves back, and never moves on while the entry at
/// its `seq` differs from the one anchored (the evidence of a replaced tail stays until someone looks). Answers the
/// anchor as it now stands.
pub async fn advance_anchor(env: &Env, db: &D1Database) -> ApiResult<Option<ChainAnchor>> {
    let old = read_anchor(env).await?;
    let Some(head) = head(db).await? else {
        return Ok(old);
    };
    if let Some(a) = &old {
        if a.seq >= head.seq {
            return Ok(old);
        }
        let at_anchor: Option<Head> = db
            .prepare("SELECT seq, hash FROM audit_log WHERE seq = ?1")
            .bind(&[f(a.seq)])?
            .first(None)
            .await?;
        if at_anchor.is_none_or(|h| h.hash != a.hash) {
            worker::console_error!(
                "audit anchor: the entry at seq {} is not the anchored one; the anchor stays",
                a.seq
            );
            return Ok(old);
        }
    }
    let keyed_from = match old.as_ref().and_then(|a| a.keyed_from) {
        Some(k) => Some(k),
        None => {
            #[derive(Deserialize)]
            struct First {
                seq: Option<i64>,
            }
            let first: Option<First> = db
                .prepare("SELECT MIN(seq) AS seq FROM audit_log WHERE chain_version = ?1")
                .bind(&[f(KEYED)])?
                .first(None)
                .await?;
            first.and_then(|r| r.seq)
        }
    };
    let anchor = ChainAnchor {
        seq: head.seq,
        hash: head.hash,
        at: now_ms(),
        keyed_from,
    };
    env.kv(bindings::KV)?
        .put(ANCHOR_KEY, &anchor)
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?
        .execute()
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?;
    Ok(Some(anchor))
}

/// Whether the head is still to be e-mailed on `day` (JST `YYYY-MM-DD`).
pub async fn anchor_mail_due(env: &Env, day: &str) -> ApiResult<bool> {
    let last = env
        .kv(bindings::KV)?
        .get(ANCHOR_MAILED_KEY)
        .text()
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?;
    Ok(last.as_deref() != Some(day))
}

/// Records that the head was e-mailed on `day`.
pub async fn anchor_mailed(env: &Env, day: &str) -> ApiResult<()> {
    env.kv(bindings::KV)?
        .put(ANCHOR_MAILED_KEY, day)
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))?
        .execute()
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::StorageUnavailable, e.to_string()))
}

/// Entries in a page of [`audit_page`].
pub const AUDIT_PAGE: usize = 100;

/// A page of a health center's audit log ([`AUDIT_PAGE`] entries at most), newest first, narrowed by `q`: only the
/// columns administrators see (the chain columns stay on the server), with names the administrator may see — the
/// actor and an account target when they are accounts of the area, an institution of the area, and for a record
/// the health center has or had, its 届出番号 (a record elsewhere stays an id).
pub async fn audit_page(
    stores: &Stores,
    health_center_id: &str,
    q: &AuditQuery,
) -> ApiResult<Vec<AuditEntryView>> {
    // What the shards wrote is read from the core's log: forward it first, so the page is up to date.
    let shards = stores.all()?;
    for shard in &shards {
        forward(&stores.core, shard).await?;
    }
    let db = &stores.core;
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
        outcome: String,
        client_address: String,
        detail: Option<String>,
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
             COALESCE(tu.display_name, ti.name) AS target_name, \
             a.outcome, a.client_address, a.detail \
             FROM audit_log a INDEXED BY audit_by_health_center \
             LEFT JOIN users u ON u.id = a.actor_user_id AND u.health_center_id = ?1 \
             LEFT JOIN users o ON o.id = a.actor_user_id \
             LEFT JOIN institutions oi ON oi.id = o.institution_id \
             LEFT JOIN health_centers oh ON oh.id = o.health_center_id \
             LEFT JOIN users tu ON tu.id = a.target AND tu.health_center_id = ?1 \
             LEFT JOIN institutions ti ON ti.id = a.target AND ti.health_center_id = ?1 \
             WHERE a.health_center_id = ?1 AND a.seq < ?2{filters} ORDER BY a.seq DESC LIMIT ?3"
        ))
        .bind(&binds)?
        .all()
        .await?
        .results()?;
    // Which targets are records this health center has or had, and their numbers: asked of every shard.
    let mut targets: Vec<String> = rows.iter().filter_map(|r| r.target.clone()).collect();
    targets.sort();
    targets.dedup();
    let found = each(&shards, |shard| {
        records_of_area(shard, health_center_id, &targets)
    })
    .await?;
    let records: std::collections::HashMap<String, Option<String>> =
        found.into_iter().flatten().collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let record = r.target.as_ref().and_then(|t| records.get(t));
            let is_record = record.is_some();
            let target_label = if let Some(number) = record {
                Some(match number.clone() {
                    // The number people quote, as `store::notifications::number` makes it (this module may not
                    // import that one, which imports this).
                    Some(number) => format!("届出番号 {number}"),
                    None => "届出前の記録".to_owned(),
                })
            } else {
                r.target_name
            };
            let returned = r
                .detail
                .as_deref()
                .and_then(|d| serde_json::from_str::<Returned>(d).ok());
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
                returned_count: returned.as_ref().map(|x| x.n),
                returned_ids: returned.map(|x| x.ids).unwrap_or_default(),
            }
        })
        .collect())
}

/// Of `ids`, the records in `shard` that the health center has or had, with their 届出番号 (`None` before filing).
async fn records_of_area(
    shard: &Shard,
    health_center_id: &str,
    ids: &[String],
) -> ApiResult<Vec<(String, Option<String>)>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        number: Option<String>,
    }
    let mut out = Vec::new();
    for chunk in ids.chunks(90) {
        let mut binds: Vec<JsValue> = vec![health_center_id.into()];
        binds.extend(chunk.iter().map(|s| JsValue::from_str(s)));
        let list = (2..=binds.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows: Vec<Row> = shard
            .db
            .prepare(format!(
                "SELECT c.id, CASE WHEN n.seq IS NULL THEN NULL ELSE printf('%08d', n.seq) END AS number \
                 FROM cases c LEFT JOIN notifications n ON n.id = c.id WHERE c.id IN ({list}) \
                 AND (c.health_center_id = ?1 OR EXISTS \
                 (SELECT 1 FROM notification_events e WHERE e.notification_id = c.id AND e.health_center_id = ?1))"
            ))
            .bind(&binds)?
            .all()
            .await?
            .results()?;
        out.extend(rows.into_iter().map(|r| (r.id, r.number)));
    }
    Ok(out)
}

/// Seals the audit entries a batch wrote, after the response (a failure is logged; the next seal catches up), and
/// moves the anchor in KV up to the new head.
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
        if let Err(e) = settle(&env).await {
            worker::console_error!("audit seal: {}", e.detail.unwrap_or_default());
        }
        SEALING.store(false, Ordering::Release);
    });
}

/// Forwards every shard's new entries to the core, seals the core's chain and moves the anchor: what the cron, the
/// audit page and [`seal_later`] run.
pub async fn settle(env: &Env) -> ApiResult<()> {
    let stores = Stores::new(env)?;
    for shard in stores.all()? {
        forward(&stores.core, &shard).await?;
    }
    seal(&stores.core).await?;
    advance_anchor(env, &stores.core).await?;
    Ok(())
}

/// Copies the entries a shard wrote (with the record writes they describe) into the core's log, where they are
/// sealed into the one chain; each copy names its origin (`SHARD:seq`, unique), so a forward repeated after a crash
/// adds nothing twice. The shard's rows stay, marked forwarded.
pub async fn forward(core: &D1Database, shard: &Shard) -> ApiResult<usize> {
    if shard.is_core() {
        return Ok(0);
    }
    #[derive(Deserialize)]
    struct Pending {
        seq: i64,
        at: i64,
        actor_user_id: Option<String>,
        actor_role: Option<String>,
        action: String,
        target: Option<String>,
        outcome: String,
        client_address: String,
        health_center_id: Option<String>,
        pref_code: Option<String>,
        detail: Option<String>,
    }
    let mut total = 0;
    for _ in 0..64 {
        let pending: Vec<Pending> = shard
            .db
            .prepare(
                "SELECT seq, at, actor_user_id, actor_role, action, target, outcome, client_address, \
                 health_center_id, pref_code, detail FROM audit_log INDEXED BY audit_unforwarded \
                 WHERE forwarded_at IS NULL ORDER BY seq LIMIT 100",
            )
            .all()
            .await?
            .results()?;
        let Some(last) = pending.last().map(|p| p.seq) else {
            return Ok(total);
        };
        let mut copies = Vec::with_capacity(pending.len());
        for p in &pending {
            copies.push(
                core.prepare(
                    "INSERT OR IGNORE INTO audit_log (seq, at, actor_user_id, actor_role, action, target, outcome, \
                     client_address, health_center_id, pref_code, detail, origin, prev_hash, hash) \
                     SELECT COALESCE(MAX(seq), 0) + 1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, '', '' \
                     FROM audit_log",
                )
                .bind(&[
                    f(p.at),
                    opt(&p.actor_user_id),
                    opt(&p.actor_role),
                    p.action.as_str().into(),
                    opt(&p.target),
                    p.outcome.as_str().into(),
                    p.client_address.as_str().into(),
                    opt(&p.health_center_id),
                    opt(&p.pref_code),
                    opt(&p.detail),
                    format!("{}:{}", shard.id, p.seq).into(),
                ])?,
            );
        }
        core.batch(copies).await?;
        shard
            .db
            .prepare(
                "UPDATE audit_log SET forwarded_at = ?2 WHERE seq <= ?1 AND forwarded_at IS NULL",
            )
            .bind(&[f(last), f(now_ms())])?
            .run()
            .await?;
        total += pending.len();
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test-key-test-key-test-key-test-key";

    fn entry(seq: i64, prev: &str) -> Entry {
        Entry {
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
            detail: None,
            chain_version: KEYED,
            prev_hash: prev.to_owned(),
            hash: String::new(),
        }
    }

    /// Seals `entries` in order as the sealer does (`legacy`: the first `legacy` with plain SHA-256).
    fn reseal(entries: &mut [Entry], from: usize, key: Option<&[u8]>, legacy: usize) {
        let mut prev = if from == 0 {
            GENESIS.to_owned()
        } else {
            entries[from - 1].hash.clone()
        };
        for (i, e) in entries.iter_mut().enumerate().skip(from) {
            e.prev_hash = prev.clone();
            match key {
                Some(k) if i >= legacy => {
                    e.chain_version = KEYED;
                    e.hash = keyed_hash(k, e);
                }
                _ => {
                    e.chain_version = LEGACY;
                    e.hash = entry_hash(e);
                }
            }
            prev = e.hash.clone();
        }
    }

    fn chain(n: i64) -> Vec<Entry> {
        let mut c: Vec<Entry> = (1..=n).map(|seq| entry(seq, "")).collect();
        reseal(&mut c, 0, Some(KEY), 0);
        c
    }

    fn anchor_of(e: &Entry) -> ChainAnchor {
        ChainAnchor {
            seq: e.seq,
            hash: e.hash.clone(),
            at: 0,
            keyed_from: Some(1),
        }
    }

    fn report(c: &[Entry], anchor: Option<ChainAnchor>) -> ChainReport {
        let mut v = Verifier::new(KEY, anchor);
        v.page(c);
        v.finish(None)
    }

    #[test]
    fn an_intact_chain_verifies_against_its_anchor() {
        let c = chain(5);
        let r = report(&c, Some(anchor_of(&c[3])));
        assert!(r.valid, "{r:?}");
        assert_eq!(r.entries, 5);
        assert_eq!(r.first_bad_seq, None);
    }

    #[test]
    fn any_edited_field_or_detail_is_found() {
        let mut c = chain(5);
        c[2].outcome = "denied".into();
        assert_eq!(report(&c, None).first_bad_seq, Some(3));
        let mut c = chain(5);
        c[1].detail = Some(r#"{"n":1,"ids":["x"]}"#.into());
        assert_eq!(report(&c, None).first_bad_seq, Some(2));
    }

    #[test]
    fn a_chain_recomputed_without_the_key_is_broken() {
        // Plain SHA-256 from the edited entry on, marked keyed or marked legacy: both fail.
        let mut c = chain(6);
        c[2].target = Some("someone-else".into());
        reseal(&mut c, 2, None, 0);
        for e in &mut c[2..] {
            e.chain_version = KEYED;
        }
        assert_eq!(report(&c, None).first_bad_seq, Some(3));
        let mut c = chain(6);
        c[2].target = Some("someone-else".into());
        reseal(&mut c, 2, None, 0);
        assert_eq!(report(&c, None).first_bad_seq, Some(3));
        // A whole chain rewritten as legacy is refused by the anchor's `keyed_from`.
        let orig = chain(6);
        let mut c = orig.clone();
        reseal(&mut c, 0, None, 0);
        assert_eq!(report(&c, Some(anchor_of(&orig[1]))).first_bad_seq, Some(1));
        // And with a wrong key.
        let mut c = chain(6);
        c[4].action = "case_read".into();
        let mut tail = c.clone();
        reseal(
            &mut tail,
            4,
            Some(b"another-key-another-key-another-key"),
            0,
        );
        assert_eq!(report(&tail, None).first_bad_seq, Some(5));
    }

    #[test]
    fn legacy_entries_verify_only_as_the_chains_start() {
        let mut c: Vec<Entry> = (1..=6).map(|seq| entry(seq, "")).collect();
        reseal(&mut c, 0, Some(KEY), 3);
        let r = report(&c, None);
        assert!(r.valid, "{r:?}");
        assert_eq!(r.legacy_entries, 3);
        // A keyed entry turned legacy after the keyed ones began is broken.
        let mut bad = c.clone();
        bad[4].chain_version = LEGACY;
        bad[4].hash = entry_hash(&bad[4]);
        bad[5].prev_hash = bad[4].hash.clone();
        bad[5].hash = keyed_hash(KEY, &bad[5]);
        assert_eq!(report(&bad, None).first_bad_seq, Some(5));
    }

    #[test]
    fn a_tail_deleted_after_the_anchor_is_truncation() {
        let c = chain(6);
        let r = report(&c[..4], Some(anchor_of(&c[5])));
        assert!(!r.valid);
        assert_eq!(
            r.problems,
            vec![ChainProblem::Truncated {
                last_seq: 4,
                anchor_seq: 6
            }]
        );
    }

    #[test]
    fn a_replaced_tail_differs_from_the_anchor() {
        let orig = chain(6);
        let mut c = orig.clone();
        c.truncate(3);
        c.extend((4..=7).map(|seq| Entry {
            action: "sign_out".into(),
            ..entry(seq, "")
        }));
        reseal(&mut c, 3, Some(KEY), 0);
        let r = report(&c, Some(anchor_of(&orig[5])));
        assert_eq!(r.problems, vec![ChainProblem::Rewritten { seq: 6 }]);
    }

    #[test]
    fn a_missing_entry_is_a_gap_and_the_rest_still_verifies() {
        let mut c = chain(6);
        c.remove(2);
        let r = report(&c, None);
        assert_eq!(r.problems, vec![ChainProblem::Gap { seq: 3, missing: 1 }]);
        assert_eq!(r.entries, 5);
        assert_eq!(r.first_bad_seq, None);
        // Sealed over (the entry was deleted before sealing): the next one links to the one before the gap.
        let mut c: Vec<Entry> = [1, 2, 4, 5].iter().map(|&s| entry(s, "")).collect();
        reseal(&mut c, 0, Some(KEY), 0);
        let r = report(&c, None);
        assert_eq!(r.problems, vec![ChainProblem::Gap { seq: 3, missing: 1 }]);
        // The first entries deleted.
        let c = chain(4);
        let r = report(&c[2..], None);
        assert_eq!(r.problems, vec![ChainProblem::Gap { seq: 1, missing: 2 }]);
    }

    #[test]
    fn an_unsealed_entry_before_sealed_ones_is_broken() {
        let mut c = chain(4);
        c[1].hash = String::new();
        assert_eq!(report(&c, None).first_bad_seq, Some(2));
        // Unsealed at the end (written after the check's seal) is fine.
        let mut c = chain(4);
        c[3].hash = String::new();
        assert!(report(&c, None).valid);
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
        assert_ne!(keyed_hash(KEY, &a), keyed_hash(KEY, &b));
    }
}
