// A classic script beside each entry's module script: it runs even when that script cannot be fetched, and turns
// "読み込み中…" into a message with a retry when the script fails to load, when the app fails to start (boot.js
// calls `__hersysBootFailed`), or when nothing has started after a long wait — never a spinner that waits for ever.
(function () {
  var shown = false;
  function show() {
    if (shown) return;
    var box = document.getElementById("boot-message");
    if (!box) return; // the app started (it removes the message)
    shown = true;
    box.textContent = "画面を読み込めませんでした。通信状態を確かめて、もう一度お試しください。";
    box.setAttribute("role", "alert");
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "button";
    retry.textContent = "もう一度読み込む";
    retry.addEventListener("click", function () {
      location.reload();
    });
    box.appendChild(document.createElement("br"));
    box.appendChild(retry);
  }
  function whenParsed(f) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", f);
    else f();
  }
  window.__hersysBootFailed = function () {
    whenParsed(show);
  };
  var script = document.querySelector('script[type="module"][src^="/pkg/"]');
  if (script) script.addEventListener("error", window.__hersysBootFailed);
  // Slow 4G brings the largest entry in a few seconds; a minute with nothing started is a stalled connection.
  setTimeout(window.__hersysBootFailed, 60000);
})();
