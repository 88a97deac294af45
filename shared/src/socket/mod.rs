//! ZeroMQ's socket semantics as plain data: what PUB, SUB, PUSH, PULL, REQ
//! and REP do with a message, with no IO.
//!
//! The behaviour reproduced is written down, with measurements from real
//! libzmq, in `docs/design/zmq-semantics.md`; each file below says
//! which libzmq class it mirrors. The simulator (`crate::sim`) owns the
//! sockets and pipes and drives them on virtual time; a live driver can
//! drive the same simulator on real time.
//!
//! - [`message`]: message ids and payloads;
//! - [`pipe`]: one direction of a connection, with credit-based HWMs;
//! - [`lb`] / [`fq`]: round-robin out, fair-queue in;
//! - [`subscriptions`]: prefix matching;
//! - one file per socket type: [`push`], [`pull`], [`publisher`],
//!   [`subscriber`], [`req`], [`rep`].

pub mod fq;
pub mod lb;
pub mod message;
pub mod pipe;
pub mod publisher;
pub mod pull;
pub mod push;
pub mod rep;
pub mod req;
pub mod subscriber;
pub mod subscriptions;
mod text;

use std::{fmt, sync::Arc};

use serde::{Deserialize, Serialize};

pub use message::{Msg, MsgId, Payload};

/// A socket, numbered in creation order (never reused, so a trace that
/// names `SocketId(4)` stays unambiguous after removals).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SocketId(pub u32);

/// One connection between a connecting socket and a binding socket (one
/// libzmq pipe pair). Numbered in creation order, never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConnId(pub u32);

/// The six socket types of the chapter's three patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SocketKind {
    #[serde(rename = "PUB")]
    Pub,
    #[serde(rename = "SUB")]
    Sub,
    #[serde(rename = "PUSH")]
    Push,
    #[serde(rename = "PULL")]
    Pull,
    #[serde(rename = "REQ")]
    Req,
    #[serde(rename = "REP")]
    Rep,
}

impl SocketKind {
    pub const ALL: [SocketKind; 6] = [
        SocketKind::Pub,
        SocketKind::Sub,
        SocketKind::Push,
        SocketKind::Pull,
        SocketKind::Req,
        SocketKind::Rep,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SocketKind::Pub => "PUB",
            SocketKind::Sub => "SUB",
            SocketKind::Push => "PUSH",
            SocketKind::Pull => "PULL",
            SocketKind::Req => "REQ",
            SocketKind::Rep => "REP",
        }
    }

    /// The one socket type this one talks to.
    pub fn peer(self) -> SocketKind {
        match self {
            SocketKind::Pub => SocketKind::Sub,
            SocketKind::Sub => SocketKind::Pub,
            SocketKind::Push => SocketKind::Pull,
            SocketKind::Pull => SocketKind::Push,
            SocketKind::Req => SocketKind::Rep,
            SocketKind::Rep => SocketKind::Req,
        }
    }

    pub fn can_send(self) -> bool {
        !matches!(self, SocketKind::Sub | SocketKind::Pull)
    }

    pub fn can_recv(self) -> bool {
        !matches!(self, SocketKind::Pub | SocketKind::Push)
    }
}

impl fmt::Display for SocketKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A socket operation, as named in errors and block events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    Send,
    Recv,
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OpKind::Send => "send",
            OpKind::Recv => "recv",
        })
    }
}

/// Where a REQ or REP socket is in its strict alternation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FsmState {
    /// REQ may send a request.
    ReadyToSend,
    /// REQ has sent and must receive the reply.
    AwaitingReply,
    /// REP must receive a request.
    AwaitingRequest,
    /// REP has received and must send the reply.
    MustReply,
}

impl fmt::Display for FsmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::lang::Say::english(self))
    }
}

/// Errors a socket operation returns, named after libzmq's errno values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "errno", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SocketError {
    /// The operation breaks REQ/REP alternation.
    Efsm {
        kind: SocketKind,
        op: OpKind,
        state: FsmState,
    },
    /// The socket type has no such operation (a SUB cannot send).
    NotSupported { kind: SocketKind, op: OpKind },
}

// Read compactly (see `json::decode_tagged!`): events and refusals carry it.
crate::json::decode_tagged!(SocketError by "errno" {
    "EFSM" => Efsm { kind, op, state },
    "NOT_SUPPORTED" => NotSupported { kind, op },
});

impl std::error::Error for SocketError {}

impl fmt::Display for SocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::lang::Say::english(self))
    }
}

/// A ZeroMQ endpoint string such as `tcp://127.0.0.1:6700` or `tcp://pubsub`.
/// Only its text matters to the engine: two sockets meet when one binds
/// and the other connects to the same text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Endpoint(Arc<str>);

/// Why an endpoint string was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointError {
    NoTransport(String),
    UnknownTransport { text: String, transport: String },
    Empty(String),
    Whitespace(String),
}

impl std::error::Error for EndpointError {}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::lang::Say::english(self))
    }
}

impl Endpoint {
    pub fn parse(text: &str) -> Result<Endpoint, EndpointError> {
        let t = text.trim();
        let Some((transport, address)) = t.split_once("://") else {
            return Err(EndpointError::NoTransport(t.to_string()));
        };
        if !matches!(transport, "tcp" | "ipc" | "inproc") {
            return Err(EndpointError::UnknownTransport {
                text: t.to_string(),
                transport: transport.to_string(),
            });
        }
        if address.is_empty() {
            return Err(EndpointError::Empty(t.to_string()));
        }
        if address.chars().any(char::is_whitespace) {
            return Err(EndpointError::Whitespace(t.to_string()));
        }
        Ok(Endpoint(Arc::from(t)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An endpoint written in the source, known to be well formed.
    pub(crate) fn from_static(text: &'static str) -> Endpoint {
        Endpoint(Arc::from(text))
    }
}

impl TryFrom<String> for Endpoint {
    type Error = EndpointError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Endpoint::parse(&s)
    }
}

impl From<Endpoint> for String {
    fn from(e: Endpoint) -> String {
        e.0.to_string()
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A socket's type-specific state.
#[derive(Clone, Debug)]
pub enum Role {
    Pub(publisher::Publisher),
    Sub(subscriber::Subscriber),
    Push(push::Push),
    Pull(pull::Pull),
    Req(req::Req),
    Rep(rep::Rep),
}

impl Role {
    pub fn new(kind: SocketKind) -> Role {
        match kind {
            SocketKind::Pub => Role::Pub(Default::default()),
            SocketKind::Sub => Role::Sub(Default::default()),
            SocketKind::Push => Role::Push(Default::default()),
            SocketKind::Pull => Role::Pull(Default::default()),
            SocketKind::Req => Role::Req(Default::default()),
            SocketKind::Rep => Role::Rep(Default::default()),
        }
    }

    pub fn kind(&self) -> SocketKind {
        match self {
            Role::Pub(_) => SocketKind::Pub,
            Role::Sub(_) => SocketKind::Sub,
            Role::Push(_) => SocketKind::Push,
            Role::Pull(_) => SocketKind::Pull,
            Role::Req(_) => SocketKind::Req,
            Role::Rep(_) => SocketKind::Rep,
        }
    }

    /// A connection to a peer completed: join the right queues.
    pub fn attach(&mut self, conn: ConnId) {
        match self {
            Role::Pub(p) => p.attach(conn),
            Role::Sub(s) => s.fq.attach(conn),
            Role::Push(p) => p.lb.attach(conn),
            Role::Pull(p) => p.fq.attach(conn),
            Role::Req(r) => r.lb.attach(conn),
            Role::Rep(r) => r.fq.attach(conn),
        }
    }

    /// A connection closed: leave every queue.
    pub fn detach(&mut self, conn: ConnId) {
        match self {
            Role::Pub(p) => p.detach(conn),
            Role::Sub(s) => s.fq.terminated(conn),
            Role::Push(p) => p.lb.terminated(conn),
            Role::Pull(p) => p.fq.terminated(conn),
            Role::Req(r) => {
                r.lb.terminated(conn);
                // A REQ whose server vanished keeps waiting, as libzmq's
                // does (the classic "stuck REQ"); the learner can see it.
            }
            Role::Rep(r) => {
                r.fq.terminated(conn);
                r.forget_asker(conn);
            }
        }
    }

    /// The pipe got send credit back after being found full.
    pub fn write_activated(&mut self, conn: ConnId) {
        match self {
            Role::Push(p) => p.lb.activated(conn),
            Role::Req(r) => r.lb.activated(conn),
            _ => {}
        }
    }

    /// A message arrived in a pipe its reader had found empty.
    pub fn read_activated(&mut self, conn: ConnId) {
        match self {
            Role::Sub(s) => s.fq.activated(conn),
            Role::Pull(p) => p.fq.activated(conn),
            Role::Rep(r) => r.fq.activated(conn),
            // A REQ reads only from the peer it asked; no queue to wake.
            Role::Req(_) | Role::Pub(_) | Role::Push(_) => {}
        }
    }

    /// The REQ/REP alternation state, for inspectors and captions.
    pub fn fsm_state(&self) -> Option<FsmState> {
        match self {
            Role::Req(r) => Some(r.state()),
            Role::Rep(r) => Some(r.state()),
            _ => None,
        }
    }

    /// Whether a `send` now would be accepted by the socket's pattern (it
    /// may still find no peer or a full pipe: that is `EAGAIN`, not a rule).
    pub fn may_send(&self) -> bool {
        match self {
            Role::Pub(_) | Role::Push(_) => true,
            Role::Req(r) => r.check_send().is_ok(),
            Role::Rep(r) => r.check_send().is_ok(),
            Role::Sub(_) | Role::Pull(_) => false,
        }
    }

    /// Whether a `recv` now would be accepted by the socket's pattern (it
    /// may still find nothing waiting: `EAGAIN`).
    pub fn may_recv(&self) -> bool {
        match self {
            Role::Pull(_) | Role::Sub(_) => true,
            Role::Req(r) => r.check_recv().is_ok(),
            Role::Rep(r) => r.check_recv().is_ok(),
            Role::Pub(_) | Role::Push(_) => false,
        }
    }

    /// The connections a `recv` may take a message from now: the
    /// fair-queued pipes that may hold one for PULL and SUB, and for REP
    /// while it awaits a request; for REQ only the peer it asked, once it
    /// asked; nothing for PUB and PUSH, nor out of turn.
    pub fn recv_pipes(&self) -> &[ConnId] {
        match self {
            Role::Pull(p) => p.fq.active_pipes(),
            Role::Sub(s) => s.fq.active_pipes(),
            Role::Rep(r) if r.check_recv().is_ok() => r.fq.active_pipes(),
            Role::Req(r) => r.awaiting.as_slice(),
            Role::Rep(_) | Role::Pub(_) | Role::Push(_) => &[],
        }
    }

    /// How many messages the socket may receive one after another before
    /// its pattern wants something else: REQ its one reply, REP one
    /// request (then each must send); PULL and SUB no bound (`None`).
    pub fn recvs_in_a_row(&self) -> Option<u64> {
        match self {
            Role::Req(_) | Role::Rep(_) => Some(1),
            Role::Pull(_) | Role::Sub(_) => None,
            Role::Pub(_) | Role::Push(_) => Some(0),
        }
    }
}

#[cfg(test)]
mod read_back {
    use super::*;
    use crate::sim::nodes::LogEntry;

    /// The compact readers of a socket's refusal and a node's print read
    /// back every variant exactly as the derived `Serialize` writes it.
    #[test]
    fn socket_errors_and_log_entries_round_trip() {
        let errors = [
            SocketError::Efsm {
                kind: SocketKind::Req,
                op: OpKind::Recv,
                state: FsmState::ReadyToSend,
            },
            SocketError::NotSupported {
                kind: SocketKind::Pub,
                op: OpKind::Recv,
            },
        ];
        crate::json::assert_every_variant_round_trips(&errors, "errno", SocketError::DECODED_TAGS);
        let logs = [
            LogEntry::Decision {
                yes: true,
                p: 3,
                q: 4,
            },
            LogEntry::Note {
                text: Payload::from("not a number"),
            },
        ];
        crate::json::assert_every_variant_round_trips(&logs, "log", LogEntry::DECODED_TAGS);
    }
}
