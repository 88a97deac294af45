//! The brokers' disks kept for real by a driver: the server writes what a
//! live room's brokers put on disk to `--data-dir`, and after `kill -9`
//! starts each room again with its brokers on that disk
//! (docs/protocol.md, "Persistence"). What is on disk, and what a restart
//! makes of it, stays the engine's (`broker/persist.rs`,
//! `Broker::restart`); the driver only stores the changes and gives them
//! back. The browser never calls these.

use super::Simulator;
use crate::broker::{Message, TaskId, persist::DiskChange};

impl Simulator {
    /// The changes to every broker's disk since the last call, each with
    /// its broker's node name, in the order each broker made them. The
    /// first call for a broker (and so for every broker, the first time)
    /// lists what its disk holds already, as writes: from then on the
    /// broker keeps a journal.
    pub fn take_disk_changes(&mut self) -> Vec<(String, DiskChange)> {
        let mut all = Vec::new();
        for node in self.nodes.iter_mut().filter(|n| n.alive) {
            let name = node.name.to_string();
            if let Some(broker) = node.program.broker_mut() {
                all.extend(
                    broker
                        .take_disk_changes()
                        .into_iter()
                        .map(|c| (name.clone(), c)),
                );
            }
        }
        all
    }

    /// Starts broker `node` again on a disk kept for real
    /// ([`Broker::recover_disk`](crate::broker::Broker::recover_disk):
    /// every recovered message marked redelivered), in an engine just
    /// made from the room's scenario and seed, before its first step.
    /// The ledger learns of the recovered tasks, and tasks created from
    /// now on are numbered after them. Returns how many came back; `None`
    /// if the scenario has no broker of that name (then nothing changed).
    pub fn recover_disk(&mut self, node: &str, messages: Vec<(String, Message)>) -> Option<u32> {
        let id = self.node_id(node).ok()?;
        let now = self.now;
        let broker = self.nodes[id.0 as usize].program.broker_mut()?;
        let recovered = broker.recover_disk(messages);
        let on_disk = broker.store().recover();
        for (queue, msg) in &on_disk {
            if self.rel.ledger.get(msg.task).is_none() {
                self.rel
                    .ledger
                    .produced(msg.task, queue, now, msg.body.poison);
                self.rel.ledger.enqueued(msg.task);
            }
            self.resume_task_ids(msg.task.0 + 1);
        }
        Some(recovered)
    }

    /// The number the next task created will get (`t{n}`).
    pub fn next_task_id(&self) -> TaskId {
        TaskId(self.rel.next_task)
    }

    /// Tasks created from now on are numbered from `next` at least: a
    /// room started again does not give a new task the number of one its
    /// members heard of before.
    pub fn resume_task_ids(&mut self, next: u64) {
        self.rel.next_task = self.rel.next_task.max(next);
    }
}

#[cfg(test)]
mod tests;
