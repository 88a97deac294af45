//! `fanout sim`: runs a message-pattern scenario on virtual time, in the
//! terminal, with the same engine the browser steps through.
//!
//! ```text
//! fanout sim --scenario pi --seed 1 --until 10s
//! fanout sim --scenario my.json --steps 5000 --json
//! fanout sim --scenario pipeline --until 2s --trace run.jsonl
//! fanout sim --scenario pi --steps 200 --trace run.jsonl --lang zh
//! ```
//!
//! By default it prints a readable summary; `--json` prints one JSON
//! object (`events`, `trace_digest`, `nodes`, `drops`, for π
//! `pi_estimate` and `tally`, and with a broker `ledger` and `brokers`)
//! that the browser tests compare with the page after the same number of
//! steps. `--trace` writes every event as a JSON line with its caption, in
//! English or (`--lang zh`) Chinese.
//!
//! ```text
//! fanout sim --scenario at-least-once --json      # the ledger: lost, duplicated, …
//! ```

use std::{
    fs::File,
    io::{self, BufWriter, Write},
    path::PathBuf,
    process::ExitCode,
    time::Instant,
};

use fanout_shared::{
    lang::Lang,
    sim::{Event, Scenario, ScenarioError, Simulator, presets},
    time::Tick,
};

/// Flags of `fanout sim`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// A preset (pi, pipeline, pubsub, rpc, signup, logs, slow-subscriber,
    /// slow-joiner, at-most-once, at-least-once, effectively-once,
    /// visibility-timeout, poison, prefetch-starvation, broker-restart,
    /// flow-control, lazy-pirate), a benchmark workload (fanout100,
    /// reliability), or a scenario JSON file (see docs/scenarios.md).
    #[arg(long, value_name = "NAME|FILE.json", default_value = "pi")]
    pub scenario: String,
    /// Seed of the run: same scenario and seed, same trace.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Simulated time to run, e.g. 10s, 250ms, 1.5s.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_tick)]
    pub until: Tick,
    /// Stop after exactly this many events instead (ignores --until).
    #[arg(long, value_name = "N")]
    pub steps: Option<u64>,
    /// Write every event, with its caption, as JSON lines to FILE.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// The language of the trace's captions: en or zh.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_lang)]
    pub lang: Lang,
    /// Print one JSON object instead of the readable summary.
    #[arg(long)]
    pub json: bool,
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::from_tag(text).ok_or_else(|| format!("unknown language `{text}`; use en or zh"))
}

fn parse_tick(text: &str) -> Result<Tick, String> {
    Tick::parse(text).map_err(|e| e.to_string())
}

/// Why `fanout sim` failed; each names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot read scenario file {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    #[error("cannot write trace file {path}: {source}")]
    Trace { path: String, source: io::Error },
    #[error("cannot write the summary: {0}")]
    Output(io::Error),
}

/// Loads a preset by name, or a scenario file if the argument names one.
pub fn load_scenario(arg: &str) -> Result<Scenario, SimError> {
    let path = std::path::Path::new(arg);
    if presets::text(arg).is_none() && (arg.ends_with(".json") || path.exists()) {
        let text = std::fs::read_to_string(path).map_err(|source| SimError::Read {
            path: arg.to_string(),
            source,
        })?;
        return Ok(Scenario::from_json(&text)?);
    }
    // The benchmark workloads (`fanout100`, …) too, so their digests can be
    // compared with the browser's.
    Ok(fanout_shared::sim::bench::workload(arg)?)
}

/// The entry point used by `main`.
pub fn main(args: SimArgs) -> ExitCode {
    let stdout = io::stdout();
    match run(&args, &mut stdout.lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fanout sim: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the simulation and writes the summary to `out`.
pub fn run(args: &SimArgs, out: &mut impl Write) -> Result<(), SimError> {
    let scenario = load_scenario(&args.scenario)?;
    let mut sim = Simulator::new(&scenario, args.seed)?;
    let started = Instant::now();
    match &args.trace {
        Some(path) => {
            let trace_err = |source| SimError::Trace {
                path: path.display().to_string(),
                source,
            };
            let mut w = BufWriter::new(File::create(path).map_err(trace_err)?);
            let mut failure = None;
            let mut write = |sim: &Simulator, e: &Event| {
                if failure.is_none()
                    && let Err(err) = write_trace_line(&mut w, sim, e, args.lang)
                {
                    failure = Some(err);
                }
            };
            match args.steps {
                Some(n) => {
                    for _ in 0..n {
                        let Some(e) = sim.step() else { break };
                        write(&sim, &e);
                    }
                }
                None => {
                    while let Some(e) = sim.step_until(args.until) {
                        write(&sim, &e);
                    }
                    sim.run_until(args.until);
                }
            }
            if let Some(err) = failure {
                return Err(trace_err(err));
            }
            w.flush().map_err(trace_err)?;
        }
        None => match args.steps {
            Some(n) => {
                sim.run_steps(n);
            }
            None => {
                sim.run_until(args.until);
            }
        },
    }
    let elapsed = started.elapsed();
    let summary = sim.summary();
    if args.json {
        let text = serde_json::to_string(&summary).unwrap_or_else(|_| "{}".into());
        writeln!(out, "{text}").map_err(SimError::Output)?;
        return Ok(());
    }
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        summary.events as f64 / secs
    } else {
        0.0
    };
    let mut text = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(
        text,
        "scenario {} (seed {}): {} events, {} of simulated time",
        summary.scenario, summary.seed, summary.events, summary.now
    );
    let _ = writeln!(text, "trace digest {}", summary.trace_digest);
    let _ = writeln!(
        text,
        "ran in {:.3} s of wall time ({:.2} million events/s)",
        secs,
        rate / 1e6
    );
    let width = summary
        .nodes
        .keys()
        .map(|k| k.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        text,
        "\n{:width$}  {:>9} {:>9} {:>8} {:>8} {:>7}",
        "node", "sent", "received", "dropped", "blocked", "errors"
    );
    for (name, c) in &summary.nodes {
        let _ = writeln!(
            text,
            "{name:width$}  {:>9} {:>9} {:>8} {:>8} {:>7}",
            c.sent, c.received, c.dropped, c.blocked, c.errors
        );
    }
    let d = &summary.drops;
    let _ = writeln!(
        text,
        "\ndrops: hwm {}, no_peer {}, filtered {}, disconnected {}",
        d.hwm, d.no_peer, d.filtered, d.disconnected
    );
    if let Some(ledger) = &summary.ledger {
        let _ = writeln!(
            text,
            "\n{:16} {:>17} {:>8} {:>9} {:>6} {:>10} {:>5} {:>6} {:>7} {:>7}",
            "queue",
            "promise",
            "produced",
            "confirmed",
            "lost",
            "duplicated",
            "once",
            "dead",
            "failed",
            "pending"
        );
        for q in &ledger.queues {
            let promise = q.guarantee.map_or("-".to_string(), |g| {
                fanout_shared::lang::Say::say(&g, args.lang)
            });
            let _ = writeln!(
                text,
                "{:16} {:>17} {:>8} {:>9} {:>6} {:>10} {:>5} {:>6} {:>7} {:>7}",
                q.queue,
                promise,
                q.produced,
                q.confirmed,
                q.lost,
                q.duplicated,
                q.exactly_once,
                q.dead_lettered,
                q.failed,
                q.pending
            );
        }
    }
    if let Some(t) = &summary.tally {
        let _ = writeln!(
            text,
            "pi ≈ {} ({}: {} Y, {} N; p = {}, q = {})",
            t.estimate.map_or("-".into(), |e| format!("{e:.6}")),
            t.node,
            t.yes,
            t.no,
            t.p,
            t.q
        );
    }
    out.write_all(text.as_bytes()).map_err(SimError::Output)
}

fn write_trace_line(w: &mut impl Write, sim: &Simulator, e: &Event, lang: Lang) -> io::Result<()> {
    let mut value = serde_json::to_value(e).map_err(io::Error::other)?;
    if let Some(map) = value.as_object_mut() {
        let caption = sim.caption_in(e, lang);
        map.insert("caption".into(), serde_json::Value::String(caption));
    }
    serde_json::to_writer(&mut *w, &value).map_err(io::Error::other)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(scenario: &str) -> SimArgs {
        SimArgs {
            scenario: scenario.into(),
            seed: 1,
            until: Tick::from_secs(1),
            steps: None,
            trace: None,
            lang: Lang::En,
            json: true,
        }
    }

    fn json(a: &SimArgs) -> serde_json::Value {
        let mut out = Vec::new();
        run(a, &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn json_summary_has_the_promised_fields() {
        let v = json(&args("pi"));
        for key in [
            "events",
            "trace_digest",
            "nodes",
            "drops",
            "pi_estimate",
            "tally",
        ] {
            assert!(v.get(key).is_some(), "{key} in {v}");
        }
        for reason in ["hwm", "no_peer", "filtered", "disconnected"] {
            assert!(v["drops"][reason].is_u64(), "{reason}");
        }
        assert!(v["nodes"]["judge"]["sent"].as_u64().unwrap() > 0);
        let tally = &v["tally"];
        let q = tally["q"].as_f64().unwrap();
        let p = tally["p"].as_f64().unwrap();
        assert_eq!(v["pi_estimate"].as_f64().unwrap(), p / q);
    }

    #[test]
    fn steps_stop_after_exactly_n_events_like_the_library() {
        let mut a = args("pipeline");
        a.steps = Some(1234);
        let v = json(&a);
        assert_eq!(v["events"], 1234);
        let mut sim = Simulator::new(&Scenario::preset("pipeline").unwrap(), 1).unwrap();
        sim.run_steps(1234);
        assert_eq!(v["trace_digest"], sim.trace_digest());
        assert!(v.get("pi_estimate").is_none(), "only for π");
    }

    #[test]
    fn trace_lines_are_events_with_captions() {
        let dir = std::env::temp_dir().join(format!("fanout-sim-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("trace.jsonl");
        let mut a = args("pi");
        a.steps = Some(40);
        a.trace = Some(path.clone());
        let v = json(&a);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len() as u64, v["events"].as_u64().unwrap());
        assert_eq!(lines[0]["step"], 0);
        assert!(lines[0]["caption"].as_str().unwrap().contains("bitsource"));

        a.lang = Lang::Zh;
        json(&a);
        let text = std::fs::read_to_string(&path).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(
            first["caption"],
            "bitsource 启动：bitsource.out 绑定 tcp://127.0.0.1:6700"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bad_scenarios_are_reported_not_panicked() {
        let mut out = Vec::new();
        let e = run(&args("no-such-preset"), &mut out).unwrap_err();
        assert!(e.to_string().contains("presets are: pi"), "{e}");
        let e = run(&args("/nonexistent/x.json"), &mut out).unwrap_err();
        assert!(
            e.to_string().starts_with("cannot read scenario file"),
            "{e}"
        );
    }

    #[test]
    fn the_json_summary_of_a_broker_preset_has_its_ledger() {
        let mut a = args("at-least-once");
        a.until = Tick::from_secs(6);
        let v = json(&a);
        let q = &v["ledger"]["queues"][0];
        assert_eq!(q["queue"], "tasks");
        assert_eq!(q["guarantee"], "at_least_once");
        assert_eq!(q["lost"], 0);
        assert!(q["duplicated"].as_u64().unwrap() >= 1, "{q}");
        let tasks = v["ledger"]["tasks"].as_array().unwrap();
        assert_eq!(tasks.len(), 20);
        assert!(tasks.iter().any(|t| t["outcome"] == "duplicated"));
        assert!(v["brokers"][0]["queues"][0]["max_depth"].is_u64());
        assert!(
            json(&args("pi")).get("ledger").is_none(),
            "no broker, no ledger"
        );
    }

    #[test]
    fn the_readable_summary_shows_the_ledger() {
        let mut a = args("at-most-once");
        a.until = Tick::from_secs(6);
        a.json = false;
        let mut out = Vec::new();
        run(&a, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("at most once"), "{text}");
        assert!(text.contains("duplicated"), "{text}");
    }

    #[test]
    fn readable_summary_mentions_pi() {
        let mut a = args("pi");
        a.json = false;
        let mut out = Vec::new();
        run(&a, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("trace digest"));
        assert!(text.contains("pi ≈ 3."), "{text}");
    }
}
