//! The Tasks view (`/tasks`): a real Celery app using the server's Redis
//! node, shown as it happens. The server sends the node's Celery contents
//! and then its events (`docs/protocol.md`, "Tasks"); the page feeds both
//! to `fanout_shared::celery::TasksView`, the one interpretation, and
//! draws its facts:
//!
//! - `panels`: workers, queues, unacknowledged tasks with their visibility
//!   deadline counting down, tasks waiting for a countdown, and every
//!   task's journey with its result;
//! - `console`: the page's own hands on the node: a redis-cli-like
//!   command line and "send a task";
//! - `text`: every sentence in English and Chinese (`Texts::of`).
//!
//! There is no simulation: without the server, or under `--redis off`, the
//! page says so.

mod console;
mod panels;
mod text;

use std::time::Duration;

use fanout_shared::{
    celery::TasksView,
    protocol::{ClientFrame, Refusal, ServerFrame, TasksFrame, TasksRefusal, TasksRequest},
};
use leptos::prelude::*;

use self::text::Texts;
use super::NeedsServer;
use crate::{
    connection::{LinkState, Server},
    i18n::{query_param, use_lang},
};

/// What the page knows of the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeLink {
    /// Not watching yet (no server, or waiting for its answer).
    Waiting,
    /// Watching the node at this address.
    Watching { redis: String },
    /// The server runs no Redis node.
    RedisOff,
}

/// The view's state, shared by its panels; every field is a signal.
#[derive(Clone, Copy)]
pub struct TasksLab {
    pub view: RwSignal<TasksView>,
    pub node: RwSignal<NodeLink>,
    /// The server's clock (unix ms), advanced every second between
    /// frames, for the countdowns.
    pub now: RwSignal<u64>,
    /// The server's clock minus this browser's when the last frame came.
    offset: StoredValue<f64>,
    pub resynced: RwSignal<bool>,
    pub lang: Signal<crate::i18n::Lang>,
}

impl TasksLab {
    pub fn texts(self) -> &'static Texts {
        Texts::of(self.lang.get())
    }

    fn on_frame(self, frame: &ServerFrame) {
        match frame {
            ServerFrame::TasksSnapshot {
                redis,
                at,
                events,
                resync,
                ..
            } => {
                self.clock(*at);
                self.view.update(|view| {
                    view.reset_contents();
                    view.apply_all(events, *at);
                });
                if *resync {
                    self.resynced.set(true);
                }
                self.node.set(NodeLink::Watching {
                    redis: redis.clone(),
                });
            }
            ServerFrame::TasksEvents { at, events } => {
                self.clock(*at);
                self.view.update(|view| view.apply_all(events, *at));
            }
            ServerFrame::Error {
                refusal: Some(Refusal::Tasks(TasksRefusal::RedisOff)),
                ..
            } => self.node.set(NodeLink::RedisOff),
            _ => {}
        }
    }

    fn clock(self, at: u64) {
        self.offset.set_value(at as f64 - js_sys::Date::now());
        self.now.set(at);
    }

    fn tick(self) {
        let now = js_sys::Date::now() + self.offset.get_value();
        self.now.set(now.max(0.0) as u64);
    }
}

#[component]
pub fn TasksLab() -> impl IntoView {
    let server = expect_context::<Server>();
    let link = expect_context::<ReadSignal<LinkState>>();
    let lang = use_lang();
    let search = window().location().search().unwrap_or_default();
    // `?visibility=2` (seconds): the app's visibility timeout.
    let visibility_ms = query_param(&search, "visibility")
        .and_then(|seconds| seconds.parse::<f64>().ok())
        .filter(|seconds| *seconds > 0.0)
        .map_or(
            fanout_shared::celery::view::DEFAULT_VISIBILITY_MS,
            |seconds| (seconds * 1000.0) as u64,
        );
    let lab = TasksLab {
        view: RwSignal::new(TasksView::new(visibility_ms)),
        node: RwSignal::new(NodeLink::Waiting),
        now: RwSignal::new(js_sys::Date::now() as u64),
        offset: StoredValue::new(0.0),
        resynced: RwSignal::new(false),
        lang,
    };
    let t = move || lab.texts();

    Effect::new(move |_| {
        if matches!(link.get(), LinkState::Connected { .. }) {
            server.send(&ClientFrame::Tasks(TasksFrame::Watch(TasksRequest {
                id: None,
            })));
        } else {
            lab.node.set(NodeLink::Waiting);
        }
    });
    server.listen(move |frame| lab.on_frame(frame));
    if let Ok(ticker) = set_interval_with_handle(move || lab.tick(), Duration::from_secs(1)) {
        on_cleanup(move || ticker.clear());
    }

    view! {
        <section class="lab tasks-lab" aria-labelledby="tasks-title">
            <h1 id="tasks-title">{move || t().title}</h1>
            <p class="lede">{move || t().lede}</p>
            // Under --redis off the notice says it all: no "live" line
            // and no empty panels beside it.
            <Show when=move || lab.node.get() != NodeLink::RedisOff>
                <NeedsServer what=|lang| Texts::of(lang).what />
            </Show>
            <panels::Connect lab />
            <Show when=move || lab.node.get() != NodeLink::RedisOff>
                <panels::Workers lab />
                <panels::Queues lab />
                <panels::Unacked lab />
                <panels::Waiting lab />
                <panels::Tasks lab />
                <console::Console lab />
            </Show>
        </section>
    }
}
