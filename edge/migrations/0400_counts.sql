-- Issue 21: counts by age band. A clinic's daily totals (日次報告, 2022-09-26..=2023-05-07), sentinel designations
-- and sentinel clinics' weekly reports (定点報告, from 2023-05-08). Counts are not personal data; each row names its
-- band list (`bands_id`, shared::regime::AgeBands::id) and the timeline version it was checked against.
--
-- One row per clinic and day (or week): a repeated PUT replaces it only when the counts differ, bumping `version`;
-- every version is kept in the *_versions table (what was reported when, and by whom).

CREATE TABLE daily_totals (
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    day TEXT NOT NULL,                          -- YYYY-MM-DD (JST), a day of the limited regime
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),  -- the clinic's (when reported)
    pref_code TEXT NOT NULL,
    bands_id TEXT NOT NULL,
    counts TEXT NOT NULL,                       -- JSON array of whole numbers, in the band list's order
    total INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    submitted_at INTEGER NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id),
    late INTEGER NOT NULL DEFAULT 0,            -- first sent or changed after shared::regime::daily_deadline(day)
    timeline_version TEXT NOT NULL,
    PRIMARY KEY (institution_id, day)
);
CREATE INDEX daily_totals_by_hc ON daily_totals(health_center_id, day);
CREATE INDEX daily_totals_by_pref ON daily_totals(pref_code, day);
CREATE INDEX daily_totals_by_day ON daily_totals(day);

CREATE TABLE daily_total_versions (
    institution_id TEXT NOT NULL,
    day TEXT NOT NULL,
    version INTEGER NOT NULL,
    counts TEXT NOT NULL,
    total INTEGER NOT NULL,
    changed_at INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    late INTEGER NOT NULL,
    PRIMARY KEY (institution_id, day, version)
);

-- A designation covers the weeks from_week..=last_week (NULL: open). At most one open designation per clinic.
CREATE TABLE sentinel_sites (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),
    pref_code TEXT NOT NULL,
    from_week TEXT NOT NULL,                    -- a Monday
    last_week TEXT,                             -- a Monday, or NULL while designated
    designated_at INTEGER NOT NULL,
    designated_by TEXT NOT NULL REFERENCES users(id),
    ended_at INTEGER,
    ended_by TEXT REFERENCES users(id)
);
CREATE UNIQUE INDEX sentinel_sites_open ON sentinel_sites(institution_id) WHERE last_week IS NULL;
CREATE INDEX sentinel_sites_by_hc ON sentinel_sites(health_center_id, from_week);

CREATE TABLE sentinel_reports (
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    week TEXT NOT NULL,                         -- the Monday starting the week
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),
    pref_code TEXT NOT NULL,
    bands_id TEXT NOT NULL,
    counts TEXT NOT NULL,
    total INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    submitted_at INTEGER NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id),
    late INTEGER NOT NULL DEFAULT 0,            -- first sent or changed after shared::regime::sentinel_deadline(week)
    timeline_version TEXT NOT NULL,
    PRIMARY KEY (institution_id, week)
);
CREATE INDEX sentinel_reports_by_hc ON sentinel_reports(health_center_id, week);
CREATE INDEX sentinel_reports_by_week ON sentinel_reports(week);

CREATE TABLE sentinel_report_versions (
    institution_id TEXT NOT NULL,
    week TEXT NOT NULL,
    version INTEGER NOT NULL,
    counts TEXT NOT NULL,
    total INTEGER NOT NULL,
    changed_at INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    late INTEGER NOT NULL,
    PRIMARY KEY (institution_id, week, version)
);
