//! Behaviour of the cache model as a whole: examples for each rule, and
//! property tests against a deliberately naive reference model.

use proptest::prelude::*;

use super::*;

const NOW: u64 = 1_700_000_000;

fn value_of(cache: &mut Cache, key: &[u8], now: u64) -> Option<Vec<u8>> {
    cache.get(key, now, 1).map(|item| item.value.to_vec())
}

fn set(cache: &mut Cache, key: &[u8], value: &[u8], exptime: i64, now: u64) -> StoreOutcome {
    cache.store(StoreMode::Set, key, value, 0, exptime, now, 1)
}

#[test]
fn set_get_and_the_store_modes() {
    let mut cache = Cache::new(1 << 20);
    assert_eq!(
        cache.store(StoreMode::Add, b"k", b"1", 5, 0, NOW, 1),
        StoreOutcome::Stored(1)
    );
    assert_eq!(
        cache.store(StoreMode::Add, b"k", b"2", 0, 0, NOW, 1),
        StoreOutcome::NotStored
    );
    assert_eq!(
        cache.store(StoreMode::Replace, b"nope", b"2", 0, 0, NOW, 1),
        StoreOutcome::NotStored
    );
    cache.store(StoreMode::Append, b"k", b"b", 9, 0, NOW, 1);
    cache.store(StoreMode::Prepend, b"k", b"a", 9, 0, NOW, 1);
    let item = cache.get(b"k", NOW, 1).unwrap();
    assert_eq!(item.value, b"a1b");
    assert_eq!(item.flags, 5, "append and prepend keep the flags");
    let cas = item.cas;
    assert_eq!(
        cache.store(StoreMode::Cas(cas + 100), b"k", b"x", 0, 0, NOW, 1),
        StoreOutcome::Exists
    );
    assert!(matches!(
        cache.store(StoreMode::Cas(cas), b"k", b"x", 0, 0, NOW, 1),
        StoreOutcome::Stored(_)
    ));
    assert_eq!(
        cache.store(StoreMode::Cas(1), b"missing", b"x", 0, 0, NOW, 1),
        StoreOutcome::NotFound
    );
    let stats = cache.stats();
    assert_eq!(
        (stats.cas_hits, stats.cas_badval, stats.cas_misses),
        (1, 1, 1)
    );
}

#[test]
fn expiry_is_lazy_and_swept() {
    let mut cache = Cache::new(1 << 20);
    set(&mut cache, b"short", b"v", 2, NOW);
    set(&mut cache, b"never", b"v", 0, NOW);
    set(&mut cache, b"gone", b"v", -1, NOW);
    set(&mut cache, b"past", b"v", expiry::RELATIVE_LIMIT + 1, NOW);
    assert_eq!(value_of(&mut cache, b"gone", NOW), None);
    assert_eq!(value_of(&mut cache, b"past", NOW), None);
    assert_eq!(
        value_of(&mut cache, b"short", NOW + 1).as_deref(),
        Some(&b"v"[..])
    );
    assert_eq!(cache.stats().get_expired, 2);
    assert_eq!(cache.stats().expired_unfetched, 2);
    assert_eq!(
        cache.sweep(NOW + 2, 100),
        1,
        "the sweep finds the short one"
    );
    assert_eq!(cache.len(), 1);
    assert_eq!(cache.stats().reclaimed, 3);
    assert_eq!(cache.stats().expired_unfetched, 2, "short had been read");
}

#[test]
fn lru_eviction_under_the_byte_limit() {
    let size = item_size(2, 100);
    let mut cache = Cache::new(3 * size);
    for key in [b"k1", b"k2", b"k3"] {
        set(&mut cache, key, &[b'x'; 100], 0, NOW);
    }
    // memcached moves an item at most once a minute: a read in the same
    // minute leaves k1 where it is; one later moves it.
    assert!(cache.get(b"k1", NOW + 60, 1).is_some());
    assert_eq!(cache.keys().collect::<Vec<_>>(), [&b"k3"[..], b"k2", b"k1"]);
    let later = NOW + 61;
    assert!(
        cache.get(b"k1", later, 1).is_some(),
        "k1 is now most recent"
    );
    set(&mut cache, b"k4", &[b'x'; 100], 0, later);
    assert_eq!(
        cache.keys().collect::<Vec<_>>(),
        [&b"k4"[..], b"k1", b"k3"],
        "k2 was least recently used"
    );
    assert_eq!(cache.stats().evictions, 1);
    assert_eq!(cache.stats().evicted_unfetched, 1);
    assert_eq!(cache.stats().bytes, 3 * size);
    cache.set_limit(size, NOW, 0);
    assert_eq!(cache.keys().collect::<Vec<_>>(), [&b"k4"[..]]);
    assert_eq!(
        set(&mut cache, b"big", &[0; 200], 0, NOW),
        StoreOutcome::OutOfMemory
    );
}

#[test]
fn too_large_items_are_refused_and_a_failed_set_drops_the_old_value() {
    let mut cache = Cache::new(64 << 20);
    set(&mut cache, b"k", b"old", 0, NOW);
    let big = vec![0u8; DEFAULT_ITEM_SIZE_MAX as usize];
    assert!(!cache.fits(1, big.len()));
    assert_eq!(set(&mut cache, b"k", &big, 0, NOW), StoreOutcome::TooLarge);
    assert_eq!(value_of(&mut cache, b"k", NOW), None);
}

#[test]
fn incr_and_decr_follow_memcached() {
    let mut cache = Cache::new(1 << 20);
    set(&mut cache, b"n", b"10", 0, NOW);
    assert!(matches!(
        cache.incr_decr(b"n", 5, true, NOW, 1),
        Arith::Value(15, _)
    ));
    assert!(matches!(
        cache.incr_decr(b"n", 6, false, NOW, 1),
        Arith::Value(9, _)
    ));
    assert_eq!(
        value_of(&mut cache, b"n", NOW).unwrap(),
        b"9 ",
        "padded in place"
    );
    assert!(matches!(
        cache.incr_decr(b"n", 100, false, NOW, 1),
        Arith::Value(0, _)
    ));
    set(&mut cache, b"n", b"18446744073709551615", 0, NOW);
    assert!(matches!(
        cache.incr_decr(b"n", 2, true, NOW, 1),
        Arith::Value(1, _)
    ));
    set(&mut cache, b"s", b"abc", 0, NOW);
    assert_eq!(cache.incr_decr(b"s", 1, true, NOW, 1), Arith::NonNumeric);
    assert_eq!(cache.incr_decr(b"x", 1, true, NOW, 1), Arith::NotFound);
    set(&mut cache, b"g", b"99", 0, NOW);
    cache.incr_decr(b"g", 1, true, NOW, 1);
    assert_eq!(value_of(&mut cache, b"g", NOW).unwrap(), b"100", "grows");
}

#[test]
fn stats_reset_keeps_what_the_cache_holds() {
    let mut cache = Cache::new(1 << 20);
    set(&mut cache, b"a", b"1", 0, NOW);
    cache.get(b"a", NOW, 1);
    cache.reset_stats();
    let stats = cache.stats();
    assert_eq!((stats.cmd_get, stats.get_hits, stats.cmd_set), (0, 0, 0));
    assert_eq!((stats.curr_items, stats.bytes), (1, item_size(1, 1)));
    assert_eq!(stats.limit_maxbytes, 1 << 20);
}

#[test]
fn flush_now_and_later() {
    let mut cache = Cache::new(1 << 20);
    set(&mut cache, b"a", b"1", 0, NOW);
    cache.flush_all(0, NOW, 1);
    assert!(cache.is_empty());
    set(&mut cache, b"b", b"1", 0, NOW);
    cache.flush_all(2, NOW, 1);
    assert!(value_of(&mut cache, b"b", NOW + 1).is_some());
    assert!(value_of(&mut cache, b"b", NOW + 2).is_none());
}

#[test]
fn events_name_the_key_the_size_and_the_connection() {
    let mut cache = Cache::new(item_size(1, 1) * 2);
    // The textbook LRU (`--cache-bump-interval 0`): every read moves.
    cache.set_bump_interval(0);
    set(&mut cache, b"a", b"1", 0, NOW);
    cache.record_events(true);
    cache.store(StoreMode::Set, b"b", b"2", 0, 0, NOW, 7);
    cache.get(b"a", NOW, 8);
    cache.get(b"z", NOW, 8);
    cache.store(StoreMode::Set, b"c", b"3", 0, 0, NOW, 7);
    cache.delete(b"c", NOW, 9);
    cache.flush_all(0, NOW, 9);
    let kinds: Vec<_> = cache
        .drain_events()
        .into_iter()
        .map(|e| (e.kind, e.key, e.conn))
        .collect();
    use EventKind::*;
    assert_eq!(
        kinds,
        [
            (Set, "b".into(), 7),
            (Hit, "a".into(), 8),
            (Miss, "z".into(), 8),
            (Evict, "b".into(), 7),
            (Set, "c".into(), 7),
            (Delete, "c".into(), 9),
            (Flush, "".into(), 9),
        ]
    );
    assert!(cache.drain_events().is_empty());
}

#[test]
fn snapshot_lists_keys_in_lru_order_with_ttl() {
    let mut cache = Cache::new(1 << 20);
    set(&mut cache, b"a", b"1", 10, NOW);
    set(&mut cache, b"b", b"1", 0, NOW);
    let snapshot = cache.snapshot(NOW + 4, 1);
    assert_eq!(snapshot.items.len(), 1);
    assert_eq!(snapshot.truncated, 1);
    assert_eq!(snapshot.items[0].key, "b");
    let snapshot = cache.snapshot(NOW + 4, 10);
    assert_eq!(snapshot.items[1].ttl, Some(6));
    assert_eq!(snapshot.items[1].size, item_size(1, 1));
    assert_eq!(snapshot.stats.curr_items, 2);
}

// ----- properties ---------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Set(u8, usize, i64),
    Get(u8),
    Delete(u8),
    Touch(u8, i64),
    Advance(u64),
    Limit(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..12, 0usize..300, prop_oneof![Just(0i64), 1i64..5]).prop_map(|(k, n, e)| Op::Set(k, n, e)),
        4 => (0u8..12).prop_map(Op::Get),
        1 => (0u8..12).prop_map(Op::Delete),
        1 => (0u8..12, 0i64..5).prop_map(|(k, e)| Op::Touch(k, e)),
        1 => (0u64..3).prop_map(Op::Advance),
        1 => (200u64..3000).prop_map(Op::Limit),
    ]
}

/// The naive reference: a vector, most recent first, scanned every time.
#[derive(Debug, Default)]
struct Model {
    items: Vec<(Vec<u8>, u64, Option<u64>)>,
    limit: u64,
}

impl Model {
    fn bytes(&self) -> u64 {
        self.items.iter().map(|(_, size, _)| size).sum()
    }
    fn drop_expired_key(&mut self, key: &[u8], now: u64) {
        self.items
            .retain(|(k, _, at)| k != key || !expiry::is_expired(*at, now));
    }
    fn position(&self, key: &[u8]) -> Option<usize> {
        self.items.iter().position(|(k, _, _)| k == key)
    }
    fn shrink(&mut self) {
        while self.bytes() > self.limit {
            self.items.pop();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn matches_a_naive_lru_and_never_exceeds_the_limit(ops in prop::collection::vec(op(), 1..200)) {
        let mut now = NOW;
        let mut cache = Cache::new(2000);
        // The naive model moves an item on every read.
        cache.set_bump_interval(0);
        let mut model = Model { limit: 2000, ..Model::default() };
        let mut deleted = 0u64;
        let mut replaced = 0u64;
        for op in ops {
            match op {
                Op::Set(k, n, e) => {
                    let key = vec![b'a' + k];
                    let size = item_size(1, n);
                    model.drop_expired_key(&key, now);
                    let outcome = set(&mut cache, &key, &vec![b'v'; n], e, now);
                    if let Some(i) = model.position(&key) {
                        model.items.remove(i);
                        replaced += 1;
                    }
                    if size <= model.limit {
                        prop_assert!(matches!(outcome, StoreOutcome::Stored(_)));
                        while model.bytes() + size > model.limit {
                            model.items.pop();
                        }
                        model.items.insert(0, (key, size, expiry::resolve(e, now)));
                    } else {
                        prop_assert_eq!(outcome, StoreOutcome::OutOfMemory);
                    }
                }
                Op::Get(k) => {
                    let key = vec![b'a' + k];
                    model.drop_expired_key(&key, now);
                    let hit = cache.get(&key, now, 1).is_some();
                    let position = model.position(&key);
                    prop_assert_eq!(hit, position.is_some());
                    if let Some(i) = position {
                        let item = model.items.remove(i);
                        model.items.insert(0, item);
                    }
                }
                Op::Delete(k) => {
                    let key = vec![b'a' + k];
                    model.drop_expired_key(&key, now);
                    let found = cache.delete(&key, now, 1);
                    let position = model.position(&key);
                    prop_assert_eq!(found, position.is_some());
                    if let Some(i) = position {
                        model.items.remove(i);
                        deleted += 1;
                    }
                }
                Op::Touch(k, e) => {
                    let key = vec![b'a' + k];
                    model.drop_expired_key(&key, now);
                    let found = cache.touch(&key, e, now, 1);
                    let position = model.position(&key);
                    prop_assert_eq!(found, position.is_some());
                    if let Some(i) = position {
                        let mut item = model.items.remove(i);
                        item.2 = expiry::resolve(e, now);
                        model.items.insert(0, item);
                    }
                }
                Op::Advance(seconds) => {
                    now += seconds;
                    cache.sweep(now, 4);
                    // The sweep may drop any expired item; so may the model.
                    let present: Vec<Vec<u8>> = cache.keys().map(<[u8]>::to_vec).collect();
                    model.items.retain(|(k, _, _)| present.contains(k));
                }
                Op::Limit(limit) => {
                    cache.set_limit(limit, now, 0);
                    model.limit = limit;
                    model.shrink();
                }
            }
            let stats = cache.stats().clone();
            prop_assert!(stats.bytes <= stats.limit_maxbytes);
            prop_assert_eq!(stats.bytes, model.bytes());
            let keys: Vec<Vec<u8>> = cache.keys().map(<[u8]>::to_vec).collect();
            let expected: Vec<Vec<u8>> = model.items.iter().map(|(k, _, _)| k.clone()).collect();
            prop_assert_eq!(keys, expected);
            prop_assert_eq!(stats.curr_items, cache.len() as u64);
            prop_assert_eq!(stats.get_hits + stats.get_misses, stats.cmd_get);
            prop_assert_eq!(
                stats.total_items,
                stats.curr_items + stats.evictions + stats.reclaimed + deleted + replaced
            );
        }
    }
}

/// The browser runs this model offline: the same rules must hold there.
#[cfg(target_arch = "wasm32")]
mod wasm {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn lru_eviction_and_expiry_hold_in_wasm() {
        let mut cache = Cache::new(3 * item_size(2, 10));
        for key in [b"k1", b"k2", b"k3"] {
            set(&mut cache, key, &[b'x'; 10], 5, NOW);
        }
        // Read in the minute it was stored, k1 stays last in line
        // (memcached's rule) and goes first.
        cache.get(b"k1", NOW, 1);
        set(&mut cache, b"k4", &[b'x'; 10], 0, NOW);
        assert_eq!(cache.keys().collect::<Vec<_>>(), [&b"k4"[..], b"k3", b"k2"]);
        assert_eq!(cache.sweep(NOW + 5, 10), 2);
        let snapshot = cache.snapshot(NOW + 5, 10);
        assert_eq!(snapshot.items.len(), 1);
        assert_eq!(snapshot.stats.evictions, 1);
    }
}

/// What an `mg` reader is told: (value, won, already won, stale).
fn meta_read(cache: &mut Cache, key: &[u8], steps: &[Step], now: u64) -> Option<MetaRead> {
    let get = MetaGet {
        steps,
        no_bump: false,
    };
    cache.meta_get(key, &get, now, 1).map(|hit| MetaRead {
        value: hit.item.value.to_vec(),
        won: hit.won,
        already_won: hit.already_won,
        stale: hit.stale,
    })
}

#[derive(Debug, PartialEq, Eq)]
struct MetaRead {
    value: Vec<u8>,
    won: bool,
    already_won: bool,
    stale: bool,
}

fn read(value: &[u8], won: bool, already_won: bool, stale: bool) -> Option<MetaRead> {
    Some(MetaRead {
        value: value.to_vec(),
        won,
        already_won,
        stale,
    })
}

#[test]
fn a_vivified_miss_has_one_winner_until_the_value_is_stored() {
    let mut cache = Cache::new(1 << 20);
    let vivify = [Step::Vivify(30)];
    assert_eq!(
        meta_read(&mut cache, b"hot", &vivify, NOW),
        read(b"", true, false, false)
    );
    assert_eq!(
        meta_read(&mut cache, b"hot", &vivify, NOW),
        read(b"", false, true, false)
    );
    assert_eq!(
        meta_read(&mut cache, b"hot", &[], NOW),
        read(b"", false, true, false)
    );
    let hit = cache.meta_get(b"hot", &MetaGet::default(), NOW, 1).unwrap();
    assert_eq!(hit.item.expires_at, Some(NOW + 30), "N's TTL");
    set(&mut cache, b"hot", b"fresh", 30, NOW);
    assert_eq!(
        meta_read(&mut cache, b"hot", &vivify, NOW),
        read(b"fresh", false, false, false)
    );
}

#[test]
fn invalidation_keeps_the_stale_value_for_readers_and_one_recomputes() {
    let mut cache = Cache::new(1 << 20);
    set(&mut cache, b"hotkey", b"old", 0, NOW);
    let cas = cache.peek(b"hotkey", NOW).unwrap().cas;
    assert_eq!(
        cache.meta_delete(b"hotkey", Some(cas + 1), Some(None), NOW, 1),
        MetaDeleted::Exists
    );
    assert_eq!(
        cache.meta_delete(b"hotkey", Some(cas), Some(Some(30)), NOW, 1),
        MetaDeleted::Invalidated
    );
    let item = cache.peek(b"hotkey", NOW).unwrap();
    assert!(item.cas > cas, "invalidation bumps the cas unique");
    assert_eq!(item.expires_at, Some(NOW + 30), "T with I sets the TTL");
    assert_eq!(
        meta_read(&mut cache, b"hotkey", &[], NOW),
        read(b"old", true, false, true)
    );
    assert_eq!(
        meta_read(&mut cache, b"hotkey", &[], NOW),
        read(b"old", false, true, true)
    );
    // A late writer with the cas it read before the invalidation still
    // stores, with I: the item stays stale and keeps its expiry.
    let late = MetaSet {
        compare: Some(cas),
        invalidate: true,
        key_binary: false,
    };
    assert!(matches!(
        cache.meta_set(StoreMode::Set, b"hotkey", b"late", 0, 0, &late, NOW, 1),
        StoreOutcome::Stored(_)
    ));
    assert_eq!(
        meta_read(&mut cache, b"hotkey", &[], NOW),
        read(b"late", false, true, true)
    );
    assert_eq!(
        cache.peek(b"hotkey", NOW).unwrap().expires_at,
        Some(NOW + 30)
    );
    // The winner's fresh value clears every mark.
    set(&mut cache, b"hotkey", b"new", 0, NOW);
    assert_eq!(
        meta_read(&mut cache, b"hotkey", &[], NOW),
        read(b"new", false, false, false)
    );
    assert_eq!(
        cache.meta_delete(b"hotkey", None, None, NOW, 1),
        MetaDeleted::Deleted
    );
    assert_eq!(meta_read(&mut cache, b"hotkey", &[], NOW), None);
}

#[test]
fn recache_hands_out_one_win_before_expiry_and_steps_apply_in_order() {
    let mut cache = Cache::new(1 << 20);
    set(&mut cache, b"k", b"v", 100, NOW);
    assert_eq!(
        meta_read(&mut cache, b"k", &[Step::Recache(30)], NOW),
        read(b"v", false, false, false)
    );
    assert_eq!(
        meta_read(&mut cache, b"k", &[Step::Recache(200)], NOW),
        read(b"v", true, false, false)
    );
    assert_eq!(
        meta_read(&mut cache, b"k", &[Step::Recache(200)], NOW),
        read(b"v", false, true, false)
    );
    set(&mut cache, b"n", b"v", 0, NOW);
    assert_eq!(
        meta_read(&mut cache, b"n", &[Step::Recache(200)], NOW),
        read(b"v", false, false, false),
        "never expires"
    );
    let steps = [Step::ReportTtl, Step::Touch(50), Step::ReportTtl];
    let get = MetaGet {
        steps: &steps[..2],
        no_bump: false,
    };
    assert_eq!(cache.meta_get(b"n", &get, NOW, 1).unwrap().ttl, Some(-1));
    let get = MetaGet {
        steps: &steps[1..],
        no_bump: false,
    };
    assert_eq!(cache.meta_get(b"n", &get, NOW, 1).unwrap().ttl, Some(50));
}

#[test]
fn meta_arith_compares_vivifies_and_touches() {
    let mut cache = Cache::new(1 << 20);
    let created = cache.meta_arith(
        b"c",
        true,
        1,
        None,
        Some(7),
        &[Step::ReportTtl, Step::Vivify(60), Step::ReportTtl],
        NOW,
        1,
    );
    assert!(matches!(
        created,
        MetaArith::Value {
            value: 7,
            created: true,
            ttl: Some(60),
            ..
        }
    ));
    let cas = cache.peek(b"c", NOW).unwrap().cas;
    assert_eq!(
        cache.meta_arith(b"c", true, 1, Some(cas + 9), None, &[], NOW, 1),
        MetaArith::Exists
    );
    let grown = cache.meta_arith(
        b"c",
        true,
        5,
        Some(cas),
        None,
        &[Step::Touch(90), Step::ReportTtl],
        NOW,
        1,
    );
    assert!(matches!(
        grown,
        MetaArith::Value {
            value: 12,
            created: false,
            ttl: Some(90),
            ..
        }
    ));
    assert_eq!(cache.peek(b"c", NOW).unwrap().expires_at, Some(NOW + 90));
    assert_eq!(
        cache.meta_arith(b"none", false, 1, None, None, &[], NOW, 1),
        MetaArith::NotFound
    );
}

// ----- slab classes (figures measured on memcached 1.6.18 -m 8) ----------

/// Sets `count` new keys `{prefix}{i:06}` with values of `value_len` bytes.
fn fill(cache: &mut Cache, prefix: &str, count: usize, value_len: usize, exptime: i64, now: u64) {
    let value = vec![b'x'; value_len];
    for i in 0..count {
        let key = format!("{prefix}{i:06}");
        cache.store(StoreMode::Set, key.as_bytes(), &value, 0, exptime, now, 1);
    }
}

#[test]
fn a_full_class_evicts_and_a_new_class_still_gets_its_first_page() {
    // 100-byte values under 7-byte keys are 166-byte items: class 4's
    // 192-byte chunks, 5461 to a page, eight pages in 8 MiB.
    let mut cache = Cache::new(8 << 20);
    fill(&mut cache, "a", 50_000, 100, 0, NOW);
    let class = cache.slabs().class(4);
    assert_eq!(class.total_pages, 8);
    assert_eq!(class.used_chunks, 43_688);
    assert_eq!(class.items, 43_688);
    assert_eq!(class.mem_requested, 43_688 * 166);
    assert_eq!(cache.slabs().counters(4).evicted, 50_000 - 43_688);
    assert_eq!(cache.stats().evictions, 6312);
    // 26 bytes of every chunk hold nothing: 8 MiB hold 43,688 items, not
    // the 50,533 that 8 MiB / 166 bytes would suggest.
    assert_eq!(cache.placement(7, 100, 0).wasted(), 26);
    fill(&mut cache, "b", 10, 1000, 0, NOW);
    assert_eq!(cache.slabs().class(12).total_pages, 1);
    assert_eq!(cache.slabs().total_malloced(), 9 << 20);
    assert_eq!(cache.stats().evictions, 6312, "no eviction in class 12");
}

#[test]
fn per_class_counts_made_in_several_lanes_add_up_and_reset_together() {
    // A server's worker threads each count in a lane of their own; what
    // `stats slabs` reads is the sum, whatever lane counted.
    let mut cache = Cache::new(8 << 20);
    fill(&mut cache, "a", 10, 100, 0, NOW);
    let read = |cache: &mut Cache, i: usize| {
        assert!(cache.get(format!("a{i:06}").as_bytes(), NOW, 1).is_some());
    };
    for i in 0..3 {
        read(&mut cache, i);
    }
    cache.set_lane(2);
    for i in 0..4 {
        read(&mut cache, i);
    }
    cache.set_lane(1);
    read(&mut cache, 9);
    let class = cache.placement(7, 100, 0).class;
    assert_eq!(cache.slabs().counters(class).get_hits, 8);
    assert_eq!(
        cache.slabs().counters(class).cmd_set,
        10,
        "the sets, in lane 0"
    );
    assert_eq!(cache.stats().get_hits, 8);
    cache.reset_stats();
    assert_eq!(
        cache.slabs().counters(class),
        slabs::ClassCounters::default()
    );
}

#[test]
fn memory_freed_by_expiry_is_reused_within_the_class() {
    let mut cache = Cache::new(8 << 20);
    fill(&mut cache, "t", 43_688, 100, 2, NOW);
    assert_eq!(cache.slabs().class(4).free_chunks(), 0);
    fill(&mut cache, "n", 43_688, 100, 0, NOW + 3);
    let class = cache.slabs().class(4);
    assert_eq!(class.total_pages, 8, "no new page");
    assert_eq!(class.items, 43_688);
    assert_eq!(cache.slabs().counters(4).evicted, 0);
    assert_eq!(cache.slabs().counters(4).reclaimed, 43_688);
    assert_eq!(cache.stats().curr_items, 43_688);
}

#[test]
fn a_change_in_item_sizes_strands_memory_in_the_small_class() {
    let mut cache = Cache::new(8 << 20);
    fill(&mut cache, "s", 43_688, 100, 0, NOW);
    // Now only 1000-byte values (1066-byte items, class 12): it gets one
    // page, 885 chunks, and then evicts its own while class 4 keeps 8 MiB.
    fill(&mut cache, "L", 2000, 1000, 0, NOW);
    let large = cache.slabs().class(12);
    assert_eq!(large.total_pages, 1);
    assert_eq!(large.items, 885);
    assert_eq!(cache.slabs().counters(12).evicted, 2000 - 885);
    assert_eq!(cache.slabs().class(4).items, 43_688);
    // Deleting small items frees chunks, not pages: the large class still
    // cannot grow.
    for i in 0..10_000 {
        cache.delete(format!("s{i:06}").as_bytes(), NOW, 1);
    }
    fill(&mut cache, "M", 1000, 1000, 0, NOW);
    assert_eq!(cache.slabs().class(12).total_pages, 1);
    assert_eq!(cache.slabs().class(4).free_chunks(), 10_000);
}

#[test]
fn eviction_is_per_class_and_least_recently_used_within_it() {
    let mut cache = Cache::new(1 << 20);
    // Class 39's half-page chunks: two to a page, and one page in 1 MiB.
    let big = vec![b'x'; 400_000];
    set(&mut cache, b"small", b"1", 0, NOW);
    for key in [b"b1", b"b2"] {
        set(&mut cache, key, &big, 0, NOW);
    }
    let later = NOW + 61;
    assert!(cache.get(b"b1", later, 1).is_some());
    set(&mut cache, b"b3", &big, 0, later);
    assert!(
        cache.get(b"b2", later, 1).is_none(),
        "b2 was the class's LRU"
    );
    assert!(cache.get(b"b1", later, 1).is_some());
    assert!(
        cache.get(b"small", NOW, 1).is_some(),
        "another class is untouched"
    );
}

#[test]
fn a_limit_crossing_one_page_refiles_the_items() {
    let mut cache = Cache::new(4096);
    cache.set_hash_key(0x5eed);
    fill(&mut cache, "k", 20, 100, 0, NOW);
    assert!(!cache.is_paged());
    assert_eq!(cache.slabs().total_malloced(), 0);
    cache.set_limit(8 << 20, NOW, 0);
    assert!(cache.is_paged());
    assert_eq!(cache.slabs().class(4).used_chunks, cache.len() as u64);
    assert_eq!(cache.class_keys(4).count(), cache.len());
    cache.set_limit(2048, NOW, 0);
    assert!(cache.stats().bytes <= 2048);
    assert_eq!(cache.class_keys(0).count(), cache.len());
    assert_eq!(cache.hash_key(), 0x5eed, "re-filing keeps the hash key");
    let kept: Vec<Vec<u8>> = cache.keys().map(<[u8]>::to_vec).collect();
    for key in kept {
        assert!(cache.get(&key, NOW, 0).is_some(), "{key:?} is found");
    }
}

#[test]
fn a_use_moves_an_item_at_most_once_a_minute_and_says_so() {
    // memcached's flat LRU (`do_item_update`): an item moves to the head
    // only when it last moved more than ITEM_UPDATE_INTERVAL ago.
    let mut cache = Cache::new(1 << 20);
    assert_eq!(
        cache.bump_interval(),
        crate::cache::store::ITEM_UPDATE_INTERVAL
    );
    set(&mut cache, b"a", b"1", 0, NOW);
    set(&mut cache, b"b", b"2", 0, NOW + 5);
    cache.record_events(true);
    let hit = cache.get(b"a", NOW + 60, 1).expect("a hit");
    assert_eq!(hit.idle(NOW + 60), 60, "idle since it was stored");
    assert!(cache.touch(b"a", 0, NOW + 60, 1));
    assert_eq!(
        cache.keys().collect::<Vec<_>>(),
        [&b"b"[..], b"a"],
        "60 seconds is not more than a minute"
    );
    let hit = cache.get(b"a", NOW + 61, 1).expect("a hit");
    assert_eq!(hit.idle(NOW + 61), 61);
    assert_eq!(cache.keys().collect::<Vec<_>>(), [&b"a"[..], b"b"]);
    let hit = cache.get(b"a", NOW + 62, 1).expect("a hit");
    assert_eq!(hit.idle(NOW + 62), 1, "it moved a second ago");
    let stayed: Vec<_> = cache
        .drain_events()
        .into_iter()
        .map(|event| (event.kind, event.stayed))
        .collect();
    use EventKind::*;
    assert_eq!(
        stayed,
        [(Hit, true), (Touch, true), (Hit, false), (Hit, true)]
    );
    // The oldest item's idle time is `stats items`' age; an eviction
    // reports how long its item went unused (`evicted_time`, and `la` in
    // `watch evictions`).
    let mut small = Cache::new(item_size(1, 1) * 2);
    set(&mut small, b"x", b"1", 0, NOW);
    set(&mut small, b"y", b"2", 0, NOW + 3);
    assert_eq!(small.oldest_idle(0, NOW + 7), Some(7));
    small.record_events(true);
    small.record_log(true);
    set(&mut small, b"z", b"3", 0, NOW + 10);
    let class = small.placement(1, 1, 0).class;
    assert_eq!(small.slabs().class(class).evicted_time, 10);
    let evicted: Vec<_> = small
        .drain_events()
        .into_iter()
        .filter_map(|event| match event.log {
            Some(Logged::Eviction { idle, .. }) => Some((event.key, idle)),
            _ => None,
        })
        .collect();
    assert_eq!(evicted, [("x".to_owned(), 10)]);
    assert_eq!(
        small.oldest_idle(0, NOW + 10),
        Some(7),
        "y is now the oldest"
    );
}
