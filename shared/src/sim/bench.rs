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
        faults: Vec::new(),
    }
}

/// The scenario of a named workload: `fanout100` (or `fanoutN`) or a preset.
pub fn workload(name: &str) -> Result<Scenario, ScenarioError> {
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
