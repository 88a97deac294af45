//! The editor: add nodes from the building blocks (producer, worker, sink,
//! forwarder, requester, replier), add sockets to a node, and connect
//! endpoints (by dragging from port to port on the canvas, or with the
//! inspector's forms). Each change is an engine `Action`: the engine checks
//! it as it checks a scenario file, and a refusal is shown under the form
//! that asked.
//!
//! The forms only propose sensible socket types (a node joining a PUB
//! endpoint gets a SUB, one joining a PULL gets a PUSH: the engine's
//! `SocketKind::peer`); whatever is submitted, the engine decides. What the
//! learner typed (a time, an endpoint) is read by the engine's own readers
//! first, so a mistake in it is named as such, in the learner's language.

use fanout_shared::{
    lang::Say,
    sim::{Action, nodes::Dist, scenario::SocketSpec},
    socket::{Endpoint, SocketKind},
};
use leptos::prelude::*;
use serde_json::{Value, json};

use super::{QueueLab, problem::Problem};

/// The building blocks a learner can add, with their roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    Producer,
    Worker,
    Sink,
    Forwarder,
    Requester,
    Replier,
}

impl Block {
    pub const ALL: [Block; 6] = [
        Block::Producer,
        Block::Worker,
        Block::Sink,
        Block::Forwarder,
        Block::Requester,
        Block::Replier,
    ];

    pub fn kind(self) -> &'static str {
        match self {
            Block::Producer => "producer",
            Block::Worker => "worker",
            Block::Sink => "sink",
            Block::Forwarder => "forwarder",
            Block::Requester => "requester",
            Block::Replier => "replier",
        }
    }

    fn has_input(self) -> bool {
        matches!(self, Block::Worker | Block::Sink | Block::Forwarder)
    }

    fn has_output(self) -> bool {
        !matches!(self, Block::Sink)
    }

    /// Socket types the output may have when it binds its own endpoint.
    fn output_kinds(self) -> &'static [SocketKind] {
        match self {
            Block::Producer | Block::Worker => &[SocketKind::Push, SocketKind::Pub],
            Block::Forwarder => &[SocketKind::Pub, SocketKind::Push],
            Block::Requester => &[SocketKind::Req],
            Block::Replier => &[SocketKind::Rep],
            Block::Sink => &[],
        }
    }

    fn from_kind(kind: &str) -> Block {
        Block::ALL
            .into_iter()
            .find(|b| b.kind() == kind)
            .unwrap_or(Block::Worker)
    }
}

/// Everything an add-node form holds.
#[derive(Clone, Debug, PartialEq)]
pub struct NewNode {
    pub block: Block,
    pub name: String,
    /// Endpoint the input connects to (its binder's peer type is used).
    pub input: Option<(String, SocketKind)>,
    /// Output: connect to a bound endpoint, or bind a new one.
    pub output_connect: Option<(String, SocketKind)>,
    pub output_bind: Option<(String, SocketKind)>,
    pub timing: String,
}

/// The node spec, as scenario JSON (the engine validates it).
pub fn node_json(n: &NewNode) -> Value {
    let mut sockets = Vec::new();
    let mut program = json!({ "kind": n.block.kind() });
    if n.block.has_input() {
        let mut s = json!({ "name": "in", "type": SocketKind::Sub.name() });
        if let Some((endpoint, binder)) = &n.input {
            s["type"] = json!(binder.peer().name());
            s["connect"] = json!([endpoint]);
            if binder.peer() == SocketKind::Sub {
                s["subscribe"] = json!([""]);
            }
        } else {
            s["type"] = json!("PULL");
        }
        if n.block == Block::Forwarder && n.input.is_none() {
            s["type"] = json!("SUB");
        }
        sockets.push(s);
    }
    let out_name = match n.block {
        Block::Requester => "req",
        Block::Replier => "rep",
        _ => "out",
    };
    let mut has_out = false;
    if n.block.has_output() {
        if let Some((endpoint, binder)) = &n.output_connect {
            sockets.push(
                json!({ "name": out_name, "type": binder.peer().name(), "connect": [endpoint] }),
            );
            has_out = true;
        } else if let Some((endpoint, kind)) = &n.output_bind {
            sockets.push(json!({ "name": out_name, "type": kind.name(), "bind": [endpoint] }));
            has_out = true;
        } else if n.block != Block::Worker {
            let kind = n.block.output_kinds()[0];
            sockets.push(json!({ "name": out_name, "type": kind.name() }));
            has_out = true;
        }
    }
    // As the engine reads it, so `1ms-3ms` and `exp 2ms` work here too;
    // text it cannot read goes as it is, for the engine to refuse.
    let timing = Dist::read(&n.timing)
        .ok()
        .and_then(|dist| serde_json::to_value(dist).ok())
        .unwrap_or_else(|| json!(n.timing.trim()));
    match n.block {
        Block::Producer => program["interval"] = timing.clone(),
        Block::Requester => program["interval"] = timing.clone(),
        Block::Worker => {
            program["service"] = timing.clone();
            if !has_out {
                program["out"] = Value::Null;
            }
        }
        Block::Sink | Block::Replier => program["service"] = timing.clone(),
        Block::Forwarder => {}
    }
    json!({ "name": n.name.trim(), "program": program, "sockets": sockets })
}

/// Reads what the learner typed into a new node's form with the engine's
/// own readers (its time, the endpoint it binds), so a mistake there is
/// said as one rather than as the JSON it would have made.
fn typed_fields(n: &NewNode) -> Result<(), Problem> {
    if n.block != Block::Forwarder {
        Dist::read(&n.timing)?;
    }
    if let Some((endpoint, _)) = &n.output_bind {
        Endpoint::parse(endpoint)?;
    }
    Ok(())
}

/// The edit section: add a node; how to connect by dragging.
#[component]
pub fn Editor(lab: QueueLab) -> impl IntoView {
    let t = move || lab.texts();
    let block = RwSignal::new(Block::Worker);
    let name = RwSignal::new(String::new());
    let input = RwSignal::new(String::new());
    let out_connect = RwSignal::new(String::new());
    let out_bind = RwSignal::new(String::new());
    let out_kind = RwSignal::new(SocketKind::Push);
    let timing = RwSignal::new("2ms".to_string());
    let error = RwSignal::new(None::<Problem>);
    let added = RwSignal::new(None::<String>);

    // Bound endpoints, with the type of the socket binding each. A memo:
    // the snapshot changes every frame while playing, this seldom does.
    let bound = Memo::new(move |_| {
        lab.snap.with(|s| {
            s.topo
                .sockets
                .iter()
                .filter(|x| x.alive)
                .flat_map(|x| {
                    x.binds
                        .iter()
                        .map(move |e| (e.to_string(), x.kind, s.socket_label(x.id)))
                })
                .collect::<Vec<_>>()
        })
    });
    let suggest = move |b: Block| {
        let names: Vec<String> = lab
            .snap
            .with_untracked(|s| s.topo.nodes.iter().map(|n| n.name.clone()).collect());
        (1..)
            .map(|i| format!("{}-{i}", b.kind()))
            .find(|n| !names.contains(n))
            .unwrap_or_default()
    };
    name.set(suggest(Block::Worker));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let b = block.get_untracked();
        let find = |e: String| -> Option<(String, SocketKind)> {
            if e.is_empty() {
                return None;
            }
            bound
                .get_untracked()
                .into_iter()
                .find(|(x, _, _)| *x == e)
                .map(|(x, k, _)| (x, k))
        };
        let bind = out_bind.get_untracked();
        let new = NewNode {
            block: b,
            name: name.get_untracked(),
            input: find(input.get_untracked()),
            output_connect: find(out_connect.get_untracked()),
            output_bind: (!bind.trim().is_empty() && bind.trim() != "tcp://")
                .then(|| (bind.trim().to_string(), out_kind.get_untracked())),
            timing: timing.get_untracked(),
        };
        let result = typed_fields(&new)
            .and_then(|()| Ok(fanout_shared::json::decode(node_json(&new))?))
            .and_then(|spec| lab.apply(Action::AddNode { spec }));
        match result {
            Ok(()) => {
                added.set(Some(new.name.clone()));
                error.set(None);
                name.set(suggest(b));
            }
            Err(e) => {
                added.set(None);
                error.set(Some(e));
            }
        }
    };

    view! {
        <section class="panel editor" aria-labelledby="queue-editor-title">
            <h2 id="queue-editor-title">{move || t().editor_title}</h2>
            <p class="hint">{move || t().editor_hint}</p>
            <form class="add-node" on:submit=submit>
                <label>
                    <span>{move || t().block}</span>
                    <select on:change=move |ev| {
                        let b = Block::from_kind(&event_target_value(&ev));
                        block.set(b);
                        name.set(suggest(b));
                        out_kind.set(b.output_kinds().first().copied().unwrap_or(SocketKind::Push));
                        timing.set(if matches!(b, Block::Producer | Block::Requester) { "10ms".into() } else { "2ms".into() });
                    }>
                        {Block::ALL
                            .into_iter()
                            .map(|b| {
                                view! {
                                    <option value=b.kind() selected=move || block.get() == b>
                                        {move || (t().block_name)(b)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    <span>{move || t().node_name}</span>
                    <input type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <Show when=move || block.get().has_input()>
                    <label>
                        <span>{move || t().input_from}</span>
                        <select on:change=move |ev| input.set(event_target_value(&ev))>
                            <option value="">{move || t().choose_endpoint}</option>
                            {move || {
                                bound
                                    .get()
                                    .into_iter()
                                    .filter(|(_, k, _)| matches!(k, SocketKind::Pub | SocketKind::Push))
                                    .map(|(e, k, by)| view! { <option value=e.clone()>{format!("{e} ({k} {by})")}</option> })
                                    .collect_view()
                            }}
                        </select>
                    </label>
                </Show>
                <Show when=move || block.get().has_output()>
                    <label>
                        <span>{move || t().output_to}</span>
                        <select on:change=move |ev| out_connect.set(event_target_value(&ev))>
                            <option value="">{move || t().output_none}</option>
                            {move || {
                                bound
                                    .get()
                                    .into_iter()
                                    .filter(|(_, k, _)| matches!(k, SocketKind::Pull | SocketKind::Sub | SocketKind::Rep))
                                    .map(|(e, k, by)| view! { <option value=e.clone()>{format!("{e} ({k} {by})")}</option> })
                                    .collect_view()
                            }}
                        </select>
                    </label>
                    <label>
                        <span>{move || t().or_bind}</span>
                        <input
                            type="text"
                            placeholder="tcp://results"
                            prop:value=move || out_bind.get()
                            on:input=move |ev| out_bind.set(event_target_value(&ev))
                        />
                    </label>
                    <label>
                        <span>{move || t().as_type}</span>
                        <select on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(k) = SocketKind::ALL.into_iter().find(|k| k.name() == v) {
                                out_kind.set(k);
                            }
                        }>
                            {move || {
                                block
                                    .get()
                                    .output_kinds()
                                    .iter()
                                    .map(|k| view! { <option value=k.name() selected=move || out_kind.get() == *k>{k.name()}</option> })
                                    .collect_view()
                            }}
                        </select>
                    </label>
                </Show>
                <label>
                    <span>
                        {move || {
                            if matches!(block.get(), Block::Producer | Block::Requester) {
                                t().interval
                            } else {
                                t().service
                            }
                        }}
                    </span>
                    <input type="text" prop:value=move || timing.get() on:input=move |ev| timing.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="primary">{move || t().add_node}</button>
            </form>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{move || e.say(lab.lang.get())}</p> })}
            {move || added.get().map(|n| view! { <p class="done" role="status">{(t().node_added)(&n)}</p> })}
        </section>
    }
}

/// Adds a socket to a node (in the inspector).
#[component]
pub fn AddSocketForm(lab: QueueLab, node: String) -> impl IntoView {
    let t = move || lab.texts();
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(SocketKind::Sub);
    let endpoint = RwSignal::new(String::new());
    let binds = RwSignal::new(false);
    let error = RwSignal::new(None::<Problem>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let k = kind.get_untracked();
        let e = endpoint.get_untracked();
        if !e.trim().is_empty()
            && let Err(mistake) = Endpoint::parse(&e)
        {
            error.set(Some(mistake.into()));
            return;
        }
        let mut spec = json!({ "name": name.get_untracked().trim(), "type": k.name() });
        if !e.trim().is_empty() {
            spec[if binds.get_untracked() {
                "bind"
            } else {
                "connect"
            }] = json!([e.trim()]);
        }
        if k == SocketKind::Sub {
            spec["subscribe"] = json!([""]);
        }
        let result = fanout_shared::json::decode::<SocketSpec>(spec)
            .map_err(Problem::from)
            .and_then(|spec| {
                lab.apply(Action::AddSocket {
                    node: node.clone(),
                    spec,
                })
            });
        error.set(result.err());
        if error.get_untracked().is_none() {
            name.set(String::new());
        }
    };
    view! {
        <details class="add-socket" hidden=move || lab.is_live()>
            <summary>{move || t().add_socket}</summary>
            <form on:submit=submit>
                <label>
                    <span>{move || t().socket_name}</span>
                    <input type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || t().socket_type}</span>
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(k) = SocketKind::ALL.into_iter().find(|k| k.name() == v) {
                            kind.set(k);
                        }
                    }>
                        {SocketKind::ALL
                            .into_iter()
                            .map(|k| view! { <option value=k.name() selected=move || kind.get() == k>{k.name()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    <span>{move || t().endpoint}</span>
                    <input type="text" placeholder="tcp://…" prop:value=move || endpoint.get() on:input=move |ev| endpoint.set(event_target_value(&ev)) />
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || binds.get() on:change=move |ev| binds.set(event_target_checked(&ev)) />
                    <span>{move || t().binds_it}</span>
                </label>
                <button type="submit">{move || t().add}</button>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{move || e.say(lab.lang.get())}</p> })}
            </form>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use fanout_shared::sim::{Scenario, Simulator, scenario::NodeSpec};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    /// A worker joining the pipeline's ventilator and sink is accepted by
    /// the engine and receives tasks.
    #[wasm_bindgen_test]
    fn a_new_worker_joins_the_pipeline() {
        let mut sim = Simulator::new(&Scenario::preset("pipeline").unwrap(), 1).unwrap();
        sim.run_steps(100);
        let spec: NodeSpec = fanout_shared::json::decode(node_json(&NewNode {
            block: Block::Worker,
            name: "worker-4".into(),
            input: Some(("tcp://ventilator".into(), SocketKind::Push)),
            output_connect: Some(("tcp://sink".into(), SocketKind::Pull)),
            output_bind: None,
            timing: "2ms".into(),
        }))
        .unwrap();
        sim.apply(Action::AddNode { spec }).unwrap();
        sim.run_steps(3000);
        let id = sim.node_id("worker-4").unwrap();
        assert!(sim.node_counters(id).unwrap().received > 0);
    }

    #[wasm_bindgen_test]
    fn every_block_makes_a_valid_node() {
        for block in Block::ALL {
            let spec: NodeSpec = fanout_shared::json::decode(node_json(&NewNode {
                block,
                name: format!("{}-9", block.kind()),
                input: None,
                output_connect: None,
                output_bind: None,
                timing: "3ms".into(),
            }))
            .unwrap_or_else(|e| panic!("{block:?}: {e}"));
            spec.validate().unwrap_or_else(|e| panic!("{block:?}: {e}"));
        }
    }
}
