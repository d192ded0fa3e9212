//! Builds the app into `dist/` (one wasm per entry point with wasm-bindgen, wasm-opt and esbuild, content-named;
//! one HTML per entry; the public files; the service worker with its file lists)
//! and the worker into `edge/build/` (worker-build, with the tools installed by setup instead of its downloads).

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use shared::entry::Entry;

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
    let dist = dist();
    if dist.exists() {
        fs::remove_dir_all(&dist).map_err(|e| format!("clearing dist/: {e}"))?;
    }
    // public/ holds templates (index.html → one HTML per entry, sw.js, boot.js, app.css → content-named) beside the
    // files copied as they are (manifest, icons, postal data).
    copy_dir(&root.join("public"), &dist, &|p| {
        p.file_name().is_some_and(|n| {
            ["sw.js", "index.html", "boot.js", "app.css"].contains(&n.to_str().unwrap_or(""))
        })
    })?;
    fs::create_dir_all(dist.join("pkg")).map_err(|e| e.to_string())?;
    fs::create_dir_all(dist.join("entry")).map_err(|e| e.to_string())?;
    // Fetched by the password pages only; not part of the offline shell.
    fs::create_dir_all(dist.join("data")).map_err(|e| e.to_string())?;
    fs::copy(
        root.join("shared/data/common-passwords.txt"),
        dist.join("data/common-passwords.txt"),
    )
    .map_err(|e| format!("copy common-passwords.txt: {e}"))?;
    let css = content_named(&root.join("public/app.css"), "app", "css")?;

    let mut entries = Vec::new();
    for entry in Entry::ALL {
        entries.push(build_entry(entry, &css)?);
    }
    precompress(&dist.join("pkg"))?;
    service_worker(&dist, &entries)
}

/// One entry's files, as URL paths: its HTML, then what the HTML loads (script, wasm, stylesheet).
pub struct Built {
    pub entry: Entry,
    pub html: String,
    pub files: Vec<String>,
}

/// Builds one entry point: the app crate with only this entry's pages (`--features entry-<name>`), wasm-bindgen,
/// wasm-opt, its start script bundled with the glue by esbuild, all content-named under `dist/pkg/`, and its HTML
/// under `dist/entry/<name>.html`.
fn build_entry(entry: Entry, css: &str) -> Result<Built> {
    let root = root();
    let name = entry.name();
    let mut c = cmd::new("cargo");
    c.args(["build", "--release", "--target", WASM_TARGET, "-p", "app"])
        .args(["--no-default-features", "--features"])
        .arg(format!("entry-{name}"));
    cmd::run(c)?;

    // Each feature set has its own artifact in deps/, but cargo copies the last one built to release/app.wasm:
    // keep this entry's copy (rewritten only when it changed, so an unchanged entry skips wasm-opt next time).
    let work = root.join("target/web").join(name);
    fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let built = fs::read(root.join(format!("target/{WASM_TARGET}/release/app.wasm")))
        .map_err(|e| format!("app.wasm: {e}"))?;
    let wasm = work.join("app.wasm");
    if fs::read(&wasm).ok().as_deref() != Some(built.as_slice()) {
        fs::write(&wasm, &built).map_err(|e| e.to_string())?;
    }
    let staged = work.join("pkg");
    let optimised = work.join("opt.wasm");
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
    let wasm_url = content_named(&optimised, name, "wasm")?;

    // The start script: public/boot.js's `start` with this entry's glue and wasm, one bundle.
    let main = work.join("main.js");
    let script = format!(
        "import init from {glue:?};\nimport {{ start }} from {boot:?};\nstart(init, {wasm_url:?});\n",
        glue = staged.join("app.js").to_string_lossy(),
        boot = root.join("public/boot.js").to_string_lossy(),
    );
    fs::write(&main, script).map_err(|e| e.to_string())?;
    let bundle = work.join("bundle.js");
    let mut c = cmd::new("esbuild");
    c.arg(&main)
        .args([
            "--bundle",
            "--format=esm",
            "--minify",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", bundle.display()));
    cmd::run(c)?;
    let js_url = content_named(&bundle, name, "js")?;

    let template = fs::read_to_string(root.join("public/index.html"))
        .map_err(|e| format!("public/index.html: {e}"))?;
    let html = template
        .replace("__ENTRY__", name)
        .replace("__SCRIPT__", &js_url)
        .replace("__WASM__", &wasm_url)
        .replace("__STYLE__", css);
    let html_url = entry.html_path();
    fs::write(dist().join(html_url.trim_start_matches('/')), html)
        .map_err(|e| format!("write {html_url}: {e}"))?;
    Ok(Built {
        entry,
        html: html_url,
        files: vec![js_url, wasm_url, css.to_owned()],
    })
}

/// Copies `file` to `dist/pkg/<stem>-<hash>.<ext>` (named by its content, so it can be cached for ever and a tab of
/// an older build never gets a newer file under the name it asked for) and returns its URL path.
fn content_named(file: &Path, stem: &str, ext: &str) -> Result<String> {
    let bytes = fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    let url = format!("/pkg/{stem}-{:010x}.{ext}", hasher.finish() >> 24);
    fs::write(dist().join(url.trim_start_matches('/')), &bytes)
        .map_err(|e| format!("write {url}: {e}"))?;
    Ok(url)
}

/// Writes `<file>.br` (brotli, quality 11) beside every file of `dir`, with node's zlib; the edge serves it to
/// browsers that accept brotli.
fn precompress(dir: &Path) -> Result {
    let mut c = cmd::new("node");
    c.arg(root().join("xtask/js/compress.mjs"))
        .arg("write-br")
        .arg(dir)
        .arg(root().join("target/web/br"));
    cmd::run(c)
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

/// Writes `dist/sw.js` from `public/sw.js`: the files shared by every entry, each entry's files, the table of which
/// path belongs to which entry (`shared::entry::RULES`), and a build id that changes whenever any of them changes
/// (so browsers install the new worker and drop the old cache).
fn service_worker(dist: &Path, entries: &[Built]) -> Result {
    let mut files = Vec::new();
    collect_files(dist, dist, &mut files)?;
    files.sort();
    let mut hasher = DefaultHasher::new();
    for f in &files {
        f.hash(&mut hasher);
        fs::read(dist.join(f.trim_start_matches('/')))
            .map_err(|e| e.to_string())?
            .hash(&mut hasher);
    }
    let common: Vec<&String> = files
        .iter()
        .filter(|f| {
            !f.starts_with("/data/")
                && !f.starts_with("/pkg/")
                && !f.starts_with("/entry/")
                && *f != "/sw.js"
        })
        .collect();
    let quoted = |list: &mut dyn Iterator<Item = &String>| {
        format!(
            "[{}]",
            list.map(|f| format!("{f:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let entries_js = format!(
        "{{{}}}",
        entries
            .iter()
            .map(|b| format!(
                "{:?}: {{ html: {:?}, files: {} }}",
                b.entry.name(),
                b.html,
                quoted(&mut b.files.iter())
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rules = format!(
        "[{}]",
        shared::entry::RULES
            .iter()
            .map(|(pattern, entry)| format!("[{pattern:?}, {:?}]", entry.name()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let template = fs::read_to_string(root().join("public/sw.js"))
        .map_err(|e| format!("public/sw.js: {e}"))?;
    let sw = template
        .replace("__BUILD_ID__", &format!("{:016x}", hasher.finish()))
        .replace("__COMMON_FILES__", &quoted(&mut common.into_iter()))
        .replace("__ENTRIES__", &entries_js)
        .replace("__RULES__", &rules);
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
