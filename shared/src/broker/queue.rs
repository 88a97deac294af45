//! A named queue: its settings (durable, a delivery limit, a dead-letter
//! queue, a length limit and what overflowing does), the ready messages in
//! order, and its consumers in the order the broker serves them.
//!
//! A requeued message goes back to its old position among the ready ones,
//! as in RabbitMQ's classic queues ("to its original position in the
//! queue, if possible"; `rabbitmq-server` 3.10 agrees in
//! `shared/tests/rabbitmq.rs`). RabbitMQ's quorum queues differ: there a
//! message requeued by nack or reject goes behind the ready ones; the
//! engine has one kind of queue, ordered like a classic one.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::message::{ConnKey, Message};

/// What a full queue does with one more message (RabbitMQ's `overflow`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// Drop (or dead-letter) the oldest ready message: RabbitMQ's default.
    #[default]
    DropHead,
    /// Refuse the new message: a publisher with confirms gets a `nack`.
    RejectPublish,
}

fn yes() -> bool {
    true
}

/// One queue, as a broker's scenario declares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    pub name: String,
    /// Declared durable: it and its persistent messages survive a restart.
    #[serde(default = "yes")]
    pub durable: bool,
    /// Returns allowed before a message is dead-lettered (RabbitMQ quorum
    /// queues' `x-delivery-limit`; 20 by default since RabbitMQ 4.0,
    /// unlimited before). `None`: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_limit: Option<u32>,
    /// Where rejected, expired-by-limit and overflowing messages go; with
    /// none they are dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter: Option<String>,
    /// Most ready messages (RabbitMQ `x-max-length`); `None`: unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(default)]
    pub overflow: Overflow,
}

impl QueueSpec {
    pub fn named(name: &str) -> QueueSpec {
        QueueSpec {
            name: name.to_string(),
            durable: true,
            delivery_limit: None,
            dead_letter: None,
            max_length: None,
            overflow: Overflow::DropHead,
        }
    }
}

/// A queue's state.
#[derive(Clone, Debug)]
pub struct Queue {
    pub spec: QueueSpec,
    /// Ready messages, in `seq` order.
    ready: VecDeque<Message>,
    /// Consumers in the order they are served next (round-robin).
    pub(crate) consumers: VecDeque<ConnKey>,
    /// The most messages it held ready at once.
    pub max_depth: u32,
}

impl Queue {
    pub fn new(spec: QueueSpec) -> Queue {
        Queue {
            spec,
            ready: VecDeque::new(),
            consumers: VecDeque::new(),
            max_depth: 0,
        }
    }

    pub fn depth(&self) -> u32 {
        self.ready.len() as u32
    }

    pub fn ready(&self) -> impl Iterator<Item = &Message> {
        self.ready.iter()
    }

    /// A length limit would be passed by one more message.
    pub fn is_full(&self) -> bool {
        self.spec.max_length.is_some_and(|max| self.depth() >= max)
    }

    /// Puts a message at its place by `seq` (the back, for a new one).
    pub fn put(&mut self, msg: Message) {
        let at = match self.ready.back() {
            Some(last) if last.seq > msg.seq => self.ready.partition_point(|m| m.seq < msg.seq),
            _ => self.ready.len(),
        };
        self.ready.insert(at, msg);
        self.max_depth = self.max_depth.max(self.depth());
    }

    pub fn pop(&mut self) -> Option<Message> {
        self.ready.pop_front()
    }

    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    pub(crate) fn clear(&mut self) -> Vec<Message> {
        self.consumers.clear();
        self.ready.drain(..).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::message::{TaskBody, TaskId};
    use crate::time::Tick;

    fn msg(seq: u64) -> Message {
        Message {
            task: TaskId(seq),
            body: TaskBody {
                work: Tick::ZERO,
                poison: false,
                retries: 0,
                eta: None,
            },
            persistent: true,
            seq,
            returns: 0,
            redelivered: false,
        }
    }

    #[test]
    fn a_requeued_message_goes_back_to_its_place() {
        let mut q = Queue::new(QueueSpec::named("q"));
        for s in [3, 4, 5] {
            q.put(msg(s));
        }
        q.put(msg(0));
        q.put(msg(2));
        let order: Vec<u64> = q.ready().map(|m| m.seq).collect();
        assert_eq!(order, [0, 2, 3, 4, 5]);
        assert_eq!(q.max_depth, 5);
    }
}
