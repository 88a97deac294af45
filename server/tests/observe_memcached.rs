//! `fanout serve --observe-memcached HOST:PORT` against Debian's real
//! memcached: the keys already there (read with `lru_crawler metadump`)
//! and what a real client then does (read with `watch`) reach the cache
//! lab's WebSocket feed as an extra, read-only node; when that memcached
//! goes away the node says it is unreachable, and it comes back when the
//! server returns. A hostile server is refused without harm.

mod cache_support;
mod common;

use std::time::Duration;

use cache_support::{Client, Memcached, tool};
use common::{Fanout, Ws, recv_json, send_json, ws_connect};
use serde_json::{Value, json};

/// Sends a frame and returns the first answer of `answer_type` (or an
/// error), skipping pushed frames.
async fn ask(ws: &mut Ws, frame: Value, answer_type: &str) -> Value {
    send_json(ws, &frame).await;
    next_of(ws, answer_type).await
}

async fn next_of(ws: &mut Ws, wanted: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        assert!(tokio::time::Instant::now() < deadline, "no {wanted} frame");
        let frame = recv_json(ws).await;
        if frame["type"] == wanted || frame["type"] == "error" {
            return frame;
        }
    }
}

/// Reads pushed frames until `done` holds for the events seen so far.
async fn watch_until(ws: &mut Ws, mut done: impl FnMut(&[Value]) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut events = Vec::new();
    while !done(&events) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "events: {events:#?}"
        );
        // A quiet second is no failure: the deadline above decides.
        let Ok(frame) = tokio::time::timeout(Duration::from_secs(1), recv_json(ws)).await else {
            continue;
        };
        if frame["type"] == "cache_events" {
            events.extend(frame["events"].as_array().unwrap().clone());
        }
    }
}

/// The observed node's snapshot (node 2), asked again until its keys
/// satisfy `done`; fails after `patience`.
async fn snapshot_until(ws: &mut Ws, patience: Duration, done: impl Fn(&[Value]) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        let snapshot = ask(
            ws,
            json!({"type": "cache_snapshot", "node": 2}),
            "cache_snapshot",
        )
        .await;
        let keys: Vec<Value> = snapshot["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].clone())
            .collect();
        if done(&keys) {
            return snapshot;
        }
        assert!(tokio::time::Instant::now() < deadline, "{snapshot}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Asks `cache_nodes` until the observed node's link is `link`.
async fn wait_for_link(ws: &mut Ws, link: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let nodes = ask(ws, json!({"type": "cache_nodes"}), "cache_nodes").await;
        if nodes["observed"][0]["link"] == link {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{nodes}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Watches the observed node (node 2) and waits until its snapshot holds
/// the one key stored before Fanout started, `before`, which only
/// `lru_crawler metadump` can have told; returns that snapshot.
async fn watch_the_observed_node(ws: &mut Ws) -> Value {
    let watching = ask(
        ws,
        json!({"type": "cache_watch", "node": 2}),
        "cache_watching",
    )
    .await;
    assert_eq!(watching["watching"], true, "{watching}");
    wait_for_link(ws, "watching").await;
    let snapshot = snapshot_until(ws, Duration::from_secs(20), |keys| {
        keys.contains(&json!("before"))
    })
    .await;
    assert_eq!(snapshot["stats"]["curr_items"], 1, "{snapshot}");
    snapshot
}

fn has(events: &[Value], kind: &str, key: &str) -> bool {
    events.iter().any(|e| e["kind"] == kind && e["key"] == key)
}

/// The observer reads a node as it reads a real memcached (`lru_crawler
/// metadump`, `stats`, `watch`): a tool written for memcached works on
/// Fanout unchanged.
#[tokio::test]
async fn another_fanouts_node_can_be_observed_like_a_real_memcached() {
    let observed = Fanout::start(&["--cache-nodes", "1"]);
    let node = observed.cache_nodes[0];
    let mut client = Client::connect(node);
    assert_eq!(client.call("set before 0 0 3\r\nold\r\n"), "STORED\r\n");

    let addr = node.to_string();
    let fanout = Fanout::start(&["--cache-nodes", "2", "--observe-memcached", &addr]);
    let mut ws = ws_connect(&fanout).await;
    send_json(&mut ws, &json!({"type": "hello", "protocol": 1})).await;
    recv_json(&mut ws).await;
    let snapshot = watch_the_observed_node(&mut ws).await;
    assert_eq!(snapshot["items"][0]["size"], 6 + 3 + 59, "{snapshot}");

    assert_eq!(client.call("set fresh 0 60 5\r\nhello\r\n"), "STORED\r\n");
    assert!(client.call("get fresh\r\n").contains("hello"));
    watch_until(&mut ws, |events| {
        has(events, "set", "fresh") && has(events, "hit", "fresh")
    })
    .await;
}

#[tokio::test]
async fn a_real_memcached_shows_its_keys_and_events_in_the_cache_lab() {
    let Some(binary) = tool("FANOUT_MEMCACHED") else {
        return;
    };
    let memcached = Memcached::start(&binary, 16);
    // A key already there before Fanout starts: only the metadump knows it.
    let mut client = Client::connect(memcached.addr);
    assert_eq!(client.call("set before 0 0 3\r\nold\r\n"), "STORED\r\n");

    let addr = memcached.addr.to_string();
    let fanout = Fanout::start(&["--cache-nodes", "2", "--observe-memcached", &addr]);
    let mut ws = ws_connect(&fanout).await;
    send_json(&mut ws, &json!({"type": "hello", "protocol": 1})).await;
    let welcome = recv_json(&mut ws).await;
    let features = welcome["features"].as_array().unwrap();
    assert!(features.contains(&json!("observe")), "{welcome}");
    let nodes = ask(&mut ws, json!({"type": "cache_nodes"}), "cache_nodes").await;
    assert_eq!(nodes["nodes"].as_array().unwrap().len(), 2, "{nodes}");
    let observed = &nodes["observed"][0];
    assert_eq!(observed["node"], 2, "{nodes}");
    assert_eq!(observed["addr"], addr.as_str());

    // The key that was there before.
    watch_the_observed_node(&mut ws).await;

    // A real client's set, hit, miss: the lab's events, without the
    // lookup memcached logs inside the set.
    // Each on a connection of its own: memcached hands connections to its
    // worker threads in turn and writes each thread's log lines in turn,
    // so these lines can arrive out of order (the observer sorts by gid).
    let call = |request: &str| Client::connect(memcached.addr).call(request);
    assert_eq!(call("set fresh 0 60 5\r\nhello\r\n"), "STORED\r\n");
    assert!(call("get fresh\r\n").contains("hello"));
    assert_eq!(call("get absent\r\n"), "END\r\n");
    let mut seen = Vec::new();
    watch_until(&mut ws, |events| {
        seen = events.to_vec();
        has(events, "set", "fresh") && has(events, "hit", "fresh") && has(events, "miss", "absent")
    })
    .await;
    // In the order they happened, without the lookup the set made.
    let order: Vec<_> = seen
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["kind"].as_str().unwrap(),
                e["key"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        order,
        ["set fresh", "hit fresh", "miss absent"],
        "{seen:#?}"
    );
    let fresh: Vec<_> = seen.iter().filter(|e| e["key"] == "fresh").collect();
    // Sized as a node and metadump size an item: key + value + 59.
    assert_eq!(fresh[0]["size"], 5 + 5 + 59);

    // The snapshot now has both keys, the new one first with its TTL.
    let snapshot = ask(
        &mut ws,
        json!({"type": "cache_snapshot", "node": 2}),
        "cache_snapshot",
    )
    .await;
    assert_eq!(snapshot["items"][0]["key"], "fresh", "{snapshot}");
    assert_eq!(snapshot["items"][0]["size"], 5 + 5 + 59, "{snapshot}");
    assert!(
        snapshot["items"][0]["ttl"]
            .as_u64()
            .is_some_and(|ttl| ttl <= 60),
        "{snapshot}"
    );

    // Read-only: the lab's hands do not reach a real deployment.
    let refused = ask(
        &mut ws,
        json!({"type": "cache_set", "node": 2, "key": "k", "value": "v"}),
        "error",
    )
    .await;
    assert_eq!(
        refused["refusal"]["fact"]["code"], "observed_read_only",
        "{refused}"
    );
    assert_eq!(client.call("get k\r\n"), "END\r\n");

    // A delete is not logged before memcached 1.6.20; the next metadump
    // drops the key.
    assert_eq!(client.call("delete before\r\n"), "DELETED\r\n");
    snapshot_until(&mut ws, Duration::from_secs(30), |keys| {
        !keys.contains(&json!("before"))
    })
    .await;

    // The server goes away: the node says so; it comes back on the same
    // port and the observer finds it again.
    drop(client);
    let port = memcached.addr.port();
    drop(memcached);
    wait_for_link(&mut ws, "unreachable").await;
    let back = Memcached::start_on(&binary, 16, port);
    wait_for_link(&mut ws, "watching").await;
    let mut client = Client::connect(back.addr);
    assert_eq!(client.call("set again 0 0 1\r\nx\r\n"), "STORED\r\n");
    watch_until(&mut ws, |events| has(events, "set", "again")).await;
}

#[tokio::test]
async fn without_an_observed_memcached_the_lab_lists_none() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let mut ws = ws_connect(&fanout).await;
    send_json(&mut ws, &json!({"type": "hello", "protocol": 1})).await;
    let welcome = recv_json(&mut ws).await;
    let features = welcome["features"].as_array().unwrap();
    assert!(!features.contains(&json!("observe")), "{welcome}");
    let nodes = ask(&mut ws, json!({"type": "cache_nodes"}), "cache_nodes").await;
    assert_eq!(nodes["observed"], json!([]), "{nodes}");
    // The number after the nodes is no node at all.
    let refused = ask(&mut ws, json!({"type": "cache_watch", "node": 1}), "error").await;
    assert_eq!(
        refused["refusal"]["fact"]["code"], "no_such_node",
        "{refused}"
    );
}

/// A hostile "memcached": every connection gets a megabyte with no line
/// end and is then closed. The observer refuses it precisely, reports the
/// server unreachable, keeps retrying, and the lab goes on.
#[tokio::test]
async fn a_hostile_server_is_refused_and_the_lab_goes_on() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&accepted);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut request = [0u8; 64];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(&vec![b'x'; 1 << 20]);
        }
    });
    let fanout = Fanout::start(&["--cache-nodes", "1", "--observe-memcached", &addr]);
    let mut ws = ws_connect(&fanout).await;
    send_json(&mut ws, &json!({"type": "hello", "protocol": 1})).await;
    recv_json(&mut ws).await;
    wait_for_link(&mut ws, "unreachable").await;
    // It tries again, with backoff.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while accepted.load(std::sync::atomic::Ordering::SeqCst) < 2 {
        assert!(tokio::time::Instant::now() < deadline, "no second attempt");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let snapshot = ask(
        &mut ws,
        json!({"type": "cache_snapshot", "node": 1}),
        "cache_snapshot",
    )
    .await;
    assert_eq!(snapshot["items"], json!([]), "{snapshot}");
    let node = ask(
        &mut ws,
        json!({"type": "cache_set", "node": 0, "key": "k", "value": "v"}),
        "cache_result",
    )
    .await;
    assert_eq!(node["outcome"], "stored", "{node}");
}

#[tokio::test]
async fn a_bad_address_is_refused_at_start() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fanout"))
        .args(["serve", "--observe-memcached", "no-port-here"])
        .output()
        .expect("fanout runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("HOST:PORT"), "{stderr}");
}
