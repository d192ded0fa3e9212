-- Health observation (issue 10). A record's observation is started by its health center; while it runs the
-- person (or the household member who reports for them, 同居者) may sign in on a phone with the record's
-- スマホ入力ID and birth date and send a morning and an evening report. Reports and alerts hold answers, never names.

CREATE TABLE observations (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),
    kind TEXT NOT NULL,                      -- shared::observation::Kind
    started_on TEXT NOT NULL,                -- JST dates, inclusive
    ends_on TEXT NOT NULL,
    household_of TEXT REFERENCES cases(id),  -- the record whose phone reports for this one
    stopped_at INTEGER,
    updated_at INTEGER NOT NULL,
    updated_by_user_id TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX observations_hc ON observations(health_center_id, ends_on) WHERE stopped_at IS NULL;
CREATE INDEX observations_household ON observations(household_of) WHERE household_of IS NOT NULL;

CREATE TABLE observation_reports (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL REFERENCES cases(id),
    client_id TEXT NOT NULL,                 -- made on the phone: a resend is answered, not stored again
    kind TEXT NOT NULL,
    date TEXT NOT NULL,
    slot TEXT NOT NULL,                      -- morning | evening
    temperature_tenths INTEGER,
    spo2 INTEGER,
    answers TEXT NOT NULL,                   -- JSON {item key: yes|no|unknown}
    reported_at INTEGER NOT NULL,
    UNIQUE (case_id, client_id)
);
CREATE INDEX observation_reports_case ON observation_reports(case_id, date, slot);

-- Triage alerts. One per rule per report, or per missed slot (the UNIQUE keys make raising them idempotent).
CREATE TABLE observation_alerts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL REFERENCES cases(id),
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),
    rule TEXT NOT NULL,                      -- shared::observation::Rule
    urgency INTEGER NOT NULL,
    report_id TEXT,                          -- NULL for a missed check-in
    date TEXT NOT NULL,
    slot TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    raised_at INTEGER NOT NULL,
    handled_at INTEGER,
    handled_by_user_id TEXT REFERENCES users(id),
    note TEXT,
    UNIQUE (case_id, rule, date, slot, report_id)
);
-- SQLite treats NULLs as distinct in UNIQUE: missed check-ins get their own key.
CREATE UNIQUE INDEX observation_alerts_missed ON observation_alerts(case_id, date, slot)
    WHERE rule = 'missed_check_in';
CREATE INDEX observation_alerts_queue ON observation_alerts(health_center_id, urgency DESC, raised_at)
    WHERE handled_at IS NULL;
CREATE INDEX observation_alerts_case ON observation_alerts(case_id, raised_at);

-- Failed phone sign-ins, by スマホ入力ID ('id:…') and by client address ('addr:…'), counted per window.
CREATE TABLE observe_failures (
    key TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL
);

-- Passkeys a person registered on their phone to open their report without the slip next time. The user handle is
-- `obs:` + the record id; sign-in with one still needs the observation to be running.
CREATE TABLE observe_credentials (
    id TEXT PRIMARY KEY,                     -- credential id, base64url
    case_id TEXT NOT NULL REFERENCES cases(id),
    public_key_cose TEXT NOT NULL,
    sign_count INTEGER NOT NULL,
    backup_eligible INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX observe_credentials_case ON observe_credentials(case_id);
