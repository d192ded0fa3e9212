// Open-data counts (issue 22) over HTTP against the real worker: `POST /api/exports/download` with
// `kind: "open_data"` gives the count dashboard's figures per day and prefecture in MHLW's layout — the prefecture's
// own file equals its dashboard day by day, the national file has every prefecture (zeros written) and `ALL` equal to
// the national dashboard, and in the age-band layout the small cells are suppressed (`*`) with a second cell so none
// can be worked back from the row's count, and the `ALL` bands hidden on such a day.
//
// The server clock is moved to 2022-10-02 09:30 JST (the limited regime, as tests/api/counts.test.mjs does); Tokyo's
// figures come from notifications (filed through the API, or inserted when the limited form refuses the patient) and
// a daily total PUT by a clinic; Osaka's from a clinic
// and its daily total inserted by SQL (the demo has no clinic outside Tokyo).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../support/edge.mjs";
import { insertRecord } from "../support/shards.mjs";
import { Client, firstSignInAs } from "../support/softauthn.mjs";
import { patientCase, freshKey } from "../support/notification.mjs";

const DAY = "2022-10-01";
const NEXT = "2022-10-02";
const BANDS = ["0", "1-4", "5-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-89", "90-"];

let edge;
const who = {};
const as = (alias, method, path, body) => new Client(edge).request(method, path, body, { cookie: who[alias].cookie });

/** A notification of the clinic of `alias` diagnosed on `day`, patient born `dob` (as tests/api/counts.test.mjs). */
async function fileOn(alias, day, dob, n) {
  const notification = patientCase(
    { name: `公開 ${n}号`, furigana: `コウカイ ${"ア".repeat(n)}`, date_of_birth: dob, phone: `090-4444-${String(1000 + n)}` },
    { report_date: day, diagnosis_date: day, first_visit_date: day, onset_date: day, tests: [{ method: "nucleic_acid", specimen: "nasopharyngeal_swab", specimen_date: day, result: "positive" }] },
  );
  const r = await as(alias, "POST", "/api/notifications", { idempotency_key: freshKey(), notification, acknowledged_warnings: [] });
  if (r.status === 201) return r.body.id;
  // The limited form of that day refuses a patient in no group: the row the count reads, inserted (as
  // tests/api/counts.test.mjs does; the count does not depend on the form version).
  const inst = alias.includes("setagaya") ? "inst_demo_setagaya" : "inst_demo_shinjuku";
  const hc = alias.includes("setagaya") ? "HC13112" : "HC13104";
  const id = `n_open_${n}`;
  insertRecord(edge, { id, sql: (seq) => `INSERT INTO notifications (seq, id, form_version, body, category, patient_name, furigana_key, date_of_birth, phone_digits, institution_id, filed_by_user_id, filed_at, pref_code, health_center_id, routing_reason) VALUES (${seq}, '${id}', '2021-11-29', '${JSON.stringify({ version: "2021-11-29", diagnosis_date: day, report_date: day })}', 'confirmed_patient', 'x', 'x', '${dob}', '', '${inst}', '${who[alias].user.id}', ${Date.now()}, '13', '${hc}', 'test')` });
  return id;
}

async function download(alias, body) {
  const res = await fetch(`${edge.api}/api/exports/download`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: edge.url, cookie: who[alias].cookie },
    body: JSON.stringify(body),
  });
  const text = Buffer.from(await res.arrayBuffer()).toString("utf8");
  return { status: res.status, headers: res.headers, text };
}

/** The file's rows as { date, pref, count, cells } keyed by `date|pref`. */
function parse(text) {
  const lines = text.split("\n").filter((l) => l !== "");
  const out = new Map();
  for (const l of lines.slice(1)) {
    const [date, pref, count, ...cells] = l.split(",");
    out.set(`${date}|${pref}`, { count: Number(count), cells });
  }
  return { header: lines[0], rows: out, n: lines.length - 1 };
}

before(async () => {
  edge = await startEdge({ seedDemo: true });
  // 2022-10-02 09:30 JST: the day after DAY, before its deadline.
  await edge.setClock(Date.parse("2022-10-02T00:30:00Z") - Date.now());
  for (const alias of ["doctor_shinjuku", "doctor_setagaya", "pref_tokyo", "mhlw"]) who[alias] = await firstSignInAs(edge, alias);
  // 新宿 clinic: two notified cases in their 30s, no daily total (the notified cases count).
  await fileOn("doctor_shinjuku", DAY, "1990-01-01", 1);
  await fileOn("doctor_shinjuku", DAY, "1991-03-03", 2);
  // 世田谷 clinic: one notified case in its 20s, and a daily total that includes it.
  await fileOn("doctor_setagaya", DAY, "2000-01-01", 3);
  const put = await as("doctor_setagaya", "PUT", `/api/daily-totals/${DAY}`, { counts: { "20-29": 6, "40-49": 1 } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  // An Osaka clinic with a daily total of nine in their 40s.
  const mhlw = who.mhlw.user.id;
  edge.d1("INSERT OR IGNORE INTO health_centers (id, name, pref_code, prefecture) VALUES ('HC_OD_OSAKA', '試験保健所', '27', '大阪府')");
  edge.d1(`INSERT INTO institutions (id, name, health_center_id, pref_code, created_at) VALUES ('inst_od_osaka', '試験クリニック', 'HC_OD_OSAKA', '27', ${Date.now()})`);
  const counts = JSON.stringify(BANDS.map((b) => (b === "40-49" ? 9 : 0)));
  edge.d1(`INSERT INTO daily_totals (institution_id, day, health_center_id, pref_code, bands_id, counts, total, submitted_at, submitted_by, updated_at, updated_by, timeline_version) VALUES ('inst_od_osaka', '${DAY}', 'HC_OD_OSAKA', '27', 'daily-2022-09', '${counts}', 9, ${Date.now()}, '${mhlw}', ${Date.now()}, '${mhlw}', 'test')`);
});
after(async () => {
  await edge?.setClock(0).catch(() => {});
  await edge?.stop();
});

test("a prefecture's file is its count dashboard day by day, in MHLW's layout", async () => {
  const dash = await as("pref_tokyo", "GET", `/api/counts?from=${DAY}&to=${NEXT}`);
  assert.equal(dash.status, 200, JSON.stringify(dash.body));
  const d = await download("pref_tokyo", { kind: "open_data", from: DAY, to: NEXT });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.ok(!d.text.startsWith("\uFEFF") && !d.text.includes("\r"), "no BOM, LF line ends (as MHLW publishes it)");
  const f = parse(d.text);
  assert.equal(f.header, "Date,Prefecture,Newly confirmed cases");
  assert.equal(f.n, 2);
  // 2 notified (30s) + 世田谷's total of 7 (its notified case inside it).
  assert.deepEqual([...f.rows.keys()], ["2022/10/1|Tokyo", "2022/10/2|Tokyo"]);
  assert.equal(f.rows.get("2022/10/1|Tokyo").count, 9);
  assert.equal(f.rows.get("2022/10/2|Tokyo").count, 0);
  for (const day of dash.body.days) {
    const [y, m, dd] = day.day.split("-").map(Number);
    assert.equal(f.rows.get(`${y}/${m}/${dd}|Tokyo`).count, day.total, `${day.day} equals the dashboard`);
  }
  assert.equal(Number(d.headers.get("x-export-count")), f.n);
});

test("the national file: every prefecture every day (zeros written), ALL first and equal to the national dashboard", async () => {
  const dash = await as("mhlw", "GET", `/api/counts?from=${DAY}&to=${NEXT}`);
  assert.equal(dash.status, 200, JSON.stringify(dash.body));
  const d = await download("mhlw", { kind: "open_data", from: DAY, to: NEXT });
  assert.equal(d.status, 200, d.text);
  const f = parse(d.text);
  assert.equal(f.n, 2 * 48);
  const names = [...f.rows.keys()].filter((k) => k.startsWith("2022/10/1|")).map((k) => k.split("|")[1]);
  assert.equal(names[0], "ALL");
  assert.equal(names[1], "Hokkaido");
  assert.equal(names[13], "Tokyo");
  assert.equal(names[27], "Osaka");
  assert.equal(names[47], "Okinawa");
  assert.equal(f.rows.get("2022/10/1|Tokyo").count, 9);
  assert.equal(f.rows.get("2022/10/1|Osaka").count, 9);
  assert.equal(f.rows.get("2022/10/1|Hokkaido").count, 0);
  assert.equal(f.rows.get("2022/10/1|ALL").count, 18);
  for (const day of dash.body.days) {
    const [y, m, dd] = day.day.split("-").map(Number);
    assert.equal(f.rows.get(`${y}/${m}/${dd}|ALL`).count, day.total, `ALL of ${day.day} equals the national dashboard`);
  }
  let sum = 0;
  for (const [k, r] of f.rows) if (k.startsWith("2022/10/1|") && !k.endsWith("|ALL")) sum += r.count;
  assert.equal(sum, 18, "the prefectures add up to ALL");
});

test("age bands: cells of 1–4 suppressed with a second cell, the count kept, ALL's bands hidden that day", async () => {
  const dash = await as("pref_tokyo", "GET", `/api/counts?from=${DAY}&to=${DAY}`);
  const sum = dash.body.days[0].sum; // Tokyo by band: 20s 6, 30s 2, 40s 1
  assert.deepEqual(sum, BANDS.map((b) => ({ "20-29": 6, "30-39": 2, "40-49": 1 })[b] ?? 0));
  const d = await download("mhlw", { kind: "open_data", from: DAY, to: DAY, layout: "age_bands" });
  assert.equal(d.status, 200, d.text);
  const f = parse(d.text);
  assert.equal(f.header, "Date,Prefecture,Newly confirmed cases,Under 1,1 to 4,5 to 9,10s,20s,30s,40s,50s,60s,70s,80s,90 and over");
  const tokyo = f.rows.get("2022/10/1|Tokyo");
  assert.equal(tokyo.count, 9, "the count as it is");
  // 2 and 1 are small; together (3 > 2 cells) neither can be worked back from 9 − 6.
  assert.deepEqual(tokyo.cells, ["0", "0", "0", "0", "6", "*", "*", "0", "0", "0", "0", "0"]);
  for (const [i, c] of tokyo.cells.entries()) if (c !== "*") assert.equal(Number(c), sum[i]);
  assert.deepEqual(f.rows.get("2022/10/1|Osaka").cells, ["0", "0", "0", "0", "0", "0", "9", "0", "0", "0", "0", "0"]);
  const all = f.rows.get("2022/10/1|ALL");
  assert.equal(all.count, 18);
  assert.deepEqual(all.cells, Array(12).fill("*"), "ALL's bands would give Tokyo's hidden cells back by subtraction");
  // No shown cell anywhere in the file is 1–4.
  for (const r of f.rows.values()) for (const c of r.cells) assert.ok(!["1", "2", "3", "4"].includes(c), JSON.stringify(r));
  // The prefecture's own file: the same row.
  const p = parse((await download("pref_tokyo", { kind: "open_data", from: DAY, to: DAY, layout: "age_bands" })).text);
  assert.deepEqual(p.rows.get("2022/10/1|Tokyo"), tokyo);
  assert.equal(p.n, 1);
});
