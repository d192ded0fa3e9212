// Moving a record between shards (issue 23, edge/src/store/moves.rs, docs/SHARDS-MOVE.md) against the real worker on
// its four databases: a Tokyo record with everything that hangs off it (history, status entries, its notification
// and routing events, notices, an observation with reports and alerts, audit entries) is transferred to the
// residence's health center in Kanagawa, and its move is cut off after each step — the worker process itself is
// killed there and started again on the same state — then resumed (the cron's sweep, or the move repeated). After
// each: the record is in exactly one shard, its route names the target, the target's staff reach it (once in their
// lists) with its history, status, number, observation, reports and alerts, and the audit chain holds its entries
// once. A write while the move is unfinished is refused with RECORD_MOVING; a finished move repeated changes nothing;
// a record tied to a household observation is refused before anything is written.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startEdge, DATABASES, SHARDS, CORE } from "../support/edge.mjs";
import { Client, DEMO_PASSWORD, firstSignInAs, signIn } from "../support/softauthn.mjs";
import { freshKey, patientCase } from "../support/notification.mjs";

const STATE = mkdtempSync(path.join(tmpdir(), "hersys-moves-"));
const KANAGAWA_HC = "HC14201"; // 横須賀市保健所, the residence's health center of a 横須賀市 resident
const KANAGAWA_STAFF = "staff@yokosuka-hc.test";
let edge;
let doctor; // clinic_doctor, 新宿みなみクリニック (→ 新宿区保健所, Tokyo)
let hcShinjuku; // health_center_staff of 新宿区保健所
let hcKanagawa; // health_center_staff of 横須賀市保健所, made by SQL in the core

const q = (v) => `'${String(v).replaceAll("'", "''")}'`;
const jstDay = (offsetDays = 0) => new Date(Date.now() + 9 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
let clockOffset = 0;

async function restart() {
  await edge.stop();
  edge = await startEdge({ persistTo: STATE });
  // The clock the test moved is kept in the state (KV) and read again by the new worker.
  await edge.setClock(clockOffset);
  // The new worker listens on another port: the signed-in clients (their sessions are in the kept KV) follow it.
  for (const who of [doctor, hcShinjuku, hcKanagawa]) {
    if (who?.client) {
      who.client.edge = edge;
      who.client.origin = edge.api;
    }
  }
}

/** Moves the worker's clock on (past a dead mover's lease of 60 s). */
async function advance(ms) {
  clockOffset += ms;
  await edge.setClock(clockOffset);
}

async function testMove(body) {
  const r = await fetch(`${edge.url}/api/test/move`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: edge.url },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

before(async () => {
  edge = await startEdge({ seedDemo: true, persistTo: STATE });
  [doctor, hcShinjuku] = await Promise.all([
    firstSignInAs(edge, "doctor@shinjuku-clinic.demo"),
    firstSignInAs(edge, "staff@shinjuku-hc.demo"),
  ]);
});
after(async () => {
  if (process.env.SHOW_EDGE_LOG) console.log(edge?.log().slice(-6000));
  await edge?.stop();
  rmSync(STATE, { recursive: true, force: true });
});

/** Every row of the record in every database: `{ db: { table: count } }` (only non-zero counts). */
function where(id) {
  const tables = [
    ["cases", "id"], ["notifications", "id"], ["case_versions", "case_id"], ["case_status", "case_id"],
    ["notification_events", "notification_id"], ["outbox", "notification_id"], ["submit_keys", "notification_id"],
    ["observations", "case_id"], ["observation_reports", "case_id"], ["observation_alerts", "case_id"],
    ["moving_records", "case_id"],
  ];
  const sql = `SELECT ${tables.map(([t, c]) => `(SELECT COUNT(*) FROM ${t} WHERE ${c} = ${q(id)}) AS ${t}`).join(", ")}`;
  const out = {};
  for (const db of DATABASES) {
    const [row] = edge.d1(sql, { db });
    const nonZero = Object.fromEntries(Object.entries(row).filter(([, n]) => n > 0));
    if (Object.keys(nonZero).length) out[db] = nonZero;
  }
  return out;
}

/** What the record's rows hold, for comparing before and after a move (local seqs left out). */
function contents(id, db) {
  const rows = (sql) => edge.d1(sql, { db });
  return {
    cases: rows(`SELECT seq, id, smartphone_id, health_center_id, pref_code, status, version, tabs FROM cases WHERE id = ${q(id)}`),
    notifications: rows(`SELECT seq, id, body, health_center_id, pref_code, received_at FROM notifications WHERE id = ${q(id)}`),
    versions: rows(`SELECT version, part, what, previous, at, by_user_id FROM case_versions WHERE case_id = ${q(id)} ORDER BY seq`),
    status: rows(`SELECT status, date, place, severity, comment, at FROM case_status WHERE case_id = ${q(id)} ORDER BY seq`),
    events: rows(`SELECT kind, at, health_center_id, from_health_center_id, reason FROM notification_events WHERE notification_id = ${q(id)} ORDER BY seq`),
    outbox: rows(`SELECT id, health_center_id, status FROM outbox WHERE notification_id = ${q(id)} ORDER BY id`),
    observations: rows(`SELECT kind, started_on, ends_on, health_center_id FROM observations WHERE case_id = ${q(id)}`),
    reports: rows(`SELECT id, client_id, date, slot, temperature_tenths, spo2, answers FROM observation_reports WHERE case_id = ${q(id)} ORDER BY seq`),
    alerts: rows(`SELECT id, rule, urgency, report_id, health_center_id, handled_at FROM observation_alerts WHERE case_id = ${q(id)} ORDER BY seq`),
  };
}

let patients = 0;
/** A 横須賀市 resident filed by the Shinjuku clinic (→ 新宿区保健所, Tokyo's shard) with history, status entries,
 * an observation with two reports (one raising alerts), and audit entries; answers `{ id, number }`. */
async function richTokyoRecord() {
  patients += 1;
  const n = patientCase({ name: `移動 試験${patients}`, furigana: `イドウ シケン${"アイウエオカキクケコ"[patients % 10]}`, residence: "yokosuka" });
  const f = await doctor.client.post("/api/notifications", { idempotency_key: freshKey(), notification: n, acknowledged_warnings: [] });
  assert.equal(f.status, 201, JSON.stringify(f.body));
  const id = f.body.id;
  assert.equal(f.body.residence_health_center_name, "横須賀市保健所");
  // Opened by the health center (received), edited (history), status entries.
  assert.equal((await hcShinjuku.client.get(`/api/notifications/${id}`)).status, 200);
  let rec = (await hcShinjuku.client.get(`/api/cases/${id}`)).body;
  let r = await hcShinjuku.client.put(`/api/cases/${id}/tabs/basic`, { version: rec.version, data: { insurer: "協会けんぽ", smoking: "無" } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await hcShinjuku.client.post(`/api/cases/${id}/status`, { version: r.body.version, status: "admitted", date: jstDay(), place: "hospital", severity: "moderate_ii", comment: "A病院へ" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // The observation, and the person's phone sends a calm and an alarming report.
  r = await hcShinjuku.client.post(`/api/cases/${id}/observation`, { kind: "patient", started_on: jstDay(), ends_on: "", household_of: "" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  rec = (await hcShinjuku.client.get(`/api/cases/${id}`)).body;
  const p = new Client(edge);
  const h = { "cf-connecting-ip": `198.51.100.${10 + patients}` };
  r = await p.post("/api/observe/signin", { smartphone_id: rec.smartphone_id, date_of_birth: "1980-01-15" }, { headers: h });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const keys = ["face", "cough", "dyspnea", "fatigue", "nausea", "diarrhea", "consciousness", "cannot_eat", "no_urine"];
  const answers = (over = {}) => Object.fromEntries(keys.map((k) => [k, over[k] ?? "no"]));
  const rep = (slot, over) => ({ client_id: randomBytes(12).toString("base64url"), person: id, date: jstDay(), slot, temperature: 36.6, spo2: 98, answers: answers(), ...over });
  r = await p.post("/api/observe/reports", { reports: [rep("morning"), rep("evening", { spo2: 92, temperature: 38.7, answers: answers({ dyspnea: "yes" }) })] });
  assert.deepEqual(r.body.results.map((x) => x.outcome), ["accepted", "accepted"], JSON.stringify(r.body));
  return { id, number: f.body.number };
}

function route(id) {
  return edge.d1(`SELECT seq, shard, pref_code FROM case_routes WHERE case_id = ${q(id)}`);
}

/** The core's audit entries about the record: `{ total, duplicates }` (an origin or a shard row seen twice). */
function auditOf(id) {
  const core = edge.d1(`SELECT seq, origin, action FROM audit_log WHERE target = ${q(id)}`);
  const origins = core.filter((r) => r.origin).map((r) => r.origin);
  const dupOrigins = origins.filter((o, i) => origins.indexOf(o) !== i);
  // Every shard row about it is in the core exactly once.
  const missing = [];
  for (const db of DATABASES.filter((d) => d !== CORE)) {
    for (const r of edge.d1(`SELECT seq, forwarded_at FROM audit_log WHERE target = ${q(id)}`, { db })) {
      const n = origins.filter((o) => o === `${db}:${r.seq}`).length;
      if (n !== 1) missing.push(`${db}:${r.seq} ×${n}`);
    }
  }
  return { total: core.length, actions: core.map((r) => r.action).sort(), dupOrigins, missing };
}

async function assertMovedAndWhole(id, number, before) {
  assert.deepEqual(where(id), {
    [SHARDS.kanagawa]: Object.fromEntries(Object.entries(before.counts).filter(([t]) => t !== "moving_records")),
  }, "the record's rows are in the Kanagawa shard only, unfrozen");
  const [rt] = route(id);
  assert.equal(rt.shard, SHARDS.kanagawa);
  assert.equal(rt.pref_code, "14");
  const now = contents(id, SHARDS.kanagawa);
  assert.deepEqual(now, before.contents, "every row came over as it was (same seq = same number)");
  assert.equal(now.cases[0].seq, rt.seq);
  assert.equal(now.notifications[0].seq, rt.seq);
  const [mv] = edge.d1(`SELECT step, finished_at, to_shard FROM record_moves WHERE case_id = ${q(id)} AND step < 4`);
  assert.equal(mv, undefined, "no unfinished move");
  // Through the API: the target's staff read it, once in their inbox and queue, with everything.
  const n = await hcKanagawa.client.get(`/api/notifications/${id}`);
  assert.equal(n.status, 200, JSON.stringify(n.body));
  assert.equal(n.body.number, number, "the notification number is kept");
  assert.deepEqual(n.body.history.map((e) => e.kind), ["routed", "received", "transferred", "received"]);
  const inbox = await hcKanagawa.client.get("/api/notifications");
  assert.equal(inbox.body.items.filter((i) => i.id === id).length, 1, "once in the target's list");
  const c = await hcKanagawa.client.get(`/api/cases/${id}`);
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.status, "admitted");
  assert.equal(c.body.tabs.basic.insurer, "協会けんぽ");
  const obs = await hcKanagawa.client.get(`/api/cases/${id}/observation`);
  assert.equal(obs.status, 200, JSON.stringify(obs.body));
  assert.equal(obs.body.reports.length, 2);
  assert.equal(obs.body.alerts.length, before.contents.alerts.length);
  const queue = await hcKanagawa.client.get("/api/observation/alerts");
  assert.equal(queue.body.alerts.filter((a) => a.case_id === id).length, before.contents.alerts.length, "the alerts once in the target's queue");
  const search = await hcKanagawa.client.post("/api/cases/search", { criteria: { health_center_id: KANAGAWA_HC } });
  assert.equal(search.status, 200, JSON.stringify(search.body));
  assert.equal(search.body.items.filter((i) => i.id === id).length, 1, "once in the target's search");
  // The audit chain: the record's entries once each (the ones written before the move, and the reads above).
  await edge.settle();
  const a = auditOf(id);
  assert.deepEqual(a.dupOrigins, []);
  assert.deepEqual(a.missing, []);
  for (const action of before.audit.actions) assert.ok(a.actions.includes(action), action);
  assert.ok(a.total >= before.audit.total);
}

test("setup: the Kanagawa health center's staff (core rows by SQL)", async () => {
  // 横須賀市保健所 is known once routing noted it (or is added here); its staff account copies the demo password.
  const { id } = await richTokyoRecord();
  assert.ok(id);
  if (edge.d1(`SELECT id FROM health_centers WHERE id = '${KANAGAWA_HC}'`).length === 0) {
    edge.d1(`INSERT INTO health_centers (id, name, pref_code, prefecture) VALUES ('${KANAGAWA_HC}', '横須賀市保健所', '14', '神奈川県')`);
  }
  edge.d1(
    "INSERT INTO users (id, login_id, display_name, email, role, institution_id, health_center_id, pref_code, password_hash, " +
      "must_change_password, status, created_at, updated_at) " +
      `SELECT 'u_yokosuka_staff', '${KANAGAWA_STAFF}', '横須賀 職員', '', 'health_center_staff', NULL, '${KANAGAWA_HC}', '14', password_hash, ` +
      "0, 'active', created_at, updated_at FROM users WHERE login_id = 'staff@shinjuku-hc.demo'",
  );
  hcKanagawa = await signIn(edge, KANAGAWA_STAFF, DEMO_PASSWORD);
  assert.equal((await hcKanagawa.client.get("/api/notifications")).status, 200);
});

test("a transfer to another prefecture's shard, not cut off: the whole record moves", async () => {
  const { id, number } = await richTokyoRecord();
  assert.deepEqual(Object.keys(where(id)), [SHARDS.tokyo], "filed into Tokyo's shard");
  const tokyoBefore = contents(id, SHARDS.tokyo);
  const counts = where(id)[SHARDS.tokyo];
  const auditBefore = auditOf(id);
  const r = await hcShinjuku.client.post(`/api/notifications/${id}/transfer`, { health_center_id: KANAGAWA_HC, reason: "住所地の保健所へ移管" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // What the transfer wrote (its event, its notice) moved with the rest.
  const after = where(id);
  assert.deepEqual(Object.keys(after), [SHARDS.kanagawa]);
  assert.equal(after[SHARDS.kanagawa].notification_events, counts.notification_events + 1);
  assert.equal(after[SHARDS.kanagawa].outbox, counts.outbox + 1);
  const moved = contents(id, SHARDS.kanagawa);
  for (const part of ["versions", "status", "reports"]) assert.deepEqual(moved[part], tokyoBefore[part], part);
  assert.deepEqual(moved.alerts.map((a) => [a.id, a.rule, a.report_id]), tokyoBefore.alerts.map((a) => [a.id, a.rule, a.report_id]));
  assert.equal(moved.alerts.every((a) => a.health_center_id === KANAGAWA_HC), true, "open alerts follow the transfer");
  assert.deepEqual(moved.cases.map((c) => [c.seq, c.smartphone_id, c.tabs]), tokyoBefore.cases.map((c) => [c.seq, c.smartphone_id, c.tabs]));
  assert.deepEqual(moved.notifications.map((n) => [n.seq, n.body]), tokyoBefore.notifications.map((n) => [n.seq, n.body]));
  // Opened by the target (received), then everything checked through the API and the databases.
  assert.equal((await hcKanagawa.client.get(`/api/notifications/${id}`)).status, 200);
  await assertMovedAndWhole(id, number, { counts: where(id)[SHARDS.kanagawa], contents: contents(id, SHARDS.kanagawa), audit: auditBefore });
});

for (const k of [1, 2, 3]) {
  test(`a move killed after step ${k} (worker process stopped there and restarted) is resumed and whole`, async () => {
    const { id, number } = await richTokyoRecord();
    const tokyoBefore = contents(id, SHARDS.tokyo);
    const counts = where(id)[SHARDS.tokyo];
    await edge.settle();
    const auditBefore = auditOf(id);
    // The transfer is written, then its move stops after step k (the test edge's hook) — and the worker dies.
    const r = await hcShinjuku.client.post(`/api/notifications/${id}/transfer`, { health_center_id: KANAGAWA_HC, reason: "住所地の保健所へ移管" }, { headers: { "x-test-move-stop-after": String(k) } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await restart();
    const [mv] = edge.d1(`SELECT step, from_shard, to_shard FROM record_moves WHERE case_id = ${q(id)} AND step < 4`);
    assert.deepEqual(mv, { step: k, from_shard: SHARDS.tokyo, to_shard: SHARDS.kanagawa });
    const state = where(id);
    const [rt] = route(id);
    if (k === 1) {
      assert.equal(rt.shard, SHARDS.tokyo, "not switched yet: reads go to the source");
      assert.equal(state[SHARDS.tokyo].moving_records, 1, "frozen in the source");
      assert.equal(state[SHARDS.kanagawa].cases, 1, "copied");
      // A write to the record while it moves is refused, with a clear code; nothing is lost.
      const rec = (await hcKanagawa.client.get(`/api/cases/${id}`)).body;
      const w = await hcKanagawa.client.put(`/api/cases/${id}/tabs/basic`, { version: rec.version, data: { insurer: "国保" } });
      assert.equal(w.status, 409, JSON.stringify(w.body));
      assert.equal(w.body.error.code, "RECORD_MOVING");
      assert.match(w.body.error.message, /移/);
    } else {
      assert.equal(rt.shard, SHARDS.kanagawa, "switched");
      assert.equal(state[SHARDS.kanagawa].cases, 1);
      assert.equal(state[SHARDS.tokyo]?.cases ?? 0, k === 2 ? 1 : 0, k === 2 ? "not deleted yet" : "deleted");
    }
    // Resumed once the dead worker's lease (60 s) has run out: by the cron's sweep, or by repeating the move.
    const early = await testMove({ case_id: id, to: SHARDS.kanagawa });
    assert.equal(early.status, 409, "the lease still holds it");
    assert.equal(early.body.error.code, "RECORD_MOVING");
    await advance(2 * 60_000);
    if (k === 2) {
      const again = await testMove({ case_id: id, to: SHARDS.kanagawa });
      assert.equal(again.status, 204, JSON.stringify(again.body));
    } else {
      const sweep = await testMove({ resume_all: true });
      assert.equal(sweep.status, 200, JSON.stringify(sweep.body));
      assert.equal(sweep.body.finished, 1);
    }
    const [done] = edge.d1(`SELECT step, finished_at FROM record_moves WHERE case_id = ${q(id)}`);
    assert.equal(done.step, 4);
    // The source's rows, with what the transfer added, are the target's now.
    assert.equal((await hcKanagawa.client.get(`/api/notifications/${id}`)).status, 200);
    const moved = contents(id, SHARDS.kanagawa);
    assert.deepEqual(moved.versions, tokyoBefore.versions);
    assert.deepEqual(moved.status, tokyoBefore.status);
    assert.deepEqual(moved.reports, tokyoBefore.reports);
    assert.deepEqual(moved.cases.map((c) => c.seq), tokyoBefore.cases.map((c) => c.seq));
    assert.equal(moved.events.length, tokyoBefore.events.length + 2, "transferred + received");
    const now = where(id)[SHARDS.kanagawa];
    assert.equal(now.cases, counts.cases);
    await assertMovedAndWhole(id, number, { counts: now, contents: moved, audit: auditBefore });
    // The write refused while it moved now passes, in the target.
    const rec = (await hcKanagawa.client.get(`/api/cases/${id}`)).body;
    const w = await hcKanagawa.client.put(`/api/cases/${id}/tabs/basic`, { version: rec.version, data: { insurer: "国保" } });
    assert.equal(w.status, 200, JSON.stringify(w.body));
  });
}

test("a finished move repeated changes nothing; a move to where it is does nothing", async () => {
  const { id } = await richTokyoRecord();
  const r = await hcShinjuku.client.post(`/api/notifications/${id}/transfer`, { health_center_id: KANAGAWA_HC, reason: "住所地の保健所へ移管" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await edge.settle();
  const snapshot = () => ({
    where: where(id),
    contents: contents(id, SHARDS.kanagawa),
    moves: edge.d1(`SELECT id, step, started_at, finished_at FROM record_moves WHERE case_id = ${q(id)}`),
    route: route(id),
    audit: edge.d1(`SELECT COUNT(*) AS n FROM audit_log WHERE target = ${q(id)}`, { settle: false }),
  });
  const first = snapshot();
  assert.equal(first.moves.length, 1);
  for (let i = 0; i < 2; i++) {
    const again = await testMove({ case_id: id, to: SHARDS.kanagawa });
    assert.equal(again.status, 204, JSON.stringify(again.body));
    const sweep = await testMove({ resume_all: true });
    assert.equal(sweep.body.finished, 0);
  }
  await edge.settle();
  assert.deepEqual(snapshot(), first);
});

test("a record tied to a household observation is not transferred to another shard: refused before anything is written", async () => {
  const a = await richTokyoRecord();
  const b = await richTokyoRecord();
  // b's phone reports for a (a's observation is b's household's).
  edge.d1(`UPDATE observations SET household_of = ${q(b.id)} WHERE case_id = ${q(a.id)}`, { db: SHARDS.tokyo });
  const before = where(a.id);
  const r = await hcShinjuku.client.post(`/api/notifications/${a.id}/transfer`, { health_center_id: KANAGAWA_HC, reason: "住所地の保健所へ移管" });
  assert.equal(r.status, 409, JSON.stringify(r.body));
  assert.equal(r.body.error.code, "HOUSEHOLD_LINKED");
  assert.match(r.body.error.message, /同居者/);
  assert.deepEqual(where(a.id), before, "nothing written");
  assert.equal((await hcShinjuku.client.get(`/api/notifications/${a.id}`)).body.health_center_id, "HC13104");
  // The other end of the link is refused too.
  const r2 = await testMove({ case_id: b.id, to: SHARDS.kanagawa });
  assert.equal(r2.status, 409);
  assert.equal(r2.body.error.code, "HOUSEHOLD_LINKED");
});
