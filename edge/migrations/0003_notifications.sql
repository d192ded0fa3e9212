-- Notifications (発生届), their routing history, the notice e-mail outbox, submit idempotency, the institutions'
-- doctor lists and per-user draft keys. A filing writes its record, routing event, outbox row, idempotency row and
-- audit entry in one D1 batch (one transaction): all or nothing.

ALTER TABLE health_centers ADD COLUMN email TEXT NOT NULL DEFAULT '';
-- The key that encrypts this user's drafts on their devices (AES-256-GCM, base64url); created on first use.
ALTER TABLE users ADD COLUMN draft_key TEXT;

CREATE TABLE notifications (
    seq INTEGER PRIMARY KEY,            -- the notification number is derived from it
    id TEXT NOT NULL UNIQUE,            -- opaque id used by the API and the app's routes
    form_version TEXT NOT NULL,
    body TEXT NOT NULL,                 -- the notification JSON as filed (shared::notification::Notification)
    category TEXT,
    patient_name TEXT NOT NULL,
    -- Duplicate detection: normalised furigana search key, birth date, phone digits.
    furigana_key TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    phone_digits TEXT NOT NULL,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    filed_by_user_id TEXT NOT NULL REFERENCES users(id),
    filed_at INTEGER NOT NULL,
    pref_code TEXT NOT NULL,
    -- Current health center (routing, then transfers).
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),
    routing_reason TEXT NOT NULL,
    residence_health_center_id TEXT,
    received_at INTEGER,
    received_by_user_id TEXT REFERENCES users(id)
);
CREATE INDEX notifications_by_institution ON notifications(institution_id, filed_at DESC);
CREATE INDEX notifications_inbox ON notifications(health_center_id, received_at, filed_at DESC);
CREATE INDEX notifications_by_furigana ON notifications(date_of_birth, furigana_key);
CREATE INDEX notifications_by_phone ON notifications(date_of_birth, phone_digits);

-- routed / received / transferred, in order. Both sides of a transfer see it.
CREATE TABLE notification_events (
    seq INTEGER PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications(id),
    kind TEXT NOT NULL CHECK (kind IN ('routed', 'received', 'transferred')),
    at INTEGER NOT NULL,
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),
    from_health_center_id TEXT,
    actor_user_id TEXT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notification_events_by_notification ON notification_events(notification_id, seq);
-- Every health center a record has been at (access: can_see_record's health_center_ids).
CREATE INDEX notification_events_by_health_center ON notification_events(health_center_id, notification_id);

-- One notice e-mail per routing (and per transfer); sent by the scheduled handler, with backoff.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications(id),
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- A sender claims a row by moving its lease forward (conditional UPDATE); a crashed sender's lease expires.
    lease_until INTEGER NOT NULL DEFAULT 0,
    -- The link the notice carries (the app's origin at filing time; no personal data).
    link TEXT NOT NULL,
    last_error TEXT,
    sent_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_by_notification ON outbox(notification_id);

-- A repeated submit with the same key returns the first result.
CREATE TABLE submit_keys (
    user_id TEXT NOT NULL REFERENCES users(id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);

-- The doctor list of an institution (医師の氏名 is picked from it); kept by the clinic's users.
CREATE TABLE doctors (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    removed_at INTEGER
);
CREATE INDEX doctors_by_institution ON doctors(institution_id);
