//! The HER-SYS progressive web app: the route map and the app-wide context (network state).

use dioxus::prelude::*;

mod api;
mod case;
mod components;
mod drive;
mod net;
mod notification;
mod observation;
mod observe;
mod pages;
mod session;
mod text;
mod vault;

use case::{
    deleted::Deleted,
    pre_notification::PreNotification,
    record::{Record, RecordTab},
    search::Search,
};
use components::shell::Shell;
use drive::page::Drive;
use notification::{
    filing::{EditNotification, NewNotification, NewNotificationForCase},
    records::Records,
};
use observation::{alerts::Alerts, dashboard::Dashboard, slip::Slip};
use observe::Observe;
use pages::{
    account::Account, admin::Admin, home::Home, invite::Invite, not_found::NotFound,
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
        #[route("/notifications/new/:case_id")]
        NewNotificationForCase { case_id: String },
        #[route("/notifications/edit/:id")]
        EditNotification { id: String },
        #[route("/pre-notification")]
        PreNotification {},
        #[route("/drive")]
        Drive {},
        #[route("/records")]
        Records {},
        #[route("/records/:id")]
        Record { id: String },
        #[route("/records/:id/slip")]
        Slip { id: String },
        #[route("/records/:id/:tab")]
        RecordTab { id: String, tab: String },
        #[route("/search")]
        Search {},
        #[route("/alerts")]
        Alerts {},
        #[route("/dashboard")]
        Dashboard {},
        #[route("/deleted")]
        Deleted {},
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
    #[end_layout]
    // The person's own phone: no staff header, no staff session.
    #[route("/observe")]
    Observe {},
}

fn main() {
    dioxus::launch(App);
}

#[component]
fn App() -> Element {
    net::watch_network_events();
    session::provide_session();
    case::search::provide_search();
    rsx! { Router::<Route> {} }
}
