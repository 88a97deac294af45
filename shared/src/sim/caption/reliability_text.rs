//! What fault and broker captions say, in English and Chinese side by
//! side: one function per language and family, each an exhaustive `match`,
//! so a new fault or broker event does not compile until both languages
//! say it. Task ids (`t7`), delivery tags (`#3`), node and queue names and
//! Celery's state names stay as they are: they are what a learner reads in
//! code and logs.

use super::Names;
use crate::{
    broker::{
        Fate, Refusal, TaskId,
        server::{Displaced, Returned},
    },
    lang::{Lang, Say},
    sim::{
        broker_event::{
            BrokerEvent, CloseWhy, FrameKind, RepublishWhy, SettleResult, Side, Unreachable,
            WaitWhy,
        },
        fault::{CrashPoint, LinkFaultKind},
        fault_event::{FaultEvent, Held, Returns},
        nodes::{FailThen, Settle},
    },
    time::Tick,
};

/// A moment in seconds, for times people wait for: `31.0 s`, `1.012 s`.
fn secs(t: Tick) -> String {
    let text = format!("{:.3}", t.0 as f64 / 1_000_000.0);
    let text = text.trim_end_matches('0');
    let text = if text.ends_with('.') {
        format!("{text}0")
    } else {
        text.to_string()
    };
    format!("{text} s")
}

fn tasks(list: &[TaskId]) -> String {
    list.iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn percent(ppm: u32) -> String {
    let p = f64::from(ppm) / 10_000.0;
    if p.fract() == 0.0 {
        format!("{p:.0}%")
    } else {
        format!("{p}%")
    }
}

fn returns_at(r: &Returns) -> Tick {
    match r {
        Returns::ConnectionClosed { at } | Returns::VisibilityTimeout { at } => *at,
    }
}

pub(super) fn fault(f: &FaultEvent, n: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => fault_en(f, n),
        Lang::Zh => fault_zh(f, n),
    }
}

pub(super) fn broker(b: &BrokerEvent, n: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => broker_en(b, n),
        Lang::Zh => broker_zh(b, n),
    }
}

fn held_en(held: &[Held]) -> String {
    let ids: Vec<TaskId> = held.iter().map(|h| h.task).collect();
    let (one, it) = if held.len() == 1 {
        (true, "it")
    } else {
        (false, "them")
    };
    let by_visibility = held
        .iter()
        .all(|h| matches!(h.returns, Returns::VisibilityTimeout { .. }));
    let mut s = format!(
        " holding {} unacknowledged: the broker gives {it} to another worker ",
        tasks(&ids)
    );
    if by_visibility {
        if one {
            s.push_str(&format!(
                "when its visibility timeout ends at {}",
                secs(returns_at(&held[0].returns))
            ));
        } else {
            let when: Vec<String> = held
                .iter()
                .map(|h| format!("{} at {}", h.task, secs(returns_at(&h.returns))))
                .collect();
            s.push_str(&format!(
                "when their visibility timeouts end ({})",
                when.join(", ")
            ));
        }
    } else {
        s.push_str(&format!(
            "when it sees the connection close, at {}",
            secs(returns_at(&held[0].returns))
        ));
    }
    s
}

fn held_zh(held: &[Held]) -> String {
    let ids: Vec<TaskId> = held.iter().map(|h| h.task).collect();
    let by_visibility = held
        .iter()
        .all(|h| matches!(h.returns, Returns::VisibilityTimeout { .. }));
    let mut s = format!("，手里还有未确认的 {}：", tasks(&ids));
    if by_visibility {
        let when: Vec<String> = held
            .iter()
            .map(|h| format!("{} 在 {}", h.task, secs(returns_at(&h.returns))))
            .collect();
        s.push_str(&format!(
            "等可见性超时结束（{}），消息代理会把它们交给别的 worker",
            when.join("、")
        ));
    } else {
        s.push_str(&format!(
            "消息代理在 {} 看到连接关闭时，会把它们交给别的 worker",
            secs(returns_at(&held[0].returns))
        ));
    }
    s
}

fn fault_en(f: &FaultEvent, n: &Names) -> String {
    match f {
        FaultEvent::Crashed {
            node,
            lost,
            held,
            lost_tasks,
            kept,
            restart_at,
        } => {
            let mut s = format!("{} crashed", n.of(*node));
            if !held.is_empty() {
                s.push_str(&held_en(held));
            }
            match kept {
                Some(kept) => {
                    if lost_tasks.is_empty() {
                        s.push_str("; nothing was only in memory");
                    } else {
                        s.push_str(&format!(
                            "; {} lost with its memory (transient, or in a non-durable queue)",
                            tasks(lost_tasks)
                        ));
                    }
                    s.push_str(&format!("; {kept} persistent message(s) stay on its disk"));
                }
                None if !lost_tasks.is_empty() => s.push_str(&format!(
                    "; {} vanish with it (acknowledged before the work was done)",
                    tasks(lost_tasks)
                )),
                None => {}
            }
            if *lost > 0 {
                s.push_str(&format!("; {lost} message(s) in its ZeroMQ pipes are lost"));
            }
            if let Some(t) = restart_at {
                s.push_str(&format!("; it restarts at {}", secs(*t)));
            }
            s
        }
        FaultEvent::Armed { node, on, duration } => {
            let when = match on {
                CrashPoint::Work => "as it starts working on its next message or task",
                CrashPoint::SideEffect => {
                    "right after its next side effect, before it stores the result and acknowledges"
                }
                CrashPoint::Recv => "right after it next receives a message",
            };
            let mut s = format!("{} will crash {when}", n.of(*node));
            if let Some(d) = duration {
                s.push_str(&format!(", and restart {d} later"));
            }
            s
        }
        FaultEvent::Restarted { node, recovered } => match recovered {
            Some(r) => format!(
                "{} restarts: durable queues come back with {r} persistent message(s) from disk",
                n.of(*node)
            ),
            None => format!(
                "{} restarts as a fresh process: it binds and connects again",
                n.of(*node)
            ),
        },
        FaultEvent::Paused { node, until } => {
            let mut s = format!(
                "{} is paused (a stalled process): messages queue up, nothing is handled",
                n.of(*node)
            );
            if let Some(t) = until {
                s.push_str(&format!(" until {}", secs(*t)));
            }
            s
        }
        FaultEvent::Resumed { node, deferred } => format!(
            "{} runs again; {deferred} waiting step(s) go on",
            n.of(*node)
        ),
        FaultEvent::Partitioned {
            a,
            b,
            one_way,
            until,
            ..
        } => {
            let mut s = format!(
                "network partition: {} cannot reach {}",
                n.list(a, ", "),
                n.list(b, ", ")
            );
            if !one_way {
                s.push_str(" nor the other way");
            }
            s.push_str("; messages on the wire are held (TCP retransmits), and a connection that stays cut past the give-up time is closed");
            if let Some(t) = until {
                s.push_str(&format!("; it heals at {}", secs(*t)));
            }
            s
        }
        FaultEvent::LinkFaulted {
            a, b, fault, until, ..
        } => {
            let (a, b) = (n.list(a, ", "), n.list(b, ", "));
            let mut s = match fault {
                LinkFaultKind::Delay { latency, jitter } => {
                    let mut s = format!("links between {a} and {b} slow down by {latency}");
                    if *jitter > Tick::ZERO {
                        s.push_str(&format!(" (plus up to {jitter} of jitter)"));
                    }
                    s
                }
                LinkFaultKind::Drop { ppm } => format!(
                    "the network between {a} and {b} loses {} of broker frames",
                    percent(*ppm)
                ),
                LinkFaultKind::Duplicate { ppm } => format!(
                    "the network between {a} and {b} delivers {} of broker frames twice",
                    percent(*ppm)
                ),
            };
            if let Some(t) = until {
                s.push_str(&format!(" until {}", secs(*t)));
            }
            s
        }
        FaultEvent::Healed {
            partitions,
            link_faults,
            released,
        } => format!(
            "the network heals ({partitions} partition(s), {link_faults} link fault(s) end); {released} held transfer(s) go on"
        ),
        FaultEvent::GaveUp { conn, lost } => format!(
            "connection #{} could not get through for the give-up time: TCP gives up, {lost} queued message(s) lost; it connects again when the path is back",
            conn.0
        ),
        FaultEvent::Poisoned { node } => format!(
            "{}'s next task is a poison message: its handler will fail every time",
            n.of(*node)
        ),
        FaultEvent::Skipped { index, error } => format!(
            "scheduled fault #{index} cannot be applied now: {}",
            error.say(Lang::En)
        ),
    }
}

fn fault_zh(f: &FaultEvent, n: &Names) -> String {
    match f {
        FaultEvent::Crashed {
            node,
            lost,
            held,
            lost_tasks,
            kept,
            restart_at,
        } => {
            let mut s = format!("{} 崩溃了", n.of(*node));
            if !held.is_empty() {
                s.push_str(&held_zh(held));
            }
            match kept {
                Some(kept) => {
                    if lost_tasks.is_empty() {
                        s.push_str("；没有只存在于内存中的消息");
                    } else {
                        s.push_str(&format!(
                            "；{} 随内存一起丢失（非持久消息，或在非持久队列中）",
                            tasks(lost_tasks)
                        ));
                    }
                    s.push_str(&format!("；{kept} 条持久消息仍在磁盘上"));
                }
                None if !lost_tasks.is_empty() => s.push_str(&format!(
                    "；{} 随之消失（在工作完成之前就已确认）",
                    tasks(lost_tasks)
                )),
                None => {}
            }
            if *lost > 0 {
                s.push_str(&format!("；它的 ZeroMQ 管道中有 {lost} 条消息丢失"));
            }
            if let Some(t) = restart_at {
                s.push_str(&format!("；它将在 {} 重启", secs(*t)));
            }
            s
        }
        FaultEvent::Armed { node, on, duration } => {
            let when = match on {
                CrashPoint::Work => "在开始处理下一条消息或任务时",
                CrashPoint::SideEffect => "在下一次副作用之后、保存结果并确认之前",
                CrashPoint::Recv => "在下一次收到消息之后",
            };
            let mut s = format!("{} 将{when}崩溃", n.of(*node));
            if let Some(d) = duration {
                s.push_str(&format!("，并在 {d} 后重启"));
            }
            s
        }
        FaultEvent::Restarted { node, recovered } => match recovered {
            Some(r) => format!(
                "{} 重启：持久队列连同磁盘上的 {r} 条持久消息一起恢复",
                n.of(*node)
            ),
            None => format!("{} 作为一个全新的进程重启：重新绑定并连接", n.of(*node)),
        },
        FaultEvent::Paused { node, until } => {
            let mut s = format!(
                "{} 暂停了（进程停顿）：消息不断排队，但没有任何处理",
                n.of(*node)
            );
            if let Some(t) = until {
                s.push_str(&format!("，直到 {}", secs(*t)));
            }
            s
        }
        FaultEvent::Resumed { node, deferred } => format!(
            "{} 恢复运行；{deferred} 个等待中的步骤继续进行",
            n.of(*node)
        ),
        FaultEvent::Partitioned {
            a,
            b,
            one_way,
            until,
            ..
        } => {
            let mut s = format!("网络分区：{} 无法到达 {}", n.list(a, "、"), n.list(b, "、"));
            if !one_way {
                s.push_str("，反过来也不行");
            }
            s.push_str("；线路上的消息被扣住（TCP 不断重传），断开超过放弃时间的连接会被关闭");
            if let Some(t) = until {
                s.push_str(&format!("；将在 {} 恢复", secs(*t)));
            }
            s
        }
        FaultEvent::LinkFaulted {
            a, b, fault, until, ..
        } => {
            let (a, b) = (n.list(a, "、"), n.list(b, "、"));
            let mut s = match fault {
                LinkFaultKind::Delay { latency, jitter } => {
                    let mut s = format!("{a} 与 {b} 之间的链路延迟增加 {latency}");
                    if *jitter > Tick::ZERO {
                        s.push_str(&format!("（另加最多 {jitter} 的抖动）"));
                    }
                    s
                }
                LinkFaultKind::Drop { ppm } => {
                    format!("{a} 与 {b} 之间的网络丢失 {} 的代理帧", percent(*ppm))
                }
                LinkFaultKind::Duplicate { ppm } => {
                    format!("{a} 与 {b} 之间的网络把 {} 的代理帧投递两次", percent(*ppm))
                }
            };
            if let Some(t) = until {
                s.push_str(&format!("，直到 {}", secs(*t)));
            }
            s
        }
        FaultEvent::Healed {
            partitions,
            link_faults,
            released,
        } => format!(
            "网络恢复（结束 {partitions} 个分区、{link_faults} 个链路故障）；{released} 批被扣住的传输继续进行"
        ),
        FaultEvent::GaveUp { conn, lost } => format!(
            "连接 #{} 在放弃时间内一直不通：TCP 放弃了它，排队中的 {lost} 条消息丢失；路径恢复后会重新连接",
            conn.0
        ),
        FaultEvent::Poisoned { node } => format!(
            "{} 的下一个任务是毒消息：它的处理函数每次都会失败",
            n.of(*node)
        ),
        FaultEvent::Skipped { index, error } => format!(
            "计划中的第 {index} 个故障此时无法施加：{}",
            error.say(Lang::Zh)
        ),
    }
}

fn fate_en(task: TaskId, fate: &Fate) -> String {
    match fate {
        Fate::Requeued => format!("{task} requeued"),
        Fate::DeadLettered { queue } => format!("{task} dead-lettered to {queue}"),
        Fate::Dropped => format!("{task} dropped (no dead-letter queue)"),
    }
}

fn fate_zh(task: TaskId, fate: &Fate) -> String {
    match fate {
        Fate::Requeued => format!("{task} 重新入队"),
        Fate::DeadLettered { queue } => format!("{task} 进入死信队列 {queue}"),
        Fate::Dropped => format!("{task} 被丢弃（没有死信队列）"),
    }
}

fn returned_en(r: &[Returned]) -> String {
    r.iter()
        .map(|r| fate_en(r.task, &r.fate))
        .collect::<Vec<_>>()
        .join(", ")
}

fn returned_zh(r: &[Returned]) -> String {
    r.iter()
        .map(|r| fate_zh(r.task, &r.fate))
        .collect::<Vec<_>>()
        .join("，")
}

fn close_en(why: CloseWhy) -> &'static str {
    match why {
        CloseWhy::PeerCrashed => "the other end crashed",
        CloseWhy::GaveUp => "nothing got through for the give-up time",
        CloseWhy::ChannelError => "channel error: PRECONDITION_FAILED - unknown delivery tag",
        CloseWhy::ConsumerTimeout => "a delivery stayed unacknowledged past the consumer timeout",
    }
}

fn close_zh(why: CloseWhy) -> &'static str {
    match why {
        CloseWhy::PeerCrashed => "另一端崩溃了",
        CloseWhy::GaveUp => "在放弃时间内一直不通",
        CloseWhy::ChannelError => "通道错误：PRECONDITION_FAILED - unknown delivery tag",
        CloseWhy::ConsumerTimeout => "有一条投递超过消费者超时仍未确认",
    }
}

fn how_en(how: Settle) -> &'static str {
    match how {
        Settle::Ack => "acks",
        Settle::Nack { requeue: true } => "nacks (requeue)",
        Settle::Nack { requeue: false } => "nacks (no requeue)",
        Settle::Reject { requeue: true } => "rejects (requeue)",
        Settle::Reject { requeue: false } => "rejects (no requeue)",
    }
}

fn how_zh(how: Settle) -> &'static str {
    match how {
        Settle::Ack => "确认（ack）",
        Settle::Nack { requeue: true } => "否认（nack，重新入队）",
        Settle::Nack { requeue: false } => "否认（nack，不重新入队）",
        Settle::Reject { requeue: true } => "拒绝（reject，重新入队）",
        Settle::Reject { requeue: false } => "拒绝（reject，不重新入队）",
    }
}

fn frame_en(f: FrameKind) -> &'static str {
    match f {
        FrameKind::Publish => "publish",
        FrameKind::Confirm => "confirm",
        FrameKind::Nack => "nack",
        FrameKind::Deliver => "deliver",
        FrameKind::Settle => "ack/nack",
        FrameKind::Qos => "qos",
        FrameKind::Result => "result",
    }
}

fn displaced_en(d: &Displaced) -> String {
    format!("; the queue is full, so {}", fate_en(d.task, &d.fate))
}

fn displaced_zh(d: &Displaced) -> String {
    format!("；队列已满，于是 {}", fate_zh(d.task, &d.fate))
}

fn refusal_en(r: Refusal) -> String {
    r.say(Lang::En)
}

fn broker_en(b: &BrokerEvent, n: &Names) -> String {
    match b {
        BrokerEvent::Connected {
            client,
            broker,
            session,
            consumes,
            republished,
        } => {
            let mut s = format!(
                "{} connects to {} (connection {session})",
                n.of(*client),
                n.of(*broker)
            );
            if *consumes {
                s.push_str(" and consumes its queue");
            }
            if *republished > 0 {
                s.push_str(&format!(
                    "; it sends the {republished} unconfirmed task(s) it holds"
                ));
            }
            s
        }
        BrokerEvent::ConnectFailed {
            client,
            broker,
            why,
            retry_at,
        } => {
            let why = match why {
                Unreachable::BrokerDown => "it is down",
                Unreachable::Partitioned => "a partition is in the way",
                Unreachable::BrokerPaused => "it is paused",
            };
            format!(
                "{} cannot reach {} ({why}); it tries again at {}",
                n.of(*client),
                n.of(*broker),
                secs(*retry_at)
            )
        }
        BrokerEvent::Closed {
            client,
            broker,
            side,
            why,
            returned,
            dropped,
        } => {
            let (c, br) = (n.of(*client), n.of(*broker));
            let mut s = match side {
                Side::Broker => format!("{br} sees {c}'s connection close ({})", close_en(*why)),
                Side::Client => {
                    format!("{c} sees its connection to {br} close ({})", close_en(*why))
                }
                Side::Both => format!(
                    "the connection between {c} and {br} is given up ({})",
                    close_en(*why)
                ),
            };
            if !returned.is_empty() {
                s.push_str(&format!(
                    "; its unacknowledged deliveries go back: {}",
                    returned_en(returned)
                ));
            }
            if !dropped.is_empty() {
                s.push_str(&format!(
                    "; {c} drops {} it had received but not started (the broker answers for them)",
                    tasks(dropped)
                ));
            }
            s
        }
        BrokerEvent::Publish {
            node,
            task,
            queue,
            persistent,
            poison,
            retries,
            eta,
            seq,
            new,
        } => {
            let mut s = format!("{} publishes {task} to {queue}", n.of(*node));
            if !new {
                s.push_str(&format!(" again (retry {retries})"));
            }
            s.push_str(if *persistent {
                " (persistent)"
            } else {
                " (transient)"
            });
            if *poison {
                s.push_str(", a poison message");
            }
            if let Some(t) = eta {
                s.push_str(&format!(", not to run before {}", secs(*t)));
            }
            if seq.is_none() {
                s.push_str("; the client holds it until it is connected");
            }
            s
        }
        BrokerEvent::Waits { node, why } => match why {
            WaitWhy::Confirms { max } => format!(
                "{} waits: {max} publishes are unconfirmed (flow control by confirms)",
                n.of(*node)
            ),
            WaitWhy::Confirm => format!(
                "{} waits for the broker to confirm the retry's copy before acknowledging",
                n.of(*node)
            ),
            WaitWhy::Delivery => format!("{} waits for a task", n.of(*node)),
            WaitWhy::Member => format!(
                "{} waits for its live participant: the task's handler runs in a real process, or the producer publishes when told",
                n.of(*node)
            ),
        },
        BrokerEvent::Republished {
            client,
            tasks: t,
            why,
        } => format!(
            "{} publishes {} again: {}",
            n.of(*client),
            tasks(t),
            match why {
                RepublishWhy::NoConfirm => "no confirm came in time",
                RepublishWhy::Nacked => "the broker had refused them",
            }
        ),
        BrokerEvent::Enqueued {
            broker,
            client,
            task,
            queue,
            depth,
            persisted,
            displaced,
            confirm,
            copy,
        } => {
            let mut s = format!(
                "{} queues {task} from {} in {queue} ({depth} ready{})",
                n.of(*broker),
                n.of(*client),
                if *persisted { ", on disk" } else { "" }
            );
            if *copy {
                s.push_str(", a copy the network made");
            }
            if let Some(d) = displaced {
                s.push_str(&displaced_en(d));
            }
            if let Some(seq) = confirm {
                s.push_str(&format!("; confirm #{seq} sent"));
            }
            s
        }
        BrokerEvent::Refused {
            broker,
            client,
            task,
            queue,
            why,
            seq,
        } => {
            let mut s = format!(
                "{} refuses {task} from {} for {queue}: {}",
                n.of(*broker),
                n.of(*client),
                refusal_en(*why)
            );
            if let Some(seq) = seq {
                s.push_str(&format!("; nack #{seq} sent"));
            }
            s
        }
        BrokerEvent::Confirmed {
            client, task, seq, ..
        } => match task {
            Some(t) => format!(
                "{} gets confirm #{seq}: the broker holds {t}",
                n.of(*client)
            ),
            None => format!(
                "{} gets confirm #{seq}, which answers nothing it still waits for",
                n.of(*client)
            ),
        },
        BrokerEvent::Nacked {
            client,
            task,
            seq,
            retry_at,
        } => {
            let what = task.map_or("a task".to_string(), |t| t.to_string());
            match retry_at {
                Some(t) => format!(
                    "{} gets nack #{seq} for {what}: it publishes it again at {}",
                    n.of(*client),
                    secs(*t)
                ),
                None => format!(
                    "{} gets nack #{seq} for {what}: it gives the task up",
                    n.of(*client)
                ),
            }
        }
        BrokerEvent::Dispatched {
            broker,
            client,
            task,
            tag,
            queue,
            redelivered,
            returns,
            auto_ack,
        } => {
            let mut s = format!(
                "{} delivers {task} from {queue} to {} (tag {tag}",
                n.of(*broker),
                n.of(*client)
            );
            if *redelivered {
                s.push_str(", redelivered");
                if *returns > 0 {
                    s.push_str(&format!(" after {returns} return(s)"));
                }
            }
            s.push(')');
            if *auto_ack {
                s.push_str("; automatic acknowledgement: the broker forgets it now");
            }
            s
        }
        BrokerEvent::Received {
            client,
            task,
            eta,
            copy,
            ..
        } => {
            let mut s = format!("{task} reaches {}", n.of(*client));
            if let Some(t) = eta {
                s.push_str(&format!(
                    ", which holds it unacknowledged until {} (its countdown)",
                    secs(*t)
                ));
            }
            if *copy {
                s.push_str(" (a copy the network made)");
            }
            s
        }
        BrokerEvent::Released { client, tasks: t } => format!(
            "the countdown of {} ends: {} can run it now",
            tasks(t),
            n.of(*client)
        ),
        BrokerEvent::Took {
            node,
            task,
            nth,
            waited,
            ..
        } => {
            let mut s = format!("{} starts {task}", n.of(*node));
            if *nth > 1 {
                s.push_str(&format!(" (start number {nth} of this task)"));
            }
            if *waited > Tick::ZERO {
                s.push_str(&format!(" after it waited {waited} in its prefetch"));
            }
            s
        }
        BrokerEvent::Settle {
            node,
            task,
            tag,
            how,
            stale,
        } => {
            let mut s = format!("{} {} {task} (tag {tag})", n.of(*node), how_en(*how));
            if *stale {
                s.push_str(", but the connection it came on has closed: the broker has taken it back already");
            }
            s
        }
        BrokerEvent::Settled {
            broker,
            client,
            task,
            tag,
            how,
            result,
            copy,
        } => {
            let (br, c) = (n.of(*broker), n.of(*client));
            let what = task.map_or(format!("tag {tag}"), |t| t.to_string());
            let mut s = match result {
                SettleResult::Acked => {
                    format!("{br} removes {what}: {c} acknowledged it")
                }
                SettleResult::Returned { fate } => format!(
                    "{br}: {} ({} from {c})",
                    fate_en(task.unwrap_or_default(), fate),
                    how_en(*how)
                ),
                SettleResult::ChannelClosed { returned } => format!(
                    "{br} knows no delivery tag {tag} on {c}'s connection: PRECONDITION_FAILED closes it, and its deliveries go back ({})",
                    returned_en(returned)
                ),
                SettleResult::Ignored => format!(
                    "{br} ignores the ack of unknown tag {tag} from {c} (Redis has nothing to delete)"
                ),
            };
            if *copy {
                s.push_str("; it was a copy the network made");
            }
            s
        }
        BrokerEvent::Effect { node, task, nth } => {
            if *nth <= 1 {
                format!("{} runs {task}'s side effect", n.of(*node))
            } else {
                format!(
                    "{} runs {task}'s side effect again: {nth} times now, a duplicate",
                    n.of(*node)
                )
            }
        }
        BrokerEvent::EffectSkipped { node, task } => format!(
            "{} finds {task} in its table of processed tasks: the effect is not run again, only acknowledged",
            n.of(*node)
        ),
        BrokerEvent::Failed { node, task, then } => {
            let then = match then {
                FailThen::Failure => "FAILURE is recorded".to_string(),
                FailThen::Requeue => "it nacks the task back to its queue".to_string(),
                FailThen::Reject => "it rejects the task (to the dead letters)".to_string(),
                FailThen::Retry { countdown, retries } => {
                    format!("retry {retries} in {countdown}")
                }
            };
            format!("{task}'s handler fails on {}: {then}", n.of(*node))
        }
        BrokerEvent::ResultStored {
            broker,
            task,
            state,
        } => format!(
            "result backend on {}: {task} is {}",
            n.of(*broker),
            state.name()
        ),
        BrokerEvent::Expired {
            broker,
            client,
            returned,
        } => format!(
            "{}'s visibility timeout ends while {} holds it: {} gives it out again ({})",
            returned.task,
            n.of(*client),
            n.of(*broker),
            fate_en(returned.task, &returned.fate)
        ),
        BrokerEvent::FrameDropped {
            from,
            to,
            frame,
            task,
        } => {
            let mut s = format!(
                "the network loses a {} frame from {} to {}",
                frame_en(*frame),
                n.of(*from),
                n.of(*to)
            );
            if let Some(t) = task {
                s.push_str(&format!(" (about {t})"));
            }
            s
        }
    }
}

fn broker_zh(b: &BrokerEvent, n: &Names) -> String {
    match b {
        BrokerEvent::Connected {
            client,
            broker,
            session,
            consumes,
            republished,
        } => {
            let mut s = format!(
                "{} 连接到 {}（第 {session} 个连接）",
                n.of(*client),
                n.of(*broker)
            );
            if *consumes {
                s.push_str("并开始消费它的队列");
            }
            if *republished > 0 {
                s.push_str(&format!("；它发出手里 {republished} 个未确认的任务"));
            }
            s
        }
        BrokerEvent::ConnectFailed {
            client,
            broker,
            why,
            retry_at,
        } => {
            let why = match why {
                Unreachable::BrokerDown => "它已宕机",
                Unreachable::Partitioned => "中间隔着网络分区",
                Unreachable::BrokerPaused => "它处于暂停状态",
            };
            format!(
                "{} 连不上 {}（{why}）；将在 {} 重试",
                n.of(*client),
                n.of(*broker),
                secs(*retry_at)
            )
        }
        BrokerEvent::Closed {
            client,
            broker,
            side,
            why,
            returned,
            dropped,
        } => {
            let (c, br) = (n.of(*client), n.of(*broker));
            let mut s = match side {
                Side::Broker => format!("{br} 发现 {c} 的连接关闭了（{}）", close_zh(*why)),
                Side::Client => format!("{c} 发现它到 {br} 的连接关闭了（{}）", close_zh(*why)),
                Side::Both => format!("{c} 与 {br} 之间的连接被放弃（{}）", close_zh(*why)),
            };
            if !returned.is_empty() {
                s.push_str(&format!(
                    "；未确认的投递回到队列：{}",
                    returned_zh(returned)
                ));
            }
            if !dropped.is_empty() {
                s.push_str(&format!(
                    "；{c} 丢下已收到但尚未开始的 {}（由消息代理负责）",
                    tasks(dropped)
                ));
            }
            s
        }
        BrokerEvent::Publish {
            node,
            task,
            queue,
            persistent,
            poison,
            retries,
            eta,
            seq,
            new,
        } => {
            let mut s = format!("{} 把 {task} 发布到 {queue}", n.of(*node));
            if !new {
                s.push_str(&format!("（第 {retries} 次重试）"));
            }
            s.push_str(if *persistent {
                "（持久）"
            } else {
                "（非持久）"
            });
            if *poison {
                s.push_str("，这是一条毒消息");
            }
            if let Some(t) = eta {
                s.push_str(&format!("，不早于 {} 执行", secs(*t)));
            }
            if seq.is_none() {
                s.push_str("；在连上之前由客户端暂存");
            }
            s
        }
        BrokerEvent::Waits { node, why } => match why {
            WaitWhy::Confirms { max } => format!(
                "{} 在等待：已有 {max} 条发布未被确认（用确认做流量控制）",
                n.of(*node)
            ),
            WaitWhy::Confirm => format!(
                "{} 等待消息代理确认重试的副本，然后才确认原消息",
                n.of(*node)
            ),
            WaitWhy::Delivery => format!("{} 在等任务", n.of(*node)),
            WaitWhy::Member => format!(
                "{} 在等它的实时参与者：任务的处理函数在一个真实进程里运行，或者生产者等人告诉它发布",
                n.of(*node)
            ),
        },
        BrokerEvent::Republished {
            client,
            tasks: t,
            why,
        } => format!(
            "{} 重新发布 {}：{}",
            n.of(*client),
            tasks(t),
            match why {
                RepublishWhy::NoConfirm => "没有及时收到确认",
                RepublishWhy::Nacked => "消息代理曾拒绝它们",
            }
        ),
        BrokerEvent::Enqueued {
            broker,
            client,
            task,
            queue,
            depth,
            persisted,
            displaced,
            confirm,
            copy,
        } => {
            let mut s = format!(
                "{} 把来自 {} 的 {task} 放入 {queue}（{depth} 条就绪{}）",
                n.of(*broker),
                n.of(*client),
                if *persisted { "，已写入磁盘" } else { "" }
            );
            if *copy {
                s.push_str("，这是网络复制出来的副本");
            }
            if let Some(d) = displaced {
                s.push_str(&displaced_zh(d));
            }
            if let Some(seq) = confirm {
                s.push_str(&format!("；发出确认 #{seq}"));
            }
            s
        }
        BrokerEvent::Refused {
            broker,
            client,
            task,
            queue,
            why,
            seq,
        } => {
            let mut s = format!(
                "{} 拒绝了 {} 发往 {queue} 的 {task}：{}",
                n.of(*broker),
                n.of(*client),
                why.say(Lang::Zh)
            );
            if let Some(seq) = seq {
                s.push_str(&format!("；发出 nack #{seq}"));
            }
            s
        }
        BrokerEvent::Confirmed {
            client, task, seq, ..
        } => match task {
            Some(t) => format!("{} 收到确认 #{seq}：消息代理已持有 {t}", n.of(*client)),
            None => format!("{} 收到确认 #{seq}，但它已不再等待这条确认", n.of(*client)),
        },
        BrokerEvent::Nacked {
            client,
            task,
            seq,
            retry_at,
        } => {
            let what = task.map_or("一个任务".to_string(), |t| t.to_string());
            match retry_at {
                Some(t) => format!(
                    "{} 收到 {what} 的 nack #{seq}：将在 {} 重新发布",
                    n.of(*client),
                    secs(*t)
                ),
                None => format!("{} 收到 {what} 的 nack #{seq}：放弃这个任务", n.of(*client)),
            }
        }
        BrokerEvent::Dispatched {
            broker,
            client,
            task,
            tag,
            queue,
            redelivered,
            returns,
            auto_ack,
        } => {
            let mut s = format!(
                "{} 把 {queue} 中的 {task} 投递给 {}（标签 {tag}",
                n.of(*broker),
                n.of(*client)
            );
            if *redelivered {
                s.push_str("，重新投递");
                if *returns > 0 {
                    s.push_str(&format!("，此前退回 {returns} 次"));
                }
            }
            s.push('）');
            if *auto_ack {
                s.push_str("；自动确认：消息代理此刻就忘掉了它");
            }
            s
        }
        BrokerEvent::Received {
            client,
            task,
            eta,
            copy,
            ..
        } => {
            let mut s = format!("{task} 到达 {}", n.of(*client));
            if let Some(t) = eta {
                s.push_str(&format!(
                    "，它把任务保留到 {}（倒计时）且暂不确认",
                    secs(*t)
                ));
            }
            if *copy {
                s.push_str("（网络复制出来的副本）");
            }
            s
        }
        BrokerEvent::Released { client, tasks: t } => format!(
            "{} 的倒计时结束：{} 现在可以执行它",
            tasks(t),
            n.of(*client)
        ),
        BrokerEvent::Took {
            node,
            task,
            nth,
            waited,
            ..
        } => {
            let mut s = format!("{} 开始执行 {task}", n.of(*node));
            if *nth > 1 {
                s.push_str(&format!("（这个任务第 {nth} 次开始）"));
            }
            if *waited > Tick::ZERO {
                s.push_str(&format!("，它已在预取缓冲里等了 {waited}"));
            }
            s
        }
        BrokerEvent::Settle {
            node,
            task,
            tag,
            how,
            stale,
        } => {
            let mut s = format!("{} {} {task}（标签 {tag}）", n.of(*node), how_zh(*how));
            if *stale {
                s.push_str("，但它来时的连接已经关闭：消息代理早已把它收回");
            }
            s
        }
        BrokerEvent::Settled {
            broker,
            client,
            task,
            tag,
            how,
            result,
            copy,
        } => {
            let (br, c) = (n.of(*broker), n.of(*client));
            let what = task.map_or(format!("标签 {tag}"), |t| t.to_string());
            let mut s = match result {
                SettleResult::Acked => format!("{br} 删除 {what}：{c} 已确认"),
                SettleResult::Returned { fate } => format!(
                    "{br}：{}（来自 {c} 的{}）",
                    fate_zh(task.unwrap_or_default(), fate),
                    how_zh(*how)
                ),
                SettleResult::ChannelClosed { returned } => format!(
                    "{br} 在 {c} 的连接上不认识投递标签 {tag}：PRECONDITION_FAILED 关闭了这个连接，其投递回到队列（{}）",
                    returned_zh(returned)
                ),
                SettleResult::Ignored => {
                    format!("{br} 忽略了 {c} 对未知标签 {tag} 的确认（Redis 没有东西可删）")
                }
            };
            if *copy {
                s.push_str("；这是网络复制出来的副本");
            }
            s
        }
        BrokerEvent::Effect { node, task, nth } => {
            if *nth <= 1 {
                format!("{} 执行 {task} 的副作用", n.of(*node))
            } else {
                format!(
                    "{} 再次执行 {task} 的副作用：已经 {nth} 次了，这是重复",
                    n.of(*node)
                )
            }
        }
        BrokerEvent::EffectSkipped { node, task } => format!(
            "{} 在已处理任务表中找到 {task}：不再执行副作用，只做确认",
            n.of(*node)
        ),
        BrokerEvent::Failed { node, task, then } => {
            let then = match then {
                FailThen::Failure => "记录为 FAILURE".to_string(),
                FailThen::Requeue => "它把任务 nack 回队列".to_string(),
                FailThen::Reject => "它拒绝这个任务（进入死信）".to_string(),
                FailThen::Retry { countdown, retries } => {
                    format!("{countdown} 后进行第 {retries} 次重试")
                }
            };
            format!("{task} 的处理函数在 {} 上失败：{then}", n.of(*node))
        }
        BrokerEvent::ResultStored {
            broker,
            task,
            state,
        } => format!("{} 上的结果后端：{task} 为 {}", n.of(*broker), state.name()),
        BrokerEvent::Expired {
            broker,
            client,
            returned,
        } => format!(
            "{} 还在 {} 手里时可见性超时结束：{} 把它再次分发（{}）",
            returned.task,
            n.of(*client),
            n.of(*broker),
            fate_zh(returned.task, &returned.fate)
        ),
        BrokerEvent::FrameDropped {
            from,
            to,
            frame,
            task,
        } => {
            let mut s = format!(
                "网络丢失了一个从 {} 发往 {} 的 {} 帧",
                n.of(*from),
                n.of(*to),
                frame_en(*frame)
            );
            if let Some(t) = task {
                s.push_str(&format!("（关于 {t}）"));
            }
            s
        }
    }
}
