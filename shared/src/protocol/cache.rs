//! The cache lab's frames: listing the server's memcached nodes (and the
//! real memcached servers it observes), watching their events, and reading
//! and changing them by hand.

use serde::{Deserialize, Serialize};

area_frames! {
    /// Frames about the cache nodes (`cache_*`).
    CacheFrame {
        "cache_nodes" => Nodes(CacheNodes),
        "cache_watch" => Watch(CacheNodeRef),
        "cache_unwatch" => Unwatch(CacheNodeRef),
        "cache_snapshot" => Snapshot(CacheSnapshotRequest),
        "cache_get" => Get(CacheKeyRef),
        "cache_set" => Set(CacheSet),
        "cache_delete" => Delete(CacheKeyRef),
        "cache_touch" => Touch(CacheTouch),
        "cache_flush" => Flush(CacheNodeRef),
        "cache_limit" => Limit(CacheLimit),
        "cache_restart" => Restart(CacheNodeRef),
    }
}

/// Asks for the list of cache nodes (answered with `cache_nodes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheNodes {
    /// Echoed in the answer, to pair requests with answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// A frame about one cache node as a whole (watch, unwatch, flush,
/// restart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheNodeRef {
    /// The node's number (0-based, as listed by `cache_nodes`).
    pub node: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Asks for a node's keys in LRU order and its counters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSnapshotRequest {
    pub node: usize,
    /// At most this many keys (default 1000, most recently used first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// A frame about one key (get, delete).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheKeyRef {
    pub node: usize,
    /// 1–250 bytes, no spaces or control characters (memcached's rule).
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Stores a value, as memcached's `set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSet {
    pub node: usize,
    pub key: String,
    pub value: String,
    /// memcached's exptime: 0 (the default) never, up to 30 days seconds
    /// from now, larger an absolute unix time, negative already expired.
    #[serde(default)]
    pub ttl: i64,
    #[serde(default)]
    pub flags: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Gives a key a new expiry time, as memcached's `touch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheTouch {
    pub node: usize,
    pub key: String,
    pub ttl: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Changes a node's memory limit; items are evicted at once down to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheLimit {
    pub node: usize,
    /// The new limit in bytes (at least 1024).
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// One cache node as `cache_nodes` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheNodeInfo {
    pub node: usize,
    /// Where memcached clients connect (`127.0.0.1:11211`).
    pub addr: String,
    pub limit_bytes: u64,
    pub bytes: u64,
    pub items: u64,
    pub connections: u64,
    /// Seconds an item stays where it is in its LRU after a move to the
    /// head (`--cache-bump-interval`: 60 as in memcached, 0 for the
    /// textbook LRU), so that the lab can say which rule it sees.
    pub bump_interval: u64,
}

/// A real memcached the server observes (`fanout serve
/// --observe-memcached HOST:PORT`), as `cache_nodes` lists it. Its number
/// follows the server's own nodes' and is watched and snapshotted like
/// theirs (`cache_watch`, `cache_snapshot`), but it is read-only: the lab
/// never changes a real deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedNodeInfo {
    pub node: usize,
    /// `HOST:PORT` as given on the command line.
    pub addr: String,
    pub link: ObservedLink,
}

/// How the server's connection to an observed memcached stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObservedLink {
    /// Connecting, or reading the keys already there.
    Connecting,
    /// `watch` is streaming its events.
    Watching,
    /// The last attempt failed; the server tries again with backoff.
    Unreachable,
}
