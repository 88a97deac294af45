//! The chapter's `always_yes`: subscribed to `00`, the points whose both
//! coordinates are below one half, which always lie inside the circle, so
//! it answers `Y` for each without computing anything.
//!
//! ```python
//! while True:
//!     isock.recv_string()
//!     osock.send_string('Y')
//! ```

use serde::{Deserialize, Serialize};

use super::{Behaviour, Op, Resolver, Resume, name_in, name_out};
use crate::{
    rng::SimRng,
    sim::ScenarioError,
    socket::{Payload, SocketId, SocketKind},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlwaysYesSpec {
    /// The SUB socket (subscribed to `00` in the scenario).
    #[serde(default = "name_in", rename = "in")]
    pub input: String,
    /// The PUSH socket towards the tally.
    #[serde(default = "name_out")]
    pub out: String,
}

impl AlwaysYesSpec {
    pub fn build(&self, resolve: &Resolver<'_>) -> Result<AlwaysYes, ScenarioError> {
        Ok(AlwaysYes {
            input: resolve("in", &self.input, &[SocketKind::Sub])?,
            out: resolve("out", &self.out, &[SocketKind::Push])?,
            yes: Payload::from("Y"),
        })
    }
}

#[derive(Clone, Debug)]
pub struct AlwaysYes {
    pub input: SocketId,
    pub out: SocketId,
    yes: Payload,
}

impl Behaviour for AlwaysYes {
    fn resume(&mut self, outcome: Resume, _rng: &mut SimRng) -> Op {
        match outcome {
            Resume::Received(_) => Op::Send {
                socket: self.out,
                payload: self.yes.clone(),
            },
            _ => Op::Recv { socket: self.input },
        }
    }
}
