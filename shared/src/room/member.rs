//! A room's members and the sockets they drive.
//!
//! A member is one WebSocket session in the room. It may only watch, or
//! drive nodes: nodes it added (`node_add`) and nodes it took over from
//! their program (`node_take`). Every socket of those nodes is an engine
//! socket like any other; the room only remembers, per socket, who drives
//! it, whether it receives automatically, and how many messages wait in it
//! (from the engine's `deliver` and `recv` events), so that automatic
//! receiving never has to try a `recv` that would return `EAGAIN`.

use std::sync::{Arc, Mutex};

use fanout_shared::{
    protocol::{MemberInfo, ServerFrame},
    socket::{FsmState, SocketKind},
};
use tokio::sync::mpsc;

/// Frames a member's outbox holds; the room never waits on it.
pub const OUTBOX_FRAMES: usize = 256;

/// Where the room leaves the last word for a member it removes (kicked,
/// room closed): the session reads it once the outbox is closed.
pub type Ended = Arc<Mutex<Option<ServerFrame>>>;

/// "Messages may be waiting, but nobody counted them" (a node just taken
/// over): receive until the engine says `EAGAIN`.
pub const UNKNOWN_READY: u64 = u64::MAX / 2;

#[derive(Debug)]
pub struct Member {
    pub name: String,
    pub outbox: mpsc::Sender<ServerFrame>,
    pub ended: Ended,
    pub watching: bool,
    pub owner: bool,
    /// The nodes it drives, in the order it got them.
    pub nodes: Vec<String>,
    /// Events this watcher missed because its outbox was full, reported in
    /// the next `room_events` it gets.
    pub missed: u64,
    /// A topology frame could not be delivered; send one at the next chance.
    pub topology_due: bool,
}

impl Member {
    pub fn info(&self, member: u32) -> MemberInfo {
        MemberInfo {
            member,
            name: self.name.clone(),
            nodes: self.nodes.clone(),
            owner: self.owner,
            watching: self.watching,
        }
    }

    /// Hands over the member's last word, for the session to show.
    pub fn end_with(&self, frame: ServerFrame) {
        *self
            .ended
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(frame);
    }
}

/// A socket a member drives.
#[derive(Debug)]
pub struct Owned {
    pub member: u32,
    pub node: String,
    pub socket: String,
    pub kind: SocketKind,
    /// Receive as messages arrive and push them to the member.
    pub auto: bool,
    /// Automatic receives left before auto turns itself off.
    pub auto_left: Option<u64>,
    /// REQ/REP alternation state, from the engine's send/recv events.
    pub fsm: Option<FsmState>,
    /// Messages waiting to be received.
    pub ready: u64,
}

impl Owned {
    /// Whether an automatic `recv` may be tried now without breaking the
    /// socket's rules (REQ only awaiting a reply, REP only awaiting a
    /// request), and how many it may take in a row.
    pub fn auto_batch(&self) -> u64 {
        if !self.auto || self.ready == 0 {
            return 0;
        }
        let cap = match (self.kind, self.fsm) {
            (SocketKind::Pull | SocketKind::Sub, _) => 256,
            (SocketKind::Req, Some(FsmState::AwaitingReply))
            | (SocketKind::Rep, Some(FsmState::AwaitingRequest)) => 1,
            _ => 0,
        };
        cap.min(self.ready).min(self.auto_left.unwrap_or(u64::MAX))
    }
}

/// A socket's REQ/REP state before any call.
pub fn initial_fsm(kind: SocketKind) -> Option<FsmState> {
    match kind {
        SocketKind::Req => Some(FsmState::ReadyToSend),
        SocketKind::Rep => Some(FsmState::AwaitingRequest),
        _ => None,
    }
}
