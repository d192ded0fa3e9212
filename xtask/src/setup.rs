//! Installs what is missing, and only that: each step checks first, so a second run costs a few probes.

use std::path::Path;

use crate::cmd::{self, probe};
use crate::{root, Result};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Debian packages for the browser tests: Chromium, and Japanese fonts so screenshots show text, not boxes.
const APT_PACKAGES: [&str; 3] = ["chromium", "fonts-ipafont-gothic", "fonts-ipafont-mincho"];

pub fn all() -> Result {
    wasm_target()?;
    wasm_bindgen_cli()?;
    worker_build()?;
    npm_packages()?;
    browser()?;
    fhir_validator()?;
    Ok(())
}

/// The version of a package as Cargo.lock pins it.
pub fn lock_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let len = lock[start..].find('"').ok_or("malformed Cargo.lock")?;
    Ok(lock[start..start + len].to_owned())
}

fn wasm_target() -> Result {
    let installed = probe("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    let mut c = cmd::new("rustup");
    c.args(["target", "add", WASM_TARGET]);
    cmd::run(c)
}

/// The wasm-bindgen CLI must equal the `wasm-bindgen` crate version in Cargo.lock, or its output will not load.
fn wasm_bindgen_cli() -> Result {
    let want = lock_version("wasm-bindgen")?;
    if probe("wasm-bindgen", &["--version"]).is_some_and(|v| v == format!("wasm-bindgen {want}")) {
        return Ok(());
    }
    // Not --locked: the CLI's own lockfile names a yanked crate (see TOOLCHAIN notes).
    let mut c = cmd::new("cargo");
    c.args(["install", "wasm-bindgen-cli", "--version", &want, "--force"]);
    cmd::run(c)
}

/// worker-build at the version of the `worker` crate, so shim and crate agree.
fn worker_build() -> Result {
    let want = lock_version("worker")?;
    if probe("worker-build", &["--version"])
        .is_some_and(|v| v.split_whitespace().any(|w| w == want))
    {
        return Ok(());
    }
    let mut c = cmd::new("cargo");
    c.args([
        "install",
        "worker-build",
        "--version",
        &want,
        "--locked",
        "--force",
    ]);
    cmd::run(c)
}

/// `npm ci` when node_modules is missing or older than the lockfile.
fn npm_packages() -> Result {
    let lock = root().join("package-lock.json");
    let installed = root().join("node_modules/.package-lock.json");
    if is_newer_or_equal(&installed, &lock) && root().join("node_modules/.bin/wrangler").exists() {
        return Ok(());
    }
    let mut c = cmd::new("npm");
    c.args(["ci", "--no-audit", "--no-fund"]);
    cmd::run(c)
}

/// The venv of the independent FHIR validator (tests/fhir/validate.py).
pub fn fhir_venv() -> std::path::PathBuf {
    root().join("target/fhir-venv")
}

/// Its interpreter (the API test passes it to the validator as `FHIR_PYTHON`).
pub fn fhir_python() -> std::path::PathBuf {
    fhir_venv().join("bin/python")
}

/// The pinned `fhir.resources` (R4B models) in a venv: created when missing or when its packages differ from
/// tests/fhir/requirements.txt (a stamp file beside it holds the requirements it was made from).
fn fhir_validator() -> Result {
    let requirements = root().join("tests/fhir/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("{}: {e}", requirements.display()))?;
    let stamp = fhir_venv().join("requirements.installed");
    let python = fhir_python();
    if python.exists()
        && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted)
        && probe(
            python.to_str().unwrap_or_default(),
            &["-c", "import fhir.resources.R4B.bundle"],
        )
        .is_some()
    {
        return Ok(());
    }
    // Debian's python3 needs python3-venv for `-m venv` (ensurepip); install it only when the venv cannot be made.
    let make = || {
        let mut c = cmd::new("python3");
        c.args(["-m", "venv", "--clear"]).arg(fhir_venv());
        cmd::run(c)
    };
    if make().is_err() {
        apt_install(&["python3-venv"])?;
        make()?;
    }
    let mut c = cmd::new(python.to_str().unwrap_or_default());
    c.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--requirement",
    ])
    .arg(&requirements);
    cmd::run(c)?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(())
}

/// `apt-get update` and `apt-get install -y` (through sudo when not root).
fn apt_install(packages: &[&str]) -> Result {
    let sudo = probe("id", &["-u"]).is_some_and(|uid| uid != "0");
    let apt = |args: &[&str]| {
        let mut c = cmd::new(if sudo { "sudo" } else { "apt-get" });
        if sudo {
            c.arg("apt-get");
        }
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    cmd::run(apt(&["update"]))?;
    let mut install = vec!["install", "-y"];
    install.extend(packages);
    cmd::run(apt(&install))
}

fn browser() -> Result {
    let status = probe(
        "dpkg-query",
        &[
            "-W",
            "-f=${Status}\n",
            APT_PACKAGES[0],
            APT_PACKAGES[1],
            APT_PACKAGES[2],
        ],
    )
    .unwrap_or_default();
    if status.lines().filter(|l| l.ends_with(" installed")).count() == APT_PACKAGES.len() {
        return Ok(());
    }
    apt_install(&APT_PACKAGES)
}

/// True when `a` exists and was modified no earlier than `b` (or `b` is missing).
pub fn is_newer_or_equal(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(a), modified(b)) {
        (Some(a), Some(b)) => a >= b,
        (Some(_), None) => true,
        _ => false,
    }
}
