//! Network state for the status indicator: follows the browser's `online`/`offline` events.

use dioxus::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};

/// App-wide network state, provided once at the root.
#[derive(Clone, Copy, PartialEq)]
pub struct NetworkStatus {
    pub online: Signal<bool>,
}

fn navigator_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

/// Creates the signal and subscribes to the window's events once for the app's lifetime.
pub fn provide_network_status() {
    let online = use_signal(navigator_online);
    use_hook(move || {
        let Some(window) = web_sys::window() else {
            return;
        };
        for (event, value) in [("online", true), ("offline", false)] {
            let mut online = online;
            let listener = Closure::<dyn FnMut()>::new(move || online.set(value));
            if window
                .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref())
                .is_ok()
            {
                // The listener lives as long as the page.
                listener.forget();
            }
        }
    });
    use_context_provider(|| NetworkStatus { online });
}
