-- Issue 21: the prefecture's 健康フォローアップセンター (follow-up center) as a role, and self-registrations of
-- positives (陽性者登録窓口, 2022-09-26 to 2023-05-07, shared::regime).
--
-- A role is a CHECK on users.role, which SQLite cannot alter: the table is rebuilt with the new role allowed (the
-- rows are copied aside, the table dropped and made again, and the rows put back. With deferred foreign keys the
-- drop counts the rows that name users(id) as violations and putting the same ids back settles them before commit;
-- renaming a new table into place would not, and renaming the old one away would repoint every reference).
PRAGMA defer_foreign_keys = on;

CREATE TABLE users_copy AS SELECT * FROM users;
DROP TABLE users;
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    login_id TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('clinic_doctor', 'clinic_staff', 'health_center_staff',
                                       'health_center_admin', 'prefecture_staff', 'national_staff',
                                       'follow_up_center')),
    institution_id TEXT REFERENCES institutions(id),
    health_center_id TEXT REFERENCES health_centers(id),
    pref_code TEXT,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    session_epoch INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    draft_key TEXT
);
INSERT INTO users (id, login_id, display_name, email, role, institution_id, health_center_id, pref_code,
       password_hash, must_change_password, status, failed_count, locked_until, session_epoch,
       created_at, updated_at, draft_key)
    SELECT id, login_id, display_name, email, role, institution_id, health_center_id, pref_code,
       password_hash, must_change_password, status, failed_count, locked_until, session_epoch,
       created_at, updated_at, draft_key FROM users_copy;
DROP TABLE users_copy;
CREATE INDEX users_by_health_center ON users(health_center_id);
CREATE INDEX users_by_institution ON users(institution_id);

-- One row per registration as the person sent it. Personal data stays here (never in the audit log); the anonymous
-- page gets back only `receipt`. `dedupe_key` (furigana key, birth date, phone digits, result date) finds the same
-- person registering twice: a second registration with the same key while one is pending or confirmed is answered
-- with the first one's receipt and stored once.
CREATE TABLE self_registrations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    receipt TEXT NOT NULL UNIQUE,              -- the number shown to the person (no personal data)
    client_key TEXT NOT NULL UNIQUE,           -- the page's idempotency key: a resend is stored once
    dedupe_key TEXT NOT NULL,
    pref_code TEXT NOT NULL,
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),  -- of the residence (routing)
    municipality_code TEXT NOT NULL,
    name TEXT NOT NULL,
    furigana TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,               -- YYYY-MM-DD
    sex TEXT NOT NULL,
    phone TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    address TEXT NOT NULL,
    result_kind TEXT NOT NULL CHECK (result_kind IN ('clinic_diagnosis', 'antigen_kit')),
    result_date TEXT NOT NULL,                 -- YYYY-MM-DD, a day of the limited regime
    clinic_name TEXT NOT NULL DEFAULT '',      -- for a clinic diagnosis
    timeline_version TEXT NOT NULL,            -- shared::regime::TIMELINE_VERSION when registered
    consent_version TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected')),
    decided_by TEXT REFERENCES users(id),
    decided_at INTEGER,
    reject_reason TEXT NOT NULL DEFAULT '',
    case_id TEXT REFERENCES cases(id)          -- the patient record a confirmation made (or found)
);
CREATE INDEX self_registrations_queue ON self_registrations(pref_code, status, registered_at);
CREATE INDEX self_registrations_by_hc ON self_registrations(health_center_id, status, registered_at);
CREATE INDEX self_registrations_dedupe ON self_registrations(dedupe_key, status);
CREATE INDEX self_registrations_counts ON self_registrations(status, result_kind, result_date);
