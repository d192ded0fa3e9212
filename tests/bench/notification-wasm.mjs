// Times notification validation in WebAssembly (the rules the app runs as the user types and the Worker runs on
// every filing), as a wasm32 cdylib with no imports: build it with
//   cargo build --release -p shared --example notification_wasm_bench --target wasm32-unknown-unknown
// then run `node tests/bench/notification-wasm.mjs [COUNT]` (default 10000 varied notifications, after one warm-up
// pass so V8 has tiered the module up from Liftoff) from the repo root. Prints one JSON line per measurement:
// throughput over the whole batch, and the median and p95 per notification in microseconds (each timed alone),
// for validation alone and for JSON parse + validation. Native counterpart:
// `cargo run --release -p shared --example notification_bench`.
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WASM = path.join(ROOT, "target/wasm32-unknown-unknown/release/examples/notification_wasm_bench.wasm");
const count = Number(process.argv[2] ?? 10000);

const bytes = readFileSync(WASM);
const { instance } = await WebAssembly.instantiate(bytes, {});
const { prepare, bench, bench_json } = instance.exports;
const fileable = prepare(count);
if (fileable === 0 || fileable >= count) throw new Error(`fixture: ${fileable} of ${count} fileable`);

function measure(name, fn) {
  fn(0, count); // warm-up pass
  const batchStart = performance.now();
  fn(0, count);
  const batchMs = performance.now() - batchStart;
  const micros = new Array(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    fn(i, 1);
    micros[i] = (performance.now() - start) * 1000;
  }
  micros.sort((a, b) => a - b);
  const pick = (q) => micros[Math.round((micros.length - 1) * q)];
  console.log(JSON.stringify({
    bench: name,
    count,
    per_second: Math.round(count / (batchMs / 1000)),
    median_us: Number(pick(0.5).toFixed(2)),
    p95_us: Number(pick(0.95).toFixed(2)),
    max_us: Number(pick(1).toFixed(1)),
    fileable,
    wasm_bytes: bytes.length,
  }));
}

measure("notification_validate_wasm", bench);
measure("notification_parse_and_validate_wasm", bench_json);
