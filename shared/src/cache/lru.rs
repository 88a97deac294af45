//! The storage structure: items in a slab, a hash index from key to slot,
//! and doubly linked lists through the slots in least-recently-used order,
//! one per slab class as in memcached.
//!
//! Every operation is O(1): find, insert at the head, unlink, move to the
//! head, take the tail. Slots are reused through a free list, so a node that
//! runs for days does not grow past its largest item count.
//!
//! The index (`index.rs`) hashes keys with a keyed hash. Its order never
//! reaches any output (only the lists' order does), so the key changes no
//! answer: the browser's model keeps the fixed default and stays
//! deterministic, while a server's node draws a random one
//! ([`Lru::set_hash_key`]). With an unkeyed hash, anyone who can reach a
//! cache port could compute keys that share one home in the index; linear
//! probing turns them into one long run, and every lookup that lands in it,
//! anyone's, walks it while holding the node's lock
//! (`keys_that_share_a_home_under_one_hash_key_spread_under_another`).

use std::hash::Hasher;

use foldhash::{SharedSeed, fast::FoldHasher};

use super::{expiry::ExpiresAt, index::KeyIndex, slabs::ClassId};

/// "No slot": the end of the list.
const NIL: u32 = u32::MAX;

/// An entry's expiry time for "never".
const NEVER: u32 = u32::MAX;

/// A slot number in the slab; stable while the item lives.
pub type Slot = u32;

/// One stored item.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key followed by the value, in one allocation (one fewer per item
    /// than two separate buffers: this is most of a small item's memory).
    data: Box<[u8]>,
    key_len: u8,
    pub flags: u32,
    /// When it expires (a unix second), [`NEVER`] for never: four bytes
    /// where an `Option<u64>` takes sixteen, as memcached's `exptime` is a
    /// 32-bit time. Read and written as an [`ExpiresAt`]; times past 2106
    /// are kept as 2106.
    expires: u32,
    /// When it last moved to the head of its LRU (a unix second):
    /// memcached's `it->time`, behind `mg … l`, `stats items` `age` and
    /// an eviction's `la`.
    time: u32,
    pub cas: u64,
    /// Read at least once since it was stored (for `evicted_unfetched`,
    /// `expired_unfetched` and the meta `h` flag).
    pub fetched: bool,
    /// What the meta protocol knows about the item beyond its data.
    pub marks: Marks,
    /// Its slab class, found once when it is linked (memcached's
    /// `slabs_clsid`): every read counts in its class and every move
    /// relinks in its class's list, and the search from its size at each
    /// was a measurable part of a read (docs/BENCHMARKS.md, "Counting
    /// where the other thread counts").
    pub(crate) class: ClassId,
    prev: Slot,
    next: Slot,
}

impl Entry {
    /// A new entry; `key` must be at most 250 bytes (memcached's limit).
    pub fn new(key: &[u8], value: &[u8], flags: u32, expires_at: ExpiresAt, cas: u64) -> Entry {
        Self::from_parts(key, &[value], flags, expires_at, cas)
    }

    /// Like [`Entry::new`] with the value given in pieces (append, prepend).
    pub fn from_parts(
        key: &[u8],
        value: &[&[u8]],
        flags: u32,
        expires_at: ExpiresAt,
        cas: u64,
    ) -> Entry {
        let key_len = u8::try_from(key.len()).expect("keys are at most 250 bytes");
        let total = key.len() + value.iter().map(|part| part.len()).sum::<usize>();
        let mut data = Vec::with_capacity(total);
        data.extend_from_slice(key);
        for part in value {
            data.extend_from_slice(part);
        }
        let mut entry = Entry {
            data: data.into_boxed_slice(),
            key_len,
            flags,
            expires: NEVER,
            time: 0,
            cas,
            fetched: false,
            marks: Marks::default(),
            class: 0,
            prev: NIL,
            next: NIL,
        };
        entry.set_expires_at(expires_at);
        entry
    }

    /// When it expires (`None`: never).
    pub fn expires_at(&self) -> ExpiresAt {
        (self.expires != NEVER).then_some(u64::from(self.expires))
    }

    pub fn set_expires_at(&mut self, expires_at: ExpiresAt) {
        // The last second of u32 is never reached: it stands for "never".
        self.expires = expires_at.map_or(NEVER, |at| {
            u32::try_from(at).map_or(NEVER - 1, |at| at.min(NEVER - 1))
        });
    }

    /// Records `now` as the time it moved to the head.
    pub fn set_time(&mut self, now: u64) {
        self.time = u32::try_from(now).unwrap_or(u32::MAX);
    }

    /// When it last moved to the head (a unix second).
    pub fn moved_at(&self) -> u64 {
        u64::from(self.time)
    }

    /// Seconds since it last moved to the head (memcached's "last access").
    pub fn idle(&self, now: u64) -> u64 {
        now.saturating_sub(self.moved_at())
    }

    pub fn key(&self) -> &[u8] {
        &self.data[..usize::from(self.key_len)]
    }

    pub fn value(&self) -> &[u8] {
        &self.data[usize::from(self.key_len)..]
    }

    /// The value, writable in place (incr/decr when the number fits).
    pub fn value_mut(&mut self) -> &mut [u8] {
        &mut self.data[usize::from(self.key_len)..]
    }
}

/// The meta protocol's marks on an item, in one byte (an item's size
/// matters: a node holds a million of them). memcached keeps these as bits
/// of `it_flags`: `ITEM_STALE`, `ITEM_TOKEN_SENT`, `ITEM_KEY_BINARY`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks(u8);

impl Marks {
    const STALE: u8 = 1;
    const WIN_SENT: u8 = 2;
    const KEY_BINARY: u8 = 4;

    /// Marked stale by `md … I` (or a lower cas with `ms … I`): readers get
    /// `X`, the first of them `W`.
    pub fn stale(self) -> bool {
        self.0 & Self::STALE != 0
    }

    /// A client has been handed the win (`W`); later readers get `Z`.
    pub fn win_sent(self) -> bool {
        self.0 & Self::WIN_SENT != 0
    }

    /// Stored under a base64 key (`b`): `k` answers it base64-encoded.
    pub fn key_binary(self) -> bool {
        self.0 & Self::KEY_BINARY != 0
    }

    pub fn set_stale(&mut self, on: bool) {
        self.set(Self::STALE, on);
    }

    pub fn set_win_sent(&mut self, on: bool) {
        self.set(Self::WIN_SENT, on);
    }

    pub fn set_key_binary(&mut self, on: bool) {
        self.set(Self::KEY_BINARY, on);
    }

    fn set(&mut self, bit: u8, on: bool) {
        if on {
            self.0 |= bit;
        } else {
            self.0 &= !bit;
        }
    }
}

/// Which LRU list an item is on: memcached keeps one per slab class (see
/// `slabs.rs`); a cache counted in exact bytes uses list 0 alone.
pub type ListId = u8;

/// The two ends of one LRU list.
#[derive(Debug, Default, Clone, Copy)]
struct Ends {
    /// Most recently used.
    head: Option<Slot>,
    /// Least recently used: the next to evict.
    tail: Option<Slot>,
}

/// Items in LRU order, one list per [`ListId`], with one hash index over
/// all of them.
#[derive(Debug, Default, Clone)]
pub struct Lru {
    slots: Vec<Option<Entry>>,
    free: Vec<Slot>,
    index: KeyIndex,
    lists: Vec<Ends>,
    hash_key: HashKey,
}

/// The key of the index's hash: foldhash, keyed. foldhash claims to be
/// "minimally DoS-resistant": under a key a client does not know, it
/// cannot compute colliding keys ahead of time, as it can for an unkeyed
/// hash; foldhash does not claim to hold against one that infers the key
/// by timing the node's answers. It costs about 2 % of a
/// node's throughput at `memcaslap -c 32` and under 1 % at `-c 64` against
/// the unkeyed FxHash it replaced (docs/BENCHMARKS.md, "Allocators, huge
/// pages and the scheduler"); SipHash, which the Redis node's tables use,
/// costs more per lookup, and a lookup is the cache's hottest path.
#[derive(Debug, Clone)]
struct HashKey {
    seed: u64,
    shared: SharedSeed,
}

impl HashKey {
    fn new(seed: u64) -> HashKey {
        HashKey {
            seed,
            shared: SharedSeed::from_u64(seed),
        }
    }

    fn hash(&self, key: &[u8]) -> u64 {
        let mut hasher = FoldHasher::with_seed(self.seed, &self.shared);
        hasher.write(key);
        hasher.finish()
    }
}

impl Default for HashKey {
    /// The browser's key: fixed, so its runs are deterministic.
    fn default() -> HashKey {
        HashKey::new(0)
    }
}

impl Lru {
    /// Keys the index's hash with `seed` (a driver facing the network draws
    /// it at random), placing every item already held again.
    pub fn set_hash_key(&mut self, seed: u64) {
        self.hash_key = HashKey::new(seed);
        self.index.rehash(slot_hash(&self.hash_key, &self.slots));
    }

    /// The seed the index's hash is keyed with, for a cache rebuilt from
    /// this one (a restart) to keep it.
    pub fn hash_key(&self) -> u64 {
        self.hash_key.seed
    }

    /// Every item, taken out: `self` is left empty under the same hash key
    /// (a cache that re-files its items must not fall back to the fixed
    /// default key, which anyone can read in this file).
    pub fn take(&mut self) -> Lru {
        let empty = Lru {
            hash_key: self.hash_key.clone(),
            ..Lru::default()
        };
        std::mem::replace(self, empty)
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The slot holding `key`, if any.
    pub fn find(&self, key: &[u8]) -> Option<Slot> {
        let slots = &self.slots;
        self.index.find(self.hash_key.hash(key), |slot| {
            entry_at(slots, slot).key() == key
        })
    }

    pub fn get(&self, slot: Slot) -> &Entry {
        entry_at(&self.slots, slot)
    }

    pub fn get_mut(&mut self, slot: Slot) -> &mut Entry {
        self.slots[slot as usize]
            .as_mut()
            .expect("slot numbers handed out refer to live entries")
    }

    /// Slot `slot` if it is in use (for the sweep, which walks the slab).
    pub fn slot(&self, slot: usize) -> Option<&Entry> {
        self.slots.get(slot).and_then(Option::as_ref)
    }

    /// How many slots the slab has (used or free).
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    fn ends(&mut self, list: ListId) -> &mut Ends {
        let index = usize::from(list);
        if self.lists.len() <= index {
            self.lists.resize(index + 1, Ends::default());
        }
        &mut self.lists[index]
    }

    /// Inserts an entry whose key is not present, as the most recently used
    /// of `list`.
    pub fn insert(&mut self, mut entry: Entry, list: ListId) -> Slot {
        debug_assert!(self.find(entry.key()).is_none(), "insert of a present key");
        let head = self.ends(list).head;
        entry.prev = NIL;
        entry.next = head.unwrap_or(NIL);
        let hashed = self.hash_key.hash(entry.key());
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(entry);
                slot
            }
            None => {
                // NIL, the last u32, is no slot.
                let slot = Slot::try_from(self.slots.len())
                    .ok()
                    .filter(|&slot| slot != NIL)
                    .expect("fewer than 2^32 - 1 items");
                self.slots.push(Some(entry));
                slot
            }
        };
        if let Some(old_head) = head {
            self.get_mut(old_head).prev = slot;
        }
        let ends = self.ends(list);
        ends.head = Some(slot);
        if ends.tail.is_none() {
            ends.tail = Some(slot);
        }
        self.index
            .insert(hashed, slot, slot_hash(&self.hash_key, &self.slots));
        slot
    }

    /// Removes the entry in `slot` (on `list`) and returns it.
    pub fn remove(&mut self, slot: Slot, list: ListId) -> Entry {
        self.unlink(slot, list);
        let entry = self.slots[slot as usize]
            .take()
            .expect("slot numbers handed out refer to live entries");
        self.index.remove(
            self.hash_key.hash(entry.key()),
            slot,
            slot_hash(&self.hash_key, &self.slots),
        );
        self.free.push(slot);
        entry
    }

    /// Makes `slot` the most recently used of its `list`.
    pub fn bump(&mut self, slot: Slot, list: ListId) {
        if self.ends(list).head == Some(slot) {
            return;
        }
        self.unlink(slot, list);
        let old_head = self.ends(list).head;
        {
            let entry = self.get_mut(slot);
            entry.prev = NIL;
            entry.next = old_head.unwrap_or(NIL);
        }
        if let Some(old_head) = old_head {
            self.get_mut(old_head).prev = slot;
        }
        let ends = self.ends(list);
        ends.head = Some(slot);
        if ends.tail.is_none() {
            ends.tail = Some(slot);
        }
    }

    /// The least recently used slot of `list`.
    pub fn tail(&self, list: ListId) -> Option<Slot> {
        self.lists.get(usize::from(list)).and_then(|ends| ends.tail)
    }

    /// Entries list by list (list 0 first), each from the most to the least
    /// recently used.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> + '_ {
        (0..self.lists.len()).flat_map(move |list| self.iter_list(list as ListId))
    }

    /// The entries of one list, from the most to the least recently used.
    pub fn iter_list(&self, list: ListId) -> impl Iterator<Item = &Entry> + '_ {
        let mut cursor = self.lists.get(usize::from(list)).and_then(|ends| ends.head);
        std::iter::from_fn(move || {
            let slot = cursor?;
            let entry = self.get(slot);
            cursor = (entry.next != NIL).then_some(entry.next);
            Some(entry)
        })
    }

    /// Drops everything and gives the memory back. The hash key stays: a
    /// flush empties the cache, it does not start a new one.
    pub fn clear(&mut self) {
        drop(self.take());
    }

    fn unlink(&mut self, slot: Slot, list: ListId) {
        let (prev, next) = {
            let entry = self.get(slot);
            (entry.prev, entry.next)
        };
        if prev == NIL {
            self.ends(list).head = (next != NIL).then_some(next);
        } else {
            self.get_mut(prev).next = next;
        }
        if next == NIL {
            self.ends(list).tail = (prev != NIL).then_some(prev);
        } else {
            self.get_mut(next).prev = prev;
        }
        let entry = self.get_mut(slot);
        entry.prev = NIL;
        entry.next = NIL;
    }
}

/// The hash of the key in each slot, for the index to place its entries
/// again (growing, shifting after a removal, a new hash key).
fn slot_hash<'a>(key: &'a HashKey, slots: &'a [Option<Entry>]) -> impl Fn(Slot) -> u64 + 'a {
    move |slot| key.hash(entry_at(slots, slot).key())
}

fn entry_at(slots: &[Option<Entry>], slot: Slot) -> &Entry {
    slots[slot as usize]
        .as_ref()
        .expect("the index refers to live entries")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn an_items_slot_is_48_bytes() {
        // A million items' slots are 48 MB: the expiry and the last move
        // in four bytes each, the meta marks in the padding after
        // `fetched`, and an empty slot
        // (`None`) in the data pointer's niche.
        assert_eq!(std::mem::size_of::<Option<Entry>>(), 48);
    }

    #[test]
    fn an_expiry_reads_back_as_written() {
        let mut entry = Entry::new(b"k", b"v", 0, Some(30), 1);
        assert_eq!(entry.expires_at(), Some(30));
        entry.set_expires_at(None);
        assert_eq!(entry.expires_at(), None);
        entry.set_expires_at(Some(0));
        assert_eq!(entry.expires_at(), Some(0));
        entry.set_expires_at(Some(u64::MAX));
        assert_eq!(
            entry.expires_at(),
            Some(u64::from(u32::MAX - 1)),
            "past 2106 is kept as 2106; the last second stands for never"
        );
        entry.set_expires_at(Some(1_733_400_000));
        assert_eq!(entry.expires_at(), Some(1_733_400_000));
    }

    fn keys(lru: &Lru) -> Vec<&[u8]> {
        lru.iter().map(Entry::key).collect()
    }

    #[test]
    fn insert_bump_remove_keep_the_order() {
        let mut lru = Lru::default();
        let a = lru.insert(Entry::new(b"a", b"1", 0, None, 1), 0);
        let b = lru.insert(Entry::new(b"b", b"2", 0, None, 2), 0);
        let c = lru.insert(Entry::new(b"c", b"3", 0, None, 3), 0);
        assert_eq!(keys(&lru), [b"c", b"b", b"a"]);
        lru.bump(a, 0);
        assert_eq!(keys(&lru), [b"a", b"c", b"b"]);
        assert_eq!(lru.tail(0), Some(b));
        assert_eq!(lru.remove(c, 0).value(), b"3");
        assert_eq!(keys(&lru), [b"a", b"b"]);
        assert_eq!(lru.find(b"c"), None);
        assert_eq!(lru.find(b"b"), Some(b));
        let d = lru.insert(Entry::new(b"d", b"4", 0, None, 4), 0);
        assert_eq!(d, c, "the freed slot is reused");
        assert_eq!(keys(&lru), [b"d", b"a", b"b"]);
        lru.remove(b, 0);
        lru.remove(a, 0);
        lru.remove(d, 0);
        assert!(lru.is_empty());
        assert_eq!(lru.tail(0), None);
    }

    #[test]
    fn finds_every_key_through_growth_and_removals() {
        // Enough keys for the index to grow several times and for removals
        // to shift entries that hash to the same run.
        let key = |n: u32| format!("key:{n:08}").into_bytes();
        let mut lru = Lru::default();
        let mut slots = Vec::new();
        for n in 0..2000 {
            slots.push(lru.insert(Entry::new(&key(n), b"v", 0, None, 1), 0));
        }
        for n in (0..2000).step_by(3) {
            lru.remove(slots[n as usize], 0);
        }
        for n in 0..2000 {
            let expected = (n % 3 != 0).then_some(slots[n as usize]);
            assert_eq!(lru.find(&key(n)), expected, "key {n}");
        }
        for n in (0..2000).step_by(3) {
            slots[n as usize] = lru.insert(Entry::new(&key(n), b"w", 0, None, 2), 0);
        }
        for n in 0..2000 {
            assert_eq!(lru.find(&key(n)), Some(slots[n as usize]), "key {n}");
        }
        assert_eq!(lru.len(), 2000);
    }

    #[test]
    fn keys_that_share_a_home_under_one_hash_key_spread_under_another() {
        // What a client could do against a node whose hash key it knows:
        // compute keys that all land in the same bucket of the index.
        const KEYS: usize = 1000;
        let known = HashKey::default();
        let buckets = (2 * KEYS).next_power_of_two() as u64;
        let crowded: Vec<Vec<u8>> = (0u64..)
            .map(|n| format!("k{n}").into_bytes())
            .filter(|key| known.hash(key) % buckets == 0)
            .take(KEYS)
            .collect();
        let store = |lru: &mut Lru| {
            for key in &crowded {
                lru.insert(Entry::new(key, b"v", 0, None, 1), 0);
            }
        };
        let mut under_known_key = Lru::default();
        store(&mut under_known_key);
        assert_eq!(
            under_known_key.index.longest_run(),
            KEYS,
            "one run holds them all"
        );

        let mut keyed = Lru::default();
        keyed.set_hash_key(0x5eed_cafe);
        store(&mut keyed);
        assert!(
            keyed.index.longest_run() < 32,
            "under another key they spread: longest run {}",
            keyed.index.longest_run()
        );
        for key in &crowded {
            assert!(keyed.find(key).is_some());
        }
    }

    #[test]
    fn a_new_hash_key_keeps_every_item_findable() {
        let key = |n: u32| format!("key:{n:08}").into_bytes();
        let mut lru = Lru::default();
        let mut slots: Vec<Slot> = (0..500)
            .map(|n| lru.insert(Entry::new(&key(n), b"v", 0, None, 1), 0))
            .collect();
        // Empty slots among the full ones, as a node that has deleted has.
        for n in (0..500).step_by(3) {
            lru.remove(slots[n as usize], 0);
        }
        lru.set_hash_key(42);
        for n in 0..500 {
            let expected = (n % 3 != 0).then_some(slots[n as usize]);
            assert_eq!(lru.find(&key(n)), expected, "key {n}");
        }
        // Removals and inserts under the new key.
        for n in (1..500).step_by(3) {
            lru.remove(slots[n as usize], 0);
        }
        for n in (0..500).step_by(3) {
            slots[n as usize] = lru.insert(Entry::new(&key(n), b"w", 0, None, 2), 0);
        }
        for n in 0..500 {
            let expected = (n % 3 != 1).then_some(slots[n as usize]);
            assert_eq!(lru.find(&key(n)), expected, "key {n}");
        }

        lru.clear();
        assert_eq!(lru.hash_key(), 42, "a flush keeps the key");
        lru.insert(Entry::new(b"after", b"v", 0, None, 1), 0);
        assert!(lru.find(b"after").is_some());
        let taken = lru.take();
        assert_eq!((taken.len(), lru.len()), (1, 0));
        assert_eq!(lru.hash_key(), 42, "taking the items keeps the key");
    }

    #[test]
    fn each_list_keeps_its_own_order_and_tail() {
        let mut lru = Lru::default();
        let a = lru.insert(Entry::new(b"a", b"1", 0, None, 1), 1);
        let b = lru.insert(Entry::new(b"b", b"2", 0, None, 2), 3);
        let c = lru.insert(Entry::new(b"c", b"3", 0, None, 3), 1);
        assert_eq!(lru.tail(1), Some(a));
        assert_eq!(lru.tail(3), Some(b));
        assert_eq!(lru.tail(2), None);
        assert_eq!(keys(&lru), [b"c", b"a", b"b"]);
        lru.bump(a, 1);
        assert_eq!(lru.tail(1), Some(c));
        lru.remove(b, 3);
        assert_eq!(lru.tail(3), None);
        assert_eq!(keys(&lru), [b"a", b"c"]);
    }
}
