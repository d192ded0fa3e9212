//! The postal-code files (public/data/postal/*.json, fetched by the app and cached) and typed postal codes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shared::notification::postal::{PostalCode, PostalIndex};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(code) = PostalCode::parse(text) {
        let _ = code.lookup_path();
    }
    if let Ok(index) = PostalIndex::from_json(text) {
        for (code, _) in index.entries() {
            if let Ok(c) = PostalCode::parse(code) {
                let _ = index.lookup(&c);
            }
        }
    }
});
