//! Section 3: keys per server under each scheme, as bar charts on one
//! common scale, with max/mean and standard deviation, and the same numbers
//! as a table for screen readers and exact reading.

use fanout_shared::shard::Scheme;
use leptos::prelude::*;

use super::{
    Lab,
    model::{percent, server_label, thousands},
    text,
};
use crate::i18n::{Lang, use_lang};

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 150.0;
const AXIS: f64 = 18.0;
const TOP: f64 = 6.0;

/// Strings of the balance section.
#[derive(Debug)]
struct BalanceTexts {
    title: &'static str,
    hint: &'static str,
    /// The chart's label: the scheme's title and the counts.
    chart_label: fn(&str, &str) -> String,
    /// A bar's tooltip: server number, address, keys.
    bar_tip: fn(usize, &str, u64) -> String,
    /// "Busiest server: 1.23× the mean · standard deviation 456 keys (1.2% of
    /// the mean)", around the two figures in bold.
    busiest: &'static str,
    the_mean_std_dev: &'static str,
    /// After the standard deviation: the same as a share of the mean.
    keys_of_mean: fn(&str) -> String,
    as_table: &'static str,
    server: &'static str,
    keys: &'static str,
    share: &'static str,
}

const EN: BalanceTexts = BalanceTexts {
    title: "3. Balance: keys per server",
    hint: "Each bar is one server; all charts share one scale. The dashed line is the mean: \
           a perfect scheme puts every bar on it.",
    chart_label: |scheme, counts| format!("Keys per server under {scheme}: {counts}"),
    bar_tip: |number, name, keys| format!("server {number} ({name}): {} keys", thousands(keys)),
    busiest: "Busiest server: ",
    the_mean_std_dev: " the mean · standard deviation ",
    keys_of_mean: |share| format!(" keys ({share} of the mean)"),
    as_table: "Counts as a table",
    server: "Server",
    keys: "Keys",
    share: "Share",
};

const ZH: BalanceTexts = BalanceTexts {
    title: "3. 均衡：每台服务器上的键数",
    hint: "每根柱子代表一台服务器；所有图表使用同一个刻度。虚线是平均值：\
           完美的方案会让每根柱子都正好齐平于虚线。",
    chart_label: |scheme, counts| format!("每台服务器上的键数（{scheme}）：{counts}"),
    bar_tip: |number, name, keys| format!("服务器 {number}（{name}）：{} 个键", thousands(keys)),
    busiest: "最忙的服务器：平均值的 ",
    the_mean_std_dev: " · 标准差 ",
    keys_of_mean: |share| format!(" 个键（平均值的 {share}）"),
    as_table: "以表格显示键数",
    server: "服务器",
    keys: "键数",
    share: "占比",
};

fn texts(lang: Lang) -> &'static BalanceTexts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

#[component]
pub fn BalanceSection(lab: Lab) -> impl IntoView {
    let lang = use_lang();
    let t = move || texts(lang.get());
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
fn SchemeCard(lab: Lab, scheme: Scheme) -> impl IntoView {
    let lang = use_lang();
    let words = move || text::texts(lang.get());
    let title_id = format!("balance-{}", scheme.id());
    let labelled_by = title_id.clone();
    view! {
        <article class="scheme-card" data-scheme=scheme.id() aria-labelledby=labelled_by>
            <h3 id=title_id>{move || (words().title)(scheme)}</h3>
            <p class="explain">{move || (words().explanation)(scheme)}</p>
            {move || {
                let t = texts(lang.get());
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
