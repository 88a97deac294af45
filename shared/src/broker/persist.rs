//! The broker's disk: the persistent messages of durable queues, written
//! when they are accepted (a publisher confirm for them means "on disk"),
//! marked when delivered, removed when acknowledged or dead-lettered. A
//! crash keeps exactly this; a restart reads it back (RabbitMQ's rule:
//! durable queue *and* persistent message).

use std::collections::BTreeMap;

use super::message::{Message, TaskId};

#[derive(Clone, Debug, Default)]
pub struct Store {
    /// (queue, arrival order) → the message as last written.
    messages: BTreeMap<(String, u64), Message>,
}

impl Store {
    pub fn write(&mut self, queue: &str, msg: &Message) {
        self.messages
            .insert((queue.to_string(), msg.seq), msg.clone());
    }

    /// Rewrites a message already on disk (its returns), if it is there.
    pub fn update(&mut self, queue: &str, msg: &Message) {
        if let Some(m) = self.messages.get_mut(&(queue.to_string(), msg.seq)) {
            *m = msg.clone();
        }
    }

    /// Records that it was delivered (the classic queue index does). A
    /// restart after a crash marks every recovered message redelivered
    /// anyway (`Broker::restart`), as RabbitMQ's dirty recovery does.
    pub fn mark_delivered(&mut self, queue: &str, seq: u64) {
        if let Some(m) = self.messages.get_mut(&(queue.to_string(), seq)) {
            m.redelivered = true;
        }
    }

    pub fn remove(&mut self, queue: &str, seq: u64) {
        self.messages.remove(&(queue.to_string(), seq));
    }

    pub fn holds(&self, queue: &str, seq: u64) -> bool {
        self.messages.contains_key(&(queue.to_string(), seq))
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    pub fn tasks(&self) -> impl Iterator<Item = TaskId> + '_ {
        self.messages.values().map(|m| m.task)
    }

    /// Everything on disk, in arrival order per queue, for a restart.
    pub fn recover(&self) -> Vec<(String, Message)> {
        self.messages
            .iter()
            .map(|((q, _), m)| (q.clone(), m.clone()))
            .collect()
    }
}
