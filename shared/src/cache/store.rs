//! The cache itself: memcached's item semantics over the [`Lru`], with
//! memory handed out as memcached does (slab classes, 1 MiB pages, an LRU
//! and eviction per class: [`Slabs`]), lazy expiry on access plus a
//! periodic sweep, memcached's counters, and an event record for the lab.
//!
//! A limit below one page, which memcached cannot have (`-m` counts whole
//! MiB), is the lab's toy: such a cache counts exact bytes against the
//! limit, with one LRU over all items.
//!
//! Every method takes the current unix time in seconds (`now`) and the
//! connection that asked (`conn`); nothing here reads a clock.

use super::{
    event::{ConnId, DeleteCmd, Event, EventKind, GetStatus, Logged, StoreCmd, StoreStatus},
    expiry::{self, ExpiresAt},
    lru::{Entry, ListId, Lru, Marks, Slot},
    number::parse_stored_u64,
    slabs::{ALLOC_TRIES, ClassCounters, PAGE_SIZE, PULL_TRIES, Placement, SlabSettings, Slabs},
    stats::Stats,
    watch_line::MetadumpLine,
};

mod meta;

pub use meta::{MetaArith, MetaDeleted, MetaGet, MetaHit, MetaSet, Step};

/// Bytes charged per item on top of its key and value: what memcached's
/// own `bytes` counter charges (a 48-byte item header, an 8-byte cas, the
/// key's terminating NUL and the value's trailing "\r\n"), so the two
/// servers report comparable sizes.
pub const ITEM_OVERHEAD: u64 = 48 + 8 + 1 + 2;

/// memcached's default largest item (`-I 1m`), overhead included.
pub const DEFAULT_ITEM_SIZE_MAX: u64 = 1024 * 1024;

/// How long memcached leaves an item where it is in its LRU after it
/// moved to the head (`ITEM_UPDATE_INTERVAL`, seconds): a read moves an
/// item only when it last moved longer ago than this, so a hot item is not
/// relinked on every read. The default for [`Cache`]; see
/// [`Cache::set_bump_interval`].
pub const ITEM_UPDATE_INTERVAL: u64 = 60;

/// The longest key memcached accepts.
pub const KEY_MAX_LENGTH: usize = 250;

/// The accounted size of an item.
pub fn item_size(key_len: usize, value_len: usize) -> u64 {
    key_len as u64 + value_len as u64 + ITEM_OVERHEAD
}

/// The bytes memcached's chunk must hold for an item (`ITEM_ntotal`): the
/// accounted size, plus the 4-byte client flags that memcached stores only
/// when they are not 0. This picks the slab class.
pub fn item_total(key_len: usize, value_len: usize, flags: u32) -> u64 {
    item_size(key_len, value_len) + if flags == 0 { 0 } else { 4 }
}

/// How a store command treats an existing or missing item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    Set,
    /// Only when missing.
    Add,
    /// Only when present.
    Replace,
    /// Add to the end of a present value (flags and expiry kept).
    Append,
    /// Add to the front of a present value (flags and expiry kept).
    Prepend,
    /// Set, only if the item's cas unique is still this one.
    Cas(u64),
}

/// The answer to a store command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreOutcome {
    /// Stored, with the item's new cas unique.
    Stored(u64),
    /// The mode's condition failed (add on a present key, replace/append/
    /// prepend on a missing one).
    NotStored,
    /// cas: the item changed since the client read it.
    Exists,
    /// cas: no such item.
    NotFound,
    /// Larger than the largest item.
    TooLarge,
    /// Larger than the whole memory limit, even with every item evicted.
    OutOfMemory,
}

/// The answer to incr/decr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// The new value and cas unique.
    Value(u64, u64),
    NotFound,
    /// The stored value is not a decimal number.
    NonNumeric,
}

/// A read-only view of an item, as a read returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemView<'a> {
    pub key: &'a [u8],
    pub value: &'a [u8],
    pub flags: u32,
    pub cas: u64,
    pub expires_at: ExpiresAt,
    /// Whether it had been read before this access (meta flag `h`).
    pub fetched_before: bool,
    /// When it last moved to the head of its LRU before this access (a
    /// unix second; meta flag `l` and `me`'s `la=` count from it).
    pub moved_before: u64,
    /// The meta protocol's marks (stale, win handed out, base64 key).
    pub marks: Marks,
}

impl<'a> ItemView<'a> {
    fn of(entry: &'a Entry, fetched_before: bool, moved_before: u64) -> Self {
        ItemView {
            key: entry.key(),
            value: entry.value(),
            flags: entry.flags,
            cas: entry.cas,
            expires_at: entry.expires_at(),
            fetched_before,
            moved_before,
            marks: entry.marks,
        }
    }

    /// Seconds from its last move to the head until `now` (memcached's
    /// "last access").
    pub fn idle(&self, now: u64) -> u64 {
        now.saturating_sub(self.moved_before)
    }

    pub fn size(&self) -> u64 {
        item_size(self.key.len(), self.value.len())
    }
}

/// One key in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SnapshotItem {
    pub key: String,
    pub size: u64,
    /// Seconds left, or `None` for an item that never expires.
    pub ttl: Option<u64>,
}

/// What the lab draws: keys from most to least recently used, and counters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    pub items: Vec<SnapshotItem>,
    /// Live items left out because of the caller's limit.
    pub truncated: u64,
    pub stats: Stats,
}

/// One memcached-style cache.
#[derive(Debug, Clone)]
pub struct Cache {
    lru: Lru,
    /// Pages and chunks per class, and the per-class counters.
    slabs: Slabs,
    stats: Stats,
    item_size_max: u64,
    /// The last cas unique handed out; memcached's are global and rising.
    last_cas: u64,
    /// A `flush_all` with a delay, due at this unix second.
    pending_flush: Option<u64>,
    /// Where the periodic sweep resumes in the slab.
    sweep_cursor: usize,
    /// `Some` while someone is watching.
    events: Option<Vec<Event>>,
    /// Also record memcached's logger records (`EventKind::Log`) while a
    /// TCP client `watch`es.
    log_records: bool,
    /// A use moves an item to the head of its LRU only when it last moved
    /// more than this many seconds ago; 0: every use moves it.
    bump_interval: u64,
}

impl Cache {
    /// An empty cache with `limit_bytes` of memory and memcached's default
    /// slab classes (`-f 1.25 -n 48`).
    pub fn new(limit_bytes: u64) -> Cache {
        Self::with_slabs(limit_bytes, SlabSettings::default())
    }

    /// An empty cache with `limit_bytes` of memory and these slab classes.
    pub fn with_slabs(limit_bytes: u64, settings: SlabSettings) -> Cache {
        Cache {
            lru: Lru::default(),
            slabs: Slabs::new(settings, limit_bytes),
            stats: Stats {
                limit_maxbytes: limit_bytes,
                ..Stats::default()
            },
            item_size_max: DEFAULT_ITEM_SIZE_MAX,
            last_cas: 0,
            pending_flush: None,
            sweep_cursor: 0,
            events: None,
            log_records: false,
            bump_interval: ITEM_UPDATE_INTERVAL,
        }
    }

    /// How many seconds an item stays where it is in its LRU after a move
    /// to the head ([`ITEM_UPDATE_INTERVAL`] unless set). 0 gives the
    /// textbook LRU, where every read moves the item.
    pub fn set_bump_interval(&mut self, seconds: u64) {
        self.bump_interval = seconds;
    }

    pub fn bump_interval(&self) -> u64 {
        self.bump_interval
    }

    /// Keys the hash of the cache's index with `seed`. A cache that faces
    /// the network takes a random one, so no client can compute ahead of
    /// time keys that crowd one place in the index; the default key is fixed, and either
    /// way no answer depends on it (see `lru.rs`).
    pub fn set_hash_key(&mut self, seed: u64) {
        self.lru.set_hash_key(seed);
    }

    /// The seed of the index's hash ([`Cache::set_hash_key`]).
    pub fn hash_key(&self) -> u64 {
        self.lru.hash_key()
    }

    /// Counts per-class counts from now on in lane `lane`: a server whose
    /// threads share the cache gives each its own, as memcached counts per
    /// worker thread (see [`Slabs::counters`]). The totals do not depend
    /// on the lanes.
    pub fn set_lane(&mut self, lane: usize) {
        self.slabs.use_lane(lane);
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub fn limit(&self) -> u64 {
        self.stats.limit_maxbytes
    }

    pub fn item_size_max(&self) -> u64 {
        self.item_size_max
    }

    /// The slab classes: pages, chunks and per-class counters.
    pub fn slabs(&self) -> &Slabs {
        &self.slabs
    }

    /// Whether memory is handed out in pages to slab classes (a limit of at
    /// least one page), rather than counted in exact bytes.
    pub fn is_paged(&self) -> bool {
        self.stats.limit_maxbytes >= PAGE_SIZE
    }

    /// Where an item with this key, value length and flags would be stored.
    pub fn placement(&self, key_len: usize, value_len: usize, flags: u32) -> Placement {
        self.slabs.place(item_total(key_len, value_len, flags))
    }

    /// The items of one slab class, most recently used first (a cache in
    /// exact bytes keeps them all on list 0).
    pub fn class_keys(&self, list: ListId) -> impl Iterator<Item = &[u8]> + '_ {
        self.lru.iter_list(list).map(Entry::key)
    }

    /// How long the least recently used item of a list has gone without a
    /// move to the head, in seconds (`stats items`' `age`); `None` when
    /// the list is empty.
    pub fn oldest_idle(&self, list: ListId, now: u64) -> Option<u64> {
        let tail = self.lru.tail(list)?;
        Some(self.lru.get(tail).idle(now))
    }

    pub fn len(&self) -> usize {
        self.lru.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lru.is_empty()
    }

    /// `stats reset`: zeroes the counters, keeping those that describe what
    /// the cache holds now (`curr_items`, `bytes`, `limit_maxbytes`).
    pub fn reset_stats(&mut self) {
        self.stats = Stats {
            curr_items: self.stats.curr_items,
            bytes: self.stats.bytes,
            limit_maxbytes: self.stats.limit_maxbytes,
            ..Stats::default()
        };
        self.slabs.reset_counters();
    }

    /// Starts or stops recording events. Stopping drops unread ones.
    pub fn record_events(&mut self, on: bool) {
        match (on, self.events.is_some()) {
            (true, false) => self.events = Some(Vec::new()),
            (false, true) => self.events = None,
            _ => {}
        }
    }

    /// Starts or stops recording memcached's logger records too (for a TCP
    /// `watch`); they are recorded only while events are.
    pub fn record_log(&mut self, on: bool) {
        self.log_records = on;
    }

    pub fn is_recording(&self) -> bool {
        self.events.is_some()
    }

    /// Takes the events recorded since the last call.
    pub fn drain_events(&mut self) -> Vec<Event> {
        self.events.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Whether an item with this key and value length could ever be
    /// stored (memcached refuses before reading the data).
    pub fn fits(&self, key_len: usize, value_len: usize) -> bool {
        item_size(key_len, value_len) <= self.item_size_max
    }

    /// Applies a delayed `flush_all` that has come due. Every public method
    /// calls this first.
    pub fn tick(&mut self, now: u64) {
        if let Some(at) = self.pending_flush
            && at <= now
        {
            self.pending_flush = None;
            self.drop_all(0);
        }
    }

    // ----- reads -------------------------------------------------------

    /// `get`/`gets`: the live item, counted as a hit or a miss.
    pub fn get(&mut self, key: &[u8], now: u64, conn: ConnId) -> Option<ItemView<'_>> {
        self.tick(now);
        self.stats.cmd_get += 1;
        match self.find_live(key, now, conn, true) {
            Some(slot) => {
                self.stats.get_hits += 1;
                self.count_in_class(slot, |class| class.get_hits += 1);
                Some(self.hit(slot, now, conn))
            }
            None => {
                self.stats.get_misses += 1;
                self.emit(EventKind::Miss, key, 0, conn);
                None
            }
        }
    }

    /// `gat`/`gats`: like `get`, and the item gets a new expiry.
    pub fn get_and_touch(
        &mut self,
        key: &[u8],
        exptime: i64,
        now: u64,
        conn: ConnId,
    ) -> Option<ItemView<'_>> {
        self.tick(now);
        self.stats.cmd_get += 1;
        self.stats.cmd_touch += 1;
        match self.find_live(key, now, conn, true) {
            Some(slot) => {
                self.stats.touch_hits += 1;
                self.stats.get_hits += 1;
                self.count_in_class(slot, |class| {
                    class.touch_hits += 1;
                    class.get_hits += 1;
                });
                self.lru
                    .get_mut(slot)
                    .set_expires_at(expiry::resolve(exptime, now));
                Some(self.hit(slot, now, conn))
            }
            None => {
                self.stats.touch_misses += 1;
                self.stats.get_misses += 1;
                self.emit(EventKind::Miss, key, 0, conn);
                None
            }
        }
    }

    /// Looks an item up without counting a read or changing LRU order
    /// (meta commands that only ask about an item, the lab's inspector).
    pub fn peek(&mut self, key: &[u8], now: u64) -> Option<ItemView<'_>> {
        self.tick(now);
        let slot = self.find_quiet(key, now, 0)?;
        let entry = self.lru.get(slot);
        Some(ItemView::of(entry, entry.fetched, entry.moved_at()))
    }

    /// Like [`Cache::peek`], as a command's own lookup (memcached's `me`),
    /// so a `watch` sees it.
    pub fn peek_logged(&mut self, key: &[u8], now: u64, conn: ConnId) -> Option<ItemView<'_>> {
        self.tick(now);
        let slot = self.find_live(key, now, conn, false)?;
        let entry = self.lru.get(slot);
        Some(ItemView::of(entry, entry.fetched, entry.moved_at()))
    }

    // ----- writes ------------------------------------------------------

    /// set, add, replace, append, prepend and cas.
    // The arguments are exactly the protocol's fields; a struct for them
    // would only be unpacked again here.
    #[allow(clippy::too_many_arguments)]
    pub fn store(
        &mut self,
        mode: StoreMode,
        key: &[u8],
        value: &[u8],
        flags: u32,
        exptime: i64,
        now: u64,
        conn: ConnId,
    ) -> StoreOutcome {
        let outcome = self.store_unlogged(mode, key, value, flags, exptime, now, conn);
        if self.logging() {
            let (ttl, value_len) = match outcome {
                StoreOutcome::Stored(_) => self.lru.find(key).map_or((0, 0), |slot| {
                    let entry = self.lru.get(slot);
                    let ttl = entry.expires_at().map_or(0, |at| at.saturating_sub(now));
                    (ttl, entry.value().len() as u64)
                }),
                StoreOutcome::TooLarge | StoreOutcome::OutOfMemory => (0, 0),
                _ => (
                    expiry::resolve(exptime, now).map_or(0, |at| at.saturating_sub(now)),
                    value.len() as u64,
                ),
            };
            let log = Logged::Store {
                status: StoreStatus::of(outcome),
                cmd: StoreCmd::of(mode),
                ttl,
                value_len,
            };
            self.log(key, conn, log);
        }
        outcome
    }

    // The arguments are exactly the protocol's fields.
    #[allow(clippy::too_many_arguments)]
    fn store_unlogged(
        &mut self,
        mode: StoreMode,
        key: &[u8],
        value: &[u8],
        flags: u32,
        exptime: i64,
        now: u64,
        conn: ConnId,
    ) -> StoreOutcome {
        self.tick(now);
        self.stats.cmd_set += 1;
        let existing = self.find_live(key, now, conn, false);
        let size = item_size(key.len(), value.len());
        if size <= self.item_size_max {
            // memcached counts a store in its item's class once the data is in.
            let class = self.placement(key.len(), value.len(), flags).class;
            self.slabs.counters_mut(class).cmd_set += 1;
        }
        if size > self.item_size_max {
            // memcached drops a set's old value rather than keep serving it
            // after the client tried to replace it.
            if let (StoreMode::Set, Some(slot)) = (mode, existing) {
                self.unlink(slot);
            }
            return StoreOutcome::TooLarge;
        }
        let entry = match (mode, existing) {
            (StoreMode::Add, Some(slot)) => {
                // A failed add still counts as a use of the item.
                self.bump(slot, now);
                return StoreOutcome::NotStored;
            }
            (StoreMode::Replace | StoreMode::Append | StoreMode::Prepend, None) => {
                return StoreOutcome::NotStored;
            }
            (StoreMode::Cas(_), None) => {
                self.stats.cas_misses += 1;
                return StoreOutcome::NotFound;
            }
            (StoreMode::Cas(unique), Some(slot)) if self.lru.get(slot).cas != unique => {
                self.stats.cas_badval += 1;
                self.count_in_class(slot, |class| class.cas_badval += 1);
                return StoreOutcome::Exists;
            }
            (StoreMode::Append | StoreMode::Prepend, Some(slot)) => {
                let old = self.lru.get(slot);
                if item_size(key.len(), old.value().len() + value.len()) > self.item_size_max {
                    return StoreOutcome::TooLarge;
                }
                let parts: [&[u8]; 2] = if mode == StoreMode::Append {
                    [old.value(), value]
                } else {
                    [value, old.value()]
                };
                Entry::from_parts(key, &parts, old.flags, old.expires_at(), 0)
            }
            (StoreMode::Cas(_), Some(slot)) => {
                self.stats.cas_hits += 1;
                self.count_in_class(slot, |class| class.cas_hits += 1);
                Entry::new(key, value, flags, expiry::resolve(exptime, now), 0)
            }
            (StoreMode::Set | StoreMode::Add | StoreMode::Replace, _) => {
                Entry::new(key, value, flags, expiry::resolve(exptime, now), 0)
            }
        };
        if let Some(slot) = existing {
            self.unlink(slot);
        }
        self.insert(entry, now, conn)
    }

    /// `delete`: whether there was a live item to delete.
    pub fn delete(&mut self, key: &[u8], now: u64, conn: ConnId) -> bool {
        self.delete_as(DeleteCmd::Delete, key, now, conn)
    }

    fn delete_as(&mut self, cmd: DeleteCmd, key: &[u8], now: u64, conn: ConnId) -> bool {
        self.tick(now);
        match self.find_live(key, now, conn, false) {
            Some(slot) => {
                self.stats.delete_hits += 1;
                self.count_in_class(slot, |class| class.delete_hits += 1);
                let entry = self.unlink(slot);
                let value_len = entry.value().len() as u64;
                self.emit(
                    EventKind::Delete,
                    key,
                    item_size(key.len(), entry.value().len()),
                    conn,
                );
                self.log(key, conn, Logged::Deleted { cmd, value_len });
                true
            }
            None => {
                self.stats.delete_misses += 1;
                false
            }
        }
    }

    /// A store refused before its data was read, as too large: logged as
    /// memcached logs it, and the key's old value dropped when `forget`
    /// says so (memcached drops it for `set` and every `ms`).
    pub fn refuse_too_large(
        &mut self,
        key: &[u8],
        mode: StoreMode,
        forget: bool,
        now: u64,
        conn: ConnId,
    ) {
        self.tick(now);
        let log = Logged::Store {
            status: StoreStatus::TooLarge,
            cmd: StoreCmd::of(mode),
            ttl: 0,
            value_len: 0,
        };
        self.log(key, conn, log);
        if forget {
            self.forget(key, now, conn);
        }
    }

    /// Drops an item without counting a delete: memcached does this to the
    /// old value when a `set` is refused as too large, so that a stale
    /// value is not served after the client tried to replace it.
    pub fn forget(&mut self, key: &[u8], now: u64, conn: ConnId) -> bool {
        self.tick(now);
        let Some(slot) = self.find_live(key, now, conn, false) else {
            return false;
        };
        let entry = self.unlink(slot);
        let size = item_size(key.len(), entry.value().len());
        self.emit(EventKind::Delete, key, size, conn);
        true
    }

    /// `touch`: gives a live item a new expiry time.
    pub fn touch(&mut self, key: &[u8], exptime: i64, now: u64, conn: ConnId) -> bool {
        self.tick(now);
        self.stats.cmd_touch += 1;
        match self.find_live(key, now, conn, false) {
            Some(slot) => {
                self.stats.touch_hits += 1;
                self.count_in_class(slot, |class| class.touch_hits += 1);
                let moved = self.bump(slot, now);
                let entry = self.lru.get_mut(slot);
                entry.set_expires_at(expiry::resolve(exptime, now));
                // memcached's touch goes through its item fetch, which marks
                // the item as read.
                entry.fetched = true;
                let size = item_size(key.len(), entry.value().len());
                self.emit_use(EventKind::Touch, key, size, conn, moved);
                true
            }
            None => {
                self.stats.touch_misses += 1;
                false
            }
        }
    }

    /// `incr`/`decr`: 64-bit unsigned, incr wraps, decr stops at zero. A
    /// shorter result is padded with spaces in place, as memcached does.
    pub fn incr_decr(
        &mut self,
        key: &[u8],
        delta: u64,
        incr: bool,
        now: u64,
        conn: ConnId,
    ) -> Arith {
        self.tick(now);
        let Some(slot) = self.find_live(key, now, conn, false) else {
            if incr {
                self.stats.incr_misses += 1;
            } else {
                self.stats.decr_misses += 1;
            }
            return Arith::NotFound;
        };
        let entry = self.lru.get(slot);
        let Some(current) = parse_stored_u64(entry.value()) else {
            return Arith::NonNumeric;
        };
        let new = if incr {
            self.stats.incr_hits += 1;
            self.count_in_class(slot, |class| class.incr_hits += 1);
            current.wrapping_add(delta)
        } else {
            self.stats.decr_hits += 1;
            self.count_in_class(slot, |class| class.decr_hits += 1);
            current.saturating_sub(delta)
        };
        let digits = new.to_string();
        let entry = self.lru.get(slot);
        let old_len = entry.value().len();
        if digits.len() <= old_len {
            self.last_cas += 1;
            let cas = self.last_cas;
            let moved = self.bump(slot, now);
            let entry = self.lru.get_mut(slot);
            let value = entry.value_mut();
            value[..digits.len()].copy_from_slice(digits.as_bytes());
            value[digits.len()..].fill(b' ');
            entry.cas = cas;
            let size = item_size(key.len(), old_len);
            self.emit_use(EventKind::Set, key, size, conn, moved);
            return Arith::Value(new, cas);
        }
        let (flags, expires_at) = (entry.flags, entry.expires_at());
        let entry = Entry::new(key, digits.as_bytes(), flags, expires_at, 0);
        self.unlink(slot);
        match self.insert(entry, now, conn) {
            StoreOutcome::Stored(cas) => Arith::Value(new, cas),
            // A one-item cache smaller than a number: nothing to return.
            _ => Arith::NotFound,
        }
    }

    /// `flush_all`: drops every item now, or at `delay` (an exptime) later.
    pub fn flush_all(&mut self, delay: i64, now: u64, conn: ConnId) {
        self.tick(now);
        self.stats.cmd_flush += 1;
        if delay <= 0 {
            self.pending_flush = None;
            self.drop_all(conn);
        } else {
            self.pending_flush = expiry::resolve(delay, now);
            self.tick(now);
        }
    }

    /// Changes the memory limit. A cache in pages keeps the pages it has,
    /// as memcached's `cache_memlimit` does, and takes no new ones past the
    /// limit; a cache in exact bytes evicts at once down to the new limit.
    /// Crossing one page either way re-files every item (oldest first)
    /// under the other accounting.
    pub fn set_limit(&mut self, limit_bytes: u64, now: u64, conn: ConnId) {
        self.tick(now);
        let was_paged = self.is_paged();
        self.stats.limit_maxbytes = limit_bytes;
        self.slabs.set_limit(limit_bytes);
        if was_paged != self.is_paged() {
            self.refile_all(now, conn);
        }
        if !self.is_paged() {
            while self.stats.bytes > limit_bytes {
                let Some(tail) = self.lru.tail(0) else { break };
                self.evict(tail, now, conn);
            }
        }
    }

    /// Takes every item out and puts it back under the current accounting,
    /// oldest first; one that no longer finds room is evicted.
    fn refile_all(&mut self, now: u64, conn: ConnId) {
        let old = self.lru.take();
        let mut entries: Vec<Entry> = old.iter().cloned().collect();
        entries.reverse();
        drop(old);
        // The counters stay: re-filing is bookkeeping, not traffic.
        self.slabs.release_all();
        self.stats.curr_items = 0;
        self.stats.bytes = 0;
        self.sweep_cursor = 0;
        for mut entry in entries {
            if self.make_room(&mut entry, now, conn) {
                self.link(entry);
            } else {
                self.stats.evictions += 1;
                let size = item_size(entry.key().len(), entry.value().len());
                self.emit(EventKind::Evict, entry.key(), size, conn);
            }
        }
    }

    /// Live items in slab order from slot `from`, for `lru_crawler
    /// metadump`: looks at up to `budget` slots and returns where to go on,
    /// `None` at the end. Like memcached's crawler it leaves out items whose
    /// expiry is before `now` (one due this very second is still listed)
    /// and changes nothing: a dump is not a read.
    pub fn dump(
        &self,
        from: usize,
        budget: usize,
        now: u64,
        mut each: impl FnMut(MetadumpLine),
    ) -> Option<usize> {
        let slots = self.lru.slot_count();
        let end = from.saturating_add(budget).min(slots);
        for slot in from..end {
            let Some(entry) = self.lru.slot(slot) else {
                continue;
            };
            if matches!(entry.expires_at(), Some(at) if at < now) {
                continue;
            }
            each(MetadumpLine {
                key: entry.key().to_vec(),
                exp: entry.expires_at(),
                la: entry.moved_at(),
                cas: entry.cas,
                fetched: entry.fetched,
                cls: u32::from(entry.class),
                // memcached's `ITEM_ntotal`: the whole item in memory.
                size: item_total(entry.key().len(), entry.value().len(), entry.flags),
            });
        }
        (end < slots).then_some(end)
    }

    /// How many slots the slab has, used or free: a whole sweep or dump
    /// looks at this many.
    pub fn slot_count(&self) -> usize {
        self.lru.slot_count()
    }

    /// The periodic expiry sweep: examines up to `budget` slots, resuming
    /// where the last sweep stopped, and drops expired items. Returns how
    /// many it dropped. Cost is bounded by `budget`, whatever the size.
    pub fn sweep(&mut self, now: u64, budget: usize) -> usize {
        self.tick(now);
        let mut dropped = 0;
        let slots = self.lru.slot_count();
        if slots == 0 {
            return 0;
        }
        for _ in 0..budget.min(slots) {
            if self.sweep_cursor >= slots {
                self.sweep_cursor = 0;
            }
            let slot = self.sweep_cursor;
            self.sweep_cursor += 1;
            let expired = self
                .lru
                .slot(slot)
                .is_some_and(|entry| expiry::is_expired(entry.expires_at(), now));
            if expired {
                self.expire(slot as Slot, 0);
                dropped += 1;
            }
        }
        dropped
    }

    /// Keys from most to least recently used, slab class by slab class
    /// (at most `max_items` of them),
    /// with sizes and seconds left, and the counters.
    pub fn snapshot(&mut self, now: u64, max_items: usize) -> Snapshot {
        self.tick(now);
        let mut items = Vec::new();
        let mut live = 0u64;
        for entry in self.lru.iter() {
            if expiry::is_expired(entry.expires_at(), now) {
                continue;
            }
            live += 1;
            if items.len() < max_items {
                items.push(SnapshotItem {
                    key: String::from_utf8_lossy(entry.key()).into_owned(),
                    size: item_size(entry.key().len(), entry.value().len()),
                    ttl: entry.expires_at().map(|at| at.saturating_sub(now)),
                });
            }
        }
        Snapshot {
            truncated: live - items.len() as u64,
            items,
            stats: self.stats.clone(),
        }
    }

    /// Keys from most to least recently used, class by class, expired ones
    /// included (for
    /// `stats cachedump` and tests).
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.lru.iter().map(Entry::key)
    }

    // ----- internals ---------------------------------------------------

    /// The slot of `key` if it holds a live item; an expired one found on
    /// the way is dropped (lazy expiry) and, for reads, counted. Logged as
    /// memcached logs every lookup (`item_get`).
    fn find_live(&mut self, key: &[u8], now: u64, conn: ConnId, read: bool) -> Option<Slot> {
        let found = self.lru.find(key);
        let expired =
            found.filter(|&slot| expiry::is_expired(self.lru.get(slot).expires_at(), now));
        if let Some(slot) = expired {
            if read {
                self.stats.get_expired += 1;
            }
            self.expire(slot, conn);
        }
        let live = found.filter(|_| expired.is_none());
        if self.logging() {
            let (status, value_len) = match (live, expired) {
                (Some(slot), _) => (GetStatus::Found, self.lru.get(slot).value().len() as u64),
                (None, Some(_)) => (GetStatus::Expired, 0),
                (None, None) => (GetStatus::NotFound, 0),
            };
            self.log(key, conn, Logged::Get { status, value_len });
        }
        live
    }

    /// [`Cache::find_live`] without the log record: for a look that is not
    /// a command's own lookup (the lab's inspector, a meta command's check
    /// before the lookup memcached logs).
    fn find_quiet(&mut self, key: &[u8], now: u64, conn: ConnId) -> Option<Slot> {
        let slot = self.lru.find(key)?;
        if expiry::is_expired(self.lru.get(slot).expires_at(), now) {
            self.expire(slot, conn);
            return None;
        }
        Some(slot)
    }

    /// A read that found the item: it is now fetched, and may move to the
    /// head ([`Cache::bump`]); the view tells what was true before.
    fn hit(&mut self, slot: Slot, now: u64, conn: ConnId) -> ItemView<'_> {
        let moved_before = self.lru.get(slot).moved_at();
        let moved = self.bump(slot, now);
        let entry = self.lru.get_mut(slot);
        let fetched_before = entry.fetched;
        // Written only when it changes: an item read again and again stays
        // clean in the caches of both worker threads (memcached sets
        // `ITEM_FETCHED` the same way, only when it is not set).
        if !fetched_before {
            entry.fetched = true;
        }
        if let Some(events) = self.events.as_mut() {
            let entry = self.lru.get(slot);
            events.push(Event {
                kind: EventKind::Hit,
                key: String::from_utf8_lossy(entry.key()).into_owned(),
                size: item_size(entry.key().len(), entry.value().len()),
                conn,
                stayed: !moved,
                log: None,
            });
        }
        ItemView::of(self.lru.get(slot), fetched_before, moved_before)
    }

    /// Makes room and inserts a new item with a fresh cas unique.
    fn insert(&mut self, mut entry: Entry, now: u64, conn: ConnId) -> StoreOutcome {
        let size = item_size(entry.key().len(), entry.value().len());
        if !self.make_room(&mut entry, now, conn) {
            return StoreOutcome::OutOfMemory;
        }
        self.last_cas += 1;
        entry.cas = self.last_cas;
        entry.set_time(now);
        let cas = entry.cas;
        if self.events.is_some() {
            let key = entry.key().to_vec();
            self.emit(EventKind::Set, &key, size, conn);
        }
        self.link(entry);
        self.stats.total_items += 1;
        StoreOutcome::Stored(cas)
    }

    /// Finds memory for `entry`, evicting as memcached does: in pages, the
    /// class's chunks (a new page while the limit allows), else the tail of
    /// the class's own LRU is pulled, up to ten times; in exact bytes, the
    /// least recently used items until the bytes fit. False: out of memory.
    /// Files the entry in its class (`Entry::class`) either way.
    fn make_room(&mut self, entry: &mut Entry, now: u64, conn: ConnId) -> bool {
        let placement = self.placement_of(entry);
        entry.class = placement.class;
        if !self.is_paged() {
            let size = item_size(entry.key().len(), entry.value().len());
            if size > self.stats.limit_maxbytes {
                return false;
            }
            while self.stats.bytes + size > self.stats.limit_maxbytes {
                let Some(tail) = self.lru.tail(0) else { break };
                self.evict(tail, now, conn);
            }
            self.slabs.count_unpaged(placement);
            return true;
        }
        for _ in 0..ALLOC_TRIES {
            if self.slabs.alloc(placement) {
                return true;
            }
            if self.pull_tail(placement.class, now, conn) == 0 {
                break;
            }
        }
        self.slabs.counters_mut(placement.class).outofmemory += 1;
        false
    }

    /// memcached's `lru_pull_tail` with eviction: walks up from the tail of
    /// a class's LRU, reclaiming expired items (up to five), and evicts the
    /// tail only if none was expired. Returns how many items it removed.
    ///
    /// memcached walks its cold segment, and evicts the first live item
    /// after expired ones too; but recently stored items wait in its hot
    /// segment, out of that walk, so refilling a class of expired items
    /// evicts nothing there. One LRU per class gets the same counts by not
    /// evicting in a pull that reclaimed.
    fn pull_tail(&mut self, class: ListId, now: u64, conn: ConnId) -> usize {
        let mut reclaimed = 0;
        for _ in 0..PULL_TRIES {
            let Some(tail) = self.lru.tail(class) else {
                break;
            };
            if expiry::is_expired(self.lru.get(tail).expires_at(), now) {
                self.expire(tail, conn);
                reclaimed += 1;
                continue;
            }
            if reclaimed == 0 {
                self.evict(tail, now, conn);
                return 1;
            }
            break;
        }
        reclaimed
    }

    /// Puts an item whose memory [`Cache::make_room`] found on its LRU list.
    fn link(&mut self, entry: Entry) {
        let size = item_size(entry.key().len(), entry.value().len());
        let list = self.list_of(&entry);
        self.lru.insert(entry, list);
        self.stats.curr_items += 1;
        self.stats.bytes += size;
    }

    fn placement_of(&self, entry: &Entry) -> Placement {
        self.placement(entry.key().len(), entry.value().len(), entry.flags)
    }

    /// The LRU list an item is on: its class's, or list 0 in exact bytes.
    fn list_of(&self, entry: &Entry) -> ListId {
        if self.is_paged() { entry.class } else { 0 }
    }

    /// A use of an item: memcached's flat LRU (`do_item_update`) moves it
    /// to the head only when it last moved more than the bump interval
    /// ago, so a hot item is not relinked on every read. Returns whether
    /// it moved.
    fn bump(&mut self, slot: Slot, now: u64) -> bool {
        let entry = self.lru.get(slot);
        if self.bump_interval != 0 && entry.idle(now) <= self.bump_interval {
            return false;
        }
        let list = self.list_of(entry);
        self.lru.get_mut(slot).set_time(now);
        self.lru.bump(slot, list);
        true
    }

    /// Counts something that happened to the item in `slot` in its class.
    fn count_in_class(&mut self, slot: Slot, count: impl FnOnce(&mut ClassCounters)) {
        let class = self.lru.get(slot).class;
        count(self.slabs.counters_mut(class));
    }

    /// Removes an item from the structure and the accounting.
    fn unlink(&mut self, slot: Slot) -> Entry {
        let list = self.list_of(self.lru.get(slot));
        let placement = self.placement_of(self.lru.get(slot));
        let entry = self.lru.remove(slot, list);
        if self.is_paged() {
            self.slabs.free(placement);
        } else {
            self.slabs.uncount_unpaged(placement);
        }
        self.stats.curr_items -= 1;
        self.stats.bytes -= item_size(entry.key().len(), entry.value().len());
        entry
    }

    fn evict(&mut self, slot: Slot, now: u64, conn: ConnId) {
        if expiry::is_expired(self.lru.get(slot).expires_at(), now) {
            self.expire(slot, conn);
            return;
        }
        let had_expiry = self.lru.get(slot).expires_at().is_some();
        let idle = self.lru.get(slot).idle(now);
        self.count_in_class(slot, |class| {
            class.evicted += 1;
            class.evicted_nonzero += u64::from(had_expiry);
        });
        self.slabs.set_evicted_time(self.lru.get(slot).class, idle);
        let entry = self.unlink(slot);
        self.stats.evictions += 1;
        if !entry.fetched {
            self.stats.evicted_unfetched += 1;
            let class = entry.class;
            self.slabs.counters_mut(class).evicted_unfetched += 1;
        }
        let size = item_size(entry.key().len(), entry.value().len());
        self.emit(EventKind::Evict, entry.key(), size, conn);
        let log = Logged::Eviction {
            fetched: entry.fetched,
            ttl: expiry::remaining(entry.expires_at(), now),
            idle: entry.idle(now),
            value_len: entry.value().len() as u64,
        };
        self.log(entry.key(), conn, log);
    }

    fn expire(&mut self, slot: Slot, conn: ConnId) {
        self.count_in_class(slot, |class| class.reclaimed += 1);
        let entry = self.unlink(slot);
        self.stats.reclaimed += 1;
        if !entry.fetched {
            self.stats.expired_unfetched += 1;
            let class = entry.class;
            self.slabs.counters_mut(class).expired_unfetched += 1;
        }
        let size = item_size(entry.key().len(), entry.value().len());
        self.emit(EventKind::Expire, entry.key(), size, conn);
    }

    fn drop_all(&mut self, conn: ConnId) {
        self.lru.clear();
        self.slabs.free_all_items();
        self.sweep_cursor = 0;
        self.stats.curr_items = 0;
        self.stats.bytes = 0;
        self.emit(EventKind::Flush, b"", 0, conn);
    }

    fn emit(&mut self, kind: EventKind, key: &[u8], size: u64, conn: ConnId) {
        self.emit_use(kind, key, size, conn, true);
    }

    /// [`Cache::emit`] for a use that may have left the item in place
    /// (`moved` false: see [`Cache::bump`]).
    fn emit_use(&mut self, kind: EventKind, key: &[u8], size: u64, conn: ConnId, moved: bool) {
        if let Some(events) = self.events.as_mut() {
            events.push(Event {
                kind,
                key: String::from_utf8_lossy(key).into_owned(),
                size,
                conn,
                stayed: !moved,
                log: None,
            });
        }
    }

    /// Whether memcached's logger records are being kept.
    fn logging(&self) -> bool {
        self.log_records && self.events.is_some()
    }

    /// Records a connection's arrival or departure for `watch connevents`
    /// (the node's connections are not the model's, but their records go
    /// through the one event stream, in order with the items').
    pub fn log_connection(&mut self, conn: ConnId, log: Logged) {
        self.log(b"", conn, log);
    }

    /// Records one of memcached's logger records, while a `watch` asks.
    fn log(&mut self, key: &[u8], conn: ConnId, log: Logged) {
        if !self.logging() {
            return;
        }
        if let Some(events) = self.events.as_mut() {
            events.push(Event {
                kind: EventKind::Log,
                key: String::from_utf8_lossy(key).into_owned(),
                size: 0,
                conn,
                stayed: false,
                log: Some(log),
            });
        }
    }
}

impl StoreStatus {
    fn of(outcome: StoreOutcome) -> StoreStatus {
        match outcome {
            StoreOutcome::Stored(_) => StoreStatus::Stored,
            StoreOutcome::NotStored => StoreStatus::NotStored,
            StoreOutcome::Exists => StoreStatus::Exists,
            StoreOutcome::NotFound => StoreStatus::NotFound,
            StoreOutcome::TooLarge => StoreStatus::TooLarge,
            StoreOutcome::OutOfMemory => StoreStatus::NoMemory,
        }
    }
}

impl StoreCmd {
    fn of(mode: StoreMode) -> StoreCmd {
        match mode {
            StoreMode::Set => StoreCmd::Set,
            StoreMode::Add => StoreCmd::Add,
            StoreMode::Replace => StoreCmd::Replace,
            StoreMode::Append => StoreCmd::Append,
            StoreMode::Prepend => StoreCmd::Prepend,
            StoreMode::Cas(_) => StoreCmd::Cas,
        }
    }
}
