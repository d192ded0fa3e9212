//! Native benchmark of one complete ES256 assertion verification (`verify_authentication`: COSE key parse,
//! clientDataJSON checks, authenticator data, SHA-256, ECDSA P-256 verify, counter rule).
//!
//! Run: `cargo run --release -p shared --example webauthn_bench [-- ITERATIONS]` (default 2000, after 100
//! warm-up runs). Prints one JSON line with the median and p95 in microseconds. The release profile is the
//! workspace's (opt-level "z", LTO), i.e. the one the Worker ships with. The wasm counterpart is
//! `tests/bench/webauthn-wasm.mjs`.

#[path = "support/bench_fixture.rs"]
mod bench_fixture;

use std::time::Instant;

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let Some(fixture) = bench_fixture::Fixture::new() else {
        eprintln!("could not build the benchmark fixture");
        std::process::exit(1);
    };
    let input = fixture.input();
    if let Err(e) = shared::webauthn::verify_authentication(&input) {
        eprintln!("fixture does not verify: {e}");
        std::process::exit(1);
    }
    for _ in 0..100 {
        let _ = std::hint::black_box(shared::webauthn::verify_authentication(
            std::hint::black_box(&input),
        ));
    }
    let mut micros: Vec<f64> = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        let ok = std::hint::black_box(shared::webauthn::verify_authentication(
            std::hint::black_box(&input),
        ))
        .is_ok();
        micros.push(start.elapsed().as_secs_f64() * 1e6);
        assert!(ok);
    }
    micros.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        micros
            .get(((micros.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "{{\"bench\":\"webauthn_es256_assertion_native\",\"iterations\":{iterations},\"median_us\":{:.1},\"p95_us\":{:.1},\"min_us\":{:.1}}}",
        pick(0.5),
        pick(0.95),
        pick(0.0)
    );
}
