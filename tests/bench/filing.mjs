// Filing throughput and latency against the local worker (loopback only), at 10 and 50 concurrent clients, beside
// the ceiling of this machine measured in the same run: a worker route that only inserts the same row into D1
// (`POST /api/bench/insert`, enabled by BENCH_ROUTES=1 for this run only). Filing does validation, authorisation,
// routing, the outbox row, the idempotency row and the audit entry in one D1 batch, and seals the audit entry
// after answering (the notice e-mail is the scheduled handler's work, not the request's). Raw SQLite (Python's sqlite3, autocommit per row) is printed for reference.
import { spawnSync } from "node:child_process";
import { startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { confirmedCase } from "../support/notification.mjs";

const N = Number(process.env.FILING_BENCH_N || 600);

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `n` requests with `concurrency` workers; returns requests/s and latency percentiles. */
async function load(n, concurrency, send) {
  let next = 0;
  const ms = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const t = performance.now();
      await send(i);
      ms.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  ms.sort((a, b) => a - b);
  return { rps: n / seconds, p50: pct(ms, 50), p99: pct(ms, 99) };
}

const fmt = (r) => `${r.rps.toFixed(0).padStart(4)} req/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms`;

const edge = await startEdge({ seedDemo: true, vars: { BENCH_ROUTES: "1" } });
try {
  const { client } = await firstSignInAs(edge, "doctor@shinjuku-clinic.demo");
  const cookie = client.cookieHeader;
  const body = confirmedCase();
  const bodyText = JSON.stringify(body);
  const headers = { "content-type": "application/json", origin: edge.api, cookie };
  let run = 0;
  const file = async (i) => {
    const r = await fetch(`${edge.api}/api/notifications`, {
      method: "POST", headers,
      body: JSON.stringify({ idempotency_key: `bench-${run}-${i}-xxxxxxxxxxxx`, notification: body, acknowledged_warnings: [] }),
    });
    const text = await r.text();
    if (r.status !== 201) throw new Error(`filing: ${r.status} ${text}`);
  };
  const insert = async () => {
    const r = await fetch(`${edge.api}/api/bench/insert`, { method: "POST", headers, body: bodyText });
    await r.arrayBuffer();
    if (r.status !== 201) throw new Error(`insert: ${r.status}`);
  };
  // Warm up both paths.
  run = -1;
  await load(40, 5, file);
  await load(40, 5, insert);
  console.log(`Filing vs a bare INSERT route on local wrangler dev (n=${N} each, loopback, same 2 cores):`);
  for (const c of [10, 50]) {
    run = c;
    const ceiling = await load(N, c, insert);
    const filing = await load(N, c, file);
    console.log(`  ${String(c).padStart(2)} concurrent  bare insert: ${fmt(ceiling)}`);
    console.log(`  ${String(c).padStart(2)} concurrent  filing:      ${fmt(filing)}  → ${(filing.rps / ceiling.rps).toFixed(2)} of the ceiling (target ≥ 0.5)`);
  }
} catch (e) {
  console.log(edge.log().split("\n").filter((l) => /error|retried|failed/i.test(l)).slice(-15).join("\n"));
  throw e;
} finally {
  await edge.stop();
}

// Raw SQLite for reference: the same row, one autocommit INSERT each, in a temporary file.
const py = `
import sqlite3, time, tempfile, os, json
d = tempfile.mkdtemp(); db = sqlite3.connect(os.path.join(d, "b.sqlite"), isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE n (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, body TEXT, furigana_key TEXT, date_of_birth TEXT, institution_id TEXT, filed_at INTEGER)")
db.execute("CREATE INDEX n_f ON n(date_of_birth, furigana_key)")
body = ${JSON.stringify(bodyTextForPython())}
t = time.perf_counter()
for i in range(5000):
    db.execute("INSERT INTO n (id, body, furigana_key, date_of_birth, institution_id, filed_at) VALUES (?,?,?,?,?,?)", (f"n{i}", body, "ヤマダタロウ", "1980-01-15", "inst", i))
dt = time.perf_counter() - t
print(f"  raw SQLite (python sqlite3, WAL, autocommit): {5000/dt:.0f} inserts/s, {dt/5000*1000:.3f} ms each")
`;
function bodyTextForPython() {
  return JSON.stringify(confirmedCase());
}
const r = spawnSync("python3", ["-c", py], { encoding: "utf8" });
process.stdout.write(r.stdout || r.stderr || "  raw SQLite: python3 not available\n");
