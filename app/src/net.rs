//! Network state for the status indicator. The browser's `online`/`offline` events are a hint (`navigator.onLine`
//! can say "online" with no route to the server), so every API call also reports whether the server answered.

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

/// Subscribes to the window's events once for the app's lifetime.
pub fn watch_network_events() {
    use_hook(|| {
        let Some(window) = web_sys::window() else {
            return;
        };
        for (event, value) in [("online", true), ("offline", false)] {
            let listener = Closure::<dyn FnMut()>::new(move || report(value));
            if window
                .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref())
                .is_ok()
            {
                // The listener lives as long as the page.
                listener.forget();
            }
        }
    });
}
