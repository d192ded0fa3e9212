//! WebAuthn keys and challenges: `credentials` (staff security keys and passkeys), `observe_credentials` (the
//! passkeys of phones under health observation, owned by a record, never by an account) and
//! `webauthn_challenges`. The two key tables share one shape here ([`Key`], [`NewKey`]); [`Holder`] says which
//! table a call reads or writes.

use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

use super::{changes, f, opt};
use crate::error::ApiResult;

/// Whose keys: a staff account's (`credentials`, owner = user id) or a phone's (`observe_credentials`, owner =
/// record id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Staff,
    Phone,
}

/// A stored key, as an assertion is verified against it.
#[derive(Debug, Clone, Deserialize)]
pub struct Key {
    /// The user id (staff) or the record id (phone).
    pub owner: String,
    /// base64url of the COSE key.
    pub public_key_cose: String,
    pub sign_count: i64,
    pub backup_eligible: i64,
}

/// A key to store after a registration ceremony.
pub struct NewKey<'a> {
    /// base64url of the credential id.
    pub id: &'a str,
    pub owner: &'a str,
    /// base64url of the COSE key.
    pub public_key_cose: &'a str,
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub created_at: i64,
    /// Staff keys only: the name shown in the account's key list and the authenticator's AAGUID (hex).
    pub name: &'a str,
    pub aaguid: &'a str,
}

#[derive(Deserialize)]
struct IdRow {
    id: String,
}

/// The ids of the owner's keys (a ceremony's `excludeCredentials` / `allowCredentials`).
pub async fn ids(db: &D1Database, holder: Holder, owner: &str) -> ApiResult<Vec<String>> {
    let sql = match holder {
        Holder::Staff => "SELECT id FROM credentials WHERE user_id = ?1 ORDER BY created_at",
        Holder::Phone => "SELECT id FROM observe_credentials WHERE case_id = ?1",
    };
    let rows: Vec<IdRow> = db
        .prepare(sql)
        .bind(&[owner.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The stored key with this (base64url) id.
pub async fn key(db: &D1Database, holder: Holder, id: &str) -> ApiResult<Option<Key>> {
    let sql = match holder {
        Holder::Staff => {
            "SELECT user_id AS owner, public_key_cose, sign_count, backup_eligible FROM credentials WHERE id = ?1"
        }
        Holder::Phone => {
            "SELECT case_id AS owner, public_key_cose, sign_count, backup_eligible FROM observe_credentials WHERE id = ?1"
        }
    };
    Ok(db.prepare(sql).bind(&[id.into()])?.first(None).await?)
}

/// Stores a new key; false if a key with its id exists already.
pub async fn insert(db: &D1Database, holder: Holder, key: &NewKey<'_>) -> ApiResult<bool> {
    let statement = match holder {
        Holder::Staff => db
            .prepare(
                "INSERT INTO credentials (id, user_id, public_key_cose, sign_count, backup_eligible, name, aaguid, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO NOTHING",
            )
            .bind(&[
                key.id.into(),
                key.owner.into(),
                key.public_key_cose.into(),
                f(key.sign_count),
                f(i64::from(key.backup_eligible)),
                key.name.into(),
                key.aaguid.into(),
                f(key.created_at),
            ])?,
        Holder::Phone => db
            .prepare(
                "INSERT INTO observe_credentials (id, case_id, public_key_cose, sign_count, backup_eligible, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO NOTHING",
            )
            .bind(&[
                key.id.into(),
                key.owner.into(),
                key.public_key_cose.into(),
                f(key.sign_count),
                f(i64::from(key.backup_eligible)),
                f(key.created_at),
            ])?,
    };
    Ok(changes(&statement.run().await?) == 1)
}

/// Advances a key's counter from `from` to `to` (a conditional UPDATE: two uses of one assertion cannot both win);
/// false if the counter moved meanwhile.
pub async fn advance_sign_count(
    db: &D1Database,
    holder: Holder,
    id: &str,
    from: i64,
    to: i64,
    now: i64,
) -> ApiResult<bool> {
    let sql = match holder {
        Holder::Staff => {
            "UPDATE credentials SET sign_count = ?1, last_used_at = ?2 WHERE id = ?3 AND sign_count = ?4"
        }
        Holder::Phone => {
            "UPDATE observe_credentials SET sign_count = ?1, last_used_at = ?2 WHERE id = ?3 AND sign_count = ?4"
        }
    };
    let result = db
        .prepare(sql)
        .bind(&[f(to), f(now), id.into(), f(from)])?
        .run()
        .await?;
    Ok(changes(&result) == 1)
}

// ---- staff keys: the account's own list -------------------------------------------------------------------------

/// How many keys a staff account has.
pub async fn count(db: &D1Database, user_id: &str) -> ApiResult<i64> {
    #[derive(Deserialize)]
    struct N {
        n: i64,
    }
    let n: Option<N> = db
        .prepare("SELECT COUNT(*) AS n FROM credentials WHERE user_id = ?1")
        .bind(&[user_id.into()])?
        .first(None)
        .await?;
    Ok(n.map_or(0, |n| n.n))
}

/// One line of an account's key list.
#[derive(Deserialize)]
pub struct Summary {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub async fn list(db: &D1Database, user_id: &str) -> ApiResult<Vec<Summary>> {
    Ok(db
        .prepare("SELECT id, name, created_at, last_used_at FROM credentials WHERE user_id = ?1 ORDER BY created_at")
        .bind(&[user_id.into()])?
        .all()
        .await?
        .results()?)
}

/// Renames one of the user's keys; false if they have no key with this id.
pub async fn rename(db: &D1Database, user_id: &str, id: &str, name: &str) -> ApiResult<bool> {
    let r = db
        .prepare("UPDATE credentials SET name = ?1 WHERE id = ?2 AND user_id = ?3")
        .bind(&[name.into(), id.into(), user_id.into()])?
        .run()
        .await?;
    Ok(changes(&r) == 1)
}

/// Removes one of the user's keys unless it is their last (one statement, so two concurrent removals cannot both
/// pass the check); false if nothing was removed.
pub async fn remove_unless_last(db: &D1Database, user_id: &str, id: &str) -> ApiResult<bool> {
    let r = db
        .prepare(
            "DELETE FROM credentials WHERE id = ?1 AND user_id = ?2 \
             AND (SELECT COUNT(*) FROM credentials WHERE user_id = ?2) > 1",
        )
        .bind(&[id.into(), user_id.into()])?
        .run()
        .await?;
    Ok(changes(&r) == 1)
}

/// Whether the user has a key with this id.
pub async fn owns(db: &D1Database, user_id: &str, id: &str) -> ApiResult<bool> {
    #[derive(Deserialize)]
    struct Owned {
        n: i64,
    }
    let owned: Option<Owned> = db
        .prepare("SELECT COUNT(*) AS n FROM credentials WHERE id = ?1 AND user_id = ?2")
        .bind(&[id.into(), user_id.into()])?
        .first(None)
        .await?;
    Ok(owned.is_some_and(|o| o.n > 0))
}

/// Removes every key of an account (an administrator's reset; for a batch).
pub fn remove_all(db: &D1Database, user_id: &str) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare("DELETE FROM credentials WHERE user_id = ?1")
        .bind(&[user_id.into()])?)
}

// ---- challenges ----------------------------------------------------------------------------------------------------

/// Expired challenges removed along with each new one: more than one insert adds, so they cannot pile up.
pub const PURGE_ON_INSERT: i64 = 20;

/// Stores a fresh challenge with its mark (whose ceremony it serves) and purpose, and removes up to
/// [`PURGE_ON_INSERT`] expired ones in the same batch.
pub async fn insert_challenge(
    db: &D1Database,
    challenge: &str,
    mark: Option<&str>,
    purpose: &str,
    expires_at: i64,
    now: i64,
) -> ApiResult<()> {
    db.batch(vec![
        purge_challenges_statement(db, now, PURGE_ON_INSERT)?,
        db.prepare("INSERT INTO webauthn_challenges (challenge, user_id, purpose, expires_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(&[challenge.into(), opt(mark), purpose.into(), f(expires_at)])?,
    ])
    .await?;
    Ok(())
}

fn purge_challenges_statement(
    db: &D1Database,
    now: i64,
    max_rows: i64,
) -> ApiResult<D1PreparedStatement> {
    Ok(db
        .prepare(
            "DELETE FROM webauthn_challenges WHERE challenge IN \
             (SELECT challenge FROM webauthn_challenges WHERE expires_at <= ?1 LIMIT ?2)",
        )
        .bind(&[f(now), f(max_rows)])?)
}

/// Removes up to `max_rows` expired challenges (spent or not: an expired one can serve no ceremony); how many went.
pub async fn purge_challenges(db: &D1Database, now: i64, max_rows: i64) -> ApiResult<i64> {
    let result = purge_challenges_statement(db, now, max_rows)?.run().await?;
    Ok(changes(&result))
}

/// Spends a challenge exactly once (a conditional UPDATE): it must be unused, unexpired, of this purpose and of
/// exactly this mark (no mark matches only challenges without one). Returns the challenge if it was spent now.
pub async fn consume_challenge(
    db: &D1Database,
    challenge: &str,
    mark: Option<&str>,
    purpose: &str,
    now: i64,
) -> ApiResult<Option<String>> {
    #[derive(Deserialize)]
    struct Row {
        challenge: String,
    }
    let row: Option<Row> = db
        .prepare(
            "UPDATE webauthn_challenges SET used_at = ?1 \
             WHERE challenge = ?2 AND purpose = ?3 AND used_at IS NULL AND expires_at > ?1 \
             AND ((?4 IS NULL AND user_id IS NULL) OR user_id = ?4) RETURNING challenge",
        )
        .bind(&[f(now), challenge.into(), purpose.into(), opt(mark)])?
        .first(None)
        .await?;
    Ok(row.map(|r| r.challenge))
}
