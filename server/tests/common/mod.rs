//! Helpers shared by the integration tests: start the real `fanout` binary
//! on free ports and talk to it over real sockets.

#![allow(dead_code)] // each test file uses a different subset

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

/// A running `fanout serve`, killed when dropped.
pub struct Fanout {
    pub child: Child,
    pub http: SocketAddr,
    /// The cache nodes' memcached addresses, node 0 first.
    pub cache_nodes: Vec<SocketAddr>,
    /// The Redis node's address, unless started with `--redis off`.
    pub redis: Option<SocketAddr>,
    /// The durable rooms' directory this harness made for it (removed
    /// when dropped); `None` when the test gave `--data-dir` itself.
    pub data_dir: Option<PathBuf>,
    /// What it printed about durable rooms (`durable rooms kept in …`).
    pub kept_line: String,
}

/// A test's own `--data-dir` across several servers, removed when
/// dropped (a failing test's too).
pub struct DataDir(pub PathBuf);

impl DataDir {
    pub fn new() -> DataDir {
        DataDir(temp_data_dir())
    }

    /// As `fanout serve --data-dir` takes it.
    pub fn arg(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh directory under the system's temporary one, for one test's
/// durable rooms (tests never share the user's own data directory).
pub fn temp_data_dir() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "fanout-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

impl Fanout {
    /// Starts `fanout serve --http 127.0.0.1:0 <extra>` and waits for its
    /// "serving on" line and its cache nodes' lines. Unless `extra` says
    /// otherwise, the cache nodes get free ports (`--memcached 127.0.0.1:0`)
    /// and so does the Redis node (`--redis 127.0.0.1:0`), so that tests can
    /// run side by side.
    pub fn start(extra: &[&str]) -> Fanout {
        Self::start_in(Path::new(env!("CARGO_MANIFEST_DIR")), extra)
    }

    /// Like [`Fanout::start`], from another working directory.
    pub fn start_in(dir: &Path, extra: &[&str]) -> Fanout {
        Self::start_with(dir, extra, &[])
    }

    /// Like [`Fanout::start`], with environment variables for the server.
    pub fn start_env(extra: &[&str], env: &[(&str, &str)]) -> Fanout {
        Self::start_with(Path::new(env!("CARGO_MANIFEST_DIR")), extra, env)
    }

    fn start_with(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Fanout {
        let mut args = vec!["serve", "--http", "127.0.0.1:0"];
        if !extra.contains(&"--memcached") {
            args.extend(["--memcached", "127.0.0.1:0"]);
        }
        if !extra.contains(&"--redis") {
            args.extend(["--redis", "127.0.0.1:0"]);
        }
        let data_dir = (!extra.contains(&"--data-dir")).then(temp_data_dir);
        let data_arg = data_dir.as_ref().map(|d| d.display().to_string());
        if let Some(dir) = &data_arg {
            args.extend(["--data-dir", dir.as_str()]);
        }
        let node_count = extra
            .iter()
            .position(|arg| *arg == "--cache-nodes")
            .and_then(|i| extra.get(i + 1))
            .map_or(4, |count| count.parse().expect("a node count"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_fanout"))
            .args(&args)
            .args(extra)
            .current_dir(dir)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the fanout binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        // Cache nodes are announced first, the web address last.
        let mut cache_nodes = Vec::with_capacity(node_count);
        let mut redis = None;
        let mut kept_line = String::new();
        let http = loop {
            let line = lines
                .next()
                .expect("fanout printed its addresses before exiting")
                .expect("stdout is readable");
            if let Some(rest) = line.strip_prefix("memcached node ") {
                let (_, addr) = rest.split_once(" on ").expect("node N on ADDR");
                cache_nodes.push(addr.parse().expect("a socket address"));
            } else if let Some(addr) = line.strip_prefix("redis node on ") {
                redis = Some(addr.parse().expect("a socket address"));
            } else if line.starts_with("durable rooms ") {
                kept_line = line;
            } else if let Some(rest) = line.split("serving on http://").nth(1) {
                break rest
                    .trim_end_matches('/')
                    .parse()
                    .expect("a socket address");
            }
        };
        assert_eq!(cache_nodes.len(), node_count, "every cache node announced");
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Fanout {
            child,
            http,
            cache_nodes,
            redis,
            data_dir,
            kept_line,
        }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.http)
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        let status = self.child.wait().expect("fanout exits");
        if let Some(dir) = self.data_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        std::mem::forget(self);
        status
    }

    /// `kill -9`: the process dies at once, as in a crash.
    pub fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL is sent");
        self.child.wait().expect("fanout exits");
    }
}

impl Drop for Fanout {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = self.data_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A minimal HTTP/1.1 GET: status code, headers (lower-cased) and body.
pub async fn http_get(addr: SocketAddr, path: &str) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a header block");
    let mut head_lines = head.lines();
    let status = head_lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers = head_lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens `/ws` without saying hello.
pub async fn ws_connect(fanout: &Fanout) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(fanout.ws_url())
        .await
        .expect("websocket upgrade");
    ws
}

/// Opens `/ws` and completes the `hello`/`welcome` exchange.
pub async fn ws_hello(fanout: &Fanout) -> Ws {
    let mut ws = ws_connect(fanout).await;
    send_json(
        &mut ws,
        &serde_json::json!({"type": "hello", "protocol": 1}),
    )
    .await;
    let welcome = recv_json(&mut ws).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    ws
}

pub async fn send_json(ws: &mut Ws, value: &Value) {
    send_text(ws, &value.to_string()).await;
}

pub async fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text)).await.expect("send");
}

/// The next text frame as JSON, within five seconds.
pub async fn recv_json(ws: &mut Ws) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s")
            .expect("the socket is open")
            .expect("a well-formed frame");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).expect("JSON text"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}
