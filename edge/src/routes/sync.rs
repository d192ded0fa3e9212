//! Drive-through sync (`POST /api/sync`) and the device key (`POST /api/me/device-key`), issue 9.
//!
//! A batch holds up to `BATCH_MAX` records of one protocol. Each is decoded, checked and answered on its own
//! (`applied`, `conflict` or `rejected`), so one bad record never holds up the others. A record is written at most
//! once per version: `sync_records.client_id` is the primary key (a second create of the same id fails its batch),
//! and a version the server already holds is answered `applied` with `replayed: true`. A change to a record that was
//! edited on the server since the device last saw it is never applied: the answer names the differing fields.
//!
//! The whole batch is tried as one D1 batch (one transaction); if that fails (a concurrent sync of the same id, a
//! スマホ入力ID collision) every record is retried alone, so the answer is still per record.

use serde_json::{json, Map, Value};
use shared::api::sync::{
    DeviceKey, DeviceKeyRequest, DriveRecord, Outcome, RecordResult, SyncAnswer, SyncBatch,
    ACCEPTED_PROTOCOLS, BATCH_MAX, PROTOCOL,
};
use shared::case::smartphone_id;
use shared::case::status::CaseStatus;
use shared::case::tabs::{self, Tab};
use shared::drive::{self, DecodeError};
use shared::error::ErrorCode;
use shared::notification::validate::{IssueSeverity, IssueView};
use worker::{Context, D1Database, D1PreparedStatement, Env, Request, Response};

use crate::caller::Staff;
use crate::crypto::{b64url, random_bytes};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{json_body, json_body_up_to, text_field, MAX_SYNC_BODY_BYTES};
use crate::store::audit::{self, seal_later};
use crate::store::cases::{
    self as cases, id_columns, parse_tabs, Base, Change, NewCase, NewStatus, VersionEntry,
    VersionedWrite,
};
use crate::store::shards::{each, Refs, Shard};
use crate::store::sync::{self as store, Existing, Specimen};
use crate::store::{changes, institutions};
use shared::time::today_jst;

fn rejected(rec: Option<&DriveRecord>, code: ErrorCode, issues: Vec<IssueView>) -> RecordResult {
    RecordResult {
        client_id: rec.map(|r| r.client_id.clone()).unwrap_or_default(),
        version: rec.map_or(0, |r| r.version),
        outcome: Outcome::Rejected {
            code: code.as_str().to_owned(),
            message: code.message_ja().to_owned(),
            issues,
        },
    }
}

fn issue(field: &str, message: &str) -> IssueView {
    IssueView {
        severity: IssueSeverity::Error,
        code: "invalid".into(),
        field: field.into(),
        message: message.into(),
    }
}

/// The rows already synced of these client ids, each with the index (in `shards`) of the shard that holds it: a
/// record stays where its health center is, which a transfer may have changed.
async fn existing(shards: &[Shard], ids: &[&str]) -> ApiResult<Vec<(usize, Existing)>> {
    Ok(each(shards, |shard| store::existing(&shard.db, ids))
        .await?
        .into_iter()
        .enumerate()
        .flat_map(|(i, rows)| rows.into_iter().map(move |r| (i, r)))
        .collect())
}

/// What the sync row keeps of a device's record.
fn specimen(rec: &DriveRecord) -> Specimen<'_> {
    Specimen {
        client_id: &rec.client_id,
        client_version: i64::from(rec.version),
        code: &rec.specimen.code,
        collected_at: rec.specimen.collected_at,
        result: rec.result.as_ref().map(|r| r.result.as_str()),
        result_at: rec.result.as_ref().map(|r| r.at),
    }
}

/// A checked record with the tabs it writes.
struct Ready {
    rec: DriveRecord,
    id_tab: Value,
    test: Value,
}

/// Decodes and checks one record: its own rules, then the tabs' validation of what it would write.
fn check_record(
    protocol: u32,
    raw: &Value,
    now: i64,
    hcs: &[String],
) -> Result<Ready, RecordResult> {
    let rec = match drive::decode(protocol, raw) {
        Ok(r) => r,
        Err(DecodeError::Shape(detail)) => {
            // The serde message may quote a value: only its kind goes back, never into the log.
            let field = raw
                .get("client_id")
                .and_then(Value::as_str)
                .filter(|s| drive::client_id_ok(s))
                .unwrap_or("");
            let _ = detail;
            return Err(RecordResult {
                client_id: field.to_owned(),
                version: raw.get("version").and_then(Value::as_u64).unwrap_or(0) as u32,
                outcome: Outcome::Rejected {
                    code: ErrorCode::ValidationFailed.as_str().into(),
                    message: "記録の形式が正しくありません。".into(),
                    issues: vec![],
                },
            });
        }
        Err(DecodeError::Protocol(_)) => {
            return Err(rejected(None, ErrorCode::SyncProtocolUnsupported, vec![]))
        }
    };
    let mut issues: Vec<IssueView> = drive::check(&rec, now)
        .into_iter()
        .map(|(field, msg)| issue(&field, &msg))
        .collect();
    for (value, max, field) in [
        (&rec.site.name, 60, "site.name"),
        (&rec.site.staff, 60, "site.staff"),
    ] {
        if !value.is_empty() && text_field(value, max, field).is_err() {
            issues.push(issue(
                field,
                "使用できない文字が含まれているか、長すぎます。",
            ));
        }
    }
    if !hcs.contains(&rec.health_center_id) {
        issues.push(issue(
            "health_center_id",
            "担当保健所を選択し直してください。",
        ));
    }
    if !issues.is_empty() {
        return Err(rejected(Some(&rec), ErrorCode::ValidationFailed, issues));
    }
    let today = today_jst(now);
    let id_tab = drive::id_tab(&rec.person, None);
    let id_tab = match tabs::clean(Tab::Id, &id_tab, today) {
        Ok(v) => v,
        Err(found) => {
            let found = found
                .into_iter()
                .map(|mut i| {
                    // The tab's paths (phone1) in the record's terms (person.phone).
                    let key = if i.field == "phone1" {
                        "phone"
                    } else {
                        i.field.as_str()
                    };
                    i.field = format!("person.{key}");
                    i
                })
                .collect();
            return Err(rejected(Some(&rec), ErrorCode::ValidationFailed, found));
        }
    };
    let test = match tabs::clean(
        Tab::Tests,
        &json!({ "tests": [drive::test_entry(&rec)] }),
        today,
    ) {
        Ok(mut cleaned) => cleaned["tests"][0].take(),
        Err(found) => return Err(rejected(Some(&rec), ErrorCode::ValidationFailed, found)),
    };
    Ok(Ready { rec, id_tab, test })
}

/// What one record writes, and which statement decides whether it took effect.
struct Plan {
    index: usize,
    statements: Vec<D1PreparedStatement>,
    /// Position (in `statements`) of the INSERT or UPDATE of `cases`.
    decisive: usize,
    answer: Outcome,
}

async fn plan_create(
    c: &Staff,
    ready: &Ready,
    institution: &str,
    pref: &str,
    now: i64,
) -> ApiResult<Plan> {
    let rec = &ready.rec;
    let case_id = format!("n_{}", crate::crypto::token()?);
    // Routed to the clinic's prefecture's shard (the one the caller batches into), numbered across shards.
    let (shard, seq) = c.stores.route_new(&case_id, pref, now).await?;
    let db = &shard.db;
    let phone_id = smartphone_id(random_bytes::<8>()?);
    let cols = id_columns(&ready.id_tab);
    let user = c.principal.user_id.as_str();
    let tabs_json = json!({ "id": ready.id_tab, "tests": { "tests": [ready.test] } }).to_string();
    let date = drive::jst_date(rec.specimen.collected_at)
        .map(|d| d.to_string())
        .unwrap_or_default();
    let mut event = c.event("drive_sync_create", "ok").target(case_id.as_str());
    event.health_center_id = Some(rec.health_center_id.clone());
    let status = CaseStatus::SpecimenCollected.as_str();
    let statements = vec![
        cases::insert_case(
            db,
            &NewCase {
                seq,
                id: &case_id,
                smartphone_id: &phone_id,
                institution_id: Some(institution),
                health_center_id: &rec.health_center_id,
                pref_code: pref,
                columns: &cols,
                filed: None,
                status: Some(status),
                create_key: None,
                tabs: &tabs_json,
                user,
                now,
            },
        )?,
        cases::version_entry(
            db,
            &VersionEntry {
                case_id: &case_id,
                part: "create",
                what: "ドライブスルー検査で受付",
                previous: None,
                at: now,
                by: user,
            },
            Base::New,
        )?,
        cases::status_entry(
            db,
            &NewStatus::plain(&case_id, status, &date, now, user),
            None,
        )?,
        store::insert_record(db, &specimen(rec), institution, user, &case_id, now)?,
        audit::batch_entry(db, &event, now)?,
    ];
    Ok(Plan {
        index: 0,
        statements,
        decisive: 0,
        answer: Outcome::Applied {
            case_id,
            // Only the managing health center sees the スマホ入力ID (a credential for the patient's phone).
            smartphone_id: String::new(),
            case_version: 1,
            replayed: false,
        },
    })
}

/// What the server answers for a record it has seen, or the plan of the change to apply.
fn plan_existing(
    c: &Staff,
    db: &D1Database,
    ready: &Ready,
    ex: &Existing,
    institution: &str,
    now: i64,
) -> ApiResult<Result<Plan, RecordResult>> {
    let rec = &ready.rec;
    let answer = |outcome| RecordResult {
        client_id: rec.client_id.clone(),
        version: rec.version,
        outcome,
    };
    if ex.institution_id != institution {
        return Ok(Err(rejected(Some(rec), ErrorCode::Forbidden, vec![])));
    }
    if i64::from(rec.version) <= ex.client_version {
        return Ok(Err(answer(Outcome::Applied {
            case_id: ex.case_id.clone(),
            smartphone_id: String::new(),
            // The version this device's own last write produced, not the current one: a change made by someone
            // else since must still come back as a conflict on the device's next version.
            case_version: ex.synced_version,
            replayed: true,
        })));
    }
    if ex.deleted_at.is_some() {
        return Ok(Err(RecordResult {
            client_id: rec.client_id.clone(),
            version: rec.version,
            outcome: Outcome::Rejected {
                code: ErrorCode::NotFound.as_str().into(),
                message: "この記録はサーバーで削除されています。保健所の管理者に確認してください。"
                    .into(),
                issues: vec![],
            },
        }));
    }
    let all = parse_tabs(&ex.tabs);
    let tests: Vec<Value> = all
        .get("tests")
        .and_then(|t| t.get("tests"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // This specimen's 検査 entry: found by its code (others may have added, removed or reordered entries).
    let index = find_entry(&tests, &ex.specimen_code, ex.test_index);
    // Changed by someone else since this device's last write, and not resolved by a person against this version.
    if ex.version != ex.synced_version && rec.base_case_version != Some(ex.version) {
        let fields = drive::conflicts(rec, all.get("id"), index.and_then(|i| tests.get(i)));
        if !fields.is_empty() {
            return Ok(Err(answer(Outcome::Conflict {
                case_id: ex.case_id.clone(),
                case_version: ex.version,
                updated_by_name: ex.updated_by_name.clone().unwrap_or_default(),
                updated_at: ex.updated_at,
                fields,
            })));
        }
        // Changed on the server, but nothing the device holds differs: the device's version is taken as is.
    }
    let mut new_all: Map<String, Value> = all.clone();
    // The person's items over the server's ID管理 tab (what only the server holds stays), and the device's items
    // over this specimen's entry (the entry's other items, and a note written on the server, stay).
    let id_tab = drive::id_tab(&ready.rec.person, all.get("id"));
    let id_tab = match tabs::clean(Tab::Id, &id_tab, today_jst(now)) {
        Ok(v) => v,
        Err(found) => return Ok(Err(rejected(Some(rec), ErrorCode::ValidationFailed, found))),
    };
    let mut new_tests = tests.clone();
    let index = match index {
        Some(i) => {
            let mut merged = new_tests[i].as_object().cloned().unwrap_or_default();
            for (k, v) in ready.test.as_object().cloned().unwrap_or_default() {
                if k != "note" || !merged.contains_key("note") {
                    merged.insert(k, v);
                }
            }
            new_tests[i] = Value::Object(merged);
            i
        }
        None => {
            new_tests.push(ready.test.clone());
            new_tests.len() - 1
        }
    };
    if let Err(found) = tabs::clean(Tab::Tests, &json!({ "tests": new_tests }), today_jst(now)) {
        return Ok(Err(rejected(Some(rec), ErrorCode::ValidationFailed, found)));
    }
    new_all.insert("id".into(), id_tab.clone());
    new_all.insert("tests".into(), json!({ "tests": new_tests }));
    let previous = json!({ "id": all.get("id"), "tests": all.get("tests") }).to_string();
    let version = ex.version;
    let user = c.principal.user_id.as_str();
    let case_id = ex.case_id.as_str();
    let cols = id_columns(&id_tab);
    let tabs_json = Value::Object(new_all).to_string();
    let mut event = c.event("drive_sync_update", "ok").target(case_id);
    event.health_center_id = Some(rec.health_center_id.clone());
    let mut w = VersionedWrite {
        id: case_id,
        version,
        part: "drive",
        what: "ドライブスルー検査の記録を更新（ID管理・検査）",
        previous: Some(&previous),
        change: Change::Tabs {
            tabs: &tabs_json,
            id: Some(&cols),
        },
        then: Vec::new(),
        event,
        user,
        now,
    };
    let done = w.written();
    w.then.push(store::update_record(
        db,
        &done,
        &specimen(rec),
        index as i64,
    )?);
    let statements = cases::versioned_statements(db, w)?;
    Ok(Ok(Plan {
        index: 0,
        statements,
        decisive: cases::DECISIVE,
        answer: Outcome::Applied {
            case_id: ex.case_id.clone(),
            smartphone_id: String::new(),
            case_version: version + 1,
            replayed: false,
        },
    }))
}

/// The 検査 entry of the specimen with this code (its 検体コード item): the stored position if it still holds it,
/// else wherever it is now; `None` if it is gone (deleted, or its code changed, on the server): the device's entry
/// is then added again.
fn find_entry(tests: &[Value], code: &str, stored: i64) -> Option<usize> {
    let shown = drive::display_code(code);
    let holds = |t: &Value| t.get("specimen_code").and_then(Value::as_str) == Some(shown.as_str());
    usize::try_from(stored)
        .ok()
        .filter(|&i| tests.get(i).is_some_and(holds))
        .or_else(|| tests.iter().position(holds))
}

/// One record on its own: read, plan, write; a lost race is re-read and answered from what won.
async fn apply_one(
    c: &Staff,
    shards: &[Shard],
    home: usize,
    ready: &Ready,
    institution: &str,
    pref: &str,
    now: i64,
) -> ApiResult<RecordResult> {
    let rec = &ready.rec;
    for _ in 0..3 {
        let ex = existing(shards, &[rec.client_id.as_str()]).await?;
        let (at, plan) = match ex.first() {
            Some((at, ex)) => match plan_existing(c, &shards[*at].db, ready, ex, institution, now)?
            {
                Ok(plan) => (*at, plan),
                Err(answer) => return Ok(answer),
            },
            None => (home, plan_create(c, ready, institution, pref, now).await?),
        };
        c.writing(
            &shards[at],
            Refs::default().health_center(&rec.health_center_id),
        )
        .await?;
        match shards[at].db.batch(plan.statements).await {
            Ok(results) if results.get(plan.decisive).map(changes) == Some(1) => {
                return Ok(RecordResult {
                    client_id: rec.client_id.clone(),
                    version: rec.version,
                    outcome: plan.answer,
                })
            }
            // Lost a race (the record moved on meanwhile, or the id was created by a concurrent sync):
            // read again and answer from the state that won.
            Ok(_) => {}
            Err(e) => worker::console_log!("drive sync retried one record: {e}"),
        }
    }
    Ok(rejected(Some(rec), ErrorCode::Internal, vec![]))
}

/// `POST /api/sync`.
pub async fn sync(c: Staff, mut req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    let institution = match c.filing_institution() {
        Ok((i, _)) => i.to_owned(),
        Err(e) => {
            c.log(c.event("drive_sync", "forbidden")).await?;
            return Err(e);
        }
    };
    let body: SyncBatch = json_body_up_to(&mut req, MAX_SYNC_BODY_BYTES).await?;
    if !ACCEPTED_PROTOCOLS.contains(&body.protocol) {
        return Err(ApiError::with_reason(
            ErrorCode::SyncProtocolUnsupported,
            "protocol",
            "protocol not accepted",
        ));
    }
    if body.records.len() > BATCH_MAX {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "records",
            "too many records in one batch",
        ));
    }
    let now = now_ms();
    let pref = c
        .principal
        .jurisdiction
        .pref_code()
        .unwrap_or_default()
        .to_owned();
    let hcs: Vec<String> = institutions::health_centers_in(&c.core, &pref)
        .await?
        .into_iter()
        .map(|h| h.id)
        .collect();

    let mut results: Vec<Option<RecordResult>> = vec![None; body.records.len()];
    let mut ready: Vec<(usize, Ready)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, raw) in body.records.iter().enumerate() {
        match check_record(body.protocol, raw, now, &hcs) {
            Ok(r) if !seen.insert(r.rec.client_id.clone()) => {
                results[i] = Some(rejected(
                    Some(&r.rec),
                    ErrorCode::ValidationFailed,
                    vec![issue(
                        "client_id",
                        "同じ記録が一度の送信に二度含まれています。",
                    )],
                ));
            }
            Ok(r) => ready.push((i, r)),
            Err(answer) => results[i] = Some(answer),
        }
    }

    // Everything at once in one D1 batch; on any failure, record by record.
    let ids: Vec<&str> = ready
        .iter()
        .map(|(_, r)| r.rec.client_id.as_str())
        .collect();
    // The clinic's prefecture's shard takes new records (and is batched); a record found in another shard (moved
    // there by a transfer) is written there, on its own below.
    let shards = c.stores.all()?;
    let home_id = c.stores.map().for_pref(&pref).clone();
    let home = shards.iter().position(|s| s.id == home_id).unwrap_or(0);
    let mut refs = Refs::default();
    for (_, r) in &ready {
        refs = refs.health_center(&r.rec.health_center_id);
    }
    c.writing(&shards[home], refs).await?;
    let known = existing(&shards, &ids).await?;
    let mut plans: Vec<Plan> = Vec::new();
    for (i, r) in &ready {
        let plan = match known.iter().find(|(_, e)| e.client_id == r.rec.client_id) {
            Some((at, _)) if *at != home => continue,
            Some((_, ex)) => match plan_existing(&c, &shards[home].db, r, ex, &institution, now)? {
                Ok(p) => p,
                Err(answer) => {
                    results[*i] = Some(answer);
                    continue;
                }
            },
            None => plan_create(&c, r, &institution, &pref, now).await?,
        };
        plans.push(Plan { index: *i, ..plan });
    }
    if !plans.is_empty() {
        let mut statements = Vec::new();
        let mut decisive = Vec::new();
        let mut answers = Vec::new();
        for p in plans {
            decisive.push((p.index, statements.len() + p.decisive));
            statements.extend(p.statements);
            answers.push(p.answer);
        }
        let outcome = shards[home].db.batch(statements).await;
        match outcome {
            Ok(res) => {
                for ((index, at), answer) in decisive.into_iter().zip(answers) {
                    if res.get(at).map(changes) == Some(1) {
                        let rec = &ready.iter().find(|(i, _)| *i == index).map(|(_, r)| r);
                        if let Some(r) = rec {
                            results[index] = Some(RecordResult {
                                client_id: r.rec.client_id.clone(),
                                version: r.rec.version,
                                outcome: answer,
                            });
                        }
                    }
                }
            }
            Err(e) => worker::console_log!("drive sync batch fell back to one by one: {e}"),
        }
        for (i, r) in &ready {
            if results[*i].is_none() {
                results[*i] =
                    Some(apply_one(&c, &shards, home, r, &institution, &pref, now).await?);
            }
        }
    }
    seal_later(env, ctx);
    let results: Vec<RecordResult> = results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| rejected(None, ErrorCode::Internal, vec![])))
        .collect();
    let applied = results
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                Outcome::Applied {
                    replayed: false,
                    ..
                }
            )
        })
        .count();
    // One entry for the batch (the records have theirs): counts only.
    let mut event = c.event("drive_sync", "ok");
    event.target = Some(format!("records={} applied={applied}", results.len()));
    c.log(event).await?;
    Ok(Response::from_json(&SyncAnswer {
        protocol: PROTOCOL,
        results,
    })?)
}

/// `POST /api/me/device-key`: created on first use per user and device; released only to that user's session.
pub async fn device_key(c: Staff, mut req: Request) -> ApiResult<Response> {
    // Only drive-through mode uses it: medical institutions' accounts.
    if let Err(e) = c.filing_institution() {
        c.log(c.event("device_key_release", "forbidden")).await?;
        return Err(e);
    }
    let body: DeviceKeyRequest = json_body(&mut req).await?;
    if !drive::client_id_ok(&body.device_id) {
        return Err(ApiError::with_reason(
            ErrorCode::ValidationFailed,
            "device_id",
            "bad device id",
        ));
    }
    let now = now_ms();
    let user = c.principal.user_id.as_str();
    let fresh = b64url(&random_bytes::<32>()?);
    let key = store::release_device_key(&c.core, user, &body.device_id, &fresh, now)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Internal))?;
    c.log(
        c.event("device_key_release", "ok")
            .target(body.device_id.as_str()),
    )
    .await?;
    Ok(Response::from_json(&DeviceKey { key })?)
}
