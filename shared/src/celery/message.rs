//! Reading what kombu and Celery put into Redis: the JSON envelope of a
//! task message (kombu's list per queue and its `unacked` hash), the
//! result Celery's Redis backend stores under `celery-task-meta-<id>`, and
//! the event messages workers publish on the `celeryev` fanout exchange.
//!
//! Values reach the view through the node's events, cut to
//! [`crate::redis::event::PREVIEW_BYTES`]; a task message with large
//! arguments is cut before its end. So fields are read one by one from
//! wherever they stand (serde_json reading a single value from the
//! field's position), and a field past the cut is simply unknown.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The parts of a kombu task message the view shows (Celery's message
/// protocol 2: the task's identity rides in `headers`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaskMessage {
    /// `headers.id`: the task's id (also its result key's suffix).
    pub id: String,
    /// `headers.task`: the task's name (`tasks.add`).
    pub task: String,
    /// `headers.retries`: how many times it has been retried.
    #[serde(default)]
    pub retries: u32,
    /// `headers.eta` as unix milliseconds: not to run before then (a
    /// retry's countdown, `apply_async(countdown=…)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eta_ms: Option<u64>,
    /// `headers.argsrepr` and `headers.kwargsrepr`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub args: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kwargs: String,
}

/// Reads a task message from kombu's envelope (`{"body": …, "headers":
/// {…}, "properties": {…}}`), or from an `unacked` entry (`[envelope,
/// exchange, routing_key]`). `None` when it is no task message (pidbox
/// commands, replies) or its id and name are past the cut.
pub fn task_message(text: &str) -> Option<TaskMessage> {
    let headers = &text[text.find("\"headers\": {")? + "\"headers\": ".len()..];
    let id = field(headers, "id").and_then(into_string)?;
    let task = field(headers, "task").and_then(into_string)?;
    Some(TaskMessage {
        id,
        task,
        retries: field(headers, "retries")
            .and_then(|value| value.as_u64())
            .map_or(0, |n| n.min(u64::from(u32::MAX)) as u32),
        eta_ms: field(headers, "eta")
            .and_then(into_string)
            .and_then(|eta| iso_to_unix_ms(&eta)),
        args: field(headers, "argsrepr")
            .and_then(into_string)
            .unwrap_or_default(),
        kwargs: field(headers, "kwargsrepr")
            .and_then(into_string)
            .unwrap_or_default(),
    })
}

/// Celery's task states, as its result backend stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Pending,
    Received,
    Started,
    Success,
    Failure,
    Retry,
    Revoked,
    /// A state Celery does not define (a custom `update_state`).
    Other,
}

impl TaskState {
    pub fn parse(text: &str) -> TaskState {
        match text {
            "PENDING" => TaskState::Pending,
            "RECEIVED" => TaskState::Received,
            "STARTED" => TaskState::Started,
            "SUCCESS" => TaskState::Success,
            "FAILURE" => TaskState::Failure,
            "RETRY" => TaskState::Retry,
            "REVOKED" => TaskState::Revoked,
            _ => TaskState::Other,
        }
    }

    /// Celery's own name for it.
    pub fn name(self) -> &'static str {
        match self {
            TaskState::Pending => "PENDING",
            TaskState::Received => "RECEIVED",
            TaskState::Started => "STARTED",
            TaskState::Success => "SUCCESS",
            TaskState::Failure => "FAILURE",
            TaskState::Retry => "RETRY",
            TaskState::Revoked => "REVOKED",
            TaskState::Other => "?",
        }
    }
}

/// A stored result (`{"status": …, "result": …, "date_done": …,
/// "task_id": …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResult {
    pub state: TaskState,
    /// `result` as JSON text (the return value, or the exception).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub result: String,
    /// `date_done` as unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_ms: Option<u64>,
}

/// Reads a result value; `None` when its `status` is unreadable.
pub fn stored_result(text: &str) -> Option<StoredResult> {
    let state = field(text, "status").and_then(into_string)?;
    Some(StoredResult {
        state: TaskState::parse(&state),
        result: field(text, "result")
            .map(|value| value.to_string())
            .unwrap_or_default(),
        done_ms: field(text, "date_done")
            .and_then(into_string)
            .and_then(|date| iso_to_unix_ms(&date)),
    })
}

/// The key prefix of Celery's Redis result backend.
pub const RESULT_PREFIX: &str = "celery-task-meta-";

/// One event message from the `celeryev` exchange (`worker-heartbeat`,
/// `task-started` …), its body decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct CeleryEvent {
    /// `type`: `worker-online`, `worker-heartbeat`, `worker-offline`,
    /// `task-received`, `task-started`, `task-succeeded` …
    pub kind: String,
    pub hostname: String,
    /// `timestamp` as unix milliseconds.
    pub at_ms: Option<u64>,
    pub fields: Value,
}

/// Whether `channel` is one kombu publishes the `celeryev` fanout
/// exchange on (`/0.celeryev/worker.heartbeat`: kombu's fanout prefix
/// `/{db}.`, the exchange, then the routing key).
pub fn is_event_channel(channel: &str) -> bool {
    channel.contains("celeryev/")
}

/// Decodes an event message: kombu's envelope whose `body` is base64 of
/// the JSON event (kombu's Redis transport base64-encodes bodies).
pub fn celery_event(text: &str) -> Option<CeleryEvent> {
    let body = field(text, "body").and_then(into_string)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .ok()?;
    let fields: Value = serde_json::from_slice(&bytes).ok()?;
    let kind = fields.get("type")?.as_str()?.to_owned();
    let hostname = fields
        .get("hostname")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let at_ms = fields
        .get("timestamp")
        .and_then(Value::as_f64)
        .map(|seconds| (seconds * 1000.0) as u64);
    Some(CeleryEvent {
        kind,
        hostname,
        at_ms,
        fields,
    })
}

/// The value of the first `"name": ` in `text`, read as one JSON value.
fn field(text: &str, name: &str) -> Option<Value> {
    let needle = format!("\"{name}\": ");
    let start = text.find(&needle)? + needle.len();
    serde_json::Deserializer::from_str(&text[start..])
        .into_iter::<Value>()
        .next()?
        .ok()
}

fn into_string(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        _ => None,
    }
}

/// `2026-12-04T06:45:16.312010+00:00` (Python's `isoformat()`, as Celery
/// writes `eta` and `date_done`) as unix milliseconds.
pub fn iso_to_unix_ms(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> { text.get(range)?.parse().ok() };
    if bytes.len() < 19 || bytes[4] != b'-' || bytes[10] != b'T' {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let mut rest = &text[19..];
    let mut millis = 0i64;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        let ms: String = fraction[..digits]
            .chars()
            .chain("000".chars())
            .take(3)
            .collect();
        millis = ms.parse().ok()?;
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        "" | "Z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (hours * 60 + minutes)
        }
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    u64::try_from(seconds * 1000 + millis).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
