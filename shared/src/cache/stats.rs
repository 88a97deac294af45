//! memcached's counters, under memcached's names, so that a learner can
//! compare `stats` from a Fanout node with real memcached line for line.

use serde::{Deserialize, Serialize};

/// Item-level counters of one cache. Connection-level counters (connections,
/// bytes read and written, uptime) belong to the node that drives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Keys looked up by get, gets, gat, gats and mg (one per key).
    pub cmd_get: u64,
    /// Store commands of every kind (set, add, replace, append, prepend, cas, ms).
    pub cmd_set: u64,
    pub cmd_flush: u64,
    pub cmd_touch: u64,
    pub get_hits: u64,
    pub get_misses: u64,
    /// Reads that found an item whose time had run out.
    pub get_expired: u64,
    /// Reads that found an item invalidated by `flush_all`. Always 0 here:
    /// Fanout drops flushed items at once.
    pub get_flushed: u64,
    pub delete_misses: u64,
    pub delete_hits: u64,
    pub incr_misses: u64,
    pub incr_hits: u64,
    pub decr_misses: u64,
    pub decr_hits: u64,
    pub cas_misses: u64,
    pub cas_hits: u64,
    pub cas_badval: u64,
    pub touch_hits: u64,
    pub touch_misses: u64,
    /// Items removed by the periodic sweep or found expired on access.
    pub reclaimed: u64,
    /// Items dropped to make room while still live.
    pub evictions: u64,
    /// Expired items that no one had read since they were stored.
    pub expired_unfetched: u64,
    /// Evicted items that no one had read since they were stored.
    pub evicted_unfetched: u64,
    pub curr_items: u64,
    /// Items ever stored.
    pub total_items: u64,
    /// Accounted bytes of the live items (see `ITEM_OVERHEAD`).
    pub bytes: u64,
    pub limit_maxbytes: u64,
}

impl Stats {
    /// Every counter as `(memcached name, value)`, in the order `stats`
    /// prints them.
    pub fn pairs(&self) -> [(&'static str, u64); 27] {
        [
            ("cmd_get", self.cmd_get),
            ("cmd_set", self.cmd_set),
            ("cmd_flush", self.cmd_flush),
            ("cmd_touch", self.cmd_touch),
            ("get_hits", self.get_hits),
            ("get_misses", self.get_misses),
            ("get_expired", self.get_expired),
            ("get_flushed", self.get_flushed),
            ("delete_misses", self.delete_misses),
            ("delete_hits", self.delete_hits),
            ("incr_misses", self.incr_misses),
            ("incr_hits", self.incr_hits),
            ("decr_misses", self.decr_misses),
            ("decr_hits", self.decr_hits),
            ("cas_misses", self.cas_misses),
            ("cas_hits", self.cas_hits),
            ("cas_badval", self.cas_badval),
            ("touch_hits", self.touch_hits),
            ("touch_misses", self.touch_misses),
            ("reclaimed", self.reclaimed),
            ("evictions", self.evictions),
            ("expired_unfetched", self.expired_unfetched),
            ("evicted_unfetched", self.evicted_unfetched),
            ("curr_items", self.curr_items),
            ("total_items", self.total_items),
            ("bytes", self.bytes),
            ("limit_maxbytes", self.limit_maxbytes),
        ]
    }

    /// The counter memcached's `stats` names `name`, to read a real
    /// memcached's answer (the lab's observer of one); `None` for the
    /// counters this struct does not keep.
    pub fn counter_mut(&mut self, name: &str) -> Option<&mut u64> {
        Some(match name {
            "cmd_get" => &mut self.cmd_get,
            "cmd_set" => &mut self.cmd_set,
            "cmd_flush" => &mut self.cmd_flush,
            "cmd_touch" => &mut self.cmd_touch,
            "get_hits" => &mut self.get_hits,
            "get_misses" => &mut self.get_misses,
            "get_expired" => &mut self.get_expired,
            "get_flushed" => &mut self.get_flushed,
            "delete_misses" => &mut self.delete_misses,
            "delete_hits" => &mut self.delete_hits,
            "incr_misses" => &mut self.incr_misses,
            "incr_hits" => &mut self.incr_hits,
            "decr_misses" => &mut self.decr_misses,
            "decr_hits" => &mut self.decr_hits,
            "cas_misses" => &mut self.cas_misses,
            "cas_hits" => &mut self.cas_hits,
            "cas_badval" => &mut self.cas_badval,
            "touch_hits" => &mut self.touch_hits,
            "touch_misses" => &mut self.touch_misses,
            "reclaimed" => &mut self.reclaimed,
            "evictions" => &mut self.evictions,
            "expired_unfetched" => &mut self.expired_unfetched,
            "evicted_unfetched" => &mut self.evicted_unfetched,
            "curr_items" => &mut self.curr_items,
            "total_items" => &mut self.total_items,
            "bytes" => &mut self.bytes,
            "limit_maxbytes" => &mut self.limit_maxbytes,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod counter_names {
    #[test]
    fn every_printed_counter_can_be_read_back() {
        let mut stats = super::Stats::default();
        for (index, (name, _)) in super::Stats::default().pairs().iter().enumerate() {
            *stats.counter_mut(name).unwrap() = index as u64 + 1;
        }
        for (index, (_, value)) in stats.pairs().iter().enumerate() {
            assert_eq!(*value, index as u64 + 1);
        }
    }
}
