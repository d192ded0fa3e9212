// Service worker: caches the app shell only (HTML, JS, wasm, CSS, icons, manifest) so the app opens offline.
// Never touches /api: those requests go straight to the network and are never stored. Postal-code files are kept
// in a separate cache as they are used.
// `cargo xtask build` replaces the two placeholders below with the build id and the shell's file list.
const BUILD_ID = "__BUILD_ID__";
const SHELL = __SHELL_FILES__;
const CACHE = `her-sys-shell-${BUILD_ID}`;
// Public reference data (postal codes → address), fetched as the user types and kept for offline use. No personal
// data: the files are the same for every user.
const DATA_CACHE = "her-sys-data-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("her-sys-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return;

  if (request.mode === "navigate") {
    // Every app route is the same index.html (SPA). Network first so a new build shows at once; the cached shell
    // when offline. Only "/" (index.html) is stored, never the navigated URL.
    event.respondWith(
      fetch(request).catch(() => caches.open(CACHE).then((cache) => cache.match("/"))
        .then((hit) => hit || Response.error())),
    );
    return;
  }
  if (url.pathname.startsWith("/data/postal/")) {
    event.respondWith(
      caches.open(DATA_CACHE).then((cache) =>
        cache.match(url.pathname).then((hit) => hit || fetch(request).then((res) => {
          if (res.ok) cache.put(url.pathname, res.clone());
          return res;
        }))),
    );
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match(url.pathname).then((hit) => hit || fetch(request))),
    );
  }
});
