//! What a web page can no longer do to a learner's Fanout, over real
//! sockets against the real binary:
//!
//! - make the browser send an HTTP request to a cache node whose body is
//!   memcached commands: every HTTP-looking form (any method's request
//!   line, a `Host:` line) closes the connection with nothing run, which a
//!   real `get` afterwards confirms; the rule is memcached's own, checked
//!   line by line against real memcached 1.6 where it is installed;
//! - open the WebSocket from another origin: refused with 403, unless that
//!   origin is listed with `--allow-origin`; the server's own pages and
//!   programs that send no `Origin` are admitted.

mod cache_support;
mod common;

use std::{
    io::{ErrorKind, Read, Write},
    net::{SocketAddr, TcpStream},
    time::Duration,
};

use cache_support::{Memcached, exchange, tool};
use common::{Fanout, recv_json, send_json};
use serde_json::json;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, http::HeaderValue};

/// Sends `bytes` and reads until the node hangs up; fails if it keeps the
/// connection open.
fn until_hung_up(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(bytes).expect("send");
    let mut reply = Vec::new();
    match stream.read_to_end(&mut reply) {
        Ok(_) => reply,
        // Closing with the request's body still unread makes Linux reset
        // the connection: a hang-up too.
        Err(error) if error.kind() == ErrorKind::ConnectionReset => reply,
        Err(error) => panic!(
            "the node did not hang up on {:?} ({error}); it answered {:?}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&reply)
        ),
    }
}

/// What a browser sends for `fetch(url, {method, body})`.
fn web_request(method: &str, path: &str, node: SocketAddr, body: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: {node}\r\nOrigin: http://evil.example\r\n\
         Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn web_requests_to_a_cache_node_close_it_and_run_nothing() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    assert_eq!(exchange(node, b"set kept 0 0 4\r\nsafe\r\n"), b"STORED\r\n");
    let attack = "set pwned 0 0 3\r\nyes\r\nflush_all\r\n";
    let mut forms: Vec<String> = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]
        .iter()
        .map(|method| web_request(method, "/", node, attack))
        .collect();
    forms.extend([
        web_request("POST", "/?set=1", node, attack),
        format!("GET / HTTP/1.0\r\n\r\n{attack}"),
        format!("DELETE HTTP/1.1\r\n{attack}"),
        format!("Host: {node}\r\n{attack}"),
        format!("host: {node}\r\n{attack}"),
    ]);
    for form in &forms {
        let reply = until_hung_up(node, form.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&reply),
            "",
            "nothing answered to {form:?}"
        );
        // A real memcached client, afterwards: nothing was stored or flushed.
        let after = exchange(node, b"get pwned kept\r\n");
        assert_eq!(
            String::from_utf8_lossy(&after),
            "VALUE kept 0 4\r\nsafe\r\nEND\r\n",
            "after {form:?}"
        );
    }
    // The node still serves its clients, and memcached's own commands that
    // end in HTTP/… still run.
    assert_eq!(exchange(node, b"get / HTTP/1.1\r\n"), b"END\r\n");
    assert_eq!(exchange(node, b"delete HTTP/1.1\r\n"), b"NOT_FOUND\r\n");
}

#[test]
fn web_request_lines_get_what_real_memcached_gives() {
    let Some(binary) = tool("FANOUT_MEMCACHED") else {
        return;
    };
    let oracle = Memcached::start(&binary, 64);
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let long = (0..21).map(|i| format!("t{i}")).collect::<Vec<_>>();
    let lines = [
        // memcached hangs up on these …
        "GET / HTTP/1.1".to_owned(),
        "POST / HTTP/1.1".into(),
        "PUT /path HTTP/1.1".into(),
        "DELETE HTTP/1.1".into(),
        "HEAD / HTTP/1.0".into(),
        "OPTIONS * HTTP/1.1".into(),
        "  GET / HTTP/1.1".into(),
        "GET / HTTP/1.1\t".into(),
        "FOO HTTP/2".into(),
        "FOO bar HTTP/".into(),
        "HTTP/1.1".into(),
        "mget / HTTP/1.1".into(),
        "misbehave HTTP/1.1".into(),
        format!("zz {} HTTP/1.1 w", long.join(" ")),
        // … and answers these.
        "get / HTTP/1.1".into(),
        "delete HTTP/1.1".into(),
        "gxx / HTTP/1.1".into(),
        "dummy / HTTP/1.1".into(),
        "sTATS / HTTP/1.1".into(),
        "mx / HTTP/1.1".into(),
        "X HTTP/1.1".into(),
        "FOO bar http/1.1".into(),
        "FOO HTTP/1.1 extra".into(),
        "GET /\tHTTP/1.1".into(),
        "watch / HTTP/1.1".into(),
        "lru_crawler HTTP/1.1".into(),
        "lru / HTTP/1.1".into(),
        "extstore HTTP/1.1".into(),
        "replace HTTP/1.1".into(),
        "quit HTTP/1.1".into(),
        format!("zz {} v HTTP/1.1 w", long.join(" ")),
    ];
    let mut closed = 0;
    for line in lines {
        // The `get` after the line shows whether the connection went on.
        let request = format!("{line}\r\nget nokey\r\n");
        let expected = exchange(oracle.addr, request.as_bytes());
        let actual = exchange(node, request.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&actual),
            String::from_utf8_lossy(&expected),
            "{line:?}"
        );
        closed += usize::from(expected.is_empty());
    }
    // The 14 web-request lines, and `quit HTTP/1.1`, which quits.
    assert_eq!(closed, 15, "memcached hung up where the table says");
    // Where a node differs on purpose: memcached answers a Host: line with
    // ERROR and reads on; a node hangs up (Redis's rule).
    let host = b"Host: 127.0.0.1:11211\r\nget nokey\r\n";
    assert_eq!(exchange(oracle.addr, host), b"ERROR\r\nEND\r\n");
    assert_eq!(exchange(node, host), b"");
}

/// Opens `/ws` with `origin` (none when `None`) in the handshake.
async fn handshake(
    fanout: &Fanout,
    origin: Option<&str>,
) -> Result<common::Ws, tungstenite::Error> {
    let mut request = fanout.ws_url().into_client_request().unwrap();
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", HeaderValue::from_str(origin).unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

#[tokio::test]
async fn websocket_handshakes_from_other_origins_are_refused_unless_allowed() {
    let fanout = Fanout::start(&[
        "--cache-nodes",
        "1",
        "--allow-origin",
        "http://allowed.example:3000",
        "--allow-origin",
        "https://course.example.edu",
    ]);
    for origin in [
        "http://evil.example",
        "null",
        "http://localhost:1",
        "https://allowed.example:3000",
    ] {
        match handshake(&fanout, Some(origin)).await {
            Err(tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 403, "{origin}");
                let body =
                    String::from_utf8_lossy(response.body().as_deref().unwrap_or(&[])).into_owned();
                assert!(body.contains(origin), "{origin}: {body}");
            }
            Ok(_) => panic!("{origin} was admitted"),
            Err(other) => panic!("{origin}: {other}"),
        }
    }
    let own = format!("http://{}", fanout.http);
    for origin in [
        Some(own.as_str()),
        Some("http://allowed.example:3000"),
        Some("https://course.example.edu"),
        None,
    ] {
        let mut ws = handshake(&fanout, origin)
            .await
            .unwrap_or_else(|error| panic!("{origin:?} refused: {error}"));
        send_json(&mut ws, &json!({"type": "hello", "protocol": 1})).await;
        assert_eq!(recv_json(&mut ws).await["type"], "welcome", "{origin:?}");
    }
}

#[test]
fn allow_origin_values_are_checked_at_start() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fanout"))
        .args([
            "serve",
            "--http",
            "127.0.0.1:0",
            "--allow-origin",
            "evil.example",
        ])
        .output()
        .expect("fanout runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--allow-origin"), "{stderr}");
    assert!(stderr.contains("scheme://host[:port]"), "{stderr}");
}
