//! The worker's configuration, as `wrangler.toml` (`[vars]`, `[env.<name>.vars]`) sets it, and the rules it must
//! keep. Pure: the edge checks the variables of every request against these rules before it answers anything, and
//! `cargo test -p xtask` checks every environment of `wrangler.toml` with the same rules, so a production
//! configuration that enables the bench routes or the test clock cannot be deployed unnoticed and cannot run.
//!
//! | variable          | meaning                                                                                   |
//! |-------------------|-------------------------------------------------------------------------------------------|
//! | `ENVIRONMENT`     | `development` (`cargo xtask dev`), `test` (the test harness) or `production`               |
//! | `RP_ID`           | the WebAuthn relying-party id: the host name the app is served on (`localhost` locally)    |
//! | `ALLOWED_ORIGINS` | comma-separated origins our pages are served from; state-changing requests must carry one |
//! | `BENCH_ROUTES`    | `"1"` enables `/api/bench/*`; refused in production and for any RP but localhost        |
//! | `TEST_CLOCK`      | `"1"` lets the tests move the clock; refused outside `test` and for any RP but localhost   |
//! | `SHARDS`          | which D1 binding holds each prefecture's records (`13=SHARD_TOKYO,*=SHARD_REST`; absent = `*=DB`, one database; [`crate::shard`]) |
//!
//! Secrets are not variables: they are set with `wrangler secret put NAME` (locally in `.dev.vars`) and listed once,
//! in [`SECRETS`]. `cargo test -p xtask` fails when the edge reads a secret not listed there (or one listed is read
//! nowhere), and `cargo xtask deploy --dry-run` prints the `wrangler secret put` line of each.

use std::fmt;

use crate::shard::ShardMap;

/// A secret the worker reads (`env.secret(name)`): never a variable in `wrangler.toml`, never in D1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Secret {
    pub name: &'static str,
    /// What it is for and what happens without it (printed by the deploy dry run).
    pub purpose: &'static str,
    /// The shortest value the worker accepts (shorter is treated as missing).
    pub min_len: usize,
}

/// Every secret the edge reads. One list: the deploy check and its test (`xtask`) read it.
pub const SECRETS: &[Secret] = &[Secret {
    name: "AUDIT_KEY",
    purpose: "the audit chain's HMAC key (random, 32+ characters; keep it: the chain verifies only under it). \
              Without it every audited action fails with AUDIT_UNAVAILABLE",
    min_len: 32,
}];

/// Where the worker runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Test,
    Production,
}

impl Environment {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "development" => Some(Self::Development),
            "test" => Some(Self::Test),
            "production" => Some(Self::Production),
            _ => None,
        }
    }
}

/// The checked configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub environment: Environment,
    pub rp_id: String,
    /// Exact origins (`https://host[:port]`), the first being the one links in e-mails point to.
    pub allowed_origins: Vec<String>,
    pub bench_routes: bool,
    pub test_clock: bool,
    /// Prefecture → shard (absent: every record in the core database).
    pub shards: ShardMap,
}

/// Why a configuration cannot run: one message naming the variable, for the deployer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err(msg: impl Into<String>) -> ConfigError {
    ConfigError(msg.into())
}

/// A flag variable: absent or `"0"` is off, `"1"` is on, anything else is a mistake worth stopping for.
fn flag(name: &str, value: Option<String>) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::trim) {
        None | Some("") | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(err(format!("{name} must be \"1\" or \"0\", not {other:?}"))),
    }
}

fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// The host of an origin `scheme://host[:port]`, if it is one (no path, no user info).
fn origin_host(origin: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = origin.split_once("://")?;
    if rest.is_empty() || rest.contains(['/', '@', '?', '#']) {
        return None;
    }
    let host = match rest.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => h,
        Some(_) => return None,
        None => rest,
    };
    Some((scheme, host))
}

/// Checks the variables (`get(name)` gives a variable's value, `None` when unset).
pub fn load(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let environment = match get("ENVIRONMENT") {
        None => {
            return Err(err(
                "ENVIRONMENT is not set (development, test or production)",
            ))
        }
        Some(v) => Environment::parse(v.trim()).ok_or_else(|| {
            err(format!(
                "ENVIRONMENT must be development, test or production, not {v:?}"
            ))
        })?,
    };
    let production = environment == Environment::Production;
    let rp_id = get("RP_ID").unwrap_or_default().trim().to_owned();
    if !is_host_name(&rp_id) {
        return Err(err(format!(
            "RP_ID must be the host name the app is served on (e.g. her-sys.example), not {rp_id:?}"
        )));
    }
    let origins: Vec<String> = get("ALLOWED_ORIGINS")
        .unwrap_or_default()
        .split(',')
        .map(|o| o.trim().trim_end_matches('/').to_owned())
        .filter(|o| !o.is_empty())
        .collect();
    if origins.is_empty() {
        return Err(err(
            "ALLOWED_ORIGINS is not set (e.g. https://her-sys.example)",
        ));
    }
    for o in &origins {
        let Some((scheme, host)) = origin_host(o) else {
            return Err(err(format!(
                "ALLOWED_ORIGINS: {o:?} is not an origin (scheme://host[:port])"
            )));
        };
        // WebAuthn: the RP ID must be the origin's host or a registrable suffix of it.
        if host != rp_id && !host.ends_with(&format!(".{rp_id}")) {
            return Err(err(format!(
                "ALLOWED_ORIGINS: {o:?} is not on RP_ID {rp_id:?} or a subdomain of it"
            )));
        }
        let loopback = matches!(host, "localhost" | "127.0.0.1");
        if scheme != "https" && !(scheme == "http" && loopback && !production) {
            return Err(err(format!(
                "ALLOWED_ORIGINS: {o:?} must use https (plain http only for localhost outside production)"
            )));
        }
    }
    // The label alone is not trusted: a deployment mislabelled `development` or `test` must not open the
    // sessionless bench and clock routes either, so both also need a purely local relying party.
    let local_only = rp_id == "localhost"
        && origins.iter().all(|o| {
            origin_host(o).is_some_and(|(_, host)| matches!(host, "localhost" | "127.0.0.1"))
        });
    let bench_routes = flag("BENCH_ROUTES", get("BENCH_ROUTES"))?;
    if bench_routes && production {
        return Err(err(
            "BENCH_ROUTES is set in a production configuration: the bench routes write without a session",
        ));
    }
    if bench_routes && !local_only {
        return Err(err(
            "BENCH_ROUTES is set for a relying party that is not localhost: the bench routes write without a session",
        ));
    }
    let test_clock = flag("TEST_CLOCK", get("TEST_CLOCK"))?;
    if test_clock && environment != Environment::Test {
        return Err(err(
            "TEST_CLOCK is set outside a test environment (ENVIRONMENT = \"test\"): it lets a request move the clock",
        ));
    }
    if test_clock && !local_only {
        return Err(err(
            "TEST_CLOCK is set for a relying party that is not localhost: it lets a request move the clock",
        ));
    }
    let shards = match get("SHARDS") {
        None => ShardMap::single(),
        Some(v) => ShardMap::parse(&v).map_err(|e| err(e.0))?,
    };
    Ok(Config {
        environment,
        rp_id,
        allowed_origins: origins,
        bench_routes,
        test_clock,
        shards,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        load(|k| map.get(k).cloned())
    }

    const LOCAL: [(&str, &str); 3] = [
        ("ENVIRONMENT", "development"),
        ("RP_ID", "localhost"),
        ("ALLOWED_ORIGINS", "http://localhost:8787"),
    ];

    #[test]
    fn a_local_configuration_loads() {
        let c = with(&LOCAL).unwrap();
        assert_eq!(c.rp_id, "localhost");
        assert_eq!(c.allowed_origins, vec!["http://localhost:8787"]);
        assert!(!c.bench_routes && !c.test_clock);
    }

    #[test]
    fn production_needs_https_on_the_rp_id() {
        let prod = |origins: &str| {
            with(&[
                ("ENVIRONMENT", "production"),
                ("RP_ID", "her-sys.example"),
                ("ALLOWED_ORIGINS", origins),
            ])
        };
        assert!(prod("https://her-sys.example").is_ok());
        assert!(prod("https://app.her-sys.example, https://her-sys.example/").is_ok());
        assert!(prod("http://her-sys.example").is_err());
        assert!(prod("https://evil.example").is_err());
        assert!(prod("https://her-sys.example.evil.example").is_err());
        assert!(prod("https://her-sys.example/path").is_err());
        assert!(prod("").is_err());
    }

    #[test]
    fn bench_routes_and_the_test_clock_cannot_run_in_production() {
        let prod = [
            ("ENVIRONMENT", "production"),
            ("RP_ID", "her-sys.example"),
            ("ALLOWED_ORIGINS", "https://her-sys.example"),
        ];
        let e = with(&[prod.as_slice(), &[("BENCH_ROUTES", "1")]].concat()).unwrap_err();
        assert!(e.0.contains("BENCH_ROUTES"), "{e}");
        let e = with(&[prod.as_slice(), &[("TEST_CLOCK", "1")]].concat()).unwrap_err();
        assert!(e.0.contains("TEST_CLOCK"), "{e}");
        // Not in development either: only the test harness moves the clock.
        assert!(with(&[LOCAL.as_slice(), &[("TEST_CLOCK", "1")]].concat()).is_err());
        let test = [
            ("ENVIRONMENT", "test"),
            ("RP_ID", "localhost"),
            ("ALLOWED_ORIGINS", "http://localhost:40000"),
            ("TEST_CLOCK", "1"),
            ("BENCH_ROUTES", "1"),
        ];
        let c = with(&test).unwrap();
        assert!(c.test_clock && c.bench_routes);
        // A deployment labelled "test" or "development" on a real host still cannot open them.
        let staged = [
            ("ENVIRONMENT", "test"),
            ("RP_ID", "staging.her-sys.example"),
            ("ALLOWED_ORIGINS", "https://staging.her-sys.example"),
        ];
        let e = with(&[staged.as_slice(), &[("TEST_CLOCK", "1")]].concat()).unwrap_err();
        assert!(e.0.contains("not localhost"), "{e}");
        let e = with(&[staged.as_slice(), &[("BENCH_ROUTES", "1")]].concat()).unwrap_err();
        assert!(e.0.contains("not localhost"), "{e}");
        assert!(with(&staged).is_ok());
        // A flag that is neither 0 nor 1 is a mistake, not "off".
        assert!(with(&[LOCAL.as_slice(), &[("BENCH_ROUTES", "yes")]].concat()).is_err());
    }

    #[test]
    fn missing_or_unknown_environment_is_refused() {
        assert!(with(&LOCAL[1..]).is_err());
        let mut v = LOCAL;
        v[0] = ("ENVIRONMENT", "staging");
        assert!(with(&v).is_err());
        v = LOCAL;
        v[1] = ("RP_ID", "http://localhost");
        assert!(with(&v).is_err());
    }
}
