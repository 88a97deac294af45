//! Every sentence of the queue lab, in English and Simplified Chinese (the
//! chapter's language): [`Texts`] holds the interface's words, one
//! constant per language ([`Texts::of`]), its `live` part the live rooms';
//! the lab's refusals ([`Problem`]) say themselves from the two tables at
//! the end. A missing translation is a compile error. The captions and the
//! engine's refusals are said by the engine itself (`Say`, in `shared/`).

use fanout_shared::{
    lang::Say,
    sim::{BlockReason, ConnPhase, DropReason, NodeState, presets::Preset},
    socket::FsmState,
};

use super::{
    editor::Block,
    log::LogKind,
    problem::{Number, Problem},
};
use crate::i18n::Lang;

#[derive(Debug)]
pub struct Texts {
    pub title: &'static str,
    pub lede: &'static str,
    /// The same canvas on the reliability lab's page (`/reliability`).
    pub reliability_title: &'static str,
    pub reliability_lede: &'static str,
    /// Before the problems, with its own space (none after a Chinese colon).
    pub load_problem: &'static str,
    /// Between two problems.
    pub problems_joined: &'static str,

    // controls
    pub controls_label: &'static str,
    pub play: &'static str,
    pub pause: &'static str,
    pub step: &'static str,
    pub step_back: &'static str,
    pub speed: &'static str,
    pub seed: &'static str,
    pub reset: &'static str,
    pub scrubber: &'static str,
    pub event_of: fn(u64, u64) -> String,
    pub status: fn(u64, u64, &str) -> String,
    pub behind: &'static str,
    pub ended: &'static str,
    pub keys_hint: &'static str,

    // canvas
    pub canvas_label: &'static str,
    pub canvas_hint: &'static str,
    pub dismiss: &'static str,
    pub drop_reason: fn(DropReason) -> &'static str,
    /// The same reason in a few words, as a chart's line label.
    pub drop_reason_short: fn(DropReason) -> &'static str,
    pub pipe_label: fn(&str, &str, &str) -> String,
    pub blocked_in: fn(bool, &str) -> String,
    pub node_state: fn(NodeState) -> &'static str,
    pub binds: &'static str,
    pub connects: &'static str,
    pub no_subscription: &'static str,
    pub subs: &'static str,
    pub fsm: fn(FsmState) -> &'static str,
    pub fsm_short: fn(FsmState) -> &'static str,
    pub port_label: fn(&str) -> String,
    pub legend_label: &'static str,
    pub legend_title: &'static str,
    pub legend_drop: &'static str,
    pub legend_blocked: &'static str,
    pub legend_depth: &'static str,
    /// A connection the endpoints declare that does not exist yet.
    pub declared_pipe: &'static str,
    /// The canvas's zoom toggle: scale it into the page, or back.
    pub fit_to_view: &'static str,
    pub actual_size: &'static str,

    // caption and log
    pub what_happened: &'static str,
    pub event_n: fn(u64) -> String,
    pub nothing_yet: &'static str,
    pub log_title: &'static str,
    pub log_hint: &'static str,
    /// The short tag beside each line of the log.
    pub log_kind: fn(LogKind) -> &'static str,

    // inspector
    pub inspector_title: &'static str,
    pub inspector_hint: &'static str,
    pub applied: &'static str,
    pub sent: &'static str,
    pub received: &'static str,
    pub dropped: &'static str,
    pub blocked: &'static str,
    pub errors: &'static str,
    pub sockets_title: &'static str,
    pub interval: &'static str,
    pub service: &'static str,
    pub set: &'static str,
    pub dist_hint: &'static str,
    pub remove_node: &'static str,
    pub queued_n: fn(u32) -> String,
    pub show_node: &'static str,
    pub endpoints_title: &'static str,
    pub latency: &'static str,
    pub disconnect: &'static str,
    pub bind_endpoint: &'static str,
    pub bind: &'static str,
    pub connect_to: &'static str,
    pub choose_endpoint: &'static str,
    pub connect: &'static str,
    pub marks_title: &'static str,
    pub sndhwm: &'static str,
    pub rcvhwm: &'static str,
    pub pipes_title: &'static str,
    pub remove_socket: &'static str,
    pub subscriptions_title: &'static str,
    pub everything: &'static str,
    pub unsubscribe_from: fn(&str) -> String,
    pub subscribe_prefix: &'static str,
    pub subscribe: &'static str,
    pub conn_state: fn(ConnPhase) -> &'static str,
    pub stage_sending: &'static str,
    pub stage_wire: &'static str,
    pub stage_receiving: &'static str,
    pub topic: &'static str,
    pub msg_not_in_pipes: &'static str,
    pub msg_sending: fn(&str, &str) -> String,
    pub msg_on_wire: fn(&str, &str, &str) -> String,
    pub msg_receiving: fn(&str) -> String,
    pub msg_hint: &'static str,

    // editor
    pub editor_title: &'static str,
    pub editor_hint: &'static str,
    pub block: &'static str,
    pub block_name: fn(Block) -> &'static str,
    pub node_name: &'static str,
    pub input_from: &'static str,
    pub output_to: &'static str,
    pub output_none: &'static str,
    pub or_bind: &'static str,
    pub as_type: &'static str,
    pub add_node: &'static str,
    pub node_added: fn(&str) -> String,
    pub add_socket: &'static str,
    pub socket_name: &'static str,
    pub socket_type: &'static str,
    pub endpoint: &'static str,
    pub binds_it: &'static str,
    pub add: &'static str,

    // charts
    pub samples_n: fn(u64, u64, u64) -> String,
    pub pi_error: fn(&str) -> String,
    pub charts_title: &'static str,
    pub charts_wait: &'static str,
    pub pi_chart: &'static str,
    pub error_chart: &'static str,
    pub samples_axis: &'static str,
    pub time_axis: &'static str,
    pub estimate: &'static str,
    pub error: &'static str,
    /// Titles of the charts averaged over a window (its length in seconds).
    pub throughput_chart: fn(f64) -> String,
    pub depth_chart: fn(f64) -> String,
    pub drops_chart: &'static str,
    pub no_drops_chart: &'static str,

    // scenarios and sharing
    pub scenario_label: &'static str,
    pub scenario: &'static str,
    pub preset_title: fn(Preset) -> &'static str,
    pub preset_explanation: fn(Preset) -> &'static str,
    pub custom_name: fn(&str) -> String,
    pub custom_scenario: fn(&str) -> String,
    pub copy_link: &'static str,
    pub link_label: &'static str,
    pub copied: &'static str,
    pub copy_by_hand: &'static str,
    pub export: &'static str,
    pub export_hint: &'static str,
    pub download: &'static str,
    pub import: &'static str,
    pub import_paste: &'static str,
    pub import_file: &'static str,
    pub open: &'static str,

    /// "Run live": the live rooms' words.
    pub live: Live,
}

/// The live rooms' words ("Run live", joining by code, the page's own
/// worker; on the reliability page without the ZeroMQ hands, so some are
/// unread there).
#[derive(Debug)]
#[cfg_attr(feature = "reliability", allow(dead_code))]
pub struct Live {
    pub section_label: &'static str,
    pub run_live: &'static str,
    pub run_live_hint: &'static str,
    pub contacting: &'static str,
    /// The page has no server: what live runs need and how to get one.
    pub needs_server: &'static str,
    pub start_with: &'static str,
    pub or_point_at: &'static str,
    pub creating: &'static str,
    pub joining: fn(&str) -> String,
    pub not_connected: &'static str,
    pub refused: fn(&str) -> String,
    pub live_badge: &'static str,
    pub join_code: &'static str,
    pub join_link: &'static str,
    pub copy_link: &'static str,
    pub owner_hint: &'static str,
    pub member_hint: fn(&str) -> String,
    pub status: fn(u64, u64, usize) -> String,
    pub close_room: &'static str,
    pub leave_room: &'static str,
    pub replay: &'static str,
    pub replay_hint: &'static str,
    pub join_worker: &'static str,
    pub join_worker_hint: fn(&str) -> String,
    pub no_push_endpoint: &'static str,
    /// Sending by hand (`live/sender.rs`): the field, the button, where it
    /// goes (socket type, endpoint), and what the last send did.
    pub send_label: &'static str,
    pub send_button: &'static str,
    pub send_hint: fn(&str, &str) -> String,
    pub sent_count: fn(&str, u64) -> String,
    pub sent_as: fn(&str) -> String,
    pub not_sent: fn(BlockReason) -> String,
    pub your_worker: fn(&str) -> String,
    pub received: &'static str,
    pub last_messages: &'static str,
    pub none_yet: &'static str,
    pub ended: fn(&str) -> String,
    pub lost: &'static str,
    /// A room running the reliability engine, joined from the queue page
    /// (built without it): what it runs, then the link's words.
    pub runs_brokers: &'static str,
    pub open_in_reliability: &'static str,
    /// Real ZeroMQ programs in the room (`docs/queuepi.md`).
    pub zmtp_heading: &'static str,
    pub zmtp_hint: &'static str,
    /// An endpoint, the type and node binding it, and the URL to connect to.
    pub zmtp_endpoint: fn(&str, &str, &str, &str) -> String,
    /// An external node's address the room connects to: endpoint, the
    /// socket type a program binds there, the node it drives.
    pub zmtp_dial: fn(&str, &str, &str) -> String,
    pub zmtp_none: &'static str,
    /// Before the commands running the chapter's π functions.
    pub zmtp_pi: &'static str,
}

impl Texts {
    pub fn of(lang: Lang) -> &'static Texts {
        match lang {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

pub const EN: Texts = Texts {
    title: "Queue lab",
    lede: "The chapter's message queues, alive: every message moving through ZeroMQ-style \
           sockets (pipeline, publish–subscribe, request–reply), every rule explained as it \
           happens. Step forward and back, change the topology while it runs, share the exact \
           state as a link. It all runs in your browser.",
    reliability_title: "Reliability lab",
    reliability_lede: "What the chapter's π system lacks, tried out: processes that crash and \
           pause, networks that partition, lose and duplicate, and a broker with \
           acknowledgements, prefetch, retries, dead letters and persistence. Step through \
           each lesson and watch which tasks are lost, run twice or dead-lettered, and why. It all \
           runs in your browser.",
    load_problem: "Could not open what the address asked for: ",
    problems_joined: "; ",

    controls_label: "Simulation controls",
    play: "Play",
    pause: "Pause",
    step: "Step",
    step_back: "Step back",
    speed: "Speed (virtual time)",
    seed: "Seed",
    reset: "Restart",
    scrubber: "Timeline: event number",
    event_of: |step, horizon| format!("event {step} of {horizon}"),
    status: |step, horizon, clock| format!("Event {step} (computed up to {horizon}) · t = {clock}"),
    behind: "Playing slower than asked: this machine cannot simulate that fast.",
    ended: "Nothing more happens in this run.",
    keys_hint: "Keys: Space play/pause · → step · ← step back",

    canvas_label: "The topology: nodes, their sockets, the pipes between them and the messages in flight",
    canvas_hint: "Drag a card to move it; drag from one port (circle) to another to connect; click anything to inspect it; hover a message for its payload.",
    dismiss: "Dismiss",
    drop_reason: |reason| match reason {
        DropReason::Hwm => "dropped: pipe at its high-water mark",
        DropReason::NoPeer => "dropped: no peer",
        DropReason::Filtered => "not sent: no subscription matches",
        DropReason::Disconnected => "lost: connection closed",
    },
    drop_reason_short: |reason| match reason {
        DropReason::Hwm => "at high water",
        DropReason::NoPeer => "no peer",
        DropReason::Filtered => "no subscriber",
        DropReason::Disconnected => "conn. closed",
    },
    pipe_label: |connecter, binder, endpoint| {
        format!("{connecter} connects to {binder} at {endpoint} (click to inspect)")
    },
    blocked_in: |send, socket| {
        if send {
            format!("BLOCKED in send on {socket}")
        } else {
            format!("waiting in recv on {socket}")
        }
    },
    node_state: |state| match state {
        NodeState::WaitingToStart => "waiting to start",
        NodeState::Running => "running",
        NodeState::Blocked => "blocked",
        NodeState::Sleeping => "busy or pausing",
        NodeState::Halted => "finished",
        NodeState::External => "driven from outside",
        NodeState::Removed => "removed",
        NodeState::Crashed => "crashed",
        NodeState::Paused => "paused",
    },
    binds: "bind",
    connects: "connect",
    no_subscription: "no subscription: gets nothing",
    subs: "subs",
    fsm: |s| match s {
        FsmState::ReadyToSend => "REQ may send a request",
        FsmState::AwaitingReply => {
            "REQ is waiting for the reply (sending now would fail with EFSM)"
        }
        FsmState::AwaitingRequest => "REP is waiting for a request",
        FsmState::MustReply => "REP owes a reply (receiving now would fail with EFSM)",
    },
    fsm_short: |s| match s {
        FsmState::ReadyToSend => "may send",
        FsmState::AwaitingReply => "awaiting reply",
        FsmState::AwaitingRequest => "awaiting request",
        FsmState::MustReply => "must reply",
    },
    port_label: |socket| {
        format!("Port of {socket}: press Enter to inspect, drag to another port to connect")
    },
    legend_label: "Legend",
    legend_title: "On the wires:",
    legend_drop: "dropped here",
    legend_blocked: "blocked sender",
    legend_depth: "queue depth / high-water mark",
    declared_pipe: "declared, not connected yet",
    fit_to_view: "Fit to view",
    actual_size: "Actual size",

    what_happened: "What just happened",
    event_n: |step| format!("Event {step}: "),
    nothing_yet: "Nothing yet: press Step (→) or Play (Space).",
    log_title: "Event log",
    log_hint: "Newest first. Pick an event to highlight its message and pipe; pick something on the canvas to highlight its events.",
    log_kind: |kind| match kind {
        LogKind::Start => "start",
        LogKind::Halt => "halt",
        LogKind::Bind => "bind",
        LogKind::Connect => "connect",
        LogKind::Connected => "connected",
        LogKind::Disconnect => "disconnect",
        LogKind::Subscribe => "subscribe",
        LogKind::SubArrives => "sub-arrives",
        LogKind::Send => "send",
        LogKind::Drop => "drop",
        LogKind::Wire => "wire",
        LogKind::Deliver => "deliver",
        LogKind::Recv => "recv",
        LogKind::Block => "block",
        LogKind::Unblock => "unblock",
        LogKind::Error => "error",
        LogKind::Sleep => "sleep",
        LogKind::Wake => "wake",
        LogKind::Print => "print",
        LogKind::Edit => "edit",
        LogKind::Remove => "remove",
        LogKind::Timeout => "timeout",
        LogKind::Reopen => "reopen",
        #[cfg(feature = "reliability")]
        LogKind::Fault => "fault",
        #[cfg(feature = "reliability")]
        LogKind::Broker => "broker",
    },

    inspector_title: "Inspector",
    inspector_hint: "Click a node, a socket, a pipe or a message on the canvas (or pick an event in the log) to see its counters, queued messages, subscriptions and state, and to change its settings while it runs.",
    applied: "applied",
    sent: "sent",
    received: "received",
    dropped: "dropped",
    blocked: "blocked",
    errors: "errors",
    sockets_title: "Sockets",
    interval: "Interval between messages",
    service: "Service time per message",
    set: "Set",
    dist_hint: "Write 2ms (constant), 1ms-3ms (uniform) or exp 2ms (exponential).",
    remove_node: "Remove this node",
    queued_n: |n| format!("{n} queued"),
    show_node: "Show its node",
    endpoints_title: "Endpoints",
    latency: "Latency",
    disconnect: "Disconnect",
    bind_endpoint: "Bind another endpoint",
    bind: "Bind",
    connect_to: "Connect to",
    choose_endpoint: "(choose an endpoint)",
    connect: "Connect",
    marks_title: "High-water marks (0 = unlimited)",
    sndhwm: "Send mark (SNDHWM)",
    rcvhwm: "Receive mark (RCVHWM)",
    pipes_title: "Its connections",
    remove_socket: "Remove this socket",
    subscriptions_title: "Subscriptions (prefixes)",
    everything: "\"\" (everything)",
    unsubscribe_from: |topic| format!("Unsubscribe {topic}"),
    subscribe_prefix: "Subscribe to prefix (empty = everything)",
    subscribe: "Subscribe",
    conn_state: |state| match state {
        ConnPhase::Pending => "pending: nobody binds the endpoint yet",
        ConnPhase::Handshaking => "handshaking",
        ConnPhase::Up => "up",
        ConnPhase::Closed => "closed",
    },
    stage_sending: "sender's queue",
    stage_wire: "on the wire",
    stage_receiving: "receiver's queue",
    topic: "topic",
    msg_not_in_pipes: "Not in any pipe now: it was read, dropped, or is still to be sent.",
    msg_sending: |from, to| format!("in {from}'s queue, waiting to leave for {to}"),
    msg_on_wire: |from, to, at| format!("on the wire from {from} to {to}, arriving at {at}"),
    msg_receiving: |to| format!("in {to}'s queue, not read yet"),
    msg_hint: "The log highlights every event about this message.",

    editor_title: "Edit the topology",
    editor_hint: "Add a node from the building blocks, or drag from one socket's port to another's on the canvas to connect them. ZeroMQ's rules apply: an impossible pairing is refused with the reason.",
    block: "Building block",
    block_name: |kind| match kind {
        Block::Producer => "producer (sends every interval)",
        Block::Worker => "worker (receives, works, sends on)",
        Block::Sink => "sink (receives)",
        Block::Forwarder => "forwarder (SUB→PUB or PULL→PUSH)",
        Block::Requester => "requester (REQ)",
        Block::Replier => "replier (REP)",
    },
    node_name: "Name",
    input_from: "Receives from",
    output_to: "Sends to",
    output_none: "(nothing, or bind below)",
    or_bind: "…or binds",
    as_type: "as",
    add_node: "Add node",
    node_added: |name| format!("{name} added: it starts now."),
    add_socket: "Add a socket",
    socket_name: "Name",
    socket_type: "Type",
    endpoint: "Endpoint",
    binds_it: "binds it (otherwise connects)",
    add: "Add",

    samples_n: |q, yes, no| format!("{q} samples ({yes} Y, {no} N)"),
    pi_error: |e| format!("off by {e}"),
    charts_title: "Charts",
    charts_wait: "The charts fill in as the run goes on.",
    pi_chart: "π estimate against samples",
    error_chart: "Its error |estimate − π| (log scales)",
    samples_axis: "samples",
    time_axis: "virtual time (s)",
    estimate: "estimate",
    error: "error",
    throughput_chart: |window| {
        format!(
            "Messages received per second, per node (average over {})",
            window_en(window)
        )
    },
    depth_chart: |window| {
        format!(
            "Messages queued per connection (average over {})",
            window_en(window)
        )
    },
    drops_chart: "Drops so far, by reason",
    no_drops_chart: "Drops so far: none",

    scenario_label: "Scenario and sharing",
    scenario: "Scenario",
    preset_title: |name| match name {
        Preset::Pi => "π (the chapter's Monte Carlo system)",
        Preset::Pipeline => "pipeline (PUSH/PULL fan-out, fan-in)",
        Preset::Pubsub => "publish–subscribe (topics, prefixes)",
        Preset::Rpc => "RPC (REQ/REP to many back ends)",
        Preset::Signup => "sign-up e-mails through a queue",
        Preset::Logs => "log events instead of syslog",
        Preset::SlowSubscriber => "slow subscriber (drops at the mark)",
        Preset::SlowJoiner => "slow joiner (late subscriber misses messages)",
        #[cfg(feature = "reliability")]
        Preset::AtMostOnce => "at most once (early ack, a worker crashes)",
        #[cfg(feature = "reliability")]
        Preset::AtLeastOnce => "at least once (late ack, a crash after the side effect)",
        #[cfg(feature = "reliability")]
        Preset::EffectivelyOnce => "effectively once (late ack and deduplication)",
        #[cfg(feature = "reliability")]
        Preset::VisibilityTimeout => "a task slower than the visibility timeout",
        #[cfg(feature = "reliability")]
        Preset::Poison => "a poison message and the dead letters",
        #[cfg(feature = "reliability")]
        Preset::PrefetchStarvation => "prefetch starvation",
        #[cfg(feature = "reliability")]
        Preset::BrokerRestart => "broker restart (transient lost, persistent kept)",
        #[cfg(feature = "reliability")]
        Preset::FlowControl => "flow control for a slow consumer",
        #[cfg(feature = "reliability")]
        Preset::LazyPirate => "Lazy Pirate (REQ with timeout and retries)",
    },
    preset_explanation: |name| match name {
        Preset::Pi => {
            "Lesson 10: the chapter's π system. bitsource publishes random points; always_yes subscribes to the prefix 00 (always inside the circle) and pushes Y; judge subscribes to 01, 10 and 11, asks pythagoras over REQ/REP for n²+m² and pushes Y or N; tally pulls both streams and prints 4·Y/(Y+N)."
        }
        Preset::Pipeline => {
            "Lesson 9, pipeline: a ventilator PUSHes tasks round-robin to three workers, who PUSH results to one sink (fan-out, then fan-in). Marks of 10 make back-pressure visible: a full worker is skipped, and when all are full the ventilator blocks. Nothing is lost."
        }
        Preset::Pubsub => {
            "Lesson 9, publish–subscribe: one publisher, five subscribers. A SUB gets a message when one of its subscriptions is a prefix of it: weather. matches weather.paris, news also matches newsletter, \"\" matches everything, and no subscription gets nothing. The publisher does the filtering."
        }
        Preset::Rpc => {
            "Lessons 8 and 9, request–reply as RPC: two front ends, each a REQ connected to three REP back ends. Requests go round-robin, every reply returns to the front end that asked, and a REQ must receive its reply before it may send again."
        }
        Preset::Signup => {
            "Lesson 8: a web front end queues each new user's address for a slower mailer instead of sending the e-mail while the user waits. The queue absorbs the difference; the front end never notices."
        }
        Preset::Logs => {
            "Lesson 8: an event stream replacing syslog. Five services PUSH log events to one collector, which fair-queues them so no chatty service starves the others."
        }
        Preset::SlowSubscriber => {
            "Lesson 12, flow control: PUB never blocks. A slow subscriber's pipe reaches its high-water mark and its copies are dropped (counted as hwm), while a fast subscriber gets everything."
        }
        Preset::SlowJoiner => {
            "Lesson 12, delivery is not guaranteed: a subscriber that starts late misses everything published before its subscription reaches the publisher, so its first message is not m0."
        }
        #[cfg(feature = "reliability")]
        Preset::AtMostOnce => {
            "Lesson 12b, at most once: Celery acknowledges just before a task runs. A worker that crashes mid-task loses it; nothing runs twice. The ledger counts lost and duplicated tasks."
        }
        #[cfg(feature = "reliability")]
        Preset::AtLeastOnce => {
            "Lesson 12b, at least once: with acks_late a worker that crashes after the side effect but before its ack gets its task redelivered, so the effect happens twice. Nothing confirmed is lost."
        }
        #[cfg(feature = "reliability")]
        Preset::EffectivelyOnce => {
            "Lesson 12b, effectively once: the same crash, but the workers keep a table of processed task ids; the redelivered task is only acknowledged."
        }
        #[cfg(feature = "reliability")]
        Preset::VisibilityTimeout => {
            "Lesson 13, Celery over Redis: an unacknowledged task returns after the visibility timeout, so a task slower than the timeout runs again while it still runs."
        }
        #[cfg(feature = "reliability")]
        Preset::Poison => {
            "Lesson 12b, a poison message: its handler always fails and it is requeued, again and again, until the queue's delivery limit sends it to the dead letters."
        }
        #[cfg(feature = "reliability")]
        Preset::PrefetchStarvation => {
            "Lesson 12b, prefetch: a worker that reserves tasks hoards them behind a long one while another worker idles; prefetch 1 with late ack fixes it."
        }
        #[cfg(feature = "reliability")]
        Preset::BrokerRestart => {
            "Lesson 12, persistence: after a broker restart only persistent messages of durable queues remain; the transient ones are lost even though they were confirmed."
        }
        #[cfg(feature = "reliability")]
        Preset::FlowControl => {
            "Lesson 12, flow control for a slow consumer: a bounded queue with a producer held back by confirms loses nothing; an unbounded one grows; a dropping one loses tasks."
        }
        #[cfg(feature = "reliability")]
        Preset::LazyPirate => {
            "Lesson 12b, ZeroMQ's own reliability: the Lazy Pirate client polls with a timeout, reopens its REQ and retries, and gives up after three attempts."
        }
    },
    custom_name: |name| format!("{name} (your own)"),
    custom_scenario: |name| {
        format!("Your own scenario “{name}”: export it to keep it, or share the link.")
    },
    copy_link: "Copy link to this state",
    link_label: "Link to this state",
    copied: "Copied. Opening it shows exactly this state.",
    copy_by_hand: "Select the link and copy it.",
    export: "Export JSON",
    export_hint: "The scenario (with edits: the whole recording, scenario included). `fanout sim --scenario file.json` runs a scenario file.",
    download: "Download",
    import: "Import JSON",
    import_paste: "Paste a scenario or a recording",
    import_file: "…or open a file",
    open: "Open",

    live: Live {
        section_label: "Live room",
        run_live: "Run live",
        run_live_hint: "Run this scenario on the Fanout server, in real time, as a room others join \
                        with a short code: their browsers and scripts become workers beside the \
                        scenario's own.",
        contacting: "Contacting the Fanout server…",
        needs_server: "Live runs need a Fanout server, and this page is not connected to one. \
                       The simulation above still works.",
        start_with: "Start one with",
        or_point_at: "and open the lab from it, or point this page at a running server by adding \
                      this to its address:",
        creating: "Creating the room…",
        joining: |code| format!("Joining room {code}…"),
        not_connected: "Not connected to the Fanout server.",
        refused: |message| format!("The server refused: {message}"),
        live_badge: "Live",
        join_code: "Join code",
        join_link: "Join link",
        copy_link: "Copy join link",
        owner_hint: "Read the code aloud or share the link. Everyone who opens it sees this room \
                     and can join as a worker; you hold the room's key, so only you can close it.",
        member_hint: |scenario| {
            format!(
                "You are in a live run of “{scenario}” on the Fanout server, with everyone who has \
                 its code. The canvas shows the room as the server runs it."
            )
        },
        status: |events, skipped, members| {
            let sampled = if skipped > 0 {
                format!("; the log shows a sample ({skipped} not shown)")
            } else {
                String::new()
            };
            let who = if members == 1 {
                "1 member".to_string()
            } else {
                format!("{members} members")
            };
            format!("{who} · {events} events so far{sampled}")
        },
        close_room: "Close the room",
        leave_room: "Leave the room",
        replay: "Stop and replay offline",
        replay_hint: "Ends your live view and steps through everything the room did, in your \
                      browser, with the scrubber.",
        join_worker: "Join as a PULL worker",
        join_worker_hint: |endpoint| {
            format!(
                "Adds your own node with a PULL socket connected to {endpoint}. The PUSH there \
                 counts you in its round-robin, as libzmq would."
            )
        },
        no_push_endpoint: "This scenario has no PUSH socket that binds, so there is nothing for a \
                           PULL worker to connect to.",
        send_label: "Send by hand",
        send_button: "Send",
        send_hint: |kind, endpoint| {
            format!(
                "Your own node with a {kind} socket connected to {endpoint} sends what you type, \
                 one message per click, routed by the room like everyone's."
            )
        },
        sent_count: |node, n| format!("{node} has sent {n}."),
        sent_as: |msg| format!("Last: {msg}."),
        not_sent: |why| match why {
            BlockReason::NoPeer => "Not sent: no peer has connected yet (EAGAIN).".into(),
            BlockReason::PipesFull { hwm } => {
                format!("Not sent: every peer's queue is at its mark of {hwm} (EAGAIN).")
            }
            BlockReason::Empty => "Not sent (EAGAIN).".into(),
        },
        your_worker: |node| format!("Your worker {node}"),
        received: "received",
        last_messages: "Last messages",
        none_yet: "Nothing yet.",
        ended: |reason| {
            format!(
                "The live room ended ({reason}). The lab is back to the simulation in your browser."
            )
        },
        lost: "The connection to the server dropped, and with it your place in the room (a \
               participant who vanishes is removed, with its nodes). The lab is back to the \
               simulation in your browser.",
        runs_brokers: "This room runs brokers and task programs, which this page cannot show.",
        open_in_reliability: "Open it in the reliability lab",
        zmtp_heading: "ZeroMQ programs",
        zmtp_hint: "Real ZeroMQ programs on the server's machine join this room by connecting a \
                    socket that pairs with one listed (a PULL to a PUSH …); each socket is a node.",
        zmtp_endpoint: |endpoint, kind, node, url| {
            format!("{endpoint} ({kind} of {node}): connect to {url}")
        },
        zmtp_dial: |endpoint, kind, node| {
            format!(
                "{endpoint}: bind a {kind} socket there, and the room connects to it and lets it \
                 drive {node}"
            )
        },
        zmtp_none: "This room listens for no ZeroMQ programs (its scenario binds no tcp:// \
                    endpoint, or the server runs with --zmtp off).",
        zmtp_pi: "The chapter's π functions as separate processes: fetch the listing, install \
                  pyzmq, and run the ones this room does not (remove them from the scenario \
                  before Run live):",
    },
};

pub const ZH: Texts = Texts {
    title: "消息队列实验",
    lede: "把书中的消息队列跑起来：每条消息在 ZeroMQ 风格的套接字之间流动（管道、发布–订阅、请求–响应），\
           每条规则在发生时都有解释。可以单步前进和后退、运行中修改拓扑，并把当前状态原样分享成链接。\
           一切都在你的浏览器里运行。",
    reliability_title: "可靠性实验",
    reliability_lede: "试一试书中 π 系统所缺少的东西：会崩溃、会暂停的进程，会分区、丢包、重复投递的网络，\
           以及带确认、预取、重试、死信和持久化的消息代理。逐步播放每一课，\
           看哪些任务丢失、被执行两次或进入死信，以及为什么。一切都在你的浏览器里运行。",
    load_problem: "无法打开地址中要求的内容：",
    problems_joined: "；",

    controls_label: "模拟控制",
    play: "播放",
    pause: "暂停",
    step: "单步",
    step_back: "后退一步",
    speed: "速度（虚拟时间）",
    seed: "随机种子",
    reset: "重新开始",
    scrubber: "时间轴：事件编号",
    event_of: |step, horizon| format!("第 {step} 个事件，共 {horizon} 个"),
    status: |step, horizon, clock| format!("事件 {step}（已计算到 {horizon}）· t = {clock}"),
    behind: "播放比要求的慢：这台机器模拟不了那么快。",
    ended: "这次运行之后不再有事件发生。",
    keys_hint: "按键：空格 播放/暂停 · → 单步 · ← 后退",

    canvas_label: "拓扑：节点、它们的套接字、之间的管道以及传输中的消息",
    canvas_hint: "拖动卡片可移动节点；从一个端口（圆点）拖到另一个端口即可连接；点击任何东西查看详情；鼠标悬停在消息上可看内容。",
    dismiss: "关闭",
    drop_reason: |reason| match reason {
        DropReason::Hwm => "丢弃：管道已达高水位线",
        DropReason::NoPeer => "丢弃：没有对端",
        DropReason::Filtered => "未发送：没有匹配的订阅",
        DropReason::Disconnected => "丢失：连接已关闭",
    },
    drop_reason_short: |reason| match reason {
        DropReason::Hwm => "高水位",
        DropReason::NoPeer => "没有对端",
        DropReason::Filtered => "没有匹配订阅",
        DropReason::Disconnected => "连接已关闭",
    },
    pipe_label: |connecter, binder, endpoint| {
        format!("{connecter} 通过 {endpoint} 连接到 {binder}（点击查看）")
    },
    blocked_in: |send, socket| {
        if send {
            format!("在 {socket} 上发送时阻塞")
        } else {
            format!("在 {socket} 上等待接收")
        }
    },
    node_state: |state| match state {
        NodeState::WaitingToStart => "等待启动",
        NodeState::Running => "运行中",
        NodeState::Blocked => "阻塞",
        NodeState::Sleeping => "忙碌或暂停中",
        NodeState::Halted => "已结束",
        NodeState::External => "由外部驱动",
        NodeState::Removed => "已移除",
        NodeState::Crashed => "已崩溃",
        NodeState::Paused => "已暂停",
    },
    binds: "绑定",
    connects: "连接",
    no_subscription: "没有订阅：什么也收不到",
    subs: "订阅",
    fsm: |s| match s {
        FsmState::ReadyToSend => "REQ 可以发送请求",
        FsmState::AwaitingReply => "REQ 正在等待回复（此时发送会因 EFSM 失败）",
        FsmState::AwaitingRequest => "REP 正在等待请求",
        FsmState::MustReply => "REP 欠一个回复（此时接收会因 EFSM 失败）",
    },
    fsm_short: |s| match s {
        FsmState::ReadyToSend => "可发送",
        FsmState::AwaitingReply => "等回复",
        FsmState::AwaitingRequest => "等请求",
        FsmState::MustReply => "须回复",
    },
    port_label: |socket| format!("{socket} 的端口：按回车查看，拖到另一个端口即可连接"),
    legend_label: "图例",
    legend_title: "线路上：",
    legend_drop: "在此丢弃",
    legend_blocked: "被阻塞的发送者",
    legend_depth: "队列深度 / 高水位线",
    declared_pipe: "已声明，尚未连接",
    fit_to_view: "适应视图",
    actual_size: "原始大小",

    what_happened: "刚刚发生了什么",
    event_n: |step| format!("事件 {step}："),
    nothing_yet: "还没有事件：按“单步”（→）或“播放”（空格）。",
    log_title: "事件日志",
    log_hint: "最新的在最上面。选中一个事件会在图上高亮它的消息和管道；在图上选中东西会高亮相关的事件。",
    log_kind: |kind| match kind {
        LogKind::Start => "启动",
        LogKind::Halt => "结束",
        LogKind::Bind => "绑定",
        LogKind::Connect => "连接",
        LogKind::Connected => "已连通",
        LogKind::Disconnect => "断开",
        LogKind::Subscribe => "订阅",
        LogKind::SubArrives => "订阅到达",
        LogKind::Send => "发送",
        LogKind::Drop => "丢弃",
        LogKind::Wire => "上线路",
        LogKind::Deliver => "送达",
        LogKind::Recv => "接收",
        LogKind::Block => "阻塞",
        LogKind::Unblock => "解除阻塞",
        LogKind::Error => "错误",
        LogKind::Sleep => "休眠",
        LogKind::Wake => "唤醒",
        LogKind::Print => "打印",
        LogKind::Edit => "编辑",
        LogKind::Remove => "移除",
        LogKind::Timeout => "超时",
        LogKind::Reopen => "重连",
        #[cfg(feature = "reliability")]
        LogKind::Fault => "故障",
        #[cfg(feature = "reliability")]
        LogKind::Broker => "代理",
    },

    inspector_title: "检查器",
    inspector_hint: "点击图上的节点、套接字、管道或消息（或在日志中选一个事件），查看计数、排队的消息、订阅和状态，并在运行中修改设置。",
    applied: "已生效",
    sent: "已发送",
    received: "已接收",
    dropped: "已丢弃",
    blocked: "阻塞次数",
    errors: "错误",
    sockets_title: "套接字",
    interval: "发送间隔",
    service: "每条消息的处理时间",
    set: "设置",
    dist_hint: "写法：2ms（固定）、1ms-3ms（均匀分布）或 exp 2ms（指数分布）。",
    remove_node: "移除这个节点",
    queued_n: |n| format!("排队 {n} 条"),
    show_node: "显示所属节点",
    endpoints_title: "端点",
    latency: "延迟",
    disconnect: "断开",
    bind_endpoint: "再绑定一个端点",
    bind: "绑定",
    connect_to: "连接到",
    choose_endpoint: "（选择端点）",
    connect: "连接",
    marks_title: "高水位线（0 = 不限）",
    sndhwm: "发送水位线（SNDHWM）",
    rcvhwm: "接收水位线（RCVHWM）",
    pipes_title: "它的连接",
    remove_socket: "移除这个套接字",
    subscriptions_title: "订阅（前缀）",
    everything: "\"\"（全部）",
    unsubscribe_from: |topic| format!("取消订阅 {topic}"),
    subscribe_prefix: "订阅前缀（留空 = 全部）",
    subscribe: "订阅",
    conn_state: |state| match state {
        ConnPhase::Pending => "待定：还没有人绑定该端点",
        ConnPhase::Handshaking => "握手中",
        ConnPhase::Up => "已连通",
        ConnPhase::Closed => "已关闭",
    },
    stage_sending: "发送方队列",
    stage_wire: "线路上",
    stage_receiving: "接收方队列",
    topic: "主题",
    msg_not_in_pipes: "现在不在任何管道中：已被读取、丢弃，或尚未发送。",
    msg_sending: |from, to| format!("在 {from} 的队列中，等待发往 {to}"),
    msg_on_wire: |from, to, at| format!("在从 {from} 到 {to} 的线路上，将于 {at} 到达"),
    msg_receiving: |to| format!("在 {to} 的队列中，尚未被读取"),
    msg_hint: "日志会高亮与这条消息有关的所有事件。",

    editor_title: "编辑拓扑",
    editor_hint: "从基本构件中添加节点，或在图上从一个套接字的端口拖到另一个的端口来连接它们。ZeroMQ 的规则照样适用：不可能的组合会被拒绝并说明原因。",
    block: "基本构件",
    block_name: |kind| match kind {
        Block::Producer => "生产者（按间隔发送）",
        Block::Worker => "工作者（接收、处理、再发送）",
        Block::Sink => "汇聚点（只接收）",
        Block::Forwarder => "转发器（SUB→PUB 或 PULL→PUSH）",
        Block::Requester => "请求者（REQ）",
        Block::Replier => "应答者（REP）",
    },
    node_name: "名称",
    input_from: "从这里接收",
    output_to: "发送到",
    output_none: "（不发送，或在下面绑定）",
    or_bind: "……或者绑定",
    as_type: "类型",
    add_node: "添加节点",
    node_added: |name| format!("已添加 {name}：它现在开始运行。"),
    add_socket: "添加套接字",
    socket_name: "名称",
    socket_type: "类型",
    endpoint: "端点",
    binds_it: "绑定它（否则为连接）",
    add: "添加",

    samples_n: |q, yes, no| format!("{q} 个样本（{yes} 个 Y，{no} 个 N）"),
    pi_error: |e| format!("误差 {e}"),
    charts_title: "图表",
    charts_wait: "随着运行，图表会逐渐填满。",
    pi_chart: "π 的估计值与样本数",
    error_chart: "误差 |估计值 − π|（对数坐标）",
    samples_axis: "样本数",
    time_axis: "虚拟时间（秒）",
    estimate: "估计值",
    error: "误差",
    throughput_chart: |window| {
        format!(
            "每个节点每秒接收的消息数（{}内的平均值）",
            window_zh(window)
        )
    },
    depth_chart: |window| format!("每个连接中排队的消息数（{}内的平均值）", window_zh(window)),
    drops_chart: "累计丢弃数（按原因）",
    no_drops_chart: "累计丢弃数：无",

    scenario_label: "场景与分享",
    scenario: "场景",
    preset_title: |name| match name {
        Preset::Pi => "π（书中的蒙特卡洛系统）",
        Preset::Pipeline => "管道（PUSH/PULL 扇出、扇入）",
        Preset::Pubsub => "发布–订阅（主题与前缀）",
        Preset::Rpc => "RPC（REQ/REP 连到多个后端）",
        Preset::Signup => "通过队列发送注册邮件",
        Preset::Logs => "用日志事件流代替 syslog",
        Preset::SlowSubscriber => "慢订阅者（在水位线处丢弃）",
        Preset::SlowJoiner => "迟到的订阅者（错过早先的消息）",
        #[cfg(feature = "reliability")]
        Preset::AtMostOnce => "至多一次（提前确认，worker 崩溃）",
        #[cfg(feature = "reliability")]
        Preset::AtLeastOnce => "至少一次（延后确认，副作用之后崩溃）",
        #[cfg(feature = "reliability")]
        Preset::EffectivelyOnce => "实际上恰好一次（延后确认加去重）",
        #[cfg(feature = "reliability")]
        Preset::VisibilityTimeout => "比可见性超时更慢的任务",
        #[cfg(feature = "reliability")]
        Preset::Poison => "毒消息与死信队列",
        #[cfg(feature = "reliability")]
        Preset::PrefetchStarvation => "预取造成的饥饿",
        #[cfg(feature = "reliability")]
        Preset::BrokerRestart => "消息代理重启（非持久的丢失，持久的保留）",
        #[cfg(feature = "reliability")]
        Preset::FlowControl => "慢消费者的流量控制",
        #[cfg(feature = "reliability")]
        Preset::LazyPirate => "Lazy Pirate（带超时和重试的 REQ）",
    },
    preset_explanation: |name| match name {
        Preset::Pi => {
            "第 10 课：书中的 π 系统。bitsource 发布随机点；always_yes 订阅前缀 00（一定在圆内）并推送 Y；judge 订阅 01、10 和 11，通过 REQ/REP 请 pythagoras 计算 n²+m²，再推送 Y 或 N；tally 拉取两路结果并打印 4·Y/(Y+N)。"
        }
        Preset::Pipeline => {
            "第 9 课，管道：ventilator 以轮询方式把任务 PUSH 给三个 worker，worker 再把结果 PUSH 给同一个 sink（先扇出、再扇入）。水位线设为 10，可以看到背压：管道满的 worker 被跳过，全都满时 ventilator 阻塞。不会丢消息。"
        }
        Preset::Pubsub => {
            "第 9 课，发布–订阅：一个发布者、五个订阅者。只要某个订阅是消息的前缀，SUB 就会收到：weather. 匹配 weather.paris，news 也匹配 newsletter，\"\" 匹配全部，没有订阅就什么也收不到。过滤在发布者一侧进行。"
        }
        Preset::Rpc => {
            "第 8、9 课，用请求–响应做 RPC：两个前端，各用一个 REQ 连接三个 REP 后端。请求轮流发往各后端，每个回复都回到提问的前端；REQ 必须先收到回复才能再次发送。"
        }
        Preset::Signup => {
            "第 8 课：网站前端把每个新用户的邮箱地址放进队列，交给较慢的发信程序，而不是让用户等着发完邮件。队列吸收了速度差，前端毫无察觉。"
        }
        Preset::Logs => {
            "第 8 课：用事件流代替 syslog。五个服务把日志事件 PUSH 给同一个收集器，收集器公平排队，话多的服务不会饿死其他服务。"
        }
        Preset::SlowSubscriber => {
            "第 12 课，流量控制：PUB 从不阻塞。慢订阅者的管道达到高水位线后，发给它的副本被丢弃（计为 hwm），快订阅者则一条不落。"
        }
        Preset::SlowJoiner => {
            "第 12 课，投递没有保证：晚启动的订阅者，在它的订阅到达发布者之前发布的消息全部错过，所以它收到的第一条不是 m0。"
        }
        #[cfg(feature = "reliability")]
        Preset::AtMostOnce => {
            "第 12b 课，至多一次：Celery 在任务开始前就确认。worker 在任务中途崩溃，这个任务就丢了；没有任务会执行两次。账本统计丢失和重复的任务。"
        }
        #[cfg(feature = "reliability")]
        Preset::AtLeastOnce => {
            "第 12b 课，至少一次：使用 acks_late 时，worker 在副作用之后、确认之前崩溃，任务会被重新投递，副作用发生两次。已确认的消息不会丢失。"
        }
        #[cfg(feature = "reliability")]
        Preset::EffectivelyOnce => {
            "第 12b 课，实际上恰好一次：同样的崩溃，但 worker 保存已处理任务的 id 表；重新投递的任务只被确认，不再执行。"
        }
        #[cfg(feature = "reliability")]
        Preset::VisibilityTimeout => {
            "第 13 课，Celery 加 Redis：未确认的任务在可见性超时后回到队列，所以比超时更慢的任务还在执行时就会被再执行一次。"
        }
        #[cfg(feature = "reliability")]
        Preset::Poison => {
            "第 12b 课，毒消息：它的处理函数总是失败，于是一次次重新入队，直到队列的投递上限把它送进死信队列。"
        }
        #[cfg(feature = "reliability")]
        Preset::PrefetchStarvation => {
            "第 12b 课，预取：预留任务的 worker 把任务囤在一个长任务后面，另一个 worker 却闲着；预取 1 加延后确认可以解决。"
        }
        #[cfg(feature = "reliability")]
        Preset::BrokerRestart => {
            "第 12 课，持久化：消息代理重启后，只剩下持久队列中的持久消息；非持久消息即使已被确认也丢失了。"
        }
        #[cfg(feature = "reliability")]
        Preset::FlowControl => {
            "第 12 课，慢消费者的流量控制：有界队列加上受确认节制的生产者不丢消息；无界队列不断增长；丢弃型队列会丢任务。"
        }
        #[cfg(feature = "reliability")]
        Preset::LazyPirate => {
            "第 12b 课，ZeroMQ 自己的可靠性：Lazy Pirate 客户端带超时轮询、重开 REQ 并重试，三次之后放弃。"
        }
    },
    custom_name: |name| format!("{name}（自定义）"),
    custom_scenario: |name| format!("你自己的场景“{name}”：导出即可保存，也可以分享链接。"),
    copy_link: "复制指向此状态的链接",
    link_label: "指向此状态的链接",
    copied: "已复制。打开它会看到完全相同的状态。",
    copy_by_hand: "请选中链接并复制。",
    export: "导出 JSON",
    export_hint: "场景本身（若有编辑：整个录制，含场景）。`fanout sim --scenario file.json` 可以运行场景文件。",
    download: "下载",
    import: "导入 JSON",
    import_paste: "粘贴场景或录制",
    import_file: "……或打开文件",
    open: "打开",

    live: Live {
        section_label: "实时房间",
        run_live: "实时运行",
        run_live_hint: "在 Fanout 服务器上实时运行这个场景，开成一个房间：别人用一个简短的代码加入，\
                        他们的浏览器和脚本就成为与场景自带工作者并列的工作者。",
        contacting: "正在联系 Fanout 服务器……",
        needs_server: "实时运行需要 Fanout 服务器，而本页面没有连接到服务器。上面的模拟仍然可用。",
        start_with: "可以用",
        or_point_at: "启动一个服务器并从它打开本实验，或者在本页地址后加上下面这段，指向一个正在运行的服务器：",
        creating: "正在创建房间……",
        joining: |code| format!("正在加入房间 {code}……"),
        not_connected: "没有连接到 Fanout 服务器。",
        refused: |message| format!("服务器拒绝了：{message}"),
        live_badge: "实时",
        join_code: "加入代码",
        join_link: "加入链接",
        copy_link: "复制加入链接",
        owner_hint: "把代码念给大家，或者分享链接。打开链接的人都能看到这个房间，并可以作为工作者加入；\
                     房间的密钥在你手里，只有你能关闭它。",
        member_hint: |scenario| {
            format!(
                "你正在 Fanout 服务器上参与“{scenario}”的实时运行，同房间的是所有拿到代码的人。\
                 画布显示的是服务器运行中的房间。"
            )
        },
        status: |events, skipped, members| {
            let sampled = if skipped > 0 {
                format!("；日志只显示抽样（{skipped} 个事件未显示）")
            } else {
                String::new()
            };
            format!("{members} 位成员 · 已发生 {events} 个事件{sampled}")
        },
        close_room: "关闭房间",
        leave_room: "离开房间",
        replay: "停止并离线回放",
        replay_hint: "结束实时视图，在浏览器中用进度条逐步查看房间里发生的一切。",
        join_worker: "作为 PULL 工作者加入",
        join_worker_hint: |endpoint| {
            format!(
                "添加你自己的节点，它的 PULL 套接字连接到 {endpoint}。那里的 PUSH 会把你算进轮询，\
                 和 libzmq 一样。"
            )
        },
        no_push_endpoint: "这个场景没有绑定端点的 PUSH 套接字，PULL 工作者无处可连。",
        send_label: "手动发送",
        send_button: "发送",
        send_hint: |kind, endpoint| {
            format!(
                "你自己的节点用一个连接到 {endpoint} 的 {kind} 套接字发送你输入的内容，每点一次发一条，由房间像路由其他人的消息一样路由。"
            )
        },
        sent_count: |node, n| format!("{node} 已发送 {n} 条。"),
        sent_as: |msg| format!("最近一条：{msg}。"),
        not_sent: |why| match why {
            BlockReason::NoPeer => "未发送：还没有对端连接（EAGAIN）。".into(),
            BlockReason::PipesFull { hwm } => {
                format!("未发送：每个对端的队列都已到高水位线 {hwm}（EAGAIN）。")
            }
            BlockReason::Empty => "未发送（EAGAIN）。".into(),
        },
        your_worker: |node| format!("你的工作者 {node}"),
        received: "已接收",
        last_messages: "最近的消息",
        none_yet: "还没有。",
        ended: |reason| format!("实时房间已结束（{reason}）。实验回到浏览器中的模拟。"),
        lost: "与服务器的连接断开了，你在房间中的位置也随之消失（消失的参与者会连同其节点一起被移除）。\
               实验回到浏览器中的模拟。",
        runs_brokers: "这个房间运行着代理和任务程序，本页无法显示。",
        open_in_reliability: "在可靠性实验中打开它",
        zmtp_heading: "ZeroMQ 程序",
        zmtp_hint: "服务器所在机器上的真实 ZeroMQ 程序用与所列套接字配对的套接字（PULL 连 PUSH……）连接即可加入；\
                    每个套接字是一个节点。",
        zmtp_endpoint: |endpoint, kind, node, url| {
            format!("{endpoint}（{node} 的 {kind}）：连接 {url}")
        },
        zmtp_dial: |endpoint, kind, node| {
            format!("{endpoint}：在那里绑定一个 {kind} 套接字，房间会连接它，由它驱动 {node}")
        },
        zmtp_none: "这个房间不接受 ZeroMQ 程序（它的场景没有绑定 tcp:// 端点，或服务器以 --zmtp off 运行）。",
        zmtp_pi: "把本章的 π 函数作为独立进程运行：下载代码，安装 pyzmq，运行房间里没有的那些函数\
                  （在“实时运行”之前从场景中删掉它们）：",
    },
};

impl Say for Problem {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => problem_en(self),
            Lang::Zh => problem_zh(self),
        }
    }
}

fn problem_en(problem: &Problem) -> String {
    match problem {
        Problem::Action(error) => error.say(Lang::En),
        Problem::Scenario(error) => error.say(Lang::En),
        Problem::Replay(error) => error.say(Lang::En),
        Problem::Endpoint(error) => error.say(Lang::En),
        Problem::Dist(error) => error.say(Lang::En),
        Problem::Json(error) => error.say(Lang::En),
        Problem::Edits(error) => format!("edits: {}", error.say(Lang::En)),
        Problem::NotWholeNumber { what, text } => match what {
            Number::Seed => format!("The seed must be a whole number (0 or more), not `{text}`."),
            Number::Step => format!("step `{text}` is not a whole number"),
            Number::Mark => format!("`{text}`: not a whole number"),
        },
        Problem::Locked { from, to } => format!(
            "this view is locked to events {from} to {to}: an edit here would go past the end"
        ),
        Problem::LinkEdit { action, step } => {
            format!("the link's edit {action} cannot be applied at event {step}")
        }
        Problem::UnreadableFile => "the file could not be read as text".into(),
        Problem::Vanished => "that socket is gone; try again on the canvas as it is now".into(),
        Problem::Live => "a live room is edited on the server, not in this page".into(),
        Problem::Closed => "the lab is closed".into(),
    }
}

fn problem_zh(problem: &Problem) -> String {
    match problem {
        Problem::Action(error) => error.say(Lang::Zh),
        Problem::Scenario(error) => error.say(Lang::Zh),
        Problem::Replay(error) => error.say(Lang::Zh),
        Problem::Endpoint(error) => error.say(Lang::Zh),
        Problem::Dist(error) => error.say(Lang::Zh),
        Problem::Json(error) => error.say(Lang::Zh),
        Problem::Edits(error) => format!("`edits`（编辑记录）：{}", error.say(Lang::Zh)),
        Problem::NotWholeNumber { what, text } => match what {
            Number::Seed => format!("种子必须是非负整数，`{text}` 不是。"),
            Number::Step => format!("`step` 的值 `{text}` 不是整数"),
            Number::Mark => format!("`{text}` 不是整数"),
        },
        Problem::Locked { from, to } => {
            format!("这个视图被锁定在第 {from} 到第 {to} 个事件之间：在这里编辑会越过终点")
        }
        Problem::LinkEdit { action, step } => {
            format!("链接中的编辑 {action} 无法在第 {step} 个事件处执行")
        }
        Problem::UnreadableFile => "无法把这个文件当作文本读取".into(),
        Problem::Vanished => "那个套接字已经不在了；请在现在的画布上重试".into(),
        Problem::Live => "实时房间由服务器修改，不能在本页编辑".into(),
        Problem::Closed => "实验已经关闭".into(),
    }
}

/// A chart's averaging window in English: "80 ms", "1.3 s".
fn window_en(secs: f64) -> String {
    if secs < 1.0 {
        format!("{:.0} ms", secs * 1000.0)
    } else {
        format!("{secs:.1} s")
    }
}

/// The same in Chinese: "80 毫秒", "1.3 秒".
fn window_zh(secs: f64) -> String {
    if secs < 1.0 {
        format!("{:.0} 毫秒", secs * 1000.0)
    } else {
        format!("{secs:.1} 秒")
    }
}

#[cfg(test)]
mod tests {
    use fanout_shared::sim::presets::Preset;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    /// Every preset has a title and a lesson in both languages by
    /// construction (the tables are exhaustive); the lesson says something.
    #[wasm_bindgen_test]
    fn every_preset_has_a_lesson_in_both_languages() {
        for lang in Lang::ALL {
            let t = Texts::of(lang);
            for &preset in Preset::ALL {
                assert!((t.preset_explanation)(preset).len() > 40, "{preset:?}");
            }
        }
    }

    #[wasm_bindgen_test]
    fn every_drop_reason_has_its_own_short_name_for_the_chart_in_both_languages() {
        for lang in Lang::ALL {
            let t = Texts::of(lang);
            let shorts: std::collections::BTreeSet<&str> = DropReason::ALL
                .into_iter()
                .map(|reason| (t.drop_reason_short)(reason))
                .collect();
            assert_eq!(shorts.len(), DropReason::ALL.len(), "{shorts:?}");
            for short in shorts {
                assert!(short.chars().count() <= 15, "{short} fits beside the chart");
            }
        }
    }
}
