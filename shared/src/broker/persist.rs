//! The broker's disk: the persistent messages of durable queues, written
//! when they are accepted (a publisher confirm for them means "on disk"),
//! marked when delivered, removed when acknowledged or dead-lettered. A
//! crash keeps exactly this; a restart reads it back (RabbitMQ's rule:
//! durable queue *and* persistent message).
//!
//! On the server this model is also what gets stored for real: with its
//! journal on, the store lists every change it makes (`DiskChange`), and
//! the live room's driver writes them to `--data-dir` before anyone hears
//! of them (docs/protocol.md, "Persistence"). The journal is compiled only
//! with the `disk-journal` feature (the server's), so no page carries it.

use std::collections::BTreeMap;

use super::message::{Message, TaskId};

/// One change to the broker's disk, in the order the broker made it.
#[cfg(feature = "disk-journal")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiskChange {
    /// The message as it now is on disk: written when accepted, or
    /// rewritten when it came back (its returns).
    Written { queue: String, message: Message },
    /// Marked delivered.
    Delivered { queue: String, seq: u64 },
    /// Gone: acknowledged, dead-lettered or taken with an automatic ack.
    Removed { queue: String, seq: u64 },
}

#[derive(Clone, Debug, Default)]
pub struct Store {
    /// (queue, arrival order) → the message as last written.
    messages: BTreeMap<(String, u64), Message>,
    /// The changes not yet taken, while someone keeps the disk for real.
    #[cfg(feature = "disk-journal")]
    journal: Option<Vec<DiskChange>>,
}

impl Store {
    pub fn write(&mut self, queue: &str, msg: &Message) {
        self.messages
            .insert((queue.to_string(), msg.seq), msg.clone());
        #[cfg(feature = "disk-journal")]
        self.note(|| DiskChange::Written {
            queue: queue.to_string(),
            message: msg.clone(),
        });
    }

    /// Rewrites a message already on disk (its returns), if it is there.
    pub fn update(&mut self, queue: &str, msg: &Message) {
        if let Some(m) = self.messages.get_mut(&(queue.to_string(), msg.seq)) {
            *m = msg.clone();
            #[cfg(feature = "disk-journal")]
            self.note(|| DiskChange::Written {
                queue: queue.to_string(),
                message: msg.clone(),
            });
        }
    }

    #[cfg(feature = "disk-journal")]
    fn note(&mut self, change: impl FnOnce() -> DiskChange) {
        if let Some(journal) = &mut self.journal {
            journal.push(change());
        }
    }

    /// Starts listing changes for [`take_journal`](Self::take_journal);
    /// `true` if it was not on (what is on disk already was never
    /// listed).
    #[cfg(feature = "disk-journal")]
    pub fn keep_journal(&mut self) -> bool {
        let was_off = self.journal.is_none();
        self.journal.get_or_insert_with(Vec::new);
        was_off
    }

    /// The changes since the last call, oldest first.
    #[cfg(feature = "disk-journal")]
    pub fn take_journal(&mut self) -> Vec<DiskChange> {
        self.journal
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Puts back a message read from a real disk (a server restarting):
    /// it is there already, so no change is listed.
    #[cfg(feature = "disk-journal")]
    pub fn load(&mut self, queue: &str, msg: &Message) {
        self.messages
            .insert((queue.to_string(), msg.seq), msg.clone());
    }

    /// Records that it was delivered (the classic queue index does). A
    /// restart after a crash marks every recovered message redelivered
    /// anyway (`Broker::restart`), as RabbitMQ's dirty recovery does.
    pub fn mark_delivered(&mut self, queue: &str, seq: u64) {
        if let Some(m) = self.messages.get_mut(&(queue.to_string(), seq))
            && !m.redelivered
        {
            m.redelivered = true;
            #[cfg(feature = "disk-journal")]
            self.note(|| DiskChange::Delivered {
                queue: queue.to_string(),
                seq,
            });
        }
    }

    pub fn remove(&mut self, queue: &str, seq: u64) {
        if self.messages.remove(&(queue.to_string(), seq)).is_some() {
            #[cfg(feature = "disk-journal")]
            self.note(|| DiskChange::Removed {
                queue: queue.to_string(),
                seq,
            });
        }
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
