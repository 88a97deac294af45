//! A socket in the inspector: its type, binds and connects (each connect's
//! latency, and a way to disconnect it), its REQ/REP state, its marks, its
//! subscriptions if it is a SUB, its connections; bind another endpoint,
//! connect to one, remove it.

use fanout_shared::{
    lang::Say,
    sim::{Action, ConnPhase, scenario::ConnectSpec},
    socket::{Endpoint, SocketId, SocketKind},
    time::Tick,
};
use leptos::prelude::*;

use super::{
    fields::{ActionButton, ActionField},
    subscriptions::Subscriptions,
};
use crate::labs::queues::{
    QueueLab, Selection,
    problem::{Number, Problem},
};

#[component]
pub fn SocketPanel(lab: QueueLab, id: SocketId) -> impl IntoView {
    let t = move || lab.texts();
    let sock = move || {
        lab.snap
            .with(|s| s.topo.sockets.get(id.0 as usize).cloned())
    };
    let Some(s0) = sock() else {
        return view! { <p class="hint">"?"</p> }.into_any();
    };
    let node = lab
        .snap
        .with_untracked(|s| s.node_name(s0.node).to_string());
    let socket = s0.name.clone();
    let kind = s0.kind;
    let conns = move || {
        lab.snap.with(|s| {
            s.topo
                .conns
                .iter()
                .filter(|c| {
                    c.state != ConnPhase::Closed && (c.connecter == id || c.binder == Some(id))
                })
                .map(|c| {
                    let other = if c.connecter == id {
                        c.binder
                    } else {
                        Some(c.connecter)
                    };
                    let depth: u32 = c
                        .pipes
                        .iter()
                        .map(|p| p.sending + p.on_wire + p.receiving)
                        .sum();
                    (
                        c.id,
                        format!(
                            "{} ({}) · {}",
                            other.map_or("—".into(), |o| s.socket_label(o)),
                            (t().conn_state)(c.state),
                            (t().queued_n)(depth)
                        ),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let endpoints = move || {
        lab.snap.with(|s| {
            s.topo
                .sockets
                .iter()
                .filter(|x| x.alive && x.id != id)
                .flat_map(|x| {
                    x.binds.iter().map(move |e| {
                        (
                            e.to_string(),
                            format!("{} ({} {})", e, x.kind, s.socket_label(x.id)),
                        )
                    })
                })
                .collect::<Vec<_>>()
        })
    };
    let (n1, s1) = (node.clone(), socket.clone());
    let (n2, s2) = (node.clone(), socket.clone());
    let (n3, s3) = (node.clone(), socket.clone());
    let (n4, s4) = (node.clone(), socket.clone());
    let (n5, s5) = (node.clone(), socket.clone());
    let (n6, s6) = (node.clone(), socket.clone());
    let (n7, s7) = (node.clone(), socket.clone());
    let connect_to = RwSignal::new(String::new());
    let connect_error = RwSignal::new(None::<Problem>);
    let do_connect = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = connect_to.get_untracked();
        let result = Endpoint::parse(&text).map_err(Problem::from).and_then(|e| {
            lab.apply(Action::Connect {
                node: n5.clone(),
                socket: s5.clone(),
                connect: ConnectSpec::to(e),
            })
        });
        connect_error.set(result.err());
    };
    view! {
        <div class="inspect socket-panel" data-socket=format!("{node}.{socket}")>
            <h3>
                {format!("{node}.{socket}")}
                <span class="program">{format!(" · {kind}")}</span>
            </h3>
            <button type="button" class="link-button" on:click=move |_| lab.selection.set(Selection::Node(s0.node))>
                {move || t().show_node}
            </button>
            {move || {
                sock()
                    .and_then(|s| s.fsm)
                    .map(|st| view! { <p class="state fsm-state">{(t().fsm)(st)}</p> })
            }}
            <h4>{move || t().endpoints_title}</h4>
            <ul class="endpoints">
                {move || {
                    let Some(s) = sock() else { return Vec::new() };
                    let mut rows = Vec::new();
                    for b in s.binds {
                        rows.push(view! { <li>{format!("{} {}", t().binds, b)}</li> }.into_any());
                    }
                    for c in s.connects {
                        let (node, socket) = (n1.clone(), s1.clone());
                        let (node2, socket2) = (n1.clone(), s1.clone());
                        let e2 = c.clone();
                        let latency = lab
                            .with_local(|r| {
                                let sim = r.timeline().sim();
                                sim.topology()
                                    .conns
                                    .iter()
                                    .rev()
                                    .find(|x| x.connecter == id && x.endpoint == c)
                                    .and_then(|x| x.pipes.first().map(|p| p.latency))
                            })
                            .flatten()
                            .unwrap_or(Tick(50));
                        rows.push(
                            view! {
                                <li class="connect-row">
                                    {format!("{} {}", t().connects, c)}
                                    <ActionField
                                        lab
                                        class="latency"
                                        label=Signal::derive(move || t().latency)
                                        button=Signal::derive(move || t().set)
                                        initial=latency.to_string()
                                        make=move |text| {
                                            let latency = Tick::parse(&text).map_err(|e| Problem::Dist(e.into()))?;
                                            Ok(Action::SetLatency {
                                                node: node.clone(),
                                                socket: socket.clone(),
                                                endpoint: c.clone(),
                                                latency,
                                            })
                                        }
                                    />
                                    <ActionButton
                                        lab
                                        text=Signal::derive(move || t().disconnect.to_string())
                                        action=Action::Disconnect { node: node2.clone(), socket: socket2.clone(), endpoint: e2.clone() }
                                    />
                                </li>
                            }
                            .into_any(),
                        );
                    }
                    rows
                }}
            </ul>
            <ActionField
                lab
                class="bind"
                label=Signal::derive(move || t().bind_endpoint)
                button=Signal::derive(move || t().bind)
                initial=String::from("tcp://")
                make=move |text| {
                    let endpoint = Endpoint::parse(&text)?;
                    Ok(Action::Bind { node: n2.clone(), socket: s2.clone(), endpoint })
                }
            />
            <form class="action-field connect" on:submit=do_connect>
                <label>
                    <span>{move || t().connect_to}</span>
                    <select on:change=move |ev| connect_to.set(event_target_value(&ev))>
                        <option value="">{move || t().choose_endpoint}</option>
                        {move || {
                            endpoints()
                                .into_iter()
                                .map(|(e, label)| view! { <option value=e>{label}</option> })
                                .collect_view()
                        }}
                    </select>
                </label>
                <button type="submit">{move || t().connect}</button>
                {move || connect_error.get().map(|e| view! { <p class="form-error" role="alert">{move || e.say(lab.lang.get())}</p> })}
            </form>
            <h4>{move || t().marks_title}</h4>
            <ActionField
                lab
                class="sndhwm"
                label=Signal::derive(move || t().sndhwm)
                button=Signal::derive(move || t().set)
                initial=s0.sndhwm.to_string()
                make=move |text| {
                    let v = text.trim().parse::<u32>().map_err(|_| Problem::NotWholeNumber { what: Number::Mark, text: text.clone() })?;
                    Ok(Action::SetHwm { node: n3.clone(), socket: s3.clone(), sndhwm: Some(v), rcvhwm: None })
                }
            />
            <ActionField
                lab
                class="rcvhwm"
                label=Signal::derive(move || t().rcvhwm)
                button=Signal::derive(move || t().set)
                initial=s0.rcvhwm.to_string()
                make=move |text| {
                    let v = text.trim().parse::<u32>().map_err(|_| Problem::NotWholeNumber { what: Number::Mark, text: text.clone() })?;
                    Ok(Action::SetHwm { node: n4.clone(), socket: s4.clone(), sndhwm: None, rcvhwm: Some(v) })
                }
            />
            <Show when=move || kind == SocketKind::Sub>
                <Subscriptions lab id node=n7.clone() socket=s7.clone() />
            </Show>
            <h4>{move || t().pipes_title}</h4>
            <ul class="chips">
                {move || {
                    conns()
                        .into_iter()
                        .map(|(cid, label)| {
                            view! {
                                <li>
                                    <button type="button" class="chip" on:click=move |_| lab.selection.set(Selection::Conn(cid))>
                                        {label}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <ActionButton
                lab
                class="danger"
                text=Signal::derive(move || t().remove_socket.to_string())
                action=Action::RemoveSocket { node: n6.clone(), socket: s6.clone() }
            />
        </div>
    }
    .into_any()
}
