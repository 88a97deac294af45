//! Frames: a flags octet, a size (one octet, or eight in network order),
//! and a body (RFC 23, "Framing").
//!
//! Flags: bit 0 MORE (more frames of this message follow), bit 1 LONG
//! (eight-octet size), bit 2 COMMAND; bits 3–7 are reserved and must be
//! zero, and a command never has MORE. Decoding a buffer that holds only
//! part of a frame answers [`Decoded::Incomplete`] (as mini-redis does):
//! the driver reads more and tries again; nothing is consumed.

use super::error::ZmtpError;

const MORE: u8 = 0x01;
const LONG: u8 = 0x02;
const COMMAND: u8 = 0x04;
const RESERVED: u8 = !(MORE | LONG | COMMAND);

/// One frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// A command frame (handshake, subscriptions, heartbeats) rather than a
    /// message frame.
    pub command: bool,
    /// More frames of the same message follow.
    pub more: bool,
    pub body: Vec<u8>,
}

/// What a buffer held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A whole frame, and how many octets it took.
    Frame(Frame, usize),
    /// Not enough octets yet.
    Incomplete,
}

impl Frame {
    pub fn message(body: impl Into<Vec<u8>>, more: bool) -> Frame {
        Frame {
            command: false,
            more,
            body: body.into(),
        }
    }

    pub fn command(body: impl Into<Vec<u8>>) -> Frame {
        Frame {
            command: true,
            more: false,
            body: body.into(),
        }
    }

    /// Appends the frame's wire form: a short size when the body fits in
    /// 255 octets, as the RFC recommends, a long one otherwise.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let mut flags = 0;
        if self.more {
            flags |= MORE;
        }
        if self.command {
            flags |= COMMAND;
        }
        match u8::try_from(self.body.len()) {
            Ok(short) => {
                out.push(flags);
                out.push(short);
            }
            Err(_) => {
                out.push(flags | LONG);
                out.extend_from_slice(&(self.body.len() as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(&self.body);
    }

    /// Reads one frame from the front of `buf`, refusing bodies larger than
    /// `max_body` before reading them (so a peer announcing a huge frame
    /// costs nothing).
    pub fn decode(buf: &[u8], max_body: u64) -> Result<Decoded, ZmtpError> {
        let Some(&flags) = buf.first() else {
            return Ok(Decoded::Incomplete);
        };
        if flags & RESERVED != 0 {
            return Err(ZmtpError::ReservedFlags { flags });
        }
        if flags & COMMAND != 0 && flags & MORE != 0 {
            return Err(ZmtpError::CommandWithMore);
        }
        let (size, header) = if flags & LONG != 0 {
            let Some(octets) = buf.get(1..9) else {
                return Ok(Decoded::Incomplete);
            };
            let mut be = [0u8; 8];
            be.copy_from_slice(octets);
            (u64::from_be_bytes(be), 9)
        } else {
            let Some(&size) = buf.get(1) else {
                return Ok(Decoded::Incomplete);
            };
            (u64::from(size), 2)
        };
        if size > max_body {
            return Err(ZmtpError::FrameTooLarge {
                size,
                max: max_body,
            });
        }
        let end = header + size as usize;
        let Some(body) = buf.get(header..end) else {
            return Ok(Decoded::Incomplete);
        };
        Ok(Decoded::Frame(
            Frame {
                command: flags & COMMAND != 0,
                more: flags & MORE != 0,
                body: body.to_vec(),
            },
            end,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(frame: &Frame) -> Vec<u8> {
        let mut out = Vec::new();
        frame.encode_into(&mut out);
        out
    }

    /// The flag octets of RFC 23's grammar: message-more %x01 / %x03,
    /// message-last %x00 / %x02, command %x04 / %x06.
    #[test]
    fn flags_and_sizes_are_the_rfcs() {
        assert_eq!(encode(&Frame::message("hi", false)), b"\x00\x02hi");
        assert_eq!(encode(&Frame::message("", true)), b"\x01\x00");
        assert_eq!(
            encode(&Frame::command(b"\x04PING\x00\x0a".to_vec()))[0],
            0x04
        );
        let long = Frame::message(vec![b'x'; 300], true);
        let bytes = encode(&long);
        assert_eq!(bytes[0], 0x03);
        assert_eq!(&bytes[1..9], &300u64.to_be_bytes());
        assert_eq!(bytes.len(), 9 + 300);
        let long_command = encode(&Frame::command(vec![b'y'; 256]));
        assert_eq!(long_command[0], 0x06);
        assert_eq!(
            Frame::decode(&bytes, 1 << 20).unwrap(),
            Decoded::Frame(long, 309)
        );
    }

    #[test]
    fn a_partial_frame_is_incomplete_at_every_cut() {
        let bytes = encode(&Frame::message(vec![7u8; 400], false));
        for cut in 0..bytes.len() {
            assert_eq!(
                Frame::decode(&bytes[..cut], 1 << 20).unwrap(),
                Decoded::Incomplete,
                "cut at {cut}"
            );
        }
        assert!(matches!(
            Frame::decode(&bytes, 1 << 20).unwrap(),
            Decoded::Frame(_, 409)
        ));
    }

    #[test]
    fn bad_frames_are_refused_before_their_body_is_read() {
        assert_eq!(
            Frame::decode(b"\x08\x00", 10),
            Err(ZmtpError::ReservedFlags { flags: 0x08 })
        );
        assert_eq!(
            Frame::decode(b"\x05\x00", 10),
            Err(ZmtpError::CommandWithMore)
        );
        let mut huge = vec![0x02];
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(
            Frame::decode(&huge, 1000),
            Err(ZmtpError::FrameTooLarge {
                size: u64::MAX,
                max: 1000
            })
        );
        assert_eq!(
            Frame::decode(b"\x00\xff", 100),
            Err(ZmtpError::FrameTooLarge {
                size: 255,
                max: 100
            })
        );
    }
}
