//! The sync engine: the device's records not yet confirmed go to `POST /api/sync` in batches of at most
//! `BATCH_MAX`, and each answer is stored before the next batch goes. A batch that gets no answer (network gone,
//! server stopped) changes nothing on the device: it is sent again later, and the server applies each record at
//! most once (`client_id` + `version`), so nothing is lost or doubled. Records are removed from the device only
//! by 「会場を閉じる」, and only those the server confirmed.

use std::collections::HashSet;

use dioxus::prelude::*;
use shared::api::sync::{Outcome, SyncBatch, BATCH_MAX, PROTOCOL};
use shared::error::ErrorCode;

use super::{now_ms, DriveCtx, Entry, SyncState};
use crate::api::{self, ApiFailure};

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub sent: usize,
    pub applied: usize,
    pub conflicts: usize,
    pub rejected: usize,
    /// The run stopped before everything was sent (network, sign-in, refused batch).
    pub stopped: bool,
}

/// The records to send: waiting ones (not those refused or in conflict, which a person must look at first),
/// oldest first.
fn waiting(entries: &[Entry]) -> Vec<Entry> {
    let mut out: Vec<Entry> = entries
        .iter()
        .filter(|e| e.sync == SyncState::Pending)
        .cloned()
        .collect();
    out.sort_by_key(|e| e.no);
    out
}

/// Applies one answer to the device's copy as it is now (it may have been edited while the batch was out).
fn apply(current: &Entry, sent_version: u32, outcome: Outcome) -> Entry {
    let mut e = current.clone();
    let same = e.record.version == sent_version;
    match outcome {
        Outcome::Applied {
            case_id,
            smartphone_id,
            case_version,
            ..
        } => {
            e.case_id = Some(case_id);
            e.smartphone_id = Some(smartphone_id);
            // The server's record now includes this write: the next change builds on it.
            e.record.base_case_version = Some(case_version);
            e.synced_version = e.synced_version.max(sent_version);
            if same {
                e.sync = SyncState::Synced;
            }
        }
        Outcome::Conflict {
            case_id,
            case_version,
            updated_by_name,
            updated_at,
            fields,
        } => {
            if e.case_id.is_none() {
                e.case_id = Some(case_id.clone());
            }
            e.sync = SyncState::Conflict {
                case_id,
                case_version,
                updated_by_name,
                updated_at,
                fields,
            };
        }
        Outcome::Rejected {
            code,
            message,
            issues,
        } => {
            // A record edited since it was sent goes again as it is now; a server failure is not the record's
            // fault: it stays waiting and goes again.
            if same && code != "INTERNAL" {
                e.sync = SyncState::Error {
                    code,
                    message,
                    issues: issues.into_iter().map(|i| (i.field, i.message)).collect(),
                };
            }
        }
    }
    e
}

/// Sends what is waiting, oldest first, one batch after another. One run at a time; returns at once if one is
/// running.
pub async fn run(ctx: DriveCtx) -> Report {
    let mut report = Report::default();
    let (mut syncing, mut note, mut need_sign_in) = (ctx.syncing, ctx.sync_note, ctx.need_sign_in);
    if *syncing.peek() {
        return report;
    }
    syncing.set(true);
    // Each (record, version) goes at most once per run; a record saved while a batch is out goes in the next.
    let mut tried: HashSet<(String, u32)> = HashSet::new();
    loop {
        let chunk: Vec<Entry> = waiting(&ctx.entries.peek())
            .into_iter()
            .filter(|e| !tried.contains(&(e.id().to_owned(), e.record.version)))
            .take(BATCH_MAX)
            .collect();
        if chunk.is_empty() {
            break;
        }
        tried.extend(chunk.iter().map(|e| (e.id().to_owned(), e.record.version)));
        let records: Vec<serde_json::Value> = chunk
            .iter()
            .filter_map(|e| serde_json::to_value(&e.record).ok())
            .collect();
        let batch = SyncBatch {
            protocol: PROTOCOL,
            records,
        };
        let answer = match api::sync::send_batch(&batch).await {
            Ok(a) => a,
            Err(ApiFailure::Network) => {
                note.set(Some(
                    "サーバーに接続できないため送信を中断しました。記録は端末に残っており、通信が戻ると自動で送信します。"
                        .into(),
                ));
                report.stopped = true;
                break;
            }
            Err(e) if e.code() == Some(ErrorCode::Unauthenticated) => {
                need_sign_in.set(true);
                note.set(Some(
                    "サインインの期限が切れています。サインインし直すと送信できます（記録は端末に残っています）。"
                        .into(),
                ));
                report.stopped = true;
                break;
            }
            Err(e) if e.code() == Some(ErrorCode::SyncProtocolUnsupported) => {
                note.set(Some(format!(
                    "{} アプリを再読み込みして最新版にしてください（記録は端末に残っています）。",
                    e.message()
                )));
                report.stopped = true;
                break;
            }
            Err(e) => {
                note.set(Some(format!(
                    "送信できませんでした: {}（記録は端末に残っています）",
                    e.message()
                )));
                report.stopped = true;
                break;
            }
        };
        need_sign_in.set(false);
        report.sent += chunk.len();
        for r in &answer.results {
            match &r.outcome {
                Outcome::Applied { .. } => report.applied += 1,
                Outcome::Conflict { .. } => report.conflicts += 1,
                Outcome::Rejected { .. } => report.rejected += 1,
            }
        }
        // Applied to each entry as it is now: an edit made while the batch was out is kept (and goes next).
        let changes: Vec<_> = answer
            .results
            .into_iter()
            .map(|r| {
                let (version, outcome) = (r.version, r.outcome);
                (r.client_id, move |e: &mut Entry| {
                    *e = apply(e, version, outcome)
                })
            })
            .collect();
        let failed_store = ctx.update_many(changes).await.err();
        ctx.set_last_sync(now_ms());
        if let Some(e) = failed_store {
            // The server has them; the next run is answered "replayed" and stores it then.
            note.set(Some(e));
            report.stopped = true;
            break;
        }
    }
    if !report.stopped {
        note.set(None);
    }
    syncing.set(false);
    report
}
