//! Exports (issue 22): `/exports` (`page.rs`, records entry) — a role's FHIR, CSV or open-data file for a date range,
//! with the scope and the count shown before anything is downloaded, progress while it streams, and a file saved
//! only when every announced row arrived. A record's own FHIR document is saved from its 発生届 tab
//! (`notification/records.rs`). The edge decides who may export what; the page offers only what the role may use.

pub mod page;

use crate::text::grouped;

/// 「12 KB」, 「3,456 KB」 (whole kilobytes, rounded up; 「0 KB」 only for nothing).
pub fn kilobytes(bytes: u64) -> String {
    format!("{} KB", grouped(bytes.div_ceil(1024)))
}
