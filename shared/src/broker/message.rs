//! What a broker carries: tasks (numbered by the engine, kept across
//! retries and republishes, like Celery's task id), their bodies, and the
//! messages that hold them in a queue.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::time::Tick;

/// A task, numbered in the order producers create them (`t7`). A retry, a
/// republish or a duplicate carries the same id: it is the same task.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct TaskId(pub u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t{}", self.0)
    }
}

/// One connection of a client to the broker: the client (a node's
/// number) and which of its connections (each reconnect opens a new one,
/// as a new TCP connection is). AMQP numbers delivery tags per channel;
/// the engine has one channel per connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnKey {
    pub client: u32,
    pub session: u32,
}

/// A delivery tag: which delivery on a connection an ack names (from 1,
/// as in AMQP).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tag(pub u64);

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What a task asks of a worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskBody {
    /// How long its handler runs.
    pub work: Tick,
    /// Its handler fails every time (a poison message).
    #[serde(default, skip_serializing_if = "is_false")]
    pub poison: bool,
    /// Celery's `request.retries`: how often it was retried already.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: u32,
    /// Not to run before this time (a retry's countdown, Celery's ETA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eta: Option<Tick>,
}

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A task as a queue holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub task: TaskId,
    pub body: TaskBody,
    /// AMQP `delivery_mode` 2: written to disk if its queue is durable.
    pub persistent: bool,
    /// The broker's order of arrival: a requeued message goes back to its
    /// old place among the others (RabbitMQ's classic queues).
    pub seq: u64,
    /// Times it came back unacknowledged (RabbitMQ quorum queues'
    /// `x-delivery-count`), which a delivery limit counts.
    pub returns: u32,
    /// It was delivered before: the next delivery says `redelivered`.
    pub redelivered: bool,
}
