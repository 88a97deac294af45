//! The offline lab's stand-in for the server: two cache nodes of the
//! shared model (`fanout_shared::cache`, the code the server's memcached
//! nodes run) in the browser, answering the same protocol frames as the
//! server and pushing the same `cache_events` and warm-up frames, so the
//! rest of the lab cannot tell the difference and holds no semantics of its
//! own.
//!
//! Time is virtual: the model's clock is the browser's plus whatever the
//! learner skipped ahead, and the warm-up experiment does not wait for its
//! pretend cost but adds it to a computed run time
//! ([`warmup::virtual_elapsed_us`]).

use std::{
    cell::{Cell, RefCell},
    collections::BTreeMap,
    rc::Rc,
    time::Duration,
};

use fanout_shared::{
    cache::{
        Cache, ConnId, Event, Refusal,
        lab_ops::{self, CacheOp, CacheOutcome},
        refusal, restart,
        warmup::{self, Warmup, WarmupParams},
    },
    protocol::{CacheFrame, CacheNodeInfo, ClientFrame, ServerFrame, WarmupFrame, WarmupStart},
};
use leptos::prelude::*;

/// How many model nodes stand in for the server's.
pub const NODES: usize = 2;
/// Each model node's memory, as the server's default (`--cache-memory 64`).
pub const LIMIT_BYTES: u64 = 64 << 20;
/// The learner's connection number in the model.
pub const ME: ConnId = 1;
/// The model warm-up's connection number.
pub const WARMUP_CONN: ConnId = 2;
/// Events gathered into one frame, as on the server.
const COALESCE: Duration = Duration::from_millis(50);
const MAX_EVENTS_PER_FRAME: usize = 500;
/// Real time between the warm-up's runs, so the chart grows run by run.
const RUN_PAUSE: Duration = Duration::from_millis(350);
/// Slots the periodic expiry sweep examines each second.
const SWEEP_BUDGET: usize = 20_000;

type Listener = Rc<dyn Fn(&ServerFrame)>;

struct RunningWarmup {
    node: usize,
    experiment: Warmup,
    /// Distinguishes this experiment from a later one in pending timers.
    serial: u64,
}

/// The model server of this page.
pub struct Model {
    nodes: RefCell<Vec<Cache>>,
    /// Skipped ahead on the virtual clock, in ms.
    offset_ms: Cell<f64>,
    listeners: RefCell<BTreeMap<u64, Listener>>,
    next_key: Cell<u64>,
    flush_scheduled: Cell<bool>,
    warmup: RefCell<Option<RunningWarmup>>,
    serial: Cell<u64>,
}

thread_local! {
    static MODEL: RefCell<Option<Rc<Model>>> = const { RefCell::new(None) };
}

/// The page's model, created (and its expiry sweep started) on first use.
pub fn model() -> Rc<Model> {
    if let Some(model) = MODEL.with(|slot| slot.borrow().clone()) {
        return model;
    }
    let model = Rc::new(Model {
        nodes: RefCell::new(
            (0..NODES)
                .map(|_| {
                    let mut cache = Cache::new(LIMIT_BYTES);
                    cache.record_events(true);
                    cache
                })
                .collect(),
        ),
        offset_ms: Cell::new(0.0),
        listeners: RefCell::new(BTreeMap::new()),
        next_key: Cell::new(1),
        flush_scheduled: Cell::new(false),
        warmup: RefCell::new(None),
        serial: Cell::new(0),
    });
    MODEL.with(|slot| *slot.borrow_mut() = Some(Rc::clone(&model)));
    // The nodes' periodic sweep, for the life of the page.
    let sweeper = Rc::clone(&model);
    let _ = set_interval_with_handle(
        move || {
            let now = sweeper.now_s();
            for cache in sweeper.nodes.borrow_mut().iter_mut() {
                cache.sweep(now, SWEEP_BUDGET);
            }
            sweeper.schedule_flush();
        },
        Duration::from_secs(1),
    );
    model
}

impl Model {
    /// The virtual clock, in ms since the unix epoch.
    pub fn now_ms(&self) -> f64 {
        js_sys::Date::now() + self.offset_ms.get()
    }

    fn now_s(&self) -> u64 {
        (self.now_ms() / 1000.0) as u64
    }

    /// Moves the virtual clock forward (items expire sooner).
    pub fn skip(self: &Rc<Self>, seconds: u64) {
        self.offset_ms
            .set(self.offset_ms.get() + seconds as f64 * 1000.0);
        let now = self.now_s();
        for cache in self.nodes.borrow_mut().iter_mut() {
            cache.sweep(now, SWEEP_BUDGET);
        }
        self.schedule_flush();
    }

    /// Calls `handler` with every frame the model pushes, until the calling
    /// component is cleaned up.
    pub fn listen(self: &Rc<Self>, handler: impl Fn(&ServerFrame) + 'static) {
        let key = self.next_key.get();
        self.next_key.set(key + 1);
        self.listeners.borrow_mut().insert(key, Rc::new(handler));
        // Cleanup closures must be Send: find the model again rather than
        // capture it.
        on_cleanup(move || {
            if let Some(model) = MODEL.with(|slot| slot.borrow().clone()) {
                model.listeners.borrow_mut().remove(&key);
            }
        });
    }

    fn push(&self, frame: &ServerFrame) {
        let listeners: Vec<_> = self.listeners.borrow().values().cloned().collect();
        for listener in listeners {
            listener(frame);
        }
    }

    /// Sends the nodes' recorded events after a short gathering window.
    fn schedule_flush(self: &Rc<Self>) {
        if self.flush_scheduled.replace(true) {
            return;
        }
        let model = Rc::clone(self);
        set_timeout(
            move || {
                model.flush_scheduled.set(false);
                model.flush();
            },
            COALESCE,
        );
    }

    fn flush(&self) {
        let frames: Vec<_> = self
            .nodes
            .borrow_mut()
            .iter_mut()
            .enumerate()
            .filter_map(|(node, cache)| {
                let mut events: Vec<Event> = cache.drain_events();
                if events.is_empty() {
                    return None;
                }
                // Like the server: the newest events are sent, the rest
                // counted, and the counters are exact.
                let skipped = events.len().saturating_sub(MAX_EVENTS_PER_FRAME);
                events.drain(..skipped);
                Some(ServerFrame::CacheEvents {
                    node,
                    events,
                    skipped: skipped as u64,
                    stats: cache.stats().clone(),
                })
            })
            .collect();
        for frame in &frames {
            self.push(frame);
        }
    }

    fn check_node(&self, node: usize) -> Result<(), Refusal> {
        refusal::check_node(node, NODES)
    }

    /// Answers a request frame as the server would.
    pub fn handle(self: &Rc<Self>, frame: ClientFrame) -> Result<ServerFrame, Refusal> {
        let now = self.now_s();
        let answer = self.answer(frame, now);
        self.schedule_flush();
        answer
    }

    fn answer(self: &Rc<Self>, frame: ClientFrame, now: u64) -> Result<ServerFrame, Refusal> {
        match frame {
            ClientFrame::Cache(CacheFrame::Nodes(request)) => Ok(ServerFrame::CacheNodes {
                nodes: self
                    .nodes
                    .borrow()
                    .iter()
                    .enumerate()
                    .map(|(node, cache)| CacheNodeInfo {
                        node,
                        addr: format!("model:{node}"),
                        limit_bytes: cache.limit(),
                        bytes: cache.stats().bytes,
                        items: cache.stats().curr_items,
                        connections: 0,
                        bump_interval: cache.bump_interval(),
                    })
                    .collect(),
                // The browser observes no real memcached.
                observed: Vec::new(),
                conn: ME,
                id: request.id,
            }),
            ClientFrame::Cache(CacheFrame::Watch(request))
            | ClientFrame::Cache(CacheFrame::Unwatch(request)) => {
                self.check_node(request.node)?;
                Ok(ServerFrame::CacheWatching {
                    node: request.node,
                    watching: true,
                    id: request.id,
                })
            }
            ClientFrame::Cache(
                frame @ (CacheFrame::Snapshot(_)
                | CacheFrame::Get(_)
                | CacheFrame::Set(_)
                | CacheFrame::Delete(_)
                | CacheFrame::Touch(_)
                | CacheFrame::Flush(_)
                | CacheFrame::Limit(_)),
            ) => {
                let node = lab_ops::addressed_node(&frame).unwrap_or(usize::MAX);
                self.check_node(node)?;
                let mut nodes = self.nodes.borrow_mut();
                lab_ops::apply(&mut nodes[node], frame, now, ME)
                    .unwrap_or(Err(Refusal::NotALabOperation))
            }
            ClientFrame::Cache(CacheFrame::Restart(request)) => {
                self.check_node(request.node)?;
                restart::restart(&mut self.nodes.borrow_mut()[request.node], now);
                let (op, outcome) = (CacheOp::Restart, CacheOutcome::Ok);
                Ok(lab_ops::result_frame(
                    request.node,
                    op,
                    None,
                    outcome,
                    request.id,
                ))
            }
            ClientFrame::Warmup(WarmupFrame::Start(request)) => self.start_warmup(request),
            ClientFrame::Warmup(WarmupFrame::Cancel(request)) => {
                let Some(running) = self.warmup.borrow_mut().take() else {
                    return Err(Refusal::NoWarmup);
                };
                Ok(ServerFrame::WarmupDone {
                    node: running.node,
                    runs_done: running.experiment.runs_done(),
                    cancelled: true,
                    id: request.id,
                })
            }
            // Hello, ping, rooms: not the model's business.
            _ => Err(Refusal::NotALabOperation),
        }
    }

    fn start_warmup(self: &Rc<Self>, request: WarmupStart) -> Result<ServerFrame, Refusal> {
        if let Some(running) = self.warmup.borrow().as_ref() {
            let node = running.node;
            return Err(Refusal::WarmupRunning { node });
        }
        self.check_node(request.node)?;
        let params = WarmupParams::requested(&request)?;
        let seed = request
            .seed
            .unwrap_or_else(|| (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64);
        let serial = self.serial.get() + 1;
        self.serial.set(serial);
        *self.warmup.borrow_mut() = Some(RunningWarmup {
            node: request.node,
            experiment: Warmup::new(params, seed),
            serial,
        });
        self.schedule_run(serial);
        Ok(params.started_frame(request.node, seed, WARMUP_CONN, request.id))
    }

    fn schedule_run(self: &Rc<Self>, serial: u64) {
        let model = Rc::clone(self);
        set_timeout(move || model.run_once(serial), RUN_PAUSE);
    }

    /// One run of the warm-up, all at once, timed on the virtual clock.
    fn run_once(self: &Rc<Self>, serial: u64) {
        let now = self.now_s();
        let mut slot = self.warmup.borrow_mut();
        let Some(running) = slot.as_mut().filter(|running| running.serial == serial) else {
            return; // cancelled
        };
        let mut nodes = self.nodes.borrow_mut();
        let cache = &mut nodes[running.node];
        let evictions_before = cache.stats().evictions;
        let tally = running.experiment.run_on(cache, now, WARMUP_CONN);
        let params = running.experiment.params();
        let stats = cache.stats().clone();
        let node = running.node;
        let finished = running.experiment.is_finished();
        let runs_done = running.experiment.runs_done();
        if finished {
            *slot = None;
        }
        drop(nodes);
        drop(slot);
        self.push(&ServerFrame::WarmupRun {
            node,
            run: tally.run,
            runs: params.runs,
            requests: tally.requests,
            hits: tally.hits,
            misses: tally.misses,
            elapsed_us: warmup::virtual_elapsed_us(&tally, params.cost_ms),
            compute_ms: tally.compute_ms(params.cost_ms),
            evictions: stats.evictions.saturating_sub(evictions_before),
            items: stats.curr_items,
            bytes: stats.bytes,
            limit_bytes: stats.limit_maxbytes,
        });
        self.schedule_flush();
        if finished {
            self.push(&ServerFrame::WarmupDone {
                node,
                runs_done,
                cancelled: false,
                id: None,
            });
        } else {
            self.schedule_run(serial);
        }
    }
}
