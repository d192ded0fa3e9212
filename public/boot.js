// Starts the app (an external module, so the CSP needs no inline script) and registers the service worker.
import init from "/pkg/app.js";

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((e) => {
    console.warn("service worker registration failed", e);
  });
}

init().then(() => {
  document.getElementById("boot-message")?.remove();
});
