// Faults a real deployment meets (issue 11), against the real worker: a client whose clock is wrong, a session that
// ends in the middle of a flow, and bodies cut off or corrupted on the way. Each gets a specific answer, nothing is
// stored wrongly, and what is sent again after recovering is stored exactly once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startEdge } from "../support/edge.mjs";
import { Client, firstSignInAs, signIn, DEMO_PASSWORD } from "../support/softauthn.mjs";
import { confirmedCase, freshKey } from "../support/notification.mjs";
import { driveRecord } from "../support/drive.mjs";

let edge;
let doctor;
let hc;
before(async () => {
  edge = await startEdge({ seedDemo: true });
  [doctor, hc] = await Promise.all([
    firstSignInAs(edge, "doctor@shinjuku-clinic.demo"),
    firstSignInAs(edge, "staff@shinjuku-hc.demo"),
  ]);
});
after(async () => {
  await edge?.stop();
});

const jstDay = (offset = 0) => new Date(Date.now() + 9 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);
const PATIENT_KEYS = ["face", "cough", "dyspnea", "fatigue", "nausea", "diarrhea", "consciousness", "cannot_eat", "no_urine"];
const answers = Object.fromEntries(PATIENT_KEYS.map((k) => [k, "no"]));
const count = async (name) => (await hc.client.post("/api/cases/search", { criteria: { name } })).body.count;

/** A filed record observed from today, and a phone signed in for it. */
async function observedPhone(name) {
  const filed = await doctor.client.post("/api/notifications", {
    idempotency_key: freshKey(),
    notification: confirmedCase({ patient: { name } }),
    acknowledged_warnings: [],
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const id = filed.body.id;
  const started = await hc.client.post(`/api/cases/${id}/observation`, { kind: "patient", started_on: jstDay(), ends_on: "", household_of: "" });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const rec = await hc.client.get(`/api/cases/${id}`);
  const phone = new Client(edge);
  const r = await phone.post("/api/observe/signin", { smartphone_id: rec.body.smartphone_id, date_of_birth: rec.body.date_of_birth },
    { headers: { "cf-connecting-ip": `192.0.2.${Math.floor(Math.random() * 200) + 1}` } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { id, phone, sid: rec.body.smartphone_id, dob: rec.body.date_of_birth };
}

test("a client clock a day ahead or a year behind: filings, sync records and reports are refused with the field named", async () => {
  // Filing dated tomorrow (the phone's clock is ahead): validation names the date, nothing is filed.
  const ahead = confirmedCase({ report_date: jstDay(1), diagnosis_date: jstDay(1), patient: { name: "時計 先行" } });
  let r = await doctor.client.post("/api/notifications", { idempotency_key: freshKey(), notification: ahead, acknowledged_warnings: [] });
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.ok(r.body.error.issues.some((i) => /date/.test(i.field)), JSON.stringify(r.body.error.issues));
  assert.equal(await count("時計 先行"), 0);
  // A drive-through record collected "tomorrow" and one from a clock a year behind: each refused on its own, the
  // good one beside them applied.
  const future = driveRecord(1, { prefix: "時計 同期" });
  future.specimen.collected_at = Date.now() + 86_400_000;
  const good = driveRecord(2, { prefix: "時計 同期" });
  r = await doctor.client.post("/api/sync", { protocol: 1, records: [future, good] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.results.map((x) => x.outcome), ["rejected", "applied"]);
  assert.ok(JSON.stringify(r.body.results[0]).includes("specimen.collected_at"));
  assert.equal(await count("時計 同期"), 1);
  // A report for tomorrow and one from last year: refused, with Japanese reasons; today's is stored.
  const { id, phone } = await observedPhone("時計 観察");
  r = await phone.post("/api/observe/reports", { reports: [
    { client_id: "skew-ahead-1", person: id, date: jstDay(1), slot: "morning", temperature: 36.5, spo2: 98, answers },
    { client_id: "skew-behind-1", person: id, date: jstDay(-365), slot: "morning", temperature: 36.5, spo2: 98, answers },
    { client_id: "skew-today-1", person: id, date: jstDay(), slot: "morning", temperature: 36.5, spo2: 98, answers },
  ] });
  assert.deepEqual(r.body.results.map((x) => x.outcome), ["rejected", "rejected", "accepted"]);
  assert.match(r.body.results[0].issues[0].message, /未来/);
  const tab = await hc.client.get(`/api/cases/${id}/observation`);
  assert.equal(tab.body.reports.length, 1);
});

test("a session that ends mid-flow: the request is refused, and the same request after signing in again is stored once", async () => {
  // A clinic's filing: the session ends (signed out elsewhere) between the draft and the submit.
  const who = await firstSignInAs(edge, "staff@shinjuku-clinic.demo");
  const key = freshKey();
  const body = { idempotency_key: key, notification: confirmedCase({ patient: { name: "期限 切れ" } }), acknowledged_warnings: [] };
  assert.equal((await who.client.get("/api/me/draft-key")).status, 200);
  assert.equal((await who.client.post("/api/auth/signout")).status, 204);
  let r = await who.client.post("/api/notifications", body);
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, "UNAUTHENTICATED");
  const again = await signIn(edge, "staff@shinjuku-clinic.demo", DEMO_PASSWORD, { authenticator: who.authenticator });
  r = await again.client.post("/api/notifications", body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await again.client.post("/api/notifications", body);
  assert.equal(r.body.replayed, true);
  assert.equal(await count("期限 切れ"), 1);

  // A phone: its session ends between two sends; the unsent report goes after signing in again, once.
  const { id, phone, sid, dob } = await observedPhone("期限 観察");
  const report = { client_id: "expired-mid-1", person: id, date: jstDay(), slot: "evening", temperature: 37.0, spo2: 97, answers };
  assert.equal((await phone.post("/api/observe/signout")).status, 204);
  r = await phone.post("/api/observe/reports", { reports: [report] });
  assert.equal(r.status, 401);
  r = await phone.post("/api/observe/signin", { smartphone_id: sid, date_of_birth: dob }, { headers: { "cf-connecting-ip": "192.0.2.250" } });
  assert.equal(r.status, 200);
  for (let i = 0; i < 2; i++) {
    r = await phone.post("/api/observe/reports", { reports: [report] });
    assert.equal(r.body.results[0].outcome, "accepted");
  }
  const tab = await hc.client.get(`/api/cases/${id}/observation`);
  assert.equal(tab.body.reports.length, 1);
});

/** Sends raw bytes with a chosen Content-Length; resolves with the status, or null if the connection was cut. */
function raw(path, bytes, { length = bytes.length, cookie, end = true } = {}) {
  return new Promise((resolve) => {
    const u = new URL(edge.api);
    const req = http.request({
      host: u.hostname, port: u.port, path, method: "POST", agent: false,
      headers: { "content-type": "application/json", "content-length": length, origin: edge.api, ...(cookie ? { cookie } : {}) },
    }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("error", () => resolve(null));
    req.setTimeout(15_000, () => req.destroy());
    req.write(bytes);
    if (end) req.end();
    else setTimeout(() => req.destroy(), 300);
  });
}

test("bodies cut off or corrupted on the way: 400 with a stable code or a dropped connection, never a 5xx or a record", async () => {
  const full = Buffer.from(JSON.stringify({ idempotency_key: freshKey(), notification: confirmedCase({ patient: { name: "途中 切断" } }), acknowledged_warnings: [] }));
  const outcomes = [];
  // Truncated JSON (the body really is shorter).
  for (const cut of [1, 10, Math.floor(full.length / 2), full.length - 1]) {
    outcomes.push(await raw("/api/notifications", full.subarray(0, cut), { cookie: doctor.cookie }));
  }
  // Bytes flipped in the middle (invalid UTF-8 and broken structure).
  const flipped = Buffer.from(full);
  for (let i = 100; i < 140; i++) flipped[i] ^= 0xff;
  outcomes.push(await raw("/api/notifications", flipped, { cookie: doctor.cookie }));
  // A Content-Length promising more than arrives, the connection then dropped by the client.
  outcomes.push(await raw("/api/notifications", full.subarray(0, 200), { length: full.length, cookie: doctor.cookie, end: false }));
  // The same for the sync and the phone's reports.
  const sync = Buffer.from(JSON.stringify({ protocol: 1, records: [driveRecord(1, { prefix: "途中 同期" })] }));
  outcomes.push(await raw("/api/sync", sync.subarray(0, sync.length - 5), { cookie: doctor.cookie }));
  outcomes.push(await raw("/api/observe/reports", Buffer.from('{"reports":[{"client_id":"abc'), {}));
  for (const o of outcomes) {
    if (o === null) continue; // the client cut it: no answer to check
    assert.ok(o.status >= 400 && o.status < 500, `${o.status} ${o.text.slice(0, 200)}`);
    assert.match(JSON.parse(o.text).error.code, /^[A-Z_]+$/);
  }
  assert.equal(await count("途中 切断"), 0);
  assert.equal(await count("途中 同期"), 0);
  // And the worker goes on answering.
  assert.equal((await fetch(`${edge.api}/api/health`)).status, 200);
  const verify = await new Client(edge).get("/api/admin/audit/verify", { cookie: (await firstSignInAs(edge, "admin@shinjuku-hc.demo")).cookie });
  assert.equal(verify.body.valid, true);
});
