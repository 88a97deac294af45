//! Rendezvous (highest random weight) hashing exactly as pymemcache 4.0's
//! `HashClient` does it (`pymemcache/client/rendezvous.py`).
//!
//! Every server scores every key with `murmur3_32(f"{server}-{key}", 0)`
//! (the server named `"host:port"`) and the highest score wins; on a tie the
//! server whose name sorts last wins. Adding a server only takes the keys
//! that now score highest on it; removing one only moves the keys it had.
//! The price: one hash per server per key.

use super::murmur3::{Prefixed, murmur3_32_pymemcache, pymemcache_bytes};

/// pymemcache's score of `key` on `server`.
pub fn score(server: &str, key: &str) -> u32 {
    murmur3_32_pymemcache(&format!("{server}-{key}"), 0)
}

/// The index of the winning server, as `RendezvousHash.get_node`.
pub fn place(key: &str, servers: &[String]) -> usize {
    Rendezvous::new(servers).place(key)
}

/// A server list ready to score keys, each server's `"{server}-"` prefix
/// hashed once.
#[derive(Debug, Clone)]
pub struct Rendezvous {
    servers: Vec<String>,
    prefixes: Vec<Prefixed>,
}

impl Rendezvous {
    pub fn new(servers: &[String]) -> Self {
        let prefixes = servers
            .iter()
            .map(|server| Prefixed::new(&pymemcache_bytes(&format!("{server}-")), 0))
            .collect();
        Rendezvous {
            servers: servers.to_vec(),
            prefixes,
        }
    }

    /// The index of the server with the highest score for `key`; a tie goes
    /// to the server whose name sorts last, as in pymemcache.
    pub fn place(&self, key: &str) -> usize {
        let key = pymemcache_bytes(key);
        let mut winner = 0;
        let mut high_score = None;
        for (index, prefix) in self.prefixes.iter().enumerate() {
            let score = prefix.hash(&key);
            match high_score {
                Some(high) if score < high => {}
                Some(high) if score == high => {
                    if self.servers[index] > self.servers[winner] {
                        winner = index;
                    }
                }
                _ => {
                    high_score = Some(score);
                    winner = index;
                }
            }
        }
        winner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_scores_equal_plain_scores() {
        let servers: Vec<String> = (1..=5).map(|i| format!("10.0.0.{i}:11211")).collect();
        let ready = Rendezvous::new(&servers);
        for key in [
            "a",
            "abcd",
            "éclair",
            "缓存",
            "😀",
            "a longer key with spaces",
        ] {
            let best = (0..servers.len())
                .max_by_key(|&i| (score(&servers[i], key), servers[i].clone()))
                .expect("servers");
            assert_eq!(ready.place(key), best, "{key}");
        }
    }

    #[test]
    fn removing_a_server_moves_only_its_keys() {
        let servers: Vec<String> = (1..=4).map(|i| format!("10.0.0.{i}:11211")).collect();
        let fewer: Vec<String> = servers
            .iter()
            .filter(|s| !s.contains(".3:"))
            .cloned()
            .collect();
        for i in 0..500 {
            let key = format!("key{i}");
            let before = &servers[place(&key, &servers)];
            let after = &fewer[place(&key, &fewer)];
            if before != "10.0.0.3:11211" {
                assert_eq!(before, after, "{key}");
            }
        }
    }
}
