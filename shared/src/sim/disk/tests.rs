//! The brokers' disks kept by a driver: the journal, replayed, is the
//! disk; an engine started again on it recovers as a broker restart does,
//! and numbers new tasks after the old ones.

use std::collections::{BTreeMap, BTreeSet};

use super::super::{Scenario, Simulator};
use crate::{
    broker::{Message, TaskId, persist::DiskChange},
    time::Tick,
};

/// Persistent orders and transient metrics into a durable queue; a slow
/// worker acknowledges late from 300 ms, so at 1 s the disk holds orders
/// written, delivered, and removed.
const SCENARIO: &str = r#"{
  "name": "disk",
  "network": { "latency": "1ms" },
  "nodes": [
    { "name": "broker", "program": { "kind": "broker", "queues": [ { "name": "jobs" } ] }, "sockets": [] },
    { "name": "orders", "program": { "kind": "task_producer", "broker": "broker", "queue": "jobs",
      "interval": "10ms", "count": 20, "work": "100ms", "persistent": true }, "sockets": [] },
    { "name": "metrics", "program": { "kind": "task_producer", "broker": "broker", "queue": "jobs",
      "interval": "10ms", "count": 20, "work": "100ms", "persistent": false }, "sockets": [] },
    { "name": "worker", "program": { "kind": "task_worker", "broker": "broker", "queue": "jobs",
      "prefetch": 1, "ack": "late" }, "sockets": [], "start": "300ms" }
  ]
}"#;

type Disk = BTreeMap<(String, String, u64), Message>;

fn sim() -> Simulator {
    Simulator::new(&Scenario::from_json(SCENARIO).unwrap(), 7).unwrap()
}

fn replay(disk: &mut Disk, changes: Vec<(String, DiskChange)>) {
    for (node, change) in changes {
        match change {
            DiskChange::Written { queue, message } => {
                disk.insert((node, queue, message.seq), message);
            }
            DiskChange::Delivered { queue, seq } => {
                if let Some(m) = disk.get_mut(&(node, queue, seq)) {
                    m.redelivered = true;
                }
            }
            DiskChange::Removed { queue, seq } => {
                disk.remove(&(node, queue, seq));
            }
        }
    }
}

fn engine_disk(sim: &Simulator) -> Disk {
    let id = sim.node_id("broker").unwrap();
    let broker = sim.nodes[id.0 as usize].program.broker().unwrap();
    broker
        .store()
        .recover()
        .into_iter()
        .map(|(q, m)| (("broker".to_string(), q, m.seq), m))
        .collect()
}

/// Runs to `until`, taking the journal every few events as a room's
/// driver does once per turn.
fn run_keeping(sim: &mut Simulator, disk: &mut Disk, until: Tick) -> (u32, u32, u32) {
    let mut counts = (0, 0, 0);
    let mut steps = 0;
    while sim.step_until(until).is_some() {
        steps += 1;
        if steps % 7 == 0 {
            let changes = sim.take_disk_changes();
            for (_, c) in &changes {
                match c {
                    DiskChange::Written { .. } => counts.0 += 1,
                    DiskChange::Delivered { .. } => counts.1 += 1,
                    DiskChange::Removed { .. } => counts.2 += 1,
                }
            }
            replay(disk, changes);
        }
    }
    replay(disk, sim.take_disk_changes());
    counts
}

#[test]
fn the_journal_replayed_is_the_brokers_disk() {
    let mut sim = sim();
    let mut disk = Disk::new();
    let (written, delivered, removed) = run_keeping(&mut sim, &mut disk, Tick::from_secs(1));
    assert!(written >= 20, "every order written: {written}");
    assert!(delivered > 0 && removed > 0, "{delivered} {removed}");
    assert_eq!(disk, engine_disk(&sim));
    assert!(!disk.is_empty());
    assert!(disk.values().all(|m| m.persistent), "no metric on disk");
}

#[test]
fn an_engine_started_again_on_the_kept_disk_recovers_as_a_broker_restart() {
    let mut before = sim();
    let mut disk = Disk::new();
    run_keeping(&mut before, &mut disk, Tick::from_secs(1));
    let kept: BTreeSet<TaskId> = disk.values().map(|m| m.task).collect();
    let next = before.next_task_id();

    let mut after = sim();
    assert_eq!(after.recover_disk("orders", Vec::new()), None, "no broker");
    assert_eq!(after.recover_disk("nobody", Vec::new()), None);
    let messages: Vec<(String, Message)> = disk
        .iter()
        .map(|((_, q, _), m)| (q.clone(), m.clone()))
        .collect();
    assert_eq!(
        after.recover_disk("broker", messages),
        Some(kept.len() as u32)
    );
    assert!(after.next_task_id().0 > kept.iter().map(|t| t.0).max().unwrap());
    after.resume_task_ids(next.0);
    assert_eq!(after.next_task_id(), next);
    // Its own journal starts from what it recovered.
    let mut again = Disk::new();
    replay(&mut again, after.take_disk_changes());
    let ids = |d: &Disk| -> BTreeSet<TaskId> { d.values().map(|m| m.task).collect() };
    assert_eq!(ids(&again), kept);

    after.run_until(Tick::from_secs(30));
    let ledger = after.ledger_records();
    for task in &kept {
        let r = ledger
            .get(*task)
            .expect("the ledger knows a recovered task");
        assert_eq!(r.processed, 1, "{task} processed after the restart");
        assert!(r.redelivered >= 1, "{task} delivered as redelivered");
    }
    let new: Vec<TaskId> = ledger
        .records()
        .map(|r| r.task)
        .filter(|t| !kept.contains(t))
        .collect();
    assert_eq!(new.len(), 40, "the producers start over");
    assert!(new.iter().all(|t| t.0 >= next.0), "no old number reused");
}
