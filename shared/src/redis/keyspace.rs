//! One database's keys: each a value of one of five types with an optional
//! expiry time, accounted in bytes as it changes.
//!
//! Keys live in an insertion-ordered map ([`IndexMap`]) hashed with keyed
//! SipHash-1-3 as Redis hashes its own dicts, so a client cannot choose
//! colliding keys. Positions give SCAN its cursors and eviction its random
//! samples. A key whose time has passed is treated as absent at once and
//! removed when next touched or by the periodic sweep; Redis's rule is
//! that a key expires once the clock is *past* its time.

use std::hash::BuildHasher;

use indexmap::IndexMap;
use siphasher::sip::SipHasher13;

use super::{
    error::RedisError, hashes::Hash, lists::List, memory::ENTRY_OVERHEAD, sets::Set,
    zsets::SortedSet,
};

/// Keyed SipHash-1-3, as Redis's `dictGenHashFunction`.
#[derive(Debug, Clone, Copy)]
pub struct SipBuild {
    k0: u64,
    k1: u64,
}

impl SipBuild {
    pub fn new(seed: u64) -> SipBuild {
        SipBuild {
            k0: seed,
            k1: seed.rotate_left(32) ^ 0x5851_f42d_4c95_7f2d,
        }
    }
}

impl BuildHasher for SipBuild {
    type Hasher = SipHasher13;
    fn build_hasher(&self) -> SipHasher13 {
        SipHasher13::new_with_keys(self.k0, self.k1)
    }
}

/// A map keyed by bytes with keyed hashing.
pub type ByteMap<V> = IndexMap<Vec<u8>, V, SipBuild>;

/// What a key holds.
#[derive(Debug, Clone)]
pub enum Value {
    Str(Vec<u8>),
    List(List),
    Hash(Hash),
    Set(Set),
    ZSet(SortedSet),
}

impl Value {
    /// Bytes this value is accounted as.
    pub fn bytes(&self) -> usize {
        match self {
            Value::Str(bytes) => bytes.len(),
            Value::List(list) => list.bytes(),
            Value::Hash(hash) => hash.bytes(),
            Value::Set(set) => set.bytes(),
            Value::ZSet(zset) => zset.bytes(),
        }
    }

    /// TYPE's answer.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
        }
    }

    /// A container left with no elements; Redis deletes such a key.
    pub fn is_empty_container(&self) -> bool {
        match self {
            Value::Str(_) => false,
            Value::List(list) => list.is_empty(),
            Value::Hash(hash) => hash.is_empty(),
            Value::Set(set) => set.is_empty(),
            Value::ZSet(zset) => zset.is_empty(),
        }
    }
}

/// One key's value and metadata.
#[derive(Debug, Clone)]
pub struct Entry {
    pub value: Value,
    /// Unix milliseconds after which the key is gone.
    pub expires_at: Option<u64>,
    /// When the key was last read or written (unix ms), for LRU eviction.
    pub touched: u64,
}

impl Entry {
    pub fn new(value: Value, now: u64) -> Entry {
        Entry {
            value,
            expires_at: None,
            touched: now,
        }
    }

    pub fn is_expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|at| now > at)
    }

    fn size(&self, key_len: usize) -> usize {
        ENTRY_OVERHEAD + key_len + self.value.bytes()
    }
}

/// One numbered database.
#[derive(Debug)]
pub struct Db {
    entries: ByteMap<Entry>,
    /// Accounted bytes of every entry.
    used: usize,
    /// How many entries have an expiry time (INFO's `expires=`).
    volatile: usize,
    /// Keys removed because their time passed, for the engine to report.
    pub expired: Vec<Vec<u8>>,
    /// Where the periodic sweep goes on (a position, counted down).
    sweep_cursor: usize,
}

/// A key's entry borrowed for change; its size is re-accounted when the
/// borrow ends, whatever the change was.
#[derive(Debug)]
pub struct EntryMut<'a> {
    entry: &'a mut Entry,
    used: &'a mut usize,
    volatile: &'a mut usize,
    key_len: usize,
    before: usize,
    had_expiry: bool,
}

impl std::ops::Deref for EntryMut<'_> {
    type Target = Entry;
    fn deref(&self) -> &Entry {
        self.entry
    }
}

impl std::ops::DerefMut for EntryMut<'_> {
    fn deref_mut(&mut self) -> &mut Entry {
        self.entry
    }
}

impl Drop for EntryMut<'_> {
    fn drop(&mut self) {
        let after = self.entry.size(self.key_len);
        *self.used = *self.used - self.before + after;
        match (self.had_expiry, self.entry.expires_at.is_some()) {
            (false, true) => *self.volatile += 1,
            (true, false) => *self.volatile -= 1,
            _ => {}
        }
    }
}

impl Db {
    pub fn new(seed: u64) -> Db {
        Db {
            entries: IndexMap::with_hasher(SipBuild::new(seed)),
            used: 0,
            volatile: 0,
            expired: Vec::new(),
            sweep_cursor: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn used(&self) -> usize {
        self.used
    }

    pub fn volatile(&self) -> usize {
        self.volatile
    }

    /// Removes `key` if its time has passed; true if it is (now) absent.
    fn expire_if_needed(&mut self, key: &[u8], now: u64) -> bool {
        match self.entries.get(key) {
            None => true,
            Some(entry) if entry.is_expired(now) => {
                self.remove(key);
                self.expired.push(key.to_vec());
                true
            }
            Some(_) => false,
        }
    }

    /// Whether `key` is stored but its time has passed (not removing it).
    pub fn is_logically_expired(&self, key: &[u8], now: u64) -> bool {
        self.entries
            .get(key)
            .is_some_and(|entry| entry.is_expired(now))
    }

    /// The live entry at `key`, marked as used now.
    pub fn get(&mut self, key: &[u8], now: u64) -> Option<&Entry> {
        if self.expire_if_needed(key, now) {
            return None;
        }
        let entry = self.entries.get_mut(key)?;
        entry.touched = now;
        Some(entry)
    }

    /// Whether `key` is live, without marking it used.
    pub fn contains(&mut self, key: &[u8], now: u64) -> bool {
        !self.expire_if_needed(key, now)
    }

    /// The live entry at `key`, for change.
    pub fn get_mut(&mut self, key: &[u8], now: u64) -> Option<EntryMut<'_>> {
        if self.expire_if_needed(key, now) {
            return None;
        }
        let Db {
            entries,
            used,
            volatile,
            ..
        } = self;
        let entry = entries.get_mut(key)?;
        entry.touched = now;
        let before = entry.size(key.len());
        let had_expiry = entry.expires_at.is_some();
        Some(EntryMut {
            entry,
            used,
            volatile,
            key_len: key.len(),
            before,
            had_expiry,
        })
    }

    /// The entry at `key`, created by `make` when absent.
    pub fn get_or_insert(
        &mut self,
        key: &[u8],
        now: u64,
        make: impl FnOnce() -> Value,
    ) -> EntryMut<'_> {
        if self.expire_if_needed(key, now) {
            self.insert(key.to_vec(), Entry::new(make(), now));
        }
        self.get_mut(key, now)
            .expect("present: just checked or inserted")
    }

    /// Stores `entry` at `key`, replacing whatever was there.
    pub fn insert(&mut self, key: Vec<u8>, entry: Entry) {
        let key_len = key.len();
        self.used += entry.size(key_len);
        if entry.expires_at.is_some() {
            self.volatile += 1;
        }
        if let Some(old) = self.entries.insert(key, entry) {
            self.used -= old.size(key_len);
            if old.expires_at.is_some() {
                self.volatile -= 1;
            }
        }
    }

    /// Removes `key` (live or not); its entry if it was there.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let entry = self.entries.swap_remove(key)?;
        self.used -= entry.size(key.len());
        if entry.expires_at.is_some() {
            self.volatile -= 1;
        }
        Some(entry)
    }

    /// Removes `key` if it holds an empty container (Redis never keeps an
    /// empty list, hash, set or sorted set).
    pub fn remove_if_empty(&mut self, key: &[u8]) -> bool {
        if self
            .entries
            .get(key)
            .is_some_and(|entry| entry.value.is_empty_container())
        {
            self.remove(key);
            true
        } else {
            false
        }
    }

    /// Every key, live or not, in storage order.
    pub fn keys(&self) -> impl Iterator<Item = (&Vec<u8>, &Entry)> {
        self.entries.iter()
    }

    /// The key and entry at a storage position.
    pub fn at(&self, index: usize) -> Option<(&Vec<u8>, &Entry)> {
        self.entries.get_index(index)
    }

    /// Drops every key.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.entries.shrink_to_fit();
        self.used = 0;
        self.volatile = 0;
        self.sweep_cursor = 0;
    }

    /// Accounted bytes recomputed from every entry (what `used` must
    /// always equal; the property tests check it).
    pub fn recount(&self) -> usize {
        self.entries
            .iter()
            .map(|(key, entry)| entry.size(key.len()))
            .sum()
    }

    /// Removes up to `budget` keys' worth of expired entries, walking the
    /// storage positions downwards from where the last sweep stopped.
    pub fn sweep(&mut self, now: u64, budget: usize) {
        if self.volatile == 0 {
            return;
        }
        for _ in 0..budget.min(self.entries.len()) {
            if self.sweep_cursor == 0 || self.sweep_cursor > self.entries.len() {
                self.sweep_cursor = self.entries.len();
            }
            self.sweep_cursor -= 1;
            let index = self.sweep_cursor;
            let expired = self
                .entries
                .get_index(index)
                .is_some_and(|(_, entry)| entry.is_expired(now));
            if expired {
                let key = self.entries.get_index(index).expect("checked").0.clone();
                self.remove(&key);
                self.expired.push(key);
            }
        }
    }

    /// One SCAN step: from `cursor` (0 starts), visit positions downwards
    /// until `count` keys are seen; returns the next cursor (0 when done).
    /// Walking downwards keeps SCAN's promise under `swap_remove`: a key
    /// present throughout is returned at least once.
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&[u8], &Entry)) -> u64 {
        let len = self.entries.len() as u64;
        let mut position = if cursor == 0 || cursor > len {
            len
        } else {
            cursor
        };
        let mut seen = 0;
        while position > 0 && seen < count.max(1) {
            position -= 1;
            let (key, entry) = self.entries.get_index(position as usize).expect("in range");
            visit(key, entry);
            seen += 1;
        }
        position
    }
}

/// The value at `key` as a string, `WRONGTYPE` if it is not one.
pub fn as_str(entry: &Entry) -> Result<&Vec<u8>, RedisError> {
    match &entry.value {
        Value::Str(bytes) => Ok(bytes),
        _ => Err(RedisError::WrongType),
    }
}
