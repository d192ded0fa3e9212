// Exports (issue 22) over HTTP against the real worker: `POST /api/exports/preview` and `/api/exports/download`.
// The preview's count equals the rows downloaded for every kind and scope; the keyset paging over more than two pages
// (1,201 records, three sharing each filing time) loses and repeats nothing; each scope gets exactly its records (a
// health center those it manages now, a transferred record following its health center; a prefecture its
// prefecture; a clinic its own filings); deleted records and filings outside the JST days are left out; every id of
// the file is in the audit's page entries, with the criteria and count at the start and the rows at the end; the
// rate limit counts only valid, allowed downloads; the CSV decodes as UTF-8 (BOM) and as CP932 and matches the filed
// records (name, kana, address, dates; 和暦 on request), formula cells are neutralised, 𠮷 is `&#134071;` in CP932 and
// intact in UTF-8; every FHIR line is a document Bundle of its record; a notification that no longer reads stops the
// download (never a short file that looks whole).
//
// Records: a few filed today through the API (one transferred to 世田谷), formula-prefixed and 𠮷 copies made by SQL
// from a filed one, and 1,201 copies filed on 2022-10-01 (tests/support/bulk.mjs), plus edge rows around October.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SHARDS, startEdge } from "../support/edge.mjs";
import { Client, firstSignInAs } from "../support/softauthn.mjs";
import { patientCase, freshKey, jstToday } from "../support/notification.mjs";
import { seedCopies, jstMidnight, parseCsv } from "../support/bulk.mjs";

// The records of this file (all 東京都) live in the shard of 東京都.
const TOKYO = { db: SHARDS.tokyo };

let edge;
const who = {};
const ids = {};
const TODAY = jstToday();
const OCT = { from: "2022-10-01", to: "2022-10-31" };
const USERS = ["doctor_shinjuku", "staff_shinjuku", "doctor_setagaya", "hc_staff_shinjuku", "hc_admin_shinjuku",
  "hc_staff_setagaya", "hc_admin_setagaya", "pref_tokyo", "followup_tokyo", "mhlw"];

const as = (alias, method, path, body) => new Client(edge).request(method, path, body, { cookie: who[alias].cookie });
const preview = (alias, body) => as(alias, "POST", "/api/exports/preview", body);

/** A download: status, headers and the raw bytes (`ok: false` when the body did not arrive whole). */
async function download(alias, body) {
  const res = await fetch(`${edge.api}/api/exports/download`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: edge.url, cookie: who[alias].cookie },
    body: JSON.stringify(body),
  });
  let bytes = Buffer.alloc(0);
  let ok = true;
  try {
    bytes = Buffer.from(await res.arrayBuffer());
  } catch {
    ok = false;
  }
  return { status: res.status, headers: res.headers, bytes, ok, json: () => JSON.parse(bytes.toString("utf8")) };
}

const ndjson = (bytes) => bytes.toString("utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
/** The record id of a FHIR document Bundle (its Patient's record-id identifier, which also names the Bundle). */
function bundleRecord(b) {
  assert.equal(b.resourceType, "Bundle");
  assert.equal(b.type, "document");
  assert.equal(b.entry[0].resource.resourceType, "Composition");
  const patient = b.entry.find((e) => e.resource.resourceType === "Patient").resource;
  const id = patient.identifier.find((i) => /record/i.test(i.system))?.value;
  assert.ok(id, JSON.stringify(patient.identifier));
  return id;
}

/** A CSV download decoded: header and rows as objects by Japanese header. */
function csvRows(bytes, encoding) {
  const text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  const [header, ...rows] = parseCsv(text);
  return { text, header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
}

async function file(alias, person, extra = {}) {
  const notification = patientCase(person, extra);
  const r = await as(alias, "POST", "/api/notifications", { idempotency_key: freshKey(), notification, acknowledged_warnings: [] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

before(async () => {
  edge = await startEdge({ seedDemo: true, vars: { BENCH_ROUTES: "1" } });
  for (const alias of USERS) who[alias] = await firstSignInAs(edge, alias);
  // Filed today through the API.
  ids.mine = await file("doctor_shinjuku", { name: "輸出 一郎", furigana: "ユシュツ イチロウ", date_of_birth: "1975-03-04", phone: "090-5555-0001" });
  ids.moved = await file("doctor_shinjuku", { name: "移管 次郎", furigana: "イカン ジロウ", date_of_birth: "1980-06-07", phone: "090-5555-0002", residence: "setagaya" });
  ids.theirs = await file("doctor_setagaya", { name: "吉田 花子", furigana: "ヨシダ ハナコ", date_of_birth: "1990-12-24", phone: "090-5555-0003", residence: "setagaya" });
  ids.deleted = await file("doctor_shinjuku", { name: "削除 三郎", furigana: "サクジョ サブロウ", date_of_birth: "1970-01-01", phone: "090-5555-0004" });
  const t = await as("hc_staff_shinjuku", "POST", `/api/notifications/${ids.moved}/transfer`, { health_center_id: "HC13112", reason: "住所地の保健所へ移管" });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  edge.d1(`UPDATE cases SET deleted_at = ${Date.now()}, deleted_by_user_id = 'u_demo_hc_staff_shinjuku' WHERE id = '${ids.deleted}'`, TOKYO);
  // 𠮷 (outside CP932) in a stored name: CP932 writes it as a character reference, UTF-8 as it is.
  edge.d1(`UPDATE notifications SET body = json_set(body, '$.patient.name', '𠮷田 花子') WHERE id = '${ids.theirs}'`, TOKYO);
  // Cells starting with a formula character, in copies of a filing (filed today, a minute apart after midnight).
  ids.formula = seedCopies(edge, { templateId: ids.mine, count: 6, fromMs: jstMidnight(TODAY) + 60_000, prefix: "n_formula_", phoneBase: 700_000_000 });
  const payloads = [["occupation", "=1+1"], ["occupation", "+81-3"], ["address.text", "-2+3"], ["address.text", "@SUM(A1)"], ["occupation", "\tTAB"], ["occupation", "\rCR"]];
  payloads.forEach(([path, v], i) => {
    const sql = v.replace(/'/g, "''").replace("\t", "' || char(9) || '").replace("\r", "' || char(13) || '");
    edge.d1(`UPDATE notifications SET body = json_set(body, '$.patient.${path}', '${sql}') WHERE id = '${ids.formula[i]}'`, TOKYO);
  });
  // October 2022: 1,201 copies in 新宿区保健所, three per filing time; one deleted; edges around the month.
  const oct1 = jstMidnight("2022-10-01");
  ids.bulk = seedCopies(edge, { templateId: ids.mine, count: 1201, fromMs: oct1 + 3_600_000, perTick: 3, prefix: "n_bulk_" });
  edge.d1(`UPDATE cases SET deleted_at = ${Date.now()} WHERE id = 'n_bulk_7'`, TOKYO);
  ids.before = seedCopies(edge, { templateId: ids.mine, count: 1, fromMs: oct1 - 1, prefix: "n_before_", phoneBase: 710_000_000 })[0];
  ids.last = seedCopies(edge, { templateId: ids.mine, count: 1, fromMs: jstMidnight("2022-11-01") - 1, prefix: "n_last_", phoneBase: 720_000_000 })[0];
  ids.after = seedCopies(edge, { templateId: ids.mine, count: 1, fromMs: jstMidnight("2022-11-01"), prefix: "n_after_", phoneBase: 730_000_000 })[0];
});

after(async () => {
  await edge?.stop();
});

const octShinjuku = () => [...ids.bulk.filter((id) => id !== "n_bulk_7"), ids.last];

test("FHIR over three pages: the preview's count is the rows downloaded, in filing order, none lost or repeated, and the audit names every id", async () => {
  const body = { kind: "fhir", ...OCT };
  const p = await preview("hc_staff_shinjuku", body);
  assert.equal(p.status, 200, JSON.stringify(p.body));
  const expected = octShinjuku();
  assert.equal(p.body.count, expected.length);
  assert.equal(p.body.scope, "新宿区保健所が管理する記録");
  assert.equal(p.body.file_name, "hersys-fhir-20221001-20221031.ndjson");
  assert.equal(typeof p.body.remaining, "number");

  const d = await download("hc_staff_shinjuku", body);
  assert.equal(d.status, 200);
  assert.ok(d.ok);
  assert.equal(d.headers.get("content-type"), "application/fhir+ndjson");
  assert.equal(d.headers.get("content-disposition"), 'attachment; filename="hersys-fhir-20221001-20221031.ndjson"');
  assert.equal(d.headers.get("cache-control"), "no-store");
  assert.equal(d.headers.get("x-content-type-options"), "nosniff", "the security headers on a streamed response too");
  assert.equal(Number(d.headers.get("x-export-count")), expected.length);
  const got = ndjson(d.bytes).map(bundleRecord);
  assert.equal(got.length, expected.length);
  assert.deepEqual(got, expected, "every record once, in (filed_at, seq) order");

  // Audit: the start (criteria, count), a page entry per 500 rows naming every id, the end.
  const exportId = d.headers.get("x-export-id");
  assert.match(exportId, /^exp_/);
  const rows = edge.d1(`SELECT action, outcome, actor_user_id, detail FROM audit_log WHERE target = '${exportId}' ORDER BY seq`);
  assert.deepEqual(rows.map((r) => r.action), ["export", "export_rows", "export_rows", "export_rows", "export_done"]);
  const start = JSON.parse(rows[0].detail);
  assert.deepEqual(start, { kind: "fhir", from: OCT.from, to: OCT.to, count: expected.length, export: exportId });
  assert.ok(rows.every((r) => r.actor_user_id === "u_demo_hc_staff_shinjuku" && r.outcome === "ok"));
  const pages = rows.filter((r) => r.action === "export_rows").map((r) => JSON.parse(r.detail));
  assert.deepEqual(pages.map((x) => x.page), [1, 2, 3]);
  assert.deepEqual(pages.map((x) => x.n), [500, 500, expected.length - 1000]);
  assert.deepEqual(pages.flatMap((x) => x.ids), got, "the audit's ids are the file's ids");
  assert.equal(JSON.parse(rows[4].detail).rows, expected.length);
  // Nothing personal in the audit rows of the export.
  assert.ok(!rows.some((r) => /輸出|ユシュツ|1975-03-04/.test(r.detail ?? "")));
  // The preview was audited with its criteria and count.
  const pv = edge.d1("SELECT detail FROM audit_log WHERE action = 'export_preview' AND actor_user_id = 'u_demo_hc_staff_shinjuku' ORDER BY seq DESC LIMIT 1");
  assert.equal(JSON.parse(pv[0].detail).count, expected.length);
});

test("each scope gets exactly its records: the health center those it manages now (a transfer follows), the prefecture its own, a clinic its filings", async () => {
  const today = { kind: "fhir", from: TODAY, to: TODAY };
  const cases = [
    ["hc_staff_shinjuku", [ids.mine, ...ids.formula], "新宿区保健所が管理する記録"],
    ["hc_admin_setagaya", [ids.moved, ids.theirs].sort(), "世田谷保健所が管理する記録"],
    ["pref_tokyo", [ids.mine, ids.moved, ids.theirs, ...ids.formula], "東京都の記録"],
    ["doctor_shinjuku", [ids.mine, ids.moved, ...ids.formula], "あなたの医療機関が提出した届出"],
    ["staff_shinjuku", [ids.mine, ids.moved, ...ids.formula], "あなたの医療機関が提出した届出"],
    ["doctor_setagaya", [ids.theirs], "あなたの医療機関が提出した届出"],
  ];
  for (const [alias, expected, scope] of cases) {
    const p = await preview(alias, today);
    assert.equal(p.status, 200, `${alias}: ${JSON.stringify(p.body)}`);
    assert.equal(p.body.scope, scope, alias);
    assert.equal(p.body.count, expected.length, alias);
    const d = await download(alias, today);
    assert.equal(d.status, 200, alias);
    const got = ndjson(d.bytes).map(bundleRecord);
    assert.deepEqual([...got].sort(), [...expected].sort(), alias);
    assert.equal(Number(d.headers.get("x-export-count")), got.length, alias);
    assert.ok(!got.includes(ids.deleted), `${alias}: a deleted record is left out`);
  }
  // October: the prefecture sees the same 1,201 as the health center; 世田谷 none; days are JST (the row a
  // millisecond before 10-01 and the one at 11-01 00:00 are out, the one at 10-31 23:59:59.999 in).
  assert.equal((await preview("pref_tokyo", { kind: "fhir", ...OCT })).body.count, octShinjuku().length);
  assert.equal((await preview("hc_staff_setagaya", { kind: "csv", ...OCT })).body.count, 0);
  const last = await download("pref_tokyo", { kind: "fhir", from: "2022-10-31", to: "2022-11-01" });
  assert.deepEqual(ndjson(last.bytes).map(bundleRecord), [ids.last, ids.after]);
  const first = await download("pref_tokyo", { kind: "fhir", from: "2022-09-30", to: "2022-09-30" });
  assert.deepEqual(ndjson(first.bytes).map(bundleRecord), [ids.before]);
});

test("a download holds what was counted when it started: a record filed later the same day is in neither the count nor the file", async (t) => {
  // A record of 世田谷 whose filing time is ten minutes ahead: as if filed while a long download runs.
  const ahead = Date.now() + 10 * 60 * 1000;
  const tomorrow = new Date(Date.parse(`${TODAY}T00:00:00+09:00`) + 24 * 3600 * 1000);
  if (ahead >= tomorrow.getTime()) return t.skip("too close to midnight JST");
  const [row] = edge.d1(`SELECT filed_at FROM cases WHERE id = '${ids.theirs}'`, TOKYO);
  edge.d1(`UPDATE cases SET filed_at = ${ahead} WHERE id = '${ids.theirs}'`, TOKYO);
  try {
    const today = { kind: "fhir", from: TODAY, to: TODAY };
    const p = await preview("hc_admin_setagaya", today);
    assert.equal(p.body.count, 1, JSON.stringify(p.body));
    const d = await download("hc_admin_setagaya", today);
    assert.equal(d.status, 200);
    assert.equal(d.headers.get("x-export-count"), "1");
    assert.deepEqual(ndjson(d.bytes).map(bundleRecord), [ids.moved]);
  } finally {
    edge.d1(`UPDATE cases SET filed_at = ${row.filed_at} WHERE id = '${ids.theirs}'`, TOKYO);
  }
  // Back at its filing time, it is exported again.
  const back = await download("hc_admin_setagaya", { kind: "fhir", from: TODAY, to: TODAY });
  assert.deepEqual(ndjson(back.bytes).map(bundleRecord).sort(), [ids.moved, ids.theirs].sort());
});

test("every export query is answered from its scope's index (EXPLAIN QUERY PLAN)", async () => {
  for (const [alias, index] of [["doctor_shinjuku", "cases_inst_filed"], ["hc_staff_shinjuku", "cases_hc_filed"], ["pref_tokyo", "cases_pref_filed"]]) {
    const r = await as(alias, "POST", "/api/bench/export-plan", {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const plan of [r.body.page, r.body.count]) {
      const text = plan.join(" | ");
      assert.ok(plan.some((l) => /^SEARCH c USING (COVERING )?INDEX /.test(l) && l.includes(index)), `${alias}: ${text}`);
      assert.ok(!plan.some((l) => /^SCAN /.test(l) || /TEMP B-TREE/.test(l)), `${alias}: no scan, no sort: ${text}`);
    }
  }
});

test("CSV in UTF-8 with BOM and in CP932 decodes to the filed records; 和暦 on request", async () => {
  const todayHc = { kind: "csv", from: TODAY, to: TODAY };
  const utf8 = await download("pref_tokyo", todayHc);
  assert.equal(utf8.status, 200);
  assert.equal(utf8.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.match(utf8.headers.get("content-disposition"), /^attachment; filename="hersys-records-\d{8}-\d{8}\.csv"$/);
  assert.deepEqual([...utf8.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a byte-order mark");
  const u = csvRows(utf8.bytes.subarray(3), "utf-8");
  assert.equal(u.rows.length, Number(utf8.headers.get("x-export-count")));
  const cp = await download("pref_tokyo", { ...todayHc, encoding: "cp932" });
  assert.equal(cp.headers.get("content-type"), "text/csv; charset=shift_jis");
  assert.notEqual(cp.bytes[0], 0xef, "no BOM in CP932");
  const s = csvRows(cp.bytes, "shift_jis");
  assert.equal(s.rows.length, u.rows.length);
  assert.deepEqual(s.header, u.header, "the same Japanese header row");
  for (const h of ["記録ID", "当該者氏名", "フリガナ", "生年月日", "住所", "診断（検案）年月日"]) assert.ok(u.header.includes(h), h);

  const byId = (rows) => Object.fromEntries(rows.map((r) => [r["記録ID"], r]));
  const [U, S] = [byId(u.rows), byId(s.rows)];
  for (const [id, name, kana, dob] of [[ids.mine, "輸出 一郎", "ユシュツ イチロウ", "1975-03-04"], [ids.moved, "移管 次郎", "イカン ジロウ", "1980-06-07"]]) {
    const stored = JSON.parse(edge.d1(`SELECT body FROM notifications WHERE id = '${id}'`, TOKYO)[0].body);
    // As filed (filing writes the space between family and given name in full width).
    assert.equal(stored.patient.name.replace("　", " "), name);
    assert.equal(stored.patient.furigana.replace("　", " "), kana);
    for (const row of [U[id], S[id]]) {
      assert.ok(row, id);
      assert.equal(row["当該者氏名"], stored.patient.name);
      assert.equal(row["フリガナ"], stored.patient.furigana);
      assert.equal(row["生年月日"], dob);
      assert.equal(row["住所"], stored.patient.address.text);
      assert.equal(row["診断（検案）年月日"], stored.diagnosis_date);
    }
  }
  // 𠮷: intact in UTF-8, a character reference in CP932 (counted in the export's end entry).
  assert.equal(U[ids.theirs]["当該者氏名"], "𠮷田 花子");
  assert.equal(S[ids.theirs]["当該者氏名"], "&#134071;田 花子");
  const done = edge.d1(`SELECT detail FROM audit_log WHERE action = 'export_done' AND target = '${cp.headers.get("x-export-id")}'`);
  assert.ok(JSON.parse(done[0].detail).replaced_cells >= 1, done[0].detail);
  assert.equal(ids.deleted in U, false, "deleted left out");

  // 和暦.
  const w = csvRows((await download("pref_tokyo", { ...todayHc, dates: "wareki" })).bytes.subarray(3), "utf-8");
  const wm = w.rows.find((r) => r["記録ID"] === ids.mine);
  assert.equal(wm["生年月日"], "昭和50年3月4日");
  assert.match(wm["診断（検案）年月日"], /^令和\d+年\d+月\d+日$/);
});

test("CSV: cells starting with =, +, -, @, tab or CR are neutralised and kept", async () => {
  const d = await download("hc_staff_shinjuku", { kind: "csv", from: TODAY, to: TODAY });
  const { rows } = csvRows(d.bytes.subarray(3), "utf-8");
  const byId = Object.fromEntries(rows.map((r) => [r["記録ID"], r]));
  const expected = [["職業", "=1+1"], ["職業", "+81-3"], ["住所", "-2+3"], ["住所", "@SUM(A1)"], ["職業", "\tTAB"], ["職業", "\rCR"]];
  expected.forEach(([col, payload], i) => {
    const cell = byId[ids.formula[i]][col];
    assert.ok(!/^[=+\-@\t\r]/.test(cell), `${JSON.stringify(cell)} neutralised`);
    assert.ok(cell.includes(payload.trim()), `${JSON.stringify(cell)} keeps ${JSON.stringify(payload)}`);
  });
  for (const r of rows) for (const [h, cell] of Object.entries(r)) assert.ok(!/^[=+\-@\t\r]/.test(cell ?? ""), `${h}: ${JSON.stringify(cell)}`);
});

test("open data: prefecture staff their prefecture, national staff every prefecture and ALL; the count is the rows", async () => {
  for (const [alias, scope, perDay] of [["pref_tokyo", "東京都", 1], ["mhlw", "全国", 48]]) {
    const body = { kind: "open_data", from: "2022-10-01", to: "2022-10-07" };
    const p = await preview(alias, body);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.equal(p.body.scope, scope);
    assert.equal(p.body.count, 7 * perDay);
    assert.equal(p.body.remaining, null);
    assert.equal(p.body.file_name, "newly_confirmed_cases_daily-20221001-20221007.csv");
    const d = await download(alias, body);
    assert.equal(d.status, 200);
    assert.equal(d.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.equal(Number(d.headers.get("x-export-count")), 7 * perDay);
    const lines = d.bytes.toString("utf8").split(/\r?\n/).filter((l) => l !== "");
    assert.equal(lines.length - 1, 7 * perDay, "a header and one row per day and prefecture");
    assert.doesNotMatch(d.bytes.toString("utf8"), /輸出|n_bulk_/);
  }
});

test("a notification that no longer reads stops the export: refused in the first page, the stream broken later — never a shorter file that looks whole; audited", async () => {
  const broken = (id) => {
    const saved = edge.d1(`SELECT body FROM notifications WHERE id = '${id}'`, TOKYO)[0].body;
    edge.d1(`UPDATE notifications SET body = '{"broken":' WHERE id = '${id}'`, TOKYO);
    return () => edge.d1(`UPDATE notifications SET body = '${saved.replace(/'/g, "''")}' WHERE id = '${id}'`, TOKYO);
  };
  const doneOf = (exportId) => edge.d1(`SELECT outcome, detail FROM audit_log WHERE action = 'export_done' AND target = '${exportId}'`);
  // In the first page: an error naming the record, before any byte.
  let restore = broken(ids.formula[5]);
  try {
    const d = await download("pref_tokyo", { kind: "fhir", from: TODAY, to: TODAY });
    assert.equal(d.status, 500);
    const e = d.json().error;
    assert.equal(e.code, "EXPORT_RECORD_UNREADABLE");
    assert.ok(e.issues.some((i) => i.field === "record_id" && i.message.includes(ids.formula[5])));
    const last = edge.d1("SELECT target, outcome, detail FROM audit_log WHERE action = 'export_done' ORDER BY seq DESC LIMIT 1")[0];
    assert.equal(last.outcome, "unreadable");
    assert.equal(JSON.parse(last.detail).unreadable, ids.formula[5]);
  } finally {
    restore();
  }
  // In the second page of October: the first 500 rows arrive, then the download fails.
  restore = broken("n_bulk_700");
  try {
    // The export id of this download, from its audit entries (a broken stream may reach the client without headers:
    // wrangler's proxy answers 500 "Network connection lost" when the body fails before it forwarded the head).
    const d = await download("pref_tokyo", { kind: "csv", ...OCT });
    const count = Number(d.headers.get("x-export-count") ?? 0);
    const lines = d.bytes.toString("utf8").split("\r\n").filter((l) => l !== "").length - 1;
    assert.ok(d.status !== 200 || !d.ok || lines < count, `the client sees the failure (HTTP ${d.status}, ok ${d.ok}, ${lines} rows of ${count})`);
    assert.ok(d.status === 200 || d.status === 500, `HTTP ${d.status}`);
    const exportId = edge.d1("SELECT target FROM audit_log WHERE action = 'export' AND actor_user_id = 'u_demo_pref_tokyo' ORDER BY seq DESC LIMIT 1")[0].target;
    if (d.headers.get("x-export-id")) assert.equal(d.headers.get("x-export-id"), exportId);
    const done = doneOf(exportId);
    assert.equal(done[0].outcome, "unreadable");
    assert.deepEqual(JSON.parse(done[0].detail).unreadable, "n_bulk_700");
    assert.equal(JSON.parse(done[0].detail).rows, 500);
  } finally {
    restore();
  }
});

test("rate limit: 20 personal downloads an hour per account, then EXPORT_RATE_LIMITED; refused and invalid requests do not count", async () => {
  const alias = "hc_admin_shinjuku";
  const body = { kind: "csv", from: "2022-01-01", to: "2022-01-01" };
  // Invalid or refused: counted nowhere.
  for (const bad of [{ ...body, to: "2021-12-31" }, { ...body, extra: 1 }, { ...body, kind: "open_data" }]) {
    const r = await download(alias, bad);
    assert.ok([403, 422].includes(r.status), `${r.status}`);
  }
  assert.equal((await preview(alias, body)).body.remaining, 20);
  for (let i = 1; i <= 20; i += 1) {
    const r = await download(alias, body);
    assert.equal(r.status, 200, `download ${i}`);
  }
  assert.equal((await preview(alias, body)).body.remaining, 0);
  const refused = await download(alias, { ...body, kind: "fhir" });
  assert.equal(refused.status, 429);
  assert.equal(refused.json().error.code, "EXPORT_RATE_LIMITED");
  assert.match(refused.json().error.message, /上限/);
  const t = edge.d1("SELECT outcome, detail FROM audit_log WHERE action = 'export' AND actor_user_id = 'u_demo_hc_admin_shinjuku' ORDER BY seq DESC LIMIT 1");
  assert.equal(t[0].outcome, "throttled");
  assert.equal(JSON.parse(t[0].detail).kind, "fhir");
  // Another account is not affected; once the hour's window has passed the account may download again.
  assert.equal((await download("hc_admin_setagaya", body)).status, 200);
  edge.d1(`UPDATE observe_failures SET window_start = window_start - 3600001 WHERE key = 'export:u_demo_hc_admin_shinjuku'`);
  assert.equal((await download(alias, body)).status, 200);
});
