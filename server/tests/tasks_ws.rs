//! The Tasks view's frames against the real `fanout` binary: a watcher is
//! given the Redis node's Celery contents, then only the events that can
//! change the view; one that does not read is given a fresh snapshot
//! instead of growing the server; and under `--redis off` the request is
//! refused, saying why.
//!
//! The messages written here are kombu envelopes as celery 5.7.0 writes
//! them (copied from `redis-cli MONITOR`); `redis_celery.rs` and the
//! browser test `frontend/e2e/tasks.test.mjs` run real Celery.

mod common;
mod redis_support;

use common::{Fanout, Ws, recv_json, send_json, ws_hello};
use fanout_shared::{
    celery::{Step, TasksView},
    redis::Event,
};
use redis_support::Resp;
use serde_json::{Value, json};

const TASK_ID: &str = "662aae1c-694d-439e-a3ab-e03e28931a36";

/// `add.delay(2, 3)`'s message, as kombu LPUSHes it onto `celery`.
fn add_message() -> String {
    format!(
        r#"{{"body": "W1syLCAzXSwge30sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d", "content-encoding": "utf-8", "content-type": "application/json", "headers": {{"lang": "py", "task": "tasks.add", "id": "{TASK_ID}", "shadow": null, "eta": null, "expires": null, "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "{TASK_ID}", "parent_id": null, "argsrepr": "(2, 3)", "kwargsrepr": "{{}}", "origin": "gen30232@vm", "ignore_result": false, "replaced_task_nesting": 0, "stamped_headers": null, "stamps": {{}}}}, "properties": {{"correlation_id": "{TASK_ID}", "reply_to": "a48f5a7d-4d43-3be7-af12-7a7e16e4a407", "delivery_mode": 2, "delivery_info": {{"exchange": "", "routing_key": "celery"}}, "priority": 0, "body_encoding": "base64", "delivery_tag": "46519bc3-af46-41d9-884a-7a857726b33e"}}}}"#
    )
}

fn events_of(frame: &Value) -> Vec<Event> {
    serde_json::from_value(frame["events"].clone()).expect("events decode as the model's")
}

/// Reads frames into `view` until `done` holds.
async fn read_until(ws: &mut Ws, view: &mut TasksView, done: impl Fn(&TasksView) -> bool) {
    while !done(view) {
        let frame = recv_json(ws).await;
        assert_eq!(frame["type"], "tasks_events", "{frame}");
        for event in events_of(&frame) {
            assert!(
                fanout_shared::celery::is_relevant(&event),
                "only relevant events are forwarded: {event:?}"
            );
            view.apply(&event, frame["at"].as_u64().unwrap());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_sees_the_nodes_celery_traffic_and_never_grows_the_server() {
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let redis = fanout.redis.expect("a redis node");
    let mut client = Resp::connect(redis);
    // A queue with a message in it before anyone watches.
    client.call(&[
        "SADD",
        "_kombu.binding.celery",
        "celery\x06\x16\x06\x16celery",
    ]);
    client.call(&["LPUSH", "celery", &add_message()]);

    let mut ws = ws_hello(&fanout).await;
    send_json(&mut ws, &json!({"type": "tasks_watch", "id": 7})).await;
    let snapshot = recv_json(&mut ws).await;
    assert_eq!(snapshot["type"], "tasks_snapshot", "{snapshot}");
    assert_eq!(snapshot["id"], 7);
    assert_eq!(snapshot["resync"], false);
    assert_eq!(snapshot["redis"], redis.to_string());
    let mut view = TasksView::new(2_000);
    view.apply_all(&events_of(&snapshot), snapshot["at"].as_u64().unwrap());
    let queues = view.queues();
    assert_eq!(queues.len(), 1);
    assert_eq!(queues[0].name, "celery");
    let queued = queues[0].messages[0].as_ref().expect("a task message");
    assert_eq!(
        (queued.id.as_str(), queued.task.as_str()),
        (TASK_ID, "tasks.add")
    );

    // A worker reserves it the way kombu does; unrelated keys are not
    // forwarded (the assertion inside read_until).
    client.call(&["SET", "unrelated", "x"]);
    client.call(&["BRPOP", "celery", "1"]);
    client.call(&["MULTI"]);
    client.call(&["ZADD", "unacked_index", "1796366715.3047092", "tag-1"]);
    let entry = format!("[{}, \"\", \"celery\"]", add_message());
    client.call(&["HSET", "unacked", "tag-1", &entry]);
    client.call(&["EXEC"]);
    read_until(&mut ws, &mut view, |view| !view.unacked().is_empty()).await;
    let reserved = &view.unacked()[0];
    assert_eq!(reserved.delivery_tag, "tag-1");
    assert_eq!(reserved.deadline, Some(1_796_366_715_304 + 2_000));
    assert!(view.queues()[0].messages.is_empty());

    // Acknowledged, and the result stored.
    client.call(&["ZREM", "unacked_index", "tag-1"]);
    client.call(&["HDEL", "unacked", "tag-1"]);
    let result = format!(
        r#"{{"status": "SUCCESS", "result": 5, "traceback": null, "children": [], "date_done": "2026-12-04T06:45:15.306285+00:00", "task_id": "{TASK_ID}"}}"#
    );
    client.call(&[
        "SETEX",
        &format!("celery-task-meta-{TASK_ID}"),
        "86400",
        &result,
    ]);
    read_until(&mut ws, &mut view, |view| {
        view.task_by_id(TASK_ID)
            .is_some_and(|task| task.result.is_some())
    })
    .await;
    let steps: Vec<Step> = view
        .task_by_id(TASK_ID)
        .unwrap()
        .steps
        .iter()
        .map(|s| s.step)
        .collect();
    assert_eq!(
        steps,
        [
            Step::Queued,
            Step::Reserved,
            Step::Acknowledged,
            Step::Result(fanout_shared::celery::TaskState::Success)
        ]
    );

    // A watcher that stops reading: far more events than the node's feed
    // (4096), the session's outbox and the sockets' buffers hold. The
    // server drops them and, once the watcher reads again, resends the
    // node's contents.
    let message = add_message();
    for _ in 0..40 {
        let mut pipeline = Vec::new();
        for _ in 0..1_000 {
            pipeline.extend_from_slice(&redis_support::encode_command(&[
                b"LPUSH",
                b"celery",
                message.as_bytes(),
            ]));
            pipeline.extend_from_slice(&redis_support::encode_command(&[b"RPOP", b"celery"]));
        }
        client.send(&pipeline);
        for _ in 0..2_000 {
            client.read_value();
        }
    }
    // Not a task message: pushed last, it marks the end of the stream.
    client.send_command(&[b"LPUSH", b"celery", b"the end"]);
    client.send_command(&[b"ECHO", b"done"]);
    while !client.read_value().bytes().ends_with(b"$4\r\ndone\r\n") {}
    let mut resynced = false;
    loop {
        let frame = recv_json(&mut ws).await;
        if frame["type"] == "tasks_snapshot" {
            assert_eq!(frame["resync"], true, "{frame}");
            resynced = true;
            view.reset_contents();
        } else {
            assert_eq!(frame["type"], "tasks_events", "{frame}");
        }
        view.apply_all(&events_of(&frame), frame["at"].as_u64().unwrap());
        if view.queues()[0].messages == [None] {
            break;
        }
    }
    assert!(resynced, "a watcher that fell behind is given a snapshot");

    send_json(&mut ws, &json!({"type": "tasks_unwatch", "id": 8})).await;
    loop {
        let frame = recv_json(&mut ws).await;
        if frame["type"] == "tasks_unwatched" {
            assert_eq!(frame["id"], 8);
            break;
        }
    }
}

#[tokio::test]
async fn without_a_redis_node_watching_is_refused_plainly() {
    let fanout = Fanout::start(&["--cache-nodes", "0", "--redis", "off"]);
    let mut ws = ws_hello(&fanout).await;
    send_json(&mut ws, &json!({"type": "tasks_watch", "id": 3})).await;
    let error = recv_json(&mut ws).await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["id"], 3);
    assert_eq!(error["refusal"]["area"], "tasks");
    assert_eq!(error["refusal"]["fact"]["kind"], "redis_off");
    assert!(
        error["message"].as_str().unwrap().contains("--redis off"),
        "{error}"
    );
}
