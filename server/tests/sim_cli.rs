//! `fanout sim` with faults, as a user runs it: the real binary prints each
//! reliability preset's ledger (`docs/scenarios.md`, "The ledger") and its
//! headline holds there, a scenario file's fault is what makes the loss,
//! the same seed gives the same trace, and the trace captions the faults
//! in Chinese.

use std::{path::PathBuf, process::Command};

use serde_json::Value;

/// Runs `fanout sim ARGS` and returns its stdout; a failure shows stderr.
fn fanout_sim(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_fanout"))
        .arg("sim")
        .args(args)
        .output()
        .expect("run fanout sim");
    assert!(
        out.status.success(),
        "fanout sim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let text = fanout_sim(&all);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The ledger line of the queue named `name`.
fn queue<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["ledger"]["queues"]
        .as_array()
        .expect("a ledger")
        .iter()
        .find(|q| q["queue"] == name)
        .unwrap_or_else(|| panic!("no ledger line for {name}: {summary}"))
}

fn count(q: &Value, field: &str) -> u64 {
    q[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} is not a count: {q}"))
}

/// How many of the per-task records end in `outcome`.
fn outcomes(summary: &Value, outcome: &str) -> u64 {
    summary["ledger"]["tasks"]
        .as_array()
        .expect("task records")
        .iter()
        .filter(|t| t["outcome"] == outcome)
        .count() as u64
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("fanout-sim-cli-{}-{name}", std::process::id()))
}

#[test]
fn at_least_once_prints_a_ledger_that_loses_nothing_and_repeats_a_task() {
    // Exactly the command docs/scenarios.md shows.
    let v = json(&["--scenario", "at-least-once"]);
    let q = queue(&v, "tasks");
    assert_eq!(q["guarantee"], "at_least_once");
    assert_eq!(count(q, "produced"), 20);
    assert_eq!(count(q, "lost"), 0, "{q}");
    assert!(count(q, "duplicated") > 0, "{q}");
    assert_eq!(count(q, "exactly_once") + count(q, "duplicated"), 20, "{q}");
    // The queue's counts are the per-task records' outcomes.
    assert_eq!(outcomes(&v, "duplicated"), count(q, "duplicated"));
    assert_eq!(outcomes(&v, "exactly_once"), count(q, "exactly_once"));
    assert_eq!(outcomes(&v, "lost"), 0);
    let broker = &v["brokers"][0];
    assert_eq!(broker["node"], "broker");
    assert_eq!(broker["up"], true);
}

#[test]
fn each_guarantee_keeps_its_promise_through_the_binary() {
    for seed in ["1", "7"] {
        let most = json(&[
            "--scenario",
            "at-most-once",
            "--seed",
            seed,
            "--until",
            "6s",
        ]);
        let q = queue(&most, "tasks");
        assert_eq!(q["guarantee"], "at_most_once");
        assert!(count(q, "lost") > 0, "seed {seed}: {q}");
        assert_eq!(count(q, "duplicated"), 0, "seed {seed}: {q}");
        assert_eq!(outcomes(&most, "lost"), count(q, "lost"));

        let once = json(&[
            "--scenario",
            "effectively-once",
            "--seed",
            seed,
            "--until",
            "6s",
        ]);
        let q = queue(&once, "tasks");
        assert_eq!(q["guarantee"], "effectively_once");
        assert_eq!(
            (count(q, "lost"), count(q, "duplicated")),
            (0, 0),
            "seed {seed}: {q}"
        );
        assert_eq!(count(q, "exactly_once"), 20, "seed {seed}: {q}");
        assert!(
            count(q, "redelivered") > 0,
            "the crash made a redelivery: {q}"
        );
    }
}

#[test]
fn poison_is_dead_lettered_and_a_broker_restart_loses_the_transient_half() {
    let poison = json(&["--scenario", "poison", "--until", "5s"]);
    let q = queue(&poison, "tasks");
    assert_eq!(count(q, "dead_lettered"), 1, "{q}");
    assert_eq!(count(q, "exactly_once"), 9, "{q}");

    let restart = json(&["--scenario", "broker-restart", "--until", "5s"]);
    let q = queue(&restart, "jobs");
    assert_eq!(count(q, "confirmed"), 10, "{q}");
    assert_eq!(
        (count(q, "lost"), count(q, "lost_confirmed")),
        (5, 5),
        "{q}"
    );
    assert_eq!(count(q, "exactly_once"), 5, "{q}");
}

/// A scenario file with the at-most-once preset's nodes: with its crash it
/// loses tasks, without the crash it loses none. The fault, not the
/// configuration alone, makes the loss.
#[test]
fn a_scenario_files_crash_is_what_loses_tasks() {
    let preset: Value = serde_json::from_str(include_str!(
        "../../shared/src/sim/presets/at-most-once.json"
    ))
    .unwrap();
    assert!(
        !preset["faults"].as_array().unwrap().is_empty(),
        "the preset has its crash"
    );
    let mut calm = preset.clone();
    calm["faults"] = Value::Array(vec![]);

    let mut lost = Vec::new();
    for (name, scenario) in [("crash", &preset), ("calm", &calm)] {
        let path = temp_path(&format!("{name}.json"));
        std::fs::write(&path, scenario.to_string()).unwrap();
        let v = json(&["--scenario", path.to_str().unwrap(), "--until", "6s"]);
        std::fs::remove_file(&path).ok();
        let q = queue(&v, "tasks");
        assert_eq!(count(q, "duplicated"), 0, "{name}: {q}");
        assert_eq!(count(q, "pending"), 0, "{name}: everything finished: {q}");
        lost.push(count(q, "lost"));
    }
    assert!(lost[0] > 0, "with the crash: {lost:?}");
    assert_eq!(lost[1], 0, "without it: {lost:?}");
}

/// The `reliability` benchmark workload draws from the seed (link jitter,
/// drop and duplicate rates), so another seed gives another trace; the
/// presets are scripted, so for them the seed changes nothing.
#[test]
fn same_seed_same_faults_same_digest_and_another_seed_differs() {
    let digest = |scenario: &str, seed: &str| {
        json(&["--scenario", scenario, "--seed", seed, "--steps", "30000"])["trace_digest"]
            .as_str()
            .expect("a digest")
            .to_string()
    };
    for scenario in ["at-least-once", "reliability"] {
        assert_eq!(digest(scenario, "3"), digest(scenario, "3"), "{scenario}");
    }
    assert_ne!(digest("reliability", "3"), digest("reliability", "4"));
}

#[test]
fn the_trace_captions_a_crash_in_chinese_and_the_readable_summary_has_the_ledger() {
    let path = temp_path("trace.jsonl");
    let text = fanout_sim(&[
        "--scenario",
        "at-most-once",
        "--until",
        "6s",
        "--lang",
        "zh",
        "--trace",
        path.to_str().unwrap(),
    ]);
    let trace = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let crashed: Vec<Value> = trace
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["type"] == "fault" && e["what"] == "crashed")
        .collect();
    assert_eq!(crashed.len(), 1, "one crash in the preset");
    let caption = crashed[0]["caption"].as_str().unwrap();
    assert!(
        caption.contains("worker-1") && caption.contains("崩溃"),
        "{caption}"
    );
    // The readable summary's ledger table, with the queue's promise.
    assert!(
        text.contains("duplicated") && text.contains("tasks"),
        "{text}"
    );
}
