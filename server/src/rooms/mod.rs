//! Live rooms: the message-pattern engine run on real time by the server,
//! with browser tabs and scripts as participants (issue 7).
//!
//! One engine, two drivers: a room owns the same `Simulator` the queue lab
//! steps offline and drives it on the wall clock, so what a learner
//! stepped through is exactly what runs live. The protocol is in
//! `docs/protocol.md` ("Live rooms").
//!
//! - [`codes`]: join codes read aloud, creator tokens;
//! - [`limits`]: the flags of `fanout serve` for rooms, and the rate bucket;
//! - [`registry`]: the open rooms by code;
//! - [`room`]: one room's task, driving the engine and its members' calls;
//! - [`participant`]: members and the sockets they drive;
//! - [`stream`]: the sampled event stream watchers get;
//! - [`recording`]: the bounded action log behind `room_recording`;
//! - [`clients`]: the example clients served at `/clients/…`.
//!
//! The session side (frames to commands, rate and size limits) is in
//! `crate::rooms_ws`.

pub mod clients;
pub mod codes;
pub mod limits;
pub mod participant;
pub mod recording;
pub mod registry;
pub mod room;
pub mod stream;

pub use limits::RoomLimits;
pub use registry::Rooms;
