//! The broker itself: queues, connections with their consumers and
//! unacknowledged deliveries, the disk, the result backend. Pure: the
//! simulator calls it with the current time and turns what it answers into
//! frames and events. `shared/tests/rabbitmq.rs` runs the same schedules
//! through this and through a real `rabbitmq-server` 3.10 and compares the
//! ledgers (`docs/design/reliability.md`, "Compared with the real
//! systems").
//!
//! The rules, and whose they are (`docs/design/reliability.md`):
//! - a connection that closes returns its unacknowledged deliveries to
//!   their queues, marked redelivered (RabbitMQ, AMQP 0-9-1); with
//!   [`Transport::Redis`] they return only when the visibility timeout
//!   passes (Celery's Redis transport), connection or not;
//! - a returned message counts a return; past a queue's delivery limit it
//!   is dead-lettered instead (RabbitMQ quorum queues: with a limit of 2 a
//!   message is delivered three times);
//! - `nack`/`reject` with `requeue=false`, and a drop-head overflow,
//!   dead-letter (or drop, with no dead-letter queue);
//! - acking an unknown tag is a channel error that closes the connection
//!   (RabbitMQ's `PRECONDITION_FAILED - unknown delivery tag`); Redis's
//!   `HDEL` of a missing tag does nothing;
//! - a restart after a crash keeps exactly the persistent messages of
//!   durable queues, each marked redelivered (RabbitMQ cannot know which
//!   had been delivered).

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::{
    consumer::{Consumer, Unacked},
    message::{ConnKey, Message, Tag, TaskBody, TaskId},
    persist::Store,
    queue::{Overflow, Queue, QueueSpec},
    results::{Results, TaskState},
};
use crate::time::Tick;

/// How unacknowledged deliveries come back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// RabbitMQ (AMQP 0-9-1): when the consumer's connection closes, or
    /// when a delivery outlives the consumer timeout (the channel is then
    /// closed).
    #[default]
    Amqp,
    /// Celery's Redis transport: only when the visibility timeout passes
    /// after the delivery, whatever became of the connection.
    Redis,
}

/// Celery's default `visibility_timeout` (one hour).
pub const CELERY_VISIBILITY_TIMEOUT: Tick = Tick::from_secs(3600);
/// RabbitMQ's default `consumer_timeout` (30 minutes).
pub const RABBITMQ_CONSUMER_TIMEOUT: Tick = Tick::from_secs(1800);

fn default_visibility() -> Tick {
    CELERY_VISIBILITY_TIMEOUT
}
fn default_consumer_timeout() -> Option<Tick> {
    Some(RABBITMQ_CONSUMER_TIMEOUT)
}

/// A broker as a scenario declares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerSpec {
    pub queues: Vec<QueueSpec>,
    #[serde(default)]
    pub transport: Transport,
    /// Redis transport: how long a delivery may stay unacknowledged
    /// before it is given to someone else.
    #[serde(default = "default_visibility")]
    pub visibility_timeout: Tick,
    /// AMQP: a delivery unacknowledged this long closes its consumer's
    /// channel (its deliveries return); `null` for none.
    #[serde(default = "default_consumer_timeout")]
    pub consumer_timeout: Option<Tick>,
}

/// Why the broker refused a publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// No queue of that name.
    NoQueue,
    /// The queue is at its `max_length` and overflows by `reject-publish`.
    QueueFull,
}

/// A message pushed out of a full queue (drop-head overflow).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Displaced {
    pub task: TaskId,
    pub fate: Fate,
}

/// Where a message went when it left its queue without being acked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Fate {
    /// Back in its queue, to be delivered again.
    Requeued,
    /// Into the dead-letter queue `queue`.
    DeadLettered { queue: String },
    /// Gone: no dead-letter queue (or it does not exist).
    Dropped,
}

// Read compactly (see `json::decode_tagged!`); written by the derive.
crate::json::decode_tagged!(Fate by "to" {
    "requeued" => Requeued,
    "dead_lettered" => DeadLettered { queue },
    "dropped" => Dropped,
});

/// A publish the broker accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enqueued {
    pub depth: u32,
    /// Written to disk: durable queue and persistent message.
    pub persisted: bool,
    pub displaced: Option<Displaced>,
}

/// A message handed to a consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dispatch {
    pub conn: ConnKey,
    pub tag: Tag,
    pub queue: String,
    pub task: TaskId,
    pub body: TaskBody,
    pub redelivered: bool,
    /// Returns so far (RabbitMQ's `x-delivery-count`).
    pub returns: u32,
    /// Forgotten by the broker as it was sent.
    pub auto_ack: bool,
}

/// A message that left a consumer's hands without an ack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Returned {
    pub task: TaskId,
    pub fate: Fate,
}

/// What an ack, nack or reject did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    /// The message is gone for good (acked).
    Acked { task: TaskId, queue: String },
    /// Nacked or rejected: requeued, dead-lettered or dropped.
    Returned(Returned),
    /// No such delivery on this connection: with AMQP a channel error that
    /// closed the connection (its deliveries returned); with Redis nothing.
    UnknownTag { closed: Option<Vec<Returned>> },
}

/// What the broker lost when it crashed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrashLoss {
    /// Messages that were only in memory (transient, or in a non-durable
    /// queue).
    pub lost: Vec<TaskId>,
    /// Messages on disk, back after a restart.
    pub kept: u32,
}

/// Something an ack deadline did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expired {
    /// Redis: a delivery outlived the visibility timeout and is back.
    Visibility {
        conn: ConnKey,
        tag: Tag,
        returned: Returned,
    },
    /// AMQP: a delivery outlived the consumer timeout; the channel was
    /// closed and all its deliveries returned.
    ConsumerTimeout {
        conn: ConnKey,
        returned: Vec<Returned>,
    },
}

/// An unacknowledged delivery, as [`Broker::unacked_deliveries`] lists it.
#[derive(Clone, Copy, Debug)]
pub struct HeldDelivery<'a> {
    /// The connection it was delivered on (its client is a node's number).
    pub owner: ConnKey,
    pub delivery: &'a Unacked,
    /// Its connection closed; with Redis it waits for its deadline.
    pub orphaned: bool,
    /// When it goes back to its queue unless acknowledged (`None`: never).
    pub deadline: Option<Tick>,
}

#[derive(Clone, Debug)]
struct Channel {
    consumer: Option<Consumer>,
}

/// The broker's whole state; `Clone` is a snapshot.
#[derive(Clone, Debug)]
pub struct Broker {
    spec: BrokerSpec,
    up: bool,
    queues: BTreeMap<String, Queue>,
    conns: BTreeMap<ConnKey, Channel>,
    /// Redis: deliveries of connections that closed, still waiting for
    /// their visibility timeout.
    orphans: BTreeMap<(ConnKey, Tag), Unacked>,
    /// The queues served next when dispatching (round-robin over queues).
    rotation: VecDeque<String>,
    store: Store,
    next_seq: u64,
    results: Results,
}

impl Broker {
    pub fn new(spec: BrokerSpec) -> Broker {
        let mut b = Broker {
            spec,
            up: true,
            queues: BTreeMap::new(),
            conns: BTreeMap::new(),
            orphans: BTreeMap::new(),
            rotation: VecDeque::new(),
            store: Store::default(),
            next_seq: 0,
            results: Results::default(),
        };
        b.declare_all();
        b
    }

    fn declare_all(&mut self) {
        self.queues.clear();
        self.rotation.clear();
        for q in &self.spec.queues {
            self.queues.insert(q.name.clone(), Queue::new(q.clone()));
            self.rotation.push_back(q.name.clone());
        }
    }

    pub fn spec(&self) -> &BrokerSpec {
        &self.spec
    }

    pub fn is_up(&self) -> bool {
        self.up
    }

    pub fn queue(&self, name: &str) -> Option<&Queue> {
        self.queues.get(name)
    }

    pub fn queues(&self) -> impl Iterator<Item = &Queue> {
        self.queues.values()
    }

    pub fn results(&self) -> &Results {
        &self.results
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Unacknowledged deliveries per queue (connections and, with Redis,
    /// orphans).
    pub fn unacked_in(&self, queue: &str) -> u32 {
        let held = self
            .conns
            .values()
            .filter_map(|c| c.consumer.as_ref())
            .flat_map(|c| c.unacked.values())
            .chain(self.orphans.values())
            .filter(|u| u.queue == queue)
            .count();
        held as u32
    }

    /// Every task the broker holds in memory (ready or unacknowledged), and
    /// on disk.
    pub fn held_tasks(&self) -> impl Iterator<Item = TaskId> + '_ {
        let ready = self.queues.values().flat_map(|q| q.ready().map(|m| m.task));
        let unacked = self
            .conns
            .values()
            .filter_map(|c| c.consumer.as_ref())
            .flat_map(|c| c.unacked.values())
            .chain(self.orphans.values())
            .map(|u| u.msg.task);
        ready.chain(unacked).chain(self.store.tasks())
    }

    /// The tasks a connection holds unacknowledged, with when each was
    /// delivered.
    pub fn unacked_of(&self, conn: ConnKey) -> Vec<(Tag, TaskId, Tick)> {
        self.conns
            .get(&conn)
            .and_then(|c| c.consumer.as_ref())
            .map(|c| {
                c.unacked
                    .iter()
                    .map(|(tag, u)| (*tag, u.msg.task, u.at))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A client connected; `consume` subscribes it to a queue.
    pub fn open(&mut self, conn: ConnKey) {
        if self.up {
            self.conns.insert(conn, Channel { consumer: None });
        }
    }

    pub fn is_open(&self, conn: ConnKey) -> bool {
        self.conns.contains_key(&conn)
    }

    /// `basic.consume` with `basic.qos(prefetch)`; `false` if there is no
    /// such queue or connection.
    pub fn consume(&mut self, conn: ConnKey, queue: &str, prefetch: u32, auto_ack: bool) -> bool {
        let (Some(channel), Some(q)) = (self.conns.get_mut(&conn), self.queues.get_mut(queue))
        else {
            return false;
        };
        channel.consumer = Some(Consumer::new(queue, prefetch, auto_ack));
        q.consumers.retain(|c| *c != conn);
        q.consumers.push_back(conn);
        true
    }

    /// `basic.qos` on a consuming connection (Celery raises it for each
    /// task it holds for later, so that it can keep receiving).
    pub fn set_prefetch(&mut self, conn: ConnKey, prefetch: u32) {
        if let Some(c) = self.conns.get_mut(&conn).and_then(|c| c.consumer.as_mut()) {
            c.prefetch = prefetch;
        }
    }

    /// The connection closed: AMQP returns its unacknowledged deliveries
    /// (in tag order, so they regain their places); Redis keeps them until
    /// their visibility timeout.
    pub fn close(&mut self, conn: ConnKey) -> Vec<Returned> {
        let Some(channel) = self.conns.remove(&conn) else {
            return Vec::new();
        };
        let Some(consumer) = channel.consumer else {
            return Vec::new();
        };
        if let Some(q) = self.queues.get_mut(&consumer.queue) {
            q.consumers.retain(|c| *c != conn);
        }
        match self.spec.transport {
            Transport::Amqp => consumer
                .unacked
                .into_values()
                .map(|u| self.give_back(u.queue, u.msg))
                .collect(),
            Transport::Redis => {
                for (tag, u) in consumer.unacked {
                    self.orphans.insert((conn, tag), u);
                }
                Vec::new()
            }
        }
    }

    /// `basic.publish` of a task to a queue (the default exchange routes
    /// by queue name).
    pub fn publish(
        &mut self,
        queue: &str,
        task: TaskId,
        body: TaskBody,
        persistent: bool,
    ) -> Result<Enqueued, Refusal> {
        let Some(q) = self.queues.get(queue) else {
            return Err(Refusal::NoQueue);
        };
        let mut displaced = None;
        if q.is_full() {
            match q.spec.overflow {
                Overflow::RejectPublish => return Err(Refusal::QueueFull),
                Overflow::DropHead => {
                    let q = self.queues.get_mut(queue).expect("checked above");
                    if let Some(old) = q.pop() {
                        let task = old.task;
                        let fate = self.dead_letter(queue, old);
                        displaced = Some(Displaced { task, fate });
                    }
                }
            }
        }
        let msg = Message {
            task,
            body,
            persistent,
            seq: self.mint_seq(),
            returns: 0,
            redelivered: false,
        };
        let persisted = self.persist(queue, &msg);
        let q = self.queues.get_mut(queue).expect("checked above");
        q.put(msg);
        Ok(Enqueued {
            depth: q.depth(),
            persisted,
            displaced,
        })
    }

    fn mint_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Writes a message to disk if its queue is durable and it is
    /// persistent; `true` if it did.
    fn persist(&mut self, queue: &str, msg: &Message) -> bool {
        let durable = self.queues.get(queue).is_some_and(|q| q.spec.durable);
        if durable && msg.persistent {
            self.store.write(queue, msg);
            true
        } else {
            false
        }
    }

    /// Is there a message ready for a consumer with credit?
    pub fn can_dispatch(&self) -> bool {
        self.up
            && self.queues.values().any(|q| {
                q.has_ready()
                    && q.consumers.iter().any(|c| {
                        self.conns
                            .get(c)
                            .and_then(|ch| ch.consumer.as_ref())
                            .is_some_and(Consumer::has_credit)
                    })
            })
    }

    /// Hands the next ready message to the next consumer with credit:
    /// queues in turn, and each queue's consumers in turn (RabbitMQ's
    /// round-robin, skipping consumers at their prefetch).
    pub fn dispatch(&mut self, now: Tick) -> Option<Dispatch> {
        if !self.up {
            return None;
        }
        for _ in 0..self.rotation.len() {
            let name = self.rotation.pop_front()?;
            self.rotation.push_back(name.clone());
            if let Some(d) = self.dispatch_from(&name, now) {
                return Some(d);
            }
        }
        None
    }

    fn dispatch_from(&mut self, name: &str, now: Tick) -> Option<Dispatch> {
        let q = self.queues.get_mut(name)?;
        if !q.has_ready() {
            return None;
        }
        let conns = &self.conns;
        let turn = q.consumers.iter().position(|c| {
            conns
                .get(c)
                .and_then(|ch| ch.consumer.as_ref())
                .is_some_and(Consumer::has_credit)
        })?;
        let conn = q.consumers.remove(turn)?;
        q.consumers.push_back(conn);
        let mut msg = q.pop()?;
        let consumer = self.conns.get_mut(&conn)?.consumer.as_mut()?;
        let tag = consumer.mint_tag();
        let dispatch = Dispatch {
            conn,
            tag,
            queue: name.to_string(),
            task: msg.task,
            body: msg.body,
            redelivered: msg.redelivered,
            returns: msg.returns,
            auto_ack: consumer.auto_ack,
        };
        if consumer.auto_ack {
            self.store.remove(name, msg.seq);
        } else {
            msg.redelivered = true;
            self.store.mark_delivered(name, msg.seq);
            consumer.unacked.insert(
                tag,
                Unacked {
                    msg,
                    queue: name.to_string(),
                    at: now,
                },
            );
        }
        Some(dispatch)
    }

    fn take_unacked(&mut self, conn: ConnKey, tag: Tag) -> Option<Unacked> {
        self.conns
            .get_mut(&conn)?
            .consumer
            .as_mut()?
            .unacked
            .remove(&tag)
    }

    /// An unknown tag: AMQP closes the connection (a channel error),
    /// Redis ignores it.
    fn unknown_tag(&mut self, conn: ConnKey) -> Settled {
        match self.spec.transport {
            Transport::Amqp if self.conns.contains_key(&conn) => Settled::UnknownTag {
                closed: Some(self.close(conn)),
            },
            _ => Settled::UnknownTag { closed: None },
        }
    }

    /// `basic.ack`.
    pub fn ack(&mut self, conn: ConnKey, tag: Tag) -> Settled {
        match self.take_unacked(conn, tag) {
            Some(u) => {
                self.store.remove(&u.queue, u.msg.seq);
                Settled::Acked {
                    task: u.msg.task,
                    queue: u.queue,
                }
            }
            None => self.unknown_tag(conn),
        }
    }

    /// `basic.nack`/`basic.reject` of one delivery: requeued (counting a
    /// return), or dead-lettered.
    pub fn nack(&mut self, conn: ConnKey, tag: Tag, requeue: bool) -> Settled {
        match self.take_unacked(conn, tag) {
            Some(u) => {
                let task = u.msg.task;
                let fate = if requeue {
                    self.give_back(u.queue, u.msg).fate
                } else {
                    self.dead_letter(&u.queue, u.msg)
                };
                Settled::Returned(Returned { task, fate })
            }
            None => self.unknown_tag(conn),
        }
    }

    /// A message comes back unacknowledged: one more return, and past the
    /// queue's delivery limit it is dead-lettered instead of requeued.
    fn give_back(&mut self, queue: String, mut msg: Message) -> Returned {
        msg.returns += 1;
        msg.redelivered = true;
        let task = msg.task;
        let limit = self.queues.get(&queue).and_then(|q| q.spec.delivery_limit);
        if limit.is_some_and(|limit| msg.returns > limit) {
            let fate = self.dead_letter(&queue, msg);
            return Returned { task, fate };
        }
        self.store.update(&queue, &msg);
        match self.queues.get_mut(&queue) {
            Some(q) => {
                q.put(msg);
                Returned {
                    task,
                    fate: Fate::Requeued,
                }
            }
            None => Returned {
                task,
                fate: Fate::Dropped,
            },
        }
    }

    /// Moves a message to its queue's dead-letter queue, or drops it.
    fn dead_letter(&mut self, from: &str, msg: Message) -> Fate {
        self.store.remove(from, msg.seq);
        let target = self
            .queues
            .get(from)
            .and_then(|q| q.spec.dead_letter.clone())
            .filter(|dlq| self.queues.contains_key(dlq));
        let Some(dlq) = target else {
            return Fate::Dropped;
        };
        let dead = Message {
            task: msg.task,
            body: msg.body,
            persistent: msg.persistent,
            seq: self.mint_seq(),
            returns: 0,
            redelivered: false,
        };
        self.persist(&dlq, &dead);
        if let Some(q) = self.queues.get_mut(&dlq) {
            q.put(dead);
        }
        Fate::DeadLettered { queue: dlq }
    }

    /// How long a delivery may stay unacknowledged: Redis's visibility
    /// timeout, AMQP's consumer timeout (`None`: no limit).
    fn ack_limit(&self) -> Option<Tick> {
        match self.spec.transport {
            Transport::Redis => Some(self.spec.visibility_timeout),
            Transport::Amqp => self.spec.consumer_timeout,
        }
    }

    /// Every unacknowledged delivery: of open connections, and with Redis
    /// those of closed ones still waiting for their visibility timeout
    /// (`orphaned`), each with the time its ack deadline passes.
    pub fn unacked_deliveries(&self) -> impl Iterator<Item = HeldDelivery<'_>> {
        let limit = self.ack_limit();
        let deadline = move |u: &Unacked| limit.map(|l| u.at.saturating_add(l));
        let open = self.conns.iter().flat_map(move |(conn, c)| {
            c.consumer.iter().flat_map(move |c| {
                c.unacked.values().map(move |u| HeldDelivery {
                    owner: *conn,
                    delivery: u,
                    orphaned: false,
                    deadline: deadline(u),
                })
            })
        });
        let orphans = self.orphans.iter().map(move |((conn, _), u)| HeldDelivery {
            owner: *conn,
            delivery: u,
            orphaned: true,
            deadline: deadline(u),
        });
        open.chain(orphans)
    }

    /// The next time an ack deadline passes, if any.
    pub fn next_deadline(&self) -> Option<Tick> {
        self.unacked_deliveries().filter_map(|d| d.deadline).min()
    }

    /// Applies the first ack deadline due by `now`, if any (one at a time,
    /// so each is one event).
    pub fn expire(&mut self, now: Tick) -> Option<Expired> {
        match self.spec.transport {
            Transport::Redis => {
                let limit = self.spec.visibility_timeout;
                let due = |u: &Unacked| u.at.saturating_add(limit) <= now;
                let orphan = self
                    .orphans
                    .iter()
                    .filter(|(_, u)| due(u))
                    .min_by_key(|(_, u)| u.at)
                    .map(|(k, u)| (*k, u.at));
                let live = self
                    .conns
                    .iter()
                    .filter_map(|(k, c)| c.consumer.as_ref().map(|c| (k, c)))
                    .flat_map(|(k, c)| c.unacked.iter().map(move |(t, u)| ((*k, *t), u)))
                    .filter(|(_, u)| due(u))
                    .min_by_key(|(_, u)| u.at)
                    .map(|(k, u)| (k, u.at));
                let pick = match (orphan, live) {
                    (Some(a), Some(b)) => Some(if a.1 <= b.1 {
                        (a.0, true)
                    } else {
                        (b.0, false)
                    }),
                    (Some(a), None) => Some((a.0, true)),
                    (None, Some(b)) => Some((b.0, false)),
                    (None, None) => None,
                }?;
                let ((conn, tag), orphaned) = pick;
                let u = if orphaned {
                    self.orphans.remove(&(conn, tag))?
                } else {
                    self.take_unacked(conn, tag)?
                };
                let returned = self.give_back(u.queue, u.msg);
                Some(Expired::Visibility {
                    conn,
                    tag,
                    returned,
                })
            }
            Transport::Amqp => {
                let limit = self.spec.consumer_timeout?;
                let conn = self
                    .conns
                    .iter()
                    .filter_map(|(k, c)| {
                        let oldest = c.consumer.as_ref()?.unacked.values().map(|u| u.at).min()?;
                        (oldest.saturating_add(limit) <= now).then_some((*k, oldest))
                    })
                    .min_by_key(|(_, at)| *at)
                    .map(|(k, _)| k)?;
                let returned = self.close(conn);
                Some(Expired::ConsumerTimeout { conn, returned })
            }
        }
    }

    /// The process dies: memory is gone (queues, connections, deliveries);
    /// the disk stays.
    pub fn crash(&mut self) -> CrashLoss {
        let mut lost = Vec::new();
        for q in self.queues.values_mut() {
            for m in q.clear() {
                if !self.store.holds(&q.spec.name, m.seq) {
                    lost.push(m.task);
                }
            }
        }
        let held: Vec<Unacked> = std::mem::take(&mut self.conns)
            .into_values()
            .filter_map(|c| c.consumer)
            .flat_map(|c| c.unacked.into_values())
            .chain(std::mem::take(&mut self.orphans).into_values())
            .collect();
        for u in held {
            if !self.store.holds(&u.queue, u.msg.seq) {
                lost.push(u.msg.task);
            }
        }
        lost.sort();
        self.up = false;
        CrashLoss {
            lost,
            kept: self.store.len() as u32,
        }
    }

    /// A fresh broker process after a crash: durable queues come back
    /// with the persistent messages on disk, every one of them marked
    /// redelivered; non-durable queues are declared anew, empty (as the
    /// clients that declare them would). Returns how many messages were
    /// recovered.
    ///
    /// Every one, not only those delivered before: after an unclean
    /// shutdown RabbitMQ cannot know which deliveries reached a consumer,
    /// so its classic queue index marks each recovered message delivered
    /// (`rabbit_queue_index:recover_message`), and `rabbitmq-server` 3.10
    /// does so in `shared/tests/rabbitmq.rs`.
    pub fn restart(&mut self) -> u32 {
        self.up = true;
        self.declare_all();
        let mut recovered = 0;
        for (queue, mut msg) in self.store.recover() {
            if let Some(q) = self.queues.get_mut(&queue)
                && q.spec.durable
            {
                msg.redelivered = true;
                q.put(msg);
                recovered += 1;
            }
        }
        recovered
    }

    /// Lists the disk's changes from now on, for a driver that keeps the
    /// disk for real (`persist.rs`); if it was not listing, what is on
    /// disk already comes first, as writes.
    #[cfg(feature = "disk-journal")]
    pub fn take_disk_changes(&mut self) -> Vec<super::persist::DiskChange> {
        let mut changes = Vec::new();
        if self.store.keep_journal() {
            changes.extend(
                self.store
                    .recover()
                    .into_iter()
                    .map(|(queue, message)| super::persist::DiskChange::Written { queue, message }),
            );
        }
        changes.extend(self.store.take_journal());
        changes
    }

    /// The broker process starts again on a disk kept for real (the
    /// server's, after `kill -9`): what it holds in memory is gone, the
    /// persistent messages of its durable queues are loaded, and it
    /// restarts as after a crash ([`restart`](Self::restart): each one
    /// redelivered). Messages of a queue the broker does not have as
    /// durable are left out. New messages are numbered after the loaded
    /// ones, so none takes a loaded one's place on disk. Returns how many
    /// came back.
    #[cfg(feature = "disk-journal")]
    pub fn recover_disk(&mut self, messages: impl IntoIterator<Item = (String, Message)>) -> u32 {
        self.crash();
        for (queue, msg) in messages {
            if msg.persistent && self.queues.get(&queue).is_some_and(|q| q.spec.durable) {
                self.next_seq = self.next_seq.max(msg.seq);
                self.store.load(&queue, &msg);
            }
        }
        self.restart()
    }

    /// The result backend: a task's state (Celery's).
    pub fn store_result(&mut self, task: TaskId, state: TaskState) {
        self.results.set(task, state);
    }
}

#[cfg(test)]
mod tests;
