//! The Redis node: the model behind one mutex (Redis runs one command at a
//! time; so does this), every connection's mailbox, the bounded event
//! feed the browser will watch, the accept loop and the expiry sweep.
//!
//! A mailbox carries bytes the model queued for a connection while another
//! one's command ran: a published message, or the element a BRPOP was
//! waiting for. Its unsent bytes are bounded like Redis's pub/sub clients'
//! output (`client-output-buffer-limit pubsub 32mb`): a subscriber that
//! does not read is disconnected rather than allowed to grow the server.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use fanout_shared::redis::{
    ConnId, Event, MemoryConfig, NodeInfo, Redis, resp::DEFAULT_MAX_BULK_LEN,
};
use tokio::{
    net::TcpListener,
    sync::{Notify, broadcast, mpsc, watch},
};

use super::{FLAG, connection, unix_millis};
use crate::{StartError, bind};

/// How many events a slow watcher may fall behind before it is told how
/// many it missed. The node never waits for a watcher.
pub const EVENT_BACKLOG: usize = 4096;

/// Unsent bytes a connection's mailbox may hold (Redis's hard limit for
/// pub/sub clients).
pub const MAILBOX_LIMIT: usize = 32 << 20;

/// Redis's `maxclients` default.
pub const MAX_CLIENTS: usize = 10_000;

/// Bytes of input all connections together may hold in unfinished
/// requests; past it, the connection holding the most is closed.
pub const INPUT_BUDGET: usize = 256 << 20;

/// How often expired keys are swept, and how many keys each sweep looks
/// at per database (Redis's `hz 10`).
const SWEEP_EVERY: Duration = Duration::from_millis(100);
const SWEEP_BUDGET: usize = 2_000;

/// Where one connection's pushed bytes go.
#[derive(Debug)]
struct Mailbox {
    sender: mpsc::UnboundedSender<Vec<u8>>,
    unsent: Arc<AtomicUsize>,
    /// Ends the connection at once, even in the middle of a write.
    cut: Arc<Notify>,
}

#[derive(Debug)]
struct State {
    model: Redis,
    mailboxes: HashMap<ConnId, Mailbox>,
}

/// The receiving end of a connection's mailbox.
#[derive(Debug)]
pub struct Inbox {
    pub receiver: mpsc::UnboundedReceiver<Vec<u8>>,
    unsent: Arc<AtomicUsize>,
    /// Notified when the node cuts the connection off.
    pub cut: Arc<Notify>,
}

impl Inbox {
    /// Marks `bytes` as taken out of the mailbox.
    pub fn taken(&self, bytes: &[u8]) {
        self.unsent.fetch_sub(bytes.len(), Ordering::Relaxed);
    }

    /// Moves every byte already in the mailbox to `out`, without waiting.
    pub fn drain_into(&mut self, out: &mut Vec<u8>) {
        while let Ok(bytes) = self.receiver.try_recv() {
            self.taken(&bytes);
            out.extend_from_slice(&bytes);
        }
    }
}

/// The Redis-speaking node.
#[derive(Debug)]
pub struct Node {
    pub addr: SocketAddr,
    state: Mutex<State>,
    events: broadcast::Sender<Event>,
    watchers: AtomicUsize,
    next_conn: AtomicU64,
    pub clients: AtomicUsize,
    /// Bytes of unfinished requests held by all connections.
    pub buffered_input: AtomicUsize,
}

impl Node {
    pub fn new(addr: SocketAddr, memory: MemoryConfig) -> Node {
        let mut seed = [0u8; 8];
        // A random key for the model's hash tables, as Redis seeds its
        // own; a fixed one would let a client choose colliding keys.
        if getrandom::fill(&mut seed).is_err() {
            seed = unix_millis().to_le_bytes();
        }
        let info = NodeInfo {
            port: addr.port(),
            started: unix_millis(),
            max_clients: MAX_CLIENTS,
        };
        let model = Redis::new(memory, DEFAULT_MAX_BULK_LEN, info, u64::from_le_bytes(seed));
        Node {
            addr,
            state: Mutex::new(State {
                model,
                mailboxes: HashMap::new(),
            }),
            events: broadcast::channel(EVENT_BACKLOG).0,
            watchers: AtomicUsize::new(0),
            next_conn: AtomicU64::new(1),
            clients: AtomicUsize::new(0),
            buffered_input: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The model is only changed through whole commands; a panic in one
        // cannot leave it in a state later commands trip over more than a
        // fresh error would.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the model, then delivers what it queued for other
    /// connections and publishes the events it recorded.
    pub fn with_model<R>(&self, f: impl FnOnce(&mut Redis) -> R) -> R {
        let mut state = self.lock();
        let result = f(&mut state.model);
        if state.model.has_outbox() {
            let State { model, mailboxes } = &mut *state;
            let mut over_limit = Vec::new();
            for delivery in model.drain_outbox() {
                let Some(mailbox) = mailboxes.get(&delivery.conn) else {
                    continue;
                };
                let unsent = mailbox
                    .unsent
                    .fetch_add(delivery.bytes.len(), Ordering::Relaxed)
                    + delivery.bytes.len();
                if unsent > MAILBOX_LIMIT || mailbox.sender.send(delivery.bytes).is_err() {
                    over_limit.push(delivery.conn);
                }
            }
            for conn in over_limit {
                // As Redis does with a pub/sub client past its output
                // limit: forget it now, and close its connection.
                tracing::warn!(conn, "redis client output over 32 MiB unread: disconnected");
                model.disconnect(conn);
                if let Some(mailbox) = mailboxes.remove(&conn) {
                    mailbox.cut.notify_one();
                }
            }
        }
        if state.model.is_recording() {
            // Sent while the model is still locked, so a watcher that
            // subscribes and takes a snapshot under the same lock
            // (`Node::watch_from`) sees each change exactly once.
            for event in state.model.drain_events() {
                // No receiver (the last watcher just left) is fine.
                let _ = self.events.send(event);
            }
        }
        drop(state);
        result
    }

    /// A new connection: its number and its mailbox.
    pub fn connect(&self) -> (ConnId, Inbox) {
        let conn = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = mpsc::unbounded_channel();
        let unsent = Arc::new(AtomicUsize::new(0));
        let cut = Arc::new(Notify::new());
        let now = unix_millis();
        {
            let mut state = self.lock();
            state.mailboxes.insert(
                conn,
                Mailbox {
                    sender,
                    unsent: Arc::clone(&unsent),
                    cut: Arc::clone(&cut),
                },
            );
        }
        self.with_model(|model| model.connect(conn, now));
        (
            conn,
            Inbox {
                receiver,
                unsent,
                cut,
            },
        )
    }

    /// A connection ended.
    pub fn disconnect(&self, conn: ConnId) {
        self.with_model(|model| model.disconnect(conn));
        self.lock().mailboxes.remove(&conn);
    }

    /// Starts watching the node's events. Dropping the [`Watch`] stops.
    pub fn watch(self: &Arc<Self>) -> Watch {
        let receiver = self.events.subscribe();
        if self.watchers.fetch_add(1, Ordering::SeqCst) == 0 {
            self.lock().model.record_events(true);
        }
        Watch {
            node: Arc::clone(self),
            receiver,
        }
    }
}

/// A subscription to the node's events.
#[derive(Debug)]
pub struct Watch {
    node: Arc<Node>,
    pub receiver: broadcast::Receiver<Event>,
}

impl Watch {
    /// Starts over from what `snapshot` reads from the model: the events
    /// still queued for this watcher are dropped, and the next one
    /// received is the first change after the snapshot. For a watcher
    /// that fell behind (`Lagged`) and for a new one.
    pub fn resync<T>(&mut self, snapshot: impl FnOnce(&Redis) -> T) -> T {
        let state = self.node.lock();
        self.receiver = self.node.events.subscribe();
        snapshot(&state.model)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if self.node.watchers.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.node.lock().model.record_events(false);
        }
    }
}

/// A node whose listener is bound but not yet accepting.
#[derive(Debug)]
pub struct BoundNode {
    pub node: Arc<Node>,
    listener: TcpListener,
}

impl BoundNode {
    /// Binds the node's listener (port 0: a free port).
    pub async fn bind(addr: SocketAddr, memory: MemoryConfig) -> Result<BoundNode, StartError> {
        let listener = bind(addr, FLAG).await?;
        let local = listener.local_addr().map_err(|source| StartError::Bind {
            addr,
            flag: FLAG,
            source,
        })?;
        Ok(BoundNode {
            node: Arc::new(Node::new(local, memory)),
            listener,
        })
    }

    /// Starts accepting clients until `shutdown` turns true, on a thread
    /// of its own: like Redis, one thread runs every command, so the
    /// model's lock is never contended and its data stay in one core's
    /// cache (measured: docs/BENCHMARKS.md, "Redis node").
    pub fn spawn(self, shutdown: watch::Receiver<bool>) -> Arc<Node> {
        let node = Arc::clone(&self.node);
        let listener = match self.listener.into_std() {
            Ok(listener) => listener,
            Err(error) => {
                tracing::error!(%error, "redis node: cannot move its listener");
                return self.node;
            }
        };
        let spawned = std::thread::Builder::new()
            .name("redis-node".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        tracing::error!(%error, "redis node: cannot start its runtime");
                        return;
                    }
                };
                runtime.block_on(async move {
                    match TcpListener::from_std(listener) {
                        Ok(listener) => run(listener, node, shutdown).await,
                        Err(error) => tracing::error!(%error, "redis node: cannot listen"),
                    }
                });
            });
        if let Err(error) = spawned {
            tracing::error!(%error, "redis node: cannot start its thread");
        }
        self.node
    }
}

async fn run(listener: TcpListener, node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    let sweeper = tokio::spawn({
        let node = Arc::clone(&node);
        async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            loop {
                tick.tick().await;
                node.with_model(|model| model.sweep(unix_millis(), SWEEP_BUDGET));
            }
        }
    });
    let for_connections = shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(connection::serve(
                        stream,
                        Arc::clone(&node),
                        for_connections.clone(),
                    ));
                }
                Err(error) => {
                    // Out of file descriptors and the like: refuse for a
                    // moment rather than spin.
                    tracing::warn!(%error, "redis node: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = async { drop(shutdown.wait_for(|stopping| *stopping).await) } => break,
        }
    }
    sweeper.abort();
}
