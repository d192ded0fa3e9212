-- Drive-through sync (issue 9). A record captured on a device becomes a patient record before notification
-- (cases: ID管理 and one 検査 entry; status 検体採取). This row ties the device's id to it and is the sync
-- protocol's idempotency record: the client id is the primary key, so a record is created at most once, and
-- `client_version` is the highest version of the device's record the server holds (an older or equal one is
-- answered as already applied). No personal data here: ids, versions, times and the specimen code.
CREATE TABLE sync_records (
    client_id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    client_version INTEGER NOT NULL,
    case_version INTEGER NOT NULL,           -- the record's version this row's last write produced: another
                                             -- version means someone else changed the record since
    test_index INTEGER NOT NULL,             -- the 検査 entry of this specimen in the record's tests list
    specimen_code TEXT NOT NULL,
    collected_at INTEGER NOT NULL,
    result TEXT,
    result_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX sync_records_case ON sync_records(case_id);

-- The key that opens a device's drive-through store (app/js/vault.js), one per user and device, released only to
-- that user's session. Deleting a row makes the store on that device unreadable once its kept copy (≤ 12 hours)
-- is gone.
CREATE TABLE device_keys (
    user_id TEXT NOT NULL REFERENCES users(id),
    device_id TEXT NOT NULL,
    key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    released_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_id)
);
