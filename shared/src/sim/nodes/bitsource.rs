//! The chapter's `bitsource`: publishes random points of the unit square,
//! every 10 ms, as strings of `2·B` characters `0`/`1` (B = 32): the two
//! coordinates' bits interleaved, so the first two characters say which
//! quadrant the point lies in and subscribers can filter on them.
//!
//! ```python
//! while True:
//!     zsock.send_string(ones_and_zeros(B * 2))
//!     time.sleep(0.01)
//! ```

use serde::{Deserialize, Serialize};

use super::{Behaviour, Dist, Op, Resolver, Resume, name_out, sleep};
use crate::{
    rng::SimRng,
    sim::{ScenarioError, event::SleepWhy, scenario::ParamProblem},
    socket::{Payload, SocketId, SocketKind},
    time::Tick,
};

fn default_bits() -> u32 {
    32
}
fn default_interval() -> Dist {
    Dist::Constant(Tick::from_millis(10))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BitsourceSpec {
    /// B, bits per coordinate (1–32; the chapter uses 32).
    #[serde(default = "default_bits")]
    pub bits: u32,
    /// Pause after each message (the chapter's `time.sleep(0.01)`).
    #[serde(default = "default_interval")]
    pub interval: Dist,
    /// The PUB socket.
    #[serde(default = "name_out")]
    pub out: String,
    /// Stop after this many messages (forever when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

impl BitsourceSpec {
    pub fn build(&self, node: &str, resolve: &Resolver<'_>) -> Result<Bitsource, ScenarioError> {
        super::check_interval(node, &self.interval, self.count)?;
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
        Ok(Bitsource {
            out: resolve("out", &self.out, &[SocketKind::Pub])?,
            bits: self.bits,
            interval: self.interval,
            count: self.count,
            sent: 0,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Bitsource {
    pub out: SocketId,
    pub bits: u32,
    pub interval: Dist,
    pub count: Option<u64>,
    pub sent: u64,
}

/// `ones_and_zeros(digits)`: `digits` random bits, zero-padded.
pub fn ones_and_zeros(rng: &mut SimRng, digits: u32) -> Payload {
    let value = rng.bits(digits);
    let mut buf = [b'0'; 64];
    let width = digits.min(64) as usize;
    for (i, slot) in buf[..width].iter_mut().enumerate() {
        if value >> (width - 1 - i) & 1 == 1 {
            *slot = b'1';
        }
    }
    // Only ASCII digits were written.
    Payload::from(std::str::from_utf8(&buf[..width]).unwrap_or_default())
}

impl Behaviour for Bitsource {
    fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op {
        match outcome {
            Resume::Sent | Resume::Failed(_) => {
                let pause = self.interval.sample(rng);
                if let Some(op) = sleep(pause, SleepWhy::Interval) {
                    return op;
                }
                self.next(rng)
            }
            _ => self.next(rng),
        }
    }
}

impl Bitsource {
    fn next(&mut self, rng: &mut SimRng) -> Op {
        if self.count.is_some_and(|c| self.sent >= c) {
            return Op::Halt;
        }
        self.sent += 1;
        Op::Send {
            socket: self.out,
            payload: ones_and_zeros(rng, self.bits * 2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_zero_padded_bits() {
        let mut rng = SimRng::new(1);
        for _ in 0..100 {
            let p = ones_and_zeros(&mut rng, 64);
            assert_eq!(p.len(), 64);
            assert!(p.bytes().all(|b| b == b'0' || b == b'1'));
        }
        assert_eq!(ones_and_zeros(&mut rng, 4).len(), 4);
    }
}
