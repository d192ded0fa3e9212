// Opening a page of another entry point (shared::entry): its HTML names its script and wasm; both are fetched first
// (into the HTTP cache, and the service worker's when it keeps them) so that a failure shows on this page with a
// retry instead of a blank one, then the page is loaded. See components/elsewhere.rs.

const ok = async (url, init) => {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res;
};

/** Fetches entry `name`'s files, then loads the current URL with them. Rejects when a download fails. */
export async function openEntry(name) {
  const html = await (await ok(`/entry/${name}.html`, { cache: "no-cache", credentials: "same-origin" })).text();
  const meta = new DOMParser().parseFromString(html, "text/html").querySelector('meta[name="hersys-entry"]');
  if (!meta || meta.content !== name) throw new Error(`/entry/${name}.html is not entry ${name}`);
  await Promise.all([meta.dataset.script, meta.dataset.wasm, meta.dataset.style].map((url) => ok(url).then((r) => r.arrayBuffer())));
  location.reload();
}

/** Asks the service worker to keep these entries for offline use (once it is active; no-op without one). */
export function keepEntries(names) {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage({ keep: names })).catch(() => {});
}
