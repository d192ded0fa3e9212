-- Moving a record between shards (issue 23, edge/src/store/moves.rs, docs/SHARDS-MOVE.md).
--
-- Core: one row per move. `step` is the last step completed: 0 started (the record frozen in its source shard),
-- 1 copied into the target, 2 switched (case_routes names the target), 3 deleted from the source, 4 done. A move
-- resumes from its step; every step is safe to repeat. A mover holds the move by its lease (`lease_until`), so two
-- movers (a request and the cron) never run the same move's steps at once; a dead mover's lease runs out.
CREATE TABLE record_moves (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    from_shard TEXT NOT NULL,
    to_shard TEXT NOT NULL,
    to_pref_code TEXT NOT NULL,
    step INTEGER NOT NULL DEFAULT 0 CHECK (step BETWEEN 0 AND 4),
    lease_until INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
);
-- At most one unfinished move per record; the cron finds the unfinished ones.
CREATE UNIQUE INDEX record_moves_open ON record_moves(case_id) WHERE step < 4;
CREATE INDEX record_moves_unfinished ON record_moves(started_at) WHERE step < 4;

-- Shards: the records frozen in this database while they move out of it. From the move's start until its delete
-- step, every INSERT or UPDATE of the record's rows here is aborted with RECORD_MOVING (the edge answers that code;
-- the user retries once the move is done), so no write can land in the source after its rows were copied and be
-- lost. The move's own DELETEs are not affected; its delete step removes the row here in the same batch.
CREATE TABLE moving_records (
    case_id TEXT PRIMARY KEY,
    move_id TEXT NOT NULL,
    since INTEGER NOT NULL
);

CREATE TRIGGER cases_insert_moving BEFORE INSERT ON cases
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER cases_update_moving BEFORE UPDATE ON cases
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER notifications_insert_moving BEFORE INSERT ON notifications
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER notifications_update_moving BEFORE UPDATE ON notifications
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER case_versions_insert_moving BEFORE INSERT ON case_versions
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER case_versions_update_moving BEFORE UPDATE ON case_versions
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER case_status_insert_moving BEFORE INSERT ON case_status
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER case_status_update_moving BEFORE UPDATE ON case_status
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER notification_events_insert_moving BEFORE INSERT ON notification_events
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.notification_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER notification_events_update_moving BEFORE UPDATE ON notification_events
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.notification_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER outbox_insert_moving BEFORE INSERT ON outbox
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.notification_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER outbox_update_moving BEFORE UPDATE ON outbox
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.notification_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER submit_keys_insert_moving BEFORE INSERT ON submit_keys
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.notification_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER submit_keys_update_moving BEFORE UPDATE ON submit_keys
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.notification_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER sync_records_insert_moving BEFORE INSERT ON sync_records
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER sync_records_update_moving BEFORE UPDATE ON sync_records
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER observations_insert_moving BEFORE INSERT ON observations
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER observations_update_moving BEFORE UPDATE ON observations
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER observation_reports_insert_moving BEFORE INSERT ON observation_reports
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER observation_reports_update_moving BEFORE UPDATE ON observation_reports
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER observation_alerts_insert_moving BEFORE INSERT ON observation_alerts
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER observation_alerts_update_moving BEFORE UPDATE ON observation_alerts
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER observe_credentials_insert_moving BEFORE INSERT ON observe_credentials
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER observe_credentials_update_moving BEFORE UPDATE ON observe_credentials
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER self_registrations_insert_moving BEFORE INSERT ON self_registrations
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
CREATE TRIGGER self_registrations_update_moving BEFORE UPDATE ON self_registrations
    WHEN EXISTS (SELECT 1 FROM moving_records WHERE case_id = NEW.case_id)
    BEGIN SELECT RAISE(ABORT, 'RECORD_MOVING'); END;
