//! Celery's retry policy: `max_retries` (3), `default_retry_delay`
//! (180 s), and with `retry_backoff` a delay doubling from 1 s (1, 2, 4,
//! 8 s …) up to `retry_backoff_max` (600 s), with `retry_jitter` a
//! uniform draw in [0, computed] (Celery's `get_exponential_backoff_interval`).

use serde::{Deserialize, Serialize};

use crate::{rng::SimRng, time::Tick};

fn three() -> Option<u32> {
    Some(3)
}
fn default_delay() -> Tick {
    Tick::from_secs(180)
}
fn one_second() -> Tick {
    Tick::from_secs(1)
}
fn default_backoff_max() -> Tick {
    Tick::from_secs(600)
}
fn yes() -> bool {
    true
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Retries before giving up (`null`: for ever).
    #[serde(default = "three")]
    pub max_retries: Option<u32>,
    /// The countdown without back-off (`default_retry_delay`).
    #[serde(default = "default_delay")]
    pub countdown: Tick,
    /// `retry_backoff`: the first delay of a doubling back-off, or
    /// `null` for a fixed countdown. Celery's `True` means 1 s.
    #[serde(default)]
    pub backoff: Option<Tick>,
    #[serde(default = "default_backoff_max")]
    pub backoff_max: Tick,
    /// `retry_jitter` (Celery's default is on, when back-off is used).
    #[serde(default = "yes")]
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: three(),
            countdown: default_delay(),
            backoff: None,
            backoff_max: default_backoff_max(),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// Celery's `retry_backoff=True`.
    pub fn celery_backoff() -> RetryPolicy {
        RetryPolicy {
            backoff: Some(one_second()),
            ..RetryPolicy::default()
        }
    }

    /// May a task that was retried `retries` times be retried again?
    pub fn allows(&self, retries: u32) -> bool {
        self.max_retries.is_none_or(|max| retries < max)
    }

    /// The countdown before retry number `retries + 1`.
    pub fn delay(&self, retries: u32, rng: &mut SimRng) -> Tick {
        match self.backoff {
            None => self.countdown,
            Some(first) => {
                let factor = 1u64.checked_shl(retries.min(63)).unwrap_or(u64::MAX);
                let computed = first.0.saturating_mul(factor).min(self.backoff_max.0);
                if self.jitter {
                    Tick(rng.between(0, computed))
                } else {
                    Tick(computed)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let policy = RetryPolicy {
            jitter: false,
            ..RetryPolicy::celery_backoff()
        };
        let mut rng = SimRng::new(1);
        let delays: Vec<u64> = (0..12)
            .map(|r| policy.delay(r, &mut rng).0 / 1_000_000)
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]);
    }

    #[test]
    fn jitter_stays_below_the_computed_delay() {
        let policy = RetryPolicy::celery_backoff();
        let mut rng = SimRng::new(2);
        for r in 0..8 {
            let d = policy.delay(r, &mut rng);
            assert!(d.0 <= 1_000_000 << r);
        }
    }

    #[test]
    fn celery_defaults() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_retries, Some(3));
        assert_eq!(p.countdown, Tick::from_secs(180));
        assert!(p.allows(2) && !p.allows(3));
        assert_eq!(p.delay(5, &mut SimRng::new(1)), Tick::from_secs(180));
    }
}
