//! `cargo xtask build` and `cargo xtask run`: the release UI (Trunk) and the
//! server embedding it.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::Result;

use crate::{
    steps::{run as run_command, step},
    tools::{self, Tools},
};

/// Builds the release UI into `dist/`, the static site from it
/// (`target/site/`), and the release server embedding the UI; returns the
/// path of the `fanout` binary.
pub fn release(root: &Path) -> Result<PathBuf> {
    let tools = tools::ensure_build_tools(root)?;
    build_ui(root, &tools)?;
    crate::site::build(root)?;
    step(
        "build the server, UI embedded (cargo build --release)",
        || {
            run_command(Command::new("cargo").args([
                "build",
                "--release",
                "--quiet",
                "--package",
                "fanout-server",
                "--bin",
                "fanout",
            ]))
        },
    )?;
    let binary = root.join("target/release/fanout");
    println!("  binary: {}", binary.display());
    Ok(binary)
}

fn build_ui(root: &Path, tools: &Tools) -> Result<()> {
    step("build the browser app (trunk build --release)", || {
        run_command(
            tools
                .command(tools.bin_dir.join("trunk"))
                // `wasm-release` (Cargo.toml) optimises for size with fat LTO.
                .args(["build", "--release", "--cargo-profile", "wasm-release"])
                .current_dir(root)
                // Trunk logs every asset at info level; warnings are enough.
                .env("RUST_LOG", "warn"),
        )
    })
}

/// Builds, then serves until Ctrl-C. `serve_args` go to `fanout serve`.
pub fn run(root: &Path, serve_args: &[String]) -> Result<()> {
    let binary = release(root)?;
    println!("▶ fanout serve {} (Ctrl-C to stop)", serve_args.join(" "));
    run_command(Command::new(binary).arg("serve").args(serve_args))
}
