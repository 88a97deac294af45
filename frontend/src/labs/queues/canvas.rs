//! The canvas (SVG): nodes as cards with their sockets as labelled ports
//! (type, bind or connect, endpoint, subscriptions, REQ/REP state); pipes
//! as edges with a queue-depth bar against the high-water mark at each
//! end (the sender's stage and the receiver's), per direction; messages in
//! flight as moving shapes coloured by topic (the payload on hover); drops
//! marked where they happen with the reason; a node blocked in `send`
//! drawn dashed and labelled. One file per part under `canvas/`:
//! `geometry` (where things are), `node_card`, `socket_row`, `pipes`,
//! `drops`, `legend`.
//!
//! Nodes drag by their card; dragging from one socket's port to another's
//! connects them (`QueueLab::connect`: the engine refuses what ZeroMQ
//! would, and the refusal is shown where the port was dropped). Everything
//! is also reachable by keyboard: cards and ports are focusable, Enter
//! selects, Shift+arrows move a card.

mod drops;
mod geometry;
mod legend;
mod node_card;
mod pipes;
mod socket_row;

use fanout_shared::{
    lang::Say,
    sim::{Event, EventKind, NodeId, Route},
    socket::{ConnId, SocketId},
};
use leptos::{html, prelude::*, svg};
use wasm_bindgen::JsCast;

#[cfg(test)]
pub use self::geometry::geometry_of;
pub use self::geometry::{Geo, at, curve, path_d};
use self::{
    drops::{DROP_MEMORY, drop_marks},
    geometry::{Pt, geometry, pipe_meta},
    legend::Legend,
    node_card::NodeCard,
    pipes::Pipes,
};
use super::{
    QueueLab, Selection,
    dots::{Dots, describe, dot_at},
    layout,
    problem::Problem,
};

/// Pages narrower than this (CSS pixels) open the canvas fitted to view.
const NARROW_PAGE: f64 = 700.0;

/// What a pointer drag is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum Drag {
    Node {
        id: NodeId,
        name: String,
        grab: Pt,
        start: Pt,
        moved: bool,
    },
    Connect {
        from: SocketId,
        start: Pt,
        to: Pt,
    },
}

#[component]
pub fn Canvas(lab: QueueLab) -> impl IntoView {
    let t = move || lab.texts();
    let snap = lab.snap;
    let structure = Memo::new(move |_| snap.with(|s| s.structure.clone()));
    let auto = Memo::new(move |_| structure.with(layout::layout));
    let meta = Memo::new(move |_| snap.with(|s| pipe_meta(s)));
    let geo = Memo::new(move |_| {
        let moved = lab.moved.get();
        meta.with(|meta| structure.with(|s| auto.with(|a| geometry(s, a, &moved, meta))))
    });

    // Fit to view: the whole canvas scaled into the page's width (its
    // viewBox keeps every coordinate), instead of its natural size with
    // scroll bars. On by default where the page is narrower than the
    // canvas would be drawn (a phone), so nothing starts clipped.
    let fit = RwSignal::new(
        window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .is_some_and(|w| w < NARROW_PAGE),
    );

    let svg_ref = NodeRef::<svg::Svg>::new();
    let wrap_ref = NodeRef::<html::Div>::new();
    let drag = RwSignal::new(None::<Drag>);
    // The engine's refusal of a connection, where the port was dropped.
    let message = RwSignal::new(None::<(Problem, Pt)>);

    // Client pixels → SVG user units.
    let to_svg = move |x: f64, y: f64| -> Pt {
        let Some(el) = svg_ref.get_untracked() else {
            return (x, y);
        };
        let el: &web_sys::Element = el.unchecked_ref();
        let r = el.get_bounding_client_rect();
        let (w, h) = geo.with_untracked(|g| (g.width, g.height));
        let sx = if r.width() > 0.0 { w / r.width() } else { 1.0 };
        let sy = if r.height() > 0.0 {
            h / r.height()
        } else {
            1.0
        };
        ((x - r.left()) * sx, (y - r.top()) * sy)
    };
    // Client pixels → the wrapper's box (for the refusal message).
    let to_wrap = move |x: f64, y: f64| -> Pt {
        let Some(el) = wrap_ref.get_untracked() else {
            return (x, y);
        };
        let el: &web_sys::Element = el.unchecked_ref();
        let r = el.get_bounding_client_rect();
        (
            x - r.left() + el.scroll_left() as f64,
            y - r.top() + el.scroll_top() as f64,
        )
    };

    let on_move = move |ev: web_sys::PointerEvent| {
        let Some(d) = drag.get_untracked() else {
            return;
        };
        let p = to_svg(ev.client_x() as f64, ev.client_y() as f64);
        match d {
            Drag::Node {
                id,
                name,
                grab,
                start,
                moved,
            } => {
                let nx = (start.0 + p.0 - grab.0).max(0.0);
                let ny = (start.1 + p.1 - grab.1).max(0.0);
                let now_moved = moved || (p.0 - grab.0).abs() + (p.1 - grab.1).abs() > 3.0;
                if now_moved {
                    lab.moved.update(|m| {
                        m.insert(name.clone(), (nx, ny));
                    });
                }
                drag.set(Some(Drag::Node {
                    id,
                    name,
                    grab,
                    start,
                    moved: now_moved,
                }));
            }
            Drag::Connect { from, start, .. } => {
                drag.set(Some(Drag::Connect { from, start, to: p }));
            }
        }
    };
    let on_up = move |ev: web_sys::PointerEvent| {
        let Some(d) = drag.get_untracked() else {
            return;
        };
        drag.set(None);
        match d {
            Drag::Node { id, moved, .. } => {
                if !moved {
                    lab.selection.set(Selection::Node(id));
                }
            }
            Drag::Connect { from, .. } => {
                let (cx, cy) = (ev.client_x() as f64, ev.client_y() as f64);
                let target = document()
                    .element_from_point(cx as f32, cy as f32)
                    .and_then(|el| el.closest("[data-socket-id]").ok().flatten())
                    .and_then(|el| el.get_attribute("data-socket-id"))
                    .and_then(|v| v.parse::<u32>().ok())
                    .map(SocketId);
                match target {
                    Some(to) if to != from => {
                        let at = to_wrap(cx, cy);
                        match lab.connect(from, to) {
                            Ok(()) => message.set(None),
                            Err(e) => message.set(Some((e, at))),
                        }
                    }
                    Some(_) => {
                        lab.selection.set(Selection::Socket(from));
                    }
                    None => {}
                }
            }
        }
    };

    // The messages are painted on a canvas that takes no pointer events
    // (dots.rs): find the one under the pointer here. A click on a dot
    // selects its message instead of whatever is drawn beneath it.
    let dot_tip = RwSignal::new(None::<(String, Pt)>);
    let dot_under = move |x: i32, y: i32| {
        let p = to_svg(f64::from(x), f64::from(y));
        geo.with_untracked(|g| lab.motion.with_untracked(|m| dot_at(&m.wire, m.now, g, p)))
    };
    let pick_dot = move |ev: web_sys::MouseEvent| {
        if let Some(wire) = dot_under(ev.client_x(), ev.client_y()) {
            ev.stop_propagation();
            lab.selection.set(Selection::Msg(wire.msg));
        }
    };
    let hover_dot = move |ev: web_sys::PointerEvent| {
        if drag.with_untracked(Option::is_some) {
            return;
        }
        let tip = dot_under(ev.client_x(), ev.client_y()).map(|wire| {
            let (x, y) = to_wrap(f64::from(ev.client_x()), f64::from(ev.client_y()));
            (describe(&wire), (x + 12.0, y + 12.0))
        });
        if dot_tip.with_untracked(|old| old != &tip) {
            dot_tip.set(tip);
        }
    };

    // Recent drops, placed where they happened.
    let drops = Memo::new(move |_| {
        let g = geo.get();
        snap.with(|s| drop_marks(s, &g))
    });

    let focus_msg = Memo::new(move |_| {
        if let Selection::Msg(m) = lab.selection.get() {
            return Some(m);
        }
        let step = lab.focus_step.get()?;
        snap.with(|s| {
            s.log
                .iter()
                .find(|(e, _)| e.step == step)
                .and_then(|(_, c)| c.msg())
        })
    });
    let focus_conn = Memo::new(move |_| {
        if let Selection::Conn(c) = lab.selection.get() {
            return Some(c);
        }
        let step = lab.focus_step.get()?;
        snap.with(|s| {
            s.log
                .iter()
                .find(|(e, _)| e.step == step)
                .and_then(|(e, _)| event_conn(e))
        })
    });

    let links = move || geo.with(|g| g.links.values().copied().collect::<Vec<_>>());
    // Keyed by id and name: another scenario reuses the ids, and a card
    // keeps the name it was drawn with.
    let nodes = move || {
        structure.with(|s| {
            s.nodes
                .iter()
                .map(|n| (n.0, n.1.clone()))
                .collect::<Vec<_>>()
        })
    };

    view! {
        <div class="queue-canvas">
            <div class="canvas-scroll" node_ref=wrap_ref>
                <div
                    class="canvas-stack"
                    class:fitted=move || fit.get()
                    style=move || {
                        if fit.get() {
                            return "width:100%".to_owned();
                        }
                        geo.with(|g| {
                            format!(
                                "width:clamp({:.0}px,100%,{:.0}px)",
                                (g.width * 0.72).min(g.width),
                                g.width,
                            )
                        })
                    }
                    on:click:capture=pick_dot
                    on:pointermove=hover_dot
                    on:pointerleave=move |_| dot_tip.set(None)
                >
                <svg
                    node_ref=svg_ref
                    class="canvas"
                    class:dragging=move || drag.with(Option::is_some)
                    role="group"
                    aria-label=move || t().canvas_label
                    viewBox=move || geo.with(|g| format!("0 0 {:.0} {:.0}", g.width, g.height))
                    on:pointermove=on_move
                    on:pointerup=on_up
                    on:pointercancel=move |_| drag.set(None)
                >
                    <defs>
                        <marker
                            id="q-arrow"
                            viewBox="0 0 10 10"
                            refX="9"
                            refY="5"
                            markerWidth="7"
                            markerHeight="7"
                            orient="auto-start-reverse"
                        >
                            <path d="M0 0L10 5L0 10Z" class="arrow-head" />
                        </marker>
                    </defs>
                    <g class="pipes-declared">
                        {move || {
                            geo.with(|g| {
                                g.declared
                                    .iter()
                                    .map(|(a, b)| {
                                        view! {
                                            <path class="pipe-declared" d=path_d(&curve(*a, *b, 0.0))>
                                                <title>{move || t().declared_pipe}</title>
                                            </path>
                                        }
                                    })
                                    .collect_view()
                            })
                        }}
                    </g>
                    {broker_links(lab, geo)}
                    <g class="pipes">
                        <For each=links key=|l| l.conn let:link>
                            <Pipes lab conn=link.conn geo focus_conn />
                        </For>
                    </g>
                    <g class="nodes">
                        <For each=nodes key=|node| node.clone() let:node>
                            <NodeCard lab id=node.0 geo drag svg_ref />
                        </For>
                    </g>
                    <g class="drops">
                        <For each=move || drops.get() key=|d| d.key let:d>
                            <g
                                class="drop-mark"
                                transform=format!("translate({:.1} {:.1})", d.at.0, d.at.1)
                                opacity=format!("{:.2}", 1.0 - d.age as f64 / (DROP_MEMORY as f64 * 1.25))
                                data-reason=d.reason.name()
                            >
                                <path class="drop-x" d="M-5 -5L5 5M5 -5L-5 5" />
                                <text class="drop-label" x="8" y="4">
                                    {move || {
                                        let what = (t().drop_reason)(d.reason);
                                        match d.msg {
                                            Some(m) => format!("{m} {what}"),
                                            None => what.to_string(),
                                        }
                                    }}
                                </text>
                            </g>
                        </For>
                    </g>
                    {move || {
                        drag.with(|d| match d {
                            Some(Drag::Connect { start, to, .. }) => {
                                Some(view! {
                                    <line
                                        class="connect-line"
                                        x1=format!("{:.1}", start.0)
                                        y1=format!("{:.1}", start.1)
                                        x2=format!("{:.1}", to.0)
                                        y2=format!("{:.1}", to.1)
                                    />
                                })
                            }
                            _ => None,
                        })
                    }}
                </svg>
                <Dots lab geo focus_msg />
                </div>
                {move || {
                    dot_tip
                        .get()
                        .map(|(text, (x, y))| {
                            view! {
                                <p
                                    class="dot-tip"
                                    role="tooltip"
                                    style=format!("left:{x:.0}px;top:{y:.0}px")
                                >
                                    {text}
                                </p>
                            }
                        })
                }}
                {move || {
                    message
                        .get()
                        .map(|(problem, (x, y))| {
                            view! {
                                <p
                                    class="canvas-message"
                                    role="alert"
                                    style=format!("left:{x:.0}px;top:{y:.0}px")
                                >
                                    {move || problem.say(lab.lang.get())}
                                    <button
                                        type="button"
                                        class="close"
                                        aria-label=move || t().dismiss
                                        on:click=move |_| message.set(None)
                                    >
                                        "×"
                                    </button>
                                </p>
                            }
                        })
                }}
            </div>
            <div class="canvas-tools">
                <button
                    type="button"
                    class="fit-view"
                    aria-pressed=move || fit.get().to_string()
                    on:click=move |_| fit.update(|on| *on = !*on)
                >
                    {move || if fit.get() { t().actual_size } else { t().fit_to_view }}
                </button>
            </div>
            <Legend lab />
        </div>
    }
}

/// The connection an event is about, for highlighting its pipe.
pub fn event_conn(e: &Event) -> Option<ConnId> {
    match &e.kind {
        EventKind::Depart { conn, .. }
        | EventKind::Deliver { conn, .. }
        | EventKind::Recv { conn, .. }
        | EventKind::Connected { conn, .. }
        | EventKind::Disconnected { conn, .. }
        | EventKind::SubscriptionArrived { conn, .. } => Some(*conn),
        EventKind::Send {
            route: Route::Peer { conn, .. } | Route::Reply { conn, .. },
            ..
        } => Some(*conn),
        EventKind::Connecting { conn, .. } => *conn,
        _ => None,
    }
}

/// The task programs' broker connections (the reliability page only:
/// `reliability::broker_links`).
#[cfg(feature = "reliability")]
fn broker_links(lab: QueueLab, geo: Memo<Geo>) -> impl IntoView {
    let markup = move || {
        let lang = lab.lang.get();
        geo.with(|g| {
            lab.snap
                .with(|s| super::reliability::broker_links(s, &g.cards, lang))
        })
    };
    view! { <g class="broker-links" inner_html=markup></g> }
}

#[cfg(not(feature = "reliability"))]
fn broker_links(_lab: QueueLab, _geo: Memo<Geo>) -> impl IntoView {}
