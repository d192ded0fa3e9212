// Starts the app (an external module, so the CSP needs no inline script) and registers the service worker.
import init from "/pkg/app.js";

// Secrets in the URL fragment (the invitation token) are taken before the router sees the URL, and the address
// bar is cleaned so the token does not linger in history. The app reads it once through `takeFragment`.
if (location.hash.length > 1) {
  window.__hersysFragment = location.hash.slice(1);
  history.replaceState(null, "", location.pathname + location.search);
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((e) => {
    console.warn("service worker registration failed", e);
  });
}

init().then(() => {
  document.getElementById("boot-message")?.remove();
});
