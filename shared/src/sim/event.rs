//! The trace: one [`Event`] per simulator step, as serde types.
//!
//! Events carry what a teaching caption needs without looking anything up
//! elsewhere in time: message ids, which peer got a message and which were
//! skipped and why, which subscriptions matched, the REQ/REP state. Ids
//! (nodes, sockets, connections) are resolved to names by
//! [`Simulator::topology`](super::Simulator::topology) and
//! [`Simulator::caption`](super::Simulator::caption).

use serde::{Deserialize, Serialize};

use super::{NodeId, action::Action, nodes::LogEntry};
use crate::{
    socket::{ConnId, Endpoint, FsmState, MsgId, OpKind, Payload, SocketError, SocketId},
    time::Tick,
};

#[cfg(feature = "reliability")]
pub use super::broker_event::BrokerEvent;
#[cfg(feature = "reliability")]
pub use super::fault_event::FaultEvent;

/// One step of the simulation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// 0 for the first event; `seek(step)` lands just before event `step`.
    pub step: u64,
    pub time: Tick,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A node came to life: its sockets bound, connected (handshakes start)
    /// and subscribed, as the first lines of the chapter's functions do.
    NodeStarted {
        node: NodeId,
        bound: Vec<(SocketId, Endpoint)>,
        connecting: Vec<(SocketId, Endpoint, Option<ConnId>)>,
    },
    /// A node's program ended (a producer with a fixed count).
    NodeHalted { node: NodeId },
    /// A socket bound an endpoint (after start, by an edit).
    Bound {
        socket: SocketId,
        endpoint: Endpoint,
    },
    /// A socket asked to connect; `conn` is `None` while nobody binds the
    /// endpoint (the connection starts when someone does).
    Connecting {
        socket: SocketId,
        endpoint: Endpoint,
        conn: Option<ConnId>,
    },
    /// A handshake completed: both sockets now count this peer.
    Connected {
        conn: ConnId,
        connecter: SocketId,
        binder: SocketId,
    },
    /// A connection closed; queued messages were lost.
    Disconnected { conn: ConnId, lost: u32 },
    /// A SUB changed its subscriptions (`setsockopt(SUBSCRIBE/UNSUBSCRIBE)`);
    /// `upstream` is whether publishers are told (not for duplicates).
    Subscribe {
        node: NodeId,
        socket: SocketId,
        topic: Payload,
        on: bool,
        upstream: bool,
    },
    /// A subscription change reached a publisher, which filters by it from
    /// now on.
    SubscriptionArrived {
        conn: ConnId,
        publisher: SocketId,
        topic: Payload,
        on: bool,
    },
    /// A send call completed: the message and where the socket put it.
    Send {
        node: NodeId,
        socket: SocketId,
        msg: MsgId,
        payload: Payload,
        route: Route,
        /// REQ/REP state after the call (a REQ now awaits its reply).
        state: Option<FsmState>,
    },
    /// The sender's I/O thread put queued messages on the wire.
    Depart {
        conn: ConnId,
        from: SocketId,
        to: SocketId,
        first: MsgId,
        last: MsgId,
        count: u32,
        arrives: Tick,
        /// The pipe had been full and got its credit back.
        reopened: bool,
    },
    /// A message reached the receiving socket.
    Deliver {
        conn: ConnId,
        from: SocketId,
        to: SocketId,
        msg: MsgId,
        fate: Fate,
        /// The receiving node was blocked in `recv` and now runs.
        wakes: Option<NodeId>,
    },
    /// A recv call returned a message.
    Recv {
        node: NodeId,
        socket: SocketId,
        msg: MsgId,
        /// The body, so an external participant (or a caption) has it
        /// without looking back for the send.
        payload: Payload,
        conn: ConnId,
        /// REQ/REP state after the call.
        state: Option<FsmState>,
    },
    /// A call could not complete. A program's node waits (`waits`); an
    /// external participant's non-blocking call returns `EAGAIN` instead.
    Block {
        node: NodeId,
        socket: SocketId,
        op: OpKind,
        reason: BlockReason,
        waits: bool,
    },
    /// A node blocked in `send` may try again (a peer joined or a pipe got
    /// credit back).
    Unblock { node: NodeId, socket: SocketId },
    /// A call failed (REQ/REP order, or an operation the type lacks).
    Error {
        node: NodeId,
        socket: SocketId,
        error: SocketError,
    },
    /// A node pauses: between messages, or busy with one.
    Sleep {
        node: NodeId,
        until: Tick,
        why: SleepWhy,
    },
    /// A node's pause ended.
    Timer { node: NodeId },
    /// A node printed something (the tally's running estimate).
    Log { node: NodeId, entry: LogEntry },
    /// The scenario was edited while running (recorded so a link replays it).
    Edited { action: Action },
    /// A node was removed with its sockets.
    NodeRemoved { node: NodeId, lost: u32 },
    /// A poll's timeout passed with nothing to receive (`zmq_poll`
    /// returned no event).
    TimedOut {
        node: NodeId,
        socket: SocketId,
        after: Tick,
    },
    /// A node closed a socket and opened a new one like it; `lost` is what
    /// the old one's pipes held.
    Reopened {
        node: NodeId,
        old: SocketId,
        new: SocketId,
        lost: u32,
    },
    /// A fault began or ended (`docs/scenarios.md`, "Faults"). This and
    /// the next are the reliability engine's (with the `reliability`
    /// feature): a live room refuses scenarios that would make them, so a
    /// page built without it never receives one.
    #[cfg(feature = "reliability")]
    Fault(FaultEvent),
    /// Something happened on a broker connection or in a broker.
    #[cfg(feature = "reliability")]
    Broker(BrokerEvent),
}

/// Where a sent message went.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Route {
    /// PUSH or REQ: one peer chosen round-robin; `skipped` lists peers
    /// passed over because their pipe is at its mark.
    Peer {
        conn: ConnId,
        /// `None` while nobody binds the endpoint (the message waits in
        /// the connecting socket's pipe).
        peer: Option<SocketId>,
        skipped: Vec<Skip>,
    },
    /// REP: back to the REQ that asked.
    Reply {
        conn: ConnId,
        peer: Option<SocketId>,
    },
    /// PUB: every connected subscriber's fate for this message.
    Fanout { hops: Vec<Hop> },
    /// Nobody got it.
    Dropped { reason: DropReason },
}

/// A peer a load balancer passed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    pub conn: ConnId,
    pub peer: Option<SocketId>,
    /// The mark its pipe is at.
    pub hwm: u32,
}

/// One subscriber's share of a published message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    pub conn: ConnId,
    pub peer: Option<SocketId>,
    pub fate: HopFate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HopFate {
    /// A subscription matched; the copy is queued.
    Queued,
    /// No subscription of this subscriber matched.
    Filtered,
    /// Matched, but the subscriber's pipe is at its mark: dropped.
    DroppedHwm,
}

/// What happened to a message on arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fate", rename_all = "snake_case")]
pub enum Fate {
    Queued,
    Dropped { reason: DropReason },
}

/// Why a message was discarded. Every discard is counted under one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// A PUB copy for a subscriber whose pipe is at the mark, or a REP
    /// reply whose asker's pipe is.
    Hwm,
    /// No peer at all (a PUB with no subscriber, a reply to a departed REQ).
    NoPeer,
    /// Subscribers exist but none subscribes to it (or a SUB had
    /// unsubscribed by the time it arrived).
    Filtered,
    /// Lost in a pipe when its connection closed.
    Disconnected,
}

impl DropReason {
    pub const ALL: [DropReason; 4] = [
        DropReason::Hwm,
        DropReason::NoPeer,
        DropReason::Filtered,
        DropReason::Disconnected,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DropReason::Hwm => "hwm",
            DropReason::NoPeer => "no_peer",
            DropReason::Filtered => "filtered",
            DropReason::Disconnected => "disconnected",
        }
    }
}

/// Why a call could not complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum BlockReason {
    /// No connected peer (a PUSH or REQ before any handshake completed).
    NoPeer,
    /// Every peer's pipe is at its mark.
    PipesFull { hwm: u32 },
    /// Nothing to receive yet.
    Empty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SleepWhy {
    /// Waiting before producing the next message.
    Interval,
    /// Busy processing a message (service time).
    Service,
}

// Events are the largest family the browser reads (a live room streams
// them): serde's derived visitors for `flatten` around an internally tagged
// enum of twenty variants cost the queue page's wasm about 50 KB. So they
// are read compactly (see `json::decode_tagged!`); written by the derives.
crate::json::decode_tagged!(EventKind by "type" {
    "node_started" => NodeStarted { node, bound, connecting },
    "node_halted" => NodeHalted { node },
    "bound" => Bound { socket, endpoint },
    "connecting" => Connecting { socket, endpoint, conn },
    "connected" => Connected { conn, connecter, binder },
    "disconnected" => Disconnected { conn, lost },
    "subscribe" => Subscribe { node, socket, topic, on, upstream },
    "subscription_arrived" => SubscriptionArrived { conn, publisher, topic, on },
    "send" => Send { node, socket, msg, payload, route, state },
    "depart" => Depart { conn, from, to, first, last, count, arrives, reopened },
    "deliver" => Deliver { conn, from, to, msg, fate, wakes },
    "recv" => Recv { node, socket, msg, payload, conn, state },
    "block" => Block { node, socket, op, reason, waits },
    "unblock" => Unblock { node, socket },
    "error" => Error { node, socket, error },
    "sleep" => Sleep { node, until, why },
    "timer" => Timer { node },
    "log" => Log { node, entry },
    "edited" => Edited { action },
    "node_removed" => NodeRemoved { node, lost },
    "timed_out" => TimedOut { node, socket, after },
    "reopened" => Reopened { node, old, new, lost },
} if feature "reliability" {
    "fault" => Fault(FaultEvent),
    "broker" => Broker(BrokerEvent),
});

crate::json::decode_tagged!(Route by "to" {
    "peer" => Peer { conn, peer, skipped },
    "reply" => Reply { conn, peer },
    "fanout" => Fanout { hops },
    "dropped" => Dropped { reason },
});

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut fields = crate::json::TaggedFields::read(deserializer, "type")?;
        let step = fields.take("step").map_err(serde::de::Error::custom)?;
        let time = fields.take("time").map_err(serde::de::Error::custom)?;
        let kind = EventKind::from_tagged(fields).map_err(serde::de::Error::custom)?;
        Ok(Event { step, time, kind })
    }
}

#[cfg(test)]
mod tests {
    use super::Event;
    use super::*;
    use crate::sim::action::Action;
    use crate::sim::nodes::LogEntry;
    use crate::sim::{Simulator, presets};
    use crate::socket::{SocketError, SocketKind};

    /// Reading (serde's `flatten` around an internally tagged enum) must
    /// accept exactly what serialising writes, for every kind of event the
    /// presets produce: the browser reads events the server wrote.
    #[test]
    fn every_preset_event_reads_back_as_written() {
        let mut kinds = std::collections::BTreeSet::new();
        for name in presets::NAMES {
            let mut sim = Simulator::from_json(presets::text(name).unwrap(), 7).unwrap();
            for _ in 0..3_000 {
                let Some(event) = sim.step() else { break };
                let json = serde_json::to_value(&event).unwrap();
                kinds.insert(json["type"].as_str().unwrap().to_owned());
                let read: Event = crate::json::decode(json).unwrap();
                assert_eq!(read, event);
            }
        }
        assert!(kinds.len() >= 10, "too few kinds exercised: {kinds:?}");
    }

    #[test]
    fn a_malformed_event_is_refused_with_its_field() {
        for (json, expected) in [
            (
                r#"{"time": 1, "type": "node_halted", "node": 0}"#,
                "missing field `step`",
            ),
            (
                r#"{"step": "x", "time": 1, "type": "node_halted", "node": 0}"#,
                "`step`: invalid type",
            ),
            (
                r#"{"step": 1, "time": 1, "type": "teleported"}"#,
                "unknown variant `teleported`",
            ),
        ] {
            let error = crate::json::decode_str::<Event>(json).unwrap_err();
            assert!(error.to_string().contains(expected), "{json}: {error}");
        }
    }

    /// Every variant, written by the derive and read by the compact
    /// reader, is itself (the tags and fields of `decode_tagged!` above
    /// against the derived `Serialize`).
    #[test]
    fn every_kind_and_route_round_trips() {
        let (node, socket, conn, msg) = (NodeId(1), SocketId(2), ConnId(3), MsgId(4));
        let endpoint = Endpoint::try_from("tcp://x".to_owned()).unwrap();
        let payload = Payload::from("m");
        let kinds = vec![
            EventKind::NodeStarted {
                node,
                bound: vec![(socket, endpoint.clone())],
                connecting: vec![(socket, endpoint.clone(), Some(conn))],
            },
            EventKind::NodeHalted { node },
            EventKind::Bound {
                socket,
                endpoint: endpoint.clone(),
            },
            EventKind::Connecting {
                socket,
                endpoint,
                conn: None,
            },
            EventKind::Connected {
                conn,
                connecter: socket,
                binder: SocketId(5),
            },
            EventKind::Disconnected { conn, lost: 2 },
            EventKind::Subscribe {
                node,
                socket,
                topic: payload.clone(),
                on: true,
                upstream: false,
            },
            EventKind::SubscriptionArrived {
                conn,
                publisher: socket,
                topic: payload.clone(),
                on: false,
            },
            EventKind::Send {
                node,
                socket,
                msg,
                payload: payload.clone(),
                route: Route::Reply { conn, peer: None },
                state: Some(FsmState::AwaitingReply),
            },
            EventKind::Depart {
                conn,
                from: socket,
                to: SocketId(6),
                first: msg,
                last: MsgId(9),
                count: 6,
                arrives: Tick(77),
                reopened: true,
            },
            EventKind::Deliver {
                conn,
                from: socket,
                to: SocketId(6),
                msg,
                fate: Fate::Dropped {
                    reason: DropReason::Hwm,
                },
                wakes: Some(node),
            },
            EventKind::Recv {
                node,
                socket,
                msg,
                payload: payload.clone(),
                conn,
                state: None,
            },
            EventKind::Block {
                node,
                socket,
                op: OpKind::Send,
                reason: BlockReason::PipesFull { hwm: 5 },
                waits: true,
            },
            EventKind::Unblock { node, socket },
            EventKind::Error {
                node,
                socket,
                error: SocketError::NotSupported {
                    kind: SocketKind::Sub,
                    op: OpKind::Send,
                },
            },
            EventKind::Sleep {
                node,
                until: Tick(5),
                why: SleepWhy::Service,
            },
            EventKind::Timer { node },
            EventKind::Log {
                node,
                entry: LogEntry::Note {
                    text: payload.clone(),
                },
            },
            EventKind::Edited {
                action: Action::SetHwm {
                    node: "a".into(),
                    socket: "s".into(),
                    sndhwm: Some(3),
                    rcvhwm: None,
                },
            },
            EventKind::NodeRemoved { node, lost: 1 },
            EventKind::TimedOut {
                node,
                socket,
                after: Tick(30),
            },
            EventKind::Reopened {
                node,
                old: socket,
                new: SocketId(7),
                lost: 2,
            },
            EventKind::Fault(FaultEvent::Resumed { node, deferred: 1 }),
            EventKind::Broker(BrokerEvent::Waits {
                node,
                why: super::super::broker_event::WaitWhy::Delivery,
            }),
        ];
        crate::json::assert_every_variant_round_trips(&kinds, "type", EventKind::DECODED_TAGS);
        let routes = vec![
            Route::Peer {
                conn,
                peer: Some(socket),
                skipped: vec![Skip {
                    conn: ConnId(8),
                    peer: None,
                    hwm: 2,
                }],
            },
            Route::Reply {
                conn,
                peer: Some(socket),
            },
            Route::Fanout {
                hops: vec![Hop {
                    conn,
                    peer: None,
                    fate: HopFate::Queued,
                }],
            },
            Route::Dropped {
                reason: DropReason::NoPeer,
            },
        ];
        crate::json::assert_every_variant_round_trips(&routes, "to", Route::DECODED_TAGS);
        for kind in kinds {
            let event = Event {
                step: 3,
                time: Tick(9),
                kind,
            };
            let read: Event = crate::json::decode(serde_json::to_value(&event).unwrap()).unwrap();
            assert_eq!(read, event);
        }
    }
}
