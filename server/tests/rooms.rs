//! Live rooms over real WebSockets against the real binary: the patterns'
//! semantics hold between live participants exactly as libzmq's do
//! (`docs/design/zmq-semantics.md`): PUSH round-robins over three PULL
//! participants, PULL fair-queues over three PUSH participants, SUB
//! filters by prefix, REQ/REP order errors go to the offending client
//! only; a participant vanishing mid-flow loses what was queued for it
//! (counted, and never re-routed); a participant takes over a scenario's
//! node; and a live run's recording replays offline to the same trace.

mod common;
mod rooms_support;

use std::{collections::BTreeSet, time::Duration};

use common::Fanout;
use fanout_shared::sim::{Recording, Timeline};
use rooms_support::{Client, empty_scenario, strings, waiting_at};
use serde_json::{Value, json};

fn start() -> Fanout {
    Fanout::start(&["--cache-nodes", "0"])
}

fn pull(endpoint: &str) -> Value {
    json!([{"name": "in", "type": "PULL", "connect": [endpoint]}])
}

#[tokio::test]
async fn push_round_robins_over_three_live_pull_participants() {
    let fanout = start();
    let mut vent = Client::connect(&fanout).await;
    let (code, _) = vent.create(empty_scenario(json!({}))).await;
    vent.add_node(
        "vent",
        json!([{"name": "out", "type": "PUSH", "bind": ["tcp://tasks"]}]),
        false,
    )
    .await;
    let mut workers = Vec::new();
    for name in ["w0", "w1", "w2"] {
        let mut w = Client::connect(&fanout).await;
        w.join(&code).await;
        let added = w.add_node(name, pull("tcp://tasks"), true).await;
        assert_eq!(added["sockets"][0]["auto_recv"], true, "{added}");
        workers.push(w);
        // One at a time, so the PUSH counts them in this order.
        vent.wait_connected("vent", "out", workers.len()).await;
    }
    let sent = vent
        .ok(
            json!({"type": "send", "node": "vent", "socket": "out", "payloads": strings("m", 9)}),
            "sent",
        )
        .await;
    assert_eq!(sent["msgs"].as_array().unwrap().len(), 9, "{sent}");
    assert!(sent.get("eagain").is_none(), "{sent}");
    let mut got = Vec::new();
    for (w, name) in workers.iter_mut().zip(["w0", "w1", "w2"]) {
        got.push(w.received(name, 3).await);
    }
    // What pyzmq shows with three connected PULLs (docs/design/zmq-semantics.md).
    assert_eq!(
        got,
        [["m0", "m3", "m6"], ["m1", "m4", "m7"], ["m2", "m5", "m8"]]
    );
}

#[tokio::test]
async fn pull_fair_queues_over_three_live_push_participants() {
    let fanout = start();
    let mut collector = Client::connect(&fanout).await;
    let (code, _) = collector.create(empty_scenario(json!({}))).await;
    collector
        .add_node(
            "collector",
            json!([{"name": "in", "type": "PULL", "bind": ["tcp://logs"]}]),
            false,
        )
        .await;
    let mut pushers = Vec::new();
    for name in ["p0", "p1", "p2"] {
        let mut p = Client::connect(&fanout).await;
        p.join(&code).await;
        p.add_node(
            name,
            json!([{"name": "out", "type": "PUSH", "connect": ["tcp://logs"]}]),
            false,
        )
        .await;
        pushers.push(p);
        collector
            .wait_connected("collector", "in", pushers.len())
            .await;
    }
    for (p, name) in pushers.iter_mut().zip(["p0", "p1", "p2"]) {
        let payloads = strings(&format!("{name}-"), 3);
        p.ok(
            json!({"type": "send", "node": name, "socket": "out", "payloads": payloads}),
            "sent",
        )
        .await;
    }
    // Read only once all nine wait at the collector, as the pyzmq check does.
    let deadline = tokio::time::Instant::now() + rooms_support::PATIENCE;
    loop {
        let topo = collector
            .ok(json!({"type": "room_topology"}), "room_topology")
            .await;
        if waiting_at(&topo["topology"], "collector", "in") == 9 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{topo}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let got = collector
        .ok(
            json!({"type": "recv", "node": "collector", "socket": "in", "max": 20}),
            "received",
        )
        .await;
    let payloads: Vec<&str> = got["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["payload"].as_str().unwrap())
        .collect();
    assert_eq!(
        payloads,
        [
            "p0-0", "p1-0", "p2-0", "p0-1", "p1-1", "p2-1", "p0-2", "p1-2", "p2-2"
        ]
    );
    assert_eq!(got["eagain"]["why"], "empty", "{got}");
}

#[tokio::test]
async fn sub_participants_get_what_their_filters_match() {
    let fanout = start();
    let mut publisher = Client::connect(&fanout).await;
    let (code, _) = publisher.create(empty_scenario(json!({}))).await;
    publisher
        .add_node(
            "pub",
            json!([{"name": "out", "type": "PUB", "bind": ["tcp://news"]}]),
            false,
        )
        .await;
    let filters = [
        ("weather", json!(["weather."])),
        ("news", json!(["news"])),
        ("all", json!([""])),
        ("deaf", json!([])),
    ];
    let mut subs = Vec::new();
    for (name, topics) in &filters {
        let mut s = Client::connect(&fanout).await;
        s.join(&code).await;
        s.add_node(
            name,
            json!([{"name": "in", "type": "SUB", "connect": ["tcp://news"], "subscribe": topics}]),
            true,
        )
        .await;
        subs.push(s);
    }
    publisher.wait_connected("pub", "out", 4).await;
    // The subscriptions travel to the publisher after the handshake.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let sent = publisher
        .ok(
            json!({"type": "send", "node": "pub", "socket": "out",
                   "payloads": ["weather.paris", "newsletter 1", "news.flash", "sports", "weather.oslo"]}),
            "sent",
        )
        .await;
    assert_eq!(
        sent["msgs"].as_array().unwrap().len(),
        5,
        "PUB never blocks"
    );
    assert_eq!(
        subs[0].received("weather", 2).await,
        ["weather.paris", "weather.oslo"]
    );
    assert_eq!(
        subs[1].received("news", 2).await,
        ["newsletter 1", "news.flash"]
    );
    assert_eq!(
        subs[2].received("all", 5).await,
        [
            "weather.paris",
            "newsletter 1",
            "news.flash",
            "sports",
            "weather.oslo"
        ]
    );
    let late = subs[3].drain_for(Duration::from_millis(200)).await;
    assert!(
        late.iter().all(|f| f["type"] != "received"),
        "no subscription, nothing: {late:?}"
    );
    // Changing a filter live: the deaf SUB subscribes to sports.
    subs[3]
        .ok(
            json!({"type": "room_act", "action": {"op": "subscribe", "node": "deaf", "socket": "in", "topic": "sports"}}),
            "room_acted",
        )
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    publisher
        .ok(
            json!({"type": "send", "node": "pub", "socket": "out", "payloads": ["sports 2", "weather.rome"]}),
            "sent",
        )
        .await;
    assert_eq!(subs[3].received("deaf", 1).await, ["sports 2"]);
}

#[tokio::test]
async fn req_rep_order_errors_reach_only_the_offending_client() {
    let fanout = start();
    let mut server = Client::connect(&fanout).await;
    let (code, _) = server.create(empty_scenario(json!({}))).await;
    server
        .add_node(
            "server",
            json!([{"name": "rep", "type": "REP", "bind": ["tcp://svc"]}]),
            false,
        )
        .await;
    let mut client = Client::connect(&fanout).await;
    client.join(&code).await;
    client
        .add_node(
            "client",
            json!([{"name": "req", "type": "REQ", "connect": ["tcp://svc"]}]),
            false,
        )
        .await;
    server.wait_connected("server", "rep", 1).await;

    // REP may not send first.
    let e = server
        .refused(json!({"type": "send", "node": "server", "socket": "rep", "payload": "too soon"}))
        .await;
    assert!(e["message"].as_str().unwrap().starts_with("EFSM"), "{e}");
    assert_eq!(e["field"], "socket");
    assert_eq!(e["refusal"]["area"], "room", "{e}");
    assert_eq!(e["refusal"]["fact"]["code"], "socket_failed", "{e}");
    assert_eq!(e["refusal"]["fact"]["error"]["errno"], "EFSM", "{e}");
    // REQ may not receive first.
    let e = client
        .refused(json!({"type": "recv", "node": "client", "socket": "req"}))
        .await;
    assert!(e["message"].as_str().unwrap().starts_with("EFSM"), "{e}");

    client
        .ok(
            json!({"type": "send", "node": "client", "socket": "req", "payload": "hello"}),
            "sent",
        )
        .await;
    // REQ may not send twice.
    let e = client
        .refused(json!({"type": "send", "node": "client", "socket": "req", "payload": "again"}))
        .await;
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("REQ cannot send while waiting for the reply"),
        "{e}"
    );

    // The request arrives; the REP answers; the reply returns to the asker.
    let deadline = tokio::time::Instant::now() + rooms_support::PATIENCE;
    let request = loop {
        let got = server
            .ok(
                json!({"type": "recv", "node": "server", "socket": "rep"}),
                "received",
            )
            .await;
        if let Some(m) = got["messages"].as_array().unwrap().first() {
            break m["payload"].clone();
        }
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert_eq!(request, "hello");
    // REP may not receive twice.
    let e = server
        .refused(json!({"type": "recv", "node": "server", "socket": "rep"}))
        .await;
    assert!(e["message"].as_str().unwrap().starts_with("EFSM"), "{e}");
    server
        .ok(
            json!({"type": "send", "node": "server", "socket": "rep", "payload": "world"}),
            "sent",
        )
        .await;
    client
        .ok(
            json!({"type": "recv_auto", "node": "client", "on": true}),
            "recv_auto",
        )
        .await;
    assert_eq!(client.received("client", 1).await, ["world"]);

    // Each error went to its own client only: nothing else was pushed.
    for (who, c) in [("server", &mut server), ("client", &mut client)] {
        let extra = c.drain_for(Duration::from_millis(100)).await;
        assert!(
            extra.iter().all(|f| f["type"] != "error"),
            "{who} got someone else's error: {extra:?}"
        );
    }
}

#[tokio::test]
async fn a_vanished_pull_participant_loses_its_queued_messages_and_the_rest_go_on() {
    let fanout = start();
    let mut vent = Client::connect(&fanout).await;
    let (code, _) = vent
        .create(empty_scenario(json!({"sndhwm": 5, "rcvhwm": 5})))
        .await;
    vent.ok(json!({"type": "room_watch", "on": true}), "room_watching")
        .await;
    vent.add_node(
        "vent",
        json!([{"name": "out", "type": "PUSH", "bind": ["tcp://jobs"]}]),
        false,
    )
    .await;
    // w1 never reads; w2 reads everything as it arrives.
    let mut w1 = Client::connect(&fanout).await;
    w1.join(&code).await;
    w1.add_node("w1", pull("tcp://jobs"), false).await;
    vent.wait_connected("vent", "out", 1).await;
    let mut w2 = Client::connect(&fanout).await;
    w2.join(&code).await;
    w2.add_node("w2", pull("tcp://jobs"), true).await;
    vent.wait_connected("vent", "out", 2).await;

    let first = vent.send_all("vent", "out", &strings("a", 20)).await;
    assert_eq!(first.len(), 20);
    // Everything w1's pipe could take is queued for it: SNDHWM + credit.
    let deadline = tokio::time::Instant::now() + rooms_support::PATIENCE;
    loop {
        let topo = vent
            .ok(json!({"type": "room_topology"}), "room_topology")
            .await;
        if waiting_at(&topo["topology"], "w1", "in") > 0 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // w1's connection drops without a goodbye.
    drop(w1);
    let removed = vent
        .push_where(|f| {
            f["type"] == "room_events"
                && f["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["type"] == "node_removed")
        })
        .await;
    let lost = removed["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "node_removed")
        .unwrap()["lost"]
        .as_u64()
        .unwrap();
    assert!(lost > 0, "w1 had messages queued: {removed}");

    // After it left, everything goes to w2.
    let second = vent.send_all("vent", "out", &strings("b", 10)).await;
    assert_eq!(second.len(), 10);
    let got = w2.received("w2", 30 - lost as usize).await;
    let got_set: BTreeSet<&str> = got.iter().map(String::as_str).collect();
    assert_eq!(got.len(), got_set.len(), "no duplicates: {got:?}");
    for b in strings("b", 10) {
        assert!(got_set.contains(b.as_str()), "{b} reached w2");
    }
    // The lost ones were round-robined to w1 and are gone, not re-routed.
    let extra = w2.drain_for(Duration::from_millis(200)).await;
    assert!(
        extra.iter().all(|f| f["type"] != "received"),
        "lost messages never reach another worker: {extra:?}"
    );
    // The counters agree: sent = received + lost with the connection.
    let summary = loop {
        let f = vent.push_of_type("room_events").await;
        let s = f["summary"].clone();
        if s["nodes"]["w2"]["received"].as_u64() == Some(30 - lost) {
            break s;
        }
    };
    assert_eq!(summary["drops"]["disconnected"].as_u64(), Some(lost));
    assert_eq!(summary["nodes"]["vent"]["sent"].as_u64(), Some(30));
}

#[tokio::test]
async fn a_participant_takes_over_a_scenario_node() {
    let fanout = start();
    let mut owner = Client::connect(&fanout).await;
    let (code, _) = owner.create(json!("pipeline")).await;
    let mut student = Client::connect(&fanout).await;
    student.join(&code).await;
    let taken = student
        .ok(
            json!({"type": "node_take", "node": "worker-1", "auto_recv": true}),
            "node_added",
        )
        .await;
    assert_eq!(taken["taken"], true);
    let kinds: Vec<&str> = taken["sockets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["PULL", "PUSH"]);
    // Someone else cannot take the same node.
    let e = owner
        .refused(json!({"type": "node_take", "node": "worker-1"}))
        .await;
    assert_eq!(e["field"], "node");
    let tasks = student.received("worker-1", 5).await;
    assert!(tasks.iter().all(|t| t.starts_with("task ")), "{tasks:?}");
    let results: Vec<String> = tasks.iter().map(|t| format!("{t} done by hand")).collect();
    let sent = student
        .ok(
            json!({"type": "send", "node": "worker-1", "socket": "out", "payloads": results}),
            "sent",
        )
        .await;
    assert_eq!(sent["msgs"].as_array().unwrap().len(), tasks.len());
    let topo = owner
        .ok(json!({"type": "room_topology"}), "room_topology")
        .await;
    let node = topo["topology"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "worker-1")
        .unwrap()
        .clone();
    assert_eq!(node["program"], "external", "{node}");
    let me = topo["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["nodes"] == json!(["worker-1"]))
        .cloned();
    assert!(me.is_some(), "the driver is listed: {topo}");
    // Only its driver sends on it.
    let e = owner
        .refused(json!({"type": "send", "node": "worker-1", "socket": "out", "payload": "x"}))
        .await;
    assert_eq!(e["field"], "node");
    // And a server node needs taking over first.
    let e = student
        .refused(json!({"type": "send", "node": "ventilator", "socket": "out", "payload": "x"}))
        .await;
    assert!(e["message"].as_str().unwrap().contains("node_take"), "{e}");
}

#[tokio::test]
async fn a_live_run_replays_offline_to_the_same_trace() {
    let fanout = start();
    let mut worker = Client::connect(&fanout).await;
    worker.create(json!("pipeline")).await;
    worker
        .add_node(
            "student",
            json!([{"name": "in", "type": "PULL", "connect": ["tcp://ventilator"]},
                   {"name": "out", "type": "PUSH", "connect": ["tcp://sink"]}]),
            true,
        )
        .await;
    let tasks = worker.received("student", 20).await;
    let results: Vec<String> = tasks.iter().map(|t| format!("{t} done")).collect();
    worker.send_all("student", "out", &results).await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    let answer = worker
        .ok(json!({"type": "room_recording"}), "room_recording")
        .await;
    assert_eq!(answer["complete"], true);
    let recording: Recording = serde_json::from_value(answer["recording"].clone()).unwrap();
    assert_eq!(
        recording.scenario,
        fanout_shared::sim::timeline::ScenarioRef::Preset("pipeline".into())
    );
    let kinds: BTreeSet<String> = recording
        .actions
        .iter()
        .map(|r| {
            serde_json::to_value(&r.action).unwrap()["op"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        ["add_node", "recv", "send"]
            .iter()
            .all(|k| kinds.contains(*k)),
        "{kinds:?}"
    );
    let replayed = Timeline::replay(&recording).expect("the recording replays");
    assert_eq!(replayed.sim().steps(), recording.step);
    assert_eq!(
        replayed.sim().trace_digest(),
        answer["trace_digest"].as_str().unwrap(),
        "offline replay reaches exactly the live trace"
    );

    // A follower asks for what it does not have and steps on to the same
    // trace as the whole run.
    let mut follower = replayed;
    worker
        .send_all("student", "out", &["late result".into()])
        .await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    let have = recording.actions.len();
    let rest = worker
        .ok(
            json!({"type": "room_recording", "after": have}),
            "room_recording",
        )
        .await;
    assert_eq!(rest["after"], have);
    let tail: Recording = serde_json::from_value(rest["recording"].clone()).unwrap();
    assert!(!tail.actions.is_empty(), "the late send is new");
    assert!(follower.follow(have, &tail));
    follower.seek(tail.step);
    follower.settle_to(tail.time, tail.settled);
    assert_eq!(
        follower.sim().trace_digest(),
        rest["trace_digest"].as_str().unwrap(),
        "following the tail reaches the live trace"
    );
}

/// Faults are engine actions, and a live room has real people behind its
/// nodes: only the room's creator injects them (a participant's attempt is
/// refused precisely), and the room goes on.
#[tokio::test]
async fn only_the_creator_injects_faults_and_the_room_goes_on() {
    let fanout = start();
    let mut owner = Client::connect(&fanout).await;
    let (code, _) = owner.create(empty_scenario(json!({}))).await;
    owner
        .add_node(
            "server",
            json!([{"name": "rep", "type": "REP", "bind": ["tcp://svc"]}]),
            false,
        )
        .await;
    let mut student = Client::connect(&fanout).await;
    student.join(&code).await;
    for action in [
        json!({"op": "crash", "node": "server"}),
        json!({"op": "pause", "node": "server", "duration": "1s"}),
        json!({"op": "partition", "a": ["server"], "b": ["host"]}),
        json!({"op": "heal"}),
    ] {
        let e = student
            .refused(json!({"type": "room_act", "action": action}))
            .await;
        assert_eq!(e["field"], "action.op", "{e}");
        assert_eq!(e["refusal"]["area"], "room", "{e}");
        assert_eq!(e["refusal"]["fact"]["code"], "only_creator_faults", "{e}");
        assert!(
            e["message"].as_str().unwrap().contains("faults"),
            "{action}: {e}"
        );
    }
    // The creator's are applied, and refused by the engine when they make
    // no sense (restarting a running node).
    let paused = owner
        .ok(
            json!({"type": "room_act", "action": {"op": "pause", "node": "server", "duration": "50ms"}}),
            "room_acted",
        )
        .await;
    assert_eq!(paused["event"]["what"], "paused", "{paused}");
    let e = owner
        .refused(json!({"type": "room_act", "action": {"op": "restart", "node": "host"}}))
        .await;
    assert_eq!(e["refusal"]["fact"]["error"]["code"], "not_crashed", "{e}");
    // The room is unharmed: an ordinary edit still applies.
    owner
        .ok(
            json!({"type": "room_act", "action": {"op": "set_hwm", "node": "server", "socket": "rep", "rcvhwm": 5}}),
            "room_acted",
        )
        .await;
}

/// Live rooms run the reliability engine: the lessons' scenarios (brokers,
/// task programs, scheduled faults) are rooms, and the creator may add a
/// broker; a participant adds only live task programs (`rooms_tasks.rs`).
#[tokio::test]
async fn live_rooms_run_brokers_task_programs_and_scheduled_faults() {
    let fanout = start();
    let mut owner = Client::connect(&fanout).await;
    for preset in ["at-least-once", "lazy-pirate", "broker-restart"] {
        let answer = owner
            .ok(
                json!({"type": "room_create", "scenario": preset, "seed": 1}),
                "room_joined",
            )
            .await;
        assert_eq!(answer["scenario"], preset, "{answer}");
        owner.ok(json!({"type": "room_leave"}), "room_left").await;
    }
    let (_code, _) = owner.create(empty_scenario(json!({}))).await;
    let broker = json!({"name": "b", "program": {"kind": "broker", "queues": [{"name": "tasks"}]}, "sockets": []});
    owner
        .ok(
            json!({"type": "room_act", "action": {"op": "add_node", "spec": broker}}),
            "room_acted",
        )
        .await;
    let topo = owner
        .ok(json!({"type": "room_topology"}), "room_topology")
        .await;
    assert!(
        topo["topology"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["name"] == "b" && n["program"] == "broker"),
        "{topo}"
    );
}
