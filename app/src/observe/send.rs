//! Sending the waiting reports: `POST /api/observe/reports` in batches of at most [`REPORT_BATCH_MAX`]. A report
//! leaves the phone only when the server answered `accepted` for its client id (a resend of an accepted one is
//! accepted again and stored once, so an answer lost on the way loses nothing and doubles nothing). A refused
//! report stays with its reasons for the person to correct; it is not sent again unchanged.

use std::collections::HashSet;

use dioxus::prelude::*;
use shared::api::observation::{ReportBatch, ReportOutcome, ReportResult, REPORT_BATCH_MAX};
use shared::error::ErrorCode;
use shared::observation::ReportIssue;

use super::{store, ObsCtx};
use crate::api::{self, ApiFailure};

const NO_SIGNAL: &str =
    "電波が届かないため送信できませんでした。報告はこの端末に保存してあり、電波が戻ると自動で送信します。";

/// Sends everything waiting. One run at a time: a call while one runs makes that run go round once more.
pub async fn flush(ctx: ObsCtx) {
    let (mut sending, mut again) = (ctx.sending, ctx.again);
    if *sending.peek() {
        again.set(true);
        return;
    }
    if ctx.me.peek().is_none() {
        return;
    }
    sending.set(true);
    loop {
        again.set(false);
        let stopped = run(ctx).await;
        if stopped || !*again.peek() {
            break;
        }
    }
    sending.set(false);
}

/// One pass over the queue; `true` if it stopped before the end (no signal, session ended, server error).
async fn run(ctx: ObsCtx) -> bool {
    let (mut queue, mut note) = (ctx.queue, ctx.send_note);
    let mut tried: HashSet<String> = HashSet::new();
    loop {
        let chunk: Vec<_> = queue
            .peek()
            .iter()
            .filter(|q| !q.rejected() && !tried.contains(q.id()))
            .take(REPORT_BATCH_MAX)
            .map(|q| q.upload.clone())
            .collect();
        if chunk.is_empty() {
            note.set(None);
            return false;
        }
        tried.extend(chunk.iter().map(|u| u.client_id.clone()));
        let ids: HashSet<String> = chunk.iter().map(|u| u.client_id.clone()).collect();
        let batch = ReportBatch { reports: chunk };
        let failed = match api::observe::send_reports(&batch).await {
            Ok(answer) => {
                apply(ctx, answer.results).await;
                continue;
            }
            Err(ApiFailure::Network) => NO_SIGNAL.to_owned(),
            Err(e) if e.code() == Some(ErrorCode::Unauthenticated) => {
                ctx.session_ended();
                "もう一度「はじめる」を押すと送信します（報告はこの端末に保存してあります）。"
                    .to_owned()
            }
            Err(e) => format!(
                "送信できませんでした：{}（報告はこの端末に保存してあります）",
                e.message()
            ),
        };
        for q in queue.write().iter_mut().filter(|q| ids.contains(q.id())) {
            q.attempts += 1;
        }
        note.set(Some(failed));
        return true;
    }
}

/// Applies the server's answers: accepted ones leave the phone, refused ones keep their reasons.
async fn apply(ctx: ObsCtx, results: Vec<ReportResult>) {
    let (mut queue, mut me, mut urgent) = (ctx.queue, ctx.me, ctx.urgent);
    let mut me_changed = false;
    for r in results {
        let Some(pos) = queue.peek().iter().position(|q| q.id() == r.client_id) else {
            continue;
        };
        match r.outcome {
            ReportOutcome::Accepted => {
                // The person's list first, then the queue: the screens never see the report gone and the slot
                // still owed.
                let q = queue.peek()[pos].clone();
                let tag = format!("{}/{}", q.upload.report.date, q.upload.report.slot.as_str());
                if let Some(m) = me.write().as_mut() {
                    if let Some(p) = m.people.iter_mut().find(|p| p.id == q.upload.person) {
                        if !p.reported.contains(&tag) {
                            p.reported.push(tag);
                            me_changed = true;
                        }
                    }
                }
                if r.urgent && !urgent.peek().contains(&q.upload.person) {
                    urgent.write().push(q.upload.person.clone());
                }
                queue.write().remove(pos);
                // If this fails the report stays in the store and is sent again on the next start: the server
                // answers `accepted` for the same client id and stores nothing twice.
                let _ = store::delete_report(q.id()).await;
            }
            ReportOutcome::Rejected => {
                let mut issues = r.issues;
                if issues.is_empty() {
                    issues.push(ReportIssue {
                        field: String::new(),
                        message: "この報告は受け付けられませんでした。".into(),
                    });
                }
                let updated = {
                    let mut w = queue.write();
                    w[pos].issues = issues;
                    w[pos].clone()
                };
                if store::put_report(&updated).await.is_err() {
                    let mut ok = ctx.store_ok;
                    ok.set(false);
                }
            }
        }
    }
    if me_changed {
        if let Some(m) = me.peek().clone() {
            let _ = store::put_me(&m).await;
        }
    }
}
