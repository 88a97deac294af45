//! The ledger: for every task, what actually happened to it (produced,
//! confirmed, delivered n times, processed n times, acknowledged,
//! dead-lettered, failed), and from that its outcome: processed exactly
//! once, more than once, lost, dead-lettered, failed, or still on its way.
//!
//! The simulator writes it as events happen; nothing here is derived from
//! the configuration. "Lost" needs one more fact, supplied when the
//! summary is made: whether a copy of the task is still anywhere (a
//! queue, a connection, a wire, a client, a disk). A task with no side
//! effect, no dead letter, no failure and no copy left is lost.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{facts::Guarantee, message::TaskId, results::TaskState};
use crate::time::Tick;

/// Tasks followed one by one; past this, new tasks are only counted
/// (`untracked`), so a long live run's memory stays bounded.
pub const MAX_TRACKED_TASKS: usize = 100_000;

/// What happened to one task.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub task: TaskId,
    /// The queue it was first published to.
    pub queue: String,
    pub produced_at: Tick,
    pub poison: bool,
    /// Publish frames sent (a republish counts again).
    pub published: u32,
    /// Copies the broker accepted (a duplicate publish makes two).
    pub enqueued: u32,
    /// The producer got a confirm for it.
    pub confirmed: bool,
    /// Times the broker handed it to a consumer.
    pub dispatched: u32,
    /// Of those, marked redelivered.
    pub redelivered: u32,
    /// Times a worker started it.
    pub delivered: u32,
    /// Times its side effect happened.
    pub processed: u32,
    /// Times a worker skipped its effect because it was done already.
    pub skipped: u32,
    /// Acks the broker accepted for it.
    pub acked: u32,
    pub dead_lettered: u32,
    /// Its handler failed for good (FAILURE).
    pub failed: bool,
    pub retries: u32,
    pub state: TaskState,
    /// The node (its number) of the worker that last started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<u32>,
    /// When a worker last received it, and the longest it waited in a
    /// worker's prefetch before starting.
    #[serde(skip)]
    received_at: Option<Tick>,
    pub max_wait: Tick,
    pub first_processed_at: Option<Tick>,
}

/// A task's outcome, as far as the run went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    ExactlyOnce,
    Duplicated,
    Lost,
    DeadLettered,
    Failed,
    /// A copy is still somewhere: neither done nor lost yet.
    Pending,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::ExactlyOnce,
        Outcome::Duplicated,
        Outcome::Lost,
        Outcome::DeadLettered,
        Outcome::Failed,
        Outcome::Pending,
    ];
}

impl TaskRecord {
    /// Its outcome, given whether a copy of it still exists somewhere.
    pub fn outcome(&self, alive: bool) -> Outcome {
        if self.processed > 1 {
            Outcome::Duplicated
        } else if self.processed == 1 {
            Outcome::ExactlyOnce
        } else if self.dead_lettered > 0 {
            Outcome::DeadLettered
        } else if self.failed {
            Outcome::Failed
        } else if alive {
            Outcome::Pending
        } else {
            Outcome::Lost
        }
    }
}

/// One queue's counts, beside the guarantee its configuration promises.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueLedger {
    pub queue: String,
    /// `None` when no consumer of it is configured.
    pub guarantee: Option<Guarantee>,
    pub produced: u64,
    pub confirmed: u64,
    pub delivered: u64,
    pub redelivered: u64,
    pub processed: u64,
    pub exactly_once: u64,
    /// Processed more than once.
    pub duplicated: u64,
    pub lost: u64,
    /// Lost although the producer had a confirm for it.
    pub lost_confirmed: u64,
    pub dead_lettered: u64,
    pub failed: u64,
    pub pending: u64,
    /// Produced past the ledger's bound: counted, not followed.
    pub untracked: u64,
    /// The longest a task waited in a worker's prefetch before it started.
    pub max_wait: Tick,
    /// When the last task's side effect happened first.
    pub last_processed_at: Option<Tick>,
}

impl QueueLedger {
    /// How many of its tasks have this outcome.
    pub fn count(&self, outcome: Outcome) -> u64 {
        match outcome {
            Outcome::ExactlyOnce => self.exactly_once,
            Outcome::Duplicated => self.duplicated,
            Outcome::Lost => self.lost,
            Outcome::DeadLettered => self.dead_lettered,
            Outcome::Failed => self.failed,
            Outcome::Pending => self.pending,
        }
    }
}

/// The ledger as `fanout sim --json` prints it (`ledger`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerSummary {
    pub queues: Vec<QueueLedger>,
    /// Every task followed, with its outcome.
    pub tasks: Vec<TaskLine>,
}

/// One task's line in the summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskLine {
    #[serde(flatten)]
    pub record: TaskRecord,
    pub outcome: Outcome,
}

impl LedgerSummary {
    pub fn queue(&self, name: &str) -> Option<&QueueLedger> {
        self.queues.iter().find(|q| q.queue == name)
    }

    /// How many tasks of every queue have this outcome.
    pub fn count(&self, outcome: Outcome) -> u64 {
        self.queues.iter().map(|q| q.count(outcome)).sum()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Ledger {
    tasks: BTreeMap<TaskId, TaskRecord>,
    untracked: BTreeMap<String, u64>,
}

impl Ledger {
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty() && self.untracked.is_empty()
    }

    pub fn get(&self, task: TaskId) -> Option<&TaskRecord> {
        self.tasks.get(&task)
    }

    pub fn records(&self) -> impl Iterator<Item = &TaskRecord> {
        self.tasks.values()
    }

    fn with(&mut self, task: TaskId, f: impl FnOnce(&mut TaskRecord)) {
        if let Some(r) = self.tasks.get_mut(&task) {
            f(r);
        }
    }

    /// A producer created a task.
    pub fn produced(&mut self, task: TaskId, queue: &str, at: Tick, poison: bool) {
        if self.tasks.len() >= MAX_TRACKED_TASKS {
            *self.untracked.entry(queue.to_string()).or_default() += 1;
            return;
        }
        self.tasks.insert(
            task,
            TaskRecord {
                task,
                queue: queue.to_string(),
                produced_at: at,
                poison,
                ..TaskRecord::default()
            },
        );
    }

    pub fn published(&mut self, task: TaskId) {
        self.with(task, |r| r.published += 1);
    }
    pub fn enqueued(&mut self, task: TaskId) {
        self.with(task, |r| r.enqueued += 1);
    }
    pub fn confirmed(&mut self, task: TaskId) {
        self.with(task, |r| r.confirmed = true);
    }
    pub fn dispatched(&mut self, task: TaskId, redelivered: bool) {
        self.with(task, |r| {
            r.dispatched += 1;
            r.redelivered += u32::from(redelivered);
        });
    }
    pub fn received(&mut self, task: TaskId, at: Tick) {
        self.with(task, |r| r.received_at = Some(at));
    }
    /// A worker (its node's number) starts the task; returns how often it
    /// was started before and how long it waited in the worker's prefetch.
    pub fn started(&mut self, task: TaskId, worker: u32, at: Tick) -> (u32, Tick) {
        let mut before = 0;
        let mut waited = Tick::ZERO;
        self.with(task, |r| {
            before = r.delivered;
            r.delivered += 1;
            r.worker = Some(worker);
            if let Some(got) = r.received_at.take() {
                waited = at.saturating_sub(got);
                r.max_wait = r.max_wait.max(waited);
            }
        });
        (before, waited)
    }
    /// Its side effect happened; returns how many times now.
    pub fn processed(&mut self, task: TaskId, at: Tick) -> u32 {
        let mut n = 0;
        self.with(task, |r| {
            r.processed += 1;
            r.first_processed_at.get_or_insert(at);
            n = r.processed;
        });
        n
    }
    pub fn skipped(&mut self, task: TaskId) {
        self.with(task, |r| r.skipped += 1);
    }
    pub fn acked(&mut self, task: TaskId) {
        self.with(task, |r| r.acked += 1);
    }
    pub fn dead_lettered(&mut self, task: TaskId) {
        self.with(task, |r| r.dead_lettered += 1);
    }
    pub fn failed(&mut self, task: TaskId) {
        self.with(task, |r| r.failed = true);
    }
    pub fn retried(&mut self, task: TaskId, retries: u32) {
        self.with(task, |r| r.retries = r.retries.max(retries));
    }
    pub fn state(&mut self, task: TaskId, state: TaskState) {
        self.with(task, |r| r.state = state);
    }

    /// The summary, given the tasks of which a copy still exists and the
    /// guarantee each queue's configuration promises.
    pub fn summary(
        &self,
        alive: &BTreeSet<TaskId>,
        guarantees: &BTreeMap<String, Option<Guarantee>>,
    ) -> LedgerSummary {
        let mut queues: BTreeMap<String, QueueLedger> = BTreeMap::new();
        let mut tasks = Vec::with_capacity(self.tasks.len());
        for r in self.tasks.values() {
            let outcome = r.outcome(alive.contains(&r.task));
            let q = queues
                .entry(r.queue.clone())
                .or_insert_with(|| QueueLedger {
                    queue: r.queue.clone(),
                    ..QueueLedger::default()
                });
            q.produced += 1;
            q.confirmed += u64::from(r.confirmed);
            q.delivered += u64::from(r.delivered);
            q.redelivered += u64::from(r.redelivered);
            q.processed += u64::from(r.processed);
            q.max_wait = q.max_wait.max(r.max_wait);
            if let Some(at) = r.first_processed_at {
                q.last_processed_at = Some(q.last_processed_at.map_or(at, |t| t.max(at)));
            }
            match outcome {
                Outcome::ExactlyOnce => q.exactly_once += 1,
                Outcome::Duplicated => q.duplicated += 1,
                Outcome::Lost => {
                    q.lost += 1;
                    q.lost_confirmed += u64::from(r.confirmed);
                }
                Outcome::DeadLettered => q.dead_lettered += 1,
                Outcome::Failed => q.failed += 1,
                Outcome::Pending => q.pending += 1,
            }
            tasks.push(TaskLine {
                record: r.clone(),
                outcome,
            });
        }
        for (queue, n) in &self.untracked {
            let q = queues.entry(queue.clone()).or_insert_with(|| QueueLedger {
                queue: queue.clone(),
                ..QueueLedger::default()
            });
            q.untracked += n;
        }
        for (queue, g) in guarantees {
            queues
                .entry(queue.clone())
                .or_insert_with(|| QueueLedger {
                    queue: queue.clone(),
                    ..QueueLedger::default()
                })
                .guarantee = *g;
        }
        LedgerSummary {
            queues: queues.into_values().collect(),
            tasks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_what_happened() {
        let mut l = Ledger::default();
        for t in 0..5 {
            l.produced(TaskId(t), "q", Tick(t), false);
        }
        l.processed(TaskId(0), Tick(10));
        l.processed(TaskId(1), Tick(10));
        l.processed(TaskId(1), Tick(20));
        l.dead_lettered(TaskId(2));
        l.confirmed(TaskId(3));
        let alive: BTreeSet<TaskId> = [TaskId(4)].into();
        let s = l.summary(&alive, &BTreeMap::new());
        let q = s.queue("q").unwrap();
        assert_eq!(
            (
                q.exactly_once,
                q.duplicated,
                q.dead_lettered,
                q.lost,
                q.lost_confirmed,
                q.pending
            ),
            (1, 1, 1, 1, 1, 1)
        );
        assert_eq!(q.last_processed_at, Some(Tick(10)));
    }
}
