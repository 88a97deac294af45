//! A forwarder: SUB→PUB (a proxy that lets subscribers fan out further) or
//! PULL→PUSH (a stage in a pipeline). It passes payloads through
//! unchanged, showing that neither end can tell it is there.

use serde::{Deserialize, Serialize};

use super::{Behaviour, Op, Resolver, Resume, name_in, name_out};
use crate::{
    rng::SimRng,
    sim::{ScenarioError, scenario::ParamProblem},
    socket::{SocketId, SocketKind},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwarderSpec {
    #[serde(default = "name_in", rename = "in")]
    pub input: String,
    #[serde(default = "name_out")]
    pub out: String,
}

impl ForwarderSpec {
    pub fn build(&self, node: &str, resolve: &Resolver<'_>) -> Result<Forwarder, ScenarioError> {
        let input = resolve("in", &self.input, &[SocketKind::Sub, SocketKind::Pull])?;
        let want = if resolve("in", &self.input, &[SocketKind::Sub]).is_ok() {
            SocketKind::Pub
        } else {
            SocketKind::Push
        };
        let out = resolve("out", &self.out, &[want]).map_err(|e| match e {
            ScenarioError::RoleKind { .. } => ScenarioError::BadParam {
                node: node.to_string(),
                param: "out".into(),
                socket: None,
                problem: ParamProblem::ForwarderPair {
                    socket: self.out.clone(),
                    want,
                },
            },
            other => other,
        })?;
        Ok(Forwarder { input, out })
    }
}

#[derive(Clone, Debug)]
pub struct Forwarder {
    pub input: SocketId,
    pub out: SocketId,
}

impl Behaviour for Forwarder {
    fn resume(&mut self, outcome: Resume, _rng: &mut SimRng) -> Op {
        match outcome {
            Resume::Received(msg) => Op::Send {
                socket: self.out,
                payload: msg.payload,
            },
            _ => Op::Recv { socket: self.input },
        }
    }
}
