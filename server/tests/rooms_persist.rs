//! Durable rooms against the real binary (issue 15, docs/protocol.md,
//! "Persistence"): a room whose broker has a durable queue is kept under
//! `--data-dir`; after `kill -9` of `fanout serve` and a restart it is
//! there again with its code and its creator's token, its broker holding
//! every persistent message a watcher had heard was queued (and none of
//! the transient ones), which a worker then processes; a room closed by
//! its creator is gone from the store, one closed by a graceful shutdown
//! is not.

mod common;
mod rooms_support;

use std::collections::BTreeSet;

use common::{DataDir, Fanout};
use rooms_support::Client;
use serde_json::{Value, json};

/// Five persistent orders and five transient metrics into a durable
/// queue, from 200 ms of the room's time (its creator, watching, hears
/// every publish); the worker starts at 4 s, well after the test has
/// killed the first server.
fn scenario() -> Value {
    json!({
        "name": "durable",
        "network": {"latency": "1ms"},
        "nodes": [
            {"name": "broker", "program": {"kind": "broker", "queues": [{"name": "jobs"}]}, "sockets": []},
            {"name": "orders", "program": {"kind": "task_producer", "broker": "broker", "queue": "jobs",
                "interval": "5ms", "count": 5, "work": "10ms", "persistent": true}, "sockets": [], "start": "200ms"},
            {"name": "metrics", "program": {"kind": "task_producer", "broker": "broker", "queue": "jobs",
                "interval": "5ms", "count": 5, "work": "10ms", "persistent": false}, "sockets": [], "start": "200ms"},
            {"name": "worker", "program": {"kind": "task_worker", "broker": "broker", "queue": "jobs",
                "prefetch": 1, "ack": "late"}, "sockets": [], "start": "4s"}
        ]
    })
}

fn start(dir: &str) -> Fanout {
    Fanout::start(&["--cache-nodes", "0", "--data-dir", dir])
}

/// The broker events of a `room_events` frame with this `what`.
fn broker_events<'a>(frame: &'a Value, what: &'a str) -> impl Iterator<Item = &'a Value> {
    frame["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |e| e["type"] == "broker" && e["what"] == what)
}

#[tokio::test]
async fn a_durable_room_comes_back_after_kill_9_with_its_code_token_and_persistent_messages() {
    let dir = DataDir::new();
    let dir_arg = dir.arg();
    let first = start(&dir_arg);
    assert!(
        first
            .kept_line
            .contains("(0 rooms with 0 messages recovered)"),
        "{}",
        first.kept_line
    );
    let mut teacher = Client::connect(&first).await;
    let joined = teacher
        .ok(
            json!({"type": "room_create", "scenario": scenario(), "seed": 3, "watch": true}),
            "room_joined",
        )
        .await;
    let code = joined["room"].as_str().expect("a code").to_owned();
    let token = joined["token"].as_str().expect("a token").to_owned();

    // A watcher hears of an enqueue only once the server has stored it;
    // the summary says what the broker's disk holds.
    let (mut persistent, mut transient) = (BTreeSet::new(), BTreeSet::new());
    loop {
        let frame = teacher.push_of_type("room_events").await;
        assert_eq!(
            broker_events(&frame, "dispatched").count(),
            0,
            "the worker started before the kill (the machine took 4 s to get here)"
        );
        for e in broker_events(&frame, "enqueued") {
            let task = e["task"].as_u64().expect("a task id");
            if e["persisted"] == true {
                persistent.insert(task);
            } else {
                transient.insert(task);
            }
        }
        let summary = &frame["summary"];
        if summary["ledger"]["queues"][0]["produced"] == 10 && summary["brokers"][0]["on_disk"] == 5
        {
            break;
        }
    }
    assert_eq!(
        (persistent.len(), transient.len()),
        (5, 5),
        "every enqueue heard (the creator watched before 200 ms)"
    );
    first.kill_9();

    let second = start(&dir_arg);
    assert!(
        second
            .kept_line
            .contains("(1 rooms with 5 messages recovered)"),
        "{}",
        second.kept_line
    );
    let mut owner = Client::connect(&second).await;
    let back = owner
        .ok(
            json!({"type": "room_join", "room": code, "token": token, "watch": true}),
            "room_joined",
        )
        .await;
    assert_eq!(back["room"], code.as_str());
    assert_eq!(
        back["owner"], true,
        "the creator's token still makes the owner"
    );
    assert_eq!(back["seed"], 3);

    // The recovered orders reach the worker (redelivered, as after a
    // broker's crash); the metrics are gone; the producers, started
    // again with the room, make new tasks with new numbers.
    let old: BTreeSet<u64> = persistent.union(&transient).copied().collect();
    let done = owner
        .push_where(|f| {
            f["type"] == "room_events"
                && f["summary"]["ledger"]["tasks"]
                    .as_array()
                    .is_some_and(|tasks| {
                        persistent.iter().all(|t| {
                            tasks
                                .iter()
                                .any(|line| line["task"] == *t && line["processed"] == 1)
                        })
                    })
        })
        .await;
    let lines = done["summary"]["ledger"]["tasks"]
        .as_array()
        .expect("tasks");
    let known: BTreeSet<u64> = lines
        .iter()
        .map(|line| line["task"].as_u64().expect("a task id"))
        .collect();
    assert_eq!(
        known.intersection(&old).copied().collect::<BTreeSet<_>>(),
        persistent,
        "exactly the persistent messages came back"
    );
    for line in lines {
        let task = line["task"].as_u64().expect("a task id");
        if persistent.contains(&task) {
            assert!(line["redelivered"].as_u64() >= Some(1), "{line}");
        } else {
            assert!(task > *old.last().expect("ten"), "t{task} reuses a number");
        }
    }

    // A graceful stop keeps the room too.
    drop(owner);
    assert!(second.terminate().success());
    let third = start(&dir_arg);
    assert!(third.kept_line.contains("(1 rooms "), "{}", third.kept_line);
    // Closed by its creator, it is gone from the store.
    let mut owner = Client::connect(&third).await;
    owner
        .ok(
            json!({"type": "room_join", "room": code, "token": token}),
            "room_joined",
        )
        .await;
    owner
        .ok(
            json!({"type": "room_close", "room": code, "token": token}),
            "room_closed",
        )
        .await;
    // The room's task removes it as it ends: a new join is refused once
    // it has.
    let mut other = Client::connect(&third).await;
    loop {
        let answer = other
            .request(json!({"type": "room_join", "room": code}))
            .await;
        if answer["type"] == "error" {
            break;
        }
        tokio::task::yield_now().await;
    }
    third.kill_9();
    let fourth = start(&dir_arg);
    assert!(
        fourth
            .kept_line
            .contains("(0 rooms with 0 messages recovered)"),
        "{}",
        fourth.kept_line
    );
    drop(fourth);
    drop(dir);
}
