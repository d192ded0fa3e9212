-- The health-center directory (issue 23): contact details people maintain, and the municipalities each center
-- covers where an administrator changed the reference table's assignment (shared/data/health_center_by_municipality.tsv
-- is the starting point; a row here overrides it for routing). Core database. SQL: edge/src/store/institutions.rs.

ALTER TABLE health_centers ADD COLUMN postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE health_centers ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE health_centers ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE health_centers ADD COLUMN updated_by_user_id TEXT REFERENCES users(id);
ALTER TABLE health_centers ADD COLUMN updated_at INTEGER;

CREATE TABLE municipality_assignments (
    code TEXT PRIMARY KEY,                 -- 6 digits with the check digit
    health_center_id TEXT NOT NULL REFERENCES health_centers(id),
    pref_code TEXT NOT NULL,
    updated_by_user_id TEXT NOT NULL REFERENCES users(id),
    updated_at INTEGER NOT NULL
);
CREATE INDEX municipality_assignments_by_pref ON municipality_assignments(pref_code);
