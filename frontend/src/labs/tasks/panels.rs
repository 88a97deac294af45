//! The Tasks view's panels: each reads the shared `TasksView` through the
//! lab's signals and draws one kind of fact. `data-testid`s name what the
//! browser test looks for.

use fanout_shared::celery::{Step, TaskMessage, TimeFact, WorkerStatus, task_times};
use leptos::prelude::*;

use super::{NodeLink, TasksLab};

/// Seconds from `now` to `at` (negative once passed).
fn seconds_until(at: u64, now: u64) -> i64 {
    (at as i64 - now as i64).div_euclid(1000)
}

/// A moment as this browser's local time of day, to the millisecond.
fn clock_time(ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds(),
        date.get_milliseconds()
    )
}

/// A duration in seconds, as Flower shows a runtime.
fn seconds(ms: u64) -> String {
    format!("{:.3} s", ms as f64 / 1000.0)
}

/// One of Flower's time columns: derived values marked, and said so on
/// hover.
fn time_cell(lab: TasksLab, fact: Option<TimeFact>, show: fn(u64) -> String) -> impl IntoView {
    let t = lab.texts();
    fact.map(|fact| {
        let mark = if fact.derived {
            format!("{} ", t.derived_mark)
        } else {
            String::new()
        };
        view! {
            <span class:derived=fact.derived data-derived=fact.derived.to_string()
                title=fact.derived.then_some(t.derived_title)>
                {mark}{show(fact.ms)}
            </span>
        }
    })
}

/// Where to point Celery, the two commands, the visibility timeout, and
/// `--redis off` said plainly.
#[component]
pub fn Connect(lab: TasksLab) -> impl IntoView {
    let t = move || lab.texts();
    move || match lab.node.get() {
        NodeLink::RedisOff => view! {
            <p class="notice offline" data-testid="redis-off">{t().redis_off}</p>
        }
        .into_any(),
        NodeLink::Waiting => {
            view! { <p data-testid="tasks-node" data-state="waiting" hidden></p> }.into_any()
        }
        NodeLink::Watching { redis } => {
            let shown = redis.clone();
            view! {
                <div class="notice live" data-testid="tasks-node" data-state="watching">
                    <p>{move || (t().point_here)(&shown)}</p>
                    <p>{move || t().run_worker} " "
                        <code>"celery -A celery_tasks worker --pool solo"</code></p>
                    <p>{move || t().send_task} " "
                        <code>"python3 -c \"from celery_tasks import add; print(add.delay(2, 3).get(timeout=10))\""</code>
                        " (" <a href="/clients/celery_tasks.py">{move || t().example}</a> ")"</p>
                    <p class="hint">{move || t().heartbeats_hint}</p>
                    <p class="hint">
                        {move || t().visibility_label} ": "
                        <input type="number" min="1" data-testid="visibility"
                            prop:value=move || (lab.view.with(|view| view.visibility_ms()) / 1000).to_string()
                            on:change=move |event| {
                                if let Ok(seconds) = event_target_value(&event).parse::<f64>()
                                    && seconds > 0.0 {
                                    lab.view.update(|view| view.set_visibility_ms((seconds * 1000.0) as u64));
                                }
                            } />
                        " " {move || t().visibility_hint}
                    </p>
                    <Show when=move || lab.resynced.get()>
                        <p class="hint">{move || t().resynced}</p>
                    </Show>
                </div>
            }
            .into_any()
        }
    }
}

#[component]
pub fn Workers(lab: TasksLab) -> impl IntoView {
    let t = move || lab.texts();
    view! {
        <section class="tasks-panel" data-testid="workers">
            <h2>{move || t().workers_title}</h2>
            {move || {
                let now = lab.now.get();
                let workers = lab.view.with(|view| view.workers(now));
                if workers.is_empty() {
                    return view! { <p class="hint">{t().no_workers}</p> }.into_any();
                }
                view! {
                    <div class="table-scroll"><table>
                        <thead><tr>
                            <th>{t().worker}</th><th>{t().status}</th><th>{t().last_seen}</th>
                            <th>{t().active}</th><th>{t().processed}</th><th>{t().software}</th>
                        </tr></thead>
                        <tbody>
                            {workers.into_iter().map(|worker| {
                                let status = worker.status;
                                let class = match status {
                                    WorkerStatus::Online => "ok",
                                    WorkerStatus::Lost | WorkerStatus::Offline => "bad",
                                };
                                view! {
                                    <tr data-worker=worker.hostname.clone() data-status=format!("{status:?}").to_lowercase()>
                                        <td><code>{worker.hostname.clone()}</code></td>
                                        <td class=class>{(t().worker_status)(status)}</td>
                                        <td>{(t().ago)(now.saturating_sub(worker.last_seen) / 1000)}</td>
                                        <td>{worker.active}</td>
                                        <td>{worker.processed}</td>
                                        <td>{worker.software.clone()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }
                .into_any()
            }}
        </section>
    }
}

fn message_cell(message: &TaskMessage) -> impl IntoView + use<> {
    view! {
        <span class="task-message" data-task-id=message.id.clone()>
            <strong>{message.task.clone()}</strong>
            {format!("{} ", message.args)}
            <code class="task-id">{message.id.clone()}</code>
        </span>
    }
}

#[component]
pub fn Queues(lab: TasksLab) -> impl IntoView {
    let t = move || lab.texts();
    view! {
        <section class="tasks-panel" data-testid="queues">
            <h2>{move || t().queues_title}</h2>
            {move || {
                let queues = lab.view.with(|view| view.queues());
                if queues.is_empty() {
                    return view! { <p class="hint">{t().no_queues}</p> }.into_any();
                }
                queues.into_iter().map(|queue| {
                    let title = if queue.priority == 0 {
                        queue.name.clone()
                    } else {
                        format!("{} · {}", queue.name, (t().priority)(queue.priority))
                    };
                    let empty = queue.messages.is_empty();
                    view! {
                        <div class="queue" data-queue=queue.name.clone()>
                            <h3><code>{title}</code> " (" {queue.messages.len() + queue.more} ")"</h3>
                            <Show when=move || empty><p class="hint">{t().queue_empty}</p></Show>
                            <ol class="queue-messages">
                                {queue.messages.iter().map(|message| match message {
                                    Some(message) => view! { <li>{message_cell(message)}</li> }.into_any(),
                                    None => view! { <li class="hint">{t().unreadable}</li> }.into_any(),
                                }).collect_view()}
                            </ol>
                            <Show when=move || queue.more != 0>
                                <p class="hint">{(t().more)(queue.more)}</p>
                            </Show>
                        </div>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
pub fn Unacked(lab: TasksLab) -> impl IntoView {
    let t = move || lab.texts();
    view! {
        <section class="tasks-panel" data-testid="unacked">
            <h2>{move || t().unacked_title}</h2>
            <p class="hint">{move || t().unacked_hint}</p>
            {move || {
                let now = lab.now.get();
                let reserved = lab.view.with(|view| view.unacked());
                if reserved.is_empty() {
                    return view! { <p class="hint">{t().no_unacked}</p> }.into_any();
                }
                view! {
                    <div class="table-scroll"><table>
                        <thead><tr>
                            <th>{t().task}</th><th>{t().worker}</th><th>{t().reserved_at}</th>
                            <th>{t().deadline}</th><th>{t().delivery_tag}</th>
                        </tr></thead>
                        <tbody>
                            {reserved.into_iter().map(|entry| {
                                let worker = entry.worker.clone().map(|worker| {
                                    if entry.worker_inferred { format!("{} {worker}", t().inferred) } else { worker }
                                });
                                let deadline = entry.deadline.map(|at| (t().countdown)(seconds_until(at, now)));
                                let overdue = entry.deadline.is_some_and(|at| at < now);
                                view! {
                                    <tr data-unacked=entry.message.as_ref().map(|m| m.id.clone()).unwrap_or_default()>
                                        <td>{entry.message.as_ref().map(|message| message_cell(message).into_any())
                                            .unwrap_or_else(|| t().unreadable.into_any())}</td>
                                        <td>{worker.unwrap_or_default()}</td>
                                        <td>{entry.reserved_at.map(|at| (t().ago)(now.saturating_sub(at) / 1000))}</td>
                                        <td class:bad=overdue data-testid="deadline">{deadline}</td>
                                        <td><code class="task-id">{entry.delivery_tag.clone()}</code></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
pub fn Waiting(lab: TasksLab) -> impl IntoView {
    let t = move || lab.texts();
    view! {
        <section class="tasks-panel" data-testid="waiting">
            <h2>{move || t().waiting_title}</h2>
            {move || {
                let now = lab.now.get();
                let waiting = lab.view.with(|view| view.waiting(now));
                if waiting.is_empty() {
                    return view! { <p class="hint">{t().no_waiting}</p> }.into_any();
                }
                view! {
                    <div class="table-scroll"><table>
                        <thead><tr>
                            <th>{t().task}</th><th>{t().retries}</th><th>{t().eta}</th><th>{t().held_in_label}</th>
                        </tr></thead>
                        <tbody>
                            {waiting.into_iter().map(|entry| view! {
                                <tr data-waiting=entry.message.id.clone()>
                                    <td>{message_cell(&entry.message)}</td>
                                    <td>{entry.message.retries}</td>
                                    <td data-testid="eta">{(t().countdown)(seconds_until(entry.eta, now))}</td>
                                    <td>{(t().held_in)(entry.held_in)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
pub fn Tasks(lab: TasksLab) -> impl IntoView {
    let t = move || lab.texts();
    view! {
        <section class="tasks-panel" data-testid="tasks">
            <h2>{move || t().tasks_title}</h2>
            <p class="hint">{move || t().times_hint}</p>
            {move || {
                let tasks = lab.view.with(|view| view.tasks().into_iter().cloned().collect::<Vec<_>>());
                if tasks.is_empty() {
                    return view! { <p class="hint">{t().no_tasks}</p> }.into_any();
                }
                view! {
                    <div class="table-scroll"><table>
                        <thead><tr>
                            <th>{t().task}</th><th>{t().state}</th><th>{t().worker}</th>
                            <th>{t().received}</th><th>{t().started}</th><th>{t().finished}</th>
                            <th>{t().runtime}</th><th>{t().result}</th><th>{t().journey}</th>
                        </tr></thead>
                        <tbody>
                            {tasks.into_iter().map(|task| {
                                let state = task.result.as_ref().map(|result| result.state);
                                let steps: Vec<&'static str> = task.steps.iter().map(|seen| step_key(seen.step)).collect();
                                let times = task_times(&task);
                                let worker = task.worker.clone().map(|worker| {
                                    if task.worker_inferred { format!("{} {worker}", t().inferred) } else { worker }
                                });
                                view! {
                                    <tr data-task=task.message.id.clone() data-steps=steps.join(" ")
                                        data-state=state.map(|state| state.name()).unwrap_or_default()>
                                        <td>{message_cell(&task.message)}
                                            <Show when=move || task.restored != 0>
                                                " " <span class="bad">{(t().restored)(task.restored)}</span>
                                            </Show>
                                        </td>
                                        <td>{state.map(|state| (t().task_state)(state))}</td>
                                        <td>{worker.unwrap_or_default()}</td>
                                        <td data-col="received">{time_cell(lab, times.received, clock_time)}</td>
                                        <td data-col="started">{time_cell(lab, times.started, clock_time)}</td>
                                        <td data-col="finished">{time_cell(lab, times.finished, clock_time)}</td>
                                        <td data-col="runtime">{time_cell(lab, times.runtime, seconds)}</td>
                                        <td>{task.result.as_ref().map(|result| view! { <code>{result.result.clone()}</code> })}</td>
                                        <td><ol class="journey">
                                            {task.steps.iter().map(|seen| view! { <li>{(t().step)(seen.step)}</li> }).collect_view()}
                                        </ol></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }
                .into_any()
            }}
        </section>
    }
}

/// A step's stable name in `data-steps` (for tests and styling).
fn step_key(step: Step) -> &'static str {
    match step {
        Step::Queued => "queued",
        Step::Reserved => "reserved",
        Step::Acknowledged => "acknowledged",
        Step::Restored => "restored",
        Step::RetryScheduled => "retry_scheduled",
        Step::Received => "received",
        Step::Started => "started",
        Step::Result(_) => "result",
    }
}
