//! Why a room (or the server's session in front of it) did not do what a
//! member asked: typed facts, said in every language through [`Say`], each
//! naming the request field it is about.
//!
//! A refusal reaches the client as an `error` frame built by
//! [`ServerFrame::refused`](crate::protocol::ServerFrame::refused): the
//! fact under `refusal` (area `room`), its English sentence as `message`
//! and [`RoomRefusal::field`] as `field` (`docs/protocol.md`, "Errors" and
//! "Live rooms"). A limit's field is `limits.…` as `room_joined` lists it,
//! and its sentence names the flag that changes it. The engine's own
//! refusals travel in their own areas
//! ([`Refusal::Action`](crate::protocol::Refusal::Action),
//! [`Refusal::Scenario`](crate::protocol::Refusal::Scenario)), except a
//! `room_act` edit's, which is about the request's `action`
//! ([`RoomRefusal::Edit`]).

use serde::Serialize;

use crate::{
    lang::{Lang, Say},
    sim::ActionError,
    socket::SocketError,
};

/// A room's own refusals (the engine's are
/// [`ActionError`] and [`ScenarioError`](crate::sim::ScenarioError), in
/// their own areas of [`Refusal`](crate::protocol::Refusal)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RoomRefusal {
    /// A room frame from a session in no room.
    NeedsRoom {
        frame: String,
    },
    AlreadyInRoom {
        room: String,
    },
    NoSuchRoom {
        typed: String,
    },
    /// The room ended while the request was on its way.
    RoomGone,
    TooManyRooms {
        open: u64,
    },
    RateLimit {
        rate: u32,
        frame: String,
    },
    MessageTooLarge {
        index: u64,
        bytes: u64,
        limit: u32,
    },
    /// `scenario` is neither a preset's name nor a scenario object.
    ScenarioShape,
    /// The room removed this session meanwhile.
    NoLongerInRoom,
    WrongToken,
    RoomFull {
        room: String,
        members: u32,
    },
    KickNeedsTarget,
    NoSuchMember,
    NotARoomFrame {
        frame: String,
    },
    NodeDrivenBy {
        node: String,
        member: u32,
        name: String,
    },
    NodeRunsProgram {
        node: String,
    },
    NoSuchNode {
        node: String,
    },
    NodeAlreadyDriven {
        node: String,
        member: u32,
    },
    NodeLimit {
        max: u32,
    },
    NodeNameTooLong {
        max: u64,
    },
    NotYourSocket {
        node: String,
        socket: String,
    },
    NoPayload,
    /// The room's pipes hold `queued` bytes; a send would pass `limit`.
    QueuesFull {
        room: String,
        queued: u64,
        limit: u64,
    },
    /// The socket refused a call (`EFSM`, `ENOTSUP`), after `sent` of the
    /// send's messages went.
    SocketFailed {
        error: SocketError,
        sent: u64,
    },
    NoReceivingSocket {
        node: String,
        socket: Option<String>,
    },
    /// `room_act` with `send`, `recv` or `take_over`.
    UseSocketFrames,
    OnlyCreatorAddsPrograms,
    /// A live producer's `publish` would take the room past the tasks its
    /// ledger may hold ([`MAX_TASKS`](super::limits::MAX_TASKS)).
    TaskLimit {
        tasks: u64,
        limit: u64,
    },
    /// Fault actions (crash, pause, partition, …) are the creator's: a
    /// class's teacher breaks things, not any participant.
    OnlyCreatorFaults,
    /// A member's `node_add` with a program that is not a live task
    /// program (`"live": true`): other programs are the creator's to add.
    NotALiveProgram {
        program: String,
    },
    /// The engine refused the edit a `room_act` asked for.
    Edit {
        // Boxed: it is much larger than the room's own refusals.
        error: Box<ActionError>,
    },
}

impl RoomRefusal {
    /// The request field the refusal is about (`error.field` on the wire).
    pub fn field(&self) -> &'static str {
        match self {
            RoomRefusal::NeedsRoom { .. }
            | RoomRefusal::AlreadyInRoom { .. }
            | RoomRefusal::NoLongerInRoom
            | RoomRefusal::NotARoomFrame { .. } => "type",
            RoomRefusal::NoSuchRoom { .. } | RoomRefusal::RoomGone => "room",
            RoomRefusal::TooManyRooms { .. } => "limits.rooms",
            RoomRefusal::RateLimit { .. } => "limits.rate",
            RoomRefusal::MessageTooLarge { .. } => "limits.message_bytes",
            RoomRefusal::ScenarioShape => "scenario",
            RoomRefusal::WrongToken => "token",
            RoomRefusal::RoomFull { .. } => "limits.members",
            RoomRefusal::KickNeedsTarget | RoomRefusal::NoSuchMember => "member",
            RoomRefusal::NodeDrivenBy { .. }
            | RoomRefusal::NodeRunsProgram { .. }
            | RoomRefusal::NoSuchNode { .. }
            | RoomRefusal::NodeAlreadyDriven { .. } => "node",
            RoomRefusal::NodeLimit { .. } => "limits.nodes",
            RoomRefusal::NodeNameTooLong { .. } => "name",
            RoomRefusal::NotYourSocket { .. }
            | RoomRefusal::SocketFailed { .. }
            | RoomRefusal::NoReceivingSocket { .. } => "socket",
            RoomRefusal::NoPayload => "payload",
            RoomRefusal::QueuesFull { .. } => "limits.room_queued_bytes",
            RoomRefusal::UseSocketFrames
            | RoomRefusal::OnlyCreatorAddsPrograms
            | RoomRefusal::OnlyCreatorFaults => "action.op",
            RoomRefusal::NotALiveProgram { .. } => "program",
            RoomRefusal::TaskLimit { .. } => "action.count",
            RoomRefusal::Edit { .. } => "action",
        }
    }
}

impl Say for RoomRefusal {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => refusal_en(self),
            Lang::Zh => refusal_zh(self),
        }
    }
}

fn refusal_en(refusal: &RoomRefusal) -> String {
    match refusal {
        RoomRefusal::NeedsRoom { frame } => {
            format!("{frame} needs a room: join one with room_join or create one with room_create")
        }
        RoomRefusal::AlreadyInRoom { room } => {
            format!("this session is already in room {room}; send room_leave first")
        }
        RoomRefusal::NoSuchRoom { typed } => format!(
            "no room {typed:?} on this server (a code looks like KFC-7PX: six letters and digits; rooms close when idle)"
        ),
        RoomRefusal::RoomGone => "the room has closed".into(),
        RoomRefusal::TooManyRooms { open } => format!(
            "this server already hosts {open} live rooms, its limit (--max-rooms); close one or try later"
        ),
        RoomRefusal::RateLimit { rate, frame } => format!(
            "rate limit: at most {rate} messages per second per client (--room-rate); this {frame} was refused and nothing was done; slow down and retry"
        ),
        RoomRefusal::MessageTooLarge {
            index,
            bytes,
            limit,
        } => format!(
            "message {index} of this send is {bytes} bytes; at most {limit} bytes per message (--room-message-bytes); nothing was sent"
        ),
        RoomRefusal::ScenarioShape => {
            "scenario must be a preset's name (\"pipeline\") or a scenario object".into()
        }
        RoomRefusal::NoLongerInRoom => "this session is no longer in the room".into(),
        RoomRefusal::WrongToken => {
            "wrong token: only the room's creator can do this (the token came in its room_joined)"
                .into()
        }
        RoomRefusal::RoomFull { room, members } => {
            format!("room {room} is full: at most {members} members per room (--room-members)")
        }
        RoomRefusal::KickNeedsTarget => "room_kick needs a member or a node".into(),
        RoomRefusal::NoSuchMember => {
            "no such member in this room (members are listed in room_joined and room_topology)"
                .into()
        }
        RoomRefusal::NotARoomFrame { frame } => {
            format!("{frame} is not a frame for a room's member")
        }
        RoomRefusal::NodeDrivenBy { node, member, name } => {
            format!("node {node} is driven by member {member} ({name}); only its driver can use it")
        }
        RoomRefusal::NodeRunsProgram { node } => format!(
            "node {node} runs the scenario's program; take it over with node_take, or add your own node with node_add"
        ),
        RoomRefusal::NoSuchNode { node } => format!("no node named {node} in this room"),
        RoomRefusal::NodeAlreadyDriven { node, member } => {
            format!("node {node} is already driven by member {member}")
        }
        RoomRefusal::NodeLimit { max } => {
            format!("a member may drive at most {max} nodes; remove one first")
        }
        RoomRefusal::NodeNameTooLong { max } => {
            format!("a node name has at most {max} characters")
        }
        RoomRefusal::NotYourSocket { node, socket } => {
            format!("node {node} has no socket named {socket} that you drive")
        }
        RoomRefusal::NoPayload => "send needs a payload (or payloads)".into(),
        RoomRefusal::QueuesFull {
            room,
            queued,
            limit,
        } => format!(
            "room {room} holds {queued} bytes in its queues; at most {limit} are allowed (--room-queued-bytes), so nothing was sent; receive or wait until queues drain"
        ),
        RoomRefusal::SocketFailed { error, sent: 0 } => error.say(Lang::En),
        RoomRefusal::SocketFailed { error, sent } => {
            format!("{} (after sending {sent} message(s))", error.say(Lang::En))
        }
        RoomRefusal::NoReceivingSocket { node, socket } => format!(
            "node {node} has no receiving socket{} (PULL, SUB, REQ or REP)",
            socket
                .as_ref()
                .map(|s| format!(" named {s}"))
                .unwrap_or_default()
        ),
        RoomRefusal::UseSocketFrames => "use the send, recv and node_take frames for these".into(),
        RoomRefusal::OnlyCreatorFaults => {
            "only the room's creator injects faults (crash, pause, partition, …)".into()
        }
        RoomRefusal::TaskLimit { tasks, limit } => format!(
            "the room has made {tasks} tasks; a room's ledger holds at most {limit}, so nothing was published"
        ),
        RoomRefusal::NotALiveProgram { program } => format!(
            "node_add takes sockets, or a live task_worker or task_producer (\"live\": true); a {program} node is the creator's to add (room_act add_node)"
        ),
        RoomRefusal::OnlyCreatorAddsPrograms => {
            "only the room's creator adds nodes with programs; add your own node with node_add"
                .into()
        }
        RoomRefusal::Edit { error } => error.say(Lang::En),
    }
}

fn refusal_zh(refusal: &RoomRefusal) -> String {
    match refusal {
        RoomRefusal::NeedsRoom { frame } => {
            format!("{frame} 需要先进入房间：用 room_join 加入一个，或用 room_create 创建一个")
        }
        RoomRefusal::AlreadyInRoom { room } => {
            format!("这个会话已经在房间 {room} 里；请先发送 room_leave")
        }
        RoomRefusal::NoSuchRoom { typed } => format!(
            "这台服务器上没有房间 {typed:?}（房间码形如 KFC-7PX：六个字母和数字；空闲的房间会关闭）"
        ),
        RoomRefusal::RoomGone => "房间已经关闭".into(),
        RoomRefusal::TooManyRooms { open } => format!(
            "这台服务器已经开着 {open} 个实时房间，达到上限（--max-rooms）；请关闭一个或稍后再试"
        ),
        RoomRefusal::RateLimit { rate, frame } => format!(
            "速率限制：每个客户端每秒最多 {rate} 条消息（--room-rate）；这个 {frame} 被拒绝，什么也没做；请放慢后重试"
        ),
        RoomRefusal::MessageTooLarge {
            index,
            bytes,
            limit,
        } => format!(
            "这次发送的第 {index} 条消息有 {bytes} 字节；每条最多 {limit} 字节（--room-message-bytes）；什么也没发送"
        ),
        RoomRefusal::ScenarioShape => {
            "scenario 必须是预设的名字（\"pipeline\"）或一个场景对象".into()
        }
        RoomRefusal::NoLongerInRoom => "这个会话已经不在房间里".into(),
        RoomRefusal::WrongToken => {
            "令牌不对：只有房间的创建者能这样做（令牌在它的 room_joined 里）".into()
        }
        RoomRefusal::RoomFull { room, members } => {
            format!("房间 {room} 已满：每个房间最多 {members} 个成员（--room-members）")
        }
        RoomRefusal::KickNeedsTarget => "room_kick 需要指定一个成员或一个节点".into(),
        RoomRefusal::NoSuchMember => {
            "房间里没有这个成员（成员列在 room_joined 和 room_topology 里）".into()
        }
        RoomRefusal::NotARoomFrame { frame } => format!("{frame} 不是房间成员能发的帧"),
        RoomRefusal::NodeDrivenBy { node, member, name } => {
            format!("节点 {node} 由成员 {member}（{name}）驱动；只有它的驱动者能使用它")
        }
        RoomRefusal::NodeRunsProgram { node } => format!(
            "节点 {node} 运行着场景的程序；用 node_take 接管它，或用 node_add 添加你自己的节点"
        ),
        RoomRefusal::NoSuchNode { node } => format!("房间里没有名为 {node} 的节点"),
        RoomRefusal::NodeAlreadyDriven { node, member } => {
            format!("节点 {node} 已经由成员 {member} 驱动")
        }
        RoomRefusal::NodeLimit { max } => {
            format!("一个成员最多驱动 {max} 个节点；请先移除一个")
        }
        RoomRefusal::NodeNameTooLong { max } => format!("节点名最多 {max} 个字符"),
        RoomRefusal::NotYourSocket { node, socket } => {
            format!("节点 {node} 没有你驱动的名为 {socket} 的套接字")
        }
        RoomRefusal::NoPayload => "send 需要一个 payload（或 payloads）".into(),
        RoomRefusal::QueuesFull {
            room,
            queued,
            limit,
        } => format!(
            "房间 {room} 的队列里有 {queued} 字节；最多允许 {limit} 字节（--room-queued-bytes），所以什么也没发送；请接收或等队列排空"
        ),
        RoomRefusal::SocketFailed { error, sent: 0 } => error.say(Lang::Zh),
        RoomRefusal::SocketFailed { error, sent } => {
            format!("{}（已发送 {sent} 条消息之后）", error.say(Lang::Zh))
        }
        RoomRefusal::NoReceivingSocket { node, socket } => format!(
            "节点 {node} 没有{}接收消息的套接字（PULL、SUB、REQ 或 REP）",
            socket
                .as_ref()
                .map(|s| format!("名为 {s} 的"))
                .unwrap_or_default()
        ),
        RoomRefusal::UseSocketFrames => "这些请用 send、recv 和 node_take 帧".into(),
        RoomRefusal::OnlyCreatorFaults => {
            "只有房间的创建者能注入故障（崩溃、暂停、网络分区等）".into()
        }
        RoomRefusal::TaskLimit { tasks, limit } => format!(
            "房间已经产生了 {tasks} 个任务；一个房间的账本最多容纳 {limit} 个，所以这次什么也没有发布"
        ),
        RoomRefusal::NotALiveProgram { program } => format!(
            "node_add 只接受套接字，或者实时的 task_worker、task_producer（\"live\": true）；{program} 节点只能由创建者添加（room_act add_node）"
        ),
        RoomRefusal::OnlyCreatorAddsPrograms => {
            "只有房间的创建者能添加带程序的节点；用 node_add 添加你自己的节点".into()
        }
        RoomRefusal::Edit { error } => error.say(Lang::Zh),
    }
}

// Read compactly (see `json::decode_tagged!`): the browser reads these in
// every page that joins a room; written by the derive above.
crate::json::decode_tagged!(RoomRefusal by "code" {
    "needs_room" => NeedsRoom { frame },
    "already_in_room" => AlreadyInRoom { room },
    "no_such_room" => NoSuchRoom { typed },
    "room_gone" => RoomGone,
    "too_many_rooms" => TooManyRooms { open },
    "rate_limit" => RateLimit { rate, frame },
    "message_too_large" => MessageTooLarge { index, bytes, limit },
    "scenario_shape" => ScenarioShape,
    "no_longer_in_room" => NoLongerInRoom,
    "wrong_token" => WrongToken,
    "room_full" => RoomFull { room, members },
    "kick_needs_target" => KickNeedsTarget,
    "no_such_member" => NoSuchMember,
    "not_a_room_frame" => NotARoomFrame { frame },
    "node_driven_by" => NodeDrivenBy { node, member, name },
    "node_runs_program" => NodeRunsProgram { node },
    "no_such_node" => NoSuchNode { node },
    "node_already_driven" => NodeAlreadyDriven { node, member },
    "node_limit" => NodeLimit { max },
    "node_name_too_long" => NodeNameTooLong { max },
    "not_your_socket" => NotYourSocket { node, socket },
    "no_payload" => NoPayload,
    "queues_full" => QueuesFull { room, queued, limit },
    "socket_failed" => SocketFailed { error, sent },
    "no_receiving_socket" => NoReceivingSocket { node, socket },
    "use_socket_frames" => UseSocketFrames,
    "only_creator_adds_programs" => OnlyCreatorAddsPrograms,
    "only_creator_faults" => OnlyCreatorFaults,
    "task_limit" => TaskLimit { tasks, limit },
    "not_a_live_program" => NotALiveProgram { program },
    "edit" => Edit { error },
});

#[cfg(test)]
mod decode_tests {
    use super::*;

    #[test]
    fn every_room_refusal_reads_back_as_written() {
        let samples = vec![
            RoomRefusal::NeedsRoom { frame: "x".into() },
            RoomRefusal::AlreadyInRoom { room: "x".into() },
            RoomRefusal::NoSuchRoom { typed: "x".into() },
            RoomRefusal::RoomGone,
            RoomRefusal::TooManyRooms { open: 7 },
            RoomRefusal::RateLimit {
                rate: 3,
                frame: "x".into(),
            },
            RoomRefusal::MessageTooLarge {
                index: 7,
                bytes: 7,
                limit: 3,
            },
            RoomRefusal::ScenarioShape,
            RoomRefusal::NoLongerInRoom,
            RoomRefusal::WrongToken,
            RoomRefusal::RoomFull {
                room: "x".into(),
                members: 3,
            },
            RoomRefusal::KickNeedsTarget,
            RoomRefusal::NoSuchMember,
            RoomRefusal::NotARoomFrame { frame: "x".into() },
            RoomRefusal::NodeDrivenBy {
                node: "x".into(),
                member: 3,
                name: "x".into(),
            },
            RoomRefusal::NodeRunsProgram { node: "x".into() },
            RoomRefusal::NoSuchNode { node: "x".into() },
            RoomRefusal::NodeAlreadyDriven {
                node: "x".into(),
                member: 3,
            },
            RoomRefusal::NodeLimit { max: 3 },
            RoomRefusal::NodeNameTooLong { max: 7 },
            RoomRefusal::NotYourSocket {
                node: "x".into(),
                socket: "x".into(),
            },
            RoomRefusal::NoPayload,
            RoomRefusal::QueuesFull {
                room: "x".into(),
                queued: 7,
                limit: 7,
            },
            RoomRefusal::SocketFailed {
                error: SocketError::NotSupported {
                    kind: crate::socket::SocketKind::Sub,
                    op: crate::socket::OpKind::Send,
                },
                sent: 7,
            },
            RoomRefusal::NoReceivingSocket {
                node: "x".into(),
                socket: Some("s".into()),
            },
            RoomRefusal::UseSocketFrames,
            RoomRefusal::OnlyCreatorAddsPrograms,
            RoomRefusal::OnlyCreatorFaults,
            RoomRefusal::TaskLimit {
                tasks: 99_990,
                limit: 100_000,
            },
            RoomRefusal::NotALiveProgram {
                program: "broker".into(),
            },
            RoomRefusal::Edit {
                error: Box::new(ActionError::NoNode { node: "n".into() }),
            },
        ];
        crate::json::assert_every_variant_round_trips(&samples, "code", RoomRefusal::DECODED_TAGS);
    }
}
