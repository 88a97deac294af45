//! A sink: receives and counts (a pipeline's collector, a log collector, a
//! subscriber). With a service time it is a *slow* consumer, the lesson of
//! high-water marks.

use serde::{Deserialize, Serialize};

use super::{Behaviour, Dist, Op, Resolver, Resume, name_in, sleep};
use crate::{
    rng::SimRng,
    sim::{ScenarioError, event::SleepWhy},
    socket::{SocketId, SocketKind},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkSpec {
    #[serde(default = "name_in", rename = "in")]
    pub input: String,
    /// Time spent on each message (none by default).
    #[serde(default, skip_serializing_if = "Dist::is_zero")]
    pub service: Dist,
}

impl SinkSpec {
    pub fn build(&self, resolve: &Resolver<'_>) -> Result<Sink, ScenarioError> {
        Ok(Sink {
            input: resolve("in", &self.input, &[SocketKind::Pull, SocketKind::Sub])?,
            service: self.service,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Sink {
    pub input: SocketId,
    pub service: Dist,
}

impl Behaviour for Sink {
    fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op {
        if let Resume::Received(_) = outcome
            && let Some(op) = sleep(self.service.sample(rng), SleepWhy::Service)
        {
            return op;
        }
        Op::Recv { socket: self.input }
    }
}
