//! Real ZeroMQ programs in live rooms (issue 17): a room created with
//! `zmtp: true` listens on a TCP port for each endpoint its scenario
//! binds, and pyzmq sockets that connect there become participants whose
//! messages the room's engine routes. The pyzmq tests need Python with
//! pyzmq (`FANOUT_PYTHON`, pinned in `xtask/python-requirements.txt`;
//! skipped with a note when unset); the bad-peer tests speak raw bytes and
//! always run.

mod common;
mod rooms_support;

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Output, Stdio},
};

use common::Fanout;
use fanout_shared::{
    socket::SocketKind,
    zmtp::{Frame, PeerEvent, ZmtpPeer, frame::Decoded},
};
use rooms_support::{Client, PATIENCE, python, text};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// A scenario with one socket of each kind bound for programs to connect
/// to: a ventilator PUSHing tasks, a publisher cycling over two topics, a
/// REP service, and two external nodes (a SUB and a REQ) the test drives
/// over its WebSocket.
fn scenario() -> Value {
    json!({
        "name": "zmtp-test",
        "network": {"latency": "50us", "handshake": "1ms"},
        "nodes": [
            {"name": "vent", "program": {"kind": "producer", "interval": "2ms", "payload": "task {n}"},
             "sockets": [{"name": "out", "type": "PUSH", "bind": ["tcp://tasks"]}]},
            {"name": "news", "program": {"kind": "producer", "interval": "1ms", "payload": "{topic}{n}",
                                         "topics": ["weather.", "sports."], "pick": "cycle"},
             "sockets": [{"name": "out", "type": "PUB", "bind": ["tcp://news"]}]},
            {"name": "service", "program": {"kind": "replier", "reply": "{payload} answered"},
             "sockets": [{"name": "rep", "type": "REP", "bind": ["tcp://service"]}]},
            {"name": "listener", "program": {"kind": "external"},
             "sockets": [{"name": "in", "type": "SUB", "bind": ["tcp://feed"], "subscribe": [""]}]},
            {"name": "asker", "program": {"kind": "external"},
             "sockets": [{"name": "req", "type": "REQ", "bind": ["tcp://asks"]}]}
        ]
    })
}

/// Creates a room with `zmtp: true`; returns the client (a watcher) and
/// the listening endpoints by scenario endpoint.
async fn zmtp_room(fanout: &Fanout, scenario: Value) -> (Client, Vec<Value>) {
    let mut client = Client::connect(fanout).await;
    let joined = client
        .ok(
            json!({"type": "room_create", "scenario": scenario, "seed": 1, "watch": true, "zmtp": true}),
            "room_joined",
        )
        .await;
    let listening = joined["zmtp"].as_array().expect("zmtp endpoints").clone();
    (client, listening)
}

fn port_of(listening: &[Value], endpoint: &str) -> u16 {
    let e = listening
        .iter()
        .find(|e| e["endpoint"] == endpoint)
        .unwrap_or_else(|| panic!("{endpoint} is not listening: {listening:?}"));
    let port = e["port"].as_u64().expect("a port");
    assert_eq!(
        e["address"],
        format!("127.0.0.1:{port}"),
        "loopback by default"
    );
    u16::try_from(port).expect("a port number")
}

/// Runs a Python snippet to completion, off the async runtime.
async fn run_python(python: PathBuf, code: String) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(python)
            .args(["-c", &code])
            .output()
            .expect("python runs")
    })
    .await
    .expect("python ran")
}

/// Its stdout's one JSON line, after checking it exited well.
fn json_out(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    serde_json::from_str(text(&out.stdout).trim()).expect("one JSON line")
}

/// pyzmq's prelude: a context, and sockets that give up after the tests'
/// patience instead of hanging.
fn prelude() -> String {
    format!(
        "import json, sys, zmq\nctx = zmq.Context()\ndef sock(kind):\n    s = ctx.socket(kind)\n    s.setsockopt(zmq.RCVTIMEO, {ms})\n    s.setsockopt(zmq.SNDTIMEO, {ms})\n    s.setsockopt(zmq.LINGER, 0)\n    return s\n",
        ms = PATIENCE.as_millis()
    )
}

/// The server's `welcome`.
async fn welcome_of(fanout: &Fanout) -> Value {
    let mut ws = common::ws_connect(fanout).await;
    common::send_json(&mut ws, &json!({"type": "hello", "protocol": 1})).await;
    common::recv_json(&mut ws).await
}

#[tokio::test]
async fn welcome_names_zmtp_unless_it_is_off_and_then_rooms_open_no_ports() {
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "free"]);
    let welcome = welcome_of(&fanout).await;
    assert!(
        welcome["features"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("zmtp"))),
        "{welcome}"
    );
    let off = Fanout::start(&["--cache-nodes", "0", "--zmtp", "off"]);
    let welcome = welcome_of(&off).await;
    assert!(
        welcome["features"]
            .as_array()
            .is_some_and(|f| !f.contains(&json!("zmtp"))),
        "{welcome}"
    );
    let mut client = Client::connect(&off).await;
    let joined = client
        .ok(
            json!({"type": "room_create", "scenario": scenario(), "zmtp": true}),
            "room_joined",
        )
        .await;
    assert!(joined.get("zmtp").is_none(), "{joined}");
}

#[tokio::test]
async fn an_endpoint_listens_on_the_port_it_names_while_that_port_is_free() {
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "named"]);
    // A port free now, named by the scenario as the chapter names 6700.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let endpoint = format!("tcp://127.0.0.1:{port}");
    let named = json!({
        "name": "named",
        "nodes": [{"name": "vent", "program": {"kind": "producer", "interval": "10ms"},
                   "sockets": [{"name": "out", "type": "PUSH", "bind": [endpoint]}]}]
    });
    let (_first, listening) = zmtp_room(&fanout, named.clone()).await;
    assert_eq!(port_of(&listening, &endpoint), port);
    // A second room naming the same port gets another one.
    let (_second, listening) = zmtp_room(&fanout, named).await;
    let other = port_of(&listening, &endpoint);
    assert_ne!(other, port);
    let mut worker = RawPeer::connect(other, SocketKind::Pull).await;
    assert!(worker.message().await.starts_with("vent "));
}

#[tokio::test]
async fn a_pyzmq_pull_worker_receives_the_rooms_tasks() {
    let Some(python) = python() else { return };
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "free"]);
    let (_client, listening) = zmtp_room(&fanout, scenario()).await;
    let port = port_of(&listening, "tcp://tasks");
    let code = format!(
        "{}pull = sock(zmq.PULL)\npull.connect('tcp://127.0.0.1:{port}')\nprint(json.dumps([pull.recv_string() for _ in range(20)]))\n",
        prelude()
    );
    let got = json_out(&run_python(python, code).await);
    let numbers: Vec<u64> = got
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| {
            let p = p.as_str().expect("text");
            p.strip_prefix("task ")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("not a task: {p}"))
        })
        .collect();
    // The only worker: every task after its first, in order.
    let first = numbers[0];
    assert_eq!(numbers, (first..first + 20).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_pyzmq_sub_with_a_filter_gets_exactly_the_matching_messages() {
    let Some(python) = python() else { return };
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "free"]);
    let (_client, listening) = zmtp_room(&fanout, scenario()).await;
    let port = port_of(&listening, "tcp://news");
    let code = format!(
        "{}sub = sock(zmq.SUB)\nsub.setsockopt_string(zmq.SUBSCRIBE, 'weather.')\nsub.connect('tcp://127.0.0.1:{port}')\nprint(json.dumps([sub.recv_string() for _ in range(30)]))\n",
        prelude()
    );
    let got = json_out(&run_python(python, code).await);
    let numbers: Vec<u64> = got
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| {
            let p = p.as_str().expect("text");
            p.strip_prefix("weather.")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("not a weather message: {p}"))
        })
        .collect();
    // The publisher cycles weather., sports., weather. …: every weather
    // message from the first on, and nothing else.
    for pair in numbers.windows(2) {
        assert_eq!(pair[1], pair[0] + 2, "{numbers:?}");
    }
}

#[tokio::test]
async fn a_pyzmq_req_asks_the_rooms_rep() {
    let Some(python) = python() else { return };
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "free"]);
    let (_client, listening) = zmtp_room(&fanout, scenario()).await;
    let port = port_of(&listening, "tcp://service");
    let code = format!(
        "{}req = sock(zmq.REQ)\nreq.connect('tcp://127.0.0.1:{port}')\nout = []\nfor i in range(5):\n    req.send_string(f'q{{i}}')\n    out.append(req.recv_string())\nprint(json.dumps(out))\n",
        prelude()
    );
    let got = json_out(&run_python(python, code).await);
    assert_eq!(
        got,
        json!([
            "q0 answered",
            "q1 answered",
            "q2 answered",
            "q3 answered",
            "q4 answered"
        ])
    );
}

/// A long-running Python process, killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a Python snippet and waits for its first line on stdout (it
/// prints one when its socket is set up).
fn start_python(python: PathBuf, code: &str) -> Process {
    let mut child = Command::new(python)
        .args(["-c", code])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python starts");
    let stdout = child.stdout.take().expect("piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("a first line");
    assert_eq!(line.trim(), "ready", "the script started");
    Process(child)
}

#[tokio::test]
async fn a_pyzmq_pub_feeds_the_rooms_sub() {
    let Some(python) = python() else { return };
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "free"]);
    let (mut client, listening) = zmtp_room(&fanout, scenario()).await;
    client
        .ok(
            json!({"type": "node_take", "node": "listener", "auto_recv": true}),
            "node_added",
        )
        .await;
    let port = port_of(&listening, "tcp://feed");
    // A publisher that keeps publishing (the first messages go before the
    // room's subscription has reached it: the slow joiner).
    let code = format!(
        "{}import time\npub = sock(zmq.PUB)\npub.connect('tcp://127.0.0.1:{port}')\nprint('ready', flush=True)\nfor i in range(100000):\n    pub.send_string(f'hello {{i}}')\n    time.sleep(0.002)\n",
        prelude()
    );
    let _publisher = start_python(python, &code);
    let got = client.received("listener", 20).await;
    let numbers: Vec<u64> = got
        .iter()
        .map(|p| {
            p.strip_prefix("hello ")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("not the publisher's: {p}"))
        })
        .collect();
    for pair in numbers.windows(2) {
        assert_eq!(pair[1], pair[0] + 1, "in order, none lost: {numbers:?}");
    }
}

#[tokio::test]
async fn a_pyzmq_rep_answers_the_rooms_req() {
    let Some(python) = python() else { return };
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "free"]);
    let (mut client, listening) = zmtp_room(&fanout, scenario()).await;
    client
        .ok(
            json!({"type": "node_take", "node": "asker", "auto_recv": true}),
            "node_added",
        )
        .await;
    let port = port_of(&listening, "tcp://asks");
    let code = format!(
        "{}rep = sock(zmq.REP)\nrep.connect('tcp://127.0.0.1:{port}')\nprint('ready', flush=True)\nwhile True:\n    a, b = map(int, rep.recv_string().split('*'))\n    rep.send_string(str(a * b))\n",
        prelude()
    );
    let _service = start_python(python, &code);
    client.wait_connected("asker", "req", 1).await;
    let mut answers = Vec::new();
    for (a, b) in [(6, 7), (3, 4)] {
        let sent = client
            .ok(
                json!({"type": "send", "node": "asker", "socket": "req", "payload": format!("{a}*{b}")}),
                "sent",
            )
            .await;
        assert_eq!(sent["msgs"].as_array().map(Vec::len), Some(1), "{sent}");
        answers.extend(client.received("asker", 1).await);
    }
    assert_eq!(answers, ["42", "12"]);
}

// ---- Bad peers, in raw bytes ----

/// A ZeroMQ socket of `kind` written with the codec, over a real TCP
/// connection: what a well-behaved program would send.
struct RawPeer {
    tcp: TcpStream,
    zmtp: ZmtpPeer,
}

impl RawPeer {
    async fn connect(port: u16, kind: SocketKind) -> RawPeer {
        let mut tcp = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        let mut zmtp = ZmtpPeer::new(kind, 1 << 20);
        tcp.write_all(&zmtp.take_output()).await.expect("write");
        RawPeer { tcp, zmtp }
    }

    /// The next message, reading as needed.
    async fn message(&mut self) -> String {
        let mut buf = [0u8; 4096];
        loop {
            while let Some(event) = self.zmtp.poll_event() {
                if let PeerEvent::Message(text) = event {
                    return text;
                }
            }
            let n = tokio::time::timeout(PATIENCE, self.tcp.read(&mut buf))
                .await
                .expect("a message in time")
                .expect("read");
            assert!(n > 0, "the room hung up on a good peer");
            self.zmtp.feed(&buf[..n]).expect("the room speaks ZMTP");
            let out = self.zmtp.take_output();
            if !out.is_empty() {
                self.tcp.write_all(&out).await.expect("write");
            }
        }
    }
}

/// Sends `bytes` and reads until the room hangs up; returns what it sent.
async fn until_closed(port: u16, bytes: &[u8]) -> Vec<u8> {
    let mut tcp = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    // The room may hang up before it read everything: a failed write is
    // part of being turned away.
    let _ = tcp.write_all(bytes).await;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(PATIENCE, tcp.read(&mut buf))
            .await
            .expect("the room hangs up in time")
        {
            Ok(0) | Err(_) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// The next `room_notice` pushed to the watcher.
async fn notice(client: &mut Client) -> Value {
    let frame = client.push_of_type("room_notice").await;
    assert!(frame["message"].as_str().is_some_and(|m| !m.is_empty()));
    frame["notice"].clone()
}

fn greeting(mechanism: &[u8]) -> Vec<u8> {
    let mut g = fanout_shared::zmtp::Greeting::ours();
    g.mechanism = mechanism.to_vec();
    g.encode().to_vec()
}

fn ready(socket_type: &str) -> Vec<u8> {
    let mut out = Vec::new();
    Frame::command(fanout_shared::zmtp::Command::ready(socket_type).encode()).encode_into(&mut out);
    out
}

#[tokio::test]
async fn a_bad_greeting_closes_only_its_own_connection() {
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "free"]);
    let (mut client, listening) = zmtp_room(&fanout, scenario()).await;
    let port = port_of(&listening, "tcp://tasks");
    let mut worker = RawPeer::connect(port, SocketKind::Pull).await;
    let before = worker.message().await;
    assert!(before.starts_with("task "), "{before}");

    until_closed(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await;
    let n = notice(&mut client).await;
    assert_eq!(n["code"], "zmtp_refused", "{n}");
    assert_eq!(n["endpoint"], "tcp://tasks");
    assert_eq!(n["error"]["code"], "not_zmtp", "{n}");

    // The good worker is still served, the tasks still in order.
    let after = worker.message().await;
    let number = |p: &str| -> u64 { p["task ".len()..].parse().expect("a number") };
    assert_eq!(number(&after), number(&before) + 1);
    // And the room still answers its members.
    client
        .ok(json!({"type": "room_topology"}), "room_topology")
        .await;
}

#[tokio::test]
async fn bad_peers_are_closed_with_a_reason() {
    let fanout = Fanout::start(&[
        "--cache-nodes",
        "0",
        "--zmtp-ports",
        "free",
        "--room-message-bytes",
        "100",
    ]);
    let (mut client, listening) = zmtp_room(&fanout, scenario()).await;
    let tasks = port_of(&listening, "tcp://tasks");
    let feed = port_of(&listening, "tcp://feed");

    // A security mechanism other than NULL.
    until_closed(tasks, &greeting(b"PLAIN")).await;
    let n = notice(&mut client).await;
    assert_eq!(n["error"]["code"], "mechanism", "{n}");

    // A PUSH at a PUSH: the room says why in an ERROR command first.
    let mut bytes = greeting(b"NULL");
    bytes.extend(ready("PUSH"));
    let answer = until_closed(tasks, &bytes).await;
    let mut rest = &answer[64..];
    let mut commands = Vec::new();
    while let Ok(Decoded::Frame(frame, len)) = Frame::decode(rest, 1 << 20) {
        commands.push(fanout_shared::zmtp::Command::decode(&frame.body).expect("a command"));
        rest = &rest[len..];
    }
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, fanout_shared::zmtp::Command::Error { .. })),
        "{commands:?}"
    );
    let n = notice(&mut client).await;
    assert_eq!(n["error"]["code"], "mismatch", "{n}");

    // A frame over --room-message-bytes, from a PUB feeding the room.
    let mut bytes = greeting(b"NULL");
    bytes.extend(ready("PUB"));
    Frame::message(vec![b'x'; 101], false).encode_into(&mut bytes);
    until_closed(feed, &bytes).await;
    let n = notice(&mut client).await;
    assert_eq!(n["error"]["code"], "frame_too_large", "{n}");

    // A multipart message: refused, not cut.
    let mut bytes = greeting(b"NULL");
    bytes.extend(ready("PUB"));
    Frame::message(b"a".to_vec(), true).encode_into(&mut bytes);
    Frame::message(b"b".to_vec(), false).encode_into(&mut bytes);
    until_closed(feed, &bytes).await;
    let n = notice(&mut client).await;
    assert_eq!(n["error"]["code"], "multipart", "{n}");

    // A DEALER pairs with a REP on the wire, but rooms have no DEALER.
    let service = port_of(&listening, "tcp://service");
    let mut bytes = greeting(b"NULL");
    bytes.extend(ready("DEALER"));
    until_closed(service, &bytes).await;
    let n = notice(&mut client).await;
    assert_eq!(n["error"]["code"], "not_in_rooms", "{n}");
}

/// A raw SUB greeting as ZMTP 3.`minor`, subscribing with `subscription`
/// (a 3.0 message or a 3.1 command, as bytes).
async fn raw_sub(port: u16, minor: u8, subscription: &[u8]) -> RawPeer {
    let mut tcp = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let mut g = fanout_shared::zmtp::Greeting::ours();
    g.minor = minor;
    let mut bytes = g.encode().to_vec();
    bytes.extend(ready("SUB"));
    bytes.extend_from_slice(subscription);
    tcp.write_all(&bytes).await.expect("write");
    // The codec as a reader only: what it would send is already sent.
    let mut zmtp = ZmtpPeer::new(SocketKind::Sub, 1 << 20);
    zmtp.take_output();
    RawPeer { tcp, zmtp }
}

#[tokio::test]
async fn subscriptions_arrive_as_30_messages_and_as_31_commands() {
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "free"]);
    let (_client, listening) = zmtp_room(&fanout, scenario()).await;
    let news = port_of(&listening, "tcp://news");
    let mut as_message = Vec::new();
    Frame::message(b"\x01weather.".to_vec(), false).encode_into(&mut as_message);
    let mut as_command = Vec::new();
    Frame::command(
        fanout_shared::zmtp::Command::Subscribe {
            topic: b"sports.".to_vec(),
        }
        .encode(),
    )
    .encode_into(&mut as_command);
    let mut old = raw_sub(news, 0, &as_message).await;
    let mut new = raw_sub(news, 1, &as_command).await;
    for _ in 0..10 {
        let m = old.message().await;
        assert!(m.starts_with("weather."), "3.0 subscriber got {m}");
        let m = new.message().await;
        assert!(m.starts_with("sports."), "3.1 subscriber got {m}");
    }
}

#[tokio::test]
async fn a_room_sub_subscribes_a_31_publisher_with_a_command_and_filters_in_the_engine() {
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "free"]);
    let (mut client, listening) = zmtp_room(&fanout, scenario()).await;
    let feed = port_of(&listening, "tcp://feed");
    // The room's listener subscribes to one topic only.
    client
        .ok(
            json!({"type": "node_take", "node": "listener", "auto_recv": true}),
            "node_added",
        )
        .await;
    client
        .ok(
            json!({"type": "room_act", "action": {"op": "unsubscribe", "node": "listener", "socket": "in", "topic": ""}}),
            "room_acted",
        )
        .await;
    client
        .ok(
            json!({"type": "room_act", "action": {"op": "subscribe", "node": "listener", "socket": "in", "topic": "b"}}),
            "room_acted",
        )
        .await;
    // A ZMTP 3.1 publisher, written with the codec.
    let mut publisher = RawPeer::connect(feed, SocketKind::Pub).await;
    // It hears the room's subscription to everything, as a 3.1 command.
    let mut buf = [0u8; 4096];
    let subscribed = 'heard: loop {
        while let Some(event) = publisher.zmtp.poll_event() {
            if let PeerEvent::Subscription { topic, on } = event {
                break 'heard (topic, on);
            }
        }
        let n = tokio::time::timeout(PATIENCE, publisher.tcp.read(&mut buf))
            .await
            .expect("in time")
            .expect("read");
        assert!(n > 0, "hung up");
        publisher.zmtp.feed(&buf[..n]).expect("ZMTP");
    };
    assert_eq!(subscribed, (String::new(), true));
    // Inside the room, the listener's subscription reaches the program's
    // node as it would reach a libzmq PUB: messages published before that
    // are lost to it (the slow joiner), so wait for it.
    client
        .push_where(|f| {
            f["type"] == "room_events"
                && f["events"].as_array().is_some_and(|events| {
                    events
                        .iter()
                        .any(|e| e["type"] == "subscription_arrived" && e["topic"] == "b")
                })
        })
        .await;
    for payload in ["a1", "b1", "a2", "b2"] {
        publisher.zmtp.send(payload);
    }
    let out = publisher.zmtp.take_output();
    publisher.tcp.write_all(&out).await.expect("write");
    let got = client.received("listener", 2).await;
    assert_eq!(got, ["b1", "b2"], "the engine's filter decides");
}

// ---- The chapter's π system, functions as real processes ----

/// The pi preset without the nodes named (real processes stand for them).
fn pi_without(names: &[&str]) -> Value {
    let mut pi: Value =
        serde_json::from_str(include_str!("../../shared/src/sim/presets/pi.json")).expect("JSON");
    pi["nodes"]
        .as_array_mut()
        .expect("nodes")
        .retain(|n| !names.iter().any(|name| n["name"] == *name));
    pi
}

/// `/clients/queuepi.py` as the server serves it, in a directory of its
/// own (named for this test process and `tag`).
async fn listing_dir(fanout: &Fanout, tag: &str) -> PathBuf {
    let (status, _, listing) = common::http_get(fanout.http, "/clients/queuepi.py").await;
    assert_eq!(status, 200);
    assert_eq!(listing, include_str!("../../static/clients/queuepi.py"));
    let dir = std::env::temp_dir().join(format!("fanout-queuepi-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    std::fs::write(dir.join("queuepi.py"), &listing).expect("written");
    dir
}

/// Runs `queuepi.<call>` as a process of its own.
fn queuepi(python: &PathBuf, dir: &PathBuf, call: &str) -> Process {
    Process(
        Command::new(python)
            .args(["-c", &format!("import zmq, queuepi; queuepi.{call}")])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python starts"),
    )
}

/// Reads the room's tally (its `print(decision, p / q)` logs) until `n`
/// decisions; returns p, q and the last summary.
async fn tally(client: &mut Client, n: u64) -> (u64, u64, Value) {
    let (mut p, mut q) = (0u64, 0u64);
    let mut summary = Value::Null;
    while q < n {
        let frame = client.push_of_type("room_events").await;
        for e in frame["events"].as_array().into_iter().flatten() {
            if e["type"] == "log" && e["entry"]["log"] == "decision" {
                let eq = e["entry"]["q"].as_u64().expect("q");
                if eq > q {
                    q = eq;
                    p = e["entry"]["p"].as_u64().expect("p");
                }
            }
        }
        summary = frame["summary"].clone();
    }
    (p, q, summary)
}

/// π from the tally, to within five standard deviations: 300 points give
/// it to about ±0.1.
fn assert_pi(p: u64, q: u64) {
    let estimate = p as f64 / q as f64;
    assert!(
        (estimate - std::f64::consts::PI).abs() < 0.5,
        "pi ≈ {estimate} after {q} decisions"
    );
}

/// `sent` of the summary's nodes whose names start with `prefix`.
fn sent_by(summary: &Value, prefix: &str) -> Vec<u64> {
    summary["nodes"]
        .as_object()
        .expect("nodes")
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .map(|(_, counters)| counters["sent"].as_u64().unwrap_or(0))
        .collect()
}

#[tokio::test]
async fn the_chapters_judge_and_always_yes_as_processes_feed_the_rooms_tally_pi() {
    let Some(python) = python() else { return };
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "free"]);
    // Three simulated (bitsource, pythagoras, tally), two real.
    let (mut client, listening) = zmtp_room(&fanout, pi_without(&["judge", "always_yes"])).await;
    let url = |endpoint: &str| format!("tcp://127.0.0.1:{}", port_of(&listening, endpoint));
    let (pubsub, reqrep, pushpull) = (
        url("tcp://127.0.0.1:6700"),
        url("tcp://127.0.0.1:6701"),
        url("tcp://127.0.0.1:6702"),
    );
    let dir = listing_dir(&fanout, "connect").await;
    let _always_yes = queuepi(
        &python,
        &dir,
        &format!("always_yes(zmq.Context(), '{pubsub}', '{pushpull}')"),
    );
    let _judge = queuepi(
        &python,
        &dir,
        &format!("judge(zmq.Context(), '{pubsub}', '{reqrep}', '{pushpull}')"),
    );
    let (p, q, summary) = tally(&mut client, 300).await;
    assert_pi(p, q);
    // Both real processes' PUSHes fed the tally.
    let pushers = sent_by(&summary, "PUSH ");
    assert_eq!(pushers.len(), 2, "{summary}");
    assert!(pushers.iter().all(|sent| *sent > 0), "{summary}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_rooms_judge_asks_the_students_own_pythagoras_which_binds_its_port() {
    let Some(python) = python() else { return };
    let fanout = Fanout::start(&["--cache-nodes", "0", "--zmtp-ports", "free"]);
    // A port for the student's pythagoras: free now, bound by it below.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let reqrep = format!("tcp://127.0.0.1:{port}");
    // The room's pythagoras is a stand-in (an external node) binding the
    // student's address, which the judge's REQ connects to.
    let mut pi = pi_without(&[]);
    for node in pi["nodes"].as_array_mut().expect("nodes") {
        if node["name"] == "pythagoras" {
            node["program"] = json!({"kind": "external"});
            node["sockets"][0]["bind"] = json!([reqrep]);
        }
        for socket in node["sockets"].as_array_mut().expect("sockets") {
            if socket["type"] == "REQ" {
                socket["connect"] = json!([reqrep]);
            }
        }
    }
    let dir = listing_dir(&fanout, "dial").await;
    let _pythagoras = queuepi(
        &python,
        &dir,
        &format!("pythagoras(zmq.Context(), '{reqrep}')"),
    );
    let (mut client, endpoints) = zmtp_room(&fanout, pi).await;
    let dialed = endpoints
        .iter()
        .find(|e| e["endpoint"] == reqrep)
        .unwrap_or_else(|| panic!("{reqrep} is not dialed: {endpoints:?}"));
    assert_eq!(dialed["role"], "dial");
    assert_eq!(dialed["node"], "pythagoras");
    assert_eq!(dialed["type"], "REP");

    let (p, q, summary) = tally(&mut client, 300).await;
    assert_pi(p, q);
    // The student's REP, driving the room's pythagoras, answered the judge.
    let answers = summary["nodes"]["pythagoras"]["sent"].as_u64().unwrap_or(0);
    assert!(answers > 0, "{summary}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- The WebSocket participants' limits, for ZeroMQ programs ----

#[tokio::test]
async fn a_full_room_turns_a_program_away_with_its_reason() {
    let fanout = Fanout::start(&[
        "--cache-nodes",
        "0",
        "--zmtp-ports",
        "free",
        "--room-members",
        "2",
    ]);
    let (mut client, listening) = zmtp_room(&fanout, scenario()).await;
    let tasks = port_of(&listening, "tcp://tasks");
    // The creator and one program fill the room.
    let mut first = RawPeer::connect(tasks, SocketKind::Pull).await;
    assert!(first.message().await.starts_with("task "));
    let mut bytes = greeting(b"NULL");
    bytes.extend(ready("PULL"));
    until_closed(tasks, &bytes).await;
    let n = notice(&mut client).await;
    assert_eq!(n["code"], "zmtp_not_admitted", "{n}");
    assert_eq!(n["refusal"]["fact"]["code"], "room_full", "{n}");
    // The first program is still served.
    assert!(first.message().await.starts_with("task "));
}

#[tokio::test]
async fn a_program_faster_than_the_rate_is_slowed_down_and_loses_nothing() {
    let fanout = Fanout::start(&[
        "--cache-nodes",
        "0",
        "--zmtp-ports",
        "free",
        "--room-rate",
        "100",
    ]);
    let (mut client, listening) = zmtp_room(&fanout, scenario()).await;
    let feed = port_of(&listening, "tcp://feed");
    client
        .ok(
            json!({"type": "node_take", "node": "listener", "auto_recv": true}),
            "node_added",
        )
        .await;
    let mut publisher = RawPeer::connect(feed, SocketKind::Pub).await;
    // Wait for the room's subscription (the slow joiner), as above.
    client
        .push_where(|f| {
            f["type"] == "room_events"
                && f["events"].as_array().is_some_and(|events| {
                    events.iter().any(|e| e["type"] == "subscription_arrived")
                })
        })
        .await;
    // 250 messages at once: two and a half seconds' worth at 100 a second.
    let payloads: Vec<String> = (0..250).map(|i| format!("m{i}")).collect();
    for p in &payloads {
        publisher.zmtp.send(p);
    }
    let out = publisher.zmtp.take_output();
    publisher.tcp.write_all(&out).await.expect("write");
    let got = client.received("listener", 250).await;
    assert_eq!(got, payloads, "all of them, in order");
}
