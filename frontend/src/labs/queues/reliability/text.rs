//! Every sentence of the reliability lab's own panels (predict then run,
//! the fault toolbar, the guarantee meter, the brokers' queues, the task
//! table), in English and Simplified Chinese, one constant per language:
//! a missing translation is a compile error. The broker's facts (outcomes,
//! guarantees, Celery's task states) say themselves in `shared/`.

use fanout_shared::broker::{Outcome, TaskRecord};

use super::FaultKind;
use crate::i18n::Lang;

pub struct RelTexts {
    pub predict_heading: &'static str,
    /// The question: how many tasks will end with this outcome by `at`.
    pub question: fn(Outcome, &str) -> String,
    pub check: &'static str,
    /// What was predicted, what the ledger says at `at` (an outcome's
    /// count), and whether they agree.
    pub verdict: fn(u64, u64, Outcome, &str) -> String,
    pub no_question: &'static str,

    pub faults_heading: &'static str,
    pub fault_node: &'static str,
    pub fault_peer: &'static str,
    pub fault_duration: &'static str,
    pub fault_duration_hint: &'static str,
    pub fault: fn(FaultKind) -> &'static str,
    pub fault_hint: fn(FaultKind) -> &'static str,

    pub meter_heading: &'static str,
    /// A queue's promise, from its configuration: queue, guarantee.
    pub promise: fn(&str, &str) -> String,
    pub nobody_consumes: fn(&str) -> String,
    pub lost_confirmed: fn(u64) -> String,
    pub meter_hint: &'static str,

    pub brokers_heading: &'static str,
    pub broker_down: &'static str,
    /// A task program's broker connection on the canvas, open or not.
    pub broker_link: fn(bool) -> &'static str,
    pub broker_link_legend: &'static str,
    pub on_disk: fn(usize) -> String,
    pub durable: &'static str,
    pub transient_queue: &'static str,
    pub dead_letters_of: fn(&str) -> String,
    pub ready: fn(usize) -> String,
    pub unacked: fn(usize) -> String,
    pub more: fn(usize) -> String,
    /// A chip's title: task, persistent, on disk, owner, deadline.
    pub chip_title: fn(&str, bool, bool, Option<&str>, Option<&str>) -> String,
    pub chips_legend: &'static str,

    pub tasks_heading: &'static str,
    pub col_task: &'static str,
    pub col_state: &'static str,
    pub col_tries: &'static str,
    pub col_worker: &'static str,
    pub col_result: &'static str,
    pub running: &'static str,
    pub no_tasks: &'static str,
    pub showing: fn(usize, usize) -> String,
    pub show_all: &'static str,
    /// One task's ledger, in a sentence.
    pub task_ledger: fn(&TaskRecord) -> String,
}

impl RelTexts {
    pub fn of(lang: Lang) -> &'static RelTexts {
        match lang {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

fn times_en(n: u32) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

const EN: RelTexts = RelTexts {
    predict_heading: "Predict, then run",
    question: |outcome, at| {
        let what = match outcome {
            Outcome::ExactlyOnce => "be processed exactly once",
            Outcome::Duplicated => "run more than once",
            Outcome::Lost => "be lost",
            Outcome::DeadLettered => "end in the dead letters",
            Outcome::Failed => "fail",
            Outcome::Pending => "still be on their way",
        };
        format!("By {at}, how many tasks will {what}?")
    },
    check: "Run and check",
    verdict: |said, counted, outcome, at| {
        let judged = if said == counted {
            "right".to_string()
        } else {
            format!("off by {}", said.abs_diff(counted))
        };
        let what = match outcome {
            Outcome::ExactlyOnce => "processed exactly once",
            Outcome::Duplicated => "processed more than once",
            Outcome::Lost => "lost",
            Outcome::DeadLettered => "dead-lettered",
            Outcome::Failed => "failed",
            Outcome::Pending => "still on their way",
        };
        format!("You said {said}. At {at} the ledger counts {counted} {what}: {judged}.")
    },
    no_question: "This lesson has no broker, so no ledger to predict: its lesson is the client's retries, in the log.",

    faults_heading: "Break something",
    fault_node: "Node",
    fault_peer: "and (for a link)",
    fault_duration: "for (ms)",
    fault_duration_hint: "empty: until restarted, resumed or healed",
    fault: |k| match k {
        FaultKind::Crash => "Crash node",
        FaultKind::Restart => "Restart node",
        FaultKind::Pause => "Pause node",
        FaultKind::Resume => "Resume node",
        FaultKind::Poison => "Poison next task",
        FaultKind::Partition => "Partition",
        FaultKind::Heal => "Heal",
        FaultKind::Delay => "Delay 200 ms",
        FaultKind::Drop => "Drop 50 %",
        FaultKind::Duplicate => "Duplicate 50 %",
    },
    fault_hint: |k| match k {
        FaultKind::Crash => "the process dies now: what it held in memory is gone",
        FaultKind::Restart => "a crashed node starts again as a fresh process",
        FaultKind::Pause => "the process stops running (a stall): messages wait",
        FaultKind::Resume => "a paused process runs again",
        FaultKind::Poison => "the producer's next task fails in every handler",
        FaultKind::Partition => "cuts the network between the two nodes",
        FaultKind::Heal => "ends the partitions and link faults between the two nodes",
        FaultKind::Delay => "200 ms more latency on the link between the two nodes",
        FaultKind::Drop => "half the broker frames between the two nodes are lost",
        FaultKind::Duplicate => "half the broker frames between the two nodes arrive twice",
    },

    meter_heading: "Guarantee meter",
    promise: |queue, g| format!("Queue {queue}: the configuration promises {g}."),
    nobody_consumes: |queue| format!("Queue {queue}: nobody consumes it."),
    lost_confirmed: |n| format!("{n} of them confirmed to the producer"),
    meter_hint: "Pick a count to list its tasks below; pick a task for its ledger.",

    brokers_heading: "Brokers",
    broker_down: "down: only its disk is left",
    broker_link: |open| {
        if open {
            "broker connection: open"
        } else {
            "broker connection: not open (not connected yet, closed, or held by a fault)"
        }
    },
    broker_link_legend: "broker connection (dashed: not open)",
    on_disk: |n| format!("{n} on disk"),
    durable: "durable",
    transient_queue: "not durable",
    dead_letters_of: |q| format!("dead letters of {q}"),
    ready: |n| format!("ready {n}"),
    unacked: |n| format!("unacknowledged {n}"),
    more: |n| format!("and {n} more"),
    chip_title: |task, persistent, disk, owner, deadline| {
        let mut s = format!(
            "{task}: {}",
            if persistent {
                "persistent"
            } else {
                "transient"
            }
        );
        if disk {
            s.push_str(", on disk");
        }
        if let Some(o) = owner {
            s.push_str(&format!(", held by {o}, unacknowledged"));
        }
        if let Some(d) = deadline {
            s.push_str(&format!(", back in the queue at {d} unless acknowledged"));
        }
        s
    },
    chips_legend: "Solid chip: persistent message; dashed: transient. ▪ on disk. → the worker holding it unacknowledged, until its deadline.",

    tasks_heading: "Tasks",
    col_task: "Task id",
    col_state: "State",
    col_tries: "Tries",
    col_worker: "Worker",
    col_result: "Ledger",
    running: "running",
    no_tasks: "No task produced yet.",
    showing: |n, of| format!("{n} of {of} tasks"),
    show_all: "Show all",
    task_ledger: |r| {
        format!(
            "{}: produced at {} into {}{}; published {}, enqueued {}, {}; delivered {} ({} redelivered), started {}, side effect {}, acknowledged {}{}{}.",
            r.task,
            r.produced_at,
            r.queue,
            if r.poison { " (poison)" } else { "" },
            times_en(r.published),
            times_en(r.enqueued),
            if r.confirmed {
                "confirmed"
            } else {
                "not confirmed"
            },
            times_en(r.dispatched),
            r.redelivered,
            times_en(r.delivered),
            if r.processed == 0 {
                "never".to_string()
            } else {
                times_en(r.processed)
            },
            times_en(r.acked),
            if r.dead_lettered > 0 {
                ", dead-lettered"
            } else {
                ""
            },
            if r.retries > 0 {
                format!(", retried {}", times_en(r.retries))
            } else {
                String::new()
            },
        )
    },
};

const ZH: RelTexts = RelTexts {
    predict_heading: "先预测，再运行",
    question: |outcome, at| {
        let what = match outcome {
            Outcome::ExactlyOnce => "恰好处理一次",
            Outcome::Duplicated => "被执行不止一次",
            Outcome::Lost => "丢失",
            Outcome::DeadLettered => "进入死信队列",
            Outcome::Failed => "失败",
            Outcome::Pending => "仍在途中",
        };
        format!("到 {at} 为止，会有多少个任务{what}？")
    },
    check: "运行并核对",
    verdict: |said, counted, outcome, at| {
        let judged = if said == counted {
            "猜对了".to_string()
        } else {
            format!("相差 {}", said.abs_diff(counted))
        };
        let what = match outcome {
            Outcome::ExactlyOnce => "恰好处理一次",
            Outcome::Duplicated => "被处理了不止一次",
            Outcome::Lost => "丢失",
            Outcome::DeadLettered => "进入死信队列",
            Outcome::Failed => "失败",
            Outcome::Pending => "仍在途中",
        };
        format!("你的预测是 {said}。到 {at}，账本记下 {counted} 个任务{what}：{judged}。")
    },
    no_question: "这一课没有消息代理，也就没有可以预测的账本：它讲的是客户端的重试，请看事件日志。",

    faults_heading: "制造故障",
    fault_node: "节点",
    fault_peer: "以及（链路故障的另一端）",
    fault_duration: "持续（毫秒）",
    fault_duration_hint: "留空：直到重启、恢复运行或修复为止",
    fault: |k| match k {
        FaultKind::Crash => "节点崩溃",
        FaultKind::Restart => "重启节点",
        FaultKind::Pause => "暂停节点",
        FaultKind::Resume => "恢复节点",
        FaultKind::Poison => "下一个任务有毒",
        FaultKind::Partition => "网络分区",
        FaultKind::Heal => "修复网络",
        FaultKind::Delay => "延迟 200 毫秒",
        FaultKind::Drop => "丢弃 50%",
        FaultKind::Duplicate => "重复 50%",
    },
    fault_hint: |k| match k {
        FaultKind::Crash => "进程立即死亡：它内存里的东西全部消失",
        FaultKind::Restart => "已崩溃的节点作为新进程重新启动",
        FaultKind::Pause => "进程停止运行（卡住）：消息在等待",
        FaultKind::Resume => "暂停的进程继续运行",
        FaultKind::Poison => "生产者的下一个任务在任何处理函数里都会失败",
        FaultKind::Partition => "切断两个节点之间的网络",
        FaultKind::Heal => "结束两个节点之间的分区和链路故障",
        FaultKind::Delay => "两个节点之间的链路增加 200 毫秒延迟",
        FaultKind::Drop => "两个节点之间一半的代理帧丢失",
        FaultKind::Duplicate => "两个节点之间一半的代理帧被投递两次",
    },

    meter_heading: "保证计量表",
    promise: |queue, g| format!("队列 {queue}：这套配置承诺{g}。"),
    nobody_consumes: |queue| format!("队列 {queue}：没有消费者。"),
    lost_confirmed: |n| format!("其中 {n} 个已向生产者确认"),
    meter_hint: "点一个计数，下面列出对应的任务；点一个任务，查看它的账目。",

    brokers_heading: "消息代理",
    broker_down: "已宕机：只剩下它的磁盘",
    broker_link: |open| {
        if open {
            "与代理的连接：已打开"
        } else {
            "与代理的连接：未打开（尚未连接、已关闭，或被故障阻断）"
        }
    },
    broker_link_legend: "与代理的连接（虚线：未打开）",
    on_disk: |n| format!("磁盘上 {n} 条"),
    durable: "持久队列",
    transient_queue: "非持久队列",
    dead_letters_of: |q| format!("{q} 的死信"),
    ready: |n| format!("就绪 {n}"),
    unacked: |n| format!("未确认 {n}"),
    more: |n| format!("还有 {n} 条"),
    chip_title: |task, persistent, disk, owner, deadline| {
        let mut s = format!(
            "{task}：{}",
            if persistent {
                "持久消息"
            } else {
                "非持久消息"
            }
        );
        if disk {
            s.push_str("，已写入磁盘");
        }
        if let Some(o) = owner {
            s.push_str(&format!("，由 {o} 持有，尚未确认"));
        }
        if let Some(d) = deadline {
            s.push_str(&format!("，若未确认将在 {d} 回到队列"));
        }
        s
    },
    chips_legend: "实线框：持久消息；虚线框：非持久消息。▪ 已写入磁盘。→ 持有它且尚未确认的工作进程，以及确认期限。",

    tasks_heading: "任务",
    col_task: "任务 id",
    col_state: "状态",
    col_tries: "尝试次数",
    col_worker: "工作进程",
    col_result: "账本结果",
    running: "执行中",
    no_tasks: "还没有产生任务。",
    showing: |n, of| format!("共 {of} 个任务，显示 {n} 个"),
    show_all: "全部显示",
    task_ledger: |r| {
        format!(
            "{}：于 {} 产生，进入队列 {}{}；发布 {} 次，入队 {} 次，{}；投递 {} 次（重新投递 {} 次），开始执行 {} 次，副作用发生 {} 次，确认 {} 次{}{}。",
            r.task,
            r.produced_at,
            r.queue,
            if r.poison { "（有毒）" } else { "" },
            r.published,
            r.enqueued,
            if r.confirmed {
                "已确认"
            } else {
                "未确认"
            },
            r.dispatched,
            r.redelivered,
            r.delivered,
            r.processed,
            r.acked,
            if r.dead_lettered > 0 {
                "，已进入死信队列"
            } else {
                ""
            },
            if r.retries > 0 {
                format!("，重试 {} 次", r.retries)
            } else {
                String::new()
            },
        )
    },
};
