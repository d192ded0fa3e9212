-- Search indexes that also carry what the common extra criteria check, so the count and the page filter inside the
-- index instead of reading each row (found by tests/bench/search.mjs at 1,000,000 records):
-- status + category (the status index carries the category), and a clinic's search with a prefecture or health-center
-- criterion (the clinic's filing-order index carries both). Same names: the search's INDEXED BY is unchanged.
DROP INDEX cases_hc_status;
CREATE INDEX cases_hc_status ON cases(health_center_id, status, filed_at, seq, category) WHERE deleted_at IS NULL;
DROP INDEX cases_pref_status;
CREATE INDEX cases_pref_status ON cases(pref_code, status, filed_at, seq, category) WHERE deleted_at IS NULL;
DROP INDEX cases_inst_status;
CREATE INDEX cases_inst_status ON cases(institution_id, status, filed_at, seq, category) WHERE deleted_at IS NULL;
DROP INDEX cases_inst_filed;
CREATE INDEX cases_inst_filed ON cases(institution_id, filed_at, seq, pref_code, health_center_id) WHERE deleted_at IS NULL;
