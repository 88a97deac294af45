//! The π scenario computes what the chapter's Python computes: the
//! engine's tally prints, line for line, what `tests/zmq/pi_logic.py` (the
//! listing's own functions) prints for the same points, and the judge's
//! requests are byte-identical to `json.dumps((n, m))`. Needs
//! `FANOUT_PYTHON`; skipped with a reason otherwise.

use std::{io::Write, path::Path, process::Command};

use fanout_shared::{
    sim::{EventKind, HopFate, Route, Scenario, Simulator},
    time::Tick,
};

#[test]
fn tally_lines_match_the_chapters_python() {
    let Some(python) = std::env::var_os("FANOUT_PYTHON") else {
        println!("skipping: FANOUT_PYTHON is not set (cargo xtask test sets it)");
        return;
    };
    let mut sim = Simulator::new(&Scenario::preset("pi").unwrap(), 11).unwrap();
    let bitsource = sim.node_id("bitsource").unwrap();
    let judge = sim.node_id("judge").unwrap();
    let tally = sim.node_id("tally").unwrap();
    let mut points = Vec::new();
    let mut requests = Vec::new();
    let mut lines = Vec::new();
    sim.run_until_with(Tick::from_secs(20), |e| match &e.kind {
        // Points that reached a subscriber (the first, published before
        // anyone joined, did not).
        EventKind::Send {
            node,
            payload,
            route: Route::Fanout { hops },
            ..
        } if *node == bitsource && hops.iter().any(|h| h.fate == HopFate::Queued) => {
            points.push(payload.to_string());
        }
        EventKind::Send { node, payload, .. } if *node == judge && payload.starts_with('[') => {
            requests.push(payload.to_string());
        }
        EventKind::Log { node, entry } if *node == tally => lines.push(entry.to_string()),
        _ => {}
    });
    assert!(lines.len() > 1500, "{} decisions", lines.len());
    // Points still in flight at the end have no decision yet.
    points.truncate(lines.len());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/zmq/pi_logic.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run pi_logic.py");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&points).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let python: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let py_lines: Vec<String> = serde_json::from_value(python["lines"].clone()).unwrap();
    let py_requests: Vec<String> = serde_json::from_value(python["requests"].clone()).unwrap();
    assert_eq!(lines, py_lines);
    requests.truncate(py_requests.len());
    assert_eq!(requests, py_requests);
}
