// Starts the real worker under `wrangler dev` (workerd, local D1 and KV) on a free port with a fresh state folder,
// migrations applied to every database wrangler.toml binds (the core `DB` and the shards of personal records, issue
// 23); stop() ends wrangler and its workerd processes and removes the state.
//
// Applying the migrations costs a wrangler start per database, so it is done once into a template state folder
// (target/d1-template/<hash of the migrations, wrangler.toml and wrangler's version>) that every edge copies.
import { spawn, execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import net from "node:net";
import path from "node:path";
import { seed } from "../../edge/seed/demo.mjs";
import { CORE, d1Bindings, shardFor, shardMap } from "../../edge/seed/databases.mjs";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");

/** Every D1 binding of wrangler.toml: the core first, then the shards (`["DB", "SHARD_TOKYO", …]`). */
export const DATABASES = d1Bindings();
export { CORE };
const MAP = shardMap();
/** The shards by name, as wrangler.toml's `SHARDS` maps the demo's prefectures: 東京都 (the demo records, every
 * test's filings), 神奈川県, and every other prefecture. */
export const SHARDS = Object.freeze({ tokyo: shardFor("13", MAP), kanagawa: shardFor("14", MAP), rest: MAP.rest });
/** The shard that holds prefecture `pref`'s records ("13" → "SHARD_TOKYO"). */
export const shardOf = (pref) => shardFor(pref, MAP);

const WRANGLER_ENV = () => ({ ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" });

function run(args, env) {
  return new Promise((resolve, reject) => {
    execFile(WRANGLER, args, { cwd: ROOT, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`wrangler ${args.join(" ")}: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout));
  });
}

/** Applies the migrations to every database of `state`, one after the other (wrangler instances applying to one state
 * folder at once collide on its SQLite files: SQLITE_BUSY). */
export async function migrateAll(state, env = WRANGLER_ENV()) {
  for (const db of DATABASES) await run(["d1", "migrations", "apply", db, "--local", "--persist-to", state], env);
}

/** A state folder with every database migrated, made once per set of migrations (see the header). */
async function migratedTemplate(env) {
  const hash = createHash("sha256");
  const migrations = path.join(ROOT, "edge/migrations");
  for (const f of readdirSync(migrations).sort()) hash.update(f).update(readFileSync(path.join(migrations, f)));
  hash.update(readFileSync(path.join(ROOT, "wrangler.toml")));
  hash.update(readFileSync(path.join(ROOT, "node_modules/wrangler/package.json")));
  const parent = path.join(ROOT, "target/d1-template");
  const dir = path.join(parent, hash.digest("hex").slice(0, 16));
  if (existsSync(path.join(dir, ".complete"))) return dir;
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(path.join(parent, "tmp-"));
  try {
    await migrateAll(tmp, env);
    writeFileSync(path.join(tmp, ".complete"), new Date().toISOString());
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // Another run made it meanwhile: use theirs.
    if (!existsSync(path.join(dir, ".complete"))) throw e;
  }
  return dir;
}

/** Answers `POST /api/test/settle` synchronously (for `d1`, which is synchronous): the shards' audit entries are
 * forwarded to the core's chain. A worker without the route (404) or without its audit key (503) has nothing to
 * forward. */
/** `sqlSync`'s answer when the worker refuses every request (a test edge without AUDIT_KEY): use wrangler then. */
const UNAVAILABLE = Symbol("unavailable");

function sqlSync(url, db, sql) {
  const script = `fetch(${JSON.stringify(`${url}/api/test/sql`)}, { method: "POST", headers: { origin: ${JSON.stringify(url)}, "content-type": "application/json" }, body: ${JSON.stringify(JSON.stringify({ db, sql }))} })
    .then(async (r) => { const t = await r.text(); if (r.status === 503) { process.stdout.write("null"); return; } if (!r.ok) { console.error(r.status, t); process.exit(1); } process.stdout.write(t); })
    .catch((e) => { console.error(String(e)); process.exit(1); });`;
  let out;
  try {
    out = execFileSync(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 << 20 }).toString();
  } catch (e) {
    throw new Error(`d1 ${db}: ${e.stderr?.toString() ?? e.message}\n${sql.slice(0, 500)}`);
  }
  const answer = JSON.parse(out);
  return answer === null ? UNAVAILABLE : answer.results ?? [];
}

function settleSync(url) {
  const script = `fetch(${JSON.stringify(`${url}/api/test/settle`)}, { method: "POST", headers: { origin: ${JSON.stringify(url)} } })
    .then(async (r) => { if (!r.ok && r.status !== 404 && r.status !== 503) { console.error(r.status, await r.text()); process.exit(1); } })
    .catch((e) => { console.error(String(e)); process.exit(1); });`;
  execFileSync(process.execPath, ["-e", script], { stdio: ["ignore", "ignore", "pipe"] });
}

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
  const env = WRANGLER_ENV();
  if (existsSync(path.join(state, "v3"))) await migrateAll(state, env);
  else cpSync(await migratedTemplate(env), state, { recursive: true, filter: (src) => !src.endsWith(".complete") });
  // `vars.SHARDS` (e.g. "*=DB", the one-database setup): the seed follows the worker's map.
  if (seedDemo) await seed({ root: ROOT, persistTo: state, env, records: seedRecords, shards: vars.SHARDS });
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
    /** Runs SQL on one of this worker's local databases (as a database writer would: it holds no key), answering
     * the rows. `db`: a binding (`CORE` = "DB", the default; `SHARDS.tokyo`, …). Before a read (SELECT) of
     * `audit_log` in the core, the shards' audit entries are forwarded there and the chain sealed (`settle`;
     * `{ settle: false }` leaves them). */
    d1(sql, { db = CORE, settle = true } = {}) {
      if (!DATABASES.includes(db)) throw new Error(`d1: ${db} is not a database of wrangler.toml (${DATABASES.join(", ")})`);
      if (settle && db === CORE && /^\s*(SELECT|WITH)\b/i.test(sql) && /\baudit_log\b/i.test(sql)) settleSync(url);
      // While the worker runs, through the worker itself (POST /api/test/sql): a second wrangler process writing the
      // same SQLite files collides with the worker's own writes (SQLITE_BUSY kills workerd).
      if (!exited) {
        const rows = sqlSync(url, db, sql);
        if (rows !== UNAVAILABLE) return rows;
      }
      const out = execFileSync(WRANGLER, ["d1", "execute", db, "--local", "--persist-to", state, "--json", "--command", sql], {
        cwd: ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      }).toString();
      return JSON.parse(out)[0]?.results ?? [];
    },
    /** `d1` on every database (the core and each shard): the rows of all, each tagged with its database (`_db`). */
    d1All(sql, opts = {}) {
      return DATABASES.flatMap((db) => this.d1(sql, { ...opts, db }).map((row) => ({ ...row, _db: db })));
    },
    /** Forwards the shards' audit entries to the core's chain and seals it (`POST /api/test/settle`). */
    async settle() {
      const r = await fetch(`${url}/api/test/settle`, { method: "POST", headers: { origin: url } });
      if (!r.ok && r.status !== 404 && r.status !== 503) throw new Error(`test settle: ${r.status} ${await r.text()}`);
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
