//! A worker: takes a message (PULL, or SUB), is busy for a service time
//! drawn from its distribution, then sends a result downstream (PUSH or
//! PUB) if it has an output. Slow workers are how queues form.

use serde::{Deserialize, Serialize};

use super::{
    Behaviour, Dist, Op, Resolver, Resume, name_in, sleep,
    template::{Vars, render},
};
use crate::{
    rng::SimRng,
    sim::{ScenarioError, event::SleepWhy},
    socket::{Payload, SocketId, SocketKind},
};

fn default_out() -> Option<String> {
    Some("out".into())
}
fn default_result() -> String {
    "{payload}".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSpec {
    #[serde(default = "name_in", rename = "in")]
    pub input: String,
    /// Where results go; `null` for a worker that only consumes.
    #[serde(default = "default_out")]
    pub out: Option<String>,
    /// Time spent on each message.
    pub service: Dist,
    /// Result template: `{payload}` (the job), `{node}`, `{n}`.
    #[serde(default = "default_result")]
    pub result: String,
}

impl WorkerSpec {
    pub fn build(&self, node: &str, resolve: &Resolver<'_>) -> Result<Worker, ScenarioError> {
        let out = match &self.out {
            Some(name) => Some(resolve("out", name, &[SocketKind::Push, SocketKind::Pub])?),
            None => None,
        };
        Ok(Worker {
            input: resolve("in", &self.input, &[SocketKind::Pull, SocketKind::Sub])?,
            out,
            service: self.service,
            result: self.result.clone(),
            node: node.to_string(),
            job: None,
            done: 0,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Worker {
    pub input: SocketId,
    pub out: Option<SocketId>,
    pub service: Dist,
    result: String,
    node: String,
    /// The message being worked on.
    job: Option<Payload>,
    done: u64,
}

impl Behaviour for Worker {
    fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op {
        match outcome {
            Resume::Received(msg) => {
                self.job = Some(msg.payload);
                match sleep(self.service.sample(rng), SleepWhy::Service) {
                    Some(op) => op,
                    None => self.finish(),
                }
            }
            Resume::Woke => self.finish(),
            _ => Op::Recv { socket: self.input },
        }
    }
}

impl Worker {
    fn finish(&mut self) -> Op {
        let job = self.job.take().unwrap_or_default();
        self.done += 1;
        match self.out {
            Some(out) => Op::Send {
                socket: out,
                payload: Payload::from(render(
                    &self.result,
                    Vars {
                        n: self.done - 1,
                        node: &self.node,
                        topic: "",
                        payload: &job,
                    },
                )),
            },
            None => Op::Recv { socket: self.input },
        }
    }
}
