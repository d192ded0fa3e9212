// Sign-in cost on the local worker (workerd + local D1/KV on loopback): the password step (PBKDF2-HMAC-SHA256 at
// 100,000 iterations through WebCrypto, plus D1 reads and audit writes) and the assertion step (ES256 verification
// in wasm, single-use challenge and counter update in D1, session in KV), as distributions over sequential
// requests. Local I/O is sub-millisecond, so these times are dominated by CPU; the production figure would add the
// platform's storage round trips. Run: node tests/bench/signin.mjs [rounds]
import { startEdge } from "../support/edge.mjs";
import { Client, DEMO_PASSWORD, signIn } from "../support/softauthn.mjs";

const rounds = Number(process.argv[2] ?? 40);

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summary(label, ms) {
  const s = [...ms].sort((a, b) => a - b);
  console.log(`  ${label}: n=${s.length} p50=${pct(s, 50).toFixed(1)} ms p95=${pct(s, 95).toFixed(1)} ms max=${s.at(-1).toFixed(1)} ms`);
}

const edge = await startEdge({ seedDemo: true });
try {
  const login = "doctor@shinjuku-clinic.demo";
  const first = await signIn(edge, login, DEMO_PASSWORD);
  const authenticator = first.authenticator;
  const password = [];
  const assertion = [];
  for (let i = 0; i < rounds; i++) {
    const client = new Client(edge);
    let t = performance.now();
    const step = await client.post("/api/auth/password", { login_id: login, password: DEMO_PASSWORD });
    password.push(performance.now() - t);
    if (step.body?.next !== "webauthn") throw new Error(JSON.stringify(step.body));
    const cred = authenticator.get(step.body.options_json);
    t = performance.now();
    const done = await client.post("/api/auth/webauthn", { credential_json: JSON.stringify(cred) });
    assertion.push(performance.now() - t);
    if (done.status !== 200) throw new Error(JSON.stringify(done.body));
  }
  const wrong = [];
  for (let i = 0; i < 9; i++) {
    const client = new Client(edge);
    const t = performance.now();
    await client.post("/api/auth/password", { login_id: "nobody@nowhere.demo", password: "x" });
    wrong.push(performance.now() - t);
  }
  console.log("sign-in on local wrangler dev (wall time per request on loopback):");
  summary("password step (PBKDF2 100k + D1 + audit)", password);
  summary("assertion step (ES256 + D1 + KV session)", assertion);
  summary("unknown ID (same PBKDF2 cost, for timing parity)", wrong);
} finally {
  await edge.stop();
}
