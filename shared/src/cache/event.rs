//! What happened to a cache, item by item, for whoever is watching (the
//! browser's cache lab). The model records events only while asked to, and
//! a driver drains them; the model never waits for a reader.

use serde::{Deserialize, Serialize};

/// Which connection caused an event: the node's TCP clients and the browser
/// sessions draw from one counter per server. 0 is the cache itself (the
/// periodic expiry sweep, a delayed flush, a memory-limit change).
pub type ConnId = u64;

/// The kinds of event, named as the lab shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An item was stored (set, add, replace, append, prepend, cas, incr …).
    Set,
    /// A read found the item.
    Hit,
    /// A read found nothing (or only an expired item: see also `Expire`).
    Miss,
    /// A client deleted the item.
    Delete,
    /// The item was dropped to make room (least recently used first).
    Evict,
    /// The item's time ran out; noticed on access or by the sweep.
    Expire,
    /// Every item was dropped (`flush_all`); `key` is empty.
    Flush,
    /// An item's expiry time was changed (touch, gat).
    Touch,
}

/// One thing that happened to one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    /// The key, lossily decoded as UTF-8 (memcached keys are bytes).
    pub key: String,
    /// The item's accounted size in bytes (0 for a miss or a flush).
    pub size: u64,
    pub conn: ConnId,
}
