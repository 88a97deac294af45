//! MULTI/EXEC/DISCARD and optimistic locking with WATCH. kombu restores an
//! unacknowledged task with `WATCH unacked`, `HGET`, then `MULTI`, `ZREM`,
//! `HDEL`, `LPUSH|RPUSH`, `EXEC`: if another worker touched the hash in
//! between, EXEC answers null and nothing happens.
//!
//! Rules as in Redis 7.0: a command that fails to queue (unknown, wrong
//! arity, no memory) makes EXEC answer EXECABORT; errors while running
//! are just replies inside EXEC's array; a watched key changed by anyone
//! (this client included, and expiry) fails the EXEC; blocking commands
//! inside EXEC do not block.

use super::{
    command,
    engine::{Call, Flow, Redis},
    error::RedisError,
    event::EventKind,
};

type Res = Result<Flow, RedisError>;

/// The most bytes of arguments one transaction may queue; past that the
/// command is refused and EXEC aborts (Redis has no such bound).
pub const MAX_QUEUED_BYTES: usize = 32 << 20;

/// A transaction being queued.
#[derive(Debug, Default)]
pub struct Multi {
    pub queued: Vec<Vec<Vec<u8>>>,
    pub bytes: usize,
    /// A command failed to queue: EXEC will abort.
    pub failed: bool,
}

impl Multi {
    /// Queues a command; false (and the transaction fails) if it would
    /// pass [`MAX_QUEUED_BYTES`].
    pub fn queue(&mut self, args: &[&[u8]]) -> bool {
        let size: usize = args.iter().map(|arg| arg.len() + 16).sum();
        if self.bytes + size > MAX_QUEUED_BYTES {
            self.failed = true;
            return false;
        }
        self.bytes += size;
        self.queued
            .push(args.iter().map(|arg| arg.to_vec()).collect());
        true
    }
}

pub(super) fn multi(r: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    let client = r.clients.get_mut(&c.conn).expect("connected");
    if client.multi.is_some() {
        return Err(RedisError::NestedMulti);
    }
    client.multi = Some(Multi::default());
    c.out.ok();
    Ok(Flow::Continue)
}

pub(super) fn discard(r: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    let client = r.clients.get_mut(&c.conn).expect("connected");
    if client.multi.take().is_none() {
        return Err(RedisError::DiscardWithoutMulti);
    }
    unwatch_client(r, c);
    c.out.ok();
    Ok(Flow::Continue)
}

fn unwatch_client(r: &mut Redis, c: &Call) {
    let client = r.clients.get_mut(&c.conn).expect("connected");
    let watched = std::mem::take(&mut client.watched);
    client.dirty_cas = false;
    let keys: Vec<(usize, Vec<u8>)> = watched.into_iter().map(|(db, key, _)| (db, key)).collect();
    r.unwatch_all(c.conn, &keys);
}

pub(super) fn exec(r: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    let client = r.clients.get_mut(&c.conn).expect("connected");
    let Some(multi) = client.multi.take() else {
        return Err(RedisError::ExecWithoutMulti);
    };
    let watched = client.watched.clone();
    let mut dirty = client.dirty_cas;
    for (db, key, expired_at_watch) in &watched {
        if !expired_at_watch && r.dbs[*db].is_logically_expired(key, c.now) {
            dirty = true;
        }
    }
    unwatch_client(r, c);
    if multi.failed {
        return Err(RedisError::ExecAbort);
    }
    if dirty {
        c.out.null_array();
        return Ok(Flow::Continue);
    }
    c.out.array(multi.queued.len());
    let nested = c.nested;
    c.nested = true;
    for queued in &multi.queued {
        let args: Vec<&[u8]> = queued.iter().map(Vec::as_slice).collect();
        match command::lookup(&args) {
            Ok(spec) => {
                // A SELECT inside the transaction changes the database of
                // the commands after it.
                c.db = r.clients.get(&c.conn).map_or(c.db, |client| client.db);
                r.run(c, spec, &args);
            }
            Err(error) => c.out.error(&error.to_string()),
        }
    }
    c.nested = nested;
    r.event(
        EventKind::Exec,
        c.conn,
        c.db,
        b"",
        b"",
        b"",
        multi.queued.len() as u64,
    );
    Ok(Flow::Continue)
}

pub(super) fn watch(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let client = r.clients.get(&c.conn).expect("connected");
    if client.multi.is_some() {
        return Err(RedisError::WatchInMulti);
    }
    for key in &args[1..] {
        let already = r.clients[&c.conn]
            .watched
            .iter()
            .any(|(db, k, _)| *db == c.db && k.as_slice() == *key);
        if already {
            continue;
        }
        let expired = r.dbs[c.db].is_logically_expired(key, c.now);
        r.watchers[c.db]
            .entry(key.to_vec())
            .or_default()
            .push(c.conn);
        let client = r.clients.get_mut(&c.conn).expect("connected");
        client.watched.push((c.db, key.to_vec(), expired));
    }
    c.out.ok();
    Ok(Flow::Continue)
}

pub(super) fn unwatch(r: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    unwatch_client(r, c);
    c.out.ok();
    Ok(Flow::Continue)
}
