//! Stepping back, editing a running simulation, and replaying a shared
//! link: the browser's needs, and the server's (external participants).

use fanout_shared::{
    sim::{
        Action, EventKind, Recording, Scenario, Simulator, Timeline,
        nodes::Dist,
        scenario::{ConnectSpec, NodeSpec, SocketSpec},
        timeline::ScenarioRef,
    },
    socket::{Endpoint, SocketKind},
    time::Tick,
};

fn preset(name: &str) -> ScenarioRef {
    ScenarioRef::Preset(name.into())
}

#[test]
fn seek_back_lands_exactly_where_a_fresh_run_does() {
    let mut t = Timeline::with_interval(preset("pi"), 9, 100).unwrap();
    t.seek(5_000);
    assert_eq!(t.sim().steps(), 5_000);
    let mut fresh = Simulator::new(&Scenario::preset("pi").unwrap(), 9).unwrap();
    fresh.run_steps(3_210);
    assert_eq!(t.seek(3_210), 3_210);
    assert_eq!(t.sim().trace_digest(), fresh.trace_digest());
    assert_eq!(t.sim().now(), fresh.now());
    // Forward again from the snapshot reaches the same end.
    fresh.run_steps(1_790);
    t.seek(5_000);
    assert_eq!(t.sim().trace_digest(), fresh.trace_digest());
    assert_eq!(t.seek(0), 0);
}

#[test]
fn a_long_run_keeps_a_bounded_number_of_snapshots_and_still_seeks_exactly() {
    use fanout_shared::sim::timeline::MAX_SNAPSHOTS;
    let mut t = Timeline::with_interval(preset("pipeline"), 2, 10).unwrap();
    let end = 10 * MAX_SNAPSHOTS as u64 * 5;
    for _ in 0..end {
        t.step().expect("pipeline keeps going");
        assert!(t.snapshot_count() <= MAX_SNAPSHOTS + 1);
    }
    assert!(t.snapshot_count() <= MAX_SNAPSHOTS);
    let mut fresh = Simulator::new(&Scenario::preset("pipeline").unwrap(), 2).unwrap();
    for target in [end - 1, end / 2 + 7, 1_234, 10, 0] {
        let mut again = Simulator::new(&Scenario::preset("pipeline").unwrap(), 2).unwrap();
        again.run_steps(target);
        assert_eq!(t.seek(target), target);
        assert_eq!(
            t.sim().trace_digest(),
            again.trace_digest(),
            "seek to {target}"
        );
    }
    fresh.run_steps(end);
    assert_eq!(t.seek(end), end);
    assert_eq!(t.sim().trace_digest(), fresh.trace_digest());
}

fn worker_spec() -> NodeSpec {
    NodeSpec {
        name: "worker-4".into(),
        program: serde_json::from_str(
            r#"{"kind": "worker", "service": {"uniform": {"min": "1ms", "max": "2ms"}}}"#,
        )
        .unwrap(),
        start: Tick::ZERO,
        sockets: vec![
            SocketSpec {
                name: "in".into(),
                kind: SocketKind::Pull,
                bind: vec![],
                connect: vec![ConnectSpec::to(
                    Endpoint::parse("tcp://ventilator").unwrap(),
                )],
                subscribe: vec![],
                sndhwm: None,
                rcvhwm: None,
            },
            SocketSpec {
                name: "out".into(),
                kind: SocketKind::Push,
                bind: vec![],
                connect: vec![ConnectSpec::to(Endpoint::parse("tcp://sink").unwrap())],
                subscribe: vec![],
                sndhwm: None,
                rcvhwm: None,
            },
        ],
    }
}

/// A session with several edits, as a learner would make them.
fn edited_session() -> Timeline {
    let mut t = Timeline::with_interval(preset("pipeline"), 4, 256).unwrap();
    t.run_until(Tick::from_millis(100));
    t.apply(Action::SetHwm {
        node: "worker-1".into(),
        socket: "in".into(),
        sndhwm: None,
        rcvhwm: Some(2),
    })
    .unwrap();
    t.run_until(Tick::from_millis(200));
    t.apply(Action::SetService {
        node: "worker-2".into(),
        service: Dist::Constant(Tick::from_millis(8)),
    })
    .unwrap();
    t.apply(Action::AddNode {
        spec: worker_spec(),
    })
    .unwrap();
    t.run_until(Tick::from_millis(300));
    t.apply(Action::SetInterval {
        node: "ventilator".into(),
        interval: Dist::Exponential {
            mean: Tick::from_micros(700),
        },
    })
    .unwrap();
    t.apply(Action::RemoveNode {
        node: "worker-3".into(),
    })
    .unwrap();
    t.run_until(Tick::from_millis(500));
    t
}

#[test]
fn a_recording_replays_exactly() {
    let t = edited_session();
    let recording = t.recording();
    assert_eq!(recording.actions.len(), 5);
    // Through JSON, as a URL would carry it.
    let text = serde_json::to_string(&recording).unwrap();
    let back: Recording = serde_json::from_str(&text).unwrap();
    let replayed = Timeline::replay(&back).unwrap();
    assert_eq!(replayed.sim().steps(), t.sim().steps());
    assert_eq!(replayed.sim().trace_digest(), t.sim().trace_digest());
    assert_eq!(replayed.sim().summary(), t.sim().summary());
}

#[test]
fn seeking_across_edits_replays_them() {
    let mut t = edited_session();
    let end = t.sim().steps();
    let digest = t.sim().trace_digest();
    let first_edit = t.recording().actions[0].step;
    t.seek(first_edit / 2);
    assert!(t.sim().node_id("worker-4").is_err(), "not yet added");
    t.seek(end);
    assert_eq!(t.sim().trace_digest(), digest);
    assert!(t.sim().node_id("worker-4").is_ok());
    assert!(t.sim().node_id("worker-3").is_err(), "removed again");
}

#[test]
fn editing_the_past_discards_the_recorded_future() {
    let mut t = edited_session();
    let second = t.recording().actions[1].step;
    t.seek(second);
    t.apply(Action::SetHwm {
        node: "sink".into(),
        socket: "in".into(),
        sndhwm: None,
        rcvhwm: Some(3),
    })
    .unwrap();
    let actions = t.recording().actions;
    assert_eq!(
        actions.len(),
        2,
        "the edit at {second} and later were replaced"
    );
    assert!(matches!(actions[1].action, Action::SetHwm { .. }));
}

#[test]
fn refused_edits_change_nothing() {
    let mut t = Timeline::new(preset("pi"), 1).unwrap();
    t.run_until(Tick::from_millis(50));
    let before = t.sim().trace_digest();
    let errors = [
        Action::SetService {
            node: "bitsource".into(),
            service: Dist::default(),
        },
        Action::Subscribe {
            node: "tally".into(),
            socket: "in".into(),
            topic: "x".into(),
        },
        Action::Send {
            node: "judge".into(),
            socket: "out".into(),
            payload: "Y".into(),
        },
        Action::RemoveSocket {
            node: "judge".into(),
            socket: "to_pyth".into(),
        },
        Action::Connect {
            node: "judge".into(),
            socket: "to_pyth".into(),
            connect: ConnectSpec::to(Endpoint::parse("tcp://127.0.0.1:6701").unwrap()),
        },
        Action::Connect {
            node: "judge".into(),
            socket: "to_pyth".into(),
            connect: ConnectSpec::to(Endpoint::parse("tcp://127.0.0.1:6702").unwrap()),
        },
        Action::RemoveNode {
            node: "nobody".into(),
        },
    ];
    let messages: Vec<String> = errors
        .into_iter()
        .map(|a| t.apply(a).unwrap_err().to_string())
        .collect();
    assert_eq!(t.sim().trace_digest(), before);
    assert!(t.recording().actions.is_empty());
    assert_eq!(
        messages,
        [
            "node bitsource: the bitsource program has no service time to change",
            "node tally: socket in is PULL; only a SUB socket subscribes",
            "node judge runs the judge program; only an external node's sockets take send/recv from outside",
            "node judge: socket to_pyth is used by the judge program; remove the node instead",
            "node judge: socket to_pyth already connects to tcp://127.0.0.1:6701",
            "node judge: socket to_pyth is REQ but connects to a PULL endpoint (tcp://127.0.0.1:6702, bound by tally.in); REQ talks to REP",
            "no node named nobody",
        ]
        .map(String::from)
    );
}

#[test]
fn hwm_and_subscription_edits_take_effect() {
    // Lower a slow subscriber's mark mid-run: drops start.
    let mut t = Timeline::new(preset("slow-subscriber"), 1).unwrap();
    t.apply(Action::SetHwm {
        node: "ticker".into(),
        socket: "out".into(),
        sndhwm: Some(0),
        rcvhwm: None,
    })
    .unwrap();
    t.apply(Action::SetHwm {
        node: "slow".into(),
        socket: "in".into(),
        sndhwm: None,
        rcvhwm: Some(0),
    })
    .unwrap();
    t.run_until(Tick::from_millis(50));
    assert_eq!(t.sim().drops().hwm, 0, "unlimited marks drop nothing");
    t.apply(Action::Unsubscribe {
        node: "fast".into(),
        socket: "in".into(),
        topic: String::new(),
    })
    .unwrap();
    let fast = t.sim().node_id("fast").unwrap();
    let got_before = t.sim().node_counters(fast).unwrap().received;
    t.run_until(Tick::from_millis(100));
    let got_after = t.sim().node_counters(fast).unwrap().received;
    assert!(got_after - got_before <= 2, "at most what was in flight");
}

/// The live-room shape: an external participant joins a running pipeline
/// as an extra worker and is driven by actions on real time.
#[test]
fn an_external_participant_can_work_in_a_pipeline() {
    let mut sim = Simulator::new(&Scenario::preset("pipeline").unwrap(), 1).unwrap();
    sim.run_until(Tick::from_millis(20));
    let spec: NodeSpec = serde_json::from_str(
        r#"{"name": "alice", "program": {"kind": "external"},
            "sockets": [{"name": "in", "type": "PULL", "connect": ["tcp://ventilator"]},
                        {"name": "out", "type": "PUSH", "connect": ["tcp://sink"]}]}"#,
    )
    .unwrap();
    sim.apply(Action::AddNode { spec }).unwrap();
    let alice = sim.node_id("alice").unwrap();
    sim.run_until(Tick::from_millis(40));
    let mut done = 0;
    loop {
        let e = sim
            .apply(Action::Recv {
                node: "alice".into(),
                socket: "in".into(),
            })
            .unwrap();
        let EventKind::Recv { payload, .. } = e.kind else {
            break;
        };
        let e = sim
            .apply(Action::Send {
                node: "alice".into(),
                socket: "out".into(),
                payload: format!("{payload} done by alice"),
            })
            .unwrap();
        assert!(matches!(e.kind, EventKind::Send { .. }));
        done += 1;
    }
    assert!(done > 0, "alice got work");
    assert_eq!(sim.node_counters(alice).unwrap().sent, done);
}

/// A live room keeps its simulator in a tokio task and snapshots cross
/// threads: the engine must be `Send + Sync`.
#[test]
fn the_engine_can_live_in_a_server_task() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Simulator>();
    assert_send_sync::<Timeline>();
    assert_send_sync::<fanout_shared::sim::Event>();
}
