//! A task worker: a Celery worker with concurrency 1, consuming a queue
//! through its broker connection with a prefetch, acknowledging as its
//! `ack` mode says (automatic, before the work as Celery does by default,
//! or after it with `acks_late`), running each task's handler (its side
//! effect at the end), and on failure acknowledging, requeueing,
//! rejecting or retrying with Celery's policy. With `dedup` it keeps a
//! table of processed task ids (effectively once).
//!
//! With early or automatic acknowledgement a failed task cannot be
//! requeued or rejected any more (it was acknowledged already): it is a
//! FAILURE, as in Celery.

use serde::{Deserialize, Serialize};

use super::{Behaviour, BrokerCall, Dist, FailThen, Op, Resume, Settle, sleep};
use crate::{
    broker::{AckMode, OnFailure, RetryPolicy, client::Delivery},
    rng::SimRng,
    sim::{ScenarioError, event::SleepWhy},
};

fn four() -> u32 {
    4
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskWorkerSpec {
    pub broker: String,
    pub queue: String,
    /// Most unacknowledged deliveries it holds (Celery: 4 × concurrency).
    #[serde(default = "four")]
    pub prefetch: u32,
    #[serde(default)]
    pub ack: AckMode,
    #[serde(default)]
    pub on_failure: OnFailure,
    #[serde(default)]
    pub retry: RetryPolicy,
    /// An idempotent consumer: skip the effect of a task already done.
    #[serde(default)]
    pub dedup: bool,
    /// Store STARTED when a task starts (`task_track_started`).
    #[serde(default)]
    pub track_started: bool,
    /// A time per task instead of the one each task asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Dist>,
    /// The handler runs in a live participant's process (a room's
    /// `worker.py`): each task is handed to it, and the worker waits for
    /// its `task_done` instead of working for the task's time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub live: bool,
}

impl TaskWorkerSpec {
    pub fn build(&self) -> Result<TaskWorker, ScenarioError> {
        Ok(TaskWorker {
            spec: self.clone(),
            current: None,
            stage: Stage::Idle,
            then: FailThen::Failure,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Idle,
    /// Sent the early ack; the work starts next.
    EarlyAck,
    Working,
    /// Ran the effect (or skipped it).
    Effect,
    /// Told the engine the handler failed.
    Failed,
    /// Published the retry's copy and waited for its confirm.
    Retried,
    /// Sent the last ack/nack/reject for the task.
    Settled,
}

#[derive(Clone, Debug)]
pub struct TaskWorker {
    pub spec: TaskWorkerSpec,
    /// The delivery it is working on (a live worker's participant has it).
    pub current: Option<Delivery>,
    stage: Stage,
    then: FailThen,
}

impl Behaviour for TaskWorker {
    fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op {
        match outcome {
            Resume::Delivery(d) => {
                self.current = Some(d.clone());
                if self.spec.ack == AckMode::Early {
                    self.stage = Stage::EarlyAck;
                    return Op::Broker(BrokerCall::Settle {
                        delivery: d,
                        how: Settle::Ack,
                    });
                }
                self.work(rng)
            }
            Resume::Settled if self.stage == Stage::EarlyAck => self.work(rng),
            // The task's time passed, or the live participant said done.
            Resume::Woke if self.stage == Stage::Working => self.finish(rng),
            Resume::Effect { .. } if self.stage == Stage::Effect => self.last_ack(),
            Resume::Noted if self.stage == Stage::Failed => self.after_failure(),
            Resume::Published(_) if self.stage == Stage::Retried => self.last_ack(),
            _ => self.take(),
        }
    }
}

impl TaskWorker {
    fn take(&mut self) -> Op {
        self.current = None;
        self.stage = Stage::Idle;
        Op::Broker(BrokerCall::Take)
    }

    fn work(&mut self, rng: &mut SimRng) -> Op {
        let Some(d) = &self.current else {
            return self.take();
        };
        self.stage = Stage::Working;
        if self.spec.live {
            return Op::Broker(BrokerCall::AwaitMember);
        }
        let time = match &self.spec.service {
            Some(dist) => dist.sample(rng),
            None => d.body.work,
        };
        match sleep(time, SleepWhy::Service) {
            Some(op) => op,
            None => self.finish(rng),
        }
    }

    /// The handler returned (or raised).
    fn finish(&mut self, rng: &mut SimRng) -> Op {
        let Some(d) = self.current.clone() else {
            return self.take();
        };
        if d.body.poison {
            let late = self.spec.ack == AckMode::Late;
            self.then = match self.spec.on_failure {
                OnFailure::Requeue if late => FailThen::Requeue,
                OnFailure::Reject if late => FailThen::Reject,
                OnFailure::Retry if self.spec.retry.allows(d.body.retries) => FailThen::Retry {
                    countdown: self.spec.retry.delay(d.body.retries, rng),
                    retries: d.body.retries + 1,
                },
                _ => FailThen::Failure,
            };
            self.stage = Stage::Failed;
            return Op::Broker(BrokerCall::Fail {
                delivery: d,
                then: self.then,
            });
        }
        self.stage = Stage::Effect;
        Op::Broker(BrokerCall::Effect { delivery: d })
    }

    fn after_failure(&mut self) -> Op {
        let Some(d) = self.current.clone() else {
            return self.take();
        };
        match self.then {
            FailThen::Failure => self.last_ack(),
            FailThen::Requeue | FailThen::Reject => {
                self.stage = Stage::Settled;
                let requeue = self.then == FailThen::Requeue;
                Op::Broker(BrokerCall::Settle {
                    delivery: d,
                    how: if requeue {
                        Settle::Nack { requeue: true }
                    } else {
                        Settle::Reject { requeue: false }
                    },
                })
            }
            FailThen::Retry { countdown, retries } => {
                self.stage = Stage::Retried;
                let mut body = d.body;
                body.retries = retries;
                Op::Broker(BrokerCall::Publish {
                    task: Some(d.task),
                    body,
                    countdown: Some(countdown),
                    wait_confirm: true,
                })
            }
        }
    }

    /// With late acknowledgement, ack now; otherwise it was done already.
    fn last_ack(&mut self) -> Op {
        match (&self.current, self.spec.ack) {
            (Some(d), AckMode::Late) => {
                self.stage = Stage::Settled;
                Op::Broker(BrokerCall::Settle {
                    delivery: d.clone(),
                    how: Settle::Ack,
                })
            }
            _ => self.take(),
        }
    }
}
