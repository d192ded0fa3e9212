-- A clinic's search by status or by category: from an index, like a health center's and a prefecture's, instead
-- of walking the clinic's records in filing order (4–7 ms at 5,000 records in tests/bench/search.mjs).
CREATE INDEX cases_inst_status ON cases(institution_id, status, filed_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX cases_inst_category ON cases(institution_id, category, filed_at, seq) WHERE deleted_at IS NULL;
