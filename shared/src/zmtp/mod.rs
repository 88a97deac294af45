//! ZMTP 3.x, ZeroMQ's wire protocol, as a pure codec: bytes in, frames,
//! commands and messages out, and the bytes to answer with. It lets a real
//! ZeroMQ program (the chapter's pyzmq code) be a socket of a live room.
//!
//! # Why hand-written
//! No crate exposes a reusable ZMTP codec to drive from our own engine: the
//! `zeromq` crate (zmq.rs) keeps its codec private and owns its sockets'
//! semantics, and the `zmq` crate binds the C libzmq. Here the engine must
//! decide everything a socket does (round-robin, fair queueing, filters,
//! high-water marks), so a ZMTP connection is only a pipe into it, and the
//! codec is ours. `docs/design/zmtp.md` has the wire facts it follows
//! (RFC 23 for 3.0, RFC 37 for 3.1).
//!
//! # Shape
//! Sans-IO, like the rest of `shared/`: [`ZmtpPeer`] is one connection's
//! state machine. The driver feeds it what the TCP socket read
//! ([`ZmtpPeer::feed`]), takes what it must write
//! ([`ZmtpPeer::take_output`]) and the events it decoded
//! ([`ZmtpPeer::poll_event`]): the peer's READY (its socket type), each
//! message, each subscription change. A mistake by the peer is a typed
//! [`ZmtpError`] that closes that one connection.
//!
//! - [`greeting`]: the 64-byte greeting (signature, version, mechanism);
//! - [`frame`]: flags, short and long sizes, the `Incomplete` result;
//! - [`command`]: READY and its properties, ERROR, SUBSCRIBE, CANCEL,
//!   PING, PONG;
//! - [`peer`]: the connection: handshake, socket-type pairing, the REQ/REP
//!   envelope, subscriptions in both forms, limits;
//! - [`error`]: what a bad peer did, in words.

pub mod command;
pub mod error;
pub mod frame;
pub mod greeting;
pub mod peer;

pub use command::Command;
pub use error::ZmtpError;
pub use frame::{Decoded, Frame};
pub use greeting::Greeting;
pub use peer::{PeerEvent, PeerType, ZmtpPeer};
