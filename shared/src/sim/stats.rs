//! Counters a summary, a chart or a test can read without replaying the
//! trace. They are updated by the same code that emits events, and the
//! property tests check that they add up against the trace.

use serde::{Deserialize, Serialize};

use super::event::DropReason;

/// Per-node counters (`nodes` in `fanout sim --json`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeCounters {
    /// Successful send calls.
    pub sent: u64,
    /// Successful recv calls.
    pub received: u64,
    /// Messages this node's sockets discarded (every reason).
    pub dropped: u64,
    /// Times a call of this node could not complete.
    pub blocked: u64,
    /// Failed calls (EFSM, ENOTSUP).
    pub errors: u64,
    pub logs: u64,
}

/// Every discarded message, by reason (`drops` in `fanout sim --json`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drops {
    pub hwm: u64,
    pub no_peer: u64,
    pub filtered: u64,
    pub disconnected: u64,
}

impl Drops {
    pub fn add(&mut self, reason: DropReason, n: u64) {
        match reason {
            DropReason::Hwm => self.hwm += n,
            DropReason::NoPeer => self.no_peer += n,
            DropReason::Filtered => self.filtered += n,
            DropReason::Disconnected => self.disconnected += n,
        }
    }

    pub fn get(&self, reason: DropReason) -> u64 {
        match reason {
            DropReason::Hwm => self.hwm,
            DropReason::NoPeer => self.no_peer,
            DropReason::Filtered => self.filtered,
            DropReason::Disconnected => self.disconnected,
        }
    }

    pub fn total(&self) -> u64 {
        self.hwm + self.no_peer + self.filtered + self.disconnected
    }
}

impl super::Simulator {
    /// Messages and payload bytes held in every open pipe (sender stages,
    /// wires, receiver stages; a PUB's copies count once per subscriber).
    /// A live room bounds its memory with this.
    pub fn queued(&self) -> (u64, u64) {
        self.conns
            .iter()
            .filter(|c| c.state != super::simulator::ConnState::Closed)
            .flat_map(|c| c.pipes.iter())
            .map(|p| p.queued_bytes())
            .fold((0, 0), |(n, b), (pn, pb)| (n + pn, b + pb))
    }
}
