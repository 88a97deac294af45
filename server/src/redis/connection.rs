//! One Redis client: read bytes, decode every complete request, run each
//! in the model, write the replies of a whole pipelined batch in one go,
//! repeat. Bytes the model queued for this client (published messages, an
//! element for its BRPOP) arrive through its mailbox and are written in
//! order with its own replies.
//!
//! Memory per connection is bounded: an unfinished request may hold at
//! most [`QUERY_LIMIT`] bytes (Redis closes such a client too, at 1 GB),
//! all connections together at most [`INPUT_BUDGET`], replies are sent
//! whenever 1 MiB is pending, and the mailbox has its own limit.

use std::{
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

use fanout_shared::redis::{ConnId, Decoded, Decoder, Flow, Limits};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::watch,
};

use super::{
    node::{INPUT_BUDGET, Inbox, MAX_CLIENTS, Node},
    unix_millis,
};

/// Bytes asked for per read.
const READ_CHUNK: usize = 16 * 1024;

/// The most bytes one unfinished request may hold: two of the longest
/// bulk strings and change.
pub const QUERY_LIMIT: usize = 32 << 20;

/// Pending replies are written once they pass this many bytes.
const OUTPUT_HIGH_WATER: usize = 1 << 20;

/// Serves one client until it quits, hangs up, misbehaves past recovery
/// or the server shuts down.
pub async fn serve(mut stream: TcpStream, node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    if node.clients.fetch_add(1, Ordering::SeqCst) >= MAX_CLIENTS {
        let _ = stream
            .write_all(b"-ERR max number of clients reached\r\n")
            .await;
        node.clients.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    let (conn, inbox) = node.connect();
    let cut = Arc::clone(&inbox.cut);
    let mut session = Session {
        node: &node,
        conn,
        inbox,
        input: Vec::with_capacity(READ_CHUNK),
        accounted: 0,
        out: Vec::with_capacity(READ_CHUNK),
    };
    let result = tokio::select! {
        biased;
        result = session.run(&mut stream) => result,
        () = cut.notified() => Ok(()),
        _ = async { drop(shutdown.wait_for(|stopping| *stopping).await) } => Ok(()),
    };
    if let Err(error) = result {
        tracing::debug!(conn, %error, "redis connection ended");
    }
    node.buffered_input
        .fetch_sub(session.accounted, Ordering::Relaxed);
    node.disconnect(conn);
    node.clients.fetch_sub(1, Ordering::SeqCst);
}

/// Why reading stopped.
#[derive(Debug, PartialEq, Eq)]
enum Stop {
    /// Keep going.
    No,
    /// The client hung up or must be hung up on.
    Close,
}

struct Session<'a> {
    node: &'a Node,
    conn: ConnId,
    inbox: Inbox,
    input: Vec<u8>,
    /// Bytes of `input` counted in the node's `buffered_input`.
    accounted: usize,
    out: Vec<u8>,
}

impl Session<'_> {
    async fn run(&mut self, stream: &mut TcpStream) -> std::io::Result<()> {
        let mut decoder = Decoder::new(Limits::default());
        loop {
            let mut start = 0;
            let mut stop = Stop::No;
            loop {
                match decoder.decode(&self.input[start..]) {
                    Decoded::Incomplete => break,
                    Decoded::Skip(used) => start += used,
                    Decoded::Error(error) => {
                        self.out.push(b'-');
                        self.out.extend_from_slice(error.to_string().as_bytes());
                        self.out.extend_from_slice(b"\r\n");
                        stop = Stop::Close;
                        break;
                    }
                    Decoded::Request(args, used) => {
                        self.inbox.drain_into(&mut self.out);
                        let flow = {
                            let argv: Vec<&[u8]> = args.iter().map(|arg| arg.as_ref()).collect();
                            let now = unix_millis();
                            let (conn, out) = (self.conn, &mut self.out);
                            self.node
                                .with_model(|model| model.handle(conn, &argv, now, out))
                        };
                        drop(args);
                        start += used;
                        match flow {
                            Flow::Continue => {}
                            Flow::Close => {
                                stop = Stop::Close;
                                break;
                            }
                            Flow::SecurityAttack => {
                                tracing::warn!(
                                    conn = self.conn,
                                    "Possible SECURITY ATTACK detected: a client sent HTTP to the redis node; connection closed"
                                );
                                return Ok(());
                            }
                            Flow::Blocked { deadline } => {
                                self.consume(start);
                                start = 0;
                                send(stream, &mut self.out).await?;
                                if self.wait(stream, deadline).await? == Stop::Close {
                                    return Ok(());
                                }
                            }
                        }
                        if self.out.len() > OUTPUT_HIGH_WATER {
                            send(stream, &mut self.out).await?;
                        }
                    }
                }
            }
            self.consume(start);
            send(stream, &mut self.out).await?;
            if stop == Stop::Close {
                return Ok(());
            }
            // Give back the memory of a large request once it is done.
            if self.input.is_empty() && self.input.capacity() > 4 * READ_CHUNK {
                self.input = Vec::with_capacity(READ_CHUNK);
            }
            if self.out.capacity() > 4 * READ_CHUNK {
                self.out = Vec::with_capacity(READ_CHUNK);
            }
            tokio::select! {
                read = read_more(self.node, self.conn, &mut self.input, &mut self.accounted, stream) => {
                    if read? == Stop::Close {
                        return Ok(());
                    }
                }
                pushed = self.inbox.receiver.recv() => {
                    let Some(bytes) = pushed else {
                        // The node closed the mailbox: output over limit.
                        return Ok(());
                    };
                    self.inbox.taken(&bytes);
                    self.out.extend_from_slice(&bytes);
                    self.inbox.drain_into(&mut self.out);
                    send(stream, &mut self.out).await?;
                }
            }
        }
    }

    /// Drops the first `used` bytes of input (requests done).
    fn consume(&mut self, used: usize) {
        if used == 0 {
            return;
        }
        self.input.drain(..used);
        let released = used.min(self.accounted);
        self.accounted -= released;
        self.node
            .buffered_input
            .fetch_sub(released, Ordering::Relaxed);
    }

    /// Waits in BLPOP & co. until an element arrives through the mailbox,
    /// the deadline passes, or the client goes away. Input that arrives
    /// meanwhile is kept for after the wait, as Redis keeps it.
    async fn wait(
        &mut self,
        stream: &mut TcpStream,
        deadline: Option<u64>,
    ) -> std::io::Result<Stop> {
        let sleep = async {
            match deadline {
                Some(at) => {
                    let left = at.saturating_sub(unix_millis());
                    tokio::time::sleep(Duration::from_millis(left)).await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::pin!(sleep);
        let mut timed_out = false;
        loop {
            tokio::select! {
                pushed = self.inbox.receiver.recv() => {
                    let Some(bytes) = pushed else {
                        return Ok(Stop::Close);
                    };
                    self.inbox.taken(&bytes);
                    self.out.extend_from_slice(&bytes);
                    // A RESP3 client may be subscribed while it waits: a
                    // message is not the end of the wait, an element is.
                    let conn = self.conn;
                    let still = self.node.with_model(|model| {
                        model.client(conn).is_some_and(|client| client.blocked.is_some())
                    });
                    send(stream, &mut self.out).await?;
                    if !still {
                        return Ok(Stop::No);
                    }
                }
                () = &mut sleep, if !timed_out => {
                    timed_out = true;
                    let conn = self.conn;
                    let out = &mut self.out;
                    if self.node.with_model(|model| model.time_out(conn, out)) {
                        send(stream, &mut self.out).await?;
                        return Ok(Stop::No);
                    }
                    // Served just before the deadline: the element is in
                    // the mailbox; the next turn takes it.
                }
                read = read_more(self.node, self.conn, &mut self.input, &mut self.accounted, stream) => {
                    if read? == Stop::Close {
                        return Ok(Stop::Close);
                    }
                }
            }
        }
    }
}

/// Reads more input; `Close` at end of stream or past the limits.
async fn read_more(
    node: &Node,
    conn: ConnId,
    input: &mut Vec<u8>,
    accounted: &mut usize,
    stream: &mut TcpStream,
) -> std::io::Result<Stop> {
    input.reserve(READ_CHUNK);
    let read = stream.read_buf(input).await?;
    if read == 0 {
        return Ok(Stop::Close);
    }
    *accounted += read;
    let total = node.buffered_input.fetch_add(read, Ordering::Relaxed) + read;
    if input.len() > QUERY_LIMIT {
        tracing::warn!(conn, "redis client query buffer over 32 MiB: closed");
        return Ok(Stop::Close);
    }
    if total > INPUT_BUDGET && input.len() > READ_CHUNK {
        tracing::warn!(
            conn,
            "redis node's buffered input over 256 MiB: closed a client holding {} bytes",
            input.len()
        );
        return Ok(Stop::Close);
    }
    Ok(Stop::No)
}

async fn send(stream: &mut TcpStream, out: &mut Vec<u8>) -> std::io::Result<()> {
    if out.is_empty() {
        return Ok(());
    }
    stream.write_all(out).await?;
    out.clear();
    Ok(())
}
