//! The broker's facts that the interface shows (acknowledgement modes,
//! what a failing handler does, the guarantee a configuration promises,
//! Celery's task states, a task's outcome in the ledger, transports), each
//! saying itself in English and Chinese through [`Say`], one exhaustive
//! table per language, so the reliability lab can show them in both.

use serde::{Deserialize, Serialize};

use super::{
    ledger::Outcome,
    queue::Overflow,
    results::TaskState,
    server::{Refusal, Transport},
};
use crate::lang::{Lang, Say};

/// When a worker acknowledges a delivery.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckMode {
    /// The broker forgets the message as it sends it (AMQP `no_ack`): at
    /// most once; prefetch does not apply.
    Auto,
    /// Just before the task runs: Celery's default.
    #[default]
    Early,
    /// After the task returns: Celery's `acks_late`, at least once.
    Late,
}

impl AckMode {
    pub const ALL: [AckMode; 3] = [AckMode::Auto, AckMode::Early, AckMode::Late];
}

/// What a worker does when a task's handler fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// Record FAILURE and acknowledge: Celery's default
    /// (`task_acks_on_failure_or_timeout`).
    #[default]
    Ack,
    /// `basic.nack(requeue=True)`: the message comes back (and loops, until
    /// a delivery limit).
    Requeue,
    /// `basic.reject(requeue=False)`: dead-lettered.
    Reject,
    /// Celery's `self.retry()`: a copy with a countdown, then ack; FAILURE
    /// past `max_retries`.
    Retry,
}

impl OnFailure {
    pub const ALL: [OnFailure; 4] = [
        OnFailure::Ack,
        OnFailure::Requeue,
        OnFailure::Reject,
        OnFailure::Retry,
    ];
}

/// What a configuration promises about each task's side effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guarantee {
    /// Never twice, maybe never (acks before the work, no republishing).
    AtMostOnce,
    /// Never lost once confirmed, maybe twice (late ack, persistent
    /// messages in a durable queue, confirms, republishing).
    AtLeastOnce,
    /// At least once, and an idempotent consumer: once.
    EffectivelyOnce,
    /// Neither: a message can be lost and can be processed twice.
    None,
}

impl Guarantee {
    pub const ALL: [Guarantee; 4] = [
        Guarantee::AtMostOnce,
        Guarantee::AtLeastOnce,
        Guarantee::EffectivelyOnce,
        Guarantee::None,
    ];
}

impl Say for AckMode {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => match self {
                AckMode::Auto => "automatic acknowledgement on delivery",
                AckMode::Early => "acknowledged before the work (Celery's default)",
                AckMode::Late => "acknowledged after the work (acks_late)",
            },
            Lang::Zh => match self {
                AckMode::Auto => "投递即自动确认",
                AckMode::Early => "执行前确认（Celery 的默认）",
                AckMode::Late => "执行后确认（acks_late）",
            },
        }
        .to_owned()
    }
}

impl Say for OnFailure {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => match self {
                OnFailure::Ack => "record FAILURE and acknowledge",
                OnFailure::Requeue => "nack and requeue",
                OnFailure::Reject => "reject without requeue (to the dead letters)",
                OnFailure::Retry => "retry after a countdown",
            },
            Lang::Zh => match self {
                OnFailure::Ack => "记为 FAILURE 并确认",
                OnFailure::Requeue => "nack 并重新入队",
                OnFailure::Reject => "拒绝且不重新入队（进入死信）",
                OnFailure::Retry => "倒计时后重试",
            },
        }
        .to_owned()
    }
}

impl Say for Guarantee {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => match self {
                Guarantee::AtMostOnce => "at most once",
                Guarantee::AtLeastOnce => "at least once",
                Guarantee::EffectivelyOnce => "effectively once",
                Guarantee::None => "no guarantee",
            },
            Lang::Zh => match self {
                Guarantee::AtMostOnce => "至多一次",
                Guarantee::AtLeastOnce => "至少一次",
                Guarantee::EffectivelyOnce => "实际上恰好一次",
                Guarantee::None => "没有保证",
            },
        }
        .to_owned()
    }
}

impl Say for TaskState {
    /// Celery's names are code: the same in every language, with a gloss.
    fn say(&self, lang: Lang) -> String {
        let gloss = match lang {
            Lang::En => match self {
                TaskState::Pending => "waiting or unknown",
                TaskState::Started => "running",
                TaskState::Success => "done",
                TaskState::Failure => "failed",
                TaskState::Retry => "to be retried",
            },
            Lang::Zh => match self {
                TaskState::Pending => "等待中或未知",
                TaskState::Started => "执行中",
                TaskState::Success => "已完成",
                TaskState::Failure => "已失败",
                TaskState::Retry => "等待重试",
            },
        };
        match lang {
            Lang::En => format!("{} ({gloss})", self.name()),
            Lang::Zh => format!("{}（{gloss}）", self.name()),
        }
    }
}

impl Say for Outcome {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => match self {
                Outcome::ExactlyOnce => "processed exactly once",
                Outcome::Duplicated => "processed more than once",
                Outcome::Lost => "lost",
                Outcome::DeadLettered => "dead-lettered",
                Outcome::Failed => "failed",
                Outcome::Pending => "still on its way",
            },
            Lang::Zh => match self {
                Outcome::ExactlyOnce => "恰好处理一次",
                Outcome::Duplicated => "被处理了不止一次",
                Outcome::Lost => "丢失",
                Outcome::DeadLettered => "进入死信队列",
                Outcome::Failed => "失败",
                Outcome::Pending => "仍在途中",
            },
        }
        .to_owned()
    }
}

impl Say for Transport {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => match self {
                Transport::Amqp => "AMQP (RabbitMQ): unacknowledged messages return when the connection closes",
                Transport::Redis => "Celery's Redis transport: unacknowledged messages return after the visibility timeout",
            },
            Lang::Zh => match self {
                Transport::Amqp => "AMQP（RabbitMQ）：连接关闭时未确认的消息回到队列",
                Transport::Redis => "Celery 的 Redis 传输：可见性超时过后未确认的消息回到队列",
            },
        }
        .to_owned()
    }
}

impl Say for Overflow {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => match self {
                Overflow::DropHead => "drops its oldest message",
                Overflow::RejectPublish => "refuses the new message (the publisher gets a nack)",
            },
            Lang::Zh => match self {
                Overflow::DropHead => "丢弃最旧的消息",
                Overflow::RejectPublish => "拒绝新消息（发布者收到 nack）",
            },
        }
        .to_owned()
    }
}

impl Say for Refusal {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => match self {
                Refusal::NoQueue => "no such queue",
                Refusal::QueueFull => "the queue is full (reject-publish)",
            },
            Lang::Zh => match self {
                Refusal::NoQueue => "没有这个队列",
                Refusal::QueueFull => "队列已满（reject-publish）",
            },
        }
        .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_says_itself_in_both_languages() {
        let mut all: Vec<Box<dyn Say>> = Vec::new();
        all.extend(AckMode::ALL.map(|x| Box::new(x) as Box<dyn Say>));
        all.extend(OnFailure::ALL.map(|x| Box::new(x) as Box<dyn Say>));
        all.extend(Guarantee::ALL.map(|x| Box::new(x) as Box<dyn Say>));
        all.extend(TaskState::ALL.map(|x| Box::new(x) as Box<dyn Say>));
        all.extend(Outcome::ALL.map(|x| Box::new(x) as Box<dyn Say>));
        for fact in all {
            let en = fact.say(Lang::En);
            let zh = fact.say(Lang::Zh);
            assert!(!en.is_empty() && en != zh);
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
        }
    }
}
