//! Fanout's broker against a real RabbitMQ: each schedule of
//! `broker/schedules.json` (producer, consumers, acks, nacks, rejects,
//! closed connections, a crash and restart, publisher confirms) runs once
//! through Debian's `rabbitmq-server` 3.10 with pika (`broker/rabbit_oracle.py`,
//! one private node per test binary) and once through the engine's
//! [`Broker`] state machine, driven directly here; the two ledgers must
//! agree message by message: what each publish's confirm said, every
//! delivery (to whom, `redelivered`, and in a quorum queue its
//! `x-delivery-count`), acknowledged or not, and where it ended: acked,
//! lost, dead-lettered, or still queued (after a restart: survived).
//!
//! The real broker needs the project's Python (`FANOUT_PYTHON`, with pika)
//! and the broker (`FANOUT_RABBITMQ_SERVER`); `cargo xtask test` installs
//! and sets both. Without them the comparison is skipped, saying why.
//!
//! Where the engine knowingly differs from RabbitMQ 3.10 (it has one kind
//! of queue, ordered like a classic queue; a publish to no queue is nacked)
//! the schedule names the messages concerned, the comparison leaves them
//! out, and the test checks that RabbitMQ still does what
//! `docs/design/reliability.md` ("Compared with the real systems") says.

use std::{collections::BTreeMap, fmt::Write as _, path::Path, process::Command, sync::OnceLock};

use fanout_shared::{
    broker::{
        Broker, BrokerSpec, ConnKey, Overflow, QueueSpec, Tag, TaskBody, TaskId, Transport,
        server::Settled,
    },
    time::Tick,
};
use serde_json::{Value, json};

fn schedules() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        serde_json::from_str(include_str!("broker/schedules.json")).expect("schedules.json")
    })
}

fn schedule(name: &str) -> &'static Value {
    schedules()["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no schedule {name}"))
}

/// What RabbitMQ did, per schedule (run once per test binary), or `None`
/// with the reason when the test command did not provide the broker. A
/// failed run fails every test that needs it, without running again.
fn oracle(name: &str) -> Option<&'static Value> {
    enum Run {
        Skipped(String),
        Ran(Value),
        Failed(String),
    }
    static OUT: OnceLock<Run> = OnceLock::new();
    let out = OUT.get_or_init(|| {
        let (Some(python), Some(server)) = (
            std::env::var_os("FANOUT_PYTHON"),
            std::env::var_os("FANOUT_RABBITMQ_SERVER"),
        ) else {
            return Run::Skipped(
                "FANOUT_PYTHON or FANOUT_RABBITMQ_SERVER is not set \
                 (cargo xtask test installs Debian's rabbitmq-server and pika and sets both)"
                    .into(),
            );
        };
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broker");
        let out = match Command::new(&python)
            .arg(dir.join("rabbit_oracle.py"))
            .arg(dir.join("schedules.json"))
            .env("FANOUT_RABBITMQ_SERVER", &server)
            .output()
        {
            Ok(out) => out,
            Err(e) => return Run::Failed(format!("cannot run {python:?}: {e}")),
        };
        if !out.status.success() {
            return Run::Failed(format!(
                "rabbit_oracle.py failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        match serde_json::from_slice(&out.stdout) {
            Ok(v) => Run::Ran(v),
            Err(e) => Run::Failed(format!("rabbit_oracle.py printed no JSON: {e}")),
        }
    });
    match out {
        Run::Ran(v) => Some(
            v["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["name"] == name)
                .unwrap_or_else(|| panic!("RabbitMQ ran no schedule {name}")),
        ),
        Run::Failed(why) => panic!("{why}"),
        Run::Skipped(why) => {
            println!("skipping the RabbitMQ comparison of {name}: {why}");
            None
        }
    }
}

/// The same schedule through the engine's broker, recorded as
/// rabbit_oracle.py records RabbitMQ.
struct EngineRun {
    broker: Broker,
    quorum: Vec<String>,
    /// conn name → (its key, its queue, the message each tag carries).
    conns: BTreeMap<String, (ConnKey, String, BTreeMap<String, Tag>)>,
    clients: u32,
    tasks: BTreeMap<String, TaskId>,
    names: BTreeMap<TaskId, String>,
    published: serde_json::Map<String, Value>,
    steps: Vec<Value>,
}

fn queue_spec(q: &Value) -> QueueSpec {
    let mut spec = QueueSpec::named(q["name"].as_str().unwrap());
    spec.durable = q["durable"].as_bool().unwrap_or(true);
    spec.delivery_limit = q["delivery_limit"].as_u64().map(|n| n as u32);
    spec.dead_letter = q["dead_letter"].as_str().map(str::to_owned);
    spec.max_length = q["max_length"].as_u64().map(|n| n as u32);
    spec.overflow = match q["overflow"].as_str() {
        Some("reject_publish") => Overflow::RejectPublish,
        _ => Overflow::DropHead,
    };
    spec
}

fn engine(name: &str) -> Value {
    let s = schedule(name);
    let queues = s["queues"].as_array().unwrap();
    let mut run = EngineRun {
        broker: Broker::new(BrokerSpec {
            queues: queues.iter().map(queue_spec).collect(),
            transport: Transport::Amqp,
            visibility_timeout: Tick::from_secs(3600),
            consumer_timeout: None,
        }),
        quorum: queues
            .iter()
            .filter(|q| q["type"] == "quorum")
            .map(|q| q["name"].as_str().unwrap().to_owned())
            .collect(),
        conns: BTreeMap::new(),
        clients: 0,
        tasks: BTreeMap::new(),
        names: BTreeMap::new(),
        published: serde_json::Map::new(),
        steps: Vec::new(),
    };
    for st in s["steps"].as_array().unwrap() {
        run.step(st);
    }
    let open: Vec<ConnKey> = run.conns.values().map(|(k, _, _)| *k).collect();
    for conn in open {
        run.broker.close(conn);
    }
    let mut end = serde_json::Map::new();
    for q in queues {
        let qn = q["name"].as_str().unwrap();
        let got: Vec<Value> = run
            .broker
            .queue(qn)
            .unwrap()
            .ready()
            .map(|m| json!({"message": run.names[&m.task], "redelivered": m.redelivered}))
            .collect();
        end.insert(qn.to_owned(), Value::Array(got));
    }
    json!({"name": name, "published": run.published, "steps": run.steps, "end": end})
}

impl EngineRun {
    fn task(&mut self, m: &str) -> TaskId {
        let next = TaskId(self.tasks.len() as u64);
        let t = *self.tasks.entry(m.to_owned()).or_insert(next);
        self.names.insert(t, m.to_owned());
        t
    }

    fn conn(&self, st: &Value) -> (ConnKey, Tag) {
        let (key, _, held) = &self.conns[st["conn"].as_str().unwrap()];
        (*key, held[st["message"].as_str().unwrap()])
    }

    fn step(&mut self, st: &Value) {
        let op = st["op"].as_str().unwrap();
        let mut closed = Vec::new();
        let body = TaskBody {
            work: Tick::ZERO,
            poison: false,
            retries: 0,
            eta: None,
        };
        match op {
            "publish" => {
                let queue = st["queue"].as_str().unwrap();
                let persistent = st["persistent"].as_bool().unwrap_or(true);
                for m in st["messages"].as_array().unwrap() {
                    let m = m.as_str().unwrap();
                    let task = self.task(m);
                    // The simulator answers a refused publish with a nack
                    // (sim/broker_net.rs), an accepted one with a confirm.
                    let confirm = match self.broker.publish(queue, task, body, persistent) {
                        Ok(_) => "ack",
                        Err(_) => "nack",
                    };
                    self.published.insert(m.to_owned(), confirm.into());
                }
            }
            "consume" => {
                self.clients += 1;
                let key = ConnKey {
                    client: self.clients,
                    session: 1,
                };
                let queue = st["queue"].as_str().unwrap();
                self.broker.open(key);
                let auto = st["ack"] == "auto";
                let prefetch = st["prefetch"].as_u64().unwrap() as u32;
                assert!(self.broker.consume(key, queue, prefetch, auto));
                self.conns.insert(
                    st["conn"].as_str().unwrap().to_owned(),
                    (key, queue.to_owned(), BTreeMap::new()),
                );
            }
            "ack" | "nack" | "reject" => {
                let (key, tag) = self.conn(st);
                let settled = if op == "ack" {
                    self.broker.ack(key, tag)
                } else {
                    self.broker.nack(key, tag, st["requeue"].as_bool().unwrap())
                };
                if let Settled::UnknownTag { closed: Some(_) } = settled {
                    closed.push(st["conn"].as_str().unwrap().to_owned());
                }
            }
            "close" => {
                let (key, _, _) = self.conns.remove(st["conn"].as_str().unwrap()).unwrap();
                self.broker.close(key);
            }
            "crash" => {
                self.broker.crash();
                self.broker.restart();
                self.conns.clear();
            }
            other => panic!("unknown op {other}"),
        }
        let mut deliveries = Vec::new();
        while let Some(d) = self.broker.dispatch(Tick::ZERO) {
            let (name, (_, queue, held)) = self
                .conns
                .iter_mut()
                .find(|(_, (k, _, _))| *k == d.conn)
                .expect("a delivery to a known connection");
            let message = self.names[&d.task].clone();
            held.insert(message.clone(), d.tag);
            let count = self.quorum.contains(queue).then_some(d.returns);
            deliveries.push(json!({"message": message, "conn": name, "redelivered": d.redelivered, "count": count}));
        }
        self.steps
            .push(json!({"op": op, "deliveries": deliveries, "channel_closed": closed}));
    }
}

/// One message's life, as both sides are compared.
#[derive(Debug, PartialEq, Eq)]
struct Entry {
    published: String,
    /// Each delivery: `c2`, `c2 redelivered`, with `count=N` in a quorum
    /// queue (its x-delivery-count).
    deliveries: Vec<String>,
    acked: bool,
    fate: String,
}

fn ledger(name: &str, run: &Value) -> BTreeMap<String, Entry> {
    let s = schedule(name);
    let dead_letters: Vec<&str> = s["queues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["dead_letter"].as_str())
        .collect();
    let mut out: BTreeMap<String, Entry> = BTreeMap::new();
    for (m, confirm) in run["published"].as_object().unwrap() {
        out.insert(
            m.clone(),
            Entry {
                published: confirm.as_str().unwrap().to_owned(),
                deliveries: Vec::new(),
                acked: false,
                fate: String::new(),
            },
        );
    }
    for (st, got) in s["steps"]
        .as_array()
        .unwrap()
        .iter()
        .zip(run["steps"].as_array().unwrap())
    {
        for d in got["deliveries"].as_array().unwrap() {
            let mut said = d["conn"].as_str().unwrap().to_owned();
            if d["redelivered"] == true {
                said.push_str(" redelivered");
            }
            if let Some(n) = d["count"].as_u64() {
                write!(said, " count={n}").unwrap();
            }
            let e = out.get_mut(d["message"].as_str().unwrap()).unwrap();
            e.deliveries.push(said);
        }
        let closed = got["channel_closed"].as_array().unwrap();
        if st["op"] == "ack" && !closed.iter().any(|c| *c == st["conn"]) {
            out.get_mut(st["message"].as_str().unwrap()).unwrap().acked = true;
        }
    }
    for e in out.values_mut() {
        e.fate = if e.acked {
            "acked".into()
        } else if e.published == "nack" {
            "refused".into()
        } else {
            "lost".into()
        };
    }
    for (q, msgs) in run["end"].as_object().unwrap() {
        for m in msgs.as_array().unwrap() {
            let e = out.get_mut(m["message"].as_str().unwrap()).unwrap();
            let flag = if m["redelivered"] == true {
                ", redelivered"
            } else {
                ""
            };
            e.fate = if dead_letters.contains(&q.as_str()) {
                format!("dead-lettered into {q}{flag}")
            } else {
                format!("queued in {q}{flag}")
            };
        }
    }
    out
}

fn table(l: &BTreeMap<String, Entry>) -> String {
    l.iter()
        .map(|(m, e)| {
            format!(
                "  {m}: publish {}, deliveries [{}], acked {}, {}\n",
                e.published,
                e.deliveries.join("; "),
                e.acked,
                e.fate
            )
        })
        .collect()
}

/// Steps' deliveries (each connection's in its order) and the queues'
/// contents at the end, leaving out `skip`'s messages.
fn order(run: &Value, skip: &[&str]) -> Value {
    let keep = |d: &&Value| !skip.contains(&d["message"].as_str().unwrap());
    let steps: Vec<Value> = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| {
            let mut ds: Vec<&Value> = st["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .filter(keep)
                .collect();
            ds.sort_by_key(|d| d["conn"].as_str().unwrap().to_owned());
            json!({"op": st["op"], "deliveries": ds, "channel_closed": st["channel_closed"]})
        })
        .collect();
    let end: serde_json::Map<String, Value> = run["end"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(q, ms)| {
            let ms: Vec<&Value> = ms.as_array().unwrap().iter().filter(keep).collect();
            (q.clone(), json!(ms))
        })
        .collect();
    json!({"steps": steps, "end": end})
}

/// A difference the engine is known to have, and the messages it touches.
struct Known {
    messages: &'static [&'static str],
    /// Deliveries and order differ for every message (only each message's
    /// publish confirm and fate are compared).
    order_differs: bool,
    why: &'static str,
}

const SAME: Known = Known {
    messages: &[],
    order_differs: false,
    why: "",
};

/// Compares the engine's ledger with RabbitMQ's; returns RabbitMQ's run
/// for the caller's own checks of a known difference.
fn compare(name: &str, known: Known) -> Option<&'static Value> {
    let mine = engine(name);
    let theirs = oracle(name)?;
    let (l_mine, l_theirs) = (ledger(name, &mine), ledger(name, theirs));
    let shown = format!(
        "schedule {name} ({}):\nRabbitMQ:\n{}engine:\n{}",
        schedule(name)["rule"].as_str().unwrap(),
        table(&l_theirs),
        table(&l_mine)
    );
    if !known.messages.is_empty() || known.order_differs {
        println!("{name}: known difference, not compared: {}", known.why);
    }
    assert_eq!(
        l_mine.keys().collect::<Vec<_>>(),
        l_theirs.keys().collect::<Vec<_>>(),
        "{shown}"
    );
    for (m, e) in &l_mine {
        if known.messages.contains(&m.as_str()) {
            continue;
        }
        let t = &l_theirs[m];
        if known.order_differs {
            assert_eq!(
                (&e.published, &e.fate),
                (&t.published, &t.fate),
                "{m} in {shown}"
            );
        } else {
            assert_eq!(e, t, "{m} in {shown}");
        }
    }
    if !known.order_differs {
        assert_eq!(
            order(&mine, known.messages),
            order(theirs, known.messages),
            "deliveries or their order differ in {shown}"
        );
    }
    let agree = if known.messages.is_empty() && !known.order_differs {
        "the engine and RabbitMQ agree"
    } else {
        "the engine and RabbitMQ agree on everything else"
    };
    println!("{name}: {agree}\n{shown}");
    Some(theirs)
}

/// The message RabbitMQ delivered in step `i`, to `conn`, in order.
fn delivered(run: &Value, i: usize) -> Vec<String> {
    run["steps"][i]["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn prefetch_limits_unacked_and_a_closed_connection_returns_them_redelivered_in_place() {
    compare("prefetch-and-close", SAME);
}

#[test]
fn an_auto_ack_consumer_that_dies_loses_what_it_was_given() {
    compare("auto-ack-lost", SAME);
}

#[test]
fn reject_and_nack_without_requeue_dead_letter_and_with_requeue_redeliver() {
    compare("reject-dead-letter", SAME);
}

#[test]
fn a_requeued_message_regains_its_place_in_a_classic_queue() {
    compare("requeue-order", SAME);
}

#[test]
fn a_quorum_queue_puts_a_nacked_message_behind_the_ready_ones_and_the_engine_does_not() {
    let Some(theirs) = compare(
        "requeue-order-quorum",
        Known {
            messages: &[],
            order_differs: true,
            why: "RabbitMQ 3.10's quorum queues put a message requeued by nack or reject behind \
                  the ready messages (a closed consumer's go in front); the engine has one kind of \
                  queue, ordered like a classic queue (back to its old place)",
        },
    ) else {
        return;
    };
    // Step 2 nacks m2 (m4 and m5 ready): RabbitMQ hands out m4 next.
    assert_eq!(delivered(theirs, 2), ["m4"]);
    let mine = engine("requeue-order-quorum");
    assert_eq!(delivered(&mine, 2), ["m2"]);
}

#[test]
fn a_delivery_limit_of_two_dead_letters_on_the_third_return_by_nack_or_close() {
    compare("delivery-limit", SAME);
}

#[test]
fn acking_twice_closes_the_channel_and_returns_its_other_deliveries() {
    compare("unknown-tag", SAME);
}

#[test]
fn a_crash_keeps_persistent_messages_of_durable_queues_all_marked_redelivered() {
    compare("broker-restart", SAME);
}

#[test]
fn publisher_confirms_ack_accepted_nack_refused_and_drop_head_dead_letters() {
    let Some(theirs) = compare(
        "confirms",
        Known {
            messages: &["m9"],
            order_differs: false,
            why: "RabbitMQ confirms (acks) a publish no queue takes and drops it; the engine \
                  nacks it (no scenario can publish to a queue its broker lacks)",
        },
    ) else {
        return;
    };
    assert_eq!(theirs["published"]["m9"], "ack");
    assert_eq!(engine("confirms")["published"]["m9"], "nack");
}
