//! Section 4: a server joins or leaves, and the keys that change server,
//! per scheme as a number, and for one scheme as an animation of sample keys
//! walking from their old server to their new one.

use fanout_shared::shard::{Scheme, ServerChange};
use leptos::prelude::*;

use super::{
    Lab, Phase,
    model::{percent, sample, server_label, thousands},
    text::short_name,
};
use crate::i18n::{Lang, use_lang};

/// Keys drawn in the animation.
const SAMPLE: usize = 200;
const COLUMN: f64 = 44.0;
const PITCH: f64 = 8.0;
const PER_ROW: usize = 5;
const HEADER: f64 = 16.0;

/// Strings of the moves section.
#[derive(Debug)]
struct MovesTexts {
    title: &'static str,
    /// n servers before; the ideal share that moves.
    joins: fn(usize, &str) -> String,
    /// Number of the server that leaves, n before, the ideal share.
    leaves: fn(usize, usize, &str) -> String,
    miss_hint: &'static str,
    scheme: &'static str,
    share_moves: &'static str,
    keys_move: &'static str,
    /// After the keys that move: " of 73,697".
    of_total: fn(&str) -> String,
    most_move: &'static str,
    few_move: &'static str,
    watch: &'static str,
    scheme_label: &'static str,
    show_before: &'static str,
    show_after: &'static str,
    key_moves: fn(&str) -> String,
    key_stays: fn(&str) -> String,
    /// Moved, sample size, scheme: the chart's label.
    flow_label: fn(usize, usize, &str) -> String,
    /// Sample size, moved, stayed: the sentence under the chart.
    flow_hint: fn(usize, usize, usize) -> String,
}

const EN: MovesTexts = MovesTexts {
    title: "4. A server joins or leaves: which keys move?",
    joins: |n, ideal| {
        format!(
            "A server joins: {n} → {} servers. Ideally only the keys the new server takes move, \
             1/{} = {ideal}.",
            n + 1,
            n + 1
        )
    },
    leaves: |number, n, ideal| {
        format!(
            "Server {number} leaves: {n} → {} servers. Ideally only the keys it held move, \
             about 1/{n} = {ideal}.",
            n - 1
        )
    },
    miss_hint: "A key that moves is a cache miss until it is stored again on its new server: \
                moving most keys at once is like restarting the whole cache.",
    scheme: "Scheme",
    share_moves: "Share that moves",
    keys_move: "Keys that move",
    of_total: |total| format!(" of {total}"),
    most_move: "most keys move",
    few_move: "few keys move",
    watch: "Watch the keys move",
    scheme_label: "Scheme: ",
    show_before: "Show before the change",
    show_after: "Show after the change",
    key_moves: |word| format!("{word}: moves"),
    key_stays: |word| format!("{word}: stays"),
    flow_label: |moved, total, scheme| {
        format!("{moved} of {total} sample keys change server under {scheme}")
    },
    flow_hint: |total, moved, stayed| {
        format!(
            "Of {total} sample keys, {moved} change server (circles) and {stayed} stay \
             (squares). Column headings are server numbers; + joins, − leaves."
        )
    },
};

const ZH: MovesTexts = MovesTexts {
    title: "4. 服务器加入或离开：哪些键会移动？",
    joins: |n, ideal| {
        format!(
            "加入一台服务器：{n} → {} 台。理想情况下只有被新服务器接管的键才移动，\
             即 1/{} = {ideal}。",
            n + 1,
            n + 1
        )
    },
    leaves: |number, n, ideal| {
        format!(
            "服务器 {number} 离开：{n} → {} 台。理想情况下只有它原来存着的键才移动，\
             约 1/{n} = {ideal}。",
            n - 1
        )
    },
    miss_hint: "移动了的键在新服务器上重新存入之前，每次读取都会缓存未命中：\
                一下子移动大多数键，就像把整个缓存重启了一遍。",
    scheme: "方案",
    share_moves: "移动的比例",
    keys_move: "移动的键数",
    of_total: |total| format!(" / {total}"),
    most_move: "大多数键都移动",
    few_move: "只有少数键移动",
    watch: "观看键的移动",
    scheme_label: "方案：",
    show_before: "显示变化之前",
    show_after: "显示变化之后",
    key_moves: |word| format!("{word}：移动"),
    key_stays: |word| format!("{word}：不动"),
    flow_label: |moved, total, scheme| {
        format!("{scheme}：{total} 个样本键中有 {moved} 个换了服务器")
    },
    flow_hint: |total, moved, stayed| {
        format!(
            "{total} 个样本键中，{moved} 个换了服务器（圆点），{stayed} 个留在原处（方块）。\
             列标题是服务器编号；+ 表示加入，− 表示离开。"
        )
    },
};

fn texts(lang: Lang) -> &'static MovesTexts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

#[component]
pub fn MovesSection(lab: Lab) -> impl IntoView {
    let lang = use_lang();
    let t = move || texts(lang.get());
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
                            let t = texts(lang);
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
fn KeyFlow(lab: Lab) -> impl IntoView {
    let lang = use_lang();
    let t = move || texts(lang.get());
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
