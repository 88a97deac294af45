//! What travels through pipes: a message id for captions and tests, and a
//! cheaply shared payload.
//!
//! A PUB hands the same message to many subscribers, so the payload is an
//! `Arc<str>`: fan-out clones a pointer, not the bytes. Every successful
//! send mints a new [`MsgId`] (`m0`, `m1`, …); a PUB's copies share their
//! id, so "m3 reached worker-1" names one send across the whole trace.

use std::{fmt, ops::Deref, sync::Arc};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The number of a sent message, shown as `m3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MsgId(pub u64);

impl fmt::Display for MsgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m{}", self.0)
    }
}

/// A message body. ZeroMQ frames are bytes; every payload this playground
/// teaches with is text, and subscriptions match byte prefixes of it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Payload(Arc<str>);

impl Payload {
    pub fn new(text: impl Into<Arc<str>>) -> Payload {
        Payload(text.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl Deref for Payload {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Payload {
    fn from(s: &str) -> Payload {
        Payload(Arc::from(s))
    }
}

impl From<String> for Payload {
    fn from(s: String) -> Payload {
        Payload(Arc::from(s))
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Payload::from)
    }
}

/// One message in a pipe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub id: MsgId,
    pub payload: Payload,
}
