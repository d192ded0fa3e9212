//! Moving a record between shards (issue 23): D1 has no transaction across databases, so a move is a sequence of
//! steps, each safe to repeat, recorded in the core's `record_moves` (migration 0710):
//!
//! 0. **started**: the move's row in the core, then the record frozen in its source shard (`moving_records`: the
//!    shard's triggers abort every INSERT or UPDATE of the record's rows there with `RECORD_MOVING`, so no write can
//!    land in the source after the copy and be lost; the user retries once the move is done);
//! 1. **copied**: the source's audit entries forwarded to the core's chain (they are not copied: the chain holds
//!    them, and a copy would be forwarded a second time under the target's origin), the core rows the record names
//!    copied into the target ([`Stores::ensure`]), then in ONE target batch every row of the record deleted there
//!    and written again from the source (a repeat writes the same rows: the target holds nothing else of a record
//!    before the switch). `cases` and `notifications` keep their `seq` (the number across shards, 届出番号);
//!    the other tables' local `seq` is left to the target (their rows are keyed by ids, and are inserted in the
//!    source's order);
//! 2. **switched**: `case_routes` names the target, in the same core batch as the step (from here reads and writes
//!    go to the target);
//! 3. **deleted**: the record's rows deleted from the source, children first, with its freeze, in one batch (the
//!    source's audit rows stay, forwarded: a shard's audit rows are never deleted);
//! 4. **done**.
//!
//! A move cut off at any step is resumed from the step it reached, by the next call for the record and by the
//! cron's [`resume_all`]. A mover holds the move by a lease (60 s) so a request and the cron never run its steps at
//! once. A record linked to another by a household observation (`observations.household_of`) is not moved:
//! [`movable`] refuses it with `HOUSEHOLD_LINKED` before anything is written.

use serde::Deserialize;
use serde_json::{Map, Value};
use shared::error::ErrorCode;
use shared::shard::ShardId;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use super::audit;
use super::f;
use super::shards::{js, Refs, Shard, Stores};
use crate::crypto::token;
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;

/// How long a mover holds a move before another may take it over (a dead worker's move waits this long).
const LEASE_MS: i64 = 60_000;

/// The tables of a record, parents first, with the column that names the record and whether their own `seq` is
/// local to the database (dropped on copy; the target numbers the row) or the record's number across shards (kept).
const TABLES: [(&str, &str, Seq); 13] = [
    ("cases", "id", Seq::Kept),
    ("notifications", "id", Seq::Kept),
    ("case_versions", "case_id", Seq::Local),
    ("case_status", "case_id", Seq::Local),
    ("notification_events", "notification_id", Seq::Local),
    ("outbox", "notification_id", Seq::None),
    ("submit_keys", "notification_id", Seq::None),
    ("sync_records", "case_id", Seq::None),
    ("observations", "case_id", Seq::None),
    ("observation_reports", "case_id", Seq::Local),
    ("observation_alerts", "case_id", Seq::Local),
    ("observe_credentials", "case_id", Seq::None),
    ("self_registrations", "case_id", Seq::Local),
];

#[derive(Clone, Copy, PartialEq)]
enum Seq {
    Kept,
    Local,
    None,
}

/// Test-only interruptions (a test edge only): stop after a step, as if the worker had died there.
pub struct Hooks {
    /// Stop (answer an error, leaving the state as it is) after this step: 1 = copied, 2 = switched, 3 = deleted.
    pub stop_after: Option<u8>,
}

impl Hooks {
    pub fn none() -> Self {
        Hooks { stop_after: None }
    }

    /// On a test edge, a request may stop the move it causes (header `x-test-move-stop-after: 1|2|3`, the
    /// kill-at-every-step test of a transfer); nothing anywhere else.
    pub fn of_request(req: &worker::Request) -> Self {
        if !crate::platform::config().test_clock {
            return Hooks::none();
        }
        let stop_after = req
            .headers()
            .get("x-test-move-stop-after")
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse().ok());
        Hooks { stop_after }
    }
}

#[derive(Deserialize, Clone)]
struct Move {
    id: String,
    case_id: String,
    from_shard: String,
    to_shard: String,
    to_pref_code: String,
    step: i64,
}

/// Refuses (`HOUSEHOLD_LINKED`) a record that a household observation links to another one in `shard`: it cannot
/// leave the shard alone (the foreign key `household_of` would point across databases). Handlers call it before
/// writing a transfer that will move the record.
pub async fn movable(shard: &Shard, case_id: &str) -> ApiResult<()> {
    let linked: Option<Value> = shard
        .db
        .prepare(
            "SELECT 1 AS one FROM observations WHERE (case_id = ?1 AND household_of IS NOT NULL \
             AND household_of <> ?1) OR (household_of = ?1 AND case_id <> ?1) LIMIT 1",
        )
        .bind(&[case_id.into()])?
        .first(None)
        .await?;
    if linked.is_some() {
        return Err(ApiError::new(ErrorCode::HouseholdLinked));
    }
    Ok(())
}

/// Moves the record `case_id` (with its history, status, notification and its events and notices, observation,
/// reports and alerts, sync records, self-registration links, phone passkeys; the shard's audit rows about it are
/// forwarded to the core's chain) from shard `from` to shard `to`, or finishes an unfinished move of it first.
/// Idempotent: a record already in `to` with no unfinished move is left as it is. `from` is where the caller found
/// the record; the routing entry decides.
pub async fn move_record(
    stores: &Stores,
    case_id: &str,
    from: &ShardId,
    to: &ShardId,
    hooks: &Hooks,
) -> ApiResult<()> {
    if stores.single() {
        return Ok(());
    }
    if let Some(open) = unfinished(&stores.core, case_id).await? {
        run(stores, open, hooks).await?;
    }
    let Some(source) = stores.of_case(case_id).await? else {
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    if &source.id == to {
        return Ok(());
    }
    if &source.id != from {
        worker::console_log!(
            "move of a record: found in {} (the caller said {from})",
            source.id
        );
    }
    movable(&source, case_id).await?;
    let target = stores.shard(to)?;
    let pref: Option<PrefRow> = source
        .db
        .prepare("SELECT pref_code FROM cases WHERE id = ?1")
        .bind(&[case_id.into()])?
        .first(None)
        .await?;
    let Some(pref) = pref else {
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    let now = now_ms();
    let m = Move {
        id: format!("mv_{}", token()?),
        case_id: case_id.to_owned(),
        from_shard: source.id.as_str().to_owned(),
        to_shard: target.id.as_str().to_owned(),
        to_pref_code: pref.pref_code,
        step: 0,
    };
    // The row is the move's start and its lease; the unique index on open moves makes a second starter fail here
    // (it answers RECORD_MOVING: the other mover has it).
    let started = stores
        .core
        .prepare(
            "INSERT INTO record_moves (id, case_id, from_shard, to_shard, to_pref_code, step, lease_until, \
             started_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?7) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&[
            m.id.as_str().into(),
            case_id.into(),
            m.from_shard.as_str().into(),
            m.to_shard.as_str().into(),
            m.to_pref_code.as_str().into(),
            f(now + LEASE_MS),
            f(now),
        ])?
        .run()
        .await?;
    if super::changes(&started) != 1 {
        return Err(ApiError::new(ErrorCode::RecordMoving));
    }
    steps(stores, m, hooks).await
}

#[derive(Deserialize)]
struct PrefRow {
    pref_code: String,
}

/// Resumes every unfinished move (the cron): answers how many it finished. A move another mover holds is left to
/// it; one that fails is logged and left for the next run.
pub async fn resume_all(stores: &Stores) -> ApiResult<usize> {
    if stores.single() {
        return Ok(0);
    }
    let open: Vec<Move> = stores
        .core
        .prepare(
            "SELECT id, case_id, from_shard, to_shard, to_pref_code, step FROM record_moves \
             INDEXED BY record_moves_unfinished WHERE step < 4 ORDER BY started_at LIMIT 50",
        )
        .all()
        .await?
        .results()?;
    let mut done = 0;
    for m in open {
        let id = m.id.clone();
        match run(stores, m, &Hooks::none()).await {
            Ok(()) => done += 1,
            Err(e) if e.code == ErrorCode::RecordMoving => {}
            Err(e) => worker::console_error!("record move {id}: {}", e.detail.unwrap_or_default()),
        }
    }
    Ok(done)
}

async fn unfinished(core: &D1Database, case_id: &str) -> ApiResult<Option<Move>> {
    Ok(core
        .prepare(
            "SELECT id, case_id, from_shard, to_shard, to_pref_code, step FROM record_moves \
             WHERE case_id = ?1 AND step < 4",
        )
        .bind(&[case_id.into()])?
        .first(None)
        .await?)
}

/// Takes the lease of an unfinished move (answers `RECORD_MOVING` while another mover holds it) and runs its
/// remaining steps.
async fn run(stores: &Stores, m: Move, hooks: &Hooks) -> ApiResult<()> {
    let now = now_ms();
    let taken: Option<StepRow> = stores
        .core
        .prepare(
            "UPDATE record_moves SET lease_until = ?2, updated_at = ?3 \
             WHERE id = ?1 AND step < 4 AND lease_until <= ?3 RETURNING step",
        )
        .bind(&[m.id.as_str().into(), f(now + LEASE_MS), f(now)])?
        .first(None)
        .await?;
    let Some(taken) = taken else {
        return Err(ApiError::new(ErrorCode::RecordMoving));
    };
    steps(
        stores,
        Move {
            step: taken.step,
            ..m
        },
        hooks,
    )
    .await
}

#[derive(Deserialize)]
struct StepRow {
    step: i64,
}

/// The steps after `m.step`, each recorded when complete.
async fn steps(stores: &Stores, m: Move, hooks: &Hooks) -> ApiResult<()> {
    let source = stores.shard(&ShardId(m.from_shard.clone()))?;
    let target = stores.shard(&ShardId(m.to_shard.clone()))?;
    let stop = |k: i64| -> ApiResult<()> {
        if hooks.stop_after == Some(k as u8) {
            return Err(ApiError::with_detail(
                ErrorCode::Internal,
                format!("move stopped after step {k} (test)"),
            ));
        }
        Ok(())
    };
    let mut step = m.step;
    if step == 0 {
        // (Re)freeze: repeated after a crash between the move's row and the freeze.
        source
            .db
            .prepare("INSERT OR IGNORE INTO moving_records (case_id, move_id, since) VALUES (?1, ?2, ?3)")
            .bind(&[m.case_id.as_str().into(), m.id.as_str().into(), f(now_ms())])?
            .run()
            .await?;
        copy(stores, &source, &target, &m.case_id).await?;
        step = record(&stores.core, &m, 1, Vec::new()).await?;
        stop(1)?;
    }
    if step == 1 {
        let switch = stores.switch_route(&m.case_id, &m.to_shard, &m.to_pref_code, now_ms())?;
        step = record(&stores.core, &m, 2, vec![switch]).await?;
        stop(2)?;
    }
    if step == 2 {
        // Forward again: an entry written in the source with a read just before the switch is not left behind.
        audit::forward(&stores.core, &source).await?;
        let mut statements = Vec::new();
        for (table, column, _) in TABLES.iter().rev() {
            statements.push(
                source
                    .db
                    .prepare(format!("DELETE FROM {table} WHERE {column} = ?1"))
                    .bind(&[m.case_id.as_str().into()])?,
            );
        }
        statements.push(
            source
                .db
                .prepare("DELETE FROM moving_records WHERE case_id = ?1")
                .bind(&[m.case_id.as_str().into()])?,
        );
        source.db.batch(statements).await?;
        step = record(&stores.core, &m, 3, Vec::new()).await?;
        stop(3)?;
    }
    if step == 3 {
        record(&stores.core, &m, 4, Vec::new()).await?;
    }
    Ok(())
}

/// Records that step `step` of `m` is complete (with `with`, the core's statements of that step, in the same
/// batch); answers the step now recorded (never lowered).
async fn record(
    core: &D1Database,
    m: &Move,
    step: i64,
    with: Vec<D1PreparedStatement>,
) -> ApiResult<i64> {
    let now = now_ms();
    let mut statements = with;
    statements.push(
        core.prepare(
            "UPDATE record_moves SET step = MAX(step, ?2), updated_at = ?3, \
             finished_at = CASE WHEN ?2 = 4 THEN ?3 ELSE finished_at END, \
             lease_until = CASE WHEN ?2 = 4 THEN 0 ELSE lease_until END WHERE id = ?1",
        )
        .bind(&[m.id.as_str().into(), f(step), f(now)])?,
    );
    core.batch(statements).await?;
    Ok(step)
}

/// Step 1: the record's rows from `source` written into `target` (see the module's documentation).
async fn copy(stores: &Stores, source: &Shard, target: &Shard, case_id: &str) -> ApiResult<()> {
    // Nothing of the audit trail is lost: what the source wrote about the record is in the core's chain first.
    audit::forward(&stores.core, source).await?;
    let mut tables = Vec::with_capacity(TABLES.len());
    let mut refs = Refs::default();
    for (table, column, _) in TABLES {
        let rows: Vec<Map<String, Value>> = source
            .db
            .prepare(format!(
                "SELECT * FROM {table} WHERE {column} = ?1 ORDER BY rowid"
            ))
            .bind(&[case_id.into()])?
            .all()
            .await?
            .results()?;
        for row in &rows {
            for (k, v) in row {
                let Value::String(id) = v else { continue };
                if k.ends_with("user_id") || k == "decided_by" {
                    refs.users.push(id.clone());
                } else if k == "institution_id" {
                    refs.institutions.push(id.clone());
                } else if k.ends_with("health_center_id") {
                    refs.health_centers.push(id.clone());
                }
            }
        }
        tables.push(rows);
    }
    if tables[0].is_empty() {
        return Err(ApiError::with_detail(
            ErrorCode::NotFound,
            "record not in its source shard",
        ));
    }
    refs.health_centers.retain(|h| !h.is_empty());
    stores.ensure(target, refs).await?;
    let mut statements = Vec::new();
    for (table, column, _) in TABLES.iter().rev() {
        statements.push(
            target
                .db
                .prepare(format!("DELETE FROM {table} WHERE {column} = ?1"))
                .bind(&[case_id.into()])?,
        );
    }
    for ((table, _, seq), rows) in TABLES.iter().zip(&tables) {
        for row in rows {
            statements.push(insert(&target.db, table, row, *seq == Seq::Local)?);
        }
    }
    target.db.batch(statements).await?;
    Ok(())
}

fn insert(
    db: &D1Database,
    table: &str,
    row: &Map<String, Value>,
    drop_seq: bool,
) -> ApiResult<D1PreparedStatement> {
    let cols: Vec<&String> = row
        .keys()
        .filter(|k| !(drop_seq && k.as_str() == "seq"))
        .collect();
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let binds: Vec<JsValue> = cols.iter().map(|c| js(&row[c.as_str()])).collect();
    Ok(db
        .prepare(format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            cols.iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            params.join(", ")
        ))
        .bind(&binds)?)
}
