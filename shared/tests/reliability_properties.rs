//! Property tests over seeds and random fault schedules: whatever crashes,
//! pauses, partitions, delays, drops and duplicates hit a broker pipeline,
//! the ledger keeps each configuration's promise.
//!
//! - no task is acknowledged more often than it was delivered;
//! - at least once (late ack, confirms, persistent, durable): nothing the
//!   producer had a confirm for is lost, and once every fault is over
//!   every task is done;
//! - effectively once: that, and no side effect twice;
//! - at most once (automatic ack, no republishing): no side effect twice;
//! - Celery's early ack: a side effect twice only for a task one of whose
//!   acks never reached the broker (that is the caveat of "at most once");
//! - the same seed and faults give the same trace digest, and faults
//!   applied through the timeline replay from the recording exactly.

use std::collections::{BTreeMap, BTreeSet};

use fanout_shared::{
    broker::{Guarantee, TaskId},
    sim::{
        Action, BrokerEvent, Event, EventKind, Scenario, Simulator, Timeline,
        broker_event::{CloseWhy, FrameKind, RepublishWhy, Side},
        timeline::ScenarioRef,
    },
    time::Tick,
};
use proptest::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Config {
    AtMostOnce,
    EarlyAck,
    AtLeastOnce,
    EffectivelyOnce,
}

#[derive(Clone, Debug)]
struct Setup {
    config: Config,
    redis: bool,
    workers: u32,
    prefetch: u32,
    tasks: u32,
    interval_ms: u64,
    work_ms: u64,
    latency_us: u64,
}

#[derive(Clone, Debug)]
enum Fault {
    Crash {
        node: usize,
        on: Option<&'static str>,
        down_ms: u64,
    },
    Pause {
        node: usize,
        ms: u64,
    },
    Partition {
        node: usize,
        one_way: bool,
        ms: u64,
    },
    Delay {
        node: usize,
        ms: u64,
        jitter_ms: u64,
        for_ms: u64,
    },
    Drop {
        node: usize,
        percent: u32,
        for_ms: u64,
    },
    Duplicate {
        node: usize,
        percent: u32,
        for_ms: u64,
    },
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop_oneof![
            Just(Config::AtMostOnce),
            Just(Config::EarlyAck),
            Just(Config::AtLeastOnce),
            Just(Config::EffectivelyOnce)
        ],
        any::<bool>(),
        1u32..=3,
        1u32..=4,
        3u32..=25,
        10u64..=150,
        10u64..=400,
        50u64..=3000,
    )
        .prop_map(
            |(config, redis, workers, prefetch, tasks, interval_ms, work_ms, latency_us)| Setup {
                config,
                redis,
                workers,
                prefetch,
                tasks,
                interval_ms,
                work_ms,
                latency_us,
            },
        )
}

fn fault() -> impl Strategy<Value = Fault> {
    // Node 0 is the broker, 1 the producer, 2.. the workers (taken modulo).
    prop_oneof![
        (
            0usize..5,
            prop::option::of(prop_oneof![Just("work"), Just("side_effect")]),
            50u64..1500
        )
            .prop_map(|(node, on, down_ms)| Fault::Crash { node, on, down_ms }),
        (0usize..5, 50u64..3000).prop_map(|(node, ms)| Fault::Pause { node, ms }),
        (1usize..5, any::<bool>(), 50u64..3000).prop_map(|(node, one_way, ms)| Fault::Partition {
            node,
            one_way,
            ms
        }),
        (1usize..5, 1u64..50, 0u64..20, 100u64..2000).prop_map(|(node, ms, jitter_ms, for_ms)| {
            Fault::Delay {
                node,
                ms,
                jitter_ms,
                for_ms,
            }
        }),
        (1usize..5, 1u32..60, 100u64..2000).prop_map(|(node, percent, for_ms)| Fault::Drop {
            node,
            percent,
            for_ms
        }),
        (1usize..5, 1u32..60, 100u64..2000).prop_map(|(node, percent, for_ms)| Fault::Duplicate {
            node,
            percent,
            for_ms
        }),
    ]
}

fn schedule() -> impl Strategy<Value = Vec<(u64, Fault)>> {
    prop::collection::vec((0u64..4000, fault()), 0..6)
}

fn names(s: &Setup) -> Vec<String> {
    let mut n = vec!["broker".to_string(), "producer".to_string()];
    n.extend((0..s.workers).map(|i| format!("worker-{i}")));
    n
}

fn scenario_json(s: &Setup) -> String {
    let (ack, dedup, confirms) = match s.config {
        Config::AtMostOnce => ("auto", false, false),
        Config::EarlyAck => ("early", false, false),
        Config::AtLeastOnce => ("late", false, true),
        Config::EffectivelyOnce => ("late", true, true),
    };
    let transport = if s.redis {
        r#""transport": "redis", "visibility_timeout": "2s""#
    } else {
        r#""consumer_timeout": "3s""#
    };
    let mut nodes = vec![
        format!(
            r#"{{"name": "broker", "program": {{"kind": "broker", "queues": [{{"name": "q"}}], {transport}}}, "sockets": []}}"#
        ),
        format!(
            r#"{{"name": "producer", "program": {{"kind": "task_producer", "broker": "broker", "queue": "q",
                "interval": "{}ms", "count": {}, "work": "{}ms", "confirms": {confirms}, "republish_after": "500ms"}}, "sockets": []}}"#,
            s.interval_ms, s.tasks, s.work_ms
        ),
    ];
    for i in 0..s.workers {
        nodes.push(format!(
            r#"{{"name": "worker-{i}", "program": {{"kind": "task_worker", "broker": "broker", "queue": "q",
                "prefetch": {}, "ack": "{ack}", "dedup": {dedup}}}, "sockets": []}}"#,
            s.prefetch
        ));
    }
    format!(
        r#"{{"name": "prop-broker", "network": {{"latency": "{}us", "give_up": "1s"}}, "nodes": [{}]}}"#,
        s.latency_us,
        nodes.join(",")
    )
}

fn action(s: &Setup, f: &Fault) -> Option<Action> {
    let names = names(s);
    let pick = |i: usize| names[i % names.len()].clone();
    // A link fault or partition between a client and the broker.
    let client = |i: usize| names[1 + (i % (names.len() - 1))].clone();
    let ms = Tick::from_millis;
    Some(match f {
        Fault::Crash { node, on, down_ms } => Action::Crash {
            node: pick(*node),
            on: on.map(|p| serde_json::from_value(serde_json::json!(p)).unwrap()),
            duration: Some(ms(*down_ms)),
        },
        Fault::Pause { node, ms: m } => Action::Pause {
            node: pick(*node),
            duration: Some(ms(*m)),
        },
        Fault::Partition {
            node,
            one_way,
            ms: m,
        } => Action::Partition {
            a: vec![client(*node)],
            b: vec!["broker".into()],
            one_way: *one_way,
            duration: Some(ms(*m)),
        },
        Fault::Delay {
            node,
            ms: d,
            jitter_ms,
            for_ms,
        } => Action::Delay {
            a: vec![client(*node)],
            b: vec!["broker".into()],
            latency: ms(*d),
            jitter: ms(*jitter_ms),
            duration: Some(ms(*for_ms)),
        },
        Fault::Drop {
            node,
            percent,
            for_ms,
        } => Action::Drop {
            a: vec![client(*node)],
            b: vec!["broker".into()],
            rate: f64::from(*percent) / 100.0,
            duration: Some(ms(*for_ms)),
        },
        Fault::Duplicate {
            node,
            percent,
            for_ms,
        } => {
            // The network duplicating deliveries defeats "at most once" by
            // definition; the promise is about the broker and workers.
            if matches!(s.config, Config::AtMostOnce | Config::EarlyAck) {
                return None;
            }
            Action::Duplicate {
                a: vec![client(*node)],
                b: vec!["broker".into()],
                rate: f64::from(*percent) / 100.0,
                duration: Some(ms(*for_ms)),
            }
        }
    })
}

/// Runs the setup with its faults applied through a timeline at their
/// times, then long enough for every fault to end and every task to
/// settle. Returns the timeline and the trace.
fn run(s: &Setup, faults: &[(u64, Fault)], seed: u64) -> (Timeline, Vec<Event>) {
    let scenario = Scenario::from_json(&scenario_json(s)).expect("valid scenario");
    let mut t = Timeline::new(ScenarioRef::Inline(Box::new(scenario)), seed).unwrap();
    let mut trace = Vec::new();
    let mut faults: Vec<_> = faults.to_vec();
    faults.sort_by_key(|(at, _)| *at);
    for (at, f) in &faults {
        while let Some(e) = t.step_until(Tick::from_millis(*at)) {
            trace.push(e);
        }
        t.advance_idle(Tick::from_millis(*at));
        if let Some(a) = action(s, f)
            && let Ok(e) = t.apply(a)
        {
            trace.push(e);
        }
    }
    while let Some(e) = t.step_until(Tick::from_secs(60)) {
        trace.push(e);
        assert!(trace.len() < 2_000_000, "runaway trace");
    }
    (t, trace)
}

/// Tasks one of whose acks never reached the broker: sent on a connection
/// that had closed, lost by the network, or sent and never applied.
fn lost_acks(trace: &[Event], sim: &Simulator) -> BTreeSet<TaskId> {
    let mut sent: BTreeMap<TaskId, u32> = BTreeMap::new();
    let mut lost = BTreeSet::new();
    for e in trace {
        match &e.kind {
            EventKind::Broker(BrokerEvent::Settle { task, stale, .. }) => {
                if *stale {
                    lost.insert(*task);
                } else {
                    *sent.entry(*task).or_default() += 1;
                }
            }
            EventKind::Broker(BrokerEvent::FrameDropped {
                frame: FrameKind::Settle,
                task: Some(task),
                ..
            }) => {
                lost.insert(*task);
            }
            _ => {}
        }
    }
    for (task, n) in sent {
        if sim.ledger_records().get(task).is_some_and(|r| r.acked < n) {
            lost.insert(task);
        }
    }
    lost
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_keeps_each_configurations_promise(
        s in setup(),
        faults in schedule(),
        seed in 0u64..1000,
    ) {
        let (t, trace) = run(&s, &faults, seed);
        let sim = t.sim();
        let ledger = sim.ledger().expect("a broker scenario has a ledger");
        let q = ledger.queue("q").expect("the queue's line").clone();
        for r in sim.ledger_records().records() {
            prop_assert!(r.acked <= r.dispatched, "{} acked {} times, delivered {}", r.task, r.acked, r.dispatched);
        }
        // A producer that crashes starts its program again: more tasks.
        prop_assert!(q.produced >= u64::from(s.tasks));
        match s.config {
            Config::AtLeastOnce | Config::EffectivelyOnce => {
                let promise = if s.config == Config::AtLeastOnce {
                    Guarantee::AtLeastOnce
                } else {
                    Guarantee::EffectivelyOnce
                };
                prop_assert_eq!(q.guarantee, Some(promise));
                prop_assert_eq!(q.lost_confirmed, 0, "{:?}", q);
                prop_assert_eq!(q.pending, 0, "every task is done once the faults are over: {:?}", q);
                if s.config == Config::EffectivelyOnce {
                    prop_assert_eq!(q.duplicated, 0, "{:?}", q);
                }
            }
            Config::AtMostOnce => {
                prop_assert_eq!(q.guarantee, Some(Guarantee::AtMostOnce));
                prop_assert_eq!(q.duplicated, 0, "{:?}", q);
            }
            Config::EarlyAck => {
                prop_assert_eq!(q.guarantee, Some(Guarantee::AtMostOnce));
                let lost = lost_acks(&trace, sim);
                for r in sim.ledger_records().records() {
                    prop_assert!(
                        r.processed <= 1 || lost.contains(&r.task),
                        "{} processed {} times though every ack of it arrived", r.task, r.processed
                    );
                }
            }
        }
    }

    #[test]
    fn same_seed_and_faults_same_trace_and_the_recording_replays_it(
        s in setup(),
        faults in schedule(),
        seed in 0u64..1000,
    ) {
        let (a, _) = run(&s, &faults, seed);
        let (b, _) = run(&s, &faults, seed);
        prop_assert_eq!(a.sim().trace_digest(), b.sim().trace_digest());
        let mut replayed = Timeline::replay(&a.recording()).expect("the recording replays");
        prop_assert_eq!(replayed.sim().trace_digest(), a.sim().trace_digest());
        prop_assert_eq!(replayed.sim().ledger(), a.sim().ledger());
        // Tasks that produce no event may still be due after the last
        // event; going on from both positions gives the same run.
        let mut original = a;
        original.run_until(Tick::from_secs(70));
        replayed.run_until(Tick::from_secs(70));
        prop_assert_eq!(replayed.sim().summary(), original.sim().summary());
    }
}

/// Stepping back over a fault and forward again gives the same run.
#[test]
fn a_fault_can_be_stepped_back_over() {
    let s = Setup {
        config: Config::AtLeastOnce,
        redis: false,
        workers: 2,
        prefetch: 1,
        tasks: 10,
        interval_ms: 50,
        work_ms: 100,
        latency_us: 1000,
    };
    let (mut t, _) = run(
        &s,
        &[(
            300,
            Fault::Crash {
                node: 2,
                on: None,
                down_ms: 200,
            },
        )],
        7,
    );
    let end = t.sim().steps();
    let digest = t.sim().trace_digest();
    let crash_step = t.actions()[0].step;
    t.seek(crash_step);
    assert_eq!(t.sim().steps(), crash_step);
    assert!(
        t.sim()
            .topology()
            .nodes
            .iter()
            .all(|n| n.state != fanout_shared::sim::NodeState::Crashed)
    );
    t.seek(end);
    assert_eq!(t.sim().trace_digest(), digest);
}

/// A broker that crashes behind a partition shorter than the give-up time
/// is heard of when the partition heals (TCP retransmits its close): the
/// worker reconnects and the tasks the broker kept on disk are done. It
/// used to keep its half-open connection and wait for deliveries for ever.
#[test]
fn a_crash_behind_a_partition_is_heard_of_when_it_heals() {
    let s = Setup {
        config: Config::AtLeastOnce,
        redis: false,
        workers: 1,
        prefetch: 1,
        tasks: 7,
        interval_ms: 10,
        work_ms: 155,
        latency_us: 1693,
    };
    // The worker (node 2) cut from the broker, which crashes at once.
    let partition = Fault::Partition {
        node: 1,
        one_way: false,
        ms: 539,
    };
    let crash = Fault::Crash {
        node: 0,
        on: None,
        down_ms: 50,
    };
    let (t, trace) = run(&s, &[(728, partition), (728, crash)], 0);
    let healed = Tick::from_millis(728 + 539);
    let heard = trace.iter().find_map(|e| match &e.kind {
        EventKind::Broker(BrokerEvent::Closed {
            client, side, why, ..
        }) if client.0 == 2 && *side == Side::Client && *why == CloseWhy::PeerCrashed => {
            Some(e.time)
        }
        _ => None,
    });
    assert_eq!(heard, Some(healed.saturating_add(Tick::from_micros(1693))));
    let q = t.sim().ledger().unwrap().queue("q").unwrap().clone();
    assert_eq!((q.pending, q.lost_confirmed), (0, 0), "{q:?}");
}

/// A producer whose broker restarted (a new connection, a new session)
/// still republishes what gets no confirm: here a publish the network
/// drops well after the reconnect. The timer of the first session, stale
/// once it fired, used to stand in for every later deadline, so the task
/// stayed unconfirmed and undelivered for ever.
#[test]
fn a_producer_republishes_after_a_reconnect() {
    let s = Setup {
        config: Config::AtLeastOnce,
        redis: false,
        workers: 3,
        prefetch: 1,
        tasks: 14,
        interval_ms: 125,
        work_ms: 36,
        latency_us: 751,
    };
    let crash = Fault::Crash {
        node: 0,
        on: None,
        down_ms: 50,
    };
    // Node 4 names the producer's link (client picks modulo).
    let drop = Fault::Drop {
        node: 4,
        percent: 20,
        for_ms: 586,
    };
    let (t, trace) = run(&s, &[(501, crash), (877, drop)], 434);
    let dropped: BTreeSet<TaskId> = trace
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Broker(BrokerEvent::FrameDropped {
                frame: FrameKind::Publish,
                task: Some(task),
                ..
            }) => Some(*task),
            _ => None,
        })
        .collect();
    assert!(!dropped.is_empty(), "the premise: a publish is dropped");
    let republished: BTreeSet<TaskId> = trace
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Broker(BrokerEvent::Republished {
                tasks,
                why: RepublishWhy::NoConfirm,
                ..
            }) => Some(tasks.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(
        dropped.is_subset(&republished),
        "{dropped:?} {republished:?}"
    );
    let q = t.sim().ledger().unwrap().queue("q").unwrap().clone();
    assert_eq!((q.pending, q.confirmed), (0, q.produced), "{q:?}");
}
