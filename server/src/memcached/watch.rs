//! memcached's `watch`: a TCP client turns its connection into a stream of
//! log lines about what happens in the node, in memcached's format
//! (`ts=<sec>.<usec> gid=<n> type=item_get key=<url-encoded> status=found
//! clsid=<n> cfd=<n> size=<n>`), so a tool that watches real memcached works
//! on a node unchanged.
//!
//! The lines come from the one event stream the cache already records for
//! the browser's lab (`fanout_shared::cache::event`): while a `watch` is on,
//! the model adds memcached's log records to it ([`Logged`]), and this file
//! only chooses and formats them. The connection's loop lives in
//! `connection.rs`.

use fanout_shared::cache::{
    Event, GetStatus, Logged, StoreStatus,
    watch_line::{Record, Stamp, Transport, WatchEntry},
};

use super::parse::{Request, Tokens};

/// Which kinds of line a watcher asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Categories {
    /// `item_get`: every lookup of a key.
    pub fetchers: bool,
    /// `item_store`: every store, refused ones too.
    pub mutations: bool,
    /// `eviction`.
    pub evictions: bool,
    /// `conn_new`, `conn_close`.
    pub connevents: bool,
    /// `deleted` (memcached 1.6.20 and later).
    pub deletions: bool,
}

/// `watch [fetchers] [mutations] [evictions] [connevents] [deletions]`:
/// no name means fetchers; memcached's other names (`rawcmds`,
/// `sysevents` and the proxy's) are accepted and print nothing here, as a
/// node has no background threads, proxy or raw-command log; an unknown
/// name is `ERROR`.
pub fn parse<'a>(tokens: &Tokens<'a>) -> Request<'a> {
    let noreply = tokens.noreply();
    let mut categories = Categories::default();
    if tokens.len() == 1 {
        categories.fetchers = true;
    }
    for name in tokens.iter().skip(1) {
        match name {
            b"fetchers" => categories.fetchers = true,
            b"mutations" => categories.mutations = true,
            b"evictions" => categories.evictions = true,
            b"connevents" => categories.connevents = true,
            b"deletions" => categories.deletions = true,
            b"rawcmds" | b"sysevents" | b"proxyreqs" | b"proxyevents" | b"proxyuser" => {}
            _ => return Request::Reply("ERROR", noreply),
        }
    }
    Request::Watch(categories)
}

/// The answer past the node's limit of watchers.
pub const TOO_MANY: &str = "WATCHER_TOO_MANY log watcher limit reached";

/// Appends the line for `event` if it is one the watcher asked for.
/// `stamp` is the time (seconds, microseconds) and `gid` the line's number.
/// The line is written by the one typed line both Fanout's `watch` and the
/// lab's observer of a real memcached use (`fanout_shared::cache::watch_line`).
pub fn line(
    out: &mut Vec<u8>,
    event: &Event,
    categories: Categories,
    stamp: (u64, u32),
    gid: u64,
    class_of: impl Fn(usize, usize) -> u32,
) -> bool {
    let Some(log) = event.log else {
        return false;
    };
    let wanted = match log {
        Logged::Get { .. } => categories.fetchers,
        Logged::Store { .. } => categories.mutations,
        Logged::Eviction { .. } => categories.evictions,
        Logged::Deleted { .. } => categories.deletions,
        Logged::ConnNew { .. } | Logged::ConnClose { .. } => categories.connevents,
    };
    if !wanted {
        return false;
    }
    let (seconds, micros) = stamp;
    let entry = WatchEntry {
        ts: Stamp { seconds, micros },
        gid,
        record: record(event, log, class_of),
    };
    entry.write(out);
    true
}

/// The typed line of one of the model's log records; `class_of` gives the
/// slab class of an item of a key and value length (memcached prints 0
/// where no item was made).
fn record(event: &Event, log: Logged, class_of: impl Fn(usize, usize) -> u32) -> Record {
    let key = event.key.as_bytes().to_vec();
    let key_len = key.len();
    let class = |item: bool, value_len| {
        if item {
            class_of(key_len, value_len as usize)
        } else {
            0
        }
    };
    // memcached prints the connection's file descriptor; a node prints its
    // connection number, which fits unless a server ran for ages.
    let cfd = i32::try_from(event.conn).unwrap_or(i32::MAX);
    match log {
        Logged::Get { status, value_len } => Record::ItemGet {
            key,
            status,
            clsid: class(status == GetStatus::Found, value_len),
            cfd,
            size: value_len,
        },
        Logged::Store {
            status,
            cmd,
            ttl,
            value_len,
        } => Record::ItemStore {
            key,
            status,
            cmd,
            ttl,
            // A store refused before an item was made has no class.
            clsid: class(
                !matches!(status, StoreStatus::TooLarge | StoreStatus::NoMemory),
                value_len,
            ),
            cfd,
            size: value_len,
        },
        Logged::Eviction {
            fetched,
            ttl,
            idle,
            value_len,
        } => Record::Eviction {
            key,
            fetched,
            ttl,
            la: i64::try_from(idle).unwrap_or(i64::MAX),
            clsid: class(true, value_len),
            size: value_len,
        },
        Logged::Deleted { cmd, value_len } => Record::Deleted {
            key,
            cmd,
            clsid: class(true, value_len),
            size: value_len,
        },
        Logged::ConnNew { peer } => Record::ConnNew {
            rip: peer.ip(),
            rport: peer.port(),
            transport: Transport::Tcp,
            cfd,
        },
        Logged::ConnClose { peer, reason } => Record::ConnClose {
            rip: peer.ip(),
            rport: peer.port(),
            transport: Transport::Tcp,
            reason,
            cfd,
        },
    }
}

#[cfg(test)]
mod tests {
    use fanout_shared::cache::{EventKind, StoreCmd};

    use super::*;

    #[test]
    fn lines_read_like_memcached() {
        let event = |key: &str, log| Event {
            kind: EventKind::Log,
            key: key.to_owned(),
            size: 0,
            conn: 7,
            stayed: false,
            log: Some(log),
        };
        let all = Categories {
            fetchers: true,
            mutations: true,
            evictions: true,
            connevents: true,
            deletions: true,
        };
        let mut out = Vec::new();
        let found = Logged::Get {
            status: GetStatus::Found,
            value_len: 3,
        };
        // The class as a node's slab classes give it (here: by value length).
        let class_of = |_key_len: usize, value_len: usize| if value_len > 2 { 5 } else { 1 };
        assert!(line(
            &mut out,
            &event("a b/ü", found),
            all,
            (17, 5),
            1,
            class_of
        ));
        let stored = Logged::Store {
            status: StoreStatus::Stored,
            cmd: StoreCmd::Cas,
            ttl: 30,
            value_len: 2,
        };
        assert!(line(
            &mut out,
            &event("k", stored),
            all,
            (17, 60),
            2,
            class_of
        ));
        let only_fetchers = Categories {
            fetchers: true,
            ..Categories::default()
        };
        assert!(!line(
            &mut out,
            &event("k", stored),
            only_fetchers,
            (17, 60),
            3,
            class_of
        ));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ts=17.5 gid=1 type=item_get key=a%20b%2F%C3%BC status=found clsid=5 cfd=7 size=3\n\
             ts=17.60 gid=2 type=item_store key=k status=stored cmd=cas ttl=30 clsid=1 cfd=7 size=2\n"
        );
    }
}
