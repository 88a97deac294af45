//! The canvas (SVG): nodes as cards with their sockets as labelled ports
//! (type, bind or connect, endpoint, subscriptions, REQ/REP state); pipes
//! as edges with a queue-depth bar against the high-water mark at each
//! end (the sender's stage and the receiver's), per direction; messages in
//! flight as moving shapes coloured by topic (the payload on hover); drops
//! marked where they happen with the reason; a node blocked in `send`
//! drawn dashed and labelled.
//!
//! Nodes drag by their card; dragging from one socket's port to another's
//! connects them (the engine refuses what ZeroMQ would, and the refusal is
//! shown where the port was dropped). Everything is also reachable by
//! keyboard: cards and ports are focusable, Enter selects, Shift+arrows
//! move a card.

use std::collections::BTreeMap;

use fanout_shared::{
    sim::scenario::ConnectSpec,
    sim::{Action, DropReason, Event, EventKind, Fate, HopFate, NodeId, NodeState, Route},
    socket::{ConnId, Endpoint, FsmState, MsgId, OpKind, SocketId, SocketKind},
};
use leptos::{html, prelude::*, svg};
use wasm_bindgen::JsCast;

use super::{
    Lab, Selection, Snap,
    dots::{Dots, describe, dot_at},
    layout::{self, CARD_W, Card, HEADER_H, MARGIN, ROW_H, Structure},
    topics,
};

/// How far apart a REQ/REP connection's two pipes are drawn.
const PAIR_OFFSET: f64 = 6.0;
/// Drops stay on the canvas for this many events.
const DROP_MEMORY: u64 = 60;

type Pt = (f64, f64);

/// One connection's drawing: the curve from the socket that sends
/// "forward" (PUB, PUSH, REQ) to the one that receives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub conn: ConnId,
    pub out: SocketId,
    pub inn: SocketId,
    pub a: Pt,
    pub b: Pt,
    /// REQ/REP: replies travel back on a second pipe.
    pub both: bool,
    /// Which pipe (`dir`) carries the forward direction.
    pub forward_dir: u8,
}

/// Where everything is, once cards have been placed (and dragged).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Geo {
    pub cards: BTreeMap<NodeId, Card>,
    pub ports: BTreeMap<SocketId, (Pt, bool)>,
    pub links: BTreeMap<ConnId, Link>,
    pub width: f64,
    pub height: f64,
}

/// What placing the pipes needs to know of the topology: which socket
/// connected each connection, and each socket's type.
type LinkMeta = (BTreeMap<ConnId, SocketId>, BTreeMap<SocketId, SocketKind>);

fn link_meta(s: &Snap) -> LinkMeta {
    let connecters = s.topo.conns.iter().map(|c| (c.id, c.connecter)).collect();
    let kinds = s.topo.sockets.iter().map(|x| (x.id, x.kind)).collect();
    (connecters, kinds)
}

/// The drawing of a snapshot as first laid out (nothing dragged).
#[cfg(test)]
pub(super) fn geometry_of(s: &Snap) -> Geo {
    let (connecters, kinds) = link_meta(s);
    let auto = layout::layout(&s.structure);
    geometry(&s.structure, &auto, &BTreeMap::new(), &connecters, &kinds)
}

fn geometry(
    s: &Structure,
    auto: &layout::Layout,
    moved: &BTreeMap<String, Pt>,
    connecters: &BTreeMap<ConnId, SocketId>,
    kinds: &BTreeMap<SocketId, SocketKind>,
) -> Geo {
    let mut g = Geo::default();
    for (id, name, _) in &s.nodes {
        if let Some(card) = auto.cards.get(id) {
            let mut card = *card;
            if let Some((x, y)) = moved.get(name) {
                card.x = *x;
                card.y = *y;
            }
            g.cards.insert(*id, card);
        }
    }
    for (sid, port) in &auto.ports {
        if let Some(card) = g.cards.get(&port.node) {
            g.ports
                .insert(*sid, ((card.x + port.dx, card.y + port.dy), port.right));
        }
    }
    for (conn, out, inn) in &s.links {
        let (Some((a, _)), Some((b, _))) = (g.ports.get(out), g.ports.get(inn)) else {
            continue;
        };
        let both = kinds.get(out) == Some(&SocketKind::Req);
        let forward_dir = if connecters.get(conn) == Some(out) {
            0
        } else {
            1
        };
        g.links.insert(
            *conn,
            Link {
                conn: *conn,
                out: *out,
                inn: *inn,
                a: *a,
                b: *b,
                both,
                forward_dir,
            },
        );
    }
    let (mut w, mut h) = (auto.width, auto.height);
    for c in g.cards.values() {
        w = w.max(c.x + CARD_W + MARGIN);
        h = h.max(c.y + c.h + MARGIN);
    }
    g.width = w.max(320.0);
    g.height = h.max(200.0);
    g
}

/// The cubic curve of a link, shifted `off` pixels down.
fn curve(a: Pt, b: Pt, off: f64) -> [Pt; 4] {
    let dx = if b.0 > a.0 + 20.0 {
        ((b.0 - a.0) / 2.0).max(40.0)
    } else {
        90.0
    };
    [
        (a.0, a.1 + off),
        (a.0 + dx, a.1 + off),
        (b.0 - dx, b.1 + off),
        (b.0, b.1 + off),
    ]
}

pub(super) fn at(c: &[Pt; 4], t: f64) -> Pt {
    let u = 1.0 - t;
    let (a, b, cc, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (
        a * c[0].0 + b * c[1].0 + cc * c[2].0 + d * c[3].0,
        a * c[0].1 + b * c[1].1 + cc * c[2].1 + d * c[3].1,
    )
}

fn path_d(c: &[Pt; 4]) -> String {
    format!(
        "M{:.1} {:.1}C{:.1} {:.1},{:.1} {:.1},{:.1} {:.1}",
        c[0].0, c[0].1, c[1].0, c[1].1, c[2].0, c[2].1, c[3].0, c[3].1
    )
}

impl Link {
    /// The curve a pipe's messages travel, from its sender to its
    /// receiver (t = 0 at the sender).
    pub(super) fn pipe_curve(&self, dir: u8) -> [Pt; 4] {
        let forward = dir == self.forward_dir;
        let off = if self.both {
            if forward { -PAIR_OFFSET } else { PAIR_OFFSET }
        } else {
            0.0
        };
        let c = curve(self.a, self.b, off);
        if forward { c } else { [c[3], c[2], c[1], c[0]] }
    }

    fn dirs(&self) -> Vec<u8> {
        if self.both {
            vec![self.forward_dir, 1 - self.forward_dir]
        } else {
            vec![self.forward_dir]
        }
    }
}

/// A short endpoint for a port label: `tcp://127.0.0.1:6700` → `:6700`.
pub fn short_endpoint(e: &str) -> String {
    let rest = e.split_once("://").map_or(e, |(_, r)| r);
    for host in ["127.0.0.1", "localhost", "0.0.0.0", "*"] {
        if let Some(port) = rest.strip_prefix(host)
            && port.starts_with(':')
        {
            return port.to_string();
        }
    }
    rest.to_string()
}

fn ellipsis(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let head: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{head}…")
    }
}

/// What a pointer drag is doing.
#[derive(Clone, Debug, PartialEq)]
enum Drag {
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

/// A drop on the canvas: where, why, which message.
#[derive(Clone, Debug, PartialEq)]
struct DropMark {
    key: u64,
    at: Pt,
    reason: DropReason,
    msg: Option<MsgId>,
    age: u64,
}

#[component]
pub fn Canvas(lab: Lab) -> impl IntoView {
    let t = move || lab.texts();
    let snap = lab.snap;
    let structure = Memo::new(move |_| snap.with(|s| s.structure.clone()));
    let auto = Memo::new(move |_| structure.with(layout::layout));
    let meta = Memo::new(move |_| snap.with(|s| link_meta(s)));
    let geo = Memo::new(move |_| {
        let moved = lab.moved.get();
        meta.with(|(connecters, kinds)| {
            structure.with(|s| auto.with(|a| geometry(s, a, &moved, connecters, kinds)))
        })
    });

    let svg_ref = NodeRef::<svg::Svg>::new();
    let wrap_ref = NodeRef::<html::Div>::new();
    let drag = RwSignal::new(None::<Drag>);
    let message = RwSignal::new(None::<(String, Pt)>);

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
                        match connect_sockets(lab, from, to) {
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
    let nodes = move || structure.with(|s| s.nodes.iter().map(|n| n.0).collect::<Vec<_>>());

    view! {
        <div class="queue-canvas">
            <div class="canvas-scroll" node_ref=wrap_ref>
                <div
                    class="canvas-stack"
                    style=move || {
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
                    <g class="pipes">
                        <For each=links key=|l| l.conn let:link>
                            <Pipes lab conn=link.conn geo focus_conn />
                        </For>
                    </g>
                    <g class="nodes">
                        <For each=nodes key=|id| *id let:id>
                            <NodeCard lab id geo drag svg_ref />
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
                        .map(|(text, (x, y))| {
                            view! {
                                <p
                                    class="canvas-message"
                                    role="alert"
                                    style=format!("left:{x:.0}px;top:{y:.0}px")
                                >
                                    {text}
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

fn drop_marks(s: &Snap, g: &Geo) -> Vec<DropMark> {
    let mut out = Vec::new();
    let sender_end = |conn: ConnId, from: SocketId| -> Option<Pt> {
        let l = g.links.get(&conn)?;
        let dir = if from == l.out {
            l.forward_dir
        } else {
            1 - l.forward_dir
        };
        Some(at(&l.pipe_curve(dir), 0.2))
    };
    for (e, _) in s.log.iter().rev() {
        let age = s.steps.saturating_sub(e.step + 1);
        if age >= DROP_MEMORY {
            break;
        }
        let key = e.step * 64;
        match &e.kind {
            EventKind::Send {
                socket, route, msg, ..
            } => match route {
                Route::Fanout { hops } => {
                    for (i, h) in hops.iter().enumerate() {
                        if h.fate == HopFate::DroppedHwm
                            && let Some(p) = sender_end(h.conn, *socket)
                        {
                            out.push(DropMark {
                                key: key + i as u64 % 64,
                                at: p,
                                reason: DropReason::Hwm,
                                msg: Some(*msg),
                                age,
                            });
                        }
                    }
                    if hops.iter().all(|h| h.fate == HopFate::Filtered)
                        && let Some((p, _)) = g.ports.get(socket)
                    {
                        out.push(DropMark {
                            key,
                            at: (p.0 + 10.0, p.1 - 12.0),
                            reason: DropReason::Filtered,
                            msg: Some(*msg),
                            age,
                        });
                    }
                }
                Route::Dropped { reason } => {
                    if let Some((p, _)) = g.ports.get(socket) {
                        out.push(DropMark {
                            key,
                            at: (p.0 + 10.0, p.1 - 12.0),
                            reason: *reason,
                            msg: Some(*msg),
                            age,
                        });
                    }
                }
                _ => {}
            },
            EventKind::Deliver {
                conn,
                to,
                msg,
                fate,
                ..
            } => {
                if let Fate::Dropped { reason } = fate
                    && let Some((p, _)) = g.ports.get(to)
                {
                    let _ = conn;
                    out.push(DropMark {
                        key,
                        at: (p.0 - 14.0, p.1 - 12.0),
                        reason: *reason,
                        msg: Some(*msg),
                        age,
                    });
                }
            }
            EventKind::Disconnected { conn, lost } if *lost > 0 => {
                if let Some(c) = s.topo.conns.get(conn.0 as usize)
                    && let Some((p, _)) = g.ports.get(&c.connecter)
                {
                    out.push(DropMark {
                        key,
                        at: (p.0, p.1 - 14.0),
                        reason: DropReason::Disconnected,
                        msg: None,
                        age,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// A connection's pipe(s): the curve, an arrow, and a depth bar at each
/// end against its high-water mark.
#[component]
fn Pipes(
    lab: Lab,
    conn: ConnId,
    geo: Memo<Geo>,
    focus_conn: Memo<Option<ConnId>>,
) -> impl IntoView {
    let t = move || lab.texts();
    let link = move || geo.with(|g| g.links.get(&conn).copied());
    let dirs = link().map(|l| l.dirs()).unwrap_or_default();
    let select = move |_| lab.selection.set(Selection::Conn(conn));
    let label = move || {
        lab.snap.with(|s| {
            s.topo
                .conns
                .get(conn.0 as usize)
                .map(|c| {
                    let binder = c.binder.map_or("?".into(), |b| s.socket_label(b));
                    (t().pipe_label)(&s.socket_label(c.connecter), &binder, c.endpoint.as_str())
                })
                .unwrap_or_default()
        })
    };
    dirs.into_iter()
        .map(|dir| {
            let c = move || link().map(|l| l.pipe_curve(dir));
            let depth = move || {
                lab.snap.with(|s| {
                    s.topo
                        .conns
                        .get(conn.0 as usize)
                        .and_then(|c| c.pipes.get(dir as usize))
                        .map(|p| (p.sending, p.receiving, p.sndhwm, p.rcvhwm, p.on_wire))
                })
            };
            // Each end's bar: where it sits, the queue's depth and mark.
            let bar = move |sender: bool| {
                Memo::new(move |_| {
                    let c = c()?;
                    let (sending, receiving, sndhwm, rcvhwm, _) = depth()?;
                    Some(if sender {
                        (at(&c, 0.14), sending, sndhwm)
                    } else {
                        (at(&c, 0.86), receiving, rcvhwm)
                    })
                })
            };
            let reply = link().is_some_and(|l| dir != l.forward_dir);
            view! {
                <g
                    class="pipe"
                    class:reply=reply
                    class:focused=move || focus_conn.get() == Some(conn)
                    class:selected=move || lab.selection.get() == Selection::Conn(conn)
                    data-conn=conn.0.to_string()
                    data-dir=dir.to_string()
                    on:click=select
                >
                    <title>{label}</title>
                    <path class="pipe-hit" d=move || c().map(|c| path_d(&c)).unwrap_or_default() />
                    <path
                        class="pipe-line"
                        d=move || c().map(|c| path_d(&c)).unwrap_or_default()
                        marker-end="url(#q-arrow)"
                    />
                    <DepthBar bar=bar(true) stage="send" />
                    <DepthBar bar=bar(false) stage="recv" />
                </g>
            }
        })
        .collect_view()
}

/// A queue's depth against its mark: a bar, and the numbers when not
/// empty. Built once per pipe end; each frame only its attributes change
/// (rebuilding it per frame was a tenth of the playing canvas's script).
#[component]
fn DepthBar(bar: Memo<Option<(Pt, u32, u32)>>, stage: &'static str) -> impl IntoView {
    const W: f64 = 34.0;
    let depth = move || bar.with(|b| b.map_or((0, 0), |(_, n, hwm)| (n, hwm)));
    let frac = move || {
        let (n, hwm) = depth();
        if hwm == 0 {
            f64::from(n) / (f64::from(n) + 20.0)
        } else {
            (f64::from(n) / f64::from(hwm)).min(1.0)
        }
    };
    let text = move || match depth() {
        (n, 0) => format!("{n}/∞"),
        (n, hwm) => format!("{n}/{hwm}"),
    };
    view! {
        <g
            class="depth"
            class:full=move || matches!(depth(), (n, hwm) if hwm > 0 && n >= hwm)
            class:empty=move || depth().0 == 0
            visibility=move || bar.with(Option::is_none).then_some("hidden")
            transform=move || {
                bar.with(|b| {
                    b.map(|(at, ..)| format!("translate({:.1} {:.1})", at.0 - W / 2.0, at.1 + 7.0))
                })
            }
            data-stage=stage
            data-depth=move || depth().0.to_string()
            data-hwm=move || depth().1.to_string()
        >
            <rect class="depth-bg" width=W height="6" rx="2" />
            <rect class="depth-fill" width=move || format!("{:.1}", W * frac()) height="6" rx="2" />
            <text class="depth-label" x=W / 2.0 y="16" text-anchor="middle">{text}</text>
        </g>
    }
}

/// A node as a card: name, program and state on top, one row per socket.
#[component]
fn NodeCard(
    lab: Lab,
    id: NodeId,
    geo: Memo<Geo>,
    drag: RwSignal<Option<Drag>>,
    svg_ref: NodeRef<svg::Svg>,
) -> impl IntoView {
    let t = move || lab.texts();
    let snap = lab.snap;
    let node = move || snap.with(|s| s.topo.nodes.get(id.0 as usize).cloned());
    let name = snap.with_untracked(|s| s.node_name(id).to_string());
    let card = move || geo.with(|g| g.cards.get(&id).copied());
    let sockets = move || {
        snap.with(|s| {
            s.structure
                .nodes
                .iter()
                .find(|n| n.0 == id)
                .map(|n| n.2.iter().map(|(sid, _)| *sid).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let blocked_send =
        move || node().is_some_and(|n| matches!(n.blocked_on, Some((_, OpKind::Send))));
    let waiting = move || node().is_some_and(|n| matches!(n.blocked_on, Some((_, OpKind::Recv))));
    let state_line = move || {
        let Some(n) = node() else {
            return String::new();
        };
        let state = match n.blocked_on {
            Some((sock, op)) => {
                let sname = snap.with(|s| {
                    s.topo
                        .sockets
                        .get(sock.0 as usize)
                        .map_or("?".into(), |x| x.name.clone())
                });
                (t().blocked_in)(op == OpKind::Send, &sname)
            }
            None => (t().node_state)(n.state).to_string(),
        };
        format!("{} · {state}", n.program)
    };
    let name_for_drag = name.clone();
    let start_drag = move |ev: web_sys::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        let Some(c) = card() else { return };
        let Some(el) = svg_ref.get_untracked() else {
            return;
        };
        let el: &web_sys::Element = el.unchecked_ref();
        let _ = el.set_pointer_capture(ev.pointer_id());
        let r = el.get_bounding_client_rect();
        let (w, _) = geo.with_untracked(|g| (g.width, g.height));
        let scale = if r.width() > 0.0 { w / r.width() } else { 1.0 };
        let grab = (
            (ev.client_x() as f64 - r.left()) * scale,
            (ev.client_y() as f64 - r.top()) * scale,
        );
        drag.set(Some(Drag::Node {
            id,
            name: name_for_drag.clone(),
            grab,
            start: (c.x, c.y),
            moved: false,
        }));
    };
    let name_for_keys = name.clone();
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        if key == "Enter" || key == " " {
            ev.prevent_default();
            lab.selection.set(Selection::Node(id));
            return;
        }
        if !ev.shift_key() {
            return;
        }
        let (dx, dy) = match key.as_str() {
            "ArrowLeft" => (-20.0, 0.0),
            "ArrowRight" => (20.0, 0.0),
            "ArrowUp" => (0.0, -20.0),
            "ArrowDown" => (0.0, 20.0),
            _ => return,
        };
        ev.prevent_default();
        if let Some(c) = card() {
            lab.moved.update(|m| {
                m.insert(
                    name_for_keys.clone(),
                    ((c.x + dx).max(0.0), (c.y + dy).max(0.0)),
                );
            });
        }
    };
    let name_label = name.clone();
    view! {
        <g
            class="node"
            class:selected=move || lab.selection.get() == Selection::Node(id)
            class:blocked-send=blocked_send
            class:waiting=waiting
            class:sleeping=move || node().is_some_and(|n| n.state == NodeState::Sleeping)
            class:halted=move || node().is_some_and(|n| matches!(n.state, NodeState::Halted | NodeState::WaitingToStart))
            transform=move || card().map(|c| format!("translate({:.1} {:.1})", c.x, c.y)).unwrap_or_default()
            data-node=name.clone()
            data-state=move || node().map(|n| n.state.name()).unwrap_or_default()
        >
            <g
                class="card-body"
                tabindex="0"
                role="button"
                aria-label=move || format!("{name_label}: {}", state_line())
                on:pointerdown=start_drag
                on:keydown=on_key
            >
                <rect
                    class="card"
                    width=CARD_W
                    height=move || card().map(|c| c.h).unwrap_or(HEADER_H)
                    rx="9"
                />
                <text class="node-name" x="12" y="20">{name.clone()}</text>
                <text class="node-state" x="12" y="38">{state_line}</text>
            </g>
            <For each=sockets key=|s| *s let:sid>
                <SocketRow lab node=id sid drag svg_ref geo />
            </For>
        </g>
    }
}

/// One socket: its type and name, what it binds or connects, its
/// subscriptions or REQ/REP state, and its port.
#[component]
fn SocketRow(
    lab: Lab,
    node: NodeId,
    sid: SocketId,
    drag: RwSignal<Option<Drag>>,
    svg_ref: NodeRef<svg::Svg>,
    geo: Memo<Geo>,
) -> impl IntoView {
    let t = move || lab.texts();
    let snap = lab.snap;
    let view_of = move || snap.with(|s| s.topo.sockets.get(sid.0 as usize).cloned());
    let port = move || geo.with(|g| g.ports.get(&sid).copied());
    let card = move || geo.with(|g| g.cards.get(&node).copied());
    // Position within the card.
    let rel = Memo::new(move |_| {
        let ((px, py), right) = port()?;
        let c = card()?;
        Some((px - c.x, py - c.y, right))
    });
    let heading = move || view_of().map_or(String::new(), |s| format!("{} {}", s.kind, s.name));
    let detail = move || {
        let Some(s) = view_of() else {
            return String::new();
        };
        let tx = t();
        let mut parts = Vec::new();
        for b in &s.binds {
            parts.push(format!("{} {}", tx.binds, short_endpoint(b.as_str())));
        }
        for c in &s.connects {
            parts.push(format!("{} {}", tx.connects, short_endpoint(c.as_str())));
        }
        if s.kind == SocketKind::Sub {
            if s.subscriptions.is_empty() {
                parts.push(tx.no_subscription.to_string());
            } else {
                let subs: Vec<String> = s
                    .subscriptions
                    .iter()
                    .map(|p| format!("{:?}", p.as_str()))
                    .collect();
                parts.push(format!("{} {}", tx.subs, subs.join(" ")));
            }
        }
        parts.join(" · ")
    };
    let fsm = move || view_of().and_then(|s| s.fsm);
    let full_title = move || {
        let Some(s) = view_of() else {
            return String::new();
        };
        let mut text = format!("{} {} — {}", s.kind, s.name, detail());
        if let Some(st) = s.fsm {
            text.push_str(&format!(" — {}", (t().fsm)(st)));
        }
        text
    };
    let start_connect = move |ev: web_sys::PointerEvent| {
        ev.stop_propagation();
        if ev.button() != 0 {
            return;
        }
        let Some(((px, py), _)) = port() else { return };
        if let Some(el) = svg_ref.get_untracked() {
            let el: &web_sys::Element = el.unchecked_ref();
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
        drag.set(Some(Drag::Connect {
            from: sid,
            start: (px, py),
            to: (px, py),
        }));
    };
    let on_port_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Enter" || ev.key() == " " {
            ev.prevent_default();
            lab.selection.set(Selection::Socket(sid));
        }
    };
    move || {
        let (dx, dy, right) = rel.get()?;
        let top = dy - ROW_H / 2.0;
        let text_x = if right { CARD_W - 16.0 } else { 16.0 };
        let anchor = if right { "end" } else { "start" };
        Some(view! {
            <g
                class="socket"
                class:selected=move || lab.selection.get() == Selection::Socket(sid)
                data-socket=move || view_of().map(|s| s.name).unwrap_or_default()
                data-socket-id=sid.0.to_string()
                data-kind=move || view_of().map(|s| s.kind.name()).unwrap_or_default()
            >
                <title>{full_title}</title>
                <rect
                    class="socket-row"
                    x="6"
                    y=format!("{:.1}", top + 3.0)
                    width=CARD_W - 12.0
                    height=ROW_H - 6.0
                    rx="5"
                    on:click=move |_| lab.selection.set(Selection::Socket(sid))
                />
                <text class="socket-kind" x=text_x y=format!("{:.1}", top + 18.0) text-anchor=anchor>
                    {heading}
                    {move || {
                        fsm()
                            .map(|st| {
                                let busy = matches!(st, FsmState::AwaitingReply | FsmState::MustReply);
                                view! {
                                    <tspan class="fsm" class:busy=busy dx="6">
                                        {format!("[{}]", (t().fsm_short)(st))}
                                    </tspan>
                                }
                            })
                    }}
                </text>
                <text class="socket-detail" x=text_x y=format!("{:.1}", top + 32.0) text-anchor=anchor>
                    {move || ellipsis(&detail(), 30)}
                </text>
                <circle
                    class="port"
                    cx=dx
                    cy=dy
                    r="7"
                    tabindex="0"
                    role="button"
                    aria-label=move || (t().port_label)(&heading())
                    on:pointerdown=start_connect
                    on:keydown=on_port_key
                />
            </g>
        })
    }
}

/// Which topics are on the wires now, and what the marks mean.
#[component]
fn Legend(lab: Lab) -> impl IntoView {
    let t = move || lab.texts();
    // Redrawn with the page (`snap`), not with every frame's dots.
    let topics = Memo::new(move |_| {
        lab.snap.track();
        lab.motion.with_untracked(|m| {
            let mut seen: Vec<topics::Look> = Vec::new();
            for w in &m.wire {
                let topic = topics::topic_of(&w.payload);
                if !seen.iter().any(|l| l.topic == topic) {
                    seen.push(topics::look(&w.payload));
                }
                if seen.len() >= 10 {
                    break;
                }
            }
            seen.sort_by(|a, b| a.topic.cmp(&b.topic));
            seen
        })
    });
    view! {
        <div class="canvas-legend" aria-label=move || t().legend_label>
            <span class="legend-title">{move || t().legend_title}</span>
            <For each=move || topics.get() key=|l| l.topic.clone() let:l>
                <span class="legend-item">
                    <svg class="swatch" viewBox="-7 -7 14 14" width="14" height="14" aria-hidden="true">
                        <path d=l.shape.svg() fill=l.colour />
                    </svg>
                    {l.topic.clone()}
                </span>
            </For>
            <span class="legend-item">
                <svg class="swatch" viewBox="-7 -7 14 14" width="14" height="14" aria-hidden="true">
                    <path class="drop-x" d="M-5 -5L5 5M5 -5L-5 5" />
                </svg>
                {move || t().legend_drop}
            </span>
            <span class="legend-item">
                <span class="swatch-card blocked" aria-hidden="true"></span>
                {move || t().legend_blocked}
            </span>
            <span class="legend-item">
                <span class="swatch-bar" aria-hidden="true"></span>
                {move || t().legend_depth}
            </span>
            <span class="legend-hint">{move || t().canvas_hint}</span>
        </div>
    }
}

/// Connects two sockets dropped onto each other: whichever binds, the
/// other connects to it; if neither binds, the target binds a new endpoint
/// first. The engine checks the pairing; its refusal is returned.
pub fn connect_sockets(lab: Lab, from: SocketId, to: SocketId) -> Result<(), String> {
    let (a, b, a_node, b_node, taken) = lab.snap.with_untracked(|s| {
        let a = s.topo.sockets.get(from.0 as usize).cloned();
        let b = s.topo.sockets.get(to.0 as usize).cloned();
        let an = a.as_ref().map(|x| s.node_name(x.node).to_string());
        let bn = b.as_ref().map(|x| s.node_name(x.node).to_string());
        let taken: Vec<String> = s
            .topo
            .sockets
            .iter()
            .flat_map(|x| x.binds.iter().map(|e| e.to_string()))
            .collect();
        (a, b, an, bn, taken)
    });
    let (Some(a), Some(b), Some(a_node), Some(b_node)) = (a, b, a_node, b_node) else {
        return Err("?".into());
    };
    let connect = |node: &str, socket: &str, endpoint: Endpoint| Action::Connect {
        node: node.to_string(),
        socket: socket.to_string(),
        connect: ConnectSpec::to(endpoint),
    };
    let actions = if let Some(e) = b.binds.first() {
        vec![connect(&a_node, &a.name, e.clone())]
    } else if let Some(e) = a.binds.first() {
        vec![connect(&b_node, &b.name, e.clone())]
    } else {
        let base: String = format!("tcp://{}-{}", b_node, b.name)
            .chars()
            .map(|c| if c.is_whitespace() { '-' } else { c })
            .collect();
        let mut text = base.clone();
        let mut n = 2;
        while taken.contains(&text) {
            text = format!("{base}-{n}");
            n += 1;
        }
        let endpoint = Endpoint::parse(&text).map_err(|e| e.to_string())?;
        vec![
            Action::Bind {
                node: b_node.clone(),
                socket: b.name.clone(),
                endpoint: endpoint.clone(),
            },
            connect(&a_node, &a.name, endpoint),
        ]
    };
    lab.apply_all(actions)
}
