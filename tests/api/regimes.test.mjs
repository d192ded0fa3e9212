// The notification by regime (issue 21) over HTTP against the real worker, its clock moved to 2022-10-01 (JST):
// the form revision must be the one of the case's own diagnosis date (the limited form of 2022-09-26 from
// 2022-09-26 to 2023-05-07, the full one before and after), the limited form's four groups (65+ checked against
// the birth date, pregnancy refused for a man, at least one group unless a body was examined), nothing stored on
// a refusal, never a 5xx, and a filed notification keeps its revision when edited.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SHARDS, startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { confirmedCase, freshKey } from "../support/notification.mjs";

// The records of this file (all 東京都) live in the shard of 東京都.
const TOKYO = { db: SHARDS.tokyo };

let edge;
let doctor; // clinic_doctor, 新宿みなみクリニック

/** A confirmed case with every date on `day`, born on `dob`, on form `version`, with `groups` ticked. */
function caseOn(day, { version, dob = "1980-01-15", sex = "male", groups, name, overrides = {} } = {}) {
  const n = confirmedCase({
    version,
    report_date: day,
    first_visit_date: day,
    diagnosis_date: day,
    onset_date: day,
    tests: [{ method: "nucleic_acid", specimen: "nasopharyngeal_swab", specimen_date: day, result: "positive" }],
    patient: { name, sex, date_of_birth: dob },
    ...overrides,
  });
  if (sex === "female") n.other.pregnant = "no";
  if (groups) n.target_groups = groups;
  return n;
}

let patients = 0;
const nextName = () => `制度 患者${String(++patients).padStart(3, "0")}`;

const file = (notification, key = freshKey()) =>
  doctor.client.post("/api/notifications", { idempotency_key: key, notification, acknowledged_warnings: [] });

// Notifications in every database: a refusal stores none anywhere.
const count = () => edge.d1All("SELECT COUNT(*) AS n FROM notifications").reduce((n, r) => n + r.n, 0);

/** Asserts a refusal at `field` with `code`, nothing stored. */
async function refused(n, code, field) {
  const before = count();
  const r = await file(n);
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.equal(r.body.error.code, "VALIDATION_FAILED");
  const issue = r.body.error.issues.find((i) => i.code === code);
  assert.ok(issue, `${code} in ${JSON.stringify(r.body.error.issues)}`);
  assert.equal(issue.field, field);
  assert.match(issue.message, /[\u3040-\u30ff\u4e00-\u9fff]/);
  assert.equal(count(), before, "nothing stored");
  return issue;
}

async function filed(n) {
  const r = await file(n);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

before(async () => {
  edge = await startEdge({ seedDemo: true });
  doctor = await firstSignInAs(edge, "doctor@shinjuku-clinic.demo");
  // 2022-10-01 10:00 JST.
  await edge.setClock(Date.parse("2022-10-01T01:00:00Z") - Date.now());
});
after(async () => {
  await edge?.stop();
});

test("a 70-year-old diagnosed on 2022-10-01 files on the limited form with group (1); the full form is refused at diagnosis_date", async () => {
  const name = nextName();
  const full = caseOn("2022-10-01", { version: "2021-11-29", dob: "1952-05-01", name });
  const issue = await refused(full, "form_version_not_for_date", "diagnosis_date");
  assert.match(issue.message, /届出の対象を限定した発生届/);
  const limited = caseOn("2022-10-01", { version: "2022-09-26", dob: "1952-05-01", name, groups: { aged_65_or_over: true } });
  const f = await filed(limited);
  const stored = (await doctor.client.get(`/api/notifications/${f.id}`)).body.notification;
  assert.equal(stored.version, "2022-09-26");
  assert.deepEqual(stored.target_groups, { aged_65_or_over: true, needs_admission: false, risk_needs_treatment_drug: false, risk_needs_new_oxygen: false, pregnant: false });
  assert.equal(edge.d1(`SELECT form_version FROM notifications WHERE id = '${f.id}'`, TOKYO)[0].form_version, "2022-09-26");
  // What a filing writes to the record still works: the record opens with the patient's name.
  const rec = await doctor.client.get(`/api/cases/${f.id}`);
  assert.equal(rec.status, 200, JSON.stringify(rec.body));
  assert.equal(rec.body.name, name);
});

test("a 70-year-old without group (1) ticked is refused at that group", async () => {
  await refused(caseOn("2022-10-01", { version: "2022-09-26", dob: "1952-05-01", name: nextName(), groups: { needs_admission: true } }),
    "target_group_aged_65_unticked", "target_groups.aged_65_or_over");
});

test("a 30-year-old in no group is refused (counted in the daily totals instead); with group (2) it files", async () => {
  const name = nextName();
  const issue = await refused(caseOn("2022-10-01", { version: "2022-09-26", dob: "1992-05-01", name }), "not_notifiable", "target_groups");
  assert.match(issue.message, /日次報告/);
  await refused(caseOn("2022-10-01", { version: "2022-09-26", dob: "1992-05-01", name, groups: { aged_65_or_over: true, needs_admission: true } }),
    "target_group_age_under_65", "target_groups.aged_65_or_over");
  await filed(caseOn("2022-10-01", { version: "2022-09-26", dob: "1992-05-01", name, groups: { needs_admission: true } }));
});

test("each group (3) option and group (4) for a woman file; group (4) for a man is refused", async () => {
  await filed(caseOn("2022-10-01", { version: "2022-09-26", dob: "1990-03-03", name: nextName(), groups: { risk_needs_treatment_drug: true } }));
  await filed(caseOn("2022-10-01", { version: "2022-09-26", dob: "1990-03-03", name: nextName(), groups: { risk_needs_new_oxygen: true } }));
  await filed(caseOn("2022-10-01", { version: "2022-09-26", dob: "1990-03-03", sex: "female", name: nextName(), groups: { pregnant: true } }));
  await refused(caseOn("2022-10-01", { version: "2022-09-26", dob: "1990-03-03", name: nextName(), groups: { pregnant: true } }),
    "target_group_pregnant_not_applicable", "target_groups.pregnant");
});

test("a diagnosis on 2022-09-25 files on the full form and is refused on the limited one", async () => {
  await filed(caseOn("2022-09-25", { version: "2021-11-29", dob: "1992-05-01", name: nextName() }));
  const issue = await refused(caseOn("2022-09-25", { version: "2022-09-26", dob: "1992-05-01", name: nextName(), groups: { needs_admission: true } }),
    "form_version_not_for_date", "diagnosis_date");
  assert.match(issue.message, /2021年11月29日の様式/);
  await refused(caseOn("2022-09-25", { version: "2021-11-29", dob: "1992-05-01", name: nextName(), groups: { needs_admission: true } }),
    "target_groups_only_on_limited_form", "target_groups");
});

test("a death examination on the limited form needs no group", async () => {
  const n = caseOn("2022-10-01", { version: "2022-09-26", dob: "1992-05-01", name: nextName(), overrides: { category: "deceased_patient", death_date: "2022-09-30" } });
  delete n.onset_date;
  delete n.first_visit_date;
  await filed(n);
});

test("odd 届出の対象 values are 4xx with a stable code and store nothing", async () => {
  const before = count();
  const base = caseOn("2022-10-01", { version: "2022-09-26", dob: "1952-05-01", name: nextName() });
  for (const groups of [["aged_65_or_over"], "aged_65_or_over", { aged_65_or_over: "yes" }, { aged_65_or_over: 1 }, { aged_70: true }, null]) {
    const r = await file({ ...base, target_groups: groups });
    assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(groups)}: ${r.status}`);
    assert.match(r.body.error.code, /^[A-Z_]+$/);
  }
  // A group named twice: refused by the parser, not merged.
  const text = JSON.stringify({ idempotency_key: freshKey(), notification: { ...base, target_groups: { aged_65_or_over: true } }, acknowledged_warnings: [] })
    .replace('"target_groups":{"aged_65_or_over":true}', '"target_groups":{"aged_65_or_over":true,"aged_65_or_over":true}');
  assert.match(text, /"aged_65_or_over":true,"aged_65_or_over":true/);
  const r = await fetch(`${edge.api}/api/notifications`, { method: "POST", headers: { "content-type": "application/json", origin: edge.api, cookie: doctor.cookie }, body: text });
  assert.ok(r.status >= 400 && r.status < 500, `duplicate: ${r.status}`);
  assert.equal(count(), before);
});

test("a filed limited notification keeps its revision when edited", async () => {
  const name = nextName();
  const f = await filed(caseOn("2022-10-01", { version: "2022-09-26", dob: "1952-05-01", name, groups: { aged_65_or_over: true } }));
  const rec = (await doctor.client.get(`/api/cases/${f.id}`)).body;
  const n = (await doctor.client.get(`/api/notifications/${f.id}`)).body.notification;
  // On the other revision: refused, with both reasons at the diagnosis date.
  const other = { ...structuredClone(n), version: "2021-11-29" };
  delete other.target_groups;
  const r1 = await doctor.client.put(`/api/cases/${f.id}/notification`, { version: rec.version, notification: other });
  assert.equal(r1.status, 422, JSON.stringify(r1.body));
  const codes = r1.body.error.issues.map((i) => `${i.code} ${i.field}`).sort();
  assert.deepEqual(codes, ["form_version_changed diagnosis_date", "form_version_not_for_date diagnosis_date"]);
  // Its own rules still apply to an edit: unticking every group is refused.
  const none = structuredClone(n);
  none.target_groups = {};
  const r2 = await doctor.client.put(`/api/cases/${f.id}/notification`, { version: rec.version, notification: none });
  assert.equal(r2.status, 422, JSON.stringify(r2.body));
  assert.ok(r2.body.error.issues.some((i) => i.code === "target_group_aged_65_unticked"));
  const good = structuredClone(n);
  good.target_groups.needs_admission = true;
  const r3 = await doctor.client.put(`/api/cases/${f.id}/notification`, { version: rec.version, notification: good });
  assert.equal(r3.status, 200, JSON.stringify(r3.body));
  const stored = (await doctor.client.get(`/api/notifications/${f.id}`)).body.notification;
  assert.equal(stored.version, "2022-09-26");
  assert.equal(stored.target_groups.needs_admission, true);
});

test("from 2023-05-08 the full form files again (voluntary)", async () => {
  await edge.setClock(Date.parse("2023-05-10T01:00:00Z") - Date.now());
  try {
    await filed(caseOn("2023-05-08", { version: "2021-11-29", dob: "1992-05-01", name: nextName() }));
    await refused(caseOn("2023-05-07", { version: "2021-11-29", dob: "1992-05-01", name: nextName() }), "form_version_not_for_date", "diagnosis_date");
  } finally {
    await edge.setClock(Date.parse("2022-10-01T01:00:00Z") - Date.now());
  }
});
