//! What restarting a cache node does to its cache, written once for the
//! server's memcached nodes and the browser's offline model.
//!
//! A restart is a process dying and coming back: every item is gone, the
//! counters start again from zero (so the hit ratio has no reads yet), cas
//! uniques start again, and the memory limit is the one the node was
//! running with. Whoever was watching stays watching and is told, as the
//! old process's last word, that everything went: one `flush` event from
//! the cache itself. Events not yet drained from the old cache are lost
//! with it. What a restart does to connections (the server's TCP clients
//! are cut; the model has none) is the driver's business.

use super::{Cache, ConnId};

/// The connection number of what the cache does by itself.
const THE_CACHE: ConnId = 0;

/// Replaces `cache` with a freshly started one, at unix time `now`.
pub fn restart(cache: &mut Cache, now: u64) {
    let mut fresh = Cache::with_slabs(cache.limit(), cache.slabs().settings());
    fresh.set_bump_interval(cache.bump_interval());
    // The index's hash key too: a node keyed at random stays keyed (the
    // fixed default key is public).
    fresh.set_hash_key(cache.hash_key());
    fresh.record_events(cache.is_recording());
    // An empty cache's flush drops nothing but says so to the watchers.
    fresh.flush_all(0, now, THE_CACHE);
    // The flush is the restart's, not a command anyone sent.
    fresh.reset_stats();
    *cache = fresh;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{EventKind, StoreMode};

    const NOW: u64 = 1_700_000_000;

    fn used(watched: bool) -> Cache {
        let mut cache = Cache::new(4096);
        cache.record_events(watched);
        for key in [&b"a"[..], b"b", b"c"] {
            cache.store(StoreMode::Set, key, b"value", 0, 0, NOW, 5);
        }
        assert!(cache.get(b"a", NOW, 5).is_some());
        assert!(cache.get(b"zz", NOW, 5).is_none());
        cache.set_limit(2048, NOW, 5);
        cache
    }

    #[test]
    fn a_restart_empties_the_cache_and_zeroes_the_counters_but_keeps_the_limit() {
        let mut cache = used(false);
        cache.set_bump_interval(0);
        assert_eq!(cache.stats().curr_items, 3);
        cache.set_hash_key(0x5eed);
        restart(&mut cache, NOW + 1);
        assert_eq!(cache.bump_interval(), 0, "a setting, like the limit");
        assert_eq!(cache.hash_key(), 0x5eed, "and the index's hash key");
        assert!(cache.is_empty());
        let stats = cache.stats();
        assert_eq!(
            (
                stats.get_hits,
                stats.get_misses,
                stats.cmd_set,
                stats.cmd_flush
            ),
            (0, 0, 0, 0)
        );
        assert_eq!(
            (stats.curr_items, stats.bytes, stats.total_items),
            (0, 0, 0)
        );
        assert_eq!(cache.limit(), 2048, "the limit it was running with");
        assert!(!cache.is_recording());
        assert!(cache.drain_events().is_empty());
        // cas uniques start again, as in a new process.
        assert_eq!(
            cache.store(StoreMode::Set, b"a", b"v", 0, 0, NOW + 1, 5),
            crate::cache::StoreOutcome::Stored(1)
        );
    }

    #[test]
    fn watchers_stay_and_are_told_everything_went() {
        let mut cache = used(true);
        restart(&mut cache, NOW + 1);
        assert!(cache.is_recording());
        let events = cache.drain_events();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].kind, EventKind::Flush);
        assert_eq!((events[0].key.as_str(), events[0].conn), ("", THE_CACHE));
    }
}
