//! Helpers for the Redis node's integration tests: Debian's real
//! `redis-server` (the oracle), found through the variable `cargo xtask
//! test` sets, and a raw RESP client that reads whole reply values.

#![allow(dead_code)] // each test file uses a different subset

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The program named by `var`, or `None` after saying why the test skips.
pub fn tool(var: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => {
            println!("skipped: {var} is not set (`cargo xtask test` sets it)");
            eprintln!("skipped: {var} is not set (`cargo xtask test` sets it)");
            None
        }
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections at `addr`.
pub fn wait_for_port(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {addr}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Real redis-server on a free loopback port, without persistence,
/// killed when dropped.
pub struct RedisServer {
    child: Child,
    pub addr: SocketAddr,
}

impl RedisServer {
    pub fn start(binary: &Path) -> RedisServer {
        let port = free_port();
        let child = Command::new(binary)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("redis-server starts");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        wait_for_port(addr);
        RedisServer { child, addr }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A RESP value as read, kept as its raw bytes and its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `+`, `-`, `:`, `,`, `#`, `_`, `(`: the whole line.
    Line(Vec<u8>),
    /// `$` and `=`: the header line and the data.
    Bulk(Vec<u8>),
    /// `*`, `%`, `~`, `>`: the tag, and the children (for `%`, keys and
    /// values alternate).
    Aggregate(u8, Vec<Value>),
    /// `*-1` / `$-1` style nulls: the line.
    Null(Vec<u8>),
}

impl Value {
    /// The bytes the server sent for this value.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::Line(line) | Value::Null(line) => {
                out.extend_from_slice(line);
                out.extend_from_slice(b"\r\n");
            }
            Value::Bulk(bytes) => out.extend_from_slice(bytes),
            Value::Aggregate(tag, children) => {
                let count = if *tag == b'%' {
                    children.len() / 2
                } else {
                    children.len()
                };
                out.push(*tag);
                out.extend_from_slice(count.to_string().as_bytes());
                out.extend_from_slice(b"\r\n");
                for child in children {
                    child.encode(out);
                }
            }
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    pub fn is_push(&self) -> bool {
        matches!(self, Value::Aggregate(b'>', _))
    }

    /// The same value with an aggregate's children sorted (for replies
    /// whose order is Redis's hash-table order). Maps sort by pair.
    pub fn sorted(&self) -> Value {
        match self {
            Value::Aggregate(b'%', children) => {
                let mut pairs: Vec<(Vec<u8>, Vec<u8>, Value, Value)> = children
                    .chunks(2)
                    .map(|pair| {
                        (
                            pair[0].bytes(),
                            pair[1].bytes(),
                            pair[0].clone(),
                            pair[1].clone(),
                        )
                    })
                    .collect();
                pairs.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
                Value::Aggregate(
                    b'%',
                    pairs.into_iter().flat_map(|(_, _, k, v)| [k, v]).collect(),
                )
            }
            Value::Aggregate(tag, children) => {
                let mut children = children.clone();
                children.sort_by_key(Value::bytes);
                Value::Aggregate(*tag, children)
            }
            other => other.clone(),
        }
    }
}

/// A blocking RESP client reading whole values.
pub struct Resp {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Resp {
    pub fn connect(addr: SocketAddr) -> Resp {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.set_nodelay(true).unwrap();
        Resp {
            stream,
            buffer: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Sends bytes, reporting a connection the server closed.
    pub fn try_send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Sends one command as a multibulk request.
    pub fn send_command(&mut self, args: &[&[u8]]) {
        self.send(&encode_command(args));
    }

    /// Sends a command and reads one value.
    pub fn call(&mut self, args: &[&str]) -> Value {
        let args: Vec<&[u8]> = args.iter().map(|arg| arg.as_bytes()).collect();
        self.send_command(&args);
        self.read_value()
    }

    fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 65536];
        match self.stream.read(&mut chunk) {
            Ok(0) => false,
            Ok(n) => {
                self.buffer.extend_from_slice(&chunk[..n]);
                true
            }
            Err(error) => panic!(
                "read failed ({error}); had {:?}",
                String::from_utf8_lossy(&self.buffer)
            ),
        }
    }

    /// Reads one complete value.
    pub fn read_value(&mut self) -> Value {
        loop {
            if let Some((value, used)) = parse(&self.buffer) {
                self.buffer.drain(..used);
                return value;
            }
            assert!(
                self.fill(),
                "connection closed; had {:?}",
                String::from_utf8_lossy(&self.buffer)
            );
        }
    }

    /// Whether the server closes the connection within `wait`, sending
    /// nothing more (what the HTTP defence must do).
    pub fn closes_silently(&mut self, wait: Duration) -> (bool, Vec<u8>) {
        self.stream.set_read_timeout(Some(wait)).unwrap();
        let mut rest = std::mem::take(&mut self.buffer);
        let mut chunk = [0u8; 4096];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return (true, rest),
                Ok(n) => rest.extend_from_slice(&chunk[..n]),
                Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => {
                    return (true, rest);
                }
                Err(_) => return (false, rest),
            }
        }
    }
}

/// `args` as a RESP multibulk request.
pub fn encode_command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn line_end(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|i| i + from)
}

/// One complete value at the front of `buf`, and its length.
pub fn parse(buf: &[u8]) -> Option<(Value, usize)> {
    let end = line_end(buf, 0)?;
    let line = &buf[..end];
    let after = end + 2;
    let tag = *line.first()?;
    let number = || -> i64 {
        std::str::from_utf8(&line[1..])
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or_else(|| panic!("bad length line {:?}", String::from_utf8_lossy(line)))
    };
    match tag {
        b'+' | b'-' | b':' | b',' | b'#' | b'_' | b'(' => Some((Value::Line(line.to_vec()), after)),
        b'$' | b'=' => {
            let len = number();
            if len < 0 {
                return Some((Value::Null(line.to_vec()), after));
            }
            let total = after + len as usize + 2;
            if buf.len() < total {
                return None;
            }
            Some((Value::Bulk(buf[..total].to_vec()), total))
        }
        b'*' | b'%' | b'~' | b'>' => {
            let count = number();
            if count < 0 {
                return Some((Value::Null(line.to_vec()), after));
            }
            let items = if tag == b'%' { count * 2 } else { count };
            let mut at = after;
            let mut children = Vec::with_capacity(items as usize);
            for _ in 0..items {
                let (child, used) = parse(&buf[at..])?;
                children.push(child);
                at += used;
            }
            Some((Value::Aggregate(tag, children), at))
        }
        other => panic!(
            "unknown RESP type byte {:?} in {:?}",
            other as char,
            String::from_utf8_lossy(buf)
        ),
    }
}
