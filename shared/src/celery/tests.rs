//! The view against real traffic: `testdata/add_and_retry.monitor` is
//! `redis-cli MONITOR` on Debian's redis-server while celery 5.7.0 (the
//! pinned one) ran `server/tests/python/celery_app/tasks.py` with
//! `celery worker --pool solo` and a client called `add.delay(2, 3)` then
//! `flaky.delay(1)` (fails once, retries with `countdown=1`). Replaying
//! those commands through the Redis model, with events recorded, gives
//! the events a watcher of Fanout's node would have received.

use std::collections::HashMap;

use super::{
    HeldIn, Step, TaskState, TasksView, WorkerStatus,
    message::{iso_to_unix_ms, task_message},
    snapshot_events,
};
use crate::redis::{Event, MemoryConfig, NodeInfo, Policy, Redis};

const CAPTURE: &str = include_str!("testdata/add_and_retry.monitor");
const ADD_ID: &str = "662aae1c-694d-439e-a3ab-e03e28931a36";
const FLAKY_ID: &str = "5bcb7a3b-f46b-4cda-ba09-36a59ac86aa3";

fn model() -> Redis {
    let info = NodeInfo {
        port: 6379,
        started: 0,
        max_clients: 100,
    };
    let memory = MemoryConfig {
        limit: 64 << 20,
        policy: Policy::NoEviction,
    };
    let mut redis = Redis::new(memory, 1 << 20, info, 7);
    redis.record_events(true);
    redis
}

/// One MONITOR line: its time (unix ms), client address and arguments.
fn parse_line(line: &str) -> Option<(u64, String, Vec<Vec<u8>>)> {
    let (time, rest) = line.split_once(' ')?;
    let seconds: f64 = time.parse().ok()?;
    let rest = rest.strip_prefix('[')?;
    let (client, mut rest) = rest.split_once("] ")?;
    let mut args = Vec::new();
    while let Some(quoted) = rest.strip_prefix('"') {
        let mut arg = Vec::new();
        let mut chars = quoted.char_indices();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    end = Some(i + 1);
                    break;
                }
                '\\' => match chars.next()?.1 {
                    'n' => arg.push(b'\n'),
                    'r' => arg.push(b'\r'),
                    't' => arg.push(b'\t'),
                    'a' => arg.push(7),
                    'b' => arg.push(8),
                    'x' => {
                        let hex: String = [chars.next()?.1, chars.next()?.1].iter().collect();
                        arg.push(u8::from_str_radix(&hex, 16).ok()?);
                    }
                    other => {
                        let mut buf = [0; 4];
                        arg.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
                    }
                },
                other => {
                    let mut buf = [0; 4];
                    arg.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        args.push(arg);
        rest = quoted[end?..].trim_start();
    }
    Some(((seconds * 1000.0) as u64, client.to_owned(), args))
}

/// Replays the capture's first `lines` commands; the events each produced,
/// with its time.
fn replay(redis: &mut Redis, lines: usize) -> Vec<(u64, Vec<Event>)> {
    let mut conns: HashMap<String, u64> = HashMap::new();
    let mut batches = Vec::new();
    for line in CAPTURE.lines().take(lines) {
        let (at, client, args) = parse_line(line).expect("a MONITOR line");
        let next = conns.len() as u64 + 1;
        let conn = *conns.entry(client).or_insert_with(|| {
            redis.connect(next, at);
            next
        });
        let mut reply = Vec::new();
        // The real BRPOP returned (served or timed out) before the client
        // sent its next command.
        redis.time_out(conn, &mut reply);
        let args: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
        redis.handle(conn, &args, at, &mut reply);
        redis.drain_outbox().for_each(drop);
        batches.push((at, redis.drain_events()));
    }
    batches
}

fn line_of(needle: &str) -> usize {
    CAPTURE
        .lines()
        .position(|line| line.contains(needle))
        .expect("the capture has it")
}

/// The line that ends the transaction holding line `index` (MONITOR
/// shows a transaction's commands when EXEC runs them).
fn exec_after(index: usize) -> usize {
    index
        + CAPTURE
            .lines()
            .skip(index)
            .position(|line| line.contains("\"EXEC\""))
            .expect("an EXEC follows")
}

fn view_after(lines: usize) -> TasksView {
    let mut redis = model();
    let mut view = TasksView::new(2_000);
    for (at, events) in replay(&mut redis, lines) {
        view.apply_all(&events, at);
    }
    view
}

#[test]
fn the_capture_parses() {
    for line in CAPTURE.lines() {
        assert!(parse_line(line).is_some(), "{line}");
    }
}

#[test]
fn a_published_task_is_queued_with_its_id_and_name() {
    // Up to the client's LPUSH, before the worker's BRPOP took it: the
    // worker's BRPOP was blocked, so the push serves it at once; the view
    // sees it queued, then reserved.
    let lpush = line_of("\"LPUSH\" \"celery\"");
    let view = view_after(lpush + 1);
    let add = view.task_by_id(ADD_ID).expect("the add task is known");
    assert_eq!(add.message.task, "tasks.add");
    assert_eq!(add.message.args, "(2, 3)");
    assert_eq!(add.steps[0].step, Step::Queued);
}

#[test]
fn a_reserved_task_sits_in_unacked_until_its_deadline() {
    let hset = line_of("\"HSET\" \"unacked\"");
    let view = view_after(exec_after(hset) + 1);
    let unacked = view.unacked();
    assert_eq!(unacked.len(), 1);
    let reserved = &unacked[0];
    assert_eq!(
        reserved.delivery_tag,
        "46519bc3-af46-41d9-884a-7a857726b33e"
    );
    assert_eq!(
        reserved.message.as_ref().map(|m| m.id.as_str()),
        Some(ADD_ID)
    );
    // The unacked_index score was 1796366715.3047092 (seconds).
    assert_eq!(reserved.reserved_at, Some(1_796_366_715_304));
    assert_eq!(reserved.deadline, Some(1_796_366_715_304 + 2_000));
    // Only one worker has sent heartbeats: it is the one.
    assert_eq!(reserved.worker.as_deref(), Some("w1@vm"));
    assert!(reserved.worker_inferred);
    assert!(view.queues().iter().all(|queue| queue.messages.is_empty()));
}

#[test]
fn the_whole_journey_ends_with_success() {
    let view = view_after(usize::MAX);
    let add = view.task_by_id(ADD_ID).expect("known");
    let steps: Vec<Step> = add.steps.iter().map(|seen| seen.step).collect();
    assert_eq!(
        steps,
        [
            Step::Queued,
            Step::Reserved,
            Step::Result(TaskState::Success),
            Step::Acknowledged
        ]
    );
    assert_eq!(add.result.as_ref().map(|r| r.result.as_str()), Some("5"));
    assert!(view.unacked().is_empty());
}

#[test]
fn a_retry_is_sent_again_with_its_countdown() {
    let view = view_after(usize::MAX);
    let flaky = view.task_by_id(FLAKY_ID).expect("known");
    let steps: Vec<Step> = flaky.steps.iter().map(|seen| seen.step).collect();
    assert_eq!(
        steps,
        [
            Step::Queued,
            Step::Reserved,
            Step::RetryScheduled,
            Step::Result(TaskState::Retry),
            Step::Acknowledged,
            Step::Reserved,
            Step::Result(TaskState::Success),
            Step::Acknowledged,
        ]
    );
    assert_eq!(flaky.message.retries, 1);
    assert_eq!(flaky.restored, 0);
}

#[test]
fn a_retry_waits_in_unacked_for_its_eta() {
    // The worker reserved the retry (eta one second ahead) and holds it.
    let second_hset = CAPTURE
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains("\"HSET\" \"unacked\""))
        .nth(2)
        .map(|(i, _)| exec_after(i))
        .expect("three reservations");
    let view = view_after(second_hset + 1);
    let eta = iso_to_unix_ms("2026-12-04T06:45:16.312010+00:00").unwrap();
    let waiting = view.waiting(view.now());
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].message.id, FLAKY_ID);
    assert_eq!(waiting[0].eta, eta);
    assert_eq!(waiting[0].held_in, HeldIn::Unacked);
    assert!(view.waiting(eta).is_empty());
}

#[test]
fn workers_come_from_their_heartbeats() {
    let view = view_after(usize::MAX);
    let workers = view.workers(view.now());
    assert_eq!(workers.len(), 1);
    let worker = &workers[0];
    assert_eq!(worker.hostname, "w1@vm");
    // The capture ends with the worker's warm shutdown.
    assert_eq!(worker.status, WorkerStatus::Offline);
    assert_eq!(worker.processed, 3);
    assert_eq!(worker.software, "py-celery 5.7.0");

    let heartbeat = line_of("worker.heartbeat");
    let view = view_after(heartbeat + 1);
    let at = view.now();
    assert_eq!(view.workers(at)[0].status, WorkerStatus::Online);
    assert_eq!(view.workers(at + 60_000)[0].status, WorkerStatus::Lost);
}

#[test]
fn a_snapshot_rebuilds_what_the_events_built() {
    // Stop while the retry is held in unacked, with results stored.
    let second_hset = CAPTURE
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains("\"HSET\" \"unacked\""))
        .nth(2)
        .map(|(i, _)| exec_after(i))
        .expect("three reservations");
    let mut redis = model();
    let mut live = TasksView::new(2_000);
    let mut at = 0;
    for (time, events) in replay(&mut redis, second_hset + 1) {
        live.apply_all(&events, time);
        at = time;
    }
    let mut late = TasksView::new(2_000);
    late.apply_all(&snapshot_events(&redis), at);
    // The late watcher has not heard a heartbeat yet: it cannot name the
    // worker; everything else is the same.
    let anonymous = |view: &TasksView| {
        let mut unacked = view.unacked();
        for reserved in &mut unacked {
            reserved.worker = None;
            reserved.worker_inferred = false;
        }
        unacked
    };
    assert_eq!(anonymous(&late), anonymous(&live));
    assert!(!live.unacked().is_empty());
    assert_eq!(late.queues(), live.queues());
    assert_eq!(late.waiting(at), live.waiting(at));
    assert_eq!(
        late.task_by_id(ADD_ID).and_then(|t| t.result.clone()),
        live.task_by_id(ADD_ID).and_then(|t| t.result.clone())
    );
}

#[test]
fn a_restored_task_is_counted_and_queued_again() {
    // kombu's restore_by_tag: ZREM and HDEL of the entry and a push of
    // its message back on the queue, in one MULTI/EXEC.
    let lpush = line_of("\"LPUSH\" \"celery\"");
    let (_, _, args) = parse_line(CAPTURE.lines().nth(lpush).unwrap()).unwrap();
    let message = args[2].clone();
    let mut redis = model();
    let mut view = TasksView::new(2_000);
    redis.connect(1, 0);
    let mut run = |redis: &mut Redis, args: &[&[u8]], at: u64| {
        redis.handle(1, args, at, &mut Vec::new());
        view.apply_all(&redis.drain_events(), at);
    };
    let mut entry = b"[".to_vec();
    entry.extend_from_slice(&message);
    entry.extend_from_slice(b", \"\", \"celery\"]");
    run(&mut redis, &[b"LPUSH", b"celery", &message], 1_000);
    run(&mut redis, &[b"RPOP", b"celery"], 1_001);
    run(
        &mut redis,
        &[b"ZADD", b"unacked_index", b"1.002", b"tag"],
        1_002,
    );
    run(&mut redis, &[b"HSET", b"unacked", b"tag", &entry], 1_002);
    run(&mut redis, &[b"MULTI"], 3_500);
    run(&mut redis, &[b"ZREM", b"unacked_index", b"tag"], 3_500);
    run(&mut redis, &[b"HDEL", b"unacked", b"tag"], 3_500);
    run(&mut redis, &[b"RPUSH", b"celery", &message], 3_500);
    run(&mut redis, &[b"EXEC"], 3_500);
    let add = view.task_by_id(ADD_ID).unwrap();
    let steps: Vec<Step> = add.steps.iter().map(|seen| seen.step).collect();
    assert_eq!(steps, [Step::Queued, Step::Reserved, Step::Restored]);
    assert_eq!(add.restored, 1);
    assert_eq!(view.queues()[0].messages.len(), 1);
    assert!(view.unacked().is_empty());
}

#[test]
fn a_message_cut_short_still_names_its_task() {
    let lpush = line_of("\"LPUSH\" \"celery\"");
    let (_, _, args) = parse_line(CAPTURE.lines().nth(lpush).unwrap()).unwrap();
    let text = String::from_utf8(args[2].clone()).unwrap();
    let cut = &text[..text.find("\"origin\"").unwrap()];
    let message = task_message(cut).expect("id and name come first");
    assert_eq!(message.id, ADD_ID);
    assert_eq!(message.task, "tasks.add");
    assert!(task_message("{\"body\": \"e30=\", \"headers\": {}}").is_none());
    assert!(task_message("not json").is_none());
}

#[test]
fn iso_times_read_as_unix_milliseconds() {
    assert_eq!(iso_to_unix_ms("1970-01-01T00:00:00+00:00"), Some(0));
    assert_eq!(
        iso_to_unix_ms("2026-12-04T06:45:16.312010+00:00"),
        Some(1_796_366_716_312)
    );
    assert_eq!(
        iso_to_unix_ms("2026-12-04T08:45:16.312+02:00"),
        Some(1_796_366_716_312)
    );
    assert_eq!(iso_to_unix_ms("yesterday"), None);
}

#[test]
fn a_task_reserved_again_after_its_worker_went_silent_is_not_named_for_it() {
    // The worker is inferred when it is the only one alive; once it has
    // gone silent (killed in the middle of an acks_late task), the task's
    // next reservation is not attributed to it.
    let heartbeat = line_of("worker.heartbeat");
    let mut redis = model();
    let mut view = TasksView::new(2_000);
    let mut at = 0;
    for (time, events) in replay(&mut redis, heartbeat + 1) {
        view.apply_all(&events, time);
        at = time;
    }
    let lpush = line_of("\"LPUSH\" \"celery\"");
    let (_, _, args) = parse_line(CAPTURE.lines().nth(lpush).unwrap()).unwrap();
    let message = args[2].clone();
    let mut entry = b"[".to_vec();
    entry.extend_from_slice(&message);
    entry.extend_from_slice(b", \"\", \"celery\"]");
    // A connection of its own (the capture's clients have the low ids).
    redis.connect(1_000, at);
    let mut run = |redis: &mut Redis, args: &[&[u8]], at: u64| {
        redis.handle(1_000, args, at, &mut Vec::new());
        view.apply_all(&redis.drain_events(), at);
    };
    run(&mut redis, &[b"RPUSH", b"celery", &message], at + 1);
    run(&mut redis, &[b"RPOP", b"celery"], at + 2);
    run(&mut redis, &[b"HSET", b"unacked", b"first", &entry], at + 2);
    let silent = at + 60_000;
    run(&mut redis, &[b"MULTI"], silent);
    run(&mut redis, &[b"HDEL", b"unacked", b"first"], silent);
    run(&mut redis, &[b"RPUSH", b"celery", &message], silent);
    run(&mut redis, &[b"EXEC"], silent);
    run(&mut redis, &[b"RPOP", b"celery"], silent + 1);
    run(
        &mut redis,
        &[b"HSET", b"unacked", b"second", &entry],
        silent + 1,
    );
    let id = view.unacked()[0].message.as_ref().unwrap().id.clone();
    let task = view.task_by_id(&id).unwrap();
    assert_eq!(task.restored, 1);
    assert_eq!(task.worker, None, "{task:?}");
    assert!(!task.worker_inferred);
}

#[test]
fn a_task_built_here_is_the_message_celery_sent() {
    use super::message::{NewTask, task_envelope, uuid4};
    use serde_json::json;
    // `add.delay(2, 3)` as celery 5.7.0 LPUSHed it in the capture.
    let (_, _, args) = CAPTURE
        .lines()
        .filter_map(parse_line)
        .find(|(_, _, args)| args[0] == b"LPUSH" && args[1] == b"celery")
        .expect("the capture pushes a task");
    let real = String::from_utf8(args[2].clone()).unwrap();
    let built = task_envelope(&NewTask {
        task: "tasks.add",
        id: ADD_ID,
        args: &[json!(2), json!(3)],
        kwargs: &[],
        queue: "celery",
        origin: "gen30232@vm",
        reply_to: "a48f5a7d-4d43-3be7-af12-7a7e16e4a407",
        delivery_tag: "46519bc3-af46-41d9-884a-7a857726b33e",
    });
    assert_eq!(built, real, "byte for byte what kombu wrote");
    let message = task_message(&built).expect("the view reads it");
    assert_eq!(
        (
            message.id.as_str(),
            message.task.as_str(),
            message.args.as_str()
        ),
        (ADD_ID, "tasks.add", "(2, 3)")
    );

    // Other arguments: Python's reprs, and json.dumps's escapes.
    let built = task_envelope(&NewTask {
        task: "celery_tasks.add",
        id: "x",
        args: &[json!("中'"), json!(null)],
        kwargs: &[("flag".into(), json!(true))],
        queue: "celery",
        origin: "o",
        reply_to: "r",
        delivery_tag: "t",
    });
    let message = task_message(&built).unwrap();
    assert_eq!(message.args, "(\"中'\", None)");
    assert_eq!(message.kwargs, "{'flag': True}");
    assert!(built.is_ascii(), "non-ASCII escaped as json.dumps does");
    let envelope: serde_json::Value = serde_json::from_str(&built).unwrap();
    let body = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        envelope["body"].as_str().unwrap(),
    )
    .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body[0], json!(["中'", null]));
    assert_eq!(body[1], json!({"flag": true}));

    let id = uuid4([0xab; 16]);
    assert_eq!(id, "abababab-abab-4bab-abab-abababababab");
}

#[test]
fn without_worker_events_flowers_times_are_derived_from_the_broker_and_the_result() {
    use super::{TimeFact, task_times};
    let view = view_after(usize::MAX);
    // add: reserved at kombu's score, finished at the result's date_done.
    let add = task_times(view.task_by_id(ADD_ID).unwrap());
    let reserved = 1_796_366_715_304;
    let done = iso_to_unix_ms("2026-12-04T06:45:15.306285+00:00").unwrap();
    assert_eq!(
        add.received,
        Some(TimeFact {
            ms: reserved,
            derived: true
        })
    );
    assert_eq!(
        add.started,
        Some(TimeFact {
            ms: reserved,
            derived: true
        })
    );
    assert_eq!(
        add.finished,
        Some(TimeFact {
            ms: done,
            derived: false
        })
    );
    assert_eq!(
        add.runtime,
        Some(TimeFact {
            ms: done - reserved,
            derived: true
        })
    );

    // flaky's latest run: reserved at once, held until its eta, then run.
    let flaky = task_times(view.task_by_id(FLAKY_ID).unwrap());
    let eta = iso_to_unix_ms("2026-12-04T06:45:16.312010+00:00").unwrap();
    let done = iso_to_unix_ms("2026-12-04T06:45:16.314354+00:00").unwrap();
    assert_eq!(
        flaky.received,
        Some(TimeFact {
            ms: 1_796_366_715_317,
            derived: true
        })
    );
    assert_eq!(
        flaky.started,
        Some(TimeFact {
            ms: eta,
            derived: true
        })
    );
    assert_eq!(
        flaky.finished,
        Some(TimeFact {
            ms: done,
            derived: false
        })
    );
    assert_eq!(flaky.runtime.map(|runtime| runtime.ms), Some(done - eta));

    // Reserved and not finished: received only; nothing is guessed.
    let reserved_only =
        view_after(exec_after(line_of("\"ZADD\" \"unacked_index\" \"1796366715.3047092\"")) + 1);
    let times = task_times(reserved_only.task_by_id(ADD_ID).unwrap());
    assert_eq!(
        times.received,
        Some(TimeFact {
            ms: reserved,
            derived: true
        })
    );
    assert_eq!(
        (times.started, times.finished, times.runtime),
        (None, None, None)
    );
}

#[test]
fn with_worker_events_flowers_times_are_the_workers_own() {
    use super::{TimeFact, task_times};
    use crate::redis::EventKind;
    use base64::Engine as _;
    let event = |fields: serde_json::Value| Event {
        kind: EventKind::Publish,
        db: 0,
        key: "/0.celeryev/task.x".into(),
        field: String::new(),
        value: format!(
            r#"{{"body": "{}", "content-encoding": "utf-8"}}"#,
            base64::engine::general_purpose::STANDARD.encode(fields.to_string())
        ),
        count: 0,
        conn: 0,
    };
    let mut view =
        view_after(exec_after(line_of("\"ZADD\" \"unacked_index\" \"1796366715.3047092\"")) + 1);
    let t0 = 1_796_366_715_400u64;
    for (kind, at, extra) in [
        ("task-received", t0, serde_json::json!({})),
        ("task-started", t0 + 100, serde_json::json!({})),
        (
            "task-succeeded",
            t0 + 700,
            serde_json::json!({"runtime": 0.5}),
        ),
    ] {
        let mut fields = serde_json::json!({
            "type": kind, "hostname": "w1@vm", "uuid": ADD_ID,
            "timestamp": at as f64 / 1000.0,
        });
        fields
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        view.apply(&event(fields), at);
    }
    let times = task_times(view.task_by_id(ADD_ID).unwrap());
    assert_eq!(
        times.received,
        Some(TimeFact {
            ms: t0,
            derived: false
        })
    );
    assert_eq!(
        times.started,
        Some(TimeFact {
            ms: t0 + 100,
            derived: false
        })
    );
    assert_eq!(
        times.finished,
        Some(TimeFact {
            ms: t0 + 700,
            derived: false
        })
    );
    assert_eq!(
        times.runtime,
        Some(TimeFact {
            ms: 500,
            derived: false
        })
    );
}
