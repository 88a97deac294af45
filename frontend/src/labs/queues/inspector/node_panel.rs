//! A node in the inspector: its program and state, counters and sockets;
//! its interval or service time, changed while it runs; remove it, or add
//! a socket to it.

use fanout_shared::{
    sim::{Action, NodeId, NodeState, nodes::Dist},
    socket::OpKind,
};
use leptos::prelude::*;

use super::fields::{ActionButton, ActionField};
use crate::labs::queues::{QueueLab, Selection, editor::AddSocketForm};

#[component]
pub fn NodePanel(lab: QueueLab, id: NodeId) -> impl IntoView {
    let t = move || lab.texts();
    let node = move || lab.snap.with(|s| s.topo.nodes.get(id.0 as usize).cloned());
    let Some(n) = node() else {
        return view! { <p class="hint">"?"</p> }.into_any();
    };
    let name = n.name.clone();
    let timing = lab
        .with_local(|r| r.timeline().sim().node_timing(id))
        .unwrap_or_default();
    let sockets = move || {
        lab.snap.with(|s| {
            s.topo
                .nodes
                .get(id.0 as usize)
                .map(|n| {
                    n.sockets
                        .iter()
                        .filter_map(|sid| s.topo.sockets.get(sid.0 as usize))
                        .filter(|x| x.alive)
                        .map(|x| (x.id, format!("{} {}", x.kind, x.name)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let counters = move || node().map(|n| n.counters).unwrap_or_default();
    let removed = move || node().is_some_and(|n| n.state == NodeState::Removed);
    let name_i = name.clone();
    let name_s = name.clone();
    let name_r = name.clone();
    view! {
        <div class="inspect node-panel" data-node=name.clone()>
            <h3>{name.clone()} <span class="program">{format!(" · {}", n.program)}</span></h3>
            <p class="state">
                {move || {
                    node()
                        .map(|n| match n.blocked_on {
                            Some((sock, op)) => {
                                let sname = lab.snap.with(|s| s.topo.sockets.get(sock.0 as usize).map_or("?".into(), |x| x.name.clone()));
                                (t().blocked_in)(op == OpKind::Send, &sname)
                            }
                            None => (t().node_state)(n.state).to_string(),
                        })
                }}
            </p>
            <dl class="counters">
                <div><dt>{move || t().sent}</dt><dd data-counter="sent">{move || counters().sent}</dd></div>
                <div><dt>{move || t().received}</dt><dd data-counter="received">{move || counters().received}</dd></div>
                <div><dt>{move || t().dropped}</dt><dd data-counter="dropped">{move || counters().dropped}</dd></div>
                <div><dt>{move || t().blocked}</dt><dd data-counter="blocked">{move || counters().blocked}</dd></div>
                <div><dt>{move || t().errors}</dt><dd data-counter="errors">{move || counters().errors}</dd></div>
            </dl>
            <h4>{move || t().sockets_title}</h4>
            <ul class="chips">
                {move || {
                    sockets()
                        .into_iter()
                        .map(|(sid, label)| {
                            view! {
                                <li>
                                    <button type="button" class="chip" on:click=move |_| lab.selection.set(Selection::Socket(sid))>
                                        {label}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <Show when=move || !removed()>
                {timing
                    .interval
                    .map(|d| {
                        let name = name_i.clone();
                        view! {
                            <ActionField
                                lab
                                class="interval"
                                label=Signal::derive(move || t().interval)
                                button=Signal::derive(move || t().set)
                                initial=d.to_string()
                                make=move |text| {
                                    Ok(Action::SetInterval { node: name.clone(), interval: Dist::read(&text)? })
                                }
                            />
                        }
                    })}
                {timing
                    .service
                    .map(|d| {
                        let name = name_s.clone();
                        view! {
                            <ActionField
                                lab
                                class="service"
                                label=Signal::derive(move || t().service)
                                button=Signal::derive(move || t().set)
                                initial=d.to_string()
                                make=move |text| {
                                    Ok(Action::SetService { node: name.clone(), service: Dist::read(&text)? })
                                }
                            />
                        }
                    })}
                <p class="hint small" hidden=move || lab.is_live()>{move || t().dist_hint}</p>
                <AddSocketForm lab node=name_r.clone() />
                <ActionButton
                    lab
                    class="danger remove-node"
                    text=Signal::derive(move || t().remove_node.to_string())
                    action=Action::RemoveNode { node: name_r.clone() }
                />
            </Show>
        </div>
    }
    .into_any()
}
