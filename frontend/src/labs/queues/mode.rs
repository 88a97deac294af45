//! Where the page's run comes from: the engine in this page (the timeline
//! the learner steps and edits), or a live room on the server (what it
//! streams). One enum, so whatever belongs to a room exists only while the
//! page is in one, and the local run's controls reach the runner only
//! through [`QueueLab::local`](super::QueueLab::local).

use super::live::{Feed, Room};

/// Local or live.
pub enum Mode {
    /// The page's own run, stepped on virtual time.
    Local,
    /// A live room: the page draws what the server streams. The local run
    /// waits, untouched, for the page to come back to it.
    Live(Box<LiveRun>),
}

/// The room this page is in, and what it has streamed so far.
pub struct LiveRun {
    pub room: Room,
    pub feed: Feed,
}

impl Mode {
    pub fn is_live(&self) -> bool {
        matches!(self, Mode::Live(_))
    }

    pub fn live(&self) -> Option<&LiveRun> {
        match self {
            Mode::Live(run) => Some(run),
            Mode::Local => None,
        }
    }

    pub fn live_mut(&mut self) -> Option<&mut LiveRun> {
        match self {
            Mode::Live(run) => Some(run),
            Mode::Local => None,
        }
    }
}
