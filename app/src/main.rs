//! The HER-SYS progressive web app: the route map and the app-wide context (network state).

// A build of one entry uses only its own pages (the patient's entry not even the route map).
#![cfg_attr(not(feature = "all-areas"), allow(dead_code, unused_imports))]

use dioxus::prelude::*;

mod api;
mod case;
mod components;
mod counts;
mod directory;
mod drive;
mod exports;
mod net;
mod notification;
mod observation;
mod observe;
mod pages;
mod self_registration;
mod session;
mod text;
mod vault;

use components::shell::Shell;

// Each build is one entry point (shared::entry; `cargo xtask build` builds `--features entry-<name>` for each): the
// pages of its own entry are the real ones, every other page is a stand-in that loads that page's entry
// (components::elsewhere). The default feature `all-areas` makes every page real (what `cargo check` and clippy see).
#[cfg(not(any(feature = "all-areas", feature = "entry-signin")))]
use components::elsewhere::{Home, Invite, SignIn};
#[cfg(any(feature = "all-areas", feature = "entry-signin"))]
use pages::{home::Home, invite::Invite, sign_in::SignIn};
// Every entry answers its own unknown paths (`/records/a/b/c` is the records entry's) with the real page.
use pages::not_found::NotFound;

#[cfg(any(feature = "all-areas", feature = "entry-filing"))]
use case::pre_notification::PreNotification;
#[cfg(not(any(feature = "all-areas", feature = "entry-filing")))]
use components::elsewhere::{
    EditNotification, NewNotification, NewNotificationForCase, PreNotification,
};
#[cfg(any(feature = "all-areas", feature = "entry-filing"))]
use notification::filing::{EditNotification, NewNotification, NewNotificationForCase};

#[cfg(any(feature = "all-areas", feature = "entry-records"))]
use case::{
    deleted::Deleted,
    record::{Record, RecordTab},
    search::Search,
};
#[cfg(not(any(feature = "all-areas", feature = "entry-records")))]
use components::elsewhere::{Deleted, Exports, Record, RecordTab, Records, Search};
#[cfg(any(feature = "all-areas", feature = "entry-records"))]
use exports::page::Exports;
#[cfg(any(feature = "all-areas", feature = "entry-records"))]
use notification::records::Records;

#[cfg(not(any(feature = "all-areas", feature = "entry-filing")))]
use components::elsewhere::{Daily, Sentinel};
#[cfg(any(feature = "all-areas", feature = "entry-filing"))]
use counts::{daily::Daily, sentinel::Sentinel};

#[cfg(not(any(feature = "all-areas", feature = "entry-desk")))]
use components::elsewhere::{Counts, DailyStatusPage, SentinelSitesPage};
#[cfg(any(feature = "all-areas", feature = "entry-desk"))]
use counts::{dashboard::Counts, sites::SentinelSitesPage, status::DailyStatusPage};

#[cfg(not(any(feature = "all-areas", feature = "entry-drive")))]
use components::elsewhere::Drive;
#[cfg(any(feature = "all-areas", feature = "entry-drive"))]
use drive::page::Drive;

#[cfg(not(any(feature = "all-areas", feature = "entry-desk")))]
use components::elsewhere::{Alerts, Dashboard, SelfRegistrations, Slip};
#[cfg(any(feature = "all-areas", feature = "entry-desk"))]
use observation::{alerts::Alerts, dashboard::Dashboard, slip::Slip};
#[cfg(any(feature = "all-areas", feature = "entry-desk"))]
use self_registration::SelfRegistrations;

#[cfg(not(any(feature = "all-areas", feature = "entry-admin")))]
use components::elsewhere::{Account, Admin, DirectoryPage};
#[cfg(any(feature = "all-areas", feature = "entry-admin"))]
use directory::page::DirectoryPage;
#[cfg(any(feature = "all-areas", feature = "entry-admin"))]
use pages::{account::Account, admin::Admin};

#[cfg(not(any(feature = "all-areas", feature = "entry-observe")))]
use components::elsewhere::{Observe, Register};
#[cfg(any(feature = "all-areas", feature = "entry-observe"))]
use observe::{register::Register, Observe};

/// The entry point this build is (`None` when every page is real).
#[allow(dead_code)]
pub const THIS_ENTRY: Option<shared::entry::Entry> = if cfg!(feature = "entry-observe") {
    Some(shared::entry::Entry::Observe)
} else if cfg!(feature = "entry-signin") {
    Some(shared::entry::Entry::SignIn)
} else if cfg!(feature = "entry-filing") {
    Some(shared::entry::Entry::Filing)
} else if cfg!(feature = "entry-records") {
    Some(shared::entry::Entry::Records)
} else if cfg!(feature = "entry-drive") {
    Some(shared::entry::Entry::Drive)
} else if cfg!(feature = "entry-desk") {
    Some(shared::entry::Entry::Desk)
} else if cfg!(feature = "entry-admin") {
    Some(shared::entry::Entry::Admin)
} else {
    None
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
        #[route("/daily")]
        Daily {},
        #[route("/sentinel")]
        Sentinel {},
        #[route("/counts")]
        Counts {},
        #[route("/counts/daily")]
        DailyStatusPage {},
        #[route("/counts/sentinel")]
        SentinelSitesPage {},
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
        #[route("/self-registrations")]
        SelfRegistrations {},
        #[route("/deleted")]
        Deleted {},
        #[route("/exports")]
        Exports {},
        #[route("/signin")]
        SignIn {},
        #[route("/invite")]
        Invite {},
        #[route("/account")]
        Account {},
        #[route("/admin")]
        Admin {},
        #[route("/directory")]
        DirectoryPage {},
        #[route("/:..segments")]
        NotFound { segments: Vec<String> },
    #[end_layout]
    // The person's own phone: no staff header, no staff session.
    #[route("/observe")]
    Observe {},
    // The public self-registration of positives: no account, no staff header.
    #[route("/register")]
    Register {},
}

fn main() {
    // The patient's page needs no router, no staff session and none of the staff pages.
    #[cfg(feature = "entry-observe")]
    dioxus::launch(ObserveApp);
    #[cfg(not(feature = "entry-observe"))]
    dioxus::launch(App);
}

/// The patient's entry: the network state and the page, nothing else. It serves two public pages without a router:
/// `/register` (self-registration of positives) and `/observe`.
#[component]
#[allow(dead_code)]
fn ObserveApp() -> Element {
    net::watch_network_events();
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    if shared::entry::matches("/register", &path) {
        rsx! { Register {} }
    } else {
        rsx! { Observe {} }
    }
}

#[component]
#[allow(dead_code)]
fn App() -> Element {
    net::watch_network_events();
    session::provide_session();
    case::search::provide_search();
    rsx! { Router::<Route> {} }
}
