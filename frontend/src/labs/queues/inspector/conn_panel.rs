//! A connection in the inspector: its two pipes, each direction's stages
//! against their marks, and the messages queued in it with their payloads.

use fanout_shared::{
    sim::Stage,
    socket::{ConnId, SocketId},
};
use leptos::prelude::*;

use crate::labs::queues::{QueueLab, Selection, topics};

#[component]
pub fn ConnPanel(lab: QueueLab, id: ConnId) -> impl IntoView {
    let t = move || lab.texts();
    let conn = move || lab.snap.with(|s| s.topo.conns.get(id.0 as usize).cloned());
    let Some(c0) = conn() else {
        return view! { <p class="hint">"?"</p> }.into_any();
    };
    let label = |sid: Option<SocketId>| {
        lab.snap
            .with_untracked(|s| sid.map_or("—".into(), |x| s.socket_label(x)))
    };
    let (a, b) = (label(Some(c0.connecter)), label(c0.binder));
    view! {
        <div class="inspect conn-panel" data-conn=id.0.to_string()>
            <h3>{format!("{} → {}", a, b)}</h3>
            <p class="state">{move || conn().map(|c| format!("{} · {}", c.endpoint, (t().conn_state)(c.state)))}</p>
            {(0..2u8)
                .map(|dir| {
                    let pipe = move || conn().and_then(|c| c.pipes.get(dir as usize).cloned());
                    let msgs = move || {
                        lab.snap.track();
                        lab.with_local(|r| r.timeline().sim().pipe_messages(id, dir, 40)).unwrap_or_default()
                    };
                    view! {
                        <section class="pipe-dir" data-dir=dir.to_string()>
                            <h4>
                                {move || {
                                    pipe()
                                        .map(|p| {
                                            format!(
                                                "{} → {}",
                                                lab.snap.with(|s| p.from.map_or("—".into(), |x| s.socket_label(x))),
                                                lab.snap.with(|s| p.to.map_or("—".into(), |x| s.socket_label(x))),
                                            )
                                        })
                                }}
                            </h4>
                            {move || {
                                pipe()
                                    .map(|p| {
                                        let mark = |hwm: u32| if hwm == 0 { "∞".to_string() } else { hwm.to_string() };
                                        view! {
                                            <dl class="counters stages">
                                                <div><dt>{t().stage_sending}</dt><dd data-stage="sending">{format!("{}/{}", p.sending, mark(p.sndhwm))}</dd></div>
                                                <div><dt>{t().stage_wire}</dt><dd data-stage="wire">{p.on_wire}</dd></div>
                                                <div><dt>{t().stage_receiving}</dt><dd data-stage="receiving">{format!("{}/{}", p.receiving, mark(p.rcvhwm))}</dd></div>
                                                <div><dt>{t().latency}</dt><dd>{p.latency.to_string()}</dd></div>
                                            </dl>
                                        }
                                    })
                            }}
                            <ol class="queued">
                                {move || {
                                    msgs()
                                        .into_iter()
                                        .map(|m| {
                                            let look = topics::look(&m.payload);
                                            let stage = match m.stage {
                                                Stage::Sending => t().stage_sending,
                                                Stage::Wire => t().stage_wire,
                                                Stage::Receiving => t().stage_receiving,
                                            };
                                            let msg = m.msg;
                                            view! {
                                                <li>
                                                    <button type="button" class="chip" on:click=move |_| lab.selection.set(Selection::Msg(msg))>
                                                        <svg class="swatch" viewBox="-7 -7 14 14" width="12" height="12" aria-hidden="true">
                                                            <path d=look.shape.svg() fill=look.colour />
                                                        </svg>
                                                        {format!("{} {:?} · {stage}", m.msg, m.payload.as_str())}
                                                    </button>
                                                </li>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </ol>
                        </section>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}
