//! Builds the app into `dist/` (wasm-bindgen, wasm-opt, esbuild, public files, the service worker's shell list)
//! and the worker into `edge/build/` (worker-build, with the tools installed by setup instead of its downloads).

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::cmd;
use crate::setup::{is_newer_or_equal, WASM_TARGET};
use crate::{root, Result};

pub fn dist() -> PathBuf {
    root().join("dist")
}

pub fn all() -> Result {
    app()?;
    edge()
}

pub fn app() -> Result {
    let root = root();
    let mut c = cmd::new("cargo");
    c.args(["build", "--release", "--target", WASM_TARGET, "-p", "app"]);
    cmd::run(c)?;

    let wasm = root.join(format!("target/{WASM_TARGET}/release/app.wasm"));
    let staged = root.join("target/web/pkg");
    let optimised = root.join("target/web/app_bg.opt.wasm");
    if !is_newer_or_equal(&optimised, &wasm) {
        let mut c = cmd::new("wasm-bindgen");
        c.args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&staged)
            .arg(&wasm);
        cmd::run(c)?;
        let glue = staged.join("app.js");
        let js = fs::read_to_string(&glue).map_err(|e| format!("{}: {e}", glue.display()))?;
        fs::write(&glue, one_import_per_module(&js)).map_err(|e| e.to_string())?;
        let mut c = cmd::new("wasm-opt");
        c.args(["-Oz", "--strip-debug", "--strip-producers"])
            .arg(staged.join("app_bg.wasm"))
            .arg("-o")
            .arg(&optimised);
        cmd::run(c)?;
    }

    let dist = dist();
    if dist.exists() {
        fs::remove_dir_all(&dist).map_err(|e| format!("clearing dist/: {e}"))?;
    }
    copy_dir(&root.join("public"), &dist, &|p| {
        p.file_name().is_some_and(|n| n == "sw.js")
    })?;
    fs::create_dir_all(dist.join("pkg")).map_err(|e| e.to_string())?;
    // Fetched by the password pages only; not part of the offline shell.
    fs::create_dir_all(dist.join("data")).map_err(|e| e.to_string())?;
    fs::copy(
        root.join("shared/data/common-passwords.txt"),
        dist.join("data/common-passwords.txt"),
    )
    .map_err(|e| format!("copy common-passwords.txt: {e}"))?;
    fs::copy(&optimised, dist.join("pkg/app_bg.wasm")).map_err(|e| format!("copy wasm: {e}"))?;
    let mut c = cmd::new("esbuild");
    c.arg(staged.join("app.js"))
        .args([
            "--bundle",
            "--format=esm",
            "--minify",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", dist.join("pkg/app.js").display()));
    cmd::run(c)?;
    service_worker(&dist)
}

/// wasm-bindgen writes one `import * as importN from "<snippet>"` for every function the wasm module imports from
/// a snippet without a JS shim (functions with no arguments, like `scrollToTop`), and lists each of them in the
/// import object under the same key — duplicate keys that esbuild warns about. They are one module, so the first
/// import of each module is kept and the later ones (import lines and object keys) are dropped.
pub fn one_import_per_module(js: &str) -> String {
    use std::collections::HashSet;
    let mut modules = HashSet::new();
    let mut keys = HashSet::new();
    let mut out = String::with_capacity(js.len());
    for line in js.split_inclusive('\n') {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("import * as import") {
            if let Some((_, module)) = rest.split_once(" from ") {
                if !modules.insert(module.trim_end_matches(';').to_owned()) {
                    continue;
                }
            }
        } else if t.starts_with('"') && t.contains("\": import") && t.ends_with(',') {
            let key = t.split("\": ").next().unwrap_or_default().to_owned();
            if !keys.insert(key) {
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

/// Writes `dist/sw.js` from `public/sw.js` with the shell's file list and a build id that changes whenever any
/// shell file changes (so browsers install the new shell and drop the old cache).
fn service_worker(dist: &Path) -> Result {
    let mut files = Vec::new();
    collect_files(dist, dist, &mut files)?;
    files.retain(|f| !f.starts_with("/data/"));
    files.sort();
    let mut hasher = DefaultHasher::new();
    for f in &files {
        f.hash(&mut hasher);
        fs::read(dist.join(f.trim_start_matches('/')))
            .map_err(|e| e.to_string())?
            .hash(&mut hasher);
    }
    // "/" stands for index.html: the assets server redirects /index.html to /, and a redirected response cannot
    // answer a navigation.
    let shell: Vec<String> = files
        .iter()
        .map(|f| {
            if f == "/index.html" {
                "/".to_owned()
            } else {
                f.clone()
            }
        })
        .collect();
    let list = format!(
        "[{}]",
        shell
            .iter()
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let template = fs::read_to_string(root().join("public/sw.js"))
        .map_err(|e| format!("public/sw.js: {e}"))?;
    let sw = template
        .replace("__BUILD_ID__", &format!("{:016x}", hasher.finish()))
        .replace("__SHELL_FILES__", &list);
    fs::write(dist.join("sw.js"), sw).map_err(|e| format!("write sw.js: {e}"))
}

pub fn edge() -> Result {
    let mut c = cmd::new("worker-build");
    c.args(["--release", "edge"])
        .env("WASM_BINDGEN_BIN", cmd::cargo_bin().join("wasm-bindgen"))
        .env("ESBUILD_BIN", root().join("node_modules/.bin/esbuild"))
        .env("WASM_OPT_BIN", root().join("node_modules/.bin/wasm-opt"));
    cmd::run(c)
}

fn copy_dir(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if skip(&path) {
            continue;
        }
        let target = to.join(path.file_name().ok_or("bad file name")?);
        if path.is_dir() {
            copy_dir(&path, &target, skip)?;
        } else {
            fs::copy(&path, &target).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Every file under `dir` as a URL path (`/pkg/app.js`).
fn collect_files(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result {
    for entry in fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect_files(base, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(format!("/{}", rel.to_string_lossy()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::one_import_per_module;

    #[test]
    fn each_snippet_module_is_imported_and_listed_once() {
        let js = "import * as import1 from \"./s/bridge.js\"\nimport * as import2 from \"./s/bridge.js\"\n\
                  import * as import3 from \"./s/scan.js\"\n    return {\n        \"./app_bg.js\": import0,\n\
                  \"./s/bridge.js\": import1,\n        \"./s/bridge.js\": import2,\n        \"./s/scan.js\": import3,\n    };\n";
        let out = one_import_per_module(js);
        assert_eq!(out.matches("from \"./s/bridge.js\"").count(), 1);
        assert_eq!(out.matches("\"./s/bridge.js\": import").count(), 1);
        assert_eq!(out.matches("\"./s/scan.js\": import3").count(), 1);
        assert!(out.contains("\"./app_bg.js\": import0,"));
        assert!(!out.contains("import2"));
    }
}
