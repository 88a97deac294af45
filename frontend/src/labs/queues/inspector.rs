//! The inspector: what is selected, in detail, and its settings.
//!
//! - a node: program, state, counters, sockets; its interval or service
//!   time (edited with immediate effect); remove it; add a socket;
//! - a socket: type, binds and connects (latency, disconnect), marks,
//!   subscriptions (add, remove), REQ/REP state, its pipes; bind an
//!   endpoint, connect to one, remove the socket;
//! - a pipe: both directions' stages against their marks, and the queued
//!   messages with their payloads;
//! - a message: where it is now and what it carries.
//!
//! Every change is an engine `Action`; a refusal is shown under the form
//! that asked for it.

use fanout_shared::{
    sim::{Action, ConnPhase, NodeId, NodeState, Stage, nodes::Dist, scenario::ConnectSpec},
    socket::{ConnId, Endpoint, MsgId, SocketId, SocketKind},
    time::Tick,
};
use leptos::prelude::*;

use super::{Lab, Selection, controls::clock, editor::AddSocketForm, topics};

/// Reads a distribution the way people write it: `2ms` (constant),
/// `1ms-3ms` or `uniform 1ms–3ms`, `exp 2ms` or `exponential, mean 2ms`,
/// or the scenario JSON form. The engine checks the durations.
pub fn parse_dist(text: &str) -> Result<Dist, String> {
    let t = text.trim();
    let value = if t.starts_with('{') {
        serde_json::from_str::<serde_json::Value>(t).map_err(|e| e.to_string())?
    } else {
        let lower = t.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("exponential")
            .or_else(|| lower.strip_prefix("exp"));
        if let Some(rest) = rest {
            let mean = rest
                .trim_start_matches([',', ' '])
                .trim_start_matches("mean")
                .trim();
            serde_json::json!({"exponential": {"mean": mean}})
        } else {
            let body = lower.strip_prefix("uniform").unwrap_or(&lower).trim();
            let parts: Vec<&str> = body.split(['–', '—']).collect();
            let parts = if parts.len() == 2 {
                parts
            } else {
                body.splitn(2, "..").collect::<Vec<_>>()
            };
            let parts = if parts.len() == 2 {
                parts
            } else {
                body.splitn(2, '-').collect()
            };
            if parts.len() == 2 {
                serde_json::json!({"uniform": {"min": parts[0].trim(), "max": parts[1].trim()}})
            } else {
                serde_json::Value::String(body.to_string())
            }
        }
    };
    fanout_shared::json::decode::<Dist>(value).map_err(|e| e.to_string())
}

/// A one-field form whose submit turns the text into an action.
#[component]
fn ActionField(
    lab: Lab,
    label: Signal<&'static str>,
    button: Signal<&'static str>,
    initial: String,
    #[prop(optional)] class: &'static str,
    make: impl Fn(String) -> Result<Action, String> + Send + Sync + 'static,
) -> impl IntoView {
    let value = RwSignal::new(initial);
    let error = RwSignal::new(None::<String>);
    let ok = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let result = make(value.get_untracked()).and_then(|a| lab.apply(a));
        ok.set(result.is_ok());
        error.set(result.err());
    };
    view! {
        // A live room is the server's to change: the local engine's edits
        // would not reach it, so they are hidden while live.
        <form class=format!("action-field {class}") on:submit=submit hidden=move || lab.live.get()>
            <label>
                <span>{label}</span>
                <input type="text" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
            <button type="submit">{button}</button>
            {move || ok.get().then(|| view! { <span class="done" aria-live="polite">{lab.texts().applied}</span> })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </form>
    }
}

/// A button that applies one action, with its refusal beside it.
#[component]
fn ActionButton(
    lab: Lab,
    text: Signal<String>,
    action: Action,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    view! {
        <span class="action-button" hidden=move || lab.live.get()>
            <button
                type="button"
                class=class
                on:click=move |_| error.set(lab.apply(action.clone()).err())
            >
                {text}
            </button>
            {move || error.get().map(|e| view! { <span class="form-error" role="alert">{e}</span> })}
        </span>
    }
}

#[component]
pub fn Inspector(lab: Lab) -> impl IntoView {
    let t = move || lab.texts();
    view! {
        <aside class="panel inspector" aria-labelledby="queue-inspector-title">
            <h2 id="queue-inspector-title">{move || t().inspector_title}</h2>
            {move || match lab.selection.get() {
                Selection::None => view! { <p class="hint">{move || t().inspector_hint}</p> }.into_any(),
                Selection::Node(id) => view! { <NodePanel lab id /> }.into_any(),
                Selection::Socket(id) => view! { <SocketPanel lab id /> }.into_any(),
                Selection::Conn(id) => view! { <ConnPanel lab id /> }.into_any(),
                Selection::Msg(id) => view! { <MsgPanel lab id /> }.into_any(),
            }}
        </aside>
    }
}

#[component]
fn NodePanel(lab: Lab, id: NodeId) -> impl IntoView {
    let t = move || lab.texts();
    let node = move || lab.snap.with(|s| s.topo.nodes.get(id.0 as usize).cloned());
    let Some(n) = node() else {
        return view! { <p class="hint">"?"</p> }.into_any();
    };
    let name = n.name.clone();
    let timing = lab
        .with_runner(|r| r.timeline().sim().node_timing(id))
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
                                (t().blocked_in)(op == fanout_shared::socket::OpKind::Send, &sname)
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
                                    Ok(Action::SetInterval { node: name.clone(), interval: parse_dist(&text)? })
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
                                    Ok(Action::SetService { node: name.clone(), service: parse_dist(&text)? })
                                }
                            />
                        }
                    })}
                <p class="hint small" hidden=move || lab.live.get()>{move || t().dist_hint}</p>
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

#[component]
fn SocketPanel(lab: Lab, id: SocketId) -> impl IntoView {
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
    let connect_error = RwSignal::new(None::<String>);
    let do_connect = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = connect_to.get_untracked();
        let result = Endpoint::parse(&text)
            .map_err(|e| e.to_string())
            .and_then(|e| {
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
                            .with_runner(|r| {
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
                                            let latency = Tick::parse(&text).map_err(|e| e.to_string())?;
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
                    let endpoint = Endpoint::parse(&text).map_err(|e| e.to_string())?;
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
                {move || connect_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            </form>
            <h4>{move || t().marks_title}</h4>
            <ActionField
                lab
                class="sndhwm"
                label=Signal::derive(move || t().sndhwm)
                button=Signal::derive(move || t().set)
                initial=s0.sndhwm.to_string()
                make=move |text| {
                    let v = text.trim().parse::<u32>().map_err(|_| format!("`{text}`: {}", lab.texts().whole_number))?;
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
                    let v = text.trim().parse::<u32>().map_err(|_| format!("`{text}`: {}", lab.texts().whole_number))?;
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

/// A SUB's subscriptions: remove one, add one (prefixes; "" is everything).
#[component]
fn Subscriptions(lab: Lab, id: SocketId, node: String, socket: String) -> impl IntoView {
    let t = move || lab.texts();
    let subs = move || {
        lab.snap.with(|s| {
            s.topo
                .sockets
                .get(id.0 as usize)
                .map(|x| {
                    x.subscriptions
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let (n1, s1) = (node.clone(), socket.clone());
    view! {
        <h4>{move || t().subscriptions_title}</h4>
        <ul class="subs">
            {move || {
                let list = subs();
                if list.is_empty() {
                    return view! { <li class="empty">{t().no_subscription}</li> }.into_any();
                }
                list.into_iter()
                    .map(|topic| {
                        let shown = if topic.is_empty() { t().everything.to_string() } else { format!("{topic:?}") };
                        let label = (t().unsubscribe_from)(&shown);
                        view! {
                            <li data-topic=topic.clone()>
                                <code>{shown}</code>
                                " "
                                <ActionButton
                                    lab
                                    class="unsubscribe"
                                    text=Signal::derive(move || label.clone())
                                    action=Action::Unsubscribe { node: n1.clone(), socket: s1.clone(), topic: topic.clone() }
                                />
                            </li>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </ul>
        <ActionField
            lab
            class="subscribe"
            label=Signal::derive(move || t().subscribe_prefix)
            button=Signal::derive(move || t().subscribe)
            initial=String::new()
            make=move |topic| Ok(Action::Subscribe { node: node.clone(), socket: socket.clone(), topic })
        />
    }
}

#[component]
fn ConnPanel(lab: Lab, id: ConnId) -> impl IntoView {
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
                        lab.with_runner(|r| r.timeline().sim().pipe_messages(id, dir, 40)).unwrap_or_default()
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

#[component]
fn MsgPanel(lab: Lab, id: MsgId) -> impl IntoView {
    let t = move || lab.texts();
    // Where the message is now: on a wire, or queued in a pipe stage.
    let place = move || {
        lab.snap.track();
        lab.with_runner(|r| {
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
                        fanout_shared::sim::EventKind::Send { msg, payload, .. }
                        | fanout_shared::sim::EventKind::Recv { msg, payload, .. }
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

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn distributions_are_read_as_written() {
        assert_eq!(parse_dist("2ms"), Ok(Dist::Constant(Tick(2000))));
        let uniform = Dist::Uniform {
            min: Tick(1000),
            max: Tick(3000),
        };
        assert_eq!(parse_dist("1ms-3ms"), Ok(uniform));
        assert_eq!(parse_dist("uniform 1ms–3ms"), Ok(uniform));
        assert_eq!(parse_dist(&uniform.to_string()), Ok(uniform));
        let exp = Dist::Exponential { mean: Tick(2000) };
        assert_eq!(parse_dist("exp 2ms"), Ok(exp));
        assert_eq!(parse_dist(&exp.to_string()), Ok(exp));
        assert!(parse_dist("10").unwrap_err().contains("unit"));
        assert!(parse_dist("3ms-1ms").is_err());
    }
}
