//! Publish/subscribe with channels and glob patterns. kombu carries fanout
//! exchanges over it (Celery's remote control, `celery.pidbox`, and its
//! events, `celeryev`, by PSUBSCRIBE), and Celery's result backend
//! PUBLISHes each result on a channel named after the task, which the
//! waiting client has SUBSCRIBEd to.
//!
//! Delivery order is Redis 7.0's: a channel's subscribers in the order
//! they subscribed, then each matching pattern's subscribers. Messages for
//! other connections go through the engine's outbox; a RESP3 client that
//! publishes to a channel it is itself subscribed to gets its copy before
//! PUBLISH's reply, as from Redis.

use std::collections::HashMap;

use indexmap::IndexSet;

use super::{
    engine::{Call, ConnId, Flow, Redis},
    error::RedisError,
    event::EventKind,
    glob,
    keyspace::{ByteMap, SipBuild},
};

type Res = Result<Flow, RedisError>;

/// One client's subscriptions, in the order made.
#[derive(Debug)]
struct Subscriptions {
    channels: IndexSet<Vec<u8>, SipBuild>,
    patterns: IndexSet<Vec<u8>, SipBuild>,
}

/// Every subscription of the server.
#[derive(Debug)]
pub struct PubSub {
    channels: ByteMap<Vec<ConnId>>,
    patterns: ByteMap<Vec<ConnId>>,
    clients: HashMap<ConnId, Subscriptions>,
    seed: u64,
}

impl PubSub {
    pub fn new(seed: u64) -> PubSub {
        PubSub {
            channels: ByteMap::with_hasher(SipBuild::new(seed ^ 0xc4a2)),
            patterns: ByteMap::with_hasher(SipBuild::new(seed ^ 0x9a77)),
            clients: HashMap::new(),
            seed,
        }
    }

    /// How many channels and patterns `conn` is subscribed to.
    pub fn subscriptions(&self, conn: ConnId) -> usize {
        self.clients
            .get(&conn)
            .map_or(0, |subs| subs.channels.len() + subs.patterns.len())
    }

    /// Drops every subscription of a client that went away.
    pub fn forget(&mut self, conn: ConnId) {
        let Some(subs) = self.clients.remove(&conn) else {
            return;
        };
        for channel in subs.channels {
            remove_subscriber(&mut self.channels, &channel, conn);
        }
        for pattern in subs.patterns {
            remove_subscriber(&mut self.patterns, &pattern, conn);
        }
    }

    fn subscribe(&mut self, conn: ConnId, name: &[u8], pattern: bool) -> bool {
        let seed = self.seed;
        let subs = self.clients.entry(conn).or_insert_with(|| Subscriptions {
            channels: IndexSet::with_hasher(SipBuild::new(seed ^ conn)),
            patterns: IndexSet::with_hasher(SipBuild::new(seed ^ conn.rotate_left(13))),
        });
        let mine = if pattern {
            &mut subs.patterns
        } else {
            &mut subs.channels
        };
        if !mine.insert(name.to_vec()) {
            return false;
        }
        let all = if pattern {
            &mut self.patterns
        } else {
            &mut self.channels
        };
        all.entry(name.to_vec()).or_default().push(conn);
        true
    }

    fn unsubscribe(&mut self, conn: ConnId, name: &[u8], pattern: bool) -> bool {
        let Some(subs) = self.clients.get_mut(&conn) else {
            return false;
        };
        let mine = if pattern {
            &mut subs.patterns
        } else {
            &mut subs.channels
        };
        if !mine.shift_remove(name) {
            return false;
        }
        if subs.channels.is_empty() && subs.patterns.is_empty() {
            self.clients.remove(&conn);
        }
        let all = if pattern {
            &mut self.patterns
        } else {
            &mut self.channels
        };
        remove_subscriber(all, name, conn);
        true
    }

    fn names(&self, conn: ConnId, pattern: bool) -> Vec<Vec<u8>> {
        self.clients.get(&conn).map_or_else(Vec::new, |subs| {
            let mine = if pattern {
                &subs.patterns
            } else {
                &subs.channels
            };
            mine.iter().cloned().collect()
        })
    }
}

fn remove_subscriber(map: &mut ByteMap<Vec<ConnId>>, name: &[u8], conn: ConnId) {
    if let Some(conns) = map.get_mut(name) {
        conns.retain(|&c| c != conn);
        if conns.is_empty() {
            map.swap_remove(name);
        }
    }
}

/// `[kind, name, count]`, the confirmation of (un)subscribing.
fn confirm(c: &mut Call, kind: &str, name: Option<&[u8]>, count: usize) {
    c.out.push(3);
    c.out.bulk(kind.as_bytes());
    match name {
        Some(name) => c.out.bulk(name),
        None => c.out.null(),
    }
    c.out.int(count as i64);
}

fn subscribe_generic(r: &mut Redis, c: &mut Call, args: &[&[u8]], pattern: bool) -> Res {
    let kind = if pattern { "psubscribe" } else { "subscribe" };
    for name in &args[1..] {
        if r.pubsub.subscribe(c.conn, name, pattern) {
            r.event(
                EventKind::Subscribe,
                c.conn,
                c.db,
                name,
                b"",
                b"",
                u64::from(pattern),
            );
        }
        let count = r.pubsub.subscriptions(c.conn);
        confirm(c, kind, Some(name), count);
    }
    Ok(Flow::Continue)
}

fn unsubscribe_generic(r: &mut Redis, c: &mut Call, args: &[&[u8]], pattern: bool) -> Res {
    let kind = if pattern {
        "punsubscribe"
    } else {
        "unsubscribe"
    };
    let names: Vec<Vec<u8>> = if args.len() > 1 {
        args[1..].iter().map(|name| name.to_vec()).collect()
    } else {
        r.pubsub.names(c.conn, pattern)
    };
    if names.is_empty() {
        let count = r.pubsub.subscriptions(c.conn);
        confirm(c, kind, None, count);
    }
    for name in &names {
        if r.pubsub.unsubscribe(c.conn, name, pattern) {
            r.event(
                EventKind::Unsubscribe,
                c.conn,
                c.db,
                name,
                b"",
                b"",
                u64::from(pattern),
            );
        }
        let count = r.pubsub.subscriptions(c.conn);
        confirm(c, kind, Some(name), count);
    }
    Ok(Flow::Continue)
}

pub(super) fn subscribe(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    subscribe_generic(r, c, args, false)
}

pub(super) fn psubscribe(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    subscribe_generic(r, c, args, true)
}

pub(super) fn unsubscribe(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    unsubscribe_generic(r, c, args, false)
}

pub(super) fn punsubscribe(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    unsubscribe_generic(r, c, args, true)
}

/// Unsubscribes `conn` from everything, without replies (RESET).
pub(super) fn leave_all(r: &mut Redis, conn: ConnId) {
    r.pubsub.forget(conn);
}

/// Publishes `message` on `channel`; how many received it.
pub(super) fn publish_message(
    r: &mut Redis,
    c: &mut Call,
    channel: &[u8],
    message: &[u8],
) -> usize {
    let mut receivers: Vec<(ConnId, Option<Vec<u8>>)> = Vec::new();
    if let Some(conns) = r.pubsub.channels.get(channel) {
        receivers.extend(conns.iter().map(|&conn| (conn, None)));
    }
    for (pattern, conns) in &r.pubsub.patterns {
        if glob::matches(pattern, channel, false) {
            receivers.extend(conns.iter().map(|&conn| (conn, Some(pattern.clone()))));
        }
    }
    for (conn, pattern) in &receivers {
        let write = |out: &mut super::resp::Out| match pattern {
            None => {
                out.push(3);
                out.bulk(b"message");
                out.bulk(channel);
                out.bulk(message);
            }
            Some(pattern) => {
                out.push(4);
                out.bulk(b"pmessage");
                out.bulk(pattern);
                out.bulk(channel);
                out.bulk(message);
            }
        };
        if *conn == c.conn {
            write(&mut c.out);
        } else {
            r.deliver(*conn, write);
        }
    }
    r.event(
        EventKind::Publish,
        c.conn,
        c.db,
        channel,
        b"",
        message,
        receivers.len() as u64,
    );
    receivers.len()
}

pub(super) fn publish(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let count = publish_message(r, c, args[1], args[2]);
    c.out.int(count as i64);
    Ok(Flow::Continue)
}

pub(super) fn channels(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let pattern = args.get(2).copied();
    let found: Vec<Vec<u8>> = r
        .pubsub
        .channels
        .keys()
        .filter(|name| pattern.is_none_or(|p| glob::matches(p, name, false)))
        .cloned()
        .collect();
    c.out.array(found.len());
    for name in &found {
        c.out.bulk(name);
    }
    Ok(Flow::Continue)
}

pub(super) fn numsub(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    // An array even in RESP3 (Redis 7.0).
    c.out.array(2 * (args.len() - 2));
    for name in &args[2..] {
        let count = r.pubsub.channels.get(*name).map_or(0, Vec::len);
        c.out.bulk(name);
        c.out.int(count as i64);
    }
    Ok(Flow::Continue)
}

pub(super) fn numpat(r: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    c.out.int(r.pubsub.patterns.len() as i64);
    Ok(Flow::Continue)
}

impl Redis {
    /// Channels with at least one subscriber.
    pub fn pubsub_channel_count(&self) -> usize {
        self.pubsub.channels.len()
    }

    /// Patterns with at least one subscriber.
    pub fn pubsub_pattern_count(&self) -> usize {
        self.pubsub.patterns.len()
    }
}
