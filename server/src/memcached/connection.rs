//! One client connection: read bytes, parse every complete request,
//! execute each against the node's cache, write the answers in one go
//! (so pipelined requests cost one write), repeat.
//!
//! Memory per connection is bounded: the input buffer never holds more
//! than one incomplete request plus one read (a request is at most a
//! 2 KiB line, a 256 KiB get line, or a line and a 1 MiB data block), a
//! refused data block is skipped as it arrives instead of being buffered,
//! and output is sent whenever 1 MiB is pending.

use std::sync::{Arc, atomic::Ordering};

use fanout_shared::cache::{CloseReason, ConnId, Logged};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::{broadcast::error::RecvError, watch},
};

use super::{
    Ctx, Flow, Node, clock,
    crawler::{self, Crawler},
    node::Watch,
    parse::{Parse, Request, parse},
    reply, retrieval,
    retrieval::OUTPUT_HIGH_WATER,
    watch::{self as log_watch, Categories},
};

/// Bytes asked for per read.
const READ_CHUNK: usize = 16 * 1024;

/// Serves one client until it quits, hangs up, misbehaves past recovery,
/// the node restarts or the server shuts down.
///
/// The connection runs as one task, and a second task waits for the
/// shutdown and restart signals and cancels it. The signals are shared by
/// every connection of the node (and the server), and a tokio `watch`
/// takes its channel's lock each time a waiting receiver is polled: waited
/// on beside the reads, in one task, they were polled at every request,
/// taking two locks that both worker threads take. In a task of their own
/// they are polled once, then only when they fire or the connection ends
/// (alone, no measurable change: docs/BENCHMARKS.md, "Cache nodes").
pub fn spawn(
    stream: TcpStream,
    node: Arc<Node>,
    conn: ConnId,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut restarts = node.restarts();
    restarts.mark_unchanged();
    let mut serving = tokio::spawn(serve(stream, node, conn));
    tokio::spawn(async move {
        tokio::select! {
            biased;
            _ = &mut serving => return,
            _ = async { drop(shutdown.wait_for(|stopping| *stopping).await) } => {}
            _ = restarts.changed() => {}
        }
        // Cancelled, the connection's future is dropped, and its `Open`
        // says so with `CloseReason::Shutdown`.
        serving.abort();
    });
}

/// A connection while it is open: its counters and its `connevents` log
/// lines, kept right however the connection ends (also when its task is
/// cancelled by a restart or a shutdown).
struct Open {
    node: Arc<Node>,
    conn: ConnId,
    peer: std::net::SocketAddr,
    /// How it ended; a cancelled connection keeps the default, `Shutdown`.
    reason: CloseReason,
}

impl Open {
    fn new(node: Arc<Node>, conn: ConnId, peer: std::net::SocketAddr) -> Open {
        let counters = &node.counters;
        counters.curr_connections.fetch_add(1, Ordering::Relaxed);
        counters.total_connections.fetch_add(1, Ordering::Relaxed);
        node.log_connection(conn, Logged::ConnNew { peer });
        Open {
            node,
            conn,
            peer,
            reason: CloseReason::Shutdown,
        }
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        let (peer, reason) = (self.peer, self.reason);
        self.node
            .log_connection(self.conn, Logged::ConnClose { peer, reason });
        self.node
            .counters
            .curr_connections
            .fetch_sub(1, Ordering::Relaxed);
    }
}

async fn serve(mut stream: TcpStream, node: Arc<Node>, conn: ConnId) {
    let _ = stream.set_nodelay(true);
    let peer = stream
        .peer_addr()
        .unwrap_or_else(|_| std::net::SocketAddr::from(([0, 0, 0, 0], 0)));
    let mut open = Open::new(node, conn, peer);
    open.reason = match serve_inner(&mut stream, &open.node, conn).await {
        Ok(()) => CloseReason::Normal,
        Err(error) => {
            tracing::debug!(node = open.node.id, conn, %error, "connection ended");
            CloseReason::Error
        }
    };
}

async fn serve_inner(
    stream: &mut TcpStream,
    node: &Arc<Node>,
    conn: ConnId,
) -> std::io::Result<()> {
    let item_size_max = node.with_cache(|cache| cache.item_size_max());
    let mut input: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    // Bytes of a refused data block still to skip.
    let mut swallow = 0usize;
    loop {
        let mut out = answers::take();
        let mut start = 0;
        let mut flow = Flow::Continue;
        let now = clock::now();
        loop {
            if swallow > 0 {
                let skipped = swallow.min(input.len() - start);
                start += skipped;
                swallow -= skipped;
                if swallow > 0 {
                    break;
                }
            }
            let ctx = Ctx {
                conn,
                now,
                node: &node.counters,
            };
            match parse(&input[start..], item_size_max) {
                Parse::Incomplete => break,
                Parse::Close(line) => {
                    if let Some(line) = line {
                        reply::line(&mut out, line);
                    }
                    flow = Flow::Close;
                    break;
                }
                Parse::Hangup => {
                    tracing::info!(
                        node = node.id,
                        conn,
                        "hung up on an HTTP request (a web page, not a memcached client)"
                    );
                    out.clear();
                    flow = Flow::Close;
                    break;
                }
                Parse::Done(Request::Watch(categories), used) => {
                    start += used;
                    let Some(watching) = node.watch_log() else {
                        reply::line(&mut out, log_watch::TOO_MANY);
                        continue;
                    };
                    // Earlier answers go first; anything after `watch` in
                    // the same read is dropped, as memcached drops it.
                    reply::line(&mut out, "OK");
                    send(stream, node, &mut out).await?;
                    return watch_stream(stream, node, watching, categories).await;
                }
                Parse::Done(request, used) => {
                    if let Request::Swallow(refused) = &request {
                        swallow = refused.bytes;
                    }
                    if let Request::Crawler(crawler) = &request {
                        // A chunk per hold of the cache, sent as it comes.
                        match *crawler {
                            Crawler::Metadump(classes) => {
                                let mut from = 0;
                                while let Some(next) = node.with_cache(|cache| {
                                    crawler::metadump(classes, from, cache, &ctx, &mut out)
                                }) {
                                    send(stream, node, &mut out).await?;
                                    from = next;
                                }
                            }
                            Crawler::Crawl => {
                                let mut looked = 0;
                                while !node.with_cache(|cache| {
                                    crawler::crawl(&mut looked, cache, &ctx, &mut out)
                                }) {
                                    tokio::task::yield_now().await;
                                }
                            }
                        }
                    } else if let Request::Get(get) = &request {
                        let mut from = 0;
                        while let Some(next) = node.with_cache(|cache| {
                            retrieval::execute(get, from, cache, &ctx, &mut out)
                        }) {
                            send(stream, node, &mut out).await?;
                            from = next;
                        }
                    } else {
                        flow = node
                            .with_cache(|cache| super::execute(&request, cache, &ctx, &mut out));
                    }
                    start += used;
                    if flow == Flow::Close {
                        break;
                    }
                    if out.len() > OUTPUT_HIGH_WATER {
                        send(stream, node, &mut out).await?;
                    }
                }
            }
        }
        input.drain(..start);
        send(stream, node, &mut out).await?;
        if flow == Flow::Close {
            return Ok(());
        }
        // Give back the memory of a large request once it is done.
        if input.is_empty() && input.capacity() > 4 * READ_CHUNK {
            input = Vec::with_capacity(READ_CHUNK);
        }
        answers::give_back(out);
        input.reserve(READ_CHUNK);
        let read = stream.read_buf(&mut input).await?;
        if read == 0 {
            return Ok(());
        }
        node.counters
            .bytes_read
            .fetch_add(read as u64, Ordering::Relaxed);
    }
}

/// A watching connection: log lines as events happen, input ignored, until
/// the client hangs up. A watcher too slow for the node's event backlog is
/// told how many events it missed (`skipped=N`), as memcached tells it.
async fn watch_stream(
    stream: &mut TcpStream,
    node: &Node,
    mut watching: Watch,
    categories: Categories,
) -> std::io::Result<()> {
    let mut out = Vec::new();
    let mut gid = 0u64;
    let mut ignored = [0u8; 1024];
    loop {
        tokio::select! {
            received = watching.receiver.recv() => {
                let mut next = Some(received);
                while let Some(received) = next.take() {
                    match received {
                        Ok(event) => {
                            // The item's class from the node's slab classes
                            // (the client's flags are not in the event: a
                            // line assumes none, as most clients send).
                            let class_of = |key_len, value_len| {
                                node.with_cache(|cache| {
                                    u32::from(cache.placement(key_len, value_len, 0).class)
                                })
                            };
                            if log_watch::line(&mut out, &event, categories, stamp(), gid + 1, class_of) {
                                gid += 1;
                            }
                        }
                        Err(RecvError::Lagged(missed)) => {
                            out.extend_from_slice(format!("skipped={missed}\n").as_bytes());
                        }
                        Err(RecvError::Closed) => return Ok(()),
                    }
                    if out.len() < OUTPUT_HIGH_WATER {
                        next = match watching.receiver.try_recv() {
                            Ok(event) => Some(Ok(event)),
                            Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => {
                                Some(Err(RecvError::Lagged(n)))
                            }
                            Err(_) => None,
                        };
                    }
                }
                send(stream, node, &mut out).await?;
            }
            read = stream.read(&mut ignored) => {
                if read? == 0 {
                    return Ok(());
                }
            }
        }
    }
}

/// The answer buffer a worker thread's connections share, as memcached
/// 1.6 lends its buffers per worker thread rather than keeping them per
/// connection. A connection's answers are sent as soon as its batch of
/// requests is done, so between batches it holds none: with one buffer
/// per thread the bytes every answer passes through stay in the core's
/// nearest caches, where one per connection spread them over 32 buffers
/// per thread at `memcaslap -c 64` (measured in docs/BENCHMARKS.md, "The
/// method checked against itself"), and an idle connection holds 16 KiB
/// less. A connection whose send has to wait keeps the buffer it took;
/// the others take a fresh one meanwhile.
mod answers {
    use std::cell::Cell;

    use super::READ_CHUNK;

    thread_local! {
        static SPARE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    }

    /// The thread's spare buffer, or a new one if a connection has it.
    pub fn take() -> Vec<u8> {
        let out = SPARE.take();
        if out.capacity() == 0 {
            Vec::with_capacity(READ_CHUNK)
        } else {
            out
        }
    }

    /// Hands an emptied buffer back; a large one is let go, its memory
    /// returned.
    pub fn give_back(mut out: Vec<u8>) {
        if out.capacity() <= 4 * READ_CHUNK {
            out.clear();
            SPARE.set(out);
        }
    }
}

/// Now as memcached's log lines stamp it: seconds and microseconds.
fn stamp() -> (u64, u32) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (now.as_secs(), now.subsec_micros())
}

async fn send(stream: &mut TcpStream, node: &Node, out: &mut Vec<u8>) -> std::io::Result<()> {
    if out.is_empty() {
        return Ok(());
    }
    stream.write_all(out).await?;
    node.counters
        .bytes_written
        .fetch_add(out.len() as u64, Ordering::Relaxed);
    out.clear();
    Ok(())
}
