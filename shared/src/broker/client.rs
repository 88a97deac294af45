//! The client library's side of a broker connection (what kombu or pika
//! keeps for a program): publisher confirms with their sequence numbers,
//! what is not confirmed yet (republished after a reconnect, a `nack` or a
//! confirm timeout: at-least-once publishing, so the broker may get a
//! duplicate), the deliveries received and not yet taken by the program,
//! and those held back until their ETA.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::message::{Tag, TaskBody, TaskId};
use crate::time::Tick;

/// A delivery as the client received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub tag: Tag,
    /// The connection it came on: an ack on a later connection names a tag
    /// that connection never issued.
    pub session: u32,
    pub queue: String,
    pub task: TaskId,
    pub body: TaskBody,
    pub redelivered: bool,
}

/// A publish the client still answers for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub task: TaskId,
    pub body: TaskBody,
    pub queue: String,
    pub persistent: bool,
    /// When it was last sent (a confirm timeout counts from here).
    pub sent_at: Tick,
    /// A worker waits for this confirm before it acks (a retry's copy).
    pub waiter: bool,
}

/// The state of one client's connection to its broker.
#[derive(Clone, Debug, Default)]
pub struct ClientChannel {
    /// The current connection's number (0: never connected).
    pub session: u32,
    pub up: bool,
    /// Confirm sequence numbers of this connection (from 1).
    next_seq: u64,
    /// Sent on this connection, not confirmed yet, by sequence number.
    pub unconfirmed: BTreeMap<u64, Outgoing>,
    /// To send once connected (or again: after a reconnect or a `nack`).
    pub pending: VecDeque<Outgoing>,
    /// Nacked by the broker: sent again at the given time.
    pub later: BTreeMap<(Tick, TaskId, u64), Outgoing>,
    /// Deliveries received and not yet taken by the program.
    pub buffer: VecDeque<Delivery>,
    /// Deliveries whose ETA has not come (Celery keeps them unacknowledged
    /// in the worker, raising its prefetch by one each).
    pub eta: BTreeMap<(Tick, Tag), Delivery>,
}

impl ClientChannel {
    /// A fresh process's channel: nothing held, the connection count kept.
    pub fn fresh(session: u32) -> ClientChannel {
        ClientChannel {
            session,
            ..ClientChannel::default()
        }
    }

    /// Publishes the client answers for (a window of confirms counts them).
    pub fn outstanding(&self) -> u32 {
        (self.unconfirmed.len() + self.pending.len() + self.later.len()) as u32
    }

    /// A new connection is up: numbering starts again from 1.
    pub fn connected(&mut self, session: u32) {
        self.session = session;
        self.up = true;
        self.next_seq = 0;
    }

    /// The connection is gone: what was received but not taken goes (the
    /// broker answers for it), and what was not confirmed is published
    /// again on the next connection. Returns the dropped deliveries.
    pub fn disconnected(&mut self) -> Vec<Delivery> {
        self.up = false;
        let unconfirmed = std::mem::take(&mut self.unconfirmed);
        for (_, o) in unconfirmed.into_iter().rev() {
            self.pending.push_front(o);
        }
        let mut dropped: Vec<Delivery> = self.buffer.drain(..).collect();
        dropped.extend(std::mem::take(&mut self.eta).into_values());
        dropped
    }

    /// Takes the next sequence number for a publish sent now.
    pub fn send(&mut self, mut o: Outgoing, now: Tick, track: bool) -> u64 {
        self.next_seq += 1;
        o.sent_at = now;
        if track {
            self.unconfirmed.insert(self.next_seq, o);
        }
        self.next_seq
    }

    /// A confirm for `seq`: the publish it names, if still unconfirmed.
    pub fn confirm(&mut self, seq: u64) -> Option<Outgoing> {
        self.unconfirmed.remove(&seq)
    }

    /// A `nack` for `seq`: publish it again at `retry_at`.
    pub fn refused(&mut self, seq: u64, retry_at: Tick) -> Option<TaskId> {
        let o = self.unconfirmed.remove(&seq)?;
        let task = o.task;
        self.later.insert((retry_at, task, seq), o);
        Some(task)
    }

    /// Unconfirmed publishes sent before `before` (a confirm timeout):
    /// they go back to `pending` to be sent again.
    pub fn timed_out(&mut self, before: Tick) -> Vec<TaskId> {
        let stale: Vec<u64> = self
            .unconfirmed
            .iter()
            .filter(|(_, o)| o.sent_at < before)
            .map(|(s, _)| *s)
            .collect();
        let mut tasks = Vec::new();
        for s in stale {
            if let Some(o) = self.unconfirmed.remove(&s) {
                tasks.push(o.task);
                self.pending.push_back(o);
            }
        }
        tasks
    }

    /// Nacked publishes whose wait is over go back to `pending`.
    pub fn release_later(&mut self, now: Tick) -> usize {
        let due: Vec<_> = self
            .later
            .range(..=(now, TaskId(u64::MAX), u64::MAX))
            .map(|(k, _)| *k)
            .collect();
        for k in &due {
            if let Some(o) = self.later.remove(k) {
                self.pending.push_back(o);
            }
        }
        due.len()
    }

    /// ETA deliveries that are due move to the buffer; returns how many.
    pub fn release_eta(&mut self, now: Tick) -> usize {
        let due: Vec<_> = self
            .eta
            .range(..=(now, Tag(u64::MAX)))
            .map(|(k, _)| *k)
            .collect();
        for k in &due {
            if let Some(d) = self.eta.remove(k) {
                self.buffer.push_back(d);
            }
        }
        due.len()
    }

    /// The next time something held here is due (an ETA, a nacked
    /// publish, a confirm timeout after `confirm_timeout`).
    pub fn next_deadline(&self, confirm_timeout: Option<Tick>) -> Option<Tick> {
        let eta = self.eta.keys().next().map(|(t, _)| *t);
        let later = self.later.keys().next().map(|(t, _, _)| *t);
        let timeout = confirm_timeout.and_then(|limit| {
            self.unconfirmed
                .values()
                .map(|o| o.sent_at.saturating_add(limit))
                .min()
        });
        [eta, later, timeout].into_iter().flatten().min()
    }

    /// Every task this client still holds (to tell lost from pending).
    pub fn tasks(&self) -> impl Iterator<Item = TaskId> + '_ {
        self.unconfirmed
            .values()
            .chain(self.pending.iter())
            .chain(self.later.values())
            .map(|o| o.task)
            .chain(self.buffer.iter().map(|d| d.task))
            .chain(self.eta.values().map(|d| d.task))
    }
}
