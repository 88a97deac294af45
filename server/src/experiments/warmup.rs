//! The warm-up experiment on a real node: the chapter's ten runs of 2,000
//! `compute_square` requests, driven here on real time by the same stepper
//! the browser's offline lab drives on virtual time
//! (`fanout_shared::cache::warmup`).
//!
//! The requests go straight to the node's cache (the same one its TCP
//! clients use), under a connection number of their own so the lab can
//! label them in the event feed. A miss costs `cost_ms` of real waiting.
//! Timers cannot sleep one millisecond accurately, so the cost is owed and
//! paid in sleeps of at least [`PACE`], and any oversleep is credited to
//! the next payment: a run's time is its requests plus misses × cost, as in
//! the chapter, without each miss rounding up to the timer's tick.
//!
//! One warm-up at a time per session, and one at a time per node (two on
//! one node would share, and so distort, each other's cache).

use std::{
    collections::BTreeSet,
    net::SocketAddr,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use fanout_shared::{
    cache::{
        ConnId, Refusal,
        warmup::{Lookup, Warmup, WarmupParams},
    },
    protocol::{ServerFrame, WarmupFrame, WarmupStart},
};
use tokio::{sync::mpsc, task::JoinHandle};

use crate::memcached::{Cluster, Node, unix_now};

/// The shortest sleep the pretend cost is paid in.
pub const PACE: Duration = Duration::from_millis(4);

/// Requests between yields, so that a run of hits (which never sleeps)
/// does not hold a runtime thread for long.
const YIELD_EVERY: u32 = 256;

/// Nodes with a warm-up running, by address (unique among bound nodes).
static BUSY: Mutex<BTreeSet<SocketAddr>> = Mutex::new(BTreeSet::new());

/// The right to run a warm-up on one node; released when dropped.
#[derive(Debug)]
struct Claim(SocketAddr);

impl Claim {
    fn take(addr: SocketAddr) -> Option<Claim> {
        let mut busy = BUSY.lock().unwrap_or_else(PoisonError::into_inner);
        // Lazily: a Claim made and dropped here would unlock a node it
        // never held (and re-lock BUSY while it is held).
        busy.insert(addr).then(|| Claim(addr))
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        BUSY.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.0);
    }
}

/// Held by both the task and the session: whoever ends the experiment
/// first (by finishing or by cancelling) releases the node at once.
type SharedClaim = Arc<Mutex<Option<Claim>>>;

fn release(claim: &SharedClaim) {
    drop(claim.lock().unwrap_or_else(PoisonError::into_inner).take());
}

#[derive(Debug)]
struct Running {
    node: usize,
    task: JoinHandle<()>,
    runs_done: Arc<AtomicU32>,
    claim: SharedClaim,
}

/// The warm-up part of one WebSocket session.
#[derive(Debug)]
pub struct WarmupSession {
    cluster: Arc<Cluster>,
    outbox: mpsc::Sender<ServerFrame>,
    running: Option<Running>,
}

impl Drop for WarmupSession {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            running.task.abort();
            release(&running.claim);
        }
    }
}

impl WarmupSession {
    /// A session part whose progress frames go to `outbox`.
    pub fn new(cluster: Arc<Cluster>, outbox: mpsc::Sender<ServerFrame>) -> WarmupSession {
        WarmupSession {
            cluster,
            outbox,
            running: None,
        }
    }

    /// Answers `warmup_start` and `warmup_cancel`.
    pub fn handle(&mut self, frame: WarmupFrame) -> ServerFrame {
        match frame {
            WarmupFrame::Start(request) => self.start(request),
            WarmupFrame::Cancel(request) => self.cancel(request.id),
        }
    }

    fn start(&mut self, request: WarmupStart) -> ServerFrame {
        if let Some(running) = &self.running
            && !running.task.is_finished()
        {
            return Refusal::WarmupRunning { node: running.node }.into_frame();
        }
        let Some(node) = self.cluster.node(request.node).cloned() else {
            let nodes = self.cluster.nodes().len();
            return Refusal::NoSuchNode {
                node: request.node,
                nodes,
            }
            .into_frame();
        };
        let params = match WarmupParams::requested(&request) {
            Ok(params) => params,
            Err(refusal) => return refusal.into_frame(),
        };
        let Some(claim) = Claim::take(node.addr) else {
            return Refusal::NodeBusy { node: request.node }.into_frame();
        };
        let seed = request.seed.unwrap_or_else(fresh_seed);
        let conn = self.cluster.next_conn_id();
        let runs_done = Arc::new(AtomicU32::new(0));
        let claim = Arc::new(Mutex::new(Some(claim)));
        let task = tokio::spawn(run(
            Arc::clone(&node),
            Warmup::new(params, seed),
            conn,
            self.outbox.clone(),
            Arc::clone(&runs_done),
            Arc::clone(&claim),
        ));
        self.running = Some(Running {
            node: request.node,
            task,
            runs_done,
            claim,
        });
        params.started_frame(request.node, seed, conn, request.id)
    }

    fn cancel(&mut self, id: Option<u64>) -> ServerFrame {
        match self.running.take() {
            Some(running) if !running.task.is_finished() => {
                running.task.abort();
                release(&running.claim);
                ServerFrame::WarmupDone {
                    node: running.node,
                    runs_done: running.runs_done.load(Ordering::Relaxed),
                    cancelled: true,
                    id,
                }
            }
            _ => Refusal::NoWarmup.into_frame(),
        }
    }
}

/// A seed for a run that did not ask for one; below 2^53 so that it
/// survives a JavaScript number.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    (nanos as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11
}

/// Pays what is owed (in µs) with one sleep; oversleep leaves a credit.
async fn pay(owed_us: &mut i64) {
    if *owed_us <= 0 {
        return;
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_micros(*owed_us as u64)).await;
    *owed_us -= i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
}

/// Runs the experiment to its end, reporting each run.
async fn run(
    node: Arc<Node>,
    mut experiment: Warmup,
    conn: ConnId,
    outbox: mpsc::Sender<ServerFrame>,
    runs_done: Arc<AtomicU32>,
    claim: SharedClaim,
) {
    let params = experiment.params();
    let cost_us = i64::from(params.cost_ms) * 1_000;
    let pace_us = PACE.as_micros() as i64;
    while !experiment.is_finished() {
        let evictions_before = node.with_cache(|cache| cache.stats().evictions);
        let started = Instant::now();
        let mut owed_us = 0i64;
        let mut since_yield = 0;
        while let Some(n) = experiment.next_n() {
            let now = unix_now();
            let lookup = node.with_cache(|cache| experiment.lookup(cache, n, now, conn));
            if lookup == Lookup::Miss {
                owed_us += cost_us;
                if owed_us >= pace_us {
                    pay(&mut owed_us).await;
                }
                node.with_cache(|cache| experiment.store(cache, n, unix_now(), conn));
            }
            since_yield += 1;
            if since_yield == YIELD_EVERY {
                since_yield = 0;
                tokio::task::yield_now().await;
            }
        }
        pay(&mut owed_us).await;
        let elapsed = started.elapsed();
        let tally = experiment.finish_run();
        runs_done.store(tally.run, Ordering::Relaxed);
        let stats = node.with_cache(|cache| cache.stats().clone());
        let frame = ServerFrame::WarmupRun {
            node: node.id,
            run: tally.run,
            runs: params.runs,
            requests: tally.requests,
            hits: tally.hits,
            misses: tally.misses,
            elapsed_us: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            compute_ms: tally.compute_ms(params.cost_ms),
            evictions: stats.evictions.saturating_sub(evictions_before),
            items: stats.curr_items,
            bytes: stats.bytes,
            limit_bytes: stats.limit_maxbytes,
        };
        if outbox.send(frame).await.is_err() {
            release(&claim);
            return;
        }
    }
    release(&claim);
    let _ = outbox
        .send(ServerFrame::WarmupDone {
            node: node.id,
            runs_done: experiment.runs_done(),
            cancelled: false,
            id: None,
        })
        .await;
}
