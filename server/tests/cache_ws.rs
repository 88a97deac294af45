//! The cache lab's frames over a real WebSocket: listing nodes, watching
//! what outside TCP clients do, snapshots, the lab's own operations,
//! memory limits, restarts, precise errors, and a stream that cannot keep
//! up (events sampled and counted, counters exact).

mod cache_support;
mod common;

use std::time::Duration;

use cache_support::Client;
use common::{Fanout, Ws, recv_json, send_json, ws_connect};
use serde_json::{Value, json};

async fn hello(fanout: &Fanout) -> (Ws, Value) {
    let mut ws = ws_connect(fanout).await;
    send_json(&mut ws, &json!({"type": "hello", "protocol": 1})).await;
    let welcome = recv_json(&mut ws).await;
    (ws, welcome)
}

/// Sends a frame and returns the next frame that is not a pushed
/// `cache_events` frame.
async fn ask(ws: &mut Ws, frame: Value) -> Value {
    send_json(ws, &frame).await;
    loop {
        let reply = recv_json(ws).await;
        if reply["type"] != "cache_events" {
            return reply;
        }
    }
}

/// Collects `cache_events` frames until `done` says enough.
async fn events_until(ws: &mut Ws, mut done: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
    let mut frames = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done(&frames) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "events: {frames:#?}"
        );
        let frame = recv_json(ws).await;
        if frame["type"] == "cache_events" {
            frames.push(frame);
        }
    }
    frames
}

/// A `cache_snapshot`'s keys, most recently used first.
fn snapshot_keys(snapshot: &Value) -> Vec<&str> {
    snapshot["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect()
}

fn all_events(frames: &[Value]) -> Vec<Value> {
    frames
        .iter()
        .flat_map(|f| f["events"].as_array().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn welcome_announces_the_cache_and_nodes_are_listed() {
    let fanout = Fanout::start(&["--cache-nodes", "3", "--cache-memory", "8"]);
    let (mut ws, welcome) = hello(&fanout).await;
    assert!(
        welcome["features"]
            .as_array()
            .unwrap()
            .contains(&json!("cache")),
        "{welcome}"
    );
    let nodes = ask(&mut ws, json!({"type": "cache_nodes", "id": 5})).await;
    assert_eq!(nodes["type"], "cache_nodes");
    assert_eq!(nodes["id"], 5);
    assert!(nodes["conn"].as_u64().unwrap() > 0);
    let list = nodes["nodes"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    for (i, node) in list.iter().enumerate() {
        assert_eq!(node["node"], i);
        assert_eq!(node["addr"], fanout.cache_nodes[i].to_string());
        assert_eq!(node["limit_bytes"], 8 << 20);
        assert_eq!(node["items"], 0);
        assert_eq!(node["bump_interval"], 60, "memcached's minute");
    }
}

#[tokio::test]
async fn outside_clients_are_seen_live_with_exact_counters() {
    let fanout = Fanout::start(&["--cache-nodes", "2"]);
    let (mut ws, _) = hello(&fanout).await;
    let watching = ask(&mut ws, json!({"type": "cache_watch", "node": 1})).await;
    assert_eq!(
        watching,
        json!({"type": "cache_watching", "node": 1, "watching": true})
    );

    let node = fanout.cache_nodes[1];
    let outside = tokio::task::spawn_blocking(move || {
        let mut client = Client::connect(node);
        assert_eq!(client.call("set sq:7 0 0 2\r\n49\r\n"), "STORED\r\n");
        client.call("get sq:7\r\n");
        client.call("get sq:8\r\n");
        client.call("delete sq:7\r\n");
    });
    outside.await.unwrap();
    let frames = events_until(&mut ws, |frames| all_events(frames).len() >= 4).await;
    let events = all_events(&frames);
    let kinds: Vec<_> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["set", "hit", "miss", "delete"], "{events:#?}");
    assert_eq!(events[0]["key"], "sq:7");
    assert_eq!(events[0]["size"], 2 + 4 + 59);
    assert_eq!(events[2]["size"], 0);
    let conn = events[0]["conn"].as_u64().unwrap();
    assert!(conn > 0);
    assert!(events.iter().all(|e| e["conn"] == conn), "one TCP client");
    let last = frames.last().unwrap();
    assert_eq!(last["node"], 1);
    assert_eq!(last["skipped"], 0);
    assert_eq!(last["stats"]["get_hits"], 1);
    assert_eq!(last["stats"]["get_misses"], 1);
    assert_eq!(last["stats"]["curr_items"], 0);

    let stopped = ask(&mut ws, json!({"type": "cache_unwatch", "node": 1})).await;
    assert_eq!(stopped["watching"], false);
}

#[tokio::test]
async fn the_lab_reads_and_writes_and_sees_lru_order() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let (mut ws, _) = hello(&fanout).await;
    let me = ask(&mut ws, json!({"type": "cache_nodes"})).await["conn"].clone();
    ask(&mut ws, json!({"type": "cache_watch", "node": 0})).await;
    for (key, ttl) in [("a", 0), ("b", 100), ("c", 0)] {
        let stored = ask(
            &mut ws,
            json!({"type": "cache_set", "node": 0, "key": key, "value": "v", "ttl": ttl, "id": 1}),
        )
        .await;
        assert_eq!(
            stored,
            json!({"type": "cache_result", "node": 0, "op": "set", "key": key, "outcome": "stored", "id": 1})
        );
    }
    let value = ask(&mut ws, json!({"type": "cache_get", "node": 0, "key": "a"})).await;
    assert_eq!(value["found"], true);
    assert_eq!(value["value"], "v");
    assert!(value.get("ttl").is_none(), "never expires: {value}");
    let snapshot = ask(&mut ws, json!({"type": "cache_snapshot", "node": 0})).await;
    let keys = snapshot_keys(&snapshot);
    // Most recently used first, by memcached's rule: a read moves a key
    // at most once a minute, so `a`, read in the minute it was stored,
    // stays last in line (`--cache-bump-interval 0` moves it: below).
    assert_eq!(keys, ["c", "b", "a"], "most recently used first");
    let b = &snapshot["items"][1];
    assert!(b["ttl"].as_u64().unwrap() <= 100 && b["ttl"].as_u64().unwrap() >= 98);
    assert_eq!(b["size"], 1 + 1 + 59);
    assert_eq!(snapshot["stats"]["curr_items"], 3);

    let touched = ask(
        &mut ws,
        json!({"type": "cache_touch", "node": 0, "key": "a", "ttl": 50}),
    )
    .await;
    assert_eq!(touched["outcome"], "touched");
    let deleted = ask(
        &mut ws,
        json!({"type": "cache_delete", "node": 0, "key": "c"}),
    )
    .await;
    assert_eq!(deleted["outcome"], "deleted");
    let missing = ask(
        &mut ws,
        json!({"type": "cache_delete", "node": 0, "key": "c"}),
    )
    .await;
    assert_eq!(missing["outcome"], "not_found");
    let flushed = ask(&mut ws, json!({"type": "cache_flush", "node": 0})).await;
    assert_eq!(flushed["outcome"], "ok");

    let frames = events_until(&mut ws, |frames| {
        all_events(frames).iter().any(|e| e["kind"] == "flush")
    })
    .await;
    let events = all_events(&frames);
    assert!(events.iter().all(|e| e["conn"] == me), "{events:#?}");
    let kinds: Vec<_> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["set", "set", "set", "hit", "touch", "delete", "flush"]
    );
    // The lab keeps the rows of the hit and the touch in place.
    assert_eq!(events[3]["stayed"], true, "{events:#?}");
    assert_eq!(events[4]["stayed"], true, "{events:#?}");
    assert!(events[0].get("stayed").is_none(), "sent only when true");
}

#[tokio::test]
async fn with_a_bump_interval_of_0_every_read_moves_the_key() {
    let fanout = Fanout::start(&["--cache-nodes", "1", "--cache-bump-interval", "0"]);
    let (mut ws, _) = hello(&fanout).await;
    let nodes = ask(&mut ws, json!({"type": "cache_nodes"})).await;
    assert_eq!(nodes["nodes"][0]["bump_interval"], 0, "{nodes}");
    ask(&mut ws, json!({"type": "cache_watch", "node": 0})).await;
    for key in ["a", "b", "c"] {
        ask(
            &mut ws,
            json!({"type": "cache_set", "node": 0, "key": key, "value": "v"}),
        )
        .await;
    }
    let value = ask(&mut ws, json!({"type": "cache_get", "node": 0, "key": "a"})).await;
    assert_eq!(value["found"], true);
    let snapshot = ask(&mut ws, json!({"type": "cache_snapshot", "node": 0})).await;
    let keys = snapshot_keys(&snapshot);
    assert_eq!(keys, ["a", "c", "b"], "the textbook LRU");
    let frames = events_until(&mut ws, |frames| {
        all_events(frames).iter().any(|e| e["kind"] == "hit")
    })
    .await;
    let events = all_events(&frames);
    let hit = events.iter().find(|e| e["kind"] == "hit").unwrap();
    assert!(hit.get("stayed").is_none(), "it moved: {hit}");
}

#[tokio::test]
async fn a_smaller_memory_limit_evicts_least_recently_used_first() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let (mut ws, _) = hello(&fanout).await;
    for i in 0..40 {
        let key = format!("k{i:02}");
        ask(
            &mut ws,
            json!({"type": "cache_set", "node": 0, "key": key, "value": "x".repeat(100)}),
        )
        .await;
    }
    ask(&mut ws, json!({"type": "cache_watch", "node": 0})).await;
    let limit = ask(
        &mut ws,
        json!({"type": "cache_limit", "node": 0, "bytes": 1700}),
    )
    .await;
    assert_eq!(limit["outcome"], "ok");
    let frames = events_until(&mut ws, |frames| all_events(frames).len() >= 30).await;
    let events = all_events(&frames);
    assert!(events.iter().all(|e| e["kind"] == "evict"));
    assert_eq!(events[0]["key"], "k00", "least recently used goes first");
    let snapshot = ask(&mut ws, json!({"type": "cache_snapshot", "node": 0})).await;
    let stats = &snapshot["stats"];
    assert!(stats["bytes"].as_u64().unwrap() <= 1700);
    assert_eq!(stats["limit_maxbytes"], 1700);
    assert_eq!(stats["evictions"], 30);
    assert_eq!(snapshot["items"][0]["key"], "k39");

    let too_small = ask(
        &mut ws,
        json!({"type": "cache_limit", "node": 0, "bytes": 10}),
    )
    .await;
    assert_eq!(too_small["type"], "error");
    assert_eq!(too_small["field"], "bytes");
}

#[tokio::test]
async fn restarting_a_node_empties_it_and_cuts_its_clients_on_the_same_port() {
    use std::io::{Read, Write};
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let (mut ws, _) = hello(&fanout).await;
    let mut old = std::net::TcpStream::connect(node).unwrap();
    old.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    old.write_all(b"set k 0 0 1\r\nx\r\nget k\r\n").unwrap();
    let mut reply = [0u8; 64];
    let mut got = 0;
    while !reply[..got].ends_with(b"END\r\n") {
        got += old.read(&mut reply[got..]).unwrap();
    }
    assert_eq!(&reply[..got], b"STORED\r\nVALUE k 0 1\r\nx\r\nEND\r\n");

    let restarted = ask(&mut ws, json!({"type": "cache_restart", "node": 0})).await;
    assert_eq!(restarted["outcome"], "ok");
    let (cut, fresh) = tokio::task::spawn_blocking(move || {
        // The old connection was closed by the restart.
        let mut rest = Vec::new();
        let cut = old
            .read_to_end(&mut rest)
            .map(|_| rest.is_empty())
            .unwrap_or(true);
        let mut stream = std::net::TcpStream::connect(node).unwrap();
        stream.write_all(b"get k\r\n").unwrap();
        let mut reply = [0u8; 16];
        let n = stream.read(&mut reply).unwrap();
        (cut, reply[..n].to_vec())
    })
    .await
    .unwrap();
    assert!(cut, "the old client connection is closed");
    assert_eq!(fresh, b"END\r\n", "back on the same port, empty");
    let snapshot = ask(&mut ws, json!({"type": "cache_snapshot", "node": 0})).await;
    assert_eq!(snapshot["stats"]["curr_items"], 0);
    assert_eq!(snapshot["stats"]["get_hits"], 0);
}

#[tokio::test]
async fn bad_cache_frames_name_the_field() {
    let fanout = Fanout::start(&["--cache-nodes", "2"]);
    let (mut ws, _) = hello(&fanout).await;
    let cases = [
        (json!({"type": "cache_watch", "node": 7}), "node", "0 to 1"),
        (
            json!({"type": "cache_get", "node": 0, "key": ""}),
            "key",
            "1 to 250",
        ),
        (
            json!({"type": "cache_get", "node": 0, "key": "a b"}),
            "key",
            "spaces",
        ),
        (
            json!({"type": "cache_set", "node": 0, "key": "x".repeat(251), "value": "v"}),
            "key",
            "251",
        ),
        (
            json!({"type": "cache_set", "node": 0, "key": "k"}),
            "value",
            "missing field",
        ),
        (
            json!({"type": "cache_touch", "node": "zero", "key": "k", "ttl": 1}),
            "node",
            "usize",
        ),
    ];
    for (frame, field, needle) in cases {
        let error = ask(&mut ws, frame.clone()).await;
        assert_eq!(error["type"], "error", "{frame}");
        assert_eq!(error["field"], field, "{frame}: {error}");
        assert!(
            error["message"].as_str().unwrap().contains(needle),
            "{frame}: {error}"
        );
    }
    // The typed fact behind the English sentence.
    let refused = ask(
        &mut ws,
        json!({"type": "cache_get", "node": 0, "key": "a b"}),
    )
    .await;
    assert_eq!(
        refused["refusal"],
        json!({"area": "cache", "fact": {"code": "key_characters"}})
    );
    let refused = ask(&mut ws, json!({"type": "cache_watch", "node": 7})).await;
    assert_eq!(
        refused["refusal"]["fact"],
        json!({"code": "no_such_node", "node": 7, "nodes": 2})
    );
    let too_big = ask(
        &mut ws,
        json!({"type": "cache_set", "node": 0, "key": "big", "value": "x".repeat(60_000)}),
    )
    .await;
    assert_eq!(too_big["outcome"], "stored");
    // The session is still fine.
    send_json(&mut ws, &json!({"type": "ping", "id": 3})).await;
    assert_eq!(recv_json(&mut ws).await, json!({"type": "pong", "id": 3}));
}

#[tokio::test]
async fn a_slow_watcher_gets_counted_skips_and_exact_counters() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let (mut ws, _) = hello(&fanout).await;
    ask(&mut ws, json!({"type": "cache_watch", "node": 0})).await;
    // 30,000 sets, pipelined, while the watcher reads nothing.
    let sets = 30_000;
    tokio::task::spawn_blocking(move || {
        let mut request = Vec::new();
        for i in 0..sets {
            request.extend_from_slice(format!("set k{i} 0 0 1 noreply\r\nx\r\n").as_bytes());
        }
        request.extend_from_slice(b"mn\r\n");
        let mut client = Client::connect(node);
        client.send(&request);
        client.read_until(b"MN\r\n");
    })
    .await
    .unwrap();
    let mut seen = 0u64;
    let mut skipped = 0u64;
    let mut last_stats = Value::Null;
    while seen + skipped < sets {
        let frame = recv_json(&mut ws).await;
        if frame["type"] != "cache_events" {
            continue;
        }
        seen += frame["events"].as_array().unwrap().len() as u64;
        skipped += frame["skipped"].as_u64().unwrap();
        assert!(frame["events"].as_array().unwrap().len() <= 500);
        last_stats = frame["stats"].clone();
    }
    assert_eq!(
        seen + skipped,
        sets,
        "every event is either sent or counted"
    );
    assert!(skipped > 0, "a burst this large cannot all be sent");
    assert_eq!(last_stats["cmd_set"], sets);
    assert_eq!(last_stats["curr_items"], sets);
}
