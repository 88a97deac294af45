//! The Redis model: what a Redis 7.0 server does with the commands Celery,
//! kombu and redis-py send (and the rest of each data type's core
//! commands), as a pure state machine. The server's RESP listener
//! (`server/src/redis/`) drives it on real time; nothing here performs IO
//! or reads a clock: time comes in with each request as unix milliseconds.
//!
//! - [`resp`]: decoding requests and writing RESP2/RESP3 replies;
//! - [`command`]: the command table (names, arity, flags);
//! - [`engine`]: [`Redis`], clients, dispatch, the outbox for other
//!   connections;
//! - [`keyspace`]: databases, keys, expiry, byte accounting;
//! - one file per data type: [`strings`], [`lists`], [`hashes`], [`sets`],
//!   [`zsets`]; [`keys`] for the key-space commands;
//! - [`blocking`]: clients waiting on lists; [`pubsub`]; [`transaction`]
//!   (MULTI/EXEC/WATCH); [`scripts`] (the known scripts, no Lua);
//! - [`memory`]: the memory limit and eviction policy;
//! - [`admin`]: connection and server commands;
//! - [`cli`]: redis-cli's splitting of a typed line and printing of a
//!   reply, for the browser's command line;
//! - [`event`]: what a watcher is told; [`error`]: every error reply;
//!   [`number`], [`glob`]: Redis's number formats and glob patterns.
//!
//! `docs/protocol.md` ("Redis") lists the commands and where Fanout's
//! answers differ from Redis's.

pub mod admin;
pub mod blocking;
pub mod cli;
pub mod command;
pub mod engine;
pub mod error;
pub mod event;
pub mod glob;
pub mod hashes;
pub mod keys;
pub mod keyspace;
pub mod lists;
pub mod memory;
pub mod number;
pub mod pubsub;
pub mod resp;
pub mod scripts;
pub mod sets;
pub mod strings;
pub mod transaction;
pub mod zsets;

#[cfg(test)]
mod tests;

pub use engine::{ConnId, Delivery, Flow, NodeInfo, Redis};
pub use error::RedisError;
pub use event::{Event, EventKind};
pub use memory::{MemoryConfig, Policy};
pub use resp::{Decoded, Decoder, Limits, Protocol, ProtocolError};
