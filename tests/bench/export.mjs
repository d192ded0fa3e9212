// Export of 100,000 records (issue 22): the CSV and the FHIR NDJSON downloads streamed page by page by the worker,
// beside a plain `SELECT` of the same rows at once (`POST /api/bench/select-all`, one `.all()`), in the same run.
// For each: rows/s, bytes, and the worker's memory — the workerd process's resident set sampled from /proc every
// ~20 ms during the request (peak minus the value before it), and the wasm heap's size (`GET /api/bench/memory`)
// before and after (wasm memory only grows: the difference is what the request needed beyond what was there).
// The records: one notification filed through the API, copied 100,000 times by SQL (tests/support/bulk.mjs) into
// 新宿区保健所, filed over 100 days. No timed assertions; the figures are printed for BENCHMARKS.md.
import { readFileSync, readdirSync } from "node:fs";
import { startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { patientCase, freshKey } from "../support/notification.mjs";
import { seedCopies, jstMidnight } from "../support/bulk.mjs";

const N = Number(process.env.EXPORT_BENCH_N || 100_000);
const FROM = "2022-09-01";
const TO = "2022-12-31";

/** The workerd processes serving this edge: those whose ancestors include the wrangler started on `port`. */
function workerdPids(port) {
  const found = [];
  const cmd = (pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0"); } catch { return []; } };
  const ppid = (pid) => { try { return Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]); } catch { return 0; } };
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const c = cmd(d);
    if (!c[0] || !c[0].endsWith("workerd")) continue;
    for (let p = ppid(d), i = 0; p > 1 && i < 5; p = ppid(p), i++) {
      const pc = cmd(p);
      const at = pc.indexOf("--port");
      if (at >= 0 && pc[at + 1] === String(port)) { found.push(Number(d)); break; }
    }
  }
  if (!found.length) throw new Error(`no workerd for port ${port}`);
  return found;
}

/** The resident set of these processes together, in kB. */
const rssKb = (pids) => pids.reduce((sum, pid) => {
  try { return sum + Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]); } catch { return sum; }
}, 0);

/** Runs `work` while sampling the process's RSS every ~20 ms; answers its result with the peak over the start. */
async function sampled(pid, work) {
  const before = rssKb(pid);
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, rssKb(pid)); }, 20);
  try {
    const t0 = performance.now();
    const result = await work();
    const ms = performance.now() - t0;
    peak = Math.max(peak, rssKb(pid));
    return { ...result, ms, rssBeforeMb: before / 1024, rssPeakMb: (peak - before) / 1024 };
  } finally {
    clearInterval(timer);
  }
}

const edge = await startEdge({ seedDemo: true, vars: { BENCH_ROUTES: "1" } });
try {
  const doctor = await firstSignInAs(edge, "doctor_shinjuku");
  const hc = await firstSignInAs(edge, "hc_staff_shinjuku");
  const filed = await doctor.client.post("/api/notifications", {
    idempotency_key: freshKey(),
    notification: patientCase({ name: "輸出 一郎", furigana: "ユシュツ イチロウ", date_of_birth: "1975-03-04", phone: "090-5555-0001" }),
    acknowledged_warnings: [],
  });
  if (filed.status !== 201) throw new Error(`filing: ${filed.status} ${JSON.stringify(filed.body)}`);
  const t0 = performance.now();
  seedCopies(edge, { templateId: filed.body.id, count: N, fromMs: jstMidnight(FROM), tickMs: Math.floor((100 * 86_400_000) / N), prefix: "n_bench_" });
  console.log(`seeded ${N.toLocaleString("en")} filed records in ${((performance.now() - t0) / 1000).toFixed(1)} s (one INSERT … SELECT per table)`);
  const pid = workerdPids(edge.port);
  const headers = { "content-type": "application/json", origin: edge.api, cookie: hc.cookie };
  const wasm = async () => (await (await fetch(`${edge.api}/api/bench/memory`)).json()).wasm_bytes / 1048576;
  const span = { from: FROM, to: TO };

  const preview = await (await fetch(`${edge.api}/api/exports/preview`, { method: "POST", headers, body: JSON.stringify({ kind: "csv", ...span }) })).json();
  if (preview.count !== N) throw new Error(`preview count ${preview.count}, expected ${N}`);

  /** A streamed download read chunk by chunk (never held whole by the client either). */
  const download = (kind, extra = {}) => async () => {
    const r = await fetch(`${edge.api}/api/exports/download`, { method: "POST", headers, body: JSON.stringify({ kind, ...span, ...extra }) });
    if (r.status !== 200) throw new Error(`${kind}: ${r.status} ${await r.text()}`);
    let bytes = 0;
    let lines = 0;
    let firstByteMs = null;
    const t = performance.now();
    for await (const chunk of r.body) {
      if (firstByteMs === null) firstByteMs = performance.now() - t;
      bytes += chunk.length;
      for (const b of chunk) if (b === 0x0a) lines++;
    }
    return { rows: Number(r.headers.get("x-export-count")), bytes, lines, firstByteMs };
  };
  const selectAll = async () => {
    const r = await fetch(`${edge.api}/api/bench/select-all`, { method: "POST", headers, body: JSON.stringify(span) });
    const text = await r.text();
    if (r.status !== 200) return { rows: 0, failed: `${r.status} ${text.slice(0, 200)}` };
    const b = JSON.parse(text);
    return { rows: b.count, bytes: b.body_bytes, workerMs: b.ms };
  };

  const results = [];
  for (const [name, work] of [
    ["CSV (UTF-8, streamed)", download("csv")],
    ["FHIR NDJSON (streamed)", download("fhir")],
    ["plain SELECT of all rows at once", selectAll],
  ]) {
    const wasmBefore = await wasm();
    const r = await sampled(pid, work);
    const wasmAfter = await wasm();
    results.push({ name, ...r, wasmBefore, wasmAfter });
  }
  console.log(`${N.toLocaleString("en")} records in one health center, ${FROM}…${TO}; page size 500; workerd pid(s) ${pid.join(", ")}`);
  for (const r of results) {
    const rate = r.rows ? `${(r.rows / (r.ms / 1000)).toFixed(0).padStart(6)} rows/s` : "   failed";
    const size = r.bytes ? `${(r.bytes / 1048576).toFixed(1).padStart(6)} MB` : "";
    console.log(`${r.name.padEnd(34)} ${String(r.rows).padStart(7)} rows ${(r.ms / 1000).toFixed(1).padStart(6)} s ${rate} ${size}`
      + `  workerd RSS +${r.rssPeakMb.toFixed(0)} MB peak (from ${r.rssBeforeMb.toFixed(0)} MB)`
      + `  wasm heap ${r.wasmBefore.toFixed(1)} → ${r.wasmAfter.toFixed(1)} MB`
      + (r.firstByteMs != null ? `  first byte ${r.firstByteMs.toFixed(0)} ms` : "")
      + (r.lines != null ? `  lines ${r.lines}` : "")
      + (r.workerMs != null ? `  (worker's own ${r.workerMs} ms)` : "")
      + (r.failed ? `  ${r.failed}` : ""));
  }
} finally {
  await edge.stop();
}
