//! Benchmark workloads as pure functions, so `cargo bench` on native and
//! the browser (timing the call with `performance.now()` in wasm) measure
//! exactly the same work: build a scenario, run a fixed number of events,
//! return the count and the digest (which also proves both ran the same
//! trace).

use serde::{Deserialize, Serialize};

use super::{
    Scenario, ScenarioError, Simulator,
    nodes::{Dist, ProgramSpec, producer::ProducerSpec, sink::SinkSpec},
    scenario::{ConnectSpec, Network, NodeSpec, SocketSpec},
};
use crate::{
    socket::{Endpoint, SocketKind},
    time::Tick,
};

/// What a workload run did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkloadResult {
    pub events: u64,
    pub simulated: Tick,
    pub trace_digest: String,
}

/// A publisher fanning out to `subscribers` subscribers of everything.
pub fn fanout_scenario(subscribers: u32) -> Scenario {
    let endpoint = Endpoint::from_static("tcp://fanout");
    let mut nodes = vec![NodeSpec {
        name: "publisher".into(),
        program: ProgramSpec::Producer(ProducerSpec {
            out: "out".into(),
            interval: Dist::Constant(Tick::from_millis(1)),
            payload: Some("tick {n}".into()),
            topics: Vec::new(),
            pick: Default::default(),
            count: None,
        }),
        start: Tick::ZERO,
        sockets: vec![SocketSpec {
            name: "out".into(),
            kind: SocketKind::Pub,
            bind: vec![endpoint.clone()],
            connect: Vec::new(),
            subscribe: Vec::new(),
            sndhwm: None,
            rcvhwm: None,
        }],
    }];
    for i in 0..subscribers {
        nodes.push(NodeSpec {
            name: format!("sub-{i}"),
            program: ProgramSpec::Sink(SinkSpec {
                input: "in".into(),
                service: Dist::default(),
            }),
            start: Tick::ZERO,
            sockets: vec![SocketSpec {
                name: "in".into(),
                kind: SocketKind::Sub,
                bind: Vec::new(),
                connect: vec![ConnectSpec::to(endpoint.clone())],
                subscribe: vec![String::new()],
                sndhwm: None,
                rcvhwm: None,
            }],
        });
    }
    Scenario {
        name: format!("fanout{subscribers}"),
        description: format!("one PUB, {subscribers} SUBs subscribed to everything"),
        network: Network::default(),
        nodes,
        #[cfg(feature = "reliability")]
        faults: Vec::new(),
    }
}

/// A broker under faults (with the `reliability` feature): four producers publishing a task every
/// millisecond each, eight workers (late ack, prefetch 4) needing 2 ms
/// per task, and a schedule of every fault kind (a worker bounced, a
/// partition, lossy, duplicating and slow links, a pause, a broker
/// restart) within the first five seconds.
#[cfg(feature = "reliability")]
pub const RELIABILITY: &str = r#"{
  "name": "reliability",
  "description": "benchmark: a broker pipeline under every kind of fault",
  "network": {"latency": "200us", "give_up": "1s"},
  "nodes": [
    {"name": "broker", "program": {"kind": "broker", "queues": [{"name": "tasks"}]}, "sockets": []},
    {"name": "producer-1", "program": {"kind": "task_producer", "broker": "broker", "queue": "tasks", "interval": "1ms", "work": "2ms", "republish_after": "500ms"}, "sockets": []},
    {"name": "producer-2", "program": {"kind": "task_producer", "broker": "broker", "queue": "tasks", "interval": "1ms", "work": "2ms", "republish_after": "500ms"}, "sockets": []},
    {"name": "producer-3", "program": {"kind": "task_producer", "broker": "broker", "queue": "tasks", "interval": "1ms", "work": "2ms", "republish_after": "500ms"}, "sockets": []},
    {"name": "producer-4", "program": {"kind": "task_producer", "broker": "broker", "queue": "tasks", "interval": "1ms", "work": "2ms", "republish_after": "500ms"}, "sockets": []},
    {"name": "worker-1", "program": {"kind": "task_worker", "broker": "broker", "queue": "tasks", "ack": "late"}, "sockets": []},
    {"name": "worker-2", "program": {"kind": "task_worker", "broker": "broker", "queue": "tasks", "ack": "late"}, "sockets": []},
    {"name": "worker-3", "program": {"kind": "task_worker", "broker": "broker", "queue": "tasks", "ack": "late"}, "sockets": []},
    {"name": "worker-4", "program": {"kind": "task_worker", "broker": "broker", "queue": "tasks", "ack": "late"}, "sockets": []},
    {"name": "worker-5", "program": {"kind": "task_worker", "broker": "broker", "queue": "tasks", "ack": "late"}, "sockets": []},
    {"name": "worker-6", "program": {"kind": "task_worker", "broker": "broker", "queue": "tasks", "ack": "late"}, "sockets": []},
    {"name": "worker-7", "program": {"kind": "task_worker", "broker": "broker", "queue": "tasks", "ack": "late"}, "sockets": []},
    {"name": "worker-8", "program": {"kind": "task_worker", "broker": "broker", "queue": "tasks", "ack": "late"}, "sockets": []}
  ],
  "faults": [
    {"at": "500ms", "action": {"op": "delay", "a": ["producer-1"], "b": ["broker"], "latency": "1ms", "jitter": "2ms", "duration": "3s"}},
    {"at": "1s", "action": {"op": "crash", "node": "worker-1", "duration": "500ms"}},
    {"at": "1500ms", "action": {"op": "drop", "a": ["worker-3"], "b": ["broker"], "rate": 0.1, "duration": "2s"}},
    {"at": "2s", "action": {"op": "partition", "a": ["worker-2"], "b": ["broker"], "duration": "1500ms"}},
    {"at": "2500ms", "action": {"op": "duplicate", "a": ["worker-4"], "b": ["broker"], "rate": 0.05, "duration": "1s"}},
    {"at": "3s", "action": {"op": "pause", "node": "worker-5", "duration": "500ms"}},
    {"at": "4s", "action": {"op": "crash", "node": "broker", "duration": "200ms"}}
  ]
}"#;

/// The scenario of a named workload: `fanout100` (or `fanoutN`),
/// `reliability`, `reliability-calm` (the same broker pipeline without its
/// faults, so the benchmark shows what the faults cost), or a preset.
pub fn workload(name: &str) -> Result<Scenario, ScenarioError> {
    #[cfg(feature = "reliability")]
    if name == "reliability" {
        return Scenario::from_json(RELIABILITY);
    }
    #[cfg(feature = "reliability")]
    if name == "reliability-calm" {
        let mut calm = Scenario::from_json(RELIABILITY)?;
        calm.name = "reliability-calm".into();
        calm.faults.clear();
        return Ok(calm);
    }
    if let Some(n) = name.strip_prefix("fanout")
        && let Ok(n) = n.parse::<u32>()
        && (1..=10_000).contains(&n)
    {
        return Ok(fanout_scenario(n));
    }
    Scenario::preset(name)
}

/// Runs `events` events of a workload; the caller times it.
pub fn run_workload(name: &str, seed: u64, events: u64) -> Result<WorkloadResult, ScenarioError> {
    let mut sim = Simulator::new(&workload(name)?, seed)?;
    let done = sim.run_steps(events);
    Ok(WorkloadResult {
        events: done,
        simulated: sim.now(),
        trace_digest: sim.trace_digest(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::sim::{EventKind, FaultEvent};

    /// The benchmark measures what it says: it has work for 200 000 events
    /// and every fault of its schedule happens within them.
    #[test]
    fn the_reliability_workload_runs_its_events_through_every_fault() {
        let mut sim = Simulator::new(&workload("reliability").unwrap(), 1).unwrap();
        let mut kinds = BTreeSet::new();
        let mut events = 0;
        while events < 200_000 {
            let Some(e) = sim.step() else { break };
            events += 1;
            if let EventKind::Fault(f) = &e.kind {
                kinds.insert(match f {
                    FaultEvent::Crashed { .. } => "crashed",
                    FaultEvent::Restarted { .. } => "restarted",
                    FaultEvent::Paused { .. } => "paused",
                    FaultEvent::Resumed { .. } => "resumed",
                    FaultEvent::Partitioned { .. } => "partitioned",
                    FaultEvent::LinkFaulted { .. } => "link_faulted",
                    FaultEvent::Healed { .. } => "healed",
                    _ => "other",
                });
            }
        }
        assert_eq!(events, 200_000, "the workload ran out of events");
        for kind in [
            "crashed",
            "restarted",
            "paused",
            "resumed",
            "partitioned",
            "link_faulted",
            "healed",
        ] {
            assert!(kinds.contains(kind), "{kind} never happened: {kinds:?}");
        }
        assert!(
            sim.now() > Tick::from_secs(4),
            "the broker restart is within the run"
        );
    }

    #[test]
    fn the_calm_workload_is_the_same_pipeline_without_faults() {
        let calm = workload("reliability-calm").unwrap();
        let stormy = workload("reliability").unwrap();
        assert!(calm.faults.is_empty() && !stormy.faults.is_empty());
        assert_eq!(calm.nodes, stormy.nodes);
        let mut sim = Simulator::new(&calm, 1).unwrap();
        let mut events = 0;
        while events < 200_000 {
            let Some(e) = sim.step() else { break };
            events += 1;
            assert!(!matches!(e.kind, EventKind::Fault(_)), "{e:?}");
        }
        assert_eq!(events, 200_000, "the workload ran out of events");
    }
}
