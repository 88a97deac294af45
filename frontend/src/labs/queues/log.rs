//! The event log, newest first, synced both ways with the canvas: picking
//! an event highlights its message and pipe on the canvas; picking a
//! message, pipe, socket or node on the canvas highlights the events
//! about it here.

use fanout_shared::sim::{Caption, Event, EventKind, Route};
use leptos::prelude::*;

use super::{QueueLab, Selection, canvas::event_conn, caption::sentence, controls::clock};

/// Does this event concern what is selected?
fn concerns(sel: Selection, e: &Event, c: &Caption) -> bool {
    match sel {
        Selection::None => false,
        Selection::Msg(m) => c.msg() == Some(m),
        Selection::Conn(conn) => {
            event_conn(e) == Some(conn)
                || matches!(&e.kind, EventKind::Send { route: Route::Fanout { hops }, .. }
                    if hops.iter().any(|h| h.conn == conn))
        }
        Selection::Node(n) => match &e.kind {
            EventKind::NodeStarted { node, .. }
            | EventKind::NodeHalted { node }
            | EventKind::Send { node, .. }
            | EventKind::Recv { node, .. }
            | EventKind::Block { node, .. }
            | EventKind::Unblock { node, .. }
            | EventKind::Error { node, .. }
            | EventKind::Sleep { node, .. }
            | EventKind::Timer { node }
            | EventKind::Log { node, .. }
            | EventKind::NodeRemoved { node, .. }
            | EventKind::Subscribe { node, .. } => *node == n,
            EventKind::Deliver { wakes, .. } => *wakes == Some(n),
            _ => false,
        },
        Selection::Socket(s) => match &e.kind {
            EventKind::Send { socket, .. }
            | EventKind::Recv { socket, .. }
            | EventKind::Block { socket, .. }
            | EventKind::Unblock { socket, .. }
            | EventKind::Error { socket, .. }
            | EventKind::Subscribe { socket, .. }
            | EventKind::Bound { socket, .. }
            | EventKind::Connecting { socket, .. } => *socket == s,
            EventKind::Depart { from, to, .. } | EventKind::Deliver { from, to, .. } => {
                *from == s || *to == s
            }
            EventKind::Connected {
                connecter, binder, ..
            } => *connecter == s || *binder == s,
            EventKind::SubscriptionArrived { publisher, .. } => *publisher == s,
            _ => false,
        },
    }
}

/// The kind of an event, as a short tag beside each line of the log (in
/// the learner's language, from `text.rs`) and as `data-kind` (for styles
/// and tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogKind {
    Start,
    Halt,
    Bind,
    Connect,
    Connected,
    Disconnect,
    Subscribe,
    SubArrives,
    Send,
    Drop,
    Wire,
    Deliver,
    Recv,
    Block,
    Unblock,
    Error,
    Sleep,
    Wake,
    Print,
    Edit,
    Remove,
    Timeout,
    Reopen,
    /// The reliability engine's (the reliability lab's page only).
    #[cfg(feature = "reliability")]
    Fault,
    #[cfg(feature = "reliability")]
    Broker,
}

impl LogKind {
    pub fn of(e: &Event) -> LogKind {
        match &e.kind {
            EventKind::NodeStarted { .. } => LogKind::Start,
            EventKind::NodeHalted { .. } => LogKind::Halt,
            EventKind::Bound { .. } => LogKind::Bind,
            EventKind::Connecting { .. } => LogKind::Connect,
            EventKind::Connected { .. } => LogKind::Connected,
            EventKind::Disconnected { .. } => LogKind::Disconnect,
            EventKind::Subscribe { .. } => LogKind::Subscribe,
            EventKind::SubscriptionArrived { .. } => LogKind::SubArrives,
            EventKind::Send { route, .. } => match route {
                Route::Dropped { .. } => LogKind::Drop,
                Route::Fanout { hops }
                    if hops
                        .iter()
                        .any(|h| h.fate == fanout_shared::sim::HopFate::DroppedHwm) =>
                {
                    LogKind::Drop
                }
                _ => LogKind::Send,
            },
            EventKind::Depart { .. } => LogKind::Wire,
            EventKind::Deliver { fate, .. } => match fate {
                fanout_shared::sim::Fate::Queued => LogKind::Deliver,
                fanout_shared::sim::Fate::Dropped { .. } => LogKind::Drop,
            },
            EventKind::Recv { .. } => LogKind::Recv,
            EventKind::Block { .. } => LogKind::Block,
            EventKind::Unblock { .. } => LogKind::Unblock,
            EventKind::Error { .. } => LogKind::Error,
            EventKind::Sleep { .. } => LogKind::Sleep,
            EventKind::Timer { .. } => LogKind::Wake,
            EventKind::Log { .. } => LogKind::Print,
            EventKind::Edited { .. } => LogKind::Edit,
            EventKind::NodeRemoved { .. } => LogKind::Remove,
            EventKind::TimedOut { .. } => LogKind::Timeout,
            EventKind::Reopened { .. } => LogKind::Reopen,
            #[cfg(feature = "reliability")]
            EventKind::Fault(_) => LogKind::Fault,
            #[cfg(feature = "reliability")]
            EventKind::Broker(_) => LogKind::Broker,
        }
    }

    /// Its name in `data-kind`.
    pub fn name(self) -> &'static str {
        match self {
            LogKind::Start => "start",
            LogKind::Halt => "halt",
            LogKind::Bind => "bind",
            LogKind::Connect => "connect",
            LogKind::Connected => "connected",
            LogKind::Disconnect => "disconnect",
            LogKind::Subscribe => "subscribe",
            LogKind::SubArrives => "sub-arrives",
            LogKind::Send => "send",
            LogKind::Drop => "drop",
            LogKind::Wire => "wire",
            LogKind::Deliver => "deliver",
            LogKind::Recv => "recv",
            LogKind::Block => "block",
            LogKind::Unblock => "unblock",
            LogKind::Error => "error",
            LogKind::Sleep => "sleep",
            LogKind::Wake => "wake",
            LogKind::Print => "print",
            LogKind::Edit => "edit",
            LogKind::Remove => "remove",
            LogKind::Timeout => "timeout",
            LogKind::Reopen => "reopen",
            #[cfg(feature = "reliability")]
            LogKind::Fault => "fault",
            #[cfg(feature = "reliability")]
            LogKind::Broker => "broker",
        }
    }
}

/// Rows shown while playing (all of `LOG_SHOWN` once paused).
const LOG_SHOWN_PLAYING: usize = 30;

#[component]
pub fn EventLog(lab: QueueLab) -> impl IntoView {
    let t = move || lab.texts();
    // While playing, the list is redrawn a few times a second, not on
    // every frame, and shorter: every redraw replaces every row.
    let rows = move || {
        if lab.player.playing.get() {
            lab.charts_rev.track();
            lab.snap.with_untracked(|s| {
                s.log
                    .iter()
                    .rev()
                    .take(LOG_SHOWN_PLAYING)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        } else {
            lab.snap
                .with(|s| s.log.iter().rev().cloned().collect::<Vec<_>>())
        }
    };
    view! {
        <section class="panel event-log" aria-labelledby="queue-log-title">
            <h2 id="queue-log-title">{move || t().log_title}</h2>
            <p class="hint">{move || t().log_hint}</p>
            <ol class="log-list">
                <For each=rows key=|(e, _)| e.step let:row>
                    <LogRow lab row />
                </For>
            </ol>
        </section>
    }
}

#[component]
fn LogRow(lab: QueueLab, row: (Event, Caption)) -> impl IntoView {
    let (event, caption) = row;
    let step = event.step;
    let kind = LogKind::of(&event);
    let time = clock(event.time);
    let related = {
        let (event, caption) = (event.clone(), caption.clone());
        move || concerns(lab.selection.get(), &event, &caption)
    };
    let pick = {
        let caption = caption.clone();
        let conn = event_conn(&event);
        move |_| {
            if lab.focus_step.get_untracked() == Some(step) {
                lab.focus_step.set(None);
                return;
            }
            lab.focus_step.set(Some(step));
            if let Some(m) = caption.msg() {
                lab.selection.set(Selection::Msg(m));
            } else if let Some(c) = conn {
                lab.selection.set(Selection::Conn(c));
            }
        }
    };
    let text = move || sentence(lab.lang.get(), &caption);
    view! {
        <li
            class="log-row"
            class:focused=move || lab.focus_step.get() == Some(step)
            class:related=related
            data-step=step.to_string()
            data-kind=kind.name()
        >
            <button
                type="button"
                aria-pressed=move || (lab.focus_step.get() == Some(step)).to_string()
                on:click=pick
            >
                <span class="log-step">{format!("#{step}")}</span>
                <span class="log-time">{time}</span>
                <span class="log-kind">{move || (lab.texts().log_kind)(kind)}</span>
                <span class="log-text">{text}</span>
            </button>
        </li>
    }
}
