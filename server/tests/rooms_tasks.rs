//! Brokers in live rooms, against the real binary (docs/protocol.md,
//! "Brokers in a room"): a room runs a broker and a producer; live task
//! workers join with `node_add` (the engine keeps their broker connection,
//! the participant runs each handler and says `task_done`); a participant
//! whose session drops crashes its worker, and the unacknowledged task is
//! redelivered (late ack) or lost (early ack), as the room's ledger says.
//! The example client `static/clients/worker.py` is run as a student runs
//! it (needs `FANOUT_PYTHON`; those tests are skipped with a note when it
//! is unset); the protocol itself is tested frame by frame.

mod common;
mod rooms_support;

use std::{
    path::Path,
    process::{Command, Output},
};

use common::Fanout;
use rooms_support::{Client, client_script, python, run_python_file, text};
use serde_json::{Value, json};

/// A broker with one queue and a producer of `count` tasks of 200 ms each,
/// every 50 ms; no workers: the participants are the workers.
fn task_room(count: u64) -> Value {
    json!({
        "name": "class-tasks",
        "network": {"latency": "1ms", "give_up": "2s"},
        "nodes": [
            {"name": "broker", "program": {"kind": "broker", "queues": [{"name": "tasks"}]}, "sockets": []},
            {"name": "producer", "program": {"kind": "task_producer", "broker": "broker", "queue": "tasks",
                "interval": "50ms", "count": count, "work": "200ms"}, "sockets": []}
        ]
    })
}

fn live_worker(ack: &str) -> Value {
    json!({"kind": "task_worker", "broker": "broker", "queue": "tasks", "prefetch": 1, "ack": ack, "live": true})
}

/// A live producer's program: it publishes when its participant says.
fn live_producer() -> Value {
    json!({"kind": "task_producer", "broker": "broker", "queue": "tasks", "interval": "0ms", "live": true})
}

/// The ledger of the latest `room_events` whose ledger satisfies `done`.
async fn ledger_when(watcher: &mut Client, done: impl Fn(&Value) -> bool) -> Value {
    let frame = watcher
        .push_where(|f| f["type"] == "room_events" && done(&f["summary"]["ledger"]))
        .await;
    frame["summary"]["ledger"].clone()
}

fn task_line(ledger: &Value, task: u64) -> Value {
    ledger["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["task"] == task)
        .cloned()
        .unwrap_or_else(|| panic!("task {task} in {ledger}"))
}

/// Every task (`n` of them) has an outcome other than "pending", and the
/// broker has its acknowledgement (which travels after the side effect).
fn all_settled(ledger: &Value, n: usize) -> bool {
    ledger["tasks"].as_array().is_some_and(|tasks| {
        tasks.len() == n
            && tasks
                .iter()
                .all(|t| t["outcome"] != "pending" && t["acked"].as_u64() >= Some(1))
    })
}

/// The node number of `name` in the room.
async fn node_number(client: &mut Client, name: &str) -> u64 {
    let topo = client
        .ok(json!({"type": "room_topology"}), "room_topology")
        .await;
    topo["topology"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == name)
        .and_then(|n| n["id"].as_u64())
        .unwrap_or_else(|| panic!("{name} in {topo}"))
}

#[tokio::test]
async fn a_live_task_worker_runs_each_handed_task_and_says_done() {
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let mut teacher = Client::connect(&fanout).await;
    let (code, _) = teacher.create(task_room(5)).await;
    teacher
        .ok(json!({"type": "room_watch", "on": true}), "room_watching")
        .await;
    let mut student = Client::connect(&fanout).await;
    student.join(&code).await;
    let added = student
        .ok(
            json!({"type": "node_add", "name": "w", "program": live_worker("late")}),
            "node_added",
        )
        .await;
    assert_eq!(added["node"], "w", "{added}");

    let mut seen = Vec::new();
    while seen.len() < 5 {
        let task = student.push_of_type("task").await;
        assert_eq!(task["room"], code.as_str(), "{task}");
        assert_eq!(task["node"], "w", "{task}");
        assert_eq!(task["work_us"], 200_000, "{task}");
        assert_eq!(task["redelivered"], false, "{task}");
        let id = task["task"].as_u64().expect("a task number");
        // Nothing more is handed out while this one runs (prefetch 1,
        // late ack: the next delivery waits for this ack).
        let more = student
            .drain_for(std::time::Duration::from_millis(300))
            .await;
        assert!(
            more.iter().all(|f| f["type"] != "task"),
            "a second task while t{id} runs: {more:?}"
        );
        student
            .ok(
                json!({"type": "room_act", "action": {"op": "task_done", "node": "w", "task": id}}),
                "room_acted",
            )
            .await;
        seen.push(id);
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "five different tasks: {seen:?}");

    let w = node_number(&mut teacher, "w").await;
    let ledger = ledger_when(&mut teacher, |l| all_settled(l, 5)).await;
    for id in seen {
        let line = task_line(&ledger, id);
        assert_eq!(line["outcome"], "exactly_once", "{line}");
        assert_eq!(line["processed"], 1, "{line}");
        assert_eq!(line["acked"], 1, "{line}");
        assert_eq!(line["worker"], w, "{line}");
    }
}

#[tokio::test]
async fn live_task_programs_are_refused_with_their_reasons() {
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let mut teacher = Client::connect(&fanout).await;
    let (code, _) = teacher.create(task_room(3)).await;
    let mut student = Client::connect(&fanout).await;
    student.join(&code).await;

    // A member adds live task programs only; a broker is the creator's.
    let e = student
        .refused(json!({"type": "node_add", "name": "b2", "program": {"kind": "broker", "queues": [{"name": "q"}]}}))
        .await;
    assert_eq!(e["field"], "program", "{e}");
    assert_eq!(
        e["refusal"]["fact"],
        json!({"code": "not_a_live_program", "program": "broker"}),
        "{e}"
    );
    // A worker on a queue the broker does not have: the engine's sentence.
    let mut bad = live_worker("late");
    bad["queue"] = json!("nope");
    let e = student
        .refused(json!({"type": "node_add", "name": "w", "program": bad}))
        .await;
    assert!(e["message"].as_str().unwrap().contains("nope"), "{e}");

    student
        .ok(
            json!({"type": "node_add", "name": "w", "program": live_worker("early")}),
            "node_added",
        )
        .await;
    let task = student.push_of_type("task").await;
    let id = task["task"].as_u64().unwrap();
    // Done with a task it was not handed.
    let e = student
        .refused(json!({"type": "room_act", "action": {"op": "task_done", "node": "w", "task": id + 100}}))
        .await;
    assert_eq!(e["refusal"]["fact"]["code"], "edit", "{e}");
    assert_eq!(
        e["refusal"]["fact"]["error"]["code"], "not_handed_out",
        "{e}"
    );
    // `publish` speaks to a live producer, not a worker.
    let e = student
        .refused(json!({"type": "room_act", "action": {"op": "publish", "node": "w", "count": 1}}))
        .await;
    assert_eq!(e["refusal"]["fact"]["error"]["code"], "not_live", "{e}");
    // Faults are the creator's.
    let e = student
        .refused(json!({"type": "room_act", "action": {"op": "crash", "node": "w"}}))
        .await;
    assert_eq!(e["field"], "action.op", "{e}");
    assert_eq!(e["refusal"]["fact"]["code"], "only_creator_faults", "{e}");
    // Another member's node is not the student's to finish.
    let e = teacher
        .request(
            json!({"type": "room_act", "action": {"op": "task_done", "node": "w", "task": id}}),
        )
        .await;
    // The creator may act on any node: this one is accepted.
    assert_eq!(e["type"], "room_acted", "{e}");
    // The student's session is unharmed: the next task comes.
    let next = student.push_of_type("task").await;
    assert_ne!(next["task"], id, "{next}");
}

#[tokio::test]
async fn the_creator_crashes_a_node_and_a_live_producer_gets_its_confirms() {
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let mut teacher = Client::connect(&fanout).await;
    let (code, _) = teacher.create(task_room(0)).await;
    let mut student = Client::connect(&fanout).await;
    student.join(&code).await;
    student
        .ok(
            json!({"type": "node_add", "name": "p", "program": live_producer()}),
            "node_added",
        )
        .await;
    student
        .ok(
            json!({"type": "room_act", "action": {"op": "publish", "node": "p", "count": 50}}),
            "room_acted",
        )
        .await;
    let mut confirmed = Vec::new();
    while confirmed.len() < 50 {
        let frame = student.push_of_type("confirmed").await;
        assert_eq!(frame["node"], "p", "{frame}");
        confirmed.extend(
            frame["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_u64().unwrap()),
        );
    }
    confirmed.sort_unstable();
    confirmed.dedup();
    assert_eq!(confirmed.len(), 50, "{confirmed:?}");

    // The creator's fault: the broker crashes; the producer's next
    // publishes wait for it to come back (restart after 300 ms).
    let crashed = teacher
        .ok(
            json!({"type": "room_act", "action": {"op": "crash", "node": "broker", "duration": "300ms"}}),
            "room_acted",
        )
        .await;
    assert_eq!(crashed["event"]["what"], "crashed", "{crashed}");
    // Persistent messages in a durable queue survive on the broker's disk.
    assert_eq!(crashed["event"]["kept"], 50, "{crashed}");
    student
        .ok(
            json!({"type": "room_act", "action": {"op": "publish", "node": "p", "count": 5}}),
            "room_acted",
        )
        .await;
    let mut after = Vec::new();
    while after.len() < 5 {
        let frame = student.push_of_type("confirmed").await;
        after.extend(
            frame["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_u64().unwrap()),
        );
    }
    assert!(
        after.iter().all(|t| !confirmed.contains(t)),
        "new tasks after the restart: {after:?}"
    );
}

/// A live producer's `publish` is charged as that many messages against the
/// member's rate, and a room makes at most `MAX_TASKS` (100,000) tasks: the
/// ledger keeps every one, so this is what bounds a room's memory.
#[tokio::test]
async fn publishing_is_rate_limited_and_a_room_holds_a_bounded_number_of_tasks() {
    /// The creator of a room with no tasks yet and a live producer `p`.
    async fn room_with_a_producer(fanout: &Fanout) -> Client {
        let mut teacher = Client::connect(fanout).await;
        teacher.create(task_room(0)).await;
        teacher
            .ok(
                json!({"type": "node_add", "name": "p", "program": live_producer()}),
                "node_added",
            )
            .await;
        teacher
    }

    let fanout = Fanout::start(&["--cache-nodes", "0", "--room-rate", "500000"]);
    let mut teacher = room_with_a_producer(&fanout).await;
    let e = teacher
        .refused(
            json!({"type": "room_act", "action": {"op": "publish", "node": "p", "count": 100_001}}),
        )
        .await;
    assert_eq!(e["field"], "action.count", "{e}");
    assert_eq!(
        e["refusal"]["fact"],
        json!({"code": "task_limit", "tasks": 0, "limit": 100_000}),
        "{e}"
    );
    teacher
        .ok(
            json!({"type": "room_act", "action": {"op": "publish", "node": "p", "count": 10}}),
            "room_acted",
        )
        .await;

    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let mut teacher = room_with_a_producer(&fanout).await;
    // The default rate is 2,000 messages a second.
    let e = teacher
        .refused(
            json!({"type": "room_act", "action": {"op": "publish", "node": "p", "count": 5000}}),
        )
        .await;
    assert_eq!(e["refusal"]["fact"]["code"], "rate_limit", "{e}");
}

/// Runs worker.py to its end.
async fn worker_py(python: &Path, args: Vec<String>) -> Output {
    run_python_file(python, &client_script("worker.py"), args).await
}

/// `worker.py --ack ACK --crash-after 3` alone in a room of 8 tasks, then
/// a second worker.py for the rest. Returns the task the first one held
/// when it crashed, the ledger once every task settled, and the second
/// worker's node number.
async fn crash_then_finish(ack: &str, rest: u32) -> Option<(u64, Value, u64)> {
    let python = python()?;
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let mut teacher = Client::connect(&fanout).await;
    let (code, _) = teacher.create(task_room(8)).await;
    teacher
        .ok(json!({"type": "room_watch", "on": true}), "room_watching")
        .await;
    let common = |name: &str| -> Vec<String> {
        [
            "--url",
            &fanout.ws_url(),
            "--room",
            &code,
            "--name",
            name,
            "--ack",
            ack,
        ]
        .map(String::from)
        .to_vec()
    };
    let mut args = common("crashy");
    args.extend(["--crash-after", "3", "--slow", "0.05"].map(String::from));
    let out = worker_py(&python, args).await;
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "it exits abruptly: {stdout}\n{}",
        text(&out.stderr)
    );
    let held: u64 = stdout
        .split("in the middle of task t")
        .nth(1)
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or_else(|| panic!("which task it held: {stdout}"));

    let mut args = common("steady");
    args.extend(["--count", &rest.to_string(), "--slow", "0.05"].map(String::from));
    let out = worker_py(&python, args).await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("task worker steady: ran {rest} tasks")),
        "{stdout}"
    );
    let steady = node_number(&mut teacher, "steady").await;
    let ledger = ledger_when(&mut teacher, |l| all_settled(l, 8)).await;
    Some((held, ledger, steady))
}

#[tokio::test]
async fn worker_py_crashing_under_late_ack_has_its_task_run_by_another_worker() {
    // 2 done, the 3rd held and redelivered: the second worker runs 6.
    let Some((held, ledger, steady)) = crash_then_finish("late", 6).await else {
        return;
    };
    let line = task_line(&ledger, held);
    assert_eq!(line["outcome"], "exactly_once", "{line}");
    assert_eq!(line["delivered"], 2, "started by both workers: {line}");
    assert_eq!(line["redelivered"], 1, "{line}");
    assert_eq!(line["processed"], 1, "{line}");
    assert_eq!(line["worker"], steady, "{line}");
    assert_eq!(
        ledger["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["outcome"] == "exactly_once")
            .count(),
        8,
        "{ledger}"
    );
}

#[tokio::test]
async fn worker_py_crashing_under_early_ack_loses_its_task() {
    // 2 done, the 3rd acknowledged before it ran, then lost: 5 remain.
    let Some((held, ledger, _)) = crash_then_finish("early", 5).await else {
        return;
    };
    let line = task_line(&ledger, held);
    assert_eq!(line["outcome"], "lost", "{line}");
    assert_eq!(line["acked"], 1, "acknowledged before it ran: {line}");
    assert_eq!(line["processed"], 0, "{line}");
    assert_eq!(line["delivered"], 1, "{line}");
    let lost: Vec<&Value> = ledger["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["outcome"] == "lost")
        .collect();
    assert_eq!(lost.len(), 1, "only the held task: {ledger}");
}

/// The lines a running program prints, as they come.
fn lines_of(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next line `pred` accepts (earlier ones are skipped).
fn line_where(lines: &std::sync::mpsc::Receiver<String>, pred: impl Fn(&str) -> bool) -> String {
    loop {
        let line = lines
            .recv_timeout(rooms_support::PATIENCE * 3)
            .expect("room.py printed the expected line in time");
        if pred(&line) {
            return line;
        }
    }
}

/// The teacher's terminal: `room.py --scenario FILE` creates the room and
/// prints its code, token and ledger; a student's `worker.py` runs its
/// tasks; `room.py --act` with the token crashes the broker, as the
/// creator may.
#[tokio::test]
async fn room_py_creates_a_lesson_watches_its_ledger_and_injects_a_fault() {
    let Some(python) = python() else { return };
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let dir = std::env::temp_dir().join(format!("fanout-room-py-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("lesson.json");
    std::fs::write(&scenario, task_room(8).to_string()).unwrap();
    let mut teacher = Command::new(&python)
        .arg(client_script("room.py"))
        .args(["--url", &fanout.ws_url(), "--scenario"])
        .arg(&scenario)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("room.py runs");
    let lines = lines_of(&mut teacher);
    let first = line_where(&lines, |l| l.starts_with("room "));
    let words: Vec<&str> = first.split_whitespace().collect();
    let (code, token) = (words[1].to_owned(), words[3].to_owned());
    assert_eq!(words[2], "token", "{first}");

    let out = worker_py(
        &python,
        [
            "--url",
            &fanout.ws_url(),
            "--room",
            &code,
            "--ack",
            "late",
            "--count",
            "8",
            "--slow",
            "0.01",
        ]
        .map(String::from)
        .to_vec(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let done = line_where(&lines, |l| l.contains("tasks: 8 exactly once"));
    assert!(done.contains("0 lost"), "{done}");

    let crash = r#"{"op": "crash", "node": "broker", "duration": "200ms"}"#;
    let acted = run_python_file(
        &python,
        &client_script("room.py"),
        [
            "--url",
            &fanout.ws_url(),
            "--room",
            &code,
            "--token",
            &token,
            "--act",
            crash,
        ]
        .map(String::from)
        .to_vec(),
    )
    .await;
    let said = text(&acted.stdout);
    assert!(acted.status.success(), "{said}\n{}", text(&acted.stderr));
    assert!(said.contains("crash applied (crashed)"), "{said}");
    let _ = teacher.kill();
    let _ = teacher.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
