//! The queue lab (`/queues`): message flows in the ZeroMQ style, stepped on
//! virtual time by the shared engine running in the browser (lessons 7–12
//! of the chapter), or run live by the server as a room others join.
//!
//! The lab holds no socket semantics of its own: [`runner::Runner`] wraps
//! the engine's `Timeline`, a live room's feed is the engine's own views,
//! and every section draws what the engine reports. [`QueueLab`] is the
//! lab's state; [`mode::Mode`] says whether the page shows its own run or
//! a live room. One file per concept under `queues/`:
//!
//! - `runner`: the timeline plus the recent events and chart samples;
//!   `connect`: what dropping one port on another asks the engine;
//! - `snap`: what the page draws, from a run or a room; `mode`: local or
//!   live; `playback`: play, step, seek; `problem`: what the lab refuses;
//! - `url_state`: the whole state in the address (a link replays it);
//! - `layout`, `topics`, `canvas` (+ `canvas/`), `dots`: the SVG drawing of
//!   nodes, sockets, pipes, moving messages and drops; nodes drag, ports
//!   connect;
//! - `controls`: play, step, step back, speed, seed, reset, scrubber, keys;
//! - `caption` ("What just happened", both languages), `log` (the events,
//!   synced both ways with the canvas), `inspector` (+ `inspector/`),
//!   `editor`, `charts`, `scenarios` (presets, sharing, export and import);
//! - `live` (+ `live/`): "Run live", a room's feed, joining by code;
//! - `text`: every sentence in English and Chinese.
//!
//! [`QueueLabView`] takes its options as [`LabParams`] so a widget
//! (`/embed/queues`) can show it without the page's chrome.

mod canvas;
mod caption;
// The reliability page leaves the charts and the editor out
// (`charts_panel`, `editor_panel`), so there their code is partly unused:
// allowed, and not linked.
#[cfg_attr(feature = "reliability", allow(dead_code))]
mod charts;
mod connect;
mod controls;
mod dots;
#[cfg_attr(feature = "reliability", allow(dead_code))]
mod editor;
mod inspector;
mod layout;
mod live;
mod log;
mod mode;
mod playback;
mod problem;
#[cfg(feature = "reliability")]
pub(crate) mod reliability;
mod runner;
mod scenarios;
mod snap;
mod text;
mod topics;
mod url_state;

use std::{collections::BTreeMap, sync::Arc};

use fanout_shared::lang::Say;
use fanout_shared::{
    lab::Lab,
    sim::{Action, NodeId, Recording, timeline::ScenarioRef},
    socket::{ConnId, MsgId, SocketId},
    time::Tick,
};
use leptos::prelude::*;

pub use self::url_state::{Controls, LabParams};
use self::{
    live::{Feed, Room},
    mode::{LiveRun, Mode},
    playback::Player,
    problem::Problem,
    runner::{Bounds, Runner},
    snap::{Motion, Snap},
    text::Texts,
};
use crate::{
    embed::{HostCommand, post_event, use_embed, use_host_commands},
    i18n::{Lang, use_lang},
};

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

/// The queue lab's state. Every field is a signal or a stored value, so
/// `QueueLab` is `Copy` and handed to each section.
#[derive(Clone, Copy)]
pub struct QueueLab {
    /// The page's own run. While the page is in a live room it waits,
    /// untouched; [`QueueLab::local`] reaches it only in [`Mode::Local`].
    runner: StoredValue<Runner>,
    /// Local or live. Switching notifies (the page redraws for the room or
    /// back); what changes inside a mode is written untracked, and shown
    /// through `snap` and `motion`.
    mode: RwSignal<Mode>,
    pub snap: RwSignal<Arc<Snap>>,
    /// The dots' part of the snapshot, refreshed every frame while playing
    /// (`snap` follows a few times a second).
    pub motion: RwSignal<Arc<Motion>>,
    /// Bumped when the charts should redraw (at most a few times a second
    /// while playing).
    pub charts_rev: RwSignal<u64>,
    pub player: Player,
    pub selection: RwSignal<Selection>,
    /// The event picked in the log (its step).
    pub focus_step: RwSignal<Option<u64>>,
    /// Where the learner dragged nodes (by name, so a reload of the same
    /// scenario keeps them).
    pub moved: RwSignal<BTreeMap<String, (f64, f64)>>,
    /// What the address (or a host page, or an import) asked for that
    /// could not be opened.
    pub load_error: RwSignal<Vec<Problem>>,
    pub lang: Signal<Lang>,
    /// A widget does not rewrite its address.
    pub embedded: bool,
    /// The page: the queue lab's, or the reliability lab's (its presets,
    /// its panels, and rooms shown by replaying their recording).
    pub page: Lab,
}

impl QueueLab {
    fn new(params: &LabParams, embedded: bool) -> QueueLab {
        let bounds = Bounds {
            from: params.from.unwrap_or(0),
            to: params.to,
        };
        let mut problems = params.problems.clone();
        let mut runner = match Runner::from_recording(&params.recording()) {
            Ok(r) => r,
            Err(e) => {
                problems.push(e);
                let preset = url_state::default_preset(params.page);
                Runner::new(ScenarioRef::Preset(preset.into()), params.seed)
                    .or_else(|_| Runner::new(ScenarioRef::Preset(preset.into()), 1))
                    .expect("a page's first preset always loads")
            }
        };
        runner.bounds = bounds;
        if runner.steps() < bounds.from || bounds.to.is_some_and(|to| runner.steps() > to) {
            runner.seek(runner.steps());
        }
        let snap = Arc::new(Snap::of(&runner));
        let motion = Arc::new(Motion::of(&runner));
        QueueLab {
            runner: StoredValue::new(runner),
            mode: RwSignal::new(Mode::Local),
            motion: RwSignal::new(motion),
            snap: RwSignal::new(snap),
            charts_rev: RwSignal::new(0),
            player: Player::new(params.speed),
            selection: RwSignal::new(Selection::None),
            focus_step: RwSignal::new(None),
            moved: RwSignal::new(BTreeMap::new()),
            load_error: RwSignal::new(problems),
            lang: use_lang(),
            embedded,
            page: params.page,
        }
    }

    pub fn texts(self) -> &'static Texts {
        Texts::of(self.lang.get())
    }

    /// Is the page in a live room? (Tracked: views redraw on a switch.)
    pub fn is_live(self) -> bool {
        self.mode.with(Mode::is_live)
    }

    /// Changes the local run, if the page shows it (`None` while live, or
    /// once the lab is gone). Pair with [`QueueLab::changed`] or
    /// [`QueueLab::refresh`] to show the change.
    pub fn local<U>(self, f: impl FnOnce(&mut Runner) -> U) -> Option<U> {
        if self.mode.try_with_untracked(Mode::is_live) != Some(false) {
            return None;
        }
        self.runner.try_update_value(f)
    }

    /// Reads the local run (untracked: pair with `snap` for reactivity);
    /// `None` while live, when the runner is not what the page shows.
    pub fn with_local<U>(self, f: impl FnOnce(&Runner) -> U) -> Option<U> {
        if self.mode.try_with_untracked(Mode::is_live) != Some(false) {
            return None;
        }
        self.runner.try_with_value(f)
    }

    /// Changes the live room's state, if the page is in one (untracked).
    fn with_live<U>(self, f: impl FnOnce(&mut LiveRun) -> U) -> Option<U> {
        self.mode
            .try_update_untracked(|mode| mode.live_mut().map(f))
            .flatten()
    }

    /// The live room this page is in (tracked).
    fn room(self) -> Option<Room> {
        self.mode
            .with(|mode| mode.live().map(|run| run.room.clone()))
    }

    /// Shows a live room instead of the local run: its snapshot first, so
    /// the canvas redrawn for the room starts from the room's nodes.
    fn enter_live(self, room: Room, feed: Feed) {
        self.pause();
        let (snap, motion) = feed.snap(&room);
        self.mode
            .update_untracked(|mode| *mode = Mode::Live(Box::new(LiveRun { room, feed })));
        self.selection.set(Selection::None);
        self.focus_step.set(None);
        self.show(snap, motion);
        self.mode.notify();
    }

    /// Back to the local run, as it was. `false` if the page was not live.
    fn leave_live(self) -> bool {
        let was_live = self
            .mode
            .try_update_untracked(|mode| std::mem::replace(mode, Mode::Local).is_live())
            == Some(true);
        if was_live {
            self.selection.set(Selection::None);
            self.focus_step.set(None);
            // The local run's snapshot first, then the page is redrawn.
            self.refresh(true);
            self.mode.notify();
        }
        was_live
    }

    /// Takes a new snapshot after the local run changed.
    fn refresh(self, charts: bool) {
        if let Some((snap, motion)) = self.with_local(|r| (Snap::of(r), Motion::of(r))) {
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
    fn show(self, snap: Snap, motion: Motion) {
        self.motion.set(Arc::new(motion));
        self.snap.set(Arc::new(snap));
    }

    /// Moves the dots only (between two snapshots while playing).
    fn refresh_motion(self) {
        if let Some(motion) = self.with_local(Motion::of) {
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
                    Err(e) => self.load_error.set(vec![e.into()]),
                }
            }
        }
    }

    /// Shows a change to the local run, and puts it in the address.
    fn changed(self) {
        self.refresh(true);
        self.sync_url();
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
            settled: false,
        });
        if let Err(e) = result {
            self.load_error.set(vec![e]);
        }
    }

    /// Opens a recorded position (an imported file, a host page's
    /// command, a live room's recording) as the local run; a refusal
    /// leaves the current run as it was.
    pub fn open(self, rec: &Recording) -> Result<(), Problem> {
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
        self.load_error.set(Vec::new());
        self.selection.set(Selection::None);
        self.focus_step.set(None);
        self.changed();
        Ok(())
    }

    /// Applies an edit; a refusal is returned for the place the learner
    /// acted to show.
    pub fn apply(self, action: Action) -> Result<(), Problem> {
        self.edit(|r| r.apply(action))
    }

    /// Connects two sockets dropped onto each other (see `connect.rs`).
    pub fn connect(self, from: SocketId, to: SocketId) -> Result<(), Problem> {
        self.edit(|r| r.connect(from, to))
    }

    /// An edit of the local run, shown when it was accepted.
    fn edit(self, f: impl FnOnce(&mut Runner) -> Result<(), Problem>) -> Result<(), Problem> {
        if self.mode.try_with_untracked(Mode::is_live) == Some(true) {
            return Err(Problem::Live);
        }
        let result = self.local(f).unwrap_or(Err(Problem::Closed));
        if result.is_ok() {
            self.changed();
        }
        result
    }

    /// Writes the state into the address bar (not in a widget, nor while
    /// live: a room's address is its join link).
    pub fn sync_url(self) {
        if self.embedded {
            return;
        }
        let _ = self.player.last_url_sync.try_set_value(now_ms());
        let Some(query) = self.with_local(|r| {
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
            .with_local(|r| {
                let current = location.search().unwrap_or_default();
                let last_time = r.log().back().map(|e| e.time);
                url_state::query_for(&current, &r.recording(), last_time)
            })
            .unwrap_or_default();
        format!("{origin}{path}{query}")
    }
}

/// What a click in a panel written as HTML picked (the reliability panels,
/// the live-room panel): the `data-pick` of the element clicked or of the
/// nearest one around it.
fn data_pick(ev: &leptos::ev::MouseEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("[data-pick]").ok().flatten())
        .and_then(|e| e.get_attribute("data-pick"))
}

pub fn now_ms() -> f64 {
    window()
        .performance()
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// "Run live" and a room's feed (on the reliability page, its replayed
/// recording: `live/replay.rs`).
fn live_panel(lab: QueueLab, embedded: bool) -> impl IntoView {
    view! {
        <Show when=move || !embedded>
            <live::LiveRoom lab />
        </Show>
    }
}

/// The reliability lab's own panels: predict then run and the fault
/// toolbar above the canvas, the guarantee meter, the brokers' queues and
/// the task table below it (`reliability.rs`). In a live room the lower
/// ones show the room (its replayed recording); of the upper ones the
/// fault toolbar is the room creator's (faults are, in a room), and the
/// prediction waits for the page's own run.
#[cfg(feature = "reliability")]
fn rel_panels(lab: QueueLab, full: bool, upper: bool) -> impl IntoView {
    // Not in a room, or this page created it.
    let may_break = move || lab.room().is_none_or(|room| room.token.is_some());
    view! {
        <Show when=move || full && (!upper || may_break())>
            {move || if upper {
                view! { <reliability::RelUpper lab /> }.into_any()
            } else {
                view! { <reliability::RelLower lab /> }.into_any()
            }}
        </Show>
    }
}

/// The queue lab has none of the reliability lab's panels.
#[cfg(not(feature = "reliability"))]
fn rel_panels(_lab: QueueLab, _full: bool, _upper: bool) -> impl IntoView {}

/// The charts beside the log (throughput, queue depths, drops), on the
/// queue lab's page.
#[cfg(not(feature = "reliability"))]
fn charts_panel(lab: QueueLab) -> impl IntoView {
    view! {
        <Show when=move || !lab.is_live()>
            <charts::Charts lab />
        </Show>
    }
}

/// The reliability page has no charts yet: they sample sockets and
/// connections, so they stay empty for broker traffic (the reliability lab's
/// own panels are issue 15). The log then takes the whole row
/// (`LOWER_CLASS`).
#[cfg(feature = "reliability")]
fn charts_panel(_lab: QueueLab) -> impl IntoView {}

/// The log's row: the log beside the charts, or the log alone where there
/// are no charts (`charts_panel`).
const LOWER_CLASS: &str = if cfg!(feature = "reliability") {
    "queue-lower log-only"
} else {
    "queue-lower"
};

/// The editor (the ZeroMQ building blocks), on the queue lab's page.
#[cfg(not(feature = "reliability"))]
fn editor_panel(lab: QueueLab) -> impl IntoView {
    view! {
        <Show when=move || !lab.is_live()>
            <editor::Editor lab />
        </Show>
    }
}

/// The reliability page has no editor yet: it offers only ZeroMQ building
/// blocks, none of the broker's or the faults' (issue 15 builds the
/// reliability lab's own); a scenario file can still be imported.
#[cfg(feature = "reliability")]
fn editor_panel(_lab: QueueLab) -> impl IntoView {}

/// The route (`/queues`, and `/embed/queues` as a widget): reads the
/// lab's parameters from the address.
#[component]
pub fn QueuesLab() -> impl IntoView {
    LabOnPage(Lab::Queues)
}

/// The reliability lab's route (`/reliability`, `/embed/reliability`): the
/// queue lab's canvas and stepper with the reliability lessons and panels,
/// in the page whose wasm carries the reliability engine.
#[cfg(feature = "reliability")]
#[component]
pub fn ReliabilityLab() -> impl IntoView {
    LabOnPage(Lab::Reliability)
}

#[allow(non_snake_case)]
fn LabOnPage(page: Lab) -> impl IntoView {
    let search = window().location().search().unwrap_or_default();
    let params = LabParams::for_page(page, &search);
    let embedded = use_embed().is_some();
    view! { <QueueLabView params embedded /> }
}

/// The queue lab itself. `embedded` drops the page's heading, the editor
/// and the scenario bar, and leaves the address alone; `params.controls`
/// chooses how many controls show.
#[component]
pub fn QueueLabView(params: LabParams, #[prop(optional)] embedded: bool) -> impl IntoView {
    let lab = QueueLab::new(&params, embedded);
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
        let _ = lab.player.playing.try_set(false);
    });
    let full = params.controls == Controls::Full;
    let reliability = lab.page == Lab::Reliability;

    view! {
        <section
            class="lab queue-lab"
            class:embedded=embedded
            aria-labelledby="queues-title"
            data-step=move || lab.snap.with(|s| s.steps.to_string())
            data-time=move || lab.snap.with(|s| s.now.0.to_string())
            data-digest=move || lab.snap.with(|s| s.digest.clone())
            data-playing=move || lab.player.playing.get().to_string()
        >
            <Show when=move || !embedded>
                <crate::embed_button::EmbedButton lab=lab.page link=Signal::derive(move || { lab.snap.track(); lab.link() }) />
                <h1 id="queues-title">
                    {move || if reliability { t().reliability_title } else { t().title }}
                </h1>
                <p class="lede">
                    {move || if reliability { t().reliability_lede } else { t().lede }}
                </p>
            </Show>
            {move || {
                let problems = lab.load_error.get();
                (!problems.is_empty())
                    .then(|| {
                        let lang = lab.lang.get();
                        let said = problems.iter().map(|p| p.say(lang)).collect::<Vec<_>>();
                        view! {
                            <p class="notice problem" role="alert">
                                {t().load_problem}
                                {said.join(t().problems_joined)}
                            </p>
                        }
                    })
            }}
            <Show when=move || full && !embedded && !lab.is_live()>
                <scenarios::ScenarioBar lab />
            </Show>
            <Show when=move || params.controls != Controls::None && !lab.is_live()>
                <controls::ControlBar lab full />
            </Show>
            {live_panel(lab, embedded)}
            {rel_panels(lab, full, true)}
            <caption::WhatJustHappened lab />
            <charts::PiReadout lab />
            <div class="queue-stage">
                // Cards are keyed by node id and keep their names: entering or
                // leaving a live room (another run, maybe another scenario)
                // draws the canvas afresh.
                {move || {
                    lab.is_live();
                    view! { <canvas::Canvas lab /> }
                }}
                <Show when=move || full>
                    <inspector::Inspector lab />
                </Show>
            </div>
            <Show when=move || full>
                {rel_panels(lab, true, false)}
                <div class=LOWER_CLASS>
                    <log::EventLog lab />
                    {charts_panel(lab)}
                </div>
                {editor_panel(lab)}
            </Show>
        </section>
    }
}
