//! The HER-SYS progressive web app: the route map and the app-wide context (network state).

use dioxus::prelude::*;

mod components;
mod net;
mod pages;
mod text;

use components::shell::Shell;
use pages::{
    home::Home, new_notification::NewNotification, not_found::NotFound,
    pre_notification::PreNotification, records::Records,
};

/// The map of the app. Paths carry no personal data, ever: records are opened by opaque ids held in state.
#[derive(Routable, Clone, PartialEq, Debug)]
#[rustfmt::skip]
pub enum Route {
    #[layout(Shell)]
        #[route("/")]
        Home {},
        #[route("/notifications/new")]
        NewNotification {},
        #[route("/pre-notification")]
        PreNotification {},
        #[route("/records")]
        Records {},
        #[route("/:..segments")]
        NotFound { segments: Vec<String> },
}

fn main() {
    dioxus::launch(App);
}

#[component]
fn App() -> Element {
    net::provide_network_status();
    rsx! { Router::<Route> {} }
}
