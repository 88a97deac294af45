//! What the server sends: answers to requests, frames it pushes on its
//! own (cache events, room events, received messages), and errors.

use serde::Serialize;

use super::{
    CacheNodeInfo, Delivered, MemberInfo, ObservedLink, ObservedNodeInfo, Refusal, RoomLimitsInfo,
    SocketInfo,
};
use crate::{
    cache::{Event, SnapshotItem, Stats},
    lang::Say,
    room::{LeftReason, RoomEnd},
};

/// Frames the server sends to a client.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The answer to a supported `hello`.
    Welcome {
        protocol: u32,
        /// Always `"fanout"`, so a client can tell it reached the right server.
        server: String,
        /// The server's crate version.
        version: String,
        /// What this server offers beyond the core frames (e.g. `"cache"`),
        /// so a newer browser can degrade gracefully against an older server.
        features: Vec<String>,
    },
    /// The answer to `ping`.
    Pong {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `cache_nodes`.
    CacheNodes {
        nodes: Vec<CacheNodeInfo>,
        /// The real memcached servers the server observes, numbered after
        /// `nodes` (read-only).
        observed: Vec<ObservedNodeInfo>,
        /// The connection number this session's cache operations carry in
        /// events, so the lab can tell its own operations from others'.
        conn: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// Pushed while watching an observed memcached when the server's link
    /// to it changes (and once when the watch starts).
    CacheLink { node: usize, link: ObservedLink },
    /// The answer to `cache_watch` / `cache_unwatch`.
    CacheWatching {
        node: usize,
        watching: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// Pushed while watching a node: what happened since the last such
    /// frame, and the node's exact counters now. When the client cannot
    /// keep up, events are left out and counted in `skipped`; the counters
    /// are always exact.
    CacheEvents {
        node: usize,
        events: Vec<Event>,
        skipped: u64,
        stats: Stats,
    },
    /// The answer to `cache_snapshot`.
    CacheSnapshot {
        node: usize,
        /// Most recently used first.
        items: Vec<SnapshotItem>,
        /// Live keys left out because of `max_items`.
        truncated: u64,
        stats: Stats,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `cache_get`.
    CacheValue {
        node: usize,
        key: String,
        found: bool,
        /// The value (lossily decoded as UTF-8) when found.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flags: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cas: Option<u64>,
        /// Seconds left; absent when found and never expiring, or missing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ttl: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `cache_set`, `cache_delete`, `cache_touch`,
    /// `cache_flush`, `cache_limit` and `cache_restart`.
    CacheResult {
        node: usize,
        /// The request's type without `cache_` (`set`, `delete` …).
        op: crate::cache::lab_ops::CacheOp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        /// memcached's answer in lower case: `stored`, `not_stored`,
        /// `too_large`, `out_of_memory`, `deleted`, `not_found`, `touched`,
        /// `ok`.
        outcome: crate::cache::lab_ops::CacheOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `tasks_watch`, and pushed again whenever the watcher
    /// fell behind the node (`resync`: events were lost, start over): the
    /// Redis node's Celery contents as the events that would have built
    /// them (`crate::celery::snapshot_events`), at `at` (unix ms).
    TasksSnapshot {
        /// The node's address, for the page's "point Celery here".
        redis: String,
        at: u64,
        events: Vec<crate::redis::Event>,
        resync: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// Pushed while watching: the node's events that can change the view
    /// (`crate::celery::is_relevant`), gathered until `at` (unix ms).
    TasksEvents {
        at: u64,
        events: Vec<crate::redis::Event>,
    },
    /// The answer to `tasks_unwatch`.
    TasksUnwatched {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `tasks_command`: the node's reply printed as
    /// redis-cli prints it (`crate::redis::cli::render_replies`), cut
    /// after `crate::protocol::MAX_REPLY_TEXT` bytes.
    TasksReply {
        text: String,
        /// The reply is an error (`(error) …`).
        error: bool,
        /// The session's connection number on the node (as in its events
        /// and `CLIENT ID`); 0 once QUIT closed it.
        conn: u64,
        /// The database the connection has selected, for the prompt.
        db: usize,
        /// Inside MULTI: commands are queued until EXEC.
        multi: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `warmup_start`: the experiment runs, with these
    /// parameters.
    WarmupStarted {
        node: usize,
        runs: u32,
        requests: u32,
        max_n: u32,
        cost_ms: u32,
        seed: u64,
        /// The connection number the experiment's requests carry in
        /// `cache_events`, so the lab can label them.
        conn: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// Pushed after each run of a warm-up experiment.
    WarmupRun {
        node: usize,
        /// 1-based.
        run: u32,
        runs: u32,
        requests: u32,
        hits: u32,
        misses: u32,
        /// The run's wall-clock time, in microseconds.
        elapsed_us: u64,
        /// The run's pretend computing: misses × cost_ms.
        compute_ms: u64,
        /// Evictions on the node during the run (anyone's).
        evictions: u64,
        /// The node after the run.
        items: u64,
        bytes: u64,
        limit_bytes: u64,
    },
    /// Pushed when a warm-up experiment ends by itself; also the answer to
    /// `warmup_cancel` (then with `cancelled: true` and the request's id).
    WarmupDone {
        node: usize,
        runs_done: u32,
        cancelled: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `room_create` (with `token`) and `room_join`.
    RoomJoined {
        room: String,
        member: u32,
        /// Only for the creator: the secret that closes the room and
        /// removes participants. Never shown to the others.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        owner: bool,
        /// The scenario's name.
        scenario: String,
        seed: u64,
        watching: bool,
        /// The room's clock (microseconds since it was created).
        now: crate::time::Tick,
        limits: RoomLimitsInfo,
        topology: Box<crate::sim::Topology>,
        members: Vec<MemberInfo>,
        /// The endpoints listening for real ZeroMQ programs, when the room
        /// was created with `zmtp: true`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zmtp: Option<Vec<crate::protocol::room::ZmtpEndpoint>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// Something a watcher should know that is no engine event: a real
    /// ZeroMQ program's connection closed for what it did.
    RoomNotice {
        room: String,
        /// The English sentence of `notice`.
        message: String,
        notice: crate::room::RoomNotice,
    },
    /// This session is no longer in the room: the answer to `room_leave`,
    /// or pushed when the creator removed it.
    RoomLeft {
        room: String,
        /// Why, in English: the sentence of `left`.
        reason: String,
        left: LeftReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The room ended (closed by its creator, idle, over a limit, server
    /// shutting down); also the answer to `room_close`.
    RoomClosed {
        room: String,
        /// Why, in English: the sentence of `end`.
        reason: String,
        end: RoomEnd,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `room_kick`: who was removed, with the nodes it drove.
    RoomKicked {
        room: String,
        member: u32,
        nodes: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `room_watch`.
    RoomWatching {
        room: String,
        on: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// Pushed to watchers, at most every 50 ms: the engine's events since
    /// the last frame (sampled when there are many; the rest are counted in
    /// `skipped`) and exact counters.
    RoomEvents {
        room: String,
        events: Vec<crate::sim::Event>,
        /// Events of this window (and earlier windows this client missed)
        /// left out of `events`.
        skipped: u64,
        summary: Box<crate::sim::Summary>,
        /// Messages and payload bytes in the room's pipes now.
        queued_messages: u64,
        queued_bytes: u64,
        /// How far the room's clock is behind real time (0 when keeping up).
        behind_us: u64,
    },
    /// The room's topology: pushed to watchers when it changes (and every
    /// second), and the answer to `room_topology`.
    RoomTopology {
        room: String,
        topology: Box<crate::sim::Topology>,
        members: Vec<MemberInfo>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `room_recording`: what `Timeline::replay` needs to
    /// step through the live run offline.
    RoomRecording {
        room: String,
        /// The run's recording; with `after`, its `actions` are only those
        /// past the first `after` (the asker has those), while its step,
        /// time and `settled` are the whole recording's end.
        recording: Box<crate::sim::Recording>,
        /// How many of the recording's first actions were left out, as
        /// asked (`room_recording`'s `after`, at most the recording's
        /// length).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<usize>,
        /// How many members the room has now (a page that follows the
        /// room by its recording reads no other frame that says).
        #[serde(default)]
        members: usize,
        /// `false` when the room recorded as much as it keeps: the
        /// recording then ends where recording stopped, before `now`.
        complete: bool,
        /// The live run's trace digest at the recording's end (a replay
        /// reaches the same one).
        trace_digest: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `room_act`: the event the action became (always
    /// sent; `None` to a page that does not read the room's feed, which
    /// still learns that its action was taken).
    RoomActed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<Box<crate::sim::Event>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `node_add` and `node_take`.
    NodeAdded {
        node: String,
        /// `true` for `node_take`.
        taken: bool,
        sockets: Vec<SocketInfo>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `node_remove`: messages lost in its pipes.
    NodeRemoved {
        node: String,
        lost: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `send`: the ids of the messages sent, and `eagain`
    /// when one could not go (the rest of `payloads` was not sent).
    Sent {
        node: String,
        socket: String,
        msgs: Vec<crate::socket::MsgId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        eagain: Option<crate::sim::BlockReason>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// Messages received: the answer to `recv` (with `eagain` when fewer
    /// than asked were there), or pushed as they arrive with `recv_auto`.
    Received {
        node: String,
        socket: String,
        messages: Vec<Delivered>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        eagain: Option<crate::sim::BlockReason>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// Pushed to a live task worker's participant: the worker took this
    /// task from its broker and waits for the handler to run (answer
    /// `room_act` with `{"op": "task_done", …}`). `work_us` is the time the
    /// task asks for; a `poison` task fails whatever the handler does.
    Task {
        room: String,
        node: String,
        task: u64,
        redelivered: bool,
        poison: bool,
        work_us: u64,
    },
    /// Pushed to a live task producer's participant: the broker confirmed
    /// these tasks (on its disk if they are persistent and their queue
    /// durable).
    Confirmed {
        room: String,
        node: String,
        tasks: Vec<u64>,
    },
    /// The answer to `recv_auto`.
    RecvAuto {
        node: String,
        on: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// Something the client sent could not be honoured. The connection stays
    /// open unless the message says otherwise.
    Error {
        /// What was wrong, in English (the sentence of `refusal`).
        message: String,
        /// The offending field (`"protocol"`, `"type"`, `"id"` …) when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        /// The typed fact behind `message`, so a client can say it in its
        /// learner's language (`docs/protocol.md`, "Errors").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refusal: Option<Refusal>,
        /// On a version mismatch: the version this server speaks.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        supported: Option<u32>,
        /// The `id` of the request that failed, when it carried one, so a
        /// client with several requests in flight knows which one it was.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
}

/// The areas a [`ServerFrame`] belongs to, as bits: a client reads the
/// areas it asks for and no other ([`ServerFrame::read_in`]). A browser
/// page reads the session's frames and its own lab's; the decoders of the
/// other labs' frames then stay out of its wasm (the room feed's events
/// alone are tens of KiB), which is what keeps each page in its budget
/// (`docs/BENCHMARKS.md`).
pub mod area {
    /// `welcome`, `pong`, `error`: every client reads them.
    pub const SESSION: u8 = 1 << 0;
    /// The cache lab's frames (`cache_*`).
    pub const CACHE: u8 = 1 << 1;
    /// The warm-up experiment's (`warmup_*`).
    pub const WARMUP: u8 = 1 << 2;
    /// Live rooms' frames and their members' sockets' answers.
    pub const ROOM: u8 = 1 << 3;
    /// A watched room's feed: its events (`room_events`, and
    /// `room_acted`'s, which a page without this area reads as none) and
    /// its topology (`room_topology`, and `room_joined`'s, which a
    /// page without this area reads as empty). The reliability page
    /// follows a room by its recording instead (`room_recording`), so it
    /// links none of these decoders.
    pub const ROOM_FEED: u8 = 1 << 6;
    /// A room member's own ZeroMQ sockets and the room's ZeroMQ
    /// endpoints (`node_added`, `node_removed`, `sent`, `received`,
    /// `recv_auto`, `room_notice`, and `room_joined`'s `zmtp`, which a page
    /// without this area reads as none): the queue page's ZeroMQ hands.
    /// The reliability page's rooms run brokers, which these do not reach,
    /// so it links none of these decoders.
    pub const ROOM_ZMQ: u8 = 1 << 7;
    /// Watching Celery on the Redis node (`tasks_*`).
    pub const TASKS: u8 = 1 << 4;
    /// A live task program's participant's (`task`, `confirmed`): programs
    /// and tests read them, no page does.
    pub const LIVE_TASKS: u8 = 1 << 5;
}
use area::{CACHE, LIVE_TASKS, ROOM, ROOM_FEED, ROOM_ZMQ, SESSION, TASKS, WARMUP};

// Read compactly (see `json::decode_tagged!`); written by the derive above.
crate::json::decode_tagged!(ServerFrame by "type" in areas {
    SESSION: "welcome" => Welcome { protocol, server, version, features },
    SESSION: "pong" => Pong { id },
    CACHE: "cache_nodes" => CacheNodes { nodes, observed, conn, id },
    CACHE: "cache_link" => CacheLink { node, link },
    CACHE: "cache_watching" => CacheWatching { node, watching, id },
    CACHE: "cache_events" => CacheEvents { node, events, skipped, stats },
    CACHE: "cache_snapshot" => CacheSnapshot { node, items, truncated, stats, id },
    CACHE: "cache_value" => CacheValue { node, key, found, value, flags, cas, ttl, id },
    CACHE: "cache_result" => CacheResult { node, op, key, outcome, id },
    WARMUP: "warmup_started" => WarmupStarted { node, runs, requests, max_n, cost_ms, seed, conn, id },
    WARMUP: "warmup_run" => WarmupRun {
        node, run, runs, requests, hits, misses, elapsed_us, compute_ms, evictions, items, bytes,
        limit_bytes,
    },
    WARMUP: "warmup_done" => WarmupDone { node, runs_done, cancelled, id },
    TASKS: "tasks_snapshot" => TasksSnapshot { redis, at, events, resync, id },
    TASKS: "tasks_events" => TasksEvents { at, events },
    TASKS: "tasks_unwatched" => TasksUnwatched { id },
    TASKS: "tasks_reply" => TasksReply { text, error, conn, db, multi, id },
    ROOM: "room_joined" => RoomJoined {
        room, member, token, owner, scenario, seed, watching, now, limits, topology(if ROOM_FEED),
        members, zmtp(if ROOM_ZMQ), id,
    },
    ROOM_ZMQ: "room_notice" => RoomNotice { room, message, notice },
    ROOM: "room_left" => RoomLeft { room, reason, left, id },
    ROOM: "room_closed" => RoomClosed { room, reason, end, id },
    ROOM: "room_kicked" => RoomKicked { room, member, nodes, id },
    ROOM: "room_watching" => RoomWatching { room, on, id },
    ROOM_FEED: "room_events" => RoomEvents {
        room, events, skipped, summary, queued_messages, queued_bytes, behind_us,
    },
    ROOM_FEED: "room_topology" => RoomTopology { room, topology, members, id },
    ROOM: "room_recording" => RoomRecording { room, recording(tracked), after, members, complete, trace_digest, id },
    ROOM: "room_acted" => RoomActed { event(if ROOM_FEED), id },
    ROOM_ZMQ: "node_added" => NodeAdded { node, taken, sockets, id },
    ROOM_ZMQ: "node_removed" => NodeRemoved { node, lost, id },
    ROOM_ZMQ: "sent" => Sent { node, socket, msgs, eagain, id },
    ROOM_ZMQ: "received" => Received { node, socket, messages, eagain, id },
    ROOM_ZMQ: "recv_auto" => RecvAuto { node, on, limit, id },
    LIVE_TASKS: "task" => Task { room, node, task, redelivered, poison, work_us },
    LIVE_TASKS: "confirmed" => Confirmed { room, node, tasks },
    SESSION: "error" => Error { message, field, refusal, supported, id },
});

impl ServerFrame {
    /// Reads a frame of the areas in `AREAS` (bits of [`area`]; the
    /// session's are always wanted): a frame of another area, or a `type`
    /// this build does not know, is an error to log and skip.
    pub fn read_in<const AREAS: u8>(value: serde_json::Value) -> Result<Self, String> {
        let fields =
            crate::json::TaggedFields::read(value, Self::TAG_KEY).map_err(|e| e.to_string())?;
        Self::from_tagged_in::<AREAS>(fields)
    }

    /// The one way to say no: an `error` frame whose English `message`,
    /// `field` and `supported` all come from the typed refusal it carries.
    pub fn refused(refusal: impl Into<Refusal>) -> Self {
        let refusal = refusal.into();
        ServerFrame::Error {
            message: refusal.english(),
            field: refusal.field(),
            supported: refusal.supported(),
            refusal: Some(refusal),
            id: None,
        }
    }

    /// `room_left`: this session is no longer in `room`, and why.
    pub fn room_left(room: String, left: LeftReason, id: Option<u64>) -> Self {
        ServerFrame::RoomLeft {
            room,
            reason: left.english(),
            left,
            id,
        }
    }

    /// `room_closed`: `room` ended, and why.
    pub fn room_closed(room: String, end: RoomEnd, id: Option<u64>) -> Self {
        ServerFrame::RoomClosed {
            room,
            reason: end.english(),
            end,
            id,
        }
    }

    /// Tags an error with the id of the request it answers (other frames
    /// carry their id already).
    pub fn with_request_id(mut self, request_id: Option<u64>) -> Self {
        if let ServerFrame::Error { id, .. } = &mut self {
            *id = request_id;
        }
        self
    }
}
