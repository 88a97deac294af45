//! Helpers for the cache nodes' integration tests: the external programs
//! they drive (real memcached, memccapable, a Python with real clients),
//! found through the variables `cargo xtask test` sets, and a raw
//! memcached-protocol client.

#![allow(dead_code)] // each test file uses a different subset

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::PathBuf,
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

/// The workspace's `target/` directory.
pub fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target")
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Real memcached on a free loopback port, killed when dropped.
pub struct Memcached {
    child: Child,
    pub addr: SocketAddr,
}

impl Memcached {
    /// Starts `memcached` with `memory_mib` and 2 threads.
    pub fn start(binary: &PathBuf, memory_mib: u64) -> Memcached {
        Self::start_with(binary, memory_mib, &[])
    }

    /// Like [`Memcached::start`], with more command-line arguments.
    pub fn start_with(binary: &PathBuf, memory_mib: u64, extra: &[&str]) -> Memcached {
        Self::start_at(binary, memory_mib, free_port(), extra)
    }

    /// Like [`Memcached::start`], on `port` (to come back where an
    /// earlier one was).
    pub fn start_on(binary: &PathBuf, memory_mib: u64, port: u16) -> Memcached {
        Self::start_at(binary, memory_mib, port, &[])
    }

    fn start_at(binary: &PathBuf, memory_mib: u64, port: u16, extra: &[&str]) -> Memcached {
        let mut command = Command::new(binary);
        command.args([
            "-l",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "0",
            "-m",
            &memory_mib.to_string(),
            "-t",
            "2",
        ]);
        command.args(extra);
        // memcached refuses to run as root without being told whom to be.
        if std::env::var("USER").as_deref() == Ok("root") || is_root() {
            command.args(["-u", "root"]);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("memcached starts");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        wait_for_port(addr);
        Memcached { child, addr }
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Drop for Memcached {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until something accepts connections at `addr`.
pub fn wait_for_port(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {addr}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends `request` on a fresh connection, half-closes, and returns every
/// byte the server sent until it closed (or went quiet for `quiet`).
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let request = request.to_vec();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(&request);
        let _ = writer.shutdown(std::net::Shutdown::Write);
    });
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let _ = sender.join();
    reply
}

/// A simple blocking text-protocol client.
pub struct Client {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Client {
            stream,
            buffer: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Reads until the reply ends with `terminator`.
    pub fn read_until(&mut self, terminator: &[u8]) -> Vec<u8> {
        let mut chunk = [0u8; 65536];
        while !self.buffer.ends_with(terminator) {
            let n = self.stream.read(&mut chunk).expect("read");
            assert!(
                n > 0,
                "connection closed; got {:?}",
                String::from_utf8_lossy(&self.buffer)
            );
            self.buffer.extend_from_slice(&chunk[..n]);
        }
        std::mem::take(&mut self.buffer)
    }

    /// Sends a command and reads one line (or up to `END` for reads).
    pub fn call(&mut self, command: &str) -> String {
        self.send(command.as_bytes());
        let terminator: &[u8] = if command.starts_with("get") || command.starts_with("stats") {
            b"END\r\n"
        } else {
            b"\r\n"
        };
        String::from_utf8_lossy(&self.read_until(terminator)).into_owned()
    }

    /// `stats` as name → value.
    pub fn stats(&mut self) -> std::collections::BTreeMap<String, String> {
        self.call("stats\r\n")
            .lines()
            .filter_map(|line| line.strip_prefix("STAT "))
            .filter_map(|line| line.split_once(' '))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect()
    }

    pub fn stat(&mut self, name: &str) -> u64 {
        self.stats()[name].parse().expect("a number")
    }
}
