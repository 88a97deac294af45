//! Chooses the folder whose files become the embedded UI.
//!
//! `cargo xtask build` runs Trunk first, so `dist/` holds the real app. A
//! plain `cargo build` or `cargo test` may run before the frontend was ever
//! built; then a one-page placeholder is embedded instead, which says how to
//! build the UI, so the server still compiles and its API still works.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dist = manifest_dir.join("..").join("dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    println!("cargo:rerun-if-env-changed=FANOUT_UI_DIR");

    let ui_dir = if let Ok(dir) = env::var("FANOUT_UI_DIR") {
        PathBuf::from(dir)
    } else if dist.join("index.html").is_file() {
        dist
    } else {
        let placeholder =
            PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("ui-placeholder");
        fs::create_dir_all(&placeholder).expect("OUT_DIR is writable");
        fs::write(
            placeholder.join("index.html"),
            "<!doctype html><html><head><meta charset=utf-8><title>Fanout</title></head>\
             <body><h1>Fanout</h1><p>This server was built without its browser app. \
             Run <code>cargo xtask build</code> (or <code>cargo xtask run</code>) \
             to build the UI and embed it.</p></body></html>",
        )
        .expect("OUT_DIR is writable");
        placeholder
    };
    let ui_dir = ui_dir.canonicalize().unwrap_or(ui_dir);
    println!("cargo:rustc-env=FANOUT_UI_DIR={}", ui_dir.display());
}
