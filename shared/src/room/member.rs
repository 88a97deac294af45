//! A room's members and the sockets they drive.
//!
//! A member is one session in the room (a browser tab, a script). It may
//! only watch, or drive nodes: nodes it added (`node_add`) and nodes it
//! took over from their program (`node_take`). Every socket of those nodes
//! is an engine socket like any other; the room remembers per socket only
//! who drives it and whether it receives automatically. What waits in a
//! socket and whether its pattern lets it receive are the engine's answers
//! (`Simulator::receivable`), never counted here.

use crate::{protocol::MemberInfo, socket::SocketKind};

use super::limits::OUTBOX_FRAMES;

/// A member's number in the room (`member` on the wire), never reused.
pub type MemberId = u32;

#[derive(Debug)]
pub(crate) struct Member {
    pub name: String,
    pub watching: bool,
    pub owner: bool,
    /// The nodes it drives, in the order it got them.
    pub nodes: Vec<String>,
    /// Events this watcher missed because its outbox was full, reported in
    /// the next `room_events` it gets.
    pub missed: u64,
    /// A topology frame could not be pushed; push one at the next chance.
    pub topology_due: bool,
    /// Frames pushed to it so far, and how many its session has taken
    /// (what the driver reports): the difference is its outbox.
    pub pushed: u64,
    pub taken: u64,
}

impl Member {
    pub fn new(name: String, watching: bool, owner: bool) -> Member {
        Member {
            name,
            watching,
            owner,
            nodes: Vec::new(),
            missed: 0,
            topology_due: false,
            pushed: 0,
            taken: 0,
        }
    }

    pub fn info(&self, member: MemberId) -> MemberInfo {
        MemberInfo {
            member,
            name: self.name.clone(),
            nodes: self.nodes.clone(),
            owner: self.owner,
            watching: self.watching,
        }
    }

    /// Frames pushed and not yet taken by its session.
    pub fn outstanding(&self) -> u64 {
        self.pushed.saturating_sub(self.taken)
    }

    /// Whether its outbox can take one more frame.
    pub fn has_room(&self) -> bool {
        self.outstanding() < OUTBOX_FRAMES
    }
}

/// A socket a member drives.
#[derive(Debug)]
pub(crate) struct Owned {
    pub member: MemberId,
    pub node: String,
    pub socket: String,
    pub kind: SocketKind,
    /// Receive as messages arrive and push them to the member.
    pub auto: bool,
    /// Automatic receives left before auto turns itself off.
    pub auto_left: Option<u64>,
}
