//! Clients waiting on lists (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH) as pure
//! state: per key, the waiting clients in the order they began to wait.
//!
//! This is how Celery's workers take tasks: each sits in `BRPOP celery …`
//! and the next LPUSH hands the task to the one that has waited longest.
//! As in Redis 7.0, a push only marks the key ready; once the pushing
//! command (or the whole EXEC) is done, each ready key serves its waiters
//! first come, first served, while it holds elements. A client waiting on
//! several keys is served by whichever becomes ready first and then stops
//! waiting on the others. Time does not pass here: the driver calls
//! [`Redis::time_out`](super::engine::Redis::time_out) at a client's
//! deadline.

use std::collections::VecDeque;

use super::{
    engine::{ConnId, Redis},
    event::EventKind,
    keyspace::{ByteMap, SipBuild, Value},
    lists::{End, List},
};

/// What a waiting client will do with the first element it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockOp {
    /// BLPOP / BRPOP: pop from this end and reply `[key, element]`.
    Pop(End),
    /// BLMOVE / BRPOPLPUSH: move to `dest` and reply the element.
    Move { from: End, to: End, dest: Vec<u8> },
}

/// A client's wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    pub db: usize,
    pub keys: Vec<Vec<u8>>,
    pub op: BlockOp,
    /// Unix ms; `None` waits forever (timeout 0).
    pub deadline: Option<u64>,
}

/// Who waits on which keys, and which keys have become ready.
#[derive(Debug, Default)]
pub struct Blocking {
    /// Per database, the clients waiting on each key, longest first.
    waiting: Vec<ByteMap<VecDeque<ConnId>>>,
    /// Keys pushed to since the last serving round, in order.
    ready: Vec<(usize, Vec<u8>)>,
}

impl Blocking {
    fn db(&mut self, db: usize) -> &mut ByteMap<VecDeque<ConnId>> {
        while self.waiting.len() <= db {
            let seed = 0x2545_f491_4f6c_dd1d ^ self.waiting.len() as u64;
            self.waiting.push(ByteMap::with_hasher(SipBuild::new(seed)));
        }
        &mut self.waiting[db]
    }

    /// Whether anyone waits on `key`.
    pub fn has_waiters(&self, db: usize, key: &[u8]) -> bool {
        self.waiting
            .get(db)
            .is_some_and(|keys| keys.contains_key(key))
    }

    /// Marks `key` ready if anyone waits on it (Redis's `signalKeyAsReady`).
    pub fn signal(&mut self, db: usize, key: &[u8]) {
        if self.has_waiters(db, key) && !self.ready.iter().any(|(d, k)| *d == db && k == key) {
            self.ready.push((db, key.to_vec()));
        }
    }

    /// Adds `conn` to the end of each key's queue.
    pub fn wait(&mut self, conn: ConnId, blocked: &Blocked) {
        let db = self.db(blocked.db);
        for key in &blocked.keys {
            let queue = db.entry(key.clone()).or_default();
            if !queue.contains(&conn) {
                queue.push_back(conn);
            }
        }
    }

    /// Removes `conn` from every queue of its wait.
    pub fn forget(&mut self, conn: ConnId, blocked: &Blocked) {
        let db = self.db(blocked.db);
        for key in &blocked.keys {
            if let Some(queue) = db.get_mut(key.as_slice()) {
                queue.retain(|&c| c != conn);
                if queue.is_empty() {
                    db.swap_remove(key.as_slice());
                }
            }
        }
    }

    /// How many clients wait (INFO's `blocked_clients` counts clients).
    pub fn first_waiter(&self, db: usize, key: &[u8]) -> Option<ConnId> {
        self.waiting.get(db)?.get(key)?.front().copied()
    }
}

impl Redis {
    /// Puts `conn` to wait.
    pub(super) fn block(&mut self, conn: ConnId, blocked: Blocked) {
        self.blocking.wait(conn, &blocked);
        for key in &blocked.keys {
            self.event(EventKind::Block, conn, blocked.db, key, b"", b"", 0);
        }
        if let Some(client) = self.clients.get_mut(&conn) {
            client.blocked = Some(blocked);
        }
    }

    /// How many clients are waiting.
    pub fn blocked_clients(&self) -> usize {
        self.clients
            .values()
            .filter(|client| client.blocked.is_some())
            .count()
    }

    /// Serves waiting clients from every key made ready, first come first
    /// served, until no ready key has both elements and waiters.
    pub(super) fn serve_blocked(&mut self) {
        while !self.blocking.ready.is_empty() {
            let (db, key) = self.blocking.ready.remove(0);
            while let Some(conn) = self.blocking.first_waiter(db, &key) {
                let has_elements = matches!(
                    self.dbs[db].get(&key, self.now).map(|entry| &entry.value),
                    Some(Value::List(list)) if !list.is_empty()
                );
                if !has_elements {
                    break;
                }
                let Some(blocked) = self
                    .clients
                    .get_mut(&conn)
                    .and_then(|client| client.blocked.take())
                else {
                    // Not really waiting: drop the stale entry.
                    let stale = Blocked {
                        db,
                        keys: vec![key.clone()],
                        op: BlockOp::Pop(End::Left),
                        deadline: None,
                    };
                    self.blocking.forget(conn, &stale);
                    continue;
                };
                self.blocking.forget(conn, &blocked);
                self.serve_one(conn, db, &key, &blocked.op);
            }
        }
    }

    fn serve_one(&mut self, conn: ConnId, db: usize, key: &[u8], op: &BlockOp) {
        match op {
            BlockOp::Pop(end) => {
                let Some(element) = self.pop_list(db, key, *end) else {
                    return;
                };
                self.event(EventKind::Serve, conn, db, key, b"", &element, 0);
                self.deliver(conn, |out| {
                    out.array(2);
                    out.bulk(key);
                    out.bulk(&element);
                });
            }
            BlockOp::Move { from, to, dest } => {
                let dest_ok = match self.dbs[db].get(dest, self.now) {
                    None => true,
                    Some(entry) => matches!(entry.value, Value::List(_)),
                };
                if !dest_ok {
                    self.deliver(conn, |out| {
                        out.error(&super::error::RedisError::WrongType.to_string());
                    });
                    return;
                }
                let Some(element) = self.pop_list(db, key, *from) else {
                    return;
                };
                self.push_list(db, dest, *to, element.clone());
                self.dbs[db].remove_if_empty(key);
                self.event(EventKind::Serve, conn, db, key, dest, &element, 0);
                self.deliver(conn, |out| out.bulk(&element));
            }
        }
    }

    /// Pops one element of the list at `key`, deleting the key when it
    /// empties. (Callers have checked that it is a non-empty list.)
    fn pop_list(&mut self, db: usize, key: &[u8], end: End) -> Option<Vec<u8>> {
        let mut entry = self.dbs[db].get_mut(key, self.now)?;
        let Value::List(list) = &mut entry.value else {
            return None;
        };
        let element = list.pop(end);
        drop(entry);
        self.dbs[db].remove_if_empty(key);
        self.touch_key(db, key);
        element
    }

    /// Pushes one element onto the list at `key` (created if absent).
    pub(super) fn push_list(&mut self, db: usize, key: &[u8], end: End, element: Vec<u8>) {
        let mut entry = self.dbs[db].get_or_insert(key, self.now, || Value::List(List::default()));
        if let Value::List(list) = &mut entry.value {
            list.push(end, element);
        }
        drop(entry);
        self.touch_key(db, key);
        self.blocking.signal(db, key);
    }
}
