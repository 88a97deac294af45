//! Live rooms: the message-pattern engine run on real time by the server,
//! with browser tabs and scripts as participants (issue 7).
//!
//! One engine, two drivers: a room is a `fanout_shared::room::RoomCore`,
//! a pure state machine owning the same `Simulator` the queue lab steps
//! offline, and every room rule; here it is driven on the wall clock, so
//! what a learner stepped through is exactly what runs live. The protocol
//! is in `docs/protocol.md` ("Live rooms").
//!
//! - [`codes`]: join codes read aloud, creator tokens (the OS's randomness);
//! - [`limits`]: the flags of `fanout serve` for rooms, and the rate bucket;
//! - [`registry`]: the open rooms by code;
//! - [`room`]: one room's task, the core's only clock and channels;
//! - [`outbox`]: the way from a room's task to a member's session;
//! - [`clients`]: the example clients served at `/clients/…`;
//! - [`store`]: durable rooms kept under `--data-dir` (redb), and
//!   brought back at start; [`durable`]: a durable room's group commit.
//!
//! The session side (frames to commands, rate and size limits) is in
//! `crate::rooms_ws`.

pub mod clients;
pub mod codes;
pub mod durable;
pub mod limits;
pub mod outbox;
pub mod registry;
pub mod room;
pub mod store;

pub use limits::RoomLimits;
pub use registry::Rooms;
