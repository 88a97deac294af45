//! The cache model: what one memcached node does to its items, as a pure
//! state machine (no IO, no clock: time comes in as unix seconds), so the
//! server's TCP nodes and the browser's offline lab run the same semantics.
//!
//! - [`expiry`]: memcached's exptime rules;
//! - [`lru`]: the O(1) storage structure (slots, index, one LRU list per
//!   slab class);
//! - [`slabs`]: memcached's memory model: slab classes, pages, chunks;
//! - [`slab_lab`]: the cache lab's slab lesson (classes, waste, stranded memory);
//! - [`store`]: the [`Cache`]: commands, byte accounting, eviction, expiry,
//!   and the meta commands' item rules (win, stale, vivify, invalidate);
//! - [`observed`]: what the lab knows of a real memcached it observes;
//! - [`number`]: how incr/decr read a stored number;
//! - [`stats`]: memcached's counters under memcached's names;
//! - [`event`]: what the lab is told as it happens;
//! - [`watch_line`]: memcached's `watch` and `lru_crawler metadump` lines,
//!   typed, written and read in one place;
//! - [`warmup`]: the chapter's `compute_square` warm-up experiment;
//! - [`lab_ops`]: the cache lab's hands-on operations and their answers;
//! - [`refusal`]: why the lab refuses a request, in both languages;
//! - [`restart`]: what restarting a node does to its cache;
//! - [`staleness`]: the chapter's stale-data experiment.

pub mod event;
pub mod expiry;
mod index;
pub mod lab_ops;
pub mod lru;
pub mod number;
pub mod observed;
pub mod refusal;
pub mod restart;
pub mod slab_lab;
pub mod slabs;
pub mod staleness;
pub mod stats;
pub mod store;
pub mod warmup;
pub mod watch_line;

pub use event::{
    CloseReason, ConnId, DeleteCmd, Event, EventKind, GetStatus, Logged, StoreCmd, StoreStatus,
};
pub use refusal::Refusal;
pub use stats::Stats;
pub use store::{
    Arith, Cache, DEFAULT_ITEM_SIZE_MAX, ITEM_OVERHEAD, ItemView, KEY_MAX_LENGTH, MetaArith,
    MetaDeleted, MetaGet, MetaHit, MetaSet, Snapshot, SnapshotItem, Step, StoreMode, StoreOutcome,
    item_size, item_total,
};

#[cfg(test)]
mod tests;
