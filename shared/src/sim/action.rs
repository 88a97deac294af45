//! Edits and external calls applied to a running simulation.
//!
//! Everything the browser lets a learner change while a scenario runs, and
//! everything a live participant does, is an [`Action`]: plain serde data,
//! so a [`Recording`](super::Recording) (and so a URL) can carry them and
//! replay them at the same step. Each action is checked first and refused
//! with a precise [`ActionError`]; an accepted action is one trace event.

use serde::{Deserialize, Serialize};

#[cfg(feature = "reliability")]
use super::fault::CrashPoint;
use super::{
    NodeId, Simulator,
    event::EventKind,
    nodes::{Dist, Op},
    scenario::{ConnectSpec, NodeSpec, ScenarioError, SocketSpec, check_pair},
};
use crate::{
    socket::{Endpoint, Payload, Role, SocketId, SocketKind},
    time::Tick,
};

/// One edit or external call. Nodes and sockets are named as in the
/// scenario.
/// Read by the derive without the `reliability` feature, compactly with it
/// (`Action::from_fields`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(not(feature = "reliability"), derive(Deserialize))]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Change a socket's marks; existing pipes follow (libzmq ≥ 4.2).
    SetHwm {
        node: String,
        socket: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sndhwm: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rcvhwm: Option<u32>,
    },
    /// Change the latency of a socket's connection to an endpoint.
    SetLatency {
        node: String,
        socket: String,
        endpoint: Endpoint,
        latency: Tick,
    },
    /// Change a producer's pause between messages.
    SetInterval {
        node: String,
        interval: Dist,
    },
    /// Change a worker's, sink's or replier's time per message.
    SetService {
        node: String,
        service: Dist,
    },
    Subscribe {
        node: String,
        socket: String,
        topic: String,
    },
    Unsubscribe {
        node: String,
        socket: String,
        topic: String,
    },
    /// Add a node; it starts at `max(now, its start)`.
    AddNode {
        spec: NodeSpec,
    },
    RemoveNode {
        node: String,
    },
    AddSocket {
        node: String,
        spec: SocketSpec,
    },
    RemoveSocket {
        node: String,
        socket: String,
    },
    Bind {
        node: String,
        socket: String,
        endpoint: Endpoint,
    },
    Connect {
        node: String,
        socket: String,
        connect: ConnectSpec,
    },
    Disconnect {
        node: String,
        socket: String,
        endpoint: Endpoint,
    },
    /// An external node's non-blocking send.
    Send {
        node: String,
        socket: String,
        payload: String,
    },
    /// An external node's non-blocking recv.
    Recv {
        node: String,
        socket: String,
    },
    /// A live participant takes over a node: its program stops where it
    /// is (a message it was working on is gone with it), and from now on
    /// its sockets, with their queues, connections and REQ/REP state, are
    /// driven by `send`/`recv` actions as an external node's are.
    TakeOver {
        node: String,
    },
    // Faults (`sim/fault.rs`) are the reliability engine's, with the
    // `reliability` feature only: from here to `Poison`.
    /// The node's process dies (now, or `on` a point of its work); with a
    /// `duration` it restarts after it (turmoil's bounce).
    #[cfg(feature = "reliability")]
    Crash {
        node: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<CrashPoint>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration: Option<Tick>,
    },
    /// A crashed node starts again as a fresh process.
    #[cfg(feature = "reliability")]
    Restart {
        node: String,
    },
    /// The node's process stops running (a stall, a long GC): messages
    /// queue up, nothing is handled. Without a duration, until `resume`.
    #[cfg(feature = "reliability")]
    Pause {
        node: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration: Option<Tick>,
    },
    #[cfg(feature = "reliability")]
    Resume {
        node: String,
    },
    /// Cuts the network between two groups of nodes (`one_way`: only from
    /// `a` to `b`).
    #[cfg(feature = "reliability")]
    Partition {
        a: Vec<String>,
        b: Vec<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        one_way: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration: Option<Tick>,
    },
    /// Ends the partitions and link faults between `a` and `b` (all of
    /// them when both are empty).
    #[cfg(feature = "reliability")]
    Heal {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        a: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        b: Vec<String>,
    },
    /// Extra latency, with jitter, on the links between two groups.
    #[cfg(feature = "reliability")]
    Delay {
        a: Vec<String>,
        b: Vec<String>,
        latency: Tick,
        #[serde(default, skip_serializing_if = "is_zero_tick")]
        jitter: Tick,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration: Option<Tick>,
    },
    /// Broker frames between two groups are lost at `rate` (0 … 1).
    #[cfg(feature = "reliability")]
    Drop {
        a: Vec<String>,
        b: Vec<String>,
        rate: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration: Option<Tick>,
    },
    /// Broker frames between two groups arrive twice at `rate` (0 … 1).
    #[cfg(feature = "reliability")]
    Duplicate {
        a: Vec<String>,
        b: Vec<String>,
        rate: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration: Option<Tick>,
    },
    /// The producer's next task is a poison message: its handler fails
    /// every time.
    #[cfg(feature = "reliability")]
    Poison {
        node: String,
    },
    // A live participant's word to its task program (`sim/live_task.rs`),
    // with the `reliability` feature only: these two.
    /// A live task producer publishes `count` more tasks.
    #[cfg(feature = "reliability")]
    Publish {
        node: String,
        count: u32,
    },
    /// A live task worker's participant finished the task it was handed.
    #[cfg(feature = "reliability")]
    TaskDone {
        node: String,
        task: crate::broker::TaskId,
    },
}

// With the reliability engine (its page and the server), an action is read
// without serde's buffered internally tagged derive, whose visitors for
// every variant, once per input format, were the largest part of the
// reliability page's excess over its size budget: the map is read once
// (`json::TaggedFields`), then each field by its type's own reader, with
// the derive's rules (unknown fields refused in serde's words, defaults
// where the derive has `#[serde(default)]`). Written by the derive above;
// every variant is round-trip tested (`every_action_reads_back`). The
// queue page keeps the derive.
#[cfg(feature = "reliability")]
impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = crate::json::TaggedFields::read(deserializer, "op")?;
        Action::from_fields(fields).map_err(serde::de::Error::custom)
    }
}

/// One variant read from `$f`: its fields only (`take`, or `take_or_default`
/// where the derive has a default).
#[cfg(feature = "reliability")]
macro_rules! read_variant {
    ($f:ident, $variant:ident { $($field:ident: $how:ident),* $(,)? }) => {{
        $f.only(&[$(stringify!($field)),*])?;
        Action::$variant { $($field: $f.$how(stringify!($field))?),* }
    }};
}

impl Action {
    /// `subscribe` when `on`, else `unsubscribe`: a subscription change as
    /// it arrives from a wire (ZMTP's subscribe and cancel) or a test.
    pub fn subscription(node: String, socket: String, topic: String, on: bool) -> Action {
        if on {
            Action::Subscribe {
                node,
                socket,
                topic,
            }
        } else {
            Action::Unsubscribe {
                node,
                socket,
                topic,
            }
        }
    }
}

#[cfg(feature = "reliability")]
impl Action {
    /// The ops read, one per variant, as serde writes them.
    pub(crate) const OPS: &'static [&'static str] = &[
        "set_hwm",
        "set_latency",
        "set_interval",
        "set_service",
        "subscribe",
        "unsubscribe",
        "add_node",
        "remove_node",
        "add_socket",
        "remove_socket",
        "bind",
        "connect",
        "disconnect",
        "send",
        "recv",
        "take_over",
        "crash",
        "restart",
        "pause",
        "resume",
        "partition",
        "heal",
        "delay",
        "drop",
        "duplicate",
        "poison",
        "publish",
        "task_done",
    ];

    fn from_fields(mut f: crate::json::TaggedFields) -> Result<Action, String> {
        // Every variant is listed (this match is exhaustive).
        let _ = |action: &Action| match action {
            Action::SetHwm { .. }
            | Action::SetLatency { .. }
            | Action::SetInterval { .. }
            | Action::SetService { .. }
            | Action::Subscribe { .. }
            | Action::Unsubscribe { .. }
            | Action::AddNode { .. }
            | Action::RemoveNode { .. }
            | Action::AddSocket { .. }
            | Action::RemoveSocket { .. }
            | Action::Bind { .. }
            | Action::Connect { .. }
            | Action::Disconnect { .. }
            | Action::Send { .. }
            | Action::Recv { .. }
            | Action::TakeOver { .. }
            | Action::Crash { .. }
            | Action::Restart { .. }
            | Action::Pause { .. }
            | Action::Resume { .. }
            | Action::Partition { .. }
            | Action::Heal { .. }
            | Action::Delay { .. }
            | Action::Drop { .. }
            | Action::Duplicate { .. }
            | Action::Poison { .. }
            | Action::Publish { .. }
            | Action::TaskDone { .. } => (),
        };
        Ok(match f.tag() {
            "set_hwm" => read_variant!(
                f,
                SetHwm {
                    node: take,
                    socket: take,
                    sndhwm: take,
                    rcvhwm: take
                }
            ),
            "set_latency" => read_variant!(
                f,
                SetLatency {
                    node: take,
                    socket: take,
                    endpoint: take,
                    latency: take
                }
            ),
            "set_interval" => read_variant!(
                f,
                SetInterval {
                    node: take,
                    interval: take
                }
            ),
            "set_service" => read_variant!(
                f,
                SetService {
                    node: take,
                    service: take
                }
            ),
            "subscribe" => read_variant!(
                f,
                Subscribe {
                    node: take,
                    socket: take,
                    topic: take
                }
            ),
            "unsubscribe" => read_variant!(
                f,
                Unsubscribe {
                    node: take,
                    socket: take,
                    topic: take
                }
            ),
            "add_node" => read_variant!(f, AddNode { spec: take }),
            "remove_node" => read_variant!(f, RemoveNode { node: take }),
            "add_socket" => read_variant!(
                f,
                AddSocket {
                    node: take,
                    spec: take
                }
            ),
            "remove_socket" => read_variant!(
                f,
                RemoveSocket {
                    node: take,
                    socket: take
                }
            ),
            "bind" => read_variant!(
                f,
                Bind {
                    node: take,
                    socket: take,
                    endpoint: take
                }
            ),
            "connect" => read_variant!(
                f,
                Connect {
                    node: take,
                    socket: take,
                    connect: take
                }
            ),
            "disconnect" => read_variant!(
                f,
                Disconnect {
                    node: take,
                    socket: take,
                    endpoint: take
                }
            ),
            "send" => read_variant!(
                f,
                Send {
                    node: take,
                    socket: take,
                    payload: take
                }
            ),
            "recv" => read_variant!(
                f,
                Recv {
                    node: take,
                    socket: take
                }
            ),
            "take_over" => read_variant!(f, TakeOver { node: take }),
            "crash" => read_variant!(
                f,
                Crash {
                    node: take,
                    on: take,
                    duration: take
                }
            ),
            "restart" => read_variant!(f, Restart { node: take }),
            "pause" => read_variant!(
                f,
                Pause {
                    node: take,
                    duration: take
                }
            ),
            "resume" => read_variant!(f, Resume { node: take }),
            "partition" => read_variant!(
                f,
                Partition {
                    a: take,
                    b: take,
                    one_way: take_or_default,
                    duration: take
                }
            ),
            "heal" => read_variant!(
                f,
                Heal {
                    a: take_or_default,
                    b: take_or_default
                }
            ),
            "delay" => read_variant!(
                f,
                Delay {
                    a: take,
                    b: take,
                    latency: take,
                    jitter: take_or_default,
                    duration: take
                }
            ),
            "drop" => read_variant!(
                f,
                Drop {
                    a: take,
                    b: take,
                    rate: take,
                    duration: take
                }
            ),
            "duplicate" => read_variant!(
                f,
                Duplicate {
                    a: take,
                    b: take,
                    rate: take,
                    duration: take
                }
            ),
            "poison" => read_variant!(f, Poison { node: take }),
            "publish" => read_variant!(
                f,
                Publish {
                    node: take,
                    count: take
                }
            ),
            "task_done" => read_variant!(
                f,
                TaskDone {
                    node: take,
                    task: take
                }
            ),
            _ => return Err(f.unknown(Self::OPS)),
        })
    }
}

#[cfg(feature = "reliability")]
fn is_zero_tick(t: &Tick) -> bool {
    *t == Tick::ZERO
}

/// Why an action was refused; the simulation is unchanged. Its sentences,
/// in every language, are in `refusal_text.rs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ActionError {
    NoNode {
        node: String,
    },
    NoSocket {
        node: String,
        socket: String,
    },
    /// Only an external node's sockets take send/recv from outside.
    NotExternal {
        node: String,
        program: String,
    },
    NotSub {
        node: String,
        socket: String,
        kind: SocketKind,
    },
    NoSuchSetting {
        node: String,
        program: String,
        setting: Setting,
    },
    InUse {
        node: String,
        socket: String,
        endpoint: Endpoint,
        by: String,
    },
    /// A program's socket: remove the node instead.
    SocketInUse {
        node: String,
        socket: String,
        program: String,
    },
    NotConnected {
        node: String,
        socket: String,
        endpoint: Endpoint,
    },
    AlreadyConnected {
        node: String,
        socket: String,
        endpoint: Endpoint,
    },
    AlreadyExternal {
        node: String,
    },
    /// Brokers and task programs talk over broker connections, not
    /// sockets: they cannot be driven through `send`/`recv`.
    NotTakeable {
        node: String,
        program: String,
    },
    AlreadyCrashed {
        node: String,
    },
    NotCrashed {
        node: String,
    },
    /// A crashed node cannot be paused.
    Crashed {
        node: String,
    },
    AlreadyPaused {
        node: String,
    },
    NotPaused {
        node: String,
    },
    /// A partition or link fault needs nodes on both sides.
    EmptyGroup,
    /// A node on both sides of a partition or link fault.
    Overlap {
        node: String,
    },
    /// A rate outside 0 … 1.
    BadRate {
        rate: String,
    },
    /// `drop` and `duplicate` act on broker connections only (ZeroMQ's
    /// TCP pipes fail as connections, not as lost datagrams).
    NoBrokerLink {
        a: String,
        b: String,
    },
    /// Only a task producer can be made to send a poison message.
    NotProducer {
        node: String,
        program: String,
    },
    /// `publish` and `task_done` speak to a live task program only.
    NotLive {
        node: String,
        program: String,
    },
    /// A live worker is told a task is done that it was not handed.
    NotHandedOut {
        node: String,
        task: String,
    },
    /// The edit would make an invalid scenario.
    Invalid {
        // Boxed: it is much larger than the other refusals.
        scenario: Box<ScenarioError>,
    },
}

/// A program's setting that an edit changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Interval,
    Service,
}

impl std::error::Error for ActionError {}

impl std::fmt::Display for ActionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::lang::Say::english(self))
    }
}

impl From<ScenarioError> for ActionError {
    fn from(scenario: ScenarioError) -> Self {
        ActionError::Invalid {
            scenario: Box::new(scenario),
        }
    }
}

// Read compactly (see `json::decode_tagged!`); written by the derive above.
crate::json::decode_tagged!(ActionError by "code" {
    "no_node" => NoNode { node },
    "no_socket" => NoSocket { node, socket },
    "not_external" => NotExternal { node, program },
    "not_sub" => NotSub { node, socket, kind },
    "no_such_setting" => NoSuchSetting { node, program, setting },
    "in_use" => InUse { node, socket, endpoint, by },
    "socket_in_use" => SocketInUse { node, socket, program },
    "not_connected" => NotConnected { node, socket, endpoint },
    "already_connected" => AlreadyConnected { node, socket, endpoint },
    "already_external" => AlreadyExternal { node },
    "not_takeable" => NotTakeable { node, program },
    "already_crashed" => AlreadyCrashed { node },
    "not_crashed" => NotCrashed { node },
    "crashed" => Crashed { node },
    "already_paused" => AlreadyPaused { node },
    "not_paused" => NotPaused { node },
    "empty_group" => EmptyGroup,
    "overlap" => Overlap { node },
    "bad_rate" => BadRate { rate },
    "no_broker_link" => NoBrokerLink { a, b },
    "not_producer" => NotProducer { node, program },
    "not_live" => NotLive { node, program },
    "not_handed_out" => NotHandedOut { node, task },
    "invalid" => Invalid { scenario },
});

impl Simulator {
    pub fn node_id(&self, name: &str) -> Result<NodeId, ActionError> {
        self.nodes
            .iter()
            .position(|n| n.alive && &*n.name == name)
            .map(|i| NodeId(i as u32))
            .ok_or_else(|| ActionError::NoNode {
                node: name.to_string(),
            })
    }

    pub fn socket_id(&self, node: &str, socket: &str) -> Result<SocketId, ActionError> {
        let id = self.node_id(node)?;
        self.nodes[id.0 as usize]
            .sockets
            .iter()
            .copied()
            .find(|s| {
                let slot = &self.sockets[s.0 as usize];
                slot.alive && &*slot.name == socket
            })
            .ok_or_else(|| ActionError::NoSocket {
                node: node.to_string(),
                socket: socket.to_string(),
            })
    }

    /// Applies an action now, as one trace event, or refuses it.
    pub fn apply(&mut self, action: Action) -> Result<super::Event, ActionError> {
        let kind = self.apply_kind(&action)?;
        Ok(self.record(kind))
    }

    fn apply_kind(&mut self, action: &Action) -> Result<EventKind, ActionError> {
        let edited = || EventKind::Edited {
            action: action.clone(),
        };
        match action {
            Action::SetHwm {
                node,
                socket,
                sndhwm,
                rcvhwm,
            } => {
                let sid = self.socket_id(node, socket)?;
                for (param, v) in [("sndhwm", sndhwm), ("rcvhwm", rcvhwm)] {
                    if let Some(v) = v
                        && *v > super::scenario::MAX_HWM
                    {
                        return Err(ScenarioError::too_large(
                            node,
                            param,
                            (*v).into(),
                            super::scenario::MAX_HWM.into(),
                            super::scenario::Bound::Messages,
                        )
                        .into());
                    }
                }
                self.set_hwm(sid, *sndhwm, *rcvhwm);
                Ok(edited())
            }
            Action::SetLatency {
                node,
                socket,
                endpoint,
                latency,
            } => {
                let sid = self.socket_id(node, socket)?;
                if *latency < super::scenario::MIN_LATENCY {
                    return Err(ScenarioError::BadParam {
                        node: node.clone(),
                        param: "latency".into(),
                        socket: None,
                        problem: super::scenario::ParamProblem::ZeroLatency,
                    }
                    .into());
                }
                let slot = self.sockets[sid.0 as usize]
                    .connects
                    .iter_mut()
                    .find(|c| &c.endpoint == endpoint)
                    .ok_or_else(|| ActionError::NotConnected {
                        node: node.clone(),
                        socket: socket.clone(),
                        endpoint: endpoint.clone(),
                    })?;
                slot.latency = *latency;
                if let Some(conn) = slot.conn {
                    self.set_conn_latency(conn, *latency);
                }
                Ok(edited())
            }
            Action::SetInterval { node, interval } => {
                let id = self.node_id(node)?;
                super::nodes::check_interval(node, interval, None)?;
                let n = &mut self.nodes[id.0 as usize];
                if !n.program.set_interval(*interval) {
                    return Err(ActionError::NoSuchSetting {
                        node: node.clone(),
                        program: n.program_kind.into(),
                        setting: Setting::Interval,
                    });
                }
                Ok(edited())
            }
            Action::SetService { node, service } => {
                let id = self.node_id(node)?;
                let n = &mut self.nodes[id.0 as usize];
                if !n.program.set_service(*service) {
                    return Err(ActionError::NoSuchSetting {
                        node: node.clone(),
                        program: n.program_kind.into(),
                        setting: Setting::Service,
                    });
                }
                Ok(edited())
            }
            Action::Subscribe {
                node,
                socket,
                topic,
            }
            | Action::Unsubscribe {
                node,
                socket,
                topic,
            } => {
                let sid = self.socket_id(node, socket)?;
                let kind = self.sockets[sid.0 as usize].role.kind();
                if kind != SocketKind::Sub {
                    return Err(ActionError::NotSub {
                        node: node.clone(),
                        socket: socket.clone(),
                        kind,
                    });
                }
                let on = matches!(action, Action::Subscribe { .. });
                Ok(self.subscribe(sid, Payload::from(topic.as_str()), on))
            }
            Action::AddNode { spec } => {
                spec.validate()?;
                #[cfg(feature = "reliability")]
                super::scenario::check_broker_ref(spec, |name| {
                    let id = self.node_id(name).ok()?;
                    self.nodes[id.0 as usize]
                        .program
                        .broker()
                        .map(|b| b.spec().clone())
                })?;
                if self.node_id(&spec.name).is_ok() {
                    return Err(ScenarioError::DuplicateNode {
                        node: spec.name.clone(),
                    }
                    .into());
                }
                for s in &spec.sockets {
                    for endpoint in &s.bind {
                        if let Some(by) = self.endpoints.get(endpoint) {
                            return Err(ActionError::InUse {
                                node: spec.name.clone(),
                                socket: s.name.clone(),
                                endpoint: endpoint.clone(),
                                by: self.socket_label(*by),
                            });
                        }
                    }
                    for c in &s.connect {
                        self.check_connect(&spec.name, &s.name, s.kind, &c.endpoint)?;
                    }
                }
                self.add_node_unchecked(spec)?;
                Ok(edited())
            }
            Action::RemoveNode { node } => {
                let id = self.node_id(node)?;
                #[cfg(feature = "reliability")]
                self.broker_node_removed(id);
                let sockets = self.nodes[id.0 as usize].sockets.clone();
                let lost = sockets.into_iter().map(|s| self.close_socket(s)).sum();
                let n = &mut self.nodes[id.0 as usize];
                n.alive = false;
                n.blocked = None;
                Ok(EventKind::NodeRemoved { node: id, lost })
            }
            Action::AddSocket { node, spec } => {
                let id = self.node_id(node)?;
                spec.validate(node)?;
                if self.socket_id(node, &spec.name).is_ok() {
                    return Err(ScenarioError::DuplicateSocket {
                        node: node.clone(),
                        socket: spec.name.clone(),
                    }
                    .into());
                }
                for endpoint in &spec.bind {
                    if let Some(by) = self.endpoints.get(endpoint) {
                        return Err(ActionError::InUse {
                            node: node.clone(),
                            socket: spec.name.clone(),
                            endpoint: endpoint.clone(),
                            by: self.socket_label(*by),
                        });
                    }
                }
                for c in &spec.connect {
                    self.check_connect(node, &spec.name, spec.kind, &c.endpoint)?;
                }
                let sid = self.add_socket(id, spec);
                if self.nodes[id.0 as usize].started {
                    for endpoint in spec.bind.clone() {
                        self.bind_endpoint(sid, &endpoint);
                    }
                    for index in 0..spec.connect.len() {
                        self.start_connect(sid, index);
                    }
                }
                Ok(edited())
            }
            Action::RemoveSocket { node, socket } => {
                let id = self.node_id(node)?;
                let sid = self.socket_id(node, socket)?;
                let n = &self.nodes[id.0 as usize];
                if n.program.uses(sid) {
                    return Err(ActionError::SocketInUse {
                        node: node.clone(),
                        socket: socket.clone(),
                        program: n.program_kind.into(),
                    });
                }
                self.close_socket(sid);
                self.nodes[id.0 as usize].sockets.retain(|s| *s != sid);
                Ok(edited())
            }
            Action::Bind {
                node,
                socket,
                endpoint,
            } => {
                let sid = self.socket_id(node, socket)?;
                if let Some(by) = self.endpoints.get(endpoint) {
                    return Err(ActionError::InUse {
                        node: node.clone(),
                        socket: socket.clone(),
                        endpoint: endpoint.clone(),
                        by: self.socket_label(*by),
                    });
                }
                self.sockets[sid.0 as usize].binds.push(endpoint.clone());
                if self.nodes[self.sockets[sid.0 as usize].node.0 as usize].started {
                    self.bind_endpoint(sid, endpoint);
                }
                Ok(EventKind::Bound {
                    socket: sid,
                    endpoint: endpoint.clone(),
                })
            }
            Action::Connect {
                node,
                socket,
                connect,
            } => {
                let sid = self.socket_id(node, socket)?;
                let slot = &self.sockets[sid.0 as usize];
                if slot.connects.iter().any(|c| c.endpoint == connect.endpoint) {
                    return Err(ActionError::AlreadyConnected {
                        node: node.clone(),
                        socket: socket.clone(),
                        endpoint: connect.endpoint.clone(),
                    });
                }
                if slot.binds.contains(&connect.endpoint) {
                    return Err(ScenarioError::SelfConnect {
                        node: node.clone(),
                        socket: socket.clone(),
                        endpoint: connect.endpoint.clone(),
                    }
                    .into());
                }
                let kind = slot.role.kind();
                self.check_connect(node, socket, kind, &connect.endpoint)?;
                let new = self.connect_slot(connect);
                self.sockets[sid.0 as usize].connects.push(new);
                let index = self.sockets[sid.0 as usize].connects.len() - 1;
                let conn = if self.nodes[self.sockets[sid.0 as usize].node.0 as usize].started {
                    self.start_connect(sid, index)
                } else {
                    None
                };
                Ok(EventKind::Connecting {
                    socket: sid,
                    endpoint: connect.endpoint.clone(),
                    conn,
                })
            }
            Action::Disconnect {
                node,
                socket,
                endpoint,
            } => {
                let sid = self.socket_id(node, socket)?;
                let slot = &mut self.sockets[sid.0 as usize];
                let Some(index) = slot.connects.iter().position(|c| &c.endpoint == endpoint) else {
                    return Err(ActionError::NotConnected {
                        node: node.clone(),
                        socket: socket.clone(),
                        endpoint: endpoint.clone(),
                    });
                };
                let removed = slot.connects.remove(index);
                match removed.conn {
                    Some(conn) => {
                        let lost = self.close_conn(conn);
                        Ok(EventKind::Disconnected { conn, lost })
                    }
                    None => Ok(edited()),
                }
            }
            Action::Send {
                node,
                socket,
                payload,
            } => {
                let (id, sid) = self.external(node, socket)?;
                Ok(self.perform(
                    id,
                    Op::Send {
                        socket: sid,
                        payload: Payload::from(payload.as_str()),
                    },
                    false,
                ))
            }
            Action::Recv { node, socket } => {
                let (id, sid) = self.external(node, socket)?;
                Ok(self.perform(id, Op::Recv { socket: sid }, false))
            }
            #[cfg(feature = "reliability")]
            Action::Crash { .. }
            | Action::Restart { .. }
            | Action::Pause { .. }
            | Action::Resume { .. }
            | Action::Partition { .. }
            | Action::Heal { .. }
            | Action::Delay { .. }
            | Action::Drop { .. }
            | Action::Duplicate { .. }
            | Action::Poison { .. } => self.apply_fault(action).unwrap_or_else(|| Ok(edited())),
            #[cfg(feature = "reliability")]
            Action::Publish { node, count } => self.order_publish(node, *count).map(|()| edited()),
            #[cfg(feature = "reliability")]
            Action::TaskDone { node, task } => self.task_done(node, *task).map(|()| edited()),
            Action::TakeOver { node } => {
                let id = self.node_id(node)?;
                let n = &mut self.nodes[id.0 as usize];
                if n.program.is_external() {
                    return Err(ActionError::AlreadyExternal { node: node.clone() });
                }
                if n.program.is_passive() || n.program.is_broker_client() {
                    return Err(ActionError::NotTakeable {
                        node: node.clone(),
                        program: n.program_kind.into(),
                    });
                }
                // Pending turns, timers and retries of the old program find
                // an external node and are skipped without an event.
                n.program = super::nodes::Program::External;
                n.program_kind = "external";
                n.blocked = None;
                n.next_op = None;
                n.sleeping = false;
                n.poll = None;
                n.resume = super::nodes::Resume::Start;
                Ok(edited())
            }
        }
    }

    fn external(&self, node: &str, socket: &str) -> Result<(NodeId, SocketId), ActionError> {
        let id = self.node_id(node)?;
        let n = &self.nodes[id.0 as usize];
        if !n.program.is_external() {
            return Err(ActionError::NotExternal {
                node: node.to_string(),
                program: n.program_kind.into(),
            });
        }
        Ok((id, self.socket_id(node, socket)?))
    }

    /// A connect to `endpoint` is allowed if nobody binds it yet or the
    /// binder is the right peer type.
    fn check_connect(
        &self,
        node: &str,
        socket: &str,
        kind: SocketKind,
        endpoint: &Endpoint,
    ) -> Result<(), ActionError> {
        if let Some(binder) = self.endpoints.get(endpoint) {
            let b = &self.sockets[binder.0 as usize];
            check_pair(
                node,
                socket,
                kind,
                endpoint,
                &self.nodes[b.node.0 as usize].name,
                &b.name,
                b.role.kind(),
            )?;
        }
        Ok(())
    }

    fn add_socket(&mut self, node: NodeId, spec: &SocketSpec) -> SocketId {
        let sid = SocketId(self.sockets.len() as u32);
        let mut role = Role::new(spec.kind);
        if let Role::Sub(sub) = &mut role {
            for topic in &spec.subscribe {
                sub.subs.subscribe(&Payload::from(topic.as_str()));
            }
        }
        let connects = spec.connect.iter().map(|c| self.connect_slot(c)).collect();
        self.sockets.push(super::simulator::SocketSlot {
            node,
            name: spec.name.as_str().into(),
            role,
            sndhwm: spec.sndhwm.unwrap_or(self.network.sndhwm),
            rcvhwm: spec.rcvhwm.unwrap_or(self.network.rcvhwm),
            binds: spec.bind.clone(),
            connects,
            conns: Vec::new(),
            alive: true,
        });
        self.nodes[node.0 as usize].sockets.push(sid);
        sid
    }

    /// New marks for a socket and all its pipes; a pipe that had been full
    /// and now has room re-opens (and wakes its blocked sender), and a
    /// larger receive mark lets held messages depart.
    fn set_hwm(&mut self, socket: SocketId, sndhwm: Option<u32>, rcvhwm: Option<u32>) {
        let slot = &mut self.sockets[socket.0 as usize];
        if let Some(v) = sndhwm {
            slot.sndhwm = v;
        }
        if let Some(v) = rcvhwm {
            slot.rcvhwm = v;
        }
        for conn in slot.conns.clone() {
            let c = &mut self.conns[conn.0 as usize];
            let (out, inn) = (c.out_dir(socket), c.in_dir(socket));
            if let Some(v) = sndhwm {
                c.pipes[out].set_sndhwm(v);
                if c.pipes[out].refresh_out_active() {
                    self.sockets[socket.0 as usize].role.write_activated(conn);
                    self.wake_sender(socket);
                }
            }
            if let Some(v) = rcvhwm {
                self.conns[conn.0 as usize].pipes[inn].set_rcvhwm(v);
                self.schedule_flush(conn, inn);
            }
            self.schedule_flush(conn, out);
        }
    }
}

#[cfg(all(test, feature = "reliability"))]
mod reader_tests {
    use super::Action;

    /// Every action, one per op, is written by the derive and read back by
    /// the compact reader as itself, from a value and from text; the ops
    /// read are exactly the ops serde writes. Optional fields are given
    /// (so they are written) and, for the defaults, left out too.
    #[test]
    fn every_action_reads_back() {
        let texts = [
            r#"{"op": "set_hwm", "node": "n", "socket": "s", "sndhwm": 3, "rcvhwm": 4}"#,
            r#"{"op": "set_latency", "node": "n", "socket": "s", "endpoint": "tcp://a:1", "latency": "2ms"}"#,
            r#"{"op": "set_interval", "node": "n", "interval": "5ms"}"#,
            r#"{"op": "set_service", "node": "n", "service": "1ms"}"#,
            r#"{"op": "subscribe", "node": "n", "socket": "s", "topic": "t"}"#,
            r#"{"op": "unsubscribe", "node": "n", "socket": "s", "topic": "t"}"#,
            r#"{"op": "add_node", "spec": {"name": "x", "program": {"kind": "sink"}, "sockets": [{"name": "in", "type": "PULL", "bind": ["tcp://x:1"]}]}}"#,
            r#"{"op": "remove_node", "node": "n"}"#,
            r#"{"op": "add_socket", "node": "n", "spec": {"name": "out", "type": "PUSH"}}"#,
            r#"{"op": "remove_socket", "node": "n", "socket": "s"}"#,
            r#"{"op": "bind", "node": "n", "socket": "s", "endpoint": "tcp://a:1"}"#,
            r#"{"op": "connect", "node": "n", "socket": "s", "connect": "tcp://a:1"}"#,
            r#"{"op": "disconnect", "node": "n", "socket": "s", "endpoint": "tcp://a:1"}"#,
            r#"{"op": "send", "node": "n", "socket": "s", "payload": "hi"}"#,
            r#"{"op": "recv", "node": "n", "socket": "s"}"#,
            r#"{"op": "take_over", "node": "n"}"#,
            r#"{"op": "crash", "node": "n", "on": "side_effect", "duration": "1s"}"#,
            r#"{"op": "restart", "node": "n"}"#,
            r#"{"op": "pause", "node": "n", "duration": "1s"}"#,
            r#"{"op": "resume", "node": "n"}"#,
            r#"{"op": "partition", "a": ["x"], "b": ["y"], "one_way": true, "duration": "1s"}"#,
            r#"{"op": "heal", "a": ["x"], "b": ["y"]}"#,
            r#"{"op": "delay", "a": ["x"], "b": ["y"], "latency": "3ms", "jitter": "1ms", "duration": "1s"}"#,
            r#"{"op": "drop", "a": ["x"], "b": ["y"], "rate": 0.5, "duration": "1s"}"#,
            r#"{"op": "duplicate", "a": ["x"], "b": ["y"], "rate": 0.25}"#,
            r#"{"op": "poison", "node": "n"}"#,
            r#"{"op": "publish", "node": "n", "count": 3}"#,
            r#"{"op": "task_done", "node": "n", "task": 7}"#,
        ];
        let samples: Vec<Action> = texts
            .iter()
            .map(|t| serde_json::from_str(t).unwrap_or_else(|e| panic!("{t}: {e}")))
            .collect();
        crate::json::assert_every_variant_round_trips(&samples, "op", Action::OPS);
        // Defaults where the derive has them.
        let heal: Action = serde_json::from_str(r#"{"op": "heal"}"#).unwrap();
        assert_eq!(
            heal,
            Action::Heal {
                a: vec![],
                b: vec![]
            }
        );
        let cut: Action =
            serde_json::from_str(r#"{"op": "partition", "a": ["x"], "b": ["y"]}"#).unwrap();
        assert_eq!(
            cut,
            Action::Partition {
                a: vec!["x".into()],
                b: vec!["y".into()],
                one_way: false,
                duration: None
            }
        );
    }

    /// What the derive refused, this reader refuses, in serde's words: an
    /// unknown op, a missing op, a missing field, a field the op does not
    /// have.
    #[test]
    fn action_mistakes_say_themselves_as_before() {
        let e = serde_json::from_str::<Action>(r#"{"op": "crush", "node": "n"}"#).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("unknown variant `crush`, expected one of `set_hwm`"),
            "{e}"
        );
        let e = serde_json::from_str::<Action>(r#"{"node": "n"}"#).unwrap_err();
        assert!(e.to_string().starts_with("missing field `op`"), "{e}");
        let e = serde_json::from_str::<Action>(r#"{"op": "restart"}"#).unwrap_err();
        assert!(e.to_string().starts_with("missing field `node`"), "{e}");
        let e = serde_json::from_str::<Action>(r#"{"op": "restart", "node": "n", "x": 1}"#)
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("unknown field `x`, expected `node`"),
            "{e}"
        );
    }
}
