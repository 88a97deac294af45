//! The discrete-event simulator: a queue of timed tasks, applied one per
//! [`Simulator::step`], each producing exactly one trace [`Event`].
//!
//! A task is an internal cause (a node's turn to run, a message reaching
//! the end of a wire, a handshake completing); the event is what the
//! learner sees. Tasks at the same tick run in the order they were
//! scheduled (a sequence number breaks ties), so a run is a pure function
//! of (scenario, seed, actions). Tasks made stale by an edit (a closed
//! connection, a removed node) are skipped without an event.

use std::{
    cmp::Ordering,
    collections::{BTreeMap, BinaryHeap, VecDeque},
    sync::Arc,
};

use super::{
    NodeId,
    digest::TraceDigest,
    event::{Event, EventKind},
    nodes::{Op, Program, Resume},
    scenario::{ConnectSpec, Network, NodeSpec, Scenario, ScenarioError},
    stats::{Drops, NodeCounters},
};
#[cfg(feature = "reliability")]
use super::{
    fault::CrashPoint,
    reliability::{NodeReliability, Reliability},
};
use crate::{
    rng::SimRng,
    socket::{ConnId, Endpoint, OpKind, Payload, Role, SocketId, pipe::Pipe},
    time::Tick,
};

/// A scheduled cause. Tasks about a node carry its incarnation (`epoch`,
/// raised by a crash), so nothing of a crashed process reaches the
/// restarted one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaskKind {
    /// A node starts: binds, connects, then runs its program.
    Start(NodeId, u32),
    /// A node performs its next call.
    Run(NodeId, u32),
    /// A node's sleep ends.
    Timer(NodeId, u32),
    /// A node blocked in send on this socket may retry.
    Unblock(NodeId, SocketId, u32),
    /// A node's poll gives up (its poll number).
    PollTimeout(NodeId, u32),
    /// The reliability engine's tasks: faults, broker connections
    /// (`sim/reliability.rs`; with the `reliability` feature).
    #[cfg(feature = "reliability")]
    Reliability(super::reliability::Task),
    /// A pipe's sender stage pushes what it can onto the wire.
    Flush(ConnId, u8),
    /// A message on a pipe's wire reaches the receiver.
    Arrive(ConnId, u8),
    Handshake(ConnId),
    /// A subscription change reaches a publisher.
    SubArrive(ConnId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Task {
    pub time: Tick,
    pub seq: u64,
    pub kind: TaskKind,
}

/// Earliest first, then first scheduled (BinaryHeap is a max-heap).
impl Ord for Task {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Task {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Clone, Debug)]
pub(crate) struct NodeSlot {
    pub name: Arc<str>,
    /// As the scenario (or `add_node`) gave it: a restart (a fault, with
    /// the `reliability` feature) starts from it.
    #[cfg(feature = "reliability")]
    pub spec: Arc<NodeSpec>,
    pub program_kind: &'static str,
    pub program: Program,
    pub sockets: Vec<SocketId>,
    pub rng: SimRng,
    pub alive: bool,
    pub started: bool,
    pub halted: bool,
    pub sleeping: bool,
    /// A `Run` task is pending.
    pub scheduled: bool,
    /// The call to retry once its socket is ready.
    pub next_op: Option<Op>,
    /// The outcome of the last call, fed to the program on its next turn.
    pub resume: Resume,
    pub blocked: Option<(SocketId, OpKind)>,
    pub counters: NodeCounters,
    /// Its process died and was not restarted.
    pub crashed: bool,
    /// Its incarnation: tasks of an earlier one are ignored.
    pub epoch: u32,
    /// Paused (a stalled process): until when (`None`: until `resume`),
    /// and the pause's number.
    pub paused: Option<(Option<Tick>, u32)>,
    /// Turns and arrivals that came during a pause, run when it ends.
    pub deferred: Vec<TaskKind>,
    /// A poll in progress.
    pub poll: Option<super::poll::PollState>,
    /// Its armed crash and broker call (`sim/reliability.rs`).
    #[cfg(feature = "reliability")]
    pub rel: NodeReliability,
}

#[derive(Clone, Debug)]
pub(crate) struct ConnectSlot {
    pub endpoint: Endpoint,
    pub latency: Tick,
    pub handshake: Tick,
    /// The live connection, if the endpoint is bound.
    pub conn: Option<ConnId>,
}

#[derive(Clone, Debug)]
pub(crate) struct SocketSlot {
    pub node: NodeId,
    pub name: Arc<str>,
    pub role: Role,
    pub sndhwm: u32,
    pub rcvhwm: u32,
    pub binds: Vec<Endpoint>,
    pub connects: Vec<ConnectSlot>,
    /// Open connections (handshaking or up), in creation order.
    pub conns: Vec<ConnId>,
    pub alive: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConnState {
    /// Nobody binds the endpoint yet. The connecting socket already has
    /// its pipe and may queue into it, as libzmq's does (ZMQ_IMMEDIATE off).
    Pending,
    Handshaking,
    Up,
    Closed,
}

#[derive(Clone, Debug)]
pub(crate) struct Conn {
    pub connecter: SocketId,
    /// `None` while the connection is pending.
    pub binder: Option<SocketId>,
    pub endpoint: Endpoint,
    pub state: ConnState,
    /// `[connecter → binder, binder → connecter]`.
    pub pipes: [Pipe; 2],
    /// Subscription changes travelling from the SUB end to the PUB end.
    pub subs_wire: VecDeque<(Tick, Payload, bool)>,
    /// A partition holds it: TCP will give up if it lasts (`stall` counts
    /// such spells, so a healed one's give-up is ignored; faults are the
    /// `reliability` feature's).
    #[cfg(feature = "reliability")]
    pub stalled: bool,
    #[cfg(feature = "reliability")]
    pub stall: u32,
    /// Its handshake could not cross a partition; it completes on heal.
    pub handshake_held: bool,
}

impl Conn {
    /// The pipe index `socket` writes into.
    pub fn out_dir(&self, socket: SocketId) -> usize {
        usize::from(socket != self.connecter)
    }
    /// The pipe index `socket` reads from.
    pub fn in_dir(&self, socket: SocketId) -> usize {
        usize::from(socket == self.connecter)
    }
    /// The socket at the other end (`None` while pending).
    pub fn peer_of(&self, socket: SocketId) -> Option<SocketId> {
        if socket == self.connecter {
            self.binder
        } else {
            Some(self.connecter)
        }
    }
    /// (sender, receiver) of pipe `dir`, once the endpoint is bound
    /// (nothing crosses a pending connection).
    pub fn ends(&self, dir: usize) -> (SocketId, SocketId) {
        let binder = self.binder.unwrap_or(self.connecter);
        if dir == 0 {
            (self.connecter, binder)
        } else {
            (binder, self.connecter)
        }
    }
}

/// The whole simulated world. `Clone` is a snapshot.
#[derive(Clone, Debug)]
pub struct Simulator {
    pub(crate) scenario_name: String,
    pub(crate) seed: u64,
    pub(crate) network: Network,
    pub(crate) now: Tick,
    pub(crate) steps: u64,
    pub(crate) seq: u64,
    /// Tasks due later than now.
    pub(crate) queue: BinaryHeap<Task>,
    /// Tasks scheduled for the current tick, in order: most tasks (a
    /// node's next turn, a flush) are due at once, and a FIFO serves them
    /// without the heap's cost. Popping compares both by (time, seq), so
    /// the order is exactly the heap's.
    pub(crate) ready: VecDeque<Task>,
    pub(crate) nodes: Vec<NodeSlot>,
    pub(crate) sockets: Vec<SocketSlot>,
    pub(crate) conns: Vec<Conn>,
    pub(crate) endpoints: BTreeMap<Endpoint, SocketId>,
    pub(crate) next_msg: u64,
    pub(crate) drops: Drops,
    pub(crate) digest: TraceDigest,
    /// Faults in force, broker connections, the ledger
    /// (`sim/reliability.rs`; with the `reliability` feature).
    #[cfg(feature = "reliability")]
    pub(crate) rel: Reliability,
}

impl Simulator {
    /// A simulator at time 0 for a validated scenario; same scenario and
    /// seed, same run.
    pub fn new(scenario: &Scenario, seed: u64) -> Result<Simulator, ScenarioError> {
        scenario.validate()?;
        let mut sim = Simulator {
            scenario_name: scenario.name.clone(),
            seed,
            network: scenario.network.clone(),
            now: Tick::ZERO,
            steps: 0,
            seq: 0,
            queue: BinaryHeap::new(),
            ready: VecDeque::new(),
            nodes: Vec::new(),
            sockets: Vec::new(),
            conns: Vec::new(),
            endpoints: BTreeMap::new(),
            next_msg: 0,
            drops: Drops::default(),
            digest: TraceDigest::default(),
            #[cfg(feature = "reliability")]
            rel: Reliability::new(seed, &scenario.faults),
        };
        for spec in &scenario.nodes {
            sim.add_node_unchecked(spec)?;
        }
        #[cfg(feature = "reliability")]
        for (index, fault) in scenario.faults.iter().enumerate() {
            sim.schedule(
                fault.at,
                super::reliability::Task::ScenarioFault(index as u32),
            );
        }
        Ok(sim)
    }

    /// A preset by name, or a scenario file's JSON text.
    pub fn from_json(text: &str, seed: u64) -> Result<Simulator, ScenarioError> {
        Simulator::new(&Scenario::from_json(text)?, seed)
    }

    /// Creates a node and its sockets and schedules its start.
    pub(crate) fn add_node_unchecked(&mut self, spec: &NodeSpec) -> Result<NodeId, ScenarioError> {
        let base = self.sockets.len() as u32;
        let program = spec.program.build(&spec.name, &spec.resolver(base))?;
        let id = NodeId(self.nodes.len() as u32);
        let socket_ids = self.make_sockets(id, spec);
        self.nodes.push(NodeSlot {
            name: Arc::from(spec.name.as_str()),
            #[cfg(feature = "reliability")]
            spec: Arc::new(spec.clone()),
            program_kind: spec.program.kind_name(),
            program,
            sockets: socket_ids,
            rng: SimRng::for_node(self.seed, &spec.name),
            alive: true,
            started: false,
            halted: false,
            sleeping: false,
            scheduled: false,
            next_op: None,
            resume: Resume::Start,
            blocked: None,
            counters: NodeCounters::default(),
            crashed: false,
            epoch: 0,
            paused: None,
            deferred: Vec::new(),
            poll: None,
            #[cfg(feature = "reliability")]
            rel: NodeReliability::default(),
        });
        let at = spec.start.max(self.now);
        self.schedule(at, TaskKind::Start(id, 0));
        Ok(id)
    }

    /// Creates a node's sockets as its spec declares them, numbered in
    /// order (programs resolve their roles by that order).
    pub(crate) fn make_sockets(&mut self, id: NodeId, spec: &NodeSpec) -> Vec<SocketId> {
        let mut socket_ids = Vec::with_capacity(spec.sockets.len());
        for s in &spec.sockets {
            socket_ids.push(self.make_socket(id, Arc::new(s.clone())));
        }
        socket_ids
    }

    /// One socket as its spec says (not yet bound or connected).
    pub(crate) fn make_socket(
        &mut self,
        node: NodeId,
        s: Arc<super::scenario::SocketSpec>,
    ) -> SocketId {
        let sid = SocketId(self.sockets.len() as u32);
        let mut role = Role::new(s.kind);
        if let Role::Sub(sub) = &mut role {
            for topic in &s.subscribe {
                sub.subs.subscribe(&Payload::from(topic.as_str()));
            }
        }
        self.sockets.push(SocketSlot {
            node,
            name: Arc::from(s.name.as_str()),
            role,
            sndhwm: s.sndhwm.unwrap_or(self.network.sndhwm),
            rcvhwm: s.rcvhwm.unwrap_or(self.network.rcvhwm),
            binds: s.bind.clone(),
            connects: s.connect.iter().map(|c| self.connect_slot(c)).collect(),
            conns: Vec::new(),
            alive: true,
        });
        sid
    }

    pub(crate) fn connect_slot(&self, c: &ConnectSpec) -> ConnectSlot {
        ConnectSlot {
            endpoint: c.endpoint.clone(),
            latency: c.latency.unwrap_or(self.network.latency),
            handshake: c.handshake.unwrap_or(self.network.handshake),
            conn: None,
        }
    }

    pub(crate) fn schedule(&mut self, time: Tick, kind: impl Into<TaskKind>) {
        let kind = kind.into();
        self.seq += 1;
        let task = Task {
            time,
            seq: self.seq,
            kind,
        };
        if time == self.now {
            self.ready.push_back(task);
        } else {
            self.queue.push(task);
        }
    }

    /// The next task if it is due by `limit`.
    fn pop_task(&mut self, limit: Tick) -> Option<Task> {
        let from_ready = match (self.ready.front(), self.queue.peek()) {
            (Some(r), Some(h)) => (r.time, r.seq) < (h.time, h.seq),
            (Some(_), None) => true,
            (None, _) => false,
        };
        if from_ready {
            if self.ready.front()?.time > limit {
                return None;
            }
            self.ready.pop_front()
        } else {
            if self.queue.peek()?.time > limit {
                return None;
            }
            self.queue.pop()
        }
    }

    /// Gives a node its next turn now (once; a pending turn is kept).
    pub(crate) fn schedule_run(&mut self, node: NodeId) {
        let n = &mut self.nodes[node.0 as usize];
        if !n.scheduled {
            n.scheduled = true;
            let epoch = n.epoch;
            self.schedule(self.now, TaskKind::Run(node, epoch));
        }
    }

    /// Schedules the pipe's departure task if something can leave.
    pub(crate) fn schedule_flush(&mut self, conn: ConnId, dir: usize) {
        let pipe = &mut self.conns[conn.0 as usize].pipes[dir];
        if !pipe.flush_scheduled && pipe.can_depart() {
            pipe.flush_scheduled = true;
            self.schedule(self.now, TaskKind::Flush(conn, dir as u8));
        }
    }

    /// Wakes a node blocked sending on `socket` (through an `Unblock` event).
    pub(crate) fn wake_sender(&mut self, socket: SocketId) {
        let node = self.sockets[socket.0 as usize].node;
        let n = &self.nodes[node.0 as usize];
        if n.blocked == Some((socket, OpKind::Send)) {
            let epoch = n.epoch;
            self.schedule(self.now, TaskKind::Unblock(node, socket, epoch));
        }
    }

    /// Wakes a node blocked receiving on `socket`; returns it.
    pub(crate) fn wake_receiver(&mut self, socket: SocketId) -> Option<NodeId> {
        let node = self.sockets[socket.0 as usize].node;
        let n = &mut self.nodes[node.0 as usize];
        if n.blocked == Some((socket, OpKind::Recv)) {
            n.blocked = None;
            self.schedule_run(node);
            Some(node)
        } else {
            None
        }
    }

    /// Is the node's process stopped (paused)? A task for it then waits
    /// for the pause to end; returns `true` if it was put aside.
    pub(crate) fn defer_if_paused(&mut self, node: NodeId, task: TaskKind) -> bool {
        match self.nodes.get_mut(node.0 as usize) {
            Some(n) if n.paused.is_some() && !n.crashed => {
                n.deferred.push(task);
                true
            }
            _ => false,
        }
    }

    /// Is the node alive, not crashed, and in incarnation `epoch`?
    pub(crate) fn current(&self, node: NodeId, epoch: u32) -> bool {
        self.nodes
            .get(node.0 as usize)
            .is_some_and(|n| n.alive && !n.crashed && n.epoch == epoch)
    }

    pub(crate) fn record(&mut self, kind: EventKind) -> Event {
        let event = Event {
            step: self.steps,
            time: self.now,
            kind,
        };
        self.digest.feed(&event);
        self.steps += 1;
        event
    }

    /// Applies exactly one event and returns it; `None` when nothing is
    /// scheduled any more.
    pub fn step(&mut self) -> Option<Event> {
        self.step_until(Tick::MAX)
    }

    /// Like [`step`](Self::step) but never past `limit`.
    pub fn step_until(&mut self, limit: Tick) -> Option<Event> {
        while let Some(task) = self.pop_task(limit) {
            self.now = task.time;
            if let Some(kind) = self.apply_task(task.kind) {
                return Some(self.record(kind));
            }
        }
        None
    }

    /// Runs every event up to and including time `t`, then sets the clock
    /// to `t`. Returns how many events ran. This is also the real-time
    /// driver's call: `run_until(elapsed wall time)`.
    pub fn run_until(&mut self, t: Tick) -> u64 {
        self.run_until_with(t, |_| {})
    }

    /// [`run_until`](Self::run_until), handing each event to `sink`.
    pub fn run_until_with(&mut self, t: Tick, mut sink: impl FnMut(&Event)) -> u64 {
        let mut n = 0;
        while let Some(e) = self.step_until(t) {
            sink(&e);
            n += 1;
        }
        if self.now < t {
            self.now = t;
        }
        n
    }

    /// Runs exactly `n` events (fewer if the simulation goes quiet).
    pub fn run_steps(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n && self.step().is_some() {
            done += 1;
        }
        done
    }

    /// When the next event is due, for a real-time driver's timer.
    pub fn next_time(&self) -> Option<Tick> {
        let ready = self.ready.front().map(|t| t.time);
        let later = self.queue.peek().map(|t| t.time);
        match (ready, later) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn apply_task(&mut self, task: TaskKind) -> Option<EventKind> {
        match task {
            TaskKind::Start(node, epoch) => {
                if !self.current(node, epoch) || self.defer_if_paused(node, task) {
                    return None;
                }
                self.start_node(node)
            }
            TaskKind::Run(node, epoch) => {
                if !self.current(node, epoch) {
                    return None;
                }
                if self.defer_if_paused(node, task) {
                    return None;
                }
                self.run_node(node)
            }
            TaskKind::Timer(node, epoch) => {
                if !self.current(node, epoch) || self.defer_if_paused(node, task) {
                    return None;
                }
                let n = self.nodes.get_mut(node.0 as usize)?;
                if !n.sleeping {
                    return None;
                }
                n.sleeping = false;
                self.schedule_run(node);
                Some(EventKind::Timer { node })
            }
            TaskKind::Unblock(node, socket, epoch) => {
                if !self.current(node, epoch) || self.defer_if_paused(node, task) {
                    return None;
                }
                let n = self.nodes.get_mut(node.0 as usize)?;
                if n.blocked != Some((socket, OpKind::Send)) {
                    return None;
                }
                n.blocked = None;
                self.schedule_run(node);
                Some(EventKind::Unblock { node, socket })
            }
            TaskKind::PollTimeout(node, id) => self.poll_timeout(node, id, task),
            #[cfg(feature = "reliability")]
            TaskKind::Reliability(rel) => self.apply_reliability_task(rel, task),
            TaskKind::Flush(conn, dir) => self.flush(conn, usize::from(dir)),
            TaskKind::Arrive(conn, dir) => self.arrive(conn, usize::from(dir)),
            TaskKind::Handshake(conn) => self.handshake(conn),
            TaskKind::SubArrive(conn) => self.subscription_arrives(conn),
        }
    }

    fn run_node(&mut self, id: NodeId) -> Option<EventKind> {
        let n = self.nodes.get_mut(id.0 as usize)?;
        n.scheduled = false;
        if !n.alive || !n.started || n.halted || n.sleeping || n.blocked.is_some() {
            return None;
        }
        #[cfg(feature = "reliability")]
        if self.reliability_holds(id) {
            return None;
        }
        let n = &mut self.nodes[id.0 as usize];
        if n.program.is_passive() {
            return None;
        }
        let op = match n.next_op.take() {
            Some(op) => op,
            None => {
                let outcome = std::mem::take(&mut n.resume);
                n.program.resume(outcome, &mut n.rng)
            }
        };
        Some(self.perform(id, op, true))
    }

    /// Performs one call for a node. A program's node (`waits`) parks on a
    /// call that cannot complete and is resumed afterwards; an external
    /// node's call is non-blocking and nothing is scheduled for it.
    pub(crate) fn perform(&mut self, id: NodeId, op: Op, waits: bool) -> EventKind {
        use super::ops::Call;
        match op {
            Op::Send { socket, payload } => match self.call_send(socket, &payload) {
                Call::Sent { msg, route } => {
                    let state = self.sockets[socket.0 as usize].role.fsm_state();
                    let n = &mut self.nodes[id.0 as usize];
                    n.counters.sent += 1;
                    if waits {
                        n.resume = Resume::Sent;
                        self.schedule_run(id);
                    }
                    EventKind::Send {
                        node: id,
                        socket,
                        msg,
                        payload,
                        route,
                        state,
                    }
                }
                Call::Received { .. } => unreachable_event(id),
                Call::Blocked(reason) => {
                    let n = &mut self.nodes[id.0 as usize];
                    n.counters.blocked += 1;
                    if waits {
                        n.blocked = Some((socket, OpKind::Send));
                        n.next_op = Some(Op::Send {
                            socket,
                            payload: payload.clone(),
                        });
                    }
                    EventKind::Block {
                        node: id,
                        socket,
                        op: OpKind::Send,
                        reason,
                        waits,
                    }
                }
                Call::Failed(error) => self.failed(id, socket, error, waits),
            },
            Op::Recv { socket } => match self.call_recv(socket) {
                Call::Received { msg, conn } => {
                    let state = self.sockets[socket.0 as usize].role.fsm_state();
                    let n = &mut self.nodes[id.0 as usize];
                    n.counters.received += 1;
                    let msg_id = msg.id;
                    let payload = msg.payload.clone();
                    if waits {
                        n.resume = Resume::Received(msg);
                        self.schedule_run(id);
                        #[cfg(feature = "reliability")]
                        self.reached(id, CrashPoint::Recv);
                    }
                    EventKind::Recv {
                        node: id,
                        socket,
                        msg: msg_id,
                        payload,
                        conn,
                        state,
                    }
                }
                Call::Sent { .. } => unreachable_event(id),
                Call::Blocked(reason) => {
                    let n = &mut self.nodes[id.0 as usize];
                    n.counters.blocked += 1;
                    if waits {
                        n.blocked = Some((socket, OpKind::Recv));
                        n.next_op = Some(Op::Recv { socket });
                    }
                    EventKind::Block {
                        node: id,
                        socket,
                        op: OpKind::Recv,
                        reason,
                        waits,
                    }
                }
                Call::Failed(error) => self.failed(id, socket, error, waits),
            },
            Op::Sleep { ticks, why } => {
                let until = self.now.saturating_add(ticks);
                let n = &mut self.nodes[id.0 as usize];
                n.sleeping = true;
                n.resume = Resume::Woke;
                let epoch = n.epoch;
                self.schedule(until, TaskKind::Timer(id, epoch));
                #[cfg(feature = "reliability")]
                if why == super::event::SleepWhy::Service {
                    self.reached(id, CrashPoint::Work);
                }
                EventKind::Sleep {
                    node: id,
                    until,
                    why,
                }
            }
            Op::Poll { socket, timeout } => self.poll(id, socket, timeout),
            Op::Reopen { socket } => self.reopen(id, socket),
            #[cfg(feature = "reliability")]
            Op::Broker(call) => self.broker_call(id, call),
            Op::Log(entry) => {
                let n = &mut self.nodes[id.0 as usize];
                n.counters.logs += 1;
                n.resume = Resume::Logged;
                self.schedule_run(id);
                EventKind::Log { node: id, entry }
            }
            Op::Halt => {
                self.nodes[id.0 as usize].halted = true;
                EventKind::NodeHalted { node: id }
            }
        }
    }

    fn failed(
        &mut self,
        id: NodeId,
        socket: SocketId,
        error: crate::socket::SocketError,
        waits: bool,
    ) -> EventKind {
        let n = &mut self.nodes[id.0 as usize];
        n.counters.errors += 1;
        if waits {
            n.resume = Resume::Failed(error.clone());
            self.schedule_run(id);
        }
        EventKind::Error {
            node: id,
            socket,
            error,
        }
    }
}

/// `call_send` never answers with a received message, nor `call_recv`
/// with a sent one; should it ever, say so in the trace instead of
/// panicking.
fn unreachable_event(node: NodeId) -> EventKind {
    EventKind::Log {
        node,
        entry: super::nodes::LogEntry::Note {
            text: Payload::from("internal: mismatched call outcome"),
        },
    }
}
