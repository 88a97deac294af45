//! What a bad ZeroMQ peer did, as typed facts that say themselves (the
//! room logs them and shows them to its members). Each closes that one
//! connection and harms nothing else.

use serde::Serialize;

use crate::{
    lang::{Lang, Say},
    socket::SocketKind,
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ZmtpError {
    /// The first octets are not a ZMTP greeting (an HTTP request, a
    /// telnet session, ZMTP 1.0); `first` holds up to ten of them.
    NotZmtp {
        first: Vec<u8>,
    },
    /// ZMTP 1.0 or 2.0: Fanout does not downgrade.
    OldVersion {
        major: u8,
    },
    /// A security mechanism other than NULL.
    Mechanism {
        name: String,
    },
    ReservedFlags {
        flags: u8,
    },
    CommandWithMore,
    FrameTooLarge {
        size: u64,
        max: u64,
    },
    MalformedCommand {
        what: String,
    },
    /// Something other than READY came where the handshake expects it.
    NotReady,
    /// READY named no socket type, or one ZeroMQ does not have.
    UnknownSocketType {
        name: String,
    },
    /// The peer's socket type does not pair with the room's socket.
    Mismatch {
        ours: SocketKind,
        theirs: String,
    },
    /// The peer gave up with an ERROR command.
    PeerError {
        reason: String,
    },
    /// A message frame that is not UTF-8 text (the room's payloads are).
    NotText,
    /// A message of several frames where one is expected.
    Multipart {
        frames: usize,
    },
    /// A REQ/REP message without its empty delimiter frame.
    MissingDelimiter,
    /// A message from a peer whose socket type never sends one.
    UnexpectedMessage {
        theirs: String,
    },
    /// A socket type that pairs on the wire (a DEALER with a REP, a ROUTER
    /// with a REQ) but that a room has no engine socket for.
    NotInRooms {
        theirs: String,
    },
}

impl std::error::Error for ZmtpError {}

impl std::fmt::Display for ZmtpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

impl Say for ZmtpError {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => english(self),
            Lang::Zh => chinese(self),
        }
    }
}

fn shown(first: &[u8]) -> String {
    String::from_utf8_lossy(first).escape_debug().to_string()
}

fn english(e: &ZmtpError) -> String {
    match e {
        ZmtpError::NotZmtp { first } => format!(
            "not a ZeroMQ greeting (it began \"{}\"); this port speaks ZMTP 3 to ZeroMQ sockets",
            shown(first)
        ),
        ZmtpError::OldVersion { major } => {
            format!("ZMTP version {major} is too old; this port speaks ZMTP 3.0 and 3.1")
        }
        ZmtpError::Mechanism { name } => {
            format!("security mechanism {name:?} is not offered; this port speaks NULL only")
        }
        ZmtpError::ReservedFlags { flags } => {
            format!("a frame's flags {flags:#04x} set reserved bits")
        }
        ZmtpError::CommandWithMore => "a command frame had the MORE flag".into(),
        ZmtpError::FrameTooLarge { size, max } => {
            format!("a frame of {size} bytes is larger than the room's limit of {max}")
        }
        ZmtpError::MalformedCommand { what } => format!("malformed command: expected {what}"),
        ZmtpError::NotReady => "the handshake expected a READY command".into(),
        ZmtpError::UnknownSocketType { name } => {
            format!("socket type {name:?} is not a ZeroMQ socket type")
        }
        ZmtpError::Mismatch { ours, theirs } => {
            format!("a {theirs} socket cannot talk to this {ours} socket")
        }
        ZmtpError::PeerError { reason } => format!("the peer gave up: {reason}"),
        ZmtpError::NotText => "a message was not UTF-8 text".into(),
        ZmtpError::Multipart { frames } => format!(
            "a message of {frames} frames: rooms carry single-frame messages (send_string, send_json)"
        ),
        ZmtpError::MissingDelimiter => "a request or reply lacked its empty delimiter frame".into(),
        ZmtpError::UnexpectedMessage { theirs } => {
            format!("a {theirs} socket sent a message, which its type never does")
        }
        ZmtpError::NotInRooms { theirs } => format!(
            "a {theirs} socket pairs on the wire, but rooms have only PUB, SUB, PUSH, PULL, REQ and REP sockets"
        ),
    }
}

fn chinese(e: &ZmtpError) -> String {
    match e {
        ZmtpError::NotZmtp { first } => format!(
            "这不是 ZeroMQ 的问候（开头是 \"{}\"）；本端口只对 ZeroMQ 套接字说 ZMTP 3",
            shown(first)
        ),
        ZmtpError::OldVersion { major } => {
            format!("ZMTP 版本 {major} 太旧；本端口只支持 ZMTP 3.0 和 3.1")
        }
        ZmtpError::Mechanism { name } => {
            format!("不提供安全机制 {name:?}；本端口只支持 NULL")
        }
        ZmtpError::ReservedFlags { flags } => format!("帧的标志 {flags:#04x} 用了保留位"),
        ZmtpError::CommandWithMore => "命令帧带有 MORE 标志".into(),
        ZmtpError::FrameTooLarge { size, max } => {
            format!("一个 {size} 字节的帧超过了房间的上限 {max}")
        }
        ZmtpError::MalformedCommand { what } => format!("命令格式不对：应为 {what}"),
        ZmtpError::NotReady => "握手时应先收到 READY 命令".into(),
        ZmtpError::UnknownSocketType { name } => {
            format!("{name:?} 不是 ZeroMQ 的套接字类型")
        }
        ZmtpError::Mismatch { ours, theirs } => {
            format!("{theirs} 套接字不能与这个 {ours} 套接字通信")
        }
        ZmtpError::PeerError { reason } => format!("对端放弃了连接：{reason}"),
        ZmtpError::NotText => "消息不是 UTF-8 文本".into(),
        ZmtpError::Multipart { frames } => {
            format!("一条消息有 {frames} 帧：房间只传单帧消息（send_string、send_json）")
        }
        ZmtpError::MissingDelimiter => "请求或回复缺少空的分隔帧".into(),
        ZmtpError::UnexpectedMessage { theirs } => {
            format!("{theirs} 套接字发来了消息，而这种类型从不发送消息")
        }
        ZmtpError::NotInRooms { theirs } => format!(
            "{theirs} 套接字在线路上可以配对，但房间只有 PUB、SUB、PUSH、PULL、REQ 和 REP 套接字"
        ),
    }
}

// Read compactly (see `json::decode_tagged!`): every page that joins a
// room reads these in `room_notice`; written by the derive above.
crate::json::decode_tagged!(ZmtpError by "code" {
    "not_zmtp" => NotZmtp { first },
    "old_version" => OldVersion { major },
    "mechanism" => Mechanism { name },
    "reserved_flags" => ReservedFlags { flags },
    "command_with_more" => CommandWithMore,
    "frame_too_large" => FrameTooLarge { size, max },
    "malformed_command" => MalformedCommand { what },
    "not_ready" => NotReady,
    "unknown_socket_type" => UnknownSocketType { name },
    "mismatch" => Mismatch { ours, theirs },
    "peer_error" => PeerError { reason },
    "not_text" => NotText,
    "multipart" => Multipart { frames },
    "missing_delimiter" => MissingDelimiter,
    "unexpected_message" => UnexpectedMessage { theirs },
    "not_in_rooms" => NotInRooms { theirs },
});

#[cfg(test)]
mod decode_tests {
    use super::*;

    #[test]
    fn every_zmtp_error_reads_back_as_written() {
        let samples = vec![
            ZmtpError::NotZmtp {
                first: b"GET".to_vec(),
            },
            ZmtpError::OldVersion { major: 2 },
            ZmtpError::Mechanism {
                name: "PLAIN".into(),
            },
            ZmtpError::ReservedFlags { flags: 0x80 },
            ZmtpError::CommandWithMore,
            ZmtpError::FrameTooLarge { size: 9, max: 8 },
            ZmtpError::MalformedCommand { what: "x".into() },
            ZmtpError::NotReady,
            ZmtpError::UnknownSocketType { name: "X".into() },
            ZmtpError::Mismatch {
                ours: SocketKind::Push,
                theirs: "PUSH".into(),
            },
            ZmtpError::PeerError { reason: "x".into() },
            ZmtpError::NotText,
            ZmtpError::Multipart { frames: 2 },
            ZmtpError::MissingDelimiter,
            ZmtpError::UnexpectedMessage {
                theirs: "PUSH".into(),
            },
            ZmtpError::NotInRooms {
                theirs: "DEALER".into(),
            },
        ];
        crate::json::assert_every_variant_round_trips(&samples, "code", ZmtpError::DECODED_TAGS);
    }
}
