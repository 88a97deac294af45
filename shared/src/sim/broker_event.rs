//! Trace events of broker connections and brokers: connecting, publishing
//! and confirms, dispatching and receiving, taking a task, its side
//! effect, acks, nacks and rejects and what the broker made of them,
//! redeliveries, dead letters, results, and frames the network lost. The
//! ledger changes with these, and their captions say how.

use serde::{Deserialize, Serialize};

use super::{
    NodeId,
    nodes::{FailThen, Settle},
};
use crate::{
    broker::{
        Fate, Refusal, Tag, TaskId, TaskState,
        server::{Displaced, Returned},
    },
    time::Tick,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum BrokerEvent {
    /// A client's connection is up (`session` counts its connections); a
    /// worker consumes, a producer sends again what was unconfirmed.
    Connected {
        client: NodeId,
        broker: NodeId,
        session: u32,
        consumes: bool,
        republished: u32,
    },
    /// The broker cannot be reached; the client tries again later.
    ConnectFailed {
        client: NodeId,
        broker: NodeId,
        why: Unreachable,
        retry_at: Tick,
    },
    /// One side learned that the connection is gone. At the broker its
    /// deliveries are `returned`; at the client, deliveries not yet taken
    /// are `dropped` (the broker answers for them).
    Closed {
        client: NodeId,
        broker: NodeId,
        side: Side,
        why: CloseWhy,
        returned: Vec<Returned>,
        dropped: Vec<TaskId>,
    },
    /// A program published a task (`seq`: its confirm number, `None`
    /// while the connection is down and the client holds it).
    Publish {
        node: NodeId,
        task: TaskId,
        queue: String,
        persistent: bool,
        poison: bool,
        retries: u32,
        eta: Option<Tick>,
        seq: Option<u64>,
        /// A new task (not a retry's copy).
        new: bool,
    },
    /// A program's broker call waits.
    Waits { node: NodeId, why: WaitWhy },
    /// The client library sent publishes again.
    Republished {
        client: NodeId,
        tasks: Vec<TaskId>,
        why: RepublishWhy,
    },
    /// The broker queued a publish (and confirmed it, if asked).
    Enqueued {
        broker: NodeId,
        client: NodeId,
        task: TaskId,
        queue: String,
        depth: u32,
        persisted: bool,
        displaced: Option<Displaced>,
        confirm: Option<u64>,
        copy: bool,
    },
    /// The broker refused a publish (a `nack` to a publisher with confirms).
    Refused {
        broker: NodeId,
        client: NodeId,
        task: TaskId,
        queue: String,
        why: Refusal,
        seq: Option<u64>,
    },
    /// A publisher confirm arrived (`task`: `None` if it named nothing
    /// unconfirmed any more).
    Confirmed {
        client: NodeId,
        task: Option<TaskId>,
        seq: u64,
        copy: bool,
    },
    /// A publisher `nack` arrived; the client publishes again at `retry_at`
    /// or gives the task up.
    Nacked {
        client: NodeId,
        task: Option<TaskId>,
        seq: u64,
        retry_at: Option<Tick>,
    },
    /// The broker handed a message to a consumer.
    Dispatched {
        broker: NodeId,
        client: NodeId,
        task: TaskId,
        tag: Tag,
        queue: String,
        redelivered: bool,
        returns: u32,
        auto_ack: bool,
    },
    /// A delivery reached its client (held until `eta` if it has one).
    Received {
        client: NodeId,
        task: TaskId,
        tag: Tag,
        redelivered: bool,
        eta: Option<Tick>,
        copy: bool,
    },
    /// Deliveries whose ETA came are ready for the worker.
    Released { client: NodeId, tasks: Vec<TaskId> },
    /// A worker took a delivery and starts the task: its `nth` start, after
    /// waiting `waited` in the worker's prefetch.
    Took {
        node: NodeId,
        task: TaskId,
        tag: Tag,
        redelivered: bool,
        nth: u32,
        waited: Tick,
    },
    /// A worker sent an ack, nack or reject; `stale`: its connection closed
    /// since the delivery came, so it is discarded (the broker took the
    /// message back already).
    Settle {
        node: NodeId,
        task: TaskId,
        tag: Tag,
        how: Settle,
        stale: bool,
    },
    /// The broker applied an ack, nack or reject.
    Settled {
        broker: NodeId,
        client: NodeId,
        task: Option<TaskId>,
        tag: Tag,
        how: Settle,
        result: SettleResult,
        copy: bool,
    },
    /// The task's side effect: its `nth` time.
    Effect {
        node: NodeId,
        task: TaskId,
        nth: u32,
    },
    /// An idempotent consumer found the task done already.
    EffectSkipped { node: NodeId, task: TaskId },
    /// The handler raised; what the worker does.
    Failed {
        node: NodeId,
        task: TaskId,
        then: FailThen,
    },
    /// The result backend recorded a state.
    ResultStored {
        broker: NodeId,
        task: TaskId,
        state: TaskState,
    },
    /// A delivery outlived its visibility timeout and went back.
    Expired {
        broker: NodeId,
        client: NodeId,
        returned: Returned,
    },
    /// The network lost a frame (a `drop` fault).
    FrameDropped {
        from: NodeId,
        to: NodeId,
        frame: FrameKind,
        task: Option<TaskId>,
    },
}

/// Which end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Broker,
    Client,
    /// Both at once (a connection given up).
    Both,
}

/// Why a connection closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseWhy {
    /// The other end's process died.
    PeerCrashed,
    /// Nothing got through for the give-up time (a partition, or a peer
    /// paused past its heartbeat).
    GaveUp,
    /// An ack named an unknown delivery tag (AMQP `PRECONDITION_FAILED`).
    ChannelError,
    /// A delivery stayed unacknowledged past the consumer timeout.
    ConsumerTimeout,
}

/// Why a connection could not be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unreachable {
    BrokerDown,
    Partitioned,
    BrokerPaused,
}

/// What a broker call waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "for", rename_all = "snake_case")]
pub enum WaitWhy {
    /// `max` publishes are unconfirmed: flow control by confirms.
    Confirms { max: u32 },
    /// The confirm of a retry's copy.
    Confirm,
    /// A delivery.
    Delivery,
}

/// Why publishes went out again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepublishWhy {
    /// No confirm within `republish_after`.
    NoConfirm,
    /// The broker nacked them.
    Nacked,
}

/// What the broker made of an ack, nack or reject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum SettleResult {
    Acked,
    Returned {
        fate: Fate,
    },
    /// Unknown tag: AMQP closed the connection, returning `returned`.
    ChannelClosed {
        returned: Vec<Returned>,
    },
    /// Unknown tag: Redis ignores it.
    Ignored,
}

/// A kind of broker-protocol frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameKind {
    Publish,
    Confirm,
    Nack,
    Deliver,
    Settle,
    Qos,
    Result,
}

impl BrokerEvent {
    /// The nodes it mentions (for captions).
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            BrokerEvent::Connected { client, broker, .. }
            | BrokerEvent::ConnectFailed { client, broker, .. }
            | BrokerEvent::Closed { client, broker, .. }
            | BrokerEvent::Enqueued { client, broker, .. }
            | BrokerEvent::Refused { client, broker, .. }
            | BrokerEvent::Dispatched { client, broker, .. }
            | BrokerEvent::Settled { client, broker, .. }
            | BrokerEvent::Expired { client, broker, .. } => vec![*client, *broker],
            BrokerEvent::Publish { node, .. }
            | BrokerEvent::Waits { node, .. }
            | BrokerEvent::Took { node, .. }
            | BrokerEvent::Settle { node, .. }
            | BrokerEvent::Effect { node, .. }
            | BrokerEvent::EffectSkipped { node, .. }
            | BrokerEvent::Failed { node, .. } => vec![*node],
            BrokerEvent::Republished { client, .. }
            | BrokerEvent::Confirmed { client, .. }
            | BrokerEvent::Nacked { client, .. }
            | BrokerEvent::Received { client, .. }
            | BrokerEvent::Released { client, .. } => vec![*client],
            BrokerEvent::ResultStored { broker, .. } => vec![*broker],
            BrokerEvent::FrameDropped { from, to, .. } => vec![*from, *to],
        }
    }
}
