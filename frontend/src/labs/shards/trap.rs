//! Section 6: the chapter's hidden trap. Python seeds `hash()` of strings
//! afresh in every process (unless `PYTHONHASHSEED` pins it), so two web
//! servers using the chapter's `hash_shard` disagree about where a key
//! lives: one stores it on server 2, the other looks for it on server 4 and
//! misses. Shown as two client processes with their own seeds.

use fanout_shared::shard::builtin_hash;
use leptos::prelude::*;

use super::{
    Lab,
    model::{percent, sample, thousands},
};
use crate::i18n::{Lang, use_lang};

const EXAMPLES: usize = 8;

/// Strings of the trap section.
#[derive(Debug)]
struct TrapTexts {
    title: &'static str,
    hint: &'static str,
    process: fn(&str) -> String,
    restart: fn(&str) -> String,
    /// Keys that differ and keys in all, in bold.
    differ: fn(u64, u64) -> String,
    /// The rest of the sentence: the share that differs, and N.
    differ_rest: fn(&str, usize) -> String,
    one_server: &'static str,
    key: &'static str,
    a_server: &'static str,
    b_server: &'static str,
    same: &'static str,
    yes_same: &'static str,
    no_different: &'static str,
    fix: &'static str,
}

const EN: TrapTexts = TrapTexts {
    title: "6. The trap: Python's hash() is different in every process",
    hint: "The chapter's hash_shard works inside one program. But since Python 3.3 each process \
           picks a secret random key for hash() of strings at start-up, so two web servers \
           sharing the cache place the same word on different servers: one stores it where \
           the other never looks. Both run CPython 3.11's hash (SipHash-1-3) exactly.",
    process: |name| format!("Client process {name}"),
    restart: |name| format!("Restart {name} (new random seed)"),
    differ: |differ, total| format!("{} of {} keys", thousands(differ), thousands(total)),
    differ_rest: |share, n| {
        format!(" ({share}) are on a different server for A than for B, with {n} servers.")
    },
    one_server: " With one server there is nowhere else to go; add servers.",
    key: "Key",
    a_server: "A: server",
    b_server: "B: server",
    same: "Same?",
    yes_same: "✓ same",
    no_different: "✗ different",
    fix: "Give both processes the same seed, or 0 (randomisation off), and they agree: that is \
          why deployments that shard with hash() pin PYTHONHASHSEED. The sturdier fix is the \
          chapter's: a public hash such as md5, which every client computes alike.",
};

const ZH: TrapTexts = TrapTexts {
    title: "6. 陷阱：Python 的 hash() 在每个进程里都不一样",
    hint: "本章的 hash_shard 在同一个程序里没有问题。但从 Python 3.3 起，每个进程启动时都会为\
           字符串的 hash() 随机选一个秘密密钥，所以共用缓存的两台 Web 服务器会把同一个单词放到\
           不同的服务器上：一台把它存到的地方，另一台根本不会去找。这里的两个进程都精确地\
           运行 CPython 3.11 的散列算法（SipHash-1-3）。",
    process: |name| format!("客户端进程 {name}"),
    restart: |name| format!("重启 {name}（新的随机种子）"),
    differ: |differ, total| format!("{} 个键中有 {} 个", thousands(total), thousands(differ)),
    differ_rest: |share, n| {
        format!("（{share}）在 A 和 B 看来位于不同的服务器上（共 {n} 台服务器）。")
    },
    one_server: "只有一台服务器时，键无处可去；请增加服务器。",
    key: "键",
    a_server: "A：服务器",
    b_server: "B：服务器",
    same: "相同？",
    yes_same: "✓ 相同",
    no_different: "✗ 不同",
    fix: "给两个进程相同的种子，或者设为 0（关闭随机化），它们就会一致：这就是用 hash() 分片的\
          部署要固定 PYTHONHASHSEED 的原因。更可靠的办法是本章的做法：使用 md5 这样的公开散列\
          算法，每个客户端都算得一样。",
};

fn texts(lang: Lang) -> &'static TrapTexts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

fn random_seed() -> u32 {
    // Like Python, any value in 1..=2^32-1 (0 would turn randomisation off).
    1 + (js_sys::Math::random() * f64::from(u32::MAX - 1)) as u32
}

#[component]
fn Process(name: &'static str, seed: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let t = move || texts(lang.get());
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
pub fn TrapSection(lab: Lab) -> impl IntoView {
    let lang = use_lang();
    let t = move || texts(lang.get());
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
