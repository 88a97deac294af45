//! Helpers for the live-room tests: a participant over a real WebSocket
//! that pairs requests with answers by `id` and keeps what the server
//! pushes meanwhile (received messages, events, the room closing).

#![allow(dead_code)] // each test file uses a different subset

use std::{
    collections::VecDeque,
    path::{Path, PathBuf},
    process::{Command, Output},
    time::Duration,
};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::{Fanout, Ws, send_json, ws_hello};

/// The pinned Python with the test clients (`FANOUT_PYTHON`, which `cargo
/// xtask test` sets), or `None` after saying the test is skipped.
pub fn python() -> Option<PathBuf> {
    match std::env::var_os("FANOUT_PYTHON") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => {
            println!("skipped: FANOUT_PYTHON is not set (`cargo xtask test` sets it)");
            eprintln!("skipped: FANOUT_PYTHON is not set (`cargo xtask test` sets it)");
            None
        }
    }
}

/// A program's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An example client of `static/clients/` (`worker.py`, `room.py`).
pub fn client_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../static/clients")
        .join(name)
}

/// Runs a Python program with `args` to its end, off the async runtime
/// (it talks to the test's server).
pub async fn run_python_file(python: &Path, script: &Path, args: Vec<String>) -> Output {
    let (python, script) = (python.to_owned(), script.to_owned());
    tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args(args)
            .output()
            .expect("python runs")
    })
    .await
    .expect("the program ran")
}

/// How long any single wait may take before a test fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub struct Client {
    pub ws: Ws,
    /// Frames pushed by the server, not yet looked at.
    pub pushed: VecDeque<Value>,
    next_id: u64,
}

/// A scenario with one idle external node, for rooms whose whole topology
/// the participants build.
pub fn empty_scenario(network: Value) -> Value {
    json!({
        "name": "live",
        "network": network,
        "nodes": [{"name": "host", "program": {"kind": "external"}, "sockets": []}]
    })
}

impl Client {
    pub async fn connect(fanout: &Fanout) -> Client {
        Client {
            ws: ws_hello(fanout).await,
            pushed: VecDeque::new(),
            next_id: 1,
        }
    }

    /// The next frame from the socket.
    async fn read(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("a frame in time")
                .expect("the socket is open")
                .expect("a well-formed frame");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).expect("JSON"),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// Sends a request (giving it an id) and returns the frame answering
    /// it: its answer or an `error` with its id.
    pub async fn request(&mut self, mut frame: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        frame["id"] = json!(id);
        send_json(&mut self.ws, &frame).await;
        loop {
            let got = self.read().await;
            if got["id"] == json!(id) {
                return got;
            }
            self.pushed.push_back(got);
        }
    }

    /// A request that must be answered with a frame of type `ty`.
    pub async fn ok(&mut self, frame: Value, ty: &str) -> Value {
        let answer = self.request(frame.clone()).await;
        assert_eq!(answer["type"], ty, "{frame} → {answer}");
        answer
    }

    /// A request that must be refused; returns the error frame.
    pub async fn refused(&mut self, frame: Value) -> Value {
        let answer = self.request(frame.clone()).await;
        assert_eq!(answer["type"], "error", "{frame} → {answer}");
        answer
    }

    /// The next pushed frame matching `pred` (earlier ones are kept).
    pub async fn push_where(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pushed.iter().position(&pred) {
            return self.pushed.remove(i).expect("found");
        }
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.read())
                .await
                .unwrap_or_else(|_| panic!("no matching pushed frame; saw {:?}", self.pushed));
            if pred(&frame) {
                return frame;
            }
            self.pushed.push_back(frame);
        }
    }

    pub async fn push_of_type(&mut self, ty: &str) -> Value {
        self.push_where(|f| f["type"] == ty).await
    }

    /// Everything pushed within `wait` (for checking that nothing came).
    pub async fn drain_for(&mut self, wait: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(frame) = tokio::time::timeout_at(deadline, self.read()).await {
            self.pushed.push_back(frame);
        }
        self.pushed.drain(..).collect()
    }

    /// Payloads of `received` frames pushed for `node`, until `n` of them.
    pub async fn received(&mut self, node: &str, n: usize) -> Vec<String> {
        let mut out = Vec::new();
        while out.len() < n {
            let frame = self
                .push_where(|f| f["type"] == "received" && f["node"] == node)
                .await;
            for m in frame["messages"].as_array().expect("messages") {
                out.push(m["payload"].as_str().expect("text").to_owned());
            }
        }
        out
    }

    /// Creates a room; returns (code, token).
    pub async fn create(&mut self, scenario: Value) -> (String, String) {
        let joined = self
            .ok(
                json!({"type": "room_create", "scenario": scenario, "seed": 1}),
                "room_joined",
            )
            .await;
        (
            joined["room"].as_str().expect("a code").to_owned(),
            joined["token"].as_str().expect("a token").to_owned(),
        )
    }

    pub async fn join(&mut self, code: &str) -> Value {
        self.ok(json!({"type": "room_join", "room": code}), "room_joined")
            .await
    }

    /// Adds a node with the given sockets.
    pub async fn add_node(&mut self, name: &str, sockets: Value, auto: bool) -> Value {
        self.ok(
            json!({"type": "node_add", "name": name, "sockets": sockets, "auto_recv": auto}),
            "node_added",
        )
        .await
    }

    /// Sends payloads one frame at a time, retrying on EAGAIN; returns the
    /// message ids.
    pub async fn send_all(&mut self, node: &str, socket: &str, payloads: &[String]) -> Vec<u64> {
        let mut ids = Vec::new();
        let mut rest: VecDeque<&String> = payloads.iter().collect();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while let Some(p) = rest.front() {
            let sent = self
                .ok(
                    json!({"type": "send", "node": node, "socket": socket, "payload": p}),
                    "sent",
                )
                .await;
            match sent["msgs"].as_array().expect("msgs").first() {
                Some(id) => {
                    ids.push(id.as_u64().expect("an id"));
                    rest.pop_front();
                }
                None => {
                    assert!(tokio::time::Instant::now() < deadline, "EAGAIN forever");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
        ids
    }

    /// Waits until the socket `node.socket` has `n` connections up.
    pub async fn wait_connected(&mut self, node: &str, socket: &str, n: usize) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let topo = self
                .ok(json!({"type": "room_topology"}), "room_topology")
                .await;
            if connections_up(&topo["topology"], node, socket) >= n {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{node}.{socket} never had {n} connections: {topo}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// The id of socket `node.socket` in a topology.
pub fn socket_id(topology: &Value, node: &str, socket: &str) -> Option<u64> {
    let nodes = topology["nodes"].as_array()?;
    let n = nodes
        .iter()
        .find(|n| n["name"] == node && n["state"] != "removed")?;
    let sockets = topology["sockets"].as_array()?;
    n["sockets"]
        .as_array()?
        .iter()
        .filter_map(Value::as_u64)
        .find(|s| sockets[*s as usize]["name"] == socket)
}

/// Connections of `node.socket` whose handshake completed.
pub fn connections_up(topology: &Value, node: &str, socket: &str) -> usize {
    let Some(sid) = socket_id(topology, node, socket) else {
        return 0;
    };
    topology["conns"]
        .as_array()
        .map(|conns| {
            conns
                .iter()
                .filter(|c| c["state"] == "up")
                .filter(|c| c["connecter"] == json!(sid) || c["binder"] == json!(sid))
                .count()
        })
        .unwrap_or(0)
}

/// Messages waiting in the receiver stages of pipes into `node.socket`.
pub fn waiting_at(topology: &Value, node: &str, socket: &str) -> u64 {
    let Some(sid) = socket_id(topology, node, socket) else {
        return 0;
    };
    let mut total = 0;
    for c in topology["conns"].as_array().into_iter().flatten() {
        for p in c["pipes"].as_array().into_iter().flatten() {
            if p["to"] == json!(sid) {
                total += p["receiving"].as_u64().unwrap_or(0);
            }
        }
    }
    total
}

pub fn strings(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}
