//! Every sentence of the Tasks view, in English and Simplified Chinese:
//! [`Texts::of`] gives a language's table; facts (a journey's step, a
//! task's state, a worker's status, where a waiting task is held) are put
//! into words by one exhaustive `match` per language. A missing
//! translation, or a fact without its sentence, does not compile.

use fanout_shared::celery::{HeldIn, Step, TaskState, WorkerStatus};

use crate::i18n::Lang;

/// One language's texts of the Tasks view.
#[derive(Debug)]
pub struct Texts {
    pub title: &'static str,
    pub lede: &'static str,
    pub what: &'static str,
    pub redis_off: &'static str,
    pub point_here: fn(&str) -> String,
    pub run_worker: &'static str,
    pub send_task: &'static str,
    pub example: &'static str,
    pub visibility_label: &'static str,
    pub visibility_hint: &'static str,
    pub heartbeats_hint: &'static str,
    pub resynced: &'static str,

    pub workers_title: &'static str,
    pub no_workers: &'static str,
    pub worker: &'static str,
    pub status: &'static str,
    pub last_seen: &'static str,
    pub active: &'static str,
    pub processed: &'static str,
    pub software: &'static str,

    pub queues_title: &'static str,
    pub no_queues: &'static str,
    pub queue_empty: &'static str,
    pub priority: fn(u8) -> String,
    pub more: fn(usize) -> String,
    pub unreadable: &'static str,

    pub unacked_title: &'static str,
    pub unacked_hint: &'static str,
    pub no_unacked: &'static str,
    pub delivery_tag: &'static str,
    pub reserved_at: &'static str,
    pub deadline: &'static str,
    pub inferred: &'static str,

    pub waiting_title: &'static str,
    pub no_waiting: &'static str,
    pub eta: &'static str,
    pub held_in_label: &'static str,

    pub tasks_title: &'static str,
    pub no_tasks: &'static str,
    pub task: &'static str,
    pub id: &'static str,
    pub args: &'static str,
    pub retries: &'static str,
    pub state: &'static str,
    pub journey: &'static str,
    pub result: &'static str,
    pub runtime: &'static str,
    pub received: &'static str,
    pub started: &'static str,
    pub finished: &'static str,
    /// The mark of a derived time, and what it means.
    pub derived_mark: &'static str,
    pub derived_title: &'static str,
    pub times_hint: &'static str,
    pub restored: fn(u32) -> String,

    pub console_title: &'static str,
    pub console_hint: &'static str,
    pub console_try: &'static str,
    pub console_placeholder: &'static str,
    pub console_run: &'static str,
    pub invalid_args: &'static str,
    pub send_title: &'static str,
    pub send_hint: &'static str,
    pub send_button: &'static str,
    pub task_sent: fn(&str) -> String,

    /// Seconds until (positive) or since (negative) a moment.
    pub countdown: fn(i64) -> String,
    pub ago: fn(u64) -> String,
    pub step: fn(Step) -> &'static str,
    pub task_state: fn(TaskState) -> &'static str,
    pub worker_status: fn(WorkerStatus) -> &'static str,
    pub held_in: fn(HeldIn) -> &'static str,
}

impl Texts {
    /// The texts of `lang`.
    pub fn of(lang: Lang) -> &'static Texts {
        match lang {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

static EN: Texts = Texts {
    title: "Celery tasks on Fanout's Redis",
    lede: "Point an unchanged Celery app at this server's Redis node and watch every task's journey: queued on a list, reserved by a worker into kombu's unacked hash, acknowledged or restored when its visibility deadline passes, retried with a countdown, its result stored.",
    what: "watch the Redis node",
    redis_off: "This server runs no Redis node: it was started with --redis off. Start it without that flag to watch Celery here.",
    point_here: |addr| format!("Celery's broker and result backend: redis://{addr}/0"),
    run_worker: "Start a worker:",
    send_task: "Send a task:",
    example: "the ten-line example app",
    visibility_label: "Visibility timeout (s)",
    visibility_hint: "Only the app knows it (broker_transport_options); kombu's default is 3600 s.",
    heartbeats_hint: "Workers announce themselves with heartbeats every 2 s by default; who runs a task is named only by workers started with -E (task events), otherwise it is inferred when a single worker is alive (marked ≈).",
    resynced: "The view fell behind the node and was rebuilt from its contents.",

    workers_title: "Workers",
    no_workers: "No worker heard from yet.",
    worker: "Worker",
    status: "Status",
    last_seen: "Last heard",
    active: "Active",
    processed: "Processed",
    software: "Software",

    queues_title: "Queues",
    no_queues: "No Celery queue on the node yet.",
    queue_empty: "empty",
    priority: |priority| format!("priority list {priority}"),
    more: |count| format!("… and {count} more"),
    unreadable: "(not a task message)",

    unacked_title: "Reserved, not acknowledged",
    unacked_hint: "kombu's unacked hash: a worker took these off the queue; if it is not acknowledged by the deadline, kombu puts it back.",
    no_unacked: "Nothing reserved.",
    delivery_tag: "Delivery tag",
    reserved_at: "Reserved",
    deadline: "Visibility deadline",
    inferred: "≈",

    waiting_title: "Waiting for a countdown",
    no_waiting: "No task waiting for its eta.",
    eta: "Runs at",
    held_in_label: "Held in",

    tasks_title: "Tasks",
    no_tasks: "No task seen yet.",
    task: "Task",
    id: "Id",
    args: "Arguments",
    retries: "Retries",
    state: "State",
    journey: "Journey",
    result: "Result",
    runtime: "Runtime",
    received: "Received",
    started: "Started",
    finished: "Finished",
    derived_mark: "≈",
    derived_title: "derived from the broker's traffic, not reported by the worker",
    times_hint: "Received, started, finished and runtime are Flower's columns. A worker started with -E reports them in its task events; otherwise it reports only its result (finished = its date_done), and the rest is derived from the broker, marked ≈: received when the worker reserved the message into unacked, started then (or at its eta, if later), runtime from that start to finished.",
    restored: |times| format!("restored {times}×"),

    console_title: "Your own hands on the node",
    console_hint: "A command line like redis-cli's, on the same node Celery uses: what you write here, the panels above show, as they show what Celery and redis-cli write. Quote arguments as redis-cli does (\"a b\", 'c', \"\\x41\\n\"). Commands that wait or subscribe (BLPOP, SUBSCRIBE, MONITOR) need a real client.",
    console_try: "Try:",
    console_placeholder: "a command, e.g. LLEN celery",
    console_run: "Run",
    invalid_args: "Invalid argument(s)",
    send_title: "Send a task from this page",
    send_hint: "Builds the message Celery's add.delay(x, y) would send (message protocol 2 in kombu's envelope) and pushes it onto the celery queue with LPUSH. A worker of the example app runs it, and its result appears in the Tasks table.",
    send_button: "Send the task",
    task_sent: |id| format!("sent task {id}: follow it in the panels above and the Tasks table"),

    countdown: |seconds| {
        if seconds >= 0 {
            format!("in {seconds} s")
        } else {
            format!("{} s overdue", -seconds)
        }
    },
    ago: |seconds| format!("{seconds} s ago"),
    step: en::step,
    task_state: en::task_state,
    worker_status: en::worker_status,
    held_in: en::held_in,
};

static ZH: Texts = Texts {
    title: "Fanout 的 Redis 上的 Celery 任务",
    lede: "把一个不做任何修改的 Celery 应用指向这台服务器的 Redis 节点，就能看到每个任务的全过程：进入队列（列表），被 worker 取走并放进 kombu 的 unacked 哈希，得到确认，或在可见性超时后被放回，带倒计时重试，最后存下结果。",
    what: "观察 Redis 节点",
    redis_off: "这台服务器没有运行 Redis 节点：启动时用了 --redis off。去掉这个参数重新启动，才能在这里观察 Celery。",
    point_here: |addr| format!("Celery 的 broker 和结果后端：redis://{addr}/0"),
    run_worker: "启动一个 worker：",
    send_task: "发送一个任务：",
    example: "十行的示例应用",
    visibility_label: "可见性超时（秒）",
    visibility_hint: "只有应用自己知道这个值（broker_transport_options）；kombu 的默认值是 3600 秒。",
    heartbeats_hint: "worker 默认每 2 秒发送一次心跳来报告自己；只有用 -E 启动的 worker（任务事件）才会说明任务由谁执行，否则在只有一个 worker 在线时推断（标记为 ≈）。",
    resynced: "视图落后于节点，已按节点当前内容重建。",

    workers_title: "Worker",
    no_workers: "还没有收到任何 worker 的消息。",
    worker: "Worker",
    status: "状态",
    last_seen: "最近一次消息",
    active: "执行中",
    processed: "已处理",
    software: "软件",

    queues_title: "队列",
    no_queues: "节点上还没有 Celery 队列。",
    queue_empty: "空",
    priority: |priority| format!("优先级列表 {priority}"),
    more: |count| format!("……还有 {count} 条"),
    unreadable: "（不是任务消息）",

    unacked_title: "已取走、未确认",
    unacked_hint: "kombu 的 unacked 哈希：worker 已从队列取走这些消息；若在截止时间前没有确认，kombu 会把它放回队列。",
    no_unacked: "没有已取走的消息。",
    delivery_tag: "投递标签",
    reserved_at: "取走时间",
    deadline: "可见性截止",
    inferred: "≈",

    waiting_title: "等待倒计时",
    no_waiting: "没有等待 eta 的任务。",
    eta: "执行时间",
    held_in_label: "所在位置",

    tasks_title: "任务",
    no_tasks: "还没有看到任务。",
    task: "任务",
    id: "ID",
    args: "参数",
    retries: "重试次数",
    state: "状态",
    journey: "经过",
    result: "结果",
    runtime: "运行时长",
    received: "接收时间",
    started: "开始时间",
    finished: "完成时间",
    derived_mark: "≈",
    derived_title: "由 broker 上的通信推算，不是 worker 报告的",
    times_hint: "接收、开始、完成时间和运行时长是 Flower 的列。用 -E 启动的 worker 会在任务事件里报告它们；否则 worker 只报告结果（完成时间就是结果的 date_done），其余由 broker 推算，标记为 ≈：接收时间是 worker 把消息取进 unacked 的时刻，开始时间同上（若有更晚的 eta 则为 eta），运行时长是从这个开始到完成。",
    restored: |times| format!("被放回 {times} 次"),

    console_title: "亲手操作这个节点",
    console_hint: "一个像 redis-cli 那样的命令行，连着 Celery 使用的同一个节点：你在这里写入的内容，上面的面板都会显示，就像显示 Celery 和 redis-cli 写入的一样。参数的引号写法与 redis-cli 相同（\"a b\"、'c'、\"\\x41\\n\"）。会等待或订阅的命令（BLPOP、SUBSCRIBE、MONITOR）需要真正的客户端。",
    console_try: "试试：",
    console_placeholder: "输入命令，例如 LLEN celery",
    console_run: "执行",
    invalid_args: "Invalid argument(s)（参数无效：引号不配对）",
    send_title: "从这个页面发送一个任务",
    send_hint: "构造 Celery 的 add.delay(x, y) 会发送的消息（kombu 信封里的第 2 版消息协议），用 LPUSH 放进 celery 队列。示例应用的 worker 会执行它，结果出现在下面的任务表里。",
    send_button: "发送任务",
    task_sent: |id| format!("已发送任务 {id}：在上面的面板和任务表里跟踪它"),

    countdown: |seconds| {
        if seconds >= 0 {
            format!("还有 {seconds} 秒")
        } else {
            format!("已超时 {} 秒", -seconds)
        }
    },
    ago: |seconds| format!("{seconds} 秒前"),
    step: zh::step,
    task_state: zh::task_state,
    worker_status: zh::worker_status,
    held_in: zh::held_in,
};

/// The facts in English.
mod en {
    use super::*;

    pub fn step(step: Step) -> &'static str {
        match step {
            Step::Queued => "queued",
            Step::Reserved => "reserved (unacked)",
            Step::Acknowledged => "acknowledged",
            Step::Restored => "restored to its queue",
            Step::RetryScheduled => "retry sent with a countdown",
            Step::Received => "received by a worker",
            Step::Started => "started",
            Step::Result(state) => task_state(state),
        }
    }

    pub fn task_state(state: TaskState) -> &'static str {
        match state {
            TaskState::Pending => "PENDING",
            TaskState::Received => "RECEIVED",
            TaskState::Started => "STARTED",
            TaskState::Success => "SUCCESS",
            TaskState::Failure => "FAILURE",
            TaskState::Retry => "RETRY",
            TaskState::Revoked => "REVOKED",
            TaskState::Other => "other state",
        }
    }

    pub fn worker_status(status: WorkerStatus) -> &'static str {
        match status {
            WorkerStatus::Online => "online",
            WorkerStatus::Lost => "no heartbeat",
            WorkerStatus::Offline => "offline",
        }
    }

    pub fn held_in(held: HeldIn) -> &'static str {
        match held {
            HeldIn::Queue => "its queue",
            HeldIn::Unacked => "a worker (unacked)",
        }
    }
}

/// The facts in Chinese.
mod zh {
    use super::*;

    pub fn step(step: Step) -> &'static str {
        match step {
            Step::Queued => "进入队列",
            Step::Reserved => "被取走（未确认）",
            Step::Acknowledged => "已确认",
            Step::Restored => "被放回队列",
            Step::RetryScheduled => "带倒计时重新发送（重试）",
            Step::Received => "worker 已接收",
            Step::Started => "开始执行",
            Step::Result(state) => task_state(state),
        }
    }

    pub fn task_state(state: TaskState) -> &'static str {
        match state {
            TaskState::Pending => "PENDING（等待）",
            TaskState::Received => "RECEIVED（已接收）",
            TaskState::Started => "STARTED（执行中）",
            TaskState::Success => "SUCCESS（成功）",
            TaskState::Failure => "FAILURE（失败）",
            TaskState::Retry => "RETRY（重试）",
            TaskState::Revoked => "REVOKED（已撤销）",
            TaskState::Other => "其他状态",
        }
    }

    pub fn worker_status(status: WorkerStatus) -> &'static str {
        match status {
            WorkerStatus::Online => "在线",
            WorkerStatus::Lost => "心跳中断",
            WorkerStatus::Offline => "已下线",
        }
    }

    pub fn held_in(held: HeldIn) -> &'static str {
        match held {
            HeldIn::Queue => "队列中",
            HeldIn::Unacked => "worker 手中（未确认）",
        }
    }
}
