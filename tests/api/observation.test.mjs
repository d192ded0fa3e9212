// Health observation over HTTP against the real worker (issue 10): a health center starts an observation, the
// person signs in on a phone with the slip's スマホ入力ID and birth date (throttled per ID and per address), the
// phone session reaches nothing but its own people's reports, reports are stored once per client id, triage rules
// raise alerts (red flags and missed check-ins), the queue is ordered by urgency and worked with notes, the
// dashboard counts, and every step is audited.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startEdge } from "../support/edge.mjs";
import { Client, FLAGS, SoftAuthenticator, firstSignInAs } from "../support/softauthn.mjs";

let edge;
let hc; // staff@shinjuku-hc.demo (HC13104)
let hcAdmin;
let otherHc; // staff@setagaya-hc.demo
let doctor; // a clinic in Shinjuku
let pref;
let mhlw;
before(async () => {
  edge = await startEdge({ seedDemo: true, seedRecords: true });
  [hc, hcAdmin, otherHc, doctor, pref, mhlw] = await Promise.all([
    firstSignInAs(edge, "staff@shinjuku-hc.demo"),
    firstSignInAs(edge, "admin@shinjuku-hc.demo"),
    firstSignInAs(edge, "staff@setagaya-hc.demo"),
    firstSignInAs(edge, "doctor@shinjuku-clinic.demo"),
    firstSignInAs(edge, "pref@tokyo.demo"),
    firstSignInAs(edge, "mhlw"),
  ]);
});
after(async () => {
  await edge?.stop();
});

const jstDay = (offsetDays = 0) =>
  new Date(Date.now() + 9 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
const PATIENT_KEYS = ["face", "cough", "dyspnea", "fatigue", "nausea", "diarrhea", "consciousness", "cannot_eat", "no_urine"];
const CONTACT_KEYS = ["cough", "sore_throat", "dyspnea", "fatigue"];
const clientId = () => randomBytes(12).toString("base64url");
const answers = (keys, over = {}) => Object.fromEntries(keys.map((k) => [k, over[k] ?? "no"]));
const report = (person, over = {}) => ({
  client_id: clientId(),
  person,
  date: jstDay(),
  slot: "morning",
  temperature: 36.6,
  spo2: 98,
  answers: answers(PATIENT_KEYS),
  ...over,
});
/** A phone: its own cookie jar, a distinct client address (the per-address throttle is per test). */
const phone = (address = `198.51.100.${1 + Math.floor(Math.random() * 250)}`) => {
  const c = new Client(edge);
  const h = { "cf-connecting-ip": address };
  return {
    client: c,
    signIn: (smartphone_id, date_of_birth) =>
      c.post("/api/observe/signin", { smartphone_id, date_of_birth }, { headers: h }),
    me: () => c.get("/api/observe/me"),
    send: (reports) => c.post("/api/observe/reports", { reports }),
  };
};

/** Unused records of HC13104 with a birth date, for one test each. */
const pool = [];
async function freshRecord() {
  if (pool.length === 0) {
    const r = await hc.client.post("/api/cases/search", { criteria: { health_center_id: "HC13104" } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const s of r.body.items) if (s.date_of_birth) pool.push(s);
  }
  const s = pool.shift();
  assert.ok(s, "a seeded record with a birth date is left");
  return { id: s.id, sid: s.smartphone_id, dob: s.date_of_birth, name: s.name };
}
const start = (who, id, body) =>
  who.client.post(`/api/cases/${id}/observation`, { kind: "patient", started_on: jstDay(), ends_on: "", household_of: "", ...body });

test("a health center starts an observation; only then does the slip open a phone session, for that person alone", async () => {
  const rec = await freshRecord();
  const p = phone();
  // Before the observation starts, the right ID and birth date do not sign in.
  let r = await p.signIn(rec.sid, rec.dob);
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, "OBSERVE_SIGN_IN_FAILED");
  // A clinic, another health center and the prefecture cannot start it.
  for (const who of [doctor, otherHc, pref]) {
    r = await start(who, rec.id);
    assert.ok([403].includes(r.status), `${r.status} ${JSON.stringify(r.body)}`);
  }
  r = await start(hc, rec.id);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.observation.kind, "patient");
  assert.equal(r.body.observation.started_on, jstDay());
  assert.equal(r.body.observation.ends_on, jstDay(9), "10 days by default");
  assert.equal(r.body.can_manage, true);
  // Wrong birth date: refused, the same code as an unknown ID (nothing says which part was wrong).
  r = await p.signIn(rec.sid, "1900-01-01");
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, "OBSERVE_SIGN_IN_FAILED");
  assert.match(r.body.error.message, /スマホ入力ID/);
  r = await p.signIn(rec.sid, rec.dob);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.match(p.client.setCookies.get("__Host-hs_observe"), /^__Host-hs_observe=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict/);
  assert.equal(r.body.people.length, 1);
  assert.equal(r.body.people[0].id, rec.id);
  assert.equal(r.body.people[0].kind, "patient");
  assert.equal(r.body.today, jstDay());
  assert.ok(!JSON.stringify(r.body).includes(rec.dob), "the birth date is not echoed");
  // The phone session opens nothing of the staff API, and no other record.
  for (const [m, path] of [
    ["GET", `/api/cases/${rec.id}`],
    ["GET", `/api/cases/${rec.id}/observation`],
    ["GET", "/api/me"],
    ["POST", "/api/cases/search"],
    ["GET", "/api/notifications"],
    ["GET", "/api/observation/alerts"],
    ["GET", "/api/dashboard"],
  ]) {
    const res = await p.client.request(m, path, m === "POST" ? { criteria: {} } : undefined);
    assert.equal(res.status, 401, `${m} ${path} → ${res.status}`);
  }
  const other = await freshRecord();
  r = await p.send([report(other.id)]);
  assert.equal(r.status, 200);
  assert.equal(r.body.results[0].outcome, "rejected", "another record's report is refused");
  assert.equal(r.body.results[0].issues[0].field, "person");
  // A staff session does not open the phone endpoints either.
  assert.equal((await hc.client.get("/api/observe/me")).status, 401);
  // Signed out: the cookie no longer works.
  assert.equal((await p.client.post("/api/observe/signout")).status, 204);
  assert.equal((await p.me()).status, 401);
});

test("reports: checked item by item, stored once per client id, red flags raise alerts ordered by urgency", async () => {
  const rec = await freshRecord();
  assert.equal((await start(hc, rec.id)).status, 200);
  const p = phone();
  assert.equal((await p.signIn(rec.sid, rec.dob)).status, 200);
  // Bad input: each problem named, nothing stored.
  let r = await p.send([
    report(rec.id, { temperature: 45, spo2: 40, answers: answers(PATIENT_KEYS.slice(1)), date: jstDay(1) }),
    report(rec.id, { client_id: "x" }),
  ]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const fields = r.body.results[0].issues.map((i) => i.field);
  assert.deepEqual(fields, ["date", "temperature", "spo2", "face"]);
  assert.ok(r.body.results[0].issues.every((i) => /[ぁ-んァ-ン一-龯]/.test(i.message)), "Japanese messages");
  assert.equal(r.body.results[1].outcome, "rejected");
  // Garbage bodies: a stable code, never a crash.
  for (const body of ["{", "[]", JSON.stringify({ reports: "x" }), JSON.stringify({ reports: [{ client_id: 1 }] })]) {
    const bad = await p.client.request("POST", "/api/observe/reports", body);
    assert.equal(bad.status, 400, body);
    assert.equal(bad.body.error.code, "BAD_REQUEST");
  }
  const tooMany = Array.from({ length: 21 }, () => report(rec.id));
  assert.equal((await p.send(tooMany)).status, 413);

  const calm = report(rec.id, { slot: "morning" });
  const red = report(rec.id, {
    slot: "evening",
    spo2: 92,
    temperature: 38.7,
    answers: answers(PATIENT_KEYS, { dyspnea: "yes", cough: "unknown", no_urine: "yes" }),
  });
  r = await p.send([calm, red]);
  assert.deepEqual(r.body.results.map((x) => x.outcome), ["accepted", "accepted"]);
  assert.deepEqual(r.body.results.map((x) => x.urgent), [false, true]);
  // The same batch again (a phone that lost the answer): accepted, stored once, no second set of alerts.
  r = await p.send([calm, red]);
  assert.deepEqual(r.body.results.map((x) => x.outcome), ["accepted", "accepted"]);

  const tab = await hc.client.get(`/api/cases/${rec.id}/observation`);
  assert.equal(tab.status, 200);
  assert.equal(tab.body.reports.length, 2, "stored once each");
  const ev = tab.body.reports.find((x) => x.slot === "evening");
  assert.equal(ev.temperature, 38.7);
  assert.equal(ev.spo2, 92);
  assert.equal(ev.answers.cough, "unknown");
  const rules = tab.body.alerts.map((a) => a.rule).sort();
  assert.deepEqual(rules, ["dyspnea", "high_fever", "no_urine", "spo2_low"]);
  assert.equal(tab.body.alerts.find((a) => a.rule === "spo2_low").detail, "SpO₂ 92%");
  // Me says what is reported.
  const me = await p.me();
  assert.deepEqual(me.body.people[0].reported.sort(), [`${jstDay()}/evening`, `${jstDay()}/morning`]);

  // The queue: waiting alerts of this health center, most urgent first; other areas see none of them.
  const q = await hc.client.get("/api/observation/alerts");
  assert.equal(q.status, 200);
  const mine = q.body.alerts.filter((a) => a.case_id === rec.id);
  assert.deepEqual(mine.map((a) => a.urgency), [3, 3, 2, 1]);
  const urg = q.body.alerts.map((a) => a.urgency);
  assert.deepEqual(urg, [...urg].sort((a, b) => b - a), "ordered by urgency");
  const theirs = await otherHc.client.get("/api/observation/alerts");
  assert.ok(!theirs.body.alerts.some((a) => a.case_id === rec.id));
  for (const who of [doctor, pref, mhlw]) assert.equal((await who.client.get("/api/observation/alerts")).status, 403);
});

test("alerts are handled once, with a note, by the record's health center; all audited", async () => {
  const rec = await freshRecord();
  assert.equal((await start(hc, rec.id)).status, 200);
  const p = phone();
  assert.equal((await p.signIn(rec.sid, rec.dob)).status, 200);
  await p.send([report(rec.id, { answers: answers(PATIENT_KEYS, { consciousness: "yes" }) })]);
  const alert = (await hc.client.get(`/api/cases/${rec.id}/observation`)).body.alerts[0];
  assert.equal(alert.rule, "consciousness");
  const handle = (who, note) => who.client.post(`/api/observation/alerts/${alert.id}/handle`, { note });
  let r = await handle(hc, "   ");
  assert.equal(r.status, 422);
  assert.equal(r.body.error.issues[0].field, "note");
  r = await handle(hc, "あ".repeat(501));
  assert.equal(r.status, 422);
  assert.equal((await handle(otherHc, "他の保健所")).status, 403);
  assert.equal((await handle(doctor, "医療機関")).status, 403);
  assert.equal((await hc.client.post("/api/observation/alerts/a_nonexistent/handle", { note: "x" })).status, 404);
  // Two at once: one takes effect, the other is told it was already handled.
  const both = await Promise.all([handle(hc, "電話で確認、救急要請"), handle(hcAdmin, "同時に対応")]);
  assert.deepEqual(both.map((x) => x.status).sort(), [200, 409]);
  const done = both.find((x) => x.status === 200).body;
  assert.ok(done.handled_at > 0);
  assert.ok(done.handled_by_name);
  const q = await hc.client.get("/api/observation/alerts");
  assert.ok(!q.body.alerts.some((a) => a.id === alert.id), "handled alerts leave the waiting queue");
  const all = await hc.client.get("/api/observation/alerts?all=1");
  assert.ok(all.body.alerts.some((a) => a.id === alert.id && a.note));
  // The audit log names each step by id.
  const entries = [];
  for (let before = "", i = 0; i < 10; i++) {
    const log = await hcAdmin.client.get(`/api/admin/audit${before}`);
    assert.equal(log.status, 200, JSON.stringify(log.body));
    entries.push(...log.body.entries);
    if (!log.body.next_before) break;
    before = `?before=${log.body.next_before}`;
  }
  const actions = new Set(entries.filter((e) => e.target === rec.id || e.target === alert.id).map((e) => e.action));
  for (const a of ["observation_start", "observation_read", "observe_report", "alert_handle"]) {
    assert.ok(actions.has(a), `audited: ${a} (have ${[...actions]})`);
  }
  assert.ok(!JSON.stringify(entries).includes(rec.name), "no names in the audit log");
});

test("household: a contact reports through the patient's phone; bad links are refused at their field", async () => {
  const holder = await freshRecord();
  const member = await freshRecord();
  let r = await start(hc, member.id, { kind: "contact", household_of: holder.sid });
  assert.equal(r.status, 422, "the holder's own observation must run first");
  assert.equal(r.body.error.issues[0].field, "household_of");
  r = await start(hc, member.id, { kind: "contact", household_of: "1234567890" });
  assert.equal(r.status, 422);
  assert.match(r.body.error.issues[0].message, /スマホ入力ID/);
  r = await start(hc, member.id, { kind: "contact", household_of: member.sid });
  assert.equal(r.status, 422);
  r = await start(hc, member.id, { kind: "contact", started_on: jstDay(1) });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.issues[0].field, "started_on");
  r = await start(hc, member.id, { kind: "contact", ends_on: jstDay(-3) });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.issues[0].field, "ends_on");
  assert.equal((await start(hc, holder.id)).status, 200);
  r = await start(hc, member.id, { kind: "contact", household_of: holder.sid });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.observation.household_of.id, holder.id);
  assert.equal(r.body.observation.ends_on, jstDay(13), "14 days for a contact");
  const tab = await hc.client.get(`/api/cases/${holder.id}/observation`);
  assert.deepEqual(tab.body.observation.members.map((m) => m.id), [member.id]);

  const p = phone();
  r = await p.signIn(holder.sid, holder.dob);
  assert.deepEqual(r.body.people.map((x) => [x.id, x.kind]), [[holder.id, "patient"], [member.id, "contact"]]);
  assert.ok(!r.body.people[1].given_name.includes(" "), "given names only");
  // A contact answers the 4 contact items; the patient's 9 are refused for them.
  r = await p.send([report(member.id, { answers: answers(PATIENT_KEYS) })]);
  assert.equal(r.body.results[0].outcome, "rejected");
  r = await p.send([report(member.id, { temperature: 37.6, answers: answers(CONTACT_KEYS) })]);
  assert.equal(r.body.results[0].outcome, "accepted", JSON.stringify(r.body));
  const mtab = await hc.client.get(`/api/cases/${member.id}/observation`);
  assert.equal(mtab.body.reports[0].kind, "contact");
  assert.deepEqual(mtab.body.alerts.map((a) => a.rule), ["contact_symptom"]);
  assert.equal(mtab.body.alerts[0].detail, "体温 37.6℃");

  // Stopped: the member disappears from the phone, and their reports are refused.
  r = await hc.client.post(`/api/cases/${member.id}/observation/stop`);
  assert.equal(r.status, 200);
  assert.equal(r.body.observation.stopped, true);
  r = await p.me();
  assert.deepEqual(r.body.people.map((x) => x.id), [holder.id]);
  r = await p.send([report(member.id, { answers: answers(CONTACT_KEYS) })]);
  assert.equal(r.body.results[0].outcome, "rejected");
});

test("missed check-ins: an observation begun yesterday with no reports owes yesterday's two slots; a late report closes its alert", async () => {
  const rec = await freshRecord();
  assert.equal((await start(hc, rec.id, { started_on: jstDay(-1) })).status, 200);
  const q = await hc.client.get("/api/observation/alerts");
  // Yesterday's slots are owed whatever the hour; today's only once 12:00 / 20:00 JST have passed.
  const missedOn = (alerts, date) =>
    alerts.filter((a) => a.case_id === rec.id && a.rule === "missed_check_in" && a.date === date);
  const missed = missedOn(q.body.alerts, jstDay(-1));
  assert.deepEqual(missed.map((a) => a.slot).sort(), ["evening", "morning"]);
  assert.ok(missed.every((a) => a.urgency === 1));
  const hourJst = new Date(Date.now() + 9 * 3600_000).getUTCHours();
  const dueToday = (hourJst >= 12 ? 1 : 0) + (hourJst >= 20 ? 1 : 0);
  assert.equal(missedOn(q.body.alerts, jstDay()).length, dueToday);
  // Read again: the sweep is idempotent.
  const again = await hc.client.get("/api/observation/alerts");
  assert.equal(missedOn(again.body.alerts, jstDay(-1)).length, 2);
  // The dashboard counts the observation as overdue.
  const d = await hc.client.get("/api/dashboard");
  assert.equal(d.status, 200);
  assert.ok(d.body.overdue >= 1);
  assert.ok(d.body.observing >= 1);
  // The person reports yesterday evening late (allowed up to 2 days back): that alert closes itself.
  const p = phone();
  assert.equal((await p.signIn(rec.sid, rec.dob)).status, 200);
  const r = await p.send([report(rec.id, { date: jstDay(-1), slot: "evening" })]);
  assert.equal(r.body.results[0].outcome, "accepted");
  const after = await hc.client.get("/api/observation/alerts");
  assert.deepEqual(missedOn(after.body.alerts, jstDay(-1)).map((a) => a.slot), ["morning"]);
  // Before the observation began: refused.
  const early = await p.send([report(rec.id, { date: jstDay(-2) })]);
  assert.equal(early.body.results[0].outcome, "rejected");
});

test("brute force of スマホ入力ID is throttled per ID and per address, without telling which IDs exist", async () => {
  const rec = await freshRecord();
  assert.equal((await start(hc, rec.id)).status, 200);
  // Per ID: five wrong birth dates from different addresses lock that ID for a while, even for the right one.
  for (let i = 0; i < 5; i++) {
    const r = await phone(`203.0.113.${10 + i}`).signIn(rec.sid, `1950-01-0${i + 1}`);
    assert.equal(r.status, 401);
  }
  let r = await phone("203.0.113.99").signIn(rec.sid, rec.dob);
  assert.equal(r.status, 429);
  assert.equal(r.body.error.code, "OBSERVE_TOO_MANY_ATTEMPTS");
  assert.match(r.body.error.message, /保健所/);
  // Per address: guessing many IDs from one address stops after 30 failures; unknown IDs answer like wrong dates.
  const addr = phone("203.0.113.200");
  const codes = [];
  for (let i = 0; i < 31; i++) {
    const res = await addr.signIn(String(1000000000 + i * 7919), "1980-01-01");
    codes.push(res.status);
  }
  assert.deepEqual(codes.slice(0, 30), Array(30).fill(401));
  assert.equal(codes[30], 429);
  // Another address is not affected.
  const other = await freshRecord();
  assert.equal((await start(hc, other.id)).status, 200);
  assert.equal((await phone("203.0.113.201").signIn(other.sid, other.dob)).status, 200);
});

test("50 simultaneous wrong birth dates for one スマホ入力ID: at most 5 are checked, the rest refused; then the right one is refused too", async () => {
  const rec = await freshRecord();
  assert.equal((await start(hc, rec.id)).status, 200);
  const all = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    phone(`100.64.20.${i + 1}`).signIn(rec.sid, `1950-02-${String((i % 28) + 1).padStart(2, "0")}`)));
  const checked = all.filter((r) => r.status === 401);
  assert.ok(checked.length <= 5, `checked ${checked.length}`);
  for (const r of checked) assert.equal(r.body.error.code, "OBSERVE_SIGN_IN_FAILED");
  for (const r of all.filter((r) => r.status !== 401)) {
    assert.equal(r.status, 429);
    assert.equal(r.body.error.code, "OBSERVE_TOO_MANY_ATTEMPTS");
  }
  const right = await phone("100.64.20.200").signIn(rec.sid, rec.dob);
  assert.equal(right.status, 429, "the right birth date after the limit");
});

test("50 simultaneous guesses from one address (slip and phone passkey): at most 30 are checked, the rest refused; a right passkey from it too", async () => {
  // Slip: unknown IDs from one address.
  const slip = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    phone("100.64.21.1").signIn(String(2000000000 + i * 7919), "1980-01-01")));
  const slipCodes = slip.map((r) => r.status);
  assert.equal(slipCodes.filter((s) => s === 401).length, 30, JSON.stringify(slipCodes));
  assert.equal(slipCodes.filter((s) => s === 429).length, 20, JSON.stringify(slipCodes));

  // Passkey: a key the phone registered, then forged assertions (an unknown key) from another address.
  const rec = await freshRecord();
  assert.equal((await start(hc, rec.id)).status, 200);
  const p = phone("100.64.21.2");
  assert.equal((await p.signIn(rec.sid, rec.dob)).status, 200);
  const phoneKey = new SoftAuthenticator({ origin: edge.api });
  const cred = phoneKey.create((await p.client.post("/api/observe/passkey/options")).body.options_json);
  assert.equal((await p.client.post("/api/observe/passkey", { credential_json: JSON.stringify(cred) })).status, 200);
  const stranger = new SoftAuthenticator({ origin: edge.api });
  stranger.create(JSON.stringify({ ...JSON.parse((await p.client.post("/api/observe/passkey/options")).body.options_json), excludeCredentials: [] }));
  const address = "100.64.21.3";
  const h = { headers: { "cf-connecting-ip": address } };
  const guesses = await Promise.all(Array.from({ length: 50 }, async () => {
    const c = new Client(edge);
    const so = await c.post("/api/observe/passkey/signin/options", {}, h);
    assert.equal(so.status, 200, JSON.stringify(so.body));
    return c.post("/api/observe/passkey/signin", { credential_json: JSON.stringify(stranger.get(so.body.options_json)) }, h);
  }));
  const codes = guesses.map((r) => r.status);
  assert.equal(codes.filter((s) => s === 401).length, 30, JSON.stringify(codes));
  assert.equal(codes.filter((s) => s === 429).length, 20, JSON.stringify(codes));
  for (const r of guesses.filter((r) => r.status === 429)) assert.equal(r.body.error.code, "OBSERVE_TOO_MANY_ATTEMPTS");
  const c = new Client(edge);
  const so = await c.post("/api/observe/passkey/signin/options", {}, h);
  const right = await c.post("/api/observe/passkey/signin", { credential_json: JSON.stringify(phoneKey.get(so.body.options_json, { credentialId: cred.id })) }, h);
  assert.equal(right.status, 429, "the right passkey after the limit");
  // From another address it still works.
  const o = new Client(edge);
  const so2 = await o.post("/api/observe/passkey/signin/options", {}, { headers: { "cf-connecting-ip": "100.64.21.4" } });
  const ok = await o.post("/api/observe/passkey/signin", { credential_json: JSON.stringify(phoneKey.get(so2.body.options_json, { credentialId: cred.id })) }, { headers: { "cf-connecting-ip": "100.64.21.4" } });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
});

test("dashboard: 28 days of cases by day, counts by status, observations and alerts; per area; clinics refused", async () => {
  const d = await hc.client.get("/api/dashboard");
  assert.equal(d.status, 200, JSON.stringify(d.body));
  assert.equal(d.body.area, "新宿区保健所");
  assert.equal(d.body.curve.length, 28);
  assert.equal(d.body.curve.at(-1).date, jstDay());
  assert.ok(d.body.curve.some((x) => x.count > 0), "seeded filings appear on the curve");
  const total = d.body.statuses.reduce((n, s) => n + s.count, 0);
  const all = await hc.client.post("/api/cases/search", { criteria: { health_center_id: "HC13104" } });
  assert.equal(total, all.body.count, "every live record counted once by status");
  const p = await pref.client.get("/api/dashboard");
  assert.equal(p.status, 200);
  assert.equal(p.body.area, "東京都");
  assert.ok(p.body.statuses.reduce((n, s) => n + s.count, 0) >= total);
  const n = await mhlw.client.get("/api/dashboard");
  assert.equal(n.status, 200);
  assert.equal(n.body.area, "全国");
  assert.equal((await doctor.client.get("/api/dashboard")).status, 403);
  assert.equal((await new Client(edge).get("/api/dashboard")).status, 401);
});

test("the demo household printed by `cargo xtask dev` signs in and sees its reports and alerts", async () => {
  const { demoPhone } = await import("../../edge/seed/records.mjs");
  const { smartphoneId, dateOfBirth } = demoPhone();
  const p = phone();
  const r = await p.signIn(smartphoneId, dateOfBirth);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.people.map((x) => x.kind), ["patient", "contact"]);
  const q = await hc.client.get("/api/observation/alerts");
  assert.ok(q.body.alerts.some((a) => a.rule === "spo2_low" && a.detail === "SpO₂ 92%"));
  assert.ok(q.body.alerts.some((a) => a.rule === "contact_symptom"));
});

test("a passkey on the phone opens the same limited session without the slip; it needs user verification and a running observation", async () => {
  const rec = await freshRecord();
  assert.equal((await start(hc, rec.id)).status, 200);
  const p = phone();
  // Registering needs the phone session.
  assert.equal((await new Client(edge).post("/api/observe/passkey/options")).status, 401);
  assert.equal((await p.signIn(rec.sid, rec.dob)).status, 200);
  const opt = await p.client.post("/api/observe/passkey/options");
  assert.equal(opt.status, 200, JSON.stringify(opt.body));
  const options = JSON.parse(opt.body.options_json);
  assert.equal(options.authenticatorSelection.userVerification, "required");
  assert.ok(!options.user.name.includes(rec.name.split(" ")[0]), "no name on the authenticator");
  assert.match(options.user.name, new RegExp(rec.sid.slice(-4)));
  const phoneKey = new SoftAuthenticator({ origin: edge.api });
  // Without user verification the key is refused.
  const noUv = phoneKey.create(options, { flags: FLAGS.UP | FLAGS.AT });
  let r = await p.client.post("/api/observe/passkey", { credential_json: JSON.stringify(noUv) });
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, "WEBAUTHN_FAILED");
  const opt2 = await p.client.post("/api/observe/passkey/options");
  const cred = phoneKey.create(opt2.body.options_json);
  r = await p.client.post("/api/observe/passkey", { credential_json: JSON.stringify(cred) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.has_passkey, true);
  // A new phone session from the passkey alone.
  const later = phone();
  const so = await later.client.post("/api/observe/passkey/signin/options");
  assert.equal(so.status, 200);
  const assertion = phoneKey.get(so.body.options_json, { credentialId: cred.id });
  r = await later.client.post("/api/observe/passkey/signin", { credential_json: JSON.stringify(assertion) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.people[0].id, rec.id);
  assert.equal((await later.me()).status, 200);
  assert.equal((await later.client.get(`/api/cases/${rec.id}`)).status, 401, "still only the phone's endpoints");
  // The same assertion again: refused (the challenge is spent).
  r = await phone().client.post("/api/observe/passkey/signin", { credential_json: JSON.stringify(assertion) });
  assert.equal(r.status, 400);
  // A staff passkey challenge cannot serve here, and a staff key is unknown here.
  const staffOpts = await new Client(edge).post("/api/auth/passkey/options");
  const wrongChallenge = phoneKey.get(staffOpts.body.options_json, { credentialId: cred.id });
  r = await phone().client.post("/api/observe/passkey/signin", { credential_json: JSON.stringify(wrongChallenge) });
  assert.equal(r.status, 400);
  // Observation stopped: the passkey opens nothing.
  assert.equal((await hc.client.post(`/api/cases/${rec.id}/observation/stop`)).status, 200);
  const so2 = await phone().client.post("/api/observe/passkey/signin/options");
  const a2 = phoneKey.get(so2.body.options_json, { credentialId: cred.id });
  r = await phone().client.post("/api/observe/passkey/signin", { credential_json: JSON.stringify(a2) });
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, "OBSERVE_SIGN_IN_FAILED");
});
