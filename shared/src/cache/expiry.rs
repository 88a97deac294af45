//! memcached's rules for an item's expiry time, in one place.
//!
//! A client sends an `exptime` with every store and touch. memcached reads it
//! as: 0 = never; 1 ..= 30 days = seconds from now; anything larger = an
//! absolute unix time (so 2,592,001 is long past and the item is gone at
//! once); negative = already expired. Time has one-second granularity and is
//! always passed in by the caller: the model never reads a clock.

/// The largest `exptime` read as "seconds from now" (30 days).
pub const RELATIVE_LIMIT: i64 = 60 * 60 * 24 * 30;

/// When an item stops being visible, as an absolute unix second.
///
/// `Some(0)` means "already expired"; `None` means "never".
pub type ExpiresAt = Option<u64>;

/// Turns a protocol `exptime` into an absolute expiry, given the current
/// unix time in seconds.
pub fn resolve(exptime: i64, now: u64) -> ExpiresAt {
    if exptime == 0 {
        None
    } else if exptime < 0 {
        Some(0)
    } else if exptime <= RELATIVE_LIMIT {
        Some(now.saturating_add(exptime as u64))
    } else if (exptime as u64) <= now {
        Some(0)
    } else {
        Some(exptime as u64)
    }
}

/// Whether an item with this expiry is gone at `now`.
pub fn is_expired(expires_at: ExpiresAt, now: u64) -> bool {
    matches!(expires_at, Some(at) if at <= now)
}

/// Seconds left before expiry (memcached's `t` flag: -1 for never).
pub fn remaining(expires_at: ExpiresAt, now: u64) -> i64 {
    match expires_at {
        None => -1,
        Some(at) => at.saturating_sub(now) as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000;

    #[test]
    fn the_four_kinds_of_exptime() {
        assert_eq!(resolve(0, NOW), None);
        assert_eq!(resolve(10, NOW), Some(NOW + 10));
        assert_eq!(
            resolve(RELATIVE_LIMIT, NOW),
            Some(NOW + RELATIVE_LIMIT as u64)
        );
        // Just past 30 days: an absolute time in 1970, long gone.
        assert_eq!(resolve(RELATIVE_LIMIT + 1, NOW), Some(0));
        assert_eq!(resolve(NOW as i64 + 5, NOW), Some(NOW + 5));
        assert_eq!(resolve(-1, NOW), Some(0));
    }

    #[test]
    fn an_item_expires_at_its_second() {
        let at = resolve(2, NOW);
        assert!(!is_expired(at, NOW + 1));
        assert!(is_expired(at, NOW + 2));
        assert!(!is_expired(None, u64::MAX));
        assert_eq!(remaining(at, NOW), 2);
        assert_eq!(remaining(None, NOW), -1);
    }
}
