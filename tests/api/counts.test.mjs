// Counts by age band (issue 21) over HTTP against the real worker: a clinic's daily totals (every refusal names its
// field and stores nothing; idempotent PUTs, concurrent ones included; lateness by the server's clock), the health
// center's list of who reported, the count dashboards (notified + daily totals + confirmed antigen-kit
// self-registrations without double counting) per health center, prefecture and nation, and sentinel designations
// and weekly reports with their per-site figures.
//
// The server clock is moved to the regime's days (edge.setClock) before signing in; notifications are filed through
// the API with a diagnosis date of that day (rows are inserted directly only if the API refuses the form for that
// day: the count logic does not depend on the form version).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SHARDS, startEdge } from "../support/edge.mjs";
import { insertRecord } from "../support/shards.mjs";
import { Client, firstSignInAs } from "../support/softauthn.mjs";
import { patientCase, freshKey } from "../support/notification.mjs";

// The records of this file (all 東京都) live in the shard of 東京都.
const TOKYO = { db: SHARDS.tokyo };

const DAY = "2022-10-01";
const BANDS = ["0", "1-4", "5-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-89", "90-"];
const S_BANDS = ["0-9", "10-14", "15-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-"];
const band = (key, n, keys = BANDS) => keys.map((k) => (k === key ? n : 0));
const vec = (obj, keys = BANDS) => keys.map((k) => obj[k] ?? 0);

let edge;
const who = {};
const signInAll = async () => {
  for (const alias of ["doctor_shinjuku", "staff_shinjuku", "doctor_setagaya", "hc_staff_shinjuku", "hc_staff_setagaya", "pref_tokyo", "mhlw"]) {
    who[alias] = await firstSignInAs(edge, alias);
  }
};
const as = (alias, method, path, body) => new Client(edge).request(method, path, body, { cookie: who[alias].cookie });
const rows = (sql) => edge.d1(sql);
const countRows = (table) => rows(`SELECT COUNT(*) AS n FROM ${table}`)[0].n;

/** A notification of the clinic of `alias` diagnosed on `day`, patient born `dob`. */
async function fileOn(alias, day, dob, n) {
  const notification = patientCase(
    { name: `日次 ${n}号`, furigana: `ニチジ ${"ア".repeat(n)}`, date_of_birth: dob, phone: `090-3333-${String(1000 + n)}` },
    { report_date: day, diagnosis_date: day, first_visit_date: day, onset_date: day, tests: [{ method: "nucleic_acid", specimen: "nasopharyngeal_swab", specimen_date: day, result: "positive" }] },
  );
  const r = await as(alias, "POST", "/api/notifications", { idempotency_key: freshKey(), notification, acknowledged_warnings: [] });
  if (r.status === 201) return r.body.id;
  // Another engineer's regime check may refuse the full form on this day: the row the count reads, inserted.
  const inst = alias.includes("setagaya") ? "inst_demo_setagaya" : "inst_demo_shinjuku";
  const hc = alias.includes("setagaya") ? "HC13112" : "HC13104";
  const id = `n_counts_${n}`;
  insertRecord(edge, { id, sql: (seq) => `INSERT INTO notifications (seq, id, form_version, body, category, patient_name, furigana_key, date_of_birth, phone_digits, institution_id, filed_by_user_id, filed_at, pref_code, health_center_id, routing_reason) VALUES (${seq}, '${id}', '2021-11-29', '${JSON.stringify({ version: "2021-11-29", diagnosis_date: day, report_date: day })}', 'confirmed_patient', 'x', 'x', '${dob}', '', '${inst}', '${who[alias].user.id}', ${Date.now()}, '13', '${hc}', 'test')` });
  return id;
}

before(async () => {
  edge = await startEdge({ seedDemo: true });
  // 2022-10-02 09:30 JST: the day after DAY, before its deadline (10:00).
  await edge.setClock(Date.parse("2022-10-02T00:30:00Z") - Date.now());
  await signInAll();
  await fileOn("doctor_shinjuku", DAY, "1950-05-01", 1); // 72 → 70代
  await fileOn("doctor_shinjuku", DAY, "1990-01-01", 2); // 32 → 30代
  await fileOn("staff_shinjuku", DAY, "1990-02-02", 3); // 32 → 30代
  await fileOn("doctor_setagaya", DAY, "2000-01-01", 4); // 22 → 20代
});
after(async () => {
  await edge?.setClock(0).catch(() => {});
  await edge?.stop();
});

function refused(r, status, code, field, what) {
  assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error.code, code, what);
  assert.ok(r.body.error.message.length > 0, what);
  if (field) assert.ok(r.body.error.issues.some((i) => i.field === field), `${what}: names ${field}: ${JSON.stringify(r.body.error.issues)}`);
}

test("the clinic's day starts from its notified cases by band, with the deadline", async () => {
  const r = await as("doctor_shinjuku", "GET", `/api/daily-totals/${DAY}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.notified, vec({ "30-39": 2, "70-79": 1 }));
  assert.equal(r.body.report, null);
  assert.equal(r.body.deadline, "2022-10-02 10:00");
  assert.equal(r.body.late_now, false);
  assert.equal(r.body.institution_name, "新宿みなみクリニック");
  assert.equal(r.body.health_center_name, "新宿区保健所");
});

test("every refusal names its field, stores nothing, and is never a 5xx", async () => {
  const put = (alias, day, body) => as(alias, "PUT", `/api/daily-totals/${day}`, body);
  const cases = [
    ["below notified", put("doctor_shinjuku", DAY, { counts: { "30-39": 1, "70-79": 1 } }), 422, "COUNT_BELOW_NOTIFIED", "counts.30-39"],
    ["band left out below notified", put("doctor_shinjuku", DAY, { counts: { "30-39": 2 } }), 422, "COUNT_BELOW_NOTIFIED", "counts.70-79"],
    ["negative", put("doctor_shinjuku", DAY, { counts: { "0": -1, "30-39": 2, "70-79": 1 } }), 422, "VALIDATION_FAILED", "counts.0"],
    ["absurd", put("doctor_shinjuku", DAY, { counts: { "0": 10000, "30-39": 2, "70-79": 1 } }), 422, "VALIDATION_FAILED", "counts.0"],
    ["fraction", put("doctor_shinjuku", DAY, { counts: { "1-4": 1.5, "30-39": 2, "70-79": 1 } }), 422, "VALIDATION_FAILED", "counts.1-4"],
    ["text", put("doctor_shinjuku", DAY, { counts: { "1-4": "three", "30-39": 2, "70-79": 1 } }), 422, "VALIDATION_FAILED", "counts.1-4"],
    ["unknown band", put("doctor_shinjuku", DAY, { counts: { "100-": 1, "30-39": 2, "70-79": 1 } }), 422, "VALIDATION_FAILED", "counts.100-"],
    ["a future day", put("doctor_shinjuku", "2022-10-03", { counts: {} }), 422, "DAY_IN_FUTURE", "day"],
    ["a day before the regime", put("doctor_shinjuku", "2022-09-25", { counts: {} }), 422, "DAY_OUTSIDE_REGIME", "day"],
    ["not a date", put("doctor_shinjuku", "2022-13-01", { counts: {} }), 422, "VALIDATION_FAILED", "day"],
    ["another clinic", put("doctor_shinjuku", DAY, { institution_id: "inst_demo_setagaya", counts: { "30-39": 2, "70-79": 1 } }), 403, "OTHER_INSTITUTION", "institution_id"],
    ["a health center", put("hc_staff_shinjuku", DAY, { counts: {} }), 403, "FORBIDDEN", null],
    ["national staff", put("mhlw", DAY, { counts: {} }), 403, "FORBIDDEN", null],
    ["an unknown member", put("doctor_shinjuku", DAY, { counts: {}, extra: 1 }), 400, "BAD_REQUEST", null],
    ["counts not an object", put("doctor_shinjuku", DAY, { counts: [1, 2] }), 400, "BAD_REQUEST", null],
  ];
  for (const [what, pending, status, code, field] of cases) refused(await pending, status, code, field, what);
  const stranger = await new Client(edge).put(`/api/daily-totals/${DAY}`, { counts: {} });
  refused(stranger, 401, "UNAUTHENTICATED", null, "no session");
  assert.equal(countRows("daily_totals"), 0, "nothing stored");
  assert.equal(countRows("daily_total_versions"), 0, "no history");
});

test("a PUT is idempotent: the same counts twice, and ten at once, leave one row and one version", async () => {
  const counts = { "20-29": 2, "30-39": 3, "70-79": 1 };
  const first = await as("doctor_shinjuku", "PUT", `/api/daily-totals/${DAY}`, { counts });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.changed, true);
  assert.deepEqual(first.body.report.counts, vec(counts));
  assert.equal(first.body.report.total, 6);
  assert.equal(first.body.report.version, 1);
  assert.equal(first.body.report.late, false);
  const again = await as("staff_shinjuku", "PUT", `/api/daily-totals/${DAY}`, { institution_id: "inst_demo_shinjuku", counts });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.changed, false);
  assert.equal(again.body.report.version, 1);
  const ten = await Promise.all(Array.from({ length: 10 }, () => as("doctor_shinjuku", "PUT", `/api/daily-totals/${DAY}`, { counts })));
  assert.deepEqual(ten.map((r) => r.status), Array(10).fill(200));
  assert.ok(ten.every((r) => r.body.changed === false && r.body.report.version === 1));
  assert.equal(countRows("daily_totals"), 1);
  assert.equal(countRows("daily_total_versions"), 1);
  // Ten different ones at once (the same day): one row; each change one version.
  const many = await Promise.all([2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) =>
    as("doctor_shinjuku", "PUT", `/api/daily-totals/2022-09-30`, { counts: { "40-49": n } })));
  assert.deepEqual(many.map((r) => r.status), Array(10).fill(200));
  assert.equal(rows("SELECT COUNT(*) AS n FROM daily_totals WHERE day = '2022-09-30'")[0].n, 1);
  const v = rows("SELECT MAX(version) AS v, COUNT(*) AS n FROM daily_total_versions WHERE day = '2022-09-30'")[0];
  assert.equal(v.v, v.n, "every version kept");
  assert.equal(v.n, many.filter((r) => r.body.changed).length);
  // A zero report is taken (a correction to none).
  const zero = await as("doctor_setagaya", "PUT", `/api/daily-totals/2022-09-30`, { counts: {} });
  assert.equal(zero.status, 200, JSON.stringify(zero.body));
  assert.equal(zero.body.report.total, 0);
  const got = await as("doctor_shinjuku", "GET", `/api/daily-totals/${DAY}`);
  assert.deepEqual(got.body.report.counts, vec(counts));
});

test("the health center sees which clinics reported, with totals; the prefecture sees its health centers'", async () => {
  const sj = await as("hc_staff_shinjuku", "GET", `/api/daily-totals/status/${DAY}`);
  assert.equal(sj.status, 200, JSON.stringify(sj.body));
  assert.deepEqual(sj.body.clinics.map((c) => c.institution_id), ["inst_demo_shinjuku"]);
  assert.equal(sj.body.clinics[0].report.total, 6);
  assert.equal(sj.body.clinics[0].notified, 3);
  assert.equal(sj.body.clinics[0].report.late, false);
  const sg = await as("hc_staff_setagaya", "GET", `/api/daily-totals/status/${DAY}`);
  assert.deepEqual(sg.body.clinics.map((c) => [c.institution_id, c.report, c.notified]), [["inst_demo_setagaya", null, 1]]);
  const pref = await as("pref_tokyo", "GET", `/api/daily-totals/status/${DAY}`);
  assert.deepEqual(pref.body.clinics.map((c) => c.institution_id).sort(), ["inst_demo_setagaya", "inst_demo_shinjuku"]);
  for (const alias of ["mhlw", "doctor_shinjuku"]) {
    refused(await as(alias, "GET", `/api/daily-totals/status/${DAY}`), 403, "FORBIDDEN", null, alias);
  }
  refused(await as("hc_staff_shinjuku", "GET", "/api/daily-totals/status/2022-09-01"), 422, "DAY_OUTSIDE_REGIME", "day", "before");
});

test("the count dashboard: notified + daily totals + confirmed antigen-kit self-registrations, no double counting", async () => {
  // Self-registrations (another engineer's table): a confirmed antigen kit counts; a clinic's diagnosis (in its
  // daily total) and a pending one do not.
  // A confirmed one names the record its confirmation made (the count reads live records only).
  const reg = (n, kind, status, dob, hc) => {
    const caseId = status === "confirmed" ? `'c_sr_${n}'` : "NULL";
    if (status === "confirmed") {
      insertRecord(edge, { id: `c_sr_${n}`, sql: (seq) => `INSERT INTO cases (seq, id, smartphone_id, health_center_id, pref_code, name, name_key, date_of_birth, filed_at, created_at, created_by_user_id, updated_at, updated_by_user_id) VALUES (${seq}, 'c_sr_${n}', '90000000${n}0', '${hc}', '13', 'x', 'x', '${dob}', 0, 0, 'u_demo_pref_tokyo', 0, 'u_demo_pref_tokyo')` });
    }
    edge.d1(`INSERT INTO self_registrations (id, receipt, client_key, dedupe_key, pref_code, health_center_id, municipality_code, name, furigana, date_of_birth, sex, phone, postal_code, address, result_kind, result_date, timeline_version, consent_version, registered_at, status, case_id) VALUES ('sr_${n}', 'R${n}', 'ck_${n}', 'dk_${n}', '13', '${hc}', '131041', 'x', 'x', '${dob}', 'female', '', '', '', '${kind}', '${DAY}', '2023-05-08', 'v1', 0, '${status}', ${caseId})`, TOKYO);
  };
  reg(1, "antigen_kit", "confirmed", "2010-05-05", "HC13104"); // 12 → 10代
  reg(2, "clinic_diagnosis", "confirmed", "2010-05-05", "HC13104");
  reg(3, "antigen_kit", "pending", "2010-05-05", "HC13104");
  reg(4, "antigen_kit", "confirmed", "1940-01-01", "HC13112"); // 82 → 80代
  const q = `/api/counts?from=2022-09-30&to=${DAY}`;
  const sj = await as("hc_staff_shinjuku", "GET", q);
  assert.equal(sj.status, 200, JSON.stringify(sj.body));
  assert.equal(sj.body.area, "health_center");
  const d = sj.body.days.find((x) => x.day === DAY);
  // The clinic reported: its 3 notified cases are inside its total of 6, not added again.
  assert.deepEqual(d.notified, band("0", 0));
  assert.deepEqual(d.daily_totals, vec({ "20-29": 2, "30-39": 3, "70-79": 1 }));
  assert.deepEqual(d.self_registered, band("10-19", 1));
  assert.deepEqual(d.sum, vec({ "10-19": 1, "20-29": 2, "30-39": 3, "70-79": 1 }));
  assert.equal(d.total, 7);
  const sg = await as("hc_staff_setagaya", "GET", q);
  const e = sg.body.days.find((x) => x.day === DAY);
  // Setagaya's clinic did not report: its notified case counts.
  assert.deepEqual(e.notified, band("20-29", 1));
  assert.deepEqual(e.self_registered, band("80-89", 1));
  assert.equal(e.total, 2);
  for (const alias of ["pref_tokyo", "mhlw"]) {
    const r = await as(alias, "GET", q);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const x = r.body.days.find((y) => y.day === DAY);
    assert.equal(x.total, 9, alias);
    assert.deepEqual(x.sum, vec({ "10-19": 1, "20-29": 3, "30-39": 3, "70-79": 1, "80-89": 1 }), alias);
  }
  // A case notified after the clinic sent its total (the total is now below it in 70代): the dashboard counts what
  // the total misses, per band, as notified — the total never hides a notified case (review finding).
  await fileOn("doctor_shinjuku", DAY, "1950-06-01", 5);
  const late = (await as("hc_staff_shinjuku", "GET", q)).body.days.find((x) => x.day === DAY);
  assert.deepEqual(late.notified, band("70-79", 1));
  assert.deepEqual(late.daily_totals, vec({ "20-29": 2, "30-39": 3, "70-79": 1 }));
  assert.equal(late.total, 8);
  edge.d1("DELETE FROM notifications WHERE id = 'n_counts_5' OR patient_name = '日次 5号'", TOKYO);
  refused(await as("doctor_shinjuku", "GET", q), 403, "FORBIDDEN", null, "a clinic");
  refused(await as("pref_tokyo", "GET", "/api/counts?from=2022-01-01&to=2022-12-31"), 422, "VALIDATION_FAILED", "from", "too long");
  refused(await as("pref_tokyo", "GET", "/api/counts?from=2022-10-05&to=2022-10-01"), 422, "VALIDATION_FAILED", "from", "reversed");
  refused(await as("pref_tokyo", "GET", "/api/counts?from=x"), 422, "VALIDATION_FAILED", "from", "not a date");
});

test("late: first sent or changed after 10:00 JST the next day (the server's clock)", async () => {
  // 2022-10-02 10:00:01 JST.
  await edge.setClock(Date.parse("2022-10-02T01:00:01Z") - Date.now());
  await signInAll(); // half an hour on: the sessions went idle
  const view = await as("doctor_shinjuku", "GET", `/api/daily-totals/${DAY}`);
  assert.equal(view.body.late_now, true);
  // Unchanged: stays on time.
  const same = await as("doctor_shinjuku", "PUT", `/api/daily-totals/${DAY}`, { counts: { "20-29": 2, "30-39": 3, "70-79": 1 } });
  assert.equal(same.body.changed, false);
  assert.equal(same.body.report.late, false);
  const changed = await as("doctor_shinjuku", "PUT", `/api/daily-totals/${DAY}`, { counts: { "20-29": 2, "30-39": 4, "70-79": 1 } });
  assert.equal(changed.body.changed, true);
  assert.equal(changed.body.report.late, true);
  assert.equal(changed.body.report.version, 2);
  const first = await as("doctor_setagaya", "PUT", `/api/daily-totals/${DAY}`, { counts: { "20-29": 1 } });
  assert.equal(first.body.report.late, true);
  const onTime = await as("doctor_setagaya", "PUT", "/api/daily-totals/2022-10-02", { counts: { "0": 1 } });
  assert.equal(onTime.body.report.late, false);
  const status = await as("pref_tokyo", "GET", `/api/daily-totals/status/${DAY}`);
  assert.deepEqual(status.body.clinics.map((c) => [c.institution_id, c.report.late]).sort(), [["inst_demo_setagaya", true], ["inst_demo_shinjuku", true]]);
  assert.equal(rows(`SELECT COUNT(*) AS n FROM daily_total_versions WHERE day = '${DAY}' AND institution_id = 'inst_demo_shinjuku'`)[0].n, 2, "the earlier version kept");
});

test("sentinel: designation by the health center, weekly reports by designated clinics, per-site figures", async () => {
  // Thursday 2023-06-01 12:00 JST; sessions of 2022 have expired.
  await edge.setClock(Date.parse("2023-06-01T03:00:00Z") - Date.now());
  await signInAll();
  refused(await as("doctor_shinjuku", "PUT", "/api/daily-totals/2023-05-08", { counts: {} }), 422, "DAY_OUTSIDE_REGIME", "day", "a daily total after the regime");
  const designate = (alias, institution_id, from_week) => as(alias, "POST", "/api/sentinel/sites", { institution_id, from_week });
  refused(await designate("doctor_shinjuku", "inst_demo_shinjuku", "2023-05-08"), 403, "FORBIDDEN", null, "a clinic designating");
  refused(await designate("pref_tokyo", "inst_demo_shinjuku", "2023-05-08"), 403, "FORBIDDEN", null, "the prefecture designating");
  refused(await designate("hc_staff_shinjuku", "inst_demo_setagaya", "2023-05-08"), 403, "FORBIDDEN", "institution_id", "another area's clinic");
  refused(await designate("hc_staff_shinjuku", "inst_demo_shinjuku", "2023-05-09"), 422, "NOT_WEEK_START", "from_week", "not a Monday");
  refused(await designate("hc_staff_shinjuku", "inst_demo_shinjuku", "2023-05-01"), 422, "DAY_OUTSIDE_REGIME", "from_week", "before sentinel");
  assert.equal(countRows("sentinel_sites"), 0);
  assert.equal((await designate("hc_staff_shinjuku", "inst_demo_shinjuku", "2023-05-08")).status, 201);
  refused(await designate("hc_staff_shinjuku", "inst_demo_shinjuku", "2023-05-15"), 409, "CONFLICT", "institution_id", "twice");
  assert.equal((await designate("hc_staff_setagaya", "inst_demo_setagaya", "2023-05-15")).status, 201);
  const sites = await as("pref_tokyo", "GET", "/api/sentinel/sites");
  assert.deepEqual(sites.body.sites.map((s) => [s.institution_id, s.from_week]).sort(), [["inst_demo_setagaya", "2023-05-15"], ["inst_demo_shinjuku", "2023-05-08"]]);

  const put = (alias, week, body) => as(alias, "PUT", `/api/sentinel/reports/${week}`, body);
  const refusals = [
    ["not a Monday", put("doctor_shinjuku", "2023-05-16", { counts: {} }), 422, "NOT_WEEK_START", "week"],
    ["before 2023-05-08", put("doctor_shinjuku", "2023-05-01", { counts: {} }), 422, "DAY_OUTSIDE_REGIME", "week"],
    ["a future week", put("doctor_shinjuku", "2023-06-05", { counts: {} }), 422, "DAY_IN_FUTURE", "week"],
    ["not designated that week", put("doctor_setagaya", "2023-05-08", { counts: {} }), 403, "NOT_SENTINEL_SITE", "institution_id"],
    ["another clinic", put("doctor_shinjuku", "2023-05-15", { institution_id: "inst_demo_setagaya", counts: {} }), 403, "OTHER_INSTITUTION", "institution_id"],
    ["negative", put("doctor_shinjuku", "2023-05-15", { counts: { "0-9": -2 } }), 422, "VALIDATION_FAILED", "counts.0-9"],
    ["absurd", put("doctor_shinjuku", "2023-05-15", { counts: { "80-": 1e6 } }), 422, "VALIDATION_FAILED", "counts.80-"],
    ["a daily band", put("doctor_shinjuku", "2023-05-15", { counts: { "1-4": 1 } }), 422, "VALIDATION_FAILED", "counts.1-4"],
    ["a health center", put("hc_staff_shinjuku", "2023-05-15", { counts: {} }), 403, "FORBIDDEN", null],
  ];
  for (const [what, pending, status, code, field] of refusals) refused(await pending, status, code, field, what);
  assert.equal(countRows("sentinel_reports"), 0, "nothing stored");

  const week = await as("doctor_shinjuku", "GET", "/api/sentinel/reports/2023-05-15");
  assert.equal(week.status, 200, JSON.stringify(week.body));
  assert.equal(week.body.designated, true);
  assert.equal(week.body.deadline, "2023-05-23 23:59");
  assert.equal(week.body.late_now, true);
  const sj = { "0-9": 4, "20-29": 2 };
  const a = await put("doctor_shinjuku", "2023-05-15", { counts: sj });
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.equal(a.body.changed, true);
  assert.equal(a.body.report.late, true);
  const twice = await Promise.all(Array.from({ length: 5 }, () => put("staff_shinjuku", "2023-05-15", { counts: sj })));
  assert.ok(twice.every((r) => r.status === 200 && r.body.changed === false));
  assert.equal(countRows("sentinel_reports"), 1);
  assert.equal(countRows("sentinel_report_versions"), 1);
  const onTime = await put("doctor_shinjuku", "2023-05-29", { counts: { "30-39": 1 } });
  assert.equal(onTime.body.report.late, false);
  assert.equal((await put("doctor_setagaya", "2023-05-15", { counts: { "80-": 2 } })).status, 200);
  // Setagaya's designation ends after the week of 05-15: the next week is refused.
  refused(await as("hc_staff_setagaya", "POST", "/api/sentinel/sites/inst_demo_setagaya/end", { last_week: "2023-05-09" }), 422, "NOT_WEEK_START", "last_week", "end not a Monday");
  refused(await as("hc_staff_shinjuku", "POST", "/api/sentinel/sites/inst_demo_setagaya/end", { last_week: "2023-05-15" }), 403, "FORBIDDEN", "institution_id", "another area ends");
  assert.equal((await as("hc_staff_setagaya", "POST", "/api/sentinel/sites/inst_demo_setagaya/end", { last_week: "2023-05-15" })).status, 204);
  refused(await as("hc_staff_setagaya", "POST", "/api/sentinel/sites/inst_demo_setagaya/end", { last_week: "2023-05-22" }), 404, "NOT_FOUND", "last_week", "ended already");
  refused(await put("doctor_setagaya", "2023-05-22", { counts: {} }), 403, "NOT_SENTINEL_SITE", "institution_id", "after the end");

  const q = "/api/counts?from=2023-05-08&to=2023-05-31";
  const pref = await as("pref_tokyo", "GET", q);
  assert.equal(pref.status, 200, JSON.stringify(pref.body));
  const w = Object.fromEntries(pref.body.weeks.map((x) => [x.week, x]));
  assert.deepEqual(Object.keys(w), ["2023-05-08", "2023-05-15", "2023-05-22", "2023-05-29"]);
  assert.deepEqual([w["2023-05-08"].sites, w["2023-05-08"].reported, w["2023-05-08"].per_site_x100], [1, 0, null]);
  // (6 + 2) / 2 sites that reported = 4.00 per site.
  assert.deepEqual([w["2023-05-15"].sites, w["2023-05-15"].reported, w["2023-05-15"].total, w["2023-05-15"].per_site_x100], [2, 2, 8, 400]);
  assert.deepEqual(w["2023-05-15"].counts, vec({ "0-9": 4, "20-29": 2, "80-": 2 }, S_BANDS));
  assert.deepEqual([w["2023-05-22"].sites, w["2023-05-22"].reported], [1, 0]);
  assert.deepEqual([w["2023-05-29"].reported, w["2023-05-29"].per_site_x100], [1, 100]);
  const hc = await as("hc_staff_shinjuku", "GET", q);
  assert.deepEqual(hc.body.weeks.map((x) => [x.week, x.sites, x.reported, x.total]), [["2023-05-08", 1, 0, 0], ["2023-05-15", 1, 1, 6], ["2023-05-22", 1, 0, 0], ["2023-05-29", 1, 1, 1]]);
  const nation = await as("mhlw", "GET", q);
  assert.equal(nation.body.weeks.find((x) => x.week === "2023-05-15").per_site_x100, 400);
  // A new designation may not overlap an ended one (each week's report would be counted twice): from 2023-05-15,
  // inside the ended one, refused; from 2023-05-22, after it, made.
  refused(await designate("hc_staff_setagaya", "inst_demo_setagaya", "2023-05-15"), 409, "CONFLICT", "institution_id", "overlapping an ended designation");
  assert.equal((await designate("hc_staff_setagaya", "inst_demo_setagaya", "2023-05-22")).status, 201);
  const again = Object.fromEntries((await as("pref_tokyo", "GET", q)).body.weeks.map((x) => [x.week, x]));
  assert.deepEqual([again["2023-05-15"].sites, again["2023-05-15"].total], [2, 8], "the week of the ended designation counted once");
});

test("the audit log holds every count read and write, by id only", async () => {
  const actions = rows("SELECT action, outcome, target FROM audit_log WHERE action LIKE 'daily%' OR action LIKE 'sentinel%' OR action = 'counts_read'");
  const seen = new Set(actions.map((a) => a.action));
  for (const a of ["daily_totals_read", "daily_totals_put", "daily_status_read", "sentinel_designate", "sentinel_end", "sentinel_sites_read", "sentinel_report_read", "sentinel_report_put", "counts_read"]) {
    assert.ok(seen.has(a), a);
  }
  assert.ok(actions.some((a) => a.action === "daily_totals_put" && a.outcome === "unchanged"));
  assert.ok(actions.some((a) => a.action === "daily_totals_put" && a.outcome === "invalid"));
  assert.ok(!actions.some((a) => /日次|ニチジ/.test(a.target ?? "")));
});
