//! Installing the pinned tools the build and the tests need, project-locally
//! wherever possible (`target/tools/`, `frontend/node_modules/`,
//! `target/python/`), so a fresh machine needs only what the README says.
//!
//! Each `ensure_*` is cheap when the tool is already there: it checks a
//! version and returns. Versions come from docs/design/toolchain.md.

use std::{
    env,
    ffi::OsString,
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};

use crate::steps::{output_of, run, step};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Where project-local tools live, and the PATH that finds them first.
#[derive(Debug, Clone)]
pub struct Tools {
    pub bin_dir: PathBuf,
    pub path: OsString,
}

impl Tools {
    pub fn locate(root: &Path) -> Result<Tools> {
        let bin_dir = root.join("target/tools/bin");
        let node_bin = root.join("frontend/node_modules/.bin");
        let mut dirs = vec![bin_dir.clone(), node_bin];
        dirs.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
        let path = env::join_paths(dirs).context("PATH contains an unusable entry")?;
        Ok(Tools { bin_dir, path })
    }

    /// A command that finds the project's tools before the system's.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env("PATH", &self.path);
        command
    }
}

/// Everything `cargo xtask build` needs: the wasm target, Trunk, the
/// wasm-bindgen CLI matching Cargo.lock, and wasm-opt from npm.
pub fn ensure_build_tools(root: &Path) -> Result<Tools> {
    let tools = Tools::locate(root)?;
    ensure_wasm_target()?;
    ensure_trunk(root, &tools)?;
    ensure_wasm_bindgen(root, &tools)?;
    ensure_node_modules(root)?;
    Ok(tools)
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    step(
        &format!("install the {WASM_TARGET} target (rustup)"),
        || run(Command::new("rustup").args(["target", "add", WASM_TARGET])),
    )
}

fn ensure_trunk(root: &Path, tools: &Tools) -> Result<()> {
    let trunk = tools.bin_dir.join("trunk");
    let version = output_of(&trunk, &["--version"]).unwrap_or_default();
    if version.ends_with(TRUNK_VERSION) {
        return Ok(());
    }
    step(
        &format!("install Trunk {TRUNK_VERSION} into target/tools (first time only, ~8 min)"),
        || {
            run(Command::new("cargo")
                .args([
                    "install",
                    "--locked",
                    "--quiet",
                    "trunk",
                    "--version",
                    TRUNK_VERSION,
                    "--root",
                ])
                .arg(root.join("target/tools")))
        },
    )
}

fn ensure_wasm_bindgen(root: &Path, tools: &Tools) -> Result<()> {
    let wanted = locked_version(root, "wasm-bindgen")?;
    let pinned = trunk_toml_tool(root, "wasm_bindgen")?;
    if pinned != wanted {
        bail!(
            "Trunk.toml pins wasm_bindgen = \"{pinned}\" but Cargo.lock has wasm-bindgen {wanted}; \
             set [tools] wasm_bindgen = \"{wanted}\" in Trunk.toml"
        );
    }
    let cli = tools.bin_dir.join("wasm-bindgen");
    let version = output_of(&cli, &["--version"]).unwrap_or_default();
    if version.ends_with(&wanted) && tools.bin_dir.join("wasm-bindgen-test-runner").is_file() {
        return Ok(());
    }
    // Not --locked: the CLI's own lock file pins a crate the registry lacks
    // (see docs/design/toolchain.md).
    step(
        &format!("install wasm-bindgen CLI {wanted} into target/tools (first time only, ~3 min)"),
        || {
            run(Command::new("cargo")
                .args([
                    "install",
                    "--quiet",
                    "wasm-bindgen-cli",
                    "--version",
                    &wanted,
                    "--root",
                ])
                .arg(root.join("target/tools")))
        },
    )
}

/// `npm ci` in `frontend/` when `node_modules` does not match the lock file.
pub fn ensure_node_modules(root: &Path) -> Result<()> {
    let frontend = root.join("frontend");
    let lock = fs::read(frontend.join("package-lock.json"))
        .context("frontend/package-lock.json is missing")?;
    let stamp = frontend.join("node_modules/.fanout-lock-stamp");
    if fs::read(&stamp).ok().as_deref() == Some(lock.as_slice()) {
        return Ok(());
    }
    step(
        "install Node tools (npm ci: wasm-opt, playwright-core)",
        || {
            run(Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&frontend))?;
            fs::write(&stamp, &lock).context("cannot write the node_modules stamp")
        },
    )
}

/// The version of `package` recorded in Cargo.lock.
pub fn locked_version(root: &Path, package: &str) -> Result<String> {
    let lock = fs::read_to_string(root.join("Cargo.lock")).context("Cargo.lock is missing")?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .with_context(|| format!("Cargo.lock has no package {package}"))?
        + needle.len();
    let end = lock[start..].find('"').context("Cargo.lock is malformed")?;
    Ok(lock[start..start + end].to_owned())
}

/// A `name = "value"` entry of Trunk.toml's `[tools]` table.
fn trunk_toml_tool(root: &Path, name: &str) -> Result<String> {
    let text = fs::read_to_string(root.join("Trunk.toml")).context("Trunk.toml is missing")?;
    text.lines()
        .map(str::trim)
        .find_map(|line| {
            let rest = line.strip_prefix(name)?.trim_start().strip_prefix('=')?;
            Some(rest.trim().trim_matches('"').to_owned())
        })
        .with_context(|| format!("Trunk.toml has no {name} entry in [tools]"))
}

/// A project-local virtualenv (`target/python`) holding the pinned packages
/// of `xtask/python-requirements.txt`; returns its interpreter.
pub fn ensure_python_env(root: &Path) -> Result<PathBuf> {
    let venv = root.join("target/python");
    let python = venv.join("bin/python");
    let requirements = root.join("xtask/python-requirements.txt");
    let wanted = fs::read(&requirements).context("xtask/python-requirements.txt is missing")?;
    let stamp = venv.join(".fanout-requirements-stamp");
    if python.is_file() && fs::read(&stamp).ok().as_deref() == Some(wanted.as_slice()) {
        return Ok(python);
    }
    step(
        "install Python test clients into target/python (pip)",
        || {
            if !python.is_file() {
                run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
            }
            run(Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(&requirements))?;
            fs::write(&stamp, &wanted).context("cannot write the virtualenv stamp")
        },
    )?;
    Ok(python)
}

/// A Debian package providing `binary`, installed with apt when missing and
/// running as root; otherwise a one-line instruction.
pub fn ensure_debian_package(package: &str, binary: &str) -> Result<PathBuf> {
    let path = PathBuf::from(binary);
    if path.exists() {
        return Ok(path);
    }
    if !running_as_root() {
        bail!(
            "{binary} is missing: install Debian's `{package}` (sudo apt-get install -y {package})"
        );
    }
    step(
        &format!("install Debian package {package} (apt-get)"),
        || {
            ensure_apt_index()?;
            run(Command::new("apt-get")
                .args(["install", "-y", package])
                .env("DEBIAN_FRONTEND", "noninteractive"))
        },
    )?;
    if !path.exists() {
        bail!("installing {package} did not provide {binary}");
    }
    Ok(path)
}

/// `apt-get update` once per machine boot: a fresh machine has no index.
fn ensure_apt_index() -> Result<()> {
    let lists = Path::new("/var/lib/apt/lists");
    let has_index = fs::read_dir(lists)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|entry| entry.file_name().to_string_lossy().ends_with("_Packages"))
        })
        .unwrap_or(false);
    if has_index {
        return Ok(());
    }
    run(Command::new("apt-get").args(["update", "-q"]))
}

fn running_as_root() -> bool {
    output_of("id", &["-u"]).as_deref() == Some("0")
}
