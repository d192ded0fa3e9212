//! Every request body the edge parses with serde (as `json_body` does), then the checks it runs on them: the
//! notification's validation, each tab's cleaning, search criteria, health observation's report checks and triage.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shared::api::cases::{SearchRequest, StatusChange, TabUpdate};
use shared::api::notifications::FileRequest;
use shared::api::observation::{HandleAlert, ObserveSignIn, ReportBatch, StartObservation};
use shared::case::tabs::{clean, Tab};
use shared::notification::validate::validate;
use shared::observation::{check, triage, Kind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    if let Ok(f) = serde_json::from_str::<FileRequest>(text) {
        let _ = validate(&f.notification, today);
    }
    let _ = serde_json::from_str::<SearchRequest>(text);
    let _ = serde_json::from_str::<StatusChange>(text);
    if let Ok(t) = serde_json::from_str::<TabUpdate>(text) {
        for tab in Tab::ALL {
            let _ = clean(tab, &t.data, today);
        }
    }
    if let Ok(b) = serde_json::from_str::<ReportBatch>(text) {
        for r in &b.reports {
            for kind in [Kind::Patient, Kind::Contact] {
                let _ = check(kind, &r.report, today);
                let _ = triage(kind, &r.report);
            }
        }
    }
    let _ = serde_json::from_str::<StartObservation>(text);
    let _ = serde_json::from_str::<HandleAlert>(text);
    let _ = serde_json::from_str::<ObserveSignIn>(text);
});
