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

/// A task for [`task_envelope`] to write: what `add.delay(2, 3)` says,
/// and the ids Celery and kombu would have made up for it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask<'a> {
    /// The task's registered name: `celery_tasks.add` (the module's name,
    /// then the function's, as Celery names tasks).
    pub task: &'a str,
    /// The task's id (a UUID): its result is stored under
    /// `celery-task-meta-<id>`.
    pub id: &'a str,
    pub args: &'a [Value],
    /// Keyword arguments, in order.
    pub kwargs: &'a [(String, Value)],
    /// The queue, which is also the routing key on Celery's default
    /// direct exchange (`""`): `celery`.
    pub queue: &'a str,
    /// Who sent it (Celery writes `gen<pid>@<host>`).
    pub origin: &'a str,
    /// The sending app's reply queue id (`app.thread_oid`, a UUID).
    pub reply_to: &'a str,
    /// kombu's delivery tag (a UUID).
    pub delivery_tag: &'a str,
}

/// The text kombu's Redis transport LPUSHes onto the queue for a task:
/// Celery's message protocol 2 (`celery.app.amqp.as_task_v2`: the task's
/// identity in `headers`, `[args, kwargs, embed]` as the body) in kombu's
/// envelope (`Channel.prepare_message`, then `basic_publish`: the body
/// base64-encoded, `delivery_info` and `delivery_tag` added), written as
/// Python's `json.dumps` writes it (`", "` and `": "`, non-ASCII escaped),
/// its fields in the same order. A real worker runs it as if `delay()`
/// had sent it.
pub fn task_envelope(new: &NewTask) -> String {
    let args = py_json(&Value::Array(new.args.to_vec()));
    let kwargs = json_object(
        &new.kwargs
            .iter()
            .map(|(name, value)| (name.as_str(), py_json(value)))
            .collect::<Vec<_>>(),
    );
    let embed = r#"{"callbacks": null, "errbacks": null, "chain": null, "chord": null}"#;
    let body = format!("[{args}, {kwargs}, {embed}]");
    let body = base64::engine::general_purpose::STANDARD.encode(body.as_bytes());
    let text = |value: &str| py_json(&Value::String(value.to_owned()));
    let args_repr = py_repr_tuple(new.args);
    let kwargs_repr = py_repr_dict(new.kwargs.iter().map(|(name, value)| (name, value)));
    let headers = json_object(&[
        ("lang", text("py")),
        ("task", text(new.task)),
        ("id", text(new.id)),
        ("shadow", "null".into()),
        ("eta", "null".into()),
        ("expires", "null".into()),
        ("group", "null".into()),
        ("group_index", "null".into()),
        ("retries", "0".into()),
        ("timelimit", "[null, null]".into()),
        ("root_id", text(new.id)),
        ("parent_id", "null".into()),
        ("argsrepr", text(&args_repr)),
        ("kwargsrepr", text(&kwargs_repr)),
        ("origin", text(new.origin)),
        ("ignore_result", "false".into()),
        ("replaced_task_nesting", "0".into()),
        ("stamped_headers", "null".into()),
        ("stamps", "{}".into()),
    ]);
    let delivery_info = json_object(&[("exchange", text("")), ("routing_key", text(new.queue))]);
    let properties = json_object(&[
        ("correlation_id", text(new.id)),
        ("reply_to", text(new.reply_to)),
        ("delivery_mode", "2".into()),
        ("delivery_info", delivery_info),
        ("priority", "0".into()),
        ("body_encoding", text("base64")),
        ("delivery_tag", text(new.delivery_tag)),
    ]);
    json_object(&[
        ("body", text(&body)),
        ("content-encoding", text("utf-8")),
        ("content-type", text("application/json")),
        ("headers", headers),
        ("properties", properties),
    ])
}

/// A random (version 4) UUID from 16 random bytes, as Python's
/// `uuid.uuid4()` writes it.
pub fn uuid4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `{"a": 1, "b": 2}` from already-written values, in the given order.
fn json_object(pairs: &[(&str, String)]) -> String {
    let fields: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{}: {value}", py_json(&Value::String((*name).to_owned()))))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// A JSON value as Python's `json.dumps` writes it: `", "` and `": "`
/// between items, non-ASCII characters as `\uXXXX`.
pub fn py_json(value: &Value) -> String {
    match value {
        Value::String(text) => {
            let mut out = String::with_capacity(text.len() + 2);
            out.push('"');
            for c in text.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    ' '..='~' => out.push(c),
                    _ => {
                        let mut units = [0u16; 2];
                        for unit in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                }
            }
            out.push('"');
            out
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(py_json).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => json_object(
            &map.iter()
                .map(|(name, value)| (name.as_str(), py_json(value)))
                .collect::<Vec<_>>(),
        ),
        other => other.to_string(),
    }
}

/// Python's `repr` of the arguments tuple: `(2, 3)`, `(2,)`, `()`.
fn py_repr_tuple(args: &[Value]) -> String {
    let items: Vec<String> = args.iter().map(py_repr).collect();
    match items.len() {
        1 => format!("({},)", items[0]),
        _ => format!("({})", items.join(", ")),
    }
}

/// Python's `repr` of a value decoded from JSON.
fn py_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => {
            let quote = if text.contains('\'') && !text.contains('"') {
                '"'
            } else {
                '\''
            };
            let mut out = String::new();
            out.push(quote);
            for c in text.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push(quote);
            out
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(py_repr).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => py_repr_dict(map.iter()),
    }
}

/// Python's `repr()` of a dict, its entries in the order given.
fn py_repr_dict<'a>(entries: impl Iterator<Item = (&'a String, &'a Value)>) -> String {
    let entries: Vec<String> = entries
        .map(|(name, value)| {
            format!(
                "{}: {}",
                py_repr(&Value::String(name.clone())),
                py_repr(value)
            )
        })
        .collect();
    format!("{{{}}}", entries.join(", "))
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
