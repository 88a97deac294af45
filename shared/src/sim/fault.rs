//! Faults as actions, named as Jepsen's nemeses and turmoil name them:
//! `crash` (turmoil's crash; with a duration, its bounce), `restart`,
//! `pause` and `resume` (a stalled or collecting process), `partition`
//! and `heal` (turmoil's partition and repair, one-way or both), `delay`
//! with jitter on a link, `drop` and `duplicate` on broker links, and
//! `poison`.
//!
//! What the network does, as TCP would (`docs/scenarios.md`, "Faults"):
//! a partition holds messages on the wire (TCP retransmits); if it lasts
//! past `network.give_up`, the connection is given up and what its pipes
//! held is lost; the connecting side reconnects once the path is back, as
//! libzmq does. A crashed process's peers see its connections close one
//! latency later (its kernel sends the FIN); across a partition they see
//! it when it heals (the FIN is retransmitted) or when they give up. ZeroMQ's pipes fail as connections, never as
//! lost datagrams, so `drop` and `duplicate` apply to broker links only,
//! where acknowledgements and retries make them matter.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{
    NodeId, Simulator,
    action::{Action, ActionError},
    event::EventKind,
    fault_event::{FaultEvent, Held, Returns},
    simulator::{ConnState, TaskKind},
};
use crate::{broker::Transport, time::Tick};

/// A point in a node's work where an armed crash fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrashPoint {
    /// When it starts working on a message or task (after an early ack).
    Work,
    /// Right after a task's side effect, before its result and late ack.
    SideEffect,
    /// Right after a recv returned a message (a REP with a request).
    Recv,
}

/// What a link fault does.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkFaultKind {
    /// Extra latency, plus up to `jitter` drawn per message or frame.
    Delay { latency: Tick, jitter: Tick },
    /// Broker frames lost, in parts per million.
    Drop { ppm: u32 },
    /// Broker frames delivered twice, in parts per million.
    Duplicate { ppm: u32 },
}

// Read compactly (see `json::decode_tagged!`); written by the derive.
crate::json::decode_tagged!(LinkFaultKind by "kind" {
    "delay" => Delay { latency, jitter },
    "drop" => Drop { ppm },
    "duplicate" => Duplicate { ppm },
});

/// A partition between two groups of nodes (`one_way`: only from `a` to
/// `b` is cut).
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    pub id: u32,
    pub a: BTreeSet<NodeId>,
    pub b: BTreeSet<NodeId>,
    pub one_way: bool,
}

impl Partition {
    fn cuts(&self, from: NodeId, to: NodeId) -> bool {
        (self.a.contains(&from) && self.b.contains(&to))
            || (!self.one_way && self.b.contains(&from) && self.a.contains(&to))
    }
}

/// A fault on the links between two groups (both directions).
#[derive(Clone, Debug, PartialEq)]
pub struct LinkFault {
    pub id: u32,
    pub a: BTreeSet<NodeId>,
    pub b: BTreeSet<NodeId>,
    pub kind: LinkFaultKind,
}

impl LinkFault {
    fn covers(&self, from: NodeId, to: NodeId) -> bool {
        (self.a.contains(&from) && self.b.contains(&to))
            || (self.b.contains(&from) && self.a.contains(&to))
    }
}

/// A fault the scenario schedules (`"faults": [{"at": "2s", "action": …}]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledFault {
    pub at: Tick,
    pub action: Action,
}

/// A rate (0 … 1) in parts per million, or `None` if out of range.
pub fn rate_ppm(rate: f64) -> Option<u32> {
    if (0.0..=1.0).contains(&rate) {
        Some(libm::round(rate * 1_000_000.0) as u32)
    } else {
        None
    }
}

impl Action {
    /// A fault (as opposed to an edit or an external call).
    pub fn is_fault(&self) -> bool {
        matches!(
            self,
            Action::Crash { .. }
                | Action::Restart { .. }
                | Action::Pause { .. }
                | Action::Resume { .. }
                | Action::Partition { .. }
                | Action::Heal { .. }
                | Action::Delay { .. }
                | Action::Drop { .. }
                | Action::Duplicate { .. }
                | Action::Poison { .. }
        )
    }

    /// The node names a fault names.
    pub fn fault_targets(&self) -> Vec<&str> {
        match self {
            Action::Crash { node, .. }
            | Action::Restart { node }
            | Action::Pause { node, .. }
            | Action::Resume { node }
            | Action::Poison { node } => vec![node.as_str()],
            Action::Partition { a, b, .. }
            | Action::Heal { a, b }
            | Action::Delay { a, b, .. }
            | Action::Drop { a, b, .. }
            | Action::Duplicate { a, b, .. } => a.iter().chain(b).map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

impl Simulator {
    /// Does a partition cut messages from `from` to `to`?
    pub(crate) fn blocked(&self, from: NodeId, to: NodeId) -> bool {
        self.rel.partitions.iter().any(|p| p.cuts(from, to))
    }

    pub(crate) fn is_paused(&self, node: NodeId) -> bool {
        self.nodes
            .get(node.0 as usize)
            .is_some_and(|n| n.paused.is_some() && !n.crashed)
    }

    /// The extra latency `delay` faults put on a message from `from` to
    /// `to`, jitter drawn from the network's own stream.
    pub(crate) fn extra_delay(&mut self, from: NodeId, to: NodeId) -> Tick {
        let mut extra = Tick::ZERO;
        for f in &self.rel.link_faults {
            if let LinkFaultKind::Delay { latency, jitter } = f.kind
                && f.covers(from, to)
            {
                let j = if jitter > Tick::ZERO {
                    Tick(self.rel.net_rng.between(0, jitter.0))
                } else {
                    Tick::ZERO
                };
                extra = extra.saturating_add(latency).saturating_add(j);
            }
        }
        extra
    }

    /// Does the network lose (`drop`) or double (`!drop`) this frame?
    pub(crate) fn roll(&mut self, from: NodeId, to: NodeId, drop: bool) -> bool {
        let ppm: u32 = self
            .rel
            .link_faults
            .iter()
            .filter(|f| f.covers(from, to))
            .map(|f| match f.kind {
                LinkFaultKind::Drop { ppm } if drop => ppm,
                LinkFaultKind::Duplicate { ppm } if !drop => ppm,
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        ppm > 0 && self.rel.net_rng.below(1_000_000) < u64::from(ppm)
    }

    fn group(&self, names: &[String]) -> Result<BTreeSet<NodeId>, ActionError> {
        if names.is_empty() {
            return Err(ActionError::EmptyGroup);
        }
        names.iter().map(|n| self.node_id(n)).collect()
    }

    /// Two disjoint, non-empty groups of existing nodes.
    pub(crate) fn groups(
        &self,
        a: &[String],
        b: &[String],
    ) -> Result<(BTreeSet<NodeId>, BTreeSet<NodeId>), ActionError> {
        let (a, b) = (self.group(a)?, self.group(b)?);
        if let Some(both) = a.intersection(&b).next() {
            return Err(ActionError::Overlap {
                node: self.node_name(*both).to_string(),
            });
        }
        Ok((a, b))
    }

    /// Applies a fault action; `None` if it is not one.
    pub(crate) fn apply_fault(
        &mut self,
        action: &Action,
    ) -> Option<Result<EventKind, ActionError>> {
        let result = match action {
            Action::Crash { node, on, duration } => (|| {
                let id = self.node_id(node)?;
                if self.nodes[id.0 as usize].crashed {
                    return Err(ActionError::AlreadyCrashed { node: node.clone() });
                }
                Ok(match on {
                    Some(point) => {
                        self.nodes[id.0 as usize].rel.armed = Some((*point, *duration));
                        EventKind::Fault(FaultEvent::Armed {
                            node: id,
                            on: *point,
                            duration: *duration,
                        })
                    }
                    None => self.crash_node(id, *duration),
                })
            })(),
            Action::Restart { node } => (|| {
                let id = self.node_id(node)?;
                if !self.nodes[id.0 as usize].crashed {
                    return Err(ActionError::NotCrashed { node: node.clone() });
                }
                Ok(self.restart_node(id))
            })(),
            Action::Pause { node, duration } => (|| {
                let id = self.node_id(node)?;
                let n = &self.nodes[id.0 as usize];
                if n.crashed {
                    return Err(ActionError::Crashed { node: node.clone() });
                }
                if n.paused.is_some() {
                    return Err(ActionError::AlreadyPaused { node: node.clone() });
                }
                Ok(self.pause_node(id, *duration))
            })(),
            Action::Resume { node } => (|| {
                let id = self.node_id(node)?;
                if !self.is_paused(id) {
                    return Err(ActionError::NotPaused { node: node.clone() });
                }
                Ok(self.resume_node(id))
            })(),
            Action::Partition {
                a,
                b,
                one_way,
                duration,
            } => (|| {
                let (a, b) = self.groups(a, b)?;
                let id = self.mint_fault();
                let until = duration.map(|d| self.now.saturating_add(d));
                if let Some(t) = until {
                    self.schedule(t, super::reliability::Task::HealFault(id));
                }
                self.rel.partitions.push(Partition {
                    id,
                    a: a.clone(),
                    b: b.clone(),
                    one_way: *one_way,
                });
                self.refresh_stalls();
                Ok(EventKind::Fault(FaultEvent::Partitioned {
                    id,
                    a: a.into_iter().collect(),
                    b: b.into_iter().collect(),
                    one_way: *one_way,
                    until,
                }))
            })(),
            Action::Heal { a, b } => (|| {
                let groups = if a.is_empty() && b.is_empty() {
                    None
                } else {
                    Some(self.groups(a, b)?)
                };
                let matches = |fa: &BTreeSet<NodeId>, fb: &BTreeSet<NodeId>| match &groups {
                    None => true,
                    Some((a, b)) => (fa == a && fb == b) || (fa == b && fb == a),
                };
                let before = (self.rel.partitions.len(), self.rel.link_faults.len());
                self.rel.partitions.retain(|p| !matches(&p.a, &p.b));
                self.rel.link_faults.retain(|f| !matches(&f.a, &f.b));
                let partitions = (before.0 - self.rel.partitions.len()) as u32;
                let link_faults = (before.1 - self.rel.link_faults.len()) as u32;
                let released = self.after_heal();
                Ok(EventKind::Fault(FaultEvent::Healed {
                    partitions,
                    link_faults,
                    released,
                }))
            })(),
            Action::Delay {
                a,
                b,
                latency,
                jitter,
                duration,
            } => {
                let kind = LinkFaultKind::Delay {
                    latency: *latency,
                    jitter: *jitter,
                };
                self.add_link_fault(a, b, kind, *duration)
            }
            Action::Drop {
                a,
                b,
                rate,
                duration,
            }
            | Action::Duplicate {
                a,
                b,
                rate,
                duration,
            } => (|| {
                let ppm = rate_ppm(*rate).ok_or_else(|| ActionError::BadRate {
                    rate: rate.to_string(),
                })?;
                let kind = if matches!(action, Action::Drop { .. }) {
                    LinkFaultKind::Drop { ppm }
                } else {
                    LinkFaultKind::Duplicate { ppm }
                };
                let (ga, gb) = self.groups(a, b)?;
                let linked = self.rel.links.iter().any(|l| {
                    (ga.contains(&l.client) && gb.contains(&l.broker))
                        || (gb.contains(&l.client) && ga.contains(&l.broker))
                });
                if !linked {
                    return Err(ActionError::NoBrokerLink {
                        a: a.join(", "),
                        b: b.join(", "),
                    });
                }
                self.add_link_fault(a, b, kind, *duration)
            })(),
            Action::Poison { node } => (|| {
                let id = self.node_id(node)?;
                let n = &mut self.nodes[id.0 as usize];
                match &mut n.program {
                    super::nodes::Program::TaskProducer(p) => {
                        p.poison_next = true;
                        Ok(EventKind::Fault(FaultEvent::Poisoned { node: id }))
                    }
                    _ => Err(ActionError::NotProducer {
                        node: node.clone(),
                        program: n.program_kind.into(),
                    }),
                }
            })(),
            _ => return None,
        };
        Some(result)
    }

    fn mint_fault(&mut self) -> u32 {
        self.rel.next_fault += 1;
        self.rel.next_fault
    }

    fn add_link_fault(
        &mut self,
        a: &[String],
        b: &[String],
        kind: LinkFaultKind,
        duration: Option<super::super::time::Tick>,
    ) -> Result<EventKind, ActionError> {
        let (a, b) = self.groups(a, b)?;
        let id = self.mint_fault();
        let until = duration.map(|d| self.now.saturating_add(d));
        if let Some(t) = until {
            self.schedule(t, super::reliability::Task::HealFault(id));
        }
        self.rel.link_faults.push(LinkFault {
            id,
            a: a.clone(),
            b: b.clone(),
            kind,
        });
        Ok(EventKind::Fault(FaultEvent::LinkFaulted {
            id,
            a: a.into_iter().collect(),
            b: b.into_iter().collect(),
            fault: kind,
            until,
        }))
    }

    /// A timed partition or link fault ends.
    pub(crate) fn heal_fault(&mut self, id: u32) -> Option<EventKind> {
        let before = (self.rel.partitions.len(), self.rel.link_faults.len());
        self.rel.partitions.retain(|p| p.id != id);
        self.rel.link_faults.retain(|f| f.id != id);
        let partitions = (before.0 - self.rel.partitions.len()) as u32;
        let link_faults = (before.1 - self.rel.link_faults.len()) as u32;
        if partitions + link_faults == 0 {
            return None;
        }
        let released = self.after_heal();
        Some(EventKind::Fault(FaultEvent::Healed {
            partitions,
            link_faults,
            released,
        }))
    }

    /// What a heal lets through: messages held on wires, handshakes,
    /// broker frames. Returns how many were released.
    fn after_heal(&mut self) -> u32 {
        let mut released = 0;
        let now = self.now;
        for i in 0..self.conns.len() {
            let conn = crate::socket::ConnId(i as u32);
            match self.conns[i].state {
                ConnState::Up => {
                    for dir in 0..2 {
                        let c = &self.conns[i];
                        let (from, to) = c.ends(dir);
                        let due = c.pipes[dir].next_arrival().is_some_and(|t| t <= now);
                        if due && !self.blocked(self.socket_node(from), self.socket_node(to)) {
                            released += 1;
                            self.schedule(now, TaskKind::Arrive(conn, dir as u8));
                        }
                    }
                }
                ConnState::Handshaking if self.conns[i].handshake_held => {
                    released += 1;
                    self.schedule(now, TaskKind::Handshake(conn));
                }
                _ => {}
            }
        }
        released += self.release_frames();
        self.refresh_stalls();
        released
    }

    /// Marks connections and broker links that a partition (or a pause)
    /// now stalls, scheduling TCP's give-up for each; and those no longer
    /// stalled as healthy again.
    pub(crate) fn refresh_stalls(&mut self) {
        let give_up = self.network.give_up;
        let at = self.now.saturating_add(give_up);
        for i in 0..self.conns.len() {
            let c = &self.conns[i];
            if !matches!(c.state, ConnState::Up | ConnState::Handshaking) {
                continue;
            }
            let Some(binder) = c.binder else { continue };
            let (a, b) = (self.socket_node(c.connecter), self.socket_node(binder));
            let stuck = self.blocked(a, b) || self.blocked(b, a);
            let c = &mut self.conns[i];
            if stuck != c.stalled {
                c.stalled = stuck;
                c.stall += 1;
                if stuck {
                    let stall = c.stall;
                    self.schedule(
                        at,
                        super::reliability::Task::GiveUpConn(
                            crate::socket::ConnId(i as u32),
                            stall,
                        ),
                    );
                }
            }
        }
        for i in 0..self.rel.links.len() {
            let l = &self.rel.links[i];
            if l.broker_open.is_none() && !l.channel.up {
                continue;
            }
            let (c, b) = (l.client, l.broker);
            let stuck =
                self.blocked(c, b) || self.blocked(b, c) || self.is_paused(c) || self.is_paused(b);
            let l = &mut self.rel.links[i];
            if stuck != l.stalled {
                l.stalled = stuck;
                l.stall += 1;
                if stuck {
                    let stall = l.stall;
                    self.schedule(at, super::reliability::Task::GiveUpLink(i as u32, stall));
                } else {
                    self.release_close(i as u32);
                }
            }
        }
    }

    /// TCP gives up on a ZeroMQ connection: it closes (its pipes' messages
    /// lost) and the connecting socket starts over, completing its
    /// handshake when the path is back.
    pub(crate) fn give_up_conn(
        &mut self,
        conn: crate::socket::ConnId,
        stall: u32,
    ) -> Option<EventKind> {
        let c = self.conns.get(conn.0 as usize)?;
        if !c.stalled || c.stall != stall || c.state == ConnState::Closed {
            return None;
        }
        let (connecter, endpoint) = (c.connecter, c.endpoint.clone());
        let lost = self.close_conn(conn);
        if self.sockets[connecter.0 as usize].alive
            && let Some(index) = self.sockets[connecter.0 as usize]
                .connects
                .iter()
                .position(|c| c.endpoint == endpoint)
        {
            self.start_connect(connecter, index);
        }
        Some(EventKind::Fault(FaultEvent::GaveUp { conn, lost }))
    }

    /// The process dies: its program and in-memory state vanish, its
    /// sockets close (their queued messages lost; peers that connected to
    /// it reconnect when it binds again), and its broker connection breaks
    /// (the other side learns one latency later).
    pub(crate) fn crash_node(&mut self, id: NodeId, duration: Option<Tick>) -> EventKind {
        let now = self.now;
        let mut held = Vec::new();
        let mut lost_tasks = Vec::new();
        let mut kept = None;
        // A client's deliveries: unacknowledged ones come back; what it
        // had taken or received after an early or automatic ack is gone.
        if let Some(&link) = self.rel.link_of.get(&id) {
            let l = &self.rel.links[link as usize];
            let broker = l.broker;
            let transport = self.nodes[broker.0 as usize]
                .program
                .broker()
                .map(|b| (b.spec().transport, b.spec().visibility_timeout));
            let mut unacked = BTreeSet::new();
            if let (Some(session), Some((transport, vt))) = (l.broker_open, transport)
                && let Some(b) = self.nodes[broker.0 as usize].program.broker()
            {
                let conn = crate::broker::ConnKey {
                    client: id.0,
                    session,
                };
                for (_, task, at) in b.unacked_of(conn) {
                    unacked.insert(task);
                    held.push(Held {
                        task,
                        returns: match transport {
                            Transport::Amqp => Returns::ConnectionClosed {
                                at: now.saturating_add(l.latency),
                            },
                            Transport::Redis => Returns::VisibilityTimeout {
                                at: at.saturating_add(vt),
                            },
                        },
                    });
                }
            }
            // What it had taken or received and no longer answers for at
            // the broker (acked early or automatically), unless done.
            let n = &self.nodes[id.0 as usize];
            let mine = n.program.current_task().into_iter().chain(
                l.channel
                    .buffer
                    .iter()
                    .chain(l.channel.eta.values())
                    .map(|d| d.task),
            );
            for task in mine {
                let done = self.rel.ledger.get(task).is_some_and(|r| r.processed > 0);
                if !unacked.contains(&task) && !done && !lost_tasks.contains(&task) {
                    lost_tasks.push(task);
                }
            }
            self.client_crashed(link);
        }
        if let Some(b) = self.nodes[id.0 as usize].program.broker_mut() {
            let loss = b.crash();
            lost_tasks.extend(loss.lost);
            kept = Some(loss.kept);
            self.broker_crashed(id);
        }
        let sockets = self.nodes[id.0 as usize].sockets.clone();
        let lost = sockets.into_iter().map(|s| self.close_socket(s)).sum();
        let n = &mut self.nodes[id.0 as usize];
        n.crashed = true;
        n.epoch += 1;
        n.blocked = None;
        n.next_op = None;
        n.sleeping = false;
        n.scheduled = false;
        n.paused = None;
        n.deferred.clear();
        n.rel.armed = None;
        n.rel.crash_pending = false;
        n.poll = None;
        n.rel.broker_wait = None;
        let epoch = n.epoch;
        let restart_at = duration.map(|d| now.saturating_add(d));
        if let Some(t) = restart_at {
            self.schedule(t, super::reliability::Task::Restart(id, epoch));
        }
        self.refresh_stalls();
        EventKind::Fault(FaultEvent::Crashed {
            node: id,
            lost,
            held,
            lost_tasks,
            kept,
            restart_at,
        })
    }

    /// A fresh process from the node's spec: new sockets (binding and
    /// connecting again), a new program; a broker recovers its disk.
    pub(crate) fn restart_node(&mut self, id: NodeId) -> EventKind {
        let spec = self.nodes[id.0 as usize].spec.clone();
        let mut recovered = None;
        if let Some(b) = self.nodes[id.0 as usize].program.broker_mut() {
            recovered = Some(b.restart());
        } else {
            let base = self.sockets.len() as u32;
            let sockets = self.make_sockets(id, &spec);
            self.nodes[id.0 as usize].sockets = sockets;
            if let Ok(program) = spec.program.build(&spec.name, &spec.resolver(base)) {
                let n = &mut self.nodes[id.0 as usize];
                n.program_kind = spec.program.kind_name();
                n.program = program;
            }
        }
        let n = &mut self.nodes[id.0 as usize];
        n.crashed = false;
        n.started = false;
        n.halted = false;
        n.resume = super::nodes::Resume::Start;
        let epoch = n.epoch;
        self.schedule(self.now, TaskKind::Start(id, epoch));
        EventKind::Fault(FaultEvent::Restarted {
            node: id,
            recovered,
        })
    }

    pub(crate) fn pause_node(&mut self, id: NodeId, duration: Option<Tick>) -> EventKind {
        let pause = self.mint_fault();
        let until = duration.map(|d| self.now.saturating_add(d));
        self.nodes[id.0 as usize].paused = Some((until, pause));
        if let Some(t) = until {
            self.schedule(t, super::reliability::Task::PauseEnd(id, pause));
        }
        self.refresh_stalls();
        EventKind::Fault(FaultEvent::Paused { node: id, until })
    }

    /// The pause ends: what came meanwhile runs now, in order.
    pub(crate) fn resume_node(&mut self, id: NodeId) -> EventKind {
        let n = &mut self.nodes[id.0 as usize];
        n.paused = None;
        let deferred = std::mem::take(&mut n.deferred);
        let count = deferred.len() as u32;
        for task in deferred {
            self.schedule(self.now, task);
        }
        self.refresh_stalls();
        EventKind::Fault(FaultEvent::Resumed {
            node: id,
            deferred: count,
        })
    }

    /// The node reached a point where an armed crash may fire: it takes no
    /// more turns, and crashes next.
    pub(crate) fn reached(&mut self, id: NodeId, point: CrashPoint) {
        let n = &mut self.nodes[id.0 as usize];
        if n.rel.armed.is_some_and(|(p, _)| p == point) && !n.rel.crash_pending {
            n.rel.crash_pending = true;
            let epoch = n.epoch;
            self.schedule(self.now, super::reliability::Task::ArmedCrash(id, epoch));
        }
    }

    /// A fault of the scenario's list, at its time.
    pub(crate) fn scenario_fault(&mut self, index: u32) -> EventKind {
        let Some(fault) = self.rel.scheduled_faults.get(index as usize).cloned() else {
            return EventKind::Fault(FaultEvent::Skipped {
                index,
                error: ActionError::EmptyGroup,
            });
        };
        match self.apply_fault(&fault.action) {
            Some(Ok(kind)) => kind,
            Some(Err(error)) => EventKind::Fault(FaultEvent::Skipped { index, error }),
            None => EventKind::Fault(FaultEvent::Skipped {
                index,
                error: ActionError::EmptyGroup,
            }),
        }
    }
}
