//! A drive-through sync batch as the edge reads it: the envelope, then each record decoded for its protocol and
//! checked, and turned into the record's ID管理 tab and 検査 entry.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shared::api::sync::SyncBatch;
use shared::drive;

fuzz_target!(|data: &[u8]| {
    let Ok(batch) = serde_json::from_slice::<SyncBatch>(data) else { return };
    for v in &batch.records {
        if let Ok(r) = drive::decode(batch.protocol, v) {
            let _ = drive::check(&r, 1_764_900_000_000);
            let _ = drive::id_tab(&r.person, None);
            let _ = drive::test_entry(&r);
        }
    }
});
