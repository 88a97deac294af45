//! Fanout's Redis node: a TCP listener speaking RESP2 and RESP3 over the
//! shared Redis model (`fanout_shared::redis`), so a Celery app, redis-py
//! or `redis-cli` can use Fanout as its Redis.
//!
//! As with the cache nodes, the protocol's semantics live in the model;
//! this module only moves bytes, reads the clock and keeps time for the
//! clients that wait:
//!
//! - [`node`]: the model behind a lock, the connections' mailboxes (for
//!   published messages and elements handed to waiting clients), the
//!   event feed, the accept loop and the expiry sweep;
//! - [`connection`]: one client's read–decode–execute–write loop, and its
//!   waits in BLPOP/BRPOP with their timeouts.

pub mod connection;
pub mod node;

use std::net::SocketAddr;

use fanout_shared::redis::Policy;

pub use node::{BoundNode, Node};

/// The flag that chooses the node's address, named in start-up errors.
pub const FLAG: &str = "--redis";

/// `--redis ADDR|off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listen(pub Option<SocketAddr>);

impl Listen {
    /// Parses the flag's value: a socket address, or `off`.
    pub fn parse(text: &str) -> Result<Listen, String> {
        if text.eq_ignore_ascii_case("off") {
            return Ok(Listen(None));
        }
        text.parse()
            .map(|addr| Listen(Some(addr)))
            .map_err(|_| format!("`{text}` is neither an address such as 127.0.0.1:6379 nor `off`"))
    }
}

/// `--redis-policy`: one of Redis's `maxmemory-policy` names.
pub fn parse_policy(text: &str) -> Result<Policy, String> {
    Policy::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Policy::ALL.iter().map(|policy| policy.name()).collect();
        format!("`{text}` is not one of {}", names.join(", "))
    })
}

/// The current unix time in milliseconds.
pub fn unix_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}
