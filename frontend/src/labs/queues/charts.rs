//! Charts in plain SVG (no chart library): the π estimate and its error
//! against the number of samples; messages received per second by each
//! node; queue depths per connection and drops over time. Each line is
//! told apart by a label at its end and a dash pattern, not colour alone.
//!
//! The data comes from the runner's samples (taken at fixed virtual-time
//! intervals) and the tally's printed lines, so stepping back redraws
//! exactly what the run looked like then.

use std::f64::consts::PI;

use leptos::prelude::*;

use super::{QueueLab, runner::Sample};

const W: f64 = 380.0;
const H: f64 = 170.0;
const PAD_L: f64 = 44.0;
const PAD_R: f64 = 78.0;
const PAD_T: f64 = 12.0;
const PAD_B: f64 = 30.0;
const DASHES: [&str; 4] = ["", "6 3", "2 3", "8 3 2 3"];
const MAX_POINTS: usize = 400;

#[derive(Clone, Debug, PartialEq)]
struct Series {
    label: String,
    points: Vec<(f64, f64)>,
}

/// Keeps at most `MAX_POINTS` points, evenly, always the last.
fn thin(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    if points.len() <= MAX_POINTS {
        return points;
    }
    let step = points.len() as f64 / MAX_POINTS as f64;
    let mut out: Vec<(f64, f64)> = (0..MAX_POINTS)
        .map(|i| points[(i as f64 * step) as usize])
        .collect();
    if let Some(last) = points.last()
        && out.last() != Some(last)
    {
        out.push(*last);
    }
    out
}

/// The most characters of a series' name that fit right of the plot.
const LABEL_CHARS: usize = 15;

/// A series' name as its end label: cut with "…" past `LABEL_CHARS` (the
/// whole name is the label's tooltip and in the chart's description).
fn end_label(label: &str) -> String {
    match label.char_indices().nth(LABEL_CHARS - 1) {
        Some((cut, _)) if label.chars().count() > LABEL_CHARS => format!("{}…", &label[..cut]),
        _ => label.to_owned(),
    }
}

/// The least vertical distance between two series' end labels (SVG units;
/// the labels are 9 px text).
const LABEL_GAP: f64 = 9.0;

/// Moves the labels' baselines (`(series, y)`) apart to at least `gap`
/// from each other, within `lo..=hi` where they fit, keeping their order
/// by height and each as near its own line's end as it can be.
fn spread_labels(labels: &mut [(usize, f64)], gap: f64, lo: f64, hi: f64) {
    labels.sort_by(|a, b| a.1.total_cmp(&b.1));
    for i in 1..labels.len() {
        labels[i].1 = labels[i].1.max(labels[i - 1].1 + gap);
    }
    if let Some(last) = labels.last_mut() {
        last.1 = last.1.min(hi);
    }
    for i in (0..labels.len().saturating_sub(1)).rev() {
        labels[i].1 = labels[i].1.min(labels[i + 1].1 - gap);
    }
    for label in labels.iter_mut() {
        label.1 = label.1.max(lo);
    }
}

/// Appends `v` with one decimal (`12.3`, `-0.5`), as `{:.1}` would for
/// the chart's coordinates (a few hundred units at most), by integer
/// arithmetic: a chart has thousands of points and is redrawn several
/// times a second while playing, and float formatting was most of its cost.
fn push_tenths(out: &mut String, v: f64) {
    use std::fmt::Write;
    let tenths = (v * 10.0).round();
    if !tenths.is_finite() || tenths.abs() >= 1e15 {
        let _ = write!(out, "{v:.1}");
        return;
    }
    let tenths = tenths as i64;
    if tenths < 0 {
        out.push('-');
    }
    let tenths = tenths.unsigned_abs();
    let _ = write!(out, "{}.{}", tenths / 10, tenths % 10);
}

fn fmt_num(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// A line chart. `log_x`/`log_y` use base-10 scales; `reference` draws a
/// dashed horizontal line with its label.
#[allow(clippy::too_many_arguments)]
fn chart(
    title: String,
    x_label: String,
    series: Vec<Series>,
    log_x: bool,
    log_y: bool,
    y_range: Option<(f64, f64)>,
    reference: Option<(f64, String)>,
    class: &'static str,
) -> impl IntoView {
    let tx = |v: f64| if log_x { v.max(1.0).log10() } else { v };
    let ty = |v: f64| if log_y { v.max(1e-6).log10() } else { v };
    let all: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .collect();
    let (mut x0, mut x1) = (f64::MAX, f64::MIN);
    let (mut y0, mut y1) = (f64::MAX, f64::MIN);
    for (x, y) in &all {
        x0 = x0.min(tx(*x));
        x1 = x1.max(tx(*x));
        y0 = y0.min(ty(*y));
        y1 = y1.max(ty(*y));
    }
    if let Some((lo, hi)) = y_range {
        y0 = ty(lo);
        y1 = ty(hi);
    }
    if all.is_empty() {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if !log_y && y_range.is_none() {
        y0 = y0.min(0.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let sx = move |x: f64| PAD_L + (tx(x) - x0) / (x1 - x0) * (W - PAD_L - PAD_R);
    let sy = move |y: f64| {
        let v = ty(y).clamp(y0, y1);
        H - PAD_B - (v - y0) / (y1 - y0) * (H - PAD_T - PAD_B)
    };
    let untx = |v: f64| if log_x { 10f64.powf(v) } else { v };
    let unty = |v: f64| if log_y { 10f64.powf(v) } else { v };
    // Series often end at the same value (ten subscribers receiving alike):
    // their end labels are spread apart so each stays readable.
    let mut label_ys: Vec<(usize, f64)> = series
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.points.last().map(|&(_, y)| (i, sy(y) + 3.0)))
        .collect();
    spread_labels(&mut label_ys, LABEL_GAP, PAD_T + 6.0, H - PAD_B + 10.0);
    let lines = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut pts = String::with_capacity(s.points.len() * 12);
            for (x, y) in &s.points {
                push_tenths(&mut pts, sx(*x));
                pts.push(',');
                push_tenths(&mut pts, sy(*y));
                pts.push(' ');
            }
            let end = s.points.last().map(|(x, _)| {
                let y = label_ys
                    .iter()
                    .find(|(j, _)| *j == i)
                    .map_or(0.0, |(_, y)| *y);
                (sx(*x), y)
            });
            view! {
                <g class=format!("series s{}", i % 8) data-series=s.label.clone()>
                    <polyline points=pts stroke-dasharray=DASHES[i % DASHES.len()] />
                    {end.map(|(x, y)| view! {
                        <text class="series-label" x=x + 4.0 y=y>
                            <title>{s.label.clone()}</title>
                            {end_label(&s.label)}
                        </text>
                    })}
                </g>
            }
        })
        .collect_view();
    let reference = reference.map(|(v, label)| {
        let y = sy(v);
        view! {
            <g class="reference">
                <line x1=PAD_L x2=W - PAD_R y1=y y2=y />
                <text x=W - PAD_R + 4.0 y=y + 3.0>{label}</text>
            </g>
        }
    });
    let summary = format!(
        "{title}: {}",
        series
            .iter()
            .map(|s| s.label.clone())
            .collect::<Vec<_>>()
            .join(", ")
    );
    view! {
        <figure class=format!("chart {class}")>
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=summary>
                <line class="axis" x1=PAD_L x2=W - PAD_R y1=H - PAD_B y2=H - PAD_B />
                <line class="axis" x1=PAD_L x2=PAD_L y1=PAD_T y2=H - PAD_B />
                <text class="tick" x=PAD_L - 4.0 y=H - PAD_B text-anchor="end">{fmt_num(unty(y0))}</text>
                <text class="tick" x=PAD_L - 4.0 y=PAD_T + 8.0 text-anchor="end">{fmt_num(unty(y1))}</text>
                <text class="tick" x=PAD_L y=H - PAD_B + 12.0>{fmt_num(untx(x0))}</text>
                <text class="tick" x=W - PAD_R y=H - PAD_B + 12.0 text-anchor="end">{fmt_num(untx(x1))}</text>
                <text class="axis-title" x=(PAD_L + W - PAD_R) / 2.0 y=H - 4.0 text-anchor="middle">{x_label}</text>
                {reference}
                {lines}
            </svg>
        </figure>
    }
}

/// The tally's count and estimate, as the chapter's program prints them.
#[component]
pub fn PiReadout(lab: QueueLab) -> impl IntoView {
    let t = move || lab.texts();
    move || {
        lab.snap.with(|s| {
            s.tally.clone().map(|tally| {
                let est = tally.estimate.map(|e| e.to_string()).unwrap_or_else(|| "—".into());
                let error = tally.estimate.map(|e| format!("{:.4}", (e - PI).abs()));
                view! {
                    <p
                        class="pi-readout"
                        data-q=tally.q.to_string()
                        data-p=tally.p.to_string()
                        data-pi=est.clone()
                    >
                        <span class="tally-node">{tally.node.clone()}</span>
                        <span class="tally-count">{(t().samples_n)(tally.q, tally.yes, tally.no)}</span>
                        <span class="tally-pi">"π ≈ " <output class="pi-value">{est.clone()}</output></span>
                        {error.map(|e| view! { <span class="tally-error">{(t().pi_error)(&e)}</span> })}
                    </p>
                }
            })
        })
    }
}

#[component]
pub fn Charts(lab: QueueLab) -> impl IntoView {
    let t = move || lab.texts();
    let data = move || {
        lab.charts_rev.track();
        lab.with_local(|r| {
            let names: Vec<String> = r
                .timeline()
                .sim()
                .topology()
                .nodes
                .iter()
                .map(|n| n.name.clone())
                .collect();
            let labels: Vec<String> = r
                .timeline()
                .sim()
                .topology()
                .conns
                .iter()
                .map(|c| {
                    let sim = r.timeline().sim();
                    let a = sim.socket_label(c.connecter);
                    let b = c.binder.map_or("—".into(), |x| sim.socket_label(x));
                    format!("{}→{}", short_label(&a), short_label(&b))
                })
                .collect();
            (
                r.pi_points().to_vec(),
                r.samples().to_vec(),
                r.bucket(),
                names,
                labels,
            )
        })
    };
    view! {
        <section class="panel charts" aria-labelledby="queue-charts-title">
            <h2 id="queue-charts-title">{move || t().charts_title}</h2>
            {move || {
                let Some((pi, samples, bucket, names, conn_labels)) = data() else {
                    return ().into_any();
                };
                let tx = t();
                let mut out = Vec::new();
                if !pi.is_empty() {
                    let est: Vec<(f64, f64)> = pi
                        .iter()
                        .map(|p| (p.q as f64, p.p as f64 / p.q.max(1) as f64))
                        .collect();
                    let err: Vec<(f64, f64)> = est.iter().map(|(q, e)| (*q, (e - PI).abs().max(1e-5))).collect();
                    let expected: Vec<(f64, f64)> = est
                        .iter()
                        .map(|(q, _)| (*q, (PI * (4.0 - PI) / q.max(1.0)).sqrt()))
                        .collect();
                    out.push(
                        chart(
                            tx.pi_chart.into(),
                            tx.samples_axis.into(),
                            vec![Series { label: tx.estimate.into(), points: thin(est) }],
                            true,
                            false,
                            Some((2.4, 4.0)),
                            Some((PI, "π".into())),
                            "pi-chart",
                        )
                        .into_any(),
                    );
                    out.push(
                        chart(
                            tx.error_chart.into(),
                            tx.samples_axis.into(),
                            vec![
                                Series { label: tx.error.into(), points: thin(err) },
                                Series { label: "≈1.64/√n".into(), points: thin(expected) },
                            ],
                            true,
                            true,
                            None,
                            None,
                            "error-chart",
                        )
                        .into_any(),
                    );
                }
                if samples.len() >= 2 {
                    out.push(throughput(&samples, bucket, &names, tx).into_any());
                    out.push(depths(&samples, bucket, &conn_labels, tx).into_any());
                    out.push(drops(&samples, tx).into_any());
                } else {
                    out.push(view! { <p class="hint">{tx.charts_wait}</p> }.into_any());
                }
                view! { <div class="chart-grid">{out}</div> }.into_any()
            }}
        </section>
    }
}

fn short_label(label: &str) -> String {
    label
        .split('.')
        .next()
        .unwrap_or(label)
        .chars()
        .take(12)
        .collect()
}

fn secs(s: &Sample) -> f64 {
    s.time.as_secs_f64()
}

/// How many sampling intervals the rate and depth charts average over.
/// Sample by sample, a node that receives a message every few intervals
/// reads 0 and then a peak, and every line saws between them; over ten
/// intervals the line shows the rate a learner means. The chart's title
/// says how long that window is (it doubles with the sampling interval as
/// the run grows).
const SMOOTHING: usize = 10;

/// The averaging window of the rate and depth charts, in seconds of
/// virtual time.
fn smoothing_window(bucket: fanout_shared::time::Tick) -> f64 {
    bucket.as_secs_f64() * SMOOTHING as f64
}

/// Messages per second received by node `node` at each sample after the
/// first, averaged over the `SMOOTHING` intervals before it (fewer at the
/// start): messages received in the window over the window's length.
fn smoothed_rate(samples: &[Sample], node: usize, min_width: f64) -> Vec<(f64, f64)> {
    let received = |s: &Sample| s.received.get(node).copied().unwrap_or(0);
    (1..samples.len())
        .map(|i| {
            let (from, to) = (&samples[i.saturating_sub(SMOOTHING)], &samples[i]);
            let dt = (secs(to) - secs(from)).max(min_width);
            (
                secs(to),
                received(to).saturating_sub(received(from)) as f64 / dt,
            )
        })
        .collect()
}

/// Messages queued on connection `conn` at each sample, averaged over the
/// last `SMOOTHING` samples (fewer at the start).
fn smoothed_depth(samples: &[Sample], conn: usize) -> Vec<(f64, f64)> {
    let depth = |s: &Sample| f64::from(s.depth.get(conn).copied().unwrap_or(0));
    (0..samples.len())
        .map(|i| {
            let window = &samples[(i + 1).saturating_sub(SMOOTHING)..=i];
            let mean = window.iter().map(depth).sum::<f64>() / window.len() as f64;
            (secs(&samples[i]), mean)
        })
        .collect()
}

fn throughput(
    samples: &[Sample],
    bucket: fanout_shared::time::Tick,
    names: &[String],
    tx: &super::text::Texts,
) -> impl IntoView {
    let width = bucket.as_secs_f64().max(1e-6);
    let mut series: Vec<Series> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let points = smoothed_rate(samples, i, width);
        if points.iter().any(|(_, v)| *v > 0.0) {
            series.push(Series {
                label: name.chars().take(12).collect(),
                points: thin(points),
            });
        }
    }
    series.truncate(8);
    chart(
        (tx.throughput_chart)(smoothing_window(bucket)),
        tx.time_axis.into(),
        series,
        false,
        false,
        None,
        None,
        "throughput-chart",
    )
}

fn depths(
    samples: &[Sample],
    bucket: fanout_shared::time::Tick,
    labels: &[String],
    tx: &super::text::Texts,
) -> impl IntoView {
    let conns = samples.iter().map(|s| s.depth.len()).max().unwrap_or(0);
    let mut ranked: Vec<(u32, usize)> = (0..conns)
        .map(|c| {
            (
                samples
                    .iter()
                    .map(|s| s.depth.get(c).copied().unwrap_or(0))
                    .max()
                    .unwrap_or(0),
                c,
            )
        })
        .filter(|(m, _)| *m > 0)
        .collect();
    ranked.sort_by(|a, b| b.cmp(a));
    let series: Vec<Series> = ranked
        .into_iter()
        .take(5)
        .map(|(_, c)| Series {
            label: labels.get(c).cloned().unwrap_or_else(|| format!("#{c}")),
            points: thin(smoothed_depth(samples, c)),
        })
        .collect();
    chart(
        (tx.depth_chart)(smoothing_window(bucket)),
        tx.time_axis.into(),
        series,
        false,
        false,
        None,
        None,
        "depth-chart",
    )
}

fn drops(samples: &[Sample], tx: &super::text::Texts) -> impl IntoView {
    use fanout_shared::sim::DropReason;
    let series: Vec<Series> = DropReason::ALL
        .into_iter()
        .filter(|r| samples.last().is_some_and(|s| s.drops.get(*r) > 0))
        .map(|r| Series {
            label: (tx.drop_reason_short)(r).to_string(),
            points: thin(
                samples
                    .iter()
                    .map(|s| (secs(s), s.drops.get(r) as f64))
                    .collect(),
            ),
        })
        .collect();
    let title = if series.is_empty() {
        tx.no_drops_chart.to_string()
    } else {
        tx.drops_chart.to_string()
    };
    chart(
        title,
        tx.time_axis.into(),
        series,
        false,
        false,
        None,
        None,
        "drops-chart",
    )
}

#[cfg(test)]
mod tests {
    #[wasm_bindgen_test::wasm_bindgen_test]
    fn long_series_names_are_cut_to_fit_beside_the_plot() {
        assert_eq!(super::end_label("sub-9→publisher"), "sub-9→publisher");
        assert_eq!(super::end_label("dropped: no peer"), "dropped: no pe…");
        assert_eq!(
            super::end_label("not sent: no subscriber"),
            "not sent: no s…"
        );
        assert_eq!(super::end_label("ünïcödé-and-more-x"), "ünïcödé-and-mo…");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn end_labels_at_one_height_are_spread_apart_within_the_chart() {
        let mut labels: Vec<(usize, f64)> = (0..10).map(|i| (i, 140.0)).collect();
        super::spread_labels(&mut labels, 9.0, 18.0, 150.0);
        labels.sort_by(|a, b| a.1.total_cmp(&b.1));
        for pair in labels.windows(2) {
            assert!(pair[1].1 - pair[0].1 >= 9.0 - 1e-9, "{labels:?}");
        }
        assert!(
            labels.iter().all(|(_, y)| (18.0..=150.0).contains(y)),
            "{labels:?}"
        );
        // Labels already apart stay where they are.
        let mut apart = vec![(0, 40.0), (1, 100.0)];
        super::spread_labels(&mut apart, 9.0, 18.0, 150.0);
        assert_eq!(apart, vec![(0, 40.0), (1, 100.0)]);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn coordinates_are_written_with_one_decimal() {
        for v in [0.0, 0.04, 0.96, 1.25, 12.34, 379.99, -0.5, -3.21, 1e20] {
            let mut out = String::new();
            super::push_tenths(&mut out, v);
            let read: f64 = out.parse().unwrap();
            assert!(
                (read - v).abs() <= 0.05 + 1e-9 || v.abs() >= 1e15,
                "{v}: {out}"
            );
            assert_eq!(out.split('.').nth(1).map(str::len), Some(1), "{v}: {out}");
        }
        let mut out = String::new();
        super::push_tenths(&mut out, f64::NAN);
        assert_eq!(out, "NaN");
    }

    /// A node that receives a message every fourth sample (10 ms apart):
    /// sample by sample its rate saws between 0 and 100/s; averaged over
    /// `SMOOTHING` intervals it stays near the 25/s it receives, and a
    /// connection whose queue fills and empties reads its mean depth.
    #[wasm_bindgen_test::wasm_bindgen_test]
    fn rates_and_depths_are_averaged_over_the_window_not_sawtoothed() {
        use fanout_shared::time::Tick;
        let samples: Vec<super::Sample> = (0..80u64)
            .map(|i| super::Sample {
                step: i,
                time: Tick::from_millis(10 * i),
                received: vec![i / 4],
                sent: vec![0],
                depth: vec![if i % 4 == 0 { 4 } else { 0 }],
                drops: Default::default(),
            })
            .collect();
        let rates = super::smoothed_rate(&samples, 0, 0.01);
        let settled: Vec<f64> = rates[super::SMOOTHING..].iter().map(|p| p.1).collect();
        let (lo, hi) = settled
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        assert!(lo > 19.9 && hi < 30.1, "{settled:?}");
        let depths = super::smoothed_depth(&samples, 0);
        for (_, mean) in &depths[super::SMOOTHING..] {
            assert!((0.8..=1.2).contains(mean), "{depths:?}");
        }
        assert!((super::smoothing_window(Tick::from_millis(10)) - 0.1).abs() < 1e-9);
    }
}
