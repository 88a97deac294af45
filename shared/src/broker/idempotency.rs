//! An idempotent consumer: the table of task ids whose side effect was
//! committed, written in the same transaction as the side effect (a unique
//! key in the worker's own database). A task seen again is acknowledged
//! without running its effect twice: effectively once, as in the ZeroMQ
//! Guide's idempotent services (client id and sequence number, the stored
//! reply sent again). Shared by every worker that opts in, like the
//! database it stands for.

use std::collections::BTreeSet;

use super::message::TaskId;

#[derive(Clone, Debug, Default)]
pub struct ProcessedTable {
    done: BTreeSet<TaskId>,
}

impl ProcessedTable {
    /// Records the task; `false` if it was there already (skip the effect).
    pub fn first_time(&mut self, task: TaskId) -> bool {
        self.done.insert(task)
    }

    pub fn contains(&self, task: TaskId) -> bool {
        self.done.contains(&task)
    }

    pub fn len(&self) -> usize {
        self.done.len()
    }

    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }
}
