//! The ledger as the engine reports it: which tasks still have a copy
//! somewhere (so that a task with none, and no effect, is lost), and the
//! guarantee each queue's configuration promises, read from the brokers'
//! and programs' settings (never from what happened).

use std::collections::{BTreeMap, BTreeSet};

use super::{Simulator, broker_net::Frame, nodes::Program};
use crate::broker::{AckMode, Guarantee, LedgerSummary, OnFailure, Overflow, QueueLedger, TaskId};

impl Simulator {
    /// Tasks of which a copy exists: in a broker (memory or disk), on a
    /// wire, in a client library, in a worker's hands.
    pub fn live_tasks(&self) -> BTreeSet<TaskId> {
        let mut alive = BTreeSet::new();
        for n in self.nodes.iter().filter(|n| n.alive) {
            if let Some(b) = n.program.broker() {
                alive.extend(b.held_tasks());
            }
            if !n.crashed {
                alive.extend(n.program.current_task());
            }
        }
        for f in self.rel.frames.values() {
            match &f.frame {
                Frame::Publish { task, .. } => {
                    alive.insert(*task);
                }
                Frame::Deliver(d) => {
                    alive.insert(d.task);
                }
                _ => {}
            }
        }
        for l in &self.rel.links {
            if self.nodes[l.client.0 as usize].alive && !self.nodes[l.client.0 as usize].crashed {
                alive.extend(l.channel.tasks());
            }
        }
        alive
    }

    /// What each queue's configuration promises (`None`: nobody consumes
    /// it). At most once: automatic or early acks, and producers that do
    /// not publish again. At least once: late acks, producers with
    /// confirms and persistent messages, a durable queue, and nothing that
    /// drops messages without a dead-letter queue (a delivery limit, a
    /// drop-head length limit, rejecting workers). Effectively once: that,
    /// and every worker an idempotent consumer.
    pub fn guarantees(&self) -> BTreeMap<String, Option<Guarantee>> {
        let mut out = BTreeMap::new();
        for b in self.nodes.iter().filter(|n| n.alive) {
            let Some(broker) = b.program.broker() else {
                continue;
            };
            for q in &broker.spec().queues {
                let mut workers = Vec::new();
                let mut producers = Vec::new();
                for n in self.nodes.iter().filter(|n| n.alive) {
                    match &n.program {
                        Program::TaskWorker(w)
                            if w.spec.broker == *b.name && w.spec.queue == q.name =>
                        {
                            workers.push(&w.spec)
                        }
                        Program::TaskProducer(p)
                            if p.spec.broker == *b.name && p.spec.queue == q.name =>
                        {
                            producers.push(&p.spec)
                        }
                        _ => {}
                    }
                }
                let promise = if workers.is_empty() {
                    None
                } else if workers.iter().all(|w| w.ack != AckMode::Late)
                    && producers.iter().all(|p| !p.confirms)
                {
                    Some(Guarantee::AtMostOnce)
                } else if workers.iter().all(|w| w.ack == AckMode::Late)
                    && producers.iter().all(|p| p.confirms && p.persistent)
                    && q.durable
                    && (q.dead_letter.is_some()
                        || (q.delivery_limit.is_none()
                            && !(q.max_length.is_some() && q.overflow == Overflow::DropHead)
                            && workers.iter().all(|w| w.on_failure != OnFailure::Reject)))
                {
                    Some(if workers.iter().all(|w| w.dedup) {
                        Guarantee::EffectivelyOnce
                    } else {
                        Guarantee::AtLeastOnce
                    })
                } else {
                    Some(Guarantee::None)
                };
                out.insert(q.name.clone(), promise);
            }
        }
        out
    }

    /// The ledger now, or `None` when no task was ever produced and no
    /// broker exists.
    pub fn ledger(&self) -> Option<LedgerSummary> {
        let guarantees = self.guarantees();
        if self.rel.ledger.is_empty() && guarantees.is_empty() {
            return None;
        }
        Some(self.rel.ledger.summary(&self.live_tasks(), &guarantees))
    }

    /// One queue's line of the ledger.
    pub fn queue_ledger(&self, queue: &str) -> Option<QueueLedger> {
        self.ledger()?.queue(queue).cloned()
    }

    /// The raw per-task records, for tests that check invariants.
    pub fn ledger_records(&self) -> &crate::broker::Ledger {
        &self.rel.ledger
    }
}
