//! wasm32 benchmark module: the same ES256 assertion verification as `webauthn_bench`, exported as C-ABI
//! functions with no JS imports, so plain `WebAssembly.instantiate` can run it (see tests/bench/webauthn-wasm.mjs).
//!
//! Build: `cargo build --release -p shared --example webauthn_wasm_bench --target wasm32-unknown-unknown`
//! → `target/wasm32-unknown-unknown/release/examples/webauthn_wasm_bench.wasm`.
//! Then: `node tests/bench/webauthn-wasm.mjs [ITERATIONS]`.

#[path = "support/bench_fixture.rs"]
mod bench_fixture;

use std::sync::OnceLock;

fn fixture() -> Option<&'static bench_fixture::Fixture> {
    static FIXTURE: OnceLock<Option<bench_fixture::Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(bench_fixture::Fixture::new).as_ref()
}

/// Builds the fixture; returns 1 if it verifies (call once before timing `bench`).
#[no_mangle]
pub extern "C" fn prepare() -> u32 {
    fixture()
        .is_some_and(|f| shared::webauthn::verify_authentication(&f.input()).is_ok())
        .into()
}

/// Verifies the assertion `iterations` times; returns how many verified (must equal `iterations`).
#[no_mangle]
pub extern "C" fn bench(iterations: u32) -> u32 {
    let Some(f) = fixture() else { return 0 };
    let input = f.input();
    (0..iterations)
        .filter(|_| shared::webauthn::verify_authentication(std::hint::black_box(&input)).is_ok())
        .count() as u32
}
