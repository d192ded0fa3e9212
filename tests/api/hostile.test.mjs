// Hostile input against every endpoint that takes a body or a path parameter: malformed JSON, wrong types, huge
// bodies, SQL metacharacters, unicode oddities. Every answer must be a 4xx with a stable error code — never a 5xx,
// never a crash — and the worker must still answer normally afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../support/edge.mjs";
import { Client, firstSignInAs } from "../support/softauthn.mjs";
import { confirmedCase, freshKey } from "../support/notification.mjs";

let edge;
let admin;
let doctor;
/** A real record (filed by the Shinjuku clinic, at the Shinjuku health center the administrator belongs to). */
let record;
/** A pending self-registration routed to that health center. */
let registration;
before(async () => {
  edge = await startEdge({ seedDemo: true });
  admin = await firstSignInAs(edge, "admin@shinjuku-hc.demo");
  doctor = await firstSignInAs(edge, "doctor@shinjuku-clinic.demo");
  const filed = await doctor.client.post("/api/notifications", { idempotency_key: freshKey(), notification: confirmedCase(), acknowledged_warnings: [] });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  record = filed.body.id;
  // A real self-registration in the administrator's area (its rejection's body checks).
  const reg = await new Client(edge).post("/api/self-registrations", {
    client_key: "hostile-registration-key", consent_version: "2022-09-26.1", name: "敵対 太郎", furigana: "テキタイ タロウ",
    date_of_birth: "1990-01-01", sex: "男", phone: "090-4444-0001", postal_code: "1600022", municipality_code: "131041",
    address: "東京都新宿区新宿1-1-1", result_kind: "antigen_kit", result_date: "2022-10-01", clinic_name: "",
  }, { headers: { "cf-connecting-ip": "192.0.2.200" } });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  registration = (await admin.client.get("/api/self-registrations")).body.items[0].id;
});
after(async () => {
  await edge?.stop();
});

const BODY_ENDPOINTS = [
  "/api/auth/password",
  "/api/auth/password/change",
  "/api/auth/credentials",
  "/api/auth/webauthn",
  "/api/auth/passkey",
  "/api/auth/recovery",
  "/api/invitations/accept",
  "/api/admin/accounts",
  "/api/admin/requests/req_x/approve",
  "/api/admin/requests/req_x/reject",
  "/api/me/step-up/options",
  "/api/me/step-up",
  "/api/admin/institutions",
  "/api/admin/audit",
  "/api/notifications",
  "/api/notifications/duplicates",
  "/api/notifications/n_x/transfer",
  // A real record: the body checks of a transfer its health center's administrator may make.
  "/api/notifications/{record}/transfer",
  "/api/institution/doctors",
  "/api/cases",
  "/api/cases/search",
  "/api/cases/{record}/status",
  "/api/cases/{record}/status/withdraw",
  "/api/cases/{record}/delete",
  "/api/cases/{record}/restore",
  "PUT /api/cases/{record}/tabs/tests",
  "PUT /api/cases/{record}/tabs/id",
  "PUT /api/cases/{record}/notification",
  "/api/sync",
  "/api/me/device-key",
  "/api/observe/signin",
  "/api/observe/reports",
  "/api/observe/passkey/signin",
  "/api/cases/{record}/observation",
  "/api/observation/alerts/a_x/handle",
  "PUT /api/daily-totals/2022-10-01",
  "PUT /api/daily-totals/2099-01-01",
  "PUT /api/sentinel/reports/2023-05-08",
  "/api/sentinel/sites",
  "/api/sentinel/sites/inst_demo_shinjuku/end",
  // Self-registration (issue 21): the public page (throttled per address: past 10, 429 is a 4xx too) and the review.
  "/api/self-registrations",
  "/api/self-registrations/sr_x/confirm",
  "/api/self-registrations/sr_x/reject",
  "/api/self-registrations/{registration}/reject",
  // Exports (issue 22).
  "/api/exports/preview",
  "/api/exports/download",
  // The health-center directory (issue 23): the administrator's own center, and the CSV import (prefecture staff's;
  // its file's contents are swept in directory.test.mjs).
  "PUT /api/directory/HC13104",
  "/api/directory/csv",
];

const ODD = [
  "' OR 1=1 --",
  "\"; DROP TABLE users; --",
  "a\u0000b",
  "\u202Eevil\u202C",
  "e\u0301\u0301\u0301",
  "𠮷野家",
  "\uFEFF",
  "x".repeat(5000),
];

function badBodies() {
  const bodies = [
    ["not json", "{"],
    ["array", "[]"],
    ["null", "null"],
    ["number", "42"],
    ["string", JSON.stringify("hello")],
    ["empty object", "{}"],
    ["wrong types", JSON.stringify({ login_id: 1, password: [], credential_json: {}, name: null, token: 5, role: 7 })],
    ["nested junk", JSON.stringify({ credential_json: JSON.stringify({ id: "x", rawId: "y", type: "public-key", response: {} }) })],
    ["credential garbage", JSON.stringify({ credential_json: "{\"response\":{\"clientDataJSON\":\"!!!\"}}", code: "'--" })],
    ["too large", JSON.stringify({ login_id: "a".repeat(70 * 1024), password: "x" })],
    ["notification of an unknown version", JSON.stringify({ idempotency_key: "k".repeat(20), notification: { version: "1999-01-01" } })],
    ["notification with wrong types", JSON.stringify({ idempotency_key: "k".repeat(20), notification: { version: "2021-11-29", patient: { name: 5, date_of_birth: "yesterday" }, tests: "all" } })],
    ["notification with an unknown member", JSON.stringify({ idempotency_key: "k".repeat(20), notification: { version: "2021-11-29", extra: true } })],
    ["notification with 1000 tests", JSON.stringify({ idempotency_key: "k".repeat(20), notification: { version: "2021-11-29", tests: Array(1000).fill({}) } })],
    // 届出の対象 of the limited form (2022-09-26): a list, wrong types, an unknown group, a group named twice, groups
    // on the full form, and the limited form dated outside its regime.
    ["target groups as a list", JSON.stringify({ idempotency_key: "k".repeat(20), notification: { version: "2022-09-26", target_groups: ["aged_65_or_over", "aged_65_or_over"] } })],
    ["target groups of wrong types", JSON.stringify({ idempotency_key: "k".repeat(20), notification: { version: "2022-09-26", target_groups: { aged_65_or_over: "yes", pregnant: 1, needs_admission: null } } })],
    ["target group unknown", JSON.stringify({ idempotency_key: "k".repeat(20), notification: { version: "2022-09-26", target_groups: { aged_70_or_over: true } } })],
    ["target group named twice", `{"idempotency_key":"${"k".repeat(20)}","notification":{"version":"2022-09-26","target_groups":{"pregnant":true,"pregnant":false}}}`],
    ["target groups on the full form", JSON.stringify({ idempotency_key: "k".repeat(20), notification: { version: "2021-11-29", diagnosis_date: "2022-01-05", target_groups: { needs_admission: true } } })],
    ["limited form outside its regime", JSON.stringify({ idempotency_key: "k".repeat(20), notification: { version: "2022-09-26", diagnosis_date: "2021-01-05", target_groups: { needs_admission: true } } })],
    ["idempotency key of odd characters", JSON.stringify({ idempotency_key: "../../../etc/passwd\u0000", notification: { version: "2021-11-29" } })],
    ["transfer to nowhere", JSON.stringify({ health_center_id: "' OR 1=1 --", reason: "x".repeat(5000) })],
    ["search junk", JSON.stringify({ criteria: { name: "%", furigana: "\u0000", date_of_birth: "99999-99-99", phone: "1".repeat(5000), status: "zombie" }, cursor: "%%%" })],
    ["search cursor junk", JSON.stringify({ criteria: {}, sort: "name", cursor: Buffer.from("[{},\"x\"]").toString("base64url") })],
    ["tab junk", JSON.stringify({ version: 1, data: { tests: [{ specimen_date: {} }], periods: "x", name: ["a"] } })],
    ["tab of 10,000 rows", JSON.stringify({ version: 1, data: { tests: Array(10000).fill({ lab: "x" }) } })],
    ["status junk", JSON.stringify({ version: -1, status: "zombie", date: "x", seq: "1" })],
    ["sync junk", JSON.stringify({ protocol: "1", records: { a: 1 }, device_id: 7 })],
    ["sync of 10,000 records", JSON.stringify({ protocol: 1, records: Array(10000).fill({}) })],
    ["sync of a future protocol", JSON.stringify({ protocol: 4294967295, records: [] })],
    ["version as text", JSON.stringify({ version: "1 OR 1=1", data: {}, status: "died", date: "2024-01-01" })],
    ["observation junk", JSON.stringify({ kind: "alien", started_on: "2024-13-45", ends_on: 5, household_of: ["x"], note: {} })],
    ["observation of 100 years", JSON.stringify({ kind: "patient", started_on: "1926-01-01", ends_on: "2026-01-01" })],
    ["report junk", JSON.stringify({ reports: [{ client_id: "x".repeat(100), person: 1, date: "2024-02-30", slot: "noon", temperature: "hot", spo2: -1, answers: [] }] })],
    ["counts junk", JSON.stringify({ institution_id: 7, counts: { "0": -1, "1-4": 1e308, "5-9": "x", "'; DROP": 1, "10-19": [1], "20-29": { a: 1 } } })],
    ["counts of 10,000 bands", JSON.stringify({ counts: Object.fromEntries(Array.from({ length: 10000 }, (_, i) => [`b${i}`, i])) })],
    ["sentinel junk", JSON.stringify({ institution_id: ["x"], from_week: 20230508, last_week: null })],
    ["self-registration junk", JSON.stringify({ client_key: 5, consent_version: [], name: {}, date_of_birth: "2024-02-30", sex: "x", phone: "1".repeat(5000), postal_code: "%%%", municipality_code: "' OR 1=1 --", result_kind: "pcr", result_date: "9999-99-99" })],
    ["self-registration of odd strings", JSON.stringify({ client_key: "k".repeat(20), consent_version: "2022-09-26.1", name: "\u202Eevil", furigana: "\u0000", date_of_birth: "1900-01-01", sex: "女", phone: "090-1234-5678", postal_code: "1600022", municipality_code: "131041", address: "x".repeat(5000), result_kind: "antigen_kit", result_date: "2022-10-01" })],
    ["report numbers out of range", JSON.stringify({ reports: [{ client_id: "abcdefgh", person: "n_x", date: "2024-01-01", slot: "morning", temperature: 1e308, spo2: 300, answers: { face: "maybe" } }] })],
  ];
  for (const s of ODD) {
    bodies.push([`odd ${JSON.stringify(s).slice(0, 20)}`, JSON.stringify({
      login_id: s, password: s, current_password: s, new_password: s, confirmation: s, code: s, token: s,
      display_name: s, email: s, role: "clinic_doctor", institution_id: s, delivery: "initial_password",
      name: s, address: s, phone: s, credential_json: s,
      furigana: s, date_of_birth: s, municipality_code: s, health_center_id: s, reason: s, idempotency_key: s,
      criteria: { name: s, furigana: s, smartphone_id: s, hc_own_id: s }, id: { name: s, note: s },
      data: { name: s, note: s, tests: [{ lab: s }] }, comment: s, date: s, status: s, device_id: s,
      smartphone_id: s, kind: s, started_on: s, ends_on: s, household_of: s, note: s,
      client_key: s, consent_version: s, sex: s, postal_code: s, result_kind: s, result_date: s, clinic_name: s,
    })]);
  }
  return bodies;
}

async function expectClientError(res, what) {
  const text = await res.text();
  assert.ok(res.status >= 400 && res.status < 500, `${what}: HTTP ${res.status} ${text.slice(0, 200)}`);
  const body = JSON.parse(text);
  assert.match(body.error.code, /^[A-Z_]+$/, `${what}: stable code`);
  assert.ok(body.error.message.length > 0, `${what}: message`);
}

test("malformed, mistyped, oversized and odd bodies get 4xx with a stable code on every endpoint", async () => {
  let checks = 0;
  for (const who of [null, admin, doctor]) {
    const cookie = who ? who.cookie : "";
    for (const endpoint of BODY_ENDPOINTS) {
      const [method, path] = endpoint.includes(" ") ? endpoint.split(" ") : ["POST", endpoint];
      for (const [label, body] of badBodies()) {
        const res = await fetch(`${edge.api}${path.replace("{record}", record).replace("{registration}", registration)}`, {
          method,
          headers: { "content-type": "application/json", origin: edge.api, ...(cookie ? { cookie } : {}) },
          body,
        });
        // An odd value that happens to be acceptable (e.g. a display name with RTL marks) may succeed; a 5xx never.
        if (res.status < 300) {
          await res.arrayBuffer();
        } else {
          await expectClientError(res, `${who?.user?.login_id ?? "anonymous"} POST ${path} ${label}`);
        }
        checks++;
      }
    }
  }
  console.log(`hostile bodies: ${checks} requests, 0 server errors`);
});

test("a phone's session meets the same: odd report batches get 4xx or per-report refusals, never a 5xx", async () => {
  const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
  const started = await admin.client.post(`/api/cases/${record}/observation`, { kind: "patient", started_on: today, ends_on: "", household_of: "" });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const rec = await admin.client.get(`/api/cases/${record}`);
  const phone = new Client(edge);
  const signedIn = await phone.post("/api/observe/signin",
    { smartphone_id: rec.body.smartphone_id, date_of_birth: rec.body.date_of_birth },
    { headers: { "cf-connecting-ip": "192.0.2.77" } });
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  let checks = 0;
  for (const path of ["/api/observe/reports", "/api/observe/passkey", "/api/observe/passkey/options", "/api/observe/me"]) {
    for (const [label, body] of badBodies()) {
      const res = await fetch(`${edge.api}${path}`, {
        method: path.endsWith("/me") ? "GET" : "POST",
        headers: { "content-type": "application/json", origin: edge.api, cookie: phone.cookieHeader },
        body: path.endsWith("/me") ? undefined : body,
      });
      if (res.status < 300) await res.arrayBuffer();
      else await expectClientError(res, `phone POST ${path} ${label}`);
      checks++;
    }
  }
  // Odd values inside an otherwise well-formed report: refused per report with Japanese reasons, nothing stored.
  for (const s of ODD) {
    const res = await phone.post("/api/observe/reports", { reports: [{
      client_id: "abcdefgh12", person: record, date: s, slot: "morning", temperature: null, spo2: null,
      answers: { face: "no", [s]: "yes" },
    }] });
    assert.equal(res.status, 200, `${JSON.stringify(s).slice(0, 20)}: ${JSON.stringify(res.body).slice(0, 200)}`);
    assert.equal(res.body.results[0].outcome, "rejected");
    checks++;
  }
  const tab = await admin.client.get(`/api/cases/${record}/observation`);
  assert.equal(tab.body.reports.length, 0);
  console.log(`hostile phone bodies: ${checks} requests, 0 server errors`);
});

test("odd path parameters and unknown paths get 4xx", async () => {
  const paths = [
    ["DELETE", "/api/me/credentials/%00"],
    ["DELETE", "/api/me/credentials/..%2F..%2Fadmin"],
    ["PATCH", `/api/me/credentials/${"x".repeat(3000)}`],
    ["POST", "/api/admin/accounts/'%20OR%201=1/lock"],
    ["POST", "/api/admin/accounts/u_demo_doctor_shinjuku/explode"],
    ["POST", "/api/admin/requests/'%20OR%201=1/approve"],
    ["POST", "/api/admin/requests/req_x/explode"],
    ["POST", `/api/admin/requests/${"x".repeat(3000)}/reject`],
    ["POST", "/api/admin/requests"],
    ["GET", "/api/admin/requests?pref=%00"],
    ["GET", "/api/me/step-up"],
    ["GET", "/api/admin/audit?before=NaN"],
    ["GET", "/api/admin/audit?before=-1e309"],
    ["GET", "/api/%E2%80%AE"],
    ["GET", "/api//me"],
    ["GET", "/api/notifications/%00"],
    ["GET", "/api/notifications/..%2F..%2Fadmin%2Faudit"],
    ["GET", `/api/notifications/${"x".repeat(3000)}`],
    ["GET", "/api/notifications?limit=-1&unread=%00"],
    ["PUT", "/api/notifications"],
    ["POST", "/api/notifications/'%20OR%201=1/transfer"],
    ["GET", "/api/notifications/n_x/transfer"],
    ["PUT", "/api/directory/%00"],
    ["PUT", `/api/directory/${"x".repeat(3000)}`],
    ["PUT", "/api/directory/'%20OR%201=1"],
    ["GET", "/api/directory/HC13104"],
    ["DELETE", "/api/directory/csv"],
    ["GET", "/api/directory/csv/x"],
    ["DELETE", "/api/institution/doctors/%00"],
    ["DELETE", `/api/institution/doctors/${"x".repeat(3000)}`],
    ["GET", "/api/institution/doctors/d_demo_shinjuku_1"],
    ["GET", "/api/self-registrations/%00"],
    ["GET", `/api/self-registrations/${"x".repeat(3000)}`],
    ["GET", "/api/self-registrations/'%20OR%201=1"],
    ["GET", "/api/self-registrations?status=%00"],
    ["GET", "/api/self-registrations?status=pending'%20OR%201=1"],
    ["PUT", "/api/self-registrations"],
    ["DELETE", "/api/self-registrations/sr_x"],
    ["GET", "/api/self-registrations/sr_x/confirm"],
    ["POST", "/api/self-registrations/sr_x/explode"],
    ["GET", "/api/cases/%00"],
    ["GET", `/api/cases/${"x".repeat(3000)}`],
    ["GET", "/api/cases/..%2Fsearch"],
    ["PUT", "/api/cases/n_x/tabs/%00"],
    ["PUT", "/api/cases/n_x/tabs/id/extra"],
    ["POST", "/api/cases/'%20OR%201=1/status"],
    ["DELETE", "/api/cases/n_x"],
    ["GET", "/api/cases/deleted?hc=%00"],
    ["GET", "/api/cases/%00/observation"],
    ["GET", "/api/cases/%00/fhir"],
    ["GET", `/api/cases/${"x".repeat(3000)}/fhir`],
    ["GET", "/api/cases/'%20OR%201=1/fhir"],
    ["GET", "/api/cases/..%2Fsearch/fhir"],
    ["GET", "/api/cases/%E2%80%AE/fhir"],
    ["GET", "/api/cases/n_x/fhir?format=xml"],
    ["GET", "/api/cases/n_x/fhir/extra"],
    ["POST", "/api/cases/n_x/fhir"],
    ["DELETE", "/api/cases/n_x/fhir"],
    ["POST", "/api/cases/'%20OR%201=1/observation/stop"],
    ["POST", "/api/observation/alerts/'%20OR%201=1/handle"],
    ["POST", `/api/observation/alerts/${"x".repeat(3000)}/handle`],
    ["GET", "/api/observation/alerts?all=%00"],
    ["GET", "/api/dashboard?area=%00"],
    ["GET", "/api/observe/me?id=%00"],
    ["GET", "/api/daily-totals/%00"],
    ["GET", "/api/daily-totals/'%20OR%201=1"],
    ["GET", `/api/daily-totals/${"9".repeat(3000)}`],
    ["GET", "/api/daily-totals/status/2022-02-30"],
    ["GET", "/api/daily-totals/status/%E2%80%AE"],
    ["DELETE", "/api/daily-totals/2022-10-01"],
    ["GET", "/api/sentinel/reports/2023-05-08T00:00"],
    ["GET", "/api/sentinel/reports/-2023-05-08"],
    ["POST", "/api/sentinel/sites/'%20OR%201=1/end"],
    ["POST", `/api/sentinel/sites/${"x".repeat(3000)}/end`],
    ["GET", "/api/counts?from=%00&to=2022-10-01"],
    ["GET", "/api/counts?from=0001-01-01&to=9999-12-31"],
    ["GET", "/api/counts?from=2022-10-01&to=2022-10-01&from=2022-09-01"],
  ];
  for (const [method, path] of paths) {
    const res = await fetch(`${edge.api}${path}`, {
      method,
      headers: { origin: edge.api, cookie: admin.cookie, "content-type": "application/json" },
      body: method === "GET" ? undefined : "{}",
    });
    if (res.status < 300) {
      await res.arrayBuffer();
      continue;
    }
    await expectClientError(res, `${method} ${path}`);
  }
});

test("exports: every parameter (kind, from, to, encoding, dates, layout, extra members, types, spans, future days) refused naming its field, never a 5xx", async () => {
  const good = { kind: "csv", from: "2022-10-01", to: "2022-10-31", encoding: "cp932", dates: "wareki", layout: "daily" };
  const future = new Date(Date.now() + 9 * 3600_000 + 86_400_000).toISOString().slice(0, 10);
  const cases = [
    ...[undefined, "", "CSV", "xml", 1, null, [], {}, "fhir ", "open-data", "' OR 1=1 --"].map((v) => [{ ...good, kind: v }, "kind"]),
    ...[undefined, "", "2022-1-01", "2022-02-30", "20221001", "2022/10/01", "+2022-10-01", "0000-00-00", "99999-01-01", 20221001, null, ["2022-10-01"], "2022-10-01T00:00"].flatMap((v) => [
      [{ ...good, from: v }, "from"], [{ ...good, to: v }, "to"]]),
    ...["", "utf8", "UTF8_BOM", "shift_jis", 1, null, {}].map((v) => [{ ...good, encoding: v }, "encoding"]),
    ...["", "jp", "ISO", 0, null, true].map((v) => [{ ...good, dates: v }, "dates"]),
    ...["", "weekly", "AGE_BANDS", 2, null, []].map((v) => [{ ...good, layout: v }, "layout"]),
    [{ ...good, extra: 1 }, "extra"],
    [{ ...good, __proto__: { x: 1 }, constructor: "x" }, "constructor"],
    [{ ...good, from: "2022-11-01", to: "2022-10-01" }, "from"],
    [{ ...good, from: "2020-01-01", to: "2022-10-01" }, "from"],
    [{ ...good, from: "0001-01-01", to: "2022-10-01" }, "from"],
    [{ ...good, from: "2022-10-01", to: future }, "to"],
    [{ ...good, from: future, to: "9999-12-31" }, "to"],
  ];
  let checks = 0;
  for (const path of ["/api/exports/preview", "/api/exports/download"]) {
    for (const [body, field] of cases) {
      const res = await fetch(`${edge.api}${path}`, {
        method: "POST", headers: { "content-type": "application/json", origin: edge.api, cookie: admin.cookie }, body: JSON.stringify(body),
      });
      const text = await res.text();
      assert.equal(res.status, 422, `${path} ${JSON.stringify(body)}: ${text.slice(0, 300)}`);
      const e = JSON.parse(text).error;
      assert.equal(e.code, "VALIDATION_FAILED");
      assert.ok(e.issues.some((i) => i.field === field && /[\u3040-\u30ff\u4e00-\u9fff]/.test(i.message)), `${path} ${JSON.stringify(body)} names ${field}: ${text.slice(0, 300)}`);
      checks++;
    }
    // Huge bodies: 413 before anything is read; a valid body with a huge extra member is refused too.
    for (const body of [JSON.stringify({ ...good, extra: "x".repeat(70 * 1024) }), `{"kind":"csv","from":"2022-10-01","to":"2022-10-31",${'"a":1,'.repeat(20000)}"b":1}`]) {
      const res = await fetch(`${edge.api}${path}`, { method: "POST", headers: { "content-type": "application/json", origin: edge.api, cookie: admin.cookie }, body });
      assert.ok([413, 422].includes(res.status), `${path} huge: ${res.status}`);
      await expectClientError(res, `${path} huge`);
      checks++;
    }
  }
  // Options of another kind are ignored (documented), the request itself is valid.
  const r = await fetch(`${edge.api}/api/exports/preview`, {
    method: "POST", headers: { "content-type": "application/json", origin: edge.api, cookie: admin.cookie }, body: JSON.stringify({ ...good, kind: "fhir" }),
  });
  assert.equal(r.status, 200, await r.text());
  console.log(`hostile export parameters: ${checks} requests, each refused naming its field`);
});

test("after all that the worker still answers and the audit chain is intact", async () => {
  const health = await fetch(`${edge.api}/api/health`);
  assert.equal(health.status, 200);
  // The record the odd transfers aimed at has not moved.
  const rec = await doctor.client.get(`/api/notifications/${record}`);
  assert.equal(rec.status, 200);
  assert.equal(rec.body.health_center_id, "HC13104");
  assert.ok(!rec.body.history.some((e) => e.kind === "transferred"), JSON.stringify(rec.body.history));
  const client = new Client(edge);
  const verify = await client.get("/api/admin/audit/verify", { cookie: admin.cookie });
  assert.equal(verify.status, 200);
  assert.equal(verify.body.valid, true, JSON.stringify(verify.body));
});

test("names with control characters or bidirectional overrides are refused, not stored", async () => {
  for (const name of ["a\u0000b", "\u202Eevil", "line\nbreak"]) {
    const res = await fetch(`${edge.api}/api/admin/institutions`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: edge.api, cookie: admin.cookie },
      body: JSON.stringify({ name, address: "", phone: "" }),
    });
    assert.equal(res.status, 422, JSON.stringify(name));
    const body = await res.json();
    assert.equal(body.error.code, "VALIDATION_FAILED");
    assert.equal(body.error.reason, "name");
  }
});
