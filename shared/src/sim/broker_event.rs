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

#[derive(Clone, Debug, PartialEq, Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "for", rename_all = "snake_case")]
pub enum WaitWhy {
    /// `max` publishes are unconfirmed: flow control by confirms.
    Confirms { max: u32 },
    /// The confirm of a retry's copy.
    Confirm,
    /// A delivery.
    Delivery,
    /// The node's live participant (docs/protocol.md, "Brokers in a
    /// room"): a live worker's handler runs in the participant's process,
    /// and a live producer publishes when told to.
    Member,
}

// Read compactly (see `json::decode_tagged!`); written by the derive.
crate::json::decode_tagged!(WaitWhy by "for" {
    "confirms" => Confirms { max },
    "confirm" => Confirm,
    "delivery" => Delivery,
    "member" => Member,
});

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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

// Read compactly (see `json::decode_tagged!`); written by the derive.
crate::json::decode_tagged!(SettleResult by "result" {
    "acked" => Acked,
    "returned" => Returned { fate },
    "channel_closed" => ChannelClosed { returned },
    "ignored" => Ignored,
});

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

// Read compactly, as `EventKind` is (serde's derived visitor for twenty
// internally tagged variants weighed about 67 KB of the queue page's wasm);
// written by the derive.
crate::json::decode_tagged!(BrokerEvent by "what" {
    "connected" => Connected { client, broker, session, consumes, republished },
    "connect_failed" => ConnectFailed { client, broker, why, retry_at },
    "closed" => Closed { client, broker, side, why, returned, dropped },
    "publish" => Publish { node, task, queue, persistent, poison, retries, eta, seq, new },
    "waits" => Waits { node, why },
    "republished" => Republished { client, tasks, why },
    "enqueued" => Enqueued { broker, client, task, queue, depth, persisted, displaced, confirm, copy },
    "refused" => Refused { broker, client, task, queue, why, seq },
    "confirmed" => Confirmed { client, task, seq, copy },
    "nacked" => Nacked { client, task, seq, retry_at },
    "dispatched" => Dispatched { broker, client, task, tag, queue, redelivered, returns, auto_ack },
    "received" => Received { client, task, tag, redelivered, eta, copy },
    "released" => Released { client, tasks },
    "took" => Took { node, task, tag, redelivered, nth, waited },
    "settle" => Settle { node, task, tag, how, stale },
    "settled" => Settled { broker, client, task, tag, how, result, copy },
    "effect" => Effect { node, task, nth },
    "effect_skipped" => EffectSkipped { node, task },
    "failed" => Failed { node, task, then },
    "result_stored" => ResultStored { broker, task, state },
    "expired" => Expired { broker, client, returned },
    "frame_dropped" => FrameDropped { from, to, frame, task },
});

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant, written by the derive and read by the compact reader
    /// above, is itself.
    #[test]
    fn every_broker_event_round_trips() {
        let (client, broker, node) = (NodeId(1), NodeId(2), NodeId(3));
        let (task, tag, queue) = (TaskId(7), Tag(4), || "q".to_string());
        let returned = Returned {
            task,
            fate: Fate::DeadLettered { queue: queue() },
        };
        let samples = vec![
            BrokerEvent::Connected {
                client,
                broker,
                session: 2,
                consumes: true,
                republished: 1,
            },
            BrokerEvent::ConnectFailed {
                client,
                broker,
                why: Unreachable::Partitioned,
                retry_at: Tick(50),
            },
            BrokerEvent::Closed {
                client,
                broker,
                side: Side::Broker,
                why: CloseWhy::PeerCrashed,
                returned: vec![returned.clone()],
                dropped: vec![TaskId(9)],
            },
            BrokerEvent::Publish {
                node,
                task,
                queue: queue(),
                persistent: true,
                poison: false,
                retries: 3,
                eta: Some(Tick(8)),
                seq: Some(5),
                new: true,
            },
            BrokerEvent::Waits {
                node,
                why: WaitWhy::Confirms { max: 4 },
            },
            BrokerEvent::Republished {
                client,
                tasks: vec![task],
                why: RepublishWhy::Nacked,
            },
            BrokerEvent::Enqueued {
                broker,
                client,
                task,
                queue: queue(),
                depth: 3,
                persisted: true,
                displaced: Some(Displaced {
                    task: TaskId(1),
                    fate: Fate::Dropped,
                }),
                confirm: Some(6),
                copy: false,
            },
            BrokerEvent::Refused {
                broker,
                client,
                task,
                queue: queue(),
                why: Refusal::QueueFull,
                seq: None,
            },
            BrokerEvent::Confirmed {
                client,
                task: Some(task),
                seq: 6,
                copy: true,
            },
            BrokerEvent::Nacked {
                client,
                task: None,
                seq: 7,
                retry_at: Some(Tick(90)),
            },
            BrokerEvent::Dispatched {
                broker,
                client,
                task,
                tag,
                queue: queue(),
                redelivered: true,
                returns: 2,
                auto_ack: false,
            },
            BrokerEvent::Received {
                client,
                task,
                tag,
                redelivered: false,
                eta: None,
                copy: true,
            },
            BrokerEvent::Released {
                client,
                tasks: vec![task, TaskId(8)],
            },
            BrokerEvent::Took {
                node,
                task,
                tag,
                redelivered: true,
                nth: 2,
                waited: Tick(12),
            },
            BrokerEvent::Settle {
                node,
                task,
                tag,
                how: Settle::Nack { requeue: true },
                stale: true,
            },
            BrokerEvent::Settled {
                broker,
                client,
                task: Some(task),
                tag,
                how: Settle::Reject { requeue: false },
                result: SettleResult::ChannelClosed {
                    returned: vec![returned.clone()],
                },
                copy: false,
            },
            BrokerEvent::Effect { node, task, nth: 1 },
            BrokerEvent::EffectSkipped { node, task },
            BrokerEvent::Failed {
                node,
                task,
                then: FailThen::Retry {
                    countdown: Tick(30),
                    retries: 2,
                },
            },
            BrokerEvent::ResultStored {
                broker,
                task,
                state: TaskState::Success,
            },
            BrokerEvent::Expired {
                broker,
                client,
                returned: returned.clone(),
            },
            BrokerEvent::FrameDropped {
                from: client,
                to: broker,
                frame: FrameKind::Settle,
                task: Some(task),
            },
        ];
        crate::json::assert_every_variant_round_trips(&samples, "what", BrokerEvent::DECODED_TAGS);
        // The tagged facts inside them, read compactly as well.
        crate::json::assert_every_variant_round_trips(
            &[
                SettleResult::Acked,
                SettleResult::Returned {
                    fate: Fate::Requeued,
                },
                SettleResult::ChannelClosed {
                    returned: vec![returned.clone()],
                },
                SettleResult::Ignored,
            ],
            "result",
            SettleResult::DECODED_TAGS,
        );
        crate::json::assert_every_variant_round_trips(
            &[
                WaitWhy::Confirms { max: 2 },
                WaitWhy::Confirm,
                WaitWhy::Delivery,
                WaitWhy::Member,
            ],
            "for",
            WaitWhy::DECODED_TAGS,
        );
        crate::json::assert_every_variant_round_trips(
            &[
                Settle::Ack,
                Settle::Nack { requeue: false },
                Settle::Reject { requeue: true },
            ],
            "how",
            Settle::DECODED_TAGS,
        );
        crate::json::assert_every_variant_round_trips(
            &[
                FailThen::Failure,
                FailThen::Requeue,
                FailThen::Reject,
                FailThen::Retry {
                    countdown: Tick(3),
                    retries: 1,
                },
            ],
            "then",
            FailThen::DECODED_TAGS,
        );
        crate::json::assert_every_variant_round_trips(
            &[
                Fate::Requeued,
                Fate::DeadLettered { queue: queue() },
                Fate::Dropped,
            ],
            "to",
            Fate::DECODED_TAGS,
        );
        // An unknown tag and a missing field are refused by name.
        let e = serde_json::from_str::<BrokerEvent>(r#"{"what":"nope"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown variant `nope`"), "{e}");
        let e = serde_json::from_str::<BrokerEvent>(r#"{"what":"effect","node":1,"task":2}"#)
            .unwrap_err();
        assert!(e.to_string().contains("missing field `nth`"), "{e}");
    }
}
