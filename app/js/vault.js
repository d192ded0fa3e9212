// The device's encrypted store of drive-through records (IndexedDB "hersys-drive"). Threat model and reasons are in
// ARCHITECTURE.md ("Data on the device"). In short:
// - Each user on a device has a random 256-bit data key (DEK). Records are AES-256-GCM encrypted with it, each with
//   a fresh IV and the user and record id as additional data (a record cannot be moved to another id or user).
// - The DEK is never stored in clear. It is stored encrypted ("wrapped") under
//   (a) the device key the server releases to the signed-in user (POST /api/me/device-key), and, where the passkey
//       supports the WebAuthn PRF extension,
//   (b) a key derived (HKDF-SHA-256) from the passkey's PRF output: opening the store offline then takes the
//       passkey and its user verification, and the device key is never kept on the device.
// - Without PRF the device key is kept for offline use as a non-extractable CryptoKey (its bytes cannot be read
//   back) for at most 12 hours from its release, and wiped at sign-out. The 12 hours are counted on the device's
//   clock from the moment it was kept (`keptAt`): a clock set back before that moment ends the key too, so moving
//   the clock backwards cannot stretch its life (`withinKeep`).
// - What is in clear: record ids (random), whether each is waiting for the server, the wrapped keys, the credential
//   id and expiry times. Nothing personal.
import { takePrf, peekPrf, PRF_SALT } from "./bridge.js";
import { b64url as b64, database, fromB64url as unb64, seal as sealBytes, unseal as unsealBytes } from "./idb.js";

/** Whether the last sign-in's passkey gave a PRF output not yet used (see vault.rs `enroll_after_sign_in`). */
export function prfPending() {
  return peekPrf();
}

const DB = "hersys-drive";
const KEEP_MS = 12 * 60 * 60 * 1000;
const enc = new TextEncoder();
const dec = new TextDecoder();
/** userId → { dek: CryptoKey, since: ms, until: ms } while open. */
const open = new Map();

/** Whether a key kept at `since` until `until` may still be used now: within its window on the device's clock, and
 * never when the clock reads earlier than the moment it was kept (set back) or the window is longer than 12 hours. */
function withinKeep(since, until, now = Date.now()) {
  return typeof since === "number" && typeof until === "number" && since <= now && now < until && until - since <= KEEP_MS;
}

const store = database(DB, 1, (d) => {
  d.createObjectStore("meta");
  d.createObjectStore("keys");
  d.createObjectStore("records").createIndex("user", "user");
});
const tx = store.tx;

async function aesKey(raw, usages = ["encrypt", "decrypt"]) {
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, usages);
}

/** Stored form of a sealed value: `{ iv, ct }` in base64url, with `aad` (user and id) as additional data. */
async function seal(key, bytes, aad) {
  const box = await sealBytes(key, bytes, aad);
  return { iv: b64(box.iv), ct: b64(box.ct) };
}

async function unseal(key, box, aad) {
  return unsealBytes(key, unb64(box.iv), unb64(box.ct), aad);
}

async function prfKey(prfOutput) {
  const base = await crypto.subtle.importKey("raw", prfOutput, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: enc.encode("hersys-drive-vault"), info: enc.encode("dek-wrap v1") },
    base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

function remember(userId, dek, since, until) {
  open.set(userId, { dek, since, until });
  setTimeout(() => { const o = open.get(userId); if (o && !withinKeep(o.since, o.until)) open.delete(userId); }, Math.max(0, until - Date.now()) + 50);
}

function openKey(userId) {
  const o = open.get(userId);
  if (!o || !withinKeep(o.since, o.until)) {
    open.delete(userId);
    throw "locked";
  }
  return o.dek;
}

/** The kept device key, if not expired (an expired one is deleted here). */
async function keptKey(userId) {
  const kept = await tx("keys", "readonly", (s) => s.get(userId)).catch(() => null);
  if (!kept) return null;
  if (!withinKeep(kept.keptAt, kept.expiresAt)) {
    await tx("keys", "readwrite", (s) => s.delete(userId)).catch(() => {});
    return null;
  }
  return kept;
}

/** "unlocked" | "locked_passkey" | "locked_online" | "empty". Opens the store with the kept device key if any. */
export async function vaultStatus(userId) {
  if (!userId) return "empty";
  try {
    openKey(userId);
    return "unlocked";
  } catch {}
  const meta = await tx("meta", "readonly", (s) => s.get(userId)).catch(() => null);
  if (!meta) return "empty";
  const kept = await keptKey(userId);
  if (kept) {
    try {
      const raw = await unseal(kept.kek, meta.wrappedS, `${userId}/dek`);
      remember(userId, await aesKey(raw), kept.keptAt, kept.expiresAt);
      return "unlocked";
    } catch {}
  }
  return meta.wrappedP ? "locked_passkey" : "locked_online";
}

/** Opens (or creates) the user's store with the device key the server released (base64url, 32 bytes). */
export async function vaultUnlockOnline(userId, deviceKeyB64) {
  const kek = await aesKey(unb64(deviceKeyB64));
  let meta = await tx("meta", "readonly", (s) => s.get(userId));
  let raw;
  if (meta) {
    try {
      raw = new Uint8Array(await unseal(kek, meta.wrappedS, `${userId}/dek`));
    } catch {
      throw "wrong_key";
    }
  } else {
    raw = crypto.getRandomValues(new Uint8Array(32));
    meta = { wrappedS: await seal(kek, raw, `${userId}/dek`) };
  }
  // A PRF output from this sign-in's passkey: the store can be opened offline with the passkey from now on.
  const prf = takePrf();
  if (prf) {
    meta.wrappedP = { ...(await seal(await prfKey(prf.output), raw, `${userId}/dek`)), credId: prf.credId };
  }
  await tx("meta", "readwrite", (s) => s.put(meta, userId));
  const since = Date.now();
  const until = since + KEEP_MS;
  if (meta.wrappedP) {
    // The passkey opens it offline: the device key is not kept.
    await tx("keys", "readwrite", (s) => s.delete(userId));
  } else {
    await tx("keys", "readwrite", (s) => s.put({ kek, keptAt: since, expiresAt: until }, userId));
  }
  remember(userId, await aesKey(raw), since, until);
  raw.fill(0);
}

/** Opens the store without the network: the passkey, with user verification, gives the PRF output. */
export async function vaultUnlockPasskey(userId) {
  const meta = await tx("meta", "readonly", (s) => s.get(userId));
  if (!meta || !meta.wrappedP) throw "no_passkey";
  let cred;
  try {
    cred = await navigator.credentials.get({
      publicKey: {
        challenge: crypto.getRandomValues(new Uint8Array(32)),
        allowCredentials: [{ type: "public-key", id: unb64(meta.wrappedP.credId) }],
        userVerification: "required",
        timeout: 120000,
        extensions: { prf: { eval: { first: PRF_SALT } } },
      },
    });
  } catch (e) {
    throw e && e.name ? e.name : String(e);
  }
  const first = cred.getClientExtensionResults().prf?.results?.first;
  if (!first) throw "prf_unsupported";
  try {
    const raw = new Uint8Array(await unseal(await prfKey(first), meta.wrappedP, `${userId}/dek`));
    const since = Date.now();
    remember(userId, await aesKey(raw), since, since + KEEP_MS);
    raw.fill(0);
  } catch {
    throw "wrong_key";
  }
}

export async function vaultPut(userId, id, pending, plaintext) {
  const box = await seal(openKey(userId), enc.encode(plaintext), `${userId}/${id}`);
  await tx("records", "readwrite", (s) => s.put({ user: userId, id, pending: !!pending, ...box }, `${userId}/${id}`));
}

/** Every record of the user, decrypted, as a JSON array of the stored texts. */
export async function vaultGetAll(userId) {
  const dek = openKey(userId);
  const rows = await tx("records", "readonly", (s) => s.index("user").getAll(userId));
  const out = [];
  for (const row of rows) {
    try {
      out.push(dec.decode(await unseal(dek, row, `${userId}/${row.id}`)));
    } catch {
      console.warn("vault: a record could not be opened", row.id);
    }
  }
  return JSON.stringify(out);
}

export async function vaultDelete(userId, id) {
  await tx("records", "readwrite", (s) => s.delete(`${userId}/${id}`));
}

export async function vaultPendingCount(userId) {
  if (!userId) return 0;
  const rows = await tx("records", "readonly", (s) => s.index("user").getAll(userId)).catch(() => []);
  return rows.filter((r) => r.pending).length;
}

/** Sign-out: everything of this user's drive-through store goes (records, wrapped keys, the kept device key), in
 * one transaction (a record stored meanwhile cannot slip through). Other users' stores on a shared tablet stay.
 * Rejects if the wipe failed, so the caller can say so. */
export async function vaultWipe(userId) {
  takePrf();
  if (!userId) return;
  open.delete(userId);
  await store.run(["records", "meta", "keys"], "readwrite", (t) => {
    const cursor = t.objectStore("records").index("user").openKeyCursor(IDBKeyRange.only(userId));
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (c) {
        t.objectStore("records").delete(c.primaryKey);
        c.continue();
      }
    };
    t.objectStore("meta").delete(userId);
    t.objectStore("keys").delete(userId);
  });
}

/** Deletes every kept device key whose 12 hours are over (at start, and every minute while the app is open). */
async function purgeExpired() {
  if (!(await indexedDB.databases?.().then((l) => l.some((x) => x.name === DB)).catch(() => true))) return;
  await tx("keys", "readwrite", (s) => {
    const req = s.openCursor();
    req.onsuccess = () => {
      const c = req.result;
      if (!c) return;
      if (!(c.value && withinKeep(c.value.keptAt, c.value.expiresAt))) c.delete();
      c.continue();
    };
  }).catch(() => {});
  for (const [user, o] of open) if (!withinKeep(o.since, o.until)) open.delete(user);
}
purgeExpired().catch(() => {});
setInterval(() => purgeExpired().catch(() => {}), 60_000);

/** This device's random id (not personal data), made once. */
export function deviceId() {
  let id = localStorage.getItem("hersys.device_id");
  if (!id) {
    id = b64(crypto.getRandomValues(new Uint8Array(18)));
    localStorage.setItem("hersys.device_id", id);
  }
  return id;
}
