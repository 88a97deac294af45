//! A durable room's group commit (docs/protocol.md, "Persistence"): the
//! room's task hands over the disk changes its engine made, one commit to
//! the store runs at a time on a blocking thread, and everything the room
//! does while it runs goes into the next one. The room keeps each turn's
//! pushed frames until the commit that covers the turn is stored
//! (`room.rs`), so a confirm a member hears is on disk, and the room goes
//! on running meanwhile: one fsync covers as many turns as happened
//! during the previous one.
//!
//! `FANOUT_TEST_SLOW_COMMIT_MS` (tests only, unset in use) makes each
//! commit's thread wait that long before it writes: a `kill -9` then
//! surely falls between a turn and its storage, which is where the rule
//! above is tested (`server/tests/rooms_fault.rs`).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use fanout_shared::broker::persist::DiskChange;
use tokio::task::{JoinError, JoinHandle};

use super::store::{Commit, RoomRecord, RoomStore, StoreError};

/// `FANOUT_TEST_SLOW_COMMIT_MS`, read once.
fn test_delay() -> Option<Duration> {
    static DELAY: std::sync::OnceLock<Option<Duration>> = std::sync::OnceLock::new();
    *DELAY.get_or_init(|| {
        std::env::var("FANOUT_TEST_SLOW_COMMIT_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis)
    })
}

/// After a failed commit, the next try waits this long.
const RETRY_AFTER: Duration = Duration::from_millis(500);

/// What a commit's thread gives back: its result, and the commit (its
/// changes are tried again if it failed).
pub type CommitDone = Result<(Result<(), StoreError>, Commit), JoinError>;

/// What [`Persist::start`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Start {
    /// Nothing to store: what the room holds may leave now.
    Nothing,
    /// A commit of everything not yet stored is running.
    Started,
    /// A commit is running already (or a failed one waits to be tried
    /// again): what the room holds waits for the next.
    Busy,
}

/// A durable room's way to the store.
#[derive(Debug)]
pub struct Persist {
    store: Arc<RoomStore>,
    /// A room just created: written with its first commit, before its
    /// creator hears its code.
    record: Option<RoomRecord>,
    /// The first task number not given yet, as last stored.
    next_task: u64,
    /// Changes taken from the engine and not yet stored.
    unsaved: Vec<(String, DiskChange)>,
    in_flight: Option<JoinHandle<(Result<(), StoreError>, Commit)>>,
    /// A commit failed: when to try again (and nothing leaves meanwhile).
    retry_at: Option<Instant>,
    /// A commit's thread panicked with its changes: the store no longer
    /// has all the room wrote, so nothing of the room leaves any more.
    broken: bool,
}

impl Persist {
    pub fn new(store: Arc<RoomStore>, record: Option<RoomRecord>, next_task: u64) -> Persist {
        Persist {
            store,
            record,
            next_task,
            unsaved: Vec::new(),
            in_flight: None,
            retry_at: None,
            broken: false,
        }
    }

    pub fn store(&self) -> &Arc<RoomStore> {
        &self.store
    }

    /// Takes `changes` (the engine's journal since the last call) and, if
    /// no commit runs, starts one of all that is not stored yet.
    pub fn start(
        &mut self,
        code: &str,
        changes: Vec<(String, DiskChange)>,
        next_task: u64,
    ) -> Start {
        self.unsaved.extend(changes);
        if self.broken
            || self.in_flight.is_some()
            || self.retry_at.is_some_and(|at| Instant::now() < at)
        {
            return Start::Busy;
        }
        let commit = Commit {
            record: self.record.clone(),
            changes: std::mem::take(&mut self.unsaved),
            next_task: (next_task != self.next_task).then_some(next_task),
        };
        if commit.is_empty() {
            return Start::Nothing;
        }
        let store = Arc::clone(&self.store);
        let code = code.to_owned();
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            if let Some(delay) = test_delay() {
                std::thread::sleep(delay);
            }
            (store.commit(&code, &commit), commit)
        }));
        Start::Started
    }

    /// When a failed commit is tried again, if one failed.
    pub fn retry_at(&self) -> Option<Instant> {
        self.retry_at
    }

    /// Waits for the running commit (for ever if none runs: use it in a
    /// `select!` branch guarded by [`committing`](Self::committing)).
    pub async fn done(&mut self) -> CommitDone {
        match &mut self.in_flight {
            Some(task) => task.await,
            None => std::future::pending().await,
        }
    }

    /// A room just created whose record is not stored yet.
    pub fn unstored(&self) -> bool {
        self.record.is_some()
    }

    pub fn committing(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The running commit ended: `true` if stored. A failed one's changes
    /// go back in front of the others, to be tried again.
    pub fn finish(&mut self, code: &str, done: CommitDone) -> bool {
        self.in_flight = None;
        let failed = match done {
            Ok((Ok(()), commit)) => {
                if self.retry_at.take().is_some() {
                    tracing::info!(room = %code, "the room is stored again");
                }
                if commit.record.is_some() {
                    self.record = None;
                }
                if let Some(next) = commit.next_task {
                    self.next_task = next;
                }
                return true;
            }
            Ok((Err(error), mut commit)) => {
                commit.changes.append(&mut self.unsaved);
                self.unsaved = commit.changes;
                error.to_string()
            }
            Err(error) => {
                self.broken = true;
                format!("the commit's thread failed: {error}")
            }
        };
        if self.retry_at.is_none() {
            tracing::error!(room = %code, error = %failed,
                "cannot store the room; holding its answers and frames until the store works");
        }
        self.retry_at = Some(Instant::now() + RETRY_AFTER);
        false
    }
}
