//! The chapter's `tally`: counts the decisions and prints the running
//! estimate of π, 4·Y/(Y+N).
//!
//! ```python
//! p = q = 0
//! while True:
//!     decision = zsock.recv_string()
//!     q += 1
//!     if decision == 'Y':
//!         p += 4
//!     print(decision, p / q)
//! ```

use serde::{Deserialize, Serialize};

use super::{Behaviour, LogEntry, Op, Resolver, Resume, name_in};
use crate::{
    rng::SimRng,
    sim::ScenarioError,
    socket::{SocketId, SocketKind},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TallySpec {
    /// The PULL socket.
    #[serde(default = "name_in", rename = "in")]
    pub input: String,
}

impl TallySpec {
    pub fn build(&self, resolve: &Resolver<'_>) -> Result<Tally, ScenarioError> {
        Ok(Tally {
            input: resolve("in", &self.input, &[SocketKind::Pull])?,
            p: 0,
            q: 0,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Tally {
    pub input: SocketId,
    /// Four times the `Y` count.
    pub p: u64,
    /// Decisions counted.
    pub q: u64,
}

impl Tally {
    /// p / q, or `None` before the first decision.
    pub fn estimate(&self) -> Option<f64> {
        (self.q > 0).then(|| self.p as f64 / self.q as f64)
    }
}

impl Behaviour for Tally {
    fn resume(&mut self, outcome: Resume, _rng: &mut SimRng) -> Op {
        match outcome {
            Resume::Received(msg) => {
                self.q += 1;
                let yes = msg.payload.as_str() == "Y";
                if yes {
                    self.p += 4;
                }
                Op::Log(LogEntry::Decision {
                    yes,
                    p: self.p,
                    q: self.q,
                })
            }
            _ => Op::Recv { socket: self.input },
        }
    }
}
