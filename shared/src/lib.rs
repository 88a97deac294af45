//! Fanout's shared engine: everything whose behaviour must be identical in the
//! browser (stepped on virtual time) and on the server (driven on real time).
//!
//! Nothing here performs IO, reads a clock or spawns a thread; callers feed
//! inputs in and poll outputs out (the sans-IO style of quinn-proto and
//! str0m). See `docs/ARCHITECTURE.md`, "One engine, two drivers".

// The broker with acknowledgements (issue 14) is part of the reliability
// engine, compiled in by the `reliability` feature (shared/Cargo.toml): the
// pages that do not show it do not download it.
#[cfg(feature = "reliability")]
pub mod broker;

/// Whether this build carries the reliability engine (the `reliability`
/// feature), for crates whose own code must agree (the frontend checks it).
pub const RELIABILITY: bool = cfg!(feature = "reliability");
pub mod cache;
pub mod celery;
pub mod embed;
pub mod json;
pub mod lab;
pub mod lang;
pub mod protocol;
pub mod redis;
pub mod rng;
pub mod room;
pub mod shard;
pub mod sim;
pub mod socket;
pub mod time;
pub mod zmtp;
