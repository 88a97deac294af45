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
//!
//! A durable room (one kept under `--data-dir`, [`super::store`]) stores
//! the disk changes its engine's journal lists before the frames pushed in
//! the same turns leave (group commit, [`super::durable`]): no member
//! hears a publisher confirm, or anything pushed after it, for a message
//! that is not on the server's disk. The room
//! keeps running while a commit runs; what it pushes meanwhile waits for
//! the next commit. Answers to commands tell of no message's storage and
//! leave at once, except the creator's `room_joined` of a durable room,
//! which waits until the room itself is stored.

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use fanout_shared::{
    protocol::{RoomFrame, ServerFrame},
    room::{Join, MemberId, RoomCore, RoomEnd, RoomNotice, Transmit, limits::HOUSEKEEPING},
    time::Tick,
};
use tokio::sync::{mpsc, oneshot, watch};

use super::{
    durable::{CommitDone, Persist, Start},
    outbox::Outbox,
    registry::Rooms,
};

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

/// An answer to a command, kept back only while a durable room is not
/// stored yet.
#[derive(Debug)]
enum Reply {
    Join {
        reply: oneshot::Sender<Result<(MemberId, ServerFrame), ServerFrame>>,
        answer: Result<(MemberId, ServerFrame), ServerFrame>,
    },
    Frame {
        reply: oneshot::Sender<ServerFrame>,
        answer: ServerFrame,
    },
}

/// What a room has to send: answers and pushed frames, in order.
#[derive(Debug, Default)]
struct Batch {
    replies: Vec<Reply>,
    frames: Vec<(MemberId, Transmit)>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.replies.is_empty() && self.frames.is_empty()
    }

    /// `later` after this one.
    fn then(mut self, mut later: Batch) -> Batch {
        self.replies.append(&mut later.replies);
        self.frames.append(&mut later.frames);
        self
    }
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
    /// Kept under `--data-dir`.
    persist: Option<Persist>,
    /// What the room has to send and no running commit covers.
    batch: Batch,
    /// What waits for the running commit.
    held: Batch,
}

impl Room {
    pub fn new(core: RoomCore, rooms: Arc<Rooms>, persist: Option<Persist>) -> Room {
        Room {
            core,
            origin: Instant::now(),
            rooms,
            outboxes: BTreeMap::new(),
            last_vanish_check: Tick::ZERO,
            persist,
            batch: Batch::default(),
            held: Batch::default(),
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
            self.settle();
            if self.core.end().is_some() {
                break;
            }
            let wake = if caught_up {
                self.wake_at()
            } else {
                Instant::now()
            };
            let committing = self.persist.as_ref().is_some_and(Persist::committing);
            tokio::select! {
                biased;
                done = commit_done(&mut self.persist), if committing => self.committed(done),
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
            self.settle();
            if !caught_up {
                tokio::task::yield_now().await;
            }
        }
        // What the room said last is stored and sent before it goes.
        loop {
            self.settle();
            if !self.persist.as_ref().is_some_and(Persist::committing) {
                break;
            }
            let done = commit_done(&mut self.persist).await;
            self.committed(done);
        }
        if let Some(end) = self.core.end() {
            use fanout_shared::lang::Say;
            tracing::info!(room = %code, reason = %end.english(), "room closed");
        }
        // Sessions still listed hear that the room ended without a word.
        self.outboxes.clear();
        self.forget(&code).await;
        self.rooms.remove(&code);
    }

    /// Takes what the turn made (answers, pushed frames, disk changes):
    /// a room that is not durable sends it at once; a durable one starts a
    /// commit of its changes and sends what the commit covers when it is
    /// stored ([`committed`](Self::committed)), or at once when there was
    /// nothing to store and no commit runs.
    fn settle(&mut self) {
        loop {
            while let Some(transmit) = self.core.poll_transmit() {
                self.batch.frames.push(transmit);
            }
            if let Some(persist) = &mut self.persist {
                let changes = self.core.take_disk_changes();
                let next_task = self.core.sim().next_task_id().0;
                match persist.start(self.core.code(), changes, next_task) {
                    Start::Busy => return,
                    Start::Started => {
                        self.held = std::mem::take(&mut self.batch);
                        return;
                    }
                    Start::Nothing => {}
                }
            }
            if self.batch.is_empty() {
                return;
            }
            // Sending may find sessions gone, whose leaving makes more.
            let batch = std::mem::take(&mut self.batch);
            self.deliver(batch);
        }
    }

    /// The running commit ended: what it covered leaves if it was stored;
    /// if not, it waits for the commit tried again.
    fn committed(&mut self, done: CommitDone) {
        let Some(persist) = &mut self.persist else {
            return;
        };
        let held = std::mem::take(&mut self.held);
        if persist.finish(self.core.code(), done) {
            self.deliver(held);
        } else {
            self.batch = held.then(std::mem::take(&mut self.batch));
        }
    }

    /// Answers a command: at once, except in a durable room not stored
    /// yet, whose code nobody may hear before it is (its creator's
    /// `room_joined` waits for the first commit). No answer tells of a
    /// message's storage (confirms are pushed frames), so a stored room's
    /// answers never wait for a commit.
    fn reply(&mut self, reply: Reply, now: Tick) {
        if self.persist.as_ref().is_some_and(Persist::unstored) {
            self.batch.replies.push(reply);
        } else {
            self.send_reply(reply, now);
        }
    }

    fn send_reply(&mut self, reply: Reply, now: Tick) {
        match reply {
            Reply::Join { reply, answer } => {
                let joined = answer.as_ref().ok().map(|(member, _)| *member);
                if reply.send(answer).is_err()
                    && let Some(member) = joined
                {
                    // The session went away before hearing back.
                    self.core.leave(now, member);
                }
            }
            Reply::Frame { reply, answer } => {
                let _ = reply.send(answer);
            }
        }
    }

    /// Sends answers, then pushed frames.
    fn deliver(&mut self, batch: Batch) {
        let now = self.now();
        for reply in batch.replies {
            self.send_reply(reply, now);
        }
        let mut gone = Vec::new();
        for (member, transmit) in batch.frames {
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
        for member in gone {
            self.core.leave(now, member);
        }
    }

    /// A durable room that closed for good is removed from the store; one
    /// closed because the server is stopping stays, to come back at start,
    /// with its last unsynced commits made durable.
    async fn forget(&mut self, code: &str) {
        let Some(persist) = &self.persist else {
            return;
        };
        let store = Arc::clone(persist.store());
        let stopping = matches!(self.core.end(), Some(RoomEnd::ShuttingDown));
        let owned = code.to_owned();
        let done = tokio::task::spawn_blocking(move || {
            if stopping {
                store.sync()
            } else {
                store.remove(&owned)
            }
        });
        match done.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::error!(room = %code, %error, "cannot update the store as the room ends")
            }
            Err(error) => {
                tracing::error!(room = %code, %error, "cannot update the store as the room ends")
            }
        }
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
        if let Some(retry) = self.persist.as_ref().and_then(Persist::retry_at) {
            wake = wake.min(retry);
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
            } => {
                let answer = match self.core.join(now, join) {
                    Ok((member, joined)) => {
                        self.outboxes.insert(member, outbox);
                        Ok((member, joined))
                    }
                    Err(refusal) => Err(ServerFrame::refused(refusal)),
                };
                self.reply(Reply::Join { reply, answer }, now);
            }
            Command::Frame {
                member,
                frame,
                reply,
            } => {
                let answer = self.core.handle_frame(now, member, frame);
                self.answer(reply, answer);
            }
            Command::Touch { member } => self.core.touch(now, member),
            Command::Leave { member } => self.core.leave(now, member),
            Command::Notice { notice } => self.core.notice(now, notice),
            Command::Close { token, id, reply } => {
                let answer = self.core.close(now, &token, id);
                self.answer(reply, answer);
            }
            Command::Kick {
                token,
                member,
                node,
                id,
                reply,
            } => {
                let answer = self.core.kick(now, &token, member, node.as_deref(), id);
                self.answer(reply, answer);
            }
        }
    }

    fn answer(
        &mut self,
        reply: oneshot::Sender<ServerFrame>,
        answer: Result<ServerFrame, fanout_shared::room::Refusal>,
    ) {
        let now = self.now();
        let reply = Reply::Frame {
            reply,
            answer: answer.unwrap_or_else(ServerFrame::refused),
        };
        self.reply(reply, now);
    }
}

/// The running commit of a durable room, for a `select!` branch.
async fn commit_done(persist: &mut Option<Persist>) -> CommitDone {
    match persist {
        Some(persist) => persist.done().await,
        None => std::future::pending().await,
    }
}
