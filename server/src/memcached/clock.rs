//! The cache connections' clock: whole unix seconds in an atomic that a
//! thread of its own advances just after each second boundary, as
//! memcached's `current_time` is advanced by a once-a-second timer event.
//!
//! A connection needs the time once per batch of requests (for expiry),
//! in whole seconds; asking the system clock each time cost about half a
//! percent of a node's CPU under load (docs/BENCHMARKS.md, "Cache nodes").

use std::{
    sync::{
        Once,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// The current unix second; 0 until [`start`].
static SECONDS: AtomicU64 = AtomicU64::new(0);
static STARTED: Once = Once::new();

/// Starts the clock's thread (once per process; later calls do nothing).
pub fn start() {
    STARTED.call_once(|| {
        SECONDS.store(super::unix_now(), Ordering::Relaxed);
        let spawned = std::thread::Builder::new()
            .name("cache-clock".into())
            .spawn(|| {
                loop {
                    let since_epoch = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .unwrap_or_default();
                    // Wake just past the next boundary, so the second read
                    // there is the new one.
                    let to_next =
                        Duration::from_nanos(1_000_000_000 - u64::from(since_epoch.subsec_nanos()));
                    std::thread::sleep(to_next + Duration::from_micros(200));
                    SECONDS.store(super::unix_now(), Ordering::Relaxed);
                }
            });
        if let Err(error) = spawned {
            // Without the thread every read falls back to the system clock.
            tracing::warn!(%error, "cannot start the cache clock thread");
            SECONDS.store(0, Ordering::Relaxed);
        }
    });
}

/// Now, in whole unix seconds: the clock's value once it runs, else the
/// system clock's.
pub fn now() -> u64 {
    match SECONDS.load(Ordering::Relaxed) {
        0 => super::unix_now(),
        seconds => seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_follows_the_system_clock_to_the_second() {
        start();
        // Within a second either way: the thread may be just about to
        // advance it, or the system clock just about to turn.
        for _ in 0..5 {
            let system = crate::memcached::unix_now();
            let clock = now();
            assert!(
                clock.abs_diff(system) <= 1,
                "clock {clock}, system {system}"
            );
            std::thread::sleep(Duration::from_millis(600));
        }
        // It advances rather than staying put (given up to ten seconds,
        // for a machine too busy to run its thread on time).
        let first = now();
        let advanced = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            now() > first
        });
        assert!(advanced, "the clock stayed at {first}");
    }
}
