//! The one front door for chores: `cargo xtask <setup|build|dev|test|bench|deploy|fuzz>`.
//!
//! Every command first installs what is missing (and only that), so a fresh machine with Rust, Node and apt needs
//! nothing else, and a second run is quick. Tools come only from the registries: rustup's dist, crates.io, npm, Debian.

use std::env;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod budget;
mod build;
mod cmd;
mod deploy;
mod dev;
mod fuzz;
mod report;
mod setup;
#[cfg(test)]
mod structure;
mod test;
mod wrangler_config;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  setup   install whatever is missing (wasm target, wasm-bindgen-cli, worker-build, npm packages, Chromium)
  build   build the app (dist/) and the worker (edge/build/)
  dev     setup + build + local D1 migrations (core + shards) and demo seed, then serve on wrangler dev [--port N]
  test    setup + build + fmt, clippy, cargo tests, edge HTTP tests and browser tests
  bench   setup + build, then measure everything and write BENCHMARKS.md and BENCHMARKS.json
          [NAME]: only tests/bench/NAME.mjs (e.g. shards), printed, BENCHMARKS.* left as they are
  deploy  --dry-run [--env NAME] [--strict]: build what `wrangler deploy` would upload and check the
          configuration (variables, secrets, shards, migrations) offline; nothing is uploaded
  sizes   each entry point's transfer size in dist/ against its budget (run by test after the build)
  fuzz    run every fuzz target of fuzz/ (libFuzzer, nightly) [seconds each, default 60]";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::all(),
        Some("build") => setup::all().and_then(|_| build::all()),
        Some("dev") => dev::run(&args[1..]),
        Some("test") => test::run(),
        Some("bench") => test::bench(&args[1..]),
        Some("deploy") => deploy::command(&args[1..]),
        Some("sizes") => budget::check(),
        Some("fuzz") => fuzz::command(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}
