//! The live view: what watchers of a room receive, and how a fast room is
//! kept from flooding a slow browser.
//!
//! A room runs tens of thousands of engine events a second; a canvas
//! needs far fewer, and a browser tab may read slowly. Events are
//! gathered for [`FLUSH_EVERY`] into one `room_events` frame holding at
//! most [`EVENTS_PER_FRAME`] of them (the first ones of the window, plus
//! structural events such as a node starting or a connection closing up to
//! [`STRUCTURAL_EXTRA`] more); every event left out is counted in
//! `skipped`. Each frame also carries the engine's exact counters, so
//! totals never depend on sampling. Frames go into each watcher's bounded
//! outbox without waiting: when it is full, the watcher misses that frame
//! and its events are added to the `skipped` of the next one it gets.

use crate::{
    sim::{Event, EventKind},
    time::Tick,
};

/// How long events are gathered into one frame.
pub const FLUSH_EVERY: Tick = Tick::from_millis(50);

/// Events one `room_events` frame carries at most (besides structural ones).
pub const EVENTS_PER_FRAME: usize = 500;

/// Structural events kept past [`EVENTS_PER_FRAME`].
pub const STRUCTURAL_EXTRA: usize = 200;

/// Watchers get the topology when it changes, and at least this often
/// (queue depths change all the time).
pub const TOPOLOGY_EVERY: Tick = Tick::from_secs(1);

/// Events that change what the canvas draws, not just what flows on it.
pub fn is_structural(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::NodeStarted { .. }
            | EventKind::NodeHalted { .. }
            | EventKind::NodeRemoved { .. }
            | EventKind::Bound { .. }
            | EventKind::Connecting { .. }
            | EventKind::Connected { .. }
            | EventKind::Disconnected { .. }
            | EventKind::Subscribe { .. }
            | EventKind::SubscriptionArrived { .. }
            | EventKind::Edited { .. }
            | EventKind::Error { .. }
    )
}

/// The events of the current window.
#[derive(Debug, Default)]
pub struct Window {
    events: Vec<Event>,
    skipped: u64,
}

impl Window {
    pub fn push(&mut self, event: &Event) {
        let room = self.events.len() < EVENTS_PER_FRAME
            || (is_structural(&event.kind)
                && self.events.len() < EVENTS_PER_FRAME + STRUCTURAL_EXTRA);
        if room {
            self.events.push(event.clone());
        } else {
            self.skipped += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.skipped == 0
    }

    /// The window's events and how many were left out; starts a new one.
    pub fn take(&mut self) -> (Vec<Event>, u64) {
        (
            std::mem::take(&mut self.events),
            std::mem::take(&mut self.skipped),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::{NodeId, event::SleepWhy};

    use super::*;

    fn event(step: u64, kind: EventKind) -> Event {
        Event {
            step,
            time: Tick(step),
            kind,
        }
    }

    #[test]
    fn sampled_plus_skipped_is_everything_and_structure_is_kept() {
        let mut w = Window::default();
        let total = EVENTS_PER_FRAME as u64 + 1000;
        for step in 0..total {
            w.push(&event(
                step,
                EventKind::Sleep {
                    node: NodeId(0),
                    until: Tick(step + 5),
                    why: SleepWhy::Interval,
                },
            ));
        }
        w.push(&event(total, EventKind::NodeHalted { node: NodeId(0) }));
        let (events, skipped) = w.take();
        assert_eq!(events.len() as u64 + skipped, total + 1);
        assert_eq!(events.len(), EVENTS_PER_FRAME + 1);
        assert!(matches!(
            events.last().unwrap().kind,
            EventKind::NodeHalted { .. }
        ));
        assert!(w.is_empty());
    }
}
