//! "Run live" for the queue lab: the current scenario run by the Fanout
//! server as a live room (docs/protocol.md, "Live rooms") that others join
//! with a short code, shown on the lab's own canvas, log and caption.
//!
//! The page runs no engine of its own while live (`Mode::Live`): the
//! server runs the room, and its [`Feed`] (`live/feed.rs`) rebuilds the
//! lab's snapshot from what it streams. "Stop and replay offline" fetches
//! the room's recording and opens it in the ordinary lab, where
//! `Timeline::replay` rebuilds the live run exactly.
//!
//! A page opened as `/queues?room=CODE` joins that room and can add its
//! own PULL worker (`node_add` connecting to the scenario's PUSH endpoint,
//! receiving automatically), showing what it received. This file is the
//! panel and what it asks the server; `live/outside.rs` and
//! `live/inside.rs` draw it outside and inside a room, and `live/zmtp.rs`
//! where real ZeroMQ programs join it.
//!
//! The reliability page (`/reliability`) has the same panel: it creates,
//! joins, keeps the owner's token and leaves exactly as here. Two things
//! differ, each behind the `reliability` feature: it shows the room by
//! replaying the room's recording (`live/replay.rs`) instead of its
//! sampled stream (`live/feed.rs`), and it leaves out the ZeroMQ hands
//! (the PULL worker, sending by hand, real ZeroMQ programs: `inside.rs`'s
//! `zeromq_hands`), which broker rooms do not use.

#[cfg(not(feature = "reliability"))]
mod feed;
mod inside;
mod outside;
mod owner;
#[cfg(feature = "reliability")]
mod replay;
// Not on the reliability page (see `inside::zeromq_hands`): allowed, and
// not linked there.
#[cfg_attr(feature = "reliability", allow(dead_code))]
mod sender;
#[cfg_attr(feature = "reliability", allow(dead_code))]
mod zmtp;

use std::collections::VecDeque;

use fanout_shared::{
    lang::Say,
    protocol::{
        NodeAdd, RecordingRequest, RoomClose, RoomCreate, RoomFrame, RoomJoin, RoomRequest,
        ServerFrame, ZmtpEndpoint,
    },
    room::{LeftReason, RoomEnd},
    sim::{Topology, scenario::SocketSpec},
    socket::{MsgId, SocketKind},
};
use leptos::{prelude::*, task::spawn_local};

#[cfg(not(feature = "reliability"))]
pub use self::feed::Feed;
#[cfg(feature = "reliability")]
pub use self::replay::Feed;
use super::{QueueLab, text::Live as LiveTexts};
use crate::{
    connection::{LinkState, RequestError, Server},
    i18n::{Lang, query_param},
};

/// How many of its worker's last messages the page shows.
#[cfg_attr(feature = "reliability", allow(dead_code))]
const LAST_SHOWN: usize = 5;

/// The room this page is in.
#[derive(Clone, Debug, PartialEq)]
pub struct Room {
    pub code: String,
    /// Only on the page that created the room: closes it.
    pub token: Option<String>,
    pub scenario: String,
    pub seed: u64,
    /// Its endpoints listening for real ZeroMQ programs.
    pub zmtp: Vec<ZmtpEndpoint>,
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
    Refused(RequestError),
    NotConnected,
    /// The room ended for this tab.
    Ended(Ending),
    Lost,
    /// The room (its code) runs the reliability engine, which this page
    /// was built without: the queue page left it and links to the
    /// reliability page, which shows it.
    #[cfg_attr(feature = "reliability", allow(dead_code))]
    RunsBrokers(String),
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

/// The panel: what it shows besides the room (which is the lab's
/// `Mode::Live`), and the server it asks. Every field is a signal or a
/// stored value, so it is `Copy` like [`QueueLab`].
#[derive(Clone, Copy)]
struct Live {
    lab: QueueLab,
    server: Server,
    notice: RwSignal<Option<Notice>>,
    worker: RwSignal<Option<Worker>>,
    /// This page's sending node, once it sent by hand.
    sender: RwSignal<Option<sender::Sender>>,
    /// Counts shown under the room: (events, skipped, members).
    counts: RwSignal<(u64, u64, usize)>,
    /// A redraw is scheduled: frames arriving meanwhile join it (the
    /// queue page's stream; the reliability page redraws per recording).
    #[cfg_attr(feature = "reliability", allow(dead_code))]
    redraw_due: StoredValue<bool>,
}

/// Whether the page asks the server to stream the room's life to it
/// (`watch`): the queue page draws that stream; the reliability page
/// replays the room's recording instead (`live/replay.rs`), so a stream
/// would only be frames it does not read.
const WATCH: bool = cfg!(not(feature = "reliability"));

/// How often the reliability page fetches the room's recording again.
#[cfg(feature = "reliability")]
const FOLLOW_MS: u64 = 1000;

/// How often the page redraws the room at most: a busy room streams
/// twenty frames a second, and redrawing the canvas and log for each one
/// leaves the page too busy to read the socket (answers then wait behind
/// the backlog).
#[cfg_attr(feature = "reliability", allow(dead_code))]
const REDRAW_MS: u64 = 250;

impl Live {
    /// Publishes soon, once for all the frames that arrive until then.
    #[cfg_attr(feature = "reliability", allow(dead_code))]
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
        self.lab
            .mode
            .with_untracked(|mode| mode.live().is_some_and(|run| run.room.code == code))
    }

    /// Shows the room instead of the local run.
    fn enter(self, room: Room, feed: Feed) {
        self.notice.set(None);
        self.worker.set(None);
        self.sender.set(None);
        self.lab.enter_live(room, feed);
        self.count();
    }

    /// Back to the local run, saying why.
    fn leave(self, notice: Option<Notice>) {
        let room = self
            .lab
            .mode
            .with_untracked(|mode| mode.live().map(|run| run.room.clone()));
        if self.lab.leave_live() {
            // A room left or closed is not rejoined by a reload: the token
            // goes, and the address shows the local run again.
            if let Some(room) = room.filter(|_| !matches!(notice, Some(Notice::Lost))) {
                owner::forget(&room.code);
                self.lab.sync_url();
            }
            self.worker.set(None);
            self.sender.set(None);
            self.sender.set(None);
            self.notice.set(notice);
        }
    }

    /// Hands the lab a snapshot of the room.
    fn publish(self) {
        let state = self.lab.with_live(|run| run.feed.snap(&run.room));
        if let Some((snap, motion)) = state {
            self.lab.show(snap, motion);
            self.count();
        }
    }

    /// The counts under the room, from what it streamed.
    fn count(self) {
        let counts = self.lab.with_live(|run| {
            let steps = self.lab.snap.with_untracked(|s| s.steps);
            (steps, run.feed.skipped, run.feed.members)
        });
        if let Some(counts) = counts {
            self.counts.set(counts);
        }
    }

    /// Pushed frames about this page's room.
    fn hear(self, frame: &ServerFrame) {
        match frame {
            #[cfg(not(feature = "reliability"))]
            ServerFrame::RoomEvents {
                room,
                events,
                skipped,
                summary,
                ..
            } if self.is_mine(room) => {
                self.lab
                    .with_live(|run| run.feed.take_events(events, *skipped, summary));
                self.publish_soon();
            }
            #[cfg(not(feature = "reliability"))]
            ServerFrame::RoomTopology {
                room,
                topology,
                members,
                ..
            } if self.is_mine(room) => {
                self.lab.with_live(|run| {
                    run.feed.topology = (**topology).clone();
                    run.feed.members = members.len();
                });
                self.publish_soon();
            }
            ServerFrame::RoomClosed { room, end, .. } if self.is_mine(room) => {
                self.leave(Some(Notice::Ended(Ending::Closed(end.clone()))));
            }
            ServerFrame::RoomLeft { room, left, .. } if self.is_mine(room) => {
                self.leave(Some(Notice::Ended(Ending::Left(*left))));
            }
            // This page's own PULL worker's (not on the reliability page,
            // which reads no `ROOM_ZMQ` frame).
            #[cfg(not(feature = "reliability"))]
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
            refused @ RequestError::Refused { .. } => Notice::Refused(refused),
        }));
    }

    /// `room_create` with the lab's scenario and seed.
    fn create(self) {
        let (scenario, seed) = self
            .lab
            .snap
            .with_untracked(|s| (s.scenario.clone(), s.seed));
        // Written as text, as frames are (`connection.rs`), and read back:
        // `to_value` would link a second copy of every scenario type's
        // serialiser (14 KB before compression) into the page.
        let scenario = serde_json::to_string(&scenario)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        self.notice.set(Some(Notice::Busy(Busy::Creating)));
        spawn_local(async move {
            let answer = self
                .server
                .request(RoomFrame::Create(RoomCreate {
                    scenario,
                    seed: Some(seed),
                    name: None,
                    watch: WATCH,
                    // Real ZeroMQ programs may join at the scenario's
                    // endpoints (the "Run live" panel says how).
                    zmtp: true,
                    id: None,
                }))
                .await;
            self.joined(answer);
        });
    }

    /// `room_join` by code (from the page's address).
    fn join(self, code: String) {
        self.notice
            .set(Some(Notice::Busy(Busy::Joining(code.clone()))));
        // The creator's own tab, reloaded: rejoin as the owner.
        let token = owner::token_for(&code);
        spawn_local(async move {
            let answer = self
                .server
                .request(RoomFrame::Join(RoomJoin {
                    room: code,
                    name: None,
                    watch: WATCH,
                    token,
                    id: None,
                }))
                .await;
            self.joined(answer);
        });
    }

    fn joined(self, answer: Result<ServerFrame, RequestError>) {
        match answer {
            Ok(ServerFrame::RoomJoined {
                room,
                token,
                owner,
                scenario,
                seed,
                topology,
                members,
                zmtp,
                ..
            }) => {
                // The creator gets the token; the creator's tab rejoining
                // with it is the owner again and keeps using it.
                let token = token.or_else(|| owner.then(|| owner::token_for(&room)).flatten());
                if let Some(token) = &token {
                    owner::remember(&room, token);
                }
                let room = Room {
                    code: room,
                    token,
                    scenario,
                    seed,
                    zmtp: zmtp.unwrap_or_default(),
                };
                // A room running brokers streams events this page cannot
                // read: it says so and where to open the room instead.
                #[cfg(not(feature = "reliability"))]
                if topology.runs_reliability_engine() {
                    self.server
                        .send(&RoomFrame::Leave(RoomRequest { id: None }));
                    if room.token.is_some() {
                        owner::forget(&room.code);
                    }
                    self.notice.set(Some(Notice::RunsBrokers(room.code)));
                    return;
                }
                #[cfg(not(feature = "reliability"))]
                self.enter(room, Feed::new(*topology, members.len().max(1)));
                #[cfg(feature = "reliability")]
                {
                    // Both come with each recording the page fetches.
                    let _ = (topology, members);
                    self.follow(room, true);
                }
            }
            Ok(_) => self.notice.set(None),
            Err(error) => self.refused(error),
        }
    }

    /// The reliability page's way of watching: fetches the room's
    /// recording, replays it (the first time, entering the room), and
    /// again every [`FOLLOW_MS`] while the page is in that room.
    #[cfg(feature = "reliability")]
    fn follow(self, room: Room, first: bool) {
        spawn_local(async move {
            // Only the actions the page does not have yet: a busy room's
            // recording grows by every task done.
            let held = if first {
                None
            } else {
                self.lab.with_live(|run| run.feed.actions_held())
            };
            let answer = self
                .server
                .request(RoomFrame::Recording(RecordingRequest {
                    after: held,
                    id: None,
                }))
                .await;
            let code = room.code.clone();
            let (recording, after, members) = match answer {
                Ok(ServerFrame::RoomRecording {
                    recording,
                    after,
                    members,
                    ..
                }) => (recording, after.unwrap_or(0), members.max(1)),
                Ok(_) => return,
                // Once the page has left the room, a late answer says
                // nothing the room's end did not say already.
                Err(error) if first || self.is_mine(&code) => return self.refused(error),
                Err(_) => return,
            };
            if self.is_mine(&code) {
                let followed = self.lab.with_live(|run| {
                    run.feed.members = members;
                    run.feed.follow(after, &recording)
                });
                match followed {
                    Some(Err(problem)) => return self.lab.load_error.set(vec![problem]),
                    // Not this run continued: the whole recording next.
                    Some(Ok(false)) => return self.follow(room, true),
                    _ => {}
                }
                self.publish();
            } else if first && self.lab.mode.with_untracked(|mode| !mode.is_live()) {
                match Feed::replay(&recording, members) {
                    Ok(feed) => self.enter(room.clone(), feed),
                    Err(problem) => return self.lab.load_error.set(vec![problem]),
                }
            } else {
                return;
            }
            set_timeout(
                move || {
                    if self.lab.mode.try_with_untracked(|m| m.is_live()) == Some(true)
                        && self.is_mine(&code)
                    {
                        self.follow(room, false);
                    }
                },
                std::time::Duration::from_millis(FOLLOW_MS),
            );
        });
    }

    /// Ends this page's part: the creator closes the room for everyone,
    /// a participant leaves it.
    async fn stop(self) {
        let Some(room) = self
            .lab
            .mode
            .with_untracked(|mode| mode.live().map(|run| run.room.clone()))
        else {
            return;
        };
        let frame = match room.token {
            Some(token) => RoomFrame::Close(RoomClose {
                room: room.code,
                token,
                id: None,
            }),
            None => RoomFrame::Leave(RoomRequest { id: None }),
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
                .request(RoomFrame::Recording(RecordingRequest {
                    after: None,
                    id: None,
                }))
                .await;
            match answer {
                Ok(ServerFrame::RoomRecording { recording, .. }) => {
                    self.stop().await;
                    self.notice.set(None);
                    if let Err(problem) = self.lab.open(&recording) {
                        self.lab.load_error.set(vec![problem]);
                    }
                }
                Ok(_) => {}
                Err(error) => self.refused(error),
            }
        });
    }

    /// `node_add`: a PULL socket connected to `endpoint`, received for
    /// automatically (the `recv_auto` of `docs/protocol.md`).
    #[cfg_attr(feature = "reliability", allow(dead_code))]
    fn add_worker(self, endpoint: String) {
        let spec = fanout_shared::json::decode::<SocketSpec>(serde_json::json!({
            "name": "in", "type": "PULL", "connect": [endpoint],
        }));
        let Ok(spec) = spec else { return };
        spawn_local(async move {
            let answer = self
                .server
                .request(RoomFrame::NodeAdd(NodeAdd {
                    name: None,
                    program: None,
                    sockets: vec![spec],
                    auto_recv: true,
                    auto_limit: None,
                    id: None,
                }))
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

/// The first endpoint a live socket of `kind` binds: where this page's own
/// nodes connect (a PULL worker to a PUSH, a hand sender to a PULL or SUB).
fn bound_endpoint(topology: &Topology, kind: SocketKind) -> Option<String> {
    topology
        .sockets
        .iter()
        .filter(|s| s.alive && s.kind == kind)
        .find_map(|s| s.binds.first())
        .map(|e| e.to_string())
}

/// Where a PULL worker connects: the first PUSH socket that binds.
#[cfg_attr(feature = "reliability", allow(dead_code))]
fn push_endpoint(topology: &Topology) -> Option<String> {
    bound_endpoint(topology, SocketKind::Push)
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
/// link and buttons, and (on the queue page) this page's worker.
///
/// Written as HTML text (`live/outside.rs`, `live/inside.rs`), as the
/// reliability panels are and for the same reason: as Leptos views the
/// panel cost the reliability page about 6 KB gzip of its size budget. The
/// room's head, counts and buttons are three separate pieces, so the
/// counts, which change with every replayed recording, redraw alone (a
/// click on a button is not lost to a redraw). A click is read from the
/// `data-pick` of what was clicked; every name from the server is
/// escaped.
#[component]
pub fn LiveRoom(lab: QueueLab) -> impl IntoView {
    let link_state = expect_context::<ReadSignal<LinkState>>();
    let live = Live {
        lab,
        server: expect_context::<Server>(),
        notice: RwSignal::new(None),
        worker: RwSignal::new(None),
        sender: RwSignal::new(None),
        counts: RwSignal::new((0, 0, 1)),
        redraw_due: StoredValue::new(false),
    };
    live.server.listen(move |frame| live.hear(frame));
    let t = move || &lab.texts().live;
    // Whether the join link was copied (`Some(false)`: copy it by hand).
    let copied = RwSignal::new(None::<bool>);

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
        } else {
            // The server forgets a vanished session's membership.
            live.leave(Some(Notice::Lost));
        }
    });
    on_cleanup(move || {
        if lab.mode.try_with_untracked(|mode| mode.is_live()) == Some(true) {
            live.server
                .send(&RoomFrame::Leave(RoomRequest { id: None }));
        }
    });

    // Outside a room, the start; inside, the room's head.
    let head = move || match lab.room() {
        None => {
            let busy = matches!(live.notice.get(), Some(Notice::Busy(_)));
            outside::html(t(), &link_state.get(), busy)
        }
        Some(room) => {
            let words = (lab.texts().copied, lab.texts().copy_by_hand);
            inside::head_html(t(), words, &room, &join_link(&room.code), copied.get())
        }
    };
    let status = move || {
        lab.room()
            .map(|_| inside::status_html(t(), live.counts.get()))
            .unwrap_or_default()
    };
    let buttons = move || {
        lab.room()
            .map(|room| inside::buttons_html(t(), room.token.is_some()))
            .unwrap_or_default()
    };
    let notice = move || notice_html(t(), lab.lang.get(), live.notice.get());
    let on_click = move |ev: leptos::ev::MouseEvent| match super::data_pick(&ev).as_deref() {
        Some("run-live") => live.create(),
        Some("copy") => {
            let room = lab
                .mode
                .with_untracked(|mode| mode.live().map(|run| run.room.clone()));
            let Some(room) = room else {
                return;
            };
            let promise = window()
                .navigator()
                .clipboard()
                .write_text(&join_link(&room.code));
            copied.set(Some(false));
            spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.set(Some(true));
                }
            });
        }
        Some("replay") => live.replay(),
        Some("leave") => spawn_local(live.stop()),
        _ => {}
    };
    // Focusing the join link selects it, ready to copy.
    let on_focus = move |ev: leptos::ev::FocusEvent| {
        use wasm_bindgen::JsCast;
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
        }
    };
    // A new room starts with nothing copied.
    Effect::new(move |_| {
        lab.room();
        copied.set(None);
    });

    view! {
        <section
            class="live-room"
            aria-label=move || t().section_label
            data-room=move || lab.room().map(|room| room.code).unwrap_or_default()
            on:click=on_click
            on:focusin=on_focus
        >
            <div class="live-html" inner_html=head></div>
            <div class="live-html" inner_html=status></div>
            <div class="live-html" inner_html=buttons></div>
            {move || lab.room().map(|room| inside::zeromq_hands(live, &room))}
            <div class="live-html" inner_html=notice></div>
        </section>
    }
}

/// What the panel says besides the room, as HTML text.
fn notice_html(t: &LiveTexts, lang: Lang, notice: Option<Notice>) -> String {
    use fanout_shared::embed::escape_attribute as esc;
    let Some(notice) = notice else {
        return String::new();
    };
    let (class, text) = match notice {
        Notice::Busy(Busy::Creating) => ("notice", t.creating.to_string()),
        Notice::Busy(Busy::Joining(code)) => ("notice", (t.joining)(&code)),
        Notice::Refused(error) => ("notice problem", (t.refused)(&error.say(lang))),
        Notice::NotConnected => ("notice problem", t.not_connected.to_string()),
        Notice::Ended(ending) => ("notice", (t.ended)(&ending.say(lang))),
        Notice::Lost => ("notice problem", t.lost.to_string()),
        Notice::RunsBrokers(code) => {
            return format!(
                r#"<p class="notice" role="status" data-live-notice="runs-brokers">{} <a href="/reliability?room={}">{}</a></p>"#,
                esc(t.runs_brokers),
                esc(&code),
                esc(t.open_in_reliability),
            );
        }
    };
    format!(
        r#"<p class="{class}" role="status" data-live-notice="">{}</p>"#,
        esc(&text)
    )
}
