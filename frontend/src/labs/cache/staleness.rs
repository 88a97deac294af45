//! Section 4: stale data. A pretend database of three user profiles sits
//! beside the cache (in this page); each record's fields are cached under
//! keys derived from it (`user:7:name`, `user:7:card`), read through the
//! cache (a miss reads the database and stores the value). When a record is
//! updated, the chapter's three remedies differ:
//!
//! - expiry time: the cache is left alone; readers get the old value until
//!   the entry's time runs out;
//! - invalidation: the keys derived from the record (a map from record to
//!   keys) are deleted, so the next read misses and fetches fresh data;
//! - overwriting: the fresh values are written over the cached ones.
//!
//! Every read is compared with the database: a cached value that differs is
//! a stale read, highlighted and counted per remedy. The cache is a real
//! node through the lab's frames, or the model offline.

use std::time::Duration;

use fanout_shared::protocol::{CacheFrame, CacheKeyRef, CacheSet, ClientFrame, ServerFrame};
use leptos::{prelude::*, task::spawn_local};

use super::{Lab, backend::Mode, text::CacheTexts, tryit::NodeSelect};
use crate::connection::RequestError;

/// Reads kept in the log.
const LOG: usize = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: u32,
    pub name: String,
    pub card: String,
    /// How many times it was updated.
    pub version: u32,
}

/// The names each record cycles through when updated.
const NAMES: [(u32, [&str; 3]); 3] = [
    (7, ["Ada Lovelace", "Ada King", "Augusta Ada King"]),
    (8, ["Alan Turing", "Alan M. Turing", "A. M. Turing"]),
    (
        9,
        ["Grace Hopper", "Grace B. Hopper", "Rear Admiral Hopper"],
    ),
];

/// Card numbers' last digits, by record and version.
fn card(id: u32, version: u32) -> String {
    let digits = (id * 1_237 + version * 4_099) % 10_000;
    format!("VISA ···· {digits:04}")
}

fn database() -> Vec<Record> {
    NAMES
        .iter()
        .map(|(id, names)| Record {
            id: *id,
            name: names[0].to_owned(),
            card: card(*id, 0),
            version: 0,
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Card,
}

impl Field {
    const ALL: [Field; 2] = [Field::Name, Field::Card];

    fn of(self, record: &Record) -> &str {
        match self {
            Field::Name => &record.name,
            Field::Card => &record.card,
        }
    }
}

/// The cache key of one field of one record.
pub fn key(id: u32, field: Field) -> String {
    match field {
        Field::Name => format!("user:{id}:name"),
        Field::Card => format!("user:{id}:card"),
    }
}

/// The map from a record to the cache keys that hold copies of it.
pub fn keys_of(id: u32) -> Vec<String> {
    Field::ALL.iter().map(|field| key(id, *field)).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Expiry,
    Invalidate,
    Overwrite,
}

impl Strategy {
    const ALL: [Strategy; 3] = [Strategy::Expiry, Strategy::Invalidate, Strategy::Overwrite];

    fn key(self) -> &'static str {
        match self {
            Strategy::Expiry => "expiry",
            Strategy::Invalidate => "invalidate",
            Strategy::Overwrite => "overwrite",
        }
    }

    fn name(self, t: &CacheTexts) -> &'static str {
        match self {
            Strategy::Expiry => t.strategy_expiry,
            Strategy::Invalidate => t.strategy_invalidate,
            Strategy::Overwrite => t.strategy_overwrite,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One read through the cache.
#[derive(Debug, Clone, PartialEq)]
struct Read {
    seq: u64,
    key: String,
    value: String,
    from_cache: bool,
    stale: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    reads: u64,
    from_cache: u64,
    stale: u64,
}

#[component]
pub fn StalenessSection(lab: Lab) -> impl IntoView {
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
    let db = RwSignal::new(database());
    let strategy = RwSignal::new(Strategy::Expiry);
    let ttl = RwSignal::new("15".to_owned());
    let log = RwSignal::new(Vec::<Read>::new());
    let tallies = RwSignal::new([Tally::default(); 3]);
    let note = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let auto = RwSignal::new(false);
    let seq = StoredValue::new(0u64);

    let fail = move |problem: RequestError| {
        error.try_set(Some(lab.describe(&problem)));
    };
    let ttl_seconds = move || {
        ttl.get_untracked()
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|s| (1..=3600).contains(s))
    };

    let read_all = move || {
        let Some(backend) = lab.backend() else { return };
        if busy.get_untracked() {
            return;
        }
        let Some(ttl) = ttl_seconds() else {
            error.set(Some((lab.texts_untracked().not_a_number)(
                &ttl.get_untracked(),
            )));
            return;
        };
        let chosen = strategy.get_untracked();
        let expiry = if chosen == Strategy::Expiry { ttl } else { 0 };
        let node = node.get_untracked();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let records = db.get_untracked();
            for record in &records {
                for field in Field::ALL {
                    let key = key(record.id, field);
                    let answer = backend
                        .request(ClientFrame::Cache(CacheFrame::Get(CacheKeyRef {
                            node,
                            key: key.clone(),
                            id: None,
                        })))
                        .await;
                    // The database as it is now (it may change mid-read).
                    let fresh = db
                        .try_with_untracked(|db| {
                            db.iter()
                                .find(|r| r.id == record.id)
                                .map(|r| field.of(r).to_owned())
                        })
                        .flatten()
                        .unwrap_or_default();
                    let read = match answer {
                        Ok(ServerFrame::CacheValue {
                            found: true, value, ..
                        }) => {
                            let value = value.unwrap_or_default();
                            Read {
                                seq: 0,
                                key,
                                stale: value != fresh,
                                value,
                                from_cache: true,
                            }
                        }
                        Ok(_) => {
                            let stored = backend
                                .request(ClientFrame::Cache(CacheFrame::Set(CacheSet {
                                    node,
                                    key: key.clone(),
                                    value: fresh.clone(),
                                    ttl: expiry,
                                    flags: 0,
                                    id: None,
                                })))
                                .await;
                            if let Err(problem) = stored {
                                fail(problem);
                            }
                            Read {
                                seq: 0,
                                key,
                                value: fresh,
                                from_cache: false,
                                stale: false,
                            }
                        }
                        Err(problem) => {
                            fail(problem);
                            busy.try_set(false);
                            return;
                        }
                    };
                    let Some(next) = seq.try_update_value(|seq| {
                        *seq += 1;
                        *seq
                    }) else {
                        return;
                    };
                    tallies.try_update(|tallies| {
                        let tally = &mut tallies[chosen.index()];
                        tally.reads += 1;
                        tally.from_cache += u64::from(read.from_cache);
                        tally.stale += u64::from(read.stale);
                    });
                    log.try_update(|log| {
                        log.insert(0, Read { seq: next, ..read });
                        log.truncate(LOG);
                    });
                }
            }
            busy.try_set(false);
        });
    };

    let update = move |id: u32| {
        let Some(backend) = lab.backend() else { return };
        let mut updated = None;
        db.update(|db| {
            if let Some(record) = db.iter_mut().find(|r| r.id == id) {
                record.version += 1;
                let names = NAMES
                    .iter()
                    .find(|(n, _)| *n == id)
                    .map_or([""; 3], |(_, names)| *names);
                record.name = names[record.version as usize % names.len()].to_owned();
                record.card = card(id, record.version);
                updated = Some(record.clone());
            }
        });
        let Some(record) = updated else { return };
        let chosen = strategy.get_untracked();
        let node = node.get_untracked();
        let texts = lab.texts_untracked();
        error.set(None);
        // Reads wait until the cache has been dealt with.
        busy.set(true);
        match chosen {
            Strategy::Expiry => {
                note.set(Some((texts.updated_expiry)(id, &ttl.get_untracked())));
                busy.set(false);
            }
            Strategy::Invalidate => {
                note.set(Some((texts.updated_invalidate)(
                    id,
                    &keys_of(id).join(", "),
                )));
                spawn_local(async move {
                    for key in keys_of(record.id) {
                        let answer = backend
                            .request(ClientFrame::Cache(CacheFrame::Delete(CacheKeyRef {
                                node,
                                key,
                                id: None,
                            })))
                            .await;
                        if let Err(problem) = answer {
                            fail(problem);
                        }
                    }
                    busy.try_set(false);
                });
            }
            Strategy::Overwrite => {
                note.set(Some((texts.updated_overwrite)(id, &keys_of(id).join(", "))));
                spawn_local(async move {
                    for field in Field::ALL {
                        let answer = backend
                            .request(ClientFrame::Cache(CacheFrame::Set(CacheSet {
                                node,
                                key: key(record.id, field),
                                value: field.of(&record).to_owned(),
                                ttl: 0,
                                flags: 0,
                                id: None,
                            })))
                            .await;
                        if let Err(problem) = answer {
                            fail(problem);
                        }
                    }
                    busy.try_set(false);
                });
            }
        }
    };

    let reset = move |_| {
        let Some(backend) = lab.backend() else { return };
        db.set(database());
        log.set(Vec::new());
        tallies.set([Tally::default(); 3]);
        note.set(None);
        error.set(None);
        let node = node.get_untracked();
        busy.set(true);
        spawn_local(async move {
            for (id, _) in NAMES {
                for key in keys_of(id) {
                    let _ = backend
                        .request(ClientFrame::Cache(CacheFrame::Delete(CacheKeyRef {
                            node,
                            key,
                            id: None,
                        })))
                        .await;
                }
            }
            busy.try_set(false);
        });
    };

    if let Ok(reader) = set_interval_with_handle(
        move || {
            if auto.try_get_untracked() == Some(true) {
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
                    _ => {
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
                                        value=choice.key()
                                        prop:checked=move || strategy.get() == choice
                                        on:change=move |_| strategy.set(choice)
                                    />
                                    <strong>{move || choice.name(t())}</strong>
                                    " "
                                    <span class="strategy-hint">
                                        {move || match choice {
                                            Strategy::Expiry => t().strategy_expiry_hint,
                                            Strategy::Invalidate => t().strategy_invalidate_hint,
                                            Strategy::Overwrite => t().strategy_overwrite_hint,
                                        }}
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
                            <For each=move || db.get() key=|record| (record.id, record.version) let:record>
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
                                            disabled=move || busy.get() || !lab.ready()
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
                            disabled=move || busy.get() || !lab.ready()
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
                        <button type="button" class="reset" disabled=move || busy.get() on:click=reset>{move || t().stale_reset}</button>
                    </div>
                    <p class="note" role="status">{move || note.get()}</p>
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
                                    let tally = move || tallies.with(|tallies| tallies[choice.index()]);
                                    view! {
                                        <tr
                                            data-strategy=choice.key()
                                            data-reads=move || tally().reads
                                            data-stale=move || tally().stale
                                            class:current=move || strategy.get() == choice
                                        >
                                            <th scope="row">{move || choice.name(t())}</th>
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
                        <For each=move || log.get() key=|read| read.seq let:read>
                            <li
                                class=if read.stale {
                                    "read stale"
                                } else if read.from_cache {
                                    "read fresh"
                                } else {
                                    "read miss"
                                }
                                data-stale=read.stale.to_string()
                            >
                                <code class="k">{read.key.clone()}</code>
                                <span class="value">{format!("“{}”", read.value)}</span>
                                <span class="source">
                                    {move || if read.from_cache { t().from_cache } else { t().from_db }}
                                </span>
                                <span class="verdict">
                                    {move || {
                                        if read.stale {
                                            t().verdict_stale
                                        } else if read.from_cache {
                                            t().verdict_fresh
                                        } else {
                                            t().verdict_miss
                                        }
                                    }}
                                </span>
                            </li>
                        </For>
                    </ol>
                </div>
            </div>
        </section>
    }
}
