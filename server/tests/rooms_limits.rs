//! Live rooms' limits and isolation, over real WebSockets against the real
//! binary started with small limits: every limit answers with an `error`
//! naming it (`field: "limits.…"`) and the flag that changes it; rooms see
//! nothing of each other; only the creator's token closes a room or
//! removes a participant; idle and empty rooms expire.

mod common;
mod rooms_support;

use std::time::Duration;

use common::{Fanout, http_get};
use rooms_support::{Client, empty_scenario};
use serde_json::{Value, json};

fn start(extra: &[&str]) -> Fanout {
    let mut args = vec!["--cache-nodes", "0"];
    args.extend_from_slice(extra);
    Fanout::start(&args)
}

fn push_bind(endpoint: &str) -> Value {
    json!([{"name": "out", "type": "PUSH", "bind": [endpoint]}])
}

fn assert_limit(error: &Value, field: &str, flag: &str) {
    assert_eq!(error["field"], field, "{error}");
    // Every limit is the room's own refusal, typed beside the sentence.
    assert_eq!(error["refusal"]["area"], "room", "{error}");
    assert!(error["refusal"]["fact"]["code"].is_string(), "{error}");
    assert!(
        error["message"].as_str().unwrap().contains(flag),
        "the message names {flag}: {error}"
    );
}

#[tokio::test]
async fn the_rate_limit_refuses_a_flood_and_recovers() {
    let fanout = start(&["--room-rate", "50"]);
    let mut c = Client::connect(&fanout).await;
    c.create(empty_scenario(json!({"sndhwm": 0, "rcvhwm": 0})))
        .await;
    let joined_limits = c
        .ok(json!({"type": "room_topology"}), "room_topology")
        .await;
    assert!(joined_limits["members"].is_array());
    c.add_node("p", push_bind("tcp://x"), false).await;
    // One send of 100 payloads is 100 messages: more than a second's worth.
    let e = c
        .refused(json!({"type": "send", "node": "p", "socket": "out",
                        "payloads": rooms_support::strings("m", 100)}))
        .await;
    assert_limit(&e, "limits.rate", "--room-rate");
    // Single sends until the bucket is empty.
    let mut refused = None;
    for i in 0..60 {
        let a = c
            .request(
                json!({"type": "send", "node": "p", "socket": "out", "payload": format!("m{i}")}),
            )
            .await;
        if a["type"] == "error" {
            refused = Some(a);
            break;
        }
    }
    assert_limit(
        &refused.expect("refused within 60"),
        "limits.rate",
        "--room-rate",
    );
    // A moment later the client may go on.
    tokio::time::sleep(Duration::from_millis(200)).await;
    c.ok(
        json!({"type": "send", "node": "p", "socket": "out", "payload": "later"}),
        "sent",
    )
    .await;
}

#[tokio::test]
async fn message_size_members_rooms_and_nodes_are_bounded() {
    let fanout = start(&[
        "--room-message-bytes",
        "100",
        "--max-rooms",
        "2",
        "--room-members",
        "2",
    ]);
    let mut a = Client::connect(&fanout).await;
    let joined = a
        .ok(
            json!({"type": "room_create", "scenario": empty_scenario(json!({}))}),
            "room_joined",
        )
        .await;
    assert_eq!(joined["limits"]["message_bytes"], 100, "{joined}");
    assert_eq!(joined["limits"]["members"], 2);
    assert_eq!(joined["limits"]["rooms"], 2);
    let code = joined["room"].as_str().unwrap().to_owned();
    a.add_node("p", push_bind("tcp://x"), false).await;
    let e = a
        .refused(json!({"type": "send", "node": "p", "socket": "out", "payloads": ["ok", "x".repeat(101)]}))
        .await;
    assert_limit(&e, "limits.message_bytes", "--room-message-bytes");
    assert!(e["message"].as_str().unwrap().contains("message 1"), "{e}");
    a.ok(
        json!({"type": "send", "node": "p", "socket": "out", "payload": "x".repeat(100)}),
        "sent",
    )
    .await;

    let mut b = Client::connect(&fanout).await;
    b.join(&code).await;
    let mut c = Client::connect(&fanout).await;
    let e = c.refused(json!({"type": "room_join", "room": code})).await;
    assert_limit(&e, "limits.members", "--room-members");

    // A second room fits, a third does not.
    let mut d = Client::connect(&fanout).await;
    d.create(empty_scenario(json!({}))).await;
    let e = c
        .refused(json!({"type": "room_create", "scenario": "pipeline"}))
        .await;
    assert_limit(&e, "limits.rooms", "--max-rooms");

    // A member drives at most 16 nodes.
    for i in 0..16 {
        b.add_node(&format!("n{i}"), json!([]), false).await;
    }
    let e = b
        .refused(json!({"type": "node_add", "name": "n16", "sockets": []}))
        .await;
    assert_eq!(e["field"], "limits.nodes", "{e}");
}

#[tokio::test]
async fn the_room_queue_limit_refuses_sends_that_would_pass_it() {
    let fanout = start(&["--room-queued-bytes", "1000"]);
    let mut a = Client::connect(&fanout).await;
    let (code, _) = a
        .create(empty_scenario(json!({"sndhwm": 0, "rcvhwm": 0})))
        .await;
    a.add_node("p", push_bind("tcp://x"), false).await;
    let mut b = Client::connect(&fanout).await;
    b.join(&code).await;
    // A PULL that never reads, with unlimited marks: everything queues.
    b.add_node(
        "lazy",
        json!([{"name": "in", "type": "PULL", "connect": ["tcp://x"]}]),
        false,
    )
    .await;
    a.wait_connected("p", "out", 1).await;
    let payload = "q".repeat(100);
    let mut sent = 0;
    let refusal = loop {
        let answer = a
            .request(json!({"type": "send", "node": "p", "socket": "out", "payload": payload}))
            .await;
        if answer["type"] == "error" {
            break answer;
        }
        sent += 1;
        assert!(sent <= 10, "the limit holds: {answer}");
    };
    assert_eq!(sent, 10, "1000 bytes = ten messages of 100");
    assert_limit(&refusal, "limits.room_queued_bytes", "--room-queued-bytes");
    // Once the reader takes some, there is room again.
    b.ok(
        json!({"type": "recv", "node": "lazy", "socket": "in", "max": 5}),
        "received",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    a.ok(
        json!({"type": "send", "node": "p", "socket": "out", "payload": payload}),
        "sent",
    )
    .await;
}

#[tokio::test]
async fn rooms_are_isolated_and_need_their_code() {
    let fanout = start(&[]);
    let mut a = Client::connect(&fanout).await;
    let (code_a, _) = a.create(empty_scenario(json!({}))).await;
    a.ok(json!({"type": "room_watch", "on": true}), "room_watching")
        .await;
    a.add_node("sender", push_bind("tcp://tasks"), false).await;
    let mut b = Client::connect(&fanout).await;
    let (code_b, _) = b.create(empty_scenario(json!({}))).await;
    assert_ne!(code_a, code_b);
    b.ok(json!({"type": "room_watch", "on": true}), "room_watching")
        .await;
    // Same endpoint text, other room: never connects.
    b.add_node(
        "thief",
        json!([{"name": "in", "type": "PULL", "connect": ["tcp://tasks"]}]),
        true,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let sent = a
        .ok(
            json!({"type": "send", "node": "sender", "socket": "out", "payload": "secret"}),
            "sent",
        )
        .await;
    assert_eq!(sent["eagain"]["why"], "no_peer", "nobody in room A: {sent}");
    // B sees nothing of A: no message, no node, no event naming it.
    let seen = b.drain_for(Duration::from_millis(300)).await;
    for frame in &seen {
        let text = frame.to_string();
        assert!(frame["type"] != "received", "{text}");
        assert!(
            !text.contains("sender") && !text.contains("secret"),
            "{text}"
        );
        if frame["room"].is_string() {
            assert_eq!(frame["room"], code_b.as_str());
        }
    }
    // Without a room, room frames are refused; a wrong code finds nothing.
    let mut c = Client::connect(&fanout).await;
    let e = c
        .refused(json!({"type": "send", "node": "sender", "socket": "out", "payload": "x"}))
        .await;
    assert_eq!(e["field"], "type");
    assert!(e["message"].as_str().unwrap().contains("room_join"), "{e}");
    let e = c
        .refused(json!({"type": "room_join", "room": "AAA-AAA"}))
        .await;
    assert_eq!(e["field"], "room");
    // Codes are typed back in any case, with or without the dash.
    let loose = code_a.replace('-', " ").to_lowercase();
    c.ok(json!({"type": "room_join", "room": loose}), "room_joined")
        .await;
    // A session is in one room at a time.
    let e = c
        .refused(json!({"type": "room_join", "room": code_b}))
        .await;
    assert!(e["message"].as_str().unwrap().contains("room_leave"), "{e}");
}

#[tokio::test]
async fn only_the_token_closes_a_room_or_removes_a_participant() {
    let fanout = start(&[]);
    let mut creator = Client::connect(&fanout).await;
    let (code, token) = creator.create(empty_scenario(json!({}))).await;
    let mut m = Client::connect(&fanout).await;
    let joined = m.join(&code).await;
    assert!(
        joined.get("token").is_none(),
        "only the creator sees the token"
    );
    assert_eq!(joined["owner"], false);
    let member = joined["member"].as_u64().unwrap();
    m.add_node("student", push_bind("tcp://s"), false).await;
    let mut other = Client::connect(&fanout).await;
    other.join(&code).await;

    // Without the token: refused.
    for frame in [
        json!({"type": "room_close", "room": code, "token": "0".repeat(32)}),
        json!({"type": "room_kick", "room": code, "token": "nope", "member": member}),
    ] {
        let e = m.refused(frame).await;
        assert_eq!(e["field"], "token", "{e}");
    }
    let e = m
        .refused(json!({"type": "room_join", "room": code, "token": "guess"}))
        .await;
    assert!(e["field"] == "token" || e["field"] == "type", "{e}");

    // With it: the participant is removed, with its node.
    let kicked = creator
        .ok(
            json!({"type": "room_kick", "room": code, "token": token, "node": "student"}),
            "room_kicked",
        )
        .await;
    assert_eq!(kicked["member"].as_u64(), Some(member));
    assert_eq!(kicked["nodes"], json!(["student"]));
    let left = m.push_of_type("room_left").await;
    assert!(
        left["reason"].as_str().unwrap().contains("creator"),
        "{left}"
    );
    assert_eq!(left["left"], json!({"code": "removed_by_creator"}));
    let e = m
        .refused(json!({"type": "send", "node": "student", "socket": "out", "payload": "x"}))
        .await;
    assert_eq!(e["field"], "type", "no longer in a room: {e}");
    let topo = creator
        .ok(json!({"type": "room_topology"}), "room_topology")
        .await;
    let student = topo["topology"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "student")
        .unwrap()
        .clone();
    assert_eq!(student["state"], "removed");

    // The token closes the room from any session; members are told why.
    let mut outsider = Client::connect(&fanout).await;
    let closed = outsider
        .ok(
            json!({"type": "room_close", "room": code, "token": token}),
            "room_closed",
        )
        .await;
    assert_eq!(closed["room"], code.as_str());
    for c in [&mut creator, &mut other] {
        let notice = c.push_of_type("room_closed").await;
        assert_eq!(notice["reason"], "closed by its creator");
        assert_eq!(notice["end"], json!({"code": "closed_by_creator"}));
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let e = outsider
        .refused(json!({"type": "room_join", "room": code}))
        .await;
    assert_eq!(e["field"], "room");
}

#[tokio::test]
async fn idle_and_empty_rooms_expire() {
    let fanout = start(&["--room-idle", "1s"]);
    // A member that sends nothing: the room closes and says why.
    let mut silent = Client::connect(&fanout).await;
    let (_, _) = silent.create(json!("pubsub")).await;
    let notice = silent.push_of_type("room_closed").await;
    assert!(
        notice["reason"].as_str().unwrap().contains("--room-idle"),
        "{notice}"
    );
    assert_eq!(notice["end"]["code"], "idle", "{notice}");
    // A room everyone left goes too.
    let mut leaver = Client::connect(&fanout).await;
    let (code, _) = leaver.create(json!("pipeline")).await;
    leaver.ok(json!({"type": "room_leave"}), "room_left").await;
    let mut later = Client::connect(&fanout).await;
    let deadline = tokio::time::Instant::now() + rooms_support::PATIENCE;
    loop {
        // Longer than --room-idle: a join in between would reset the clock.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let a = later
            .request(json!({"type": "room_join", "room": code}))
            .await;
        if a["type"] == "error" {
            assert_eq!(a["field"], "room");
            break;
        }
        later.ok(json!({"type": "room_leave"}), "room_left").await;
        assert!(
            tokio::time::Instant::now() < deadline,
            "the empty room never expired"
        );
    }
    // Pings keep a watching member's room open.
    let mut watcher = Client::connect(&fanout).await;
    watcher.create(json!("pi")).await;
    for i in 0..6 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        watcher.ok(json!({"type": "ping"}), "pong").await;
        let closed = watcher.pushed.iter().any(|f| f["type"] == "room_closed");
        assert!(!closed, "closed after {i} pings");
    }
}

#[tokio::test]
async fn the_worker_client_is_served_over_http() {
    let fanout = start(&[]);
    let (status, headers, body) = http_get(fanout.http, "/clients/worker.py").await;
    assert_eq!(status, 200);
    let on_disk = include_str!("../../static/clients/worker.py");
    assert_eq!(body, on_disk);
    let content_type = headers
        .iter()
        .find(|(name, _)| name == "content-type")
        .map(|(_, v)| v.as_str());
    assert_eq!(content_type, Some("text/x-python; charset=utf-8"));
    let (status, _, _) = http_get(fanout.http, "/clients/nothing.py").await;
    assert_eq!(status, 404);
}
