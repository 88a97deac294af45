//! A task producer: a Celery client calling `task.delay()` every
//! `interval`, through its broker connection. Its client library keeps
//! publisher confirms (`confirms`), holds back when `max_unconfirmed`
//! publishes are unanswered (flow control by confirms), and publishes
//! again what was not confirmed after a reconnect, a `nack`, or
//! `republish_after` without an answer (so the broker may hold a task
//! twice). The engine's side of that library is `broker::client`.

use serde::{Deserialize, Serialize};

use super::{Behaviour, BrokerCall, Dist, Op, Resume, check_interval, sleep};
use crate::{
    broker::TaskBody,
    rng::SimRng,
    sim::{ScenarioError, event::SleepWhy, scenario::ParamProblem},
    time::Tick,
};

fn yes() -> bool {
    true
}
fn default_work() -> Works {
    Works::One(Dist::Constant(Tick::from_millis(100)))
}

/// How long each task's handler will run: one distribution, or a list
/// taken in turn (`["3s", "100ms", …]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Works {
    Cycle(Vec<Dist>),
    One(Dist),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskProducerSpec {
    /// The broker node it connects to.
    pub broker: String,
    pub queue: String,
    /// Pause between tasks.
    pub interval: Dist,
    /// Stop after this many tasks (forever when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default = "default_work")]
    pub work: Works,
    /// AMQP `delivery_mode` 2.
    #[serde(default = "yes")]
    pub persistent: bool,
    /// Publisher confirms: the client knows what the broker holds.
    #[serde(default = "yes")]
    pub confirms: bool,
    /// Most unconfirmed publishes before `publish` waits (`null`: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unconfirmed: Option<u32>,
    /// Publish again what is unconfirmed this long, or was nacked, after
    /// this long; `null`: only after a reconnect (a nacked task is given up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub republish_after: Option<Tick>,
    /// Publishes when its live participant says (`Action::Publish`, a
    /// room's `publish` frame), as fast as its window lets it, instead of
    /// every `interval`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub live: bool,
}

impl TaskProducerSpec {
    pub fn build(&self, node: &str) -> Result<TaskProducer, ScenarioError> {
        if !self.live {
            check_interval(node, &self.interval, self.count)?;
        }
        if let Works::Cycle(list) = &self.work
            && list.is_empty()
        {
            return Err(ScenarioError::BadParam {
                node: node.to_string(),
                param: "work".into(),
                socket: None,
                problem: ParamProblem::EmptyList,
            });
        }
        if self.max_unconfirmed == Some(0) {
            return Err(ScenarioError::BadParam {
                node: node.to_string(),
                param: "max_unconfirmed".into(),
                socket: None,
                problem: ParamProblem::OutOfRange {
                    value: 0,
                    min: 1,
                    max: i64::from(u32::MAX),
                },
            });
        }
        Ok(TaskProducer {
            spec: self.clone(),
            interval: self.interval,
            made: 0,
            next_work: 0,
            poison_next: false,
            orders: 0,
        })
    }
}

#[derive(Clone, Debug)]
pub struct TaskProducer {
    pub spec: TaskProducerSpec,
    pub interval: Dist,
    made: u64,
    next_work: usize,
    /// The next task is a poison message (a `poison` fault).
    pub poison_next: bool,
    /// A live producer's tasks still to publish, as its participant said.
    pub orders: u64,
}

impl Behaviour for TaskProducer {
    fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op {
        match outcome {
            Resume::Published(_) if self.spec.live => self.publish(rng),
            Resume::Published(_) => match sleep(self.interval.sample(rng), SleepWhy::Interval) {
                Some(op) => op,
                None => self.publish(rng),
            },
            _ => self.publish(rng),
        }
    }
}

impl TaskProducer {
    fn publish(&mut self, rng: &mut SimRng) -> Op {
        if self.spec.count.is_some_and(|c| self.made >= c) {
            return Op::Halt;
        }
        if self.spec.live {
            if self.orders == 0 {
                return Op::Broker(BrokerCall::AwaitMember);
            }
            self.orders -= 1;
        }
        self.made += 1;
        let work = match &self.spec.work {
            Works::One(d) => d.sample(rng),
            Works::Cycle(list) => {
                let d = list[self.next_work % list.len()];
                self.next_work += 1;
                d.sample(rng)
            }
        };
        let poison = std::mem::take(&mut self.poison_next);
        Op::Broker(BrokerCall::Publish {
            task: None,
            body: TaskBody {
                work,
                poison,
                retries: 0,
                eta: None,
            },
            countdown: None,
            wait_confirm: false,
        })
    }
}
