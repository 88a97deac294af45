//! The queue lab (`/queues`): message flows in the ZeroMQ style, stepped on
//! virtual time by the shared engine running in the browser (lessons 7–12
//! of the chapter). Nothing here needs the server.
//!
//! The lab holds no socket semantics of its own: [`runner::Runner`] wraps
//! the engine's `Timeline`, and every section draws what the engine
//! reports. One file per concept under `queues/`:
//!
//! - `runner`: the timeline plus the recent events and chart samples;
//! - `url_state`: the whole state in the address (a link replays it);
//! - `layout`, `topics`, `canvas`, `dots`: the SVG drawing of nodes,
//!   sockets, pipes, moving messages and drops; nodes drag, ports connect;
//! - `controls`: play, step, step back, speed, seed, reset, scrubber, keys;
//! - `caption` ("What just happened", both languages), `log` (the events,
//!   synced both ways with the canvas), `inspector`, `editor`, `charts`,
//!   `scenarios` (presets, sharing, export and import);
//! - `bench`: the engine's workloads callable from the page, for
//!   docs/BENCHMARKS.md; `text`: every string in English and Chinese.
//!
//! [`QueueLab`] takes its options as [`LabParams`] so a widget
//! (`/embed/queues`) can show it without the page's chrome.

mod canvas;
mod caption;
mod charts;
mod controls;
mod dots;
mod editor;
mod inspector;
mod layout;
mod live;
mod log;
mod runner;
mod scenarios;
mod text;
mod topics;
mod url_state;

use std::{collections::BTreeMap, sync::Arc};

use fanout_shared::{
    sim::{
        Action, Caption, Event, NodeId, PiTally, Recording, Topology, WireMsg,
        timeline::ScenarioRef,
    },
    socket::{ConnId, MsgId, SocketId},
    time::Tick,
};
use leptos::prelude::*;

pub use self::url_state::{Controls, LabParams};
use self::{
    layout::Structure,
    runner::{Bounds, Runner},
    text::{QueueTexts, texts},
};
use crate::{
    embed::{HostCommand, post_event, use_embed, use_host_commands},
    i18n::{Lang, use_lang},
};

/// How many of the most recent events the log shows.
pub const LOG_SHOWN: usize = 120;
/// The most messages drawn in flight at once.
pub const MAX_DOTS: usize = 2500;
/// Wall time a frame may spend simulating before it lets the page paint.
const FRAME_BUDGET_MS: f64 = 9.0;
/// While playing, the messages move every frame ([`Motion`]) but the rest
/// of the page (counters, captions, depth bars: [`Snap`]) is redrawn at
/// most this often. Numbers changing sixty times a second cannot be read
/// anyway, and redrawing them every frame was most of a frame's work.
const SNAP_EVERY_MS: f64 = 50.0;

/// What the learner has selected on the canvas, in the log or inspector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    #[default]
    None,
    Node(NodeId),
    Socket(SocketId),
    /// A connection (its one or two pipes).
    Conn(ConnId),
    Msg(MsgId),
}

/// Everything the page draws, taken from the runner after each change.
#[derive(Debug)]
pub struct Snap {
    pub topo: Topology,
    pub structure: Structure,
    pub steps: u64,
    pub now: Tick,
    pub horizon: u64,
    pub bounds: Bounds,
    pub tally: Option<PiTally>,
    pub digest: String,
    /// The most recent events (oldest first) with their caption facts.
    pub log: Vec<(Event, Caption)>,
    pub scenario: ScenarioRef,
    pub scenario_name: String,
    pub seed: u64,
    pub edits: usize,
    /// Nothing is scheduled any more (or the locked range ends here).
    pub ended: bool,
}

impl Snap {
    fn of(r: &Runner) -> Snap {
        let sim = r.timeline().sim();
        let topo = sim.topology();
        let skip = r.log().len().saturating_sub(LOG_SHOWN);
        Snap {
            structure: Structure::of(&topo),
            topo,
            steps: r.steps(),
            now: r.now(),
            horizon: r.horizon(),
            bounds: r.bounds,
            tally: sim.pi_tally(),
            digest: sim.trace_digest(),
            log: r
                .log()
                .iter()
                .skip(skip)
                .map(|e| (e.clone(), sim.caption_facts(e)))
                .collect(),
            scenario: r.scenario().clone(),
            scenario_name: r.resolved().name.clone(),
            seed: sim.seed(),
            edits: r.actions().len(),
            ended: sim.next_time().is_none() || !r.can_step(),
        }
    }

    pub fn last(&self) -> Option<&(Event, Caption)> {
        self.log.last()
    }

    pub fn node_name(&self, id: NodeId) -> &str {
        self.topo
            .nodes
            .get(id.0 as usize)
            .map_or("?", |n| n.name.as_str())
    }

    /// `node.socket`
    pub fn socket_label(&self, id: SocketId) -> String {
        match self.topo.sockets.get(id.0 as usize) {
            Some(s) => format!("{}.{}", self.node_name(s.node), s.name),
            None => "?".into(),
        }
    }
}

/// The messages in flight and the virtual clock: all the dots (and the
/// legend of topics on the wires) need. Kept apart from [`Snap`] because
/// while playing it changes every frame and the rest does not.
#[derive(Debug, Default)]
pub struct Motion {
    pub wire: Vec<WireMsg>,
    pub now: Tick,
}

impl Motion {
    fn of(r: &Runner) -> Motion {
        Motion {
            wire: r.timeline().sim().in_flight(MAX_DOTS),
            now: r.now(),
        }
    }
}

/// The lab's state. Every field is a signal or a stored value, so `Lab`
/// is `Copy` and handed to each section.
#[derive(Clone, Copy)]
pub struct Lab {
    runner: StoredValue<Runner>,
    pub snap: RwSignal<Arc<Snap>>,
    /// The dots' part of the snapshot, refreshed every frame while playing
    /// (`snap` follows every `SNAP_EVERY_MS`).
    pub motion: RwSignal<Arc<Motion>>,
    /// Bumped when the charts should redraw (at most a few times a second
    /// while playing).
    pub charts_rev: RwSignal<u64>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    /// Playing slower than asked: the machine cannot keep up.
    pub behind: RwSignal<bool>,
    pub selection: RwSignal<Selection>,
    /// The event picked in the log (its step).
    pub focus_step: RwSignal<Option<u64>>,
    /// Where the learner dragged nodes (by name, so a reload of the same
    /// scenario keeps them).
    pub moved: RwSignal<BTreeMap<String, (f64, f64)>>,
    /// A scenario or link that could not be opened, in words.
    pub load_error: RwSignal<Option<String>>,
    pub lang: Signal<Lang>,
    /// A widget does not rewrite its address.
    pub embedded: bool,
    /// The page is in a live room (`live`): the snapshot comes from the
    /// server's stream, so the local run neither moves nor redraws.
    pub live: RwSignal<bool>,
    looping: StoredValue<bool>,
    last_url_sync: StoredValue<f64>,
    last_chart: StoredValue<f64>,
    last_snap: StoredValue<f64>,
    carry: StoredValue<f64>,
}

impl Lab {
    fn new(params: &LabParams, embedded: bool) -> Lab {
        let bounds = Bounds {
            from: params.from.unwrap_or(0),
            to: params.to,
        };
        let mut problems = params.problems.clone();
        let mut runner = match Runner::from_recording(&params.recording()) {
            Ok(r) => r,
            Err(e) => {
                problems.push(e);
                Runner::new(ScenarioRef::Preset("pi".into()), params.seed)
                    .or_else(|_| Runner::new(ScenarioRef::Preset("pi".into()), 1))
                    .expect("the pi preset always loads")
            }
        };
        runner.bounds = bounds;
        if runner.steps() < bounds.from || bounds.to.is_some_and(|to| runner.steps() > to) {
            runner.seek(runner.steps());
        }
        let snap = Arc::new(Snap::of(&runner));
        let motion = Arc::new(Motion::of(&runner));
        Lab {
            runner: StoredValue::new(runner),
            motion: RwSignal::new(motion),
            snap: RwSignal::new(snap),
            charts_rev: RwSignal::new(0),
            playing: RwSignal::new(false),
            speed: RwSignal::new(params.speed),
            behind: RwSignal::new(false),
            selection: RwSignal::new(Selection::None),
            focus_step: RwSignal::new(None),
            moved: RwSignal::new(BTreeMap::new()),
            load_error: RwSignal::new((!problems.is_empty()).then(|| problems.join("; "))),
            lang: use_lang(),
            embedded,
            live: RwSignal::new(false),
            looping: StoredValue::new(false),
            last_url_sync: StoredValue::new(0.0),
            last_chart: StoredValue::new(0.0),
            last_snap: StoredValue::new(0.0),
            carry: StoredValue::new(0.0),
        }
    }

    pub fn texts(self) -> &'static QueueTexts {
        texts(self.lang.get())
    }

    /// Reads the runner (untracked: pair with `snap` for reactivity);
    /// `None` while live, when the runner is not what the page shows.
    pub fn with_runner<U>(self, f: impl FnOnce(&Runner) -> U) -> Option<U> {
        if self.live.get_untracked() {
            return None;
        }
        self.runner.try_with_value(f)
    }

    /// Takes a new snapshot after the runner changed.
    fn refresh(self, charts: bool) {
        if self.live.get_untracked() {
            return;
        }
        if let Some((snap, motion)) = self.runner.try_with_value(|r| (Snap::of(r), Motion::of(r))) {
            if self.embedded {
                self.tell_host(&snap);
            }
            self.show(snap, motion);
            if charts {
                self.charts_rev.update(|r| *r += 1);
            }
        }
    }

    /// Shows a new state: the whole page, dots included.
    pub fn show(self, snap: Snap, motion: Motion) {
        self.motion.set(Arc::new(motion));
        self.snap.set(Arc::new(snap));
    }

    /// Moves the dots only (between two snapshots while playing).
    fn refresh_motion(self) {
        if self.live.get_untracked() {
            return;
        }
        if let Some(motion) = self.runner.try_with_value(Motion::of) {
            self.motion.set(Arc::new(motion));
        }
    }

    /// A widget tells its host page where it is (docs/embedding.md): a
    /// `step` event per change (so at most 20 a second while playing)
    /// and a `pi` event when the tally changed.
    fn tell_host(self, snap: &Snap) {
        let old = self
            .snap
            .with_untracked(|s| (s.steps, s.tally.as_ref().map(|t| t.q)));
        if old.0 != snap.steps {
            post_event(
                "step",
                serde_json::json!({ "step": snap.steps, "time_us": snap.now.0 }),
            );
        }
        if let Some(t) = &snap.tally
            && old.1 != Some(t.q)
        {
            post_event(
                "pi",
                serde_json::json!({ "step": snap.steps, "pi": t.estimate, "samples": t.q }),
            );
        }
    }

    /// Obeys a host page's command (widgets only).
    fn obey(self, command: HostCommand) {
        match command {
            HostCommand::Play => self.play(),
            HostCommand::Pause => self.pause(),
            HostCommand::Step => self.step(),
            HostCommand::Seek(step) => self.seek(step),
            HostCommand::Load { scenario, seed } => {
                let seed = seed.unwrap_or_else(|| self.snap.with_untracked(|s| s.seed));
                match url_state::parse_scenario(&scenario) {
                    Ok(scenario) => self.load(scenario, seed),
                    Err(e) => self.load_error.set(Some(e)),
                }
            }
        }
    }

    fn changed(self) {
        self.refresh(true);
        self.sync_url();
    }

    pub fn step(self) {
        if self.live.get_untracked() {
            return;
        }
        self.pause();
        self.runner.update_value(|r| {
            r.step();
        });
        self.changed();
    }

    pub fn back(self) {
        if self.live.get_untracked() {
            return;
        }
        self.pause();
        self.runner.update_value(|r| r.back(1));
        self.changed();
    }

    pub fn seek(self, step: u64) {
        if self.live.get_untracked() {
            return;
        }
        self.pause();
        self.runner.update_value(|r| r.seek(step));
        self.changed();
    }

    /// Starts again from event 0 with the same scenario and seed (edits
    /// discarded).
    pub fn reset(self, seed: u64) {
        let scenario = self.snap.with_untracked(|s| s.scenario.clone());
        self.load(scenario, seed);
    }

    /// Opens another scenario (or seed) at event 0.
    pub fn load(self, scenario: ScenarioRef, seed: u64) {
        let result = self.open(&Recording {
            scenario,
            seed,
            actions: Vec::new(),
            step: 0,
            time: Tick::ZERO,
        });
        if let Err(e) = result {
            self.load_error.set(Some(e));
        }
    }

    /// Opens a recorded position (an imported file, a host page's
    /// command); a refusal leaves the current run as it was.
    pub fn open(self, rec: &Recording) -> Result<(), String> {
        self.pause();
        let mut runner = Runner::from_recording(rec)?;
        let bounds = self.runner.with_value(|r| r.bounds);
        runner.bounds = bounds;
        runner.seek(runner.steps());
        let same = self
            .snap
            .with_untracked(|s| s.scenario_name == runner.resolved().name);
        if !same {
            self.moved.set(BTreeMap::new());
        }
        self.runner.set_value(runner);
        self.load_error.set(None);
        self.selection.set(Selection::None);
        self.focus_step.set(None);
        self.changed();
        Ok(())
    }

    /// Applies an edit; a refusal is returned for the place the learner
    /// acted to show.
    pub fn apply(self, action: Action) -> Result<(), String> {
        if self.live.get_untracked() {
            return Err("a live room is edited on the server, not in this page".into());
        }
        let result = self
            .runner
            .try_update_value(|r| r.apply(action))
            .unwrap_or_else(|| Err("the lab is closed".into()));
        if result.is_ok() {
            self.changed();
        }
        result
    }

    /// Several edits that stand or fall together (tried on a copy first).
    pub fn apply_all(self, actions: Vec<Action>) -> Result<(), String> {
        self.with_runner(|r| r.dry_run(&actions))
            .unwrap_or_else(|| Err("the lab is closed".into()))?;
        for action in actions {
            self.apply(action)?;
        }
        Ok(())
    }

    pub fn pause(self) {
        if self.playing.get_untracked() {
            self.playing.set(false);
            self.behind.set(false);
            // The page may be up to `SNAP_EVERY_MS` behind the run.
            self.refresh(false);
            self.sync_url();
        }
    }

    pub fn play(self) {
        if self.live.get_untracked() || self.snap.with_untracked(|s| s.ended) {
            return;
        }
        self.playing.set(true);
        if !self.looping.get_value() {
            self.looping.set_value(true);
            self.carry.set_value(0.0);
            let start = now_ms();
            request_animation_frame(move || self.frame(start));
        }
    }

    pub fn toggle(self) {
        if self.playing.get_untracked() {
            self.pause();
        } else {
            self.play();
        }
    }

    /// One animation frame of play: virtual time advances by the wall
    /// time since the last frame times the speed.
    fn frame(self, last: f64) {
        if self.playing.try_get_untracked() != Some(true) {
            let _ = self.looping.try_set_value(false);
            return;
        }
        let now = now_ms();
        let wall = (now - last).clamp(0.0, 100.0);
        let speed = self.speed.get_untracked();
        let advance = wall * 1000.0 * speed + self.carry.get_value();
        let whole = advance.floor();
        self.carry.set_value(advance - whole);
        let started = now_ms();
        let mut reached = false;
        let mut stop = false;
        self.runner.update_value(|r| {
            let target = r.now().saturating_add(Tick(whole as u64));
            loop {
                let (_, done) = r.play_until(target, 2048);
                if done {
                    reached = true;
                    break;
                }
                if !r.can_step() || r.timeline().sim().next_time().is_none() {
                    stop = true;
                    break;
                }
                if now_ms() - started > FRAME_BUDGET_MS {
                    break;
                }
            }
            if r.timeline().sim().next_time().is_none() || !r.can_step() {
                stop = true;
            }
        });
        self.behind.set(!reached && !stop);
        if stop || now - self.last_snap.get_value() >= SNAP_EVERY_MS {
            self.last_snap.set_value(now);
            self.refresh(false);
        } else {
            self.refresh_motion();
        }
        if now - self.last_chart.get_value() > 250.0 {
            self.last_chart.set_value(now);
            self.charts_rev.update(|r| *r += 1);
        }
        if now - self.last_url_sync.get_value() > 1000.0 {
            self.sync_url();
        }
        if stop {
            self.playing.set(false);
            self.behind.set(false);
            self.looping.set_value(false);
            self.charts_rev.update(|r| *r += 1);
            self.sync_url();
            return;
        }
        request_animation_frame(move || self.frame(now));
    }

    /// Writes the state into the address bar (not in a widget).
    pub fn sync_url(self) {
        if self.embedded || self.live.get_untracked() {
            return;
        }
        let _ = self.last_url_sync.try_set_value(now_ms());
        let Some(query) = self.with_runner(|r| {
            let current = window().location().search().unwrap_or_default();
            let last_time = r.log().back().map(|e| e.time);
            url_state::query_for(&current, &r.recording(), last_time)
        }) else {
            return;
        };
        let path = window().location().pathname().unwrap_or_default();
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("{path}{query}")),
            );
        }
    }

    /// The address that reproduces this state.
    pub fn link(self) -> String {
        let location = window().location();
        let origin = location.origin().unwrap_or_default();
        let path = location.pathname().unwrap_or_default();
        let path = path.replacen("/embed/queues", "/queues", 1);
        let query = self
            .with_runner(|r| {
                let current = location.search().unwrap_or_default();
                let last_time = r.log().back().map(|e| e.time);
                url_state::query_for(&current, &r.recording(), last_time)
            })
            .unwrap_or_default();
        format!("{origin}{path}{query}")
    }
}

pub fn now_ms() -> f64 {
    window()
        .performance()
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// The route (`/queues`, and `/embed/queues` as a widget): reads the
/// lab's parameters from the address.
#[component]
pub fn QueuesLab() -> impl IntoView {
    let search = window().location().search().unwrap_or_default();
    let params = LabParams::from_query(&search);
    let embedded = use_embed().is_some();
    view! { <QueueLab params embedded /> }
}

/// The queue lab itself. `embedded` drops the page's heading, the editor
/// and the scenario bar, and leaves the address alone; `params.controls`
/// chooses how many controls show.
#[component]
pub fn QueueLab(
    params: LabParams,
    #[prop(optional)] embedded: bool,
    /// Where the "Run live" button goes once the live broker exists: it
    /// is drawn in the control bar, beside the simulation's own controls.
    #[prop(optional, into)]
    live: Option<ViewFn>,
) -> impl IntoView {
    let lab = Lab::new(&params, embedded);
    let t = move || lab.texts();
    controls::keyboard(lab);
    if embedded {
        if let Some(commands) = use_host_commands() {
            // Only commands sent after the lab was drawn, plus the latest
            // one before (the host may have sent it while we loaded).
            Effect::new(move |_| {
                if let Some((_, command)) = commands.get() {
                    lab.obey(command);
                }
            });
        }
        post_event(
            "step",
            serde_json::json!({ "step": lab.snap.with_untracked(|s| s.steps), "time_us": lab.snap.with_untracked(|s| s.now.0) }),
        );
    }
    if params.autoplay {
        request_animation_frame(move || lab.play());
    }
    on_cleanup(move || {
        let _ = lab.playing.try_set(false);
    });
    let full = params.controls == Controls::Full;

    view! {
        <section
            class="lab queue-lab"
            class:embedded=embedded
            aria-labelledby="queues-title"
            data-step=move || lab.snap.with(|s| s.steps.to_string())
            data-time=move || lab.snap.with(|s| s.now.0.to_string())
            data-digest=move || lab.snap.with(|s| s.digest.clone())
            data-playing=move || lab.playing.get().to_string()
        >
            <Show when=move || !embedded>
                <crate::embed_button::EmbedButton lab=fanout_shared::embed::Lab::Queues link=Signal::derive(move || { lab.snap.track(); lab.link() }) />
                <h1 id="queues-title">{move || t().title}</h1>
                <p class="lede">{move || t().lede}</p>
            </Show>
            {move || {
                lab.load_error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="notice problem" role="alert">
                                {move || t().load_problem}
                                " "
                                {e}
                            </p>
                        }
                    })
            }}
            <Show when=move || full && !embedded && !lab.live.get()>
                <scenarios::ScenarioBar lab />
            </Show>
            <Show when=move || params.controls != Controls::None && !lab.live.get()>
                <controls::ControlBar lab full live=live.clone() />
            </Show>
            <Show when=move || !embedded>
                <live::LiveRoom lab />
            </Show>
            <caption::WhatJustHappened lab />
            <charts::PiReadout lab />
            <div class="queue-stage">
                // Cards are keyed by node id and keep their names: entering or
                // leaving a live room (another run, maybe another scenario)
                // draws the canvas afresh.
                {move || {
                    lab.live.track();
                    view! { <canvas::Canvas lab /> }
                }}
                <Show when=move || full>
                    <inspector::Inspector lab />
                </Show>
            </div>
            <Show when=move || full>
                <div class="queue-lower">
                    <log::EventLog lab />
                    <Show when=move || !lab.live.get()>
                        <charts::Charts lab />
                    </Show>
                </div>
                <Show when=move || !lab.live.get()>
                    <editor::Editor lab />
                </Show>
            </Show>
        </section>
    }
}
