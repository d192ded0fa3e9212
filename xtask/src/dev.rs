//! `cargo xtask dev`: everything set up and built, every local D1 database (the core and the shards of
//! `wrangler.toml`) migrated and seeded, then `wrangler dev` serving the app and the API on one port until Ctrl-C.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::{build, cmd, root, setup, Result};

pub const DEFAULT_PORT: u16 = 8787;

pub fn run(args: &[String]) -> Result {
    let port = match args {
        [] => DEFAULT_PORT,
        [flag, n] if flag == "--port" => n.parse().map_err(|_| format!("not a port: {n}"))?,
        _ => return Err("usage: cargo xtask dev [--port N]".into()),
    };
    setup::all()?;
    build::all()?;
    migrate(None)?;
    ensure_audit_key()?;
    let mut seed = cmd::new("node");
    seed.arg("edge/seed/demo.mjs");
    cmd::run(seed)?;

    let mut c = cmd::new("wrangler");
    c.args([
        "dev",
        "--ip",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--show-interactive-dev-session=false",
    ]);
    if port != DEFAULT_PORT {
        // wrangler.toml names the default port's origin; pages served on another port need theirs.
        c.args(["--var", &format!("ALLOWED_ORIGINS:http://localhost:{port}")]);
    }
    println!("$ {}", cmd::describe(&c));
    let mut child = c
        .spawn()
        .map_err(|e| format!("cannot start wrangler: {e}"))?;
    match wait_healthy(port, Duration::from_secs(60)) {
        Ok(health) => {
            println!();
            println!("  HER-SYS is running:  http://localhost:{port}/");
            println!("  health:              {health}");
            let mut print = cmd::new("node");
            print.args(["edge/seed/demo.mjs", "--print"]);
            let _ = print.status();
            println!("  e-mails (notices to health centers, reset links, key-added notices) are not sent locally:");
            println!("  wrangler prints each one below");
            println!("  (\"send_email binding called with MessageBuilder\" and the file holding its text).");
            println!("  stop with Ctrl-C");
            println!();
            // Local wrangler does not fire cron triggers: run the scheduled handler (outbox sender) every 30 s.
            std::thread::spawn(move || loop {
                std::thread::sleep(Duration::from_secs(30));
                let _ = http_get(port, "/cdn-cgi/local/scheduled");
            });
        }
        Err(e) => {
            let _ = child.kill();
            return Err(e);
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("wrangler dev exited ({status})"))
    }
}

/// The local worker's secrets live in `.dev.vars` (gitignored), which `wrangler dev` reads. The audit chain's key
/// (`AUDIT_KEY`) is made once, at random, and kept: the local chain verifies only under the key it was sealed with.
fn ensure_audit_key() -> Result {
    let path = root().join(".dev.vars");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    if let Some(line) = with_audit_key(&text, || random_hex(32))? {
        std::fs::write(&path, line).map_err(|e| format!("cannot write .dev.vars: {e}"))?;
        println!("  wrote a random AUDIT_KEY to .dev.vars (keep it: the local audit chain is sealed with it)");
    }
    Ok(())
}

/// `.dev.vars` with an `AUDIT_KEY` line added, or `None` when it has one.
fn with_audit_key(text: &str, key: impl FnOnce() -> Result<String>) -> Result<Option<String>> {
    if text
        .lines()
        .any(|l| l.trim_start().starts_with("AUDIT_KEY="))
    {
        return Ok(None);
    }
    let mut out = text.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out += &format!("AUDIT_KEY={}\n", key()?);
    Ok(Some(out))
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Applies `edge/migrations` to every local D1 database `wrangler.toml` binds (the core `DB` and each shard; issue
/// 23), all at once, in the default state folder or `persist_to`. Wrangler's tables of every migration are held
/// back: one line per database says how many were applied (its whole output is shown if it fails).
pub fn migrate(persist_to: Option<&str>) -> Result {
    let toml = std::fs::read_to_string(root().join("wrangler.toml"))
        .map_err(|e| format!("cannot read wrangler.toml: {e}"))?;
    let bindings = d1_bindings(&toml);
    if bindings.is_empty() {
        return Err("wrangler.toml binds no D1 database".into());
    }
    std::thread::scope(|s| {
        let runs: Vec<_> = bindings
            .iter()
            .map(|db| {
                s.spawn(move || {
                    let mut c = cmd::new("wrangler");
                    c.args(["d1", "migrations", "apply", db, "--local"])
                        .env("CI", "true");
                    if let Some(dir) = persist_to {
                        c.args(["--persist-to", dir]);
                    }
                    cmd::run_quiet(c, |out| format!("{db}: {}", migrations_summary(out)))
                })
            })
            .collect();
        runs.into_iter()
            .map(|r| {
                r.join()
                    .unwrap_or_else(|_| Err("a migration thread panicked".into()))
            })
            .collect::<Result<Vec<()>>>()
    })?;
    Ok(())
}

/// The D1 bindings of the local configuration (the top level of `wrangler.toml`, before any `[env.*]` table), in
/// the file's order: the `binding` of each `[[d1_databases]]`. xtask has no TOML parser; these tables are flat.
pub fn d1_bindings(toml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_d1 = false;
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            if line.starts_with("[env.") || line.starts_with("[[env.") {
                break;
            }
            in_d1 = line == "[[d1_databases]]";
            continue;
        }
        if !in_d1 {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            if key.trim() == "binding" {
                out.push(value.trim().trim_matches('"').to_owned());
            }
        }
    }
    out
}

/// One line for wrangler's migration output (a table of every migration after each one it applies): how many
/// distinct migrations it marks applied (✅), or that none was to apply.
fn migrations_summary(output: &str) -> String {
    let applied: std::collections::BTreeSet<&str> = output
        .lines()
        .filter(|l| l.contains('✅'))
        .filter_map(|l| l.split_whitespace().find(|w| w.ends_with(".sql")))
        .collect();
    let applied = applied.len();
    if applied == 0 {
        "D1 migrations: up to date".into()
    } else {
        format!("D1 migrations: {applied} applied")
    }
}

/// Polls `/api/health` until it answers 200; returns the body.
pub fn wait_healthy(port: u16, timeout: Duration) -> Result<String> {
    let start = Instant::now();
    loop {
        if let Ok((200, body)) = http_get(port, "/api/health") {
            return Ok(body);
        }
        if start.elapsed() > timeout {
            return Err(format!(
                "wrangler dev did not answer /api/health on port {port} within {timeout:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A minimal HTTP/1.1 GET on loopback (xtask has no dependencies).
pub fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = String::new();
    s.read_to_string(&mut raw)?;
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::{d1_bindings, migrations_summary, with_audit_key};

    #[test]
    fn every_local_database_of_wrangler_toml_is_migrated() {
        let text =
            "[[d1_databases]]\nbinding = \"DB\"\nmigrations_dir = \"m\"\n\n[[d1_databases]]\n\
                    binding = \"SHARD_A\"\n[[kv_namespaces]]\nbinding = \"KV\"\n\
                    [env.production]\n[[env.production.d1_databases]]\nbinding = \"DB_PROD\"\n";
        assert_eq!(d1_bindings(text), ["DB", "SHARD_A"]);
        let real =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../wrangler.toml"))
                .unwrap();
        assert_eq!(
            d1_bindings(&real),
            ["DB", "SHARD_TOKYO", "SHARD_KANAGAWA", "SHARD_REST"]
        );
    }

    #[test]
    fn an_audit_key_is_added_once() {
        let added = with_audit_key("FOO=1", || Ok("k".into())).unwrap();
        assert_eq!(added.as_deref(), Some("FOO=1\nAUDIT_KEY=k\n"));
        assert_eq!(
            with_audit_key(&added.unwrap(), || Err("unused".into())).unwrap(),
            None
        );
    }

    #[test]
    fn the_migration_tables_become_one_line() {
        let run =
            "│ 0001_a.sql │ ✅ │\n│ 0002_b.sql │ 🕒️ │\n│ 0001_a.sql │ ✅ │\n│ 0002_b.sql │ ✅ │\n";
        assert_eq!(migrations_summary(run), "D1 migrations: 2 applied");
        assert_eq!(
            migrations_summary("✅ No migrations to apply!"),
            "D1 migrations: up to date"
        );
    }
}
