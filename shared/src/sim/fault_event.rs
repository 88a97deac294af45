//! Trace events of faults: a node crashing, restarting, pausing; a
//! partition or a link fault beginning and healing; a connection TCP gives
//! up on; a poison message on its way. Each is one step, like any event,
//! so a fault can be stepped back over and replayed from a link.

use serde::{Deserialize, Serialize};

use super::{
    NodeId,
    action::ActionError,
    fault::{CrashPoint, LinkFaultKind},
};
use crate::{broker::TaskId, socket::ConnId, time::Tick};

/// A fault began or ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum FaultEvent {
    /// The node's process died: its program, queues, in-flight work and
    /// connections are gone. `lost` counts the messages its ZeroMQ pipes
    /// held; `held` its unacknowledged deliveries and when they return;
    /// `lost_tasks` the tasks that vanished with it; a broker says what its
    /// disk `kept`.
    Crashed {
        node: NodeId,
        lost: u32,
        held: Vec<Held>,
        lost_tasks: Vec<TaskId>,
        kept: Option<u32>,
        restart_at: Option<Tick>,
    },
    /// A crash waits for a point in the node's work.
    Armed {
        node: NodeId,
        on: CrashPoint,
        duration: Option<Tick>,
    },
    /// A fresh process; a broker recovered `recovered` messages from disk.
    Restarted {
        node: NodeId,
        recovered: Option<u32>,
    },
    Paused {
        node: NodeId,
        until: Option<Tick>,
    },
    /// A pause ended; `deferred` turns and arrivals now go on.
    Resumed {
        node: NodeId,
        deferred: u32,
    },
    Partitioned {
        id: u32,
        a: Vec<NodeId>,
        b: Vec<NodeId>,
        one_way: bool,
        until: Option<Tick>,
    },
    LinkFaulted {
        id: u32,
        a: Vec<NodeId>,
        b: Vec<NodeId>,
        fault: LinkFaultKind,
        until: Option<Tick>,
    },
    /// Partitions and link faults ended; messages held on the wire go on.
    Healed {
        partitions: u32,
        link_faults: u32,
        released: u32,
    },
    /// A ZeroMQ connection that could not get through for the give-up time
    /// was closed (as TCP does); `lost` messages were in its pipes. The
    /// connecting side reconnects when the path is back.
    GaveUp {
        conn: ConnId,
        lost: u32,
    },
    /// The producer's next task is a poison message.
    Poisoned {
        node: NodeId,
    },
    /// A scheduled fault could not be applied at its time.
    Skipped {
        index: u32,
        error: ActionError,
    },
}

/// An unacknowledged delivery held by a node that crashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub task: TaskId,
    pub returns: Returns,
}

/// When a crashed consumer's delivery goes back to its queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum Returns {
    /// When the broker sees the connection close (AMQP).
    ConnectionClosed { at: Tick },
    /// When its visibility timeout ends (Celery's Redis transport).
    VisibilityTimeout { at: Tick },
}

// Read compactly (see `json::decode_tagged!`); written by the derive.
crate::json::decode_tagged!(Returns by "when" {
    "connection_closed" => ConnectionClosed { at },
    "visibility_timeout" => VisibilityTimeout { at },
});

// Read compactly, as `EventKind` is (serde's derived visitor weighed about
// 30 KB of the queue page's wasm); written by the derive.
crate::json::decode_tagged!(FaultEvent by "what" {
    "crashed" => Crashed { node, lost, held, lost_tasks, kept, restart_at },
    "armed" => Armed { node, on, duration },
    "restarted" => Restarted { node, recovered },
    "paused" => Paused { node, until },
    "resumed" => Resumed { node, deferred },
    "partitioned" => Partitioned { id, a, b, one_way, until },
    "link_faulted" => LinkFaulted { id, a, b, fault, until },
    "healed" => Healed { partitions, link_faults, released },
    "gave_up" => GaveUp { conn, lost },
    "poisoned" => Poisoned { node },
    "skipped" => Skipped { index, error },
});

impl FaultEvent {
    /// The nodes it mentions (for captions).
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            FaultEvent::Crashed { node, .. }
            | FaultEvent::Armed { node, .. }
            | FaultEvent::Restarted { node, .. }
            | FaultEvent::Paused { node, .. }
            | FaultEvent::Resumed { node, .. }
            | FaultEvent::Poisoned { node } => vec![*node],
            FaultEvent::Partitioned { a, b, .. } | FaultEvent::LinkFaulted { a, b, .. } => {
                a.iter().chain(b).copied().collect()
            }
            FaultEvent::Healed { .. } | FaultEvent::GaveUp { .. } | FaultEvent::Skipped { .. } => {
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant, written by the derive and read by the compact reader
    /// above, is itself.
    #[test]
    fn every_fault_event_round_trips() {
        let node = NodeId(2);
        let samples = vec![
            FaultEvent::Crashed {
                node,
                lost: 3,
                held: vec![Held {
                    task: TaskId(5),
                    returns: Returns::VisibilityTimeout { at: Tick(40) },
                }],
                lost_tasks: vec![TaskId(6)],
                kept: Some(2),
                restart_at: Some(Tick(90)),
            },
            FaultEvent::Armed {
                node,
                on: CrashPoint::SideEffect,
                duration: Some(Tick(10)),
            },
            FaultEvent::Restarted {
                node,
                recovered: Some(4),
            },
            FaultEvent::Paused { node, until: None },
            FaultEvent::Resumed { node, deferred: 2 },
            FaultEvent::Partitioned {
                id: 1,
                a: vec![node],
                b: vec![NodeId(3), NodeId(4)],
                one_way: true,
                until: Some(Tick(70)),
            },
            FaultEvent::LinkFaulted {
                id: 2,
                a: vec![node],
                b: vec![NodeId(3)],
                fault: LinkFaultKind::Delay {
                    latency: Tick(5),
                    jitter: Tick(2),
                },
                until: None,
            },
            FaultEvent::Healed {
                partitions: 1,
                link_faults: 2,
                released: 3,
            },
            FaultEvent::GaveUp {
                conn: ConnId(8),
                lost: 1,
            },
            FaultEvent::Poisoned { node },
            FaultEvent::Skipped {
                index: 4,
                error: ActionError::AlreadyCrashed { node: "w".into() },
            },
        ];
        crate::json::assert_every_variant_round_trips(&samples, "what", FaultEvent::DECODED_TAGS);
        crate::json::assert_every_variant_round_trips(
            &[
                Returns::ConnectionClosed { at: Tick(4) },
                Returns::VisibilityTimeout { at: Tick(5) },
            ],
            "when",
            Returns::DECODED_TAGS,
        );
        crate::json::assert_every_variant_round_trips(
            &[
                LinkFaultKind::Delay {
                    latency: Tick(5),
                    jitter: Tick(1),
                },
                LinkFaultKind::Drop { ppm: 10 },
                LinkFaultKind::Duplicate { ppm: 20 },
            ],
            "kind",
            LinkFaultKind::DECODED_TAGS,
        );
    }
}
