//! `stats` and its sub-commands. Plain `stats` prints every name real
//! memcached 1.6.18 prints, in its order, so the two can be compared line by
//! line; the values that describe machinery Fanout does not have (hash
//! tables, worker logs, the slab mover) are 0. `stats slabs` and
//! `stats items` report the node's slab classes (`fanout_shared::cache::slabs`).

use std::sync::atomic::Ordering;

use fanout_shared::cache::Cache;

use super::{Ctx, admin::VERSION, parse::Request, parse::Tokens, reply};

#[derive(Debug)]
pub struct Stats<'a> {
    /// The sub-command (`settings`, `items` …), if any.
    topic: Option<&'a [u8]>,
    args: usize,
}

pub fn parse<'a>(tokens: &Tokens<'a>) -> Request<'a> {
    Request::Stats(Stats {
        topic: tokens.get(1),
        args: tokens.len().saturating_sub(2),
    })
}

pub fn execute(stats: &Stats<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    cache.tick(ctx.now);
    match stats.topic {
        None => general(cache, ctx, out),
        Some(b"settings") => settings(cache, ctx, out),
        Some(b"items") => items(cache, ctx, out),
        Some(b"slabs") => slabs(cache, out),
        Some(b"sizes") => {
            stat(out, "sizes_status", "disabled");
            reply::line(out, "END");
        }
        Some(b"conns") => reply::line(out, "END"),
        Some(b"reset") => {
            cache.reset_stats();
            for counter in [
                &ctx.node.total_connections,
                &ctx.node.rejected_connections,
                &ctx.node.bytes_read,
                &ctx.node.bytes_written,
                &ctx.node.cmd_meta,
            ] {
                counter.store(0, Ordering::Relaxed);
            }
            reply::line(out, "RESET");
        }
        Some(b"detail") => reply::line(out, "CLIENT_ERROR usage: stats detail on|off|dump"),
        Some(b"cachedump") if stats.args >= 2 => cachedump(out),
        Some(_) => reply::line(out, "ERROR"),
    }
}

fn stat(out: &mut Vec<u8>, name: &str, value: impl std::fmt::Display) {
    use std::io::Write;
    let _ = write!(out, "STAT {name} {value}\r\n");
}

fn general(cache: &Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let node = ctx.node;
    let counters = cache.stats();
    let started = node.started.load(Ordering::Relaxed);
    let load = |counter: &std::sync::atomic::AtomicU64| counter.load(Ordering::Relaxed);
    stat(out, "pid", std::process::id());
    stat(out, "uptime", ctx.now.saturating_sub(started));
    stat(out, "time", ctx.now);
    stat(out, "version", VERSION);
    stat(out, "libevent", "none");
    stat(out, "pointer_size", usize::BITS);
    stat(out, "rusage_user", "0.000000");
    stat(out, "rusage_system", "0.000000");
    stat(out, "max_connections", node.max_connections);
    stat(out, "curr_connections", load(&node.curr_connections));
    stat(out, "total_connections", load(&node.total_connections));
    stat(
        out,
        "rejected_connections",
        load(&node.rejected_connections),
    );
    for name in [
        "connection_structures",
        "response_obj_oom",
        "response_obj_count",
        "response_obj_bytes",
        "read_buf_count",
        "read_buf_bytes",
        "read_buf_bytes_free",
        "read_buf_oom",
        "reserved_fds",
    ] {
        stat(out, name, 0);
    }
    let pairs = counters.pairs();
    let value = |wanted: &str| {
        pairs
            .iter()
            .find(|(name, _)| *name == wanted)
            .map_or(0, |(_, value)| *value)
    };
    for name in ["cmd_get", "cmd_set", "cmd_flush", "cmd_touch"] {
        stat(out, name, value(name));
    }
    stat(out, "cmd_meta", load(&node.cmd_meta));
    for name in [
        "get_hits",
        "get_misses",
        "get_expired",
        "get_flushed",
        "delete_misses",
        "delete_hits",
        "incr_misses",
        "incr_hits",
        "decr_misses",
        "decr_hits",
        "cas_misses",
        "cas_hits",
        "cas_badval",
        "touch_hits",
        "touch_misses",
    ] {
        stat(out, name, value(name));
    }
    for name in [
        "store_too_large",
        "store_no_memory",
        "auth_cmds",
        "auth_errors",
    ] {
        stat(out, name, 0);
    }
    stat(out, "bytes_read", load(&node.bytes_read));
    stat(out, "bytes_written", load(&node.bytes_written));
    stat(out, "limit_maxbytes", counters.limit_maxbytes);
    stat(out, "accepting_conns", 1);
    stat(out, "listen_disabled_num", 0);
    stat(out, "time_in_listen_disabled_us", 0);
    stat(out, "threads", node.threads);
    for name in [
        "conn_yields",
        "hash_power_level",
        "hash_bytes",
        "hash_is_expanding",
        "slab_reassign_rescues",
        "slab_reassign_chunk_rescues",
        "slab_reassign_evictions_nomem",
        "slab_reassign_inline_reclaim",
        "slab_reassign_busy_items",
        "slab_reassign_busy_deletes",
        "slab_reassign_running",
        "slabs_moved",
        "lru_crawler_running",
        "lru_crawler_starts",
        "lru_maintainer_juggles",
        "malloc_fails",
        "log_worker_dropped",
        "log_worker_written",
        "log_watcher_skipped",
        "log_watcher_sent",
        "log_watchers",
        "unexpected_napi_ids",
        "round_robin_fallback",
    ] {
        stat(out, name, 0);
    }
    for name in ["bytes", "curr_items", "total_items"] {
        stat(out, name, value(name));
    }
    stat(out, "slab_global_page_pool", 0);
    for name in ["expired_unfetched", "evicted_unfetched"] {
        stat(out, name, value(name));
    }
    stat(out, "evicted_active", 0);
    stat(out, "evictions", value("evictions"));
    stat(out, "reclaimed", value("reclaimed"));
    for name in [
        "crawler_reclaimed",
        "crawler_items_checked",
        "lrutail_reflocked",
        "moves_to_cold",
        "moves_to_warm",
        "moves_within_lru",
        "direct_reclaims",
        "lru_bumps_dropped",
    ] {
        stat(out, name, 0);
    }
    reply::line(out, "END");
}

fn settings(cache: &Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    stat(out, "maxbytes", cache.limit());
    stat(out, "maxconns", ctx.node.max_connections);
    stat(out, "tcpport", ctx.node.port);
    stat(out, "udpport", 0);
    stat(out, "evictions", "on");
    let slab_settings = cache.slabs().settings();
    stat(
        out,
        "growth_factor",
        format!("{:.2}", slab_settings.growth_factor),
    );
    stat(out, "chunk_size", slab_settings.min_chunk);
    stat(out, "num_threads", ctx.node.threads);
    stat(out, "cas_enabled", "yes");
    stat(out, "binding_protocol", "ascii");
    stat(out, "item_size_max", cache.item_size_max());
    stat(out, "lru_crawler", "yes");
    stat(out, "flush_enabled", "yes");
    stat(out, "dump_enabled", "yes");
    stat(out, "hash_algorithm", "fxhash");
    reply::line(out, "END");
}

/// `stats items`: one block per class that holds items, under memcached
/// 1.6.18's names and in its order. A node has one LRU per class, not
/// memcached's hot, warm and cold segments: its items count as cold, and
/// the segment movers' counters are 0. `age` is how long the class's least
/// recently used item has gone without a move to the head.
fn items(cache: &Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    for (id, class) in cache.slabs().classes() {
        if class.items == 0 {
            continue;
        }
        let counters = cache.slabs().counters(id);
        let mut item_stat = |name: &str, value: u64| {
            stat(out, &format!("items:{id}:{name}"), value);
        };
        item_stat("number", class.items);
        item_stat("number_hot", 0);
        item_stat("number_warm", 0);
        item_stat("number_cold", class.items);
        item_stat("age_hot", 0);
        item_stat("age_warm", 0);
        item_stat("age", cache.oldest_idle(id, ctx.now).unwrap_or(0));
        item_stat("mem_requested", class.mem_requested);
        item_stat("evicted", counters.evicted);
        item_stat("evicted_nonzero", counters.evicted_nonzero);
        item_stat("evicted_time", class.evicted_time);
        item_stat("outofmemory", counters.outofmemory);
        item_stat("tailrepairs", 0);
        item_stat("reclaimed", counters.reclaimed);
        item_stat("expired_unfetched", counters.expired_unfetched);
        item_stat("evicted_unfetched", counters.evicted_unfetched);
        for name in [
            "evicted_active",
            "crawler_reclaimed",
            "crawler_items_checked",
            "lrutail_reflocked",
            "moves_to_cold",
            "moves_to_warm",
            "moves_within_lru",
            "direct_reclaims",
            "hits_to_hot",
            "hits_to_warm",
        ] {
            item_stat(name, 0);
        }
        item_stat("hits_to_cold", counters.get_hits);
        item_stat("hits_to_temp", 0);
    }
    reply::line(out, "END");
}

/// `stats slabs`: one block per class that has pages, then the totals, as
/// memcached 1.6.18 prints them.
fn slabs(cache: &Cache, out: &mut Vec<u8>) {
    let slabs = cache.slabs();
    let mut active = 0;
    for (id, class) in slabs.classes() {
        if !class.is_active() {
            continue;
        }
        active += 1;
        let counters = cache.slabs().counters(id);
        let mut slab_stat = |name: &str, value: u64| {
            stat(out, &format!("{id}:{name}"), value);
        };
        slab_stat("chunk_size", u64::from(class.chunk_size));
        slab_stat("chunks_per_page", u64::from(class.chunks_per_page));
        slab_stat("total_pages", class.total_pages);
        slab_stat("total_chunks", class.total_chunks());
        slab_stat("used_chunks", class.used_chunks);
        slab_stat("free_chunks", class.free_chunks());
        slab_stat("free_chunks_end", 0);
        slab_stat("get_hits", counters.get_hits);
        slab_stat("cmd_set", counters.cmd_set);
        slab_stat("delete_hits", counters.delete_hits);
        slab_stat("incr_hits", counters.incr_hits);
        slab_stat("decr_hits", counters.decr_hits);
        slab_stat("cas_hits", counters.cas_hits);
        slab_stat("cas_badval", counters.cas_badval);
        slab_stat("touch_hits", counters.touch_hits);
    }
    stat(out, "active_slabs", active);
    stat(out, "total_malloced", slabs.total_malloced());
    reply::line(out, "END");
}

/// `stats cachedump <class> <limit>`: memcached lists only items sitting
/// in the cold part of a slab class's LRU; Fanout has neither, so, like
/// memcached with nothing cold, it lists none (the lab's snapshot shows the
/// keys).
fn cachedump(out: &mut Vec<u8>) {
    reply::line(out, "END");
}
