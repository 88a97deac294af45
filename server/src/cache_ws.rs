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
//!
//! A real memcached the server observes (`--observe-memcached`) is listed,
//! watched and snapshotted the same way under the number after the cache
//! nodes', from what its observer (`memcached::observer`) knows; every
//! request that would change it is refused.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use fanout_shared::{
    cache::{
        ConnId, EventKind, Refusal,
        lab_ops::{self, CacheOp, CacheOutcome},
    },
    protocol::{CacheFrame, CacheNodeInfo, CacheSnapshotRequest, ServerFrame},
};
use tokio::{
    sync::{broadcast::error::TryRecvError, mpsc},
    task::JoinHandle,
};

use crate::memcached::{Cluster, Node, node::Watch, observer::Observed, unix_now};

/// How long events are gathered into one frame.
pub const COALESCE: Duration = Duration::from_millis(50);

/// The most events one `cache_events` frame carries.
pub const MAX_EVENTS_PER_FRAME: usize = 500;

/// Frames the session's outbox holds before the watchers wait.
pub const OUTBOX_FRAMES: usize = 16;

/// The cache part of one session's state.
#[derive(Debug)]
pub struct CacheSession {
    cluster: Arc<Cluster>,
    observed: Arc<[Arc<Observed>]>,
    conn: ConnId,
    outbox: mpsc::Sender<ServerFrame>,
    watching: BTreeMap<usize, JoinHandle<()>>,
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
    pub fn new(
        cluster: Arc<Cluster>,
        observed: Arc<[Arc<Observed>]>,
        outbox: mpsc::Sender<ServerFrame>,
    ) -> CacheSession {
        let conn = cluster.next_conn_id();
        CacheSession {
            cluster,
            observed,
            conn,
            outbox,
            watching: BTreeMap::new(),
        }
    }

    /// Answers a cache frame.
    pub fn handle(&mut self, frame: CacheFrame) -> ServerFrame {
        let now = unix_now();
        let conn = self.conn;
        match frame {
            CacheFrame::Nodes(request) => ServerFrame::CacheNodes {
                nodes: self.cluster.nodes().iter().map(|node| info(node)).collect(),
                observed: self
                    .observed
                    .iter()
                    .map(|observed| observed.info())
                    .collect(),
                conn,
                id: request.id,
            },
            CacheFrame::Watch(request) => {
                if let Some(observed) = self.observed(request.node) {
                    if !self.watching.contains_key(&request.node) {
                        let task = tokio::spawn(forward_observed(observed, self.outbox.clone()));
                        self.watching.insert(request.node, task);
                    }
                    return ServerFrame::CacheWatching {
                        node: request.node,
                        watching: true,
                        id: request.id,
                    };
                }
                let node = match self.node(request.node) {
                    Ok(node) => node,
                    Err(error) => return error,
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
            CacheFrame::Unwatch(request) => {
                if self.observed(request.node).is_none()
                    && let Err(error) = self.node(request.node)
                {
                    return error;
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
            CacheFrame::Snapshot(CacheSnapshotRequest {
                node: node_id,
                max_items,
                id,
            }) if self.observed(node_id).is_some() => {
                let observed = self.observed(node_id).expect("checked in the guard");
                let (items, truncated, stats) = observed.snapshot(max_items.unwrap_or(1000));
                ServerFrame::CacheSnapshot {
                    node: node_id,
                    items,
                    truncated,
                    stats,
                    id,
                }
            }
            frame @ (CacheFrame::Snapshot(_)
            | CacheFrame::Get(_)
            | CacheFrame::Set(_)
            | CacheFrame::Delete(_)
            | CacheFrame::Touch(_)
            | CacheFrame::Flush(_)
            | CacheFrame::Limit(_)) => {
                let Some(node_id) = lab_ops::addressed_node(&frame) else {
                    return Refusal::NotALabOperation.into_frame();
                };
                if self.observed(node_id).is_some() {
                    return Refusal::ObservedReadOnly { node: node_id }.into_frame();
                }
                let node = match self.node(node_id) {
                    Ok(node) => node,
                    Err(error) => return error,
                };
                match node.with_cache(|cache| lab_ops::apply(cache, frame, now, conn)) {
                    Some(Ok(answer)) => answer,
                    Some(Err(refusal)) => refusal.into_frame(),
                    None => Refusal::NotALabOperation.into_frame(),
                }
            }
            CacheFrame::Restart(request) => {
                if self.observed(request.node).is_some() {
                    return Refusal::ObservedReadOnly { node: request.node }.into_frame();
                }
                let node = match self.node(request.node) {
                    Ok(node) => node,
                    Err(error) => return error,
                };
                node.restart();
                let (op, outcome) = (CacheOp::Restart, CacheOutcome::Ok);
                lab_ops::result_frame(request.node, op, None, outcome, request.id)
            }
        }
    }

    // An error here is an answer frame, built once per bad request.
    #[allow(clippy::result_large_err)]
    fn node(&self, id: usize) -> Result<Arc<Node>, ServerFrame> {
        self.cluster.node(id).cloned().ok_or_else(|| {
            let nodes = self.cluster.nodes().len() + self.observed.len();
            Refusal::NoSuchNode { node: id, nodes }.into_frame()
        })
    }

    /// Whether the server observes a real memcached (`welcome` then names
    /// the feature `observe`).
    pub fn observes(&self) -> bool {
        !self.observed.is_empty()
    }

    /// The observed memcached numbered `id`, if that is one.
    fn observed(&self, id: usize) -> Option<Arc<Observed>> {
        let index = id.checked_sub(self.cluster.nodes().len())?;
        self.observed.get(index).cloned()
    }
}

fn info(node: &Node) -> CacheNodeInfo {
    let (limit_bytes, bytes, items, bump_interval) = node.with_cache(|cache| {
        let stats = cache.stats();
        (
            stats.limit_maxbytes,
            stats.bytes,
            stats.curr_items,
            cache.bump_interval(),
        )
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
        bump_interval,
    }
}

/// Moves one node's events into the session's outbox, coalesced.
async fn forward(mut watch: Watch, node: Arc<Node>, outbox: mpsc::Sender<ServerFrame>) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        let mut events = Vec::new();
        let mut skipped = 0u64;
        match watch.receiver.recv().await {
            // memcached's log records are for a TCP `watch`, not the lab.
            Ok(event) if event.kind == EventKind::Log => continue,
            Ok(event) => events.push(event),
            Err(RecvError::Lagged(missed)) => skipped += missed,
            Err(RecvError::Closed) => return,
        }
        tokio::time::sleep(COALESCE).await;
        loop {
            match watch.receiver.try_recv() {
                Ok(event) if event.kind == EventKind::Log => {}
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

/// Moves an observed memcached's events into the session's outbox,
/// coalesced as for a node, and says when the link to it changes.
async fn forward_observed(observed: Arc<Observed>, outbox: mpsc::Sender<ServerFrame>) {
    use tokio::sync::broadcast::error::RecvError;
    let mut receiver = observed.subscribe();
    let mut link = observed.link();
    let mut said = None;
    loop {
        let now = *link.borrow_and_update();
        if said != Some(now) {
            said = Some(now);
            let frame = ServerFrame::CacheLink {
                node: observed.id,
                link: now,
            };
            if outbox.send(frame).await.is_err() {
                return;
            }
        }
        let mut events = Vec::new();
        let mut skipped = 0u64;
        tokio::select! {
            received = receiver.recv() => match received {
                Ok(event) => events.push(event),
                Err(RecvError::Lagged(missed)) => skipped += missed,
                Err(RecvError::Closed) => return,
            },
            changed = link.changed() => {
                if changed.is_err() {
                    return;
                }
                continue;
            }
        }
        tokio::time::sleep(COALESCE).await;
        loop {
            match receiver.try_recv() {
                Ok(event) if events.len() < MAX_EVENTS_PER_FRAME => events.push(event),
                Ok(_) => skipped += 1,
                Err(TryRecvError::Lagged(missed)) => skipped += missed,
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        let frame = ServerFrame::CacheEvents {
            node: observed.id,
            events,
            skipped,
            stats: observed.stats(),
        };
        if outbox.send(frame).await.is_err() {
            return;
        }
    }
}
