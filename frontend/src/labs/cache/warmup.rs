//! Section 3: the chapter's warm-up experiment. Ten successive runs of
//! 2,000 `compute_square` requests: the server runs them next to a real
//! node (so the browser's latency does not distort the times), or, offline,
//! the model runs them on virtual time. Each run comes back as a
//! `warmup_run` frame; the lab charts its time (and the part of it spent
//! computing, misses × cost) and its hit ratio, prints the times as the
//! chapter's program does, and says why the curve falls or levels off.

use fanout_shared::{
    cache::warmup::{CHAPTER, MAX_COST_MS, MAX_N, MAX_REQUESTS, MAX_RUNS},
    protocol::{
        CacheFrame, CacheLimit, CacheNodeRef, ClientFrame, ServerFrame, WarmupCancel, WarmupFrame,
        WarmupStart,
    },
};
use leptos::{prelude::*, task::spawn_local};

use super::{
    CacheLab,
    backend::{Backend, LabError, Mode},
    format_bytes, model, percent,
    text::Texts,
    tryit::NodeSelect,
};

/// The "small cache" choice: fewer than 900 of the 5,001 squares fit.
pub const SMALL_LIMIT: u64 = 64 << 10;
/// The "large cache" choice: the server's default, every square fits.
pub const LARGE_LIMIT: u64 = 64 << 20;

/// One finished run, as `warmup_run` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub run: u32,
    pub requests: u32,
    pub hits: u32,
    pub misses: u32,
    pub elapsed_us: u64,
    pub compute_ms: u64,
    pub evictions: u64,
    pub items: u64,
    pub limit_bytes: u64,
}

impl Run {
    pub fn ratio(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            f64::from(self.hits) / f64::from(self.requests)
        }
    }

    pub fn seconds(&self) -> f64 {
        self.elapsed_us as f64 / 1e6
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Starting,
    Running,
    Done,
    Cancelled,
    /// The link went down mid-experiment (the server stops it).
    Interrupted,
}

/// Where the experiment is, with the numbers its status line gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Idle,
    Starting,
    /// Run `run` of `runs` is under way.
    Running {
        run: u32,
        runs: u32,
    },
    Done {
        runs: u32,
    },
    Cancelled {
        runs: u32,
    },
    Interrupted,
}

impl Phase {
    /// The progress of an experiment of `runs` runs with `done` finished.
    fn progress(self, done: u32, runs: u32) -> Progress {
        match self {
            Phase::Idle => Progress::Idle,
            Phase::Starting => Progress::Starting,
            Phase::Running => Progress::Running {
                run: done + 1,
                runs,
            },
            Phase::Done => Progress::Done { runs: done },
            Phase::Cancelled => Progress::Cancelled { runs: done },
            Phase::Interrupted => Progress::Interrupted,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Starting => "starting",
            Phase::Running => "running",
            Phase::Done => "done",
            Phase::Cancelled => "cancelled",
            Phase::Interrupted => "interrupted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Memory {
    Keep,
    Large,
    Small,
}

/// The experiment as started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Started {
    node: usize,
    runs: u32,
    requests: u32,
    max_n: u32,
    cost_ms: u32,
}

#[component]
pub fn WarmupSection(lab: CacheLab) -> impl IntoView {
    let t = move || lab.texts();
    let node = RwSignal::new(0usize);
    let runs = RwSignal::new(CHAPTER.runs.to_string());
    let requests = RwSignal::new(CHAPTER.requests.to_string());
    let max_n = RwSignal::new(CHAPTER.max_n.to_string());
    let cost = RwSignal::new(CHAPTER.cost_ms.to_string());
    let flush_first = RwSignal::new(true);
    let memory = RwSignal::new(Memory::Keep);
    let phase = RwSignal::new(Phase::Idle);
    let started = RwSignal::new(None::<Started>);
    let rows = RwSignal::new(Vec::<Run>::new());
    let error = RwSignal::new(None::<String>);

    let on_frame = move |frame: &ServerFrame| match frame {
        ServerFrame::WarmupRun {
            node,
            run,
            requests,
            hits,
            misses,
            elapsed_us,
            compute_ms,
            evictions,
            items,
            limit_bytes,
            ..
        } if phase.get_untracked() == Phase::Running
            && started.get_untracked().map(|s| s.node) == Some(*node) =>
        {
            rows.update(|rows| {
                rows.push(Run {
                    run: *run,
                    requests: *requests,
                    hits: *hits,
                    misses: *misses,
                    elapsed_us: *elapsed_us,
                    compute_ms: *compute_ms,
                    evictions: *evictions,
                    items: *items,
                    limit_bytes: *limit_bytes,
                });
            });
        }
        ServerFrame::WarmupDone {
            cancelled,
            id: None,
            ..
        } if phase.get_untracked() == Phase::Running => {
            phase.set(if *cancelled {
                Phase::Cancelled
            } else {
                Phase::Done
            });
        }
        _ => {}
    };
    let server = lab.server();
    server.listen(move |frame| {
        if lab.mode.try_get_untracked() == Some(Mode::Live) {
            on_frame(frame);
        }
    });
    model::model().listen(move |frame| {
        if lab.mode.try_get_untracked() == Some(Mode::Offline) {
            on_frame(frame);
        }
    });
    // The experiment belongs to the link it was started on.
    Effect::new(move |previous: Option<Mode>| {
        let mode = lab.mode.get();
        if previous.is_some_and(|previous| previous != mode)
            && matches!(phase.get_untracked(), Phase::Running | Phase::Starting)
        {
            phase.set(Phase::Interrupted);
        }
        mode
    });

    let start = move || {
        let Some(backend) = lab.backend() else {
            return;
        };
        let texts = lab.texts_untracked();
        error.set(None);
        let parse = |signal: RwSignal<String>, low: u32, high: u32, label: &str| {
            let text = signal.get_untracked();
            match text.trim().parse::<u32>() {
                Ok(value) if (low..=high).contains(&value) => Ok(value),
                _ => Err((texts.out_of_range)(label, &text, low, high)),
            }
        };
        let parsed = (|| {
            Ok::<_, String>(Started {
                node: node.get_untracked(),
                runs: parse(runs, 1, MAX_RUNS, texts.runs_label)?,
                requests: parse(requests, 1, MAX_REQUESTS, texts.requests_label)?,
                max_n: parse(max_n, 1, MAX_N, texts.max_n_label)?,
                cost_ms: parse(cost, 0, MAX_COST_MS, texts.cost_label)?,
            })
        })();
        let plan = match parsed {
            Ok(plan) => plan,
            Err(message) => {
                error.set(Some(message));
                return;
            }
        };
        phase.set(Phase::Starting);
        rows.set(Vec::new());
        started.set(Some(plan));
        let limit = match memory.get_untracked() {
            Memory::Keep => None,
            Memory::Large => Some(LARGE_LIMIT),
            Memory::Small => Some(SMALL_LIMIT),
        };
        let flush = flush_first.get_untracked();
        spawn_local(async move {
            match begin(backend, plan, limit, flush).await {
                Ok(conn) => {
                    lab.warmup_conn.try_set(Some(conn));
                    if phase.try_get_untracked() == Some(Phase::Starting) {
                        phase.try_set(Phase::Running);
                    }
                }
                Err(problem) => {
                    phase.try_set(Phase::Idle);
                    error.try_set(Some(lab.describe(&problem)));
                }
            }
        });
    };
    let cancel = move |_| {
        let Some(backend) = lab.backend() else {
            return;
        };
        spawn_local(async move {
            let answer = backend
                .request(ClientFrame::Warmup(WarmupFrame::Cancel(WarmupCancel {
                    id: None,
                })))
                .await;
            match answer {
                Ok(ServerFrame::WarmupDone { .. }) => {
                    phase.try_set(Phase::Cancelled);
                }
                Ok(_) => {}
                // Finished just before the cancel arrived: nothing to say.
                Err(LabError::ServerRefused { .. } | LabError::ModelRefused(_))
                    if phase.try_get_untracked() != Some(Phase::Running) => {}
                Err(problem) => {
                    error.try_set(Some(lab.describe(&problem)));
                }
            }
        });
    };
    let running = move || matches!(phase.get(), Phase::Running | Phase::Starting);

    let number_input =
        move |signal: RwSignal<String>, label: fn(&Texts) -> &'static str, name: &'static str| {
            view! {
                <label>
                    <span>{move || label(t())}</span>
                    <input
                        type="text"
                        inputmode="numeric"
                        size="6"
                        name=name
                        disabled=running
                        prop:value=move || signal.get()
                        on:input=move |ev| signal.set(event_target_value(&ev))
                    />
                </label>
            }
        };
    let memory_choice = move |choice: Memory, label: fn(&Texts) -> String| {
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="warmup-memory"
                    value=match choice {
                        Memory::Keep => "keep",
                        Memory::Large => "large",
                        Memory::Small => "small",
                    }
                    disabled=running
                    prop:checked=move || memory.get() == choice
                    on:change=move |_| memory.set(choice)
                />
                {move || label(t())}
            </label>
        }
    };

    view! {
        <section
            class="panel warmup"
            aria-labelledby="cache-warmup-title"
            data-testid="warmup"
            data-phase=move || phase.get().key()
        >
            <h2 id="cache-warmup-title">{move || t().warmup_title}</h2>
            <p class="hint">{move || t().warmup_intro}</p>
            <pre class="listing"><code>{LISTING}</code></pre>
            <p class="hint where">
                {move || match lab.mode.get() {
                    Mode::Offline => t().warmup_offline,
                    Mode::Live | Mode::Waiting => t().warmup_live,
                }}
            </p>
            <form
                class="warmup-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    start();
                }
            >
                <div class="fields">
                    <NodeSelect lab selected=node label=|t| t.node_label />
                    {number_input(runs, |t| t.runs_label, "runs")}
                    {number_input(requests, |t| t.requests_label, "requests")}
                    {number_input(max_n, |t| t.max_n_label, "max_n")}
                    {number_input(cost, |t| t.cost_label, "cost_ms")}
                </div>
                <fieldset disabled=running>
                    <legend>{move || t().memory_legend}</legend>
                    {memory_choice(Memory::Keep, |t| t.memory_keep.to_owned())}
                    {memory_choice(Memory::Large, |t| (t.memory_large)(&format_bytes(LARGE_LIMIT)))}
                    {memory_choice(Memory::Small, |t| (t.memory_small)(&format_bytes(SMALL_LIMIT)))}
                </fieldset>
                <label class="choice">
                    <input
                        type="checkbox"
                        name="flush-first"
                        disabled=running
                        prop:checked=move || flush_first.get()
                        on:change=move |ev| flush_first.set(event_target_checked(&ev))
                    />
                    {move || t().flush_first}
                </label>
                <div class="buttons">
                    <button type="submit" class="primary start" disabled=move || running() || !lab.ready()>
                        {move || t().warmup_start}
                    </button>
                    <button type="button" class="cancel" disabled=move || !running() on:click=cancel>
                        {move || t().warmup_cancel}
                    </button>
                    <span class="status" role="status">
                        {move || {
                            let done = rows.with(Vec::len) as u32;
                            let total = started.get().map_or(0, |s| s.runs);
                            (t().progress)(phase.get().progress(done, total))
                        }}
                    </span>
                </div>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get()}</p>
            </Show>
            <Show when=move || !rows.with(Vec::is_empty)>
                <Results lab rows started phase />
            </Show>
        </section>
    }
}

/// Limit, flush, then start: the answer carries the experiment's
/// connection number.
async fn begin(
    backend: Backend,
    plan: Started,
    limit: Option<u64>,
    flush: bool,
) -> Result<u64, LabError> {
    if let Some(bytes) = limit {
        backend
            .request(ClientFrame::Cache(CacheFrame::Limit(CacheLimit {
                node: plan.node,
                bytes,
                id: None,
            })))
            .await?;
    }
    if flush {
        backend
            .request(ClientFrame::Cache(CacheFrame::Flush(CacheNodeRef {
                node: plan.node,
                id: None,
            })))
            .await?;
    }
    let answer = backend
        .request(ClientFrame::Warmup(WarmupFrame::Start(WarmupStart {
            node: plan.node,
            runs: Some(plan.runs),
            requests: Some(plan.requests),
            max_n: Some(plan.max_n),
            cost_ms: Some(plan.cost_ms),
            seed: None,
            id: None,
        })))
        .await?;
    match answer {
        ServerFrame::WarmupStarted { conn, .. } => Ok(conn),
        _ => Err(LabError::Disconnected),
    }
}

/// The chapter's listing, for reference beside the chart.
const LISTING: &str = "def compute_square(mc, n):
    value = mc.get('sq:%d' % n)
    if value is None:
        time.sleep(0.001)  # pretend that computing a square is expensive
        value = n * n
        mc.set('sq:%d' % n, value)
    return value";

#[component]
fn Results(
    lab: CacheLab,
    rows: RwSignal<Vec<Run>>,
    started: RwSignal<Option<Started>>,
    phase: RwSignal<Phase>,
) -> impl IntoView {
    let t = move || lab.texts();
    let python_line = move || {
        let rows = rows.get();
        let times: Vec<_> = rows
            .iter()
            .map(|run| format!("{:.2}s", run.seconds()))
            .collect();
        format!(
            "{}\n {}",
            (t().successive_runs)(started.get().map_or(0, |s| s.runs)),
            times.join(" ")
        )
    };
    let explanation = move || {
        if phase.get() != Phase::Done {
            return None;
        }
        let rows = rows.get();
        let (first, last) = (rows.first()?, rows.last()?);
        let plan = started.get()?;
        Some(if last.evictions > 0 {
            (t().plateau)(
                &percent(last.ratio()),
                last.items,
                &format_bytes(last.limit_bytes),
                u64::from(plan.max_n) + 1,
                last.evictions,
            )
        } else {
            (t().warming)(
                first.misses,
                last.misses,
                plan.requests,
                &percent(last.ratio()),
                plan.cost_ms,
            )
        })
    };
    view! {
        <div class="warmup-results">
            <Chart lab rows started />
            <pre class="python-output" data-testid="warmup-output">{python_line}</pre>
            <div class="table-scroll">
                <table class="runs">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().col_run}</th>
                            <th scope="col">{move || t().col_time}</th>
                            <th scope="col">{move || t().col_compute}</th>
                            <th scope="col">{move || t().col_hits}</th>
                            <th scope="col">{move || t().col_misses}</th>
                            <th scope="col">{move || t().col_ratio}</th>
                            <th scope="col">{move || t().col_evictions}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|run| run.run let:run>
                            <tr
                                data-run=run.run
                                data-hits=run.hits
                                data-misses=run.misses
                                data-ratio=format!("{:.4}", run.ratio())
                                data-elapsed-us=run.elapsed_us
                                data-compute-ms=run.compute_ms
                                data-evictions=run.evictions
                            >
                                <th scope="row">{run.run}</th>
                                <td>{format!("{:.2} s", run.seconds())}</td>
                                <td>{format!("{:.2} s", run.compute_ms as f64 / 1000.0)}</td>
                                <td>{run.hits}</td>
                                <td>{run.misses}</td>
                                <td>{percent(run.ratio())}</td>
                                <td>{run.evictions}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
            {move || explanation().map(|text| view! { <p class="explain" data-testid="warmup-explain">{text}</p> })}
        </div>
    }
}

/// Time per run as bars (the computing part darker) and the hit ratio as
/// a line, in plain SVG.
#[component]
fn Chart(
    lab: CacheLab,
    rows: RwSignal<Vec<Run>>,
    started: RwSignal<Option<Started>>,
) -> impl IntoView {
    const W: f64 = 600.0;
    const H: f64 = 260.0;
    const LEFT: f64 = 52.0;
    const RIGHT: f64 = 52.0;
    const TOP: f64 = 14.0;
    const BOTTOM: f64 = 34.0;
    let t = move || lab.texts();
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let slots = move || {
        started
            .get()
            .map_or(10, |s| s.runs)
            .max(rows.with(Vec::len) as u32)
            .max(1)
    };
    // A round top for the time axis.
    let top_seconds = move || {
        let most = rows.with(|rows| rows.iter().map(Run::seconds).fold(0.0, f64::max));
        nice_ceiling(most.max(0.01))
    };
    let band = move || plot_w / f64::from(slots());
    let y_time = move |seconds: f64| TOP + plot_h - seconds / top_seconds() * plot_h;
    let y_ratio = move |ratio: f64| TOP + plot_h - ratio * plot_h;

    let bars = move || {
        let band = band();
        rows.get()
            .into_iter()
            .map(|run| {
                let x = LEFT + f64::from(run.run - 1) * band + band * 0.18;
                let width = band * 0.64;
                let y = y_time(run.seconds());
                let compute_y = y_time((run.compute_ms as f64 / 1000.0).min(run.seconds()));
                view! {
                    <g class="bar" data-run=run.run>
                        <rect class="time" x=x y=y width=width height=(TOP + plot_h - y).max(0.0)>
                            <title>{format!("{:.2} s", run.seconds())}</title>
                        </rect>
                        <rect class="compute" x=x y=compute_y width=width height=(TOP + plot_h - compute_y).max(0.0) />
                    </g>
                }
            })
            .collect_view()
    };
    let ratio_line = move || {
        let band = band();
        rows.get()
            .iter()
            .map(|run| {
                format!(
                    "{:.1},{:.1}",
                    LEFT + (f64::from(run.run) - 0.5) * band,
                    y_ratio(run.ratio())
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let dots = move || {
        let band = band();
        rows.get()
            .into_iter()
            .map(|run| {
                view! {
                    <circle
                        class="ratio-dot"
                        cx=LEFT + (f64::from(run.run) - 0.5) * band
                        cy=y_ratio(run.ratio())
                        r="3.5"
                    />
                }
            })
            .collect_view()
    };
    let x_labels = move || {
        let band = band();
        (1..=slots())
            .map(|run| {
                view! {
                    <text class="axis-label" x=LEFT + (f64::from(run) - 0.5) * band y=TOP + plot_h + 16.0 text-anchor="middle">
                        {run}
                    </text>
                }
            })
            .collect_view()
    };
    let y_labels = move || {
        let top = top_seconds();
        [0.0, 0.5, 1.0]
            .into_iter()
            .map(|fraction| {
                let y = TOP + plot_h - fraction * plot_h;
                view! {
                    <line class="grid" x1=LEFT y1=y x2=LEFT + plot_w y2=y />
                    <text class="axis-label" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">
                        {format!("{:.2}s", top * fraction)}
                    </text>
                    <text class="axis-label ratio" x=LEFT + plot_w + 6.0 y=y + 4.0 text-anchor="start">
                        {format!("{:.0}%", fraction * 100.0)}
                    </text>
                }
            })
            .collect_view()
    };

    view! {
        <figure class="warmup-chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=move || t().chart_label>
                {y_labels}
                {bars}
                <polyline class="ratio-line" points=ratio_line />
                {dots}
                {x_labels}
                <text class="axis-title" x=LEFT + plot_w / 2.0 y=H - 4.0 text-anchor="middle">
                    {move || t().axis_run}
                </text>
            </svg>
            <figcaption class="legend">
                <span class="swatch time"></span>
                {move || t().legend_time}
                <span class="swatch compute"></span>
                {move || t().legend_compute}
                <span class="swatch ratio"></span>
                {move || t().legend_ratio}
            </figcaption>
        </figure>
    }
}

/// 1, 2 or 5 times a power of ten, at least `value`.
fn nice_ceiling(value: f64) -> f64 {
    let power = 10f64.powf(value.log10().floor());
    for step in [1.0, 2.0, 5.0, 10.0] {
        if step * power >= value {
            return step * power;
        }
    }
    10.0 * power
}
