//! [`RoomCore`]: one live room as a pure state machine.
//!
//! Inputs carry the room's clock `now` (a [`Tick`], µs since the room was
//! created): a session joining, a member's request (answered at once, so
//! every request gets exactly one answer, in order), a member touching,
//! leaving or vanishing, the creator's close and kick, the driver's report
//! of how many pushed frames each session has taken, and the timers
//! ([`RoomCore::advance`] runs the engine, [`RoomCore::handle_timeout`]
//! the room's own housekeeping and watchers' stream). Outputs are polled:
//! [`RoomCore::poll_transmit`] (frames pushed to members, and each removed
//! member's last word), [`RoomCore::poll_timeout`] (when to call again),
//! [`RoomCore::end`] (why the room closed).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

#[cfg(feature = "reliability")]
use crate::sim::{BrokerEvent, broker_event::WaitWhy};
use crate::{
    protocol::{Delivered, MemberInfo, ServerFrame},
    sim::{Action, ActionError, Event, EventKind, Fate, Simulator, timeline::ScenarioRef},
    socket::SocketId,
    time::Tick,
};

use super::{
    Refusal,
    end::{LeftReason, RoomEnd},
    limits::{AUTO_BATCH, HOUSEKEEPING, MAX_BEHIND, MAX_NODE_NAME, OUTBOX_FRAMES, RoomRules},
    member::{Member, MemberId, Owned},
    recording::ActionLog,
    refusal::RoomRefusal,
    stream::{FLUSH_EVERY, TOPOLOGY_EVERY, Window, is_structural},
};

/// How a member went: a clean exit removes its nodes; a vanished session
/// (closed without `room_leave`) crashes its live task programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    Clean,
    Vanished,
}

/// What a session asks when it enters a room.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Join {
    /// How the others see it (default `member-N`).
    pub name: Option<String>,
    /// Stream the room's events and topology to it.
    pub watch: bool,
    /// A presented token: the creator's rights if it matches.
    pub token: Option<String>,
    /// This join is the room's creation: answer with the token.
    pub creator: bool,
    pub id: Option<u64>,
}

/// Something for one member's session.
#[derive(Debug, Clone, PartialEq)]
pub enum Transmit {
    /// A pushed frame (`received`, `room_events`, `room_topology`).
    Frame(ServerFrame),
    /// The member is no longer in the room: nothing follows. The frame, if
    /// any, is what the room tells its session (removed by the creator,
    /// the room closed); a member that left or vanished gets none.
    End(Option<ServerFrame>),
}

/// One live room: the engine, the members driving its nodes, and every
/// room rule.
#[derive(Debug)]
pub struct RoomCore {
    pub(super) code: String,
    token: String,
    pub(super) sim: Simulator,
    pub(super) log: ActionLog,
    pub(super) rules: RoomRules,
    /// The latest time given; the engine may trail it when busy.
    pub(super) clock: Tick,
    pub(super) members: BTreeMap<MemberId, Member>,
    next_member: MemberId,
    /// Node name → the member driving it.
    pub(super) drivers: BTreeMap<String, MemberId>,
    pub(super) sockets: BTreeMap<SocketId, Owned>,
    /// Automatically receiving sockets the engine may have something for
    /// (a message was delivered, a call changed their turn, their
    /// member's outbox emptied): the engine is asked how much.
    pub(super) pending: BTreeSet<SocketId>,
    outgoing: VecDeque<(MemberId, Transmit)>,
    /// Members with half their outbox or more outstanding, as far as the
    /// room knows: the driver reports what their sessions took.
    low_on_room: BTreeSet<MemberId>,
    window: Window,
    pub(super) watchers: usize,
    pub(super) topology_dirty: bool,
    last_topology: Tick,
    last_flush: Tick,
    next_housekeeping: Tick,
    pub(super) last_activity: Tick,
    empty_since: Option<Tick>,
    /// Payload bytes in the pipes at the last housekeeping, and bytes
    /// members sent since (a PUB's copies counted once until then).
    queued_bytes: u64,
    pub(super) queued_added: u64,
    /// An automatic receive stopped at its batch size with more waiting.
    again: bool,
    /// An automatic receive waits for a member's session to take frames.
    starved: bool,
    /// Live producers' confirms of this turn (`room/live_task.rs`).
    #[cfg(feature = "reliability")]
    pub(super) confirms: super::live_task::PendingConfirms,
    end: Option<RoomEnd>,
}

impl RoomCore {
    /// A room named `code`, whose creator holds `token`, running `sim`
    /// (fresh from `scenario` and its seed) from tick 0.
    pub fn new(
        code: String,
        token: String,
        scenario: ScenarioRef,
        sim: Simulator,
        rules: RoomRules,
    ) -> RoomCore {
        let log = ActionLog::new(scenario, sim.seed());
        RoomCore {
            code,
            token,
            sim,
            log,
            rules,
            clock: Tick::ZERO,
            members: BTreeMap::new(),
            next_member: 1,
            drivers: BTreeMap::new(),
            sockets: BTreeMap::new(),
            pending: BTreeSet::new(),
            outgoing: VecDeque::new(),
            low_on_room: BTreeSet::new(),
            window: Window::default(),
            watchers: 0,
            topology_dirty: false,
            last_topology: Tick::ZERO,
            last_flush: Tick::ZERO,
            next_housekeeping: HOUSEKEEPING,
            last_activity: Tick::ZERO,
            empty_since: Some(Tick::ZERO),
            queued_bytes: 0,
            queued_added: 0,
            again: false,
            starved: false,
            #[cfg(feature = "reliability")]
            confirms: Default::default(),
            end: None,
        }
    }

    /// Creates the room from a scenario reference.
    pub fn create(
        code: String,
        token: String,
        scenario: ScenarioRef,
        seed: u64,
        rules: RoomRules,
    ) -> Result<RoomCore, Refusal> {
        let resolved = scenario.resolve().map_err(Refusal::Scenario)?;
        let sim = Simulator::new(&resolved, seed).map_err(Refusal::Scenario)?;
        Ok(RoomCore::new(code, token, scenario, sim, rules))
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    /// The engine, to read (topology, summary, trace digest).
    pub fn sim(&self) -> &Simulator {
        &self.sim
    }

    /// What the room's brokers changed on their disks since the last
    /// call (`Simulator::take_disk_changes`): the server stores it before
    /// the frames pushed meanwhile leave (docs/protocol.md, "Persistence").
    #[cfg(feature = "disk-journal")]
    pub fn take_disk_changes(&mut self) -> Vec<(String, crate::broker::persist::DiskChange)> {
        self.sim.take_disk_changes()
    }

    /// Starts a broker of a room made anew again on the disk the server
    /// kept for it (`Simulator::recover_disk`), before the room runs.
    #[cfg(feature = "disk-journal")]
    pub fn recover_disk(
        &mut self,
        node: &str,
        messages: Vec<(String, crate::broker::Message)>,
    ) -> Option<u32> {
        self.sim.recover_disk(node, messages)
    }

    /// New tasks of a room made anew are numbered from `next` at least
    /// (`Simulator::resume_task_ids`), as they were before the restart.
    #[cfg(feature = "disk-journal")]
    pub fn resume_task_ids(&mut self, next: u64) {
        self.sim.resume_task_ids(next);
    }

    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Why the room closed, once it has; nothing else happens after.
    pub fn end(&self) -> Option<&RoomEnd> {
        self.end.as_ref()
    }

    fn tick(&mut self, now: Tick) {
        self.clock = self.clock.max(now);
    }

    /// Runs the engine up to `now`, at most `budget` events (so that one
    /// busy room cannot hold a thread). `false` when the budget stopped
    /// it: call again soon. Receiving for members is
    /// [`handle_timeout`](Self::handle_timeout)'s, once per turn, so that
    /// a burst of requests does not cut deliveries into many small frames.
    pub fn advance(&mut self, now: Tick, budget: u32) -> bool {
        self.tick(now);
        if self.end.is_some() {
            return true;
        }
        let mut steps = 0;
        let mut caught_up = true;
        while let Some(event) = self.sim.step_until(self.clock) {
            self.on_event(&event);
            steps += 1;
            if steps >= budget {
                caught_up = false;
                break;
            }
        }
        if caught_up {
            self.sim.advance_idle(self.clock);
        }
        #[cfg(feature = "reliability")]
        self.flush_confirms();
        caught_up
    }

    /// The room's own work due by `now`: receiving for members whose
    /// sockets have messages, limits and idleness every [`HOUSEKEEPING`],
    /// the watchers' stream every [`FLUSH_EVERY`]. The engine's events are
    /// [`advance`](Self::advance)'s; call this after it.
    pub fn handle_timeout(&mut self, now: Tick) {
        self.tick(now);
        if self.end.is_some() {
            return;
        }
        self.service_auto();
        if self.clock >= self.next_housekeeping {
            self.housekeeping();
        }
        if self.end.is_none() {
            self.publish();
        }
    }

    /// When the room next needs [`advance`](Self::advance) and
    /// [`handle_timeout`](Self::handle_timeout); `None` once it ended.
    pub fn poll_timeout(&self) -> Option<Tick> {
        if self.end.is_some() {
            return None;
        }
        // Sockets to receive for (a delivery, a request turned automatic
        // receiving on), unless all they wait for is a session's reading.
        if self.again || (!self.pending.is_empty() && !self.starved) {
            return Some(self.clock);
        }
        let mut wake = self.next_housekeeping;
        if let Some(t) = self.sim.next_time() {
            wake = wake.min(t);
        }
        if self.watchers > 0 && (!self.window.is_empty() || self.topology_dirty) {
            wake = wake.min(self.last_flush.saturating_add(FLUSH_EVERY));
        }
        Some(wake)
    }

    /// Whether an automatic receive waits for a member's session to take
    /// frames (report them with [`frames_taken`](Self::frames_taken)).
    pub fn starved(&self) -> bool {
        self.starved
    }

    /// Members whose outbox is half full or more, as far as the room
    /// knows: report what their sessions took with
    /// [`frames_taken`](Self::frames_taken) (others' reports can wait).
    pub fn low_on_room(&self) -> impl Iterator<Item = MemberId> + '_ {
        self.low_on_room.iter().copied()
    }

    /// The next frame for a member's session, in the order they were made.
    pub fn poll_transmit(&mut self) -> Option<(MemberId, Transmit)> {
        self.outgoing.pop_front()
    }

    /// `member`'s session has taken `total` of the frames pushed to it so
    /// far: its outbox has room again.
    pub fn frames_taken(&mut self, member: MemberId, total: u64) {
        if let Some(m) = self.members.get_mut(&member)
            && total > m.taken
        {
            m.taken = total.min(m.pushed);
            if m.outstanding() < OUTBOX_FRAMES / 2 {
                self.low_on_room.remove(&member);
            }
            if self.starved {
                // Its sockets are still pending; try them at once.
                self.again = true;
            }
        }
    }

    /// A session enters the room.
    pub fn join(&mut self, now: Tick, join: Join) -> Result<(MemberId, ServerFrame), Refusal> {
        self.tick(now);
        if self.end.is_some() {
            return Err(RoomRefusal::RoomGone.into());
        }
        if self.members.len() >= self.rules.members as usize {
            return Err(RoomRefusal::RoomFull {
                room: self.code.clone(),
                members: self.rules.members,
            }
            .into());
        }
        let owner = join.creator
            || join
                .token
                .as_deref()
                .is_some_and(|t| token_matches(&self.token, t));
        if join.token.is_some() && !owner {
            return Err(RoomRefusal::WrongToken.into());
        }
        let member = self.next_member;
        self.next_member += 1;
        let name = join
            .name
            .map(|n| n.trim().chars().take(MAX_NODE_NAME).collect::<String>())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("member-{member}"));
        self.members
            .insert(member, Member::new(name, join.watch, owner));
        if join.watch {
            self.watchers += 1;
        }
        self.empty_since = None;
        self.last_activity = self.clock;
        self.topology_dirty = true;
        Ok((
            member,
            ServerFrame::RoomJoined {
                room: self.code.clone(),
                member,
                token: join.creator.then(|| self.token.clone()),
                owner,
                scenario: self.sim.scenario_name().to_owned(),
                seed: self.sim.seed(),
                watching: join.watch,
                now: self.sim.now(),
                limits: self.rules.info(),
                topology: Box::new(self.sim.topology()),
                members: self.member_infos(),
                zmtp: None,
                id: join.id,
            },
        ))
    }

    /// A member's request, answered at once.
    pub fn handle_frame(
        &mut self,
        now: Tick,
        member: MemberId,
        frame: crate::protocol::RoomFrame,
    ) -> Result<ServerFrame, Refusal> {
        self.tick(now);
        self.last_activity = self.clock;
        if !self.members.contains_key(&member) {
            return Err(RoomRefusal::NoLongerInRoom.into());
        }
        self.request(member, frame)
    }

    /// The member is still there (it sent a `ping`).
    pub fn touch(&mut self, now: Tick, member: MemberId) {
        self.tick(now);
        if self.members.contains_key(&member) {
            self.last_activity = self.clock;
        }
    }

    /// The member's session ended, or its outbox closed (it vanished): it
    /// is removed with its nodes, and its live task programs crash (their
    /// process is gone, as a worker's is after Ctrl-C).
    pub fn leave(&mut self, now: Tick, member: MemberId) {
        self.tick(now);
        self.remove_member_as(member, None, Exit::Vanished);
    }

    /// `room_close` with a token.
    pub fn close(
        &mut self,
        now: Tick,
        token: &str,
        id: Option<u64>,
    ) -> Result<ServerFrame, Refusal> {
        self.tick(now);
        if !token_matches(&self.token, token) {
            return Err(RoomRefusal::WrongToken.into());
        }
        let end = RoomEnd::ClosedByCreator;
        self.finish(end.clone());
        Ok(ServerFrame::room_closed(self.code.clone(), end, id))
    }

    /// `room_kick` with a token: removes a member, named by its number or
    /// by a node it drives.
    pub fn kick(
        &mut self,
        now: Tick,
        token: &str,
        member: Option<MemberId>,
        node: Option<&str>,
        id: Option<u64>,
    ) -> Result<ServerFrame, Refusal> {
        self.tick(now);
        if !token_matches(&self.token, token) {
            return Err(RoomRefusal::WrongToken.into());
        }
        let target = match (member, node) {
            (Some(m), _) => Some(m),
            (None, Some(node)) => self.drivers.get(node).copied(),
            (None, None) => return Err(RoomRefusal::KickNeedsTarget.into()),
        };
        let Some(target) = target.filter(|m| self.members.contains_key(m)) else {
            return Err(RoomRefusal::NoSuchMember.into());
        };
        let last_word =
            ServerFrame::room_left(self.code.clone(), LeftReason::RemovedByCreator, None);
        let nodes = self.remove_member(target, Some(last_word));
        Ok(ServerFrame::RoomKicked {
            room: self.code.clone(),
            member: target,
            nodes,
            id,
        })
    }

    /// The server is stopping: the room closes, telling every member.
    pub fn shut_down(&mut self) {
        self.finish(RoomEnd::ShuttingDown);
    }

    pub(super) fn member_infos(&self) -> Vec<MemberInfo> {
        self.members.iter().map(|(id, m)| m.info(*id)).collect()
    }

    /// Queues a frame for a member; it counts against its outbox.
    pub(super) fn push(&mut self, member: MemberId, frame: ServerFrame) {
        if let Some(m) = self.members.get_mut(&member) {
            m.pushed += 1;
            if m.outstanding() >= OUTBOX_FRAMES / 2 {
                self.low_on_room.insert(member);
            }
            self.outgoing.push_back((member, Transmit::Frame(frame)));
        }
    }

    /// Everything the room learns from one engine event: what watchers
    /// see, and which driven sockets may have something to receive now.
    fn on_event(&mut self, event: &Event) {
        if self.watchers > 0 {
            self.window.push(event);
        }
        match &event.kind {
            #[cfg(feature = "reliability")]
            EventKind::Broker(BrokerEvent::Waits {
                node,
                why: WaitWhy::Member,
            }) => self.hand_out(*node),
            #[cfg(feature = "reliability")]
            EventKind::Broker(BrokerEvent::Confirmed {
                client,
                task: Some(task),
                ..
            }) => self.note_confirm(*client, task.0),
            EventKind::Deliver {
                to,
                fate: Fate::Queued,
                ..
            } if self.sockets.get(to).is_some_and(|o| o.auto) => {
                self.pending.insert(*to);
            }
            // A call may change what a socket's pattern lets it receive
            // (a REP that replied may take the next request).
            EventKind::Send { socket, .. }
                if self
                    .sockets
                    .get(socket)
                    .is_some_and(|o| o.auto && o.kind.can_recv()) =>
            {
                self.pending.insert(*socket);
            }
            kind if is_structural(kind) => self.topology_dirty = true,
            _ => {}
        }
    }

    /// Applies an action now, records it, and learns from its event.
    pub(super) fn apply(&mut self, action: Action) -> Result<Event, ActionError> {
        let (step, time, settled) = (self.sim.steps(), self.sim.now(), self.sim.settled());
        let sim = &self.sim;
        let keep = self
            .log
            .admit(step, time, settled, &action, || sim.trace_digest());
        let kept = keep.then(|| action.clone());
        let event = self.sim.apply(action)?;
        if let Some(action) = kept {
            self.log.push(step, time, settled, action);
        }
        self.on_event(&event);
        Ok(event)
    }

    /// Removes a member that left or was removed, and the nodes it drives
    /// (their queued messages are lost, as when a process holding ZeroMQ
    /// sockets exits; a task program's broker connection closes); its
    /// session is told `last_word`, if any. Returns the nodes.
    pub(super) fn remove_member(
        &mut self,
        member: MemberId,
        last_word: Option<ServerFrame>,
    ) -> Vec<String> {
        self.remove_member_as(member, last_word, Exit::Clean)
    }

    fn remove_member_as(
        &mut self,
        member: MemberId,
        last_word: Option<ServerFrame>,
        exit: Exit,
    ) -> Vec<String> {
        let Some(m) = self.members.remove(&member) else {
            return Vec::new();
        };
        self.low_on_room.remove(&member);
        if m.watching {
            self.watchers -= 1;
        }
        // Without the reliability engine no node runs a task program.
        #[cfg(not(feature = "reliability"))]
        let _ = exit;
        for node in &m.nodes {
            #[cfg(feature = "reliability")]
            if exit == Exit::Vanished && self.sim.runs_live_task(node) {
                self.crash_task_node(node);
                continue;
            }
            self.drop_node(node);
        }
        self.outgoing.push_back((member, Transmit::End(last_word)));
        if self.members.is_empty() {
            self.empty_since = Some(self.clock);
        }
        self.topology_dirty = true;
        m.nodes
    }

    /// Removes a member's node from the engine and forgets its sockets;
    /// returns the messages lost with it.
    pub(super) fn drop_node(&mut self, node: &str) -> u32 {
        self.drivers.remove(node);
        self.sockets.retain(|_, o| o.node != node);
        let sockets = &self.sockets;
        self.pending.retain(|s| sockets.contains_key(s));
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

    /// Receives for automatically receiving sockets, as much as the engine
    /// says each may take now, while their member's outbox has room.
    fn service_auto(&mut self) {
        self.again = false;
        self.starved = false;
        if self.pending.is_empty() {
            return;
        }
        for sid in std::mem::take(&mut self.pending) {
            let Some(owned) = self.sockets.get(&sid).filter(|o| o.auto) else {
                continue;
            };
            let batch = self
                .sim
                .receivable(sid)
                .min(AUTO_BATCH)
                .min(owned.auto_left.unwrap_or(u64::MAX));
            if batch == 0 {
                continue;
            }
            let (member, node, socket) = (owned.member, owned.node.clone(), owned.socket.clone());
            if !self.members.get(&member).is_some_and(Member::has_room) {
                // Left queued in the engine, where high-water marks push
                // back; tried again when the session takes frames.
                self.pending.insert(sid);
                self.starved = true;
                continue;
            }
            let mut messages = Vec::with_capacity(batch as usize);
            for _ in 0..batch {
                match self.apply(Action::Recv {
                    node: node.clone(),
                    socket: socket.clone(),
                }) {
                    Ok(Event {
                        kind: EventKind::Recv { msg, payload, .. },
                        ..
                    }) => messages.push(Delivered { msg, payload }),
                    // Never expected (the engine said it had these), but
                    // the engine's word on the call is final.
                    _ => break,
                }
            }
            if let Some(owned) = self.sockets.get_mut(&sid) {
                if let Some(left) = &mut owned.auto_left {
                    *left = left.saturating_sub(messages.len() as u64);
                    if *left == 0 {
                        owned.auto = false;
                    }
                }
                if owned.auto && self.sim.receivable(sid) > 0 {
                    self.pending.insert(sid);
                    self.again = true;
                }
            }
            if !messages.is_empty() {
                self.push(
                    member,
                    ServerFrame::Received {
                        node,
                        socket,
                        messages,
                        eagain: None,
                        id: None,
                    },
                );
            }
        }
    }

    /// Limits and idleness, every [`HOUSEKEEPING`]. When several reasons
    /// to close hold at once, the last checked is given.
    fn housekeeping(&mut self) {
        let now = self.clock;
        self.next_housekeeping = now.saturating_add(HOUSEKEEPING);
        self.queued_bytes = self.sim.queued().1;
        self.queued_added = 0;
        let mut end = None;
        let limit = self.rules.queued_bytes;
        if self.queued_bytes > limit.saturating_mul(2) {
            end = Some(RoomEnd::QueuesTooLarge {
                bytes: self.queued_bytes,
                limit,
            });
        }
        #[cfg(feature = "reliability")]
        if self.sim.tasks_made() > self.rules.tasks {
            end = Some(RoomEnd::TooManyTasks {
                tasks: self.sim.tasks_made(),
                limit: self.rules.tasks,
            });
        }
        let behind = now.saturating_sub(self.sim.now());
        if behind > MAX_BEHIND {
            end = Some(RoomEnd::FellBehind {
                seconds: behind.as_micros() / Tick::PER_SEC,
            });
        }
        if now.saturating_sub(self.last_activity) >= self.rules.idle {
            end = Some(RoomEnd::Idle {
                seconds: self.rules.idle.as_micros() / Tick::PER_SEC,
            });
        }
        let grace = self.rules.empty_grace();
        if let Some(since) = self.empty_since
            && now.saturating_sub(since) >= grace
        {
            end = Some(RoomEnd::Empty {
                seconds: grace.as_micros() / Tick::PER_SEC,
            });
        }
        if let Some(end) = end {
            self.finish(end);
        }
    }

    /// Bytes the room's pipes hold, as the queue limit counts them.
    pub(super) fn queued_estimate(&self) -> u64 {
        self.queued_bytes + self.queued_added
    }

    /// Pushes watchers what happened, every [`FLUSH_EVERY`].
    fn publish(&mut self) {
        if self.watchers == 0 {
            // Nothing collected while nobody watches; keep the window clear.
            self.window = Window::default();
            return;
        }
        let now = self.clock;
        if now < self.last_flush.saturating_add(FLUSH_EVERY) {
            return;
        }
        self.last_flush = now;
        let periodic = now >= self.last_topology.saturating_add(TOPOLOGY_EVERY);
        let topology_wanted = self.topology_dirty
            || periodic
            || self.members.values().any(|m| m.watching && m.topology_due);
        if topology_wanted {
            self.last_topology = now;
            let topology = Box::new(self.sim.topology());
            let members = self.member_infos();
            let all = self.topology_dirty || periodic;
            let due: Vec<MemberId> = self
                .members
                .iter()
                .filter(|(_, m)| m.watching && (all || m.topology_due))
                .map(|(id, _)| *id)
                .collect();
            for id in due {
                let has_room = self.members.get(&id).is_some_and(Member::has_room);
                if has_room {
                    self.push(
                        id,
                        ServerFrame::RoomTopology {
                            room: self.code.clone(),
                            topology: topology.clone(),
                            members: members.clone(),
                            id: None,
                        },
                    );
                }
                if let Some(m) = self.members.get_mut(&id) {
                    m.topology_due = !has_room;
                }
            }
            self.topology_dirty = false;
        }
        if self.window.is_empty() {
            return;
        }
        let (events, skipped) = self.window.take();
        let summary = Box::new(self.sim.summary());
        let (queued_messages, queued_bytes) = self.sim.queued();
        let behind_us = now.saturating_sub(self.sim.now()).as_micros();
        let watching: Vec<MemberId> = self
            .members
            .iter()
            .filter(|(_, m)| m.watching)
            .map(|(id, _)| *id)
            .collect();
        for id in watching {
            let Some(m) = self.members.get_mut(&id) else {
                continue;
            };
            if !m.has_room() {
                m.missed += events.len() as u64 + skipped;
                continue;
            }
            let frame = ServerFrame::RoomEvents {
                room: self.code.clone(),
                events: events.clone(),
                skipped: skipped + m.missed,
                summary: summary.clone(),
                queued_messages,
                queued_bytes,
                behind_us,
            };
            m.missed = 0;
            self.push(id, frame);
        }
    }

    /// The room ends: every member is told why, and removed.
    fn finish(&mut self, end: RoomEnd) {
        if self.end.is_some() {
            return;
        }
        for (member, _) in std::mem::take(&mut self.members) {
            self.outgoing.push_back((
                member,
                Transmit::End(Some(ServerFrame::room_closed(
                    self.code.clone(),
                    end.clone(),
                    None,
                ))),
            ));
        }
        self.end = Some(end);
        self.watchers = 0;
        self.low_on_room.clear();
        self.pending.clear();
        self.again = false;
        self.starved = false;
    }
}

/// Compares a presented token with the real one without stopping at the
/// first difference.
pub fn token_matches(real: &str, presented: &str) -> bool {
    let (a, b) = (real.as_bytes(), presented.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
