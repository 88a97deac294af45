//! The shard lab (`/shards`): how clients place keys on servers by hashing
//! (lesson 6). A real word list is placed over N servers by the chapter's
//! three functions and by what real clients use; the lab charts the balance,
//! shows what moves when a server joins or leaves, draws the consistent
//! hashing ring and shows two Python processes disagreeing.
//!
//! All placement is done by `fanout_shared::shard` running in the browser;
//! the modules under `shards/` only arrange and draw its results:
//! `keys` (the word list), `balance` (charts), `moves` (what moves, animated),
//! `ring`, `trap` (the per-process hash seed) and `live` (the same placement
//! on the server's real memcached nodes).

mod balance;
mod keys;
mod live;
mod model;
mod moves;
mod ring;
mod text;
mod trap;

use fanout_shared::shard::{self, KeySet, ServerChange, Settings};
use leptos::prelude::*;

use self::{
    keys::Source,
    model::{Runs, Shared},
    text::Texts,
};
use crate::i18n::use_lang;

/// The most servers the lab offers (the 1–16).
pub const MAX_SERVERS: usize = 16;

/// Whether the drawings show the servers before or after the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Before,
    After,
}

/// The shard lab's state: every control's signal and the computed results.
/// All fields are signals, so the struct is `Copy` and passed to each
/// section.
#[derive(Clone, Copy)]
pub struct ShardLab {
    pub keys: RwSignal<Option<Shared<KeySet>>>,
    /// Where the keys came from (said in the learner's language).
    pub source: RwSignal<Source>,
    /// How many servers, 1–16.
    pub servers: RwSignal<usize>,
    pub change: RwSignal<ServerChange>,
    /// `PYTHONHASHSEED` of the two client processes in the trap; process A
    /// is also the one the balance charts use.
    pub seed_a: RwSignal<u32>,
    pub seed_b: RwSignal<u32>,
    pub ketama_points: RwSignal<u32>,
    pub phase: RwSignal<Phase>,
    pub runs: Memo<Option<Shared<Runs>>>,
}

impl ShardLab {
    fn new() -> Self {
        let keys = RwSignal::new(None::<Shared<KeySet>>);
        let servers = RwSignal::new(4usize);
        let change = RwSignal::new(ServerChange::Add);
        let seed_a = RwSignal::new(Settings::default().python_hash_seed);
        let ketama_points = RwSignal::new(Settings::default().ketama_points);
        let runs = Memo::new(move |_| {
            let keys = keys.get()?;
            let before = shard::servers(servers.get());
            let after = change.get().apply(&before);
            let settings = Settings {
                python_hash_seed: seed_a.get(),
                ketama_points: ketama_points.get(),
            };
            Some(Shared::new(Runs::compute(
                &keys, &before, &after, &settings,
            )))
        });
        ShardLab {
            keys,
            source: RwSignal::new(Source::Loading),
            servers,
            change,
            seed_a,
            seed_b: RwSignal::new(2),
            ketama_points,
            phase: RwSignal::new(Phase::Before),
            runs,
        }
    }

    /// Sets the server count, keeping a "server leaves" choice in range.
    fn set_servers(self, n: usize) {
        let n = n.clamp(1, MAX_SERVERS);
        self.servers.set(n);
        if let ServerChange::Remove(index) = self.change.get_untracked() {
            if n == 1 {
                self.change.set(ServerChange::Add);
            } else if index >= n {
                self.change.set(ServerChange::Remove(n - 1));
            }
        }
        self.phase.set(Phase::Before);
    }
}

#[component]
pub fn ShardsLab() -> impl IntoView {
    let lab = ShardLab::new();
    let lang = use_lang();
    let t = move || Texts::of(lang.get());
    keys::load_builtin(lab);
    let ready = move || lab.runs.with(Option::is_some);

    view! {
        <section class="lab shard-lab" aria-labelledby="shards-title" data-ready=move || ready().to_string()>
            <crate::embed_button::EmbedButton lab=fanout_shared::embed::Lab::Shards />
            <h1 id="shards-title">{move || t().title}</h1>
            <p class="lede">{move || t().lede}</p>
            <p class="notice offline-ok" data-needs-server="no">{move || t().offline_ok}</p>
            <keys::KeysPanel lab />
            <ServersPanel lab />
            <balance::BalanceSection lab />
            <moves::MovesSection lab />
            <ring::RingSection lab />
            <trap::TrapSection lab />
            <live::LiveSection lab />
        </section>
    }
}

/// How many servers, and which change to make to them.
#[component]
fn ServersPanel(lab: ShardLab) -> impl IntoView {
    let lang = use_lang();
    let t = move || Texts::of(lang.get());
    let n = lab.servers;
    let removing = move || matches!(lab.change.get(), ServerChange::Remove(_));
    let removed_index = move || match lab.change.get() {
        ServerChange::Remove(index) => index,
        ServerChange::Add => n.get().saturating_sub(1),
    };
    view! {
        <section class="panel" aria-labelledby="servers-title">
            <h2 id="servers-title">{move || t().servers_title}</h2>
            <div class="servers-controls">
                <div class="stepper" role="group" aria-labelledby="servers-count-label">
                    <span id="servers-count-label">{move || t().servers_count}</span>
                    <button
                        type="button"
                        class="step"
                        aria-label=move || t().fewer
                        disabled=move || n.get() <= 1
                        on:click=move |_| lab.set_servers(n.get_untracked() - 1)
                    >
                        "−"
                    </button>
                    <output class="servers-count" data-servers=move || n.get().to_string() aria-live="polite">
                        {move || n.get()}
                    </output>
                    <button
                        type="button"
                        class="step"
                        aria-label=move || t().more
                        disabled=move || { n.get() >= MAX_SERVERS }
                        on:click=move |_| lab.set_servers(n.get_untracked() + 1)
                    >
                        "+"
                    </button>
                </div>
                <label class="range">
                    <span class="visually-hidden">{move || t().number_of_servers}</span>
                    <input
                        type="range"
                        min="1"
                        max=MAX_SERVERS.to_string()
                        prop:value=move || n.get().to_string()
                        on:input=move |ev| {
                            if let Ok(value) = event_target_value(&ev).parse::<usize>() {
                                lab.set_servers(value);
                            }
                        }
                    />
                </label>
            </div>
            <fieldset class="change">
                <legend>{move || t().change_legend}</legend>
                <label>
                    <input
                        type="radio"
                        name="server-change"
                        value="add"
                        prop:checked=move || !removing()
                        on:change=move |_| {
                            lab.change.set(ServerChange::Add);
                            lab.phase.set(Phase::Before);
                        }
                    />
                    {move || (t().joins)(n.get())}
                </label>
                <label>
                    <input
                        type="radio"
                        name="server-change"
                        value="remove"
                        disabled=move || n.get() <= 1
                        prop:checked=removing
                        on:change=move |_| {
                            lab.change.set(ServerChange::Remove(n.get_untracked() - 1));
                            lab.phase.set(Phase::Before);
                        }
                    />
                    {move || t().leaves}
                </label>
                <label class="remove-which">
                    <span class="visually-hidden">{move || t().which_leaves}</span>
                    <select
                        disabled=move || !removing()
                        on:change=move |ev| {
                            if let Ok(index) = event_target_value(&ev).parse::<usize>() {
                                lab.change.set(ServerChange::Remove(index));
                                lab.phase.set(Phase::Before);
                            }
                        }
                    >
                        {move || {
                            let selected = removed_index();
                            let server_option = t().server_option;
                            shard::servers(n.get())
                                .into_iter()
                                .enumerate()
                                .map(|(index, name)| {
                                    view! {
                                        <option value=index.to_string() selected=index == selected>
                                            {server_option(index + 1, &name)}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
            </fieldset>
        </section>
    }
}
