//! The result backend: each task's state, in Celery's words. An id it
//! has never heard of is PENDING, as in Celery. The broker node keeps it
//! (Celery is often run with Redis as both broker and backend), on its
//! disk: a restart keeps it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::message::TaskId;

/// Celery's task states (`celery.states`), less REVOKED (nothing revokes).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskState {
    /// Unknown to the backend, or waiting: Celery's answer for any id.
    #[default]
    Pending,
    /// A worker started it (only with `task_track_started`).
    Started,
    Success,
    Failure,
    /// It failed and will be tried again after a countdown.
    Retry,
}

impl TaskState {
    pub const ALL: [TaskState; 5] = [
        TaskState::Pending,
        TaskState::Started,
        TaskState::Success,
        TaskState::Failure,
        TaskState::Retry,
    ];

    /// Its name as Celery prints it.
    pub fn name(self) -> &'static str {
        match self {
            TaskState::Pending => "PENDING",
            TaskState::Started => "STARTED",
            TaskState::Success => "SUCCESS",
            TaskState::Failure => "FAILURE",
            TaskState::Retry => "RETRY",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Results {
    states: BTreeMap<TaskId, TaskState>,
}

impl Results {
    pub fn get(&self, task: TaskId) -> TaskState {
        self.states.get(&task).copied().unwrap_or_default()
    }

    pub fn set(&mut self, task: TaskId, state: TaskState) {
        self.states.insert(task, state);
    }

    pub fn iter(&self) -> impl Iterator<Item = (TaskId, TaskState)> + '_ {
        self.states.iter().map(|(t, s)| (*t, *s))
    }
}
