//! One socket on its card: its type and name, what it binds or connects,
//! its subscriptions or REQ/REP state, and its port, which drags to
//! another port to connect (the drop is resolved by the canvas).

use fanout_shared::{
    sim::NodeId,
    socket::{FsmState, SocketId, SocketKind},
};
use leptos::{prelude::*, svg};
use wasm_bindgen::JsCast;

use super::{
    Drag,
    geometry::{Geo, ellipsis, short_endpoint},
};
use crate::labs::queues::{
    QueueLab, Selection,
    layout::{CARD_W, ROW_H},
};

/// One socket: its type and name, what it binds or connects, its
/// subscriptions or REQ/REP state, and its port.
#[component]
pub fn SocketRow(
    lab: QueueLab,
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
