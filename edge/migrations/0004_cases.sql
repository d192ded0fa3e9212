-- Patient records (登録情報): one per person, created by a filing or before one (manual 4.5); the notification,
-- when filed, has the record's id. Search columns are kept on the row (normalised keys), the tabs' data as JSON,
-- every write bumps `version` (checked in the same conditional UPDATE: D1 has no interactive transactions), and
-- delete only marks the row (an administrator can restore it).

CREATE TABLE cases (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    smartphone_id TEXT NOT NULL UNIQUE,      -- スマホ入力ID (10 digits, check digit)
    institution_id TEXT REFERENCES institutions(id),
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),
    pref_code TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,                  -- shared::case::name_key
    furigana TEXT NOT NULL DEFAULT '',
    furigana_key TEXT NOT NULL DEFAULT '',   -- shared::case::furigana_key
    date_of_birth TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD or ''
    phone_digits TEXT NOT NULL DEFAULT '',
    phone2_digits TEXT NOT NULL DEFAULT '',
    sex TEXT,
    category TEXT,                           -- 診断類型 (snake_case CaseCategory) once filed
    status TEXT,                             -- current CaseStatus (snake_case)
    hc_own_id TEXT NOT NULL DEFAULT '',      -- 保健所独自ID
    diagnosed_on TEXT,
    onset_on TEXT,
    residence TEXT NOT NULL DEFAULT '',
    -- Filing time once filed; registration time before (the list's date and its sort key).
    filed_at INTEGER NOT NULL,
    filed INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    created_by_user_id TEXT NOT NULL REFERENCES users(id),
    create_key TEXT,                         -- the creating client's idempotency key
    updated_at INTEGER NOT NULL,
    updated_by_user_id TEXT NOT NULL REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    tabs TEXT NOT NULL DEFAULT '{}',
    deleted_at INTEGER,
    deleted_by_user_id TEXT REFERENCES users(id)
);
CREATE UNIQUE INDEX cases_create_key ON cases(created_by_user_id, create_key) WHERE create_key IS NOT NULL;

-- Search. Every query of edge/src/routes/cases.rs is answered from one of these (checked with EXPLAIN QUERY PLAN
-- by tests/api/cases.test.mjs). Partial on live rows: deleted ones are only listed for restoring, by area.
-- Scope (the caller's institution, health center or prefecture) + sort.
CREATE INDEX cases_inst_filed ON cases(institution_id, filed_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX cases_hc_filed ON cases(health_center_id, filed_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX cases_pref_filed ON cases(pref_code, filed_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX cases_inst_kana ON cases(institution_id, furigana_key, seq) WHERE deleted_at IS NULL;
CREATE INDEX cases_hc_kana ON cases(health_center_id, furigana_key, seq) WHERE deleted_at IS NULL;
CREATE INDEX cases_pref_kana ON cases(pref_code, furigana_key, seq) WHERE deleted_at IS NULL;
CREATE INDEX cases_inst_name ON cases(institution_id, name_key) WHERE deleted_at IS NULL;
CREATE INDEX cases_hc_name ON cases(health_center_id, name_key) WHERE deleted_at IS NULL;
CREATE INDEX cases_pref_name ON cases(pref_code, name_key) WHERE deleted_at IS NULL;
CREATE INDEX cases_hc_status ON cases(health_center_id, status, filed_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX cases_pref_status ON cases(pref_code, status, filed_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX cases_hc_category ON cases(health_center_id, category, filed_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX cases_pref_category ON cases(pref_code, category, filed_at, seq) WHERE deleted_at IS NULL;
-- Selective keys, nationally.
CREATE INDEX cases_dob ON cases(date_of_birth) WHERE deleted_at IS NULL;
CREATE INDEX cases_phone ON cases(phone_digits) WHERE deleted_at IS NULL;
CREATE INDEX cases_phone2 ON cases(phone2_digits) WHERE deleted_at IS NULL;
CREATE INDEX cases_hc_own ON cases(hc_own_id) WHERE deleted_at IS NULL AND hc_own_id <> '';
-- Restoring: deleted rows of an area.
CREATE INDEX cases_deleted ON cases(health_center_id, deleted_at) WHERE deleted_at IS NOT NULL;

-- Previous versions: what a write replaced (a tab's JSON, the notification's body, or a delete/restore marker).
CREATE TABLE case_versions (
    seq INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    version INTEGER NOT NULL,                -- the version this write produced
    part TEXT NOT NULL,                      -- tab name, 'notification', 'status', 'delete', 'restore', 'create', 'file'
    what TEXT NOT NULL,                      -- the history line (field labels, no values)
    previous TEXT,                           -- the replaced JSON
    at INTEGER NOT NULL,
    by_user_id TEXT NOT NULL REFERENCES users(id),
    UNIQUE (case_id, version)
);

-- The status record (措置判定記録).
CREATE TABLE case_status (
    seq INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    status TEXT NOT NULL,
    date TEXT NOT NULL,
    place TEXT,
    severity TEXT,
    comment TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL,
    by_user_id TEXT NOT NULL REFERENCES users(id),
    withdrawn_at INTEGER,
    withdrawn_by_user_id TEXT REFERENCES users(id)
);
CREATE INDEX case_status_by_case ON case_status(case_id, seq);

-- Records filed before this migration become patient records (development databases; production starts here).
INSERT INTO cases (id, smartphone_id, institution_id, health_center_id, pref_code, name, name_key, furigana,
                   furigana_key, date_of_birth, phone_digits, category, status, filed_at, filed, created_at,
                   created_by_user_id, updated_at, updated_by_user_id)
SELECT n.id, printf('9%09d', n.seq), n.institution_id, n.health_center_id, n.pref_code, n.patient_name,
       replace(replace(n.patient_name, ' ', ''), '　', ''), '', n.furigana_key, n.date_of_birth, n.phone_digits,
       n.category, 'result_reported', n.filed_at, 1, n.filed_at, n.filed_by_user_id, n.filed_at, n.filed_by_user_id
FROM notifications n;
