//! Section 1: every node side by side, named by its address: keys in LRU
//! order (most recently used on top) with size and a live TTL countdown,
//! the memory bar against the limit, the counters, the hit ratio over the
//! last minute, the live feed of operations (this tab's, the warm-up's,
//! the cache's own, and those of every outside client), and the node's
//! memory limit, flush and restart. A real memcached the server observes
//! (`--observe-memcached`) gets a card of its own after them, labelled
//! with its address and its link, read-only (no limit, flush or restart).
//!
//! Evictions and expirations are animated where they happen: the key's row
//! (when it is on screen) and the counter.

use fanout_shared::{
    cache::EventKind,
    protocol::{CacheFrame, CacheLimit, CacheNodeRef, ClientFrame, ObservedLink, ServerFrame},
};
use leptos::{prelude::*, task::spawn_local};

use super::{
    CacheLab, NodeHandle,
    backend::Mode,
    format_bytes,
    node_state::{Departure, FeedEntry, KeyRow, Mark, SHOWN, Ttl, hit_ratio},
    percent,
    text::Texts,
};

#[component]
pub fn NodesSection(lab: CacheLab) -> impl IntoView {
    let t = move || lab.texts();
    view! {
        <section class="panel" aria-labelledby="cache-nodes-title">
            <h2 id="cache-nodes-title">{move || t().nodes_title}</h2>
            <p class="hint">
                {move || t().nodes_hint} {move || t().sentence_gap}
                <span data-testid="lru-rule">
                    {move || {
                        lab.nodes
                            .with(|nodes| nodes.first().and_then(|node| node.bump_interval))
                            .map(|seconds| (t().lru_rule)(seconds))
                    }}
                </span> {move || t().sentence_gap} {move || t().nodes_feed_hint}
            </p>
            <OutsideHint lab />
            <div class="node-grid" data-testid="cache-nodes">
                <For
                    each=move || {
                        let mut all = lab.nodes.get();
                        all.extend(lab.observed.get());
                        all
                    }
                    key=|handle| (handle.generation, handle.id)
                    let:handle
                >
                    <NodeCard lab handle />
                </For>
            </div>
        </section>
    }
}

/// How to reach a node from outside the browser (live only).
#[component]
fn OutsideHint(lab: CacheLab) -> impl IntoView {
    let t = move || lab.texts();
    let first = move || {
        lab.nodes
            .with(|nodes| nodes.first().map(|node| node.addr.clone()))
            .filter(|_| lab.mode.get() == Mode::Live)
    };
    move || {
        first().map(|addr| {
            let (host, port) = addr.rsplit_once(':').unwrap_or((addr.as_str(), "11211"));
            let command = format!("printf 'set hello 0 60 5\\r\\nworld\\r\\n' | nc {host} {port}");
            let python = format!(
                "python3 -c \"import memcache; memcache.Client(['{addr}']).set('hello', 'world', time=60)\""
            );
            view! {
                <div class="outside-hint">
                    <p>{t().outside_hint}</p>
                    <pre><code>{command}</code></pre>
                    <pre><code>{python}</code></pre>
                </div>
            }
        })
    }
}

#[component]
fn NodeCard(lab: CacheLab, handle: NodeHandle) -> impl IntoView {
    let t = move || lab.texts();
    let state = handle.state;
    let id = handle.id;
    let addr = handle.addr.clone();
    let live = lab.mode.get_untracked() == Mode::Live;
    let real = handle.real;
    let name = move || {
        if real.is_some() {
            t().real_memcached.to_owned()
        } else if live {
            (t().node_name)(id)
        } else {
            (t().model_node_name)(id)
        }
    };
    let stats = move || state.with(|state| state.stats.clone());
    let fill = move || {
        let stats = stats();
        if stats.limit_maxbytes == 0 {
            0.0
        } else {
            (stats.bytes as f64 / stats.limit_maxbytes as f64 * 100.0).min(100.0)
        }
    };
    let ratio = move || state.with(|state| hit_ratio(&state.stats));

    view! {
        <article
            class=if real.is_some() { "node-card real-memcached" } else { "node-card" }
            data-testid=if real.is_some() { "observed-node" } else { "cache-node" }
            data-node=id
            data-addr=real.map(|_| addr.clone())
            data-items=move || stats().curr_items
            aria-labelledby=format!("cache-node-{id}")
        >
            <header>
                <h3 id=format!("cache-node-{id}")>{name}</h3>
                <code class="addr">
                    {if live { addr.clone() } else { String::new() }}
                    {move || (!live).then(|| t().in_this_browser)}
                </code>
                {real.map(|link| view! {
                    <span class="observed-link" data-testid="observed-link" data-link=move || link_key(link.get())>
                        {move || (t().observed_link)(link.get())}
                    </span>
                })}
            </header>
            {real.map(|_| view! { <p class="hint observed-hint">{move || t().real_memcached_hint}</p> })}
            <div class="memory">
                <div class="memory-line">
                    <span>{move || t().memory}</span>
                    <span class="memory-numbers">
                        {move || format_bytes(stats().bytes)} " / "
                        {move || format_bytes(stats().limit_maxbytes)}
                    </span>
                </div>
                <div
                    class="mem-bar"
                    role="meter"
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=move || format!("{:.0}", fill())
                    aria-label=move || t().memory
                >
                    <span class="fill" style:width=move || format!("{:.2}%", fill())></span>
                </div>
            </div>
            <dl class="counters">
                <div>
                    <dt>{move || t().items}</dt>
                    <dd class="items" data-stat="items">{move || stats().curr_items}</dd>
                </div>
                <div>
                    <dt>{move || t().hits}</dt>
                    <dd data-stat="hits">{move || stats().get_hits}</dd>
                </div>
                <div>
                    <dt>{move || t().misses}</dt>
                    <dd data-stat="misses">{move || stats().get_misses}</dd>
                </div>
                <div>
                    <dt>{move || t().hit_ratio}</dt>
                    <dd
                        data-stat="ratio"
                        data-ratio=move || ratio().map_or(String::new(), |r| format!("{r:.4}"))
                    >
                        {move || ratio().map_or_else(|| "—".to_owned(), percent)}
                    </dd>
                </div>
                <div>
                    <dt>{move || t().evictions}</dt>
                    <dd data-stat="evictions">
                        <Pulse value=Signal::derive(move || stats().evictions) kind="evicted" />
                    </dd>
                </div>
                <div>
                    <dt>{move || t().expirations}</dt>
                    <dd data-stat="expirations">
                        <Pulse value=Signal::derive(move || stats().reclaimed) kind="expired" />
                    </dd>
                </div>
            </dl>
            <Sparkline lab handle=handle.clone() />
            <KeyList lab handle=handle.clone() />
            <Feed lab handle=handle.clone() />
            {real.is_none().then(|| view! { <NodeActions lab handle /> })}
        </article>
    }
}

/// The link's name for tests and styles (`data-link`).
fn link_key(link: ObservedLink) -> &'static str {
    match link {
        ObservedLink::Connecting => "connecting",
        ObservedLink::Watching => "watching",
        ObservedLink::Unreachable => "unreachable",
    }
}

/// A counter that flashes when it goes up.
#[component]
fn Pulse(value: Signal<u64>, kind: &'static str) -> impl IntoView {
    view! {
        <For each=move || [value.get()] key=|value| *value let:shown>
            <span class=move || {
                if shown > 0 { format!("pulse {kind}") } else { String::new() }
            }>
                {shown}
            </span>
        </For>
    }
}

/// The hit ratio once a second over the last minute.
#[component]
fn Sparkline(lab: CacheLab, handle: NodeHandle) -> impl IntoView {
    const W: f64 = 120.0;
    const H: f64 = 24.0;
    let state = handle.state;
    let segments = move || {
        state.with(|state| {
            let step = W / (super::node_state::HISTORY as f64 - 1.0);
            let offset = super::node_state::HISTORY - state.history.len();
            let mut segments = Vec::new();
            let mut current = String::new();
            for (index, sample) in state.history.iter().enumerate() {
                match sample {
                    Some(ratio) => {
                        let x = (offset + index) as f64 * step;
                        let y = H - ratio * (H - 2.0) - 1.0;
                        current.push_str(&format!("{x:.1},{y:.1} "));
                    }
                    None if !current.is_empty() => segments.push(std::mem::take(&mut current)),
                    None => {}
                }
            }
            if !current.is_empty() {
                segments.push(current);
            }
            segments
        })
    };
    view! {
        <figure class="spark">
            <svg viewBox="0 0 120 24" role="img" aria-label=move || lab.texts().ratio_history>
                <line class="spark-base" x1="0" y1="23" x2="120" y2="23" />
                {move || {
                    segments()
                        .into_iter()
                        .map(|points| view! { <polyline points=points /> })
                        .collect_view()
                }}
            </svg>
            <figcaption>{move || lab.texts().ratio_history}</figcaption>
        </figure>
    }
}

fn row_class(row: &KeyRow) -> &'static str {
    match row.mark {
        Mark::Quiet => "key",
        Mark::Stored => "key stored",
        Mark::Hit => "key hit",
        Mark::Touched => "key touched",
        Mark::Leaving(Departure::Evicted, _) => "key leaving evicted",
        Mark::Leaving(Departure::Expired, _) => "key leaving expired",
        Mark::Leaving(Departure::Deleted | Departure::Flushed, _) => "key leaving deleted",
    }
}

fn leaving_word(t: &Texts, row: &KeyRow) -> Option<&'static str> {
    match row.mark {
        Mark::Leaving(departure, _) => Some((t.departure)(departure)),
        Mark::Quiet | Mark::Stored | Mark::Hit | Mark::Touched => None,
    }
}

/// Keys from most to least recently used.
#[component]
fn KeyList(lab: CacheLab, handle: NodeHandle) -> impl IntoView {
    let t = move || lab.texts();
    let state = handle.state;
    let shown =
        move || state.with(|state| state.keys.iter().take(SHOWN).cloned().collect::<Vec<_>>());
    // The least recently used key, when every key is on screen. Not for a
    // real memcached: its segmented LRU does not evict strictly in the
    // order its last accesses list.
    let real = handle.real.is_some();
    let last_out = move || {
        state.with(|state| {
            if real {
                return None;
            }
            let live: Vec<_> = state.keys.iter().filter(|row| !row.is_leaving()).collect();
            (state.complete() && !live.is_empty() && state.keys.len() <= SHOWN)
                .then(|| live[live.len() - 1].key.clone())
        })
    };
    let more = move || {
        state.with(|state| {
            let on_screen = state
                .keys
                .iter()
                .take(SHOWN)
                .filter(|row| !row.is_leaving())
                .count() as u64;
            state.stats.curr_items.saturating_sub(on_screen)
        })
    };
    view! {
        <div class="keys-box">
            <h4>{move || t().keys_title}</h4>
            <Show when=move || state.with(|state| state.keys.is_empty())>
                <p class="empty">{move || t().no_keys}</p>
            </Show>
            <ol class="keys">
                <For each=shown key=|row| (row.key.clone(), row.version) let:row>
                    {
                        let key = row.key.clone();
                        let ttl_key = row.key.clone();
                        let key_attr = row.key.clone();
                        let last_key = row.key.clone();
                        let leaving = row.is_leaving();
                        let class = row_class(&row);
                        let size = row.size;
                        let ttl = move || {
                            let now = lab.clock.get();
                            state.with(|state| match state.ttl_of(&ttl_key) {
                                Some(Ttl::Never) => t().ttl_never.to_owned(),
                                Some(Ttl::Unknown) => "…".to_owned(),
                                Some(Ttl::At(at)) => {
                                    (t().ttl_left)(((at - now) / 1000.0).ceil().max(0.0) as u64)
                                }
                                None => String::new(),
                            })
                        };
                        view! {
                            <li class=class data-key=key_attr data-leaving=leaving.to_string()>
                                <span class="k-cell">
                                    <code class="k">{key}</code>
                                    {move || leaving_word(t(), &row).map(|word| view! { <span class="gone">{word}</span> })}
                                    {move || {
                                        (last_out() == Some(last_key.clone()))
                                            .then(|| view! { <span class="next-out">{t().next_out}</span> })
                                    }}
                                </span>
                                <span class="size">{format_bytes(size)}</span>
                                <span class="ttl">{ttl}</span>
                            </li>
                        }
                    }
                </For>
            </ol>
            <Show when=move || { more() > 0 }>
                <p class="more">{move || (t().more_keys)(more())}</p>
            </Show>
        </div>
    }
}

fn kind_key(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Set => "set",
        EventKind::Hit => "hit",
        EventKind::Miss => "miss",
        EventKind::Delete => "delete",
        EventKind::Evict => "evict",
        EventKind::Expire => "expire",
        EventKind::Flush => "flush",
        EventKind::Touch => "touch",
        // Recorded only for a TCP `watch`; never sent to the lab.
        EventKind::Log => "log",
    }
}

/// The latest operations, newest first, each with who made it.
#[component]
fn Feed(lab: CacheLab, handle: NodeHandle) -> impl IntoView {
    let t = move || lab.texts();
    let state = handle.state;
    let entries = move || state.with(|state| state.feed.iter().cloned().collect::<Vec<_>>());
    let skipped = move || state.with(|state| state.skipped);
    view! {
        <div class="feed-box">
            <h4>{move || t().feed_title}</h4>
            <Show when=move || state.with(|state| state.feed.is_empty())>
                <p class="empty">{move || t().feed_empty}</p>
            </Show>
            <ol class="feed" aria-live="off">
                <For each=entries key=|entry| entry.seq let:entry>
                    <FeedLine lab handle=handle.clone() entry />
                </For>
            </ol>
            <Show when=move || { skipped() > 0 }>
                <p class="skipped">{move || (t().skipped)(skipped())}</p>
            </Show>
        </div>
    }
}

#[component]
fn FeedLine(lab: CacheLab, handle: NodeHandle, entry: FeedEntry) -> impl IntoView {
    let t = move || lab.texts();
    let who = lab.who(&handle, entry.conn);
    let kind = entry.kind;
    let who_text = move || (t().who)(who);
    view! {
        <li
            class=format!("op {}{}", kind_key(kind), if entry.burst { " burst" } else { "" })
            data-kind=kind_key(kind)
            data-who=who.key()
        >
            <span class="kind">{move || (t().event)(kind)}</span>
            <code class="k">{entry.key.clone()}</code>
            <span class="who">{who_text}</span>
        </li>
    }
}

/// The node as a whole: memory limit, flush, restart.
#[component]
fn NodeActions(lab: CacheLab, handle: NodeHandle) -> impl IntoView {
    let t = move || lab.texts();
    let id = handle.id;
    let limit_kib = RwSignal::new(
        handle
            .state
            .with_untracked(|state| (state.stats.limit_maxbytes / 1024).to_string()),
    );
    // Follow the node's limit when anything changes it (the warm-up's
    // memory choice, an outside client's cache_memlimit).
    let state = handle.state;
    Effect::new(move |previous: Option<u64>| {
        let limit = state.with(|state| state.stats.limit_maxbytes);
        if previous.is_some_and(|previous| previous != limit) {
            limit_kib.set((limit / 1024).to_string());
        }
        limit
    });
    let status = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let run = move |frame: ClientFrame, done: fn(&Texts) -> String| {
        let Some(backend) = lab.backend() else { return };
        busy.set(true);
        error.set(None);
        status.set(None);
        spawn_local(async move {
            let answer = backend.request(frame).await;
            busy.try_set(false);
            match answer {
                Ok(ServerFrame::CacheResult { .. }) => {
                    status.try_set(Some(done(lab.texts_untracked())));
                }
                Ok(_) => {}
                Err(problem) => {
                    error.try_set(Some(lab.describe(&problem)));
                }
            }
        });
    };
    let set_limit = move || {
        let text = limit_kib.get_untracked();
        let Ok(kib) = text.trim().parse::<f64>() else {
            error.set(Some((lab.texts_untracked().not_a_number)(&text)));
            return;
        };
        let bytes = (kib * 1024.0).round().max(0.0) as u64;
        run(
            ClientFrame::Cache(CacheFrame::Limit(CacheLimit {
                node: id,
                bytes,
                id: None,
            })),
            |t| t.limit_done.to_owned(),
        );
    };

    view! {
        <div class="node-actions">
            <form
                class="limit"
                on:submit=move |ev| {
                    ev.prevent_default();
                    set_limit();
                }
            >
                <label>
                    <span>{move || t().limit_label}</span>
                    <input
                        type="text"
                        inputmode="decimal"
                        size="7"
                        name="limit"
                        prop:value=move || limit_kib.get()
                        on:input=move |ev| limit_kib.set(event_target_value(&ev))
                    />
                    " KiB"
                </label>
                <button type="submit" disabled=move || busy.get()>{move || t().set_limit}</button>
            </form>
            <div class="buttons">
                <button
                    type="button"
                    class="flush"
                    disabled=move || busy.get()
                    on:click=move |_| {
                        run(
                            ClientFrame::Cache(CacheFrame::Flush(CacheNodeRef { node: id, id: None })),
                            |t| t.flush_done.to_owned(),
                        )
                    }
                >
                    {move || t().flush}
                </button>
                <button
                    type="button"
                    class="restart"
                    disabled=move || busy.get()
                    on:click=move |_| {
                        run(
                            ClientFrame::Cache(CacheFrame::Restart(CacheNodeRef { node: id, id: None })),
                            |t| t.restart_done.to_owned(),
                        )
                    }
                >
                    {move || t().restart}
                </button>
            </div>
            <p class="status" role="status">{move || status.get()}</p>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get()}</p>
            </Show>
        </div>
    }
}
