//! A room's live task programs (docs/protocol.md, "Brokers in a room"):
//! what the engine's live worker hands out and its producer's confirms go
//! to the member driving the node, as `task` and `confirmed` frames; and a
//! member whose session ends without leaving (a closed terminal, Ctrl-C,
//! `kill`) crashes the task programs it drove, as a worker process dying
//! does: its broker connection drops, and its unacknowledged deliveries
//! go back to the queue or are gone, as their acknowledgement mode says.

use std::collections::BTreeMap;

use crate::{
    protocol::ServerFrame,
    sim::{Action, NodeId},
};

use super::core::RoomCore;

/// Confirmed tasks waiting to be pushed, by producer node.
pub(super) type PendingConfirms = BTreeMap<NodeId, Vec<u64>>;

impl RoomCore {
    /// A live worker handed its participant a task: push it.
    pub(super) fn hand_out(&mut self, node: NodeId) {
        let name = self.sim.node_name(node).to_owned();
        let (Some(&member), Some(d)) = (self.drivers.get(&name), self.sim.handed_out(node)) else {
            return;
        };
        let frame = ServerFrame::Task {
            room: self.code.clone(),
            node: name,
            task: d.task.0,
            redelivered: d.redelivered,
            poison: d.body.poison,
            work_us: d.body.work.0,
        };
        self.push(member, frame);
    }

    /// A live producer's publish was confirmed: pushed with the others of
    /// this turn ([`flush_confirms`](Self::flush_confirms)).
    pub(super) fn note_confirm(&mut self, node: NodeId, task: u64) {
        self.confirms.entry(node).or_default().push(task);
    }

    /// One `confirmed` frame per producer for the confirms of this turn.
    pub(super) fn flush_confirms(&mut self) {
        for (node, tasks) in std::mem::take(&mut self.confirms) {
            let name = self.sim.node_name(node).to_owned();
            if let Some(&member) = self.drivers.get(&name) {
                let frame = ServerFrame::Confirmed {
                    room: self.code.clone(),
                    node: name,
                    tasks,
                };
                self.push(member, frame);
            }
        }
    }

    /// The node's process is gone: it crashes (and stays crashed, on the
    /// canvas and in the ledger) and nobody drives it any more.
    pub(super) fn crash_task_node(&mut self, node: &str) {
        self.drivers.remove(node);
        // Already crashed (by the creator's fault): nothing more happens.
        let _ = self.apply(Action::Crash {
            node: node.to_owned(),
            on: None,
            duration: None,
        });
    }
}
