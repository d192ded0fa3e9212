// Opening a page of another entry point (shared::entry): its HTML names its script and wasm; both are fetched first
// (into the HTTP cache, and the service worker's when it keeps them) so that a failure shows on this page with a
// retry instead of a blank one, then the page is loaded. See components/elsewhere.rs.

// Past this, a download that has not finished counts as failed (a connection that is up but passes nothing).
const TIMEOUT_MS = 60_000;
// The page reloaded for a path within this long and came back as a page of another entry again: the route tables
// of the app and of what served it disagree; stop instead of reloading for ever.
const LOOP_MS = 15_000;
const LAST = "hersys-entry-reload";

const ok = async (url, init = {}) => {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res;
};

// Read once as the page starts, and cleared: the path this page load was a reload for, if it was one just now.
let reloadedFor = null;
try {
  const last = JSON.parse(sessionStorage.getItem(LAST) || "null");
  sessionStorage.removeItem(LAST);
  if (last && Date.now() - last.at < LOOP_MS) reloadedFor = last.path;
} catch {
  // Storage refused (private mode): no loop guard.
}

/**
 * Whether this page load was the reload that was to open `path` in its own entry, and yet is showing a stand-in for
 * it. Answers once: the person may come back to the same path later, legitimately, through another stand-in.
 */
export function reloadedInVain(path) {
  const hit = reloadedFor === path;
  reloadedFor = null;
  return hit;
}

/**
 * Fetches entry `name`'s files, then loads `path` with them — if the person is still on `path` (they may have gone
 * elsewhere while it downloaded). Rejects when a download fails or takes too long.
 */
export async function openEntry(name, path) {
  const html = await (await ok(`/entry/${name}.html`, { cache: "no-cache", credentials: "same-origin" })).text();
  const meta = new DOMParser().parseFromString(html, "text/html").querySelector('meta[name="hersys-entry"]');
  if (!meta || meta.content !== name) throw new Error(`/entry/${name}.html is not entry ${name}`);
  await Promise.all([meta.dataset.script, meta.dataset.wasm, meta.dataset.style].map((url) => ok(url).then((r) => r.arrayBuffer())));
  keepEntries([name]);
  if (location.pathname !== path) return;
  try {
    sessionStorage.setItem(LAST, JSON.stringify({ path, at: Date.now() }));
  } catch {
    // Storage refused (private mode): no loop guard, the reload still works.
  }
  location.reload();
}

/** Asks the service worker to keep these entries for offline use (once it is active; no-op without one). */
export function keepEntries(names) {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage({ keep: names })).catch(() => {});
}
