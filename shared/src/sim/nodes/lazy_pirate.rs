//! The ZeroMQ Guide's Lazy Pirate client (chapter 4, `lpclient`): a REQ
//! that polls for the reply with a timeout (2,500 ms in the Guide), and
//! when none comes closes its socket, opens a new one (a REQ that lost its
//! reply is stuck in its state otherwise), sends the same request again,
//! and after `retries` attempts (3) gives up. It prints what the Guide's
//! client prints. `shared/tests/lazy_pirate_pyzmq.rs` runs it and the
//! Guide's own client, in pyzmq, on the same server schedules.

use serde::{Deserialize, Serialize};

use super::{
    Behaviour, Dist, LogEntry, Op, Resolver, Resume, sleep,
    template::{Vars, render},
};
use crate::{
    rng::SimRng,
    sim::{ScenarioError, event::SleepWhy},
    socket::{Payload, SocketId, SocketKind},
    time::Tick,
};

fn name_req() -> String {
    "req".into()
}
fn guide_timeout() -> Tick {
    Tick::from_millis(2500)
}
fn three() -> u32 {
    3
}
fn default_payload() -> String {
    "{n}".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LazyPirateSpec {
    #[serde(default = "name_req")]
    pub socket: String,
    /// How long to wait for each reply (`REQUEST_TIMEOUT`).
    #[serde(default = "guide_timeout")]
    pub timeout: Tick,
    /// Attempts per request before giving up (`REQUEST_RETRIES`).
    #[serde(default = "three")]
    pub retries: u32,
    /// Pause after each reply.
    #[serde(default, skip_serializing_if = "Dist::is_zero")]
    pub interval: Dist,
    /// Request template; `{n}` counts from 1 as the Guide's `sequence`.
    #[serde(default = "default_payload")]
    pub payload: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

impl LazyPirateSpec {
    pub fn build(&self, node: &str, resolve: &Resolver<'_>) -> Result<LazyPirate, ScenarioError> {
        if self.retries == 0 || self.timeout == Tick::ZERO {
            return Err(ScenarioError::BadParam {
                node: node.to_string(),
                param: if self.retries == 0 {
                    "retries".into()
                } else {
                    "timeout".into()
                },
                socket: None,
                problem: crate::sim::scenario::ParamProblem::OutOfRange {
                    value: 0,
                    min: 1,
                    max: i64::from(u32::MAX),
                },
            });
        }
        Ok(LazyPirate {
            socket: resolve("socket", &self.socket, &[SocketKind::Req])?,
            spec: self.clone(),
            node: node.to_string(),
            sequence: 0,
            retries_left: 0,
            request: Payload::default(),
            stage: Stage::Idle,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Idle,
    Waiting,
    /// Printed the reply; pause, then the next request.
    Replied,
    /// Printed "retrying"; reopen the socket next.
    Retrying,
    Reopening,
    /// Printed "abandoning".
    Abandoned,
}

#[derive(Clone, Debug)]
pub struct LazyPirate {
    pub socket: SocketId,
    pub spec: LazyPirateSpec,
    node: String,
    sequence: u64,
    retries_left: u32,
    request: Payload,
    stage: Stage,
}

fn note(text: String) -> Op {
    Op::Log(LogEntry::Note {
        text: Payload::from(text),
    })
}

impl Behaviour for LazyPirate {
    fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op {
        match (self.stage, outcome) {
            (Stage::Waiting, Resume::Sent) => Op::Poll {
                socket: self.socket,
                timeout: self.spec.timeout,
            },
            (Stage::Waiting, Resume::Received(msg)) => {
                if msg.payload == self.request {
                    self.stage = Stage::Replied;
                    note(format!("I: server replied OK ({})", msg.payload.as_str()))
                } else {
                    note(format!(
                        "E: malformed reply from server: {}",
                        msg.payload.as_str()
                    ))
                }
            }
            (Stage::Waiting, Resume::Logged) => Op::Poll {
                socket: self.socket,
                timeout: self.spec.timeout,
            },
            (Stage::Waiting, Resume::TimedOut) => {
                self.retries_left = self.retries_left.saturating_sub(1);
                if self.retries_left == 0 {
                    self.stage = Stage::Abandoned;
                    note("E: server seems to be offline, abandoning".into())
                } else {
                    self.stage = Stage::Retrying;
                    note("W: no response from server, retrying…".into())
                }
            }
            (Stage::Retrying, Resume::Logged) => {
                self.stage = Stage::Reopening;
                Op::Reopen {
                    socket: self.socket,
                }
            }
            (Stage::Reopening, Resume::Reopened(socket)) => {
                self.socket = socket;
                self.stage = Stage::Waiting;
                Op::Send {
                    socket,
                    payload: self.request.clone(),
                }
            }
            (Stage::Abandoned, _) => Op::Halt,
            (Stage::Replied, Resume::Logged) => {
                match sleep(self.spec.interval.sample(rng), SleepWhy::Interval) {
                    Some(op) => op,
                    None => self.next_request(),
                }
            }
            _ => self.next_request(),
        }
    }
}

impl LazyPirate {
    fn next_request(&mut self) -> Op {
        if self.spec.count.is_some_and(|c| self.sequence >= c) {
            return Op::Halt;
        }
        self.sequence += 1;
        self.retries_left = self.spec.retries;
        self.request = Payload::from(render(
            &self.spec.payload,
            Vars {
                n: self.sequence,
                node: &self.node,
                topic: "",
                payload: "",
            },
        ));
        self.stage = Stage::Waiting;
        Op::Send {
            socket: self.socket,
            payload: self.request.clone(),
        }
    }
}
