//! Section 6: the chapter's hidden trap. Python seeds `hash()` of strings
//! afresh in every process (unless `PYTHONHASHSEED` pins it), so two web
//! servers using the chapter's `hash_shard` disagree about where a key
//! lives: one stores it on server 2, the other looks for it on server 4 and
//! misses. Shown as two client processes with their own seeds.

use fanout_shared::shard::builtin_hash;
use leptos::prelude::*;

use super::{
    ShardLab,
    model::{percent, sample},
    text::Texts,
};
use crate::i18n::use_lang;

const EXAMPLES: usize = 8;

fn random_seed() -> u32 {
    // Like Python, any value in 1..=2^32-1 (0 would turn randomisation off).
    1 + (js_sys::Math::random() * f64::from(u32::MAX - 1)) as u32
}

#[component]
fn Process(name: &'static str, seed: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let t = move || &Texts::of(lang.get()).trap;
    let id = format!("seed-{}", name.to_lowercase());
    let label_for = id.clone();
    view! {
        <div class="process">
            <h3>{move || (t().process)(name)}</h3>
            <label for=label_for>"PYTHONHASHSEED"</label>
            <input
                id=id
                type="number"
                min="0"
                max="4294967295"
                inputmode="numeric"
                prop:value=move || seed.get().to_string()
                on:change=move |ev| {
                    if let Ok(value) = event_target_value(&ev).trim().parse::<u32>() {
                        seed.set(value);
                    }
                }
            />
            <button type="button" on:click=move |_| seed.set(random_seed())>
                {move || (t().restart)(name)}
            </button>
        </div>
    }
}

#[component]
pub fn TrapSection(lab: ShardLab) -> impl IntoView {
    let lang = use_lang();
    let t = move || &Texts::of(lang.get()).trap;
    let comparison = Memo::new(move |_| {
        let keys = lab.keys.get()?;
        let n = lab.servers.get();
        let (a, b) = (lab.seed_a.get(), lab.seed_b.get());
        let place = |seed: u32| -> Vec<usize> {
            keys.keys()
                .iter()
                .map(|k| builtin_hash::place(&k.text, seed, n))
                .collect()
        };
        let (in_a, in_b) = (place(a), place(b));
        let differ = in_a.iter().zip(&in_b).filter(|(x, y)| x != y).count();
        let examples: Vec<(String, usize, usize)> = sample(keys.len(), EXAMPLES)
            .into_iter()
            .map(|k| (keys.keys()[k].text.clone(), in_a[k], in_b[k]))
            .collect();
        Some((differ, keys.len(), n, examples))
    });
    view! {
        <section class="panel" aria-labelledby="trap-title">
            <h2 id="trap-title">{move || t().title}</h2>
            <p class="hint">{move || t().hint}</p>
            <div class="processes">
                <Process name="A" seed=lab.seed_a />
                <Process name="B" seed=lab.seed_b />
            </div>
            {move || {
                let t = t();
                comparison.get().map(|(differ, total, n, examples)| {
                    let rows = examples
                        .into_iter()
                        .map(|(word, a, b)| {
                            let same = a == b;
                            view! {
                                <tr class:differ=!same>
                                    <th scope="row"><code>{word}</code></th>
                                    <td>{a + 1}</td>
                                    <td>{b + 1}</td>
                                    <td>{if same { t.yes_same } else { t.no_different }}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <p class="trap-result" role="status" data-differ=differ.to_string() data-total=total.to_string()>
                            <strong>{(t.differ)(differ as u64, total as u64)}</strong>
                            {(t.differ_rest)(&percent(differ as f64 / total.max(1) as f64), n)}
                            {(n == 1).then_some(t.one_server)}
                        </p>
                        <div class="table-scroll">
                            <table class="trap">
                                <thead>
                                    <tr>
                                        <th scope="col">{t.key}</th>
                                        <th scope="col">{t.a_server}</th>
                                        <th scope="col">{t.b_server}</th>
                                        <th scope="col">{t.same}</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                })
            }}
            <p class="hint">{move || t().fix}</p>
        </section>
    }
}
