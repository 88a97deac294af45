//! The cache lab (`/cache`): the server's memcached nodes, live.
//!
//! Lists every node by its address with its item count and memory use, kept
//! current from the nodes' event streams (`cache_watch`), so a key written by
//! an outside program shows up here within a second.

use fanout_shared::protocol::{CacheNodeInfo, CacheNodeRef, CacheNodes, ClientFrame, ServerFrame};
use leptos::{prelude::*, task::spawn_local};

use super::NeedsServer;
use crate::{
    connection::{LinkState, Server},
    i18n::{Lang, use_lang},
};

/// Strings of the cache lab.
#[derive(Debug)]
struct CacheTexts {
    title: &'static str,
    lede: &'static str,
    what: &'static str,
    node: &'static str,
    address: &'static str,
    items: &'static str,
    memory: &'static str,
}

const EN: CacheTexts = CacheTexts {
    title: "Cache lab",
    lede: "memcached as the chapter teaches it: a shared LRU dictionary with expiry, spread over \
           several servers. Watch keys arrive, age and get evicted; warm a cache up and see \
           requests get faster.",
    what: "talk to the cache nodes",
    node: "Node",
    address: "memcached address",
    items: "Items",
    memory: "Memory used",
};

const ZH: CacheTexts = CacheTexts {
    title: "缓存实验",
    lede: "按本章所讲的 memcached：一个带过期时间、分布在多台服务器上的共享 LRU 字典。\
           观察键的写入、老化和淘汰；预热缓存，看请求如何变快。",
    what: "访问缓存节点",
    node: "节点",
    address: "memcached 地址",
    items: "条目",
    memory: "已用内存",
};

fn texts(lang: Lang) -> &'static CacheTexts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

#[component]
pub fn CacheLab() -> impl IntoView {
    let lang = use_lang();
    let t = move || texts(lang.get());
    view! {
        <section class="lab" aria-labelledby="cache-title">
            <h1 id="cache-title">{move || t().title}</h1>
            <p class="lede">{move || t().lede}</p>
            <NeedsServer what=|lang| texts(lang).what />
            <NodeTable />
        </section>
    }
}

/// One row per node, refreshed from the nodes' event streams.
#[component]
fn NodeTable() -> impl IntoView {
    let server = expect_context::<Server>();
    let link = expect_context::<ReadSignal<LinkState>>();
    let lang = use_lang();
    let nodes = RwSignal::new(Vec::<CacheNodeInfo>::new());

    // (Re)load the node list and watch every node whenever the link comes up:
    // watches end with the socket.
    Effect::new(move |_| {
        if !matches!(link.get(), LinkState::Connected { .. }) {
            return;
        }
        spawn_local(async move {
            let Ok(ServerFrame::CacheNodes { nodes: list, .. }) = server
                .request(ClientFrame::CacheNodes(CacheNodes { id: None }))
                .await
            else {
                return;
            };
            for info in &list {
                server.send(&ClientFrame::CacheWatch(CacheNodeRef {
                    node: info.node,
                    id: None,
                }));
            }
            nodes.set(list);
        });
    });
    server.listen(move |frame| {
        if let ServerFrame::CacheEvents { node, stats, .. } = frame {
            nodes.update(|list| {
                if let Some(info) = list.iter_mut().find(|info| info.node == *node) {
                    info.items = stats.curr_items;
                    info.bytes = stats.bytes;
                    info.limit_bytes = stats.limit_maxbytes;
                }
            });
        }
    });

    view! {
        <Show when=move || !nodes.get().is_empty()>
            <table class="cache-nodes" data-testid="cache-nodes">
                <thead>
                    <tr>
                        <th scope="col">{move || texts(lang.get()).node}</th>
                        <th scope="col">{move || texts(lang.get()).address}</th>
                        <th scope="col">{move || texts(lang.get()).items}</th>
                        <th scope="col">{move || texts(lang.get()).memory}</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || nodes.get() key=|info| (info.node, info.items, info.bytes) let:info>
                        <tr data-node=info.node>
                            <td>{info.node}</td>
                            <td><code>{info.addr.clone()}</code></td>
                            <td class="items">{info.items}</td>
                            <td>{format_bytes(info.bytes)} " / " {format_bytes(info.limit_bytes)}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </Show>
    }
}

/// Bytes in the largest unit that keeps the number readable.
fn format_bytes(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let value = bytes as f64;
    if value >= KIB * KIB {
        format!("{:.1} MiB", value / (KIB * KIB))
    } else if value >= KIB {
        format!("{:.1} KiB", value / KIB)
    } else {
        format!("{bytes} B")
    }
}
