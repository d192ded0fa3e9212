// The local databases as wrangler.toml binds them (issue 23): the core (`DB`) and the shards of personal records,
// and which shard holds a prefecture's records (the `SHARDS` variable, read as shared/src/shard.rs reads it). The
// seeds, the test harness (tests/support/edge.mjs) and the benchmarks take the names from here, never from a list
// of their own. Only the top-level configuration (the one `wrangler dev` runs) is read, not `[env.*]`.
import { readFileSync } from "node:fs";
import path from "node:path";

/** The binding of the core database (shared::shard::CORE). */
export const CORE = "DB";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The part of wrangler.toml before the first `[env.*]` table: what `wrangler dev` uses. */
function topLevel(root = ROOT) {
  const toml = readFileSync(path.join(root, "wrangler.toml"), "utf8");
  const env = toml.search(/^\[+env\./m);
  return env < 0 ? toml : toml.slice(0, env);
}

/** Every D1 binding of the local configuration, in the file's order (the core first if it is first there). */
export function d1Bindings(root = ROOT) {
  const out = [];
  for (const block of topLevel(root).split(/^\[\[d1_databases\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0];
    const m = /^\s*binding\s*=\s*"([^"]+)"/m.exec(body);
    if (!m) throw new Error(`wrangler.toml: a [[d1_databases]] without a binding:\n${body}`);
    out.push(m[1]);
  }
  if (!out.includes(CORE)) throw new Error(`wrangler.toml binds no core database ${CORE}`);
  return out;
}

/** The `SHARDS` variable of `[vars]` (absent: every record in the core, as `*=DB`). */
export function shardsVar(root = ROOT) {
  const text = topLevel(root);
  const at = text.search(/^\[vars\]\s*$/m);
  if (at < 0) return `*=${CORE}`;
  const vars = text.slice(at + "[vars]".length).split(/^\[/m)[0];
  const m = /^\s*SHARDS\s*=\s*"([^"]*)"/m.exec(vars);
  return m ? m[1] : `*=${CORE}`;
}

/** The map prefecture code → binding: `{ named: { "13": "SHARD_TOKYO", … }, rest: "SHARD_REST" }`. */
export function shardMap(text = shardsVar()) {
  const named = {};
  let rest = null;
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [pref, binding] = part.split("=").map((s) => s.trim());
    if (!binding) throw new Error(`SHARDS: ${part} is not prefecture=BINDING`);
    if (pref === "*") rest = binding;
    else named[pref] = binding;
  }
  if (!rest) throw new Error(`SHARDS: no * (every other prefecture) in ${text}`);
  return { named, rest };
}

/** The binding that holds the records of prefecture `pref` ("13"; "*" for the rest). */
export function shardFor(pref, map = shardMap()) {
  return map.named[pref] ?? map.rest;
}

/** Every database that holds records (the shards; just the core in the one-database setup), without repeats. */
export function recordDatabases(map = shardMap()) {
  return [...new Set([...Object.values(map.named), map.rest])];
}
