//! Real ZeroMQ programs in live rooms: a room created with `zmtp: true`
//! listens on a real TCP port for each endpoint its scenario binds, and
//! every connection a ZeroMQ program makes there becomes one more
//! participant of the room (issue 17; `docs/protocol.md`, "ZeroMQ
//! programs in a room").
//!
//! The wire is `fanout_shared::zmtp` (the pure ZMTP 3.x codec); the room
//! is the same `RoomCore` WebSocket participants use. A connection is only
//! a pipe: it joins the room as a member through the very
//! [`RoomSession`](crate::rooms_ws::RoomSession) a WebSocket session uses
//! (so the same rate, size, member and node limits apply), adds one node
//! with one socket of the program's type connected to the endpoint, and
//! moves messages between that socket and the wire. Round-robin, fair
//! queueing, filters and high-water marks are the engine's.
//!
//! - [`listener`]: which endpoints a room exposes, on which ports, and the
//!   accept loops;
//! - [`dialer`]: the other direction, connecting to a program that binds
//!   an endpoint the scenario only connects to;
//! - [`connection`]: one TCP connection's driver, either way.

pub mod connection;
pub mod dialer;
pub mod listener;

use std::net::IpAddr;

/// Where rooms listen for ZeroMQ programs (`--zmtp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZmtpHost(pub Option<IpAddr>);

impl ZmtpHost {
    /// `off`, or the address to bind (`127.0.0.1`, `0.0.0.0` for a
    /// classroom network).
    pub fn parse(text: &str) -> Result<ZmtpHost, String> {
        if text.eq_ignore_ascii_case("off") {
            return Ok(ZmtpHost(None));
        }
        text.parse().map(|ip| ZmtpHost(Some(ip))).map_err(|_| {
            format!("`{text}` is neither an IP address (127.0.0.1, 0.0.0.0) nor `off`")
        })
    }
}

/// Which port an exposed endpoint gets (`--zmtp-ports`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PortChoice {
    /// The port the endpoint names (`tcp://127.0.0.1:6700` → 6700) when it
    /// is free, so the chapter's code runs unchanged; any free port for an
    /// endpoint naming none (`tcp://ventilator`) or whose port is taken.
    Named,
    /// Always a free port chosen by the system (tests; many rooms at once).
    Free,
}

/// The rooms' ZMTP settings.
#[derive(Debug, Clone, Copy)]
pub struct ZmtpConfig {
    pub host: ZmtpHost,
    pub ports: PortChoice,
}

impl Default for ZmtpConfig {
    fn default() -> Self {
        ZmtpConfig {
            host: ZmtpHost(Some(IpAddr::from([127, 0, 0, 1]))),
            ports: PortChoice::Named,
        }
    }
}
