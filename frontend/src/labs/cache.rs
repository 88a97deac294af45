//! The cache lab (`/cache`): lessons 1–5 of the chapter on real memcached
//! nodes, or on the same cache model in the browser when no server is
//! reachable.
//!
//! - `nodes`: every node side by side: keys in LRU order with size and a
//!   live TTL countdown, the memory bar, the counters, the live feed
//!   (whoever acts, including programs outside the browser), and the
//!   node's limit, flush and restart;
//! - `tryit`: get, set, delete and touch by hand;
//! - `warmup`: the chapter's `compute_square` experiment, charted run by
//!   run;
//! - `staleness`: a pretend database beside the cache, updated under the
//!   chapter's three remedies for stale data (the experiment is the shared
//!   stepper `fanout_shared::cache::staleness`; the panel only sends its
//!   requests and draws its reports); `stampede`, its fourth remedy:
//!   a hot key expiring under many readers, with and without memcached's
//!   meta win flags, on virtual time;
//! - `slabs`: memcached's memory, slab classes: where items of a chosen
//!   size land, the waste per chunk, pages per class, and memory stranded
//!   in the wrong class (the shared `fanout_shared::cache::slab_lab`);
//! - `backend` and `model`: where the frames go (the server, or the model
//!   in the browser, which answers the same frames);
//! - `node_state`: what the lab knows about a node; `text`: every sentence
//!   in English and Chinese (`Texts::of(lang)`), facts put into words by
//!   one exhaustive table per language.
//!
//! [`CacheLab`] names both the page's component and the lab's state (the
//! signals every panel is given): Rust keeps types and functions apart,
//! and the two are the same lab.
//!
//! The lab holds no cache semantics of its own: it draws what the nodes
//! (or the shared model and experiments) report.

mod backend;
mod model;
mod node_state;
mod nodes;
mod slabs;
mod staleness;
mod stampede;
mod text;
mod tryit;
mod warmup;

use std::time::Duration;

use fanout_shared::{
    cache::{ConnId, Stats},
    protocol::{
        CacheFrame, CacheNodeRef, CacheNodes, CacheSnapshotRequest, ClientFrame, ObservedLink,
        ServerFrame,
    },
};
use leptos::{prelude::*, task::spawn_local};

use self::{
    backend::{Backend, LabError, Mode},
    node_state::{KEEP, LEAVING_MS, NodeState, hit_ratio},
    text::Texts,
};
use super::NeedsServer;
use crate::{
    connection::{LinkState, Server},
    embed::{post_event, use_embed},
    i18n::{Lang, use_lang},
};

/// One node as the lab shows it.
#[derive(Debug, Clone)]
pub struct NodeHandle {
    pub id: usize,
    /// Its memcached address (or `model:N` offline).
    pub addr: String,
    pub state: RwSignal<NodeState>,
    /// Which load of the node list it belongs to (cards are redrawn when
    /// the list is reloaded, e.g. after a reconnection).
    pub generation: u64,
    /// For a real memcached the server observes (read-only): how the
    /// server's link to it stands.
    pub real: Option<RwSignal<ObservedLink>>,
    /// How many seconds an item stays in place after a move to the head
    /// (`None` for an observed memcached, whose settings are its own).
    pub bump_interval: Option<u64>,
}

/// Who caused an event, as the feed says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// This browser tab.
    You,
    /// This tab's warm-up experiment.
    Warmup,
    /// The cache itself (expiry sweep, restart, limit change).
    Cache,
    /// Another connection: a TCP client or another tab.
    Other(ConnId),
}

impl Who {
    pub fn key(self) -> &'static str {
        match self {
            Who::You => "you",
            Who::Warmup => "warmup",
            Who::Cache => "cache",
            Who::Other(_) => "outside",
        }
    }
}

/// The cache lab's state, shared by its panels; every field is a signal,
/// so it is `Copy`.
#[derive(Clone, Copy)]
pub struct CacheLab {
    server: Server,
    pub mode: RwSignal<Mode>,
    pub nodes: RwSignal<Vec<NodeHandle>>,
    /// The real memcached servers the server observes, shown after the
    /// nodes and never acted on (the other panels see only `nodes`).
    pub observed: RwSignal<Vec<NodeHandle>>,
    generation: RwSignal<u64>,
    /// This tab's connection number (events carrying it are "you").
    pub me: RwSignal<Option<ConnId>>,
    /// The connection number of this tab's warm-up experiment.
    pub warmup_conn: RwSignal<Option<ConnId>>,
    /// The backend's clock in ms, updated every second (TTL countdowns).
    pub clock: RwSignal<f64>,
    /// The interface language.
    pub lang: Signal<Lang>,
    /// Node signals are created under the lab's owner, so they live as
    /// long as the lab, whatever reactive scope loads them.
    owner: StoredValue<Owner>,
    /// Shown as a widget: tells the host page each node's hit ratio.
    widget: bool,
}

impl CacheLab {
    fn new(server: Server) -> CacheLab {
        CacheLab {
            server,
            mode: RwSignal::new(Mode::Waiting),
            nodes: RwSignal::new(Vec::new()),
            observed: RwSignal::new(Vec::new()),
            generation: RwSignal::new(0),
            me: RwSignal::new(None),
            warmup_conn: RwSignal::new(None),
            clock: RwSignal::new(js_sys::Date::now()),
            lang: use_lang(),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            widget: use_embed().is_some(),
        }
    }

    /// A widget posts `{fanout: 1, event: "hit_ratio", node, ratio, hits,
    /// misses}` to its host page when a node's hit ratio changed
    /// (docs/embedding.md); `before` is the ratio before the update.
    /// `ratio` is `null` once a node has no reads (after a restart).
    fn report_hit_ratio(self, handle: &NodeHandle, before: Option<f64>) {
        if !self.widget {
            return;
        }
        let Some((ratio, hits, misses)) = handle.state.try_with_untracked(|state| {
            let stats = &state.stats;
            (hit_ratio(stats), stats.get_hits, stats.get_misses)
        }) else {
            return;
        };
        if ratio != before {
            post_event(
                "hit_ratio",
                serde_json::json!({ "node": handle.id, "ratio": ratio, "hits": hits, "misses": misses }),
            );
        }
    }

    /// Where frames go now (`None` while the link is being set up).
    pub fn backend(self) -> Option<Backend> {
        match self.mode.try_get_untracked()? {
            Mode::Live => Some(Backend::Live(self.server)),
            Mode::Offline => Some(Backend::Model),
            Mode::Waiting => None,
        }
    }

    /// The page's server link.
    pub fn server(self) -> Server {
        self.server
    }

    /// Whether a backend is there to act on (tracked).
    pub fn ready(self) -> bool {
        self.mode.get() != Mode::Waiting
    }

    /// The current language's texts (tracked).
    pub fn texts(self) -> &'static Texts {
        Texts::of(self.lang.get())
    }

    /// The current language's texts, for event handlers and tasks.
    pub fn texts_untracked(self) -> &'static Texts {
        Texts::of(self.lang.get_untracked())
    }

    /// Who caused an event on `handle`: on a real memcached, `conn` is
    /// that server's connection and never this tab's.
    pub fn who(self, handle: &NodeHandle, conn: ConnId) -> Who {
        if handle.real.is_some() {
            Who::Other(conn)
        } else if conn == 0 {
            Who::Cache
        } else if Some(conn) == self.me.get_untracked() {
            Who::You
        } else if Some(conn) == self.warmup_conn.get_untracked() {
            Who::Warmup
        } else {
            Who::Other(conn)
        }
    }

    pub fn node(self, id: usize) -> Option<NodeHandle> {
        let find = |nodes: &Vec<NodeHandle>| nodes.iter().find(|node| node.id == id).cloned();
        self.nodes
            .try_with_untracked(find)
            .flatten()
            .or_else(|| self.observed.try_with_untracked(find).flatten())
    }

    /// Fanout's nodes and then the observed real memcached servers.
    fn every_node(self) -> Vec<NodeHandle> {
        let mut all = self.nodes.get_untracked();
        all.extend(self.observed.get_untracked());
        all
    }

    /// Loads the node list from the backend of `mode` and watches each node.
    fn load(self, mode: Mode) {
        self.generation.update(|generation| *generation += 1);
        let generation = self.generation.get_untracked();
        self.nodes.set(Vec::new());
        self.observed.set(Vec::new());
        self.me.set(None);
        self.warmup_conn.set(None);
        self.mode.set(mode);
        let Some(backend) = self.backend() else {
            return;
        };
        self.clock.set(backend.now_ms());
        spawn_local(async move {
            let Ok(ServerFrame::CacheNodes {
                nodes,
                observed,
                conn,
                ..
            }) = backend
                .request(ClientFrame::Cache(CacheFrame::Nodes(CacheNodes {
                    id: None,
                })))
                .await
            else {
                return;
            };
            if self.generation.try_get_untracked() != Some(generation) {
                return; // the link changed meanwhile
            }
            let handles: Vec<_> = nodes
                .into_iter()
                .map(|info| {
                    let stats = Stats {
                        curr_items: info.items,
                        bytes: info.bytes,
                        limit_maxbytes: info.limit_bytes,
                        ..Stats::default()
                    };
                    let state = self
                        .owner
                        .with_value(|owner| owner.with(|| RwSignal::new(NodeState::new(stats))));
                    NodeHandle {
                        id: info.node,
                        addr: info.addr,
                        state,
                        generation,
                        real: None,
                        bump_interval: Some(info.bump_interval),
                    }
                })
                .collect();
            let observed: Vec<_> = observed
                .into_iter()
                .map(|info| {
                    let (state, link) = self.owner.with_value(|owner| {
                        owner.with(|| {
                            (
                                RwSignal::new(NodeState::new(Stats::default())),
                                RwSignal::new(info.link),
                            )
                        })
                    });
                    NodeHandle {
                        id: info.node,
                        addr: info.addr,
                        state,
                        generation,
                        real: Some(link),
                        bump_interval: None,
                    }
                })
                .collect();
            if let Backend::Live(server) = backend {
                for handle in handles.iter().chain(&observed) {
                    server.send(&ClientFrame::Cache(CacheFrame::Watch(CacheNodeRef {
                        node: handle.id,
                        id: None,
                    })));
                }
            }
            self.me.set(Some(conn));
            self.nodes.set(handles.clone());
            self.observed.set(observed.clone());
            for handle in handles.into_iter().chain(observed) {
                self.refresh(handle);
            }
        });
    }

    /// Asks for a node's snapshot (keys in LRU order with their expiry).
    pub fn refresh(self, handle: NodeHandle) {
        let Some(backend) = self.backend() else {
            return;
        };
        handle.state.update(|state| state.snapshot_pending = true);
        spawn_local(async move {
            let before = handle
                .state
                .try_with_untracked(|state| hit_ratio(&state.stats))
                .flatten();
            let answer = backend
                .request(ClientFrame::Cache(CacheFrame::Snapshot(
                    CacheSnapshotRequest {
                        node: handle.id,
                        max_items: Some(KEEP),
                        id: None,
                    },
                )))
                .await;
            let now = backend.now_ms();
            handle.state.try_update(|state| match &answer {
                Ok(ServerFrame::CacheSnapshot { items, stats, .. }) => {
                    state.apply_snapshot(items, stats, now);
                }
                _ => state.snapshot_pending = false,
            });
            self.report_hit_ratio(&handle, before);
        });
    }

    /// Applies a pushed frame about the nodes.
    fn on_frame(self, frame: &ServerFrame) {
        if let ServerFrame::CacheLink { node, link } = frame {
            if let Some(real) = self.node(*node).and_then(|handle| handle.real) {
                real.set(*link);
            }
            return;
        }
        let ServerFrame::CacheEvents {
            node,
            events,
            skipped,
            stats,
        } = frame
        else {
            return;
        };
        let (Some(handle), Some(backend)) = (self.node(*node), self.backend()) else {
            return;
        };
        let now = backend.now_ms();
        let mut leaving = false;
        let before = handle.state.with_untracked(|state| hit_ratio(&state.stats));
        handle.state.update(|state| {
            state.apply_events(events, *skipped, stats, now);
            leaving = state.keys.iter().any(|row| row.is_leaving());
        });
        self.report_hit_ratio(&handle, before);
        if leaving {
            let state = handle.state;
            set_timeout(
                move || {
                    state.try_update(|state| state.drop_left(backend.now_ms()));
                },
                Duration::from_millis(LEAVING_MS as u64 + 50),
            );
        }
    }

    /// Once a second: the clock, the hit-ratio history, and a snapshot of
    /// each node whose keys changed since its last one.
    fn tick(self) {
        let Some(backend) = self.backend() else {
            return;
        };
        self.clock.set(backend.now_ms());
        for handle in self.every_node() {
            let mut wanted = false;
            handle.state.update(|state| {
                state.sample();
                // An observed memcached also loses keys that no event
                // reports (expiry; deletion before memcached 1.6.20).
                wanted = (state.dirty || handle.real.is_some()) && !state.snapshot_pending;
            });
            if wanted {
                self.refresh(handle);
            }
        }
    }

    /// A failed request in the learner's words.
    pub fn describe(self, error: &LabError) -> String {
        (self.texts_untracked().failure)(error)
    }
}

#[component]
pub fn CacheLab() -> impl IntoView {
    let server = expect_context::<Server>();
    let link = expect_context::<ReadSignal<LinkState>>();
    let lang = use_lang();
    let t = move || Texts::of(lang.get());
    let lab = CacheLab::new(server);

    let link_mode = Memo::new(move |_| match link.get() {
        LinkState::Connected { .. } => Mode::Live,
        LinkState::Offline { .. } => Mode::Offline,
        LinkState::Connecting => Mode::Waiting,
    });
    Effect::new(move |_| {
        let mode = link_mode.get();
        untrack(|| lab.load(mode));
    });
    server.listen(move |frame| {
        if lab.mode.try_get_untracked() == Some(Mode::Live) {
            lab.on_frame(frame);
        }
    });
    model::model().listen(move |frame| {
        if lab.mode.try_get_untracked() == Some(Mode::Offline) {
            lab.on_frame(frame);
        }
    });
    if let Ok(ticker) = set_interval_with_handle(move || lab.tick(), Duration::from_secs(1)) {
        on_cleanup(move || ticker.clear());
    }

    view! {
        <section class="lab cache-lab" aria-labelledby="cache-title">
            <crate::embed_button::EmbedButton lab=fanout_shared::embed::Lab::Cache />
            <h1 id="cache-title">{move || t().title}</h1>
            <p class="lede">{move || t().lede}</p>
            <NeedsServer what=|lang| Texts::of(lang).what />
            <ModeNotice lab />
            <nodes::NodesSection lab />
            <tryit::TryIt lab />
            <warmup::WarmupSection lab />
            <staleness::StalenessSection lab />
            <slabs::SlabsSection lab />
        </section>
    }
}

/// Says plainly which nodes the lab is driving.
#[component]
fn ModeNotice(lab: CacheLab) -> impl IntoView {
    let t = move || lab.texts();
    move || {
        match lab.mode.get() {
        Mode::Offline => view! {
            <div class="notice offline-ok model-notice" data-testid="cache-mode" data-mode="offline">
                <p>{t().offline_mode}</p>
                <p>
                    <button type="button" on:click=move |_| {
                        model::model().skip(10);
                        lab.tick();
                    }>{t().skip_ahead}</button>
                    " "
                    <span class="hint">{t().skip_hint}</span>
                </p>
            </div>
        }
        .into_any(),
        // The shared "Live" notice above already says it; the outside-client
        // hint sits with the nodes.
        Mode::Live => view! { <p data-testid="cache-mode" data-mode="live" hidden></p> }.into_any(),
        Mode::Waiting => view! { <p data-testid="cache-mode" data-mode="waiting" hidden></p> }.into_any(),
    }
    }
}

/// Bytes in the largest unit that keeps the number readable.
pub fn format_bytes(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let value = bytes as f64;
    if value >= KIB * KIB {
        format!("{:.1} MiB", value / (KIB * KIB))
    } else if value >= KIB {
        format!("{:.1} KiB", value / KIB)
    } else {
        format!("{bytes} B")
    }
}

/// A ratio from 0 to 1 as a whole percentage.
pub fn percent(ratio: f64) -> String {
    format!("{:.0} %", ratio * 100.0)
}
