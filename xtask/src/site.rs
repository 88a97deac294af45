//! The static build: `target/site/`, a folder any static file host can
//! serve (no Fanout server behind it).
//!
//! It is `dist/` plus one `index.html` per lab route (the lab's page),
//! because a plain static host maps `/queues/` to `queues/index.html` and
//! knows nothing of which page shows which lab. Simulations work from it offline; live
//! features say they need a Fanout server (and take `?server=HOST:PORT`).

use std::{fs, path::Path};

use anyhow::{Context, Result};

use crate::steps::step;

/// Writes `target/site/` from `dist/`; returns its path.
pub fn build(root: &Path) -> Result<std::path::PathBuf> {
    let dist = root.join("dist");
    let site = root.join("target/site");
    step("write the static site (target/site)", || {
        if site.exists() {
            fs::remove_dir_all(&site).context("cannot clear target/site")?;
        }
        copy_dir(&dist, &site)?;
        for lab in crate::lab::Lab::ALL {
            let (lab, page) = (lab.slug(), lab.page());
            let html =
                fs::read(dist.join(page)).with_context(|| format!("dist/{page} is missing"))?;
            for route in [lab.to_owned(), format!("embed/{lab}")] {
                let folder = site.join(route);
                fs::create_dir_all(&folder)?;
                fs::write(folder.join("index.html"), &html)?;
            }
        }
        // Hosts such as GitHub Pages answer unknown paths with 404.html:
        // the app shell then shows its own "not found" page.
        fs::copy(dist.join("index.html"), site.join("404.html"))?;
        if let Ok(course) = fs::read(dist.join("course-example.html")) {
            let folder = site.join("course-example");
            fs::create_dir_all(&folder)?;
            fs::write(folder.join("index.html"), course)?;
        }
        Ok(())
    })?;
    println!(
        "  static site: {} (serve it at the root of any static host)",
        site.display()
    );
    Ok(site)
}

pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}
