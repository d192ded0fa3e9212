//! `cargo xtask deploy --dry-run [--env production] [--strict]`: builds exactly what `wrangler deploy` would upload,
//! has wrangler bundle it without uploading (`wrangler deploy --dry-run`, offline), and checks the environment's
//! configuration in `wrangler.toml` against what the code needs. Nothing is sent anywhere.
//!
//! Three kinds of finding:
//! - **errors** (always fail): the worker would refuse the configuration (`shared::config`, the worker's own rules),
//!   a shard of `SHARDS` is not bound, a bound database is used by nothing, a binding the code uses is missing, the
//!   edge reads a secret that [`shared::config::SECRETS`] does not list, two bindings share one database;
//! - **to fill in** (fail only with `--strict`): what the committed configuration leaves as a placeholder — the
//!   database and KV ids (`00000000-…`), addresses and host names on the reserved `.example` domain. CI runs the
//!   dry run without `--strict` on the committed file and passes while still printing this list; a deployer runs it
//!   with `--strict` before `wrangler deploy` (docs/DEPLOY.md);
//! - **by hand**: what cannot be checked offline (secrets actually put, remote migrations, e-mail routing), each
//!   with the command to run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use shared::config::{Environment, SECRETS};
use shared::shard::{ShardId, CORE};
use toml_edit::{DocumentMut, Item, Table};

use crate::{build, cmd, root, setup, Result};

const USAGE: &str = "usage: cargo xtask deploy --dry-run [--env NAME] [--strict]
  --env NAME   the wrangler.toml environment ([env.NAME]; default production)
  --strict     also fail while anything is left to fill in (placeholder ids, example domains)";

/// Where `wrangler deploy --dry-run` writes the bundle it would upload.
pub const OUTDIR: &str = "target/deploy";

pub fn command(args: &[String]) -> Result {
    let mut dry_run = false;
    let mut strict = false;
    let mut env = "production".to_owned();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dry-run" => dry_run = true,
            "--strict" => strict = true,
            "--env" => env = it.next().ok_or(USAGE)?.clone(),
            _ => return Err(format!("unknown argument {a:?}\n{USAGE}")),
        }
    }
    if !dry_run {
        return Err(format!(
            "only the dry run is automated: run it with --strict, then `wrangler deploy --env {env}` \
             (docs/DEPLOY.md)\n{USAGE}"
        ));
    }
    setup::all()?;
    build::all()?;
    dry_run_built(&env, strict)
}

/// The dry run on what is already built (`cargo xtask test` calls this right after its build).
pub fn dry_run_built(env: &str, strict: bool) -> Result {
    let root = root();
    let text = std::fs::read_to_string(root.join("wrangler.toml"))
        .map_err(|e| format!("wrangler.toml: {e}"))?;
    let deployment = Deployment::read(&text, env)?;
    let code = CodeNeeds::scan(&root)?;
    let upload = wrangler_dry_run(env)?;
    let mut findings = check(&deployment, &code);
    let assets = deployment
        .assets_dir
        .as_ref()
        .map(|d| count_files(&root.join(d)));
    if let Some(Err(e)) = &assets {
        findings.error(format!("assets: {e}"));
    }
    let migrations = migrations(&root, &deployment, &mut findings);
    print_report(&Printed {
        deployment: &deployment,
        upload: &upload,
        assets: assets.and_then(|a| a.ok()),
        migrations: &migrations,
        findings: &findings,
        strict,
    });
    if !findings.errors.is_empty() {
        return Err(format!(
            "deploy dry run: {} error(s) in [env.{env}]",
            findings.errors.len()
        ));
    }
    if strict && !findings.to_fill.is_empty() {
        return Err(format!(
            "deploy dry run --strict: {} item(s) still to fill in for [env.{env}]",
            findings.to_fill.len()
        ));
    }
    Ok(())
}

// ---- the configuration of one environment ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct D1 {
    pub binding: String,
    pub database_name: String,
    pub database_id: String,
    pub migrations_dir: Option<String>,
}

/// What `wrangler deploy --env <name>` would use. Bindings and vars are not inherited from the top level by an
/// environment (wrangler's rule), so they are read from `[env.<name>]` only; `main` and `[assets]` are inherited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deployment {
    pub env: String,
    pub vars: BTreeMap<String, String>,
    pub d1: Vec<D1>,
    /// KV namespaces: binding → id.
    pub kv: Vec<(String, String)>,
    /// `send_email` bindings by name.
    pub send_email: Vec<String>,
    pub assets_binding: Option<String>,
    pub assets_dir: Option<String>,
    pub main: Option<String>,
}

fn str_of(t: &Table, key: &str) -> Option<String> {
    t.get(key).and_then(Item::as_str).map(str::to_owned)
}

/// The tables of an array of tables (`[[d1_databases]]`) or an inline array of inline tables.
fn tables_of(t: &Table, key: &str) -> Vec<Table> {
    match t.get(key) {
        Some(Item::ArrayOfTables(a)) => a.iter().cloned().collect(),
        Some(Item::Value(v)) => v
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_inline_table())
                    .map(|t| t.clone().into_table())
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

impl Deployment {
    pub fn read(wrangler_toml: &str, env: &str) -> Result<Deployment> {
        let doc: DocumentMut = wrangler_toml
            .parse()
            .map_err(|e| format!("wrangler.toml does not parse: {e}"))?;
        let top = doc.as_table();
        let names: Vec<String> = top
            .get("env")
            .and_then(Item::as_table)
            .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect())
            .unwrap_or_default();
        let Some(table) = top
            .get("env")
            .and_then(Item::as_table)
            .and_then(|t| t.get(env))
            .and_then(Item::as_table)
        else {
            return Err(format!(
                "wrangler.toml has no [env.{env}] (environments: {})",
                names.join(", ")
            ));
        };
        let vars = table
            .get("vars")
            .and_then(Item::as_table)
            .map(|v| {
                v.iter()
                    .filter_map(|(k, v)| Some((k.to_owned(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let d1 = tables_of(table, "d1_databases")
            .iter()
            .map(|t| D1 {
                binding: str_of(t, "binding").unwrap_or_default(),
                database_name: str_of(t, "database_name").unwrap_or_default(),
                database_id: str_of(t, "database_id").unwrap_or_default(),
                migrations_dir: str_of(t, "migrations_dir"),
            })
            .collect();
        let kv = tables_of(table, "kv_namespaces")
            .iter()
            .map(|t| {
                (
                    str_of(t, "binding").unwrap_or_default(),
                    str_of(t, "id").unwrap_or_default(),
                )
            })
            .collect();
        let send_email = tables_of(table, "send_email")
            .iter()
            .filter_map(|t| str_of(t, "name"))
            .collect();
        let assets = table
            .get("assets")
            .or_else(|| top.get("assets"))
            .and_then(Item::as_table);
        Ok(Deployment {
            env: env.to_owned(),
            vars,
            d1,
            kv,
            send_email,
            assets_binding: assets.and_then(|a| str_of(a, "binding")),
            assets_dir: assets.and_then(|a| str_of(a, "directory")),
            main: str_of(table, "main").or_else(|| str_of(top, "main")),
        })
    }

    fn bound_names(&self) -> BTreeSet<&str> {
        self.d1
            .iter()
            .map(|d| d.binding.as_str())
            .chain(self.kv.iter().map(|(b, _)| b.as_str()))
            .chain(self.send_email.iter().map(String::as_str))
            .chain(self.assets_binding.as_deref())
            .collect()
    }
}

// ---- what the code needs --------------------------------------------------------------------------------------------

/// What the edge's source reads: secrets (`.secret(…)`) and bindings (the constants of `platform.rs`'s
/// `mod bindings`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeNeeds {
    pub secrets: BTreeSet<String>,
    pub bindings: BTreeSet<String>,
}

/// Rust source without its `//` comments (doc comments included), so that prose naming a call is not a call.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string literal (a URL) is rare in the edge; a quote before it keeps the line whole.
            Some(i) if l[..i].matches('"').count() % 2 == 0 => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `const NAME: &str = "value";` anywhere in `code` (string constants, by their last name).
fn string_consts(code: &str, out: &mut BTreeMap<String, String>) {
    for (i, _) in code.match_indices("const ") {
        let rest = &code[i + 6..];
        let Some((name, after)) = rest.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let after = after.trim_start();
        let Some(after) = after.strip_prefix("&str") else {
            continue;
        };
        let Some(after) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let Some(after) = after.trim_start().strip_prefix('"') else {
            continue;
        };
        if let Some(end) = after.find('"') {
            out.insert(name.to_owned(), after[..end].to_owned());
        }
    }
}

/// The arguments of every `.secret(…)` call in `code`, resolved through `consts`: `Ok(name)`, or `Err(text)` for an
/// argument that is neither a string literal nor a known string constant.
fn secret_reads(
    code: &str,
    consts: &BTreeMap<String, String>,
) -> Vec<std::result::Result<String, String>> {
    let mut out = Vec::new();
    for (i, m) in code.match_indices(".secret(") {
        let rest = &code[i + m.len()..];
        let Some(end) = rest.find(')') else {
            out.push(Err(rest.chars().take(40).collect()));
            continue;
        };
        // A call split over lines may end its argument with a comma.
        let arg = rest[..end].trim().trim_end_matches(',').trim();
        if let Some(lit) = arg.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
            out.push(Ok(lit.to_owned()));
        } else {
            let last = arg.rsplit("::").next().unwrap_or(arg).trim();
            match consts.get(last) {
                Some(v) => out.push(Ok(v.clone())),
                None => out.push(Err(arg.to_owned())),
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

impl CodeNeeds {
    /// Reads `edge/src` (and `shared/src` for constants) under `root`. A `.secret(…)` whose name cannot be read is
    /// an error: the deploy check could not list it.
    pub fn scan(root: &Path) -> Result<CodeNeeds> {
        let mut files = Vec::new();
        rust_files(&root.join("edge/src"), &mut files)?;
        let mut shared_files = Vec::new();
        rust_files(&root.join("shared/src"), &mut shared_files)?;
        let mut consts = BTreeMap::new();
        let mut codes = Vec::new();
        for f in files.iter().chain(&shared_files) {
            let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
            let code = without_comments(&text);
            string_consts(&code, &mut consts);
            if files.contains(f) {
                codes.push((f.clone(), code));
            }
        }
        let mut needs = CodeNeeds::default();
        for (f, code) in &codes {
            for read in secret_reads(code, &consts) {
                match read {
                    Ok(name) => {
                        needs.secrets.insert(name);
                    }
                    Err(arg) => {
                        return Err(format!(
                            "{}: .secret({arg}) — name a secret by a string literal or a `const …: &str` so the \
                             deploy check can list it",
                            f.display()
                        ))
                    }
                }
            }
            if f.ends_with("platform.rs") {
                if let Some(start) = code.find("mod bindings") {
                    let body = &code[start..];
                    let body = &body[..body.find('}').unwrap_or(body.len())];
                    let mut b = BTreeMap::new();
                    string_consts(body, &mut b);
                    needs.bindings.extend(b.into_values());
                }
            }
        }
        Ok(needs)
    }
}

// ---- the checks ------------------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
pub struct Findings {
    pub errors: Vec<String>,
    pub to_fill: Vec<String>,
    pub by_hand: Vec<String>,
}

impl Findings {
    fn error(&mut self, s: String) {
        self.errors.push(s);
    }
}

/// A committed placeholder id: all zeros but a version nibble and a short tail (`00000000-0000-4000-8000-…0013`).
pub fn is_placeholder_id(id: &str) -> bool {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    hex.is_empty() || hex.starts_with("000000000000")
}

/// A host or address on a reserved example domain (RFC 2606/6761): not a real deployment's.
fn on_example_domain(s: &str) -> bool {
    let host = s
        .rsplit('@')
        .next()
        .unwrap_or(s)
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = host.split([':', '/']).next().unwrap_or(host);
    ["example", "example.com", "example.org", "example.net"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// The shard a database binding serves: the core, a shard (with its prefectures), or nothing.
fn role_of(binding: &str, shards: &[(ShardId, String)]) -> Option<String> {
    let core = binding == CORE;
    let shard = shards.iter().find(|(s, _)| s.as_str() == binding);
    match (core, shard) {
        (true, None) => Some("core".into()),
        (true, Some((_, p))) => Some(format!("core + records of {p}")),
        (false, Some((_, p))) => Some(format!("records of {p}")),
        (false, None) => None,
    }
}

pub fn check(d: &Deployment, code: &CodeNeeds) -> Findings {
    let mut f = Findings::default();
    let env = &d.env;
    let var = |k: &str| d.vars.get(k).cloned();
    // The worker's own rules on the variables.
    let config = match shared::config::load(var) {
        Ok(c) => Some(c),
        Err(e) => {
            f.error(format!("configuration ([env.{env}.vars]): {e}"));
            None
        }
    };
    if let Some(c) = &config {
        if env == "production" && c.environment != Environment::Production {
            f.error(format!(
                "[env.production.vars] ENVIRONMENT is {:?}: a production deployment must say \"production\"",
                d.vars.get("ENVIRONMENT").cloned().unwrap_or_default()
            ));
        }
        if on_example_domain(&c.rp_id) {
            f.to_fill.push(format!(
                "RP_ID = {:?} is on the reserved example domain: the real host name the app is served on",
                c.rp_id
            ));
        }
        for o in c.allowed_origins.iter().filter(|o| on_example_domain(o)) {
            f.to_fill.push(format!(
                "ALLOWED_ORIGINS {o:?} is on the reserved example domain: the real origin"
            ));
        }
    }
    for k in ["MAIL_FROM", "AUDIT_ANCHOR_TO"] {
        match d.vars.get(k) {
            None => f.to_fill.push(format!(
                "{k} is not set in [env.{env}.vars] (e-mail sender / the audit anchor's recipient)"
            )),
            Some(v) if on_example_domain(v) => f.to_fill.push(format!(
                "{k} = {v:?} is on the reserved example domain: a real address"
            )),
            Some(_) => {}
        }
    }

    // Secrets: every one the code reads is listed.
    let listed: BTreeSet<&str> = SECRETS.iter().map(|s| s.name).collect();
    for s in &code.secrets {
        if !listed.contains(s.as_str()) {
            f.error(format!(
                "the edge reads the secret {s:?}, which shared::config::SECRETS does not list (so nobody would be \
                 told to put it)"
            ));
        }
    }
    for s in SECRETS {
        if d.vars.contains_key(s.name) {
            f.error(format!(
                "{} is a secret but [env.{env}.vars] sets it: vars are plain text in wrangler.toml and the dashboard",
                s.name
            ));
        }
        f.by_hand.push(format!(
            "secret {}: {}\n      wrangler secret put {} --env {env}",
            s.name, s.purpose, s.name
        ));
    }

    // Bindings the code uses.
    let bound = d.bound_names();
    for b in &code.bindings {
        if !bound.contains(b.as_str()) {
            f.error(format!(
                "the edge uses the binding {b}, which [env.{env}] does not bind"
            ));
        }
    }

    // Databases: the core and every shard bound; every bound database used; no database bound twice.
    let shards: Vec<(ShardId, String)> = config
        .as_ref()
        .map(|c| {
            c.shards
                .all()
                .into_iter()
                .map(|s| {
                    let (named, rest) = c.shards.prefs_of(&s);
                    let mut what: Vec<String> = named.iter().map(|p| p.to_string()).collect();
                    if rest {
                        what.push("every other prefecture".into());
                    }
                    (s, what.join(", "))
                })
                .collect()
        })
        .unwrap_or_default();
    let d1_names: BTreeSet<&str> = d.d1.iter().map(|x| x.binding.as_str()).collect();
    if !d1_names.contains(CORE) {
        f.error(format!(
            "the core database {CORE} is not bound as a d1_databases binding of [env.{env}]"
        ));
    }
    for (s, prefs) in &shards {
        if !d1_names.contains(s.as_str()) {
            f.error(format!(
                "SHARDS names {s} (prefectures {prefs}) but [env.{env}] binds no d1_databases {s}"
            ));
        }
    }
    let mut seen_ids: BTreeMap<&str, &str> = BTreeMap::new();
    let mut seen_names: BTreeMap<&str, &str> = BTreeMap::new();
    for db in &d.d1 {
        let b = db.binding.as_str();
        if config.is_some() && role_of(b, &shards).is_none() {
            f.error(format!(
                "d1_databases {b} is bound but used by nothing (neither the core {CORE} nor a shard of SHARDS)"
            ));
        }
        if db.database_name.is_empty() {
            f.error(format!("d1_databases {b} has no database_name"));
        } else if let Some(other) = seen_names.insert(&db.database_name, b) {
            f.error(format!(
                "d1_databases {other} and {b} are the same database {:?}: each shard needs its own",
                db.database_name
            ));
        }
        if is_placeholder_id(&db.database_id) {
            f.to_fill.push(format!(
                "d1_databases {b}: database_id {:?} is a placeholder — `wrangler d1 create {}` prints the real one",
                db.database_id, db.database_name
            ));
        } else if let Some(other) = seen_ids.insert(&db.database_id, b) {
            f.error(format!(
                "d1_databases {other} and {b} have the same database_id: each shard needs its own database"
            ));
        }
        if db.migrations_dir.is_none() {
            f.error(format!(
                "d1_databases {b} has no migrations_dir: every database gets the same migrations (edge/migrations)"
            ));
        }
    }
    let dirs: BTreeSet<_> =
        d.d1.iter()
            .filter_map(|x| x.migrations_dir.as_ref())
            .collect();
    if dirs.len() > 1 {
        f.error(format!(
            "the databases of [env.{env}] name different migrations_dir ({dirs:?}): every database gets the same schema"
        ));
    }

    for (b, id) in &d.kv {
        if is_placeholder_id(id) {
            f.to_fill.push(format!(
                "kv_namespaces {b}: id {id:?} is a placeholder — `wrangler kv namespace create {b}` prints the real one"
            ));
        }
    }
    if !d.send_email.is_empty() {
        f.by_hand.push(format!(
            "e-mail: the send_email binding{} sends from MAIL_FROM ({}); its domain must have Cloudflare Email Routing \
             enabled and every recipient (health centers' notice addresses, AUDIT_ANCHOR_TO) must be a verified \
             destination address",
            if d.send_email.len() > 1 { "s" } else { "" },
            d.vars.get("MAIL_FROM").map_or("unset", String::as_str)
        ));
    }
    f
}

// ---- wrangler's dry run, assets, migrations -------------------------------------------------------------------------

/// What wrangler reported it would upload.
#[derive(Debug, Default)]
pub struct Upload {
    /// "Total Upload: 1234.56 KiB / gzip: 456.78 KiB"
    pub total_kib: Option<f64>,
    pub gzip_kib: Option<f64>,
    pub outdir: String,
}

pub fn parse_upload(text: &str) -> (Option<f64>, Option<f64>) {
    let Some(line) = text.lines().find(|l| l.contains("Total Upload:")) else {
        return (None, None);
    };
    let num_after = |key: &str| {
        let rest = &line[line.find(key)? + key.len()..];
        let n: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        n.parse::<f64>().ok()
    };
    (num_after("Total Upload:"), num_after("gzip:"))
}

fn wrangler_dry_run(env: &str) -> Result<Upload> {
    let out = root().join(OUTDIR);
    let _ = std::fs::remove_dir_all(&out);
    let mut c = cmd::new("wrangler");
    c.args(["deploy", "--dry-run", "--outdir", OUTDIR, "--env", env])
        .env("CI", "true");
    let what = cmd::describe(&c);
    println!("$ {what}");
    let output = c
        .output()
        .map_err(|e| format!("cannot start `{what}`: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        eprintln!("{text}");
        return Err(format!("`{what}` failed ({})", output.status));
    }
    let (total_kib, gzip_kib) = parse_upload(&text);
    Ok(Upload {
        total_kib,
        gzip_kib,
        outdir: OUTDIR.into(),
    })
}

/// (files, bytes) under `dir`, as the assets upload would count them.
fn count_files(dir: &Path) -> Result<(usize, u64)> {
    fn walk(dir: &Path, n: &mut usize, bytes: &mut u64) -> std::io::Result<()> {
        for e in std::fs::read_dir(dir)? {
            let e = e?;
            if e.file_type()?.is_dir() {
                walk(&e.path(), n, bytes)?;
            } else {
                *n += 1;
                *bytes += e.metadata()?.len();
            }
        }
        Ok(())
    }
    let (mut n, mut bytes) = (0, 0);
    walk(dir, &mut n, &mut bytes)
        .map_err(|e| format!("{} (run cargo xtask build): {e}", dir.display()))?;
    Ok((n, bytes))
}

/// One database's migrations: the files, and those not yet applied to the local state when there is one.
pub struct Migrations {
    pub binding: String,
    pub files: Vec<String>,
    /// `None`: no local state (or the binding is not in the local configuration).
    pub local_pending: Option<Vec<String>>,
}

fn migration_files(dir: &Path) -> Result<Vec<String>> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    Ok(files)
}

/// The migration names `wrangler d1 migrations list` printed as pending (its table; "No migrations" = none).
pub fn pending_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || c == '│' || c == '|') {
        if word.ends_with(".sql")
            && word.chars().next().is_some_and(|c| c.is_ascii_digit())
            && !out.iter().any(|w| w == word)
        {
            out.push(word.to_owned());
        }
    }
    out
}

fn migrations(root: &Path, d: &Deployment, f: &mut Findings) -> Vec<Migrations> {
    // Local state belongs to the local (top-level) configuration, the one `cargo xtask dev` uses.
    let local_state = root.join(".wrangler/state");
    let local_bindings: BTreeSet<String> = std::fs::read_to_string(root.join("wrangler.toml"))
        .ok()
        .and_then(|t| t.parse::<DocumentMut>().ok())
        .map(|doc| {
            tables_of(doc.as_table(), "d1_databases")
                .iter()
                .filter_map(|t| str_of(t, "binding"))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for db in &d.d1 {
        let Some(dir) = &db.migrations_dir else {
            continue;
        };
        let files = match migration_files(&root.join(dir)) {
            Ok(files) => files,
            Err(e) => {
                f.error(format!("d1_databases {}: migrations_dir {e}", db.binding));
                continue;
            }
        };
        let local_pending = if local_state.is_dir() && local_bindings.contains(&db.binding) {
            let mut c = cmd::new("wrangler");
            c.args(["d1", "migrations", "list", &db.binding, "--local"])
                .env("CI", "true");
            match c.output() {
                Ok(o) if o.status.success() => Some(pending_in(&format!(
                    "{}{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                ))),
                _ => None,
            }
        } else {
            None
        };
        out.push(Migrations {
            binding: db.binding.clone(),
            files,
            local_pending,
        });
    }
    let env = &d.env;
    for m in &out {
        f.by_hand.push(format!(
            "migrations of {} ({} files; a database created today needs them all):\n      \
             wrangler d1 migrations list {} --remote --env {env}\n      \
             wrangler d1 migrations apply {} --remote --env {env}",
            m.binding,
            m.files.len(),
            m.binding,
            m.binding
        ));
    }
    out
}

// ---- the report -----------------------------------------------------------------------------------------------------

struct Printed<'a> {
    deployment: &'a Deployment,
    upload: &'a Upload,
    assets: Option<(usize, u64)>,
    migrations: &'a [Migrations],
    findings: &'a Findings,
    strict: bool,
}

fn print_report(p: &Printed) {
    let d = p.deployment;
    let env = &d.env;
    println!();
    println!("deploy dry run: [env.{env}] of wrangler.toml (nothing was uploaded)");
    match (p.upload.total_kib, p.upload.gzip_kib) {
        (Some(t), Some(g)) => println!(
            "  worker   {}: {t:.1} KiB, {g:.1} KiB gzip as wrangler reports it (Workers limit: 3 MiB gzip free, \
             10 MiB paid); bundle in {}/",
            d.main.as_deref().unwrap_or("?"),
            p.upload.outdir
        ),
        _ => println!(
            "  worker   {}: wrangler printed no upload size; bundle in {}/",
            d.main.as_deref().unwrap_or("?"),
            p.upload.outdir
        ),
    }
    if let Some((n, bytes)) = p.assets {
        println!(
            "  assets   {}/: {n} files, {:.1} MiB (binding {})",
            d.assets_dir.as_deref().unwrap_or("?"),
            bytes as f64 / 1024.0 / 1024.0,
            d.assets_binding.as_deref().unwrap_or("?")
        );
    }
    let get = |k: &str| d.vars.get(k).cloned();
    if let Ok(c) = shared::config::load(get) {
        println!(
            "  config   ok by the worker's rules: RP_ID {}, ALLOWED_ORIGINS {}, SHARDS {}",
            c.rp_id,
            c.allowed_origins.join(" "),
            c.shards.to_text()
        );
        let shards: Vec<ShardId> = c.shards.all();
        println!("  databases");
        for db in &d.d1 {
            let role = if db.binding == CORE && !shards.iter().any(|s| s.as_str() == CORE) {
                "core (accounts, institutions, health centers, routing)".to_owned()
            } else {
                let s = ShardId(db.binding.clone());
                let (named, rest) = c.shards.prefs_of(&s);
                let mut what: Vec<String> = named.iter().map(|p| p.to_string()).collect();
                if rest {
                    what.push("every other prefecture".into());
                }
                if what.is_empty() {
                    "UNUSED".to_owned()
                } else if db.binding == CORE {
                    format!("core + records of {}", what.join(", "))
                } else {
                    format!("records of {}", what.join(", "))
                }
            };
            println!(
                "    {:<15} {:<20} {:<38} {}",
                db.binding, db.database_name, db.database_id, role
            );
        }
    }
    if !p.migrations.is_empty() {
        println!("  migrations");
        for m in p.migrations {
            let local = match &m.local_pending {
                None => "no local state".to_owned(),
                Some(v) if v.is_empty() => "all applied locally".to_owned(),
                Some(v) => format!("{} not applied locally: {}", v.len(), v.join(", ")),
            };
            println!(
                "    {:<15} {} files ({} … {}); {local}",
                m.binding,
                m.files.len(),
                m.files.first().map_or("", String::as_str),
                m.files.last().map_or("", String::as_str)
            );
        }
    }
    let f = p.findings;
    if !f.by_hand.is_empty() {
        println!("  by hand (cannot be checked offline):");
        for s in &f.by_hand {
            println!("    - {s}");
        }
    }
    if !f.to_fill.is_empty() {
        println!(
            "  TO FILL IN before a real deployment ({}; `--strict` fails until none is left):",
            f.to_fill.len()
        );
        for s in &f.to_fill {
            println!("    ! {s}");
        }
    }
    if !f.errors.is_empty() {
        println!("  ERRORS ({}):", f.errors.len());
        for s in &f.errors {
            println!("    ✗ {s}");
        }
    }
    let verdict = if !f.errors.is_empty() {
        "FAILED"
    } else if f.to_fill.is_empty() {
        "ready"
    } else if p.strict {
        "FAILED (--strict: placeholders left)"
    } else {
        "passed (placeholders left: not deployable as committed)"
    };
    println!("  result   {verdict}");
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
main = "edge/build/index.js"
[assets]
directory = "dist"
binding = "ASSETS"

[env.production]
[env.production.vars]
ENVIRONMENT = "production"
RP_ID = "her-sys.jp"
ALLOWED_ORIGINS = "https://her-sys.jp"
MAIL_FROM = "notice@her-sys.jp"
AUDIT_ANCHOR_TO = "anchor@her-sys.jp"
SHARDS = "13=SHARD_TOKYO,*=SHARD_REST"

[[env.production.d1_databases]]
binding = "DB"
database_name = "her-sys"
database_id = "3f1c1a52-5b7e-4c1a-9d3e-0a1b2c3d4e5f"
migrations_dir = "edge/migrations"

[[env.production.d1_databases]]
binding = "SHARD_TOKYO"
database_name = "her-sys-shard-13"
database_id = "7a2d9e10-1c44-4e7b-8f00-112233445566"
migrations_dir = "edge/migrations"

[[env.production.d1_databases]]
binding = "SHARD_REST"
database_name = "her-sys-shard-rest"
database_id = "9b8c7d6e-5f40-4a3b-8c2d-1e0f9a8b7c6d"
migrations_dir = "edge/migrations"

[[env.production.kv_namespaces]]
binding = "KV"
id = "5e4d3c2b1a0948f7a6b5c4d3e2f1a0b9"

[[env.production.send_email]]
name = "MAIL"
"#;

    fn code() -> CodeNeeds {
        CodeNeeds {
            secrets: ["AUDIT_KEY".to_owned()].into(),
            bindings: ["DB", "KV", "ASSETS", "MAIL"].map(str::to_owned).into(),
        }
    }

    fn findings(toml: &str, code: &CodeNeeds) -> Findings {
        check(&Deployment::read(toml, "production").unwrap(), code)
    }

    #[test]
    fn a_complete_configuration_passes_even_strict() {
        let f = findings(GOOD, &code());
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert!(f.to_fill.is_empty(), "{:?}", f.to_fill);
        // The secret's put line is printed.
        assert!(f
            .by_hand
            .iter()
            .any(|s| s.contains("wrangler secret put AUDIT_KEY --env production")));
    }

    #[test]
    fn a_missing_rp_id_is_an_error_by_the_workers_own_rule() {
        let f = findings(&GOOD.replace("RP_ID = \"her-sys.jp\"\n", ""), &code());
        assert!(
            f.errors.iter().any(|e| e.contains("RP_ID must be")),
            "{:?}",
            f.errors
        );
        let f = findings(
            &GOOD.replace("https://her-sys.jp\"", "http://her-sys.jp\""),
            &code(),
        );
        assert!(
            f.errors.iter().any(|e| e.contains("must use https")),
            "{:?}",
            f.errors
        );
    }

    #[test]
    fn a_shard_not_bound_and_a_database_used_by_nothing_are_errors() {
        let f = findings(
            &GOOD.replace("13=SHARD_TOKYO,", "13=SHARD_TOKYO,14=SHARD_KANAGAWA,"),
            &code(),
        );
        assert!(
            f.errors
                .iter()
                .any(|e| e.contains("SHARDS names SHARD_KANAGAWA (prefectures 14)")),
            "{:?}",
            f.errors
        );
        let f = findings(&GOOD.replace("13=SHARD_TOKYO,", ""), &code());
        assert!(
            f.errors
                .iter()
                .any(|e| e.contains("SHARD_TOKYO is bound but used by nothing")),
            "{:?}",
            f.errors
        );
        // One database for everything: the shard bindings are then unused.
        let f = findings(
            &GOOD.replace("13=SHARD_TOKYO,*=SHARD_REST", "*=DB"),
            &code(),
        );
        assert_eq!(f.errors.len(), 2, "{:?}", f.errors);
        // The core database is always needed.
        let f = findings(
            &GOOD.replacen("binding = \"DB\"", "binding = \"CORE\"", 1),
            &code(),
        );
        assert!(f
            .errors
            .iter()
            .any(|e| e.contains("core database DB is not bound")));
    }

    #[test]
    fn two_shards_on_one_database_are_an_error() {
        let f = findings(
            &GOOD.replace(
                "7a2d9e10-1c44-4e7b-8f00-112233445566",
                "9b8c7d6e-5f40-4a3b-8c2d-1e0f9a8b7c6d",
            ),
            &code(),
        );
        assert!(
            f.errors.iter().any(|e| e.contains("same database_id")),
            "{:?}",
            f.errors
        );
    }

    #[test]
    fn an_unlisted_secret_and_an_unbound_binding_are_errors() {
        let mut c = code();
        c.secrets.insert("SIGNING_KEY".into());
        c.bindings.insert("QUEUE".into());
        let f = findings(GOOD, &c);
        assert!(
            f.errors.iter().any(|e| e.contains("\"SIGNING_KEY\"")),
            "{:?}",
            f.errors
        );
        assert!(
            f.errors.iter().any(|e| e.contains("binding QUEUE")),
            "{:?}",
            f.errors
        );
        // A secret written as a var is refused too.
        let f = findings(
            &GOOD.replace(
                "SHARDS =",
                "AUDIT_KEY = \"0123456789abcdef0123456789abcdef\"\nSHARDS =",
            ),
            &code(),
        );
        assert!(f.errors.iter().any(|e| e.contains("AUDIT_KEY is a secret")));
    }

    #[test]
    fn placeholders_are_to_fill_not_errors() {
        let toml = GOOD
            .replace(
                "3f1c1a52-5b7e-4c1a-9d3e-0a1b2c3d4e5f",
                "00000000-0000-4000-8000-000000000001",
            )
            .replace("her-sys.jp", "her-sys.example");
        let f = findings(&toml, &code());
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert!(f.to_fill.iter().any(|s| s.contains("d1_databases DB")));
        assert!(f.to_fill.iter().any(|s| s.starts_with("RP_ID")));
        assert!(f.to_fill.iter().any(|s| s.starts_with("MAIL_FROM")));
    }

    #[test]
    fn the_committed_production_configuration_has_no_errors_and_says_what_to_fill_in() {
        let text = std::fs::read_to_string(root().join("wrangler.toml")).expect("wrangler.toml");
        let code = CodeNeeds::scan(&root()).expect("scan edge/src");
        let f = check(&Deployment::read(&text, "production").unwrap(), &code);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        // Every committed id is a placeholder: listed, one per database and the KV namespace.
        let d = Deployment::read(&text, "production").unwrap();
        assert!(f.to_fill.len() > d.d1.len(), "{:?}", f.to_fill);
        assert!(Deployment::read(&text, "staging").is_err());
    }

    #[test]
    fn every_secret_the_edge_reads_is_listed_and_every_listed_one_is_read() {
        let code = CodeNeeds::scan(&root()).expect("scan edge/src");
        let listed: BTreeSet<String> = SECRETS.iter().map(|s| s.name.to_owned()).collect();
        assert!(!code.secrets.is_empty(), "the scan finds the audit key");
        assert_eq!(
            code.secrets, listed,
            "edge/src reads these secrets; shared::config::SECRETS lists those"
        );
        assert!(code.bindings.contains("DB") && code.bindings.contains("KV"));
    }

    #[test]
    fn the_scanner_reads_literals_constants_and_split_calls_not_comments() {
        let mut consts = BTreeMap::new();
        let src = without_comments(
            "pub const KEY_SECRET: &str = \"AUDIT_KEY\";\n\
             // env.secret(\"IN_A_COMMENT\")\n\
             let a = env.secret(\"LITERAL\");\n\
             let b = env\n    .secret(\n        store::audit::KEY_SECRET,\n    )\n    .ok();\n\
             let c = env.secret(name);",
        );
        string_consts(&src, &mut consts);
        let reads = secret_reads(&src, &consts);
        assert_eq!(
            reads,
            vec![
                Ok("LITERAL".to_owned()),
                Ok("AUDIT_KEY".to_owned()),
                Err("name".to_owned())
            ]
        );
    }

    #[test]
    fn wrangler_output_is_read() {
        let out = "Total Upload: 2481.07 KiB / gzip: 812.33 KiB\nYour Worker has access to the following bindings:";
        assert_eq!(parse_upload(out), (Some(2481.07), Some(812.33)));
        assert_eq!(parse_upload("nothing"), (None, None));
        let list = "Migrations to be applied:\n┌──────────┐\n│ Name     │\n├──────────┤\n│ 0701_routing.sql │\n│ 0702_x.sql │\n└──┘";
        assert_eq!(pending_in(list), ["0701_routing.sql", "0702_x.sql"]);
        assert!(pending_in("✅ No migrations to apply!").is_empty());
        assert!(is_placeholder_id("00000000-0000-4000-8000-000000000013"));
        assert!(is_placeholder_id("00000000000040008000000000000002"));
        assert!(!is_placeholder_id("3f1c1a52-5b7e-4c1a-9d3e-0a1b2c3d4e5f"));
    }
}
