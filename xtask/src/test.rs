//! `cargo xtask test`: everything CI checks, in the order that fails fastest.
//!
//! Stages (run all, or name some: `cargo xtask test e2e`):
//! - `fmt`: `cargo fmt --check`;
//! - `clippy`: clippy with `-D warnings`, native and wasm32;
//! - `unit`: unit and integration tests (the real `fanout` binary on real sockets);
//! - `wasm`: `#[wasm_bindgen_test]`s compiled to wasm32 and run in Node;
//! - `e2e`: the release build driven in headless Chromium (frontend/e2e/).

use std::{path::Path, process::Command};

use anyhow::{Result, bail};

use crate::{
    build,
    steps::{run, step},
    tools::{self, Tools, WASM_TARGET},
};

const STAGES: &[&str] = &["fmt", "clippy", "unit", "wasm", "e2e"];

pub fn all(root: &Path, only: &[String]) -> Result<()> {
    for name in only {
        if !STAGES.contains(&name.as_str()) {
            bail!(
                "unknown test stage `{name}`; stages are: {}",
                STAGES.join(", ")
            );
        }
    }
    let wanted = |stage: &str| only.is_empty() || only.iter().any(|name| name == stage);
    let started = std::time::Instant::now();

    if wanted("fmt") {
        step("check formatting (cargo fmt --check)", || {
            run(Command::new("cargo").args(["fmt", "--all", "--", "--check"]))
        })?;
    }
    let tools = if wanted("clippy") || wanted("wasm") || wanted("e2e") {
        Some(tools::ensure_build_tools(root)?)
    } else {
        None
    };
    if wanted("clippy") {
        step("lint native crates (cargo clippy -D warnings)", || {
            run(Command::new("cargo").args([
                "clippy",
                "--quiet",
                "--workspace",
                "--exclude",
                "fanout-frontend",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        })?;
        step(
            "lint wasm crates (cargo clippy --target wasm32 -D warnings)",
            || {
                // One run per crate and feature set: features unify within a
                // run, and shared's tests turn on its `reliability` feature,
                // which the frontend must only get with its own.
                for args in [
                    &["--package", "fanout-shared"][..],
                    &["--package", "fanout-frontend"][..],
                    &["--package", "fanout-frontend", "--features", "reliability"][..],
                ] {
                    run(Command::new("cargo")
                        .args(["clippy", "--quiet"])
                        .args(args)
                        .args([
                            "--all-targets",
                            "--target",
                            WASM_TARGET,
                            "--",
                            "-D",
                            "warnings",
                        ]))?;
                }
                Ok(())
            },
        )?;
    }
    if wanted("unit") {
        // Compatibility tests drive real programs against the real binary:
        // Python clients (pyzmq, pymemcache, python-memcached, redis-py,
        // Celery, pika), Debian's memcached tools, Debian's redis-server (the
        // Redis node's oracle) and Debian's rabbitmq-server (the broker's). Tests that need them skip, saying why, when these
        // variables are absent (a plain `cargo test`).
        let python = tools::ensure_python_env(root)?;
        let memcached = tools::ensure_debian_package("memcached", "/usr/bin/memcached")?;
        let memccapable =
            tools::ensure_debian_package("libmemcached-tools", "/usr/bin/memccapable")?;
        let redis_server = tools::ensure_debian_package("redis-server", "/usr/bin/redis-server")?;
        // The broker's oracle: shared/tests/rabbitmq.rs starts one private
        // node of it per run (its own name, ports, cookie and directories).
        let rabbitmq_server =
            tools::ensure_debian_package("rabbitmq-server", "/usr/sbin/rabbitmq-server")?;
        step("unit and integration tests (cargo test)", || {
            run(Command::new("cargo")
                .env("FANOUT_PYTHON", &python)
                .env("FANOUT_MEMCACHED", &memcached)
                .env("FANOUT_MEMCCAPABLE", &memccapable)
                .env("FANOUT_REDIS_SERVER", &redis_server)
                .env("FANOUT_RABBITMQ_SERVER", &rabbitmq_server)
                .args([
                    "test",
                    "--quiet",
                    "--workspace",
                    "--exclude",
                    "fanout-frontend",
                ]))
        })?;
    }
    if wanted("wasm") {
        let tools = tools.as_ref().expect("installed above");
        step("wasm tests in Node (cargo test --target wasm32)", || {
            wasm_tests(tools)
        })?;
    }
    if wanted("e2e") {
        let tools = tools.as_ref().expect("installed above");
        let binary = build::release(root)?;
        let chromium = tools::ensure_debian_package("chromium", "/usr/bin/chromium")?;
        // A font with Chinese glyphs: without one, Chromium draws the Chinese
        // pages' text as empty boxes, and their screenshots (which someone
        // must look at) show nothing readable. WenQuanYi Zen Hei is Debian's
        // smallest complete one.
        tools::ensure_debian_package(
            "fonts-wqy-zenhei",
            "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        )?;
        // frontend/e2e/observe.test.mjs observes a real memcached.
        let memcached = tools::ensure_debian_package("memcached", "/usr/bin/memcached")?;
        step("browser end-to-end tests (headless Chromium)", || {
            run(tools
                .command("node")
                .args(["--test", "--test-concurrency=1", "frontend/e2e/"])
                .env("FANOUT_BIN", &binary)
                .env("CHROMIUM", &chromium)
                .env("E2E_OUT", root.join("target/e2e"))
                .env("FANOUT_SITE", root.join("target/site"))
                .env("FANOUT_MEMCACHED", &memcached)
                .env("FANOUT_PYTHON", tools::ensure_python_env(root)?))
        })?;
    }
    println!(
        "\nall requested checks passed in {}",
        crate::steps::format_duration(started.elapsed())
    );
    Ok(())
}

fn wasm_tests(tools: &Tools) -> Result<()> {
    // Each crate and feature set in a run of its own: shared's tests turn
    // on its `reliability` feature, which the frontend must not get without
    // its own; the frontend's reliability-page tests need that feature.
    for args in [
        &["--package", "fanout-shared"][..],
        &["--package", "fanout-frontend"][..],
        &["--package", "fanout-frontend", "--features", "reliability"][..],
    ] {
        run(tools
            .command("cargo")
            // No --quiet: cargo passes it on to wasm-bindgen-test-runner,
            // which refuses unknown flags.
            .arg("test")
            .args(args)
            .args(["--target", WASM_TARGET])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                tools.bin_dir.join("wasm-bindgen-test-runner"),
            ))?;
    }
    Ok(())
}
