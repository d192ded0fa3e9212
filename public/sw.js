// Service worker: keeps the app's code (never personal data) so the app opens offline, one entry point at a time.
// `cargo xtask build` fills in the placeholders below: the build id, the files every entry shares (manifest, icons),
// each entry's HTML and files (content-named under /pkg/), and the table of which path belongs to which entry
// (shared::entry::RULES).
//
// What a device keeps: the entry each page was started from (the page asks once it is interactive, so installing
// never competes with the first load), and whatever entries the signed-in person's role uses (the menu asks; a
// drive-through tablet so keeps the drive-through area). A patient's phone keeps only the patient page.
// Never touches /api: those requests go straight to the network and are never stored. Postal-code files are kept
// in a separate cache as they are used.
const BUILD_ID = "__BUILD_ID__";
const COMMON = __COMMON_FILES__;
const ENTRIES = __ENTRIES__;
const RULES = __RULES__;
const CACHE = `her-sys-shell-${BUILD_ID}`;
// Public reference data (postal codes → address), fetched as the user types and kept for offline use. No personal
// data: the files are the same for every user.
const DATA_CACHE = "her-sys-data-v1";

// The same matcher as shared::entry::matches: `*` is one segment, a final `**` any number of segments.
function matches(pattern, path) {
  const want = pattern.split("/").filter(Boolean);
  const have = path.split("/").filter(Boolean);
  for (let i = 0; ; i++) {
    if (want[i] === "**" && i === want.length - 1) return true;
    if (i === want.length && i === have.length) return true;
    if (i >= want.length || i >= have.length) return false;
    if (want[i] !== "*" && want[i] !== have[i]) return false;
  }
}
const entryFor = (path) => (RULES.find(([pattern]) => matches(pattern, path)) || [null, "signin"])[1];

// Puts an entry's HTML and files into the cache. The files were usually just loaded by the page, so they come from
// the HTTP cache (content-named, cached for ever) rather than the network.
// `addAll` stores all or nothing, so an entry's HTML is in the cache only together with its files.
async function keep(name) {
  const entry = ENTRIES[name];
  if (!entry) return;
  const cache = await caches.open(CACHE);
  const missing = [];
  for (const path of [entry.html, ...entry.files, ...COMMON]) {
    if (!(await cache.match(path))) missing.push(path);
  }
  await cache.addAll(missing);
}

// Whether an entry's HTML and every file it loads are in the cache.
async function kept(cache, name) {
  const entry = ENTRIES[name];
  if (!entry) return false;
  for (const path of [entry.html, ...entry.files]) {
    if (!(await cache.match(path))) return false;
  }
  return true;
}

// One entry at a time, so that what the page itself is loading keeps most of the bandwidth.
async function keepInTurn(names) {
  for (const name of names) await keep(name);
}

self.addEventListener("install", (event) => {
  // A new build: keep again, in their new versions, the entries the previous build had kept.
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("her-sys-shell-") && k !== CACHE).map(async (k) => {
        const old = await caches.open(k);
        const names = [];
        for (const name of Object.keys(ENTRIES)) {
          if (await old.match(ENTRIES[name].html)) names.push(name);
        }
        return names;
      })))
      // A failure fails the install: the previous worker and its cache stay (offline use is never traded for an
      // update half downloaded), and the browser tries again at its next update check.
      .then((lists) => keepInTurn([...new Set(lists.flat())]))
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

self.addEventListener("message", (event) => {
  const names = Array.isArray(event.data?.keep) ? event.data.keep.filter((n) => typeof n === "string") : [];
  event.waitUntil(keepInTurn(names).catch((e) => console.warn("keep", names, e)));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return;

  if (request.mode === "navigate") {
    // Network first so a new build shows at once. Offline, the path's entry if it is kept whole; failing that, the
    // sign-in entry's (its pages then say what cannot be opened offline). Only entry HTML is stored, never the
    // navigated URL.
    const name = entryFor(url.pathname);
    event.respondWith(
      fetch(request).catch(() => caches.open(CACHE).then(async (cache) => {
        for (const candidate of [name, "signin"]) {
          if (await kept(cache, candidate)) return cache.match(ENTRIES[candidate].html);
        }
        return Response.error();
      })),
    );
    return;
  }
  if (url.pathname.startsWith("/data/postal/")) {
    event.respondWith(
      caches.open(DATA_CACHE).then((cache) =>
        cache.match(url.pathname).then((hit) => hit || fetch(request).then((res) => {
          if (res.ok) event.waitUntil(cache.put(url.pathname, res.clone()));
          return res;
        }))),
    );
    return;
  }
  if (url.pathname.startsWith("/entry/")) {
    // An entry's HTML fetched by the page that is about to open it: network first, the kept copy offline. Stored
    // only by `keep`, together with its files.
    event.respondWith(
      fetch(request).catch(() => caches.open(CACHE).then((cache) => cache.match(url.pathname)).then((hit) => hit || Response.error())),
    );
    return;
  }
  if (url.pathname.startsWith("/pkg/") || COMMON.includes(url.pathname)) {
    // Content-named code: the cache first, else the network, kept when it is one of this build's files.
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match(url.pathname).then((hit) => hit || fetch(request).then((res) => {
        const known = COMMON.includes(url.pathname) || Object.values(ENTRIES).some((e) => e.files.includes(url.pathname));
        if (res.ok && known) event.waitUntil(cache.put(url.pathname, res.clone()));
        return res;
      }))),
    );
  }
});
