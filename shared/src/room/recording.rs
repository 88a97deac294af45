//! What a room keeps so that its live run can be stepped through offline:
//! the scenario, the seed and every action applied, with the step and time
//! it was applied at (the same `Recording` a queue-lab link holds; the
//! browser rebuilds the run with `Timeline::replay`).
//!
//! Real time itself needs no recording: the engine only ever sees time as
//! the clock value an action was applied at, so the actions and their
//! times are the whole input. A long, busy run would make the list grow
//! without end, so it is bounded ([`RECORD_ACTIONS`], [`RECORD_BYTES`]);
//! past the bound, recording stops and the recording ends just before the
//! first action it could not keep, where it still replays exactly.

use crate::{
    sim::{Action, Recorded, Recording, timeline::ScenarioRef},
    time::Tick,
};

use super::limits::{RECORD_ACTIONS, RECORD_BYTES};

#[derive(Debug)]
pub struct ActionLog {
    scenario: ScenarioRef,
    seed: u64,
    actions: Vec<Recorded>,
    bytes: usize,
    /// Where recording stopped: step, time and `settled` (see
    /// `Recorded::settled`) of the first action not kept, and the trace
    /// digest just before it.
    stopped: Option<(u64, Tick, bool, String)>,
    max_actions: usize,
    max_bytes: usize,
}

impl ActionLog {
    pub fn new(scenario: ScenarioRef, seed: u64) -> ActionLog {
        Self::with_bounds(scenario, seed, RECORD_ACTIONS, RECORD_BYTES)
    }

    pub fn with_bounds(
        scenario: ScenarioRef,
        seed: u64,
        max_actions: usize,
        max_bytes: usize,
    ) -> ActionLog {
        ActionLog {
            scenario,
            seed,
            actions: Vec::new(),
            bytes: 0,
            stopped: None,
            max_actions,
            max_bytes,
        }
    }

    /// Whether an action about to be applied before event `step`, at
    /// `time`, will be kept. The first time one cannot be, recording stops
    /// there, and the trace digest at that point is remembered (a replay
    /// of the recording must reach it).
    pub fn admit(
        &mut self,
        step: u64,
        time: Tick,
        settled: bool,
        action: &Action,
        digest: impl FnOnce() -> String,
    ) -> bool {
        if self.stopped.is_some() {
            return false;
        }
        let size = approximate_size(action);
        if self.actions.len() >= self.max_actions || self.bytes + size > self.max_bytes {
            self.stopped = Some((step, time, settled, digest()));
            return false;
        }
        true
    }

    /// Keeps an admitted action once the engine accepted it (`settled`:
    /// see [`Recorded::settled`]).
    pub fn push(&mut self, step: u64, time: Tick, settled: bool, action: Action) {
        self.bytes += approximate_size(&action);
        self.actions.push(Recorded {
            step,
            time,
            settled,
            action,
        });
    }

    /// How many actions are kept.
    pub fn actions_kept(&self) -> usize {
        self.actions.len()
    }

    /// The recording up to now (`step`, `time`, whose digest is
    /// `digest_now`), or up to where recording stopped; with `true` when it
    /// reaches now, and the trace digest at its end. Its actions are those
    /// past the first `after` (which the asker already has).
    pub fn recording(
        &self,
        after: usize,
        step: u64,
        time: Tick,
        settled: bool,
        digest_now: String,
    ) -> (Recording, bool, String) {
        let (end_step, end_time, settled, complete, digest) = match &self.stopped {
            Some((s, t, settled, d)) => (*s, *t, *settled, false, d.clone()),
            None => (step, time, settled, true, digest_now),
        };
        (
            Recording {
                scenario: self.scenario.clone(),
                seed: self.seed,
                actions: self.actions[after.min(self.actions.len())..].to_vec(),
                step: end_step,
                time: end_time,
                settled,
            },
            complete,
            digest,
        )
    }

    pub fn is_complete(&self) -> bool {
        self.stopped.is_none()
    }

    pub fn scenario(&self) -> &ScenarioRef {
        &self.scenario
    }
}

/// The heap an action holds, roughly: its strings.
fn approximate_size(action: &Action) -> usize {
    const BASE: usize = 96;
    BASE + match action {
        Action::Send {
            node,
            socket,
            payload,
        } => node.len() + socket.len() + payload.len(),
        Action::Recv { node, socket } => node.len() + socket.len(),
        // Edits are rare and small next to the bound; count their JSON.
        other => serde_json::to_string(other).map_or(256, |j| j.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recv() -> Action {
        Action::Recv {
            node: "n".into(),
            socket: "in".into(),
        }
    }

    fn record(log: &mut ActionLog, step: u64, time: u64, settled: bool) {
        if log.admit(step, Tick(time), settled, &recv(), || {
            format!("digest@{step}")
        }) {
            log.push(step, Tick(time), settled, recv());
        }
    }

    #[test]
    fn recording_stops_at_the_bound_and_ends_before_the_first_lost_action() {
        let mut log = ActionLog::with_bounds(ScenarioRef::Preset("pipeline".into()), 1, 2, 1 << 20);
        record(&mut log, 3, 10, false);
        record(&mut log, 5, 20, false);
        assert!(log.is_complete());
        record(&mut log, 9, 30, true);
        record(&mut log, 12, 40, false);
        let (r, complete, digest) = log.recording(0, 100, Tick(500), false, "now".into());
        assert!(!complete);
        assert_eq!(r.actions.len(), 2);
        // The position just before the first action not kept, as it was.
        assert_eq!((r.step, r.time, r.settled), (9, Tick(30), true));
        assert_eq!(digest, "digest@9");
    }

    #[test]
    fn a_complete_recording_ends_now() {
        let mut log = ActionLog::new(ScenarioRef::Preset("pi".into()), 7);
        record(&mut log, 1, 1, true);
        let (r, complete, digest) = log.recording(0, 40, Tick(900), true, "now".into());
        assert!(complete);
        assert_eq!(
            (r.step, r.time, r.seed, r.settled),
            (40, Tick(900), 7, true)
        );
        assert_eq!(digest, "now");
    }
}
