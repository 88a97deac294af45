//! Section 5: memcached's memory, slab classes. The lesson runs on the
//! shared model in the browser (`fanout_shared::cache::slab_lab`, over the
//! slab allocator the server's nodes run): the learner stores items of a
//! size they pick and sees which class they land in, what each chunk
//! wastes and how many pages each class holds, or runs the stranded-memory
//! scenario. This block only draws the facts the model returns.

use fanout_shared::cache::slab_lab::{
    ClassRow, DEFAULT_MEMORY_MIB, Refusal, SlabLab, Stored, Stranded,
};
use leptos::prelude::*;

use super::{CacheLab, format_bytes};

/// What the learner did last, for the sentence under the controls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LastStep {
    Stored(Stored),
    Stranded(Stranded),
    Reset,
}

/// At most this many page blocks are drawn in one row; more show a count.
const PAGE_BLOCKS: u64 = 64;

#[component]
pub fn SlabsSection(lab: CacheLab) -> impl IntoView {
    let t = move || lab.texts();
    let memory = RwSignal::new(DEFAULT_MEMORY_MIB.to_string());
    let factor = RwSignal::new("1.25".to_owned());
    let value_bytes = RwSignal::new("100".to_owned());
    let count = RwSignal::new("1000".to_owned());
    let model =
        RwSignal::new(SlabLab::new(DEFAULT_MEMORY_MIB, 1.25).expect("the default settings"));
    let last = RwSignal::new(LastStep::Reset);
    let refusal = RwSignal::new(None::<Refusal>);
    let settings = move || {
        let memory = memory
            .get_untracked()
            .trim()
            .parse::<u64>()
            .map_err(|_| Refusal::Memory)?;
        let factor = factor
            .get_untracked()
            .trim()
            .parse::<f64>()
            .map_err(|_| Refusal::GrowthFactor)?;
        Ok::<_, Refusal>((memory, factor))
    };
    let outcome = move |result: Result<LastStep, Refusal>| match result {
        Ok(step) => {
            refusal.set(None);
            last.set(step);
        }
        Err(why) => refusal.set(Some(why)),
    };
    let store = move || {
        let parsed = value_bytes
            .get_untracked()
            .trim()
            .parse::<u64>()
            .map_err(|_| Refusal::ValueBytes)
            .and_then(|value| {
                let count = count
                    .get_untracked()
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| Refusal::Count)?;
                Ok((value, count))
            });
        let result = parsed.and_then(|(value, count)| {
            let mut stored = None;
            model.update(|lab| stored = Some(lab.store(value, count)));
            stored.expect("the update ran").map(LastStep::Stored)
        });
        outcome(result);
    };
    let reset = move || {
        outcome(settings().and_then(|(memory, factor)| {
            model.set(SlabLab::new(memory, factor)?);
            Ok(LastStep::Reset)
        }));
    };
    let stranded = move || {
        outcome(settings().and_then(|(memory, factor)| {
            let (fresh, report) = SlabLab::stranded(memory, factor)?;
            model.set(fresh);
            Ok(LastStep::Stranded(report))
        }));
    };
    let rows = Memo::new(move |_| model.with(SlabLab::rows));
    let totals = Memo::new(move |_| model.with(SlabLab::totals));
    let last_class = move || match last.get() {
        LastStep::Stored(stored) => Some(stored.placement.class),
        LastStep::Stranded(report) => Some(report.large.placement.class),
        LastStep::Reset => None,
    };

    view! {
        <section class="panel slabs" aria-labelledby="cache-slabs-title" data-testid="slabs">
            <h2 id="cache-slabs-title">{move || t().slabs_title}</h2>
            <p class="hint">{move || t().slabs_intro}</p>
            <p class="hint where">{move || t().slabs_where}</p>
            <form
                class="slab-controls"
                on:submit=move |ev| {
                    ev.prevent_default();
                    store();
                }
            >
                <label>
                    <span>{move || t().slabs_memory}</span>
                    <input type="text" inputmode="numeric" size="3" name="slab-memory"
                        prop:value=move || memory.get()
                        on:input=move |ev| memory.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || t().slabs_factor}</span>
                    <input type="text" inputmode="decimal" size="4" name="slab-factor"
                        prop:value=move || factor.get()
                        on:input=move |ev| factor.set(event_target_value(&ev)) />
                </label>
                <button type="button" class="slab-reset" on:click=move |_| reset()>
                    {move || t().slabs_reset}
                </button>
                <label>
                    <span>{move || t().slabs_value_bytes}</span>
                    <input type="text" inputmode="numeric" size="7" name="slab-value"
                        prop:value=move || value_bytes.get()
                        on:input=move |ev| value_bytes.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || t().slabs_count}</span>
                    <input type="text" inputmode="numeric" size="6" name="slab-count"
                        prop:value=move || count.get()
                        on:input=move |ev| count.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="primary slab-store">{move || t().slabs_store}</button>
                <button type="button" class="slab-stranded" on:click=move |_| stranded()>
                    {move || t().slabs_stranded}
                </button>
            </form>
            <Show when=move || refusal.get().is_some()>
                <p class="error" role="alert">
                    {move || refusal.get().map(|why| (t().slab_refusal)(why)).unwrap_or_default()}
                </p>
            </Show>
            <div class="slab-step" role="status" data-testid="slab-step">
                {move || match last.get() {
                    LastStep::Stored(stored) => view! {
                        <p
                            data-class=stored.placement.class
                            data-chunk=stored.placement.chunk_size
                            data-item=stored.placement.item_bytes
                            data-wasted=stored.placement.wasted()
                            data-evicted=stored.evicted
                        >
                            {(t().slab_stored)(&stored)}
                        </p>
                    }
                    .into_any(),
                    LastStep::Stranded(report) => view! {
                        <p
                            data-class=report.large.placement.class
                            data-evicted=report.large.evicted
                            data-small-free=report.small_free_bytes
                        >
                            {(t().slab_stranded_summary)(&report)}
                        </p>
                    }
                    .into_any(),
                    LastStep::Reset => view! { <p>{t().slabs_empty}</p> }.into_any(),
                }}
            </div>
            <p class="slab-totals" data-testid="slab-totals"
                data-malloced=move || totals.get().malloced
                data-items=move || totals.get().items
                data-evictions=move || totals.get().evictions
            >
                {move || (t().slab_totals)(&totals.get())}
            </p>
            <div class="table-scroll">
                <table class="tallies slab-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().col_class}</th>
                            <th scope="col">{move || t().col_chunk}</th>
                            <th scope="col">{move || t().col_per_page}</th>
                            <th scope="col">{move || t().col_pages}</th>
                            <th scope="col">{move || t().col_used}</th>
                            <th scope="col">{move || t().col_free}</th>
                            <th scope="col">{move || t().col_wasted}</th>
                            <th scope="col">{move || t().col_evicted}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|row| *row let:row>
                            <ClassLine row last=Signal::derive(move || last_class() == Some(row.class)) />
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="hint">{move || t().slabs_no_pages}</p>
            </Show>
        </section>
    }
}

/// One class: its figures, and its pages drawn as blocks.
#[component]
fn ClassLine(row: ClassRow, last: Signal<bool>) -> impl IntoView {
    let blocks = row.pages.min(PAGE_BLOCKS);
    let more = row.pages - blocks;
    let evicted_class = if row.evicted > 0 { "bad" } else { "" };
    view! {
        <tr
            data-class=row.class
            data-chunk=row.chunk_size
            data-pages=row.pages
            data-used=row.used_chunks
            data-free=row.free_chunks
            data-evicted=row.evicted
            class:last=move || last.get()
        >
            <th scope="row">{row.class}</th>
            // Exact bytes: the lesson is in the differences between sizes.
            <td>{format!("{} B", row.chunk_size)}</td>
            <td>{row.chunks_per_page}</td>
            <td class="pages">
                <span class="page-blocks" aria-hidden="true">
                    {(0..blocks).map(|_| view! { <span class="page-block"></span> }).collect_view()}
                </span>
                {if more > 0 { format!(" {} (+{more})", row.pages) } else { format!(" {}", row.pages) }}
            </td>
            <td>{row.used_chunks}</td>
            <td>{row.free_chunks}</td>
            <td>{format_bytes(row.wasted)}</td>
            <td class=evicted_class>{row.evicted}</td>
        </tr>
    }
}
