//! Helpers shared by the engine's integration tests: a small world of
//! `external` nodes driven by non-blocking calls, mirroring what the pyzmq
//! scripts do with `zmq.NOBLOCK`, and the runner for those scripts.

#![allow(dead_code)]

use std::{path::Path, process::Command, sync::OnceLock};

use fanout_shared::{
    sim::{Action, Event, EventKind, Scenario, Simulator},
    socket::SocketError,
    time::Tick,
};

/// A simulator whose nodes are all driven from the test.
pub struct World {
    pub sim: Simulator,
}

/// One external node: `(name, start, sockets)` where sockets is JSON.
pub fn ext(name: &str, start_ms: u64, sockets: &str) -> String {
    format!(
        r#"{{"name": "{name}", "start": "{start_ms}ms", "program": {{"kind": "external"}}, "sockets": {sockets}}}"#
    )
}

impl World {
    pub fn new(nodes: &[String]) -> World {
        let json = format!(r#"{{"name": "test", "nodes": [{}]}}"#, nodes.join(","));
        let scenario = Scenario::from_json(&json).unwrap_or_else(|e| panic!("{e}\n{json}"));
        let mut w = World {
            sim: Simulator::new(&scenario, 1).expect("valid scenario"),
        };
        w.settle();
        w
    }

    /// Lets handshakes and transfers finish (the scripts' `time.sleep`).
    pub fn settle(&mut self) {
        let t = self.sim.now().saturating_add(Tick::from_millis(50));
        self.sim.run_until(t);
    }

    pub fn run_to(&mut self, ms: u64) {
        self.sim.run_until(Tick::from_millis(ms));
    }

    fn act(&mut self, action: Action) -> Event {
        self.sim.apply(action).expect("action accepted")
    }

    /// A non-blocking send: "ok", "EAGAIN", "EFSM" or "ENOTSUP".
    pub fn send(&mut self, node: &str, socket: &str, payload: &str) -> &'static str {
        let e = self.act(Action::Send {
            node: node.into(),
            socket: socket.into(),
            payload: payload.into(),
        });
        outcome(&e)
    }

    /// A non-blocking recv: the payload, or the error's name.
    pub fn recv(&mut self, node: &str, socket: &str) -> Result<String, &'static str> {
        let e = self.act(Action::Recv {
            node: node.into(),
            socket: socket.into(),
        });
        match e.kind {
            EventKind::Recv { payload, .. } => Ok(payload.to_string()),
            _ => Err(outcome(&e)),
        }
    }

    pub fn recv_outcome(&mut self, node: &str, socket: &str) -> &'static str {
        match self.recv(node, socket) {
            Ok(_) => "ok",
            Err(e) => e,
        }
    }

    /// Everything receivable now.
    pub fn drain(&mut self, node: &str, socket: &str) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(p) = self.recv(node, socket) {
            out.push(p);
        }
        out
    }

    pub fn subscribe(&mut self, node: &str, socket: &str, topic: &str, on: bool) {
        self.act(Action::subscription(
            node.into(),
            socket.into(),
            topic.into(),
            on,
        ));
    }
}

pub fn outcome(e: &Event) -> &'static str {
    match &e.kind {
        EventKind::Send { .. } | EventKind::Recv { .. } => "ok",
        EventKind::Block { .. } => "EAGAIN",
        EventKind::Error {
            error: SocketError::Efsm { .. },
            ..
        } => "EFSM",
        EventKind::Error {
            error: SocketError::NotSupported { .. },
            ..
        } => "ENOTSUP",
        other => panic!("not a call outcome: {other:?}"),
    }
}

/// The pyzmq observations (run once per test binary), or `None` with a
/// printed reason when `FANOUT_PYTHON` is not set. When it is set the
/// script must run: a failure is a test failure, not a skip.
pub fn observations() -> Option<&'static serde_json::Value> {
    static OBS: OnceLock<Option<serde_json::Value>> = OnceLock::new();
    let obs = OBS.get_or_init(|| {
        let python = std::env::var_os("FANOUT_PYTHON")?;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/zmq/observe.py");
        let out = Command::new(&python)
            .arg(&script)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {python:?} {script:?}: {e}"));
        assert!(
            out.status.success(),
            "{} failed:\n{}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        Some(serde_json::from_slice(&out.stdout).expect("observe.py prints JSON"))
    });
    if obs.is_none() {
        println!(
            "skipping the libzmq comparison: FANOUT_PYTHON is not set (cargo xtask test sets it to the project's Python with pyzmq); checked against docs/design/zmq-semantics.md only"
        );
    }
    obs.as_ref()
}
