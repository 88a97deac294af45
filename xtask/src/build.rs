//! `cargo xtask build` and `cargo xtask run`: the release UI (Trunk) and the
//! server embedding it.

use std::{
    fs,
    io::Write as _,
    path::{Path, PathBuf},
    process::Command,
    time::UNIX_EPOCH,
};

use anyhow::Result;

use crate::{
    lab::Lab,
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

/// The labs' distinct cargo feature sets (`""` first: the pages without).
fn feature_sets() -> Vec<&'static str> {
    let mut sets = vec![""];
    for lab in Lab::ALL {
        if !sets.contains(&lab.cargo_features()) {
            sets.push(lab.cargo_features());
        }
    }
    sets
}

/// Trunk's source for a lab's page: the file of the same name in `frontend/`.
fn page_source(lab: Lab) -> String {
    format!("frontend/{}", lab.page())
}

fn build_ui(root: &Path, tools: &Tools) -> Result<()> {
    // Trunk re-runs wasm-bindgen and wasm-opt (tens of seconds) and rewrites
    // dist/ (which makes the server re-embed it) even when nothing changed.
    // So compile the wasm first (a no-op when it is fresh) and skip Trunk
    // when neither the wasm nor anything Trunk copies has changed since the
    // last successful build.
    step(
        "compile the browser app, one wasm per lab (cargo build, wasm-release)",
        || {
            // One cargo run per set of features, as Trunk builds each page:
            // features unify within a run, and the reliability engine must
            // stay out of the pages that do not enable it (the reliability
            // lab's binary requires its feature, so `--bins` without it
            // skips that page).
            for features in feature_sets() {
                let mut cargo = Command::new("cargo");
                cargo.args([
                    "build",
                    "--quiet",
                    "--profile",
                    "wasm-release",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--package",
                    "fanout-frontend",
                ]);
                if features.is_empty() {
                    cargo.arg("--bins");
                } else {
                    cargo.args(["--features", features]);
                    for lab in Lab::ALL
                        .into_iter()
                        .filter(|l| l.cargo_features() == features)
                    {
                        cargo.args(["--bin", &format!("fanout-{}", lab.slug())]);
                    }
                }
                run_command(&mut cargo)?;
            }
            Ok(())
        },
    )?;
    // Trunk reads a page's features from its html; they must be the ones
    // compiled above (else Trunk compiles the page again, differently).
    for lab in Lab::ALL {
        let features = lab.cargo_features();
        let html = fs::read_to_string(root.join(page_source(lab)))?;
        let declared = html.contains(&format!("data-cargo-features=\"{features}\""));
        if features.is_empty() == html.contains("data-cargo-features")
            || (!features.is_empty() && !declared)
        {
            anyhow::bail!(
                "{} must declare data-cargo-features=\"{features}\" exactly when Lab::cargo_features says so",
                page_source(lab)
            );
        }
    }
    let stamp_path = root.join("target/ui-build.stamp");
    let inputs = ui_inputs_fingerprint(root);
    let stamp = fs::read_to_string(&stamp_path).unwrap_or_default();
    let dist = root.join("dist");
    let complete = Lab::ALL.iter().all(|lab| dist.join(lab.page()).exists());
    if complete && stamp == inputs {
        println!("✓ browser app up to date (dist/)");
        gzip_bundle(&dist)?;
        return check_wasm_budget(&dist);
    }
    // Trunk empties its output folder, so each page is bundled into a
    // folder of its own and the three are merged into dist/. Shared files
    // (the stylesheet, the icon) have the same hashed name in each.
    let staging = root.join("target/ui-pages");
    for lab in Lab::ALL {
        let (slug, source, page) = (lab.slug(), page_source(lab), lab.page());
        let out = staging.join(slug);
        step(
            &format!("bundle the {slug} page (trunk build --release {source})"),
            || {
                run_command(
                    tools
                        .command(tools.bin_dir.join("trunk"))
                        // `wasm-release` (Cargo.toml) optimises for size with fat LTO.
                        .args(["build", "--release", "--cargo-profile", "wasm-release"])
                        .arg("--dist")
                        .arg(&out)
                        .args(["--html-output", page, &source])
                        .current_dir(root)
                        // Trunk logs every asset at info level; warnings are enough.
                        .env("RUST_LOG", "warn"),
                )
            },
        )?;
    }
    if dist.exists() {
        fs::remove_dir_all(&dist)?;
    }
    for lab in Lab::ALL {
        crate::site::copy_dir(&staging.join(lab.slug()), &dist)?;
    }
    gzip_bundle(&dist)?;
    fs::write(&stamp_path, inputs)?;
    check_wasm_budget(&dist)
}

/// Writes `NAME.gz` beside each file of `dist/` that compresses (wasm, JS,
/// CSS, HTML, SVG, text, JSON), at the best level, unless it is there
/// already. The server sends these as they are to a browser that accepts
/// gzip (`server/src/assets.rs`): nothing is compressed while it runs, and
/// the files a browser never asks for are never read into its memory.
fn gzip_bundle(dist: &Path) -> Result<()> {
    const COMPRESSIBLE: &[&str] = &[".wasm", ".js", ".css", ".html", ".svg", ".txt", ".json"];
    let mut files = Vec::new();
    let mut folders = vec![dist.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path
                .to_str()
                .is_some_and(|name| COMPRESSIBLE.iter().any(|ext| name.ends_with(ext)))
            {
                files.push(path);
            }
        }
    }
    let missing: Vec<_> = files
        .into_iter()
        .filter(|path| !path.with_extension(gz_extension(path)).exists())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    step(
        &format!(
            "gzip the bundle ({} files, beside them in dist/)",
            missing.len()
        ),
        || {
            for path in &missing {
                let bytes = fs::read(path)?;
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                encoder.write_all(&bytes)?;
                let gzipped = encoder.finish()?;
                // A file that does not shrink is sent as it is.
                if gzipped.len() < bytes.len() {
                    fs::write(path.with_extension(gz_extension(path)), gzipped)?;
                }
            }
            Ok(())
        },
    )
}

/// `wasm.gz` for `x_bg.wasm`: the file's extension with `.gz` after it.
fn gz_extension(path: &Path) -> String {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    format!("{ext}.gz")
}

/// The most a lab page's wasm may weigh, gzipped as the server sends it: a
/// student on a slow connection downloads one page's wasm and nothing else.
const WASM_BUDGET_GZIP: u64 = 600 * 1024;

/// Prints each page's wasm size (raw and gzipped at the level the server
/// uses) and fails when one is over [`WASM_BUDGET_GZIP`].
fn check_wasm_budget(dist: &Path) -> Result<()> {
    let mut over = Vec::new();
    for lab in Lab::ALL {
        let prefix = format!("fanout-{}-", lab.slug());
        let wasm = fs::read_dir(dist)?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .find(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.starts_with(&prefix) && name.ends_with("_bg.wasm"))
            })
            .ok_or_else(|| anyhow::anyhow!("dist/ has no wasm for the {} page", lab.slug()))?;
        let bytes = fs::read(&wasm)?;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&bytes)?;
        let gzipped = encoder.finish()?.len() as u64;
        println!(
            "  {} page wasm: {} KiB, {} KiB gzipped ({gzipped} B; budget {} KiB, {})",
            lab.slug(),
            bytes.len() / 1024,
            gzipped / 1024,
            WASM_BUDGET_GZIP / 1024,
            if gzipped > WASM_BUDGET_GZIP {
                format!("{} B over", gzipped - WASM_BUDGET_GZIP)
            } else {
                format!("{} B to spare", WASM_BUDGET_GZIP - gzipped)
            }
        );
        if gzipped > WASM_BUDGET_GZIP {
            over.push(format!("{} ({gzipped} B)", lab.slug()));
        }
    }
    if !over.is_empty() {
        anyhow::bail!(
            "over the {} KiB gzip budget per page: {}",
            WASM_BUDGET_GZIP / 1024,
            over.join(", ")
        );
    }
    Ok(())
}

/// Size and modification time of everything Trunk reads: the compiled
/// wasm, the pages, Trunk's settings and the static files it copies.
fn ui_inputs_fingerprint(root: &Path) -> String {
    let mut files = vec![root.join("Trunk.toml")];
    for lab in Lab::ALL {
        files.push(root.join(format!(
            "target/wasm32-unknown-unknown/wasm-release/fanout-{}.wasm",
            lab.slug()
        )));
        files.push(root.join(page_source(lab)));
    }
    if let Ok(entries) = fs::read_dir(root.join("static")) {
        let mut statics: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        statics.sort();
        files.extend(statics);
    }
    files
        .iter()
        .map(|path| {
            let (len, modified) = fs::metadata(path)
                .map(|m| (m.len(), m.modified().ok()))
                .unwrap_or((0, None));
            let nanos = modified
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{} {len} {nanos}\n", path.display())
        })
        .collect()
}

/// Builds, then serves until Ctrl-C. `serve_args` go to `fanout serve`.
pub fn run(root: &Path, serve_args: &[String]) -> Result<()> {
    let binary = release(root)?;
    println!("▶ fanout serve {} (Ctrl-C to stop)", serve_args.join(" "));
    run_command(Command::new(binary).arg("serve").args(serve_args))
}
