//! What happened to a cache, item by item, for whoever is watching (the
//! browser's cache lab, and a TCP client's `watch` as real memcached
//! offers it). The model records events only while asked to, and a driver
//! drains them; the model never waits for a reader.
//!
//! For `watch` an event also carries what memcached's logger records
//! ([`Logged`]): memcached logs an `item_get` for every lookup of a key,
//! the ones a `set` or a `delete` makes on the way included, and an
//! `item_store` for every store, refused ones too. Those records ([`EventKind::Log`]) are kept only while a
//! `watch` asks for them.

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
    /// A record of memcached's logger (in `log`): every lookup of a key by
    /// any command, every store whether it stored or not, evictions and
    /// deletions. Recorded only while a `watch` asks; the lab never
    /// receives these.
    Log,
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
    /// A use (hit, touch, incr in place) that left the item where it was in
    /// its LRU: it had moved to the head within the cache's bump interval
    /// (a minute, memcached's `ITEM_UPDATE_INTERVAL`, unless set; see
    /// `Cache::bump` in `store.rs`). Sent only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stayed: bool,
    /// What memcached's `watch` prints for it, while a watch asks.
    #[serde(skip)]
    pub log: Option<Logged>,
}

/// What memcached's logger records about an event (`watch`'s lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logged {
    /// `type=item_get … status=… size=<value bytes>`.
    Get { status: GetStatus, value_len: u64 },
    /// `type=item_store … status=… cmd=… ttl=… size=<value bytes>`.
    Store {
        status: StoreStatus,
        cmd: StoreCmd,
        /// Seconds left, 0 for none.
        ttl: u64,
        value_len: u64,
    },
    /// `type=eviction … fetch=… ttl=… la=… size=…`.
    Eviction {
        fetched: bool,
        /// Seconds left, -1 for none.
        ttl: i64,
        /// Seconds since it last moved to the head of its LRU.
        idle: u64,
        value_len: u64,
    },
    /// `type=deleted … cmd=… size=…` (memcached 1.6.20's `deletions`).
    Deleted { cmd: DeleteCmd, value_len: u64 },
    /// `type=conn_new rip=… rport=… transport=tcp` (the key is empty).
    ConnNew { peer: std::net::SocketAddr },
    /// `type=conn_close … reason=…` (the key is empty).
    ConnClose {
        peer: std::net::SocketAddr,
        reason: CloseReason,
    },
}

/// Why a connection closed (`reason=` of `conn_close`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// A read or write failed.
    Error,
    /// The client hung up or sent `quit`.
    Normal,
    /// memcached's idle timeout closed it (a Fanout node has none; read
    /// from a real memcached's `watch`).
    IdleTimeout,
    /// The server is shutting down or the node restarting.
    Shutdown,
}

/// What a lookup found (`status=` of `item_get`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetStatus {
    NotFound,
    Found,
    /// The item was there but its time had run out.
    Expired,
    /// The item was there but invalidated by `flush_all` (a Fanout node
    /// drops flushed items at once and never reports it; read from a real
    /// memcached's `watch`).
    Flushed,
}

/// How a store ended (`status=` of `item_store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreStatus {
    NotStored,
    Stored,
    Exists,
    NotFound,
    TooLarge,
    NoMemory,
}

/// Which store (`cmd=` of `item_store`; `ms` logs the mode it ran as).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreCmd {
    Add,
    Set,
    Replace,
    Append,
    Prepend,
    Cas,
}

/// Which command deleted (`cmd=` of `deleted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteCmd {
    Delete,
    Md,
}
