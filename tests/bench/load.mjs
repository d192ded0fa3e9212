// Load (issue 11): 100 simulated users against the local worker on loopback for LOAD_SECONDS (default 60): clinics
// filing notifications, health centers searching, opening and editing records and working the triage queue, patients
// reporting from their phones. Halfway through, the worker is killed and started again on the same state (a fault);
// users retry what got no answer with the same idempotency key / client id. Prints the error count (5xx, unexpected
// 4xx, answers lost), the latency distribution per action, and what was lost or duplicated (filings acknowledged vs
// stored, reports accepted vs stored). Issue 21 adds clinics sending daily totals (each its own day, counts growing,
// retried with the same body) and people self-registering on the public page (some resends with the same client
// key): stored vs acknowledged, lost and duplicated. Bounded in count and time; nothing leaves the machine.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { confirmedCase, jstToday } from "../support/notification.mjs";

const SECONDS = Number(process.env.LOAD_SECONDS || 60);
const USERS = { clinic: 40, healthCenter: 30, patient: 30, dailyTotals: 10, register: 10 };
const KILL = process.env.LOAD_KILL !== "0";
const PATIENT_KEYS = ["face", "cough", "dyspnea", "fatigue", "nausea", "diarrhea", "consciousness", "cannot_eat", "no_urine"];

const pct = (s, p) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const run = randomBytes(3).toString("hex");

const state = mkdtempSync(path.join(tmpdir(), "hersys-load-"));
let edge = await startEdge({ seedDemo: true, seedRecords: true, persistTo: state });
let base = edge.api;
let down = false;

/** action → { ok, conflicts, errors: [text], ms: [] } */
const stats = new Map();
const stat = (a) => {
  if (!stats.has(a)) stats.set(a, { ok: 0, conflicts: 0, retried: 0, errors: [], ms: [] });
  return stats.get(a);
};

/**
 * One request, retried while the worker is down (no answer): the same body, so the same idempotency key or client
 * id. `accept` lists the statuses that are a correct answer (e.g. 409 EDIT_CONFLICT when two people edit one record).
 */
async function call(action, method, p, { cookie, body, headers = {}, accept = [200], conflict = [] } = {}) {
  const s = stat(action);
  const t0 = performance.now();
  for (let attempt = 0; ; attempt++) {
    if (performance.now() - t0 > 60_000) {
      s.errors.push(`${method} ${p}: no answer for 60 s`);
      return null;
    }
    try {
      const res = await fetch(`${base}${p}`, {
        method,
        headers: {
          ...(body ? { "content-type": "application/json" } : {}),
          ...(method !== "GET" ? { origin: base } : {}),
          ...(cookie ? { cookie } : {}),
          ...headers,
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      if (attempt > 0) s.retried++;
      if (accept.includes(res.status)) {
        s.ok++;
        s.ms.push(performance.now() - t0);
        return text ? JSON.parse(text) : null;
      }
      if (conflict.includes(res.status)) {
        s.conflicts++;
        s.ms.push(performance.now() - t0);
        return null;
      }
      s.errors.push(`${method} ${p}: ${res.status} ${text.slice(0, 160)}`);
      return null;
    } catch {
      // No answer (the worker is down or restarting): wait and send the same request again.
      await sleep(down ? 500 : 200);
    }
  }
}

// ---- who -------------------------------------------------------------------------------------------------------------
const sessions = {};
for (const id of ["doctor@shinjuku-clinic.demo", "staff@shinjuku-clinic.demo", "doctor@setagaya-clinic.demo",
  "staff@shinjuku-hc.demo", "admin@shinjuku-hc.demo", "staff@setagaya-hc.demo", "admin@setagaya-hc.demo",
  "followup@tokyo.demo"]) {
  sessions[id] = (await firstSignInAs(edge, id)).client.cookieHeader;
}
const clinics = ["doctor@shinjuku-clinic.demo", "staff@shinjuku-clinic.demo", "doctor@setagaya-clinic.demo"];
const centers = ["staff@shinjuku-hc.demo", "admin@shinjuku-hc.demo", "staff@setagaya-hc.demo", "admin@setagaya-hc.demo"];

// Patients: observations started for seeded Shinjuku records with a birth date, one phone session each.
const hcCookie = sessions["staff@shinjuku-hc.demo"];
const found = await call("setup", "POST", "/api/cases/search", { cookie: hcCookie, body: { criteria: { health_center_id: "HC13104" } } });
const phones = [];
for (const s of found.items.filter((x) => x.date_of_birth).slice(0, USERS.patient)) {
  await call("setup", "POST", `/api/cases/${s.id}/observation`,
    { cookie: hcCookie, body: { kind: "patient", started_on: jstToday(), ends_on: "", household_of: "" } });
  const res = await fetch(`${base}/api/observe/signin`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base, "cf-connecting-ip": `198.18.0.${phones.length + 1}` },
    body: JSON.stringify({ smartphone_id: s.smartphone_id, date_of_birth: s.date_of_birth }),
  });
  await res.text();
  const cookie = res.headers.getSetCookie().map((l) => l.split(";")[0]).join("; ");
  phones.push({ id: s.id, cookie });
}
const records = found.items.map((x) => x.id);

// ---- what each kind of user does ---------------------------------------------------------------------------------
const filed = new Map(); // idempotency key → notification id
const reported = new Map(); // case id → Set of accepted client ids
let stop = false;
const think = () => sleep(100 + Math.random() * 300);

async function clinicUser(i) {
  const cookie = sessions[clinics[i % clinics.length]];
  const setagaya = clinics[i % clinics.length].includes("setagaya");
  for (let n = 0; !stop; n++) {
    const key = `load-${run}-${i}-${n}-xxxxxxxx`;
    const notification = confirmedCase({
      patient: { name: `負荷 ${i}-${n}`, furigana: "フカ テスト" },
      ...(setagaya ? {
        reporter: { doctor_name: "世田谷 次郎", facility_name: "世田谷さくら医院", facility_address: "東京都世田谷区世田谷四丁目21番27号", facility_phone: "03-0000-0002" },
      } : {}),
    });
    const r = await call("file a notification", "POST", "/api/notifications",
      { cookie, body: { idempotency_key: key, notification, acknowledged_warnings: [] }, accept: [200, 201] });
    if (r?.id) filed.set(key, r.id);
    await think();
    if (n % 3 === 0) await call("clinic: own filings", "GET", "/api/notifications", { cookie });
    await think();
  }
}

async function healthCenterUser(i) {
  const who = centers[i % centers.length];
  const cookie = sessions[who];
  const shinjuku = who.includes("shinjuku");
  for (let n = 0; !stop; n++) {
    const criteria = [{ furigana: "サ" }, { name: "山" }, { status: "result_reported" }, {}, { date_of_birth: "1980-01-15" }][n % 5];
    const list = await call("search records", "POST", "/api/cases/search", { cookie, body: { criteria } });
    await think();
    const id = list?.items?.[Math.floor(Math.random() * list.items.length)]?.id;
    if (id) {
      const rec = await call("open a record", "GET", `/api/cases/${id}`, { cookie });
      await think();
      if (rec?.can_edit && n % 2 === 0) {
        await call("edit a tab", "PUT", `/api/cases/${id}/tabs/basic`, {
          cookie, body: { version: rec.version, data: { ...(rec.tabs?.basic ?? {}), insurer: `負荷保険 ${n}` } },
          conflict: [409],
        });
      }
    }
    if (shinjuku) await call("triage queue", "GET", "/api/observation/alerts", { cookie });
    if (n % 4 === 0) await call("dashboard", "GET", "/api/dashboard", { cookie });
    await think();
  }
}

async function patientUser(i) {
  const phone = phones[i % phones.length];
  if (!phone) return;
  for (let n = 0; !stop; n++) {
    const clientId = `load-${run}-${i}-${n}`;
    const answers = Object.fromEntries(PATIENT_KEYS.map((k) => [k, Math.random() < 0.05 ? "yes" : "no"]));
    const r = await call("phone: report", "POST", "/api/observe/reports", {
      cookie: phone.cookie,
      body: { reports: [{ client_id: clientId, person: phone.id, date: jstToday(), slot: n % 2 ? "evening" : "morning",
        temperature: 36 + Math.round(Math.random() * 25) / 10, spo2: 90 + Math.floor(Math.random() * 10), answers }] },
    });
    if (r?.results?.[0]?.outcome === "accepted") {
      if (!reported.has(phone.id)) reported.set(phone.id, new Set());
      reported.get(phone.id).add(clientId);
    } else if (r) {
      stat("phone: report").errors.push(`rejected: ${JSON.stringify(r.results?.[0]?.issues)}`);
    }
    await sleep(500 + Math.random() * 1000);
    if (n % 3 === 0) await call("phone: me", "GET", "/api/observe/me", { cookie: phone.cookie });
  }
}

// Daily totals (issue 21): user i reports for its clinic on its own day of the limited regime (2022-09-26 + i, so no
// two users share a clinic-day), the 20代 band growing by one each time; the last acknowledged figure must be what is
// stored, in one row whose version counts the changes.
const dailyLast = new Map(); // `${institution}/${day}` → { n, changes }
const DAILY_CLINICS = [["doctor@shinjuku-clinic.demo", "inst_demo_shinjuku"], ["doctor@setagaya-clinic.demo", "inst_demo_setagaya"]];
const dayOf = (i) => new Date(Date.UTC(2022, 8, 26 + i)).toISOString().slice(0, 10);
async function dailyTotalsUser(i) {
  const [who, inst] = DAILY_CLINICS[i % DAILY_CLINICS.length];
  const day = dayOf(i);
  for (let n = 1; !stop; n++) {
    const r = await call("clinic: daily totals", "PUT", `/api/daily-totals/${day}`,
      { cookie: sessions[who], body: { counts: { "20-29": n, "30-39": 1 } } });
    if (r?.report) {
      const prev = dailyLast.get(`${inst}/${day}`) ?? { n: 0, changes: 0 };
      dailyLast.set(`${inst}/${day}`, { n, changes: prev.changes + (r.changed ? 1 : 0), who, day });
    }
    await sleep(300 + Math.random() * 500);
  }
}

// Self-registration (issue 21): anonymous people on the public page, each from its own address (the page's per-address
// limit is not what this measures), one in five resending its last registration (same client key: same receipt).
const receipts = new Map(); // client key → receipt
let addressSeq = 0;
async function registerUser(i) {
  let last = null;
  for (let n = 0; !stop; n++) {
    const resend = last && n % 5 === 0;
    const body = resend ? last : {
      client_key: `load-${run}-${i}-${n}-registration`, consent_version: "2022-09-26.1",
      name: `負荷登録 ${i}-${n}`, furigana: "フカ トウロク", date_of_birth: "1995-04-01", sex: "女",
      phone: `080-${String(1000 + i).slice(-4)}-${String(n).padStart(4, "0")}`, postal_code: "1600022", municipality_code: "131041",
      address: "東京都新宿区新宿一丁目1番1号", result_kind: "antigen_kit", result_date: "2022-10-03", clinic_name: "",
    };
    addressSeq += 1;
    const r = await call("public: self-registration", "POST", "/api/self-registrations", {
      body, accept: [200, 201],
      headers: { "cf-connecting-ip": `198.19.${Math.floor(addressSeq / 250) % 250}.${(addressSeq % 250) + 1}` },
    });
    if (r?.receipt) {
      if (receipts.has(body.client_key) && receipts.get(body.client_key) !== r.receipt) {
        stat("public: self-registration").errors.push(`resend of ${body.client_key} answered another receipt`);
      }
      receipts.set(body.client_key, r.receipt);
    }
    last = body;
    await sleep(400 + Math.random() * 600);
  }
}

// ---- run -------------------------------------------------------------------------------------------------------------
console.log(`Load on local wrangler dev: ${USERS.clinic} clinic users filing, ${USERS.healthCenter} health-center users, ` +
  `${Math.min(USERS.patient, phones.length)} patients reporting, ${USERS.dailyTotals} clinics sending daily totals, ` +
  `${USERS.register} people self-registering, ${SECONDS} s, loopback, the same 2 cores` +
  (KILL ? "; the worker killed and restarted at half time" : ""));
const t0 = performance.now();
const startWall = Date.now();
const users = [
  ...Array.from({ length: USERS.clinic }, (_, i) => clinicUser(i)),
  ...Array.from({ length: USERS.healthCenter }, (_, i) => healthCenterUser(i)),
  ...Array.from({ length: USERS.patient }, (_, i) => patientUser(i)),
  ...Array.from({ length: USERS.dailyTotals }, (_, i) => dailyTotalsUser(i)),
  ...Array.from({ length: USERS.register }, (_, i) => registerUser(i)),
];
let restartMs = null;
const fault = (async () => {
  if (!KILL) return;
  await sleep((SECONDS * 1000) / 2);
  const k0 = performance.now();
  down = true;
  await edge.stop(); // SIGTERM, then SIGKILL after 5 s; the state folder stays
  edge = await startEdge({ persistTo: state });
  base = edge.api; // a new port: users follow (sessions live in the persisted KV)
  down = false;
  restartMs = performance.now() - k0;
})();
await sleep(SECONDS * 1000);
stop = true;
await Promise.all([...users, fault]);
const elapsed = (performance.now() - t0) / 1000;

// ---- what is stored --------------------------------------------------------------------------------------------------
let storedFilings = 0;
let duplicateFilings = 0;
for (const who of ["staff@shinjuku-hc.demo", "staff@setagaya-hc.demo"]) {
  const r = await call("verify", "POST", "/api/cases/search", { cookie: sessions[who], body: { criteria: { name: "負荷" } } });
  storedFilings += r.count;
  const names = new Map();
  for (let cursor = null, page = r; ; ) {
    for (const it of page.items) names.set(it.name, (names.get(it.name) ?? 0) + 1);
    cursor = page.next_cursor;
    if (!cursor) break;
    page = await call("verify", "POST", "/api/cases/search", { cookie: sessions[who], body: { criteria: { name: "負荷" }, cursor } });
  }
  for (const n of names.values()) if (n > 1) duplicateFilings += n - 1;
}
let storedReports = 0;
let acceptedReports = 0;
for (const [id, ids] of reported) {
  acceptedReports += ids.size;
  const tab = await call("verify", "GET", `/api/cases/${id}/observation`, { cookie: hcCookie });
  storedReports += tab.reports.filter((r) => r.reported_at >= startWall).length;
}
// Daily totals: one row per clinic-day holding the last acknowledged figure. Every PUT of a user sends new counts,
// so a duplicate would be a version repeating the one before it (one PUT applied twice) or a second row; a PUT applied
// whose answer was lost in the restart is resent with the same body and answered "unchanged" — one version, as meant.
let dailyLost = 0;
for (const last of dailyLast.values()) {
  const r = await call("verify", "GET", `/api/daily-totals/${last.day}`, { cookie: sessions[last.who] });
  const stored = r?.report;
  const twenties = 4; // "20-29" in shared::regime::DAILY_BANDS_2022 (0, 1-4, 5-9, 10-19, 20-29, …)
  if (!stored || stored.counts[twenties] !== last.n) dailyLost++;
}
const repeatedVersions = edge.d1(
  "SELECT COUNT(*) AS n FROM daily_total_versions a JOIN daily_total_versions b ON b.institution_id = a.institution_id " +
    "AND b.day = a.day AND b.version = a.version + 1 AND b.counts = a.counts",
)[0]?.n ?? 0;
const versionRows = edge.d1("SELECT COUNT(*) AS n FROM daily_total_versions")[0]?.n ?? 0;
const rowCount = edge.d1("SELECT COUNT(*) AS n FROM daily_totals")[0]?.n ?? 0;
// Self-registrations: every acknowledged receipt stored once, no person stored twice.
const regRows = edge.d1All("SELECT receipt, name FROM self_registrations WHERE name LIKE '負荷登録 %'");
const storedReceipts = new Set(regRows.map((x) => x.receipt));
const acknowledged = new Set(receipts.values());
const regLost = [...acknowledged].filter((x) => !storedReceipts.has(x)).length;
const byName = new Map();
for (const x of regRows) byName.set(x.name, (byName.get(x.name) ?? 0) + 1);
const regDuplicated = [...byName.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
await edge.stop();
rmSync(state, { recursive: true, force: true });

let errors = 0;
let requests = 0;
console.log(`  ${"action".padEnd(22)} ${"ok".padStart(6)} ${"409".padStart(5)} ${"retried".padStart(7)} ${"errors".padStart(6)}   p50      p95      p99      max (ms)`);
for (const [action, s] of stats) {
  if (action === "setup" || action === "verify") continue;
  const ms = [...s.ms].sort((a, b) => a - b);
  errors += s.errors.length;
  requests += s.ok + s.conflicts + s.errors.length;
  const f = (v) => (v === undefined ? "-" : v.toFixed(1)).padStart(8);
  console.log(`  ${action.padEnd(22)} ${String(s.ok).padStart(6)} ${String(s.conflicts).padStart(5)} ${String(s.retried).padStart(7)} ${String(s.errors.length).padStart(6)} ${f(pct(ms, 50))} ${f(pct(ms, 95))} ${f(pct(ms, 99))} ${f(ms.at(-1))}`);
  for (const e of s.errors.slice(0, 3)) console.log(`      ${e}`);
}
console.log(`  ${requests} requests in ${elapsed.toFixed(1)} s (${(requests / elapsed).toFixed(0)} req/s); errors: ${errors} (target 0)`);
if (restartMs !== null) console.log(`  worker killed and back in ${(restartMs / 1000).toFixed(1)} s; requests without an answer meanwhile were sent again`);
console.log(`  filings: ${filed.size} acknowledged, ${storedFilings} stored, ${Math.max(0, filed.size - storedFilings + duplicateFilings)} lost, ${duplicateFilings} duplicated`);
console.log(`  daily totals: ${dailyLast.size} clinic-days acknowledged, ${rowCount} rows stored (${versionRows} versions), ${dailyLost} lost, ${repeatedVersions + Math.max(0, rowCount - dailyLast.size)} duplicated`);
console.log(`  self-registrations: ${acknowledged.size} acknowledged (${receipts.size} client keys), ${regRows.length} stored, ${regLost} lost, ${regDuplicated} duplicated`);
console.log(`  reports: ${acceptedReports} accepted, ${storedReports} stored, ${Math.max(0, acceptedReports - storedReports)} lost, ${Math.max(0, storedReports - acceptedReports)} duplicated`);
