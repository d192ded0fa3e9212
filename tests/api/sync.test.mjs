// Drive-through sync over HTTP against the real worker (issue 9): per-record answers, at most once per version,
// results and conflicts, the previous protocol's queue (a fixture written by the app of protocol 1), refusals, and
// faults: the same batch twice and five times at once, the connection dropped mid-batch, the edge stopped mid-sync
// and restarted on the same state. The count on the server is checked after each: 0 lost, 0 duplicated.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { driveRecord, specimenCode } from "../support/drive.mjs";

let edge;
let doctor;
let staff;
let hc;
let pref;
let otherClinic;
before(async () => {
  edge = await startEdge({ seedDemo: true });
  [doctor, staff, hc, pref, otherClinic] = await Promise.all([
    firstSignInAs(edge, "doctor@shinjuku-clinic.demo"),
    firstSignInAs(edge, "staff@shinjuku-clinic.demo"),
    firstSignInAs(edge, "staff@shinjuku-hc.demo"),
    firstSignInAs(edge, "pref@tokyo.demo"),
    firstSignInAs(edge, "doctor@setagaya-clinic.demo"),
  ]);
});
after(async () => {
  await edge?.stop();
});

const sync = (who, records, protocol = 1) => who.client.post("/api/sync", { protocol, records });
const count = async (who, name) => {
  const r = await who.client.post("/api/cases/search", { criteria: { name } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.count;
};
const many = (n, prefix, opts = {}) => Array.from({ length: n }, (_, i) => driveRecord(i + 1, { prefix, ...opts }));

test("a batch is applied record by record: each becomes a record before notification, at most once", async () => {
  const records = many(12, "同期甲", { result: "陰性" });
  const r = await sync(doctor, records);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.protocol, 1);
  assert.equal(r.body.results.length, 12);
  for (const [i, res] of r.body.results.entries()) {
    assert.equal(res.client_id, records[i].client_id);
    assert.equal(res.version, 1);
    assert.equal(res.outcome, "applied", JSON.stringify(res));
    assert.equal(res.replayed, false);
    assert.equal(res.case_version, 1);
    // The スマホ入力ID is a credential for the patient's phone: never sent to the clinic's tablet.
    assert.equal(res.smartphone_id, "");
  }
  assert.equal(await count(doctor, "同期甲"), 12);
  // The record: ID管理 from the person, one 検査 entry from the specimen, status 検体採取, visible to the health center.
  const rec = await hc.client.get(`/api/cases/${r.body.results[0].case_id}`);
  assert.equal(rec.status, 200, JSON.stringify(rec.body));
  assert.equal(rec.body.status, "specimen_collected");
  assert.equal(rec.body.has_notification, false);
  assert.equal(rec.body.tabs.id.name, "同期甲 1");
  assert.equal(rec.body.tabs.id.phone1, records[0].person.phone);
  const entry = rec.body.tabs.tests.tests[0];
  assert.equal(entry.result, "陰性");
  assert.equal(entry.specimen1, "鼻咽頭拭い液");
  assert.match(entry.note, new RegExp(`${records[0].specimen.code.slice(0, 4)}-${records[0].specimen.code.slice(4)}`));

  // The same batch again: every record answered as already applied, nothing new.
  const again = await sync(doctor, records);
  assert.equal(again.status, 200);
  assert.deepEqual(
    again.body.results.map((x) => [x.outcome, x.replayed, x.case_id]),
    r.body.results.map((x) => ["applied", true, x.case_id]),
  );
  assert.equal(await count(doctor, "同期甲"), 12);
  // Another user of the same clinic sending the same ids (a shared tablet): still once.
  const third = await sync(staff, records);
  assert.ok(third.body.results.every((x) => x.outcome === "applied" && x.replayed));
  assert.equal(await count(doctor, "同期甲"), 12);
});

test("a result entered later is a new version: applied once, the 検査 entry updated in place", async () => {
  const [rec] = many(1, "同期乙");
  const first = (await sync(doctor, [rec])).body.results[0];
  assert.equal(first.outcome, "applied");
  const v2 = { ...rec, version: 2, base_case_version: first.case_version, result: { result: "陽性", at: Date.now() } };
  const second = (await sync(doctor, [v2])).body.results[0];
  assert.equal(second.outcome, "applied", JSON.stringify(second));
  assert.equal(second.case_version, 2);
  assert.equal(second.replayed, false);
  // v1 arriving late (a retried old batch) changes nothing.
  const late = (await sync(doctor, [rec])).body.results[0];
  assert.deepEqual([late.outcome, late.replayed, late.case_version], ["applied", true, 2]);
  // A device that never got the first answer (base unknown) still applies its next version: only it wrote since.
  const v3 = { ...v2, version: 3, base_case_version: null, person: { ...rec.person, address: "東京都新宿区新宿3-2" } };
  const third = (await sync(doctor, [v3])).body.results[0];
  assert.equal(third.outcome, "applied", JSON.stringify(third));
  const got = await doctor.client.get(`/api/cases/${first.case_id}`);
  assert.equal(got.body.version, 3);
  assert.equal(got.body.tabs.tests.tests.length, 1);
  assert.equal(got.body.tabs.tests.tests[0].result, "陽性");
  assert.equal(got.body.tabs.id.address, "東京都新宿区新宿3-2");
  // The pre-notification record can be filed from (the notification form is pre-filled from it in the app).
  assert.equal(got.body.has_notification, false);
  assert.equal(await count(doctor, "同期乙"), 1);
});

test("a record changed on the server meanwhile is never overwritten: the differing fields come back to choose from", async () => {
  const [rec] = many(1, "同期丙");
  const first = (await sync(doctor, [rec])).body.results[0];
  // The health center corrects the phone number on the server.
  const now = await hc.client.get(`/api/cases/${first.case_id}`);
  const edited = await hc.client.put(`/api/cases/${first.case_id}/tabs/id`, {
    version: now.body.version,
    data: { ...now.body.tabs.id, phone1: "03-3333-4444" },
  });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  // The device enters the result and changes the address.
  const v2 = {
    ...rec, version: 2, base_case_version: first.case_version,
    person: { ...rec.person, address: "東京都新宿区西新宿2-8-1" },
    result: { result: "陽性", at: Date.now() },
  };
  const c = (await sync(doctor, [v2])).body.results[0];
  assert.equal(c.outcome, "conflict", JSON.stringify(c));
  assert.equal(c.case_version, 2);
  assert.equal(c.updated_by_name, "保健 三郎");
  assert.deepEqual(c.fields.map((f) => f.key), ["phone", "address", "result"]);
  const phone = c.fields.find((f) => f.key === "phone");
  assert.deepEqual([phone.label, phone.device, phone.server], ["電話番号", rec.person.phone, "03-3333-4444"]);
  let got = await doctor.client.get(`/api/cases/${first.case_id}`);
  assert.equal(got.body.tabs.id.phone1, "03-3333-4444", "nothing written on conflict");
  assert.equal(got.body.tabs.tests.tests[0].result, "その他");
  // Sending it again unchanged: still a conflict.
  assert.equal((await sync(doctor, [{ ...v2, version: 3 }])).body.results[0].outcome, "conflict");
  // A person chose: the server's phone, the device's address and result; sent against the version they saw.
  const resolved = {
    ...v2, version: 4, base_case_version: c.case_version,
    person: { ...v2.person, phone: "03-3333-4444" },
  };
  const ok = (await sync(doctor, [resolved])).body.results[0];
  assert.equal(ok.outcome, "applied", JSON.stringify(ok));
  got = await doctor.client.get(`/api/cases/${first.case_id}`);
  assert.equal(got.body.tabs.id.phone1, "03-3333-4444");
  assert.equal(got.body.tabs.id.address, "東京都新宿区西新宿2-8-1");
  assert.equal(got.body.tabs.tests.tests[0].result, "陽性");
});

test("a replayed answer never hides a change made by someone else: the device's next version still meets it", async () => {
  const [rec] = many(1, "同期壬");
  const v1 = (await sync(doctor, [rec])).body.results[0];
  const v2rec = { ...rec, version: 2, base_case_version: v1.case_version, result: { result: "陰性", at: Date.now() } };
  const v2 = (await sync(doctor, [v2rec])).body.results[0];
  assert.equal(v2.case_version, 2);
  // The health center changes the phone; the device never got v2's answer and sends v2 again.
  const now = await hc.client.get(`/api/cases/${v1.case_id}`);
  assert.equal((await hc.client.put(`/api/cases/${v1.case_id}/tabs/id`, {
    version: now.body.version, data: { ...now.body.tabs.id, phone1: "03-1212-3434" },
  })).status, 200);
  const again = (await sync(doctor, [v2rec])).body.results[0];
  assert.deepEqual([again.outcome, again.replayed, again.case_version], ["applied", true, 2], "the device's own version, not the server's 3");
  // Its next change, built on what it was told, comes back as a conflict naming the phone.
  const v3 = { ...v2rec, version: 3, base_case_version: again.case_version, person: { ...rec.person, address: "東京都新宿区新宿3-9" } };
  const c = (await sync(doctor, [v3])).body.results[0];
  assert.equal(c.outcome, "conflict", JSON.stringify(c));
  assert.ok(c.fields.some((f) => f.key === "phone" && f.server === "03-1212-3434"));
  assert.equal((await doctor.client.get(`/api/cases/${v1.case_id}`)).body.tabs.id.phone1, "03-1212-3434");
});

test("the specimen's 検査 entry is found by its code: entries the health center added before it, and its notes, stay", async () => {
  const [rec] = many(1, "同期癸");
  const v1 = (await sync(doctor, [rec])).body.results[0];
  const now = (await hc.client.get(`/api/cases/${v1.case_id}`)).body;
  const mine = now.tabs.tests.tests[0];
  const other = { specimen_date: mine.specimen_date, outpatient_institution: "新宿区保健所", result: "陰性", method1: mine.method1 };
  const put = await hc.client.put(`/api/cases/${v1.case_id}/tabs/tests`, {
    version: now.version, data: { tests: [other, { ...mine, lab: "中央検査センター", note: "保健所で追記" }] },
  });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  // The device enters the result without having seen the server's change: the one item that differs is shown
  // (the server has no result yet); the person keeps the device's and sends it against the version they saw.
  const v2 = { ...rec, version: 2, base_case_version: v1.case_version, result: { result: "陽性", at: Date.now() } };
  const c = (await sync(doctor, [v2])).body.results[0];
  assert.equal(c.outcome, "conflict", JSON.stringify(c));
  assert.deepEqual(c.fields.map((f) => [f.key, f.device, f.server]), [["result", "陽性", ""]]);
  const r = (await sync(doctor, [{ ...v2, version: 3, base_case_version: c.case_version }])).body.results[0];
  assert.equal(r.outcome, "applied", JSON.stringify(r));
  const tests = (await doctor.client.get(`/api/cases/${v1.case_id}`)).body.tabs.tests.tests;
  assert.equal(tests.length, 2);
  assert.deepEqual(tests[0], other, "the health center's entry untouched");
  assert.equal(tests[1].result, "陽性");
  assert.equal(tests[1].lab, "中央検査センター", "a server-only item stays");
  assert.equal(tests[1].note, "保健所で追記", "a note written on the server stays");
});

test("the queue written by the app of protocol 1 is accepted (fixture), and unknown protocols are refused", async () => {
  const fixture = JSON.parse(
    readFileSync(path.join(ROOT, "tests/fixtures/sync-queue-v1.json"), "utf8").replaceAll("__HC__", "HC13104"),
  );
  assert.equal(fixture.protocol, 1);
  const r = await doctor.client.post("/api/sync", fixture);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.results.map((x) => x.outcome), fixture.records.map(() => "applied"));
  const first = await doctor.client.get(`/api/cases/${r.body.results[0].case_id}`);
  assert.equal(first.body.tabs.id.name, "固定 一郎");
  assert.equal(first.body.tabs.tests.tests[0].result, "陽性");
  for (const protocol of [0, 2, 99]) {
    const bad = await sync(doctor, [driveRecord(1, { prefix: "同期不可" })], protocol);
    assert.equal(bad.status, 426, JSON.stringify(bad.body));
    assert.equal(bad.body.error.code, "SYNC_PROTOCOL_UNSUPPORTED");
    assert.match(bad.body.error.message, /更新/);
  }
  assert.equal(await count(doctor, "同期不可"), 0);
});

test("bad records are refused one by one with findings by field; the good ones in the same batch are applied", async () => {
  const good = many(3, "同期丁");
  const badCode = driveRecord(9, { prefix: "同期丁" });
  const code = specimenCode();
  badCode.specimen.code = code.slice(0, 6) + (code[6] === "2" ? "3" : "2");
  const noName = driveRecord(10, { prefix: "同期丁" });
  noName.person.name = "";
  const badPhone = driveRecord(11, { prefix: "同期丁" });
  badPhone.person.phone = "12345";
  const otherPref = driveRecord(12, { prefix: "同期丁", healthCenterId: "HC27100" });
  const future = driveRecord(13, { prefix: "同期丁" });
  future.specimen.collected_at = Date.now() + 86_400_000;
  const control = driveRecord(14, { prefix: "同期丁" });
  control.site.name = "会場\u202e名";
  const shape = { client_id: "x".repeat(20), version: 1, surprise: true };
  const dup = { ...good[0] };
  const batch = [good[0], badCode, noName, good[1], badPhone, otherPref, future, control, shape, dup, good[2], 42];
  const r = await sync(doctor, batch);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const outcomes = r.body.results.map((x) => x.outcome);
  assert.deepEqual(outcomes, [
    "applied", "rejected", "rejected", "applied", "rejected", "rejected", "rejected", "rejected", "rejected",
    "rejected", "applied", "rejected",
  ]);
  const issueFields = (i) => r.body.results[i].issues.map((x) => x.field);
  assert.ok(issueFields(1).includes("specimen.code"));
  assert.ok(issueFields(2).includes("person.name"), JSON.stringify(r.body.results[2]));
  assert.ok(issueFields(4).includes("person.phone"), JSON.stringify(r.body.results[4]));
  assert.ok(issueFields(5).includes("health_center_id"));
  assert.ok(issueFields(6).includes("specimen.collected_at"));
  assert.ok(issueFields(7).includes("site.name"));
  assert.equal(r.body.results[8].code, "VALIDATION_FAILED");
  assert.ok(issueFields(9).includes("client_id"));
  for (const res of r.body.results.filter((x) => x.outcome === "rejected")) {
    assert.match(res.code, /^[A-Z_]+$/);
    assert.ok(res.message.length > 0);
  }
  assert.equal(await count(doctor, "同期丁"), 3);
  // Too many records for one batch; a batch that is not JSON; another body shape.
  const tooMany = await sync(doctor, many(101, "同期多"));
  assert.equal(tooMany.status, 422);
  assert.equal(await count(doctor, "同期多"), 0);
  assert.equal((await doctor.client.post("/api/sync", "{not json")).status, 400);
  assert.equal((await doctor.client.post("/api/sync", { protocol: 1 })).status, 400);
});

test("only clinic users sync, only their own institution's records, only from our origin, and it is audited", async () => {
  const [rec] = many(1, "同期戊");
  for (const who of [hc, pref]) {
    const r = await sync(who, [rec]);
    assert.equal(r.status, 403, JSON.stringify(r.body));
  }
  const anon = await doctor.client.post("/api/sync", { protocol: 1, records: [rec] }, { cookie: null });
  assert.equal(anon.status, 401);
  const foreign = await doctor.client.post("/api/sync", { protocol: 1, records: [rec] }, { origin: "https://evil.example" });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.body.error.code, "ORIGIN_MISMATCH");
  const mine = (await sync(doctor, [rec])).body.results[0];
  assert.equal(mine.outcome, "applied");
  // Another clinic sending a record with the same client id (guessed or copied) gets nothing and changes nothing.
  const theirs = (await sync(otherClinic, [{ ...rec, version: 2, health_center_id: "HC13112" }])).body.results[0];
  assert.equal(theirs.outcome, "rejected");
  assert.equal(theirs.code, "FORBIDDEN");
  assert.equal(theirs.case_id, undefined);
  const got = await doctor.client.get(`/api/cases/${mine.case_id}`);
  assert.equal(got.body.version, 1);
  assert.equal((await otherClinic.client.get(`/api/cases/${mine.case_id}`)).status, 403);
  // Audited by id, never by personal data; the chain holds; the worker's log has no name either.
  const admin = await firstSignInAs(edge, "admin@shinjuku-hc.demo");
  const log = (await admin.client.get("/api/admin/audit")).body.entries;
  assert.ok(log.some((e) => e.action === "drive_sync_create" && e.target === mine.case_id && e.outcome === "ok"));
  assert.ok(!JSON.stringify(log).includes("同期"));
  const v = await admin.client.get("/api/admin/audit/verify");
  assert.equal(v.body.valid, true, JSON.stringify(v.body));
  assert.ok(!edge.log().includes("同期"), "a patient name in the worker's log");
});

test("device keys: one per user and device, the same on every release, only to a signed-in user", async () => {
  const ask = (who, device_id, opts) => who.client.post("/api/me/device-key", { device_id }, opts);
  const a1 = await ask(doctor, "device-aaaaaaaaaaaaaaaa");
  assert.equal(a1.status, 200, JSON.stringify(a1.body));
  assert.match(a1.body.key, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await ask(doctor, "device-aaaaaaaaaaaaaaaa")).body.key, a1.body.key);
  assert.notEqual((await ask(doctor, "device-bbbbbbbbbbbbbbbb")).body.key, a1.body.key);
  assert.notEqual((await ask(staff, "device-aaaaaaaaaaaaaaaa")).body.key, a1.body.key);
  assert.equal((await ask(doctor, "short")).status, 422);
  assert.equal((await ask(doctor, "device-aaaaaaaaaaaaaaaa", { cookie: null })).status, 401);
  assert.equal((await ask(doctor, "device-aaaaaaaaaaaaaaaa", { origin: "https://evil.example" })).status, 403);
  assert.equal((await ask(hc, "device-aaaaaaaaaaaaaaaa")).status, 403, "only drive-through users get device keys");
});

// ---- faults ----------------------------------------------------------------------------------------------------------

test("the same batch sent five times at once creates each record once", { timeout: 120_000 }, async () => {
  const records = many(40, "同期己");
  const answers = await Promise.all(Array.from({ length: 5 }, () => sync(doctor, records)));
  for (const a of answers) {
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.ok(a.body.results.every((x) => x.outcome === "applied"), JSON.stringify(a.body.results.filter((x) => x.outcome !== "applied")));
  }
  // Every answer names the same record for a client id.
  for (let i = 0; i < records.length; i++) {
    assert.equal(new Set(answers.map((a) => a.body.results[i].case_id)).size, 1);
  }
  assert.equal(answers.flatMap((a) => a.body.results).filter((x) => !x.replayed).length, 40);
  assert.equal(await count(doctor, "同期己"), 40);
});

test("the connection dropped mid-batch: sending the batch again gives 0 lost, 0 duplicated", { timeout: 120_000 }, async () => {
  const records = many(100, "同期庚");
  const body = JSON.stringify({ protocol: 1, records });
  const url = new URL(`${edge.api}/api/sync`);
  // Drop the connection at several moments: before, while and after the server works on the batch. A socket of its
  // own each time (never the pooled ones the client goes on using), destroyed from this side.
  for (const ms of [1, 15, 40, 120]) {
    await new Promise((resolve) => {
      const req = http.request({
        host: url.hostname, port: url.port, path: url.pathname, method: "POST", agent: false,
        headers: {
          "content-type": "application/json", "content-length": Buffer.byteLength(body),
          origin: edge.api, cookie: doctor.client.cookieHeader,
        },
      });
      req.on("error", () => resolve());
      req.on("response", (res) => { res.resume(); res.on("end", resolve); res.on("error", resolve); });
      req.on("close", resolve);
      req.end(body);
      setTimeout(() => { req.destroy(); resolve(); }, ms);
    });
  }
  const r = await sync(doctor, records);
  assert.equal(r.status, 200);
  assert.ok(r.body.results.every((x) => x.outcome === "applied"));
  assert.equal(await count(doctor, "同期庚"), 100);
});

test("the edge stopped mid-sync and restarted on the same state: every record once", { timeout: 180_000 }, async () => {
  const state = mkdtempSync(path.join(tmpdir(), "hersys-sync-restart-"));
  let e1 = await startEdge({ seedDemo: true, persistTo: state });
  try {
    const who = await firstSignInAs(e1, "doctor@shinjuku-clinic.demo");
    const records = many(300, "同期辛");
    const batches = [0, 100, 200].map((s) => records.slice(s, s + 100));
    // Three batches in flight, then the edge goes away.
    const inFlight = batches.map((b) => sync(who, b).catch((e) => ({ status: "failed", error: String(e) })));
    await new Promise((r) => setTimeout(r, 60));
    await e1.stop();
    const first = await Promise.all(inFlight);
    e1 = await startEdge({ persistTo: state });
    who.client.edge = e1;
    who.client.origin = e1.api;
    // The device resends every batch it has no answer for (here: all of them, answered or not).
    for (const b of batches) {
      const r = await sync(who, b);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.results.every((x) => x.outcome === "applied"));
    }
    assert.equal(await count(who, "同期辛"), 300);
    const answeredBefore = first.filter((x) => x.status === 200).length;
    console.log(`# edge stopped with 3 batches in flight: ${answeredBefore} answered before the stop; 300 records after restart`);
  } finally {
    await e1.stop();
    rmSync(state, { recursive: true, force: true });
  }
});
