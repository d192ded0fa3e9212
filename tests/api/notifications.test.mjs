// The notification API over HTTP against the real worker (one `wrangler dev` for the file): filing and its result,
// replay and key reuse, the edge's own validation (errors with field paths) and warnings that must be
// acknowledged, who may file, routing with the residence's health center noted, the health center's inbox (unread
// first, received on opening), who may open a record, transfer and its refusals, possible duplicates (only among the
// caller's own live records, rate-limited), the institution's doctor list, draft keys, the notice e-mail (sent by the scheduled handler,
// never naming the patient), and bad input of every kind answered with a 4xx and a stable code, never a 5xx.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { startEdge, ROOT } from "../support/edge.mjs";
import { firstSignInAs, signIn } from "../support/softauthn.mjs";
import { confirmedCase, freshKey, jstDate, jstToday, patientCase } from "../support/notification.mjs";

let edge;
let doctor; // clinic_doctor, 新宿みなみクリニック (→ 新宿区保健所)
let clinicStaff; // clinic_staff, same clinic
let doctorSetagaya; // clinic_doctor, 世田谷きたクリニック (→ 世田谷保健所)
let doctorKita; // clinic_doctor of a second clinic in Shinjuku's area, created in before()
let hcShinjuku; // health_center_staff 保健 三郎
let hcAdminShinjuku; // health_center_admin 管理 四郎
let hcSetagaya; // health_center_staff 保健 五月
let pref; // prefecture_staff (東京都)
let mhlw; // national_staff

/** Every patient name filed in this file: none may appear in the worker's log or in a notice e-mail. */
const NAMES = new Set();
let patients = 0;
/** A fresh patient (unique name and furigana) for a confirmed case at `residence`. */
function newPatient(overrides = {}, extra = {}) {
  patients += 1;
  const digits = String(patients).padStart(3, "0");
  const name = overrides.name ?? `試験 患者${digits}`;
  NAMES.add(name);
  // A unique furigana: the patient number written with kana for digits.
  const kana = [...digits].map((d) => "アイウエオカキクケコ"[Number(d)]).join("");
  return patientCase({ name, furigana: `シケン カンジャ${kana}`, ...overrides }, extra);
}

const file = (who, notification, { key = freshKey(), ack = [] } = {}) =>
  who.client.post("/api/notifications", { idempotency_key: key, notification, acknowledged_warnings: ack });

/** Asserts an error answer: status, stable code, a Japanese message; returns the error object. */
function expectError(r, status, code, what = "") {
  assert.equal(r.status, status, `${what} ${JSON.stringify(r.body)}`);
  assert.equal(r.body?.error?.code, code, `${what} ${JSON.stringify(r.body)}`);
  assert.ok(r.body.error.message.length > 0, `${what}: message`);
  return r.body.error;
}

const issuePairs = (error) => error.issues.map((i) => `${i.code} ${i.field}`).sort();
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

before(async () => {
  edge = await startEdge({ seedDemo: true });
  [doctor, clinicStaff, doctorSetagaya, hcShinjuku, hcAdminShinjuku, hcSetagaya, pref, mhlw] = await Promise.all([
    firstSignInAs(edge, "doctor@shinjuku-clinic.demo"),
    firstSignInAs(edge, "staff@shinjuku-clinic.demo"),
    firstSignInAs(edge, "doctor@setagaya-clinic.demo"),
    firstSignInAs(edge, "staff@shinjuku-hc.demo"),
    firstSignInAs(edge, "admin@shinjuku-hc.demo"),
    firstSignInAs(edge, "staff@setagaya-hc.demo"),
    firstSignInAs(edge, "pref@tokyo.demo"),
    firstSignInAs(edge, "mhlw@national.demo"),
  ]);
  const adminShinjuku = hcAdminShinjuku;
  // A second clinic in Shinjuku's area, and its doctor (first sign-in with the initial password).
  const inst = await adminShinjuku.client.post("/api/admin/institutions", { name: "新宿きたクリニック", address: "東京都新宿区北新宿一丁目1番1号", phone: "03-0000-0003" });
  assert.equal(inst.status, 201, JSON.stringify(inst.body));
  const acct = await adminShinjuku.client.post("/api/admin/accounts", {
    login_id: "doctor@shinjuku-kita.test", display_name: "北 医師", email: "doctor@shinjuku-kita.test", role: "clinic_doctor", institution_id: inst.body.id, delivery: "initial_password",
  });
  assert.equal(acct.status, 201, JSON.stringify(acct.body));
  doctorKita = await signIn(edge, "doctor@shinjuku-kita.test", acct.body.initial_password, { newPassword: "Tz4%hW8!nRq2" });
});
after(async () => {
  await edge?.stop();
});

// ---- filing ---------------------------------------------------------------------------------------------------------

test("a complete confirmed case files: 201 with its number, its health center and why, delivery pending", async () => {
  const n = newPatient();
  const before = Date.now();
  const r = await file(doctor, n);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const f = r.body;
  assert.match(f.id, /^n_[A-Za-z0-9_-]+$/);
  assert.match(f.number, /^\d{8}$/);
  assert.equal(f.health_center_id, "HC13104");
  assert.equal(f.health_center_name, "新宿区保健所");
  assert.equal(f.residence_health_center_name, null);
  assert.match(f.routing_reason, /新宿みなみクリニック/);
  assert.match(f.routing_reason, /新宿区保健所/);
  assert.doesNotMatch(f.routing_reason, /移管/);
  assert.equal(f.delivery, "pending");
  assert.equal(f.replayed, false);
  assert.ok(f.filed_at >= before - 60_000 && f.filed_at <= Date.now() + 60_000, `filed_at ${f.filed_at}`);
  // No personal data in what the filing answers with (it is shown on the completion screen, and may be logged).
  assert.ok(!JSON.stringify(f).includes(n.patient.name));

  // The clinic's own list has it (newest first), unread; the record reads back as filed.
  const list = await doctor.client.get("/api/notifications");
  assert.equal(list.status, 200);
  const item = list.body.items.find((i) => i.id === f.id);
  assert.ok(item, "in the clinic's list");
  assert.deepEqual(
    { number: item.number, category: item.category, patient_name: item.patient_name, institution_name: item.institution_name, health_center_name: item.health_center_name, filed_at: item.filed_at, received_at: item.received_at },
    { number: f.number, category: "confirmed_patient", patient_name: n.patient.name, institution_name: "新宿みなみクリニック", health_center_name: "新宿区保健所", filed_at: f.filed_at, received_at: null },
  );
  const times = list.body.items.map((i) => i.filed_at);
  assert.deepEqual(times, [...times].sort((a, b) => b - a), "clinic list newest first");

  const rec = await doctor.client.get(`/api/notifications/${f.id}`);
  assert.equal(rec.status, 200);
  assert.equal(rec.body.id, f.id);
  assert.equal(rec.body.number, f.number);
  assert.equal(rec.body.filed_by_name, "新宿 一郎");
  assert.equal(rec.body.institution_name, "新宿みなみクリニック");
  assert.equal(rec.body.health_center_id, "HC13104");
  assert.equal(rec.body.routing_reason, f.routing_reason);
  assert.equal(rec.body.received_at, null);
  assert.equal(rec.body.received_by_name, null);
  assert.equal(rec.body.can_transfer, false);
  assert.deepEqual(rec.body.history.map((e) => [e.kind, e.health_center_name, e.actor_name]), [["routed", "新宿区保健所", "新宿 一郎"]]);
  const back = rec.body.notification;
  assert.equal(back.version, "2021-11-29");
  assert.equal(back.category, "confirmed_patient");
  assert.equal(back.patient.name, n.patient.name);
  assert.equal(back.patient.furigana.replace(/\s+/gu, " "), n.patient.furigana);
  assert.equal(back.patient.date_of_birth, n.patient.date_of_birth);
  assert.deepEqual(back.patient.address, n.patient.address);
  assert.deepEqual(back.tests, [{ ...n.tests[0], specimen_other: "" }]);
  assert.equal(back.diagnosis_date, jstToday());
});

test("clinic staff may file too", async () => {
  const r = await file(clinicStaff, newPatient());
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.health_center_id, "HC13104");
  const rec = await doctor.client.get(`/api/notifications/${r.body.id}`);
  assert.equal(rec.status, 200, "the clinic's doctor opens what its staff filed");
  assert.equal(rec.body.filed_by_name, "新宿 花子");
});

test("a repeat with the same key and body answers 200 with the first result, and files nothing new", async () => {
  const n = newPatient({ residence: "setagaya" });
  const key = freshKey();
  const first = await file(doctor, n, { key });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const again = await file(doctor, structuredClone(n), { key });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.deepEqual(again.body, { ...first.body, replayed: true });
  const third = await file(doctor, n, { key });
  assert.equal(third.status, 200);
  assert.equal(third.body.id, first.body.id);
  const list = await doctor.client.get("/api/notifications");
  assert.equal(list.body.items.filter((i) => i.patient_name === n.patient.name).length, 1);
});

test("the same key with another body is refused (409 IDEMPOTENCY_KEY_REUSED) and the first record is unchanged", async () => {
  const n = newPatient();
  const key = freshKey();
  const first = await file(doctor, n, { key });
  assert.equal(first.status, 201);
  const changed = structuredClone(n);
  changed.patient.occupation = "教員";
  expectError(await file(doctor, changed, { key }), 409, "IDEMPOTENCY_KEY_REUSED", "other body");
  // Other acknowledged warnings are another request too.
  expectError(await file(doctor, n, { key, ack: ["recommended"] }), 409, "IDEMPOTENCY_KEY_REUSED", "other acknowledgements");
  const rec = await doctor.client.get(`/api/notifications/${first.body.id}`);
  assert.equal(rec.body.notification.patient.occupation, n.patient.occupation);
  const list = await doctor.client.get("/api/notifications");
  assert.equal(list.body.items.filter((i) => i.patient_name === n.patient.name).length, 1);
});

test("keys are per user: another user's same key files their own notification and never replays someone else's", async () => {
  const key = freshKey();
  const mine = await file(doctor, newPatient(), { key });
  assert.equal(mine.status, 201);
  const theirs = await file(doctorSetagaya, newPatient(), { key });
  assert.equal(theirs.status, 201, JSON.stringify(theirs.body));
  assert.notEqual(theirs.body.id, mine.body.id);
  assert.equal(theirs.body.replayed, false);
});

test("idempotency keys: 16–64 characters of [A-Za-z0-9_-], else 422 VALIDATION_FAILED", async () => {
  for (const key of ["a".repeat(15), "a".repeat(65), "abcdefghijklmno/", "abcdefghijklmnop ", "ａbcdefghijklmnop", "", "a.b.c.d.e.f.g.h.i"]) {
    const e = expectError(await file(doctor, newPatient(), { key }), 422, "VALIDATION_FAILED", JSON.stringify(key));
    assert.equal(e.reason, "idempotency_key");
  }
  for (const key of [`${"A".repeat(8)}-_${"z".repeat(6)}`, `${Date.now()}${"9".repeat(51)}`.slice(0, 64)]) {
    const r = await file(doctor, newPatient(), { key });
    assert.equal(r.status, 201, `${key}: ${JSON.stringify(r.body)}`);
  }
});

// ---- validation and warnings ----------------------------------------------------------------------------------------

test("errors: 422 VALIDATION_FAILED with every issue naming its field path; nothing is filed", async () => {
  const n = newPatient({}, {
    category: null,
    patient: { furigana: "Yamada", address: { municipality_code: "131040", phone: "12" } },
    tests: [{ method: "nucleic_acid", specimen: "nasopharyngeal_swab", specimen_date: jstToday() }],
    diagnosis_date: jstDate(1),
  });
  n.patient.name = "";
  const e = expectError(await file(doctor, n), 422, "VALIDATION_FAILED");
  const pairs = issuePairs(e);
  for (const expected of [
    "required category",
    "required patient.name",
    "furigana_not_katakana patient.furigana",
    "invalid_municipality_code patient.address.municipality_code",
    "invalid_phone patient.address.phone",
    "required tests[0].result",
    "date_in_future diagnosis_date",
  ]) assert.ok(pairs.includes(expected), `${expected} in ${pairs.join(", ")}`);
  for (const i of e.issues) {
    assert.equal(i.severity, "error", JSON.stringify(i));
    assert.match(i.message, /[\u3040-\u30FF\u4E00-\u9FFF]/u, `Japanese message: ${JSON.stringify(i)}`);
    assert.deepEqual(Object.keys(i).sort(), ["code", "field", "message", "severity"]);
  }

  // A confirmed case needs a positive test.
  const negative = newPatient({}, { tests: [{ method: "nucleic_acid", specimen: "nasopharyngeal_swab", specimen_date: jstToday(), result: "negative" }] });
  assert.deepEqual(issuePairs(expectError(await file(doctor, negative), 422, "VALIDATION_FAILED")), ["positive_test_required tests"]);

  // An empty notification: every required item, by path.
  const empty = expectError(await file(doctor, { version: "2021-11-29" }), 422, "VALIDATION_FAILED");
  const fields = new Set(empty.issues.filter((i) => i.code === "required").map((i) => i.field));
  for (const f of ["report_date", "reporter.doctor_name", "reporter.facility_name", "reporter.facility_address", "reporter.facility_phone",
    "category", "patient.name", "patient.sex", "patient.date_of_birth", "patient.address.text", "diagnosis_date"]) {
    assert.ok(fields.has(f), `required ${f} in ${[...fields].join(", ")}`);
  }

  // Texts: too long, control characters.
  const long = newPatient({}, { patient: { occupation: "あ".repeat(501) } });
  assert.deepEqual(issuePairs(expectError(await file(doctor, long), 422, "VALIDATION_FAILED")), ["text_too_long patient.occupation"]);
  const bidi = newPatient({ name: "悪意\u202Eの名前" });
  assert.deepEqual(issuePairs(expectError(await file(doctor, bidi), 422, "VALIDATION_FAILED")), ["text_forbidden_character patient.name"]);
  const tooMany = newPatient({}, { tests: Array.from({ length: 5 }, () => ({ ...confirmedCase().tests[0] })) });
  assert.ok(issuePairs(expectError(await file(doctor, tooMany), 422, "VALIDATION_FAILED")).includes("too_many_tests tests"));

  const list = await doctor.client.get("/api/notifications");
  assert.ok(!list.body.items.some((i) => [n, negative, long].some((x) => x.patient.name && i.patient_name === x.patient.name)), "nothing filed");
});

test("warnings must be acknowledged by code: 422 WARNINGS_UNACKNOWLEDGED with the issues, then 201", async () => {
  const n = newPatient({}, { patient: { occupation: "" }, first_visit_date: null });
  const e = expectError(await file(doctor, n), 422, "WARNINGS_UNACKNOWLEDGED");
  assert.deepEqual(issuePairs(e), ["recommended first_visit_date", "recommended patient.occupation"]);
  assert.ok(e.issues.every((i) => i.severity === "warning" && i.message.length > 0));
  // Acknowledging another code is not enough.
  expectError(await file(doctor, n, { ack: ["report_not_immediate"] }), 422, "WARNINGS_UNACKNOWLEDGED");
  const ok = await file(doctor, n, { ack: ["recommended"] });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));

  // Reported three days after diagnosis: report_not_immediate, on report_date.
  const d = jstDate(-3);
  const late = newPatient({}, { first_visit_date: d, diagnosis_date: d, onset_date: d, tests: [{ ...confirmedCase().tests[0], specimen_date: d }] });
  const w = expectError(await file(doctor, late), 422, "WARNINGS_UNACKNOWLEDGED");
  assert.deepEqual(issuePairs(w), ["report_not_immediate report_date"]);
  expectError(await file(doctor, late, { ack: ["recommended"] }), 422, "WARNINGS_UNACKNOWLEDGED");
  const lateOk = await file(doctor, late, { ack: ["report_not_immediate"] });
  assert.equal(lateOk.status, 201, JSON.stringify(lateOk.body));

  // Acknowledging warnings that are not there does no harm.
  const clean = await file(doctor, newPatient(), { ack: ["recommended", "report_not_immediate"] });
  assert.equal(clean.status, 201, JSON.stringify(clean.body));
  // Errors are reported before warnings are considered, and alone.
  const both = newPatient({}, { patient: { occupation: "", furigana: "abc" } });
  const be = expectError(await file(doctor, both), 422, "VALIDATION_FAILED");
  assert.ok(be.issues.every((i) => i.severity === "error"), JSON.stringify(be.issues));
});

test("only clinic roles file; no session is 401, a foreign or missing Origin 403", async () => {
  for (const who of [hcShinjuku, hcAdminShinjuku, hcSetagaya, pref, mhlw]) {
    expectError(await file(who, newPatient()), 403, "FORBIDDEN", who.user.login_id);
  }
  const body = { idempotency_key: freshKey(), notification: newPatient(), acknowledged_warnings: [] };
  expectError(await doctor.client.post("/api/notifications", body, { cookie: null }), 401, "UNAUTHENTICATED");
  expectError(await doctor.client.post("/api/notifications", body, { origin: null }), 403, "ORIGIN_MISMATCH");
  expectError(await doctor.client.post("/api/notifications", body, { origin: "https://evil.example" }), 403, "ORIGIN_MISMATCH");
  // None of them filed anything.
  const list = await doctor.client.get("/api/notifications");
  assert.ok(!list.body.items.some((i) => i.patient_name === body.notification.patient.name));
  const filed = await file(doctor, body.notification, { key: body.idempotency_key });
  assert.equal(filed.status, 201, "the key is still unused");
});

// ---- routing --------------------------------------------------------------------------------------------------------

test("routing: to the clinic's health center; another residence's health center is noted as a transfer candidate", async () => {
  // A Setagaya resident diagnosed in Shinjuku.
  const r = await file(doctor, newPatient({ residence: "setagaya" }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.health_center_id, "HC13104");
  assert.equal(r.body.health_center_name, "新宿区保健所");
  assert.equal(r.body.residence_health_center_name, "世田谷保健所");
  assert.match(r.body.routing_reason, /新宿みなみクリニック/);
  assert.match(r.body.routing_reason, /世田谷保健所/);
  const rec = await doctor.client.get(`/api/notifications/${r.body.id}`);
  assert.equal(rec.body.residence_health_center_name, "世田谷保健所");
  assert.equal(rec.body.routing_reason, r.body.routing_reason);

  // A Shinjuku resident diagnosed in Setagaya.
  const s = await file(doctorSetagaya, newPatient({ residence: "shinjuku" }, { reporter: { doctor_name: "世田谷 次郎", facility_name: "世田谷きたクリニック", facility_address: "東京都世田谷区世田谷四丁目21番27号", facility_phone: "03-0000-0002" } }));
  assert.equal(s.status, 201, JSON.stringify(s.body));
  assert.equal(s.body.health_center_id, "HC13112");
  assert.equal(s.body.health_center_name, "世田谷保健所");
  assert.equal(s.body.residence_health_center_name, "新宿区保健所");
  assert.match(s.body.routing_reason, /世田谷きたクリニック/);

  // No municipality code: nothing noted.
  const none = await file(doctor, newPatient({}, { patient: { address: { municipality_code: "" } } }));
  assert.equal(none.status, 201, JSON.stringify(none.body));
  assert.equal(none.body.residence_health_center_name, null);

  // A residence whose health center is not in the store yet (千代田区): noted, and it becomes a transfer target.
  const c = await file(doctor, newPatient({ residence: "chiyoda" }));
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.equal(c.body.residence_health_center_name, "千代田保健所");
  assert.equal((await doctor.client.get(`/api/notifications/${c.body.id}`)).body.residence_health_center_name, "千代田保健所");
  const hcs = await hcShinjuku.client.get("/api/health-centers");
  assert.ok(hcs.body.health_centers.some((h) => h.id === "HC13101" && h.name === "千代田保健所"), JSON.stringify(hcs.body));

  // A municipality code with a wrong check digit is an error on its path.
  const bad = newPatient({}, { patient: { address: { municipality_code: "131122" } } });
  assert.deepEqual(issuePairs(expectError(await file(doctor, bad), 422, "VALIDATION_FAILED")), ["invalid_municipality_code patient.address.municipality_code"]);
});

test("a municipality code its postal code does not mean is refused at its field; a shared code's choice routes the note", async () => {
  // 618-0000 means 京都府乙訓郡大山崎町 (263036) or 大阪府三島郡島本町 (273015), nothing else.
  const at = (postal_code, municipality_code, text = "大阪府三島郡島本町山崎1-1") =>
    newPatient({}, { patient: { address: { postal_code, municipality_code, text } } });
  const wrong = expectError(await file(doctor, at("6180000", "131041")), 422, "VALIDATION_FAILED");
  assert.deepEqual(issuePairs(wrong), ["municipality_not_for_postal_code patient.address.municipality_code"]);
  assert.match(wrong.issues[0].message, /618-0000.*京都府乙訓郡大山崎町・大阪府三島郡島本町/);
  // The Shinjuku code with a Setagaya postal code, on the current location and the guardian's address too.
  const places = expectError(await file(doctor, newPatient({}, {
    patient: {
      current_location_same_as_address: false,
      current_location: { postal_code: "1540017", municipality_code: "131041", text: "東京都世田谷区世田谷四丁目21番27号" },
    },
  })), 422, "VALIDATION_FAILED");
  assert.deepEqual(issuePairs(places), ["municipality_not_for_postal_code patient.current_location.municipality_code"]);
  // Either candidate is accepted, and the residence note follows the one chosen.
  const shimamoto = await file(doctor, at("6180000", "273015"));
  assert.equal(shimamoto.status, 201, JSON.stringify(shimamoto.body));
  assert.equal(shimamoto.body.residence_health_center_name, "大阪府茨木保健所");
  const oyamazaki = await file(doctor, at("618-0000", "263036", "京都府乙訓郡大山崎町円明寺1"));
  assert.equal(oyamazaki.status, 201, JSON.stringify(oyamazaki.body));
  assert.equal(oyamazaki.body.residence_health_center_name, "京都府乙訓保健所");
  // No municipality code, or a postal code the data does not know: nothing to check.
  assert.equal((await file(doctor, at("6180000", ""))).status, 201);
  assert.equal((await file(doctor, at("0000000", "131041", "東京都新宿区"))).status, 201);
  // The edit of a filed notification is checked the same way.
  const rec = (await doctor.client.get(`/api/cases/${shimamoto.body.id}`)).body;
  const n = (await doctor.client.get(`/api/notifications/${shimamoto.body.id}`)).body.notification;
  n.patient.address.municipality_code = "131041";
  const edit = await doctor.client.put(`/api/cases/${shimamoto.body.id}/notification`, { version: rec.version, notification: n });
  assert.deepEqual(issuePairs(expectError(edit, 422, "VALIDATION_FAILED")), ["municipality_not_for_postal_code patient.address.municipality_code"]);
});

test("GET /api/health-centers: the prefecture's health centers by id; national staff 403, no session 401", async () => {
  for (const who of [doctor, hcShinjuku, hcSetagaya, pref]) {
    const r = await who.client.get("/api/health-centers");
    assert.equal(r.status, 200, who.user?.login_id);
    const ids = r.body.health_centers.map((h) => h.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.ok(r.body.health_centers.some((h) => h.id === "HC13104" && h.name === "新宿区保健所"));
    assert.ok(r.body.health_centers.some((h) => h.id === "HC13112" && h.name === "世田谷保健所"));
    assert.ok(r.body.health_centers.every((h) => h.id.startsWith("HC13")), "only Tokyo's");
  }
  expectError(await mhlw.client.get("/api/health-centers"), 403, "FORBIDDEN");
  expectError(await doctor.client.get("/api/health-centers", { cookie: null }), 401, "UNAUTHENTICATED");
});

// ---- inbox and receipt ----------------------------------------------------------------------------------------------

/** Unread first; newest first within each group. */
function assertInboxOrder(items) {
  const read = items.map((i) => i.received_at !== null);
  const firstRead = read.indexOf(true);
  assert.ok(firstRead === -1 || read.slice(firstRead).every(Boolean), `unread first: ${read.join()}`);
  for (const group of [items.filter((i) => i.received_at === null), items.filter((i) => i.received_at !== null)]) {
    const t = group.map((i) => i.filed_at);
    assert.deepEqual(t, [...t].sort((a, b) => b - a), "newest first within the group");
  }
}

test("inbox: unread first; opening by the health center's staff marks it received, which the clinic then sees", async () => {
  const a = await file(doctor, newPatient());
  const b = await file(doctor, newPatient());
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  // Something already received, so that the order has both groups.
  const older = await file(doctor, newPatient());
  await hcShinjuku.client.get(`/api/notifications/${older.body.id}`);

  const inbox = await hcShinjuku.client.get("/api/notifications");
  assert.equal(inbox.status, 200);
  assertInboxOrder(inbox.body.items);
  assert.equal(inbox.body.unread, inbox.body.items.filter((i) => i.received_at === null).length);
  for (const id of [a.body.id, b.body.id]) assert.equal(inbox.body.items.find((i) => i.id === id)?.received_at, null);
  assert.ok(inbox.body.items.find((i) => i.id === older.body.id).received_at > 0);
  assert.ok(inbox.body.items.every((i) => i.health_center_name === "新宿区保健所"), "only its own health center's");

  // The clinic opening its own record, and the prefecture reading it, do not receive it.
  await doctor.client.get(`/api/notifications/${a.body.id}`);
  const prefRead = await pref.client.get(`/api/notifications/${a.body.id}`);
  assert.equal(prefRead.status, 200);
  assert.equal(prefRead.body.can_transfer, false);
  assert.equal((await doctor.client.get(`/api/notifications/${a.body.id}`)).body.received_at, null);

  const t0 = Date.now();
  const opened = await hcShinjuku.client.get(`/api/notifications/${a.body.id}`);
  assert.equal(opened.status, 200);
  assert.ok(opened.body.received_at >= t0 - 60_000 && opened.body.received_at <= Date.now() + 60_000, `received_at ${opened.body.received_at}`);
  assert.equal(opened.body.received_by_name, "保健 三郎");
  assert.equal(opened.body.can_transfer, true);
  assert.deepEqual(opened.body.history.map((e) => e.kind), ["routed", "received"]);
  assert.equal(opened.body.history[1].actor_name, "保健 三郎");
  assert.equal(opened.body.history[1].health_center_name, "新宿区保健所");

  // A second reader at the same health center changes nothing.
  const again = await hcAdminShinjuku.client.get(`/api/notifications/${a.body.id}`);
  assert.equal(again.body.received_at, opened.body.received_at);
  assert.equal(again.body.received_by_name, "保健 三郎");
  assert.equal(again.body.can_transfer, true, "administrators of the health center may transfer too");
  assert.deepEqual(again.body.history.map((e) => e.kind), ["routed", "received"]);

  const after = await hcShinjuku.client.get("/api/notifications");
  assertInboxOrder(after.body.items);
  assert.equal(after.body.unread, inbox.body.unread - 1);
  const ia = after.body.items.findIndex((i) => i.id === a.body.id);
  const ib = after.body.items.findIndex((i) => i.id === b.body.id);
  assert.ok(ib < ia, "the unread one before the received one");
  assert.equal(after.body.items[ia].received_at, opened.body.received_at);

  // The clinic sees when and by whom.
  const seen = await doctor.client.get(`/api/notifications/${a.body.id}`);
  assert.equal(seen.body.received_at, opened.body.received_at);
  assert.equal(seen.body.received_by_name, "保健 三郎");
  const clinicList = await doctor.client.get("/api/notifications");
  assert.equal(clinicList.body.items.find((i) => i.id === a.body.id).received_at, opened.body.received_at);
  assert.equal(clinicList.body.items.find((i) => i.id === b.body.id).received_at, null);
});

test("who may open and list: own clinic and its health center and prefecture; others 403, unknown id 404", async () => {
  const r = await file(doctor, newPatient());
  const id = r.body.id;
  for (const who of [doctor, clinicStaff, hcShinjuku, pref]) {
    assert.equal((await who.client.get(`/api/notifications/${id}`)).status, 200, who.user?.login_id);
  }
  for (const who of [doctorSetagaya, doctorKita, hcSetagaya, mhlw]) {
    expectError(await who.client.get(`/api/notifications/${id}`), 403, "FORBIDDEN", who.user?.login_id ?? "kita");
  }
  expectError(await doctor.client.get(`/api/notifications/${id}`, { cookie: null }), 401, "UNAUTHENTICATED");
  for (const unknown of ["n_no_such_record", "n_" + "A".repeat(43), "x"]) {
    expectError(await hcShinjuku.client.get(`/api/notifications/${unknown}`), 404, "NOT_FOUND", unknown);
  }
  // Lists: each sees only its own area.
  const has = async (who) => (await who.client.get("/api/notifications")).body.items.some((i) => i.id === id);
  assert.equal(await has(doctor), true);
  assert.equal(await has(clinicStaff), true);
  assert.equal(await has(hcShinjuku), true);
  assert.equal(await has(pref), true);
  assert.equal(await has(doctorSetagaya), false);
  assert.equal(await has(doctorKita), false);
  assert.equal(await has(hcSetagaya), false);
  expectError(await mhlw.client.get("/api/notifications"), 403, "FORBIDDEN");
  const prefList = await pref.client.get("/api/notifications");
  assert.ok(prefList.body.items.some((i) => i.health_center_name === "世田谷保健所"), "the prefecture sees both health centers'");
  const setagayaClinic = await doctorSetagaya.client.get("/api/notifications");
  assert.ok(setagayaClinic.body.items.every((i) => i.institution_name === "世田谷きたクリニック"));
});

// ---- transfer -------------------------------------------------------------------------------------------------------

test("transfer targets: the current prefecture's health centers, or the residence's health center in another prefecture; no other center in the country", async () => {
  // A 横須賀市 resident diagnosed in Shinjuku: routed to Shinjuku, 横須賀市保健所 (Kanagawa) noted and made known.
  const away = await file(doctor, newPatient({ residence: "yokosuka" }));
  assert.equal(away.status, 201, JSON.stringify(away.body));
  assert.equal(away.body.residence_health_center_name, "横須賀市保健所");
  // A Shinjuku resident's record may not go to that Kanagawa center: it is neither in Tokyo nor the residence's.
  const home = await file(doctor, newPatient({ residence: "shinjuku" }));
  const refused = expectError(
    await hcShinjuku.client.post(`/api/notifications/${home.body.id}/transfer`, { health_center_id: "HC14201", reason: "確認" }),
    422, "VALIDATION_FAILED", "another prefecture, not the residence");
  assert.equal(refused.reason, "health_center_id");
  assert.equal((await hcShinjuku.client.get(`/api/notifications/${home.body.id}`)).body.health_center_id, "HC13104", "not moved");
  // The resident of 横須賀市 may go to their own health center across the prefecture line.
  const moved = await hcShinjuku.client.post(`/api/notifications/${away.body.id}/transfer`, { health_center_id: "HC14201", reason: "住所地の保健所へ移管" });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  // A center made known from the reference table has no e-mail address: the answer warns when the transfer is made.
  assert.equal(moved.body.email_missing, true, JSON.stringify(moved.body));
});

test("transfer: refused to anyone but the current health center and for bad targets or reasons; then both sides see it", async () => {
  const r = await file(doctor, newPatient({ residence: "setagaya" }));
  const id = r.body.id;
  const to = (who, body, opts) => who.client.post(`/api/notifications/${id}/transfer`, body, opts);
  const good = { health_center_id: "HC13112", reason: "住所地の保健所へ移管" };

  expectError(await to(doctor, good), 403, "FORBIDDEN", "the filing clinic");
  expectError(await to(clinicStaff, good), 403, "FORBIDDEN", "clinic staff");
  expectError(await to(hcSetagaya, good), 403, "FORBIDDEN", "the other health center");
  expectError(await to(pref, good), 403, "FORBIDDEN", "the prefecture");
  expectError(await to(mhlw, good), 403, "FORBIDDEN", "national staff");
  expectError(await to(hcShinjuku, good, { cookie: null }), 401, "UNAUTHENTICATED");
  expectError(await to(hcShinjuku, good, { origin: null }), 403, "ORIGIN_MISMATCH");
  expectError(await hcShinjuku.client.post("/api/notifications/n_no_such_record/transfer", good), 404, "NOT_FOUND");
  for (const [body, reason] of [
    [{ health_center_id: "HC_NONE", reason: "確認" }, "health_center_id"],
    [{ health_center_id: "HC13104", reason: "同じ保健所" }, "health_center_id"],
    [{ health_center_id: "", reason: "確認" }, "health_center_id"],
    [{ health_center_id: "HC13112", reason: "" }, "reason"],
    [{ health_center_id: "HC13112", reason: "　 " }, "reason"],
    [{ health_center_id: "HC13112", reason: "あ".repeat(201) }, "reason"],
    [{ health_center_id: "HC13112", reason: "改行\nあり" }, "reason"],
    [{ health_center_id: "HC13112", reason: "\u202E逆向き" }, "reason"],
  ]) {
    const e = expectError(await to(hcShinjuku, body), 422, "VALIDATION_FAILED", JSON.stringify(body));
    assert.equal(e.reason, reason, JSON.stringify(body));
  }
  expectError(await to(hcShinjuku, { health_center_id: "HC13112" }), 400, "BAD_REQUEST", "no reason");
  expectError(await to(hcShinjuku, { ...good, note: "x" }), 400, "BAD_REQUEST", "unknown member");
  // Nothing moved.
  const still = await hcShinjuku.client.get(`/api/notifications/${id}`);
  assert.equal(still.body.health_center_id, "HC13104");
  assert.deepEqual(still.body.history.map((e) => e.kind), ["routed", "received"]);

  const moved = await to(hcShinjuku, good);
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  // The answer says where it went and that the demo center gets the notice e-mail (issue 23).
  assert.deepEqual(moved.body, { health_center_id: "HC13112", health_center_name: "世田谷保健所", email_missing: false, phone: "03-5555-0112" });
  expectError(await to(hcShinjuku, good), 403, "FORBIDDEN", "no longer at Shinjuku");

  // The new health center: unread in its inbox; opening receives it there.
  const inbox = await hcSetagaya.client.get("/api/notifications");
  const item = inbox.body.items.find((i) => i.id === id);
  assert.ok(item, "in Setagaya's inbox");
  assert.equal(item.received_at, null);
  assert.equal(item.health_center_name, "世田谷保健所");
  assertInboxOrder(inbox.body.items);

  // Until the new health center accepts it, the old one can still read it (without receiving it or transferring it).
  const old = await hcShinjuku.client.get(`/api/notifications/${id}`);
  assert.equal(old.status, 200);
  assert.equal(old.body.health_center_id, "HC13112");
  assert.equal(old.body.health_center_name, "世田谷保健所");
  assert.equal(old.body.received_at, null);
  assert.equal(old.body.can_transfer, false);
  assert.deepEqual(old.body.history.map((e) => e.kind), ["routed", "received", "transferred"]);
  const tr = old.body.history[2];
  assert.equal(tr.health_center_name, "世田谷保健所");
  assert.equal(tr.from_health_center_name, "新宿区保健所");
  assert.equal(tr.actor_name, "保健 三郎");
  assert.equal(tr.reason, "住所地の保健所へ移管");

  const there = await hcSetagaya.client.get(`/api/notifications/${id}`);
  assert.equal(there.status, 200);
  assert.equal(there.body.received_by_name, "保健 五月");
  assert.equal(there.body.can_transfer, true);
  assert.deepEqual(there.body.history.map((e) => [e.kind, e.health_center_name]),
    [["routed", "新宿区保健所"], ["received", "新宿区保健所"], ["transferred", "世田谷保健所"], ["received", "世田谷保健所"]]);
  // Once the new health center has accepted it, the past one reads it no more (the hand-over is over).
  expectError(await hcShinjuku.client.get(`/api/notifications/${id}`), 403, "FORBIDDEN", "past health center after acceptance");
  expectError(await hcShinjuku.client.get(`/api/cases/${id}`), 403, "FORBIDDEN", "past health center: the record too");

  // The clinic follows it.
  const clinic = await doctor.client.get(`/api/notifications/${id}`);
  assert.equal(clinic.body.health_center_name, "世田谷保健所");
  assert.equal(clinic.body.received_by_name, "保健 五月");
  assert.equal(clinic.body.history.length, 4);
  // Still not another clinic's to read.
  expectError(await doctorSetagaya.client.get(`/api/notifications/${id}`), 403, "FORBIDDEN");

  // And back: Shinjuku has it unread again, and may receive it again.
  assert.equal((await to(hcSetagaya, { health_center_id: "HC13104", reason: "差し戻し" })).status, 200);
  const back = await hcShinjuku.client.get("/api/notifications");
  assert.equal(back.body.items.find((i) => i.id === id)?.received_at, null);
  const reopened = await hcShinjuku.client.get(`/api/notifications/${id}`);
  assert.deepEqual(reopened.body.history.map((e) => e.kind), ["routed", "received", "transferred", "received", "transferred", "received"]);
  assert.equal(reopened.body.can_transfer, true);
});

// ---- duplicates -----------------------------------------------------------------------------------------------------

test("duplicates: only the records the caller may open (their own clinic's, live), never another clinic's", async () => {
  const person = { name: "重複 候補", furigana: "ジュウフク コウホ", date_of_birth: "1961-06-16", phone: "080-5555-0101" };
  NAMES.add(person.name);
  const own = await file(doctor, patientCase(person));
  assert.equal(own.status, 201, JSON.stringify(own.body));
  // The same person filed in Setagaya (goes to Setagaya's health center).
  const setagaya = await file(doctorSetagaya, patientCase(person));
  assert.equal(setagaya.status, 201);
  const q = { furigana: "じゅうふく　こうほ", date_of_birth: "1961-06-16", phone: "", municipality_code: "131041" };

  const mine = await doctor.client.post("/api/notifications/duplicates", q);
  assert.equal(mine.status, 200, JSON.stringify(mine.body));
  assert.deepEqual(mine.body.candidates, [{
    number: own.body.number, filed_at: own.body.filed_at, health_center_name: "新宿区保健所", matched: "furigana_and_birth",
    id: own.body.id, patient_name: "重複 候補",
  }]);
  const staffView = await clinicStaff.client.post("/api/notifications/duplicates", q);
  assert.equal(staffView.body.candidates[0]?.id, own.body.id, "same institution: with id");

  // Another clinic in Shinjuku's area may not open the Shinjuku clinic's record: not even its existence is told.
  const kita = await doctorKita.client.post("/api/notifications/duplicates", q);
  assert.equal(kita.status, 200);
  assert.deepEqual(kita.body.candidates, [], "another clinic's case is not reported");
  // Setagaya's clinic sees its own only.
  const sg = await doctorSetagaya.client.post("/api/notifications/duplicates", q);
  assert.deepEqual(sg.body.candidates.map((x) => x.id), [setagaya.body.id]);

  // Kita files the same person too: the Shinjuku clinic still sees only its own.
  const kitaFiled = await file(doctorKita, patientCase(person));
  assert.equal(kitaFiled.status, 201, JSON.stringify(kitaFiled.body));
  const both = await doctor.client.post("/api/notifications/duplicates", q);
  assert.deepEqual(both.body.candidates.map((x) => x.id), [own.body.id], JSON.stringify(both.body));
  const kitaNow = await doctorKita.client.post("/api/notifications/duplicates", q);
  assert.deepEqual(kitaNow.body.candidates.map((x) => x.id), [kitaFiled.body.id]);

  // Phone and birth date (any way of writing the number).
  const byPhone = await doctor.client.post("/api/notifications/duplicates", { phone: "０８０５５５５０１０１", date_of_birth: "1961-06-16" });
  assert.equal(byPhone.status, 200, JSON.stringify(byPhone.body));
  assert.equal(byPhone.body.candidates.find((x) => x.id === own.body.id)?.matched, "phone_and_birth");
  // Another birth date, or only a birth date: nothing.
  assert.deepEqual((await doctor.client.post("/api/notifications/duplicates", { ...q, date_of_birth: "1961-06-17" })).body.candidates, []);
  assert.deepEqual((await doctor.client.post("/api/notifications/duplicates", { date_of_birth: "1961-06-16" })).body.candidates, []);

  // Refusals.
  for (const who of [hcShinjuku, pref, mhlw]) expectError(await who.client.post("/api/notifications/duplicates", q), 403, "FORBIDDEN", who.user.login_id);
  expectError(await doctor.client.post("/api/notifications/duplicates", q, { cookie: null }), 401, "UNAUTHENTICATED");
  expectError(await doctor.client.post("/api/notifications/duplicates", { ...q, date_of_birth: "16/06/1961" }), 422, "VALIDATION_FAILED");
  expectError(await doctor.client.post("/api/notifications/duplicates", {}), 422, "VALIDATION_FAILED");
  expectError(await doctor.client.post("/api/notifications/duplicates", { ...q, name: "重複 候補" }), 400, "BAD_REQUEST");
  expectError(await doctor.client.post("/api/notifications/duplicates", { ...q, date_of_birth: 19610616 }), 400, "BAD_REQUEST");
});

test("duplicates: a deleted record is not reported", async () => {
  const person = { name: "重複 削除", furigana: "ジュウフク サクジョ", date_of_birth: "1962-07-17", phone: "080-5555-0202" };
  NAMES.add(person.name);
  const filed = await file(clinicStaff, patientCase(person));
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const q = { furigana: person.furigana, date_of_birth: person.date_of_birth, phone: person.phone };
  const before = await clinicStaff.client.post("/api/notifications/duplicates", q);
  assert.deepEqual(before.body.candidates.map((x) => x.id), [filed.body.id]);
  const rec = (await clinicStaff.client.get(`/api/cases/${filed.body.id}`)).body;
  assert.equal((await clinicStaff.client.post(`/api/cases/${filed.body.id}/delete`, { version: rec.version })).status, 204);
  const after = await clinicStaff.client.post("/api/notifications/duplicates", q);
  assert.equal(after.status, 200, JSON.stringify(after.body));
  assert.deepEqual(after.body.candidates, [], "a deleted record is not reported");
});

test("duplicates: 30 checks a minute per account, then 429 TOO_MANY_ATTEMPTS (audited); other accounts unaffected", async () => {
  const acct = await hcAdminShinjuku.client.post("/api/admin/accounts", {
    login_id: "busy@shinjuku-clinic.test", display_name: "多忙 事務", email: "busy.shinjuku-clinic@her-sys.example",
    role: "clinic_staff", institution_id: "inst_demo_shinjuku", delivery: "initial_password",
  });
  assert.equal(acct.status, 201, JSON.stringify(acct.body));
  const who = await signIn(edge, "busy@shinjuku-clinic.test", acct.body.initial_password, { newPassword: "Qv7#kM3!pLx9" });
  const q = { furigana: "レンダ テスト", date_of_birth: "1970-01-01", phone: "" };
  // In parallel: counted before the lookup, so no more than 30 get an answer.
  const all = await Promise.all(Array.from({ length: 40 }, () => who.client.post("/api/notifications/duplicates", q)));
  const statuses = all.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 200).length, 30, JSON.stringify(statuses));
  for (const r of all.filter((r) => r.status !== 200)) expectError(r, 429, "TOO_MANY_ATTEMPTS");
  expectError(await who.client.post("/api/notifications/duplicates", q), 429, "TOO_MANY_ATTEMPTS", "after the limit");
  assert.equal((await doctorKita.client.post("/api/notifications/duplicates", q)).status, 200, "another account");
  const audit = await hcAdminShinjuku.client.get("/api/admin/audit");
  assert.equal(audit.status, 200);
  const mine = audit.body.entries.filter((e) => e.action === "notification_duplicates" && e.actor_user_id === acct.body.account.id);
  assert.equal(mine.filter((e) => e.outcome === "ok").length, 30, "every answer audited");
  assert.ok(mine.some((e) => e.outcome === "throttled"), "refusals audited");
});

// ---- institution and doctors ----------------------------------------------------------------------------------------

test("institution profile and doctor list: add, remove, and never another institution's", async () => {
  const p = await doctor.client.get("/api/institution");
  assert.equal(p.status, 200);
  assert.equal(p.body.name, "新宿みなみクリニック");
  assert.equal(p.body.address, "東京都新宿区西新宿二丁目8番1号");
  assert.equal(p.body.phone, "03-0000-0001");
  assert.equal(p.body.own_doctor_name, "新宿 一郎");
  for (const d of [{ id: "d_demo_shinjuku_1", name: "新宿 一郎" }, { id: "d_demo_shinjuku_2", name: "西 新太" }]) {
    assert.ok(p.body.doctors.some((x) => x.id === d.id && x.name === d.name), JSON.stringify(p.body.doctors));
  }
  assert.ok(!p.body.doctors.some((x) => x.id === "d_demo_setagaya_1"));
  assert.equal((await clinicStaff.client.get("/api/institution")).body.own_doctor_name, null, "staff are not doctors");
  for (const who of [hcShinjuku, pref, mhlw]) expectError(await who.client.get("/api/institution"), 403, "FORBIDDEN", who.user.login_id);

  const added = await clinicStaff.client.post("/api/institution/doctors", { name: "  追加 医師  " });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.match(added.body.id, /^d_/);
  assert.equal(added.body.name, "追加 医師", "trimmed");
  assert.ok((await doctor.client.get("/api/institution")).body.doctors.some((d) => d.id === added.body.id), "the whole clinic sees it");
  assert.ok(!(await doctorSetagaya.client.get("/api/institution")).body.doctors.some((d) => d.id === added.body.id));

  // Another institution cannot remove it (404, not 403: its existence is not revealed); nor can health centers.
  expectError(await doctorSetagaya.client.delete(`/api/institution/doctors/${added.body.id}`), 404, "NOT_FOUND");
  expectError(await doctorKita.client.delete(`/api/institution/doctors/${added.body.id}`), 404, "NOT_FOUND");
  expectError(await doctor.client.delete("/api/institution/doctors/d_demo_setagaya_1"), 404, "NOT_FOUND");
  expectError(await hcShinjuku.client.delete(`/api/institution/doctors/${added.body.id}`), 403, "FORBIDDEN");
  expectError(await doctor.client.delete(`/api/institution/doctors/${added.body.id}`, { origin: null }), 403, "ORIGIN_MISMATCH");
  assert.ok((await doctor.client.get("/api/institution")).body.doctors.some((d) => d.id === added.body.id), "still there");

  const removed = await doctor.client.delete(`/api/institution/doctors/${added.body.id}`);
  assert.equal(removed.status, 204);
  expectError(await doctor.client.delete(`/api/institution/doctors/${added.body.id}`), 404, "NOT_FOUND", "twice");
  assert.ok(!(await doctor.client.get("/api/institution")).body.doctors.some((d) => d.id === added.body.id));
  assert.ok((await doctorSetagaya.client.get("/api/institution")).body.doctors.some((d) => d.id === "d_demo_setagaya_1"), "Setagaya's untouched");

  for (const name of ["", "   ", "あ".repeat(61), "a\u0000b", "改\n行", "タブ\t入り", "\u202Eevil", "\uFEFF"]) {
    const e = expectError(await doctor.client.post("/api/institution/doctors", { name }), 422, "VALIDATION_FAILED", JSON.stringify(name));
    assert.equal(e.reason, "name");
  }
  expectError(await doctor.client.post("/api/institution/doctors", { name: "x", id: "d_demo_setagaya_1" }), 400, "BAD_REQUEST");
  expectError(await doctor.client.post("/api/institution/doctors", { name: 5 }), 400, "BAD_REQUEST");
  expectError(await hcShinjuku.client.post("/api/institution/doctors", { name: "保健所 医師" }), 403, "FORBIDDEN");
  assert.equal((await doctor.client.post("/api/institution/doctors", { name: "あ".repeat(60) })).status, 201, "60 characters fit");
});

// ---- draft keys -----------------------------------------------------------------------------------------------------

test("draft keys: 32 random bytes in base64url, stable per user, different between users", async () => {
  const keys = {};
  for (const [name, who] of Object.entries({ doctor, clinicStaff, doctorSetagaya, hcShinjuku })) {
    const a = await who.client.get("/api/me/draft-key");
    assert.equal(a.status, 200);
    assert.match(a.body.key, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a.body.key, "base64url").length, 32);
    const b = await who.client.get("/api/me/draft-key");
    assert.equal(b.body.key, a.body.key, `${name}: stable`);
    keys[name] = a.body.key;
  }
  assert.equal(new Set(Object.values(keys)).size, Object.keys(keys).length, "one key per user");
  // A new session of the same user gets the same key (drafts survive signing in again).
  const again = await signIn(edge, "doctor@shinjuku-clinic.demo", "Demo-Hersys-2026", { authenticator: doctor.authenticator });
  assert.equal((await again.client.get("/api/me/draft-key")).body.key, keys.doctor);
  expectError(await doctor.client.get("/api/me/draft-key", { cookie: null }), 401, "UNAUTHENTICATED");
  expectError(await doctor.client.post("/api/me/draft-key", {}), 405, "METHOD_NOT_ALLOWED");
});

// ---- notice e-mail --------------------------------------------------------------------------------------------------

/** Runs the scheduled handler (the every-minute cron) until the record's delivery is `sent`, for up to ~5 s. */
async function deliveryOf(id, who = doctor, want = "sent") {
  let delivery = "";
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const cron = await fetch(`${edge.api}/cdn-cgi/local/scheduled`);
    await cron.arrayBuffer();
    delivery = (await who.client.get(`/api/notifications/${id}`)).body.delivery;
    if (delivery === want) break;
    await sleep(150);
  }
  return delivery;
}

/** The simulated e-mail to `to` whose subject names `number`, as wrangler logged it (waits up to ~5 s). */
async function loggedMail(to, number) {
  const deadline = Date.now() + 5000;
  for (;;) {
    // Strip ANSI colours; one block per message.
    const log = edge.log().replace(/\x1b\[[0-9;]*m/g, "");
    const messages = log.split("send_email binding called").slice(1).map((b) => {
      const lines = b.split("\n");
      const end = lines.findIndex((l) => /^\s*Text: /.test(l));
      return lines.slice(0, end === -1 ? 6 : end + 1).join("\n");
    });
    const message = messages.find((m) => m.includes(`To: ${to}`) && m.includes(`届出番号 ${number}`));
    if (message) return { block: message, textPath: /Text: (\S+)/.exec(message)?.[1] };
    if (Date.now() > deadline) assert.fail(`no e-mail to ${to} naming ${number} in the log:\n${log.slice(-3000)}`);
    await sleep(200);
  }
}

test("the notice e-mail: sent through MAIL by the scheduled handler; the record says so; no patient data in it", async () => {
  const n = newPatient({ name: "通知 秘匿子", furigana: "ツウチ ヒトクコ", date_of_birth: "1977-07-07", phone: "090-7777-0707" });
  const r = await file(doctor, n);
  assert.equal(r.status, 201);
  assert.equal(r.body.delivery, "pending");
  assert.equal(await deliveryOf(r.body.id), "sent");
  assert.equal((await hcShinjuku.client.get(`/api/notifications/${r.body.id}`)).body.delivery, "sent");

  const mail = await loggedMail("notice@hc13104.her-sys.example", r.body.number);
  assert.match(mail.block, /From: her-sys-notice@her-sys\.example/);
  assert.match(mail.block, /Subject: .*届出番号 \d{8}/);
  const secrets = [n.patient.name, "通知", "ツウチ", n.patient.date_of_birth, n.patient.address.phone, "7777", n.patient.address.text];
  for (const s of secrets) assert.ok(!mail.block.includes(s), `the logged mail must not contain ${s}`);
  // The body, which wrangler writes to a file and names in the log.
  assert.ok(mail.textPath, `the log names the mail's text file:\n${mail.block}`);
  const textFile = path.isAbsolute(mail.textPath) ? mail.textPath : path.join(ROOT, mail.textPath);
  assert.ok(existsSync(textFile), textFile);
  const text = readFileSync(textFile, "utf8");
  assert.match(text, new RegExp(r.body.number));
  assert.match(text, /新宿区保健所 御中/);
  assert.match(text, /\/records/);
  for (const s of secrets) assert.ok(!text.includes(s), `the mail's text must not contain ${s}`);

  // A transfer sends a notice to the new health center; the record's delivery follows the newest notice.
  assert.equal((await hcShinjuku.client.post(`/api/notifications/${r.body.id}/transfer`, { health_center_id: "HC13112", reason: "住所地" })).status, 200);
  assert.equal(await deliveryOf(r.body.id), "sent");
  const moved = await loggedMail("notice@hc13112.her-sys.example", r.body.number);
  for (const s of secrets) assert.ok(!moved.block.includes(s), `the transfer notice must not contain ${s}`);
});

// ---- bad input ------------------------------------------------------------------------------------------------------

test("bad filing bodies: 4xx with a stable code, never 5xx, nothing filed", async () => {
  const ok = () => ({ idempotency_key: freshKey(), notification: newPatient(), acknowledged_warnings: [] });
  const withNotification = (edit) => {
    const b = ok();
    edit(b.notification);
    return JSON.stringify(b);
  };
  const deep = `${"[".repeat(2000)}${"]".repeat(2000)}`;
  const cases = [
    ["malformed JSON", "{", 400, "BAD_REQUEST"],
    ["truncated JSON", JSON.stringify(ok()).slice(0, -10), 400, "BAD_REQUEST"],
    ["empty body", "", 400, "BAD_REQUEST"],
    ["array", "[]", 400, "BAD_REQUEST"],
    ["null", "null", 400, "BAD_REQUEST"],
    ["string", "\"notification\"", 400, "BAD_REQUEST"],
    ["empty object", "{}", 400, "BAD_REQUEST"],
    ["no notification", JSON.stringify({ idempotency_key: freshKey(), acknowledged_warnings: [] }), 400, "BAD_REQUEST"],
    ["no idempotency key", JSON.stringify({ notification: newPatient() }), 400, "BAD_REQUEST"],
    ["key of the wrong type", JSON.stringify({ ...ok(), idempotency_key: 1234567890123456789 }), 400, "BAD_REQUEST"],
    ["acknowledgements not a list", JSON.stringify({ ...ok(), acknowledged_warnings: "recommended" }), 400, "BAD_REQUEST"],
    ["unknown top-level member", JSON.stringify({ ...ok(), priority: "high" }), 400, "BAD_REQUEST"],
    ["no version", withNotification((n) => delete n.version), 400, "BAD_REQUEST"],
    ["unknown version", withNotification((n) => (n.version = "1999-01-01")), 400, "BAD_REQUEST"],
    ["unknown member in the form", withNotification((n) => (n.extra = true)), 400, "BAD_REQUEST"],
    ["unknown member in patient", withNotification((n) => (n.patient.nickname = "たろちゃん")), 400, "BAD_REQUEST"],
    ["unknown member in a test", withNotification((n) => (n.tests[0].lab = "x")), 400, "BAD_REQUEST"],
    ["name of the wrong type", withNotification((n) => (n.patient.name = 5)), 400, "BAD_REQUEST"],
    ["tests not a list", withNotification((n) => (n.tests = "all")), 400, "BAD_REQUEST"],
    ["unknown enum value", withNotification((n) => (n.category = "Confirmed_Patient")), 400, "BAD_REQUEST"],
    ["unknown symptom", withNotification((n) => (n.symptoms.present = ["sneezing_loudly"])), 400, "BAD_REQUEST"],
    ["date in another format", withNotification((n) => (n.report_date = "2026/11/25")), 422, "VALIDATION_FAILED"],
    ["impossible date", withNotification((n) => (n.patient.date_of_birth = "1980-02-30")), 422, "VALIDATION_FAILED"],
    ["four vaccine doses", withNotification((n) => n.vaccination.push({})), 400, "BAD_REQUEST"],
    ["negative age", withNotification((n) => (n.patient.age_at_diagnosis = { years: -1 })), 422, "VALIDATION_FAILED"],
    ["age beyond u16", withNotification((n) => (n.patient.age_at_diagnosis = { years: 70000 })), 422, "VALIDATION_FAILED"],
    ["number out of range", JSON.stringify(ok()).replace('"vaccination":[{', '"vaccination":[{"age":1e999,'), 400, "BAD_REQUEST"],
    ["nested 2000 deep", JSON.stringify({ ...ok(), notification: "X" }).replace('"X"', deep), 400, "BAD_REQUEST"],
    ["100 tests", withNotification((n) => (n.tests = Array(100).fill(n.tests[0]))), 422, "VALIDATION_FAILED"],
    ["over 64 KB", withNotification((n) => (n.patient.occupation = "あ".repeat(23_000))), 413, "PAYLOAD_TOO_LARGE"],
    ["1 MB", JSON.stringify({ ...ok(), pad: "x".repeat(1 << 20) }), 413, "PAYLOAD_TOO_LARGE"],
  ];
  for (const [label, body, status, code] of cases) {
    const r = await doctor.client.request("POST", "/api/notifications", body);
    assert.ok(r.status < 500, `${label}: HTTP ${r.status}`);
    expectError(r, status, code, label);
  }
  // Not UTF-8.
  const bytes = Buffer.concat([Buffer.from('{"idempotency_key":"'), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('xxxxxxxxxxxxxxxxxx","notification":{"version":"2021-11-29"}}')]);
  const raw = await fetch(`${edge.api}/api/notifications`, { method: "POST", headers: { "content-type": "application/json", origin: edge.api, cookie: doctor.cookie }, body: bytes });
  assert.equal(raw.status, 400, "invalid UTF-8");
  assert.equal((await raw.json()).error.code, "BAD_REQUEST");
  // Over 64 KB without a Content-Length (chunked): refused while reading.
  const chunks = [JSON.stringify(ok()).slice(0, -1), `,"pad":"${"x".repeat(70 * 1024)}"}`];
  const stream = new ReadableStream({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(new TextEncoder().encode(next)); else c.close(); } });
  const chunked = await fetch(`${edge.api}/api/notifications`, {
    method: "POST", headers: { "content-type": "application/json", origin: edge.api, cookie: doctor.cookie }, body: stream, duplex: "half",
  });
  const chunkedBody = await chunked.json();
  assert.equal(chunked.status, 413, `chunked: ${JSON.stringify(chunkedBody)}`);
  assert.equal(chunkedBody.error.code, "PAYLOAD_TOO_LARGE");
});

test("numbers and dates that are not of their field's type: 422 VALIDATION_FAILED naming the field and why, never a generic 400; nothing filed", async () => {
  const cases = [
    ["SpO2 -1", (n) => (n.symptoms.spo2_percent = -1), "number_out_of_range symptoms.spo2_percent"],
    ["SpO2 95.5", (n) => (n.symptoms.spo2_percent = 95.5), "not_whole_number symptoms.spo2_percent"],
    ["SpO2 abc", (n) => (n.symptoms.spo2_percent = "abc"), "not_a_number symptoms.spo2_percent"],
    ["SpO2 as text", (n) => (n.symptoms.spo2_percent = "95"), "not_a_number symptoms.spo2_percent"],
    ["SpO2 101", (n) => (n.symptoms.spo2_percent = 101), "number_out_of_range symptoms.spo2_percent"],
    ["SpO2 300 (beyond u8)", (n) => (n.symptoms.spo2_percent = 300), "number_out_of_range symptoms.spo2_percent"],
    ["dose age -3", (n) => { n.vaccination[0] = { status: "yes", age: -3 }; }, "number_out_of_range vaccination[0].age"],
    ["age months 12.5", (n) => (n.patient.age_at_diagnosis = { years: 0, months: 12.5 }), "not_whole_number patient.age_at_diagnosis.months"],
    ["onset date abc", (n) => (n.onset_date = "abc"), "not_a_date onset_date"],
    ["specimen date as a number", (n) => (n.tests[0].specimen_date = 20240101), "not_a_date tests[0].specimen_date"],
  ];
  for (const [label, edit, pair] of cases) {
    const n = newPatient();
    edit(n);
    const e = expectError(await file(doctor, n), 422, "VALIDATION_FAILED", label);
    assert.deepEqual(issuePairs(e), [pair], label);
    assert.ok(e.issues[0].message.length > 0, `${label}: message`);
  }
  // Two at once: each at its own field.
  const both = newPatient();
  both.symptoms.spo2_percent = -1;
  both.infection_date = "2024-99-01";
  assert.deepEqual(issuePairs(expectError(await file(doctor, both), 422, "VALIDATION_FAILED")),
    ["not_a_date infection_date", "number_out_of_range symptoms.spo2_percent"]);
  // The same answer for an edit of a filed notification.
  const filed = await file(doctor, newPatient());
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const record = await doctor.client.get(`/api/cases/${filed.body.id}`);
  const n = (await doctor.client.get(`/api/notifications/${filed.body.id}`)).body.notification;
  n.symptoms.spo2_percent = -1;
  const edit = await doctor.client.put(`/api/cases/${filed.body.id}/notification`, { version: record.body.version, notification: n, acknowledged_warnings: [] });
  assert.deepEqual(issuePairs(expectError(edit, 422, "VALIDATION_FAILED", "edit")), ["number_out_of_range symptoms.spo2_percent"]);
  const hcEdit = await hcShinjuku.client.put(`/api/cases/${filed.body.id}/notification`, { version: record.body.version, notification: n, acknowledged_warnings: [] });
  assert.deepEqual(issuePairs(expectError(hcEdit, 422, "VALIDATION_FAILED", "health center's edit")), ["number_out_of_range symptoms.spo2_percent"]);
});

test("bad bodies and paths on the other notification endpoints: 4xx with a stable code", async () => {
  const r = await file(doctor, newPatient());
  const id = r.body.id;
  const posts = [
    [hcShinjuku, `/api/notifications/${id}/transfer`],
    [doctor, "/api/notifications/duplicates"],
    [doctor, "/api/institution/doctors"],
  ];
  for (const [who, p] of posts) {
    for (const [label, body, status, code] of [
      ["malformed", "{", 400, "BAD_REQUEST"],
      ["array", "[1,2]", 400, "BAD_REQUEST"],
      ["wrong types", JSON.stringify({ health_center_id: 1, reason: [], furigana: {}, date_of_birth: 2, name: null }), 400, "BAD_REQUEST"],
      ["over 64 KB", JSON.stringify({ name: "x".repeat(70 * 1024) }), 413, "PAYLOAD_TOO_LARGE"],
    ]) {
      const res = await who.client.request("POST", p, body);
      expectError(res, status, code, `${p} ${label}`);
    }
  }
  for (const [method, p, status, code] of [
    ["PUT", "/api/notifications", 405, "METHOD_NOT_ALLOWED"],
    ["DELETE", `/api/notifications/${id}`, 405, "METHOD_NOT_ALLOWED"],
    ["POST", `/api/notifications/${id}`, 405, "METHOD_NOT_ALLOWED"],
    ["GET", `/api/notifications/${id}/transfer`, 405, "METHOD_NOT_ALLOWED"],
    ["GET", "/api/notifications/duplicates", 405, "METHOD_NOT_ALLOWED"],
    ["PATCH", "/api/institution/doctors/d_demo_shinjuku_2", 405, "METHOD_NOT_ALLOWED"],
    ["GET", "/api/notifications/%00", 404, "NOT_FOUND"],
    ["GET", "/api/notifications/'%20OR%201=1--", 404, "NOT_FOUND"],
    ["GET", `/api/notifications/${"n".repeat(3000)}`, 404, "NOT_FOUND"],
    ["GET", `/api/notifications/${id}/history`, 404, "NOT_FOUND"],
    ["POST", "/api/notifications/%E2%80%AE/transfer", 404, "NOT_FOUND"],
    ["DELETE", "/api/institution/doctors/%00", 404, "NOT_FOUND"],
    ["DELETE", "/api/institution/doctors/'%20OR%20'1'='1", 404, "NOT_FOUND"],
  ]) {
    const who = method === "POST" && p.endsWith("/transfer") ? hcShinjuku : doctor;
    const res = await who.client.request(method, p, method === "GET" || method === "DELETE" ? undefined : { health_center_id: "HC13112", reason: "x" });
    expectError(res, status, code, `${method} ${p.slice(0, 60)}`);
  }
  // The record is where it was and the doctors of the institution are all there.
  assert.equal((await doctor.client.get(`/api/notifications/${id}`)).body.health_center_id, "HC13104");
  const docs = (await doctor.client.get("/api/institution")).body.doctors.map((d) => d.id);
  assert.ok(docs.includes("d_demo_shinjuku_1") && docs.includes("d_demo_shinjuku_2"));
});

// ---- concurrency -----------------------------------------------------------------------------------------------------

test("ten concurrent submits of one key (a double tap on a bad connection) make one record", async () => {
  const key = freshKey();
  const n = newPatient();
  const burst = await Promise.all(Array.from({ length: 10 }, () => file(doctor, n, { key })));
  assert.ok(burst.every((r) => r.status === 201 || r.status === 200), burst.map((r) => r.status).join());
  assert.equal(new Set(burst.map((r) => r.body.id)).size, 1);
  assert.equal(burst.filter((r) => r.status === 201).length, 1);
});

test("forty concurrent filings: all filed, numbers unique, the audit chain sealed and intact", async () => {
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => file(i % 2 ? doctor : doctorSetagaya, newPatient({}, {}))));
  assert.ok(results.every((r) => r.status === 201), results.map((r) => `${r.status}`).join());
  assert.equal(new Set(results.map((r) => r.body.number)).size, 40);
  const v = await hcAdminShinjuku.client.get("/api/admin/audit/verify");
  assert.equal(v.status, 200);
  assert.equal(v.body.valid, true, JSON.stringify(v.body));
  assert.ok(v.body.entries > 40);
});

test("two transfers at once: one takes effect, the other is refused, never both", async () => {
  const r = await file(doctor, newPatient());
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const both = await Promise.all([0, 1].map((i) =>
    hcShinjuku.client.post(`/api/notifications/${r.body.id}/transfer`, { health_center_id: "HC13112", reason: `同時 ${i}` })));
  const statuses = both.map((x) => x.status).sort();
  assert.equal(statuses[0], 200, statuses.join());
  assert.ok([403, 409].includes(statuses[1]), statuses.join());
  const rec = await hcSetagaya.client.get(`/api/notifications/${r.body.id}`);
  assert.equal(rec.body.history.filter((e) => e.kind === "transferred").length, 1, JSON.stringify(rec.body.history));
  // The audit log records one transfer done, not two.
  const log = (await hcAdminShinjuku.client.get("/api/admin/audit")).body.entries;
  assert.equal(log.filter((e) => e.action === "notification_transfer" && e.target === r.body.id && e.outcome === "ok").length, 1);
  // The patient record went with it.
  const c = await hcSetagaya.client.get(`/api/cases/${r.body.id}`);
  assert.equal(c.body.health_center_id, "HC13112");
  assert.equal(c.body.can_change_status, true);
});

test("a refused body's values are not written to the worker's log", async () => {
  // A client sending a patient's name in the wrong field (e.g. after a form change) must not put it in the log.
  const marker = "漏洩 検出子";
  const b = { idempotency_key: freshKey(), notification: newPatient(), acknowledged_warnings: [] };
  b.notification.patient.sex = marker;
  expectError(await doctor.client.post("/api/notifications", b), 400, "BAD_REQUEST");
  const c = { idempotency_key: freshKey(), notification: newPatient(), acknowledged_warnings: [] };
  c.notification.patient.age_at_diagnosis = { years: marker };
  // A number field holding text is the field's own error; neither the answer nor the log repeats the value.
  const e = expectError(await doctor.client.post("/api/notifications", c), 422, "VALIDATION_FAILED");
  assert.deepEqual(issuePairs(e), ["not_a_number patient.age_at_diagnosis.years"]);
  assert.ok(!JSON.stringify(e).includes(marker), "the answer repeats the value");
  await sleep(500);
  assert.ok(!edge.log().includes(marker), `the log contains a submitted value:\n${edge.log().split("\n").filter((l) => l.includes(marker)).join("\n")}`);
});

test("afterwards: the worker answers, the audit chain is intact, and no patient name is in the worker's log", async () => {
  assert.equal((await fetch(`${edge.api}/api/health`)).status, 200);
  const v = await hcAdminShinjuku.client.get("/api/admin/audit/verify");
  assert.equal(v.status, 200);
  assert.equal(v.body.valid, true, JSON.stringify(v.body));
  const log = edge.log();
  for (const name of NAMES) assert.ok(!log.includes(name), `patient name ${name} in the log`);
});
