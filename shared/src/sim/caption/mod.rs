//! The facts of a caption, with ids resolved to names, so that each
//! interface language can say them in its own words.
//!
//! [`Simulator::caption_facts`] reads an event against the simulator's
//! current state (names, the publisher's filters) and returns a
//! [`Caption`]; its sentences, English and Chinese side by side, are in
//! [`text`] (`Say`). So there is one place that decides *what* is said
//! and one sentence per language for *how*.

use super::{
    NodeId, Simulator, Topology,
    action::Action,
    event::{BlockReason, DropReason, Event, EventKind, Fate, HopFate, Route, SleepWhy},
    nodes::LogEntry,
};
#[cfg(feature = "reliability")]
use super::{broker_event::BrokerEvent, fault_event::FaultEvent};
use crate::{
    lang::{Lang, Say},
    socket::{ConnId, FsmState, MsgId, OpKind, Payload, Role, SocketError, SocketId, SocketKind},
    time::Tick,
};

// The reliability engine's captions (with the `reliability` feature).
#[cfg(feature = "reliability")]
mod reliability_text;
mod text;

/// What one event means, names resolved. Nodes and sockets are names
/// (`judge`, `judge.to_pyth`); a peer that is not there yet is `None`
/// ("nobody yet").
#[derive(Clone, Debug, PartialEq)]
pub enum Caption {
    NodeStarted {
        node: String,
        /// Each bind and connect of its sockets, in order.
        parts: Vec<StartPart>,
    },
    NodeHalted {
        node: String,
    },
    Bound {
        socket: String,
        endpoint: String,
    },
    Connecting {
        socket: String,
        endpoint: String,
        /// Nobody binds the endpoint yet.
        pending: bool,
    },
    Connected {
        connecter: String,
        binder: String,
    },
    Disconnected {
        conn: u32,
        lost: u32,
    },
    Subscribe {
        socket: String,
        topic: String,
        on: bool,
        upstream: bool,
    },
    SubscriptionArrived {
        publisher: String,
        subscriber: Option<String>,
        topic: String,
        on: bool,
    },
    Send {
        node: String,
        msg: MsgId,
        /// The payload, shortened and quoted (`"0110…"`).
        body: String,
        kind: SocketKind,
        to: SentTo,
        /// A REQ now waits for the reply.
        awaits_reply: bool,
    },
    Depart {
        first: MsgId,
        last: MsgId,
        count: u32,
        from: String,
        to: String,
        arrives: Tick,
        reopened: bool,
    },
    Delivered {
        msg: MsgId,
        to: String,
        /// The node it woke, if it was blocked in recv.
        wakes: Option<String>,
    },
    DeliverDropped {
        msg: MsgId,
        to: String,
        reason: DropReason,
    },
    Received {
        node: String,
        msg: MsgId,
        body: String,
        from: Option<String>,
        socket: String,
        state: Option<FsmState>,
    },
    Blocked {
        node: String,
        socket: String,
        op: OpKind,
        reason: BlockReason,
        /// A program's node waits; an external call returns EAGAIN.
        waits: bool,
    },
    Unblocked {
        node: String,
        socket: String,
    },
    Failed {
        node: String,
        socket: String,
        error: SocketError,
    },
    Sleeps {
        node: String,
        span: Tick,
        why: SleepWhy,
    },
    Ready {
        node: String,
    },
    Printed {
        node: String,
        entry: LogEntry,
    },
    Edited {
        action: Action,
    },
    NodeRemoved {
        node: String,
        lost: u32,
    },
    TimedOut {
        node: String,
        socket: String,
        after: Tick,
    },
    Reopened {
        node: String,
        socket: String,
        lost: u32,
    },
    /// A fault, with the names of the nodes it mentions. This and the
    /// next are the reliability engine's (with the `reliability` feature;
    /// said in `reliability_text.rs`).
    #[cfg(feature = "reliability")]
    Fault {
        fact: FaultEvent,
        names: Names,
    },
    /// A broker event, with the names of the nodes it mentions.
    #[cfg(feature = "reliability")]
    Broker {
        fact: BrokerEvent,
        names: Names,
    },
}

/// Node names for the ids a fault or broker event mentions.
#[cfg(feature = "reliability")]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Names(std::collections::BTreeMap<NodeId, String>);

#[cfg(feature = "reliability")]
impl Names {
    pub fn of(&self, id: NodeId) -> &str {
        self.0.get(&id).map_or("?", String::as_str)
    }

    /// `a, b, c`.
    pub fn list(&self, ids: &[NodeId], sep: &str) -> String {
        ids.iter()
            .map(|i| self.of(*i))
            .collect::<Vec<_>>()
            .join(sep)
    }

    fn collect(known: &impl CaptionState, ids: impl IntoIterator<Item = NodeId>) -> Names {
        Names(ids.into_iter().map(|i| (i, known.node_name(i))).collect())
    }
}

/// One bind or connect when a node starts.
#[derive(Clone, Debug, PartialEq)]
pub enum StartPart {
    Binds {
        socket: String,
        endpoint: String,
    },
    Connects {
        socket: String,
        endpoint: String,
    },
    /// The endpoint is not bound by anyone (yet).
    CannotConnect {
        socket: String,
        endpoint: String,
    },
}

/// Where a sent message went, names resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum SentTo {
    /// PUSH or REQ: one peer (`None`: queued on a pipe to `endpoint`,
    /// which nobody binds yet); `skipped` peers' pipes were full.
    Peer {
        peer: Option<String>,
        endpoint: String,
        skipped: Vec<(Option<String>, u32)>,
    },
    /// REP: back to the asker.
    Reply { peer: Option<String> },
    /// PUB: who got a copy (and by which subscription, as the publisher
    /// knows it now), who filtered it out, who dropped it at the mark.
    Fanout {
        got: Vec<(Option<String>, Option<String>)>,
        filtered: Vec<Option<String>>,
        dropped: Vec<Option<String>>,
    },
    /// Nobody got it.
    Dropped { reason: DropReason },
}

/// What a caption needs to know about the state it reads an event
/// against: the simulator itself, or the [`Topology`] a live room's server
/// last sent (a browser watching a room has no simulator, only the
/// room's topology and events). One [`facts`] decides what is said for
/// both.
trait CaptionState {
    fn node_name(&self, id: NodeId) -> String;
    fn socket_label(&self, id: SocketId) -> String;
    fn socket_node(&self, id: SocketId) -> Option<NodeId>;
    fn socket_kind(&self, id: SocketId) -> Option<SocketKind>;
    fn conn_endpoint(&self, conn: ConnId) -> Option<String>;
    /// The socket at the other end of `conn` from `socket`: `None` for an
    /// unknown connection, `Some(None)` while it is pending.
    fn conn_peer(&self, conn: ConnId, socket: SocketId) -> Option<Option<SocketId>>;
    /// The subscription of `conn`'s subscriber that let `payload` through
    /// `publisher`, as the publisher knows it now.
    fn matched_topic(&self, publisher: SocketId, conn: ConnId, payload: &Payload)
    -> Option<String>;
}

impl CaptionState for Simulator {
    fn node_name(&self, id: NodeId) -> String {
        Simulator::node_name(self, id).to_string()
    }
    fn socket_label(&self, id: SocketId) -> String {
        Simulator::socket_label(self, id)
    }
    fn socket_node(&self, id: SocketId) -> Option<NodeId> {
        self.sockets.get(id.0 as usize).map(|s| s.node)
    }
    fn socket_kind(&self, id: SocketId) -> Option<SocketKind> {
        self.sockets.get(id.0 as usize).map(|s| s.role.kind())
    }
    fn conn_endpoint(&self, conn: ConnId) -> Option<String> {
        self.conns
            .get(conn.0 as usize)
            .map(|c| c.endpoint.to_string())
    }
    fn conn_peer(&self, conn: ConnId, socket: SocketId) -> Option<Option<SocketId>> {
        self.conns.get(conn.0 as usize).map(|c| c.peer_of(socket))
    }
    fn matched_topic(
        &self,
        publisher: SocketId,
        conn: ConnId,
        payload: &Payload,
    ) -> Option<String> {
        match &self.sockets.get(publisher.0 as usize)?.role {
            Role::Pub(p) => p
                .filter(conn)
                .and_then(|f| f.matching(payload.as_bytes()))
                .map(|t| t.to_string()),
            _ => None,
        }
    }
}

impl CaptionState for Topology {
    fn node_name(&self, id: NodeId) -> String {
        self.nodes
            .get(id.0 as usize)
            .map_or("?".into(), |n| n.name.clone())
    }
    fn socket_label(&self, id: SocketId) -> String {
        match self.sockets.get(id.0 as usize) {
            Some(s) => format!("{}.{}", CaptionState::node_name(self, s.node), s.name),
            None => "?".into(),
        }
    }
    fn socket_node(&self, id: SocketId) -> Option<NodeId> {
        self.sockets.get(id.0 as usize).map(|s| s.node)
    }
    fn socket_kind(&self, id: SocketId) -> Option<SocketKind> {
        self.sockets.get(id.0 as usize).map(|s| s.kind)
    }
    fn conn_endpoint(&self, conn: ConnId) -> Option<String> {
        self.conns
            .get(conn.0 as usize)
            .map(|c| c.endpoint.to_string())
    }
    fn conn_peer(&self, conn: ConnId, socket: SocketId) -> Option<Option<SocketId>> {
        let c = self.conns.get(conn.0 as usize)?;
        Some(if socket == c.connecter {
            c.binder
        } else {
            Some(c.connecter)
        })
    }
    /// The topology lists each subscriber's own topics, which is what the
    /// publisher learns once they have arrived.
    fn matched_topic(
        &self,
        publisher: SocketId,
        conn: ConnId,
        payload: &Payload,
    ) -> Option<String> {
        let subscriber = self.conn_peer(conn, publisher)??;
        self.sockets
            .get(subscriber.0 as usize)?
            .subscriptions
            .iter()
            .find(|topic| payload.as_bytes().starts_with(topic.as_bytes()))
            .map(|t| t.to_string())
    }
}

impl Simulator {
    /// The facts of one event, read against the current state (call it
    /// right after the event for the exact names and filters).
    pub fn caption_facts(&self, event: &Event) -> Caption {
        facts(self, event)
    }
}

impl Topology {
    /// The facts of one event of a live room, read against the room's
    /// topology (names; a subscriber's topics stand for the publisher's
    /// filter).
    pub fn caption_facts(&self, event: &Event) -> Caption {
        facts(self, event)
    }
}

fn facts(known: &impl CaptionState, event: &Event) -> Caption {
    let node = |id: NodeId| known.node_name(id);
    let sock = |id: SocketId| known.socket_label(id);
    let peer_node = |id: Option<SocketId>| {
        id.map(|id| {
            known
                .socket_node(id)
                .map_or("?".to_string(), |n| known.node_name(n))
        })
    };
    let kind_of = |id: SocketId| known.socket_kind(id);
    match &event.kind {
        EventKind::NodeStarted {
            node: n,
            bound,
            connecting,
        } => {
            let mut parts = Vec::new();
            for (s, e) in bound {
                parts.push(StartPart::Binds {
                    socket: sock(*s),
                    endpoint: e.to_string(),
                });
            }
            for (s, e, c) in connecting {
                let (socket, endpoint) = (sock(*s), e.to_string());
                parts.push(match c {
                    Some(_) => StartPart::Connects { socket, endpoint },
                    None => StartPart::CannotConnect { socket, endpoint },
                });
            }
            Caption::NodeStarted {
                node: node(*n),
                parts,
            }
        }
        EventKind::NodeHalted { node: n } => Caption::NodeHalted { node: node(*n) },
        EventKind::Bound { socket, endpoint } => Caption::Bound {
            socket: sock(*socket),
            endpoint: endpoint.to_string(),
        },
        EventKind::Connecting {
            socket,
            endpoint,
            conn,
        } => Caption::Connecting {
            socket: sock(*socket),
            endpoint: endpoint.to_string(),
            pending: conn.is_none(),
        },
        EventKind::Connected {
            connecter, binder, ..
        } => Caption::Connected {
            connecter: sock(*connecter),
            binder: sock(*binder),
        },
        EventKind::Disconnected { conn, lost } => Caption::Disconnected {
            conn: conn.0,
            lost: *lost,
        },
        EventKind::Subscribe {
            socket,
            topic,
            on,
            upstream,
            ..
        } => Caption::Subscribe {
            socket: sock(*socket),
            topic: topic.to_string(),
            on: *on,
            upstream: *upstream,
        },
        EventKind::SubscriptionArrived {
            conn,
            publisher,
            topic,
            on,
        } => Caption::SubscriptionArrived {
            publisher: sock(*publisher),
            subscriber: known.conn_peer(*conn, *publisher).flatten().map(sock),
            topic: topic.to_string(),
            on: *on,
        },
        EventKind::Send {
            node: n,
            socket,
            msg,
            payload,
            route,
            state,
        } => {
            let to = match route {
                Route::Peer {
                    conn,
                    peer,
                    skipped,
                } => SentTo::Peer {
                    peer: peer_node(*peer),
                    endpoint: known.conn_endpoint(*conn).unwrap_or_else(|| "?".into()),
                    skipped: skipped.iter().map(|s| (peer_node(s.peer), s.hwm)).collect(),
                },
                Route::Reply { peer, .. } => SentTo::Reply {
                    peer: peer_node(*peer),
                },
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
                                let matched = known.matched_topic(*socket, h.conn, payload);
                                got.push((name, matched));
                            }
                            HopFate::Filtered => filtered.push(name),
                            HopFate::DroppedHwm => dropped.push(name),
                        }
                    }
                    SentTo::Fanout {
                        got,
                        filtered,
                        dropped,
                    }
                }
                Route::Dropped { reason } => SentTo::Dropped { reason: *reason },
            };
            Caption::Send {
                node: node(*n),
                msg: *msg,
                body: short(payload),
                kind: kind_of(*socket).unwrap_or(SocketKind::Push),
                to,
                awaits_reply: matches!(state, Some(FsmState::AwaitingReply)),
            }
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
        } => Caption::Depart {
            first: *first,
            last: *last,
            count: *count,
            from: sock(*from),
            to: sock(*to),
            arrives: *arrives,
            reopened: *reopened,
        },
        EventKind::Deliver {
            to,
            msg,
            fate,
            wakes,
            ..
        } => match fate {
            Fate::Queued => Caption::Delivered {
                msg: *msg,
                to: sock(*to),
                wakes: wakes.map(node),
            },
            Fate::Dropped { reason } => Caption::DeliverDropped {
                msg: *msg,
                to: sock(*to),
                reason: *reason,
            },
        },
        EventKind::Recv {
            node: n,
            socket,
            msg,
            payload,
            conn,
            state,
        } => Caption::Received {
            node: node(*n),
            msg: *msg,
            body: short(payload),
            from: known
                .conn_peer(*conn, *socket)
                .map_or(Some("?".into()), peer_node),
            socket: sock(*socket),
            state: *state,
        },
        EventKind::Block {
            node: n,
            socket,
            op,
            reason,
            waits,
        } => Caption::Blocked {
            node: node(*n),
            socket: sock(*socket),
            op: *op,
            reason: *reason,
            waits: *waits,
        },
        EventKind::Unblock { node: n, socket } => Caption::Unblocked {
            node: node(*n),
            socket: sock(*socket),
        },
        EventKind::Error {
            node: n,
            socket,
            error,
        } => Caption::Failed {
            node: node(*n),
            socket: sock(*socket),
            error: error.clone(),
        },
        EventKind::Sleep {
            node: n,
            until,
            why,
        } => Caption::Sleeps {
            node: node(*n),
            span: until.saturating_sub(event.time),
            why: *why,
        },
        EventKind::Timer { node: n } => Caption::Ready { node: node(*n) },
        EventKind::Log { node: n, entry } => Caption::Printed {
            node: node(*n),
            entry: entry.clone(),
        },
        EventKind::Edited { action } => Caption::Edited {
            action: action.clone(),
        },
        EventKind::NodeRemoved { node: n, lost } => Caption::NodeRemoved {
            node: node(*n),
            lost: *lost,
        },
        EventKind::TimedOut {
            node: n,
            socket,
            after,
        } => Caption::TimedOut {
            node: node(*n),
            socket: sock(*socket),
            after: *after,
        },
        EventKind::Reopened {
            node: n, old, lost, ..
        } => Caption::Reopened {
            node: node(*n),
            socket: sock(*old),
            lost: *lost,
        },
        #[cfg(feature = "reliability")]
        EventKind::Fault(f) => Caption::Fault {
            names: Names::collect(known, f.nodes()),
            fact: f.clone(),
        },
        #[cfg(feature = "reliability")]
        EventKind::Broker(b) => Caption::Broker {
            names: Names::collect(known, b.nodes()),
            fact: b.clone(),
        },
    }
}

impl Simulator {
    /// One sentence about an event, in the learner's terms (English).
    pub fn caption(&self, event: &Event) -> String {
        self.caption_facts(event).english()
    }

    /// The same sentence in `lang`.
    pub fn caption_in(&self, event: &Event, lang: Lang) -> String {
        self.caption_facts(event).say(lang)
    }
}

impl Caption {
    /// The message this caption is about, if any (the lab highlights it).
    pub fn msg(&self) -> Option<MsgId> {
        match self {
            Caption::Send { msg, .. }
            | Caption::Delivered { msg, .. }
            | Caption::DeliverDropped { msg, .. }
            | Caption::Received { msg, .. } => Some(*msg),
            Caption::Depart { first, .. } => Some(*first),
            _ => None,
        }
    }
}

/// A payload for a caption, shortened and quoted.
pub fn short(payload: &Payload) -> String {
    let s = payload.as_str();
    if s.chars().count() <= 24 {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(20).collect();
        format!("\"{head}…\"")
    }
}

/// A point in time for a caption: `0.050 ms`.
pub fn clock(t: Tick) -> String {
    format!("{:.3} ms", t.0 as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Scenario;

    /// Every event of every preset has facts whose English sentence names
    /// what the event names.
    #[test]
    fn every_preset_event_has_a_sentence() {
        for name in crate::sim::presets::NAMES {
            let mut sim = Simulator::new(&Scenario::preset(name).unwrap(), 1).unwrap();
            for _ in 0..3000 {
                let Some(e) = sim.step() else { break };
                let facts = sim.caption_facts(&e);
                let text = facts.english();
                assert!(!text.is_empty(), "{name}: {e:?}");
                assert_eq!(sim.caption(&e), text);
                if let Some(msg) = facts.msg() {
                    assert!(text.contains(&msg.to_string()), "{name}: {text}");
                }
            }
        }
    }

    /// Every event of every preset has a Chinese sentence that names the
    /// same message as the English one.
    #[test]
    fn every_event_has_a_chinese_sentence() {
        for name in crate::sim::presets::NAMES {
            let mut sim = Simulator::new(&Scenario::preset(name).unwrap(), 1).unwrap();
            for _ in 0..1500 {
                let Some(e) = sim.step() else { break };
                let c = sim.caption_facts(&e);
                let text = c.say(Lang::Zh);
                assert!(!text.is_empty());
                assert!(
                    text.chars()
                        .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
                    "{name}: {text}"
                );
                if let Some(m) = c.msg() {
                    assert!(text.contains(&m.to_string()), "{name}: {text}");
                }
            }
        }
    }

    /// A browser watching a live room reads events against the room's
    /// topology, not a simulator: it must say the same thing.
    #[test]
    fn a_topology_captions_like_its_simulator() {
        for name in crate::sim::presets::NAMES {
            let mut sim = Simulator::new(&Scenario::preset(name).unwrap(), 3).unwrap();
            for _ in 0..2000 {
                let Some(e) = sim.step() else { break };
                let facts = sim.caption_facts(&e);
                assert_eq!(sim.topology().caption_facts(&e), facts, "{name}: {e:?}");
            }
        }
    }

    #[test]
    fn the_pi_run_says_what_the_chapter_does() {
        let mut sim = Simulator::new(&Scenario::preset("pi").unwrap(), 7).unwrap();
        let mut texts = Vec::new();
        for _ in 0..200 {
            let e = sim.step().unwrap();
            texts.push(sim.caption(&e));
        }
        assert_eq!(
            texts[0],
            "bitsource starts: bitsource.out binds tcp://127.0.0.1:6700"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.contains("publishes") && t.contains("(\"00\")")),
            "a publish names the matching subscription"
        );
        assert!(texts.iter().any(|t| t.contains("now waits for the reply")));
        assert!(texts.iter().any(|t| t.starts_with("tally prints: ")));
    }
}
