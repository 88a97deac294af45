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
pub(crate) const LATENCY_FLOOR: &str =
    "is 0; it must be at least 1us (a message cannot arrive before it leaves)";

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
}

impl Default for Network {
    fn default() -> Self {
        Network {
            latency: default_latency(),
            handshake: default_handshake(),
            sndhwm: default_hwm(),
            rcvhwm: default_hwm(),
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

/// Why a scenario (or an edit) was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("scenario JSON at {path}: {message}")]
    Json { path: String, message: String },
    #[error("unknown scenario `{name}`; presets are: {presets}")]
    UnknownPreset { name: String, presets: String },
    #[error("the scenario has no nodes")]
    NoNodes,
    #[error("the scenario has {0} nodes; at most {MAX_NODES} are allowed")]
    TooManyNodes(usize),
    #[error("a node has an empty name")]
    EmptyNodeName,
    #[error("two nodes are named {0}")]
    DuplicateNode(String),
    #[error("node {node}: a socket has an empty name")]
    EmptySocketName { node: String },
    #[error("node {node}: two sockets are named {socket}")]
    DuplicateSocket { node: String, socket: String },
    #[error("node {node} has {count} sockets; at most {MAX_SOCKETS_PER_NODE} are allowed")]
    TooManySockets { node: String, count: usize },
    #[error(
        "node {node}: socket {socket} and node {other_node}'s socket {other_socket} both bind {endpoint}"
    )]
    BoundTwice {
        node: String,
        socket: String,
        other_node: String,
        other_socket: String,
        endpoint: Endpoint,
    },
    #[error("node {node}: socket {socket} connects to {endpoint}, which no socket binds")]
    Unbound {
        node: String,
        socket: String,
        endpoint: Endpoint,
    },
    #[error("node {node}: socket {socket} both binds and connects {endpoint}")]
    SelfConnect {
        node: String,
        socket: String,
        endpoint: Endpoint,
    },
    #[error(
        "node {node}: socket {socket} is {kind} but connects to a {peer_kind} endpoint ({endpoint}, bound by {binder_node}.{binder_socket}); {kind} talks to {want}"
    )]
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
    #[error("node {node}: socket {socket} is {kind}; only a SUB socket subscribes")]
    SubscribeNotSub {
        node: String,
        socket: String,
        kind: SocketKind,
    },
    #[error(
        "node {node}: program {program} needs a socket named {socket} (its `{role}`, {want}), but the node has none"
    )]
    MissingSocket {
        node: String,
        program: &'static str,
        role: &'static str,
        socket: String,
        want: String,
    },
    #[error(
        "node {node}: program {program} uses socket {socket} as its `{role}`, which must be {want}, but {socket} is {kind}"
    )]
    RoleKind {
        node: String,
        program: &'static str,
        role: &'static str,
        socket: String,
        want: String,
        kind: SocketKind,
    },
    #[error("node {node}: {param} {why}")]
    BadParam {
        node: String,
        param: &'static str,
        why: String,
    },
}

impl ScenarioError {
    fn bad(node: &str, param: &'static str, why: String) -> ScenarioError {
        ScenarioError::BadParam {
            node: node.to_string(),
            param,
            why,
        }
    }
}

impl Scenario {
    /// Parses scenario JSON; errors name the field path (`nodes[2].sockets[0].type`).
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

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Every static check: names, endpoints, socket pairings, parameters
    /// and each program's sockets.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.nodes.is_empty() {
            return Err(ScenarioError::NoNodes);
        }
        if self.nodes.len() > MAX_NODES {
            return Err(ScenarioError::TooManyNodes(self.nodes.len()));
        }
        check_network(&self.network)?;
        let mut names = BTreeSet::new();
        // endpoint -> (node, socket, kind)
        let mut binders: BTreeMap<&Endpoint, (&str, &str, SocketKind)> = BTreeMap::new();
        for node in &self.nodes {
            node.validate()?;
            if !names.insert(node.name.as_str()) {
                return Err(ScenarioError::DuplicateNode(node.name.clone()));
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
        Ok(())
    }
}

fn check_network(n: &Network) -> Result<(), ScenarioError> {
    let bad = |param, why| ScenarioError::bad("(network)", param, why);
    if n.latency < MIN_LATENCY {
        return Err(bad("latency", LATENCY_FLOOR.to_string()));
    }
    if n.latency > MAX_LATENCY {
        return Err(bad(
            "latency",
            format!("is {}, at most {MAX_LATENCY}", n.latency),
        ));
    }
    if n.handshake > MAX_LATENCY {
        return Err(bad(
            "handshake",
            format!("is {}, at most {MAX_LATENCY}", n.handshake),
        ));
    }
    for (param, v) in [("sndhwm", n.sndhwm), ("rcvhwm", n.rcvhwm)] {
        if v > MAX_HWM {
            return Err(bad(
                param,
                format!("is {v}, at most {MAX_HWM} (0 = unlimited)"),
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
            let program = self.program.kind_name();
            let want_text = want
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(" or ");
            let Some(index) = self.sockets.iter().position(|s| s.name == name) else {
                return Err(ScenarioError::MissingSocket {
                    node: self.name.clone(),
                    program,
                    role,
                    socket: name.to_string(),
                    want: want_text,
                });
            };
            let kind = self.sockets[index].kind;
            if !want.contains(&kind) {
                return Err(ScenarioError::RoleKind {
                    node: self.name.clone(),
                    program,
                    role,
                    socket: name.to_string(),
                    want: want_text,
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
        let at = |param: &'static str, why: String| {
            ScenarioError::bad(node, param, format!("of socket {}: {why}", self.name))
        };
        if self.subscribe.len() > MAX_TOPICS {
            return Err(at("subscribe", format!("at most {MAX_TOPICS} topics")));
        }
        for (param, v) in [("sndhwm", self.sndhwm), ("rcvhwm", self.rcvhwm)] {
            if let Some(v) = v
                && v > MAX_HWM
            {
                return Err(at(
                    param,
                    format!("is {v}, at most {MAX_HWM} (0 = unlimited)"),
                ));
            }
        }
        for c in &self.connect {
            for (param, v) in [("latency", c.latency), ("handshake", c.handshake)] {
                if let Some(v) = v
                    && v > MAX_LATENCY
                {
                    return Err(at(param, format!("is {v}, at most {MAX_LATENCY}")));
                }
            }
            if c.latency.is_some_and(|l| l < MIN_LATENCY) {
                return Err(at("latency", LATENCY_FLOOR.to_string()));
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
