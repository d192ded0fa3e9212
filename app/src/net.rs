//! Network state for the status indicator. The browser's `online`/`offline` events are a hint (`navigator.onLine`
//! can say "online" with no route to the server), so every API call also reports whether the server answered.

use dioxus::dioxus_core::{Runtime, RuntimeGuard};
use dioxus::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};

/// App-wide: did the last contact with the network succeed? Written by the window's events and by `api`.
pub static ONLINE: GlobalSignal<bool> = Signal::global(navigator_online);

fn navigator_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

/// Records the outcome of a request: an answer of any status means the server is reachable.
pub fn report(reachable: bool) {
    // An answer that lands after the browser went offline (it was in flight) does not make the badge say online.
    let reachable = reachable && navigator_online();
    if *ONLINE.peek() != reachable {
        *ONLINE.write() = reachable;
    }
}

/// Subscribes to the window's events once for the app's lifetime. Their callbacks run outside Dioxus, so they carry
/// its runtime (writing `ONLINE` without it panics). Chromium does not always send the events (a page reloaded while
/// offline can start with `navigator.onLine` already true and never get an `online` event), so every 2 seconds
/// `navigator.onLine` is looked at too, and while the browser has a network but the server gave no answer, the
/// server is asked again (`GET /api/me`, at growing intervals up to a minute).
pub fn watch_network_events() {
    use_hook(|| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let runtime = Runtime::current();
        for (event, value) in [("online", true), ("offline", false)] {
            let rt = runtime.clone();
            let listener = Closure::<dyn FnMut()>::new(move || {
                let _guard = RuntimeGuard::new(rt.clone());
                report(value);
            });
            if window
                .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref())
                .is_ok()
            {
                // The listener lives as long as the page.
                listener.forget();
            }
        }
    });
    use_future(|| async {
        let mut seen = navigator_online();
        let (mut waited, mut wait) = (0, 0);
        loop {
            sleep(2000).await;
            let now = navigator_online();
            if now != seen {
                seen = now;
                report(now);
            }
            if now && !*ONLINE.peek() {
                waited += 2000;
                if waited >= wait {
                    waited = 0;
                    wait = (wait * 2).clamp(4000, 60_000);
                    let _ = crate::api::me::probe().await;
                }
            } else {
                (waited, wait) = (0, 0);
            }
        }
    });
}

/// Waits `ms` milliseconds (a browser timer).
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}
