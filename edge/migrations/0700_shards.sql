-- Shards (issue 23). Every database (the core and each shard) gets every migration; a table a database does not own
-- stays empty there (ARCHITECTURE.md, "Shards").

-- Core: where each record lives. `seq` is the record's number across every shard (届出番号 and the lists' keyset
-- tie-break): a shard writes its cases and notifications with this seq, so numbers never collide between shards and
-- a record keeps its number when it moves.
CREATE TABLE case_routes (
    seq INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE,
    shard TEXT NOT NULL,
    pref_code TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX case_routes_by_shard ON case_routes(shard, seq);

-- Audit entries written in a shard (in the same batch as the record write they describe) are forwarded to the core's
-- chain: `origin` names the shard entry a core row came from (`SHARD_TOKYO:42`, unique, so a repeated forward adds
-- nothing); in the shard, `forwarded_at` marks what the core holds. A shard's rows are never sealed or deleted.
ALTER TABLE audit_log ADD COLUMN origin TEXT;
ALTER TABLE audit_log ADD COLUMN forwarded_at INTEGER;
CREATE UNIQUE INDEX audit_log_origin ON audit_log(origin) WHERE origin IS NOT NULL;
CREATE INDEX audit_unforwarded ON audit_log(seq) WHERE forwarded_at IS NULL;
