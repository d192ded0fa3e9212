// The edge over HTTP, as it runs: the built worker on workerd with local D1 and KV.
import http from "node:http";
import zlib from "node:zlib";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { startEdge, workspaceVersion, ROOT } from "../support/edge.mjs";

let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

function assertSecurityHeaders(res, where) {
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'self'/, `${where}: CSP`);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/, `${where}: script-src`);
  assert.match(csp, /frame-ancestors 'none'/, `${where}: frame-ancestors`);
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/, `${where}: no inline/eval`);
  assert.match(res.headers.get("strict-transport-security") ?? "", /max-age=\d+/, `${where}: HSTS`);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", `${where}: nosniff`);
  assert.equal(res.headers.get("referrer-policy"), "no-referrer", `${where}: referrer`);
}

test("health reports the build version and a real D1 and KV read", async () => {
  const res = await fetch(`${edge.api}/api/health`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /application\/json/);
  const body = await res.json();
  assert.equal(body.status, "ok");
  assert.equal(body.version, workspaceVersion());
  assert.equal(body.d1.ok, true, JSON.stringify(body));
  assert.equal(body.kv.ok, true, JSON.stringify(body));
  assert.equal(typeof body.d1.round_trip_ms, "number");
  assertSecurityHeaders(res, "/api/health");
  assert.equal(res.headers.get("cache-control"), "no-store");
});

/** The running edge's D1 and KV as stored: each store file's size and last write, and what a query and a listing see. */
function storeSnapshot() {
  const files = [];
  for (const kind of ["d1/miniflare-D1DatabaseObject", "kv/miniflare-KVNamespaceObject"]) {
    const dir = path.join(edge.state, "v3", kind);
    for (const name of readdirSync(dir).sort()) {
      // The data files (not the shared-memory index, which reads touch, nor the runtime's own metadata).
      if (name.startsWith("metadata") || name.endsWith("-shm")) continue;
      const st = statSync(path.join(dir, name));
      files.push(`${kind}/${name} ${st.size} ${st.mtimeMs}`);
    }
  }
  const wrangler = (...args) => execFileSync(path.join(ROOT, "node_modules/.bin/wrangler"), [...args, "--local", "--persist-to", edge.state],
    { cwd: ROOT, env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" }, stdio: "pipe" }).toString();
  const probeRows = JSON.parse(wrangler("d1", "execute", "DB", "--json", "--command", "SELECT COUNT(*) AS n FROM health_probe"))[0].results[0].n;
  const kvKeys = JSON.parse(wrangler("kv", "key", "list", "--binding", "KV"));
  return { files, probeRows, kvKeys };
}

test("health only reads: D1 and KV are unchanged by any number of checks", async () => {
  const before = storeSnapshot();
  await new Promise((r) => setTimeout(r, 50));
  const all = await Promise.all(Array.from({ length: 10 }, () => fetch(`${edge.api}/api/health`).then((r) => r.json())));
  for (const body of all) assert.equal(body.status, "ok", JSON.stringify(body));
  const after = storeSnapshot();
  assert.deepEqual(after.kvKeys, before.kvKeys, "no KV key written");
  assert.equal(after.probeRows, before.probeRows, "no D1 row left");
  assert.deepEqual(after.files, before.files, "no D1 or KV file written");
});

test("concurrent health checks all answer with both stores' round trips", async () => {
  const all = await Promise.all(Array.from({ length: 8 }, () => fetch(`${edge.api}/api/health`).then((r) => r.json())));
  for (const body of all) {
    assert.equal(body.d1.ok, true, JSON.stringify(body));
    assert.equal(body.kv.ok, true, JSON.stringify(body));
  }
});

test("unknown API paths get a JSON 404 with a stable code, not the app page", async () => {
  for (const p of ["/api/nope", "/api", "/api/health/extra"]) {
    const res = await fetch(`${edge.api}${p}`);
    assert.equal(res.status, 404, p);
    const body = await res.json();
    assert.equal(body.error.code, "NOT_FOUND", p);
    assert.match(body.error.message, /存在しません/);
    assert.equal(res.headers.get("cache-control"), "no-store", p);
    assertSecurityHeaders(res, p);
  }
});

test("a wrong method gets 405 METHOD_NOT_ALLOWED; without our Origin it is refused first", async () => {
  const foreign = await fetch(`${edge.api}/api/health`, { method: "POST", body: "{}" });
  assert.equal(foreign.status, 403);
  assert.equal((await foreign.json()).error.code, "ORIGIN_MISMATCH");
  const res = await fetch(`${edge.api}/api/health`, { method: "POST", body: "{}", headers: { origin: edge.api } });
  assert.equal(res.status, 405);
  assert.equal((await res.json()).error.code, "METHOD_NOT_ALLOWED");
  assert.equal(res.headers.get("cache-control"), "no-store");
});

// Each page is its entry point's HTML (shared::entry::RULES), naming its own content-named script, wasm and CSS.
const PAGES = [
  ["/", "signin"],
  ["/signin", "signin"],
  ["/no/such/page", "signin"],
  ["/observe", "observe"],
  ["/records", "records"],
  ["/records/c-1/basic", "records"],
  ["/records/c-1/slip", "desk"],
  ["/notifications/new", "filing"],
  ["/drive", "drive"],
  ["/alerts", "desk"],
  ["/admin", "admin"],
];
const entryOf = (html) => {
  const m = /<meta name="hersys-entry" content="([a-z]+)" data-script="([^"]+)" data-wasm="([^"]+)" data-style="([^"]+)">/.exec(html);
  return m && { name: m[1], script: m[2], wasm: m[3], style: m[4] };
};

test("every page and deep link is its entry's HTML, with the security headers and no inline script", async () => {
  for (const [p, name] of PAGES) {
    const res = await fetch(`${edge.api}${p}`);
    assert.equal(res.status, 200, p);
    assert.match(res.headers.get("content-type"), /text\/html/, p);
    assert.equal(res.headers.get("cache-control"), "no-cache", `${p}: revalidated, so a new build shows at once`);
    const html = await res.text();
    const entry = entryOf(html);
    assert.equal(entry?.name, name, p);
    assert.match(entry.script, new RegExp(`^/pkg/${name}-[0-9a-f]{10}\\.js$`), p);
    assert.match(entry.wasm, new RegExp(`^/pkg/${name}-[0-9a-f]{10}\\.wasm$`), p);
    assert.ok(html.includes(`<script type="module" src="${entry.script}"></script>`), p);
    assert.doesNotMatch(html, /<script>(?!<\/script>)/, `${p}: no inline script`);
    assertSecurityHeaders(res, p);
  }
  for (const p of ["/sw.js", "/manifest.webmanifest", "/entry/observe.html"]) {
    const res = await fetch(`${edge.api}${p}`, { redirect: "manual" });
    assert.equal(res.status, 200, p);
    assertSecurityHeaders(res, p);
  }
  const post = await fetch(`${edge.api}/records`, { method: "POST", body: "x" });
  assert.equal(post.status, 405, "a page answers GET and HEAD only");
  assert.equal((await post.json()).error.code, "METHOD_NOT_ALLOWED");
  for (const p of ["/pkg/app.js", "/pkg/app_bg.wasm", "/pkg/signin-0000000000.wasm", "/index.html"]) {
    assert.equal((await fetch(`${edge.api}${p}`)).status, 404, `${p}: no such file (no fallback page for files)`);
  }
});

// node's fetch sets Accept-Encoding itself; a raw request says exactly what it accepts and gets the bytes as sent.
// Locally, wrangler's proxy plays Cloudflare's front line: it answers with the first of gzip and br that the client
// lists (Chrome lists gzip first, so Chrome gets gzip here) and passes our brotli through to a client asking for br.
const raw = (url, acceptEncoding) =>
  new Promise((resolve, reject) => {
    http
      .get(url, { headers: { "accept-encoding": acceptEncoding } }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
const decode = ({ headers, body }) =>
  headers["content-encoding"] === "br" ? zlib.brotliDecompressSync(body)
    : headers["content-encoding"] === "gzip" ? zlib.gunzipSync(body) : body;

test("the code is content-named, cached for ever, and sent brotli-compressed to browsers that accept it", async () => {
  const { wasm, script, style } = entryOf(await (await fetch(`${edge.api}/observe`)).text());
  for (const [file, type] of [[wasm, "application/wasm"], [script, "text/javascript"], [style, "text/css"]]) {
    const br = await raw(`${edge.api}${file}`, "br");
    assert.equal(br.status, 200, file);
    assert.match(br.headers["content-type"], new RegExp(type), file);
    assert.equal(br.headers["content-encoding"], "br", file);
    assert.match(br.headers.vary, /accept-encoding/i, file);
    assert.equal(br.headers["cache-control"], "public, max-age=31536000, immutable", file);
    for (const [name, value] of Object.entries({ "x-content-type-options": "nosniff", "x-frame-options": "DENY" })) {
      assert.equal(br.headers[name], value, `${file}: ${name}`);
    }
    // Without brotli: not brotli (gzip or plain), the same file once decoded.
    const other = await raw(`${edge.api}${file}`, "gzip");
    assert.equal(other.status, 200, file);
    assert.notEqual(other.headers["content-encoding"], "br", file);
    assert.match(other.headers.vary ?? "", /accept-encoding/i, file);
    assert.equal(other.headers["cache-control"], "public, max-age=31536000, immutable", file);
    const a = decode(br);
    assert.ok(a.length > 0 && a.equals(decode(other)), `${file}: the brotli body decodes to the file`);
    assert.ok(br.body.length < a.length, `${file}: compressed (${br.body.length} of ${a.length} B)`);
    if (file === wasm) assert.deepEqual([...a.subarray(0, 4)], [0, 0x61, 0x73, 0x6d], "wasm magic once decoded");
  }
});

test("the manifest makes the app installable", async () => {
  const res = await fetch(`${edge.api}/manifest.webmanifest`);
  assert.equal(res.status, 200);
  const m = JSON.parse(await res.text());
  assert.equal(m.display, "standalone");
  assert.equal(m.start_url, "/");
  assert.equal(m.lang, "ja");
  for (const size of ["192x192", "512x512"]) {
    const icon = m.icons.find((i) => i.sizes === size && i.purpose.includes("any"));
    assert.ok(icon, size);
    const img = await fetch(`${edge.api}${icon.src}`);
    assert.equal(img.status, 200);
    assert.equal(img.headers.get("content-type"), "image/png");
    const bytes = new Uint8Array(await img.arrayBuffer());
    const [w, h] = size.split("x").map(Number);
    const view = new DataView(bytes.buffer);
    assert.equal(view.getUint32(16), w, `${size} width`);
    assert.equal(view.getUint32(20), h, `${size} height`);
  }
});

test("the service worker knows every entry's files and the path table, and never /api", async () => {
  const sw = await (await fetch(`${edge.api}/sw.js`)).text();
  assert.doesNotMatch(sw, /__BUILD_ID__|__COMMON_FILES__|__ENTRIES__|__RULES__/);
  const common = JSON.parse(/const COMMON = (\[.*\]);/.exec(sw)[1]);
  const entries = JSON.parse(/const ENTRIES = (\{.*\});/.exec(sw)[1].replace(/(\w+): /g, '"$1": '));
  assert.deepEqual(Object.keys(entries).sort(), ["admin", "desk", "drive", "filing", "observe", "records", "signin"]);
  assert.ok(common.includes("/manifest.webmanifest"));
  for (const [name, entry] of Object.entries(entries)) {
    assert.equal(entry.html, `/entry/${name}.html`);
    const meta = entryOf(await (await fetch(`${edge.api}${entry.html}`)).text());
    assert.deepEqual(entry.files.slice().sort(), [meta.script, meta.wasm, meta.style].sort(), name);
  }
  const rules = JSON.parse(/const RULES = (\[.*\]);/.exec(sw)[1]);
  assert.ok(rules.some(([pattern, name]) => pattern === "/observe" && name === "observe"));
  const files = [...common, ...Object.values(entries).flatMap((e) => [e.html, ...e.files])];
  assert.ok(files.every((f) => !f.startsWith("/api")));
  for (const f of files) {
    const res = await fetch(`${edge.api}${f}`, { redirect: "manual" });
    assert.equal(res.status, 200, `${f} must be served directly (no redirect) to be cacheable`);
  }
});
