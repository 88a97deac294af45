//! A producer: sends a message every `interval` on a PUSH (a ventilator,
//! a web front end queueing jobs, a service emitting log events) or a PUB
//! (a publisher with topics). Payloads come from a template such as
//! `"{topic} {n}"`.

use serde::{Deserialize, Serialize};

use super::{
    Behaviour, Dist, Op, Resolver, Resume, name_out, sleep,
    template::{Vars, render},
};
use crate::{
    rng::SimRng,
    sim::{ScenarioError, event::SleepWhy},
    socket::{Payload, SocketId, SocketKind},
};

/// How a producer chooses among its topics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pick {
    /// Uniformly at random (from the node's own stream).
    #[default]
    Random,
    /// In order, over and over.
    Cycle,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerSpec {
    /// The PUSH or PUB socket.
    #[serde(default = "name_out")]
    pub out: String,
    /// Pause between messages.
    pub interval: Dist,
    /// Payload template: `{n}` (count), `{topic}`, `{node}`. Defaults to
    /// `"{topic} {n}"` with topics, `"{node} {n}"` without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    #[serde(default)]
    pub pick: Pick,
    /// Stop after this many messages (forever when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

impl ProducerSpec {
    pub fn build(&self, node: &str, resolve: &Resolver<'_>) -> Result<Producer, ScenarioError> {
        super::check_interval(node, &self.interval, self.count)?;
        let template = self.payload.clone().unwrap_or_else(|| {
            if self.topics.is_empty() {
                "{node} {n}".into()
            } else {
                "{topic} {n}".into()
            }
        });
        Ok(Producer {
            out: resolve("out", &self.out, &[SocketKind::Push, SocketKind::Pub])?,
            interval: self.interval,
            template,
            topics: self.topics.clone(),
            pick: self.pick,
            count: self.count,
            node: node.to_string(),
            sent: 0,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub out: SocketId,
    pub interval: Dist,
    template: String,
    topics: Vec<String>,
    pick: Pick,
    count: Option<u64>,
    node: String,
    sent: u64,
}

impl Behaviour for Producer {
    fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op {
        if matches!(outcome, Resume::Sent | Resume::Failed(_))
            && let Some(op) = sleep(self.interval.sample(rng), SleepWhy::Interval)
        {
            return op;
        }
        if self.count.is_some_and(|c| self.sent >= c) {
            return Op::Halt;
        }
        let topic = match (self.topics.len() as u64, self.pick) {
            (0, _) => "",
            (len, Pick::Random) => &self.topics[rng.below(len) as usize],
            (len, Pick::Cycle) => &self.topics[(self.sent % len) as usize],
        };
        let payload = render(
            &self.template,
            Vars {
                n: self.sent,
                node: &self.node,
                topic,
                payload: "",
            },
        );
        self.sent += 1;
        Op::Send {
            socket: self.out,
            payload: Payload::from(payload),
        }
    }
}
