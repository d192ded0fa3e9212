// The demo patient records the dev command serves (edge/seed/records.mjs) are real records: every one opens, its
// notification reads back, its status record agrees with the search list, and seeding twice changes nothing. With
// shards (issue 23): the directory is in the core and copied (without password hashes) into every shard, each record
// is in the shard of its prefecture with its routing entry in the core under the same number, and 神奈川県's
// records open for 神奈川県 only.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { CORE, DATABASES, ROOT, SHARDS, startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { seed, HEALTH_CENTERS, INSTITUTIONS, USERS, DOCTORS } from "../../edge/seed/demo.mjs";
import { DEMO_RECORD_COUNT } from "../../edge/seed/records.mjs";

let edge;
before(async () => {
  edge = await startEdge({ seedDemo: true, seedRecords: true });
});
after(async () => {
  await edge?.stop();
});

test("every demo record opens for its health center, with its notification and status record", async () => {
  const hc = await firstSignInAs(edge, "staff@shinjuku-hc.demo");
  const pref = await firstSignInAs(edge, "pref@tokyo.demo");
  const all = await pref.client.post("/api/cases/search", { criteria: {} });
  assert.equal(all.status, 200);
  assert.equal(all.body.count, 42);
  // Some arrive unread in the inbox.
  assert.ok((await hc.client.get("/api/notifications")).body.unread > 0);
  const mine = await hc.client.post("/api/cases/search", { criteria: {} });
  assert.equal(mine.body.count, 32);
  for (const item of mine.body.items) {
    const rec = await hc.client.get(`/api/cases/${item.id}`);
    assert.equal(rec.status, 200, `${item.id} ${JSON.stringify(rec.body)}`);
    assert.equal(rec.body.status, item.status);
    const current = rec.body.status_entries.filter((e) => !e.withdrawn).at(-1);
    assert.equal(current?.status ?? null, item.status, item.id);
    if (item.filed) {
      const n = await hc.client.get(`/api/notifications/${item.id}`);
      assert.equal(n.status, 200, `${item.id} ${JSON.stringify(n.body)}`);
      assert.equal(n.body.notification.patient.name, item.name);
    }
  }
  // Opening them at the health center received the unread ones.
  assert.equal((await hc.client.get("/api/notifications")).body.unread, 0);
  const statuses = new Set(all.body.items.map((i) => i.status));
  assert.ok(statuses.size >= 9, [...statuses].join());
});

/** Row counts of every table the seed writes, in every database. */
const TABLES = ["health_centers", "institutions", "users", "doctors", "case_routes", "cases", "case_versions", "case_status",
  "notifications", "notification_events", "observations", "observation_reports", "observation_alerts"];
const census = () => edge.d1All(`SELECT ${TABLES.map((t) => `(SELECT COUNT(*) FROM ${t}) AS ${t}`).join(", ")}, ` +
  "(SELECT COALESCE(SUM(seq), 0) FROM cases) AS case_seqs, (SELECT COALESCE(SUM(seq), 0) FROM notifications) AS notification_seqs");

test("the seed puts the directory in the core, copies without secrets in every shard, records in their prefecture's shard", () => {
  assert.deepEqual(DATABASES, [CORE, SHARDS.tokyo, SHARDS.kanagawa, SHARDS.rest]);
  const byDb = Object.fromEntries(census().map(({ _db, ...counts }) => [_db, counts]));
  assert.deepEqual(Object.keys(byDb), DATABASES, "every database is migrated");
  const tokyo = 42;
  const kanagawa = DEMO_RECORD_COUNT - tokyo;
  assert.ok(kanagawa > 0, "records in 神奈川県 too");
  assert.equal(byDb[CORE].users, USERS.length);
  assert.equal(byDb[CORE].doctors, DOCTORS.length);
  assert.equal(byDb[CORE].case_routes, DEMO_RECORD_COUNT);
  assert.equal(byDb[CORE].cases + byDb[CORE].notifications + byDb[CORE].observations, 0, "no record in the core");
  for (const shard of [SHARDS.tokyo, SHARDS.kanagawa, SHARDS.rest]) {
    assert.equal(byDb[shard].health_centers, HEALTH_CENTERS.length, shard);
    assert.equal(byDb[shard].institutions, INSTITUTIONS.length, shard);
    assert.equal(byDb[shard].users, USERS.length, shard);
    assert.equal(byDb[shard].doctors, 0, `${shard}: doctors stay in the core`);
    assert.equal(byDb[shard].case_routes, 0, `${shard}: routes are the core's`);
    assert.deepEqual(edge.d1("SELECT id FROM users WHERE password_hash <> ''", { db: shard }), [], `${shard}: no password hash`);
  }
  assert.equal(byDb[SHARDS.tokyo].cases, tokyo);
  assert.equal(byDb[SHARDS.kanagawa].cases, kanagawa);
  assert.equal(byDb[SHARDS.rest].cases, 0);
  assert.ok(byDb[SHARDS.tokyo].observation_reports > 0 && byDb[SHARDS.kanagawa].observations === 0);
  // Every record's case and notification carry the number of its routing entry, in the shard the entry names.
  const routes = new Map(edge.d1("SELECT case_id, seq, shard, pref_code FROM case_routes").map((r) => [r.case_id, r]));
  const rows = edge.d1All("SELECT c.id, c.seq, c.pref_code, n.seq AS n_seq FROM cases c LEFT JOIN notifications n ON n.id = c.id");
  assert.equal(rows.length, DEMO_RECORD_COUNT);
  for (const r of rows) {
    const route = routes.get(r.id);
    assert.ok(route, `${r.id} routed`);
    assert.deepEqual([route.seq, route.shard, route.pref_code], [r.seq, r._db, r.pref_code], r.id);
    if (r.n_seq !== null) assert.equal(r.n_seq, r.seq, `${r.id}: 届出番号 = the record's number`);
  }
  assert.equal(new Set(rows.map((r) => r.seq)).size, rows.length, "numbers never collide across shards");
});

test("seeding twice changes nothing in any database", async () => {
  const before = census();
  await seed({ root: ROOT, persistTo: edge.state, records: true });
  assert.deepEqual(census(), before);
});

test("神奈川県's records, in their own shard, open for 神奈川県 and not for 東京都", async () => {
  const [pref14, hc14] = await Promise.all(["pref_kanagawa", "hc_staff_yokohama"].map((a) => firstSignInAs(edge, a)));
  const kanagawa = await pref14.client.post("/api/cases/search", { criteria: {} });
  assert.equal(kanagawa.status, 200, JSON.stringify(kanagawa.body));
  assert.equal(kanagawa.body.count, DEMO_RECORD_COUNT - 42);
  const ids = new Set(edge.d1("SELECT id FROM cases", { db: SHARDS.kanagawa }).map((r) => r.id));
  assert.deepEqual(new Set(kanagawa.body.items.map((i) => i.id)), ids);
  const id = [...ids][0];
  const rec = await hc14.client.get(`/api/cases/${id}`);
  assert.equal(rec.status, 200, JSON.stringify(rec.body));
  const n = await hc14.client.get(`/api/notifications/${id}`);
  assert.equal(n.status, 200, JSON.stringify(n.body));
  assert.match(n.body.notification.patient.address.text, /^神奈川県横浜市/);
  const tokyo = await firstSignInAs(edge, "hc_staff_setagaya");
  assert.equal((await tokyo.client.get(`/api/cases/${id}`)).status, 403, "another prefecture's record");
});
