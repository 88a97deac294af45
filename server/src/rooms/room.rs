//! One live room: a tokio task that owns a [`Simulator`] and drives it on
//! real time.
//!
//! The room's clock is the wall time since it was created, in engine ticks
//! (1 µs). The task sleeps until the engine's next event is due
//! ([`Simulator::next_time`]), or a member's command arrives, then runs
//! the engine up to now (`step_until`), so the server-side nodes (the
//! scenario's programs: bitsource, judge, workers …) run inside the engine
//! exactly as in the offline lab. Members' calls become engine actions
//! applied at the current time: `send` → `Action::Send`, `recv` →
//! `Action::Recv`, `node_add` → `Action::AddNode` of an external node,
//! `node_take` → `Action::TakeOver`, leaving → `Action::RemoveNode`. Every
//! action is recorded with its step and time ([`ActionLog`]), so the live
//! run can be replayed offline.
//!
//! The engine's `deliver` events say when a message reaches a socket a
//! member drives; with automatic receiving on, the room then receives it
//! for the member and pushes it, but only while the member's outbox has
//! room: otherwise the message stays queued in the engine, where the
//! socket's high-water marks push back on the sender exactly as a slow
//! libzmq reader does. Nothing here ever waits for a client.
//!
//! Commands reach the task over one bounded channel; each carries a
//! oneshot for its answer, so every request gets exactly one answer, in
//! order, whatever the member's outbox holds.

// A refusal here is the answer frame itself, built once per refused request.
#![allow(clippy::result_large_err)]

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::Arc,
    time::{Duration, Instant},
};

use fanout_shared::{
    protocol::{
        Delivered, MemberInfo, NodeAdd, NodeTake, RecvAuto, RecvRequest, RoomFrame, SendRequest,
        ServerFrame, SocketInfo,
    },
    sim::{
        Action, ActionError, Event, EventKind, Fate, Simulator, nodes::ProgramSpec,
        scenario::NodeSpec,
    },
    socket::{SocketId, SocketKind},
    time::Tick,
};
use tokio::sync::{mpsc, oneshot, watch};

use super::{
    codes,
    limits::{MAX_BEHIND, NODES_PER_MEMBER, RECV_MAX, RoomLimits},
    participant::{Ended, Member, Owned, UNKNOWN_READY, initial_fsm},
    recording::ActionLog,
    registry::Rooms,
    stream::{FLUSH_EVERY, TOPOLOGY_EVERY, Window},
};

/// Engine events run before the task yields to others, so that one busy
/// room cannot hold a runtime thread.
const STEP_BUDGET: u32 = 20_000;

/// Commands handled in a row before the engine runs again.
const COMMAND_BURST: usize = 64;

/// How often limits, idleness and vanished members are checked.
const HOUSEKEEPING: Duration = Duration::from_millis(100);

/// When a member's outbox was full, try it again this soon.
const RETRY_FULL: Duration = Duration::from_millis(2);

/// The longest node name a member may choose.
const MAX_NODE_NAME: usize = 64;

/// What a session asks of its room.
#[derive(Debug)]
pub enum Command {
    Join {
        name: Option<String>,
        watch: bool,
        /// A presented token (the creator's rights if it matches).
        token: Option<String>,
        /// This join is the creation: answer with the token.
        creator: bool,
        outbox: mpsc::Sender<ServerFrame>,
        ended: Ended,
        id: Option<u64>,
        reply: oneshot::Sender<Result<(u32, ServerFrame), ServerFrame>>,
    },
    /// A room frame from a member.
    Frame {
        member: u32,
        frame: RoomFrame,
        reply: oneshot::Sender<ServerFrame>,
    },
    /// The member sent something else (a `ping`): it is still there.
    Touch { member: u32 },
    /// The member's session ended.
    Leave { member: u32 },
    Close {
        token: String,
        id: Option<u64>,
        reply: oneshot::Sender<ServerFrame>,
    },
    Kick {
        token: String,
        member: Option<u32>,
        node: Option<String>,
        id: Option<u64>,
        reply: oneshot::Sender<ServerFrame>,
    },
}

/// The room's state, owned by its task.
#[derive(Debug)]
pub struct Room {
    code: String,
    token: String,
    sim: Simulator,
    log: ActionLog,
    /// Wall time at tick 0.
    origin: Instant,
    limits: Arc<RoomLimits>,
    rooms: Arc<Rooms>,
    members: BTreeMap<u32, Member>,
    next_member: u32,
    /// Node name → the member driving it.
    drivers: BTreeMap<String, u32>,
    sockets: HashMap<SocketId, Owned>,
    /// Auto-receiving sockets with messages waiting.
    pending: BTreeSet<SocketId>,
    window: Window,
    watchers: usize,
    topology_dirty: bool,
    last_topology: Instant,
    last_flush: Instant,
    last_housekeeping: Instant,
    last_activity: Instant,
    empty_since: Option<Instant>,
    /// Messages and bytes in the pipes at the last housekeeping, and bytes
    /// members sent since.
    queued: (u64, u64),
    queued_added: u64,
    /// A member's outbox was full: retry soon.
    stalled: bool,
    /// Work was left for the next turn (a batch cap was reached).
    again: bool,
    closing: Option<String>,
}

fn error(message: impl Into<String>, field: &str) -> ServerFrame {
    ServerFrame::Error {
        message: message.into(),
        field: Some(field.to_owned()),
        refusal: None,
        supported: None,
        id: None,
    }
}

/// An engine refusal, with the field it is about.
fn action_error(e: &ActionError) -> ServerFrame {
    ServerFrame::refused(e.clone())
}

impl Room {
    pub fn new(
        code: String,
        token: String,
        sim: Simulator,
        log: ActionLog,
        limits: Arc<RoomLimits>,
        rooms: Arc<Rooms>,
    ) -> Room {
        let now = Instant::now();
        Room {
            code,
            token,
            sim,
            log,
            origin: now,
            limits,
            rooms,
            members: BTreeMap::new(),
            next_member: 1,
            drivers: BTreeMap::new(),
            sockets: HashMap::new(),
            pending: BTreeSet::new(),
            window: Window::default(),
            watchers: 0,
            topology_dirty: false,
            last_topology: now,
            last_flush: now,
            last_housekeeping: now,
            last_activity: now,
            empty_since: Some(now),
            queued: (0, 0),
            queued_added: 0,
            stalled: false,
            again: false,
            closing: None,
        }
    }

    /// Runs the room until it closes.
    pub async fn run(
        mut self,
        mut commands: mpsc::Receiver<Command>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        tracing::info!(room = %self.code, scenario = self.sim.scenario_name(), "room opened");
        loop {
            let caught_up = self.advance();
            self.service_auto();
            self.housekeeping();
            self.publish();
            if self.closing.is_some() {
                break;
            }
            let wake = if !caught_up || self.again {
                Instant::now()
            } else {
                self.next_wake()
            };
            tokio::select! {
                biased;
                command = commands.recv() => {
                    let Some(command) = command else { break };
                    self.advance();
                    self.handle(command);
                    for _ in 0..COMMAND_BURST {
                        let Ok(command) = commands.try_recv() else { break };
                        self.advance();
                        self.handle(command);
                    }
                }
                _ = shutdown.wait_for(|stopping| *stopping) => {
                    self.closing = Some("the server is shutting down".into());
                }
                _ = tokio::time::sleep_until(wake.into()) => {}
            }
            if !caught_up {
                tokio::task::yield_now().await;
            }
        }
        self.close_all();
        self.rooms.remove(&self.code);
    }

    /// The room's clock now.
    fn wall_tick(&self) -> Tick {
        Tick(u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    /// Runs the engine up to now; `false` if it stopped at the step budget.
    fn advance(&mut self) -> bool {
        let target = self.wall_tick();
        let mut steps = 0;
        while let Some(event) = self.sim.step_until(target) {
            self.on_event(&event);
            steps += 1;
            if steps >= STEP_BUDGET {
                return false;
            }
        }
        self.sim.advance_idle(target);
        true
    }

    fn next_wake(&self) -> Instant {
        let now = Instant::now();
        let mut wake = self.last_housekeeping + HOUSEKEEPING;
        if let Some(t) = self.sim.next_time() {
            let due = self
                .origin
                .checked_add(Duration::from_micros(t.as_micros()))
                .unwrap_or(wake);
            wake = wake.min(due);
        }
        if self.watchers > 0 && (!self.window.is_empty() || self.topology_dirty) {
            wake = wake.min(self.last_flush + FLUSH_EVERY);
        }
        if self.stalled {
            wake = wake.min(now + RETRY_FULL);
        }
        wake.max(now)
    }

    /// Everything the room learns from one engine event.
    fn on_event(&mut self, event: &Event) {
        if self.watchers > 0 {
            self.window.push(event);
        }
        match &event.kind {
            EventKind::Deliver {
                to,
                fate: Fate::Queued,
                ..
            } => {
                if let Some(owned) = self.sockets.get_mut(to) {
                    owned.ready = owned.ready.saturating_add(1);
                    if owned.auto {
                        self.pending.insert(*to);
                    }
                }
            }
            EventKind::Recv { socket, state, .. } => {
                if let Some(owned) = self.sockets.get_mut(socket) {
                    owned.ready = owned.ready.saturating_sub(1);
                    owned.fsm = *state;
                }
            }
            EventKind::Send { socket, state, .. } => {
                if let Some(owned) = self.sockets.get_mut(socket) {
                    owned.fsm = *state;
                    // A REP that replied may take the next request.
                    if owned.auto && owned.ready > 0 {
                        self.pending.insert(*socket);
                    }
                }
            }
            EventKind::Block {
                socket,
                op: fanout_shared::socket::OpKind::Recv,
                ..
            } => {
                if let Some(owned) = self.sockets.get_mut(socket) {
                    owned.ready = 0;
                }
            }
            kind if super::stream::is_structural(kind) => self.topology_dirty = true,
            _ => {}
        }
    }

    /// Applies an action now, records it, and learns from its event.
    fn apply(&mut self, action: Action) -> Result<Event, ActionError> {
        let (step, time) = (self.sim.steps(), self.sim.now());
        let sim = &self.sim;
        let keep = self.log.admit(step, time, &action, || sim.trace_digest());
        let kept = keep.then(|| action.clone());
        let event = self.sim.apply(action)?;
        if let Some(action) = kept {
            self.log.push(step, time, action);
        }
        self.on_event(&event);
        Ok(event)
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Join {
                name,
                watch,
                token,
                creator,
                outbox,
                ended,
                id,
                reply,
            } => {
                let answer = self.join(name, watch, token, creator, outbox, ended, id);
                if let Err(Ok((member, _))) = reply.send(answer) {
                    // The session went away before hearing back.
                    self.leave(member, None);
                }
            }
            Command::Frame {
                member,
                frame,
                reply,
            } => {
                self.last_activity = Instant::now();
                let answer = if self.members.contains_key(&member) {
                    self.frame(member, frame)
                } else {
                    error("this session is no longer in the room", "type")
                };
                let _ = reply.send(answer);
            }
            Command::Touch { member } => {
                if self.members.contains_key(&member) {
                    self.last_activity = Instant::now();
                }
            }
            Command::Leave { member } => {
                self.leave(member, None);
            }
            Command::Close { token, id, reply } => {
                let answer = if codes::token_matches(&self.token, &token) {
                    let reason = "closed by its creator".to_owned();
                    self.closing = Some(reason.clone());
                    ServerFrame::RoomClosed {
                        room: self.code.clone(),
                        reason,
                        id,
                    }
                } else {
                    wrong_token()
                };
                let _ = reply.send(answer);
            }
            Command::Kick {
                token,
                member,
                node,
                id,
                reply,
            } => {
                let answer = if codes::token_matches(&self.token, &token) {
                    self.kick(member, node, id)
                } else {
                    wrong_token()
                };
                let _ = reply.send(answer);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn join(
        &mut self,
        name: Option<String>,
        watch: bool,
        token: Option<String>,
        creator: bool,
        outbox: mpsc::Sender<ServerFrame>,
        ended: Ended,
        id: Option<u64>,
    ) -> Result<(u32, ServerFrame), ServerFrame> {
        if self.members.len() >= self.limits.members as usize {
            return Err(error(
                format!(
                    "room {} is full: at most {} members per room (--room-members)",
                    self.code, self.limits.members
                ),
                "limits.members",
            ));
        }
        let owner = creator
            || token
                .as_deref()
                .is_some_and(|t| codes::token_matches(&self.token, t));
        if token.is_some() && !owner {
            return Err(wrong_token());
        }
        let member = self.next_member;
        self.next_member += 1;
        let name = name
            .map(|n| n.trim().chars().take(MAX_NODE_NAME).collect::<String>())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("member-{member}"));
        self.members.insert(
            member,
            Member {
                name,
                outbox,
                ended,
                watching: watch,
                owner,
                nodes: Vec::new(),
                missed: 0,
                topology_due: false,
            },
        );
        if watch {
            self.watchers += 1;
        }
        self.empty_since = None;
        self.last_activity = Instant::now();
        self.topology_dirty = true;
        Ok((
            member,
            ServerFrame::RoomJoined {
                room: self.code.clone(),
                member,
                token: creator.then(|| self.token.clone()),
                owner,
                scenario: self.sim.scenario_name().to_owned(),
                seed: self.sim.seed(),
                watching: watch,
                now: self.sim.now(),
                limits: self.limits.info(),
                topology: Box::new(self.sim.topology()),
                members: self.member_infos(),
                id,
            },
        ))
    }

    fn member_infos(&self) -> Vec<MemberInfo> {
        self.members.iter().map(|(id, m)| m.info(*id)).collect()
    }

    /// Removes a member and the nodes it drives (their queued messages are
    /// lost, as when a process holding ZeroMQ sockets exits). `last_word`
    /// is what its session is told, if the room removed it.
    fn leave(&mut self, member: u32, last_word: Option<ServerFrame>) -> Vec<String> {
        let Some(m) = self.members.remove(&member) else {
            return Vec::new();
        };
        if m.watching {
            self.watchers -= 1;
        }
        for node in &m.nodes {
            self.drop_node(node);
        }
        if let Some(frame) = last_word {
            m.end_with(frame);
        }
        if self.members.is_empty() {
            self.empty_since = Some(Instant::now());
        }
        self.topology_dirty = true;
        m.nodes
    }

    /// Removes a member's node from the engine and forgets its sockets.
    fn drop_node(&mut self, node: &str) -> u32 {
        self.drivers.remove(node);
        let gone: Vec<SocketId> = self
            .sockets
            .iter()
            .filter(|(_, o)| o.node == node)
            .map(|(s, _)| *s)
            .collect();
        for sid in gone {
            self.sockets.remove(&sid);
            self.pending.remove(&sid);
        }
        match self.apply(Action::RemoveNode {
            node: node.to_owned(),
        }) {
            Ok(Event {
                kind: EventKind::NodeRemoved { lost, .. },
                ..
            }) => lost,
            _ => 0,
        }
    }

    fn kick(&mut self, member: Option<u32>, node: Option<String>, id: Option<u64>) -> ServerFrame {
        let target = match (member, node) {
            (Some(m), _) => Some(m),
            (None, Some(node)) => self.drivers.get(&node).copied(),
            (None, None) => {
                return error("room_kick needs a member or a node", "member");
            }
        };
        let Some(target) = target.filter(|m| self.members.contains_key(m)) else {
            return error(
                "no such member in this room (members are listed in room_joined and room_topology)",
                "member",
            );
        };
        let nodes = self.leave(
            target,
            Some(ServerFrame::RoomLeft {
                room: self.code.clone(),
                reason: "removed by the room's creator".into(),
                id: None,
            }),
        );
        ServerFrame::RoomKicked {
            room: self.code.clone(),
            member: target,
            nodes,
            id,
        }
    }

    /// Answers one room frame of a member.
    fn frame(&mut self, member: u32, frame: RoomFrame) -> ServerFrame {
        let code = self.code.clone();
        match frame {
            RoomFrame::Leave(r) => {
                self.leave(member, None);
                ServerFrame::RoomLeft {
                    room: code,
                    reason: "you left".into(),
                    id: r.id,
                }
            }
            RoomFrame::Watch(r) => {
                if let Some(m) = self.members.get_mut(&member) {
                    if m.watching != r.on {
                        m.watching = r.on;
                        if r.on {
                            self.watchers += 1;
                        } else {
                            self.watchers -= 1;
                        }
                    }
                    m.topology_due = r.on;
                }
                ServerFrame::RoomWatching {
                    room: code,
                    on: r.on,
                    id: r.id,
                }
            }
            RoomFrame::Topology(r) => ServerFrame::RoomTopology {
                room: code,
                topology: Box::new(self.sim.topology()),
                members: self.member_infos(),
                id: r.id,
            },
            RoomFrame::Recording(r) => {
                let (recording, complete, trace_digest) =
                    self.log
                        .recording(self.sim.steps(), self.sim.now(), self.sim.trace_digest());
                ServerFrame::RoomRecording {
                    room: code,
                    recording: Box::new(recording),
                    complete,
                    trace_digest,
                    id: r.id,
                }
            }
            RoomFrame::Act(r) => self.act(member, r.action, r.id),
            RoomFrame::NodeAdd(r) => self.node_add(member, r),
            RoomFrame::NodeTake(r) => self.node_take(member, r),
            RoomFrame::NodeRemove(r) => {
                if let Err(e) = self.check_driver(member, &r.node) {
                    return e;
                }
                if let Some(m) = self.members.get_mut(&member) {
                    m.nodes.retain(|n| *n != r.node);
                }
                let lost = self.drop_node(&r.node);
                ServerFrame::NodeRemoved {
                    node: r.node,
                    lost,
                    id: r.id,
                }
            }
            RoomFrame::Send(r) => self.send(member, r),
            RoomFrame::Recv(r) => self.recv(member, r),
            RoomFrame::RecvAuto(r) => self.recv_auto(member, r),
            // The session answers these itself, before a member exists.
            other @ (RoomFrame::Create(_)
            | RoomFrame::Join(_)
            | RoomFrame::Close(_)
            | RoomFrame::Kick(_)) => error(
                format!("{} is not a frame for a room's member", other.type_name()),
                "type",
            ),
        }
    }

    /// The node exists and this member drives it.
    fn check_driver(&self, member: u32, node: &str) -> Result<(), ServerFrame> {
        match self.drivers.get(node) {
            Some(m) if *m == member => Ok(()),
            Some(other) => Err(error(
                format!(
                    "node {node} is driven by member {other} ({}); only its driver can use it",
                    self.members.get(other).map_or("?", |m| m.name.as_str())
                ),
                "node",
            )),
            None if self.sim.node_id(node).is_ok() => Err(error(
                format!(
                    "node {node} runs the scenario's program; take it over with node_take, or add your own node with node_add"
                ),
                "node",
            )),
            None => Err(error(format!("no node named {node} in this room"), "node")),
        }
    }

    fn node_limit(&self, member: u32) -> Result<(), ServerFrame> {
        let count = self.members.get(&member).map_or(0, |m| m.nodes.len());
        if count >= NODES_PER_MEMBER as usize {
            return Err(error(
                format!("a member may drive at most {NODES_PER_MEMBER} nodes; remove one first"),
                "limits.nodes",
            ));
        }
        Ok(())
    }

    /// Registers a member's sockets of `node` after the engine added or
    /// handed it over.
    fn register(
        &mut self,
        member: u32,
        node: &str,
        auto: bool,
        auto_limit: Option<u64>,
        taken: bool,
    ) -> Vec<SocketInfo> {
        let view = self.sim.topology();
        let Some(nv) = view
            .nodes
            .iter()
            .find(|n| n.name == node && n.state != fanout_shared::sim::NodeState::Removed)
        else {
            return Vec::new();
        };
        let mut infos = Vec::new();
        for sid in &nv.sockets {
            let Some(sv) = view.sockets.get(sid.0 as usize).filter(|s| s.alive) else {
                continue;
            };
            let receives = sv.kind.can_recv();
            let owned = Owned {
                member,
                node: node.to_owned(),
                socket: sv.name.clone(),
                kind: sv.kind,
                auto: auto && receives,
                auto_left: auto_limit,
                fsm: if taken { sv.fsm } else { initial_fsm(sv.kind) },
                ready: if taken && receives { UNKNOWN_READY } else { 0 },
            };
            if owned.auto && owned.ready > 0 {
                self.pending.insert(*sid);
            }
            infos.push(SocketInfo {
                name: sv.name.clone(),
                kind: sv.kind,
                socket: *sid,
                auto_recv: owned.auto,
            });
            self.sockets.insert(*sid, owned);
        }
        self.drivers.insert(node.to_owned(), member);
        if let Some(m) = self.members.get_mut(&member) {
            m.nodes.push(node.to_owned());
        }
        infos
    }

    fn node_add(&mut self, member: u32, r: NodeAdd) -> ServerFrame {
        if let Err(e) = self.node_limit(member) {
            return e;
        }
        let name = match r.name {
            Some(n) => n.trim().to_owned(),
            None => {
                let base = self
                    .members
                    .get(&member)
                    .map_or_else(|| format!("member-{member}"), |m| m.name.clone());
                let mut name = base.clone();
                let mut n = 2;
                while self.sim.node_id(&name).is_ok() {
                    name = format!("{base}-{n}");
                    n += 1;
                }
                name
            }
        };
        if name.chars().count() > MAX_NODE_NAME {
            return error(
                format!("a node name has at most {MAX_NODE_NAME} characters"),
                "name",
            );
        }
        let spec = NodeSpec {
            name: name.clone(),
            program: ProgramSpec::External,
            start: Tick::ZERO,
            sockets: r.sockets,
        };
        if let Err(e) = self.apply(Action::AddNode { spec }) {
            let mut frame = action_error(&e);
            if let (ServerFrame::Error { field, .. }, ActionError::Invalid { scenario: inner }) =
                (&mut frame, &e)
            {
                *field = Some(
                    match **inner {
                        fanout_shared::sim::ScenarioError::DuplicateNode { .. }
                        | fanout_shared::sim::ScenarioError::EmptyNodeName => "name",
                        _ => "sockets",
                    }
                    .into(),
                );
            }
            return frame;
        }
        let sockets = self.register(member, &name, r.auto_recv, r.auto_limit, false);
        ServerFrame::NodeAdded {
            node: name,
            taken: false,
            sockets,
            id: r.id,
        }
    }

    fn node_take(&mut self, member: u32, r: NodeTake) -> ServerFrame {
        if let Err(e) = self.node_limit(member) {
            return e;
        }
        if let Some(other) = self.drivers.get(&r.node) {
            return error(
                format!("node {} is already driven by member {other}", r.node),
                "node",
            );
        }
        match self.apply(Action::TakeOver {
            node: r.node.clone(),
        }) {
            // An external node of the scenario nobody drives yet is free
            // to take as it is.
            Ok(_) | Err(ActionError::AlreadyExternal { .. }) => {}
            Err(e) => return action_error(&e),
        }
        let sockets = self.register(member, &r.node, r.auto_recv, r.auto_limit, true);
        ServerFrame::NodeAdded {
            node: r.node,
            taken: true,
            sockets,
            id: r.id,
        }
    }

    /// Looks up a member's socket.
    fn owned_socket(&self, member: u32, node: &str, socket: &str) -> Result<SocketId, ServerFrame> {
        self.check_driver(member, node)?;
        let sid = self
            .sim
            .socket_id(node, socket)
            .map_err(|e| action_error(&e))?;
        if !self.sockets.contains_key(&sid) {
            return Err(error(
                format!("node {node} has no socket named {socket} that you drive"),
                "socket",
            ));
        }
        Ok(sid)
    }

    fn send(&mut self, member: u32, r: SendRequest) -> ServerFrame {
        if let Err(e) = self.owned_socket(member, &r.node, &r.socket) {
            return e;
        }
        let payloads: Vec<String> = r
            .payload
            .into_iter()
            .chain(r.payloads.into_iter().flatten())
            .collect();
        if payloads.is_empty() {
            return error("send needs a payload (or payloads)", "payload");
        }
        let bytes: u64 = payloads.iter().map(|p| p.len() as u64).sum();
        let queued = self.queued.1 + self.queued_added;
        if queued + bytes > self.limits.queued_bytes {
            return error(
                format!(
                    "room {} holds {queued} bytes in its queues; at most {} are allowed (--room-queued-bytes), so nothing was sent; receive or wait until queues drain",
                    self.code, self.limits.queued_bytes
                ),
                "limits.room_queued_bytes",
            );
        }
        let mut msgs = Vec::new();
        let mut eagain = None;
        for payload in payloads {
            let len = payload.len() as u64;
            let event = match self.apply(Action::Send {
                node: r.node.clone(),
                socket: r.socket.clone(),
                payload,
            }) {
                Ok(event) => event,
                Err(e) => return action_error(&e),
            };
            match event.kind {
                EventKind::Send { msg, .. } => {
                    msgs.push(msg);
                    // A PUB's copies are counted exactly at the next
                    // housekeeping; until then, once.
                    self.queued_added += len;
                }
                EventKind::Block { reason, .. } => {
                    eagain = Some(reason);
                    break;
                }
                EventKind::Error { error: e, .. } => {
                    let sent = if msgs.is_empty() {
                        String::new()
                    } else {
                        format!(" (after sending {} message(s))", msgs.len())
                    };
                    return error(format!("{e}{sent}"), "socket");
                }
                _ => break,
            }
        }
        ServerFrame::Sent {
            node: r.node,
            socket: r.socket,
            msgs,
            eagain,
            id: r.id,
        }
    }

    fn recv(&mut self, member: u32, r: RecvRequest) -> ServerFrame {
        let sid = match self.owned_socket(member, &r.node, &r.socket) {
            Ok(sid) => sid,
            Err(e) => return e,
        };
        let mut max = r.max.unwrap_or(1).clamp(1, RECV_MAX);
        if matches!(
            self.sockets.get(&sid).map(|o| o.kind),
            Some(SocketKind::Req | SocketKind::Rep)
        ) {
            // A second recv in a row would break the alternation.
            max = 1;
        }
        let mut messages = Vec::new();
        let mut eagain = None;
        while messages.len() < max as usize {
            let event = match self.apply(Action::Recv {
                node: r.node.clone(),
                socket: r.socket.clone(),
            }) {
                Ok(event) => event,
                Err(e) => return action_error(&e),
            };
            match event.kind {
                EventKind::Recv { msg, payload, .. } => messages.push(Delivered { msg, payload }),
                EventKind::Block { reason, .. } => {
                    eagain = Some(reason);
                    break;
                }
                EventKind::Error { error: e, .. } => return error(e.to_string(), "socket"),
                _ => break,
            }
        }
        ServerFrame::Received {
            node: r.node,
            socket: r.socket,
            messages,
            eagain,
            id: r.id,
        }
    }

    fn recv_auto(&mut self, member: u32, r: RecvAuto) -> ServerFrame {
        if let Err(e) = self.check_driver(member, &r.node) {
            return e;
        }
        let mut any = false;
        for (sid, owned) in &mut self.sockets {
            if owned.node != r.node || !owned.kind.can_recv() {
                continue;
            }
            if r.socket.as_ref().is_some_and(|s| *s != owned.socket) {
                continue;
            }
            any = true;
            owned.auto = r.on;
            owned.auto_left = r.limit;
            if r.on && owned.ready > 0 {
                self.pending.insert(*sid);
            }
        }
        if !any {
            return error(
                format!(
                    "node {} has no receiving socket{} (PULL, SUB, REQ or REP)",
                    r.node,
                    r.socket.map(|s| format!(" named {s}")).unwrap_or_default()
                ),
                "socket",
            );
        }
        ServerFrame::RecvAuto {
            node: r.node,
            on: r.on,
            limit: r.limit,
            id: r.id,
        }
    }

    /// `room_act`: an engine edit. A member may edit the nodes it drives;
    /// the creator may edit any node. Calls on sockets go through their own
    /// frames.
    fn act(&mut self, member: u32, action: Action, id: Option<u64>) -> ServerFrame {
        let owner = self.members.get(&member).is_some_and(|m| m.owner);
        let node = match &action {
            Action::Send { .. } | Action::Recv { .. } | Action::TakeOver { .. } => {
                return error(
                    "use the send, recv and node_take frames for these",
                    "action.op",
                );
            }
            Action::AddNode { spec } => {
                if !owner {
                    return error(
                        "only the room's creator adds nodes with programs; add your own node with node_add",
                        "action.op",
                    );
                }
                spec.name.clone()
            }
            Action::SetHwm { node, .. }
            | Action::SetLatency { node, .. }
            | Action::SetInterval { node, .. }
            | Action::SetService { node, .. }
            | Action::Subscribe { node, .. }
            | Action::Unsubscribe { node, .. }
            | Action::RemoveNode { node }
            | Action::AddSocket { node, .. }
            | Action::RemoveSocket { node, .. }
            | Action::Bind { node, .. }
            | Action::Connect { node, .. }
            | Action::Disconnect { node, .. } => node.clone(),
        };
        let driver = self.drivers.get(&node).copied();
        if driver != Some(member) && !owner {
            return match self.check_driver(member, &node) {
                Err(e) => e,
                Ok(()) => error("not allowed", "action.node"),
            };
        }
        if let Action::RemoveNode { node } = &action
            && let Some(d) = driver
        {
            if let Some(m) = self.members.get_mut(&d) {
                m.nodes.retain(|n| n != node);
            }
            let lost = self.drop_node(node);
            return ServerFrame::NodeRemoved {
                node: node.clone(),
                lost,
                id,
            };
        }
        let added_socket = match &action {
            Action::AddSocket { node, spec } => Some((node.clone(), spec.name.clone(), spec.kind)),
            _ => None,
        };
        let removed_socket = match &action {
            Action::RemoveSocket { node, socket } => self.sim.socket_id(node, socket).ok(),
            _ => None,
        };
        let event = match self.apply(action) {
            Ok(event) => event,
            Err(e) => {
                let ServerFrame::Error { message, .. } = action_error(&e) else {
                    unreachable!("action_error builds errors")
                };
                return error(message, "action");
            }
        };
        if let (Some(d), Some((node, socket, kind))) = (driver, added_socket)
            && let Ok(sid) = self.sim.socket_id(&node, &socket)
        {
            self.sockets.insert(
                sid,
                Owned {
                    member: d,
                    node,
                    socket,
                    kind,
                    auto: false,
                    auto_left: None,
                    fsm: initial_fsm(kind),
                    ready: 0,
                },
            );
        }
        if let Some(sid) = removed_socket {
            self.sockets.remove(&sid);
            self.pending.remove(&sid);
        }
        ServerFrame::RoomActed {
            event: Box::new(event),
            id,
        }
    }

    /// Receives for auto-receiving sockets whose member has outbox room.
    fn service_auto(&mut self) {
        self.stalled = false;
        self.again = false;
        if self.pending.is_empty() {
            return;
        }
        let pending: Vec<SocketId> = std::mem::take(&mut self.pending).into_iter().collect();
        let mut gone = Vec::new();
        for sid in pending {
            let Some(owned) = self.sockets.get(&sid) else {
                continue;
            };
            let batch = owned.auto_batch();
            if batch == 0 {
                // Nothing waiting, auto off, or a REQ/REP that must send
                // first (its send puts it back here).
                continue;
            }
            let (member, node, socket) = (owned.member, owned.node.clone(), owned.socket.clone());
            let Some(m) = self.members.get(&member) else {
                continue;
            };
            let permit = match m.outbox.clone().try_reserve_owned() {
                Ok(permit) => permit,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    self.stalled = true;
                    self.pending.insert(sid);
                    continue;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    gone.push(member);
                    continue;
                }
            };
            let mut messages = Vec::new();
            let mut eagain = false;
            while (messages.len() as u64) < batch {
                match self.apply(Action::Recv {
                    node: node.clone(),
                    socket: socket.clone(),
                }) {
                    Ok(Event {
                        kind: EventKind::Recv { msg, payload, .. },
                        ..
                    }) => messages.push(Delivered { msg, payload }),
                    _ => {
                        eagain = true;
                        break;
                    }
                }
            }
            if let Some(owned) = self.sockets.get_mut(&sid) {
                if let Some(left) = &mut owned.auto_left {
                    *left = left.saturating_sub(messages.len() as u64);
                    if *left == 0 {
                        owned.auto = false;
                    }
                }
                if !eagain && owned.auto_batch() > 0 {
                    self.pending.insert(sid);
                    self.again = true;
                }
            }
            if !messages.is_empty() {
                permit.send(ServerFrame::Received {
                    node,
                    socket,
                    messages,
                    eagain: None,
                    id: None,
                });
            }
        }
        for member in gone {
            self.leave(member, None);
        }
    }

    /// Limits, idleness, vanished members; every [`HOUSEKEEPING`].
    fn housekeeping(&mut self) {
        let now = Instant::now();
        if now < self.last_housekeeping + HOUSEKEEPING {
            return;
        }
        self.last_housekeeping = now;
        let vanished: Vec<u32> = self
            .members
            .iter()
            .filter(|(_, m)| m.outbox.is_closed())
            .map(|(id, _)| *id)
            .collect();
        for member in vanished {
            self.leave(member, None);
        }
        self.queued = self.sim.queued();
        self.queued_added = 0;
        let limit = self.limits.queued_bytes;
        if self.queued.1 > limit.saturating_mul(2) {
            self.closing = Some(format!(
                "its queues grew to {} bytes, past twice the limit of {limit} (--room-queued-bytes)",
                self.queued.1
            ));
        }
        let behind = self.wall_tick().saturating_sub(self.sim.now());
        if behind.as_micros() > MAX_BEHIND.as_micros() as u64 {
            self.closing = Some(format!(
                "it fell {} s behind real time: its scenario makes more events than this server can run",
                behind.as_micros() / 1_000_000
            ));
        }
        if now.duration_since(self.last_activity) >= self.limits.idle {
            self.closing = Some(format!(
                "idle: no member sent anything for {} s (--room-idle)",
                self.limits.idle.as_secs()
            ));
        }
        if let Some(since) = self.empty_since
            && now.duration_since(since) >= self.limits.empty_grace()
        {
            self.closing = Some(format!(
                "nobody was in it for {} s",
                self.limits.empty_grace().as_secs()
            ));
        }
    }

    /// Sends watchers what happened, every [`FLUSH_EVERY`].
    fn publish(&mut self) {
        if self.watchers == 0 {
            // Nothing collected while nobody watches; keep the window clear.
            self.window = Window::default();
            return;
        }
        let now = Instant::now();
        if now < self.last_flush + FLUSH_EVERY {
            return;
        }
        self.last_flush = now;
        let periodic = now >= self.last_topology + TOPOLOGY_EVERY;
        let topology_wanted = self.topology_dirty
            || periodic
            || self.members.values().any(|m| m.watching && m.topology_due);
        if topology_wanted {
            self.last_topology = now;
            let topology = Box::new(self.sim.topology());
            let members = self.member_infos();
            let all = self.topology_dirty || periodic;
            for m in self.members.values_mut().filter(|m| m.watching) {
                if !(all || m.topology_due) {
                    continue;
                }
                let frame = ServerFrame::RoomTopology {
                    room: self.code.clone(),
                    topology: topology.clone(),
                    members: members.clone(),
                    id: None,
                };
                m.topology_due = m.outbox.try_send(frame).is_err();
            }
            self.topology_dirty = false;
        }
        if self.window.is_empty() {
            return;
        }
        let (events, skipped) = self.window.take();
        let summary = Box::new(self.sim.summary());
        let (queued_messages, queued_bytes) = self.sim.queued();
        let behind_us = self.wall_tick().saturating_sub(self.sim.now()).as_micros();
        for m in self.members.values_mut().filter(|m| m.watching) {
            let frame = ServerFrame::RoomEvents {
                room: self.code.clone(),
                events: events.clone(),
                skipped: skipped + m.missed,
                summary: summary.clone(),
                queued_messages,
                queued_bytes,
                behind_us,
            };
            match m.outbox.try_send(frame) {
                Ok(()) => m.missed = 0,
                Err(_) => m.missed += events.len() as u64 + skipped,
            }
        }
    }

    /// Tells every member the room ended, and why.
    fn close_all(&mut self) {
        let reason = self
            .closing
            .clone()
            .unwrap_or_else(|| "the room ended".into());
        tracing::info!(room = %self.code, %reason, "room closed");
        for (_, m) in std::mem::take(&mut self.members) {
            m.end_with(ServerFrame::RoomClosed {
                room: self.code.clone(),
                reason: reason.clone(),
                id: None,
            });
        }
    }
}

fn wrong_token() -> ServerFrame {
    error(
        "wrong token: only the room's creator can do this (the token came in its room_joined)",
        "token",
    )
}
