//! The HER-SYS progressive web app: the route map and the app-wide context (network state).

use dioxus::prelude::*;

mod api;
mod components;
mod net;
mod notification;
mod pages;
mod session;
mod text;

use components::shell::Shell;
use pages::{
    account::Account, admin::Admin, home::Home, invite::Invite, new_notification::NewNotification,
    not_found::NotFound, pre_notification::PreNotification, records::Record, records::Records,
    sign_in::SignIn,
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
        #[route("/records/:id")]
        Record { id: String },
        #[route("/signin")]
        SignIn {},
        #[route("/invite")]
        Invite {},
        #[route("/account")]
        Account {},
        #[route("/admin")]
        Admin {},
        #[route("/:..segments")]
        NotFound { segments: Vec<String> },
}

fn main() {
    dioxus::launch(App);
}

#[component]
fn App() -> Element {
    net::watch_network_events();
    session::provide_session();
    rsx! { Router::<Route> {} }
}
