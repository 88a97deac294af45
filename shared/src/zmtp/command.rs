//! Commands: one frame with the COMMAND flag, whose body is a short name
//! and its data (RFC 23: READY, ERROR; RFC 37 adds SUBSCRIBE, CANCEL, PING,
//! PONG).
//!
//! ```text
//! command-body = OCTET(name length) name data
//! ready        = "READY" *(OCTET name 4OCTET(value length) value)
//! error        = "ERROR" OCTET reason
//! subscribe    = "SUBSCRIBE" subscription      (3.1)
//! cancel       = "CANCEL" subscription         (3.1)
//! ping         = "PING" 2OCTET(ttl, tenths of a second) 0*16context
//! pong         = "PONG" 0*16context
//! ```

use super::error::ZmtpError;

/// A decoded command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// The NULL handshake's metadata: `Socket-Type`, maybe `Identity`.
    Ready {
        properties: Vec<(String, Vec<u8>)>,
    },
    Error {
        reason: String,
    },
    Subscribe {
        topic: Vec<u8>,
    },
    Cancel {
        topic: Vec<u8>,
    },
    Ping {
        ttl: u16,
        context: Vec<u8>,
    },
    Pong {
        context: Vec<u8>,
    },
    /// A command this codec does not know; ignored after the handshake.
    Other {
        name: String,
    },
}

/// The longest PING context a peer may send, which a PONG echoes.
pub const MAX_PING_CONTEXT: usize = 16;

impl Command {
    /// Fanout's READY: its socket type, no identity.
    pub fn ready(socket_type: &str) -> Command {
        Command::Ready {
            properties: vec![("Socket-Type".into(), socket_type.as_bytes().to_vec())],
        }
    }

    /// The value of a READY property, its name compared without case
    /// (RFC 23: "Metadata names SHALL be case-insensitive").
    pub fn property(&self, name: &str) -> Option<&[u8]> {
        let Command::Ready { properties } = self else {
            return None;
        };
        properties
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// The command frame's body.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let name = |n: &str, out: &mut Vec<u8>| {
            out.push(n.len() as u8);
            out.extend_from_slice(n.as_bytes());
        };
        match self {
            Command::Ready { properties } => {
                name("READY", &mut out);
                for (key, value) in properties {
                    out.push(key.len().min(255) as u8);
                    out.extend_from_slice(&key.as_bytes()[..key.len().min(255)]);
                    out.extend_from_slice(&(value.len() as u32).to_be_bytes());
                    out.extend_from_slice(value);
                }
            }
            Command::Error { reason } => {
                name("ERROR", &mut out);
                let reason = &reason.as_bytes()[..reason.len().min(255)];
                out.push(reason.len() as u8);
                out.extend_from_slice(reason);
            }
            Command::Subscribe { topic } => {
                name("SUBSCRIBE", &mut out);
                out.extend_from_slice(topic);
            }
            Command::Cancel { topic } => {
                name("CANCEL", &mut out);
                out.extend_from_slice(topic);
            }
            Command::Ping { ttl, context } => {
                name("PING", &mut out);
                out.extend_from_slice(&ttl.to_be_bytes());
                out.extend_from_slice(&context[..context.len().min(MAX_PING_CONTEXT)]);
            }
            Command::Pong { context } => {
                name("PONG", &mut out);
                out.extend_from_slice(&context[..context.len().min(MAX_PING_CONTEXT)]);
            }
            Command::Other { name: n } => name(n, &mut out),
        }
        out
    }

    /// Reads a command frame's body.
    pub fn decode(body: &[u8]) -> Result<Command, ZmtpError> {
        let malformed = |what: &str| ZmtpError::MalformedCommand { what: what.into() };
        let (&len, rest) = body
            .split_first()
            .ok_or_else(|| malformed("an empty command"))?;
        let len = usize::from(len);
        if len == 0 || rest.len() < len {
            return Err(malformed("a command name"));
        }
        let (name, data) = rest.split_at(len);
        if !name.iter().all(u8::is_ascii_alphabetic) {
            return Err(malformed("a command name"));
        }
        let name = String::from_utf8_lossy(name).into_owned();
        Ok(match name.as_str() {
            "READY" => Command::Ready {
                properties: properties(data)?,
            },
            "ERROR" => {
                let (&len, reason) = data
                    .split_first()
                    .ok_or_else(|| malformed("an ERROR reason"))?;
                let reason = reason
                    .get(..usize::from(len))
                    .ok_or_else(|| malformed("an ERROR reason"))?;
                Command::Error {
                    reason: String::from_utf8_lossy(reason).into_owned(),
                }
            }
            "SUBSCRIBE" => Command::Subscribe {
                topic: data.to_vec(),
            },
            "CANCEL" => Command::Cancel {
                topic: data.to_vec(),
            },
            "PING" => {
                let ttl = data.get(..2).ok_or_else(|| malformed("a PING's TTL"))?;
                let context = &data[2..];
                if context.len() > MAX_PING_CONTEXT {
                    return Err(malformed("a PING context of at most 16 octets"));
                }
                Command::Ping {
                    ttl: u16::from_be_bytes([ttl[0], ttl[1]]),
                    context: context.to_vec(),
                }
            }
            "PONG" => Command::Pong {
                context: data.to_vec(),
            },
            _ => Command::Other { name },
        })
    }
}

/// READY's properties: name (1–255 octets of name characters) and value
/// (four-octet size in network order, then the octets).
fn properties(mut data: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ZmtpError> {
    let malformed = || ZmtpError::MalformedCommand {
        what: "READY properties".into(),
    };
    let mut out = Vec::new();
    while let Some((&len, rest)) = data.split_first() {
        let len = usize::from(len);
        if len == 0 || rest.len() < len + 4 {
            return Err(malformed());
        }
        let (name, rest) = rest.split_at(len);
        let valid = name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(b));
        if !valid {
            return Err(malformed());
        }
        let size = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let value = rest.get(4..4 + size).ok_or_else(malformed)?;
        out.push((String::from_utf8_lossy(name).into_owned(), value.to_vec()));
        data = &rest[4 + size..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 23's worked example, octet for octet: a DEALER's READY with an
    /// empty Identity (size 41), then a ROUTER's with only its type (28).
    #[test]
    fn the_rfc_23_ready_commands_read_and_write_octet_for_octet() {
        let mut dealer = vec![0x05];
        dealer.extend_from_slice(b"READY");
        dealer.push(11);
        dealer.extend_from_slice(b"Socket-Type");
        dealer.extend_from_slice(&[0, 0, 0, 6]);
        dealer.extend_from_slice(b"DEALER");
        dealer.push(8);
        dealer.extend_from_slice(b"Identity");
        dealer.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(dealer.len(), 41, "the RFC's command size");
        let ready = Command::decode(&dealer).unwrap();
        assert_eq!(ready.property("socket-type"), Some(&b"DEALER"[..]));
        assert_eq!(ready.property("IDENTITY"), Some(&b""[..]));
        assert_eq!(ready.encode(), dealer);

        let router = Command::ready("ROUTER").encode();
        assert_eq!(router.len(), 28, "the RFC's command size");
        assert_eq!(&router[..6], b"\x05READY");
        assert_eq!(&router[18..22], &[0, 0, 0, 6]);
        assert_eq!(&router[22..], b"ROUTER");
    }

    /// RFC 37's new commands.
    #[test]
    fn the_rfc_37_commands_round_trip() {
        for command in [
            Command::Subscribe {
                topic: b"weather.".to_vec(),
            },
            Command::Cancel { topic: Vec::new() },
            Command::Ping {
                ttl: 30,
                context: b"ctx".to_vec(),
            },
            Command::Pong {
                context: b"ctx".to_vec(),
            },
            Command::Error {
                reason: "no".into(),
            },
        ] {
            assert_eq!(Command::decode(&command.encode()).unwrap(), command);
        }
        assert_eq!(
            Command::Subscribe {
                topic: b"01".to_vec()
            }
            .encode(),
            b"\x09SUBSCRIBE01"
        );
        assert_eq!(
            Command::Ping {
                ttl: 0x0102,
                context: Vec::new()
            }
            .encode(),
            b"\x04PING\x01\x02"
        );
    }

    #[test]
    fn malformed_commands_are_named() {
        for body in [
            &b""[..],
            b"\x00",
            b"\x09READY",
            b"\x05RE@DY",
            b"\x05READY\x00",
            b"\x05READY\x0bSocket-Type\x00\x00\x00\x09PUB",
            b"\x05READY\x03b d\x00\x00\x00\x00",
            b"\x04PING\x01",
            b"\x05ERROR",
            b"\x05ERROR\x05no",
        ] {
            assert!(
                matches!(
                    Command::decode(body),
                    Err(ZmtpError::MalformedCommand { .. })
                ),
                "{body:?}"
            );
        }
        assert_eq!(
            Command::decode(b"\x04JOIN").unwrap(),
            Command::Other {
                name: "JOIN".into()
            }
        );
    }
}
