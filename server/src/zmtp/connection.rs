//! One TCP connection between a real ZeroMQ program and a room (the
//! program connected to an endpoint the room listens on, or the room
//! connected to a program binding an external node's address): bytes go
//! through a [`ZmtpPeer`], and the peer becomes a participant node of the
//! room.
//!
//! ```text
//! greeting + READY (its socket type)   → checked by the codec, then the
//!                                        connection joins the room as a
//!                                        member and adds one node with one
//!                                        socket of that type, connected to
//!                                        the endpoint (a PULL to tally's …);
//!                                        or, dialed, takes the external node
//!                                        over
//! its messages                         → `send` on that socket
//! its subscriptions (3.0 or 3.1 form)  → `subscribe` / `unsubscribe` edits
//! what the engine delivers to it       → `received` (automatic receiving)
//!                                        → frames on the wire
//! ```
//!
//! Back-pressure is the engine's: a message the room's socket cannot take
//! now (`eagain`: its pipes are at their high-water mark, no peer yet) is
//! retried, and meanwhile nothing more is read from the connection, so a
//! real PUSH meets its own high-water mark as it would in front of a slow
//! libzmq peer. What the room pushes is taken only as fast as the
//! connection writes it, so messages for a slow program stay queued in the
//! engine. The member's limits (rate, message size, queued bytes) are the
//! WebSocket participants' own: the connection drives the same
//! [`RoomSession`]. A peer that breaks the protocol (a bad greeting, a
//! mechanism other than NULL, a socket type that does not pair, a frame
//! over `--room-message-bytes`, a multipart message) has its connection
//! closed, with a log line and a `room_notice` to the room's watchers;
//! nothing else in the room is touched.

use std::{collections::VecDeque, net::SocketAddr, sync::Arc, time::Duration};

use fanout_shared::{
    lang::Say,
    protocol::{
        NodeAdd, NodeTake, Refusal, RoomAct, RoomFrame, RoomJoin, SendRequest, ServerFrame,
        ZmtpRole,
    },
    room::{RoomNotice, RoomRefusal},
    sim::{
        Action,
        scenario::{ConnectSpec, SocketSpec},
    },
    socket::{Endpoint, SocketKind},
    zmtp::{PeerEvent, ZmtpError, ZmtpPeer},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{
    rooms::{Rooms, registry::RoomHandle, room::Command},
    rooms_ws::RoomSession,
};

/// A peer that has not finished its handshake by then is let go.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// While the room's socket cannot take a message (or the rate limit
/// refused it), try again this soon.
const RETRY: Duration = Duration::from_millis(2);

/// Messages handed to the room in one `send`.
const BATCH: usize = 64;

/// The name of the one socket of a program's node.
const SOCKET: &str = "zmq";

/// What every connection to (or from) one endpoint shares.
#[derive(Debug)]
pub struct Link {
    pub endpoint: String,
    /// Whether the scenario binds the endpoint (programs connect to the
    /// server) or connects to it (the server connects to a program).
    pub role: ZmtpRole,
    /// The type the program's socket must pair with: the scenario's socket
    /// bound there (`Listen`), or the type that connects to the external
    /// node's socket (`Dial`).
    pub ours: SocketKind,
    /// The scenario's node and socket at the endpoint: for `Dial`, the
    /// external node a connection takes over.
    pub node: String,
    pub socket: String,
    pub handle: RoomHandle,
    pub rooms: Arc<Rooms>,
}

/// Why a connection ended.
#[derive(Debug)]
enum End {
    /// The program hung up, or the room closed.
    Done,
    /// The peer broke the protocol.
    Refused(ZmtpError),
    /// The room would not admit it, or refused what it did.
    NotAdmitted(Box<Refusal>),
    Io(std::io::Error),
}

impl From<std::io::Error> for End {
    fn from(error: std::io::Error) -> End {
        End::Io(error)
    }
}

/// Serves one connection until it or the room ends; `true` if the peer
/// was refused (a bad peer).
pub async fn serve(mut stream: TcpStream, from: SocketAddr, link: Arc<Link>) -> bool {
    let end = drive(&mut stream, from, &link).await;
    let refused = matches!(end, End::Refused(_) | End::NotAdmitted(_));
    let notice = match end {
        End::Done => {
            tracing::debug!(room = %link.handle.code, endpoint = link.endpoint, %from, "ZeroMQ connection ended");
            None
        }
        End::Io(error) => {
            tracing::debug!(room = %link.handle.code, endpoint = link.endpoint, %from, %error, "ZeroMQ connection lost");
            None
        }
        End::Refused(error) => {
            tracing::warn!(room = %link.handle.code, endpoint = link.endpoint, %from, reason = %error.english(), "closed a ZeroMQ connection");
            Some(RoomNotice::ZmtpRefused {
                endpoint: link.endpoint.clone(),
                from: from.to_string(),
                error,
            })
        }
        End::NotAdmitted(refusal) => {
            tracing::warn!(room = %link.handle.code, endpoint = link.endpoint, %from, reason = %refusal.english(), "a ZeroMQ program could not join");
            Some(RoomNotice::ZmtpNotAdmitted {
                endpoint: link.endpoint.clone(),
                from: from.to_string(),
                refusal,
            })
        }
    };
    if let Some(notice) = notice {
        // Best effort: a room too busy to take it now loses only the notice.
        let _ = link.handle.commands.try_send(Command::Notice { notice });
    }
    let _ = stream.shutdown().await;
    refused
}

async fn drive(stream: &mut TcpStream, from: SocketAddr, link: &Link) -> End {
    let max = u64::from(link.rooms.limits().message_bytes);
    let mut peer = ZmtpPeer::new(link.ours, max);
    let (mut rd, mut wr) = stream.split();
    let mut buf = vec![0u8; 64 * 1024];

    // The handshake: our greeting and READY go at once (NULL is
    // symmetric); theirs must come within HANDSHAKE.
    let handshake = async {
        wr.write_all(&peer.take_output()).await?;
        loop {
            let n = rd.read(&mut buf).await?;
            if n == 0 {
                return Err(End::Done);
            }
            let fed = peer.feed(&buf[..n]);
            // An ERROR command for a type that does not pair goes first.
            let out = peer.take_output();
            if !out.is_empty() {
                wr.write_all(&out).await?;
            }
            fed.map_err(End::Refused)?;
            if let Some(PeerEvent::Ready { peer: theirs, .. }) = peer.poll_event() {
                return Ok(theirs);
            }
        }
    };
    let theirs = match tokio::time::timeout(HANDSHAKE, handshake).await {
        Ok(Ok(theirs)) => theirs,
        Ok(Err(end)) => return end,
        Err(_) => {
            tracing::debug!(room = %link.handle.code, endpoint = link.endpoint, %from, "no ZMTP handshake within 10 s");
            return End::Done;
        }
    };
    let Some(kind) = theirs.engine_kind() else {
        return End::Refused(ZmtpError::NotInRooms {
            theirs: theirs.name().into(),
        });
    };

    // Join the room as one more member, with one node.
    let mut session = RoomSession::new(Arc::clone(&link.rooms));
    let joined = session
        .handle(RoomFrame::Join(RoomJoin {
            room: link.handle.code.clone(),
            name: Some(format!("ZeroMQ {from}")),
            watch: false,
            token: None,
            id: None,
        }))
        .await;
    if let Some(why) = refusal(&joined) {
        return End::NotAdmitted(why);
    }
    let Some((node, socket)) = place(&mut session, link, kind, from).await else {
        return End::Done;
    };
    let (node, socket) = match (node, socket) {
        (Ok(node), socket) => (node, socket),
        (Err(why), _) => return End::NotAdmitted(why),
    };
    tracing::info!(room = %link.handle.code, endpoint = link.endpoint, %from, node, "a ZeroMQ program joined");
    if kind == SocketKind::Pub {
        // The room's subscribers filter in the engine: the program's PUB
        // sends everything to the room.
        peer.subscribe("", true);
        let out = peer.take_output();
        if !out.is_empty()
            && let Err(error) = wr.write_all(&out).await
        {
            return End::Io(error);
        }
    }

    let mut outgoing: VecDeque<String> = VecDeque::new();
    loop {
        while let Some(event) = peer.poll_event() {
            match event {
                PeerEvent::Message(payload) => outgoing.push_back(payload),
                PeerEvent::Subscription { topic, on } => {
                    if let Err(end) = send_all(&mut session, &node, &socket, &mut outgoing).await {
                        return end;
                    }
                    let action = Action::subscription(node.clone(), socket.clone(), topic, on);
                    let acted = session
                        .handle(RoomFrame::Act(RoomAct { action, id: None }))
                        .await;
                    if let Some(why) = refusal(&acted) {
                        return End::NotAdmitted(why);
                    }
                }
                PeerEvent::Ready { .. } => {}
            }
        }
        // Nothing more is read until the room took what came.
        if let Err(end) = send_all(&mut session, &node, &socket, &mut outgoing).await {
            return end;
        }
        tokio::select! {
            read = rd.read(&mut buf) => {
                let n = match read {
                    Ok(0) => return End::Done,
                    Ok(n) => n,
                    Err(error) => return End::Io(error),
                };
                let fed = peer.feed(&buf[..n]);
                let out = peer.take_output();
                if !out.is_empty() && let Err(error) = wr.write_all(&out).await {
                    return End::Io(error);
                }
                if let Err(error) = fed {
                    return End::Refused(error);
                }
            }
            pushed = session.next_push() => match pushed {
                ServerFrame::Received { messages, .. } => {
                    for message in &messages {
                        peer.send(&message.payload);
                    }
                    if let Err(error) = wr.write_all(&peer.take_output()).await {
                        return End::Io(error);
                    }
                }
                ServerFrame::RoomClosed { .. } | ServerFrame::RoomLeft { .. } => return End::Done,
                _ => {}
            },
        }
    }
}

/// Hands the program's messages to its room socket, in order, waiting
/// while the socket cannot take them (the engine's `eagain`) or the rate
/// limit or the room's queue limit refuses them.
async fn send_all(
    session: &mut RoomSession,
    node: &str,
    socket: &str,
    outgoing: &mut VecDeque<String>,
) -> Result<(), End> {
    let batch = BATCH.min(session.rate().max(1) as usize);
    while !outgoing.is_empty() {
        let payloads: Vec<String> = outgoing.iter().take(batch).cloned().collect();
        let answer = session
            .handle(RoomFrame::Send(SendRequest {
                node: node.to_owned(),
                socket: socket.to_owned(),
                payload: None,
                payloads: Some(payloads),
                id: None,
            }))
            .await;
        match answer {
            ServerFrame::Sent { msgs, eagain, .. } => {
                outgoing.drain(..msgs.len().min(outgoing.len()));
                if eagain.is_some() {
                    tokio::time::sleep(RETRY).await;
                }
            }
            ServerFrame::Error {
                refusal:
                    Some(Refusal::Room(RoomRefusal::RateLimit { .. } | RoomRefusal::QueuesFull { .. })),
                ..
            } => tokio::time::sleep(RETRY).await,
            ServerFrame::RoomClosed { .. } | ServerFrame::RoomLeft { .. } => return Err(End::Done),
            other => {
                return Err(match refusal(&other) {
                    Some(why) => End::NotAdmitted(why),
                    None => End::Done,
                });
            }
        }
    }
    Ok(())
}

/// Gives the program its node in the room: for `Listen`, a node of its
/// own with one socket of its type connected to the endpoint; for `Dial`,
/// the scenario's external node at the endpoint, taken over (or, once that
/// is gone, a node of its own binding the endpoint). Returns the node (or
/// the room's refusal) and the socket's name.
async fn place(
    session: &mut RoomSession,
    link: &Link,
    kind: SocketKind,
    from: SocketAddr,
) -> Option<(Result<String, Box<Refusal>>, String)> {
    let endpoint = Endpoint::parse(&link.endpoint).ok()?;
    if link.role == ZmtpRole::Dial {
        let taken = session
            .handle(RoomFrame::NodeTake(NodeTake {
                node: link.node.clone(),
                auto_recv: kind.can_recv(),
                auto_limit: None,
                id: None,
            }))
            .await;
        if refusal(&taken).is_none() {
            return Some((Ok(link.node.clone()), link.socket.clone()));
        }
    }
    // The program's socket, on its side of the endpoint: connecting where
    // the scenario binds, binding where the scenario's node is gone.
    let (bind, connect) = match link.role {
        ZmtpRole::Listen => (Vec::new(), vec![ConnectSpec::to(endpoint)]),
        ZmtpRole::Dial => (vec![endpoint], Vec::new()),
    };
    let node = format!("{} {from}", kind.name());
    let added = session
        .handle(RoomFrame::NodeAdd(NodeAdd {
            name: Some(node.clone()),
            program: None,
            sockets: vec![SocketSpec {
                name: SOCKET.into(),
                kind,
                bind,
                connect,
                subscribe: Vec::new(),
                sndhwm: None,
                rcvhwm: None,
            }],
            auto_recv: kind.can_recv(),
            auto_limit: None,
            id: None,
        }))
        .await;
    Some((refusal(&added).map_or(Ok(node), Err), SOCKET.into()))
}

/// The refusal, if `frame` is one (every `error` frame carries its fact).
fn refusal(frame: &ServerFrame) -> Option<Box<Refusal>> {
    match frame {
        ServerFrame::Error {
            refusal: Some(refusal),
            ..
        } => Some(Box::new(refusal.clone())),
        _ => None,
    }
}
