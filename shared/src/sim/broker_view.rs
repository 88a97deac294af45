//! The brokers as the reliability lab draws them: each queue's messages as
//! chips (ready, unacknowledged with their owner and deadline), each
//! saying whether it is persistent and on disk, so a learner sees what a
//! crash of the broker or of a worker will take with it. Read from the
//! brokers' state; nothing here decides anything.

use serde::{Deserialize, Serialize};

use super::{NodeId, Simulator};
use crate::{broker::TaskId, time::Tick};

/// The most chips listed per queue and kind; the rest are counted.
pub const MAX_CHIPS: usize = 40;

/// One message in a queue or in a worker's hands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chip {
    pub task: TaskId,
    /// Sent with delivery mode 2: kept on disk if its queue is durable.
    pub persistent: bool,
    /// Written to the broker's disk now: it survives a broker crash.
    pub on_disk: bool,
    /// Delivered before: the next delivery says `redelivered`.
    pub redelivered: bool,
    /// Unacknowledged: the worker it was delivered to (`None` when ready).
    pub owner: Option<NodeId>,
    /// Unacknowledged on a connection that closed, waiting for its
    /// visibility timeout (Redis).
    pub orphaned: bool,
    /// When it goes back to the queue unless acknowledged.
    pub deadline: Option<Tick>,
}

/// One queue of a broker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub name: String,
    pub durable: bool,
    /// The queues whose dead letters come here (empty for a work queue).
    pub dead_letters_of: Vec<String>,
    pub ready: Vec<Chip>,
    pub ready_total: usize,
    pub unacked: Vec<Chip>,
    pub unacked_total: usize,
}

/// One broker node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerView {
    pub node: NodeId,
    /// Its process runs (a crashed broker holds only its disk).
    pub up: bool,
    pub queues: Vec<QueueView>,
    /// Messages on its disk.
    pub on_disk: usize,
}

impl Simulator {
    /// Every broker, its queues and their messages.
    pub fn broker_views(&self) -> Vec<BrokerView> {
        let mut out = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let Some(b) = n.program.broker() else {
                continue;
            };
            let specs = &b.spec().queues;
            let queues = specs
                .iter()
                .map(|spec| {
                    let q = b.queue(&spec.name);
                    let ready: Vec<Chip> = q
                        .into_iter()
                        .flat_map(|q| q.ready())
                        .map(|m| Chip {
                            task: m.task,
                            persistent: m.persistent,
                            on_disk: b.store().holds(&spec.name, m.seq),
                            redelivered: m.redelivered,
                            owner: None,
                            orphaned: false,
                            deadline: None,
                        })
                        .collect();
                    let unacked: Vec<Chip> = b
                        .unacked_deliveries()
                        .filter(|d| d.delivery.queue == spec.name)
                        .map(|d| Chip {
                            task: d.delivery.msg.task,
                            persistent: d.delivery.msg.persistent,
                            on_disk: b.store().holds(&spec.name, d.delivery.msg.seq),
                            redelivered: d.delivery.msg.redelivered,
                            owner: Some(NodeId(d.owner.client)),
                            orphaned: d.orphaned,
                            deadline: d.deadline,
                        })
                        .collect();
                    QueueView {
                        name: spec.name.clone(),
                        durable: spec.durable,
                        dead_letters_of: specs
                            .iter()
                            .filter(|s| s.dead_letter.as_deref() == Some(spec.name.as_str()))
                            .map(|s| s.name.clone())
                            .collect(),
                        ready_total: ready.len(),
                        ready: ready.into_iter().take(MAX_CHIPS).collect(),
                        unacked_total: unacked.len(),
                        unacked: unacked.into_iter().take(MAX_CHIPS).collect(),
                    }
                })
                .collect();
            out.push(BrokerView {
                node: NodeId(i as u32),
                up: n.alive && b.is_up(),
                queues,
                on_disk: b.store().len(),
            });
        }
        out
    }

    /// Which worker holds each task it is working on now, for the task
    /// table ("worker" column) beside the ledger's last one.
    pub fn tasks_in_hand(&self) -> Vec<(TaskId, NodeId)> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.alive && !n.crashed)
            .filter_map(|(i, n)| Some((n.program.current_task()?, NodeId(i as u32))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        sim::{Scenario, Simulator},
        time::Tick,
    };

    fn run(preset: &str, until_ms: u64) -> Simulator {
        let mut sim = Simulator::new(&Scenario::preset(preset).unwrap(), 1).unwrap();
        sim.run_until(Tick::from_millis(until_ms));
        sim
    }

    #[test]
    fn a_late_ack_worker_holds_its_task_unacknowledged_and_the_broker_shows_whose() {
        // At 0.95 s in at-least-once, two workers each hold one task
        // (prefetch 1, late ack): each chip names its owner and says it is
        // persistent and on disk.
        let sim = run("at-least-once", 950);
        let views = sim.broker_views();
        assert_eq!(views.len(), 1);
        let q = &views[0].queues[0];
        assert_eq!(q.name, "tasks");
        assert!(q.unacked_total >= 1, "{q:?}");
        for chip in &q.unacked {
            let owner = chip.owner.expect("an unacked chip has an owner");
            let name = &sim.topology().nodes[owner.0 as usize].name;
            assert!(name.starts_with("worker-"), "{name}");
            assert!(chip.persistent && chip.on_disk, "{chip:?}");
        }
        let held: Vec<_> = sim.tasks_in_hand();
        assert!(
            held.iter()
                .all(|(t, _)| q.unacked.iter().any(|c| c.task == *t)),
            "a late-ack worker's task stays unacknowledged while it runs: {held:?} {q:?}"
        );
    }

    #[test]
    fn the_dead_letter_queue_says_whose_dead_letters_it_holds() {
        let sim = run("poison", 60_000);
        let views = sim.broker_views();
        let dead: Vec<_> = views[0]
            .queues
            .iter()
            .filter(|q| !q.dead_letters_of.is_empty())
            .collect();
        assert_eq!(dead.len(), 1, "{views:?}");
        assert_eq!(dead[0].ready_total, 1, "the poison message: {:?}", dead[0]);
    }
}
