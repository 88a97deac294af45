//! Cache nodes under bad input and load: over-long lines, huge announced
//! sizes, binary garbage, thousands of idle connections, many busy ones;
//! start-up and shutdown. Each misbehaving client gets memcached's answer
//! (or is cut off as memcached would cut it off) and no one else notices.

mod cache_support;
mod common;

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    time::Duration,
};

use cache_support::{Client, exchange};
use common::Fanout;

/// Resident memory of a process, in KiB (Linux).
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_port_in_use_names_the_memcached_flag() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fanout"))
        .args(["serve", "--http", "127.0.0.1:0", "--memcached", &addr])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(lines[0].contains("already in use"), "{stderr}");
    assert!(lines[0].contains("--memcached"), "{stderr}");
}

#[test]
fn nodes_take_consecutive_ports_and_print_their_addresses() {
    let base = loop {
        // Four free consecutive ports.
        let probe = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = probe.local_addr().unwrap().port();
        drop(probe);
        if port < 60000 && (0..3).all(|i| TcpListener::bind(("127.0.0.1", port + i)).is_ok()) {
            break port;
        }
    };
    let addr = format!("127.0.0.1:{base}");
    let fanout = Fanout::start(&["--memcached", &addr, "--cache-nodes", "3"]);
    let ports: Vec<u16> = fanout.cache_nodes.iter().map(|a| a.port()).collect();
    assert_eq!(ports, [base, base + 1, base + 2]);
    for node in &fanout.cache_nodes {
        let mut client = Client::connect(*node);
        assert_eq!(client.call("version\r\n"), "VERSION 1.6.18-fanout\r\n");
        assert_eq!(client.stat("limit_maxbytes"), 64 << 20);
    }
}

#[test]
fn a_100_mb_line_without_newline_costs_only_that_connection() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let mut bystander = Client::connect(node);
    assert_eq!(bystander.call("set k 0 0 1\r\nx\r\n"), "STORED\r\n");

    let mut offender = TcpStream::connect(node).unwrap();
    offender
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let block = vec![b'x'; 1 << 20];
    let mut sent = 0;
    for _ in 0..100 {
        match offender.write_all(&block) {
            Ok(()) => sent += block.len(),
            Err(_) => break, // the node hung up, as memcached does
        }
    }
    assert!(sent < 100 << 20, "the node kept reading a line with no end");
    let mut rest = Vec::new();
    offender
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = offender.read_to_end(&mut rest);

    let pid = fanout.child.id();
    if let Some(rss) = rss_kib(pid) {
        assert!(rss < 200 * 1024, "resident size {rss} KiB");
    }
    assert_eq!(bystander.call("get k\r\n"), "VALUE k 0 1\r\nx\r\nEND\r\n");
}

#[test]
fn a_huge_get_line_gets_server_error_and_a_huge_size_is_swallowed() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let mut line = b"get ".to_vec();
    line.extend(std::iter::repeat_n(b"key ".as_slice(), 100_000).flatten());
    let reply = exchange(node, &line);
    assert_eq!(reply, b"SERVER_ERROR out of memory reading request\r\n");

    let mut client = Client::connect(node);
    client.send(b"set big 0 0 20000000\r\n");
    let chunk = vec![b'v'; 1 << 20];
    for _ in 0..19 {
        client.send(&chunk);
    }
    client.send(&vec![b'v'; 20_000_000 - (19 << 20)]);
    client.send(b"\r\n");
    let reply = client.read_until(b"\r\n");
    assert_eq!(reply, b"SERVER_ERROR object too large for cache\r\n");
    assert_eq!(client.call("get big\r\n"), "END\r\n");
}

#[test]
fn binary_garbage_gets_errors_and_the_connection_survives() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let mut client = Client::connect(node);
    let mut seed = 0x1234_5678_u64;
    let mut garbage = Vec::new();
    for _ in 0..500 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let byte = (seed & 0xff) as u8;
        garbage.push(if byte == b'\n' { b'?' } else { byte });
        if garbage.len() % 50 == 0 {
            garbage.extend_from_slice(b"\r\n");
        }
    }
    client.send(&garbage);
    client.send(b"\r\nmn\r\n");
    let reply = client.read_until(b"MN\r\n");
    let text = String::from_utf8_lossy(&reply);
    for line in text.lines() {
        assert!(
            line == "ERROR" || line.starts_with("CLIENT_ERROR") || line == "MN" || line == "END",
            "unexpected answer {line:?} in {text}"
        );
    }
    assert_eq!(client.call("set k 0 0 2\r\nok\r\n"), "STORED\r\n");
}

#[test]
fn thousands_of_idle_connections_and_a_busy_one() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let idle: Vec<TcpStream> = (0..2000)
        .map(|_| TcpStream::connect(node).expect("connect"))
        .collect();
    let mut client = Client::connect(node);
    assert_eq!(client.call("set k 0 0 2\r\nhi\r\n"), "STORED\r\n");
    // The kernel completes connections before the server's accept loop has
    // counted them all; wait (boundedly) for the count to catch up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut connections = client.stat("curr_connections");
    while connections < 2001 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
        connections = client.stat("curr_connections");
    }
    assert!(connections >= 2001, "{connections}");
    drop(idle);
    assert_eq!(client.call("get k\r\n"), "VALUE k 0 2\r\nhi\r\nEND\r\n");
}

#[test]
fn many_clients_at_once_see_their_own_writes() {
    let fanout = Fanout::start(&["--cache-nodes", "2"]);
    let nodes = fanout.cache_nodes.clone();
    let workers: Vec<_> = (0..32)
        .map(|worker| {
            let node = nodes[worker % nodes.len()];
            std::thread::spawn(move || {
                let mut client = Client::connect(node);
                for i in 0..200 {
                    let key = format!("w{worker}:{i}");
                    let value = format!("{}", worker * 1000 + i);
                    let set = format!("set {key} 0 0 {}\r\n{value}\r\n", value.len());
                    assert_eq!(client.call(&set), "STORED\r\n");
                    let got = client.call(&format!("get {key}\r\n"));
                    assert_eq!(
                        got,
                        format!("VALUE {key} 0 {}\r\n{value}\r\nEND\r\n", value.len())
                    );
                    assert_eq!(
                        client.call(&format!("incr n{worker} 1\r\n")),
                        "NOT_FOUND\r\n"
                    );
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a worker");
    }
    let total: u64 = nodes
        .iter()
        .map(|&node| Client::connect(node).stat("curr_items"))
        .sum();
    assert_eq!(total, 32 * 200);
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let mut request = Vec::new();
    let mut expected = Vec::new();
    for i in 0..1000 {
        request.extend_from_slice(format!("set k{i} {i} 0 1\r\n{}\r\n", i % 10).as_bytes());
        expected.extend_from_slice(b"STORED\r\n");
        request.extend_from_slice(format!("get k{i}\r\n").as_bytes());
        expected.extend_from_slice(format!("VALUE k{i} {i} 1\r\n{}\r\nEND\r\n", i % 10).as_bytes());
    }
    assert_eq!(exchange(node, &request), expected);
}

#[test]
fn sigterm_closes_the_nodes_and_their_clients() {
    let fanout = Fanout::start(&["--cache-nodes", "2"]);
    let node = fanout.cache_nodes[0];
    let mut client = TcpStream::connect(node).unwrap();
    client.write_all(b"version\r\n").unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buffer = [0u8; 64];
    let n = client.read(&mut buffer).unwrap();
    assert!(buffer[..n].starts_with(b"VERSION"));
    let status = fanout.terminate();
    assert!(status.success(), "{status}");
    // The client's connection was closed, and nothing listens any more.
    let mut rest = Vec::new();
    let _ = client.read_to_end(&mut rest);
    assert!(TcpStream::connect(node).is_err(), "the node still accepts");
}
