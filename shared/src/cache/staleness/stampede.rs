//! The stale-data section's fourth remedy, memcached's own: a hot key
//! whose time runs out under many concurrent readers. Without a remedy
//! every reader that misses recomputes the value from the database at once
//! (the thundering herd: one recompute per reader per expiry). With
//! memcached 1.6's meta protocol (`mg key v N<ttl> R<secs>`), the first
//! reader inside the recache window is handed the win (`W`) and recomputes,
//! and the others are told someone already won (`Z`) and keep reading the
//! old value meanwhile: one recompute per expiry.
//!
//! The item rules are not copied here: every read and write goes to a
//! model [`Cache`] through the store's own operations (`get`/`set`, or
//! `meta_get`/`meta_set`), the same code the `fanout` cache nodes run.
//! Time is virtual (whole seconds, no clock read) and readers take turns
//! within a second as a server serializes them, so the same settings give
//! the same counts in a test and in a browser.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::cache::{Cache, MetaGet, MetaSet, Step, StoreMode};

/// The hot key.
pub const KEY: &str = "hot:leaderboard";
/// The expiry time the value is stored with, in seconds.
pub const TTL: i64 = 10;
/// memcached's recache threshold (`R`): a reader is handed the win once
/// fewer than this many seconds are left.
pub const RECACHE: i64 = 5;
/// How long recomputing the value from the pretend database takes, in
/// virtual seconds (shorter than the recache window, so the winner stores
/// before the old value runs out).
pub const RECOMPUTE: u64 = 2;
/// The concurrent readers the section accepts.
pub const READERS: RangeInclusive<u32> = 1..=64;
/// The expiries one run lets happen.
pub const EXPIRIES: RangeInclusive<u32> = 1..=10;
pub const DEFAULT_READERS: u32 = 8;
pub const DEFAULT_EXPIRIES: u32 = 3;

/// The virtual clock's start (a unix second, as the store takes).
const START: u64 = 1_700_000_000;

/// Whether the readers use memcached's remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    /// `get`, and on a miss recompute and `set`: the thundering herd.
    Off,
    /// `mg … N R`: one winner recomputes, the others read the old value.
    Meta,
}

impl Protection {
    pub const ALL: [Protection; 2] = [Protection::Off, Protection::Meta];

    /// A stable name for markup and tests.
    pub fn name(self) -> &'static str {
        match self {
            Protection::Off => "herd",
            Protection::Meta => "meta",
        }
    }

    /// The read each reader sends.
    pub fn command(self) -> String {
        match self {
            Protection::Off => format!("get {KEY}"),
            Protection::Meta => format!("mg {KEY} v N{TTL} R{RECACHE}"),
        }
    }
}

/// What one read got, and so what the reader does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The value, nobody recomputing: used.
    Hit,
    /// Nothing: the reader recomputes from the database and stores.
    Miss,
    /// `W`: this reader won and recomputes (its read still had the value).
    Won,
    /// `Z` with the old value: someone else recomputes; this reader uses
    /// the old value meanwhile (a stale read).
    AlreadyWon,
    /// `Z` on the empty placeholder `N` created: nothing to use yet; the
    /// reader asks again the next second.
    Wait,
}

impl Answer {
    /// The flag memcached's answer carries, or the classic outcome.
    pub fn flag(self) -> &'static str {
        match self {
            Answer::Hit => "HIT",
            Answer::Miss => "MISS",
            Answer::Won => "W",
            Answer::AlreadyWon | Answer::Wait => "Z",
        }
    }

    /// A stable name for markup and tests.
    pub fn name(self) -> &'static str {
        match self {
            Answer::Hit => "hit",
            Answer::Miss => "miss",
            Answer::Won => "won",
            Answer::AlreadyWon => "already_won",
            Answer::Wait => "wait",
        }
    }
}

/// One reader's read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// From 1.
    pub reader: u32,
    pub answer: Answer,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub protection: Protection,
    pub readers: u32,
    /// Times the key's value came due: it expired, or (with the remedy)
    /// entered the recache window.
    pub expiries: u32,
    /// Recomputes that hit the pretend database.
    pub recomputes: u64,
    /// Reads that used the old value while another reader recomputed.
    pub stale_reads: u64,
    /// Reads that found the value missing (and so recomputed).
    pub misses: u64,
    /// Reads that found only the placeholder and waited.
    pub waits: u64,
    /// Every read.
    pub reads: u64,
    /// Virtual seconds the run covered.
    pub seconds: u64,
    /// The reads of the second the last expiry came due, in turn order.
    pub burst: Vec<Reading>,
}

/// Runs `readers` concurrent readers of the hot key through `expiries`
/// expiries, starting with the value freshly cached. Every reader reads
/// once a second unless it is recomputing; a recompute takes
/// [`RECOMPUTE`] seconds and then stores the value for [`TTL`] seconds.
/// Quiet stretches (every reader hitting, nobody recomputing) are skipped
/// to the next moment the value comes due. `None` for settings outside
/// [`READERS`] and [`EXPIRIES`].
pub fn run(protection: Protection, readers: u32, expiries: u32) -> Option<Report> {
    if !READERS.contains(&readers) || !EXPIRIES.contains(&expiries) {
        return None;
    }
    let mut cache = Cache::new(1 << 20);
    let mut now = START;
    let mut stored_at = now;
    let mut version = 0u64;
    cache.store(
        StoreMode::Set,
        KEY.as_bytes(),
        &value(version),
        0,
        TTL,
        now,
        0,
    );
    // When each reader's recompute is done, if it is recomputing.
    let mut busy: Vec<Option<u64>> = vec![None; readers as usize];
    let mut report = Report {
        protection,
        readers,
        expiries: 0,
        recomputes: 0,
        stale_reads: 0,
        misses: 0,
        waits: 0,
        reads: 0,
        seconds: 0,
        burst: Vec::new(),
    };
    loop {
        if busy.iter().all(Option::is_none) {
            if report.expiries == expiries {
                break;
            }
            // Skip to the second the value comes due.
            let expires_at = stored_at + TTL as u64;
            now = match protection {
                Protection::Off => expires_at,
                Protection::Meta => expires_at - (RECACHE as u64 - 1),
            };
            report.expiries += 1;
            report.burst.clear();
        } else {
            now += 1;
        }
        let due = report.burst.is_empty();
        // Recomputes done this second store their value first.
        for (reader, done) in busy.iter_mut().enumerate() {
            if *done == Some(now) {
                *done = None;
                version += 1;
                let conn = reader as u64 + 1;
                let (key, value) = (KEY.as_bytes(), value(version));
                match protection {
                    Protection::Off => {
                        cache.store(StoreMode::Set, key, &value, 0, TTL, now, conn);
                    }
                    Protection::Meta => {
                        let set = MetaSet::default();
                        cache.meta_set(StoreMode::Set, key, &value, 0, TTL, &set, now, conn);
                    }
                }
                stored_at = now;
            }
        }
        // Then every reader not recomputing reads, in turn.
        for (reader, done) in busy.iter_mut().enumerate() {
            if done.is_some() {
                continue;
            }
            let conn = reader as u64 + 1;
            let answer = read(&mut cache, protection, now, conn);
            report.reads += 1;
            match answer {
                Answer::Hit => {}
                Answer::Miss | Answer::Won => {
                    report.misses += u64::from(answer == Answer::Miss);
                    report.recomputes += 1;
                    *done = Some(now + RECOMPUTE);
                }
                Answer::AlreadyWon => report.stale_reads += 1,
                Answer::Wait => report.waits += 1,
            }
            if due {
                report.burst.push(Reading {
                    reader: reader as u32 + 1,
                    answer,
                });
            }
        }
    }
    report.seconds = now - START;
    Some(report)
}

/// The pretend database's value at a version.
fn value(version: u64) -> Vec<u8> {
    format!("top scores, version {version}").into_bytes()
}

/// One reader's read through the store's own rules.
fn read(cache: &mut Cache, protection: Protection, now: u64, conn: u64) -> Answer {
    let key = KEY.as_bytes();
    match protection {
        Protection::Off => match cache.get(key, now, conn) {
            Some(_) => Answer::Hit,
            None => Answer::Miss,
        },
        Protection::Meta => {
            let steps = [Step::Vivify(TTL), Step::Recache(RECACHE)];
            let get = MetaGet {
                steps: &steps,
                no_bump: false,
            };
            match cache.meta_get(key, &get, now, conn) {
                None => Answer::Miss,
                Some(hit) if hit.won => Answer::Won,
                Some(hit) if hit.already_won && hit.item.value.is_empty() => Answer::Wait,
                Some(hit) if hit.already_won => Answer::AlreadyWon,
                Some(_) => Answer::Hit,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_the_remedy_every_reader_recomputes_at_every_expiry() {
        for readers in [1, 2, 8, 64] {
            for expiries in [1, 3, 10] {
                let report = run(Protection::Off, readers, expiries).unwrap();
                let herd = u64::from(readers) * u64::from(expiries);
                assert_eq!(report.expiries, expiries);
                assert_eq!(report.recomputes, herd, "{report:?}");
                assert_eq!(report.misses, herd);
                assert_eq!((report.stale_reads, report.waits), (0, 0));
                // Each expiry: every reader misses, then (after the
                // recompute) every reader hits.
                assert_eq!(report.reads, 2 * herd);
                assert_eq!(
                    report.seconds,
                    u64::from(expiries) * (TTL as u64 + RECOMPUTE)
                );
                assert!(report.burst.iter().all(|r| r.answer == Answer::Miss));
                assert_eq!(report.burst.len(), readers as usize);
            }
        }
    }

    #[test]
    fn with_memcacheds_remedy_one_winner_recomputes_and_the_others_read_the_old_value() {
        for readers in [1, 2, 8, 64] {
            for expiries in [1, 3, 10] {
                let report = run(Protection::Meta, readers, expiries).unwrap();
                let (readers, expiries) = (u64::from(readers), u64::from(expiries));
                assert_eq!(report.recomputes, expiries, "{report:?}");
                assert_eq!(report.misses, 0, "the value never ran out");
                // The losers read the old value each second the winner
                // recomputes.
                assert_eq!(report.stale_reads, (readers - 1) * RECOMPUTE * expiries);
                assert_eq!(report.waits, 0);
                assert_eq!(
                    report.seconds,
                    expiries * (TTL - RECACHE + 1) as u64 + expiries * RECOMPUTE
                );
                let answers: Vec<_> = report.burst.iter().map(|r| r.answer).collect();
                assert_eq!(answers[0], Answer::Won);
                assert!(answers[1..].iter().all(|a| *a == Answer::AlreadyWon));
                assert_eq!(report.burst[0].reader, 1);
            }
        }
    }

    #[test]
    fn the_remedy_wins_before_expiry_and_vivify_covers_a_cold_key() {
        // The store's own rules, as the run relies on them: inside the
        // recache window the first mg wins and the second is told Z.
        let mut cache = Cache::new(1 << 20);
        let (key, steps) = (KEY.as_bytes(), [Step::Vivify(TTL), Step::Recache(RECACHE)]);
        let get = MetaGet {
            steps: &steps,
            no_bump: false,
        };
        assert_eq!(read(&mut cache, Protection::Meta, START, 1), Answer::Won);
        assert_eq!(read(&mut cache, Protection::Meta, START, 2), Answer::Wait);
        let hit = cache.meta_get(key, &get, START, 3).unwrap();
        assert!(hit.already_won && hit.item.value.is_empty());
        cache.meta_set(
            StoreMode::Set,
            key,
            b"v",
            0,
            TTL,
            &MetaSet::default(),
            START + 1,
            1,
        );
        assert_eq!(
            read(&mut cache, Protection::Meta, START + 1, 2),
            Answer::Hit
        );
        let window = START + 1 + (TTL - RECACHE) as u64;
        assert_eq!(read(&mut cache, Protection::Meta, window, 2), Answer::Hit);
        assert_eq!(
            read(&mut cache, Protection::Meta, window + 1, 2),
            Answer::Won
        );
        assert_eq!(
            read(&mut cache, Protection::Meta, window + 1, 3),
            Answer::AlreadyWon
        );
    }

    #[test]
    fn settings_outside_the_ranges_are_refused() {
        assert_eq!(run(Protection::Off, 0, 1), None);
        assert_eq!(run(Protection::Meta, 65, 1), None);
        assert_eq!(run(Protection::Meta, 1, 0), None);
        assert_eq!(run(Protection::Off, 1, 11), None);
        assert_eq!(Protection::Meta.command(), "mg hot:leaderboard v N10 R5");
    }
}
