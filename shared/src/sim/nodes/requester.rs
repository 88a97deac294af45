//! A requester: a front end calling a back end over REQ, one request at a
//! time (send, wait for the reply, think, send again).

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

fn name_req() -> String {
    "req".into()
}
fn default_payload() -> String {
    "{node} request {n}".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequesterSpec {
    /// The REQ socket.
    #[serde(default = "name_req")]
    pub socket: String,
    /// Pause after each reply before the next request.
    #[serde(default, skip_serializing_if = "Dist::is_zero")]
    pub interval: Dist,
    #[serde(default = "default_payload")]
    pub payload: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

impl RequesterSpec {
    pub fn build(&self, node: &str, resolve: &Resolver<'_>) -> Result<Requester, ScenarioError> {
        Ok(Requester {
            socket: resolve("socket", &self.socket, &[SocketKind::Req])?,
            interval: self.interval,
            template: self.payload.clone(),
            count: self.count,
            node: node.to_string(),
            sent: 0,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Requester {
    pub socket: SocketId,
    pub interval: Dist,
    template: String,
    count: Option<u64>,
    node: String,
    sent: u64,
}

impl Behaviour for Requester {
    fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op {
        match outcome {
            Resume::Sent => Op::Recv {
                socket: self.socket,
            },
            Resume::Received(_) => match sleep(self.interval.sample(rng), SleepWhy::Interval) {
                Some(op) => op,
                None => self.request(),
            },
            _ => self.request(),
        }
    }
}

impl Requester {
    fn request(&mut self) -> Op {
        if self.count.is_some_and(|c| self.sent >= c) {
            return Op::Halt;
        }
        let payload = render(
            &self.template,
            Vars {
                n: self.sent,
                node: &self.node,
                topic: "",
                payload: "",
            },
        );
        self.sent += 1;
        Op::Send {
            socket: self.socket,
            payload: Payload::from(payload),
        }
    }
}
