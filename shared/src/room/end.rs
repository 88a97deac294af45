//! Why a room ended, and why a member is no longer in it: typed facts,
//! said in every language through [`Say`].
//!
//! The wire carries the fact (`end` in `room_closed`, `left` in
//! `room_left`) beside its English sentence as `reason`
//! ([`ServerFrame::room_closed`](crate::protocol::ServerFrame::room_closed),
//! [`ServerFrame::room_left`](crate::protocol::ServerFrame::room_left);
//! `docs/protocol.md`, "Leaving, removing, closing").

use serde::Serialize;

use crate::lang::{Lang, Say};

/// Why a room closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RoomEnd {
    /// Its creator's token closed it.
    ClosedByCreator,
    ShuttingDown,
    /// Its own programs pushed its queues past twice the limit.
    QueuesTooLarge {
        bytes: u64,
        limit: u64,
    },
    /// Its programs made more tasks than a room may hold (every task stays
    /// in the ledger the meter reads).
    TooManyTasks {
        tasks: u64,
        limit: u64,
    },
    /// Its engine fell this far behind real time.
    FellBehind {
        seconds: u64,
    },
    /// No member sent anything for this long (`--room-idle`).
    Idle {
        seconds: u64,
    },
    /// Nobody was in it for this long.
    Empty {
        seconds: u64,
    },
    /// The room went away without a word (what a session says when its
    /// room's task is gone).
    Ended,
}

impl Say for RoomEnd {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => end_en(self),
            Lang::Zh => end_zh(self),
        }
    }
}

fn end_en(end: &RoomEnd) -> String {
    match end {
        RoomEnd::ClosedByCreator => "closed by its creator".into(),
        RoomEnd::ShuttingDown => "the server is shutting down".into(),
        RoomEnd::QueuesTooLarge { bytes, limit } => format!(
            "its queues grew to {bytes} bytes, past twice the limit of {limit} (--room-queued-bytes)"
        ),
        RoomEnd::TooManyTasks { tasks, limit } => {
            format!("its programs made {tasks} tasks, past the {limit} a room's ledger may hold")
        }
        RoomEnd::FellBehind { seconds } => format!(
            "it fell {seconds} s behind real time: its scenario makes more events than this server can run"
        ),
        RoomEnd::Idle { seconds } => {
            format!("idle: no member sent anything for {seconds} s (--room-idle)")
        }
        RoomEnd::Empty { seconds } => format!("nobody was in it for {seconds} s"),
        RoomEnd::Ended => "the room ended".into(),
    }
}

fn end_zh(end: &RoomEnd) -> String {
    match end {
        RoomEnd::ClosedByCreator => "创建者关闭了房间".into(),
        RoomEnd::ShuttingDown => "服务器正在关闭".into(),
        RoomEnd::QueuesTooLarge { bytes, limit } => {
            format!("房间的队列增长到 {bytes} 字节，超过上限 {limit} 的两倍（--room-queued-bytes）")
        }
        RoomEnd::TooManyTasks { tasks, limit } => {
            format!("房间里的程序产生了 {tasks} 个任务，超过了一个房间的账本能容纳的 {limit} 个")
        }
        RoomEnd::FellBehind { seconds } => {
            format!("房间落后实时 {seconds} 秒：它的场景产生的事件多于这台服务器能运行的")
        }
        RoomEnd::Idle { seconds } => {
            format!("空闲：{seconds} 秒内没有成员发送任何内容（--room-idle）")
        }
        RoomEnd::Empty { seconds } => format!("房间里 {seconds} 秒没有人"),
        RoomEnd::Ended => "房间已结束".into(),
    }
}

/// Why a member is no longer in the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum LeftReason {
    /// Its own `room_leave`.
    YouLeft,
    /// The creator's `room_kick`.
    RemovedByCreator,
}

impl Say for LeftReason {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => left_en(*self),
            Lang::Zh => left_zh(*self),
        }
    }
}

fn left_en(reason: LeftReason) -> String {
    match reason {
        LeftReason::YouLeft => "you left",
        LeftReason::RemovedByCreator => "removed by the room's creator",
    }
    .into()
}

fn left_zh(reason: LeftReason) -> String {
    match reason {
        LeftReason::YouLeft => "你离开了房间",
        LeftReason::RemovedByCreator => "被房间的创建者移出",
    }
    .into()
}

// Read compactly (see `json::decode_tagged!`): the browser reads these in
// every page that joins a room; written by the derive above.
crate::json::decode_tagged!(RoomEnd by "code" {
    "closed_by_creator" => ClosedByCreator,
    "shutting_down" => ShuttingDown,
    "queues_too_large" => QueuesTooLarge { bytes, limit },
    "too_many_tasks" => TooManyTasks { tasks, limit },
    "fell_behind" => FellBehind { seconds },
    "idle" => Idle { seconds },
    "empty" => Empty { seconds },
    "ended" => Ended,
});

crate::json::decode_tagged!(LeftReason by "code" {
    "you_left" => YouLeft,
    "removed_by_creator" => RemovedByCreator,
});

#[cfg(test)]
mod decode_tests {
    use super::*;

    #[test]
    fn every_end_and_left_reason_reads_back_as_written() {
        let ends = vec![
            RoomEnd::ClosedByCreator,
            RoomEnd::ShuttingDown,
            RoomEnd::QueuesTooLarge { bytes: 7, limit: 7 },
            RoomEnd::TooManyTasks { tasks: 8, limit: 7 },
            RoomEnd::FellBehind { seconds: 7 },
            RoomEnd::Idle { seconds: 7 },
            RoomEnd::Empty { seconds: 7 },
            RoomEnd::Ended,
        ];
        crate::json::assert_every_variant_round_trips(&ends, "code", RoomEnd::DECODED_TAGS);
        let left = vec![LeftReason::YouLeft, LeftReason::RemovedByCreator];
        crate::json::assert_every_variant_round_trips(&left, "code", LeftReason::DECODED_TAGS);
    }
}
