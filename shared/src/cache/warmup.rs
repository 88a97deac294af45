//! The chapter's warm-up experiment as a pure stepper, so the server (on
//! real time, against a real node) and the browser's offline lab (on
//! virtual time, against a model cache) run exactly the same requests.
//!
//! The chapter's program, for reference:
//!
//! ```python
//! def compute_square(mc, n):
//!     value = mc.get('sq:%d' % n)
//!     if value is None:
//!         time.sleep(0.001)  # pretend that computing a square is expensive
//!         value = n * n
//!         mc.set('sq:%d' % n, value)
//!     return value
//! ```
//!
//! run ten times over 2,000 requests for `random.randint(0, 5000)`. Each
//! request is a [`Warmup::lookup`] and, on a miss, a [`Warmup::store`] after
//! the driver has paid the pretend cost. The stepper counts hits and misses
//! per run; the driver measures (or, offline, computes) the time.

use serde::{Deserialize, Serialize};

use super::{
    event::ConnId,
    refusal::{Refusal, WarmupKnob},
    store::{Cache, StoreMode},
};
use crate::{
    protocol::{ServerFrame, WarmupStart},
    rng::SimRng,
};

/// The experiment's knobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarmupParams {
    /// Successive runs (the chapter: 10).
    pub runs: u32,
    /// `compute_square` calls per run (the chapter: 2,000).
    pub requests: u32,
    /// `n` is drawn uniformly from `0..=max_n` (the chapter: 5,000, as
    /// `random.randint(0, 5000)`).
    pub max_n: u32,
    /// The pretend cost of computing one square, in milliseconds (the
    /// chapter: 1).
    pub cost_ms: u32,
}

/// The chapter's parameters.
pub const CHAPTER: WarmupParams = WarmupParams {
    runs: 10,
    requests: 2_000,
    max_n: 5_000,
    cost_ms: 1,
};

pub const MAX_RUNS: u32 = 20;
pub const MAX_REQUESTS: u32 = 10_000;
pub const MAX_N: u32 = 1_000_000;
pub const MAX_COST_MS: u32 = 10;
/// The most pretend computing one experiment may ask for (runs × requests ×
/// cost), so that no one ties a node up for long: two minutes.
pub const MAX_TOTAL_COST_MS: u64 = 120_000;

impl WarmupParams {
    /// A `warmup_start` request's knobs, the chapter's where it leaves one
    /// out, checked.
    pub fn requested(request: &WarmupStart) -> Result<WarmupParams, Refusal> {
        let params = WarmupParams {
            runs: request.runs.unwrap_or(CHAPTER.runs),
            requests: request.requests.unwrap_or(CHAPTER.requests),
            max_n: request.max_n.unwrap_or(CHAPTER.max_n),
            cost_ms: request.cost_ms.unwrap_or(CHAPTER.cost_ms),
        };
        params.check().map(|()| params)
    }

    /// The `warmup_started` answer for an experiment with these knobs.
    pub fn started_frame(
        &self,
        node: usize,
        seed: u64,
        conn: ConnId,
        id: Option<u64>,
    ) -> ServerFrame {
        ServerFrame::WarmupStarted {
            node,
            runs: self.runs,
            requests: self.requests,
            max_n: self.max_n,
            cost_ms: self.cost_ms,
            seed,
            conn,
            id,
        }
    }

    /// Checks every bound, naming the first field that breaks one.
    pub fn check(&self) -> Result<(), Refusal> {
        let bounds = [
            (WarmupKnob::Runs, self.runs, 1, MAX_RUNS),
            (WarmupKnob::Requests, self.requests, 1, MAX_REQUESTS),
            (WarmupKnob::MaxN, self.max_n, 1, MAX_N),
            (WarmupKnob::CostMs, self.cost_ms, 0, MAX_COST_MS),
        ];
        for (knob, value, low, high) in bounds {
            if !(low..=high).contains(&value) {
                return Err(Refusal::OutOfRange {
                    knob,
                    value,
                    low,
                    high,
                });
            }
        }
        let total_ms = self.worst_case_cost_ms();
        if total_ms > MAX_TOTAL_COST_MS {
            return Err(Refusal::TooMuchComputing {
                total_ms,
                max_ms: MAX_TOTAL_COST_MS,
            });
        }
        Ok(())
    }

    /// The pretend cost if every request missed, in milliseconds.
    pub fn worst_case_cost_ms(&self) -> u64 {
        u64::from(self.runs) * u64::from(self.requests) * u64::from(self.cost_ms)
    }
}

/// The cache key of `n`'s square, as the chapter spells it.
pub fn key(n: u32) -> String {
    format!("sq:{n}")
}

/// The stored value: the square in decimal (what python-memcached sends
/// for an int).
pub fn value(n: u32) -> String {
    (u64::from(n) * u64::from(n)).to_string()
}

/// What one `mc.get` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Hit,
    /// Not cached: the caller pays the cost, then calls [`Warmup::store`].
    Miss,
}

/// One finished run's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunTally {
    /// 1-based.
    pub run: u32,
    pub requests: u32,
    pub hits: u32,
    pub misses: u32,
}

impl RunTally {
    /// Hits over requests, from 0 to 1.
    pub fn hit_ratio(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            f64::from(self.hits) / f64::from(self.requests)
        }
    }

    /// The run's pretend computing: misses × cost, in milliseconds.
    pub fn compute_ms(&self, cost_ms: u32) -> u64 {
        u64::from(self.misses) * u64::from(cost_ms)
    }
}

/// The round trip the offline lab charges per cache request on virtual time
/// (a loopback memcached round trip is of this order), in microseconds.
pub const VIRTUAL_ROUND_TRIP_US: u64 = 100;

/// A run's time on the offline lab's virtual clock: one round trip per get
/// and per set, plus the pretend cost of every miss.
pub fn virtual_elapsed_us(tally: &RunTally, cost_ms: u32) -> u64 {
    let round_trips = u64::from(tally.requests) + u64::from(tally.misses);
    round_trips * VIRTUAL_ROUND_TRIP_US + tally.compute_ms(cost_ms) * 1_000
}

/// The experiment in progress.
#[derive(Debug, Clone)]
pub struct Warmup {
    params: WarmupParams,
    rng: SimRng,
    /// Runs finished so far.
    runs_done: u32,
    /// Requests drawn in the current run.
    drawn: u32,
    hits: u32,
    misses: u32,
}

impl Warmup {
    /// A new experiment; `seed` fixes the sequence of `n`.
    pub fn new(params: WarmupParams, seed: u64) -> Warmup {
        Warmup {
            params,
            rng: SimRng::for_node(seed, "warmup"),
            runs_done: 0,
            drawn: 0,
            hits: 0,
            misses: 0,
        }
    }

    pub fn params(&self) -> WarmupParams {
        self.params
    }

    pub fn runs_done(&self) -> u32 {
        self.runs_done
    }

    pub fn is_finished(&self) -> bool {
        self.runs_done >= self.params.runs
    }

    /// The next request's `n`, or `None` once the current run has made all
    /// its requests (then call [`Warmup::finish_run`]).
    pub fn next_n(&mut self) -> Option<u32> {
        if self.is_finished() || self.drawn >= self.params.requests {
            return None;
        }
        self.drawn += 1;
        Some(self.rng.below(u64::from(self.params.max_n) + 1) as u32)
    }

    /// `mc.get('sq:%d' % n)`, counted as a hit or a miss of this run.
    pub fn lookup(&mut self, cache: &mut Cache, n: u32, now: u64, conn: ConnId) -> Lookup {
        if cache.get(key(n).as_bytes(), now, conn).is_some() {
            self.hits += 1;
            Lookup::Hit
        } else {
            self.misses += 1;
            Lookup::Miss
        }
    }

    /// `mc.set('sq:%d' % n, n * n)`, after a miss.
    pub fn store(&mut self, cache: &mut Cache, n: u32, now: u64, conn: ConnId) {
        cache.store(
            StoreMode::Set,
            key(n).as_bytes(),
            value(n).as_bytes(),
            0,
            0,
            now,
            conn,
        );
    }

    /// Closes the current run and returns its counts.
    pub fn finish_run(&mut self) -> RunTally {
        self.runs_done += 1;
        let tally = RunTally {
            run: self.runs_done,
            requests: self.drawn,
            hits: self.hits,
            misses: self.misses,
        };
        self.drawn = 0;
        self.hits = 0;
        self.misses = 0;
        tally
    }

    /// A whole run against an in-memory cache with no pause for the cost
    /// (the offline lab and tests; time comes from [`virtual_elapsed_us`]).
    pub fn run_on(&mut self, cache: &mut Cache, now: u64, conn: ConnId) -> RunTally {
        while let Some(n) = self.next_n() {
            if self.lookup(cache, n, now, conn) == Lookup::Miss {
                self.store(cache, n, now, conn);
            }
        }
        self.finish_run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Say;

    const NOW: u64 = 1_700_000_000;

    fn all_runs(limit: u64, seed: u64) -> (Vec<RunTally>, Cache) {
        let mut cache = Cache::new(limit);
        let mut warmup = Warmup::new(CHAPTER, seed);
        let mut tallies = Vec::new();
        while !warmup.is_finished() {
            tallies.push(warmup.run_on(&mut cache, NOW, 7));
        }
        (tallies, cache)
    }

    #[test]
    fn the_cache_warms_up_run_by_run() {
        let (tallies, cache) = all_runs(64 << 20, 1);
        assert_eq!(tallies.len(), 10);
        assert!(tallies.iter().all(|t| t.requests == 2_000));
        assert!(tallies.iter().all(|t| t.hits + t.misses == 2_000));
        // Run 1 starts cold: about 5001 × (1 − e^(−0.4)) ≈ 1650 distinct n.
        assert!((1_500..=1_800).contains(&tallies[0].misses), "{tallies:?}");
        for pair in tallies.windows(2) {
            assert!(pair[1].misses < pair[0].misses, "{tallies:?}");
        }
        assert!(tallies[9].hit_ratio() > 0.95, "{tallies:?}");
        // Every miss stored its square; nothing was evicted.
        let misses: u64 = tallies.iter().map(|t| u64::from(t.misses)).sum();
        assert_eq!(cache.stats().curr_items, misses);
        assert_eq!(cache.stats().evictions, 0);
        // The virtual clock follows the cost model.
        let first = virtual_elapsed_us(&tallies[0], 1);
        let last = virtual_elapsed_us(&tallies[9], 1);
        assert!(last < first / 4, "{first} µs then {last} µs");
    }

    #[test]
    fn a_small_cache_levels_off_and_evicts() {
        // 16 KiB holds about 220 squares of 5,001.
        let (tallies, cache) = all_runs(16 << 10, 1);
        let late: Vec<_> = tallies[5..].iter().map(RunTally::hit_ratio).collect();
        assert!(late.iter().all(|r| *r < 0.1), "{tallies:?}");
        assert!(cache.stats().evictions > 10_000, "{:?}", cache.stats());
        assert!(cache.stats().bytes <= 16 << 10);
    }

    #[test]
    fn a_seed_fixes_the_sequence_and_the_values_are_squares() {
        assert_eq!(all_runs(1 << 20, 9).0, all_runs(1 << 20, 9).0);
        assert_ne!(all_runs(1 << 20, 9).0, all_runs(1 << 20, 10).0);
        let mut cache = Cache::new(1 << 20);
        let mut warmup = Warmup::new(CHAPTER, 3);
        let n = warmup.next_n().unwrap();
        assert!(n <= 5_000);
        assert_eq!(warmup.lookup(&mut cache, n, NOW, 1), Lookup::Miss);
        warmup.store(&mut cache, n, NOW, 1);
        let stored = cache.get(key(n).as_bytes(), NOW, 1).unwrap();
        assert_eq!(
            stored.value,
            (u64::from(n) * u64::from(n)).to_string().as_bytes()
        );
        assert_eq!(key(12), "sq:12");
        assert_eq!(value(MAX_N), "1000000000000");
    }

    #[test]
    fn parameters_out_of_bounds_name_their_field() {
        assert_eq!(CHAPTER.check(), Ok(()));
        let zero_runs = WarmupParams { runs: 0, ..CHAPTER };
        assert_eq!(zero_runs.check().unwrap_err().field(), "runs");
        let huge = WarmupParams {
            max_n: MAX_N + 1,
            ..CHAPTER
        };
        assert_eq!(huge.check().unwrap_err().field(), "max_n");
        let slow = WarmupParams {
            cost_ms: 11,
            ..CHAPTER
        };
        assert_eq!(slow.check().unwrap_err().field(), "cost_ms");
        let long = WarmupParams {
            runs: 20,
            requests: 10_000,
            max_n: 5_000,
            cost_ms: 1,
        };
        let error = long.check().unwrap_err();
        assert_eq!(error.field(), "requests");
        assert!(error.english().contains("200000 ms"), "{error}");
        let free = WarmupParams {
            runs: 20,
            requests: 10_000,
            max_n: 5_000,
            cost_ms: 0,
        };
        assert_eq!(free.check(), Ok(()));
    }
}
