//! A connection's pipes: the curve (one per direction that carries
//! messages), an arrow, and at each end a bar of the queue's depth against
//! its high-water mark, sender's stage and receiver's.

use fanout_shared::socket::ConnId;
use leptos::prelude::*;

use super::geometry::{Geo, Pt, at, path_d};
use crate::labs::queues::{QueueLab, Selection};

/// A connection's pipe(s): the curve, an arrow, and a depth bar at each
/// end against its high-water mark.
#[component]
pub fn Pipes(
    lab: QueueLab,
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
