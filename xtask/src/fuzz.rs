//! `cargo xtask fuzz [seconds]`: every fuzz target of `fuzz/` (cargo-fuzz, libFuzzer) for a bounded time each,
//! seeded from the project's own fixtures; prints executions and findings per target. Installs the nightly toolchain
//! and cargo-fuzz when missing (rustup's dist and crates.io only).

use std::process::Stdio;

use crate::cmd::{self, probe};
use crate::report::Report;
use crate::{root, Result};

pub const TARGETS: [&str; 7] = [
    "webauthn_registration",
    "webauthn_authentication",
    "cbor",
    "api_json",
    "sync_batch",
    "postal",
    "typed_text",
];

fn tools() -> Result {
    let toolchains = probe("rustup", &["toolchain", "list"]).unwrap_or_default();
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        let mut c = cmd::new("rustup");
        c.args(["toolchain", "install", "nightly", "--profile", "minimal"]);
        cmd::run(c)?;
    }
    if probe("cargo", &["fuzz", "--version"]).is_none() {
        let mut c = cmd::new("cargo");
        c.args(["install", "cargo-fuzz", "--locked"]);
        cmd::run(c)?;
    }
    Ok(())
}

/// Seeds each target's corpus from files the product already reads or writes.
fn seed() -> Result {
    let r = root();
    let copy = |target: &str, name: &str, bytes: &[u8]| -> Result {
        let dir = r.join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::write(dir.join(name), bytes).map_err(|e| format!("corpus {target}/{name}: {e}"))
    };
    if let Ok(q) = std::fs::read(r.join("tests/fixtures/sync-queue-v1.json")) {
        copy("sync_batch", "queue-v1", &q)?;
        copy("api_json", "queue-v1", &q)?;
    }
    if let Ok(p) = std::fs::read(r.join("public/data/postal/160.json")) {
        copy("postal", "160", &p)?;
    }
    copy(
        "api_json",
        "report",
        br#"{"reports":[{"client_id":"abcdefgh","person":"n_1","date":"2026-12-05","slot":"morning","temperature":36.5,"spo2":97,"answers":{"face":"no","cough":"yes","dyspnea":"unknown"}}]}"#,
    )?;
    copy(
        "api_json",
        "tab",
        r#"{"version":1,"data":{"name":"山田 太郎","tests":[{"specimen_date":"2026-12-01","lab":"x"}]}}"#
            .as_bytes(),
    )?;
    for (i, t) in [
        "2026-12-05",
        "令和8年12月5日",
        "19800115",
        "090-1234-5678",
        "ヤマダ　たろう",
        "ABCD-EFG",
        "３７．２",
    ]
    .iter()
    .enumerate()
    {
        copy("typed_text", &format!("t{i}"), t.as_bytes())?;
    }
    Ok(())
}

/// Runs every target for `seconds`; returns the report's lines.
pub fn run(seconds: u32) -> Result<Vec<String>> {
    tools()?;
    seed()?;
    let mut lines = vec![format!(
        "  {:<26} {:>12} {:>10} {:>9}  (libFuzzer, {seconds} s each)",
        "target", "executions", "exec/s", "findings"
    )];
    let mut total_findings = 0;
    for target in TARGETS {
        let artifacts = root().join("fuzz/artifacts").join(target);
        let before = count(&artifacts);
        let mut c = cmd::new("cargo");
        c.current_dir(root().join("fuzz"))
            .args([
                "+nightly",
                "fuzz",
                "run",
                target,
                "--",
                "-print_final_stats=1",
            ])
            .arg(format!("-max_total_time={seconds}"))
            .arg("-rss_limit_mb=2048")
            .stdout(Stdio::null());
        println!("$ {}", cmd::describe(&c));
        let out = c
            .output()
            .map_err(|e| format!("cargo fuzz {target}: {e}"))?;
        let err = String::from_utf8_lossy(&out.stderr);
        let stat = |name: &str| {
            err.lines()
                .find_map(|l| l.strip_prefix(&format!("stat::{name}:")))
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        let execs = stat("number_of_executed_units");
        let rate = stat("average_exec_per_sec");
        let findings = count(&artifacts) - before;
        total_findings += findings;
        if !out.status.success() && findings == 0 {
            let tail: Vec<&str> = err.lines().rev().take(20).collect();
            return Err(format!(
                "cargo fuzz {target} failed:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ));
        }
        let line = format!("  {target:<26} {execs:>12} {rate:>10} {findings:>9}");
        println!("{line}");
        lines.push(line);
    }
    lines.push(format!(
        "  findings in all: {total_findings} (crashing inputs kept under fuzz/artifacts/<target>/)"
    ));
    Ok(lines)
}

fn count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

pub fn command(args: &[String]) -> Result {
    let seconds = args.first().and_then(|s| s.parse().ok()).unwrap_or(60);
    let lines = run(seconds)?;
    let mut report = Report::default();
    report.add("Fuzzing", lines);
    Ok(())
}
