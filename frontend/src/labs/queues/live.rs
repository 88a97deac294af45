//! "Run live" for the queue lab: the current scenario run by the Fanout
//! server as a live room (docs/protocol.md, "Live rooms") that others join
//! with a short code, shown on the lab's own canvas, log and caption.
//!
//! The page runs no engine of its own while live: the server runs the
//! room, and [`Feed`] rebuilds the lab's [`Snap`] from what it streams —
//! the room's `Topology` (names, sockets, connections, queue depths; pushed
//! when it changes and every second), exact counters from each
//! `room_events` summary, and the sampled events, captioned by the
//! engine's own `Topology::caption_facts`. "Stop and replay offline"
//! fetches the room's recording and opens it in the ordinary lab, where
//! `Timeline::replay` rebuilds the live run exactly.
//!
//! A page opened as `/queues?room=CODE` joins that room and can add its
//! own PULL worker (`node_add` connecting to the scenario's PUSH endpoint,
//! receiving automatically), showing what it received.

mod text;

use std::collections::VecDeque;

use fanout_shared::{
    lang::{Lang, Say},
    protocol::{
        ClientFrame, NodeAdd, RoomClose, RoomCreate, RoomFrame, RoomJoin, RoomRequest, ServerFrame,
    },
    room::{LeftReason, RoomEnd},
    sim::{
        Caption, Event, EventKind, Summary, Topology, WireMsg, scenario::SocketSpec,
        timeline::ScenarioRef,
    },
    socket::{MsgId, Payload, SocketKind},
};
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;

use self::text::{LiveTexts, live_texts};
use super::{LOG_SHOWN, Lab, Motion, Selection, Snap, layout::Structure, runner::Bounds};
use crate::{
    connection::{LinkState, RequestError, Server},
    i18n::query_param,
};

/// How many of its worker's last messages the page shows.
const LAST_SHOWN: usize = 5;

/// The room this page is in.
#[derive(Clone, Debug, PartialEq)]
struct Room {
    code: String,
    /// Only on the page that created the room: closes it.
    token: Option<String>,
    scenario: String,
    seed: u64,
}

/// What the server has streamed about the room so far.
struct Feed {
    topology: Topology,
    summary: Option<Summary>,
    /// The most recent events with their captions, oldest first.
    log: VecDeque<(Event, Caption)>,
    /// Messages that left in the last frame, drawn until they arrive.
    wire: Vec<WireMsg>,
    /// Events the server left out of its sampled frames, in total.
    skipped: u64,
    members: usize,
}

impl Feed {
    fn new(topology: Topology, members: usize) -> Feed {
        Feed {
            topology,
            summary: None,
            log: VecDeque::with_capacity(LOG_SHOWN),
            wire: Vec::new(),
            skipped: 0,
            members,
        }
    }

    /// Takes in one `room_events` frame: captions are read against the
    /// topology as it stands, which is what the simulator does right
    /// after each event.
    fn take_events(&mut self, events: &[Event], skipped: u64, summary: &Summary) {
        let mut payloads = std::collections::BTreeMap::<MsgId, Payload>::new();
        self.wire.clear();
        for event in events {
            match &event.kind {
                EventKind::Send { msg, payload, .. } => {
                    payloads.insert(*msg, payload.clone());
                }
                EventKind::Depart {
                    conn,
                    from,
                    first,
                    arrives,
                    ..
                } => {
                    let Some(view) = self.topology.conns.get(conn.0 as usize) else {
                        continue;
                    };
                    // Pipe 0 runs from the connecter to the binder.
                    let dir = u8::from(view.connecter != *from);
                    self.wire.push(WireMsg {
                        conn: *conn,
                        dir,
                        msg: *first,
                        payload: payloads
                            .get(first)
                            .cloned()
                            .unwrap_or_else(|| Payload::new(first.to_string())),
                        left: event.time,
                        arrives: *arrives,
                    });
                }
                _ => {}
            }
            if self.log.len() == LOG_SHOWN {
                self.log.pop_front();
            }
            self.log
                .push_back((event.clone(), self.topology.caption_facts(event)));
        }
        self.skipped += skipped;
        self.summary = Some(summary.clone());
    }

    /// The lab's snapshot of the room: the last topology with the exact
    /// counters of the last summary, and the sampled messages still on
    /// their way.
    fn snap(&self, room: &Room) -> (Snap, Motion) {
        let mut topo = self.topology.clone();
        if let Some(summary) = &self.summary {
            for node in &mut topo.nodes {
                if let Some(counters) = summary.nodes.get(&node.name) {
                    node.counters = counters.clone();
                }
            }
            topo.now = topo.now.max(summary.now);
            topo.steps = topo.steps.max(summary.events);
        }
        let (steps, now) = (topo.steps, topo.now);
        let motion = Motion {
            wire: self
                .wire
                .iter()
                .filter(|w| w.arrives > now)
                .cloned()
                .collect(),
            now,
        };
        let snap = Snap {
            structure: Structure::of(&topo),
            steps,
            now,
            horizon: steps,
            bounds: Bounds::default(),
            tally: self.summary.as_ref().and_then(|s| s.tally.clone()),
            digest: self
                .summary
                .as_ref()
                .map(|s| s.trace_digest.clone())
                .unwrap_or_default(),
            log: self.log.iter().cloned().collect(),
            scenario: ScenarioRef::Preset(room.scenario.clone()),
            scenario_name: room.scenario.clone(),
            seed: room.seed,
            edits: 0,
            ended: false,
            topo,
        };
        (snap, motion)
    }
}

/// This page's own node in the room.
#[derive(Clone, Debug, Default, PartialEq)]
struct Worker {
    node: String,
    received: u64,
    /// The last few messages, newest first.
    last: VecDeque<(MsgId, String)>,
}

/// What the panel says besides the room itself.
#[derive(Clone, Debug, PartialEq)]
enum Notice {
    Busy(Busy),
    Refused(String),
    NotConnected,
    Ended(Ending),
    Lost,
}

/// Why the room ended for this tab: the server's fact, said in the page's
/// language.
#[derive(Clone, Debug, PartialEq)]
enum Ending {
    Closed(RoomEnd),
    Left(LeftReason),
}

impl Say for Ending {
    fn say(&self, lang: Lang) -> String {
        match self {
            Ending::Closed(end) => end.say(lang),
            Ending::Left(left) => left.say(lang),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Busy {
    Creating,
    Joining(String),
}

/// The panel's state; every field is a signal or stored value, so it is
/// `Copy` like [`Lab`].
#[derive(Clone, Copy)]
struct Live {
    lab: Lab,
    server: Server,
    room: RwSignal<Option<Room>>,
    notice: RwSignal<Option<Notice>>,
    worker: RwSignal<Option<Worker>>,
    /// Counts shown under the room: (events, skipped, members).
    counts: RwSignal<(u64, u64, usize)>,
    feed: StoredValue<Option<Feed>>,
    /// A redraw is scheduled: frames arriving meanwhile join it.
    redraw_due: StoredValue<bool>,
}

/// How often the page redraws the room at most: a busy room streams
/// twenty frames a second, and redrawing the canvas and log for each one
/// leaves the page too busy to read the socket (answers then wait behind
/// the backlog).
const REDRAW_MS: u64 = 250;

impl Live {
    /// Publishes soon, once for all the frames that arrive until then.
    fn publish_soon(self) {
        if self.redraw_due.get_value() {
            return;
        }
        self.redraw_due.set_value(true);
        set_timeout(
            move || {
                if self.redraw_due.try_set_value(false).is_none() {
                    self.publish();
                }
            },
            std::time::Duration::from_millis(REDRAW_MS),
        );
    }

    fn is_mine(self, code: &str) -> bool {
        self.room
            .with_untracked(|r| r.as_ref().is_some_and(|r| r.code == code))
    }

    /// Shows the room instead of the local run.
    fn enter(self, room: Room, topology: Topology, members: usize) {
        self.lab.pause();
        self.feed
            .set_value(Some(Feed::new(topology, members.max(1))));
        self.notice.set(None);
        self.worker.set(None);
        self.room.set(Some(room));
        self.lab.selection.set(Selection::None);
        self.lab.focus_step.set(None);
        // The room's snapshot first: the canvas is redrawn when `live`
        // turns on, and must start from the room's nodes.
        self.publish();
        self.lab.live.set(true);
    }

    /// Back to the local run, saying why.
    fn leave(self, notice: Option<Notice>) {
        if self.room.get_untracked().is_none() {
            return;
        }
        self.room.set(None);
        self.worker.set(None);
        self.feed.set_value(None);
        self.notice.set(notice);
        self.lab.selection.set(Selection::None);
        self.lab.focus_step.set(None);
        // The local run's snapshot first, then the canvas is redrawn.
        *self.lab.live.write_untracked() = false;
        self.lab.refresh(true);
        self.lab.live.notify();
    }

    /// Hands the lab a snapshot of the room.
    fn publish(self) {
        let Some(room) = self.room.get_untracked() else {
            return;
        };
        let state = self.feed.with_value(|feed| {
            feed.as_ref().map(|f| {
                let (snap, motion) = f.snap(&room);
                (snap, motion, f.skipped, f.members)
            })
        });
        if let Some((snap, motion, skipped, members)) = state {
            self.counts.set((snap.steps, skipped, members));
            self.lab.show(snap, motion);
        }
    }

    /// Pushed frames about this page's room.
    fn hear(self, frame: &ServerFrame) {
        match frame {
            ServerFrame::RoomEvents {
                room,
                events,
                skipped,
                summary,
                ..
            } if self.is_mine(room) => {
                self.feed.update_value(|feed| {
                    if let Some(feed) = feed {
                        feed.take_events(events, *skipped, summary);
                    }
                });
                self.publish_soon();
            }
            ServerFrame::RoomTopology {
                room,
                topology,
                members,
                ..
            } if self.is_mine(room) => {
                self.feed.update_value(|feed| {
                    if let Some(feed) = feed {
                        feed.topology = (**topology).clone();
                        feed.members = members.len();
                    }
                });
                self.publish_soon();
            }
            ServerFrame::RoomClosed { room, end, .. } if self.is_mine(room) => {
                self.leave(Some(Notice::Ended(Ending::Closed(end.clone()))));
            }
            ServerFrame::RoomLeft { room, left, .. } if self.is_mine(room) => {
                self.leave(Some(Notice::Ended(Ending::Left(*left))));
            }
            ServerFrame::Received { node, messages, .. } => {
                self.worker.update(|worker| {
                    let Some(worker) = worker.as_mut().filter(|w| &w.node == node) else {
                        return;
                    };
                    for m in messages {
                        worker.received += 1;
                        worker.last.push_front((m.msg, m.payload.to_string()));
                    }
                    worker.last.truncate(LAST_SHOWN);
                });
            }
            _ => {}
        }
    }

    fn refused(self, error: RequestError) {
        self.notice.set(Some(match error {
            RequestError::Disconnected => Notice::NotConnected,
            RequestError::Refused { message, .. } => Notice::Refused(message),
        }));
    }

    /// `room_create` with the lab's scenario and seed.
    fn create(self) {
        let (scenario, seed) = self
            .lab
            .snap
            .with_untracked(|s| (s.scenario.clone(), s.seed));
        let scenario = serde_json::to_value(&scenario).unwrap_or_default();
        self.notice.set(Some(Notice::Busy(Busy::Creating)));
        spawn_local(async move {
            let answer = self
                .server
                .request(ClientFrame::Room(RoomFrame::Create(RoomCreate {
                    scenario,
                    seed: Some(seed),
                    name: None,
                    watch: true,
                    id: None,
                })))
                .await;
            self.joined(answer);
        });
    }

    /// `room_join` by code (from the page's address).
    fn join(self, code: String) {
        self.notice
            .set(Some(Notice::Busy(Busy::Joining(code.clone()))));
        spawn_local(async move {
            let answer = self
                .server
                .request(ClientFrame::Room(RoomFrame::Join(RoomJoin {
                    room: code,
                    name: None,
                    watch: true,
                    token: None,
                    id: None,
                })))
                .await;
            self.joined(answer);
        });
    }

    fn joined(self, answer: Result<ServerFrame, RequestError>) {
        match answer {
            Ok(ServerFrame::RoomJoined {
                room,
                token,
                scenario,
                seed,
                topology,
                members,
                ..
            }) => self.enter(
                Room {
                    code: room,
                    token,
                    scenario,
                    seed,
                },
                *topology,
                members.len(),
            ),
            Ok(_) => self.notice.set(None),
            Err(error) => self.refused(error),
        }
    }

    /// Ends this page's part: the creator closes the room for everyone,
    /// a participant leaves it.
    async fn stop(self) {
        let Some(room) = self.room.get_untracked() else {
            return;
        };
        let frame = match room.token {
            Some(token) => ClientFrame::Room(RoomFrame::Close(RoomClose {
                room: room.code,
                token,
                id: None,
            })),
            None => ClientFrame::Room(RoomFrame::Leave(RoomRequest { id: None })),
        };
        let reason = match self.server.request(frame).await {
            Ok(ServerFrame::RoomClosed { end, .. }) => Some(Notice::Ended(Ending::Closed(end))),
            Ok(ServerFrame::RoomLeft { left, .. }) => Some(Notice::Ended(Ending::Left(left))),
            _ => None,
        };
        self.leave(reason);
    }

    /// Fetches the room's recording, stops, and opens the recording in
    /// the offline lab (log, caption and scrubber over the whole run).
    fn replay(self) {
        spawn_local(async move {
            let answer = self
                .server
                .request(ClientFrame::Room(RoomFrame::Recording(RoomRequest {
                    id: None,
                })))
                .await;
            match answer {
                Ok(ServerFrame::RoomRecording { recording, .. }) => {
                    self.stop().await;
                    self.notice.set(None);
                    if let Err(problem) = self.lab.open(&recording) {
                        self.lab.load_error.set(Some(problem));
                    }
                }
                Ok(_) => {}
                Err(error) => self.refused(error),
            }
        });
    }

    /// `node_add`: a PULL socket connected to `endpoint`, received for
    /// automatically (the `recv_auto` of `docs/protocol.md`).
    fn add_worker(self, endpoint: String) {
        let spec = fanout_shared::json::decode::<SocketSpec>(serde_json::json!({
            "name": "in", "type": "PULL", "connect": [endpoint],
        }));
        let Ok(spec) = spec else { return };
        spawn_local(async move {
            let answer = self
                .server
                .request(ClientFrame::Room(RoomFrame::NodeAdd(NodeAdd {
                    name: None,
                    sockets: vec![spec],
                    auto_recv: true,
                    auto_limit: None,
                    id: None,
                })))
                .await;
            match answer {
                Ok(ServerFrame::NodeAdded { node, .. }) => self.worker.set(Some(Worker {
                    node,
                    ..Worker::default()
                })),
                Ok(_) => {}
                Err(error) => self.refused(error),
            }
        });
    }
}

/// Where a PULL worker connects: the first PUSH socket that binds.
fn push_endpoint(topology: &Topology) -> Option<String> {
    topology
        .sockets
        .iter()
        .filter(|s| s.alive && s.kind == SocketKind::Push)
        .find_map(|s| s.binds.first())
        .map(|e| e.to_string())
}

/// The address that joins `code`: this page's path with `?room=`, and the
/// page's `server` if it names one (a static page pointed at a server).
fn join_link(code: &str) -> String {
    let location = window().location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    let mut link = format!("{origin}{path}?room={code}");
    if let Some(server) = query_param(&search, "server") {
        link.push_str("&server=");
        link.push_str(&server);
    }
    link
}

/// The panel under the control bar: "Run live", or the room with its code,
/// link and buttons, and this page's worker.
#[component]
pub fn LiveRoom(lab: Lab) -> impl IntoView {
    let link_state = expect_context::<ReadSignal<LinkState>>();
    let live = Live {
        lab,
        server: expect_context::<Server>(),
        room: RwSignal::new(None),
        notice: RwSignal::new(None),
        worker: RwSignal::new(None),
        counts: RwSignal::new((0, 0, 1)),
        feed: StoredValue::new(None),
        redraw_due: StoredValue::new(false),
    };
    live.server.listen(move |frame| live.hear(frame));
    let t = move || live_texts(lab.lang.get());

    // A page opened with `?room=CODE` joins once the link is up.
    let wanted = query_param(&window().location().search().unwrap_or_default(), "room")
        .and_then(|code| js_sys::decode_uri_component(&code).ok()?.as_string())
        .filter(|code| !code.trim().is_empty());
    let tried = StoredValue::new(false);
    Effect::new(move |_| {
        let connected = matches!(link_state.get(), LinkState::Connected { .. });
        if connected {
            if let Some(code) = wanted.clone()
                && !tried.get_value()
            {
                tried.set_value(true);
                live.join(code);
            }
        } else if live.room.get_untracked().is_some() {
            // The server forgets a vanished session's membership.
            live.leave(Some(Notice::Lost));
        }
    });
    on_cleanup(move || {
        if live.room.try_get_untracked().flatten().is_some() {
            live.server
                .send(&ClientFrame::Room(RoomFrame::Leave(RoomRequest {
                    id: None,
                })));
        }
    });

    view! {
        <section
            class="live-room"
            aria-label=move || t().section_label
            data-room=move || live.room.with(|r| r.as_ref().map(|r| r.code.clone()).unwrap_or_default())
        >
            {move || match live.room.get() {
                None => view! { <Outside live link_state /> }.into_any(),
                Some(room) => view! { <Inside live room /> }.into_any(),
            }}
            {move || notice_view(t(), lab.lang.get(), live.notice.get())}
        </section>
    }
}

fn notice_view(t: &'static LiveTexts, lang: Lang, notice: Option<Notice>) -> Option<AnyView> {
    let (class, text) = match notice? {
        Notice::Busy(Busy::Creating) => ("notice", t.creating.to_string()),
        Notice::Busy(Busy::Joining(code)) => ("notice", (t.joining)(&code)),
        Notice::Refused(message) => ("notice problem", (t.refused)(&message)),
        Notice::NotConnected => ("notice problem", t.not_connected.to_string()),
        Notice::Ended(ending) => ("notice", (t.ended)(&ending.say(lang))),
        Notice::Lost => ("notice problem", t.lost.to_string()),
    };
    Some(view! { <p class=class role="status" data-live-notice="">{text}</p> }.into_any())
}

/// Not in a room: the "Run live" button, or why it cannot work here.
#[component]
fn Outside(live: Live, link_state: ReadSignal<LinkState>) -> impl IntoView {
    let t = move || live_texts(live.lab.lang.get());
    let busy = move || matches!(live.notice.get(), Some(Notice::Busy(_)));
    move || match link_state.get() {
        LinkState::Connected { .. } => view! {
            <div class="live-start">
                <button
                    type="button"
                    class="run-live"
                    disabled=busy
                    on:click=move |_| live.create()
                >
                    <span class="live-dot" aria-hidden="true"></span>
                    {t().run_live}
                </button>
                <p class="hint">{t().run_live_hint}</p>
            </div>
        }
        .into_any(),
        LinkState::Connecting => view! {
            <p class="hint" data-needs-server="connecting">{t().contacting}</p>
        }
        .into_any(),
        LinkState::Offline { .. } => view! {
            <div class="live-start">
                <button type="button" class="run-live" disabled=true>
                    {t().run_live}
                </button>
                <p class="notice offline" data-needs-server="missing">
                    {t().needs_server} " " {t().start_with} " " <code>"cargo xtask run"</code> " "
                    {t().or_point_at} " " <code>"?server=HOST:PORT"</code>
                </p>
            </div>
        }
        .into_any(),
    }
}

/// In a room: its code and link (and the creator's close), the counts,
/// the way out, and this page's worker.
#[component]
fn Inside(live: Live, room: Room) -> impl IntoView {
    let t = move || live_texts(live.lab.lang.get());
    let lab_t = move || live.lab.texts();
    let link = join_link(&room.code);
    let owner = room.token.is_some();
    let copied = RwSignal::new(None::<bool>);
    let copy = {
        let link = link.clone();
        move |_| {
            let promise = window().navigator().clipboard().write_text(&link);
            copied.set(Some(false));
            spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.set(Some(true));
                }
            });
        }
    };
    let scenario = room.scenario.clone();
    // A memo, so the button below is redrawn only when the endpoint
    // changes, not with every frame of the room (a click would be lost).
    let endpoint = Memo::new(move |_| live.lab.snap.with(|s| push_endpoint(&s.topo)));

    view! {
        <div class="live-head">
            <span class="live-badge"><span class="live-dot" aria-hidden="true"></span>{move || t().live_badge}</span>
            <span class="room-code-label">{move || t().join_code}</span>
            <strong class="room-code" data-room=room.code.clone()>{room.code.clone()}</strong>
            <label class="join-link">
                <span class="visually-hidden">{move || t().join_link}</span>
                <input
                    type="text"
                    readonly
                    prop:value=link.clone()
                    on:focus=move |ev| {
                        if let Some(input) = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                        {
                            input.select();
                        }
                    }
                />
            </label>
            <button type="button" class="copy-join-link" on:click=copy>{move || t().copy_link}</button>
            {move || {
                copied.get().map(|done| view! {
                    <span class="copied" role="status">
                        {move || if done { lab_t().copied } else { lab_t().copy_by_hand }}
                    </span>
                })
            }}
        </div>
        <p class="hint">
            {move || if owner { t().owner_hint.to_string() } else { (t().member_hint)(&scenario) }}
        </p>
        <p class="live-status" data-members=move || live.counts.get().2.to_string()>
            {move || {
                let (events, skipped, members) = live.counts.get();
                (t().status)(events, skipped, members)
            }}
        </p>
        <div class="live-buttons">
            <button type="button" class="replay-offline" title=move || t().replay_hint on:click=move |_| live.replay()>
                {move || t().replay}
            </button>
            <button type="button" class="leave-room" on:click=move |_| spawn_local(live.stop())>
                {move || if owner { t().close_room } else { t().leave_room }}
            </button>
        </div>
        {move || match live.worker.get() {
            Some(worker) => view! { <WorkerView live worker /> }.into_any(),
            None => match endpoint.get() {
                Some(endpoint) => view! {
                    <div class="live-worker">
                        <button type="button" class="join-worker" on:click={
                            let endpoint = endpoint.clone();
                            move |_| live.add_worker(endpoint.clone())
                        }>
                            {move || t().join_worker}
                        </button>
                        <p class="hint">{(t().join_worker_hint)(&endpoint)}</p>
                    </div>
                }
                .into_any(),
                None => view! { <p class="hint">{move || t().no_push_endpoint}</p> }.into_any(),
            },
        }}
    }
}

/// This page's worker: its inbox count and the last messages it got.
#[component]
fn WorkerView(live: Live, worker: Worker) -> impl IntoView {
    let t = move || live_texts(live.lab.lang.get());
    let node = worker.node.clone();
    view! {
        <div class="live-worker mine" data-node=worker.node.clone() data-received=worker.received.to_string()>
            <h3>{move || (t().your_worker)(&node)}</h3>
            <p class="inbox">
                <output class="received-count">{worker.received}</output>
                " "
                {move || t().received}
            </p>
            <h4>{move || t().last_messages}</h4>
            {if worker.last.is_empty() {
                view! { <p class="hint">{move || t().none_yet}</p> }.into_any()
            } else {
                view! {
                    <ol class="last-messages">
                        {worker
                            .last
                            .iter()
                            .map(|(msg, payload)| view! { <li><code>{msg.to_string()}</code> " " {payload.clone()}</li> })
                            .collect_view()}
                    </ol>
                }
                .into_any()
            }}
        </div>
    }
}
