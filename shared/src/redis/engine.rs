//! [`Redis`]: the whole server's state as one pure state machine. A driver
//! tells it about connections and hands it each decoded request with the
//! current time; it writes the reply into the caller's buffer and queues
//! bytes for *other* connections (a published message, an element handed
//! to a client waiting in BRPOP) in an outbox the driver delivers.
//!
//! The order of one request follows Redis's `processCommand`: look the
//! command up, check its arity, refuse what a RESP2 subscriber may not
//! send, queue it inside MULTI, make room under `maxmemory` for commands
//! that may grow the data, run it, then serve clients blocked on lists
//! that the command filled.

use std::collections::HashMap;

use super::{
    blocking::{Blocked, Blocking},
    command::{self, Flags, Spec},
    error::{RedisError, args_preview, sanitize},
    event::{Event, EventKind, preview},
    keyspace::{ByteMap, Db, SipBuild},
    memory::{self, MemoryConfig},
    pubsub::PubSub,
    resp::{Out, Protocol},
    scripts::Scripts,
    transaction::Multi,
};
use crate::rng::SimRng;

/// Identifies one client connection (the driver numbers them).
pub type ConnId = u64;

/// How many numbered databases there are (`databases 16`).
pub const DATABASES: usize = 16;

/// Redis's version, as HELLO and INFO report it: the replies are those of
/// Debian's redis-server 7.0.15, which the differential test compares with.
pub const REDIS_VERSION: &str = "7.0.15";

/// How a request left its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Read the next request.
    Continue,
    /// The client waits on lists; nothing was written. Call
    /// [`Redis::time_out`] at `deadline` (unix ms) unless an element
    /// arrives first (it comes through the outbox).
    Blocked { deadline: Option<u64> },
    /// Write what was written, then hang up (QUIT).
    Close,
    /// Hang up at once without a reply: the request looked like HTTP
    /// (Redis logs "Possible SECURITY ATTACK detected").
    SecurityAttack,
}

/// Bytes for another connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub conn: ConnId,
    pub bytes: Vec<u8>,
}

/// What the model knows about one connection.
#[derive(Debug)]
pub struct Client {
    pub db: usize,
    pub protocol: Protocol,
    pub name: Option<Vec<u8>>,
    pub multi: Option<Multi>,
    /// Keys under WATCH (database, key, already expired when watched),
    /// and whether one has changed since.
    pub watched: Vec<(usize, Vec<u8>, bool)>,
    pub dirty_cas: bool,
    pub blocked: Option<Blocked>,
    /// Unix ms at connection, for CLIENT's idea of age.
    pub since: u64,
}

impl Client {
    fn new(now: u64) -> Client {
        Client {
            db: 0,
            protocol: Protocol::Resp2,
            name: None,
            multi: None,
            watched: Vec::new(),
            dirty_cas: false,
            blocked: None,
            since: now,
        }
    }
}

/// Counters INFO reports.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub total_connections: u64,
    pub total_commands: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub expired_keys: u64,
    pub evicted_keys: u64,
    pub rejected_oom: u64,
}

/// Facts about the node that INFO reports.
#[derive(Debug, Clone)]
pub struct NodeInfo {
    pub port: u16,
    /// Unix ms when the node started.
    pub started: u64,
    pub max_clients: usize,
}

/// One request in progress.
#[derive(Debug)]
pub struct Call<'a> {
    pub conn: ConnId,
    /// Unix milliseconds.
    pub now: u64,
    /// The client's selected database.
    pub db: usize,
    pub out: Out<'a>,
    /// Inside EXEC or a script: blocking commands do not block.
    pub nested: bool,
}

/// The Redis model.
#[derive(Debug)]
pub struct Redis {
    pub(super) dbs: Vec<Db>,
    pub(super) clients: HashMap<ConnId, Client>,
    pub(super) pubsub: PubSub,
    pub(super) blocking: Blocking,
    /// Per database, the clients watching each key.
    pub(super) watchers: Vec<ByteMap<Vec<ConnId>>>,
    pub(super) scripts: Scripts,
    pub(super) memory: MemoryConfig,
    /// Longest string a command may build (APPEND, SETRANGE …).
    pub(super) max_string: usize,
    pub(super) rng: SimRng,
    pub(super) outbox: Vec<Delivery>,
    pub(super) events: Option<Vec<Event>>,
    pub(super) stats: Stats,
    pub(super) info: NodeInfo,
    /// The time of the request being handled (unix ms), for work done
    /// after it (serving blocked clients).
    pub(super) now: u64,
    seed: u64,
}

impl Redis {
    /// An empty server. `seed` keys the hash tables (a driver passes a
    /// random one, tests a fixed one) and the eviction sampler.
    pub fn new(memory: MemoryConfig, max_string: usize, info: NodeInfo, seed: u64) -> Redis {
        Redis {
            dbs: (0..DATABASES)
                .map(|i| Db::new(seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)))
                .collect(),
            clients: HashMap::new(),
            pubsub: PubSub::new(seed),
            blocking: Blocking::default(),
            watchers: (0..DATABASES)
                .map(|i| ByteMap::with_hasher(SipBuild::new(seed.rotate_left(i as u32 + 7))))
                .collect(),
            scripts: Scripts::default(),
            memory,
            max_string,
            rng: SimRng::new(seed),
            outbox: Vec::new(),
            events: None,
            stats: Stats::default(),
            info,
            now: 0,
            seed,
        }
    }

    /// The databases, numbered from 0 (for a watcher's snapshot).
    pub fn databases(&self) -> impl Iterator<Item = &Db> {
        self.dbs.iter()
    }

    /// A new connection.
    pub fn connect(&mut self, conn: ConnId, now: u64) {
        self.clients.insert(conn, Client::new(now));
        self.stats.total_connections += 1;
        self.event(EventKind::Connect, conn, 0, b"", b"", b"", 0);
    }

    /// A connection went away: forget its waits, subscriptions, watches.
    pub fn disconnect(&mut self, conn: ConnId) {
        let Some(client) = self.clients.remove(&conn) else {
            return;
        };
        if let Some(blocked) = client.blocked {
            self.blocking.forget(conn, &blocked);
        }
        let watched: Vec<(usize, Vec<u8>)> = client
            .watched
            .into_iter()
            .map(|(db, key, _)| (db, key))
            .collect();
        self.unwatch_all(conn, &watched);
        self.pubsub.forget(conn);
        self.event(EventKind::Disconnect, conn, 0, b"", b"", b"", 0);
    }

    pub fn client(&self, conn: ConnId) -> Option<&Client> {
        self.clients.get(&conn)
    }

    pub fn connected_clients(&self) -> usize {
        self.clients.len()
    }

    /// Starts or stops recording events (only while someone watches).
    pub fn record_events(&mut self, on: bool) {
        self.events = if on { Some(Vec::new()) } else { None };
    }

    pub fn is_recording(&self) -> bool {
        self.events.is_some()
    }

    /// The events recorded since the last call.
    pub fn drain_events(&mut self) -> Vec<Event> {
        self.events.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Bytes queued for other connections since the last call.
    pub fn drain_outbox(&mut self) -> std::vec::Drain<'_, Delivery> {
        self.outbox.drain(..)
    }

    pub fn has_outbox(&self) -> bool {
        !self.outbox.is_empty()
    }

    /// Accounted bytes of all databases.
    pub fn used_memory(&self) -> u64 {
        self.dbs.iter().map(|db| db.used() as u64).sum()
    }

    /// Accounted bytes recomputed from scratch (equal to
    /// [`Redis::used_memory`] unless accounting is broken).
    pub fn recount_memory(&self) -> u64 {
        self.dbs.iter().map(|db| db.recount() as u64).sum()
    }

    pub fn memory_config(&self) -> MemoryConfig {
        self.memory
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Drops expired keys, looking at up to `budget` keys per database.
    pub fn sweep(&mut self, now: u64, budget: usize) {
        self.now = now;
        for db in &mut self.dbs {
            db.sweep(now, budget);
        }
        self.report_expired(0);
    }

    /// Runs one request from `conn`, writing its reply to `buf`.
    pub fn handle(&mut self, conn: ConnId, args: &[&[u8]], now: u64, buf: &mut Vec<u8>) -> Flow {
        self.now = now;
        if !self.clients.contains_key(&conn) {
            self.connect(conn, now);
        }
        let client = &self.clients[&conn];
        let mut call = Call {
            conn,
            now,
            db: client.db,
            out: Out::new(buf, client.protocol),
            nested: false,
        };
        let flow = self.dispatch(&mut call, args);
        self.after_command(conn);
        flow
    }

    /// A blocked client's time is up: writes its empty reply and returns
    /// true, or false if it was served meanwhile (its reply is in the
    /// outbox already) or is not blocked.
    pub fn time_out(&mut self, conn: ConnId, buf: &mut Vec<u8>) -> bool {
        let Some(client) = self.clients.get_mut(&conn) else {
            return false;
        };
        let Some(blocked) = client.blocked.take() else {
            return false;
        };
        let protocol = client.protocol;
        self.blocking.forget(conn, &blocked);
        Out::new(buf, protocol).null_array();
        let keys = blocked.keys.first().cloned().unwrap_or_default();
        self.event(EventKind::Timeout, conn, blocked.db, &keys, b"", b"", 0);
        true
    }

    fn dispatch(&mut self, call: &mut Call, args: &[&[u8]]) -> Flow {
        if args.is_empty() {
            return Flow::Continue;
        }
        if command::is_http(args) {
            return Flow::SecurityAttack;
        }
        let spec = match command::lookup(args) {
            Ok(spec) => spec,
            Err(error) => {
                if args[0].eq_ignore_ascii_case(b"exec") {
                    self.abort_exec(call, &error);
                } else {
                    self.reject(call, error);
                }
                return Flow::Continue;
            }
        };
        self.stats.total_commands += 1;
        let client = self.clients.get_mut(&call.conn).expect("connected");
        if client.protocol == Protocol::Resp2
            && self.pubsub.subscriptions(call.conn) > 0
            && !spec.flags.contains(Flags::PUBSUB)
        {
            let error = RedisError::SubscribedContext(spec.full_name.to_owned());
            if spec.name == "exec" {
                self.abort_exec(call, &error);
            } else {
                self.reject(call, error);
            }
            return Flow::Continue;
        }
        if client.multi.is_some() && !spec.flags.contains(Flags::NO_QUEUE) {
            if spec.flags.contains(Flags::DENY_OOM) && !self.make_room() {
                self.reject(call, RedisError::OutOfMemory);
                return Flow::Continue;
            }
            let client = self.clients.get_mut(&call.conn).expect("connected");
            let multi = client.multi.as_mut().expect("checked");
            if multi.queue(args) {
                call.out.simple("QUEUED");
            } else {
                call.out.error(&RedisError::TransactionTooLarge.to_string());
            }
            return Flow::Continue;
        }
        self.run(call, spec, args)
    }

    /// Runs a looked-up command (at top level, inside EXEC or a script).
    pub(super) fn run(&mut self, call: &mut Call, spec: &'static Spec, args: &[&[u8]]) -> Flow {
        if spec.flags.contains(Flags::DENY_OOM) && !self.make_room() {
            self.stats.rejected_oom += 1;
            call.out.error(&RedisError::OutOfMemory.to_string());
            return Flow::Continue;
        }
        match (spec.run)(self, call, args) {
            Ok(flow) => flow,
            Err(error) => {
                call.out.error(&error.to_string());
                Flow::Continue
            }
        }
    }

    /// Evicts by the policy until used memory is within the limit; false
    /// if it cannot get there.
    fn make_room(&mut self) -> bool {
        let limit = self.memory.limit;
        if limit == 0 {
            return true;
        }
        while self.used_memory() > limit {
            let Some((db, key)) = memory::pick_victim(&self.dbs, self.memory.policy, &mut self.rng)
            else {
                return false;
            };
            self.dbs[db].remove(&key);
            self.stats.evicted_keys += 1;
            self.touch_key(db, &key);
            self.event(EventKind::Evict, 0, db, &key, b"", b"", 0);
        }
        true
    }

    /// Redis's `rejectCommand`: the error, and a transaction being queued
    /// will abort.
    fn reject(&mut self, call: &mut Call, error: RedisError) {
        self.flag_multi_error(call.conn);
        call.out.error(&error.to_string());
    }

    /// EXEC itself was refused: any transaction ends, and the reply says
    /// why (Redis's `execCommandAbort`, MULTI or not).
    fn abort_exec(&mut self, call: &mut Call, error: &RedisError) {
        let client = self.clients.get_mut(&call.conn).expect("connected");
        client.multi = None;
        let watched: Vec<(usize, Vec<u8>)> = std::mem::take(&mut client.watched)
            .into_iter()
            .map(|(db, key, _)| (db, key))
            .collect();
        client.dirty_cas = false;
        self.unwatch_all(call.conn, &watched);
        let text = error.to_string();
        let reason = text.strip_prefix("ERR ").unwrap_or(&text).to_owned();
        call.out
            .error(&RedisError::ExecAbortBecause(reason).to_string());
    }

    fn flag_multi_error(&mut self, conn: ConnId) {
        if let Some(multi) = self
            .clients
            .get_mut(&conn)
            .and_then(|client| client.multi.as_mut())
        {
            multi.failed = true;
        }
    }

    fn after_command(&mut self, conn: ConnId) {
        self.serve_blocked();
        self.report_expired(conn);
    }

    /// Reports keys the last command found expired, as Redis deletes them.
    fn report_expired(&mut self, conn: ConnId) {
        for db in 0..self.dbs.len() {
            if self.dbs[db].expired.is_empty() {
                continue;
            }
            let expired = std::mem::take(&mut self.dbs[db].expired);
            self.stats.expired_keys += expired.len() as u64;
            for key in expired {
                self.touch_key(db, &key);
                self.event(EventKind::Expire, conn, db, &key, b"", b"", 0);
            }
        }
    }

    /// Redis's `signalModifiedKey`: a WATCH on the key fails its EXEC.
    pub(super) fn touch_key(&mut self, db: usize, key: &[u8]) {
        let watchers = &self.watchers[db];
        if watchers.is_empty() {
            return;
        }
        if let Some(conns) = watchers.get(key) {
            for conn in conns {
                if let Some(client) = self.clients.get_mut(conn) {
                    client.dirty_cas = true;
                }
            }
        }
    }

    /// Every watched key of `db` that exists is touched (FLUSHDB).
    pub(super) fn touch_all(&mut self, db: usize) {
        let keys: Vec<Vec<u8>> = self.watchers[db].keys().cloned().collect();
        for key in keys {
            if self.dbs[db].contains(&key, 0) {
                self.touch_key(db, &key);
            }
        }
    }

    pub(super) fn unwatch_all(&mut self, conn: ConnId, watched: &[(usize, Vec<u8>)]) {
        for (db, key) in watched {
            if let Some(conns) = self.watchers[*db].get_mut(key.as_slice()) {
                conns.retain(|&c| c != conn);
                if conns.is_empty() {
                    self.watchers[*db].swap_remove(key.as_slice());
                }
            }
        }
    }

    /// Records an event if someone is watching.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn event(
        &mut self,
        kind: EventKind,
        conn: ConnId,
        db: usize,
        key: &[u8],
        field: &[u8],
        value: &[u8],
        count: u64,
    ) {
        if let Some(events) = &mut self.events {
            events.push(Event {
                kind,
                db: db as u8,
                key: preview(key),
                field: preview(field),
                value: preview(value),
                count,
                conn,
            });
        }
    }

    /// Queues bytes for `conn` in its protocol.
    pub(super) fn deliver(&mut self, conn: ConnId, write: impl FnOnce(&mut Out)) {
        let Some(client) = self.clients.get(&conn) else {
            return;
        };
        let mut bytes = Vec::new();
        write(&mut Out::new(&mut bytes, client.protocol));
        self.outbox.push(Delivery { conn, bytes });
    }
}

/// The unknown-command error for `args`.
pub fn unknown_command(args: &[&[u8]]) -> RedisError {
    let name = String::from_utf8_lossy(&args[0][..args[0].len().min(128)]).into_owned();
    RedisError::UnknownCommand {
        name: sanitize(&name),
        args: sanitize(&args_preview(&args[1..])),
    }
}
