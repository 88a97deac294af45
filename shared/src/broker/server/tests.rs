//! The broker's rules, each as RabbitMQ's documentation states it
//! (`docs/design/reliability.md`). `shared/tests/rabbitmq.rs` checks the
//! AMQP ones against a real `rabbitmq-server`.

use super::*;
use crate::broker::queue::QueueSpec;

fn body() -> TaskBody {
    TaskBody {
        work: Tick::ZERO,
        poison: false,
        retries: 0,
        eta: None,
    }
}

fn broker(queues: Vec<QueueSpec>, transport: Transport) -> Broker {
    Broker::new(BrokerSpec {
        queues,
        transport,
        visibility_timeout: Tick(100),
        consumer_timeout: None,
    })
}

fn conn(client: u32) -> ConnKey {
    ConnKey { client, session: 1 }
}

fn publish_n(b: &mut Broker, queue: &str, n: u64) {
    for t in 0..n {
        b.publish(queue, TaskId(t), body(), true).unwrap();
    }
}

fn drain(b: &mut Broker) -> Vec<Dispatch> {
    std::iter::from_fn(|| b.dispatch(Tick::ZERO)).collect()
}

#[test]
fn a_closed_connection_returns_its_deliveries_to_their_places() {
    let mut b = broker(vec![QueueSpec::named("q")], Transport::Amqp);
    publish_n(&mut b, "q", 6);
    b.open(conn(1));
    b.consume(conn(1), "q", 3, false);
    let got = drain(&mut b);
    assert_eq!(got.len(), 3, "prefetch 3");
    assert!(matches!(b.ack(conn(1), got[1].tag), Settled::Acked { .. }));
    assert_eq!(drain(&mut b).len(), 1, "the ack freed one credit");
    let back = b.close(conn(1));
    assert_eq!(back.len(), 3);
    b.open(conn(2));
    b.consume(conn(2), "q", 0, false);
    let again: Vec<(u64, bool)> = drain(&mut b)
        .iter()
        .map(|d| (d.task.0, d.redelivered))
        .collect();
    assert_eq!(
        again,
        [(0, true), (2, true), (3, true), (4, false), (5, false)]
    );
}

#[test]
fn a_delivery_limit_of_two_delivers_three_times() {
    let mut dlq = QueueSpec::named("q");
    dlq.delivery_limit = Some(2);
    dlq.dead_letter = Some("dead".into());
    let mut b = broker(vec![dlq, QueueSpec::named("dead")], Transport::Amqp);
    publish_n(&mut b, "q", 1);
    b.open(conn(1));
    b.consume(conn(1), "q", 1, false);
    let mut seen = Vec::new();
    while let Some(d) = b.dispatch(Tick::ZERO) {
        seen.push((d.redelivered, d.returns));
        let Settled::Returned(r) = b.nack(conn(1), d.tag, true) else {
            panic!("known tag")
        };
        if r.fate != Fate::Requeued {
            assert_eq!(
                r.fate,
                Fate::DeadLettered {
                    queue: "dead".into()
                }
            );
        }
    }
    assert_eq!(seen, [(false, 0), (true, 1), (true, 2)]);
    assert_eq!(b.queue("dead").unwrap().depth(), 1);
}

#[test]
fn acking_an_unknown_tag_closes_an_amqp_channel_but_not_a_redis_one() {
    let mut b = broker(vec![QueueSpec::named("q")], Transport::Amqp);
    publish_n(&mut b, "q", 2);
    b.open(conn(1));
    b.consume(conn(1), "q", 2, false);
    let got = drain(&mut b);
    assert!(matches!(b.ack(conn(1), got[0].tag), Settled::Acked { .. }));
    match b.ack(conn(1), got[0].tag) {
        Settled::UnknownTag { closed: Some(back) } => assert_eq!(back.len(), 1),
        other => panic!("{other:?}"),
    }
    assert!(!b.is_open(conn(1)));

    let mut r = broker(vec![QueueSpec::named("q")], Transport::Redis);
    publish_n(&mut r, "q", 1);
    r.open(conn(1));
    r.consume(conn(1), "q", 1, false);
    let d = r.dispatch(Tick::ZERO).unwrap();
    r.ack(conn(1), d.tag);
    assert_eq!(r.ack(conn(1), d.tag), Settled::UnknownTag { closed: None });
    assert!(r.is_open(conn(1)));
}

#[test]
fn redis_returns_deliveries_only_after_the_visibility_timeout() {
    let mut b = broker(vec![QueueSpec::named("q")], Transport::Redis);
    publish_n(&mut b, "q", 1);
    b.open(conn(1));
    b.consume(conn(1), "q", 1, false);
    b.dispatch(Tick(10)).unwrap();
    assert!(b.close(conn(1)).is_empty(), "nothing comes back on close");
    assert_eq!(b.next_deadline(), Some(Tick(110)));
    assert_eq!(b.expire(Tick(109)), None);
    let Some(Expired::Visibility { returned, .. }) = b.expire(Tick(110)) else {
        panic!("expired")
    };
    assert_eq!(returned.fate, Fate::Requeued);
    assert_eq!(b.queue("q").unwrap().depth(), 1);
}

#[test]
fn a_restart_keeps_exactly_the_persistent_messages_of_durable_queues() {
    let mut transient_q = QueueSpec::named("tmp");
    transient_q.durable = false;
    let mut b = broker(vec![QueueSpec::named("q"), transient_q], Transport::Amqp);
    for t in 0..4 {
        b.publish("q", TaskId(t), body(), t % 2 == 0).unwrap();
    }
    b.publish("tmp", TaskId(9), body(), true).unwrap();
    b.open(conn(1));
    b.consume(conn(1), "q", 1, false);
    let held = b.dispatch(Tick::ZERO).unwrap();
    assert_eq!(held.task, TaskId(0));
    let loss = b.crash();
    assert_eq!(loss.lost, [TaskId(1), TaskId(3), TaskId(9)]);
    assert_eq!(loss.kept, 2);
    assert_eq!(b.restart(), 2);
    b.open(conn(2));
    b.consume(conn(2), "q", 0, true);
    let back: Vec<(u64, bool)> = drain(&mut b)
        .iter()
        .map(|d| (d.task.0, d.redelivered))
        .collect();
    // Both redelivered: after a crash RabbitMQ marks every recovered
    // message delivered, not only t0, which was (tests/rabbitmq.rs).
    assert_eq!(back, [(0, true), (2, true)]);
    assert_eq!(b.queue("tmp").unwrap().depth(), 0);
}

#[test]
fn overflow_drops_the_head_or_refuses_the_publish() {
    let mut head = QueueSpec::named("head");
    head.max_length = Some(2);
    head.dead_letter = Some("dead".into());
    let mut reject = QueueSpec::named("reject");
    reject.max_length = Some(2);
    reject.overflow = Overflow::RejectPublish;
    let mut b = broker(
        vec![head, reject, QueueSpec::named("dead")],
        Transport::Amqp,
    );
    for t in 0..4 {
        b.publish("head", TaskId(t), body(), true).unwrap();
    }
    let dead: Vec<u64> = b.queue("dead").unwrap().ready().map(|m| m.task.0).collect();
    assert_eq!(dead, [0, 1]);
    let kept: Vec<u64> = b.queue("head").unwrap().ready().map(|m| m.task.0).collect();
    assert_eq!(kept, [2, 3]);
    let outcomes: Vec<bool> = (0..4)
        .map(|t| b.publish("reject", TaskId(t), body(), true).is_ok())
        .collect();
    assert_eq!(outcomes, [true, true, false, false]);
}

#[test]
fn prefetch_shares_round_robin_among_consumers_with_credit() {
    let mut b = broker(vec![QueueSpec::named("q")], Transport::Amqp);
    b.open(conn(1));
    b.consume(conn(1), "q", 1, false);
    b.open(conn(2));
    b.consume(conn(2), "q", 3, false);
    publish_n(&mut b, "q", 8);
    let who: Vec<u32> = drain(&mut b).iter().map(|d| d.conn.client).collect();
    assert_eq!(who, [1, 2, 2, 2]);
    assert_eq!(b.queue("q").unwrap().depth(), 4);
}

#[test]
fn automatic_acknowledgement_forgets_on_delivery() {
    let mut b = broker(vec![QueueSpec::named("q")], Transport::Amqp);
    publish_n(&mut b, "q", 3);
    b.open(conn(1));
    b.consume(conn(1), "q", 1, true);
    assert_eq!(drain(&mut b).len(), 3, "prefetch does not apply");
    assert!(b.close(conn(1)).is_empty());
    assert_eq!(b.queue("q").unwrap().depth(), 0);
    assert_eq!(b.store().len(), 0);
}

/// The disk's journal, as the server keeps it (`disk-journal`).
#[cfg(feature = "disk-journal")]
mod disk_journal {
    use std::collections::BTreeMap;

    use super::*;
    use crate::broker::persist::DiskChange;

    /// Replays a journal onto a map, as a driver keeping the disk for real
    /// does (`sim/disk.rs`).
    fn replay(disk: &mut BTreeMap<(String, u64), Message>, changes: Vec<DiskChange>) {
        for change in changes {
            match change {
                DiskChange::Written { queue, message } => {
                    disk.insert((queue, message.seq), message);
                }
                DiskChange::Delivered { queue, seq } => {
                    if let Some(m) = disk.get_mut(&(queue, seq)) {
                        m.redelivered = true;
                    }
                }
                DiskChange::Removed { queue, seq } => {
                    disk.remove(&(queue, seq));
                }
            }
        }
    }

    fn on_disk(b: &Broker) -> BTreeMap<(String, u64), Message> {
        b.store()
            .recover()
            .into_iter()
            .map(|(q, m)| ((q, m.seq), m))
            .collect()
    }

    #[test]
    fn the_disk_journal_lists_exactly_what_the_disk_holds() {
        let mut transient_q = QueueSpec::named("tmp");
        transient_q.durable = false;
        let mut limited = QueueSpec::named("q");
        limited.delivery_limit = Some(1);
        limited.dead_letter = Some("dead".into());
        let mut b = broker(
            vec![limited, QueueSpec::named("dead"), transient_q],
            Transport::Amqp,
        );
        let mut disk = BTreeMap::new();
        for t in 0..3 {
            b.publish("q", TaskId(t), body(), true).unwrap();
        }
        // What was on disk before the journal was kept comes first, as writes.
        let first = b.take_disk_changes();
        assert_eq!(first.len(), 3);
        assert!(
            first
                .iter()
                .all(|c| matches!(c, DiskChange::Written { .. }))
        );
        replay(&mut disk, first);
        b.publish("q", TaskId(3), body(), false).unwrap();
        b.publish("tmp", TaskId(4), body(), true).unwrap();
        assert!(
            b.take_disk_changes().is_empty(),
            "transient, or in a non-durable queue: never on disk"
        );
        b.open(conn(1));
        b.consume(conn(1), "q", 2, false);
        let d = drain(&mut b);
        let changes = b.take_disk_changes();
        assert_eq!(
            changes,
            [
                DiskChange::Delivered {
                    queue: "q".into(),
                    seq: 1
                },
                DiskChange::Delivered {
                    queue: "q".into(),
                    seq: 2
                },
            ]
        );
        replay(&mut disk, changes);
        assert_eq!(disk, on_disk(&b));
        // An ack removes; a nack comes back (rewritten with its return: it
        // is marked already), the next delivery marks t2, and past the
        // delivery limit t1 is dead-lettered: removed, and written anew in the
        // dead-letter queue.
        b.ack(conn(1), d[0].tag);
        b.nack(conn(1), d[1].tag, true);
        let d = drain(&mut b);
        b.nack(conn(1), d[0].tag, true);
        let changes = b.take_disk_changes();
        let kinds: Vec<&str> = changes
            .iter()
            .map(|c| match c {
                DiskChange::Written { .. } => "written",
                DiskChange::Delivered { .. } => "delivered",
                DiskChange::Removed { .. } => "removed",
            })
            .collect();
        assert_eq!(
            kinds,
            ["removed", "written", "delivered", "removed", "written"],
            "{changes:?}"
        );
        replay(&mut disk, changes);
        assert_eq!(disk, on_disk(&b));
        assert_eq!(b.queue("dead").unwrap().depth(), 1);
        assert!(b.take_disk_changes().is_empty(), "taken once");
    }

    #[test]
    fn a_broker_recovered_from_a_kept_disk_restarts_as_after_a_crash() {
        let mut transient_q = QueueSpec::named("tmp");
        transient_q.durable = false;
        let queues = vec![QueueSpec::named("q"), transient_q];
        let mut b = broker(queues.clone(), Transport::Amqp);
        let mut disk = BTreeMap::new();
        replay(&mut disk, b.take_disk_changes());
        for t in 0..6 {
            b.publish("q", TaskId(t), body(), t % 3 != 2).unwrap();
        }
        b.publish("tmp", TaskId(9), body(), true).unwrap();
        b.open(conn(1));
        b.consume(conn(1), "q", 2, false);
        let d = drain(&mut b);
        b.ack(conn(1), d[0].tag);
        replay(&mut disk, b.take_disk_changes());

        // The same broker crashing and restarting in the engine …
        let mut crashed = b.clone();
        crashed.crash();
        let expected = crashed.restart();
        // … and a new process on the disk kept for real.
        let mut fresh = broker(queues, Transport::Amqp);
        let recovered = fresh.recover_disk(disk.into_iter().map(|((q, _), m)| (q, m)));
        assert_eq!(recovered, expected);
        assert_eq!(recovered, 3, "t1, t3, t4: t0 acked, t2 and t5 transient");
        let ready = |b: &Broker| -> Vec<(u64, u64, bool)> {
            b.queue("q")
                .unwrap()
                .ready()
                .map(|m| (m.task.0, m.seq, m.redelivered))
                .collect()
        };
        assert_eq!(ready(&fresh), ready(&crashed));
        assert!(ready(&fresh).iter().all(|(_, _, redelivered)| *redelivered));
        assert_eq!(on_disk(&fresh), on_disk(&crashed));
        // A new message is numbered after the recovered ones, so it takes
        // none's place on disk.
        fresh.publish("q", TaskId(10), body(), true).unwrap();
        assert_eq!(fresh.store().len(), 4);
        let last = fresh.queue("q").unwrap().ready().last().unwrap().clone();
        assert_eq!(last.task, TaskId(10));
        assert!(last.seq > 5);
    }
}
