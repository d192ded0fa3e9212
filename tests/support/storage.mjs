// What a browser stores for the app's origin, for tests that check nothing personal is kept in plain text: every
// IndexedDB store, localStorage, sessionStorage, Cache Storage and cookies (drive-through tablets, patients' phones).
import assert from "node:assert/strict";

/** Everything the browser stores for this origin, as text (binary values decoded as UTF-8 so plain text in them
 * shows), with each IndexedDB store's row count. */
export async function dumpStorage(page) {
  const dump = await page.evaluate(async () => {
    const enc = (v) => {
      if (v === null || v === undefined) return String(v);
      if (typeof v === "string") return v;
      if (typeof v !== "object") return String(v);
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return new TextDecoder().decode(v);
      if (typeof CryptoKey !== "undefined" && v instanceof CryptoKey) return `[CryptoKey extractable=${v.extractable}]`;
      if (Array.isArray(v)) return "[" + v.map(enc).join(",") + "]";
      return "{" + Object.entries(v).map(([k, x]) => `${k}:${enc(x)}`).join(",") + "}";
    };
    const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const stores = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await req(indexedDB.open(name));
      for (const store of db.objectStoreNames) {
        const s = db.transaction(store, "readonly").objectStore(store);
        const [keys, values] = await Promise.all([req(s.getAllKeys()), req(s.getAll())]);
        stores.push({ db: name, store, count: values.length, text: enc(keys) + enc(values) });
      }
      db.close();
    }
    const cached = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const r of await cache.keys()) {
        const res = await cache.match(r);
        cached.push(`${name} ${r.url}\n${res ? await res.text() : ""}`);
      }
    }
    return {
      local: Object.entries(localStorage).map(([k, v]) => `${k}=${v}`).join("\n"),
      session: Object.entries(sessionStorage).map(([k, v]) => `${k}=${v}`).join("\n"),
      stores,
      caches: cached.join("\n"),
      cacheEntries: cached.length,
    };
  });
  const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("\n");
  return { ...dump, cookies };
}

export function assertNoPlaintext(dump, needles, when) {
  const areas = {
    localStorage: dump.local,
    sessionStorage: dump.session,
    cookies: dump.cookies,
    "Cache Storage": dump.caches,
    ...Object.fromEntries(dump.stores.map((s) => [`IndexedDB ${s.db}/${s.store}`, s.text])),
  };
  for (const [area, text] of Object.entries(areas)) {
    for (const needle of needles) {
      const escaped = [...needle].map((c) => (c.charCodeAt(0) > 127 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : c)).join("");
      assert.ok(!text.includes(needle) && !text.toLowerCase().includes(escaped.toLowerCase()),
        `${when}: ${area} holds "${needle}" in plain text`);
    }
  }
}

/** The path of every request held in the origin's Cache Storage (every cache). */
export function cachedPaths(page) {
  return page.evaluate(async () => {
    const urls = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
    }
    return urls;
  });
}
