//! What a live room needs from the engine beyond scenarios and actions: a
//! participant taking over a running node (`Action::TakeOver`), and the
//! bytes its queues hold (`Simulator::queued`), which bound a room's memory.

use fanout_shared::{
    sim::{
        Action, ActionError, EventKind, NodeState, Scenario, Simulator, Timeline,
        timeline::ScenarioRef,
    },
    socket::{FsmState, SocketError},
    time::Tick,
};

fn recv(sim: &mut Simulator, node: &str, socket: &str) -> EventKind {
    sim.apply(Action::Recv {
        node: node.into(),
        socket: socket.into(),
    })
    .unwrap()
    .kind
}

fn send(sim: &mut Simulator, node: &str, socket: &str, payload: &str) -> EventKind {
    sim.apply(Action::Send {
        node: node.into(),
        socket: socket.into(),
        payload: payload.into(),
    })
    .unwrap()
    .kind
}

#[test]
fn a_taken_over_worker_stops_and_its_queue_is_the_participants() {
    let mut sim = Simulator::new(&Scenario::preset("pipeline").unwrap(), 3).unwrap();
    sim.run_until(Tick::from_millis(50));
    let w1 = sim.node_id("worker-1").unwrap();
    sim.apply(Action::TakeOver {
        node: "worker-1".into(),
    })
    .unwrap();
    let before = sim.node_counters(w1).unwrap().clone();
    sim.run_until(Tick::from_millis(100));
    let after = sim.node_counters(w1).unwrap().clone();
    assert_eq!(before, after, "the program no longer runs");
    let view = sim.topology();
    let node = &view.nodes[w1.0 as usize];
    assert_eq!(
        (node.program.as_str(), node.state),
        ("external", NodeState::External)
    );
    // The ventilator kept pushing to worker-1's pipe until it filled: the
    // participant finds those messages queued, in order.
    let mut got = Vec::new();
    while let EventKind::Recv { payload, .. } = recv(&mut sim, "worker-1", "in") {
        got.push(payload.to_string());
    }
    assert!(!got.is_empty(), "messages waited for the participant");
    let numbers: Vec<u64> = got
        .iter()
        .map(|p| p.trim_start_matches("task ").parse().unwrap())
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
    assert!(matches!(
        send(&mut sim, "worker-1", "out", "done by hand"),
        EventKind::Send { .. }
    ));
    assert_eq!(
        sim.apply(Action::TakeOver {
            node: "worker-1".into()
        })
        .unwrap_err(),
        ActionError::AlreadyExternal {
            node: "worker-1".into()
        }
    );
}

#[test]
fn a_taken_over_requester_keeps_its_req_state() {
    let mut sim = Simulator::new(&Scenario::preset("rpc").unwrap(), 5).unwrap();
    // Run until frontend-1 has just sent a request and waits for its reply.
    loop {
        let e = sim.step().unwrap();
        if let EventKind::Send {
            node,
            state: Some(FsmState::AwaitingReply),
            ..
        } = e.kind
            && sim.node_name(node) == "frontend-1"
            && e.time > Tick::from_millis(5)
        {
            break;
        }
    }
    sim.apply(Action::TakeOver {
        node: "frontend-1".into(),
    })
    .unwrap();
    // Sending again breaks REQ's alternation: EFSM, as in libzmq.
    match send(&mut sim, "frontend-1", "req", "again") {
        EventKind::Error {
            error: SocketError::Efsm { .. },
            ..
        } => {}
        other => panic!("expected EFSM, got {other:?}"),
    }
    sim.run_until(sim.now().saturating_add(Tick::from_millis(100)));
    match recv(&mut sim, "frontend-1", "req") {
        EventKind::Recv { payload, state, .. } => {
            assert!(payload.contains("answer to frontend-1 asks"), "{payload}");
            assert_eq!(state, Some(FsmState::ReadyToSend));
        }
        other => panic!("expected the reply, got {other:?}"),
    }
}

#[test]
fn a_take_over_replays_from_its_recording() {
    let mut live = Timeline::new(ScenarioRef::Preset("pipeline".into()), 11).unwrap();
    live.run_until(Tick::from_millis(30));
    live.apply(Action::TakeOver {
        node: "worker-2".into(),
    })
    .unwrap();
    live.run_until(Tick::from_millis(45));
    for _ in 0..4 {
        live.apply(Action::Recv {
            node: "worker-2".into(),
            socket: "in".into(),
        })
        .unwrap();
    }
    live.run_until(Tick::from_millis(60));
    let recording = live.recording();
    let json = serde_json::to_string(&recording).unwrap();
    assert!(json.contains(r#""op":"take_over""#), "{json}");
    let replayed = Timeline::replay(&serde_json::from_str(&json).unwrap()).unwrap();
    assert_eq!(replayed.sim().trace_digest(), live.sim().trace_digest());
    assert_eq!(replayed.sim().now(), live.sim().now());
}

#[test]
fn queued_counts_messages_and_bytes_in_every_pipe() {
    let scenario = r#"{"name": "stuck", "network": {"sndhwm": 5, "rcvhwm": 5}, "nodes": [
        {"name": "p", "program": {"kind": "producer", "interval": "1ms", "payload": "0123456789"},
         "sockets": [{"name": "out", "type": "PUSH", "bind": ["tcp://x"]}]},
        {"name": "c", "program": {"kind": "external"},
         "sockets": [{"name": "in", "type": "PULL", "connect": ["tcp://x"]}]}]}"#;
    let mut sim = Simulator::from_json(scenario, 1).unwrap();
    assert_eq!(sim.queued(), (0, 0));
    sim.run_until(Tick::from_millis(100));
    // SNDHWM + credit (the figure docs/design/zmq-semantics.md reports for marks of 5).
    assert_eq!(sim.queued(), (8, 80));
    recv(&mut sim, "c", "in");
    assert_eq!(sim.queued().0, 7);
    sim.apply(Action::RemoveNode { node: "c".into() }).unwrap();
    assert_eq!(sim.queued(), (0, 0), "lost with the connection");
}
