//! Section 4: stale data. The experiment itself (the pretend database of
//! three user profiles, the read-through, each remedy's rule, the verdicts
//! and tallies) is the shared stepper `fanout_shared::cache::staleness`;
//! this panel sends the requests it asks for to the chosen node (a real
//! node through the lab's frames, or the model offline), hands back the
//! answers, and draws what it reports.

use std::time::Duration;

use fanout_shared::{
    cache::staleness::{CacheAnswer, DEFAULT_TTL, Staleness, Strategy, Verdict, keys_of},
    protocol::ClientFrame,
};
use leptos::{prelude::*, task::spawn_local};

use super::{CacheLab, backend::Mode, stampede::Stampede, tryit::NodeSelect};

#[component]
pub fn StalenessSection(lab: CacheLab) -> impl IntoView {
    let t = move || lab.texts();
    let node = RwSignal::new(1usize);
    // Node 1 when there is one, so the demo and the warm-up (node 0 by
    // default) do not disturb each other.
    Effect::new(move |_| {
        let count = lab.nodes.with(Vec::len);
        if count > 0 && node.get_untracked() >= count {
            node.set(0);
        }
    });
    let experiment = RwSignal::new(Staleness::new());
    let ttl = RwSignal::new(DEFAULT_TTL.to_string());
    let error = RwSignal::new(None::<String>);
    let auto = RwSignal::new(false);
    let busy = move || experiment.with(Staleness::is_busy);

    // Sends the experiment's requests, one at a time, to the chosen node
    // and hands each answer back. A second pump finds the request in
    // flight and stops at once.
    let pump = move || {
        let Some(backend) = lab.backend() else { return };
        spawn_local(async move {
            while let Some(request) = experiment.try_update(Staleness::poll_request).flatten() {
                let Some(node) = node.try_get_untracked() else {
                    return;
                };
                let frame = ClientFrame::Cache(request.frame(node));
                let answer = match backend.request(frame).await {
                    Ok(frame) => CacheAnswer::of(&frame),
                    Err(problem) => {
                        error.try_set(Some(lab.describe(&problem)));
                        CacheAnswer::Failed
                    }
                };
                if experiment
                    .try_update(|experiment| experiment.handle_answer(answer))
                    .is_none()
                {
                    return;
                }
            }
        });
    };
    // The expiry time field, into the experiment; false (and said) when
    // it is not a number of seconds the experiment takes.
    let take_ttl = move || {
        let text = ttl.get_untracked();
        let taken = text.trim().parse::<i64>().ok().is_some_and(|seconds| {
            experiment.try_update_untracked(|e| e.set_ttl(seconds)) == Some(true)
        });
        if !taken {
            error.set(Some((lab.texts_untracked().not_a_number)(&text)));
        }
        taken
    };
    // Starts an action of the experiment and sends what it asks for.
    let act = move |action: fn(&mut Staleness) -> bool| {
        if lab.backend().is_none() {
            return;
        }
        error.set(None);
        if experiment.try_update(action) == Some(true) {
            pump();
        }
    };
    let read_all = move || {
        if !busy() && take_ttl() {
            act(Staleness::read_all);
        }
    };
    let update = move |id: u32| {
        if lab.backend().is_none() || !take_ttl() {
            return;
        }
        error.set(None);
        if experiment.try_update(|e| e.update(id)) == Some(true) {
            pump();
        }
    };
    let reset = move |_| act(Staleness::reset);

    if let Ok(reader) = set_interval_with_handle(
        move || {
            if auto.try_get_untracked() == Some(true)
                && experiment.try_with_untracked(Staleness::is_busy) == Some(false)
            {
                read_all();
            }
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || reader.clear());
    }

    view! {
        <section class="panel staleness" aria-labelledby="cache-stale-title" data-testid="staleness">
            <h2 id="cache-stale-title">{move || t().stale_title}</h2>
            <p class="hint">{move || t().stale_intro}</p>
            <p class="hint where" data-testid="stale-where">
                {move || match lab.mode.get() {
                    Mode::Offline => t().stale_where_model.to_owned(),
                    Mode::Live | Mode::Waiting => {
                        let chosen = node.get();
                        let addr = lab
                            .nodes
                            .with(|nodes| nodes.iter().find(|n| n.id == chosen).map(|n| n.addr.clone()))
                            .unwrap_or_default();
                        (t().stale_where_live)(&addr)
                    }
                }}
            </p>
            <div class="stale-controls">
                <NodeSelect lab selected=node label=|t| t.node_label />
                <fieldset class="strategies">
                    <legend>{move || t().strategy_legend}</legend>
                    {Strategy::ALL
                        .into_iter()
                        .map(|choice| {
                            view! {
                                <label class="choice">
                                    <input
                                        type="radio"
                                        name="stale-strategy"
                                        value=choice.name()
                                        prop:checked=move || experiment.with(Staleness::strategy) == choice
                                        on:change=move |_| experiment.update(|e| e.set_strategy(choice))
                                    />
                                    <strong>{move || (t().strategy)(choice)}</strong>
                                    " "
                                    <span class="strategy-hint">
                                        {move || (t().strategy_hint)(choice)}
                                    </span>
                                </label>
                            }
                        })
                        .collect_view()}
                    <label class="ttl">
                        <span>{move || t().stale_ttl_label}</span>
                        <input
                            type="text"
                            inputmode="numeric"
                            size="4"
                            name="stale-ttl"
                            prop:value=move || ttl.get()
                            on:input=move |ev| ttl.set(event_target_value(&ev))
                        />
                    </label>
                </fieldset>
            </div>
            <div class="stale-layout">
                <div class="db">
                    <h3>{move || t().db_title}</h3>
                    <div class="table-scroll">
                    <table class="db-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || t().col_user}</th>
                                <th scope="col">{move || t().col_name}</th>
                                <th scope="col">{move || t().col_card}</th>
                                <th scope="col">{move || t().col_keys}</th>
                                <th scope="col"></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || experiment.with(|e| e.database().to_vec())
                                key=|record| (record.id, record.version)
                                let:record
                            >
                                <tr data-user=record.id data-version=record.version class={if record.version > 0 { "changed" } else { "" }}>
                                    <th scope="row">{record.id}</th>
                                    <td>{record.name.clone()}</td>
                                    <td>{record.card.clone()}</td>
                                    <td class="keys-map">
                                        {keys_of(record.id)
                                            .into_iter()
                                            .map(|key| view! { <code>{key}</code> " " })
                                            .collect_view()}
                                    </td>
                                    <td>
                                        <button
                                            type="button"
                                            class="update"
                                            disabled=move || busy() || !lab.ready()
                                            on:click=move |_| update(record.id)
                                        >
                                            {move || t().update}
                                        </button>
                                    </td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                    </div>
                    <p class="hint">{move || t().keys_map_hint}</p>
                </div>
                <div class="reads">
                    <div class="buttons">
                        <button
                            type="button"
                            class="primary read-all"
                            disabled=move || busy() || !lab.ready()
                            on:click=move |_| read_all()
                        >
                            {move || t().read_all}
                        </button>
                        <label class="choice">
                            <input
                                type="checkbox"
                                name="auto-read"
                                prop:checked=move || auto.get()
                                on:change=move |ev| auto.set(event_target_checked(&ev))
                            />
                            {move || t().auto_read}
                        </label>
                        <button type="button" class="reset" disabled=busy on:click=reset>{move || t().stale_reset}</button>
                    </div>
                    <p class="note" role="status">
                        {move || experiment.with(Staleness::updated).map(|updated| (t().updated)(updated))}
                    </p>
                    <Show when=move || error.get().is_some()>
                        <p class="error" role="alert">{move || error.get()}</p>
                    </Show>
                    <table class="tallies">
                        <thead>
                            <tr>
                                <th scope="col">{move || t().strategy_legend}</th>
                                <th scope="col">{move || t().col_reads}</th>
                                <th scope="col">{move || t().col_from_cache}</th>
                                <th scope="col">{move || t().col_stale}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {Strategy::ALL
                                .into_iter()
                                .map(|choice| {
                                    let tally = move || experiment.with(|e| e.tally(choice));
                                    view! {
                                        <tr
                                            data-strategy=choice.name()
                                            data-reads=move || tally().reads
                                            data-stale=move || tally().stale
                                            class:current=move || experiment.with(Staleness::strategy) == choice
                                        >
                                            <th scope="row">{move || (t().strategy)(choice)}</th>
                                            <td>{move || tally().reads}</td>
                                            <td>{move || tally().from_cache}</td>
                                            <td class=move || {
                                                if tally().stale > 0 { "stale-count bad" } else { "stale-count" }
                                            }>
                                                {move || tally().stale}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    <ol class="read-log">
                        <For
                            each=move || experiment.with(|e| e.log().cloned().collect::<Vec<_>>())
                            key=|read| read.seq
                            let:read
                        >
                            <li
                                class=match read.verdict {
                                    Verdict::Stale => "read stale",
                                    Verdict::Fresh => "read fresh",
                                    Verdict::Miss => "read miss",
                                }
                                data-stale=(read.verdict == Verdict::Stale).to_string()
                            >
                                <code class="k">{read.key.clone()}</code>
                                <span class="value">{format!("“{}”", read.value)}</span>
                                <span class="source">{move || (t().source)(read.verdict)}</span>
                                <span class="verdict">{move || (t().verdict)(read.verdict)}</span>
                            </li>
                        </For>
                    </ol>
                </div>
            </div>
            <Stampede lab />
        </section>
    }
}
