//! `static/clients/worker.py`, the example client a student runs, against
//! the real binary: it creates a room from a preset (or joins one by code),
//! works as a PULL worker for `--count` messages, prints one summary line
//! and exits 0. Needs Python with `websockets` (`FANOUT_PYTHON`; skipped
//! with a note when unset).

mod common;
mod rooms_support;

use common::{Fanout, http_get};
use rooms_support::{Client, client_script, python, run_python_file, text};
use serde_json::json;

#[tokio::test]
async fn worker_py_creates_a_pipeline_room_and_handles_100_messages() {
    let Some(python) = python() else { return };
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let script = client_script("worker.py");
    let out = run_python_file(
        &python,
        &script,
        vec![
            "--url".into(),
            fanout.ws_url(),
            "--scenario".into(),
            "pipeline".into(),
            "--count".into(),
            "100".into(),
        ],
    )
    .await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one summary line: {stdout}");
    assert!(lines[0].contains("handled 100 messages"), "{stdout}");
    assert!(lines[0].contains("first 'task "), "{stdout}");
    assert!(
        lines[0].contains("results pushed to tcp://sink"),
        "{stdout}"
    );
}

#[tokio::test]
async fn worker_py_fetched_from_the_server_joins_a_room_by_code() {
    let Some(python) = python() else { return };
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    // The student's way: download it from the teacher's server.
    let (status, _, body) = http_get(fanout.http, "/clients/worker.py").await;
    assert_eq!(status, 200);
    let dir = std::env::temp_dir().join(format!("fanout-worker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("worker.py");
    std::fs::write(&script, body).unwrap();

    let mut teacher = Client::connect(&fanout).await;
    let (code, _) = teacher.create(json!("pipeline")).await;
    let out = run_python_file(
        &python,
        &script,
        vec![
            "--url".into(),
            fanout.ws_url(),
            "--room".into(),
            code.to_lowercase(),
            "--count".into(),
            "50".into(),
            "--name".into(),
            "py".into(),
            "--quiet".into(),
        ],
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("room {code}, node py: handled 50 messages")),
        "{stdout}"
    );
    // The room saw the worker come, work and go.
    let topo = teacher
        .ok(json!({"type": "room_topology"}), "room_topology")
        .await;
    let py = topo["topology"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "py")
        .cloned()
        .expect("the worker's node is in the topology");
    assert_eq!(py["state"], "removed", "{py}");
    assert_eq!(py["counters"]["received"], 50, "{py}");
    assert_eq!(py["counters"]["sent"], 50, "{py}");
    assert_eq!(
        topo["members"].as_array().unwrap().len(),
        1,
        "only the teacher is left"
    );
}

#[tokio::test]
async fn worker_py_says_why_it_cannot_join() {
    let Some(python) = python() else { return };
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let script = client_script("worker.py");
    let out = run_python_file(
        &python,
        &script,
        vec![
            "--url".into(),
            fanout.ws_url(),
            "--room".into(),
            "AAA-AAA".into(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no room"), "{stderr}");
}
