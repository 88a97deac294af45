//! One live room's tokio task: the driver of a [`RoomCore`] on real time.
//!
//! Everything a room decides is the core's (`fanout_shared::room`); this
//! task is the only code that touches a clock or a channel. It converts
//! the wall clock into the room's ticks (µs since the room was created),
//! sleeps until the core's next timeout ([`RoomCore::poll_timeout`]) or a
//! session's command, hands commands to the core (each carries a oneshot
//! for its answer, so every request gets exactly one answer, in order),
//! and moves what the core pushes into the members' outboxes, telling it
//! how many frames each session has taken. A member whose outbox closed
//! vanished: the core is told it left.
//!
//! The engine runs at most [`STEP_BUDGET`] events before the task yields,
//! so that one busy room cannot hold a runtime thread.

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use fanout_shared::{
    protocol::{RoomFrame, ServerFrame},
    room::{Join, MemberId, RoomCore, RoomNotice, Transmit, limits::HOUSEKEEPING},
    time::Tick,
};
use tokio::sync::{mpsc, oneshot, watch};

use super::{outbox::Outbox, registry::Rooms};

/// Engine events run before the task yields to others.
const STEP_BUDGET: u32 = 20_000;

/// Commands handled in a row before the engine runs again.
const COMMAND_BURST: usize = 64;

/// While automatic receiving waits for a session to take frames, look
/// again this soon (a session taking a frame does not wake the room).
const RETRY_STARVED: Duration = Duration::from_millis(2);

/// What a session asks of its room.
#[derive(Debug)]
pub enum Command {
    Join {
        join: Join,
        outbox: Outbox,
        reply: oneshot::Sender<Result<(MemberId, ServerFrame), ServerFrame>>,
    },
    /// A room frame from a member.
    Frame {
        member: MemberId,
        frame: RoomFrame,
        reply: oneshot::Sender<ServerFrame>,
    },
    /// The member sent something else (a `ping`): it is still there.
    Touch { member: MemberId },
    /// The member's session ended.
    Leave { member: MemberId },
    /// Something watchers should hear that is no engine event (a ZeroMQ
    /// connection closed for what it did).
    Notice { notice: RoomNotice },
    Close {
        token: String,
        id: Option<u64>,
        reply: oneshot::Sender<ServerFrame>,
    },
    Kick {
        token: String,
        member: Option<MemberId>,
        node: Option<String>,
        id: Option<u64>,
        reply: oneshot::Sender<ServerFrame>,
    },
}

/// A room's task state.
#[derive(Debug)]
pub struct Room {
    core: RoomCore,
    /// Wall time at tick 0.
    origin: Instant,
    rooms: Arc<Rooms>,
    outboxes: BTreeMap<MemberId, Outbox>,
    /// When vanished members were last looked for.
    last_vanish_check: Tick,
}

impl Room {
    pub fn new(core: RoomCore, rooms: Arc<Rooms>) -> Room {
        Room {
            core,
            origin: Instant::now(),
            rooms,
            outboxes: BTreeMap::new(),
            last_vanish_check: Tick::ZERO,
        }
    }

    /// Runs the room until it closes.
    pub async fn run(
        mut self,
        mut commands: mpsc::Receiver<Command>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let code = self.core.code().to_owned();
        tracing::info!(room = %code, scenario = self.core.sim().scenario_name(), "room opened");
        loop {
            self.credit();
            let now = self.now();
            let caught_up = self.core.advance(now, STEP_BUDGET);
            self.core.handle_timeout(now);
            self.look_for_vanished(now);
            self.transmit();
            if self.core.end().is_some() {
                break;
            }
            let wake = if caught_up {
                self.wake_at()
            } else {
                Instant::now()
            };
            tokio::select! {
                biased;
                command = commands.recv() => {
                    let Some(command) = command else { break };
                    self.handle(command);
                    for _ in 0..COMMAND_BURST {
                        let Ok(command) = commands.try_recv() else { break };
                        self.handle(command);
                    }
                }
                _ = shutdown.wait_for(|stopping| *stopping) => self.core.shut_down(),
                _ = tokio::time::sleep_until(wake.into()) => {}
            }
            self.transmit();
            if !caught_up {
                tokio::task::yield_now().await;
            }
        }
        self.transmit();
        if let Some(end) = self.core.end() {
            use fanout_shared::lang::Say;
            tracing::info!(room = %code, reason = %end.english(), "room closed");
        }
        // Sessions still listed hear that the room ended without a word.
        self.outboxes.clear();
        self.rooms.remove(&code);
    }

    /// The room's clock now.
    fn now(&self) -> Tick {
        Tick(u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    /// When to wake: the core's timeout, sooner while it waits for a
    /// session to take frames.
    fn wake_at(&self) -> Instant {
        let now = Instant::now();
        let mut wake = match self.core.poll_timeout() {
            Some(t) => self
                .origin
                .checked_add(Duration::from_micros(t.as_micros()))
                .unwrap_or(now),
            None => now,
        };
        if self.core.starved() {
            wake = wake.min(now + RETRY_STARVED);
        }
        wake.max(now)
    }

    /// Tells the core how many frames the sessions it waits on have taken
    /// (those whose outbox it counts half full or more; for the others its
    /// count is merely conservative, and reading every session's counter
    /// on every turn would cost the room more than the rest of its turn).
    fn credit(&mut self) {
        let low: Vec<MemberId> = self.core.low_on_room().collect();
        for member in low {
            if let Some(taken) = self.outboxes.get_mut(&member).and_then(Outbox::newly_taken) {
                self.core.frames_taken(member, taken);
            }
        }
    }

    /// Moves what the core pushed into the sessions' outboxes.
    fn transmit(&mut self) {
        let mut gone = Vec::new();
        while let Some((member, transmit)) = self.core.poll_transmit() {
            match transmit {
                Transmit::Frame(frame) => {
                    if let Some(outbox) = self.outboxes.get(&member)
                        && !outbox.push(frame)
                    {
                        gone.push(member);
                    }
                }
                Transmit::End(last_word) => {
                    if let Some(outbox) = self.outboxes.remove(&member) {
                        outbox.end_with(last_word);
                    }
                }
            }
        }
        if !gone.is_empty() {
            let now = self.now();
            for member in gone {
                self.core.leave(now, member);
            }
            self.transmit();
        }
    }

    /// Members whose session went away without a word (the `Leave` a
    /// session sends as it ends may not have fit in the command queue).
    fn look_for_vanished(&mut self, now: Tick) {
        if now < self.last_vanish_check.saturating_add(HOUSEKEEPING) {
            return;
        }
        self.last_vanish_check = now;
        let vanished: Vec<MemberId> = self
            .outboxes
            .iter()
            .filter(|(_, o)| o.is_closed())
            .map(|(m, _)| *m)
            .collect();
        for member in vanished {
            self.core.leave(now, member);
        }
    }

    fn handle(&mut self, command: Command) {
        let now = self.now();
        self.core.advance(now, STEP_BUDGET);
        match command {
            Command::Join {
                join,
                outbox,
                reply,
            } => match self.core.join(now, join) {
                Ok((member, joined)) => {
                    self.outboxes.insert(member, outbox);
                    if reply.send(Ok((member, joined))).is_err() {
                        // The session went away before hearing back.
                        self.core.leave(now, member);
                    }
                }
                Err(refusal) => {
                    let _ = reply.send(Err(ServerFrame::refused(refusal)));
                }
            },
            Command::Frame {
                member,
                frame,
                reply,
            } => {
                let answer = self.core.handle_frame(now, member, frame);
                let _ = reply.send(answer.unwrap_or_else(ServerFrame::refused));
            }
            Command::Touch { member } => self.core.touch(now, member),
            Command::Leave { member } => self.core.leave(now, member),
            Command::Notice { notice } => self.core.notice(now, notice),
            Command::Close { token, id, reply } => {
                let answer = self.core.close(now, &token, id);
                let _ = reply.send(answer.unwrap_or_else(ServerFrame::refused));
            }
            Command::Kick {
                token,
                member,
                node,
                id,
                reply,
            } => {
                let answer = self.core.kick(now, &token, member, node.as_deref(), id);
                let _ = reply.send(answer.unwrap_or_else(ServerFrame::refused));
            }
        }
    }
}
