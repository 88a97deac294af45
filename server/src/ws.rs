//! One WebSocket session on `/ws`, speaking `fanout_shared::protocol`.
//!
//! The session reads frames, answers each, and never lets a client mistake
//! end the connection: a malformed or unexpected frame gets an `error` frame
//! saying what was wrong, and the next frame is read as if nothing happened.
//! Frames are size-limited so one client cannot make the server buffer
//! without bound.

use std::sync::Arc;

use axum::{
    extract::{
        State,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code},
    },
    response::Response,
};
use fanout_shared::protocol::{
    ClientFrame, FrameRefusal, Hello, PROTOCOL_VERSION, Ping, ServerFrame, SessionFrame,
    decode_client_frame, encode_server_frame, request_id,
};

use crate::{
    AppState, cache_ws::CacheSession, experiments::WarmupSession, rooms_ws::RoomSession,
    tasks_ws::TasksSession,
};

/// The largest frame a client may send. Every frame of the protocol is a
/// small JSON object; anything near this size is a mistake or an attack.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// What one socket read asks for (see `upgrade`).
const READ_BUFFER_BYTES: usize = 8 * 1024;

/// Features announced in `welcome`, so a client can tell what this server
/// offers before asking for it.
const FEATURES: &[&str] = &["cache", "warmup", "rooms", "tasks"];

pub async fn upgrade(ws: WebSocketUpgrade, State(state): State<Arc<AppState>>) -> Response {
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        // tungstenite zero-fills its whole read buffer before every read;
        // at the default 128 KiB that memset was a third of a busy live
        // room's CPU. Frames are small; a larger one still fits (the
        // buffer grows to the frame).
        .read_buffer_size(READ_BUFFER_BYTES)
        .on_upgrade(move |socket| run_session(socket, state))
}

/// Where a session is in the protocol's opening handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing but `hello` is accepted yet.
    AwaitingHello,
    Ready,
}

async fn run_session(mut socket: WebSocket, state: Arc<AppState>) {
    let mut phase = Phase::AwaitingHello;
    let mut shutdown = state.shutdown.clone();
    // Frames the server pushes on its own (cache events) wait here; it is
    // bounded, so a slow client slows only the tasks that feed it.
    let (outbox_tx, mut outbox) = tokio::sync::mpsc::channel(crate::cache_ws::OUTBOX_FRAMES);
    let mut parts = Parts {
        cache: CacheSession::new(
            Arc::clone(&state.cache),
            Arc::clone(&state.observed),
            outbox_tx.clone(),
        ),
        warmup: WarmupSession::new(Arc::clone(&state.cache), outbox_tx.clone()),
        tasks: TasksSession::new(state.redis.clone(), outbox_tx),
        rooms: RoomSession::new(Arc::clone(&state.rooms)),
    };
    loop {
        let message = tokio::select! {
            message = socket.recv() => message,
            pushed = parts.rooms.next_push() => {
                if socket
                    .send(Message::Text(encode_server_frame(&pushed).into()))
                    .await
                    .is_err()
                {
                    return;
                }
                continue;
            }
            Some(pushed) = outbox.recv() => {
                if socket
                    .send(Message::Text(encode_server_frame(&pushed).into()))
                    .await
                    .is_err()
                {
                    return;
                }
                continue;
            }
            _ = async { drop(shutdown.wait_for(|stopping| *stopping).await) } => {
                let _ = socket
                    .send(Message::Close(Some(CloseFrame {
                        code: close_code::AWAY,
                        reason: "server shutting down".into(),
                    })))
                    .await;
                return;
            }
        };
        let reply = match message {
            Some(Ok(Message::Text(text))) => {
                handle_text(text.as_str(), &mut phase, &mut parts)
                    .await
                    .map(|reply| match reply {
                        // Errors echo the failed request's id; the raw text is
                        // read again only on this rare path.
                        ServerFrame::Error { .. } => {
                            reply.with_request_id(request_id(text.as_str()))
                        }
                        other => other,
                    })
            }
            Some(Ok(Message::Binary(_))) => Some(ServerFrame::refused(FrameRefusal::BinaryFrame)),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
            Some(Ok(Message::Close(_))) | None => return,
            Some(Err(failure)) => {
                // Oversized frames land here; the transport is no longer in a
                // known state, so the session ends after a best-effort note.
                tracing::debug!(%failure, "websocket receive failed");
                let _ = socket
                    .send(Message::Text(
                        encode_server_frame(&ServerFrame::refused(FrameRefusal::Transport {
                            detail: failure.to_string(),
                        }))
                        .into(),
                    ))
                    .await;
                return;
            }
        };
        if let Some(reply) = reply
            && socket
                .send(Message::Text(encode_server_frame(&reply).into()))
                .await
                .is_err()
        {
            return;
        }
    }
}

/// The parts of a session that answer each area's frames.
#[derive(Debug)]
struct Parts {
    cache: CacheSession,
    warmup: WarmupSession,
    rooms: RoomSession,
    tasks: TasksSession,
}

/// Answers one text frame, advancing the handshake phase on a good `hello`.
async fn handle_text(text: &str, phase: &mut Phase, parts: &mut Parts) -> Option<ServerFrame> {
    let frame = match decode_client_frame(text) {
        Ok(frame) => frame,
        Err(refusal) => return Some(ServerFrame::refused(refusal)),
    };
    if *phase == Phase::AwaitingHello
        && !matches!(frame, ClientFrame::Session(SessionFrame::Hello(_)))
    {
        return Some(ServerFrame::refused(FrameRefusal::HelloFirst {
            got: frame.type_name().to_owned(),
        }));
    }
    Some(match frame {
        ClientFrame::Session(SessionFrame::Hello(Hello { protocol, client })) => {
            if protocol != PROTOCOL_VERSION {
                return Some(ServerFrame::refused(FrameRefusal::VersionUnsupported {
                    asked: protocol,
                    supported: PROTOCOL_VERSION,
                }));
            }
            tracing::debug!(client = client.as_deref().unwrap_or("?"), "hello");
            *phase = Phase::Ready;
            ServerFrame::Welcome {
                protocol: PROTOCOL_VERSION,
                server: "fanout".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                features: FEATURES
                    .iter()
                    .copied()
                    .chain(parts.rooms.zmtp_enabled().then_some("zmtp"))
                    .chain(parts.cache.observes().then_some("observe"))
                    .map(str::to_owned)
                    .collect(),
            }
        }
        ClientFrame::Session(SessionFrame::Ping(Ping { id })) => {
            parts.rooms.touch();
            ServerFrame::Pong { id }
        }
        ClientFrame::Cache(frame) => parts.cache.handle(frame),
        ClientFrame::Warmup(frame) => parts.warmup.handle(frame),
        ClientFrame::Room(frame) => parts.rooms.handle(frame).await,
        ClientFrame::Tasks(frame) => parts.tasks.handle(frame),
    })
}
