//! [`TasksView`]: what a Celery app is doing with a Redis node, read from
//! the node's events (`crate::redis::event`) alone, the same way in the
//! browser and in tests.
//!
//! The view mirrors the few keys kombu and Celery use: one list per queue
//! (`celery`, and `celery\x06\x163` … for priorities), the `unacked` hash
//! (delivery tag → `[message, exchange, routing_key]`) and its
//! `unacked_index` sorted set (delivery tag → the time the visibility
//! deadline counts from), the `celery-task-meta-<id>` results, and the
//! worker events published on `celeryev`. A watcher that joins late is
//! first given the node's current contents as events
//! ([`snapshot_events`]), so there is one way in.
//!
//! Time comes with each batch (`at`, unix ms, the server's clock when it
//! sent it); the view itself reads no clock.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::message::{
    RESULT_PREFIX, StoredResult, TaskMessage, TaskState, celery_event, is_event_channel,
    stored_result, task_message,
};
use crate::redis::{Event, EventKind, Redis, keyspace::Value};

/// kombu's hash of reserved, unacknowledged messages.
pub const UNACKED: &str = "unacked";
/// kombu's sorted set of the same delivery tags, scored by the time
/// (unix seconds) each was reserved.
pub const UNACKED_INDEX: &str = "unacked_index";
/// kombu's separator before a priority suffix (`celery\x06\x163`).
pub const PRIORITY_SEPARATOR: &str = "\u{6}\u{16}";
/// kombu's sets of bindings, one per exchange.
pub const BINDING_PREFIX: &str = "_kombu.binding.";
/// kombu's default `visibility_timeout` (one hour).
pub const DEFAULT_VISIBILITY_MS: u64 = 3_600_000;
/// A worker not heard from for this many heartbeat periods is shown as
/// lost (Flower and Celery's own `state` use the same rule of thumb).
pub const HEARTBEAT_PERIODS_ALIVE: f64 = 2.0;

/// Whether `worker` was heard from recently enough at `at` to count as
/// alive (within [`HEARTBEAT_PERIODS_ALIVE`] periods, plus a second).
fn alive_at(worker: &WorkerFacts, at: u64) -> bool {
    let silence = at.saturating_sub(worker.last_seen) as f64;
    silence <= worker.freq * 1000.0 * HEARTBEAT_PERIODS_ALIVE + 1000.0
}

/// At most this many messages of one queue are kept (the rest counted).
pub const MAX_QUEUE_MESSAGES: usize = 200;
/// At most this many tasks' journeys and results are kept, oldest first
/// out.
pub const MAX_TASKS: usize = 300;
/// The most steps one task's journey keeps.
pub const MAX_STEPS: usize = 24;
/// The most events a snapshot carries.
pub const MAX_SNAPSHOT_EVENTS: usize = 5_000;

/// One step of a task's journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Pushed onto a queue's list.
    Queued,
    /// Popped by a worker and parked in `unacked`.
    Reserved,
    /// Removed from `unacked`: acknowledged.
    Acknowledged,
    /// Put back on its queue from `unacked` (visibility timeout passed,
    /// or a worker shutting down).
    Restored,
    /// Sent again with a countdown (`self.retry(countdown=…)`).
    RetryScheduled,
    /// A worker's `task-received` event (workers started with `-E`).
    Received,
    /// A worker's `task-started` event (`-E`).
    Started,
    /// Its result was stored with this state.
    Result(TaskState),
}

/// A step and when it was seen (unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub step: Step,
    pub at: u64,
}

/// Everything known about one task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFacts {
    pub message: TaskMessage,
    pub steps: Vec<Seen>,
    /// The worker that reserved or ran it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
    /// The worker was not named by an event: it was the only one alive
    /// when the task was reserved (workers started without `-E` send
    /// heartbeats but no task events).
    #[serde(default)]
    pub worker_inferred: bool,
    /// Its stored result, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<StoredResult>,
    /// Times it was restored after being reserved.
    pub restored: u32,
    /// When its latest reservation was made, as kombu scored it in
    /// `unacked_index` (the worker's clock, unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_ms: Option<u64>,
    /// What the worker's `task-succeeded` / `task-failed` event said
    /// (workers started with `-E`): when, and its `runtime`, in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_event_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_event_ms: Option<u64>,
}

/// A time (unix ms) or a duration (ms) in [`TaskTimes`], and whether it
/// was derived from the broker's traffic rather than reported by the
/// worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeFact {
    pub ms: u64,
    /// Not reported by the worker: read off the broker (a reservation in
    /// `unacked`), or computed from such a time.
    pub derived: bool,
}

impl TimeFact {
    fn reported(ms: u64) -> TimeFact {
        TimeFact { ms, derived: false }
    }

    fn derived(ms: u64) -> TimeFact {
        TimeFact { ms, derived: true }
    }
}

/// Flower's columns for a task's latest run: when a worker received it,
/// started it and finished it, and how long it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaskTimes {
    pub received: Option<TimeFact>,
    pub started: Option<TimeFact>,
    pub finished: Option<TimeFact>,
    /// Flower's runtime: started to finished, as the worker measured it.
    pub runtime: Option<TimeFact>,
}

/// A task's received, started and finished times and its runtime, as
/// Flower shows them. With worker events (`celery worker -E`) they are
/// the worker's own: `task-received`, `task-started`, `task-succeeded`
/// (with its `runtime`). Without events a worker reports only its result,
/// whose `date_done` is the finish; the rest is derived, and marked so:
/// received is the reservation (the moment the worker took the message
/// into `unacked`, kombu's score), started is the reservation or the eta
/// if later (a solo worker starts what it reserved at once unless it
/// must wait), known only once the task has finished, and the runtime is
/// finished minus that start.
pub fn task_times(facts: &TaskFacts) -> TaskTimes {
    let mut times = TaskTimes::default();
    let last_reservation = facts
        .steps
        .iter()
        .rposition(|seen| seen.step == Step::Reserved);
    for (index, seen) in facts.steps.iter().enumerate() {
        match seen.step {
            Step::Reserved => {
                let at = match facts.reserved_ms {
                    Some(ms) if Some(index) == last_reservation => ms,
                    _ => seen.at,
                };
                times.received = Some(TimeFact::derived(at));
                times.started = None;
                times.finished = None;
            }
            Step::Received => {
                times.received = Some(TimeFact::reported(seen.at));
                times.started = None;
                times.finished = None;
            }
            Step::Started => times.started = Some(TimeFact::reported(seen.at)),
            Step::Result(state) if is_ready(state) => {
                let done = facts.result.as_ref().and_then(|result| result.done_ms);
                times.finished = Some(match (facts.finished_event_ms, done) {
                    (Some(ms), _) | (None, Some(ms)) => TimeFact::reported(ms),
                    (None, None) => TimeFact::derived(seen.at),
                });
            }
            Step::RetryScheduled => {
                // The next run starts over.
                times.received = None;
                times.started = None;
            }
            _ => {}
        }
    }
    // A `task-succeeded` event may come before the result is seen (or
    // with results ignored); one from before this run's receipt is not
    // this run's.
    if times.finished.is_none()
        && let Some(ms) = facts.finished_event_ms
        && times.received.is_none_or(|received| received.ms <= ms)
    {
        times.finished = Some(TimeFact::reported(ms));
    }
    let Some(finished) = times.finished else {
        return times;
    };
    if times.started.is_none()
        && let Some(received) = times.received
    {
        let eta = facts.message.eta_ms.unwrap_or(0);
        times.started = Some(TimeFact::derived(received.ms.max(eta).min(finished.ms)));
    }
    times.runtime = match (facts.runtime_event_ms, times.started) {
        (Some(ms), _) => Some(TimeFact::reported(ms)),
        (None, Some(started)) => Some(TimeFact {
            ms: finished.ms.saturating_sub(started.ms),
            derived: started.derived || finished.derived,
        }),
        (None, None) => None,
    };
    times
}

/// Celery's `READY_STATES`: the task will not run again.
fn is_ready(state: TaskState) -> bool {
    matches!(
        state,
        TaskState::Success | TaskState::Failure | TaskState::Revoked
    )
}

/// A message sitting in a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Queued {
    raw: String,
    message: Option<TaskMessage>,
}

/// One queue as the view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFacts {
    pub db: u8,
    /// kombu's queue name (the priority suffix removed).
    pub name: String,
    /// The priority list (0 for the plain key, 3, 6, 9).
    pub priority: u8,
    /// Oldest push first. Messages whose task could not be read show as
    /// `None`.
    pub messages: Vec<Option<TaskMessage>>,
    /// Messages past [`MAX_QUEUE_MESSAGES`].
    pub more: usize,
}

/// A reserved, unacknowledged message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservedFacts {
    pub db: u8,
    pub delivery_tag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<TaskMessage>,
    /// When it was reserved (the `unacked_index` score), unix ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_at: Option<u64>,
    /// When kombu's restore will put it back unless acknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
    /// The worker is the only one seen, not named by an event.
    pub worker_inferred: bool,
}

/// Where a task waiting for its countdown is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeldIn {
    /// Still on its queue.
    Queue,
    /// Reserved by a worker, which holds it until its eta.
    Unacked,
}

/// A task that must not run before its eta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingFacts {
    pub message: TaskMessage,
    pub eta: u64,
    pub held_in: HeldIn,
}

/// A worker, from its `worker-*` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerFacts {
    pub hostname: String,
    pub status: WorkerStatus,
    /// When it was last heard from (unix ms, the node's clock).
    pub last_seen: u64,
    /// Its heartbeat period in seconds (`freq`).
    pub freq: f64,
    /// Tasks it is running, and has run, by its own count.
    pub active: u64,
    pub processed: u64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub software: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerStatus {
    Online,
    /// No heartbeat for [`HEARTBEAT_PERIODS_ALIVE`] periods.
    Lost,
    /// It said goodbye (`worker-offline`).
    Offline,
}

/// The view's state.
#[derive(Debug, Clone)]
pub struct TasksView {
    visibility_ms: u64,
    queues: BTreeMap<(u8, String), (VecDeque<Queued>, usize)>,
    unacked: BTreeMap<(u8, String), Option<TaskMessage>>,
    reserved_at: BTreeMap<(u8, String), u64>,
    tasks: BTreeMap<String, TaskFacts>,
    /// Task ids, oldest first, to forget the oldest past [`MAX_TASKS`].
    order: VecDeque<String>,
    workers: BTreeMap<String, WorkerFacts>,
    /// The time of the latest batch.
    now: u64,
}

impl Default for TasksView {
    fn default() -> Self {
        TasksView::new(DEFAULT_VISIBILITY_MS)
    }
}

impl TasksView {
    /// An empty view; `visibility_ms` is the app's
    /// `broker_transport_options["visibility_timeout"]` (the node cannot
    /// see it: only the app knows).
    pub fn new(visibility_ms: u64) -> TasksView {
        TasksView {
            visibility_ms,
            queues: BTreeMap::new(),
            unacked: BTreeMap::new(),
            reserved_at: BTreeMap::new(),
            tasks: BTreeMap::new(),
            order: VecDeque::new(),
            workers: BTreeMap::new(),
            now: 0,
        }
    }

    pub fn visibility_ms(&self) -> u64 {
        self.visibility_ms
    }

    pub fn set_visibility_ms(&mut self, visibility_ms: u64) {
        self.visibility_ms = visibility_ms;
    }

    /// Forgets the node's contents (before a snapshot), keeping the
    /// journeys and workers already seen.
    pub fn reset_contents(&mut self) {
        self.queues.clear();
        self.unacked.clear();
        self.reserved_at.clear();
    }

    /// The time of the latest batch applied.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Applies a batch of events that happened by `at` (unix ms).
    pub fn apply_all<'a>(&mut self, events: impl IntoIterator<Item = &'a Event>, at: u64) {
        for event in events {
            self.apply(event, at);
        }
    }

    /// Applies one event seen at `at` (unix ms).
    pub fn apply(&mut self, event: &Event, at: u64) {
        self.now = self.now.max(at);
        let key = (event.db, event.key.clone());
        match event.kind {
            EventKind::Push => {
                let message = task_message(&event.value);
                let known_queue = self.queues.contains_key(&key);
                if message.is_none() && !known_queue {
                    return; // a pidbox command, a reply: not a task queue
                }
                if let Some(message) = &message {
                    self.pushed(message, at);
                }
                let (list, more) = self.queues.entry(key).or_default();
                if list.len() < MAX_QUEUE_MESSAGES {
                    list.push_back(Queued {
                        raw: event.value.clone(),
                        message,
                    });
                } else {
                    *more += 1;
                }
            }
            EventKind::Pop | EventKind::Serve => {
                if let Some((list, more)) = self.queues.get_mut(&key) {
                    if let Some(index) = list.iter().position(|queued| queued.raw == event.value) {
                        list.remove(index);
                    } else if *more > 0 {
                        *more -= 1;
                    }
                }
            }
            EventKind::ListRemove => {
                // LREM/LTRIM: which elements went is not in the event; the
                // next snapshot corrects the list.
                if let Some((list, _)) = self.queues.get_mut(&key)
                    && !event.value.is_empty()
                {
                    list.retain(|queued| queued.raw != event.value);
                }
            }
            EventKind::HashSet if event.key == UNACKED => {
                let tag = (event.db, event.field.clone());
                let message = task_message(&event.value);
                if let Some(message) = &message {
                    self.step(message, Step::Reserved, at);
                    let reserved_ms = self.reserved_at.get(&tag).copied();
                    self.task(message).reserved_ms = reserved_ms;
                    // A new reservation replaces an inferred worker: a task
                    // restored from a dead worker is run by another one. With
                    // no single live worker to name, say none rather than the
                    // old one.
                    let only = self.only_worker(at);
                    let facts = self.task(message);
                    if facts.worker.is_none() || facts.worker_inferred {
                        facts.worker_inferred = only.is_some();
                        facts.worker = only;
                    }
                }
                self.unacked.insert(tag, message);
            }
            EventKind::HashDelete if event.key == UNACKED => {
                let tag = (event.db, event.field.clone());
                if let Some(Some(message)) = self.unacked.remove(&tag) {
                    self.step(&message, Step::Acknowledged, at);
                }
            }
            EventKind::ZAdd if event.key == UNACKED_INDEX => {
                if let Ok(seconds) = event.value.parse::<f64>() {
                    let tag = (event.db, event.field.clone());
                    let ms = (seconds * 1000.0) as u64;
                    // A snapshot may give the entry before its score.
                    if let Some(Some(message)) = self.unacked.get(&tag).cloned()
                        && let Some(facts) = self.tasks.get_mut(&message.id)
                    {
                        facts.reserved_ms = Some(ms);
                    }
                    self.reserved_at.insert(tag, ms);
                }
            }
            EventKind::ZRemove if event.key == UNACKED_INDEX => {
                self.reserved_at.remove(&(event.db, event.field.clone()));
            }
            EventKind::Set => {
                if let Some(id) = event.key.strip_prefix(RESULT_PREFIX)
                    && let Some(result) = stored_result(&event.value)
                {
                    self.stored(id, result, at);
                }
            }
            EventKind::SetAdd => {
                if let Some(queue) = bound_queue(&event.key, &event.field) {
                    self.queues.entry((event.db, queue)).or_default();
                }
            }
            EventKind::Delete | EventKind::Expire | EventKind::Evict => {
                if let Some((list, more)) = self.queues.get_mut(&key) {
                    list.clear();
                    *more = 0;
                }
                if event.key == UNACKED {
                    self.unacked.retain(|(db, _), _| *db != event.db);
                } else if event.key == UNACKED_INDEX {
                    self.reserved_at.retain(|(db, _), _| *db != event.db);
                }
            }
            EventKind::Flush => {
                for ((db, _), (list, more)) in &mut self.queues {
                    if *db == event.db {
                        list.clear();
                        *more = 0;
                    }
                }
                self.unacked.retain(|(db, _), _| *db != event.db);
                self.reserved_at.retain(|(db, _), _| *db != event.db);
            }
            EventKind::Publish if is_event_channel(&event.key) => {
                if let Some(celery) = celery_event(&event.value) {
                    self.celery_event(celery, at);
                }
            }
            _ => {}
        }
    }

    /// A task message was pushed: queued for the first time, sent again
    /// as a retry, or put back from `unacked`.
    fn pushed(&mut self, message: &TaskMessage, at: u64) {
        let previous = self
            .tasks
            .get(&message.id)
            .map(|facts| (facts.message.retries, facts.steps.last().map(|s| s.step)));
        let step = match previous {
            Some((retries, _)) if message.retries > retries => Step::RetryScheduled,
            Some((_, Some(Step::Acknowledged | Step::Reserved))) => Step::Restored,
            _ => Step::Queued,
        };
        if step == Step::Restored {
            // kombu's restore removes the entry (ZREM, HDEL) and pushes it
            // back in one transaction: the HDEL was no acknowledgement.
            let facts = self.task(message);
            if facts.steps.last().map(|s| s.step) == Some(Step::Acknowledged) {
                facts.steps.pop();
            }
            facts.restored += 1;
        }
        self.step(message, step, at);
    }

    fn stored(&mut self, id: &str, result: StoredResult, at: u64) {
        let state = result.state;
        if !self.tasks.contains_key(id) {
            self.remember(TaskMessage {
                id: id.to_owned(),
                ..TaskMessage::default()
            });
        }
        if let Some(facts) = self.tasks.get_mut(id) {
            facts.result = Some(result);
            push_step(facts, Step::Result(state), at);
        }
    }

    fn celery_event(&mut self, event: super::message::CeleryEvent, at: u64) {
        let number = |name: &str| event.fields.get(name).and_then(serde_json::Value::as_u64);
        if let Some(kind) = event.kind.strip_prefix("worker-") {
            let worker = self
                .workers
                .entry(event.hostname.clone())
                .or_insert_with(|| WorkerFacts {
                    hostname: event.hostname.clone(),
                    status: WorkerStatus::Online,
                    last_seen: at,
                    freq: 2.0,
                    active: 0,
                    processed: 0,
                    software: String::new(),
                    pid: None,
                });
            worker.last_seen = at;
            worker.status = if kind == "offline" {
                WorkerStatus::Offline
            } else {
                WorkerStatus::Online
            };
            if let Some(freq) = event.fields.get("freq").and_then(serde_json::Value::as_f64) {
                worker.freq = freq;
            }
            worker.active = number("active").unwrap_or(worker.active);
            worker.processed = number("processed").unwrap_or(worker.processed);
            worker.pid = number("pid").or(worker.pid);
            if let (Some(ident), Some(version)) = (
                event
                    .fields
                    .get("sw_ident")
                    .and_then(serde_json::Value::as_str),
                event
                    .fields
                    .get("sw_ver")
                    .and_then(serde_json::Value::as_str),
            ) {
                worker.software = format!("{ident} {version}");
            }
            return;
        }
        let Some(uuid) = event.fields.get("uuid").and_then(serde_json::Value::as_str) else {
            return;
        };
        let step = match event.kind.as_str() {
            "task-received" => Step::Received,
            "task-started" => Step::Started,
            "task-succeeded" | "task-failed" => {
                if let Some(facts) = self.tasks.get_mut(uuid) {
                    facts.finished_event_ms = event.at_ms.or(Some(at));
                    facts.runtime_event_ms = event
                        .fields
                        .get("runtime")
                        .and_then(serde_json::Value::as_f64)
                        .map(|seconds| (seconds * 1000.0) as u64);
                }
                return;
            }
            _ => return,
        };
        let message = self.tasks.get(uuid).map_or_else(
            || TaskMessage {
                id: uuid.to_owned(),
                task: event
                    .fields
                    .get("name")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                ..TaskMessage::default()
            },
            |facts| facts.message.clone(),
        );
        self.step(&message, step, event.at_ms.unwrap_or(at));
        let facts = self.task(&message);
        facts.worker = Some(event.hostname);
        facts.worker_inferred = false;
    }

    /// The one worker alive at `at` (online and heard from recently, as
    /// [`workers`](Self::workers) judges), if exactly one.
    fn only_worker(&self, at: u64) -> Option<String> {
        let mut online = self
            .workers
            .values()
            .filter(|worker| worker.status == WorkerStatus::Online && alive_at(worker, at));
        match (online.next(), online.next()) {
            (Some(worker), None) => Some(worker.hostname.clone()),
            _ => None,
        }
    }

    fn step(&mut self, message: &TaskMessage, step: Step, at: u64) {
        let facts = self.task(message);
        push_step(facts, step, at);
    }

    /// The task's facts, created (and the oldest forgotten) if new; the
    /// message is updated when this one says more.
    fn task(&mut self, message: &TaskMessage) -> &mut TaskFacts {
        if !self.tasks.contains_key(&message.id) {
            self.remember(message.clone());
        }
        let facts = self
            .tasks
            .get_mut(&message.id)
            .expect("remembered just above");
        if !message.task.is_empty() && message.retries >= facts.message.retries {
            facts.message = message.clone();
        }
        facts
    }

    fn remember(&mut self, message: TaskMessage) {
        while self.order.len() >= MAX_TASKS {
            if let Some(oldest) = self.order.pop_front() {
                self.tasks.remove(&oldest);
            }
        }
        self.order.push_back(message.id.clone());
        self.tasks.insert(
            message.id.clone(),
            TaskFacts {
                message,
                steps: Vec::new(),
                worker: None,
                worker_inferred: false,
                result: None,
                restored: 0,
                reserved_ms: None,
                finished_event_ms: None,
                runtime_event_ms: None,
            },
        );
    }

    /// The queues, by database and name.
    pub fn queues(&self) -> Vec<QueueFacts> {
        self.queues
            .iter()
            .map(|((db, key), (list, more))| {
                let (name, priority) = match key.split_once(PRIORITY_SEPARATOR) {
                    Some((name, priority)) => (name, priority.parse().unwrap_or(0)),
                    None => (key.as_str(), 0),
                };
                QueueFacts {
                    db: *db,
                    name: name.to_owned(),
                    priority,
                    messages: list.iter().map(|queued| queued.message.clone()).collect(),
                    more: *more,
                }
            })
            .collect()
    }

    /// The reserved, unacknowledged messages, oldest reservation first.
    pub fn unacked(&self) -> Vec<ReservedFacts> {
        let mut reserved: Vec<ReservedFacts> = self
            .unacked
            .iter()
            .map(|((db, tag), message)| {
                let reserved_at = self.reserved_at.get(&(*db, tag.clone())).copied();
                let task = message
                    .as_ref()
                    .and_then(|message| self.tasks.get(&message.id))
                    .filter(|facts| facts.worker.is_some());
                let (worker, worker_inferred) = match task {
                    Some(facts) => (facts.worker.clone(), facts.worker_inferred),
                    None => {
                        // The one worker alive when it was reserved.
                        let only = reserved_at.and_then(|at| self.only_worker(at));
                        (only.clone(), only.is_some())
                    }
                };
                ReservedFacts {
                    db: *db,
                    delivery_tag: tag.clone(),
                    message: message.clone(),
                    reserved_at,
                    deadline: reserved_at.map(|at| at + self.visibility_ms),
                    worker,
                    worker_inferred,
                }
            })
            .collect();
        reserved.sort_by_key(|facts| facts.reserved_at);
        reserved
    }

    /// Tasks whose eta is still ahead of `now`, soonest first.
    pub fn waiting(&self, now: u64) -> Vec<WaitingFacts> {
        let queued = self.queues.values().flat_map(|(list, _)| {
            list.iter()
                .filter_map(|queued| queued.message.clone())
                .map(|message| (message, HeldIn::Queue))
        });
        let held = self
            .unacked
            .values()
            .filter_map(Clone::clone)
            .map(|message| (message, HeldIn::Unacked));
        let mut waiting: Vec<WaitingFacts> = queued
            .chain(held)
            .filter_map(|(message, held_in)| {
                let eta = message.eta_ms.filter(|&eta| eta > now)?;
                Some(WaitingFacts {
                    message,
                    eta,
                    held_in,
                })
            })
            .collect();
        waiting.sort_by_key(|facts| facts.eta);
        waiting
    }

    /// Every task seen, most recent first.
    pub fn tasks(&self) -> Vec<&TaskFacts> {
        self.order
            .iter()
            .rev()
            .filter_map(|id| self.tasks.get(id))
            .collect()
    }

    pub fn task_by_id(&self, id: &str) -> Option<&TaskFacts> {
        self.tasks.get(id)
    }

    /// The workers seen, with their status at `now`.
    pub fn workers(&self, now: u64) -> Vec<WorkerFacts> {
        self.workers
            .values()
            .map(|worker| {
                let mut worker = worker.clone();
                if worker.status == WorkerStatus::Online && !alive_at(&worker, now) {
                    worker.status = WorkerStatus::Lost;
                }
                worker
            })
            .collect()
    }
}

/// kombu's binding table for an exchange is the set
/// `_kombu.binding.<exchange>`, each member `routing_key\x06\x16pattern
/// \x06\x16queue`: the queues a worker consumes are named there before a
/// message arrives. Pidbox and event exchanges bind reply queues, not
/// task queues.
fn bound_queue(key: &str, member: &str) -> Option<String> {
    let exchange = key.strip_prefix(BINDING_PREFIX)?;
    if exchange.ends_with("pidbox") || exchange == "celeryev" {
        return None;
    }
    let queue = member.rsplit(PRIORITY_SEPARATOR).next()?;
    (!queue.is_empty()).then(|| queue.to_owned())
}

fn push_step(facts: &mut TaskFacts, step: Step, at: u64) {
    if facts.steps.len() >= MAX_STEPS {
        facts.steps.remove(0);
    }
    facts.steps.push(Seen { step, at });
}

/// The node's current Celery contents as the events that would have built
/// them: each queue's messages pushed (oldest first), the `unacked`
/// entries and their index scores, the stored results. A watcher applies
/// them to an emptied view ([`TasksView::reset_contents`]) and then the
/// live events that follow. At most [`MAX_SNAPSHOT_EVENTS`].
pub fn snapshot_events(redis: &Redis) -> Vec<Event> {
    let mut events = Vec::new();
    let event = |kind, db: usize, key: &[u8], field: &[u8], value: &[u8]| Event {
        kind,
        db: db as u8,
        key: crate::redis::event::preview(key),
        field: crate::redis::event::preview(field),
        value: crate::redis::event::preview(value),
        count: 0,
        conn: 0,
    };
    for (db, keys) in redis.databases().enumerate() {
        let bound: Vec<String> = keys
            .keys()
            .filter_map(|(key, entry)| match &entry.value {
                Value::Set(set) => Some((String::from_utf8_lossy(key), set)),
                _ => None,
            })
            .flat_map(|(key, set)| {
                set.iter()
                    .filter_map(move |member| bound_queue(&key, &String::from_utf8_lossy(member)))
            })
            .collect();
        for (key, entry) in keys.keys() {
            if events.len() >= MAX_SNAPSHOT_EVENTS {
                return events;
            }
            match &entry.value {
                Value::List(list) => {
                    // A task queue's elements are task messages; kombu pushes
                    // on the left, so the right end is the oldest.
                    let name = String::from_utf8_lossy(key);
                    let name = name.split(PRIORITY_SEPARATOR).next().unwrap_or_default();
                    let is_queue = bound.iter().any(|queue| queue == name)
                        || list.get(0).is_some_and(|first| {
                            task_message(&String::from_utf8_lossy(first)).is_some()
                        });
                    if is_queue {
                        for item in list.iter().rev().take(MAX_QUEUE_MESSAGES) {
                            events.push(event(EventKind::Push, db, key, b"", item));
                        }
                    }
                }
                Value::Hash(hash) if key == UNACKED.as_bytes() => {
                    for (field, value) in hash.iter() {
                        events.push(event(EventKind::HashSet, db, key, field, value));
                    }
                }
                Value::ZSet(zset) if key == UNACKED_INDEX.as_bytes() => {
                    for (member, score) in zset.iter(false) {
                        let text = crate::redis::number::g17(score);
                        events.push(event(EventKind::ZAdd, db, key, member, &text));
                    }
                }
                Value::Set(set) if key.starts_with(BINDING_PREFIX.as_bytes()) => {
                    for member in set.iter() {
                        events.push(event(EventKind::SetAdd, db, key, member, b""));
                    }
                }
                Value::Str(value) if key.starts_with(RESULT_PREFIX.as_bytes()) => {
                    events.push(event(EventKind::Set, db, key, b"", value));
                }
                _ => {}
            }
        }
    }
    events
}

/// Whether a live event can change the view: the server forwards only
/// these (a worker's BRPOP every second, its pidbox traffic and the
/// clients' connections are not the view's business).
pub fn is_relevant(event: &Event) -> bool {
    match event.kind {
        EventKind::Push | EventKind::Pop | EventKind::Serve | EventKind::ListRemove => {
            !event.key.contains(".pidbox") && !event.key.starts_with("celeryev.")
        }
        EventKind::HashSet | EventKind::HashDelete => event.key == UNACKED,
        EventKind::ZAdd | EventKind::ZRemove => event.key == UNACKED_INDEX,
        EventKind::Set => event.key.starts_with(RESULT_PREFIX),
        EventKind::SetAdd => event.key.starts_with(BINDING_PREFIX),
        EventKind::Delete | EventKind::Expire | EventKind::Evict | EventKind::Flush => true,
        EventKind::Publish => is_event_channel(&event.key),
        _ => false,
    }
}
