//! Node programs: small state machines that own sockets and call them the
//! way the chapter's Python threads do.
//!
//! A program is a coroutine written by hand. The simulator performs one
//! [`Op`] (one blocking call: send, recv, sleep, print) per step, and feeds
//! its outcome back as a [`Resume`]; the program answers with its next
//! call. A call that cannot complete (a recv with nothing queued, a PUSH
//! send with every pipe full) is simply retried when the socket is ready,
//! exactly like a thread parked in `zmq_send`/`zmq_recv`. Programs never see
//! time or IO, only their results, so they are trivially deterministic.
//!
//! The chapter's five π programs ([`bitsource`], [`always_yes`], [`judge`],
//! [`pythagoras`], [`tally`]) behave as its listing does; the building
//! blocks ([`producer`], [`worker`], [`sink`], [`forwarder`], [`requester`],
//! [`replier`]) make the other presets. An `external` node has no program:
//! its sockets are driven from outside (a test, or a live participant).

pub mod always_yes;
pub mod bitsource;
#[cfg(feature = "reliability")]
pub mod broker;
pub mod dist;
pub mod forwarder;
pub mod judge;
pub mod lazy_pirate;
pub mod producer;
pub mod pythagoras;
pub mod replier;
pub mod requester;
pub mod sink;
pub mod tally;
#[cfg(feature = "reliability")]
pub mod task_producer;
#[cfg(feature = "reliability")]
pub mod task_worker;
pub mod template;
pub mod worker;

use serde::{Deserialize, Serialize};

use super::{ScenarioError, digest::TraceDigest, event::SleepWhy, scenario::ParamProblem};
#[cfg(feature = "reliability")]
use crate::broker::{BrokerSpec, TaskBody, TaskId, client::Delivery};
use crate::{
    rng::SimRng,
    socket::{Msg, Payload, SocketError, SocketId, SocketKind},
    time::Tick,
};

pub use dist::{Dist, DistError};

/// The next blocking call a program makes.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Send {
        socket: SocketId,
        payload: Payload,
    },
    Recv {
        socket: SocketId,
    },
    Sleep {
        ticks: Tick,
        why: SleepWhy,
    },
    Log(LogEntry),
    /// The program is finished.
    Halt,
    /// A recv that gives up after `timeout` (`zmq_poll` with a timeout,
    /// then recv): resumes with the message or [`Resume::TimedOut`].
    Poll {
        socket: SocketId,
        timeout: Tick,
    },
    /// Closes the socket (losing what its pipes hold) and opens a new one
    /// with the same settings, binds and connects: the Lazy Pirate's way
    /// out of a REQ stuck waiting for a reply.
    Reopen {
        socket: SocketId,
    },
    /// A call on the node's broker connection (the task programs: with
    /// the `reliability` feature, as they are).
    #[cfg(feature = "reliability")]
    Broker(BrokerCall),
}

#[cfg(feature = "reliability")]
/// What a task producer or worker asks of its broker connection.
#[derive(Clone, Debug, PartialEq)]
pub enum BrokerCall {
    /// Publish a task (a new one when `task` is `None`, to the program's
    /// queue), with a countdown (a retry's). With `wait_confirm` the call
    /// completes when the broker confirms it.
    Publish {
        task: Option<TaskId>,
        body: TaskBody,
        countdown: Option<Tick>,
        wait_confirm: bool,
    },
    /// Take the next delivery; waits while there is none.
    Take,
    /// Acknowledge, nack or reject a delivery.
    Settle { delivery: Delivery, how: Settle },
    /// The task's side effect (skipped by an idempotent consumer if done).
    Effect { delivery: Delivery },
    /// The handler raised; what the worker does next.
    Fail { delivery: Delivery, then: FailThen },
    /// Wait for the node's live participant: a live worker's handler runs
    /// in the participant's process (`Action::TaskDone` resumes it), a
    /// live producer publishes when told (`Action::Publish`).
    AwaitMember,
}

#[cfg(feature = "reliability")]
/// How a delivery is settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Settle {
    Ack,
    Nack { requeue: bool },
    Reject { requeue: bool },
}

#[cfg(feature = "reliability")]
// Read compactly (see `json::decode_tagged!`); written by the derive.
crate::json::decode_tagged!(Settle by "how" {
    "ack" => Ack,
    "nack" => Nack { requeue },
    "reject" => Reject { requeue },
});

#[cfg(feature = "reliability")]
/// What a worker does after a handler failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "then", rename_all = "snake_case")]
pub enum FailThen {
    /// FAILURE, acknowledged.
    Failure,
    /// Nacked with requeue.
    Requeue,
    /// Rejected without requeue (dead-lettered).
    Reject,
    /// Retried: a copy after `countdown`, its `retries` count.
    Retry { countdown: Tick, retries: u32 },
}

#[cfg(feature = "reliability")]
// Read compactly (see `json::decode_tagged!`); written by the derive.
crate::json::decode_tagged!(FailThen by "then" {
    "failure" => Failure,
    "requeue" => Requeue,
    "reject" => Reject,
    "retry" => Retry { countdown, retries },
});

/// The outcome of the previous call.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Resume {
    #[default]
    Start,
    Sent,
    Received(Msg),
    Woke,
    Logged,
    Failed(SocketError),
    /// A poll's timeout passed with nothing received.
    TimedOut,
    /// The socket was reopened: its new id.
    Reopened(SocketId),
    /// A task was published (and confirmed, if the call waited). This and
    /// the next four answer the task programs' broker calls (with the
    /// `reliability` feature).
    #[cfg(feature = "reliability")]
    Published(TaskId),
    /// A delivery taken from the broker connection.
    #[cfg(feature = "reliability")]
    Delivery(Delivery),
    /// An ack, nack or reject was sent.
    #[cfg(feature = "reliability")]
    Settled,
    /// The side effect ran (`done`), or was skipped as done already.
    #[cfg(feature = "reliability")]
    Effect {
        done: bool,
    },
    /// A failure was recorded.
    #[cfg(feature = "reliability")]
    Noted,
}

/// What a node prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "log", rename_all = "snake_case")]
pub enum LogEntry {
    /// The tally's `print(decision, p / q)`.
    Decision { yes: bool, p: u64, q: u64 },
    /// Anything else worth showing (a malformed message, say).
    Note { text: Payload },
}

// Read compactly (see `json::decode_tagged!`): every room event that
// carries a node's print is read through it on the queue page.
crate::json::decode_tagged!(LogEntry by "log" {
    "decision" => Decision { yes, p, q },
    "note" => Note { text },
});

impl LogEntry {
    pub(crate) fn digest(&self, d: &mut TraceDigest) {
        match self {
            LogEntry::Decision { yes, p, q } => {
                d.word(u64::from(*yes));
                d.word(*p);
                d.word(*q);
            }
            LogEntry::Note { text } => d.bytes(text.as_bytes()),
        }
    }
}

impl std::fmt::Display for LogEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogEntry::Decision { yes, p, q } => {
                // Python prints floats with a ".0" when they are whole.
                let estimate = (*p as f64 / (*q).max(1) as f64).to_string();
                let dot = if estimate.contains(['.', 'e', 'N', 'i']) {
                    ""
                } else {
                    ".0"
                };
                write!(f, "{} {estimate}{dot}", if *yes { 'Y' } else { 'N' })
            }
            LogEntry::Note { text } => f.write_str(text),
        }
    }
}

/// Each program implements this.
pub trait Behaviour {
    fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op;
}

/// Resolves a program's socket role (`"in"`) to the node's socket of that
/// name, checking its type; errors name the node, role and socket.
pub type Resolver<'a> =
    dyn Fn(&'static str, &str, &[SocketKind]) -> Result<SocketId, ScenarioError> + 'a;

/// Which program a node runs, as written in a scenario (`"program": {"kind": …}`).
/// Read by the derive without the `reliability` feature, compactly with it
/// (`ProgramSpec::from_fields`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(not(feature = "reliability"), derive(Deserialize))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProgramSpec {
    Bitsource(bitsource::BitsourceSpec),
    AlwaysYes(always_yes::AlwaysYesSpec),
    Judge(judge::JudgeSpec),
    Pythagoras(pythagoras::PythagorasSpec),
    Tally(tally::TallySpec),
    Producer(producer::ProducerSpec),
    Worker(worker::WorkerSpec),
    Sink(sink::SinkSpec),
    Forwarder(forwarder::ForwarderSpec),
    Requester(requester::RequesterSpec),
    Replier(replier::ReplierSpec),
    LazyPirate(lazy_pirate::LazyPirateSpec),
    // The broker and the task programs are the reliability engine's
    // (issue 14): with the `reliability` feature only, like every arm that
    // names them below. Without it a scenario naming them is refused as an
    // unknown program kind.
    #[cfg(feature = "reliability")]
    Broker(BrokerSpec),
    #[cfg(feature = "reliability")]
    TaskProducer(task_producer::TaskProducerSpec),
    #[cfg(feature = "reliability")]
    TaskWorker(task_worker::TaskWorkerSpec),
    /// No program: the node's sockets are driven by `send`/`recv` actions.
    External,
}

/// A running program.
#[derive(Clone, Debug)]
pub enum Program {
    Bitsource(bitsource::Bitsource),
    AlwaysYes(always_yes::AlwaysYes),
    Judge(judge::Judge),
    Pythagoras(pythagoras::Pythagoras),
    Tally(tally::Tally),
    Producer(producer::Producer),
    Worker(worker::Worker),
    Sink(sink::Sink),
    Forwarder(forwarder::Forwarder),
    Requester(requester::Requester),
    Replier(replier::Replier),
    LazyPirate(lazy_pirate::LazyPirate),
    /// The broker's state (boxed: it is much larger than a program).
    #[cfg(feature = "reliability")]
    Broker(Box<crate::broker::Broker>),
    #[cfg(feature = "reliability")]
    TaskProducer(task_producer::TaskProducer),
    #[cfg(feature = "reliability")]
    TaskWorker(task_worker::TaskWorker),
    External,
}

// With the reliability engine (its page and the server), a program spec is
// read without serde's buffered internally tagged derive, whose visitors for
// every spec, once per input format, were the largest part of the
// reliability page's excess over its size budget: the map is read once
// (`json::TaggedFields`) and the variant's spec from the rest of it, by the
// spec's own derive (so its fields, defaults and `deny_unknown_fields` are
// as before). Written by the derive above; every kind is round-trip tested
// (`tests::every_program_kind_reads_back`). The queue page keeps the derive.
#[cfg(feature = "reliability")]
impl<'de> Deserialize<'de> for ProgramSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = crate::json::TaggedFields::read(deserializer, "kind")?;
        ProgramSpec::from_fields(fields).map_err(serde::de::Error::custom)
    }
}

/// The `kind`s of the reliability engine's programs, known with or without
/// the `reliability` feature: a page built without it reads them in a
/// room's topology (`NodeView::program`) to tell it cannot show that room.
pub const RELIABILITY_KINDS: [&str; 3] = ["broker", "task_producer", "task_worker"];

#[cfg(feature = "reliability")]
impl ProgramSpec {
    /// The kinds read, one per variant, as serde writes them.
    pub(crate) const KINDS: &'static [&'static str] = &[
        "bitsource",
        "always_yes",
        "judge",
        "pythagoras",
        "tally",
        "producer",
        "worker",
        "sink",
        "forwarder",
        "requester",
        "replier",
        "lazy_pirate",
        "broker",
        "task_producer",
        "task_worker",
        "external",
    ];

    fn from_fields(fields: crate::json::TaggedFields) -> Result<Self, String> {
        // Every variant is listed (this match is exhaustive).
        let _ = |spec: &ProgramSpec| match spec {
            ProgramSpec::Bitsource(_)
            | ProgramSpec::AlwaysYes(_)
            | ProgramSpec::Judge(_)
            | ProgramSpec::Pythagoras(_)
            | ProgramSpec::Tally(_)
            | ProgramSpec::Producer(_)
            | ProgramSpec::Worker(_)
            | ProgramSpec::Sink(_)
            | ProgramSpec::Forwarder(_)
            | ProgramSpec::Requester(_)
            | ProgramSpec::Replier(_)
            | ProgramSpec::LazyPirate(_)
            | ProgramSpec::Broker(_)
            | ProgramSpec::TaskProducer(_)
            | ProgramSpec::TaskWorker(_)
            | ProgramSpec::External => (),
        };
        Ok(match fields.tag() {
            "bitsource" => ProgramSpec::Bitsource(fields.into_struct()?),
            "always_yes" => ProgramSpec::AlwaysYes(fields.into_struct()?),
            "judge" => ProgramSpec::Judge(fields.into_struct()?),
            "pythagoras" => ProgramSpec::Pythagoras(fields.into_struct()?),
            "tally" => ProgramSpec::Tally(fields.into_struct()?),
            "producer" => ProgramSpec::Producer(fields.into_struct()?),
            "worker" => ProgramSpec::Worker(fields.into_struct()?),
            "sink" => ProgramSpec::Sink(fields.into_struct()?),
            "forwarder" => ProgramSpec::Forwarder(fields.into_struct()?),
            "requester" => ProgramSpec::Requester(fields.into_struct()?),
            "replier" => ProgramSpec::Replier(fields.into_struct()?),
            "lazy_pirate" => ProgramSpec::LazyPirate(fields.into_struct()?),
            "broker" => ProgramSpec::Broker(fields.into_struct()?),
            "task_producer" => ProgramSpec::TaskProducer(fields.into_struct()?),
            "task_worker" => ProgramSpec::TaskWorker(fields.into_struct()?),
            "external" => {
                fields.into_unit()?;
                ProgramSpec::External
            }
            _ => return Err(fields.unknown(Self::KINDS)),
        })
    }
}

impl ProgramSpec {
    pub fn kind_name(&self) -> &'static str {
        match self {
            ProgramSpec::Bitsource(_) => "bitsource",
            ProgramSpec::AlwaysYes(_) => "always_yes",
            ProgramSpec::Judge(_) => "judge",
            ProgramSpec::Pythagoras(_) => "pythagoras",
            ProgramSpec::Tally(_) => "tally",
            ProgramSpec::Producer(_) => "producer",
            ProgramSpec::Worker(_) => "worker",
            ProgramSpec::Sink(_) => "sink",
            ProgramSpec::Forwarder(_) => "forwarder",
            ProgramSpec::Requester(_) => "requester",
            ProgramSpec::Replier(_) => "replier",
            ProgramSpec::LazyPirate(_) => "lazy_pirate",
            #[cfg(feature = "reliability")]
            ProgramSpec::Broker(_) => "broker",
            #[cfg(feature = "reliability")]
            ProgramSpec::TaskProducer(_) => "task_producer",
            #[cfg(feature = "reliability")]
            ProgramSpec::TaskWorker(_) => "task_worker",
            ProgramSpec::External => "external",
        }
    }

    /// A program of the reliability engine (a broker, a task producer or
    /// worker): live rooms refuse these for now. Their `kind`s are
    /// [`RELIABILITY_KINDS`].
    pub fn is_reliability(&self) -> bool {
        match self {
            #[cfg(feature = "reliability")]
            ProgramSpec::Broker(_) | ProgramSpec::TaskProducer(_) | ProgramSpec::TaskWorker(_) => {
                true
            }
            _ => false,
        }
    }

    /// A task program whose work its live participant does (`"live":
    /// true`): what a room's member may add besides sockets.
    pub fn is_live_task(&self) -> bool {
        match self {
            #[cfg(feature = "reliability")]
            ProgramSpec::TaskProducer(p) => p.live,
            #[cfg(feature = "reliability")]
            ProgramSpec::TaskWorker(w) => w.live,
            _ => false,
        }
    }

    /// Checks the parameters and binds the program to the node's sockets.
    pub fn build(&self, node: &str, resolve: &Resolver<'_>) -> Result<Program, ScenarioError> {
        Ok(match self {
            ProgramSpec::Bitsource(s) => Program::Bitsource(s.build(node, resolve)?),
            ProgramSpec::AlwaysYes(s) => Program::AlwaysYes(s.build(resolve)?),
            ProgramSpec::Judge(s) => Program::Judge(s.build(node, resolve)?),
            ProgramSpec::Pythagoras(s) => Program::Pythagoras(s.build(resolve)?),
            ProgramSpec::Tally(s) => Program::Tally(s.build(resolve)?),
            ProgramSpec::Producer(s) => Program::Producer(s.build(node, resolve)?),
            ProgramSpec::Worker(s) => Program::Worker(s.build(node, resolve)?),
            ProgramSpec::Sink(s) => Program::Sink(s.build(resolve)?),
            ProgramSpec::Forwarder(s) => Program::Forwarder(s.build(node, resolve)?),
            ProgramSpec::Requester(s) => Program::Requester(s.build(node, resolve)?),
            ProgramSpec::Replier(s) => Program::Replier(s.build(node, resolve)?),
            ProgramSpec::LazyPirate(s) => Program::LazyPirate(s.build(node, resolve)?),
            #[cfg(feature = "reliability")]
            ProgramSpec::Broker(s) => Program::Broker(Box::new(broker::build(node, s)?)),
            #[cfg(feature = "reliability")]
            ProgramSpec::TaskProducer(s) => Program::TaskProducer(s.build(node)?),
            #[cfg(feature = "reliability")]
            ProgramSpec::TaskWorker(s) => Program::TaskWorker(s.build()?),
            ProgramSpec::External => Program::External,
        })
    }
}

impl Program {
    pub fn resume(&mut self, outcome: Resume, rng: &mut SimRng) -> Op {
        match self {
            Program::Bitsource(p) => p.resume(outcome, rng),
            Program::AlwaysYes(p) => p.resume(outcome, rng),
            Program::Judge(p) => p.resume(outcome, rng),
            Program::Pythagoras(p) => p.resume(outcome, rng),
            Program::Tally(p) => p.resume(outcome, rng),
            Program::Producer(p) => p.resume(outcome, rng),
            Program::Worker(p) => p.resume(outcome, rng),
            Program::Sink(p) => p.resume(outcome, rng),
            Program::Forwarder(p) => p.resume(outcome, rng),
            Program::Requester(p) => p.resume(outcome, rng),
            Program::Replier(p) => p.resume(outcome, rng),
            Program::LazyPirate(p) => p.resume(outcome, rng),
            #[cfg(feature = "reliability")]
            Program::TaskProducer(p) => p.resume(outcome, rng),
            #[cfg(feature = "reliability")]
            Program::TaskWorker(p) => p.resume(outcome, rng),
            #[cfg(feature = "reliability")]
            Program::Broker(_) => Op::Halt,
            Program::External => Op::Halt,
        }
    }

    pub fn is_external(&self) -> bool {
        matches!(self, Program::External)
    }

    /// A node that takes no turns of its own: external nodes (driven from
    /// outside) and brokers (driven by the frames they receive).
    pub fn is_passive(&self) -> bool {
        match self {
            Program::External => true,
            #[cfg(feature = "reliability")]
            Program::Broker(_) => true,
            _ => false,
        }
    }

    /// A task producer or worker: it talks over a broker connection, not
    /// sockets.
    pub fn is_broker_client(&self) -> bool {
        match self {
            #[cfg(feature = "reliability")]
            Program::TaskProducer(_) | Program::TaskWorker(_) => true,
            _ => false,
        }
    }

    /// The sockets this program calls (so removing one is refused).
    pub fn uses(&self, socket: SocketId) -> bool {
        match self {
            Program::Bitsource(p) => p.out == socket,
            Program::AlwaysYes(p) => p.input == socket || p.out == socket,
            Program::Judge(p) => p.input == socket || p.ask == socket || p.out == socket,
            Program::Pythagoras(p) => p.socket == socket,
            Program::Tally(p) => p.input == socket,
            Program::Producer(p) => p.out == socket,
            Program::Worker(p) => p.input == socket || p.out == Some(socket),
            Program::Sink(p) => p.input == socket,
            Program::Forwarder(p) => p.input == socket || p.out == socket,
            Program::Requester(p) => p.socket == socket,
            Program::Replier(p) => p.socket == socket,
            Program::LazyPirate(p) => p.socket == socket,
            #[cfg(feature = "reliability")]
            Program::Broker(_) | Program::TaskProducer(_) | Program::TaskWorker(_) => false,
            Program::External => false,
        }
    }

    /// The pause between messages, for programs that have one.
    pub fn interval(&self) -> Option<Dist> {
        match self {
            Program::Bitsource(p) => Some(p.interval),
            Program::Producer(p) => Some(p.interval),
            Program::Requester(p) => Some(p.interval),
            #[cfg(feature = "reliability")]
            Program::TaskProducer(p) => Some(p.interval),
            Program::LazyPirate(p) => Some(p.spec.interval),
            _ => None,
        }
    }

    /// The time spent on each message, for programs that have one.
    pub fn service(&self) -> Option<Dist> {
        match self {
            Program::Pythagoras(p) => Some(p.service),
            Program::Worker(p) => Some(p.service),
            Program::Sink(p) => Some(p.service),
            Program::Replier(p) => Some(p.service),
            #[cfg(feature = "reliability")]
            Program::TaskWorker(w) => w.spec.service,
            _ => None,
        }
    }

    /// Changes the pause between messages (producers); `false` if this
    /// program has none.
    pub fn set_interval(&mut self, interval: Dist) -> bool {
        match self {
            Program::Bitsource(p) => {
                p.interval = interval;
                true
            }
            Program::Producer(p) => {
                p.interval = interval;
                true
            }
            Program::Requester(p) => {
                p.interval = interval;
                true
            }
            #[cfg(feature = "reliability")]
            Program::TaskProducer(p) => {
                p.interval = interval;
                true
            }
            Program::LazyPirate(p) => {
                p.spec.interval = interval;
                true
            }
            _ => false,
        }
    }

    /// Changes the time spent on each message; `false` if this program has
    /// none.
    pub fn set_service(&mut self, service: Dist) -> bool {
        match self {
            Program::Pythagoras(p) => {
                p.service = service;
                true
            }
            Program::Worker(p) => {
                p.service = service;
                true
            }
            Program::Sink(p) => {
                p.service = service;
                true
            }
            Program::Replier(p) => {
                p.service = service;
                true
            }
            #[cfg(feature = "reliability")]
            Program::TaskWorker(w) => {
                w.spec.service = Some(service);
                true
            }
            _ => false,
        }
    }

    /// The tally's counts, if this is a tally.
    pub fn tally(&self) -> Option<&tally::Tally> {
        match self {
            Program::Tally(t) => Some(t),
            _ => None,
        }
    }
}

/// Default socket names, shared by the program specs' serde defaults.
pub(crate) fn name_in() -> String {
    "in".into()
}
pub(crate) fn name_out() -> String {
    "out".into()
}

/// Refuses a pause that is always zero on a node that never stops: it
/// would send forever without simulated time passing.
pub(crate) fn check_interval(
    node: &str,
    interval: &Dist,
    count: Option<u64>,
) -> Result<(), ScenarioError> {
    if interval.is_zero() && count.is_none() {
        return Err(ScenarioError::BadParam {
            node: node.to_string(),
            param: "interval".into(),
            socket: None,
            problem: ParamProblem::EndlessZeroInterval,
        });
    }
    Ok(())
}

/// A sleep, or `None` when the drawn time is zero (no event for nothing).
pub(crate) fn sleep(ticks: Tick, why: SleepWhy) -> Option<Op> {
    (ticks > Tick::ZERO).then_some(Op::Sleep { ticks, why })
}

// What the reliability engine asks of programs (`sim/broker_net.rs`,
// `sim/fault.rs`): with the `reliability` feature only.
#[cfg(feature = "reliability")]
impl Program {
    /// The broker's state, for a broker node.
    pub fn broker(&self) -> Option<&crate::broker::Broker> {
        match self {
            Program::Broker(b) => Some(b),
            _ => None,
        }
    }

    pub fn broker_mut(&mut self) -> Option<&mut crate::broker::Broker> {
        match self {
            Program::Broker(b) => Some(b),
            _ => None,
        }
    }

    /// How a task producer or worker uses its broker connection.
    pub fn broker_client(&self) -> Option<ClientConfig<'_>> {
        match self {
            Program::TaskProducer(p) => Some(ClientConfig {
                broker: &p.spec.broker,
                queue: &p.spec.queue,
                consume: None,
                persistent: p.spec.persistent,
                confirms: p.spec.confirms,
                max_unconfirmed: p.spec.max_unconfirmed,
                republish_after: p.spec.republish_after,
            }),
            Program::TaskWorker(w) => Some(ClientConfig {
                broker: &w.spec.broker,
                queue: &w.spec.queue,
                consume: Some((w.spec.prefetch, w.spec.ack)),
                persistent: true,
                confirms: true,
                max_unconfirmed: None,
                republish_after: None,
            }),
            _ => None,
        }
    }

    /// The delivery a worker is working on (it vanishes if the node crashes).
    pub fn current_task(&self) -> Option<TaskId> {
        match self {
            Program::TaskWorker(w) => w.current.as_ref().map(|d| d.task),
            _ => None,
        }
    }
}

#[cfg(feature = "reliability")]
/// What the engine needs to know of a broker client program.
#[derive(Clone, Copy, Debug)]
pub struct ClientConfig<'a> {
    pub broker: &'a str,
    pub queue: &'a str,
    /// A worker: its prefetch and when it acknowledges.
    pub consume: Option<(u32, crate::broker::AckMode)>,
    pub persistent: bool,
    pub confirms: bool,
    pub max_unconfirmed: Option<u32>,
    pub republish_after: Option<Tick>,
}

#[cfg(all(test, feature = "reliability"))]
mod tests {
    use super::ProgramSpec;
    use crate::sim::{Scenario, presets::Preset};

    /// Every program kind, taken from the presets (plus `external` and
    /// `forwarder`, which none runs), is written by the derive and read back by the compact
    /// reader as itself, from a value and from text; the kinds read are
    /// exactly the kinds serde writes.
    #[test]
    fn every_program_kind_reads_back() {
        let forwarder: ProgramSpec = serde_json::from_str(r#"{"kind": "forwarder"}"#).unwrap();
        let mut samples: Vec<ProgramSpec> = vec![ProgramSpec::External, forwarder];
        for preset in Preset::ALL {
            let scenario = Scenario::from_json(preset.text()).unwrap();
            for node in scenario.nodes {
                if !samples
                    .iter()
                    .any(|s| s.kind_name() == node.program.kind_name())
                {
                    samples.push(node.program);
                }
            }
        }
        crate::json::assert_every_variant_round_trips(&samples, "kind", ProgramSpec::KINDS);
        // The kinds a page without the engine tells apart are exactly the
        // engine's programs'.
        let engine: std::collections::BTreeSet<_> = samples
            .iter()
            .filter(|s| s.is_reliability())
            .map(|s| s.kind_name())
            .collect();
        assert_eq!(engine, super::RELIABILITY_KINDS.into_iter().collect());
    }

    /// What the derive refused, this reader refuses, in serde's words: an
    /// unknown kind, a missing kind, a field the spec does not have, a
    /// field beside `external`.
    #[test]
    fn program_mistakes_say_themselves_as_before() {
        let e = serde_json::from_str::<ProgramSpec>(r#"{"kind": "sinkk"}"#).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("unknown variant `sinkk`, expected one of `bitsource`"),
            "{e}"
        );
        let e = serde_json::from_str::<ProgramSpec>(r#"{"service": "1ms"}"#).unwrap_err();
        assert!(e.to_string().starts_with("missing field `kind`"), "{e}");
        let e = serde_json::from_str::<ProgramSpec>(r#"{"kind": "sink", "servise": "1ms"}"#)
            .unwrap_err();
        assert!(e.to_string().starts_with("unknown field `servise`"), "{e}");
        let e = serde_json::from_str::<ProgramSpec>(r#"{"kind": "external", "x": 1}"#).unwrap_err();
        assert!(e.to_string().starts_with("unknown field `x`"), "{e}");
    }
}
