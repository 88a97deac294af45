//! The reliability engine's seam in the simulator: the state it keeps
//! beside the ZeroMQ network (faults in force, broker connections, frames
//! on their way, the ledger), its scheduled tasks, and the hooks the
//! network and the node loop call. Compiled only with the `reliability`
//! feature (shared/Cargo.toml): the simulator holds one [`Reliability`]
//! field and one [`Task`] variant, so a page built without the feature
//! carries none of faults, brokers or their ledger.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use super::{
    NodeId, Simulator,
    broker_event::{CloseWhy, Side, WaitWhy},
    broker_net::{BrokerLink, InFlight},
    event::EventKind,
    fault::{CrashPoint, LinkFault, Partition, ScheduledFault},
    simulator::TaskKind,
};
use crate::{
    broker::{Ledger, idempotency::ProcessedTable},
    rng::SimRng,
    socket::ConnId,
    time::Tick,
};

/// The simulator's reliability state.
#[derive(Clone, Debug)]
pub(crate) struct Reliability {
    /// The randomness of the network itself (jitter, drops, duplicates),
    /// apart from every node's.
    pub net_rng: SimRng,
    pub partitions: Vec<Partition>,
    pub link_faults: Vec<LinkFault>,
    pub next_fault: u32,
    pub scheduled_faults: Arc<[ScheduledFault]>,
    /// Broker connections, one per client node, and which is whose.
    pub links: Vec<BrokerLink>,
    pub link_of: BTreeMap<NodeId, u32>,
    /// Broker-protocol frames on their way, by number.
    pub frames: BTreeMap<u64, InFlight>,
    pub next_frame: u64,
    /// Brokers with a `Dispatch` task pending, and their next timer.
    pub dispatching: BTreeSet<NodeId>,
    pub broker_timers: BTreeMap<NodeId, Tick>,
    pub next_task: u64,
    pub ledger: Ledger,
    pub processed: ProcessedTable,
}

impl Reliability {
    pub fn new(seed: u64, faults: &[ScheduledFault]) -> Reliability {
        Reliability {
            // The empty name is no node's (names may not be blank).
            net_rng: SimRng::for_node(seed, ""),
            partitions: Vec::new(),
            link_faults: Vec::new(),
            next_fault: 0,
            scheduled_faults: faults.to_vec().into(),
            links: Vec::new(),
            link_of: BTreeMap::new(),
            frames: BTreeMap::new(),
            next_frame: 0,
            dispatching: BTreeSet::new(),
            broker_timers: BTreeMap::new(),
            next_task: 0,
            ledger: Ledger::default(),
            processed: ProcessedTable::default(),
        }
    }
}

/// A node's part of it.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeReliability {
    /// A crash waiting for a point in its work, and its duration.
    pub armed: Option<(CrashPoint, Option<Tick>)>,
    /// Its crash point was reached: no more turns until it crashes.
    pub crash_pending: bool,
    /// A broker call it waits on.
    pub broker_wait: Option<WaitWhy>,
}

/// A scheduled cause of the reliability engine. Tasks about a node carry
/// its incarnation (`epoch`), as the simulator's own do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Task {
    /// An armed crash fires (the node reached its crash point).
    ArmedCrash(NodeId, u32),
    /// A crashed node restarts (a crash with a duration).
    Restart(NodeId, u32),
    /// A pause with a duration ends (the pause's number).
    PauseEnd(NodeId, u32),
    /// A timed partition or link fault ends.
    HealFault(u32),
    /// TCP gives up on a connection that cannot get through (its stall).
    GiveUpConn(ConnId, u32),
    /// The same for a broker connection (link, stall).
    GiveUpLink(u32, u32),
    /// A fault the scenario schedules.
    ScenarioFault(u32),
    /// A client's connection to its broker completes (link, session).
    LinkConnect(u32, u32),
    /// One side of a broker connection learns it is closed.
    LinkClose(u32, u32, Side, CloseWhy),
    /// A broker-protocol frame arrives.
    FrameArrive(u64),
    /// A broker hands out its next delivery.
    Dispatch(NodeId),
    /// A broker's ack deadline may have passed.
    BrokerTimer(NodeId),
    /// A client's held work is due (an ETA, a republish) (link, session).
    ClientTimer(u32, u32),
}

impl From<Task> for TaskKind {
    fn from(task: Task) -> TaskKind {
        TaskKind::Reliability(task)
    }
}

impl Simulator {
    /// Applies one of the reliability engine's tasks (`task` is the same,
    /// as scheduled: a paused node's work is put aside whole).
    pub(crate) fn apply_reliability_task(
        &mut self,
        rel: Task,
        task: TaskKind,
    ) -> Option<EventKind> {
        match rel {
            Task::ArmedCrash(node, epoch) => {
                if !self.current(node, epoch) {
                    return None;
                }
                let duration = self.nodes[node.0 as usize]
                    .rel
                    .armed
                    .take()
                    .and_then(|(_, d)| d);
                Some(self.crash_node(node, duration))
            }
            Task::Restart(node, epoch) => {
                let n = self.nodes.get(node.0 as usize)?;
                if !n.alive || !n.crashed || n.epoch != epoch {
                    return None;
                }
                Some(self.restart_node(node))
            }
            Task::PauseEnd(node, id) => {
                let n = self.nodes.get(node.0 as usize)?;
                if n.paused.map(|(_, p)| p) != Some(id) || n.crashed {
                    return None;
                }
                Some(self.resume_node(node))
            }
            Task::HealFault(id) => self.heal_fault(id),
            Task::GiveUpConn(conn, stall) => self.give_up_conn(conn, stall),
            Task::GiveUpLink(link, stall) => self.give_up_link(link, stall),
            Task::ScenarioFault(index) => Some(self.scenario_fault(index)),
            Task::LinkConnect(link, session) => self.link_connect(link, session, task),
            Task::LinkClose(link, session, side, why) => {
                self.link_close(link, session, side, why, task)
            }
            Task::FrameArrive(id) => self.frame_arrive(id, task),
            Task::Dispatch(broker) => self.dispatch_task(broker, task),
            Task::BrokerTimer(broker) => self.broker_timer(broker, task),
            Task::ClientTimer(link, session) => self.client_timer(link, session, task),
        }
    }

    /// A node is removed: its broker connection, or its broker, goes as in
    /// a crash.
    pub(crate) fn broker_node_removed(&mut self, id: NodeId) {
        if let Some(&link) = self.rel.link_of.get(&id) {
            self.client_crashed(link);
        }
        if let Some(b) = self.nodes[id.0 as usize].program.broker_mut() {
            b.crash();
            self.broker_crashed(id);
        }
    }

    /// Does the node wait on something of the reliability engine (a broker
    /// call, or a crash about to fire)? It takes no turn meanwhile.
    pub(crate) fn reliability_holds(&self, node: NodeId) -> bool {
        let r = &self.nodes[node.0 as usize].rel;
        r.broker_wait.is_some() || r.crash_pending
    }
}
