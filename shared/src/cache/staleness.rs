//! The chapter's stale-data experiment as a pure stepper, beside the
//! warm-up: a pretend database of three user profiles, each field cached
//! under a key derived from its record (`user:7:name`, `user:7:card`) and
//! read through the cache (a miss reads the database and stores the
//! value). When a record is updated, the chapter's three remedies differ:
//!
//! - expiry time: the cache is left alone; readers get the old value until
//!   the entry's time runs out;
//! - invalidation: the keys derived from the record (the map [`keys_of`])
//!   are deleted, so the next read misses and fetches fresh data;
//! - overwriting: the fresh values are written over the cached ones.
//!
//! The fourth remedy, memcached's own against a hot key expiring under
//! many readers (one winner recomputes, the others read the old value), is
//! [`stampede`]: a run on virtual time over the store's meta rules.
//!
//! Every read is compared with the database: a cached value that differs
//! is a stale read, counted per remedy.
//!
//! Sans-IO: the experiment asks for one cache request at a time
//! ([`Staleness::poll_request`]); the driver sends it to a cache (a real
//! node through the lab's frames, or the offline model) and hands back what
//! the cache answered ([`Staleness::handle_answer`]). No clock and no
//! randomness: the same answers give the same log and tallies.

pub mod stampede;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::protocol::{CacheFrame, CacheKeyRef, CacheSet, ServerFrame};

/// Reads kept in the log.
pub const LOG: usize = 12;
/// The expiry time the experiment starts with, in seconds.
pub const DEFAULT_TTL: i64 = 15;
/// The expiry times the experiment accepts, in seconds.
pub const TTL_RANGE: std::ops::RangeInclusive<i64> = 1..=3600;

/// One user profile in the pretend database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: u32,
    pub name: String,
    pub card: String,
    /// How many times it was updated.
    pub version: u32,
}

/// The names each record cycles through when updated.
const NAMES: [(u32, [&str; 3]); 3] = [
    (7, ["Ada Lovelace", "Ada King", "Augusta Ada King"]),
    (8, ["Alan Turing", "Alan M. Turing", "A. M. Turing"]),
    (
        9,
        ["Grace Hopper", "Grace B. Hopper", "Rear Admiral Hopper"],
    ),
];

/// A card number's last digits, by record and version.
fn card(id: u32, version: u32) -> String {
    let digits = (id * 1_237 + version * 4_099) % 10_000;
    format!("VISA ···· {digits:04}")
}

/// The pretend database as it starts.
pub fn database() -> Vec<Record> {
    NAMES
        .iter()
        .map(|(id, names)| Record {
            id: *id,
            name: names[0].to_owned(),
            card: card(*id, 0),
            version: 0,
        })
        .collect()
}

/// A cached field of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Card,
}

impl Field {
    pub const ALL: [Field; 2] = [Field::Name, Field::Card];

    fn of(self, record: &Record) -> &str {
        match self {
            Field::Name => &record.name,
            Field::Card => &record.card,
        }
    }
}

/// The cache key of one field of one record.
pub fn key(id: u32, field: Field) -> String {
    match field {
        Field::Name => format!("user:{id}:name"),
        Field::Card => format!("user:{id}:card"),
    }
}

/// The map from a record to the cache keys that hold copies of it: what
/// makes invalidation possible.
pub fn keys_of(id: u32) -> Vec<String> {
    Field::ALL.iter().map(|field| key(id, *field)).collect()
}

/// The chapter's remedies for stale data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Expiry,
    Invalidate,
    Overwrite,
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [Strategy::Expiry, Strategy::Invalidate, Strategy::Overwrite];

    /// A stable name for markup and tests.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Expiry => "expiry",
            Strategy::Invalidate => "invalidate",
            Strategy::Overwrite => "overwrite",
        }
    }

    fn index(self) -> usize {
        match self {
            Strategy::Expiry => 0,
            Strategy::Invalidate => 1,
            Strategy::Overwrite => 2,
        }
    }
}

/// A request the experiment makes of the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheRequest {
    Get {
        key: String,
    },
    Set {
        key: String,
        value: String,
        ttl: i64,
    },
    Delete {
        key: String,
    },
}

impl CacheRequest {
    /// The lab frame that makes this request of `node`.
    pub fn frame(&self, node: usize) -> CacheFrame {
        match self {
            CacheRequest::Get { key } => CacheFrame::Get(CacheKeyRef {
                node,
                key: key.clone(),
                id: None,
            }),
            CacheRequest::Set { key, value, ttl } => CacheFrame::Set(CacheSet {
                node,
                key: key.clone(),
                value: value.clone(),
                ttl: *ttl,
                flags: 0,
                id: None,
            }),
            CacheRequest::Delete { key } => CacheFrame::Delete(CacheKeyRef {
                node,
                key: key.clone(),
                id: None,
            }),
        }
    }
}

/// What the cache answered a [`CacheRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheAnswer {
    /// A get found this value.
    Hit(String),
    /// A get found nothing.
    Miss,
    /// A set or a delete was carried out (whatever memcached's outcome).
    Done,
    /// The request failed (refused, or the link went down); the rest of
    /// the action is abandoned and the driver says why.
    Failed,
}

impl CacheAnswer {
    /// Reads a lab frame that answered a request.
    pub fn of(frame: &ServerFrame) -> CacheAnswer {
        match frame {
            ServerFrame::CacheValue {
                found: true, value, ..
            } => CacheAnswer::Hit(value.clone().unwrap_or_default()),
            ServerFrame::CacheValue { found: false, .. } => CacheAnswer::Miss,
            ServerFrame::CacheResult { .. } => CacheAnswer::Done,
            _ => CacheAnswer::Failed,
        }
    }
}

/// What one read through the cache gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// From the cache, equal to the database.
    Fresh,
    /// From the cache, different from the database.
    Stale,
    /// Not cached: read from the database and stored.
    Miss,
}

/// One read through the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// Rises with every read, for the log's keys.
    pub seq: u64,
    pub key: String,
    pub value: String,
    pub verdict: Verdict,
}

impl Read {
    pub fn from_cache(&self) -> bool {
        self.verdict != Verdict::Miss
    }
}

/// Reads under one remedy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub reads: u64,
    pub from_cache: u64,
    pub stale: u64,
}

/// What the last update did, for the learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Updated {
    pub id: u32,
    /// The remedy it was updated under.
    pub strategy: Strategy,
    /// The expiry time then in force (what an expiry-time update leaves
    /// readers waiting for).
    pub ttl: i64,
}

/// One step of an action, waiting for its turn.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Job {
    /// Read a field through the cache, under this remedy and expiry time.
    Read {
        id: u32,
        field: Field,
        strategy: Strategy,
        ttl: i64,
    },
    Write {
        key: String,
        value: String,
        ttl: i64,
    },
    Delete {
        key: String,
    },
}

/// The experiment.
#[derive(Debug, Clone)]
pub struct Staleness {
    db: Vec<Record>,
    strategy: Strategy,
    ttl: i64,
    tallies: [Tally; 3],
    /// Newest first, at most [`LOG`].
    log: VecDeque<Read>,
    jobs: VecDeque<Job>,
    in_flight: Option<Job>,
    updated: Option<Updated>,
    seq: u64,
}

impl Default for Staleness {
    fn default() -> Self {
        Staleness::new()
    }
}

impl Staleness {
    /// A fresh database, no reads, the expiry-time remedy.
    pub fn new() -> Staleness {
        Staleness {
            db: database(),
            strategy: Strategy::Expiry,
            ttl: DEFAULT_TTL,
            tallies: [Tally::default(); 3],
            log: VecDeque::new(),
            jobs: VecDeque::new(),
            in_flight: None,
            updated: None,
            seq: 0,
        }
    }

    pub fn database(&self) -> &[Record] {
        &self.db
    }

    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// Chooses the remedy for the next reads and updates.
    pub fn set_strategy(&mut self, strategy: Strategy) {
        self.strategy = strategy;
    }

    pub fn ttl(&self) -> i64 {
        self.ttl
    }

    /// Sets the expiry time the expiry-time remedy stores with; `false`
    /// (and unchanged) outside [`TTL_RANGE`].
    pub fn set_ttl(&mut self, seconds: i64) -> bool {
        let fits = TTL_RANGE.contains(&seconds);
        if fits {
            self.ttl = seconds;
        }
        fits
    }

    /// Whether an action is still talking to the cache (new ones wait).
    pub fn is_busy(&self) -> bool {
        self.in_flight.is_some() || !self.jobs.is_empty()
    }

    /// Reads every field of every profile through the cache; `false` while
    /// busy.
    pub fn read_all(&mut self) -> bool {
        if self.is_busy() {
            return false;
        }
        let (strategy, ttl) = (self.strategy, self.ttl);
        for record in &self.db {
            for field in Field::ALL {
                self.jobs.push_back(Job::Read {
                    id: record.id,
                    field,
                    strategy,
                    ttl,
                });
            }
        }
        true
    }

    /// Updates record `id` in the database and applies the current
    /// remedy to the cache; `false` while busy or for an unknown record.
    pub fn update(&mut self, id: u32) -> bool {
        if self.is_busy() {
            return false;
        }
        let Some(record) = self.db.iter_mut().find(|record| record.id == id) else {
            return false;
        };
        record.version += 1;
        let names = NAMES
            .iter()
            .find(|(named, _)| *named == id)
            .map_or([""; 3], |(_, names)| *names);
        record.name = names[record.version as usize % names.len()].to_owned();
        record.card = card(id, record.version);
        let record = record.clone();
        match self.strategy {
            // The rule of this remedy: the cache is not told.
            Strategy::Expiry => {}
            Strategy::Invalidate => {
                for key in keys_of(id) {
                    self.jobs.push_back(Job::Delete { key });
                }
            }
            Strategy::Overwrite => {
                for field in Field::ALL {
                    self.jobs.push_back(Job::Write {
                        key: key(id, field),
                        value: field.of(&record).to_owned(),
                        ttl: 0,
                    });
                }
            }
        }
        self.updated = Some(Updated {
            id,
            strategy: self.strategy,
            ttl: self.ttl,
        });
        true
    }

    /// Starts over: the database as it was, no reads, and every key the
    /// experiment uses deleted from the cache; `false` while busy.
    pub fn reset(&mut self) -> bool {
        if self.is_busy() {
            return false;
        }
        let (strategy, ttl) = (self.strategy, self.ttl);
        *self = Staleness {
            strategy,
            ttl,
            ..Staleness::new()
        };
        for (id, _) in NAMES {
            for key in keys_of(id) {
                self.jobs.push_back(Job::Delete { key });
            }
        }
        true
    }

    /// The next request to send, if one is due; `None` while one is in
    /// flight or when the action is done.
    pub fn poll_request(&mut self) -> Option<CacheRequest> {
        if self.in_flight.is_some() {
            return None;
        }
        let job = self.jobs.pop_front()?;
        let request = match &job {
            Job::Read { id, field, .. } => CacheRequest::Get {
                key: key(*id, *field),
            },
            Job::Write { key, value, ttl } => CacheRequest::Set {
                key: key.clone(),
                value: value.clone(),
                ttl: *ttl,
            },
            Job::Delete { key } => CacheRequest::Delete { key: key.clone() },
        };
        self.in_flight = Some(job);
        Some(request)
    }

    /// What the cache answered the request in flight.
    pub fn handle_answer(&mut self, answer: CacheAnswer) {
        let Some(job) = self.in_flight.take() else {
            return;
        };
        match (job, answer) {
            (
                Job::Read {
                    id,
                    field,
                    strategy,
                    ttl,
                },
                answer @ (CacheAnswer::Hit(_) | CacheAnswer::Miss),
            ) => {
                // The database as it is now.
                let fresh = self
                    .db
                    .iter()
                    .find(|record| record.id == id)
                    .map(|record| field.of(record).to_owned())
                    .unwrap_or_default();
                let key = key(id, field);
                let (value, verdict) = match answer {
                    CacheAnswer::Hit(value) if value == fresh => (value, Verdict::Fresh),
                    CacheAnswer::Hit(value) => (value, Verdict::Stale),
                    _ => {
                        // Read through: the database's value goes into the
                        // cache, with an expiry time only under that remedy.
                        let ttl = if strategy == Strategy::Expiry { ttl } else { 0 };
                        self.jobs.push_front(Job::Write {
                            key: key.clone(),
                            value: fresh.clone(),
                            ttl,
                        });
                        (fresh, Verdict::Miss)
                    }
                };
                self.record(strategy, key, value, verdict);
            }
            (Job::Write { .. } | Job::Delete { .. }, CacheAnswer::Done) => {}
            // A failure, or an answer that does not fit the request.
            _ => self.jobs.clear(),
        }
    }

    fn record(&mut self, strategy: Strategy, key: String, value: String, verdict: Verdict) {
        self.seq += 1;
        let tally = &mut self.tallies[strategy.index()];
        tally.reads += 1;
        tally.from_cache += u64::from(verdict != Verdict::Miss);
        tally.stale += u64::from(verdict == Verdict::Stale);
        self.log.push_front(Read {
            seq: self.seq,
            key,
            value,
            verdict,
        });
        self.log.truncate(LOG);
    }

    /// The latest reads, newest first.
    pub fn log(&self) -> impl Iterator<Item = &Read> + '_ {
        self.log.iter()
    }

    /// The reads made under `strategy`.
    pub fn tally(&self, strategy: Strategy) -> Tally {
        self.tallies[strategy.index()]
    }

    /// What the last update did, until the next reset.
    pub fn updated(&self) -> Option<Updated> {
        self.updated
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{Cache, StoreMode};

    const NOW: u64 = 1_700_000_000;

    /// Runs every request against a model cache at unix time `now`, as a
    /// driver would against a node.
    fn drive(experiment: &mut Staleness, cache: &mut Cache, now: u64) -> Vec<CacheRequest> {
        let mut sent = Vec::new();
        while let Some(request) = experiment.poll_request() {
            assert!(experiment.is_busy());
            assert_eq!(experiment.poll_request(), None, "one at a time");
            let answer = match &request {
                CacheRequest::Get { key } => match cache.get(key.as_bytes(), now, 1) {
                    Some(item) => CacheAnswer::Hit(String::from_utf8_lossy(item.value).into()),
                    None => CacheAnswer::Miss,
                },
                CacheRequest::Set { key, value, ttl } => {
                    let (key, value) = (key.as_bytes(), value.as_bytes());
                    cache.store(StoreMode::Set, key, value, 0, *ttl, now, 1);
                    CacheAnswer::Done
                }
                CacheRequest::Delete { key } => {
                    cache.delete(key.as_bytes(), now, 1);
                    CacheAnswer::Done
                }
            };
            experiment.handle_answer(answer);
            sent.push(request);
        }
        assert!(!experiment.is_busy());
        sent
    }

    /// Read, update user 7, read again: the stale reads of the second read.
    fn stale_after_update(strategy: Strategy, later: u64) -> (Staleness, Cache) {
        let mut cache = Cache::new(1 << 20);
        let mut experiment = Staleness::new();
        experiment.set_strategy(strategy);
        assert!(experiment.read_all());
        drive(&mut experiment, &mut cache, NOW);
        assert_eq!(
            experiment.tally(strategy).stale,
            0,
            "a cold cache is never stale"
        );
        assert!(experiment.update(7));
        drive(&mut experiment, &mut cache, NOW + 1);
        assert!(experiment.read_all());
        drive(&mut experiment, &mut cache, NOW + later);
        (experiment, cache)
    }

    #[test]
    fn a_cold_read_misses_and_stores_every_field_then_hits() {
        let mut cache = Cache::new(1 << 20);
        let mut experiment = Staleness::new();
        assert!(experiment.read_all());
        let sent = drive(&mut experiment, &mut cache, NOW);
        assert_eq!(sent.len(), 12, "a get and a set per field: {sent:?}");
        assert_eq!(
            sent[..2],
            [
                CacheRequest::Get {
                    key: "user:7:name".into()
                },
                CacheRequest::Set {
                    key: "user:7:name".into(),
                    value: "Ada Lovelace".into(),
                    ttl: DEFAULT_TTL,
                },
            ]
        );
        let tally = experiment.tally(Strategy::Expiry);
        assert_eq!((tally.reads, tally.from_cache, tally.stale), (6, 0, 0));
        assert!(experiment.read_all());
        assert_eq!(
            drive(&mut experiment, &mut cache, NOW).len(),
            6,
            "gets only"
        );
        let tally = experiment.tally(Strategy::Expiry);
        assert_eq!((tally.reads, tally.from_cache, tally.stale), (12, 6, 0));
        let newest = experiment.log().next().unwrap();
        assert_eq!(
            (newest.seq, newest.key.as_str(), newest.verdict),
            (12, "user:9:card", Verdict::Fresh)
        );
        assert_eq!(experiment.log().count(), LOG);
    }

    #[test]
    fn under_an_expiry_time_readers_see_the_old_values_until_it_runs_out() {
        let (experiment, _) = stale_after_update(Strategy::Expiry, 2);
        assert_eq!(experiment.tally(Strategy::Expiry).stale, 2);
        let stale: Vec<_> = experiment
            .log()
            .filter(|read| read.verdict == Verdict::Stale)
            .map(|read| (read.key.as_str(), read.value.as_str()))
            .collect();
        assert!(
            stale.contains(&("user:7:name", "Ada Lovelace")),
            "{stale:?}"
        );
        assert_eq!(
            experiment.updated(),
            Some(Updated {
                id: 7,
                strategy: Strategy::Expiry,
                ttl: DEFAULT_TTL
            })
        );
        // Once the entries' time has run out, the next read is fresh.
        let (experiment, _) = stale_after_update(Strategy::Expiry, DEFAULT_TTL as u64 + 1);
        assert_eq!(experiment.tally(Strategy::Expiry).stale, 0);
        let misses = experiment
            .log()
            .take(6)
            .filter(|read| !read.from_cache())
            .count();
        assert_eq!(misses, 6, "every entry had expired");
    }

    #[test]
    fn invalidating_deletes_the_records_keys_and_the_next_read_misses() {
        let (experiment, _) = stale_after_update(Strategy::Invalidate, 2);
        let tally = experiment.tally(Strategy::Invalidate);
        assert_eq!((tally.reads, tally.from_cache, tally.stale), (12, 4, 0));
        let missed: Vec<_> = experiment
            .log()
            .take(6)
            .filter(|read| read.verdict == Verdict::Miss)
            .map(|read| read.key.as_str())
            .collect();
        assert_eq!(missed, ["user:7:card", "user:7:name"]);
        assert_eq!(experiment.tally(Strategy::Expiry), Tally::default());
    }

    #[test]
    fn overwriting_writes_the_fresh_values_and_every_read_hits() {
        let (experiment, mut cache) = stale_after_update(Strategy::Overwrite, 2);
        let tally = experiment.tally(Strategy::Overwrite);
        assert_eq!((tally.reads, tally.from_cache, tally.stale), (12, 6, 0));
        let name = cache.get(b"user:7:name", NOW + 2, 1).unwrap();
        assert_eq!(name.value, b"Ada King");
        assert_eq!(name.expires_at, None, "overwritten without an expiry time");
    }

    #[test]
    fn one_action_at_a_time_and_a_failure_abandons_the_rest() {
        let mut experiment = Staleness::new();
        assert!(experiment.read_all());
        assert!(!experiment.read_all() && !experiment.update(7) && !experiment.reset());
        assert!(matches!(
            experiment.poll_request(),
            Some(CacheRequest::Get { .. })
        ));
        experiment.handle_answer(CacheAnswer::Failed);
        assert!(!experiment.is_busy());
        assert_eq!(experiment.poll_request(), None);
        assert_eq!(experiment.tally(Strategy::Expiry).reads, 0);
        assert!(!experiment.update(42), "no such record");
        assert!(!experiment.set_ttl(0) && !experiment.set_ttl(3601));
        assert!(experiment.set_ttl(5));
        assert_eq!(experiment.ttl(), 5);
    }

    #[test]
    fn a_reset_restores_the_database_and_clears_the_cache() {
        let (mut experiment, mut cache) = stale_after_update(Strategy::Expiry, 2);
        experiment.set_strategy(Strategy::Overwrite);
        assert!(experiment.reset());
        let sent = drive(&mut experiment, &mut cache, NOW + 3);
        assert_eq!(sent.len(), 6);
        assert!(
            sent.iter()
                .all(|r| matches!(r, CacheRequest::Delete { .. }))
        );
        assert!(cache.is_empty());
        assert_eq!(experiment.database(), database());
        assert_eq!(experiment.log().count(), 0);
        assert_eq!(experiment.updated(), None);
        assert_eq!(experiment.tally(Strategy::Expiry), Tally::default());
        assert_eq!(experiment.strategy(), Strategy::Overwrite, "settings stay");
    }

    #[test]
    fn requests_become_lab_frames_and_answers_are_read_back() {
        let get = CacheRequest::Get { key: "k".into() };
        assert_eq!(
            get.frame(2),
            CacheFrame::Get(CacheKeyRef {
                node: 2,
                key: "k".into(),
                id: None
            })
        );
        let mut cache = Cache::new(1 << 20);
        let set = CacheRequest::Set {
            key: "k".into(),
            value: "v".into(),
            ttl: 5,
        };
        let stored = crate::cache::lab_ops::apply(&mut cache, set.frame(0), NOW, 1)
            .unwrap()
            .unwrap();
        assert_eq!(CacheAnswer::of(&stored), CacheAnswer::Done);
        let found = crate::cache::lab_ops::apply(&mut cache, get.frame(0), NOW, 1)
            .unwrap()
            .unwrap();
        assert_eq!(CacheAnswer::of(&found), CacheAnswer::Hit("v".into()));
        let delete = CacheRequest::Delete { key: "k".into() };
        crate::cache::lab_ops::apply(&mut cache, delete.frame(0), NOW, 1);
        let missed = crate::cache::lab_ops::apply(&mut cache, get.frame(0), NOW, 1)
            .unwrap()
            .unwrap();
        assert_eq!(CacheAnswer::of(&missed), CacheAnswer::Miss);
        assert_eq!(
            CacheAnswer::of(&ServerFrame::Pong { id: None }),
            CacheAnswer::Failed
        );
    }
}
