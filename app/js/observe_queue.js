// The phone's encrypted store for health observation (IndexedDB "hersys-observe"): reports waiting to be sent and
// the list of people the phone reports for (so the page opens offline). Everything in it is personal (names,
// temperatures, answers), so every value is AES-256-GCM encrypted:
// - The key is made on this device by WebCrypto as a non-extractable CryptoKey (its bytes can never be read back,
//   not even by this page) and kept in IndexedDB as that object. It never leaves the device.
// - Each value has a fresh 96-bit IV and its id as additional data (a value cannot be moved to another id).
// - In clear: the random ids ("me", "r:<client id>") and the IVs. Nothing personal.
// Sign-out deletes the whole database (key included).

const DB = "hersys-observe";
const enc = new TextEncoder();
const dec = new TextDecoder();
let conn = null; // Promise of the one open connection
let keyPromise = null;

function db() {
  if (conn) return conn;
  conn = new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      const d = req.result;
      d.createObjectStore("keys");
      d.createObjectStore("items");
    };
    req.onerror = () => reject(req.error ? req.error.name : "open_failed");
    req.onblocked = () => reject("blocked");
    req.onsuccess = () => {
      const d = req.result;
      // Another tab deletes the database (its sign-out): let it.
      d.onversionchange = () => { d.close(); if (conn === opened) conn = null; };
      resolve(d);
    };
  });
  const opened = conn;
  opened.catch(() => { if (conn === opened) conn = null; });
  return opened;
}

function tx(store, mode, fn) {
  return db().then((d) => new Promise((resolve, reject) => {
    const t = d.transaction(store, mode);
    const req = fn(t.objectStore(store));
    t.oncomplete = () => resolve(req ? req.result : undefined);
    t.onerror = () => reject(t.error ? t.error.name : "failed");
    t.onabort = () => reject(t.error ? t.error.name : "aborted");
  }));
}

/** The device's key: read from IndexedDB, or made (non-extractable) and stored on first use. */
function key() {
  if (!keyPromise) {
    keyPromise = (async () => {
      const kept = await tx("keys", "readonly", (s) => s.get("k"));
      if (kept) return kept;
      const k = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
      // `add`, not `put`: if another tab stored its key first, that one is used.
      try {
        await tx("keys", "readwrite", (s) => s.add(k, "k"));
        return k;
      } catch {
        return await tx("keys", "readonly", (s) => s.get("k"));
      }
    })();
    keyPromise.catch(() => { keyPromise = null; });
  }
  return keyPromise;
}

/** Stores `plaintext` under `id`, encrypted. */
export async function obsPut(id, plaintext) {
  const k = await key();
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: enc.encode(id) }, k, enc.encode(plaintext));
  await tx("items", "readwrite", (s) => s.put({ iv, ct: new Uint8Array(ct) }, id));
}

/** Every stored value, decrypted: a JSON object { id: plaintext }. Values that cannot be opened are skipped. */
export async function obsGetAll() {
  const [ids, rows] = await Promise.all([
    tx("items", "readonly", (s) => s.getAllKeys()),
    tx("items", "readonly", (s) => s.getAll()),
  ]);
  const out = {};
  if (!ids.length) return JSON.stringify(out);
  const k = await key();
  for (let i = 0; i < ids.length; i++) {
    try {
      const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: rows[i].iv, additionalData: enc.encode(ids[i]) }, k, rows[i].ct);
      out[ids[i]] = dec.decode(pt);
    } catch {
      console.warn("observe store: a value could not be opened");
    }
  }
  return JSON.stringify(out);
}

export async function obsDelete(id) {
  await tx("items", "readwrite", (s) => s.delete(id));
}

/** Sign-out: the whole database goes, key included. */
export async function obsWipe() {
  keyPromise = null;
  const open = conn;
  conn = null;
  if (open) await open.then((d) => d.close()).catch(() => {});
  await new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(DB);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error ? req.error.name : "wipe_failed");
    // Another tab holds it open: it closes on `versionchange`, then the delete goes through. The sign-out does not
    // wait for ever: the delete stays queued and happens when that tab lets go.
    req.onblocked = () => setTimeout(() => reject("blocked"), 5000);
  });
}

/** Removes the URL fragment (the slip's `#id=…`) from the address bar and history. */
export function dropFragment() {
  if (location.hash) history.replaceState(history.state, "", location.pathname + location.search);
}
