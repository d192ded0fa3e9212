// Records written by SQL in a test, as the worker writes them across the databases (issue 23): the record's rows in
// the shard of its prefecture with its number across shards (`seq`), its routing entry in the core (`case_routes`),
// and in the shard the copies of the core's rows they refer to (accounts without their password hash).
import { CORE, shardOf } from "./edge.mjs";

const q = (v) => (v === null || v === undefined ? "NULL" : `'${String(v).replaceAll("'", "''")}'`);

/** The routing entry of record `id` in the core (made for prefecture `pref` unless it has one): `{ seq, shard }`.
 * The one-database setup (`shard` is the core) needs none and answers the next free number of the core. */
export function route(edge, { id, pref = "13", at = Date.now() }) {
  const shard = shardOf(pref);
  if (shard === CORE) {
    const [{ seq }] = edge.d1("SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM cases");
    return { seq, shard };
  }
  const [row] = edge.d1(
    `INSERT INTO case_routes (case_id, shard, pref_code, created_at, updated_at) VALUES (${q(id)}, ${q(shard)}, ${q(pref)}, ${at}, ${at}) ` +
      "ON CONFLICT(case_id) DO UPDATE SET case_id = excluded.case_id RETURNING seq, shard",
  );
  return row;
}

/** Copies into `shard` the core's rows named (users, institutions, health centers), as the worker's
 * `Stores::ensure` does before a write: a shard's foreign keys and joins need them. Rows already there stay. */
export function copyToShard(edge, shard, { users = [], institutions = [], healthCenters = [] }) {
  if (shard === CORE) return;
  const list = (ids) => ids.map(q).join(", ");
  const copy = (table, ids, secret) => {
    if (!ids.length) return;
    const rows = edge.d1(`SELECT * FROM ${table} WHERE id IN (${list(ids)})`);
    for (const r of rows) {
      if (secret) r[secret] = "";
      const cols = Object.keys(r);
      edge.d1(`INSERT OR IGNORE INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((c) => (typeof r[c] === "number" ? String(r[c]) : q(r[c]))).join(", ")})`, { db: shard });
    }
  };
  copy("health_centers", healthCenters);
  copy("institutions", institutions);
  copy("users", users, "password_hash");
}

/**
 * Writes a record by SQL where the worker would: routes `id` (prefecture `pref`), copies `refs` into its shard, then
 * runs `sql(seq)` there (`seq`: the record's number, to write as the `seq` of its case and notification). Answers
 * `{ seq, shard }`.
 */
export function insertRecord(edge, { id, pref = "13", refs = {}, sql }) {
  const r = route(edge, { id, pref });
  copyToShard(edge, r.shard, refs);
  edge.d1(sql(r.seq), { db: r.shard });
  return r;
}
