//! Section 4: a server joins or leaves, and the keys that change server,
//! per scheme as a number, and for one scheme as an animation of sample keys
//! walking from their old server to their new one.

use fanout_shared::shard::{Scheme, ServerChange};
use leptos::prelude::*;

use super::{
    Phase, ShardLab,
    model::{percent, sample, server_label, thousands},
    text::{Texts, short_name},
};
use crate::i18n::use_lang;

/// Keys drawn in the animation.
const SAMPLE: usize = 200;
const COLUMN: f64 = 44.0;
const PITCH: f64 = 8.0;
const PER_ROW: usize = 5;
const HEADER: f64 = 16.0;

#[component]
pub fn MovesSection(lab: ShardLab) -> impl IntoView {
    let lang = use_lang();
    let t = move || &Texts::of(lang.get()).moves;
    let what = move || {
        let t = t();
        let n = lab.servers.get();
        match lab.change.get() {
            ServerChange::Add => (t.joins)(n, &percent(1.0 / (n + 1) as f64)),
            ServerChange::Remove(index) => (t.leaves)(index + 1, n, &percent(1.0 / n as f64)),
        }
    };
    view! {
        <section class="panel" aria-labelledby="moves-title">
            <h2 id="moves-title">{move || t().title}</h2>
            <p class="hint" role="status" aria-live="polite">{what}</p>
            <p class="hint">{move || t().miss_hint}</p>
            <div class="table-scroll">
                <table class="moves">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().scheme}</th>
                            <th scope="col">{move || t().share_moves}</th>
                            <th scope="col">{move || t().keys_move}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let lang = lang.get();
                            let t = &Texts::of(lang).moves;
                            lab.runs.get().map(|runs| {
                                runs.schemes
                                    .iter()
                                    .map(|run| {
                                        let fraction = run.moves.fraction();
                                        let verdict = if fraction > 0.5 { t.most_move } else { t.few_move };
                                        view! {
                                            <tr
                                                data-scheme=run.scheme.id()
                                                data-moved=run.moves.moved.to_string()
                                                data-total=run.moves.total.to_string()
                                            >
                                                <th scope="row">{short_name(lang, run.scheme)}</th>
                                                <td>
                                                    <span class="percent">{percent(fraction)}</span>
                                                    <span class="meter" aria-hidden="true">
                                                        <span class="fill" style:width=format!("{:.1}%", 100.0 * fraction)></span>
                                                    </span>
                                                </td>
                                                <td>
                                                    {thousands(run.moves.moved)}
                                                    <span class="of-total">{(t.of_total)(&thousands(run.moves.total))}</span>
                                                    <span class="verdict">{verdict}</span>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            })
                        }}
                    </tbody>
                </table>
            </div>
            <KeyFlow lab />
        </section>
    }
}

/// Sample keys drawn in server columns; switching the phase slides each key
/// to its server after the change. Moving keys are circles, staying keys
/// squares, so the shape (not only motion or colour) tells them apart.
#[component]
fn KeyFlow(lab: ShardLab) -> impl IntoView {
    let lang = use_lang();
    let t = move || &Texts::of(lang.get()).moves;
    let scheme = RwSignal::new(Scheme::Md5LastByte);
    let after = move || lab.phase.get() == Phase::After;
    view! {
        <div class="flow">
            <h3>{move || t().watch}</h3>
            <div class="flow-controls">
                <label>
                    {move || t().scheme_label}
                    <select on:change=move |ev| {
                        if let Some(s) = Scheme::from_id(&event_target_value(&ev)) {
                            scheme.set(s);
                        }
                    }>
                        {Scheme::ALL
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s.id() selected=s == Scheme::Md5LastByte>
                                        {move || short_name(lang.get(), s)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button
                    type="button"
                    class="primary"
                    aria-pressed=move || after().to_string()
                    on:click=move |_| {
                        lab.phase.update(|phase| {
                            *phase = if *phase == Phase::Before { Phase::After } else { Phase::Before };
                        })
                    }
                >
                    {move || if after() { t().show_before } else { t().show_after }}
                </button>
            </div>
            {move || {
                let t = t();
                let scheme = scheme.get();
                let scheme_name = short_name(lang.get(), scheme);
                let keys = lab.keys.get()?;
                lab.runs.get().map(|runs| {
                    let run = runs.scheme(scheme);
                    // Columns: the servers before, then any server that joined.
                    let mut columns = runs.before_servers.clone();
                    for name in &runs.after_servers {
                        if !columns.contains(name) {
                            columns.push(name.clone());
                        }
                    }
                    let column_of = |name: &String| columns.iter().position(|c| c == name).expect("listed");
                    let mut filled_before = vec![0usize; columns.len()];
                    let mut filled_after = vec![0usize; columns.len()];
                    let picked = sample(keys.len(), SAMPLE);
                    let mut moved = 0;
                    let dots = picked
                        .iter()
                        .map(|&k| {
                            let from = column_of(&runs.before_servers[run.before[k] as usize]);
                            let to = column_of(&runs.after_servers[run.after[k] as usize]);
                            let slot_from = filled_before[from];
                            filled_before[from] += 1;
                            let slot_to = filled_after[to];
                            filled_after[to] += 1;
                            let moves = from != to;
                            moved += usize::from(moves);
                            (k, from, slot_from, to, slot_to, moves)
                        })
                        .collect::<Vec<_>>();
                    let tallest = filled_before.iter().chain(&filled_after).copied().max().unwrap_or(0);
                    let height = HEADER + PITCH * tallest.div_ceil(PER_ROW) as f64 + 4.0;
                    let width = COLUMN * columns.len() as f64;
                    let total = dots.len();
                    let position = |column: usize, slot: usize| {
                        let x = column as f64 * COLUMN + 3.0 + PITCH * (slot % PER_ROW) as f64;
                        let y = HEADER + PITCH * (slot / PER_ROW) as f64;
                        format!("translate({x:.1}px, {y:.1}px)")
                    };
                    let headers = columns
                        .iter()
                        .enumerate()
                        .map(|(i, name)| {
                            let joins = !runs.before_servers.contains(name);
                            let leaves = !runs.after_servers.contains(name);
                            let mark = if joins { "+" } else if leaves { "−" } else { "" };
                            view! {
                                <text class="axis-label" x=format!("{:.1}", i as f64 * COLUMN + COLUMN / 2.0) y="11" text-anchor="middle">
                                    {format!("{mark}{}", server_label(name, i))}
                                </text>
                            }
                        })
                        .collect_view();
                    let shapes = dots
                        .into_iter()
                        .map(|(k, from, slot_from, to, slot_to, moves)| {
                            let before = position(from, slot_from);
                            let after_pos = position(to, slot_to);
                            let word = keys.keys()[k].text.clone();
                            let shape = if moves {
                                view! { <circle class="key moved" cx="3" cy="3" r="2.6"><title>{(t.key_moves)(&word)}</title></circle> }.into_any()
                            } else {
                                view! { <rect class="key stays" x="0.5" y="0.5" width="5" height="5"><title>{(t.key_stays)(&word)}</title></rect> }.into_any()
                            };
                            view! {
                                <g class="flow-key" style:transform=move || if after() { after_pos.clone() } else { before.clone() }>
                                    {shape}
                                </g>
                            }
                        })
                        .collect_view();
                    view! {
                        <svg
                            class="flow-chart"
                            viewBox=format!("0 0 {width:.0} {height:.0}")
                            style:max-width=format!("{:.0}px", width * 2.0)
                            role="img"
                            aria-label=(t.flow_label)(moved, total, scheme_name)
                        >
                            {headers}
                            {shapes}
                        </svg>
                        <p class="hint" data-flow-moved=moved.to_string()>
                            {(t.flow_hint)(total, moved, total - moved)}
                        </p>
                    }
                })
            }}
        </div>
    }
}
