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
    ClientFrame, Hello, PROTOCOL_VERSION, Ping, ServerFrame, decode_client_frame,
    encode_server_frame, request_id,
};

use crate::{AppState, cache_ws::CacheSession, rooms_ws::RoomSession};

/// The largest frame a client may send. Every frame of the protocol is a
/// small JSON object; anything near this size is a mistake or an attack.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// What one socket read asks for (see `upgrade`).
const READ_BUFFER_BYTES: usize = 8 * 1024;

/// Features announced in `welcome`, so a client can tell what this server
/// offers before asking for it.
const FEATURES: &[&str] = &["cache", "warmup", "rooms"];

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
    let mut cache = CacheSession::new(Arc::clone(&state.cache), outbox_tx);
    let mut rooms = RoomSession::new(Arc::clone(&state.rooms));
    loop {
        let message = tokio::select! {
            message = socket.recv() => message,
            pushed = rooms.next_push() => {
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
                handle_text(text.as_str(), &mut phase, &mut cache, &mut rooms)
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
            Some(Ok(Message::Binary(_))) => Some(error(
                "binary frames are not part of the protocol; send JSON text frames",
                None,
            )),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
            Some(Ok(Message::Close(_))) | None => return,
            Some(Err(failure)) => {
                // Oversized frames land here; the transport is no longer in a
                // known state, so the session ends after a best-effort note.
                tracing::debug!(%failure, "websocket receive failed");
                let _ = socket
                    .send(Message::Text(
                        encode_server_frame(&error(&format!("connection error: {failure}"), None))
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

/// Answers one text frame, advancing the handshake phase on a good `hello`.
async fn handle_text(
    text: &str,
    phase: &mut Phase,
    cache: &mut CacheSession,
    rooms: &mut RoomSession,
) -> Option<ServerFrame> {
    let frame = match decode_client_frame(text) {
        Ok(frame) => frame,
        Err(problem) => return Some(ServerFrame::from_frame_error(&problem)),
    };
    match (frame, *phase) {
        (ClientFrame::Hello(Hello { protocol, client }), _) => {
            if protocol != PROTOCOL_VERSION {
                return Some(ServerFrame::Error {
                    message: format!(
                        "protocol version {protocol} is not supported; this server speaks version {PROTOCOL_VERSION}"
                    ),
                    field: Some("protocol".into()),
                    supported: Some(PROTOCOL_VERSION),
                    id: None,
                });
            }
            tracing::debug!(client = client.as_deref().unwrap_or("?"), "hello");
            *phase = Phase::Ready;
            Some(ServerFrame::Welcome {
                protocol: PROTOCOL_VERSION,
                server: "fanout".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                features: FEATURES.iter().map(|f| (*f).to_owned()).collect(),
            })
        }
        (other, Phase::AwaitingHello) => Some(error(
            &format!(
                "send {{\"type\":\"hello\",\"protocol\":{PROTOCOL_VERSION}}} before \"{}\"",
                other.type_name()
            ),
            Some("type"),
        )),
        (ClientFrame::Ping(Ping { id }), Phase::Ready) => {
            rooms.touch();
            Some(ServerFrame::Pong { id })
        }
        (frame, Phase::Ready) => match rooms.handle(frame).await {
            Ok(reply) => reply,
            Err(cache_frame) => cache.handle(cache_frame),
        },
    }
}

fn error(message: &str, field: Option<&str>) -> ServerFrame {
    ServerFrame::Error {
        message: message.to_owned(),
        field: field.map(str::to_owned),
        supported: None,
        id: None,
    }
}
