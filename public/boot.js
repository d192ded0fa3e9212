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

// The wasm or its script could not be fetched or started (offline on a first visit, a server error): say so, with a
// button to try again, instead of "読み込み中…" for ever.
function failed() {
  const box = document.getElementById("boot-message");
  if (!box) return;
  box.textContent = "画面を読み込めませんでした。通信状態を確かめて、もう一度お試しください。";
  box.setAttribute("role", "alert");
  const retry = document.createElement("button");
  retry.type = "button";
  retry.className = "button";
  retry.textContent = "もう一度読み込む";
  retry.addEventListener("click", () => location.reload());
  box.append(document.createElement("br"), retry);
}
