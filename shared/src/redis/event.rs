//! What happened to keys, lists and channels, for whoever is watching (the
//! browser's view of a task's journey: queued by LPUSH, reserved by a
//! worker's BRPOP, parked in kombu's `unacked` hash, acknowledged by HDEL,
//! restored after the visibility timeout, its result SET and PUBLISHed).
//!
//! The model records events only while asked to, and a driver drains
//! them; the model never waits for a reader. Values are cut to
//! [`PREVIEW_BYTES`] so one event stays small whatever was stored.

use serde::{Deserialize, Serialize};

use super::engine::ConnId;

/// The longest value preview an event carries.
pub const PREVIEW_BYTES: usize = 1024;

/// The kinds of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A string was stored (SET and friends, INCR, APPEND …).
    Set,
    /// A client deleted the key (DEL, UNLINK, GETDEL, or a rename's source).
    Delete,
    /// The key's time ran out.
    Expire,
    /// The key was dropped to make room (`maxmemory-policy`).
    Evict,
    /// Elements were pushed onto a list (`count` is its new length).
    Push,
    /// An element was popped from a list by a client that did not wait.
    Pop,
    /// A client began waiting on these lists (BRPOP, BLPOP, BLMOVE).
    Block,
    /// A waiting client was handed an element (`value` is it).
    Serve,
    /// A waiting client's timeout passed with nothing for it.
    Timeout,
    /// Elements were removed from a list by value or by range.
    ListRemove,
    /// Hash fields were set (`field` is the first; kombu's `unacked`).
    HashSet,
    /// Hash fields were removed (an acknowledgement in kombu).
    HashDelete,
    /// Members were added to a set.
    SetAdd,
    /// Members were removed from a set.
    SetRemove,
    /// Members were added to or rescored in a sorted set.
    ZAdd,
    /// Members were removed from a sorted set.
    ZRemove,
    /// An expiry time was set or removed.
    Ttl,
    /// A message was published (`count` is how many received it).
    Publish,
    /// A client subscribed to a channel or a pattern (in `key`).
    Subscribe,
    /// A client unsubscribed from a channel or a pattern.
    Unsubscribe,
    /// A transaction ran (`count` is its number of commands).
    Exec,
    /// A database was emptied (FLUSHDB, FLUSHALL); `key` is empty.
    Flush,
    /// A client connected.
    Connect,
    /// A client went away.
    Disconnect,
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    /// The database number.
    pub db: u8,
    /// The key or channel, lossily decoded as UTF-8.
    pub key: String,
    /// The hash field, set or sorted-set member, or list destination.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub field: String,
    /// The value pushed, popped, stored or published, cut to
    /// [`PREVIEW_BYTES`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// A count whose meaning depends on the kind (list length, receivers,
    /// elements removed …).
    #[serde(default)]
    pub count: u64,
    /// The connection that caused it; 0 is the server itself (expiry
    /// sweep, eviction).
    pub conn: ConnId,
}

/// `bytes` as text, cut to at most `PREVIEW_BYTES` bytes.
pub fn preview(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(PREVIEW_BYTES)];
    String::from_utf8_lossy(cut).into_owned()
}
