//! Section 3: keys per server under each scheme, as bar charts on one
//! common scale, with max/mean and standard deviation, and the same numbers
//! as a table for screen readers and exact reading.

use fanout_shared::shard::Scheme;
use leptos::prelude::*;

use super::{
    ShardLab,
    model::{percent, server_label, thousands},
    text::Texts,
};
use crate::i18n::use_lang;

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 150.0;
const AXIS: f64 = 18.0;
const TOP: f64 = 6.0;

#[component]
pub fn BalanceSection(lab: ShardLab) -> impl IntoView {
    let lang = use_lang();
    let t = move || &Texts::of(lang.get()).balance;
    view! {
        <section class="panel" aria-labelledby="balance-title">
            <h2 id="balance-title">{move || t().title}</h2>
            <p class="hint">{move || t().hint}</p>
            <div class="scheme-grid">
                {Scheme::ALL.into_iter().map(|scheme| view! { <SchemeCard lab scheme /> }).collect_view()}
            </div>
        </section>
    }
}

#[component]
fn SchemeCard(lab: ShardLab, scheme: Scheme) -> impl IntoView {
    let lang = use_lang();
    let words = move || &Texts::of(lang.get()).schemes;
    let title_id = format!("balance-{}", scheme.id());
    let labelled_by = title_id.clone();
    view! {
        <article class="scheme-card" data-scheme=scheme.id() aria-labelledby=labelled_by>
            <h3 id=title_id>{move || (words().title)(scheme)}</h3>
            <p class="explain">{move || (words().explanation)(scheme)}</p>
            {move || {
                let t = &Texts::of(lang.get()).balance;
                let title = (words().title)(scheme);
                lab.runs.get().map(|runs| {
                    let run = runs.scheme(scheme);
                    let balance = &run.balance;
                    let scale = runs.max_count().max(1) as f64;
                    let n = balance.counts.len();
                    let slot = WIDTH / n as f64;
                    let plot = HEIGHT - AXIS - TOP;
                    let y_of = |count: f64| TOP + plot - plot * count / scale;
                    let mean_y = y_of(balance.mean);
                    let label = (t.chart_label)(
                        title,
                        &balance.counts.iter().map(|&c| thousands(c)).collect::<Vec<_>>().join(", "),
                    );
                    let bars = balance
                        .counts
                        .iter()
                        .enumerate()
                        .map(|(i, &count)| {
                            let name = runs.before_servers[i].clone();
                            let x = i as f64 * slot + slot * 0.12;
                            let y = y_of(count as f64);
                            let tip = (t.bar_tip)(i + 1, &name, count);
                            view! {
                                <g class="bar" data-server=i.to_string() data-count=count.to_string()>
                                    <rect
                                        x=format!("{x:.2}")
                                        y=format!("{y:.2}")
                                        width=format!("{:.2}", slot * 0.76)
                                        height=format!("{:.2}", (TOP + plot - y).max(0.0))
                                    >
                                        <title>{tip}</title>
                                    </rect>
                                    <text
                                        class="axis-label"
                                        x=format!("{:.2}", i as f64 * slot + slot / 2.0)
                                        y=format!("{:.2}", HEIGHT - 5.0)
                                        text-anchor="middle"
                                    >
                                        {server_label(&name, i)}
                                    </text>
                                </g>
                            }
                        })
                        .collect_view();
                    let rows = balance
                        .counts
                        .iter()
                        .enumerate()
                        .map(|(i, &count)| {
                            view! {
                                <tr>
                                    <th scope="row">{format!("{} ({})", i + 1, runs.before_servers[i])}</th>
                                    <td>{thousands(count)}</td>
                                    <td>{percent(count as f64 / balance.total.max(1) as f64)}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <svg
                            class="bars"
                            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                            role="img"
                            aria-label=label
                        >
                            <line class="baseline" x1="0" x2=WIDTH.to_string() y1=format!("{:.2}", TOP + plot) y2=format!("{:.2}", TOP + plot) />
                            {bars}
                            <line class="mean" x1="0" x2=WIDTH.to_string() y1=format!("{mean_y:.2}") y2=format!("{mean_y:.2}") />
                        </svg>
                        <p class="stats">
                            {t.busiest}
                            <strong data-stat="max-over-mean">{format!("{:.2}×", balance.max_over_mean())}</strong>
                            {t.the_mean_std_dev}
                            <strong data-stat="std-dev">{thousands(balance.std_dev.round() as u64)}</strong>
                            {(t.keys_of_mean)(&percent(balance.relative_std_dev()))}
                        </p>
                        <details class="counts">
                            <summary>{t.as_table}</summary>
                            <table>
                                <thead>
                                    <tr><th scope="col">{t.server}</th><th scope="col">{t.keys}</th><th scope="col">{t.share}</th></tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </details>
                    }
                })
            }}
        </article>
    }
}
