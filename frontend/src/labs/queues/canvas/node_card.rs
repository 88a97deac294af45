//! A node as a card: its name, program and state on top (a node blocked
//! in `send` drawn dashed and labelled), one row per socket; the card
//! drags, and Shift+arrows move it by keyboard.

use fanout_shared::{
    sim::{NodeId, NodeState},
    socket::OpKind,
};
use leptos::{prelude::*, svg};
use wasm_bindgen::JsCast;

use super::{Drag, geometry::Geo, socket_row::SocketRow};
use crate::labs::queues::{
    QueueLab, Selection,
    layout::{CARD_W, HEADER_H},
};

/// A node as a card: name, program and state on top, one row per socket.
#[component]
pub fn NodeCard(
    lab: QueueLab,
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
                {card_chips(lab, id)}
            </g>
            <For each=sockets key=|s| *s let:sid>
                <SocketRow lab node=id sid drag svg_ref geo />
            </For>
        </g>
    }
}

/// A broker's messages, or a worker's task, on the card's empty row (the
/// reliability page only: `reliability::card_chips`).
#[cfg(feature = "reliability")]
fn card_chips(lab: QueueLab, id: NodeId) -> impl IntoView {
    let chips = move || {
        let lang = lab.lang.get();
        lab.snap
            .with(|s| crate::labs::queues::reliability::card_chips(s, id, lang))
    };
    view! { <g class="card-chips" inner_html=chips></g> }
}

#[cfg(not(feature = "reliability"))]
fn card_chips(_lab: QueueLab, _id: NodeId) -> impl IntoView {}
