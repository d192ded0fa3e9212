// The app's calls into browser APIs that are simpler in JavaScript than through web-sys: fetch of the JSON API;
// the WebAuthn ceremonies with their JSON forms and the PRF output they yield; secrets taken off the URL fragment;
// the encrypted filing drafts (AES-GCM with the server-held draft key); printing, focus and scrolling; the last
// sign-in id. Bundled by esbuild into pkg/app.js (no inline script). The drive-through store is vault.js, the
// phone's report queue observe_queue.js, the camera scan.js; what the encrypted stores share is idb.js.
import { b64url as toB64url, database, fromB64url as toBytes, seal, unseal } from "./idb.js";

export async function apiFetch(method, path, body) {
  const init = { method, credentials: "same-origin", cache: "no-store", headers: {} };
  if (body !== undefined && body !== null) {
    init.headers["content-type"] = "application/json";
    init.body = body;
  }
  const res = await fetch(path, init);
  return [res.status, await res.text()];
}

// WebAuthn PRF (the passkey's hmac-secret): asked for at every sign-in; its output opens the drive-through store
// (vault.js) and never leaves this page's memory: it is taken out of the credential before the JSON goes to the
// server, and vault.js takes it once.
export const PRF_SALT = new TextEncoder().encode("HER-SYS drive-through vault v1..");
let lastPrf = null;

export function peekPrf() {
  return lastPrf !== null;
}

/** The PRF output of the last sign-in assertion ({ credId, output }), once. */
export function takePrf() {
  const p = lastPrf;
  lastPrf = null;
  return p;
}

function creationOptions(json) {
  json = { ...json, extensions: { ...(json.extensions || {}), prf: {} } };
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: toBytes(json.challenge),
    user: { ...json.user, id: toBytes(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
}

function requestOptions(json) {
  const prf = { eval: { first: PRF_SALT } };
  if (PublicKeyCredential.parseRequestOptionsFromJSON) {
    const o = PublicKeyCredential.parseRequestOptionsFromJSON(json);
    o.extensions = { ...(o.extensions || {}), prf };
    return o;
  }
  return {
    ...json,
    extensions: { ...(json.extensions || {}), prf },
    challenge: toBytes(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
}

function credentialJson(cred) {
  if (typeof cred.toJSON === "function") {
    // Extension outputs stay here (the PRF output is a secret of this device); the server needs none of them.
    return { ...cred.toJSON(), clientExtensionResults: {} };
  }
  const r = cred.response;
  const response = { clientDataJSON: toB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toB64url(r.attestationObject);
    if (r.getTransports) response.transports = r.getTransports();
  } else {
    response.authenticatorData = toB64url(r.authenticatorData);
    response.signature = toB64url(r.signature);
    if (r.userHandle) response.userHandle = toB64url(r.userHandle);
  }
  return { id: cred.id, rawId: toB64url(cred.rawId), type: cred.type, response,
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined, clientExtensionResults: {} };
}

export function webauthnSupported() {
  return typeof window.PublicKeyCredential === "function";
}

/** Resolves to the credential's JSON text; rejects with the DOMException name (NotAllowedError, …). */
export async function webauthnCreate(optionsJson) {
  try {
    const cred = await navigator.credentials.create({ publicKey: creationOptions(JSON.parse(optionsJson)) });
    return JSON.stringify(credentialJson(cred));
  } catch (e) {
    throw e && e.name ? e.name : String(e);
  }
}

export async function webauthnGet(optionsJson) {
  try {
    const cred = await navigator.credentials.get({ publicKey: requestOptions(JSON.parse(optionsJson)) });
    const first = cred.getClientExtensionResults?.().prf?.results?.first;
    lastPrf = first ? { credId: cred.id, output: new Uint8Array(first) } : null;
    return JSON.stringify(credentialJson(cred));
  } catch (e) {
    throw e && e.name ? e.name : String(e);
  }
}

/** The invitation token travels in the URL fragment (never sent to a server); boot.js took it off the URL. */
export function takeFragment() {
  const h = window.__hersysFragment || "";
  delete window.__hersysFragment;
  return h;
}

// ---- Drafts, encrypted on the device (AES-256-GCM). The key is held by the server (GET /api/me/draft-key) and
// imported here as non-extractable, so a draft in localStorage is unreadable from the storage alone. For work
// offline the imported key (non-extractable: its bytes never leave the browser) is kept in IndexedDB for at most
// 12 hours (a staff session's absolute life) from when it was fetched online, and until sign-out at the latest: a session
// that simply ran out does not leave the key behind for ever. The 12 hours are counted on the device's clock from
// the moment it was kept; a clock set back before that moment ends the key too.
const draftKeys = new Map();
const DRAFT_KEEP_MS = 12 * 60 * 60 * 1000;

const keys = database("hersys-keys", 1, (d) => d.createObjectStore("keys"));
const keyStore = (mode, fn) => keys.tx("keys", mode, fn);

/** Whether a kept entry `{ key, keptAt, expiresAt }` may still be used (an older bare CryptoKey may not). */
function keptUsable(entry, now = Date.now()) {
  return !!entry && entry.key instanceof CryptoKey && typeof entry.keptAt === "number" && entry.keptAt <= now &&
    now < entry.expiresAt && entry.expiresAt - entry.keptAt <= DRAFT_KEEP_MS;
}

/** `keyB64` from the server, or "" offline (then the key kept for `storageKey`, if any and still within its time). */
async function draftKey(keyB64, storageKey) {
  if (!keyB64) {
    const entry = draftKeys.get(storageKey) || (await keyStore("readonly", (s) => s.get(storageKey)).catch(() => null));
    if (!keptUsable(entry)) {
      draftKeys.delete(storageKey);
      await keyStore("readwrite", (s) => s.delete(storageKey)).catch(() => {});
      throw new Error("no draft key");
    }
    draftKeys.set(storageKey, entry);
    return entry.key;
  }
  let entry = draftKeys.get(keyB64);
  if (!keptUsable(entry)) {
    const key = await crypto.subtle.importKey("raw", toBytes(keyB64), "AES-GCM", false, ["encrypt", "decrypt"]);
    const keptAt = Date.now();
    entry = { key, keptAt, expiresAt: keptAt + DRAFT_KEEP_MS };
    draftKeys.set(keyB64, entry);
  }
  if (draftKeys.get(storageKey) !== entry) {
    draftKeys.set(storageKey, entry);
    await keyStore("readwrite", (s) => s.put(entry, storageKey)).catch(() => {});
  }
  return entry.key;
}

/** Deletes the kept draft keys whose time is over (at start). */
async function purgeDraftKeys() {
  if (!(await indexedDB.databases?.().then((l) => l.some((x) => x.name === "hersys-keys")).catch(() => true))) return;
  await keyStore("readwrite", (s) => {
    const req = s.openCursor();
    req.onsuccess = () => {
      const c = req.result;
      if (!c) return;
      if (!keptUsable(c.value)) c.delete();
      c.continue();
    };
  }).catch(() => {});
}
purgeDraftKeys().catch(() => {});

/** Sign-out: the kept keys go, so the drafts left on the device cannot be opened until the next sign-in. */
export async function draftForget() {
  draftKeys.clear();
  await keyStore("readwrite", (s) => s.clear()).catch(() => {});
}

export async function draftSave(keyB64, storageKey, plaintext) {
  const data = new TextEncoder().encode(plaintext);
  const { iv, ct } = await seal(await draftKey(keyB64, storageKey), data);
  localStorage.setItem(storageKey, JSON.stringify({ v: 1, iv: toB64url(iv), ct: toB64url(ct) }));
}

/** The draft's text, or "" when there is none or it cannot be opened (another key, tampered). */
export async function draftLoad(keyB64, storageKey) {
  const raw = localStorage.getItem(storageKey);
  if (!raw) return "";
  try {
    const { iv, ct } = JSON.parse(raw);
    const plain = await unseal(await draftKey(keyB64, storageKey), toBytes(iv), toBytes(ct));
    return new TextDecoder().decode(plain);
  } catch {
    return "";
  }
}

export function draftRemove(storageKey) {
  localStorage.removeItem(storageKey);
}

/** 32 random characters for an idempotency key. */
export function randomKey() {
  return toB64url(crypto.getRandomValues(new Uint8Array(24)));
}

export function printPage() {
  window.print();
}

/** Enter in a field of a form moves to the next field (instead of doing nothing, or submitting). */
document.addEventListener("keydown", (e) => {
  if (e.key !== "Enter" || e.isComposing) return;
  const el = e.target;
  if (!(el instanceof HTMLInputElement) || el.type === "checkbox" || !el.closest(".form-root")) return;
  e.preventDefault();
  focusNext();
});

function focusNext() {
  const el = document.activeElement;
  const form = el && el.closest("form, .form-root");
  if (!form) return;
  const items = [...form.querySelectorAll("input:not([type=hidden]):not([disabled]), select, textarea")]
    .filter((e) => e.offsetParent !== null);
  const i = items.indexOf(el);
  if (i >= 0 && i + 1 < items.length) items[i + 1].focus();
}

/** After a single choice is made, the next field of the form takes the focus (its first input or choice). */
export function focusAfter(id) {
  const group = document.getElementById(id);
  const form = group && group.closest(".form-root");
  if (!form) return;
  const items = [...form.querySelectorAll("input:not([type=hidden]):not([disabled]), select, textarea, .chips button")]
    .filter((e) => e.offsetParent !== null);
  const next = items.find((e) => !group.contains(e) && (group.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING));
  if (next) {
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: "nearest" });
  }
}

export function focusById(id) {
  const el = document.getElementById(id);
  if (el) {
    el.focus();
    el.scrollIntoView({ block: "center" });
  }
}

/**
 * A message just shown (a failed submit, a refusal): brought to the middle of the screen unless it is already in
 * view and clear of the sticky button bar, so a person on a phone sees it where they are. It has role="alert", so
 * screen readers announce it as it appears.
 */
export function revealMessage(el) {
  const r = el.getBoundingClientRect();
  const bar = document.querySelector(".sticky-actions");
  const bottom = Math.min(window.innerHeight, bar ? bar.getBoundingClientRect().top : Infinity);
  if (r.top < 0 || r.bottom > bottom) el.scrollIntoView({ block: "center" });
}

const FOCUSABLE = "input:not([type=hidden]):not([disabled]), select, textarea, button:not([disabled])";
const shown = (e) => e && e.offsetParent !== null;

/** A finding's link: the field's own input, else the first visible control of the field (or of a field under its
 * path), else the section; always something the person can see and act on. */
export function focusField(id, path, section) {
  let el = document.getElementById(id);
  if (!shown(el)) {
    const fields = [...document.querySelectorAll("[data-path]")].filter(shown);
    el = fields.find((f) => f.dataset.path === path)
      || fields.find((f) => f.dataset.path.startsWith(path + ".") || f.dataset.path.startsWith(path + "["));
  }
  if (!shown(el)) el = document.getElementById(section);
  if (!el) return;
  const target = el.matches(FOCUSABLE) ? el : ([...el.querySelectorAll(FOCUSABLE)].find(shown) || el);
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "center" });
}

export function scrollToTop() {
  window.scrollTo(0, 0);
}

/** The opaque id of the last user signed in on this device (not personal data), for opening their draft offline. */
export function rememberUser(id) {
  if (id) localStorage.setItem("hersys.last_user", id);
  else localStorage.removeItem("hersys.last_user");
}

export function lastUser() {
  return localStorage.getItem("hersys.last_user") || "";
}

// A download from the API (exports, a record's FHIR document), read as a stream so that the page can show progress
// and check that every row arrived before anything is saved. `mode` says how rows are counted: "csv" (records end at
// a newline outside double quotes, after one header line; in CP932 neither `"` nor a newline byte can be part of a
// double-byte character, so counting bytes works in both encodings) or "ndjson" (one record per line). The file is
// kept only in this page's memory (a Blob) and handed to the browser's download with a temporary object URL, revoked
// right after; nothing is written to IndexedDB, localStorage or the caches (the service worker never touches /api).
// The file is saved as the answer's `Content-Disposition` names it, else as `fileName`; `ownName` makes `fileName`
// win (a record's FHIR document is saved under its notification number, which the page knows).
// `onProgress(rows, bytes, expected)` is called at most every 100 ms and once at the end. Answers
// [status, errorText, expected, rows, bytes, complete, fileName]; expected is -1 without an `x-export-count` header.
export async function apiDownload(method, path, body, mode, fileName, ownName, onProgress) {
  const init = { method, credentials: "same-origin", cache: "no-store", headers: {} };
  if (body !== undefined && body !== null) {
    init.headers["content-type"] = "application/json";
    init.body = body;
  }
  const res = await fetch(path, init);
  if (!res.ok) return [res.status, await res.text(), -1, 0, 0, false, ""];
  const header = res.headers.get("x-export-count");
  const expected = header !== null && /^\d+$/.test(header) ? Number(header) : -1;
  const name = (!ownName && dispositionName(res.headers.get("content-disposition"))) || fileName;
  const type = (res.headers.get("content-type") || "application/octet-stream").split(";")[0];
  const chunks = [];
  let bytes = 0, lines = 0, quoted = false, last = 10, complete = true, shown = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.length;
      for (let i = 0; i < value.length; i++) {
        const b = value[i];
        if (b === 34 && mode === "csv") quoted = !quoted;
        else if (b === 10 && !quoted) lines++;
      }
      last = value[value.length - 1];
      const now = Date.now();
      if (now - shown > 100) {
        shown = now;
        onProgress(rowsOf(mode, lines, last), bytes, expected);
      }
    }
  } catch {
    complete = false; // the connection dropped mid-file
  }
  const rows = rowsOf(mode, lines, last);
  onProgress(rows, bytes, expected);
  // A file without every row (or ending inside a quoted cell) is not saved: the page says what arrived.
  if (quoted || (expected >= 0 && rows !== expected)) complete = false;
  if (complete) saveBlob(new Blob(chunks, { type }), name);
  chunks.length = 0;
  return [res.status, "", expected, rows, bytes, complete, name];
}

// Rows of the data received so far: lines (a last line without its newline counts), less the CSV's header line.
function rowsOf(mode, lines, last) {
  const records = lines + (last === 10 ? 0 : 1);
  return mode === "csv" ? Math.max(0, records - 1) : records;
}

// The file name of `Content-Disposition: attachment; filename*=UTF-8''…` (else `filename="…"`), or "".
function dispositionName(value) {
  if (!value) return "";
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(value);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(value);
  return plain ? plain[1].trim() : "";
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The click has handed the Blob to the download; the URL (and so the Blob) is let go soon after.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
