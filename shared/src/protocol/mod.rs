//! The versioned JSON protocol spoken over `GET /ws` between `fanout serve`
//! and its clients (the browser app, `static/clients/worker.py`, scripts).
//!
//! Both ends use these types, so the browser and the server cannot drift
//! apart. Every frame is a JSON object with a `type`; `docs/protocol.md` is
//! the human-readable description and must change with these files.
//!
//! The client's frames come in five areas, one module each, and a session
//! hands each area to the part of the server that answers it with one
//! exhaustive `match` on [`ClientFrame`]:
//! - [`session`]: `hello`, `ping`;
//! - [`cache`]: the cache lab's frames (`cache_*`);
//! - [`warmup`]: the warm-up experiment (`warmup_*`);
//! - [`room`]: live rooms and their members' sockets;
//! - [`tasks`]: watching Celery on the Redis node (`tasks_*`).
//!
//! What the server sends is one flat [`ServerFrame`] ([`server`]); a request
//! it cannot honour gets an `error` frame built in one place,
//! [`ServerFrame::refused`], from a typed [`Refusal`] ([`refusal`]), so the
//! browser can say it in the learner's language.
//!
//! Decoding is deliberately strict and explicit ([`decode_client_frame`]):
//! a learner typing frames by hand should be told which field was wrong and
//! what was expected, and the connection must survive the mistake.

use serde::{Deserialize, Serialize};

/// The protocol version this build speaks. A client announces its version in
/// `hello`; any other version is refused with an `error` naming this one.
pub const PROTOCOL_VERSION: u32 = 1;

/// Declares one area's client frames once: its enum, its list of `type`
/// tags and its per-type decoder all come from this table, so they cannot
/// disagree.
macro_rules! area_frames {
    ($(#[$meta:meta])* $area:ident { $($tag:literal => $variant:ident($body:ty)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[serde(tag = "type")]
        pub enum $area {
            $(#[serde(rename = $tag)] $variant($body),)+
        }

        impl $area {
            /// This area's `type` tags, in the order the docs list them.
            pub const TYPES: &'static [&'static str] = &[$($tag),+];

            /// The frame's `type` tag, for logs and error messages.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $($area::$variant(_) => $tag,)+
                }
            }

            /// Decodes the body of a frame whose `type` is already known,
            /// so that a wrong field can be reported by its path; `None`
            /// when the type is not this area's.
            pub(crate) fn decode_body(
                frame_type: &str,
                body: serde_json::Value,
            ) -> Option<Result<Self, (String, serde_json::Error)>> {
                match frame_type {
                    $($tag => Some(crate::json::tracked::<$body>(body).map($area::$variant)),)+
                    _ => None,
                }
            }
        }
    };
}

pub mod cache;
mod decode;
pub mod refusal;
pub mod room;
pub mod server;
pub mod session;
pub mod tasks;
pub mod warmup;

#[cfg(test)]
mod tests;

pub use cache::*;
pub use decode::{decode_client_frame, encode_server_frame, request_id};
pub use refusal::{FieldProblem, FrameRefusal, JsonKind, Refusal};
pub use room::*;
pub use server::ServerFrame;
pub use session::*;
pub use tasks::*;
pub use warmup::*;

/// Frames a client sends to the server: one area's frame, tagged on the
/// wire by its `type` alone (`{"type":"cache_get", …}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ClientFrame {
    Session(SessionFrame),
    Cache(CacheFrame),
    Warmup(WarmupFrame),
    Room(RoomFrame),
    Tasks(TasksFrame),
}

impl ClientFrame {
    /// Every `type` tag a client may send, area by area, in the order the
    /// docs list them.
    pub fn types() -> impl Iterator<Item = &'static str> {
        SessionFrame::TYPES
            .iter()
            .chain(CacheFrame::TYPES)
            .chain(WarmupFrame::TYPES)
            .chain(RoomFrame::TYPES)
            .chain(TasksFrame::TYPES)
            .copied()
    }

    /// The frame's `type` tag, for logs and error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ClientFrame::Session(frame) => frame.type_name(),
            ClientFrame::Cache(frame) => frame.type_name(),
            ClientFrame::Warmup(frame) => frame.type_name(),
            ClientFrame::Room(frame) => frame.type_name(),
            ClientFrame::Tasks(frame) => frame.type_name(),
        }
    }
}

/// Reading a client frame with serde goes through [`decode_client_frame`],
/// the one decoder, so a mistake is explained the same way everywhere.
impl<'de> Deserialize<'de> for ClientFrame {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        decode::decode_value(value)
            .map_err(|refusal| serde::de::Error::custom(crate::lang::Say::english(&refusal)))
    }
}

impl From<SessionFrame> for ClientFrame {
    fn from(frame: SessionFrame) -> Self {
        ClientFrame::Session(frame)
    }
}

impl From<CacheFrame> for ClientFrame {
    fn from(frame: CacheFrame) -> Self {
        ClientFrame::Cache(frame)
    }
}

impl From<WarmupFrame> for ClientFrame {
    fn from(frame: WarmupFrame) -> Self {
        ClientFrame::Warmup(frame)
    }
}

impl From<RoomFrame> for ClientFrame {
    fn from(frame: RoomFrame) -> Self {
        ClientFrame::Room(frame)
    }
}

impl From<TasksFrame> for ClientFrame {
    fn from(frame: TasksFrame) -> Self {
        ClientFrame::Tasks(frame)
    }
}
