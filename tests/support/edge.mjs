// Starts the real worker under `wrangler dev` (workerd, local D1 and KV) on a free port with a fresh state folder,
// migrations applied; stop() ends wrangler and its workerd processes and removes the state.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import net from "node:net";
import path from "node:path";
import { seed } from "../../edge/seed/demo.mjs";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");

/** The workspace version, as the worker reports it in /api/health. */
export function workspaceVersion() {
  const toml = readFileSync(path.join(ROOT, "Cargo.toml"), "utf8");
  const section = toml.slice(toml.indexOf("[workspace.package]"));
  return /version\s*=\s*"([^"]+)"/.exec(section)[1];
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** `persistTo`: keep the state in this folder (created if missing) instead of a fresh temporary one.
 * `seedDemo`: load the demo health centers, clinics and users (see edge/seed/demo.mjs); `seedRecords`: also the
 * demo patient records the dev command serves (edge/seed/records.mjs). `vars`: worker variables
 * for this run (e.g. `{ BENCH_ROUTES: "1" }`). The audit chain's key (the `AUDIT_KEY` secret) is a fresh random one
 * per run (kept in a `persistTo` folder) unless `vars` names one; `AUDIT_KEY: null` starts the worker without it. */
export async function startEdge({ seedDemo = false, seedRecords = false, vars = {}, persistTo, healthy = true } = {}) {
  // `persistTo`: a state folder to use and keep (the search benchmark's million records); otherwise a fresh one.
  const state = persistTo ?? mkdtempSync(path.join(tmpdir(), "hersys-state-"));
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    CI: "true",
  };
  execFileSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    cwd: ROOT,
    env,
    stdio: "pipe",
  });
  if (seedDemo) await seed({ root: ROOT, persistTo: state, env, records: seedRecords });
  // A kept state folder keeps its key (in the folder), so its chain still verifies on the next start.
  const keyFile = path.join(state, "audit-key.test");
  if (persistTo && !existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString("base64url"));
  const auditKey = "AUDIT_KEY" in vars ? vars.AUDIT_KEY
    : persistTo ? readFileSync(keyFile, "utf8").trim() : randomBytes(32).toString("base64url");
  const port = await freePort();
  const inspector = await freePort();
  // A test edge (shared::config): its own origin, and the clock the tests move (PUT /api/test/clock).
  const workerVars = {
    ENVIRONMENT: "test", RP_ID: "localhost", ALLOWED_ORIGINS: `http://localhost:${port}`, TEST_CLOCK: "1",
    ...vars, AUDIT_KEY: auditKey,
  };
  if (auditKey === null) delete workerVars.AUDIT_KEY;
  const child = spawn(
    WRANGLER,
    ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
      "--persist-to", state, "--show-interactive-dev-session=false",
      ...Object.entries(workerVars).flatMap(([k, v]) => ["--var", `${k}:${v}`])],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  let exited = null;
  const exit = new Promise((resolve) => child.on("exit", (code, signal) => resolve((exited = { code, signal }))));

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`wrangler dev exited ${JSON.stringify(exited)}:\n${log}`);
    try {
      const r = await fetch(`${base}/api/health`);
      // `healthy: false`: any answer will do (a test of a configuration the worker refuses).
      if (r.ok || (!healthy && r.status >= 400)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`wrangler dev did not become healthy in 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const url = `http://localhost:${port}`;
  return {
    port,
    // WebAuthn needs the page on `localhost` (RP_ID), and our origin is `http://localhost:<port>` (ALLOWED_ORIGINS):
    // API clients use it too (Node's fetch reaches wrangler's 127.0.0.1 through `localhost`).
    url,
    api: url,
    log: () => log,
    /** Moves the worker's clock `offsetMs` from the real one (0 puts it back); answers the worker's new now. */
    async setClock(offsetMs) {
      const r = await fetch(`${url}/api/test/clock`, {
        method: "PUT",
        headers: { "content-type": "application/json", origin: url },
        body: JSON.stringify({ offset_ms: offsetMs }),
      });
      if (!r.ok) throw new Error(`test clock: ${r.status} ${await r.text()}`);
      return (await r.json()).now_ms;
    },
    /** Runs SQL on this worker's local D1 (as a database writer would: it holds no key), answering the rows. */
    d1(sql) {
      const out = execFileSync(WRANGLER, ["d1", "execute", "DB", "--local", "--persist-to", state, "--json", "--command", sql], {
        cwd: ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      }).toString();
      return JSON.parse(out)[0]?.results ?? [];
    },
    async stop() {
      if (!exited) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exit;
        clearTimeout(timer);
      }
      if (!persistTo) rmSync(state, { recursive: true, force: true });
    },
    state,
  };
}
