//! Read-only views of a simulator for the frontend, the CLI and tests: the
//! topology with queue depths, a summary with counters, and a caption in
//! plain words for any event. The frontend renders these; it holds no
//! semantics of its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    NodeId, Simulator,
    event::{BlockReason, DropReason, Event, EventKind, Fate, HopFate, Route, SleepWhy},
    simulator::ConnState,
    stats::{Drops, NodeCounters},
};
use crate::{
    socket::{ConnId, Endpoint, FsmState, MsgId, OpKind, Payload, Role, SocketId, SocketKind},
    time::Tick,
};

/// Everything needed to draw the canvas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Topology {
    pub now: Tick,
    pub steps: u64,
    pub nodes: Vec<NodeView>,
    pub sockets: Vec<SocketView>,
    pub conns: Vec<ConnView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    pub id: NodeId,
    pub name: String,
    pub program: String,
    /// `waiting to start`, `running`, `blocked`, `sleeping`, `halted`,
    /// `external` or `removed`.
    pub state: String,
    pub blocked_on: Option<(SocketId, OpKind)>,
    pub sockets: Vec<SocketId>,
    pub counters: NodeCounters,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SocketView {
    pub id: SocketId,
    pub node: NodeId,
    pub name: String,
    pub kind: SocketKind,
    pub sndhwm: u32,
    pub rcvhwm: u32,
    pub binds: Vec<Endpoint>,
    pub connects: Vec<Endpoint>,
    pub subscriptions: Vec<Payload>,
    pub fsm: Option<FsmState>,
    pub alive: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnView {
    pub id: ConnId,
    pub connecter: SocketId,
    /// `None` while nobody binds the endpoint.
    pub binder: Option<SocketId>,
    pub endpoint: Endpoint,
    /// `handshaking`, `up` or `closed`.
    pub state: String,
    pub pipes: Vec<PipeView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipeView {
    /// `None` for the unbound end of a pending connection.
    pub from: Option<SocketId>,
    pub to: Option<SocketId>,
    /// In the sender's queue, on the wire, in the receiver's queue.
    pub sending: u32,
    pub on_wire: u32,
    pub receiving: u32,
    pub sndhwm: u32,
    pub rcvhwm: u32,
    pub latency: Tick,
    /// Queued message ids in order (at most 64).
    pub queued: Vec<MsgId>,
}

/// The π tally's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PiTally {
    pub node: String,
    pub p: u64,
    pub q: u64,
    pub yes: u64,
    pub no: u64,
    pub estimate: Option<f64>,
}

/// What `fanout sim --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub now: Tick,
    pub events: u64,
    pub trace_digest: String,
    pub nodes: BTreeMap<String, NodeCounters>,
    pub drops: Drops,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pi_estimate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tally: Option<PiTally>,
}

impl Simulator {
    pub fn now(&self) -> Tick {
        self.now
    }
    /// Events so far (the index the next event will carry).
    pub fn steps(&self) -> u64 {
        self.steps
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn scenario_name(&self) -> &str {
        &self.scenario_name
    }
    pub fn trace_digest(&self) -> String {
        self.digest.hex()
    }
    pub fn drops(&self) -> &Drops {
        &self.drops
    }

    pub fn node_name(&self, id: NodeId) -> &str {
        self.nodes.get(id.0 as usize).map_or("?", |n| &n.name)
    }

    /// `node.socket`.
    pub fn socket_label(&self, id: SocketId) -> String {
        match self.sockets.get(id.0 as usize) {
            Some(s) => format!("{}.{}", self.node_name(s.node), s.name),
            None => "?".into(),
        }
    }

    pub fn node_counters(&self, id: NodeId) -> Option<&NodeCounters> {
        self.nodes.get(id.0 as usize).map(|n| &n.counters)
    }

    /// The first tally's counts (the π scenario's).
    pub fn pi_tally(&self) -> Option<PiTally> {
        self.nodes.iter().filter(|n| n.alive).find_map(|n| {
            n.program.tally().map(|t| PiTally {
                node: n.name.to_string(),
                p: t.p,
                q: t.q,
                yes: t.p / 4,
                no: t.q - t.p / 4,
                estimate: t.estimate(),
            })
        })
    }

    pub fn summary(&self) -> Summary {
        let tally = self.pi_tally();
        Summary {
            scenario: self.scenario_name.clone(),
            seed: self.seed,
            now: self.now,
            events: self.steps,
            trace_digest: self.trace_digest(),
            nodes: self
                .nodes
                .iter()
                .map(|n| (n.name.to_string(), n.counters.clone()))
                .collect(),
            drops: self.drops.clone(),
            pi_estimate: tally.as_ref().and_then(|t| t.estimate),
            tally,
        }
    }

    pub fn topology(&self) -> Topology {
        let nodes = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| NodeView {
                id: NodeId(i as u32),
                name: n.name.to_string(),
                program: n.program_kind.to_string(),
                state: if !n.alive {
                    "removed"
                } else if !n.started {
                    "waiting to start"
                } else if n.program.is_external() {
                    "external"
                } else if n.halted {
                    "halted"
                } else if n.blocked.is_some() {
                    "blocked"
                } else if n.sleeping {
                    "sleeping"
                } else {
                    "running"
                }
                .to_string(),
                blocked_on: n.blocked,
                sockets: n.sockets.clone(),
                counters: n.counters.clone(),
            })
            .collect();
        let sockets = self
            .sockets
            .iter()
            .enumerate()
            .map(|(i, s)| SocketView {
                id: SocketId(i as u32),
                node: s.node,
                name: s.name.to_string(),
                kind: s.role.kind(),
                sndhwm: s.sndhwm,
                rcvhwm: s.rcvhwm,
                binds: s.binds.clone(),
                connects: s.connects.iter().map(|c| c.endpoint.clone()).collect(),
                subscriptions: match &s.role {
                    Role::Sub(sub) => sub.subs.topics().cloned().collect(),
                    _ => Vec::new(),
                },
                fsm: s.role.fsm_state(),
                alive: s.alive,
            })
            .collect();
        let conns = self
            .conns
            .iter()
            .enumerate()
            .map(|(i, c)| ConnView {
                id: ConnId(i as u32),
                connecter: c.connecter,
                binder: c.binder,
                endpoint: c.endpoint.clone(),
                state: match c.state {
                    ConnState::Pending => "pending",
                    ConnState::Handshaking => "handshaking",
                    ConnState::Up => "up",
                    ConnState::Closed => "closed",
                }
                .to_string(),
                pipes: (0..2)
                    .map(|d| {
                        let p = &c.pipes[d];
                        let (from, to) = if d == 0 {
                            (Some(c.connecter), c.binder)
                        } else {
                            (c.binder, Some(c.connecter))
                        };
                        let (sending, on_wire, receiving) = p.depths();
                        let mut queued = p.queued_ids();
                        queued.truncate(64);
                        PipeView {
                            from,
                            to,
                            sending: sending as u32,
                            on_wire: on_wire as u32,
                            receiving: receiving as u32,
                            sndhwm: p.sndhwm(),
                            rcvhwm: p.rcvhwm(),
                            latency: p.latency,
                            queued,
                        }
                    })
                    .collect(),
            })
            .collect();
        Topology {
            now: self.now,
            steps: self.steps,
            nodes,
            sockets,
            conns,
        }
    }

    /// One sentence about an event, in the learner's terms.
    pub fn caption(&self, event: &Event) -> String {
        let node = |id: NodeId| self.node_name(id).to_string();
        let sock = |id: SocketId| self.socket_label(id);
        let peer_node = |id: Option<SocketId>| {
            let Some(id) = id else {
                return "nobody yet".to_string();
            };
            self.sockets
                .get(id.0 as usize)
                .map_or("?".to_string(), |s| self.node_name(s.node).to_string())
        };
        let kind_of = |id: SocketId| {
            self.sockets
                .get(id.0 as usize)
                .map_or("socket", |s| s.role.kind().name())
        };
        match &event.kind {
            EventKind::NodeStarted {
                node: n,
                bound,
                connecting,
            } => {
                let mut parts = Vec::new();
                for (s, e) in bound {
                    parts.push(format!("{} binds {e}", sock(*s)));
                }
                for (s, e, c) in connecting {
                    parts.push(match c {
                        Some(_) => format!("{} connects to {e}", sock(*s)),
                        None => format!("{} cannot connect to {e}", sock(*s)),
                    });
                }
                if parts.is_empty() {
                    format!("{} starts", node(*n))
                } else {
                    format!("{} starts: {}", node(*n), parts.join("; "))
                }
            }
            EventKind::NodeHalted { node: n } => format!("{} has finished its program", node(*n)),
            EventKind::Bound { socket, endpoint } => format!("{} binds {endpoint}", sock(*socket)),
            EventKind::Connecting {
                socket,
                endpoint,
                conn,
            } => match conn {
                Some(_) => format!("{} connects to {endpoint}", sock(*socket)),
                None => format!(
                    "{} will connect to {endpoint} once someone binds it",
                    sock(*socket)
                ),
            },
            EventKind::Connected {
                connecter, binder, ..
            } => format!(
                "handshake done: {} and {} now count each other as peers",
                sock(*connecter),
                sock(*binder)
            ),
            EventKind::Disconnected { conn, lost } => {
                format!(
                    "connection #{} closed; {lost} queued message(s) lost",
                    conn.0
                )
            }
            EventKind::Subscribe {
                socket,
                topic,
                on,
                upstream,
                ..
            } => {
                let verb = if *on {
                    "subscribes to"
                } else {
                    "unsubscribes from"
                };
                let tail = if *upstream {
                    "; publishers are told"
                } else {
                    " (no change upstream: counted duplicate)"
                };
                format!("{} {verb} {}{tail}", sock(*socket), quote_topic(topic))
            }
            EventKind::SubscriptionArrived {
                conn,
                publisher,
                topic,
                on,
            } => {
                let sub = self
                    .conns
                    .get(conn.0 as usize)
                    .and_then(|c| c.peer_of(*publisher))
                    .map_or("?".into(), sock);
                format!(
                    "{} learns that {sub} {} {}",
                    sock(*publisher),
                    if *on { "wants" } else { "no longer wants" },
                    quote_topic(topic)
                )
            }
            EventKind::Send {
                node: n,
                socket,
                msg,
                payload,
                route,
                state,
            } => {
                let who = node(*n);
                let k = kind_of(*socket);
                let body = short(payload);
                let mut text = match route {
                    Route::Peer {
                        conn,
                        peer,
                        skipped,
                    } => {
                        let mut s = match peer {
                            Some(_) => format!(
                                "{who} sends {msg} {body}: {k} gave {msg} to {}",
                                peer_node(*peer)
                            ),
                            None => format!(
                                "{who} sends {msg} {body}: {k} queued it on its pipe to {}, which nobody binds yet",
                                self.conns
                                    .get(conn.0 as usize)
                                    .map_or("?".into(), |c| c.endpoint.to_string())
                            ),
                        };
                        for skip in skipped {
                            s.push_str(&format!(
                                "; {} skipped: pipe full (HWM {})",
                                peer_node(skip.peer),
                                skip.hwm
                            ));
                        }
                        s
                    }
                    Route::Reply { peer, .. } => {
                        format!(
                            "{who} replies {msg} {body} to {}, who asked",
                            peer_node(*peer)
                        )
                    }
                    Route::Fanout { hops } => {
                        let mut got = Vec::new();
                        let mut filtered = Vec::new();
                        let mut dropped = Vec::new();
                        for h in hops {
                            let name = peer_node(h.peer);
                            match h.fate {
                                HopFate::Queued => {
                                    // The prefix that matched, as the
                                    // publisher knows it now.
                                    let matched = match self.sockets.get(socket.0 as usize) {
                                        Some(s) => match &s.role {
                                            Role::Pub(p) => p
                                                .filter(h.conn)
                                                .and_then(|f| f.matching(payload.as_bytes()))
                                                .map(|t| format!(" ({})", quote_topic(t))),
                                            _ => None,
                                        },
                                        None => None,
                                    };
                                    got.push(format!("{name}{}", matched.unwrap_or_default()));
                                }
                                HopFate::Filtered => filtered.push(name),
                                HopFate::DroppedHwm => dropped.push(name),
                            }
                        }
                        let mut s = format!("{who} publishes {msg} {body}");
                        if got.is_empty() && dropped.is_empty() {
                            s.push_str(": no subscription matches, so it is not sent");
                        } else if !got.is_empty() {
                            s.push_str(&format!(": to {}", got.join(", ")));
                        }
                        if !filtered.is_empty() {
                            s.push_str(&format!("; filtered out for {}", filtered.join(", ")));
                        }
                        if !dropped.is_empty() {
                            s.push_str(&format!(
                                "; dropped for {} (pipe at its high-water mark)",
                                dropped.join(", ")
                            ));
                        }
                        s
                    }
                    Route::Dropped { reason } => format!(
                        "{who} sends {msg} {body} on its {k}, which discards it: {}",
                        drop_words(*reason)
                    ),
                };
                if let Some(FsmState::AwaitingReply) = state {
                    text.push_str(&format!(" (its {k} now waits for the reply)"));
                }
                text
            }
            EventKind::Depart {
                from,
                to,
                first,
                last,
                count,
                arrives,
                reopened,
                ..
            } => {
                let which = if count == &1 {
                    format!("{first}")
                } else {
                    format!("{first}…{last} ({count} messages)")
                };
                let mut s = format!(
                    "{which} leaves {} on the wire to {}, arriving at {}",
                    sock(*from),
                    sock(*to),
                    clock(*arrives)
                );
                if *reopened {
                    s.push_str("; the pipe has room again");
                }
                s
            }
            EventKind::Deliver {
                to,
                msg,
                fate,
                wakes,
                ..
            } => match fate {
                Fate::Queued => match wakes {
                    Some(n) => format!("{msg} arrives at {}; {} wakes up", sock(*to), node(*n)),
                    None => format!("{msg} arrives at {} and waits in its queue", sock(*to)),
                },
                Fate::Dropped { reason } => {
                    format!(
                        "{msg} arrives at {} and is discarded: {}",
                        sock(*to),
                        drop_words(*reason)
                    )
                }
            },
            EventKind::Recv {
                node: n,
                socket,
                msg,
                payload,
                conn,
                state,
            } => {
                let from = self
                    .conns
                    .get(conn.0 as usize)
                    .map_or("?".into(), |c| peer_node(c.peer_of(*socket)));
                let mut s = format!(
                    "{} receives {msg} {} from {from} on {}",
                    node(*n),
                    short(payload),
                    sock(*socket)
                );
                if let Some(st) = state {
                    s.push_str(&format!(" (now {st})"));
                }
                s
            }
            EventKind::Block {
                node: n,
                socket,
                op,
                reason,
                waits,
            } => {
                let why = match reason {
                    BlockReason::NoPeer => "no peer has connected yet".to_string(),
                    BlockReason::PipesFull { hwm } => {
                        format!("every peer's pipe is at its high-water mark ({hwm})")
                    }
                    BlockReason::Empty => "nothing has arrived".to_string(),
                };
                if *waits {
                    format!("{} blocks in {op} on {}: {why}", node(*n), sock(*socket))
                } else {
                    format!(
                        "{}'s {op} on {} returns EAGAIN: {why}",
                        node(*n),
                        sock(*socket)
                    )
                }
            }
            EventKind::Unblock { node: n, socket } => {
                format!("{} can send on {} again", node(*n), sock(*socket))
            }
            EventKind::Error {
                node: n,
                socket,
                error,
            } => format!("{} on {}: {error}", node(*n), sock(*socket)),
            EventKind::Sleep {
                node: n,
                until,
                why,
            } => {
                let d = until.saturating_sub(event.time);
                match why {
                    SleepWhy::Interval => format!("{} waits {d} before its next message", node(*n)),
                    SleepWhy::Service => format!("{} works on its message for {d}", node(*n)),
                }
            }
            EventKind::Timer { node: n } => format!("{} is ready again", node(*n)),
            EventKind::Log { node: n, entry } => format!("{} prints: {entry}", node(*n)),
            EventKind::Edited { action } => format!(
                "edit: {}",
                serde_json::to_string(action).unwrap_or_else(|_| "?".into())
            ),
            EventKind::NodeRemoved { node: n, lost } => {
                format!("{} removed; {lost} queued message(s) lost", node(*n))
            }
        }
    }
}

fn quote_topic(topic: &Payload) -> String {
    if topic.is_empty() {
        "everything (\"\")".into()
    } else {
        format!("{:?}", topic.as_str())
    }
}

/// A payload for a caption, shortened.
fn short(payload: &Payload) -> String {
    let s = payload.as_str();
    if s.chars().count() <= 24 {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(20).collect();
        format!("\"{head}…\"")
    }
}

fn clock(t: Tick) -> String {
    format!("{:.3} ms", t.0 as f64 / 1000.0)
}

fn drop_words(reason: DropReason) -> &'static str {
    match reason {
        DropReason::Hwm => "the pipe is at its high-water mark",
        DropReason::NoPeer => "there is no peer",
        DropReason::Filtered => "no subscription matches",
        DropReason::Disconnected => "its connection closed",
    }
}
