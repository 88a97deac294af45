//! The lab's model: the engine's [`Timeline`] plus what the page keeps
//! beside it: the recent events for the log and the caption, the samples
//! the charts draw, and how far the run has been computed (the scrubber's
//! end).
//!
//! Everything here is plain Rust with no signals, so it can be tested and
//! reasoned about as a function of (scenario, seed, actions, step). The
//! lab's state (`QueueLab` in `queues.rs`) keeps one `Runner` in a
//! `StoredValue` and bumps a signal after each change. Edits go through
//! here too, several at once when a gesture needs them (`connect.rs` plans
//! a drop of one port on another), all or none.

use std::collections::VecDeque;

use fanout_shared::{
    sim::{
        Action, Drops, Event, EventKind, Recording, Scenario, Timeline,
        nodes::LogEntry,
        timeline::{Recorded, ScenarioRef},
    },
    socket::SocketId,
    time::Tick,
};

use super::{connect, problem::Problem};

/// How many recent events the log keeps (and rebuilds after a step back).
pub const LOG_CAP: usize = 240;

/// Chart samples kept before the sampling interval doubles.
const MAX_SAMPLES: usize = 480;

/// π points kept before every other one is dropped.
const MAX_PI_POINTS: usize = 6000;

/// One chart sample: the state at virtual time `time`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The step count when it was taken (samples after a seek target are
    /// dropped and retaken).
    pub step: u64,
    pub time: Tick,
    /// Per node (by `NodeId`): messages received so far.
    pub received: Vec<u64>,
    /// Per node: messages sent so far.
    pub sent: Vec<u64>,
    /// Per connection (by `ConnId`): messages queued in both directions.
    pub depth: Vec<u32>,
    pub drops: Drops,
}

/// One line of the tally's output: after `q` samples, `p / q` estimates π.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PiPoint {
    pub step: u64,
    pub p: u64,
    pub q: u64,
}

/// Where stepping may go: the whole run, or the range an embedding page
/// locked it to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bounds {
    pub from: u64,
    pub to: Option<u64>,
}

impl Bounds {
    pub fn clamp(self, step: u64) -> u64 {
        let step = step.max(self.from);
        match self.to {
            Some(to) => step.min(to.max(self.from)),
            None => step,
        }
    }
}

pub struct Runner {
    tl: Timeline,
    scenario: ScenarioRef,
    /// The scenario resolved (for export and names).
    resolved: Scenario,
    log: VecDeque<Event>,
    samples: Vec<Sample>,
    bucket: Tick,
    next_sample: Tick,
    pi: Vec<PiPoint>,
    /// The furthest step computed on this timeline.
    horizon: u64,
    pub bounds: Bounds,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("scenario", &self.resolved.name)
            .field("step", &self.tl.sim().steps())
            .finish_non_exhaustive()
    }
}

impl Runner {
    /// A fresh run of a scenario.
    pub fn new(scenario: ScenarioRef, seed: u64) -> Result<Runner, Problem> {
        Self::from_recording(&Recording {
            scenario,
            seed,
            actions: Vec::new(),
            step: 0,
            time: Tick::ZERO,
            settled: false,
        })
    }

    /// Rebuilds a recorded position exactly (a shared link), stepping
    /// forward from the start so the log and charts fill in on the way.
    pub fn from_recording(rec: &Recording) -> Result<Runner, Problem> {
        let resolved = rec.scenario.resolve()?;
        let start = Recording {
            scenario: rec.scenario.clone(),
            seed: rec.seed,
            actions: rec.actions.clone(),
            step: 0,
            time: Tick::ZERO,
            settled: false,
        };
        let tl = Timeline::replay(&start)?;
        let mut runner = Runner {
            tl,
            scenario: rec.scenario.clone(),
            resolved,
            log: VecDeque::with_capacity(LOG_CAP),
            samples: Vec::new(),
            bucket: Tick::from_millis(5),
            next_sample: Tick::ZERO,
            pi: Vec::new(),
            horizon: 0,
            bounds: Bounds::default(),
        };
        runner.forward_to(rec.step);
        if runner.steps() < rec.step {
            // The run ended early: a recorded action was refused on the way.
            let refused = rec
                .actions
                .iter()
                .find(|r| r.step >= runner.steps())
                .map(|r| serde_json::to_string(&r.action).unwrap_or_default());
            if let Some(action) = refused {
                return Err(Problem::LinkEdit {
                    action,
                    step: runner.steps(),
                });
            }
        }
        let next = runner.tl.sim().next_time().unwrap_or(Tick::MAX);
        runner.sample_before(Some(next.min(rec.time.saturating_add(Tick(1)))));
        // A faithful recording has no event left before its position; a
        // link's `t` edited by hand may, and its event is shown.
        if let Some(e) = runner.tl.settle_to(rec.time, rec.settled) {
            runner.record(e);
        }
        Ok(runner)
    }

    pub fn timeline(&self) -> &Timeline {
        &self.tl
    }

    pub fn scenario(&self) -> &ScenarioRef {
        &self.scenario
    }

    pub fn resolved(&self) -> &Scenario {
        &self.resolved
    }

    pub fn steps(&self) -> u64 {
        self.tl.sim().steps()
    }

    pub fn now(&self) -> Tick {
        self.tl.sim().now()
    }

    /// The furthest step computed, within the locked range (a link that
    /// opened beyond `to` computed further, but the scrubber stops at `to`).
    pub fn horizon(&self) -> u64 {
        let horizon = self.horizon.max(self.steps());
        match self.bounds.to {
            Some(to) => horizon.min(to.max(self.bounds.from)).max(self.bounds.from),
            None => horizon,
        }
    }

    pub fn actions(&self) -> &[Recorded] {
        self.tl.actions()
    }

    /// The last events, oldest first.
    pub fn log(&self) -> &VecDeque<Event> {
        &self.log
    }

    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    pub fn bucket(&self) -> Tick {
        self.bucket
    }

    pub fn pi_points(&self) -> &[PiPoint] {
        &self.pi
    }

    pub fn recording(&self) -> Recording {
        self.tl.recording()
    }

    /// May the run go one step further (within the locked range)?
    pub fn can_step(&self) -> bool {
        self.bounds.to.is_none_or(|to| self.steps() < to)
    }

    /// One event forward; `false` at the end of the run or of the range.
    pub fn step(&mut self) -> bool {
        if !self.can_step() {
            return false;
        }
        self.sample_before(self.tl.sim().next_time());
        match self.tl.step() {
            Some(e) => {
                self.record(e);
                true
            }
            None => false,
        }
    }

    /// Plays up to virtual time `limit`, at most `budget` events. Returns
    /// the events applied and whether `limit` was reached (otherwise the
    /// budget ran out, or the range or the run ended).
    pub fn play_until(&mut self, limit: Tick, budget: usize) -> (usize, bool) {
        let mut n = 0;
        while n < budget {
            if !self.can_step() {
                return (n, false);
            }
            let next = self.tl.sim().next_time().unwrap_or(Tick::MAX);
            self.sample_before(Some(next.min(limit.saturating_add(Tick(1)))));
            match self.tl.step_until(limit) {
                Some(e) => {
                    self.record(e);
                    n += 1;
                }
                None => {
                    self.tl.advance_idle(limit);
                    return (n, true);
                }
            }
        }
        (n, false)
    }

    /// Forward to step `target` (or as far as the run goes).
    fn forward_to(&mut self, target: u64) {
        while self.steps() < target {
            if !self.step() {
                break;
            }
        }
    }

    /// Moves to just before event `target` (clamped to the range).
    pub fn seek(&mut self, target: u64) {
        let target = self.bounds.clamp(target);
        if target >= self.steps() {
            self.forward_to(target);
            return;
        }
        // Back: rewind to a little before the target and step forward again,
        // so the log shows the events that led here.
        let rebuild_from = target.saturating_sub(LOG_CAP as u64);
        self.tl.seek(rebuild_from);
        self.log.clear();
        self.samples.retain(|s| s.step <= rebuild_from);
        self.next_sample = self
            .samples
            .last()
            .map_or(Tick::ZERO, |s| s.time.saturating_add(self.bucket));
        self.pi.retain(|p| p.step < rebuild_from);
        let horizon = self.horizon;
        self.forward_to(target);
        self.horizon = horizon;
    }

    /// Steps back `n` events.
    pub fn back(&mut self, n: u64) {
        let target = self.steps().saturating_sub(n);
        self.seek(target);
    }

    /// Applies an edit now; a refusal changes nothing and says why.
    pub fn apply(&mut self, action: Action) -> Result<(), Problem> {
        // An edit is an event too: at the end of a locked range it would
        // take the run past `to`.
        if !self.can_step() {
            return Err(Problem::Locked {
                from: self.bounds.from,
                to: self.bounds.to.unwrap_or(u64::MAX),
            });
        }
        let event = self.tl.apply(action)?;
        // The future changed: what was computed beyond here is gone.
        self.record(event);
        self.horizon = self.steps();
        Ok(())
    }

    /// Steps on to a live room's later recording (`Timeline::follow`), as
    /// the reliability page follows a room; `false`, and nothing changed,
    /// when it is not this run continued.
    #[cfg(feature = "reliability")]
    pub fn follow(&mut self, after: usize, later: &Recording) -> bool {
        if !self.tl.follow(after, later) {
            return false;
        }
        self.forward_to(later.step);
        let next = self.tl.sim().next_time().unwrap_or(Tick::MAX);
        self.sample_before(Some(next.min(later.time.saturating_add(Tick(1)))));
        // Where the room's clock was, as `from_recording` ends (a faithful
        // recording has no event left before it).
        if let Some(e) = self.tl.settle_to(later.time, later.settled) {
            self.record(e);
        }
        self.horizon = self.horizon.max(self.steps());
        true
    }

    /// Would this sequence of edits be accepted now? Tried on a copy of
    /// the simulator, so nothing changes either way.
    pub fn dry_run(&self, actions: &[Action]) -> Result<(), Problem> {
        let mut sim = self.tl.sim().clone();
        for action in actions {
            sim.apply(action.clone())?;
        }
        Ok(())
    }

    /// Several edits that stand or fall together (tried on a copy first).
    pub fn apply_all(&mut self, actions: Vec<Action>) -> Result<(), Problem> {
        self.dry_run(&actions)?;
        actions
            .into_iter()
            .try_for_each(|action| self.apply(action))
    }

    /// Connects two sockets the learner dropped onto each other, as
    /// `connect::plan` says; the engine checks the pairing.
    pub fn connect(&mut self, from: SocketId, to: SocketId) -> Result<(), Problem> {
        let actions = connect::plan(&self.tl.sim().topology(), from, to)?;
        self.apply_all(actions)
    }

    fn record(&mut self, event: Event) {
        if let EventKind::Log {
            entry: LogEntry::Decision { p, q, .. },
            ..
        } = &event.kind
        {
            self.pi.push(PiPoint {
                step: event.step,
                p: *p,
                q: *q,
            });
            if self.pi.len() > MAX_PI_POINTS {
                let last = self.pi.last().copied();
                let mut i = 0;
                self.pi.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                if let Some(last) = last
                    && self.pi.last() != Some(&last)
                {
                    self.pi.push(last);
                }
            }
        }
        if self.log.len() == LOG_CAP {
            self.log.pop_front();
        }
        self.log.push_back(event);
        self.horizon = self.horizon.max(self.steps());
    }

    /// Takes the samples due before the next event (at `next`): the state
    /// at each sampling instant is the state before the first event after
    /// it.
    fn sample_before(&mut self, next: Option<Tick>) {
        let Some(next) = next else { return };
        while self.next_sample < next {
            let at = self.next_sample;
            self.take_sample(at);
            self.next_sample = at.saturating_add(self.bucket);
            if self.samples.len() > MAX_SAMPLES {
                self.bucket = Tick(self.bucket.0 * 2);
                let bucket = self.bucket.0;
                self.samples.retain(|s| s.time.0 % bucket == 0);
                self.next_sample = self
                    .samples
                    .last()
                    .map_or(Tick::ZERO, |s| s.time.saturating_add(self.bucket));
            }
        }
    }

    fn take_sample(&mut self, time: Tick) {
        let sim = self.tl.sim();
        let topo = sim.topology();
        self.samples.push(Sample {
            step: sim.steps(),
            time,
            received: topo.nodes.iter().map(|n| n.counters.received).collect(),
            sent: topo.nodes.iter().map(|n| n.counters.sent).collect(),
            depth: topo
                .conns
                .iter()
                .map(|c| {
                    c.pipes
                        .iter()
                        .map(|p| p.sending + p.on_wire + p.receiving)
                        .sum()
                })
                .collect(),
            drops: sim.drops().clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use fanout_shared::sim::Simulator;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn pi(seed: u64) -> Runner {
        Runner::new(ScenarioRef::Preset("pi".into()), seed).unwrap()
    }

    #[wasm_bindgen_test]
    fn stepping_matches_the_engine() {
        let mut runner = pi(7);
        for _ in 0..200 {
            assert!(runner.step());
        }
        let mut sim = Simulator::new(&Scenario::preset("pi").unwrap(), 7).unwrap();
        sim.run_steps(200);
        assert_eq!(runner.timeline().sim().trace_digest(), sim.trace_digest());
        assert_eq!(runner.log().len(), 200);
        assert_eq!(runner.log().back().unwrap().step, 199);
    }

    #[wasm_bindgen_test]
    fn back_then_forward_is_the_same_state() {
        let mut runner = pi(3);
        for _ in 0..600 {
            runner.step();
        }
        let digest = runner.timeline().sim().trace_digest();
        let log: Vec<u64> = runner.log().iter().map(|e| e.step).collect();
        let pi = runner.pi_points().to_vec();
        runner.back(50);
        assert_eq!(runner.steps(), 550);
        assert_eq!(runner.log().back().unwrap().step, 549);
        assert_eq!(runner.horizon(), 600);
        for _ in 0..50 {
            runner.step();
        }
        assert_eq!(runner.timeline().sim().trace_digest(), digest);
        assert_eq!(runner.log().iter().map(|e| e.step).collect::<Vec<_>>(), log);
        assert_eq!(runner.pi_points(), pi.as_slice());
    }

    #[wasm_bindgen_test]
    fn a_recording_replays_with_its_edits() {
        let mut runner = Runner::new(ScenarioRef::Preset("pubsub".into()), 1).unwrap();
        runner.play_until(Tick::from_millis(20), usize::MAX);
        runner
            .apply(Action::Subscribe {
                node: "deaf".into(),
                socket: "in".into(),
                topic: String::new(),
            })
            .unwrap_or_else(|e| panic!("{e}"));
        runner.play_until(Tick::from_millis(60), usize::MAX);
        let rec = runner.recording();
        let again = Runner::from_recording(&rec).unwrap();
        assert_eq!(
            again.timeline().sim().trace_digest(),
            runner.timeline().sim().trace_digest()
        );
        assert_eq!(again.now(), runner.now());
    }

    #[wasm_bindgen_test]
    fn refusals_change_nothing() {
        let mut runner = pi(1);
        let before = runner.recording();
        let err = runner
            .apply(Action::SetService {
                node: "bitsource".into(),
                service: Default::default(),
            })
            .unwrap_err();
        assert!(err.to_string().contains("bitsource"), "{err}");
        assert_eq!(runner.recording(), before);
    }

    #[wasm_bindgen_test]
    fn bounds_lock_stepping() {
        let mut runner = pi(1);
        runner.bounds = Bounds {
            from: 10,
            to: Some(20),
        };
        runner.seek(0);
        assert_eq!(runner.steps(), 10);
        runner.seek(100);
        assert_eq!(runner.steps(), 20);
        assert!(!runner.step());
        runner.play_until(Tick::from_secs(10), usize::MAX);
        assert_eq!(runner.steps(), 20);
        assert_eq!(runner.horizon(), 20);
        let edit = Action::Subscribe {
            node: "judge".into(),
            socket: "in".into(),
            topic: "00".into(),
        };
        assert!(
            runner.apply(edit.clone()).is_err(),
            "an edit at `to` goes past it"
        );
        assert_eq!(runner.steps(), 20);
        runner.seek(15);
        runner.apply(edit).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(runner.steps(), 16);
    }

    #[wasm_bindgen_test]
    fn a_run_opened_beyond_the_range_scrubs_within_it() {
        let mut runner = Runner::from_recording(&Recording {
            scenario: ScenarioRef::Preset("pi".into()),
            seed: 1,
            actions: Vec::new(),
            step: 500,
            time: Tick::ZERO,
            settled: false,
        })
        .unwrap();
        runner.bounds = Bounds {
            from: 10,
            to: Some(20),
        };
        runner.seek(runner.steps());
        assert_eq!((runner.steps(), runner.horizon()), (20, 20));
    }
}
