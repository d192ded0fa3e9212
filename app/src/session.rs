//! The signed-in user for the whole app (context), loaded from `GET /api/me` at start.

use dioxus::prelude::*;
use shared::api::auth::Me;
use shared::auth::Role;
use shared::entry::Entry;

use crate::api::{self, ApiFailure};
use crate::Route;

#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    Loading,
    SignedIn(Me),
    SignedOut,
    /// No network: whether the session is still valid cannot be known (the shell keeps working offline).
    Unknown,
}

#[derive(Clone, Copy, PartialEq)]
pub struct SessionCtx {
    pub state: Signal<SessionState>,
}

impl SessionCtx {
    pub fn me(&self) -> Option<Me> {
        match (self.state)() {
            SessionState::SignedIn(me) => Some(me),
            _ => None,
        }
    }

    /// Whose drafts this device holds: the signed-in user, or offline the last one signed in here.
    pub fn draft_owner(&self) -> String {
        self.me().map(|m| m.user_id).unwrap_or_else(api::last_user)
    }
}

async fn load(mut state: Signal<SessionState>) {
    state.set(match api::me::me().await {
        Ok(me) => {
            api::remember_user(&me.user_id);
            SessionState::SignedIn(me)
        }
        Err(ApiFailure::Network) => SessionState::Unknown,
        Err(_) => {
            api::remember_user("");
            SessionState::SignedOut
        }
    });
}

/// The entry points a role reaches from the menu and the header: the device keeps them for offline use once the
/// person has signed in (a drive-through tablet so keeps the drive-through area; a phone that only ever opened the
/// patient's page keeps nothing of the staff application).
pub fn entries_for(role: Role) -> Vec<Entry> {
    let mut entries = vec![Entry::SignIn];
    if role.files_notifications() {
        entries.extend([Entry::Filing, Entry::Drive]);
    }
    if role.views_records() {
        entries.push(Entry::Records);
    }
    if role != Role::ClinicDoctor && role != Role::ClinicStaff {
        entries.push(Entry::Desk);
    }
    // Prefecture staff decide requests on administrators' accounts there (承認待ち).
    if matches!(role, Role::HealthCenterAdmin | Role::PrefectureStaff) {
        entries.push(Entry::Admin);
    }
    entries
}

pub fn provide_session() {
    let state = use_signal(|| SessionState::Loading);
    use_hook(move || spawn(load(state)));
    // Back online after an offline start: find out whether the session still holds.
    use_effect(move || {
        if crate::net::ONLINE() && *state.peek() == SessionState::Unknown {
            spawn(load(state));
        }
    });
    // Signed in (at start, or by the sign-in page): keep the entries this role uses on the device.
    use_effect(move || {
        if let SessionState::SignedIn(me) = state() {
            crate::components::elsewhere::keep_entries(&entries_for(me.role));
        }
    });
    use_context_provider(|| SessionCtx { state });
}

/// Renders its children for a signed-in user (or while offline); sends everyone else to the sign-in page.
#[component]
pub fn RequireSignIn(children: Element) -> Element {
    let session = use_context::<SessionCtx>();
    let nav = use_navigator();
    use_effect(move || {
        if (session.state)() == SessionState::SignedOut {
            nav.replace(Route::SignIn {});
        }
    });
    match (session.state)() {
        SessionState::Loading | SessionState::SignedOut => rsx! {
            p { class: "loading", "サインイン状態を確認しています…" }
        },
        _ => children,
    }
}
