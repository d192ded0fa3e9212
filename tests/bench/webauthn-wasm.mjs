// Times one ES256 WebAuthn assertion verification in WebAssembly (the verifier the Worker runs), as a wasm32
// cdylib with no imports: build it with
//   cargo build --release -p shared --example webauthn_wasm_bench --target wasm32-unknown-unknown
// then run `node tests/bench/webauthn-wasm.mjs [ITERATIONS]` (default 1000, after 300 warm-up calls, so V8 has tiered the module up from Liftoff) from the repo
// root. Prints one JSON line: median and p95 per verification in microseconds, the .wasm size, and whether it
// meets the 2 ms target. Native counterpart: `cargo run --release -p shared --example webauthn_bench`.
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WASM = path.join(ROOT, "target/wasm32-unknown-unknown/release/examples/webauthn_wasm_bench.wasm");
const iterations = Number(process.argv[2] ?? 1000);

const bytes = readFileSync(WASM);
const { instance } = await WebAssembly.instantiate(bytes, {});
const { prepare, bench } = instance.exports;
if (prepare() !== 1) throw new Error("benchmark fixture does not verify in wasm");

for (let i = 0; i < 300; i++) bench(1);
const micros = [];
for (let i = 0; i < iterations; i++) {
  const start = performance.now();
  const ok = bench(1);
  micros.push((performance.now() - start) * 1000);
  if (ok !== 1) throw new Error(`verification failed at iteration ${i}`);
}
micros.sort((a, b) => a - b);
const pick = (q) => micros[Math.round((micros.length - 1) * q)];
const median = pick(0.5);
const p95 = pick(0.95);
console.log(JSON.stringify({
  bench: "webauthn_es256_assertion_wasm",
  iterations,
  median_us: Number(median.toFixed(1)),
  p95_us: Number(p95.toFixed(1)),
  min_us: Number(pick(0).toFixed(1)),
  wasm_bytes: bytes.length,
  meets_2ms_target: p95 <= 2000,
}));
