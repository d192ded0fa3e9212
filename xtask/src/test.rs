//! `cargo xtask test` (everything CI runs) and `cargo xtask bench` (measured figures).

use std::time::Instant;

use crate::report::Report;
use crate::setup::WASM_TARGET;
use crate::{build, cmd, root, setup, Result};

pub fn run() -> Result {
    let start = Instant::now();
    setup::all()?;
    let t = Instant::now();
    build::all()?;
    println!("build: {:.1} s", t.elapsed().as_secs_f64());
    crate::budget::check()?;
    // What `wrangler deploy --env production` would upload, bundled by wrangler offline, and the configuration
    // checked (docs/DEPLOY.md); the committed placeholders are listed, not fatal (no --strict here).
    let t = Instant::now();
    crate::deploy::dry_run_built("production", false)?;
    println!("deploy dry run: {:.1} s", t.elapsed().as_secs_f64());

    let mut c = cmd::new("cargo");
    c.args(["fmt", "--all", "--check"]);
    cmd::run(c)?;
    let mut c = cmd::new("cargo");
    c.args([
        "clippy",
        "-p",
        "shared",
        "-p",
        "xtask",
        "-p",
        "edge",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    cmd::run(c)?;
    let mut c = cmd::new("cargo");
    c.args([
        "clippy",
        "--target",
        WASM_TARGET,
        "-p",
        "app",
        "-p",
        "edge",
        "--",
        "-D",
        "warnings",
    ]);
    cmd::run(c)?;
    let mut c = cmd::new("cargo");
    // `reference-data` adds the checks of every postal file and municipality → health-center link.
    c.args([
        "test",
        "-p",
        "shared",
        "-p",
        "edge",
        "-p",
        "xtask",
        "--features",
        "shared/reference-data",
    ]);
    cmd::run(c)?;

    let shots = root().join("target/screenshots");
    let mut c = cmd::new("node");
    c.args([
        "--test",
        "--test-concurrency=1",
        "tests/api/*.test.mjs",
        "tests/e2e/*.test.mjs",
    ])
    .env("SCREENSHOT_DIR", &shots)
    .env("FHIR_PYTHON", setup::fhir_python());
    cmd::run(c)?;
    println!("screenshots: {}", shots.display());
    println!("all tests passed in {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}

/// The node benchmarks, in the order `cargo xtask bench` runs them: (title, script).
const BENCHES: &[(&str, &str)] = &[
    ("API latency", "tests/bench/health.mjs"),
    (
        "Time to interactive on a throttled phone",
        "tests/bench/tti.mjs",
    ),
    // Lighthouse on nine main pages, each as its user.
    (
        "Lighthouse: accessibility and best practices",
        "tests/bench/lighthouse.mjs",
    ),
    ("Sign-in", "tests/bench/signin.mjs"),
    (
        "Filing throughput beside a bare D1 insert",
        "tests/bench/filing.mjs",
    ),
    // 1,000 drive-through records synced, and resumed after the edge is stopped mid-sync.
    (
        "Drive-through sync of 1,000 offline records",
        "tests/bench/sync.mjs",
    ),
    // 100 simulated users for 60 s with the worker killed and restarted halfway.
    (
        "Load: 100 simulated users, a worker restart",
        "tests/bench/load.mjs",
    ),
    // 1,000,000 generated patient records (kept in target/bench-search/), searched through the API.
    (
        "Search over 1,000,000 records beside raw SQLite",
        "tests/bench/search.mjs",
    ),
    // 100,000 filed records exported as CSV and FHIR NDJSON (streamed) beside one SELECT of them all: rows/s and
    // the worker's peak memory.
    (
        "Export of 100,000 records, streamed, beside a plain SELECT",
        "tests/bench/export.mjs",
    ),
    // The same data on three shards and on one database, interleaved in one run: filing, a health center's
    // search, the national aggregate beside one prefecture's (issue 23).
    ("Three shards beside one database", "tests/bench/shards.mjs"),
];

/// `cargo xtask bench [NAME]`: everything into BENCHMARKS.md/.json, or only `tests/bench/NAME.mjs`, printed.
pub fn bench(args: &[String]) -> Result {
    if let Some(name) = args.first() {
        let Some((title, script)) = BENCHES.iter().find(|(_, s)| {
            s.trim_start_matches("tests/bench/")
                .trim_end_matches(".mjs")
                == name
        }) else {
            let names: Vec<&str> = BENCHES
                .iter()
                .map(|(_, s)| {
                    s.trim_start_matches("tests/bench/")
                        .trim_end_matches(".mjs")
                })
                .collect();
            return Err(format!(
                "no benchmark {name:?} (one of: {})",
                names.join(", ")
            ));
        };
        setup::all()?;
        build::all()?;
        let mut report = Report::default();
        let mut c = cmd::new("node");
        c.arg(script);
        report.run(title, c)?;
        println!("(one benchmark: BENCHMARKS.md and BENCHMARKS.json are written only by the whole `cargo xtask bench`)");
        return Ok(());
    }
    setup::all()?;
    build::all()?;
    let mut report = Report::default();
    let lines = crate::budget::lines(&crate::budget::measure()?);
    report.add(
        "App transfer size per entry point (HTML, script, wasm, CSS; gzip -9 and brotli 11)",
        lines,
    );
    for (title, script) in BENCHES {
        let mut c = cmd::new("node");
        c.arg(script);
        report.run(title, c)?;
    }
    // Validating 10,000 varied notifications; one ES256 assertion verification (as in the worker).
    native_and_wasm(
        &mut report,
        "Notification validation",
        "notification_bench",
        "notification_wasm_bench",
        "tests/bench/notification-wasm.mjs",
    )?;
    native_and_wasm(
        &mut report,
        "WebAuthn assertion verification",
        "webauthn_bench",
        "webauthn_wasm_bench",
        "tests/bench/webauthn-wasm.mjs",
    )?;
    // Every parser that sees outside input, under libFuzzer (FUZZ_SECONDS each, default 30 here; `cargo xtask fuzz
    // [seconds]` for longer runs).
    let seconds = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let lines = crate::fuzz::run(seconds)?;
    report.add("Fuzzing (parsers of outside input)", lines);
    report.write()
}

/// A `shared` benchmark run natively (an example binary), then in V8 (a wasm example timed by a node script).
fn native_and_wasm(
    report: &mut Report,
    title: &str,
    native: &str,
    wasm: &str,
    script: &str,
) -> Result {
    let mut c = cmd::new("cargo");
    c.args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "shared",
        "--example",
        native,
    ]);
    report.run(&format!("{title} (native)"), c)?;
    let mut c = cmd::new("cargo");
    c.args([
        "build",
        "--quiet",
        "--release",
        "-p",
        "shared",
        "--example",
        wasm,
        "--target",
        WASM_TARGET,
    ]);
    cmd::run(c)?;
    let mut c = cmd::new("node");
    c.arg(script);
    report.run(&format!("{title} (wasm in V8)"), c)
}
