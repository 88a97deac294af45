//! Scenarios as data: the nodes, their programs and sockets, and the
//! network's defaults, as serde JSON (schema in `docs/scenarios.md`).
//!
//! Scenario text comes from users and URLs, so everything is checked before
//! a simulator is built, and a scenario that does not make sense is refused
//! with a sentence naming the node and socket at fault ("node judge: socket
//! to_pyth is REQ but connects to a PUB endpoint …"). Unknown fields are
//! refused too, so a typo is not silently ignored.

use std::collections::{BTreeMap, BTreeSet};

use serde::{
    Deserialize, Deserializer, Serialize,
    de::{self, MapAccess, value::MapAccessDeserializer},
};

use super::{nodes::ProgramSpec, presets};
use crate::{
    socket::{Endpoint, SocketId, SocketKind},
    time::Tick,
};

/// Upper bounds that keep a hostile scenario from exhausting memory.
pub const MAX_NODES: usize = 10_000;
pub const MAX_SOCKETS_PER_NODE: usize = 64;
pub const MAX_HWM: u32 = 10_000_000;
pub const MAX_TOPICS: usize = 1_000;
pub const MAX_LATENCY: Tick = Tick::from_secs(3600);
/// A message cannot arrive before it leaves: with every hop taking at
/// least a tick, no exchange of messages can loop forever without time
/// passing (which would hang `run_until`).
pub const MIN_LATENCY: Tick = Tick(1);
/// A whole scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub network: Network,
    pub nodes: Vec<NodeSpec>,
    /// Faults the scenario schedules (`docs/scenarios.md`, "Faults"; with
    /// the `reliability` feature: without it the field is unknown).
    #[cfg(feature = "reliability")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<super::fault::ScheduledFault>,
}

fn default_latency() -> Tick {
    Tick(50)
}
fn default_handshake() -> Tick {
    Tick::from_millis(1)
}
fn default_hwm() -> u32 {
    1000
}
fn default_give_up() -> Tick {
    Tick::from_secs(60)
}
fn default_reconnect() -> Tick {
    Tick::from_millis(100)
}
fn is_default_give_up(t: &Tick) -> bool {
    *t == default_give_up()
}
fn is_default_reconnect(t: &Tick) -> bool {
    *t == default_reconnect()
}

/// Defaults every connection and socket inherits unless it says otherwise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// One-way time a message spends on the wire.
    #[serde(default = "default_latency")]
    pub latency: Tick,
    /// Time from `connect` until both sockets count the peer (TCP and ZMTP
    /// handshakes). Subscribers lose what is published meanwhile.
    #[serde(default = "default_handshake")]
    pub handshake: Tick,
    /// libzmq's default high-water marks.
    #[serde(default = "default_hwm")]
    pub sndhwm: u32,
    #[serde(default = "default_hwm")]
    pub rcvhwm: u32,
    /// How long a connection that cannot get through (a partition, a
    /// paused peer) lasts before it is given up: RabbitMQ's heartbeat
    /// timeout (60 s) for broker connections, TCP's retransmissions for
    /// ZeroMQ's.
    #[serde(
        default = "default_give_up",
        skip_serializing_if = "is_default_give_up"
    )]
    pub give_up: Tick,
    /// The first wait before connecting again (libzmq's `ZMQ_RECONNECT_IVL`,
    /// 100 ms); broker clients double it up to 32 times.
    #[serde(
        default = "default_reconnect",
        skip_serializing_if = "is_default_reconnect"
    )]
    pub reconnect: Tick,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            latency: default_latency(),
            handshake: default_handshake(),
            sndhwm: default_hwm(),
            rcvhwm: default_hwm(),
            give_up: default_give_up(),
            reconnect: default_reconnect(),
        }
    }
}

/// One node: a program and the sockets it owns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    pub name: String,
    pub program: ProgramSpec,
    /// When the node starts (binds, connects, runs its program).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start: Tick,
    pub sockets: Vec<SocketSpec>,
}

fn is_zero(t: &Tick) -> bool {
    *t == Tick::ZERO
}

/// One socket of a node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocketSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: SocketKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bind: Vec<Endpoint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connect: Vec<ConnectSpec>,
    /// SUB only: prefixes subscribed at start (`""` = everything).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscribe: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sndhwm: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcvhwm: Option<u32>,
}

/// A connect: an endpoint, optionally with its own latency and handshake.
/// Written as `"tcp://x"` or `{"endpoint": "tcp://x", "latency": "2ms"}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConnectSpec {
    pub endpoint: Endpoint,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<Tick>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshake: Option<Tick>,
}

impl ConnectSpec {
    pub fn to(endpoint: Endpoint) -> ConnectSpec {
        ConnectSpec {
            endpoint,
            latency: None,
            handshake: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectObject {
    endpoint: Endpoint,
    #[serde(default)]
    latency: Option<Tick>,
    #[serde(default)]
    handshake: Option<Tick>,
}

impl<'de> Deserialize<'de> for ConnectSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = ConnectSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "an endpoint string or {\"endpoint\": …, \"latency\": …, \"handshake\": …}",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ConnectSpec, E> {
                Endpoint::parse(v).map(ConnectSpec::to).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ConnectSpec, A::Error> {
                let o = ConnectObject::deserialize(MapAccessDeserializer::new(map))?;
                Ok(ConnectSpec {
                    endpoint: o.endpoint,
                    latency: o.latency,
                    handshake: o.handshake,
                })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Why a scenario (or an edit) was refused. Its sentences, in every
/// language, are in `refusal_text.rs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ScenarioError {
    /// The JSON could not be read; `message` is the reader's own words.
    Json {
        path: String,
        message: String,
    },
    UnknownPreset {
        name: String,
        presets: String,
    },
    NoNodes,
    TooManyNodes {
        count: usize,
    },
    EmptyNodeName,
    DuplicateNode {
        node: String,
    },
    EmptySocketName {
        node: String,
    },
    DuplicateSocket {
        node: String,
        socket: String,
    },
    TooManySockets {
        node: String,
        count: usize,
    },
    BoundTwice {
        node: String,
        socket: String,
        other_node: String,
        other_socket: String,
        endpoint: Endpoint,
    },
    Unbound {
        node: String,
        socket: String,
        endpoint: Endpoint,
    },
    SelfConnect {
        node: String,
        socket: String,
        endpoint: Endpoint,
    },
    Incompatible {
        node: String,
        socket: String,
        kind: SocketKind,
        peer_kind: SocketKind,
        endpoint: Endpoint,
        binder_node: String,
        binder_socket: String,
        want: SocketKind,
    },
    SubscribeNotSub {
        node: String,
        socket: String,
        kind: SocketKind,
    },
    /// A program needs a socket (its `role`) the node does not have.
    MissingSocket {
        node: String,
        program: String,
        role: String,
        socket: String,
        want: Box<[SocketKind]>,
    },
    /// A program's socket is of the wrong type for its role.
    RoleKind {
        node: String,
        program: String,
        role: String,
        socket: String,
        want: Box<[SocketKind]>,
        kind: SocketKind,
    },
    /// A parameter out of bounds; `socket` when it is one of a socket's.
    BadParam {
        node: String,
        param: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        socket: Option<String>,
        problem: ParamProblem,
    },
    /// A task program names a broker node that does not exist.
    NoBroker {
        node: String,
        program: String,
        broker: String,
    },
    /// A task program names a queue its broker does not declare.
    NoQueue {
        node: String,
        broker: String,
        queue: String,
    },
    /// A scheduled fault whose action is not a fault.
    NotAFault {
        index: usize,
        op: String,
    },
    /// A scheduled fault names a node the scenario does not have.
    FaultTarget {
        index: usize,
        node: String,
    },
}

/// What a bounded parameter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// Messages, where 0 means "no limit" (a high-water mark).
    Messages,
    /// A time in ticks (µs).
    Duration,
}

/// What is wrong with a parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ParamProblem {
    /// Over its maximum.
    TooLarge {
        value: u64,
        max: u64,
        unit: Bound,
    },
    /// Outside an inclusive range.
    OutOfRange {
        value: i64,
        min: i64,
        max: i64,
    },
    /// A latency of zero: a message cannot arrive before it leaves.
    ZeroLatency,
    TooManyTopics {
        max: usize,
    },
    /// A pause that is always zero on a node that never stops: it would
    /// send forever without simulated time passing.
    EndlessZeroInterval,
    /// A forwarder passes SUB to PUB or PULL to PUSH.
    ForwarderPair {
        socket: String,
        want: SocketKind,
    },
    /// A list that needs at least one entry.
    EmptyList,
    /// A queue name that is blank, declared twice, or not declared.
    BadQueue {
        queue: String,
    },
}

// Both read compactly (see `json::decode_tagged!`); written by the derives
// above.
crate::json::decode_tagged!(ScenarioError by "code" {
    "json" => Json { path, message },
    "unknown_preset" => UnknownPreset { name, presets },
    "no_nodes" => NoNodes,
    "too_many_nodes" => TooManyNodes { count },
    "empty_node_name" => EmptyNodeName,
    "duplicate_node" => DuplicateNode { node },
    "empty_socket_name" => EmptySocketName { node },
    "duplicate_socket" => DuplicateSocket { node, socket },
    "too_many_sockets" => TooManySockets { node, count },
    "bound_twice" => BoundTwice { node, socket, other_node, other_socket, endpoint },
    "unbound" => Unbound { node, socket, endpoint },
    "self_connect" => SelfConnect { node, socket, endpoint },
    "incompatible" => Incompatible {
        node, socket, kind, peer_kind, endpoint, binder_node, binder_socket, want,
    },
    "subscribe_not_sub" => SubscribeNotSub { node, socket, kind },
    "missing_socket" => MissingSocket { node, program, role, socket, want },
    "role_kind" => RoleKind { node, program, role, socket, want, kind },
    "bad_param" => BadParam { node, param, socket, problem },
    "no_broker" => NoBroker { node, program, broker },
    "no_queue" => NoQueue { node, broker, queue },
    "not_a_fault" => NotAFault { index, op },
    "fault_target" => FaultTarget { index, node },
});

crate::json::decode_tagged!(ParamProblem by "problem" {
    "too_large" => TooLarge { value, max, unit },
    "out_of_range" => OutOfRange { value, min, max },
    "zero_latency" => ZeroLatency,
    "too_many_topics" => TooManyTopics { max },
    "endless_zero_interval" => EndlessZeroInterval,
    "forwarder_pair" => ForwarderPair { socket, want },
    "empty_list" => EmptyList,
    "bad_queue" => BadQueue { queue },
});

impl std::error::Error for ScenarioError {}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::lang::Say::english(self))
    }
}

impl ScenarioError {
    fn bad(node: &str, param: &str, problem: ParamProblem) -> ScenarioError {
        ScenarioError::BadParam {
            node: node.to_string(),
            param: param.to_string(),
            socket: None,
            problem,
        }
    }

    /// A value over its maximum.
    pub(crate) fn too_large(
        node: &str,
        param: &str,
        value: u64,
        max: u64,
        unit: Bound,
    ) -> ScenarioError {
        ScenarioError::bad(node, param, ParamProblem::TooLarge { value, max, unit })
    }
}

impl Scenario {
    /// Parses scenario JSON; errors name the field path (`nodes[2].sockets[0].type`)
    /// where paths are tracked (`path-errors`: the server, not the pages).
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario =
            crate::json::decode_str(text).map_err(|e| ScenarioError::Json {
                path: e.path,
                message: e.message,
            })?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// A built-in scenario by name (`pi`, `pipeline`, …).
    pub fn preset(name: &str) -> Result<Scenario, ScenarioError> {
        match presets::text(name) {
            Some(text) => Scenario::from_json(text),
            None => Err(ScenarioError::UnknownPreset {
                name: name.to_string(),
                presets: presets::NAMES.join(", "),
            }),
        }
    }

    /// The scenario as indented JSON (`json::to_pretty`: one serialiser
    /// per type in a page's wasm, not one per formatter).
    pub fn to_json(&self) -> String {
        crate::json::to_pretty(self)
    }

    /// Every static check: names, endpoints, socket pairings, parameters
    /// and each program's sockets.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.nodes.is_empty() {
            return Err(ScenarioError::NoNodes);
        }
        if self.nodes.len() > MAX_NODES {
            return Err(ScenarioError::TooManyNodes {
                count: self.nodes.len(),
            });
        }
        check_network(&self.network)?;
        let mut names = BTreeSet::new();
        // endpoint -> (node, socket, kind)
        let mut binders: BTreeMap<&Endpoint, (&str, &str, SocketKind)> = BTreeMap::new();
        for node in &self.nodes {
            node.validate()?;
            if !names.insert(node.name.as_str()) {
                return Err(ScenarioError::DuplicateNode {
                    node: node.name.clone(),
                });
            }
            for socket in &node.sockets {
                for endpoint in &socket.bind {
                    if let Some((other_node, other_socket, _)) = binders.get(endpoint) {
                        return Err(ScenarioError::BoundTwice {
                            node: node.name.clone(),
                            socket: socket.name.clone(),
                            other_node: other_node.to_string(),
                            other_socket: other_socket.to_string(),
                            endpoint: endpoint.clone(),
                        });
                    }
                    binders.insert(endpoint, (&node.name, &socket.name, socket.kind));
                }
            }
        }
        for node in &self.nodes {
            for socket in &node.sockets {
                for connect in &socket.connect {
                    let endpoint = &connect.endpoint;
                    let Some((binder_node, binder_socket, peer_kind)) = binders.get(endpoint)
                    else {
                        return Err(ScenarioError::Unbound {
                            node: node.name.clone(),
                            socket: socket.name.clone(),
                            endpoint: endpoint.clone(),
                        });
                    };
                    check_pair(
                        &node.name,
                        &socket.name,
                        socket.kind,
                        endpoint,
                        binder_node,
                        binder_socket,
                        *peer_kind,
                    )?;
                }
            }
        }
        #[cfg(feature = "reliability")]
        self.check_reliability(&names)?;
        Ok(())
    }

    /// Task programs name brokers that exist, and scheduled faults are
    /// faults naming the scenario's nodes.
    #[cfg(feature = "reliability")]
    fn check_reliability(&self, names: &BTreeSet<&str>) -> Result<(), ScenarioError> {
        for node in &self.nodes {
            check_broker_ref(node, |name| {
                self.nodes
                    .iter()
                    .find(|n| n.name == name)
                    .and_then(|n| match &n.program {
                        ProgramSpec::Broker(b) => Some(b.clone()),
                        _ => None,
                    })
            })?;
        }
        for (index, fault) in self.faults.iter().enumerate() {
            if !fault.action.is_fault() {
                // Written as text and read back, not by `to_value`: a page
                // writes actions as text already (links, captions), and a
                // `Value`-writing copy of `Action`'s serialiser, linked for
                // this line alone, cost the reliability page 21 KB raw.
                let op = serde_json::to_string(&fault.action)
                    .ok()
                    .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                    .and_then(|v| v.get("op").and_then(|o| o.as_str()).map(str::to_owned))
                    .unwrap_or_default();
                return Err(ScenarioError::NotAFault { index, op });
            }
            for target in fault.action.fault_targets() {
                if !names.contains(target) {
                    return Err(ScenarioError::FaultTarget {
                        index,
                        node: target.to_string(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// A task program's broker must be a broker node declaring its queue.
#[cfg(feature = "reliability")]
pub(crate) fn check_broker_ref(
    node: &NodeSpec,
    broker_of: impl Fn(&str) -> Option<crate::broker::BrokerSpec>,
) -> Result<(), ScenarioError> {
    let (broker, queue) = match &node.program {
        ProgramSpec::TaskProducer(p) => (&p.broker, &p.queue),
        ProgramSpec::TaskWorker(w) => (&w.broker, &w.queue),
        _ => return Ok(()),
    };
    let Some(spec) = broker_of(broker) else {
        return Err(ScenarioError::NoBroker {
            node: node.name.clone(),
            program: node.program.kind_name().to_string(),
            broker: broker.clone(),
        });
    };
    if !spec.queues.iter().any(|q| &q.name == queue) {
        return Err(ScenarioError::NoQueue {
            node: node.name.clone(),
            broker: broker.clone(),
            queue: queue.clone(),
        });
    }
    Ok(())
}

fn check_network(n: &Network) -> Result<(), ScenarioError> {
    const NETWORK: &str = "(network)";
    if n.latency < MIN_LATENCY {
        return Err(ScenarioError::bad(
            NETWORK,
            "latency",
            ParamProblem::ZeroLatency,
        ));
    }
    if n.latency > MAX_LATENCY {
        return Err(ScenarioError::too_large(
            NETWORK,
            "latency",
            n.latency.0,
            MAX_LATENCY.0,
            Bound::Duration,
        ));
    }
    if n.handshake > MAX_LATENCY {
        return Err(ScenarioError::too_large(
            NETWORK,
            "handshake",
            n.handshake.0,
            MAX_LATENCY.0,
            Bound::Duration,
        ));
    }
    for (param, v) in [("give_up", n.give_up), ("reconnect", n.reconnect)] {
        if v > MAX_LATENCY {
            return Err(ScenarioError::too_large(
                NETWORK,
                param,
                v.0,
                MAX_LATENCY.0,
                Bound::Duration,
            ));
        }
        if v == Tick::ZERO {
            return Err(ScenarioError::bad(
                NETWORK,
                param,
                ParamProblem::OutOfRange {
                    value: 0,
                    min: 1,
                    max: MAX_LATENCY.0 as i64,
                },
            ));
        }
    }
    for (param, v) in [("sndhwm", n.sndhwm), ("rcvhwm", n.rcvhwm)] {
        if v > MAX_HWM {
            return Err(ScenarioError::too_large(
                NETWORK,
                param,
                v.into(),
                MAX_HWM.into(),
                Bound::Messages,
            ));
        }
    }
    Ok(())
}

/// A connecting socket of `kind` meets a binder of `peer_kind`.
pub(crate) fn check_pair(
    node: &str,
    socket: &str,
    kind: SocketKind,
    endpoint: &Endpoint,
    binder_node: &str,
    binder_socket: &str,
    peer_kind: SocketKind,
) -> Result<(), ScenarioError> {
    if peer_kind == kind.peer() {
        return Ok(());
    }
    if binder_node == node && binder_socket == socket {
        return Err(ScenarioError::SelfConnect {
            node: node.to_string(),
            socket: socket.to_string(),
            endpoint: endpoint.clone(),
        });
    }
    Err(ScenarioError::Incompatible {
        node: node.to_string(),
        socket: socket.to_string(),
        kind,
        peer_kind,
        endpoint: endpoint.clone(),
        binder_node: binder_node.to_string(),
        binder_socket: binder_socket.to_string(),
        want: kind.peer(),
    })
}

impl NodeSpec {
    /// Checks this node alone: names, socket options, the program's sockets.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.name.trim().is_empty() {
            return Err(ScenarioError::EmptyNodeName);
        }
        if self.sockets.len() > MAX_SOCKETS_PER_NODE {
            return Err(ScenarioError::TooManySockets {
                node: self.name.clone(),
                count: self.sockets.len(),
            });
        }
        let mut names = BTreeSet::new();
        for socket in &self.sockets {
            socket.validate(&self.name)?;
            if !names.insert(socket.name.as_str()) {
                return Err(ScenarioError::DuplicateSocket {
                    node: self.name.clone(),
                    socket: socket.name.clone(),
                });
            }
        }
        self.program.build(&self.name, &self.resolver(0))?;
        Ok(())
    }

    /// Maps a program's socket role to this node's sockets, numbered from
    /// `base`, checking the type.
    pub(crate) fn resolver(
        &self,
        base: u32,
    ) -> impl Fn(&'static str, &str, &[SocketKind]) -> Result<SocketId, ScenarioError> + '_ {
        move |role, name, want| {
            let program = self.program.kind_name().to_owned();
            let Some(index) = self.sockets.iter().position(|s| s.name == name) else {
                return Err(ScenarioError::MissingSocket {
                    node: self.name.clone(),
                    program,
                    role: role.to_owned(),
                    socket: name.to_string(),
                    want: want.into(),
                });
            };
            let kind = self.sockets[index].kind;
            if !want.contains(&kind) {
                return Err(ScenarioError::RoleKind {
                    node: self.name.clone(),
                    program,
                    role: role.to_owned(),
                    socket: name.to_string(),
                    want: want.into(),
                    kind,
                });
            }
            Ok(SocketId(base + index as u32))
        }
    }
}

impl SocketSpec {
    pub fn validate(&self, node: &str) -> Result<(), ScenarioError> {
        if self.name.trim().is_empty() {
            return Err(ScenarioError::EmptySocketName {
                node: node.to_string(),
            });
        }
        if !self.subscribe.is_empty() && self.kind != SocketKind::Sub {
            return Err(ScenarioError::SubscribeNotSub {
                node: node.to_string(),
                socket: self.name.clone(),
                kind: self.kind,
            });
        }
        let at = |param: &str, problem: ParamProblem| ScenarioError::BadParam {
            node: node.to_string(),
            param: param.to_string(),
            socket: Some(self.name.clone()),
            problem,
        };
        let too_large = |value: u64, max: u64, unit| ParamProblem::TooLarge { value, max, unit };
        if self.subscribe.len() > MAX_TOPICS {
            return Err(at(
                "subscribe",
                ParamProblem::TooManyTopics { max: MAX_TOPICS },
            ));
        }
        for (param, v) in [("sndhwm", self.sndhwm), ("rcvhwm", self.rcvhwm)] {
            if let Some(v) = v
                && v > MAX_HWM
            {
                return Err(at(
                    param,
                    too_large(v.into(), MAX_HWM.into(), Bound::Messages),
                ));
            }
        }
        for c in &self.connect {
            for (param, v) in [("latency", c.latency), ("handshake", c.handshake)] {
                if let Some(v) = v
                    && v > MAX_LATENCY
                {
                    return Err(at(param, too_large(v.0, MAX_LATENCY.0, Bound::Duration)));
                }
            }
            if c.latency.is_some_and(|l| l < MIN_LATENCY) {
                return Err(at("latency", ParamProblem::ZeroLatency));
            }
            if self.bind.contains(&c.endpoint) {
                return Err(ScenarioError::SelfConnect {
                    node: node.to_string(),
                    socket: self.name.clone(),
                    endpoint: c.endpoint.clone(),
                });
            }
        }
        Ok(())
    }
}
