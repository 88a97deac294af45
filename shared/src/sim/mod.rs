//! The deterministic discrete-event simulator that steps ZeroMQ sockets
//! and node programs on virtual time.
//!
//! # Design note
//!
//! **One engine, two drivers.** [`Simulator`] is pure: inputs go in
//! ([`Simulator::step`], [`Simulator::run_until`], [`Simulator::apply`]),
//! events come out, and nothing reads a clock, does IO or spawns a thread.
//! Its whole state is `Clone`, and a run is a function of (scenario, seed,
//! actions): the same on native and wasm32 (integer ticks, a portable PCG
//! stream per node, ordered maps, `libm` for the one logarithm).
//!
//! **Steps and events.** Internally a heap of timed tasks (a node's turn,
//! an arrival, a handshake); each [`step`](Simulator::step) applies one and
//! returns exactly one [`Event`]. Node programs are hand-written coroutines
//! that make one blocking call per turn, like the chapter's threads, so
//! "judge blocks in recv on to_pyth" is an event a caption can show. A
//! running [`TraceDigest`](digest::TraceDigest) fingerprints the whole
//! trace without storing it.
//!
//! **Browser (virtual time).** The frontend holds a [`Timeline`]: stepping
//! forward calls `step`; stepping back is [`Timeline::seek`], which clones
//! the nearest periodic snapshot and replays. Edits made while running
//! (HWM, rate, service time, latency, subscriptions, nodes, sockets,
//! connects) are [`Action`]s applied through the timeline, which records
//! them with the step and time they were applied at; a [`Recording`] —
//! scenario, seed, actions, step — is what a shareable URL holds, and
//! [`Timeline::replay`] rebuilds exactly the same state from it.
//!
//! **Server (real time).** A live room owns a `Simulator` and calls
//! `run_until(elapsed wall time)` whenever a timer fires (`next_time` says
//! when the next event is due) and broadcasts the events. Remote
//! participants are `external` nodes: their sockets are real engine sockets
//! that no program drives; a participant's click becomes
//! `apply(Action::Send { … })` or `apply(Action::Recv { … })` (non-blocking,
//! `EAGAIN` as a `Block` event), and `Deliver` events naming their sockets
//! tell the server what to push to that participant. Recording those
//! actions makes a live session replayable in the browser afterwards.

pub mod action;
pub mod bench;
pub mod caption;
pub mod digest;
pub mod event;
pub mod network;
pub mod nodes;
pub mod ops;
mod poll;
pub mod presets;
pub mod readiness;
mod refusal_text;
pub mod scenario;
pub mod simulator;
pub mod stats;
pub mod timeline;
pub mod view;

// The reliability engine (issue 14): faults as actions, broker connections
// and the ledger. Compiled only with the `reliability` feature
// (shared/Cargo.toml), which the server, `fanout sim`, the tests and the
// `/reliability` page enable: it is about a fifth of a page's wasm, and the
// ZeroMQ labs never show it. Beyond these modules the engine names it only
// in a few variant groups, each marked where it is declared (`TaskKind`,
// `EventKind`, `Caption`, `Action`, `ProgramSpec`/`Program`, `Op`/`Resume`)
// and in the simulator's one `Reliability` field.
#[cfg(feature = "reliability")]
pub mod broker_event;
#[cfg(feature = "reliability")]
mod broker_net;
#[cfg(feature = "reliability")]
pub mod broker_view;
#[cfg(feature = "reliability")]
mod digest_serde;
// The brokers' disks kept for real by the server (`--data-dir`): only
// with the `disk-journal` feature, which no page enables.
#[cfg(feature = "disk-journal")]
mod disk;
#[cfg(feature = "reliability")]
pub mod fault;
#[cfg(feature = "reliability")]
pub mod fault_event;
#[cfg(feature = "reliability")]
pub mod ledger_view;
#[cfg(feature = "reliability")]
mod live_task;
#[cfg(feature = "reliability")]
mod reliability;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use action::{Action, ActionError, Setting};
#[cfg(feature = "reliability")]
pub use broker_event::BrokerEvent;
pub use caption::{Caption, SentTo, StartPart};
pub use event::{BlockReason, DropReason, Event, EventKind, Fate, Hop, HopFate, Route, Skip};
#[cfg(feature = "reliability")]
pub use fault::CrashPoint;
#[cfg(feature = "reliability")]
pub use fault_event::FaultEvent;
pub use scenario::{Scenario, ScenarioError};
pub use simulator::Simulator;
pub use stats::{Drops, NodeCounters};
pub use timeline::{Recorded, Recording, Timeline};
pub use view::{
    ConnPhase, NodeState, NodeTiming, PiTally, PipeMsg, Stage, Summary, Topology, WireMsg,
};

/// A node, numbered in creation order (never reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub u32);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node#{}", self.0)
    }
}
