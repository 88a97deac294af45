//! Read-only views of a simulator for the frontend, the CLI and tests: the
//! topology with queue depths, a summary with counters, and a caption in
//! plain words for any event. The frontend renders these; it holds no
//! semantics of its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    NodeId, Simulator,
    nodes::Dist,
    simulator::ConnState,
    stats::{Drops, NodeCounters},
};
use crate::{
    socket::{ConnId, Endpoint, FsmState, MsgId, OpKind, Payload, Role, SocketId, SocketKind},
    time::Tick,
};

/// Everything needed to draw the canvas. (`Default`, empty, is what a page
/// that does not read a room's feed reads `room_joined`'s as.)
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Topology {
    pub now: Tick,
    pub steps: u64,
    pub nodes: Vec<NodeView>,
    pub sockets: Vec<SocketView>,
    pub conns: Vec<ConnView>,
}

impl Topology {
    /// Does a node run one of the reliability engine's programs (a broker,
    /// a task producer or worker)? Answered with or without the feature,
    /// so a page built without the engine can say it cannot show the run.
    pub fn runs_reliability_engine(&self) -> bool {
        self.nodes.iter().any(|n| {
            n.state != NodeState::Removed
                && super::nodes::RELIABILITY_KINDS.contains(&n.program.as_str())
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    pub id: NodeId,
    pub name: String,
    pub program: String,
    pub state: NodeState,
    pub blocked_on: Option<(SocketId, OpKind)>,
    /// What a task producer or worker waits for on its broker connection
    /// (with the `reliability` feature).
    #[cfg(feature = "reliability")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waits_for: Option<super::broker_event::WaitWhy>,
    /// A task producer's or worker's broker connection (with the
    /// `reliability` feature).
    #[cfg(feature = "reliability")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_link: Option<BrokerLinkView>,
    pub sockets: Vec<SocketId>,
    pub counters: NodeCounters,
}

/// A task program's connection to its broker, as the canvas draws it.
#[cfg(feature = "reliability")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerLinkView {
    /// The broker its spec names (known from the start, before the
    /// program has connected).
    pub broker: NodeId,
    /// The broker holds a connection open for it and no partition or
    /// pause holds that connection.
    pub open: bool,
    pub role: BrokerRole,
}

#[cfg(feature = "reliability")]
impl BrokerLinkView {
    /// The link of `client` as tasks flow on it: from the node they leave
    /// to the one they reach (producer to broker, broker to worker).
    pub fn flow(self, client: NodeId) -> (NodeId, NodeId) {
        match self.role {
            BrokerRole::Publishes => (client, self.broker),
            BrokerRole::Consumes => (self.broker, client),
        }
    }
}

/// What a task program does on its broker connection, which says the way
/// tasks flow on it.
#[cfg(feature = "reliability")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrokerRole {
    /// A producer: tasks go from it to the broker.
    Publishes,
    /// A worker: tasks come to it from the broker.
    Consumes,
}

/// Where a node's program is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeState {
    /// Its start time has not come yet.
    WaitingToStart,
    Running,
    /// Parked in a send or recv that cannot complete yet.
    Blocked,
    /// Pausing between messages, or busy with one.
    Sleeping,
    /// Its program ended.
    Halted,
    /// Driven from outside (a live participant).
    External,
    Removed,
    /// Its process died (a `crash` fault) and has not restarted.
    Crashed,
    /// Its process is stopped (a `pause` fault).
    Paused,
}

impl NodeState {
    /// Its name on the wire (`waiting_to_start`), for attributes and logs.
    pub fn name(self) -> &'static str {
        match self {
            NodeState::WaitingToStart => "waiting_to_start",
            NodeState::Running => "running",
            NodeState::Blocked => "blocked",
            NodeState::Sleeping => "sleeping",
            NodeState::Halted => "halted",
            NodeState::External => "external",
            NodeState::Removed => "removed",
            NodeState::Crashed => "crashed",
            NodeState::Paused => "paused",
        }
    }
}

/// Where a connection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnPhase {
    /// Nobody binds the endpoint yet.
    Pending,
    Handshaking,
    Up,
    Closed,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SocketView {
    pub id: SocketId,
    pub node: NodeId,
    pub name: String,
    pub kind: SocketKind,
    pub sndhwm: u32,
    pub rcvhwm: u32,
    pub binds: Vec<Endpoint>,
    pub connects: Vec<Endpoint>,
    pub subscriptions: Vec<Payload>,
    pub fsm: Option<FsmState>,
    pub alive: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnView {
    pub id: ConnId,
    pub connecter: SocketId,
    /// `None` while nobody binds the endpoint.
    pub binder: Option<SocketId>,
    pub endpoint: Endpoint,
    pub state: ConnPhase,
    pub pipes: Vec<PipeView>,
}

impl ConnView {
    /// Which of its pipes `sender` sends on (its `dir`, as in
    /// [`WireMsg::dir`]); `None` if `sender` is not at either end yet.
    pub fn pipe_from(&self, sender: SocketId) -> Option<u8> {
        self.pipes
            .iter()
            .position(|pipe| pipe.from == Some(sender))
            .and_then(|dir| u8::try_from(dir).ok())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipeView {
    /// `None` for the unbound end of a pending connection.
    pub from: Option<SocketId>,
    pub to: Option<SocketId>,
    /// In the sender's queue, on the wire, in the receiver's queue.
    pub sending: u32,
    pub on_wire: u32,
    pub receiving: u32,
    pub sndhwm: u32,
    pub rcvhwm: u32,
    pub latency: Tick,
    /// Queued message ids in order (at most 64).
    pub queued: Vec<MsgId>,
}

/// A message on a wire, for drawing it between its two sockets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireMsg {
    pub conn: ConnId,
    /// 0: connecter → binder; 1: binder → connecter.
    pub dir: u8,
    pub msg: MsgId,
    pub payload: Payload,
    /// When it left (its arrival less the pipe's current latency).
    pub left: Tick,
    pub arrives: Tick,
}

/// Where in a pipe a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// In the sender's queue (SNDHWM).
    Sending,
    /// On the wire.
    Wire,
    /// In the receiver's queue (RCVHWM), not read yet.
    Receiving,
}

/// One message in a pipe, for an inspector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipeMsg {
    pub stage: Stage,
    pub msg: MsgId,
    pub payload: Payload,
    /// On the wire: when it arrives.
    pub arrives: Option<Tick>,
}

/// A node program's timing settings (what `set_interval` and
/// `set_service` change); `None` where the program has no such setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeTiming {
    pub interval: Option<Dist>,
    pub service: Option<Dist>,
}

/// The π tally's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PiTally {
    pub node: String,
    pub p: u64,
    pub q: u64,
    pub yes: u64,
    pub no: u64,
    pub estimate: Option<f64>,
}

/// What `fanout sim --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub now: Tick,
    pub events: u64,
    pub trace_digest: String,
    pub nodes: BTreeMap<String, NodeCounters>,
    pub drops: Drops,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pi_estimate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tally: Option<PiTally>,
    /// What happened to every task, beside what each queue's configuration
    /// promises (scenarios with a broker; with the `reliability` feature,
    /// as the next).
    #[cfg(feature = "reliability")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<crate::broker::LedgerSummary>,
    /// Each broker's queues as they stand.
    #[cfg(feature = "reliability")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub brokers: Vec<BrokerView>,
}

/// A broker's queues, for summaries and the lab.
#[cfg(feature = "reliability")]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerView {
    pub node: String,
    pub up: bool,
    pub queues: Vec<QueueView>,
    /// Messages on its disk.
    pub on_disk: u32,
}

#[cfg(feature = "reliability")]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub name: String,
    pub ready: u32,
    pub unacked: u32,
    /// The most messages it held ready at once.
    pub max_depth: u32,
}

impl Simulator {
    pub fn now(&self) -> Tick {
        self.now
    }
    /// Events so far (the index the next event will carry).
    pub fn steps(&self) -> u64 {
        self.steps
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn scenario_name(&self) -> &str {
        &self.scenario_name
    }
    pub fn trace_digest(&self) -> String {
        self.digest.hex()
    }
    pub fn drops(&self) -> &Drops {
        &self.drops
    }

    pub fn node_name(&self, id: NodeId) -> &str {
        self.nodes.get(id.0 as usize).map_or("?", |n| &n.name)
    }

    /// `node.socket`.
    pub fn socket_label(&self, id: SocketId) -> String {
        match self.sockets.get(id.0 as usize) {
            Some(s) => format!("{}.{}", self.node_name(s.node), s.name),
            None => "?".into(),
        }
    }

    pub fn node_counters(&self, id: NodeId) -> Option<&NodeCounters> {
        self.nodes.get(id.0 as usize).map(|n| &n.counters)
    }

    /// The first tally's counts (the π scenario's).
    pub fn pi_tally(&self) -> Option<PiTally> {
        self.nodes.iter().filter(|n| n.alive).find_map(|n| {
            n.program.tally().map(|t| PiTally {
                node: n.name.to_string(),
                p: t.p,
                q: t.q,
                yes: t.p / 4,
                no: t.q - t.p / 4,
                estimate: t.estimate(),
            })
        })
    }

    pub fn summary(&self) -> Summary {
        let tally = self.pi_tally();
        Summary {
            scenario: self.scenario_name.clone(),
            seed: self.seed,
            now: self.now,
            events: self.steps,
            trace_digest: self.trace_digest(),
            nodes: self
                .nodes
                .iter()
                .map(|n| (n.name.to_string(), n.counters.clone()))
                .collect(),
            drops: self.drops.clone(),
            pi_estimate: tally.as_ref().and_then(|t| t.estimate),
            tally,
            #[cfg(feature = "reliability")]
            ledger: self.ledger(),
            #[cfg(feature = "reliability")]
            brokers: self.brokers(),
        }
    }

    /// A task program waiting on its broker connection shows as blocked.
    fn waits_on_broker(&self, _n: &super::simulator::NodeSlot) -> bool {
        #[cfg(feature = "reliability")]
        return _n.rel.broker_wait.is_some();
        #[cfg(not(feature = "reliability"))]
        false
    }

    /// A task program's broker connection: the broker its spec names,
    /// and whether the connection is open now.
    #[cfg(feature = "reliability")]
    fn broker_link_view(&self, id: NodeId) -> Option<BrokerLinkView> {
        let client = self.nodes.get(id.0 as usize)?.program.broker_client()?;
        let broker = self.node_id(client.broker).ok()?;
        let role = if client.consume.is_some() {
            BrokerRole::Consumes
        } else {
            BrokerRole::Publishes
        };
        let open = self
            .rel
            .link_of
            .get(&id)
            .and_then(|&l| self.rel.links.get(l as usize))
            .is_some_and(|l| l.broker_open.is_some() && !l.stalled);
        Some(BrokerLinkView { broker, open, role })
    }

    /// Every broker's queues now.
    #[cfg(feature = "reliability")]
    pub fn brokers(&self) -> Vec<BrokerView> {
        self.nodes
            .iter()
            .filter(|n| n.alive)
            .filter_map(|n| {
                let b = n.program.broker()?;
                Some(BrokerView {
                    node: n.name.to_string(),
                    up: b.is_up(),
                    on_disk: b.store().len() as u32,
                    queues: b
                        .queues()
                        .map(|q| QueueView {
                            name: q.spec.name.clone(),
                            ready: q.depth(),
                            unacked: b.unacked_in(&q.spec.name),
                            max_depth: q.max_depth,
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// Every message on a wire, at most `limit` (oldest first per pipe):
    /// the lab's moving dots.
    pub fn in_flight(&self, limit: usize) -> Vec<WireMsg> {
        let mut out = Vec::new();
        for (i, c) in self.conns.iter().enumerate() {
            for (dir, pipe) in c.pipes.iter().enumerate() {
                for (arrives, m) in pipe.wire() {
                    if out.len() >= limit {
                        return out;
                    }
                    out.push(WireMsg {
                        conn: ConnId(i as u32),
                        dir: dir as u8,
                        msg: m.id,
                        payload: m.payload.clone(),
                        left: arrives.saturating_sub(pipe.latency),
                        arrives: *arrives,
                    });
                }
            }
        }
        out
    }

    /// The messages of one pipe (`dir` as in [`WireMsg`]) in order, every
    /// stage, at most `limit`.
    pub fn pipe_messages(&self, conn: ConnId, dir: u8, limit: usize) -> Vec<PipeMsg> {
        let Some(pipe) = self
            .conns
            .get(conn.0 as usize)
            .and_then(|c| c.pipes.get(usize::from(dir)))
        else {
            return Vec::new();
        };
        let sending = pipe.sending().iter().map(|m| (Stage::Sending, m, None));
        let wire = pipe.wire().iter().map(|(t, m)| (Stage::Wire, m, Some(*t)));
        let receiving = pipe.receiving().iter().map(|m| (Stage::Receiving, m, None));
        sending
            .chain(wire)
            .chain(receiving)
            .take(limit)
            .map(|(stage, m, arrives)| PipeMsg {
                stage,
                msg: m.id,
                payload: m.payload.clone(),
                arrives,
            })
            .collect()
    }

    /// A node's interval and service time, as it runs now.
    pub fn node_timing(&self, id: NodeId) -> NodeTiming {
        self.nodes
            .get(id.0 as usize)
            .map(|n| NodeTiming {
                interval: n.program.interval(),
                service: n.program.service(),
            })
            .unwrap_or_default()
    }

    pub fn topology(&self) -> Topology {
        let nodes = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| NodeView {
                id: NodeId(i as u32),
                name: n.name.to_string(),
                program: n.program_kind.to_string(),
                state: if !n.alive {
                    NodeState::Removed
                } else if n.crashed {
                    NodeState::Crashed
                } else if n.paused.is_some() {
                    NodeState::Paused
                } else if !n.started {
                    NodeState::WaitingToStart
                } else if n.program.is_external() {
                    NodeState::External
                } else if n.halted {
                    NodeState::Halted
                } else if n.blocked.is_some() || self.waits_on_broker(n) {
                    NodeState::Blocked
                } else if n.sleeping {
                    NodeState::Sleeping
                } else {
                    NodeState::Running
                },
                blocked_on: n.blocked,
                #[cfg(feature = "reliability")]
                waits_for: n.rel.broker_wait,
                #[cfg(feature = "reliability")]
                broker_link: self.broker_link_view(NodeId(i as u32)),
                sockets: n.sockets.clone(),
                counters: n.counters.clone(),
            })
            .collect();
        let sockets = self
            .sockets
            .iter()
            .enumerate()
            .map(|(i, s)| SocketView {
                id: SocketId(i as u32),
                node: s.node,
                name: s.name.to_string(),
                kind: s.role.kind(),
                sndhwm: s.sndhwm,
                rcvhwm: s.rcvhwm,
                binds: s.binds.clone(),
                connects: s.connects.iter().map(|c| c.endpoint.clone()).collect(),
                subscriptions: match &s.role {
                    Role::Sub(sub) => sub.subs.topics().cloned().collect(),
                    _ => Vec::new(),
                },
                fsm: s.role.fsm_state(),
                alive: s.alive,
            })
            .collect();
        let conns = self
            .conns
            .iter()
            .enumerate()
            .map(|(i, c)| ConnView {
                id: ConnId(i as u32),
                connecter: c.connecter,
                binder: c.binder,
                endpoint: c.endpoint.clone(),
                state: match c.state {
                    ConnState::Pending => ConnPhase::Pending,
                    ConnState::Handshaking => ConnPhase::Handshaking,
                    ConnState::Up => ConnPhase::Up,
                    ConnState::Closed => ConnPhase::Closed,
                },
                pipes: (0..2)
                    .map(|d| {
                        let p = &c.pipes[d];
                        let (from, to) = if d == 0 {
                            (Some(c.connecter), c.binder)
                        } else {
                            (c.binder, Some(c.connecter))
                        };
                        let (sending, on_wire, receiving) = p.depths();
                        let mut queued = p.queued_ids();
                        queued.truncate(64);
                        PipeView {
                            from,
                            to,
                            sending: sending as u32,
                            on_wire: on_wire as u32,
                            receiving: receiving as u32,
                            sndhwm: p.sndhwm(),
                            rcvhwm: p.rcvhwm(),
                            latency: p.latency,
                            queued,
                        }
                    })
                    .collect(),
            })
            .collect();
        Topology {
            now: self.now,
            steps: self.steps,
            nodes,
            sockets,
            conns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Scenario, Timeline, timeline::ScenarioRef};

    /// The wire view agrees with the topology's counts and with the
    /// inspector's per-pipe list.
    #[test]
    fn in_flight_matches_the_pipe_depths() {
        let mut sim = Simulator::new(&Scenario::preset("pipeline").unwrap(), 2).unwrap();
        let mut seen_wire = false;
        for _ in 0..3000 {
            sim.step();
            let wire = sim.in_flight(usize::MAX);
            let topo = sim.topology();
            let on_wire: u32 = topo
                .conns
                .iter()
                .flat_map(|c| &c.pipes)
                .map(|p| p.on_wire)
                .sum();
            assert_eq!(wire.len() as u32, on_wire);
            seen_wire |= !wire.is_empty();
            for w in &wire {
                assert!(w.left <= w.arrives);
                assert!(w.arrives >= sim.now());
                let listed = sim.pipe_messages(w.conn, w.dir, usize::MAX);
                assert!(listed.iter().any(|m| m.msg == w.msg
                    && m.stage == Stage::Wire
                    && m.arrives == Some(w.arrives)));
            }
            for c in &topo.conns {
                for (dir, p) in c.pipes.iter().enumerate() {
                    let listed = sim.pipe_messages(c.id, dir as u8, usize::MAX);
                    assert_eq!(listed.len() as u32, p.sending + p.on_wire + p.receiving);
                    let ids: Vec<MsgId> = listed.iter().map(|m| m.msg).take(64).collect();
                    assert_eq!(ids, p.queued);
                }
            }
        }
        assert!(seen_wire);
        assert_eq!(sim.in_flight(0), Vec::new());
    }

    /// `pipe_from` names the pipe every departing message travels on, as
    /// the wire view does, in both directions of REQ/REP.
    #[test]
    fn a_departure_travels_on_the_pipe_its_sender_sends_on() {
        let mut sim = Simulator::new(&Scenario::preset("rpc").unwrap(), 3).unwrap();
        let mut dirs = std::collections::BTreeSet::new();
        for _ in 0..2000 {
            let event = sim.step().unwrap();
            if let crate::sim::EventKind::Depart {
                conn, from, first, ..
            } = event.kind
            {
                let topo = sim.topology();
                let dir = topo.conns[conn.0 as usize].pipe_from(from).unwrap();
                let wire = sim.in_flight(usize::MAX);
                let drawn = wire.iter().find(|w| w.msg == first).unwrap();
                assert_eq!(dir, drawn.dir);
                dirs.insert(dir);
            }
        }
        assert_eq!(dirs.len(), 2, "requests and replies both left");
    }

    #[test]
    fn node_timing_follows_edits() {
        let mut sim = Simulator::new(&Scenario::preset("pi").unwrap(), 1).unwrap();
        let bitsource = sim.node_id("bitsource").unwrap();
        let pythagoras = sim.node_id("pythagoras").unwrap();
        let judge = sim.node_id("judge").unwrap();
        assert_eq!(
            sim.node_timing(bitsource).interval,
            Some(Dist::Constant(Tick::from_millis(10)))
        );
        assert_eq!(sim.node_timing(bitsource).service, None);
        assert!(sim.node_timing(pythagoras).service.is_some());
        assert_eq!(sim.node_timing(judge), NodeTiming::default());
        sim.apply(crate::sim::Action::SetInterval {
            node: "bitsource".into(),
            interval: Dist::Constant(Tick::from_millis(2)),
        })
        .unwrap();
        assert_eq!(
            sim.node_timing(bitsource).interval,
            Some(Dist::Constant(Tick::from_millis(2)))
        );
    }

    /// Playing frame by frame with `step_until` and `advance_idle` lands
    /// exactly where `run_until` does.
    #[test]
    fn frame_by_frame_equals_run_until() {
        let scenario = ScenarioRef::Preset("pi".into());
        let mut a = Timeline::new(scenario.clone(), 5).unwrap();
        let mut b = Timeline::new(scenario, 5).unwrap();
        a.run_until(Tick::from_millis(250));
        let mut limit = Tick::ZERO;
        while limit < Tick::from_millis(250) {
            limit = limit
                .saturating_add(Tick(16_667))
                .min(Tick::from_millis(250));
            while b.step_until(limit).is_some() {}
            b.advance_idle(limit);
        }
        assert_eq!(a.sim().trace_digest(), b.sim().trace_digest());
        assert_eq!(a.recording(), b.recording());
    }

    #[test]
    fn node_state_names_are_their_wire_names() {
        for state in [
            super::NodeState::WaitingToStart,
            super::NodeState::Running,
            super::NodeState::Blocked,
            super::NodeState::Sleeping,
            super::NodeState::Halted,
            super::NodeState::External,
            super::NodeState::Removed,
        ] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.name());
        }
    }
}
