// Latency of GET /api/health (one D1 write+read+delete and one KV write+read) against the local worker:
// sequential and 10 concurrent, as distributions.
import { startEdge } from "../support/edge.mjs";

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summary(label, ms) {
  const s = [...ms].sort((a, b) => a - b);
  console.log(`  ${label}: n=${s.length} p50=${pct(s, 50).toFixed(2)} ms p95=${pct(s, 95).toFixed(2)} ms p99=${pct(s, 99).toFixed(2)} ms max=${s.at(-1).toFixed(2)} ms`);
}
async function timed(url) {
  const t = performance.now();
  const r = await fetch(url);
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return performance.now() - t;
}

const edge = await startEdge();
try {
  const url = `${edge.api}/api/health`;
  for (let i = 0; i < 20; i++) await timed(url);
  const seq = [];
  for (let i = 0; i < 300; i++) seq.push(await timed(url));
  const conc = [];
  for (let round = 0; round < 30; round++) conc.push(...(await Promise.all(Array.from({ length: 10 }, () => timed(url)))));
  const shell = [];
  for (let i = 0; i < 200; i++) shell.push(await timed(`${edge.api}/`));
  console.log("GET /api/health (D1 + KV round trip) on local wrangler dev:");
  summary("sequential", seq);
  summary("10 concurrent", conc);
  console.log("GET / (app shell through the worker and assets):");
  summary("sequential", shell);
} finally {
  await edge.stop();
}
