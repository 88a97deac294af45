//! The fault test of durable rooms (issue 15, docs/BENCHMARKS.md,
//! "Durable rooms under kill -9"): a live producer publishes persistent
//! tasks with publisher confirms into a durable queue at 1,000 a second,
//! and another transient ones at 200 a second, while live workers take
//! them; `fanout serve` is killed with `kill -9` at ten random moments and
//! started again each time on the same `--data-dir`, and the test joins
//! the room again by its code and adds its producers and workers anew (a
//! process's nodes go with it). Every persistent task whose confirm the
//! producer heard must reach a worker at least once by the end; the
//! transient ones confirmed and never delivered are counted as lost (the
//! broker's rule: only persistent messages of durable queues survive).
//!
//! The moments are drawn from the OS's randomness and printed with the
//! counts (`cargo test -p fanout-server --test rooms_fault -- --nocapture`).
//! A second test makes every commit slow, so that the kills fall between
//! a turn and its storage, where the order "store, then tell" is what
//! keeps a heard confirm's task.

mod common;

use std::{
    collections::{BTreeMap, BTreeSet},
    time::Duration,
};

use common::{DataDir, Fanout, ws_hello};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::tungstenite::Message;

const KILLS: usize = 10;
const WORKERS: usize = 12;
/// Publishes every 10 ms: 10 persistent (1,000 a second), and every
/// fifth tick 10 transient (200 a second).
const TICK: Duration = Duration::from_millis(10);
const PER_TICK: u64 = 10;
/// How long the last run may take to hand out what is left; a run that
/// has not by then has lost something.
const DRAIN_PATIENCE: Duration = Duration::from_secs(60);
/// A commit's wait before it writes in the test of the rule itself.
const SLOW_COMMIT_MS: &str = "100";

fn scenario() -> Value {
    json!({
        "name": "durable-fault",
        "network": {"latency": "1ms", "give_up": "2s"},
        "nodes": [
            {"name": "broker", "program": {"kind": "broker", "queues": [{"name": "jobs"}]}, "sockets": []}
        ]
    })
}

fn producer(persistent: bool) -> Value {
    json!({"kind": "task_producer", "broker": "broker", "queue": "jobs", "interval": "0ms",
        "work": "1ms", "persistent": persistent, "live": true})
}

fn worker() -> Value {
    json!({"kind": "task_worker", "broker": "broker", "queue": "jobs", "prefetch": 8,
        "ack": "late", "live": true})
}

/// A number in `lo..hi` from the OS's randomness.
fn random_in(lo: u64, hi: u64) -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("OS randomness");
    lo + u64::from_le_bytes(bytes) % (hi - lo)
}

/// What the test heard, over every run.
#[derive(Default, Debug)]
struct Heard {
    /// Confirmed tasks, by producer node (`p` persistent, `t` transient).
    confirmed: BTreeMap<String, BTreeSet<u64>>,
    /// Tasks handed to a worker, and how often.
    delivered: BTreeMap<u64, u32>,
    /// Persistent tasks confirmed and not delivered yet.
    awaited: BTreeSet<u64>,
    redelivered: u64,
    /// Tasks published, as the answers to `publish` said.
    ordered: BTreeMap<String, u64>,
    /// Messages each restart recovered, from its start line.
    recovered: Vec<u64>,
}

impl Heard {
    fn take(&mut self, frame: &Value) -> Option<(String, u64)> {
        match frame["type"].as_str() {
            Some("confirmed") => {
                let node = frame["node"].as_str().expect("node").to_owned();
                let tasks: Vec<u64> = frame["tasks"]
                    .as_array()
                    .expect("tasks")
                    .iter()
                    .map(|t| t.as_u64().expect("a task id"))
                    .collect();
                if node == "p" {
                    let delivered = &self.delivered;
                    self.awaited
                        .extend(tasks.iter().filter(|t| !delivered.contains_key(t)));
                }
                self.confirmed.entry(node).or_default().extend(tasks);
                None
            }
            Some("task") => {
                let task = frame["task"].as_u64().expect("a task id");
                *self.delivered.entry(task).or_default() += 1;
                self.awaited.remove(&task);
                self.redelivered += u64::from(frame["redelivered"] == true);
                Some((frame["node"].as_str().expect("node").to_owned(), task))
            }
            Some("error") => panic!("refused: {frame}"),
            _ => None,
        }
    }

    fn confirmed(&self, node: &str) -> BTreeSet<u64> {
        self.confirmed.get(node).cloned().unwrap_or_default()
    }

    fn undelivered(&self, node: &str) -> BTreeSet<u64> {
        self.confirmed(node)
            .into_iter()
            .filter(|t| !self.delivered.contains_key(t))
            .collect()
    }
}

/// One life of the server: started on `dir`, the room created (the first
/// time) or joined, its producers and workers added.
struct Life {
    fanout: Fanout,
    tx: futures_util::stream::SplitSink<common::Ws, Message>,
    rx: futures_util::stream::SplitStream<common::Ws>,
    next_id: u64,
}

impl Life {
    /// With `slow`, each commit waits [`SLOW_COMMIT_MS`] before it writes.
    async fn start(dir: &str, code: &mut Option<String>, heard: &mut Heard, slow: bool) -> Life {
        let args = [
            "--cache-nodes",
            "0",
            "--data-dir",
            dir,
            "--room-rate",
            "1000000",
        ];
        let env: &[(&str, &str)] = if slow {
            &[("FANOUT_TEST_SLOW_COMMIT_MS", SLOW_COMMIT_MS)]
        } else {
            &[]
        };
        let fanout = Fanout::start_env(&args, env);
        if code.is_some() {
            let line = &fanout.kept_line;
            let recovered = line
                .split(" rooms with ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("the room came back: {line}"));
            assert!(line.contains("(1 rooms "), "{line}");
            heard.recovered.push(recovered);
        }
        let ws = ws_hello(&fanout).await;
        let (tx, rx) = ws.split();
        let mut life = Life {
            fanout,
            tx,
            rx,
            next_id: 1,
        };
        let joined = match code {
            None => {
                life.call(
                    json!({"type": "room_create", "scenario": scenario(), "seed": 1}),
                    heard,
                )
                .await
            }
            Some(code) => {
                life.call(json!({"type": "room_join", "room": code}), heard)
                    .await
            }
        };
        assert_eq!(joined["type"], "room_joined", "{joined}");
        *code = Some(joined["room"].as_str().expect("a code").to_owned());
        for (name, program) in [
            ("p".to_string(), producer(true)),
            ("t".to_string(), producer(false)),
        ]
        .into_iter()
        .chain((0..WORKERS).map(|i| (format!("w{i}"), worker())))
        {
            let added = life
                .call(
                    json!({"type": "node_add", "name": name, "program": program}),
                    heard,
                )
                .await;
            assert_eq!(added["type"], "node_added", "{added}");
        }
        life
    }

    async fn send(&mut self, mut frame: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        frame["id"] = json!(id);
        // The server may be gone (killed): what was not sent was not asked.
        let _ = self.tx.send(Message::text(frame.to_string())).await;
        id
    }

    /// A request and its answer; what is pushed meanwhile is heard.
    async fn call(&mut self, frame: Value, heard: &mut Heard) -> Value {
        let id = self.send(frame).await;
        loop {
            let frame = self.next().await.expect("an answer");
            if frame["id"] == id {
                return frame;
            }
            self.hear(&frame, heard).await;
        }
    }

    async fn next(&mut self) -> Option<Value> {
        loop {
            match self.rx.next().await? {
                Ok(Message::Text(text)) => return Some(serde_json::from_str(&text).expect("JSON")),
                Ok(Message::Ping(_) | Message::Pong(_)) => continue,
                Ok(_) | Err(_) => return None,
            }
        }
    }

    /// Takes in a frame; a task is done at once (its handler is empty).
    async fn hear(&mut self, frame: &Value, heard: &mut Heard) {
        if let Some((node, task)) = heard.take(frame) {
            self.send(json!({"type": "room_act", "action": {"op": "task_done", "node": node, "task": task}}))
                .await;
        }
    }

    /// Publishes and works until `until`; with `drain`, only works, until
    /// every confirmed persistent task was delivered.
    async fn run(&mut self, until: Instant, publish: bool, heard: &mut Heard) {
        let mut ticker = tokio::time::interval(TICK);
        let mut ticks = 0u64;
        loop {
            if !publish && heard.awaited.is_empty() {
                return;
            }
            tokio::select! {
                _ = sleep_until(until) => return,
                _ = ticker.tick(), if publish => {
                    ticks += 1;
                    self.send(json!({"type": "room_act", "action": {"op": "publish", "node": "p", "count": PER_TICK}})).await;
                    *heard.ordered.entry("p".into()).or_default() += PER_TICK;
                    if ticks.is_multiple_of(5) {
                        self.send(json!({"type": "room_act", "action": {"op": "publish", "node": "t", "count": PER_TICK}})).await;
                        *heard.ordered.entry("t".into()).or_default() += PER_TICK;
                    }
                }
                frame = self.next() => match frame {
                    Some(frame) => self.hear(&frame, heard).await,
                    None => panic!("the server went away on its own"),
                },
            }
        }
    }

    /// `kill -9`, then hears what had reached this side before it died.
    async fn kill(mut self, heard: &mut Heard) {
        let Life { fanout, rx, .. } = &mut self;
        fanout.child.kill().expect("SIGKILL is sent");
        fanout.child.wait().expect("fanout exits");
        while let Ok(Some(Ok(message))) =
            tokio::time::timeout(Duration::from_secs(5), rx.next()).await
        {
            if let Message::Text(text) = message {
                let frame: Value = serde_json::from_str(&text).expect("JSON");
                heard.take(&frame);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_confirmed_persistent_task_is_delivered_across_ten_kill_9s() {
    let dir = DataDir::new();
    let dir_arg = dir.arg();
    let mut heard = Heard::default();
    let mut code = None;
    let mut moments = Vec::new();
    let started = Instant::now();
    for _ in 0..KILLS {
        let mut life = Life::start(&dir_arg, &mut code, &mut heard, false).await;
        let ms = random_in(300, 2000);
        moments.push(ms);
        life.run(Instant::now() + Duration::from_millis(ms), true, &mut heard)
            .await;
        life.kill(&mut heard).await;
    }
    // The last life: no more publishing, and no kill, until every
    // confirmed persistent task has reached a worker.
    let lives = started.elapsed();
    let before_drain = heard.delivered.len();
    let mut life = Life::start(&dir_arg, &mut code, &mut heard, false).await;
    let drain_started = Instant::now();
    life.run(Instant::now() + DRAIN_PATIENCE, false, &mut heard)
        .await;
    let drain = drain_started.elapsed();
    let drained = heard.delivered.len() - before_drain;
    let elapsed = started.elapsed();
    let (p, t) = (heard.confirmed("p"), heard.confirmed("t"));
    let lost_p = heard.undelivered("p");
    let lost_t = heard.undelivered("t");
    let duplicated = heard.delivered.values().filter(|n| **n > 1).count();
    eprintln!(
        "fault test: {KILLS} kill -9 at {moments:?} ms into each life, {:.1} s in all\n\
         the lives with the producers: {:.1} s; the last, without: {drained} tasks delivered for the first time in {:.1} s\n\
         persistent: {} published, {} confirmed, {} confirmed and never delivered\n\
         transient: {} published, {} confirmed, {} confirmed and never delivered (lost)\n\
         deliveries: {} tasks, {} delivered more than once, {} deliveries marked redelivered\n\
         recovered at each restart: {:?}",
        elapsed.as_secs_f64(),
        lives.as_secs_f64(),
        drain.as_secs_f64(),
        heard.ordered.get("p").copied().unwrap_or(0),
        p.len(),
        lost_p.len(),
        heard.ordered.get("t").copied().unwrap_or(0),
        t.len(),
        lost_t.len(),
        heard.delivered.len(),
        duplicated,
        heard.redelivered,
        heard.recovered,
    );
    assert!(
        !p.is_empty(),
        "the producer heard confirms ({} published)",
        heard.ordered.get("p").copied().unwrap_or(0)
    );
    assert!(
        lost_p.is_empty(),
        "{} confirmed persistent tasks never delivered, the first: {:?}",
        lost_p.len(),
        lost_p.iter().take(20).collect::<Vec<_>>()
    );
    assert_eq!(heard.recovered.len(), KILLS);
    drop(life);
    drop(dir);
}

/// The rule itself, where a kill surely falls between a turn and its
/// storage: each commit waits 100 ms before it writes
/// (`FANOUT_TEST_SLOW_COMMIT_MS`), the server is killed three times at
/// random moments, and every persistent task whose confirm was heard must
/// still reach a worker. A server that sent a turn's frames before its
/// commit was stored would lose the confirmed tasks of the last 100 ms.
/// (A `kill -9` keeps what the process had written, synced or not: the
/// operating system still has it. This is about the order of storing and
/// telling, not about fsync.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_heard_confirm_is_for_a_stored_task_even_when_commits_are_slow() {
    let dir = DataDir::new();
    let dir_arg = dir.arg();
    let mut heard = Heard::default();
    let mut code = None;
    for _ in 0..3 {
        let mut life = Life::start(&dir_arg, &mut code, &mut heard, true).await;
        let ms = random_in(300, 1000);
        life.run(Instant::now() + Duration::from_millis(ms), true, &mut heard)
            .await;
        life.kill(&mut heard).await;
    }
    let mut life = Life::start(&dir_arg, &mut code, &mut heard, false).await;
    life.run(Instant::now() + DRAIN_PATIENCE, false, &mut heard)
        .await;
    let confirmed = heard.confirmed("p");
    eprintln!(
        "slow commits: {} persistent confirms heard, {} of them never delivered; recovered {:?}",
        confirmed.len(),
        heard.awaited.len(),
        heard.recovered
    );
    assert!(!confirmed.is_empty(), "the producer heard confirms");
    assert!(
        heard.awaited.is_empty(),
        "{} confirmed persistent tasks never delivered, the first: {:?}",
        heard.awaited.len(),
        heard.awaited.iter().take(20).collect::<Vec<_>>()
    );
    drop(life);
    drop(dir);
}
