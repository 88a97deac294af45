//! Each reliability preset teaches one outcome; this holds each to its
//! headline, over several seeds, from the ledger the engine keeps of what
//! actually happened (`docs/scenarios.md`, "The ledger").

use fanout_shared::{
    broker::{Guarantee, QueueLedger},
    lang::Lang,
    sim::{BrokerEvent, EventKind, FaultEvent, Scenario, Simulator},
    time::Tick,
};

const SEEDS: [u64; 4] = [1, 2, 3, 11];

fn run(preset: &str, seed: u64, secs: u64) -> Simulator {
    let mut sim = Simulator::new(&Scenario::preset(preset).unwrap(), seed).unwrap();
    sim.run_until(Tick::from_secs(secs));
    sim
}

fn queue(sim: &Simulator, name: &str) -> QueueLedger {
    sim.queue_ledger(name)
        .unwrap_or_else(|| panic!("no ledger line for {name}"))
}

#[test]
fn at_most_once_loses_a_task_and_repeats_none() {
    for seed in SEEDS {
        let sim = run("at-most-once", seed, 6);
        let q = queue(&sim, "tasks");
        assert_eq!(q.guarantee, Some(Guarantee::AtMostOnce));
        assert!(q.lost > 0, "seed {seed}: {q:?}");
        assert_eq!(q.duplicated, 0, "seed {seed}: {q:?}");
        assert_eq!(q.pending, 0, "seed {seed}: {q:?}");
        assert_eq!(q.produced, 20);
    }
}

#[test]
fn at_least_once_repeats_a_task_and_loses_none() {
    for seed in SEEDS {
        let sim = run("at-least-once", seed, 6);
        let q = queue(&sim, "tasks");
        assert_eq!(q.guarantee, Some(Guarantee::AtLeastOnce));
        assert_eq!(q.lost, 0, "seed {seed}: {q:?}");
        assert!(q.duplicated > 0, "seed {seed}: {q:?}");
        assert_eq!(q.exactly_once + q.duplicated, 20);
    }
}

#[test]
fn effectively_once_neither_loses_nor_repeats() {
    for seed in SEEDS {
        let sim = run("effectively-once", seed, 6);
        let q = queue(&sim, "tasks");
        assert_eq!(q.guarantee, Some(Guarantee::EffectivelyOnce));
        assert_eq!((q.lost, q.duplicated), (0, 0), "seed {seed}: {q:?}");
        assert_eq!(q.exactly_once, 20);
        assert!(q.redelivered > 0, "the crash made a redelivery: {q:?}");
        let skipped = sim
            .ledger_records()
            .records()
            .map(|r| r.skipped)
            .sum::<u32>();
        assert!(skipped > 0, "the table caught the redelivery");
    }
}

#[test]
fn a_task_slower_than_the_visibility_timeout_runs_twice() {
    for seed in SEEDS {
        let sim = run("visibility-timeout", seed, 4);
        let q = queue(&sim, "tasks");
        assert_eq!(q.lost, 0, "seed {seed}: {q:?}");
        assert!(q.duplicated > 0, "seed {seed}: {q:?}");
        // Nobody crashed: the redeliveries come from the timeout alone.
        assert!(q.redelivered > 0);
    }
}

#[test]
fn a_poison_message_loops_until_the_delivery_limit_dead_letters_it() {
    for seed in SEEDS {
        let sim = run("poison", seed, 5);
        let q = queue(&sim, "tasks");
        assert_eq!(q.dead_lettered, 1, "seed {seed}: {q:?}");
        assert_eq!(q.exactly_once, 9, "the others go on: {q:?}");
        let poison = sim
            .ledger_records()
            .records()
            .find(|r| r.poison)
            .expect("a poison task");
        // A limit of 20 returns: delivered 21 times (the first delivery
        // and 20 returns, as RabbitMQ's documentation counts them).
        assert_eq!(poison.dispatched, 21);
        assert_eq!(poison.processed, 0);
        let dead = sim
            .brokers()
            .into_iter()
            .flat_map(|b| b.queues)
            .find(|q| q.name == "dead")
            .unwrap();
        assert_eq!(dead.ready, 1);
    }
}

#[test]
fn prefetch_hoards_behind_a_long_task_and_prefetch_one_with_late_ack_does_not() {
    for seed in SEEDS {
        let sim = run("prefetch-starvation", seed, 6);
        let hoard = queue(&sim, "prefetch-4");
        let early = queue(&sim, "prefetch-1-early");
        let fair = queue(&sim, "prefetch-1-late");
        for q in [&hoard, &early, &fair] {
            assert_eq!(q.exactly_once, 10, "{q:?}");
        }
        // Tasks wait ~3 s behind the long one in a hoarding worker.
        assert!(hoard.max_wait >= Tick::from_millis(2900), "{hoard:?}");
        assert!(early.max_wait >= Tick::from_millis(2900), "{early:?}");
        assert!(fair.max_wait < Tick::from_millis(100), "{fair:?}");
        let done = |q: &QueueLedger| q.last_processed_at.unwrap();
        assert!(done(&fair) < done(&early) && done(&early) < done(&hoard));
    }
}

#[test]
fn a_broker_restart_keeps_persistent_messages_and_loses_transient_ones() {
    for seed in SEEDS {
        let sim = run("broker-restart", seed, 5);
        let q = queue(&sim, "jobs");
        assert_eq!(q.produced, 10);
        assert_eq!(q.confirmed, 10, "the broker confirmed them all");
        assert_eq!((q.lost, q.lost_confirmed), (5, 5), "seed {seed}: {q:?}");
        assert_eq!(q.exactly_once, 5);
        let lost_are_transient = sim
            .ledger()
            .unwrap()
            .tasks
            .iter()
            .filter(|t| t.outcome == fanout_shared::broker::Outcome::Lost)
            .count();
        assert_eq!(lost_are_transient, 5);
    }
}

#[test]
fn flow_control_bounds_or_grows_or_drops() {
    for seed in SEEDS {
        let sim = run("flow-control", seed, 5);
        let queues: Vec<_> = sim.brokers().into_iter().flat_map(|b| b.queues).collect();
        let depth = |name: &str| queues.iter().find(|q| q.name == name).unwrap().max_depth;
        let bounded = queue(&sim, "bounded");
        let unbounded = queue(&sim, "unbounded");
        let dropping = queue(&sim, "dropping");
        assert_eq!(bounded.lost, 0, "{bounded:?}");
        assert!(depth("bounded") <= 20);
        assert!(
            bounded.produced * 2 < unbounded.produced,
            "the bounded producer is held back: {bounded:?} vs {unbounded:?}"
        );
        assert_eq!(unbounded.lost, 0);
        assert!(depth("unbounded") > 200, "it grows: {}", depth("unbounded"));
        assert!(dropping.lost > 100, "{dropping:?}");
        assert!(depth("dropping") <= 20);
    }
}

#[test]
fn lazy_pirate_retries_through_a_restart_and_gives_up_on_a_dead_server() {
    for seed in SEEDS {
        let mut sim = Simulator::new(&Scenario::preset("lazy-pirate").unwrap(), seed).unwrap();
        let mut printed = Vec::new();
        let mut reopened = 0;
        while let Some(e) = sim.step_until(Tick::from_secs(6)) {
            match &e.kind {
                EventKind::Log { entry, .. } => printed.push(entry.to_string()),
                EventKind::Reopened { .. } => reopened += 1,
                _ => {}
            }
        }
        let retries = printed.iter().filter(|p| p.starts_with("W:")).count();
        // One retry gets through the restart; two more precede giving up.
        assert_eq!(retries, 3, "seed {seed}: {printed:?}");
        assert_eq!(reopened, 3);
        assert_eq!(
            printed.last().map(String::as_str),
            Some("E: server seems to be offline, abandoning")
        );
        let first_retry = printed.iter().position(|p| p.starts_with("W:")).unwrap();
        assert!(
            printed[first_retry + 1].starts_with("I: server replied OK"),
            "the retried request is answered after the restart: {printed:?}"
        );
    }
}

/// The issue's example caption, word for word in shape.
#[test]
fn a_crashed_worker_holding_a_task_says_when_it_comes_back() {
    let json = r#"{
      "name": "vt-crash", "network": {"latency": "1ms"},
      "nodes": [
        {"name": "broker", "program": {"kind": "broker", "queues": [{"name": "q"}],
          "transport": "redis", "visibility_timeout": "30s"}, "sockets": []},
        {"name": "producer", "program": {"kind": "task_producer", "broker": "broker",
          "queue": "q", "interval": "10ms", "count": 8, "work": "5s"}, "sockets": []},
        {"name": "worker-2", "program": {"kind": "task_worker", "broker": "broker",
          "queue": "q", "prefetch": 1, "ack": "late"}, "sockets": []}
      ],
      "faults": [{"at": "1s", "action": {"op": "crash", "node": "worker-2"}}]
    }"#;
    let mut sim = Simulator::from_json(json, 1).unwrap();
    let mut said = None;
    while let Some(e) = sim.step_until(Tick::from_secs(2)) {
        if let EventKind::Fault(FaultEvent::Crashed { .. }) = &e.kind {
            said = Some((sim.caption(&e), sim.caption_in(&e, Lang::Zh)));
        }
    }
    let (en, zh) = said.expect("a crash");
    assert_eq!(
        en,
        "worker-2 crashed holding t0 unacknowledged: the broker gives it to another worker when its visibility timeout ends at 30.002 s"
    );
    assert!(zh.contains("t0") && zh.contains("30.002 s"), "{zh}");
    // And it does: t0 is given out again at that time.
    let mut sim2 = Simulator::from_json(json, 1).unwrap();
    let mut expired_at = None;
    while let Some(e) = sim2.step_until(Tick::from_secs(40)) {
        if let EventKind::Broker(BrokerEvent::Expired { returned, .. }) = &e.kind
            && returned.task.0 == 0
        {
            expired_at = Some(e.time);
            break;
        }
    }
    assert_eq!(expired_at, Some(Tick(30_002_000)));
}
