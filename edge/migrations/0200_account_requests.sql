-- Actions on a health-center administrator's account (lock, unlock, reset, deactivate, reactivate) and the
-- creation of an administrator account, requested by an administrator, wait here until a second administrator of
-- the same health center (not the requester, not the target) or prefecture staff of the same prefecture approves
-- or rejects them (edge/src/routes/admin.rs). A request not decided within 72 hours lapses.
CREATE TABLE account_requests (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL CHECK (action IN ('lock', 'unlock', 'reset', 'deactivate', 'reactivate', 'create')),
    -- The account acted on; for a creation, NULL until the approval creates it.
    target_user_id TEXT REFERENCES users(id),
    -- For a creation: the new account's sign-in ID, display name and e-mail address (JSON); '{}' otherwise.
    payload TEXT NOT NULL DEFAULT '{}',
    health_center_id TEXT NOT NULL,
    pref_code TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users(id),
    requested_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by TEXT REFERENCES users(id),
    decided_at INTEGER
);

CREATE INDEX account_requests_by_area ON account_requests (pref_code, health_center_id, status, requested_at);
