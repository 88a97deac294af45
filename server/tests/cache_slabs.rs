//! Fanout's slab classes against real memcached 1.6.18 (the oracle): the
//! same `-m`, `-f` and `-n` (Fanout's `--cache-memory`,
//! `--cache-growth-factor`, `--cache-min-chunk`), the same command
//! sequences, and then `stats slabs`, `stats items` and `stats` must agree
//! on every figure that describes memory: chunk sizes, pages per class,
//! used and free chunks, items and their requested bytes per class,
//! evictions, and the per-class command counters.
//!
//! Left out, as `docs/protocol.md` ("Slab classes") explains: the hot,
//! warm and cold segment counts and the movers' counters (a node has one
//! LRU per class), `age` and `evicted_time` (seconds, which depend on when
//! each server's clock ticks; the model's tests check them exactly),
//! and which of memcached's threads reclaimed an expired item
//! (`reclaimed` against `crawler_reclaimed`).

mod cache_support;
mod common;

use std::{collections::BTreeMap, net::SocketAddr, time::Duration};

use cache_support::{Memcached, exchange, tool};
use common::Fanout;

/// A real memcached and a one-node Fanout started with the same slab
/// settings.
struct Pair {
    oracle: Memcached,
    fanout: Fanout,
    label: String,
}

impl Pair {
    fn start(memory_mib: u64, factor: &str, min_chunk: u32) -> Option<Pair> {
        let binary = tool("FANOUT_MEMCACHED")?;
        let min_chunk = min_chunk.to_string();
        let oracle = Memcached::start_with(&binary, memory_mib, &["-f", factor, "-n", &min_chunk]);
        let memory = memory_mib.to_string();
        let fanout = Fanout::start(&[
            "--cache-nodes",
            "1",
            "--cache-memory",
            &memory,
            "--cache-growth-factor",
            factor,
            "--cache-min-chunk",
            &min_chunk,
        ]);
        Some(Pair {
            oracle,
            fanout,
            label: format!("-m {memory_mib} -f {factor} -n {min_chunk}"),
        })
    }

    fn node(&self) -> SocketAddr {
        self.fanout.cache_nodes[0]
    }

    /// Sends the same bytes to both and returns both replies.
    fn both(&self, request: &[u8]) -> (Vec<u8>, Vec<u8>) {
        (
            exchange(self.oracle.addr, request),
            exchange(self.node(), request),
        )
    }

    /// Every figure of memory the two must agree on.
    fn assert_same_memory(&self, phase: &str) {
        let expected = memory_figures(self.oracle.addr);
        let actual = memory_figures(self.node());
        assert!(
            expected.contains_key("total_malloced"),
            "memcached answered stats slabs"
        );
        let differences: Vec<String> = expected
            .keys()
            .chain(actual.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .filter(|name| expected.get(*name) != actual.get(*name))
            .map(|name| {
                format!(
                    "{name}: memcached {:?}, fanout {:?}",
                    expected.get(name),
                    actual.get(name)
                )
            })
            .collect();
        assert!(
            differences.is_empty(),
            "{} after {phase}:\n{}",
            self.label,
            differences.join("\n")
        );
        println!(
            "{} after {phase}: {} figures agree (total_malloced {}, evictions {}, curr_items {})",
            self.label,
            expected.len(),
            expected["total_malloced"],
            expected["evictions"],
            expected["curr_items"]
        );
    }
}

/// `stats <topic>` as name → value.
fn stats(addr: SocketAddr, topic: &str) -> BTreeMap<String, String> {
    let reply = exchange(
        addr,
        format!("stats {topic}\r\n")
            .trim_end_matches(' ')
            .as_bytes(),
    );
    String::from_utf8(reply)
        .expect("stats are text")
        .lines()
        .filter_map(|line| {
            let mut words = line.strip_prefix("STAT ")?.splitn(2, ' ');
            Some((words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .collect()
}

/// The figures of `stats slabs`, `stats items` and `stats` that describe
/// memory, under their memcached names.
fn memory_figures(addr: SocketAddr) -> BTreeMap<String, String> {
    const SLAB_FIELDS: &[&str] = &[
        "chunk_size",
        "chunks_per_page",
        "total_pages",
        "total_chunks",
        "used_chunks",
        "free_chunks",
        "get_hits",
        "cmd_set",
        "delete_hits",
        "incr_hits",
        "decr_hits",
        "cas_hits",
        "cas_badval",
        "touch_hits",
    ];
    const ITEM_FIELDS: &[&str] = &[
        "number",
        "mem_requested",
        "evicted",
        "evicted_nonzero",
        "evicted_unfetched",
        "outofmemory",
    ];
    let mut figures = BTreeMap::new();
    for (name, value) in stats(addr, "slabs") {
        let field = name.rsplit(':').next().unwrap_or(&name);
        if SLAB_FIELDS.contains(&field) || name == "active_slabs" || name == "total_malloced" {
            figures.insert(format!("slabs {name}"), value);
        }
    }
    for (name, value) in stats(addr, "items") {
        let field = name.rsplit(':').next().unwrap_or(&name);
        if ITEM_FIELDS.contains(&field) {
            figures.insert(name, value);
        }
    }
    let general = stats(addr, "");
    for name in ["curr_items", "total_items", "evictions", "limit_maxbytes"] {
        figures.insert(name.to_owned(), general[name].clone());
    }
    if let Some(total) = figures.get("slabs total_malloced").cloned() {
        figures.insert("total_malloced".to_owned(), total);
    }
    figures
}

/// `count` sets with noreply of new keys `{prefix}{i:06}`, values of
/// `value_len` bytes.
fn sets(prefix: &str, count: usize, value_len: usize, flags: u32, exptime: u32) -> Vec<u8> {
    let value = "v".repeat(value_len);
    let mut request = Vec::new();
    for i in 0..count {
        request.extend_from_slice(
            format!("set {prefix}{i:06} {flags} {exptime} {value_len} noreply\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    request
}

/// The sets must have been silent on both (noreply), or something failed.
fn assert_silent(replies: (Vec<u8>, Vec<u8>)) {
    let (oracle, node) = replies;
    assert_eq!(
        String::from_utf8_lossy(&oracle),
        String::from_utf8_lossy(&node),
        "the two answered the same"
    );
}

/// Reads and commands after the fills, so that the per-class counters of
/// `stats slabs` have something to count: hits on the newest keys, a
/// miss, deletes, touch, incr and a cas with a bad unique.
fn reads_and_updates(prefix: &str, newest: usize) -> Vec<u8> {
    let mut request = Vec::new();
    for i in newest - 20..newest {
        request.extend_from_slice(format!("get {prefix}{i:06}\r\n").as_bytes());
    }
    request.extend_from_slice(b"get nobody-has-this\r\n");
    for i in newest - 5..newest {
        request.extend_from_slice(format!("delete {prefix}{i:06}\r\n").as_bytes());
    }
    let last = newest - 6;
    request.extend_from_slice(format!("touch {prefix}{last:06} 0\r\n").as_bytes());
    request.extend_from_slice(b"set counter 0 0 2\r\n10\r\nincr counter 5\r\ndecr counter 1\r\n");
    request.extend_from_slice(b"cas counter 0 0 1 999999\r\n7\r\n");
    request
}

#[test]
fn filling_past_the_limit_with_mixed_sizes() {
    for (memory, factor, min_chunk) in [(8, "1.25", 48), (4, "2", 100), (16, "1.08", 32)] {
        let Some(pair) = Pair::start(memory, factor, min_chunk) else {
            return;
        };
        // Three sizes in three classes, the last with client flags (four
        // more bytes per item), each past what the memory holds.
        let mut request = sets("a", 40_000, 100, 0, 0);
        request.extend(sets("b", 6_000, 1_000, 0, 0));
        request.extend(sets("c", 2_000, 3_000, 7, 0));
        assert_silent(pair.both(&request));
        pair.assert_same_memory("the fills");
        let (oracle, node) = pair.both(&reads_and_updates("c", 2_000));
        assert_eq!(
            String::from_utf8_lossy(&oracle).lines().count(),
            String::from_utf8_lossy(&node).lines().count(),
            "the same number of reply lines"
        );
        pair.assert_same_memory("reads, deletes, touch, incr, cas");
        let settings = stats(pair.node(), "settings");
        let expected = stats(pair.oracle.addr, "settings");
        for name in ["growth_factor", "chunk_size", "maxbytes", "item_size_max"] {
            assert_eq!(
                settings.get(name),
                expected.get(name),
                "stats settings {name}"
            );
        }
    }
}

#[test]
fn a_change_in_item_sizes_strands_memory_in_the_first_class() {
    let Some(pair) = Pair::start(8, "1.25", 48) else {
        return;
    };
    // Small items take every page; large items then get one page of their
    // own and evict each other, while deletes free small chunks, not pages.
    assert_silent(pair.both(&sets("s", 45_000, 100, 0, 0)));
    pair.assert_same_memory("small items past the limit");
    assert_silent(pair.both(&sets("L", 3_000, 2_000, 0, 0)));
    pair.assert_same_memory("large items");
    let mut deletes = Vec::new();
    for i in 10_000..20_000 {
        deletes.extend_from_slice(format!("delete s{i:06} noreply\r\n").as_bytes());
    }
    assert_silent(pair.both(&deletes));
    assert_silent(pair.both(&sets("M", 3_000, 2_000, 0, 0)));
    pair.assert_same_memory("deleting small items, then more large ones");
    // `me` names the class an item is in; both name the same one, and
    // that class still has its one page.
    let (oracle, node) = pair.both(b"me M002999\r\n");
    let class_of = |reply: &[u8]| {
        String::from_utf8_lossy(reply)
            .split_whitespace()
            .find_map(|word| word.strip_prefix("cls=").map(str::to_owned))
            .expect("me names a class")
    };
    let class = class_of(&node);
    assert_eq!(class, class_of(&oracle));
    assert_eq!(
        stats(pair.node(), "slabs")[&format!("{class}:total_pages")],
        "1"
    );
}

#[test]
fn memory_freed_by_expiry_is_reused_within_the_class() {
    let Some(pair) = Pair::start(8, "1.25", 48) else {
        return;
    };
    // Exactly the chunks eight pages of class 4 hold, all expiring after
    // five seconds; then as many new items of the same class. Neither
    // server may take a page or evict: the expired items' chunks are
    // reused. The TTL only has to outlast the fill (well under a second
    // here), or memcached's background threads could reclaim early items
    // while later ones are still arriving.
    assert_silent(pair.both(&sets("t", 43_688, 100, 0, 5)));
    pair.assert_same_memory("items that expire");
    // memcached's clock moves in whole seconds: wait until both clocks
    // are surely past the expiry.
    std::thread::sleep(Duration::from_millis(6_500));
    assert_silent(pair.both(&sets("n", 43_688, 100, 0, 0)));
    pair.assert_same_memory("as many new items after expiry");
    let node = stats(pair.node(), "slabs");
    assert_eq!(node["4:total_pages"], "8");
    assert_eq!(stats(pair.node(), "")["evictions"], "0");
}

#[test]
fn meta_commands_count_in_the_items_class() {
    let Some(pair) = Pair::start(8, "1.25", 48) else {
        return;
    };
    // Items in two classes, read and changed through the meta commands.
    let mut request = sets("m", 100, 50, 0, 0);
    request.extend(sets("w", 100, 5_000, 3, 0));
    assert_silent(pair.both(&request));
    let mut meta = Vec::new();
    for i in 0..10 {
        meta.extend_from_slice(format!("mg m{i:06} v\r\nmg w{i:06} s T30\r\n").as_bytes());
        meta.extend_from_slice(format!("md m{:06} q\r\n", 50 + i).as_bytes());
    }
    meta.extend_from_slice(b"mg nobody v\r\nmn\r\n");
    let (oracle, node) = pair.both(&meta);
    assert_eq!(
        String::from_utf8_lossy(&oracle).lines().count(),
        String::from_utf8_lossy(&node).lines().count(),
        "the same number of reply lines"
    );
    pair.assert_same_memory("mg, mg with T, md");
    // The figures compared are not all zero: 116-byte items are class 2's,
    // 5,070-byte ones (with flags) class 19's.
    let slabs = stats(pair.node(), "slabs");
    assert_eq!(slabs["2:get_hits"], "10");
    assert_eq!(slabs["19:touch_hits"], "10");
}
