// The phone's encrypted store for health observation (IndexedDB "hersys-observe"): reports waiting to be sent and
// the list of people the phone reports for (so the page opens offline). Everything in it is personal (names,
// temperatures, answers), so every value is AES-256-GCM encrypted:
// - The key is made on this device by WebCrypto as a non-extractable CryptoKey (its bytes can never be read back,
//   not even by this page) and kept in IndexedDB as that object. It never leaves the device.
// - Each value has a fresh 96-bit IV and its id as additional data (a value cannot be moved to another id).
// - In clear: the random ids ("me", "r:<client id>") and the IVs. Nothing personal.
// Sign-out deletes the whole database (key included).
import { database, seal, unseal } from "./idb.js";

const DB = "hersys-observe";
const enc = new TextEncoder();
const dec = new TextDecoder();
let keyPromise = null;

// Another tab deletes the database (its sign-out): the connection closes and lets it.
const store = database(DB, 1, (d) => {
  d.createObjectStore("keys");
  d.createObjectStore("items");
});
const tx = store.tx;

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
  const { iv, ct } = await seal(await key(), enc.encode(plaintext), id);
  await tx("items", "readwrite", (s) => s.put({ iv, ct }, id));
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
      out[ids[i]] = dec.decode(await unseal(k, rows[i].iv, rows[i].ct, ids[i]));
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
  await store.close();
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
