//! wasm32 benchmark module: the same 10,000 varied notifications as `notification_bench`, validated in
//! WebAssembly, exported as C-ABI functions with no JS imports (see tests/bench/notification-wasm.mjs).
//!
//! Build: `cargo build --release -p shared --example notification_wasm_bench --target wasm32-unknown-unknown`
//! → `target/wasm32-unknown-unknown/release/examples/notification_wasm_bench.wasm`.
//! Then: `node tests/bench/notification-wasm.mjs [COUNT]`.

#[path = "support/notification_fixture.rs"]
mod fixture;

use std::cell::RefCell;

use shared::notification::{validate, Notification};

thread_local! {
    static ITEMS: RefCell<Vec<Notification>> = const { RefCell::new(Vec::new()) };
    static JSON: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Builds `count` varied notifications (and their JSON); returns how many are fileable (no errors).
#[no_mangle]
pub extern "C" fn prepare(count: u32) -> u32 {
    let items: Vec<Notification> = (0..u64::from(count)).map(fixture::varied).collect();
    let fileable = items
        .iter()
        .filter(|n| validate(n, fixture::today()).is_fileable())
        .count() as u32;
    JSON.with(|j| *j.borrow_mut() = items.iter().map(Notification::to_json).collect());
    ITEMS.with(|i| *i.borrow_mut() = items);
    fileable
}

/// Validates items `start..start + count` (wrapping); returns the number of errors found, so nothing is optimised
/// away.
#[no_mangle]
pub extern "C" fn bench(start: u32, count: u32) -> u32 {
    ITEMS.with(|items| {
        let items = items.borrow();
        if items.is_empty() {
            return 0;
        }
        (0..count)
            .filter_map(|k| items.get((start.wrapping_add(k) as usize) % items.len()))
            .map(|n| {
                validate(std::hint::black_box(n), fixture::today())
                    .errors
                    .len() as u32
            })
            .sum()
    })
}

/// As `bench`, parsing each notification from its JSON first (what the edge does with a request body).
#[no_mangle]
pub extern "C" fn bench_json(start: u32, count: u32) -> u32 {
    JSON.with(|json| {
        let json = json.borrow();
        if json.is_empty() {
            return 0;
        }
        (0..count)
            .filter_map(|k| json.get((start.wrapping_add(k) as usize) % json.len()))
            .filter_map(|text| Notification::from_json(std::hint::black_box(text)).ok())
            .map(|n| validate(&n, fixture::today()).errors.len() as u32)
            .sum()
    })
}
