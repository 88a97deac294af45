//! Property tests over random pipelines and fan-outs: whatever the marks,
//! rates, service times and latencies, the engine keeps ZeroMQ's promises.
//!
//! - no message is both delivered and dropped (per message and pipe);
//! - PUSH/PULL never loses a message: everything produced reaches the sink;
//! - each pipe is FIFO: messages arrive in the order they were sent on it;
//! - counters add up: sends, receives and drops match the trace.

use std::collections::{BTreeMap, BTreeSet};

use fanout_shared::{
    sim::{Event, EventKind, Fate, HopFate, Route, Scenario, Simulator},
    socket::{ConnId, MsgId, SocketId},
};
use proptest::prelude::*;

/// Runs until nothing is scheduled (or a generous cap) and returns the trace.
fn run_to_quiet(sim: &mut Simulator, cap: usize) -> Vec<Event> {
    let mut trace = Vec::new();
    while let Some(e) = sim.step() {
        trace.push(e);
        assert!(trace.len() < cap, "did not go quiet within {cap} events");
    }
    trace
}

#[derive(Debug, Clone)]
struct Pipeline {
    producers: u32,
    per_producer: u64,
    workers: u32,
    hwm: u32,
    latency_us: u64,
    interval_us: u64,
    service_min_us: u64,
    service_max_us: u64,
}

fn pipeline() -> impl Strategy<Value = Pipeline> {
    (
        1u32..=3,
        1u64..=40,
        1u32..=4,
        1u32..=12,
        1u64..=500,
        0u64..=2000,
        0u64..=3000,
        0u64..=3000,
    )
        .prop_map(
            |(producers, per_producer, workers, hwm, latency_us, interval_us, a, b)| Pipeline {
                producers,
                per_producer,
                workers,
                hwm,
                latency_us,
                interval_us,
                service_min_us: a.min(b),
                service_max_us: a.max(b),
            },
        )
}

fn pipeline_json(p: &Pipeline) -> String {
    let mut nodes = Vec::new();
    for i in 0..p.producers {
        nodes.push(format!(
            r#"{{"name": "producer-{i}", "program": {{"kind": "producer", "interval": {}, "count": {}}},
                "sockets": [{{"name": "out", "type": "PUSH", "connect": ["tcp://work"]}}]}}"#,
            p.interval_us, p.per_producer
        ));
    }
    nodes.push(
        r#"{"name": "queue", "program": {"kind": "forwarder"},
            "sockets": [{"name": "in", "type": "PULL", "bind": ["tcp://work"]},
                        {"name": "out", "type": "PUSH", "bind": ["tcp://jobs"]}]}"#
            .to_string(),
    );
    for i in 0..p.workers {
        nodes.push(format!(
            r#"{{"name": "worker-{i}", "program": {{"kind": "worker", "service": {{"uniform": {{"min": {}, "max": {}}}}}}},
                "sockets": [{{"name": "in", "type": "PULL", "connect": ["tcp://jobs"]}},
                            {{"name": "out", "type": "PUSH", "connect": ["tcp://sink"]}}]}}"#,
            p.service_min_us, p.service_max_us
        ));
    }
    nodes.push(
        r#"{"name": "sink", "program": {"kind": "sink"},
            "sockets": [{"name": "in", "type": "PULL", "bind": ["tcp://sink"]}]}"#
            .to_string(),
    );
    format!(
        r#"{{"name": "prop-pipeline", "network": {{"latency": {}, "sndhwm": {}, "rcvhwm": {}}}, "nodes": [{}]}}"#,
        p.latency_us,
        p.hwm,
        p.hwm,
        nodes.join(",")
    )
}

/// Per-pipe send order and delivery order, and per (message, pipe) fates.
#[derive(Default)]
struct Ledger {
    sent_on: BTreeMap<(ConnId, SocketId), Vec<MsgId>>,
    delivered_on: BTreeMap<(ConnId, SocketId), Vec<MsgId>>,
    delivered: BTreeSet<(MsgId, ConnId)>,
    dropped: BTreeSet<(MsgId, ConnId)>,
}

impl Ledger {
    fn from(trace: &[Event]) -> Ledger {
        let mut l = Ledger::default();
        for e in trace {
            match &e.kind {
                EventKind::Send {
                    socket, msg, route, ..
                } => match route {
                    Route::Peer { conn, .. } | Route::Reply { conn, .. } => {
                        l.sent_on.entry((*conn, *socket)).or_default().push(*msg);
                    }
                    Route::Fanout { hops } => {
                        for h in hops {
                            match h.fate {
                                HopFate::Queued => {
                                    l.sent_on.entry((h.conn, *socket)).or_default().push(*msg)
                                }
                                HopFate::DroppedHwm => {
                                    l.dropped.insert((*msg, h.conn));
                                }
                                HopFate::Filtered => {}
                            }
                        }
                    }
                    Route::Dropped { .. } => {}
                },
                EventKind::Deliver {
                    conn,
                    from,
                    msg,
                    fate,
                    ..
                } => match fate {
                    Fate::Queued => {
                        l.delivered_on.entry((*conn, *from)).or_default().push(*msg);
                        assert!(l.delivered.insert((*msg, *conn)), "{msg} delivered twice");
                    }
                    Fate::Dropped { .. } => {
                        l.dropped.insert((*msg, *conn));
                    }
                },
                _ => {}
            }
        }
        l
    }

    fn check_fifo_and_exclusive(&self) {
        if let Some(both) = self.delivered.intersection(&self.dropped).next() {
            panic!(
                "{} on connection {} both delivered and dropped",
                both.0, both.1.0
            );
        }
        for (pipe, delivered) in &self.delivered_on {
            let sent = &self.sent_on[pipe];
            assert_eq!(
                delivered.as_slice(),
                &sent[..delivered.len()],
                "pipe {pipe:?} is not FIFO"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn pipelines_never_lose_and_stay_fifo(p in pipeline(), seed in any::<u64>()) {
        let scenario = Scenario::from_json(&pipeline_json(&p)).expect("valid");
        let mut sim = Simulator::new(&scenario, seed).expect("builds");
        let trace = run_to_quiet(&mut sim, 2_000_000);
        let ledger = Ledger::from(&trace);
        ledger.check_fifo_and_exclusive();

        let total = u64::from(p.producers) * p.per_producer;
        let s = sim.summary();
        let produced: u64 = (0..p.producers).map(|i| s.nodes[&format!("producer-{i}")].sent).sum();
        prop_assert_eq!(produced, total);
        prop_assert_eq!(s.nodes["queue"].received, total);
        prop_assert_eq!(s.nodes["queue"].sent, total);
        let worked: u64 = (0..p.workers).map(|i| s.nodes[&format!("worker-{i}")].received).sum();
        let passed: u64 = (0..p.workers).map(|i| s.nodes[&format!("worker-{i}")].sent).sum();
        prop_assert_eq!(worked, total);
        prop_assert_eq!(passed, total);
        prop_assert_eq!(s.nodes["sink"].received, total, "PUSH/PULL lost a message");
        prop_assert_eq!(s.drops.total(), 0);
        // Every send and receive in the counters is an event in the trace.
        let sends = trace.iter().filter(|e| matches!(e.kind, EventKind::Send { .. })).count() as u64;
        let recvs = trace.iter().filter(|e| matches!(e.kind, EventKind::Recv { .. })).count() as u64;
        let counted_sends: u64 = s.nodes.values().map(|c| c.sent).sum();
        let counted_recvs: u64 = s.nodes.values().map(|c| c.received).sum();
        prop_assert_eq!(sends, counted_sends);
        prop_assert_eq!(recvs, counted_recvs);
        prop_assert_eq!(s.events, trace.len() as u64);
    }

    #[test]
    fn fanout_copies_are_delivered_dropped_or_filtered_once(
        subs in 1u32..=6,
        hwm in 1u32..=8,
        interval_us in 0u64..=300,
        slow_us in 0u64..=3000,
        count in 1u64..=60,
        seed in any::<u64>(),
    ) {
        let mut nodes = vec![format!(
            r#"{{"name": "pub", "program": {{"kind": "producer", "interval": {interval_us}, "count": {count}, "topics": ["a", "b"]}},
                "sockets": [{{"name": "out", "type": "PUB", "bind": ["tcp://p"], "sndhwm": {hwm}}}]}}"#
        )];
        for i in 0..subs {
            let topic = ["a", "b", ""][i as usize % 3];
            nodes.push(format!(
                r#"{{"name": "sub-{i}", "program": {{"kind": "sink", "service": {}}},
                    "sockets": [{{"name": "in", "type": "SUB", "connect": ["tcp://p"], "subscribe": ["{topic}"], "rcvhwm": {hwm}}}]}}"#,
                slow_us * u64::from(i % 2)
            ));
        }
        let json = format!(r#"{{"name": "prop-fanout", "nodes": [{}]}}"#, nodes.join(","));
        let mut sim = Simulator::new(&Scenario::from_json(&json).expect("valid"), seed).expect("builds");
        let trace = run_to_quiet(&mut sim, 1_000_000);
        let ledger = Ledger::from(&trace);
        ledger.check_fifo_and_exclusive();
        let s = sim.summary();
        // Each matching copy is either queued then received, or dropped at
        // the mark; publisher-side drops are counted exactly.
        let mut hwm_hops = 0;
        let mut whole_drops = 0;
        for e in &trace {
            if let EventKind::Send { route, .. } = &e.kind {
                match route {
                    Route::Fanout { hops } => {
                        hwm_hops += hops.iter().filter(|h| h.fate == HopFate::DroppedHwm).count() as u64;
                        if hops.iter().all(|h| h.fate == HopFate::Filtered) {
                            whole_drops += 1;
                        }
                    }
                    Route::Dropped { .. } => whole_drops += 1,
                    _ => {}
                }
            }
        }
        prop_assert_eq!(s.drops.hwm, hwm_hops);
        prop_assert_eq!(s.drops.no_peer + s.drops.filtered, whole_drops);
        let received: u64 = (0..subs).map(|i| s.nodes[&format!("sub-{i}")].received).sum();
        prop_assert_eq!(received, ledger.delivered.len() as u64, "every queued copy is read once the run is quiet");
        prop_assert_eq!(s.nodes["pub"].sent, count);
    }
}

#[test]
fn every_preset_runs_and_is_reproducible() {
    for name in fanout_shared::sim::presets::NAMES {
        let scenario = Scenario::preset(name).unwrap();
        let run = |seed| {
            let mut sim = Simulator::new(&scenario, seed).unwrap();
            sim.run_until(fanout_shared::time::Tick::from_secs(1));
            (sim.steps(), sim.trace_digest())
        };
        let a = run(3);
        assert!(a.0 > 10, "{name} did something");
        assert_eq!(a, run(3), "{name}: same seed, same trace");
    }
}
