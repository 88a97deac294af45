//! Celery on the Redis node, interpreted: which tasks wait in which queue,
//! which are reserved by a worker and until when, which wait for a retry's
//! countdown, what results were stored, and which workers are alive.
//!
//! - [`message`]: reading kombu's message envelope, Celery's stored
//!   results and its worker events;
//! - [`view`]: [`TasksView`], fed the node's events (`crate::redis::event`)
//!   and a snapshot of its contents, answering in typed facts.
//!
//! Pure like the rest of `shared`: the browser's Tasks page and the tests
//! run the same code on the events the server forwards
//! (`docs/protocol.md`, "Tasks").

pub mod message;
pub mod view;

#[cfg(test)]
mod tests;

pub use message::{NewTask, StoredResult, TaskMessage, TaskState, task_envelope, uuid4};
pub use view::{
    HeldIn, QueueFacts, ReservedFacts, Seen, Step, TaskFacts, TaskTimes, TasksView, TimeFact,
    WaitingFacts, WorkerFacts, WorkerStatus, is_relevant, snapshot_events, task_times,
};
