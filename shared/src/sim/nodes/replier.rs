//! A replier: a back end answering over REP after a service time. Several
//! of them behind one endpoint each show REQ's round-robin.

use serde::{Deserialize, Serialize};

use super::{
    Behaviour, Dist, Op, Resolver, Resume, sleep,
    template::{Vars, render},
};
use crate::{
    rng::SimRng,
    sim::{ScenarioError, event::SleepWhy},
    socket::{Payload, SocketId, SocketKind},
};

fn name_rep() -> String {
    "rep".into()
}
fn default_reply() -> String {
    "{node} answers {payload}".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplierSpec {
    /// The REP socket.
    #[serde(default = "name_rep")]
    pub socket: String,
    #[serde(default, skip_serializing_if = "Dist::is_zero")]
    pub service: Dist,
    /// Reply template: `{payload}` (the request), `{node}`, `{n}`.
    #[serde(default = "default_reply")]
    pub reply: String,
}

impl ReplierSpec {
    pub fn build(&self, node: &str, resolve: &Resolver<'_>) -> Result<Replier, ScenarioError> {
        Ok(Replier {
            socket: resolve("socket", &self.socket, &[SocketKind::Rep])?,
            service: self.service,
            template: self.reply.clone(),
            node: node.to_string(),
            request: None,
            answered: 0,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Replier {
    pub socket: SocketId,
    pub service: Dist,
    template: String,
    node: String,
    request: Option<Payload>,
    answered: u64,
}

impl Behaviour for Replier {
    fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op {
        match outcome {
            Resume::Received(msg) => {
                self.request = Some(msg.payload);
                match sleep(self.service.sample(rng), SleepWhy::Service) {
                    Some(op) => op,
                    None => self.reply(),
                }
            }
            Resume::Woke => self.reply(),
            _ => Op::Recv {
                socket: self.socket,
            },
        }
    }
}

impl Replier {
    fn reply(&mut self) -> Op {
        let request = self.request.take().unwrap_or_default();
        let payload = render(
            &self.template,
            Vars {
                n: self.answered,
                node: &self.node,
                topic: "",
                payload: &request,
            },
        );
        self.answered += 1;
        Op::Send {
            socket: self.socket,
            payload: Payload::from(payload),
        }
    }
}
