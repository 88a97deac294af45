//! Memory accounting and the eviction policy (Redis's `maxmemory` and
//! `maxmemory-policy`).
//!
//! Every key is accounted as its bytes plus fixed overheads per key and
//! per element, near what Redis's own structures take. Before a command
//! that can grow the data set runs, the model makes room below the limit
//! by the policy; if it cannot, the command is refused with Redis's `OOM`
//! error. The default policy is Redis's own default, `noeviction`: a
//! broker must not drop queued tasks silently, so a full node refuses new
//! writes and keeps serving reads and deletions.

use super::keyspace::Db;
use crate::rng::SimRng;

/// Accounted bytes per key besides its name and value (dict entry, object
/// header, expiry slot).
pub const ENTRY_OVERHEAD: usize = 64;

/// Accounted bytes per element of a list, hash, set or sorted set.
pub const ELEMENT_OVERHEAD: usize = 16;

/// How many keys each eviction looks at per database (Redis's
/// `maxmemory-samples` default).
const SAMPLES: usize = 5;

/// Which keys may go when memory is short (`maxmemory-policy`; the LFU
/// policies are not offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// Refuse writes with `OOM` (Redis's default).
    #[default]
    NoEviction,
    /// Any key, least recently used first (sampled, as Redis does).
    AllKeysLru,
    /// Any key, at random.
    AllKeysRandom,
    /// Keys with an expiry time, least recently used first.
    VolatileLru,
    /// Keys with an expiry time, at random.
    VolatileRandom,
    /// Keys with an expiry time, the nearest to expiring first.
    VolatileTtl,
}

impl Policy {
    pub const ALL: [Policy; 6] = [
        Policy::NoEviction,
        Policy::AllKeysLru,
        Policy::AllKeysRandom,
        Policy::VolatileLru,
        Policy::VolatileRandom,
        Policy::VolatileTtl,
    ];

    /// Redis's name for the policy.
    pub fn name(self) -> &'static str {
        match self {
            Policy::NoEviction => "noeviction",
            Policy::AllKeysLru => "allkeys-lru",
            Policy::AllKeysRandom => "allkeys-random",
            Policy::VolatileLru => "volatile-lru",
            Policy::VolatileRandom => "volatile-random",
            Policy::VolatileTtl => "volatile-ttl",
        }
    }

    /// The policy Redis calls `name` (case-insensitive).
    pub fn parse(name: &str) -> Option<Policy> {
        Policy::ALL
            .into_iter()
            .find(|policy| policy.name().eq_ignore_ascii_case(name))
    }

    fn volatile_only(self) -> bool {
        matches!(
            self,
            Policy::VolatileLru | Policy::VolatileRandom | Policy::VolatileTtl
        )
    }
}

/// The memory limit and what to do at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryConfig {
    /// Bytes; 0 means no limit (as in Redis).
    pub limit: u64,
    pub policy: Policy,
}

impl Default for MemoryConfig {
    fn default() -> MemoryConfig {
        MemoryConfig {
            limit: 64 << 20,
            policy: Policy::NoEviction,
        }
    }
}

/// The key the policy gives up next: (database, key), or `None` when the
/// policy allows none (noeviction, or no key with an expiry time).
pub fn pick_victim(dbs: &[Db], policy: Policy, rng: &mut SimRng) -> Option<(usize, Vec<u8>)> {
    if policy == Policy::NoEviction {
        return None;
    }
    let mut best: Option<(usize, usize, u64)> = None; // (db, position, rank)
    for (db_index, db) in dbs.iter().enumerate() {
        let candidates = if policy.volatile_only() {
            db.volatile()
        } else {
            db.len()
        };
        if candidates == 0 {
            continue;
        }
        let mut found = 0;
        // Random positions; for volatile policies most may hold keys
        // without an expiry, so look further, then walk the whole map.
        let mut probes = 0;
        while found < SAMPLES && probes < SAMPLES * 16 {
            probes += 1;
            let position = rng.below(db.len() as u64) as usize;
            if let Some(rank) = rank_at(db, position, policy) {
                found += 1;
                consider(&mut best, db_index, position, rank);
            }
        }
        if found == 0 {
            for position in 0..db.len() {
                if let Some(rank) = rank_at(db, position, policy) {
                    consider(&mut best, db_index, position, rank);
                    break;
                }
            }
        }
    }
    let (db_index, position, _) = best?;
    let (key, _) = dbs[db_index].at(position)?;
    Some((db_index, key.clone()))
}

/// How eager the policy is to drop the key at `position` (lower goes
/// first), or `None` if the policy may not drop it.
fn rank_at(db: &Db, position: usize, policy: Policy) -> Option<u64> {
    let (_, entry) = db.at(position)?;
    if policy.volatile_only() && entry.expires_at.is_none() {
        return None;
    }
    Some(match policy {
        Policy::AllKeysLru | Policy::VolatileLru => entry.touched,
        Policy::VolatileTtl => entry.expires_at.unwrap_or(u64::MAX),
        // Random: the sample itself was random; keep the first.
        _ => 0,
    })
}

fn consider(best: &mut Option<(usize, usize, u64)>, db: usize, position: usize, rank: u64) {
    if best.is_none_or(|(_, _, best_rank)| rank < best_rank) {
        *best = Some((db, position, rank));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_have_redis_names() {
        for policy in Policy::ALL {
            assert_eq!(Policy::parse(policy.name()), Some(policy));
        }
        assert_eq!(Policy::parse("ALLKEYS-LRU"), Some(Policy::AllKeysLru));
        assert_eq!(Policy::parse("allkeys-lfu"), None);
    }
}
