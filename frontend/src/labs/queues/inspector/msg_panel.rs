//! A message in the inspector: what it carries, and where it is now (in a
//! sender's queue, on a wire, in a receiver's queue), or that it is in no
//! pipe any more.

use fanout_shared::{
    sim::{ConnPhase, EventKind, Stage},
    socket::MsgId,
};
use leptos::prelude::*;

use crate::labs::queues::{QueueLab, controls::clock, topics};

#[component]
pub fn MsgPanel(lab: QueueLab, id: MsgId) -> impl IntoView {
    let t = move || lab.texts();
    // Where the message is now: on a wire, or queued in a pipe stage.
    let place = move || {
        lab.snap.track();
        lab.with_local(|r| {
            let sim = r.timeline().sim();
            let topo = sim.topology();
            let mut found = Vec::new();
            for c in &topo.conns {
                if c.state == ConnPhase::Closed {
                    continue;
                }
                for dir in 0..2u8 {
                    if !c.pipes[dir as usize].queued.contains(&id) {
                        continue;
                    }
                    for m in sim.pipe_messages(c.id, dir, 64) {
                        if m.msg == id {
                            let p = &c.pipes[dir as usize];
                            let from = p.from.map_or("—".into(), |x| sim.socket_label(x));
                            let to = p.to.map_or("—".into(), |x| sim.socket_label(x));
                            found.push((m, from, to));
                        }
                    }
                }
            }
            found
        })
        .unwrap_or_default()
    };
    let payload = move || {
        place()
            .first()
            .map(|(m, _, _)| m.payload.to_string())
            .or_else(|| {
                lab.snap.with(|s| {
                    s.log.iter().rev().find_map(|(e, _)| match &e.kind {
                        EventKind::Send { msg, payload, .. }
                        | EventKind::Recv { msg, payload, .. }
                            if *msg == id =>
                        {
                            Some(payload.to_string())
                        }
                        _ => None,
                    })
                })
            })
    };
    view! {
        <div class="inspect msg-panel" data-msg=id.0.to_string()>
            <h3>{id.to_string()}</h3>
            {move || {
                payload()
                    .map(|p| {
                        let look = topics::look(&p);
                        view! {
                            <p class="payload">
                                <svg class="swatch" viewBox="-7 -7 14 14" width="14" height="14" aria-hidden="true">
                                    <path d=look.shape.svg() fill=look.colour />
                                </svg>
                                <code>{format!("{p:?}")}</code>
                                {format!(" · {} {}", t().topic, look.topic)}
                            </p>
                        }
                    })
            }}
            <ul class="places">
                {move || {
                    let places = place();
                    if places.is_empty() {
                        return view! { <li>{t().msg_not_in_pipes}</li> }.into_any();
                    }
                    places
                        .into_iter()
                        .map(|(m, from, to)| {
                            let text = match m.stage {
                                Stage::Sending => (t().msg_sending)(&from, &to),
                                Stage::Wire => (t().msg_on_wire)(&from, &to, &clock(m.arrives.unwrap_or_default())),
                                Stage::Receiving => (t().msg_receiving)(&to),
                            };
                            view! { <li>{text}</li> }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
            <p class="hint small">{move || t().msg_hint}</p>
        </div>
    }
}
