//! The chapter's `pythagoras`: a REP service returning the sum of squares
//! of the JSON list it is sent.
//!
//! ```python
//! while True:
//!     numbers = zsock.recv_json()
//!     zsock.send_json(sum(n * n for n in numbers))
//! ```
//!
//! An optional service time makes the REQ/REP hop visibly slow.

use serde::{Deserialize, Serialize};

use super::{Behaviour, Dist, Op, Resolver, Resume, sleep};
use crate::{
    rng::SimRng,
    sim::{ScenarioError, event::SleepWhy},
    socket::{Payload, SocketId, SocketKind},
};

fn name_rep() -> String {
    "rep".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythagorasSpec {
    /// The REP socket.
    #[serde(default = "name_rep")]
    pub socket: String,
    /// Time spent on each request (none in the chapter).
    #[serde(default, skip_serializing_if = "Dist::is_zero")]
    pub service: Dist,
}

impl PythagorasSpec {
    pub fn build(&self, resolve: &Resolver<'_>) -> Result<Pythagoras, ScenarioError> {
        Ok(Pythagoras {
            socket: resolve("socket", &self.socket, &[SocketKind::Rep])?,
            service: self.service,
            answer: None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Pythagoras {
    pub socket: SocketId,
    pub service: Dist,
    answer: Option<Payload>,
}

/// `sum(n * n for n in json.loads(text))` for a list of whole numbers;
/// `None` for anything else (Python would raise).
pub fn sum_of_squares(text: &str) -> Option<u128> {
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?;
    if inner.trim().is_empty() {
        return Some(0);
    }
    let mut sum: u128 = 0;
    for part in inner.split(',') {
        let n: u64 = part.trim().parse().ok()?;
        sum = sum.checked_add(u128::from(n) * u128::from(n))?;
    }
    Some(sum)
}

impl Behaviour for Pythagoras {
    fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op {
        match outcome {
            Resume::Received(msg) => {
                let answer = match sum_of_squares(&msg.payload) {
                    Some(sum) => Payload::from(sum.to_string()),
                    // A REP must answer something or it is stuck forever.
                    None => Payload::from("null"),
                };
                match sleep(self.service.sample(rng), SleepWhy::Service) {
                    Some(op) => {
                        self.answer = Some(answer);
                        op
                    }
                    None => Op::Send {
                        socket: self.socket,
                        payload: answer,
                    },
                }
            }
            Resume::Woke => match self.answer.take() {
                Some(payload) => Op::Send {
                    socket: self.socket,
                    payload,
                },
                None => Op::Recv {
                    socket: self.socket,
                },
            },
            _ => Op::Recv {
                socket: self.socket,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_squares_of_json_lists() {
        assert_eq!(sum_of_squares("[3, 4]"), Some(25));
        assert_eq!(sum_of_squares("[]"), Some(0));
        let max = u64::from(u32::MAX);
        assert_eq!(
            sum_of_squares(&format!("[{max}, {max}]")),
            Some(2 * u128::from(max) * u128::from(max))
        );
        assert_eq!(sum_of_squares("[1, x]"), None);
        assert_eq!(sum_of_squares("3"), None);
    }
}
