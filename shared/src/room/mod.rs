//! Live rooms, sans-IO: one room of the message-pattern engine with live
//! participants, as a pure state machine.
//!
//! # Design note
//!
//! **What a room is.** A scenario run on real time by the server, with
//! browser tabs and scripts as members driving nodes of their own
//! (`docs/protocol.md`, "Live rooms"). [`RoomCore`] owns the same
//! [`Simulator`](crate::sim::Simulator) the queue lab steps offline, the
//! action log behind `room_recording`, the members and the nodes and
//! sockets they drive, the sampled event window watchers get, and every
//! room rule (members, nodes per member, queued bytes, idle and empty
//! rooms, falling behind, the stream's cadence).
//!
//! **Sans-IO.** Nothing here reads a clock, owns a channel or a task:
//! every input carries the room's time `now` as a [`Tick`](crate::time::Tick)
//! (µs since the room was created), in the style of quinn-proto. Inputs: a
//! session joining ([`RoomCore::join`]), a member's request answered at
//! once ([`RoomCore::handle_frame`]; one answer per request, in order),
//! [`touch`](RoomCore::touch), [`leave`](RoomCore::leave) (also "its
//! outbox closed": it vanished), [`close`](RoomCore::close) and
//! [`kick`](RoomCore::kick) with the creator's token,
//! [`frames_taken`](RoomCore::frames_taken) (how far each session has
//! read), and time ([`advance`](RoomCore::advance) runs the engine within
//! a step budget; [`handle_timeout`](RoomCore::handle_timeout) does the
//! room's own work: receiving for members once per turn, housekeeping,
//! the watchers' stream). Outputs are polled: [`poll_transmit`](RoomCore::poll_transmit)
//! (frames pushed to members, then a removed member's last word),
//! [`poll_timeout`](RoomCore::poll_timeout), [`end`](RoomCore::end).
//! The server's tokio task is a thin driver that converts `Instant`s into
//! ticks and moves frames; tests step a room in virtual time, and a
//! browser could run one offline.
//!
//! **One semantics.** Whether a socket may send or receive now, and how
//! many messages it could receive in a row, are the engine's answers
//! (`Simulator::receivable`, `may_recv`, `may_send`, from the socket
//! types' own rules); a room keeps no count of waiting messages and no
//! copy of REQ/REP state. Engine events only tell it *which* sockets to
//! ask about.
//!
//! **Back-pressure.** A member's outbox is [`OUTBOX_FRAMES`] frames pushed
//! and not yet taken by its session (the driver reports what was taken).
//! Automatic receiving happens only while it has room, so a slow reader's
//! messages stay queued in the engine, where the socket's high-water marks
//! push back on the senders exactly as a slow libzmq reader does; a
//! watcher whose outbox is full misses `room_events` frames, counted in
//! the next one's `skipped`. Nothing ever waits for a client.
//!
//! **Facts.** Refusals ([`RoomRefusal`], and the engine's own), why a room
//! ended ([`RoomEnd`]) and why a member left ([`LeftReason`]) are typed and
//! said through [`Say`](crate::lang::Say); the wire carries both the fact
//! and its English sentence (`refusal` beside `message` in `error`, `end`
//! or `left` beside `reason`).
//!
//! - [`core`]: the room and its lifecycle;
//! - [`requests`]: a member's requests (send, recv, nodes, edits);
//! - [`member`]: members and the sockets they drive;
//! - [`limits`]: the bounds a room enforces;
//! - [`refusal`], [`end`]: the typed facts;
//! - [`notice`]: what watchers are told that is no engine event (a
//!   ZeroMQ connection refused);
//! - [`stream`]: the sampled event window watchers get;
//! - [`recording`]: the bounded action log behind `room_recording`.

pub mod core;
pub mod end;
pub mod limits;
#[cfg(feature = "reliability")]
mod live_task;
pub mod member;
pub mod notice;
pub mod recording;
pub mod refusal;
pub mod requests;
pub mod stream;

#[cfg(test)]
mod tests;

pub use self::core::{Join, RoomCore, Transmit, token_matches};
/// Every refusal a room answers with: its own ([`RoomRefusal`]) or the
/// engine's, one family each.
pub use crate::protocol::Refusal;
pub use end::{LeftReason, RoomEnd};
pub use limits::{OUTBOX_FRAMES, RoomRules};
pub use member::MemberId;
pub use notice::RoomNotice;
pub use recording::ActionLog;
pub use refusal::RoomRefusal;
