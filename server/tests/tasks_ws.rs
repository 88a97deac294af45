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

/// Sends `tasks_command` with `args` and returns the answer.
async fn command(ws: &mut Ws, args: Value, id: u64) -> Value {
    send_json(
        ws,
        &json!({"type": "tasks_command", "args": args, "id": id}),
    )
    .await;
    let answer = recv_json(ws).await;
    assert_eq!(answer["id"], id, "{answer}");
    answer
}

async fn reply_text(ws: &mut Ws, args: Value, id: u64) -> String {
    let answer = command(ws, args, id).await;
    assert_eq!(answer["type"], "tasks_reply", "{answer}");
    answer["text"].as_str().unwrap().to_owned()
}

fn connected_clients(client: &mut Resp) -> usize {
    let info = String::from_utf8(client.call(&["INFO", "clients"]).bytes()).unwrap();
    info.lines()
        .find_map(|line| line.strip_prefix("connected_clients:"))
        .expect("INFO reports its clients")
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_command_line_writes_to_the_same_node_as_its_own_client() {
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let redis = fanout.redis.expect("a redis node");
    let mut client = Resp::connect(redis);
    assert_eq!(connected_clients(&mut client), 1);
    let mut ws = ws_hello(&fanout).await;

    // A task message built by the shared builder, pushed from the page,
    // is on the queue any client reads, and the view reads it.
    let id = fanout_shared::celery::uuid4([7; 16]);
    let message = fanout_shared::celery::task_envelope(&fanout_shared::celery::NewTask {
        task: "celery_tasks.add",
        id: &id,
        args: &[json!(2), json!(3)],
        kwargs: &[],
        queue: "celery",
        origin: "browser@fanout",
        reply_to: &id,
        delivery_tag: &id,
    });
    let answer = command(&mut ws, json!(["LPUSH", "celery", message]), 1).await;
    assert_eq!(answer["type"], "tasks_reply", "{answer}");
    assert_eq!(answer["text"], "(integer) 1\n");
    assert_eq!(answer["error"], false);
    assert_eq!(
        (answer["db"].clone(), answer["multi"].clone()),
        (json!(0), json!(false))
    );
    let conn = answer["conn"].as_u64().unwrap();
    assert!(conn > 0);
    assert_eq!(
        connected_clients(&mut client),
        2,
        "the session has a connection"
    );
    let queued = client.call(&["LINDEX", "celery", "0"]).bytes();
    let queued = String::from_utf8(queued).unwrap();
    let read = fanout_shared::celery::message::task_message(&queued).expect("a task message");
    assert_eq!(
        (read.id.as_str(), read.task.as_str()),
        (id.as_str(), "celery_tasks.add")
    );

    // What others write, the page reads; replies print as redis-cli's.
    client.call(&["RPUSH", "celery", "b"]);
    assert_eq!(
        reply_text(&mut ws, json!(["LLEN", "celery"]), 2).await,
        "(integer) 2\n"
    );
    assert_eq!(
        reply_text(&mut ws, json!(["LRANGE", "celery", "1", "-1"]), 3).await,
        "1) \"b\"\n"
    );
    assert_eq!(
        reply_text(&mut ws, json!(["GET", "nothing"]), 4).await,
        "(nil)\n"
    );
    let answer = command(&mut ws, json!(["NOSUCH"]), 5).await;
    assert_eq!(answer["error"], true);
    assert!(
        answer["text"]
            .as_str()
            .unwrap()
            .starts_with("(error) ERR unknown command 'NOSUCH'"),
        "{answer}"
    );
    // Bytes that are no text travel as base64.
    reply_text(&mut ws, json!(["SET", "bin", {"base64": "/w=="}]), 6).await;
    assert_eq!(client.call(&["GET", "bin"]).bytes(), b"$1\r\n\xff\r\n");
    assert_eq!(
        reply_text(&mut ws, json!(["GET", "bin"]), 7).await,
        "\"\\xff\"\n"
    );

    // The connection lasts: SELECT and MULTI hold between commands, as in
    // a redis-cli session, and the same connection number answers.
    let answer = command(&mut ws, json!(["SELECT", "1"]), 8).await;
    assert_eq!(
        (answer["text"].clone(), answer["db"].clone()),
        (json!("OK\n"), json!(1))
    );
    reply_text(&mut ws, json!(["SET", "k", "v"]), 9).await;
    assert_eq!(
        client.call(&["GET", "k"]).bytes(),
        b"$-1\r\n",
        "db 0 has no k"
    );
    let answer = command(&mut ws, json!(["MULTI"]), 10).await;
    assert_eq!(answer["multi"], true);
    assert_eq!(
        reply_text(&mut ws, json!(["INCR", "n"]), 11).await,
        "QUEUED\n"
    );
    assert_eq!(
        reply_text(&mut ws, json!(["GET", "k"]), 12).await,
        "QUEUED\n"
    );
    let answer = command(&mut ws, json!(["EXEC"]), 13).await;
    assert_eq!(answer["text"], "1) (integer) 1\n2) \"v\"\n");
    assert_eq!(
        (answer["multi"].clone(), answer["conn"].as_u64()),
        (json!(false), Some(conn))
    );

    // What would wait or stream is refused, saying why, and runs nothing.
    for (args, need) in [
        (json!(["BLPOP", "celery", "0"]), "blocks"),
        (json!(["brpop", "celery", "1"]), "blocks"),
        (json!(["SUBSCRIBE", "news"]), "streams"),
        (json!(["MONITOR"]), "streams"),
    ] {
        let answer = command(&mut ws, args.clone(), 14).await;
        assert_eq!(answer["type"], "error", "{answer}");
        assert_eq!(answer["refusal"]["area"], "tasks");
        assert_eq!(answer["refusal"]["fact"]["kind"], "needs_real_client");
        assert_eq!(answer["refusal"]["fact"]["need"], need);
        assert!(
            answer["message"].as_str().unwrap().contains("real client"),
            "{answer}"
        );
    }
    assert_eq!(
        client.call(&["LLEN", "celery"]).bytes(),
        b":2\r\n",
        "BLPOP took nothing"
    );
    // HTTP is not run (the node would hang up on it), and the session's
    // connection survives.
    let answer = command(&mut ws, json!(["GET", "/", "HTTP/1.1"]), 15).await;
    assert_eq!(
        answer["refusal"]["fact"]["kind"], "looks_like_http",
        "{answer}"
    );
    let answer = command(&mut ws, json!(["POST", "/x"]), 16).await;
    assert_eq!(
        answer["refusal"]["fact"]["kind"], "looks_like_http",
        "{answer}"
    );
    // Bounded: too many arguments, too many bytes, none at all.
    let mut many = vec!["DEL".to_owned()];
    many.extend((0..64).map(|i| i.to_string()));
    let answer = command(&mut ws, json!(many), 17).await;
    assert_eq!(
        answer["refusal"]["fact"]["kind"], "too_many_args",
        "{answer}"
    );
    let answer = command(&mut ws, json!(["SET", "big", "x".repeat(40_000)]), 18).await;
    assert_eq!(
        answer["refusal"]["fact"]["kind"], "command_too_large",
        "{answer}"
    );
    let answer = command(&mut ws, json!([]), 19).await;
    assert_eq!(
        answer["refusal"]["fact"]["kind"], "empty_command",
        "{answer}"
    );
    assert_eq!(
        reply_text(&mut ws, json!(["GET", "k"]), 20).await,
        "\"v\"\n",
        "still db 1"
    );

    // A long reply is cut, and says so.
    let values: Vec<String> = (0..60).map(|i| format!("{i:0>500}")).collect();
    let mut push = vec!["RPUSH".to_owned(), "long".to_owned()];
    push.extend(values);
    reply_text(&mut ws, json!(push), 21).await;
    let text = reply_text(&mut ws, json!(["LRANGE", "long", "0", "-1"]), 22).await;
    assert!(
        text.len() < 17_000 && text.ends_with("more bytes not shown)\n"),
        "{}",
        text.len()
    );

    // QUIT closes the connection; the next command opens another.
    let answer = command(&mut ws, json!(["QUIT"]), 23).await;
    assert_eq!(
        (answer["text"].clone(), answer["conn"].clone()),
        (json!("OK\n"), json!(0))
    );
    let answer = command(&mut ws, json!(["GET", "k"]), 24).await;
    assert_eq!(answer["text"], "(nil)\n", "a new connection starts in db 0");
    assert_ne!(answer["conn"].as_u64(), Some(conn));

    // Another session has a connection of its own.
    let mut other = ws_hello(&fanout).await;
    let answer = command(&mut other, json!(["CLIENT", "ID"]), 1).await;
    assert_ne!(answer["text"], format!("(integer) {}\n", conn));
    assert_eq!(connected_clients(&mut client), 3);

    // When a session ends, its connection goes with it.
    drop(ws);
    drop(other);
    while connected_clients(&mut client) != 1 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn without_a_redis_node_commands_are_refused_plainly() {
    let fanout = Fanout::start(&["--cache-nodes", "0", "--redis", "off"]);
    let mut ws = ws_hello(&fanout).await;
    let answer = command(&mut ws, json!(["PING"]), 2).await;
    assert_eq!(answer["refusal"]["fact"]["kind"], "redis_off", "{answer}");
}
