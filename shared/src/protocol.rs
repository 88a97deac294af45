//! The versioned JSON protocol spoken over `GET /ws` between `fanout serve`
//! and its clients (the browser app, `static/clients/worker.py`, scripts).
//!
//! Both ends use these types, so the browser and the server cannot drift
//! apart. Every frame is a JSON object with a `type`; `docs/protocol.md` is
//! the human-readable description and must change with this file.
//!
//! Decoding is deliberately strict and explicit ([`decode_client_frame`]):
//! a learner typing frames by hand should be told which field was wrong and
//! what was expected, and the connection must survive the mistake.

use serde::{Deserialize, Serialize};

use crate::cache::{Event, SnapshotItem, Stats};

/// The protocol version this build speaks. A client announces its version in
/// `hello`; any other version is refused with an `error` naming this one.
pub const PROTOCOL_VERSION: u32 = 1;

/// Declares the client frames once: the enum, its list of `type` tags and the
/// per-type decoder all come from this table, so they cannot disagree.
macro_rules! client_frames {
    ($($tag:literal => $variant:ident($body:ty)),+ $(,)?) => {
        /// Frames a client sends to the server, tagged by `type`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        pub enum ClientFrame {
            $($variant($body),)+
        }

        impl ClientFrame {
            /// The `type` tags a client may send, in the order the docs list them.
            pub const TYPES: &'static [&'static str] = &[$($tag),+];

            /// The frame's `type` tag, for logs and error messages.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(ClientFrame::$variant(_) => $tag,)+
                }
            }

            /// Decodes the body of a frame whose `type` is already known, so
            /// that a wrong field can be reported by its path.
            fn decode_body(
                frame_type: &str,
                body: serde_json::Value,
            ) -> Option<Result<Self, serde_path_to_error::Error<serde_json::Error>>> {
                match frame_type {
                    $($tag => Some(serde_path_to_error::deserialize::<_, $body>(body).map(ClientFrame::$variant)),)+
                    _ => None,
                }
            }
        }
    };
}

client_frames! {
    "hello" => Hello(Hello),
    "ping" => Ping(Ping),
    "cache_nodes" => CacheNodes(CacheNodes),
    "cache_watch" => CacheWatch(CacheNodeRef),
    "cache_unwatch" => CacheUnwatch(CacheNodeRef),
    "cache_snapshot" => CacheSnapshot(CacheSnapshotRequest),
    "cache_get" => CacheGet(CacheKeyRef),
    "cache_set" => CacheSet(CacheSet),
    "cache_delete" => CacheDelete(CacheKeyRef),
    "cache_touch" => CacheTouch(CacheTouch),
    "cache_flush" => CacheFlush(CacheNodeRef),
    "cache_limit" => CacheLimit(CacheLimit),
    "cache_restart" => CacheRestart(CacheNodeRef),
    "warmup_start" => WarmupStart(WarmupStart),
    "warmup_cancel" => WarmupCancel(WarmupCancel),
    "room_create" => RoomCreate(RoomCreate),
    "room_join" => RoomJoin(RoomJoin),
    "room_leave" => RoomLeave(RoomRequest),
    "room_close" => RoomClose(RoomClose),
    "room_kick" => RoomKick(RoomKick),
    "room_watch" => RoomWatch(RoomWatch),
    "room_topology" => RoomTopology(RoomRequest),
    "room_recording" => RoomRecording(RoomRequest),
    "room_act" => RoomAct(RoomAct),
    "node_add" => NodeAdd(NodeAdd),
    "node_take" => NodeTake(NodeTake),
    "node_remove" => NodeRemove(NodeRef),
    "send" => Send(SendRequest),
    "recv" => Recv(RecvRequest),
    "recv_auto" => RecvAuto(RecvAuto),
}

/// Opens the conversation; must come first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    pub protocol: u32,
    /// Free-form name of the client program, shown in server logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

/// Liveness check; answered with `pong` carrying the same `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Asks for the list of cache nodes (answered with `cache_nodes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheNodes {
    /// Echoed in the answer, to pair requests with answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// A frame about one cache node as a whole (watch, unwatch, flush,
/// restart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheNodeRef {
    /// The node's number (0-based, as listed by `cache_nodes`).
    pub node: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Asks for a node's keys in LRU order and its counters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSnapshotRequest {
    pub node: usize,
    /// At most this many keys (default 1000, most recently used first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// A frame about one key (get, delete).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheKeyRef {
    pub node: usize,
    /// 1–250 bytes, no spaces or control characters (memcached's rule).
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Stores a value, as memcached's `set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSet {
    pub node: usize,
    pub key: String,
    pub value: String,
    /// memcached's exptime: 0 (the default) never, up to 30 days seconds
    /// from now, larger an absolute unix time, negative already expired.
    #[serde(default)]
    pub ttl: i64,
    #[serde(default)]
    pub flags: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Gives a key a new expiry time, as memcached's `touch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheTouch {
    pub node: usize,
    pub key: String,
    pub ttl: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Changes a node's memory limit; items are evicted at once down to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheLimit {
    pub node: usize,
    /// The new limit in bytes (at least 1024).
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Starts the chapter's warm-up experiment on a node, run by the server
/// (so the browser's latency does not distort it). Absent parameters take
/// the chapter's values (`fanout_shared::cache::warmup::CHAPTER`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarmupStart {
    pub node: usize,
    /// Successive runs, 1–20 (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<u32>,
    /// `compute_square` calls per run, 1–10,000 (default 2,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<u32>,
    /// `n` is drawn from `0..=max_n`, 1–1,000,000 (default 5,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_n: Option<u32>,
    /// Pretend cost of one square in ms, 0–10 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_ms: Option<u32>,
    /// Fixes the sequence of `n` (default: a fresh one, echoed back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Stops this session's warm-up experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarmupCancel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Creates a live room: the server runs the scenario on real time, and
/// the creator joins it (answered with `room_joined`, carrying the token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomCreate {
    /// A preset's name (`"pipeline"`) or a whole scenario object, as the
    /// queue lab exports it (`docs/scenarios.md`).
    pub scenario: serde_json::Value,
    /// The run's seed (default: a fresh one, echoed in `room_joined`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// A name for this member, shown to the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Stream the room's events and topology to this session.
    #[serde(default)]
    pub watch: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Joins a live room by its code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomJoin {
    /// The join code (`KFC-7PX`; case and the dash do not matter).
    pub room: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub watch: bool,
    /// The creator's token: joining with it gives this session the
    /// creator's rights (editing with `room_act`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// A room frame with nothing but an id (`room_leave`, `room_topology`,
/// `room_recording`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Closes a room for everyone; needs the creator's token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomClose {
    pub room: String,
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Removes a participant (named by member number or by a node it drives);
/// needs the creator's token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomKick {
    pub room: String,
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Starts or stops the room's event stream to this session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomWatch {
    pub on: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Applies an engine action (`docs/scenarios.md`, "Editing a running
/// simulation") to a node this session drives, or, with the creator's
/// rights, to any node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomAct {
    pub action: crate::sim::Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Adds this participant's own node, with sockets, to the room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeAdd {
    /// Unique in the room (default: the member's name and number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// As in a scenario: `{"name": "in", "type": "PULL", "connect": ["tcp://ventilator"]}`.
    pub sockets: Vec<crate::sim::scenario::SocketSpec>,
    /// Receive for the participant as messages arrive (pushed as
    /// `received`), instead of only on `recv`.
    #[serde(default)]
    pub auto_recv: bool,
    /// Stop receiving automatically after this many messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Takes over a node of the room: its program stops, and this participant
/// drives its sockets from now on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeTake {
    pub node: String,
    #[serde(default)]
    pub auto_recv: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Names one of this participant's nodes (`node_remove`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeRef {
    pub node: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Sends on one of this participant's sockets (non-blocking, like
/// `zmq_send` with `ZMQ_DONTWAIT`): one `payload`, or several `payloads`
/// in order, stopping at the first that cannot go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    pub node: String,
    pub socket: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payloads: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Receives from one of this participant's sockets (non-blocking): up to
/// `max` messages (default 1, at most 1,000).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecvRequest {
    pub node: String,
    pub socket: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Turns automatic receiving on or off for a node's receiving sockets (or
/// one `socket`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecvAuto {
    pub node: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
    pub on: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// A room's limits, as `room_joined` announces them; an `error` caused by
/// one names it in `field` (`limits.rate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomLimitsInfo {
    /// Messages (and other room frames) per second per client.
    pub rate: u32,
    /// Largest payload, in bytes.
    pub message_bytes: u32,
    /// Bytes the room's queues may hold before sends are refused.
    pub room_queued_bytes: u64,
    /// Members per room.
    pub members: u32,
    /// Nodes one member may add or take.
    pub nodes: u32,
    /// Rooms on this server.
    pub rooms: u32,
    /// Seconds without a frame from any member before the room closes.
    pub idle_s: u64,
}

/// One member of a room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub member: u32,
    pub name: String,
    /// The nodes it drives.
    pub nodes: Vec<String>,
    /// It holds the creator's rights.
    pub owner: bool,
    pub watching: bool,
}

/// A participant socket, as `node_added` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SocketInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: crate::socket::SocketKind,
    /// The socket's number in the room's events and topology.
    pub socket: crate::socket::SocketId,
    pub auto_recv: bool,
}

/// A message a participant received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivered {
    pub msg: crate::socket::MsgId,
    pub payload: crate::socket::Payload,
}

/// One cache node as `cache_nodes` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheNodeInfo {
    pub node: usize,
    /// Where memcached clients connect (`127.0.0.1:11211`).
    pub addr: String,
    pub limit_bytes: u64,
    pub bytes: u64,
    pub items: u64,
    pub connections: u64,
}

/// Frames the server sends to a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
        /// The connection number this session's cache operations carry in
        /// events, so the lab can tell its own operations from others'.
        conn: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
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
        op: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        /// memcached's answer in lower case: `stored`, `not_stored`,
        /// `too_large`, `out_of_memory`, `deleted`, `not_found`, `touched`,
        /// `ok`.
        outcome: String,
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
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// This session is no longer in the room: the answer to `room_leave`,
    /// or pushed when the creator removed it.
    RoomLeft {
        room: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The room ended (closed by its creator, idle, over a limit, server
    /// shutting down); also the answer to `room_close`.
    RoomClosed {
        room: String,
        reason: String,
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
        recording: Box<crate::sim::Recording>,
        /// `false` when the room recorded as much as it keeps: the
        /// recording then ends where recording stopped, before `now`.
        complete: bool,
        /// The live run's trace digest at the recording's end (a replay
        /// reaches the same one).
        trace_digest: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
    /// The answer to `room_act`: the event the action became.
    RoomActed {
        event: Box<crate::sim::Event>,
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
        message: String,
        /// The offending field (`"protocol"`, `"type"`, `"id"` …) when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        /// On a version mismatch: the version this server speaks.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        supported: Option<u32>,
        /// The `id` of the request that failed, when it carried one, so a
        /// client with several requests in flight knows which one it was.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    },
}

impl ServerFrame {
    /// An error frame built from a decoding failure.
    pub fn from_frame_error(error: &FrameError) -> Self {
        ServerFrame::Error {
            message: error.message.clone(),
            field: error.field.clone(),
            supported: None,
            id: None,
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

/// The numeric `id` of a client frame, read leniently from its raw text: used
/// to label the error answering a frame that could not be decoded or honoured.
pub fn request_id(text: &str) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("id")?.as_u64()
}

/// Why a text frame could not be decoded, in words meant for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FrameError {
    pub message: String,
    /// Dotted path of the offending field, when the fault lies in one.
    pub field: Option<String>,
}

impl FrameError {
    fn new(message: impl Into<String>, field: Option<&str>) -> Self {
        FrameError {
            message: message.into(),
            field: field.map(str::to_owned),
        }
    }
}

/// Decodes one client text frame, explaining precisely what is wrong when it
/// cannot: not JSON, not an object, no `type`, an unknown `type`, or a field
/// of the wrong kind (named by its path).
pub fn decode_client_frame(text: &str) -> Result<ClientFrame, FrameError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| FrameError::new(format!("frame is not valid JSON: {e}"), None))?;
    let object = value.as_object().ok_or_else(|| {
        FrameError::new(
            format!(
                "a frame must be a JSON object with a \"type\" field, got {}",
                json_kind(&value)
            ),
            None,
        )
    })?;
    let frame_type = match object.get("type") {
        None => {
            return Err(FrameError::new(
                "missing field \"type\" (a string such as \"hello\")",
                Some("type"),
            ));
        }
        Some(serde_json::Value::String(name)) => name.as_str(),
        Some(other) => {
            return Err(FrameError::new(
                format!("field \"type\" must be a string, got {}", json_kind(other)),
                Some("type"),
            ));
        }
    };
    let mut body = object.clone();
    body.remove("type");
    let decoded = ClientFrame::decode_body(frame_type, serde_json::Value::Object(body));
    let Some(decoded) = decoded else {
        return Err(FrameError::new(
            format!(
                "unknown frame type \"{frame_type}\"; expected one of: {}",
                ClientFrame::TYPES.join(", ")
            ),
            Some("type"),
        ));
    };
    decoded.map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner().to_string();
        // serde names the field itself for missing/unknown fields; for a
        // field of the wrong kind only the path knows which one it was.
        let field = field_named_in(&inner).or_else(|| (path != ".").then(|| path.clone()));
        let message = match &field {
            Some(name) if !inner.contains(&format!("`{name}`")) => {
                format!("{frame_type}: field \"{name}\": {inner}")
            }
            _ => format!("{frame_type}: {inner}"),
        };
        FrameError { message, field }
    })
}

/// The first back-quoted name in a serde message ("missing field `protocol`").
fn field_named_in(serde_message: &str) -> Option<String> {
    let is_field_message = serde_message.starts_with("missing field")
        || serde_message.starts_with("unknown field")
        || serde_message.starts_with("duplicate field");
    if !is_field_message {
        return None;
    }
    let start = serde_message.find('`')? + 1;
    let len = serde_message[start..].find('`')?;
    Some(serde_message[start..start + len].to_owned())
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Encodes a server frame as the JSON text sent over the socket.
pub fn encode_server_frame(frame: &ServerFrame) -> String {
    // Serialising these plain enums cannot fail: no maps with non-string
    // keys, no non-finite floats reach here.
    serde_json::to_string(frame).expect("server frames always serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_round_trips() {
        let frame = decode_client_frame(r#"{"type":"hello","protocol":1}"#).unwrap();
        assert_eq!(
            frame,
            ClientFrame::Hello(Hello {
                protocol: 1,
                client: None
            })
        );
    }

    #[test]
    fn types_list_matches_the_enum() {
        let samples = [
            ClientFrame::Hello(Hello {
                protocol: 1,
                client: None,
            }),
            ClientFrame::Ping(Ping { id: None }),
            ClientFrame::CacheNodes(CacheNodes { id: None }),
            ClientFrame::CacheWatch(CacheNodeRef { node: 0, id: None }),
            ClientFrame::CacheUnwatch(CacheNodeRef { node: 0, id: None }),
            ClientFrame::CacheSnapshot(CacheSnapshotRequest {
                node: 0,
                max_items: None,
                id: None,
            }),
            ClientFrame::CacheGet(CacheKeyRef {
                node: 0,
                key: "k".into(),
                id: None,
            }),
            ClientFrame::CacheSet(CacheSet {
                node: 0,
                key: "k".into(),
                value: "v".into(),
                ttl: 0,
                flags: 0,
                id: None,
            }),
            ClientFrame::CacheDelete(CacheKeyRef {
                node: 0,
                key: "k".into(),
                id: None,
            }),
            ClientFrame::CacheTouch(CacheTouch {
                node: 0,
                key: "k".into(),
                ttl: 5,
                id: None,
            }),
            ClientFrame::CacheFlush(CacheNodeRef { node: 0, id: None }),
            ClientFrame::CacheLimit(CacheLimit {
                node: 0,
                bytes: 1 << 20,
                id: None,
            }),
            ClientFrame::CacheRestart(CacheNodeRef { node: 0, id: None }),
            ClientFrame::WarmupStart(WarmupStart {
                node: 0,
                runs: None,
                requests: None,
                max_n: None,
                cost_ms: None,
                seed: None,
                id: None,
            }),
            ClientFrame::WarmupCancel(WarmupCancel { id: None }),
            ClientFrame::RoomCreate(RoomCreate {
                scenario: "pipeline".into(),
                seed: None,
                name: None,
                watch: false,
                id: None,
            }),
            ClientFrame::RoomJoin(RoomJoin {
                room: "KFC-7PX".into(),
                name: None,
                watch: false,
                token: None,
                id: None,
            }),
            ClientFrame::RoomLeave(RoomRequest { id: None }),
            ClientFrame::RoomClose(RoomClose {
                room: "KFC-7PX".into(),
                token: "t".into(),
                id: None,
            }),
            ClientFrame::RoomKick(RoomKick {
                room: "KFC-7PX".into(),
                token: "t".into(),
                member: Some(2),
                node: None,
                id: None,
            }),
            ClientFrame::RoomWatch(RoomWatch { on: true, id: None }),
            ClientFrame::RoomTopology(RoomRequest { id: None }),
            ClientFrame::RoomRecording(RoomRequest { id: None }),
            ClientFrame::RoomAct(RoomAct {
                action: crate::sim::Action::RemoveNode { node: "n".into() },
                id: None,
            }),
            ClientFrame::NodeAdd(NodeAdd {
                name: None,
                sockets: Vec::new(),
                auto_recv: false,
                auto_limit: None,
                id: None,
            }),
            ClientFrame::NodeTake(NodeTake {
                node: "worker-1".into(),
                auto_recv: false,
                auto_limit: None,
                id: None,
            }),
            ClientFrame::NodeRemove(NodeRef {
                node: "n".into(),
                id: None,
            }),
            ClientFrame::Send(SendRequest {
                node: "n".into(),
                socket: "out".into(),
                payload: Some("hi".into()),
                payloads: None,
                id: None,
            }),
            ClientFrame::Recv(RecvRequest {
                node: "n".into(),
                socket: "in".into(),
                max: None,
                id: None,
            }),
            ClientFrame::RecvAuto(RecvAuto {
                node: "n".into(),
                socket: None,
                on: true,
                limit: None,
                id: None,
            }),
        ];
        let names: Vec<_> = samples.iter().map(ClientFrame::type_name).collect();
        assert_eq!(names, ClientFrame::TYPES);
        for sample in samples {
            let json = serde_json::to_value(&sample).unwrap();
            assert_eq!(json["type"], sample.type_name());
        }
    }

    #[test]
    fn not_json_is_explained() {
        let err = decode_client_frame("{oops").unwrap_err();
        assert!(err.message.starts_with("frame is not valid JSON"), "{err}");
    }

    #[test]
    fn non_object_is_explained() {
        let err = decode_client_frame("[1,2]").unwrap_err();
        assert_eq!(
            err.message,
            "a frame must be a JSON object with a \"type\" field, got an array"
        );
    }

    #[test]
    fn missing_type_names_the_field() {
        let err = decode_client_frame(r#"{"protocol":1}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("type"));
    }

    #[test]
    fn unknown_type_lists_the_known_ones() {
        let err = decode_client_frame(r#"{"type":"helo"}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("type"));
        assert!(err.message.contains("\"helo\""), "{err}");
        assert!(err.message.contains("hello, ping"), "{err}");
    }

    #[test]
    fn wrong_kind_names_the_field_and_the_expectation() {
        let err = decode_client_frame(r#"{"type":"hello","protocol":"one"}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("protocol"));
        assert!(err.message.contains("u32"), "{err}");
    }

    #[test]
    fn missing_field_is_named() {
        let err = decode_client_frame(r#"{"type":"hello"}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("protocol"));
        assert!(err.message.contains("missing field"), "{err}");
    }

    #[test]
    fn unknown_field_is_named() {
        let err = decode_client_frame(r#"{"type":"hello","protocol":1,"protcol":1}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("protcol"));
    }

    #[test]
    fn cache_set_defaults_ttl_and_flags() {
        let frame =
            decode_client_frame(r#"{"type":"cache_set","node":1,"key":"k","value":"v"}"#).unwrap();
        assert_eq!(
            frame,
            ClientFrame::CacheSet(CacheSet {
                node: 1,
                key: "k".into(),
                value: "v".into(),
                ttl: 0,
                flags: 0,
                id: None,
            })
        );
        let err = decode_client_frame(r#"{"type":"cache_get","node":"x","key":"k"}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("node"));
    }

    #[test]
    fn room_frames_decode_with_scenarios_and_actions_inside() {
        let frame = decode_client_frame(
            r#"{"type":"node_add","name":"alice","auto_recv":true,
                "sockets":[{"name":"in","type":"PULL","connect":["tcp://ventilator"]}]}"#,
        )
        .unwrap();
        let ClientFrame::NodeAdd(add) = frame else {
            panic!("{frame:?}")
        };
        assert_eq!(add.sockets[0].kind, crate::socket::SocketKind::Pull);
        assert!(add.auto_recv);
        let err =
            decode_client_frame(r#"{"type":"node_add","sockets":[{"name":"in","type":"XPULL"}]}"#)
                .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("sockets[0].type"), "{err}");
        let frame = decode_client_frame(
            r#"{"type":"room_act","action":{"op":"set_hwm","node":"sink","socket":"in","rcvhwm":5}}"#,
        )
        .unwrap();
        assert!(matches!(frame, ClientFrame::RoomAct(_)));
        let frame =
            decode_client_frame(r#"{"type":"room_create","scenario":{"name":"x","nodes":[]}}"#)
                .unwrap();
        assert!(matches!(frame, ClientFrame::RoomCreate(_)));
    }

    #[test]
    fn server_frames_carry_their_type() {
        let text = encode_server_frame(&ServerFrame::Pong { id: Some(7) });
        assert_eq!(text, r#"{"type":"pong","id":7}"#);
    }
}
