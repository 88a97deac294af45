//! One ZMTP connection between a room's socket and a real ZeroMQ peer, as
//! a pure state machine: the greeting, the NULL handshake, the pairing of
//! socket types, the REQ/REP envelope and subscriptions in both ZMTP
//! forms. What the messages then do is the engine's business.
//!
//! ```text
//! us: greeting, READY(Socket-Type)        (sent at once: NULL is symmetric)
//! peer: greeting                          → version known (3.0 or 3.1)
//! peer: READY                             → PeerEvent::Ready, pairing checked
//! peer: messages, subscriptions, PING     → PeerEvent::Message / Subscribe /
//!                                           Unsubscribe; PING answered
//! ```

use std::collections::VecDeque;

use super::{
    command::Command,
    error::ZmtpError,
    frame::{Decoded, Frame},
    greeting::{GREETING_LEN, Greeting},
};
use crate::socket::SocketKind;

/// Frames one message may have, the REQ/REP envelope included.
const MAX_FRAMES: usize = 16;

/// The largest command accepted, whatever the message limit: a READY
/// with a few properties fits many times over.
const MAX_COMMAND: u64 = 4096;

/// A ZeroMQ socket type, as a peer announces it in READY.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerType {
    Req,
    Rep,
    Dealer,
    Router,
    Pub,
    Xpub,
    Sub,
    Xsub,
    Push,
    Pull,
    Pair,
}

impl PeerType {
    pub fn parse(name: &[u8]) -> Option<PeerType> {
        Some(match name {
            b"REQ" => PeerType::Req,
            b"REP" => PeerType::Rep,
            b"DEALER" => PeerType::Dealer,
            b"ROUTER" => PeerType::Router,
            b"PUB" => PeerType::Pub,
            b"XPUB" => PeerType::Xpub,
            b"SUB" => PeerType::Sub,
            b"XSUB" => PeerType::Xsub,
            b"PUSH" => PeerType::Push,
            b"PULL" => PeerType::Pull,
            b"PAIR" => PeerType::Pair,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            PeerType::Req => "REQ",
            PeerType::Rep => "REP",
            PeerType::Dealer => "DEALER",
            PeerType::Router => "ROUTER",
            PeerType::Pub => "PUB",
            PeerType::Xpub => "XPUB",
            PeerType::Sub => "SUB",
            PeerType::Xsub => "XSUB",
            PeerType::Push => "PUSH",
            PeerType::Pull => "PULL",
            PeerType::Pair => "PAIR",
        }
    }

    /// The engine socket that stands for a peer of this type in a room:
    /// an XPUB publishes and an XSUB subscribes as their plain forms do;
    /// DEALER, ROUTER and PAIR have no engine socket (`None`).
    pub fn engine_kind(self) -> Option<SocketKind> {
        Some(match self {
            PeerType::Pub | PeerType::Xpub => SocketKind::Pub,
            PeerType::Sub | PeerType::Xsub => SocketKind::Sub,
            PeerType::Push => SocketKind::Push,
            PeerType::Pull => SocketKind::Pull,
            PeerType::Req => SocketKind::Req,
            PeerType::Rep => SocketKind::Rep,
            PeerType::Dealer | PeerType::Router | PeerType::Pair => return None,
        })
    }

    /// RFC 23's table of legal combinations, for the socket types a room
    /// has.
    pub fn pairs_with(self, ours: SocketKind) -> bool {
        matches!(
            (ours, self),
            (SocketKind::Req, PeerType::Rep | PeerType::Router)
                | (SocketKind::Rep, PeerType::Req | PeerType::Dealer)
                | (SocketKind::Pub, PeerType::Sub | PeerType::Xsub)
                | (SocketKind::Sub, PeerType::Pub | PeerType::Xpub)
                | (SocketKind::Push, PeerType::Pull)
                | (SocketKind::Pull, PeerType::Push)
        )
    }
}

/// What the peer did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerEvent {
    /// The handshake is done: the peer's type, and its identity if given.
    Ready { peer: PeerType, identity: Vec<u8> },
    /// A whole message for the room's socket, envelope removed.
    Message(String),
    /// A subscriber subscribed (`on`) or cancelled a subscription to a
    /// prefix; counted, not deduplicated (RFC 23).
    Subscription { topic: String, on: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Greeting,
    Ready,
    Traffic,
    Closed,
}

/// One connection's protocol state.
#[derive(Debug)]
pub struct ZmtpPeer {
    ours: SocketKind,
    stage: Stage,
    max_frame: u64,
    input: Vec<u8>,
    output: Vec<u8>,
    events: VecDeque<PeerEvent>,
    greeting: Option<Greeting>,
    peer: Option<PeerType>,
    /// Frames of a message whose last frame has not arrived yet.
    partial: Vec<Vec<u8>>,
    /// A REP's requests' envelopes, in order, to put back on the replies.
    envelopes: VecDeque<Vec<Vec<u8>>>,
    /// Subscriptions asked for before the peer's version was known.
    pending_subscriptions: Vec<(String, bool)>,
}

impl ZmtpPeer {
    /// A connection for a room socket of type `ours`, refusing frames over
    /// `max_frame` octets. Our greeting and READY are queued at once.
    pub fn new(ours: SocketKind, max_frame: u64) -> ZmtpPeer {
        let mut output = Greeting::ours().encode().to_vec();
        Frame::command(Command::ready(ours.name()).encode()).encode_into(&mut output);
        ZmtpPeer {
            ours,
            stage: Stage::Greeting,
            max_frame,
            input: Vec::new(),
            output,
            events: VecDeque::new(),
            greeting: None,
            peer: None,
            partial: Vec::new(),
            envelopes: VecDeque::new(),
            pending_subscriptions: Vec::new(),
        }
    }

    /// The peer's socket type, once its READY arrived.
    pub fn peer(&self) -> Option<PeerType> {
        self.peer
    }

    /// Whether the handshake is done and messages may flow.
    pub fn is_ready(&self) -> bool {
        self.stage == Stage::Traffic
    }

    /// Octets to write to the peer (taken: the next call returns only what
    /// came after).
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    pub fn poll_event(&mut self) -> Option<PeerEvent> {
        self.events.pop_front()
    }

    /// Takes what the socket read. An error closes the connection: the
    /// driver writes what [`take_output`](Self::take_output) still holds
    /// (an ERROR command, for a socket type that does not pair) and hangs
    /// up.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), ZmtpError> {
        if self.stage == Stage::Closed {
            return Ok(());
        }
        self.input.extend_from_slice(bytes);
        let result = self.process();
        if result.is_err() {
            self.stage = Stage::Closed;
            self.input.clear();
        }
        result
    }

    fn process(&mut self) -> Result<(), ZmtpError> {
        if self.stage == Stage::Greeting {
            // Refuse at the first octet that cannot begin a greeting, so an
            // HTTP request is turned away before it is read.
            if let Some(&first) = self.input.first()
                && first != 0xFF
            {
                return Err(ZmtpError::NotZmtp {
                    first: self.input[..self.input.len().min(10)].to_vec(),
                });
            }
            if self.input.len() < GREETING_LEN {
                return Ok(());
            }
            let mut octets = [0u8; GREETING_LEN];
            octets.copy_from_slice(&self.input[..GREETING_LEN]);
            self.input.drain(..GREETING_LEN);
            self.greeting = Some(Greeting::decode(&octets)?);
            self.stage = Stage::Ready;
            for (topic, on) in std::mem::take(&mut self.pending_subscriptions) {
                self.write_subscription(&topic, on);
            }
        }
        let mut consumed = 0;
        loop {
            let limit = self.max_frame.max(MAX_COMMAND);
            let frame = match Frame::decode(&self.input[consumed..], limit)? {
                Decoded::Incomplete => break,
                Decoded::Frame(frame, len) => {
                    consumed += len;
                    frame
                }
            };
            if frame.command {
                self.command(Command::decode(&frame.body)?)?;
            } else if frame.body.len() as u64 > self.max_frame {
                return Err(ZmtpError::FrameTooLarge {
                    size: frame.body.len() as u64,
                    max: self.max_frame,
                });
            } else {
                self.message_frame(frame)?;
            }
        }
        self.input.drain(..consumed);
        Ok(())
    }

    fn command(&mut self, command: Command) -> Result<(), ZmtpError> {
        if self.stage == Stage::Ready {
            let Command::Ready { .. } = &command else {
                return Err(match command {
                    Command::Error { reason } => ZmtpError::PeerError { reason },
                    _ => ZmtpError::NotReady,
                });
            };
            let name = command.property("Socket-Type").unwrap_or_default();
            let Some(peer) = PeerType::parse(name) else {
                return Err(ZmtpError::UnknownSocketType {
                    name: String::from_utf8_lossy(name).into_owned(),
                });
            };
            if !peer.pairs_with(self.ours) {
                let error = ZmtpError::Mismatch {
                    ours: self.ours,
                    theirs: peer.name().into(),
                };
                // RFC 23: say why in an ERROR command, then disconnect.
                let reason = crate::lang::Say::english(&error);
                Frame::command(Command::Error { reason }.encode()).encode_into(&mut self.output);
                return Err(error);
            }
            self.peer = Some(peer);
            self.stage = Stage::Traffic;
            self.events.push_back(PeerEvent::Ready {
                peer,
                identity: command.property("Identity").unwrap_or_default().to_vec(),
            });
            return Ok(());
        }
        match command {
            Command::Subscribe { topic } if self.ours == SocketKind::Pub => {
                self.subscription(topic, true)
            }
            Command::Cancel { topic } if self.ours == SocketKind::Pub => {
                self.subscription(topic, false)
            }
            Command::Ping { context, .. } => {
                Frame::command(Command::Pong { context }.encode()).encode_into(&mut self.output);
                Ok(())
            }
            Command::Error { reason } => Err(ZmtpError::PeerError { reason }),
            // A second READY, a PONG, a subscription to a socket that does
            // not filter, commands of later versions: nothing to do.
            _ => Ok(()),
        }
    }

    fn subscription(&mut self, topic: Vec<u8>, on: bool) -> Result<(), ZmtpError> {
        let topic = String::from_utf8(topic).map_err(|_| ZmtpError::NotText)?;
        self.events.push_back(PeerEvent::Subscription { topic, on });
        Ok(())
    }

    fn message_frame(&mut self, frame: Frame) -> Result<(), ZmtpError> {
        if self.stage != Stage::Traffic {
            return Err(ZmtpError::NotReady);
        }
        if self.partial.len() >= MAX_FRAMES {
            return Err(ZmtpError::Multipart {
                frames: self.partial.len() + 1,
            });
        }
        self.partial.push(frame.body);
        if frame.more {
            return Ok(());
        }
        let mut frames = std::mem::take(&mut self.partial);
        let peer = self.peer.unwrap_or(PeerType::Pair);
        match self.ours {
            // ZMTP 3.0 subscriptions travel as messages: %x01 or %x00, then
            // the prefix. Anything else from a subscriber is not for a PUB.
            SocketKind::Pub => {
                if let [body] = frames.as_slice()
                    && let Some((&flag @ (0 | 1), topic)) = body.split_first()
                {
                    return self.subscription(topic.to_vec(), flag == 1);
                }
                Ok(())
            }
            SocketKind::Push => Err(ZmtpError::UnexpectedMessage {
                theirs: peer.name().into(),
            }),
            SocketKind::Sub | SocketKind::Pull => self.deliver(frames),
            // A reply: the delimiter, then the body.
            SocketKind::Req => {
                if frames.first().is_none_or(|f| !f.is_empty()) {
                    return Err(ZmtpError::MissingDelimiter);
                }
                frames.remove(0);
                self.deliver(frames)
            }
            // A request: its envelope (routing frames up to and including
            // the empty delimiter) is kept for the reply.
            SocketKind::Rep => {
                let Some(split) = frames.iter().position(Vec::is_empty) else {
                    return Err(ZmtpError::MissingDelimiter);
                };
                let body = frames.split_off(split + 1);
                self.envelopes.push_back(frames);
                self.deliver(body)
            }
        }
    }

    fn deliver(&mut self, frames: Vec<Vec<u8>>) -> Result<(), ZmtpError> {
        let [body] = <[Vec<u8>; 1]>::try_from(frames).map_err(|frames| ZmtpError::Multipart {
            frames: frames.len(),
        })?;
        let text = String::from_utf8(body).map_err(|_| ZmtpError::NotText)?;
        self.events.push_back(PeerEvent::Message(text));
        Ok(())
    }

    /// Queues a message from the room's socket to the peer: a REQ's
    /// request gets the empty delimiter, a REP's reply the envelope of the
    /// request it answers.
    pub fn send(&mut self, payload: &str) {
        let envelope = match self.ours {
            SocketKind::Req => vec![Vec::new()],
            SocketKind::Rep => self
                .envelopes
                .pop_front()
                .unwrap_or_else(|| vec![Vec::new()]),
            _ => Vec::new(),
        };
        for frame in envelope {
            Frame::message(frame, true).encode_into(&mut self.output);
        }
        Frame::message(payload.as_bytes(), false).encode_into(&mut self.output);
    }

    /// A room SUB's subscription change, sent to the publisher in the form
    /// its version reads: a SUBSCRIBE or CANCEL command for ZMTP 3.1, a
    /// message starting %x01 or %x00 for 3.0 (and until its greeting says
    /// which, it waits).
    pub fn subscribe(&mut self, topic: &str, on: bool) {
        match self.stage {
            Stage::Greeting => self.pending_subscriptions.push((topic.into(), on)),
            Stage::Closed => {}
            _ => self.write_subscription(topic, on),
        }
    }

    fn write_subscription(&mut self, topic: &str, on: bool) {
        if self.greeting.as_ref().is_some_and(Greeting::speaks_3_1) {
            let topic = topic.as_bytes().to_vec();
            let command = if on {
                Command::Subscribe { topic }
            } else {
                Command::Cancel { topic }
            };
            Frame::command(command.encode()).encode_into(&mut self.output);
        } else {
            let mut body = vec![u8::from(on)];
            body.extend_from_slice(topic.as_bytes());
            Frame::message(body, false).encode_into(&mut self.output);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted ZeroMQ peer: its greeting (version 3.`minor`) and READY.
    fn hello(socket_type: &str, minor: u8) -> Vec<u8> {
        let mut greeting = Greeting::ours();
        greeting.minor = minor;
        let mut bytes = greeting.encode().to_vec();
        Frame::command(Command::ready(socket_type).encode()).encode_into(&mut bytes);
        bytes
    }

    fn frames(parts: &[(&[u8], bool)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (body, more) in parts {
            Frame::message(body.to_vec(), *more).encode_into(&mut out);
        }
        out
    }

    fn events(peer: &mut ZmtpPeer) -> Vec<PeerEvent> {
        std::iter::from_fn(|| peer.poll_event()).collect()
    }

    /// Reads back what a peer sent: greeting, then frames.
    fn sent_frames(bytes: &[u8]) -> (Greeting, Vec<Frame>) {
        let mut greeting = [0u8; GREETING_LEN];
        greeting.copy_from_slice(&bytes[..GREETING_LEN]);
        let mut rest = &bytes[GREETING_LEN..];
        let mut out = Vec::new();
        while let Decoded::Frame(frame, len) = Frame::decode(rest, u64::MAX).unwrap() {
            out.push(frame);
            rest = &rest[len..];
        }
        (Greeting::decode(&greeting).unwrap(), out)
    }

    #[test]
    fn our_side_opens_with_a_greeting_and_ready_of_its_type() {
        let mut peer = ZmtpPeer::new(SocketKind::Pull, 1024);
        let (greeting, frames) = sent_frames(&peer.take_output());
        assert_eq!(greeting, Greeting::ours());
        assert_eq!(frames.len(), 1);
        let ready = Command::decode(&frames[0].body).unwrap();
        assert_eq!(ready.property("Socket-Type"), Some(&b"PULL"[..]));
        assert!(peer.take_output().is_empty(), "taken once");
    }

    #[test]
    fn a_push_peer_feeds_a_pull_octet_by_octet() {
        let mut peer = ZmtpPeer::new(SocketKind::Pull, 1024);
        let mut bytes = hello("PUSH", 1);
        bytes.extend(frames(&[(b"task 1", false), (b"task 2", false)]));
        for octet in bytes {
            peer.feed(&[octet]).unwrap();
        }
        assert_eq!(
            events(&mut peer),
            [
                PeerEvent::Ready {
                    peer: PeerType::Push,
                    identity: Vec::new()
                },
                PeerEvent::Message("task 1".into()),
                PeerEvent::Message("task 2".into()),
            ]
        );
    }

    #[test]
    fn subscriptions_arrive_as_3_0_messages_and_as_3_1_commands() {
        let mut peer = ZmtpPeer::new(SocketKind::Pub, 1024);
        let mut bytes = hello("SUB", 1);
        bytes.extend(frames(&[(b"\x0100", false), (b"\x0001", false)]));
        Frame::command(
            Command::Subscribe {
                topic: b"10".to_vec(),
            }
            .encode(),
        )
        .encode_into(&mut bytes);
        Frame::command(Command::Cancel { topic: Vec::new() }.encode()).encode_into(&mut bytes);
        peer.feed(&bytes).unwrap();
        let got = events(&mut peer);
        assert_eq!(
            got[1..],
            [
                PeerEvent::Subscription {
                    topic: "00".into(),
                    on: true
                },
                PeerEvent::Subscription {
                    topic: "01".into(),
                    on: false
                },
                PeerEvent::Subscription {
                    topic: "10".into(),
                    on: true
                },
                PeerEvent::Subscription {
                    topic: String::new(),
                    on: false
                },
            ]
        );
    }

    #[test]
    fn a_room_sub_subscribes_in_the_form_the_publishers_version_reads() {
        for (minor, as_command) in [(0, false), (1, true)] {
            let mut peer = ZmtpPeer::new(SocketKind::Sub, 1024);
            peer.subscribe("weather.", true);
            assert_eq!(
                sent_frames(&peer.take_output()).1.len(),
                1,
                "only READY yet"
            );
            peer.feed(&hello("PUB", minor)).unwrap();
            let out = peer.take_output();
            let mut frame = None;
            if let Decoded::Frame(f, _) = Frame::decode(&out, 1024).unwrap() {
                frame = Some(f);
            }
            let frame = frame.unwrap();
            assert_eq!(frame.command, as_command, "3.{minor}");
            if as_command {
                assert_eq!(frame.body, b"\x09SUBSCRIBEweather.");
            } else {
                assert_eq!(frame.body, b"\x01weather.");
            }
        }
    }

    #[test]
    fn req_and_rep_carry_the_envelope() {
        // The room's REQ asks a real REP.
        let mut req = ZmtpPeer::new(SocketKind::Req, 1024);
        req.feed(&hello("REP", 1)).unwrap();
        req.take_output();
        req.send("3 4");
        let out = req.take_output();
        assert_eq!(out, frames(&[(b"", true), (b"3 4", false)]));
        req.feed(&frames(&[(b"", true), (b"25", false)])).unwrap();
        assert_eq!(events(&mut req)[1], PeerEvent::Message("25".into()));

        // A real REQ asks the room's REP; a DEALER's routing frame too.
        let mut rep = ZmtpPeer::new(SocketKind::Rep, 1024);
        rep.feed(&hello("DEALER", 1)).unwrap();
        rep.take_output();
        rep.feed(&frames(&[(b"id7", true), (b"", true), (b"ask", false)]))
            .unwrap();
        assert_eq!(events(&mut rep)[1], PeerEvent::Message("ask".into()));
        rep.send("answer");
        assert_eq!(
            rep.take_output(),
            frames(&[(b"id7", true), (b"", true), (b"answer", false)])
        );
        assert_eq!(
            rep.feed(&frames(&[(b"no delimiter", false)])),
            Err(ZmtpError::MissingDelimiter)
        );
    }

    #[test]
    fn ping_is_answered_with_its_context() {
        let mut peer = ZmtpPeer::new(SocketKind::Pull, 1024);
        peer.feed(&hello("PUSH", 1)).unwrap();
        peer.take_output();
        let mut ping = Vec::new();
        Frame::command(
            Command::Ping {
                ttl: 50,
                context: b"abc".to_vec(),
            }
            .encode(),
        )
        .encode_into(&mut ping);
        peer.feed(&ping).unwrap();
        let mut pong = Vec::new();
        Frame::command(
            Command::Pong {
                context: b"abc".to_vec(),
            }
            .encode(),
        )
        .encode_into(&mut pong);
        assert_eq!(peer.take_output(), pong);
    }

    #[test]
    fn bad_peers_are_refused_with_a_reason() {
        let http = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        let mut peer = ZmtpPeer::new(SocketKind::Pull, 1024);
        assert!(matches!(
            peer.feed(&http[..1]),
            Err(ZmtpError::NotZmtp { .. })
        ));

        let mut peer = ZmtpPeer::new(SocketKind::Pull, 1024);
        peer.take_output();
        assert_eq!(
            peer.feed(&hello("PULL", 1)),
            Err(ZmtpError::Mismatch {
                ours: SocketKind::Pull,
                theirs: "PULL".into()
            })
        );
        let error = peer.take_output();
        assert!(
            Command::decode(&error[2..]).is_ok_and(|c| matches!(c, Command::Error { .. })),
            "an ERROR command goes out before the hang-up"
        );
        assert!(peer.feed(b"anything").is_ok(), "closed: ignores the rest");

        let mut peer = ZmtpPeer::new(SocketKind::Pull, 8);
        peer.feed(&hello("PUSH", 0)).unwrap();
        assert_eq!(
            peer.feed(&frames(&[(b"123456789", false)])),
            Err(ZmtpError::FrameTooLarge { size: 9, max: 8 })
        );

        let mut peer = ZmtpPeer::new(SocketKind::Pull, 1024);
        peer.feed(&hello("PUSH", 1)).unwrap();
        assert_eq!(
            peer.feed(&frames(&[(b"a", true), (b"b", false)])),
            Err(ZmtpError::Multipart { frames: 2 })
        );

        let mut peer = ZmtpPeer::new(SocketKind::Pull, 1024);
        let mut greeting_only = Greeting::ours().encode().to_vec();
        greeting_only.extend(frames(&[(b"too early", false)]));
        assert_eq!(peer.feed(&greeting_only), Err(ZmtpError::NotReady));

        let mut peer = ZmtpPeer::new(SocketKind::Pull, 1024);
        peer.feed(&hello("PUSH", 1)).unwrap();
        assert_eq!(
            peer.feed(&frames(&[(&[0xff, 0xfe], false)])),
            Err(ZmtpError::NotText)
        );
    }
}
