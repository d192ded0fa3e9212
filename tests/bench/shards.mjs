// Three shards beside one database (issue 23, "Performance"), in one run on the same machine: two edges start with
// the same seeded data — one with the committed configuration (wrangler.toml `SHARDS`: 東京都, 神奈川県 and the rest
// on three D1 databases), one with `SHARDS="*=DB"` (every record in the core database) — and the same requests are
// sent to both, interleaved request by request (A B, then B A) so that neither setup gets the quieter moments of
// the machine:
//
//   (a) filing a notification (POST /api/notifications), rotating over clinics in 東京都, 神奈川県 and 大阪府;
//   (b) a health center's search of its records (POST /api/cases/search as 新宿区保健所 staff);
//   (c) the national count dashboard (GET /api/counts as national staff: every shard) beside one prefecture's
//       (GET /api/counts as 東京都's prefecture staff: one shard).
//
// Printed: p50/p95 per request kind and setup, the ratios three-shard ÷ one-database (target ≤ 1.10 for routing) and
// national ÷ one prefecture on the three-shard edge (target ≤ 2.0), and where each edge's records actually are
// (rows of `cases` per database) so a run says whether the worker routed at all. The figures are checked too: the
// national count equals every filing, 東京都's equals Tokyo's filings, on both edges.
//
// The bench's own clinics and users in 神奈川県 and 大阪府 are added to each edge's core database here (not to the
// demo seed).
//
//   node tests/bench/shards.mjs            (or: cargo xtask bench shards)
//   SHARD_BENCH_N=…        measured requests per kind and setup (default 200; aggregates get half)
//   SHARD_BENCH_PRELOAD=…  records filed per prefecture and setup before measuring (default 150)
import { execFileSync } from "node:child_process";
import path from "node:path";
import { startEdge, ROOT } from "../support/edge.mjs";
import { firstSignInAs, signIn, DEMO_PASSWORD } from "../support/softauthn.mjs";
import { confirmedCase, jstToday } from "../support/notification.mjs";
import { hashPassword } from "../../edge/seed/demo.mjs";

const N = Number(process.env.SHARD_BENCH_N || 200);
const PRELOAD = Number(process.env.SHARD_BENCH_PRELOAD || 150);
const AGG_N = Math.max(20, Math.floor(N / 2));
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");
const ONE_DB = "*=DB";

// ---- the bench's own clinics, outside the demo's 東京都 ------------------------------------------------------------

const q = (v) => (v === null ? "NULL" : `'${String(v).replaceAll("'", "''")}'`);
const BENCH_CENTERS = [
  { id: "HC14201", name: "横須賀市保健所", pref_code: "14", prefecture: "神奈川県" },
  { id: "HC27102", name: "大阪市保健所", pref_code: "27", prefecture: "大阪府" },
];
const BENCH_CLINICS = [
  { id: "inst_bench_yokosuka", name: "横須賀ベンチクリニック", hc: "HC14201", pref: "14", address: "神奈川県横須賀市小川町11番地", phone: "046-000-0001",
    doctor: { id: "u_bench_doctor_yokosuka", login: "doctor@yokosuka-clinic.bench", name: "横須賀 一郎" } },
  { id: "inst_bench_osaka", name: "大阪ベンチクリニック", hc: "HC27102", pref: "27", address: "大阪府大阪市北区梅田一丁目1番1号", phone: "06-6000-0001",
    doctor: { id: "u_bench_doctor_osaka", login: "doctor@osaka-clinic.bench", name: "大阪 次郎" } },
];

function benchSql() {
  const now = Date.now();
  const lines = [];
  for (const h of BENCH_CENTERS) {
    lines.push(`INSERT OR IGNORE INTO health_centers (id, name, pref_code, prefecture, email) VALUES (${q(h.id)}, ${q(h.name)}, ${q(h.pref_code)}, ${q(h.prefecture)}, ${q(`notice@${h.id.toLowerCase()}.her-sys.example`)});`);
  }
  for (const c of BENCH_CLINICS) {
    lines.push(`INSERT OR IGNORE INTO institutions (id, name, health_center_id, pref_code, address, phone, created_at) VALUES (${q(c.id)}, ${q(c.name)}, ${q(c.hc)}, ${q(c.pref)}, ${q(c.address)}, ${q(c.phone)}, ${now});`);
    const d = c.doctor;
    lines.push(`INSERT OR IGNORE INTO users (id, login_id, display_name, email, role, institution_id, health_center_id, pref_code, password_hash, must_change_password, created_at, updated_at) VALUES (${q(d.id)}, ${q(d.login)}, ${q(d.name)}, ${q(`${d.id}@her-sys.example`)}, 'clinic_doctor', ${q(c.id)}, ${q(c.hc)}, ${q(c.pref)}, ${q(hashPassword(DEMO_PASSWORD))}, 0, ${now}, ${now});`);
  }
  return lines.join("\n");
}

/** A filing of prefecture `p` (the clinic's own prefecture decides the shard), patient `i`. */
const RESIDENCES = {
  13: { postal_code: "1600023", municipality_code: "131041", text: "東京都新宿区西新宿二丁目8番1号" },
  14: { postal_code: "2380000", municipality_code: "142018", text: "神奈川県横須賀市小川町11番地" },
  27: { postal_code: "5300001", municipality_code: "271276", text: "大阪府大阪市北区梅田一丁目1番1号" },
};
const FAMILY = [["山田", "ヤマダ"], ["佐藤", "サトウ"], ["鈴木", "スズキ"], ["高橋", "タカハシ"], ["田中", "タナカ"]];
const GIVEN = [["太郎", "タロウ"], ["花子", "ハナコ"], ["一郎", "イチロウ"], ["美咲", "ミサキ"], ["健", "ケン"], ["陽子", "ヨウコ"], ["翔", "ショウ"]];
function filing(p, i, clinic) {
  const [kanji, kana] = FAMILY[i % FAMILY.length];
  const [given, givenKana] = GIVEN[i % GIVEN.length];
  return confirmedCase({
    reporter: clinic ? { doctor_name: clinic.doctor.name, facility_name: clinic.name, facility_address: clinic.address, facility_phone: clinic.phone } : {},
    patient: {
      name: `${kanji} ${given}`, furigana: `${kana} ${givenKana}`,
      date_of_birth: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
      address: { ...RESIDENCES[p], phone: `090-${String(1000 + (i % 9000)).padStart(4, "0")}-${String(i % 10000).padStart(4, "0")}` },
    },
  });
}

// ---- measuring -------------------------------------------------------------------------------------------------------

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p95: pct(s, 95) };
};

async function timed(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Runs `n` rounds of `op(setup, i)` on both setups, alternating which goes first; answers ms per setup. */
async function interleaved(setups, n, op) {
  const ms = Object.fromEntries(setups.map((s) => [s.name, []]));
  for (let i = 0; i < n; i++) {
    const order = i % 2 === 0 ? setups : [...setups].reverse();
    for (const s of order) ms[s.name].push(await timed(() => op(s, i)));
  }
  return ms;
}

const expectStatus = (r, status, what) => {
  if (r.status !== status) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
  return r.body;
};

/** Rows of `sql` on one database of an edge's local state; `null` when that database has no such table (yet). */
function query(edge, binding, sql) {
  try {
    const out = execFileSync(WRANGLER, ["d1", "execute", binding, "--local", "--persist-to", edge.state, "--json", "--command", sql], {
      cwd: ROOT, env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" }, stdio: ["ignore", "pipe", "pipe"],
    }).toString();
    return JSON.parse(out)[0]?.results ?? [];
  } catch {
    return null;
  }
}

// ---- the run ---------------------------------------------------------------------------------------------------------

const sharded = { name: "three shards", edge: await startEdge({ seedDemo: true }) };
let single;
const stopAll = () => Promise.all([sharded, single].filter((s) => s?.edge).map((s) => s.edge.stop()));
for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => stopAll().finally(() => process.exit(130)));
try {
  single = { name: "one database", edge: await startEdge({ seedDemo: true, vars: { SHARDS: ONE_DB } }) };
  const setups = [sharded, single];
  for (const s of setups) {
    s.edge.d1(benchSql());
    s.doctors = {
      13: (await firstSignInAs(s.edge, "doctor@shinjuku-clinic.demo")).client,
      14: (await signIn(s.edge, BENCH_CLINICS[0].doctor.login, DEMO_PASSWORD)).client,
      27: (await signIn(s.edge, BENCH_CLINICS[1].doctor.login, DEMO_PASSWORD)).client,
    };
    s.hc = (await firstSignInAs(s.edge, "staff@shinjuku-hc.demo")).client;
    s.pref = (await firstSignInAs(s.edge, "pref@tokyo.demo")).client;
    s.nation = (await firstSignInAs(s.edge, "mhlw@national.demo")).client;
    s.filed = { 13: 0, 14: 0, 27: 0 };
  }
  const clinicOf = { 13: null, 14: BENCH_CLINICS[0], 27: BENCH_CLINICS[1] };
  const PREFS = ["13", "14", "27"];
  let key = 0;
  const file = async (s, p, i) => {
    key += 1;
    const r = await s.doctors[p].post("/api/notifications", {
      idempotency_key: `shards-${process.pid}-${key}`.padEnd(24, "x"),
      notification: filing(p, i, clinicOf[p]),
      acknowledged_warnings: [],
    });
    expectStatus(r, 201, `filing in ${p} (${s.name})`);
    s.filed[p] += 1;
  };

  // The same records on both edges before anything is measured: PRELOAD per prefecture, 6 at a time.
  const t0 = performance.now();
  for (const s of setups) {
    let next = 0;
    const total = PRELOAD * PREFS.length;
    await Promise.all(Array.from({ length: 6 }, async () => {
      while (next < total) {
        const i = next++;
        await file(s, PREFS[i % PREFS.length], i);
      }
    }));
  }
  const preloadSeconds = (performance.now() - t0) / 1000;

  // Warm-up of every path on both edges (not counted).
  await interleaved(setups, 10, (s, i) => file(s, PREFS[i % 3], 100_000 + i));
  const search = (s, i) => s.hc.post("/api/cases/search", { criteria: i % 2 === 0 ? {} : { furigana: FAMILY[i % FAMILY.length][1] } })
    .then((r) => expectStatus(r, 200, `search (${s.name})`));
  const today = jstToday();
  const counts = (client, what) => client.get(`/api/counts?to=${today}`).then((r) => expectStatus(r, 200, what));
  await interleaved(setups, 10, search);
  await interleaved(setups, 5, (s) => counts(s.nation, "national counts"));
  await interleaved(setups, 5, (s) => counts(s.pref, "prefecture counts"));

  // (a) filing, (b) search, (c) aggregates — interleaved across the two setups.
  const filingMs = await interleaved(setups, N, (s, i) => file(s, PREFS[i % 3], 200_000 + i));
  const searchMs = await interleaved(setups, N, search);
  const nationMs = await interleaved(setups, AGG_N, (s) => counts(s.nation, "national counts"));
  const prefMs = await interleaved(setups, AGG_N, (s) => counts(s.pref, "prefecture counts"));

  // The figures the aggregates answer are right on both edges: the nation counts every filing, 東京都 its own.
  for (const s of setups) {
    const sum = (d) => d.days.reduce((a, day) => a + day.total, 0);
    const nation = sum(await counts(s.nation, "national counts"));
    const tokyo = sum(await counts(s.pref, "prefecture counts"));
    const all = s.filed[13] + s.filed[14] + s.filed[27];
    if (nation !== all || tokyo !== s.filed[13]) {
      throw new Error(`${s.name}: the counts say nation ${nation}, 東京都 ${tokyo}; filed ${all}, in 東京都 ${s.filed[13]}`);
    }
    s.counted = { nation, tokyo };
  }

  const row = (label, ms) => {
    const a = stats(ms[sharded.name]);
    const b = stats(ms[single.name]);
    return `  ${label.padEnd(44)} ${a.p50.toFixed(1).padStart(7)} ${a.p95.toFixed(1).padStart(7)}   ${b.p50.toFixed(1).padStart(7)} ${b.p95.toFixed(1).padStart(7)}   ${(a.p50 / b.p50).toFixed(2).padStart(5)}`;
  };
  const perEdge = sharded.filed[13] + sharded.filed[14] + sharded.filed[27];
  console.log(`Three shards (SHARDS from wrangler.toml) beside one database (SHARDS="${ONE_DB}"), same data, interleaved, sequential requests, loopback:`);
  console.log(`  records per edge: ${perEdge} (東京都 ${sharded.filed[13]}, 神奈川県 ${sharded.filed[14]}, 大阪府 ${sharded.filed[27]}), ${PRELOAD * 3} of them filed before measuring (${preloadSeconds.toFixed(1)} s for both edges)`);
  console.log(`  ${"request (ms)".padEnd(44)} ${"three shards".padStart(15)}   ${"one database".padStart(15)}   ratio`);
  console.log(`  ${"".padEnd(44)} ${"p50".padStart(7)} ${"p95".padStart(7)}   ${"p50".padStart(7)} ${"p95".padStart(7)}   p50`);
  console.log(row(`(a) filing a notification (n=${N})`, filingMs));
  console.log(row(`(b) health center's search (n=${N})`, searchMs));
  console.log(row(`(c) national count dashboard (n=${AGG_N})`, nationMs));
  console.log(row(`    東京都's count dashboard (n=${AGG_N})`, prefMs));
  const ratio = (ms) => stats(ms[sharded.name]).p50 / stats(ms[single.name]).p50;
  const check = (v, max) => `${v.toFixed(2)} (target ≤ ${max.toFixed(2)}: ${v <= max ? "met" : "NOT met"})`;
  console.log(`  routing cost, three shards ÷ one database (p50): filing ${check(ratio(filingMs), 1.1)}, search ${check(ratio(searchMs), 1.1)}`);
  const fan = stats(nationMs[sharded.name]).p50 / stats(prefMs[sharded.name]).p50;
  const fanOne = stats(nationMs[single.name]).p50 / stats(prefMs[single.name]).p50;
  console.log(`  national over every shard ÷ one prefecture's shard (three shards, p50): ${check(fan, 2.0)}; on one database: ${fanOne.toFixed(2)}`);
  console.log(`  counts checked on both edges: nation = every filing (${sharded.counted.nation}), 東京都 = its filings (${sharded.counted.tokyo})`);

  // Where the records are: rows of `cases` in each database of each edge (a shard not migrated shows "-").
  const bindings = ["DB", "SHARD_TOKYO", "SHARD_KANAGAWA", "SHARD_REST"];
  for (const s of setups) {
    const cells = bindings.map((b) => {
      const rows = query(s.edge, b, "SELECT COUNT(*) AS n FROM cases");
      return `${b} ${rows === null ? "-" : rows[0].n}`;
    });
    console.log(`  records by database, ${s.name.padEnd(12)}: ${cells.join(", ")}`);
  }
  const inCore = query(sharded.edge, "DB", "SELECT COUNT(*) AS n FROM cases")?.[0]?.n ?? 0;
  if (inCore >= perEdge) {
    console.log("  (the three-shard edge kept every record in the core database: the worker does not route to shards yet,");
    console.log("   so both columns measure the same code and the ratios show only the noise of this machine)");
  }
} catch (e) {
  for (const s of [sharded, single].filter(Boolean)) {
    console.log(`--- ${s.name} log (errors) ---`);
    console.log(s.edge?.log().split("\n").filter((l) => /error|failed|panicked/i.test(l)).slice(-15).join("\n"));
  }
  throw e;
} finally {
  await stopAll();
}
