//! The Redis node as clients meet it, over real sockets to the real
//! binary: redis-py's own view of it, the defences against bad input (a
//! web page speaking HTTP to it, malformed and oversized requests, a
//! subscriber that never reads, a full memory), blocking pops served first
//! come first served (compared with Debian's redis-server when present),
//! and the `--redis` flag.

mod common;
mod redis_support;

use std::{
    net::{SocketAddr, TcpListener},
    path::Path,
    process::Command,
    time::Duration,
};

use common::Fanout;
use redis_support::{RedisServer, Resp, Value, tool};

fn redis_of(fanout: &Fanout) -> SocketAddr {
    fanout.redis.expect("the redis node is on")
}

fn bulk(text: &str) -> Value {
    Value::Bulk(format!("${}\r\n{text}\r\n", text.len()).into_bytes())
}

fn line(text: &str) -> Value {
    Value::Line(text.as_bytes().to_vec())
}

#[test]
fn redis_py_works_in_both_protocols() {
    let Some(python) = tool("FANOUT_PYTHON") else {
        return;
    };
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let addr = redis_of(&fanout);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/redis_py_checks.py");
    let output = Command::new(python)
        .arg(script)
        .args([addr.ip().to_string(), addr.port().to_string()])
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("protocol 3: all checks passed"), "{stdout}");
    assert!(stdout.contains("protocol 2: all checks passed"), "{stdout}");
}

/// Sends `request` on a fresh connection; whether the server hung up
/// without a byte, and then whether key `k` exists.
fn http_is_refused(addr: SocketAddr, request: &[u8]) {
    let mut attacker = Resp::connect(addr);
    attacker.send(request);
    let (closed, sent) = attacker.closes_silently(Duration::from_secs(5));
    assert!(
        closed,
        "the connection stays open after {:?}",
        String::from_utf8_lossy(request)
    );
    assert!(
        sent.is_empty(),
        "it answered {:?}",
        String::from_utf8_lossy(&sent)
    );
    let mut client = Resp::connect(addr);
    assert_eq!(
        client.call(&["EXISTS", "k"]),
        line(":0"),
        "a command after the HTTP ran"
    );
}

#[test]
fn http_requests_are_hung_up_on_with_nothing_executed() {
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let addr = redis_of(&fanout);
    // A browser's cross-protocol POST carrying Redis commands in its body.
    http_is_refused(
        addr,
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1:6379\r\nContent-Length: 30\r\n\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
    );
    http_is_refused(
        addr,
        b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\nSET k v\r\n",
    );
    http_is_refused(addr, b"Host: example.com\r\nSET k v\r\n");
    // Other clients were never disturbed.
    let mut client = Resp::connect(addr);
    assert_eq!(client.call(&["PING"]), line("+PONG"));
}

#[test]
fn malformed_and_oversized_requests_get_redis_errors_and_a_hang_up() {
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let addr = redis_of(&fanout);
    let mut bystander = Resp::connect(addr);
    assert_eq!(bystander.call(&["SET", "safe", "1"]), line("+OK"));
    for (request, error) in [
        (
            &b"*1\r\n$16777217\r\n"[..],
            "-ERR Protocol error: invalid bulk length",
        ),
        (b"*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length"),
        (
            b"*2147483648\r\n",
            "-ERR Protocol error: invalid multibulk length",
        ),
        (b"*x\r\n", "-ERR Protocol error: invalid multibulk length"),
        (
            b"*1\r\n+PING\r\n",
            "-ERR Protocol error: expected '$', got '+'",
        ),
        (
            b"SET \"a b\r\n",
            "-ERR Protocol error: unbalanced quotes in request",
        ),
    ] {
        let mut client = Resp::connect(addr);
        client.send(request);
        assert_eq!(client.read_value(), line(error));
        let (closed, rest) = client.closes_silently(Duration::from_secs(5));
        assert!(closed && rest.is_empty(), "{rest:?}");
    }
    // A line longer than 64 KiB without a newline.
    let mut client = Resp::connect(addr);
    client.send(&vec![b'a'; 70 * 1024]);
    assert_eq!(
        client.read_value(),
        line("-ERR Protocol error: too big inline request")
    );
    // A request that keeps growing past 32 MiB is cut off.
    let mut client = Resp::connect(addr);
    let piece = vec![b'x'; 8 << 20];
    client.send(b"*5\r\n");
    let mut closed = false;
    for _ in 0..5 {
        let mut arg = format!("${}\r\n", piece.len()).into_bytes();
        arg.extend_from_slice(&piece);
        arg.extend_from_slice(b"\r\n");
        if client.try_send(&arg).is_err() {
            closed = true;
            break;
        }
    }
    if !closed {
        closed = client.closes_silently(Duration::from_secs(10)).0;
    }
    assert!(closed, "a 40 MiB request was accepted");
    // Telnet-style inline commands, and the bystander, still work.
    let mut telnet = Resp::connect(addr);
    telnet.send(b"SET inline \"two words\"\r\nGET inline\r\n");
    assert_eq!(telnet.read_value(), line("+OK"));
    assert_eq!(telnet.read_value(), bulk("two words"));
    assert_eq!(bystander.call(&["GET", "safe"]), bulk("1"));
}

fn info_field(client: &mut Resp, section: &str, field: &str) -> u64 {
    let Value::Bulk(raw) = client.call(&["INFO", section]) else {
        panic!("INFO is a bulk string in RESP2");
    };
    let text = String::from_utf8_lossy(&raw).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {text}"))
}

#[test]
fn a_full_node_refuses_writes_by_default_and_evicts_when_told_to() {
    let value = "v".repeat(10_000);
    let fanout = Fanout::start(&["--cache-nodes", "0", "--redis-memory", "1"]);
    let mut client = Resp::connect(redis_of(&fanout));
    let mut stored = 0;
    let refusal = loop {
        match client.call(&["SET", &format!("k{stored}"), &value]) {
            Value::Line(reply) if reply == b"+OK" => stored += 1,
            other => break other,
        }
        assert!(stored < 1000, "1 MiB took a thousand 10 kB values");
    };
    assert_eq!(
        refusal,
        line("-OOM command not allowed when used memory > 'maxmemory'.")
    );
    assert!(stored > 50, "only {stored} values fitted in 1 MiB");
    // Reads and deletions still work, and then writes again.
    assert_eq!(client.call(&["GET", "k0"]), bulk(&value));
    assert_eq!(client.call(&["DEL", "k0", "k1"]), line(":2"));
    assert_eq!(client.call(&["SET", "again", "1"]), line("+OK"));
    assert!(info_field(&mut client, "memory", "used_memory") <= (1 << 20) + 20_000);

    let fanout = Fanout::start(&[
        "--cache-nodes",
        "0",
        "--redis-memory",
        "1",
        "--redis-policy",
        "allkeys-lru",
    ]);
    let mut client = Resp::connect(redis_of(&fanout));
    for i in 0..300 {
        assert_eq!(client.call(&["SET", &format!("k{i}"), &value]), line("+OK"));
    }
    assert!(info_field(&mut client, "stats", "evicted_keys") > 100);
    assert!(info_field(&mut client, "memory", "used_memory") <= (1 << 20) + 20_000);
    assert_eq!(
        client.call(&["GET", "k299"]),
        bulk(&value),
        "the newest key was evicted"
    );
}

/// Three clients wait in BRPOP on one list, in order; one LPUSH of three
/// elements serves them first come, first served. Returns what each got.
fn fifo_scenario(addr: SocketAddr) -> Vec<Value> {
    let mut waiters: Vec<Resp> = (0..3).map(|_| Resp::connect(addr)).collect();
    let mut control = Resp::connect(addr);
    control.call(&["DEL", "fifo"]);
    for (i, waiter) in waiters.iter_mut().enumerate() {
        waiter.send_command(&[b"BRPOP", b"other", b"fifo", b"5"]);
        // Wait until the server has this client waiting, so the order of
        // arrival is certain.
        let mut tries = 0;
        while info_field(&mut control, "clients", "blocked_clients") < (i + 1) as u64 {
            tries += 1;
            assert!(tries < 500, "client {i} never blocked");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    assert_eq!(
        control.call(&["LPUSH", "fifo", "a", "b", "c", "d"]),
        line(":4")
    );
    let mut got: Vec<Value> = waiters.iter_mut().map(Resp::read_value).collect();
    got.push(control.call(&["LRANGE", "fifo", "0", "-1"]));
    got
}

#[test]
fn blocked_clients_are_served_first_come_first_served_as_by_redis() {
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let got = fifo_scenario(redis_of(&fanout));
    let pair = |element: &str| Value::Aggregate(b'*', vec![bulk("fifo"), bulk(element)]);
    assert_eq!(
        got,
        vec![
            pair("a"),
            pair("b"),
            pair("c"),
            Value::Aggregate(b'*', vec![bulk("d")])
        ]
    );
    if let Some(binary) = tool("FANOUT_REDIS_SERVER") {
        let redis = RedisServer::start(&binary);
        assert_eq!(
            fifo_scenario(redis.addr),
            got,
            "real Redis serves them otherwise"
        );
    }
    // A wait that times out answers a null array.
    let mut client = Resp::connect(redis_of(&fanout));
    assert_eq!(
        client.call(&["BLPOP", "nothing", "0.05"]),
        Value::Null(b"*-1".to_vec())
    );
}

#[test]
fn a_subscriber_that_never_reads_is_cut_off_and_others_go_on() {
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let addr = redis_of(&fanout);
    let mut sleepy = Resp::connect(addr);
    sleepy.send_command(&[b"SUBSCRIBE", b"news"]);
    let _confirm = sleepy.read_value();
    let mut awake = Resp::connect(addr);
    awake.send_command(&[b"SUBSCRIBE", b"news"]);
    let _confirm = awake.read_value();
    let mut publisher = Resp::connect(addr);
    let message = "m".repeat(1 << 20);
    let mut receivers = Vec::new();
    for _ in 0..64 {
        let Value::Line(count) = publisher.call(&["PUBLISH", "news", &message]) else {
            panic!("PUBLISH answers an integer");
        };
        receivers.push(count);
        // The reader keeps up.
        let got = awake.read_value();
        assert!(matches!(&got, Value::Aggregate(b'*', parts) if parts.len() == 3));
    }
    // 64 MiB went unread by `sleepy`: past its 32 MiB limit it was
    // disconnected, so later messages reach one subscriber only.
    assert_eq!(receivers.first().map(Vec::as_slice), Some(&b":2"[..]));
    assert_eq!(receivers.last().map(Vec::as_slice), Some(&b":1"[..]));
    assert_eq!(publisher.call(&["PING"]), line("+PONG"));
}

#[tokio::test]
async fn the_celery_example_is_served_and_points_at_the_default_node() {
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let (status, _, body) = common::http_get(fanout.http, "/clients/celery_tasks.py").await;
    assert_eq!(status, 200);
    assert_eq!(body, include_str!("../../static/clients/celery_tasks.py"));
    let Some(python) = tool("FANOUT_PYTHON") else {
        return;
    };
    // Importing it builds the app without connecting anywhere.
    let output = Command::new(python)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/clients"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .args([
            "-c",
            "import celery_tasks as t; print(t.app.conf.broker_url, t.add.name)",
        ])
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout.trim(), "redis://127.0.0.1:6379/0 celery_tasks.add");
}

#[test]
fn a_port_in_use_names_the_redis_flag_and_off_starts_no_node() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_fanout"))
        .args([
            "serve",
            "--http",
            "127.0.0.1:0",
            "--memcached",
            "127.0.0.1:0",
            "--redis",
            &addr,
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(lines[0].contains("already in use"), "{stderr}");
    assert!(lines[0].contains("--redis"), "{stderr}");

    let fanout = Fanout::start(&["--cache-nodes", "0", "--redis", "off"]);
    assert_eq!(fanout.redis, None);

    let output = Command::new(env!("CARGO_BIN_EXE_fanout"))
        .args(["serve", "--redis", "nowhere"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("off"));
}
