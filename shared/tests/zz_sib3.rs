//! Throwaway probe (not committed).
use fanout_shared::sim::{Action, Scenario, Timeline, timeline::ScenarioRef};
use fanout_shared::time::Tick;

#[test]
fn probe() {
    let json = r#"{"name": "prop-broker", "network": {"latency": "751us", "give_up": "1s"}, "nodes": [
      {"name": "broker", "program": {"kind": "broker", "queues": [{"name": "q"}], "consumer_timeout": "3s"}, "sockets": []},
      {"name": "producer", "program": {"kind": "task_producer", "broker": "broker", "queue": "q",
                "interval": "125ms", "count": 14, "work": "36ms", "confirms": true, "republish_after": "500ms"}, "sockets": []},
      {"name": "worker-0", "program": {"kind": "task_worker", "broker": "broker", "queue": "q", "prefetch": 1, "ack": "late", "dedup": false}, "sockets": []},
      {"name": "worker-1", "program": {"kind": "task_worker", "broker": "broker", "queue": "q", "prefetch": 1, "ack": "late", "dedup": false}, "sockets": []},
      {"name": "worker-2", "program": {"kind": "task_worker", "broker": "broker", "queue": "q", "prefetch": 1, "ack": "late", "dedup": false}, "sockets": []}]}"#;
    let scenario = Scenario::from_json(json).unwrap();
    let mut t = Timeline::new(ScenarioRef::Inline(Box::new(scenario)), 434).unwrap();
    let mut a = Vec::new();
    while let Some(e) = t.step_until(Tick::from_millis(501)) {
        a.push(e);
    }
    t.advance_idle(Tick::from_millis(501));
    a.push(
        t.apply(Action::Crash {
            node: "broker".into(),
            on: None,
            duration: Some(Tick::from_millis(50)),
        })
        .unwrap(),
    );
    while let Some(e) = t.step_until(Tick::from_millis(877)) {
        a.push(e);
    }
    t.advance_idle(Tick::from_millis(877));
    // node 4 -> client(4) = names[1 + 4 % 4] = producer
    a.push(
        t.apply(Action::Drop {
            a: vec!["producer".into()],
            b: vec!["broker".into()],
            rate: 0.2,
            duration: Some(Tick::from_millis(586)),
        })
        .unwrap(),
    );
    while let Some(e) = t.step_until(Tick::from_secs(60)) {
        a.push(e);
    }
    for e in &a {
        println!("{} {} {:?}", e.step, e.time.0, e.kind);
    }
    let l = t.sim().ledger().unwrap();
    for line in &l.tasks {
        if !matches!(format!("{:?}", line.outcome).as_str(), "ExactlyOnce") {
            println!("{:?}", line);
        }
    }
}
