//! What the cache lab knows of a real memcached it observes
//! (`fanout serve --observe-memcached HOST:PORT`), as pure state: the keys
//! (from `lru_crawler metadump`, kept current by `watch` lines), and the
//! lab's events the `watch` lines mean. The server's observer
//! (`server/src/memcached/observer.rs`) only moves bytes in and out.
//!
//! memcached logs an `item_get` for the lookup a store or a delete makes
//! on the way (`doc/protocol.txt`, "fetchers"); the lab shows Fanout's own
//! nodes without those, so [`ObservedFeed`] holds each lookup back until
//! the next line says whether a store or delete of the same key by the
//! same connection follows it.

use std::collections::{BTreeMap, HashMap};

use super::{
    Event, EventKind, GetStatus, SnapshotItem, StoreStatus, item_size,
    watch_line::{MetadumpLine, Record},
};

/// The most keys kept per observed server; past it the least recently
/// used known key is forgotten (a real deployment may hold millions).
pub const MAX_KEYS: usize = 10_000;

/// One known key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Known {
    /// The item's accounted size: key, value and memcached's per-item
    /// overhead, as metadump's `size` and a node's events count it.
    size: u64,
    /// Unix time it expires, `None` for never or not known.
    exp: Option<u64>,
    /// Its place in the recency order.
    used: u64,
}

/// The keys of an observed memcached, most recently used last, bounded by
/// [`MAX_KEYS`].
#[derive(Debug, Clone, Default)]
pub struct ObservedKeys {
    keys: HashMap<String, Known>,
    by_use: BTreeMap<u64, String>,
    next: u64,
    /// Keys forgotten to stay within [`MAX_KEYS`] since the last dump.
    forgotten: u64,
}

impl ObservedKeys {
    /// Starts over from a metadump's lines (in any order; the last access
    /// time orders them); `left_out` more were not read.
    pub fn replace(&mut self, lines: &mut [MetadumpLine], left_out: u64) {
        *self = ObservedKeys::default();
        lines.sort_by_key(|line| line.la);
        for line in lines.iter() {
            let key = String::from_utf8_lossy(&line.key).into_owned();
            self.put(key, line.size, line.exp);
        }
        self.forgotten += left_out;
    }

    /// Records a key as just used, with its size and expiry.
    fn put(&mut self, key: String, size: u64, exp: Option<u64>) {
        self.next += 1;
        let used = self.next;
        if let Some(old) = self.keys.insert(key.clone(), Known { size, exp, used }) {
            self.by_use.remove(&old.used);
        }
        self.by_use.insert(used, key);
        while self.keys.len() > MAX_KEYS {
            let Some((_, oldest)) = self.by_use.pop_first() else {
                break;
            };
            self.keys.remove(&oldest);
            self.forgotten += 1;
        }
    }

    fn bump(&mut self, key: &str, size: u64) {
        let exp = self.keys.get(key).and_then(|known| known.exp);
        self.put(key.to_owned(), size, exp);
    }

    fn remove(&mut self, key: &str) {
        if let Some(old) = self.keys.remove(key) {
            self.by_use.remove(&old.used);
        }
    }

    /// Applies a lab event read from the server's `watch`; `now` is unix
    /// seconds (a store's `ttl` is relative).
    pub fn apply(&mut self, event: &Event, ttl: Option<u64>, now: u64) {
        match event.kind {
            EventKind::Set => {
                let exp = ttl.filter(|&ttl| ttl > 0).map(|ttl| now + ttl);
                self.put(event.key.clone(), event.size, exp);
            }
            EventKind::Hit => self.bump(&event.key, event.size),
            EventKind::Delete | EventKind::Evict | EventKind::Expire => self.remove(&event.key),
            EventKind::Flush => *self = ObservedKeys::default(),
            EventKind::Miss | EventKind::Touch | EventKind::Log => {}
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// At most `max` live keys at unix second `now`, most recently used
    /// first, and how many live keys were left out.
    pub fn snapshot(&self, now: u64, max: usize) -> (Vec<SnapshotItem>, u64) {
        let mut items = Vec::new();
        let mut left_out = self.forgotten;
        for key in self.by_use.values().rev() {
            let Some(known) = self.keys.get(key) else {
                continue;
            };
            let ttl = match known.exp {
                Some(exp) if exp <= now => continue,
                Some(exp) => Some(exp - now),
                None => None,
            };
            if items.len() == max {
                left_out += 1;
                continue;
            }
            items.push(SnapshotItem {
                key: key.clone(),
                size: known.size,
                ttl,
            });
        }
        (items, left_out)
    }
}

/// A lab event read from one `watch` line, with a store's `ttl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedEvent {
    pub event: Event,
    /// Seconds to live of a store (0 for none); `None` for other events.
    pub ttl: Option<u64>,
}

/// The most lines waiting to be put in order; past it the oldest go on.
pub const MAX_WAITING: usize = 1024;

/// Turns `watch` lines into the lab's events: in the order they happened
/// (memcached writes each worker thread's lines in turn, so lines arrive
/// out of order; `gid` numbers them across threads), leaving out the
/// lookups that stores and deletes make on the way.
#[derive(Debug, Clone, Default)]
pub struct ObservedFeed {
    /// Lines read but not yet released, by `gid`.
    waiting: BTreeMap<u64, Record>,
    held: Option<(Record, Event)>,
}

impl ObservedFeed {
    /// Takes one line. Lines wait to be put in `gid` order until
    /// [`ObservedFeed::settle`] (the driver calls it once the stream has
    /// been quiet a moment); only past [`MAX_WAITING`] lines does this
    /// return the oldest one's events at once.
    pub fn push(&mut self, gid: u64, record: Record) -> Vec<ObservedEvent> {
        self.waiting.insert(gid, record);
        let mut out = Vec::new();
        while self.waiting.len() > MAX_WAITING {
            if let Some((_, oldest)) = self.waiting.pop_first() {
                out.extend(self.release(oldest));
            }
        }
        out
    }

    /// Every line read so far, in `gid` order, as events, and the lookup
    /// held last (no line followed it: it was a read of its own).
    pub fn settle(&mut self) -> Vec<ObservedEvent> {
        let mut out = Vec::new();
        while let Some((_, record)) = self.waiting.pop_first() {
            out.extend(self.release(record));
        }
        out.extend(
            self.held
                .take()
                .map(|(_, event)| ObservedEvent { event, ttl: None }),
        );
        out
    }

    /// Whether lines or a lookup wait for [`ObservedFeed::settle`].
    pub fn waiting(&self) -> bool {
        !self.waiting.is_empty() || self.held.is_some()
    }

    /// One record's events, in order (at most three: a held lookup and
    /// this line's one or two).
    fn release(&mut self, record: Record) -> Vec<ObservedEvent> {
        let mut out = Vec::new();
        if let Some((held, event)) = self.held.take()
            && !made_by(&record, &held)
        {
            out.push(ObservedEvent { event, ttl: None });
        }
        let (key, cfd) = match &record {
            Record::ItemGet { key, cfd, .. } | Record::ItemStore { key, cfd, .. } => {
                (key.clone(), *cfd)
            }
            Record::Eviction { key, .. } | Record::Deleted { key, .. } => (key.clone(), 0),
            Record::ConnNew { .. } | Record::ConnClose { .. } => return out,
        };
        // Sizes as a node's events and metadump count them: key, value and
        // memcached's per-item overhead (`watch` prints the value's length).
        let event = |kind, value_len: u64| Event {
            kind,
            key: String::from_utf8_lossy(&key).into_owned(),
            size: if kind == EventKind::Miss || kind == EventKind::Expire {
                0
            } else {
                item_size(key.len(), 0) + value_len
            },
            conn: u64::try_from(cfd).unwrap_or(0),
            // `watch` does not say whether a hit moved the item: the view
            // shows every use at the top.
            stayed: false,
            log: None,
        };
        match &record {
            Record::ItemGet { status, size, .. } => {
                let kind = match status {
                    GetStatus::Found => EventKind::Hit,
                    GetStatus::NotFound | GetStatus::Flushed | GetStatus::Expired => {
                        EventKind::Miss
                    }
                };
                if *status == GetStatus::Expired {
                    out.push(ObservedEvent {
                        event: event(EventKind::Expire, 0),
                        ttl: None,
                    });
                }
                let held = event(kind, *size);
                self.held = Some((record.clone(), held));
            }
            Record::ItemStore {
                status: StoreStatus::Stored,
                size,
                ttl,
                ..
            } => out.push(ObservedEvent {
                event: event(EventKind::Set, *size),
                ttl: Some(*ttl),
            }),
            Record::ItemStore { .. } => {}
            Record::Eviction { size, .. } => out.push(ObservedEvent {
                event: event(EventKind::Evict, *size),
                ttl: None,
            }),
            Record::Deleted { size, .. } => out.push(ObservedEvent {
                event: event(EventKind::Delete, *size),
                ttl: None,
            }),
            Record::ConnNew { .. } | Record::ConnClose { .. } => {}
        }
        out
    }
}

/// Whether `record` is the store or delete whose own lookup `held` was.
fn made_by(record: &Record, held: &Record) -> bool {
    let Record::ItemGet {
        key: held_key,
        cfd: held_cfd,
        ..
    } = held
    else {
        return false;
    };
    match record {
        Record::ItemStore { key, cfd, .. } => key == held_key && cfd == held_cfd,
        // `deleted` carries no connection; a delete's lookup comes just
        // before it.
        Record::Deleted { key, .. } => key == held_key,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{DeleteCmd, StoreCmd};

    fn get(key: &str, status: GetStatus, cfd: i32) -> Record {
        Record::ItemGet {
            key: key.into(),
            status,
            clsid: 1,
            cfd,
            size: 5,
        }
    }

    fn kinds(events: &[ObservedEvent]) -> Vec<(EventKind, &str)> {
        events
            .iter()
            .map(|e| (e.event.kind, e.event.key.as_str()))
            .collect()
    }

    fn store(key: &str, cfd: i32) -> Record {
        Record::ItemStore {
            key: key.into(),
            status: StoreStatus::Stored,
            cmd: StoreCmd::Set,
            ttl: 60,
            clsid: 1,
            cfd,
            size: 5,
        }
    }

    #[test]
    fn lines_come_out_in_gid_order_without_a_stores_own_lookup() {
        let mut feed = ObservedFeed::default();
        // Two worker threads' lines, the second thread's written first.
        let lines = [
            (4, get("b", GetStatus::Found, 8)),
            (5, get("zz", GetStatus::NotFound, 8)),
            (1, get("a", GetStatus::NotFound, 9)),
            (2, store("a", 9)),
            (3, store("b", 9)),
            (6, get("c", GetStatus::Found, 4)),
            (
                7,
                Record::Deleted {
                    key: "c".into(),
                    cmd: DeleteCmd::Delete,
                    clsid: 1,
                    size: 5,
                },
            ),
        ];
        for (gid, record) in lines {
            assert!(feed.push(gid, record).is_empty(), "nothing before settling");
        }
        assert!(feed.waiting());
        let events = feed.settle();
        assert_eq!(
            kinds(&events),
            [
                (EventKind::Set, "a"),
                (EventKind::Set, "b"),
                (EventKind::Hit, "b"),
                (EventKind::Miss, "zz"),
                (EventKind::Delete, "c"),
            ]
        );
        assert_eq!(events[0].ttl, Some(60));
        // Counted as metadump counts an item: key + value + 59.
        assert_eq!(events[0].event.size, 1 + 5 + 59);
        assert_eq!(events[3].event.size, 0);
        assert!(!feed.waiting());
        // A lookup last in a settled batch is a read of its own.
        feed.push(8, get("d", GetStatus::Found, 4));
        assert_eq!(kinds(&feed.settle()), [(EventKind::Hit, "d")]);
    }

    #[test]
    fn waiting_lines_stay_bounded() {
        let mut feed = ObservedFeed::default();
        let mut released = 0;
        for gid in 0..MAX_WAITING as u64 + 10 {
            released += feed.push(gid, store("k", 1)).len();
        }
        assert_eq!(released, 10);
        assert_eq!(feed.settle().len(), MAX_WAITING);
    }

    #[test]
    fn keys_stay_bounded_and_ordered() {
        let mut keys = ObservedKeys::default();
        let mut dump: Vec<_> = (0..MAX_KEYS as u64 + 5)
            .map(|i| MetadumpLine {
                key: format!("k{i}").into_bytes(),
                exp: (i == 1).then_some(100),
                la: i,
                cas: i,
                fetched: false,
                cls: 1,
                size: 70,
            })
            .collect();
        keys.replace(&mut dump, 0);
        assert_eq!(keys.len(), MAX_KEYS);
        let (items, left_out) = keys.snapshot(50, 3);
        let newest = format!("k{}", MAX_KEYS + 4);
        assert_eq!(items[0].key, newest);
        assert_eq!(left_out, MAX_KEYS as u64 - 3 + 5);
        let event = Event {
            kind: EventKind::Delete,
            key: newest.clone(),
            size: 0,
            conn: 3,
            stayed: false,
            log: None,
        };
        keys.apply(&event, None, 50);
        assert_eq!(keys.len(), MAX_KEYS - 1);
    }
}
