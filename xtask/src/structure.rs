//! The edge's and the app's structure, checked by `cargo test -p xtask` (part of `cargo xtask test`): the
//! invariants ARCHITECTURE.md states and a newcomer relies on.
//!
//! - No two files of `edge/src` import each other, directly or in a loop (the module graph is acyclic).
//! - Route files (`edge/src/routes/*.rs`) never import another route file; only the router (`routes/mod.rs`) names
//!   them.
//! - SQL is prepared only in `edge/src/store/`.
//! - Every table is written (INSERT, UPDATE, DELETE) by one store module only: its owner in [`OWNERS`].
//! - The app names the API's paths only in its client (`app/src/api/`): no `"/api` string anywhere else in
//!   `app/src`.
//!
//! The scan is textual (no parser dependency): it follows `crate::…`, `super::…` and, in a file that declares
//! child modules, `child::…` paths, so an import cannot hide behind a `use` group or a full path in an expression.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which store module writes each table (ARCHITECTURE.md's table). `store/bench.rs` is the one exception: the
/// bench-only bare insert that the filing benchmark compares with (404 unless `BENCH_ROUTES=1`).
pub const OWNERS: &[(&str, &str)] = &[
    ("users", "accounts"),
    ("invitations", "accounts"),
    ("recovery_codes", "accounts"),
    ("account_requests", "accounts"),
    ("credentials", "credentials"),
    ("observe_credentials", "credentials"),
    ("webauthn_challenges", "credentials"),
    ("institutions", "institutions"),
    ("health_centers", "institutions"),
    ("doctors", "institutions"),
    ("municipality_assignments", "institutions"),
    ("audit_log", "audit"),
    ("cases", "cases"),
    ("case_versions", "cases"),
    ("case_status", "cases"),
    ("notifications", "notifications"),
    ("notification_events", "notifications"),
    ("submit_keys", "notifications"),
    ("outbox", "notifications"),
    ("observations", "observation"),
    ("observation_reports", "observation"),
    ("observation_alerts", "observation"),
    ("observe_failures", "throttles"),
    ("self_registrations", "self_registrations"),
    ("sync_records", "sync"),
    ("device_keys", "sync"),
    ("health_probe", "probe"),
    ("daily_totals", "daily_totals"),
    ("daily_total_versions", "daily_totals"),
    ("sentinel_sites", "sentinel"),
    ("sentinel_reports", "sentinel"),
    ("sentinel_report_versions", "sentinel"),
    ("case_routes", "shards"),
    ("record_moves", "moves"),
    ("moving_records", "moves"),
];

/// The tables a piece of SQL writes.
fn written_tables(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for start in [
        "INSERT INTO ",
        "INSERT OR IGNORE INTO ",
        "INSERT OR REPLACE INTO ",
        "UPDATE ",
        "DELETE FROM ",
    ] {
        for (i, _) in code.match_indices(start) {
            let rest = &code[i + start.len()..];
            let name: String = rest.chars().take_while(|c| is_ident(*c)).collect();
            let after = rest[name.len()..].trim_start();
            // `UPDATE t SET`, `INSERT INTO t (`, `DELETE FROM t WHERE`: a table, not prose.
            let is_sql = match start {
                "UPDATE " => after.starts_with("SET"),
                "DELETE FROM " => after.starts_with("WHERE") || after.starts_with('"'),
                _ => after.starts_with('(') || after.starts_with("SELECT"),
            };
            if !name.is_empty() && is_sql {
                out.push(name);
            }
        }
    }
    out
}

/// The lines of `code` holding a string that starts with `/api` (`"/api/…"`, also raw strings).
fn api_path_lines(code: &str) -> Vec<String> {
    code.lines()
        .filter(|l| l.contains("\"/api"))
        .map(|l| l.trim().to_owned())
        .collect()
}

/// A module path (`["routes", "cases"]`); the crate root is empty.
type ModPath = Vec<String>;

/// Every `.rs` file under `src`, by module path.
pub fn modules(src: &Path) -> BTreeMap<ModPath, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(src).unwrap_or(&p);
                let mut parts: ModPath = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                let last = parts.pop().unwrap_or_default();
                let stem = last.trim_end_matches(".rs").to_owned();
                if stem != "mod" && !(parts.is_empty() && (stem == "lib" || stem == "main")) {
                    parts.push(stem);
                }
                out.insert(parts, p);
            }
        }
    }
    out
}

/// The source without comments (line comments and doc comments), so prose naming a module is not an import.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The identifier paths that start at `start` in `code` (`crate::a::b`, `super::x`), with `use` groups expanded
/// one level (`crate::store::{f, cases::row}` → `store::f`, `store::cases::row`).
fn paths_after(code: &str, start: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find(start) {
        let at = from + i;
        from = at + start.len();
        if at > 0 && code[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = &code[from..];
        let mut segs = Vec::new();
        let mut r = rest;
        loop {
            let len = r.find(|c: char| !is_ident(c)).unwrap_or(r.len());
            if len == 0 {
                break;
            }
            segs.push(r[..len].to_owned());
            r = &r[len..];
            if let Some(next) = r.strip_prefix("::") {
                r = next;
                if let Some(group) = r.strip_prefix('{') {
                    let end = group.find('}').unwrap_or(group.len());
                    for item in group[..end].split(',') {
                        let item: Vec<String> = item
                            .split("::")
                            .map(|s| s.trim().to_owned())
                            .filter(|s| !s.is_empty() && s.chars().all(is_ident))
                            .collect();
                        let mut full = segs.clone();
                        full.extend(item);
                        out.push(full);
                    }
                    segs.clear();
                    break;
                }
            } else {
                break;
            }
        }
        if !segs.is_empty() {
            out.push(segs);
        }
    }
    out
}

/// The longest prefix of `path` that names a module of the crate.
fn resolve(mods: &BTreeMap<ModPath, PathBuf>, path: &[String]) -> Option<ModPath> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| mods.contains_key(p))
}

/// The import graph: module → the modules it names.
pub fn graph(src: &Path) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let mods = modules(src);
    let mut g = BTreeMap::new();
    for (m, file) in &mods {
        let code = code_of(&std::fs::read_to_string(file).unwrap_or_default());
        let mut targets = BTreeSet::new();
        for p in paths_after(&code, "crate::") {
            targets.extend(resolve(&mods, &p));
        }
        // `super::` from a file is its parent module (a `mod.rs` file is its directory's module).
        let parent: ModPath = m[..m.len().saturating_sub(1)].to_vec();
        for p in paths_after(&code, "super::") {
            let mut full = parent.clone();
            full.extend(p);
            targets.extend(resolve(&mods, &full));
        }
        // Child modules named by their bare name (`cases::get` in `routes/mod.rs`).
        for (child, _) in mods
            .iter()
            .filter(|(c, _)| c.len() == m.len() + 1 && c.starts_with(m))
        {
            let name = child.last().cloned().unwrap_or_default();
            if !paths_after(&code, &format!("{name}::")).is_empty()
                || code.contains(&format!("use {name}::"))
            {
                targets.insert(child.clone());
            }
        }
        targets.remove(m);
        g.insert(m.clone(), targets);
    }
    g
}

/// A loop in the graph, if there is one (as the modules on it).
pub fn find_cycle(g: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Option<Vec<ModPath>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        n: &ModPath,
        g: &BTreeMap<ModPath, BTreeSet<ModPath>>,
        marks: &mut BTreeMap<ModPath, Mark>,
        stack: &mut Vec<ModPath>,
    ) -> Option<Vec<ModPath>> {
        match marks.get(n) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let i = stack.iter().position(|s| s == n).unwrap_or(0);
                return Some(stack[i..].to_vec());
            }
            None => {}
        }
        marks.insert(n.clone(), Mark::Open);
        stack.push(n.clone());
        for t in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(t, g, marks, stack) {
                return Some(c);
            }
        }
        stack.pop();
        marks.insert(n.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for n in g.keys() {
        if let Some(c) = visit(n, g, &mut marks, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge_src() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../edge/src")
    }

    fn app_src() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src")
    }

    fn name(m: &ModPath) -> String {
        if m.is_empty() {
            "lib".into()
        } else {
            m.join("/")
        }
    }

    #[test]
    fn the_scanner_sees_groups_full_paths_and_super() {
        let code = "use crate::store::{f, cases::row};\nlet x = crate::access::record(c);\nuse super::auth::x;";
        assert_eq!(
            paths_after(code, "crate::"),
            vec![
                vec!["store".to_owned(), "f".into()],
                vec!["store".into(), "cases".into(), "row".into()],
                vec!["access".into(), "record".into()],
            ]
        );
        assert_eq!(
            paths_after(code, "super::"),
            vec![vec!["auth".to_owned(), "x".into()]]
        );
        assert_eq!(code_of("a // crate::x\n// crate::y"), "a \n");
        let mut g = BTreeMap::new();
        g.insert(vec!["a".to_owned()], BTreeSet::from([vec!["b".to_owned()]]));
        g.insert(vec!["b".to_owned()], BTreeSet::from([vec!["a".to_owned()]]));
        assert!(find_cycle(&g).is_some(), "a loop of two is found");
    }

    #[test]
    fn no_two_files_of_the_edge_import_each_other() {
        let g = graph(&edge_src());
        assert!(
            g.len() > 20,
            "the scan found the edge's files ({})",
            g.len()
        );
        if let Some(cycle) = find_cycle(&g) {
            let names: Vec<String> = cycle.iter().map(name).collect();
            panic!("import loop: {}", names.join(" → "));
        }
    }

    #[test]
    fn route_files_never_import_route_files() {
        let g = graph(&edge_src());
        let routes = vec!["routes".to_owned()];
        let mut bad = Vec::new();
        for (m, targets) in &g {
            if m.len() == 2 && m.starts_with(&routes) {
                for t in targets {
                    if t.starts_with(&routes) {
                        bad.push(format!("{} → {}", name(m), name(t)));
                    }
                }
            }
        }
        assert!(bad.is_empty(), "route files import routes: {bad:?}");
    }

    #[test]
    fn every_table_is_written_only_by_its_store_module() {
        let src = edge_src();
        let mut bad = Vec::new();
        let mut seen = BTreeSet::new();
        for (m, file) in modules(&src) {
            if m.first().is_none_or(|s| s != "store") || m.len() != 2 || m[1] == "bench" {
                continue;
            }
            let code = code_of(&std::fs::read_to_string(&file).unwrap_or_default());
            for table in written_tables(&code) {
                seen.insert(table.clone());
                match OWNERS.iter().find(|(t, _)| *t == table) {
                    Some((_, owner)) if *owner == m[1] => {}
                    Some((_, owner)) => bad.push(format!(
                        "store/{}.rs writes {table} (owner: store/{owner}.rs)",
                        m[1]
                    )),
                    None => bad.push(format!(
                        "store/{}.rs writes {table}, which has no owner in OWNERS",
                        m[1]
                    )),
                }
            }
        }
        assert!(bad.is_empty(), "{bad:#?}");
        assert!(
            seen.len() >= 20,
            "the scan found the writes ({} tables)",
            seen.len()
        );
        assert_eq!(
            written_tables(
                r#""UPDATE cases SET a = 1" "INSERT INTO x (a) VALUES (1)" "DELETE FROM y WHERE""#
            ),
            vec!["x".to_owned(), "cases".into(), "y".into()]
        );
    }

    #[test]
    fn sql_is_prepared_only_in_the_store() {
        let mut bad = Vec::new();
        for (m, file) in modules(&edge_src()) {
            if m.first().is_some_and(|s| s == "store") {
                continue;
            }
            let code = code_of(&std::fs::read_to_string(&file).unwrap_or_default());
            let n = code.matches(".prepare(").count();
            if n > 0 {
                bad.push(format!("{}: {n}", name(&m)));
            }
        }
        assert!(bad.is_empty(), "prepare( outside edge/src/store: {bad:?}");
    }

    #[test]
    fn the_app_names_api_paths_only_in_its_client() {
        let src = app_src();
        let mods = modules(&src);
        assert!(
            mods.len() > 30,
            "the scan found the app's files ({})",
            mods.len()
        );
        let mut bad = Vec::new();
        let mut in_client = 0;
        for (m, file) in &mods {
            let code = code_of(&std::fs::read_to_string(file).unwrap_or_default());
            let lines = api_path_lines(&code);
            if m.first().is_some_and(|s| s == "api") {
                in_client += lines.len();
                continue;
            }
            for l in lines {
                let rel = file.strip_prefix(&src).unwrap_or(file);
                bad.push(format!("app/src/{}: {l}", rel.display()));
            }
        }
        assert!(
            bad.is_empty(),
            "paths of the API outside app/src/api/ (add a function to the client instead): {bad:#?}"
        );
        assert!(
            in_client > 40,
            "the scan found the client's paths ({in_client})"
        );
        assert_eq!(
            api_path_lines(&code_of(
                "get(\"/api/me\")\nlet p = r#\"/api/x\"#;\nlet s = \"/data/api\";\n// \"/api/prose\""
            )),
            vec!["get(\"/api/me\")".to_owned(), "let p = r#\"/api/x\"#;".into()]
        );
    }
}
