//! The chapter's `judge`: takes the points `always_yes` cannot decide
//! (prefixes `01`, `10`, `11`), asks `pythagoras` over REQ for n² + m², and
//! pushes `Y` if that is below 2^(2B), else `N`.
//!
//! ```python
//! while True:
//!     bits = isock.recv_string()
//!     n, m = int(bits[::2], 2), int(bits[1::2], 2)
//!     psock.send_json((n, m))
//!     sumsquares = psock.recv_json()
//!     osock.send_string('Y' if sumsquares < unit else 'N')
//! ```

use serde::{Deserialize, Serialize};

use super::{Behaviour, LogEntry, Op, Resolver, Resume, name_in, name_out};
use crate::{
    rng::SimRng,
    sim::{ScenarioError, scenario::ParamProblem},
    socket::{Payload, SocketId, SocketKind},
};

fn default_bits() -> u32 {
    32
}
fn name_ask() -> String {
    "to_pyth".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgeSpec {
    /// B, bits per coordinate; must match the bitsource.
    #[serde(default = "default_bits")]
    pub bits: u32,
    /// The SUB socket.
    #[serde(default = "name_in", rename = "in")]
    pub input: String,
    /// The REQ socket to pythagoras.
    #[serde(default = "name_ask")]
    pub ask: String,
    /// The PUSH socket to the tally.
    #[serde(default = "name_out")]
    pub out: String,
}

impl JudgeSpec {
    pub fn build(&self, node: &str, resolve: &Resolver<'_>) -> Result<Judge, ScenarioError> {
        if !(1..=32).contains(&self.bits) {
            return Err(ScenarioError::BadParam {
                node: node.to_string(),
                param: "bits".into(),
                socket: None,
                problem: ParamProblem::OutOfRange {
                    value: i64::from(self.bits),
                    min: 1,
                    max: 32,
                },
            });
        }
        Ok(Judge {
            input: resolve("in", &self.input, &[SocketKind::Sub])?,
            ask: resolve("ask", &self.ask, &[SocketKind::Req])?,
            out: resolve("out", &self.out, &[SocketKind::Push])?,
            unit: 1u128 << (2 * self.bits),
            phase: Phase::AwaitBits,
            yes: Payload::from("Y"),
            no: Payload::from("N"),
        })
    }
}

/// Which line of the loop the judge is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    AwaitBits,
    Asking,
    AwaitReply,
    Pushing,
    Noting,
}

#[derive(Clone, Debug)]
pub struct Judge {
    pub input: SocketId,
    pub ask: SocketId,
    pub out: SocketId,
    unit: u128,
    phase: Phase,
    yes: Payload,
    no: Payload,
}

/// `int(bits[::2], 2), int(bits[1::2], 2)`; `None` unless all `0`/`1`.
pub fn deinterleave(bits: &str) -> Option<(u64, u64)> {
    if bits.is_empty() || bits.len() > 128 {
        return None;
    }
    let (mut n, mut m) = (0u64, 0u64);
    for (i, b) in bits.bytes().enumerate() {
        let bit = match b {
            b'0' => 0,
            b'1' => 1,
            _ => return None,
        };
        if i % 2 == 0 {
            n = n.checked_mul(2)? | bit;
        } else {
            m = m.checked_mul(2)? | bit;
        }
    }
    Some((n, m))
}

impl Behaviour for Judge {
    fn resume(&mut self, outcome: Resume, _rng: &mut SimRng) -> Op {
        match (self.phase, outcome) {
            (Phase::AwaitBits, Resume::Received(msg)) => match deinterleave(&msg.payload) {
                Some((n, m)) => {
                    self.phase = Phase::Asking;
                    // json.dumps((n, m)) writes "[n, m]".
                    Op::Send {
                        socket: self.ask,
                        payload: Payload::from(format!("[{n}, {m}]")),
                    }
                }
                None => self.note(format!(
                    "ignored {:?}: not a string of 0 and 1",
                    msg.payload.as_str()
                )),
            },
            (Phase::Asking, Resume::Sent) => {
                self.phase = Phase::AwaitReply;
                Op::Recv { socket: self.ask }
            }
            (Phase::AwaitReply, Resume::Received(msg)) => {
                match msg.payload.trim().parse::<u128>() {
                    Ok(sum) => {
                        self.phase = Phase::Pushing;
                        Op::Send {
                            socket: self.out,
                            payload: if sum < self.unit {
                                self.yes.clone()
                            } else {
                                self.no.clone()
                            },
                        }
                    }
                    Err(_) => self.note(format!(
                        "pythagoras answered {:?}, not a number",
                        msg.payload.as_str()
                    )),
                }
            }
            // Start, a pushed answer, a printed note, or anything unexpected:
            // back to the top of the loop.
            _ => {
                self.phase = Phase::AwaitBits;
                Op::Recv { socket: self.input }
            }
        }
    }
}

impl Judge {
    fn note(&mut self, text: String) -> Op {
        self.phase = Phase::Noting;
        Op::Log(LogEntry::Note {
            text: Payload::from(text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deinterleaves_like_python_slices() {
        // bits[::2] = "10" -> 2, bits[1::2] = "01" -> 1
        assert_eq!(deinterleave("1001"), Some((2, 1)));
        assert_eq!(deinterleave("11"), Some((1, 1)));
        assert_eq!(deinterleave("1x"), None);
        assert_eq!(deinterleave(""), None);
        let all_ones = "1".repeat(64);
        assert_eq!(
            deinterleave(&all_ones),
            Some((u32::MAX.into(), u32::MAX.into()))
        );
    }
}
