//! The app's entry points: which small program serves which page.
//!
//! The app is built once per entry (`cargo xtask build`), each with only its own pages, so that a patient opening
//! the slip's link downloads the patient page alone and a doctor signing in downloads sign-in and the menu alone;
//! each staff area loads when it is first opened. One table ([`RULES`]) decides which entry a path belongs to, and
//! three readers follow it: the edge (which HTML answers a navigation), the service worker (which cached HTML answers
//! one offline; `cargo xtask build` writes the table into it) and the app (whose routes outside its own entry load
//! the other entry).

/// One entry point of the app: its own wasm, JS and HTML (`/entry/<name>.html`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    /// The patient's own phone: `/observe` (no staff header, no staff session).
    Observe,
    /// Sign-in, invitations, the menu, and any path no rule names (its "not found" page; every entry has that page
    /// for unknown paths under its own prefixes).
    SignIn,
    /// The notification form: new, edit, pre-filled from a record, and the record before notification.
    Filing,
    /// Records: the list, the search, a record and its tabs, deleted records, exports.
    Records,
    /// The drive-through site (works offline on a tablet).
    Drive,
    /// The health center's observation desk: alerts, dashboard, the observation slip.
    Desk,
    /// Administration: accounts, invitations, the audit log, the health-center directory; and each person's own
    /// account page (keys, password),
    /// rarely opened, so kept out of the sign-in entry that everyone downloads first.
    Admin,
}

impl Entry {
    /// Every entry, in build order.
    pub const ALL: [Entry; 7] = [
        Entry::Observe,
        Entry::SignIn,
        Entry::Filing,
        Entry::Records,
        Entry::Drive,
        Entry::Desk,
        Entry::Admin,
    ];

    /// The name used in file names (`/entry/<name>.html`, `/pkg/<name>-<hash>.wasm`) and in the app's cargo
    /// feature (`entry-<name>`).
    pub const fn name(self) -> &'static str {
        match self {
            Entry::Observe => "observe",
            Entry::SignIn => "signin",
            Entry::Filing => "filing",
            Entry::Records => "records",
            Entry::Drive => "drive",
            Entry::Desk => "desk",
            Entry::Admin => "admin",
        }
    }

    pub fn from_name(name: &str) -> Option<Entry> {
        Entry::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The URL of the entry's HTML among the static files.
    pub fn html_path(self) -> String {
        format!("/entry/{}.html", self.name())
    }

    /// Whether the entry is part of the staff application (everything but the patient's page).
    pub fn is_staff(self) -> bool {
        self != Entry::Observe
    }

    /// The entry that serves `path` (a URL path without query or fragment): the first rule of [`RULES`] that
    /// matches, else [`Entry::SignIn`] (whose router answers unknown paths with its "not found" page).
    pub fn for_path(path: &str) -> Entry {
        RULES
            .iter()
            .find(|(pattern, _)| matches(pattern, path))
            .map(|&(_, entry)| entry)
            .unwrap_or(Entry::SignIn)
    }
}

/// Which entry serves which paths, first match wins. In a pattern, `*` is exactly one path segment and a final `**`
/// any number of segments, none included. Kept to this small language so that the service worker (JavaScript)
/// can follow the same table.
pub const RULES: &[(&str, Entry)] = &[
    ("/observe", Entry::Observe),
    ("/register", Entry::Observe),
    ("/notifications/**", Entry::Filing),
    ("/pre-notification", Entry::Filing),
    ("/drive", Entry::Drive),
    ("/daily", Entry::Filing),
    ("/sentinel", Entry::Filing),
    ("/counts/**", Entry::Desk),
    ("/records/*/slip", Entry::Desk),
    ("/alerts", Entry::Desk),
    ("/dashboard", Entry::Desk),
    ("/self-registrations", Entry::Desk),
    ("/records/**", Entry::Records),
    ("/search", Entry::Records),
    ("/deleted", Entry::Records),
    ("/exports", Entry::Records),
    ("/admin", Entry::Admin),
    ("/account", Entry::Admin),
    ("/directory", Entry::Admin),
];

/// Whether `path` matches `pattern` (see [`RULES`]). Empty segments (a trailing slash) are ignored.
pub fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.split('/').filter(|s| !s.is_empty()).peekable();
    let mut have = path.split('/').filter(|s| !s.is_empty());
    loop {
        match (want.next(), have.next()) {
            (Some("**"), _) if want.peek().is_none() => return true,
            (None, None) => return true,
            (Some("*"), Some(_)) => {}
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_of_the_app_has_its_entry() {
        for (path, entry) in [
            ("/", Entry::SignIn),
            ("/signin", Entry::SignIn),
            ("/invite", Entry::SignIn),
            ("/account", Entry::Admin),
            ("/directory", Entry::Admin),
            ("/no/such/page", Entry::SignIn),
            ("/observe", Entry::Observe),
            ("/register", Entry::Observe),
            ("/observe/", Entry::Observe),
            ("/register", Entry::Observe),
            ("/self-registrations", Entry::Desk),
            ("/notifications/new", Entry::Filing),
            ("/notifications/new/c-123", Entry::Filing),
            ("/notifications/edit/n-1", Entry::Filing),
            ("/pre-notification", Entry::Filing),
            ("/drive", Entry::Drive),
            ("/records", Entry::Records),
            ("/records/", Entry::Records),
            ("/records/c-1", Entry::Records),
            ("/records/c-1/observation", Entry::Records),
            ("/records/c-1/slip", Entry::Desk),
            ("/search", Entry::Records),
            ("/deleted", Entry::Records),
            ("/exports", Entry::Records),
            ("/alerts", Entry::Desk),
            ("/dashboard", Entry::Desk),
            ("/daily", Entry::Filing),
            ("/sentinel", Entry::Filing),
            ("/counts", Entry::Desk),
            ("/counts/daily", Entry::Desk),
            ("/counts/sentinel", Entry::Desk),
            ("/admin", Entry::Admin),
        ] {
            assert_eq!(Entry::for_path(path), entry, "{path}");
        }
    }

    #[test]
    fn patterns_match_whole_segments_only() {
        assert!(!matches("/drive", "/driver"));
        assert!(!matches("/drive", "/drive/x"));
        assert!(!matches("/observe", "/observer"));
        assert!(matches("/records/**", "/records"));
        assert!(matches("/records/**", "/records/a/b/c"));
        assert!(!matches("/records/**", "/recordsx"));
        assert!(!matches("/records/*/slip", "/records/slip"));
        assert!(!matches("/records/*/slip", "/records/a/slip/x"));
    }

    #[test]
    fn names_round_trip() {
        for e in Entry::ALL {
            assert_eq!(Entry::from_name(e.name()), Some(e));
            assert_eq!(e.html_path(), format!("/entry/{}.html", e.name()));
        }
        assert_eq!(Entry::from_name("app"), None);
    }
}
