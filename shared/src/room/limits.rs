//! What one room, and each of its members, may use: the bounds a room
//! enforces itself (members, queued bytes, idleness, nodes per member) and
//! the fixed ones behind them.
//!
//! The server's `fanout serve` flags fill [`RoomRules`]; the per-client
//! rate and message size are enforced by the server's session before a
//! frame reaches the room, and only announced from here (`room_joined`
//! lists them all under `limits`).

use crate::{protocol::RoomLimitsInfo, time::Tick};

/// Nodes one member may add or take.
pub const NODES_PER_MEMBER: u32 = 16;

/// The most messages one `recv` returns.
pub const RECV_MAX: u32 = 1000;

/// The longest node (and member) name.
pub const MAX_NODE_NAME: usize = 64;

/// Frames pushed to a member and not yet taken by its session. Automatic
/// receiving stops while a member has this many outstanding, so a slow
/// reader leaves messages queued in the engine, where high-water marks
/// push back on the senders.
pub const OUTBOX_FRAMES: u64 = 256;

/// Messages one automatic receive puts into one `received` frame at most.
pub const AUTO_BATCH: u64 = 256;

/// A room nobody is in closes after this long (or its idle time, if
/// shorter).
pub const EMPTY_GRACE: Tick = Tick::from_secs(60);

/// A room whose engine falls this far behind its clock closes: its
/// scenario makes more events than the server can run.
pub const MAX_BEHIND: Tick = Tick::from_secs(30);

/// How often a room checks its limits and idleness.
pub const HOUSEKEEPING: Tick = Tick::from_millis(100);

/// What a room keeps of its actions for `room_recording`: past either
/// bound, recording stops (the run goes on).
pub const RECORD_ACTIONS: usize = 100_000;
pub const RECORD_BYTES: usize = 16 << 20;

/// Tasks a room's programs may make by default ([`RoomRules::tasks`]).
pub const MAX_TASKS: u64 = 100_000;

/// A room's limits (the server's flags).
#[derive(Debug, Clone, PartialEq)]
pub struct RoomRules {
    /// Members at once (`--room-members`).
    pub members: u32,
    /// Bytes the room's pipes may hold before sends are refused
    /// (`--room-queued-bytes`); twice this closes the room.
    pub queued_bytes: u64,
    /// No member sent anything for this long: the room closes
    /// (`--room-idle`).
    pub idle: Tick,
    /// Announced only: the session enforces them (`--room-rate`,
    /// `--room-message-bytes`), and the server counts rooms
    /// (`--max-rooms`).
    pub rate: u32,
    pub message_bytes: u32,
    pub rooms: u32,
    /// Tasks the room's programs may make: the ledger keeps every one (the
    /// meter and the task table read it), so this bounds a room's memory
    /// (about 30 MB of ledger and queues at [`MAX_TASKS`]) whatever its
    /// producers do. A live `publish` past it is refused; programs past it
    /// close the room.
    pub tasks: u64,
}

impl Default for RoomRules {
    fn default() -> Self {
        RoomRules {
            members: 250,
            queued_bytes: 64 << 20,
            idle: Tick::from_secs(600),
            rate: 2000,
            message_bytes: 16 * 1024,
            rooms: 50,
            tasks: MAX_TASKS,
        }
    }
}

impl RoomRules {
    /// What `room_joined` announces.
    pub fn info(&self) -> RoomLimitsInfo {
        RoomLimitsInfo {
            rate: self.rate,
            message_bytes: self.message_bytes,
            room_queued_bytes: self.queued_bytes,
            members: self.members,
            nodes: NODES_PER_MEMBER,
            rooms: self.rooms,
            idle_s: self.idle.as_micros() / Tick::PER_SEC,
        }
    }

    /// How long a room with no members lives on.
    pub fn empty_grace(&self) -> Tick {
        self.idle.min(EMPTY_GRACE)
    }
}
