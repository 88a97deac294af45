//! `stats` and its sub-commands. Plain `stats` prints every name real
//! memcached 1.6.18 prints, in its order, so the two can be compared line by
//! line; the values that describe Fanout's own machinery (slabs, hash
//! tables, worker logs) are 0 because Fanout has none of it.

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
    stat(out, "growth_factor", "1.25");
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

/// Fanout has no slab classes; it reports all items as class 1.
fn items(cache: &Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let counters = cache.stats();
    if counters.curr_items > 0 {
        stat(out, "items:1:number", counters.curr_items);
        stat(
            out,
            "items:1:age",
            ctx.now
                .saturating_sub(ctx.node.started.load(Ordering::Relaxed)),
        );
        stat(out, "items:1:mem_requested", counters.bytes);
        stat(out, "items:1:evicted", counters.evictions);
        stat(out, "items:1:reclaimed", counters.reclaimed);
        stat(out, "items:1:expired_unfetched", counters.expired_unfetched);
        stat(out, "items:1:evicted_unfetched", counters.evicted_unfetched);
    }
    reply::line(out, "END");
}

fn slabs(cache: &Cache, out: &mut Vec<u8>) {
    let counters = cache.stats();
    if counters.curr_items > 0 {
        stat(out, "1:used_chunks", counters.curr_items);
        stat(out, "1:get_hits", counters.get_hits);
        stat(out, "1:cmd_set", counters.cmd_set);
    }
    stat(out, "active_slabs", u64::from(counters.curr_items > 0));
    stat(out, "total_malloced", counters.bytes);
    reply::line(out, "END");
}

/// `stats cachedump <class> <limit>`: memcached lists only items sitting
/// in the cold part of a slab class's LRU; Fanout has neither, so, like
/// memcached with nothing cold, it lists none (the lab's snapshot shows the
/// keys).
fn cachedump(out: &mut Vec<u8>) {
    reply::line(out, "END");
}
