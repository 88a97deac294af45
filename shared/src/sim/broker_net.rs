//! Broker connections: the links between task producers and workers and
//! their broker, the frames on them (publish, confirm, nack, deliver,
//! ack/nack/reject, result), and what each end does with them.
//!
//! These are not ZeroMQ pipes. A link has a latency (the network's, plus
//! any `delay` fault with its jitter); each frame travels on its own, so a
//! `drop` fault can lose one and a `duplicate` fault deliver one twice
//! (where acknowledgements and retries make that matter). A connection is
//! numbered (`session`): frames of a closed connection are discarded on
//! arrival, as a new TCP connection never sees an old one's bytes. A
//! crashed process's peer learns of it one latency later; across a
//! partition or a pause, only when the give-up time passes (AMQP
//! heartbeats). A client reconnects with a doubling back-off from
//! `network.reconnect`.

use super::{
    NodeId, Simulator,
    broker_event::{
        BrokerEvent, CloseWhy, FrameKind, RepublishWhy, SettleResult, Side, Unreachable, WaitWhy,
    },
    event::EventKind,
    nodes::{BrokerCall, ClientConfig, FailThen, Op, Program, Resume, Settle},
    simulator::TaskKind,
};
use crate::{
    broker::{
        AckMode, ConnKey, Fate, Tag, TaskBody, TaskId, TaskState,
        client::{ClientChannel, Delivery, Outgoing},
        server::{Expired, Returned, Settled},
    },
    time::Tick,
};

/// A client node's connection to its broker.
#[derive(Clone, Debug)]
pub(crate) struct BrokerLink {
    pub client: NodeId,
    pub broker: NodeId,
    pub latency: Tick,
    pub channel: ClientChannel,
    /// The connection the broker holds open for this client.
    pub broker_open: Option<u32>,
    /// A connection attempt under way (its session).
    pub connecting: Option<u32>,
    /// Connections opened so far (the next one's number is one more).
    pub sessions: u32,
    pub backoff: Tick,
    /// A partition or a pause holds it; `stall` counts such spells.
    pub stalled: bool,
    pub stall: u32,
    pub client_timer: Option<Tick>,
    pub queue: String,
    pub consume: Option<(u32, AckMode)>,
    pub persistent: bool,
    pub confirms: bool,
    pub max_unconfirmed: Option<u32>,
    pub republish_after: Option<Tick>,
}

/// One frame of the broker protocol.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Frame {
    Publish {
        seq: u64,
        queue: String,
        task: TaskId,
        body: TaskBody,
        persistent: bool,
        confirm: bool,
    },
    Confirm {
        seq: u64,
    },
    Nack {
        seq: u64,
    },
    Deliver(Delivery),
    Settle {
        tag: Tag,
        task: TaskId,
        how: Settle,
    },
    Result {
        task: TaskId,
        state: TaskState,
    },
}

impl Frame {
    pub fn kind(&self) -> FrameKind {
        match self {
            Frame::Publish { .. } => FrameKind::Publish,
            Frame::Confirm { .. } => FrameKind::Confirm,
            Frame::Nack { .. } => FrameKind::Nack,
            Frame::Deliver(_) => FrameKind::Deliver,
            Frame::Settle { .. } => FrameKind::Settle,
            Frame::Result { .. } => FrameKind::Result,
        }
    }

    pub fn task(&self) -> Option<TaskId> {
        match self {
            Frame::Publish { task, .. }
            | Frame::Settle { task, .. }
            | Frame::Result { task, .. } => Some(*task),
            Frame::Deliver(d) => Some(d.task),
            Frame::Confirm { .. } | Frame::Nack { .. } => None,
        }
    }
}

/// A frame on its way.
#[derive(Clone, Debug)]
pub(crate) struct InFlight {
    pub link: u32,
    pub to_broker: bool,
    pub session: u32,
    pub frame: Frame,
    /// Made by a `duplicate` fault.
    pub copy: bool,
    /// Held by a partition until it heals.
    pub held: bool,
}

fn event(e: BrokerEvent) -> EventKind {
    EventKind::Broker(e)
}

impl Simulator {
    fn link(&self, link: u32) -> &BrokerLink {
        &self.rel.links[link as usize]
    }

    fn link_mut(&mut self, link: u32) -> &mut BrokerLink {
        &mut self.rel.links[link as usize]
    }

    fn broker_mut(&mut self, node: NodeId) -> Option<&mut crate::broker::Broker> {
        self.nodes.get_mut(node.0 as usize)?.program.broker_mut()
    }

    /// A client node starts: it (re)opens its connection to its broker.
    pub(crate) fn open_link(&mut self, client: NodeId) {
        let Some(cfg) = self.nodes[client.0 as usize].program.broker_client() else {
            return;
        };
        let ClientConfig {
            broker,
            queue,
            consume,
            persistent,
            confirms,
            max_unconfirmed,
            republish_after,
        } = cfg;
        let (queue, broker) = (queue.to_string(), broker.to_string());
        let Ok(broker) = self.node_id(&broker) else {
            return;
        };
        // A worker's retry copies that the broker refuses go again after
        // the reconnect interval.
        let republish_after = if consume.is_some() {
            Some(self.network.reconnect)
        } else {
            republish_after
        };
        let link = match self.rel.link_of.get(&client) {
            Some(&l) => l,
            None => {
                self.rel.links.push(BrokerLink {
                    client,
                    broker,
                    latency: self.network.latency,
                    channel: ClientChannel::default(),
                    broker_open: None,
                    connecting: None,
                    sessions: 0,
                    backoff: Tick::ZERO,
                    stalled: false,
                    stall: 0,
                    client_timer: None,
                    queue: String::new(),
                    consume: None,
                    persistent: true,
                    confirms: true,
                    max_unconfirmed: None,
                    republish_after: None,
                });
                let l = (self.rel.links.len() - 1) as u32;
                self.rel.link_of.insert(client, l);
                l
            }
        };
        let l = self.link_mut(link);
        l.broker = broker;
        l.queue = queue;
        l.consume = consume;
        l.persistent = persistent;
        l.confirms = confirms;
        l.max_unconfirmed = max_unconfirmed;
        l.republish_after = republish_after;
        l.channel = ClientChannel::fresh(l.channel.session);
        l.backoff = Tick::ZERO;
        self.try_connect(link, self.network.handshake);
    }

    fn try_connect(&mut self, link: u32, after: Tick) {
        let l = self.link_mut(link);
        l.sessions += 1;
        let session = l.sessions;
        l.connecting = Some(session);
        let at = self.now.saturating_add(after);
        self.schedule(at, super::reliability::Task::LinkConnect(link, session));
    }

    pub(crate) fn link_connect(
        &mut self,
        link: u32,
        session: u32,
        task: TaskKind,
    ) -> Option<EventKind> {
        let l = self.rel.links.get(link as usize)?;
        if l.connecting != Some(session) {
            return None;
        }
        let (client, broker) = (l.client, l.broker);
        let n = &self.nodes[client.0 as usize];
        if !n.alive || n.crashed || n.program.broker_client().is_none() {
            return None;
        }
        if self.defer_if_paused(client, task) {
            return None;
        }
        let b = &self.nodes[broker.0 as usize];
        let up = b.alive && !b.crashed && b.program.broker().is_some_and(|b| b.is_up());
        let why = if !up {
            Some(Unreachable::BrokerDown)
        } else if self.blocked(client, broker) || self.blocked(broker, client) {
            Some(Unreachable::Partitioned)
        } else if self.is_paused(broker) {
            Some(Unreachable::BrokerPaused)
        } else {
            None
        };
        if let Some(why) = why {
            let (reconnect, now) = (self.network.reconnect, self.now);
            let l = self.link_mut(link);
            l.backoff = if l.backoff == Tick::ZERO {
                reconnect
            } else {
                Tick(
                    l.backoff
                        .0
                        .saturating_mul(2)
                        .min(reconnect.0.saturating_mul(32)),
                )
            };
            let retry_at = now.saturating_add(l.backoff);
            self.schedule(
                retry_at,
                super::reliability::Task::LinkConnect(link, session),
            );
            return Some(event(BrokerEvent::ConnectFailed {
                client,
                broker,
                why,
                retry_at,
            }));
        }
        let conn = ConnKey {
            client: client.0,
            session,
        };
        let (queue, consume) = {
            let l = self.link_mut(link);
            l.connecting = None;
            l.backoff = Tick::ZERO;
            // A timer of the earlier session finds itself stale and does
            // nothing; forgetting it lets this session's deadlines get one
            // (else a republish after a reconnect never came).
            l.client_timer = None;
            l.broker_open = Some(session);
            l.channel.connected(session);
            (l.queue.clone(), l.consume)
        };
        let b = self.broker_mut(broker)?;
        b.open(conn);
        if let Some((prefetch, ack)) = consume {
            b.consume(conn, &queue, prefetch, ack == AckMode::Auto);
        }
        let mut republished = 0;
        while let Some(o) = self.link_mut(link).channel.pending.pop_front() {
            self.send_publish(link, o);
            republished += 1;
        }
        self.schedule_dispatch(broker);
        self.schedule_client_timer(link);
        Some(event(BrokerEvent::Connected {
            client,
            broker,
            session,
            consumes: consume.is_some(),
            republished,
        }))
    }

    /// Puts a frame on a link now.
    fn send_frame(&mut self, link: u32, to_broker: bool, frame: Frame) {
        let l = self.link(link);
        let (from, to) = if to_broker {
            (l.client, l.broker)
        } else {
            (l.broker, l.client)
        };
        let session = if to_broker {
            l.channel.session
        } else {
            l.broker_open.unwrap_or(0)
        };
        let mut delay = l.latency;
        if !self.rel.link_faults.is_empty() {
            delay = delay.saturating_add(self.extra_delay(from, to));
        }
        self.rel.next_frame += 1;
        let id = self.rel.next_frame;
        self.rel.frames.insert(
            id,
            InFlight {
                link,
                to_broker,
                session,
                frame,
                copy: false,
                held: false,
            },
        );
        self.schedule(
            self.now.saturating_add(delay),
            super::reliability::Task::FrameArrive(id),
        );
    }

    /// Sends a publish on the open connection; returns its confirm number.
    fn send_publish(&mut self, link: u32, o: Outgoing) -> u64 {
        let now = self.now;
        let l = self.link_mut(link);
        let confirm = l.confirms || o.waiter;
        let frame_of = |seq| Frame::Publish {
            seq,
            queue: o.queue.clone(),
            task: o.task,
            body: o.body,
            persistent: o.persistent,
            confirm,
        };
        let task = o.task;
        let seq = l.channel.send(o.clone(), now, confirm);
        let frame = frame_of(seq);
        self.rel.ledger.published(task);
        self.send_frame(link, true, frame);
        seq
    }

    /// Frames held by a partition that has healed go on now.
    pub(crate) fn release_frames(&mut self) -> u32 {
        let mut released = Vec::new();
        for (id, f) in &self.rel.frames {
            if !f.held {
                continue;
            }
            let l = &self.rel.links[f.link as usize];
            let (from, to) = if f.to_broker {
                (l.client, l.broker)
            } else {
                (l.broker, l.client)
            };
            if !self.blocked(from, to) {
                released.push(*id);
            }
        }
        for id in &released {
            if let Some(f) = self.rel.frames.get_mut(id) {
                f.held = false;
            }
            self.schedule(self.now, super::reliability::Task::FrameArrive(*id));
        }
        released.len() as u32
    }

    pub(crate) fn frame_arrive(&mut self, id: u64, task: TaskKind) -> Option<EventKind> {
        let f = self.rel.frames.get(&id)?;
        let l = &self.rel.links[f.link as usize];
        let (from, to) = if f.to_broker {
            (l.client, l.broker)
        } else {
            (l.broker, l.client)
        };
        let live = if f.to_broker {
            l.broker_open == Some(f.session)
        } else {
            l.channel.up && l.channel.session == f.session
        };
        if !live {
            // Its connection is gone: the bytes never reach anyone.
            self.rel.frames.remove(&id);
            return None;
        }
        if !self.rel.partitions.is_empty() && self.blocked(from, to) {
            if let Some(f) = self.rel.frames.get_mut(&id) {
                f.held = true;
            }
            return None;
        }
        if self.defer_if_paused(to, task) {
            return None;
        }
        let f = self.rel.frames.remove(&id)?;
        if !self.rel.link_faults.is_empty() {
            if self.roll(from, to, true) {
                return Some(event(BrokerEvent::FrameDropped {
                    from,
                    to,
                    frame: f.frame.kind(),
                    task: f.frame.task(),
                }));
            }
            if self.roll(from, to, false) {
                let latency = self.rel.links[f.link as usize].latency;
                self.rel.next_frame += 1;
                let copy = self.rel.next_frame;
                let mut dup = f.clone();
                dup.copy = true;
                self.rel.frames.insert(copy, dup);
                self.schedule(
                    self.now.saturating_add(latency),
                    super::reliability::Task::FrameArrive(copy),
                );
            }
        }
        Some(if f.to_broker {
            self.at_broker(f)
        } else {
            self.at_client(f)
        })
    }

    /// What the broker does with a client's frame.
    fn at_broker(&mut self, f: InFlight) -> EventKind {
        let (client, broker) = {
            let l = self.link(f.link);
            (l.client, l.broker)
        };
        let conn = ConnKey {
            client: client.0,
            session: f.session,
        };
        let Some(b) = self.broker_mut(broker) else {
            return event(BrokerEvent::Waits {
                node: broker,
                why: WaitWhy::Delivery,
            });
        };
        let kind = match f.frame {
            Frame::Publish {
                seq,
                queue,
                task,
                body,
                persistent,
                confirm,
            } => match b.publish(&queue, task, body, persistent) {
                Ok(enq) => {
                    self.rel.ledger.enqueued(task);
                    if let Some(d) = &enq.displaced
                        && matches!(d.fate, Fate::DeadLettered { .. })
                    {
                        self.rel.ledger.dead_lettered(d.task);
                    }
                    if confirm {
                        self.send_frame(f.link, false, Frame::Confirm { seq });
                    }
                    self.schedule_dispatch(broker);
                    BrokerEvent::Enqueued {
                        broker,
                        client,
                        task,
                        queue,
                        depth: enq.depth,
                        persisted: enq.persisted,
                        displaced: enq.displaced,
                        confirm: confirm.then_some(seq),
                        copy: f.copy,
                    }
                }
                Err(why) => {
                    if confirm {
                        self.send_frame(f.link, false, Frame::Nack { seq });
                    }
                    BrokerEvent::Refused {
                        broker,
                        client,
                        task,
                        queue,
                        why,
                        seq: confirm.then_some(seq),
                    }
                }
            },
            Frame::Settle { tag, task, how } => {
                let settled = match how {
                    Settle::Ack => b.ack(conn, tag),
                    Settle::Nack { requeue } | Settle::Reject { requeue } => {
                        b.nack(conn, tag, requeue)
                    }
                };
                let result = match settled {
                    Settled::Acked { task, .. } => {
                        self.rel.ledger.acked(task);
                        SettleResult::Acked
                    }
                    Settled::Returned(r) => {
                        self.note_returned(std::slice::from_ref(&r));
                        SettleResult::Returned { fate: r.fate }
                    }
                    Settled::UnknownTag {
                        closed: Some(returned),
                    } => {
                        // PRECONDITION_FAILED: the broker closes the
                        // connection; the client hears of it next.
                        self.note_returned(&returned);
                        let now = self.now;
                        let l = self.link_mut(f.link);
                        l.broker_open = None;
                        let at = now.saturating_add(l.latency);
                        self.schedule(
                            at,
                            super::reliability::Task::LinkClose(
                                f.link,
                                f.session,
                                Side::Client,
                                CloseWhy::ChannelError,
                            ),
                        );
                        SettleResult::ChannelClosed { returned }
                    }
                    Settled::UnknownTag { closed: None } => SettleResult::Ignored,
                };
                self.schedule_dispatch(broker);
                self.schedule_broker_timer(broker);
                BrokerEvent::Settled {
                    broker,
                    client,
                    task: Some(task),
                    tag,
                    how,
                    result,
                    copy: f.copy,
                }
            }
            Frame::Result { task, state } => {
                b.store_result(task, state);
                self.rel.ledger.state(task, state);
                BrokerEvent::ResultStored {
                    broker,
                    task,
                    state,
                }
            }
            Frame::Confirm { .. } | Frame::Nack { .. } | Frame::Deliver(_) => BrokerEvent::Waits {
                node: broker,
                why: WaitWhy::Delivery,
            },
        };
        event(kind)
    }

    /// Dead letters among returned messages go into the ledger.
    fn note_returned(&mut self, returned: &[Returned]) {
        for r in returned {
            if matches!(r.fate, Fate::DeadLettered { .. }) {
                self.rel.ledger.dead_lettered(r.task);
            }
        }
    }

    /// What a client does with the broker's frame.
    fn at_client(&mut self, f: InFlight) -> EventKind {
        let client = self.link(f.link).client;
        let now = self.now;
        let kind = match f.frame {
            Frame::Confirm { seq } => {
                let got = self.link_mut(f.link).channel.confirm(seq);
                let task = got.as_ref().map(|o| o.task);
                if let Some(o) = got {
                    self.rel.ledger.confirmed(o.task);
                    if o.waiter {
                        self.wake_broker_wait(
                            client,
                            |w| w == WaitWhy::Confirm,
                            Some(Resume::Published(o.task)),
                        );
                    }
                }
                self.wake_window(f.link);
                BrokerEvent::Confirmed {
                    client,
                    task,
                    seq,
                    copy: f.copy,
                }
            }
            Frame::Nack { seq } => {
                let l = self.link_mut(f.link);
                let retry_at = l.republish_after.map(|d| now.saturating_add(d));
                let task = match retry_at {
                    Some(at) => l.channel.refused(seq, at),
                    None => l.channel.confirm(seq).map(|o| o.task),
                };
                self.schedule_client_timer(f.link);
                self.wake_window(f.link);
                BrokerEvent::Nacked {
                    client,
                    task,
                    seq,
                    retry_at,
                }
            }
            Frame::Deliver(d) => {
                let (task, tag, redelivered, eta) = (d.task, d.tag, d.redelivered, d.body.eta);
                self.rel.ledger.received(task, now);
                let later = eta.filter(|t| *t > now);
                let l = self.link_mut(f.link);
                match later {
                    Some(t) => {
                        l.channel.eta.insert((t, tag), d);
                        self.schedule_client_timer(f.link);
                    }
                    None => {
                        l.channel.buffer.push_back(d);
                        self.wake_broker_wait(client, |w| w == WaitWhy::Delivery, None);
                    }
                }
                BrokerEvent::Received {
                    client,
                    task,
                    tag,
                    redelivered,
                    eta: later,
                    copy: f.copy,
                }
            }
            Frame::Publish { .. } | Frame::Settle { .. } | Frame::Result { .. } => {
                BrokerEvent::Waits {
                    node: client,
                    why: WaitWhy::Delivery,
                }
            }
        };
        event(kind)
    }

    /// Wakes a node waiting on its broker connection for `which`.
    fn wake_broker_wait(
        &mut self,
        node: NodeId,
        which: impl Fn(WaitWhy) -> bool,
        resume: Option<Resume>,
    ) {
        let n = &mut self.nodes[node.0 as usize];
        if n.rel.broker_wait.is_some_and(which) {
            n.rel.broker_wait = None;
            if let Some(r) = resume {
                n.resume = r;
                n.next_op = None;
            }
            self.schedule_run(node);
        }
    }

    /// A producer held back by its window may publish again.
    fn wake_window(&mut self, link: u32) {
        let l = self.link(link);
        let client = l.client;
        if l.max_unconfirmed
            .is_none_or(|m| l.channel.outstanding() < m)
        {
            self.wake_broker_wait(client, |w| matches!(w, WaitWhy::Confirms { .. }), None);
        }
    }

    pub(crate) fn schedule_dispatch(&mut self, broker: NodeId) {
        let can = self.nodes[broker.0 as usize]
            .program
            .broker()
            .is_some_and(|b| b.can_dispatch());
        if can && self.rel.dispatching.insert(broker) {
            self.schedule(self.now, super::reliability::Task::Dispatch(broker));
        }
    }

    pub(crate) fn schedule_broker_timer(&mut self, broker: NodeId) {
        let Some(t) = self.nodes[broker.0 as usize]
            .program
            .broker()
            .and_then(|b| b.next_deadline())
        else {
            return;
        };
        let t = t.max(self.now);
        if self.rel.broker_timers.get(&broker).is_none_or(|&at| at > t) {
            self.rel.broker_timers.insert(broker, t);
            self.schedule(t, super::reliability::Task::BrokerTimer(broker));
        }
    }

    fn schedule_client_timer(&mut self, link: u32) {
        let l = self.link(link);
        let Some(t) = l.channel.next_deadline(l.republish_after) else {
            return;
        };
        let t = t.max(self.now);
        let session = l.channel.session;
        if l.client_timer.is_none_or(|at| at > t) {
            self.link_mut(link).client_timer = Some(t);
            self.schedule(t, super::reliability::Task::ClientTimer(link, session));
        }
    }

    pub(crate) fn dispatch_task(&mut self, broker: NodeId, task: TaskKind) -> Option<EventKind> {
        self.rel.dispatching.remove(&broker);
        if self.defer_if_paused(broker, task) {
            return None;
        }
        let now = self.now;
        let d = self.broker_mut(broker)?.dispatch(now)?;
        let client = NodeId(d.conn.client);
        let link = *self.rel.link_of.get(&client)?;
        self.rel.ledger.dispatched(d.task, d.redelivered);
        self.send_frame(
            link,
            false,
            Frame::Deliver(Delivery {
                tag: d.tag,
                session: d.conn.session,
                queue: d.queue.clone(),
                task: d.task,
                body: d.body,
                redelivered: d.redelivered,
            }),
        );
        self.schedule_dispatch(broker);
        self.schedule_broker_timer(broker);
        Some(event(BrokerEvent::Dispatched {
            broker,
            client,
            task: d.task,
            tag: d.tag,
            queue: d.queue,
            redelivered: d.redelivered,
            returns: d.returns,
            auto_ack: d.auto_ack,
        }))
    }

    pub(crate) fn broker_timer(&mut self, broker: NodeId, task: TaskKind) -> Option<EventKind> {
        if self.rel.broker_timers.get(&broker) == Some(&self.now) {
            self.rel.broker_timers.remove(&broker);
        }
        if self.defer_if_paused(broker, task) {
            return None;
        }
        let now = self.now;
        let expired = self.broker_mut(broker)?.expire(now);
        let kind = match expired {
            Some(Expired::Visibility { conn, returned, .. }) => {
                self.note_returned(std::slice::from_ref(&returned));
                self.schedule_dispatch(broker);
                Some(event(BrokerEvent::Expired {
                    broker,
                    client: NodeId(conn.client),
                    returned,
                }))
            }
            Some(Expired::ConsumerTimeout { conn, returned }) => {
                self.note_returned(&returned);
                let client = NodeId(conn.client);
                if let Some(&link) = self.rel.link_of.get(&client) {
                    let l = self.link_mut(link);
                    l.broker_open = None;
                    let at = now.saturating_add(l.latency);
                    self.schedule(
                        at,
                        super::reliability::Task::LinkClose(
                            link,
                            conn.session,
                            Side::Client,
                            CloseWhy::ConsumerTimeout,
                        ),
                    );
                }
                self.schedule_dispatch(broker);
                Some(event(BrokerEvent::Closed {
                    client,
                    broker,
                    side: Side::Broker,
                    why: CloseWhy::ConsumerTimeout,
                    returned,
                    dropped: Vec::new(),
                }))
            }
            None => None,
        };
        self.schedule_broker_timer(broker);
        kind
    }

    pub(crate) fn client_timer(
        &mut self,
        link: u32,
        session: u32,
        task: TaskKind,
    ) -> Option<EventKind> {
        let l = self.rel.links.get(link as usize)?;
        if l.channel.session != session {
            return None;
        }
        let client = l.client;
        if !self.current(client, self.nodes[client.0 as usize].epoch) {
            return None;
        }
        if self.defer_if_paused(client, task) {
            return None;
        }
        let now = self.now;
        self.link_mut(link).client_timer = None;
        let released: Vec<TaskId> = {
            let l = self.link_mut(link);
            let before: Vec<TaskId> = l.channel.buffer.iter().map(|d| d.task).collect();
            l.channel.release_eta(now);
            l.channel
                .buffer
                .iter()
                .skip(before.len())
                .map(|d| d.task)
                .collect()
        };
        let result = if !released.is_empty() {
            self.wake_broker_wait(client, |w| w == WaitWhy::Delivery, None);
            Some(event(BrokerEvent::Released {
                client,
                tasks: released,
            }))
        } else {
            let l = self.link_mut(link);
            let before = l.channel.pending.len();
            let mut why = RepublishWhy::Nacked;
            if l.channel.release_later(now) == 0
                && let Some(limit) = l.republish_after
            {
                why = RepublishWhy::NoConfirm;
                l.channel
                    .timed_out(now.saturating_sub(limit).saturating_add(Tick(1)));
            }
            let due: Vec<Outgoing> = l.channel.pending.drain(before..).collect();
            let tasks: Vec<TaskId> = due.iter().map(|o| o.task).collect();
            if l.channel.up {
                for o in due {
                    self.send_publish(link, o);
                }
            } else {
                l.channel.pending.extend(due);
            }
            (!tasks.is_empty()).then(|| event(BrokerEvent::Republished { client, tasks, why }))
        };
        self.schedule_client_timer(link);
        result
    }

    /// One side of a connection learns it is closed.
    pub(crate) fn link_close(
        &mut self,
        link: u32,
        session: u32,
        side: Side,
        why: CloseWhy,
        task: TaskKind,
    ) -> Option<EventKind> {
        let l = self.rel.links.get(link as usize)?;
        let (client, broker) = (l.client, l.broker);
        match side {
            Side::Broker | Side::Both => {
                if l.broker_open != Some(session) {
                    return None;
                }
                if self.defer_if_paused(broker, task) {
                    return None;
                }
                self.link_mut(link).broker_open = None;
                let returned = self.close_at_broker(broker, client, session);
                Some(event(BrokerEvent::Closed {
                    client,
                    broker,
                    side,
                    why,
                    returned,
                    dropped: Vec::new(),
                }))
            }
            Side::Client => {
                if !(l.channel.up && l.channel.session == session) {
                    return None;
                }
                if self.defer_if_paused(client, task) {
                    return None;
                }
                let dropped = self.close_at_client(link);
                Some(event(BrokerEvent::Closed {
                    client,
                    broker,
                    side,
                    why,
                    returned: Vec::new(),
                    dropped,
                }))
            }
        }
    }

    fn close_at_broker(&mut self, broker: NodeId, client: NodeId, session: u32) -> Vec<Returned> {
        let conn = ConnKey {
            client: client.0,
            session,
        };
        let returned = match self.broker_mut(broker) {
            Some(b) => b.close(conn),
            None => Vec::new(),
        };
        self.note_returned(&returned);
        self.schedule_dispatch(broker);
        self.schedule_broker_timer(broker);
        returned
    }

    /// The client's side closes; it will connect again.
    fn close_at_client(&mut self, link: u32) -> Vec<TaskId> {
        let reconnect = self.network.reconnect;
        let l = self.link_mut(link);
        let dropped: Vec<TaskId> = l
            .channel
            .disconnected()
            .into_iter()
            .map(|d| d.task)
            .collect();
        let client = l.client;
        if self.nodes[client.0 as usize]
            .program
            .broker_client()
            .is_some()
        {
            self.try_connect(link, reconnect);
        }
        dropped
    }

    /// TCP (AMQP heartbeats) gives up on a stalled broker connection: both
    /// ends close.
    pub(crate) fn give_up_link(&mut self, link: u32, stall: u32) -> Option<EventKind> {
        let l = self.rel.links.get(link as usize)?;
        if !l.stalled || l.stall != stall {
            return None;
        }
        let (client, broker) = (l.client, l.broker);
        let mut returned = Vec::new();
        if let Some(session) = l.broker_open {
            self.link_mut(link).broker_open = None;
            returned = self.close_at_broker(broker, client, session);
        }
        let mut dropped = Vec::new();
        if self.link(link).channel.up && !self.nodes[client.0 as usize].crashed {
            dropped = self.close_at_client(link);
        }
        let l = self.link_mut(link);
        l.stalled = false;
        l.stall += 1;
        Some(event(BrokerEvent::Closed {
            client,
            broker,
            side: Side::Both,
            why: CloseWhy::GaveUp,
            returned,
            dropped,
        }))
    }

    /// A client process died: its side of the connection is gone with it;
    /// the broker hears of it one latency later (or when it gives up).
    pub(crate) fn client_crashed(&mut self, link: u32) {
        let blocked = {
            let l = self.link(link);
            self.blocked(l.client, l.broker)
        };
        let now = self.now;
        let l = self.link_mut(link);
        l.channel = ClientChannel::fresh(l.channel.session);
        l.connecting = None;
        l.client_timer = None;
        if let Some(session) = l.broker_open
            && !blocked
        {
            let at = now.saturating_add(l.latency);
            self.schedule(
                at,
                super::reliability::Task::LinkClose(
                    link,
                    session,
                    Side::Broker,
                    CloseWhy::PeerCrashed,
                ),
            );
        }
    }

    /// The partition (or pause) that held a broker connection is over: if
    /// one side's process crashed meanwhile and the other has not heard
    /// (the FIN could not cross), it hears one latency later, as TCP
    /// retransmits the FIN. Without this the survivor would keep a
    /// half-open connection for ever: a worker waiting for deliveries
    /// from a broker that restarted.
    pub(crate) fn release_close(&mut self, link: u32) {
        let l = self.link(link);
        let (side, session) = match (l.channel.up, l.broker_open) {
            (true, None) => (Side::Client, l.channel.session),
            (false, Some(session)) => (Side::Broker, session),
            _ => return,
        };
        // A close already on its way makes this one stale (`link_close`).
        let at = self.now.saturating_add(l.latency);
        let close = super::reliability::Task::LinkClose(link, session, side, CloseWhy::PeerCrashed);
        self.schedule(at, close);
    }

    /// A broker process died: each client hears of it one latency later.
    pub(crate) fn broker_crashed(&mut self, broker: NodeId) {
        self.rel.dispatching.remove(&broker);
        self.rel.broker_timers.remove(&broker);
        for link in 0..self.rel.links.len() as u32 {
            let l = self.link(link);
            if l.broker != broker {
                continue;
            }
            let blocked = self.blocked(l.broker, l.client);
            let now = self.now;
            let l = self.link_mut(link);
            l.broker_open = None;
            if l.channel.up && !blocked {
                let (session, at) = (l.channel.session, now.saturating_add(l.latency));
                self.schedule(
                    at,
                    super::reliability::Task::LinkClose(
                        link,
                        session,
                        Side::Client,
                        CloseWhy::PeerCrashed,
                    ),
                );
            }
        }
    }

    /// A task producer's or worker's call on its broker connection.
    pub(crate) fn broker_call(&mut self, id: NodeId, call: BrokerCall) -> EventKind {
        if call == BrokerCall::AwaitMember {
            // Woken by the participant's action (`sim/live_task.rs`).
            self.nodes[id.0 as usize].rel.broker_wait = Some(WaitWhy::Member);
            return event(BrokerEvent::Waits {
                node: id,
                why: WaitWhy::Member,
            });
        }
        let now = self.now;
        let Some(&link) = self.rel.link_of.get(&id) else {
            // Never connected (its broker was removed): it waits for ever.
            self.nodes[id.0 as usize].rel.broker_wait = Some(WaitWhy::Delivery);
            return event(BrokerEvent::Waits {
                node: id,
                why: WaitWhy::Delivery,
            });
        };
        let waits = |sim: &mut Simulator, why: WaitWhy, call: BrokerCall| {
            let n = &mut sim.nodes[id.0 as usize];
            n.rel.broker_wait = Some(why);
            n.next_op = Some(Op::Broker(call));
            event(BrokerEvent::Waits { node: id, why })
        };
        match call {
            BrokerCall::Publish {
                task,
                mut body,
                countdown,
                wait_confirm,
            } => {
                let l = self.link(link);
                if !wait_confirm
                    && let Some(max) = l.max_unconfirmed
                    && l.channel.outstanding() >= max
                {
                    return waits(
                        self,
                        WaitWhy::Confirms { max },
                        BrokerCall::Publish {
                            task,
                            body,
                            countdown,
                            wait_confirm,
                        },
                    );
                }
                let (queue, persistent, up) = (l.queue.clone(), l.persistent, l.channel.up);
                let new = task.is_none();
                let task = task.unwrap_or_else(|| {
                    let t = TaskId(self.rel.next_task);
                    self.rel.next_task += 1;
                    t
                });
                if new {
                    self.rel.ledger.produced(task, &queue, now, body.poison);
                }
                body.eta = countdown.map(|c| now.saturating_add(c));
                let o = Outgoing {
                    task,
                    body,
                    queue: queue.clone(),
                    persistent,
                    sent_at: now,
                    waiter: wait_confirm,
                };
                let seq = if up {
                    Some(self.send_publish(link, o))
                } else {
                    self.link_mut(link).channel.pending.push_back(o);
                    None
                };
                let n = &mut self.nodes[id.0 as usize];
                if wait_confirm {
                    n.rel.broker_wait = Some(WaitWhy::Confirm);
                } else {
                    n.resume = Resume::Published(task);
                    self.schedule_run(id);
                }
                self.schedule_client_timer(link);
                event(BrokerEvent::Publish {
                    node: id,
                    task,
                    queue,
                    persistent,
                    poison: body.poison,
                    retries: body.retries,
                    eta: body.eta,
                    seq,
                    new,
                })
            }
            BrokerCall::Take => {
                let Some(d) = self.link_mut(link).channel.buffer.pop_front() else {
                    return waits(self, WaitWhy::Delivery, BrokerCall::Take);
                };
                let (nth, waited) = self.rel.ledger.started(d.task, id.0, now);
                let track = matches!(&self.nodes[id.0 as usize].program, Program::TaskWorker(w) if w.spec.track_started);
                if track {
                    self.send_result(link, d.task, TaskState::Started);
                }
                let e = BrokerEvent::Took {
                    node: id,
                    task: d.task,
                    tag: d.tag,
                    redelivered: d.redelivered,
                    nth: nth + 1,
                    waited,
                };
                self.nodes[id.0 as usize].resume = Resume::Delivery(d);
                self.schedule_run(id);
                event(e)
            }
            BrokerCall::Settle { delivery, how } => {
                let l = self.link(link);
                let stale = !(l.channel.up && l.channel.session == delivery.session);
                if !stale {
                    self.send_frame(
                        link,
                        true,
                        Frame::Settle {
                            tag: delivery.tag,
                            task: delivery.task,
                            how,
                        },
                    );
                }
                self.nodes[id.0 as usize].resume = Resume::Settled;
                self.schedule_run(id);
                event(BrokerEvent::Settle {
                    node: id,
                    task: delivery.task,
                    tag: delivery.tag,
                    how,
                    stale,
                })
            }
            BrokerCall::Effect { delivery } => {
                let task = delivery.task;
                let dedup = matches!(&self.nodes[id.0 as usize].program, Program::TaskWorker(w) if w.spec.dedup);
                if dedup && !self.rel.processed.first_time(task) {
                    self.rel.ledger.skipped(task);
                    self.nodes[id.0 as usize].resume = Resume::Effect { done: false };
                    self.schedule_run(id);
                    return event(BrokerEvent::EffectSkipped { node: id, task });
                }
                let nth = self.rel.ledger.processed(task, now);
                self.send_result(link, task, TaskState::Success);
                self.nodes[id.0 as usize].resume = Resume::Effect { done: true };
                self.schedule_run(id);
                self.reached(id, super::fault::CrashPoint::SideEffect);
                event(BrokerEvent::Effect {
                    node: id,
                    task,
                    nth,
                })
            }
            BrokerCall::AwaitMember => unreachable!("answered above"),
            BrokerCall::Fail { delivery, then } => {
                let task = delivery.task;
                match then {
                    FailThen::Failure => {
                        self.rel.ledger.failed(task);
                        self.send_result(link, task, TaskState::Failure);
                    }
                    FailThen::Retry { retries, .. } => {
                        self.rel.ledger.retried(task, retries);
                        self.send_result(link, task, TaskState::Retry);
                    }
                    FailThen::Requeue | FailThen::Reject => {}
                }
                self.nodes[id.0 as usize].resume = Resume::Noted;
                self.schedule_run(id);
                event(BrokerEvent::Failed {
                    node: id,
                    task,
                    then,
                })
            }
        }
    }

    /// Writes a task's state to the result backend (on the broker node),
    /// if connected.
    fn send_result(&mut self, link: u32, task: TaskId, state: TaskState) {
        if self.link(link).channel.up {
            self.send_frame(link, true, Frame::Result { task, state });
        }
    }
}
