//! The warm-up experiment over a real WebSocket against a real node: the
//! per-run counts equal the shared stepper's for the same seed (so the hit
//! ratio rises and the misses fall exactly as the model says), every run
//! takes at least its pretend cost, a small memory limit makes the curve
//! level off with evictions, the experiment can be cancelled, and bad
//! requests are refused with the field named. Nothing here asserts on
//! wall-clock thresholds.

mod common;

use std::time::Duration;

use common::{Fanout, Ws, recv_json, send_json, ws_hello};
use fanout_shared::cache::{
    Cache,
    warmup::{CHAPTER, RunTally, Warmup, WarmupParams},
};
use serde_json::{Value, json};

/// Sends a frame and returns its answer (the next frame carrying its id),
/// skipping pushed frames.
async fn ask(ws: &mut Ws, mut frame: Value, id: u64) -> Value {
    frame["id"] = json!(id);
    send_json(ws, &frame).await;
    loop {
        let reply = recv_json(ws).await;
        if reply["id"] == id {
            return reply;
        }
    }
}

/// Collects `warmup_run` frames until `warmup_done`, within `limit`.
async fn runs_until_done(ws: &mut Ws, limit: Duration) -> (Vec<Value>, Value) {
    let deadline = tokio::time::Instant::now() + limit;
    let mut runs = Vec::new();
    loop {
        assert!(tokio::time::Instant::now() < deadline, "runs: {runs:#?}");
        let frame = recv_json(ws).await;
        match frame["type"].as_str() {
            Some("warmup_run") => runs.push(frame),
            Some("warmup_done") => return (runs, frame),
            _ => {}
        }
    }
}

/// What the shared stepper counts for these parameters on a fresh cache.
fn model_tallies(params: WarmupParams, seed: u64, limit_bytes: u64) -> Vec<RunTally> {
    let mut cache = Cache::new(limit_bytes);
    let mut warmup = Warmup::new(params, seed);
    let mut tallies = Vec::new();
    while !warmup.is_finished() {
        tallies.push(warmup.run_on(&mut cache, 1_700_000_000, 1));
    }
    tallies
}

fn number(frame: &Value, field: &str) -> u64 {
    frame[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} in {frame}"))
}

#[tokio::test]
async fn the_chapter_experiment_warms_a_real_node_up() {
    let fanout = Fanout::start(&["--cache-nodes", "2"]);
    let mut ws = ws_hello(&fanout).await;
    let started = ask(
        &mut ws,
        json!({"type": "warmup_start", "node": 1, "seed": 42}),
        1,
    )
    .await;
    assert_eq!(started["type"], "warmup_started", "{started}");
    assert_eq!(
        (
            &started["runs"],
            &started["requests"],
            &started["max_n"],
            &started["cost_ms"],
            &started["seed"],
        ),
        (
            &json!(10),
            &json!(2000),
            &json!(5000),
            &json!(1),
            &json!(42)
        ),
        "the chapter's parameters by default: {started}"
    );
    assert!(number(&started, "conn") > 0);

    let (runs, done) = runs_until_done(&mut ws, Duration::from_secs(120)).await;
    assert_eq!(
        done,
        json!({"type": "warmup_done", "node": 1, "runs_done": 10, "cancelled": false})
    );
    let expected = model_tallies(CHAPTER, 42, 64 << 20);
    assert_eq!(runs.len(), 10);
    for (frame, want) in runs.iter().zip(&expected) {
        assert_eq!(frame["node"], 1);
        assert_eq!(number(frame, "run"), u64::from(want.run));
        assert_eq!(number(frame, "hits"), u64::from(want.hits), "{frame}");
        assert_eq!(number(frame, "misses"), u64::from(want.misses), "{frame}");
        // The cost model: misses × 1 ms of pretend computing, and a run
        // never takes less than that.
        assert_eq!(number(frame, "compute_ms"), u64::from(want.misses));
        assert!(number(frame, "elapsed_us") >= number(frame, "compute_ms") * 1_000);
        assert_eq!(number(frame, "evictions"), 0);
    }
    let misses: Vec<_> = runs.iter().map(|f| number(f, "misses")).collect();
    assert!(misses.windows(2).all(|w| w[1] < w[0]), "{misses:?}");
    assert!(misses[0] > 1_000 && misses[9] < 100, "{misses:?}");
    let total: u64 = misses.iter().sum();
    assert_eq!(
        number(&runs[9], "items"),
        total,
        "every miss stored a square"
    );
}

#[tokio::test]
async fn a_small_memory_limit_levels_the_curve_off_with_evictions() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let mut ws = ws_hello(&fanout).await;
    let limited = ask(
        &mut ws,
        json!({"type": "cache_limit", "node": 0, "bytes": 16384}),
        1,
    )
    .await;
    assert_eq!(limited["outcome"], "ok");
    let params = WarmupParams {
        runs: 6,
        requests: 2_000,
        max_n: 5_000,
        cost_ms: 0,
    };
    let started = ask(
        &mut ws,
        json!({"type": "warmup_start", "node": 0, "runs": 6, "cost_ms": 0, "seed": 7}),
        2,
    )
    .await;
    assert_eq!(started["type"], "warmup_started", "{started}");
    let (runs, _) = runs_until_done(&mut ws, Duration::from_secs(60)).await;
    let expected = model_tallies(params, 7, 16384);
    let hits: Vec<_> = runs.iter().map(|f| number(f, "hits")).collect();
    let want: Vec<_> = expected.iter().map(|t| u64::from(t.hits)).collect();
    assert_eq!(hits, want);
    for frame in &runs[1..] {
        // At most ~220 of 5,001 squares fit: hits stay under 10 %.
        assert!(number(frame, "hits") < 200, "{frame}");
        assert!(number(frame, "evictions") > 1_000, "{frame}");
        assert!(number(frame, "bytes") <= 16384);
        assert_eq!(number(frame, "compute_ms"), 0);
    }
}

#[tokio::test]
async fn a_warm_up_can_be_cancelled_and_frees_its_node() {
    let fanout = Fanout::start(&["--cache-nodes", "2"]);
    let mut first = ws_hello(&fanout).await;
    let mut second = ws_hello(&fanout).await;
    let long =
        json!({"type": "warmup_start", "node": 0, "runs": 20, "requests": 500, "cost_ms": 10});
    let started = ask(&mut first, long.clone(), 1).await;
    assert_eq!(started["type"], "warmup_started", "{started}");

    // One per session, and one per node.
    let again = ask(&mut first, json!({"type": "warmup_start", "node": 1}), 2).await;
    assert_eq!(
        (&again["type"], &again["field"]),
        (&json!("error"), &json!("type"))
    );
    let busy = ask(&mut second, long.clone(), 3).await;
    assert_eq!(
        (&busy["type"], &busy["field"]),
        (&json!("error"), &json!("node"))
    );
    assert!(
        busy["message"]
            .as_str()
            .unwrap()
            .contains("another session")
    );

    let cancelled = ask(&mut first, json!({"type": "warmup_cancel"}), 4).await;
    assert_eq!(cancelled["type"], "warmup_done");
    assert_eq!(cancelled["cancelled"], true);
    assert_eq!(cancelled["node"], 0);
    let nothing = ask(&mut first, json!({"type": "warmup_cancel"}), 5).await;
    assert_eq!(
        (&nothing["type"], &nothing["field"]),
        (&json!("error"), &json!("type"))
    );

    // The node is free again at once, for the other session.
    let short = json!({"type": "warmup_start", "node": 0, "runs": 1, "requests": 10, "cost_ms": 0});
    let started = ask(&mut second, short, 6).await;
    assert_eq!(started["type"], "warmup_started", "{started}");
    let (runs, done) = runs_until_done(&mut second, Duration::from_secs(10)).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(done["cancelled"], false);

    // Closing a session stops its experiment and frees the node too.
    let started = ask(&mut first, long.clone(), 7).await;
    assert_eq!(started["type"], "warmup_started", "{started}");
    drop(first);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let reply = ask(&mut second, long.clone(), 8).await;
        if reply["type"] == "warmup_started" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{reply}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn bad_warm_up_requests_name_the_field() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let mut ws = ws_hello(&fanout).await;
    for (frame, field) in [
        (json!({"type": "warmup_start", "node": 3}), "node"),
        (
            json!({"type": "warmup_start", "node": 0, "runs": 0}),
            "runs",
        ),
        (
            json!({"type": "warmup_start", "node": 0, "requests": 10001}),
            "requests",
        ),
        (
            json!({"type": "warmup_start", "node": 0, "max_n": 0}),
            "max_n",
        ),
        (
            json!({"type": "warmup_start", "node": 0, "cost_ms": 11}),
            "cost_ms",
        ),
        (
            json!({"type": "warmup_start", "node": 0, "runs": 20, "requests": 10000}),
            "requests",
        ),
        (
            json!({"type": "warmup_start", "node": 0, "runs": "ten"}),
            "runs",
        ),
        (
            json!({"type": "warmup_start", "node": 0, "speed": 2}),
            "speed",
        ),
    ] {
        let reply = ask(&mut ws, frame.clone(), 9).await;
        assert_eq!(reply["type"], "error", "{frame} → {reply}");
        assert_eq!(reply["field"], field, "{frame} → {reply}");
        assert_eq!(reply["id"], 9);
    }
}

#[tokio::test]
async fn the_lab_sees_the_warm_ups_requests_under_its_connection_number() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let mut ws = ws_hello(&fanout).await;
    let me = ask(&mut ws, json!({"type": "cache_nodes"}), 1).await["conn"].clone();
    ask(&mut ws, json!({"type": "cache_watch", "node": 0}), 2).await;
    let started = ask(
        &mut ws,
        json!({"type": "warmup_start", "node": 0, "runs": 1, "requests": 20, "cost_ms": 0}),
        3,
    )
    .await;
    let conn = started["conn"].clone();
    assert_ne!(conn, me);
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while events.len() < 20 {
        assert!(tokio::time::Instant::now() < deadline, "{events:#?}");
        let frame = recv_json(&mut ws).await;
        if frame["type"] == "cache_events" {
            events.extend(frame["events"].as_array().unwrap().iter().cloned());
        }
    }
    assert!(events.iter().all(|e| e["conn"] == conn), "{events:#?}");
    assert!(
        events
            .iter()
            .all(|e| e["key"].as_str().unwrap().starts_with("sq:"))
    );
}
