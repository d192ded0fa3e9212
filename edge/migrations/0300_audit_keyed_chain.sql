-- The audit chain becomes keyed (HMAC-SHA256 with the Worker secret AUDIT_KEY, which D1 never holds) and entries of
-- a search or list name the records they returned.
--   chain_version: 1 = sealed with plain SHA-256 before this migration (verified as legacy, and only as a prefix of
--   the chain); 2 = sealed with the HMAC. Every entry still unsealed is sealed as 2 by the next seal.
--   detail: for reads of many records, {"n": count, "ids": [first 200 ids]} (JSON); part of the HMAC input.
ALTER TABLE audit_log ADD COLUMN chain_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN detail TEXT;
-- The unsealed entries (the stale check and the sealer look them up).
CREATE INDEX audit_unsealed ON audit_log(seq) WHERE hash = '';
