//! The cache lab's side of a WebSocket session: listing the nodes,
//! reading and changing them, and streaming their events.
//!
//! Streaming never slows a cache. Each watched node has a small task that
//! reads the node's bounded broadcast feed, coalesces what arrived in a
//! short window into one `cache_events` frame (at most
//! [`MAX_EVENTS_PER_FRAME`] events; the rest are counted in `skipped`),
//! adds the node's exact counters, and puts the frame in the session's
//! outbox. A browser that reads slowly makes that task wait, the feed
//! overflows, and the overflow is counted in `skipped`: the cache itself
//! never waits for anyone.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use fanout_shared::{
    cache::{ConnId, KEY_MAX_LENGTH, StoreMode, StoreOutcome, expiry},
    protocol::{CacheNodeInfo, ClientFrame, ServerFrame},
};
use tokio::{
    sync::{broadcast::error::TryRecvError, mpsc},
    task::JoinHandle,
};

use crate::{
    experiments::WarmupSession,
    memcached::{Cluster, Node, node::Watch, unix_now},
};

/// How long events are gathered into one frame.
pub const COALESCE: Duration = Duration::from_millis(50);

/// The most events one `cache_events` frame carries.
pub const MAX_EVENTS_PER_FRAME: usize = 500;

/// Frames the session's outbox holds before the watchers wait.
pub const OUTBOX_FRAMES: usize = 16;

/// The smallest memory limit the lab may set.
pub const MIN_LIMIT_BYTES: u64 = 1024;

/// The cache part of one session's state.
#[derive(Debug)]
pub struct CacheSession {
    cluster: Arc<Cluster>,
    conn: ConnId,
    outbox: mpsc::Sender<ServerFrame>,
    watching: BTreeMap<usize, JoinHandle<()>>,
    /// The session's warm-up experiment (`warmup_start`, `warmup_cancel`).
    warmup: WarmupSession,
}

impl Drop for CacheSession {
    fn drop(&mut self) {
        for task in self.watching.values() {
            task.abort();
        }
    }
}

impl CacheSession {
    /// A session part whose pushed frames go to `outbox`.
    pub fn new(cluster: Arc<Cluster>, outbox: mpsc::Sender<ServerFrame>) -> CacheSession {
        let conn = cluster.next_conn_id();
        CacheSession {
            warmup: WarmupSession::new(Arc::clone(&cluster), outbox.clone()),
            cluster,
            conn,
            outbox,
            watching: BTreeMap::new(),
        }
    }

    /// Answers a cache frame; `None` for frames that are not about the cache.
    pub fn handle(&mut self, frame: ClientFrame) -> Option<ServerFrame> {
        let now = unix_now();
        let conn = self.conn;
        Some(match frame {
            ClientFrame::CacheNodes(request) => ServerFrame::CacheNodes {
                nodes: self.cluster.nodes().iter().map(|node| info(node)).collect(),
                conn,
                id: request.id,
            },
            ClientFrame::CacheWatch(request) => {
                let node = match self.node(request.node) {
                    Ok(node) => node,
                    Err(error) => return Some(error),
                };
                if !self.watching.contains_key(&request.node) {
                    let task = tokio::spawn(forward(node.watch(), node, self.outbox.clone()));
                    self.watching.insert(request.node, task);
                }
                ServerFrame::CacheWatching {
                    node: request.node,
                    watching: true,
                    id: request.id,
                }
            }
            ClientFrame::CacheUnwatch(request) => {
                if let Err(error) = self.node(request.node) {
                    return Some(error);
                }
                if let Some(task) = self.watching.remove(&request.node) {
                    task.abort();
                }
                ServerFrame::CacheWatching {
                    node: request.node,
                    watching: false,
                    id: request.id,
                }
            }
            ClientFrame::CacheSnapshot(request) => {
                let node = match self.node(request.node) {
                    Ok(node) => node,
                    Err(error) => return Some(error),
                };
                let max_items = request.max_items.unwrap_or(1000);
                let snapshot = node.with_cache(|cache| cache.snapshot(now, max_items));
                ServerFrame::CacheSnapshot {
                    node: request.node,
                    items: snapshot.items,
                    truncated: snapshot.truncated,
                    stats: snapshot.stats,
                    id: request.id,
                }
            }
            ClientFrame::CacheGet(request) => {
                let node = match self.node_and_key(request.node, &request.key) {
                    Ok(node) => node,
                    Err(error) => return Some(error),
                };
                node.with_cache(|cache| match cache.get(request.key.as_bytes(), now, conn) {
                    Some(item) => ServerFrame::CacheValue {
                        node: request.node,
                        key: request.key.clone(),
                        found: true,
                        value: Some(String::from_utf8_lossy(item.value).into_owned()),
                        flags: Some(item.flags),
                        cas: Some(item.cas),
                        ttl: item
                            .expires_at
                            .map(|_| expiry::remaining(item.expires_at, now) as u64),
                        id: request.id,
                    },
                    None => ServerFrame::CacheValue {
                        node: request.node,
                        key: request.key.clone(),
                        found: false,
                        value: None,
                        flags: None,
                        cas: None,
                        ttl: None,
                        id: request.id,
                    },
                })
            }
            ClientFrame::CacheSet(request) => {
                let node = match self.node_and_key(request.node, &request.key) {
                    Ok(node) => node,
                    Err(error) => return Some(error),
                };
                let outcome = node.with_cache(|cache| {
                    cache.store(
                        StoreMode::Set,
                        request.key.as_bytes(),
                        request.value.as_bytes(),
                        request.flags,
                        request.ttl,
                        now,
                        conn,
                    )
                });
                let outcome = match outcome {
                    StoreOutcome::Stored(_) => "stored",
                    StoreOutcome::NotStored => "not_stored",
                    StoreOutcome::Exists => "exists",
                    StoreOutcome::NotFound => "not_found",
                    StoreOutcome::TooLarge => "too_large",
                    StoreOutcome::OutOfMemory => "out_of_memory",
                };
                result(request.node, "set", Some(request.key), outcome, request.id)
            }
            ClientFrame::CacheDelete(request) => {
                let node = match self.node_and_key(request.node, &request.key) {
                    Ok(node) => node,
                    Err(error) => return Some(error),
                };
                let found =
                    node.with_cache(|cache| cache.delete(request.key.as_bytes(), now, conn));
                let outcome = if found { "deleted" } else { "not_found" };
                result(
                    request.node,
                    "delete",
                    Some(request.key),
                    outcome,
                    request.id,
                )
            }
            ClientFrame::CacheTouch(request) => {
                let node = match self.node_and_key(request.node, &request.key) {
                    Ok(node) => node,
                    Err(error) => return Some(error),
                };
                let found = node.with_cache(|cache| {
                    cache.touch(request.key.as_bytes(), request.ttl, now, conn)
                });
                let outcome = if found { "touched" } else { "not_found" };
                result(
                    request.node,
                    "touch",
                    Some(request.key),
                    outcome,
                    request.id,
                )
            }
            ClientFrame::CacheFlush(request) => {
                let node = match self.node(request.node) {
                    Ok(node) => node,
                    Err(error) => return Some(error),
                };
                node.with_cache(|cache| cache.flush_all(0, now, conn));
                result(request.node, "flush", None, "ok", request.id)
            }
            ClientFrame::CacheLimit(request) => {
                let node = match self.node(request.node) {
                    Ok(node) => node,
                    Err(error) => return Some(error),
                };
                if request.bytes < MIN_LIMIT_BYTES {
                    return Some(error(
                        format!("bytes must be at least {MIN_LIMIT_BYTES}"),
                        "bytes",
                    ));
                }
                node.with_cache(|cache| cache.set_limit(request.bytes, now, conn));
                result(request.node, "limit", None, "ok", request.id)
            }
            ClientFrame::CacheRestart(request) => {
                let node = match self.node(request.node) {
                    Ok(node) => node,
                    Err(error) => return Some(error),
                };
                node.restart();
                result(request.node, "restart", None, "ok", request.id)
            }
            frame @ (ClientFrame::WarmupStart(_) | ClientFrame::WarmupCancel(_)) => {
                return self.warmup.handle(frame);
            }
            // Hello, ping and the room frames are answered elsewhere.
            _ => return None,
        })
    }

    // An error here is an answer frame, built once per bad request.
    #[allow(clippy::result_large_err)]
    fn node(&self, id: usize) -> Result<Arc<Node>, ServerFrame> {
        self.cluster.node(id).cloned().ok_or_else(|| {
            let count = self.cluster.nodes().len();
            let message = if count == 0 {
                format!("no cache node {id}: this server runs no cache nodes (--cache-nodes 0)")
            } else {
                format!("no cache node {id}; nodes are numbered 0 to {}", count - 1)
            };
            error(message, "node")
        })
    }

    #[allow(clippy::result_large_err)]
    fn node_and_key(&self, id: usize, key: &str) -> Result<Arc<Node>, ServerFrame> {
        let node = self.node(id)?;
        if key.is_empty() || key.len() > KEY_MAX_LENGTH {
            return Err(error(
                format!(
                    "a key is 1 to {KEY_MAX_LENGTH} bytes long, this one is {}",
                    key.len()
                ),
                "key",
            ));
        }
        if key.bytes().any(|b| b == b' ' || b.is_ascii_control()) {
            return Err(error(
                "a key may not contain spaces or control characters".into(),
                "key",
            ));
        }
        Ok(node)
    }
}

fn info(node: &Node) -> CacheNodeInfo {
    let (limit_bytes, bytes, items) = node.with_cache(|cache| {
        let stats = cache.stats();
        (stats.limit_maxbytes, stats.bytes, stats.curr_items)
    });
    CacheNodeInfo {
        node: node.id,
        addr: node.addr.to_string(),
        limit_bytes,
        bytes,
        items,
        connections: node
            .counters
            .curr_connections
            .load(std::sync::atomic::Ordering::Relaxed),
    }
}

fn result(
    node: usize,
    op: &str,
    key: Option<String>,
    outcome: &str,
    id: Option<u64>,
) -> ServerFrame {
    ServerFrame::CacheResult {
        node,
        op: op.into(),
        key,
        outcome: outcome.into(),
        id,
    }
}

fn error(message: String, field: &str) -> ServerFrame {
    ServerFrame::Error {
        message,
        field: Some(field.into()),
        supported: None,
        id: None,
    }
}

/// Moves one node's events into the session's outbox, coalesced.
async fn forward(mut watch: Watch, node: Arc<Node>, outbox: mpsc::Sender<ServerFrame>) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        let mut events = Vec::new();
        let mut skipped = 0u64;
        match watch.receiver.recv().await {
            Ok(event) => events.push(event),
            Err(RecvError::Lagged(missed)) => skipped += missed,
            Err(RecvError::Closed) => return,
        }
        tokio::time::sleep(COALESCE).await;
        loop {
            match watch.receiver.try_recv() {
                Ok(event) if events.len() < MAX_EVENTS_PER_FRAME => events.push(event),
                Ok(_) => skipped += 1,
                Err(TryRecvError::Lagged(missed)) => skipped += missed,
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        let stats = node.with_cache(|cache| cache.stats().clone());
        let frame = ServerFrame::CacheEvents {
            node: node.id,
            events,
            skipped,
            stats,
        };
        if outbox.send(frame).await.is_err() {
            return;
        }
    }
}
