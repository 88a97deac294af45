//! The live rooms' side of a WebSocket session: turning room frames into
//! commands for a room task, and the per-client limits.
//!
//! A session is in at most one room at a time. Every room frame it sends
//! is checked here first against the client's rate (a token bucket,
//! `--room-rate`) and, for `send`, the payload size
//! (`--room-message-bytes`), so a flooding client costs its room nothing.
//! Then the frame goes to the room's task with a oneshot for the answer;
//! the session waits for that answer before reading the client's next
//! frame, so requests are answered in order and a client that pipelines
//! thousands of them is slowed down to what the room can take. Frames the
//! room pushes (received messages, events, topology) arrive through an
//! inbox that the session forwards to the socket (bounded by the room:
//! see `rooms::outbox`). Refusals are the room's typed facts
//! (`fanout_shared::room::RoomRefusal`), sent as `error` frames.
//!
//! A session that guesses join codes is slowed down: after three unknown
//! codes, each further miss is answered only after a growing delay.

use std::{sync::Arc, time::Duration};

use fanout_shared::{
    protocol::{RoomAct, RoomCreate, RoomFrame, RoomJoin, ServerFrame},
    room::{Join, MemberId, Refusal, RoomEnd, RoomRefusal},
    sim::{Action, Scenario, timeline::ScenarioRef},
};
use tokio::sync::{mpsc, oneshot};

use crate::rooms::{
    Rooms,
    limits::TokenBucket,
    outbox::{self, Inbox},
    registry::RoomHandle,
    room::Command,
};

/// Unknown codes a session may try before it is slowed down.
const FREE_MISSES: u32 = 3;

/// The longest delay before answering an unknown code.
const MAX_MISS_DELAY: Duration = Duration::from_secs(3);

/// This session's place in a room.
#[derive(Debug)]
struct Membership {
    code: String,
    member: MemberId,
    commands: mpsc::Sender<Command>,
    inbox: Inbox,
}

impl Drop for Membership {
    fn drop(&mut self) {
        // Best effort: if the room is too busy to take this now, it notices
        // the closed inbox at its next housekeeping.
        let _ = self.commands.try_send(Command::Leave {
            member: self.member,
        });
    }
}

/// The room part of one session's state.
#[derive(Debug)]
pub struct RoomSession {
    rooms: Arc<Rooms>,
    bucket: TokenBucket,
    membership: Option<Membership>,
    misses: u32,
}

fn room_gone() -> ServerFrame {
    ServerFrame::refused(RoomRefusal::RoomGone)
}

/// What a room frame costs against the rate: its messages, or 1.
fn cost(frame: &RoomFrame) -> u32 {
    match frame {
        RoomFrame::Send(r) => {
            let n = usize::from(r.payload.is_some()) + r.payloads.as_ref().map_or(0, Vec::len);
            u32::try_from(n.max(1)).unwrap_or(u32::MAX)
        }
        // A live producer's tasks are messages too.
        RoomFrame::Act(RoomAct {
            action: Action::Publish { count, .. },
            ..
        }) => (*count).max(1),
        RoomFrame::Create(_)
        | RoomFrame::Join(_)
        | RoomFrame::Leave(_)
        | RoomFrame::Close(_)
        | RoomFrame::Kick(_)
        | RoomFrame::Watch(_)
        | RoomFrame::Topology(_)
        | RoomFrame::Recording(_)
        | RoomFrame::Act(_)
        | RoomFrame::NodeAdd(_)
        | RoomFrame::NodeTake(_)
        | RoomFrame::NodeRemove(_)
        | RoomFrame::Recv(_)
        | RoomFrame::RecvAuto(_) => 1,
    }
}

/// A preset's name or a scenario object, checked.
fn scenario_ref(value: serde_json::Value) -> Result<ScenarioRef, Refusal> {
    match value {
        serde_json::Value::String(name) => match Scenario::preset(&name) {
            Ok(_) => Ok(ScenarioRef::Preset(name)),
            Err(e) => Err(Refusal::Scenario(e)),
        },
        object @ serde_json::Value::Object(_) => Scenario::from_json(&object.to_string())
            .map(|s| ScenarioRef::Inline(Box::new(s)))
            .map_err(Refusal::Scenario),
        _ => Err(RoomRefusal::ScenarioShape.into()),
    }
}

fn fresh_seed() -> u64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes) % 1_000_000
}

impl RoomSession {
    pub fn new(rooms: Arc<Rooms>) -> RoomSession {
        let rate = rooms.limits().rate;
        RoomSession {
            rooms,
            bucket: TokenBucket::new(rate),
            membership: None,
            misses: 0,
        }
    }

    /// Answers a room frame.
    pub async fn handle(&mut self, frame: RoomFrame) -> ServerFrame {
        if !self.bucket.take(cost(&frame)) {
            return ServerFrame::refused(RoomRefusal::RateLimit {
                rate: self.rooms.limits().rate,
                frame: frame.type_name().to_owned(),
            });
        }
        match frame {
            RoomFrame::Create(r) => self.create(r).await,
            RoomFrame::Join(r) => self.join(r).await,
            RoomFrame::Close(r) => {
                let Some(handle) = self.rooms.get(&r.room) else {
                    return no_room(&r.room);
                };
                let answer = ask(&handle, |reply| Command::Close {
                    token: r.token,
                    id: r.id,
                    reply,
                })
                .await;
                if matches!(answer, ServerFrame::RoomClosed { .. })
                    && self
                        .membership
                        .as_ref()
                        .is_some_and(|m| m.code == handle.code)
                {
                    // The answer says it all; no second notice.
                    self.membership = None;
                }
                answer
            }
            RoomFrame::Kick(r) => {
                let Some(handle) = self.rooms.get(&r.room) else {
                    return no_room(&r.room);
                };
                ask(&handle, |reply| Command::Kick {
                    token: r.token,
                    member: r.member,
                    node: r.node,
                    id: r.id,
                    reply,
                })
                .await
            }
            RoomFrame::Send(r) => {
                let limit = self.rooms.limits().message_bytes;
                let payloads = r.payload.iter().chain(r.payloads.iter().flatten());
                if let Some((i, p)) = payloads.enumerate().find(|(_, p)| p.len() > limit as usize) {
                    return ServerFrame::refused(RoomRefusal::MessageTooLarge {
                        index: i as u64,
                        bytes: p.len() as u64,
                        limit,
                    });
                }
                self.forward(RoomFrame::Send(r)).await
            }
            other => {
                let leaving = matches!(other, RoomFrame::Leave(_));
                let answer = self.forward(other).await;
                if leaving && matches!(answer, ServerFrame::RoomLeft { .. }) {
                    self.membership = None;
                }
                answer
            }
        }
    }

    /// Whether rooms may open ports to ZeroMQ programs (`welcome`'s
    /// `zmtp` feature).
    pub fn zmtp_enabled(&self) -> bool {
        self.rooms.zmtp_enabled()
    }

    /// Messages per second this session may send (`--room-rate`).
    pub fn rate(&self) -> u32 {
        self.rooms.limits().rate
    }

    /// Tells the room this session is still there (it sent a `ping`).
    pub fn touch(&self) {
        if let Some(m) = &self.membership {
            let _ = m.commands.try_send(Command::Touch { member: m.member });
        }
    }

    /// The next frame the room pushes to this session; never completes
    /// while the session is in no room. When the room removes the session
    /// (kicked, room closed), yields the room's last word once.
    pub async fn next_push(&mut self) -> ServerFrame {
        let Some(m) = &mut self.membership else {
            return std::future::pending().await;
        };
        if let Some(frame) = m.inbox.recv().await {
            return frame;
        }
        let last = m.inbox.last_word();
        let code = m.code.clone();
        self.membership = None;
        last.unwrap_or_else(|| ServerFrame::room_closed(code, RoomEnd::Ended, None))
    }

    async fn forward(&mut self, frame: RoomFrame) -> ServerFrame {
        let Some(m) = &self.membership else {
            return ServerFrame::refused(RoomRefusal::NeedsRoom {
                frame: frame.type_name().to_owned(),
            });
        };
        let (reply, answer) = oneshot::channel();
        let command = Command::Frame {
            member: m.member,
            frame,
            reply,
        };
        if m.commands.send(command).await.is_err() {
            return room_gone();
        }
        answer.await.unwrap_or_else(|_| room_gone())
    }

    fn check_not_in_room(&self) -> Result<(), RoomRefusal> {
        match &self.membership {
            Some(m) => Err(RoomRefusal::AlreadyInRoom {
                room: m.code.clone(),
            }),
            None => Ok(()),
        }
    }

    async fn create(&mut self, r: RoomCreate) -> ServerFrame {
        if let Err(e) = self.check_not_in_room() {
            return ServerFrame::refused(e);
        }
        let scenario = match scenario_ref(r.scenario) {
            Ok(s) => s,
            Err(e) => return ServerFrame::refused(e),
        };
        let seed = r.seed.unwrap_or_else(fresh_seed);
        let created = match self.rooms.create(scenario, seed, r.zmtp) {
            Ok(created) => created,
            Err(e) => return ServerFrame::refused(e),
        };
        self.enter(&created.handle, r.name, r.watch, None, true, r.id)
            .await
    }

    async fn join(&mut self, r: RoomJoin) -> ServerFrame {
        if let Err(e) = self.check_not_in_room() {
            return ServerFrame::refused(e);
        }
        let Some(handle) = self.rooms.get(&r.room) else {
            self.misses += 1;
            if self.misses > FREE_MISSES {
                let delay = Duration::from_millis(250) * (self.misses - FREE_MISSES);
                tokio::time::sleep(delay.min(MAX_MISS_DELAY)).await;
            }
            return no_room(&r.room);
        };
        self.enter(&handle, r.name, r.watch, r.token, false, r.id)
            .await
    }

    async fn enter(
        &mut self,
        handle: &RoomHandle,
        name: Option<String>,
        watch: bool,
        token: Option<String>,
        creator: bool,
        id: Option<u64>,
    ) -> ServerFrame {
        let (outbox, inbox) = outbox::pair();
        let (reply, answer) = oneshot::channel();
        let command = Command::Join {
            join: Join {
                name,
                watch,
                token,
                creator,
                id,
            },
            outbox,
            reply,
        };
        if handle.commands.send(command).await.is_err() {
            return room_gone();
        }
        match answer.await {
            Ok(Ok((member, mut joined))) => {
                if let ServerFrame::RoomJoined { zmtp, .. } = &mut joined {
                    *zmtp = handle.zmtp.as_deref().map(<[_]>::to_vec);
                }
                self.membership = Some(Membership {
                    code: handle.code.clone(),
                    member,
                    commands: handle.commands.clone(),
                    inbox,
                });
                joined
            }
            Ok(Err(refused)) => refused,
            Err(_) => room_gone(),
        }
    }
}

async fn ask(
    handle: &RoomHandle,
    command: impl FnOnce(oneshot::Sender<ServerFrame>) -> Command,
) -> ServerFrame {
    let (reply, answer) = oneshot::channel();
    if handle.commands.send(command(reply)).await.is_err() {
        return room_gone();
    }
    answer.await.unwrap_or_else(|_| room_gone())
}

fn no_room(typed: &str) -> ServerFrame {
    ServerFrame::refused(RoomRefusal::NoSuchRoom {
        typed: typed.to_owned(),
    })
}
