//! The cache connections' worker threads, as memcached's `-t` workers:
//! each is a single-threaded runtime with an event loop (an epoll) of its
//! own, serving the connections the nodes' accept loops hand it in turn.
//!
//! On the server's shared multi-threaded runtime a connection's wake-up
//! could land on either thread, and a parked thread was woken through a
//! futex by the one holding the event loop: a hand-off per burst of
//! requests that memcached's model, one connection pinned to one thread's
//! own loop, does not make (measured in docs/BENCHMARKS.md, "Cache node
//! throughput"). Everything else a node does (the browser's sessions, the
//! expiry sweep, accepting) stays on the shared runtime; the cache itself
//! is shared behind the node's lock either way.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use fanout_shared::cache::ConnId;
use tokio::{
    net::TcpStream,
    sync::{mpsc, watch},
};

use super::{connection, node::Node};

thread_local! {
    /// The lane this thread counts in ([`lane`]).
    static LANE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The lane of the nodes' per-class counters this thread counts in
/// (`Cache::set_lane`): worker `i` counts in lane `i + 1`, every other
/// thread (the browser's sessions, the sweep) in lane 0. With a lane each,
/// a worker's counting stays in its own core's cache.
pub fn lane() -> usize {
    LANE.get()
}

/// A connection handed to a worker.
struct Job {
    stream: std::net::TcpStream,
    node: Arc<Node>,
    conn: ConnId,
    shutdown: watch::Receiver<bool>,
}

/// The worker threads of one server's cache nodes.
#[derive(Debug)]
pub struct Workers {
    queues: Vec<mpsc::UnboundedSender<Job>>,
    next: AtomicUsize,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("conn", &self.conn).finish()
    }
}

impl Workers {
    /// Starts `threads` worker threads (at least one). A thread ends when
    /// the server drops its `Workers` and its connections are done.
    pub fn start(threads: usize) -> std::io::Result<Arc<Workers>> {
        super::clock::start();
        let mut queues = Vec::new();
        for index in 0..threads.max(1) {
            let (queue, mut jobs) = mpsc::unbounded_channel::<Job>();
            // Only the event loop: nothing a cache connection does waits on a
            // timer, and without the timer driver a worker parks and wakes
            // without reading the clock or turning a timer wheel.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()?;
            std::thread::Builder::new()
                .name(format!("cache-worker-{index}"))
                .spawn(move || {
                    LANE.set(index + 1);
                    runtime.block_on(async move {
                        while let Some(job) = jobs.recv().await {
                            // Registered with this thread's event loop.
                            match TcpStream::from_std(job.stream) {
                                Ok(stream) => {
                                    connection::spawn(
                                        stream,
                                        job.node,
                                        job.conn,
                                        job.shutdown,
                                    );
                                }
                                Err(error) => {
                                    tracing::warn!(conn = job.conn, %error, "cannot serve a connection");
                                }
                            }
                        }
                    });
                })?;
            queues.push(queue);
        }
        Ok(Arc::new(Workers {
            queues,
            next: AtomicUsize::new(0),
        }))
    }

    /// Hands an accepted connection to the next worker in turn.
    pub fn serve(
        &self,
        stream: TcpStream,
        node: Arc<Node>,
        conn: ConnId,
        shutdown: watch::Receiver<bool>,
    ) {
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(error) => {
                tracing::warn!(conn, %error, "cannot hand a connection to a worker");
                return;
            }
        };
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.queues.len();
        let job = Job {
            stream,
            node,
            conn,
            shutdown,
        };
        if self.queues[turn].send(job).is_err() {
            tracing::warn!(conn, "a cache worker thread is gone");
        }
    }
}
