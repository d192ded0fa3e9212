//! Moving a record between shards (issue 23): D1 has no transaction across databases, so a move is a sequence of
//! steps, each safe to repeat, recorded in the core's `record_moves` (migration 0710): copy the record and
//! everything that hangs off it into the target shard under the move's id → switch the routing entry → delete the
//! source's rows → done. A move cut off at any step is resumed (by the next request that moves the record, and by
//! the cron's sweep of unfinished moves) from the step it reached.
//!
//! TODO(helper C): implement. The interface below is what the handlers call.

use shared::shard::ShardId;

use super::shards::Stores;
use crate::error::ApiResult;

/// Test-only interruptions (a test edge only): stop after a step, as if the worker had died there.
pub struct Hooks {
    /// Stop (answer an error, leaving the state as it is) after this step: 1 = copied, 2 = switched, 3 = deleted.
    pub stop_after: Option<u8>,
}

impl Hooks {
    pub fn none() -> Self {
        Hooks { stop_after: None }
    }
}

/// Moves the record `case_id` (with its history, status, notification and its events and notices, observation,
/// reports and alerts, sync records, self-registration links, phone passkeys, and the shard's audit rows about it)
/// from shard `from` to shard `to`, or finishes an unfinished move of it. Idempotent.
pub async fn move_record(
    stores: &Stores,
    case_id: &str,
    from: &ShardId,
    to: &ShardId,
    hooks: &Hooks,
) -> ApiResult<()> {
    let _ = (stores, case_id, from, to, hooks);
    Ok(())
}

/// Resumes every unfinished move (the cron).
pub async fn resume_all(stores: &Stores) -> ApiResult<usize> {
    let _ = stores;
    Ok(0)
}
