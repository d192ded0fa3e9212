// The audit chain under attack by someone who can write to D1 but holds neither the Worker secret AUDIT_KEY nor KV:
// the newest entries deleted (checked against the anchor in KV), a chain recomputed without the key (plain SHA-256,
// or a wrong key), entries deleted from the middle (a gap, before or after sealing), entries left unsealed. And the
// reads: a search or list names the records it returned; reading the audit log is itself logged; without the key
// nothing is done. Each destructive test has its own worker (a tampered chain stays tampered).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { confirmedCase, freshKey } from "../support/notification.mjs";

const edges = [];
after(async () => {
  for (const e of edges) await e.stop();
});

async function edgeWithAdmin() {
  const edge = await startEdge({ seedDemo: true });
  edges.push(edge);
  const admin = await firstSignInAs(edge, "admin@shinjuku-hc.demo");
  return { edge, admin };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The scheduled handler (the every-minute cron): seals and anchors the head in KV. */
async function cron(edge) {
  const r = await fetch(`${edge.api}/cdn-cgi/local/scheduled`);
  await r.arrayBuffer();
  assert.equal(r.status, 200);
}

const verify = async (admin) => {
  const r = await admin.client.get("/api/admin/audit/verify");
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

const rows = (edge) => edge.d1("SELECT * FROM audit_log ORDER BY seq");
const sealedHead = (edge) => edge.d1("SELECT MAX(seq) AS seq FROM audit_log WHERE hash <> ''")[0].seq;

/** Some audited traffic: sign-ins, lists, account views. */
async function traffic(admin, n = 4) {
  for (let i = 0; i < n; i++) assert.equal((await admin.client.get("/api/admin/accounts")).status, 200);
}

// The seal's encoding (edge/src/store/audit.rs): each field as `<UTF-8 length>:<value>;`, NUL for NULL.
const field = (v) => {
  const s = v === null || v === undefined ? "\u0000" : String(v);
  return `${Buffer.byteLength(s)}:${s};`;
};
const legacyFields = (e) => [e.seq, e.at, e.actor_user_id, e.actor_role, e.action, e.target, e.outcome,
  e.client_address, e.health_center_id, e.pref_code, e.prev_hash];
const keyedFields = (e) => ["her-sys-audit-v2", e.seq, e.at, e.actor_user_id, e.actor_role, e.action, e.target,
  e.outcome, e.client_address, e.health_center_id, e.pref_code, e.detail, e.prev_hash];
const plainSha = (e) => createHash("sha256").update(legacyFields(e).map(field).join("")).digest("hex");
const wrongKeyHmac = (e) => createHmac("sha256", "not-the-worker-key-not-the-worker-key").update(keyedFields(e).map(field).join("")).digest("hex");

/** Rewrites entry `from` with `edit` and re-chains it and every later entry with `seal` (what a database writer can
 * compute), marking them `version`. */
function recompute(edge, from, edit, seal, version) {
  const all = rows(edge);
  let prev = all.find((e) => e.seq === from - 1)?.hash;
  const sql = [];
  for (const e of all.filter((x) => x.seq >= from)) {
    if (e.seq === from) edit(e);
    e.prev_hash = prev;
    e.hash = seal(e);
    prev = e.hash;
    sql.push(`UPDATE audit_log SET target = ${e.target === null ? "NULL" : `'${e.target}'`}, prev_hash = '${e.prev_hash}', ` +
      `hash = '${e.hash}', chain_version = ${version} WHERE seq = ${e.seq}`);
  }
  edge.d1(sql.join("; "));
}

test("the newest entries deleted: reported as truncated against the anchor in KV; a replaced tail as rewritten", async () => {
  const { edge, admin } = await edgeWithAdmin();
  await traffic(admin);
  assert.equal((await verify(admin)).valid, true);
  await traffic(admin);
  await cron(edge); // seals and anchors the head
  await sleep(300);
  const head = sealedHead(edge);
  edge.d1(`DELETE FROM audit_log WHERE seq > ${head - 3}`);

  const r = await verify(admin);
  assert.equal(r.valid, false, JSON.stringify(r));
  assert.equal(r.anchor.seq, head, "the anchor is the head the cron saw");
  assert.deepEqual(r.problems, [{ kind: "truncated", last_seq: head - 3, anchor_seq: head }]);

  // New entries take the deleted numbers: the entry at the anchor's number is not the anchored one.
  await traffic(admin, 4);
  const again = await verify(admin);
  assert.equal(again.valid, false);
  assert.ok(again.problems.some((p) => p.kind === "rewritten" && p.seq === head), JSON.stringify(again));
  assert.equal(again.anchor.seq, head, "the anchor did not move past the evidence");
});

test("a chain recomputed without the key (plain SHA-256, or another key) is reported broken at the edited entry", async () => {
  const { edge, admin } = await edgeWithAdmin();
  await traffic(admin);
  assert.equal((await verify(admin)).valid, true);
  await sleep(1200); // the verify's own seal and anchor, after its answer
  const victim = rows(edge).find((e) => e.action === "account_list").seq;

  // Plain SHA-256 over the same fields (the old seal), as keyed entries and as "legacy" ones.
  for (const version of [2, 1]) {
    recompute(edge, victim, (e) => (e.target = "someone-else"), plainSha, version);
    const r = await verify(admin);
    assert.equal(r.valid, false, `version ${version}: ${JSON.stringify(r)}`);
    assert.equal(r.first_bad_seq, victim);
    assert.deepEqual(r.problems[0], { kind: "broken", seq: victim });
    assert.equal(r.legacy_entries, 0);
  }
  // HMAC under a key that is not the worker's.
  recompute(edge, victim, (e) => (e.target = "yet-another"), wrongKeyHmac, 2);
  const r = await verify(admin);
  assert.equal(r.first_bad_seq, victim, JSON.stringify(r));
});

test("an entry missing from the middle: a gap, reported; entries deleted before sealing do not stop sealing", async () => {
  const { edge, admin } = await edgeWithAdmin();
  await traffic(admin);
  assert.equal((await verify(admin)).valid, true);
  await sleep(1200);

  // A sealed entry deleted.
  const middle = rows(edge).find((e) => e.action === "account_list").seq;
  edge.d1(`DELETE FROM audit_log WHERE seq = ${middle}`);
  let r = await verify(admin);
  assert.equal(r.valid, false);
  assert.deepEqual(r.problems, [{ kind: "gap", seq: middle, missing: 1 }], JSON.stringify(r));
  assert.equal(r.first_bad_seq, null, "the entries after the gap still verify");
  await sleep(1200);

  // Two entries written, the first deleted before any seal ran.
  const top = edge.d1("SELECT MAX(seq) AS seq FROM audit_log")[0].seq;
  const now = Date.now();
  edge.d1(`INSERT INTO audit_log (seq, at, action, outcome, client_address, health_center_id, prev_hash, hash) VALUES ` +
    `(${top + 1}, ${now}, 'sign_in', 'ok', '127.0.0.1', 'HC13104', '', ''), (${top + 2}, ${now}, 'sign_in', 'ok', '127.0.0.1', 'HC13104', '', '')`);
  edge.d1(`DELETE FROM audit_log WHERE seq = ${top + 1}`);
  await traffic(admin, 2);
  r = await verify(admin);
  assert.deepEqual(r.problems, [{ kind: "gap", seq: middle, missing: 1 }, { kind: "gap", seq: top + 1, missing: 1 }], JSON.stringify(r));
  assert.equal(r.first_bad_seq, null);
  await sleep(1200);
  assert.deepEqual(edge.d1("SELECT seq FROM audit_log WHERE hash = ''"), [], "sealing went on past the gap");
  const sealed = rows(edge).filter((e) => e.seq > top);
  assert.ok(sealed.length >= 4 && sealed.every((e) => e.chain_version === 2), JSON.stringify(sealed));
});

test("entries left unsealed for more than 5 minutes are reported stale (and sealed by the check)", async () => {
  const { edge, admin } = await edgeWithAdmin();
  await traffic(admin, 2);
  await sleep(1200);
  const top = edge.d1("SELECT MAX(seq) AS seq FROM audit_log")[0].seq;
  const at = Date.now() - 6 * 60 * 1000;
  edge.d1(`INSERT INTO audit_log (seq, at, action, outcome, client_address, health_center_id, prev_hash, hash) VALUES ` +
    `(${top + 1}, ${at}, 'sign_in', 'ok', '127.0.0.1', 'HC13104', '', '')`);
  const r = await verify(admin);
  assert.equal(r.valid, false);
  assert.deepEqual(r.problems, [{ kind: "stale", count: 1, oldest_seq: top + 1, oldest_at: at }], JSON.stringify(r));
  const next = await verify(admin);
  assert.equal(next.valid, true, `sealed by the first check: ${JSON.stringify(next)}`);
});

test("reads name what they returned: a search, the notification list, the account list; reading the log is logged", async () => {
  const { edge, admin } = await edgeWithAdmin();
  const doctor = await firstSignInAs(edge, "doctor@shinjuku-clinic.demo");
  const hc = await firstSignInAs(edge, "staff@shinjuku-hc.demo");
  const filed = await doctor.client.post("/api/notifications", { idempotency_key: freshKey(), notification: confirmedCase(), acknowledged_warnings: [] });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const id = filed.body.id;

  const found = await hc.client.post("/api/cases/search", { criteria: {} });
  assert.equal(found.status, 200, JSON.stringify(found.body));
  assert.ok(found.body.items.some((i) => i.id === id));
  assert.equal((await hc.client.get("/api/notifications")).status, 200);
  const accounts = await admin.client.get("/api/admin/accounts");
  await sleep(300);

  const first = await admin.client.get("/api/admin/audit");
  assert.equal(first.status, 200);
  const newest = (action) => first.body.entries.find((e) => e.action === action);
  const search = newest("case_search");
  assert.ok(search, "the search is logged");
  assert.equal(search.returned_count, found.body.items.length);
  assert.deepEqual(search.returned_ids, found.body.items.map((i) => i.id));
  assert.ok(newest("notification_list").returned_ids.includes(id));
  assert.deepEqual(newest("account_list").returned_ids.sort(), accounts.body.accounts.map((a) => a.id).sort());
  // The rows of the table hold the same (part of the sealed fields).
  const row = edge.d1(`SELECT detail FROM audit_log WHERE seq = ${search.seq}`)[0];
  assert.deepEqual(JSON.parse(row.detail), { n: found.body.items.length, ids: found.body.items.map((i) => i.id) });
  assert.doesNotMatch(JSON.stringify(first.body.entries.map((e) => e.returned_ids)), /@|[\u3040-\u30ff]/, "ids only");

  // Reading the log is itself an entry, naming the entries it showed; so is a filtered search and the check.
  const second = await admin.client.post("/api/admin/audit", { action: "audit_read" });
  assert.equal(second.status, 200);
  const read = second.body.entries[0];
  assert.equal(read.actor_user_id, admin.user.id);
  assert.equal(read.returned_count, first.body.entries.length);
  assert.deepEqual(read.returned_ids, first.body.entries.map((e) => String(e.seq)));
  assert.equal((await verify(admin)).valid, true);
  const third = await admin.client.post("/api/admin/audit", { action: "audit_verify" });
  assert.equal(third.body.entries.length, 1);
});

test("the cron anchors the head in KV and e-mails it once a day to AUDIT_ANCHOR_TO", async () => {
  const { edge, admin } = await edgeWithAdmin();
  await traffic(admin, 2);
  await cron(edge);
  await sleep(300);
  const head = sealedHead(edge);
  const r = await verify(admin);
  assert.equal(r.anchor.seq, head, JSON.stringify(r));
  assert.equal(r.anchor.hash, rows(edge).find((e) => e.seq === head).hash);
  assert.equal(r.anchor.keyed_from, 1);
  await cron(edge);
  let mails = [];
  for (let i = 0; i < 25 && mails.length === 0; i++) {
    const log = edge.log().replace(/\x1b\[[0-9;]*m/g, "");
    mails = log.split("send_email binding called").slice(1).filter((b) => b.includes("To: audit-anchor@her-sys.example"));
    if (mails.length === 0) await sleep(200);
  }
  assert.equal(mails.length, 1, `one anchor e-mail, not one a minute:\n${edge.log().slice(-2000)}`);
  assert.match(mails[0], /監査ログの控え/);
});

test("without the AUDIT_KEY secret nothing audited is done: AUDIT_UNAVAILABLE, never an unkeyed chain", async () => {
  const edge = await startEdge({ seedDemo: true, vars: { AUDIT_KEY: null } });
  edges.push(edge);
  assert.equal((await fetch(`${edge.api}/api/health`)).status, 200);
  const r = await fetch(`${edge.api}/api/auth/password`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: edge.api },
    body: JSON.stringify({ login_id: "admin@shinjuku-hc.demo", password: "Demo-Hersys-2026" }),
  });
  const body = await r.json();
  assert.equal(r.status, 503, JSON.stringify(body));
  assert.equal(body.error.code, "AUDIT_UNAVAILABLE");
  assert.match(body.error.message, /監査ログ/);
  assert.deepEqual(edge.d1("SELECT COUNT(*) AS n FROM audit_log")[0].n, 0);
});
