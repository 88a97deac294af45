//! One cache node: a [`Cache`] behind a mutex, the counters memcached keeps
//! about connections, the event feed the browser watches, and the accept
//! loop. A node can be restarted (emptied, its clients cut off) while its
//! listener stays bound, so it comes back on the same port.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use fanout_shared::cache::{Cache, ConnId, Event, restart, slabs::SlabSettings};
use tokio::{
    net::TcpListener,
    sync::{broadcast, watch},
};

use super::unix_now;

/// How many events a slow watcher may fall behind before it is told how
/// many it missed. The cache never waits for a watcher.
pub const EVENT_BACKLOG: usize = 4096;

/// How many slab slots the periodic sweep examines each second.
const SWEEP_BUDGET: usize = 20_000;

/// Connection-level counters (memcached's `stats` names).
#[derive(Debug, Default)]
pub struct Counters {
    /// Unix second of the last (re)start, for `uptime`.
    pub started: AtomicU64,
    pub curr_connections: AtomicU64,
    pub total_connections: AtomicU64,
    pub rejected_connections: AtomicU64,
    pub bytes_read: AtomicU64,
    pub bytes_written: AtomicU64,
    pub cmd_meta: AtomicU64,
    pub max_connections: u64,
    pub threads: usize,
    pub port: u16,
}

/// One memcached-speaking node.
#[derive(Debug)]
pub struct Node {
    pub id: usize,
    pub addr: SocketAddr,
    cache: Mutex<Cache>,
    pub counters: Counters,
    /// Bumped by a restart; every client connection ends when it changes.
    generation: watch::Sender<u64>,
    events: broadcast::Sender<Event>,
    /// How many watchers want events (the model records only while > 0).
    watchers: AtomicUsize,
    /// How many of them are TCP clients' `watch`es, which also want
    /// memcached's log records.
    log_watchers: AtomicUsize,
}

/// What every node of a cluster starts with.
#[derive(Debug, Clone, Copy)]
pub struct NodeSettings {
    /// Memory limit in bytes (memcached's `-m`, in MiB there).
    pub limit_bytes: u64,
    /// Slab classes (memcached's `-f` and `-n`).
    pub slabs: SlabSettings,
    /// Seconds an item stays in place in its LRU after a move to the head
    /// (`--cache-bump-interval`; memcached's `ITEM_UPDATE_INTERVAL`, 60).
    pub bump_interval: u64,
}

/// memcached's limit on log watchers per server.
pub const MAX_LOG_WATCHERS: usize = 20;

impl Node {
    pub fn new(id: usize, addr: SocketAddr, settings: NodeSettings) -> Node {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let mut cache = Cache::with_slabs(settings.limit_bytes, settings.slabs);
        cache.set_bump_interval(settings.bump_interval);
        cache.set_hash_key(random_seed());
        Node {
            id,
            addr,
            cache: Mutex::new(cache),
            counters: Counters {
                started: AtomicU64::new(unix_now()),
                max_connections: 65_536,
                threads,
                port: addr.port(),
                ..Counters::default()
            },
            generation: watch::channel(0).0,
            events: broadcast::channel(EVENT_BACKLOG).0,
            watchers: AtomicUsize::new(0),
            log_watchers: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        // A panic while holding the lock cannot leave the model half-changed
        // in a way later calls trip over more than a fresh error would.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the cache, then publishes the events it caused.
    pub fn with_cache<R>(&self, f: impl FnOnce(&mut Cache) -> R) -> R {
        let mut cache = self.lock();
        cache.set_lane(super::workers::lane());
        let result = f(&mut cache);
        if cache.is_recording() {
            let events = cache.drain_events();
            drop(cache);
            for event in events {
                // No receiver (the last watcher just left) is fine.
                let _ = self.events.send(event);
            }
        }
        result
    }

    /// Starts watching this node's events. Dropping the [`Watch`] stops.
    pub fn watch(self: &Arc<Self>) -> Watch {
        let receiver = self.events.subscribe();
        if self.watchers.fetch_add(1, Ordering::SeqCst) == 0 {
            self.lock().record_events(true);
        }
        Watch {
            node: Arc::clone(self),
            receiver,
            logs: false,
        }
    }

    /// Starts a TCP client's `watch`: events with memcached's log records.
    /// `None` when [`MAX_LOG_WATCHERS`] already watch.
    pub fn watch_log(self: &Arc<Self>) -> Option<Watch> {
        let taken = self
            .log_watchers
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < MAX_LOG_WATCHERS).then_some(n + 1)
            });
        if taken.is_err() {
            return None;
        }
        let mut watch = self.watch();
        watch.logs = true;
        self.lock().record_log(true);
        Some(watch)
    }

    /// Records a connection's arrival or departure for `watch connevents`.
    pub fn log_connection(&self, conn: ConnId, log: fanout_shared::cache::Logged) {
        if self.log_watchers.load(Ordering::Relaxed) > 0 {
            self.with_cache(|cache| cache.log_connection(conn, log));
        }
    }

    /// Restarts the node as a process restart would: the cache starts
    /// afresh (`fanout_shared::cache::restart`: empty, same memory limit,
    /// counters at zero, watchers told with a flush event), the connection
    /// counters start again, and every client connection is closed. The
    /// listener stays bound, so the port stays the same.
    pub fn restart(&self) {
        self.with_cache(|cache| restart::restart(cache, unix_now()));
        let counters = &self.counters;
        counters.started.store(unix_now(), Ordering::Relaxed);
        for counter in [
            &counters.total_connections,
            &counters.rejected_connections,
            &counters.bytes_read,
            &counters.bytes_written,
            &counters.cmd_meta,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
        self.generation.send_modify(|generation| *generation += 1);
    }

    /// A receiver that fires when the node restarts.
    pub fn restarts(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }
}

/// A subscription to a node's events.
#[derive(Debug)]
pub struct Watch {
    node: Arc<Node>,
    pub receiver: broadcast::Receiver<Event>,
    /// A TCP client's `watch` (counted among the log watchers).
    logs: bool,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut cache = self.node.lock();
        if self.logs && self.node.log_watchers.fetch_sub(1, Ordering::SeqCst) == 1 {
            cache.record_log(false);
        }
        if self.node.watchers.fetch_sub(1, Ordering::SeqCst) == 1 {
            cache.record_events(false);
        }
    }
}

/// Accepts clients until `shutdown` turns true; also runs the periodic
/// expiry sweep. `conn_ids` numbers connections across the whole server.
pub async fn run(
    listener: TcpListener,
    node: Arc<Node>,
    conn_ids: Arc<AtomicU64>,
    workers: Arc<super::workers::Workers>,
    mut shutdown: watch::Receiver<bool>,
) {
    let sweeper = tokio::spawn({
        let node = Arc::clone(&node);
        async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                node.with_cache(|cache| cache.sweep(unix_now(), SWEEP_BUDGET));
            }
        }
    });
    let for_connections = shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let conn: ConnId = conn_ids.fetch_add(1, Ordering::Relaxed);
                    workers.serve(stream, Arc::clone(&node), conn, for_connections.clone());
                }
                Err(error) => {
                    // Out of file descriptors and the like: refuse for a
                    // moment rather than spin.
                    node.counters.rejected_connections.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(node = node.id, %error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = async { drop(shutdown.wait_for(|stopping| *stopping).await) } => break,
        }
    }
    sweeper.abort();
}

/// A random key for a cache's index hash (`Cache::set_hash_key`), as the
/// Redis node keys its tables. Without an entropy source, the clock's
/// nanoseconds: weaker (a client that reads the node's start second from
/// `stats` has about 2^30 keys to try), and only where `getrandom` fails.
fn random_seed() -> u64 {
    getrandom::u64().unwrap_or_else(|_| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos() as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_node_draws_its_own_hash_key_and_keeps_it_through_a_restart() {
        let settings = NodeSettings {
            limit_bytes: 1 << 20,
            slabs: SlabSettings::default(),
            bump_interval: 60,
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let first = Node::new(0, addr, settings);
        let second = Node::new(1, addr, settings);
        let key = first.with_cache(|cache| cache.hash_key());
        // Each fails once in 2^64 runs.
        assert_ne!(key, 0, "not the fixed default, which anyone can read");
        assert_ne!(key, second.with_cache(|cache| cache.hash_key()));
        first.restart();
        assert_eq!(first.with_cache(|cache| cache.hash_key()), key);
    }
}
