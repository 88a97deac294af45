//! A real Celery app (celery and kombu from PyPI, pinned in
//! xtask/python-requirements.txt) with Fanout as its Redis: workers run as
//! `celery -A tasks worker --pool solo`, a client sends tasks, and the four
//! journeys the chapter's last word promises all complete:
//! - `add.delay(2, 3).get(timeout=…) == 5`;
//! - a task that fails twice, retrying with a countdown, then succeeds;
//! - a group of five tasks;
//! - with `acks_late` and a 2-second visibility timeout, a worker killed
//!   in the middle of a task: once the timeout passes, kombu's restore
//!   (WATCH/MULTI/EXEC on its `unacked` hash) puts the task back and a
//!   second worker runs it to the end.
//!
//! The app is `server/tests/python/celery_app/tasks.py`; the client side
//! is `checks.py` beside it. Needs FANOUT_PYTHON (`cargo xtask test` sets
//! it) and skips, saying so, without it.

mod common;
mod redis_support;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use common::Fanout;
use redis_support::tool;
use serde_json::Value;

fn app_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/celery_app")
}

/// A process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn python_command(python: &Path, url: &str) -> Command {
    let mut command = Command::new(python);
    command
        .current_dir(app_dir())
        .env("FANOUT_REDIS_URL", url)
        .env("FANOUT_VISIBILITY_TIMEOUT", "2")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    command
}

/// `celery -A tasks worker --pool solo`, named `name`.
fn worker(python: &Path, url: &str, name: &str, log: &Path) -> Running {
    let log = std::fs::File::create(log).expect("a worker log");
    let child = python_command(python, url)
        .args([
            "-m",
            "celery",
            "-A",
            "tasks",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "info",
            "-n",
        ])
        .arg(format!("{name}@%h"))
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("a celery worker starts");
    Running(child)
}

/// Runs checks.py with `args`; its one JSON line.
fn check(python: &Path, url: &str, args: &[&str]) -> Value {
    let output = python_command(python, url)
        .arg("checks.py")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("checks.py runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "checks.py {args:?} failed:\n{stdout}\n{stderr}"
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("JSON from checks.py: {stdout}"))
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_celery_app_runs_its_tasks_through_fanout() {
    let Some(python) = tool("FANOUT_PYTHON") else {
        return;
    };
    let started = Instant::now();
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let url = format!("redis://{}/0", fanout.redis.expect("the redis node is on"));
    let scratch = tempdir();
    let first = worker(&python, &url, "first", &scratch.join("first.log"));

    let basic = check(&python, &url, &["basic"]);
    assert_eq!(basic["add"], 5, "{basic}");
    assert_eq!(basic["retry"], "ok after 2 retries", "{basic}");
    assert_eq!(
        basic["group"],
        serde_json::json!([0, 2, 4, 6, 8]),
        "{basic}"
    );

    // A task that sleeps 3 s, acknowledged only when it returns.
    let journal = scratch.join("journal.txt");
    let journal_text = || std::fs::read_to_string(&journal).unwrap_or_default();
    let sent = check(&python, &url, &["slow", journal.to_str().unwrap(), "3"]);
    let id = sent["id"].as_str().expect("a task id").to_owned();
    wait_until(
        "the first worker to start the task",
        Duration::from_secs(30),
        || journal_text().contains("start"),
    );
    let first_pid = first.0.id();
    drop(first); // SIGKILL in the middle of the task
    let _second = worker(&python, &url, "second", &scratch.join("second.log"));
    let waited = check(&python, &url, &["wait", &id, "60"]);
    assert_eq!(waited["result"], "slept", "{waited}");
    assert_eq!(waited["state"], "SUCCESS", "{waited}");

    let lines: Vec<String> = journal_text().lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], format!("start {first_pid}"), "{lines:?}");
    let (second_start, second_done) = (&lines[1], &lines[2]);
    let second_pid = second_start.strip_prefix("start ").expect("a second start");
    assert_ne!(second_pid, first_pid.to_string(), "{lines:?}");
    assert_eq!(second_done, &format!("done {second_pid}"), "{lines:?}");
    println!(
        "Celery end to end: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// A fresh folder under target/ for logs and the journal.
fn tempdir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/redis-celery")
        .join(format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// The Tasks page's "send a task": the message built by
/// `fanout_shared::celery::task_envelope` and pushed through the page's
/// command line (`tasks_command`), run by a worker of the very example app
/// the page serves (`static/clients/celery_tasks.py`, unchanged: its
/// hard-coded 127.0.0.1:6379 overridden by celery's own `--broker` and
/// `--result-backend` options), which stores the result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_sent_from_the_page_is_run_by_the_example_apps_worker() {
    let Some(python) = tool("FANOUT_PYTHON") else {
        return;
    };
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let redis = fanout.redis.expect("the redis node is on");
    let url = format!("redis://{redis}/0");
    let scratch = tempdir();
    let log_path = scratch.join("example.log");
    let log = std::fs::File::create(&log_path).expect("a worker log");
    let _worker = Running(
        Command::new(&python)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/clients"))
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .args(["-m", "celery", "-A", "celery_tasks", "--broker", &url])
            .args(["--result-backend", &url, "worker", "--pool", "solo"])
            .args(["--loglevel", "info", "-n", "example@%h"])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("a celery worker starts"),
    );

    let id = fanout_shared::celery::uuid4(*b"fanout-page-task");
    let message = fanout_shared::celery::task_envelope(&fanout_shared::celery::NewTask {
        task: "celery_tasks.add",
        id: &id,
        args: &[serde_json::json!(2), serde_json::json!(3)],
        kwargs: &[],
        queue: "celery",
        origin: "browser@test",
        reply_to: &fanout_shared::celery::uuid4([1; 16]),
        delivery_tag: &fanout_shared::celery::uuid4([2; 16]),
    });
    let mut ws = common::ws_hello(&fanout).await;
    common::send_json(
        &mut ws,
        &serde_json::json!({"type": "tasks_command", "args": ["LPUSH", "celery", message], "id": 1}),
    )
    .await;
    let reply = common::recv_json(&mut ws).await;
    assert_eq!(reply["text"], "(integer) 1\n", "{reply}");

    let mut client = redis_support::Resp::connect(redis);
    let key = format!("celery-task-meta-{id}");
    let mut stored = String::new();
    wait_until(
        "the worker to store the result",
        Duration::from_secs(60),
        || {
            stored = String::from_utf8_lossy(&client.call(&["GET", &key]).bytes()).into_owned();
            stored.contains("SUCCESS")
        },
    );
    let json_start = stored.find('{').expect("a JSON result");
    let result = fanout_shared::celery::message::stored_result(&stored[json_start..])
        .expect("a result Celery wrote");
    assert_eq!(result.state, fanout_shared::celery::TaskState::Success);
    assert_eq!(result.result, "5");
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(
        log.contains(&format!("celery_tasks.add[{id}] succeeded")),
        "{log}"
    );
}
