//! A live room as the reliability page sees it: the room's own recording,
//! fetched again every second (`room_recording`, only the actions the
//! page does not have yet) and replayed by the
//! page's engine (`Runner::follow` steps on from where it was), so the
//! room shows exactly as an offline run of the same recording does: its
//! canvas, log and captions, and the reliability panels' meter, brokers
//! and task table from the same `Snap::of`.
//!
//! Why not the room's stream, as the queue page (`feed.rs`)? That page
//! rebuilds what it draws from sampled events and a summary; the
//! reliability panels need the ledger's every task and the brokers'
//! messages, which are not in the stream, and reading the stream's events
//! links their decoders (with the broker's and the faults', tens of KB
//! gzip) into a page that has no room for them. The engine is on this page
//! anyway, and a room's recording replays to the room's own trace digest
//! (docs/protocol.md, "Recording").

use fanout_shared::sim::Recording;

use crate::labs::queues::{
    problem::Problem,
    runner::Runner,
    snap::{Motion, Snap},
};

use super::Room;

/// What the page has replayed of the room so far.
pub struct Feed {
    runner: Runner,
    /// Always 0: a replay leaves nothing out (the queue page's feed counts
    /// the events its sampled stream skipped).
    pub skipped: u64,
    pub members: usize,
}

impl Feed {
    /// The room as its first recording has it.
    pub fn replay(recording: &Recording, members: usize) -> Result<Feed, Problem> {
        Ok(Feed {
            runner: Runner::from_recording(recording)?,
            skipped: 0,
            members,
        })
    }

    /// How many of the room's actions the page has: what it asks the
    /// room to leave out of the next recording (`room_recording`'s
    /// `after`).
    pub fn actions_held(&self) -> usize {
        self.runner.actions().len()
    }

    /// Steps on to a later recording of the room, whose actions start
    /// after the room's first `after`. `false` when it does not continue
    /// what the page replayed (it should always): the page then asks for
    /// the whole recording and replays it from its start.
    pub fn follow(&mut self, after: usize, later: &Recording) -> Result<bool, Problem> {
        if self.runner.follow(after, later) {
            return Ok(true);
        }
        if after == 0 {
            self.runner = Runner::from_recording(later)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// The lab's snapshot of the room: what an offline run of its
    /// recording shows.
    pub fn snap(&self, _room: &Room) -> (Snap, Motion) {
        (Snap::of(&self.runner), Motion::of(&self.runner))
    }
}
