//! The `fanout serve` server as a library, so integration tests and the
//! binary start it the same way.
//!
//! Layout (one file per concept, as in mini-redis):
//! - [`assets`]: the browser app embedded in the binary;
//! - [`http`]: the axum router (`/healthz`, `/ws`, the app's routes);
//! - [`ws`]: one WebSocket session speaking `fanout_shared::protocol`;
//! - [`origin`]: which pages may open it (the handshake's `Origin`);
//! - [`memcached`]: the cache nodes (memcached protocol over TCP);
//! - [`redis`]: the Redis node (RESP over TCP), Celery's broker and
//!   result backend;
//! - [`cache_ws`]: the cache lab's frames inside a WebSocket session;
//! - [`tasks_ws`]: the Tasks view's frames (Celery on the Redis node);
//! - [`experiments`]: experiments the server runs for a session (warm-up);
//! - [`rooms`], [`rooms_ws`]: live rooms running the message-pattern engine
//!   on real time, with participants over WebSocket;
//! - [`zmtp`]: real ZeroMQ programs in live rooms (ZMTP over TCP).

pub mod assets;
pub mod cache_ws;
pub mod embed;
pub mod experiments;
pub mod http;
pub mod memcached;
pub mod origin;
pub mod redis;
pub mod rooms;
pub mod rooms_ws;
pub mod sim_cli;
pub mod tasks_ws;
pub mod ws;
pub mod zmtp;

use std::{future::Future, io, net::SocketAddr, sync::Arc, time::Instant};

use axum::serve::ListenerExt;
use tokio::{net::TcpListener, sync::watch};

/// Flags of `fanout serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeConfig {
    /// Address for the web UI and the WebSocket endpoint. Use 0.0.0.0:8080 to
    /// open it to a classroom network (see the README first).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub http: SocketAddr,

    /// Address of the first memcached-protocol cache node; node i listens
    /// on port + i. With port 0 each node gets its own free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:11211")]
    pub memcached: SocketAddr,

    /// How many independent cache nodes to run.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub cache_nodes: usize,

    /// Threads serving the cache nodes' TCP connections (memcached's
    /// `-t`): each connection is served by one of them, in turn.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub cache_threads: u16,

    /// Memory limit of each cache node, in MiB (memcached's `-m`).
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub cache_memory: u64,

    /// Growth factor of each cache node's slab classes (memcached's `-f`):
    /// each class's chunk is this many times the previous one's. Greater
    /// than 1.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.25, value_parser = memcached::parse_growth_factor)]
    pub cache_growth_factor: f64,

    /// Bytes of key, value and flags the smallest slab chunk holds on top
    /// of the 48-byte item header (memcached's `-n`).
    #[arg(long, value_name = "BYTES", default_value_t = 48, value_parser = clap::value_parser!(u32).range(1..))]
    pub cache_min_chunk: u32,

    /// Seconds an item stays where it is in its LRU after a read moved it
    /// to the head: memcached moves an item at most once a minute
    /// (`ITEM_UPDATE_INTERVAL`, 60), sparing hot keys the work. 0 gives the
    /// textbook LRU, where every read moves the item.
    #[arg(long, value_name = "SECONDS", default_value_t = fanout_shared::cache::store::ITEM_UPDATE_INTERVAL)]
    pub cache_bump_interval: u64,

    /// Address of the Redis-protocol node (what Celery's Redis broker and
    /// result backend speak), or `off`. With port 0 it gets a free port.
    #[arg(long, value_name = "ADDR|off", default_value = "127.0.0.1:6379", value_parser = redis::Listen::parse)]
    pub redis: redis::Listen,

    /// Memory limit of the Redis node, in MiB (Redis's `maxmemory`).
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub redis_memory: u64,

    /// What the Redis node does when its memory is full (Redis's
    /// `maxmemory-policy`): `noeviction` refuses writes, so queued tasks
    /// are never dropped; `allkeys-lru`, `allkeys-random`, `volatile-lru`,
    /// `volatile-random`, `volatile-ttl` drop keys instead.
    #[arg(long, value_name = "POLICY", default_value = "noeviction", value_parser = redis::parse_policy)]
    pub redis_policy: fanout_shared::redis::Policy,

    /// Which sites may show the widgets (`/embed/…`) in an iframe: `*` for
    /// any, or a comma-separated list such as `https://course.example.edu`.
    /// The full app can never be framed.
    #[arg(long, value_name = "ORIGINS", default_value = "*", value_parser = embed::EmbedOrigins::parse)]
    pub embed_origins: embed::EmbedOrigins,

    /// A web origin (`http://host:port`) whose pages may open the WebSocket
    /// besides this server's own; repeat for several. Programs that send no
    /// Origin are always admitted (see docs/protocol.md).
    #[arg(long = "allow-origin", value_name = "ORIGIN", value_parser = origin::parse_origin)]
    pub allow_origins: Vec<String>,

    /// Where live rooms created with `zmtp` listen for real ZeroMQ
    /// programs: an IP address (127.0.0.1; 0.0.0.0 opens them to the
    /// network, as for the web UI), or `off`.
    #[arg(long, value_name = "IP|off", default_value = "127.0.0.1", value_parser = zmtp::ZmtpHost::parse)]
    pub zmtp: zmtp::ZmtpHost,

    /// Which port each endpoint a room exposes gets: `named` (the port the
    /// endpoint names, such as 6700 in tcp://127.0.0.1:6700, when free) or
    /// `free` (any free port; room_joined says which).
    #[arg(long, value_name = "CHOICE", value_enum, default_value = "named")]
    pub zmtp_ports: zmtp::PortChoice,

    /// A real memcached (`HOST:PORT`) for the cache lab to observe beside
    /// Fanout's own nodes, read-only: its keys (`lru_crawler metadump`)
    /// and its events (`watch`). Repeat for several. The server connects
    /// only to these addresses.
    #[arg(long = "observe-memcached", value_name = "HOST:PORT", value_parser = memcached::observer::parse_addr)]
    pub observe_memcached: Vec<String>,

    /// Where durable rooms are kept: rooms whose broker has a durable
    /// queue, with the persistent messages on its disk, so that they come
    /// back after the server stops or is killed. `off` keeps nothing.
    /// Default: `$XDG_DATA_HOME/fanout`, else `~/.local/share/fanout`.
    #[arg(long, value_name = "DIR|off")]
    pub data_dir: Option<DataDir>,

    /// Live rooms' limits (`--max-rooms`, `--room-members`, `--room-rate` …).
    #[command(flatten)]
    pub rooms: rooms::RoomLimits,
}

/// `--data-dir`: a directory, or `off`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataDir {
    Dir(std::path::PathBuf),
    Off,
}

impl std::str::FromStr for DataDir {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(if s == "off" {
            DataDir::Off
        } else {
            DataDir::Dir(s.into())
        })
    }
}

/// Why the server could not start; each names the flag that fixes it.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{addr} is already in use; choose another address with {flag} ADDR")]
    AddressInUse {
        addr: SocketAddr,
        flag: &'static str,
    },
    #[error("cannot listen on {addr} (flag {flag}): {source}")]
    Bind {
        addr: SocketAddr,
        flag: &'static str,
        source: io::Error,
    },
    #[error("{0} (flag --data-dir DIR, or --data-dir off)")]
    Store(#[from] rooms::store::StoreError),
    #[error("cannot start the cache nodes' worker threads (--cache-threads): {0}")]
    Threads(io::Error),
}

/// Binds `addr` for the service configured by `flag`, turning the common
/// failures into a sentence that names that flag.
pub async fn bind(addr: SocketAddr, flag: &'static str) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| match source.kind() {
            io::ErrorKind::AddrInUse => StartError::AddressInUse { addr, flag },
            _ => StartError::Bind { addr, flag, source },
        })
}

/// State shared by every request handler.
#[derive(Debug)]
pub struct AppState {
    pub started: Instant,
    /// Flips to `true` once when the server shuts down, so long-lived
    /// WebSocket sessions can say goodbye instead of being cut.
    pub shutdown: watch::Receiver<bool>,
    /// The cache nodes, for the cache lab's frames.
    pub cache: Arc<memcached::Cluster>,
    /// The real memcached servers the cache lab observes, numbered after
    /// the cache nodes.
    pub observed: Arc<[Arc<memcached::observer::Observed>]>,
    /// Who may frame the widgets (`--embed-origins`).
    pub embed_origins: embed::EmbedOrigins,
    /// Which other origins' pages may open `/ws` (`--allow-origin`).
    pub allowed_origins: origin::AllowedOrigins,
    /// The live rooms.
    pub rooms: Arc<rooms::Rooms>,
    /// The Redis node, unless `--redis off`.
    pub redis: Option<Arc<redis::Node>>,
}

/// A bound, not yet running server.
#[derive(Debug)]
pub struct Server {
    http_listener: TcpListener,
    http_addr: SocketAddr,
    cache_nodes: memcached::cluster::BoundCluster,
    redis_node: Option<redis::BoundNode>,
    state: Arc<AppState>,
    shutdown_tx: watch::Sender<bool>,
    kept: Kept,
}

/// What `--data-dir` came to.
#[derive(Debug, Clone)]
pub enum Kept {
    /// Durable rooms are kept in this file; so many rooms, with so many
    /// messages, came back from it.
    In {
        file: std::path::PathBuf,
        rooms: usize,
        messages: u64,
    },
    /// Nothing is kept, and why.
    Nothing(String),
}

/// Binds every listener the configuration asks for. Nothing is served until
/// [`Server::run_until`], so a failure here leaves no half-started service.
pub async fn start(config: ServeConfig) -> Result<Server, StartError> {
    let http_listener = bind(config.http, "--http").await?;
    let http_addr = http_listener
        .local_addr()
        .map_err(|source| StartError::Bind {
            addr: config.http,
            flag: "--http",
            source,
        })?;
    let node_settings = memcached::NodeSettings {
        limit_bytes: config.cache_memory.saturating_mul(1 << 20),
        slabs: fanout_shared::cache::slabs::SlabSettings {
            growth_factor: config.cache_growth_factor,
            min_chunk: config.cache_min_chunk,
        },
        bump_interval: config.cache_bump_interval,
    };
    let cache_nodes = memcached::Cluster::bind(
        config.memcached,
        config.cache_nodes,
        node_settings,
        usize::from(config.cache_threads),
    )
    .await?;
    let redis_node = match config.redis.0 {
        Some(addr) => {
            let memory = fanout_shared::redis::MemoryConfig {
                limit: config.redis_memory.saturating_mul(1 << 20),
                policy: config.redis_policy,
            };
            Some(redis::BoundNode::bind(addr, memory).await?)
        }
        None => None,
    };
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let zmtp = zmtp::ZmtpConfig {
        host: config.zmtp,
        ports: config.zmtp_ports,
    };
    let (store, off) = open_store(config.data_dir.clone())?;
    let file = store.as_ref().map(|s| s.file().to_path_buf());
    let rooms = rooms::Rooms::new(config.rooms.clone(), zmtp, shutdown_rx.clone(), store);
    let kept = match file {
        Some(file) => {
            let (count, messages) = rooms.recover()?;
            Kept::In {
                file,
                rooms: count,
                messages,
            }
        }
        None => Kept::Nothing(off),
    };
    let first_observed = cache_nodes.cluster.nodes().len();
    let observed: Arc<[_]> = config
        .observe_memcached
        .iter()
        .enumerate()
        .map(|(index, addr)| {
            memcached::observer::Observed::new(first_observed + index, addr.clone())
        })
        .collect();
    let state = Arc::new(AppState {
        started: Instant::now(),
        shutdown: shutdown_rx,
        cache: Arc::clone(&cache_nodes.cluster),
        observed,
        embed_origins: config.embed_origins.clone(),
        allowed_origins: origin::AllowedOrigins::new(&config.allow_origins),
        rooms,
        redis: redis_node.as_ref().map(|bound| Arc::clone(&bound.node)),
    });
    Ok(Server {
        http_listener,
        http_addr,
        cache_nodes,
        redis_node,
        state,
        shutdown_tx,
        kept,
    })
}

/// Opens the room store `--data-dir` names. The default directory in use
/// by another `fanout serve` (or not writable) only turns keeping off,
/// with a warning, so that a second server on one machine still starts;
/// a directory given explicitly must work.
fn open_store(
    flag: Option<DataDir>,
) -> Result<(Option<Arc<rooms::store::RoomStore>>, String), StartError> {
    match flag {
        Some(DataDir::Off) => Ok((None, "--data-dir off".into())),
        Some(DataDir::Dir(dir)) => Ok((
            Some(Arc::new(rooms::store::RoomStore::open(&dir)?)),
            String::new(),
        )),
        None => {
            let dir = rooms::store::default_dir();
            match rooms::store::RoomStore::open(&dir) {
                Ok(store) => Ok((Some(Arc::new(store)), String::new())),
                // Said on the start line (`durable rooms not kept: …`).
                Err(error) => Ok((
                    None,
                    format!("{error}; --data-dir DIR gives this server its own"),
                )),
            }
        }
    }
}

impl Server {
    /// The address the web UI is reachable at (the real port when 0 was asked).
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// The cache nodes' addresses, node 0 first.
    pub fn cache_node_addrs(&self) -> Vec<SocketAddr> {
        let nodes = self.cache_nodes.cluster.nodes();
        nodes.iter().map(|node| node.addr).collect()
    }

    /// Where durable rooms are kept, and what came back from there.
    pub fn kept(&self) -> &Kept {
        &self.kept
    }

    /// The Redis node's address, unless `--redis off`.
    pub fn redis_addr(&self) -> Option<SocketAddr> {
        self.redis_node.as_ref().map(|bound| bound.node.addr)
    }

    /// Serves until `shutdown` completes, then lets open requests finish and
    /// tells WebSocket sessions to close. Cache nodes stop accepting and
    /// close their client connections at the same moment.
    ///
    /// Prints one line per cache node on stdout first
    /// (`memcached node 0 on 127.0.0.1:11211`), so that harnesses which
    /// read the "serving on" line can read the node addresses after it.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let Server {
            http_listener,
            cache_nodes,
            redis_node,
            state,
            shutdown_tx,
            ..
        } = self;
        cache_nodes.spawn(shutdown_tx.subscribe());
        for observed in state.observed.iter() {
            tokio::spawn(memcached::observer::run(
                Arc::clone(observed),
                shutdown_tx.subscribe(),
            ));
        }
        if let Some(bound) = redis_node {
            bound.spawn(shutdown_tx.subscribe());
        }
        let app = http::router(state);
        let shutdown_tx = Arc::new(shutdown_tx);
        let notify = Arc::clone(&shutdown_tx);
        let graceful = async move {
            shutdown.await;
            tracing::info!("shutting down");
            let _ = notify.send(true);
        };
        // WebSocket frames are small and answered at once: without
        // TCP_NODELAY, Nagle's algorithm meeting delayed ACKs holds many of
        // them for up to 40 ms (a live room's latency showed it).
        let http_listener = http_listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY");
            }
        });
        if let Err(error) = axum::serve(http_listener, app)
            .with_graceful_shutdown(graceful)
            .await
        {
            tracing::error!(%error, "HTTP server stopped");
        }
    }
}

/// Completes on Ctrl-C, or on SIGTERM where there is such a thing.
///
/// The handlers are installed when this is called, not when the future is
/// first polled: a signal that arrives between the "serving on" line and the
/// first poll (a harness that stops the server as soon as it reads the
/// address) must end the server gracefully, not kill it by the default
/// action. Call it inside the runtime, before announcing the address.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            let wait = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = wait(interrupt) => {},
                _ = wait(terminate) => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
