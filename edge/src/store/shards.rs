//! The databases of the worker (issue 23): the core (binding `DB`: accounts, institutions, health centers, the
//! routing table `case_routes`, the audit chain) and the shards of personal records (one per group of prefectures,
//! `SHARDS` in `wrangler.toml`, [`shared::shard`]). Every statement on a record goes to the shard the routing table
//! names for it; a list that may span prefectures asks every shard and merges.
//!
//! A shard's records refer to accounts, institutions and health centers (foreign keys, and the names its lists
//! join); the shard holds a copy of each such row it needs ([`Stores::ensure`]: copied from the core before a write
//! names it, without secrets — an account's copy has no password hash). The core stays the only place they are
//! written.

use std::cell::RefCell;
use std::collections::HashSet;
use std::future::Future;

use serde::Deserialize;
use serde_json::{Map, Value};
use shared::shard::{ShardId, ShardMap, CORE};
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Env};

use super::f;
use crate::error::ApiResult;
use crate::platform::config;

/// One database to which statements go.
pub struct Shard {
    pub id: ShardId,
    pub db: D1Database,
}

impl Shard {
    /// Whether this is the core database itself (the one-database setup).
    pub fn is_core(&self) -> bool {
        self.id.as_str() == CORE
    }
}

/// The core and the shards of this request.
pub struct Stores {
    env: Env,
    map: ShardMap,
    pub core: D1Database,
}

thread_local! {
    /// Rows of the core known to be copied into a shard in this isolate: `(shard, table, id)`. Copies are never
    /// deleted, so a remembered copy is always there (its names may be older than the core's; see `ensure`).
    static COPIED: RefCell<HashSet<(String, &'static str, String)>> = RefCell::new(HashSet::new());
}

/// The references a write in a shard makes to the core's rows (copied there first by [`Stores::ensure`]).
#[derive(Default)]
pub struct Refs {
    pub users: Vec<String>,
    pub institutions: Vec<String>,
    pub health_centers: Vec<String>,
}

impl Refs {
    pub fn user(mut self, id: &str) -> Self {
        self.users.push(id.to_owned());
        self
    }
    pub fn institution(mut self, id: Option<&str>) -> Self {
        if let Some(id) = id.filter(|s| !s.is_empty()) {
            self.institutions.push(id.to_owned());
        }
        self
    }
    pub fn health_center(mut self, id: &str) -> Self {
        if !id.is_empty() {
            self.health_centers.push(id.to_owned());
        }
        self
    }
}

#[derive(Deserialize)]
struct RouteRow {
    shard: String,
}

impl Stores {
    pub fn new(env: &Env) -> ApiResult<Self> {
        Ok(Stores {
            env: env.clone(),
            map: config().shards.clone(),
            core: env.d1(CORE)?,
        })
    }

    /// Whether every record lives in the core (`SHARDS` absent or `*=DB`).
    pub fn single(&self) -> bool {
        self.map.is_single()
    }

    pub fn map(&self) -> &ShardMap {
        &self.map
    }

    pub fn shard(&self, id: &ShardId) -> ApiResult<Shard> {
        Ok(Shard {
            id: id.clone(),
            db: self.env.d1(id.as_str())?,
        })
    }

    /// The shard that holds (or will hold) the records of a prefecture.
    pub fn for_pref(&self, pref_code: &str) -> ApiResult<Shard> {
        self.shard(self.map.for_pref(pref_code))
    }

    /// Every shard, for a read that spans prefectures.
    pub fn all(&self) -> ApiResult<Vec<Shard>> {
        self.map.all().iter().map(|s| self.shard(s)).collect()
    }

    /// The shards a prefecture-bound read needs: its own, or all when `pref_code` is `None` (the nation).
    pub fn for_area(&self, pref_code: Option<&str>) -> ApiResult<Vec<Shard>> {
        match pref_code {
            Some(p) => Ok(vec![self.for_pref(p)?]),
            None => self.all(),
        }
    }

    /// The shard that holds the record `case_id` (its routing entry), `None` for an id no shard holds. A record
    /// without a routing entry (loaded by SQL outside the worker) is looked for in every shard.
    pub async fn of_case(&self, case_id: &str) -> ApiResult<Option<Shard>> {
        if self.single() {
            return Ok(Some(self.shard(&ShardId(CORE.to_owned()))?));
        }
        let route: Option<RouteRow> = self
            .core
            .prepare("SELECT shard FROM case_routes WHERE case_id = ?1")
            .bind(&[case_id.into()])?
            .first(None)
            .await?;
        if let Some(r) = route {
            return Ok(Some(self.shard(&ShardId(r.shard))?));
        }
        for shard in self.all()? {
            let hit: Option<Value> = shard
                .db
                .prepare("SELECT 1 AS one FROM cases WHERE id = ?1")
                .bind(&[case_id.into()])?
                .first(None)
                .await?;
            if hit.is_some() {
                return Ok(Some(shard));
            }
        }
        Ok(None)
    }

    /// Registers a new record in the shard of `pref_code` (idempotent: a repeated call answers the first one's
    /// entry) and answers the shard and the record's number across shards (`None` in the one-database setup, where
    /// the database numbers its rows itself).
    pub async fn route_new(
        &self,
        case_id: &str,
        pref_code: &str,
        now: i64,
    ) -> ApiResult<(Shard, Option<i64>)> {
        if self.single() {
            return Ok((self.shard(&ShardId(CORE.to_owned()))?, None));
        }
        #[derive(Deserialize)]
        struct Routed {
            seq: i64,
            shard: String,
        }
        let shard = self.map.for_pref(pref_code).clone();
        let r: Option<Routed> = self
            .core
            .prepare(
                "INSERT INTO case_routes (case_id, shard, pref_code, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?4) \
                 ON CONFLICT(case_id) DO UPDATE SET case_id = excluded.case_id RETURNING seq, shard",
            )
            .bind(&[case_id.into(), shard.as_str().into(), pref_code.into(), f(now)])?
            .first(None)
            .await?;
        let r = r.ok_or_else(|| {
            crate::error::ApiError::with_detail(shared::error::ErrorCode::Internal, "no route")
        })?;
        Ok((self.shard(&ShardId(r.shard))?, Some(r.seq)))
    }

    /// The statement that points a record's routing entry at another shard (a move's switch, in the core batch that
    /// records the step).
    pub fn switch_route(
        &self,
        case_id: &str,
        shard: &str,
        pref_code: &str,
        now: i64,
    ) -> ApiResult<D1PreparedStatement> {
        Ok(self
            .core
            .prepare("UPDATE case_routes SET shard = ?2, pref_code = ?3, updated_at = ?4 WHERE case_id = ?1")
            .bind(&[case_id.into(), shard.into(), pref_code.into(), f(now)])?)
    }

    /// Removes the routing entry of a record whose write failed (best effort: an entry without its record is found
    /// by nobody and harms nothing).
    pub async fn drop_route(&self, case_id: &str) {
        if self.single() {
            return;
        }
        let stmt = self
            .core
            .prepare("DELETE FROM case_routes WHERE case_id = ?1")
            .bind(&[case_id.into()]);
        if let Ok(stmt) = stmt {
            let _ = stmt.run().await;
        }
    }

    /// Copies into `shard` the core's rows that `refs` name (and the institutions and health centers those name),
    /// so that the shard's foreign keys and joins find them. Nothing for the core itself; a row already copied in
    /// this isolate is not read again. An account's copy carries no secret (its password hash is empty).
    pub async fn ensure(&self, shard: &Shard, refs: Refs) -> ApiResult<()> {
        if shard.is_core() {
            return Ok(());
        }
        let sid = shard.id.as_str().to_owned();
        let missing = |table: &'static str, ids: Vec<String>| -> Vec<String> {
            let mut ids = ids;
            ids.sort();
            ids.dedup();
            COPIED.with(|c| {
                let c = c.borrow();
                ids.into_iter()
                    .filter(|id| !c.contains(&(sid.clone(), table, id.clone())))
                    .collect()
            })
        };
        let users = missing("users", refs.users);
        let mut institutions = refs.institutions;
        let mut health_centers = refs.health_centers;
        let user_rows = rows(&self.core, USER_COLUMNS, "users", &users).await?;
        for u in &user_rows {
            if let Some(Value::String(i)) = u.get("institution_id") {
                institutions.push(i.clone());
            }
            if let Some(Value::String(h)) = u.get("health_center_id") {
                health_centers.push(h.clone());
            }
        }
        let institutions = missing("institutions", institutions);
        let inst_rows = rows(&self.core, "*", "institutions", &institutions).await?;
        for i in &inst_rows {
            if let Some(Value::String(h)) = i.get("health_center_id") {
                health_centers.push(h.clone());
            }
        }
        let health_centers = missing("health_centers", health_centers);
        let mut hc_rows = rows(&self.core, "*", "health_centers", &health_centers).await?;
        hc_rows.iter_mut().for_each(without_editor);
        if hc_rows.is_empty() && inst_rows.is_empty() && user_rows.is_empty() {
            return Ok(());
        }
        let mut statements = Vec::new();
        for r in &hc_rows {
            statements.push(upsert(&shard.db, "health_centers", r)?);
        }
        for r in &inst_rows {
            statements.push(upsert(&shard.db, "institutions", r)?);
        }
        for r in &user_rows {
            let mut r = r.clone();
            r.insert("password_hash".into(), Value::String(String::new()));
            statements.push(upsert(&shard.db, "users", &r)?);
        }
        shard.db.batch(statements).await?;
        COPIED.with(|c| {
            let mut c = c.borrow_mut();
            for (table, list) in [
                ("health_centers", &hc_rows),
                ("institutions", &inst_rows),
                ("users", &user_rows),
            ] {
                for r in list {
                    if let Some(Value::String(id)) = r.get("id") {
                        c.insert((sid.clone(), table, id.clone()));
                    }
                }
            }
        });
        Ok(())
    }

    /// Refreshes the copies of a core row in every shard that has one (after a change of a name, a contact, a
    /// role): best effort, the core stays right whatever happens here.
    pub async fn refresh(&self, table: &'static str, id: &str) -> ApiResult<()> {
        if self.single() {
            return Ok(());
        }
        let columns = if table == "users" { USER_COLUMNS } else { "*" };
        let found = rows(&self.core, columns, table, &[id.to_owned()]).await?;
        let Some(mut row) = found.into_iter().next() else {
            return Ok(());
        };
        if table == "users" {
            row.insert("password_hash".into(), Value::String(String::new()));
        }
        if table == "health_centers" {
            without_editor(&mut row);
        }
        for shard in self.all()? {
            if shard.is_core() {
                continue;
            }
            let set = row
                .keys()
                .filter(|k| *k != "id" && *k != "password_hash" && *k != "login_id")
                .map(|k| format!("{k} = excluded.{k}"))
                .collect::<Vec<_>>()
                .join(", ");
            let cols: Vec<&String> = row.keys().collect();
            let params: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
            // Only a shard that holds a copy changes; none is made here.
            let sql = format!(
                "INSERT INTO {table} ({}) SELECT {} WHERE EXISTS (SELECT 1 FROM {table} WHERE id = ?{}) \
                 ON CONFLICT(id) DO UPDATE SET {set}",
                cols.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
                params.join(", "),
                cols.iter().position(|c| *c == "id").map_or(1, |i| i + 1),
            );
            let binds: Vec<JsValue> = row.values().map(js).collect();
            if let Err(e) = shard.db.prepare(sql).bind(&binds)?.run().await {
                worker::console_error!("copy of {table} in {}: {e}", shard.id);
            }
        }
        Ok(())
    }
}

/// A health center's copy names no editor: who last changed the directory is the core's to say (and the account
/// need not be in the shard).
fn without_editor(row: &mut Map<String, Value>) {
    if row.contains_key("updated_by_user_id") {
        row.insert("updated_by_user_id".into(), Value::Null);
    }
}

/// The columns of an account a shard's copy holds (no secret, no counters).
const USER_COLUMNS: &str =
    "id, login_id, display_name, role, institution_id, health_center_id, pref_code, \
                            status, created_at, updated_at";

async fn rows(
    db: &D1Database,
    columns: &str,
    table: &str,
    ids: &[String],
) -> ApiResult<Vec<Map<String, Value>>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let params: Vec<String> = (1..=ids.len()).map(|i| format!("?{i}")).collect();
    let binds: Vec<JsValue> = ids.iter().map(|s| JsValue::from_str(s)).collect();
    Ok(db
        .prepare(format!(
            "SELECT {columns} FROM {table} WHERE id IN ({})",
            params.join(", ")
        ))
        .bind(&binds)?
        .all()
        .await?
        .results()?)
}

/// A JSON value read from D1 as the parameter that writes it back (moves copy rows with it too).
pub(super) fn js(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => JsValue::from_str(s),
        other => JsValue::from_str(&other.to_string()),
    }
}

/// `INSERT … ON CONFLICT(id) DO UPDATE` of a row read from the core (its column names are the core's).
fn upsert(
    db: &D1Database,
    table: &str,
    row: &Map<String, Value>,
) -> ApiResult<D1PreparedStatement> {
    let cols: Vec<&String> = row.keys().collect();
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let set = cols
        .iter()
        .filter(|c| c.as_str() != "id")
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let binds: Vec<JsValue> = row.values().map(js).collect();
    Ok(db
        .prepare(format!(
            "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {set}",
            cols.iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            params.join(", ")
        ))
        .bind(&binds)?)
}

/// Runs `read` on every shard at once and answers their results in the shards' order.
pub async fn each<'a, T, F, Fut>(shards: &'a [Shard], read: F) -> ApiResult<Vec<T>>
where
    F: Fn(&'a Shard) -> Fut,
    Fut: Future<Output = ApiResult<T>> + 'a,
{
    futures_util::future::try_join_all(shards.iter().map(read)).await
}
