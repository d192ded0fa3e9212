-- Areas, accounts, WebAuthn credentials and challenges, recovery codes, sign-in throttling and the audit chain.
-- Consistency: everything that must be exact (single use, counters, lockouts, the audit chain) lives here in D1;
-- KV holds only sessions and pending sign-ins (see ARCHITECTURE.md).

CREATE TABLE health_centers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    pref_code TEXT NOT NULL,
    prefecture TEXT NOT NULL
);

CREATE TABLE institutions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),
    pref_code TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX institutions_by_health_center ON institutions(health_center_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    login_id TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('clinic_doctor', 'clinic_staff', 'health_center_staff',
                                       'health_center_admin', 'prefecture_staff', 'national_staff')),
    institution_id TEXT REFERENCES institutions(id),
    health_center_id TEXT REFERENCES health_centers(id),
    pref_code TEXT,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    -- Bumped to revoke every session of the user at once (sign-out everywhere, reset, deactivation).
    session_epoch INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX users_by_health_center ON users(health_center_id);
CREATE INDEX users_by_institution ON users(institution_id);

CREATE TABLE credentials (
    id TEXT PRIMARY KEY,               -- credential id, base64url
    user_id TEXT NOT NULL REFERENCES users(id),
    public_key_cose TEXT NOT NULL,     -- base64url COSE_Key
    sign_count INTEGER NOT NULL,
    backup_eligible INTEGER NOT NULL,
    name TEXT NOT NULL,
    aaguid TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX credentials_by_user ON credentials(user_id);

-- Single use: consumed by a conditional UPDATE ... WHERE used_at IS NULL AND expires_at > now.
CREATE TABLE webauthn_challenges (
    challenge TEXT PRIMARY KEY,        -- base64url
    user_id TEXT,
    purpose TEXT NOT NULL CHECK (purpose IN ('register', 'authenticate')),
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sign_in_failures_by_address (
    address TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL
);

-- Append-only; each entry carries the SHA-256 of the previous one. No personal data in an entry.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_user_id TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    client_address TEXT NOT NULL,
    health_center_id TEXT,
    pref_code TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_by_health_center ON audit_log(health_center_id, seq);

-- Invitation links (72 h, single use): only the SHA-256 of the token is stored.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
