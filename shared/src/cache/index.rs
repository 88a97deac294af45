//! The hash index from key to slot: open addressing with linear probing
//! over one array of four-byte buckets, each holding a slot number and a
//! few more bits of the key's hash (its tag).
//!
//! A read's lookup is a chain of dependent memory loads, and with a
//! million items each of them misses the processor's caches. A bucket
//! that holds both the tag and the slot costs one load before the item's
//! slot; a table that keeps its tags apart from its slots (hashbrown's,
//! used before) costs two (docs/BENCHMARKS.md, "One load fewer per
//! lookup"). memcached's own index, an array of item pointers, is also one
//! load before the item.
//!
//! The table is at most half full, so a probe rarely leaves its first
//! cache line, and a removal shifts the entries after it back instead of
//! leaving a marker, so a node that evicts all day never needs a rebuild.
//! The table grows by doubling; it never shrinks (nor does the slab).

use super::lru::Slot;

/// An empty bucket. A full one holds `slot + 1` in its low bits.
const EMPTY: u32 = 0;

/// The smallest table, in buckets.
const MIN_BUCKETS: usize = 16;

/// Spreads the hash's bits into the tag's (any fixed odd constant with
/// mixed bits; this is the golden ratio's).
const TAG_MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// Slot numbers by key hash. The caller hashes keys and compares them: the
/// index itself holds neither.
#[derive(Debug, Default, Clone)]
pub struct KeyIndex {
    /// A power of two of buckets, or none before the first insert. With
    /// 2^n buckets, the low n bits of a full one hold `slot + 1` and the
    /// rest the tag: a slot number is below the count of items ever held
    /// at once, at most half the buckets, so it fits.
    buckets: Box<[u32]>,
    len: usize,
}

impl KeyIndex {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn mask(&self) -> usize {
        self.buckets.len() - 1
    }

    fn slot_mask(&self) -> u32 {
        slot_mask_for(self.buckets.len())
    }

    /// The bits of a bucket that come from the hash rather than the slot.
    fn tag(&self, hash: u64) -> u32 {
        let mixed = (hash.wrapping_mul(TAG_MIX) >> 32) as u32;
        mixed & !self.slot_mask()
    }

    fn home(&self, hash: u64) -> usize {
        // Only the low bits: the hash is a u64, the mask fits a usize.
        (hash as usize) & self.mask()
    }

    fn slot_in(&self, bucket: u32) -> Slot {
        (bucket & self.slot_mask()) - 1
    }

    /// The slot whose hash is `hash` and for which `is_key` says yes.
    pub fn find(&self, hash: u64, mut is_key: impl FnMut(Slot) -> bool) -> Option<Slot> {
        if self.len == 0 {
            return None;
        }
        let tag = self.tag(hash);
        let slot_mask = self.slot_mask();
        let mask = self.mask();
        let mut at = self.home(hash);
        loop {
            let bucket = self.buckets[at];
            if bucket == EMPTY {
                return None;
            }
            if bucket & !slot_mask == tag {
                let slot = (bucket & slot_mask) - 1;
                if is_key(slot) {
                    return Some(slot);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// Adds `slot` under `hash`; its key must not be present. `hash_of`
    /// gives the hash of any slot already in, for a rebuild.
    pub fn insert(&mut self, hash: u64, slot: Slot, hash_of: impl Fn(Slot) -> u64) {
        while (self.len + 1) * 2 > self.buckets.len()
            || u64::from(slot) + 1 > u64::from(self.slot_mask())
        {
            self.grow(&hash_of);
        }
        self.put(hash, slot);
        self.len += 1;
    }

    /// Removes `slot`, which is in under `hash`. `hash_of` gives the hash
    /// of the slots after it, to tell which can move back.
    pub fn remove(&mut self, hash: u64, slot: Slot, hash_of: impl Fn(Slot) -> u64) {
        if self.len == 0 {
            return;
        }
        let mask = self.mask();
        let mut at = self.home(hash);
        loop {
            let bucket = self.buckets[at];
            if bucket == EMPTY {
                debug_assert!(false, "removal of a slot not in the index");
                return;
            }
            if self.slot_in(bucket) == slot {
                break;
            }
            at = (at + 1) & mask;
        }
        self.len -= 1;
        // Backward shift: each later entry of the run that may live in the
        // hole (the hole is on its way from its home) moves into it.
        let mut hole = at;
        let mut next = hole;
        loop {
            self.buckets[hole] = EMPTY;
            loop {
                next = (next + 1) & mask;
                let bucket = self.buckets[next];
                if bucket == EMPTY {
                    return;
                }
                let home = self.home(hash_of(self.slot_in(bucket)));
                let from_home = next.wrapping_sub(home) & mask;
                let from_hole = next.wrapping_sub(hole) & mask;
                if from_home >= from_hole {
                    self.buckets[hole] = bucket;
                    hole = next;
                    break;
                }
            }
        }
    }

    /// Every entry placed again under the hash `hash_of` now gives it (the
    /// hash's key has changed), in as many buckets as before.
    pub fn rehash(&mut self, hash_of: impl Fn(Slot) -> u64) {
        self.place_all_in(self.buckets.len(), &hash_of);
    }

    /// Twice the buckets, every entry placed again.
    fn grow(&mut self, hash_of: &impl Fn(Slot) -> u64) {
        self.place_all_in((self.buckets.len() * 2).max(MIN_BUCKETS), hash_of);
    }

    /// A table of `count` buckets with every entry of this one in it.
    fn place_all_in(&mut self, count: usize, hash_of: &impl Fn(Slot) -> u64) {
        let old = std::mem::replace(&mut self.buckets, vec![EMPTY; count].into_boxed_slice());
        let old_slot_mask = slot_mask_for(old.len());
        for bucket in old.iter().copied().filter(|&bucket| bucket != EMPTY) {
            let slot = (bucket & old_slot_mask) - 1;
            self.put(hash_of(slot), slot);
        }
    }

    /// The longest stretch of full buckets in a row: what the slowest
    /// lookup walks.
    #[cfg(test)]
    pub fn longest_run(&self) -> usize {
        self.buckets
            .split(|&bucket| bucket == EMPTY)
            .map(<[u32]>::len)
            .max()
            .unwrap_or(0)
    }

    /// Writes the entry into the first empty bucket from its home.
    fn put(&mut self, hash: u64, slot: Slot) {
        let entry = self.tag(hash) | (slot + 1);
        let mask = self.mask();
        let mut at = self.home(hash);
        while self.buckets[at] != EMPTY {
            at = (at + 1) & mask;
        }
        self.buckets[at] = entry;
    }
}

/// The bits of a bucket that hold `slot + 1` in a table of `buckets`
/// buckets: log2 of the count (none in the empty table).
fn slot_mask_for(buckets: usize) -> u32 {
    if buckets == 0 {
        return 0;
    }
    let bits = buckets.trailing_zeros().min(32);
    (u64::from(u32::MAX) >> (32 - bits)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hash that puts every key in one of few homes, so runs are long and
    /// removals shift.
    fn crowded(slot: Slot) -> u64 {
        u64::from(slot % 7) * 3 + (u64::from(slot) << 40)
    }

    #[test]
    fn finds_what_was_put_in_and_not_what_was_taken_out() {
        let mut index = KeyIndex::default();
        for slot in 0..200 {
            index.insert(crowded(slot), slot, crowded);
        }
        for slot in (0..200).step_by(3) {
            index.remove(crowded(slot), slot, crowded);
        }
        for slot in 0..200 {
            let found = index.find(crowded(slot), |candidate| candidate == slot);
            assert_eq!(found, (slot % 3 != 0).then_some(slot), "slot {slot}");
        }
        assert_eq!(index.len(), 200 - 67);
    }

    #[test]
    fn a_run_that_wraps_past_the_last_bucket_shifts_back_across_it() {
        // Hashes whose low bits are all ones are at home in the last
        // bucket, in a table of any size, and one less in the one before:
        // slot 0 lives in the next-to-last bucket, slots 1 to 4 from the
        // last on, wrapping to the first buckets, and slot 5, at home in
        // bucket 0, after them.
        let hash_of = |slot: Slot| {
            let low = match slot {
                0 => u64::MAX - 1,
                1..=4 => u64::MAX,
                _ => 0,
            };
            low ^ (u64::from(slot) << 40)
        };
        let mut index = KeyIndex::default();
        for slot in 0..6 {
            index.insert(hash_of(slot), slot, hash_of);
        }
        // Removing slot 0 must move nothing (each later entry's home lies
        // between the hole and it, across the wrap); removing slot 1 must
        // move every entry of the run back by one, across the wrap.
        for removed in [0, 1] {
            index.remove(hash_of(removed), removed, hash_of);
            for slot in removed + 1..6 {
                let found = index.find(hash_of(slot), |candidate| candidate == slot);
                assert_eq!(found, Some(slot), "slot {slot} after removing {removed}");
            }
            let gone = index.find(hash_of(removed), |candidate| candidate == removed);
            assert_eq!(gone, None);
        }
        assert_eq!(index.len(), 4);
    }

    #[test]
    fn agrees_with_a_set_through_random_inserts_and_removals() {
        let mut rng = crate::rng::SimRng::new(18);
        // Slot numbers are reused, as the slab reuses them; a fifth of the
        // hashes fall in a few homes, so runs are long and shifts common.
        let mut hashes = vec![0u64; 4096];
        let mut index = KeyIndex::default();
        let mut present = std::collections::BTreeSet::new();
        for round in 0..200_000 {
            let slot = rng.below(4096) as Slot;
            if present.remove(&slot) {
                index.remove(hashes[slot as usize], slot, |slot| hashes[slot as usize]);
            } else {
                hashes[slot as usize] = if rng.below(5) == 0 {
                    rng.below(64)
                } else {
                    rng.next_u64()
                };
                index.insert(hashes[slot as usize], slot, |slot| hashes[slot as usize]);
                present.insert(slot);
            }
            if round % 1000 == 0 {
                for slot in 0..4096 {
                    let found = index.find(hashes[slot as usize], |candidate| candidate == slot);
                    assert_eq!(found.is_some(), present.contains(&slot), "slot {slot}");
                }
            }
        }
        assert_eq!(index.len(), present.len());
    }
}
