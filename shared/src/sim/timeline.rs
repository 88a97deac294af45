//! Stepping backward, editing while running, and shareable replays.
//!
//! A [`Timeline`] wraps a [`Simulator`] with periodic snapshots (a clone
//! every `interval` steps) and the list of actions applied so far, each
//! with the step and time it was applied at. `seek(n)` clones the nearest
//! snapshot at or before `n` and steps forward, re-applying recorded
//! actions at their steps, so going back costs at most `interval` steps.
//! Applying a new action while positioned in the past discards the
//! recorded future (like typing after an undo). A [`Recording`] —
//! scenario, seed, actions, step — is what a URL holds.

use serde::{Deserialize, Serialize};

use super::{Action, ActionError, Event, Scenario, ScenarioError, Simulator};
use crate::{
    lang::{Lang, Say},
    time::Tick,
};

/// An action as applied: before event `step`, at time `time`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    pub step: u64,
    pub time: Tick,
    /// Every task due at `time` had been applied (the run was run to
    /// `time`, as playing and a room do), not only those before it (it was
    /// stepped to an event with more due at that tick). Tasks that make no
    /// event still change what the action meets (a paused node puts them
    /// aside), so `step` and `time` alone do not say where it came.
    /// Absent (`false`) in recordings made before it was kept.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub settled: bool,
    pub action: Action,
}

/// The scenario of a recording: a preset's name or a whole scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ScenarioRef {
    Preset(String),
    Inline(Box<Scenario>),
}

/// Read by what the JSON is, a string or a map, with the scenario read
/// straight from the map. serde's untagged derive buffers the value
/// through its generic `Content` first, which put a second copy of every
/// scenario decoder into the pages' wasm (and answered any mistake inside
/// a scenario with "did not match any variant").
impl<'de> Deserialize<'de> for ScenarioRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameOrScenario;
        impl<'de> serde::de::Visitor<'de> for NameOrScenario {
            type Value = ScenarioRef;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a preset's name or a scenario")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<ScenarioRef, E> {
                Ok(ScenarioRef::Preset(name.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ScenarioRef, A::Error> {
                let scenario =
                    Scenario::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(ScenarioRef::Inline(Box::new(scenario)))
            }
        }
        deserializer.deserialize_any(NameOrScenario)
    }
}

impl ScenarioRef {
    pub fn resolve(&self) -> Result<Scenario, ScenarioError> {
        match self {
            ScenarioRef::Preset(name) => Scenario::preset(name),
            ScenarioRef::Inline(s) => {
                s.validate()?;
                Ok((**s).clone())
            }
        }
    }
}

/// Everything needed to rebuild a position exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    pub scenario: ScenarioRef,
    pub seed: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Recorded>,
    pub step: u64,
    /// The clock at that position (it can be past the last event's time
    /// when the simulation was run to a time with nothing due).
    #[serde(default)]
    pub time: Tick,
    /// Every task due at `time` had been applied there, as in
    /// [`Recorded::settled`]: tasks that make no event still change the
    /// state (a frame for a closed connection is gone, and the ledger
    /// counts its task lost).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub settled: bool,
}

/// Why a recording could not be replayed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayError {
    Scenario(Box<ScenarioError>),
    Action {
        index: usize,
        step: u64,
        error: Box<ActionError>,
    },
    /// The recorded actions are not in step order at this one.
    Order(usize),
}

impl std::error::Error for ReplayError {}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

impl Say for ReplayError {
    fn say(&self, lang: Lang) -> String {
        match (lang, self) {
            (_, ReplayError::Scenario(error)) => error.say(lang),
            (Lang::En, ReplayError::Action { index, step, error }) => format!(
                "recorded action {index} (before step {step}) cannot be applied: {}",
                error.say(lang)
            ),
            (Lang::En, ReplayError::Order(index)) => {
                format!("recorded actions are not in step order at action {index}")
            }
            (Lang::Zh, ReplayError::Action { index, step, error }) => format!(
                "录制中的第 {index} 个操作（在第 {step} 步之前）无法执行：{}",
                error.say(lang)
            ),
            (Lang::Zh, ReplayError::Order(index)) => {
                format!("录制中的操作没有按步数排序（第 {index} 个操作）")
            }
        }
    }
}

impl From<ScenarioError> for ReplayError {
    fn from(error: ScenarioError) -> Self {
        ReplayError::Scenario(Box::new(error))
    }
}

#[derive(Clone, Debug)]
pub struct Timeline {
    scenario: ScenarioRef,
    sim: Simulator,
    /// `snapshots[i]` is the state just before event `i * interval`.
    snapshots: Vec<Simulator>,
    interval: u64,
    actions: Vec<Recorded>,
}

/// Default snapshot spacing: a seek replays at most this many steps (until
/// the run outgrows [`MAX_SNAPSHOTS`]).
pub const SNAPSHOT_INTERVAL: u64 = 1024;

/// Snapshots kept at most. Past this the spacing doubles and every other
/// snapshot goes, so a long run's memory stays bounded: playing a busy
/// scenario takes a snapshot hundreds of times a second, each a whole
/// simulator. The price is that a seek in a long run replays more steps
/// (at most the current spacing).
pub const MAX_SNAPSHOTS: usize = 128;

impl Timeline {
    pub fn new(scenario: ScenarioRef, seed: u64) -> Result<Timeline, ScenarioError> {
        Self::with_interval(scenario, seed, SNAPSHOT_INTERVAL)
    }

    pub fn with_interval(
        scenario: ScenarioRef,
        seed: u64,
        interval: u64,
    ) -> Result<Timeline, ScenarioError> {
        let sim = Simulator::new(&scenario.resolve()?, seed)?;
        Ok(Timeline {
            scenario,
            snapshots: vec![sim.clone()],
            sim,
            interval: interval.max(1),
            actions: Vec::new(),
        })
    }

    /// Rebuilds the exact state a recording describes.
    pub fn replay(recording: &Recording) -> Result<Timeline, ReplayError> {
        let mut t = Timeline::new(recording.scenario.clone(), recording.seed)?;
        for (i, pair) in recording.actions.windows(2).enumerate() {
            if pair[1].step <= pair[0].step {
                return Err(ReplayError::Order(i + 1));
            }
        }
        t.actions = recording.actions.clone();
        t.seek(recording.step);
        t.settle_to(recording.time, recording.settled);
        // An action that failed on replay would have left the timeline
        // short of its step; find out which.
        if t.sim.steps() < recording.step
            && let Some((index, r)) = t
                .actions
                .iter()
                .enumerate()
                .find(|(_, r)| r.step >= t.sim.steps())
        {
            let mut probe = t.sim.clone();
            probe.advance_idle(r.time);
            if let Err(error) = probe.apply(r.action.clone()) {
                return Err(ReplayError::Action {
                    index,
                    step: r.step,
                    error: Box::new(error),
                });
            }
        }
        Ok(t)
    }

    /// Takes in a later recording of the same run (a live room's, fetched
    /// again), whose actions start after the run's first `after` (a room
    /// sends only what a follower does not have: `room_recording`'s
    /// `after`; 0 for a whole recording): its actions past the ones this
    /// timeline holds are recorded here, to be applied when stepping
    /// reaches them, so a page that follows a room steps on from where it
    /// is instead of replaying the room from its start every time. `false`
    /// (and nothing changed) when `later` is not this run continued:
    /// another scenario or seed, a gap before its first action, an action
    /// of ours it does not hold, or a new one before our step.
    pub fn follow(&mut self, after: usize, later: &Recording) -> bool {
        let ours = self.actions.len();
        let Some(overlap) = ours.checked_sub(after) else {
            return false;
        };
        let continues = later.scenario == self.scenario
            && later.seed == self.sim.seed()
            && later.actions.get(..overlap) == Some(&self.actions[after..])
            && later.actions[overlap..]
                .iter()
                .all(|r| r.step >= self.sim.steps());
        if continues {
            self.actions.extend_from_slice(&later.actions[overlap..]);
        }
        continues
    }

    pub fn sim(&self) -> &Simulator {
        &self.sim
    }

    pub fn recording(&self) -> Recording {
        Recording {
            scenario: self.scenario.clone(),
            seed: self.sim.seed(),
            actions: self.actions.clone(),
            step: self.sim.steps(),
            time: self.sim.now(),
            settled: self.sim.settled(),
        }
    }

    fn maybe_snapshot(&mut self) {
        let steps = self.sim.steps();
        if steps.is_multiple_of(self.interval)
            && self.snapshots.len() as u64 == steps / self.interval
        {
            self.snapshots.push(self.sim.clone());
            if self.snapshots.len() > MAX_SNAPSHOTS {
                // Keep those at multiples of twice the spacing: indices
                // 0, 2, 4 … under the old spacing.
                self.interval *= 2;
                let mut index = 0;
                self.snapshots.retain(|_| {
                    index += 1;
                    index % 2 == 1
                });
            }
        }
    }

    /// The snapshots held now (bounded by [`MAX_SNAPSHOTS`]).
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    fn due_action(&self) -> Option<&Recorded> {
        let steps = self.sim.steps();
        let i = self.actions.partition_point(|r| r.step < steps);
        self.actions.get(i).filter(|r| r.step == steps)
    }

    /// One event forward, re-applying a recorded action if one is due.
    pub fn step(&mut self) -> Option<Event> {
        self.step_until(Tick::MAX)
    }

    /// One event forward if it is due by `limit` (a recorded action
    /// counts as due at its time): the lab plays with this, one animation
    /// frame's worth of virtual time at a time.
    pub fn step_until(&mut self, limit: Tick) -> Option<Event> {
        self.maybe_snapshot();
        if let Some(r) = self.due_action().cloned() {
            if r.time > limit {
                return None;
            }
            if let Some(e) = self.settle_to(r.time, r.settled) {
                return Some(e);
            }
            return self.sim.apply(r.action).ok();
        }
        self.sim.step_until(limit)
    }

    /// Forward to time `t` (recorded actions included).
    pub fn run_until(&mut self, t: Tick) -> u64 {
        let mut n = 0;
        while self.step_until(t).is_some() {
            n += 1;
        }
        self.sim.advance_idle(t);
        n
    }

    /// Moves to just before event `step` (or as far as the run goes).
    /// Returns the step reached.
    pub fn seek(&mut self, step: u64) -> u64 {
        if step < self.sim.steps() {
            let index = ((step / self.interval) as usize).min(self.snapshots.len() - 1);
            self.sim = self.snapshots[index].clone();
        }
        while self.sim.steps() < step {
            if self.step().is_none() {
                break;
            }
        }
        self.sim.steps()
    }

    /// Applies a new action now and records it. Recorded actions and
    /// snapshots after this point are discarded: the future changed.
    pub fn apply(&mut self, action: Action) -> Result<Event, ActionError> {
        let steps = self.sim.steps();
        self.maybe_snapshot();
        let settled = self.sim.settled();
        let event = self.sim.apply(action.clone())?;
        self.actions.retain(|r| r.step < steps);
        let keep = (steps / self.interval + 1) as usize;
        self.snapshots.truncate(keep);
        self.actions.push(Recorded {
            step: steps,
            time: event.time,
            settled,
            action,
        });
        Ok(event)
    }

    /// Brings the clock to `t` as the run that recorded `t` had it: that
    /// run's clock was at `t`, so every task due before `t` had been
    /// applied, and if it was `settled` every task due at `t` too (tasks
    /// that make no event: a stale turn or timer, a frame for a closed
    /// connection, a paused node's deferred work). Returns an event only
    /// if one of them makes one, which a faithful recording excludes.
    /// A page that steps to a recording's position itself ends with this.
    pub fn settle_to(&mut self, t: Tick, settled: bool) -> Option<Event> {
        // Nothing is due before tick 0: a recording at the start (a fresh
        // page) must not run the events at tick 0.
        let last = if settled {
            Some(t)
        } else {
            t.0.checked_sub(1).map(Tick)
        };
        if let Some(e) = last.and_then(|last| self.sim.step_until(last)) {
            return Some(e);
        }
        self.sim.advance_idle(t);
        None
    }

    /// Moves the clock to `t` with no event, if nothing is due before
    /// (as `run_until` ends); the recording keeps the time.
    pub fn advance_idle(&mut self, t: Tick) {
        self.sim.advance_idle(t);
    }

    pub fn actions(&self) -> &[Recorded] {
        &self.actions
    }
}

impl Simulator {
    /// Has every task due by now been applied? Yes once the run was run to
    /// now; not right after an event with more due at its tick (a run
    /// stepped to it, or a room's event budget spent).
    pub(crate) fn settled(&self) -> bool {
        self.next_time().is_none_or(|t| t > self.now)
    }

    /// Moves the clock forward with no event, as `run_until` does when
    /// nothing is due; never past a scheduled task.
    pub fn advance_idle(&mut self, t: Tick) {
        let limit = self.next_time().unwrap_or(Tick::MAX);
        if t > self.now && t <= limit {
            self.now = t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A recording of a fresh run (step 0, time 0), as a page opens a
    /// preset, replays to step 0: the events at tick 0 are not run.
    #[test]
    fn a_recording_at_the_start_replays_to_step_zero() {
        for name in ["pi", "at-least-once"] {
            let t = Timeline::replay(&Recording {
                scenario: ScenarioRef::Preset(name.into()),
                seed: 3,
                actions: Vec::new(),
                step: 0,
                time: Tick::ZERO,
                settled: false,
            })
            .unwrap();
            assert_eq!(t.sim().steps(), 0, "{name}");
        }
    }

    /// A broker pipeline whose producer checks for confirms to republish
    /// at 2.18 s: a task due then that makes no event (all were confirmed).
    #[cfg(feature = "reliability")]
    const CONFIRMS: &str = r#"{"name": "confirms", "network": {"latency": "50us", "give_up": "1s"}, "nodes": [
        {"name": "broker", "program": {"kind": "broker", "queues": [{"name": "q"}], "consumer_timeout": "3s"}, "sockets": []},
        {"name": "producer", "program": {"kind": "task_producer", "broker": "broker", "queue": "q", "interval": "112ms",
            "count": 16, "work": "10ms", "confirms": true, "republish_after": "500ms"}, "sockets": []},
        {"name": "worker", "program": {"kind": "task_worker", "broker": "broker", "queue": "q", "prefetch": 1, "ack": "late"},
            "sockets": []}]}"#;

    /// Where an action came among the tasks due at its tick is part of
    /// the recording: after all of them when the run was run to that tick
    /// (`settled`), before those not yet applied when it was only stepped
    /// or moved to it. A task that makes no event still matters: here the
    /// producer's republish check, which a pause applied before it puts
    /// aside until the pause ends. Both runs replay exactly.
    #[cfg(feature = "reliability")]
    #[test]
    fn a_recorded_action_replays_after_the_silent_tasks_of_its_tick_that_ran_before_it() {
        let at = Tick::from_millis(2180);
        let pause = Action::Pause {
            node: "producer".into(),
            duration: Some(Tick::from_millis(50)),
        };
        let mut digests = Vec::new();
        for run_to_it in [true, false] {
            let scenario = Scenario::from_json(CONFIRMS).unwrap();
            let mut t = Timeline::new(ScenarioRef::Inline(Box::new(scenario)), 0).unwrap();
            t.run_until(Tick(at.0 - 1));
            assert_eq!(t.sim().next_time(), Some(at), "a task is due at {at:?}");
            let steps = t.sim().steps();
            if run_to_it {
                t.run_until(at);
                assert_eq!(t.sim().steps(), steps, "the task due then makes no event");
            } else {
                t.advance_idle(at);
            }
            t.apply(pause.clone()).unwrap();
            assert_eq!(t.actions()[0].settled, run_to_it);
            t.run_until(Tick::from_secs(60));
            let replayed = Timeline::replay(&t.recording()).unwrap();
            assert_eq!(replayed.sim().trace_digest(), t.sim().trace_digest());
            digests.push(t.sim().trace_digest());
        }
        // The two places are two runs (the pause meets the check or not).
        assert_ne!(digests[0], digests[1]);
    }

    /// A page following a live room takes each later recording in and
    /// steps on: it reaches the state a replay of the whole recording
    /// reaches, and refuses a recording of another run.
    #[cfg(feature = "reliability")]
    #[test]
    fn following_a_later_recording_reaches_what_replaying_it_reaches() {
        let scenario = ScenarioRef::Preset("at-least-once".into());
        let mut room = Timeline::new(scenario.clone(), 5).unwrap();
        room.seek(40);
        let early = room.recording();
        room.apply(Action::Crash {
            node: "worker-1".into(),
            on: None,
            duration: Some(Tick::from_millis(300)),
        })
        .unwrap();
        room.seek(400);
        let late = room.recording();

        let mut page = Timeline::replay(&early).unwrap();
        let mut tail = late.clone();
        tail.actions.clear();
        assert!(
            !page.follow(1, &tail),
            "a tail that starts past what the page has leaves a gap"
        );
        assert!(page.follow(0, &late));
        page.seek(late.step);
        page.settle_to(late.time, late.settled);
        let whole = Timeline::replay(&late).unwrap();
        assert_eq!(page.sim().trace_digest(), whole.sim().trace_digest());
        assert_eq!(page.sim().steps(), late.step);
        assert!(late.step > early.step + 100, "{} {}", early.step, late.step);

        // Only what is new, as a room sends it after the first fetch.
        let mut following = Timeline::replay(&early).unwrap();
        let mut tail = late.clone();
        tail.actions.drain(..early.actions.len());
        assert!(following.follow(early.actions.len(), &tail));
        assert_eq!(following.actions(), page.actions());

        let other = Timeline::new(scenario, 6).unwrap().recording();
        assert!(!page.follow(0, &other));
        assert_eq!(page.actions().len(), 1);
    }

    #[test]
    fn a_scenario_ref_reads_a_name_or_a_scenario_and_says_what_is_wrong_inside_one() {
        let preset: ScenarioRef = serde_json::from_str(r#""pi""#).unwrap();
        assert_eq!(preset, ScenarioRef::Preset("pi".into()));
        let pi = Scenario::preset("pi").unwrap();
        let text = serde_json::to_string(&ScenarioRef::Inline(Box::new(pi.clone()))).unwrap();
        let inline: ScenarioRef = serde_json::from_str(&text).unwrap();
        assert_eq!(inline, ScenarioRef::Inline(Box::new(pi)));
        // Through the decoder the pages use, a mistake inside the scenario
        // is named, not "did not match any variant".
        let wrong = crate::json::decode_str::<Recording>(
            r#"{"scenario": {"name": "x", "nodes": [{"name": "a", "program": {"kind": "sink"}, "sockets": [{"name": "in", "type": "PULLL"}]}]}, "seed": 1, "step": 0}"#,
        )
        .unwrap_err();
        assert_eq!(wrong.path, "scenario.nodes[0].sockets[0].type", "{wrong:?}");
        assert!(serde_json::from_str::<ScenarioRef>("7").is_err());
    }
}
