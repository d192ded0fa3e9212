// The edge over HTTP, as it runs: the built worker on workerd with local D1 and KV.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge, workspaceVersion } from "../support/edge.mjs";

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

test("health reports the build version and a real D1 and KV round trip", async () => {
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

test("concurrent health checks each see their own write", async () => {
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

test("the app shell and deep links are served with the security headers", async () => {
  for (const p of ["/", "/records", "/notifications/new", "/no/such/page"]) {
    const res = await fetch(`${edge.api}${p}`);
    assert.equal(res.status, 200, p);
    assert.match(res.headers.get("content-type"), /text\/html/, p);
    const html = await res.text();
    assert.match(html, /<script type="module" src="\/boot.js"><\/script>/, p);
    assert.doesNotMatch(html, /<script>(?!<\/script>)/, `${p}: no inline script`);
    assertSecurityHeaders(res, p);
  }
  for (const p of ["/pkg/app.js", "/pkg/app_bg.wasm", "/app.css", "/boot.js", "/sw.js"]) {
    const res = await fetch(`${edge.api}${p}`);
    assert.equal(res.status, 200, p);
    assertSecurityHeaders(res, p);
  }
  const wasm = await fetch(`${edge.api}/pkg/app_bg.wasm`);
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
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

test("the service worker's shell list holds the app files and never /api", async () => {
  const sw = await (await fetch(`${edge.api}/sw.js`)).text();
  const list = JSON.parse(/const SHELL = (\[.*\]);/.exec(sw)[1]);
  for (const f of ["/", "/pkg/app.js", "/pkg/app_bg.wasm", "/app.css", "/boot.js", "/manifest.webmanifest"]) {
    assert.ok(list.includes(f), f);
  }
  assert.ok(list.every((f) => !f.startsWith("/api")));
  assert.doesNotMatch(sw, /__BUILD_ID__|__SHELL_FILES__/);
  for (const f of list) {
    const res = await fetch(`${edge.api}${f}`, { redirect: "manual" });
    assert.equal(res.status, 200, `${f} must be served directly (no redirect) to be cacheable`);
  }
});
