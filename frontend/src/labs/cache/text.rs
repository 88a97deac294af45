//! Every sentence of the cache lab, in English and Simplified Chinese (the
//! chapter's language): [`Texts::of`] gives a language's table. Labels are
//! fields; facts (what happened to a key, a node's answer, who acted, a
//! remedy, a read's verdict, the warm-up's progress, why a request failed)
//! are put into words by one exhaustive `match` per language, English and
//! Chinese side by side below the tables. A missing translation, or a fact
//! without its sentence, does not compile.

use fanout_shared::{
    cache::{
        EventKind,
        lab_ops::{CacheOp, CacheOutcome},
        slab_lab::{self, Refusal as SlabRefusal, Stored, Stranded, Totals},
        staleness::{
            Strategy, Updated, Verdict, keys_of,
            stampede::{Answer, Protection, Report},
        },
    },
    lang::Say,
    protocol::ObservedLink,
};

use super::{Who, backend::LabError, format_bytes, node_state::Departure, warmup::Progress};
use crate::i18n::Lang;

/// One language's texts of the cache lab.
#[derive(Debug)]
pub struct Texts {
    pub title: &'static str,
    pub lede: &'static str,
    pub what: &'static str,
    pub offline_mode: &'static str,
    pub skip_ahead: &'static str,
    pub skip_hint: &'static str,
    pub not_a_number: fn(&str) -> String,
    /// Why a request failed.
    pub failure: fn(&LabError) -> String,
    /// What happened to a key, in the feed.
    pub event: fn(EventKind) -> &'static str,
    /// Why a key left the list.
    pub departure: fn(Departure) -> &'static str,
    /// Who made an operation.
    pub who: fn(Who) -> String,
    /// A node's answer to an operation on `key`.
    pub result: fn(CacheOp, &str, CacheOutcome) -> String,
    /// The warm-up's progress.
    pub progress: fn(Progress) -> String,
    /// A stale-data remedy's name, and its rule in one line.
    pub strategy: fn(Strategy) -> &'static str,
    pub strategy_hint: fn(Strategy) -> &'static str,
    /// What an update did to the database and the cache.
    pub updated: fn(Updated) -> String,
    /// Where a read's value came from, and what that made it.
    pub source: fn(Verdict) -> &'static str,
    pub verdict: fn(Verdict) -> &'static str,
    /// How the hot key's readers read it, and what one read got.
    pub protection: fn(Protection) -> &'static str,
    pub answer: fn(Answer) -> &'static str,
    /// What a run of the hot key did, in one sentence.
    pub stampede_summary: fn(&Report) -> String,

    // 1. nodes
    pub nodes_title: &'static str,
    pub nodes_hint: &'static str,
    /// When a read moves a key to the top, given the nodes' bump interval
    /// in seconds (0: every read).
    pub lru_rule: fn(u64) -> String,
    pub nodes_feed_hint: &'static str,
    /// What goes between two sentences: a space in English, nothing in
    /// Chinese.
    pub sentence_gap: &'static str,
    pub outside_hint: &'static str,
    pub node_name: fn(usize) -> String,
    pub model_node_name: fn(usize) -> String,
    pub in_this_browser: &'static str,
    /// An observed real memcached's card (`--observe-memcached`): its name,
    /// what it is, and how the server's link to it stands.
    pub real_memcached: &'static str,
    pub real_memcached_hint: &'static str,
    pub observed_link: fn(ObservedLink) -> &'static str,
    pub memory: &'static str,
    pub items: &'static str,
    pub hits: &'static str,
    pub misses: &'static str,
    pub hit_ratio: &'static str,
    pub evictions: &'static str,
    pub expirations: &'static str,
    pub ratio_history: &'static str,
    pub keys_title: &'static str,
    pub no_keys: &'static str,
    pub more_keys: fn(u64) -> String,
    pub next_out: &'static str,
    pub ttl_never: &'static str,
    pub ttl_left: fn(u64) -> String,
    pub feed_title: &'static str,
    pub feed_empty: &'static str,
    pub skipped: fn(u64) -> String,
    pub limit_label: &'static str,
    pub set_limit: &'static str,
    pub flush: &'static str,
    pub restart: &'static str,
    pub limit_done: &'static str,
    pub flush_done: &'static str,
    pub restart_done: &'static str,

    // 2. try it
    pub try_title: &'static str,
    pub try_hint: &'static str,
    pub node_label: &'static str,
    pub key_label: &'static str,
    pub value_label: &'static str,
    pub ttl_label: &'static str,
    pub op_get: &'static str,
    pub op_set: &'static str,
    pub op_delete: &'static str,
    pub op_touch: &'static str,
    pub fill: fn(u32) -> String,
    pub filled: fn(u32) -> String,
    pub got_hit: fn(&str, &str, Option<u64>) -> String,
    pub got_miss: fn(&str) -> String,
    pub lru_tip: &'static str,

    // 3. warm-up
    pub warmup_title: &'static str,
    pub warmup_intro: &'static str,
    pub warmup_live: &'static str,
    pub warmup_offline: &'static str,
    pub runs_label: &'static str,
    pub requests_label: &'static str,
    pub max_n_label: &'static str,
    pub cost_label: &'static str,
    pub out_of_range: fn(&str, &str, u32, u32) -> String,
    pub memory_legend: &'static str,
    pub memory_keep: &'static str,
    pub memory_large: fn(&str) -> String,
    pub memory_small: fn(&str) -> String,
    pub flush_first: &'static str,
    pub warmup_start: &'static str,
    pub warmup_cancel: &'static str,
    pub successive_runs: fn(u32) -> String,
    pub col_run: &'static str,
    pub col_time: &'static str,
    pub col_compute: &'static str,
    pub col_hits: &'static str,
    pub col_misses: &'static str,
    pub col_ratio: &'static str,
    pub col_evictions: &'static str,
    pub chart_label: &'static str,
    pub axis_run: &'static str,
    pub legend_time: &'static str,
    pub legend_compute: &'static str,
    pub legend_ratio: &'static str,
    /// (hit ratio, items held, memory limit, squares in all, evictions in the last run)
    pub plateau: fn(&str, u64, &str, u64, u64) -> String,
    /// (misses in run 1, misses in the last run, requests per run, last hit ratio, cost in ms)
    pub warming: fn(u32, u32, u32, &str, u32) -> String,

    // 4. stale data
    pub stale_title: &'static str,
    pub stale_intro: &'static str,
    pub stale_where_live: fn(&str) -> String,
    pub stale_where_model: &'static str,
    pub strategy_legend: &'static str,
    pub stale_ttl_label: &'static str,
    pub db_title: &'static str,
    pub col_user: &'static str,
    pub col_name: &'static str,
    pub col_card: &'static str,
    pub col_keys: &'static str,
    pub update: &'static str,
    pub keys_map_hint: &'static str,
    pub read_all: &'static str,
    pub auto_read: &'static str,
    pub stale_reset: &'static str,
    pub col_reads: &'static str,
    pub col_from_cache: &'static str,
    pub col_stale: &'static str,
    // 4. stale data, the fourth remedy
    pub stampede_title: &'static str,
    pub stampede_intro: &'static str,
    pub stampede_readers: &'static str,
    pub stampede_expiries: &'static str,
    pub stampede_run: &'static str,
    pub stampede_out_of_range: &'static str,
    pub col_protection: &'static str,
    pub col_command: &'static str,
    pub col_expiries: &'static str,
    pub col_recomputes: &'static str,
    pub col_per_expiry: &'static str,
    pub col_stale_reads: &'static str,
    pub col_burst: &'static str,
    // 5. memory: slab classes
    pub slabs_title: &'static str,
    pub slabs_intro: &'static str,
    pub slabs_where: &'static str,
    pub slabs_memory: &'static str,
    pub slabs_factor: &'static str,
    pub slabs_reset: &'static str,
    pub slabs_value_bytes: &'static str,
    pub slabs_count: &'static str,
    pub slabs_store: &'static str,
    pub slabs_stranded: &'static str,
    pub slabs_empty: &'static str,
    pub slabs_no_pages: &'static str,
    pub col_class: &'static str,
    pub col_chunk: &'static str,
    pub col_per_page: &'static str,
    pub col_pages: &'static str,
    pub col_used: &'static str,
    pub col_free: &'static str,
    pub col_wasted: &'static str,
    pub col_evicted: &'static str,
    /// Why the slab lesson refused a setting.
    pub slab_refusal: fn(SlabRefusal) -> String,
    /// Where the items just stored went, and what that cost.
    pub slab_stored: fn(&Stored) -> String,
    /// What the stranded-memory scenario did.
    pub slab_stranded_summary: fn(&Stranded) -> String,
    /// The whole cache in one sentence.
    pub slab_totals: fn(&Totals) -> String,
}

const EN: Texts = Texts {
    title: "Cache lab",
    lede: "memcached as the chapter teaches it: a shared LRU dictionary with expiry, spread over \
           several servers. Watch keys arrive, age and get evicted; warm a cache up and see \
           requests get faster; see how stale data happens and how to avoid it.",
    what: "talk to the cache nodes",
    offline_mode: "Offline: no Fanout server is reachable, so this lab is running the cache \
                   model in your browser instead: the same Rust code the server's memcached \
                   nodes run (fanout_shared::cache), compiled to WebAssembly, on two model \
                   nodes, on virtual time. Everything below works; nothing leaves this page.",
    skip_ahead: "Skip 10 s ahead",
    skip_hint: "moves the model's virtual clock forward, so expiry times run out sooner.",
    not_a_number: |text| format!("“{text}” is not a number."),
    failure: en::failure,
    event: en::event,
    departure: en::departure,
    who: en::who,
    result: en::result,
    progress: en::progress,
    strategy: en::strategy,
    strategy_hint: en::strategy_hint,
    updated: en::updated,
    source: en::source,
    verdict: en::verdict,
    protection: en::protection,
    answer: en::answer,
    stampede_summary: en::stampede_summary,

    nodes_title: "1. The nodes, side by side",
    nodes_hint: "Each card is one memcached node, named by its address. Keys are listed most \
                 recently used first: when memory runs out, the bottom one goes first (items \
                 of very different sizes are in different slab classes, each with its own \
                 order: see section 5).",
    lru_rule: |seconds| match seconds {
        0 => "Every read moves a key to the top: these nodes run the textbook LRU \
              (--cache-bump-interval 0), where memcached waits a minute."
            .to_owned(),
        60 => "As in memcached, a read moves a key to the top only when it last moved more \
               than a minute ago, which spares hot keys the work."
            .to_owned(),
        seconds => format!(
            "A read moves a key to the top only when it last moved more than {seconds} s ago \
             (memcached waits a minute), which spares hot keys the work."
        ),
    },
    nodes_feed_hint: "Every operation appears in the node's feed, whoever makes it.",
    sentence_gap: " ",
    outside_hint: "Try it from outside the browser: store a key on node 0 from a terminal, or \
                   with the chapter's Python client, and watch it arrive.",
    node_name: |id| format!("Node {id}"),
    model_node_name: |id| format!("Model node {id}"),
    in_this_browser: "in this browser",
    real_memcached: "Real memcached",
    real_memcached_hint: "Read-only: a real memcached server this Fanout observes. Its keys come \
                          from lru_crawler metadump, its operations from watch (memcached before \
                          1.6.20 does not report deletions: a deleted key leaves at the next \
                          metadump, a few seconds later).",
    observed_link: en::observed_link,
    memory: "Memory",
    items: "Items",
    hits: "Hits",
    misses: "Misses",
    hit_ratio: "Hit ratio",
    evictions: "Evictions",
    expirations: "Expirations",
    ratio_history: "hit ratio, last minute",
    keys_title: "Keys, most recently used first",
    no_keys: "No keys.",
    more_keys: |n| format!("… and {n} more, less recently used."),
    next_out: "next out",
    ttl_never: "no expiry",
    ttl_left: |seconds| format!("{seconds} s left"),
    feed_title: "Live feed",
    feed_empty: "Nothing yet.",
    skipped: |n| {
        format!("{n} events were too many to stream and are left out (the counters are exact).")
    },
    limit_label: "Memory limit",
    set_limit: "Set limit",
    flush: "Flush",
    restart: "Restart",
    limit_done: "Limit set; least recently used keys evicted until it fits.",
    flush_done: "Flushed: every key dropped.",
    restart_done: "Restarted: the node came back empty with fresh counters, as after a crash. \
                   Its hit ratio starts again from zero.",

    try_title: "2. Try it",
    try_hint: "Read and write keys by hand. An expiry of 0 means never; up to 30 days it counts \
               seconds from now (memcached's rule).",
    node_label: "Node",
    key_label: "Key",
    value_label: "Value",
    ttl_label: "Expiry (s)",
    op_get: "Get",
    op_set: "Set",
    op_delete: "Delete",
    op_touch: "Touch",
    fill: |n| format!("Write {n} squares"),
    filled: |n| format!("Wrote {n} squares (sq:1 … sq:{n})."),
    got_hit: |key, value, ttl| match ttl {
        Some(seconds) => format!("get {key}: hit, “{value}”, expires in {seconds} s."),
        None => format!("get {key}: hit, “{value}”, never expires."),
    },
    got_miss: |key| format!("get {key}: miss, the cache does not hold it."),
    lru_tip: "To watch LRU eviction: set a node's limit to 2 KiB (room for about 30 squares), \
              write 40 squares, then get sq:1: it is gone (evicted), while sq:40 is a hit.",

    warmup_title: "3. Warm-up: the chapter's compute_square",
    warmup_intro: "The chapter's program asks the cache for sq:n and, on a miss, pretends to \
                   compute n² for 1 ms and stores it. Ten successive runs of 2,000 requests for a \
                   random n from 0 to 5,000 get faster as the cache fills, then level off.",
    warmup_live: "The server runs it beside the node, so that your browser's latency does not \
                  distort the times; its requests show up in the node's feed as “warm-up”.",
    warmup_offline: "Offline, the model runs it on virtual time: each computed square costs its \
                     pretend cost, each cache round trip 0.1 ms.",
    runs_label: "Runs",
    requests_label: "Requests per run",
    max_n_label: "Largest n",
    cost_label: "Cost per miss (ms)",
    out_of_range: |label, text, low, high| {
        format!("{label}: “{text}” is not a whole number from {low} to {high}.")
    },
    memory_legend: "Node memory for the experiment",
    memory_keep: "as it is now",
    memory_large: |limit| format!("{limit}: every square fits"),
    memory_small: |limit| format!("{limit}: fewer than 900 of the 5,001 squares fit"),
    flush_first: "Empty the node first (start cold)",
    warmup_start: "Run the experiment",
    warmup_cancel: "Cancel",
    successive_runs: |runs| match runs {
        10 => "Ten successive runs:".to_owned(),
        n => format!("{n} successive runs:"),
    },
    col_run: "Run",
    col_time: "Time",
    col_compute: "Computing",
    col_hits: "Hits",
    col_misses: "Misses",
    col_ratio: "Hit ratio",
    col_evictions: "Evictions",
    chart_label: "Time and hit ratio per run",
    axis_run: "run",
    legend_time: "time per run",
    legend_compute: "of which computing (misses × cost)",
    legend_ratio: "hit ratio",
    plateau: |ratio, items, limit, squares, evictions| {
        format!(
            "The curve levels off at about {ratio} hits: the node's {limit} hold only {items} of \
             the {squares} squares, so every square computed evicts the least recently used one \
             ({evictions} evictions in the last run): most squares are evicted again before \
             anyone asks for them a second time. Only more memory would make it faster (the \
             chapter: once memcached is full, speed no longer improves much)."
        )
    },
    warming: |first, last, requests, ratio, cost| {
        format!(
            "The cache warmed up: run 1 had to compute {first} of its {requests} squares \
             ({cost} ms each), the last run only {last}, so {ratio} of its requests were \
             answered from the cache. What remains is the round trips."
        )
    },

    stale_title: "4. Stale data",
    stale_intro: "A cache holds copies. When the database changes, the copies are stale until \
                  something removes or replaces them. Read the profiles through the cache (a miss \
                  reads the database and stores the value), update a record, and read again \
                  under each of the chapter's three remedies.",
    stale_where_live: |addr| {
        format!(
            "The cache here is the real node at {addr}, through the lab's frames; the database \
             is pretend, kept in this page."
        )
    },
    stale_where_model: "The cache here is the model node in your browser (offline); the database \
                        is pretend, kept in this page.",
    strategy_legend: "Remedy",
    stale_ttl_label: "Expiry (s)",
    db_title: "Pretend database",
    col_user: "User",
    col_name: "Name",
    col_card: "Card",
    col_keys: "Cache keys",
    update: "Update",
    keys_map_hint: "The map from each record to the cache keys holding copies of it is what \
                    makes invalidation possible.",
    read_all: "Read every profile",
    auto_read: "keep reading every second",
    stale_reset: "Reset",
    col_reads: "Reads",
    col_from_cache: "From cache",
    col_stale: "Stale",
    stampede_title: "A fourth remedy, memcached's own: a hot key under many readers",
    stampede_intro: "When a hot key runs out, every reader that misses goes to the database at \
                     once to recompute it: the thundering herd. memcached 1.6's meta protocol \
                     has the remedy: with mg's N (create on miss) and R (recache) flags, the \
                     first reader near the expiry is handed the win (W) and recomputes, and the \
                     others are told someone already won (Z) and read the old value meanwhile. \
                     The run below uses the cache's own item rules on virtual time: each reader \
                     reads once a second, and a recompute takes 2 s.",
    stampede_readers: "Concurrent readers",
    stampede_expiries: "Expiries",
    stampede_run: "Run both",
    stampede_out_of_range: "Readers: 1 to 64; expiries: 1 to 10.",
    col_protection: "Readers",
    col_command: "Each read",
    col_expiries: "Expiries",
    col_recomputes: "Recomputes (database)",
    col_per_expiry: "Per expiry",
    col_stale_reads: "Old value served",
    col_burst: "The second it came due",
    slabs_title: "5. Memory: slab classes",
    slabs_intro: "memcached does not give an item its exact size. It hands memory to slab \
                  classes one 1 MiB page at a time, and each class cuts its pages into chunks \
                  of one size; chunk sizes grow class by class by the growth factor (-f, 1.25 \
                  by default). An item goes into the smallest chunk that fits it, and the rest \
                  of the chunk is wasted. A page stays with the class that got it: the chunks \
                  that expired items leave are reused only by new items of the same class.",
    slabs_where: "This section runs, in your browser, the slab model the server's nodes run \
                  (fanout_shared::cache::slabs); its figures match real memcached 1.6.18's with \
                  the same -m, -f and -n.",
    slabs_memory: "Memory (-m, MiB)",
    slabs_factor: "Growth factor (-f)",
    slabs_reset: "Empty it, with these settings",
    slabs_value_bytes: "Value size (bytes)",
    slabs_count: "Items",
    slabs_store: "Store",
    slabs_stranded: "Show memory stranded in the wrong class",
    slabs_empty: "The cache is empty: store some items, or run the scenario.",
    slabs_no_pages: "No class has a page yet.",
    col_class: "Class",
    col_chunk: "Chunk",
    col_per_page: "Chunks per page",
    col_pages: "Pages",
    col_used: "Used chunks",
    col_free: "Free chunks",
    col_wasted: "Wasted in chunks",
    col_evicted: "Evicted",
    slab_refusal: en::slab_refusal,
    slab_stored: en::slab_stored,
    slab_stranded_summary: en::slab_stranded_summary,
    slab_totals: en::slab_totals,
};

const ZH: Texts = Texts {
    title: "缓存实验",
    lede: "按本章所讲的 memcached：一个带过期时间、分布在多台服务器上的共享 LRU 字典。\
           观察键的写入、老化和淘汰；预热缓存，看请求如何变快；看脏数据如何产生、如何避免。",
    what: "访问缓存节点",
    offline_mode: "离线：连不上 Fanout 服务器，所以本实验改为在你的浏览器里运行缓存模型：\
                   与服务器的 memcached 节点相同的 Rust 代码（fanout_shared::cache），\
                   编译成 WebAssembly，运行在两个模型节点上，使用虚拟时间。下面的一切照常可用，\
                   数据不会离开本页。",
    skip_ahead: "快进 10 秒",
    skip_hint: "把模型的虚拟时钟向前拨，过期时间会更快到。",
    not_a_number: |text| format!("“{text}”不是数字。"),
    failure: zh::failure,
    event: zh::event,
    departure: zh::departure,
    who: zh::who,
    result: zh::result,
    progress: zh::progress,
    strategy: zh::strategy,
    strategy_hint: zh::strategy_hint,
    updated: zh::updated,
    source: zh::source,
    verdict: zh::verdict,
    protection: zh::protection,
    answer: zh::answer,
    stampede_summary: zh::stampede_summary,

    nodes_title: "1. 各个节点并排显示",
    nodes_hint: "每张卡片是一个 memcached 节点，以地址命名。键按最近使用排序，最近的在上：\
                 内存用完时，最下面的最先被淘汰（大小相差很大的条目在不同的 slab 级别里，\
                 各有各的顺序：见第 5 节）。",
    lru_rule: |seconds| match seconds {
        0 => "每次读取都把键移到最上面：这些节点用的是教科书式的 LRU\
              （--cache-bump-interval 0），而 memcached 会等一分钟。"
            .to_owned(),
        60 => "和 memcached 一样，读取只在键上次移动超过一分钟时才把它移到最上面，\
               省去热门键的反复移动。"
            .to_owned(),
        seconds => format!(
            "读取只在键上次移动超过 {seconds} 秒时才把它移到最上面（memcached 等一分钟），\
             省去热门键的反复移动。"
        ),
    },
    nodes_feed_hint: "每个操作都会出现在节点的动态里，不论是谁做的。",
    sentence_gap: "",
    outside_hint: "从浏览器之外试试：在终端里，或用本章的 Python 客户端，往节点 0 存一个键，\
                   看它出现在这里。",
    node_name: |id| format!("节点 {id}"),
    model_node_name: |id| format!("模型节点 {id}"),
    in_this_browser: "在本浏览器中",
    real_memcached: "真实的 memcached",
    real_memcached_hint: "只读：本 Fanout 观察的一台真实 memcached 服务器。它的键来自 \
                          lru_crawler metadump，它的操作来自 watch（1.6.20 之前的 memcached \
                          不报告删除：被删除的键会在几秒后的下一次 metadump 时离开）。",
    observed_link: zh::observed_link,
    memory: "内存",
    items: "条目",
    hits: "命中",
    misses: "未命中",
    hit_ratio: "命中率",
    evictions: "淘汰",
    expirations: "过期",
    ratio_history: "命中率，最近一分钟",
    keys_title: "键，最近使用的在前",
    no_keys: "没有键。",
    more_keys: |n| format!("……另有 {n} 个较久未用的键。"),
    next_out: "下一个淘汰",
    ttl_never: "不过期",
    ttl_left: |seconds| format!("剩 {seconds} 秒"),
    feed_title: "实时动态",
    feed_empty: "暂无。",
    skipped: |n| format!("有 {n} 个事件太多来不及传送，未显示（计数器是准确的）。"),
    limit_label: "内存上限",
    set_limit: "设置上限",
    flush: "清空",
    restart: "重启",
    limit_done: "上限已设置；最久未用的键被淘汰，直到放得下为止。",
    flush_done: "已清空：所有键都被丢弃。",
    restart_done: "已重启：节点像崩溃后一样，回来时是空的，计数器从头开始，命中率从零重新算起。",

    try_title: "2. 动手试试",
    try_hint: "手动读写键。过期时间为 0 表示永不过期；不超过 30 天时表示从现在起的秒数\
               （memcached 的规则）。",
    node_label: "节点",
    key_label: "键",
    value_label: "值",
    ttl_label: "过期（秒）",
    op_get: "读取",
    op_set: "写入",
    op_delete: "删除",
    op_touch: "续期",
    fill: |n| format!("写入 {n} 个平方数"),
    filled: |n| format!("已写入 {n} 个平方数（sq:1 … sq:{n}）。"),
    got_hit: |key, value, ttl| match ttl {
        Some(seconds) => format!("get {key}：命中，“{value}”，{seconds} 秒后过期。"),
        None => format!("get {key}：命中，“{value}”，永不过期。"),
    },
    got_miss: |key| format!("get {key}：未命中，缓存里没有它。"),
    lru_tip: "想看 LRU 淘汰：把某个节点的上限设为 2 KiB（约能放 30 个平方数），写入 40 个平方数，\
              再读取 sq:1：它已经不在了（被淘汰），而 sq:40 会命中。",

    warmup_title: "3. 预热：本章的 compute_square",
    warmup_intro: "本章的程序先向缓存查询 sq:n；未命中时，假装花 1 毫秒计算 n²，然后存入缓存。\
                   对 0 到 5000 之间的随机 n 连续运行十轮、每轮 2000 个请求：缓存越满，速度越快，\
                   然后趋于平稳。",
    warmup_live: "实验由服务器在节点旁边运行，这样浏览器的延迟不会扭曲计时；\
                  它的请求会以“预热”出现在节点的动态里。",
    warmup_offline: "离线时由模型在虚拟时间上运行：每计算一个平方数花费设定的假装耗时，\
                     每次缓存往返 0.1 毫秒。",
    runs_label: "轮数",
    requests_label: "每轮请求数",
    max_n_label: "最大的 n",
    cost_label: "每次未命中耗时（毫秒）",
    out_of_range: |label, text, low, high| {
        format!("{label}：“{text}”不是 {low} 到 {high} 之间的整数。")
    },
    memory_legend: "实验用的节点内存",
    memory_keep: "保持现状",
    memory_large: |limit| format!("{limit}：所有平方数都放得下"),
    memory_small: |limit| format!("{limit}：5001 个平方数里只放得下不到 900 个"),
    flush_first: "先清空节点（冷启动）",
    warmup_start: "运行实验",
    warmup_cancel: "取消",
    successive_runs: |runs| format!("连续运行 {runs} 轮："),
    col_run: "轮次",
    col_time: "耗时",
    col_compute: "计算",
    col_hits: "命中",
    col_misses: "未命中",
    col_ratio: "命中率",
    col_evictions: "淘汰",
    chart_label: "每轮的耗时与命中率",
    axis_run: "轮次",
    legend_time: "每轮耗时",
    legend_compute: "其中计算耗时（未命中数 × 单次耗时）",
    legend_ratio: "命中率",
    plateau: |ratio, items, limit, squares, evictions| {
        format!(
            "曲线在命中率约 {ratio} 处趋于平稳：节点的 {limit} 内存只放得下 {squares} 个平方数中的 \
             {items} 个，所以每算出一个新平方数，就要淘汰一个最久未用的（最后一轮淘汰了 {evictions} 次）：\
             大多数平方数在被第二次请求之前就又被淘汰了。只有更多内存才能更快\
             （本章：Memcached 存满之后，速度就不会再有显著提升了）。"
        )
    },
    warming: |first, last, requests, ratio, cost| {
        format!(
            "缓存预热了：第 1 轮的 {requests} 个请求中有 {first} 个平方数要计算（每个 {cost} 毫秒），\
             最后一轮只有 {last} 个，{ratio} 的请求由缓存直接回答。剩下的只是往返的时间。"
        )
    },

    stale_title: "4. 脏数据",
    stale_intro: "缓存里存的是副本。数据库一变，副本就成了脏数据，直到有东西把它删掉或替换掉。\
                  通过缓存读取用户资料（未命中时读数据库并存入缓存），更新一条记录，\
                  再在本章的三种办法下分别读一次。",
    stale_where_live: |addr| {
        format!(
            "这里的缓存是地址为 {addr} 的真实节点，通过本实验的帧访问；数据库是假的，保存在本页中。"
        )
    },
    stale_where_model: "这里的缓存是你浏览器里的模型节点（离线）；数据库是假的，保存在本页中。",
    strategy_legend: "办法",
    stale_ttl_label: "过期（秒）",
    db_title: "假数据库",
    col_user: "用户",
    col_name: "姓名",
    col_card: "银行卡",
    col_keys: "缓存键",
    update: "更新",
    keys_map_hint: "正是这张从记录到缓存键的映射，让主动移除成为可能。",
    read_all: "读取所有资料",
    auto_read: "每秒自动读取",
    stale_reset: "重置",
    col_reads: "读取",
    col_from_cache: "来自缓存",
    col_stale: "脏数据",
    stampede_title: "第四种办法，memcached 自己的：很多读者同时读的热键",
    stampede_intro: "热键一过期，所有未命中的读者会同时去数据库重新计算它：这就是惊群。\
                     memcached 1.6 的 meta 协议自带办法：用 mg 的 N（未命中时创建）和 R（提前重算）标志，\
                     快过期时第一个读者拿到“胜出”（W）去重新计算，其他读者被告知已有人胜出（Z），\
                     在此期间继续读旧值。下面的运行在虚拟时间上使用缓存自己的条目规则：\
                     每个读者每秒读一次，重新计算需要 2 秒。",
    stampede_readers: "同时读取的读者",
    stampede_expiries: "过期次数",
    stampede_run: "两种都运行",
    stampede_out_of_range: "读者：1 到 64；过期次数：1 到 10。",
    col_protection: "读者",
    col_command: "每次读取",
    col_expiries: "过期次数",
    col_recomputes: "重新计算（数据库）",
    col_per_expiry: "每次过期",
    col_stale_reads: "读到旧值",
    col_burst: "到期的那一秒",
    slabs_title: "5. 内存：slab 分级",
    slabs_intro: "memcached 并不按条目的确切大小分配内存。它把内存按 1 MiB 的页分给各个 slab \
                  级别，每一级把页切成同样大小的块（chunk），块的大小逐级乘以增长因子（-f，\
                  默认 1.25）。一个条目放进能装下它的最小的块，块里剩下的字节就浪费了。\
                  一页一旦分给某一级，就一直属于那一级：过期条目腾出的块只给同一级的新条目用。",
    slabs_where: "这一节在你的浏览器里运行服务器节点所用的同一个 slab 模型（fanout_shared::cache::slabs），\
                  与真实 memcached 1.6.18 在相同 -m、-f、-n 下的数字一致。",
    slabs_memory: "内存（-m，MiB）",
    slabs_factor: "增长因子（-f）",
    slabs_reset: "清空并采用这些设置",
    slabs_value_bytes: "值的大小（字节）",
    slabs_count: "条目数",
    slabs_store: "写入",
    slabs_stranded: "演示：内存被困在错误的级别",
    slabs_empty: "缓存是空的：写入一些条目，或者运行演示。",
    slabs_no_pages: "还没有哪个级别拿到页。",
    col_class: "级别",
    col_chunk: "块大小",
    col_per_page: "每页块数",
    col_pages: "页",
    col_used: "已用块",
    col_free: "空闲块",
    col_wasted: "块内浪费",
    col_evicted: "驱逐",
    slab_refusal: zh::slab_refusal,
    slab_stored: zh::slab_stored,
    slab_stranded_summary: zh::slab_stranded_summary,
    slab_totals: zh::slab_totals,
};

impl Texts {
    /// The texts of `lang`.
    pub fn of(lang: Lang) -> &'static Texts {
        match lang {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

/// The facts in English.
mod en {
    use super::*;

    pub fn failure(error: &LabError) -> String {
        match error {
            LabError::Disconnected => "Not connected to the Fanout server.".to_owned(),
            LabError::ServerRefused { message, refusal } => format!(
                "The server refused: {}",
                refusal
                    .as_ref()
                    .map_or_else(|| message.clone(), |r| r.say(Lang::En))
            ),
            LabError::ModelRefused(refusal) => {
                format!("The model refused: {}", refusal.say(Lang::En))
            }
        }
    }

    pub fn event(kind: EventKind) -> &'static str {
        match kind {
            EventKind::Set => "set",
            EventKind::Hit => "hit",
            EventKind::Miss => "miss",
            EventKind::Delete => "delete",
            EventKind::Evict => "evict",
            EventKind::Expire => "expire",
            EventKind::Flush => "flush",
            EventKind::Touch => "touch",
            EventKind::Log => "memcached log record",
        }
    }

    pub fn departure(departure: Departure) -> &'static str {
        match departure {
            Departure::Deleted => "deleted",
            Departure::Evicted => "evicted",
            Departure::Expired => "expired",
            Departure::Flushed => "flushed",
        }
    }

    pub fn observed_link(link: ObservedLink) -> &'static str {
        match link {
            ObservedLink::Connecting => "connecting",
            ObservedLink::Watching => "watching",
            ObservedLink::Unreachable => "unreachable, retrying",
        }
    }

    pub fn who(who: Who) -> String {
        match who {
            Who::You => "you".to_owned(),
            Who::Warmup => "warm-up".to_owned(),
            Who::Cache => "the cache".to_owned(),
            Who::Other(conn) => format!("client #{conn}"),
        }
    }

    pub fn result(op: CacheOp, key: &str, outcome: CacheOutcome) -> String {
        let word = match outcome {
            CacheOutcome::Stored => "stored",
            CacheOutcome::NotStored => "not stored",
            CacheOutcome::Exists => "changed since it was read",
            CacheOutcome::NotFound => "not found",
            CacheOutcome::TooLarge => "too large for an item (1 MiB at most)",
            CacheOutcome::OutOfMemory => "larger than the node's whole memory limit",
            CacheOutcome::Deleted => "deleted",
            CacheOutcome::Touched => "new expiry time set",
            CacheOutcome::Ok => "done",
        };
        format!("{} {key}: {word}", op.name())
    }

    pub fn progress(progress: Progress) -> String {
        match progress {
            Progress::Idle => String::new(),
            Progress::Starting => "Starting…".to_owned(),
            Progress::Running { run, runs } => format!("Run {run} of {runs}…"),
            Progress::Done { runs } => format!("Done: {runs} runs."),
            Progress::Cancelled { runs } => format!("Cancelled after {runs} runs."),
            Progress::Interrupted => {
                "The connection changed, so the experiment stopped.".to_owned()
            }
        }
    }

    pub fn strategy(strategy: Strategy) -> &'static str {
        match strategy {
            Strategy::Expiry => "Expiry time",
            Strategy::Invalidate => "Invalidate",
            Strategy::Overwrite => "Overwrite",
        }
    }

    pub fn strategy_hint(strategy: Strategy) -> &'static str {
        match strategy {
            Strategy::Expiry => {
                "entries live a few seconds; an update leaves the cache alone, so readers see \
                 the old value until it expires."
            }
            Strategy::Invalidate => {
                "an update deletes the keys derived from the record; the next read misses and \
                 fetches fresh data."
            }
            Strategy::Overwrite => "an update writes the fresh values over the cached ones.",
        }
    }

    pub fn updated(updated: Updated) -> String {
        let Updated { id, strategy, ttl } = updated;
        let keys = keys_of(id).join(", ");
        match strategy {
            Strategy::Expiry => format!(
                "User {id} updated in the database; the cache is untouched, so reads may be \
                 stale for up to {ttl} s."
            ),
            Strategy::Invalidate => {
                format!("User {id} updated in the database; deleted {keys} from the cache.")
            }
            Strategy::Overwrite => {
                format!("User {id} updated in the database; wrote the fresh values to {keys}.")
            }
        }
    }

    pub fn source(verdict: Verdict) -> &'static str {
        match verdict {
            Verdict::Fresh | Verdict::Stale => "from the cache",
            Verdict::Miss => "from the database",
        }
    }

    pub fn verdict(verdict: Verdict) -> &'static str {
        match verdict {
            Verdict::Fresh => "fresh",
            Verdict::Stale => "STALE",
            Verdict::Miss => "miss, stored",
        }
    }

    pub fn protection(protection: Protection) -> &'static str {
        match protection {
            Protection::Off => "No remedy: get, recompute on a miss",
            Protection::Meta => "memcached's remedy: one winner",
        }
    }

    pub fn answer(answer: Answer) -> &'static str {
        match answer {
            Answer::Hit => "hit",
            Answer::Miss => "miss: recomputes from the database",
            Answer::Won => "won (W): recomputes from the database",
            Answer::AlreadyWon => "already won (Z): reads the old value",
            Answer::Wait => "already won (Z), nothing cached yet: waits",
        }
    }

    pub fn stampede_summary(report: &Report) -> String {
        let Report {
            readers,
            expiries,
            recomputes,
            stale_reads,
            ..
        } = report;
        match report.protection {
            Protection::Off => format!(
                "Without a remedy, {readers} readers through {expiries} expiries sent \
                 {recomputes} recomputes to the database: one per reader per expiry."
            ),
            Protection::Meta => format!(
                "With memcached's remedy, the same {readers} readers through {expiries} \
                 expiries sent {recomputes} recomputes to the database, one per expiry; the \
                 others read the old value {stale_reads} times while the winner recomputed."
            ),
        }
    }

    pub fn slab_refusal(refusal: SlabRefusal) -> String {
        match refusal {
            SlabRefusal::Memory => format!(
                "Memory: {} to {} MiB.",
                slab_lab::MEMORY_MIB.start(),
                slab_lab::MEMORY_MIB.end()
            ),
            SlabRefusal::GrowthFactor => format!(
                "Growth factor: {} to {}.",
                slab_lab::GROWTH_FACTOR.start(),
                slab_lab::GROWTH_FACTOR.end()
            ),
            SlabRefusal::ValueBytes => format!(
                "Value size: {} to {} bytes.",
                slab_lab::VALUE_BYTES.start(),
                slab_lab::VALUE_BYTES.end()
            ),
            SlabRefusal::Count => format!(
                "Items: {} to {} at a time.",
                slab_lab::COUNT.start(),
                slab_lab::COUNT.end()
            ),
        }
    }

    pub fn slab_stored(stored: &Stored) -> String {
        let placement = stored.placement;
        let chunks = if placement.chunks > 1 {
            format!(" ({} chunks)", placement.chunks)
        } else {
            String::new()
        };
        format!(
            "Each item is {} B ({}-byte key + {}-byte value + 59 bytes of header, cas and \
             line ends) and goes to class {}, whose chunks are {} B{chunks}: {} B of each \
             is wasted. Stored {}; this class got {} new page(s) and evicted {}. If all the \
             memory held only such items, it would hold {} of them, not the {} that the \
             limit divided by the item size suggests.",
            placement.item_bytes,
            stored.key_bytes,
            stored.value_bytes,
            placement.class,
            placement.chunk_size,
            placement.wasted(),
            stored.count,
            stored.new_pages,
            stored.evicted,
            stored.chunk_capacity,
            stored.naive_capacity,
        )
    }

    pub fn slab_stranded_summary(report: &Stranded) -> String {
        let Stranded {
            small,
            deleted,
            small_free_bytes,
            large,
        } = report;
        format!(
            "{} items of {} B filled class {} with every page the limit allows (and {} were \
             evicted). Deleting {deleted} of them left {} free in class {}, but those chunks \
             are {} B. Then {} items of {} B went to class {}: it got only its first page, \
             {} chunks, and evicted {} of its own items while the free memory stayed \
             stranded in class {}. (memcached's slab mover would hand pages over in time; \
             Fanout does not move pages.)",
            small.count,
            small.placement.item_bytes,
            small.placement.class,
            small.evicted,
            format_bytes(*small_free_bytes),
            small.placement.class,
            small.placement.chunk_size,
            large.count,
            large.placement.item_bytes,
            large.placement.class,
            large.count - large.evicted,
            large.evicted,
            small.placement.class,
        )
    }

    pub fn slab_totals(totals: &Totals) -> String {
        format!(
            "Limit {}; pages handed out {}. {} items need {} but their chunks take more: {} \
             inside chunks is wasted, and {} of free chunks can serve only their own class. \
             Evictions so far: {}.",
            format_bytes(totals.limit),
            format_bytes(totals.malloced),
            totals.items,
            format_bytes(totals.requested),
            format_bytes(totals.wasted),
            format_bytes(totals.free),
            totals.evictions,
        )
    }
}

/// The facts in Chinese.
mod zh {
    use super::*;

    pub fn failure(error: &LabError) -> String {
        match error {
            LabError::Disconnected => "没有连接到 Fanout 服务器。".to_owned(),
            LabError::ServerRefused { message, refusal } => format!(
                "服务器拒绝了：{}",
                refusal
                    .as_ref()
                    .map_or_else(|| message.clone(), |r| r.say(Lang::Zh))
            ),
            LabError::ModelRefused(refusal) => format!("模型拒绝了：{}", refusal.say(Lang::Zh)),
        }
    }

    pub fn event(kind: EventKind) -> &'static str {
        match kind {
            EventKind::Set => "写入",
            EventKind::Hit => "命中",
            EventKind::Miss => "未命中",
            EventKind::Delete => "删除",
            EventKind::Evict => "淘汰",
            EventKind::Expire => "过期",
            EventKind::Flush => "清空",
            EventKind::Touch => "续期",
            EventKind::Log => "memcached 日志记录",
        }
    }

    pub fn departure(departure: Departure) -> &'static str {
        match departure {
            Departure::Deleted => "已删除",
            Departure::Evicted => "已淘汰",
            Departure::Expired => "已过期",
            Departure::Flushed => "已清空",
        }
    }

    pub fn observed_link(link: ObservedLink) -> &'static str {
        match link {
            ObservedLink::Connecting => "连接中",
            ObservedLink::Watching => "观察中",
            ObservedLink::Unreachable => "无法连接，正在重试",
        }
    }

    pub fn who(who: Who) -> String {
        match who {
            Who::You => "你".to_owned(),
            Who::Warmup => "预热".to_owned(),
            Who::Cache => "缓存自身".to_owned(),
            Who::Other(conn) => format!("客户端 #{conn}"),
        }
    }

    pub fn result(op: CacheOp, key: &str, outcome: CacheOutcome) -> String {
        let word = match outcome {
            CacheOutcome::Stored => "已存储",
            CacheOutcome::NotStored => "未存储",
            CacheOutcome::Exists => "读取之后已被改动",
            CacheOutcome::NotFound => "不存在",
            CacheOutcome::TooLarge => "条目太大（最多 1 MiB）",
            CacheOutcome::OutOfMemory => "比节点的整个内存上限还大",
            CacheOutcome::Deleted => "已删除",
            CacheOutcome::Touched => "已设置新的过期时间",
            CacheOutcome::Ok => "完成",
        };
        format!("{} {key}：{word}", op.name())
    }

    pub fn progress(progress: Progress) -> String {
        match progress {
            Progress::Idle => String::new(),
            Progress::Starting => "正在开始……".to_owned(),
            Progress::Running { run, runs } => format!("第 {run} 轮，共 {runs} 轮……"),
            Progress::Done { runs } => format!("完成：共 {runs} 轮。"),
            Progress::Cancelled { runs } => format!("已在 {runs} 轮后取消。"),
            Progress::Interrupted => "连接发生了变化，实验已停止。".to_owned(),
        }
    }

    pub fn strategy(strategy: Strategy) -> &'static str {
        match strategy {
            Strategy::Expiry => "过期时间",
            Strategy::Invalidate => "主动移除",
            Strategy::Overwrite => "重写",
        }
    }

    pub fn strategy_hint(strategy: Strategy) -> &'static str {
        match strategy {
            Strategy::Expiry => {
                "缓存项只存活几秒；更新时不动缓存，所以在过期之前，读到的都是旧值。"
            }
            Strategy::Invalidate => "更新时删除由这条记录派生出的键；下次读取未命中，取回新数据。",
            Strategy::Overwrite => "更新时用新内容覆盖缓存里的旧值。",
        }
    }

    pub fn updated(updated: Updated) -> String {
        let Updated { id, strategy, ttl } = updated;
        let keys = keys_of(id).join(", ");
        match strategy {
            Strategy::Expiry => format!(
                "数据库中的用户 {id} 已更新；缓存没有变，所以最多 {ttl} 秒内可能读到脏数据。"
            ),
            Strategy::Invalidate => format!("数据库中的用户 {id} 已更新；已从缓存删除 {keys}。"),
            Strategy::Overwrite => format!("数据库中的用户 {id} 已更新；已把新值写入 {keys}。"),
        }
    }

    pub fn source(verdict: Verdict) -> &'static str {
        match verdict {
            Verdict::Fresh | Verdict::Stale => "来自缓存",
            Verdict::Miss => "来自数据库",
        }
    }

    pub fn verdict(verdict: Verdict) -> &'static str {
        match verdict {
            Verdict::Fresh => "新鲜",
            Verdict::Stale => "脏数据",
            Verdict::Miss => "未命中，已存入",
        }
    }

    pub fn protection(protection: Protection) -> &'static str {
        match protection {
            Protection::Off => "不设防：get，未命中就重新计算",
            Protection::Meta => "memcached 的办法：只有一个胜出者",
        }
    }

    pub fn answer(answer: Answer) -> &'static str {
        match answer {
            Answer::Hit => "命中",
            Answer::Miss => "未命中：去数据库重新计算",
            Answer::Won => "胜出（W）：去数据库重新计算",
            Answer::AlreadyWon => "已有人胜出（Z）：读旧值",
            Answer::Wait => "已有人胜出（Z），还没有值：等待",
        }
    }

    pub fn stampede_summary(report: &Report) -> String {
        let Report {
            readers,
            expiries,
            recomputes,
            stale_reads,
            ..
        } = report;
        match report.protection {
            Protection::Off => format!(
                "不设防时，{readers} 个读者经历 {expiries} 次过期，向数据库发出了 \
                 {recomputes} 次重新计算：每个读者每次过期一次。"
            ),
            Protection::Meta => format!(
                "用 memcached 的办法，同样 {readers} 个读者经历 {expiries} 次过期，\
                 只向数据库发出了 {recomputes} 次重新计算，每次过期一次；\
                 胜出者重新计算期间，其他读者读了 {stale_reads} 次旧值。"
            ),
        }
    }

    pub fn slab_refusal(refusal: SlabRefusal) -> String {
        match refusal {
            SlabRefusal::Memory => format!(
                "内存：{} 到 {} MiB。",
                slab_lab::MEMORY_MIB.start(),
                slab_lab::MEMORY_MIB.end()
            ),
            SlabRefusal::GrowthFactor => format!(
                "增长因子：{} 到 {}。",
                slab_lab::GROWTH_FACTOR.start(),
                slab_lab::GROWTH_FACTOR.end()
            ),
            SlabRefusal::ValueBytes => format!(
                "值的大小：{} 到 {} 字节。",
                slab_lab::VALUE_BYTES.start(),
                slab_lab::VALUE_BYTES.end()
            ),
            SlabRefusal::Count => format!(
                "条目数：每次 {} 到 {}。",
                slab_lab::COUNT.start(),
                slab_lab::COUNT.end()
            ),
        }
    }

    pub fn slab_stored(stored: &Stored) -> String {
        let placement = stored.placement;
        let chunks = if placement.chunks > 1 {
            format!("（{} 个块）", placement.chunks)
        } else {
            String::new()
        };
        format!(
            "每个条目 {} B（{} 字节的键 + {} 字节的值 + 59 字节的头部、cas 和行尾），\
             放进第 {} 级，块大小 {} B{chunks}：每块浪费 {} B。写入 {} 个；这一级新拿到 {} 页，\
             驱逐了 {} 个。如果全部内存只放这种条目，能放 {} 个，而不是\
             “内存上限 ÷ 条目大小”算出的 {} 个。",
            placement.item_bytes,
            stored.key_bytes,
            stored.value_bytes,
            placement.class,
            placement.chunk_size,
            placement.wasted(),
            stored.count,
            stored.new_pages,
            stored.evicted,
            stored.chunk_capacity,
            stored.naive_capacity,
        )
    }

    pub fn slab_stranded_summary(report: &Stranded) -> String {
        let Stranded {
            small,
            deleted,
            small_free_bytes,
            large,
        } = report;
        format!(
            "{} 个 {} B 的条目占满了第 {} 级能拿到的所有页（还驱逐了 {} 个）。删掉其中 {deleted} 个后，\
             第 {} 级空出了 {}，但那些块只有 {} B。接着 {} 个 {} B 的条目进了第 {} 级：\
             它只拿到自己的第一页，{} 个块，于是驱逐了自己的 {} 个条目，而空闲的内存仍然困在\
             第 {} 级。（memcached 的 slab 搬运线程过一段时间会把页移过去；Fanout 不搬页。）",
            small.count,
            small.placement.item_bytes,
            small.placement.class,
            small.evicted,
            small.placement.class,
            format_bytes(*small_free_bytes),
            small.placement.chunk_size,
            large.count,
            large.placement.item_bytes,
            large.placement.class,
            large.count - large.evicted,
            large.evicted,
            small.placement.class,
        )
    }

    pub fn slab_totals(totals: &Totals) -> String {
        format!(
            "上限 {}；已分出的页 {}。{} 个条目本身需要 {}，但它们占的块更多：块内浪费 {}，\
             另有 {} 的空闲块只能给各自的级别用。目前驱逐：{} 个。",
            format_bytes(totals.limit),
            format_bytes(totals.malloced),
            totals.items,
            format_bytes(totals.requested),
            format_bytes(totals.wasted),
            format_bytes(totals.free),
            totals.evictions,
        )
    }
}
