//! `cargo xtask`: the project's two commands (and a few helpers), so that a
//! fresh machine needs nothing but Rust, Node and Python to run and test
//! Fanout.
//!
//! - `cargo xtask run [-- serve flags]`: install what is missing, build the
//!   release UI and server, then start `fanout serve` on 127.0.0.1:8080.
//! - `cargo xtask build`: the release build alone (`target/release/fanout`).
//! - `cargo xtask test`: everything CI checks (see [`test`]).
//!
//! Every step prints its name and how long it took, so a first run of many
//! minutes never looks hung.

mod build;
// The list of labs is the engine's (`shared/src/lab.rs`); the file is
// included alone so that building xtask compiles none of the engine. Only
// the slugs and page names are read here.
#[path = "../../shared/src/lab.rs"]
#[allow(dead_code)]
mod lab;
mod site;
mod steps;
mod test;
mod tools;

use std::{env, path::PathBuf, process::ExitCode};

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run [-- ARGS]   set up, build in release mode and start `fanout serve`
                  (ARGS are passed to `fanout serve`, e.g. -- --http 0.0.0.0:8080)
  build           release build: UI into dist/, binary at target/release/fanout,
                  and a static site (no server needed) in target/site/
  test            everything CI checks: fmt, clippy, unit, integration, wasm
                  and browser tests
  setup           only install the tools the build needs
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let started = std::time::Instant::now();
    let result = dispatch(&args);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: {error:#}");
            eprintln!(
                "xtask: failed after {}",
                steps::format_duration(started.elapsed())
            );
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result<()> {
    let root = project_root();
    env::set_current_dir(&root)?;
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => {
            print!("{USAGE}");
            return Ok(());
        }
    };
    let rest: Vec<String> = rest
        .iter()
        .skip_while(|arg| arg.as_str() == "--")
        .cloned()
        .collect();
    match command {
        "run" => build::run(&root, &rest),
        "build" => build::release(&root).map(|_| ()),
        "test" => test::all(&root, &rest),
        "setup" => tools::ensure_build_tools(&root).map(|_| ()),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
