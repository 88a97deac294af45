//! The way from a room's task to one member's session: the frames the room
//! pushes, how many of them the session has taken, and the room's last
//! word when it lets the member go.
//!
//! The channel itself is unbounded because the room bounds it: a
//! `RoomCore` pushes a member at most `OUTBOX_FRAMES` frames the session
//! has not taken, and learns what was taken from [`Outbox::taken`], so
//! the frames waiting here never exceed that. When the room removes the
//! member (kicked, room closed) it leaves the last word in [`Ended`] and
//! drops the sender; the session reads the frames still queued, then the
//! last word.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU64, Ordering},
};

use fanout_shared::protocol::ServerFrame;
use tokio::sync::mpsc;

/// Where the room leaves the last word for a member it removes.
pub type Ended = Arc<Mutex<Option<ServerFrame>>>;

/// The room's end of a member's session.
#[derive(Debug)]
pub struct Outbox {
    frames: mpsc::UnboundedSender<ServerFrame>,
    taken: Arc<AtomicU64>,
    /// What [`newly_taken`](Outbox::newly_taken) last reported.
    reported: u64,
    ended: Ended,
}

/// The session's end.
#[derive(Debug)]
pub struct Inbox {
    frames: mpsc::UnboundedReceiver<ServerFrame>,
    taken: Arc<AtomicU64>,
    ended: Ended,
}

/// A new pair for a session entering a room.
pub fn pair() -> (Outbox, Inbox) {
    let (tx, rx) = mpsc::unbounded_channel();
    let taken = Arc::new(AtomicU64::new(0));
    let ended = Ended::default();
    (
        Outbox {
            frames: tx,
            taken: Arc::clone(&taken),
            reported: 0,
            ended: Arc::clone(&ended),
        },
        Inbox {
            frames: rx,
            taken,
            ended,
        },
    )
}

impl Outbox {
    /// Hands a frame to the session; `false` if the session is gone.
    pub fn push(&self, frame: ServerFrame) -> bool {
        self.frames.send(frame).is_ok()
    }

    /// Frames the session has taken so far, if more than last time asked.
    pub fn newly_taken(&mut self) -> Option<u64> {
        let taken = self.taken.load(Ordering::Acquire);
        (taken > self.reported).then(|| {
            self.reported = taken;
            taken
        })
    }

    /// The session went away.
    pub fn is_closed(&self) -> bool {
        self.frames.is_closed()
    }

    /// Leaves the member's last word and closes the channel.
    pub fn end_with(self, last_word: Option<ServerFrame>) {
        if let Some(frame) = last_word {
            *self
                .ended
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(frame);
        }
    }
}

impl Inbox {
    /// The next pushed frame; `None` once the room let the member go.
    pub async fn recv(&mut self) -> Option<ServerFrame> {
        let frame = self.frames.recv().await?;
        self.taken.fetch_add(1, Ordering::Release);
        Some(frame)
    }

    /// The room's last word, once [`recv`](Self::recv) returned `None`.
    pub fn last_word(&self) -> Option<ServerFrame> {
        self.ended
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}
