//! Section 4's fourth remedy, memcached's own: a hot key expiring under
//! many concurrent readers, run with and without the meta protocol's win
//! (`W`) / already-won (`Z`) flags. The run itself (virtual time, the
//! store's own item rules, the counts) is the shared
//! `fanout_shared::cache::staleness::stampede`; this block takes the two
//! settings, runs both sides and draws their reports.

use fanout_shared::cache::staleness::stampede::{
    self, Answer, DEFAULT_EXPIRIES, DEFAULT_READERS, Protection, Report,
};
use leptos::prelude::*;

use super::CacheLab;

/// Both sides with the same settings, or `None` outside the ranges.
fn run_both(readers: u32, expiries: u32) -> Option<Vec<Report>> {
    Protection::ALL
        .into_iter()
        .map(|protection| stampede::run(protection, readers, expiries))
        .collect()
}

#[component]
pub fn Stampede(lab: CacheLab) -> impl IntoView {
    let t = move || lab.texts();
    let readers = RwSignal::new(DEFAULT_READERS.to_string());
    let expiries = RwSignal::new(DEFAULT_EXPIRIES.to_string());
    let reports = RwSignal::new(run_both(DEFAULT_READERS, DEFAULT_EXPIRIES).unwrap_or_default());
    let error = RwSignal::new(false);
    let run = move || {
        let number = |text: String| text.trim().parse::<u32>().ok();
        let settings = number(readers.get_untracked()).zip(number(expiries.get_untracked()));
        match settings.and_then(|(readers, expiries)| run_both(readers, expiries)) {
            Some(both) => {
                error.set(false);
                reports.set(both);
            }
            None => error.set(true),
        }
    };

    view! {
        <div class="stampede" data-testid="stampede" aria-labelledby="cache-stampede-title">
            <h3 id="cache-stampede-title">{move || t().stampede_title}</h3>
            <p class="hint">{move || t().stampede_intro}</p>
            <form
                class="stampede-controls"
                on:submit=move |ev| {
                    ev.prevent_default();
                    run();
                }
            >
                <label>
                    <span>{move || t().stampede_readers}</span>
                    <input
                        type="text"
                        inputmode="numeric"
                        size="3"
                        name="stampede-readers"
                        prop:value=move || readers.get()
                        on:input=move |ev| readers.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    <span>{move || t().stampede_expiries}</span>
                    <input
                        type="text"
                        inputmode="numeric"
                        size="3"
                        name="stampede-expiries"
                        prop:value=move || expiries.get()
                        on:input=move |ev| expiries.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" class="primary run-stampede">{move || t().stampede_run}</button>
            </form>
            <Show when=move || error.get()>
                <p class="error" role="alert">{move || t().stampede_out_of_range}</p>
            </Show>
            <div class="table-scroll">
                <table class="tallies stampede-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().col_protection}</th>
                            <th scope="col">{move || t().col_command}</th>
                            <th scope="col">{move || t().col_expiries}</th>
                            <th scope="col">{move || t().col_recomputes}</th>
                            <th scope="col">{move || t().col_per_expiry}</th>
                            <th scope="col">{move || t().col_stale_reads}</th>
                            <th scope="col">{move || t().col_burst}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || reports.get()
                            key=|report| (report.protection, report.readers, report.expiries)
                            let:report
                        >
                            {
                                let per_expiry = report.recomputes / u64::from(report.expiries);
                                let herd = report.recomputes > u64::from(report.expiries);
                                let protection = report.protection;
                                view! {
                                    <tr
                                        data-protection=protection.name()
                                        data-readers=report.readers
                                        data-expiries=report.expiries
                                        data-recomputes=report.recomputes
                                        data-stale-reads=report.stale_reads
                                    >
                                        <th scope="row">{move || (t().protection)(protection)}</th>
                                        <td><code>{protection.command()}</code></td>
                                        <td>{report.expiries}</td>
                                        <td class=if herd { "stale-count bad" } else { "stale-count" }>
                                            {report.recomputes}
                                        </td>
                                        <td>{per_expiry}</td>
                                        <td>{report.stale_reads}</td>
                                        <td class="burst">
                                            {report
                                                .burst
                                                .clone()
                                                .into_iter()
                                                .map(|reading| {
                                                    let answer = reading.answer;
                                                    view! {
                                                        <span
                                                            class="flag"
                                                            data-answer=answer.name()
                                                            title=move || {
                                                                format!("#{}: {}", reading.reader, (t().answer)(answer))
                                                            }
                                                        >
                                                            {answer.flag()}
                                                        </span>
                                                        " "
                                                    }
                                                })
                                                .collect_view()}
                                        </td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
            </div>
            <ul class="stampede-summary" role="status">
                {move || {
                    reports
                        .get()
                        .iter()
                        .map(|report| {
                            let text = (t().stampede_summary)(report);
                            view! { <li data-protection=report.protection.name()>{text}</li> }
                        })
                        .collect_view()
                }}
            </ul>
            <p class="hint legend">
                {move || {
                    [Answer::Miss, Answer::Won, Answer::AlreadyWon]
                        .into_iter()
                        .map(|answer| format!("{} = {}", answer.flag(), (t().answer)(answer)))
                        .collect::<Vec<_>>()
                        .join(" · ")
                }}
            </p>
        </div>
    }
}
