//! Load on a live room over real WebSockets (numbers for
//! `docs/BENCHMARKS.md`, "Live broker"; never a timed test).
//!
//! ```sh
//! cargo bench -p fanout-server --bench rooms_load -- pipeline --participants 200 --rate 20000 --seconds 60
//! FANOUT_PYTHON=$PWD/target/python/bin/python cargo bench -p fanout-server --bench rooms_load -- pair
//! ```
//!
//! `pipeline`: one room; one participant is the ventilator (a PUSH that
//! binds `tcp://tasks`), one the sink (a PULL that binds `tcp://results`),
//! all the others workers (PULL from the ventilator with automatic
//! receiving, PUSH every message on to the sink). The ventilator sends
//! `rate` messages a second in 1 ms batches, each stamped with the time it
//! was handed to the WebSocket; the sink reads the stamp back, so latency
//! is end to end across four WebSocket hops and two engine pipes. At the
//! end every message the ventilator's PUSH accepted must have reached the
//! sink exactly once: PUSH/PULL loses nothing while every peer stays.
//!
//! `pair`: one PUSH participant and one PULL participant, as fast as they
//! go (100-byte messages), beside pyzmq PUSH→PULL over loopback TCP
//! (`zmq_push_pull.py`, needs `FANOUT_PYTHON`).
//!
//! The server is this build's `fanout serve` started here on free ports,
//! or `--server PATH` to start another build of it (to compare two builds
//! under the same load generator), or `--url ws://…` to use a running one.
//! The server's CPU time is read from `/proc/<pid>/stat` (utime + stime)
//! over the sending, and reported per message.

use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

struct Args {
    mode: String,
    participants: usize,
    rate: u64,
    seconds: u64,
    url: Option<String>,
    server: Option<String>,
    pair_messages: u64,
}

fn parse_args() -> Option<Args> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if !raw.iter().any(|a| a == "--bench") {
        // `cargo test --benches` runs this too; measuring is for `cargo bench`.
        println!("rooms_load: run with `cargo bench -p fanout-server --bench rooms_load -- MODE`");
        return None;
    }
    let mut args = Args {
        mode: "pipeline".into(),
        participants: 200,
        rate: 20_000,
        seconds: 60,
        url: None,
        server: None,
        pair_messages: 200_000,
    };
    let mut it = raw.into_iter().filter(|a| a != "--bench");
    while let Some(a) = it.next() {
        let mut value = || it.next().expect("a value after the flag");
        match a.as_str() {
            "--participants" => args.participants = value().parse().expect("a number"),
            "--rate" => args.rate = value().parse().expect("a number"),
            "--seconds" => args.seconds = value().parse().expect("a number"),
            "--url" => args.url = Some(value()),
            "--server" => args.server = Some(value()),
            "--messages" => args.pair_messages = value().parse().expect("a number"),
            "pipeline" | "pair" => args.mode = a,
            other => panic!("unknown argument {other}"),
        }
    }
    Some(args)
}

/// A `fanout serve` started for the measurement, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(binary: Option<&str>) -> Server {
    use std::io::{BufRead, BufReader};
    let binary = binary.unwrap_or(env!("CARGO_BIN_EXE_fanout"));
    let mut child = Command::new(binary)
        .args([
            "serve",
            "--http",
            "127.0.0.1:0",
            "--cache-nodes",
            "0",
            "--redis",
            "off",
            "--room-rate",
            "1000000",
            "--room-members",
            "1000",
            "--room-message-bytes",
            "1000",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("fanout starts");
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let addr = loop {
        let line = lines.next().expect("a line").expect("readable");
        if let Some(rest) = line.split("serving on http://").nth(1) {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        url: format!("ws://{addr}/ws"),
    }
}

/// CPU seconds (user + system) a process has used so far.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(") ")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

async fn connect(url: &str) -> Ws {
    // TCP_NODELAY, as browsers and Python's asyncio set it.
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(8 * 1024);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
        .await
        .expect("websocket");
    send(
        &mut ws,
        json!({"type": "hello", "protocol": 1, "client": "rooms_load"}),
    )
    .await;
    let welcome = recv(&mut ws).await;
    assert_eq!(welcome["type"], "welcome");
    ws
}

async fn send(ws: &mut Ws, frame: Value) {
    ws.send(Message::text(frame.to_string()))
        .await
        .expect("send");
}

async fn recv(ws: &mut Ws) -> Value {
    loop {
        match ws.next().await.expect("open").expect("frame") {
            Message::Text(t) => return serde_json::from_str(&t).expect("json"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Sends a request and waits for the frame with its id.
async fn request(ws: &mut Ws, mut frame: Value, id: u64) -> Value {
    frame["id"] = json!(id);
    send(ws, frame).await;
    loop {
        let f = recv(ws).await;
        if f["id"] == json!(id) {
            assert_ne!(f["type"], "error", "{f}");
            return f;
        }
    }
}

fn scenario(hwm: u32) -> Value {
    json!({"name": "load", "network": {"sndhwm": hwm, "rcvhwm": hwm},
           "nodes": [{"name": "host", "program": {"kind": "external"}, "sockets": []}]})
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// A worker: results go on as they come; EAGAIN retries.
async fn worker(mut ws: Ws, name: String, stop: Arc<AtomicBool>, forwarded: Arc<AtomicU64>) {
    let mut next_id = 1_000u64;
    let mut waiting: HashMap<u64, Vec<Value>> = HashMap::new();
    let mut retry: Vec<Value> = Vec::new();
    loop {
        if !retry.is_empty() {
            let payloads = std::mem::take(&mut retry);
            next_id += 1;
            send(
                &mut ws,
                json!({"type": "send", "node": name, "socket": "out", "payloads": payloads, "id": next_id}),
            )
            .await;
            waiting.insert(next_id, payloads);
        }
        let frame = match tokio::time::timeout(Duration::from_millis(200), ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str::<Value>(&t).expect("json"),
            Ok(Some(Ok(_))) => continue,
            Ok(_) => return,
            Err(_) => {
                if stop.load(Ordering::Relaxed) && waiting.is_empty() {
                    return;
                }
                continue;
            }
        };
        match frame["type"].as_str() {
            Some("received") => {
                let payloads: Vec<Value> = frame["messages"]
                    .as_array()
                    .expect("messages")
                    .iter()
                    .map(|m| m["payload"].clone())
                    .collect();
                next_id += 1;
                send(
                    &mut ws,
                    json!({"type": "send", "node": name, "socket": "out", "payloads": payloads, "id": next_id}),
                )
                .await;
                waiting.insert(next_id, payloads);
            }
            Some("sent") => {
                let id = frame["id"].as_u64().expect("id");
                let mut payloads = waiting.remove(&id).expect("a pending send");
                let went = frame["msgs"].as_array().expect("msgs").len();
                forwarded.fetch_add(went as u64, Ordering::Relaxed);
                if went < payloads.len() {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    retry.extend(payloads.drain(went..));
                }
            }
            Some("error") => panic!("worker {name}: {frame}"),
            _ => {}
        }
    }
}

async fn pipeline(args: &Args, url: &str, server_pid: Option<u32>) {
    let workers = args.participants.saturating_sub(2).max(1);
    let mut vent = connect(url).await;
    let joined = request(
        &mut vent,
        json!({"type": "room_create", "scenario": scenario(1000), "seed": 1, "name": "vent"}),
        1,
    )
    .await;
    let code = joined["room"].as_str().expect("code").to_owned();
    request(
        &mut vent,
        json!({"type": "node_add", "name": "vent",
               "sockets": [{"name": "out", "type": "PUSH", "bind": ["tcp://tasks"]}]}),
        2,
    )
    .await;
    let mut sink = connect(url).await;
    request(
        &mut sink,
        json!({"type": "room_join", "room": code, "name": "sink"}),
        1,
    )
    .await;
    request(
        &mut sink,
        json!({"type": "node_add", "name": "sink", "auto_recv": true,
               "sockets": [{"name": "in", "type": "PULL", "bind": ["tcp://results"]}]}),
        2,
    )
    .await;
    let stop = Arc::new(AtomicBool::new(false));
    let forwarded = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for i in 0..workers {
        let mut ws = connect(url).await;
        let name = format!("w{i}");
        request(
            &mut ws,
            json!({"type": "room_join", "room": code, "name": name}),
            1,
        )
        .await;
        request(
            &mut ws,
            json!({"type": "node_add", "name": name, "auto_recv": true,
                   "sockets": [{"name": "in", "type": "PULL", "connect": ["tcp://tasks"]},
                               {"name": "out", "type": "PUSH", "connect": ["tcp://results"]}]}),
            2,
        )
        .await;
        tasks.push(tokio::spawn(worker(
            ws,
            name,
            Arc::clone(&stop),
            Arc::clone(&forwarded),
        )));
    }
    // Every worker's handshake completes a millisecond after its connect.
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!(
        "room {code}: 1 ventilator, {workers} workers, 1 sink = {} participants",
        workers + 2
    );

    let origin = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::<u64>::with_capacity(
        (args.rate * args.seconds) as usize,
    )));
    let seen = Arc::new(Mutex::new(vec![
        0u8;
        (args.rate * (args.seconds + 5)) as usize
    ]));
    let sink_done = Arc::new(AtomicBool::new(false));
    let sink_task = {
        let latencies = Arc::clone(&latencies);
        let seen = Arc::clone(&seen);
        let sink_done = Arc::clone(&sink_done);
        tokio::spawn(async move {
            loop {
                let frame =
                    match tokio::time::timeout(Duration::from_millis(200), sink.next()).await {
                        Ok(Some(Ok(Message::Text(t)))) => {
                            serde_json::from_str::<Value>(&t).expect("json")
                        }
                        Ok(Some(Ok(_))) => continue,
                        Ok(_) => return,
                        Err(_) => {
                            if sink_done.load(Ordering::Relaxed) {
                                return;
                            }
                            continue;
                        }
                    };
                if frame["type"] != "received" {
                    continue;
                }
                let now = origin.elapsed().as_micros() as u64;
                let mut lat = latencies.lock().expect("lock");
                let mut seen = seen.lock().expect("lock");
                for m in frame["messages"].as_array().expect("messages") {
                    let p = m["payload"].as_str().expect("text");
                    let (i, t) = p.split_once(':').expect("i:t");
                    let i: usize = i.parse().expect("i");
                    let t: u64 = t[..t.find(' ').unwrap_or(t.len())].parse().expect("t");
                    lat.push(now.saturating_sub(t));
                    if let Some(s) = seen.get_mut(i) {
                        *s = s.saturating_add(1);
                    }
                }
            }
        })
    };

    let cpu_before = server_pid.and_then(cpu_seconds);
    let own_before = cpu_seconds(std::process::id());
    let wall = Instant::now();
    let total = args.rate * args.seconds;
    let mut next = 0u64;
    let mut backlog: Vec<String> = Vec::new();
    let mut eagains = 0u64;
    let mut rtts: Vec<u64> = Vec::new();
    let mut id = 10u64;
    let mut ticker = tokio::time::interval(Duration::from_millis(1));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let pad = "x".repeat(60);
    // A few send frames in flight, as an asynchronous sender keeps them:
    // the server answers them in order.
    let mut in_flight: std::collections::VecDeque<(Instant, Vec<String>)> =
        std::collections::VecDeque::new();
    while next < total || !backlog.is_empty() || !in_flight.is_empty() {
        tokio::select! {
            _ = ticker.tick() => {
                // Messages due by now (the schedule, not the loop, sets the rate).
                let due = ((wall.elapsed().as_micros() as u64 * args.rate) / 1_000_000).min(total);
                let stamp = origin.elapsed().as_micros();
                while next < due {
                    backlog.push(format!("{next}:{stamp} {pad}"));
                    next += 1;
                }
                while !backlog.is_empty() && in_flight.len() < 8 {
                    // 500 stamped payloads stay well under the 64 KiB frame limit.
                    let batch: Vec<String> = backlog.drain(..backlog.len().min(500)).collect();
                    id += 1;
                    send(
                        &mut vent,
                        json!({"type": "send", "node": "vent", "socket": "out", "payloads": batch, "id": id}),
                    )
                    .await;
                    in_flight.push_back((Instant::now(), batch));
                }
            }
            frame = vent.next() => {
                let Some(Ok(Message::Text(text))) = frame else { continue };
                let answer: Value = serde_json::from_str(&text).expect("json");
                assert_eq!(answer["type"], "sent", "{answer}");
                let (asked, batch) = in_flight.pop_front().expect("an answer to a send");
                rtts.push(asked.elapsed().as_micros() as u64);
                let went = answer["msgs"].as_array().expect("msgs").len();
                if went < batch.len() {
                    eagains += 1;
                    let mut rest: Vec<String> = batch[went..].to_vec();
                    rest.append(&mut backlog);
                    backlog = rest;
                }
            }
        }
    }
    let send_secs = wall.elapsed().as_secs_f64();
    rtts.sort_unstable();
    println!(
        "ventilator send round trips: {} frames, p50 {} µs, p99 {} µs",
        rtts.len(),
        percentile(&rtts, 0.5),
        percentile(&rtts, 0.99)
    );
    // Let the last ones through.
    let drain_start = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let got = latencies.lock().expect("lock").len() as u64;
        if got >= total || drain_start.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    let cpu_after = server_pid.and_then(cpu_seconds);
    let own_after = cpu_seconds(std::process::id());
    stop.store(true, Ordering::Relaxed);
    sink_done.store(true, Ordering::Relaxed);
    let _ = sink_task.await;
    for t in tasks {
        let _ = t.await;
    }
    let seen = seen.lock().expect("lock");
    let once = seen[..total as usize].iter().filter(|c| **c == 1).count() as u64;
    let missing = seen[..total as usize].iter().filter(|c| **c == 0).count() as u64;
    let dups = seen[..total as usize].iter().filter(|c| **c > 1).count() as u64;
    let mut lat = latencies.lock().expect("lock").clone();
    lat.sort_unstable();
    let ms = |us: u64| us as f64 / 1000.0;
    println!(
        "sent {total} messages in {send_secs:.1} s ({:.0}/s; {eagains} EAGAIN batches retried); workers forwarded {}",
        total as f64 / send_secs,
        forwarded.load(Ordering::Relaxed)
    );
    println!("sink got {once} exactly once, {missing} missing, {dups} duplicated");
    println!(
        "end-to-end latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.90)),
        ms(percentile(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or(0)),
        lat.len()
    );
    if let (Some(a), Some(b)) = (cpu_before, cpu_after) {
        println!(
            "server CPU: {:.1} s over {:.1} s ({:.0} % of one core), {:.1} µs per message",
            b - a,
            send_secs,
            100.0 * (b - a) / send_secs,
            1e6 * (b - a) / total as f64
        );
    }
    if let (Some(a), Some(b)) = (own_before, own_after) {
        println!(
            "load generator CPU (200 clients' JSON and sockets): {:.1} s ({:.0} % of one core)",
            b - a,
            100.0 * (b - a) / send_secs
        );
    }
}

/// One PUSH participant, one PULL participant, 100-byte messages.
async fn pair(args: &Args, url: &str, batch: usize) -> f64 {
    let n = args.pair_messages;
    let mut a = connect(url).await;
    let joined = request(
        &mut a,
        json!({"type": "room_create", "scenario": scenario(1000), "seed": 1}),
        1,
    )
    .await;
    let code = joined["room"].as_str().expect("code").to_owned();
    request(
        &mut a,
        json!({"type": "node_add", "name": "push",
               "sockets": [{"name": "out", "type": "PUSH", "bind": ["tcp://pair"]}]}),
        2,
    )
    .await;
    let mut b = connect(url).await;
    request(&mut b, json!({"type": "room_join", "room": code}), 1).await;
    request(
        &mut b,
        json!({"type": "node_add", "name": "pull", "auto_recv": true,
               "sockets": [{"name": "in", "type": "PULL", "connect": ["tcp://pair"]}]}),
        2,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let payload = "p".repeat(100);
    let receiver = tokio::spawn(async move {
        let mut got = 0u64;
        while got < n {
            let f = recv(&mut b).await;
            if f["type"] == "received" {
                got += f["messages"].as_array().expect("messages").len() as u64;
            }
        }
        Instant::now()
    });
    let start = Instant::now();
    let mut sent = 0u64;
    let mut id = 10u64;
    // Keep a few frames in flight: the server answers each in order.
    let mut in_flight = std::collections::VecDeque::new();
    while sent < n || !in_flight.is_empty() {
        while sent < n && in_flight.len() < 8 {
            let k = batch.min((n - sent) as usize);
            id += 1;
            let frame = if batch == 1 {
                json!({"type": "send", "node": "push", "socket": "out", "payload": payload, "id": id})
            } else {
                json!({"type": "send", "node": "push", "socket": "out", "payloads": vec![payload.clone(); k], "id": id})
            };
            send(&mut a, frame).await;
            in_flight.push_back(k);
            sent += k as u64;
        }
        let f = recv(&mut a).await;
        if f["type"] != "sent" {
            assert_ne!(f["type"], "error", "{f}");
            continue;
        }
        let asked = in_flight.pop_front().expect("in flight");
        let went = f["msgs"].as_array().expect("msgs").len();
        if went < asked {
            sent -= (asked - went) as u64;
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
    let end = receiver.await.expect("receiver");
    let rate = n as f64 / end.duration_since(start).as_secs_f64();
    println!(
        "WebSocket protocol, {} per send frame: {n} messages of 100 bytes in {:.2} s = {rate:.0} msg/s",
        batch,
        end.duration_since(start).as_secs_f64()
    );
    rate
}

fn pyzmq(python: &str) -> Option<f64> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/zmq_push_pull.py");
    let out = Command::new(python)
        .arg(script)
        .arg("1000000")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{text}");
    text.split_whitespace()
        .zip(text.split_whitespace().skip(1))
        .find(|(_, unit)| *unit == "msg/s")
        .and_then(|(n, _)| n.parse().ok())
}

fn main() {
    let Some(args) = parse_args() else { return };
    let server = args
        .url
        .is_none()
        .then(|| start_server(args.server.as_deref()));
    let url = args
        .url
        .clone()
        .unwrap_or_else(|| server.as_ref().expect("started").url.clone());
    let pid = server.as_ref().map(|s| s.child.id());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        match args.mode.as_str() {
            "pipeline" => pipeline(&args, &url, pid).await,
            _ => {
                let single = pair(&args, &url, 1).await;
                let batched = pair(&args, &url, 100).await;
                match std::env::var("FANOUT_PYTHON").ok().and_then(|p| pyzmq(&p)) {
                    Some(zmq) => println!(
                        "ratio to pyzmq over TCP: {:.4} (one per frame), {:.4} (100 per frame)",
                        single / zmq,
                        batched / zmq
                    ),
                    None => {
                        println!("pyzmq not measured (set FANOUT_PYTHON to a Python with pyzmq)")
                    }
                }
            }
        }
    });
}
