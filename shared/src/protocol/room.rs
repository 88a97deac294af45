//! Live rooms' frames: creating, joining and leaving a room, its creator's
//! powers, watching it, and a member's own nodes and sockets.

use serde::{Deserialize, Serialize};

area_frames! {
    /// Frames about live rooms and the sockets a member drives in one.
    RoomFrame {
        "room_create" => Create(RoomCreate),
        "room_join" => Join(RoomJoin),
        "room_leave" => Leave(RoomRequest),
        "room_close" => Close(RoomClose),
        "room_kick" => Kick(RoomKick),
        "room_watch" => Watch(RoomWatch),
        "room_topology" => Topology(RoomRequest),
        "room_recording" => Recording(RecordingRequest),
        "room_act" => Act(RoomAct),
        "node_add" => NodeAdd(NodeAdd),
        "node_take" => NodeTake(NodeTake),
        "node_remove" => NodeRemove(NodeRef),
        "send" => Send(SendRequest),
        "recv" => Recv(RecvRequest),
        "recv_auto" => RecvAuto(RecvAuto),
    }
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
    /// Expose the endpoints the scenario binds as real TCP ports speaking
    /// ZMTP, so unchanged ZeroMQ programs join the room
    /// (`docs/protocol.md`, "ZeroMQ programs in a room").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub zmtp: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// One endpoint of a room's scenario open to real ZeroMQ programs, as
/// `room_joined` lists it under `zmtp`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZmtpEndpoint {
    /// The scenario's endpoint (`tcp://127.0.0.1:6700`).
    pub endpoint: String,
    /// Whether the server listens there for programs to connect, or
    /// connects to a program that binds it.
    pub role: ZmtpRole,
    /// The scenario's node and socket that bind the endpoint (`listen`) or
    /// connect to it (`dial`), and the socket's type: a program's socket
    /// must pair with it (a SUB with a PUB …).
    pub node: String,
    pub socket: String,
    #[serde(rename = "type")]
    pub kind: crate::socket::SocketKind,
    /// `listen`: where the server listens (`127.0.0.1:6700`); a program
    /// connects to `tcp://` this address, or the server's host and `port`.
    /// `dial`: the address the server connects to.
    pub address: String,
    pub port: u16,
}

/// Which side of the TCP connection the room is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZmtpRole {
    /// The scenario binds the endpoint: the server listens, programs
    /// connect.
    Listen,
    /// The scenario only connects to the endpoint, on this machine: the
    /// server connects to the program that binds it (and again whenever it
    /// is gone).
    Dial,
}

// Read compactly, as `json::decode_tagged!` reads facts, with `role` as
// the tag: every page that joins a room reads these (serde's derived
// visitors cost the queue page's wasm its last kilobytes).
impl<'de> Deserialize<'de> for ZmtpEndpoint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut fields = crate::json::TaggedFields::read(deserializer, "role")?;
        let role = match fields.tag() {
            "listen" => ZmtpRole::Listen,
            "dial" => ZmtpRole::Dial,
            _ => {
                return Err(serde::de::Error::custom(
                    fields.unknown(&["listen", "dial"]),
                ));
            }
        };
        let mut endpoint = || -> Result<ZmtpEndpoint, String> {
            Ok(ZmtpEndpoint {
                endpoint: fields.take("endpoint")?,
                role,
                node: fields.take("node")?,
                socket: fields.take("socket")?,
                kind: fields.take("type")?,
                address: fields.take("address")?,
                port: fields.take("port")?,
            })
        };
        endpoint().map_err(serde::de::Error::custom)
    }
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

/// Asks for the room's recording (`room_recording`). A page following a
/// room asks again and again; with `after` it gets only the actions past
/// the first `after` it already has, so each answer is as long as what is
/// new, not as the whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// A room frame with nothing but an id (`room_leave`, `room_topology`).
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sockets: Vec<crate::sim::scenario::SocketSpec>,
    /// A live task program instead of sockets (`{"kind": "task_worker",
    /// "broker": …, "queue": …, "ack": "late", "live": true}`): the engine
    /// keeps its broker connection, this participant does its work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<crate::sim::nodes::ProgramSpec>,
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
