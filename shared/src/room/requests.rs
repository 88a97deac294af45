//! A member's requests to its room, each answered at once: the member's
//! calls become engine actions applied at the room's current time (`send`
//! → `Action::Send`, `recv` → `Action::Recv`, `node_add` →
//! `Action::AddNode` of an external node, `node_take` →
//! `Action::TakeOver`, `node_remove` → `Action::RemoveNode`), recorded
//! like any action so the live run replays offline.
//!
//! Whether a socket may receive, and how much, is the engine's answer
//! (`Simulator::may_recv`, `Simulator::receivable`): the room never counts
//! messages nor tracks REQ/REP turns itself.

use crate::{
    protocol::{
        Delivered, NodeAdd, NodeTake, RecvAuto, RecvRequest, RoomFrame, SendRequest, ServerFrame,
        SocketInfo,
    },
    sim::{Action, ActionError, EventKind, NodeState, nodes::ProgramSpec, scenario::NodeSpec},
    socket::SocketId,
    time::Tick,
};

use super::{
    Refusal,
    core::RoomCore,
    end::LeftReason,
    limits::{MAX_NODE_NAME, NODES_PER_MEMBER, RECV_MAX},
    member::{MemberId, Owned},
    refusal::RoomRefusal,
};

impl RoomCore {
    /// Answers one room frame of a member (who is in the room).
    pub(super) fn request(
        &mut self,
        member: MemberId,
        frame: RoomFrame,
    ) -> Result<ServerFrame, Refusal> {
        let code = self.code.clone();
        Ok(match frame {
            RoomFrame::Leave(r) => {
                self.remove_member(member, None);
                ServerFrame::room_left(code, LeftReason::YouLeft, r.id)
            }
            RoomFrame::Watch(r) => {
                self.watch(member, r.on);
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
                let (recording, complete, trace_digest) = self.log.recording(
                    r.after.unwrap_or(0),
                    self.sim.steps(),
                    self.sim.now(),
                    self.sim.settled(),
                    self.sim.trace_digest(),
                );
                ServerFrame::RoomRecording {
                    room: code,
                    recording: Box::new(recording),
                    after: r.after.map(|after| after.min(self.log.actions_kept())),
                    members: self.members.len(),
                    complete,
                    trace_digest,
                    id: r.id,
                }
            }
            RoomFrame::Act(r) => self.act(member, r.action, r.id)?,
            RoomFrame::NodeAdd(r) => self.node_add(member, r)?,
            RoomFrame::NodeTake(r) => self.node_take(member, r)?,
            RoomFrame::NodeRemove(r) => {
                self.check_driver(member, &r.node)?;
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
            RoomFrame::Send(r) => self.send(member, r)?,
            RoomFrame::Recv(r) => self.recv(member, r)?,
            RoomFrame::RecvAuto(r) => self.recv_auto(member, r)?,
            // The session answers these itself, before a member exists.
            other @ (RoomFrame::Create(_)
            | RoomFrame::Join(_)
            | RoomFrame::Close(_)
            | RoomFrame::Kick(_)) => {
                return Err(RoomRefusal::NotARoomFrame {
                    frame: other.type_name().to_owned(),
                }
                .into());
            }
        })
    }

    fn watch(&mut self, member: MemberId, on: bool) {
        let Some(m) = self.members.get_mut(&member) else {
            return;
        };
        if m.watching != on {
            m.watching = on;
            if on {
                self.watchers += 1;
            } else {
                self.watchers -= 1;
            }
        }
        m.topology_due = on;
    }

    /// The node exists and this member drives it.
    pub(super) fn check_driver(&self, member: MemberId, node: &str) -> Result<(), RoomRefusal> {
        match self.drivers.get(node) {
            Some(m) if *m == member => Ok(()),
            Some(other) => Err(RoomRefusal::NodeDrivenBy {
                node: node.to_owned(),
                member: *other,
                name: self
                    .members
                    .get(other)
                    .map_or_else(|| "?".to_owned(), |m| m.name.clone()),
            }),
            None if self.sim.node_id(node).is_ok() => Err(RoomRefusal::NodeRunsProgram {
                node: node.to_owned(),
            }),
            None => Err(RoomRefusal::NoSuchNode {
                node: node.to_owned(),
            }),
        }
    }

    fn check_node_limit(&self, member: MemberId) -> Result<(), RoomRefusal> {
        let count = self.members.get(&member).map_or(0, |m| m.nodes.len());
        if count >= NODES_PER_MEMBER as usize {
            return Err(RoomRefusal::NodeLimit {
                max: NODES_PER_MEMBER,
            });
        }
        Ok(())
    }

    /// Registers a member's sockets of `node` after the engine added or
    /// handed it over; automatic receiving starts with whatever the engine
    /// already holds for them.
    fn register(
        &mut self,
        member: MemberId,
        node: &str,
        auto: bool,
        auto_limit: Option<u64>,
    ) -> Vec<SocketInfo> {
        let view = self.sim.topology();
        let Some(nv) = view
            .nodes
            .iter()
            .find(|n| n.name == node && n.state != NodeState::Removed)
        else {
            return Vec::new();
        };
        let mut infos = Vec::new();
        for sid in &nv.sockets {
            let Some(sv) = view.sockets.get(sid.0 as usize).filter(|s| s.alive) else {
                continue;
            };
            let auto = auto && sv.kind.can_recv();
            if auto {
                self.pending.insert(*sid);
            }
            infos.push(SocketInfo {
                name: sv.name.clone(),
                kind: sv.kind,
                socket: *sid,
                auto_recv: auto,
            });
            self.sockets.insert(
                *sid,
                Owned {
                    member,
                    node: node.to_owned(),
                    socket: sv.name.clone(),
                    kind: sv.kind,
                    auto,
                    auto_left: auto_limit,
                },
            );
        }
        self.drivers.insert(node.to_owned(), member);
        if let Some(m) = self.members.get_mut(&member) {
            m.nodes.push(node.to_owned());
        }
        infos
    }

    fn node_add(&mut self, member: MemberId, r: NodeAdd) -> Result<ServerFrame, Refusal> {
        self.check_node_limit(member)?;
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
            return Err(RoomRefusal::NodeNameTooLong {
                max: MAX_NODE_NAME as u64,
            }
            .into());
        }
        let program = match r.program {
            None | Some(ProgramSpec::External) => ProgramSpec::External,
            Some(p) if p.is_live_task() => p,
            Some(p) => {
                return Err(RoomRefusal::NotALiveProgram {
                    program: p.kind_name().to_owned(),
                }
                .into());
            }
        };
        let spec = NodeSpec {
            name: name.clone(),
            program,
            start: Tick::ZERO,
            sockets: r.sockets,
        };
        // A duplicate or empty name is about `name`, a bad socket about
        // `sockets` (the refusal's field says which).
        self.apply(Action::AddNode { spec })?;
        let sockets = self.register(member, &name, r.auto_recv, r.auto_limit);
        Ok(ServerFrame::NodeAdded {
            node: name,
            taken: false,
            sockets,
            id: r.id,
        })
    }

    fn node_take(&mut self, member: MemberId, r: NodeTake) -> Result<ServerFrame, Refusal> {
        self.check_node_limit(member)?;
        if let Some(other) = self.drivers.get(&r.node) {
            return Err(RoomRefusal::NodeAlreadyDriven {
                node: r.node,
                member: *other,
            }
            .into());
        }
        match self.apply(Action::TakeOver {
            node: r.node.clone(),
        }) {
            // An external node of the scenario nobody drives yet is free
            // to take as it is.
            Ok(_) | Err(ActionError::AlreadyExternal { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let sockets = self.register(member, &r.node, r.auto_recv, r.auto_limit);
        Ok(ServerFrame::NodeAdded {
            node: r.node,
            taken: true,
            sockets,
            id: r.id,
        })
    }

    /// A socket of a node this member drives.
    fn owned_socket(
        &self,
        member: MemberId,
        node: &str,
        socket: &str,
    ) -> Result<SocketId, Refusal> {
        self.check_driver(member, node)?;
        let sid = self.sim.socket_id(node, socket).map_err(Refusal::Action)?;
        if !self.sockets.contains_key(&sid) {
            return Err(RoomRefusal::NotYourSocket {
                node: node.to_owned(),
                socket: socket.to_owned(),
            }
            .into());
        }
        Ok(sid)
    }

    fn send(&mut self, member: MemberId, r: SendRequest) -> Result<ServerFrame, Refusal> {
        self.owned_socket(member, &r.node, &r.socket)?;
        let payloads: Vec<String> = r
            .payload
            .into_iter()
            .chain(r.payloads.into_iter().flatten())
            .collect();
        if payloads.is_empty() {
            return Err(RoomRefusal::NoPayload.into());
        }
        let bytes: u64 = payloads.iter().map(|p| p.len() as u64).sum();
        let queued = self.queued_estimate();
        if queued + bytes > self.rules.queued_bytes {
            return Err(RoomRefusal::QueuesFull {
                room: self.code.clone(),
                queued,
                limit: self.rules.queued_bytes,
            }
            .into());
        }
        let mut msgs = Vec::new();
        let mut eagain = None;
        for payload in payloads {
            let len = payload.len() as u64;
            let event = self
                .apply(Action::Send {
                    node: r.node.clone(),
                    socket: r.socket.clone(),
                    payload,
                })
                .map_err(Refusal::Action)?;
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
                EventKind::Error { error, .. } => {
                    return Err(RoomRefusal::SocketFailed {
                        error,
                        sent: msgs.len() as u64,
                    }
                    .into());
                }
                _ => break,
            }
        }
        Ok(ServerFrame::Sent {
            node: r.node,
            socket: r.socket,
            msgs,
            eagain,
            id: r.id,
        })
    }

    /// Up to `max` messages, in the socket's fair-queued order, and
    /// `eagain` when fewer were waiting. A socket whose pattern forbids the
    /// next receive (a REQ after its reply, a REP after a request) stops
    /// there, without trying.
    fn recv(&mut self, member: MemberId, r: RecvRequest) -> Result<ServerFrame, Refusal> {
        let sid = self.owned_socket(member, &r.node, &r.socket)?;
        let max = r.max.unwrap_or(1).clamp(1, RECV_MAX) as usize;
        let mut messages = Vec::new();
        let mut eagain = None;
        while messages.len() < max {
            if !messages.is_empty() && !self.sim.may_recv(sid) {
                break;
            }
            let event = self
                .apply(Action::Recv {
                    node: r.node.clone(),
                    socket: r.socket.clone(),
                })
                .map_err(Refusal::Action)?;
            match event.kind {
                EventKind::Recv { msg, payload, .. } => messages.push(Delivered { msg, payload }),
                EventKind::Block { reason, .. } => {
                    eagain = Some(reason);
                    break;
                }
                EventKind::Error { error, .. } => {
                    return Err(RoomRefusal::SocketFailed { error, sent: 0 }.into());
                }
                _ => break,
            }
        }
        Ok(ServerFrame::Received {
            node: r.node,
            socket: r.socket,
            messages,
            eagain,
            id: r.id,
        })
    }

    fn recv_auto(&mut self, member: MemberId, r: RecvAuto) -> Result<ServerFrame, Refusal> {
        self.check_driver(member, &r.node)?;
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
            if r.on {
                self.pending.insert(*sid);
            }
        }
        if !any {
            return Err(RoomRefusal::NoReceivingSocket {
                node: r.node,
                socket: r.socket,
            }
            .into());
        }
        Ok(ServerFrame::RecvAuto {
            node: r.node,
            on: r.on,
            limit: r.limit,
            id: r.id,
        })
    }

    /// `room_act`: an engine edit. A member may edit the nodes it drives;
    /// the creator may edit any node. Calls on sockets go through their own
    /// frames.
    fn act(
        &mut self,
        member: MemberId,
        action: Action,
        id: Option<u64>,
    ) -> Result<ServerFrame, Refusal> {
        let owner = self.members.get(&member).is_some_and(|m| m.owner);
        let node = match &action {
            Action::Send { .. } | Action::Recv { .. } | Action::TakeOver { .. } => {
                return Err(RoomRefusal::UseSocketFrames.into());
            }
            // Faults are the creator's, on any node.
            #[cfg(feature = "reliability")]
            Action::Crash { .. }
            | Action::Restart { .. }
            | Action::Pause { .. }
            | Action::Resume { .. }
            | Action::Partition { .. }
            | Action::Heal { .. }
            | Action::Delay { .. }
            | Action::Drop { .. }
            | Action::Duplicate { .. }
            | Action::Poison { .. } => {
                if !owner {
                    return Err(RoomRefusal::OnlyCreatorFaults.into());
                }
                None
            }
            Action::AddNode { spec } => {
                if !owner {
                    return Err(RoomRefusal::OnlyCreatorAddsPrograms.into());
                }
                Some(spec.name.clone())
            }
            // A live task program's participant speaks for its own node.
            #[cfg(feature = "reliability")]
            Action::Publish { node, count } => {
                let tasks = self.sim.tasks_made();
                if tasks + u64::from(*count) > self.rules.tasks {
                    return Err(RoomRefusal::TaskLimit {
                        tasks,
                        limit: self.rules.tasks,
                    }
                    .into());
                }
                Some(node.clone())
            }
            #[cfg(feature = "reliability")]
            Action::TaskDone { node, .. } => Some(node.clone()),
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
            | Action::Disconnect { node, .. } => Some(node.clone()),
        };
        if !owner && let Some(node) = &node {
            self.check_driver(member, node)?;
        }
        let driver = node.and_then(|n| self.drivers.get(&n).copied());
        if let Action::RemoveNode { node } = &action
            && let Some(d) = driver
        {
            if let Some(m) = self.members.get_mut(&d) {
                m.nodes.retain(|n| n != node);
            }
            let lost = self.drop_node(node);
            return Ok(ServerFrame::NodeRemoved {
                node: node.clone(),
                lost,
                id,
            });
        }
        let added_socket = match &action {
            Action::AddSocket { node, spec } => Some((node.clone(), spec.name.clone(), spec.kind)),
            _ => None,
        };
        let removed_socket = match &action {
            Action::RemoveSocket { node, socket } => self.sim.socket_id(node, socket).ok(),
            _ => None,
        };
        let event = self.apply(action).map_err(|error| RoomRefusal::Edit {
            error: Box::new(error),
        })?;
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
                },
            );
        }
        if let Some(sid) = removed_socket {
            self.sockets.remove(&sid);
            self.pending.remove(&sid);
        }
        Ok(ServerFrame::RoomActed {
            event: Some(Box::new(event)),
            id,
        })
    }
}
