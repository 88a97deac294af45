//! [`RoomCore`] stepped in virtual time with no sockets, in the style of
//! quinn-proto's `Pair`: a harness plays the driver (it delivers pushed
//! frames to members' inboxes, reports what each session took, and moves
//! the clock to the room's next timeout), and each test plays the
//! participants. Together they cover what the WebSocket tests in
//! `server/tests/rooms*.rs` cover against the real binary.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::{Value, json};

use super::{
    Join, MemberId, OUTBOX_FRAMES, Refusal, RoomCore, RoomEnd, RoomRefusal, RoomRules, Transmit,
};
use crate::{
    lang::{Lang, Say},
    protocol::{ClientFrame, ServerFrame, decode_client_frame},
    sim::{Recording, Timeline, timeline::ScenarioRef},
    socket::{FsmState, SocketError},
    time::Tick,
};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// A room and its members' sessions, on virtual time.
struct Pair {
    core: RoomCore,
    now: Tick,
    /// Frames pushed to each member, not yet looked at.
    inbox: BTreeMap<MemberId, VecDeque<ServerFrame>>,
    /// Frames each member's session has taken from the room so far.
    delivered: BTreeMap<MemberId, u64>,
    /// Members whose session reads nothing for now (slow readers).
    asleep: BTreeSet<MemberId>,
    /// Members the room let go, with their last word.
    ended: BTreeMap<MemberId, Option<ServerFrame>>,
}

/// A scenario with one idle external node, for rooms whose whole topology
/// the members build.
fn empty_scenario(network: Value) -> ScenarioRef {
    let scenario = json!({
        "name": "live",
        "network": network,
        "nodes": [{"name": "host", "program": {"kind": "external"}, "sockets": []}]
    });
    ScenarioRef::Inline(Box::new(
        crate::sim::Scenario::from_json(&scenario.to_string()).unwrap(),
    ))
}

fn preset(name: &str) -> ScenarioRef {
    ScenarioRef::Preset(name.into())
}

/// A frame as the client sees it on the wire.
fn wire(frame: &ServerFrame) -> Value {
    serde_json::to_value(frame).unwrap()
}

fn strings(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

impl Pair {
    fn new(scenario: ScenarioRef, rules: RoomRules) -> Pair {
        Pair {
            core: RoomCore::create("TST-ROM".into(), TOKEN.into(), scenario, 1, rules).unwrap(),
            now: Tick::ZERO,
            inbox: BTreeMap::new(),
            delivered: BTreeMap::new(),
            asleep: BTreeSet::new(),
            ended: BTreeMap::new(),
        }
    }

    /// The driver's part after every input: frames go to their members,
    /// and the sessions that are awake take them at once (a sleeping one
    /// takes nothing, so its outbox fills).
    fn deliver(&mut self) {
        loop {
            while let Some((member, transmit)) = self.core.poll_transmit() {
                match transmit {
                    Transmit::Frame(frame) => {
                        self.inbox.entry(member).or_default().push_back(frame);
                        *self.delivered.entry(member).or_default() += 1;
                    }
                    Transmit::End(last) => {
                        self.ended.insert(member, last);
                    }
                }
            }
            for (member, total) in &self.delivered {
                if !self.asleep.contains(member) {
                    self.core.frames_taken(*member, *total);
                }
            }
            // Room in an outbox may let the room receive more at once.
            if self.core.poll_timeout() != Some(self.now) {
                return;
            }
            self.core.advance(self.now, u32::MAX);
            self.core.handle_timeout(self.now);
        }
    }

    /// Runs the room until `now + span`, waking at each of its timeouts.
    fn run_for(&mut self, span: Tick) {
        let target = self.now.saturating_add(span);
        loop {
            self.deliver();
            match self.core.poll_timeout() {
                Some(t) if t <= target => {
                    self.now = self.now.max(t);
                    self.core.advance(self.now, u32::MAX);
                    self.core.handle_timeout(self.now);
                }
                _ => break,
            }
        }
        self.now = target;
        self.core.advance(self.now, u32::MAX);
        self.core.handle_timeout(self.now);
        self.deliver();
    }

    fn ms(&mut self, ms: u64) {
        self.run_for(Tick::from_millis(ms));
    }

    fn join(&mut self, name: &str, watch: bool) -> MemberId {
        let (member, joined) = self
            .core
            .join(
                self.now,
                Join {
                    name: Some(name.into()),
                    watch,
                    creator: self.core.member_count() == 0,
                    ..Join::default()
                },
            )
            .unwrap();
        assert_eq!(wire(&joined)["type"], "room_joined");
        self.deliver();
        member
    }

    /// A member's request, as the session decodes it from the wire.
    fn ask(&mut self, member: MemberId, frame: Value) -> Result<ServerFrame, Refusal> {
        let ClientFrame::Room(frame) = decode_client_frame(&frame.to_string()).unwrap() else {
            panic!("{frame} is not a room frame");
        };
        self.core.advance(self.now, u32::MAX);
        let answer = self.core.handle_frame(self.now, member, frame);
        self.deliver();
        answer
    }

    fn ok(&mut self, member: MemberId, frame: Value, ty: &str) -> Value {
        let answer = self.ask(member, frame.clone());
        let answer = wire(&answer.unwrap_or_else(|r| panic!("{frame} refused: {r:?}")));
        assert_eq!(answer["type"], ty, "{frame} → {answer}");
        answer
    }

    fn refused(&mut self, member: MemberId, frame: Value) -> Refusal {
        match self.ask(member, frame.clone()) {
            Err(refusal) => refusal,
            Ok(answer) => panic!("{frame} was answered {answer:?}"),
        }
    }

    fn add_node(&mut self, member: MemberId, name: &str, sockets: Value, auto: bool) -> Value {
        self.ok(
            member,
            json!({"type": "node_add", "name": name, "sockets": sockets, "auto_recv": auto}),
            "node_added",
        )
    }

    /// Pushed frames of `member` (taken out of its inbox) matching `pred`.
    fn take_pushed(&mut self, member: MemberId, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
        let Some(frames) = self.inbox.get_mut(&member) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut keep = VecDeque::new();
        for frame in frames.drain(..) {
            let value = wire(&frame);
            if pred(&value) {
                out.push(value);
            } else {
                keep.push_back(frame);
            }
        }
        *frames = keep;
        out
    }

    /// Payloads pushed to `member` for `node` so far, in order.
    fn received(&mut self, member: MemberId, node: &str) -> Vec<String> {
        self.take_pushed(member, |f| f["type"] == "received" && f["node"] == node)
            .iter()
            .flat_map(|f| f["messages"].as_array().unwrap().clone())
            .map(|m| m["payload"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Sends one payload at a time, waiting a millisecond on `EAGAIN`.
    fn send_all(&mut self, member: MemberId, node: &str, socket: &str, payloads: &[String]) {
        for p in payloads {
            for attempt in 0.. {
                let sent = self.ok(
                    member,
                    json!({"type": "send", "node": node, "socket": socket, "payload": p}),
                    "sent",
                );
                if !sent["msgs"].as_array().unwrap().is_empty() {
                    break;
                }
                assert!(attempt < 1000, "EAGAIN forever: {sent}");
                self.ms(1);
            }
        }
    }

    fn socket(&self, node: &str, socket: &str) -> crate::socket::SocketId {
        self.core.sim().socket_id(node, socket).unwrap()
    }
}

fn pull(endpoint: &str) -> Value {
    json!([{"name": "in", "type": "PULL", "connect": [endpoint]}])
}

fn push_bind(endpoint: &str) -> Value {
    json!([{"name": "out", "type": "PUSH", "bind": [endpoint]}])
}

#[test]
fn push_round_robins_over_three_pull_members() {
    let mut room = Pair::new(empty_scenario(json!({})), RoomRules::default());
    let vent = room.join("vent", false);
    room.add_node(vent, "vent", push_bind("tcp://tasks"), false);
    let mut workers = Vec::new();
    for name in ["w0", "w1", "w2"] {
        let w = room.join(name, false);
        let added = room.add_node(w, name, pull("tcp://tasks"), true);
        assert_eq!(added["sockets"][0]["auto_recv"], true, "{added}");
        workers.push(w);
        // One at a time, so the PUSH counts them in this order.
        room.ms(20);
    }
    let sent = room.ok(
        vent,
        json!({"type": "send", "node": "vent", "socket": "out", "payloads": strings("m", 9)}),
        "sent",
    );
    assert_eq!(sent["msgs"].as_array().unwrap().len(), 9, "{sent}");
    assert!(sent.get("eagain").is_none(), "{sent}");
    room.ms(20);
    let got: Vec<Vec<String>> = workers
        .iter()
        .zip(["w0", "w1", "w2"])
        .map(|(w, name)| room.received(*w, name))
        .collect();
    // What pyzmq shows with three connected PULLs (zmq-semantics).
    assert_eq!(
        got,
        [["m0", "m3", "m6"], ["m1", "m4", "m7"], ["m2", "m5", "m8"]]
    );
}

#[test]
fn pull_fair_queues_over_three_push_members() {
    let mut room = Pair::new(empty_scenario(json!({})), RoomRules::default());
    let collector = room.join("collector", false);
    room.add_node(
        collector,
        "collector",
        json!([{"name": "in", "type": "PULL", "bind": ["tcp://logs"]}]),
        false,
    );
    let mut pushers = Vec::new();
    for name in ["p0", "p1", "p2"] {
        let p = room.join(name, false);
        room.add_node(
            p,
            name,
            json!([{"name": "out", "type": "PUSH", "connect": ["tcp://logs"]}]),
            false,
        );
        pushers.push(p);
        room.ms(20);
    }
    for (p, name) in pushers.iter().zip(["p0", "p1", "p2"]) {
        let payloads = strings(&format!("{name}-"), 3);
        room.ok(
            *p,
            json!({"type": "send", "node": name, "socket": "out", "payloads": payloads}),
            "sent",
        );
    }
    room.ms(20);
    let sid = room.socket("collector", "in");
    assert_eq!(room.core.sim().receivable(sid), 9, "all nine wait");
    let got = room.ok(
        collector,
        json!({"type": "recv", "node": "collector", "socket": "in", "max": 20}),
        "received",
    );
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

#[test]
fn sub_members_get_what_their_filters_match() {
    let mut room = Pair::new(empty_scenario(json!({})), RoomRules::default());
    let publisher = room.join("pub", false);
    room.add_node(
        publisher,
        "pub",
        json!([{"name": "out", "type": "PUB", "bind": ["tcp://news"]}]),
        false,
    );
    let filters = [
        ("weather", json!(["weather."])),
        ("news", json!(["news"])),
        ("all", json!([""])),
        ("deaf", json!([])),
    ];
    let mut subs = Vec::new();
    for (name, topics) in &filters {
        let s = room.join(name, false);
        room.add_node(
            s,
            name,
            json!([{"name": "in", "type": "SUB", "connect": ["tcp://news"], "subscribe": topics}]),
            true,
        );
        subs.push(s);
    }
    // The handshakes, then the subscriptions travelling to the publisher.
    room.ms(50);
    let sent = room.ok(
        publisher,
        json!({"type": "send", "node": "pub", "socket": "out",
               "payloads": ["weather.paris", "newsletter 1", "news.flash", "sports", "weather.oslo"]}),
        "sent",
    );
    assert_eq!(
        sent["msgs"].as_array().unwrap().len(),
        5,
        "PUB never blocks"
    );
    room.ms(20);
    assert_eq!(
        room.received(subs[0], "weather"),
        ["weather.paris", "weather.oslo"]
    );
    assert_eq!(
        room.received(subs[1], "news"),
        ["newsletter 1", "news.flash"]
    );
    assert_eq!(
        room.received(subs[2], "all"),
        [
            "weather.paris",
            "newsletter 1",
            "news.flash",
            "sports",
            "weather.oslo"
        ]
    );
    assert!(room.received(subs[3], "deaf").is_empty(), "no subscription");
    room.ok(
        subs[3],
        json!({"type": "room_act", "action": {"op": "subscribe", "node": "deaf", "socket": "in", "topic": "sports"}}),
        "room_acted",
    );
    room.ms(50);
    room.ok(
        publisher,
        json!({"type": "send", "node": "pub", "socket": "out", "payloads": ["sports 2", "weather.rome"]}),
        "sent",
    );
    room.ms(20);
    assert_eq!(room.received(subs[3], "deaf"), ["sports 2"]);
}

fn efsm(refusal: &Refusal) -> bool {
    matches!(
        refusal,
        Refusal::Room(RoomRefusal::SocketFailed {
            error: SocketError::Efsm { .. },
            ..
        })
    )
}

#[test]
fn req_rep_order_errors_go_to_the_offending_member_only() {
    let mut room = Pair::new(empty_scenario(json!({})), RoomRules::default());
    let server = room.join("server", false);
    room.add_node(
        server,
        "server",
        json!([{"name": "rep", "type": "REP", "bind": ["tcp://svc"]}]),
        false,
    );
    let mut clients = Vec::new();
    for name in ["a", "b"] {
        let c = room.join(name, false);
        room.add_node(
            c,
            name,
            json!([{"name": "req", "type": "REQ", "connect": ["tcp://svc"]}]),
            false,
        );
        clients.push(c);
    }
    room.ms(20);

    let e = room.refused(
        server,
        json!({"type": "send", "node": "server", "socket": "rep", "payload": "too soon"}),
    );
    assert!(efsm(&e), "REP may not send first: {e:?}");
    assert_eq!(e.field().as_deref(), Some("socket"));
    assert!(e.english().starts_with("EFSM"), "{}", e.english());
    let e = room.refused(
        clients[0],
        json!({"type": "recv", "node": "a", "socket": "req"}),
    );
    assert!(efsm(&e), "REQ may not receive first");
    for (c, name) in clients.iter().zip(["a", "b"]) {
        room.ok(
            *c,
            json!({"type": "send", "node": name, "socket": "req", "payload": format!("hello from {name}")}),
            "sent",
        );
    }
    let e = room.refused(
        clients[0],
        json!({"type": "send", "node": "a", "socket": "req", "payload": "again"}),
    );
    assert!(
        e.english()
            .contains("REQ cannot send while waiting for the reply"),
        "{}",
        e.english()
    );
    room.ms(20);

    // Two requests wait, but a REP takes one before it must reply: a recv
    // of up to five returns one, and no EAGAIN (the engine said stop).
    let got = room.ok(
        server,
        json!({"type": "recv", "node": "server", "socket": "rep", "max": 5}),
        "received",
    );
    assert_eq!(got["messages"].as_array().unwrap().len(), 1, "{got}");
    assert!(got.get("eagain").is_none(), "{got}");
    let first = got["messages"][0]["payload"].as_str().unwrap().to_owned();
    let e = room.refused(
        server,
        json!({"type": "recv", "node": "server", "socket": "rep"}),
    );
    assert!(efsm(&e), "REP may not receive twice");
    room.ok(
        server,
        json!({"type": "send", "node": "server", "socket": "rep", "payload": format!("re: {first}")}),
        "sent",
    );
    // Automatic receiving on the REP now takes the second request, and
    // only that one; on the REQ, only its reply.
    room.ok(
        server,
        json!({"type": "recv_auto", "node": "server", "on": true}),
        "recv_auto",
    );
    for (c, name) in clients.iter().zip(["a", "b"]) {
        room.ok(
            *c,
            json!({"type": "recv_auto", "node": name, "on": true}),
            "recv_auto",
        );
    }
    room.ms(20);
    let second = room.received(server, "server");
    assert_eq!(second.len(), 1, "{second:?}");
    assert_ne!(second[0], first);
    let asker = if first.ends_with('a') { 0 } else { 1 };
    let name = ["a", "b"][asker];
    assert_eq!(
        room.received(clients[asker], name),
        [format!("re: {first}")]
    );
    assert!(
        room.received(clients[1 - asker], ["a", "b"][1 - asker])
            .is_empty()
    );
    // Refusals are answers, never pushed: nobody's inbox holds an error.
    for frames in room.inbox.values() {
        assert!(frames.iter().all(|f| wire(f)["type"] != "error"));
    }
}

#[test]
fn a_vanished_pull_member_loses_its_queued_messages_and_the_rest_go_on() {
    let mut room = Pair::new(
        empty_scenario(json!({"sndhwm": 5, "rcvhwm": 5})),
        RoomRules::default(),
    );
    let vent = room.join("vent", true);
    room.add_node(vent, "vent", push_bind("tcp://jobs"), false);
    // w1 never reads; w2 reads everything as it arrives.
    let w1 = room.join("w1", false);
    room.add_node(w1, "w1", pull("tcp://jobs"), false);
    room.ms(20);
    let w2 = room.join("w2", false);
    room.add_node(w2, "w2", pull("tcp://jobs"), true);
    room.ms(20);

    room.send_all(vent, "vent", "out", &strings("a", 20));
    room.ms(20);
    let w1_in = room.socket("w1", "in");
    assert!(room.core.sim().receivable(w1_in) > 0, "queued for w1");
    // w1's session drops without a goodbye: its outbox closed.
    let now = room.now;
    room.core.leave(now, w1);
    room.ms(60);
    let removed = room.take_pushed(vent, |f| {
        f["type"] == "room_events"
            && f["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["type"] == "node_removed")
    });
    let lost = removed[0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "node_removed")
        .unwrap()["lost"]
        .as_u64()
        .unwrap();
    assert!(lost > 0, "w1 had messages queued");
    assert_eq!(room.ended.get(&w1), Some(&None), "no last word for it");

    room.send_all(vent, "vent", "out", &strings("b", 10));
    room.ms(60);
    let got = room.received(w2, "w2");
    assert_eq!(got.len() as u64, 30 - lost, "{got:?}");
    let unique: BTreeSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "no duplicates");
    for b in strings("b", 10) {
        assert!(unique.contains(&b), "{b} reached w2");
    }
    let summary = room.core.sim().summary();
    assert_eq!(summary.drops.disconnected, lost);
    assert_eq!(summary.nodes["vent"].sent, 30);
    assert_eq!(summary.nodes["w2"].received, 30 - lost);
}

#[test]
fn a_member_takes_over_a_scenario_node() {
    let mut room = Pair::new(preset("pipeline"), RoomRules::default());
    let owner = room.join("owner", false);
    let student = room.join("student", false);
    room.ms(30);
    let taken = room.ok(
        student,
        json!({"type": "node_take", "node": "worker-1", "auto_recv": true}),
        "node_added",
    );
    assert_eq!(taken["taken"], true);
    let kinds: Vec<&str> = taken["sockets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["PULL", "PUSH"]);
    let e = room.refused(owner, json!({"type": "node_take", "node": "worker-1"}));
    assert!(
        matches!(e, Refusal::Room(RoomRefusal::NodeAlreadyDriven { member, .. }) if member == student),
        "{e:?}"
    );
    assert_eq!(e.field().as_deref(), Some("node"));
    room.ms(200);
    let mut tasks = room.received(student, "worker-1");
    assert!(tasks.len() >= 5, "{tasks:?}");
    tasks.truncate(5);
    assert!(tasks.iter().all(|t| t.starts_with("task ")), "{tasks:?}");
    let results: Vec<String> = tasks.iter().map(|t| format!("{t} done by hand")).collect();
    let sent = room.ok(
        student,
        json!({"type": "send", "node": "worker-1", "socket": "out", "payloads": results}),
        "sent",
    );
    assert_eq!(sent["msgs"].as_array().unwrap().len(), tasks.len());
    let topo = room.ok(owner, json!({"type": "room_topology"}), "room_topology");
    let node = topo["topology"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "worker-1")
        .unwrap()
        .clone();
    assert_eq!(node["program"], "external", "{node}");
    assert!(
        topo["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["nodes"] == json!(["worker-1"])),
        "the driver is listed: {topo}"
    );
    let e = room.refused(
        owner,
        json!({"type": "send", "node": "worker-1", "socket": "out", "payload": "x"}),
    );
    assert!(
        matches!(&e, Refusal::Room(RoomRefusal::NodeDrivenBy { name, .. }) if name == "student"),
        "{e:?}"
    );
    let e = room.refused(
        student,
        json!({"type": "send", "node": "ventilator", "socket": "out", "payload": "x"}),
    );
    assert!(e.english().contains("node_take"), "{}", e.english());
}

/// A judge taken over while it waits for pythagoras keeps its REQ's turn,
/// as the engine holds it: it may not send, and automatic receiving takes
/// exactly the reply, after which it may send again.
#[test]
fn a_taken_over_req_keeps_its_turn() {
    let mut room = Pair::new(preset("pi"), RoomRules::default());
    let student = room.join("student", false);
    let req = room.socket("judge", "to_pyth");
    let mut waited = 0;
    while !(room.core.sim().topology().sockets[req.0 as usize].fsm == Some(FsmState::AwaitingReply)
        && room.core.sim().receivable(req) == 0)
    {
        room.run_for(Tick::from_micros(100));
        waited += 1;
        assert!(waited < 10_000, "the judge never asked pythagoras");
    }
    assert!(!room.core.sim().may_send(req));
    room.ok(
        student,
        json!({"type": "node_take", "node": "judge", "auto_recv": false}),
        "node_added",
    );
    let e = room.refused(
        student,
        json!({"type": "send", "node": "judge", "socket": "to_pyth", "payload": "3 4"}),
    );
    assert!(efsm(&e), "still awaiting the reply: {e:?}");
    room.ok(
        student,
        json!({"type": "recv_auto", "node": "judge", "socket": "to_pyth", "on": true}),
        "recv_auto",
    );
    room.ms(100);
    let replies = room.received(student, "judge");
    assert_eq!(
        replies.len(),
        1,
        "one reply, then its turn to send: {replies:?}"
    );
    assert!(room.core.sim().may_send(req));
    room.ok(
        student,
        json!({"type": "send", "node": "judge", "socket": "to_pyth", "payload": "3 4"}),
        "sent",
    );
}

/// A member that reads nothing gets at most its outbox's worth of frames;
/// the rest stays queued in the engine, where the pipe's marks push back
/// on the sender (`EAGAIN`), and nothing is lost once it reads again.
#[test]
fn a_slow_reader_leaves_its_messages_in_the_engine() {
    let mut room = Pair::new(
        empty_scenario(json!({"sndhwm": 5, "rcvhwm": 5})),
        RoomRules::default(),
    );
    let sender = room.join("sender", false);
    room.add_node(sender, "p", push_bind("tcp://x"), false);
    let reader = room.join("reader", false);
    room.add_node(reader, "r", pull("tcp://x"), true);
    room.ms(20);
    room.asleep.insert(reader);
    let mut accepted = 0;
    let refusal = loop {
        let sent = room.ok(
            sender,
            json!({"type": "send", "node": "p", "socket": "out", "payload": format!("m{accepted}")}),
            "sent",
        );
        if let Some(why) = sent.get("eagain") {
            break why.clone();
        }
        accepted += 1;
        room.ms(1);
        assert!(accepted < 10_000, "the sender is never pushed back");
    };
    assert_eq!(refusal["why"], "pipes_full", "{refusal}");
    let holding = room.inbox[&reader].len() as u64;
    assert_eq!(
        holding, OUTBOX_FRAMES,
        "one frame per message, up to the outbox"
    );
    let r_in = room.socket("r", "in");
    let waiting = room.core.sim().receivable(r_in);
    assert!(waiting > 0, "the rest waits in the engine");
    assert!(room.core.starved());
    let low: Vec<MemberId> = room.core.low_on_room().collect();
    assert_eq!(low, [reader], "the driver is asked to report its reading");
    // Everything accepted is in the reader's outbox or in the engine's
    // pipes, which hold at most SNDHWM + the credit of a reader that
    // stopped reading (5 + 3).
    let (in_pipes, _) = room.core.sim().queued();
    assert_eq!(accepted, OUTBOX_FRAMES + in_pipes);
    assert!(in_pipes <= 8, "{in_pipes}");

    room.asleep.remove(&reader);
    room.ms(20);
    let got = room.received(reader, "r");
    assert_eq!(got, strings("m", accepted as usize), "all, once, in order");
    assert_eq!(room.core.low_on_room().count(), 0);
    assert_eq!(room.core.sim().receivable(r_in), 0);
}

#[test]
fn members_nodes_names_and_queued_bytes_are_bounded() {
    let rules = RoomRules {
        members: 2,
        queued_bytes: 1000,
        ..RoomRules::default()
    };
    let mut room = Pair::new(empty_scenario(json!({"sndhwm": 0, "rcvhwm": 0})), rules);
    let a = room.join("a", false);
    let b = room.join("b", false);
    let e = room
        .core
        .join(room.now, Join::default())
        .expect_err("the room is full");
    assert_eq!(e.field().as_deref(), Some("limits.members"));
    assert!(e.english().contains("--room-members"), "{}", e.english());

    for i in 0..16 {
        room.add_node(b, &format!("n{i}"), json!([]), false);
    }
    let e = room.refused(b, json!({"type": "node_add", "name": "n16", "sockets": []}));
    assert_eq!(e, Refusal::Room(RoomRefusal::NodeLimit { max: 16 }));
    assert_eq!(e.field().as_deref(), Some("limits.nodes"));
    let e = room.refused(
        a,
        json!({"type": "node_add", "name": "x".repeat(65), "sockets": []}),
    );
    assert_eq!(e.field().as_deref(), Some("name"));

    room.add_node(a, "p", push_bind("tcp://x"), false);
    room.add_node(a, "lazy", pull("tcp://x"), false);
    room.ms(20);
    let payload = "q".repeat(100);
    let mut sent = 0;
    let refusal = loop {
        match room.ask(
            a,
            json!({"type": "send", "node": "p", "socket": "out", "payload": payload}),
        ) {
            Ok(_) => sent += 1,
            Err(refusal) => break refusal,
        }
        assert!(sent <= 10, "the limit holds");
    };
    assert_eq!(sent, 10, "1000 bytes = ten messages of 100");
    assert_eq!(refusal.field().as_deref(), Some("limits.room_queued_bytes"));
    assert!(refusal.english().contains("--room-queued-bytes"));
    room.ms(20);
    room.ok(
        a,
        json!({"type": "recv", "node": "lazy", "socket": "in", "max": 5}),
        "received",
    );
    // The next housekeeping counts the pipes again.
    room.ms(250);
    room.ok(
        a,
        json!({"type": "send", "node": "p", "socket": "out", "payload": payload}),
        "sent",
    );
}

/// A room's programs make at most `tasks` tasks: a live `publish` past it
/// is refused, and a producer program running past it closes the room
/// (its ledger keeps every task, so this bounds the room's memory).
#[cfg(feature = "reliability")]
#[test]
fn a_room_makes_a_bounded_number_of_tasks() {
    let scenario = json!({
        "name": "runaway",
        "network": {"latency": "1ms"},
        "nodes": [
            {"name": "broker", "program": {"kind": "broker", "queues": [{"name": "q"}]}, "sockets": []},
            {"name": "producer", "program": {"kind": "task_producer", "broker": "broker", "queue": "q",
                "interval": "1ms"}, "sockets": []}
        ]
    });
    let scenario = ScenarioRef::Inline(Box::new(
        crate::sim::Scenario::from_json(&scenario.to_string()).unwrap(),
    ));
    let rules = RoomRules {
        tasks: 50,
        ..RoomRules::default()
    };
    let mut room = Pair::new(scenario, rules);
    let m = room.join("teacher", false);
    room.ok(
        m,
        json!({"type": "node_add", "name": "p", "program": {"kind": "task_producer", "broker": "broker",
            "queue": "q", "interval": "0ms", "live": true}}),
        "node_added",
    );
    room.ms(20);
    let e = room.refused(
        m,
        json!({"type": "room_act", "action": {"op": "publish", "node": "p", "count": 40}}),
    );
    assert!(
        matches!(e, Refusal::Room(RoomRefusal::TaskLimit { tasks, limit: 50 }) if tasks >= 10),
        "{e:?}"
    );
    assert_eq!(room.core.end(), None);
    room.ms(100);
    assert!(
        matches!(
            room.core.end(),
            Some(RoomEnd::TooManyTasks { limit: 50, .. })
        ),
        "{:?}",
        room.core.end()
    );
    let last = wire(room.ended[&m].as_ref().unwrap());
    assert_eq!(last["end"]["code"], "too_many_tasks", "{last}");
}

#[test]
fn idle_and_empty_rooms_close_and_pings_keep_them_open() {
    let rules = RoomRules {
        idle: Tick::from_secs(1),
        ..RoomRules::default()
    };
    let mut silent = Pair::new(preset("pubsub"), rules.clone());
    let m = silent.join("silent", false);
    silent.ms(1100);
    assert_eq!(silent.core.end(), Some(&RoomEnd::Idle { seconds: 1 }));
    let last = wire(silent.ended[&m].as_ref().unwrap());
    assert_eq!(last["type"], "room_closed");
    assert!(last["reason"].as_str().unwrap().contains("--room-idle"));
    assert_eq!(last["end"], json!({"code": "idle", "seconds": 1}));
    assert_eq!(silent.core.poll_timeout(), None);

    let mut left = Pair::new(preset("pipeline"), rules.clone());
    let m = left.join("leaver", false);
    left.ms(500);
    left.ok(m, json!({"type": "room_leave"}), "room_left");
    left.ms(900);
    assert_eq!(left.core.end(), None, "the grace is not over");
    left.ms(200);
    assert!(
        matches!(
            left.core.end(),
            Some(RoomEnd::Empty { .. } | RoomEnd::Idle { .. })
        ),
        "{:?}",
        left.core.end()
    );

    let mut watched = Pair::new(preset("pi"), rules);
    let m = watched.join("watcher", true);
    for _ in 0..10 {
        watched.ms(300);
        let now = watched.now;
        watched.core.touch(now, m);
    }
    assert_eq!(watched.core.end(), None, "pings count as activity");
}

#[test]
fn only_the_token_closes_a_room_or_removes_a_member() {
    let mut room = Pair::new(empty_scenario(json!({})), RoomRules::default());
    let creator = room.join("creator", false);
    let student = room.join("student", false);
    room.add_node(student, "student", push_bind("tcp://s"), false);
    let other = room.join("other", false);
    let now = room.now;
    assert_eq!(
        room.core.close(now, "nope", None),
        Err(Refusal::Room(RoomRefusal::WrongToken))
    );
    assert_eq!(
        room.core.kick(now, "nope", Some(student), None, None),
        Err(Refusal::Room(RoomRefusal::WrongToken))
    );
    let e = room
        .core
        .join(
            now,
            Join {
                token: Some("guess".into()),
                ..Join::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.field().as_deref(), Some("token"));

    let kicked = wire(
        &room
            .core
            .kick(now, TOKEN, None, Some("student"), Some(4))
            .unwrap(),
    );
    assert_eq!(kicked["member"], student);
    assert_eq!(kicked["nodes"], json!(["student"]));
    room.deliver();
    let last = wire(room.ended[&student].as_ref().unwrap());
    assert_eq!(last["type"], "room_left");
    assert_eq!(last["reason"], "removed by the room's creator");
    assert_eq!(last["left"], json!({"code": "removed_by_creator"}));
    assert_eq!(
        room.refused(
            student,
            json!({"type": "send", "node": "student", "socket": "out", "payload": "x"})
        ),
        Refusal::Room(RoomRefusal::NoLongerInRoom)
    );
    let topo = room.ok(creator, json!({"type": "room_topology"}), "room_topology");
    let node = topo["topology"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "student")
        .unwrap()
        .clone();
    assert_eq!(node["state"], "removed");

    let closed = wire(&room.core.close(now, TOKEN, Some(9)).unwrap());
    assert_eq!(closed["reason"], "closed by its creator");
    assert_eq!(closed["end"], json!({"code": "closed_by_creator"}));
    assert_eq!(closed["id"], 9);
    room.deliver();
    for m in [creator, other] {
        let last = wire(room.ended[&m].as_ref().unwrap());
        assert_eq!(last["type"], "room_closed");
        assert_eq!(last["reason"], "closed by its creator");
        assert_eq!(last["end"], json!({"code": "closed_by_creator"}));
    }
    assert_eq!(
        room.core.join(now, Join::default()).unwrap_err(),
        Refusal::Room(RoomRefusal::RoomGone)
    );
}

#[test]
fn a_live_run_replays_offline_to_the_same_trace() {
    let mut room = Pair::new(preset("pipeline"), RoomRules::default());
    let worker = room.join("student", false);
    room.ms(7);
    room.add_node(
        worker,
        "student",
        json!([{"name": "in", "type": "PULL", "connect": ["tcp://ventilator"]},
               {"name": "out", "type": "PUSH", "connect": ["tcp://sink"]}]),
        true,
    );
    let mut tasks = Vec::new();
    while tasks.len() < 20 {
        room.ms(5);
        tasks.extend(room.received(worker, "student"));
    }
    let results: Vec<String> = tasks.iter().map(|t| format!("{t} done")).collect();
    room.send_all(worker, "student", "out", &results);
    room.ms(30);
    let answer = room.ok(worker, json!({"type": "room_recording"}), "room_recording");
    assert_eq!(answer["complete"], true);
    let recording: Recording = serde_json::from_value(answer["recording"].clone()).unwrap();
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

    // A follower that has the first actions asks for the rest only: the
    // same end, the actions past `after`, and `after` told back (at most
    // the recording's length).
    let have = recording.actions.len() - 2;
    let rest = room.ok(
        worker,
        json!({"type": "room_recording", "after": have}),
        "room_recording",
    );
    assert_eq!(rest["after"], have);
    let tail: Recording = serde_json::from_value(rest["recording"].clone()).unwrap();
    assert_eq!(tail.actions, recording.actions[have..]);
    assert_eq!((tail.step, tail.time), (recording.step, recording.time));
    let beyond = room.ok(
        worker,
        json!({"type": "room_recording", "after": have + 100}),
        "room_recording",
    );
    assert_eq!(beyond["after"], recording.actions.len());
    let nothing_new: Recording = serde_json::from_value(beyond["recording"].clone()).unwrap();
    assert!(nothing_new.actions.is_empty());

    // The answer counts the room's members (a follower reads no other
    // frame that does).
    assert_eq!(beyond["members"], 1);
    room.join("another", false);
    let later = room.ok(worker, json!({"type": "room_recording"}), "room_recording");
    assert_eq!(later["members"], 2);
}

/// Two watchers from the start, one of which stops reading for a while:
/// when it reads again, it has been told of every event, sampled or
/// counted in `skipped`, exactly as the one that always read.
#[test]
fn a_slow_watcher_misses_frames_but_no_count() {
    let mut room = Pair::new(preset("pipeline"), RoomRules::default());
    let fast = room.join("fast", true);
    let slow = room.join("slow", true);
    room.asleep.insert(slow);
    room.ms(20_000);
    assert_eq!(room.inbox[&slow].len() as u64, OUTBOX_FRAMES);
    room.asleep.remove(&slow);
    room.ms(500);
    // Count up to the same flush: the last frame each got.
    let told = |room: &mut Pair, m: MemberId| -> (u64, u64) {
        let frames = room.take_pushed(m, |f| f["type"] == "room_events");
        let total = frames
            .iter()
            .map(|f| f["events"].as_array().unwrap().len() as u64 + f["skipped"].as_u64().unwrap())
            .sum();
        let last = frames.last().unwrap()["summary"]["events"]
            .as_u64()
            .unwrap();
        (total, last)
    };
    let (fast_total, fast_last) = told(&mut room, fast);
    let (slow_total, slow_last) = told(&mut room, slow);
    assert_eq!(fast_last, slow_last, "both got the last flush");
    assert_eq!(fast_total, slow_total);
    assert!(fast_total > 10_000, "a busy room: {fast_total}");
}

/// The same inputs at the same times make the same room: the engine's
/// trace and every frame pushed.
#[test]
fn a_room_is_a_function_of_its_inputs() {
    let run = || {
        let mut room = Pair::new(preset("pipeline"), RoomRules::default());
        let a = room.join("a", true);
        room.ms(3);
        room.add_node(a, "a", pull("tcp://ventilator"), true);
        room.ms(300);
        room.ok(
            a,
            json!({"type": "node_take", "node": "worker-2", "auto_recv": true}),
            "node_added",
        );
        room.ms(300);
        let frames: Vec<Value> = room.inbox[&a].iter().map(wire).collect();
        (room.core.sim().trace_digest(), frames)
    };
    let (digest, frames) = run();
    assert!(frames.len() > 10);
    assert_eq!(run(), (digest, frames));
}

/// Every refusal and every end says itself in both languages, and reads
/// back as written.
#[test]
fn facts_say_themselves_and_round_trip() {
    let refusals = [
        RoomRefusal::RoomFull {
            room: "KFC-7PX".into(),
            members: 2,
        },
        RoomRefusal::SocketFailed {
            error: SocketError::NotSupported {
                kind: crate::socket::SocketKind::Pull,
                op: crate::socket::OpKind::Send,
            },
            sent: 2,
        },
        RoomRefusal::NoReceivingSocket {
            node: "n".into(),
            socket: Some("out".into()),
        },
        RoomRefusal::QueuesFull {
            room: "KFC-7PX".into(),
            queued: 10,
            limit: 5,
        },
    ];
    for r in &refusals {
        for lang in Lang::ALL {
            assert!(!r.say(lang).is_empty());
        }
        assert_ne!(r.say(Lang::En), r.say(Lang::Zh));
        let text = serde_json::to_string(r).unwrap();
        assert_eq!(&serde_json::from_str::<RoomRefusal>(&text).unwrap(), r);
        assert!(text.contains("\"code\""), "{text}");
    }
    let frame = wire(&ServerFrame::refused(refusals[0].clone()));
    assert_eq!(frame["field"], "limits.members");
    assert_eq!(frame["refusal"]["area"], "room");
    assert_eq!(frame["refusal"]["fact"]["code"], "room_full");
    assert_eq!(
        frame["message"],
        "room KFC-7PX is full: at most 2 members per room (--room-members)"
    );
    let ends = [
        RoomEnd::ClosedByCreator,
        RoomEnd::Idle { seconds: 600 },
        RoomEnd::FellBehind { seconds: 31 },
    ];
    for e in &ends {
        assert_ne!(e.say(Lang::En), e.say(Lang::Zh));
        let text = serde_json::to_string(e).unwrap();
        assert_eq!(&serde_json::from_str::<RoomEnd>(&text).unwrap(), e);
    }
}
