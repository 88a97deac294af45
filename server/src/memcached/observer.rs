//! The cache lab's observer of a real memcached (`fanout serve
//! --observe-memcached HOST:PORT`): so a class can look at a real
//! deployment beside Fanout's own nodes, the server keeps two connections
//! to it. One asks `stats` every second and `lru_crawler metadump all`
//! every few seconds (the keys already there, and the ones `watch` cannot
//! tell about: expiries, and deletions before memcached 1.6.20); the
//! other sends `watch fetchers mutations evictions deletions` (without
//! `deletions` on an older memcached, which refuses it) and turns each
//! line into the lab's events.
//!
//! What lines mean is decided in `fanout_shared::cache::watch_line` and
//! `fanout_shared::cache::observed`; this file only moves bytes and keeps
//! time. It connects only to the addresses given on the command line
//! (the browser never chooses them), reads lines of at most
//! [`MAX_LINE`] bytes (a longer one is skipped and counted), keeps at most
//! [`MAX_KEYS`](fanout_shared::cache::observed::MAX_KEYS) keys, and
//! reconnects with backoff when the server goes away, reporting it
//! unreachable meanwhile.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use fanout_shared::{
    cache::{
        Event, Stats,
        observed::{MAX_KEYS, ObservedEvent, ObservedFeed, ObservedKeys},
        watch_line::{LineError, MAX_LINE, MetadumpLine, WatchLine},
    },
    protocol::{ObservedLink, ObservedNodeInfo},
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
    sync::{broadcast, watch},
    time::{Instant, MissedTickBehavior, interval, sleep, timeout},
};

use super::unix_now;

/// The flag that names an observed memcached.
pub const FLAG: &str = "--observe-memcached";

/// Events a slow lab session may fall behind by before it is told how many
/// it missed (as for Fanout's own nodes).
const FEED_CAPACITY: usize = 1024;

/// How often `stats` is asked; every [`DUMP_EVERY`]th time also the keys.
const REFRESH: Duration = Duration::from_secs(1);
const DUMP_EVERY: u32 = 5;

/// How long one request on the command connection may take, and a
/// connection attempt, before the server counts as unreachable.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// How long lines wait to be put back in `gid` order (memcached's logger
/// writes each worker thread's lines in turn) and a lookup to see whether
/// the store or delete that made it follows (logged microseconds apart).
const HOLD: Duration = Duration::from_millis(50);

/// Reconnection backoff: from the first, doubling up to the last.
const BACKOFF_FIRST: Duration = Duration::from_millis(250);
const BACKOFF_LAST: Duration = Duration::from_secs(10);

/// One observed memcached, shared by its observer task and the lab's
/// sessions.
#[derive(Debug)]
pub struct Observed {
    /// The lab's number for it (after Fanout's own nodes).
    pub id: usize,
    /// `HOST:PORT` as given.
    pub addr: String,
    known: Mutex<Known>,
    events: broadcast::Sender<Event>,
    link: watch::Sender<ObservedLink>,
}

#[derive(Debug, Default)]
struct Known {
    keys: ObservedKeys,
    stats: Stats,
}

impl Observed {
    pub fn new(id: usize, addr: String) -> Arc<Observed> {
        Arc::new(Observed {
            id,
            addr,
            known: Mutex::new(Known::default()),
            events: broadcast::channel(FEED_CAPACITY).0,
            link: watch::channel(ObservedLink::Connecting).0,
        })
    }

    /// As `cache_nodes` lists it.
    pub fn info(&self) -> ObservedNodeInfo {
        ObservedNodeInfo {
            node: self.id,
            addr: self.addr.clone(),
            link: *self.link.borrow(),
        }
    }

    /// Its events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Its link, to be told when it changes.
    pub fn link(&self) -> watch::Receiver<ObservedLink> {
        self.link.subscribe()
    }

    /// The counters of the last `stats`.
    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    /// At most `max` keys, most recently used first, how many were left
    /// out, and the counters.
    pub fn snapshot(&self, max: usize) -> (Vec<fanout_shared::cache::SnapshotItem>, u64, Stats) {
        let known = self.lock();
        let (items, left_out) = known.keys.snapshot(unix_now(), max);
        (items, left_out, known.stats.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        // A panic elsewhere cannot leave `Known` half-changed in a way
        // that matters to a view; read on.
        self.known
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn publish(&self, observed: ObservedEvent) {
        self.lock()
            .keys
            .apply(&observed.event, observed.ttl, unix_now());
        // No session watching is fine.
        let _ = self.events.send(observed.event);
    }

    fn set_link(&self, link: ObservedLink) {
        self.link.send_if_modified(|now| {
            let changed = *now != link;
            *now = link;
            changed
        });
    }
}

/// Checks a `--observe-memcached` value: `HOST:PORT` with a port number.
pub fn parse_addr(text: &str) -> Result<String, String> {
    match text.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => {
            Ok(text.to_owned())
        }
        _ => Err(format!(
            "expected HOST:PORT (such as 127.0.0.1:11211), not {text:?}"
        )),
    }
}

/// Observes `observed` until `shutdown` turns true.
pub async fn run(observed: Arc<Observed>, mut shutdown: watch::Receiver<bool>) {
    let mut backoff = BACKOFF_FIRST;
    loop {
        observed.set_link(ObservedLink::Connecting);
        tokio::select! {
            ended = observe_once(&observed, &mut backoff) => {
                tracing::info!(addr = %observed.addr, reason = %ended, "observed memcached unreachable");
            }
            _ = shutdown.wait_for(|stopping| *stopping) => return,
        }
        observed.set_link(ObservedLink::Unreachable);
        tokio::select! {
            () = sleep(backoff) => {}
            _ = shutdown.wait_for(|stopping| *stopping) => return,
        }
        backoff = (backoff * 2).min(BACKOFF_LAST);
    }
}

/// Why a session with the observed server ended.
#[derive(Debug, thiserror::Error)]
enum Ended {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("no answer within {REQUEST_DEADLINE:?}")]
    Deadline,
    #[error("it answered `{0}`")]
    Refused(String),
}

/// One session: connect, read the counters and keys, watch until
/// something fails.
async fn observe_once(observed: &Observed, backoff: &mut Duration) -> Ended {
    match observe_inner(observed, backoff).await {
        Ok(never) => match never {},
        Err(ended) => ended,
    }
}

async fn observe_inner(
    observed: &Observed,
    backoff: &mut Duration,
) -> Result<std::convert::Infallible, Ended> {
    let mut command = Lines::connect(&observed.addr).await?;
    refresh(observed, &mut command, true).await?;
    let mut watcher = Lines::connect(&observed.addr).await?;
    start_watch(&mut watcher).await?;
    observed.set_link(ObservedLink::Watching);
    *backoff = BACKOFF_FIRST;

    let mut feed = ObservedFeed::default();
    let mut ticks = interval(REFRESH);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticks.tick().await;
    let mut count = 0u32;
    // When the lines waiting to be put in order are released: [`HOLD`]
    // after the first of them arrived.
    let mut settle_at: Option<Instant> = None;
    loop {
        tokio::select! {
            line = watcher.next() => {
                match line? {
                    Line::Text(bytes) => match WatchLine::parse(bytes) {
                        Ok(WatchLine::Entry(entry)) => {
                            for event in feed.push(entry.gid, entry.record) {
                                observed.publish(event);
                            }
                        }
                        // memcached dropped lines for us: the next dump
                        // puts the keys right.
                        Ok(WatchLine::Skipped(count)) => {
                            tracing::debug!(addr = %observed.addr, count, "watch skipped lines");
                        }
                        Err(LineError::OtherType(_)) => {}
                        Err(error) => {
                            tracing::debug!(addr = %observed.addr, %error, "watch line refused");
                        }
                    },
                    Line::TooLong => {
                        tracing::debug!(addr = %observed.addr, "watch line over {MAX_LINE} bytes skipped");
                    }
                }
                if feed.waiting() && settle_at.is_none() {
                    settle_at = Some(Instant::now() + HOLD);
                }
            }
            () = async {
                match settle_at {
                    Some(deadline) => tokio::time::sleep_until(deadline).await,
                    None => std::future::pending().await,
                }
            } => {
                settle_at = None;
                for event in feed.settle() {
                    observed.publish(event);
                }
            }
            _ = ticks.tick() => {
                count += 1;
                refresh(observed, &mut command, count.is_multiple_of(DUMP_EVERY)).await?;
            }
        }
    }
}

/// Sends `watch` with every category this server knows: memcached before
/// 1.6.20 answers `ERROR` to `deletions`, and then gets the rest.
async fn start_watch(watcher: &mut Lines) -> Result<(), Ended> {
    for request in [
        &b"watch fetchers mutations evictions deletions\r\n"[..],
        b"watch fetchers mutations evictions\r\n",
    ] {
        watcher.send(request).await?;
        let answer = within(watcher.next()).await??;
        match answer {
            Line::Text(b"OK") => return Ok(()),
            Line::Text(b"ERROR") => continue,
            Line::Text(other) => return Err(Ended::Refused(short(other))),
            Line::TooLong => return Err(Ended::Refused("a line too long".into())),
        }
    }
    Err(Ended::Refused("ERROR".into()))
}

/// Reads `stats`, and with `dump` the keys, into what the lab knows.
async fn refresh(observed: &Observed, command: &mut Lines, dump: bool) -> Result<(), Ended> {
    let stats = within(read_stats(command)).await??;
    observed.lock().stats = stats;
    if dump {
        let dumped = within(read_metadump(command)).await??;
        if let Some((mut lines, left_out)) = dumped {
            observed.lock().keys.replace(&mut lines, left_out);
        }
    }
    Ok(())
}

async fn read_stats(command: &mut Lines) -> Result<Stats, Ended> {
    command.send(b"stats\r\n").await?;
    let mut stats = Stats::default();
    loop {
        match command.next().await? {
            Line::Text(b"END") => return Ok(stats),
            Line::Text(line) => {
                let mut words = line.split(|&byte| byte == b' ');
                let (Some(b"STAT"), Some(name), Some(value)) =
                    (words.next(), words.next(), words.next())
                else {
                    return Err(Ended::Refused(short(line)));
                };
                let name = String::from_utf8_lossy(name);
                if let (Some(counter), Some(value)) = (
                    stats.counter_mut(&name),
                    std::str::from_utf8(value)
                        .ok()
                        .and_then(|v| v.parse::<u64>().ok()),
                ) {
                    *counter = value;
                }
            }
            Line::TooLong => return Err(Ended::Refused("a line too long".into())),
        }
    }
}

/// The dump's items (at most `MAX_KEYS`, then how many more there were),
/// or `None` when the crawler is busy with someone else's request.
async fn read_metadump(command: &mut Lines) -> Result<Option<(Vec<MetadumpLine>, u64)>, Ended> {
    command.send(b"lru_crawler metadump all\r\n").await?;
    let mut lines = Vec::new();
    let mut left_out = 0u64;
    loop {
        match command.next().await? {
            Line::Text(b"END") => return Ok(Some((lines, left_out))),
            Line::Text(text) if text.starts_with(b"BUSY") => return Ok(None),
            // An empty cache, or a crawler switched off: no keys to list.
            Line::Text(text)
                if text.starts_with(b"NOTSTARTED")
                    || text.starts_with(b"ERROR")
                    || text.starts_with(b"CLIENT_ERROR") =>
            {
                return Ok(Some((Vec::new(), 0)));
            }
            Line::Text(text) => match MetadumpLine::parse(text) {
                Ok(line) if lines.len() < MAX_KEYS => lines.push(line),
                Ok(_) => left_out += 1,
                Err(_) => left_out += 1,
            },
            Line::TooLong => left_out += 1,
        }
    }
}

async fn within<T>(future: impl Future<Output = T>) -> Result<T, Ended> {
    timeout(REQUEST_DEADLINE, future)
        .await
        .map_err(|_| Ended::Deadline)
}

fn short(line: &[u8]) -> String {
    String::from_utf8_lossy(&line[..line.len().min(80)]).into_owned()
}

/// A line read by [`Lines::next`].
enum Line<'a> {
    /// Without its `\r\n` or `\n`.
    Text(&'a [u8]),
    /// Longer than [`MAX_LINE`]: skipped.
    TooLong,
}

/// Lines from one connection, each at most [`MAX_LINE`] bytes kept.
/// [`Lines::next`] may be cancelled (in a `select!`) without losing bytes.
struct Lines {
    reader: BufReader<TcpStream>,
    line: Vec<u8>,
    /// Inside a line already too long: drop bytes until its end.
    skipping: bool,
    /// The last line returned, to drop before the next read.
    returned: bool,
}

impl Lines {
    async fn connect(addr: &str) -> Result<Lines, Ended> {
        let stream = within(TcpStream::connect(addr)).await??;
        let _ = stream.set_nodelay(true);
        Ok(Lines {
            reader: BufReader::new(stream),
            line: Vec::new(),
            skipping: false,
            returned: false,
        })
    }

    async fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.reader.get_mut().write_all(bytes).await
    }

    async fn next(&mut self) -> std::io::Result<Line<'_>> {
        if self.returned {
            self.line.clear();
            self.returned = false;
        }
        loop {
            let buffer = self.reader.fill_buf().await?;
            if buffer.is_empty() {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let (taken, ended) = match buffer.iter().position(|&byte| byte == b'\n') {
                Some(at) => (&buffer[..at], at + 1),
                None => (buffer, 0),
            };
            let used = if ended > 0 { ended } else { taken.len() };
            if !self.skipping {
                if self.line.len() + taken.len() > MAX_LINE {
                    self.skipping = true;
                    self.line.clear();
                } else {
                    self.line.extend_from_slice(taken);
                }
            }
            self.reader.consume(used);
            if ended > 0 {
                self.returned = true;
                if std::mem::take(&mut self.skipping) {
                    return Ok(Line::TooLong);
                }
                if self.line.last() == Some(&b'\r') {
                    self.line.pop();
                }
                return Ok(Line::Text(&self.line));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::{io::AsyncWriteExt, net::TcpListener};

    use super::{Line, Lines, MAX_LINE, parse_addr};

    /// Lines cut across reads, a hostile line longer than any memcached
    /// writes, and then the next line intact.
    #[tokio::test]
    async fn lines_are_bounded_and_the_stream_goes_on() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            stream.write_all(b"OK\r").await.unwrap();
            stream.flush().await.unwrap();
            stream.write_all(b"\nkey=a exp=-1").await.unwrap();
            stream.write_all(b" la=1\n").await.unwrap();
            stream.write_all(&vec![b'x'; 3 * MAX_LINE]).await.unwrap();
            stream.write_all(b"\nEND\r\n").await.unwrap();
        });
        let mut lines = Lines::connect(&addr).await.unwrap();
        let mut seen = Vec::new();
        for _ in 0..4 {
            seen.push(match lines.next().await.unwrap() {
                Line::Text(text) => String::from_utf8_lossy(text).into_owned(),
                Line::TooLong => "<too long>".to_owned(),
            });
        }
        assert_eq!(seen, ["OK", "key=a exp=-1 la=1", "<too long>", "END"]);
        server.await.unwrap();
        assert!(
            lines.next().await.is_err(),
            "the end of the stream is an error"
        );
    }

    #[test]
    fn addresses_need_a_host_and_a_port() {
        assert!(parse_addr("127.0.0.1:11211").is_ok());
        assert!(parse_addr("cache.example:11211").is_ok());
        assert!(parse_addr("[::1]:11211").is_ok());
        assert!(parse_addr("127.0.0.1").is_err());
        assert!(parse_addr(":11211").is_err());
        assert!(parse_addr("host:0").is_err());
        assert!(parse_addr("host:99999").is_err());
    }
}
