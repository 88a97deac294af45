//! Running and timing the steps of a task, and running child processes with
//! a clear error when they fail.

use std::{
    ffi::OsStr,
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

/// Runs `body` as a named step: prints `▶ name` before and `✓ name (time)`
/// after, so long first-time installs show progress.
pub fn step<T>(name: &str, body: impl FnOnce() -> Result<T>) -> Result<T> {
    println!("▶ {name}");
    let started = Instant::now();
    let result = body();
    let took = format_duration(started.elapsed());
    match &result {
        Ok(_) => println!("✓ {name} ({took})"),
        Err(_) => println!("✗ {name} ({took})"),
    }
    result.with_context(|| format!("step failed: {name}"))
}

/// Runs a command to completion, inheriting stdout/stderr, failing with the
/// command line when it exits unsuccessfully.
pub fn run(command: &mut Command) -> Result<()> {
    let shown = describe(command);
    let status = command
        .status()
        .with_context(|| format!("cannot start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Runs a command and returns its trimmed stdout, or `None` when it cannot
/// be started or fails (used to probe installed tool versions).
pub fn output_of(program: impl AsRef<OsStr>, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn describe(command: &Command) -> String {
    let mut shown = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    shown
}

pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds < 60.0 {
        format!("{seconds:.1}s")
    } else {
        let whole = duration.as_secs();
        format!("{}m {:02}s", whole / 60, whole % 60)
    }
}
