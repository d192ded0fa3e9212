//! Notifications (発生届) and what hangs off them: `notifications`, `notification_events` (routing, receipt,
//! transfer), `submit_keys` (idempotent filing) and `outbox` (the notice e-mails).

use serde::Deserialize;
use serde_json::{Map, Value};
use shared::api::notifications::{Delivery, RoutingEvent};
use shared::case::status::CaseStatus;
use shared::error::ErrorCode;
use shared::kana::search_key;
use shared::notification::phone::PhoneNumber;
use shared::notification::Notification;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use crate::crypto::token;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, Event};
use crate::store::{cases, changes, f, institutions, observation, opt};

/// The notification's edit (PUT /api/cases/{id}/notification) is part of the record's versioned write: the
/// record's UPDATE decides, and the notification follows only once it took effect.
/// The filed notification's JSON.
pub async fn notification_body(db: &D1Database, id: &str) -> ApiResult<Option<String>> {
    #[derive(Deserialize)]
    struct Body {
        body: String,
    }
    let row: Option<Body> = db
        .prepare("SELECT body FROM notifications WHERE id = ?1")
        .bind(&[id.into()])?
        .first(None)
        .await?;
    Ok(row.map(|b| b.body))
}

/// The edited notification written over the filed one, once the versioned write `w` has taken effect.
pub fn notification_update(
    db: &D1Database,
    w: &cases::Written,
    notification: &Notification,
    filed: &cases::FiledColumns,
) -> ApiResult<D1PreparedStatement> {
    let form = notification.form();
    let phone = [
        &form.patient.address.phone,
        &form.patient.current_location.phone,
    ]
    .into_iter()
    .map(|p| shared::case::phone_digits(p))
    .find(|p| !p.is_empty())
    .unwrap_or_default();
    let mut binds: Vec<wasm_bindgen::JsValue> = vec![
        w.case_id.into(),
        notification.to_json().into(),
        opt(filed.category.as_deref()),
        form.patient.name.trim().into(),
        shared::case::furigana_key(&form.patient.furigana).into(),
        form.patient
            .date_of_birth
            .map(|d| d.to_string())
            .unwrap_or_default()
            .into(),
        phone.into(),
    ];
    let (cond, more) = w.guard(8);
    binds.extend(more);
    Ok(db
        .prepare(format!(
            "UPDATE notifications SET body = ?2, category = ?3, patient_name = ?4, furigana_key = ?5, \
             date_of_birth = ?6, phone_digits = ?7 WHERE id = ?1 AND {cond}"
        ))
        .bind(&binds)?)
}

/// What the access rule needs of a record's notification: every health center it has been routed or transferred
/// to, whether a health center has accepted (受理) it, and whether the one it is at now has accepted it since it
/// arrived (then the past ones stop reading it: `shared::auth::access`).
pub struct Trail {
    pub health_center_ids: Vec<String>,
    pub accepted: bool,
    pub accepted_where_it_is: bool,
}

pub async fn trail(db: &D1Database, id: &str) -> ApiResult<Trail> {
    #[derive(Deserialize)]
    struct Row {
        kind: String,
        health_center_id: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT kind, health_center_id FROM notification_events INDEXED BY notification_events_by_notification \
             WHERE notification_id = ?1 ORDER BY seq",
        )
        .bind(&[id.into()])?
        .all()
        .await?
        .results()?;
    Ok(trail_of(
        rows.iter()
            .map(|r| (r.kind.as_str(), r.health_center_id.as_str())),
    ))
}

/// The trail of a record's events `(kind, health center)`, oldest first.
fn trail_of<'a>(events: impl Iterator<Item = (&'a str, &'a str)>) -> Trail {
    let mut t = Trail {
        health_center_ids: Vec::new(),
        accepted: false,
        accepted_where_it_is: false,
    };
    for (kind, hc) in events {
        if !t.health_center_ids.iter().any(|h| h == hc) {
            t.health_center_ids.push(hc.to_owned());
        }
        match kind {
            // Arriving somewhere (filed there, or transferred there) starts a new hand-over.
            "routed" | "transferred" => t.accepted_where_it_is = false,
            "received" => {
                t.accepted = true;
                t.accepted_where_it_is = true;
            }
            _ => {}
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trail_knows_whether_the_current_center_has_taken_the_record_on() {
        let t = trail_of([("routed", "a"), ("received", "a"), ("transferred", "b")].into_iter());
        assert_eq!(t.health_center_ids, vec!["a", "b"]);
        assert!(t.accepted && !t.accepted_where_it_is);
        let t = trail_of(
            [
                ("routed", "a"),
                ("received", "a"),
                ("transferred", "b"),
                ("received", "b"),
            ]
            .into_iter(),
        );
        assert!(t.accepted && t.accepted_where_it_is);
        let t = trail_of(
            [
                ("routed", "a"),
                ("received", "a"),
                ("transferred", "b"),
                ("received", "b"),
                ("transferred", "a"),
            ]
            .into_iter(),
        );
        assert_eq!(t.health_center_ids, vec!["a", "b"]);
        assert!(
            !t.accepted_where_it_is,
            "back at a: a has not taken it on again yet"
        );
    }
}

/// The number people quote: the row's sequence, zero-padded.
pub fn number(seq: i64) -> String {
    format!("{seq:08}")
}

// ---------------------------------------------------------------------------------------------------------------
// Filing
// ---------------------------------------------------------------------------------------------------------------

/// The key of an earlier submit with the same idempotency key.
#[derive(Deserialize)]
pub struct SubmitKey {
    pub request_hash: String,
    pub notification_id: String,
}

pub async fn submit_key(db: &D1Database, user_id: &str, key: &str) -> ApiResult<Option<SubmitKey>> {
    Ok(db
        .prepare(
            "SELECT request_hash, notification_id FROM submit_keys WHERE user_id = ?1 AND idempotency_key = ?2",
        )
        .bind(&[user_id.into(), key.into()])?
        .first(None)
        .await?)
}

/// A residence's health center from the reference table (a transfer candidate noted on the filing).
pub struct Residence<'a> {
    pub health_center_id: &'a str,
    pub name: &'a str,
    pub pref_code: &'a str,
}

/// Everything a filing writes: the notification, its routing event, the notice e-mail, the idempotency key, the
/// patient record and the audit entry.
pub struct Filing<'a> {
    /// The notification's id (a new `n_…`, or the id of the record it completes).
    pub id: &'a str,
    /// Its number across shards (the routing entry's `seq`); `None`: the database numbers it (one database).
    pub seq: Option<i64>,
    pub notification: &'a Notification,
    /// The pre-notification record it completes: its status and tabs ([`crate::access::record_to_file`]).
    pub existing: Option<&'a (Option<CaseStatus>, Map<String, Value>)>,
    pub institution_id: &'a str,
    pub user_id: &'a str,
    pub pref_code: &'a str,
    /// Where it goes, and why.
    pub health_center_id: &'a str,
    pub routing_reason: &'a str,
    pub residence: Option<Residence<'a>>,
    pub idempotency_key: &'a str,
    pub request_hash: &'a str,
    /// The link of the notice e-mail.
    pub link: &'a str,
    pub now: i64,
    /// The audit entry, written in the same batch.
    pub event: &'a Event,
}

/// The statements of a filing, in one batch, and the index of the notification's INSERT (its `RETURNING seq`).
fn filing_statements(
    db: &D1Database,
    filing: &Filing,
) -> ApiResult<(Vec<D1PreparedStatement>, usize)> {
    let form = filing.notification.form();
    let phone_digits = [
        &form.patient.address.phone,
        &form.patient.current_location.phone,
    ]
    .into_iter()
    .find_map(|p| PhoneNumber::parse(p).ok())
    .map(|p| p.digits().to_owned())
    .unwrap_or_default();
    let dob = form
        .patient
        .date_of_birth
        .map(|d| d.to_string())
        .unwrap_or_default();
    let category = form
        .category
        .and_then(|c| serde_json::to_value(c).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    let now = filing.now;

    let mut statements = Vec::new();
    if let Some(r) = &filing.residence {
        // A residence health center not yet known to the store becomes a transfer target.
        statements.push(institutions::ensure_health_center(
            db,
            r.health_center_id,
            r.name,
            r.pref_code,
        )?);
    }
    let insert_at = statements.len();
    statements.push(
        db.prepare(
            "INSERT INTO notifications (id, form_version, body, category, patient_name, furigana_key, \
             date_of_birth, phone_digits, institution_id, filed_by_user_id, filed_at, pref_code, \
             health_center_id, routing_reason, residence_health_center_id, seq) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) RETURNING seq",
        )
        .bind(&[
            filing.id.into(),
            filing.notification.version().as_str().into(),
            filing.notification.to_json().into(),
            opt(category.as_deref()),
            form.patient.name.trim().into(),
            search_key(&form.patient.furigana).into(),
            dob.as_str().into(),
            phone_digits.as_str().into(),
            filing.institution_id.into(),
            filing.user_id.into(),
            f(now),
            filing.pref_code.into(),
            filing.health_center_id.into(),
            filing.routing_reason.into(),
            opt(filing.residence.as_ref().map(|r| r.health_center_id)),
            filing.seq.map_or(JsValue::NULL, f),
        ])?,
    );
    statements.push(
        db.prepare(
            "INSERT INTO notification_events (notification_id, kind, at, health_center_id, actor_user_id, reason) \
             VALUES (?1, 'routed', ?2, ?3, ?4, ?5)",
        )
        .bind(&[
            filing.id.into(),
            f(now),
            filing.health_center_id.into(),
            filing.user_id.into(),
            filing.routing_reason.into(),
        ])?,
    );
    statements.push(outbox_insert(
        db,
        filing.id,
        filing.health_center_id,
        filing.link,
        now,
    )?);
    statements.push(
        db.prepare(
            "INSERT INTO submit_keys (user_id, idempotency_key, request_hash, notification_id, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&[
            filing.user_id.into(),
            filing.idempotency_key.into(),
            filing.request_hash.into(),
            filing.id.into(),
            f(now),
        ])?,
    );
    statements.extend(cases::filing_statements(
        db,
        filing.existing.cloned(),
        filing.id,
        filing.notification,
        filing.institution_id,
        filing.health_center_id,
        filing.pref_code,
        filing.user_id,
        now,
        filing.seq,
    )?);
    statements.push(audit::batch_entry(db, filing.event, now)?);
    Ok((statements, insert_at))
}

/// What became of a filing.
pub enum Filed {
    /// Written now, with the notification's sequence number.
    New { seq: i64 },
    /// An earlier submit with the same idempotency key (its batch collided with this one's key).
    Repeat(SubmitKey),
}

/// Files in one batch, tried up to three times. A repeat is found by the batch failing on the key's primary key,
/// so the first submit pays no read.
pub async fn file(db: &D1Database, filing: &Filing<'_>) -> ApiResult<Filed> {
    for _ in 0..3 {
        let (statements, insert_at) = filing_statements(db, filing)?;
        match db.batch(statements).await {
            Ok(results) => {
                #[derive(Deserialize)]
                struct Seq {
                    seq: i64,
                }
                let seq = results
                    .get(insert_at)
                    .and_then(|r| r.results::<Seq>().ok())
                    .and_then(|rows| rows.first().map(|r| r.seq))
                    .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "no seq returned"))?;
                return Ok(Filed::New { seq });
            }
            Err(e) => {
                // A concurrent submit with the same key won: answer with its result. Otherwise try again (a
                // transient store error).
                if let Some(existing) =
                    submit_key(db, filing.user_id, filing.idempotency_key).await?
                {
                    return Ok(Filed::Repeat(existing));
                }
                worker::console_log!("notification batch retried: {e}");
            }
        }
    }
    Err(ApiError::with_detail(
        ErrorCode::Internal,
        "notification batch failed 3 times",
    ))
}

/// A filed notification as its filing answered.
#[derive(Deserialize)]
pub struct FiledRow {
    pub seq: i64,
    pub id: String,
    pub filed_at: i64,
    pub health_center_id: String,
    pub health_center_name: String,
    pub routing_reason: String,
    pub residence_health_center_name: Option<String>,
}

pub async fn filed(db: &D1Database, id: &str) -> ApiResult<Option<FiledRow>> {
    Ok(db
        .prepare(
            "SELECT n.seq, n.id, n.filed_at, n.health_center_id, h.name AS health_center_name, n.routing_reason, \
             r.name AS residence_health_center_name FROM notifications n \
             JOIN health_centers h ON h.id = n.health_center_id \
             LEFT JOIN health_centers r ON r.id = n.residence_health_center_id WHERE n.id = ?1",
        )
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

// ---------------------------------------------------------------------------------------------------------------
// Lists, one notification, its history, possible duplicates
// ---------------------------------------------------------------------------------------------------------------

/// Whose notifications a list shows.
#[derive(Clone, Copy)]
pub enum ListOf<'a> {
    /// A clinic's filings, newest first.
    Institution(&'a str),
    /// A health center's inbox, unread first.
    HealthCenter(&'a str),
    /// A prefecture's notifications, newest first.
    Prefecture(&'a str),
}

#[derive(Deserialize)]
pub struct SummaryRow {
    pub seq: i64,
    pub id: String,
    pub category: Option<String>,
    pub patient_name: String,
    pub institution_name: String,
    pub health_center_name: String,
    pub filed_at: i64,
    pub received_at: Option<i64>,
}

const SUMMARY_SELECT: &str = "SELECT n.seq, n.id, n.category, n.patient_name, i.name AS institution_name, \
     h.name AS health_center_name, n.filed_at, n.received_at FROM notifications n \
     JOIN cases c ON c.id = n.id AND c.deleted_at IS NULL \
     JOIN institutions i ON i.id = n.institution_id JOIN health_centers h ON h.id = n.health_center_id";

/// The notifications of live records (at most 100).
pub async fn list(db: &D1Database, of: ListOf<'_>) -> ApiResult<Vec<SummaryRow>> {
    let (sql, key) = match of {
        ListOf::Institution(id) => (
            format!(
                "{SUMMARY_SELECT} WHERE n.institution_id = ?1 ORDER BY n.filed_at DESC LIMIT 100"
            ),
            id,
        ),
        ListOf::HealthCenter(id) => (
            format!(
                "{SUMMARY_SELECT} WHERE n.health_center_id = ?1 \
                 ORDER BY n.received_at IS NOT NULL, n.filed_at DESC LIMIT 100"
            ),
            id,
        ),
        ListOf::Prefecture(code) => (
            format!("{SUMMARY_SELECT} WHERE n.pref_code = ?1 ORDER BY n.filed_at DESC LIMIT 100"),
            code,
        ),
    };
    Ok(db
        .prepare(sql)
        .bind(&[key.into()])?
        .all()
        .await?
        .results()?)
}

/// One notification with the names around it.
#[derive(Deserialize)]
pub struct RecordRow {
    pub seq: i64,
    pub id: String,
    pub body: String,
    pub institution_name: String,
    pub filed_by_name: String,
    pub filed_at: i64,
    pub health_center_id: String,
    pub health_center_name: String,
    pub routing_reason: String,
    pub residence_health_center_id: Option<String>,
    pub residence_health_center_name: Option<String>,
    pub received_at: Option<i64>,
    pub received_by_name: Option<String>,
}

pub async fn record(db: &D1Database, id: &str) -> ApiResult<Option<RecordRow>> {
    Ok(db
        .prepare(
            "SELECT n.seq, n.id, n.body, i.name AS institution_name, u.display_name AS filed_by_name, \
             n.filed_at, n.health_center_id, h.name AS health_center_name, n.routing_reason, \
             n.residence_health_center_id, r.name AS residence_health_center_name, n.received_at, \
             ru.display_name AS received_by_name \
             FROM notifications n JOIN institutions i ON i.id = n.institution_id \
             JOIN users u ON u.id = n.filed_by_user_id JOIN health_centers h ON h.id = n.health_center_id \
             LEFT JOIN health_centers r ON r.id = n.residence_health_center_id \
             LEFT JOIN users ru ON ru.id = n.received_by_user_id WHERE n.id = ?1",
        )
        .bind(&[id.into()])?
        .first(None)
        .await?)
}

/// The routing history of a notification (routed, received, transferred), oldest first.
pub async fn history(db: &D1Database, id: &str) -> ApiResult<Vec<RoutingEvent>> {
    #[derive(Deserialize)]
    struct Row {
        kind: String,
        at: i64,
        health_center_name: String,
        from_health_center_name: Option<String>,
        actor_name: String,
        reason: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT e.kind, e.at, h.name AS health_center_name, fh.name AS from_health_center_name, \
             u.display_name AS actor_name, e.reason FROM notification_events e \
             JOIN health_centers h ON h.id = e.health_center_id \
             LEFT JOIN health_centers fh ON fh.id = e.from_health_center_id \
             JOIN users u ON u.id = e.actor_user_id WHERE e.notification_id = ?1 ORDER BY e.seq",
        )
        .bind(&[id.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| RoutingEvent {
            kind: r.kind,
            at: r.at,
            health_center_name: r.health_center_name,
            from_health_center_name: r.from_health_center_name,
            actor_name: r.actor_name,
            reason: r.reason,
        })
        .collect())
}

/// The keys a possible duplicate shares with a new filing, and where to look.
pub struct Lookalike<'a> {
    pub date_of_birth: &'a str,
    /// The furigana's search key ('' to skip).
    pub furigana_key: &'a str,
    /// The phone's digits ('' to skip).
    pub phone_digits: &'a str,
    /// Among this institution's own filings (what its staff may open).
    pub institution_id: &'a str,
}

#[derive(Deserialize)]
pub struct DuplicateRow {
    pub seq: i64,
    pub id: String,
    pub patient_name: String,
    pub filed_at: i64,
    pub health_center_name: String,
    pub furigana_key: String,
}

/// The institution's notifications of live (not deleted) records that may be the same person: same birth date,
/// and same furigana or same phone (newest first, at most 20).
pub async fn duplicates(db: &D1Database, q: &Lookalike<'_>) -> ApiResult<Vec<DuplicateRow>> {
    Ok(db
        .prepare(
            "SELECT n.seq, n.id, n.patient_name, n.filed_at, h.name AS health_center_name, n.furigana_key \
             FROM notifications n JOIN cases c ON c.id = n.id AND c.deleted_at IS NULL \
             JOIN health_centers h ON h.id = n.health_center_id \
             WHERE n.date_of_birth = ?1 AND ((?2 <> '' AND n.furigana_key = ?2) OR (?3 <> '' AND n.phone_digits = ?3)) \
             AND n.institution_id = ?4 ORDER BY n.filed_at DESC LIMIT 20",
        )
        .bind(&[
            q.date_of_birth.into(),
            q.furigana_key.into(),
            q.phone_digits.into(),
            q.institution_id.into(),
        ])?
        .all()
        .await?
        .results()?)
}

// ---------------------------------------------------------------------------------------------------------------
// Receipt (受理) and transfer
// ---------------------------------------------------------------------------------------------------------------

/// A health center's first opening of a notification.
pub struct Receipt<'a> {
    pub id: &'a str,
    /// The health center the notification is at (the receipt applies only while it still is).
    pub health_center_id: &'a str,
    pub user_id: &'a str,
    pub now: i64,
    /// The audit entry, written in the same batch.
    pub event: &'a Event,
}

/// Marks the notification received, once (the first reader wins; the event is written only for them), tried up
/// to eight times. Whether a batch committed.
pub async fn mark_received(db: &D1Database, r: &Receipt<'_>) -> ApiResult<bool> {
    for _ in 0..8 {
        let statements = vec![
            db.prepare(
                "UPDATE notifications SET received_at = ?2, received_by_user_id = ?3 \
                 WHERE id = ?1 AND received_at IS NULL AND health_center_id = ?4",
            )
            .bind(&[
                r.id.into(),
                f(r.now),
                r.user_id.into(),
                r.health_center_id.into(),
            ])?,
            // Only when the UPDATE above took effect (this reader was first).
            db.prepare(
                "INSERT INTO notification_events (notification_id, kind, at, health_center_id, actor_user_id) \
                 SELECT ?1, 'received', ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM notifications \
                 WHERE id = ?1 AND received_at = ?2 AND received_by_user_id = ?4)",
            )
            .bind(&[
                r.id.into(),
                f(r.now),
                r.health_center_id.into(),
                r.user_id.into(),
            ])?,
            audit::batch_entry(db, r.event, r.now)?,
        ];
        if db.batch(statements).await.is_ok() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Holds once this transfer moved the notification: the guarded UPDATE stamps the row with the transfer's own
/// random token (`?1` id, `?2` token), and every later statement of the batch requires it. A transfer that lost a
/// race (its UPDATE matched nothing) therefore writes nothing, even when the winner was the same person in the same
/// millisecond (a guard on the event's time and actor, or on `changes()`, was not enough: a test saw two events).
pub const TRANSFERRED_GUARD: &str =
    "EXISTS (SELECT 1 FROM notifications WHERE id = ?1 AND transfer_token = ?2)";

/// A transfer of a notification (and its record and health observation) from one health center to another.
pub struct Transfer<'a> {
    pub id: &'a str,
    /// The health center it is at (the transfer applies only while it still is).
    pub from_health_center_id: &'a str,
    pub to_health_center_id: &'a str,
    pub user_id: &'a str,
    pub reason: &'a str,
    /// The link of the notice e-mail to the new health center.
    pub link: &'a str,
    pub now: i64,
    /// The audit entry, written only when this transfer moved it.
    pub event: &'a Event,
}

/// The statements of one attempt of a transfer, stamped `stamp`. The first is the guarded UPDATE of the
/// notification: it changed one row iff this transfer moved it; every other statement is guarded by
/// [`TRANSFERRED_GUARD`].
pub fn transfer_statements(
    db: &D1Database,
    t: &Transfer,
    stamp: &str,
) -> ApiResult<Vec<D1PreparedStatement>> {
    let mut statements = vec![
        db.prepare(
            "UPDATE notifications SET health_center_id = ?3, received_at = NULL, received_by_user_id = NULL, \
             pref_code = (SELECT pref_code FROM health_centers WHERE id = ?3), transfer_token = ?2 \
             WHERE id = ?1 AND health_center_id = ?4",
        )
        .bind(&[
            t.id.into(),
            stamp.into(),
            t.to_health_center_id.into(),
            t.from_health_center_id.into(),
        ])?,
        db.prepare(format!(
            "INSERT INTO notification_events (notification_id, kind, at, health_center_id, from_health_center_id, \
             actor_user_id, reason) SELECT ?1, 'transferred', ?3, ?4, ?5, ?6, ?7 WHERE {TRANSFERRED_GUARD}"
        ))
        .bind(&[
            t.id.into(),
            stamp.into(),
            f(t.now),
            t.to_health_center_id.into(),
            t.from_health_center_id.into(),
            t.user_id.into(),
            t.reason.into(),
        ])?,
        // The patient record follows its notification (and is then in the prefecture of its health center).
        cases::follow_transfer(db, t.id, stamp, t.to_health_center_id, TRANSFERRED_GUARD)?,
    ];
    // So does its health observation: new reports and open alerts land in the new center's queue.
    statements.extend(observation::follow_transfer(
        db,
        t.id,
        stamp,
        t.to_health_center_id,
        TRANSFERRED_GUARD,
    )?);
    // Only when this transfer took effect (a concurrent one may have moved it first).
    statements.push(
        db.prepare(format!(
            "INSERT INTO outbox (id, notification_id, health_center_id, status, next_attempt_at, link, created_at) \
             SELECT ?4, ?1, ?3, 'pending', ?5, ?6, ?5 WHERE {TRANSFERRED_GUARD}"
        ))
        .bind(&[
            t.id.into(),
            stamp.into(),
            t.to_health_center_id.into(),
            format!("o_{}", token()?).into(),
            f(t.now),
            t.link.into(),
        ])?,
    );
    // Recorded as done only when this transfer moved it (the loser of a race writes nothing).
    statements.push(audit::batch_entry_if(
        db,
        t.event,
        t.now,
        "EXISTS (SELECT 1 FROM notifications WHERE id = ?10 AND transfer_token = ?11)",
        &[t.id.into(), stamp.into()],
    )?);
    Ok(statements)
}

/// Transfers in one batch, tried up to eight times: whether this transfer moved it (`false`: another one had
/// already moved it, and this one wrote nothing).
pub async fn transfer(db: &D1Database, t: &Transfer<'_>) -> ApiResult<bool> {
    for _ in 0..8 {
        // A fresh stamp per attempt: an attempt whose commit went unseen cannot make a later one write twice.
        let stamp = token()?;
        match db.batch(transfer_statements(db, t, &stamp)?).await {
            // The guarded UPDATE (first statement): did this transfer move it, or had another one already?
            Ok(results) => return Ok(results.first().map_or(0, changes) == 1),
            // The record is moving between shards (store::moves): no retry will pass until it is done.
            Err(e) if e.to_string().contains("RECORD_MOVING") => return Err(e.into()),
            Err(_) => {}
        }
    }
    Err(ApiError::with_detail(
        ErrorCode::Internal,
        "transfer batch failed 8 times",
    ))
}

// ---------------------------------------------------------------------------------------------------------------
// Outbox: the notice e-mails (sent by crate::mail)
// ---------------------------------------------------------------------------------------------------------------

/// The outbox row for a notice to `health_center_id`.
fn outbox_insert(
    db: &D1Database,
    notification_id: &str,
    health_center_id: &str,
    link: &str,
    now: i64,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "INSERT INTO outbox (id, notification_id, health_center_id, status, next_attempt_at, link, created_at) \
             VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?4)",
        )
        .bind(&[
            format!("o_{}", token()?).into(),
            notification_id.into(),
            health_center_id.into(),
            f(now),
            link.into(),
        ])?)
}

/// The state of the latest notice e-mail of a record.
pub async fn delivery(db: &D1Database, notification_id: &str) -> ApiResult<Delivery> {
    #[derive(Deserialize)]
    struct Row {
        status: String,
    }
    let row: Option<Row> = db
        .prepare("SELECT status FROM outbox WHERE notification_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 1")
        .bind(&[notification_id.into()])?
        .first(None)
        .await?;
    Ok(match row.as_ref().map(|r| r.status.as_str()) {
        Some("sent") => Delivery::Sent,
        Some("failed") => Delivery::Failed,
        _ => Delivery::Pending,
    })
}

/// A notice due to be sent, with what it carries.
#[derive(Deserialize)]
pub struct DueNotice {
    pub id: String,
    pub attempts: i64,
    pub link: String,
    pub seq: i64,
    pub email: String,
    pub health_center_name: String,
}

/// The pending notices due at `now` and not held by a sender (oldest due first, at most 20).
pub async fn due_notices(db: &D1Database, now: i64) -> ApiResult<Vec<DueNotice>> {
    Ok(db
        .prepare(
            "SELECT o.id, o.attempts, o.link, n.seq, h.email, h.name AS health_center_name FROM outbox o \
             JOIN notifications n ON n.id = o.notification_id JOIN health_centers h ON h.id = o.health_center_id \
             WHERE o.status = 'pending' AND o.next_attempt_at <= ?1 AND o.lease_until < ?1 \
             ORDER BY o.next_attempt_at LIMIT 20",
        )
        .bind(&[f(now)])?
        .all()
        .await?
        .results()?)
}

/// Takes a pending notice for a sender until `lease_until`: false when another sender holds it or it is done.
pub async fn claim_notice(
    db: &D1Database,
    id: &str,
    now: i64,
    lease_until: i64,
) -> ApiResult<bool> {
    let result = db
        .prepare(
            "UPDATE outbox SET lease_until = ?2 WHERE id = ?1 AND status = 'pending' AND lease_until < ?3",
        )
        .bind(&[id.into(), f(lease_until), f(now)])?
        .run()
        .await?;
    Ok(changes(&result) == 1)
}

/// Records a notice as sent, after `attempts` attempts.
pub async fn notice_sent(db: &D1Database, id: &str, attempts: i64, now: i64) -> ApiResult<()> {
    db.prepare(
        "UPDATE outbox SET status = 'sent', attempts = ?2, sent_at = ?3, lease_until = 0, last_error = NULL \
         WHERE id = ?1",
    )
    .bind(&[id.into(), f(attempts), f(now)])?
    .run()
    .await?;
    Ok(())
}

/// A failed attempt at a notice.
pub struct NoticeFailure<'a> {
    pub id: &'a str,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// `true`: given up (`failed`); otherwise tried again at `next_attempt_at`.
    pub given_up: bool,
    pub next_attempt_at: i64,
    /// Why (an error's name, never the address).
    pub error: &'a str,
}

/// Records a failed attempt: the notice stays pending for another attempt, or is given up.
pub async fn notice_failed(db: &D1Database, r: &NoticeFailure<'_>) -> ApiResult<()> {
    let status = if r.given_up { "failed" } else { "pending" };
    db.prepare(
        "UPDATE outbox SET status = ?2, attempts = ?3, next_attempt_at = ?4, lease_until = 0, last_error = ?5 \
         WHERE id = ?1",
    )
    .bind(&[
        r.id.into(),
        status.into(),
        f(r.attempts),
        f(r.next_attempt_at),
        r.error.into(),
    ])?
    .run()
    .await?;
    Ok(())
}
