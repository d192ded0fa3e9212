// Drive-through sync (issue 9): 1,000 queued records synced over loopback to the local worker, as the app sends
// them (batches of BATCH_MAX = 100, one after another), total time (target ≤ 5 s); then the same queue size with the
// edge stopped after the third batch and started again on the same state: what was lost, what was duplicated, and
// how long the resumed sync took. Figures are printed, not asserted (a test checks correctness: tests/api/sync.test.mjs).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { driveRecord } from "../support/drive.mjs";

const N = Number(process.env.SYNC_BENCH_N || 1000);
const BATCH = 100;

const batchesOf = (records) => Array.from({ length: Math.ceil(records.length / BATCH) }, (_, i) => records.slice(i * BATCH, (i + 1) * BATCH));

async function syncAll(who, records, { onBatch } = {}) {
  const per = [];
  let applied = 0;
  let replayed = 0;
  for (const [i, b] of batchesOf(records).entries()) {
    const t = performance.now();
    const r = await who.client.post("/api/sync", { protocol: 1, records: b });
    per.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`batch ${i}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    for (const x of r.body.results) {
      if (x.outcome !== "applied") throw new Error(`batch ${i}: ${JSON.stringify(x)}`);
      if (x.replayed) replayed++;
      else applied++;
    }
    if (onBatch) await onBatch(i);
  }
  return { per, applied, replayed };
}

const count = async (who, name) => (await who.client.post("/api/cases/search", { criteria: { name } })).body.count;

// 1. A full queue.
{
  const edge = await startEdge({ seedDemo: true });
  try {
    const who = await firstSignInAs(edge, "doctor@shinjuku-clinic.demo");
    // Warm-up (first requests compile the worker's code paths).
    await syncAll(who, Array.from({ length: 20 }, (_, i) => driveRecord(i, { prefix: "暖機", result: "陰性" })));
    const records = Array.from({ length: N }, (_, i) => driveRecord(i, { prefix: "計測", result: i % 7 ? "陰性" : "陽性" }));
    const bytes = JSON.stringify({ protocol: 1, records: records.slice(0, BATCH) }).length;
    const t0 = performance.now();
    const r = await syncAll(who, records);
    const total = performance.now() - t0;
    const onServer = await count(who, "計測");
    const sorted = [...r.per].sort((a, b) => a - b);
    console.log(`sync of ${N} queued records over loopback, ${r.per.length} batches of ${BATCH} (${(bytes / 1024).toFixed(0)} KB each):`);
    console.log(`  total ${(total / 1000).toFixed(2)} s (target ≤ 5 s); ${(N / (total / 1000)).toFixed(0)} records/s; per batch min ${sorted[0].toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`);
    console.log(`  on the server: ${onServer} (applied ${r.applied}, replayed ${r.replayed})`);
    // The same queue again (a device that lost every answer): nothing written.
    const t1 = performance.now();
    const again = await syncAll(who, records);
    console.log(`  the same ${N} again: ${((performance.now() - t1) / 1000).toFixed(2)} s, replayed ${again.replayed}, new ${again.applied}; on the server: ${await count(who, "計測")}`);
  } finally {
    await edge.stop();
  }
}

// 2. Killed mid-sync and resumed.
{
  const state = mkdtempSync(path.join(tmpdir(), "hersys-sync-bench-"));
  let edge = await startEdge({ seedDemo: true, persistTo: state });
  try {
    const who = await firstSignInAs(edge, "doctor@shinjuku-clinic.demo");
    const records = Array.from({ length: N }, (_, i) => driveRecord(i, { prefix: "再開", result: "陰性" }));
    const batches = batchesOf(records);
    // The device's view: a batch is done once its answer arrived.
    let done = 0;
    try {
      await syncAll(who, records, {
        onBatch: async (i) => {
          done = i + 1;
          if (i === 2) {
            // The next batch is sent, and the edge stops while it is being worked on.
            const inFlight = who.client.post("/api/sync", { protocol: 1, records: batches[3] }).catch(() => null);
            await new Promise((r) => setTimeout(r, 15));
            await edge.stop();
            await inFlight;
            throw new Error("stopped");
          }
        },
      });
    } catch (e) {
      if (e.message !== "stopped") throw e;
    }
    const t0 = performance.now();
    edge = await startEdge({ persistTo: state });
    const restart = performance.now() - t0;
    who.client.edge = edge;
    who.client.origin = edge.api;
    const t1 = performance.now();
    const rest = await syncAll(who, records.slice(done * BATCH));
    const resume = performance.now() - t1;
    const onServer = await count(who, "再開");
    console.log(`killed mid-sync after ${done} answered batches (batch ${done + 1} in flight), edge restarted on the same state in ${(restart / 1000).toFixed(1)} s:`);
    console.log(`  resumed ${N - done * BATCH} records in ${(resume / 1000).toFixed(2)} s (${rest.replayed} already applied before the stop, ${rest.applied} new)`);
    console.log(`  on the server: ${onServer} of ${N}: lost ${N - Math.min(onServer, N)}, duplicated ${Math.max(0, onServer - N)}`);
  } finally {
    await edge.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
