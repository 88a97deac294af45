//! Section 7: the live check. The lab places real keys on the Fanout
//! server's memcached nodes through the chosen scheme and reads each node's
//! item count back, to compare with what the scheme predicts, exactly as a
//! client library would spread them.
//!
//! It goes over the app's one server link ([`Server::request`]):
//! `cache_nodes` for the nodes' addresses and item counts, one `cache_set`
//! per key on the node the scheme picks (keys carry a per-run prefix and
//! expire after five minutes, so they never collide with anyone's keys and
//! clean themselves up), [`IN_FLIGHT`] requests at a time, then
//! `cache_nodes` again: the growth of each node's item count is what it
//! received.

use std::{cell::RefCell, rc::Rc};

use fanout_shared::{
    lang::Say,
    protocol::{CacheFrame, CacheNodeInfo, CacheNodes, CacheSet, ClientFrame, ServerFrame},
    shard::{Placer, Scheme, Settings, ShardError},
};
use futures_channel::oneshot;
use leptos::{prelude::*, task::spawn_local};

use super::{
    ShardLab,
    model::{sample, thousands},
    text::{Live, Texts, short_name},
};
use crate::{
    connection::{LinkState, RequestError, Server},
    i18n::{Lang, use_lang},
    labs::NeedsServer,
};

/// How long the stored keys live on the nodes, in seconds.
const TTL_SECONDS: i64 = 300;
const KEY_COUNTS: [usize; 3] = [500, 2_000, 10_000];
/// memcached's longest key.
const KEY_MAX: usize = 250;
/// `cache_set` requests awaiting their answer at any moment: enough to keep
/// the link busy, few enough not to pile frames up in either direction.
const IN_FLIGHT: usize = 64;

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

/// Where a running check is.
#[derive(Debug, Clone, PartialEq)]
enum Progress {
    Counting,
    Storing {
        keys: usize,
        nodes: usize,
        done: usize,
    },
    Recounting,
}

/// Why a check stopped.
#[derive(Debug, Clone, PartialEq)]
enum Failure {
    NoKeys,
    NoNodes,
    CannotPlace(ShardError),
    Refused(RequestError),
    Disconnected,
    Unexpected,
}

impl From<RequestError> for Failure {
    fn from(error: RequestError) -> Self {
        match error {
            RequestError::Disconnected => Failure::Disconnected,
            refused @ RequestError::Refused { .. } => Failure::Refused(refused),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Idle,
    Running(Progress),
    Done(Outcome),
    Failed(Failure),
}

impl Progress {
    fn describe(&self, texts: &Live) -> String {
        match *self {
            Progress::Counting => texts.counting.to_owned(),
            Progress::Storing { keys, nodes, done } => (texts.storing)(keys, nodes, done),
            Progress::Recounting => texts.recounting.to_owned(),
        }
    }
}

impl Failure {
    fn describe(&self, lang: Lang) -> String {
        let texts = &Texts::of(lang).live;
        match self {
            Failure::NoKeys => texts.no_keys.to_owned(),
            Failure::NoNodes => texts.no_nodes.to_owned(),
            Failure::CannotPlace(error) => (texts.cannot_place)(&error.say(lang)),
            Failure::Refused(error) => (texts.refused)(&error.say(lang)),
            Failure::Disconnected => texts.disconnected.to_owned(),
            Failure::Unexpected => texts.unexpected.to_owned(),
        }
    }
}

impl Outcome {
    fn all_match(&self) -> bool {
        self.nodes.iter().all(|n| n.predicted == n.counted)
    }

    fn summary(&self, lang: Lang) -> String {
        let texts = &Texts::of(lang).live;
        let mut out = (texts.stored)(
            self.stored,
            &self.prefix,
            TTL_SECONDS / 60,
            self.nodes.len(),
            short_name(lang, self.scheme),
        );
        if self.failed > 0 {
            out.push_str(&(texts.refused_some)(self.failed));
        }
        if self.skipped > 0 {
            out.push_str(&(texts.skipped_some)(self.skipped));
        }
        out.push_str(texts.end_of_sentence);
        out.push_str(if self.all_match() {
            texts.all_match
        } else {
            texts.some_differ
        });
        out
    }
}

#[component]
pub fn LiveSection(lab: ShardLab) -> impl IntoView {
    let server = expect_context::<Server>();
    let link = expect_context::<ReadSignal<LinkState>>();
    let lang = use_lang();
    let t = move || &Texts::of(lang.get()).live;
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
        let plan = Plan {
            scheme: scheme.get_untracked(),
            settings,
            prefix,
            keys: chosen,
            skipped,
        };
        state.set(State::Running(Progress::Counting));
        spawn_local(async move {
            let finished = match check(server, plan, state).await {
                Ok(outcome) => State::Done(outcome),
                Err(failure) => State::Failed(failure),
            };
            // The learner may have left the lab meanwhile.
            state.try_set(finished);
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
            <h2 id="live-title">{move || t().title}</h2>
            <NeedsServer what=|lang| Texts::of(lang).live.what />
            <p class="hint">{move || t().hint}</p>
            <fieldset disabled=move || !connected() || running()>
                <legend>{move || t().legend}</legend>
                <label>
                    {move || t().scheme}
                    <select on:change=move |ev| {
                        if let Some(s) = Scheme::from_id(&event_target_value(&ev)) {
                            scheme.set(s);
                        }
                    }>
                        {Scheme::ALL
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s.id() selected=s == Scheme::Crc32>
                                        {move || short_name(lang.get(), s)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {move || t().keys}
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
                <button type="button" class="primary" on:click=start>{move || t().place}</button>
            </fieldset>
            {move || match state.get() {
                State::Idle => None,
                State::Running(progress) => Some(view! { <p class="hint" role="status">{move || progress.describe(t())}</p> }.into_any()),
                State::Failed(failure) => Some(view! { <p class="form-error" role="alert">{move || failure.describe(lang.get())}</p> }.into_any()),
                State::Done(outcome) => Some(view! { <LiveOutcome outcome /> }.into_any()),
            }}
        </section>
    }
}

#[component]
fn LiveOutcome(outcome: Outcome) -> impl IntoView {
    let lang = use_lang();
    let t = move || &Texts::of(lang.get()).live;
    let all_match = outcome.all_match();
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
                    <td>{move || if same { t().yes_same } else { t().no_different }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="trap-result" role="status" data-all-match=all_match.to_string()>
            {move || outcome.summary(lang.get())}
        </p>
        <div class="table-scroll">
            <table class="trap">
                <thead>
                    <tr>
                        <th scope="col">{move || t().node}</th>
                        <th scope="col">{move || t().predicted}</th>
                        <th scope="col">{move || t().counted}</th>
                        <th scope="col">{move || t().same}</th>
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
}

/// One check: count, store every key where the scheme puts it, count again.
/// Reports progress in `state`; a learner who leaves the lab (disposing
/// `state`) stops it between requests.
async fn check(server: Server, plan: Plan, state: RwSignal<State>) -> Result<Outcome, Failure> {
    let before = node_list(server).await?;
    if plan.keys.is_empty() {
        return Err(Failure::NoKeys);
    }
    if before.is_empty() {
        return Err(Failure::NoNodes);
    }
    let addrs: Vec<String> = before.iter().map(|n| n.addr.clone()).collect();
    let placer = Placer::new(plan.scheme, &addrs, &plan.settings).map_err(Failure::CannotPlace)?;
    let mut predicted = vec![0u64; addrs.len()];
    let placed: Vec<(usize, String)> = plan
        .keys
        .into_iter()
        .map(|key| {
            let node = placer.place(&key);
            predicted[node] += 1;
            (node, key)
        })
        .collect();

    let (stored, failed) = store_all(server, placed, addrs.len(), state).await?;

    if state
        .try_set(State::Running(Progress::Recounting))
        .is_some()
    {
        return Err(Failure::Disconnected);
    }
    let after = node_list(server).await?;
    let nodes = addrs
        .into_iter()
        .zip(predicted)
        .enumerate()
        .map(|(i, (addr, predicted))| NodeCount {
            addr,
            predicted,
            counted: after
                .get(i)
                .map(|n| n.items.saturating_sub(before[i].items))
                .unwrap_or(0),
        })
        .collect();
    Ok(Outcome {
        scheme: plan.scheme,
        prefix: plan.prefix,
        nodes,
        stored,
        failed,
        skipped: plan.skipped,
    })
}

/// The server's cache nodes with their addresses and item counts.
async fn node_list(server: Server) -> Result<Vec<CacheNodeInfo>, Failure> {
    match server
        .request(ClientFrame::Cache(CacheFrame::Nodes(CacheNodes {
            id: None,
        })))
        .await?
    {
        ServerFrame::CacheNodes { nodes, .. } => Ok(nodes),
        _ => Err(Failure::Unexpected),
    }
}

/// The tally of a store shared by its workers.
struct Tally {
    jobs: Vec<(usize, String)>,
    next: usize,
    answered: usize,
    stored: usize,
    failed: usize,
    /// Set when the link dropped or the lab was left: workers stop.
    stopped: Option<Failure>,
    workers: usize,
    done: Option<oneshot::Sender<()>>,
}

/// Stores every `(node, key)` with up to [`IN_FLIGHT`] requests awaiting
/// their answers: that many workers each take the next key as soon as their
/// last one is answered. Returns how many keys were stored and refused.
async fn store_all(
    server: Server,
    jobs: Vec<(usize, String)>,
    nodes: usize,
    state: RwSignal<State>,
) -> Result<(usize, usize), Failure> {
    let keys = jobs.len();
    let workers = IN_FLIGHT.min(keys).max(1);
    let (done_tx, done_rx) = oneshot::channel();
    let tally = Rc::new(RefCell::new(Tally {
        jobs,
        next: 0,
        answered: 0,
        stored: 0,
        failed: 0,
        stopped: None,
        workers,
        done: Some(done_tx),
    }));
    state.try_set(State::Running(Progress::Storing {
        keys,
        nodes,
        done: 0,
    }));
    for _ in 0..workers {
        let tally = Rc::clone(&tally);
        spawn_local(async move {
            loop {
                let (node, key) = {
                    let mut shared = tally.borrow_mut();
                    if shared.stopped.is_some() || shared.next >= shared.jobs.len() {
                        break;
                    }
                    shared.next += 1;
                    shared.jobs[shared.next - 1].clone()
                };
                let answer = server
                    .request(ClientFrame::Cache(CacheFrame::Set(CacheSet {
                        node,
                        key,
                        value: "1".into(),
                        ttl: TTL_SECONDS,
                        flags: 0,
                        id: None,
                    })))
                    .await;
                let mut shared = tally.borrow_mut();
                match answer {
                    Ok(ServerFrame::CacheResult {
                        outcome: fanout_shared::cache::lab_ops::CacheOutcome::Stored,
                        ..
                    }) => {
                        shared.stored += 1;
                    }
                    Ok(_) | Err(RequestError::Refused { .. }) => shared.failed += 1,
                    Err(RequestError::Disconnected) => {
                        shared.stopped = Some(Failure::Disconnected);
                        break;
                    }
                }
                shared.answered += 1;
                // Progress once per round of requests, not once per key; a
                // disposed signal means the learner left the lab.
                let answered = shared.answered;
                if answered.is_multiple_of(IN_FLIGHT)
                    && state
                        .try_set(State::Running(Progress::Storing {
                            keys,
                            nodes,
                            done: answered,
                        }))
                        .is_some()
                {
                    shared.stopped = Some(Failure::Disconnected);
                }
            }
            let mut shared = tally.borrow_mut();
            shared.workers -= 1;
            if shared.workers == 0
                && let Some(done) = shared.done.take()
            {
                let _ = done.send(());
            }
        });
    }
    let _ = done_rx.await;
    let mut tally = tally.borrow_mut();
    match tally.stopped.take() {
        Some(failure) => Err(failure),
        None => Ok((tally.stored, tally.failed)),
    }
}
