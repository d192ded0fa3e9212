//! Running programs: every child gets `node_modules/.bin` first on PATH (so wrangler runs on the npm `node@22`)
//! and the cargo bin folder, and a failed command is an error naming it.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{root, Result};

/// PATH with the project's npm tools and cargo's bin folder in front.
pub fn path_var() -> String {
    let mut parts = vec![root().join("node_modules/.bin"), cargo_bin()];
    if let Some(path) = std::env::var_os("PATH") {
        parts.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(parts)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn cargo_bin() -> PathBuf {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(home).join("bin");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"));
    home.join(".cargo/bin")
}

/// A command run from the workspace root with the project's PATH.
pub fn new(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", path_var());
    // wrangler: no metrics, no outbound calls at start-up.
    c.env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false");
    c
}

pub fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs to completion, output shown; an error if it fails.
pub fn run(mut c: Command) -> Result {
    let what = describe(&c);
    println!("$ {what}");
    let start = Instant::now();
    let status = c
        .status()
        .map_err(|e| format!("cannot start `{what}`: {e}"))?;
    if !status.success() {
        return Err(format!("`{what}` failed ({status})"));
    }
    let secs = start.elapsed().as_secs_f64();
    if secs >= 1.0 {
        println!("  ({secs:.1} s)");
    }
    Ok(())
}

/// Runs to completion with its output held back: on success only `summary(output)` is printed (for chatty tools
/// whose listing is noise when nothing goes wrong); on failure the whole output is shown with the error.
pub fn run_quiet(mut c: Command, summary: impl Fn(&str) -> String) -> Result {
    let what = describe(&c);
    println!("$ {what}");
    let out = c
        .output()
        .map_err(|e| format!("cannot start `{what}`: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        eprintln!("{text}");
        return Err(format!("`{what}` failed ({})", out.status));
    }
    println!("  {}", summary(&text));
    Ok(())
}

/// stdout of a command, or None when it is missing or fails (for "is it installed?" checks).
pub fn probe(program: &str, args: &[&str]) -> Option<String> {
    let out = new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
