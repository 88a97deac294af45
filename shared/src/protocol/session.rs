//! Frames that open and keep a session: `hello` first, then `ping` when a
//! client wants to know the server is still there.

use serde::{Deserialize, Serialize};

area_frames! {
    /// The session's own frames.
    SessionFrame {
        "hello" => Hello(Hello),
        "ping" => Ping(Ping),
    }
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
