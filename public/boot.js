// Starts an entry of the app (bundled into each entry's script by `cargo xtask build`, so the CSP needs no inline
// script): takes secrets off the URL fragment, loads the wasm, and only once the app is on screen registers the
// service worker and asks it to keep this entry for offline use.

export function start(init, wasm) {
  // Secrets in the URL fragment (the invitation token, the slip's id) are taken before the router sees the URL, and
  // the address bar is cleaned so they do not linger in history. The app reads them once through `takeFragment`.
  if (location.hash.length > 1) {
    window.__hersysFragment = location.hash.slice(1);
    history.replaceState(null, "", location.pathname + location.search);
  }
  init({ module_or_path: wasm }).then(
    () => {
      document.getElementById("boot-message")?.remove();
      // After interactive: the worker's own downloads must not compete with the page's.
      setTimeout(registerServiceWorker, 0);
    },
    (e) => {
      console.warn("the app could not start", e);
      failed();
    },
  );
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const entry = document.querySelector('meta[name="hersys-entry"]')?.content;
  navigator.serviceWorker
    .register("/sw.js", { scope: "/" })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => registration.active?.postMessage({ keep: [entry] }))
    .catch((e) => console.warn("service worker registration failed", e));
}

// The wasm could not be fetched or started (offline on a first visit, a server error): boot-check.js (a classic
// script, so it also covers this script failing to load) says so, with a button to try again.
function failed() {
  window.__hersysBootFailed?.();
}
