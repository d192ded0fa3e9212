// What the app's encrypted stores in the browser share: the drive-through records (vault.js, IndexedDB
// "hersys-drive"), the phone's report queue (observe_queue.js, "hersys-observe") and the filing drafts' kept keys
// (bridge.js, "hersys-keys"; the drafts themselves are in localStorage). Here: one IndexedDB connection per
// database, transactions as promises, AES-256-GCM sealing with a fresh IV, base64url and random bytes. Each store
// keeps its own stored format (described in its file); nothing here decides one.
//
// Failures reject with a string the Rust side shows or matches: the DOMException's name ("QuotaExceededError", …),
// else "open_failed", "blocked", "failed" or "aborted".

const enc = new TextEncoder();

/** `n` cryptographically random bytes (WebCrypto). */
export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Bytes (a Uint8Array or an ArrayBuffer) as unpadded base64url. */
export const b64url = (bytes) => {
  let bin = "";
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

/** Base64url (padded or not) as a Uint8Array. */
export const fromB64url = (text) => {
  const s = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(s + "===".slice((s.length + 3) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
};

const gcm = (iv, aad) =>
  aad === undefined ? { name: "AES-GCM", iv } : { name: "AES-GCM", iv, additionalData: enc.encode(aad) };

/** Encrypts `bytes` with AES-GCM under `key` and a fresh 96-bit IV; `aad` (a string, optional) is bound to it as
 * additional data, so the sealed value opens only under the same string (its id). Resolves to `{ iv, ct }`, both
 * Uint8Arrays. */
export async function seal(key, bytes, aad) {
  const iv = randomBytes(12);
  const ct = await crypto.subtle.encrypt(gcm(iv, aad), key, bytes);
  return { iv, ct: new Uint8Array(ct) };
}

/** The plaintext (an ArrayBuffer) of what `seal` made; rejects if the key, IV, additional data or ciphertext
 * differ. */
export function unseal(key, iv, ct, aad) {
  return crypto.subtle.decrypt(gcm(iv, aad), key, ct);
}

/**
 * An IndexedDB database, opened once (on first use) and shared by every caller: two callers before the first open
 * finishes must not open two (the second would never be closed, and would block a later upgrade or deletion).
 * `upgrade(db)` creates its object stores. If another tab deletes or upgrades the database, the connection closes
 * and the next call opens it again.
 */
export function database(name, version, upgrade) {
  let conn = null; // Promise of the one open connection

  function connect() {
    if (conn) return conn;
    const opened = new Promise((resolve, reject) => {
      const req = indexedDB.open(name, version);
      req.onupgradeneeded = () => upgrade(req.result);
      req.onerror = () => reject(req.error ? req.error.name : "open_failed");
      req.onblocked = () => reject("blocked");
      req.onsuccess = () => {
        const d = req.result;
        d.onversionchange = () => { d.close(); if (conn === opened) conn = null; };
        resolve(d);
      };
    });
    conn = opened;
    opened.catch(() => { if (conn === opened) conn = null; });
    return opened;
  }

  /** One transaction over `stores` (a name or a list): `fn(transaction)` makes the requests. Resolves once it has
   * committed, with the result of the request `fn` returned, if any. */
  function run(stores, mode, fn) {
    return connect().then((d) => new Promise((resolve, reject) => {
      const t = d.transaction(stores, mode);
      const req = fn(t);
      t.oncomplete = () => resolve(req ? req.result : undefined);
      t.onerror = () => reject(t.error ? t.error.name : "failed");
      t.onabort = () => reject(t.error ? t.error.name : "aborted");
    }));
  }

  return {
    run,
    /** `run` on one object store: `fn(store)`. */
    tx: (store, mode, fn) => run(store, mode, (t) => fn(t.objectStore(store))),
    /** Closes the connection, if open (before deleting the database); the next call opens it again. */
    async close() {
      const open = conn;
      conn = null;
      if (open) await open.then((d) => d.close()).catch(() => {});
    },
  };
}
