//! Section 7: the live check. The lab places real keys on the Fanout
//! server's memcached nodes through the chosen scheme and reads each node's
//! item count back, to compare with what the scheme predicts, exactly as a
//! client library would spread them.
//!
//! It opens a WebSocket of its own for the duration of one check (the app's
//! link stays untouched): `hello`, `cache_nodes` for the nodes' addresses
//! and item counts, one `cache_set` per key on the node the scheme picks
//! (keys carry a per-run prefix and expire after five minutes, so they never
//! collide with anyone's keys and clean themselves up), then `cache_nodes`
//! again: the growth of each node's item count is what it received.

use std::{cell::RefCell, rc::Rc, time::Duration};

use fanout_shared::{
    protocol::{CacheNodes, CacheSet, ClientFrame, Hello, PROTOCOL_VERSION, ServerFrame},
    shard::{Placer, Scheme, Settings},
};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{MessageEvent, WebSocket};

use super::{
    Lab,
    model::{sample, thousands},
    text::short_name,
};
use crate::{connection::LinkState, i18n::Lang, labs::NeedsServer};

/// How long the stored keys live on the nodes, in seconds.
const TTL_SECONDS: i64 = 300;
const KEY_COUNTS: [usize; 3] = [500, 2_000, 10_000];
/// memcached's longest key.
const KEY_MAX: usize = 250;

/// What one check found.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub scheme: Scheme,
    pub prefix: String,
    pub nodes: Vec<NodeCount>,
    pub stored: usize,
    pub failed: usize,
    /// Keys left out because memcached would refuse them.
    pub skipped: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeCount {
    pub addr: String,
    pub predicted: u64,
    pub counted: u64,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Idle,
    Running(String),
    Done(Outcome),
    Failed(String),
}

#[component]
pub fn LiveSection(lab: Lab) -> impl IntoView {
    let link = expect_context::<ReadSignal<LinkState>>();
    let connected = move || matches!(link.get(), LinkState::Connected { .. });
    let scheme = RwSignal::new(Scheme::Crc32);
    let count = RwSignal::new(2_000usize);
    let state = RwSignal::new(State::Idle);
    let running = move || matches!(state.get(), State::Running(_));

    let start = move |_| {
        let Some(keys) = lab.keys.get_untracked() else {
            return;
        };
        let settings = Settings {
            python_hash_seed: lab.seed_a.get_untracked(),
            ketama_points: lab.ketama_points.get_untracked(),
        };
        let prefix = format!(
            "shardlab-{:08x}:",
            (js_sys::Math::random() * f64::from(u32::MAX)) as u32
        );
        let mut skipped = 0;
        let chosen: Vec<String> = sample(keys.len(), count.get_untracked())
            .into_iter()
            .map(|i| format!("{prefix}{}", keys.keys()[i].text))
            .filter(|key| {
                let ok =
                    key.len() <= KEY_MAX && !key.bytes().any(|b| b == b' ' || b.is_ascii_control());
                skipped += usize::from(!ok);
                ok
            })
            .collect();
        Check::start(Plan {
            scheme: scheme.get_untracked(),
            settings,
            prefix,
            keys: chosen,
            skipped,
            state,
        });
    };

    view! {
        <section
            class="panel live-check"
            aria-labelledby="live-title"
            data-live=move || match state.get() {
                State::Idle => "idle",
                State::Running(_) => "running",
                State::Done(_) => "done",
                State::Failed(_) => "failed",
            }
        >
            <h2 id="live-title">"7. Live check on the server's cache nodes"</h2>
            <NeedsServer what=|lang| match lang {
                Lang::En => "store keys on the memcached nodes",
                Lang::Zh => "把键存到 memcached 节点上",
            } />
            <p class="hint">
                "Stores a sample of the keys on the server's real memcached nodes, each on the node "
                "the scheme picks from the nodes' addresses, then asks every node how many items it "
                "gained. The counts must equal the prediction: any client using the same scheme "
                "and the same server list would put each key in the same place."
            </p>
            <fieldset disabled=move || !connected() || running()>
                <legend>"Place keys on the server's nodes"</legend>
                <label>
                    "Scheme: "
                    <select on:change=move |ev| {
                        if let Some(s) = Scheme::from_id(&event_target_value(&ev)) {
                            scheme.set(s);
                        }
                    }>
                        {Scheme::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.id() selected=s == Scheme::Crc32>{short_name(s)}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    "Keys: "
                    <select on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                            count.set(n);
                        }
                    }>
                        {KEY_COUNTS
                            .into_iter()
                            .map(|n| view! { <option value=n.to_string() selected=n == 2_000>{thousands(n as u64)}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button type="button" class="primary" on:click=start>"Place and count"</button>
            </fieldset>
            {move || match state.get() {
                State::Idle => None,
                State::Running(what) => Some(view! { <p class="hint" role="status">{what}</p> }.into_any()),
                State::Failed(why) => Some(view! { <p class="form-error" role="alert">{why}</p> }.into_any()),
                State::Done(outcome) => Some(view! { <LiveOutcome outcome /> }.into_any()),
            }}
        </section>
    }
}

#[component]
fn LiveOutcome(outcome: Outcome) -> impl IntoView {
    let all_match = outcome.nodes.iter().all(|n| n.predicted == n.counted);
    let rows = outcome
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let same = node.predicted == node.counted;
            view! {
                <tr
                    class:differ=!same
                    data-node=i.to_string()
                    data-predicted=node.predicted.to_string()
                    data-counted=node.counted.to_string()
                >
                    <th scope="row">{format!("{} ({})", i + 1, node.addr)}</th>
                    <td>{thousands(node.predicted)}</td>
                    <td>{thousands(node.counted)}</td>
                    <td>{if same { "✓ same" } else { "✗ different" }}</td>
                </tr>
            }
        })
        .collect_view();
    let summary = format!(
        "Stored {} keys (prefix {}, expiring in {} minutes) on {} nodes with {}{}{}. {}",
        thousands(outcome.stored as u64),
        outcome.prefix,
        TTL_SECONDS / 60,
        outcome.nodes.len(),
        short_name(outcome.scheme),
        if outcome.failed > 0 {
            format!("; {} refused", outcome.failed)
        } else {
            String::new()
        },
        if outcome.skipped > 0 {
            format!("; {} skipped (not valid memcached keys)", outcome.skipped)
        } else {
            String::new()
        },
        if all_match {
            "Every node holds exactly the predicted number."
        } else {
            "Some counts differ: other clients may have stored or evicted items meanwhile; run it again."
        }
    );
    view! {
        <p class="trap-result" role="status" data-all-match=all_match.to_string()>{summary}</p>
        <div class="table-scroll">
            <table class="trap">
                <thead>
                    <tr>
                        <th scope="col">"Node"</th>
                        <th scope="col">"Predicted"</th>
                        <th scope="col">"Counted"</th>
                        <th scope="col">"Same?"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// What to do in one check.
struct Plan {
    scheme: Scheme,
    settings: Settings,
    prefix: String,
    keys: Vec<String>,
    skipped: usize,
    state: RwSignal<State>,
}

/// Where a check is.
enum Step {
    Greeting,
    Counting,
    Storing {
        nodes: Vec<String>,
        before: Vec<u64>,
        predicted: Vec<u64>,
        pending: usize,
        stored: usize,
        failed: usize,
    },
    Recounting {
        nodes: Vec<String>,
        before: Vec<u64>,
        predicted: Vec<u64>,
        stored: usize,
        failed: usize,
    },
    Finished,
}

/// The socket's open, message and close callbacks, kept alive together.
type Callbacks = (
    Closure<dyn FnMut()>,
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut()>,
);

/// One running check: its socket, the JS callbacks it holds, and its step.
struct Check {
    plan: Plan,
    socket: WebSocket,
    step: RefCell<Step>,
    callbacks: RefCell<Option<Callbacks>>,
}

impl Check {
    fn start(plan: Plan) {
        let state = plan.state;
        state.set(State::Running("Connecting to the server…".into()));
        let Some(url) = websocket_url() else {
            state.set(State::Failed(
                "This page was not served by a Fanout server.".into(),
            ));
            return;
        };
        let Ok(socket) = WebSocket::new(&url) else {
            state.set(State::Failed(format!("Could not open {url}.")));
            return;
        };
        let check = Rc::new(Check {
            plan,
            socket,
            step: RefCell::new(Step::Greeting),
            callbacks: RefCell::new(None),
        });
        let on_open = {
            let check = Rc::clone(&check);
            Closure::<dyn FnMut()>::new(move || {
                check.send(&ClientFrame::Hello(Hello {
                    protocol: PROTOCOL_VERSION,
                    client: Some("fanout-shard-lab".into()),
                }));
            })
        };
        let on_message = {
            let check = Rc::clone(&check);
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(text) = event.data().as_string() {
                    match serde_json::from_str::<ServerFrame>(&text) {
                        Ok(frame) => check.receive(frame),
                        Err(error) => {
                            check.fail(format!("The server sent an unreadable frame: {error}"))
                        }
                    }
                }
            })
        };
        let on_close = {
            let check = Rc::clone(&check);
            Closure::<dyn FnMut()>::new(move || {
                if !matches!(*check.step.borrow(), Step::Finished) {
                    check.fail(
                        "The connection to the server closed before the check finished.".into(),
                    );
                }
            })
        };
        check
            .socket
            .set_onopen(Some(on_open.as_ref().unchecked_ref()));
        check
            .socket
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        check
            .socket
            .set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *check.callbacks.borrow_mut() = Some((on_open, on_message, on_close));
    }

    fn send(&self, frame: &ClientFrame) {
        if let Ok(text) = serde_json::to_string(frame) {
            let _ = self.socket.send_with_str(&text);
        }
    }

    fn ask_for_nodes(&self, id: u64) {
        self.send(&ClientFrame::CacheNodes(CacheNodes { id: Some(id) }));
    }

    fn receive(&self, frame: ServerFrame) {
        let step = std::mem::replace(&mut *self.step.borrow_mut(), Step::Finished);
        let next = match (step, frame) {
            (Step::Greeting, ServerFrame::Welcome { features, .. }) => {
                if !features.iter().any(|f| f == "cache") {
                    return self.fail("This server runs no cache nodes.".into());
                }
                self.ask_for_nodes(1);
                Step::Counting
            }
            (Step::Counting, ServerFrame::CacheNodes { nodes, .. }) => {
                if self.plan.keys.is_empty() {
                    return self.fail("There are no keys to place.".into());
                }
                if nodes.is_empty() {
                    return self.fail("The server lists no cache nodes.".into());
                }
                let addrs: Vec<String> = nodes.iter().map(|n| n.addr.clone()).collect();
                let placer = match Placer::new(self.plan.scheme, &addrs, &self.plan.settings) {
                    Ok(placer) => placer,
                    Err(error) => {
                        return self.fail(format!("Cannot place keys on these nodes: {error}"));
                    }
                };
                let mut predicted = vec![0u64; addrs.len()];
                for key in &self.plan.keys {
                    let node = placer.place(key);
                    predicted[node] += 1;
                    self.send(&ClientFrame::CacheSet(CacheSet {
                        node,
                        key: key.clone(),
                        value: "1".into(),
                        ttl: TTL_SECONDS,
                        flags: 0,
                        id: None,
                    }));
                }
                self.plan.state.set(State::Running(format!(
                    "Storing {} keys on {} nodes…",
                    thousands(self.plan.keys.len() as u64),
                    addrs.len()
                )));
                Step::Storing {
                    nodes: addrs,
                    before: nodes.iter().map(|n| n.items).collect(),
                    predicted,
                    pending: self.plan.keys.len(),
                    stored: 0,
                    failed: 0,
                }
            }
            (
                Step::Storing {
                    nodes,
                    before,
                    predicted,
                    pending,
                    stored,
                    failed,
                },
                reply @ (ServerFrame::CacheResult { .. } | ServerFrame::Error { .. }),
            ) => {
                let ok = matches!(&reply, ServerFrame::CacheResult { outcome, .. } if outcome == "stored");
                self.after_reply(Step::Storing {
                    nodes,
                    before,
                    predicted,
                    pending,
                    stored: stored + usize::from(ok),
                    failed: failed + usize::from(!ok),
                })
            }
            (
                Step::Recounting {
                    nodes,
                    before,
                    predicted,
                    stored,
                    failed,
                },
                ServerFrame::CacheNodes { nodes: after, .. },
            ) => {
                let counts = nodes
                    .into_iter()
                    .zip(predicted)
                    .enumerate()
                    .map(|(i, (addr, predicted))| NodeCount {
                        addr,
                        predicted,
                        counted: after
                            .get(i)
                            .map(|n| n.items.saturating_sub(before[i]))
                            .unwrap_or(0),
                    })
                    .collect();
                self.plan.state.set(State::Done(Outcome {
                    scheme: self.plan.scheme,
                    prefix: self.plan.prefix.clone(),
                    nodes: counts,
                    stored,
                    failed,
                    skipped: self.plan.skipped,
                }));
                self.close();
                Step::Finished
            }
            (_, ServerFrame::Error { message, .. }) => {
                return self.fail(format!("The server refused: {message}"));
            }
            (step, _) => step, // pushed frames this check does not use
        };
        *self.step.borrow_mut() = next;
    }

    /// Counts one reply off a storing step; after the last, asks for the
    /// counts again.
    fn after_reply(&self, step: Step) -> Step {
        match step {
            Step::Storing {
                nodes,
                before,
                predicted,
                pending,
                stored,
                failed,
            } if pending <= 1 => {
                self.plan
                    .state
                    .set(State::Running("Reading the counts back…".into()));
                self.ask_for_nodes(2);
                Step::Recounting {
                    nodes,
                    before,
                    predicted,
                    stored,
                    failed,
                }
            }
            Step::Storing {
                nodes,
                before,
                predicted,
                pending,
                stored,
                failed,
            } => Step::Storing {
                nodes,
                before,
                predicted,
                pending: pending - 1,
                stored,
                failed,
            },
            other => other,
        }
    }

    fn fail(&self, why: String) {
        *self.step.borrow_mut() = Step::Finished;
        self.plan.state.set(State::Failed(why));
        self.close();
    }

    /// Detaches the callbacks, closes the socket and frees the callbacks on
    /// the next turn (not from inside one of them).
    fn close(&self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
        if let Some(callbacks) = self.callbacks.borrow_mut().take() {
            set_timeout(move || drop(callbacks), Duration::from_millis(0));
        }
    }
}

/// `ws://host/ws` or `wss://host/ws` for the page's own origin.
fn websocket_url() -> Option<String> {
    let location = window().location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/ws", location.host().ok()?))
}
