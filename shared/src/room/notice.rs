//! What a room tells its watchers that is no engine event: a real ZeroMQ
//! program's connection to one of the room's TCP ports was closed for
//! what it did (a bad greeting, a socket type that does not pair, an
//! oversized frame …), or could not join the room. The engine never saw
//! that connection, so its trace has nothing to say; this typed fact goes
//! to watchers as `room_notice` and says itself in every language.

use serde::Serialize;

use super::{Refusal, RoomCore};
use crate::{
    lang::{Lang, Say},
    protocol::ServerFrame,
    time::Tick,
    zmtp::ZmtpError,
};

/// A room's notice to its watchers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RoomNotice {
    /// The connection from `from` to the room's `endpoint` was closed by
    /// the room for `error`; nothing else in the room was touched.
    ZmtpRefused {
        endpoint: String,
        from: String,
        error: ZmtpError,
    },
    /// The connection spoke ZMTP well, but the room would not admit one
    /// more participant, or refused what it asked (the room is full, say).
    ZmtpNotAdmitted {
        endpoint: String,
        from: String,
        refusal: Box<Refusal>,
    },
}

impl Say for RoomNotice {
    fn say(&self, lang: Lang) -> String {
        match (lang, self) {
            (
                Lang::En,
                RoomNotice::ZmtpRefused {
                    endpoint,
                    from,
                    error,
                },
            ) => format!(
                "closed a ZeroMQ connection from {from} to {endpoint}: {}",
                error.say(Lang::En)
            ),
            (
                Lang::Zh,
                RoomNotice::ZmtpRefused {
                    endpoint,
                    from,
                    error,
                },
            ) => format!(
                "关闭了从 {from} 到 {endpoint} 的 ZeroMQ 连接：{}",
                error.say(Lang::Zh)
            ),
            (
                Lang::En,
                RoomNotice::ZmtpNotAdmitted {
                    endpoint,
                    from,
                    refusal,
                },
            ) => format!(
                "a ZeroMQ program from {from} could not join through {endpoint}: {}",
                refusal.say(Lang::En)
            ),
            (
                Lang::Zh,
                RoomNotice::ZmtpNotAdmitted {
                    endpoint,
                    from,
                    refusal,
                },
            ) => format!(
                "来自 {from} 的 ZeroMQ 程序无法通过 {endpoint} 加入房间：{}",
                refusal.say(Lang::Zh)
            ),
        }
    }
}

// Read compactly (see `json::decode_tagged!`); written by the derive above.
crate::json::decode_tagged!(RoomNotice by "code" {
    "zmtp_refused" => ZmtpRefused { endpoint, from, error },
    "zmtp_not_admitted" => ZmtpNotAdmitted { endpoint, from, refusal },
});

impl RoomCore {
    /// Tells every watcher `notice` (those whose outbox is full miss it,
    /// as they miss events).
    pub fn notice(&mut self, now: Tick, notice: RoomNotice) {
        self.clock = self.clock.max(now);
        let watching: Vec<_> = self
            .members
            .iter()
            .filter(|(_, m)| m.watching && m.has_room())
            .map(|(id, _)| *id)
            .collect();
        for id in watching {
            let frame = ServerFrame::RoomNotice {
                room: self.code.clone(),
                message: notice.english(),
                notice: notice.clone(),
            };
            self.push(id, frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::RoomRefusal;

    #[test]
    fn every_notice_reads_back_as_written() {
        let samples = vec![
            RoomNotice::ZmtpRefused {
                endpoint: "tcp://x".into(),
                from: "127.0.0.1:1".into(),
                error: ZmtpError::NotReady,
            },
            RoomNotice::ZmtpNotAdmitted {
                endpoint: "tcp://x".into(),
                from: "127.0.0.1:1".into(),
                refusal: Box::new(Refusal::Room(RoomRefusal::RoomGone)),
            },
        ];
        crate::json::assert_every_variant_round_trips(&samples, "code", RoomNotice::DECODED_TAGS);
    }
}
