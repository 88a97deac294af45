//! Section 2: get, set (with an expiry time), delete and touch by hand on
//! any node, and a button that writes forty squares, to fill a node whose
//! limit has been made small and watch the least recently used ones go.
//! What the node answered, or why it refused, is shown under the form.

use fanout_shared::{
    cache::warmup,
    protocol::{CacheFrame, CacheKeyRef, CacheSet, CacheTouch, ClientFrame, ServerFrame},
};
use leptos::{prelude::*, task::spawn_local};

use super::{CacheLab, backend::Mode, text::Texts};

/// How many squares the fill button writes.
const FILL: u32 = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Get,
    Set,
    Delete,
    Touch,
}

/// A node chooser, by name and address.
#[component]
pub fn NodeSelect(
    lab: CacheLab,
    selected: RwSignal<usize>,
    label: fn(&Texts) -> &'static str,
) -> impl IntoView {
    let t = move || lab.texts();
    view! {
        <label class="node-select">
            <span>{move || label(t())}</span>
            <select on:change=move |ev| {
                if let Ok(node) = event_target_value(&ev).parse() {
                    selected.set(node);
                }
            }>
                {move || {
                    let live = lab.mode.get() == Mode::Live;
                    lab.nodes
                        .get()
                        .into_iter()
                        .map(|node| {
                            let name = if live {
                                format!("{} · {}", (t().node_name)(node.id), node.addr)
                            } else {
                                (t().model_node_name)(node.id)
                            };
                            view! {
                                <option value=node.id.to_string() selected=move || selected.get() == node.id>
                                    {name}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

#[component]
pub fn TryIt(lab: CacheLab) -> impl IntoView {
    let t = move || lab.texts();
    let node = RwSignal::new(0usize);
    let key = RwSignal::new("greeting".to_owned());
    let value = RwSignal::new("hello".to_owned());
    let ttl = RwSignal::new("30".to_owned());
    let result = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let act = move |op: Op| {
        let Some(backend) = lab.backend() else {
            return;
        };
        let texts = lab.texts_untracked();
        let (node, key, value) = (
            node.get_untracked(),
            key.get_untracked(),
            value.get_untracked(),
        );
        let seconds = ttl.get_untracked();
        let ttl = if matches!(op, Op::Set | Op::Touch) {
            match seconds.trim().parse::<i64>() {
                Ok(ttl) => ttl,
                Err(_) => {
                    error.set(Some((texts.not_a_number)(&seconds)));
                    result.set(None);
                    return;
                }
            }
        } else {
            0
        };
        let frame = match op {
            Op::Get => ClientFrame::Cache(CacheFrame::Get(CacheKeyRef {
                node,
                key,
                id: None,
            })),
            Op::Set => ClientFrame::Cache(CacheFrame::Set(CacheSet {
                node,
                key,
                value,
                ttl,
                flags: 0,
                id: None,
            })),
            Op::Delete => ClientFrame::Cache(CacheFrame::Delete(CacheKeyRef {
                node,
                key,
                id: None,
            })),
            Op::Touch => ClientFrame::Cache(CacheFrame::Touch(CacheTouch {
                node,
                key,
                ttl,
                id: None,
            })),
        };
        busy.set(true);
        spawn_local(async move {
            let answer = backend.request(frame).await;
            busy.try_set(false);
            let t = lab.texts_untracked();
            match answer {
                Ok(ServerFrame::CacheValue {
                    key,
                    found: true,
                    value,
                    ttl,
                    ..
                }) => {
                    result.try_set(Some((t.got_hit)(&key, &value.unwrap_or_default(), ttl)));
                    error.try_set(None);
                }
                Ok(ServerFrame::CacheValue { key, .. }) => {
                    result.try_set(Some((t.got_miss)(&key)));
                    error.try_set(None);
                }
                Ok(ServerFrame::CacheResult {
                    op, key, outcome, ..
                }) => {
                    result.try_set(Some((t.result)(op, &key.unwrap_or_default(), outcome)));
                    error.try_set(None);
                }
                Ok(_) => {}
                Err(problem) => {
                    error.try_set(Some(lab.describe(&problem)));
                    result.try_set(None);
                }
            }
        });
    };

    let fill = move |_| {
        let Some(backend) = lab.backend() else {
            return;
        };
        let node = node.get_untracked();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let mut stored = 0;
            for n in 1..=FILL {
                let frame = ClientFrame::Cache(CacheFrame::Set(CacheSet {
                    node,
                    key: warmup::key(n),
                    value: warmup::value(n),
                    ttl: 0,
                    flags: 0,
                    id: None,
                }));
                match backend.request(frame).await {
                    Ok(_) => stored += 1,
                    Err(problem) => {
                        error.try_set(Some(lab.describe(&problem)));
                        break;
                    }
                }
            }
            busy.try_set(false);
            result.try_set(Some((lab.texts_untracked().filled)(stored)));
        });
    };

    let button = move |op: Op, label: fn(&Texts) -> &'static str, class: &'static str| {
        view! {
            <button
                type="button"
                class=class
                disabled=move || busy.get() || !lab.ready()
                on:click=move |_| act(op)
            >
                {move || label(t())}
            </button>
        }
    };

    view! {
        <section class="panel try-it" aria-labelledby="cache-try-title" data-testid="try-it">
            <h2 id="cache-try-title">{move || t().try_title}</h2>
            <p class="hint">{move || t().try_hint}</p>
            <form class="try-form" on:submit=move |ev| ev.prevent_default()>
                <NodeSelect lab selected=node label=|t| t.node_label />
                <label>
                    <span>{move || t().key_label}</span>
                    <input
                        type="text"
                        name="key"
                        spellcheck="false"
                        autocomplete="off"
                        prop:value=move || key.get()
                        on:input=move |ev| key.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    <span>{move || t().value_label}</span>
                    <input
                        type="text"
                        name="value"
                        spellcheck="false"
                        autocomplete="off"
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    <span>{move || t().ttl_label}</span>
                    <input
                        type="text"
                        inputmode="numeric"
                        name="ttl"
                        size="6"
                        prop:value=move || ttl.get()
                        on:input=move |ev| ttl.set(event_target_value(&ev))
                    />
                </label>
                <div class="buttons">
                    {button(Op::Get, |t| t.op_get, "op-get")}
                    {button(Op::Set, |t| t.op_set, "op-set primary")}
                    {button(Op::Delete, |t| t.op_delete, "op-delete")}
                    {button(Op::Touch, |t| t.op_touch, "op-touch")}
                    <button
                        type="button"
                        class="op-fill"
                        disabled=move || busy.get() || !lab.ready()
                        on:click=fill
                    >
                        {move || (t().fill)(FILL)}
                    </button>
                </div>
            </form>
            <p class="result" role="status" data-testid="try-result">{move || result.get()}</p>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="try-error">{move || error.get()}</p>
            </Show>
            <p class="hint">{move || t().lru_tip}</p>
        </section>
    }
}
