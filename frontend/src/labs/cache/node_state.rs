//! What the lab knows about one node, kept current from its event stream
//! and corrected now and then by a snapshot: the most recently used keys in
//! LRU order (with size and expiry), the counters, the latest operations,
//! and the hit ratio over the last minute.
//!
//! Events say what happened to which key but not its expiry time, so a key
//! set or touched since the last snapshot shows its TTL as unknown and the
//! node is marked `dirty`; the lab asks for a snapshot at most once a
//! second while it is. Removed keys stay a moment, marked as leaving, so
//! that the card can animate the eviction or expiry where it happens.

use std::collections::VecDeque;

use fanout_shared::cache::{Event, EventKind, SnapshotItem, Stats};

/// Keys tracked per node (the most recently used ones).
pub const KEEP: usize = 100;
/// Keys drawn per card.
pub const SHOWN: usize = 12;
/// Operations kept in the feed.
pub const FEED: usize = 8;
/// Hit-ratio samples kept (one a second).
pub const HISTORY: usize = 60;
/// How long a removed key stays on screen, leaving, in ms.
pub const LEAVING_MS: f64 = 900.0;

/// When a key expires, as far as the lab knows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ttl {
    /// Set or touched since the last snapshot.
    Unknown,
    Never,
    /// At this time on the backend's clock, in ms.
    At(f64),
}

/// Why a key left the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    Deleted,
    Evicted,
    Expired,
    Flushed,
}

impl Departure {
    /// The departure an event means, if it removes a key.
    pub fn of(kind: EventKind) -> Option<Departure> {
        match kind {
            EventKind::Delete => Some(Departure::Deleted),
            EventKind::Evict => Some(Departure::Evicted),
            EventKind::Expire => Some(Departure::Expired),
            EventKind::Flush => Some(Departure::Flushed),
            EventKind::Set
            | EventKind::Hit
            | EventKind::Miss
            | EventKind::Touch
            | EventKind::Log => None,
        }
    }
}

/// Why a row is highlighted; a new mark gives the row a new version, so the
/// card redraws it and its CSS animation plays once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    Quiet,
    Stored,
    Hit,
    Touched,
    /// Removed at this time, in ms.
    Leaving(Departure, f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyRow {
    pub key: String,
    pub size: u64,
    pub ttl: Ttl,
    pub mark: Mark,
    /// Changes whenever the row should be drawn afresh.
    pub version: u64,
}

impl KeyRow {
    pub fn is_leaving(&self) -> bool {
        matches!(self.mark, Mark::Leaving(..))
    }
}

/// One line of the live feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    pub seq: u64,
    pub kind: EventKind,
    pub key: String,
    pub size: u64,
    pub conn: u64,
    /// Came in a burst too large to read line by line: not animated.
    pub burst: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeState {
    pub stats: Stats,
    /// Most recently used first.
    pub keys: Vec<KeyRow>,
    /// Newest first.
    pub feed: VecDeque<FeedEntry>,
    /// Events the stream left out (it never slows the cache).
    pub skipped: u64,
    /// The keys changed since the last snapshot.
    pub dirty: bool,
    pub snapshot_pending: bool,
    /// Hit ratio once a second, oldest first (`None`: no reads yet).
    pub history: VecDeque<Option<f64>>,
    /// Counter changes, for the pulse on the evictions and expirations.
    pub evictions_seen: u64,
    pub expirations_seen: u64,
    next: u64,
}

/// Hits over reads, or `None` before the first read.
pub fn hit_ratio(stats: &Stats) -> Option<f64> {
    let reads = stats.get_hits + stats.get_misses;
    (reads > 0).then(|| stats.get_hits as f64 / reads as f64)
}

impl NodeState {
    pub fn new(stats: Stats) -> NodeState {
        NodeState {
            stats,
            ..NodeState::default()
        }
    }

    fn version(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// Applies one `cache_events` frame received at `now_ms`.
    pub fn apply_events(&mut self, events: &[Event], skipped: u64, stats: &Stats, now_ms: f64) {
        let burst = events.len() > FEED;
        for event in events {
            self.apply(event, now_ms, burst);
        }
        self.skipped += skipped;
        if skipped > 0 {
            self.dirty = true;
        }
        self.set_stats(stats.clone());
        self.trim();
    }

    fn set_stats(&mut self, stats: Stats) {
        self.stats = stats;
    }

    fn apply(&mut self, event: &Event, now_ms: f64, burst: bool) {
        // memcached's log records are for a TCP `watch`; the server never
        // sends them and the offline model never records them.
        if event.kind == EventKind::Log {
            return;
        }
        let seq = self.version();
        self.feed.push_front(FeedEntry {
            seq,
            kind: event.kind,
            key: event.key.clone(),
            size: event.size,
            conn: event.conn,
            burst,
        });
        self.feed.truncate(FEED);
        match event.kind {
            // A use that left the item in place (it moved to the head less
            // than a minute ago, memcached's rule) keeps its row's place.
            EventKind::Set | EventKind::Hit | EventKind::Touch if event.stayed => {
                self.mark_in_place(event);
            }
            EventKind::Set => self.bump(&event.key, event.size, Mark::Stored, true),
            EventKind::Hit => self.bump(&event.key, event.size, Mark::Hit, false),
            EventKind::Touch => self.bump(&event.key, event.size, Mark::Touched, true),
            EventKind::Miss | EventKind::Log => {}
            EventKind::Delete | EventKind::Evict | EventKind::Expire => {
                let version = self.version();
                if let (Some(departure), Some(row)) = (
                    Departure::of(event.kind),
                    self.keys
                        .iter_mut()
                        .find(|row| row.key == event.key && !row.is_leaving()),
                ) {
                    row.mark = Mark::Leaving(departure, now_ms);
                    row.version = version;
                }
            }
            EventKind::Flush => {
                for row in self.keys.iter_mut().filter(|row| !row.is_leaving()) {
                    self.next += 1;
                    row.mark = Mark::Leaving(Departure::Flushed, now_ms);
                    row.version = self.next;
                }
            }
        }
    }

    /// Marks a key's row as used where it is; an unknown key is added at
    /// the most recently used end, and the next snapshot puts it in place.
    fn mark_in_place(&mut self, event: &Event) {
        let (mark, new_expiry) = match event.kind {
            EventKind::Hit => (Mark::Hit, false),
            EventKind::Touch => (Mark::Touched, true),
            _ => (Mark::Stored, false),
        };
        let version = self.version();
        let Some(row) = self
            .keys
            .iter_mut()
            .find(|row| row.key == event.key && !row.is_leaving())
        else {
            self.dirty = true;
            self.bump(&event.key, event.size, mark, true);
            return;
        };
        row.mark = mark;
        row.size = event.size;
        row.version = version;
        if new_expiry {
            row.ttl = Ttl::Unknown;
            self.dirty = true;
        }
    }

    /// Moves (or adds) a key to the most recently used end.
    fn bump(&mut self, key: &str, size: u64, mark: Mark, new_expiry: bool) {
        let old = self
            .keys
            .iter()
            .position(|row| row.key == key && !row.is_leaving())
            .map(|index| self.keys.remove(index));
        let ttl = match &old {
            Some(row) if !new_expiry => row.ttl,
            _ => {
                self.dirty = true;
                Ttl::Unknown
            }
        };
        let version = self.version();
        self.keys.insert(
            0,
            KeyRow {
                key: key.to_owned(),
                size,
                ttl,
                mark,
                version,
            },
        );
    }

    fn trim(&mut self) {
        let mut live = 0;
        self.keys.retain(|row| {
            if row.is_leaving() {
                return true;
            }
            live += 1;
            live <= KEEP
        });
    }

    /// Drops rows that have finished leaving.
    pub fn drop_left(&mut self, now_ms: f64) {
        self.keys.retain(|row| match row.mark {
            Mark::Leaving(_, since) => now_ms - since < LEAVING_MS,
            _ => true,
        });
    }

    /// Replaces the keys with a snapshot taken at `now_ms`, keeping the
    /// versions of rows that did not change (so they are not redrawn) and
    /// the rows still leaving.
    pub fn apply_snapshot(&mut self, items: &[SnapshotItem], stats: &Stats, now_ms: f64) {
        let mut old = std::mem::take(&mut self.keys);
        let mut keys = Vec::with_capacity(items.len().min(KEEP));
        for item in items.iter().take(KEEP) {
            let ttl = match item.ttl {
                None => Ttl::Never,
                Some(seconds) => Ttl::At(now_ms + seconds as f64 * 1000.0),
            };
            let previous = old
                .iter()
                .position(|row| row.key == item.key && !row.is_leaving())
                .map(|index| old.remove(index));
            let (mark, version) = match previous {
                Some(row) if row.size == item.size => (row.mark, row.version),
                _ => (Mark::Quiet, self.version()),
            };
            keys.push(KeyRow {
                key: item.key.clone(),
                size: item.size,
                ttl,
                mark,
                version,
            });
        }
        // Rows still leaving keep roughly their place.
        for (index, row) in old.into_iter().enumerate() {
            if row.is_leaving() {
                keys.insert(index.min(keys.len()), row);
            }
        }
        self.keys = keys;
        self.set_stats(stats.clone());
        self.dirty = false;
        self.snapshot_pending = false;
    }

    /// Records the hit ratio (once a second).
    pub fn sample(&mut self) {
        self.history.push_back(hit_ratio(&self.stats));
        while self.history.len() > HISTORY {
            self.history.pop_front();
        }
    }

    /// Live keys tracked.
    pub fn live_keys(&self) -> usize {
        self.keys.iter().filter(|row| !row.is_leaving()).count()
    }

    /// Whether the tracked keys are all the node holds, so the last one is
    /// the next to be evicted.
    pub fn complete(&self) -> bool {
        !self.dirty && self.live_keys() as u64 == self.stats.curr_items
    }

    pub fn ttl_of(&self, key: &str) -> Option<Ttl> {
        self.keys
            .iter()
            .find(|row| row.key == key && !row.is_leaving())
            .map(|row| row.ttl)
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn event(kind: EventKind, key: &str) -> Event {
        Event {
            kind,
            key: key.into(),
            size: 61,
            conn: 3,
            stayed: false,
            log: None,
        }
    }

    #[wasm_bindgen_test]
    fn a_hit_that_left_the_item_in_place_keeps_its_row_there() {
        let mut state = NodeState::default();
        let stats = Stats::default();
        let stayed = Event {
            stayed: true,
            ..event(EventKind::Hit, "a")
        };
        let events = [
            event(EventKind::Set, "a"),
            event(EventKind::Set, "b"),
            stayed,
        ];
        state.apply_events(&events, 0, &stats, 1000.0);
        let keys: Vec<_> = state.keys.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(state.keys[1].mark, Mark::Hit);
        state.apply_events(&[event(EventKind::Hit, "a")], 0, &stats, 2000.0);
        let keys: Vec<_> = state.keys.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["a", "b"], "a hit that moved it");
    }

    #[wasm_bindgen_test]
    fn events_keep_lru_order_and_removals_linger() {
        let mut state = NodeState::default();
        let stats = Stats::default();
        let events = [
            event(EventKind::Set, "a"),
            event(EventKind::Set, "b"),
            event(EventKind::Hit, "a"),
            event(EventKind::Miss, "z"),
            event(EventKind::Evict, "b"),
        ];
        state.apply_events(&events, 0, &stats, 1000.0);
        let keys: Vec<_> = state.keys.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["a", "b"]);
        assert!(matches!(
            state.keys[1].mark,
            Mark::Leaving(Departure::Evicted, _)
        ));
        assert_eq!(state.feed.len(), 5);
        assert_eq!(state.feed[0].kind, EventKind::Evict);
        assert!(state.dirty);
        state.drop_left(1000.0 + LEAVING_MS);
        assert_eq!(state.live_keys(), 1);
        assert_eq!(state.keys.len(), 1);
    }

    #[wasm_bindgen_test]
    fn a_snapshot_sets_expiry_and_keeps_unchanged_rows() {
        let mut state = NodeState::default();
        state.apply_events(&[event(EventKind::Set, "a")], 0, &Stats::default(), 0.0);
        let version = state.keys[0].version;
        let items = [
            SnapshotItem {
                key: "a".into(),
                size: 61,
                ttl: Some(30),
            },
            SnapshotItem {
                key: "b".into(),
                size: 70,
                ttl: None,
            },
        ];
        let stats = Stats {
            curr_items: 2,
            ..Stats::default()
        };
        state.apply_snapshot(&items, &stats, 5_000.0);
        assert_eq!(state.keys[0].version, version);
        assert_eq!(state.keys[0].ttl, Ttl::At(35_000.0));
        assert_eq!(state.keys[1].ttl, Ttl::Never);
        assert!(state.complete());
        assert_eq!(hit_ratio(&state.stats), None);
    }
}
