//! A consumer: one connection's subscription to a queue, with its
//! prefetch (AMQP `basic.qos`: the most unacknowledged deliveries it may
//! hold) and the deliveries it holds unacknowledged, by tag.
//!
//! With automatic acknowledgement (`no_ack`), the broker forgets a message
//! as it sends it and prefetch does not apply: the consumer gets whatever
//! is ready (RabbitMQ ignores `basic.qos` for `no_ack` consumers).

use std::collections::BTreeMap;

use super::message::{Message, Tag};
use crate::time::Tick;

/// A delivery the consumer has not acknowledged yet.
#[derive(Clone, Debug)]
pub struct Unacked {
    pub msg: Message,
    pub queue: String,
    /// When it was delivered: an ack deadline counts from here.
    pub at: Tick,
}

#[derive(Clone, Debug)]
pub struct Consumer {
    pub queue: String,
    /// Most unacknowledged deliveries; 0 means no limit (AMQP).
    pub prefetch: u32,
    pub auto_ack: bool,
    pub unacked: BTreeMap<Tag, Unacked>,
    next_tag: u64,
}

impl Consumer {
    pub fn new(queue: &str, prefetch: u32, auto_ack: bool) -> Consumer {
        Consumer {
            queue: queue.to_string(),
            prefetch,
            auto_ack,
            unacked: BTreeMap::new(),
            next_tag: 1,
        }
    }

    /// May the broker deliver one more message now?
    pub fn has_credit(&self) -> bool {
        self.auto_ack || self.prefetch == 0 || (self.unacked.len() as u32) < self.prefetch
    }

    /// The next delivery's tag (1, 2, 3 … per connection).
    pub fn mint_tag(&mut self) -> Tag {
        let tag = Tag(self.next_tag);
        self.next_tag += 1;
        tag
    }
}
